//! Cost of the field-encryption scheme per item, release build:
//! `cargo bench -p sesshu-crypto --bench seal_open`.
//!
//! Prints microseconds per seal + open of a person-like item (6 encrypted attributes), per
//! blind index and per beacon, and the bytes the scheme adds to a stored item.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use sesshu_crypto::{KeyCache, Keyring, LocalKeyring, Protection, Schema, TenantCipher};
use sesshu_store::{AttrValue, EmbeddedStore, Item, Key, Store};

use Protection::{EncryptAndSign, Plain, SignOnly};

const PERSON: Schema = Schema {
    name: "person",
    version: 1,
    attributes: &[
        ("name", EncryptAndSign),
        ("name_kana", EncryptAndSign),
        ("address", EncryptAndSign),
        ("birth_date", EncryptAndSign),
        ("my_number", EncryptAndSign),
        ("guardian_name", EncryptAndSign),
        ("sex", SignOnly),
        ("status", SignOnly),
        ("mn_index", Plain),
    ],
};

fn person(n: u32) -> Item {
    Item::new(Key::new(format!("P#{n:08}"), "PROFILE"))
        .with("name", AttrValue::S("山田 太郎".into()))
        .with("name_kana", AttrValue::S("ヤマダ タロウ".into()))
        .with(
            "address",
            AttrValue::S("東京都千代田区千代田1-1 千代田ハイツ101".into()),
        )
        .with("birth_date", AttrValue::S("2019-04-01".into()))
        .with("my_number", AttrValue::S("123456789018".into()))
        .with("guardian_name", AttrValue::S("山田 花子".into()))
        .with("sex", AttrValue::N(1))
        .with("status", AttrValue::S("active".into()))
        .with("mn_index", AttrValue::S("x".repeat(43)))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<dyn Keyring> =
        Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("131016.redb")).unwrap());
    let cipher = TenantCipher::new(&KeyCache::new(keyring), "131016", store);

    let items: Vec<Item> = (0..1_000).map(person).collect();
    // Warm-up: creates the data keys and fills the caches.
    for item in &items {
        let sealed = cipher.seal(&PERSON, item.clone()).await.unwrap();
        cipher.open(&PERSON, sealed).await.unwrap();
    }
    cipher
        .blind_index("my_number", b"123456789018")
        .await
        .unwrap();

    const ROUNDS: usize = 20;
    let start = Start::now();
    let mut sealed_items = Vec::with_capacity(items.len());
    for _ in 0..ROUNDS {
        sealed_items.clear();
        for item in &items {
            sealed_items.push(cipher.seal(&PERSON, item.clone()).await.unwrap());
        }
    }
    let seal_us = per_item_us(start, ROUNDS * items.len());

    let start = Start::now();
    for _ in 0..ROUNDS {
        for sealed in &sealed_items {
            black_box(cipher.open(&PERSON, sealed.clone()).await.unwrap());
        }
    }
    let open_us = per_item_us(start, ROUNDS * items.len());

    // The clone of the input is part of both loops; measure it to report it apart.
    let start = Start::now();
    for _ in 0..ROUNDS {
        for item in &items {
            black_box(item.clone());
        }
    }
    let clone_us = per_item_us(start, ROUNDS * items.len());

    const INDEXES: usize = 200_000;
    let start = Start::now();
    for n in 0..INDEXES {
        let value = format!("{:012}", n);
        black_box(
            cipher
                .blind_index("my_number", value.as_bytes())
                .await
                .unwrap(),
        );
    }
    let index_us = per_item_us(start, INDEXES);
    let start = Start::now();
    for n in 0..INDEXES {
        let value = format!("{:012}", n);
        black_box(
            cipher
                .beacon("birth_date", value.as_bytes(), 16)
                .await
                .unwrap(),
        );
    }
    let beacon_us = per_item_us(start, INDEXES);

    let start = Start::now();
    for _ in 0..INDEXES {
        black_box(
            cipher
                .keys()
                .current(sesshu_crypto::KeyPurpose::FieldEncryption)
                .await
                .unwrap(),
        );
    }
    let cache_hit_us = per_item_us(start, INDEXES);
    let start = Start::now();
    for _ in 0..INDEXES {
        let mut bytes = [0u8; 12];
        for _ in 0..7 {
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
        }
        black_box(bytes);
    }
    let rng_us = per_item_us(start, INDEXES);

    let plain_len = postcard::to_allocvec(&items[0]).unwrap().len();
    let sealed_len = postcard::to_allocvec(&sealed_items[0]).unwrap().len();

    let both = (seal_us.0 + open_us.0, seal_us.1 + open_us.1);
    println!("field encryption, release build, one thread; CPU time (wall time)");
    let row = |what: &str, (cpu, wall): (f64, f64)| {
        println!("  {what:<44} {cpu:8.2} µs ({wall:8.2} µs)");
    };
    row("seal, person with 6 encrypted attributes", seal_us);
    row("open, same item", open_us);
    row("seal + open", both);
    println!("  ≈ {:.0} items/s per core (seal + open)", 1e6 / both.0);
    row("(cloning the item, included above)", clone_us);
    row("(data key from the cache, per call)", cache_hit_us);
    row("(7 random nonces/salts, per item)", rng_us);
    row("blind_index (full HMAC-SHA256, base64url)", index_us);
    row("beacon (16 bits)", beacon_us);
    println!(
        "  stored size: {plain_len} B plaintext item -> {sealed_len} B sealed (+{} B)",
        sealed_len - plain_len
    );
}

/// A start point on both clocks: wall time, and this thread's own CPU time, which stays
/// honest when other processes crowd the machine's two cores.
#[derive(Clone, Copy)]
struct Start {
    wall: Instant,
    cpu_ns: u64,
}

impl Start {
    fn now() -> Self {
        Self {
            wall: Instant::now(),
            cpu_ns: thread_cpu_ns(),
        }
    }
}

/// Microseconds per item: (CPU, wall).
fn per_item_us(start: Start, count: usize) -> (f64, f64) {
    let cpu = (thread_cpu_ns() - start.cpu_ns) as f64 / 1e3 / count as f64;
    let wall = start.wall.elapsed().as_secs_f64() * 1e6 / count as f64;
    (cpu, wall)
}

/// Nanoseconds this thread has run on a CPU (Linux: first field of schedstat).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
