//! Seasonal series (B類 インフルエンザ, 新型コロナ): one dose each fiscal year, in the season.

use time::Date;

use super::{Evaluator, NextEval, Outcome, SeriesEval};
use crate::schedule::calendar::{fiscal_start, fiscal_year};
use crate::schedule::model::Season;
use crate::schedule::status::{Reason, Status};

impl Evaluator<'_> {
    pub(super) fn eval_seasonal(&mut self, index: usize, season: &Season, on: Date) -> SeriesEval {
        let this_year = fiscal_year(on);
        let given = self
            .series_doses
            .iter()
            .copied()
            .find(|&i| fiscal_year(self.doses[usize::from(i)].date) == this_year);
        if let Some(i) = given {
            if let Some(bits) = self.counted_by.get_mut(usize::from(i)) {
                *bits |= 1u64 << index;
            }
            self.outcomes[index] = Outcome {
                complete: true,
                last_counted: Some(self.doses[usize::from(i)].date),
                projected_completion: None,
            };
            let next_year = fiscal_start(this_year + 1);
            return SeriesEval {
                plan: Some(0),
                status: Status::Complete,
                reason: Reason::SeasonComplete,
                counted: 1,
                required: 1,
                next: self
                    .season_window(season, this_year + 1, next_year)
                    .map(|(start, end, special)| season_next(start, end, special)),
            };
        }
        let Some((start, end, special)) = self.season_window(season, this_year, on) else {
            return SeriesEval::without_next(Status::PastEligibility, Reason::EligibilityEnded);
        };
        let (status, reason) = if on >= start {
            (Status::DueNow, Reason::WithinEligiblePeriod)
        } else if self.windows.iter().any(|w| w.contains(on)) {
            (
                Status::Upcoming { opens_on: start },
                Reason::SeasonNotStarted,
            )
        } else {
            (Status::Upcoming { opens_on: start }, Reason::NotYetEligible)
        };
        SeriesEval {
            plan: Some(0),
            status,
            reason,
            counted: 0,
            required: 1,
            next: Some(season_next(start, end, special)),
        }
    }

    /// The first season part, from fiscal year `from_year` on, within a window and not over
    /// before `on`.
    fn season_window(
        &self,
        season: &Season,
        from_year: i32,
        on: Date,
    ) -> Option<(Date, Date, bool)> {
        let mut best: Option<(Date, Date, bool)> = None;
        for window in &self.windows {
            // The season of the first year may be over or outside the window; the next one is
            // then the first chance.
            let first = from_year.max(fiscal_year(window.start));
            for year in first..first + 2 {
                let season_start = season.from.in_fiscal_year(year);
                let season_end = season.until.in_fiscal_year(year);
                if window.end.is_some_and(|end| end < season_start) {
                    break;
                }
                let start = season_start.max(window.start);
                let end = window.end.map_or(season_end, |e| e.min(season_end));
                if start <= end && end >= on {
                    if best.is_none_or(|(b, ..)| start < b) {
                        best = Some((start, end, self.only_special_on(start.max(on))));
                    }
                    break;
                }
            }
        }
        best
    }
}

fn season_next(start: Date, end: Date, special: bool) -> NextEval {
    NextEval {
        plan: 0,
        dose_index: 0,
        earliest: start,
        recommended: start,
        latest: Some(end),
        standard_until: None,
        special,
    }
}
