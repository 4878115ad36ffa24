use leptos::prelude::*;

use crate::text::{Msg, use_title, use_tx};

/// Any other address under `/forms`.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    use_title(Msg::ErrNotFoundTitle);
    let tx = use_tx();
    view! {
        <h1 tabindex="-1">{move || tx.t(Msg::ErrNotFoundTitle)}</h1>
        <p>{move || tx.t(Msg::ErrNotFoundBody)}</p>
        <div class="actions">
            <a class="button button--primary button--block" href="/forms">
                {move || tx.t(Msg::BackToList)}
            </a>
        </div>
    }
}
