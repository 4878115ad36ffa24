use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use sesshu_app::components::Loading;
use sesshu_app::i18n::format_date;
use sesshu_domain::questionnaire_api::{PersonEntry, Relation};

use crate::components::{ErrorNotice, person_href};
use crate::people::use_people;
use crate::text::{Msg, use_title, use_tx};

/// `/forms`: whose questionnaires to fill in: oneself, or a child as their guardian. With only
/// one person there is nothing to choose, so the page goes straight to theirs (unless the person
/// came here to switch, `?choose=1`).
#[component]
pub fn PeoplePage() -> impl IntoView {
    use_title(Msg::FormsTitle);
    let tx = use_tx();
    let people = use_people();
    let navigate = use_navigate();
    let choosing = use_query_map().with_untracked(|query| query.get("choose").is_some());
    Effect::new(move |_| {
        if let Some(Ok(list)) = people.state()
            && let [only] = list.people.as_slice()
            && !choosing
        {
            navigate(
                &person_href(&only.handle),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });
    view! {
        <h1 tabindex="-1">{move || tx.t(Msg::PeopleTitle)}</h1>
        {move || match people.state() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(list)) if list.people.is_empty() => {
                view! { <p>{move || tx.t(Msg::NoPeople)}</p> }.into_any()
            }
            Some(Ok(list)) => view! {
                <p class="lead">{move || tx.t(Msg::PeopleLead)}</p>
                <ul class="record-list">
                    {list.people.into_iter().map(|person| view! { <PersonCard person /> }).collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}

/// One person as a large link: name, whose they are, date of birth, municipality.
#[component]
fn PersonCard(
    /// The person.
    person: PersonEntry,
) -> impl IntoView {
    let tx = use_tx();
    let relation = match person.relation {
        Relation::Own => Msg::RelationSelf,
        Relation::Proxy => Msg::RelationProxy,
    };
    let PersonEntry {
        handle,
        name,
        birth_date,
        municipality,
        ..
    } = person;
    view! {
        <li>
            <a class="record-card" href=person_href(&handle)>
                <span class="record-card__name">{name}</span>
                <span class="record-card__meta">
                    <span class="tag">{move || tx.t(relation)}</span>
                    <span>
                        {move || tx.t(Msg::LabelBirthDate)} " "
                        {move || format_date(tx.lang(), birth_date)}
                    </span>
                    <span>{move || tx.pick(&municipality.name_ja, &municipality.name_en).to_owned()}</span>
                </span>
            </a>
        </li>
    }
}
