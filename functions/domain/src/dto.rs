//! Wire types of the HTTP API, shared by the backend (serializes) and the app (deserializes).
//! They carry only what a surface may see: never My Number on resident or clinic DTOs.

use serde::{Deserialize, Serialize};
use time::Date;

/// Every API error body: a stable machine code and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// e.g. `not_found`, `unauthenticated`, `invalid_request`, `internal`
    pub code: String,
    pub message: String,
}

/// A municipality as residents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityRef {
    /// 6-digit 全国地方公共団体コード
    pub code: String,
    /// e.g. 千代田区
    pub name_ja: String,
    /// e.g. Chiyoda City
    pub name_en: String,
}

/// One vaccination in the resident's list (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordSummary {
    /// Opaque id for `/api/resident/records/{id}`.
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::iso_date")]
    pub vaccinated_on: Date,
    /// What was vaccinated against, e.g. 麻しん風しん (MR) 第1期.
    pub vaccination_name: String,
    /// The same in English, e.g. Measles-rubella (MR), stage 1.
    pub vaccination_name_en: String,
    /// 接種区分, e.g. "1回目" / "dose 1"
    pub dose_number: u8,
    /// ワクチン販売名
    pub vaccine_name: String,
    pub municipality: MunicipalityRef,
}

/// One vaccination in full, as the resident may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordDetail {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::iso_date")]
    pub vaccinated_on: Date,
    pub vaccination_name: String,
    /// The same in English.
    pub vaccination_name_en: String,
    pub dose_number: u8,
    /// 実施区分: `routine` (定期) or `voluntary` (任意)
    pub category: String,
    pub vaccine_name: String,
    pub vaccine_generic_name: String,
    pub maker: String,
    pub lot_number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    #[serde(with = "crate::iso_date::option")]
    pub vaccine_expiry: Option<Date>,
    /// e.g. 0.5 (mL), as text to keep the unit exact
    pub dose_amount_ml: String,
    /// 接種部位, e.g. 左上腕
    pub site: String,
    /// 接種方法, e.g. 皮下注射
    pub route: String,
    /// 10-digit 医療機関コード
    pub institution_code: String,
    /// 実施場所 (the clinic)
    pub place: String,
    pub doctor_name: String,
    pub overseas: bool,
    pub municipality: MunicipalityRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordList {
    pub records: Vec<RecordSummary>,
}

/// The signed-in resident's session, for the app's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResidentSession {
    /// Seconds until the session ends.
    pub expires_in_s: u64,
    /// The municipalities that hold records of this resident.
    pub municipalities: Vec<MunicipalityRef>,
}
