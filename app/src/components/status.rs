use crate::api::FetchError;
use crate::components::LoginLink;
use crate::i18n::{Msg, use_i18n};
use leptos::prelude::*;

/// Shown while data loads. A live region, so screen readers hear that something is happening.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="loading" role="status">
            {move || i18n.t(Msg::Loading)}
        </p>
    }
}

/// A failed request explained: what happened and what the person can do about it, with the
/// action itself (log in again, reload).
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    error: FetchError,
) -> impl IntoView {
    let i18n = use_i18n();
    let (title, body) = match &error {
        FetchError::Unauthenticated => (Msg::ErrUnauthenticatedTitle, Msg::ErrUnauthenticatedBody),
        FetchError::NotFound => (Msg::ErrNotFoundTitle, Msg::ErrNotFoundBody),
        FetchError::Network => (Msg::ErrNetworkTitle, Msg::ErrNetworkBody),
        FetchError::Server(_) => (Msg::ErrServerTitle, Msg::ErrServerBody),
    };
    let code = match &error {
        FetchError::Server(api_error) => Some(api_error.code.clone()),
        _ => None,
    };
    let action = match error {
        FetchError::Unauthenticated => Some(view! { <LoginLink /> }.into_any()),
        // Only a record page gets a 404, and it always offers the way back to the list itself.
        FetchError::NotFound => None,
        FetchError::Network | FetchError::Server(_) => Some(view! {
            <button type="button" class="button button--primary button--block" on:click=|_| reload()>
                {move || i18n.t(Msg::Reload)}
            </button>
        }
        .into_any()),
    };
    view! {
        <section class="notice notice--error" role="alert">
            <h2 class="notice__title">{move || i18n.t(title)}</h2>
            <p>{move || i18n.t(body)}</p>
            {code.map(|code| view! {
                <p class="notice__code">{move || i18n.t(Msg::ErrorCode)} ": " {code.clone()}</p>
            })}
            {action.map(|action| view! { <div class="actions">{action}</div> })}
        </section>
    }
}

fn reload() {
    // If even reloading fails there is nothing better to offer than the button staying there.
    let _ = window().location().reload();
}
