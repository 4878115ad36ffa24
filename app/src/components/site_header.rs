use crate::api;
use crate::components::LanguageSwitch;
use crate::i18n::{Msg, use_i18n};
use crate::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

/// The banner: the service name (a link home), the language switch, and, when logged in, the
/// way to the records, to the questionnaires, to the notices and the logout button.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::logout().await {
                Ok(()) => session.mark_logged_out(),
                // Unsure whether the cookie is gone: let the server say.
                Err(_) => session.refetch(),
            }
            navigate("/", Default::default());
        });
    };
    view! {
        <header class="site-header">
            <div class="site-header__bar">
                <a class="site-header__name" href="/">
                    {move || i18n.t(Msg::ServiceName)}
                </a>
                <LanguageSwitch />
            </div>
            <Show when=move || session.is_logged_in()>
                <nav class="site-header__nav" aria-label=move || i18n.t(Msg::MenuLabel)>
                    <a class="site-header__link" href="/records">
                        {move || i18n.t(Msg::RecordsTitle)}
                    </a>
                    // The questionnaires are another bundle (/forms): the browser loads it.
                    <a class="site-header__link" href="/forms" rel="external">
                        {move || i18n.t(Msg::FillForms)}
                    </a>
                    // So are the notices (/notices): only a link here, to keep the first load small.
                    <a class="site-header__link" href="/notices" rel="external">
                        {move || i18n.t(Msg::Notices)}
                    </a>
                    <button type="button" class="button button--secondary button--small" on:click=logout.clone()>
                        {move || i18n.t(Msg::Logout)}
                    </button>
                </nav>
            </Show>
        </header>
    }
}
