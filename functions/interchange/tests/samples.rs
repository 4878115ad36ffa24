//! The sample files of `docs/interfaces/samples/` read with their exact outcome, so the
//! documented examples can never drift from what the reader does. The error sample's report is
//! compared with `persons-with-errors-utf8.report.csv`; set `SESSHU_BLESS=1` to rewrite it
//! after a deliberate change of wording.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use sesshu_domain::MunicipalityCode;
use sesshu_domain::person::{FeeExemption, MoveReason, Sex, SubjectCategory};
use sesshu_domain::person_input::PersonField as F;
use sesshu_interchange::{
    ErrorReportWriter, ParsedRow, PersonCsvReader, RowError, RowOp, TextEncoding,
};
use time::macros::date;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/interfaces/samples")
}

fn read(name: &str) -> (TextEncoding, Vec<ParsedRow>) {
    let bytes = std::fs::read(samples().join(name)).unwrap();
    let reader = PersonCsvReader::new(&bytes[..], MunicipalityCode::parse("131016").unwrap())
        .unwrap()
        .with_today(Some(date!(2025 - 06 - 01)));
    let encoding = reader.encoding();
    (encoding, reader.map(Result::unwrap).collect())
}

/// A row's outcome in a form a table can state.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    New,
    Update,
    Delete,
    Fields(Vec<F>),
    Row,
}

fn outcomes(rows: &[ParsedRow]) -> Vec<(u64, Outcome)> {
    rows.iter()
        .map(|row| {
            let outcome = match &row.result {
                Ok(RowOp::New(_)) => Outcome::New,
                Ok(RowOp::Update(_)) => Outcome::Update,
                Ok(RowOp::Delete(_)) => Outcome::Delete,
                Err(RowError::Fields(errors)) => {
                    Outcome::Fields(errors.iter().map(|e| e.field).collect())
                }
                Err(RowError::Row { .. }) => Outcome::Row,
            };
            (row.row_no, outcome)
        })
        .collect()
}

fn inputs(rows: &[ParsedRow]) -> Vec<&sesshu_domain::person_input::PersonInput> {
    rows.iter()
        .map(|row| match &row.result {
            Ok(RowOp::New(input) | RowOp::Update(input)) => input,
            other => panic!("row {}: {other:?}", row.row_no),
        })
        .collect()
}

#[test]
fn the_valid_utf8_sample_imports_every_row() {
    let (encoding, rows) = read("persons-valid-utf8.csv");
    assert_eq!(encoding, TextEncoding::Utf8Bom);
    assert_eq!(
        outcomes(&rows),
        vec![
            (2, Outcome::New),
            (3, Outcome::New),
            (4, Outcome::New),
            (5, Outcome::New),
            (6, Outcome::New),
            (7, Outcome::Update),
        ]
    );
    let people = inputs(&rows);
    assert_eq!(people[1].birth_date, date!(2019 - 04 - 01));
    assert_eq!(people[1].other_management_no.as_deref(), Some("K-0002"));
    assert_eq!(people[2].birth_date, date!(1958 - 11 - 03));
    assert_eq!(
        people[2].subject_category,
        SubjectCategory::DisabledAged60To64
    );
    assert_eq!(people[2].fee_exemption, FeeExemption::Full);
    assert_eq!(people[2].guardian_name, None);
    assert_eq!(people[3].birth_date, date!(2020 - 07 - 07));
    assert!(people[3].control_flags.non_disclosure);
    assert_eq!(people[4].birth_date, date!(1946 - 02 - 11));
    assert_eq!(
        people[4].address,
        "東京都千代田区有楽町1-1,　ハイツ有楽　305"
    );
    assert!(people[5].control_flags.recovery);
}

#[test]
fn the_valid_cp932_sample_imports_every_row_normalized() {
    let (encoding, rows) = read("persons-valid-cp932.csv");
    assert_eq!(encoding, TextEncoding::Cp932);
    assert_eq!(
        outcomes(&rows),
        (2..=6).map(|n| (n, Outcome::New)).collect::<Vec<_>>()
    );
    let people = inputs(&rows);
    assert_eq!(people[0].my_number.expose_digits(), "500000000119");
    assert_eq!(people[0].name_kana.as_str(), "マルノウチ　タロウ");
    assert_eq!(people[0].birth_date, date!(2020 - 04 - 01));
    assert_eq!(
        people[0].address,
        "東京都千代田区丸の内1-9-1　グランドパレス1201"
    );
    assert_eq!(people[1].sex, Sex::Female);
    assert_eq!(people[1].municipality_code.as_str(), "131016");
    assert_eq!(people[1].municipal_business_id.as_str(), "2000000012");
    assert_eq!(people[2].name.as_str(), "髙橋　茂");
    assert_eq!(people[2].name_kana.as_str(), "タカハシ　シゲル");
    assert_eq!(people[2].birth_date, date!(1940 - 03 - 03));
    assert_eq!(
        people[2].address,
        "東京都千代田区富士見2-10　メゾン富士見　2F"
    );
    assert_eq!(people[3].name.as_str(), "宮﨑　凛");
    assert_eq!(people[3].name_kana.as_str(), "ミヤザキ　リン");
    assert_eq!(people[3].birth_date, date!(2018 - 12 - 01));
    assert_eq!(people[4].name_kana.as_str(), "イイダ　ススム");
    assert!(people[4].control_flags.viewing_suspended);
}

#[test]
fn the_error_sample_fails_exactly_the_documented_rows_and_columns() {
    let (encoding, rows) = read("persons-with-errors-utf8.csv");
    assert_eq!(encoding, TextEncoding::Utf8);
    assert_eq!(
        outcomes(&rows),
        vec![
            (2, Outcome::New),
            (3, Outcome::Fields(vec![F::MyNumber])),
            (4, Outcome::Fields(vec![F::BirthDate, F::Sex])),
            (5, Outcome::Fields(vec![F::NameKana])),
            (6, Outcome::Fields(vec![F::MunicipalityCode])),
            (7, Outcome::Row),
            (8, Outcome::Fields(vec![F::MovedOutOn])),
            (9, Outcome::Fields(vec![F::Name, F::Address])),
            (10, Outcome::Fields(vec![F::ChangeKind])),
            (11, Outcome::Fields(vec![F::FeeExemption, F::NonDisclosure])),
            (12, Outcome::Delete),
            (
                13,
                Outcome::Fields(vec![F::Address, F::MunicipalBusinessId])
            ),
        ]
    );
}

#[test]
fn the_error_samples_report_matches_the_documented_report() {
    let (_, rows) = read("persons-with-errors-utf8.csv");
    let mut report = ErrorReportWriter::new(Vec::new(), TextEncoding::Utf8Bom).unwrap();
    for row in &rows {
        if let Err(error) = &row.result {
            report.write_row_error(row.row_no, error).unwrap();
        }
    }
    assert_eq!(report.lines_written(), 14);
    let bytes = report.finish().unwrap();
    let golden = samples().join("persons-with-errors-utf8.report.csv");
    if std::env::var_os("SESSHU_BLESS").is_some() {
        std::fs::write(&golden, &bytes).unwrap();
    }
    let expected = std::fs::read(&golden).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&expected),
        "run with SESSHU_BLESS=1 to accept a deliberate change"
    );
    // The report never repeats a cell: no My Number, name or address of the sample in it.
    let text = String::from_utf8(bytes).unwrap();
    for secret in [
        "50000000022",
        "神保",
        "ジンボウ",
        "HYPERLINK",
        "3000000032",
        "錦町",
    ] {
        assert!(!text.contains(secret), "{secret}");
    }
}

#[test]
fn the_deletion_sample_deletes_three_persons() {
    let (encoding, rows) = read("persons-delete-cp932.csv");
    assert_eq!(encoding, TextEncoding::Cp932);
    let deletions: Vec<_> = rows
        .iter()
        .map(|row| match &row.result {
            Ok(RowOp::Delete(d)) => (row.row_no, d.moved_out_on, d.reason),
            other => panic!("row {}: {other:?}", row.row_no),
        })
        .collect();
    assert_eq!(
        deletions,
        vec![
            (2, Some(date!(2024 - 04 - 01)), Some(MoveReason::MovedOut)),
            (3, Some(date!(2024 - 05 - 10)), Some(MoveReason::Deceased)),
            (4, None, None),
        ]
    );
}
