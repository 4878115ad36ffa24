//! The data-key cache: one keyring call per key per period, whatever the load; rotation.

use std::time::Duration;

use sesshu_crypto::{CryptoError, KeyId, KeyPurpose};
use sesshu_store::Key;

use crate::support::{CountingKeyring, cache, cache_with_age, table};

#[tokio::test]
async fn the_first_use_creates_one_key_and_persists_it_wrapped_in_the_tenant_table() {
    let keyring = CountingKeyring::new();
    let store = table();
    let keys = cache(&keyring).tenant("131016", store.clone());
    let (kid, key) = keys.current(KeyPurpose::FieldEncryption).await.unwrap();
    assert_eq!(kid, KeyId::FIRST);
    assert_eq!(keyring.generate_calls(), 1);
    assert_eq!(
        keyring.decrypt_calls(),
        0,
        "the creator keeps the plaintext"
    );

    let stored = store
        .get(&Key::new("KEY#field-encryption", "000001"))
        .await
        .unwrap()
        .unwrap();
    let wrapped = stored.get("wrapped").unwrap().as_b().unwrap();
    assert!(!wrapped.windows(32).any(|w| w == key.expose()));

    // Another process (a fresh cache) reads the same key instead of creating one.
    let (other_kid, other_key) = cache(&keyring)
        .tenant("131016", store)
        .current(KeyPurpose::FieldEncryption)
        .await
        .unwrap();
    assert_eq!(other_kid, kid);
    assert_eq!(other_key.expose(), key.expose());
    assert_eq!(keyring.generate_calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_misses_cost_one_keyring_call() {
    let keyring = CountingKeyring::new();
    let store = table();
    cache(&keyring)
        .tenant("131016", store.clone())
        .current(KeyPurpose::FieldEncryption)
        .await
        .unwrap();
    let keys = cache(&keyring).tenant("131016", store);
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let keys = keys.clone();
            tokio::spawn(async move { keys.current(KeyPurpose::FieldEncryption).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(keyring.decrypt_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cached_key_is_unwrapped_again_exactly_once_after_its_age_passes() {
    let keyring = CountingKeyring::new();
    let store = table();
    cache(&keyring)
        .tenant("131016", store.clone())
        .current(KeyPurpose::FieldEncryption)
        .await
        .unwrap();
    let keys = cache_with_age(&keyring, Duration::from_millis(200)).tenant("131016", store);
    let burst = |keys: sesshu_crypto::TenantKeys| async move {
        let tasks: Vec<_> = (0..1_000)
            .map(|_| {
                let keys = keys.clone();
                tokio::spawn(async move { keys.key(KeyPurpose::FieldEncryption, KeyId(1)).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    };
    burst(keys.clone()).await;
    assert_eq!(keyring.decrypt_calls(), 1);
    tokio::time::sleep(Duration::from_millis(201)).await;
    burst(keys.clone()).await;
    assert_eq!(keyring.decrypt_calls(), 2);
}

#[tokio::test]
async fn each_municipality_and_purpose_has_its_own_key() {
    let keyring = CountingKeyring::new();
    let cache = cache(&keyring);
    let (_, a) = cache
        .tenant("131016", table())
        .current(KeyPurpose::FieldEncryption)
        .await
        .unwrap();
    let shared = table();
    let (_, b) = cache
        .tenant("271004", shared.clone())
        .current(KeyPurpose::FieldEncryption)
        .await
        .unwrap();
    let (_, c) = cache
        .tenant("271004", shared)
        .current(KeyPurpose::BlindIndex)
        .await
        .unwrap();
    assert_ne!(a.expose(), b.expose());
    assert_ne!(b.expose(), c.expose());
    assert_eq!(keyring.generate_calls(), 3);
}

#[tokio::test]
async fn rotation_makes_a_new_active_key_and_keeps_the_old_one_by_id() {
    let keyring = CountingKeyring::new();
    let store = table();
    let keys = cache(&keyring).tenant("131016", store.clone());
    let (first, first_key) = keys.current(KeyPurpose::FieldEncryption).await.unwrap();
    let rotated = keys.rotate(KeyPurpose::FieldEncryption).await.unwrap();
    assert_eq!(rotated, KeyId(2));
    let (active, active_key) = keys.current(KeyPurpose::FieldEncryption).await.unwrap();
    assert_eq!(active, rotated);
    assert_ne!(active_key.expose(), first_key.expose());

    // A fresh process sees the rotation and can still unwrap the first key.
    let other = cache(&keyring).tenant("131016", store);
    assert_eq!(
        other.current(KeyPurpose::FieldEncryption).await.unwrap().0,
        rotated
    );
    let old = other.key(KeyPurpose::FieldEncryption, first).await.unwrap();
    assert_eq!(old.expose(), first_key.expose());
}

#[tokio::test]
async fn the_blind_index_key_refuses_rotation() {
    let keyring = CountingKeyring::new();
    let keys = cache(&keyring).tenant("131016", table());
    let result = keys.rotate(KeyPurpose::BlindIndex).await;
    assert!(matches!(result, Err(CryptoError::RotationUnsupported(_))));
}

#[tokio::test]
async fn an_unknown_key_id_is_reported_as_missing() {
    let keyring = CountingKeyring::new();
    let keys = cache(&keyring).tenant("131016", table());
    let result = keys.key(KeyPurpose::FieldEncryption, KeyId(7)).await;
    assert!(matches!(result, Err(CryptoError::MissingKey { .. })));
}
