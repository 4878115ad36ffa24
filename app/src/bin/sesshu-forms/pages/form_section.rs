//! One section of the form on its own screen: where the person is ("2 / 5"), the section's
//! shown questions, and Back / Next. Next checks the section as the server would check the
//! submission, and lists what to correct first.

use leptos::prelude::*;
use sesshu_app::questionnaire::fields::{SectionFields, dom_id};
use sesshu_app::questionnaire::model::message;
use sesshu_domain::questionnaire::ItemId;
use sesshu_domain::questionnaire::texts::keys;

use crate::components::{focus_by_id, person_href};
use crate::pages::form::{FormCtx, Step};
use crate::text::{Msg, progress, use_tx};

/// The id of the list of problems, which takes focus when it appears.
pub const SUMMARY_ID: &str = "error-summary";

/// Section `index` of the form.
#[component]
pub fn SectionStep(
    /// The form.
    ctx: FormCtx,
    /// The section's position in the template.
    index: usize,
) -> impl IntoView {
    let tx = use_tx();
    let model = ctx.model;
    let attempted = RwSignal::new(false);
    let position = move || {
        ctx.steps()
            .iter()
            .position(|&s| s == index)
            .map_or(1, |p| p + 1)
    };
    let total = move || ctx.steps().len().max(1);
    let is_first = move || ctx.steps().first() == Some(&index);
    let is_last = move || ctx.steps().last() == Some(&index);
    let ui = Signal::derive(move || tx.lang());
    let form_lang = move || model.lang().code();
    let next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !model.check_section(index).is_empty() {
            attempted.set(true);
            request_animation_frame(|| focus_by_id(SUMMARY_ID));
            return;
        }
        attempted.set(false);
        let steps = ctx.steps();
        let following = steps.iter().skip_while(|&&s| s != index).nth(1).copied();
        ctx.go(following.map_or(Step::Review, Step::Section));
    };
    let back = move |_| {
        let steps = ctx.steps();
        let previous = steps.iter().take_while(|&&s| s != index).last().copied();
        if let Some(previous) = previous {
            ctx.go(Step::Section(previous));
        }
    };
    let list_href = person_href(&ctx.person.get_value());
    view! {
        <div class="qn-progress">
            <p class="qn-progress__text">
                <span class="visually-hidden">{move || tx.t(Msg::Section)} " "</span>
                {move || progress(position(), total())}
            </p>
            <progress
                class="qn-progress__bar"
                aria-hidden="true"
                max=move || total().to_string()
                value=move || position().to_string()
            ></progress>
        </div>
        <h1 tabindex="-1" lang=form_lang>{move || ctx.section_title(index)}</h1>
        <Show when=is_first>
            <p class="lead" lang=form_lang>{move || model.text(keys::INTRO)}</p>
        </Show>
        <form class="qn-form" novalidate on:submit=next>
            <div class="qn-fields" lang=form_lang>
                <SectionFields model index ui_lang=ui />
            </div>
            <Show when=move || attempted.get()>
                <ErrorSummary ctx scope=Some(index) />
            </Show>
            <div class="qn-nav">
                {
                    let list_href = list_href.clone();
                    move || if is_first() {
                        view! {
                            <a class="button button--secondary" href=list_href.clone()>
                                {move || tx.t(Msg::Back)}
                            </a>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button type="button" class="button button--secondary" on:click=back>
                                {move || tx.t(Msg::Back)}
                            </button>
                        }
                        .into_any()
                    }
                }
                <button type="submit" class="button button--primary qn-nav__next">
                    {move || tx.t(if is_last() { Msg::ToReview } else { Msg::Next })}
                </button>
            </div>
        </form>
    }
}

/// The questions to correct, each a link to its field: within section `scope`, or the whole
/// form (from the review, where a link first opens the question's section). Shrinks as the
/// person corrects; gone when nothing is left.
#[component]
pub fn ErrorSummary(
    /// The form.
    ctx: FormCtx,
    /// One section, or all of them.
    scope: Option<usize>,
) -> impl IntoView {
    let tx = use_tx();
    let model = ctx.model;
    let failing = move || -> Vec<(usize, ItemId)> {
        let in_scope: Vec<(usize, ItemId)> = model.with_content(|content| {
            content
                .sections
                .iter()
                .enumerate()
                .filter(|(index, _)| scope.is_none_or(|s| s == *index))
                .flat_map(|(index, section)| {
                    section
                        .items
                        .iter()
                        .map(move |item| (index, item.id.clone()))
                })
                .collect()
        });
        in_scope
            .into_iter()
            .filter(|(_, id)| model.error(id).is_some())
            .collect()
    };
    move || {
        let items = failing();
        (!items.is_empty()).then(|| {
            let rows = items
                .into_iter()
                .map(|(section, id)| {
                    let question = keys::item(&id);
                    let target = dom_id(&id);
                    let href = format!("#{target}");
                    let open = move |ev: leptos::ev::MouseEvent| {
                        ev.prevent_default();
                        let target = target.clone();
                        if ctx.step.get_untracked() == Step::Section(section) {
                            focus_by_id(&target);
                        } else {
                            ctx.go(Step::Section(section));
                            // After the section's heading took focus (the frame after next).
                            request_animation_frame(move || {
                                request_animation_frame(move || focus_by_id(&target));
                            });
                        }
                    };
                    let error_id = id.clone();
                    view! {
                        <li>
                            <a href=href rel="external" on:click=open>
                                <span lang=move || model.lang().code()>{move || model.text(&question)}</span>
                                ": "
                                {move || model.error(&error_id).map(|e| message(&e, tx.lang()))}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="notice notice--error qn-summary" id=SUMMARY_ID tabindex="-1" aria-labelledby="error-summary-title">
                    <h2 class="notice__title" id="error-summary-title">{move || tx.t(Msg::ErrorSummaryTitle)}</h2>
                    <p>{move || tx.t(Msg::ErrorSummaryLead)}</p>
                    <ul class="qn-summary__list">{rows}</ul>
                </div>
            }
        })
    }
}
