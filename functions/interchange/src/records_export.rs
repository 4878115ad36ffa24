//! Exporting vaccination records (予防接種記録, seed items 38–60) for the health-management
//! system. Each row carries 自治体業務ID and 予防接種対象者番号 so the receiving system can match
//! it to its person; it carries no My Number, name or address.
//!
//! Codes: 実施区分 1 定期 / 2 任意; flags 0/1; dates `YYYY-MM-DD`; 更新日時 RFC 3339 in Japan
//! time (`2024-04-01T10:30:00+09:00`); 接種方法 as its Japanese name (皮下注射 …).

use std::io::{self, Write};

use sesshu_domain::MunicipalityCode;
use sesshu_domain::id::{MunicipalBusinessId, SubjectNo};
use sesshu_domain::person_input::format_date;
use sesshu_domain::record::{ImplementationCategory, VaccinationRecord};
use time::UtcOffset;
use time::format_description::well_known::Rfc3339;

use crate::csv_out::CsvWriter;
use crate::encoding::TextEncoding;

/// The columns, in order.
pub const HEADER: [&str; 32] = [
    "自治体コード",
    "自治体業務ID",
    "予防接種対象者番号",
    "予防接種記録ID",
    "予防接種管理ID",
    "ワクチン種類コード",
    "予防接種名",
    "接種日",
    "接種区分",
    "実施区分",
    "接種同意",
    "医療機関コード",
    "医師名",
    "実施場所",
    "GTINコード",
    "ワクチンメーカー名",
    "ワクチン一般名",
    "ワクチン通称",
    "ワクチン販売名",
    "ロット番号",
    "接種量(mL)",
    "接種部位",
    "接種方法",
    "ワクチン有効期限",
    "要注意接種",
    "特別の事情",
    "海外接種",
    "接種対象者区分",
    "減免区分",
    "最新フラグ",
    "削除フラグ",
    "更新日時",
];

/// One record with the keys that tie it to the person in the health-management system.
#[derive(Debug, Clone, Copy)]
pub struct RecordExportRow<'a> {
    pub municipality_code: &'a MunicipalityCode,
    pub municipal_business_id: &'a MunicipalBusinessId,
    pub subject_no: &'a SubjectNo,
    pub record: &'a VaccinationRecord,
}

/// Writes the records export.
pub struct RecordsExportWriter<W: Write> {
    csv: CsvWriter<W>,
    rows: u64,
}

impl<W: Write> RecordsExportWriter<W> {
    /// Starts an export in `encoding` and writes the header.
    pub fn new(out: W, encoding: TextEncoding) -> io::Result<Self> {
        let mut csv = CsvWriter::new(out, encoding);
        csv.write_record(HEADER)?;
        Ok(Self { csv, rows: 0 })
    }

    /// Writes one record.
    pub fn write(&mut self, row: &RecordExportRow<'_>) -> io::Result<()> {
        let r = row.record;
        let flag = |on: bool| if on { "1" } else { "0" };
        let category = match r.category {
            ImplementationCategory::Routine => "1",
            ImplementationCategory::Voluntary => "2",
        };
        let jst = UtcOffset::from_hms(9, 0, 0).unwrap_or(UtcOffset::UTC);
        let updated_at = r
            .updated_at
            .to_offset(jst)
            .format(&Rfc3339)
            .map_err(io::Error::other)?;
        let fields: [String; 32] = [
            row.municipality_code.as_str().to_owned(),
            row.municipal_business_id.as_str().to_owned(),
            row.subject_no.as_str().to_owned(),
            r.record_id.as_str().to_owned(),
            r.vaccination_management_id.as_str().to_owned(),
            r.vaccination_kind.code().to_owned(),
            r.vaccination_name(),
            format_date(r.vaccinated_on),
            r.dose_number.to_string(),
            category.to_owned(),
            flag(r.consent).to_owned(),
            r.institution_code.as_str().to_owned(),
            r.doctor_name.clone(),
            r.place.clone(),
            r.gtin
                .as_ref()
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default(),
            r.maker.clone(),
            r.vaccine_generic_name.clone(),
            r.vaccine_common_name.clone(),
            r.vaccine_brand_name.clone(),
            r.lot_number.clone(),
            r.dose_amount_ml.to_string(),
            r.site.clone(),
            r.route.name_ja().to_owned(),
            r.vaccine_expiry.map(format_date).unwrap_or_default(),
            flag(r.caution).to_owned(),
            r.special_circumstances.clone().unwrap_or_default(),
            flag(r.overseas).to_owned(),
            r.subject_category.code().to_string(),
            r.fee_exemption.code().to_string(),
            flag(r.latest).to_owned(),
            flag(r.deleted).to_owned(),
            updated_at,
        ];
        self.csv.write_record(&fields)?;
        self.rows += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Characters written as 〓 (CP932 only).
    pub fn replaced_chars(&self) -> u64 {
        self.csv.replaced_chars()
    }

    /// Hands over what was written so far; see [`CsvWriter::take_output`].
    pub fn take_output(&mut self) -> io::Result<W>
    where
        W: Default,
    {
        self.csv.take_output()
    }

    /// Flushes and returns the inner writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.finish()
    }
}
