use leptos::prelude::*;
use sesshu_app::i18n::format_date;

use crate::components::{person_href, response_href};
use crate::pages::form::{FormCtx, Mode};
use crate::text::{Msg, format_moment, use_tx};

/// Sent: when it was answered, until when the clinic can use it, and the printable form.
#[component]
pub fn DoneStep(
    /// The form.
    ctx: FormCtx,
) -> impl IntoView {
    let tx = use_tx();
    let (person, id) = ctx.keys();
    let corrected = ctx.mode.get_untracked() == Mode::Correct;
    let summary = ctx.summary.get_untracked();
    let print_href = format!("{}/print", response_href(&person, &id));
    view! {
        <h1 tabindex="-1">{move || tx.t(if corrected { Msg::CorrectionDoneTitle } else { Msg::DoneTitle })}</h1>
        <p class="lead">{move || tx.t(Msg::DoneLead)}</p>
        <dl class="facts card">
            {summary.submitted_at.map(|at| view! {
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelSubmitted)}</dt>
                    <dd>{move || format_moment(tx.lang(), at)}</dd>
                </div>
            })}
            {summary.expires_on.map(|date| view! {
                <div class="facts__row">
                    <dt>{move || tx.t(Msg::LabelExpires)}</dt>
                    <dd>{move || format_date(tx.lang(), date)}</dd>
                </div>
            })}
        </dl>
        <div class="actions">
            <a class="button button--primary button--block" href=print_href>
                {move || tx.t(Msg::ToPrint)}
            </a>
            <a class="button button--secondary button--block" href=person_href(&person)>
                {move || tx.t(Msg::BackToList)}
            </a>
        </div>
    }
}
