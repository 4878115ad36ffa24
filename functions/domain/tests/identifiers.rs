//! Property tests for every identifier: valid values round-trip, single-digit typos are caught
//! (with the exact, documented exceptions of the mod-11 schemes), malformed text is rejected, and
//! My Number never shows up in Debug, Display or error messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sesshu_domain::id::{IdKind, ScoreTable};
use sesshu_domain::{
    Gtin, IdError, InstitutionCode, MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo,
};

fn digit_string(len: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, len)
        .prop_map(|d| d.into_iter().map(|x| char::from(b'0' + x)).collect())
}

fn my_numbers() -> impl Strategy<Value = MyNumber> {
    digit_string(11).prop_map(|b| MyNumber::from_body(&b).unwrap())
}

fn municipality_codes() -> impl Strategy<Value = MunicipalityCode> {
    digit_string(5).prop_map(|b| MunicipalityCode::from_body(&b).unwrap())
}

fn institution_codes() -> impl Strategy<Value = InstitutionCode> {
    (
        1u8..=47,
        prop::sample::select(vec![1u8, 3, 4]),
        digit_string(6),
    )
        .prop_map(|(p, t, rest)| InstitutionCode::from_body(&format!("{p:02}{t}{rest}")).unwrap())
}

fn gtins() -> impl Strategy<Value = Gtin> {
    prop_oneof![digit_string(12), digit_string(13)].prop_map(|b| Gtin::from_body(&b).unwrap())
}

fn subject_nos() -> impl Strategy<Value = SubjectNo> {
    digit_string(9).prop_map(|b| SubjectNo::from_body(&b).unwrap())
}

fn opaque_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9_-]{{1,{max}}}")).unwrap()
}

/// Every text that differs from `valid` in exactly one digit, with the changed position (0-based).
fn single_digit_substitutions(valid: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, original) in valid.char_indices() {
        for replacement in '0'..='9' {
            if replacement != original {
                let mut s = valid.to_owned();
                s.replace_range(i..i + 1, &replacement.to_string());
                out.push((i, s));
            }
        }
    }
    out
}

fn values(s: &str) -> Vec<u32> {
    s.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// Σ Pₙ·Qₙ mod 11 of a My Number's body, computed here independently of the crate.
fn my_number_remainder(s: &str) -> u32 {
    const Q_FROM_LEFT: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    values(&s[..11])
        .iter()
        .zip(Q_FROM_LEFT)
        .map(|(d, q)| d * q)
        .sum::<u32>()
        % 11
}

/// Σ dᵢ·(6,5,4,3,2) mod 11 of a municipality code's body, computed here independently.
fn municipality_remainder(s: &str) -> u32 {
    values(&s[..5])
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum::<u32>()
        % 11
}

fn json_round_trip<T>(value: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

proptest! {
    #[test]
    fn my_number_round_trips_through_parse_and_json(n in my_numbers()) {
        let digits = n.expose_digits();
        prop_assert_eq!(MyNumber::parse(digits).unwrap(), n.clone());
        prop_assert_eq!(digits.parse::<MyNumber>().unwrap(), n.clone());
        prop_assert_eq!(serde_json::to_string(&n).unwrap(), format!("\"{digits}\""));
        prop_assert_eq!(json_round_trip(&n), n.clone());
    }

    #[test]
    fn my_number_rejects_every_single_digit_typo_except_remainders_0_and_1(n in my_numbers()) {
        let original = my_number_remainder(n.expose_digits());
        for (position, typo) in single_digit_substitutions(n.expose_digits()) {
            let escapes = position < 11 && original <= 1 && my_number_remainder(&typo) <= 1;
            match MyNumber::parse(&typo) {
                Ok(_) => prop_assert!(escapes, "typo at position {} accepted", position + 1),
                Err(e) => {
                    prop_assert!(!escapes);
                    prop_assert_eq!(e, IdError::BadCheckDigit { kind: IdKind::MyNumber });
                }
            }
        }
    }

    #[test]
    fn my_number_never_prints_its_digits(n in my_numbers()) {
        let digits = n.expose_digits();
        for shown in [format!("{n:?}"), format!("{n}"), format!("{n:#?}"), n.masked()] {
            prop_assert!(!shown.chars().any(|c| c.is_ascii_digit()), "{shown}");
        }
        // Errors about this number or typos of it must not carry it either.
        let mut errors: Vec<IdError> = single_digit_substitutions(digits)
            .into_iter()
            .filter_map(|(_, typo)| MyNumber::parse(&typo).err())
            .collect();
        errors.extend(MyNumber::parse(&format!("{digits}0")).err());
        errors.extend(MyNumber::parse(&digits[..11]).err());
        errors.extend(MyNumber::parse(&format!("{}x", &digits[..11])).err());
        prop_assert!(errors.len() > 3);
        for e in errors {
            let message = format!("{e} {e:?}");
            prop_assert!(!message.contains(&digits[..11]), "{message}");
            prop_assert!(!message.contains(&digits[4..]), "{message}");
        }
        let json_error = serde_json::from_str::<MyNumber>(&format!("\"{}\"", &digits[..11])).unwrap_err().to_string();
        prop_assert!(!json_error.contains(&digits[..11]), "{json_error}");
    }

    #[test]
    fn municipality_code_round_trips(c in municipality_codes()) {
        prop_assert_eq!(MunicipalityCode::parse(c.as_str()).unwrap(), c.clone());
        prop_assert_eq!(c.to_string().parse::<MunicipalityCode>().unwrap(), c.clone());
        prop_assert_eq!(json_round_trip(&c), c.clone());
    }

    #[test]
    fn municipality_code_rejects_every_single_digit_typo_except_remainders_0_and_10(c in municipality_codes()) {
        let original = municipality_remainder(c.as_str());
        for (position, typo) in single_digit_substitutions(c.as_str()) {
            let escapes = position < 5
                && [original, municipality_remainder(&typo)].iter().all(|r| *r == 0 || *r == 10);
            match MunicipalityCode::parse(&typo) {
                Ok(_) => prop_assert!(escapes, "typo at position {} accepted", position + 1),
                Err(e) => {
                    prop_assert!(!escapes);
                    prop_assert_eq!(e, IdError::BadCheckDigit { kind: IdKind::MunicipalityCode });
                }
            }
        }
    }

    #[test]
    fn institution_code_round_trips_and_keeps_its_parts(c in institution_codes()) {
        prop_assert_eq!(InstitutionCode::parse(c.as_str()).unwrap(), c.clone());
        prop_assert_eq!(json_round_trip(&c), c.clone());
        prop_assert!((1..=47).contains(&c.prefecture()));
        prop_assert_eq!(c.score_table().digit(), c.as_str().as_bytes()[2] - b'0');
    }

    #[test]
    fn institution_code_rejects_every_single_digit_typo(c in institution_codes()) {
        for (position, typo) in single_digit_substitutions(c.as_str()) {
            prop_assert!(InstitutionCode::parse(&typo).is_err(), "typo at position {} accepted", position + 1);
        }
    }

    #[test]
    fn gtin_round_trips_and_pads_to_14(g in gtins()) {
        prop_assert_eq!(Gtin::parse(g.as_str()).unwrap(), g.clone());
        prop_assert_eq!(json_round_trip(&g), g.clone());
        let g14 = g.as_gtin14();
        prop_assert_eq!(g14.len(), 14);
        prop_assert!(g14.ends_with(g.as_str()));
        prop_assert!(Gtin::parse(&g14).is_ok());
    }

    #[test]
    fn gtin_rejects_every_single_digit_typo(g in gtins()) {
        for (position, typo) in single_digit_substitutions(g.as_str()) {
            prop_assert_eq!(Gtin::parse(&typo), Err(IdError::BadCheckDigit { kind: IdKind::Gtin }), "typo at position {}", position + 1);
        }
    }

    #[test]
    fn subject_no_round_trips(s in subject_nos()) {
        prop_assert_eq!(SubjectNo::parse(s.as_str()).unwrap(), s.clone());
        prop_assert_eq!(s.to_string().parse::<SubjectNo>().unwrap(), s.clone());
        prop_assert_eq!(json_round_trip(&s), s.clone());
    }

    #[test]
    fn subject_no_rejects_every_single_digit_typo(s in subject_nos()) {
        for (position, typo) in single_digit_substitutions(s.as_str()) {
            prop_assert_eq!(SubjectNo::parse(&typo), Err(IdError::BadCheckDigit { kind: IdKind::SubjectNo }), "typo at position {}", position + 1);
        }
    }

    #[test]
    fn pmh_key_round_trips(text in opaque_text(64)) {
        let key = PmhKey::parse(&text).unwrap();
        prop_assert_eq!(key.to_string(), text.clone());
        prop_assert_eq!(json_round_trip(&key), key.clone());
    }

    #[test]
    fn pmh_pseudonym_round_trips(text in opaque_text(128)) {
        let p = PmhPseudonym::parse(&text).unwrap();
        prop_assert_eq!(p.as_str(), text.as_str());
        prop_assert_eq!(json_round_trip(&p), p.clone());
    }

    #[test]
    fn opaque_ids_reject_characters_outside_the_alphabet(
        prefix in opaque_text(20),
        bad in prop::sample::select(vec![' ', '.', '/', '+', '=', 'あ', '０', '\n']),
    ) {
        let text = format!("{prefix}{bad}");
        let position = prefix.chars().count() + 1;
        prop_assert_eq!(PmhKey::parse(&text), Err(IdError::InvalidCharacter { kind: IdKind::PmhKey, position }));
        prop_assert_eq!(PmhPseudonym::parse(&text), Err(IdError::InvalidCharacter { kind: IdKind::PmhPseudonym, position }));
    }

    #[test]
    fn digit_ids_reject_wrong_lengths(len in 1usize..30) {
        let text = "1".repeat(len);
        let wrong_length = |r: Result<(), IdError>| {
            matches!(r, Err(IdError::WrongLength { actual, .. }) if actual == len)
        };
        if len != 12 {
            prop_assert!(wrong_length(MyNumber::parse(&text).map(drop)));
        }
        if len != 6 {
            prop_assert!(wrong_length(MunicipalityCode::parse(&text).map(drop)));
        }
        if len != 10 {
            prop_assert!(wrong_length(InstitutionCode::parse(&text).map(drop)));
            prop_assert!(wrong_length(SubjectNo::parse(&text).map(drop)));
        }
        if len != 13 && len != 14 {
            prop_assert!(wrong_length(Gtin::parse(&text).map(drop)));
        }
    }

    #[test]
    fn digit_ids_reject_a_non_digit_at_its_position(
        position in 0usize..12,
        bad in prop::sample::select(vec!['a', ' ', '-', '.', 'Ⅰ', '٣']),
        n in my_numbers(),
    ) {
        let mut chars: Vec<char> = n.expose_digits().chars().collect();
        chars[position] = bad;
        let text: String = chars.into_iter().collect();
        prop_assert_eq!(MyNumber::parse(&text), Err(IdError::NotADigit { kind: IdKind::MyNumber, position: position + 1 }));
    }

    #[test]
    fn digit_ids_reject_full_width_digits(c in municipality_codes(), s in subject_nos(), n in my_numbers()) {
        let wide = |s: &str| -> String { s.chars().map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()).collect() };
        prop_assert_eq!(MunicipalityCode::parse(&wide(c.as_str())), Err(IdError::FullWidthDigit { kind: IdKind::MunicipalityCode, position: 1 }));
        prop_assert_eq!(SubjectNo::parse(&wide(s.as_str())), Err(IdError::FullWidthDigit { kind: IdKind::SubjectNo, position: 1 }));
        prop_assert_eq!(MyNumber::parse(&wide(n.expose_digits())), Err(IdError::FullWidthDigit { kind: IdKind::MyNumber, position: 1 }));
    }
}

#[test]
fn my_number_check_digit_misses_a_typo_between_remainders_0_and_1() {
    // Body 00000000000 has r = 0 (check 0); changing P₁ (weight 2) to 6 gives Σ = 12, r = 1,
    // also check 0, so this typo passes. The doc comment on MyNumber promises exactly this gap.
    assert!(MyNumber::parse("000000000000").is_ok());
    assert!(MyNumber::parse("000000000060").is_ok());
}

#[test]
fn municipality_check_digit_misses_a_typo_between_remainders_0_and_10() {
    // 00000 has r = 0 → check 1; 00005 has Σ = 10 → r = 10 → check 1 as well.
    assert!(MunicipalityCode::parse("000001").is_ok());
    assert!(MunicipalityCode::parse("000051").is_ok());
}

#[test]
fn empty_input_is_reported_as_empty() {
    assert!(matches!(MyNumber::parse(""), Err(IdError::Empty { .. })));
    assert!(matches!(Gtin::parse(""), Err(IdError::Empty { .. })));
    assert!(matches!(PmhKey::parse(""), Err(IdError::Empty { .. })));
}

#[test]
fn opaque_ids_reject_over_long_values() {
    assert!(PmhKey::parse(&"a".repeat(64)).is_ok());
    assert!(matches!(
        PmhKey::parse(&"a".repeat(65)),
        Err(IdError::WrongLength { actual: 65, .. })
    ));
    assert!(PmhPseudonym::parse(&"a".repeat(128)).is_ok());
    assert!(PmhPseudonym::parse(&"a".repeat(129)).is_err());
}

#[test]
fn json_deserialization_validates() {
    assert!(serde_json::from_str::<MunicipalityCode>("\"131015\"").is_err());
    assert!(serde_json::from_str::<InstitutionCode>("\"0110113718\"").is_err());
    assert!(serde_json::from_str::<SubjectNo>("1234567890").is_err());
    assert_eq!(
        serde_json::from_str::<InstitutionCode>("\"0110113719\"")
            .unwrap()
            .score_table(),
        ScoreTable::Medical
    );
}
