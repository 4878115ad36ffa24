//! A municipality's questionnaire templates: the shipped defaults are version 1 of each setting
//! until the municipality publishes its own; its versions live in its table.
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `QTPL#<setting>` | `V#<version, 10 digits>` | a published version: immutable (written once, must not exist) |
//! | `QTPL#<setting>` | `DRAFT` | the one draft, version = newest published + 1 |
//!
//! Templates are not personal data; the items are signed (item MAC) so that a hand-edited
//! store item cannot change a form residents answer, and a published document is checked again
//! when read (`Published`'s deserializer).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::questionnaire::defaults::SHIPPED;
use sesshu_domain::questionnaire::texts::{self, keys};
use sesshu_domain::questionnaire::{
    Draft, Lang, Published, ResolvedTexts, TemplateContent, TemplateTexts, VaccinationSettingId,
};
use sesshu_domain::questionnaire_api::TemplateOrigin;
use sesshu_store::{AttrValue, Condition, Item, Key, Query, StoreError, Write};
use time::OffsetDateTime;

use crate::error::CoreError;
use crate::tenancy::Tenant;

/// Days a submitted form stays usable unless a version says otherwise.
pub const DEFAULT_VALIDITY_DAYS: u16 = 60;
/// Longest validity a version may set.
pub const MAX_VALIDITY_DAYS: u16 = 365;

pub const TEMPLATE_SCHEMA: Schema = Schema {
    name: "questionnaire_template",
    version: 1,
    attributes: &[
        ("doc", Protection::SignOnly),
        ("texts", Protection::SignOnly),
        ("meta", Protection::SignOnly),
    ],
};

const DRAFT_SK: &str = "DRAFT";
const VERSION_PREFIX: &str = "V#";

fn pk(setting: &VaccinationSettingId) -> String {
    format!("QTPL#{setting}")
}

fn version_key(setting: &VaccinationSettingId, version: u32) -> Key {
    Key::new(pk(setting), format!("{VERSION_PREFIX}{version:010}"))
}

fn draft_key(setting: &VaccinationSettingId) -> Key {
    Key::new(pk(setting), DRAFT_SK)
}

/// A published version as residents and clinics use it.
#[derive(Debug, Clone)]
pub struct TemplateVersion {
    pub published: Published,
    /// Every stored language, Japanese included.
    pub texts: Vec<TemplateTexts>,
    pub validity_days: u16,
    pub origin: TemplateOrigin,
    pub published_at: Option<OffsetDateTime>,
}

impl TemplateVersion {
    pub fn setting(&self) -> &VaccinationSettingId {
        &self.published.content().vaccination_setting_id
    }

    pub fn version(&self) -> u32 {
        self.published.version()
    }

    fn bundle(&self, lang: Lang) -> Option<&TemplateTexts> {
        self.texts.iter().find(|t| t.lang == lang)
    }

    /// Every text in `lang`, Japanese where it lacks one.
    pub fn texts_in(&self, lang: Lang) -> ResolvedTexts {
        let empty = TemplateTexts::new(Lang::Ja);
        let ja = self.bundle(Lang::Ja).unwrap_or(&empty);
        texts::resolve(self.published.content(), self.bundle(lang), ja)
    }

    /// The title in `lang` (Japanese where it lacks one).
    pub fn title_in(&self, lang: Lang) -> String {
        self.bundle(lang)
            .and_then(|t| t.get(keys::TITLE))
            .or_else(|| self.bundle(Lang::Ja).and_then(|t| t.get(keys::TITLE)))
            .unwrap_or_else(|| self.setting().as_str())
            .to_owned()
    }

    /// The languages with texts, in [`Lang::ALL`] order.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|l| self.bundle(*l).is_some())
            .collect()
    }
}

/// The one draft of a setting.
#[derive(Debug, Clone)]
pub struct StoredDraft {
    pub draft: Draft,
    pub texts: Vec<TemplateTexts>,
    pub validity_days: u16,
    pub updated_at: OffsetDateTime,
    /// The store version: changes must name it (optimistic concurrency).
    pub revision: u64,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    validity_days: u16,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

/// The shipped templates, loaded once. A shipped file that does not load is a defect the
/// domain crate's tests catch; here it makes the setting unavailable, not the process.
fn shipped_versions() -> &'static [TemplateVersion] {
    static SHIPPED_VERSIONS: OnceLock<Vec<TemplateVersion>> = OnceLock::new();
    SHIPPED_VERSIONS.get_or_init(|| {
        SHIPPED
            .iter()
            .filter_map(|shipped| {
                let published = match shipped.template() {
                    Ok(published) => published,
                    Err(error) => {
                        tracing::error!(%error, "shipped questionnaire template does not load");
                        return None;
                    }
                };
                let texts = shipped
                    .languages()
                    .filter_map(|lang| shipped.texts(lang).and_then(Result::ok))
                    .collect();
                Some(TemplateVersion {
                    published,
                    texts,
                    validity_days: DEFAULT_VALIDITY_DAYS,
                    origin: TemplateOrigin::Shipped,
                    published_at: None,
                })
            })
            .collect()
    })
}

/// The settings every municipality has (those shipped), in shipped order.
pub fn settings() -> Vec<VaccinationSettingId> {
    shipped_versions()
        .iter()
        .map(|v| v.setting().clone())
        .collect()
}

/// A setting id from a path, if it is one of [`settings`]; `NotFound` otherwise.
pub fn setting(id: &str) -> Result<VaccinationSettingId, CoreError> {
    let id = VaccinationSettingId::parse(id).map_err(|_| CoreError::NotFound)?;
    if settings().contains(&id) {
        Ok(id)
    } else {
        Err(CoreError::NotFound)
    }
}

fn shipped(setting: &VaccinationSettingId) -> Result<TemplateVersion, CoreError> {
    shipped_versions()
        .iter()
        .find(|v| v.setting() == setting)
        .cloned()
        .ok_or(CoreError::NotFound)
}

fn meta_of(item: &Item) -> Result<Meta, CoreError> {
    let text = item
        .get("meta")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("template meta".into()))?;
    serde_json::from_str(text).map_err(|_| CoreError::Corrupt("template meta".into()))
}

fn texts_of(item: &Item) -> Result<Vec<TemplateTexts>, CoreError> {
    let text = item
        .get("texts")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("template texts".into()))?;
    serde_json::from_str(text).map_err(|_| CoreError::Corrupt("template texts".into()))
}

async fn open_version(tenant: &Tenant, item: Item) -> Result<TemplateVersion, CoreError> {
    let item = tenant.cipher.open(&TEMPLATE_SCHEMA, item).await?;
    let doc = item
        .get("doc")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("template doc".into()))?;
    let published: Published = serde_json::from_str(doc)
        .map_err(|_| CoreError::Corrupt("stored template version does not load".into()))?;
    let meta = meta_of(&item)?;
    Ok(TemplateVersion {
        published,
        texts: texts_of(&item)?,
        validity_days: meta.validity_days,
        origin: TemplateOrigin::Municipality,
        published_at: Some(meta.at),
    })
}

/// The version residents fill in now: the newest published one.
pub async fn current(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
) -> Result<TemplateVersion, CoreError> {
    let query = Query::prefix(pk(setting), VERSION_PREFIX)
        .descending()
        .limit(1);
    match tenant.store.query(&query).await?.items.into_iter().next() {
        Some(item) => open_version(tenant, item).await,
        None => shipped(setting),
    }
}

/// One published version; `None` if the setting has no such version.
pub async fn version(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
    version: u32,
) -> Result<Option<TemplateVersion>, CoreError> {
    if version == 1 {
        return shipped(setting).map(Some);
    }
    match tenant.store.get(&version_key(setting, version)).await? {
        Some(item) => open_version(tenant, item).await.map(Some),
        None => Ok(None),
    }
}

/// Every published version of a setting, oldest first (the shipped one first).
pub async fn published_versions(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
) -> Result<Vec<TemplateVersion>, CoreError> {
    let mut versions = vec![shipped(setting)?];
    let mut query = Query::prefix(pk(setting), VERSION_PREFIX).limit(100);
    loop {
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            versions.push(open_version(tenant, item).await?);
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(versions),
        }
    }
}

/// The setting's draft, if any.
pub async fn draft(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
) -> Result<Option<StoredDraft>, CoreError> {
    let Some(item) = tenant.store.get(&draft_key(setting)).await? else {
        return Ok(None);
    };
    let revision = item.version;
    let item = tenant.cipher.open(&TEMPLATE_SCHEMA, item).await?;
    let doc = item
        .get("doc")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("template doc".into()))?;
    let draft: Draft = serde_json::from_str(doc)
        .map_err(|_| CoreError::Corrupt("stored template draft does not load".into()))?;
    let meta = meta_of(&item)?;
    Ok(Some(StoredDraft {
        draft,
        texts: texts_of(&item)?,
        validity_days: meta.validity_days,
        updated_at: meta.at,
        revision,
    }))
}

fn encode<T: Serialize>(value: &T, what: &str) -> Result<AttrValue, CoreError> {
    serde_json::to_string(value)
        .map(AttrValue::S)
        .map_err(|_| CoreError::Corrupt(format!("{what} does not encode")))
}

async fn sealed(
    tenant: &Tenant,
    key: Key,
    doc: AttrValue,
    texts: &[TemplateTexts],
    meta: &Meta,
) -> Result<Item, CoreError> {
    let item = Item::new(key)
        .with("doc", doc)
        .with("texts", encode(&texts, "template texts")?)
        .with("meta", encode(meta, "template meta")?);
    Ok(tenant.cipher.seal(&TEMPLATE_SCHEMA, item).await?)
}

fn draft_exists() -> CoreError {
    CoreError::StateConflict {
        code: "draft_exists",
        message: "この予診票にはすでに下書きがあります。下書きを編集してください / this setting already has a draft: edit it instead",
    }
}

fn stale() -> CoreError {
    CoreError::StateConflict {
        code: "stale_version",
        message: "ほかの人が先に変更しました。読み込み直してからやり直してください / someone changed this meanwhile: reload and try again",
    }
}

/// Starts the setting's draft from published version `from`: the next version number after
/// the newest published one. Refused when a draft exists.
pub async fn create_draft(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
    from: u32,
    at: OffsetDateTime,
) -> Result<StoredDraft, CoreError> {
    let source = version(tenant, setting, from)
        .await?
        .ok_or(CoreError::NotFound)?;
    let newest = current(tenant, setting).await?;
    // `new_draft` numbers the draft after its source; number it after the newest instead.
    let mut draft = newest.published.new_draft();
    draft.content = source.published.content().clone();
    let meta = Meta {
        validity_days: source.validity_days,
        at,
    };
    let item = sealed(
        tenant,
        draft_key(setting),
        encode(&draft, "template draft")?,
        &source.texts,
        &meta,
    )
    .await?;
    match tenant.store.put(item, Condition::MustNotExist).await {
        Ok(()) => Ok(StoredDraft {
            draft,
            texts: source.texts,
            validity_days: meta.validity_days,
            updated_at: at,
            revision: 1,
        }),
        Err(StoreError::ConditionFailed { .. }) => Err(draft_exists()),
        Err(other) => Err(other.into()),
    }
}

/// Replaces the draft's content, texts and validity, if it is still at `revision`.
pub async fn replace_draft(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
    revision: u64,
    content: TemplateContent,
    texts: Vec<TemplateTexts>,
    validity_days: u16,
    at: OffsetDateTime,
) -> Result<StoredDraft, CoreError> {
    check_draft_input(setting, &content, &texts, validity_days)?;
    let current = draft(tenant, setting).await?.ok_or(CoreError::NotFound)?;
    if current.revision != revision {
        return Err(stale());
    }
    let mut draft = current.draft;
    draft.content = content;
    let meta = Meta { validity_days, at };
    let item = sealed(
        tenant,
        draft_key(setting),
        encode(&draft, "template draft")?,
        &texts,
        &meta,
    )
    .await?
    .with_version(revision + 1);
    match tenant.store.put(item, Condition::VersionIs(revision)).await {
        Ok(()) => Ok(StoredDraft {
            draft,
            texts,
            validity_days,
            updated_at: at,
            revision: revision + 1,
        }),
        Err(StoreError::ConditionFailed { .. }) => Err(stale()),
        Err(other) => Err(other.into()),
    }
}

/// What a draft must be before it is stored at all (publishing checks the rest).
fn check_draft_input(
    setting: &VaccinationSettingId,
    content: &TemplateContent,
    texts: &[TemplateTexts],
    validity_days: u16,
) -> Result<(), CoreError> {
    if &content.vaccination_setting_id != setting {
        return Err(CoreError::Invalid(
            "the template's vaccination_setting_id must be the setting in the address".into(),
        ));
    }
    if !(1..=MAX_VALIDITY_DAYS).contains(&validity_days) {
        return Err(CoreError::Invalid(format!(
            "validity_days must be 1-{MAX_VALIDITY_DAYS}"
        )));
    }
    let mut langs: Vec<Lang> = texts.iter().map(|t| t.lang).collect();
    langs.sort();
    langs.dedup();
    if langs.len() != texts.len() {
        return Err(CoreError::Invalid(
            "give at most one text bundle per language".into(),
        ));
    }
    if !langs.contains(&Lang::Ja) {
        return Err(CoreError::Invalid(
            "the Japanese texts (lang ja) are required".into(),
        ));
    }
    Ok(())
}

/// Discards the draft, if it is still at `revision`.
pub async fn delete_draft(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
    revision: u64,
) -> Result<(), CoreError> {
    match tenant
        .store
        .delete(&draft_key(setting), Condition::VersionIs(revision))
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { .. }) => match draft(tenant, setting).await? {
            Some(_) => Err(stale()),
            None => Err(CoreError::NotFound),
        },
        Err(other) => Err(other.into()),
    }
}

/// Publishes the draft (if still at `revision`) after the publish checks with its Japanese
/// texts: the draft becomes an immutable version and is gone, in one transaction.
pub async fn publish_draft(
    tenant: &Tenant,
    setting: &VaccinationSettingId,
    revision: u64,
    at: OffsetDateTime,
) -> Result<TemplateVersion, CoreError> {
    let stored = draft(tenant, setting).await?.ok_or(CoreError::NotFound)?;
    if stored.revision != revision {
        return Err(stale());
    }
    let ja = stored
        .texts
        .iter()
        .find(|t| t.lang == Lang::Ja)
        .cloned()
        .unwrap_or_else(|| TemplateTexts::new(Lang::Ja));
    let published = stored
        .draft
        .publish(&ja)
        .map_err(CoreError::InvalidTemplate)?;
    let meta = Meta {
        validity_days: stored.validity_days,
        at,
    };
    let item = sealed(
        tenant,
        version_key(setting, published.version()),
        encode(&published, "template version")?,
        &stored.texts,
        &meta,
    )
    .await?;
    let writes = vec![
        Write::Delete {
            key: draft_key(setting),
            condition: Condition::VersionIs(revision),
        },
        Write::Put {
            item,
            condition: Condition::MustNotExist,
        },
    ];
    match tenant.store.transact(writes).await {
        Ok(()) => Ok(TemplateVersion {
            published,
            texts: stored.texts,
            validity_days: meta.validity_days,
            origin: TemplateOrigin::Municipality,
            published_at: Some(at),
        }),
        Err(StoreError::ConditionFailed { .. }) => Err(stale()),
        Err(other) => Err(other.into()),
    }
}
