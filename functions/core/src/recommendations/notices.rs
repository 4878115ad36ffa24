//! Notices (接種勧奨の通知) in the person's partition, `P#<subject>` / `NOTE#<id>`, sealed:
//! a notice says which vaccination a person is missing, which is health data. Beside them,
//! `P#<subject>` / `RECO` holds the person's 勧奨情報 (seed item 37): the rule and day of the
//! latest recommendation.
//!
//! A notice's id is derived from (municipality, person, rule, series, dose, occasion), so the
//! job can produce it any number of times and store it once (must-not-exist put).

use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::schedule_api::{
    Delivery, DeliveryState, Recommendation, ResidentNotice, StaffNotice,
};
use sesshu_domain::{MunicipalityCode, SubjectNo};
use sesshu_store::{AttrValue, Condition, Item, Key, Query, StoreError, Write};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use crate::error::CoreError;
use crate::records::person_pk;
use crate::tenancy::Tenant;

pub const NOTICE_SCHEMA: Schema = Schema {
    name: "notice",
    version: 1,
    attributes: &[("notice", Protection::EncryptAndSign)],
};

pub const RECOMMENDATION_SCHEMA: Schema = Schema {
    name: "recommendation",
    version: 1,
    attributes: &[("recommendation", Protection::EncryptAndSign)],
};

pub(crate) const NOTICE_PREFIX: &str = "NOTE#";
pub(crate) const RECOMMENDATION_SK: &str = "RECO";

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredNotice {
    pub id: String,
    pub rule_id: String,
    pub series: String,
    pub dose_number: u8,
    pub occasion: String,
    /// The rule's trigger: `upcoming`, `due_now`, `overdue`.
    pub trigger: String,
    /// 勧奨日 (the day in Japan the notice was produced).
    #[serde(with = "sesshu_domain::iso_date")]
    pub recommended_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
    pub delivery: Delivery,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub read_at: Option<OffsetDateTime>,
}

impl StoredNotice {
    pub fn to_staff(&self) -> StaffNotice {
        StaffNotice {
            id: self.id.clone(),
            rule_id: self.rule_id.clone(),
            series: self.series.clone(),
            dose_number: self.dose_number,
            occasion: self.occasion.clone(),
            recommended_on: self.recommended_on,
            created_at: self.created_at,
            title_ja: self.title_ja.clone(),
            delivery: self.delivery.clone(),
            read: self.read_at.is_some(),
        }
    }

    /// Whether the resident sees it: everything not suppressed by a control flag.
    pub fn shown_to_resident(&self) -> bool {
        self.delivery.state != DeliveryState::Suppressed
    }

    pub fn to_resident(
        &self,
        code: &MunicipalityCode,
        municipality: sesshu_domain::dto::MunicipalityRef,
    ) -> ResidentNotice {
        ResidentNotice {
            id: public_id(code, &self.id),
            municipality,
            recommended_on: self.recommended_on,
            created_at: self.created_at,
            title_ja: self.title_ja.clone(),
            body_ja: self.body_ja.clone(),
            title_en: self.title_en.clone(),
            body_en: self.body_en.clone(),
            read: self.read_at.is_some(),
        }
    }
}

/// The deterministic id of a notice: 32 hex digits of SHA-256 over what it is about.
pub fn notice_id(
    code: &MunicipalityCode,
    subject_no: &SubjectNo,
    rule_id: &str,
    series: &str,
    dose_number: u8,
    occasion: &str,
) -> String {
    let mut hash = Sha256::new();
    for part in [
        "sesshu/notice/v1",
        code.as_str(),
        subject_no.as_str(),
        rule_id,
        series,
        &dose_number.to_string(),
        occasion,
    ] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id residents see: `<municipality code>-<notice id>`.
pub fn public_id(code: &MunicipalityCode, id: &str) -> String {
    format!("{}-{id}", code.as_str())
}

/// The municipality and notice id of a public id, if well-formed.
pub fn parse_public_id(public_id: &str) -> Option<(MunicipalityCode, &str)> {
    let (code, id) = public_id.split_once('-')?;
    let code = MunicipalityCode::parse(code).ok()?;
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some((code, id))
}

fn notice_key(subject_no: &SubjectNo, id: &str) -> Key {
    Key::new(person_pk(subject_no), format!("{NOTICE_PREFIX}{id}"))
}

pub(crate) async fn seal(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    notice: &StoredNotice,
    version: u64,
) -> Result<Item, CoreError> {
    let body = serde_json::to_string(notice)
        .map_err(|_| CoreError::Corrupt("notice does not encode".into()))?;
    let item = Item::new(notice_key(subject_no, &notice.id))
        .with("notice", AttrValue::S(body))
        .with_version(version);
    Ok(tenant.cipher.seal(&NOTICE_SCHEMA, item).await?)
}

/// A notice item, opened; with its version.
pub(crate) async fn open(tenant: &Tenant, item: Item) -> Result<(StoredNotice, u64), CoreError> {
    let version = item.version;
    let opened = tenant.cipher.open(&NOTICE_SCHEMA, item).await?;
    let body = opened
        .get("notice")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("notice body".into()))?;
    let notice = serde_json::from_str(body)
        .map_err(|_| CoreError::Corrupt("notice does not decode".into()))?;
    Ok((notice, version))
}

/// Every notice of a person, newest first.
pub async fn list(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Vec<(StoredNotice, u64)>, CoreError> {
    let mut query = Query::prefix(person_pk(subject_no), NOTICE_PREFIX).limit(200);
    let mut out = Vec::new();
    loop {
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            out.push(open(tenant, item).await?);
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    sort_newest_first(&mut out);
    Ok(out)
}

pub(crate) fn sort_newest_first(notices: &mut [(StoredNotice, u64)]) {
    notices.sort_by(|(a, _), (b, _)| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Stores a new notice; `false` if one with its id exists (it was produced before).
pub(crate) async fn create(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    notice: &StoredNotice,
) -> Result<bool, CoreError> {
    let mut writes = vec![Write::Put {
        item: seal(tenant, subject_no, notice, 1).await?,
        condition: Condition::MustNotExist,
    }];
    if notice.delivery.state != DeliveryState::Suppressed {
        writes.push(Write::Put {
            item: seal_recommendation(
                tenant,
                subject_no,
                &Recommendation {
                    rule_id: notice.rule_id.clone(),
                    recommended_on: notice.recommended_on,
                },
            )
            .await?,
            condition: Condition::None,
        });
    }
    match tenant.store.transact(writes).await {
        Ok(()) => Ok(true),
        Err(StoreError::ConditionFailed { index: 0 }) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// Replaces a notice read at `version`; `Conflict` if it changed meanwhile.
pub(crate) async fn update(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    notice: &StoredNotice,
    version: u64,
) -> Result<u64, CoreError> {
    let item = seal(tenant, subject_no, notice, version + 1).await?;
    match tenant.store.put(item, Condition::VersionIs(version)).await {
        Ok(()) => Ok(version + 1),
        Err(StoreError::ConditionFailed { .. }) => {
            Err(CoreError::Conflict("the notice was changed meanwhile"))
        }
        Err(other) => Err(other.into()),
    }
}

/// Marks a notice read (idempotent); `NotFound` if the person has no such notice or it is
/// not shown to residents.
pub async fn mark_read(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    at: OffsetDateTime,
) -> Result<(), CoreError> {
    for _ in 0..3 {
        let Some(item) = tenant.store.get(&notice_key(subject_no, id)).await? else {
            return Err(CoreError::NotFound);
        };
        let (mut notice, version) = open(tenant, item).await?;
        if !notice.shown_to_resident() {
            return Err(CoreError::NotFound);
        }
        if notice.read_at.is_some() {
            return Ok(());
        }
        notice.read_at = Some(at);
        match update(tenant, subject_no, &notice, version).await {
            Ok(_) => return Ok(()),
            // The job updated its delivery meanwhile: read again.
            Err(CoreError::Conflict(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(CoreError::Conflict(
        "the notice is being changed; try again",
    ))
}

async fn seal_recommendation(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    recommendation: &Recommendation,
) -> Result<Item, CoreError> {
    let body = serde_json::to_string(recommendation)
        .map_err(|_| CoreError::Corrupt("recommendation does not encode".into()))?;
    let item = Item::new(Key::new(person_pk(subject_no), RECOMMENDATION_SK))
        .with("recommendation", AttrValue::S(body));
    Ok(tenant.cipher.seal(&RECOMMENDATION_SCHEMA, item).await?)
}

/// Opens a `RECO` item.
pub(crate) async fn open_recommendation(
    tenant: &Tenant,
    item: Item,
) -> Result<Recommendation, CoreError> {
    let opened = tenant.cipher.open(&RECOMMENDATION_SCHEMA, item).await?;
    let body = opened
        .get("recommendation")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("recommendation body".into()))?;
    serde_json::from_str(body)
        .map_err(|_| CoreError::Corrupt("recommendation does not decode".into()))
}

/// The person's 勧奨情報: the rule and day of the latest recommendation.
pub async fn recommendation(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Option<Recommendation>, CoreError> {
    match tenant
        .store
        .get(&Key::new(person_pk(subject_no), RECOMMENDATION_SK))
        .await?
    {
        Some(item) => Ok(Some(open_recommendation(tenant, item).await?)),
        None => Ok(None),
    }
}

/// The 勧奨情報 of many persons in one bulk read, in order.
pub async fn recommendations(
    tenant: &Tenant,
    subjects: &[SubjectNo],
) -> Result<Vec<Option<Recommendation>>, CoreError> {
    let keys: Vec<Key> = subjects
        .iter()
        .map(|s| Key::new(person_pk(s), RECOMMENDATION_SK))
        .collect();
    let mut out = Vec::with_capacity(keys.len());
    for item in tenant.store.get_many(&keys).await? {
        out.push(match item {
            Some(item) => Some(open_recommendation(tenant, item).await?),
            None => None,
        });
    }
    Ok(out)
}
