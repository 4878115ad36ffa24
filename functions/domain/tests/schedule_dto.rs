//! The schedule's wire shapes, as the API and the app will read them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use serde_json::json;
use sesshu_domain::person::Sex;
use sesshu_domain::schedule::{Dose, Reason, Schedule, SeriesStatus, Subject, Verdict, evaluate};
use time::macros::date;

#[test]
fn a_reason_serialises_with_its_words_in_japanese_and_english() {
    let value = serde_json::to_value(Reason::IntervalNotMet).unwrap();
    assert_eq!(value["code"], "interval_not_met");
    assert_eq!(value["ja"], Reason::IntervalNotMet.ja());
    assert_eq!(value["en"], Reason::IntervalNotMet.en());
    assert_eq!(
        serde_json::from_value::<Reason>(value).unwrap(),
        Reason::IntervalNotMet
    );
    assert!(serde_json::from_value::<Reason>(json!({"code": "nope"})).is_err());
}

#[test]
fn reasons_have_unique_codes_and_carry_no_dates() {
    let codes: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), Reason::ALL.len());
    for reason in Reason::ALL {
        assert!(!reason.ja().is_empty() && !reason.en().is_empty());
        for text in [reason.ja(), reason.en()] {
            // The only number a reason may name is the fixed 27 days of the live interval.
            let rest = text.replace("27", "");
            assert!(!rest.chars().any(|c| c.is_ascii_digit()), "{text}");
        }
        assert_eq!(Reason::from_code(reason.code()), Some(*reason));
    }
}

#[test]
fn a_dose_is_a_date_with_a_product_or_a_vaccine() {
    let by_vaccine: Dose =
        serde_json::from_value(json!({"date": "2026-04-01", "vaccine": "hib"})).unwrap();
    assert_eq!(by_vaccine, Dose::vaccine(date!(2026 - 04 - 01), "hib"));
    let by_product: Dose =
        serde_json::from_value(json!({"date": "2026-04-01", "product": "14912345000016"})).unwrap();
    assert_eq!(
        serde_json::to_value(&by_product).unwrap()["product"],
        "14912345000016"
    );
    assert!(
        serde_json::from_value::<Dose>(json!({"date": "2026-04-01", "product": "14912345000017"}))
            .is_err()
    );
}

#[test]
fn a_series_status_reads_as_the_api_will_show_it() {
    let schedule = Schedule::routine().unwrap();
    let child = Subject::new(date!(2025 - 06 - 15), Sex::Male);
    let statuses = evaluate(schedule, &child, &[], date!(2025 - 08 - 13)).unwrap();
    let five = statuses.iter().find(|s| s.series == "dpt_ipv_hib").unwrap();
    let value = serde_json::to_value(five).unwrap();
    assert_eq!(value["series"], "dpt_ipv_hib");
    assert_eq!(value["kind"], "dpt_ipv_hib");
    assert_eq!(value["stage"], 1);
    assert_eq!(value["category"], "a");
    assert_eq!(
        value["status"],
        json!({"code": "upcoming", "opens_on": "2025-08-14"})
    );
    assert_eq!(value["reason"]["code"], "not_yet_eligible");
    assert_eq!(value["next_dose"]["earliest"], "2025-08-14");
    assert_eq!(value["next_dose"]["latest"], "2032-12-14");
    assert_eq!(value["next_dose"]["label_ja"], "第1期初回1回目");
    let back: SeriesStatus = serde_json::from_value(value).unwrap();
    assert_eq!(&back, five);
    // The answer describes the series, not the person: these fields and no others.
    let keys: BTreeSet<String> = serde_json::to_value(five)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let expected = [
        "series",
        "kind",
        "stage",
        "category",
        "plan",
        "status",
        "reason",
        "doses_counted",
        "doses_required",
        "next_dose",
    ];
    assert_eq!(keys, expected.iter().map(|k| (*k).to_owned()).collect());
}

#[test]
fn a_verdict_round_trips() {
    let schedule = Schedule::routine().unwrap();
    let child = Subject::new(date!(2025 - 06 - 15), Sex::Male);
    let verdict = sesshu_domain::schedule::check_proposed(
        schedule,
        &child,
        &[],
        &sesshu_domain::schedule::Given::Vaccine("dpt_ipv_hib".into()),
        date!(2025 - 08 - 14),
    )
    .unwrap();
    assert!(verdict.allowed);
    let json = serde_json::to_string(&verdict).unwrap();
    assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), verdict);
}
