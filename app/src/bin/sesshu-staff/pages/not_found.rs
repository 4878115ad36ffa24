use crate::components::PageHeading;
use crate::text::{Msg, use_title, use_tx};
use leptos::prelude::*;

/// Any staff path the app does not know: the ways in.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    use_title(Msg::NotFoundPageTitle);
    let tx = use_tx();
    view! {
        <PageHeading msg=Msg::NotFoundPageTitle />
        <p>{move || tx.t(Msg::NotFoundPageBody)}</p>
        <ul class="link-list">
            <li>
                <a href="/admin/login">{move || tx.t(Msg::AdminLoginLink)}</a>
            </li>
            <li>
                <a href="/clinic/login">{move || tx.t(Msg::ClinicLoginLink)}</a>
            </li>
        </ul>
    }
}
