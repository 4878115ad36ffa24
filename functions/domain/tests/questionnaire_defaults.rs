//! The shipped templates (after the MHLW standard forms): each loads, passes the publish checks
//! with its Japanese texts, has every text in every shipped language, says where its content
//! comes from, and can be filled in and submitted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use sesshu_domain::questionnaire::defaults::{SHIPPED, shipped};
use sesshu_domain::questionnaire::texts::{Lang, missing_keys, unused_keys};
use sesshu_domain::questionnaire::{
    AnswerValue, Answers, ConsentAnswer, Decimal, FilledBy, ItemKind, Signer, TemplateContent,
    YesNo, prune, validate_submission, validate_template, visible_items,
};
use sesshu_domain::record::VaccinationKind;

#[test]
fn every_shipped_template_passes_the_publish_checks() {
    for s in &SHIPPED {
        let template = s.template().unwrap();
        let ja = s.texts(Lang::Ja).unwrap().unwrap();
        assert_eq!(
            validate_template(template.content(), &ja),
            Ok(()),
            "{}",
            s.setting
        );
        assert_eq!(template.version(), 1);
        assert_eq!(
            template.content().vaccination_setting_id.as_str(),
            s.setting
        );
    }
}

#[test]
fn no_shipped_language_misses_a_text() {
    let mut report = Vec::new();
    for s in &SHIPPED {
        let template = s.template().unwrap();
        for lang in s.languages() {
            let texts = s.texts(lang).unwrap().unwrap();
            let missing = missing_keys(template.content(), &texts);
            let unused = unused_keys(template.content(), &texts);
            if !missing.is_empty() || !unused.is_empty() {
                report.push(format!(
                    "{}/{}: missing {missing:?}, unused {unused:?}",
                    s.setting,
                    lang.code()
                ));
            }
        }
    }
    assert!(report.is_empty(), "{report:#?}");
}

#[test]
fn japanese_english_and_at_least_three_more_languages_are_shipped() {
    for s in &SHIPPED {
        let langs: Vec<Lang> = s.languages().collect();
        assert_eq!(langs[0], Lang::Ja);
        assert!(langs.contains(&Lang::En));
        assert!(langs.len() >= 5, "{}", s.setting);
        for lang in langs {
            assert!(s.texts(lang).unwrap().is_ok());
        }
    }
}

#[test]
fn translations_are_not_japanese_copies() {
    for s in &SHIPPED {
        let ja = s.texts(Lang::Ja).unwrap().unwrap();
        for lang in s.languages().filter(|l| *l != Lang::Ja) {
            let texts = s.texts(lang).unwrap().unwrap();
            let copied: Vec<&String> = texts
                .texts
                .iter()
                .filter(|(k, v)| {
                    ja.texts.get(*k) == Some(*v)
                        && v.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c))
                })
                .map(|(k, _)| k)
                .collect();
            assert!(
                copied.is_empty(),
                "{}/{} has kana text copied from ja: {copied:?}",
                s.setting,
                lang.code()
            );
        }
    }
}

#[test]
fn every_shipped_file_says_where_its_content_comes_from() {
    for s in &SHIPPED {
        let source = s.template().unwrap().content().source.clone().unwrap();
        assert!(source.contains("予防接種実施要領"), "{}", s.setting);
        assert!(source.contains("Not an official form"), "{}", s.setting);
        for lang in s.languages() {
            let texts = s.texts(lang).unwrap().unwrap();
            let source = texts.source.unwrap();
            if lang == Lang::Ja {
                assert!(source.contains("MHLW standard form"), "{}", s.setting);
            } else {
                assert!(
                    source.contains("not an official translation"),
                    "{}/{}",
                    s.setting,
                    lang.code()
                );
            }
        }
    }
}

#[test]
fn the_shipped_templates_cover_the_routine_vaccinations_asked_for() {
    let served: BTreeSet<VaccinationKind> = SHIPPED
        .iter()
        .flat_map(|s| s.template().unwrap().content().vaccination_kinds.clone())
        .collect();
    use VaccinationKind as K;
    for kind in [
        K::Hib,
        K::PneumococcalChild,
        K::HepatitisB,
        K::DptIpvHib,
        K::Bcg,
        K::Mr,
        K::Varicella,
        K::Rotavirus,
        K::JapaneseEncephalitis,
        K::Hpv,
        K::InfluenzaElderly,
        K::PneumococcalElderly,
    ] {
        assert!(served.contains(&kind), "{kind}");
    }
    assert!(shipped("infant_general").is_some());
    assert!(shipped("nonexistent").is_none());
}

#[test]
fn every_shipped_template_has_a_doctors_section_residents_cannot_fill() {
    for s in &SHIPPED {
        let template = s.template().unwrap();
        let doctor: Vec<&str> = template
            .content()
            .items()
            .filter(|i| i.filled_by == FilledBy::Doctor)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(
            doctor,
            [
                "judgement",
                "explained",
                "not_vaccinable",
                "doctor_note",
                "doctor_name"
            ],
            "{}",
            s.setting
        );
    }
}

/// A complete resident's submission: "no" everywhere unless `yes` names the item, the first
/// option, the lowest number, one date, some text, consent signed by the first allowed signer.
fn fill(content: &TemplateContent, yes: &[&str]) -> Answers {
    let mut answers = Answers::new();
    // Answer in document order, so follow-ups appear as their triggers are answered.
    for item in content
        .items()
        .filter(|i| i.filled_by == FilledBy::Resident)
    {
        let value = match &item.kind {
            ItemKind::YesNo { detail_when, .. } => {
                let answer = if yes.contains(&item.id.as_str()) {
                    YesNo::Yes
                } else {
                    YesNo::No
                };
                AnswerValue::YesNo {
                    answer,
                    detail: (*detail_when == Some(answer)).then(|| "詳細".to_owned()),
                }
            }
            ItemKind::SingleChoice { options } => AnswerValue::Choice(options[0].clone()),
            ItemKind::MultipleChoice { options } => AnswerValue::Choices(options.clone()),
            ItemKind::Number { min, .. } => AnswerValue::Number(*min),
            ItemKind::Date => AnswerValue::Date(time::macros::date!(2024 - 04 - 01)),
            ItemKind::Text { .. } => AnswerValue::Text("メモ".into()),
            ItemKind::Consent { signers } => AnswerValue::Consent(ConsentAnswer {
                agreed: true,
                signer: signers[0],
                signer_name: "署名者".into(),
                relationship: (signers[0] == Signer::Proxy).then(|| "長男".into()),
            }),
        };
        answers.insert(item.id.clone(), value);
    }
    prune(content, &answers)
}

#[test]
fn every_shipped_template_can_be_filled_in_and_submitted() {
    for s in &SHIPPED {
        let template = s.template().unwrap();
        let c = template.content();
        let all_no = fill(c, &[]);
        assert_eq!(validate_submission(c, &all_no), Ok(()), "{}", s.setting);
        // Answering yes everywhere opens every follow-up; still submittable.
        let every_yes: Vec<&str> = c.items().map(|i| i.id.as_str()).collect();
        let all_yes = fill(c, &every_yes);
        assert_eq!(validate_submission(c, &all_yes), Ok(()), "{}", s.setting);
        assert!(all_yes.len() > all_no.len(), "{}", s.setting);
    }
}

#[test]
fn the_infant_form_asks_rotavirus_questions_only_when_rotavirus_is_given_today() {
    let template = shipped("infant_general").unwrap().template().unwrap();
    let c = template.content();
    let mut answers = fill(c, &[]);
    let shown = |a: &Answers| -> Vec<String> {
        visible_items(c, a)
            .iter()
            .map(|i| i.id.to_string())
            .collect()
    };
    assert!(shown(&answers).contains(&"intussusception".to_owned()));
    answers.insert(
        "vaccines_today".parse().unwrap(),
        AnswerValue::Choices(vec!["hib".parse().unwrap()]),
    );
    let visible = shown(&answers);
    for hidden in [
        "intussusception",
        "gi_disorder",
        "tb_contact",
        "immunosuppressant",
    ] {
        assert!(!visible.contains(&hidden.to_owned()), "{hidden}");
    }
    let pruned = prune(c, &answers);
    assert_eq!(validate_submission(c, &pruned), Ok(()));
    assert!(pruned.get(&"intussusception".parse().unwrap()).is_none());
    // The live MR vaccine alone brings back the immunosuppressant question (an `any` condition).
    let mut with_mr = pruned;
    with_mr.insert(
        "vaccines_today".parse().unwrap(),
        AnswerValue::Choices(vec!["mr".parse().unwrap()]),
    );
    assert!(shown(&with_mr).contains(&"immunosuppressant".to_owned()));
    let errors = validate_submission(c, &with_mr).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item.as_str(), "immunosuppressant");
}

#[test]
fn the_temperature_is_checked_from_35_0_to_42_0_by_0_1() {
    let template = shipped("influenza_elderly").unwrap().template().unwrap();
    let c = template.content();
    let id = "temperature".parse().unwrap();
    let number = |s: &str| AnswerValue::Number(Decimal::parse(s).unwrap());
    use sesshu_domain::questionnaire::validate_answer;
    assert!(validate_answer(c, &id, &number("36.5")).is_ok());
    assert!(validate_answer(c, &id, &number("42")).is_ok());
    let e = validate_answer(c, &id, &number("34.9")).unwrap_err();
    assert_eq!(e.en, "enter a number from 35.0 to 42.0 ℃");
    assert_eq!(e.ja, "35.0〜42.0 ℃ の範囲で入力してください");
    let e = validate_answer(c, &id, &number("36.55")).unwrap_err();
    assert_eq!(e.en, "enter the number in steps of 0.1 ℃, e.g. 35.0");
}
