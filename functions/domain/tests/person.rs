//! Target persons: kana normalization is idempotent and yields valid kana names, persons
//! round-trip through JSON, and Debug never shows personal data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sesshu_domain::id::{MunicipalBusinessId, RecordId};
use sesshu_domain::kana;
use sesshu_domain::person::{
    ChangeKind, ControlFlags, FeeExemption, KanaName, LinkState, LinkStatus, PersonName, Sex,
    SubjectCategory, TargetPerson,
};
use sesshu_domain::{MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo};
use time::macros::{date, datetime};

/// Text drawn from the characters kana input really contains: half-width and full-width
/// katakana, hiragana, marks (spacing and combining), spaces, and some others.
fn kana_like_text() -> impl Strategy<Value = String> {
    let ranges = prop_oneof![
        0xFF61u32..=0xFF9F,
        0x3041u32..=0x3096,
        0x3099u32..=0x309E,
        0x30A1u32..=0x30FE,
        Just(0x20u32),
        Just(0x3000u32),
        0x4E00u32..=0x4E10,
        0x41u32..=0x5A,
    ];
    proptest::collection::vec(ranges, 0..24)
        .prop_map(|cs| cs.into_iter().filter_map(char::from_u32).collect())
}

/// Text from only the characters a kana name may be typed with.
fn typed_kana_name() -> impl Strategy<Value = String> {
    let ranges = prop_oneof![
        0xFF66u32..=0xFF9D,
        0x3041u32..=0x3093,
        0x30A1u32..=0x30F3,
        Just(0x30FCu32),
        Just(0x20u32),
        Just(0x3000u32),
    ];
    proptest::collection::vec(ranges, 1..30)
        .prop_map(|cs| cs.into_iter().filter_map(char::from_u32).collect())
}

proptest! {
    #[test]
    fn kana_normalization_is_idempotent(s in kana_like_text()) {
        let once = kana::normalize(&s);
        prop_assert_eq!(kana::normalize(&once), once.clone());
    }

    #[test]
    fn normalized_kana_has_no_half_width_kana_no_hiragana_and_no_double_spaces(s in kana_like_text()) {
        let n = kana::normalize(&s);
        let half_width = n.chars().any(|c| ('\u{FF61}'..='\u{FF9F}').contains(&c));
        let hiragana = n.chars().any(|c| ('\u{3041}'..='\u{3096}').contains(&c));
        let double_space = n.contains("\u{3000}\u{3000}");
        let padded = n.starts_with('\u{3000}') || n.ends_with('\u{3000}');
        prop_assert!(!half_width && !hiragana && !double_space && !padded);
        prop_assert!(!n.contains(' '));
    }

    #[test]
    fn typed_kana_names_parse_unless_blank(s in typed_kana_name()) {
        match KanaName::parse(&s) {
            Ok(name) => {
                prop_assert_eq!(KanaName::parse(name.as_str()).unwrap(), name.clone());
                prop_assert!(name.as_str().chars().all(kana::is_name_kana));
            }
            Err(e) => prop_assert!(s.trim_matches([' ', '\u{3000}']).is_empty(), "{e}"),
        }
    }
}

fn sample_person() -> TargetPerson {
    TargetPerson {
        subject_no: SubjectNo::from_body("000000123").unwrap(),
        municipality_code: MunicipalityCode::parse("131016").unwrap(),
        my_number: MyNumber::parse("123456789018").unwrap(),
        pmh_key: Some(PmhKey::parse("pmh-key-1").unwrap()),
        pmh_pseudonym: Some(PmhPseudonym::parse("pseudo_1").unwrap()),
        name: PersonName::parse("山田　花子").unwrap(),
        name_kana: KanaName::parse("ﾔﾏﾀﾞ ﾊﾅｺ").unwrap(),
        address: "東京都千代田区千代田1-1".to_owned(),
        birth_date: date!(2019 - 04 - 02),
        sex: Sex::Female,
        guardian_name: Some(PersonName::parse("山田　太郎").unwrap()),
        municipal_business_id: MunicipalBusinessId::parse("0012345678").unwrap(),
        change_kind: ChangeKind::New,
        moved_out_on: None,
        other_management_no: None,
        control_flags: ControlFlags::default(),
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
        link: Some(LinkStatus {
            file_name: "persons_20261125.csv".to_owned(),
            linked_at: datetime!(2026-11-25 10:00 +09:00),
            status: LinkState::Succeeded,
            error: None,
        }),
    }
}

#[test]
fn target_person_round_trips_through_json() {
    let person = sample_person();
    let json = serde_json::to_string(&person).unwrap();
    assert!(json.contains("\"linked_at\":\"2026-11-25T10:00:00+09:00\""));
    assert_eq!(serde_json::from_str::<TargetPerson>(&json).unwrap(), person);
}

#[test]
fn target_person_json_with_a_bad_kana_name_is_rejected() {
    let json = serde_json::to_string(&sample_person())
        .unwrap()
        .replace("ヤマダ　ハナコ", "山田花子");
    assert!(serde_json::from_str::<TargetPerson>(&json).is_err());
}

#[test]
fn target_person_debug_shows_no_personal_data() {
    let shown = format!("{:?} {:#?}", sample_person(), sample_person());
    for secret in [
        "123456789018",
        "山田",
        "花子",
        "ヤマダ",
        "千代田",
        "2019",
        "0012345678",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("TargetPerson"));
}

#[test]
fn record_id_rejects_wrong_length() {
    assert!(RecordId::parse("abc").is_err());
}
