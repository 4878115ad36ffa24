//! The review before sending: every shown answer by section with the way back to change it,
//! the doctor's part (read-only), and Send. A draft is saved first (so the server checks what
//! the person sees); a correction is sent whole.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::questionnaire::answer_text::answer_text;
use sesshu_app::questionnaire::fields::SectionFields;
use sesshu_app::questionnaire::words::{Word, word};
use sesshu_domain::questionnaire::texts::keys;
use sesshu_domain::questionnaire_api::{CorrectResponse, ResponseSummary};

use crate::api::{self, FormsError};
use crate::components::focus_by_id;
use crate::local_copy;
use crate::pages::form::{FormCtx, Mode, Step, failure_notice};
use crate::pages::form_section::{ErrorSummary, SUMMARY_ID};
use crate::text::{Msg, use_tx};

/// The review step.
#[component]
pub fn ReviewStep(
    /// The form.
    ctx: FormCtx,
) -> impl IntoView {
    let tx = use_tx();
    let model = ctx.model;
    let attempted = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let failure = RwSignal::new(None::<FormsError>);
    let correcting = move || ctx.mode.get() == Mode::Correct;
    let send = move |_| {
        if sending.get_untracked() || ctx.saver.busy() {
            return;
        }
        if !model.check_all().is_empty() {
            attempted.set(true);
            request_animation_frame(|| focus_by_id(SUMMARY_ID));
            return;
        }
        attempted.set(false);
        failure.set(None);
        sending.set(true);
        spawn_local(async move {
            let result = send_answers(ctx).await;
            if ctx.gone() {
                return;
            }
            sending.set(false);
            match result {
                Ok(summary) => {
                    local_copy::forget(&ctx.id.get_value());
                    ctx.summary.set(summary);
                    ctx.saver.correcting.set(false);
                    ctx.go(Step::Done);
                }
                Err(FormsError::Invalid(items)) => {
                    model.show_errors(items);
                    attempted.set(true);
                    request_animation_frame(|| focus_by_id(SUMMARY_ID));
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    let cancel_correction = move |_| {
        local_copy::forget(&ctx.id.get_value());
        ctx.reload.update(|n| *n += 1);
    };
    view! {
        <h1 tabindex="-1">{move || tx.t(Msg::ReviewTitle)}</h1>
        <p>{move || tx.t(Msg::ReviewLead)}</p>
        <Show when=correcting>
            <p class="notice notice--info">{move || tx.t(Msg::CorrectingNote)}</p>
        </Show>
        <AnswerList ctx editable=true />
        <DoctorPart ctx />
        <Show when=move || attempted.get()>
            <ErrorSummary ctx scope=None />
        </Show>
        {failure_notice(failure)}
        <Show when=move || matches!(failure.get(), Some(FormsError::Network))>
            <p class="notice notice--warning" role="status">{move || tx.t(Msg::SubmitOffline)}</p>
        </Show>
        <div class="actions qn-send">
            <button
                type="button"
                class="button button--primary button--block"
                disabled=move || sending.get() || ctx.saver.busy()
                on:click=send
            >
                {move || tx.t(match (sending.get(), correcting()) {
                    (true, _) => Msg::Sending,
                    (false, true) => Msg::SubmitCorrection,
                    (false, false) => Msg::SubmitForm,
                })}
            </button>
            <Show when=correcting>
                <button type="button" class="button button--secondary button--block" on:click=cancel_correction>
                    {move || tx.t(Msg::CancelCorrection)}
                </button>
            </Show>
        </div>
    }
}

/// Sends the answers: a correction whole; a draft saved first, then submitted at its version
/// (reloading the version once if it moved on).
async fn send_answers(ctx: FormCtx) -> Result<ResponseSummary, FormsError> {
    let (person, id) = ctx.keys();
    if ctx.mode.get_untracked() == Mode::Correct {
        let body = CorrectResponse {
            version: ctx.summary.get_untracked().version,
            answers: ctx.model.answers_untracked(),
        };
        return api::correct(&person, &id, &body).await;
    }
    if ctx.saver.dirty() {
        ctx.saver.save().await?;
        if ctx.gone() {
            return Err(FormsError::Network);
        }
    }
    match api::submit(&person, &id, ctx.saver.version.get_untracked()).await {
        Err(error) if error.is_stale() => {
            let view = api::response(&person, &id, None).await?;
            ctx.saver.version.set(view.summary.version);
            api::submit(&person, &id, view.summary.version).await
        }
        other => other,
    }
}

/// Every shown section the person answers, each with its answers (and, when `editable`, the
/// way back to it).
#[component]
pub fn AnswerList(
    /// The form.
    ctx: FormCtx,
    /// Whether the sections can be changed from here.
    editable: bool,
) -> impl IntoView {
    let tx = use_tx();
    let model = ctx.model;
    let form_lang = move || model.lang().code();
    move || {
        ctx.steps()
            .into_iter()
            .map(|index| {
                let title_id = format!("review-{index}");
                let labelled_by = title_id.clone();
                let rows = move || {
                    model
                        .shown_in_section(index)
                        .into_iter()
                        .filter_map(|id| model.item(&id))
                        .map(|item| {
                            let question = keys::item(&item.id);
                            let shown = move || {
                                let answer = model.answer(&item.id);
                                model.texts_with(|texts| match &answer {
                                    Some(value) => (answer_text(&item, value, texts), false),
                                    None => (word(texts.lang, Word::NotAnswered).to_owned(), true),
                                })
                            };
                            let missing = {
                                let shown = shown.clone();
                                move || shown().1
                            };
                            view! {
                                <div class="qn-answers__row">
                                    <dt>{move || model.text(&question)}</dt>
                                    <dd class:qn-answers__missing=missing>{move || shown().0}</dd>
                                </div>
                            }
                        })
                        .collect_view()
                };
                view! {
                    <section class="card qn-review" aria-labelledby=labelled_by>
                        <h2 id=title_id lang=form_lang>{move || ctx.section_title(index)}</h2>
                        <dl class="qn-answers" lang=form_lang>{rows}</dl>
                        {editable.then(|| view! {
                            <button
                                type="button"
                                class="button button--secondary qn-review__change"
                                on:click=move |_| ctx.go(Step::Section(index))
                            >
                                {move || tx.t(Msg::ChangeSection)}
                                <span class="visually-hidden" lang=form_lang>
                                    ": " {move || ctx.section_title(index)}
                                </span>
                            </button>
                        })}
                    </section>
                }
            })
            .collect_view()
    }
}

/// The 医師記入欄, read-only: what the doctor fills in on the day (and has, once used).
#[component]
pub fn DoctorPart(
    /// The form.
    ctx: FormCtx,
) -> impl IntoView {
    let tx = use_tx();
    let model = ctx.model;
    let form_lang = move || model.lang().code();
    let doctor_sections: Vec<usize> = (0..model.section_count())
        .filter(|&index| model.is_doctor_section(index))
        .collect();
    doctor_sections
        .into_iter()
        .map(|index| {
            let title_id = format!("doctor-{index}");
            let labelled_by = title_id.clone();
            view! {
                <section class="card qn-review qn-review--doctor" aria-labelledby=labelled_by>
                    <h2 id=title_id lang=form_lang>{move || ctx.section_title(index)}</h2>
                    <p class="qn-hint">{move || tx.t(Msg::DoctorSectionNote)}</p>
                    <div lang=form_lang>
                        <SectionFields model index ui_lang=Signal::derive(move || tx.lang()) />
                    </div>
                </section>
            }
        })
        .collect_view()
}
