#![allow(clippy::unwrap_used, clippy::expect_used)]

use sesshu_domain::person::MoveReason;
use sesshu_domain::person_input::PersonField;
use time::macros::date;

use super::*;

const HEADER: &str = "個人番号,氏名,氏名カナ,生年月日,性別,住所,保護者氏名,自治体コード,自治体業務ID,変更区分,異動日,異動事由,その他管理番号,接種対象者区分,減免区分,リカバリー,不開示,閲覧停止";
const VALID: &str = "123456789018,山田　花子,ヤマダ　ハナコ,20200401,2,東京都千代田区千代田1-1,山田　太郎,131016,A0001,1,,,,,,,,";

fn chiyoda() -> MunicipalityCode {
    MunicipalityCode::parse("131016").unwrap()
}

fn read(text: &[u8]) -> Vec<ParsedRow> {
    PersonCsvReader::new(text, chiyoda())
        .unwrap()
        .with_today(Some(date!(2025 - 06 - 01)))
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn field_errors(row: &ParsedRow) -> Vec<PersonField> {
    match &row.result {
        Err(RowError::Fields(errors)) => errors.iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_valid_row_becomes_a_new_person() {
    let rows = read(format!("{HEADER}\r\n{VALID}\r\n").as_bytes());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row_no, 2);
    let Ok(RowOp::New(input)) = &rows[0].result else {
        panic!("{:?}", rows[0].result)
    };
    assert_eq!(input.name.as_str(), "山田　花子");
}

#[test]
fn row_numbers_count_records_like_a_spreadsheet_with_blank_lines_skipped() {
    let multi_line = VALID.replace("東京都千代田区千代田1-1", "\"東京都\n千代田区\"");
    let text = format!("{HEADER}\n{VALID}\n{multi_line}\n\n,,,,,,,,,,,,,,,,,\n\"\"\n{VALID}\n\n");
    let rows = read(text.as_bytes());
    let numbers: Vec<u64> = rows.iter().map(|r| r.row_no).collect();
    // Header 1, valid 2, two-line address 3, blank line 4, commas 5, quoted empty 6, valid 7.
    assert_eq!(numbers, vec![2, 3, 7]);
    let text = format!("{HEADER}\n{multi_line}\n\n{VALID}\n");
    let numbers: Vec<u64> = read(text.as_bytes()).iter().map(|r| r.row_no).collect();
    assert_eq!(numbers, vec![2, 4]);
    assert_eq!(field_errors(&rows[1]), vec![PersonField::Address]);
}

#[test]
fn quoted_fields_with_commas_and_quotes_are_read() {
    let row = VALID.replace(
        "東京都千代田区千代田1-1",
        "\"東京都千代田区千代田1-1, \"\"コーポ\"\"\"",
    );
    let rows = read(format!("{HEADER}\r\n{row}\r\n").as_bytes());
    let Ok(RowOp::New(input)) = &rows[0].result else {
        panic!("{:?}", rows[0].result)
    };
    assert_eq!(input.address, "東京都千代田区千代田1-1,　\"コーポ\"");
}

#[test]
fn update_and_delete_rows_are_recognised() {
    let update = VALID.replace(",A0001,1,", ",A0001,更新,");
    let delete = "123456789018,,,,,,,131016,,3,R6.3.31,死亡,,,,,,";
    let rows = read(format!("{HEADER}\n{update}\n{delete}\n").as_bytes());
    assert!(matches!(rows[0].result, Ok(RowOp::Update(_))));
    let Ok(RowOp::Delete(deletion)) = &rows[1].result else {
        panic!("{:?}", rows[1].result)
    };
    assert_eq!(deletion.moved_out_on, Some(date!(2024 - 03 - 31)));
    assert_eq!(deletion.reason, Some(MoveReason::Deceased));
}

#[test]
fn moved_out_fields_on_a_new_row_are_errors() {
    let row = VALID.replace(",A0001,1,,,", ",A0001,1,20240101,1,");
    let rows = read(format!("{HEADER}\n{row}\n").as_bytes());
    assert_eq!(
        field_errors(&rows[0]),
        vec![PersonField::MovedOutOn, PersonField::MovedOutReason]
    );
}

#[test]
fn another_municipalitys_code_is_a_field_error() {
    let row = VALID.replace(",131016,", ",271004,");
    let rows = read(format!("{HEADER}\n{row}\n").as_bytes());
    assert_eq!(field_errors(&rows[0]), vec![PersonField::MunicipalityCode]);
    let delete = "123456789018,,,,,,,271004,,3,,,,,,,,";
    let rows = read(format!("{HEADER}\n{delete}\n").as_bytes());
    assert_eq!(field_errors(&rows[0]), vec![PersonField::MunicipalityCode]);
}

#[test]
fn a_wrong_field_count_is_a_row_error() {
    let rows = read(format!("{HEADER}\n{VALID},extra\n123456789018,山田\n").as_bytes());
    assert!(matches!(rows[0].result, Err(RowError::Row { .. })));
    assert!(matches!(rows[1].result, Err(RowError::Row { .. })));
}

#[test]
fn an_invalid_change_kind_still_checks_the_keys() {
    let row = VALID
        .replace(",A0001,1,", ",A0001,4,")
        .replace("123456789018", "123456789017");
    let rows = read(format!("{HEADER}\n{row}\n").as_bytes());
    assert_eq!(
        field_errors(&rows[0]),
        vec![PersonField::MyNumber, PersonField::ChangeKind]
    );
}

#[test]
fn a_deletion_file_accepts_deletions_and_refuses_new_rows() {
    let text = "個人番号,自治体コード,変更区分,異動日,異動事由\r\n123456789018,131016,3,2024-04-01,1\r\n123456789018,131016,1,,\r\n";
    let reader = PersonCsvReader::new(text.as_bytes(), chiyoda()).unwrap();
    assert!(reader.is_deletion_file());
    let rows: Vec<_> = reader.map(Result::unwrap).collect();
    assert!(matches!(rows[0].result, Ok(RowOp::Delete(_))));
    assert!(matches!(rows[1].result, Err(RowError::Row { .. })));
}

#[test]
fn cp932_files_are_detected_and_read() {
    let text = format!(
        "{HEADER}\r\n{}\r\n",
        VALID.replace("ヤマダ　ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ")
    );
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let reader = PersonCsvReader::new(&bytes[..], chiyoda()).unwrap();
    assert_eq!(reader.encoding(), TextEncoding::Cp932);
    let rows: Vec<_> = reader.map(Result::unwrap).collect();
    let Ok(RowOp::New(input)) = &rows[0].result else {
        panic!("{:?}", rows[0].result)
    };
    assert_eq!(input.name_kana.as_str(), "ヤマダ　ハナコ");
}

#[test]
fn bytes_invalid_in_the_encoding_are_an_error_in_their_column() {
    let mut bytes = format!("\u{FEFF}{HEADER}\n").into_bytes();
    bytes.extend_from_slice(VALID.replace("山田　花子", "@@").as_bytes());
    let at = bytes.windows(2).position(|w| w == b"@@").unwrap();
    bytes[at] = 0xFF;
    bytes[at + 1] = 0xFE;
    let rows = read(&bytes);
    let Err(RowError::Fields(errors)) = &rows[0].result else {
        panic!("{:?}", rows[0].result)
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, PersonField::Name);
    assert!(errors[0].en.contains("CP932") && errors[0].ja.contains("保存し直して"));
}

#[test]
fn empty_utf16_and_headerless_files_are_file_errors() {
    let chiyoda = chiyoda;
    assert!(matches!(
        PersonCsvReader::new(&b""[..], chiyoda()),
        Err(CsvFileError::Empty)
    ));
    assert!(matches!(
        PersonCsvReader::new(&b"\n\r\n,,\n"[..], chiyoda()),
        Err(CsvFileError::Empty)
    ));
    assert!(matches!(
        PersonCsvReader::new(&b"\xFF\xFEa\x00"[..], chiyoda()),
        Err(CsvFileError::Utf16)
    ));
    let Err(err) = PersonCsvReader::new(VALID.as_bytes(), chiyoda()) else {
        panic!("a data row was taken as a header");
    };
    assert!(matches!(err, CsvFileError::NoHeader { row_no: 1 }));
    assert!(!format!("{err} {err:?} {}", err.ja()).contains("123456789018"));
}

#[test]
fn blank_lines_count_as_rows_with_crlf_lf_or_cr_endings() {
    for end in ["\r\n", "\n", "\r"] {
        let text = format!("{HEADER}{end}{end}{VALID}{end}{end}{end}{VALID}");
        let numbers: Vec<u64> = read(text.as_bytes()).iter().map(|r| r.row_no).collect();
        assert_eq!(numbers, vec![3, 6], "{end:?}");
    }
}

#[test]
fn an_unclosed_quote_at_the_end_is_one_row_with_the_right_number() {
    let text = format!(
        "{HEADER}\n{VALID}\n{}",
        VALID.replace("山田　花子", "\"山田")
    );
    let rows = read(text.as_bytes());
    assert_eq!(
        rows.iter().map(|r| r.row_no).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert!(matches!(rows[1].result, Err(RowError::Row { .. })));
}

#[test]
fn blank_lines_before_the_header_shift_the_row_numbers() {
    let rows = read(format!("\n\n{HEADER}\n{VALID}\n").as_bytes());
    assert_eq!(rows[0].row_no, 4);
}

#[test]
fn a_birth_date_after_today_is_refused() {
    let row = VALID.replace("20200401", "20250602");
    let rows = read(format!("{HEADER}\n{row}\n").as_bytes());
    assert_eq!(field_errors(&rows[0]), vec![PersonField::BirthDate]);
}

#[test]
fn errors_are_in_the_files_column_order() {
    let header = "変更区分,自治体コード,性別,個人番号,氏名,氏名カナ,生年月日,住所,自治体業務ID";
    let row = "1,131016,9,123456789017,山田　花子,ヤマダ,20200101,東京都,A1";
    let rows = read(format!("{header}\n{row}\n").as_bytes());
    assert_eq!(
        field_errors(&rows[0]),
        vec![PersonField::Sex, PersonField::MyNumber]
    );
}
