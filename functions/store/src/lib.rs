//! The storage port: items addressed by partition key + sort key.
//!
//! Every adapter (embedded redb, embedded LSM on fjall, DynamoDB) implements [`Store`] and must
//! pass the shared [`contract`] suite, so use cases never depend on which one runs underneath.

mod codec;
pub mod contract;
pub mod embedded;
mod item;
pub mod lsm;

pub use embedded::{EmbeddedStore, EmbeddedTables, Engine};
pub use item::{AttrValue, Item, Key, RESERVED_ATTRIBUTES, now_epoch_s};
pub use lsm::{LsmDatabase, LsmStore};

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

impl Condition {
    /// Whether the condition holds for `live`, the stored item unless absent or expired.
    pub(crate) fn holds(self, live: Option<&Item>) -> bool {
        match self {
            Condition::None => true,
            Condition::MustNotExist => live.is_none(),
            Condition::MustExist => live.is_some(),
            Condition::VersionIs(version) => live.is_some_and(|item| item.version == version),
        }
    }
}

/// One write inside a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Stores `item` (replacing any item at its key) if `condition` holds.
    Put { item: Item, condition: Condition },
    /// Removes the item at `key` if `condition` holds.
    Delete { key: Key, condition: Condition },
    /// Only a condition on another item; writes nothing.
    Check { key: Key, condition: Condition },
}

impl Write {
    /// The key this write touches.
    pub fn key(&self) -> &Key {
        match self {
            Write::Put { item, .. } => &item.key,
            Write::Delete { key, .. } | Write::Check { key, .. } => key,
        }
    }

    /// The condition guarding this write.
    pub fn condition(&self) -> Condition {
        match self {
            Write::Put { condition, .. }
            | Write::Delete { condition, .. }
            | Write::Check { condition, .. } => *condition,
        }
    }
}

/// One write of a bulk [`Store::write_batch`]: unconditional, since DynamoDB's BatchWriteItem
/// checks no conditions.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchWrite {
    /// Stores the item, replacing any item at its key.
    Put(Item),
    /// Removes the item at the key; removing an absent item succeeds.
    Delete(Key),
}

impl BatchWrite {
    /// The key this write touches.
    pub fn key(&self) -> &Key {
        match self {
            BatchWrite::Put(item) => &item.key,
            BatchWrite::Delete(key) => key,
        }
    }
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
    /// The partition to read.
    pub pk: String,
    /// Which sort keys to return.
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

    /// Items whose sort key starts with `prefix`, ascending, 100 per page.
    pub fn prefix(pk: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            range: SkRange::Prefix(prefix.into()),
            ..Self::partition(pk)
        }
    }

    /// Items with `from <= sk <= to`, ascending, 100 per page.
    pub fn between(pk: impl Into<String>, from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            range: SkRange::Between {
                from: from.into(),
                to: to.into(),
            },
            ..Self::partition(pk)
        }
    }

    /// Checks the query the same way for every adapter: a valid partition key, a limit of at
    /// least 1, no NUL in the range, and a `Between` whose bounds are non-empty and in order
    /// (DynamoDB refuses the others).
    pub fn validate(&self) -> Result<(), StoreError> {
        Key::new(self.pk.clone(), "-").validate()?;
        if self.limit == 0 {
            return Err(StoreError::Invalid(
                "a query limit must be at least 1".into(),
            ));
        }
        match &self.range {
            SkRange::All => {}
            SkRange::Prefix(prefix) => {
                if prefix.contains('\0') {
                    return Err(StoreError::Invalid(
                        "a sort-key prefix must not contain NUL".into(),
                    ));
                }
            }
            SkRange::Between { from, to } => {
                Key::new("-", from.clone()).validate()?;
                Key::new("-", to.clone()).validate()?;
                if from > to {
                    return Err(StoreError::Invalid(
                        "a between range needs from <= to, swap the bounds".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Returns sort keys in descending order.
    pub fn descending(mut self) -> Self {
        self.ascending = false;
        self
    }

    /// Sets the page size.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Continues after the `next` cursor of a previous page.
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

/// Why a store call failed. Messages never carry item contents.
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

    /// Many unconditional writes to distinct keys, for bulk work such as imports. Each write is
    /// idempotent, but the batch is NOT atomic: after an error any subset may have been applied,
    /// so callers make their work resumable (an intent written first, the batch applied again)
    /// instead of relying on all-or-nothing. The embedded store applies the whole batch in one
    /// transaction; DynamoDB sends it as BatchWriteItem requests of 25 and retries what was left
    /// unprocessed.
    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError>;

    /// The items at `keys`, in the same order (`None` for absent or expired ones). The default
    /// reads them one by one; adapters with a bulk read override it.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let mut items = Vec::with_capacity(keys.len());
        for key in keys {
            items.push(self.get(key).await?);
        }
        Ok(items)
    }

    /// One page of a partition's items in sort-key order, expired items left out.
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;

    /// Physically removes items whose TTL passed before `now_epoch_s`; returns how many.
    /// (DynamoDB sweeps on its own; its adapter may return 0.)
    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError>;
}

/// Checks a bulk batch the same way for every adapter: valid keys and items, each key at most
/// once (DynamoDB refuses a BatchWriteItem that names a key twice). An empty batch is fine.
pub fn validate_batch(writes: &[BatchWrite]) -> Result<(), StoreError> {
    // Hashed, not ordered: an import's keys share long prefixes (`KANA#<hmac>`), which made
    // every comparison of an ordered set a long memcmp.
    let mut seen = std::collections::HashSet::with_capacity(writes.len());
    for write in writes {
        match write {
            BatchWrite::Put(item) => item.validate()?,
            BatchWrite::Delete(key) => key.validate()?,
        }
        if !seen.insert(write.key()) {
            return Err(StoreError::Invalid(
                "a batch may touch each key only once".into(),
            ));
        }
    }
    Ok(())
}

/// Checks the shape of a transaction the same way for every adapter: 1 to
/// [`MAX_TRANSACTION_WRITES`] writes, valid keys and items, each key at most once.
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
        match write {
            Write::Put { item, .. } => item.validate()?,
            Write::Delete { key, .. } | Write::Check { key, .. } => key.validate()?,
        }
        if !seen.insert(write.key()) {
            return Err(StoreError::Invalid(
                "a transaction may touch each key only once".into(),
            ));
        }
    }
    Ok(())
}
