//! The schedule engine (`sesshu_domain::schedule`) over stored persons and records: a person's
//! status per vaccination for staff and residents, and [`schedule_check`], whether a proposed
//! vaccination may be given (the clinic's check reuses it).
//!
//! [`history`] turns records into the engine's doses.

pub mod history;

use sesshu_domain::SubjectNo;
use sesshu_domain::person::{SubjectCategory, TargetPerson};
use sesshu_domain::record::VaccinationRecord;
use sesshu_domain::schedule::{
    self, Given, Schedule, SeriesCategory, SeriesStatus, Status, Subject, Verdict,
};
use sesshu_domain::schedule_api::{
    HistoryDose, PersonSchedule, ResidentPersonSchedule, ScheduleCheckRequest, ScheduleEntry,
    SeriesOption,
};
use sesshu_domain::staff::Duty;
use time::{Date, Duration};

use crate::error::CoreError;
use crate::records;
use crate::staff::StaffContext;
use crate::tenancy::Tenant;

/// Residents see upcoming vaccinations that open within this many days.
pub const RESIDENT_UPCOMING_DAYS: i64 = 365;

/// The shipped routine schedule.
pub fn routine() -> Result<&'static Schedule, CoreError> {
    Schedule::routine().map_err(|_| CoreError::Corrupt("the routine schedule does not load".into()))
}

/// What the engine needs of a person: birth date, sex, and the 60–64 high-risk category.
pub fn subject_of(person: &TargetPerson) -> Subject {
    Subject {
        birth_date: person.birth_date,
        sex: person.sex,
        high_risk_60_to_64: person.subject_category == SubjectCategory::DisabledAged60To64,
    }
}

/// Every series for `person` with `records` on `on`, and how the records were read.
pub fn evaluate(
    schedule: &Schedule,
    person: &TargetPerson,
    records: &[VaccinationRecord],
    on: Date,
) -> Result<(Vec<SeriesStatus>, Vec<HistoryDose>), CoreError> {
    let (doses, read) = history::doses(schedule, records);
    let statuses = schedule::evaluate(schedule, &subject_of(person), &doses, on)
        .map_err(|_| CoreError::Corrupt("a history the schedule cannot read".into()))?;
    Ok((statuses, read))
}

/// The Japanese and English names of a series.
pub fn series_names(schedule: &Schedule, series: &str) -> (String, String) {
    schedule.series().find(|s| s.id == series).map_or_else(
        || (series.to_owned(), series.to_owned()),
        |s| (s.name_ja.to_owned(), s.name_en.to_owned()),
    )
}

/// The statuses with the names people read.
pub fn entries(schedule: &Schedule, statuses: Vec<SeriesStatus>) -> Vec<ScheduleEntry> {
    statuses
        .into_iter()
        .map(|status| {
            let (name_ja, name_en) = series_names(schedule, status.series.as_str());
            ScheduleEntry {
                status,
                name_ja,
                name_en,
            }
        })
        .collect()
}

/// Every series of the schedule, for pick lists.
pub fn series_options(schedule: &Schedule) -> Vec<SeriesOption> {
    schedule
        .series()
        .map(|s| SeriesOption {
            id: s.id.as_str().to_owned(),
            kind: s.kind,
            category: s.category,
            name_ja: s.name_ja.to_owned(),
            name_en: s.name_en.to_owned(),
        })
        .collect()
}

/// The department duty a series belongs to.
pub fn duty_of(category: SeriesCategory) -> Duty {
    match category {
        SeriesCategory::A => Duty::ChildRoutine,
        SeriesCategory::B => Duty::ElderlyRoutine,
        SeriesCategory::Voluntary => Duty::Voluntary,
    }
}

/// Whether a proposed vaccination (`proposed`, a product or a vaccine of the schedule) may be
/// given to the person on `date`, given their records. `NotFound` for an unknown person;
/// `Invalid` for a product or vaccine the schedule does not know.
pub async fn schedule_check(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    proposed: &Given,
    date: Date,
) -> Result<Verdict, CoreError> {
    let (person, _) = crate::persons::get(tenant, subject_no)
        .await?
        .ok_or(CoreError::NotFound)?;
    let records = records::list(tenant, subject_no).await?;
    let schedule = routine()?;
    let (doses, _) = history::doses(schedule, &records);
    schedule::check_proposed(schedule, &subject_of(&person), &doses, proposed, date).map_err(
        |_| {
            CoreError::Invalid(
                "the product or vaccine is not in the schedule; scan the GTIN again or pick a vaccine from the list"
                    .into(),
            )
        },
    )
}

/// Staff: a person's schedule on `on`, for the series within the caller's duties.
pub async fn person_schedule(
    ctx: &StaffContext,
    subject_no: &str,
    on: Date,
    today: Date,
) -> Result<PersonSchedule, CoreError> {
    let (person, _) = crate::staff::persons_admin::scoped(ctx, subject_no, today).await?;
    let records = records::list(&ctx.tenant, &person.subject_no).await?;
    let schedule = routine()?;
    let (statuses, history) = evaluate(schedule, &person, &records, on)?;
    let duties = ctx.duties();
    let statuses = statuses
        .into_iter()
        .filter(|s| duties.contains(&duty_of(s.category)))
        .collect();
    Ok(PersonSchedule {
        subject_no: person.subject_no.as_str().to_owned(),
        on,
        entries: entries(schedule, statuses),
        history,
        recommendation: crate::recommendations::notices::recommendation(
            &ctx.tenant,
            &person.subject_no,
        )
        .await?,
    })
}

/// Staff: [`schedule_check`] for a person within the caller's duties.
pub async fn check(
    ctx: &StaffContext,
    request: &ScheduleCheckRequest,
    today: Date,
) -> Result<Verdict, CoreError> {
    let given = match (request.vaccine.as_deref(), request.gtin.as_deref()) {
        (Some(vaccine), None) if !vaccine.trim().is_empty() => {
            Given::Vaccine(vaccine.trim().to_owned())
        }
        (None, Some(gtin)) => {
            Given::Product(sesshu_domain::Gtin::parse(gtin.trim()).map_err(|_| {
                CoreError::Invalid(
                    "the GTIN is not 13 or 14 digits with a valid check digit".into(),
                )
            })?)
        }
        _ => {
            return Err(CoreError::Invalid(
                "give either vaccine (a schedule vaccine id) or gtin, not both".into(),
            ));
        }
    };
    let (person, _) = crate::staff::persons_admin::scoped(ctx, &request.subject_no, today).await?;
    schedule_check(&ctx.tenant, &person.subject_no, &given, request.date).await
}

/// Residents: the vaccinations that are due or coming for a person they may see.
pub async fn resident_view(
    tenant: &Tenant,
    person: &TargetPerson,
    on: Date,
) -> Result<Vec<ScheduleEntry>, CoreError> {
    let records = records::list(tenant, &person.subject_no).await?;
    let schedule = routine()?;
    let (statuses, _) = evaluate(schedule, person, &records, on)?;
    let horizon = on + Duration::days(RESIDENT_UPCOMING_DAYS);
    let shown = statuses
        .into_iter()
        .filter(|s| match s.status {
            Status::DueNow | Status::Overdue | Status::TooEarly | Status::IntervalNotMet => true,
            Status::Upcoming { opens_on } => opens_on <= horizon,
            Status::Complete | Status::PastEligibility | Status::NotApplicable => false,
        })
        .collect();
    Ok(entries(schedule, shown))
}

/// A resident's schedule entry list for one person, ready to send.
pub async fn resident_person_schedule(
    access: &crate::questionnaires::resident::PersonAccess,
    municipality: sesshu_domain::dto::MunicipalityRef,
    handle: Option<String>,
    on: Date,
) -> Result<ResidentPersonSchedule, CoreError> {
    Ok(ResidentPersonSchedule {
        handle,
        municipality,
        on,
        entries: resident_view(&access.tenant, &access.person, on).await?,
    })
}
