use crate::api::LOGIN_URL;
use crate::i18n::{Msg, use_i18n};
use leptos::prelude::*;

/// The "log in with Mynaportal" action: a link (it navigates), styled as the page's primary
/// button. `rel="external"` makes the router let the browser do a full-page navigation, which
/// the backend answers with a redirect to Mynaportal.
#[component]
pub fn LoginLink() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="button button--primary button--block" href=LOGIN_URL rel="external">
            {move || i18n.t(Msg::Login)}
        </a>
    }
}
