//! The control flags of a person (リカバリー, 不開示, 閲覧停止): what they do, whether the
//! person is hidden from the resident now, and (for editors) the toggles.

use crate::api::{self, StaffError};
use crate::components::ErrorSlot;
use crate::pages::person_detail::DetailContext;
use crate::pages::person_edit::ChangedMeanwhile;
use crate::pages::person_form::{FlagCheckbox, changed_meanwhile};
use crate::pages::persons::FlagTags;
use crate::session::use_current_staff;
use crate::text::{Msg, use_tx};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_domain::person::ControlFlags;
use sesshu_domain::staff_persons::ControlFlagsUpdate;

/// The flags section. Saving updates the page's version and flags in place, so the edit form
/// and a later save work from them.
#[component]
pub fn FlagsSection(
    /// Whose flags.
    subject_no: String,
    /// The saved flags.
    flags: RwSignal<ControlFlags>,
    /// The version to save against.
    version: RwSignal<u64>,
    /// Bumped after a save, so the history shows it.
    history_version: RwSignal<u32>,
    /// The page's shared state.
    context: DetailContext,
    /// Whether the user may change them.
    may_edit: bool,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let saved = flags.get_untracked();
    let recovery = RwSignal::new(saved.recovery);
    let non_disclosure = RwSignal::new(saved.non_disclosure);
    let viewing_suspended = RwSignal::new(saved.viewing_suspended);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let conflict = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let wanted = ControlFlags {
            recovery: recovery.get_untracked(),
            non_disclosure: non_disclosure.get_untracked(),
            viewing_suspended: viewing_suspended.get_untracked(),
        };
        let body = ControlFlagsUpdate {
            control_flags: wanted,
            version: version.get_untracked(),
        };
        pending.set(true);
        error.set(None);
        conflict.set(false);
        let subject_no = subject_no.clone();
        spawn_local(async move {
            let result =
                staff.observe(api::set_control_flags(&staff.code(), &subject_no, &body).await);
            pending.set(false);
            match result {
                Ok(done) => {
                    version.set(done.version);
                    flags.set(wanted);
                    history_version.update(|n| *n += 1);
                    context.status.set(Some(Msg::FlagsSaved));
                }
                Err(failure) if changed_meanwhile(&failure) => conflict.set(true),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let hidden = move || flags.get().hides_from_resident();
    view! {
        <section class="card" aria-labelledby="flags-title">
            <h2 id="flags-title">{move || tx.t(Msg::FlagsTitle)}</h2>
            <p id="flags-lead">{move || tx.t(Msg::FlagsLead)}</p>
            <Show when=hidden>
                <p class="notice notice--warning">{move || tx.t(Msg::HiddenFromResident)}</p>
            </Show>
            {if may_edit {
                view! {
                    <form class="form" novalidate on:submit=submit>
                        <fieldset class="choices" aria-describedby="flags-lead">
                            <legend>{move || tx.t(Msg::LabelControlFlags)}</legend>
                            <FlagCheckbox id="flag-recovery" label=Msg::FlagRecovery hint=Msg::HintRecovery checked=recovery />
                            <FlagCheckbox id="flag-non-disclosure" label=Msg::FlagNonDisclosure hint=Msg::HintNonDisclosure checked=non_disclosure />
                            <FlagCheckbox id="flag-viewing-suspended" label=Msg::FlagViewingSuspended hint=Msg::HintViewingSuspended checked=viewing_suspended />
                        </fieldset>
                        <ErrorSlot error />
                        <Show when=move || conflict.get()>
                            <ChangedMeanwhile context />
                        </Show>
                        <div class="button-row">
                            <button type="submit" class="button button--primary" disabled=move || pending.get()>
                                {move || tx.t(if pending.get() { Msg::Working } else { Msg::SaveFlags })}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            } else {
                view! { {move || view! { <FlagTags flags=flags.get() /> }} }.into_any()
            }}
        </section>
    }
}
