//! Which questionnaires a person can fill in now: the routine schedule engine
//! (`sesshu_domain::schedule`) evaluates the person's records on today's date; a series that is
//! due now or overdue, or opens within [`UPCOMING_DAYS`], makes every setting whose template
//! serves its vaccination kind fillable.

use sesshu_domain::person::{SubjectCategory, TargetPerson};
use sesshu_domain::questionnaire::VaccinationSettingId;
use sesshu_domain::questionnaire_api::DueVaccination;
use sesshu_domain::record::{VaccinationKind, VaccinationRecord};
use sesshu_domain::schedule::{self, Dose, Schedule, Status, Subject};
use time::{Date, Duration};

use crate::error::CoreError;

/// A series opening within this many days already makes its form fillable, so a parent can
/// prepare the form before the appointment.
pub const UPCOMING_DAYS: i64 = 30;

/// The doses of `records` as the schedule reads them: the scanned product when the schedule
/// knows its GTIN, otherwise the first vaccine of the record's kind; records of kinds the
/// schedule does not cover are left out (they cannot count for any series).
fn doses(schedule: &Schedule, records: &[VaccinationRecord]) -> Vec<Dose> {
    records
        .iter()
        .filter(|r| r.latest && !r.deleted)
        .filter_map(|r| {
            if let Some(gtin) = r.gtin.as_ref().filter(|g| schedule.product(g).is_some()) {
                return Some(Dose::product(r.vaccinated_on, gtin.clone()));
            }
            schedule
                .vaccines()
                .iter()
                .find(|v| v.kind == Some(r.vaccination_kind))
                .map(|v| Dose::vaccine(r.vaccinated_on, v.id.as_str()))
        })
        .collect()
}

/// The vaccinations the person can be given now or within [`UPCOMING_DAYS`], by the routine
/// schedule, in the schedule's order.
pub fn due_vaccinations(
    person: &TargetPerson,
    today: Date,
    records: &[VaccinationRecord],
) -> Result<Vec<DueVaccination>, CoreError> {
    let routine =
        Schedule::routine().map_err(|e| CoreError::Corrupt(format!("routine schedule: {e}")))?;
    let subject = Subject {
        birth_date: person.birth_date,
        sex: person.sex,
        high_risk_60_to_64: person.subject_category == SubjectCategory::DisabledAged60To64,
    };
    let statuses = schedule::evaluate(routine, &subject, &doses(routine, records), today)
        .map_err(|e| CoreError::Corrupt(format!("schedule evaluation: {e}")))?;
    let horizon = today + Duration::days(UPCOMING_DAYS);
    let mut due = Vec::new();
    for status in statuses {
        let Some(kind) = status.kind else { continue };
        let (code, opens_on) = match status.status {
            Status::DueNow => ("due_now", None),
            Status::Overdue => ("overdue", None),
            Status::Upcoming { opens_on } if opens_on <= horizon => ("upcoming", Some(opens_on)),
            _ => continue,
        };
        let info = routine.series().find(|s| s.id == &status.series);
        due.push(DueVaccination {
            kind,
            name_ja: info.map_or_else(|| kind.name_ja().to_owned(), |s| s.name_ja.to_owned()),
            name_en: info.map_or_else(|| kind.name_en().to_owned(), |s| s.name_en.to_owned()),
            status: code.to_owned(),
            dose_number: status.next_dose.as_ref().map(|n| n.dose_number),
            opens_on,
        });
    }
    Ok(due)
}

/// The settings fillable now: each template (setting, the kinds it serves) with the due
/// vaccinations it serves; settings serving none are left out.
pub fn fillable_settings<'a>(
    templates: impl IntoIterator<Item = (&'a VaccinationSettingId, &'a [VaccinationKind])>,
    due: &[DueVaccination],
) -> Vec<(VaccinationSettingId, Vec<DueVaccination>)> {
    templates
        .into_iter()
        .filter_map(|(setting, kinds)| {
            let served: Vec<DueVaccination> = due
                .iter()
                .filter(|d| kinds.contains(&d.kind))
                .cloned()
                .collect();
            (!served.is_empty()).then(|| (setting.clone(), served))
        })
        .collect()
}
