//! Two sections of a person's detail page: their vaccination schedule (each series' status,
//! why, and when the next dose may be given, with 勧奨情報) and the notices (接種勧奨) sent
//! to them with where delivery stands.

use crate::api;
use crate::components::ErrorNotice;
use crate::session::use_current_staff;
use crate::text::{
    Msg, delivery_reason_label, format_attempts, japan_time, schedule_status_label,
    schedule_status_tag, use_tx,
};
use leptos::prelude::*;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_domain::schedule::Status;
use sesshu_domain::schedule_api::{DeliveryState, PersonSchedule, ScheduleEntry, StaffNotice};

/// The person's schedule today, as the engine sees their records.
#[component]
pub fn ScheduleSection(
    /// Whose schedule.
    subject_no: String,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let schedule = LocalResource::new(move || {
        let code = staff.code();
        let subject_no = subject_no.clone();
        async move { staff.observe(api::person_schedule(&code, &subject_no).await) }
    });
    view! {
        <section class="card" aria-labelledby="schedule-title">
            <h2 id="schedule-title">{move || tx.t(Msg::ScheduleTitle)}</h2>
            <p>{move || tx.t(Msg::ScheduleLead)}</p>
            {move || match schedule.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(schedule)) => view! { <Schedule schedule /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Schedule(
    /// The loaded schedule.
    schedule: PersonSchedule,
) -> impl IntoView {
    let tx = use_tx();
    let show_all = RwSignal::new(false);
    let PersonSchedule {
        on,
        entries,
        recommendation,
        ..
    } = schedule;
    let entries = StoredValue::new(entries);
    let rows = move || {
        let all = show_all.get();
        entries.with_value(|entries| {
            entries
                .iter()
                .filter(|e| all || e.status.status != Status::NotApplicable)
                .cloned()
                .map(|entry| view! { <ScheduleRow entry /> })
                .collect_view()
        })
    };
    let any = move || {
        let all = show_all.get();
        entries.with_value(|entries| {
            entries
                .iter()
                .any(|e| all || e.status.status != Status::NotApplicable)
        })
    };
    let on = on.to_string();
    view! {
        <dl class="facts">
            <div class="facts__row">
                <dt>{move || tx.t(Msg::RecommendationInfo)}</dt>
                <dd>
                    {match recommendation {
                        Some(r) => {
                            let day = r.recommended_on.to_string();
                            view! {
                                {move || tx.t(Msg::LabelRecommendedOn)} " " {day} "（"
                                {move || tx.t(Msg::LabelRuleId)} " " <span class="code">{r.rule_id.clone()}</span> "）"
                            }
                            .into_any()
                        }
                        None => view! { {move || tx.t(Msg::NoRecommendation)} }.into_any(),
                    }}
                </dd>
            </div>
        </dl>
        <label class="choice">
            <input type="checkbox" id="schedule-show-all" bind:checked=show_all />
            {move || tx.t(Msg::ShowNotApplicable)}
        </label>
        {move || if any() {
            let on = on.clone();
            view! {
                <div class="table-wrap" role="region" aria-labelledby="schedule-caption" tabindex="0">
                    <table class="table">
                        <caption id="schedule-caption">
                            {move || tx.t(Msg::ScheduleTitle)} " (" {on.clone()} ")"
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">{move || tx.t(Msg::LabelVaccination)}</th>
                                <th scope="col">{move || tx.t(Msg::LabelWorklistStatus)}</th>
                                <th scope="col">{move || tx.t(Msg::ColReason)}</th>
                                <th scope="col">{move || tx.t(Msg::ColDoses)}</th>
                                <th scope="col">{move || tx.t(Msg::ColNextDose)}</th>
                                <th scope="col">{move || tx.t(Msg::ColEarliest)}</th>
                                <th scope="col">{move || tx.t(Msg::ColRecommendedDay)}</th>
                                <th scope="col">{move || tx.t(Msg::ColLatest)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        } else {
            view! { <p>{move || tx.t(Msg::NoScheduleEntries)}</p> }.into_any()
        }}
    }
}

/// One series: its name, status, reason and the next dose's dates.
#[component]
fn ScheduleRow(
    /// The series for this person.
    entry: ScheduleEntry,
) -> impl IntoView {
    let tx = use_tx();
    let ScheduleEntry {
        status,
        name_ja,
        name_en,
    } = entry;
    let code = status.status.code();
    let reason = status.reason;
    let next = status.next_dose.clone();
    let label = next.as_ref().map(|n| {
        (
            n.label_ja.as_str().to_owned(),
            n.label_en.as_str().to_owned(),
        )
    });
    let dash = || "—".to_owned();
    let earliest = next.as_ref().map_or_else(dash, |n| n.earliest.to_string());
    let recommended = next
        .as_ref()
        .map_or_else(dash, |n| n.recommended.to_string());
    let latest = next.as_ref().map(|n| n.latest.map(|d| d.to_string()));
    view! {
        <tr>
            <th scope="row">{move || tx.pick(&name_ja, &name_en).to_owned()}</th>
            <td><span class=schedule_status_tag(code)>{move || schedule_status_label(tx.lang(), code)}</span></td>
            <td>{move || match tx.lang() { Lang::Ja => reason.ja(), Lang::En => reason.en() }}</td>
            <td class="nowrap">{format!("{} / {}", status.doses_counted, status.doses_required)}</td>
            <td>{move || label.as_ref().map_or_else(dash, |(ja, en)| tx.pick(ja, en).to_owned())}</td>
            <td class="nowrap">{earliest}</td>
            <td class="nowrap">{recommended}</td>
            <td class="nowrap">
                {move || match &latest {
                    None => dash(),
                    Some(None) => tx.t(Msg::NoEndDate).to_owned(),
                    Some(Some(day)) => day.clone(),
                }}
            </td>
        </tr>
    }
}

/// The notices sent to the person, newest first, with where delivery stands.
#[component]
pub fn NoticesSection(
    /// Whose notices.
    subject_no: String,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let notices = LocalResource::new(move || {
        let code = staff.code();
        let subject_no = subject_no.clone();
        async move { staff.observe(api::person_notices(&code, &subject_no).await) }
    });
    view! {
        <section class="card" aria-labelledby="notices-title">
            <h2 id="notices-title">{move || tx.t(Msg::NoticesTitle)}</h2>
            {move || match notices.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p>{move || tx.t(Msg::NoNotices)}</p> }.into_any()
                }
                Some(Ok(list)) => view! { <NoticeTable notices=list /> }.into_any(),
            }}
        </section>
    }
}

/// The tag of a delivery state, and its words.
fn delivery_look(state: DeliveryState) -> (&'static str, Msg) {
    match state {
        DeliveryState::Pending => ("tag tag--muted", Msg::DeliveryPending),
        DeliveryState::Delivered => ("tag", Msg::DeliveryDelivered),
        DeliveryState::Failed => ("tag tag--attention", Msg::DeliveryFailed),
        DeliveryState::Suppressed => ("tag tag--muted", Msg::DeliverySuppressed),
    }
}

#[component]
fn NoticeTable(
    /// The notices, newest first.
    notices: Vec<StaffNotice>,
) -> impl IntoView {
    let tx = use_tx();
    let rows = notices
        .into_iter()
        .map(|notice| {
            let StaffNotice {
                rule_id,
                recommended_on,
                created_at,
                title_ja,
                delivery,
                read,
                ..
            } = notice;
            let (tag, state) = delivery_look(delivery.state);
            let reason = delivery.reason.clone();
            let attempts = delivery.attempts;
            let when = delivery
                .delivered_at
                .map(japan_time)
                .unwrap_or_else(|| japan_time(created_at));
            let next = delivery.next_attempt_at.map(japan_time);
            view! {
                <tr>
                    <td class="nowrap">{recommended_on.to_string()}</td>
                    <th scope="row">{title_ja}</th>
                    <td class="code">{rule_id}</td>
                    <td>
                        <span class=tag>{move || tx.t(state)}</span>
                        {reason.map(|reason| view! {
                            <span class="cell-sub">{move || delivery_reason_label(tx.lang(), &reason)}</span>
                        })}
                        <span class="cell-sub">{when} " · " {move || format_attempts(tx.lang(), attempts)}</span>
                        {next.map(|next| view! {
                            <span class="cell-sub">{move || tx.t(Msg::NextAttempt)} ": " {next.clone()}</span>
                        })}
                    </td>
                    <td>{move || tx.t(if read { Msg::Yes } else { Msg::No })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="notices-caption" tabindex="0">
            <table class="table">
                <caption id="notices-caption">{move || tx.t(Msg::NoticesTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::LabelRecommendedOn)}</th>
                        <th scope="col">{move || tx.t(Msg::ColNoticeTitle)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelRuleId)}</th>
                        <th scope="col">{move || tx.t(Msg::ColDelivery)}</th>
                        <th scope="col">{move || tx.t(Msg::ColRead)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
