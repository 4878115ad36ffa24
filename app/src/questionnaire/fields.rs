//! The fields of a form, one component per item kind. Every choice is a whole-width row at
//! least 48 px high (a thumb's target, WCAG 2.5.5); every message is tied to its input with
//! `aria-describedby` and marks it `aria-invalid`. Words come from the form's texts in the
//! form's language (marked with `lang` by the page), messages in the UI language (marked here).
//!
//! Text inputs are not driven by the model after they are built: they start from the answer and
//! report every change, so typing (and a Japanese IME's composition) is never disturbed by a
//! value written back. A page that replaces the answers from elsewhere builds its fields again.

use leptos::prelude::*;
use sesshu_domain::questionnaire::texts::keys;
use sesshu_domain::questionnaire::{
    AnswerValue, ConsentAnswer, Decimal, FilledBy, Item, ItemId, ItemKind, OptionCode, Signer,
    YesNo,
};

use super::answer_text::answer_text;
use super::model::{FormModel, message, not_a_number, read_number};
use super::words::{Word, word};
use crate::i18n::Lang;

/// The DOM id of item `id`'s main input (or first choice), e.g. `q-temperature`: what a list of
/// problems links to.
pub fn dom_id(id: &ItemId) -> String {
    format!("q-{id}")
}

fn error_id(id: &ItemId) -> String {
    format!("q-{id}-error")
}

/// The shown items of section `index`, each as its field. Items appear and disappear as the
/// answers show and hide them; the others keep their state.
#[component]
pub fn SectionFields(
    /// The form.
    model: FormModel,
    /// The section's position in the template.
    index: usize,
    /// The UI language, for messages.
    #[prop(into)]
    ui_lang: Signal<Lang>,
) -> impl IntoView {
    view! {
        <For
            each=move || model.shown_in_section(index)
            key=|id| id.clone()
            children=move |id| view! { <ItemField model id ui_lang /> }
        />
    }
}

/// One item: the field for its kind, or the doctor's read-only entry.
#[component]
pub fn ItemField(
    /// The form.
    model: FormModel,
    /// The item.
    id: ItemId,
    /// The UI language, for messages.
    #[prop(into)]
    ui_lang: Signal<Lang>,
) -> impl IntoView {
    let Some(item) = model.item(&id) else {
        return ().into_any();
    };
    if item.filled_by == FilledBy::Doctor {
        return view! { <DoctorEntry model item /> }.into_any();
    }
    match item.kind.clone() {
        ItemKind::YesNo {
            detail_when,
            detail_max_chars,
        } => view! { <YesNoField model item detail_when detail_max_chars ui_lang /> }.into_any(),
        ItemKind::SingleChoice { options } => {
            view! { <ChoiceField model item options multiple=false ui_lang /> }.into_any()
        }
        ItemKind::MultipleChoice { options } => {
            view! { <ChoiceField model item options multiple=true ui_lang /> }.into_any()
        }
        ItemKind::Number {
            unit,
            min,
            max,
            step,
        } => view! { <NumberField model item unit min max step ui_lang /> }.into_any(),
        ItemKind::Date => view! { <DateField model item ui_lang /> }.into_any(),
        ItemKind::Text { max_chars } => {
            view! { <TextField model item max_chars ui_lang /> }.into_any()
        }
        ItemKind::Consent { signers } => {
            view! { <ConsentField model item signers ui_lang /> }.into_any()
        }
    }
}

/// The question's words and, for a required one, the mark in the form's language.
fn question(model: FormModel, item: &Item) -> impl IntoView + use<> {
    let key = keys::item(&item.id);
    let required = item.required;
    view! {
        <span class="qn-question__text">{move || model.text(&key)}</span>
        {required.then(|| view! {
            <span class="qn-required">{move || word(model.lang(), Word::Required)}</span>
        })}
    }
}

/// The item's message, in the UI language, when there is one.
fn error_line(model: FormModel, id: ItemId, ui_lang: Signal<Lang>) -> impl IntoView {
    let dom = error_id(&id);
    move || {
        model.error(&id).map(|error| {
            let lang = ui_lang.get();
            view! {
                <p class="qn-error" id=dom.clone() lang=lang.code()>
                    {message(&error, lang)}
                </p>
            }
        })
    }
}

/// `aria-describedby` for an input: its hint and, while shown, its message.
fn described_by(
    model: FormModel,
    id: ItemId,
    hint: Option<String>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let error = model.error(&id).map(|_| error_id(&id));
        match (hint.clone(), error) {
            (Some(hint), Some(error)) => Some(format!("{hint} {error}")),
            (hint, error) => hint.or(error),
        }
    }
}

fn has_error(model: FormModel, id: ItemId) -> impl Fn() -> bool + Send + Sync {
    move || model.error(&id).is_some()
}

fn invalid(model: FormModel, id: ItemId) -> impl Fn() -> Option<&'static str> + Send + Sync {
    move || model.error(&id).map(|_| "true")
}

/// はい / いいえ, with the detail box when the answer calls for it.
#[component]
fn YesNoField(
    model: FormModel,
    item: Item,
    detail_when: Option<YesNo>,
    detail_max_chars: u16,
    ui_lang: Signal<Lang>,
) -> impl IntoView {
    let id = item.id.clone();
    let name = dom_id(&id);
    let detail_id = format!("{name}-detail");
    let current = {
        let id = id.clone();
        move || match model.answer(&id) {
            Some(AnswerValue::YesNo { answer, .. }) => Some(answer),
            _ => None,
        }
    };
    let current_detail = {
        let id = id.clone();
        move || match model.answer_untracked(&id) {
            Some(AnswerValue::YesNo { detail, .. }) => detail.unwrap_or_default(),
            _ => String::new(),
        }
    };
    let choose = {
        let id = id.clone();
        let current_detail = current_detail.clone();
        move |answer: YesNo| {
            let wants_detail = detail_when == Some(answer);
            let detail = Some(current_detail()).filter(|d| wants_detail && !d.is_empty());
            model.set_answer(&id, Some(AnswerValue::YesNo { answer, detail }));
            if wants_detail {
                // The box just appeared: asking for its content now would be premature.
                model.recheck(&id);
            } else {
                model.check(&id);
            }
        }
    };
    let options = [YesNo::Yes, YesNo::No]
        .into_iter()
        .map(|answer| {
            let choose = choose.clone();
            let current = current.clone();
            let input_id = if answer == YesNo::Yes {
                name.clone()
            } else {
                format!("{name}-no")
            };
            let key = if answer == YesNo::Yes {
                keys::YES
            } else {
                keys::NO
            };
            view! {
                <label class="qn-choice">
                    <input
                        class="qn-choice__input"
                        type="radio"
                        id=input_id
                        name=name.clone()
                        value=answer.code()
                        prop:checked=move || current() == Some(answer)
                        aria-invalid=invalid(model, id.clone())
                        on:change=move |_| choose(answer)
                    />
                    <span class="qn-choice__text">{move || model.text(key)}</span>
                </label>
            }
        })
        .collect_view();
    let shows_detail = {
        let current = current.clone();
        move || detail_when.is_some() && current() == detail_when
    };
    let detail_prompt = keys::detail(&id);
    let detail_box = {
        let id = id.clone();
        move || {
            let id = id.clone();
            let initial = current_detail();
            let count = RwSignal::new(initial.chars().count());
            let on_input = {
                let id = id.clone();
                move |text: String| {
                    count.set(text.chars().count());
                    let answer = match model.answer_untracked(&id) {
                        Some(AnswerValue::YesNo { answer, .. }) => answer,
                        _ => return,
                    };
                    let detail = Some(text).filter(|t| !t.is_empty());
                    model.set_answer(&id, Some(AnswerValue::YesNo { answer, detail }));
                    model.recheck(&id);
                }
            };
            let leave = {
                let id = id.clone();
                move || model.check(&id)
            };
            let count_id = format!("{}-count", detail_id);
            view! {
                <div class="qn-detail">
                    <label class="qn-label" for=detail_id.clone()>
                        {
                            let key = detail_prompt.clone();
                            move || model.text(&key)
                        }
                    </label>
                    <textarea
                        class="qn-input qn-input--area"
                        id=detail_id.clone()
                        rows="3"
                        prop:value=initial
                        aria-invalid=invalid(model, id.clone())
                        aria-describedby=described_by(model, id.clone(), Some(count_id.clone()))
                        on:input:target=move |ev| on_input(ev.target().value())
                        on:change=move |_| leave()
                    ></textarea>
                    <p class="qn-count" id=count_id>
                        {move || format!("{} / {detail_max_chars}", count.get())}
                    </p>
                </div>
            }
        }
    };
    view! {
        <fieldset
            class="qn-item"
            class:qn-item--invalid=has_error(model, id.clone())
            aria-describedby=described_by(model, id.clone(), None)
        >
            <legend class="qn-question">{question(model, &item)}</legend>
            <div class="qn-choices qn-choices--pair">{options}</div>
            <Show when=shows_detail>{detail_box.clone()}</Show>
            {error_line(model, id.clone(), ui_lang)}
        </fieldset>
    }
}

/// One of the options (radio buttons) or any of them (check boxes).
#[component]
fn ChoiceField(
    model: FormModel,
    item: Item,
    options: Vec<OptionCode>,
    multiple: bool,
    ui_lang: Signal<Lang>,
) -> impl IntoView {
    let id = item.id.clone();
    let name = dom_id(&id);
    let chosen = {
        let id = id.clone();
        move || -> Vec<OptionCode> {
            match model.answer(&id) {
                Some(AnswerValue::Choice(code)) => vec![code],
                Some(AnswerValue::Choices(codes)) => codes,
                _ => Vec::new(),
            }
        }
    };
    let order = options.clone();
    let toggle = {
        let id = id.clone();
        move |code: OptionCode, on: bool| {
            let value = if multiple {
                let mut codes: Vec<OptionCode> = match model.answer_untracked(&id) {
                    Some(AnswerValue::Choices(codes)) => codes,
                    _ => Vec::new(),
                };
                codes.retain(|c| c != &code);
                if on {
                    codes.push(code);
                }
                // In the form's order, whatever order they were ticked in.
                let codes: Vec<OptionCode> = order
                    .iter()
                    .filter(|o| codes.contains(o))
                    .cloned()
                    .collect();
                (!codes.is_empty()).then_some(AnswerValue::Choices(codes))
            } else {
                Some(AnswerValue::Choice(code))
            };
            model.set_answer(&id, value);
            model.check(&id);
        }
    };
    let rows = options
        .into_iter()
        .enumerate()
        .map(|(position, code)| {
            let input_id = if position == 0 {
                name.clone()
            } else {
                format!("{name}-{code}")
            };
            let key = keys::option(&id, &code);
            let checked = {
                let chosen = chosen.clone();
                let code = code.clone();
                move || chosen().contains(&code)
            };
            let toggle = toggle.clone();
            let value = code.as_str().to_owned();
            view! {
                <label class="qn-choice">
                    <input
                        class="qn-choice__input"
                        type=if multiple { "checkbox" } else { "radio" }
                        id=input_id
                        name=name.clone()
                        value=value
                        prop:checked=checked
                        aria-invalid=invalid(model, id.clone())
                        on:change:target=move |ev| toggle(code.clone(), ev.target().checked())
                    />
                    <span class="qn-choice__text">{move || model.text(&key)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="qn-item"
            class:qn-item--invalid=has_error(model, id.clone())
            aria-describedby=described_by(model, id.clone(), None)
        >
            <legend class="qn-question">{question(model, &item)}</legend>
            <div class="qn-choices">{rows}</div>
            {error_line(model, id.clone(), ui_lang)}
        </fieldset>
    }
}

/// A number with its unit and range, e.g. 体温 35.0–42.0 ℃.
#[component]
fn NumberField(
    model: FormModel,
    item: Item,
    unit: String,
    min: Decimal,
    max: Decimal,
    step: Decimal,
    ui_lang: Signal<Lang>,
) -> impl IntoView {
    let id = item.id.clone();
    let input_id = dom_id(&id);
    let hint_id = format!("{input_id}-hint");
    let places = step.decimals().max(min.decimals()).max(max.decimals());
    let range = format!("{}–{} {unit}", min.format(places), max.format(places));
    let example = min.format(places);
    let initial = match model.answer_untracked(&id) {
        Some(AnswerValue::Number(n)) => n.format(places.max(n.decimals())),
        _ => String::new(),
    };
    let typed = {
        let id = id.clone();
        let example = example.clone();
        move |text: String, leaving: bool| match read_number(&text) {
            Some(number) => {
                model.set_answer(&id, number.map(AnswerValue::Number));
                if leaving {
                    model.check(&id);
                } else {
                    model.recheck(&id);
                }
            }
            None => {
                model.set_answer(&id, None);
                if leaving || model.error(&id).is_some() {
                    model.set_error(&id, Some(not_a_number(&id, &example)));
                }
            }
        }
    };
    let on_leave = typed.clone();
    view! {
        <div class="qn-item" class:qn-item--invalid=has_error(model, id.clone())>
            <label class="qn-question" for=input_id.clone()>{question(model, &item)}</label>
            <p class="qn-hint" id=hint_id.clone()>{range}</p>
            <div class="qn-number">
                <input
                    class="qn-input qn-input--number"
                    id=input_id
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    required=item.required
                    prop:value=initial
                    aria-invalid=invalid(model, id.clone())
                    aria-describedby=described_by(model, id.clone(), Some(hint_id))
                    on:input:target=move |ev| typed(ev.target().value(), false)
                    on:change:target=move |ev| on_leave(ev.target().value(), true)
                />
                <span class="qn-unit">{unit}</span>
            </div>
            {error_line(model, id.clone(), ui_lang)}
        </div>
    }
}

/// A calendar date (the browser's date picker).
#[component]
fn DateField(model: FormModel, item: Item, ui_lang: Signal<Lang>) -> impl IntoView {
    let id = item.id.clone();
    let input_id = dom_id(&id);
    let initial = match model.answer_untracked(&id) {
        Some(AnswerValue::Date(date)) => sesshu_domain::iso_date::format(date),
        _ => String::new(),
    };
    let changed = {
        let id = id.clone();
        move |text: String| {
            let value = sesshu_domain::iso_date::parse(text.trim()).map(AnswerValue::Date);
            model.set_answer(&id, value);
            model.check(&id);
        }
    };
    view! {
        <div class="qn-item" class:qn-item--invalid=has_error(model, id.clone())>
            <label class="qn-question" for=input_id.clone()>{question(model, &item)}</label>
            <input
                class="qn-input qn-input--date"
                id=input_id
                type="date"
                required=item.required
                prop:value=initial
                aria-invalid=invalid(model, id.clone())
                aria-describedby=described_by(model, id.clone(), None)
                on:change:target=move |ev| changed(ev.target().value())
            />
            {error_line(model, id.clone(), ui_lang)}
        </div>
    }
}

/// Free text, with how many characters are left.
#[component]
fn TextField(model: FormModel, item: Item, max_chars: u16, ui_lang: Signal<Lang>) -> impl IntoView {
    let id = item.id.clone();
    let input_id = dom_id(&id);
    let count_id = format!("{input_id}-count");
    let initial = match model.answer_untracked(&id) {
        Some(AnswerValue::Text(text)) => text,
        _ => String::new(),
    };
    let count = RwSignal::new(initial.chars().count());
    let typed = {
        let id = id.clone();
        move |text: String| {
            count.set(text.chars().count());
            let value = Some(text)
                .filter(|t| !t.trim().is_empty())
                .map(AnswerValue::Text);
            model.set_answer(&id, value);
            model.recheck(&id);
        }
    };
    let leave = {
        let id = id.clone();
        move || model.check(&id)
    };
    view! {
        <div class="qn-item" class:qn-item--invalid=has_error(model, id.clone())>
            <label class="qn-question" for=input_id.clone()>{question(model, &item)}</label>
            <textarea
                class="qn-input qn-input--area"
                id=input_id
                rows="4"
                required=item.required
                prop:value=initial
                aria-invalid=invalid(model, id.clone())
                aria-describedby=described_by(model, id.clone(), Some(count_id.clone()))
                on:input:target=move |ev| typed(ev.target().value())
                on:change=move |_| leave()
            ></textarea>
            <p class="qn-count" id=count_id>{move || format!("{} / {max_chars}", count.get())}</p>
            {error_line(model, id.clone(), ui_lang)}
        </div>
    }
}

/// The consent block: agree or not, who signs (when more than one may), the signer's name and,
/// for a proxy signer, the relationship. Stored once agreement is chosen.
#[component]
fn ConsentField(
    model: FormModel,
    item: Item,
    signers: Vec<Signer>,
    ui_lang: Signal<Lang>,
) -> impl IntoView {
    let id = item.id.clone();
    let base = dom_id(&id);
    let existing = match model.answer_untracked(&id) {
        Some(AnswerValue::Consent(consent)) => Some(consent),
        _ => None,
    };
    let first_signer = signers.first().copied().unwrap_or(Signer::Recipient);
    let agreed = RwSignal::new(existing.as_ref().map(|c| c.agreed));
    let signer = RwSignal::new(existing.as_ref().map_or(first_signer, |c| c.signer));
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.signer_name.clone())
            .unwrap_or_default(),
    );
    let relationship = RwSignal::new(
        existing
            .as_ref()
            .and_then(|c| c.relationship.clone())
            .unwrap_or_default(),
    );
    let commit = {
        let id = id.clone();
        move |leaving: bool| {
            let Some(agreed) = agreed.get_untracked() else {
                return;
            };
            let signer = signer.get_untracked();
            let relationship = (signer == Signer::Proxy)
                .then(|| relationship.get_untracked())
                .filter(|r| !r.is_empty());
            model.set_answer(
                &id,
                Some(AnswerValue::Consent(ConsentAnswer {
                    agreed,
                    signer,
                    signer_name: name.get_untracked(),
                    relationship,
                })),
            );
            if leaving {
                model.check(&id);
            } else {
                model.recheck(&id);
            }
        }
    };
    let agree_rows = [(true, keys::agree(&id)), (false, keys::disagree(&id))]
        .into_iter()
        .map(|(value, key)| {
            let commit = commit.clone();
            let input_id = if value {
                base.clone()
            } else {
                format!("{base}-disagree")
            };
            view! {
                <label class="qn-choice">
                    <input
                        class="qn-choice__input"
                        type="radio"
                        id=input_id
                        name=format!("{base}-agreed")
                        prop:checked=move || agreed.get() == Some(value)
                        aria-invalid=invalid(model, id.clone())
                        on:change=move |_| {
                            agreed.set(Some(value));
                            commit(!value);
                        }
                    />
                    <span class="qn-choice__text">{move || model.text(&key)}</span>
                </label>
            }
        })
        .collect_view();
    let who = if signers.len() > 1 {
        let rows = signers
            .iter()
            .copied()
            .map(|option| {
                let commit = commit.clone();
                let key = keys::signer(option);
                view! {
                    <label class="qn-choice">
                        <input
                            class="qn-choice__input"
                            type="radio"
                            id=format!("{base}-signer-{}", option.code())
                            name=format!("{base}-signer")
                            prop:checked=move || signer.get() == option
                            on:change=move |_| {
                                signer.set(option);
                                commit(false);
                            }
                        />
                        <span class="qn-choice__text">{move || model.text(&key)}</span>
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset class="qn-subgroup">
                <legend class="qn-label">{move || word(model.lang(), Word::WhoSigns)}</legend>
                <div class="qn-choices">{rows}</div>
            </fieldset>
        }
        .into_any()
    } else {
        let key = keys::signer(first_signer);
        view! {
            <p class="qn-signer">
                <span class="qn-label">{move || word(model.lang(), Word::WhoSigns)}</span>
                ": "
                {move || model.text(&key)}
            </p>
        }
        .into_any()
    };
    let name_id = format!("{base}-name");
    let name_key = keys::signer_name(&id);
    let relationship_id = format!("{base}-relationship");
    let relationship_key = keys::relationship(&id);
    let commit_name = commit.clone();
    let leave_name = commit.clone();
    let commit_relationship = commit.clone();
    let leave_relationship = commit.clone();
    let initial_name = name.get_untracked();
    let initial_relationship = relationship.get_untracked();
    view! {
        <fieldset
            class="qn-item qn-consent"
            class:qn-item--invalid=has_error(model, id.clone())
            aria-describedby=described_by(model, id.clone(), None)
        >
            <legend class="qn-question">{question(model, &item)}</legend>
            <div class="qn-choices">{agree_rows}</div>
            {who}
            <div class="qn-subfield">
                <label class="qn-label" for=name_id.clone()>{move || model.text(&name_key)}</label>
                <input
                    class="qn-input"
                    id=name_id
                    type="text"
                    autocomplete="name"
                    prop:value=initial_name
                    aria-invalid=invalid(model, id.clone())
                    on:input:target=move |ev| {
                        name.set(ev.target().value());
                        commit_name(false);
                    }
                    on:change=move |_| leave_name(true)
                />
            </div>
            <Show when=move || signer.get() == Signer::Proxy>
                {
                    let commit = commit_relationship.clone();
                    let leave = leave_relationship.clone();
                    let key = relationship_key.clone();
                    let initial = initial_relationship.clone();
                    view! {
                        <div class="qn-subfield">
                            <label class="qn-label" for=relationship_id.clone()>
                                {move || model.text(&key)}
                            </label>
                            <input
                                class="qn-input"
                                id=relationship_id.clone()
                                type="text"
                                prop:value=initial
                                on:input:target=move |ev| {
                                    relationship.set(ev.target().value());
                                    commit(false);
                                }
                                on:change=move |_| leave(true)
                            />
                        </div>
                    }
                }
            </Show>
            {error_line(model, id.clone(), ui_lang)}
        </fieldset>
    }
}

/// A doctor's item as residents see it: the question, and the doctor's entry once made.
#[component]
fn DoctorEntry(model: FormModel, item: Item) -> impl IntoView {
    let key = keys::item(&item.id);
    let id = item.id.clone();
    let entry = move || {
        let answer = model.answer(&id);
        model.texts_with(|texts| match &answer {
            Some(value) => answer_text(&item, value, texts),
            None => word(texts.lang, Word::DoctorFills).to_owned(),
        })
    };
    view! {
        <div class="qn-item qn-item--doctor">
            <p class="qn-question">
                <span class="qn-question__text">{move || model.text(&key)}</span>
            </p>
            <p class="qn-doctor-entry">{entry}</p>
        </div>
    }
}
