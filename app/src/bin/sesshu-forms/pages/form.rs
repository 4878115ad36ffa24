//! `/forms/:person/:id`: one response. A draft (or a correction) is filled in one section per
//! screen, then reviewed and sent; a sent one is shown with what can still be done to it.
//!
//! The screen state lives in [`FormCtx`]; the steps are in `form_section`, `form_review`,
//! `form_done`, and a sent response's page in `form_view`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use sesshu_app::components::Loading;
use sesshu_app::i18n::Lang;
use sesshu_app::questionnaire::FormModel;
use sesshu_domain::questionnaire::Lang as FormLang;
use sesshu_domain::questionnaire_api::{ResponseStatus, ResponseSummary, ResponseView};

use crate::api::{self, FormsError};
use crate::autosave::{SaveState, Saver};
use crate::components::{ErrorNotice, PersonBanner, focus_main_heading};
use crate::local_copy::{self, Resume};
use crate::pages::form_done::DoneStep;
use crate::pages::form_review::ReviewStep;
use crate::pages::form_section::SectionStep;
use crate::pages::form_view::SentView;
use crate::text::{Msg, use_title, use_tx};

/// Where in the form the person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A section (its position in the template).
    Section(usize),
    /// All answers, before sending.
    Review,
    /// Sent.
    Done,
}

/// What the person is doing with the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Filling in a draft (autosaved).
    Fill,
    /// Correcting a sent form (kept on the device until sent whole).
    Correct,
    /// Looking at a sent, used, withdrawn or expired form.
    View,
}

/// The state of the form screen, shared by its steps. `Copy`.
#[derive(Clone, Copy)]
pub struct FormCtx {
    pub person: StoredValue<String>,
    pub id: StoredValue<String>,
    pub model: FormModel,
    pub saver: Saver,
    pub summary: RwSignal<ResponseSummary>,
    pub correctable: RwSignal<bool>,
    pub withdrawable: RwSignal<bool>,
    pub mode: RwSignal<Mode>,
    pub step: RwSignal<Step>,
    /// A notice over the form (e.g. answers restored from this device).
    pub notice: RwSignal<Option<Msg>>,
    /// Bumped to load the response again from the server.
    pub reload: RwSignal<u32>,
}

impl FormCtx {
    /// The sections the person goes through: shown for the answers, and not the doctor's
    /// (which the review shows, read-only). Reactive.
    pub fn steps(self) -> Vec<usize> {
        self.model
            .shown_sections()
            .into_iter()
            .filter(|&index| !self.model.is_doctor_section(index))
            .collect()
    }

    /// Moves to `step`, remembers a section as the place to resume, and puts focus on the new
    /// step's heading (which also brings it into view).
    pub fn go(self, step: Step) {
        self.step.set(step);
        if let Step::Section(index) = step {
            self.saver.remember_section(index);
        }
        request_animation_frame(focus_main_heading);
    }

    /// Whether the form's view is gone (the person left while a request was on its way).
    pub fn gone(self) -> bool {
        self.step.is_disposed() || self.id.is_disposed()
    }

    /// `(person, id)`.
    pub fn keys(self) -> (String, String) {
        (self.person.get_value(), self.id.get_value())
    }

    /// The text key of section `index`'s title, read reactively in the form's language.
    pub fn section_title(self, index: usize) -> String {
        self.model.text(&self.model.section_key(index))
    }
}

/// Loads the response (texts in the language last chosen on this device) and shows it.
#[component]
pub fn FormPage() -> impl IntoView {
    use_title(Msg::FormsTitle);
    let tx = use_tx();
    let params = use_params_map();
    let keys = Memo::new(move |_| {
        params.with(|p| {
            (
                p.get("person").unwrap_or_default(),
                p.get("id").unwrap_or_default(),
            )
        })
    });
    let reload = RwSignal::new(0u32);
    let loaded = LocalResource::new(move || {
        reload.track();
        let (person, id) = keys.get();
        let lang = local_copy::load(&id).and_then(|copy| copy.lang);
        async move { api::response(&person, &id, lang).await }
    });
    view! {
        {move || view! { <PersonBanner handle=keys.get().0 /> }}
        {move || match loaded.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! {
                <h1 tabindex="-1">{move || tx.t(Msg::FormsTitle)}</h1>
                <ErrorNotice error />
            }
            .into_any(),
            Some(Ok(view)) => {
                let (person, id) = keys.get_untracked();
                view! { <FormScreen person id view reload /> }.into_any()
            }
        }}
    }
}

/// The loaded response: decides where to resume and shows the step.
#[component]
fn FormScreen(
    /// The person's handle.
    person: String,
    /// The response id.
    id: String,
    /// The response as loaded.
    view: ResponseView,
    /// Bumped to load again.
    reload: RwSignal<u32>,
) -> impl IntoView {
    let tx = use_tx();
    let copy = local_copy::load(&id);
    let ResponseView {
        summary,
        answers,
        editable,
        correctable,
        withdrawable,
        template,
        texts,
        languages,
        ..
    } = view;
    let resume = local_copy::resume(copy.as_ref(), editable, correctable);
    let (start_answers, mode, restored) = match resume {
        Resume::Draft(local) => (local, Mode::Fill, true),
        Resume::Correction(local) => (local, Mode::Correct, true),
        Resume::Server if editable => (answers, Mode::Fill, false),
        Resume::Server => (answers, Mode::View, false),
    };
    if !restored && copy.as_ref().is_some_and(|c| c.unsaved.is_some()) {
        // Unsent answers the server no longer takes (sent elsewhere, expired): the server's
        // state is the truth now, and health answers should not linger on the device.
        local_copy::forget(&id);
    }
    let model = FormModel::new(template.content().clone(), texts, start_answers);
    let saver = Saver::new(person.clone(), id.clone(), model, summary.version);
    saver.correcting.set(mode == Mode::Correct);
    let ctx = FormCtx {
        person: StoredValue::new(person),
        id: StoredValue::new(id),
        model,
        saver,
        summary: RwSignal::new(summary),
        correctable: RwSignal::new(correctable),
        withdrawable: RwSignal::new(withdrawable),
        mode: RwSignal::new(mode),
        step: RwSignal::new(Step::Review),
        notice: RwSignal::new(restored.then_some(Msg::Restored)),
        reload,
    };
    let steps = ctx.steps();
    let first = steps.first().copied();
    let resume_at = copy
        .and_then(|c| c.section)
        .filter(|index| steps.contains(index))
        .or(first);
    ctx.step.set(resume_at.map_or(Step::Review, Step::Section));
    saver.start();
    if restored {
        saver.resume_unsent();
    }
    // A closed form (sent from another tab, expired) cannot take more: show its state.
    Effect::new(move |_| {
        if saver.state.get() == SaveState::Closed {
            ctx.reload.update(|n| *n += 1);
        }
    });
    let title_key = "title";
    view! {
        <p class="eyebrow qn-title" lang=move || model.lang().code()>{move || model.text(title_key)}</p>
        <LanguagePicker ctx languages />
        {move || ctx.notice.get().map(|msg| view! {
            <p class="notice notice--info" role="status">{move || tx.t(msg)}</p>
        })}
        {move || match (ctx.mode.get(), ctx.step.get()) {
            (_, Step::Done) => view! { <DoneStep ctx /> }.into_any(),
            (Mode::View, _) => view! { <SentView ctx /> }.into_any(),
            (_, Step::Section(index)) => view! { <SectionStep ctx index /> }.into_any(),
            (_, Step::Review) => view! { <ReviewStep ctx /> }.into_any(),
        }}
        <SaveStatus ctx />
    }
}

/// The form's language: any language its template has texts in. The page around it follows
/// in English for languages other than Japanese (its own texts exist in those two only).
#[component]
fn LanguagePicker(
    /// The form.
    ctx: FormCtx,
    /// The languages with texts.
    languages: Vec<FormLang>,
) -> impl IntoView {
    let tx = use_tx();
    let failure = RwSignal::new(None::<FormsError>);
    let change = move |code: String| {
        let Some(lang) = FormLang::from_code(&code) else {
            return;
        };
        if lang == ctx.model.lang() {
            return;
        }
        if lang != FormLang::Ja && tx.lang() == Lang::Ja {
            tx.set_lang(Lang::En);
        }
        if ctx.mode.get_untracked() != Mode::View {
            ctx.saver.change_lang(lang);
        } else {
            local_copy::update(&ctx.id.get_value(), |copy| copy.lang = Some(lang));
        }
        let (person, id) = ctx.keys();
        spawn_local(async move {
            match api::response(&person, &id, Some(lang)).await {
                Ok(view) => {
                    failure.set(None);
                    ctx.model.set_texts(view.texts);
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <div class="qn-lang">
            <label class="qn-lang__label" for="form-lang">{move || tx.t(Msg::FormLangLabel)}</label>
            <select
                id="form-lang"
                class="qn-input qn-lang__select"
                aria-describedby="form-lang-hint"
                on:change:target=move |ev| change(ev.target().value())
            >
                {languages
                    .into_iter()
                    .map(|lang| view! {
                        <option
                            value=lang.code()
                            lang=lang.code()
                            prop:selected=move || ctx.model.lang() == lang
                        >
                            {lang.endonym()}
                        </option>
                    })
                    .collect_view()}
            </select>
            <p class="qn-hint" id="form-lang-hint">{move || tx.t(Msg::FormLangHint)}</p>
            {move || failure.get().map(|error| view! { <ErrorNotice error /> })}
        </div>
    }
}

/// Where the answers stand ("保存しました"), in a polite live region that is always there, so
/// screen readers hear each change.
#[component]
fn SaveStatus(
    /// The form.
    ctx: FormCtx,
) -> impl IntoView {
    let tx = use_tx();
    let text = move || {
        let msg = match ctx.saver.state.get() {
            SaveState::Idle | SaveState::Closed => return None,
            SaveState::Pending => Msg::SavePending,
            SaveState::Saving => Msg::SaveSaving,
            SaveState::Saved => Msg::SaveSaved,
            SaveState::Offline => Msg::SaveOffline,
            SaveState::OnDevice => Msg::SaveOnDevice,
            SaveState::Failed => Msg::SaveFailed,
            SaveState::LoggedOut => Msg::SaveLoggedOut,
        };
        Some(tx.t(msg))
    };
    let warn = move || {
        matches!(
            ctx.saver.state.get(),
            SaveState::Offline | SaveState::Failed | SaveState::LoggedOut
        )
    };
    view! {
        <p class="qn-save" class:qn-save--warn=warn role="status" data-state=move || format!("{:?}", ctx.saver.state.get())>
            {text}
        </p>
    }
}

/// Whether a sent response's status lets the person see the printable form.
pub fn printable(status: ResponseStatus) -> bool {
    matches!(
        status,
        ResponseStatus::Submitted | ResponseStatus::Used | ResponseStatus::Expired
    )
}

/// Shows a failed request of a step until the next attempt.
pub fn failure_notice(failure: RwSignal<Option<FormsError>>) -> impl IntoView {
    move || failure.get().map(|error| view! { <ErrorNotice error /> })
}
