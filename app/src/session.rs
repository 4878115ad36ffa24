//! The resident's session as the whole app sees it: loaded once, shared through context, and
//! updated when the resident logs out or any request finds the session gone.

use crate::api::{self, FetchError};
use leptos::prelude::*;
use sesshu_domain::dto::ResidentSession;

/// The session resource in context. `Copy`, so closures in views can capture it.
#[derive(Clone, Copy)]
pub struct Session {
    resource: LocalResource<Result<ResidentSession, FetchError>>,
}

impl Session {
    /// `None` while loading; `Err(Unauthenticated)` when nobody is logged in (reactive).
    pub fn state(self) -> Option<Result<ResidentSession, FetchError>> {
        self.resource.get()
    }

    /// Whether a resident is known to be logged in (reactive; `false` while loading).
    pub fn is_logged_in(self) -> bool {
        self.resource.map(|state| state.is_ok()).unwrap_or(false)
    }

    /// Records that the session is gone (after logout, or when a request answered 401), so the
    /// header and home page stop offering what needs a login.
    pub fn mark_logged_out(self) {
        self.resource.set(Some(Err(FetchError::Unauthenticated)));
    }

    /// Asks the server again, e.g. when a logout could not be confirmed.
    pub fn refetch(self) {
        self.resource.refetch();
    }

    /// Marks the session gone if `result` says so, and passes `result` on.
    pub fn observe<T>(self, result: Result<T, FetchError>) -> Result<T, FetchError> {
        if matches!(result, Err(FetchError::Unauthenticated)) {
            self.mark_logged_out();
        }
        result
    }
}

/// Starts loading the session and puts it in context for [`use_session`].
pub fn provide_session() -> Session {
    let session = Session {
        resource: LocalResource::new(api::session),
    };
    provide_context(session);
    session
}

/// The session in context; loads its own if none was provided.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(provide_session)
}
