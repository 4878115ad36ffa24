use crate::api::{self, StaffError};
use crate::components::{
    CopyButton, DateTime, ErrorNotice, ErrorSlot, FieldErrors, LiveStatus, PageHeading,
    RequirePermission, SelectField, TextAreaField, TextField, field_error, focus_by_id,
    focus_first_error, focus_when_mounted,
};
use crate::pages::users::{institution_name, institution_options, role_options};
use crate::session::{CurrentStaff, use_current_staff};
use crate::shell::REQUESTS;
use crate::text::{Msg, class_label, local_time, status_label, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_domain::staff::{
    AccountRequest, AccountRequestInput, Decision, Institution, Issued, Permission, RequestStatus,
    Role, UserClass,
};

/// `/admin/requests`: anyone files a request for a new account; administrators (manage_users)
/// approve or reject each with a note, and an approval shows the one-time activation code.
#[component]
pub fn RequestsPage() -> impl IntoView {
    use_title(Msg::RequestsTitle);
    view! {
        <RequirePermission any=REQUESTS>
            <Requests />
        </RequirePermission>
    }
}

/// The roles and institutions the form and the list name.
#[derive(Debug, Clone, PartialEq)]
struct Choices {
    roles: Vec<Role>,
    institutions: Vec<Institution>,
}

async fn load_choices(staff: CurrentStaff) -> Result<Choices, StaffError> {
    let code = staff.code();
    let roles = staff.observe(api::roles(&code).await)?;
    let institutions = staff.observe(api::institutions(&code).await)?;
    Ok(Choices {
        roles,
        institutions,
    })
}

#[component]
fn Requests() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let version = RwSignal::new(0u32);
    let choices = LocalResource::new(move || load_choices(staff));
    let requests = LocalResource::new(move || {
        version.track();
        let code = staff.code();
        async move { staff.observe(api::requests(&code).await) }
    });
    let issued = RwSignal::new(None::<Issued>);
    let status = RwSignal::new(None::<Msg>);
    view! {
        <PageHeading msg=Msg::RequestsTitle />
        <LiveStatus message=status />
        {move || issued.get().map(|code| view! { <IssuedPanel issued=code on_done=move || issued.set(None) /> })}
        {move || match choices.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(Choices { roles, institutions })) => view! {
                <RequestForm roles=roles.clone() institutions=institutions.clone() status version />
                <section aria-labelledby="request-list-title">
                    <h2 id="request-list-title">{move || tx.t(Msg::RequestListTitle)}</h2>
                    <p>
                        {move || tx.t(if staff.has_any(&[Permission::ManageUsers]) {
                            Msg::RequestListLeadManager
                        } else {
                            Msg::RequestListLeadOwn
                        })}
                    </p>
                    {move || match requests.get() {
                        None => view! { <Loading /> }.into_any(),
                        Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                        Some(Ok(list)) if list.is_empty() => {
                            view! { <p>{move || tx.t(Msg::NoRequests)}</p> }.into_any()
                        }
                        Some(Ok(list)) => {
                            let roles = roles.clone();
                            let institutions = institutions.clone();
                            view! {
                                <ul class="card-list">
                                    {newest_first(list)
                                        .into_iter()
                                        .enumerate()
                                        .map(|(index, request)| view! {
                                            <RequestCard
                                                index
                                                request
                                                roles=roles.clone()
                                                institutions=institutions.clone()
                                                issued
                                                status
                                                version
                                            />
                                        })
                                        .collect_view()}
                                </ul>
                            }
                            .into_any()
                        }
                    }}
                </section>
            }
            .into_any(),
        }}
    }
}

/// The form for a new account request. The choices of institution and role follow the class,
/// and clinic staff can never be given the My Number right.
#[component]
fn RequestForm(
    /// The roles to choose from.
    roles: Vec<Role>,
    /// The institutions to choose from.
    institutions: Vec<Institution>,
    /// The page's status line.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let user_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let class = RwSignal::new(UserClass::MunicipalStaff);
    let institution_id = RwSignal::new(String::new());
    let role_id = RwSignal::new(String::new());
    let can_view = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let choose_class = move |chosen: UserClass| {
        class.set(chosen);
        // The previous choices belong to the other class.
        institution_id.set(String::new());
        role_id.set(String::new());
        if chosen == UserClass::ClinicStaff {
            can_view.set(false);
        }
    };
    let role_choices = Signal::derive(move || role_options(&roles, class.get(), tx.lang()));
    let institution_choices =
        Signal::derive(move || institution_options(&institutions, class.get()));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let class = class.get_untracked();
        let body = AccountRequestInput {
            user_id: user_id.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            email: email.get_untracked().trim().to_owned(),
            user_class: class,
            institution_id: institution_id.get_untracked(),
            role_id: role_id.get_untracked(),
            can_view_my_number: can_view.get_untracked() && class == UserClass::MunicipalStaff,
            reason: reason.get_untracked().trim().to_owned(),
        };
        let problems = request_problems(&body);
        if !problems.is_empty() {
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = staff.observe(api::file_request(&staff.code(), &body).await);
            pending.set(false);
            match result {
                Ok(_) => {
                    for field in [user_id, name, email, institution_id, role_id, reason] {
                        field.set(String::new());
                    }
                    can_view.set(false);
                    status.set(Some(Msg::RequestFiled));
                    version.update(|v| *v += 1);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let is_clinic = move || class.get() == UserClass::ClinicStaff;
    view! {
        <section class="card" aria-labelledby="new-request-title">
            <h2 id="new-request-title">{move || tx.t(Msg::NewRequestTitle)}</h2>
            <p>{move || tx.t(Msg::NewRequestLead)}</p>
            <ErrorSlot error />
            <form class="form" novalidate on:submit=submit>
                <TextField
                    id="req-user"
                    label=Msg::LabelUserId
                    value=user_id
                    autocomplete="off"
                    hint=Msg::HintNewUserId
                    required=true
                    error=field_error(errors, "req-user")
                />
                <TextField
                    id="req-name"
                    label=Msg::LabelName
                    value=name
                    autocomplete="off"
                    required=true
                    error=field_error(errors, "req-name")
                />
                <TextField
                    id="req-email"
                    label=Msg::LabelEmail
                    value=email
                    kind="email"
                    autocomplete="off"
                    required=true
                    error=field_error(errors, "req-email")
                />
                <fieldset class="choices">
                    <legend>{move || tx.t(Msg::LabelClass)}</legend>
                    {[UserClass::MunicipalStaff, UserClass::ClinicStaff]
                        .into_iter()
                        .map(|option| view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="req-class"
                                    prop:checked=move || class.get() == option
                                    on:change=move |_| choose_class(option)
                                />
                                {move || class_label(tx.lang(), option)}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <SelectField
                    id="req-institution"
                    label=Msg::LabelNewInstitution
                    value=institution_id
                    options=institution_choices
                    placeholder=Msg::ChooseInstitution
                    required=true
                    error=field_error(errors, "req-institution")
                />
                <SelectField
                    id="req-role"
                    label=Msg::LabelNewRole
                    value=role_id
                    options=role_choices
                    placeholder=Msg::ChooseRole
                    required=true
                    error=field_error(errors, "req-role")
                />
                <div class="field">
                    <label class="choice">
                        <input
                            type="checkbox"
                            aria-describedby="req-can-view-hint"
                            prop:disabled=is_clinic
                            bind:checked=can_view
                        />
                        {move || tx.t(Msg::LabelCanViewMyNumber)}
                    </label>
                    <p class="field__hint" id="req-can-view-hint">
                        {move || tx.t(if is_clinic() { Msg::ClinicNoMyNumber } else { Msg::HintCanViewMyNumber })}
                    </p>
                </div>
                <TextAreaField
                    id="req-reason"
                    label=Msg::LabelReason
                    value=reason
                    hint=Msg::HintReason
                    required=true
                    error=field_error(errors, "req-reason")
                />
                <div class="button-row">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::SubmitRequest })}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// One request: what was asked, by whom, its status and decision; for administrators and
/// pending requests, the note and the approve and reject buttons.
#[component]
fn RequestCard(
    /// The position in the list, for element ids.
    index: usize,
    /// The request.
    request: AccountRequest,
    /// Every role, for names.
    roles: Vec<Role>,
    /// Every institution, for names.
    institutions: Vec<Institution>,
    /// Set to the activation code after an approval.
    issued: RwSignal<Option<Issued>>,
    /// The page's status line.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let AccountRequest {
        request_id,
        requested_by,
        requested_at,
        account,
        status: request_status,
        decided_by,
        decided_at,
        decision_note,
    } = request;
    let role = roles.iter().find(|r| r.role_id == account.role_id).cloned();
    let role_fallback = account.role_id.clone();
    let institution = institution_name(&institutions, &account.institution_id);
    let title_id = format!("request-{index}");
    let can_decide = request_status == RequestStatus::Pending;
    let class = account.user_class;
    let can_view = account.can_view_my_number;
    let status_class = match request_status {
        RequestStatus::Pending => "tag tag--attention",
        RequestStatus::Approved => "tag",
        RequestStatus::Rejected => "tag tag--muted",
    };
    let decided = decided_by.map(|by| {
        view! {
            <div class="facts__row">
                <dt>{move || tx.t(Msg::LabelDecidedBy)}</dt>
                <dd>{by}</dd>
            </div>
            {decided_at.map(|at| view! {
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelDecidedAt)}</dt>
                    <dd><DateTime value=at /></dd>
                </div>
            })}
            {decision_note.filter(|note| !note.is_empty()).map(|note| view! {
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelDecisionNote)}</dt>
                    <dd class="prewrap">{note}</dd>
                </div>
            })}
        }
    });
    view! {
        <li class="card request-card">
            <h3 id=title_id class="card__title">
                {format!("{}（{}）", account.name, account.user_id)} " "
                <span class=status_class>{move || status_label(tx.lang(), request_status)}</span>
            </h3>
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelEmail)}</dt>
                    <dd>{account.email}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelClass)}</dt>
                    <dd>{move || class_label(tx.lang(), class)}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelInstitution)}</dt>
                    <dd>{institution}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelRole)}</dt>
                    <dd>
                        {move || match &role {
                            Some(role) => tx.pick(&role.name_ja, &role.name_en).to_owned(),
                            None => role_fallback.clone(),
                        }}
                    </dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelMyNumberRight)}</dt>
                    <dd>{move || tx.t(if can_view { Msg::Yes } else { Msg::No })}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelReason)}</dt>
                    <dd class="prewrap">{account.reason}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelRequestedBy)}</dt>
                    <dd>{requested_by}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelRequestedAt)}</dt>
                    <dd><DateTime value=requested_at /></dd>
                </div>
                {decided}
            </dl>
            <Show when=move || can_decide && staff.has_any(&[Permission::ManageUsers])>
                <DecisionForm index request_id=request_id.clone() issued status version />
            </Show>
        </li>
    }
}

/// An administrator's decision on a pending request: a note, then approve or reject.
#[component]
fn DecisionForm(
    /// The position in the list, for element ids.
    index: usize,
    /// The request decided on.
    request_id: String,
    /// Set to the activation code after an approval.
    issued: RwSignal<Option<Issued>>,
    /// The page's status line.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let note = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let problem = RwSignal::new(None::<Msg>);
    let note_id = format!("decision-note-{index}");
    let decide = {
        let note_id = note_id.clone();
        move |approve: bool| {
            if pending.get_untracked() {
                return;
            }
            let text = note.get_untracked().trim().to_owned();
            if !approve && text.is_empty() {
                problem.set(Some(Msg::RejectNeedsNote));
                focus_by_id(&note_id);
                return;
            }
            problem.set(None);
            error.set(None);
            pending.set(true);
            let request_id = request_id.clone();
            spawn_local(async move {
                let code = staff.code();
                let body = Decision { note: text };
                let result = if approve {
                    staff
                        .observe(api::approve_request(&code, &request_id, &body).await)
                        .map(Some)
                } else {
                    staff
                        .observe(api::reject_request(&code, &request_id, &body).await)
                        .map(|_| None)
                };
                pending.set(false);
                match result {
                    Ok(Some(code)) => {
                        issued.set(Some(code));
                        version.update(|v| *v += 1);
                    }
                    Ok(None) => {
                        status.set(Some(Msg::Rejected));
                        version.update(|v| *v += 1);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        }
    };
    let reject = decide.clone();
    view! {
        <div class="decision">
            <ErrorSlot error />
            <div class="field" class:field--invalid=move || problem.get().is_some()>
                <label class="field__label" for=note_id.clone()>{move || tx.t(Msg::LabelDecisionNote)}</label>
                <p class="field__hint" id=format!("{note_id}-hint")>{move || tx.t(Msg::HintDecisionNote)}</p>
                {
                    let error_id = format!("{note_id}-error");
                    move || problem.get().map(|msg| view! {
                        <p class="field__error" id=error_id.clone()>{move || tx.t(msg)}</p>
                    })
                }
                <textarea
                    class="field__input field__input--area"
                    id=note_id.clone()
                    rows="2"
                    aria-invalid=move || problem.get().is_some().then_some("true")
                    aria-describedby={
                        let note_id = note_id.clone();
                        move || {
                            if problem.get().is_some() {
                                format!("{note_id}-hint {note_id}-error")
                            } else {
                                format!("{note_id}-hint")
                            }
                        }
                    }
                    prop:value=move || note.get()
                    on:input:target=move |ev| note.set(ev.target().value())
                ></textarea>
            </div>
            <div class="button-row">
                <button type="button" class="button button--primary" disabled=move || pending.get() on:click=move |_| decide(true)>
                    {move || tx.t(Msg::Approve)}
                </button>
                <button type="button" class="button button--danger" disabled=move || pending.get() on:click=move |_| reject(false)>
                    {move || tx.t(Msg::Reject)}
                </button>
            </div>
        </div>
    }
}

/// The one-time activation code, prominent, with a copy button and the warning that it is not
/// shown again. Takes focus, so the administrator hears it at once.
#[component]
fn IssuedPanel<F>(
    /// What the approval returned.
    issued: Issued,
    /// Closes the panel.
    on_done: F,
) -> impl IntoView
where
    F: Fn() + 'static,
{
    let tx = use_tx();
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    let Issued {
        user_id,
        activation_code,
        activation_expires_at,
    } = issued;
    let expires = local_time(&activation_expires_at);
    view! {
        <section class="issued" aria-labelledby="issued-title">
            <h2 id="issued-title" tabindex="-1" node_ref=heading>{move || tx.t(Msg::IssuedTitle)}</h2>
            <p class="issued__warning">
                <strong>{move || tx.t(Msg::IssuedWarning)}</strong>
            </p>
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelUserId)}</dt>
                    <dd class="code">{user_id}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelActivationCode)}</dt>
                    <dd class="code code--huge">{activation_code.clone()}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelExpires)}</dt>
                    <dd><time datetime=activation_expires_at>{expires}</time></dd>
                </div>
            </dl>
            <CopyButton text=activation_code />
            <div class="button-row">
                <button type="button" class="button button--secondary" on:click=move |_| on_done()>
                    {move || tx.t(Msg::IssuedDone)}
                </button>
            </div>
        </section>
    }
}

/// What the form checks before asking the server.
fn request_problems(body: &AccountRequestInput) -> Vec<(&'static str, Msg)> {
    let mut problems = Vec::new();
    if !valid_new_user_id(&body.user_id) {
        problems.push(("req-user", Msg::InvalidNewUserId));
    }
    if body.name.is_empty() {
        problems.push(("req-name", Msg::EmptyName));
    }
    if !plausible_email(&body.email) {
        problems.push(("req-email", Msg::InvalidEmail));
    }
    if body.institution_id.is_empty() {
        problems.push(("req-institution", Msg::EmptyInstitution));
    }
    if body.role_id.is_empty() {
        problems.push(("req-role", Msg::EmptyRole));
    }
    if body.reason.is_empty() {
        problems.push(("req-reason", Msg::EmptyReason));
    }
    problems
}

/// The contract's user id rule: 3–32 lower-case letters, digits, `.`, `_` or `-`.
fn valid_new_user_id(id: &str) -> bool {
    (3..=32).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// Something before and a dotted domain after one `@`: catches slips; the server decides.
fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Pending requests first, then newest first: the ones waiting for a decision are on top.
fn newest_first(mut list: Vec<AccountRequest>) -> Vec<AccountRequest> {
    list.sort_by(|a, b| {
        let pending = |r: &AccountRequest| r.status != RequestStatus::Pending;
        pending(a)
            .cmp(&pending(b))
            .then_with(|| b.requested_at.cmp(&a.requested_at))
    });
    list
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn input() -> AccountRequestInput {
        AccountRequestInput {
            user_id: "suzuki.hanako".to_owned(),
            name: "鈴木 花子".to_owned(),
            email: "hanako@city.example.lg.jp".to_owned(),
            user_class: UserClass::MunicipalStaff,
            institution_id: "D01".to_owned(),
            role_id: "staff".to_owned(),
            can_view_my_number: false,
            reason: "4月の人事異動で着任".to_owned(),
        }
    }

    fn request(id: &str, at: &str, status: RequestStatus) -> AccountRequest {
        AccountRequest {
            request_id: id.to_owned(),
            requested_by: "admin".to_owned(),
            requested_at: at.to_owned(),
            account: input(),
            status,
            decided_by: None,
            decided_at: None,
            decision_note: None,
        }
    }

    #[test]
    fn a_complete_request_passes_the_browser_checks() {
        assert!(request_problems(&input()).is_empty());
    }

    #[test]
    fn each_missing_or_malformed_field_is_named() {
        let body = AccountRequestInput {
            user_id: "Suzuki".to_owned(),
            name: String::new(),
            email: "hanako".to_owned(),
            institution_id: String::new(),
            role_id: String::new(),
            reason: String::new(),
            ..input()
        };
        let ids: Vec<_> = request_problems(&body)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            ids,
            [
                "req-user",
                "req-name",
                "req-email",
                "req-institution",
                "req-role",
                "req-reason"
            ]
        );
    }

    #[test]
    fn user_ids_follow_the_contract_rule() {
        assert!(valid_new_user_id("abc"));
        assert!(valid_new_user_id("suzuki.hanako_2-b"));
        assert!(!valid_new_user_id("ab"));
        assert!(!valid_new_user_id(&"a".repeat(33)));
        assert!(!valid_new_user_id("Suzuki"));
        assert!(!valid_new_user_id("鈴木"));
        assert!(!valid_new_user_id("a b c"));
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(plausible_email("a@b.jp"));
        assert!(!plausible_email("a@b"));
        assert!(!plausible_email("@b.jp"));
        assert!(!plausible_email("a@@b.jp"));
        assert!(!plausible_email("a b@c.jp"));
    }

    #[test]
    fn pending_requests_come_first_then_the_newest() {
        let list = vec![
            request(
                "old-pending",
                "2026-04-01T00:00:00Z",
                RequestStatus::Pending,
            ),
            request(
                "new-approved",
                "2026-04-03T00:00:00Z",
                RequestStatus::Approved,
            ),
            request(
                "new-pending",
                "2026-04-02T00:00:00Z",
                RequestStatus::Pending,
            ),
        ];
        let ids: Vec<_> = newest_first(list)
            .into_iter()
            .map(|r| r.request_id)
            .collect();
        assert_eq!(ids, ["new-pending", "old-pending", "new-approved"]);
    }
}
