use crate::api::{self, ErrorKind, StaffError};
use crate::components::{
    DateTime, ErrorNotice, ErrorSlot, LiveStatus, PageHeading, ReauthDialog, RequirePermission,
    focus_by_id, focus_main_heading,
};
use crate::pages::person_delete::DeleteSection;
use crate::pages::person_edit::EditForm;
use crate::pages::person_flags::FlagsSection;
use crate::pages::person_history::HistorySection;
use crate::pages::person_schedule::{NoticesSection, ScheduleSection};
use crate::session::use_current_staff;
use crate::shell::{EDIT_PERSONS, PERSONS};
use crate::text::{
    Msg, category_label, duty_label, fee_label, pmh_label, pmh_tag, sex_label, use_title, use_tx,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use sesshu_app::api::encode_path_segment;
use sesshu_app::components::Loading;
use sesshu_domain::staff_persons::{PersonRecordView, PmhStatus};

/// `/admin/persons/{subject_no}`: the person (My Number masked, shown on request after
/// re-authentication), editing, control flags, PMH status, the vaccination schedule and the
/// notices sent, possible duplicates, the change history and deletion. `?saved=new` after registration says so.
#[component]
pub fn PersonDetailPage() -> impl IntoView {
    use_title(Msg::PersonTitle);
    let params = use_params_map();
    let subject = Memo::new(move |_| params.read().get("subject_no").unwrap_or_default());
    view! {
        <RequirePermission any=PERSONS>
            // Keyed on the number, so a link to another person (a duplicate) starts afresh.
            {move || view! { <PersonDetail subject_no=subject.get() /> }}
        </RequirePermission>
    }
}

/// What the person's page shares between its sections.
#[derive(Clone, Copy)]
pub struct DetailContext {
    /// The page's status line.
    pub status: RwSignal<Option<Msg>>,
    /// Bumped to load the person again (after an edit, or to resolve a conflict).
    pub reload: RwSignal<u32>,
    /// Where focus goes once the reloaded page is shown.
    pub focus_after: RwSignal<Option<&'static str>>,
    /// Set once the person is deleted.
    pub deleted: RwSignal<bool>,
}

impl DetailContext {
    /// Loads the person again, then focuses `focus` (if given).
    pub fn reload_then_focus(self, focus: Option<&'static str>) {
        self.focus_after.set(focus);
        self.reload.update(|n| *n += 1);
    }

    /// After the deletion: the page says so and focus goes to its heading.
    pub fn was_deleted(self) {
        self.deleted.set(true);
        self.status.set(Some(Msg::PersonDeleted));
        request_animation_frame(focus_main_heading);
    }
}

#[component]
fn PersonDetail(
    /// The person's 予防接種対象者番号, as in the address.
    subject_no: String,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let created =
        use_query_map().with_untracked(|query| query.get("saved").as_deref() == Some("new"));
    let context = DetailContext {
        status: RwSignal::new(created.then_some(Msg::PersonCreated)),
        reload: RwSignal::new(0),
        focus_after: RwSignal::new(None),
        deleted: RwSignal::new(false),
    };
    let record = LocalResource::new(move || {
        context.reload.track();
        let code = staff.code();
        let subject_no = subject_no.clone();
        async move { staff.observe(api::person_detail(&code, &subject_no).await) }
    });
    view! {
        <PageHeading msg=Msg::PersonTitle />
        <p>
            <a href="/admin/persons">{move || tx.t(Msg::BackToSearch)}</a>
        </p>
        <LiveStatus message=context.status />
        {move || {
            if context.deleted.get() {
                return ().into_any();
            }
            match record.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(view)) => view! { <PersonRecord view created context /> }.into_any(),
            }
        }}
    }
}

/// The loaded person, section by section.
#[component]
fn PersonRecord(
    /// The person as loaded.
    view: PersonRecordView,
    /// Whether the person was just registered.
    created: bool,
    /// The page's shared state.
    context: DetailContext,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let may_edit = staff.has_any(EDIT_PERSONS);
    // Flags and version change in place when the flags are saved; an edit reloads the page.
    let version = RwSignal::new(view.version);
    let flags = RwSignal::new(view.control_flags);
    let history_version = RwSignal::new(0u32);
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(id) = context.focus_after.get_untracked() {
            context.focus_after.set(None);
            request_animation_frame(move || focus_by_id(id));
        }
    });
    let subject_no = view.person.subject_no.clone();
    let twins_warning = created && !view.possible_duplicates.is_empty();
    let facts_view = view.clone();
    let edit_view = view.clone();
    view! {
        {twins_warning.then(|| view! {
            <p class="notice notice--warning">{move || tx.t(Msg::CreatedWithDuplicates)}</p>
        })}
        {move || {
            if editing.get() {
                view! { <EditForm view=edit_view.clone() version flags editing context /> }.into_any()
            } else {
                view! { <Facts view=facts_view.clone() editing may_edit /> }.into_any()
            }
        }}
        <FlagsSection subject_no=subject_no.clone() flags version history_version context may_edit />
        <PmhSection status=view.pmh failure=view.pmh_failure.clone() />
        <ScheduleSection subject_no=subject_no.clone() />
        <NoticesSection subject_no=subject_no.clone() />
        <Duplicates subjects=view.possible_duplicates.clone() />
        <HistorySection subject_no=subject_no.clone() history_version />
        {may_edit.then(|| view! { <DeleteSection subject_no=subject_no.clone() version context /> })}
    }
}

/// The registered data as a list of facts, My Number masked with its "show" button.
#[component]
fn Facts(
    /// The person.
    view: PersonRecordView,
    /// Set to switch to the edit form.
    editing: RwSignal<bool>,
    /// Whether the user may edit.
    may_edit: bool,
) -> impl IntoView {
    let tx = use_tx();
    let PersonRecordView {
        person,
        other_management_no,
        subject_category,
        fee_exemption,
        link_file_name,
        link_at,
        ..
    } = view;
    let blank = move || tx.t(Msg::Blank).to_owned();
    let row = |label: Msg, value: String| {
        view! {
            <div class="facts__row">
                <dt>{move || tx.t(label)}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let sex = person.sex.clone();
    let duties = person.duties.clone();
    let guardian = person.guardian_name.clone();
    let other_no = other_management_no.clone();
    view! {
        <section class="card" aria-labelledby="person-data-title">
            <h2 id="person-data-title" tabindex="-1">{move || tx.t(Msg::PersonDataTitle)}</h2>
            <dl class="facts">
                {row(Msg::LabelSubjectNo, person.subject_no.clone())}
                {row(Msg::LabelName, person.name.clone())}
                {row(Msg::LabelNameKana, person.name_kana.clone())}
                {row(Msg::LabelBirthDate, person.birth_date.clone())}
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelSex)}</dt>
                    <dd>{move || sex_label(tx.lang(), &sex)}</dd>
                </div>
                {row(Msg::LabelAddress, person.address.clone())}
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelGuardian)}</dt>
                    <dd>{move || guardian.clone().unwrap_or_else(blank)}</dd>
                </div>
                {row(Msg::LabelBusinessId, person.municipal_business_id.clone())}
                <MyNumberFact subject_no=person.subject_no.clone() masked=person.my_number_masked.clone() />
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelOtherNo)}</dt>
                    <dd>{move || other_no.clone().unwrap_or_else(blank)}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelSubjectCategory)}</dt>
                    <dd>{move || category_label(tx.lang(), &subject_category)}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelFeeExemption)}</dt>
                    <dd>{move || fee_label(tx.lang(), &fee_exemption)}</dd>
                </div>
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelDuties)}</dt>
                    <dd>
                        {move || {
                            let lang = tx.lang();
                            duties.iter().map(|d| duty_label(lang, *d)).collect::<Vec<_>>().join(" / ")
                        }}
                    </dd>
                </div>
                {link_file_name.map(|name| row(Msg::LabelLinkFile, name))}
                {link_at.map(|at| view! {
                    <div class="facts__row">
                        <dt>{move || tx.t(Msg::LabelLinkAt)}</dt>
                        <dd><DateTime value=at /></dd>
                    </div>
                })}
            </dl>
            {may_edit.then(|| view! {
                <div class="button-row">
                    <button
                        type="button"
                        id="person-edit-button"
                        class="button button--primary"
                        on:click=move |_| editing.set(true)
                    >
                        {move || tx.t(Msg::EditPerson)}
                    </button>
                </div>
            })}
        </section>
    }
}

/// My Number, masked; for users who may see it, a button that shows it (after a
/// re-authentication when the last one is over 5 minutes old) and hides it again.
#[component]
fn MyNumberFact(
    /// Whose number.
    subject_no: String,
    /// The mask the API sent.
    masked: String,
) -> impl IntoView {
    let tx = use_tx();
    let staff = use_current_staff();
    let shown = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<StaffError>);
    let reauth = RwSignal::new(false);
    let reveal = move || {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let subject_no = subject_no.clone();
        spawn_local(async move {
            let result = staff.observe(api::reveal_my_number(&staff.code(), &subject_no).await);
            pending.set(false);
            match result {
                Ok(revealed) => shown.set(Some(revealed.my_number)),
                Err(failure) if failure.kind() == ErrorKind::ReauthRequired => reauth.set(true),
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    let retry = reveal.clone();
    view! {
        <div class="facts__row">
            <dt>{move || tx.t(Msg::LabelMyNumber)}</dt>
            <dd>
                <span class="code code--large" aria-live="polite">
                    {move || shown.get().unwrap_or_else(|| masked.clone())}
                </span>
                <Show when=move || staff.may_view_my_number()>
                    <div class="button-row button-row--tight">
                        {
                            let reveal = reveal.clone();
                            move || if shown.with(Option::is_some) {
                                view! {
                                    <button type="button" class="button button--secondary button--small" on:click=move |_| shown.set(None)>
                                        {move || tx.t(Msg::HideMyNumber)}
                                    </button>
                                }
                                .into_any()
                            } else {
                                let reveal = reveal.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="button button--secondary button--small"
                                        disabled=move || pending.get()
                                        on:click=move |_| reveal()
                                    >
                                        {move || tx.t(if pending.get() { Msg::Working } else { Msg::ShowMyNumber })}
                                    </button>
                                }
                                .into_any()
                            }
                        }
                    </div>
                    <p class="field__hint">{move || tx.t(Msg::MyNumberViewLogged)}</p>
                </Show>
                <ErrorSlot error />
                <ReauthDialog open=reauth on_done=Callback::new(move |()| retry()) />
            </dd>
        </div>
    }
}

/// Where the PMH key stands, and why it failed if it did.
#[component]
fn PmhSection(
    /// The status.
    status: PmhStatus,
    /// The reason of the last failure.
    failure: Option<String>,
) -> impl IntoView {
    let tx = use_tx();
    view! {
        <section class="card" aria-labelledby="pmh-title">
            <h2 id="pmh-title">{move || tx.t(Msg::PmhSectionTitle)}</h2>
            <dl class="facts">
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelPmhStatus)}</dt>
                    <dd><span class=pmh_tag(status)>{move || pmh_label(tx.lang(), status)}</span></dd>
                </div>
                {failure.map(|reason| view! {
                    <div class="facts__row">
                        <dt>{move || tx.t(Msg::LabelPmhFailure)}</dt>
                        <dd class="code">{reason}</dd>
                    </div>
                })}
            </dl>
            <p class="field__hint">{move || tx.t(Msg::PmhExplained)}</p>
        </section>
    }
}

/// Links to the people with the same kana and birth date, if there are any.
#[component]
fn Duplicates(
    /// Their subject numbers.
    subjects: Vec<String>,
) -> impl IntoView {
    let tx = use_tx();
    if subjects.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card" aria-labelledby="twins-title">
            <h2 id="twins-title">{move || tx.t(Msg::DuplicatesHereTitle)}</h2>
            <p>{move || tx.t(Msg::DuplicatesHereLead)}</p>
            <ul class="link-list">
                {subjects
                    .into_iter()
                    .map(|subject| {
                        let href = format!("/admin/persons/{}", encode_path_segment(&subject));
                        view! {
                            <li>
                                <a href=href>
                                    {move || tx.t(Msg::LabelSubjectNo)} " " <span class="code">{subject.clone()}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p>
                <a href="/admin/duplicates">{move || tx.t(Msg::AllDuplicates)}</a>
            </p>
        </section>
    }
    .into_any()
}
