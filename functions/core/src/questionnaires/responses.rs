//! Responses to questionnaires (予診票の回答) of one person, stored in the person's partition and
//! sealed whole (answers are health data), with a sealed history entry for every change.
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `P#<subject_no>` | `QR#<id>` | the response: setting, version answered, language, status, answers, times |
//! | `P#<subject_no>` | `QRH#<id>#<version, 10 digits>` | one change: event, status, time, actor kind (+ the answers as submitted) |
//!
//! States: `draft` (autosaved, pruned on every save) → `submitted` (checked; may be corrected
//! into a new submitted revision) → `used` (a clinic read it for a vaccination) or `withdrawn`.
//! A submitted form whose 強制失効日 has passed reads as `expired`. Used, withdrawn and expired
//! forms are read-only. Every change names the version it was based on; the response and its
//! history entry are written in one transaction guarded by that version.
//!
//! Deleting a person deletes their partition, responses included.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::SubjectNo;
use sesshu_domain::questionnaire::{
    Answers, FilledBy, ItemId, Lang, TemplateContent, VaccinationSettingId, prune,
    validate_submission,
};
use sesshu_domain::questionnaire_api::{
    ActorKind, DraftSaved, ResponseEvent, ResponseHistoryEntry, ResponseStatus,
};
use sesshu_store::{AttrValue, Condition, Item, Key, Query, StoreError, Write};
use time::{Date, Duration, OffsetDateTime};

use crate::error::CoreError;
use crate::records::person_pk;
use crate::tenancy::Tenant;

pub const RESPONSE_SCHEMA: Schema = Schema {
    name: "questionnaire_response",
    version: 1,
    attributes: &[("response", Protection::EncryptAndSign)],
};

pub const RESPONSE_HISTORY_SCHEMA: Schema = Schema {
    name: "questionnaire_response_history",
    version: 1,
    attributes: &[("entry", Protection::EncryptAndSign)],
};

/// Most bytes of answers a save may carry (as JSON): a filled infant form is about 2 KiB.
pub const MAX_ANSWERS_BYTES: usize = 64 * 1024;

const RESPONSE_PREFIX: &str = "QR#";
const HISTORY_PREFIX: &str = "QRH#";

fn response_key(subject_no: &SubjectNo, id: &str) -> Key {
    Key::new(person_pk(subject_no), format!("{RESPONSE_PREFIX}{id}"))
}

fn history_key(subject_no: &SubjectNo, id: &str, version: u64) -> Key {
    Key::new(
        person_pk(subject_no),
        format!("{HISTORY_PREFIX}{id}#{version:010}"),
    )
}

/// A response id from a path: 22 base64url characters (128 random bits).
pub fn parse_id(id: &str) -> Option<&str> {
    let valid = id.len() == 22
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(id)
}

fn new_id() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored state; `expired` is never stored, it is read from the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredStatus {
    Draft,
    Submitted,
    Used,
    Withdrawn,
}

/// One response as stored (sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub id: String,
    pub setting: VaccinationSettingId,
    pub template_version: u32,
    pub lang: Lang,
    pub status: StoredStatus,
    pub answers: Answers,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[serde(with = "sesshu_domain::iso_date::option")]
    pub expires_on: Option<Date>,
    pub validity_days: u16,
}

impl StoredResponse {
    /// The status on `today` (Japan): a submitted form past its 強制失効日 is expired.
    pub fn status_on(&self, today: Date) -> ResponseStatus {
        match self.status {
            StoredStatus::Draft => ResponseStatus::Draft,
            StoredStatus::Submitted if self.expires_on.is_some_and(|last| today > last) => {
                ResponseStatus::Expired
            }
            StoredStatus::Submitted => ResponseStatus::Submitted,
            StoredStatus::Used => ResponseStatus::Used,
            StoredStatus::Withdrawn => ResponseStatus::Withdrawn,
        }
    }
}

/// One change, as stored (sealed).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct HistoryRecord {
    version: u64,
    event: ResponseEvent,
    status: ResponseStatus,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    actor: ActorKind,
    /// The answers as submitted or corrected (not kept for draft saves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answers: Option<Answers>,
}

async fn seal_json<T: Serialize>(
    tenant: &Tenant,
    schema: &Schema,
    key: Key,
    attribute: &str,
    value: &T,
) -> Result<Item, CoreError> {
    let body = serde_json::to_string(value)
        .map_err(|_| CoreError::Corrupt(format!("{} does not encode", schema.name)))?;
    let item = Item::new(key).with(attribute, AttrValue::S(body));
    Ok(tenant.cipher.seal(schema, item).await?)
}

async fn open_json<T: serde::de::DeserializeOwned>(
    tenant: &Tenant,
    schema: &Schema,
    item: Item,
    attribute: &str,
) -> Result<T, CoreError> {
    let opened = tenant.cipher.open(schema, item).await?;
    let body = opened
        .get(attribute)
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt(format!("{} body", schema.name)))?;
    // serde errors may quote values: never pass them on.
    serde_json::from_str(body)
        .map_err(|_| CoreError::Corrupt(format!("{} does not decode", schema.name)))
}

/// One response and its store version; `None` if the person has no such response.
pub async fn get(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
) -> Result<Option<(StoredResponse, u64)>, CoreError> {
    let Some(id) = parse_id(id) else {
        return Ok(None);
    };
    let Some(item) = tenant.store.get(&response_key(subject_no, id)).await? else {
        return Ok(None);
    };
    let version = item.version;
    let response: StoredResponse = open_json(tenant, &RESPONSE_SCHEMA, item, "response").await?;
    Ok(Some((response, version)))
}

/// Every response of the person, newest first.
pub async fn list(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Vec<(StoredResponse, u64)>, CoreError> {
    let mut query = Query::prefix(person_pk(subject_no), RESPONSE_PREFIX).limit(100);
    let mut out = Vec::new();
    loop {
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            let version = item.version;
            out.push((
                open_json::<StoredResponse>(tenant, &RESPONSE_SCHEMA, item, "response").await?,
                version,
            ));
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    out.sort_by(|(a, _), (b, _)| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}

/// The response's history, oldest first.
pub async fn history(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
) -> Result<Vec<ResponseHistoryEntry>, CoreError> {
    let Some(id) = parse_id(id) else {
        return Ok(Vec::new());
    };
    let mut query =
        Query::prefix(person_pk(subject_no), format!("{HISTORY_PREFIX}{id}#")).limit(200);
    let mut out = Vec::new();
    loop {
        let page = tenant.store.query(&query).await?;
        for item in page.items {
            let record: HistoryRecord =
                open_json(tenant, &RESPONSE_HISTORY_SCHEMA, item, "entry").await?;
            out.push(ResponseHistoryEntry {
                version: record.version,
                event: record.event,
                status: record.status,
                at: record.at,
                actor: record.actor,
            });
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// The answers as submitted or corrected, per version (for the clinic and for audits).
pub async fn submitted_answers(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
) -> Result<Vec<(u64, Answers)>, CoreError> {
    let Some(id) = parse_id(id) else {
        return Ok(Vec::new());
    };
    let query = Query::prefix(person_pk(subject_no), format!("{HISTORY_PREFIX}{id}#")).limit(200);
    let mut out = Vec::new();
    for item in tenant.store.query(&query).await?.items {
        let record: HistoryRecord =
            open_json(tenant, &RESPONSE_HISTORY_SCHEMA, item, "entry").await?;
        if let Some(answers) = record.answers {
            out.push((record.version, answers));
        }
    }
    Ok(out)
}

fn refused(code: &'static str, message: &'static str) -> CoreError {
    CoreError::StateConflict { code, message }
}

fn stale() -> CoreError {
    refused(
        "stale_version",
        "この予診票は別の画面で変更されています。読み込み直してからもう一度操作してください / this form was changed elsewhere: reload it and try again",
    )
}

fn expired() -> CoreError {
    refused(
        "expired",
        "この予診票は有効期限（強制失効日）を過ぎたため変更できません。新しく記入してください / this form has expired and cannot be changed: fill in a new one",
    )
}

fn already_used() -> CoreError {
    refused(
        "already_used",
        "この予診票は医療機関で使用済みのため変更できません / this form has been used by the clinic and cannot be changed",
    )
}

fn not_editable() -> CoreError {
    refused(
        "not_editable",
        "この予診票は今の状態では変更できません / this form cannot be changed in its current state",
    )
}

/// Refuses changes to read-only responses, saying why.
fn check_open(response: &StoredResponse, today: Date) -> Result<(), CoreError> {
    match response.status_on(today) {
        ResponseStatus::Expired => Err(expired()),
        ResponseStatus::Used => Err(already_used()),
        ResponseStatus::Withdrawn => Err(not_editable()),
        ResponseStatus::Draft | ResponseStatus::Submitted => Ok(()),
    }
}

/// Writes the response at `version + 1` (guarded by `version`, or must-not-exist for a new
/// one) and its history entry, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn commit(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    response: &StoredResponse,
    previous: Option<u64>,
    event: ResponseEvent,
    actor: ActorKind,
    snapshot: Option<&Answers>,
    today: Date,
) -> Result<u64, CoreError> {
    let version = previous.map_or(1, |v| v + 1);
    let item = seal_json(
        tenant,
        &RESPONSE_SCHEMA,
        response_key(subject_no, &response.id),
        "response",
        response,
    )
    .await?
    .with_version(version);
    let record = HistoryRecord {
        version,
        event,
        status: response.status_on(today),
        at: response.updated_at,
        actor,
        answers: snapshot.cloned(),
    };
    let entry = seal_json(
        tenant,
        &RESPONSE_HISTORY_SCHEMA,
        history_key(subject_no, &response.id, version),
        "entry",
        &record,
    )
    .await?;
    let writes = vec![
        Write::Put {
            item,
            condition: previous.map_or(Condition::MustNotExist, Condition::VersionIs),
        },
        Write::Put {
            item: entry,
            condition: Condition::MustNotExist,
        },
    ];
    match tenant.store.transact(writes).await {
        Ok(()) => Ok(version),
        Err(StoreError::ConditionFailed { .. }) => Err(stale()),
        Err(other) => Err(other.into()),
    }
}

/// The open draft of `setting`, if the person has one.
pub async fn open_draft(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    setting: &VaccinationSettingId,
) -> Result<Option<(StoredResponse, u64)>, CoreError> {
    Ok(list(tenant, subject_no)
        .await?
        .into_iter()
        .find(|(r, _)| &r.setting == setting && r.status == StoredStatus::Draft))
}

/// Starts an empty draft answering `template_version` of `setting`.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    setting: &VaccinationSettingId,
    template_version: u32,
    validity_days: u16,
    lang: Lang,
    actor: ActorKind,
    at: OffsetDateTime,
    today: Date,
) -> Result<(StoredResponse, u64), CoreError> {
    let response = StoredResponse {
        id: new_id(),
        setting: setting.clone(),
        template_version,
        lang,
        status: StoredStatus::Draft,
        answers: Answers::new(),
        created_at: at,
        updated_at: at,
        submitted_at: None,
        expires_on: None,
        validity_days,
    };
    let version = commit(
        tenant,
        subject_no,
        &response,
        None,
        ResponseEvent::Created,
        actor,
        None,
        today,
    )
    .await?;
    Ok((response, version))
}

/// What a resident may store: the answers the form shows, without doctor items. Returns the
/// kept answers and the items dropped.
pub fn keep_resident_answers(
    template: &TemplateContent,
    answers: &Answers,
) -> (Answers, Vec<ItemId>) {
    let pruned: Answers = prune(template, answers)
        .iter()
        .filter(|(id, _)| {
            template
                .item(id)
                .is_some_and(|item| item.filled_by == FilledBy::Resident)
        })
        .map(|(id, value)| (id.clone(), value.clone()))
        .collect();
    let removed = answers
        .item_ids()
        .filter(|id| pruned.get(id).is_none())
        .cloned()
        .collect();
    (pruned, removed)
}

fn check_size(answers: &Answers) -> Result<(), CoreError> {
    let size = serde_json::to_vec(answers)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_ANSWERS_BYTES {
        return Err(CoreError::Invalid(format!(
            "the answers are too large; at most {} KiB",
            MAX_ANSWERS_BYTES / 1024
        )));
    }
    Ok(())
}

/// The caller's expectations of a change: the version it read, who it is and when.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub expected_version: u64,
    pub actor: ActorKind,
    pub at: OffsetDateTime,
    /// The date in Japan at `at`.
    pub today: Date,
}

/// Loads the response for a change, refusing a stale version.
async fn load_for_change(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    change: &Change,
) -> Result<(StoredResponse, u64), CoreError> {
    let (response, version) = get(tenant, subject_no, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    check_open(&response, change.today)?;
    if version != change.expected_version {
        return Err(stale());
    }
    Ok((response, version))
}

/// Autosaves a draft: the answers pruned to what the form shows (no doctor items), and
/// optionally another language.
pub async fn save_draft(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    template: &TemplateContent,
    lang: Option<Lang>,
    answers: &Answers,
    change: Change,
) -> Result<DraftSaved, CoreError> {
    check_size(answers)?;
    let (mut response, version) = load_for_change(tenant, subject_no, id, &change).await?;
    if response.status != StoredStatus::Draft {
        return Err(not_editable());
    }
    let (kept, removed) = keep_resident_answers(template, answers);
    response.answers = kept;
    if let Some(lang) = lang {
        response.lang = lang;
    }
    response.updated_at = change.at;
    let version = commit(
        tenant,
        subject_no,
        &response,
        Some(version),
        ResponseEvent::Saved,
        change.actor,
        None,
        change.today,
    )
    .await?;
    Ok(DraftSaved {
        version,
        answers: response.answers,
        removed,
        updated_at: change.at,
    })
}

/// Submits a draft: its stored answers must pass `validate_submission`. The form is then usable
/// through today + its validity days.
pub async fn submit(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    template: &TemplateContent,
    change: Change,
) -> Result<(StoredResponse, u64), CoreError> {
    let (mut response, version) = load_for_change(tenant, subject_no, id, &change).await?;
    if response.status != StoredStatus::Draft {
        return Err(not_editable());
    }
    validate_submission(template, &response.answers).map_err(CoreError::InvalidAnswers)?;
    response.status = StoredStatus::Submitted;
    response.updated_at = change.at;
    response.submitted_at = Some(change.at);
    response.expires_on = Some(change.today + Duration::days(i64::from(response.validity_days)));
    let answers = response.answers.clone();
    let version = commit(
        tenant,
        subject_no,
        &response,
        Some(version),
        ResponseEvent::Submitted,
        change.actor,
        Some(&answers),
        change.today,
    )
    .await?;
    Ok((response, version))
}

/// Corrects a submitted form: the new answers must pass `validate_submission`; it stays
/// submitted (a new revision) and keeps its 回答日時 and 強制失効日.
pub async fn correct(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    template: &TemplateContent,
    answers: &Answers,
    change: Change,
) -> Result<(StoredResponse, u64), CoreError> {
    check_size(answers)?;
    let (mut response, version) = load_for_change(tenant, subject_no, id, &change).await?;
    if response.status != StoredStatus::Submitted {
        return Err(not_editable());
    }
    validate_submission(template, answers).map_err(CoreError::InvalidAnswers)?;
    response.answers = answers.clone();
    response.updated_at = change.at;
    let version = commit(
        tenant,
        subject_no,
        &response,
        Some(version),
        ResponseEvent::Corrected,
        change.actor,
        Some(answers),
        change.today,
    )
    .await?;
    Ok((response, version))
}

/// Withdraws a draft or a submitted form that is neither expired nor used.
pub async fn withdraw(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    change: Change,
) -> Result<(StoredResponse, u64), CoreError> {
    let (mut response, version) = load_for_change(tenant, subject_no, id, &change).await?;
    response.status = StoredStatus::Withdrawn;
    response.updated_at = change.at;
    let version = commit(
        tenant,
        subject_no,
        &response,
        Some(version),
        ResponseEvent::Withdrawn,
        change.actor,
        None,
        change.today,
    )
    .await?;
    Ok((response, version))
}

/// Marks a submitted form used: the clinic read it for a vaccination. From then on the
/// resident can no longer correct or withdraw it. Refused for drafts, and for expired,
/// withdrawn or already used forms.
pub async fn mark_used(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    id: &str,
    at: OffsetDateTime,
    today: Date,
) -> Result<(StoredResponse, u64), CoreError> {
    let (mut response, version) = get(tenant, subject_no, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    check_open(&response, today)?;
    if response.status != StoredStatus::Submitted {
        return Err(not_editable());
    }
    response.status = StoredStatus::Used;
    response.updated_at = at;
    let version = commit(
        tenant,
        subject_no,
        &response,
        Some(version),
        ResponseEvent::Used,
        ActorKind::Clinic,
        None,
        today,
    )
    .await?;
    Ok((response, version))
}
