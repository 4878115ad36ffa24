use crate::api::{self, StaffError};
use crate::components::{
    ErrorNotice, ErrorSlot, FieldErrors, LiveStatus, PageHeading, RequirePermission, TextField,
    field_error, focus_first_error, focus_when_mounted,
};
use crate::session::use_current_staff;
use crate::shell::ROLES;
use crate::text::{Msg, permission_label, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_domain::staff::{Permission, Role, RoleInput};

/// What the role form is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Editing {
    /// Closed.
    None,
    /// A new role (empty, or a copy of another).
    New,
    /// Changing the custom role with this id.
    Existing(String),
}

/// `/admin/roles`: the roles with their permissions as labels; create a custom role (empty or
/// copied from another) or change one, with a checkbox per permission.
#[component]
pub fn RolesPage() -> impl IntoView {
    use_title(Msg::RolesTitle);
    view! {
        <RequirePermission any=ROLES>
            <Roles />
        </RequirePermission>
    }
}

#[component]
fn Roles() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let version = RwSignal::new(0u32);
    let roles = LocalResource::new(move || {
        version.track();
        let code = staff.code();
        async move { staff.observe(api::roles(&code).await) }
    });
    let editing = RwSignal::new(Editing::None);
    let name_ja = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let permissions = RwSignal::new(Vec::<Permission>::new());
    let status = RwSignal::new(None::<Msg>);
    let open_form = move |mode: Editing, ja: String, en: String, granted: Vec<Permission>| {
        name_ja.set(ja);
        name_en.set(en);
        permissions.set(granted);
        status.set(None);
        editing.set(mode);
    };
    view! {
        <PageHeading msg=Msg::RolesTitle />
        <p class="lead">{move || tx.t(Msg::RolesLead)}</p>
        <LiveStatus message=status />
        <div class="button-row">
            <button
                type="button"
                class="button button--primary"
                on:click=move |_| open_form(Editing::New, String::new(), String::new(), Vec::new())
            >
                {move || tx.t(Msg::NewRole)}
            </button>
        </div>
        <Show when=move || editing.get() != Editing::None>
            <RoleForm editing name_ja name_en permissions status version />
        </Show>
        {move || match roles.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p>{move || tx.t(Msg::NoRoles)}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="card-list">
                    {list
                        .into_iter()
                        .map(|role| {
                            let Role { role_id, name_ja: ja, name_en: en, permissions: granted, builtin } = role;
                            let (copy_ja, copy_en, copy_granted) = (ja.clone(), en.clone(), granted.clone());
                            let labels = granted.clone();
                            let edit = move |_| {
                                let mode = if builtin {
                                    Editing::New
                                } else {
                                    Editing::Existing(role_id.clone())
                                };
                                let (ja, en) = if builtin {
                                    copy_names(&copy_ja, &copy_en)
                                } else {
                                    (copy_ja.clone(), copy_en.clone())
                                };
                                open_form(mode, ja, en, copy_granted.clone());
                            };
                            let name = {
                                let (ja, en) = (ja.clone(), en.clone());
                                move || tx.pick(&ja, &en).to_owned()
                            };
                            let name_for_button = {
                                let (ja, en) = (ja.clone(), en.clone());
                                move || format!(" {}", tx.pick(&ja, &en))
                            };
                            view! {
                                <li class="card role-card">
                                    <h2 class="card__title">
                                        {name} " "
                                        <span class=if builtin { "tag tag--muted" } else { "tag" }>
                                            {move || tx.t(if builtin { Msg::Builtin } else { Msg::Custom })}
                                        </span>
                                    </h2>
                                    {if labels.is_empty() {
                                        view! { <p>{move || tx.t(Msg::NoPermissions)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="tag-list" aria-label=move || tx.t(Msg::LabelPermissions)>
                                                {labels
                                                    .into_iter()
                                                    .map(|p| view! {
                                                        <li class="tag">{move || permission_label(tx.lang(), p)}</li>
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        }
                                        .into_any()
                                    }}
                                    <div class="button-row">
                                        <button type="button" class="button button--secondary button--small" on:click=edit>
                                            {move || tx.t(if builtin { Msg::CopyRole } else { Msg::EditRole })}
                                            <span class="visually-hidden">{name_for_button}</span>
                                        </button>
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}

/// The create/change form: both names and a checkbox per permission.
#[component]
fn RoleForm(
    /// New or existing; the form shows while not `None`.
    editing: RwSignal<Editing>,
    /// The Japanese name.
    name_ja: RwSignal<String>,
    /// The English name.
    name_en: RwSignal<String>,
    /// The permissions ticked.
    permissions: RwSignal<Vec<Permission>>,
    /// The page's status line.
    status: RwSignal<Option<Msg>>,
    /// Bumped to reload the list.
    version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let body = RoleInput {
            name_ja: name_ja.get_untracked().trim().to_owned(),
            name_en: name_en.get_untracked().trim().to_owned(),
            permissions: in_canonical_order(&permissions.get_untracked()),
        };
        let mut problems = Vec::new();
        if body.name_ja.is_empty() {
            problems.push(("role-name-ja", Msg::EmptyRoleName));
        }
        if body.name_en.is_empty() {
            problems.push(("role-name-en", Msg::EmptyRoleName));
        }
        if !problems.is_empty() {
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        error.set(None);
        pending.set(true);
        let mode = editing.get_untracked();
        spawn_local(async move {
            let code = staff.code();
            let result = match &mode {
                Editing::Existing(role_id) => api::update_role(&code, role_id, &body).await,
                Editing::New | Editing::None => api::create_role(&code, &body).await,
            };
            pending.set(false);
            match staff.observe(result) {
                Ok(_) => {
                    editing.set(Editing::None);
                    status.set(Some(Msg::RoleSaved));
                    version.update(|v| *v += 1);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let toggle = move |permission: Permission, on: bool| {
        permissions.update(|granted| {
            granted.retain(|p| *p != permission);
            if on {
                granted.push(permission);
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="role-form-title">
            <h2 id="role-form-title" tabindex="-1" node_ref=heading>
                {move || tx.t(match editing.get() {
                    Editing::Existing(_) => Msg::RoleFormEdit,
                    _ => Msg::RoleFormCreate,
                })}
            </h2>
            <ErrorSlot error />
            <form class="form" novalidate on:submit=submit>
                <TextField
                    id="role-name-ja"
                    label=Msg::LabelRoleNameJa
                    value=name_ja
                    autocomplete="off"
                    required=true
                    error=field_error(errors, "role-name-ja")
                />
                <TextField
                    id="role-name-en"
                    label=Msg::LabelRoleNameEn
                    value=name_en
                    autocomplete="off"
                    required=true
                    error=field_error(errors, "role-name-en")
                />
                <fieldset class="choices">
                    <legend>{move || tx.t(Msg::LabelPermissions)}</legend>
                    {Permission::ALL
                        .into_iter()
                        .map(|permission| view! {
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    name="role-permission"
                                    value=permission.code()
                                    prop:checked=move || permissions.with(|granted| granted.contains(&permission))
                                    on:change:target=move |ev| toggle(permission, ev.target().checked())
                                />
                                {move || permission_label(tx.lang(), permission)}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <div class="button-row">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::Save })}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| editing.set(Editing::None)>
                        {move || tx.t(Msg::Cancel)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The names of a copy: `〇〇のコピー` / `Copy of …`.
fn copy_names(ja: &str, en: &str) -> (String, String) {
    (format!("{ja}のコピー"), format!("Copy of {en}"))
}

/// The permissions in the order of [`Permission::ALL`], without repeats, so the same role
/// always travels the same way.
fn in_canonical_order(granted: &[Permission]) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|p| granted.contains(p))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn permissions_travel_in_one_order_without_repeats() {
        let granted = [
            Permission::ViewAuditLog,
            Permission::ViewPersons,
            Permission::ViewAuditLog,
        ];
        assert_eq!(
            in_canonical_order(&granted),
            [Permission::ViewPersons, Permission::ViewAuditLog]
        );
    }

    #[test]
    fn copies_are_named_as_copies() {
        assert_eq!(
            copy_names("管理者", "Administrator"),
            (
                "管理者のコピー".to_owned(),
                "Copy of Administrator".to_owned()
            )
        );
    }
}
