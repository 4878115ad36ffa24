//! The admin surface's work on questionnaire templates: list the settings with their versions,
//! read a version, start / edit / check / discard the draft, publish it. Every use case needs
//! the permission `manage_templates`; the guard logs each request.

use std::collections::BTreeMap;

use sesshu_domain::questionnaire::texts::missing_keys;
use sesshu_domain::questionnaire::{Lang, TemplateStatus, TemplateTexts, validate_template};
use sesshu_domain::questionnaire_api::{
    DraftCreate, DraftPublish, DraftSummary, DraftUpdate, TemplateCheck, TemplateOrigin,
    TemplateSetting, TemplateSettings, TemplateVersionSummary, TemplateVersionView,
};
use sesshu_domain::staff::Permission;
use time::OffsetDateTime;

use super::templates::{self, StoredDraft, TemplateVersion};
use crate::error::CoreError;
use crate::staff::StaffContext;

fn require(ctx: &StaffContext) -> Result<(), CoreError> {
    ctx.require(Permission::ManageTemplates)
}

fn doc<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, CoreError> {
    serde_json::to_value(value).map_err(|_| CoreError::Corrupt("template does not encode".into()))
}

fn published_view(version: &TemplateVersion) -> Result<TemplateVersionView, CoreError> {
    Ok(TemplateVersionView {
        setting: version.setting().clone(),
        version: version.version(),
        status: TemplateStatus::Published,
        origin: version.origin,
        revision: 0,
        validity_days: version.validity_days,
        updated_at: version.published_at,
        published_at: version.published_at,
        template: doc(&version.published)?,
        texts: version.texts.clone(),
    })
}

fn draft_view(draft: &StoredDraft) -> Result<TemplateVersionView, CoreError> {
    Ok(TemplateVersionView {
        setting: draft.draft.content.vaccination_setting_id.clone(),
        version: draft.draft.version(),
        status: TemplateStatus::Draft,
        origin: TemplateOrigin::Municipality,
        revision: draft.revision,
        validity_days: draft.validity_days,
        updated_at: Some(draft.updated_at),
        published_at: None,
        template: doc(&draft.draft)?,
        texts: draft.texts.clone(),
    })
}

/// Every setting with its published versions and draft.
pub async fn list(ctx: &StaffContext) -> Result<TemplateSettings, CoreError> {
    require(ctx)?;
    let mut settings = Vec::new();
    for setting in templates::settings() {
        let versions = templates::published_versions(&ctx.tenant, &setting).await?;
        let Some(current) = versions.last() else {
            continue;
        };
        let draft = templates::draft(&ctx.tenant, &setting).await?;
        settings.push(TemplateSetting {
            title_ja: current.title_in(Lang::Ja),
            vaccination_kinds: current.published.content().vaccination_kinds.clone(),
            current_version: current.version(),
            versions: versions
                .iter()
                .map(|v| TemplateVersionSummary {
                    version: v.version(),
                    status: TemplateStatus::Published,
                    origin: v.origin,
                    validity_days: v.validity_days,
                    published_at: v.published_at,
                })
                .collect(),
            draft: draft.map(|d| DraftSummary {
                version: d.draft.version(),
                revision: d.revision,
                updated_at: d.updated_at,
            }),
            setting,
        });
    }
    Ok(TemplateSettings { settings })
}

/// One published version with every stored language.
pub async fn version(
    ctx: &StaffContext,
    setting: &str,
    version: u32,
) -> Result<TemplateVersionView, CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    let found = templates::version(&ctx.tenant, &setting, version)
        .await?
        .ok_or(CoreError::NotFound)?;
    published_view(&found)
}

/// The setting's draft.
pub async fn draft(ctx: &StaffContext, setting: &str) -> Result<TemplateVersionView, CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    let draft = templates::draft(&ctx.tenant, &setting)
        .await?
        .ok_or(CoreError::NotFound)?;
    draft_view(&draft)
}

/// Starts the draft from a published version.
pub async fn create_draft(
    ctx: &StaffContext,
    setting: &str,
    request: &DraftCreate,
    at: OffsetDateTime,
) -> Result<TemplateVersionView, CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    let draft = templates::create_draft(&ctx.tenant, &setting, request.from_version, at).await?;
    draft_view(&draft)
}

/// Replaces the draft's content, texts and validity.
pub async fn update_draft(
    ctx: &StaffContext,
    setting: &str,
    request: DraftUpdate,
    at: OffsetDateTime,
) -> Result<TemplateVersionView, CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    let draft = templates::replace_draft(
        &ctx.tenant,
        &setting,
        request.revision,
        request.content,
        request.texts,
        request.validity_days,
        at,
    )
    .await?;
    draft_view(&draft)
}

/// Discards the draft.
pub async fn delete_draft(
    ctx: &StaffContext,
    setting: &str,
    revision: u64,
) -> Result<(), CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    templates::delete_draft(&ctx.tenant, &setting, revision).await
}

/// The publish checks on the draft, without publishing, and the texts each other language
/// lacks (they would show in Japanese).
pub async fn check_draft(ctx: &StaffContext, setting: &str) -> Result<TemplateCheck, CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    let draft = templates::draft(&ctx.tenant, &setting)
        .await?
        .ok_or(CoreError::NotFound)?;
    let ja = draft
        .texts
        .iter()
        .find(|t| t.lang == Lang::Ja)
        .cloned()
        .unwrap_or_else(|| TemplateTexts::new(Lang::Ja));
    let errors = validate_template(&draft.draft.content, &ja)
        .err()
        .unwrap_or_default();
    let missing_texts: BTreeMap<String, Vec<String>> = draft
        .texts
        .iter()
        .filter(|t| t.lang != Lang::Ja)
        .map(|t| {
            (
                t.lang.code().to_owned(),
                missing_keys(&draft.draft.content, t),
            )
        })
        .filter(|(_, keys)| !keys.is_empty())
        .collect();
    Ok(TemplateCheck {
        valid: errors.is_empty(),
        errors,
        missing_texts,
    })
}

/// Publishes the draft: 422 with every finding if it fails the checks.
pub async fn publish(
    ctx: &StaffContext,
    setting: &str,
    request: &DraftPublish,
    at: OffsetDateTime,
) -> Result<TemplateVersionView, CoreError> {
    require(ctx)?;
    let setting = templates::setting(setting)?;
    let published = templates::publish_draft(&ctx.tenant, &setting, request.revision, at).await?;
    published_view(&published)
}
