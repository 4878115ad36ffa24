//! Rough cost of the embedded store's basic operations on this machine's disk.
//!
//! `cargo run -p sesshu-store --release --example commit_timing [dir]`; the database goes into a
//! temporary directory under `dir` (default: the system temp dir), which must be on the disk you
//! care about: fsync on tmpfs costs nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use sesshu_store::{AttrValue, Condition, EmbeddedStore, Item, Key, Query, Store, Write};

fn item(pk: String, sk: String) -> Item {
    Item::new(Key::new(pk, sk))
        .with("name_ct", AttrValue::B(vec![7; 120]))
        .with("vaccine", AttrValue::S("MR".into()))
        .with("dose", AttrValue::N(2))
}

fn summary(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    let p50 = samples[samples.len() / 2];
    let p99 = samples[samples.len() * 99 / 100];
    println!(
        "{what:<28} n={:<5} mean={mean:>10.1?} p50={p50:>10.1?} p99={p99:>10.1?}",
        samples.len()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let parent = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(parent).unwrap();
    let store = EmbeddedStore::open(&dir.path().join("timing.redb")).unwrap();

    let mut puts = Vec::new();
    for i in 0..300 {
        let started = Instant::now();
        store
            .put(
                item(format!("P#{i}"), "PROFILE".into()),
                Condition::MustNotExist,
            )
            .await
            .unwrap();
        puts.push(started.elapsed());
    }
    summary("put (MustNotExist)", puts);

    let mut transactions = Vec::new();
    for t in 0..100 {
        let writes: Vec<Write> = (0..25)
            .map(|i| Write::Put {
                item: item(format!("P#{t}"), format!("R#{i:03}")),
                condition: Condition::MustNotExist,
            })
            .collect();
        let started = Instant::now();
        store.transact(writes).await.unwrap();
        transactions.push(started.elapsed());
    }
    summary("transaction of 25 puts", transactions);

    let mut gets = Vec::new();
    for i in 0..1_000 {
        let key = Key::new(format!("P#{}", i % 300), "PROFILE");
        let started = Instant::now();
        store.get(&key).await.unwrap().unwrap();
        gets.push(started.elapsed());
    }
    summary("get", gets);

    let mut queries = Vec::new();
    for i in 0..1_000 {
        let started = Instant::now();
        let page = store
            .query(&Query::prefix(format!("P#{}", i % 100), "R#"))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 25);
        queries.push(started.elapsed());
    }
    summary("query (25 items)", queries);
}
