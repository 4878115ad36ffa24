#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::id::SubjectNo;
use crate::person::ChangeKind;

fn valid() -> PersonFields {
    PersonFields {
        my_number: "123456789018".into(),
        name: "山田 花子".into(),
        name_kana: "ヤマダ ハナコ".into(),
        birth_date: "2020-04-01".into(),
        sex: "2".into(),
        address: "東京都千代田区千代田1-1".into(),
        guardian_name: "山田 太郎".into(),
        municipality_code: "131016".into(),
        municipal_business_id: "A0001".into(),
        ..PersonFields::default()
    }
}

fn person(input: &PersonInput) -> TargetPerson {
    TargetPerson {
        subject_no: SubjectNo::from_sequence(1).unwrap(),
        municipality_code: input.municipality_code.clone(),
        my_number: input.my_number.clone(),
        pmh_key: None,
        pmh_pseudonym: None,
        name: input.name.clone(),
        name_kana: input.name_kana.clone(),
        address: input.address.clone(),
        birth_date: input.birth_date,
        sex: input.sex,
        guardian_name: input.guardian_name.clone(),
        municipal_business_id: input.municipal_business_id.clone(),
        change_kind: ChangeKind::New,
        moved_out_on: None,
        other_management_no: input.other_management_no.clone(),
        control_flags: input.control_flags,
        subject_category: input.subject_category,
        fee_exemption: input.fee_exemption,
        link: None,
    }
}

fn fields_of(errors: &[FieldError]) -> Vec<PersonField> {
    errors.iter().map(|e| e.field).collect()
}

#[test]
fn valid_fields_validate_with_defaults_for_the_empty_codes() {
    let input = valid().validate().unwrap();
    assert_eq!(input.name.as_str(), "山田　花子");
    assert_eq!(input.name_kana.as_str(), "ヤマダ　ハナコ");
    assert_eq!(input.birth_date, date!(2020 - 04 - 01));
    assert_eq!(input.sex, Sex::Female);
    assert_eq!(input.subject_category, SubjectCategory::Routine);
    assert_eq!(input.fee_exemption, FeeExemption::None);
    assert_eq!(input.control_flags, ControlFlags::default());
    assert_eq!(input.other_management_no, None);
}

#[test]
fn full_width_codes_and_half_width_kana_are_normalized() {
    let fields = PersonFields {
        my_number: "１２３４－５６７８－９０１８".into(),
        name: "ﾔﾏﾀﾞ　花子".into(),
        name_kana: "ﾔﾏﾀﾞ ﾊﾅｺ".into(),
        birth_date: "令和２年４月１日".into(),
        sex: "女性".into(),
        address: " 東京都千代田区千代田１－１  ｺｰﾎﾟ千代田 ".into(),
        guardian_name: " ".into(),
        municipality_code: "１３１０１６".into(),
        municipal_business_id: "Ａ０００１".into(),
        other_management_no: "ＸＹ－１".into(),
        subject_category: "２".into(),
        fee_exemption: "１".into(),
        recovery: "０".into(),
        non_disclosure: "１".into(),
        viewing_suspended: "".into(),
    };
    let input = fields.validate().unwrap();
    assert_eq!(input.my_number.expose_digits(), "123456789018");
    assert_eq!(input.name.as_str(), "ヤマダ　花子");
    assert_eq!(input.name_kana.as_str(), "ヤマダ　ハナコ");
    assert_eq!(input.birth_date, date!(2020 - 04 - 01));
    assert_eq!(input.address, "東京都千代田区千代田１－１　コーポ千代田");
    assert_eq!(input.guardian_name, None);
    assert_eq!(input.municipality_code.as_str(), "131016");
    assert_eq!(input.municipal_business_id.as_str(), "A0001");
    assert_eq!(input.other_management_no.as_deref(), Some("XY-1"));
    assert_eq!(
        input.subject_category,
        SubjectCategory::LongTermIllnessException
    );
    assert_eq!(input.fee_exemption, FeeExemption::Full);
    assert!(input.control_flags.non_disclosure);
}

#[test]
fn validate_returns_every_error_at_once_in_column_order() {
    let fields = PersonFields {
        my_number: "123456789017".into(),
        name: "".into(),
        name_kana: "山田".into(),
        birth_date: "2023-02-29".into(),
        sex: "3".into(),
        address: "".into(),
        guardian_name: "".into(),
        municipality_code: "131015".into(),
        municipal_business_id: "A 1".into(),
        other_management_no: "x".repeat(65),
        subject_category: "5".into(),
        fee_exemption: "3".into(),
        recovery: "2".into(),
        non_disclosure: "yes".into(),
        viewing_suspended: "-1".into(),
    };
    let errors = fields.validate().unwrap_err();
    assert_eq!(
        fields_of(&errors),
        vec![
            PersonField::MyNumber,
            PersonField::Name,
            PersonField::NameKana,
            PersonField::BirthDate,
            PersonField::Sex,
            PersonField::Address,
            PersonField::MunicipalityCode,
            PersonField::MunicipalBusinessId,
            PersonField::OtherManagementNo,
            PersonField::SubjectCategory,
            PersonField::FeeExemption,
            PersonField::Recovery,
            PersonField::NonDisclosure,
            PersonField::ViewingSuspended,
        ]
    );
    for error in &errors {
        assert!(!error.en.is_empty() && !error.ja.is_empty(), "{error}");
        assert!(!error.en.ends_with('.'), "{error}");
    }
}

#[test]
fn a_birth_date_after_today_is_an_error_only_when_today_is_known() {
    let fields = PersonFields {
        birth_date: "2030-01-01".into(),
        ..valid()
    };
    assert!(fields.validate().is_ok());
    let errors = fields.validate_on(date!(2025 - 06 - 01)).unwrap_err();
    assert_eq!(fields_of(&errors), vec![PersonField::BirthDate]);
    assert!(fields.validate_on(date!(2030 - 01 - 01)).is_ok());
}

#[test]
fn a_birth_date_before_1900_is_an_error() {
    let fields = PersonFields {
        birth_date: "M30.1.1".into(),
        ..valid()
    };
    assert_eq!(
        fields_of(&fields.validate().unwrap_err()),
        vec![PersonField::BirthDate]
    );
}

#[test]
fn sex_accepts_codes_and_japanese_words() {
    for (text, sex) in [
        ("1", Sex::Male),
        ("男", Sex::Male),
        ("男性", Sex::Male),
        ("２", Sex::Female),
        ("女", Sex::Female),
        ("女性", Sex::Female),
    ] {
        assert_eq!(parse::sex(text), Ok(sex), "{text}");
    }
    assert!(parse::sex("M").is_err());
}

#[test]
fn text_that_a_spreadsheet_would_run_as_a_formula_is_rejected() {
    let fields = PersonFields {
        address: "=HYPERLINK(\"x\")".into(),
        other_management_no: "+1".into(),
        ..valid()
    };
    assert_eq!(
        fields_of(&fields.validate().unwrap_err()),
        vec![PersonField::Address, PersonField::OtherManagementNo]
    );
}

#[test]
fn addresses_longer_than_200_characters_or_with_line_breaks_are_rejected() {
    let long = PersonFields {
        address: "あ".repeat(201),
        ..valid()
    };
    assert!(long.validate().unwrap_err()[0].en.contains("201"));
    let broken = PersonFields {
        address: "東京都\n千代田区".into(),
        ..valid()
    };
    assert!(broken.validate().unwrap_err()[0].en.contains("position 4"));
}

#[test]
fn csv_only_fields_parse_codes_and_words() {
    assert_eq!(parse::change_kind("削除"), Ok(ChangeKind::Delete));
    assert_eq!(parse::change_kind("１"), Ok(ChangeKind::New));
    assert_eq!(
        parse::change_kind("").unwrap_err().field,
        PersonField::ChangeKind
    );
    assert_eq!(
        parse::move_reason("死亡"),
        Ok(Some(crate::person::MoveReason::Deceased))
    );
    assert_eq!(parse::move_reason(""), Ok(None));
    assert_eq!(
        parse::moved_out_on("R6.3.31"),
        Ok(Some(date!(2024 - 03 - 31)))
    );
    assert_eq!(
        parse::moved_out_on("2024-02-30").unwrap_err().field,
        PersonField::MovedOutOn
    );
}

#[test]
fn a_person_round_trips_through_from_person_and_apply_to() {
    let input = valid().validate().unwrap();
    let mut stored = person(&input);
    assert_eq!(PersonInput::from_person(&stored), input);
    assert!(!input.differs_from(&stored));
    let moved = PersonFields {
        address: "東京都千代田区丸の内1-1".into(),
        ..valid()
    }
    .validate()
    .unwrap();
    assert!(moved.differs_from(&stored));
    moved.apply_to(&mut stored);
    assert!(!moved.differs_from(&stored));
    assert_eq!(stored.subject_no, SubjectNo::from_sequence(1).unwrap());
    assert_eq!(
        PersonFields::from_person(&stored).validate().unwrap(),
        moved
    );
}

#[test]
fn debug_output_redacts_personal_data() {
    let fields = valid();
    let input = fields.validate().unwrap();
    let printed = format!("{fields:?} {input:?} {:?}", fields.as_refs());
    for secret in [
        "123456789018",
        "山田",
        "ヤマダ",
        "千代田1-1",
        "A0001",
        "2020",
    ] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
}

#[test]
fn person_fields_deserialize_with_missing_fields_as_empty() {
    let fields: PersonFields = serde_json::from_str(r#"{"name":"山田 花子"}"#).unwrap();
    assert_eq!(fields.name, "山田 花子");
    assert_eq!(fields.sex, "");
}

#[test]
fn person_input_serializes_the_birth_date_as_iso() {
    let input = valid().validate().unwrap();
    let json = serde_json::to_string(&input).unwrap();
    assert!(json.contains(r#""birth_date":"2020-04-01""#));
    let back: PersonInput = serde_json::from_str(&json).unwrap();
    assert_eq!(back, input);
}

/// Strings that cannot occur inside any message by accident (no message contains these kanji,
/// nor 5 digits in a row).
fn personal_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{5,14}",
        "[鈴木佐藤渡辺花子太郎]{3,8}",
        "[ﾔﾏﾀﾞｽｽﾞｷ]{4,8}",
        "[鈴木0-9A-Za-z\\-＝=]{5,12}",
    ]
}

fn any_fields(text: impl Strategy<Value = String>) -> impl Strategy<Value = PersonFields> {
    proptest::collection::vec(text, 15).prop_map(|v| {
        let mut v = v.into_iter();
        let mut next = || v.next().unwrap_or_default();
        PersonFields {
            my_number: next(),
            name: next(),
            name_kana: next(),
            birth_date: next(),
            sex: next(),
            address: next(),
            guardian_name: next(),
            municipality_code: next(),
            municipal_business_id: next(),
            other_management_no: next(),
            subject_category: next(),
            fee_exemption: next(),
            recovery: next(),
            non_disclosure: next(),
            viewing_suspended: next(),
        }
    })
}

proptest! {
    #[test]
    fn normalization_is_idempotent(s in "\\PC{0,30}|[ 　ｱ-ﾟ０-９Ａ-Ｚ\\-ー]{0,20}") {
        let once = normalize::code(&s).into_owned();
        prop_assert_eq!(normalize::code(&once), once.as_str());
        let once = normalize::free_text(&s).into_owned();
        prop_assert_eq!(normalize::free_text(&once), once.as_str());
    }

    #[test]
    fn validate_never_panics(fields in any_fields(any::<String>())) {
        let _ = fields.validate_on(date!(2025 - 01 - 01));
    }

    #[test]
    fn validated_input_is_a_fixed_point(fields in any_fields("[0-9ｱ-ﾟ山田 １２]{0,14}")) {
        if let Ok(input) = fields.validate() {
            prop_assert_eq!(input.to_fields().validate(), Ok(input));
        }
    }

    #[test]
    fn errors_never_contain_the_input(fields in any_fields(personal_text())) {
        if let Err(errors) = fields.validate_on(date!(2025 - 01 - 01)) {
            let values = [
                &fields.my_number, &fields.name, &fields.name_kana, &fields.birth_date,
                &fields.sex, &fields.address, &fields.guardian_name, &fields.municipality_code,
                &fields.municipal_business_id, &fields.other_management_no,
            ];
            for error in &errors {
                let text = format!("{} {} {error:?}", error.en, error.ja);
                for value in values {
                    prop_assert!(!text.contains(value.as_str()), "{} leaked into {}", value, text);
                    let normalized = normalize::code(value);
                    prop_assert!(!text.contains(&*normalized));
                }
            }
        }
    }
}
