use leptos::prelude::*;
use sesshu_app::components::Loading;
use sesshu_domain::questionnaire_api::PersonEntry;

use crate::api::{self, FormsError};
use crate::components::ErrorNotice;
use crate::notices::{NoticeList, PersonNotice, newest_first};
use crate::people::use_people;
use crate::text::{Msg, use_title, use_tx};

/// `/notices`: the notices of oneself and of every child the resident acts for, in one list,
/// newest first, each naming whose it is.
#[component]
pub fn NoticesPage() -> impl IntoView {
    use_title(Msg::NoticesTitle);
    let tx = use_tx();
    let people = use_people();
    let notices = LocalResource::new(move || {
        let found = people.state();
        async move {
            match found {
                None => None,
                Some(Err(error)) => Some(Err(error)),
                Some(Ok(list)) => Some(everyones(list.people).await),
            }
        }
    });
    view! {
        <h1 tabindex="-1">{move || tx.t(Msg::NoticesTitle)}</h1>
        <p class="lead">{move || tx.t(Msg::NoticesLead)}</p>
        {move || match notices.get().flatten() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(notices)) => view! { <NoticeList notices /> }.into_any(),
        }}
    }
}

/// Every person's notices, one request per person (a resident acts for a handful at most).
async fn everyones(people: Vec<PersonEntry>) -> Result<Vec<PersonNotice>, FormsError> {
    let mut all = Vec::new();
    for person in people {
        let list = api::notices(&person.handle).await?;
        all.extend(list.notices.into_iter().map(|notice| PersonNotice {
            handle: person.handle.clone(),
            name: Some(person.name.clone()),
            notice,
        }));
    }
    Ok(newest_first(all))
}
