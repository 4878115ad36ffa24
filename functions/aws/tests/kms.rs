//! The KMS keyring against moto's KMS, which enforces the encryption context like AWS does.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use sesshu_aws::KmsKeyring;
use sesshu_aws::moto::MotoServer;
use sesshu_crypto::{KeyContext, KeyPurpose, Keyring, KeyringError};

/// A keyring with its own alias prefix, so tests sharing the server never share keys.
async fn keyring(municipalities: &[&str]) -> KmsKeyring {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let server = MotoServer::shared().unwrap();
    let client = aws_sdk_kms::Client::new(&server.sdk_config().await);
    let prefix = format!(
        "kms-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let keyring = KmsKeyring::with_alias_prefix(client, prefix);
    for municipality in municipalities {
        keyring.ensure_key(municipality).await.unwrap();
    }
    keyring
}

#[tokio::test]
async fn generated_key_decrypts_under_the_same_context() {
    let keyring = keyring(&["131016"]).await;
    let context = KeyContext::new("131016", KeyPurpose::FieldEncryption);
    let generated = keyring.generate_data_key(&context).await.unwrap();
    assert_ne!(generated.wrapped, generated.plaintext.expose().to_vec());
    let unwrapped = keyring
        .decrypt_data_key(&context, &generated.wrapped)
        .await
        .unwrap();
    assert_eq!(unwrapped.expose(), generated.plaintext.expose());
}

#[tokio::test]
async fn each_generated_key_is_different() {
    let keyring = keyring(&["131016"]).await;
    let context = KeyContext::new("131016", KeyPurpose::BlindIndex);
    let a = keyring.generate_data_key(&context).await.unwrap();
    let b = keyring.generate_data_key(&context).await.unwrap();
    assert_ne!(a.plaintext.expose(), b.plaintext.expose());
    assert_ne!(a.wrapped, b.wrapped);
}

#[tokio::test]
async fn decrypting_with_another_purpose_fails_with_wrong_context() {
    let keyring = keyring(&["131016"]).await;
    let generated = keyring
        .generate_data_key(&KeyContext::new("131016", KeyPurpose::FieldEncryption))
        .await
        .unwrap();
    let err = keyring
        .decrypt_data_key(
            &KeyContext::new("131016", KeyPurpose::BlindIndex),
            &generated.wrapped,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, KeyringError::WrongContext), "{err:?}");
}

#[tokio::test]
async fn decrypting_with_another_municipality_fails_with_wrong_context() {
    let keyring = keyring(&["131016", "271004"]).await;
    let generated = keyring
        .generate_data_key(&KeyContext::new("131016", KeyPurpose::FieldEncryption))
        .await
        .unwrap();
    let err = keyring
        .decrypt_data_key(
            &KeyContext::new("271004", KeyPurpose::FieldEncryption),
            &generated.wrapped,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, KeyringError::WrongContext), "{err:?}");
}

#[tokio::test]
async fn tampered_wrapped_key_fails_with_wrong_context() {
    let keyring = keyring(&["131016"]).await;
    let context = KeyContext::new("131016", KeyPurpose::Session);
    let mut wrapped = keyring.generate_data_key(&context).await.unwrap().wrapped;
    let last = wrapped.len() - 1;
    wrapped[last] ^= 0x01;
    let err = keyring
        .decrypt_data_key(&context, &wrapped)
        .await
        .unwrap_err();
    assert!(matches!(err, KeyringError::WrongContext), "{err:?}");
}

#[tokio::test]
async fn a_missing_key_is_a_backend_error_not_a_context_error() {
    let keyring = keyring(&[]).await;
    let err = keyring
        .generate_data_key(&KeyContext::new("131016", KeyPurpose::FieldEncryption))
        .await
        .unwrap_err();
    assert!(matches!(err, KeyringError::Backend(_)), "{err:?}");
}

#[tokio::test]
async fn counts_every_kms_call_including_failed_ones() {
    let keyring = keyring(&["131016"]).await;
    assert_eq!(keyring.calls(), 0, "ensure_key is tooling, not counted");
    let context = KeyContext::new("131016", KeyPurpose::FieldEncryption);
    let generated = keyring.generate_data_key(&context).await.unwrap();
    for _ in 0..3 {
        keyring
            .decrypt_data_key(&context, &generated.wrapped)
            .await
            .unwrap();
    }
    let other = KeyContext::new("131016", KeyPurpose::BlindIndex);
    let _ = keyring.decrypt_data_key(&other, &generated.wrapped).await;
    assert_eq!(keyring.calls(), 5);
}
