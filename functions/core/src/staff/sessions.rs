//! Server-side staff sessions: the browser holds an opaque 256-bit token, the municipality's
//! table holds only its SHA-256, with idle and absolute timeouts and the user's session epoch,
//! so that deactivation or "log out everywhere" ends every session at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::MunicipalityCode;
use sesshu_store::{AttrValue, Condition, Item, Key};

use crate::digest::sha256_hex;
use crate::error::CoreError;
use crate::tenancy::Tenant;

use super::Surface;

const SESSION_SCHEMA: Schema = Schema {
    name: "staff_session",
    version: 1,
    attributes: &[("session", Protection::SignOnly)],
};

/// Session lifetimes; the defaults are the (30 minutes idle, 12 hours absolute).
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_s: u64,
    pub absolute_s: u64,
    /// How long a re-authentication unlocks My Number views and exports.
    pub reauth_s: u64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_s: 30 * 60,
            absolute_s: 12 * 60 * 60,
            reauth_s: 5 * 60,
        }
    }
}

/// Activity within this many seconds does not rewrite the session (one write per minute at
/// most, not one per request).
const TOUCH_AFTER_S: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSessionRecord {
    pub user_id: String,
    pub surface: Surface,
    pub created_at: u64,
    pub last_seen: u64,
    pub reauthenticated_at: Option<u64>,
    pub epoch: u64,
}

/// The cookie value: `<municipality code>.<token>`. The code only says which table to look in;
/// the token, found there by its hash, is what proves the session.
pub fn cookie_value(code: &MunicipalityCode, token: &str) -> String {
    format!("{}.{token}", code.as_str())
}

/// Splits a cookie value; `None` if it cannot be one of ours.
pub fn parse_cookie(value: &str) -> Option<(MunicipalityCode, &str)> {
    let (code, token) = value.split_once('.')?;
    let code = MunicipalityCode::parse(code).ok()?;
    (token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some((code, token))
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn session_key(token: &str) -> Key {
    Key::new(format!("SESSION#{}", sha256_hex(token)), "S")
}

/// Stores a new session; returns its token.
pub async fn create(
    tenant: &Tenant,
    record: &StaffSessionRecord,
    policy: &SessionPolicy,
) -> Result<String, CoreError> {
    let token = new_token();
    let item = seal(tenant, &session_key(&token), record, policy).await?;
    tenant.store.put(item, Condition::MustNotExist).await?;
    Ok(token)
}

async fn seal(
    tenant: &Tenant,
    key: &Key,
    record: &StaffSessionRecord,
    policy: &SessionPolicy,
) -> Result<Item, CoreError> {
    let body = serde_json::to_string(record)
        .map_err(|_| CoreError::Corrupt("session does not encode".into()))?;
    let item = Item::new(key.clone())
        .with("session", AttrValue::S(body))
        .expiring_at(record.created_at + policy.absolute_s);
    Ok(tenant.cipher.seal(&SESSION_SCHEMA, item).await?)
}

/// The live session behind a token: unexpired (idle and absolute) and of this surface.
/// Refreshes its last activity at most once a minute.
pub async fn find(
    tenant: &Tenant,
    token: &str,
    surface: Surface,
    policy: &SessionPolicy,
    now: u64,
) -> Result<StaffSessionRecord, CoreError> {
    let key = session_key(token);
    let item = tenant
        .store
        .get(&key)
        .await?
        .ok_or(CoreError::Unauthenticated("no such staff session"))?;
    let version = item.version;
    let opened = tenant.cipher.open(&SESSION_SCHEMA, item).await?;
    let mut record: StaffSessionRecord = opened
        .get("session")
        .and_then(AttrValue::as_s)
        .and_then(|body| serde_json::from_str(body).ok())
        .ok_or_else(|| CoreError::Corrupt("staff session".into()))?;
    if record.surface != surface {
        return Err(CoreError::Unauthenticated("session of another surface"));
    }
    if now >= record.created_at + policy.absolute_s {
        return Err(CoreError::Unauthenticated(
            "session reached its absolute timeout",
        ));
    }
    if now >= record.last_seen + policy.idle_s {
        return Err(CoreError::Unauthenticated("session idle for too long"));
    }
    if now >= record.last_seen + TOUCH_AFTER_S {
        record.last_seen = now;
        let item = seal(tenant, &key, &record, policy)
            .await?
            .with_version(version + 1);
        // A concurrent request touched it too: either write is as good.
        let _ = tenant.store.put(item, Condition::VersionIs(version)).await;
    }
    Ok(record)
}

/// Records a successful re-authentication on the session.
pub async fn mark_reauthenticated(
    tenant: &Tenant,
    token: &str,
    policy: &SessionPolicy,
    now: u64,
) -> Result<StaffSessionRecord, CoreError> {
    let key = session_key(token);
    for _ in 0..3 {
        let item = tenant
            .store
            .get(&key)
            .await?
            .ok_or(CoreError::Unauthenticated("no such staff session"))?;
        let version = item.version;
        let opened = tenant.cipher.open(&SESSION_SCHEMA, item).await?;
        let mut record: StaffSessionRecord = opened
            .get("session")
            .and_then(AttrValue::as_s)
            .and_then(|body| serde_json::from_str(body).ok())
            .ok_or_else(|| CoreError::Corrupt("staff session".into()))?;
        record.reauthenticated_at = Some(now);
        record.last_seen = now;
        let item = seal(tenant, &key, &record, policy)
            .await?
            .with_version(version + 1);
        if tenant
            .store
            .put(item, Condition::VersionIs(version))
            .await
            .is_ok()
        {
            return Ok(record);
        }
    }
    Err(CoreError::Conflict("the session is busy; try again"))
}

/// Ends one session.
pub async fn end(tenant: &Tenant, token: &str) -> Result<(), CoreError> {
    match tenant
        .store
        .delete(&session_key(token), Condition::None)
        .await
    {
        Ok(()) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
