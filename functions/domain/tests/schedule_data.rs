//! The shipped schedule data: it parses (a parse error fails here), covers every routine
//! vaccination, names its sources, and marks invented GTINs as samples.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use sesshu_domain::record::VaccinationKind;
use sesshu_domain::schedule::{Period, ROUTINE_TOML, Schedule, ScheduleError, SeriesCategory};
use time::macros::date;

#[test]
fn the_shipped_routine_schedule_parses_and_states_its_date_and_legal_basis() {
    let schedule = Schedule::routine().expect("data/schedule/routine.toml must parse");
    let file = &schedule.files()[0];
    assert_eq!(file.as_of, date!(2026 - 04 - 01));
    assert!(file.legal_basis.contains("予防接種法施行令"));
    assert!(file.legal_basis.contains("定期接種実施要領"));
    assert_eq!(schedule.live_interval(), Period::Days(27));
}

#[test]
fn every_vaccination_kind_has_a_series_and_every_series_a_source() {
    let schedule = Schedule::routine().unwrap();
    let kinds: BTreeSet<VaccinationKind> = schedule.series().filter_map(|s| s.kind).collect();
    for kind in VaccinationKind::ALL {
        assert!(kinds.contains(&kind), "no series for {kind}");
    }
    for series in schedule.series() {
        assert!(
            series.source.contains("予防接種法") || series.source.contains("実施要領"),
            "{}",
            series.id
        );
        assert_ne!(series.category, SeriesCategory::Voluntary, "{}", series.id);
    }
    let b: Vec<_> = schedule
        .series()
        .filter(|s| s.category == SeriesCategory::B)
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(
        b,
        [
            "influenza_elderly",
            "pneumococcal_elderly",
            "herpes_zoster",
            "covid19"
        ]
    );
}

#[test]
fn stages_follow_the_record_numbering() {
    let schedule = Schedule::routine().unwrap();
    let stage = |id: &str| schedule.series().find(|s| s.id == id).unwrap().stage;
    assert_eq!(stage("mr_1"), VaccinationKind::Mr.stage(1));
    assert_eq!(stage("mr_2"), VaccinationKind::Mr.stage(2));
    assert_eq!(
        stage("japanese_encephalitis_1"),
        VaccinationKind::JapaneseEncephalitis.stage(1)
    );
    assert_eq!(
        stage("japanese_encephalitis_2"),
        VaccinationKind::JapaneseEncephalitis.stage(4)
    );
    assert_eq!(stage("dt"), VaccinationKind::Dt.stage(1));
}

#[test]
fn every_vaccine_has_a_product_and_products_map_many_to_one() {
    let schedule = Schedule::routine().unwrap();
    for vaccine in schedule.vaccines() {
        assert!(
            schedule.products().iter().any(|p| p.vaccine == vaccine.id),
            "no product for {}",
            vaccine.id
        );
    }
    let dpt_ipv = schedule
        .products()
        .iter()
        .filter(|p| p.vaccine == "dpt_ipv")
        .count();
    assert!(dpt_ipv > 1);
    // Every GTIN here is invented and says so.
    assert!(schedule.products().iter().all(|p| p.sample_gtin));
    let gtin = sesshu_domain::Gtin::parse("14912345000047").unwrap();
    assert_eq!(
        schedule.product(&gtin).unwrap().brand_ja,
        "プレベナー20水性懸濁注"
    );
}

#[test]
fn a_product_listed_as_gtin_13_is_found_by_its_gtin_14_form_too() {
    let jan = sesshu_domain::Gtin::from_body("491234500099").unwrap();
    let supplement = format!(
        "[meta]\nid = \"t\"\ntitle_ja = \"t\"\nas_of = \"2026-04-01\"\nlegal_basis = \"t\"\n\n\
         [[products]]\ngtin = \"{}\"\nvaccine = \"hib\"\nbrand_ja = \"t\"\nmaker_ja = \"t\"\n",
        jan.as_str()
    );
    let schedule = Schedule::routine_with("t.toml", &supplement).unwrap();
    let fourteen = sesshu_domain::Gtin::parse(&jan.as_gtin14()).unwrap();
    assert_eq!(schedule.product(&fourteen).unwrap().vaccine, "hib");
    assert_eq!(schedule.product(&jan).unwrap().vaccine, "hib");
}

#[test]
fn a_broken_file_is_an_error_naming_the_file_not_a_panic() {
    let broken = ROUTINE_TOML.replacen("[[series]]", "[[series]\n", 1);
    let err = Schedule::from_sources(&[("broken.toml", &broken)]).unwrap_err();
    assert!(
        matches!(&err, ScheduleError::Parse { file, .. } if file == "broken.toml"),
        "{err}"
    );
}

#[test]
fn unknown_fields_and_references_and_malformed_ages_are_refused() {
    for (from, to, expect) in [
        ("min = \"27d\"", "min = \"27 days\"", "interval"),
        ("from = \"2m\"", "from = \"2.5m\"", "age"),
        (
            "vaccines = [\"hib\", \"dpt_ipv_hib\"]",
            "vaccines = [\"hib\", \"nope\"]",
            "unknown vaccine id nope",
        ),
        (
            "follows = \"mr_1\"",
            "follows = \"covid19\"",
            "defined earlier",
        ),
        (
            "count_only_within_windows = true",
            "count_only_within_window = true",
            "unknown field",
        ),
        (
            "as_of = \"2026-04-01\"",
            "as_of = \"2026-04-31\"",
            "YYYY-MM-DD",
        ),
        (
            "gtin = \"14912345000016\"",
            "gtin = \"14912345000017\"",
            "check digit",
        ),
    ] {
        assert!(ROUTINE_TOML.contains(from), "{from}");
        let text = ROUTINE_TOML.replacen(from, to, 1);
        let err = Schedule::from_sources(&[("edited.toml", &text)]).unwrap_err();
        assert!(err.to_string().contains(expect), "{from} -> {to}: {err}");
    }
}
