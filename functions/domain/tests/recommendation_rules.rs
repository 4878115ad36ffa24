//! Recommendation rules: the shipped defaults, validation with every problem in both
//! languages, and the timing policy (when a rule fires, reminders, the quiet period).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sesshu_domain::recommendation::decide::{PastNotice, in_quiet_period, occasion};
use sesshu_domain::recommendation::{Rule, RuleSet, Trigger, validate};
use sesshu_domain::schedule::{
    Code, NextDose, Reason, Schedule, SeriesCategory, SeriesStatus, Status,
};
use time::macros::date;
use time::{Date, Duration};

fn schedule() -> &'static Schedule {
    Schedule::routine().unwrap()
}

fn defaults() -> RuleSet {
    RuleSet::defaults().unwrap()
}

fn codes(rules: &RuleSet) -> Vec<(String, String)> {
    validate(rules, schedule())
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn the_shipped_default_rules_are_valid_against_the_routine_schedule() {
    let rules = defaults();
    assert!(rules.rules.len() >= 3);
    assert_eq!(validate(&rules, schedule()), Vec::new());
}

#[test]
fn a_rule_set_with_problems_gets_every_problem_with_its_place_in_japanese_and_english() {
    let mut rules = defaults();
    let first = &mut rules.rules[0];
    first.texts.get_mut("ja").unwrap().body = "{vaccination}は{opens_at}から".into();
    first.texts.remove("en");
    first.series = vec!["mr_3".into()];
    rules.rules[1].id = rules.rules[2].id.clone();
    rules.rules[2].trigger = Trigger::Overdue {
        every_days: 1,
        max_times: 0,
    };
    rules.rules[3].texts.get_mut("en").unwrap().title = "Notice { for you".into();
    rules.contact.remove("en");

    let found = codes(&rules);
    for expected in [
        ("contact.en", "missing_language"),
        ("texts.ja.body", "unknown_placeholder"),
        ("texts.en", "missing_language"),
        ("series[0]", "unknown_series"),
        ("id", "duplicate_id"),
        ("trigger.every_days", "out_of_range"),
        ("trigger.max_times", "out_of_range"),
        ("texts.en.title", "unbalanced_brace"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {found:?}"
        );
    }
    for error in validate(&rules, schedule()) {
        assert!(!error.ja.is_empty() && !error.en.is_empty(), "{error}");
        // Messages say where and what to do, never the text itself.
        assert!(!error.ja.contains("opens_at") && !error.en.contains("opens_at"));
    }
    let placeholder = validate(&rules, schedule())
        .into_iter()
        .find(|e| e.code == "unknown_placeholder")
        .unwrap();
    assert_eq!(placeholder.rule.as_deref(), Some("A-UPCOMING"));
    assert!(
        placeholder.en.contains("character 15"),
        "{}",
        placeholder.en
    );
}

#[test]
fn a_rule_without_vaccinations_or_with_an_unknown_language_or_bad_id_is_refused() {
    let mut rules = defaults();
    rules.rules[0].series.clear();
    rules.rules[0].categories.clear();
    let en = rules.rules[0].texts["en"].clone();
    rules.rules[0].texts.insert("fr".into(), en);
    rules.rules[1].id = "has space".into();
    let found = codes(&rules);
    assert!(
        found.contains(&("series".into(), "no_series".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("texts.fr".into(), "unknown_language".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("id".into(), "invalid_id".into())),
        "{found:?}"
    );
    let bad_id = validate(&rules, schedule())
        .into_iter()
        .find(|e| e.code == "invalid_id")
        .unwrap();
    assert_eq!(
        bad_id.rule.as_deref(),
        Some("#2"),
        "a bad id is named by position"
    );
}

#[test]
fn rules_read_from_toml_refuse_unknown_fields_without_quoting_the_file() {
    let error =
        RuleSet::from_toml("[contact]\nja = \"x\"\nen = \"y\"\nsecret = \"山田\"\n[[rules]]\n")
            .unwrap_err();
    assert!(!error.contains("山田"), "{error}");
}

// --- timing -------------------------------------------------------------------------------------

fn rule(id: &str, trigger: Trigger, quiet_days: u16) -> Rule {
    let mut rule = defaults().rules[0].clone();
    rule.id = id.into();
    rule.trigger = trigger;
    rule.quiet_days = quiet_days;
    rule.categories = vec![SeriesCategory::A];
    rule
}

fn status(status: Status, earliest: Date) -> SeriesStatus {
    SeriesStatus {
        series: Code::from_static("mr_1"),
        kind: None,
        stage: Some(1),
        category: SeriesCategory::A,
        plan: None,
        status,
        reason: Reason::WithinStandardPeriod,
        doses_counted: 0,
        doses_required: 1,
        next_dose: Some(NextDose {
            dose_number: 1,
            stage: Some(1),
            label_ja: Code::from_static("第1期"),
            label_en: Code::from_static("stage 1"),
            earliest,
            recommended: earliest,
            latest: Some(earliest + Duration::days(365)),
            standard_until: None,
            special: false,
        }),
    }
}

fn sent(rule: &str, occasion: &str, on: Date) -> PastNotice {
    PastNotice {
        rule_id: rule.into(),
        series: "mr_1".into(),
        dose_number: 1,
        occasion: occasion.into(),
        created_on: on,
        suppressed: false,
    }
}

#[test]
fn an_upcoming_rule_fires_only_within_its_days_before_the_opening() {
    let rule = rule("UP", Trigger::Upcoming { days_before: 14 }, 0);
    let opens = date!(2026 - 05 - 01);
    let upcoming = status(Status::Upcoming { opens_on: opens }, opens);
    assert_eq!(
        occasion(&rule, &upcoming, opens - Duration::days(15), &[]),
        None
    );
    let fired = occasion(&rule, &upcoming, opens - Duration::days(14), &[]).unwrap();
    assert_eq!(fired.key, "upcoming:2026-05-01");
    assert_eq!(fired.opens_on, opens);
    // Another status, another series category: nothing.
    assert_eq!(
        occasion(&rule, &status(Status::DueNow, opens), opens, &[]),
        None
    );
    let mut elderly = upcoming.clone();
    elderly.category = SeriesCategory::B;
    assert_eq!(
        occasion(&rule, &elderly, opens - Duration::days(1), &[]),
        None
    );
}

#[test]
fn overdue_reminders_come_every_m_days_up_to_k_times_per_dose() {
    let rule = rule(
        "LATE",
        Trigger::Overdue {
            every_days: 30,
            max_times: 2,
        },
        0,
    );
    let earliest = date!(2025 - 01 - 10);
    let overdue = status(Status::Overdue, earliest);
    let day0 = date!(2026 - 03 - 01);
    let first = occasion(&rule, &overdue, day0, &[]).unwrap();
    assert_eq!(first.key, "overdue:2025-01-10:1");
    let past = vec![sent("LATE", &first.key, day0)];
    assert_eq!(
        occasion(&rule, &overdue, day0 + Duration::days(29), &past),
        None
    );
    let second = occasion(&rule, &overdue, day0 + Duration::days(30), &past).unwrap();
    assert_eq!(second.key, "overdue:2025-01-10:2");
    let past = vec![
        sent("LATE", &first.key, day0),
        sent("LATE", &second.key, day0 + Duration::days(30)),
    ];
    assert_eq!(
        occasion(&rule, &overdue, day0 + Duration::days(300), &past),
        None,
        "at most max_times reminders"
    );
    // A later dose (a new earliest date) starts its own count.
    let next_dose = status(Status::Overdue, date!(2025 - 09 - 01));
    assert_eq!(
        occasion(&rule, &next_dose, day0 + Duration::days(300), &past)
            .unwrap()
            .key,
        "overdue:2025-09-01:1"
    );
}

#[test]
fn the_quiet_period_counts_earlier_days_but_not_the_same_day_or_suppressed_notices() {
    let rule = rule("DUE", Trigger::DueNow, 14);
    let day = date!(2026 - 04 - 10);
    assert!(!in_quiet_period(&rule, &[sent("X", "due:x", day)], day));
    assert!(in_quiet_period(
        &rule,
        &[sent("X", "due:x", day - Duration::days(13))],
        day
    ));
    assert!(!in_quiet_period(
        &rule,
        &[sent("X", "due:x", day - Duration::days(14))],
        day
    ));
    let mut suppressed = sent("X", "due:x", day - Duration::days(1));
    suppressed.suppressed = true;
    assert!(!in_quiet_period(&rule, &[suppressed], day));
}

#[test]
fn a_disabled_rule_never_fires() {
    let mut rule = rule("DUE", Trigger::DueNow, 0);
    let due = status(Status::DueNow, date!(2026 - 04 - 01));
    assert!(occasion(&rule, &due, date!(2026 - 04 - 02), &[]).is_some());
    rule.enabled = false;
    assert_eq!(occasion(&rule, &due, date!(2026 - 04 - 02), &[]), None);
}
