//! Building blocks of the staff pages: headings that take focus, explained errors, labelled
//! fields, live status lines, dialogs and the re-authentication dialog.

use crate::api::{self, ErrorKind, StaffError, Surface};
use crate::session::use_current_staff;
use crate::text::{Msg, api_message, format_wait, local_time, use_tx};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;
use sesshu_domain::staff::{Permission, Reauthentication};
use wasm_bindgen::JsCast;

/// The page's `<h1>`. Focusable from script (not by Tab), so focus can move to it after
/// navigation and screen readers start reading at the new page.
#[component]
pub fn PageHeading(
    /// The heading text.
    msg: Msg,
) -> impl IntoView {
    let tx = use_tx();
    view! { <h1 tabindex="-1">{move || tx.t(msg)}</h1> }
}

/// Moves focus to the main heading, or to `<main>` when the page has none yet; used after
/// client-side navigation (WCAG 2.4.3).
pub fn focus_main_heading() {
    let document = document();
    let target = document
        .query_selector("#main h1")
        .ok()
        .flatten()
        .or_else(|| document.get_element_by_id("main"));
    if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        // Focus can fail only on detached elements; then there is nothing better to focus.
        let _ = element.focus();
    }
}

/// Focuses `node` once it is in the page: for the heading of a step that replaced the previous
/// one, so keyboard and screen-reader users continue from there.
pub fn focus_when_mounted(node: NodeRef<html::H2>) {
    Effect::new(move |_| {
        if let Some(heading) = node.get() {
            // Fails only on detached elements; the step is then gone anyway.
            let _ = heading.focus();
        }
    });
}

/// A failed request explained: what happened, what to do, the API's own message and its code.
/// `role="alert"`, so it is announced as it appears.
#[component]
pub fn ErrorNotice(
    /// What went wrong.
    error: StaffError,
    /// Replaces the standard explanation of a failed login (e.g. a wrong TOTP code).
    #[prop(optional)]
    login_failed: Option<Msg>,
) -> impl IntoView {
    let tx = use_tx();
    let kind = error.kind();
    let (title, body) = explanation(kind);
    let body = match (kind, login_failed) {
        (ErrorKind::LoginFailed, Some(instead)) => instead,
        _ => body,
    };
    let wait = error.retry_after_s();
    let api = error.api_error().cloned();
    let surface = Surface::of_path(&use_location().pathname.get_untracked());
    view! {
        <section class="notice notice--error" role="alert">
            <h2 class="notice__title">{move || tx.t(title)}</h2>
            <p>{move || tx.t(body)}</p>
            {wait.map(|seconds| view! {
                <p class="notice__wait">
                    {move || tx.t(Msg::ErrDelayedWait)} ": "
                    <strong>{move || format_wait(tx.lang(), seconds)}</strong>
                </p>
            })}
            {api.map(|api| {
                let message = api.message.clone();
                view! {
                    <p class="notice__message">
                        {move || tx.t(Msg::ServerSays)} ": "
                        {move || api_message(tx.lang(), &message).to_owned()}
                    </p>
                    <p class="notice__code">{move || tx.t(Msg::ErrorCode)} ": " {api.code.clone()}</p>
                }
            })}
            {(kind == ErrorKind::SessionGone).then(|| view! {
                <p>
                    <a href=surface.login_path()>{move || tx.t(Msg::GoToLogin)}</a>
                </p>
            })}
        </section>
    }
}

/// The title and what-to-do text for a kind of failure.
pub fn explanation(kind: ErrorKind) -> (Msg, Msg) {
    match kind {
        ErrorKind::SessionGone => (Msg::ErrSessionTitle, Msg::ErrSessionBody),
        ErrorKind::LoginFailed => (Msg::ErrLoginTitle, Msg::ErrLoginBody),
        ErrorKind::ActivationFailed => (Msg::ErrActivationTitle, Msg::ErrActivationBody),
        ErrorKind::ReauthFailed => (Msg::ErrReauthFailedTitle, Msg::ReauthFailed),
        ErrorKind::Delayed => (Msg::ErrDelayedTitle, Msg::ErrDelayedBody),
        ErrorKind::ReauthRequired => (Msg::ErrReauthTitle, Msg::ErrReauthBody),
        ErrorKind::NetworkDenied => (Msg::ErrNetworkDeniedTitle, Msg::ErrNetworkDeniedBody),
        ErrorKind::Forbidden => (Msg::ErrForbiddenTitle, Msg::ErrForbiddenBody),
        ErrorKind::NotFound => (Msg::ErrNotFoundTitle, Msg::ErrNotFoundBody),
        ErrorKind::Conflict => (Msg::ErrConflictTitle, Msg::ErrConflictBody),
        ErrorKind::ImportRunning => (Msg::ErrImportRunningTitle, Msg::ErrImportRunningBody),
        ErrorKind::Invalid => (Msg::ErrInvalidTitle, Msg::ErrInvalidBody),
        ErrorKind::Server => (Msg::ErrServerTitle, Msg::ErrServerBody),
        ErrorKind::Network => (Msg::ErrNetworkTitle, Msg::ErrNetworkBody),
    }
}

/// An error signal shown as an [`ErrorNotice`] while set.
#[component]
pub fn ErrorSlot(
    /// The error to show, if any.
    error: RwSignal<Option<StaffError>>,
    /// See [`ErrorNotice`].
    #[prop(optional)]
    login_failed: Option<Msg>,
) -> impl IntoView {
    move || {
        error
            .get()
            .map(|error| view! { <ErrorNotice error login_failed=login_failed.unwrap_or(Msg::ErrLoginBody) /> })
    }
}

/// The "you may not use this page" explanation, with the way back.
#[component]
pub fn NoPermission() -> impl IntoView {
    let tx = use_tx();
    let home = use_current_staff().surface.home();
    view! {
        <PageHeading msg=Msg::NoPermissionTitle />
        <section class="notice notice--error">
            <p>{move || tx.t(Msg::NoPermissionBody)}</p>
            <p>
                <a href=home>{move || tx.t(Msg::BackToHome)}</a>
            </p>
        </section>
    }
}

/// Shows `children` only if the session's role grants any of `any` (an empty list: any staff
/// user); otherwise [`NoPermission`]. The server checks again on every request.
#[component]
pub fn RequirePermission(
    /// The permissions of which one suffices.
    any: &'static [Permission],
    /// The API route (under `/m/{code}/`) the page reads. When the page is refused, it is still
    /// requested once, so the server refuses it too and the attempt is in the operation log.
    #[prop(optional)]
    probe: Option<&'static str>,
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    let staff = use_current_staff();
    // A memo, so a renewed session (after re-authentication) does not rebuild the page.
    let allowed = Memo::new(move |_| staff.has_any(any));
    if let Some(probe) = probe
        && !allowed.get_untracked()
    {
        let code = staff.code();
        leptos::task::spawn_local(async move {
            crate::api::probe(&code, probe).await;
        });
    }
    move || {
        if allowed.get() {
            children().into_any()
        } else {
            view! { <NoPermission /> }.into_any()
        }
    }
}

/// A polite live region for confirmations ("saved"). Always in the page, so screen readers
/// announce each new message.
#[component]
pub fn LiveStatus(
    /// The message to show, if any.
    message: RwSignal<Option<Msg>>,
) -> impl IntoView {
    let tx = use_tx();
    view! {
        <p class="status-note" role="status">
            {move || message.get().map(|msg| tx.t(msg))}
        </p>
    }
}

/// Field ids with the message explaining what is wrong with each.
pub type FieldErrors = RwSignal<Vec<(&'static str, Msg)>>;

/// The error of field `id` in `errors` (reactive).
pub fn field_error(errors: FieldErrors, id: &'static str) -> Signal<Option<Msg>> {
    Signal::derive(move || {
        errors.with(|errors| {
            errors
                .iter()
                .find(|(field, _)| *field == id)
                .map(|(_, msg)| *msg)
        })
    })
}

/// Moves focus to the first field in `errors`, so the person lands where to correct.
pub fn focus_first_error(errors: &[(&'static str, Msg)]) {
    if let Some((id, _)) = errors.first() {
        focus_by_id(id);
    }
}

/// Moves focus to the element with `id`, if there is one.
pub fn focus_by_id(id: &str) {
    if let Some(element) = document().get_element_by_id(id)
        && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>()
    {
        // Fails only on detached elements; nothing better to focus then.
        let _ = element.focus();
    }
}

/// The ids an input is described by: its hint and its error, when present.
fn described_by(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The error text of a field: the page's own message, or a text given whole (the server's
/// field errors come in both languages already).
fn error_text(
    error: Option<Signal<Option<Msg>>>,
    text: Option<Signal<Option<String>>>,
) -> Signal<Option<String>> {
    if let Some(text) = text {
        return text;
    }
    let tx = use_tx();
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    Signal::derive(move || error.get().map(|msg| tx.t(msg).to_owned()))
}

/// The label (with the required mark), hint and error of a field, ids derived from `id`.
fn field_head(
    id: &'static str,
    label: Msg,
    hint: Option<Msg>,
    required: bool,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let tx = use_tx();
    view! {
        // The mark is outside the label and hidden from assistive tech, which hears `required`
        // on the input instead: the field's name is the label alone.
        <div class="field__head">
            <label class="field__label" for=id>{move || tx.t(label)}</label>
            {required.then(|| view! {
                <span class="field__required" aria-hidden="true">
                    {move || format!("（{}）", tx.t(Msg::Required))}
                </span>
            })}
        </div>
        {hint.map(|hint| view! {
            <p class="field__hint" id=format!("{id}-hint")>{move || tx.t(hint)}</p>
        })}
        {move || error.get().map(|text| view! {
            <p class="field__error" id=format!("{id}-error")>{text}</p>
        })}
    }
}

/// A labelled text input with an optional hint and error, both tied to it by
/// `aria-describedby`; the error also sets `aria-invalid`.
#[component]
pub fn TextField(
    /// The input's id (also names its hint and error).
    id: &'static str,
    /// The visible label.
    label: Msg,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// The input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The `autocomplete` token (WCAG 1.3.5).
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// The `inputmode`, e.g. `numeric` for codes.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// A hint below the label.
    #[prop(optional)]
    hint: Option<Msg>,
    /// Whether the field must be filled in.
    #[prop(optional)]
    required: bool,
    /// What is wrong with the value, if anything.
    #[prop(optional)]
    error: Option<Signal<Option<Msg>>>,
    /// What is wrong, as text in the current language (instead of `error`).
    #[prop(optional)]
    error_text: Option<Signal<Option<String>>>,
    /// Further ids describing the input (e.g. a list of rules).
    #[prop(optional)]
    extra_described_by: Option<&'static str>,
) -> impl IntoView {
    let error = self::error_text(error, error_text);
    let describe = move || {
        let own = described_by(id, hint.is_some(), error.get().is_some());
        match (own, extra_described_by) {
            (Some(own), Some(extra)) => Some(format!("{own} {extra}")),
            (own, extra) => own.or(extra.map(str::to_owned)),
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            {field_head(id, label, hint, required, error)}
            <input
                class="field__input"
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=describe
                bind:value=value
            />
        </div>
    }
}

/// A labelled multi-line text field, like [`TextField`].
#[component]
pub fn TextAreaField(
    /// The textarea's id.
    id: &'static str,
    /// The visible label.
    label: Msg,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// A hint below the label.
    #[prop(optional)]
    hint: Option<Msg>,
    /// Whether the field must be filled in.
    #[prop(optional)]
    required: bool,
    /// What is wrong with the value, if anything.
    #[prop(optional)]
    error: Option<Signal<Option<Msg>>>,
) -> impl IntoView {
    let error = error_text(error, None);
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            {field_head(id, label, hint, required, error)}
            <textarea
                class="field__input field__input--area"
                id=id
                name=id
                rows="3"
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || described_by(id, hint.is_some(), error.get().is_some())
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
            ></textarea>
        </div>
    }
}

/// A labelled `<select>` over `(value, text)` options, with an empty first choice that asks the
/// person to choose.
#[component]
pub fn SelectField(
    /// The select's id.
    id: &'static str,
    /// The visible label.
    label: Msg,
    /// The chosen value (empty: none).
    value: RwSignal<String>,
    /// The choices, `(value, text)`.
    options: Signal<Vec<(String, String)>>,
    /// The text of the empty choice.
    placeholder: Msg,
    /// Whether a choice must be made.
    #[prop(optional)]
    required: bool,
    /// A hint below the label.
    #[prop(optional)]
    hint: Option<Msg>,
    /// What is wrong with the choice, if anything.
    #[prop(optional)]
    error: Option<Signal<Option<Msg>>>,
    /// What is wrong, as text in the current language (instead of `error`).
    #[prop(optional)]
    error_text: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let tx = use_tx();
    let error = self::error_text(error, error_text);
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            {field_head(id, label, hint, required, error)}
            <select
                class="field__input field__input--select"
                id=id
                name=id
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || described_by(id, hint.is_some(), error.get().is_some())
                on:change:target=move |ev| value.set(ev.target().value())
            >
                <option value="" prop:selected=move || value.get().is_empty()>
                    {move || tx.t(placeholder)}
                </option>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let chosen = option.clone();
                            view! {
                                <option value=option prop:selected=move || value.get() == chosen>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// An RFC 3339 time from the API, in local time, machine-readable in `datetime`.
#[component]
pub fn DateTime(
    /// The time as the API sent it.
    value: String,
) -> impl IntoView {
    let shown = local_time(&value);
    view! { <time datetime=value>{shown}</time> }
}

/// A modal `<dialog>`: the browser keeps focus inside, closes it on Escape and returns focus
/// where it was. Open while `open` is true; `on_close` runs when the browser closes it.
#[component]
pub fn Dialog(
    /// Whether the dialog is open.
    open: Signal<bool>,
    /// Called when the person closes it (Escape) so the owner's state follows.
    on_close: Callback<()>,
    /// The id of the dialog's heading, which names it.
    labelled_by: &'static str,
    /// The content: a heading with id `labelled_by`, then the rest.
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let want = open.get();
        if let Some(dialog) = node.get() {
            if want && !dialog.open() {
                // Fails only if the dialog is detached or already open; nothing to do then.
                let _ = dialog.show_modal();
            } else if !want && dialog.open() {
                dialog.close();
            }
        }
    });
    view! {
        <dialog
            node_ref=node
            class="dialog"
            aria-labelledby=labelled_by
            on:close=move |_| {
                if open.get_untracked() {
                    on_close.run(());
                }
            }
        >
            {children()}
        </dialog>
    }
}

/// The re-authentication dialog: a password or a TOTP code, then `on_done` (which retries
/// what needed it). Stays open with an explanation when the answer is wrong.
#[component]
pub fn ReauthDialog(
    /// Whether the dialog is open.
    open: RwSignal<bool>,
    /// Runs after a successful re-authentication (the dialog is closed by then).
    on_done: Callback<()>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let by_code = RwSignal::new(false);
    let secret = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let value = secret.get_untracked();
        if value.trim().is_empty() {
            let list = vec![(
                "reauth-secret",
                if by_code.get_untracked() {
                    Msg::EmptyCode
                } else {
                    Msg::EmptyPassword
                },
            )];
            focus_first_error(&list);
            errors.set(list);
            return;
        }
        errors.set(Vec::new());
        let body = if by_code.get_untracked() {
            Reauthentication {
                password: None,
                code: Some(value.trim().to_owned()),
            }
        } else {
            Reauthentication {
                password: Some(value),
                code: None,
            }
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = staff.observe(api::reauthenticate(staff.surface, &body).await);
            pending.set(false);
            match result {
                Ok(session) => {
                    secret.set(String::new());
                    open.set(false);
                    staff.renewed(session);
                    on_done.run(());
                }
                Err(failure) => {
                    secret.set(String::new());
                    error.set(Some(failure));
                }
            }
        });
    };
    let label = Signal::derive(move || {
        if by_code.get() {
            Msg::ReauthByCode
        } else {
            Msg::ReauthByPassword
        }
    });
    view! {
        <Dialog
            open=open.into()
            on_close=Callback::new(move |()| open.set(false))
            labelled_by="reauth-title"
        >
            <form class="form" novalidate on:submit=submit>
                <h2 id="reauth-title">{move || tx.t(Msg::ReauthTitle)}</h2>
                <p>{move || tx.t(Msg::ReauthLead)}</p>
                <ErrorSlot error />
                <fieldset class="choices">
                    <legend>{move || tx.t(Msg::ReauthMethod)}</legend>
                    <label class="choice">
                        <input
                            type="radio"
                            name="reauth-method"
                            prop:checked=move || !by_code.get()
                            on:change=move |_| {
                                by_code.set(false);
                                secret.set(String::new());
                            }
                        />
                        {move || tx.t(Msg::ReauthUsePassword)}
                    </label>
                    <label class="choice">
                        <input
                            type="radio"
                            name="reauth-method"
                            prop:checked=move || by_code.get()
                            on:change=move |_| {
                                by_code.set(true);
                                secret.set(String::new());
                            }
                        />
                        {move || tx.t(Msg::ReauthUseCode)}
                    </label>
                </fieldset>
                {move || {
                    let code = by_code.get();
                    view! {
                        <TextField
                            id="reauth-secret"
                            label=label.get()
                            value=secret
                            kind=if code { "text" } else { "password" }
                            autocomplete=if code { "one-time-code" } else { "current-password" }
                            inputmode=if code { "numeric" } else { "text" }
                            required=true
                            error=field_error(errors, "reauth-secret")
                        />
                    }
                }}
                <div class="button-row">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::ReauthSubmit })}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| open.set(false)>
                        {move || tx.t(Msg::Cancel)}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// A button that copies `text` and says, in a live region, whether it worked.
#[component]
pub fn CopyButton(
    /// What to copy.
    text: String,
    /// The button's text.
    #[prop(default = Msg::Copy)]
    label: Msg,
) -> impl IntoView {
    let tx = use_tx();
    let result = RwSignal::new(None::<Msg>);
    let copy = move |_| {
        crate::js::copy_to_clipboard(&text, move |copied| {
            result.set(Some(if copied { Msg::Copied } else { Msg::CopyFailed }));
        });
    };
    view! {
        <div class="copy">
            <button type="button" class="button button--secondary" on:click=copy>
                {move || tx.t(label)}
            </button>
            <LiveStatus message=result />
        </div>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn inputs_are_described_by_their_hint_and_error() {
        assert_eq!(described_by("code", false, false), None);
        assert_eq!(
            described_by("code", true, false).as_deref(),
            Some("code-hint")
        );
        assert_eq!(
            described_by("code", true, true).as_deref(),
            Some("code-hint code-error")
        );
    }

    #[test]
    fn every_failure_kind_has_its_own_title() {
        let kinds = [
            ErrorKind::SessionGone,
            ErrorKind::LoginFailed,
            ErrorKind::ActivationFailed,
            ErrorKind::ReauthFailed,
            ErrorKind::Delayed,
            ErrorKind::ReauthRequired,
            ErrorKind::NetworkDenied,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::Conflict,
            ErrorKind::Invalid,
            ErrorKind::Server,
            ErrorKind::Network,
        ];
        for (i, a) in kinds.iter().enumerate() {
            for b in &kinds[i + 1..] {
                assert_ne!(explanation(*a).0, explanation(*b).0, "{a:?} and {b:?}");
            }
        }
    }
}
