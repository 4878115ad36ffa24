//! The embedded adapter: one redb database file per table.
//!
//! Why redb, and what it guarantees, is in `docs/decisions/0001-embedded-store.md`. In short:
//! every call is one redb transaction, so a transaction's conditions are checked and its writes
//! applied under the single writer lock — atomic and serialisable — and each commit is fsynced
//! before the call returns. Readers work on MVCC snapshots and never wait for the writer.

mod tables;

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, ReadableDatabase as _, ReadableTable as _, TableDefinition};

use crate::codec;
use crate::{
    BatchWrite, Item, Key, Page, Query, Store, StoreError, Write, now_epoch_s, validate_batch,
    validate_writes,
};

pub use tables::{EmbeddedTables, Engine};

/// Items by their encoded key (see `codec`).
const ITEMS: TableDefinition<'_, &[u8], &[u8]> = TableDefinition::new("items");
/// One entry per item with an expiry, ordered by expiry, so a sweep reads only what expired.
const EXPIRY: TableDefinition<'_, &[u8], ()> = TableDefinition::new("expiry");

/// redb's default page cache is 1 GiB per database; with one file per municipality that would
/// let a busy process grow far beyond what a small server has.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Queries with at most this many items per page run on the calling task.
const SHORT_PAGE: usize = 32;

/// How many expired items one sweep transaction removes, so a large sweep never holds the
/// writer lock for long.
const SWEEP_BATCH: usize = 1_000;

/// A [`Store`] on one redb database file.
pub struct EmbeddedStore {
    db: Arc<Database>,
    path: PathBuf,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EmbeddedStore {
    /// Opens the database file at `path`, creating it if it does not exist. A file left by a
    /// crash is repaired here, back to its last commit. Blocking; the file's directory must exist.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        create_private_file(path)?;
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Backend(format!(
                    "{} is already open, by this or another process; open each table once and share the handle",
                    path.display()
                )),
                other => StoreError::Backend(format!("could not open {}: {other}", path.display())),
            })?;
        // Readers open tables by name, which fails until a writer created them.
        let txn = db.begin_write().map_err(backend)?;
        txn.open_table(ITEMS).map_err(backend)?;
        txn.open_table(EXPIRY).map_err(backend)?;
        txn.commit().map_err(backend)?;
        Ok(Self {
            db: Arc::new(db),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs blocking redb work off the async worker threads.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || work(&db))
            .await
            .map_err(|e| StoreError::Backend(format!("a store task did not finish: {e}")))?
    }
}

/// Creates an empty file readable by its owner only, unless the file exists; redb initialises an
/// empty file as a new database. The data is encrypted per attribute, but the file still holds
/// blind indexes and record structure, which no other local user needs to read.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Backend(format!(
            "could not create {}: {e}; check that its directory exists and is writable",
            path.display()
        ))),
    }
}

fn backend(error: impl Into<redb::Error>) -> StoreError {
    StoreError::Backend(error.into().to_string())
}

/// Checks every condition, then applies every write, inside the caller's write transaction.
/// `Ok(Some(index))` names the first write whose condition failed; nothing was written then.
fn apply(
    txn: &redb::WriteTransaction,
    writes: &[Write],
    now: u64,
) -> Result<Option<usize>, StoreError> {
    let mut items = txn.open_table(ITEMS).map_err(backend)?;
    let mut expiry = txn.open_table(EXPIRY).map_err(backend)?;
    let mut stored = Vec::with_capacity(writes.len());
    for (index, write) in writes.iter().enumerate() {
        let key = codec::item_key(write.key());
        let current = match items.get(key.as_slice()).map_err(backend)? {
            Some(value) => Some(codec::decode_item(&key, value.value())?),
            None => None,
        };
        if !write
            .condition()
            .holds(current.as_ref().filter(|item| !item.is_expired(now)))
        {
            return Ok(Some(index));
        }
        stored.push((key, current.and_then(|item| item.expires_at)));
    }
    for (write, (key, old_expiry)) in writes.iter().zip(stored) {
        let new_item = match write {
            Write::Check { .. } => continue,
            Write::Put { item, .. } => Some(item),
            Write::Delete { .. } => None,
        };
        if let Some(at) = old_expiry {
            expiry
                .remove(codec::expiry_key(at, &key).as_slice())
                .map_err(backend)?;
        }
        match new_item {
            Some(item) => {
                items
                    .insert(key.as_slice(), codec::encode_item(item)?.as_slice())
                    .map_err(backend)?;
                if let Some(at) = item.expires_at {
                    expiry
                        .insert(codec::expiry_key(at, &key).as_slice(), ())
                        .map_err(backend)?;
                }
            }
            None => {
                items.remove(key.as_slice()).map_err(backend)?;
            }
        }
    }
    Ok(None)
}

/// Applies unconditional writes without reading what they replace: half the B-tree work of
/// [`apply`] for bulk loads. An expiry entry left behind by a replaced item is harmless, since a
/// sweep removes an item only if its stored expiry still matches the entry.
fn apply_blind(txn: &redb::WriteTransaction, writes: &[BatchWrite]) -> Result<(), StoreError> {
    let mut items = txn.open_table(ITEMS).map_err(backend)?;
    let mut expiry = txn.open_table(EXPIRY).map_err(backend)?;
    for write in writes {
        let key = codec::item_key(write.key());
        match write {
            BatchWrite::Put(item) => {
                items
                    .insert(key.as_slice(), codec::encode_item(item)?.as_slice())
                    .map_err(backend)?;
                if let Some(at) = item.expires_at {
                    expiry
                        .insert(codec::expiry_key(at, &key).as_slice(), ())
                        .map_err(backend)?;
                }
            }
            BatchWrite::Delete(_) => {
                items.remove(key.as_slice()).map_err(backend)?;
            }
        }
    }
    Ok(())
}

/// Removes up to [`SWEEP_BATCH`] items that expired at or before `now`; returns how many index
/// entries it visited and how many items it removed.
fn sweep_batch(db: &Database, now: u64) -> Result<(usize, usize), StoreError> {
    let txn = db.begin_write().map_err(backend)?;
    let (visited, removed) = {
        let mut items = txn.open_table(ITEMS).map_err(backend)?;
        let mut expiry = txn.open_table(EXPIRY).map_err(backend)?;
        let upper = match now.checked_add(1) {
            Some(after) => Bound::Excluded(after.to_be_bytes().to_vec()),
            None => Bound::Unbounded,
        };
        let due: Vec<Vec<u8>> = expiry
            .range::<&[u8]>((Bound::Unbounded, upper.as_ref().map(Vec::as_slice)))
            .map_err(backend)?
            .take(SWEEP_BATCH)
            .map(|entry| entry.map(|(key, _)| key.value().to_vec()).map_err(backend))
            .collect::<Result<_, _>>()?;
        let mut removed = 0;
        for index_key in &due {
            let (at, item_key) = codec::split_expiry_key(index_key)?;
            let still_due = match items.get(item_key).map_err(backend)? {
                Some(value) => codec::decode_item(item_key, value.value())?.expires_at == Some(at),
                None => false,
            };
            if still_due {
                items.remove(item_key).map_err(backend)?;
                removed += 1;
            }
            expiry.remove(index_key.as_slice()).map_err(backend)?;
        }
        (due.len(), removed)
    };
    txn.commit().map_err(backend)?;
    Ok((visited, removed))
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        key.validate()?;
        let key = codec::item_key(key);
        let now = now_epoch_s();
        // A point read runs on the calling task: it takes microseconds (redb serves it from its
        // page cache, never waiting on a writer), while a hop to the blocking pool and back
        // cost more than the read itself and was the largest item of a records request.
        let txn = self.db.begin_read().map_err(backend)?;
        let items = txn.open_table(ITEMS).map_err(backend)?;
        let Some(value) = items.get(key.as_slice()).map_err(backend)? else {
            return Ok(None);
        };
        let item = codec::decode_item(&key, value.value())?;
        Ok((!item.is_expired(now)).then_some(item))
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_writes(&writes)?;
        self.blocking(move |db| {
            // Taken inside the writer lock, so expiry is judged at the moment of the write.
            let txn = db.begin_write().map_err(backend)?;
            let now = now_epoch_s();
            match apply(&txn, &writes, now) {
                Ok(None) => txn.commit().map_err(backend),
                Ok(Some(index)) => {
                    txn.abort().map_err(backend)?;
                    Err(StoreError::ConditionFailed { index })
                }
                Err(error) => {
                    // The abort's own failure would hide the cause.
                    let _ = txn.abort();
                    Err(error)
                }
            }
        })
        .await
    }

    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        validate_batch(&writes)?;
        if writes.is_empty() {
            return Ok(());
        }
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(backend)?;
            match apply_blind(&txn, &writes) {
                Ok(()) => txn.commit().map_err(backend),
                Err(error) => {
                    let _ = txn.abort();
                    Err(error)
                }
            }
        })
        .await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        for key in keys {
            key.validate()?;
        }
        let encoded: Vec<Vec<u8>> = keys.iter().map(codec::item_key).collect();
        let now = now_epoch_s();
        let read = move |db: &Database| {
            let txn = db.begin_read().map_err(backend)?;
            let items = txn.open_table(ITEMS).map_err(backend)?;
            encoded
                .iter()
                .map(|key| match items.get(key.as_slice()).map_err(backend)? {
                    Some(value) => {
                        let item = codec::decode_item(key, value.value())?;
                        Ok((!item.is_expired(now)).then_some(item))
                    }
                    None => Ok(None),
                })
                .collect()
        };
        // A few point reads are cheaper inline than a hop to the blocking pool (see `get`).
        if keys.len() <= 8 {
            read(&self.db)
        } else {
            self.blocking(read).await
        }
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        query.validate()?;
        let Some((lower, upper)) = codec::query_bounds(query)? else {
            return Ok(Page::default());
        };
        let (ascending, limit) = (query.ascending, query.limit);
        let now = now_epoch_s();
        let read = move |db: &Database| {
            let txn = db.begin_read().map_err(backend)?;
            let items = txn.open_table(ITEMS).map_err(backend)?;
            let range = items
                .range::<&[u8]>((
                    lower.as_ref().map(Vec::as_slice),
                    upper.as_ref().map(Vec::as_slice),
                ))
                .map_err(backend)?;
            let entries: Box<dyn Iterator<Item = _>> = if ascending {
                Box::new(range)
            } else {
                Box::new(range.rev())
            };
            codec::collect_page(
                entries.map(|entry| {
                    let (key, value) = entry.map_err(backend)?;
                    let item = codec::decode_item(key.value(), value.value())?;
                    Ok((!item.is_expired(now)).then_some(item))
                }),
                limit,
            )
        };
        // A short page (a search, a duplicate check) is cheaper read inline than after a hop
        // to the blocking pool, as for `get`.
        if limit <= SHORT_PAGE {
            read(&self.db)
        } else {
            self.blocking(read).await
        }
    }

    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError> {
        self.blocking(move |db| {
            let mut removed = 0;
            loop {
                let (visited, batch_removed) = sweep_batch(db, now_epoch_s)?;
                removed += batch_removed;
                if visited < SWEEP_BATCH {
                    return Ok(removed);
                }
            }
        })
        .await
    }
}
