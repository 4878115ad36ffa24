use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Attribute names the adapters reserve for themselves.
pub const RESERVED_ATTRIBUTES: [&str; 4] = ["pk", "sk", "_v", "_ttl"];

/// Where an item lives: partition key + sort key. Neither may be empty or contain NUL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

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
    S(String),
    N(i64),
    B(Vec<u8>),
    Bool(bool),
}

impl AttrValue {
    pub fn as_s(&self) -> Option<&str> {
        match self {
            AttrValue::S(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_n(&self) -> Option<i64> {
        match self {
            AttrValue::N(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_b(&self) -> Option<&[u8]> {
        match self {
            AttrValue::B(b) => Some(b),
            _ => None,
        }
    }

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
    pub key: Key,
    pub attrs: BTreeMap<String, AttrValue>,
    pub version: u64,
    pub expires_at: Option<u64>,
}

impl Item {
    pub fn new(key: Key) -> Self {
        Self {
            key,
            attrs: BTreeMap::new(),
            version: 1,
            expires_at: None,
        }
    }

    pub fn with(mut self, name: impl Into<String>, value: AttrValue) -> Self {
        self.attrs.insert(name.into(), value);
        self
    }

    pub fn with_version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    pub fn expiring_at(mut self, epoch_s: u64) -> Self {
        self.expires_at = Some(epoch_s);
        self
    }

    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.get(name)
    }

    pub fn is_expired(&self, now_epoch_s: u64) -> bool {
        self.expires_at.is_some_and(|at| at <= now_epoch_s)
    }

    pub fn validate(&self) -> Result<(), StoreError> {
        self.key.validate()?;
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
