use crate::api::{self, ErrorKind, StaffError, Surface};
use crate::components::{
    ErrorSlot, FieldErrors, LiveStatus, PageHeading, TextField, field_error, focus_first_error,
    focus_when_mounted,
};
use crate::session::{LoggedOutBecause, SessionState, use_sessions};
use crate::text::{Msg, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use sesshu_domain::id::MunicipalityCode;
use sesshu_domain::staff::{PasswordLogin, SecondFactor};
use std::time::Duration;

/// Where the last municipality code typed in is kept, so a shared office PC does not ask for it
/// every time (it is not secret: it names the municipality).
const MUNICIPALITY_KEY: &str = "sesshu.staff.municipality";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    Code,
}

/// `/admin/login`, `/clinic/login`: municipality code, user id and password, then a TOTP or
/// recovery code; on success the surface's home page.
#[component]
pub fn LoginPage(
    /// Which surface to log in to.
    surface: Surface,
) -> impl IntoView {
    let title = match surface {
        Surface::Admin => Msg::LoginTitleAdmin,
        Surface::Clinic => Msg::LoginTitleClinic,
    };
    use_title(title);
    let tx = use_tx();
    let sessions = use_sessions();
    let navigate = use_navigate();
    let step = RwSignal::new(Step::Password);
    let municipality = RwSignal::new(stored_municipality());
    let user_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let notice = RwSignal::new(arrival_notice(sessions.state_untracked(surface)));

    let submit_password = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || blocked.get_untracked() {
            return;
        }
        let body = PasswordLogin {
            municipality_code: municipality.get_untracked().trim().to_owned(),
            user_id: user_id.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let problems = password_step_problems(&body);
        if !problems.is_empty() {
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        error.set(None);
        notice.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::login(surface, &body).await;
            pending.set(false);
            password.set(String::new());
            match result {
                Ok(()) => {
                    remember_municipality(&body.municipality_code);
                    step.set(Step::Code);
                }
                Err(failure) => {
                    pause_if_delayed(&failure, blocked);
                    error.set(Some(failure));
                }
            }
        });
    };

    let submit_code = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || blocked.get_untracked() {
            return;
        }
        let value = code.get_untracked().trim().to_owned();
        if value.is_empty() {
            let problems = vec![("login-code", Msg::EmptyCode)];
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        error.set(None);
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::second_factor(surface, &SecondFactor { code: value }).await;
            pending.set(false);
            code.set(String::new());
            match result {
                Ok(session) => {
                    sessions.logged_in(surface, session);
                    navigate(surface.home(), NavigateOptions::default());
                }
                // The 5-minute pending login is gone: the password step must be done again.
                Err(failure) if failure.kind() == ErrorKind::SessionGone => {
                    step.set(Step::Password);
                    notice.set(Some(Msg::LoginExpired));
                }
                Err(failure) => {
                    pause_if_delayed(&failure, blocked);
                    error.set(Some(failure));
                }
            }
        });
    };

    let start_over = move |_| {
        code.set(String::new());
        error.set(None);
        errors.set(Vec::new());
        step.set(Step::Password);
    };

    view! {
        <PageHeading msg=title />
        <LiveStatus message=notice />
        {move || match step.get() {
            Step::Password => view! {
                <p class="lead">{move || tx.t(Msg::LoginLead)}</p>
                <ErrorSlot error />
                <form class="form form--narrow" novalidate on:submit=submit_password>
                    <TextField
                        id="login-municipality"
                        label=Msg::LabelMunicipalityCode
                        value=municipality
                        inputmode="numeric"
                        autocomplete="off"
                        hint=Msg::HintMunicipalityCode
                        required=true
                        error=field_error(errors, "login-municipality")
                    />
                    <TextField
                        id="login-user"
                        label=Msg::LabelUserId
                        value=user_id
                        autocomplete="username"
                        required=true
                        error=field_error(errors, "login-user")
                    />
                    <TextField
                        id="login-password"
                        label=Msg::LabelPassword
                        value=password
                        kind="password"
                        autocomplete="current-password"
                        required=true
                        error=field_error(errors, "login-password")
                    />
                    <div class="button-row">
                        <button
                            type="submit"
                            class="button button--primary"
                            disabled=move || pending.get() || blocked.get()
                        >
                            {move || tx.t(if pending.get() { Msg::Working } else { Msg::LoginNext })}
                        </button>
                    </div>
                </form>
                <section class="aside" aria-labelledby="first-time">
                    <h2 id="first-time">{move || tx.t(Msg::FirstTimeQuestion)}</h2>
                    <p>
                        <a href=surface.activate_path()>{move || tx.t(Msg::FirstTimeLink)}</a>
                    </p>
                </section>
            }
            .into_any(),
            Step::Code => view! {
                <CodeStep submit_code=submit_code.clone() start_over pending blocked error errors code />
            }
            .into_any(),
        }}
    }
}

/// Step 2 of the login: the TOTP or recovery code.
#[component]
fn CodeStep<S, R>(
    /// Submits the code.
    submit_code: S,
    /// Goes back to the password step.
    start_over: R,
    /// A request is under way.
    pending: RwSignal<bool>,
    /// Login is paused after repeated failures.
    blocked: RwSignal<bool>,
    /// The last failure.
    error: RwSignal<Option<StaffError>>,
    /// Field problems.
    errors: FieldErrors,
    /// The code typed in.
    code: RwSignal<String>,
) -> impl IntoView
where
    S: FnMut(SubmitEvent) + 'static,
    R: FnMut(leptos::ev::MouseEvent) + 'static,
{
    let tx = use_tx();
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    view! {
        <h2 tabindex="-1" node_ref=heading>{move || tx.t(Msg::StepCodeTitle)}</h2>
        <p>{move || tx.t(Msg::StepCodeLead)}</p>
        <ErrorSlot error login_failed=Msg::ErrCodeBody />
        <form class="form form--narrow" novalidate on:submit=submit_code>
            <TextField
                id="login-code"
                label=Msg::LabelCode
                value=code
                autocomplete="one-time-code"
                hint=Msg::HintCode
                required=true
                error=field_error(errors, "login-code")
            />
            <div class="button-row">
                <button type="submit" class="button button--primary" disabled=move || pending.get() || blocked.get()>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::LoginSubmit })}
                </button>
                <button type="button" class="button button--secondary" on:click=start_over>
                    {move || tx.t(Msg::StartOver)}
                </button>
            </div>
        </form>
    }
}

/// What the first step checks before asking the server.
fn password_step_problems(body: &PasswordLogin) -> Vec<(&'static str, Msg)> {
    let mut problems = Vec::new();
    if MunicipalityCode::parse(&body.municipality_code).is_err() {
        problems.push(("login-municipality", Msg::InvalidMunicipalityCode));
    }
    if body.user_id.is_empty() {
        problems.push(("login-user", Msg::EmptyUserId));
    }
    if body.password.is_empty() {
        problems.push(("login-password", Msg::EmptyPassword));
    }
    problems
}

/// Why the person is on the login page, when they were logged in before.
fn arrival_notice(state: SessionState) -> Option<Msg> {
    match state {
        SessionState::LoggedOut { why } => match why {
            LoggedOutBecause::NoSession => None,
            LoggedOutBecause::Ended => Some(Msg::ErrSessionBody),
            LoggedOutBecause::LoggedOut => Some(Msg::LoggedOutNotice),
            LoggedOutBecause::LoggedOutEverywhere => Some(Msg::LoggedOutEverywhereNotice),
        },
        _ => None,
    }
}

/// After a 429, keeps the submit buttons disabled for the `Retry-After` the server sent.
pub fn pause_if_delayed(failure: &StaffError, blocked: RwSignal<bool>) {
    if failure.kind() == ErrorKind::Delayed
        && let Some(seconds) = failure.retry_after_s()
    {
        blocked.set(true);
        set_timeout(move || blocked.set(false), Duration::from_secs(seconds));
    }
}

fn stored_municipality() -> String {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(MUNICIPALITY_KEY).ok().flatten())
        .unwrap_or_default()
}

fn remember_municipality(code: &str) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        // Private browsing may refuse storage; the code is then asked again next time.
        let _ = storage.set_item(MUNICIPALITY_KEY, code);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn login(code: &str, user: &str, password: &str) -> PasswordLogin {
        PasswordLogin {
            municipality_code: code.to_owned(),
            user_id: user.to_owned(),
            password: password.to_owned(),
        }
    }

    #[test]
    fn the_password_step_checks_the_municipality_check_digit_and_empty_fields() {
        assert!(password_step_problems(&login("131016", "tanaka", "secret")).is_empty());
        let problems = password_step_problems(&login("131017", "", ""));
        let ids: Vec<_> = problems.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, ["login-municipality", "login-user", "login-password"]);
    }

    #[test]
    fn the_login_page_says_why_the_person_is_back() {
        let out = |why| SessionState::LoggedOut { why };
        assert_eq!(arrival_notice(out(LoggedOutBecause::NoSession)), None);
        assert_eq!(
            arrival_notice(out(LoggedOutBecause::Ended)),
            Some(Msg::ErrSessionBody)
        );
        assert_eq!(
            arrival_notice(out(LoggedOutBecause::LoggedOutEverywhere)),
            Some(Msg::LoggedOutEverywhereNotice)
        );
        assert_eq!(arrival_notice(SessionState::Unknown), None);
    }
}
