use crate::api::{self, CsvEncoding, ErrorKind, StaffError, WorklistQuery, WorklistStatus};
use crate::components::{
    ErrorNotice, ErrorSlot, FieldErrors, LiveStatus, PageHeading, ReauthDialog, RequirePermission,
    SelectField, TextField, field_error, focus_by_id, focus_first_error,
};
use crate::pages::exports::Radio;
use crate::session::use_current_staff;
use crate::shell::{EXPORTS, PERSONS};
use crate::text::{
    Msg, format_results, format_run_on, schedule_status_label, schedule_status_tag, sex_label,
    use_title, use_tx,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::api::encode_path_segment;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_domain::schedule_api::{SeriesOption, WorklistRow};

/// `/admin/worklist`: the people missing a vaccination (未接種者) as the latest daily run
/// found them: per vaccination, those past the standard period or with no dose yet, optionally
/// within an age range, a page at a time; and the whole list as CSV (no My Number) after a
/// re-authentication, like the other exports.
#[component]
pub fn WorklistPage() -> impl IntoView {
    use_title(Msg::WorklistTitle);
    view! {
        <RequirePermission any=PERSONS probe="schedule/series">
            <Worklist />
        </RequirePermission>
    }
}

/// What is shown and how far the pages went.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    run_on: Option<String>,
    rows: Vec<WorklistRow>,
    /// 1 for the first page.
    page: u32,
    next: Option<String>,
}

/// An age field's value: `Ok(None)` when empty, `Err` unless a whole number 0–130.
fn age_of(text: &str) -> Result<Option<u32>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(age) if age <= 130 => Ok(Some(age)),
        _ => Err(()),
    }
}

/// The query the form describes, or the fields to correct (in the form's order).
fn query_of(
    vaccination: &str,
    status: WorklistStatus,
    from: &str,
    to: &str,
) -> Result<WorklistQuery, Vec<(&'static str, Msg)>> {
    let mut errors = Vec::new();
    if vaccination.trim().is_empty() {
        errors.push(("worklist-vaccination", Msg::EmptyVaccination));
    }
    let from = age_of(from).unwrap_or_else(|()| {
        errors.push(("worklist-age-from", Msg::BadAge));
        None
    });
    let to = age_of(to).unwrap_or_else(|()| {
        errors.push(("worklist-age-to", Msg::BadAge));
        None
    });
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        errors.push(("worklist-age-to", Msg::AgeOrder));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(WorklistQuery {
        vaccination: vaccination.trim().to_owned(),
        status,
        age_from: from,
        age_to: to,
    })
}

/// A series' name in `lang`.
fn series_name(series: &[SeriesOption], id: &str, lang: Lang) -> String {
    series.iter().find(|s| s.id == id).map_or_else(
        || id.to_owned(),
        |s| match lang {
            Lang::Ja => s.name_ja.clone(),
            Lang::En => s.name_en.clone(),
        },
    )
}

#[component]
fn Worklist() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let series = LocalResource::new(move || {
        let code = staff.code();
        async move { staff.observe(api::schedule_series(&code).await) }
    });
    let vaccination = RwSignal::new(String::new());
    let status = RwSignal::new(WorklistStatus::Overdue);
    let age_from = RwSignal::new(String::new());
    let age_to = RwSignal::new(String::new());
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let applied = RwSignal::new(None::<WorklistQuery>);
    let shown = RwSignal::new(None::<Shown>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);

    let options = Signal::derive(move || {
        let lang = tx.lang();
        match series.get() {
            Some(Ok(list)) => list
                .into_iter()
                .map(|s| {
                    let name = match lang {
                        Lang::Ja => s.name_ja,
                        Lang::En => s.name_en,
                    };
                    (s.id, name)
                })
                .collect(),
            _ => Vec::new(),
        }
    });

    let fetch = move |query: WorklistQuery, cursor: Option<String>, page: u32, paging: bool| {
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let code = staff.code();
            let result = staff.observe(api::worklist(&code, &query, cursor.as_deref()).await);
            loading.set(false);
            match result {
                Ok(found) => {
                    shown.set(Some(Shown {
                        run_on: found.run_on.map(|d| d.to_string()),
                        rows: found.rows,
                        page,
                        next: found.next,
                    }));
                    if paging {
                        request_animation_frame(|| focus_by_id("worklist-results-title"));
                    }
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match query_of(
            &vaccination.get_untracked(),
            status.get_untracked(),
            &age_from.get_untracked(),
            &age_to.get_untracked(),
        ) {
            Ok(query) => {
                errors.set(Vec::new());
                applied.set(Some(query.clone()));
                shown.set(None);
                fetch(query, None, 1, false);
            }
            Err(list) => {
                focus_first_error(&list);
                errors.set(list);
            }
        }
    };
    let next_page = move |_| {
        let (Some(query), Some(current)) = (applied.get_untracked(), shown.get_untracked()) else {
            return;
        };
        if let Some(cursor) = current.next {
            fetch(query, Some(cursor), current.page + 1, true);
        }
    };
    let first_page = move |_| {
        if let Some(query) = applied.get_untracked() {
            fetch(query, None, 1, true);
        }
    };
    let series_list = Signal::derive(move || match series.get() {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    });

    view! {
        <PageHeading msg=Msg::WorklistTitle />
        <p class="lead">{move || tx.t(Msg::WorklistLead)}</p>
        {move || match series.get() {
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            _ => ().into_any(),
        }}
        <section class="card" aria-labelledby="worklist-filter-title">
            <h2 id="worklist-filter-title">{move || tx.t(Msg::WorklistFilterTitle)}</h2>
            <form class="form form--grid" novalidate on:submit=submit>
                <SelectField
                    id="worklist-vaccination"
                    label=Msg::LabelVaccination
                    value=vaccination
                    options
                    placeholder=Msg::ChooseVaccination
                    required=true
                    error=field_error(errors, "worklist-vaccination")
                />
                <fieldset class="choices form__wide">
                    <legend>{move || tx.t(Msg::LabelWorklistStatus)}</legend>
                    <Radio name="worklist-status" value=status this=WorklistStatus::Overdue label=Msg::WorklistOverdue />
                    <Radio name="worklist-status" value=status this=WorklistStatus::Never label=Msg::WorklistNever />
                </fieldset>
                <TextField
                    id="worklist-age-from"
                    label=Msg::LabelAgeFrom
                    value=age_from
                    inputmode="numeric"
                    autocomplete="off"
                    hint=Msg::HintAge
                    error=field_error(errors, "worklist-age-from")
                />
                <TextField
                    id="worklist-age-to"
                    label=Msg::LabelAgeTo
                    value=age_to
                    inputmode="numeric"
                    autocomplete="off"
                    hint=Msg::HintAge
                    error=field_error(errors, "worklist-age-to")
                />
                <div class="button-row form__wide">
                    <button type="submit" class="button button--primary" disabled=move || loading.get()>
                        {move || tx.t(if loading.get() { Msg::Working } else { Msg::ShowList })}
                    </button>
                </div>
            </form>
        </section>
        <ErrorSlot error />
        <section aria-labelledby="worklist-results-title">
            <h2 id="worklist-results-title" tabindex="-1">{move || tx.t(Msg::WorklistRowsTitle)}</h2>
            {move || match shown.get() {
                None if loading.get() => view! { <Loading /> }.into_any(),
                None => ().into_any(),
                Some(Shown { run_on: None, .. }) => {
                    view! { <p role="status">{move || tx.t(Msg::WorklistNoRun)}</p> }.into_any()
                }
                Some(Shown { run_on: Some(day), rows, page, next }) => {
                    let count = rows.len();
                    let more = next.is_some();
                    let day_text = day.clone();
                    view! {
                        <p class="worklist-run">{move || format_run_on(tx.lang(), &day_text)}</p>
                        {if rows.is_empty() && page == 1 {
                            view! { <p role="status">{move || tx.t(Msg::WorklistEmpty)}</p> }.into_any()
                        } else {
                            view! {
                                <p class="table-count" role="status">
                                    {move || format_results(tx.lang(), page, count)}
                                </p>
                                <WorklistTable rows series=series_list />
                            }
                            .into_any()
                        }}
                        <div class="button-row">
                            {(page > 1).then(|| view! {
                                <button type="button" class="button button--secondary" disabled=move || loading.get() on:click=first_page>
                                    {move || tx.t(Msg::FirstPage)}
                                </button>
                            })}
                            {more.then(|| view! {
                                <button type="button" class="button button--secondary" disabled=move || loading.get() on:click=next_page>
                                    {move || tx.t(if loading.get() { Msg::Loading } else { Msg::NextPage })}
                                </button>
                            })}
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
        <Show when=move || applied.with(Option::is_some)>
            <CsvDownload applied />
        </Show>
    }
}

/// The rows as a table; the name opens the person.
#[component]
fn WorklistTable(
    /// The rows of this page.
    rows: Vec<WorklistRow>,
    /// The schedule's series, for their names.
    series: Signal<Vec<SeriesOption>>,
) -> impl IntoView {
    let tx = use_tx();
    let none = move || tx.t(Msg::NoneYet).to_owned();
    let rows = rows
        .into_iter()
        .map(|row| {
            let WorklistRow {
                subject_no,
                name,
                name_kana,
                birth_date,
                age,
                sex,
                series: series_id,
                status,
                doses_counted,
                doses_required,
                earliest,
                latest,
                recommendation,
                ..
            } = row;
            let href = format!("/admin/persons/{}", encode_path_segment(&subject_no));
            let tag = schedule_status_tag(&status);
            view! {
                <tr>
                    <th scope="row">
                        <a class="cell-main" href=href>{name}</a>
                        <span class="cell-sub">{name_kana}</span>
                        <span class="cell-sub code">{subject_no}</span>
                    </th>
                    <td class="nowrap">{birth_date.to_string()}</td>
                    <td>{age}</td>
                    <td>{move || sex_label(tx.lang(), &sex)}</td>
                    <td>{move || series.with(|list| series_name(list, &series_id, tx.lang()))}</td>
                    <td><span class=tag>{move || schedule_status_label(tx.lang(), &status)}</span></td>
                    <td class="nowrap">{format!("{doses_counted} / {doses_required}")}</td>
                    <td class="nowrap">{move || earliest.map_or_else(none, |d| d.to_string())}</td>
                    <td class="nowrap">
                        {move || latest.map_or_else(|| tx.t(Msg::NoEndDate).to_owned(), |d| d.to_string())}
                    </td>
                    <td class="nowrap">
                        {move || recommendation.as_ref().map_or_else(none, |r| r.recommended_on.to_string())}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" role="region" aria-labelledby="worklist-caption" tabindex="0">
            <table class="table">
                <caption id="worklist-caption">{move || tx.t(Msg::WorklistRowsTitle)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || tx.t(Msg::LabelName)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelBirthDate)}</th>
                        <th scope="col">{move || tx.t(Msg::ColAge)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelSex)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelVaccination)}</th>
                        <th scope="col">{move || tx.t(Msg::LabelWorklistStatus)}</th>
                        <th scope="col">{move || tx.t(Msg::ColDoses)}</th>
                        <th scope="col">{move || tx.t(Msg::ColEarliest)}</th>
                        <th scope="col">{move || tx.t(Msg::ColLatest)}</th>
                        <th scope="col">{move || tx.t(Msg::ColLastRecommended)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The applied list as CSV: encoding, then the download; a 403 `reauthentication_required`
/// opens the re-authentication dialog and the download is tried again.
#[component]
fn CsvDownload(
    /// The list shown (the CSV has the same people, every page).
    applied: RwSignal<Option<WorklistQuery>>,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let encoding = RwSignal::new(CsvEncoding::Cp932);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let status = RwSignal::new(None::<Msg>);
    let reauth = RwSignal::new(false);
    let may_export = move || staff.has_any(EXPORTS);
    let download = move || {
        let Some(query) = applied.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        status.set(None);
        let code = staff.code();
        let encoding = encoding.get_untracked();
        spawn_local(async move {
            let result = staff.observe(api::worklist_csv(&code, &query, encoding).await);
            pending.set(false);
            match result {
                Ok(file) => {
                    let started = crate::js::download(&file.bytes, "worklist.csv");
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
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        download();
    };
    view! {
        <section class="card" aria-labelledby="worklist-csv-title">
            <h2 id="worklist-csv-title">{move || tx.t(Msg::WorklistCsvTitle)}</h2>
            {move || if may_export() {
                view! {
                    <p>{move || tx.t(Msg::WorklistCsvLead)}</p>
                    <form class="form form--narrow" novalidate on:submit=submit>
                        <fieldset class="choices">
                            <legend>{move || tx.t(Msg::LabelEncoding)}</legend>
                            <Radio name="worklist-encoding" value=encoding this=CsvEncoding::Cp932 label=Msg::EncodingCp932 />
                            <Radio name="worklist-encoding" value=encoding this=CsvEncoding::Utf8 label=Msg::EncodingUtf8 />
                        </fieldset>
                        <div class="button-row">
                            <button type="submit" class="button button--primary" disabled=move || pending.get()>
                                {move || tx.t(if pending.get() { Msg::Working } else { Msg::DownloadCsv })}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            } else {
                view! { <p>{move || tx.t(Msg::WorklistNeedsExport)}</p> }.into_any()
            }}
            <ErrorSlot error />
            <LiveStatus message=status />
            <ReauthDialog open=reauth on_done=Callback::new(move |()| download()) />
        </section>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_worklist_needs_a_vaccination_and_sensible_ages() {
        let errors = query_of(" ", WorklistStatus::Never, "x", "200").unwrap_err();
        assert_eq!(
            errors,
            vec![
                ("worklist-vaccination", Msg::EmptyVaccination),
                ("worklist-age-from", Msg::BadAge),
                ("worklist-age-to", Msg::BadAge),
            ]
        );
        let errors = query_of("mr_1", WorklistStatus::Never, "5", "3").unwrap_err();
        assert_eq!(errors, vec![("worklist-age-to", Msg::AgeOrder)]);
    }

    #[test]
    fn empty_ages_mean_no_limit() {
        let query = query_of(" mr_1 ", WorklistStatus::Overdue, "", " 3 ").unwrap();
        assert_eq!(query.vaccination, "mr_1");
        assert_eq!((query.age_from, query.age_to), (None, Some(3)));
    }
}
