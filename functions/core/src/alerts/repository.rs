//! Stored alerts (list, acknowledge) and the local outbox of notifications.

use std::sync::Arc;

use async_trait::async_trait;
use rand::Rng;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::{Alert, AlertKind, OutboxMessage};
use sesshu_store::{AttrValue, Condition, Item, Key, Query, Store, StoreError};

use super::{Notifier, alerts_pk};
use crate::audit::{DEFAULT_RETENTION_DAYS, rfc3339};
use crate::clock::Clock;
use crate::error::CoreError;
use crate::tenancy::{PLATFORM_TABLE, Platform, Tenant};

const OUTBOX_PK: &str = "OUTBOX";
const MAX_LIST: usize = 500;

/// The alerts of one municipality (or of the platform table).
#[derive(Clone)]
pub struct Alerts {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Alerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alerts").finish_non_exhaustive()
    }
}

impl Alerts {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub fn for_tenant(tenant: &Tenant, clock: Arc<dyn Clock>) -> Self {
        Self::new(tenant.store.clone(), clock)
    }

    /// The newest `limit` alerts (clamped to 1..=500), newest first.
    pub async fn list(&self, limit: usize) -> Result<Vec<Alert>, CoreError> {
        let now = self.clock.now_epoch_s();
        let items = newest(&self.store, alerts_pk(), limit, now).await?;
        items.iter().map(alert_from).collect()
    }

    /// Records that `user_id` has seen and handled the alert. Acknowledging twice keeps the
    /// first acknowledgement. An unknown id is [`CoreError::NotFound`].
    pub async fn acknowledge(&self, alert_id: &str, user_id: &str) -> Result<Alert, CoreError> {
        if !is_id(alert_id) {
            return Err(CoreError::NotFound);
        }
        let key = Key::new(alerts_pk(), alert_id);
        loop {
            let item = self
                .store
                .get(&key)
                .await?
                .filter(|item| !item.is_expired(self.clock.now_epoch_s()))
                .ok_or(CoreError::NotFound)?;
            let alert = alert_from(&item)?;
            if alert.acknowledged_by.is_some() {
                return Ok(alert);
            }
            let version = item.version;
            let updated = item
                .with("acknowledged_by", AttrValue::S(user_id.to_owned()))
                .with(
                    "acknowledged_at",
                    AttrValue::N(i64::try_from(self.clock.now_epoch_s()).unwrap_or(i64::MAX)),
                )
                .with_version(version + 1);
            match self
                .store
                .put(updated.clone(), Condition::VersionIs(version))
                .await
            {
                Ok(()) => return alert_from(&updated),
                // Someone acknowledged (or it changed) meanwhile: read it again.
                Err(StoreError::ConditionFailed { .. } | StoreError::Conflict) => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}

/// The notifications sent for one municipality (or the platform), kept in its table.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    retention_s: u64,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("retention_s", &self.retention_s)
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// An outbox whose messages are kept as long as the operation log.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            retention_s: u64::from(DEFAULT_RETENTION_DAYS) * 86_400,
        }
    }

    pub fn for_tenant(tenant: &Tenant, clock: Arc<dyn Clock>) -> Self {
        Self::new(tenant.store.clone(), clock)
    }

    /// Stores a message; returns it as listed.
    pub async fn push(
        &self,
        to: Vec<String>,
        subject: String,
        body: String,
    ) -> Result<OutboxMessage, CoreError> {
        let at = self.clock.now_epoch_s();
        let message = OutboxMessage {
            message_id: new_id(at),
            at: rfc3339(at),
            to,
            subject,
            body,
        };
        let to_json =
            serde_json::to_string(&message.to).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        let item = Item::new(Key::new(OUTBOX_PK, message.message_id.clone()))
            .with("at", AttrValue::N(i64::try_from(at).unwrap_or(i64::MAX)))
            .with("to", AttrValue::S(to_json))
            .with("subject", AttrValue::S(message.subject.clone()))
            .with("body", AttrValue::S(message.body.clone()))
            .expiring_at(at.saturating_add(self.retention_s));
        self.store.put(item, Condition::MustNotExist).await?;
        Ok(message)
    }

    /// The newest `limit` messages (clamped to 1..=500), newest first.
    pub async fn list(&self, limit: usize) -> Result<Vec<OutboxMessage>, CoreError> {
        let now = self.clock.now_epoch_s();
        let items = newest(&self.store, OUTBOX_PK, limit, now).await?;
        items
            .iter()
            .map(|item| {
                let corrupt = || CoreError::Corrupt("malformed outbox message".into());
                let text = |name: &str| {
                    item.get(name)
                        .and_then(AttrValue::as_s)
                        .map(str::to_owned)
                        .ok_or_else(corrupt)
                };
                Ok(OutboxMessage {
                    message_id: item.key.sk.clone(),
                    at: rfc3339(number(item, "at").ok_or_else(corrupt)?),
                    to: serde_json::from_str(&text("to")?).map_err(|_| corrupt())?,
                    subject: text("subject")?,
                    body: text("body")?,
                })
            })
            .collect()
    }
}

/// The local [`Notifier`]: every notification is stored in the outbox of the municipality's
/// own table (the platform table for `platform`), where the admin app lists it.
#[derive(Clone)]
pub struct LocalOutbox {
    platform: Arc<Platform>,
}

impl std::fmt::Debug for LocalOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalOutbox").finish_non_exhaustive()
    }
}

impl LocalOutbox {
    pub fn new(platform: Arc<Platform>) -> Self {
        Self { platform }
    }

    /// The outbox of `municipality` (a code, or `platform`).
    pub fn outbox(&self, municipality: &str) -> Result<Outbox, CoreError> {
        let store = if municipality == PLATFORM_TABLE {
            self.platform.directory_store().clone()
        } else {
            let code = MunicipalityCode::parse(municipality)
                .map_err(|e| CoreError::Invalid(format!("municipality code: {e}")))?;
            self.platform.tenant(&code)?.store
        };
        Ok(Outbox::new(store, self.platform.clock.clone()))
    }
}

#[async_trait]
impl Notifier for LocalOutbox {
    async fn notify(
        &self,
        municipality: &str,
        to: Vec<String>,
        subject: String,
        body: String,
    ) -> Result<(), CoreError> {
        self.outbox(municipality)?.push(to, subject, body).await?;
        Ok(())
    }
}

/// The stored form of a new alert.
pub(super) fn alert_item(alert: &Alert, at: u64, expires_at: u64) -> Item {
    let mut item = Item::new(Key::new(alerts_pk(), alert.alert_id.clone()))
        .with("at", AttrValue::N(i64::try_from(at).unwrap_or(i64::MAX)))
        .with("kind", AttrValue::S(kind_code(alert.kind).to_owned()))
        .with("message_ja", AttrValue::S(alert.message_ja.clone()))
        .with("message_en", AttrValue::S(alert.message_en.clone()))
        .expiring_at(expires_at);
    if let Some(user_id) = &alert.user_id {
        item = item.with("user_id", AttrValue::S(user_id.clone()));
    }
    item
}

fn alert_from(item: &Item) -> Result<Alert, CoreError> {
    let corrupt = || CoreError::Corrupt("malformed alert".into());
    let text = |name: &str| item.get(name).and_then(AttrValue::as_s).map(str::to_owned);
    let kind = text("kind")
        .as_deref()
        .and_then(parse_kind)
        .ok_or_else(corrupt)?;
    Ok(Alert {
        alert_id: item.key.sk.clone(),
        at: rfc3339(number(item, "at").ok_or_else(corrupt)?),
        kind,
        message_ja: text("message_ja").ok_or_else(corrupt)?,
        message_en: text("message_en").ok_or_else(corrupt)?,
        user_id: text("user_id"),
        acknowledged_by: text("acknowledged_by"),
    })
}

const KINDS: [(AlertKind, &str); 6] = [
    (AlertKind::FailedLoginBurst, "failed_login_burst"),
    (AlertKind::OutsideNetwork, "outside_network"),
    (AlertKind::CrossTenantAttempt, "cross_tenant_attempt"),
    (AlertKind::LargeRead, "large_read"),
    (AlertKind::MyNumberViews, "my_number_views"),
    (AlertKind::PmhMismatch, "pmh_mismatch"),
];

fn kind_code(kind: AlertKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("unknown", |(_, code)| code)
}

fn parse_kind(code: &str) -> Option<AlertKind> {
    KINDS.iter().find(|(_, c)| *c == code).map(|(k, _)| *k)
}

/// Ids are the time (12 digits) and 8 random hex digits, so they sort by time.
pub(super) fn new_id(at: u64) -> String {
    format!("{at:012}-{:08x}", rand::thread_rng().r#gen::<u32>())
}

fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn number(item: &Item, name: &str) -> Option<u64> {
    item.get(name)
        .and_then(AttrValue::as_n)
        .and_then(|n| u64::try_from(n).ok())
}

/// The newest live items of a partition, newest (highest sort key) first.
async fn newest(
    store: &Arc<dyn Store>,
    pk: &str,
    limit: usize,
    now: u64,
) -> Result<Vec<Item>, CoreError> {
    let limit = limit.clamp(1, MAX_LIST);
    let mut query = Query::partition(pk).descending().limit(limit);
    let mut items = Vec::new();
    loop {
        let page = store.query(&query).await?;
        items.extend(page.items.into_iter().filter(|item| !item.is_expired(now)));
        if items.len() >= limit {
            items.truncate(limit);
            return Ok(items);
        }
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(items),
        }
    }
}
