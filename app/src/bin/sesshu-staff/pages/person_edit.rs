//! Editing a person on the detail page: the entry form filled in, saved against the version
//! read, and what to do when someone else saved first.

use crate::api::{self, StaffError};
use crate::components::{ErrorSlot, focus_by_id, focus_when_mounted};
use crate::pages::person_detail::DetailContext;
use crate::pages::person_form::{FormMode, PersonFormFields, PersonFormState, changed_meanwhile};
use crate::session::use_current_staff;
use crate::text::{Msg, use_tx};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_domain::person::ControlFlags;
use sesshu_domain::staff_persons::{PersonRecordView, PersonUpdate};

/// The edit form in place of the facts. Control flags are not in it (they have their own
/// section) but are sent as they currently are, so an edit never undoes a flag just saved.
#[component]
pub fn EditForm(
    /// The person as loaded (My Number masked).
    view: PersonRecordView,
    /// The version to save against (moves on when the flags are saved).
    version: RwSignal<u64>,
    /// The current control flags.
    flags: RwSignal<ControlFlags>,
    /// Cleared to go back to the facts.
    editing: RwSignal<bool>,
    /// The page's shared state.
    context: DetailContext,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let subject_no = view.person.subject_no.clone();
    let state = PersonFormState::new(&view.fields);
    let may_change_my_number = staff.may_view_my_number();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let conflict = RwSignal::new(false);
    let heading = NodeRef::<html::H2>::new();
    focus_when_mounted(heading);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        state.clear_errors();
        error.set(None);
        conflict.set(false);
        let current = flags.get_untracked();
        let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
        let mut fields = state.fields();
        fields.recovery = flag(current.recovery);
        fields.non_disclosure = flag(current.non_disclosure);
        fields.viewing_suspended = flag(current.viewing_suspended);
        let body = PersonUpdate {
            fields,
            version: version.get_untracked(),
        };
        pending.set(true);
        let subject_no = subject_no.clone();
        spawn_local(async move {
            let result = staff.observe(api::update_person(&staff.code(), &subject_no, &body).await);
            pending.set(false);
            match result {
                Ok(_) => {
                    context.status.set(Some(Msg::PersonUpdated));
                    context.reload_then_focus(Some("person-data-title"));
                }
                Err(failure) if changed_meanwhile(&failure) => conflict.set(true),
                Err(failure) => {
                    state.show_failure(&failure);
                    error.set(Some(failure));
                }
            }
        });
    };
    let cancel = move |_| {
        editing.set(false);
        request_animation_frame(|| focus_by_id("person-edit-button"));
    };
    view! {
        <section class="card" aria-labelledby="person-edit-title">
            <h2 id="person-edit-title" tabindex="-1" node_ref=heading>
                {move || tx.t(Msg::EditPersonTitle)}
            </h2>
            <form class="form form--narrow" novalidate on:submit=submit>
                <ErrorSlot error />
                <Show when=move || conflict.get()>
                    <ChangedMeanwhile context />
                </Show>
                <PersonFormFields state mode=FormMode::Edit { may_change_my_number } />
                <div class="button-row">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::Save })}
                    </button>
                    <button type="button" class="button button--secondary" on:click=cancel>
                        {move || tx.t(Msg::Cancel)}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Someone else saved this person first: nothing was saved; reload to see their change.
#[component]
pub fn ChangedMeanwhile(
    /// The page's shared state, to reload it.
    context: DetailContext,
) -> impl IntoView {
    let tx = use_tx();
    view! {
        <section class="notice notice--warning" role="alert">
            <h3 class="notice__title">{move || tx.t(Msg::ChangedMeanwhileTitle)}</h3>
            <p>{move || tx.t(Msg::ChangedMeanwhileBody)}</p>
            <div class="button-row">
                <button
                    type="button"
                    class="button button--primary"
                    on:click=move |_| context.reload_then_focus(Some("person-data-title"))
                >
                    {move || tx.t(Msg::Reload)}
                </button>
            </div>
        </section>
    }
}
