use crate::i18n::{Msg, use_i18n, use_page_title};
use leptos::prelude::*;

/// Any path the app does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    use_page_title(Msg::NotFoundTitle);
    let i18n = use_i18n();
    view! {
        <h1>{move || i18n.t(Msg::NotFoundTitle)}</h1>
        <p>{move || i18n.t(Msg::NotFoundBody)}</p>
        <div class="actions">
            <a class="button button--secondary button--block" href="/">
                {move || i18n.t(Msg::BackHome)}
            </a>
        </div>
    }
}
