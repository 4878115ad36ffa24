//! Answers as a person reads them, in the language of the texts given: the review page before
//! sending, and the printed form (always Japanese).

use sesshu_domain::questionnaire::texts::keys;
use sesshu_domain::questionnaire::{
    AnswerValue, ConsentAnswer, Item, ItemKind, Lang as FormLang, ResolvedTexts, YesNo,
};

use super::words::list_separator;

/// The text for `key`, or the key itself when even Japanese lacks it.
pub fn text(texts: &ResolvedTexts, key: &str) -> String {
    texts.get(key).unwrap_or(key).to_owned()
}

/// はい / いいえ in the texts' language.
pub fn yes_no_text(texts: &ResolvedTexts, answer: YesNo) -> String {
    text(
        texts,
        match answer {
            YesNo::Yes => keys::YES,
            YesNo::No => keys::NO,
        },
    )
}

/// `answer` to `item` in one line: the chosen words, the number with its unit, the date, the
/// text; a yes/no answer with its detail as `はい（detail）`. The consent block is read by
/// [`consent_lines`].
pub fn answer_text(item: &Item, answer: &AnswerValue, texts: &ResolvedTexts) -> String {
    match (answer, &item.kind) {
        (AnswerValue::YesNo { answer, detail }, _) => {
            let word = yes_no_text(texts, *answer);
            match detail.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                Some(detail) if texts.lang == FormLang::Ja => format!("{word}（{detail}）"),
                Some(detail) => format!("{word} ({detail})"),
                None => word,
            }
        }
        (AnswerValue::Choice(code), _) => text(texts, &keys::option(&item.id, code)),
        (AnswerValue::Choices(codes), _) => codes
            .iter()
            .map(|code| text(texts, &keys::option(&item.id, code)))
            .collect::<Vec<_>>()
            .join(list_separator(texts.lang)),
        (AnswerValue::Number(n), ItemKind::Number { unit, step, .. }) => {
            format!("{} {unit}", n.format(step.decimals().max(n.decimals())))
        }
        (AnswerValue::Number(n), _) => n.to_string(),
        (AnswerValue::Date(date), _) => format_date(*date, texts.lang),
        (AnswerValue::Text(t), _) => t.clone(),
        (AnswerValue::Consent(consent), _) => consent_lines(item, consent, texts).join(" / "),
    }
}

/// The consent as lines: agreement, who signs (and the relationship of a proxy), the name.
pub fn consent_lines(item: &Item, consent: &ConsentAnswer, texts: &ResolvedTexts) -> Vec<String> {
    let agreement = text(
        texts,
        &if consent.agreed {
            keys::agree(&item.id)
        } else {
            keys::disagree(&item.id)
        },
    );
    let signer = text(texts, &keys::signer(consent.signer));
    let name_label = text(texts, &keys::signer_name(&item.id));
    let colon = if texts.lang == FormLang::Ja {
        "："
    } else {
        ": "
    };
    let mut lines = vec![
        agreement,
        format!("{name_label}{colon}{}", consent.signer_name),
    ];
    match consent
        .relationship
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        Some(relationship) => {
            let label = text(texts, &keys::relationship(&item.id));
            lines.push(format!("{signer}（{label}{colon}{relationship}）"));
        }
        None => lines.push(signer),
    }
    lines
}

/// A date as the form's readers write it: `2024年5月1日` in Japanese (and Chinese, which
/// writes it the same way), ISO 8601 otherwise (unambiguous in every other language).
pub fn format_date(date: time::Date, lang: FormLang) -> String {
    match lang {
        FormLang::Ja | FormLang::ZhHans => format!(
            "{}年{}月{}日",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        FormLang::Ko => format!(
            "{}년 {}월 {}일",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        _ => sesshu_domain::iso_date::format(date),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use sesshu_domain::questionnaire::{Decimal, ItemId, OptionCode, Signer};
    use std::collections::BTreeMap;

    fn texts(lang: FormLang, pairs: &[(&str, &str)]) -> ResolvedTexts {
        ResolvedTexts {
            lang,
            texts: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            fallen_back: Vec::new(),
        }
    }

    fn item(json: &str) -> Item {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn yes_no_answers_read_with_their_detail() {
        let t = texts(
            FormLang::Ja,
            &[("answer.yes", "はい"), ("answer.no", "いいえ")],
        );
        let q = item(r#"{"id":"allergy","type":"yes_no","detail_when":"yes"}"#);
        let yes = AnswerValue::YesNo {
            answer: YesNo::Yes,
            detail: Some("卵".to_owned()),
        };
        assert_eq!(answer_text(&q, &yes, &t), "はい（卵）");
        assert_eq!(
            answer_text(&q, &AnswerValue::yes_no(YesNo::No), &t),
            "いいえ"
        );
    }

    #[test]
    fn numbers_keep_the_places_of_their_step_and_their_unit() {
        let t = texts(FormLang::En, &[]);
        let q =
            item(r#"{"id":"temperature","type":"number","unit":"℃","min":35,"max":42,"step":0.1}"#);
        let value = AnswerValue::Number(Decimal::parse("37").unwrap());
        assert_eq!(answer_text(&q, &value, &t), "37.0 ℃");
    }

    #[test]
    fn chosen_options_read_in_the_form_order_with_the_language_separator() {
        let t = texts(
            FormLang::Ja,
            &[("option.v.mr", "MR"), ("option.v.bcg", "BCG")],
        );
        let q = item(r#"{"id":"v","type":"multiple_choice","options":["bcg","mr"]}"#);
        let codes = vec![
            OptionCode::parse("bcg").unwrap(),
            OptionCode::parse("mr").unwrap(),
        ];
        assert_eq!(answer_text(&q, &AnswerValue::Choices(codes), &t), "BCG、MR");
    }

    #[test]
    fn consent_lines_name_agreement_signer_and_name() {
        let t = texts(
            FormLang::Ja,
            &[
                ("item.consent.agree", "同意します"),
                ("item.consent.signer_name", "署名する方の氏名"),
                ("signer.guardian", "保護者"),
            ],
        );
        let q = item(r#"{"id":"consent","type":"consent","signers":["guardian"]}"#);
        let consent = ConsentAnswer {
            agreed: true,
            signer: Signer::Guardian,
            signer_name: "山田 花子".to_owned(),
            relationship: None,
        };
        assert_eq!(
            consent_lines(&q, &consent, &t),
            ["同意します", "署名する方の氏名：山田 花子", "保護者"]
        );
        assert_eq!(ItemId::parse("consent").unwrap(), q.id);
    }

    #[test]
    fn dates_are_written_per_language() {
        let date = time::macros::date!(2024 - 05 - 01);
        assert_eq!(format_date(date, FormLang::Ja), "2024年5月1日");
        assert_eq!(format_date(date, FormLang::Vi), "2024-05-01");
        assert_eq!(format_date(date, FormLang::Ko), "2024년 5월 1일");
    }
}
