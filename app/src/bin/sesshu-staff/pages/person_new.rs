use crate::api::{self, StaffError};
use crate::components::{ErrorSlot, PageHeading, RequirePermission};
use crate::pages::person_form::{FormMode, PersonFormFields, PersonFormState};
use crate::session::use_current_staff;
use crate::shell::EDIT_PERSONS;
use crate::text::{Msg, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use sesshu_app::api::encode_path_segment;
use sesshu_domain::person_input::PersonFields;
use sesshu_domain::staff_persons::PersonCreate;

/// `/admin/persons/new`: registers one person by hand. On success the detail page opens, which
/// says so and lists possible duplicates; refused fields are marked where they are.
#[component]
pub fn NewPersonPage() -> impl IntoView {
    use_title(Msg::NewPersonTitle);
    view! {
        <RequirePermission any=EDIT_PERSONS>
            <NewPerson />
        </RequirePermission>
    }
}

#[component]
fn NewPerson() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let navigate = use_navigate();
    // The municipality's own code and the usual category and exemption, as most people have.
    let state = PersonFormState::new(&PersonFields {
        municipality_code: staff.code(),
        subject_category: "1".to_owned(),
        fee_exemption: "0".to_owned(),
        ..PersonFields::default()
    });
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        state.clear_errors();
        error.set(None);
        pending.set(true);
        let body = PersonCreate {
            fields: state.fields(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = staff.observe(api::create_person(&staff.code(), &body).await);
            pending.set(false);
            match result {
                Ok(saved) => navigate(
                    &format!(
                        "/admin/persons/{}?saved=new",
                        encode_path_segment(&saved.subject_no)
                    ),
                    NavigateOptions::default(),
                ),
                Err(failure) => {
                    state.show_failure(&failure);
                    error.set(Some(failure));
                }
            }
        });
    };
    view! {
        <PageHeading msg=Msg::NewPersonTitle />
        <p class="lead">{move || tx.t(Msg::NewPersonLead)}</p>
        <p>
            <a href="/admin/persons">{move || tx.t(Msg::BackToSearch)}</a>
        </p>
        <form class="form form--narrow" novalidate on:submit=submit>
            <ErrorSlot error />
            <PersonFormFields state mode=FormMode::Create />
            <div class="button-row">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::RegisterPerson })}
                </button>
            </div>
        </form>
    }
}
