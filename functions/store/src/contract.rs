//! The contract every [`Store`] adapter must pass.
//!
//! Each case is a public async function taking a fresh, empty store, so an adapter's test crate
//! runs exactly these cases through [`store_contract_tests!`](crate::store_contract_tests):
//!
//! ```no_run
//! // In the adapter's integration test, e.g. `tests/contract.rs`:
//! sesshu_store::store_contract_tests!(|| async {
//!     // Return a fresh, empty table: each case runs on its own.
//!     let dir = tempfile::tempdir().unwrap().keep();
//!     sesshu_store::EmbeddedTables::new(dir).table("contract").unwrap()
//! });
//! ```
//!
//! Cases panic on failure; they are test support, not product code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{
    AttrValue, BatchWrite, Condition, Item, Key, MAX_TRANSACTION_WRITES, Page, Query, SkRange,
    Store, StoreError, Write, now_epoch_s,
};

/// Expands to one `#[test]` per contract case, each on a fresh store from `$make`.
///
/// `$make` is anything callable with no arguments that returns a future of a store, e.g. a
/// closure `|| async { … }` or the path of an `async fn`; it runs once per test. The tests run
/// on one shared multi-threaded tokio runtime with 4 workers (what `#[tokio::test(flavor =
/// "multi_thread", worker_threads = 4)]` would build per test), so the calling crate needs no
/// tokio dependency of its own.
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::__store_contract_cases!(
            $make;
            get_of_an_absent_item_is_none,
            put_then_get_round_trips_every_attribute_kind_the_version_and_the_expiry,
            put_without_condition_replaces_an_existing_item,
            must_not_exist_refuses_an_existing_item_and_keeps_the_old_value,
            must_exist_refuses_an_absent_item_and_updates_a_present_one,
            version_is_with_a_stale_version_refuses_and_keeps_the_newer_item,
            version_is_refuses_an_absent_item,
            delete_without_condition_removes_the_item_and_succeeds_when_it_is_absent,
            delete_with_a_condition_removes_only_when_the_condition_holds,
            a_failed_transaction_leaves_nothing_behind_and_names_the_failing_write,
            a_transaction_of_exactly_100_writes_succeeds_and_101_are_invalid,
            a_transaction_touching_one_key_twice_or_nothing_at_all_is_invalid,
            a_failing_check_aborts_the_transaction_and_a_passing_one_writes_nothing,
            concurrent_must_not_exist_writes_on_one_key_have_exactly_one_winner,
            concurrent_versioned_increments_are_each_counted_exactly_once,
            concurrent_transactions_over_overlapping_keys_stay_all_or_nothing,
            query_by_prefix_returns_only_that_prefix_in_order,
            query_between_includes_both_bounds,
            query_descending_returns_the_reverse_order,
            pagination_with_a_small_limit_visits_every_item_exactly_once_in_order,
            queries_never_return_items_of_other_partitions,
            expired_items_are_invisible_to_get_and_query,
            an_expired_item_counts_as_absent_for_conditions,
            pages_make_progress_past_expired_items,
            sweep_expired_keeps_expired_items_invisible_and_live_items_intact,
            items_with_reserved_or_empty_attribute_names_are_invalid,
            empty_or_nul_keys_are_invalid,
            malformed_queries_and_cursors_are_invalid,
            a_write_batch_of_many_puts_and_deletes_applies_each_of_them,
            a_write_batch_touching_one_key_twice_is_invalid_and_writes_nothing,
            get_many_returns_each_item_in_order_and_none_for_absent_or_expired,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __store_contract_cases {
    ($make:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $crate::contract::runtime().block_on(async {
                    let store: ::std::sync::Arc<dyn $crate::Store> = ($make)().await;
                    $crate::contract::$case(store).await;
                });
            }
        )*
    };
}

/// The runtime every contract test of a test binary runs on: multi-threaded with 4 workers, so
/// concurrent cases really race, and shared, so an adapter may build a client once (in a
/// `OnceLock`/`OnceCell`) and use it from every test without it outliving its runtime.
#[doc(hidden)]
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("a tokio runtime for the contract tests")
    })
}

const HOUR: u64 = 3_600;

fn key(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

fn item(pk: &str, sk: &str) -> Item {
    Item::new(key(pk, sk))
}

fn put(item: Item, condition: Condition) -> Write {
    Write::Put { item, condition }
}

fn sort_keys(page: &Page) -> Vec<String> {
    page.items.iter().map(|item| item.key.sk.clone()).collect()
}

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(result, Err(StoreError::Invalid(_))),
        "{what}: expected Invalid, got {result:?}"
    );
}

fn assert_condition_failed<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    index: usize,
    what: &str,
) {
    match result {
        Err(StoreError::ConditionFailed { index: got }) => {
            assert_eq!(got, index, "{what}: failing write index")
        }
        other => panic!("{what}: expected ConditionFailed on write {index}, got {other:?}"),
    }
}

/// Writes `items` unconditionally, in transactions of 25 (DynamoDB's old limit keeps
/// emulators happy too).
async fn put_all(store: &Arc<dyn Store>, items: Vec<Item>) {
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let batch: Vec<Write> = items
            .by_ref()
            .take(25)
            .map(|i| put(i, Condition::None))
            .collect();
        store.transact(batch).await.unwrap();
    }
}

/// Every page of `query`, following cursors; fails if the pages never end.
async fn all_pages(store: &Arc<dyn Store>, query: Query) -> Vec<Item> {
    let mut query = query;
    let mut items = Vec::new();
    for _ in 0..10_000 {
        let page = store.query(&query).await.unwrap();
        assert!(
            page.items.len() <= query.limit,
            "a page holds at most `limit` items"
        );
        items.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return items,
        }
    }
    panic!("pagination did not end after 10,000 pages");
}

/// The get of a key nobody wrote finds nothing.
pub async fn get_of_an_absent_item_is_none(store: Arc<dyn Store>) {
    assert_eq!(store.get(&key("P#1", "PROFILE")).await.unwrap(), None);
}

/// What goes in comes out, including every [`AttrValue`] kind, the version and the expiry.
pub async fn put_then_get_round_trips_every_attribute_kind_the_version_and_the_expiry(
    store: Arc<dyn Store>,
) {
    let expires_at = now_epoch_s() + HOUR;
    let written = item("P#1", "R#2026-04-01#0001")
        .with("name_ct", AttrValue::B(vec![0, 1, 2, 254, 255]))
        .with("empty_b", AttrValue::B(Vec::new()))
        .with("vaccine", AttrValue::S("麻しん風しん混合 (MR)".into()))
        .with("empty_s", AttrValue::S(String::new()))
        .with("dose", AttrValue::N(2))
        .with("min", AttrValue::N(i64::MIN))
        .with("max", AttrValue::N(i64::MAX))
        .with("negative", AttrValue::N(-1))
        .with("latest", AttrValue::Bool(true))
        .with("deleted", AttrValue::Bool(false))
        .with_version(7)
        .expiring_at(expires_at);
    store
        .put(written.clone(), Condition::MustNotExist)
        .await
        .unwrap();
    let read = store
        .get(&written.key)
        .await
        .unwrap()
        .expect("the item just written");
    assert_eq!(read, written);
    assert_eq!(read.version, 7);
    assert_eq!(read.expires_at, Some(expires_at));

    let plain = item("P#1", "PROFILE");
    store.put(plain.clone(), Condition::None).await.unwrap();
    assert_eq!(
        store.get(&plain.key).await.unwrap(),
        Some(plain),
        "an item without attributes or expiry"
    );
}

/// A put without condition overwrites, and the old attributes are gone, not merged.
pub async fn put_without_condition_replaces_an_existing_item(store: Arc<dyn Store>) {
    let old = item("P#1", "PROFILE")
        .with("a", AttrValue::N(1))
        .with("b", AttrValue::N(2));
    store.put(old, Condition::None).await.unwrap();
    let new = item("P#1", "PROFILE")
        .with("a", AttrValue::N(3))
        .with_version(2);
    store.put(new.clone(), Condition::None).await.unwrap();
    assert_eq!(store.get(&new.key).await.unwrap(), Some(new));
}

/// `MustNotExist` refuses to overwrite and leaves the stored item untouched.
pub async fn must_not_exist_refuses_an_existing_item_and_keeps_the_old_value(
    store: Arc<dyn Store>,
) {
    let first = item("MN#abc", "MN").with("subject", AttrValue::S("S-1".into()));
    store
        .put(first.clone(), Condition::MustNotExist)
        .await
        .unwrap();
    let second = item("MN#abc", "MN").with("subject", AttrValue::S("S-2".into()));
    assert_condition_failed(
        store.put(second, Condition::MustNotExist).await,
        0,
        "second MustNotExist",
    );
    assert_eq!(store.get(&first.key).await.unwrap(), Some(first));
}

/// `MustExist` refuses an absent item (and creates nothing), but updates a present one.
pub async fn must_exist_refuses_an_absent_item_and_updates_a_present_one(store: Arc<dyn Store>) {
    let absent = item("P#1", "PROFILE").with("a", AttrValue::N(1));
    assert_condition_failed(
        store.put(absent.clone(), Condition::MustExist).await,
        0,
        "MustExist on absent",
    );
    assert_eq!(
        store.get(&absent.key).await.unwrap(),
        None,
        "a refused put creates nothing"
    );

    store.put(absent.clone(), Condition::None).await.unwrap();
    let updated = absent.clone().with("a", AttrValue::N(2)).with_version(2);
    store
        .put(updated.clone(), Condition::MustExist)
        .await
        .unwrap();
    assert_eq!(store.get(&absent.key).await.unwrap(), Some(updated));
}

/// Optimistic concurrency: a writer holding an old version cannot overwrite a newer item.
pub async fn version_is_with_a_stale_version_refuses_and_keeps_the_newer_item(
    store: Arc<dyn Store>,
) {
    let v1 = item("P#1", "PROFILE").with("n", AttrValue::N(1));
    store
        .put(v1.clone(), Condition::MustNotExist)
        .await
        .unwrap();
    let v2 = v1.clone().with("n", AttrValue::N(2)).with_version(2);
    store
        .put(v2.clone(), Condition::VersionIs(1))
        .await
        .unwrap();
    let stale = v1.clone().with("n", AttrValue::N(99)).with_version(2);
    assert_condition_failed(
        store.put(stale, Condition::VersionIs(1)).await,
        0,
        "stale VersionIs",
    );
    assert_eq!(store.get(&v1.key).await.unwrap(), Some(v2));
}

/// `VersionIs` needs the item to exist.
pub async fn version_is_refuses_an_absent_item(store: Arc<dyn Store>) {
    let absent = item("P#1", "PROFILE").with_version(2);
    assert_condition_failed(
        store.put(absent.clone(), Condition::VersionIs(1)).await,
        0,
        "VersionIs on absent",
    );
    assert_eq!(store.get(&absent.key).await.unwrap(), None);
}

/// An unconditional delete removes the item, and deleting nothing is not an error.
pub async fn delete_without_condition_removes_the_item_and_succeeds_when_it_is_absent(
    store: Arc<dyn Store>,
) {
    let it = item("P#1", "PROFILE");
    store.put(it.clone(), Condition::None).await.unwrap();
    store.delete(&it.key, Condition::None).await.unwrap();
    assert_eq!(store.get(&it.key).await.unwrap(), None);
    store.delete(&it.key, Condition::None).await.unwrap();
    assert!(
        store
            .query(&Query::partition("P#1"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// Conditional deletes refuse (keeping the item) unless their condition holds.
pub async fn delete_with_a_condition_removes_only_when_the_condition_holds(store: Arc<dyn Store>) {
    let it = item("P#1", "PROFILE").with_version(3);
    assert_condition_failed(
        store.delete(&it.key, Condition::MustExist).await,
        0,
        "MustExist delete of absent",
    );
    store.put(it.clone(), Condition::None).await.unwrap();
    assert_condition_failed(
        store.delete(&it.key, Condition::MustNotExist).await,
        0,
        "MustNotExist delete",
    );
    assert_condition_failed(
        store.delete(&it.key, Condition::VersionIs(2)).await,
        0,
        "stale VersionIs delete",
    );
    assert_eq!(
        store.get(&it.key).await.unwrap(),
        Some(it.clone()),
        "refused deletes keep the item"
    );
    store
        .delete(&it.key, Condition::VersionIs(3))
        .await
        .unwrap();
    assert_eq!(store.get(&it.key).await.unwrap(), None);

    store.put(it.clone(), Condition::None).await.unwrap();
    store.delete(&it.key, Condition::MustExist).await.unwrap();
    assert_eq!(store.get(&it.key).await.unwrap(), None);
}

/// Ten writes, the seventh of which fails: none of the other nine become visible, the
/// pre-existing items are untouched, and the error names write 6.
pub async fn a_failed_transaction_leaves_nothing_behind_and_names_the_failing_write(
    store: Arc<dyn Store>,
) {
    let existing = item("P#1", "E#06").with("n", AttrValue::N(0));
    let doomed = item("P#1", "E#09").with("n", AttrValue::N(0));
    store.put(existing.clone(), Condition::None).await.unwrap();
    store.put(doomed.clone(), Condition::None).await.unwrap();

    let mut writes: Vec<Write> = (0..10)
        .map(|i| {
            put(
                item("P#1", &format!("E#{i:02}")).with("n", AttrValue::N(1)),
                Condition::MustNotExist,
            )
        })
        .collect();
    // E#06 exists, so write 6 fails; E#09 is a delete that would succeed.
    writes[9] = Write::Delete {
        key: doomed.key.clone(),
        condition: Condition::MustExist,
    };
    assert_condition_failed(
        store.transact(writes).await,
        6,
        "transaction with one failing write",
    );

    let left = store.query(&Query::partition("P#1")).await.unwrap();
    assert_eq!(
        left.items,
        vec![existing, doomed],
        "only the items from before the transaction remain"
    );
}

/// [`MAX_TRANSACTION_WRITES`] writes go through together; one more is refused before anything
/// is written.
pub async fn a_transaction_of_exactly_100_writes_succeeds_and_101_are_invalid(
    store: Arc<dyn Store>,
) {
    assert_eq!(MAX_TRANSACTION_WRITES, 100);
    let writes = |pk: &str, n: usize| -> Vec<Write> {
        (0..n)
            .map(|i| {
                put(
                    item(pk, &format!("I#{i:03}")).with("i", AttrValue::N(i as i64)),
                    Condition::MustNotExist,
                )
            })
            .collect()
    };
    store.transact(writes("P#100", 100)).await.unwrap();
    let stored = all_pages(&store, Query::partition("P#100")).await;
    assert_eq!(stored.len(), 100);

    assert_invalid(store.transact(writes("P#101", 101)).await, "101 writes");
    assert!(
        store
            .query(&Query::partition("P#101"))
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing of the 101 was written"
    );
}

/// One key twice in a transaction (any mix of kinds) is a bug in the caller, and so is an empty
/// transaction.
pub async fn a_transaction_touching_one_key_twice_or_nothing_at_all_is_invalid(
    store: Arc<dyn Store>,
) {
    let twice = vec![
        put(item("P#1", "A"), Condition::None),
        put(item("P#1", "B"), Condition::None),
        Write::Delete {
            key: key("P#1", "A"),
            condition: Condition::None,
        },
    ];
    assert_invalid(store.transact(twice).await, "put and delete of one key");
    let check_and_put = vec![
        Write::Check {
            key: key("P#1", "A"),
            condition: Condition::MustNotExist,
        },
        put(item("P#1", "A"), Condition::None),
    ];
    assert_invalid(
        store.transact(check_and_put).await,
        "check and put of one key",
    );
    assert!(
        store
            .query(&Query::partition("P#1"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_invalid(store.transact(Vec::new()).await, "empty transaction");
}

/// A `Check` guards a transaction on an item it does not write.
pub async fn a_failing_check_aborts_the_transaction_and_a_passing_one_writes_nothing(
    store: Arc<dyn Store>,
) {
    let guard = item("LOCK#1", "LOCK").with_version(4);
    let check = |condition| Write::Check {
        key: guard.key.clone(),
        condition,
    };
    assert_condition_failed(
        store
            .transact(vec![
                put(item("P#1", "A"), Condition::None),
                check(Condition::MustExist),
            ])
            .await,
        1,
        "check on an absent item",
    );
    assert_eq!(store.get(&key("P#1", "A")).await.unwrap(), None);

    store.put(guard.clone(), Condition::None).await.unwrap();
    assert_condition_failed(
        store
            .transact(vec![
                check(Condition::VersionIs(3)),
                put(item("P#1", "A"), Condition::None),
            ])
            .await,
        0,
        "check on a stale version",
    );
    assert_eq!(store.get(&key("P#1", "A")).await.unwrap(), None);

    store
        .transact(vec![
            check(Condition::VersionIs(4)),
            put(item("P#1", "A"), Condition::None),
        ])
        .await
        .unwrap();
    assert!(store.get(&key("P#1", "A")).await.unwrap().is_some());
    assert_eq!(
        store.get(&guard.key).await.unwrap(),
        Some(guard),
        "a check writes nothing"
    );
}

/// 16 tasks race to claim one unique index key: exactly one succeeds and its value is stored.
pub async fn concurrent_must_not_exist_writes_on_one_key_have_exactly_one_winner(
    store: Arc<dyn Store>,
) {
    let start = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            tokio::spawn(async move {
                let claim = item("MN#same", "MN").with("subject", AttrValue::N(task));
                // The index and a subject item in one transaction, as the import does it.
                let writes = vec![
                    put(claim, Condition::MustNotExist),
                    put(
                        item(&format!("P#{task}"), "PROFILE"),
                        Condition::MustNotExist,
                    ),
                ];
                start.wait().await;
                (task, store.transact(writes).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (task, Ok(())) => winners.push(task),
            (_, Err(StoreError::ConditionFailed { index: 0 } | StoreError::Conflict)) => {}
            (_, Err(other)) => {
                panic!("a losing writer must see ConditionFailed or Conflict, got {other:?}")
            }
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins, got {winners:?}");
    let stored = store.get(&key("MN#same", "MN")).await.unwrap().unwrap();
    assert_eq!(stored.get("subject"), Some(&AttrValue::N(winners[0])));
    for task in 0..16 {
        let profile = store
            .get(&key(&format!("P#{task}"), "PROFILE"))
            .await
            .unwrap();
        assert_eq!(
            profile.is_some(),
            task == winners[0],
            "only the winner's other write is stored"
        );
    }
}

/// 16 tasks read the version and write version + 1 guarded by `VersionIs`: no increment is
/// lost or counted twice.
pub async fn concurrent_versioned_increments_are_each_counted_exactly_once(store: Arc<dyn Store>) {
    let counter = item("COUNTER", "C").with("n", AttrValue::N(0));
    store
        .put(counter.clone(), Condition::MustNotExist)
        .await
        .unwrap();
    let successes = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, start, successes) = (
                Arc::clone(&store),
                Arc::clone(&start),
                Arc::clone(&successes),
            );
            let key = counter.key.clone();
            tokio::spawn(async move {
                start.wait().await;
                for _ in 0..5 {
                    let read = store.get(&key).await.unwrap().unwrap();
                    let n = read.get("n").and_then(AttrValue::as_n).unwrap();
                    let next = read
                        .clone()
                        .with("n", AttrValue::N(n + 1))
                        .with_version(read.version + 1);
                    match store.put(next, Condition::VersionIs(read.version)).await {
                        Ok(()) => {
                            successes.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(StoreError::ConditionFailed { index: 0 } | StoreError::Conflict) => {}
                        Err(other) => {
                            panic!("a lost race is ConditionFailed or Conflict, got {other:?}")
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let successes = successes.load(Ordering::SeqCst);
    let stored = store.get(&counter.key).await.unwrap().unwrap();
    assert!(successes >= 1, "at least the first writer succeeds");
    assert_eq!(
        stored.version,
        1 + successes as u64,
        "version counts every success once"
    );
    assert_eq!(stored.get("n"), Some(&AttrValue::N(successes as i64)));
}

/// Racing transactions that each write the same five keys (with must-exist checks on a
/// version) never interleave: afterwards all five items carry the same writer's mark.
pub async fn concurrent_transactions_over_overlapping_keys_stay_all_or_nothing(
    store: Arc<dyn Store>,
) {
    let keys: Vec<Key> = (0..5).map(|i| key("P#1", &format!("K#{i}"))).collect();
    put_all(
        &store,
        keys.iter()
            .map(|k| Item::new(k.clone()).with("by", AttrValue::N(-1)))
            .collect(),
    )
    .await;
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let (store, start, keys) = (Arc::clone(&store), Arc::clone(&start), keys.clone());
            tokio::spawn(async move {
                start.wait().await;
                for round in 0..4 {
                    let writes = keys
                        .iter()
                        .map(|k| {
                            put(
                                Item::new(k.clone()).with("by", AttrValue::N(task * 10 + round)),
                                Condition::MustExist,
                            )
                        })
                        .collect();
                    match store.transact(writes).await {
                        Ok(()) | Err(StoreError::Conflict) => {}
                        Err(other) => panic!("unexpected {other:?}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let marks: BTreeSet<_> = all_pages(&store, Query::prefix("P#1", "K#"))
        .await
        .into_iter()
        .map(|item| item.get("by").and_then(AttrValue::as_n))
        .collect();
    assert_eq!(
        marks.len(),
        1,
        "all five items come from one transaction: {marks:?}"
    );
}

/// A prefix query returns exactly the sort keys with that prefix, ascending; an empty prefix
/// returns the whole partition.
pub async fn query_by_prefix_returns_only_that_prefix_in_order(store: Arc<dyn Store>) {
    let sks = [
        "N#2026-01-01",
        "PROFILE",
        "Q#1",
        "R#2024-05-01",
        "R#2025-12-31",
        "R#2026-03-15",
        "RA#1",
        "S#1",
        "R",
    ];
    put_all(&store, sks.iter().rev().map(|sk| item("P#1", sk)).collect()).await;
    let page = store.query(&Query::prefix("P#1", "R#")).await.unwrap();
    assert_eq!(
        sort_keys(&page),
        ["R#2024-05-01", "R#2025-12-31", "R#2026-03-15"]
    );
    assert_eq!(page.next, None);
    let page = store.query(&Query::prefix("P#1", "R")).await.unwrap();
    assert_eq!(
        sort_keys(&page),
        ["R", "R#2024-05-01", "R#2025-12-31", "R#2026-03-15", "RA#1"]
    );
    assert!(
        store
            .query(&Query::prefix("P#1", "X"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let everything = store.query(&Query::partition("P#1")).await.unwrap();
    let mut sorted: Vec<String> = sks.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(sort_keys(&everything), sorted);
    let empty_prefix = store.query(&Query::prefix("P#1", "")).await.unwrap();
    assert_eq!(
        sort_keys(&empty_prefix),
        sorted,
        "an empty prefix is the whole partition"
    );
}

/// `Between` includes items equal to either bound, like DynamoDB's BETWEEN.
pub async fn query_between_includes_both_bounds(store: Arc<dyn Store>) {
    put_all(
        &store,
        (1..=9)
            .map(|d| item("P#1", &format!("R#2026-01-0{d}")))
            .collect(),
    )
    .await;
    let page = store
        .query(&Query::between("P#1", "R#2026-01-03", "R#2026-01-06"))
        .await
        .unwrap();
    assert_eq!(
        sort_keys(&page),
        [
            "R#2026-01-03",
            "R#2026-01-04",
            "R#2026-01-05",
            "R#2026-01-06"
        ]
    );
    let one = store
        .query(&Query::between("P#1", "R#2026-01-05", "R#2026-01-05"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&one), ["R#2026-01-05"]);
    let gaps = store
        .query(&Query::between("P#1", "R#2026-01-05x", "R#2026-01-07"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&gaps), ["R#2026-01-06", "R#2026-01-07"]);
}

/// Descending queries return the same items newest first, for every range kind.
pub async fn query_descending_returns_the_reverse_order(store: Arc<dyn Store>) {
    put_all(
        &store,
        (1..=9)
            .map(|d| item("P#1", &format!("R#2026-01-0{d}")))
            .collect(),
    )
    .await;
    store
        .put(item("P#1", "PROFILE"), Condition::None)
        .await
        .unwrap();
    let page = store
        .query(&Query::prefix("P#1", "R#").descending().limit(3))
        .await
        .unwrap();
    assert_eq!(
        sort_keys(&page),
        ["R#2026-01-09", "R#2026-01-08", "R#2026-01-07"]
    );
    assert!(page.next.is_some());
    let all = store
        .query(&Query::partition("P#1").descending())
        .await
        .unwrap();
    assert_eq!(
        all.items.first().map(|i| i.key.sk.as_str()),
        Some("R#2026-01-09")
    );
    assert_eq!(all.items.last().map(|i| i.key.sk.as_str()), Some("PROFILE"));
    assert_eq!(all.items.len(), 10);
    let between = store
        .query(&Query::between("P#1", "R#2026-01-02", "R#2026-01-04").descending())
        .await
        .unwrap();
    assert_eq!(
        sort_keys(&between),
        ["R#2026-01-04", "R#2026-01-03", "R#2026-01-02"]
    );
}

/// 260 items, pages of 7, both directions and with a prefix: every item once, in order.
pub async fn pagination_with_a_small_limit_visits_every_item_exactly_once_in_order(
    store: Arc<dyn Store>,
) {
    let sks: Vec<String> = (0..260).map(|i| format!("R#{i:04}")).collect();
    put_all(
        &store,
        sks.iter()
            .map(|sk| item("P#1", sk).with("i", AttrValue::S(sk.clone())))
            .collect(),
    )
    .await;
    put_all(
        &store,
        vec![
            item("P#1", "A"),
            item("P#1", "Z"),
            item("P#0", "R#0001"),
            item("P#2", "R#0001"),
        ],
    )
    .await;

    let ascending = all_pages(&store, Query::prefix("P#1", "R#").limit(7)).await;
    assert_eq!(
        ascending
            .iter()
            .map(|i| i.key.sk.clone())
            .collect::<Vec<_>>(),
        sks
    );

    let descending = all_pages(&store, Query::prefix("P#1", "R#").limit(7).descending()).await;
    let mut reversed = sks.clone();
    reversed.reverse();
    assert_eq!(
        descending
            .iter()
            .map(|i| i.key.sk.clone())
            .collect::<Vec<_>>(),
        reversed
    );

    let whole = all_pages(&store, Query::partition("P#1").limit(7)).await;
    assert_eq!(whole.len(), 262);
    assert!(
        whole.windows(2).all(|w| w[0].key.sk < w[1].key.sk),
        "strictly ascending"
    );

    let between = all_pages(&store, Query::between("P#1", "R#0100", "R#0199").limit(7)).await;
    assert_eq!(
        between.iter().map(|i| i.key.sk.clone()).collect::<Vec<_>>(),
        sks[100..200]
    );

    let exact = all_pages(&store, Query::between("P#1", "R#0000", "R#0006").limit(7)).await;
    assert_eq!(exact.len(), 7, "a range that exactly fills one page");
}

/// Partition keys that are prefixes of each other (`P#1`, `P#10`, `P#1#x`) stay apart, for
/// every kind of range and both directions.
pub async fn queries_never_return_items_of_other_partitions(store: Arc<dyn Store>) {
    put_all(
        &store,
        vec![
            item("P#1", "R#1"),
            item("P#1", "R#2"),
            item("P#10", "R#1"),
            item("P#10", "R#3"),
            item("P#1#x", "R#1"),
            item("P#", "R#1"),
            item("P#0", "R#9"),
            item("P#2", "R#0"),
        ],
    )
    .await;
    let queries = [
        Query::partition("P#1"),
        Query::partition("P#1").descending(),
        Query::prefix("P#1", "R#"),
        Query::prefix("P#1", "R#").descending(),
        Query::between("P#1", "A", "Z"),
        Query::between("P#1", "A", "Z").descending(),
    ];
    for query in queries {
        let items = all_pages(&store, query.clone().limit(1)).await;
        assert!(
            items.iter().all(|i| i.key.pk == "P#1"),
            "{query:?} leaked {items:?}"
        );
        assert_eq!(items.len(), 2, "{query:?}");
    }
    assert_eq!(
        store
            .query(&Query::partition("P#10"))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert!(
        store
            .query(&Query::partition("P#100"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .query(&Query::partition("P"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// An item whose TTL passed reads as absent before any sweep.
pub async fn expired_items_are_invisible_to_get_and_query(store: Arc<dyn Store>) {
    let now = now_epoch_s();
    put_all(
        &store,
        vec![
            item("P#1", "N#1").expiring_at(now - HOUR),
            item("P#1", "N#2").expiring_at(now + HOUR),
            item("P#1", "N#3").expiring_at(now - 1),
            item("P#1", "N#4"),
        ],
    )
    .await;
    assert_eq!(store.get(&key("P#1", "N#1")).await.unwrap(), None);
    assert_eq!(store.get(&key("P#1", "N#3")).await.unwrap(), None);
    assert!(store.get(&key("P#1", "N#2")).await.unwrap().is_some());
    let visible = all_pages(&store, Query::partition("P#1").limit(1)).await;
    assert_eq!(
        visible
            .iter()
            .map(|i| i.key.sk.as_str())
            .collect::<Vec<_>>(),
        ["N#2", "N#4"]
    );
    let descending = store
        .query(&Query::prefix("P#1", "N#").descending())
        .await
        .unwrap();
    assert_eq!(sort_keys(&descending), ["N#4", "N#2"]);
}

/// An expired item does not exist as far as conditions go: it can be claimed again with
/// `MustNotExist`, and `MustExist`/`VersionIs`/checks refuse it.
pub async fn an_expired_item_counts_as_absent_for_conditions(store: Arc<dyn Store>) {
    let now = now_epoch_s();
    let session = item("SESSION#1", "S").with_version(5).expiring_at(now - 10);
    store.put(session.clone(), Condition::None).await.unwrap();
    let renewed = item("SESSION#1", "S").with_version(6).expiring_at(now + 60);

    assert_condition_failed(
        store.put(renewed.clone(), Condition::MustExist).await,
        0,
        "MustExist on expired",
    );
    assert_condition_failed(
        store.put(renewed.clone(), Condition::VersionIs(5)).await,
        0,
        "VersionIs on expired",
    );
    assert_condition_failed(
        store.delete(&session.key, Condition::MustExist).await,
        0,
        "delete MustExist on expired",
    );
    let check = Write::Check {
        key: session.key.clone(),
        condition: Condition::MustExist,
    };
    assert_condition_failed(
        store
            .transact(vec![put(item("P#1", "A"), Condition::None), check])
            .await,
        1,
        "check MustExist on expired",
    );

    store
        .put(renewed.clone(), Condition::MustNotExist)
        .await
        .unwrap();
    assert_eq!(
        store.get(&session.key).await.unwrap(),
        Some(renewed),
        "the expired item was replaced"
    );
}

/// Many expired items between live ones: following `next` reaches every live item in a
/// bounded number of pages, whatever each page holds.
pub async fn pages_make_progress_past_expired_items(store: Arc<dyn Store>) {
    let now = now_epoch_s();
    let mut items: Vec<Item> = (0..60)
        .map(|i| item("P#1", &format!("L#{i:03}")).expiring_at(now - HOUR))
        .collect();
    items.push(item("P#1", "L#030x"));
    items.push(item("P#1", "L#999"));
    items.push(item("P#1", "L#000-"));
    put_all(&store, items).await;
    for query in [
        Query::partition("P#1").limit(2),
        Query::partition("P#1").limit(1).descending(),
    ] {
        let ascending = query.ascending;
        let mut seen = all_pages(&store, query)
            .await
            .into_iter()
            .map(|i| i.key.sk)
            .collect::<Vec<_>>();
        if !ascending {
            seen.reverse();
        }
        assert_eq!(seen, ["L#000-", "L#030x", "L#999"]);
    }
}

/// After a sweep, expired items stay invisible (gone, for a store that sweeps on request) and
/// live items are untouched, including a live item whose earlier version had expired.
pub async fn sweep_expired_keeps_expired_items_invisible_and_live_items_intact(
    store: Arc<dyn Store>,
) {
    let now = now_epoch_s();
    put_all(
        &store,
        vec![
            item("P#1", "N#1").expiring_at(now - HOUR),
            item("P#1", "N#2").expiring_at(now + HOUR),
            item("P#1", "N#3"),
            item("P#2", "N#1").expiring_at(now - 5),
            item("P#1", "N#4").expiring_at(now - HOUR),
        ],
    )
    .await;
    // Replaced with a live version: the sweep must not remove the replacement.
    store
        .put(item("P#1", "N#4").with_version(2), Condition::MustNotExist)
        .await
        .unwrap();

    let _removed: usize = store.sweep_expired(now).await.unwrap();
    assert_eq!(store.get(&key("P#1", "N#1")).await.unwrap(), None);
    assert_eq!(store.get(&key("P#2", "N#1")).await.unwrap(), None);
    let left = all_pages(&store, Query::partition("P#1")).await;
    assert_eq!(
        left.iter().map(|i| i.key.sk.as_str()).collect::<Vec<_>>(),
        ["N#2", "N#3", "N#4"]
    );
    assert_eq!(left[2].version, 2);
    assert!(
        store
            .query(&Query::partition("P#2"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    store.sweep_expired(now).await.unwrap();
    assert_eq!(
        all_pages(&store, Query::partition("P#1")).await,
        left,
        "a second sweep changes nothing"
    );
}

/// The adapters keep `pk`, `sk`, `_v` and `_ttl` for themselves; an empty name means nothing.
pub async fn items_with_reserved_or_empty_attribute_names_are_invalid(store: Arc<dyn Store>) {
    for name in crate::RESERVED_ATTRIBUTES.iter().copied().chain([""]) {
        let bad = item("P#1", "A").with(name, AttrValue::S("x".into()));
        assert_invalid(
            store.put(bad.clone(), Condition::None).await,
            &format!("attribute {name:?}"),
        );
        let in_transaction = vec![
            put(item("P#1", "B"), Condition::None),
            put(bad, Condition::None),
        ];
        assert_invalid(
            store.transact(in_transaction).await,
            &format!("attribute {name:?} in a transaction"),
        );
    }
    assert!(
        store
            .query(&Query::partition("P#1"))
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing was written"
    );
}

/// Empty keys, NUL inside keys and over-long keys are refused by every operation.
pub async fn empty_or_nul_keys_are_invalid(store: Arc<dyn Store>) {
    let long = "k".repeat(1025);
    let bad_keys = [
        key("", "A"),
        key("P#1", ""),
        key("P#1\0", "A"),
        key("P#1", "A\0B"),
        key(&long, "A"),
        key("P#1", &long),
    ];
    for bad in bad_keys {
        let what = format!("key {:?}/{:?}", bad.pk.get(..8), bad.sk.get(..8));
        assert_invalid(store.get(&bad).await, &what);
        assert_invalid(
            store.put(Item::new(bad.clone()), Condition::None).await,
            &what,
        );
        assert_invalid(store.delete(&bad, Condition::None).await, &what);
        let check = Write::Check {
            key: bad.clone(),
            condition: Condition::MustNotExist,
        };
        assert_invalid(
            store
                .transact(vec![put(item("P#1", "A"), Condition::None), check])
                .await,
            &what,
        );
    }
    assert_invalid(
        store.query(&Query::partition("")).await,
        "query of an empty partition key",
    );
    assert_invalid(
        store.query(&Query::partition("P#1\0")).await,
        "query of a partition key with NUL",
    );
    assert!(
        store
            .query(&Query::partition("P#1"))
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing was written"
    );
}

/// A cursor the store did not make, a zero limit and reversed or NUL bounds are refused.
pub async fn malformed_queries_and_cursors_are_invalid(store: Arc<dyn Store>) {
    put_all(
        &store,
        (0..5).map(|i| item("P#1", &format!("R#{i}"))).collect(),
    )
    .await;
    for cursor in ["%%%", "not a cursor!", "\0"] {
        let query = Query::partition("P#1").after(Some(cursor.to_string()));
        assert_invalid(store.query(&query).await, &format!("cursor {cursor:?}"));
    }
    assert_invalid(
        store.query(&Query::partition("P#1").limit(0)).await,
        "limit 0",
    );
    assert_invalid(
        store.query(&Query::between("P#1", "R#3", "R#1")).await,
        "reversed between",
    );
    assert_invalid(
        store.query(&Query::prefix("P#1", "R\0")).await,
        "prefix with NUL",
    );
    let nul_between = Query {
        range: SkRange::Between {
            from: "R#0".into(),
            to: "R\0".into(),
        },
        ..Query::partition("P#1")
    };
    assert_invalid(store.query(&nul_between).await, "between with NUL");
    // A real cursor still works after all that.
    let first = store
        .query(&Query::partition("P#1").limit(2))
        .await
        .unwrap();
    let second = store
        .query(&Query::partition("P#1").limit(2).after(first.next))
        .await
        .unwrap();
    assert_eq!(sort_keys(&second), ["R#2", "R#3"]);
}

/// A bulk batch larger than a transaction (and than DynamoDB's 25 per request) puts new items,
/// replaces existing ones and deletes others, absent ones included.
pub async fn a_write_batch_of_many_puts_and_deletes_applies_each_of_them(store: Arc<dyn Store>) {
    put_all(
        &store,
        (0..10)
            .map(|i| item("P#B", &format!("OLD#{i}")).with("v", AttrValue::N(0)))
            .collect(),
    )
    .await;
    // More writes than an adapter may encode on one thread, some with a time to live.
    let later = crate::now_epoch_s() + 3_600;
    let mut writes: Vec<BatchWrite> = (0..2_400)
        .map(|i| {
            let new = item("P#B", &format!("NEW#{i:04}")).with("v", AttrValue::N(i));
            BatchWrite::Put(if i % 7 == 0 {
                new.expiring_at(later)
            } else {
                new
            })
        })
        .collect();
    writes.push(BatchWrite::Put(
        item("P#B", "OLD#0").with("v", AttrValue::N(7)),
    ));
    for i in 1..5 {
        writes.push(BatchWrite::Delete(key("P#B", &format!("OLD#{i}"))));
    }
    writes.push(BatchWrite::Delete(key("P#B", "NEVER")));
    store.write_batch(writes).await.unwrap();

    let stored = all_pages(&store, Query::prefix("P#B", "NEW#")).await;
    assert_eq!(stored.len(), 2_400);
    assert!(
        stored
            .iter()
            .enumerate()
            .all(|(i, item)| item.get("v") == Some(&AttrValue::N(i as i64)))
    );
    assert_eq!(stored[7].expires_at, Some(later));
    let old = all_pages(&store, Query::prefix("P#B", "OLD#")).await;
    assert_eq!(
        sort_keys(&Page {
            items: old.clone(),
            next: None
        }),
        ["OLD#0", "OLD#5", "OLD#6", "OLD#7", "OLD#8", "OLD#9"]
    );
    assert_eq!(old[0].get("v"), Some(&AttrValue::N(7)), "replaced");
    store.write_batch(Vec::new()).await.unwrap();
}

/// Naming one key twice in a batch is a caller bug (DynamoDB refuses it), found before anything
/// is written.
pub async fn a_write_batch_touching_one_key_twice_is_invalid_and_writes_nothing(
    store: Arc<dyn Store>,
) {
    let writes = vec![
        BatchWrite::Put(item("P#D", "A")),
        BatchWrite::Put(item("P#D", "B")),
        BatchWrite::Delete(key("P#D", "A")),
    ];
    assert_invalid(store.write_batch(writes).await, "one key twice");
    assert!(
        store
            .query(&Query::partition("P#D"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// A bulk read answers position by position, absent and expired keys as `None`, across more keys
/// than one DynamoDB BatchGetItem takes.
pub async fn get_many_returns_each_item_in_order_and_none_for_absent_or_expired(
    store: Arc<dyn Store>,
) {
    let now = now_epoch_s();
    let mut items: Vec<Item> = (0..150)
        .map(|i| item("P#G", &format!("I#{i:03}")).with("i", AttrValue::N(i)))
        .collect();
    items.push(item("P#G", "GONE").expiring_at(now - HOUR));
    put_all(&store, items).await;
    let mut keys: Vec<Key> = (0..150)
        .rev()
        .map(|i| key("P#G", &format!("I#{i:03}")))
        .collect();
    keys.insert(3, key("P#G", "ABSENT"));
    keys.push(key("P#G", "GONE"));
    let got = store.get_many(&keys).await.unwrap();
    assert_eq!(got.len(), keys.len());
    assert_eq!(
        got[0].as_ref().and_then(|i| i.get("i")),
        Some(&AttrValue::N(149))
    );
    assert_eq!(got[3], None);
    assert_eq!(
        got[4].as_ref().and_then(|i| i.get("i")),
        Some(&AttrValue::N(146))
    );
    assert_eq!(got[keys.len() - 1], None);
    assert_eq!(got.iter().filter(|i| i.is_some()).count(), 150);
    assert!(store.get_many(&[]).await.unwrap().is_empty());
}

/// For the adapters' crash tests: starts this test binary again running only the ignored test
/// `child_test` (which commits and prints `committed <n>` after each commit) with `env` set to
/// `path`, waits until it reports `commits` commits, lets it run on for `then` so the kill lands
/// at an arbitrary point, kills it (SIGKILL); returns the last commit it reported.
pub fn run_crash_child_until(
    child_test: &str,
    env: &str,
    path: &std::path::Path,
    commits: u64,
    then: std::time::Duration,
) -> u64 {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child_test, "--ignored", "--nocapture"])
        .env(env, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = 0;
    while last < commits {
        assert!(Instant::now() < deadline, "the child stopped committing");
        let line = lines
            .next()
            .expect("the child ended before being killed")
            .unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            last = n.parse().unwrap();
        }
    }
    std::thread::sleep(then);
    child.kill().unwrap();
    child.wait().unwrap();
    for line in lines {
        if let Some(n) = line.unwrap().strip_prefix("committed ") {
            last = n.parse().unwrap();
        }
    }
    last
}
