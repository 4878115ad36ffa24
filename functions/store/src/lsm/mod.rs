//! The LSM adapter: the tables of one data directory as keyspaces of one fjall database.
//!
//! Why an LSM engine next to redb is in `docs/decisions/0005-person-import-and-indexes.md`
//! (addendum 2026-11-26): a bulk import writes random blind-index keys, which a copy-on-write
//! B-tree pays for with a page copy each, while an LSM tree appends them to a journal and sorts
//! them in the background.
//!
//! The guarantees are the redb adapter's:
//! - Every write of a table (a transaction, a bulk batch, a sweep) takes the table's writer lock,
//!   reads the committed state, checks its conditions and commits one fjall write batch. A batch
//!   gets one sequence number that becomes visible only once all of it is applied, so readers see
//!   a transaction whole or not at all, and the lock makes the writers of a table serialisable.
//! - Each commit is written to the journal and synced with `fdatasync` (`PersistMode::SyncData`)
//!   before the call returns. That is what redb does too: the journal is pre-allocated and
//!   appended to, fjall fsyncs the directory when it creates a journal, and `fdatasync` writes
//!   the data plus the metadata needed to read it back (size, block map), so the rest of a full
//!   `fsync` (times) buys nothing but latency.
//! - After a crash, fjall replays the journal up to its last whole batch.

use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use async_trait::async_trait;
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode, Readable as _};

use crate::codec;
use crate::{
    BatchWrite, Item, Key, Page, Query, Store, StoreError, Write, now_epoch_s, validate_batch,
    validate_writes,
};

/// The block cache of the whole database (all tables). Reads of an import (duplicate checks)
/// hit bloom filters first, so a small cache costs little: 16 MiB instead of 32 lowered a
/// 1,000,000-row import's peak RSS by about 16 MiB at the same speed, and person search at
/// 1,000,000 persons stayed under 1.4 ms p99 (docs/benchmarks.md, session 8).
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// Largest memtable of a table's items before it is flushed to a sorted file. Together with
/// [`EXPIRY_MEMTABLE_BYTES`] and the journal limit this bounds what a bulk import keeps in
/// memory: a skip-list memtable costs about twice its payload.
const ITEMS_MEMTABLE_BYTES: u64 = 8 * 1024 * 1024;

/// The expiry index holds short keys of the few items with a TTL.
const EXPIRY_MEMTABLE_BYTES: u64 = 4 * 1024 * 1024;

/// Journals past this size force the oldest memtables to disk (fjall's minimum is 64 MiB).
/// At 64 MiB a bulk import forced every family's memtable out at once, so sealed memtables
/// queued up behind the one flush worker: 256 MiB lowered a 1,000,000-row import's peak RSS
/// from 315–348 to 272–293 MiB and its bytes written by 16 % (docs/benchmarks.md). A crash
/// replays at most this much journal on the next open.
const MAX_JOURNALING_BYTES: u64 = 256 * 1024 * 1024;

/// Background flush and compaction threads. One: with more, fjall 3.1's worker 0 hands every
/// compaction request back to the queue and takes it again until another worker is free, which
/// spins a whole core while a compaction runs (measured: 17 % of an import's CPU samples).
const WORKER_THREADS: usize = 1;

/// The keyspace that says which layout of keyspaces this database uses.
const LAYOUT_KEYSPACE: &str = "sesshu.layout";
/// Items split into one LSM tree per key family (see [`family_of`]).
const LAYOUT: &[u8] = b"families-1";

/// Bulk batches with at least this many writes are encoded on two threads.
const PARALLEL_ENCODING_FROM: usize = 2_000;

/// One write of a bulk batch, encoded for its keyspace; `value` is `None` for a delete, and
/// `expiry` the expiry-index entry of an item with a TTL.
struct EncodedWrite {
    keyspace: Keyspace,
    key: fjall::Slice,
    value: Option<fjall::Slice>,
    expiry: Option<fjall::Slice>,
}

/// Queries with at most this many items per page run on the calling task.
const SHORT_PAGE: usize = 32;

/// How many expired items one sweep batch removes, so a sweep never holds the writer lock long.
const SWEEP_BATCH: usize = 1_000;

/// Every commit is synced before the call returns; see the module comment for why `SyncData`.
const DURABILITY: PersistMode = PersistMode::SyncData;

/// The fjall database of a data directory, and the tables opened from it.
pub struct LsmDatabase {
    db: Database,
    path: PathBuf,
    open: Mutex<HashMap<String, Arc<LsmStore>>>,
}

impl std::fmt::Debug for LsmDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LsmDatabase")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LsmDatabase {
    /// Opens the database directory at `path`, creating it (owner-only) if it does not exist. A
    /// directory left by a crash is recovered here, back to its last whole commit. Blocking.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        create_private_dir(path)?;
        let db = Database::builder(path)
            .cache_size(CACHE_BYTES)
            .max_journaling_size(MAX_JOURNALING_BYTES)
            .worker_threads(WORKER_THREADS)
            // Each commit chooses its own durability (DURABILITY); nothing is flushed behind
            // its back.
            .manual_journal_persist(true)
            .open()
            .map_err(|e| match e {
                fjall::Error::Locked => StoreError::Backend(format!(
                    "{} is already open, by this or another process; open each data directory once and share the handle",
                    path.display()
                )),
                other => StoreError::Backend(format!("could not open {}: {other}", path.display())),
            })?;
        check_layout(&db, path)?;
        restrict_files(path)?;
        Ok(Self {
            db,
            path: path.to_path_buf(),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The table `name`, created on first use; every call for one name returns the same store,
    /// so one writer lock guards each table. Blocking on first use.
    pub fn table(&self, name: &str) -> Result<Arc<LsmStore>, StoreError> {
        let mut open = self.open.lock().map_err(|_| poisoned())?;
        if let Some(store) = open.get(name) {
            return Ok(Arc::clone(store));
        }
        let store = Arc::new(LsmStore {
            db: self.db.clone(),
            items: Arc::new(Families {
                db: self.db.clone(),
                table: name.to_owned(),
                open: RwLock::new(HashMap::new()),
            }),
            expiry: open_keyspace(&self.db, &format!("{name}.expiry"), EXPIRY_MEMTABLE_BYTES)?,
            writer: Arc::new(Mutex::new(())),
            name: name.to_owned(),
        });
        open.insert(name.to_owned(), Arc::clone(&store));
        Ok(store)
    }
}

fn open_keyspace(db: &Database, name: &str, memtable: u64) -> Result<Keyspace, StoreError> {
    db.keyspace(name, || {
        KeyspaceCreateOptions::default()
            .max_memtable_size(memtable)
            .manual_journal_persist(true)
    })
    .map_err(backend)
}

/// Refuses a database written with an earlier layout (all items of a table in one keyspace),
/// whose family items this layout would not find; marks a new database with this layout.
fn check_layout(db: &Database, path: &Path) -> Result<(), StoreError> {
    // A crash between creating the layout keyspace and marking it leaves only that keyspace.
    let fresh = db
        .list_keyspace_names()
        .iter()
        .all(|name| AsRef::<str>::as_ref(name) == LAYOUT_KEYSPACE);
    let layout = open_keyspace(db, LAYOUT_KEYSPACE, EXPIRY_MEMTABLE_BYTES)?;
    match layout.get("items").map_err(backend)? {
        Some(value) if value.as_ref() == LAYOUT => Ok(()),
        None if fresh => {
            let mut batch = db.batch().durability(Some(DURABILITY));
            batch.insert(&layout, "items", LAYOUT);
            batch.commit().map_err(backend)
        }
        _ => Err(StoreError::Backend(format!(
            "{} holds an LSM database of an earlier layout, which this version cannot read; import its data again into a new data directory (or use the redb engine)",
            path.display()
        ))),
    }
}

/// The family of a partition key: its text up to the first `#` (`MN`, `KANA`, `P`, …), or ""
/// for keys without one. Each family is its own LSM tree: a query reads only its family's
/// files, and families written in ascending order (profiles by subject number) are compacted
/// by moving whole files instead of merging them with the random blind-index keys.
fn family_of(pk: &[u8]) -> &[u8] {
    match pk.iter().position(|&b| b == b'#') {
        Some(end)
            if (1..=16).contains(&end)
                && pk[..end]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_') =>
        {
            &pk[..end]
        }
        _ => &[],
    }
}

/// The item keyspaces of one table, one per key family, opened on first use.
struct Families {
    db: Database,
    table: String,
    open: RwLock<HashMap<Vec<u8>, Keyspace>>,
}

impl Families {
    /// The keyspace of an encoded item key (partition key, a zero byte, sort key).
    fn of(&self, item_key: &[u8]) -> Result<Keyspace, StoreError> {
        let pk_end = item_key
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(item_key.len());
        self.of_partition(&item_key[..pk_end])
    }

    /// The keyspace of a partition key.
    fn of_partition(&self, pk: &[u8]) -> Result<Keyspace, StoreError> {
        let family = family_of(pk);
        if let Some(keyspace) = self.open.read().map_err(|_| poisoned())?.get(family) {
            return Ok(keyspace.clone());
        }
        let mut open = self.open.write().map_err(|_| poisoned())?;
        if let Some(keyspace) = open.get(family) {
            return Ok(keyspace.clone());
        }
        let name = match std::str::from_utf8(family) {
            Ok("") | Err(_) => format!("{}.items", self.table),
            Ok(family) => format!("{}.items.{family}", self.table),
        };
        let keyspace = open_keyspace(&self.db, &name, ITEMS_MEMTABLE_BYTES)?;
        open.insert(family.to_vec(), keyspace.clone());
        Ok(keyspace)
    }
}

/// A [`Store`] on keyspaces of an [`LsmDatabase`]: the items by their encoded key (see
/// `codec`), one keyspace per key family, and one entry per item with an expiry, ordered by
/// expiry, so a sweep reads only what expired.
pub struct LsmStore {
    db: Database,
    items: Arc<Families>,
    expiry: Keyspace,
    /// Held by every write of this table from its first read to its commit.
    writer: Arc<Mutex<()>>,
    name: String,
}

impl std::fmt::Debug for LsmStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LsmStore")
            .field("table", &self.name)
            .finish_non_exhaustive()
    }
}

/// What a blocking write needs, cloned out of the store so it can move to the blocking pool.
#[derive(Clone)]
struct Handles {
    db: Database,
    items: Arc<Families>,
    expiry: Keyspace,
    writer: Arc<Mutex<()>>,
}

impl Handles {
    fn lock(&self) -> Result<MutexGuard<'_, ()>, StoreError> {
        self.writer.lock().map_err(|_| poisoned())
    }

    /// The stored item at an encoded key as the latest commit left it (expired or not).
    fn current(&self, key: &[u8]) -> Result<Option<Item>, StoreError> {
        match self.items.of(key)?.get(key).map_err(backend)? {
            Some(value) => Ok(Some(codec::decode_item(key, &value)?)),
            None => Ok(None),
        }
    }

    /// Checks every condition, then commits every write as one batch, under the writer lock.
    fn transact(&self, writes: &[Write]) -> Result<(), StoreError> {
        let _writer = self.lock()?;
        // Taken inside the writer lock, so expiry is judged at the moment of the write.
        let now = now_epoch_s();
        let mut stored = Vec::with_capacity(writes.len());
        for (index, write) in writes.iter().enumerate() {
            let key = codec::item_key(write.key());
            let current = self.current(&key)?;
            if !write
                .condition()
                .holds(current.as_ref().filter(|item| !item.is_expired(now)))
            {
                return Err(StoreError::ConditionFailed { index });
            }
            stored.push((key, current.and_then(|item| item.expires_at)));
        }
        let mut batch = self.db.batch().durability(Some(DURABILITY));
        for (write, (key, old_expiry)) in writes.iter().zip(stored) {
            let new_item = match write {
                Write::Check { .. } => continue,
                Write::Put { item, .. } => Some(item),
                Write::Delete { .. } => None,
            };
            let new_expiry = new_item.and_then(|item| item.expires_at);
            // One batch shares one sequence number, so it must not both remove and insert the
            // same index entry: an unchanged expiry keeps its entry untouched.
            if old_expiry != new_expiry {
                if let Some(at) = old_expiry {
                    batch.remove(&self.expiry, codec::expiry_key(at, &key));
                }
                if let Some(at) = new_expiry {
                    batch.insert(&self.expiry, codec::expiry_key(at, &key), []);
                }
            }
            let items = self.items.of(&key)?;
            match new_item {
                Some(item) => batch.insert(&items, key, codec::encode_item(item)?),
                None => batch.remove(&items, key),
            }
        }
        batch.commit().map_err(backend)
    }

    /// Applies unconditional writes without reading what they replace. An expiry entry left
    /// behind by a replaced item is harmless, since a sweep removes an item only if its stored
    /// expiry still matches the entry.
    fn write_batch(&self, writes: &[BatchWrite]) -> Result<(), StoreError> {
        let encoded = self.encode_all(writes)?;
        let mut batch = self.db.batch().durability(Some(DURABILITY));
        for write in encoded {
            if let Some(expiry) = write.expiry {
                batch.insert(&self.expiry, expiry, []);
            }
            match write.value {
                Some(value) => batch.insert(&write.keyspace, write.key, value),
                None => batch.remove(&write.keyspace, write.key),
            }
        }
        // Encoded before taking the lock; the lock still orders the batch against transactions
        // that read what it replaces.
        let _writer = self.lock()?;
        batch.commit().map_err(backend)
    }

    /// Encodes a bulk batch, a large one on two threads: encoding is most of a batch's work
    /// outside the commit, and the commit itself can only run on one.
    fn encode_all(&self, writes: &[BatchWrite]) -> Result<Vec<EncodedWrite>, StoreError> {
        let encode = |part: &[BatchWrite]| -> Result<Vec<EncodedWrite>, StoreError> {
            part.iter().map(|write| self.encode(write)).collect()
        };
        if writes.len() < PARALLEL_ENCODING_FROM {
            return encode(writes);
        }
        let (first, second) = writes.split_at(writes.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| encode(second));
            let mut encoded = encode(first)?;
            let rest = other
                .join()
                .map_err(|_| StoreError::Backend("a batch encoder stopped".into()))??;
            encoded.extend(rest);
            Ok(encoded)
        })
    }

    fn encode(&self, write: &BatchWrite) -> Result<EncodedWrite, StoreError> {
        let key = codec::item_key(write.key());
        let keyspace = self.items.of(&key)?;
        let (value, expiry) = match write {
            BatchWrite::Put(item) => (
                Some(fjall::Slice::from(codec::encode_item(item)?)),
                item.expires_at
                    .map(|at| fjall::Slice::from(codec::expiry_key(at, &key))),
            ),
            BatchWrite::Delete(_) => (None, None),
        };
        Ok(EncodedWrite {
            keyspace,
            key: fjall::Slice::from(key),
            value,
            expiry,
        })
    }

    /// Removes up to [`SWEEP_BATCH`] items that expired at or before `now`; returns how many
    /// index entries it visited and how many items it removed.
    fn sweep_batch(&self, now: u64) -> Result<(usize, usize), StoreError> {
        let _writer = self.lock()?;
        let upper = match now.checked_add(1) {
            Some(after) => Bound::Excluded(after.to_be_bytes().to_vec()),
            None => Bound::Unbounded,
        };
        let due: Vec<fjall::UserKey> = self
            .expiry
            .range::<Vec<u8>, _>((Bound::Unbounded, upper))
            .take(SWEEP_BATCH)
            .map(|entry| entry.key().map_err(backend))
            .collect::<Result<_, _>>()?;
        let mut batch = self.db.batch().durability(Some(DURABILITY));
        let mut removed = 0;
        for index_key in &due {
            let (at, item_key) = codec::split_expiry_key(index_key)?;
            let still_due = self
                .current(item_key)?
                .is_some_and(|item| item.expires_at == Some(at));
            if still_due {
                batch.remove(&self.items.of(item_key)?, item_key);
                removed += 1;
            }
            batch.remove(&self.expiry, index_key.clone());
        }
        batch.commit().map_err(backend)?;
        Ok((due.len(), removed))
    }
}

impl LsmStore {
    fn handles(&self) -> Handles {
        Handles {
            db: self.db.clone(),
            items: Arc::clone(&self.items),
            expiry: self.expiry.clone(),
            writer: Arc::clone(&self.writer),
        }
    }

    /// Runs blocking work (a synced commit, a long scan) off the async worker threads.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Handles) -> Result<T, StoreError> + Send + 'static,
    {
        let handles = self.handles();
        tokio::task::spawn_blocking(move || work(&handles))
            .await
            .map_err(|e| StoreError::Backend(format!("a store task did not finish: {e}")))?
    }
}

/// Creates the database directory readable by its owner only. fjall creates its files with the
/// process's default mode; inside a 0700 directory no other local user can reach them.
fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(path).map_err(|e| {
        StoreError::Backend(format!(
            "could not create {}: {e}; check that its parent exists and is writable",
            path.display()
        ))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
            StoreError::Backend(format!("could not make {} private: {e}", path.display()))
        })?;
    }
    Ok(())
}

/// Narrows what fjall created so far to its owner (files 0600, directories 0700), on top of the
/// private top directory: a copy of the directory keeps no readable files.
fn restrict_files(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let restrict = |entry: &Path, mode: u32| {
            std::fs::set_permissions(entry, std::fs::Permissions::from_mode(mode)).map_err(|e| {
                StoreError::Backend(format!("could not make {} private: {e}", entry.display()))
            })
        };
        let mut pending = vec![path.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| {
                StoreError::Backend(format!("could not list {}: {e}", dir.display()))
            })?;
            for entry in entries {
                let entry = entry.map_err(|e| {
                    StoreError::Backend(format!("could not list {}: {e}", dir.display()))
                })?;
                let file_type = entry.file_type().map_err(|e| {
                    StoreError::Backend(format!("could not list {}: {e}", dir.display()))
                })?;
                if file_type.is_dir() {
                    restrict(&entry.path(), 0o700)?;
                    pending.push(entry.path());
                } else if file_type.is_file() {
                    restrict(&entry.path(), 0o600)?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

fn poisoned() -> StoreError {
    StoreError::Backend("a table lock is poisoned by an earlier panic".into())
}

/// Decodes the item stored at `key`, or `None` when it expired at `now`.
fn live(key: &[u8], value: &[u8], now: u64) -> Result<Option<Item>, StoreError> {
    let item = codec::decode_item(key, value)?;
    Ok((!item.is_expired(now)).then_some(item))
}

#[async_trait]
impl Store for LsmStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        key.validate()?;
        let key = codec::item_key(key);
        let now = now_epoch_s();
        // A point read runs on the calling task, as in the redb adapter: memtables, bloom
        // filters and the block cache answer it in microseconds, and it never waits on a writer.
        match self.items.of(&key)?.get(&key).map_err(backend)? {
            Some(value) => live(&key, &value, now),
            None => Ok(None),
        }
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_writes(&writes)?;
        self.blocking(move |handles| handles.transact(&writes))
            .await
    }

    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        validate_batch(&writes)?;
        if writes.is_empty() {
            return Ok(());
        }
        self.blocking(move |handles| handles.write_batch(&writes))
            .await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        for key in keys {
            key.validate()?;
        }
        let encoded: Vec<Vec<u8>> = keys.iter().map(codec::item_key).collect();
        let now = now_epoch_s();
        let read = move |handles: &Handles| {
            // One snapshot, so the items come from one commit even while writers go on.
            let snapshot = handles.db.snapshot();
            encoded
                .iter()
                .map(|key| {
                    match snapshot
                        .get(&handles.items.of(key)?, key)
                        .map_err(backend)?
                    {
                        Some(value) => live(key, &value, now),
                        None => Ok(None),
                    }
                })
                .collect()
        };
        // A few point reads are cheaper inline than a hop to the blocking pool (see `get`).
        if keys.len() <= 8 {
            read(&self.handles())
        } else {
            self.blocking(read).await
        }
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        query.validate()?;
        let Some(range) = codec::query_bounds(query)? else {
            return Ok(Page::default());
        };
        let (ascending, limit) = (query.ascending, query.limit);
        let now = now_epoch_s();
        let pk = query.pk.clone();
        let read = move |handles: &Handles| {
            let items = handles.items.of_partition(pk.as_bytes())?;
            let entries = handles.db.snapshot().range(&items, range);
            let entries: Box<dyn Iterator<Item = fjall::Guard>> = if ascending {
                Box::new(entries)
            } else {
                Box::new(entries.rev())
            };
            codec::collect_page(
                entries.map(|entry| {
                    let (key, value) = entry.into_inner().map_err(backend)?;
                    live(&key, &value, now)
                }),
                limit,
            )
        };
        // A short page (a search, a duplicate check) is cheaper read inline, as for `get`.
        if limit <= SHORT_PAGE {
            read(&self.handles())
        } else {
            self.blocking(read).await
        }
    }

    async fn sweep_expired(&self, now_epoch_s: u64) -> Result<usize, StoreError> {
        self.blocking(move |handles| {
            let mut removed = 0;
            loop {
                let (visited, batch_removed) = handles.sweep_batch(now_epoch_s)?;
                removed += batch_removed;
                if visited < SWEEP_BATCH {
                    return Ok(removed);
                }
            }
        })
        .await
    }
}
