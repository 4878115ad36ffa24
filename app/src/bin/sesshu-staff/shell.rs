//! The frame of the logged-in staff pages: the header with who is logged in, the menu of the
//! pages their role allows, and the shell that lets a surface's pages show only with a session.

use crate::api::{self, ErrorKind, StaffError, Surface};
use crate::components::{ErrorNotice, PageHeading};
use crate::session::{CurrentStaff, LoggedOutBecause, SessionState, allows, use_sessions};
use crate::text::{Msg, format_session_end, local_clock, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};
use sesshu_app::components::{LanguageSwitch, Loading};
use sesshu_domain::staff::{Permission, StaffSession};

/// The admin pages, with the permissions of which one opens each (none: any staff user). The
/// menu and the pages' own checks both read this, so they cannot disagree.
pub const ADMIN_PAGES: [(&str, Msg, &[Permission]); 14] = [
    ("/admin/persons", Msg::NavPersons, PERSONS),
    ("/admin/worklist", Msg::NavWorklist, PERSONS),
    (
        "/admin/recommendation-rules",
        Msg::NavRecoRules,
        RECOMMENDATIONS,
    ),
    ("/admin/imports", Msg::NavImports, IMPORTS),
    ("/admin/duplicates", Msg::NavDuplicates, PERSONS),
    ("/admin/pmh", Msg::NavPmh, PERSONS),
    ("/admin/exports", Msg::NavExports, EXPORTS),
    ("/admin/templates", Msg::NavTemplates, TEMPLATES),
    ("/admin/users", Msg::NavUsers, USERS),
    ("/admin/requests", Msg::NavRequests, REQUESTS),
    ("/admin/roles", Msg::NavRoles, ROLES),
    ("/admin/audit", Msg::NavAudit, AUDIT),
    ("/admin/alerts", Msg::NavAlerts, ALERTS),
    ("/admin/review", Msg::NavReview, REVIEW),
];

/// Search, detail, duplicates and PMH status; changing them needs [`EDIT_PERSONS`] too.
pub const PERSONS: &[Permission] = &[Permission::ViewPersons];
pub const EDIT_PERSONS: &[Permission] = &[Permission::EditPersons];
pub const IMPORTS: &[Permission] = &[Permission::Import];
pub const EXPORTS: &[Permission] = &[Permission::Export];
pub const TEMPLATES: &[Permission] = &[Permission::ManageTemplates];
/// 接種勧奨ルール: the rules, their preview and the job's runs.
pub const RECOMMENDATIONS: &[Permission] = &[Permission::ManageRecommendations];
pub const USERS: &[Permission] = &[Permission::ManageUsers];
/// Anyone may request an account; only `manage_users` decides.
pub const REQUESTS: &[Permission] = &[];
pub const ROLES: &[Permission] = &[Permission::ManageUsers];
pub const AUDIT: &[Permission] = &[Permission::ViewAuditLog];
pub const ALERTS: &[Permission] = &[Permission::ManageUsers, Permission::ViewAuditLog];
pub const REVIEW: &[Permission] = &[Permission::ManageUsers];

/// The banner: the service name, the language switch and, when logged in on this surface, who
/// is logged in, until when, the logout buttons and the menu.
#[component]
pub fn StaffHeader() -> impl IntoView {
    let tx = use_tx();
    let sessions = use_sessions();
    let location = use_location();
    let surface = Memo::new(move |_| Surface::of_path(&location.pathname.get()));
    view! {
        <header class="site-header staff-header">
            <div class="staff-header__bar">
                <a class="site-header__name" href=move || surface.get().home()>
                    {move || tx.t(Msg::ServiceName)}
                    <span class="staff-header__surface">
                        {move || tx.t(match surface.get() {
                            Surface::Admin => Msg::SurfaceAdmin,
                            Surface::Clinic => Msg::SurfaceClinic,
                        })}
                    </span>
                </a>
                <LanguageSwitch />
            </div>
            {move || {
                let surface = surface.get();
                sessions.current(surface).map(|(session, at_ms)| view! {
                    <UserPanel surface session=session.clone() at_ms />
                    <StaffNav surface session />
                })
            }}
        </header>
    }
}

/// Who is logged in (name, role, institution, municipality), until when, and the logouts.
#[component]
fn UserPanel(
    /// The surface the session belongs to.
    surface: Surface,
    /// The session.
    session: StaffSession,
    /// When the server reported it (ms since the epoch).
    at_ms: f64,
) -> impl IntoView {
    let tx = use_tx();
    let sessions = use_sessions();
    let navigate = use_navigate();
    let failed = RwSignal::new(false);
    let end = move |everywhere: bool| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = if everywhere {
                api::logout_everywhere(surface).await
            } else {
                api::logout(surface).await
            };
            let why = match result {
                Ok(()) if everywhere => LoggedOutBecause::LoggedOutEverywhere,
                Ok(()) => LoggedOutBecause::LoggedOut,
                Err(error) if error.kind() == ErrorKind::SessionGone => LoggedOutBecause::Ended,
                Err(_) => {
                    failed.set(true);
                    return;
                }
            };
            sessions.logged_out(surface, why);
            navigate(surface.login_path(), NavigateOptions::default());
        });
    };
    let end_everywhere = end.clone();
    let StaffSession {
        name,
        role_name_ja,
        role_name_en,
        institution_name,
        municipality,
        idle_expires_in_s,
        absolute_expires_in_s,
        ..
    } = session;
    let ends_at = local_clock(at_ms + absolute_expires_in_s as f64 * 1000.0);
    view! {
        <div class="staff-user" role="group" aria-label=move || tx.t(Msg::LoggedInAs)>
            <dl class="staff-user__facts">
                <div>
                    <dt>{move || tx.t(Msg::LabelName)}</dt>
                    <dd>{name}</dd>
                </div>
                <div>
                    <dt>{move || tx.t(Msg::LabelRole)}</dt>
                    <dd>{move || tx.pick(&role_name_ja, &role_name_en).to_owned()}</dd>
                </div>
                <div>
                    <dt>{move || tx.t(Msg::LabelInstitution)}</dt>
                    <dd>{institution_name}</dd>
                </div>
                <div>
                    <dt>{move || tx.t(Msg::LabelMunicipality)}</dt>
                    <dd>{move || tx.pick(&municipality.name_ja, &municipality.name_en).to_owned()}</dd>
                </div>
                <div>
                    <dt>{move || tx.t(Msg::LabelSessionEnds)}</dt>
                    <dd>{move || format_session_end(tx.lang(), &ends_at, idle_expires_in_s)}</dd>
                </div>
            </dl>
            <div class="staff-user__actions">
                <button type="button" class="button button--secondary button--small" on:click=move |_| end(false)>
                    {move || tx.t(Msg::Logout)}
                </button>
                <button type="button" class="button button--secondary button--small" on:click=move |_| end_everywhere(true)>
                    {move || tx.t(Msg::LogoutEverywhere)}
                </button>
            </div>
            <Show when=move || failed.get()>
                <p class="field__error" role="alert">{move || tx.t(Msg::LogoutFailed)}</p>
            </Show>
        </div>
    }
}

/// The menu: only the pages the session's role allows.
#[component]
fn StaffNav(
    /// The surface whose pages to list.
    surface: Surface,
    /// The session, for its permissions.
    session: StaffSession,
) -> impl IntoView {
    let tx = use_tx();
    let pages: Vec<(&'static str, Msg)> = match surface {
        Surface::Admin => ADMIN_PAGES
            .iter()
            .filter(|(_, _, needs)| allows(&session, needs))
            .map(|(href, msg, _)| (*href, *msg))
            .collect(),
        Surface::Clinic => Vec::new(),
    };
    view! {
        <nav class="staff-nav" aria-label=move || tx.t(Msg::MainMenu)>
            <ul class="staff-nav__list">
                <li>
                    <A href=surface.home() exact=true>
                        {move || tx.t(Msg::NavHome)}
                    </A>
                </li>
                {pages
                    .into_iter()
                    .map(|(href, msg)| view! {
                        <li>
                            <A href=href>{move || tx.t(msg)}</A>
                        </li>
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// Where a surface's session stands, as the shell needs it.
#[derive(Debug, Clone, PartialEq)]
enum Gate {
    Checking,
    In,
    Out,
    Failed(StaffError),
}

/// The parent of a surface's pages: asks for the session, shows the page only with one, and
/// sends the person to the login page without one.
#[component]
pub fn Shell(
    /// The surface whose pages these are.
    surface: Surface,
) -> impl IntoView {
    let tx = use_tx();
    let sessions = use_sessions();
    provide_context(CurrentStaff::new(surface, sessions));
    sessions.ensure_loaded(surface);
    let gate = Memo::new(move |_| match sessions.state(surface) {
        SessionState::Unknown | SessionState::Checking => Gate::Checking,
        SessionState::LoggedIn { .. } => Gate::In,
        SessionState::LoggedOut { .. } => Gate::Out,
        SessionState::Failed(error) => Gate::Failed(error),
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if gate.get() == Gate::Out {
            navigate(
                surface.login_path(),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });
    move || {
        match gate.get() {
        Gate::In => view! { <Outlet /> }.into_any(),
        Gate::Checking => view! {
            <PageHeading msg=Msg::CheckingSession />
            <Loading />
        }
        .into_any(),
        Gate::Out => view! {
            <PageHeading msg=Msg::CheckingSession />
            <p>
                {move || tx.t(Msg::RedirectingToLogin)} " "
                <a href=surface.login_path()>{move || tx.t(Msg::GoToLogin)}</a>
            </p>
        }
        .into_any(),
        Gate::Failed(error) => view! {
            <PageHeading msg=Msg::CheckingSession />
            <ErrorNotice error />
            <div class="button-row">
                <button type="button" class="button button--primary" on:click=move |_| sessions.reload(surface)>
                    {move || tx.t(Msg::Reload)}
                </button>
            </div>
        }
        .into_any(),
    }
    }
}
