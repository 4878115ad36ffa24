//! Properties of the whole interchange: the reader survives any bytes, an export imports back
//! to the same persons, and one broken field is reported in exactly its column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sesshu_domain::id::SubjectNo;
use sesshu_domain::person::{ChangeKind, TargetPerson};
use sesshu_domain::person_input::{PersonField, PersonFields, PersonInput};
use sesshu_domain::{MunicipalityCode, MyNumber};
use sesshu_interchange::person_export::{PersonExportWriter, PmhLinkState};
use sesshu_interchange::{CsvWriter, PersonCsvReader, RowError, RowOp, TextEncoding, fuzzing};
use time::macros::date;
use time::{Date, Duration};

fn chiyoda() -> MunicipalityCode {
    MunicipalityCode::parse("131016").unwrap()
}

const CP932_NAME: &str = "[山田佐藤鈴木髙﨑花子太郎ぁ-んァ-ヶa-zA-Zｱ-ﾝ]{1,6}";
const ANY_NAME: &str = "[山田佐藤髙﨑花子太郎ぁ-んァ-ヶa-zA-Zｱ-ﾝ𠮷😀]{1,6}";

/// Valid raw fields whose names use `name_chars`; validated into a normalized input.
fn person_input(name_chars: &'static str) -> impl Strategy<Value = PersonInput> {
    (
        "[0-9]{11}",
        (name_chars, name_chars),
        ("[ァ-ヶ]{1,6}", "[ァ-ヶｱ-ﾝ]{1,6}"),
        0i64..36_500,
        1u8..=2,
        "[東京都千代田区0-9０-９\\-, \"ｱ-ﾝ　]{0,30}",
        proptest::option::of((name_chars, name_chars)),
        "[A-Za-z0-9_][A-Za-z0-9_\\-]{0,19}",
        "[A-Z0-9]{0,10}",
        (1u8..=4, 0u8..=2, any::<[bool; 3]>()),
    )
        .prop_map(
            |(body, name, kana, age, sex, address, guardian, business, other, codes)| {
                let my_number = MyNumber::from_body(&body).unwrap();
                let birth = date!(2025 - 01 - 01) - Duration::days(age);
                let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
                let fields = PersonFields {
                    my_number: my_number.expose_digits().to_owned(),
                    name: format!("{} {}", name.0, name.1),
                    name_kana: format!("{} {}", kana.0, kana.1),
                    birth_date: birth.to_string(),
                    sex: sex.to_string(),
                    address: format!("東京都{address}"),
                    guardian_name: guardian
                        .map(|g| format!("{}　{}", g.0, g.1))
                        .unwrap_or_default(),
                    municipality_code: "131016".into(),
                    municipal_business_id: business,
                    other_management_no: other,
                    subject_category: codes.0.to_string(),
                    fee_exemption: codes.1.to_string(),
                    recovery: flag(codes.2[0]),
                    non_disclosure: flag(codes.2[1]),
                    viewing_suspended: flag(codes.2[2]),
                };
                fields.validate().unwrap()
            },
        )
}

fn target_person(input: &PersonInput, n: u32) -> TargetPerson {
    let mut person = TargetPerson {
        subject_no: SubjectNo::from_sequence(n).unwrap(),
        municipality_code: input.municipality_code.clone(),
        my_number: input.my_number.clone(),
        pmh_key: None,
        pmh_pseudonym: None,
        name: input.name.clone(),
        name_kana: input.name_kana.clone(),
        address: String::new(),
        birth_date: Date::MIN,
        sex: input.sex,
        guardian_name: None,
        municipal_business_id: input.municipal_business_id.clone(),
        change_kind: ChangeKind::New,
        moved_out_on: None,
        other_management_no: None,
        control_flags: input.control_flags,
        subject_category: input.subject_category,
        fee_exemption: input.fee_exemption,
        link: None,
    };
    input.apply_to(&mut person);
    person
}

fn import(bytes: &[u8]) -> Vec<Result<RowOp, RowError>> {
    PersonCsvReader::new(bytes, chiyoda())
        .unwrap()
        .with_today(Some(date!(2025 - 06 - 01)))
        .map(|row| row.unwrap().result)
        .collect()
}

fn round_trip(inputs: &[PersonInput], encoding: TextEncoding) -> Result<(), TestCaseError> {
    let mut export = PersonExportWriter::new(Vec::new(), encoding).unwrap();
    for (n, input) in inputs.iter().enumerate() {
        export
            .write(&target_person(input, n as u32), PmhLinkState::Assigned)
            .unwrap();
    }
    prop_assert_eq!(export.replaced_chars(), 0);
    let bytes = export.finish().unwrap();
    let rows = import(&bytes);
    prop_assert_eq!(rows.len(), inputs.len());
    for (row, input) in rows.iter().zip(inputs) {
        prop_assert_eq!(row, &Ok(RowOp::Update(input.clone())));
    }
    Ok(())
}

/// Ways to break each field so that only that field is wrong (on a new row).
fn corruptions(field: PersonField, valid: &str) -> Vec<String> {
    let long = |n| "x".repeat(n);
    match field {
        PersonField::MyNumber => {
            let mut digits: Vec<u8> = valid.bytes().collect();
            digits[11] = b'0' + (digits[11] - b'0' + 1) % 10;
            vec![
                String::from_utf8(digits).unwrap(),
                "12345".into(),
                String::new(),
            ]
        }
        PersonField::Name => vec![
            String::new(),
            "=山田".into(),
            "山\u{7}田".into(),
            "山".repeat(101),
        ],
        PersonField::NameKana => vec!["山".into(), String::new(), "abc".into()],
        PersonField::BirthDate => vec![
            "2023-02-30".into(),
            String::new(),
            "R1.4.30".into(),
            "21000101".into(),
            "1899-12-31".into(),
        ],
        PersonField::Sex => vec!["0".into(), String::new(), "F".into()],
        PersonField::Address => vec![
            String::new(),
            "あ".repeat(201),
            "=1+1".into(),
            "a\nb".into(),
        ],
        PersonField::GuardianName => vec!["=x".into(), "@y".into()],
        PersonField::MunicipalityCode => vec!["271004".into(), "131015".into(), String::new()],
        PersonField::MunicipalBusinessId => {
            vec![String::new(), "a b".into(), long(65), "-1".into()]
        }
        PersonField::ChangeKind => vec!["7".into(), String::new(), "変更".into()],
        PersonField::MovedOutOn => vec!["20240101".into(), "bad".into()],
        PersonField::MovedOutReason => vec!["1".into(), "9".into()],
        PersonField::OtherManagementNo => vec![long(65), "+1".into()],
        PersonField::SubjectCategory => vec!["0".into(), "5".into(), "12".into()],
        PersonField::FeeExemption => vec!["3".into(), "-1".into()],
        PersonField::Recovery | PersonField::NonDisclosure | PersonField::ViewingSuspended => {
            vec!["2".into(), "yes".into()]
        }
    }
}

fn row_cells(input: &PersonInput) -> Vec<String> {
    let f = input.to_fields();
    vec![
        f.my_number,
        f.name,
        f.name_kana,
        f.birth_date,
        f.sex,
        f.address,
        f.guardian_name,
        f.municipality_code,
        f.municipal_business_id,
        "1".into(),
        String::new(),
        String::new(),
        f.other_management_no,
        f.subject_category,
        f.fee_exemption,
        f.recovery,
        f.non_disclosure,
        f.viewing_suspended,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_reader_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        fuzzing::person_csv(&bytes);
    }

    #[test]
    fn the_reader_never_panics_on_a_header_followed_by_arbitrary_text(
        rows in proptest::collection::vec("[0-9,\"\r\n ａ-ｚ山ｱ-ﾝ\u{FFFD}\u{0}-\u{1F}]{0,80}", 0..20),
        cp932 in any::<bool>(),
    ) {
        let header: Vec<&str> = PersonField::ALL.iter().map(|f| f.column_ja()).collect();
        let text = format!("{}\r\n{}", header.join(","), rows.join("\n"));
        let bytes = if cp932 {
            encoding_rs::SHIFT_JIS.encode(&text).0.into_owned()
        } else {
            text.into_bytes()
        };
        fuzzing::person_csv(&bytes);
    }

    #[test]
    fn an_export_imports_back_to_the_same_persons_in_cp932(
        inputs in proptest::collection::vec(person_input(CP932_NAME), 1..8)
    ) {
        round_trip(&inputs, TextEncoding::Cp932)?;
    }

    #[test]
    fn an_export_imports_back_to_the_same_persons_in_utf8(
        inputs in proptest::collection::vec(person_input(ANY_NAME), 1..8)
    ) {
        round_trip(&inputs, TextEncoding::Utf8Bom)?;
    }

    #[test]
    fn one_corrupted_field_is_reported_in_exactly_that_column(
        input in person_input(CP932_NAME),
        field_index in 0usize..PersonField::ALL.len(),
        pick in any::<prop::sample::Index>(),
        encoding in prop_oneof![Just(TextEncoding::Cp932), Just(TextEncoding::Utf8)],
    ) {
        let field = PersonField::ALL[field_index];
        let mut cells = row_cells(&input);
        let options = corruptions(field, &cells[field_index]);
        cells[field_index] = pick.get(&options).clone();
        let mut csv = CsvWriter::new(Vec::new(), encoding);
        csv.write_record(PersonField::ALL.map(PersonField::column_ja)).unwrap();
        csv.write_record(&cells).unwrap();
        let rows = import(&csv.finish().unwrap());
        prop_assert_eq!(rows.len(), 1);
        match &rows[0] {
            Err(RowError::Fields(errors)) => {
                let fields: Vec<PersonField> = errors.iter().map(|e| e.field).collect();
                prop_assert_eq!(fields, vec![field]);
                let text = format!("{errors:?}");
                for secret in [input.my_number.expose_digits(), input.name.as_str(), input.address.as_str()] {
                    prop_assert!(!text.contains(secret), "an error repeats a value");
                }
            }
            other => prop_assert!(false, "expected an error in {:?}, got {:?}", field, other),
        }
    }
}
