//! A municipality's 任意接種 added by a second data file in the same format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sesshu_domain::person::Sex;
use sesshu_domain::schedule::{
    Dose, Given, Reason, Schedule, ScheduleError, SeriesCategory, Status, Subject, check_proposed,
    evaluate,
};
use time::macros::date;

const EXAMPLE: &str = include_str!("../data/schedule/municipal-example.toml");
const NAME: &str = "data/schedule/municipal-example.toml";

fn schedule() -> Schedule {
    Schedule::routine_with(NAME, EXAMPLE).unwrap()
}

#[test]
fn the_supplement_adds_its_series_after_the_routine_ones() {
    let schedule = schedule();
    let ids: Vec<String> = schedule.series().map(|s| s.id.to_string()).collect();
    let routine = Schedule::routine().unwrap().series().count();
    assert_eq!(ids.len(), routine + 2);
    assert_eq!(&ids[routine..], ["mumps", "hpv_male"]);
    assert_eq!(schedule.files().len(), 2);
    let mumps = schedule.series().find(|s| s.id == "mumps").unwrap();
    assert_eq!(mumps.category, SeriesCategory::Voluntary);
    assert_eq!(mumps.kind, None);
}

#[test]
fn a_voluntary_series_is_evaluated_like_a_routine_one() {
    let schedule = schedule();
    let child = Subject::new(date!(2024 - 05 - 20), Sex::Female);
    let first = date!(2025 - 05 - 19); // 生後12月
    let statuses = evaluate(
        &schedule,
        &child,
        &[Dose::vaccine(first, "mumps")],
        date!(2025 - 07 - 01),
    )
    .unwrap();
    let mumps = statuses.iter().find(|s| s.series == "mumps").unwrap();
    assert_eq!(mumps.category, SeriesCategory::Voluntary);
    assert_eq!(mumps.doses_counted, 1);
    assert_eq!(
        mumps.status,
        Status::Upcoming {
            opens_on: date!(2028 - 05 - 19)
        }
    );
}

#[test]
fn the_live_vaccine_interval_applies_between_a_voluntary_and_a_routine_live_vaccine() {
    let schedule = schedule();
    let child = Subject::new(date!(2024 - 05 - 20), Sex::Male);
    let history = [Dose::vaccine(date!(2025 - 05 - 19), "mr")];
    let too_soon = check_proposed(
        &schedule,
        &child,
        &history,
        &Given::Vaccine("mumps".into()),
        date!(2025 - 06 - 15),
    )
    .unwrap();
    assert!(!too_soon.allowed);
    assert!(too_soon.has(Reason::LiveVaccineInterval));
    let four_weeks = check_proposed(
        &schedule,
        &child,
        &history,
        &Given::Vaccine("mumps".into()),
        date!(2025 - 06 - 16),
    )
    .unwrap();
    assert!(four_weeks.allowed, "{four_weeks:?}");
    let same_day = check_proposed(
        &schedule,
        &child,
        &history,
        &Given::Vaccine("mumps".into()),
        date!(2025 - 05 - 19),
    )
    .unwrap();
    assert!(same_day.allowed, "{same_day:?}");
}

#[test]
fn a_supplement_may_use_the_routine_vaccines_for_another_group() {
    let schedule = schedule();
    let boy = Subject::new(date!(2013 - 06 - 01), Sex::Male);
    let statuses = evaluate(&schedule, &boy, &[], date!(2026 - 06 - 01)).unwrap();
    let routine = statuses.iter().find(|s| s.series == "hpv").unwrap();
    let voluntary = statuses.iter().find(|s| s.series == "hpv_male").unwrap();
    assert_eq!(routine.status, Status::NotApplicable);
    assert_eq!(voluntary.status, Status::DueNow);
    let gardasil = Given::Product(sesshu_domain::Gtin::parse("14912345000207").unwrap());
    assert!(
        check_proposed(&schedule, &boy, &[], &gardasil, date!(2026 - 06 - 01))
            .unwrap()
            .allowed
    );
    let nonavalent = Given::Vaccine("hpv9".into());
    assert!(
        !check_proposed(&schedule, &boy, &[], &nonavalent, date!(2026 - 06 - 01))
            .unwrap()
            .allowed
    );
}

#[test]
fn a_supplement_may_not_redefine_a_routine_id_or_gtin() {
    let clash = EXAMPLE.replace(
        "id = \"mumps\"\nname_ja = \"乾燥",
        "id = \"mr\"\nname_ja = \"乾燥",
    );
    let err = Schedule::routine_with(NAME, &clash).unwrap_err();
    assert!(
        matches!(&err, ScheduleError::Invalid { file, problem, .. } if file == NAME && problem.contains("duplicate vaccine")),
        "{err}"
    );
    let gtin_clash = EXAMPLE.replace("14912345000313", "14912345000146");
    let err = Schedule::routine_with(NAME, &gtin_clash).unwrap_err();
    assert!(err.to_string().contains("duplicate GTIN"), "{err}");
}
