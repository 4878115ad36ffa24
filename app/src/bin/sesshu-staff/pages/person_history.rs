//! A person's change history on the detail page: newest first, each change with when, who,
//! what kind, and each field's old and new value (My Number masked by the server).

use crate::api;
use crate::components::{DateTime, ErrorNotice};
use crate::session::use_current_staff;
use crate::text::{Msg, field_name_label, history_kind_label, history_value, use_tx};
use leptos::prelude::*;
use sesshu_app::components::Loading;
use sesshu_domain::staff_persons::{FieldChange, PersonHistoryEntry};

/// The history section; reloads when `history_version` moves.
#[component]
pub fn HistorySection(
    /// Whose history.
    subject_no: String,
    /// Bumped after a change made on this page.
    history_version: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let entries = LocalResource::new(move || {
        history_version.track();
        let code = staff.code();
        let subject_no = subject_no.clone();
        async move { staff.observe(api::person_history(&code, &subject_no).await) }
    });
    view! {
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">{move || tx.t(Msg::HistoryTitle)}</h2>
            {move || match entries.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p>{move || tx.t(Msg::NoHistory)}</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <ol class="history">
                        {list.into_iter().map(|entry| view! { <HistoryEntry entry /> }).collect_view()}
                    </ol>
                }
                .into_any(),
            }}
        </section>
    }
}

/// One change.
#[component]
fn HistoryEntry(
    /// The change.
    entry: PersonHistoryEntry,
) -> impl IntoView {
    let tx = use_tx();
    let PersonHistoryEntry {
        at,
        actor,
        kind,
        changes,
    } = entry;
    view! {
        <li class="history__entry">
            <p class="history__head">
                <strong>{move || history_kind_label(tx.lang(), &kind)}</strong>
                " "
                <DateTime value=at />
                " "
                <span class="history__actor">
                    {move || tx.t(Msg::ChangedBy)} ": " <span class="code">{actor.clone()}</span>
                </span>
            </p>
            {(!changes.is_empty()).then(|| view! {
                <ul class="history__changes">
                    {changes.into_iter().map(|change| view! { <Change change /> }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// One field's change: `field: old → new`.
#[component]
fn Change(
    /// The change.
    change: FieldChange,
) -> impl IntoView {
    let tx = use_tx();
    let FieldChange { field, old, new } = change;
    let name = field.clone();
    let old_field = field.clone();
    view! {
        <li>
            {move || field_name_label(tx.lang(), &name)} ": "
            <span>{move || history_value(tx.lang(), &old_field, old.as_deref())}</span>
            " → "
            <span>{move || history_value(tx.lang(), &field, new.as_deref())}</span>
        </li>
    }
}
