use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Attribute names the adapters reserve for themselves.
pub const RESERVED_ATTRIBUTES: [&str; 4] = ["pk", "sk", "_v", "_ttl"];

/// Where an item lives: partition key + sort key. Neither may be empty or contain NUL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    /// Partition key, e.g. `P#<subject_no>`.
    pub pk: String,
    /// Sort key within the partition; queries return items in its byte order.
    pub sk: String,
}

impl Key {
    /// A key from its two parts (not validated: stores validate on every call).
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// Refuses empty parts, NUL (the embedded adapter's separator) and parts over 1024 bytes
    /// (DynamoDB's sort-key limit).
    pub fn validate(&self) -> Result<(), StoreError> {
        for (name, part) in [("partition key", &self.pk), ("sort key", &self.sk)] {
            if part.is_empty() {
                return Err(StoreError::Invalid(format!("{name} must not be empty")));
            }
            if part.contains('\0') {
                return Err(StoreError::Invalid(format!("{name} must not contain NUL")));
            }
            if part.len() > 1024 {
                return Err(StoreError::Invalid(format!(
                    "{name} is longer than 1024 bytes"
                )));
            }
        }
        Ok(())
    }
}

/// One attribute value. Deliberately small: what both adapters store natively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttrValue {
    /// A string (may be empty).
    S(String),
    /// A signed 64-bit integer.
    N(i64),
    /// Bytes (may be empty), e.g. a ciphertext. As bytes, not a sequence: the same postcard
    /// encoding, decoded in one copy instead of element by element.
    B(#[serde(with = "serde_bytes")] Vec<u8>),
    /// A boolean.
    Bool(bool),
}

impl AttrValue {
    /// The string, if this is an `S`.
    pub fn as_s(&self) -> Option<&str> {
        match self {
            AttrValue::S(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is an `N`.
    pub fn as_n(&self) -> Option<i64> {
        match self {
            AttrValue::N(n) => Some(*n),
            _ => None,
        }
    }

    /// The bytes, if this is a `B`.
    pub fn as_b(&self) -> Option<&[u8]> {
        match self {
            AttrValue::B(b) => Some(b),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttrValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// A stored item: its key, attributes, an optimistic-concurrency version and an optional
/// expiry (epoch seconds) after which every read treats it as absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Where the item lives.
    pub key: Key,
    /// The attributes; names must be non-empty and not in [`RESERVED_ATTRIBUTES`].
    pub attrs: BTreeMap<String, AttrValue>,
    /// Stored exactly as given: writers bump it themselves and guard the write with
    /// [`crate::Condition::VersionIs`] of the version they read.
    pub version: u64,
    /// Epoch seconds; from this second on the item reads as absent.
    pub expires_at: Option<u64>,
}

impl Item {
    /// An item with no attributes, version 1 and no expiry.
    pub fn new(key: Key) -> Self {
        Self {
            key,
            attrs: BTreeMap::new(),
            version: 1,
            expires_at: None,
        }
    }

    /// Sets one attribute.
    pub fn with(mut self, name: impl Into<String>, value: AttrValue) -> Self {
        self.attrs.insert(name.into(), value);
        self
    }

    /// Sets the version.
    pub fn with_version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// Sets the expiry (epoch seconds).
    pub fn expiring_at(mut self, epoch_s: u64) -> Self {
        self.expires_at = Some(epoch_s);
        self
    }

    /// One attribute.
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.get(name)
    }

    /// Whether the item reads as absent at `now_epoch_s` (expiry is inclusive).
    pub fn is_expired(&self, now_epoch_s: u64) -> bool {
        self.expires_at.is_some_and(|at| at <= now_epoch_s)
    }

    /// Refuses a bad key, empty attribute names and reserved ones.
    pub fn validate(&self) -> Result<(), StoreError> {
        self.key.validate()?;
        if self.attrs.keys().any(String::is_empty) {
            return Err(StoreError::Invalid(
                "attribute names must not be empty".into(),
            ));
        }
        if let Some(name) = self
            .attrs
            .keys()
            .find(|n| RESERVED_ATTRIBUTES.contains(&n.as_str()))
        {
            return Err(StoreError::Invalid(format!(
                "attribute name {name} is reserved"
            )));
        }
        Ok(())
    }
}

/// Seconds since the Unix epoch, for TTL checks.
pub fn now_epoch_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
