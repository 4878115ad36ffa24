use crate::api::{self, CsvEncoding, StaffError};
use crate::components::{
    DateTime, ErrorNotice, ErrorSlot, FieldErrors, LiveStatus, PageHeading, RequirePermission,
    field_error, focus_first_error,
};
use crate::js::{PickedFile, picked_file};
use crate::session::{CurrentStaff, use_current_staff};
use crate::shell::IMPORTS;
use crate::text::{
    Msg, format_bytes, format_count, import_state_label, percent, use_title, use_tx,
};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_domain::person_input::PersonField;
use sesshu_domain::staff_persons::{ImportCounts, ImportCreate, ImportJobView, ImportState};
use std::time::Duration;

/// `/admin/imports`: uploads a person CSV in parts with a progress bar, then follows the
/// processing every second up to the summary and the error report (in the file's encoding or
/// the other); the past imports; the expected format with its column names.
#[component]
pub fn ImportsPage() -> impl IntoView {
    use_title(Msg::ImportsTitle);
    view! {
        <RequirePermission any=IMPORTS probe="imports">
            <Imports />
        </RequirePermission>
    }
}

/// How often a running import is asked about.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// The byte ranges of the parts of a `size`-byte file, `part_size` each but the last.
fn part_ranges(size: u64, part_size: u64) -> Vec<(u32, u64, u64)> {
    if part_size == 0 {
        return Vec::new();
    }
    (0..size.div_ceil(part_size))
        .map(|n| {
            let start = n * part_size;
            (n as u32, start, (start + part_size).min(size))
        })
        .collect()
}

fn finished(state: ImportState) -> bool {
    matches!(state, ImportState::Done | ImportState::Failed)
}

#[component]
fn Imports() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let list_version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        list_version.track();
        let code = staff.code();
        async move { staff.observe(api::imports(&code).await) }
    });
    let job = RwSignal::new(None::<ImportJobView>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let status = RwSignal::new(None::<Msg>);
    let input = NodeRef::<html::Input>::new();
    let watch = Watch {
        staff,
        job,
        busy,
        error,
        status,
        list_version,
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(file) = input.get_untracked().and_then(|input| picked_file(&input)) else {
            let list = vec![("import-file", Msg::EmptyFile)];
            focus_first_error(&list);
            errors.set(list);
            return;
        };
        errors.set(Vec::new());
        error.set(None);
        status.set(None);
        job.set(None);
        busy.set(true);
        spawn_local(async move {
            match upload(staff, &file, job).await {
                Ok(started) => watch.poll(started.job_id),
                Err(failure) => {
                    let _ = busy.try_set(false);
                    let _ = error.try_set(Some(failure));
                }
            }
        });
    };
    let file_error = field_error(errors, "import-file");
    view! {
        <PageHeading msg=Msg::ImportsTitle />
        <p class="lead">{move || tx.t(Msg::ImportsLead)}</p>
        <section class="card" aria-labelledby="import-format-title">
            <h2 id="import-format-title">{move || tx.t(Msg::ImportFormatTitle)}</h2>
            <p>{move || tx.t(Msg::ImportFormatBody)}</p>
            <p>
                // rel="external": the browser, not the router, follows the fragment.
                <a href="#import-columns-title" rel="external">{move || tx.t(Msg::ImportColumnsLink)}</a>
            </p>
        </section>
        <form class="form form--narrow" novalidate on:submit=submit>
            <div class="field" class:field--invalid=move || file_error.get().is_some()>
                <div class="field__head">
                    <label class="field__label" for="import-file">{move || tx.t(Msg::LabelCsvFile)}</label>
                </div>
                <p class="field__hint" id="import-file-hint">{move || tx.t(Msg::HintCsvFile)}</p>
                {move || file_error.get().map(|msg| view! {
                    <p class="field__error" id="import-file-error">{move || tx.t(msg)}</p>
                })}
                <input
                    class="field__input field__input--file"
                    type="file"
                    id="import-file"
                    name="import-file"
                    accept=".csv,text/csv"
                    node_ref=input
                    aria-invalid=move || file_error.get().is_some().then_some("true")
                    aria-describedby=move || {
                        if file_error.get().is_some() { "import-file-hint import-file-error" } else { "import-file-hint" }
                    }
                />
            </div>
            <div class="button-row">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || tx.t(if busy.get() { Msg::Working } else { Msg::StartImport })}
                </button>
            </div>
        </form>
        <ErrorSlot error />
        <LiveStatus message=status />
        {move || job.get().map(|job| view! { <JobProgress job /> })}
        <section aria-labelledby="past-imports-title">
            <h2 id="past-imports-title">{move || tx.t(Msg::PastImportsTitle)}</h2>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => {
                    view! { <p>{move || tx.t(Msg::NoImports)}</p> }.into_any()
                }
                Some(Ok(list)) => view! { <PastImports jobs=list.items /> }.into_any(),
            }}
        </section>
        <Columns />
    }
}

/// Creates the job and uploads the parts the server does not have yet, then starts it. Stops
/// quietly (with an error nobody shows) once the page is gone.
async fn upload(
    staff: CurrentStaff,
    file: &PickedFile,
    job: RwSignal<Option<ImportJobView>>,
) -> Result<ImportJobView, StaffError> {
    let code = staff.code();
    let size = file.size() as u64;
    let create = ImportCreate {
        file_name: file.name(),
        size,
    };
    let mut view = staff.observe(api::create_import(&code, &create).await)?;
    if job.try_set(Some(view.clone())).is_some() {
        return Err(StaffError::Network);
    }
    for (part, start, end) in part_ranges(size, view.part_size) {
        if view.parts_received.contains(&part) {
            continue;
        }
        let blob = file.slice(start as f64, end as f64);
        view = staff.observe(api::upload_part(&code, &view.job_id, part, blob).await)?;
        if job.try_set(Some(view.clone())).is_some() {
            return Err(StaffError::Network);
        }
    }
    view = staff.observe(api::start_import(&code, &view.job_id).await)?;
    let _ = job.try_set(Some(view.clone()));
    Ok(view)
}

/// What following a running import updates.
#[derive(Clone, Copy)]
struct Watch {
    staff: CurrentStaff,
    job: RwSignal<Option<ImportJobView>>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<StaffError>>,
    status: RwSignal<Option<Msg>>,
    list_version: RwSignal<u32>,
}

impl Watch {
    /// Asks about the job every second until it is done or failed, or the page is gone.
    fn poll(self, job_id: String) {
        set_timeout(
            move || {
                spawn_local(async move {
                    // The page was left: stop.
                    if self.job.try_get_untracked().is_none() {
                        return;
                    }
                    let result = self
                        .staff
                        .observe(api::import_job(&self.staff.code(), &job_id).await);
                    match result {
                        Ok(view) => {
                            let done = finished(view.state);
                            if self.job.try_set(Some(view)).is_some() {
                                return;
                            }
                            if done {
                                let _ = self.busy.try_set(false);
                                let _ = self.status.try_set(Some(Msg::ImportFinished));
                                let _ = self.list_version.try_update(|n| *n += 1);
                            } else {
                                self.poll(job_id);
                            }
                        }
                        Err(failure) => {
                            let _ = self.busy.try_set(false);
                            let _ = self.error.try_set(Some(failure));
                        }
                    }
                });
            },
            POLL_EVERY,
        );
    }
}

/// The job of this page: its state, the two progress bars and, once done, the summary.
#[component]
fn JobProgress(
    /// The job as last reported.
    job: ImportJobView,
) -> impl IntoView {
    let tx = use_tx();
    let ImportJobView {
        job_id,
        file_name,
        encoding,
        state,
        bytes_total,
        bytes_received,
        bytes_processed,
        counts,
        error_ja,
        error_en,
        ..
    } = job;
    let processing = state != ImportState::Uploading;
    let upload_text = progress_text(bytes_received, bytes_total);
    let process_text = progress_text(bytes_processed, bytes_total);
    view! {
        <section class="card" aria-labelledby="import-progress-title">
            <h2 id="import-progress-title">{move || tx.t(Msg::ImportProgressTitle)}</h2>
            <p>
                <span class="code">{file_name}</span> " "
                <span class=state_tag(state)>{move || import_state_label(tx.lang(), state)}</span>
            </p>
            <div class="progress">
                <label for="upload-progress">{move || tx.t(Msg::UploadProgress)}</label>
                <progress id="upload-progress" max=bytes_total.max(1).to_string() value=bytes_received.to_string()></progress>
                <span class="progress__text">{upload_text}</span>
            </div>
            {processing.then(|| view! {
                <div class="progress">
                    <label for="process-progress">{move || tx.t(Msg::ProcessProgress)}</label>
                    <progress id="process-progress" max=bytes_total.max(1).to_string() value=bytes_processed.to_string()></progress>
                    <span class="progress__text">{process_text}</span>
                </div>
            })}
            {(state == ImportState::Failed).then(|| {
                let ja = error_ja.unwrap_or_default();
                let en = error_en.unwrap_or_default();
                view! {
                    <div class="notice notice--error">
                        <h3 class="notice__title">{move || tx.t(Msg::ImportFileFailed)}</h3>
                        <p class="prewrap">{move || tx.pick(&ja, &en).to_owned()}</p>
                    </div>
                }
            })}
            {(state == ImportState::Done).then(|| view! {
                <Summary job_id encoding counts />
            })}
        </section>
    }
}

/// `45%（1.2 KB / 2.4 KB）`-like text beside a progress bar.
fn progress_text(done: u64, total: u64) -> String {
    format!(
        "{}% ({} / {})",
        percent(done, total),
        format_bytes(done),
        format_bytes(total)
    )
}

fn state_tag(state: ImportState) -> &'static str {
    match state {
        ImportState::Done => "tag",
        ImportState::Failed => "tag tag--attention",
        _ => "tag tag--muted",
    }
}

/// The counts of a finished import and, if rows failed, the error report in both encodings.
#[component]
fn Summary(
    /// The job, for the report's address.
    job_id: String,
    /// The file's encoding, offered first.
    encoding: Option<String>,
    /// The rows by outcome.
    counts: ImportCounts,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let ImportCounts {
        created,
        updated,
        deleted,
        unchanged,
        failed,
    } = counts;
    let rows = [
        (Msg::CountCreated, created),
        (Msg::CountUpdated, updated),
        (Msg::CountDeleted, deleted),
        (Msg::CountUnchanged, unchanged),
        (Msg::CountFailed, failed),
    ];
    let own = CsvEncoding::of_import(encoding.as_deref());
    let code = staff.code();
    view! {
        <h3>{move || tx.t(Msg::ImportSummaryTitle)}</h3>
        <dl class="facts facts--counts">
            {rows
                .into_iter()
                .map(|(label, count)| {
                    let alert = label == Msg::CountFailed && count != 0;
                    view! {
                    <div class="facts__row" class:facts__row--alert=alert>
                        <dt>{move || tx.t(label)}</dt>
                        <dd class="num">{move || format_count(tx.lang(), count, Msg::RowsUnit)}</dd>
                    </div>
                    }
                })
                .collect_view()}
        </dl>
        {(failed > 0).then(|| view! {
            <p>{move || tx.t(Msg::ErrorReportLead)}</p>
            <ul class="link-list">
                <li>
                    <ReportLink code=code.clone() job_id=job_id.clone() encoding=own same=true />
                </li>
                <li>
                    <ReportLink code=code.clone() job_id=job_id.clone() encoding=own.other() same=false />
                </li>
            </ul>
        })}
    }
}

/// A download link of the error report in one encoding.
#[component]
fn ReportLink(
    /// The municipality.
    code: String,
    /// The job.
    job_id: String,
    /// The report's encoding.
    encoding: CsvEncoding,
    /// Whether it is the imported file's own.
    same: bool,
) -> impl IntoView {
    let tx = use_tx();
    let href = api::import_errors_href(&code, &job_id, encoding);
    let name = format!("errors-{job_id}-{}.csv", encoding.code());
    let label = move || {
        let report = tx.t(Msg::ErrorReportIn);
        let encoding = tx.t(match encoding {
            CsvEncoding::Cp932 => Msg::EncodingCp932,
            CsvEncoding::Utf8 => Msg::EncodingUtf8,
        });
        match (tx.lang(), same) {
            (Lang::Ja, true) => format!("{report}：{encoding}（{}）", tx.t(Msg::SameAsFile)),
            (Lang::Ja, false) => format!("{report}：{encoding}"),
            (Lang::En, true) => format!("{report}: {encoding} ({})", tx.t(Msg::SameAsFile)),
            (Lang::En, false) => format!("{report}: {encoding}"),
        }
    };
    view! {
        <a href=href download=name rel="external">{label}</a>
    }
}

/// The imports so far, newest first.
#[component]
fn PastImports(
    /// The jobs.
    jobs: Vec<ImportJobView>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let code = staff.code();
    let rows = jobs
        .into_iter()
        .map(|job| {
            let ImportJobView {
                job_id,
                file_name,
                encoding,
                uploaded_by,
                created_at,
                state,
                counts,
                ..
            } = job;
            let report = (counts.failed > 0).then(|| {
                view! {
                    <ReportLink
                        code=code.clone()
                        job_id=job_id.clone()
                        encoding=CsvEncoding::of_import(encoding.as_deref())
                        same=true
                    />
                }
            });
            view! {
                <tr>
                    <th scope="row" class="code">{file_name}</th>
                    <td class="nowrap"><DateTime value=created_at /></td>
                    <td class="code">{uploaded_by}</td>
                    <td><span class=state_tag(state)>{move || import_state_label(tx.lang(), state)}</span></td>
                    <td>{move || counts_text(tx, counts)}</td>
                    <td>{report}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="past-imports-caption" tabindex="0">
            <table class="table">
                <caption id="past-imports-caption">{move || tx.t(Msg::PastImportsTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::ColFile)}</th>
                        <th scope="col">{move || tx.t(Msg::ColAt)}</th>
                        <th scope="col">{move || tx.t(Msg::ColUploadedBy)}</th>
                        <th scope="col">{move || tx.t(Msg::ColStatus)}</th>
                        <th scope="col">{move || tx.t(Msg::ColResult)}</th>
                        <th scope="col">{move || tx.t(Msg::ErrorReport)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// `新規登録 3・更新 1・…` for the table.
fn counts_text(tx: crate::text::Tx, counts: ImportCounts) -> String {
    [
        (Msg::CountCreated, counts.created),
        (Msg::CountUpdated, counts.updated),
        (Msg::CountDeleted, counts.deleted),
        (Msg::CountUnchanged, counts.unchanged),
        (Msg::CountFailed, counts.failed),
    ]
    .iter()
    .map(|(label, n)| format!("{} {n}", tx.t(*label)))
    .collect::<Vec<_>>()
    .join(" / ")
}

/// The column names the import accepts (the CSV's own header names: Japanese, or the English
/// alias), in the layout's order.
#[component]
fn Columns() -> impl IntoView {
    let tx = use_tx();
    view! {
        <section class="card" aria-labelledby="import-columns-title">
            <h2 id="import-columns-title" tabindex="-1">{move || tx.t(Msg::ImportColumnsTitle)}</h2>
            <p>{move || tx.t(Msg::ImportColumnsNote)}</p>
            <ol class="columns">
                {PersonField::ALL
                    .into_iter()
                    .map(|field| view! {
                        <li>
                            <span lang="ja">{field.column_ja()}</span> " "
                            <span class="code" lang="en">{field.column_en()}</span>
                        </li>
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_file_is_cut_into_full_parts_and_a_shorter_last_one() {
        assert_eq!(
            part_ranges(600, 256),
            [(0, 0, 256), (1, 256, 512), (2, 512, 600)]
        );
        assert_eq!(part_ranges(512, 256), [(0, 0, 256), (1, 256, 512)]);
        assert_eq!(part_ranges(0, 256), []);
        assert_eq!(part_ranges(10, 0), []);
    }

    #[test]
    fn progress_reads_as_percent_and_sizes() {
        assert_eq!(progress_text(512, 2048), "25% (512 B / 2.0 KB)");
    }
}
