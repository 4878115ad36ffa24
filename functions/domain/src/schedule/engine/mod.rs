//! The evaluation: which history doses count for which series, and when the next dose may be
//! given.
//!
//! Per series: the sex and the vaccine combination decide whether it applies; the eligible
//! windows are computed for the birth date; then every dose plan (late-start and product
//! variants) is run over the history, CDSi style: a dose counts when it meets the minimum age,
//! the maximum age and every minimum interval of the dose it would fill; otherwise it is not
//! counted (and must be repeated). A dose whose "skip" condition is met (初回2回目 after 12
//! months…) is skipped, and the next rule applies. The best plan wins: complete, then a vaccine
//! still in use, then fewest uncounted doses, then a possible next date, then fewest remaining
//! doses, then data order.
//!
//! Everything works on dates only, with no allocation per series; a reused [`Evaluator`] keeps
//! its buffers between persons.

mod plans;
mod season;

use time::Date;

use super::calendar::after_interval;
use super::error::ScheduleError;
use super::model::{Schedule, Series, VaccineId, VaccineSet};
use super::status::{Dose, Given, NextDose, Reason, SeriesStatus, Status, Subject};

/// A history dose resolved against the schedule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved {
    pub date: Date,
    pub vaccine: VaccineId,
    /// Position in the caller's history (the proposed dose gets `history.len()`).
    pub original: usize,
    /// Given within the injectable-live interval after a different injectable live vaccine, so
    /// it does not count.
    pub live_conflict: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    complete: bool,
    last_counted: Option<Date>,
    /// For an incomplete series that can still be completed: the earliest date its last dose
    /// could be given, each remaining dose at its earliest. Later stages wait for it.
    projected_completion: Option<Date>,
}

impl Outcome {
    /// The date a following series measures its first interval from.
    fn last_or_projected(self) -> Option<Date> {
        if self.complete {
            self.last_counted
        } else {
            self.projected_completion.or(self.last_counted)
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: Date,
    end: Option<Date>,
    special: bool,
}

impl Span {
    fn contains(self, date: Date) -> bool {
        date >= self.start && self.end.is_none_or(|end| date <= end)
    }
}

/// The result for one series, before it becomes a [`SeriesStatus`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeriesEval {
    /// The plan that applies, when one does.
    pub plan: Option<usize>,
    pub status: Status,
    pub reason: Reason,
    pub counted: u8,
    pub required: u8,
    pub next: Option<NextEval>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct NextEval {
    pub plan: usize,
    pub dose_index: usize,
    pub earliest: Date,
    pub recommended: Date,
    pub latest: Option<Date>,
    pub standard_until: Option<Date>,
    pub special: bool,
}

impl SeriesEval {
    fn without_next(status: Status, reason: Reason) -> Self {
        Self {
            plan: None,
            status,
            reason,
            counted: 0,
            required: 0,
            next: None,
        }
    }
}

/// Evaluates persons one after another, reusing its buffers.
#[derive(Debug)]
pub struct Evaluator<'s> {
    schedule: &'s Schedule,
    pub(crate) doses: Vec<Resolved>,
    history_set: VaccineSet,
    pub(crate) counted_by: Vec<u64>,
    outcomes: Vec<Outcome>,
    /// The eligible windows of the current series, merged where they touch or overlap.
    windows: Vec<Span>,
    /// The same before merging, to tell whether a date is eligible only under a 特例.
    raw_windows: Vec<Span>,
    series_doses: Vec<u16>,
    /// When checking a proposal: prefer the plans that use the proposed vaccine.
    prefer: Option<VaccineId>,
}

impl<'s> Evaluator<'s> {
    pub fn new(schedule: &'s Schedule) -> Self {
        Self {
            schedule,
            doses: Vec::new(),
            history_set: VaccineSet::default(),
            counted_by: Vec::new(),
            outcomes: vec![Outcome::default(); schedule.series.len()],
            windows: Vec::new(),
            raw_windows: Vec::new(),
            series_doses: Vec::new(),
            prefer: None,
        }
    }

    /// Evaluates every series for `person` on `on`, replacing the contents of `out`.
    pub fn evaluate_into(
        &mut self,
        person: &Subject,
        history: &[Dose],
        on: Date,
        out: &mut Vec<SeriesStatus>,
    ) -> Result<(), ScheduleError> {
        // Doses recorded after the evaluation date do not exist yet on that date.
        self.load(history, Some(on), None)?;
        out.clear();
        out.reserve(self.schedule.series.len());
        for index in 0..self.schedule.series.len() {
            let eval = self.eval_series(index, person, on);
            out.push(self.to_status(index, &eval));
        }
        Ok(())
    }

    /// Resolves and sorts the history: doses dated after `until` are left out, `extra` (the
    /// proposed dose) is added with position `history.len()`.
    pub(crate) fn load(
        &mut self,
        history: &[Dose],
        until: Option<Date>,
        extra: Option<(Date, VaccineId)>,
    ) -> Result<(), ScheduleError> {
        self.doses.clear();
        self.history_set = VaccineSet::default();
        for (index, dose) in history.iter().enumerate() {
            let vaccine = resolve(self.schedule, &dose.given).ok_or(match dose.given {
                Given::Product(_) => ScheduleError::UnknownProduct { index },
                Given::Vaccine(_) => ScheduleError::UnknownVaccine { index },
            })?;
            if until.is_some_and(|until| dose.date > until) {
                continue;
            }
            self.push(dose.date, vaccine, index);
        }
        if let Some((date, vaccine)) = extra {
            self.push(date, vaccine, history.len());
        }
        // Sorted by date, then vaccine: the same history in any order gives the same result.
        self.doses
            .sort_unstable_by_key(|d| (d.date, d.vaccine, d.original));
        self.mark_live_conflicts();
        self.counted_by.clear();
        self.counted_by.resize(self.doses.len(), 0);
        Ok(())
    }

    fn push(&mut self, date: Date, vaccine: VaccineId, original: usize) {
        self.history_set.insert(vaccine);
        self.doses.push(Resolved {
            date,
            vaccine,
            original,
            live_conflict: false,
        });
    }

    /// Counts `vaccine` as present in the history for the combination rules only (the proposed
    /// dose decides which combination a proposal follows).
    pub(crate) fn assume_in_history(&mut self, vaccine: VaccineId) {
        self.history_set.insert(vaccine);
        self.prefer = Some(vaccine);
    }

    fn mark_live_conflicts(&mut self) {
        let live = self.schedule.live_interval;
        for i in 0..self.doses.len() {
            let dose = self.doses[i];
            if !self.is_live(dose.vaccine) {
                continue;
            }
            let conflict = self.doses[..i].iter().any(|earlier| {
                earlier.vaccine != dose.vaccine
                    && self.is_live(earlier.vaccine)
                    && earlier.date < dose.date
                    && dose.date < after_interval(earlier.date, live)
            });
            self.doses[i].live_conflict = conflict;
        }
    }

    fn is_live(&self, vaccine: VaccineId) -> bool {
        self.schedule
            .vaccines
            .get(usize::from(vaccine))
            .is_some_and(|v| v.live_injectable)
    }

    pub(crate) fn eval_series(&mut self, index: usize, person: &Subject, on: Date) -> SeriesEval {
        let schedule = self.schedule;
        let series = &schedule.series[index];
        self.outcomes[index] = Outcome::default();
        if series.sex.is_some_and(|sex| sex != person.sex) {
            return SeriesEval::without_next(Status::NotApplicable, Reason::NotForThisSex);
        }
        self.compute_windows(series, person);
        if self.windows.is_empty() {
            return SeriesEval::without_next(Status::NotApplicable, Reason::NotInTargetGroup);
        }
        self.collect_series_doses(series);
        let eval = match &series.season {
            Some(season) => self.eval_seasonal(index, season, on),
            None => self.eval_plans(index, series, person, on),
        };
        // Another combination covers this series (五種混合 vs 四種混合 + Hib); a series already
        // complete stays complete whatever was added later.
        let only_if = series.only_if_history_has;
        let covered = (!only_if.is_empty() && !self.history_set.intersects(only_if))
            || self.history_set.intersects(series.unless_history_has);
        if covered && eval.status != Status::Complete {
            return SeriesEval::without_next(Status::NotApplicable, Reason::CoveredByOtherSeries);
        }
        eval
    }

    fn compute_windows(&mut self, series: &Series, person: &Subject) {
        self.windows.clear();
        self.raw_windows.clear();
        let birth = person.birth_date;
        for window in &series.windows {
            if window.born_from.is_some_and(|from| birth < from)
                || window.born_until.is_some_and(|until| birth > until)
                || (window.requires_flag && !person.high_risk_60_to_64)
            {
                continue;
            }
            // A window that needs another series complete opens when that series can be
            // complete at the earliest; if it cannot be completed any more, never.
            let mut not_before = None;
            if let Some(other) = window.requires_complete {
                let outcome = self.outcomes[other];
                if !outcome.complete {
                    match outcome.projected_completion {
                        Some(date) => not_before = Some(date),
                        None => continue,
                    }
                }
            }
            if let Some((from, until)) = window.requires_dose_between {
                let given = self.doses.iter().any(|d| {
                    series.vaccines.contains(d.vaccine) && d.date >= from && d.date <= until
                });
                if !given {
                    continue;
                }
            }
            let mut start = window.from.map_or(birth, |b| b.start(birth));
            let mut end = window.until.map(|b| b.end(birth));
            if let Some(from) = window.date_from {
                start = start.max(from);
            }
            if let Some(from) = not_before {
                start = start.max(from);
            }
            if let Some(until) = window.date_until {
                end = Some(end.map_or(until, |e| e.min(until)));
            }
            if end.is_none_or(|end| start <= end) {
                self.raw_windows.push(Span {
                    start,
                    end,
                    special: window.special,
                });
            }
        }
        self.raw_windows.sort_unstable_by_key(|w| (w.start, w.end));
        // A 特例 that continues the regular window (キャッチアップ then its 経過措置) is one
        // eligible period.
        for &span in &self.raw_windows {
            match self.windows.last_mut() {
                Some(last)
                    if last
                        .end
                        .is_none_or(|end| span.start <= end.next_day().unwrap_or(end)) =>
                {
                    last.end = match (last.end, span.end) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                    last.special &= span.special;
                }
                _ => self.windows.push(span),
            }
        }
    }

    /// Whether `date` is eligible only under a 特例, キャッチアップ or 経過措置.
    fn only_special_on(&self, date: Date) -> bool {
        let mut special = false;
        for span in &self.raw_windows {
            if span.contains(date) {
                if !span.special {
                    return false;
                }
                special = true;
            }
        }
        special
    }

    fn collect_series_doses(&mut self, series: &Series) {
        self.series_doses.clear();
        let follows_bit = series.follows.map(|f| 1u64 << f);
        for (i, dose) in self.doses.iter().enumerate() {
            if !series.vaccines.contains(dose.vaccine) {
                continue;
            }
            if follows_bit.is_some_and(|bit| self.counted_by[i] & bit != 0) {
                continue;
            }
            if series.count_only_within_windows
                && !self.windows.iter().any(|w| w.contains(dose.date))
            {
                continue;
            }
            if let Ok(i) = u16::try_from(i) {
                self.series_doses.push(i);
            }
        }
    }

    pub(crate) fn to_status(&self, index: usize, eval: &SeriesEval) -> SeriesStatus {
        let series = &self.schedule.series[index];
        let next_dose = eval.next.map(|next| {
            let rule = &series.plans[next.plan].doses[next.dose_index];
            NextDose {
                dose_number: series
                    .first_dose_number
                    .saturating_add(u8::try_from(next.dose_index).unwrap_or(u8::MAX)),
                stage: series.stage,
                label_ja: rule.label_ja.clone(),
                label_en: rule.label_en.clone(),
                earliest: next.earliest,
                recommended: next.recommended,
                latest: next.latest,
                standard_until: next.standard_until,
                special: next.special,
            }
        });
        SeriesStatus {
            series: series.code.clone(),
            kind: series.kind,
            stage: series.stage,
            category: series.category,
            plan: eval.plan.map(|p| series.plans[p].id.clone()),
            status: eval.status,
            reason: eval.reason,
            doses_counted: eval.counted,
            doses_required: eval.required,
            next_dose,
        }
    }
}

/// The vaccine a history entry or proposal names.
pub(crate) fn resolve(schedule: &Schedule, given: &Given) -> Option<VaccineId> {
    match given {
        Given::Product(gtin) => schedule.product_vaccine(gtin),
        Given::Vaccine(id) => schedule.vaccine_id(id),
    }
}
