//! The vaccination record (予防接種記録, seed items 38–60) and the routine vaccinations it
//! refers to, with conversions into the resident DTOs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use time::{Date, OffsetDateTime};

use crate::dto::{MunicipalityRef, RecordDetail, RecordSummary};
use crate::id::{Gtin, InstitutionCode, RecordId, VaccinationManagementId};
use crate::person::{FeeExemption, SubjectCategory};

/// Which vaccination a record is for, with the names residents read.
///
/// Covers the routine vaccinations (定期接種) of the 予防接種法 A類 (children, HPV) and B類
/// (older people), plus COVID-19. The serde names are stable codes (`mr`, `hpv`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VaccinationKind {
    Hib,
    PneumococcalChild,
    HepatitisB,
    /// 五種混合 (DPT-IPV-Hib), routine since April 2024.
    DptIpvHib,
    /// 四種混合 (DPT-IPV).
    DptIpv,
    /// 二種混合 (DT), the second stage of diphtheria-tetanus at 11–12.
    Dt,
    Bcg,
    Mr,
    Varicella,
    JapaneseEncephalitis,
    Hpv,
    Rotavirus,
    InfluenzaElderly,
    PneumococcalElderly,
    HerpesZoster,
    Covid19,
}

impl VaccinationKind {
    /// Every kind, in the order the schedule lists them.
    pub const ALL: [Self; 16] = [
        Self::Hib,
        Self::PneumococcalChild,
        Self::HepatitisB,
        Self::DptIpvHib,
        Self::DptIpv,
        Self::Dt,
        Self::Bcg,
        Self::Mr,
        Self::Varicella,
        Self::JapaneseEncephalitis,
        Self::Hpv,
        Self::Rotavirus,
        Self::InfluenzaElderly,
        Self::PneumococcalElderly,
        Self::HerpesZoster,
        Self::Covid19,
    ];

    /// The stable code (also the serde name), e.g. `mr`.
    pub fn code(self) -> &'static str {
        self.names().0
    }

    /// The Japanese name, e.g. 麻しん風しん混合 (MR).
    pub fn name_ja(self) -> &'static str {
        self.names().1
    }

    /// The English name, e.g. Measles-rubella (MR).
    pub fn name_en(self) -> &'static str {
        self.names().2
    }

    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Hib => ("hib", "ヒブ (Hib)", "Hib (Haemophilus influenzae type b)"),
            Self::PneumococcalChild => (
                "pneumococcal_child",
                "小児の肺炎球菌感染症",
                "Pneumococcal (children)",
            ),
            Self::HepatitisB => ("hepatitis_b", "B型肝炎", "Hepatitis B"),
            Self::DptIpvHib => (
                "dpt_ipv_hib",
                "五種混合 (DPT-IPV-Hib)",
                "5-in-1 (DTaP-IPV-Hib)",
            ),
            Self::DptIpv => ("dpt_ipv", "四種混合 (DPT-IPV)", "4-in-1 (DTaP-IPV)"),
            Self::Dt => ("dt", "二種混合 (DT)", "Diphtheria-tetanus (DT)"),
            Self::Bcg => ("bcg", "BCG", "BCG (tuberculosis)"),
            Self::Mr => ("mr", "麻しん風しん混合 (MR)", "Measles-rubella (MR)"),
            Self::Varicella => ("varicella", "水痘", "Varicella (chickenpox)"),
            Self::JapaneseEncephalitis => {
                ("japanese_encephalitis", "日本脳炎", "Japanese encephalitis")
            }
            Self::Hpv => (
                "hpv",
                "ヒトパピローマウイルス感染症 (HPV)",
                "Human papillomavirus (HPV)",
            ),
            Self::Rotavirus => ("rotavirus", "ロタウイルス感染症", "Rotavirus"),
            Self::InfluenzaElderly => (
                "influenza_elderly",
                "高齢者のインフルエンザ",
                "Influenza (older adults)",
            ),
            Self::PneumococcalElderly => (
                "pneumococcal_elderly",
                "高齢者の肺炎球菌感染症",
                "Pneumococcal (older adults)",
            ),
            Self::HerpesZoster => ("herpes_zoster", "帯状疱疹", "Herpes zoster (shingles)"),
            Self::Covid19 => ("covid19", "新型コロナウイルス感染症", "COVID-19"),
        }
    }

    /// The kind for a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The stage (期) a dose belongs to, for vaccinations the schedule divides into stages:
    /// MR 1期/2期; 日本脳炎 1期 (doses 1–3) and 2期 (dose 4); DPT-IPV(-Hib) 1期; DT 2期.
    pub fn stage(self, dose_number: u8) -> Option<u8> {
        match self {
            Self::Mr => Some(dose_number.min(2)),
            Self::JapaneseEncephalitis => Some(if dose_number <= 3 { 1 } else { 2 }),
            Self::DptIpv | Self::DptIpvHib => Some(1),
            Self::Dt => Some(2),
            _ => None,
        }
    }

    /// The Japanese name with the stage where there is one, e.g. 麻しん風しん混合 (MR) 第1期.
    pub fn display_name_ja(self, dose_number: u8) -> String {
        match self.stage(dose_number) {
            Some(stage) => format!("{} 第{stage}期", self.name_ja()),
            None => self.name_ja().to_owned(),
        }
    }

    /// The English name with the stage where there is one, e.g. Measles-rubella (MR), stage 1.
    pub fn display_name_en(self, dose_number: u8) -> String {
        match self.stage(dose_number) {
            Some(stage) => format!("{}, stage {stage}", self.name_en()),
            None => self.name_en().to_owned(),
        }
    }
}

impl fmt::Display for VaccinationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// 実施区分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImplementationCategory {
    /// 定期接種
    Routine,
    /// 任意接種
    Voluntary,
}

impl ImplementationCategory {
    /// The code the API uses: `routine` or `voluntary`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Routine => "routine",
            Self::Voluntary => "voluntary",
        }
    }
}

/// 接種方法.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// 皮下注射
    Subcutaneous,
    /// 筋肉内注射
    Intramuscular,
    /// 経口 (rotavirus)
    Oral,
    /// 経皮 (BCG, multiple puncture)
    Percutaneous,
    /// 皮内注射
    Intradermal,
    /// 経鼻
    Intranasal,
}

impl Route {
    /// The Japanese name, e.g. 皮下注射.
    pub fn name_ja(self) -> &'static str {
        match self {
            Self::Subcutaneous => "皮下注射",
            Self::Intramuscular => "筋肉内注射",
            Self::Oral => "経口",
            Self::Percutaneous => "経皮",
            Self::Intradermal => "皮内注射",
            Self::Intranasal => "経鼻",
        }
    }

    /// The English name, e.g. subcutaneous injection.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Subcutaneous => "subcutaneous injection",
            Self::Intramuscular => "intramuscular injection",
            Self::Oral => "oral",
            Self::Percutaneous => "percutaneous",
            Self::Intradermal => "intradermal injection",
            Self::Intranasal => "intranasal",
        }
    }
}

/// Why a dose amount text is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DoseAmountError {
    #[error("dose amount must be a decimal number of mL with at most 2 decimals, e.g. 0.5")]
    Malformed,
    #[error("dose amount must be more than 0 mL")]
    Zero,
    #[error("dose amount must be at most 10 mL; check the unit")]
    TooLarge,
}

/// 接種量 in hundredths of a millilitre, so 0.5 mL is exactly 50, never 0.49999….
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "0.5"))]
pub struct DoseAmount(u32);

impl DoseAmount {
    /// The largest plausible single dose; larger values are a unit mistake (µL, or mg).
    pub const MAX_CENTI_ML: u32 = 1_000;

    /// A dose of `centi_ml` hundredths of a millilitre (1..=1000).
    pub fn from_centi_ml(centi_ml: u32) -> Result<Self, DoseAmountError> {
        match centi_ml {
            0 => Err(DoseAmountError::Zero),
            n if n > Self::MAX_CENTI_ML => Err(DoseAmountError::TooLarge),
            n => Ok(Self(n)),
        }
    }

    /// Parses mL as written on the package insert: `0.5`, `0.25`, `1`, `1.0`.
    pub fn parse(s: &str) -> Result<Self, DoseAmountError> {
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 4
            || !all_digits(whole)
            || fraction.len() > 2
            || !all_digits(fraction)
            || (s.contains('.') && fraction.is_empty())
        {
            return Err(DoseAmountError::Malformed);
        }
        let whole: u32 = whole.parse().map_err(|_| DoseAmountError::Malformed)?;
        let hundredths = match fraction.len() {
            0 => 0,
            1 => {
                fraction
                    .parse::<u32>()
                    .map_err(|_| DoseAmountError::Malformed)?
                    * 10
            }
            _ => fraction
                .parse::<u32>()
                .map_err(|_| DoseAmountError::Malformed)?,
        };
        Self::from_centi_ml(whole * 100 + hundredths)
    }

    /// Hundredths of a millilitre.
    pub fn centi_ml(self) -> u32 {
        self.0
    }
}

/// The shortest exact decimal: `0.5`, `0.25`, `1`.
impl fmt::Display for DoseAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => write!(f, "{whole}"),
            h if h % 10 == 0 => write!(f, "{whole}.{}", h / 10),
            h => write!(f, "{whole}.{h:02}"),
        }
    }
}

impl FromStr for DoseAmount {
    type Err = DoseAmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for DoseAmount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DoseAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a record is not acceptable. Names the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("dose number (接種区分) must be 1-9")]
    DoseNumberOutOfRange,
    #[error("{field} is empty; fill it in")]
    EmptyField { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    FieldTooLong { field: &'static str, max: usize },
}

/// Longest accepted free-text field, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

fn dose_number<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = u8::deserialize(d)?;
    if (1..=9).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(RecordError::DoseNumberOutOfRange))
    }
}

/// 予防接種記録: one vaccination given (seed items 38–60).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaccinationRecord {
    /// 38. 予防接種記録ID
    pub record_id: RecordId,
    /// 39. 予防接種管理ID
    pub vaccination_management_id: VaccinationManagementId,
    /// What was vaccinated against (derived from 予防接種管理ID's setting, kept for display).
    pub vaccination_kind: VaccinationKind,
    /// 40. 接種日
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub vaccinated_on: Date,
    /// 41. 接種同意フラグ
    pub consent: bool,
    /// 42. 医療機関コード
    pub institution_code: InstitutionCode,
    /// 43. 医師名
    pub doctor_name: String,
    /// 44. 実施場所
    pub place: String,
    /// 45. 実施区分
    pub category: ImplementationCategory,
    /// 46. 接種区分: which dose of the series, 1–9.
    #[serde(deserialize_with = "dose_number")]
    pub dose_number: u8,
    /// 47. GTINコード, when scanned
    pub gtin: Option<Gtin>,
    /// 48. ワクチンメーカー名
    pub maker: String,
    /// 49. ワクチン一般名
    pub vaccine_generic_name: String,
    /// 49. ワクチン通称
    pub vaccine_common_name: String,
    /// 49. ワクチン販売名
    pub vaccine_brand_name: String,
    /// 50. ロット番号
    pub lot_number: String,
    /// 51. 接種量
    pub dose_amount_ml: DoseAmount,
    /// 52. 接種部位, e.g. 左上腕
    pub site: String,
    /// 53. 接種方法
    pub route: Route,
    /// 54. ワクチン有効期限
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub vaccine_expiry: Option<Date>,
    /// 55. 要注意接種フラグ
    pub caution: bool,
    /// 56. 特別の事情
    pub special_circumstances: Option<String>,
    /// 57. 海外接種フラグ
    pub overseas: bool,
    /// 58. 更新日時
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
    /// 59. 最新フラグ: false once a correction superseded this version.
    pub latest: bool,
    /// 59. 削除フラグ
    pub deleted: bool,
    /// 60. 接種対象者区分
    pub subject_category: SubjectCategory,
    /// 60. 減免区分
    pub fee_exemption: FeeExemption,
}

impl VaccinationRecord {
    /// Checks what the field types cannot: dose number range and the free-text fields
    /// (required ones non-empty, all at most [`MAX_TEXT_CHARS`]).
    pub fn validate(&self) -> Result<(), RecordError> {
        if !(1..=9).contains(&self.dose_number) {
            return Err(RecordError::DoseNumberOutOfRange);
        }
        let required = [
            ("doctor_name", &self.doctor_name),
            ("place", &self.place),
            ("maker", &self.maker),
            ("vaccine_generic_name", &self.vaccine_generic_name),
            ("vaccine_brand_name", &self.vaccine_brand_name),
            ("lot_number", &self.lot_number),
            ("site", &self.site),
        ];
        for (field, value) in required {
            if value.trim().is_empty() {
                return Err(RecordError::EmptyField { field });
            }
        }
        let optional = [
            ("vaccine_common_name", Some(&self.vaccine_common_name)),
            ("special_circumstances", self.special_circumstances.as_ref()),
        ];
        for (field, value) in required
            .into_iter()
            .map(|(f, v)| (f, Some(v)))
            .chain(optional)
        {
            if value.is_some_and(|v| v.chars().count() > MAX_TEXT_CHARS) {
                return Err(RecordError::FieldTooLong {
                    field,
                    max: MAX_TEXT_CHARS,
                });
            }
        }
        Ok(())
    }

    /// The Japanese name residents see in lists, with the stage, e.g. 麻しん風しん混合 (MR) 第1期.
    pub fn vaccination_name(&self) -> String {
        self.vaccination_kind.display_name_ja(self.dose_number)
    }

    /// The list entry for the resident; `id` is the public id the API hands out.
    pub fn to_summary(&self, id: String, municipality: MunicipalityRef) -> RecordSummary {
        RecordSummary {
            id,
            vaccinated_on: self.vaccinated_on,
            vaccination_name: self.vaccination_name(),
            vaccination_name_en: self.vaccination_kind.display_name_en(self.dose_number),
            dose_number: self.dose_number,
            vaccine_name: self.vaccine_brand_name.clone(),
            municipality,
        }
    }

    /// The full record as the resident may see it (no flags, no claim data).
    pub fn to_detail(&self, id: String, municipality: MunicipalityRef) -> RecordDetail {
        RecordDetail {
            id,
            vaccinated_on: self.vaccinated_on,
            vaccination_name: self.vaccination_name(),
            vaccination_name_en: self.vaccination_kind.display_name_en(self.dose_number),
            dose_number: self.dose_number,
            category: self.category.code().to_owned(),
            vaccine_name: self.vaccine_brand_name.clone(),
            vaccine_generic_name: self.vaccine_generic_name.clone(),
            maker: self.maker.clone(),
            lot_number: self.lot_number.clone(),
            vaccine_expiry: self.vaccine_expiry,
            dose_amount_ml: self.dose_amount_ml.to_string(),
            site: self.site.clone(),
            route: self.route.name_ja().to_owned(),
            institution_code: self.institution_code.as_str().to_owned(),
            place: self.place.clone(),
            doctor_name: self.doctor_name.clone(),
            overseas: self.overseas,
            municipality,
        }
    }
}
