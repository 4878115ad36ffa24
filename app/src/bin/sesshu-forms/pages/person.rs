use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use sesshu_app::components::Loading;
use sesshu_app::i18n::{Lang, format_date};
use sesshu_domain::questionnaire::Lang as FormLang;
use sesshu_domain::questionnaire_api::{
    DueVaccination, FillableQuestionnaire, PersonQuestionnaires, ResponseStatus, ResponseSummary,
    StartResponse,
};

use crate::api::{self, FormsError};
use crate::components::{ErrorNotice, PersonBanner, StatusTag, response_href};
use crate::local_copy;
use crate::notices::PersonNotices;
use crate::schedule::DueSchedule;
use crate::text::{Msg, format_moment, use_title, use_tx};

/// The form language a new response starts in: the one chosen last on this device, else the UI
/// language.
pub fn starting_lang(ui: Lang) -> FormLang {
    local_copy::preferred_lang().unwrap_or(match ui {
        Lang::Ja => FormLang::Ja,
        Lang::En => FormLang::En,
    })
}

/// `/forms/:person`: what the person can fill in now (and the draft to continue), every
/// response of theirs with its status, their vaccinations due or coming, and their notices.
#[component]
pub fn PersonPage() -> impl IntoView {
    use_title(Msg::FormsTitle);
    let tx = use_tx();
    let params = use_params_map();
    let handle = Memo::new(move |_| params.read().get("person").unwrap_or_default());
    let list = LocalResource::new(move || {
        let handle = handle.get();
        let lang = match tx.lang() {
            Lang::Ja => FormLang::Ja,
            Lang::En => FormLang::En,
        };
        async move { api::questionnaires(&handle, lang).await }
    });
    view! {
        {move || view! { <PersonBanner handle=handle.get() /> }}
        <h1 tabindex="-1">{move || tx.t(Msg::FormsTitle)}</h1>
        {move || match list.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
            Some(Ok(found)) => view! { <Lists handle=handle.get_untracked() found /> }.into_any(),
        }}
        {move || {
            let handle = handle.get();
            view! {
                <DueSchedule handle=handle.clone() />
                <PersonNotices handle />
            }
        }}
    }
}

/// The two lists: fillable now, and every response.
#[component]
fn Lists(
    /// The person's handle.
    handle: String,
    /// What the API said.
    found: PersonQuestionnaires,
) -> impl IntoView {
    let tx = use_tx();
    let failure = RwSignal::new(None::<FormsError>);
    let fillable = if found.fillable.is_empty() {
        view! { <p>{move || tx.t(Msg::NoFillable)}</p> }.into_any()
    } else {
        let handle = handle.clone();
        view! {
            <ul class="qn-list">
                {found
                    .fillable
                    .into_iter()
                    .map(|form| view! { <FillableCard handle=handle.clone() form failure /> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let responses = if found.responses.is_empty() {
        view! { <p>{move || tx.t(Msg::NoResponses)}</p> }.into_any()
    } else {
        view! {
            <ul class="record-list">
                {found
                    .responses
                    .into_iter()
                    .map(|response| view! { <ResponseCard handle=handle.clone() response /> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        {move || failure.get().map(|error| view! { <ErrorNotice error /> })}
        <section class="qn-block" aria-labelledby="fillable-title">
            <h2 id="fillable-title">{move || tx.t(Msg::FillableTitle)}</h2>
            {fillable}
        </section>
        <section class="qn-block" aria-labelledby="responses-title">
            <h2 id="responses-title">{move || tx.t(Msg::ResponsesTitle)}</h2>
            {responses}
        </section>
    }
}

/// A questionnaire that can be filled in now: its title, the vaccinations that make it due,
/// and the button to start it (or continue its draft).
#[component]
fn FillableCard(
    /// The person's handle.
    handle: String,
    /// The questionnaire.
    form: FillableQuestionnaire,
    /// Where a failed start is shown.
    failure: RwSignal<Option<FormsError>>,
) -> impl IntoView {
    let tx = use_tx();
    let navigate = use_navigate();
    let pending = RwSignal::new(false);
    let FillableQuestionnaire {
        setting,
        title,
        vaccinations,
        open_draft,
        ..
    } = form;
    let title_id = format!("fillable-{setting}");
    let action = match open_draft {
        Some(draft) => view! {
            <a class="button button--primary button--block" href=response_href(&handle, &draft)>
                {move || tx.t(Msg::ContinueForm)}
            </a>
        }
        .into_any(),
        None => {
            let start = move |_| {
                if pending.get_untracked() {
                    return;
                }
                pending.set(true);
                failure.set(None);
                let body = StartResponse {
                    setting: setting.clone(),
                    lang: starting_lang(tx.lang()),
                };
                let handle = handle.clone();
                let navigate = navigate.clone();
                spawn_local(async move {
                    match api::start(&handle, &body).await {
                        Ok(view) => {
                            navigate(
                                &response_href(&handle, &view.summary.id),
                                NavigateOptions::default(),
                            );
                        }
                        Err(error) => {
                            pending.set(false);
                            failure.set(Some(error));
                        }
                    }
                });
            };
            view! {
                <button
                    type="button"
                    class="button button--primary button--block"
                    aria-describedby=title_id.clone()
                    disabled=move || pending.get()
                    on:click=start
                >
                    {move || tx.t(Msg::StartForm)}
                </button>
            }
            .into_any()
        }
    };
    view! {
        <li class="card qn-fillable">
            <h3 class="card__title" id=title_id>{title}</h3>
            <p class="qn-fillable__label">{move || tx.t(Msg::DueVaccinations)}</p>
            <ul class="qn-due">
                {vaccinations.into_iter().map(|v| view! { <DueLine v /> }).collect_view()}
            </ul>
            {action}
        </li>
    }
}

/// One due vaccination: its name and whether it is due, overdue or coming up (from when).
#[component]
fn DueLine(
    /// The vaccination.
    v: DueVaccination,
) -> impl IntoView {
    let tx = use_tx();
    let state = match v.status.as_str() {
        "overdue" => Msg::Overdue,
        "upcoming" => Msg::Upcoming,
        _ => Msg::DueNow,
    };
    let opens_on = v.opens_on;
    view! {
        <li>
            <span class="qn-due__name">{move || tx.pick(&v.name_ja, &v.name_en).to_owned()}</span>
            " "
            <span class="qn-due__state">
                {move || tx.t(state)}
                {move || opens_on.map(|date| format!(" ({})", format_date(tx.lang(), date)))}
            </span>
        </li>
    }
}

/// A response as a link: title, status and its dates (the 強制失効日 once sent).
#[component]
fn ResponseCard(
    /// The person's handle.
    handle: String,
    /// The response.
    response: ResponseSummary,
) -> impl IntoView {
    let tx = use_tx();
    let ResponseSummary {
        id,
        title,
        status,
        updated_at,
        submitted_at,
        expires_on,
        ..
    } = response;
    let sent = status != ResponseStatus::Draft;
    view! {
        <li>
            <a class="record-card" href=response_href(&handle, &id)>
                <span class="record-card__name">{title}</span>
                <span class="record-card__meta">
                    <StatusTag status />
                    {(!sent).then(|| view! {
                        <span>{move || tx.t(Msg::LabelUpdated)} " " {move || format_moment(tx.lang(), updated_at)}</span>
                    })}
                    {submitted_at.filter(|_| sent).map(|at| view! {
                        <span>{move || tx.t(Msg::LabelSubmitted)} " " {move || format_moment(tx.lang(), at)}</span>
                    })}
                    {expires_on.filter(|_| sent).map(|date| view! {
                        <span>{move || tx.t(Msg::LabelExpires)} " " {move || format_date(tx.lang(), date)}</span>
                    })}
                </span>
            </a>
        </li>
    }
}
