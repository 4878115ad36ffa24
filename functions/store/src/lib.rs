//! The storage port: items addressed by partition key + sort key.
//!
//! Every adapter (embedded redb, DynamoDB) implements [`Store`] and must pass the shared
//! [`contract`] suite, so use cases never depend on which one runs underneath.

pub mod contract;
pub mod embedded;
mod item;

pub use item::{AttrValue, Item, Key, RESERVED_ATTRIBUTES, now_epoch_s};

use async_trait::async_trait;

/// Most writes one [`Store::transact`] call may carry (DynamoDB's TransactWriteItems limit).
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// What must hold for a write to happen. Checked atomically with the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Write unconditionally.
    None,
    /// The item must not exist (an expired item counts as absent).
    MustNotExist,
    /// The item must exist (and not be expired).
    MustExist,
    /// The stored item must exist with exactly this version.
    VersionIs(u64),
}

/// One write inside a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        condition: Condition,
    },
    Delete {
        key: Key,
        condition: Condition,
    },
    /// Only a condition on another item; writes nothing.
    Check {
        key: Key,
        condition: Condition,
    },
}

/// Which sort keys a query returns within one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkRange {
    All,
    /// Sort keys starting with this prefix.
    Prefix(String),
    /// Sort keys `from <= sk <= to` (both inclusive, like DynamoDB's BETWEEN).
    Between {
        from: String,
        to: String,
    },
}

/// A query over one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub pk: String,
    pub range: SkRange,
    /// `false` returns sort keys in descending order.
    pub ascending: bool,
    /// Most items in one page (at least 1).
    pub limit: usize,
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
}

impl Query {
    /// All items of a partition in ascending sort-key order, 100 per page.
    pub fn partition(pk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            range: SkRange::All,
            ascending: true,
            limit: 100,
            cursor: None,
        }
    }

    pub fn prefix(pk: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            range: SkRange::Prefix(prefix.into()),
            ..Self::partition(pk)
        }
    }

    pub fn descending(mut self) -> Self {
        self.ascending = false;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }
}

/// One page of a query result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow; pass it as [`Query::cursor`].
    pub next: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write's condition did not hold; nothing was written.
    /// For a transaction, `index` names the first write whose condition failed.
    #[error("condition failed on write {index}")]
    ConditionFailed { index: usize },
    /// Another transaction touched the same items at the same time; retrying may succeed.
    #[error("transaction conflict, retry")]
    Conflict,
    /// The request itself was malformed (empty key, too many writes, bad cursor …).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The backend failed (I/O, network, throttling after all retries).
    #[error("store backend failed: {0}")]
    Backend(String),
}

/// The storage port. One instance is one table: a municipality's, or the platform directory.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The item at `key`, unless absent or expired.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Writes `item` if `condition` holds.
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.transact(vec![Write::Put { item, condition }]).await
    }

    /// Deletes the item at `key` if `condition` holds. Deleting an absent item with
    /// [`Condition::None`] succeeds.
    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        self.transact(vec![Write::Delete {
            key: key.clone(),
            condition,
        }])
        .await
    }

    /// Up to [`MAX_TRANSACTION_WRITES`] writes to distinct keys that all happen or none do.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// One page of a partition's items in sort-key order, expired items left out.
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;

    /// Physically removes items whose TTL passed before `now_epoch_s`; returns how many.
    /// (DynamoDB sweeps on its own; its adapter may return 0.)
    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError>;
}

/// Checks the shape of a transaction the same way for every adapter.
pub fn validate_writes(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Err(StoreError::Invalid(
            "a transaction needs at least one write".into(),
        ));
    }
    if writes.len() > MAX_TRANSACTION_WRITES {
        return Err(StoreError::Invalid(format!(
            "a transaction takes at most {MAX_TRANSACTION_WRITES} writes, got {}",
            writes.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for write in writes {
        let key = match write {
            Write::Put { item, .. } => item.key.clone(),
            Write::Delete { key, .. } | Write::Check { key, .. } => key.clone(),
        };
        key.validate()?;
        if !seen.insert(key) {
            return Err(StoreError::Invalid(
                "a transaction may touch each key only once".into(),
            ));
        }
    }
    Ok(())
}
