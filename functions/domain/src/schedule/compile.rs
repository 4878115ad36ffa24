//! Compiling data files into a [`Schedule`]: refuses anything the engine could misread
//! (unknown references, malformed ages or dates, a "N月半" used as an age, an interval from a
//! later dose, duplicate ids or GTINs), naming the file and the place, never guessing.

use std::collections::HashMap;

use time::Date;

use super::calendar::{MonthDay, Period};
use super::error::ScheduleError;
use super::model::{
    AgeBound, DoseRule, FileInfo, Interval, IntervalFrom, MAX_DOSES, MAX_SERIES, MAX_VACCINES,
    Plan, Product, Schedule, Season, Series, Vaccine, VaccineId, VaccineSet, Window,
};
use super::spec;
use super::status::{Code, SeriesCategory};
use crate::id::Gtin;
use crate::iso_date;
use crate::record::VaccinationKind;

pub(crate) fn compile(
    sources: &[(&str, &str)],
    for_program: bool,
) -> Result<Schedule, ScheduleError> {
    let mut builder = Builder {
        for_program,
        ..Builder::default()
    };
    for (name, text) in sources {
        let file: spec::File = toml::from_str(text).map_err(|e| ScheduleError::Parse {
            file: (*name).to_owned(),
            message: e.to_string(),
        })?;
        builder.add(name, file)?;
    }
    builder.finish()
}

#[derive(Default)]
struct Builder {
    for_program: bool,
    files: Vec<FileInfo>,
    live: Option<Period>,
    vaccines: Vec<Vaccine>,
    vaccine_index: HashMap<String, VaccineId>,
    products: Vec<Product>,
    gtin_index: HashMap<String, usize>,
    series: Vec<Series>,
    series_index: HashMap<String, usize>,
}

/// Names where in which file a problem is; the data is schedule data, never personal.
struct At<'a> {
    file: &'a str,
    path: String,
}

impl At<'_> {
    fn err(&self, problem: impl Into<String>) -> ScheduleError {
        ScheduleError::Invalid {
            file: self.file.to_owned(),
            path: self.path.clone(),
            problem: problem.into(),
        }
    }

    fn at(&self, more: &str) -> At<'_> {
        At {
            file: self.file,
            path: format!("{}.{more}", self.path),
        }
    }

    fn date(&self, field: &str, text: &str) -> Result<Date, ScheduleError> {
        iso_date::parse(text).ok_or_else(|| self.err(format!("{field} is not a YYYY-MM-DD date")))
    }

    fn opt_date(&self, field: &str, text: Option<&String>) -> Result<Option<Date>, ScheduleError> {
        text.map(|t| self.date(field, t)).transpose()
    }

    fn age(&self, field: &str, text: Option<&String>) -> Result<Option<Period>, ScheduleError> {
        text.map(|t| match Period::parse(t) {
            Some(p) if !p.has_half() => Ok(p),
            _ => Err(self.err(format!(
                "{field} must be an age such as 2m, 3y, 6w0d or 0d (no half months)"
            ))),
        })
        .transpose()
    }

    fn bound(&self, field: &str, text: Option<&String>) -> Result<Option<AgeBound>, ScheduleError> {
        text.map(|t| {
            AgeBound::parse(t).ok_or_else(|| {
                self.err(format!(
                    "{field} must be an age such as 2m or 3y, or fyN for the fiscal year of age N"
                ))
            })
        })
        .transpose()
    }

    fn span(&self, field: &str, text: &str) -> Result<Period, ScheduleError> {
        Period::parse(text).ok_or_else(|| {
            self.err(format!(
                "{field} must be an interval such as 27d, 6m, 2.5m or 1y"
            ))
        })
    }
}

impl Builder {
    fn code(&self, text: &str) -> Code {
        if self.for_program {
            Code::from_static(Box::leak(text.to_owned().into_boxed_str()))
        } else {
            Code::new(text)
        }
    }

    fn add(&mut self, name: &str, file: spec::File) -> Result<(), ScheduleError> {
        let at = At {
            file: name,
            path: "meta".to_owned(),
        };
        self.files.push(FileInfo {
            id: file.meta.id,
            title_ja: file.meta.title_ja,
            as_of: at.date("as_of", &file.meta.as_of)?,
            legal_basis: file.meta.legal_basis,
            note: file.meta.note,
        });
        if let Some(rules) = file.rules {
            let at = At {
                file: name,
                path: "rules".to_owned(),
            };
            if rules.source.trim().is_empty() {
                return Err(at.err("source is empty; name the legal basis"));
            }
            let live = at.span("injectable_live_interval", &rules.injectable_live_interval)?;
            if self.live.is_some_and(|existing| existing != live) {
                return Err(at.err("a later file may not change the injectable live interval"));
            }
            self.live = Some(live);
        }
        for (i, v) in file.vaccines.into_iter().enumerate() {
            self.add_vaccine(
                &At {
                    file: name,
                    path: format!("vaccines[{i}]"),
                },
                v,
            )?;
        }
        for (i, p) in file.products.into_iter().enumerate() {
            self.add_product(
                &At {
                    file: name,
                    path: format!("products[{i}]"),
                },
                p,
            )?;
        }
        for s in file.series {
            let at = At {
                file: name,
                path: format!("series[{}]", s.id),
            };
            self.add_series(&at, s)?;
        }
        Ok(())
    }

    fn add_vaccine(&mut self, at: &At<'_>, v: spec::VaccineSpec) -> Result<(), ScheduleError> {
        if self.vaccine_index.contains_key(&v.id) {
            return Err(at.err("duplicate vaccine id"));
        }
        if self.vaccines.len() >= MAX_VACCINES {
            return Err(at.err(format!("more than {MAX_VACCINES} vaccines")));
        }
        let kind = v
            .kind
            .as_deref()
            .map(|k| VaccinationKind::from_code(k).ok_or_else(|| at.err("unknown kind code")))
            .transpose()?;
        let id =
            VaccineId::try_from(self.vaccines.len()).map_err(|_| at.err("too many vaccines"))?;
        self.vaccine_index.insert(v.id.clone(), id);
        self.vaccines.push(Vaccine {
            id: self.code(&v.id),
            kind,
            name_ja: v.name_ja,
            name_en: v.name_en,
            live_injectable: v.live_injectable,
            use_from: at.opt_date("use_from", v.use_from.as_ref())?,
            use_until: at.opt_date("use_until", v.use_until.as_ref())?,
            note: v.note,
        });
        Ok(())
    }

    fn add_product(&mut self, at: &At<'_>, p: spec::ProductSpec) -> Result<(), ScheduleError> {
        let gtin = Gtin::parse(&p.gtin).map_err(|e| at.err(format!("gtin: {e}")))?;
        let vaccine_id = self.vaccine(at, &p.vaccine)?;
        let index = self.products.len();
        let fourteen = gtin.as_gtin14();
        let mut forms = vec![fourteen.clone()];
        if let Some(thirteen) = fourteen.strip_prefix('0') {
            forms.push(thirteen.to_owned());
        }
        for form in forms {
            if self.gtin_index.insert(form, index).is_some() {
                return Err(at.err("duplicate GTIN"));
            }
        }
        self.products.push(Product {
            gtin,
            vaccine: self.code(&p.vaccine),
            brand_ja: p.brand_ja,
            maker_ja: p.maker_ja,
            sample_gtin: p.sample_gtin,
            vaccine_id,
        });
        Ok(())
    }

    fn vaccine(&self, at: &At<'_>, id: &str) -> Result<VaccineId, ScheduleError> {
        self.vaccine_index
            .get(id)
            .copied()
            .ok_or_else(|| at.err(format!("unknown vaccine id {id}")))
    }

    fn vaccine_set(&self, at: &At<'_>, ids: &[String]) -> Result<VaccineSet, ScheduleError> {
        let mut set = VaccineSet::default();
        for id in ids {
            set.insert(self.vaccine(at, id)?);
        }
        Ok(set)
    }

    fn earlier_series(&self, at: &At<'_>, id: &str) -> Result<usize, ScheduleError> {
        self.series_index
            .get(id)
            .copied()
            .ok_or_else(|| at.err(format!("{id} must be a series defined earlier")))
    }

    fn add_series(&mut self, at: &At<'_>, s: spec::SeriesSpec) -> Result<(), ScheduleError> {
        if self.series_index.contains_key(&s.id) {
            return Err(at.err("duplicate series id"));
        }
        if self.series.len() >= MAX_SERIES {
            return Err(at.err(format!("more than {MAX_SERIES} series")));
        }
        if s.source.trim().is_empty() {
            return Err(at.err("source is empty; name the legal basis"));
        }
        let kind = s
            .kind
            .as_deref()
            .map(|k| VaccinationKind::from_code(k).ok_or_else(|| at.err("unknown kind code")))
            .transpose()?;
        let (name_ja, name_en) = match (s.name_ja, s.name_en, kind) {
            (Some(ja), Some(en), _) => (ja, en),
            (None, None, Some(kind)) => match s.stage {
                Some(stage) => (
                    format!("{} 第{stage}期", kind.name_ja()),
                    format!("{}, stage {stage}", kind.name_en()),
                ),
                None => (kind.name_ja().to_owned(), kind.name_en().to_owned()),
            },
            _ => return Err(at.err("give name_ja and name_en, or a kind to take them from")),
        };
        let vaccines = self.vaccine_set(at, &s.vaccines)?;
        if vaccines.is_empty() {
            return Err(at.err("vaccines is empty"));
        }
        let category = match s.category {
            spec::CategorySpec::A => SeriesCategory::A,
            spec::CategorySpec::B => SeriesCategory::B,
            spec::CategorySpec::Voluntary => SeriesCategory::Voluntary,
        };
        let follows = s
            .follows
            .as_deref()
            .map(|id| self.earlier_series(at, id))
            .transpose()?;
        let season = s
            .season
            .map(|season| {
                let at = at.at("season");
                match (
                    MonthDay::parse(&season.from),
                    MonthDay::parse(&season.until),
                ) {
                    (Some(from), Some(until)) => Ok(Season { from, until }),
                    _ => Err(at.err("from and until must be MM-DD days that exist every year")),
                }
            })
            .transpose()?;
        if s.windows.is_empty() {
            return Err(at.err("windows is empty; a series needs an eligible age or period"));
        }
        let mut windows = Vec::with_capacity(s.windows.len());
        for (i, w) in s.windows.iter().enumerate() {
            windows.push(self.window(&at.at(&format!("windows[{i}]")), w)?);
        }
        if s.plans.is_empty() {
            return Err(at.err("plans is empty"));
        }
        let mut plans = Vec::with_capacity(s.plans.len());
        let mut plan_ids: Vec<&str> = Vec::new();
        for p in &s.plans {
            let at = at.at(&format!("plans[{}]", p.id));
            if plan_ids.contains(&p.id.as_str()) {
                return Err(at.err("duplicate plan id"));
            }
            plan_ids.push(&p.id);
            plans.push(self.plan(&at, p, vaccines)?);
        }
        if season.is_some() && plans.iter().any(|p| p.doses.len() != 1) {
            return Err(at.err("a seasonal series has one dose per season"));
        }
        let required = windows.iter().filter_map(|w| w.requires_complete);
        for earlier in follows.into_iter().chain(required) {
            self.series[earlier].has_dependents = true;
        }
        self.series_index.insert(s.id.clone(), self.series.len());
        self.series.push(Series {
            code: self.code(&s.id),
            kind,
            stage: s.stage,
            first_dose_number: s.first_dose_number.unwrap_or(1),
            category,
            name_ja,
            name_en,
            sex: s.sex,
            vaccines,
            only_if_history_has: self.vaccine_set(at, &s.only_if_history_has)?,
            unless_history_has: self.vaccine_set(at, &s.unless_history_has)?,
            follows,
            has_dependents: false,
            count_only_within_windows: s.count_only_within_windows,
            season,
            source: s.source,
            note: s.note,
            windows,
            plans,
        });
        Ok(())
    }

    fn window(&self, at: &At<'_>, w: &spec::WindowSpec) -> Result<Window, ScheduleError> {
        let requires_dose_between = w
            .requires_dose_between
            .as_ref()
            .map(|[from, until]| {
                Ok::<_, ScheduleError>((
                    at.date("requires_dose_between", from)?,
                    at.date("requires_dose_between", until)?,
                ))
            })
            .transpose()?;
        Ok(Window {
            special: w.special,
            from: at.bound("from", w.from.as_ref())?,
            until: at.bound("until", w.until.as_ref())?,
            born_from: at.opt_date("born_from", w.born_from.as_ref())?,
            born_until: at.opt_date("born_until", w.born_until.as_ref())?,
            date_from: at.opt_date("date_from", w.date_from.as_ref())?,
            date_until: at.opt_date("date_until", w.date_until.as_ref())?,
            requires_flag: w.requires_flag.is_some(),
            requires_dose_between,
            requires_complete: w
                .requires_complete
                .as_deref()
                .map(|id| self.earlier_series(at, id))
                .transpose()?,
        })
    }

    fn plan(
        &self,
        at: &At<'_>,
        p: &spec::PlanSpec,
        series_vaccines: VaccineSet,
    ) -> Result<Plan, ScheduleError> {
        let vaccines = match &p.vaccines {
            Some(ids) => self.vaccine_set(at, ids)?,
            None => series_vaccines,
        };
        if vaccines.is_empty() || !vaccines.is_subset_of(series_vaccines) {
            return Err(at.err("plan vaccines must be a non-empty subset of the series vaccines"));
        }
        let opt_set = |ids: &Option<Vec<String>>| {
            ids.as_ref()
                .map(|ids| self.vaccine_set(at, ids))
                .transpose()
        };
        if p.doses.is_empty() || p.doses.len() > MAX_DOSES {
            return Err(at.err(format!("a plan has 1 to {MAX_DOSES} doses")));
        }
        let mut doses = Vec::with_capacity(p.doses.len());
        for (i, d) in p.doses.iter().enumerate() {
            doses.push(self.dose(&at.at(&format!("doses[{i}]")), d, i)?);
        }
        let live =
            self.vaccines.iter().enumerate().any(|(i, v)| {
                v.live_injectable && u8::try_from(i).is_ok_and(|i| vaccines.contains(i))
            });
        Ok(Plan {
            id: self.code(&p.id),
            label_ja: p.label_ja.clone(),
            label_en: p.label_en.clone(),
            vaccines,
            first_vaccines: opt_set(&p.first_vaccines)?,
            first_age_from: at.age("first_age_from", p.first_age_from.as_ref())?,
            first_age_after: at.age("first_age_after", p.first_age_after.as_ref())?,
            first_age_until: at.age("first_age_until", p.first_age_until.as_ref())?,
            when_history_has: opt_set(&p.when_history_has)?,
            born_from: at.opt_date("born_from", p.born_from.as_ref())?,
            born_until: at.opt_date("born_until", p.born_until.as_ref())?,
            live,
            doses,
        })
    }

    fn dose(
        &self,
        at: &At<'_>,
        d: &spec::DoseSpec,
        index: usize,
    ) -> Result<DoseRule, ScheduleError> {
        let intervals = |specs: &[spec::IntervalSpec]| -> Result<Vec<Interval>, ScheduleError> {
            specs
                .iter()
                .map(|s| {
                    let from = match &s.from {
                        spec::FromSpec::Named(name) if name == "previous" => IntervalFrom::Previous,
                        spec::FromSpec::Dose(n) if *n >= 1 && usize::from(*n) <= index => {
                            IntervalFrom::Dose(usize::from(*n) - 1)
                        }
                        _ => {
                            return Err(at.err(
                                "interval from must be \"previous\" or the number of an earlier dose",
                            ));
                        }
                    };
                    Ok(Interval {
                        from,
                        min: s.min.as_deref().map(|t| at.span("min", t)).transpose()?,
                        standard_min: s
                            .standard_min
                            .as_deref()
                            .map(|t| at.span("standard_min", t))
                            .transpose()?,
                        standard_max: s
                            .standard_max
                            .as_deref()
                            .map(|t| at.span("standard_max", t))
                            .transpose()?,
                    })
                })
                .collect()
        };
        Ok(DoseRule {
            label_ja: self.code(&d.label_ja),
            label_en: self.code(&d.label_en),
            min_age: at.age("min_age", d.min_age.as_ref())?,
            max_age: at.age("max_age", d.max_age.as_ref())?,
            standard_from: at.bound("standard_from", d.standard_from.as_ref())?,
            standard_until: at.bound("standard_until", d.standard_until.as_ref())?,
            skip_after: at.age("skip_after", d.skip_after.as_ref())?,
            skip_if_previous_after: at
                .age("skip_if_previous_after", d.skip_if_previous_after.as_ref())?,
            intervals: intervals(&d.intervals)?,
            intervals_after_skip: d
                .intervals_after_skip
                .as_ref()
                .map(|specs| intervals(specs))
                .transpose()?,
        })
    }

    fn finish(self) -> Result<Schedule, ScheduleError> {
        let live_interval = self.live.ok_or_else(|| ScheduleError::Invalid {
            file: self.files.first().map(|f| f.id.clone()).unwrap_or_default(),
            path: "rules".to_owned(),
            problem: "no file sets rules.injectable_live_interval".to_owned(),
        })?;
        Ok(Schedule {
            files: self.files,
            live_interval,
            vaccines: self.vaccines,
            vaccine_index: self.vaccine_index,
            products: self.products,
            gtin_index: self.gtin_index,
            series: self.series,
        })
    }
}
