//! The staff app: its router and the frame around every page.

use crate::api::Surface;
use crate::components::focus_main_heading;
use crate::pages::{
    activate::ActivatePage, alerts::AlertsPage, audit::AuditPage, duplicates::DuplicatesPage,
    exports::ExportsPage, home::AdminHomePage, home::ClinicHomePage, imports::ImportsPage,
    login::LoginPage, not_found::NotFoundPage, person_detail::PersonDetailPage,
    person_new::NewPersonPage, persons::PersonsPage, pmh::PmhPage,
    recommendation_rules::RecommendationRulesPage, requests::RequestsPage, review::ReviewPage,
    roles::RolesPage, template_edit::TemplatePage, templates::TemplatesPage, users::UsersPage,
    worklist::WorklistPage,
};
use crate::session::provide_sessions;
use crate::shell::{Shell, StaffHeader};
use crate::text::{Msg, use_tx};
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use sesshu_app::i18n::provide_i18n;

/// The staff app: skip link, header (with the menu once logged in), and the routes of both
/// surfaces. Login and activation are outside the shells, which require a session.
#[component]
pub fn StaffApp() -> impl IntoView {
    provide_i18n();
    provide_sessions();
    let tx = use_tx();
    view! {
        <Router>
            // rel="external": the browser, not the router, follows the fragment and moves focus.
            <a class="skip-link" href="#main" rel="external">
                {move || tx.t(Msg::SkipToContent)}
            </a>
            <StaffHeader />
            <FocusOnNavigation />
            <main id="main" class="main main--staff" tabindex="-1">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/admin/login") view=|| view! { <LoginPage surface=Surface::Admin /> } />
                    <Route path=path!("/admin/activate") view=|| view! { <ActivatePage surface=Surface::Admin /> } />
                    <Route path=path!("/clinic/login") view=|| view! { <LoginPage surface=Surface::Clinic /> } />
                    <Route path=path!("/clinic/activate") view=|| view! { <ActivatePage surface=Surface::Clinic /> } />
                    <ParentRoute path=path!("/admin") view=|| view! { <Shell surface=Surface::Admin /> }>
                        <Route path=path!("") view=AdminHomePage />
                        <Route path=path!("/persons") view=PersonsPage />
                        // Before the parameter route, which would otherwise take "new".
                        <Route path=path!("/persons/new") view=NewPersonPage />
                        <Route path=path!("/persons/:subject_no") view=PersonDetailPage />
                        <Route path=path!("/imports") view=ImportsPage />
                        <Route path=path!("/duplicates") view=DuplicatesPage />
                        <Route path=path!("/pmh") view=PmhPage />
                        <Route path=path!("/exports") view=ExportsPage />
                        <Route path=path!("/worklist") view=WorklistPage />
                        <Route path=path!("/recommendation-rules") view=RecommendationRulesPage />
                        <Route path=path!("/users") view=UsersPage />
                        <Route path=path!("/requests") view=RequestsPage />
                        <Route path=path!("/roles") view=RolesPage />
                        <Route path=path!("/audit") view=AuditPage />
                        <Route path=path!("/alerts") view=AlertsPage />
                        <Route path=path!("/review") view=ReviewPage />
                        <Route path=path!("/templates") view=TemplatesPage />
                        <Route path=path!("/templates/:setting") view=TemplatePage />
                    </ParentRoute>
                    <ParentRoute path=path!("/clinic") view=|| view! { <Shell surface=Surface::Clinic /> }>
                        <Route path=path!("") view=ClinicHomePage />
                    </ParentRoute>
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
