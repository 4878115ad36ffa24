//! Vaccination records: exact dose amounts, validation on deserialize, and the DTO conversions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use proptest::prelude::*;
use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::id::{RecordId, VaccinationManagementId};
use sesshu_domain::person::{FeeExemption, SubjectCategory};
use sesshu_domain::record::{
    DoseAmount, DoseAmountError, ImplementationCategory, RecordError, Route, VaccinationKind,
    VaccinationRecord,
};
use sesshu_domain::{Gtin, InstitutionCode};
use time::macros::{date, datetime};

fn sample_record() -> VaccinationRecord {
    VaccinationRecord {
        record_id: RecordId::from_u64(0x0123_4567_89ab_cdef),
        vaccination_management_id: VaccinationManagementId::parse("mr-1").unwrap(),
        vaccination_kind: VaccinationKind::Mr,
        vaccinated_on: date!(2024 - 05 - 10),
        consent: true,
        institution_code: InstitutionCode::parse("0110113719").unwrap(),
        doctor_name: "佐藤　一郎".to_owned(),
        place: "さくら小児科クリニック".to_owned(),
        category: ImplementationCategory::Routine,
        dose_number: 1,
        gtin: Some(Gtin::parse("4901234567894").unwrap()),
        maker: "阪大微研".to_owned(),
        vaccine_generic_name: "乾燥弱毒生麻しん風しん混合ワクチン".to_owned(),
        vaccine_common_name: "MRワクチン".to_owned(),
        vaccine_brand_name: "ミールビック".to_owned(),
        lot_number: "MR123A".to_owned(),
        dose_amount_ml: DoseAmount::parse("0.5").unwrap(),
        site: "左上腕".to_owned(),
        route: Route::Subcutaneous,
        vaccine_expiry: Some(date!(2025 - 03 - 31)),
        caution: false,
        special_circumstances: None,
        overseas: false,
        updated_at: datetime!(2024-05-10 10:30 +09:00),
        latest: true,
        deleted: false,
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
    }
}

fn chiyoda() -> MunicipalityRef {
    MunicipalityRef {
        code: "131016".to_owned(),
        name_ja: "千代田区".to_owned(),
        name_en: "Chiyoda City".to_owned(),
    }
}

proptest! {
    #[test]
    fn dose_amount_round_trips_through_text_and_json(centi in 1u32..=1000) {
        let amount = DoseAmount::from_centi_ml(centi).unwrap();
        prop_assert_eq!(DoseAmount::parse(&amount.to_string()).unwrap(), amount);
        let json = serde_json::to_string(&amount).unwrap();
        prop_assert_eq!(serde_json::from_str::<DoseAmount>(&json).unwrap(), amount);
    }

    #[test]
    fn record_id_round_trips(bits in any::<u64>()) {
        let id = RecordId::from_u64(bits);
        prop_assert_eq!(RecordId::parse(id.as_str()).unwrap(), id.clone());
        prop_assert_eq!(serde_json::from_str::<RecordId>(&serde_json::to_string(&id).unwrap()).unwrap(), id);
    }
}

#[test]
fn dose_amount_parses_package_insert_notation_exactly() {
    for (text, centi, shown) in [
        ("0.5", 50, "0.5"),
        ("0.50", 50, "0.5"),
        ("0.25", 25, "0.25"),
        ("0.05", 5, "0.05"),
        ("1", 100, "1"),
        ("1.0", 100, "1"),
        ("1.5", 150, "1.5"),
    ] {
        let amount = DoseAmount::parse(text).unwrap();
        assert_eq!(amount.centi_ml(), centi, "{text}");
        assert_eq!(amount.to_string(), shown, "{text}");
    }
}

#[test]
fn dose_amount_rejects_malformed_zero_and_implausible_values() {
    for text in [
        "", ".5", "1.", "0.505", "-1", "abc", "０.５", "1,5", "0.5mL", " 0.5",
    ] {
        assert_eq!(
            DoseAmount::parse(text),
            Err(DoseAmountError::Malformed),
            "{text:?}"
        );
    }
    assert_eq!(DoseAmount::parse("0.00"), Err(DoseAmountError::Zero));
    assert_eq!(DoseAmount::parse("10.01"), Err(DoseAmountError::TooLarge));
    assert!(DoseAmount::parse("10").is_ok());
}

#[test]
fn record_round_trips_through_json_with_text_dose_amount() {
    let record = sample_record();
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains("\"dose_amount_ml\":\"0.5\""), "{json}");
    assert!(json.contains("\"vaccination_kind\":\"mr\""), "{json}");
    assert_eq!(
        serde_json::from_str::<VaccinationRecord>(&json).unwrap(),
        record
    );
}

#[test]
fn record_json_with_dose_number_out_of_range_is_rejected() {
    let json = serde_json::to_string(&sample_record()).unwrap();
    for bad in ["0", "10"] {
        let changed = json.replace("\"dose_number\":1", &format!("\"dose_number\":{bad}"));
        assert_ne!(changed, json);
        assert!(serde_json::from_str::<VaccinationRecord>(&changed).is_err());
    }
}

#[test]
fn record_json_with_a_bad_institution_code_is_rejected() {
    let json = serde_json::to_string(&sample_record())
        .unwrap()
        .replace("0110113719", "0110113718");
    assert!(serde_json::from_str::<VaccinationRecord>(&json).is_err());
}

#[test]
fn validate_names_the_empty_or_over_long_field() {
    assert_eq!(sample_record().validate(), Ok(()));
    let mut record = sample_record();
    record.lot_number = "  ".to_owned();
    assert_eq!(
        record.validate(),
        Err(RecordError::EmptyField {
            field: "lot_number"
        })
    );
    let mut record = sample_record();
    record.special_circumstances = Some("あ".repeat(201));
    assert!(matches!(
        record.validate(),
        Err(RecordError::FieldTooLong {
            field: "special_circumstances",
            ..
        })
    ));
    let mut record = sample_record();
    record.dose_number = 0;
    assert_eq!(record.validate(), Err(RecordError::DoseNumberOutOfRange));
}

#[test]
fn summary_carries_the_stage_name_and_brand() {
    let summary = sample_record().to_summary("131016-0123456789abcdef".to_owned(), chiyoda());
    assert_eq!(summary.id, "131016-0123456789abcdef");
    assert_eq!(summary.vaccination_name, "麻しん風しん混合 (MR) 第1期");
    assert_eq!(summary.vaccine_name, "ミールビック");
    assert_eq!(summary.dose_number, 1);
    assert_eq!(summary.vaccinated_on, date!(2024 - 05 - 10));
    assert_eq!(summary.municipality, chiyoda());
}

#[test]
fn detail_carries_every_resident_visible_field() {
    let detail = sample_record().to_detail("x".to_owned(), chiyoda());
    assert_eq!(detail.category, "routine");
    assert_eq!(detail.dose_amount_ml, "0.5");
    assert_eq!(detail.route, "皮下注射");
    assert_eq!(detail.institution_code, "0110113719");
    assert_eq!(detail.lot_number, "MR123A");
    assert_eq!(detail.vaccine_expiry, Some(date!(2025 - 03 - 31)));
    assert_eq!(detail.maker, "阪大微研");
    assert_eq!(detail.site, "左上腕");
    assert_eq!(detail.doctor_name, "佐藤　一郎");
    assert!(!detail.overseas);
}

#[test]
fn vaccination_kinds_have_unique_codes_and_names_in_both_languages() {
    let codes: HashSet<_> = VaccinationKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(codes.len(), VaccinationKind::ALL.len());
    for kind in VaccinationKind::ALL {
        assert_eq!(VaccinationKind::from_code(kind.code()), Some(kind));
        // The serde name is the code, so stored records and the table agree.
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.code())
        );
        assert!(!kind.name_ja().is_empty() && kind.name_en().is_ascii());
    }
    assert_eq!(VaccinationKind::from_code("smallpox"), None);
}

#[test]
fn staged_vaccinations_name_their_stage() {
    assert_eq!(
        VaccinationKind::JapaneseEncephalitis.display_name_ja(4),
        "日本脳炎 第2期"
    );
    assert_eq!(
        VaccinationKind::Mr.display_name_en(2),
        "Measles-rubella (MR), stage 2"
    );
    assert_eq!(
        VaccinationKind::Hpv.display_name_ja(2),
        VaccinationKind::Hpv.name_ja()
    );
}
