use crate::api::{self, AuditQuery, ErrorKind, StaffError};
use crate::components::{
    DateTime, ErrorSlot, LiveStatus, PageHeading, ReauthDialog, RequirePermission, TextField,
};
use crate::session::use_current_staff;
use crate::shell::AUDIT;
use crate::text::{Msg, chain_problem_label, outcome_label, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_domain::staff::{AuditEntry, ChainReport, Outcome};

/// `/admin/audit`: the operation log, filtered and paged newest first; the hash-chain check;
/// the CSV export, which asks the person to confirm who they are first.
#[component]
pub fn AuditPage() -> impl IntoView {
    use_title(Msg::AuditTitle);
    view! {
        <RequirePermission any=AUDIT probe="audit">
            <Audit />
        </RequirePermission>
    }
}

#[component]
fn Audit() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    // The form's fields, and the filters of the list shown (applied on "search").
    let user = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let applied = RwSignal::new(AuditQuery::default());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);

    // Loads the first page of `query`, or the page after `cursor`, appending it.
    let fetch = move |query: AuditQuery, cursor: Option<String>| {
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let result = staff.observe(api::audit(&staff.code(), &query, cursor.as_deref()).await);
            loading.set(false);
            match result {
                Ok(page) => {
                    if cursor.is_none() {
                        entries.set(page.entries);
                    } else {
                        entries.update(|list| list.extend(page.entries));
                    }
                    next.set(page.next);
                    loaded.set(true);
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    fetch(AuditQuery::default(), None);

    let search = move |ev: SubmitEvent| {
        ev.prevent_default();
        let query = AuditQuery {
            user: user.get_untracked(),
            subject: subject.get_untracked(),
            action: action.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
        };
        applied.set(query.clone());
        fetch(query, None);
    };
    let clear = move |_| {
        for field in [user, subject, action, from, to] {
            field.set(String::new());
        }
        applied.set(AuditQuery::default());
        fetch(AuditQuery::default(), None);
    };
    let more = move |_| {
        if let Some(cursor) = next.get_untracked() {
            fetch(applied.get_untracked(), Some(cursor));
        }
    };

    view! {
        <PageHeading msg=Msg::AuditTitle />
        <p class="lead">{move || tx.t(Msg::AuditLead)}</p>
        <section class="card" aria-labelledby="audit-filters">
            <h2 id="audit-filters">{move || tx.t(Msg::FiltersTitle)}</h2>
            <form class="form form--grid" novalidate on:submit=search>
                <TextField id="audit-user" label=Msg::LabelFilterUser value=user autocomplete="off" />
                <TextField id="audit-subject" label=Msg::LabelFilterSubject value=subject autocomplete="off" />
                <TextField
                    id="audit-action"
                    label=Msg::LabelFilterAction
                    value=action
                    autocomplete="off"
                    hint=Msg::HintFilterAction
                />
                <TextField id="audit-from" label=Msg::LabelFrom value=from kind="date" />
                <TextField id="audit-to" label=Msg::LabelTo value=to kind="date" />
                <div class="button-row form__wide">
                    <button type="submit" class="button button--primary">{move || tx.t(Msg::Search)}</button>
                    <button type="button" class="button button--secondary" on:click=clear>
                        {move || tx.t(Msg::ClearFilters)}
                    </button>
                </div>
            </form>
        </section>
        <ErrorSlot error />
        <section aria-labelledby="audit-caption">
            {move || {
                let list = entries.get();
                if !loaded.get() {
                    return view! {
                        <h2 id="audit-caption" class="visually-hidden">{move || tx.t(Msg::AuditTitle)}</h2>
                        <Loading />
                    }
                    .into_any();
                }
                if list.is_empty() {
                    return view! {
                        <h2 id="audit-caption" class="visually-hidden">{move || tx.t(Msg::AuditTitle)}</h2>
                        <p>{move || tx.t(Msg::NoEntries)}</p>
                    }
                    .into_any();
                }
                let count = list.len();
                view! {
                    <h2 id="audit-caption" class="visually-hidden">{move || tx.t(Msg::AuditTitle)}</h2>
                    <p class="table-count" aria-live="polite">
                        {move || format!("{count} {}", tx.t(Msg::EntriesShown))}
                    </p>
                    <AuditTable entries=list />
                }
                .into_any()
            }}
            <Show when=move || next.with(Option::is_some)>
                <div class="button-row">
                    <button type="button" class="button button--secondary" disabled=move || loading.get() on:click=more>
                        {move || tx.t(if loading.get() { Msg::Loading } else { Msg::LoadOlder })}
                    </button>
                </div>
            </Show>
        </section>
        <VerifyChain />
        <Export applied />
    }
}

/// The entries as a table, newest first as the server sent them.
#[component]
fn AuditTable(
    /// The entries loaded so far.
    entries: Vec<AuditEntry>,
) -> impl IntoView {
    let tx = use_tx();
    let rows = entries
        .into_iter()
        .map(|entry| {
            let AuditEntry {
                seq,
                at,
                actor,
                source,
                surface,
                action,
                subjects,
                fields,
                outcome,
                reason,
                request_id,
            } = entry;
            view! {
                <tr class:row--alert=outcome != Outcome::Allowed>
                    <td class="num">{seq}</td>
                    <td class="nowrap"><DateTime value=at /></td>
                    <td class="code">{actor}</td>
                    <td class="code">{source}</td>
                    <td>{surface}</td>
                    <td class="code">{action}</td>
                    <td class="code">{subjects.join(", ")}</td>
                    <td class="code">{fields.join(", ")}</td>
                    <td>
                        <span class=if outcome == Outcome::Allowed { "tag" } else { "tag tag--attention" }>
                            {move || outcome_label(tx.lang(), outcome)}
                        </span>
                    </td>
                    <td class="code">{reason.unwrap_or_default()}</td>
                    <td class="code">{request_id}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="audit-table-caption" tabindex="0">
            <table class="table table--dense">
                <caption id="audit-table-caption">{move || tx.t(Msg::AuditTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::ColSeq)}</th>
                        <th scope="col">{move || tx.t(Msg::ColAt)}</th>
                        <th scope="col">{move || tx.t(Msg::ColActor)}</th>
                        <th scope="col">{move || tx.t(Msg::ColSource)}</th>
                        <th scope="col">{move || tx.t(Msg::ColSurface)}</th>
                        <th scope="col">{move || tx.t(Msg::ColAction)}</th>
                        <th scope="col">{move || tx.t(Msg::ColSubjects)}</th>
                        <th scope="col">{move || tx.t(Msg::ColFields)}</th>
                        <th scope="col">{move || tx.t(Msg::ColOutcome)}</th>
                        <th scope="col">{move || tx.t(Msg::ColReason)}</th>
                        <th scope="col">{move || tx.t(Msg::ColRequestId)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The hash-chain check and its report.
#[component]
fn VerifyChain() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let report = RwSignal::new(None::<ChainReport>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let verify = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        report.set(None);
        spawn_local(async move {
            let result = staff.observe(api::verify_chain(&staff.code()).await);
            pending.set(false);
            match result {
                Ok(found) => report.set(Some(found)),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="verify-title">
            <h2 id="verify-title">{move || tx.t(Msg::VerifyTitle)}</h2>
            <p>{move || tx.t(Msg::VerifyLead)}</p>
            <div class="button-row">
                <button type="button" class="button button--secondary" disabled=move || pending.get() on:click=verify>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::VerifyChain })}
                </button>
            </div>
            <ErrorSlot error />
            <div aria-live="polite">
                {move || report.get().map(|report| view! { <ChainResult report /> })}
            </div>
        </section>
    }
}

/// A chain report in words: intact with the count, or where the first problem is and what.
#[component]
fn ChainResult(
    /// The report.
    report: ChainReport,
) -> impl IntoView {
    let tx = use_tx();
    let checked = report.entries_checked;
    match report.problem.filter(|_| !report.intact) {
        None if report.intact => view! {
            <div class="notice notice--success">
                <p class="notice__title">{move || tx.t(Msg::ChainIntact)}</p>
                <p>{move || format!("{}: {checked}", tx.t(Msg::ChainChecked))}</p>
            </div>
        }
        .into_any(),
        problem => {
            let details = problem.map(|problem| {
                let kind = problem.kind.clone();
                view! {
                    <dl class="facts">
                        <div class="facts__row">
                            <dt>{move || tx.t(Msg::ChainWhere)}</dt>
                            <dd>{problem.seq}</dd>
                        </div>
                        <div class="facts__row">
                            <dt>{move || tx.t(Msg::ChainKind)}</dt>
                            <dd>{move || chain_problem_label(tx.lang(), &kind)}</dd>
                        </div>
                        <div class="facts__row">
                            <dt>{move || tx.t(Msg::ServerSays)}</dt>
                            <dd>{problem.message}</dd>
                        </div>
                    </dl>
                }
            });
            view! {
                <div class="notice notice--error">
                    <p class="notice__title">{move || tx.t(Msg::ChainBroken)}</p>
                    <p>{move || format!("{}: {checked}", tx.t(Msg::ChainChecked))}</p>
                    {details}
                    <p>{move || tx.t(Msg::ChainNextSteps)}</p>
                </div>
            }
            .into_any()
        }
    }
}

/// The CSV export of the applied filters. A 403 `reauthentication_required` opens the
/// re-authentication dialog, after which the download is tried again.
#[component]
fn Export(
    /// The filters of the list shown.
    applied: RwSignal<AuditQuery>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let status = RwSignal::new(None::<Msg>);
    let reauth = RwSignal::new(false);
    let download = move || {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        status.set(None);
        let query = applied.get_untracked();
        let code = staff.code();
        spawn_local(async move {
            let result = staff.observe(api::audit_csv(&code, &query).await);
            pending.set(false);
            match result {
                Ok(file) => {
                    let started =
                        crate::js::download(&file.bytes, &format!("operation-log-{code}.csv"));
                    status.set(Some(if started {
                        Msg::Downloaded
                    } else {
                        Msg::DownloadFailed
                    }));
                }
                Err(failure) if failure.kind() == ErrorKind::ReauthRequired => reauth.set(true),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="export-title">
            <h2 id="export-title">{move || tx.t(Msg::ExportTitle)}</h2>
            <p>{move || tx.t(Msg::ExportLead)}</p>
            <div class="button-row">
                <button type="button" class="button button--secondary" disabled=move || pending.get() on:click=move |_| download()>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::DownloadCsv })}
                </button>
            </div>
            <ErrorSlot error />
            <LiveStatus message=status />
            <ReauthDialog open=reauth on_done=Callback::new(move |()| download()) />
        </section>
    }
}
