//! The schedule case table (`data/schedule/cases/*.toml`): every case is evaluated and every
//! difference is reported by case id, so one run shows all failures at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Deserialize;
use sesshu_domain::Gtin;
use sesshu_domain::iso_date;
use sesshu_domain::person::Sex;
use sesshu_domain::schedule::{
    Dose, Given, Schedule, SeriesStatus, Status, Subject, check_proposed, evaluate,
};
use time::Date;

const FILES: &[(&str, &str)] = &[
    (
        "children.toml",
        include_str!("../data/schedule/cases/children.toml"),
    ),
    (
        "mr-var-je.toml",
        include_str!("../data/schedule/cases/mr-var-je.toml"),
    ),
    (
        "adolescent-elderly.toml",
        include_str!("../data/schedule/cases/adolescent-elderly.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    title: String,
    birth: String,
    sex: Sex,
    on: String,
    #[serde(default)]
    high_risk_60_to_64: bool,
    history: Vec<GivenOn>,
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    proposal: Vec<Proposal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GivenOn {
    date: String,
    vaccine: Option<String>,
    gtin: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    series: String,
    status: String,
    reason: Option<String>,
    opens_on: Option<String>,
    next_dose: Option<u8>,
    earliest: Option<String>,
    recommended: Option<String>,
    latest: Option<String>,
    standard_until: Option<String>,
    doses_counted: Option<u8>,
    doses_required: Option<u8>,
    plan: Option<String>,
    special: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Proposal {
    vaccine: Option<String>,
    gtin: Option<String>,
    date: String,
    allowed: bool,
    #[serde(default)]
    reasons: Vec<String>,
}

fn date(text: &str) -> Date {
    iso_date::parse(text).unwrap_or_else(|| panic!("not a date in the case table: {text}"))
}

fn given(vaccine: &Option<String>, gtin: &Option<String>) -> Given {
    match (vaccine, gtin) {
        (Some(v), None) => Given::Vaccine(v.clone()),
        (None, Some(g)) => Given::Product(Gtin::parse(g).unwrap()),
        _ => panic!("give exactly one of vaccine and gtin"),
    }
}

fn load_cases() -> Vec<(String, Case)> {
    FILES
        .iter()
        .flat_map(|(name, text)| {
            let file: CaseFile = toml::from_str(text)
                .unwrap_or_else(|e| panic!("case file {name} does not parse: {e}"));
            file.case.into_iter().map(move |c| ((*name).to_owned(), c))
        })
        .collect()
}

fn opt_date(d: Option<Date>) -> String {
    d.map_or_else(|| "none".to_owned(), iso_date::format)
}

/// Compares one expected series status and appends each difference.
fn compare(expect: &Expect, actual: &SeriesStatus, out: &mut Vec<String>) {
    let mut check = |field: &str, want: &str, got: String| {
        if want != got {
            out.push(format!(
                "{}.{field}: expected {want}, got {got}",
                expect.series
            ));
        }
    };
    check("status", &expect.status, actual.status.code().to_owned());
    if let Some(reason) = &expect.reason {
        check("reason", reason, actual.reason.code().to_owned());
    }
    if let Some(opens) = &expect.opens_on {
        let got = match actual.status {
            Status::Upcoming { opens_on } => iso_date::format(opens_on),
            _ => "(not upcoming)".to_owned(),
        };
        check("opens_on", opens, got);
    }
    if let Some(n) = expect.doses_counted {
        check(
            "doses_counted",
            &n.to_string(),
            actual.doses_counted.to_string(),
        );
    }
    if let Some(n) = expect.doses_required {
        check(
            "doses_required",
            &n.to_string(),
            actual.doses_required.to_string(),
        );
    }
    if let Some(plan) = &expect.plan {
        check(
            "plan",
            plan,
            actual
                .plan
                .as_ref()
                .map_or("none".to_owned(), |p| p.to_string()),
        );
    }
    let next = actual.next_dose.as_ref();
    let missing = || "(no next dose)".to_owned();
    if let Some(n) = expect.next_dose {
        check(
            "next_dose",
            &n.to_string(),
            next.map_or_else(missing, |d| d.dose_number.to_string()),
        );
    }
    if let Some(d) = &expect.earliest {
        check(
            "earliest",
            d,
            next.map_or_else(missing, |n| iso_date::format(n.earliest)),
        );
    }
    if let Some(d) = &expect.recommended {
        check(
            "recommended",
            d,
            next.map_or_else(missing, |n| iso_date::format(n.recommended)),
        );
    }
    if let Some(d) = &expect.latest {
        check(
            "latest",
            d,
            next.map_or_else(missing, |n| opt_date(n.latest)),
        );
    }
    if let Some(d) = &expect.standard_until {
        check(
            "standard_until",
            d,
            next.map_or_else(missing, |n| opt_date(n.standard_until)),
        );
    }
    if let Some(s) = expect.special {
        check(
            "special",
            &s.to_string(),
            next.map_or_else(missing, |n| n.special.to_string()),
        );
    }
}

fn run_case(schedule: &Schedule, case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    let person = Subject {
        birth_date: date(&case.birth),
        sex: case.sex,
        high_risk_60_to_64: case.high_risk_60_to_64,
    };
    let history: Vec<Dose> = case
        .history
        .iter()
        .map(|h| Dose {
            date: date(&h.date),
            given: given(&h.vaccine, &h.gtin),
        })
        .collect();
    let statuses = match evaluate(schedule, &person, &history, date(&case.on)) {
        Ok(s) => s,
        Err(e) => return vec![format!("evaluate failed: {e}")],
    };
    for expect in &case.expect {
        match statuses.iter().find(|s| s.series == expect.series.as_str()) {
            Some(actual) => compare(expect, actual, &mut problems),
            None => problems.push(format!("{}: no such series", expect.series)),
        }
    }
    for proposal in &case.proposal {
        let what = given(&proposal.vaccine, &proposal.gtin);
        let label = format!(
            "proposal {} on {}",
            proposal
                .vaccine
                .as_deref()
                .or(proposal.gtin.as_deref())
                .unwrap_or("?"),
            proposal.date
        );
        match check_proposed(schedule, &person, &history, &what, date(&proposal.date)) {
            Ok(verdict) => {
                let found: Vec<&str> = verdict.reasons.iter().map(|f| f.reason.code()).collect();
                if verdict.allowed != proposal.allowed {
                    problems.push(format!(
                        "{label}: expected allowed={}, got allowed={} with {found:?}",
                        proposal.allowed, verdict.allowed
                    ));
                }
                for reason in &proposal.reasons {
                    if !found.contains(&reason.as_str()) {
                        problems.push(format!("{label}: expected reason {reason}, got {found:?}"));
                    }
                }
            }
            Err(e) => problems.push(format!("{label}: failed: {e}")),
        }
    }
    problems
}

#[test]
fn every_case_in_the_table_gives_the_expected_status_dates_and_verdicts() {
    let schedule = Schedule::routine().unwrap();
    let cases = load_cases();
    let mut report = String::new();
    let mut failed = 0;
    for (file, case) in &cases {
        let problems = run_case(schedule, case);
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "{file} {} ({}):", case.id, case.title);
            for p in problems {
                let _ = writeln!(report, "    {p}");
            }
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} schedule cases failed:\n{report}",
        cases.len()
    );
}

#[test]
fn the_table_has_at_least_200_cases_with_unique_ids_covering_every_series() {
    let schedule = Schedule::routine().unwrap();
    let cases = load_cases();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut ids = BTreeSet::new();
    for (_, case) in &cases {
        assert!(ids.insert(case.id.clone()), "duplicate case id {}", case.id);
    }
    let covered: BTreeSet<&str> = cases
        .iter()
        .flat_map(|(_, c)| c.expect.iter().map(|e| e.series.as_str()))
        .collect();
    for series in schedule.series() {
        assert!(
            covered.contains(series.id.as_str()),
            "no case covers series {}",
            series.id
        );
    }
}
