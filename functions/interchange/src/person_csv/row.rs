//! One data row to one operation, or every reason it is refused.

use csv::StringRecord;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::person::ChangeKind;
use sesshu_domain::person_input::{FieldError, PersonField, PersonFieldRefs, normalize, parse};
use time::Date;

use super::error::{RowError, encoding_error};
use super::header::Layout;
use super::{Deletion, RowOp};
use crate::encoding::REPLACEMENT;

/// What a row is checked against.
pub(crate) struct RowContext<'a> {
    pub layout: &'a Layout,
    pub expected: &'a MunicipalityCode,
    pub today: Option<Date>,
}

/// Whether every field of the row is empty or spaces: such rows (a trailing `,,,,` line that a
/// spreadsheet leaves, a quoted empty line) are skipped.
pub(crate) fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|f| normalize::code(f).is_empty())
}

pub(crate) fn parse_row(record: &StringRecord, ctx: &RowContext<'_>) -> Result<RowOp, RowError> {
    let layout = ctx.layout;
    if record.len() != layout.len {
        let (actual, expected) = (record.len(), layout.len);
        return Err(RowError::Row {
            en: format!(
                "this row has {actual} fields but the header has {expected}; check for a missing or extra comma, or a quote (\") that is not closed"
            ),
            ja: format!(
                "この行の項目数（{actual}）が見出し行の項目数（{expected}）と一致しません。カンマの過不足や、閉じていない引用符（\"）を確認してください"
            ),
        });
    }
    let get = |field: PersonField| layout.column(field).map_or("", |i| &record[i]);
    let mut errors = Vec::new();
    let outcome = match parse::change_kind(get(PersonField::ChangeKind)) {
        Ok(ChangeKind::Delete) => deletion(&get, ctx, &mut errors).map(RowOp::Delete),
        Ok(_) if layout.deletion_only => {
            return Err(RowError::Row {
                en: "this is a new or update row, but the file has only the deletion columns; use the full import layout for new and update rows".to_owned(),
                ja: "新規・更新の行ですが、このファイルには削除用の列しかありません。新規・更新は取込レイアウトのすべての列で作成してください".to_owned(),
            });
        }
        Ok(kind) => person(&get, ctx, &mut errors).map(|input| match kind {
            ChangeKind::Update => RowOp::Update(input),
            _ => RowOp::New(input),
        }),
        Err(kind_error) => {
            // Without a valid 変更区分 we cannot tell which rules apply; still check the keys
            // so the user fixes everything in one round.
            errors.push(kind_error);
            let _ = keys(&get, ctx, &mut errors);
            None
        }
    };
    let maybe_garbled = record.as_slice().contains(REPLACEMENT);
    finish(outcome, errors, &get, layout, maybe_garbled)
}

fn finish<'r>(
    outcome: Option<RowOp>,
    mut errors: Vec<FieldError>,
    get: &impl Fn(PersonField) -> &'r str,
    layout: &Layout,
    maybe_garbled: bool,
) -> Result<RowOp, RowError> {
    // A field with undecodable bytes gets only the encoding error: the others would be noise.
    if maybe_garbled {
        let garbled: Vec<PersonField> = PersonField::ALL
            .into_iter()
            .filter(|&f| get(f).contains(REPLACEMENT))
            .collect();
        errors.retain(|e| !garbled.contains(&e.field));
        errors.extend(garbled.into_iter().map(encoding_error));
    }
    match outcome {
        Some(op) if errors.is_empty() => Ok(op),
        _ => {
            errors.sort_by_key(|e| layout.column(e.field).unwrap_or(usize::MAX));
            Err(RowError::Fields(errors))
        }
    }
}

fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

fn keys<'r>(
    get: &impl Fn(PersonField) -> &'r str,
    ctx: &RowContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<(sesshu_domain::MyNumber, MunicipalityCode)> {
    let my_number = keep(errors, parse::my_number(get(PersonField::MyNumber)));
    let code = keep(errors, municipality(get, ctx));
    Some((my_number?, code?))
}

fn municipality<'r>(
    get: &impl Fn(PersonField) -> &'r str,
    ctx: &RowContext<'_>,
) -> Result<MunicipalityCode, FieldError> {
    let code = parse::municipality_code(get(PersonField::MunicipalityCode))?;
    if code != *ctx.expected {
        return Err(other_municipality(ctx.expected));
    }
    Ok(code)
}

fn other_municipality(expected: &MunicipalityCode) -> FieldError {
    FieldError::new(
        PersonField::MunicipalityCode,
        format!(
            "is another municipality's code; this import is for {expected}, check that the file is your municipality's"
        ),
        format!(
            "取込先の自治体（{expected}）と異なる自治体コードです。自分の自治体のファイルか確認してください"
        ),
    )
}

fn deletion<'r>(
    get: &impl Fn(PersonField) -> &'r str,
    ctx: &RowContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Deletion> {
    let keys = keys(get, ctx, errors);
    let moved_out_on = keep(errors, parse::moved_out_on(get(PersonField::MovedOutOn)));
    let reason = keep(errors, parse::move_reason(get(PersonField::MovedOutReason)));
    let (my_number, municipality_code) = keys?;
    Some(Deletion {
        my_number,
        municipality_code,
        moved_out_on: moved_out_on?,
        reason: reason?,
    })
}

fn person<'r>(
    get: &impl Fn(PersonField) -> &'r str,
    ctx: &RowContext<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<sesshu_domain::person_input::PersonInput> {
    let fields = PersonFieldRefs {
        my_number: get(PersonField::MyNumber),
        name: get(PersonField::Name),
        name_kana: get(PersonField::NameKana),
        birth_date: get(PersonField::BirthDate),
        sex: get(PersonField::Sex),
        address: get(PersonField::Address),
        guardian_name: get(PersonField::GuardianName),
        municipality_code: get(PersonField::MunicipalityCode),
        municipal_business_id: get(PersonField::MunicipalBusinessId),
        other_management_no: get(PersonField::OtherManagementNo),
        subject_category: get(PersonField::SubjectCategory),
        fee_exemption: get(PersonField::FeeExemption),
        recovery: get(PersonField::Recovery),
        non_disclosure: get(PersonField::NonDisclosure),
        viewing_suspended: get(PersonField::ViewingSuspended),
    };
    let input = match fields.validate(ctx.today) {
        Ok(input) => Some(input),
        Err(mut invalid) => {
            errors.append(&mut invalid);
            None
        }
    };
    match &input {
        Some(input) if input.municipality_code != *ctx.expected => {
            errors.push(other_municipality(ctx.expected));
        }
        Some(_) => {}
        None if errors
            .iter()
            .any(|e| e.field == PersonField::MunicipalityCode) => {}
        None => {
            let _ = keep(errors, municipality(get, ctx));
        }
    }
    for field in [PersonField::MovedOutOn, PersonField::MovedOutReason] {
        if !normalize::code(get(field)).is_empty() {
            errors.push(FieldError::new(
                field,
                format!(
                    "is only for deletion rows (change_kind 3); leave {} empty on new and update rows",
                    field.column_en()
                ),
                format!(
                    "{}は削除（変更区分3）の行だけに入力します。新規・更新の行では空欄にしてください",
                    field.column_ja()
                ),
            ));
        }
    }
    input
}
