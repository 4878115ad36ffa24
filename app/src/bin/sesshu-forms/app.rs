//! The forms app: its router and the frame around every page.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use sesshu_app::i18n::provide_i18n;

use crate::components::{FormsHeader, focus_main_heading};
use crate::pages::{
    form::FormPage, not_found::NotFoundPage, notices::NoticesPage, people::PeoplePage,
    person::PersonPage, print::PrintPage,
};
use crate::people::provide_people;
use crate::text::{Msg, use_tx};

/// The forms app: skip link, header, and the routes `/forms` (whose forms), `/forms/:person`
/// (their questionnaires, vaccinations due and notices), `/forms/:person/:id` (one form),
/// `/forms/:person/:id/print` and `/notices` (everyone's notices).
#[component]
pub fn FormsApp() -> impl IntoView {
    provide_i18n();
    provide_people();
    let tx = use_tx();
    view! {
        <Router>
            // rel="external": the browser, not the router, follows the fragment and moves focus.
            <a class="skip-link" href="#main" rel="external">
                {move || tx.t(Msg::SkipToContent)}
            </a>
            <FormsHeader />
            <FocusOnNavigation />
            <main id="main" class="main main--forms" tabindex="-1">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/forms") view=PeoplePage />
                    <Route path=path!("/forms/:person") view=PersonPage />
                    <Route path=path!("/forms/:person/:id") view=FormPage />
                    <Route path=path!("/forms/:person/:id/print") view=PrintPage />
                    <Route path=path!("/notices") view=NoticesPage />
                </Routes>
            </main>
        </Router>
    }
}

/// After each client-side navigation (not the first load), moves focus to the new page's
/// heading, as a full page load would put screen readers at the top of the new page.
#[component]
fn FocusOnNavigation() -> impl IntoView {
    let pathname = use_location().pathname;
    Effect::new(move |previous: Option<String>| {
        let path = pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            // After the frame, so the new page's heading is in the document.
            request_animation_frame(focus_main_heading);
        }
        path
    });
}
