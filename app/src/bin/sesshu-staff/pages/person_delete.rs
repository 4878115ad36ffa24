//! Deleting a person from the detail page, after a confirmation that says what is erased and
//! what is kept for the legal retention period.

use crate::api::{self, StaffError};
use crate::components::{Dialog, ErrorSlot};
use crate::pages::person_detail::DetailContext;
use crate::pages::person_edit::ChangedMeanwhile;
use crate::pages::person_form::changed_meanwhile;
use crate::session::use_current_staff;
use crate::text::{Msg, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The delete section: what deleting means, and the button that asks first.
#[component]
pub fn DeleteSection(
    /// Whom to delete.
    subject_no: String,
    /// The version the person confirms against.
    version: RwSignal<u64>,
    /// The page's shared state.
    context: DetailContext,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let open = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let conflict = RwSignal::new(false);
    let close = move || {
        open.set(false);
        error.set(None);
        conflict.set(false);
    };
    let confirm = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        conflict.set(false);
        let subject_no = subject_no.clone();
        spawn_local(async move {
            let result = staff.observe(
                api::delete_person(&staff.code(), &subject_no, version.get_untracked()).await,
            );
            pending.set(false);
            match result {
                Ok(()) => {
                    open.set(false);
                    context.was_deleted();
                }
                Err(failure) if changed_meanwhile(&failure) => conflict.set(true),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="delete-title">
            <h2 id="delete-title">{move || tx.t(Msg::DeleteSectionTitle)}</h2>
            <p>{move || tx.t(Msg::DeleteLead)}</p>
            <div class="button-row">
                <button type="button" class="button button--danger" on:click=move |_| open.set(true)>
                    {move || tx.t(Msg::DeletePerson)}
                </button>
            </div>
            <Dialog open=open.into() on_close=Callback::new(move |()| close()) labelled_by="delete-dialog-title">
                <h2 id="delete-dialog-title">{move || tx.t(Msg::DeleteTitle)}</h2>
                <p>{move || tx.t(Msg::DeleteBody)}</p>
                <ErrorSlot error />
                <Show when=move || conflict.get()>
                    <ChangedMeanwhile context />
                </Show>
                <div class="button-row">
                    <button type="button" class="button button--danger" disabled=move || pending.get() on:click=confirm>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::DeleteConfirm })}
                    </button>
                    <button type="button" class="button button--secondary" on:click=move |_| close()>
                        {move || tx.t(Msg::Cancel)}
                    </button>
                </div>
            </Dialog>
        </section>
    }
}
