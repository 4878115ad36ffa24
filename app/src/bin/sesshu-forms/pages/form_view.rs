//! A response that is not a draft: its status and dates, its answers, and what can still be
//! done: correct or withdraw it until the clinic uses it, print it.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sesshu_app::i18n::format_date;
use sesshu_domain::questionnaire_api::ResponseStatus;

use crate::api::{self, FormsError};
use crate::components::{StatusTag, person_href, response_href};
use crate::local_copy;
use crate::pages::form::{FormCtx, Mode, Step, failure_notice, printable};
use crate::pages::form_review::{AnswerList, DoctorPart};
use crate::text::{Msg, format_moment, use_tx};

/// The page of a sent (or used, withdrawn, expired) response.
#[component]
pub fn SentView(
    /// The form.
    ctx: FormCtx,
) -> impl IntoView {
    let tx = use_tx();
    let (person, id) = ctx.keys();
    let summary = ctx.summary;
    let status = move || summary.with(|s| s.status);
    let note = move || match status() {
        ResponseStatus::Draft => Msg::DraftNote,
        ResponseStatus::Submitted => Msg::SubmittedNote,
        ResponseStatus::Used => Msg::UsedNote,
        ResponseStatus::Withdrawn => Msg::WithdrawnNote,
        ResponseStatus::Expired => Msg::ExpiredNote,
    };
    let withdrawn_now = RwSignal::new(false);
    let failure = RwSignal::new(None::<FormsError>);
    let dialog = NodeRef::<html::Dialog>::new();
    let correct = move |_| {
        let answers = ctx.model.answers_untracked();
        let base = summary.with_untracked(|s| s.version);
        local_copy::update(&ctx.id.get_value(), |copy| {
            copy.base_version = base;
            copy.unsaved = Some(answers);
            copy.correcting = true;
        });
        ctx.saver.correcting.set(true);
        ctx.mode.set(Mode::Correct);
        let first = ctx.steps().first().copied();
        ctx.go(first.map_or(Step::Review, Step::Section));
    };
    let ask_withdraw = move |_| {
        if let Some(dialog) = dialog.get() {
            // Fails only if already open or detached; nothing to do then.
            let _ = dialog.show_modal();
        }
    };
    let close_dialog = move || {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let withdraw = move |_| {
        close_dialog();
        let (person, id) = ctx.keys();
        let version = summary.with_untracked(|s| s.version);
        spawn_local(async move {
            match api::withdraw(&person, &id, version).await {
                Ok(updated) => {
                    local_copy::forget(&id);
                    summary.set(updated);
                    ctx.correctable.set(false);
                    ctx.withdrawable.set(false);
                    failure.set(None);
                    withdrawn_now.set(true);
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    let print_href = format!("{}/print", response_href(&person, &id));
    view! {
        <h1 tabindex="-1" lang=move || ctx.model.lang().code()>{move || summary.with(|s| s.title.clone())}</h1>
        <Show when=move || withdrawn_now.get()>
            <p class="notice notice--success" role="status">{move || tx.t(Msg::WithdrawDone)}</p>
        </Show>
        {failure_notice(failure)}
        <dl class="facts card">
            <div class="facts__row">
                <dt>{move || tx.t(Msg::LabelStatus)}</dt>
                <dd>{move || view! { <StatusTag status=status() /> }}</dd>
            </div>
            {move || summary.with(|s| s.submitted_at).map(|at| view! {
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelSubmitted)}</dt>
                    <dd>{move || format_moment(tx.lang(), at)}</dd>
                </div>
            })}
            {move || summary.with(|s| s.expires_on).map(|date| view! {
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelExpires)}</dt>
                    <dd>{move || format_date(tx.lang(), date)}</dd>
                </div>
            })}
        </dl>
        <p>{move || tx.t(note())}</p>
        <AnswerList ctx editable=false />
        <DoctorPart ctx />
        <div class="actions">
            <Show when=move || printable(status())>
                <a class="button button--primary button--block" href=print_href.clone()>
                    {move || tx.t(Msg::ToPrint)}
                </a>
            </Show>
            <Show when=move || ctx.correctable.get()>
                <button type="button" class="button button--secondary button--block" on:click=correct>
                    {move || tx.t(Msg::Correct)}
                </button>
            </Show>
            <Show when=move || ctx.withdrawable.get()>
                <button type="button" class="button button--secondary button--block button--danger" on:click=ask_withdraw>
                    {move || tx.t(Msg::Withdraw)}
                </button>
            </Show>
            <a class="button button--secondary button--block" href=person_href(&person)>
                {move || tx.t(Msg::BackToList)}
            </a>
        </div>
        <dialog node_ref=dialog class="dialog" aria-labelledby="withdraw-title">
            <h2 id="withdraw-title">{move || tx.t(Msg::WithdrawTitle)}</h2>
            <p>{move || tx.t(Msg::WithdrawBody)}</p>
            <div class="actions">
                <button type="button" class="button button--primary button--block" on:click=withdraw>
                    {move || tx.t(Msg::Withdraw)}
                </button>
                <button type="button" class="button button--secondary button--block" on:click=move |_| close_dialog()>
                    {move || tx.t(Msg::Cancel)}
                </button>
            </div>
        </dialog>
    }
}
