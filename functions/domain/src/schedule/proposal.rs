//! Checking a proposed vaccination before it is given: is the product in use, does it keep the
//! injectable-live interval, and does it count as the next dose of a series it belongs to?

use time::Date;

use super::calendar::after_interval;
use super::engine::{Evaluator, SeriesEval, resolve};
use super::error::ScheduleError;
use super::model::Schedule;
use super::status::{Code, Dose, Finding, Given, Reason, Status, Subject, Verdict};

/// Whether `proposed` may be given to `person` on `date`, given `history`.
///
/// Allowed when the product is in use on that date, no injectable live vaccine of another kind
/// lies within the live interval on either side (the same day is allowed), at least one series
/// counts it as its next dose within the eligible period, and no other series it belongs to that
/// is still open would be given it too early.
pub fn check_proposed(
    schedule: &Schedule,
    person: &Subject,
    history: &[Dose],
    proposed: &Given,
    date: Date,
) -> Result<Verdict, ScheduleError> {
    let vaccine_id = resolve(schedule, proposed).ok_or(ScheduleError::UnknownProposal)?;
    let Some(vaccine) = schedule.vaccines.get(usize::from(vaccine_id)) else {
        return Err(ScheduleError::UnknownProposal);
    };
    let mut reasons = Vec::new();
    let mut blocked = false;

    if !vaccine.in_use_on(date) {
        blocked = true;
        reasons.push(finding(
            None,
            None,
            Reason::ProductNotInUse,
            vaccine.use_from,
            vaccine.use_until,
        ));
    }

    let mut evaluator = Evaluator::new(schedule);
    let mut live_conflict = false;
    if vaccine.live_injectable {
        // Every recorded dose counts here, also ones recorded after the proposed date.
        evaluator.load(history, None, None)?;
        let live = schedule.live_interval;
        for dose in &evaluator.doses {
            let other = &schedule.vaccines[usize::from(dose.vaccine)];
            if dose.vaccine == vaccine_id || !other.live_injectable || dose.date == date {
                continue;
            }
            let too_close = (dose.date < date && date < after_interval(dose.date, live))
                || (date < dose.date && dose.date < after_interval(date, live));
            if too_close {
                blocked = true;
                live_conflict = true;
                reasons.push(finding(
                    None,
                    None,
                    Reason::LiveVaccineInterval,
                    Some(after_interval(dose.date, live)),
                    None,
                ));
                break;
            }
        }
    }

    let candidates: Vec<usize> = schedule
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.vaccines.contains(vaccine_id))
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        reasons.push(finding(None, None, Reason::NoSeriesForVaccine, None, None));
        return Ok(Verdict {
            allowed: false,
            reasons,
        });
    }

    // Without the proposed dose: where each series stands on that date.
    evaluator.load(history, Some(date), None)?;
    evaluator.assume_in_history(vaccine_id);
    let before: Vec<SeriesEval> = (0..schedule.series.len())
        .map(|i| evaluator.eval_series(i, person, date))
        .collect();

    // With it: which series count it.
    let mut with = Evaluator::new(schedule);
    with.load(history, Some(date), Some((date, vaccine_id)))?;
    for i in 0..schedule.series.len() {
        with.eval_series(i, person, date);
    }
    let position = with.doses.iter().position(|d| d.original == history.len());

    let mut accepted = false;
    for index in candidates {
        let series = &schedule.series[index];
        let code = Some(series.code.clone());
        let eval = &before[index];
        let Some(next) = eval.next.filter(|_| eval.status != Status::Complete) else {
            let reason = match eval.status {
                Status::Complete => eval.reason,
                Status::NotApplicable => eval.reason,
                _ => Reason::EligibilityEnded,
            };
            reasons.push(finding(code, None, reason, None, None));
            continue;
        };
        let dose_number = series
            .first_dose_number
            .saturating_add(u8::try_from(next.dose_index).unwrap_or(u8::MAX));
        if date < next.earliest {
            // Too soon after an earlier dose of the same series blocks the proposal; a later
            // stage that has not opened yet (MR 第2期 while 第1期 takes the dose) does not.
            let reason = match eval.reason {
                Reason::LiveVaccineInterval => Reason::LiveVaccineInterval,
                Reason::IntervalNotMet => Reason::IntervalNotMet,
                _ => Reason::NotYetEligible,
            };
            if reason != Reason::NotYetEligible {
                blocked = true;
            }
            reasons.push(finding(
                code,
                Some(dose_number),
                reason,
                Some(next.earliest),
                next.latest,
            ));
            continue;
        }
        let counted = position
            .and_then(|p| with.counted_by.get(p))
            .is_some_and(|bits| bits & (1u64 << index) != 0);
        if counted {
            accepted = true;
            reasons.push(finding(
                code,
                Some(dose_number),
                Reason::Accepted,
                Some(next.earliest),
                next.latest,
            ));
        } else if live_conflict {
            // Not counted because of the live interval, already reported above.
            continue;
        } else {
            reasons.push(finding(
                code,
                Some(dose_number),
                Reason::ProductNotValidForSeries,
                Some(next.earliest),
                next.latest,
            ));
        }
    }
    Ok(Verdict {
        allowed: accepted && !blocked,
        reasons,
    })
}

fn finding(
    series: Option<Code>,
    dose_number: Option<u8>,
    reason: Reason,
    earliest: Option<Date>,
    latest: Option<Date>,
) -> Finding {
    Finding {
        series,
        dose_number,
        reason,
        earliest,
        latest,
    }
}
