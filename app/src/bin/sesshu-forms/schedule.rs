//! A person's vaccinations that are due or coming (`GET …/people/{person}/schedule`): each with
//! its status in words and the earliest, recommended and latest dates, as the schedule engine
//! computed them on the server.

use leptos::prelude::*;
use sesshu_app::components::Loading;
use sesshu_app::i18n::format_date;
use sesshu_domain::schedule::Status;
use sesshu_domain::schedule_api::ScheduleEntry;

use crate::api;
use crate::components::ErrorNotice;
use crate::text::{Msg, use_tx};

/// The section "接種の予定" for one person.
#[component]
pub fn DueSchedule(
    /// The person's session handle.
    handle: String,
) -> impl IntoView {
    let tx = use_tx();
    let schedule = LocalResource::new(move || {
        let handle = handle.clone();
        async move { api::schedule(&handle).await }
    });
    view! {
        <section class="qn-block" aria-labelledby="schedule-title">
            <h2 id="schedule-title">{move || tx.t(Msg::ScheduleTitle)}</h2>
            {move || match schedule.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(found)) => {
                    let entries: Vec<ScheduleEntry> = found
                        .people
                        .into_iter()
                        .flat_map(|person| person.entries)
                        .filter(|entry| status_msg(entry.status.status).is_some())
                        .collect();
                    if entries.is_empty() {
                        view! { <p>{move || tx.t(Msg::NoSchedule)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="record-list">
                                {entries.into_iter().map(|entry| view! { <DueCard entry /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                }
            }}
        </section>
    }
}

/// The words for a status a resident should act on; `None` for the ones the list leaves out
/// (complete, past eligibility, not applicable).
pub fn status_msg(status: Status) -> Option<Msg> {
    match status {
        Status::DueNow => Some(Msg::DueNow),
        Status::Overdue => Some(Msg::Overdue),
        Status::Upcoming { .. } => Some(Msg::Upcoming),
        Status::TooEarly => Some(Msg::TooEarly),
        Status::IntervalNotMet => Some(Msg::IntervalNotMet),
        Status::Complete | Status::PastEligibility | Status::NotApplicable => None,
    }
}

/// One vaccination: name with the dose, its status in words, and its dates.
#[component]
fn DueCard(
    /// The series as the server evaluated it.
    entry: ScheduleEntry,
) -> impl IntoView {
    let tx = use_tx();
    let ScheduleEntry {
        status,
        name_ja,
        name_en,
    } = entry;
    let state = status_msg(status.status).unwrap_or(Msg::DueNow);
    let next = status.next_dose;
    let dose = next
        .as_ref()
        .map(|n| (n.label_ja.to_string(), n.label_en.to_string()));
    let dates = next.map(|n| {
        let latest = move || {
            n.latest.map_or_else(
                || tx.t(Msg::NoEndDate).to_owned(),
                |d| format_date(tx.lang(), d),
            )
        };
        view! {
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelEarliest)}</dt>
                    <dd>{move || format_date(tx.lang(), n.earliest)}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelRecommended)}</dt>
                    <dd>{move || format_date(tx.lang(), n.recommended)}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelLatest)}</dt>
                    <dd>{latest}</dd>
                </div>
            </dl>
        }
    });
    view! {
        <li class="card due-card">
            <h3 class="card__title">
                {move || tx.pick(&name_ja, &name_en).to_owned()}
                {dose.map(|(ja, en)| view! {
                    " " <span class="due-card__dose">{move || tx.pick(&ja, &en).to_owned()}</span>
                })}
            </h3>
            <p class="due-card__state">
                <span class=format!("tag tag--{}", status.status.code())>{move || tx.t(state)}</span>
            </p>
            {dates}
        </li>
    }
}
