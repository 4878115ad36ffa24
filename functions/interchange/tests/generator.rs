//! The generator's output is valid, deterministic, and broken exactly where it says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use sesshu_domain::MunicipalityCode;
use sesshu_interchange::generator::{Breakage, generate};
use sesshu_interchange::{PersonCsvReader, RowError, RowOp, TextEncoding};

fn chiyoda() -> MunicipalityCode {
    MunicipalityCode::parse("131016").unwrap()
}

#[test]
fn generated_rows_are_valid_except_the_broken_ones_which_fail_in_one_column() {
    for encoding in [
        TextEncoding::Cp932,
        TextEncoding::Utf8,
        TextEncoding::Utf8Bom,
    ] {
        let mut bytes = Vec::new();
        let summary = generate(3_000, &chiyoda(), 7, Some(13), &mut bytes, encoding).unwrap();
        assert_eq!(summary.rows, 3_000);
        assert_eq!(summary.broken_rows, 3_000 / 13);
        assert_eq!(summary.replaced_chars, 0);
        let reader = PersonCsvReader::new(&bytes[..], chiyoda()).unwrap();
        assert_eq!(reader.encoding(), encoding);
        let mut my_numbers = HashSet::new();
        let mut kinds = [0u32; 3];
        for (index, row) in reader.enumerate() {
            let row = row.unwrap();
            assert_eq!(row.row_no, index as u64 + 2);
            match (Breakage::for_row(index as u64, Some(13)), &row.result) {
                (None, Ok(op)) => {
                    let my_number = match op {
                        RowOp::New(input) => {
                            kinds[0] += 1;
                            &input.my_number
                        }
                        RowOp::Update(input) => {
                            kinds[1] += 1;
                            &input.my_number
                        }
                        RowOp::Delete(deletion) => {
                            kinds[2] += 1;
                            &deletion.my_number
                        }
                    };
                    assert!(my_numbers.insert(my_number.expose_digits().to_owned()));
                }
                (Some(breakage), Err(RowError::Fields(errors))) => {
                    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
                    assert_eq!(fields, vec![breakage.field()], "row {}", row.row_no);
                }
                (expected, got) => panic!("row {}: expected {expected:?}, got {got:?}", row.row_no),
            }
        }
        assert!(
            kinds[0] > 2_500 && kinds[1] > 0 && kinds[2] > 0,
            "{kinds:?}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let run = |seed| {
        let mut bytes = Vec::new();
        generate(200, &chiyoda(), seed, None, &mut bytes, TextEncoding::Cp932).unwrap();
        bytes
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn other_municipalities_get_addresses_in_their_prefecture() {
    let osaka = MunicipalityCode::parse("271004").unwrap();
    let mut bytes = Vec::new();
    generate(50, &osaka, 1, Some(10), &mut bytes, TextEncoding::Utf8).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("大阪府"));
    let rows: Vec<_> = PersonCsvReader::new(text.as_bytes(), osaka)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.iter().filter(|r| r.result.is_err()).count(), 5);
}
