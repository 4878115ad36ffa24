//! The admin surface's use cases: the rules (`manage_recommendations`), previews, a person's
//! notices and their delivery, the runs, and the worklist of people missing a vaccination
//! with its CSV export. Permission first, then the department's duties, before personal data.

use std::collections::BTreeSet;

use sesshu_domain::SubjectNo;
use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::person::{Sex, TargetPerson};
use sesshu_domain::recommendation::{RuleSet, render};
use sesshu_domain::schedule_api::{
    PreviewNotice, PreviewRequest, PreviewResult, RuleCheck, RuleSetUpdate, RuleSetView, RunReport,
    StaffNotice, WorklistPage, WorklistRow,
};
use sesshu_domain::staff::{Permission, person_duties};
use sesshu_interchange::CsvWriter;
use sesshu_interchange::encoding::TextEncoding;
use time::{Date, OffsetDateTime};

use super::plan::{self, Planned, Setting};
use super::worklist::{self, AgeFilter, Entry, ListKind};
use super::{job, notices, rules};
use crate::error::CoreError;
use crate::staff::StaffContext;
use crate::staff::persons_admin::scoped;

/// The rules in force, with what an editor needs beside them.
pub async fn rules_view(ctx: &StaffContext) -> Result<RuleSetView, CoreError> {
    ctx.require(Permission::ManageRecommendations)?;
    let stored = rules::current(&ctx.tenant).await?;
    Ok(RuleSetView {
        version: stored.version,
        is_default: stored.is_default(),
        rule_set: stored.rule_set,
        placeholders: render::PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect(),
        series: crate::schedule::series_options(crate::schedule::routine()?),
    })
}

/// Every problem of a draft, without saving it.
pub fn validate_rules(ctx: &StaffContext, rule_set: &RuleSet) -> Result<RuleCheck, CoreError> {
    ctx.require(Permission::ManageRecommendations)?;
    let errors = rules::check(rule_set)?;
    Ok(RuleCheck {
        ok: errors.is_empty(),
        errors,
    })
}

/// Saves new rules; returns them and what changed, for the operation log (`rule:<id>` for
/// each rule added, removed or changed, `contact` when the contact line changed).
pub async fn update_rules(
    ctx: &StaffContext,
    update: &RuleSetUpdate,
    at: OffsetDateTime,
) -> Result<(RuleSetView, Vec<String>), CoreError> {
    ctx.require(Permission::ManageRecommendations)?;
    let before = rules::current(&ctx.tenant).await?;
    rules::save(
        &ctx.tenant,
        &update.rule_set,
        update.version,
        &ctx.account.user_id,
        at,
    )
    .await?;
    let changed = changes(&before.rule_set, &update.rule_set);
    Ok((rules_view(ctx).await?, changed))
}

fn changes(before: &RuleSet, after: &RuleSet) -> Vec<String> {
    let ids: BTreeSet<&str> = before
        .rules
        .iter()
        .chain(&after.rules)
        .map(|r| r.id.as_str())
        .collect();
    let mut changed: Vec<String> = ids
        .into_iter()
        .filter(|id| before.rule(id) != after.rule(id))
        .map(|id| format!("rule:{id}"))
        .collect();
    if before.contact != after.contact {
        changed.push("contact".to_owned());
    }
    changed
}

/// A rule rendered for a sample, or for a person as the next run would produce it (nothing
/// stored or sent). Returns the person's subject number when one was read, for the log.
pub async fn preview(
    ctx: &StaffContext,
    request: &PreviewRequest,
    municipality: &MunicipalityRef,
    today: Date,
) -> Result<(PreviewResult, Option<String>), CoreError> {
    ctx.require(Permission::ManageRecommendations)?;
    let rule_set = match &request.rule_set {
        Some(draft) => {
            let errors = rules::check(draft)?;
            if !errors.is_empty() {
                return Err(CoreError::InvalidRules(errors));
            }
            draft.clone()
        }
        None => rules::current(&ctx.tenant).await?.rule_set,
    };
    let rule = rule_set.rule(&request.rule_id).ok_or(CoreError::NotFound)?;
    let schedule = crate::schedule::routine()?;
    let on = request.on.unwrap_or(today);
    let setting = Setting {
        schedule,
        rules: &rule_set,
        municipality,
        today: on,
    };
    let Some(subject_no) = request.subject_no.as_deref() else {
        let notices = plan::sample(&setting, rule)
            .into_iter()
            .map(shown)
            .collect();
        return Ok((
            PreviewResult {
                sample: true,
                notices,
            },
            None,
        ));
    };
    let (person, _) = scoped(ctx, subject_no, today).await?;
    let records = crate::records::list(&ctx.tenant, &person.subject_no).await?;
    let (statuses, _) = crate::schedule::evaluate(schedule, &person, &records, on)?;
    let stored = notices::list(&ctx.tenant, &person.subject_no).await?;
    let past = plan::past_of(&stored.iter().map(|(n, _)| n).collect::<Vec<_>>());
    let flagged = person.control_flags.hides_from_resident() || person.control_flags.recovery;
    let notices = plan::plan(&setting, &statuses, &past, Some(&rule.id))
        .into_iter()
        .map(|planned| {
            let mut notice = shown(planned);
            if flagged && notice.held_back.is_none() {
                notice.held_back = Some("control_flag".to_owned());
            }
            notice
        })
        .collect();
    Ok((
        PreviewResult {
            sample: false,
            notices,
        },
        Some(person.subject_no.as_str().to_owned()),
    ))
}

fn shown(planned: Planned) -> PreviewNotice {
    PreviewNotice {
        series: planned.series,
        dose_number: planned.dose_number,
        occasion: planned.occasion,
        title_ja: planned.texts.title_ja,
        body_ja: planned.texts.body_ja,
        title_en: planned.texts.title_en,
        body_en: planned.texts.body_en,
        held_back: planned.held_back.map(str::to_owned),
    }
}

/// A person's notices with their delivery state, newest first.
pub async fn person_notices(
    ctx: &StaffContext,
    subject_no: &str,
    today: Date,
) -> Result<Vec<StaffNotice>, CoreError> {
    let (person, _) = scoped(ctx, subject_no, today).await?;
    Ok(notices::list(&ctx.tenant, &person.subject_no)
        .await?
        .iter()
        .map(|(n, _)| n.to_staff())
        .collect())
}

/// The latest runs of the job, newest first.
pub async fn runs(ctx: &StaffContext) -> Result<Vec<RunReport>, CoreError> {
    ctx.require(Permission::ManageRecommendations)?;
    job::reports(&ctx.tenant, 30).await
}

/// Which people a worklist request asks for.
#[derive(Debug, Clone)]
pub struct WorklistQuery {
    pub series: String,
    pub kind: ListKind,
    pub age_from: Option<u32>,
    pub age_to: Option<u32>,
    pub page: Option<String>,
}

const WORKLIST_PAGE: usize = 50;

fn in_duties(ctx: &StaffContext, person: &TargetPerson, today: Date) -> bool {
    let mine = ctx.duties();
    person_duties(person, today)
        .iter()
        .any(|duty| mine.contains(duty))
}

/// The series' duty must be the caller's; an unknown series is `Invalid`.
fn check_series(ctx: &StaffContext, series: &str) -> Result<(), CoreError> {
    let schedule = crate::schedule::routine()?;
    let info = schedule.series().find(|s| s.id == series).ok_or_else(|| {
        CoreError::Invalid(
            "vaccination must be a series id of the schedule, e.g. mr_1; see /schedule/series"
                .into(),
        )
    })?;
    if !ctx
        .duties()
        .contains(&crate::schedule::duty_of(info.category))
    {
        return Err(CoreError::Forbidden("outside_duties".into()));
    }
    Ok(())
}

/// One page of the worklist from the latest run, within the caller's duties.
pub async fn worklist_page(
    ctx: &StaffContext,
    query: &WorklistQuery,
    today: Date,
) -> Result<WorklistPage, CoreError> {
    ctx.require(Permission::ViewPersons)?;
    check_series(ctx, &query.series)?;
    let Some(run) = job::reports(&ctx.tenant, 1).await?.pop() else {
        return Ok(WorklistPage {
            run_on: None,
            rows: Vec::new(),
            next: None,
        });
    };
    let ages = AgeFilter {
        from: query.age_from,
        to: query.age_to,
        today,
    };
    let (entries, next) = worklist::page(
        &ctx.tenant,
        &run.run_id,
        &query.series,
        query.kind,
        ages,
        query.page.as_deref(),
        WORKLIST_PAGE,
    )
    .await?;
    Ok(WorklistPage {
        run_on: Some(run.on),
        rows: rows(ctx, &query.series, entries, today).await?,
        next,
    })
}

async fn rows(
    ctx: &StaffContext,
    series: &str,
    entries: Vec<(SubjectNo, Entry)>,
    today: Date,
) -> Result<Vec<WorklistRow>, CoreError> {
    let subjects: Vec<SubjectNo> = entries.iter().map(|(s, _)| s.clone()).collect();
    let people = crate::persons::get_many(&ctx.tenant, &subjects).await?;
    let recommendations = notices::recommendations(&ctx.tenant, &subjects).await?;
    let mut rows = Vec::with_capacity(entries.len());
    for (((_, entry), person), recommendation) in
        entries.into_iter().zip(people).zip(recommendations)
    {
        let Some((person, _)) = person else { continue };
        if !in_duties(ctx, &person, today) {
            continue;
        }
        rows.push(WorklistRow {
            subject_no: person.subject_no.as_str().to_owned(),
            municipal_business_id: person.municipal_business_id.as_str().to_owned(),
            name: person.name.as_str().to_owned(),
            name_kana: person.name_kana.as_str().to_owned(),
            birth_date: person.birth_date,
            age: sesshu_domain::person::age_on(person.birth_date, today),
            sex: match person.sex {
                Sex::Male => "male",
                Sex::Female => "female",
            }
            .to_owned(),
            series: series.to_owned(),
            status: entry.status,
            doses_counted: entry.doses_counted,
            doses_required: entry.doses_required,
            earliest: entry.earliest,
            latest: entry.latest,
            recommendation,
        });
    }
    Ok(rows)
}

/// The CSV columns of the worklist export (no My Number, ever).
pub const WORKLIST_HEADER: [&str; 16] = [
    "予防接種対象者番号",
    "自治体業務ID",
    "氏名",
    "氏名カナ",
    "生年月日",
    "年齢",
    "性別",
    "住所",
    "保護者氏名",
    "予防接種",
    "状況",
    "接種済回数",
    "必要回数",
    "接種可能日",
    "接種期限",
    "最終勧奨日",
];

/// The whole worklist (every page) as CSV; returns the file and its number of rows.
pub async fn worklist_csv(
    ctx: &StaffContext,
    query: &WorklistQuery,
    encoding: TextEncoding,
    today: Date,
) -> Result<(Vec<u8>, u64), CoreError> {
    ctx.require(Permission::ViewPersons)?;
    ctx.require(Permission::Export)?;
    check_series(ctx, &query.series)?;
    let broken = |_| CoreError::Corrupt("csv".into());
    let mut writer = CsvWriter::new(Vec::new(), encoding);
    writer.write_record(WORKLIST_HEADER).map_err(broken)?;
    let mut rows = 0u64;
    let Some(run) = job::reports(&ctx.tenant, 1).await?.pop() else {
        return Ok((writer.finish().map_err(broken)?, rows));
    };
    let (series_ja, _) = crate::schedule::series_names(crate::schedule::routine()?, &query.series);
    let ages = AgeFilter {
        from: query.age_from,
        to: query.age_to,
        today,
    };
    let mut page = None;
    loop {
        let (entries, next) = worklist::page(
            &ctx.tenant,
            &run.run_id,
            &query.series,
            query.kind,
            ages,
            page.as_deref(),
            500,
        )
        .await?;
        let subjects_here: Vec<SubjectNo> = entries.iter().map(|(s, _)| s.clone()).collect();
        let people = crate::persons::get_many(&ctx.tenant, &subjects_here).await?;
        let recommendations = notices::recommendations(&ctx.tenant, &subjects_here).await?;
        for (((_, entry), person), recommendation) in
            entries.into_iter().zip(people).zip(recommendations)
        {
            let Some((person, _)) = person else { continue };
            if !in_duties(ctx, &person, today) {
                continue;
            }
            let date = |d: Option<Date>| d.map(sesshu_domain::iso_date::format).unwrap_or_default();
            writer
                .write_record([
                    person.subject_no.as_str().to_owned(),
                    person.municipal_business_id.as_str().to_owned(),
                    person.name.as_str().to_owned(),
                    person.name_kana.as_str().to_owned(),
                    sesshu_domain::iso_date::format(person.birth_date),
                    sesshu_domain::person::age_on(person.birth_date, today).to_string(),
                    match person.sex {
                        Sex::Male => "男",
                        Sex::Female => "女",
                    }
                    .to_owned(),
                    person.address.clone(),
                    person
                        .guardian_name
                        .as_ref()
                        .map(|g| g.as_str().to_owned())
                        .unwrap_or_default(),
                    series_ja.clone(),
                    status_ja(&entry.status).to_owned(),
                    entry.doses_counted.to_string(),
                    entry.doses_required.to_string(),
                    date(entry.earliest),
                    date(entry.latest),
                    date(recommendation.map(|r| r.recommended_on)),
                ])
                .map_err(broken)?;
            rows += 1;
        }
        match next {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    Ok((writer.finish().map_err(broken)?, rows))
}

fn status_ja(code: &str) -> &'static str {
    match code {
        "overdue" => "標準的な接種期間を経過",
        "due_now" => "接種時期",
        "too_early" => "接種可能（標準的な期間前）",
        "interval_not_met" => "接種間隔待ち",
        _ => "その他",
    }
}
