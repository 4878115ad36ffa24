//! Whether a rule produces a notice for one series of one person today, and which occasion it
//! is. Pure, so the whole timing policy is tested without a store.
//!
//! An **occasion** names what a notice is about, so the same notice is never produced twice:
//! `upcoming:<opens_on>`, `due:<earliest>` and `overdue:<earliest>:<n>` (the n-th reminder),
//! where `earliest` is the first date the next dose may be given. A seasonal series opens on a
//! new date every season, so each season gets its own notices.

use time::{Date, Duration};

use super::rules::{Rule, Trigger};
use crate::iso_date;
use crate::schedule::{SeriesStatus, Status};

/// A notice the person already has, as far as timing is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastNotice {
    pub rule_id: String,
    pub series: String,
    pub dose_number: u8,
    pub occasion: String,
    /// 勧奨日: the day it was produced.
    pub created_on: Date,
    /// Suppressed notices (control flags) reached no one: they do not count as contact.
    pub suppressed: bool,
}

/// A notice to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occasion {
    pub key: String,
    pub dose_number: u8,
    /// The date `{opens_on}` shows: when the next dose may be given from.
    pub opens_on: Date,
    /// The date `{latest}` shows.
    pub latest: Option<Date>,
}

/// Whether the person is in a quiet period for `rule`: a notice (not suppressed) was produced
/// fewer than `quiet_days` days ago, on an earlier day. Notices of the same day are one
/// contact, so a child due for three vaccinations gets three notices at once, not one every
/// quiet period.
pub fn in_quiet_period(rule: &Rule, past: &[PastNotice], today: Date) -> bool {
    let quiet = Duration::days(i64::from(rule.quiet_days));
    past.iter()
        .any(|p| !p.suppressed && p.created_on < today && p.created_on + quiet > today)
}

/// The occasion `rule` has for `status` today, if any (ignoring the quiet period). `past` is
/// every notice of the person.
pub fn occasion(
    rule: &Rule,
    status: &SeriesStatus,
    today: Date,
    past: &[PastNotice],
) -> Option<Occasion> {
    if !rule.enabled || !rule.covers(status) || !rule.matches_status(status.status) {
        return None;
    }
    let next = status.next_dose.as_ref();
    let dose_number = next.map_or(1, |n| n.dose_number);
    let latest = next.and_then(|n| n.latest);
    let same = |p: &&PastNotice| {
        p.rule_id == rule.id && p.series == status.series.as_str() && p.dose_number == dose_number
    };
    match (rule.trigger, status.status) {
        (Trigger::Upcoming { days_before }, Status::Upcoming { opens_on }) => {
            (today + Duration::days(i64::from(days_before)) >= opens_on).then(|| Occasion {
                key: format!("upcoming:{}", iso_date::format(opens_on)),
                dose_number,
                opens_on,
                latest,
            })
        }
        (Trigger::DueNow, Status::DueNow) => {
            let earliest = next?.earliest;
            Some(Occasion {
                key: format!("due:{}", iso_date::format(earliest)),
                dose_number,
                opens_on: earliest,
                latest,
            })
        }
        (
            Trigger::Overdue {
                every_days,
                max_times,
            },
            Status::Overdue,
        ) => {
            let earliest = next?.earliest;
            let prefix = format!("overdue:{}:", iso_date::format(earliest));
            let earlier: Vec<&PastNotice> = past
                .iter()
                .filter(same)
                .filter(|p| p.occasion.starts_with(&prefix))
                .collect();
            let n = earlier.len() + 1;
            if n > usize::from(max_times) {
                return None;
            }
            let last = earlier.iter().map(|p| p.created_on).max();
            if last.is_some_and(|last| last + Duration::days(i64::from(every_days)) > today) {
                return None;
            }
            Some(Occasion {
                key: format!("{prefix}{n}"),
                dose_number,
                opens_on: earliest,
                latest,
            })
        }
        _ => None,
    }
}
