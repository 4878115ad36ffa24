//! Running the dose plans of a series over the history, and the next dose of the best one.

use time::Date;

use super::{Evaluator, NextEval, Outcome, SeriesEval};
use crate::schedule::calendar::{after_interval, reached};
use crate::schedule::model::{
    DoseRule, Interval, IntervalFrom, MAX_DOSES, Plan, Series, VaccineSet,
};
use crate::schedule::status::{Reason, Status, Subject};

/// How plans compare (lower is better): incomplete, no vaccine in use for the next dose,
/// uncounted doses, no possible next date, remaining doses, data order.
type PlanRank = (u8, u8, u8, u8, usize, usize);

/// What limits the earliest date of a dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    Age,
    Interval,
    Live,
    Window,
}

/// One plan run over the history.
#[derive(Debug, Clone, Copy)]
struct PlanRun {
    dates: [Date; MAX_DOSES],
    counted_mask: u16,
    skipped_mask: u16,
    target: usize,
    invalid: u8,
    last: Option<Date>,
    counted_doses: [u16; MAX_DOSES],
}

impl PlanRun {
    fn new() -> Self {
        Self {
            dates: [Date::MIN; MAX_DOSES],
            counted_mask: 0,
            skipped_mask: 0,
            target: 0,
            invalid: 0,
            last: None,
            counted_doses: [0; MAX_DOSES],
        }
    }

    fn counted(&self, index: usize) -> Option<Date> {
        (self.counted_mask & (1 << index) != 0).then(|| self.dates[index])
    }

    fn counted_count(&self) -> u8 {
        self.counted_mask.count_ones() as u8
    }
}

/// The next dose of a plan, before the windows are applied.
#[derive(Debug, Clone, Copy)]
struct NextCalc {
    dose_index: usize,
    earliest: Date,
    binding: Binding,
    latest: Option<Date>,
    standard_from: Option<Date>,
    standard_until: Option<Date>,
}

enum NextResult {
    Complete,
    /// The plan's first-dose condition cannot hold (a late-start plan for a younger child).
    NotApplicable,
    Dose(NextCalc),
}

/// The next dose after the windows: a date range that is not entirely in the past.
#[derive(Debug, Clone, Copy)]
struct Feasible {
    earliest: Date,
    latest: Option<Date>,
    binding: Binding,
    window_open_on_date: bool,
    special: bool,
}

impl Evaluator<'_> {
    pub(super) fn eval_plans(
        &mut self,
        index: usize,
        series: &Series,
        person: &Subject,
        on: Date,
    ) -> SeriesEval {
        let birth = person.birth_date;
        let before = series
            .follows
            .and_then(|f| self.outcomes[f].last_or_projected());
        // (rank, plan index, run, next)
        let mut best: Option<(PlanRank, usize, PlanRun, NextResult, Option<Feasible>)> = None;
        // A proposed product picks among the plans that use it (生ワクチン or 組換え for 帯状疱疹);
        // if none can, all plans are considered and the product will not count.
        let prefer = self.prefer.filter(|&v| {
            series.plans.iter().any(|p| {
                p.vaccines.contains(v)
                    && self.plan_applies(p, birth)
                    && self.run_plan(p, birth, before).is_some()
            })
        });
        for (plan_index, plan) in series.plans.iter().enumerate() {
            if prefer.is_some_and(|v| !plan.vaccines.contains(v)) || !self.plan_applies(plan, birth)
            {
                continue;
            }
            let Some(mut run) = self.run_plan(plan, birth, before) else {
                continue;
            };
            let next = self.next_calc(plan, &mut run, birth, before, on);
            let feasible = match &next {
                NextResult::NotApplicable => continue,
                NextResult::Complete => None,
                NextResult::Dose(calc) => self.feasible(calc, on),
            };
            let complete = matches!(next, NextResult::Complete);
            // A plan whose vaccines are no longer (or not yet) used for new doses is a poor
            // recommendation (PPSV23 after March 2026).
            let unusable = feasible.is_some_and(|f| !self.plan_in_use(plan, f.earliest.max(on)));
            let rank = (
                u8::from(!complete),
                u8::from(unusable),
                run.invalid,
                u8::from(!complete && feasible.is_none()),
                plan.doses.len().saturating_sub(run.target),
                plan_index,
            );
            if best
                .as_ref()
                .is_none_or(|(best_rank, ..)| rank < *best_rank)
            {
                best = Some((rank, plan_index, run, next, feasible));
            }
        }
        let Some((_, plan_index, run, next, feasible)) = best else {
            return SeriesEval::without_next(Status::PastEligibility, Reason::EligibilityEnded);
        };
        let plan = &series.plans[plan_index];
        for k in 0..plan.doses.len() {
            if run.counted(k).is_some() {
                let dose = usize::from(run.counted_doses[k]);
                if let Some(bits) = self.counted_by.get_mut(dose) {
                    *bits |= 1u64 << index;
                }
            }
        }
        let complete = matches!(next, NextResult::Complete);
        let projected_completion = match (&next, feasible) {
            (NextResult::Dose(_), Some(f)) if series.has_dependents => {
                self.project_completion(plan, run, birth, before, f.earliest.max(on))
            }
            _ => None,
        };
        self.outcomes[index] = Outcome {
            complete,
            last_counted: run.last,
            projected_completion,
        };
        let counted = run.counted_count();
        let required = (plan.doses.len() - run.skipped_mask.count_ones() as usize) as u8;
        let calc = match next {
            NextResult::Dose(calc) => calc,
            _ => {
                return SeriesEval {
                    plan: Some(plan_index),
                    status: Status::Complete,
                    reason: Reason::SeriesComplete,
                    counted,
                    required,
                    next: None,
                };
            }
        };
        let Some(feasible) = feasible else {
            return SeriesEval {
                plan: Some(plan_index),
                status: Status::PastEligibility,
                reason: Reason::EligibilityEnded,
                counted,
                required,
                next: None,
            };
        };
        let (status, reason) = dose_status(&calc, &feasible, on);
        let recommended = calc
            .standard_from
            .unwrap_or(feasible.earliest)
            .max(feasible.earliest);
        let recommended = feasible.latest.map_or(recommended, |l| recommended.min(l));
        SeriesEval {
            plan: Some(plan_index),
            status,
            reason,
            counted,
            required,
            next: Some(NextEval {
                plan: plan_index,
                dose_index: calc.dose_index,
                earliest: feasible.earliest,
                recommended,
                latest: feasible.latest,
                standard_until: calc.standard_until,
                special: feasible.special,
            }),
        }
    }

    /// The plan's birth cohort and history conditions.
    fn plan_applies(&self, plan: &Plan, birth: Date) -> bool {
        plan.born_from.is_none_or(|from| birth >= from)
            && plan.born_until.is_none_or(|until| birth <= until)
            && plan
                .when_history_has
                .is_none_or(|need| self.history_set.intersects(need))
    }

    /// Gives every remaining dose at its earliest date from `first` on (windows aside) and
    /// returns the date of the last one.
    fn project_completion(
        &self,
        plan: &Plan,
        mut run: PlanRun,
        birth: Date,
        before: Option<Date>,
        first: Date,
    ) -> Option<Date> {
        let mut date = first;
        for _ in 0..plan.doses.len() {
            let target = run.target;
            run.dates[target] = date;
            run.counted_mask |= 1 << target;
            run.last = Some(date);
            run.target += 1;
            match self.next_calc(plan, &mut run, birth, before, date) {
                NextResult::Complete => return Some(date),
                NextResult::NotApplicable => return None,
                NextResult::Dose(calc) => date = calc.earliest.max(date),
            }
        }
        None
    }

    fn plan_in_use(&self, plan: &Plan, date: Date) -> bool {
        self.schedule.vaccines.iter().enumerate().any(|(i, v)| {
            u8::try_from(i).is_ok_and(|i| plan.vaccines.contains(i)) && v.in_use_on(date)
        })
    }

    /// Runs a plan over the series doses; `None` when its first-dose condition fails.
    fn run_plan(&self, plan: &Plan, birth: Date, before: Option<Date>) -> Option<PlanRun> {
        if let Some(first) = plan.first_vaccines {
            // The product the series started with decides (ロタ 1価/5価, HPV, 帯状疱疹); doses
            // too young for the plan's first dose do not start it.
            let from = plan
                .doses
                .first()
                .and_then(|d| d.min_age)
                .map_or(birth, |age| reached(birth, age));
            let started_with = self
                .series_doses
                .iter()
                .map(|&i| self.doses[usize::from(i)])
                .find(|d| d.date >= from);
            if started_with.is_some_and(|d| !first.contains(d.vaccine)) {
                return None;
            }
        }
        let mut run = PlanRun::new();
        for &i in &self.series_doses {
            let dose = &self.doses[usize::from(i)];
            if !plan.vaccines.contains(dose.vaccine) {
                continue;
            }
            while run.target < plan.doses.len()
                && should_skip(&plan.doses[run.target], &run, birth, dose.date)
            {
                run.skipped_mask |= 1 << run.target;
                run.target += 1;
            }
            let Some(rule) = plan.doses.get(run.target) else {
                continue; // an extra dose after the plan is complete
            };
            let (earliest, _) = earliest_for(rule, &run, birth, before);
            let valid = !dose.live_conflict
                && dose.date >= earliest
                && rule
                    .max_age
                    .is_none_or(|max| dose.date <= reached(birth, max));
            if !valid {
                run.invalid = run.invalid.saturating_add(1);
                continue;
            }
            if run.target == 0 && !first_dose_fits(plan, birth, dose.date) {
                return None;
            }
            run.dates[run.target] = dose.date;
            run.counted_doses[run.target] = i;
            run.counted_mask |= 1 << run.target;
            run.last = Some(dose.date);
            run.target += 1;
        }
        Some(run)
    }

    fn next_calc(
        &self,
        plan: &Plan,
        run: &mut PlanRun,
        birth: Date,
        before: Option<Date>,
        on: Date,
    ) -> NextResult {
        loop {
            let Some(rule) = plan.doses.get(run.target) else {
                return NextResult::Complete;
            };
            let (mut earliest, mut binding) = earliest_for(rule, run, birth, before);
            if plan.live {
                // The live interval leaves gaps: the same day as another live vaccine is
                // allowed, the 27 days after it are not. When today falls in such a gap, the
                // earliest date is the end of it; otherwise the first allowed date ever.
                let today = earliest.max(on);
                let live_today = self.live_earliest(plan.vaccines, today);
                let live = if live_today > today {
                    live_today
                } else {
                    self.live_earliest(plan.vaccines, earliest)
                };
                if live > earliest {
                    earliest = live;
                    binding = Binding::Live;
                }
            }
            let candidate = earliest.max(on);
            if should_skip(rule, run, birth, candidate) {
                run.skipped_mask |= 1 << run.target;
                run.target += 1;
                continue;
            }
            if run.target == 0
                && (!first_dose_fits(plan, birth, candidate)
                    || plan
                        .first_vaccines
                        .is_some_and(|f| !f.intersects(plan.vaccines)))
            {
                return NextResult::NotApplicable;
            }
            let mut latest = rule.max_age.map(|max| reached(birth, max));
            if let Some(skip) = rule.skip_after {
                let skip = reached(birth, skip);
                latest = Some(latest.map_or(skip, |l| l.min(skip)));
            }
            let (standard_from, standard_until) = standard_for(rule, run, birth);
            return NextResult::Dose(NextCalc {
                dose_index: run.target,
                earliest,
                binding,
                latest,
                standard_from,
                standard_until,
            });
        }
    }

    /// The first date on or after `from` that is not within the live interval after another
    /// injectable live vaccine (the same day as it is allowed).
    fn live_earliest(&self, own: VaccineSet, from: Date) -> Date {
        let live = self.schedule.live_interval;
        let mut candidate = from;
        for _ in 0..=self.doses.len() {
            let mut moved = false;
            for dose in &self.doses {
                if own.contains(dose.vaccine) || !self.is_live(dose.vaccine) {
                    continue;
                }
                let clear = after_interval(dose.date, live);
                if dose.date < candidate && candidate < clear {
                    candidate = clear;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        candidate
    }

    fn feasible(&self, calc: &NextCalc, on: Date) -> Option<Feasible> {
        for window in &self.windows {
            let earliest = window.start.max(calc.earliest);
            let latest = match (window.end, calc.latest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if latest.is_some_and(|latest| earliest > latest || latest < on) {
                continue;
            }
            let binding = if window.start > calc.earliest {
                Binding::Window
            } else {
                calc.binding
            };
            return Some(Feasible {
                earliest,
                latest,
                binding,
                window_open_on_date: window.contains(on),
                special: self.only_special_on(earliest.max(on)),
            });
        }
        None
    }
}

/// The status of a dose that can still be given, from where `on` falls.
fn dose_status(calc: &NextCalc, feasible: &Feasible, on: Date) -> (Status, Reason) {
    if on < feasible.earliest {
        return match feasible.binding {
            Binding::Interval if feasible.window_open_on_date => {
                (Status::IntervalNotMet, Reason::IntervalNotMet)
            }
            Binding::Live if feasible.window_open_on_date => {
                (Status::IntervalNotMet, Reason::LiveVaccineInterval)
            }
            _ => (
                Status::Upcoming {
                    opens_on: feasible.earliest,
                },
                Reason::NotYetEligible,
            ),
        };
    }
    if calc.standard_from.is_some_and(|from| on < from) {
        return (Status::TooEarly, Reason::BeforeStandardPeriod);
    }
    if calc.standard_until.is_some_and(|until| on > until) {
        return (Status::Overdue, Reason::AfterStandardPeriod);
    }
    if calc.standard_from.is_some() || calc.standard_until.is_some() {
        (Status::DueNow, Reason::WithinStandardPeriod)
    } else {
        (Status::DueNow, Reason::WithinEligiblePeriod)
    }
}

/// Whether `rule` is skipped when its dose would be given on `date`.
fn should_skip(rule: &DoseRule, run: &PlanRun, birth: Date, date: Date) -> bool {
    if rule
        .skip_after
        .is_some_and(|age| date > reached(birth, age))
    {
        return true;
    }
    rule.skip_if_previous_after
        .zip(run.last)
        .is_some_and(|(age, last)| last > reached(birth, age))
}

fn intervals_of<'r>(rule: &'r DoseRule, run: &PlanRun) -> &'r [Interval] {
    match &rule.intervals_after_skip {
        Some(after_skip) if run.skipped_mask != 0 => after_skip,
        _ => &rule.intervals,
    }
}

fn interval_base(from: IntervalFrom, run: &PlanRun, before: Option<Date>) -> Option<Date> {
    match from {
        IntervalFrom::Previous => run.last.or(if run.target == 0 { before } else { None }),
        IntervalFrom::Dose(k) => run.counted(k),
    }
}

/// The first date the dose may be given by age and intervals, and which of them binds.
fn earliest_for(
    rule: &DoseRule,
    run: &PlanRun,
    birth: Date,
    before: Option<Date>,
) -> (Date, Binding) {
    let mut earliest = rule.min_age.map_or(birth, |age| reached(birth, age));
    let mut binding = Binding::Age;
    for interval in intervals_of(rule, run) {
        if let (Some(base), Some(min)) = (interval_base(interval.from, run, before), interval.min) {
            let date = after_interval(base, min);
            if date > earliest {
                earliest = date;
                binding = Binding::Interval;
            }
        }
    }
    (earliest, binding)
}

/// The standard period of the dose from its age bounds and its standard intervals.
fn standard_for(rule: &DoseRule, run: &PlanRun, birth: Date) -> (Option<Date>, Option<Date>) {
    let mut from = rule.standard_from.map(|b| b.start(birth));
    let mut until = rule.standard_until.map(|b| b.end(birth));
    for interval in intervals_of(rule, run) {
        let Some(base) = interval_base(interval.from, run, None) else {
            continue;
        };
        if let Some(min) = interval.standard_min {
            let date = after_interval(base, min);
            from = Some(from.map_or(date, |f| f.max(date)));
        }
        if let Some(max) = interval.standard_max {
            let date = after_interval(base, max);
            until = Some(until.map_or(date, |u| u.min(date)));
        }
    }
    (from, until)
}

/// Whether a first dose on `date` fits the plan's start-age band.
fn first_dose_fits(plan: &Plan, birth: Date, date: Date) -> bool {
    plan.first_age_from
        .is_none_or(|age| date >= reached(birth, age))
        && plan
            .first_age_after
            .is_none_or(|age| date > reached(birth, age))
        && plan
            .first_age_until
            .is_none_or(|age| date <= reached(birth, age))
}
