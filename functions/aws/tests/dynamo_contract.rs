//! The DynamoDB store against moto: the shared store contract, plus what only this adapter
//! has (batch writes, table creation). Every test gets a fresh table in one shared server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sesshu_aws::moto::MotoServer;
use sesshu_aws::{DynamoStore, DynamoTables};
use sesshu_store::{AttrValue, Condition, Item, Key, Query, Store, StoreError, now_epoch_s};

/// The tables of this test process, under a prefix no other run shares.
async fn tables() -> DynamoTables {
    let server = MotoServer::shared().unwrap();
    let client = aws_sdk_dynamodb::Client::new(&server.sdk_config().await);
    DynamoTables::new(client, format!("contract-{}", std::process::id()))
}

/// A new, empty table.
async fn fresh_table() -> DynamoStore {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tables = tables().await;
    let name = format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed));
    tables.ensure_table(&name).await.unwrap();
    tables.store(&name)
}

sesshu_store::store_contract_tests!(|| async {
    let store: Arc<dyn Store> = Arc::new(fresh_table().await);
    store
});

fn item(pk: &str, sk: &str) -> Item {
    Item::new(Key::new(pk, sk)).with("v", AttrValue::S(sk.to_owned()))
}

#[tokio::test]
async fn ensure_table_is_idempotent_and_keeps_the_data() {
    let tables = tables().await;
    tables.ensure_table("again").await.unwrap();
    let store = tables.table("again");
    store.put(item("P#1", "A"), Condition::None).await.unwrap();
    tables.ensure_table("again").await.unwrap();
    assert!(store.get(&Key::new("P#1", "A")).await.unwrap().is_some());
}

#[tokio::test]
async fn tables_are_named_by_prefix_and_municipality() {
    let tables = tables().await;
    assert_eq!(
        tables.table_name("131016"),
        format!("contract-{}-131016", std::process::id())
    );
    assert_eq!(
        tables.store(sesshu_aws::PLATFORM_TABLE).table_name(),
        format!("contract-{}-platform", std::process::id())
    );
}

#[tokio::test]
async fn batch_put_writes_more_than_one_request_holds() {
    let store = fresh_table().await;
    let now = now_epoch_s();
    let items: Vec<Item> = (0..60)
        .map(|i| {
            let it = item("IMPORT#1", &format!("ROW#{i:03}")).with("n", AttrValue::N(i));
            if i == 7 { it.expiring_at(now - 1) } else { it }
        })
        .collect();
    store.batch_put(items.clone()).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .query(&Query::prefix("IMPORT#1", "ROW#").limit(25).after(cursor))
            .await
            .unwrap();
        seen.extend(page.items);
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<Item> = items.into_iter().filter(|i| !i.is_expired(now)).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn batch_put_overwrites_unconditionally() {
    let store = fresh_table().await;
    store.put(item("P#1", "A"), Condition::None).await.unwrap();
    let newer = item("P#1", "A").with_version(9);
    store.batch_put(vec![newer.clone()]).await.unwrap();
    assert_eq!(store.get(&newer.key).await.unwrap(), Some(newer));
}

#[tokio::test]
async fn batch_put_refuses_duplicate_keys_and_reserved_names_before_writing() {
    let store = fresh_table().await;
    let err = store
        .batch_put(vec![item("P#1", "A"), item("P#1", "B"), item("P#1", "A")])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let err = store
        .batch_put(vec![
            item("P#1", "C"),
            item("P#1", "D").with("_ttl", AttrValue::N(1)),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let page = store.query(&Query::partition("P#1")).await.unwrap();
    assert!(page.items.is_empty(), "nothing was written");
}

#[tokio::test]
async fn a_missing_table_is_a_backend_error_that_names_the_operation() {
    let store = tables().await.store("never-created");
    let err = store.get(&Key::new("P#1", "A")).await.unwrap_err();
    match err {
        StoreError::Backend(message) => assert!(message.contains("GetItem"), "{message}"),
        other => panic!("expected Backend, got {other:?}"),
    }
}
