use crate::api::{self, ErrorKind, StaffError, Surface};
use crate::components::{
    CopyButton, ErrorSlot, FieldErrors, LiveStatus, PageHeading, TextField, field_error,
    focus_first_error, focus_when_mounted,
};
use crate::text::{Msg, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_domain::id::MunicipalityCode;
use sesshu_domain::staff::{Activation, Enrollment, SecondFactor};

/// The password limits of the contract (NIST SP 800-63B); the server also refuses common and
/// breached passwords, which only it can know.
const PASSWORD_MIN_CHARS: usize = 12;
const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Form,
    Enroll(Enrollment),
    Recovery(Vec<String>),
    Done,
}

/// `/admin/activate`, `/clinic/activate`: first use of an issued account. Activation code and
/// new password, then the authenticator app (QR code or key) and its first code, then the
/// recovery codes (shown once), then the way to the login page.
#[component]
pub fn ActivatePage(
    /// Which surface the account belongs to.
    surface: Surface,
) -> impl IntoView {
    let title = match surface {
        Surface::Admin => Msg::ActivateTitleAdmin,
        Surface::Clinic => Msg::ActivateTitleClinic,
    };
    use_title(title);
    let step = RwSignal::new(Step::Form);
    let notice = RwSignal::new(None::<Msg>);
    view! {
        <PageHeading msg=title />
        <LiveStatus message=notice />
        {move || match step.get() {
            Step::Form => view! { <ActivationForm surface step notice /> }.into_any(),
            Step::Enroll(enrollment) => {
                view! { <EnrollStep surface enrollment step notice /> }.into_any()
            }
            Step::Recovery(codes) => view! { <RecoveryStep codes step /> }.into_any(),
            Step::Done => view! { <DoneStep surface /> }.into_any(),
        }}
    }
}

/// "Step n of 4" above each step's heading.
#[component]
fn StepCounter(
    /// This step's number.
    n: u8,
) -> impl IntoView {
    let tx = use_tx();
    view! { <p class="eyebrow">{move || format!("{} {n} / 4", tx.t(Msg::StepOf))}</p> }
}

/// Step 1: municipality, user id, activation code and the new password, with its rules.
#[component]
fn ActivationForm(
    /// The surface of the account.
    surface: Surface,
    /// Moves on to the next step.
    step: RwSignal<Step>,
    /// A notice above the form (e.g. the enrollment expired).
    notice: RwSignal<Option<Msg>>,
) -> impl IntoView {
    let tx = use_tx();
    let municipality = RwSignal::new(String::new());
    let user_id = RwSignal::new(String::new());
    let activation_code = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let body = Activation {
            municipality_code: municipality.get_untracked().trim().to_owned(),
            user_id: user_id.get_untracked().trim().to_owned(),
            activation_code: activation_code.get_untracked().trim().to_owned(),
            new_password: new_password.get_untracked(),
        };
        let problems = activation_problems(&body, &confirm.get_untracked());
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
            let result = api::activate(surface, &body).await;
            pending.set(false);
            match result {
                Ok(enrollment) => {
                    new_password.set(String::new());
                    confirm.set(String::new());
                    step.set(Step::Enroll(enrollment));
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <StepCounter n=1 />
        <p class="lead">{move || tx.t(Msg::ActivateLead)}</p>
        <ErrorSlot error />
        <form class="form form--narrow" novalidate on:submit=submit>
            <TextField
                id="act-municipality"
                label=Msg::LabelMunicipalityCode
                value=municipality
                inputmode="numeric"
                autocomplete="off"
                hint=Msg::HintMunicipalityCode
                required=true
                error=field_error(errors, "act-municipality")
            />
            <TextField
                id="act-user"
                label=Msg::LabelUserId
                value=user_id
                autocomplete="username"
                required=true
                error=field_error(errors, "act-user")
            />
            <TextField
                id="act-code"
                label=Msg::LabelActivationCode
                value=activation_code
                autocomplete="off"
                hint=Msg::HintActivationCode
                required=true
                error=field_error(errors, "act-code")
            />
            <div class="rules" id="password-rules">
                <p class="rules__title">{move || tx.t(Msg::PasswordRulesTitle)}</p>
                <ul>
                    <li>{move || tx.t(Msg::PasswordRuleLength)}</li>
                    <li>{move || tx.t(Msg::PasswordRuleCommon)}</li>
                    <li>{move || tx.t(Msg::PasswordRuleUserId)}</li>
                </ul>
            </div>
            <TextField
                id="act-password"
                label=Msg::LabelNewPassword
                value=new_password
                kind="password"
                autocomplete="new-password"
                required=true
                error=field_error(errors, "act-password")
                extra_described_by="password-rules"
            />
            <TextField
                id="act-confirm"
                label=Msg::LabelConfirmPassword
                value=confirm
                kind="password"
                autocomplete="new-password"
                required=true
                error=field_error(errors, "act-confirm")
            />
            <div class="button-row">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::ActivateSubmit })}
                </button>
            </div>
        </form>
    }
}

/// Step 2: the QR code (as an image, never as markup), the key to type in, and the first code.
#[component]
fn EnrollStep(
    /// The surface of the account.
    surface: Surface,
    /// The secret to enroll.
    enrollment: Enrollment,
    /// Moves on to the next step.
    step: RwSignal<Step>,
    /// A notice for the first step, if this one expires.
    notice: RwSignal<Option<Msg>>,
) -> impl IntoView {
    let tx = use_tx();
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let value = code.get_untracked().trim().to_owned();
        if value.is_empty() {
            let problems = vec![("enroll-code", Msg::EmptyCode)];
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::confirm_enrollment(surface, &SecondFactor { code: value }).await;
            pending.set(false);
            code.set(String::new());
            match result {
                Ok(recovery) => step.set(Step::Recovery(recovery.codes)),
                // The pending enrollment is gone: start from the activation code again.
                Err(failure) if failure.kind() == ErrorKind::SessionGone => {
                    notice.set(Some(Msg::ActivationExpired));
                    step.set(Step::Form);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let Enrollment {
        secret,
        otpauth_uri,
        qr_svg,
    } = enrollment;
    let qr = svg_data_uri(&qr_svg);
    let grouped = group_by_four(&secret);
    view! {
        <StepCounter n=2 />
        <h2 tabindex="-1" node_ref=heading>{move || tx.t(Msg::EnrollTitle)}</h2>
        <p>{move || tx.t(Msg::EnrollLead)}</p>
        <div class="enroll">
            <img class="enroll__qr" src=qr alt=move || tx.t(Msg::QrAlt) width="200" height="200" />
            <div class="enroll__key">
                <dl class="facts">
                    <div class="facts__row facts__row--stacked">
                        <dt>{move || tx.t(Msg::LabelSecret)}</dt>
                        <dd class="code code--large">{grouped}</dd>
                    </div>
                </dl>
                <CopyButton text=secret />
                <p>
                    // A phone's authenticator app registers itself for otpauth: links.
                    <a href=otpauth_uri rel="external">{move || tx.t(Msg::OpenInApp)}</a>
                </p>
            </div>
        </div>
        <ErrorSlot error login_failed=Msg::ErrCodeBody />
        <form class="form form--narrow" novalidate on:submit=submit>
            <TextField
                id="enroll-code"
                label=Msg::EnrollCodeLabel
                value=code
                inputmode="numeric"
                autocomplete="one-time-code"
                required=true
                error=field_error(errors, "enroll-code")
            />
            <div class="button-row">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::EnrollSubmit })}
                </button>
            </div>
        </form>
    }
}

/// Step 3: the recovery codes, once, and the person's word that they stored them.
#[component]
fn RecoveryStep(
    /// The codes.
    codes: Vec<String>,
    /// Moves on to the last step.
    step: RwSignal<Step>,
) -> impl IntoView {
    let tx = use_tx();
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    let stored = RwSignal::new(false);
    let all = codes.join("\n");
    view! {
        <StepCounter n=3 />
        <h2 tabindex="-1" node_ref=heading>{move || tx.t(Msg::RecoveryTitle)}</h2>
        <p class="notice notice--warning">{move || tx.t(Msg::RecoveryLead)}</p>
        <ol class="recovery-codes">
            {codes
                .into_iter()
                .map(|code| view! { <li class="code code--large">{code}</li> })
                .collect_view()}
        </ol>
        <CopyButton text=all label=Msg::CopyAllCodes />
        <div class="form form--narrow">
            <label class="choice">
                <input type="checkbox" bind:checked=stored />
                {move || tx.t(Msg::StoredCodes)}
            </label>
            <div class="button-row">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || !stored.get()
                    on:click=move |_| step.set(Step::Done)
                >
                    {move || tx.t(Msg::RecoveryContinue)}
                </button>
            </div>
        </div>
    }
}

/// Step 4: done; the way to the login page.
#[component]
fn DoneStep(
    /// The surface to log in to.
    surface: Surface,
) -> impl IntoView {
    let tx = use_tx();
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    view! {
        <StepCounter n=4 />
        <h2 tabindex="-1" node_ref=heading>{move || tx.t(Msg::ActivatedTitle)}</h2>
        <p>{move || tx.t(Msg::ActivatedBody)}</p>
        <div class="button-row">
            <a class="button button--primary" href=surface.login_path()>
                {move || tx.t(Msg::GoToLogin)}
            </a>
        </div>
    }
}

/// What the first step checks before asking the server: the municipality code, filled-in
/// fields, and the password rules the browser can check (length, not the user id, typed twice
/// the same).
fn activation_problems(body: &Activation, confirm: &str) -> Vec<(&'static str, Msg)> {
    let mut problems = Vec::new();
    if MunicipalityCode::parse(&body.municipality_code).is_err() {
        problems.push(("act-municipality", Msg::InvalidMunicipalityCode));
    }
    if body.user_id.is_empty() {
        problems.push(("act-user", Msg::EmptyUserId));
    }
    if body.activation_code.is_empty() {
        problems.push(("act-code", Msg::EmptyActivationCode));
    }
    let chars = body.new_password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        problems.push(("act-password", Msg::PasswordTooShort));
    } else if chars > PASSWORD_MAX_CHARS {
        problems.push(("act-password", Msg::PasswordTooLong));
    } else if body.new_password == body.user_id {
        problems.push(("act-password", Msg::PasswordIsUserId));
    }
    if confirm != body.new_password {
        problems.push(("act-confirm", Msg::PasswordMismatch));
    }
    problems
}

/// The QR code SVG as a `data:` URL for an `<img>`: the server's markup never enters the DOM,
/// so it cannot run script or restyle the page.
fn svg_data_uri(svg: &str) -> String {
    format!("data:image/svg+xml;base64,{}", base64(svg.as_bytes()))
}

/// Standard base64 with padding (RFC 4648 §4). Hand-written: one use does not justify a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `ABCD EFGH IJ`: a base32 key in groups of four, easier to type in without losing one's place.
fn group_by_four(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn activation(user: &str, password: &str) -> Activation {
        Activation {
            municipality_code: "131016".to_owned(),
            user_id: user.to_owned(),
            activation_code: "ABCD-EFGH".to_owned(),
            new_password: password.to_owned(),
        }
    }

    fn problem_ids(body: &Activation, confirm: &str) -> Vec<&'static str> {
        activation_problems(body, confirm)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn a_long_enough_password_typed_twice_passes_the_browser_checks() {
        let body = activation("tanaka", "correct horse battery");
        assert!(activation_problems(&body, "correct horse battery").is_empty());
    }

    #[test]
    fn passwords_are_counted_in_characters_not_bytes() {
        // 12 Japanese characters are 36 bytes but only 12 characters: just long enough.
        let body = activation("tanaka", "予防接種の記録を確認する");
        assert!(activation_problems(&body, "予防接種の記録を確認する").is_empty());
        let body = activation("tanaka", "予防接種の記録を確認");
        assert_eq!(
            activation_problems(&body, "予防接種の記録を確認"),
            [("act-password", Msg::PasswordTooShort)]
        );
    }

    #[test]
    fn the_password_may_not_be_the_user_id_too_long_or_mistyped() {
        let body = activation("suzuki.hanako", "suzuki.hanako");
        assert_eq!(
            activation_problems(&body, "suzuki.hanako"),
            [("act-password", Msg::PasswordIsUserId)]
        );
        let long = "a".repeat(129);
        let body = activation("tanaka", &long);
        assert_eq!(
            activation_problems(&body, &long),
            [("act-password", Msg::PasswordTooLong)]
        );
        let body = activation("tanaka", "correct horse battery");
        assert_eq!(problem_ids(&body, "correct horse"), ["act-confirm"]);
    }

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn the_qr_code_becomes_an_image_url_not_markup() {
        let uri = svg_data_uri("<svg/>");
        assert_eq!(uri, "data:image/svg+xml;base64,PHN2Zy8+");
        assert!(!uri.contains('<'));
    }

    #[test]
    fn keys_are_shown_in_groups_of_four() {
        assert_eq!(group_by_four("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(group_by_four("ABCDEF"), "ABCD EF");
    }
}
