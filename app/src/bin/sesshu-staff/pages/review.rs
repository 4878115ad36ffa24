use crate::api::{self, StaffError};
use crate::components::{
    DateTime, ErrorNotice, ErrorSlot, FieldErrors, LiveStatus, PageHeading, RequirePermission,
    TextAreaField, field_error, focus_first_error,
};
use crate::session::use_current_staff;
use crate::shell::REVIEW;
use crate::text::{Msg, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_domain::staff::{Decision, ReviewReport, ReviewRow};

/// `/admin/review`: the periodic access review. Every account with its rights and last login,
/// unused ones highlighted (in words, not only colour); the last review; recording this one.
#[component]
pub fn ReviewPage() -> impl IntoView {
    use_title(Msg::ReviewTitle);
    view! {
        <RequirePermission any=REVIEW probe="review">
            <Review />
        </RequirePermission>
    }
}

#[component]
fn Review() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    // A recorded review answers with the new report, which replaces the loaded one.
    let recorded = RwSignal::new(None::<ReviewReport>);
    let report = LocalResource::new(move || {
        let code = staff.code();
        async move { staff.observe(api::review(&code).await) }
    });
    let current = move || match recorded.get() {
        Some(report) => Some(Ok(report)),
        None => report.get(),
    };
    view! {
        <PageHeading msg=Msg::ReviewTitle />
        <p class="lead">{move || tx.t(Msg::ReviewLead)}</p>
        {move || match current() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(report)) => view! { <ReportView report /> }.into_any(),
        }}
        <RecordReview recorded />
    }
}

/// The report: when it was made, the last review, and the table of accounts.
#[component]
fn ReportView(
    /// The report.
    report: ReviewReport,
) -> impl IntoView {
    let tx = use_tx();
    let ReviewReport {
        generated_at,
        rows,
        last_review,
    } = report;
    let unused = rows.iter().filter(|row| row.unused).count();
    let last = match last_review {
        Some(review) => view! {
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::ReviewedBy)}</dt>
                    <dd>{review.reviewed_by}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::ReviewedAt)}</dt>
                    <dd><DateTime value=review.reviewed_at /></dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelNote)}</dt>
                    <dd class="prewrap">{review.note}</dd>
                </div>
            </dl>
        }
        .into_any(),
        None => view! { <p>{move || tx.t(Msg::NoReviewYet)}</p> }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="last-review">
            <h2 id="last-review">{move || tx.t(Msg::LastReview)}</h2>
            {last}
        </section>
        <dl class="facts facts--inline">
            <div class="facts__row">
                <dt>{move || tx.t(Msg::GeneratedAt)}</dt>
                <dd><DateTime value=generated_at /></dd>
            </div>
            <div class="facts__row">
                <dt>{move || tx.t(Msg::UnusedCount)}</dt>
                <dd>{unused}</dd>
            </div>
        </dl>
        <div class="table-wrap" role="region" aria-labelledby="review-caption" tabindex="0">
            <table class="table">
                <caption id="review-caption">{move || tx.t(Msg::ReviewTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::LabelName)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelInstitution)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelRole)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelMyNumberRight)}</th>
                        <th scope="col">{move || tx.t(Msg::ColStatus)}</th>
                        <th scope="col">{move || tx.t(Msg::ColLastLogin)}</th>
                        <th scope="col">{move || tx.t(Msg::ColUnused)}</th>
                    </tr>
                </thead>
                <tbody>
                    {unused_first(rows)
                        .into_iter()
                        .map(|row| view! { <Row row /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One account of the review.
#[component]
fn Row(
    /// The account.
    row: ReviewRow,
) -> impl IntoView {
    let tx = use_tx();
    let ReviewRow {
        user_id,
        name,
        institution_id,
        role_id,
        can_view_my_number,
        active,
        last_login_at,
        unused,
    } = row;
    view! {
        <tr class:row--unused=unused>
            <th scope="row">
                <span class="cell-main">{name}</span>
                <span class="cell-sub code">{user_id}</span>
            </th>
            <td class="code">{institution_id}</td>
            <td class="code">{role_id}</td>
            <td>{move || tx.t(if can_view_my_number { Msg::Yes } else { Msg::No })}</td>
            <td>{move || tx.t(if active { Msg::StatusActive } else { Msg::StatusInactive })}</td>
            <td>
                {match last_login_at {
                    Some(at) => view! { <DateTime value=at /> }.into_any(),
                    None => view! { <span>{move || tx.t(Msg::NeverLoggedIn)}</span> }.into_any(),
                }}
            </td>
            <td>
                <span class=if unused { "tag tag--attention" } else { "tag tag--muted" }>
                    {move || tx.t(if unused { Msg::Unused } else { Msg::InUse })}
                </span>
            </td>
        </tr>
    }
}

/// Records the review as done, with a note of what was checked and done.
#[component]
fn RecordReview(
    /// Set to the report the server answers with.
    recorded: RwSignal<Option<ReviewReport>>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let note = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let status = RwSignal::new(None::<Msg>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let text = note.get_untracked().trim().to_owned();
        if text.is_empty() {
            let problems = vec![("review-note", Msg::EmptyReviewNote)];
            focus_first_error(&problems);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        error.set(None);
        status.set(None);
        pending.set(true);
        spawn_local(async move {
            let result =
                staff.observe(api::record_review(&staff.code(), &Decision { note: text }).await);
            pending.set(false);
            match result {
                Ok(report) => {
                    note.set(String::new());
                    recorded.set(Some(report));
                    status.set(Some(Msg::ReviewRecorded));
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="record-review">
            <h2 id="record-review">{move || tx.t(Msg::RecordReview)}</h2>
            <ErrorSlot error />
            <LiveStatus message=status />
            <form class="form" novalidate on:submit=submit>
                <TextAreaField
                    id="review-note"
                    label=Msg::LabelNote
                    value=note
                    hint=Msg::HintReviewNote
                    required=true
                    error=field_error(errors, "review-note")
                />
                <div class="button-row">
                    <button type="submit" class="button button--primary" disabled=move || pending.get()>
                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::RecordReview })}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Unused accounts first (what the review is about), keeping the server's order otherwise.
fn unused_first(mut rows: Vec<ReviewRow>) -> Vec<ReviewRow> {
    rows.sort_by_key(|row| !row.unused);
    rows
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn row(id: &str, unused: bool) -> ReviewRow {
        ReviewRow {
            user_id: id.to_owned(),
            name: id.to_owned(),
            institution_id: "D01".to_owned(),
            role_id: "staff".to_owned(),
            can_view_my_number: false,
            active: true,
            last_login_at: None,
            unused,
        }
    }

    #[test]
    fn unused_accounts_are_listed_first_in_the_servers_order() {
        let rows = vec![
            row("a", false),
            row("b", true),
            row("c", false),
            row("d", true),
        ];
        let ids: Vec<_> = unused_first(rows).into_iter().map(|r| r.user_id).collect();
        assert_eq!(ids, ["b", "d", "a", "c"]);
    }
}
