//! The stored form of entries and the head, and the chain MAC over them.

use hmac::{Hmac, Mac};
use sesshu_crypto::{CryptoError, DataKey};
use sesshu_domain::staff::{AuditEntry, Outcome};
use sesshu_store::{AttrValue, Condition, Item, Key};
use sha2::Sha256;
use time::format_description::well_known::Rfc3339;

use super::{AuditEvent, day_of, day_string};
use crate::error::CoreError;

pub(super) const HEAD_PK: &str = "LOG#HEAD";
pub(super) const HEAD_SK: &str = "HEAD";
pub(super) const DAYS_PK: &str = "LOG#DAYS";
const DAY_PK_PREFIX: &str = "LOG#";
/// Sort keys are the sequence number with this many digits, so byte order is numeric order.
pub(super) const SEQ_DIGITS: usize = 20;
/// Separates the MAC input of this scheme from every other use of the key.
const DOMAIN: &[u8] = b"sesshu-audit-chain-v1";

/// The partition of a UTC day's entries.
pub(super) fn day_pk(day: &str) -> String {
    format!("{DAY_PK_PREFIX}{day}")
}

/// The day of an entry partition key, if it is one.
pub(super) fn day_of_pk(pk: &str) -> Option<&str> {
    pk.strip_prefix(DAY_PK_PREFIX)
        .filter(|day| day.len() == 10 && day.as_bytes()[4] == b'-')
}

pub(super) fn seq_sk(seq: u64) -> String {
    format!("{seq:0SEQ_DIGITS$}")
}

/// The sequence number of a well-formed sort key.
pub(super) fn seq_of_sk(sk: &str) -> Option<u64> {
    if sk.len() == SEQ_DIGITS && sk.bytes().all(|b| b.is_ascii_digit()) {
        sk.parse().ok()
    } else {
        None
    }
}

/// The chain head: the newest entry's position, time, MAC and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Head {
    pub seq: u64,
    pub at: u64,
    pub mac: Vec<u8>,
    pub expires_at: u64,
    /// The stored item's version; `None` before the first append.
    pub version: Option<u64>,
}

impl Head {
    /// Before the first entry: seq 0, an empty MAC.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            at: 0,
            mac: Vec::new(),
            expires_at: 0,
            version: None,
        }
    }

    pub fn key() -> Key {
        Key::new(HEAD_PK, HEAD_SK)
    }

    pub fn from_item(item: &Item) -> Result<Self, CoreError> {
        let corrupt = || CoreError::Corrupt("the operation log head is malformed".into());
        Ok(Self {
            seq: number(item, "seq").ok_or_else(corrupt)?,
            at: number(item, "at").ok_or_else(corrupt)?,
            mac: item
                .get("mac")
                .and_then(AttrValue::as_b)
                .ok_or_else(corrupt)?
                .to_vec(),
            expires_at: number(item, "expires_at").ok_or_else(corrupt)?,
            version: Some(item.version),
        })
    }

    /// The write that moves the head to `next`, guarded so only one appender wins.
    pub fn write_after(&self, next: &Head) -> (Item, Condition) {
        let (condition, version) = match self.version {
            Some(version) => (Condition::VersionIs(version), version + 1),
            None => (Condition::MustNotExist, 1),
        };
        let item = Item::new(Self::key())
            .with("seq", AttrValue::N(to_i64(next.seq)))
            .with("at", AttrValue::N(to_i64(next.at)))
            .with("mac", AttrValue::B(next.mac.clone()))
            .with("expires_at", AttrValue::N(to_i64(next.expires_at)))
            .with_version(version);
        (item, condition)
    }
}

/// One chained entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub seq: u64,
    pub at: u64,
    pub expires_at: u64,
    pub event: AuditEvent,
    /// Which [`sesshu_crypto::KeyPurpose::AuditChain`] key made the MAC.
    pub kid: u32,
    /// The predecessor's expiry (0 for the first entry): tells a verifier whether a missing
    /// predecessor may have expired.
    pub prev_expires_at: u64,
    pub prev_mac: Vec<u8>,
    pub mac: Vec<u8>,
}

impl Entry {
    /// The UTC day whose partition holds this entry.
    pub fn day(&self) -> String {
        day_string(day_of(self.at))
    }

    pub fn to_item(&self) -> Result<Item, CoreError> {
        let json = |list: &Vec<String>| {
            serde_json::to_string(list).map_err(|e| CoreError::Corrupt(e.to_string()))
        };
        let mut item = Item::new(Key::new(day_pk(&self.day()), seq_sk(self.seq)))
            .with("seq", AttrValue::N(to_i64(self.seq)))
            .with("at", AttrValue::N(to_i64(self.at)))
            .with("actor", AttrValue::S(self.event.actor.clone()))
            .with("source", AttrValue::S(self.event.source.clone()))
            .with("surface", AttrValue::S(self.event.surface.clone()))
            .with("action", AttrValue::S(self.event.action.clone()))
            .with("subjects", AttrValue::S(json(&self.event.subjects)?))
            .with("fields", AttrValue::S(json(&self.event.fields)?))
            .with(
                "outcome",
                AttrValue::S(self.event.outcome.code().to_owned()),
            )
            .with("request_id", AttrValue::S(self.event.request_id.clone()))
            .with("kid", AttrValue::N(i64::from(self.kid)))
            .with(
                "prev_expires_at",
                AttrValue::N(to_i64(self.prev_expires_at)),
            )
            .with("prev_mac", AttrValue::B(self.prev_mac.clone()))
            .with("mac", AttrValue::B(self.mac.clone()))
            .expiring_at(self.expires_at);
        if let Some(reason) = &self.event.reason {
            item = item.with("reason", AttrValue::S(reason.clone()));
        }
        Ok(item)
    }

    /// Reads a stored entry; `None` names the first attribute that is absent or malformed.
    pub fn from_item(item: &Item) -> Result<Self, &'static str> {
        let text = |name: &'static str| {
            item.get(name)
                .and_then(AttrValue::as_s)
                .map(str::to_owned)
                .ok_or(name)
        };
        let list = |name: &'static str| -> Result<Vec<String>, &'static str> {
            serde_json::from_str(&text(name)?).map_err(|_| name)
        };
        let bytes = |name: &'static str| {
            item.get(name)
                .and_then(AttrValue::as_b)
                .map(<[u8]>::to_vec)
                .ok_or(name)
        };
        let outcome = match text("outcome")?.as_str() {
            "allowed" => Outcome::Allowed,
            "denied" => Outcome::Denied,
            "failed" => Outcome::Failed,
            _ => return Err("outcome"),
        };
        let reason = match item.get("reason") {
            None => None,
            Some(AttrValue::S(reason)) => Some(reason.clone()),
            Some(_) => return Err("reason"),
        };
        Ok(Self {
            seq: number(item, "seq").ok_or("seq")?,
            at: number(item, "at").ok_or("at")?,
            expires_at: item.expires_at.ok_or("expires_at")?,
            event: AuditEvent {
                actor: text("actor")?,
                source: text("source")?,
                surface: text("surface")?,
                action: text("action")?,
                subjects: list("subjects")?,
                fields: list("fields")?,
                outcome,
                reason,
                request_id: text("request_id")?,
            },
            kid: number(item, "kid")
                .and_then(|n| u32::try_from(n).ok())
                .ok_or("kid")?,
            prev_expires_at: number(item, "prev_expires_at").ok_or("prev_expires_at")?,
            prev_mac: bytes("prev_mac")?,
            mac: bytes("mac")?,
        })
    }

    /// The MAC this entry should carry under `key` in the log `log`.
    pub fn compute_mac(&self, key: &DataKey, log: &str) -> Result<Vec<u8>, CoreError> {
        Ok(self.mac_input(key, log)?.finalize().into_bytes().to_vec())
    }

    /// Whether the stored MAC matches (compared in constant time).
    pub fn mac_is_valid(&self, key: &DataKey, log: &str) -> Result<bool, CoreError> {
        Ok(self.mac_input(key, log)?.verify_slice(&self.mac).is_ok())
    }

    /// An unambiguous MAC input: every variable-length part is prefixed with its length, so no
    /// two different entries encode to the same bytes.
    fn mac_input(&self, key: &DataKey, log: &str) -> Result<Hmac<Sha256>, CoreError> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose())
            .map_err(|_| CoreError::Crypto(CryptoError::Integrity))?;
        let number = |mac: &mut Hmac<Sha256>, n: u64| mac.update(&n.to_be_bytes());
        let bytes = |mac: &mut Hmac<Sha256>, b: &[u8]| {
            mac.update(&(b.len() as u64).to_be_bytes());
            mac.update(b);
        };
        bytes(&mut mac, DOMAIN);
        bytes(&mut mac, log.as_bytes());
        number(&mut mac, self.seq);
        number(&mut mac, self.at);
        number(&mut mac, self.expires_at);
        let event = &self.event;
        for text in [&event.actor, &event.source, &event.surface, &event.action] {
            bytes(&mut mac, text.as_bytes());
        }
        for list in [&event.subjects, &event.fields] {
            number(&mut mac, list.len() as u64);
            for name in list {
                bytes(&mut mac, name.as_bytes());
            }
        }
        bytes(&mut mac, event.outcome.code().as_bytes());
        match &event.reason {
            None => number(&mut mac, 0),
            Some(reason) => {
                number(&mut mac, 1);
                bytes(&mut mac, reason.as_bytes());
            }
        }
        bytes(&mut mac, event.request_id.as_bytes());
        number(&mut mac, self.prev_expires_at);
        bytes(&mut mac, &self.prev_mac);
        Ok(mac)
    }

    /// The entry as the staff app shows it.
    pub fn to_wire(&self) -> AuditEntry {
        AuditEntry {
            seq: self.seq,
            at: rfc3339(self.at),
            actor: self.event.actor.clone(),
            source: self.event.source.clone(),
            surface: self.event.surface.clone(),
            action: self.event.action.clone(),
            subjects: self.event.subjects.clone(),
            fields: self.event.fields.clone(),
            outcome: self.event.outcome,
            reason: self.event.reason.clone(),
            request_id: self.event.request_id.clone(),
        }
    }
}

fn number(item: &Item, name: &str) -> Option<u64> {
    item.get(name)
        .and_then(AttrValue::as_n)
        .and_then(|n| u64::try_from(n).ok())
}

pub(super) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// RFC 3339 in UTC, e.g. `2026-11-25T09:30:00Z`.
pub(crate) fn rfc3339(epoch_s: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(to_i64(epoch_s))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}
