//! Building blocks of the forms pages: the header, the banner naming whose forms these are,
//! explained errors, status tags and focus management.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::api::{self as app_api, encode_path_segment};
use sesshu_app::components::{LanguageSwitch, LoginLink};
use sesshu_domain::questionnaire_api::{Relation, ResponseStatus};
use wasm_bindgen::JsCast;

use crate::api::FormsError;
use crate::people::use_people;
use crate::text::{Msg, person_forms, status_label, use_tx};

/// `/forms/{person}`: a person's questionnaires.
pub fn person_href(handle: &str) -> String {
    format!("/forms/{}", encode_path_segment(handle))
}

/// `/forms/{person}/{id}`: one response.
pub fn response_href(handle: &str, id: &str) -> String {
    format!("{}/{}", person_href(handle), encode_path_segment(id))
}

/// The banner: the service name (the resident app's home), the UI language switch and, when
/// logged in, the way to the records, to the questionnaires and out. The resident app's pages
/// are another bundle, so links to them leave this router (`rel="external"`).
#[component]
pub fn FormsHeader() -> impl IntoView {
    let tx = use_tx();
    let people = use_people();
    let logout = move |_| {
        spawn_local(async move {
            // Whatever the answer, the home page asks the server again who is logged in.
            let _ = app_api::logout().await;
            let _ = window().location().set_href("/");
        });
    };
    view! {
        <header class="site-header">
            <div class="site-header__bar">
                <a class="site-header__name" href="/" rel="external">
                    {move || tx.t(Msg::ServiceName)}
                </a>
                <LanguageSwitch />
            </div>
            <Show when=move || people.logged_in()>
                <nav class="site-header__nav" aria-label=move || tx.t(Msg::MenuLabel)>
                    <a class="site-header__link" href="/records" rel="external">
                        {move || tx.t(Msg::NavRecords)}
                    </a>
                    <a class="site-header__link" href="/forms">
                        {move || tx.t(Msg::NavForms)}
                    </a>
                    <a class="site-header__link" href="/notices">
                        {move || tx.t(Msg::NavNotices)}
                    </a>
                    <button type="button" class="button button--secondary button--small" on:click=logout>
                        {move || tx.t(Msg::Logout)}
                    </button>
                </nav>
            </Show>
        </header>
    }
}

/// "〇〇さんの予診票" over every page of a person, with the way to switch to someone else when
/// the resident may fill in for more than one person.
#[component]
pub fn PersonBanner(
    /// The person's session handle.
    handle: String,
) -> impl IntoView {
    let tx = use_tx();
    let people = use_people();
    move || {
        let person = people.find(&handle)?.ok()??;
        let many = people.count() > 1;
        let relation = match person.relation {
            Relation::Own => Msg::RelationSelf,
            Relation::Proxy => Msg::RelationProxy,
        };
        let name = person.name.clone();
        Some(view! {
            <section class="qn-person" aria-label=move || tx.t(Msg::PersonRegion)>
                <p class="qn-person__name">{move || person_forms(tx.lang(), &name)}</p>
                <p class="qn-person__relation">{move || tx.t(relation)}</p>
                {many.then(|| view! {
                    <a class="qn-person__switch" href="/forms?choose=1">
                        {move || tx.t(Msg::SwitchPerson)}
                    </a>
                })}
            </section>
        })
    }
}

/// A response's status as a tag.
#[component]
pub fn StatusTag(
    /// The status.
    status: ResponseStatus,
) -> impl IntoView {
    let tx = use_tx();
    let modifier = match status {
        ResponseStatus::Draft => "tag--draft",
        ResponseStatus::Submitted => "tag--submitted",
        ResponseStatus::Used => "tag--used",
        ResponseStatus::Withdrawn | ResponseStatus::Expired => "tag--closed",
    };
    view! { <span class=format!("tag {modifier}")>{move || tx.t(status_label(status))}</span> }
}

/// A failed request explained: what happened and the way on (log in, reload, the list).
#[component]
pub fn ErrorNotice(
    /// What went wrong.
    error: FormsError,
) -> impl IntoView {
    let tx = use_tx();
    let (title, body) = match &error {
        FormsError::Unauthenticated => (Msg::ErrUnauthenticatedTitle, Msg::ErrUnauthenticatedBody),
        FormsError::NotFound => (Msg::ErrNotFoundTitle, Msg::ErrNotFoundBody),
        FormsError::Network => (Msg::ErrNetworkTitle, Msg::ErrNetworkBody),
        FormsError::Conflict(code) if code == "not_fillable" => {
            (Msg::ErrClosedTitle, Msg::ErrNotFillableBody)
        }
        FormsError::Conflict(_) => (Msg::ErrClosedTitle, Msg::ErrClosedBody),
        FormsError::Invalid(_) | FormsError::Server(_) => (Msg::ErrServerTitle, Msg::ErrServerBody),
    };
    let code = match &error {
        FormsError::Server(api) => Some(api.code.clone()),
        FormsError::Conflict(code) => Some(code.clone()),
        _ => None,
    };
    let action = match error {
        FormsError::Unauthenticated => view! { <LoginLink /> }.into_any(),
        FormsError::NotFound => view! {
            <a class="button button--secondary button--block" href="/forms">
                {move || tx.t(Msg::BackToList)}
            </a>
        }
        .into_any(),
        _ => view! {
            <button type="button" class="button button--primary button--block" on:click=|_| reload()>
                {move || tx.t(Msg::Reload)}
            </button>
        }
        .into_any(),
    };
    view! {
        <section class="notice notice--error" role="alert">
            <h2 class="notice__title">{move || tx.t(title)}</h2>
            <p>{move || tx.t(body)}</p>
            {code.map(|code| view! {
                <p class="notice__code">{move || tx.t(Msg::ErrorCode)} ": " {code.clone()}</p>
            })}
            <div class="actions">{action}</div>
        </section>
    }
}

/// Loads the page again from the server.
pub fn reload() {
    // If even reloading fails there is nothing better to offer than the button staying there.
    let _ = window().location().reload();
}

/// Moves focus to the page's main heading (or `<main>`), as a page load would put a screen
/// reader at the top: after client-side navigation and after a step of a form (WCAG 2.4.3).
pub fn focus_main_heading() {
    let document = document();
    let target = document
        .query_selector("#main h1")
        .ok()
        .flatten()
        .or_else(|| document.get_element_by_id("main"));
    focus_element(target);
}

/// Moves focus to the element with `id`, if there is one.
pub fn focus_by_id(id: &str) {
    focus_element(document().get_element_by_id(id));
}

fn focus_element(element: Option<web_sys::Element>) {
    if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        // Fails only on detached elements; nothing better to focus then.
        let _ = element.focus();
    }
}
