use crate::api::{self, StaffError};
use crate::components::{
    DateTime, ErrorNotice, ErrorSlot, LiveStatus, PageHeading, RequirePermission,
};
use crate::session::use_current_staff;
use crate::shell::{EDIT_PERSONS, PERSONS};
use crate::text::{Msg, format_count, use_title, use_tx};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::api::encode_path_segment;
use sesshu_app::components::Loading;
use sesshu_domain::staff_persons::{PmhFailure, PmhOverview};

/// `/admin/pmh`: how many people wait for a PMH key, who failed and why, and (for editors) the
/// retry of the failed ones.
#[component]
pub fn PmhPage() -> impl IntoView {
    use_title(Msg::PmhTitle);
    view! {
        <RequirePermission any=PERSONS probe="pmh">
            <Pmh />
        </RequirePermission>
    }
}

#[component]
fn Pmh() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    // A retry answers with the new overview, which replaces the loaded one.
    let retried = RwSignal::new(None::<PmhOverview>);
    let overview = LocalResource::new(move || {
        let code = staff.code();
        async move { staff.observe(api::pmh_overview(&code).await) }
    });
    let current = move || match retried.get() {
        Some(overview) => Some(Ok(overview)),
        None => overview.get(),
    };
    let status = RwSignal::new(None::<Msg>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let retry = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        status.set(None);
        spawn_local(async move {
            let result = staff.observe(api::pmh_retry(&staff.code()).await);
            pending.set(false);
            match result {
                Ok(overview) => {
                    retried.set(Some(overview));
                    status.set(Some(Msg::PmhRetried));
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <PageHeading msg=Msg::PmhTitle />
        <p class="lead">{move || tx.t(Msg::PmhLead)}</p>
        <LiveStatus message=status />
        {move || match current() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(overview)) => view! { <Overview overview /> }.into_any(),
        }}
        <Show when=move || staff.has_any(EDIT_PERSONS)>
            <div class="button-row">
                <button type="button" class="button button--primary" disabled=move || pending.get() on:click=retry>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::PmhRetry })}
                </button>
            </div>
        </Show>
        <ErrorSlot error />
    }
}

/// The waiting count and the table of failures.
#[component]
fn Overview(
    /// The overview.
    overview: PmhOverview,
) -> impl IntoView {
    let tx = use_tx();
    let PmhOverview { waiting, failed } = overview;
    let failures = if failed.is_empty() {
        view! { <p>{move || tx.t(Msg::NoPmhFailures)}</p> }.into_any()
    } else {
        view! { <FailureTable failed /> }.into_any()
    };
    view! {
        <div class="card">
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::PmhWaitingCount)}</dt>
                    <dd class="num">{move || format_count(tx.lang(), waiting, Msg::PeopleUnit)}</dd>
                </div>
            </dl>
        </div>
        <section aria-labelledby="pmh-failed-title">
            <h2 id="pmh-failed-title">{move || tx.t(Msg::PmhFailedTitle)}</h2>
            {failures}
        </section>
    }
}

/// The failed people: who (a link), why, when.
#[component]
fn FailureTable(
    /// The failures.
    failed: Vec<PmhFailure>,
) -> impl IntoView {
    let tx = use_tx();
    let rows = failed
        .into_iter()
        .map(
            |PmhFailure {
                 subject_no,
                 reason,
                 at,
             }| {
                let href = format!("/admin/persons/{}", encode_path_segment(&subject_no));
                view! {
                    <tr>
                        <th scope="row"><a class="code" href=href>{subject_no}</a></th>
                        <td class="code">{reason}</td>
                        <td class="nowrap"><DateTime value=at /></td>
                    </tr>
                }
            },
        )
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="pmh-failed-caption" tabindex="0">
            <table class="table">
                <caption id="pmh-failed-caption">{move || tx.t(Msg::PmhFailedTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::LabelSubjectNo)}</th>
                        <th scope="col">{move || tx.t(Msg::ColReason)}</th>
                        <th scope="col">{move || tx.t(Msg::ColAt)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
