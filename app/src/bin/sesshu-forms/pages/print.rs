//! `/forms/:person/:id/print`: the response as a paper form, in Japanese whatever language it
//! was filled in (the Japanese wording is the authoritative one), laid out for A4
//! (`style/forms/print.css`). A clinic that does not use this system reads it like the standard
//! paper form: the person's data, every question with its answer (follow-up questions that did
//! not apply marked so), the consent, and an empty 医師記入欄 to fill in by hand.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sesshu_app::components::Loading;
use sesshu_app::questionnaire::answer_text::{answer_text, consent_lines, format_date, text};
use sesshu_domain::questionnaire::texts::keys;
use sesshu_domain::questionnaire::{
    AnswerValue, Answers, FilledBy, Item, ItemKind, Lang as FormLang, ResolvedTexts, Section,
    YesNo, visible_items,
};
use sesshu_domain::questionnaire_api::{PrintPerson, PrintView};
use time::{OffsetDateTime, UtcOffset};

use crate::api;
use crate::components::{ErrorNotice, response_href};
use crate::js;
use crate::text::{Msg, use_title, use_tx};

/// The printable form.
#[component]
pub fn PrintPage() -> impl IntoView {
    use_title(Msg::PrintTitle);
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
    let loaded = LocalResource::new(move || {
        let (person, id) = keys.get();
        async move { api::print(&person, &id).await }
    });
    let back = move || {
        let (person, id) = keys.get();
        response_href(&person, &id)
    };
    view! {
        <div class="print-toolbar">
            <p>{move || tx.t(Msg::PrintLead)}</p>
            <div class="actions">
                <button type="button" class="button button--primary button--block" on:click=|_| js::print()>
                    {move || tx.t(Msg::PrintButton)}
                </button>
                <a class="button button--secondary button--block" href=back>
                    {move || tx.t(Msg::BackToForm)}
                </a>
            </div>
        </div>
        {move || match loaded.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(error)) => view! {
                <h1 tabindex="-1">{move || tx.t(Msg::PrintTitle)}</h1>
                <ErrorNotice error />
            }
            .into_any(),
            Some(Ok(view)) => view! { <Paper view /> }.into_any(),
        }}
    }
}

const JAPAN: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// `2026年4月1日 9:05` in Japan's time.
fn japan_moment(at: OffsetDateTime) -> String {
    let local = at.to_offset(JAPAN);
    format!(
        "{} {}:{:02}",
        format_date(local.date(), FormLang::Ja),
        local.hour(),
        local.minute()
    )
}

/// ☑ or ☐: how paper marks a choice.
fn mark(checked: bool) -> &'static str {
    if checked { "☑" } else { "☐" }
}

/// The sheet itself.
#[component]
fn Paper(
    /// What the API gave.
    view: PrintView,
) -> impl IntoView {
    let PrintView {
        response,
        answers,
        template,
        texts,
        person,
        municipality,
        printed_at,
        ..
    } = view;
    let content = template.content();
    let shown: Vec<_> = visible_items(content, &answers)
        .into_iter()
        .map(|item| item.id.clone())
        .collect();
    let sections = content
        .sections
        .iter()
        .map(|section| {
            let doctor = section
                .items
                .iter()
                .all(|item| item.filled_by == FilledBy::Doctor);
            if doctor {
                doctor_block(section, &answers, &texts)
            } else {
                section_block(section, &answers, &texts, &shown)
            }
        })
        .collect_view();
    let answered = response.submitted_at.map(japan_moment).unwrap_or_default();
    let expires = response
        .expires_on
        .map(|d| format_date(d, FormLang::Ja))
        .unwrap_or_default();
    view! {
        <article class="paper" lang="ja">
            <header class="paper__head">
                <p class="paper__municipality">{municipality.name_ja.clone()}</p>
                <h1 class="paper__title" tabindex="-1">{text(&texts, keys::TITLE)}</h1>
                <p class="paper__intro">{text(&texts, keys::INTRO)}</p>
            </header>
            {person_table(&person)}
            {sections}
            <footer class="paper__foot">
                <dl class="paper__meta">
                    <div><dt>"回答日時"</dt><dd>{answered}</dd></div>
                    <div><dt>"強制失効日"</dt><dd>{expires}</dd></div>
                    <div><dt>"予診票番号"</dt><dd class="code">{response.id.clone()}</dd></div>
                    <div><dt>"印刷日時"</dt><dd>{japan_moment(printed_at)}</dd></div>
                </dl>
                <p class="paper__note">
                    "この予診票は、電子申請された回答を印刷したものです（回答言語: "
                    {response.lang.endonym()}
                    "。表示は日本語）。"
                </p>
            </footer>
        </article>
    }
}

/// 住所・氏名・生年月日・性別 (and 保護者氏名 on a form a guardian signs), as on every
/// standard form's header.
fn person_table(person: &PrintPerson) -> impl IntoView + use<> {
    let sex = match person.sex.as_str() {
        "male" => "男",
        "female" => "女",
        other => other,
    }
    .to_owned();
    let birth = format!(
        "{}（満{}歳{}か月）",
        format_date(person.birth_date, FormLang::Ja),
        person.age_years,
        person.age_months
    );
    let guardian = person.guardian_name.clone();
    let address = person.address.clone().unwrap_or_default();
    view! {
        <table class="paper__person">
            <caption class="visually-hidden">"接種を受ける方"</caption>
            <tbody>
                <tr><th scope="row">"住所"</th><td colspan="3">{address}</td></tr>
                <tr><th scope="row">"フリガナ"</th><td colspan="3">{person.name_kana.clone()}</td></tr>
                <tr>
                    <th scope="row">"受ける人の氏名"</th><td>{person.name.clone()}</td>
                    <th scope="row">"性別"</th><td>{sex}</td>
                </tr>
                <tr><th scope="row">"生年月日"</th><td colspan="3">{birth}</td></tr>
                {guardian.map(|name| view! {
                    <tr><th scope="row">"保護者氏名"</th><td colspan="3">{name}</td></tr>
                })}
            </tbody>
        </table>
    }
}

/// A resident section: every question of it with the answer, one row each.
fn section_block(
    section: &Section,
    answers: &Answers,
    texts: &ResolvedTexts,
    shown: &[sesshu_domain::questionnaire::ItemId],
) -> AnyView {
    let title = text(texts, &keys::section(&section.id));
    let consent_only = section
        .items
        .iter()
        .all(|item| matches!(item.kind, ItemKind::Consent { .. }));
    if consent_only {
        return section
            .items
            .iter()
            .map(|item| consent_block(&title, item, answers, texts))
            .collect_view()
            .into_any();
    }
    let rows = section
        .items
        .iter()
        .map(|item| {
            let question = text(texts, &keys::item(&item.id));
            let answer = if shown.contains(&item.id) {
                paper_answer(item, answers.get(&item.id), texts)
            } else {
                "―（該当しない）".to_owned()
            };
            view! {
                <tr>
                    <th scope="row">{question}</th>
                    <td>{answer}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="paper__section">
            <h2>{title}</h2>
            <table class="paper__items">
                <thead><tr><th scope="col">"質問事項"</th><th scope="col">"回答"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}

/// An answer as marked on paper: every option with ☑/☐, numbers with their unit.
fn paper_answer(item: &Item, answer: Option<&AnswerValue>, texts: &ResolvedTexts) -> String {
    match (&item.kind, answer) {
        (ItemKind::YesNo { .. }, answer) => {
            let chosen = match answer {
                Some(AnswerValue::YesNo { answer, .. }) => Some(*answer),
                _ => None,
            };
            let detail = match answer {
                Some(AnswerValue::YesNo {
                    detail: Some(detail),
                    ..
                }) if !detail.trim().is_empty() => format!("（{}）", detail.trim()),
                _ => String::new(),
            };
            format!(
                "{}{}　{}{}{detail}",
                mark(chosen == Some(YesNo::Yes)),
                text(texts, keys::YES),
                mark(chosen == Some(YesNo::No)),
                text(texts, keys::NO)
            )
        }
        (ItemKind::SingleChoice { options } | ItemKind::MultipleChoice { options }, answer) => {
            let chosen: Vec<_> = match answer {
                Some(AnswerValue::Choice(code)) => vec![code.clone()],
                Some(AnswerValue::Choices(codes)) => codes.clone(),
                _ => Vec::new(),
            };
            options
                .iter()
                .map(|code| {
                    format!(
                        "{}{}",
                        mark(chosen.contains(code)),
                        text(texts, &keys::option(&item.id, code))
                    )
                })
                .collect::<Vec<_>>()
                .join("　")
        }
        (_, Some(value)) => answer_text(item, value, texts),
        (_, None) => "（未回答）".to_owned(),
    }
}

/// The consent block: the statement, agreement marked, who signed and their name.
fn consent_block(
    title: &str,
    item: &Item,
    answers: &Answers,
    texts: &ResolvedTexts,
) -> impl IntoView + use<> {
    let statement = text(texts, &keys::item(&item.id));
    let consent = match answers.get(&item.id) {
        Some(AnswerValue::Consent(consent)) => Some(consent.clone()),
        _ => None,
    };
    let agreed = consent.as_ref().map(|c| c.agreed);
    let agreement = format!(
        "{}{}　{}{}",
        mark(agreed == Some(true)),
        text(texts, &keys::agree(&item.id)),
        mark(agreed == Some(false)),
        text(texts, &keys::disagree(&item.id))
    );
    let signed = consent
        .map(|c| consent_lines(item, &c, texts)[1..].join("　"))
        .unwrap_or_default();
    view! {
        <section class="paper__section paper__consent">
            <h2>{title.to_owned()}</h2>
            <p>{statement}</p>
            <p class="paper__agreement">{agreement}</p>
            <p class="paper__signature">{signed}</p>
        </section>
    }
}

/// The 医師記入欄: the doctor's questions with empty boxes (or the doctor's entries once the
/// clinic made them).
fn doctor_block(section: &Section, answers: &Answers, texts: &ResolvedTexts) -> AnyView {
    let title = text(texts, &keys::section(&section.id));
    let rows = section
        .items
        .iter()
        .map(|item| {
            let question = text(texts, &keys::item(&item.id));
            let answer = match (&item.kind, answers.get(&item.id)) {
                (ItemKind::Text { .. }, None) => String::new(),
                (_, answer) => paper_answer(item, answer, texts).replace("（未回答）", ""),
            };
            let tall = matches!(item.kind, ItemKind::Text { max_chars } if max_chars > 100);
            view! {
                <tr class:paper__write=tall>
                    <th scope="row">{question}</th>
                    <td>{answer}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="paper__section paper__doctor">
            <h2>{title}</h2>
            <table class="paper__items">
                <tbody>{rows}</tbody>
            </table>
            <p class="paper__sign-line">"医師署名又は記名押印"</p>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_marks_choices_with_ballot_boxes() {
        assert_eq!(mark(true), "☑");
        assert_eq!(mark(false), "☐");
    }

    #[test]
    fn moments_print_in_japan_time() {
        let at = time::macros::datetime!(2026-03-31 15:05 UTC);
        assert_eq!(japan_moment(at), "2026年4月1日 0:05");
    }
}
