//! The persons the resident may fill forms in for, loaded once per page load and shared: the
//! header, the person banner and the pages all read the same list.

use leptos::prelude::*;
use sesshu_domain::questionnaire_api::{PeopleList, PersonEntry};

use crate::api::{self, FormsError};

/// The list in context. `Copy`.
#[derive(Clone, Copy)]
pub struct People {
    resource: LocalResource<Result<PeopleList, FormsError>>,
}

impl People {
    /// `None` while loading (reactive).
    pub fn state(self) -> Option<Result<PeopleList, FormsError>> {
        self.resource.get()
    }

    /// Whether a resident is known to be logged in (reactive; false while loading).
    pub fn logged_in(self) -> bool {
        self.resource.with(|state| matches!(state, Some(Ok(_))))
    }

    /// The person with `handle` (reactive): `None` while loading, `Some(Ok(None))` when this
    /// login has no such person (e.g. a handle from an earlier login).
    pub fn find(self, handle: &str) -> Option<Result<Option<PersonEntry>, FormsError>> {
        self.resource.with(|state| {
            state.as_ref().map(|result| {
                result
                    .as_ref()
                    .map(|list| list.people.iter().find(|p| p.handle == handle).cloned())
                    .map_err(Clone::clone)
            })
        })
    }

    /// How many persons there are (reactive; 0 while loading).
    pub fn count(self) -> usize {
        self.resource.with(|state| match state {
            Some(Ok(list)) => list.people.len(),
            _ => 0,
        })
    }
}

/// Starts loading the list and puts it in context.
pub fn provide_people() -> People {
    let people = People {
        resource: LocalResource::new(api::people),
    };
    provide_context(people);
    people
}

/// The list in context; loads its own if none was provided.
pub fn use_people() -> People {
    use_context::<People>().unwrap_or_else(provide_people)
}
