//! Which notices a person is due today under a rule set, and their texts. Shared by the job
//! (which stores and sends them) and the staff preview (which only shows them).

use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::recommendation::decide::{self, Occasion, PastNotice};
use sesshu_domain::recommendation::render::{self, Values};
use sesshu_domain::recommendation::{Rule, RuleSet, Trigger};
use sesshu_domain::schedule::{Schedule, SeriesStatus};
use time::{Date, Duration};

use super::notices::StoredNotice;

/// A notice's texts in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
}

/// A notice the rules call for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub rule_id: String,
    pub trigger: &'static str,
    pub series: String,
    pub dose_number: u8,
    pub occasion: String,
    pub texts: Texts,
    /// Why it is not sent now: `already_sent` (it exists) or `quiet_period`.
    pub held_back: Option<&'static str>,
}

/// What rendering needs besides the rule.
pub struct Setting<'a> {
    pub schedule: &'a Schedule,
    pub rules: &'a RuleSet,
    pub municipality: &'a MunicipalityRef,
    pub today: Date,
}

/// The timing view of stored notices.
pub fn past_of(notices: &[&StoredNotice]) -> Vec<PastNotice> {
    notices
        .iter()
        .map(|n| PastNotice {
            rule_id: n.rule_id.clone(),
            series: n.series.clone(),
            dose_number: n.dose_number,
            occasion: n.occasion.clone(),
            created_on: n.recommended_on,
            suppressed: n.delivery.state == sesshu_domain::schedule_api::DeliveryState::Suppressed,
        })
        .collect()
}

/// Every notice the enabled rules (or only `only_rule`) call for, given the person's statuses
/// and earlier notices, in rule order then schedule order.
pub fn plan(
    setting: &Setting<'_>,
    statuses: &[SeriesStatus],
    past: &[PastNotice],
    only_rule: Option<&str>,
) -> Vec<Planned> {
    let mut out = Vec::new();
    for rule in &setting.rules.rules {
        if only_rule.is_some_and(|id| id != rule.id) {
            continue;
        }
        let quiet = decide::in_quiet_period(rule, past, setting.today);
        for status in statuses {
            let Some(occasion) = decide::occasion(rule, status, setting.today, past) else {
                continue;
            };
            let already = past.iter().any(|p| {
                p.rule_id == rule.id
                    && p.series == status.series.as_str()
                    && p.dose_number == occasion.dose_number
                    && p.occasion == occasion.key
            });
            let held_back = if already {
                Some("already_sent")
            } else if quiet {
                Some("quiet_period")
            } else {
                None
            };
            out.push(Planned {
                rule_id: rule.id.clone(),
                trigger: rule.trigger.code(),
                series: status.series.as_str().to_owned(),
                dose_number: occasion.dose_number,
                texts: texts(
                    setting,
                    rule,
                    &vaccination_names(setting.schedule, status),
                    &occasion,
                ),
                occasion: occasion.key,
                held_back,
            });
        }
    }
    out
}

/// `{vaccination}` in both languages: the series' name, with the dose when it has several.
fn vaccination_names(schedule: &Schedule, status: &SeriesStatus) -> (String, String) {
    let (name_ja, name_en) = crate::schedule::series_names(schedule, status.series.as_str());
    match &status.next_dose {
        Some(next) if status.doses_required > 1 => (
            format!("{name_ja}（{}）", next.label_ja),
            format!("{name_en} ({})", next.label_en),
        ),
        _ => (name_ja, name_en),
    }
}

fn texts(
    setting: &Setting<'_>,
    rule: &Rule,
    (vaccination_ja, vaccination_en): &(String, String),
    occasion: &Occasion,
) -> Texts {
    let values = |lang: &str, vaccination: &str, municipality: &str| Values {
        vaccination: vaccination.to_owned(),
        opens_on: occasion.opens_on,
        latest: occasion.latest,
        municipality: municipality.to_owned(),
        contact: setting.rules.contact(lang).to_owned(),
    };
    let ja = values("ja", vaccination_ja, &setting.municipality.name_ja);
    let en = values("en", vaccination_en, &setting.municipality.name_en);
    let text = |lang: &str, values: &Values| {
        rule.text(lang).map_or_else(
            || (String::new(), String::new()),
            |t| {
                (
                    render::render(&t.title, lang, values),
                    render::render(&t.body, lang, values),
                )
            },
        )
    };
    let (title_ja, body_ja) = text("ja", &ja);
    let (title_en, body_en) = text("en", &en);
    Texts {
        title_ja,
        body_ja,
        title_en,
        body_en,
    }
}

/// The rule's texts for invented values: its first series, opening `days_before` from
/// `today` (or today), eligible for a year.
pub fn sample(setting: &Setting<'_>, rule: &Rule) -> Option<Planned> {
    let info = setting.schedule.series().find(|s| {
        rule.series.iter().any(|id| s.id == id.as_str()) || rule.categories.contains(&s.category)
    })?;
    let opens_on = match rule.trigger {
        Trigger::Upcoming { days_before } => setting.today + Duration::days(i64::from(days_before)),
        Trigger::DueNow | Trigger::Overdue { .. } => setting.today,
    };
    let occasion = Occasion {
        key: "sample".to_owned(),
        dose_number: 1,
        opens_on,
        latest: Some(opens_on + Duration::days(365)),
    };
    Some(Planned {
        rule_id: rule.id.clone(),
        trigger: rule.trigger.code(),
        series: info.id.as_str().to_owned(),
        dose_number: 1,
        texts: texts(
            setting,
            rule,
            &(info.name_ja.to_owned(), info.name_en.to_owned()),
            &occasion,
        ),
        occasion: occasion.key,
        held_back: None,
    })
}
