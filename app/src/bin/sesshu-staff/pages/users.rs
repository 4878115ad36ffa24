use crate::api::{self, StaffError};
use crate::components::{
    DateTime, Dialog, ErrorNotice, ErrorSlot, FieldErrors, LiveStatus, PageHeading,
    RequirePermission, SelectField, field_error, focus_first_error,
};
use crate::session::{CurrentStaff, use_current_staff};
use crate::shell::USERS;
use crate::text::{Msg, class_label, use_title, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_domain::staff::{Institution, InstitutionKind, Role, User, UserClass, UserUpdate};

/// `/admin/users`: every staff account with its role, institution and My Number right; change
/// those, or deactivate an account (after a confirmation).
#[component]
pub fn UsersPage() -> impl IntoView {
    use_title(Msg::UsersTitle);
    view! {
        <RequirePermission any=USERS probe="users">
            <Users />
        </RequirePermission>
    }
}

/// The page's lists, loaded together: users need role and institution names.
#[derive(Debug, Clone, PartialEq)]
struct Directory {
    users: Vec<User>,
    roles: Vec<Role>,
    institutions: Vec<Institution>,
}

async fn load(staff: CurrentStaff) -> Result<Directory, StaffError> {
    let code = staff.code();
    let users = staff.observe(api::users(&code).await)?;
    let roles = staff.observe(api::roles(&code).await)?;
    let institutions = staff.observe(api::institutions(&code).await)?;
    Ok(Directory {
        users,
        roles,
        institutions,
    })
}

#[component]
fn Users() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    // Bumped after each change; the resource reloads (safe to bump after the page is gone).
    let version = RwSignal::new(0u32);
    let directory = LocalResource::new(move || {
        version.track();
        load(staff)
    });
    let status = RwSignal::new(None::<Msg>);
    let editing = RwSignal::new(None::<User>);
    let deactivating = RwSignal::new(None::<User>);
    view! {
        <PageHeading msg=Msg::UsersTitle />
        <p class="lead">{move || tx.t(Msg::UsersLead)}</p>
        <LiveStatus message=status />
        {move || match directory.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(directory)) => {
                let Directory { users, roles, institutions } = directory;
                view! {
                    <UserTable users roles=roles.clone() institutions=institutions.clone() editing deactivating />
                    <EditDialog editing roles institutions status version />
                    <DeactivateDialog deactivating status version />
                }
                .into_any()
            }
        }}
    }
}

/// The users as a table; each row's buttons open the change and deactivate dialogs.
#[component]
fn UserTable(
    /// The users.
    users: Vec<User>,
    /// Every role, for names.
    roles: Vec<Role>,
    /// Every institution, for names.
    institutions: Vec<Institution>,
    /// Set to open the change dialog.
    editing: RwSignal<Option<User>>,
    /// Set to open the deactivate dialog.
    deactivating: RwSignal<Option<User>>,
) -> impl IntoView {
    let tx = use_tx();
    if users.is_empty() {
        return view! { <p>{move || tx.t(Msg::NoUsers)}</p> }.into_any();
    }
    let rows = users
        .into_iter()
        .map(|user| {
            let role = roles.iter().find(|r| r.role_id == user.role_id).cloned();
            let role_fallback = user.role_id.clone();
            let institution = institution_name(&institutions, &user.institution_id);
            let for_edit = user.clone();
            let for_deactivate = user.clone();
            let User {
                user_id,
                email,
                name,
                user_class,
                can_view_my_number,
                active,
                mfa_enrolled,
                created_at,
                last_login_at,
                ..
            } = user;
            let who = format!("{name}（{user_id}）");
            let who_too = who.clone();
            view! {
                <tr class:row--inactive=!active>
                    <th scope="row">
                        <span class="cell-main">{name}</span>
                        <span class="cell-sub code">{user_id}</span>
                    </th>
                    <td>{email}</td>
                    <td>{move || class_label(tx.lang(), user_class)}</td>
                    <td>{institution}</td>
                    <td>
                        {move || match &role {
                            Some(role) => tx.pick(&role.name_ja, &role.name_en).to_owned(),
                            None => role_fallback.clone(),
                        }}
                    </td>
                    <td>{move || tx.t(if can_view_my_number { Msg::Yes } else { Msg::No })}</td>
                    <td>
                        <span class=if active { "tag" } else { "tag tag--muted" }>
                            {move || tx.t(if active { Msg::StatusActive } else { Msg::StatusInactive })}
                        </span>
                    </td>
                    <td>{move || tx.t(if mfa_enrolled { Msg::MfaEnrolled } else { Msg::MfaPending })}</td>
                    <td>
                        {match last_login_at {
                            Some(at) => view! { <DateTime value=at /> }.into_any(),
                            None => view! { <span>{move || tx.t(Msg::NeverLoggedIn)}</span> }.into_any(),
                        }}
                    </td>
                    <td><DateTime value=created_at /></td>
                    <td class="cell-actions">
                        {active.then(|| view! {
                            <button
                                type="button"
                                class="button button--secondary button--small"
                                on:click=move |_| editing.set(Some(for_edit.clone()))
                            >
                                {move || tx.t(Msg::EditUser)}
                                <span class="visually-hidden">{format!(" {who}")}</span>
                            </button>
                            <button
                                type="button"
                                class="button button--danger button--small"
                                on:click=move |_| deactivating.set(Some(for_deactivate.clone()))
                            >
                                {move || tx.t(Msg::Deactivate)}
                                <span class="visually-hidden">{format!(" {who_too}")}</span>
                            </button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="users-caption" tabindex="0">
            <table class="table">
                <caption id="users-caption">{move || tx.t(Msg::UsersTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::LabelName)}</th>
                        <th scope="col">{move || tx.t(Msg::ColEmail)}</th>
                        <th scope="col">{move || tx.t(Msg::ColClass)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelInstitution)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelRole)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelMyNumberRight)}</th>
                        <th scope="col">{move || tx.t(Msg::ColStatus)}</th>
                        <th scope="col">{move || tx.t(Msg::ColMfa)}</th>
                        <th scope="col">{move || tx.t(Msg::ColLastLogin)}</th>
                        <th scope="col">{move || tx.t(Msg::ColCreated)}</th>
                        <th scope="col">{move || tx.t(Msg::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Changes a user's role, institution and My Number right.
#[component]
fn EditDialog(
    /// The user being changed; `None` closes the dialog.
    editing: RwSignal<Option<User>>,
    /// The roles to choose from.
    roles: Vec<Role>,
    /// The institutions to choose from.
    institutions: Vec<Institution>,
    /// The page's status line, told of success.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let role_id = RwSignal::new(String::new());
    let institution_id = RwSignal::new(String::new());
    let can_view = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    // Each time the dialog opens, start from the user's current values.
    Effect::new(move |_| {
        if let Some(user) = editing.get() {
            role_id.set(user.role_id.clone());
            institution_id.set(user.institution_id.clone());
            can_view.set(user.can_view_my_number);
            error.set(None);
            errors.set(Vec::new());
        }
    });
    let class = Memo::new(move |_| {
        editing
            .with(|user| user.as_ref().map(|u| u.user_class))
            .unwrap_or(UserClass::MunicipalStaff)
    });
    let role_options = {
        let roles = roles.clone();
        Signal::derive(move || role_options(&roles, class.get(), tx.lang()))
    };
    let institution_options = {
        let institutions = institutions.clone();
        Signal::derive(move || institution_options(&institutions, class.get()))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(user) = editing.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        let mut problems = Vec::new();
        if institution_id.get_untracked().is_empty() {
            problems.push(("edit-institution", Msg::EmptyInstitution));
        }
        if role_id.get_untracked().is_empty() {
            problems.push(("edit-role", Msg::EmptyRole));
        }
        if !problems.is_empty() {
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        let body = UserUpdate {
            role_id: role_id.get_untracked(),
            institution_id: institution_id.get_untracked(),
            can_view_my_number: can_view.get_untracked()
                && user.user_class == UserClass::MunicipalStaff,
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = staff.observe(api::update_user(&staff.code(), &user.user_id, &body).await);
            pending.set(false);
            match result {
                Ok(_) => {
                    editing.set(None);
                    status.set(Some(Msg::UserUpdated));
                    version.update(|v| *v += 1);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let is_clinic = move || class.get() == UserClass::ClinicStaff;
    view! {
        <Dialog
            open=Signal::derive(move || editing.with(Option::is_some))
            on_close=Callback::new(move |()| editing.set(None))
            labelled_by="edit-user-title"
        >
            <form class="form" novalidate on:submit=save>
                <h2 id="edit-user-title">{move || tx.t(Msg::EditUserTitle)}</h2>
                <p class="lead">
                    {move || editing.with(|user| user.as_ref().map(|u| format!("{}（{}）", u.name, u.user_id)))}
                </p>
                <ErrorSlot error />
                <SelectField
                    id="edit-institution"
                    label=Msg::LabelNewInstitution
                    value=institution_id
                    options=institution_options
                    placeholder=Msg::ChooseInstitution
                    required=true
                    error=field_error(errors, "edit-institution")
                />
                <SelectField
                    id="edit-role"
                    label=Msg::LabelNewRole
                    value=role_id
                    options=role_options
                    placeholder=Msg::ChooseRole
                    required=true
                    error=field_error(errors, "edit-role")
                />
                <div class="field">
                    <label class="choice">
                        <input
                            type="checkbox"
                            aria-describedby="edit-can-view-hint"
                            prop:disabled=is_clinic
                            bind:checked=can_view
                        />
                        {move || tx.t(Msg::LabelCanViewMyNumber)}
                    </label>
                    <p class="field__hint" id="edit-can-view-hint">
                        {move || tx.t(if is_clinic() { Msg::ClinicNoMyNumber } else { Msg::HintCanViewMyNumber })}
                    </p>
                </div>
                <div class="button-row">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::Save })}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| editing.set(None)>
                        {move || tx.t(Msg::Cancel)}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// Asks before deactivating: the user loses access at once.
#[component]
fn DeactivateDialog(
    /// The user to deactivate; `None` closes the dialog.
    deactivating: RwSignal<Option<User>>,
    /// The page's status line, told of success.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let confirm = move |_| {
        let Some(user) = deactivating.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = staff.observe(api::deactivate_user(&staff.code(), &user.user_id).await);
            pending.set(false);
            match result {
                Ok(_) => {
                    deactivating.set(None);
                    status.set(Some(Msg::UserDeactivated));
                    version.update(|v| *v += 1);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <Dialog
            open=Signal::derive(move || deactivating.with(Option::is_some))
            on_close=Callback::new(move |()| {
                deactivating.set(None);
                error.set(None);
            })
            labelled_by="deactivate-title"
        >
            <h2 id="deactivate-title">{move || tx.t(Msg::DeactivateTitle)}</h2>
            <p class="lead">
                {move || deactivating.with(|user| user.as_ref().map(|u| format!("{}（{}）", u.name, u.user_id)))}
            </p>
            <p>{move || tx.t(Msg::DeactivateBody)}</p>
            <ErrorSlot error />
            <div class="button-row">
                <button type="button" class="button button--danger" disabled=move || pending.get() on:click=confirm>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::DeactivateConfirm })}
                </button>
                <button type="button" class="button button--secondary" on:click=move |_| deactivating.set(None)>
                    {move || tx.t(Msg::Cancel)}
                </button>
            </div>
        </Dialog>
    }
}

/// The institution's name, or its id when the list does not have it.
pub fn institution_name(institutions: &[Institution], id: &str) -> String {
    institutions
        .iter()
        .find(|i| i.institution_id == id)
        .map_or_else(|| id.to_owned(), |i| i.name.clone())
}

/// Whether a role suits a class of user: clinic users hold only clinic permissions, municipal
/// staff none of them.
pub fn role_fits(role: &Role, class: UserClass) -> bool {
    match class {
        UserClass::ClinicStaff => role.permissions.iter().all(|p| p.is_clinic()),
        UserClass::MunicipalStaff => !role.permissions.iter().any(|p| p.is_clinic()),
    }
}

/// The roles a user of `class` may be given, as `(id, name)` choices.
pub fn role_options(roles: &[Role], class: UserClass, lang: Lang) -> Vec<(String, String)> {
    roles
        .iter()
        .filter(|role| role_fits(role, class))
        .map(|role| {
            let name = match lang {
                Lang::Ja => &role.name_ja,
                Lang::En => &role.name_en,
            };
            (role.role_id.clone(), name.clone())
        })
        .collect()
}

/// The institutions a user of `class` may belong to (departments or clinics), as choices.
pub fn institution_options(
    institutions: &[Institution],
    class: UserClass,
) -> Vec<(String, String)> {
    let kind = match class {
        UserClass::MunicipalStaff => InstitutionKind::Department,
        UserClass::ClinicStaff => InstitutionKind::Clinic,
    };
    institutions
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| (i.institution_id.clone(), i.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use sesshu_domain::staff::Permission;

    fn role(id: &str, permissions: &[Permission]) -> Role {
        Role {
            role_id: id.to_owned(),
            name_ja: format!("{id}（日本語）"),
            name_en: id.to_owned(),
            permissions: permissions.to_vec(),
            builtin: true,
        }
    }

    fn institution(id: &str, kind: InstitutionKind) -> Institution {
        Institution {
            institution_id: id.to_owned(),
            kind,
            name: format!("{id} name"),
            duties: Vec::new(),
            institution_code: None,
        }
    }

    #[test]
    fn clinic_users_are_offered_only_clinic_roles_and_staff_only_the_others() {
        let roles = [
            role(
                "admin",
                &[Permission::ManageUsers, Permission::ViewAuditLog],
            ),
            role(
                "doctor",
                &[Permission::ReadQuestionnaire, Permission::RecordVaccination],
            ),
        ];
        let clinic: Vec<_> = role_options(&roles, UserClass::ClinicStaff, Lang::En)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(clinic, ["doctor"]);
        let staff = role_options(&roles, UserClass::MunicipalStaff, Lang::Ja);
        assert_eq!(staff, [("admin".to_owned(), "admin（日本語）".to_owned())]);
    }

    #[test]
    fn users_are_offered_departments_or_clinics_by_class() {
        let institutions = [
            institution("D01", InstitutionKind::Department),
            institution("C0110113719", InstitutionKind::Clinic),
        ];
        assert_eq!(
            institution_options(&institutions, UserClass::ClinicStaff),
            [("C0110113719".to_owned(), "C0110113719 name".to_owned())]
        );
        assert_eq!(
            institution_options(&institutions, UserClass::MunicipalStaff)[0].0,
            "D01"
        );
    }

    #[test]
    fn unknown_institutions_show_their_id() {
        let institutions = [institution("D01", InstitutionKind::Department)];
        assert_eq!(institution_name(&institutions, "D01"), "D01 name");
        assert_eq!(institution_name(&institutions, "D99"), "D99");
    }
}
