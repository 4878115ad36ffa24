//! The resident app: its router and the frame around every page.

use crate::components::SiteHeader;
use crate::i18n::{Msg, provide_i18n};
use crate::pages::resident::{
    home::HomePage, not_found::NotFoundPage, record::RecordPage, records::RecordsPage,
};
use crate::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The resident app: skip link, header, and the routes `/`, `/records`, `/records/:id`.
#[component]
pub fn ResidentApp() -> impl IntoView {
    let i18n = provide_i18n();
    provide_session();
    view! {
        <Router>
            // rel="external": the browser, not the router, follows the fragment and moves focus.
            <a class="skip-link" href="#main" rel="external">
                {move || i18n.t(Msg::SkipToContent)}
            </a>
            <SiteHeader />
            <main id="main" class="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/records") view=RecordsPage />
                    <Route path=path!("/records/:id") view=RecordPage />
                </Routes>
            </main>
        </Router>
    }
}

/// Mounts the resident app on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(ResidentApp);
}
