//! Properties of the schedule engine over random persons and histories: determinism, order
//! independence, ordered next-dose dates, and completed series staying complete.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use sesshu_domain::person::Sex;
use sesshu_domain::schedule::{Dose, Given, Schedule, SeriesStatus, Status, Subject, evaluate};
use time::{Date, Duration, macros::date};

fn schedule() -> &'static Schedule {
    Schedule::routine().unwrap()
}

fn vaccine_ids() -> Vec<String> {
    schedule()
        .vaccines()
        .iter()
        .map(|v| v.id.to_string())
        .collect()
}

/// A person, a history of doses in runs of the same vaccine (so multi-dose series do complete
/// sometimes), and an evaluation date after the last dose.
#[derive(Debug, Clone)]
struct Scenario {
    person: Subject,
    history: Vec<Dose>,
    on: Date,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let count = vaccine_ids().len();
    (
        0i64..(100 * 365),                                             // birth: 1930..2030
        any::<bool>(),                                                 // sex
        any::<bool>(),                                                 // high risk
        0i64..(80 * 365),                                              // first dose offset
        prop::collection::vec((0..count, 1usize..4, 0i64..400), 0..6), // runs: vaccine, doses, gap
        0i64..(3 * 365),                                               // on: after the last dose
    )
        .prop_map(move |(birth, male, high_risk, start, runs, tail)| {
            let birth_date = date!(1930 - 01 - 01) + Duration::days(birth);
            let ids = vaccine_ids();
            let mut day = birth_date + Duration::days(start % (70 * 365));
            let mut history = Vec::new();
            for (vaccine, doses, gap) in runs {
                for _ in 0..doses {
                    history.push(Dose::vaccine(day, &ids[vaccine]));
                    day += Duration::days(gap);
                }
            }
            let last = history.last().map_or(birth_date, |d| d.date);
            Scenario {
                person: Subject {
                    birth_date,
                    sex: if male { Sex::Male } else { Sex::Female },
                    high_risk_60_to_64: high_risk,
                },
                history,
                on: last + Duration::days(tail),
            }
        })
}

fn run(s: &Scenario, history: &[Dose]) -> Vec<SeriesStatus> {
    evaluate(schedule(), &s.person, history, s.on).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn evaluation_is_deterministic_and_independent_of_record_order(s in scenario(), seed in any::<u64>()) {
        let first = run(&s, &s.history);
        prop_assert_eq!(&first, &run(&s, &s.history));
        let mut shuffled = s.history.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&first, &run(&s, &shuffled));
    }

    #[test]
    fn the_recommended_date_lies_between_the_earliest_and_the_latest(s in scenario()) {
        for status in run(&s, &s.history) {
            if let Some(next) = &status.next_dose {
                prop_assert!(next.earliest <= next.recommended, "{}: {:?}", status.series, next);
                if let Some(latest) = next.latest {
                    prop_assert!(next.recommended <= latest, "{}: {:?}", status.series, next);
                    prop_assert!(next.earliest <= latest, "{}: {:?}", status.series, next);
                }
            }
            if let Status::Upcoming { opens_on } = status.status {
                prop_assert!(opens_on > s.on, "{}: upcoming but open", status.series);
            }
        }
    }

    #[test]
    fn more_history_never_makes_a_completed_series_incomplete(
        s in scenario(),
        extra in prop::collection::vec((0..vaccine_ids().len(), 0i64..200), 1..4),
    ) {
        let before = run(&s, &s.history);
        let ids = vaccine_ids();
        let mut history = s.history.clone();
        let mut day = history.last().map_or(s.person.birth_date, |d| d.date);
        for (vaccine, gap) in extra {
            day = (day + Duration::days(gap)).min(s.on);
            history.push(Dose::vaccine(day, &ids[vaccine]));
        }
        let after = run(&s, &history);
        for (b, a) in before.iter().zip(&after) {
            if b.status == Status::Complete {
                prop_assert_eq!(a.status, Status::Complete, "{} became {:?}", b.series, a.status);
            }
        }
    }

    #[test]
    fn every_status_serialises_and_reads_back(s in scenario()) {
        for status in run(&s, &s.history) {
            let json = serde_json::to_string(&status).unwrap();
            prop_assert_eq!(serde_json::from_str::<SeriesStatus>(&json).unwrap(), status);
        }
    }
}

#[test]
fn a_history_dose_recorded_after_the_evaluation_date_is_not_counted_yet() {
    let person = Subject::new(date!(2025 - 01 - 15), Sex::Male);
    let history = [Dose::vaccine(date!(2026 - 02 - 01), "bcg")];
    let on = date!(2025 - 07 - 01);
    let bcg = evaluate(schedule(), &person, &history, on)
        .unwrap()
        .into_iter()
        .find(|s| s.series == "bcg")
        .unwrap();
    assert_eq!(bcg.doses_counted, 0);
    assert_ne!(bcg.status, Status::Complete);
}

#[test]
fn an_unknown_product_in_the_history_is_an_error_naming_its_position_only() {
    let person = Subject::new(date!(2025 - 01 - 15), Sex::Male);
    let unknown = sesshu_domain::Gtin::from_body("1491234599999").unwrap();
    let history = [
        Dose::vaccine(date!(2025 - 03 - 14), "bcg"),
        Dose {
            date: date!(2025 - 03 - 14),
            given: Given::Product(unknown.clone()),
        },
    ];
    let err = evaluate(schedule(), &person, &history, date!(2025 - 04 - 01)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("entry 1"), "{text}");
    assert!(!text.contains(unknown.as_str()), "{text}");
    assert!(!text.contains("2025"), "{text}");
}

/// The properties above are only worth something if the generated histories complete series
/// and reach every status; this checks the generator does.
#[test]
fn the_generated_scenarios_reach_completed_series_and_every_status() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..600 {
        let s = scenario().new_tree(&mut runner).unwrap().current();
        for status in run(&s, &s.history) {
            *seen.entry(status.status.code()).or_insert(0) += 1;
        }
    }
    for code in [
        "complete",
        "due_now",
        "upcoming",
        "overdue",
        "too_early",
        "past_eligibility",
        "interval_not_met",
        "not_applicable",
    ] {
        assert!(
            seen.get(code).copied().unwrap_or(0) > 0,
            "no {code} in {seen:?}"
        );
    }
    assert!(seen["complete"] >= 50, "too few completed series: {seen:?}");
}
