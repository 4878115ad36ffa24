use crate::api::{self, CsvEncoding, ErrorKind, ExportKind, ExportQuery, StaffError};
use crate::components::{
    ErrorSlot, FieldErrors, LiveStatus, PageHeading, ReauthDialog, RequirePermission, TextField,
    field_error, focus_first_error,
};
use crate::session::use_current_staff;
use crate::shell::EXPORTS;
use crate::text::{Msg, use_title, use_tx};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/admin/exports`: persons (the import layout) or vaccination records as CSV, all or changed
/// since a day, in Shift_JIS or UTF-8; My Numbers only for those who may see them. A 403
/// `reauthentication_required` opens the re-authentication dialog, then the download is
/// tried again.
#[component]
pub fn ExportsPage() -> impl IntoView {
    use_title(Msg::ExportsTitle);
    view! {
        <RequirePermission any=EXPORTS probe="exports/records.csv">
            <Exports />
        </RequirePermission>
    }
}

/// A radio button of a group, checked while `value` equals `this`.
#[component]
pub fn Radio<T>(
    /// The group's name.
    name: &'static str,
    /// The chosen value, two-way bound.
    value: RwSignal<T>,
    /// This button's value.
    this: T,
    /// Its text.
    label: Msg,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let tx = use_tx();
    view! {
        <label class="choice">
            <input
                type="radio"
                name=name
                prop:checked=move || value.get() == this
                on:change=move |_| value.set(this)
            />
            {move || tx.t(label)}
        </label>
    }
}

#[component]
fn Exports() -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let kind = RwSignal::new(ExportKind::Persons);
    let changed_only = RwSignal::new(false);
    let since = RwSignal::new(String::new());
    let encoding = RwSignal::new(CsvEncoding::Cp932);
    let my_number = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let errors: FieldErrors = RwSignal::new(Vec::new());
    let status = RwSignal::new(None::<Msg>);
    let reauth = RwSignal::new(false);
    let may_my_number = move || staff.may_view_my_number() && kind.get() == ExportKind::Persons;
    let download = move || {
        if pending.get_untracked() {
            return;
        }
        let since = if changed_only.get_untracked() {
            since.get_untracked()
        } else {
            String::new()
        };
        if changed_only.get_untracked() && since.trim().is_empty() {
            let list = vec![("export-since", Msg::EmptySince)];
            focus_first_error(&list);
            errors.set(list);
            return;
        }
        errors.set(Vec::new());
        let query = ExportQuery {
            kind: kind.get_untracked(),
            since,
            encoding: encoding.get_untracked(),
            my_number: my_number.get_untracked() && staff.may_view_my_number(),
        };
        pending.set(true);
        error.set(None);
        status.set(None);
        let code = staff.code();
        spawn_local(async move {
            let result = staff.observe(api::export_csv(&code, &query).await);
            pending.set(false);
            match result {
                Ok(file) => {
                    let started = crate::js::download(&file.bytes, query.kind.file_name());
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
        <PageHeading msg=Msg::ExportsTitle />
        <p class="lead">{move || tx.t(Msg::ExportsLead)}</p>
        <form class="form form--narrow" novalidate on:submit=submit>
            <fieldset class="choices">
                <legend>{move || tx.t(Msg::ExportWhat)}</legend>
                <Radio name="export-kind" value=kind this=ExportKind::Persons label=Msg::ExportPersons />
                <Radio name="export-kind" value=kind this=ExportKind::Records label=Msg::ExportRecords />
            </fieldset>
            <fieldset class="choices">
                <legend>{move || tx.t(Msg::ExportScope)}</legend>
                <Radio name="export-scope" value=changed_only this=false label=Msg::ScopeAll />
                <Radio name="export-scope" value=changed_only this=true label=Msg::ScopeSince />
            </fieldset>
            <Show when=move || changed_only.get()>
                <TextField
                    id="export-since"
                    label=Msg::LabelSince
                    value=since
                    kind="date"
                    required=true
                    error=field_error(errors, "export-since")
                />
            </Show>
            <fieldset class="choices">
                <legend>{move || tx.t(Msg::LabelEncoding)}</legend>
                <Radio name="export-encoding" value=encoding this=CsvEncoding::Cp932 label=Msg::EncodingCp932 />
                <Radio name="export-encoding" value=encoding this=CsvEncoding::Utf8 label=Msg::EncodingUtf8 />
            </fieldset>
            <Show when=may_my_number>
                <div class="field">
                    <label class="choice">
                        <input type="checkbox" aria-describedby="export-my-number-hint" bind:checked=my_number />
                        {move || tx.t(Msg::IncludeMyNumber)}
                    </label>
                    <p class="field__hint" id="export-my-number-hint">{move || tx.t(Msg::HintIncludeMyNumber)}</p>
                </div>
            </Show>
            <div class="button-row">
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || tx.t(if pending.get() { Msg::Working } else { Msg::DownloadCsv })}
                </button>
            </div>
        </form>
        <ErrorSlot error />
        <LiveStatus message=status />
        <ReauthDialog open=reauth on_done=Callback::new(move |()| download()) />
    }
}
