//! Sealing and opening: each guarantee of the scheme as one test.

use std::time::Duration;

use sesshu_crypto::{CryptoError, KeyId, Protection, Schema, TenantCipher};
use sesshu_store::{AttrValue, Item, Key};

use crate::support::{CountingKeyring, cache, cache_with_age, table};

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
        ("photo", EncryptAndSign),
        ("children", EncryptAndSign),
        ("consented", EncryptAndSign),
        ("status", SignOnly),
        ("doses", SignOnly),
        ("mn_index", Plain),
        ("nickname", EncryptAndSign),
    ],
};

const NAME: &str = "山田 太郎";
const ADDRESS: &str = "東京都千代田区千代田1-1";
const MY_NUMBER: &str = "123456789018";

fn person(sk: &str) -> Item {
    Item::new(Key::new("P#0001", sk))
        .with("name", AttrValue::S(NAME.into()))
        .with("name_kana", AttrValue::S("ヤマダ タロウ".into()))
        .with("address", AttrValue::S(ADDRESS.into()))
        .with("birth_date", AttrValue::S("1980-04-01".into()))
        .with("my_number", AttrValue::S(MY_NUMBER.into()))
        .with("status", AttrValue::S("active".into()))
}

fn tenant(municipality: &str) -> (TenantCipher, std::sync::Arc<CountingKeyring>) {
    let keyring = CountingKeyring::new();
    let cipher = TenantCipher::new(&cache(&keyring), municipality, table());
    (cipher, keyring)
}

fn with_attr(mut item: Item, name: &str, value: AttrValue) -> Item {
    item.attrs.insert(name.into(), value);
    item
}

async fn assert_integrity_failure(cipher: &TenantCipher, schema: &Schema, item: Item) {
    let result = cipher.open(schema, item).await;
    assert!(
        matches!(result, Err(CryptoError::Integrity)),
        "expected an integrity failure, got {result:?}"
    );
}

#[tokio::test]
async fn every_attribute_kind_round_trips_with_its_type_version_and_expiry() {
    let (cipher, _) = tenant("131016");
    let item = person("PROFILE")
        .with("photo", AttrValue::B(vec![0, 1, 2, 255]))
        .with("children", AttrValue::N(-3))
        .with("consented", AttrValue::Bool(true))
        .with("nickname", AttrValue::S(String::new()))
        .with("doses", AttrValue::N(2))
        .with("mn_index", AttrValue::B(Vec::new()))
        .with_version(7)
        .expiring_at(4_000_000_000);
    let sealed = cipher.seal(&PERSON, item.clone()).await.unwrap();
    for name in ["name", "photo", "children", "consented", "nickname"] {
        assert!(
            matches!(sealed.get(name), Some(AttrValue::B(_))),
            "{name} must be stored as ciphertext bytes"
        );
    }
    assert_eq!(sealed.get("doses"), Some(&AttrValue::N(2)));
    assert_eq!(sealed.get("mn_index"), Some(&AttrValue::B(Vec::new())));
    assert_eq!(cipher.open(&PERSON, sealed).await.unwrap(), item);
}

#[tokio::test]
async fn equal_plaintexts_get_different_ciphertexts_salts_and_per_item_keys() {
    let (cipher, _) = tenant("131016");
    let a = cipher.seal(&PERSON, person("A")).await.unwrap();
    let b = cipher.seal(&PERSON, person("B")).await.unwrap();
    let again = cipher.seal(&PERSON, person("A")).await.unwrap();
    for other in [&b, &again] {
        for name in ["name", "my_number", "_salt", "_cmt", "_mac"] {
            assert_ne!(a.get(name), other.get(name), "{name}");
        }
    }
    // The commitment is derived from the per-item key material: distinct commitments under one
    // data key mean distinct per-item keys.
    assert_eq!(a.get("_kid"), b.get("_kid"));
}

#[tokio::test]
async fn a_flipped_byte_anywhere_in_a_ciphertext_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let ciphertext = sealed.get("name").unwrap().as_b().unwrap().to_vec();
    for index in 0..ciphertext.len() {
        let mut tampered = ciphertext.clone();
        tampered[index] ^= 0x80;
        let item = with_attr(sealed.clone(), "name", AttrValue::B(tampered));
        assert_integrity_failure(&cipher, &PERSON, item).await;
    }
}

#[tokio::test]
async fn a_ciphertext_pasted_from_another_item_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let victim = cipher.seal(&PERSON, person("A")).await.unwrap();
    let other = cipher
        .seal(
            &PERSON,
            with_attr(person("B"), "name", AttrValue::S("佐藤 花子".into())),
        )
        .await
        .unwrap();
    let pasted = with_attr(victim, "name", other.get("name").unwrap().clone());
    assert_integrity_failure(&cipher, &PERSON, pasted).await;
}

#[tokio::test]
async fn a_ciphertext_pasted_into_another_attribute_of_the_same_item_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let swapped = with_attr(
        sealed.clone(),
        "name_kana",
        sealed.get("name").unwrap().clone(),
    );
    assert_integrity_failure(&cipher, &PERSON, swapped).await;
}

#[tokio::test]
async fn a_whole_item_moved_to_another_key_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let mut moved = cipher.seal(&PERSON, person("A")).await.unwrap();
    moved.key = Key::new("P#0002", "A");
    assert_integrity_failure(&cipher, &PERSON, moved).await;
}

#[tokio::test]
async fn dropping_an_encrypted_or_sign_only_attribute_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    for name in ["my_number", "status"] {
        let mut dropped = sealed.clone();
        dropped.attrs.remove(name);
        assert_integrity_failure(&cipher, &PERSON, dropped).await;
    }
}

#[tokio::test]
async fn adding_a_declared_attribute_after_sealing_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    // A ciphertext of a real value, taken from another item's same attribute.
    let donor = cipher
        .seal(
            &PERSON,
            person("B").with("consented", AttrValue::Bool(true)),
        )
        .await
        .unwrap();
    let added = with_attr(
        sealed.clone(),
        "consented",
        donor.get("consented").unwrap().clone(),
    );
    assert_integrity_failure(&cipher, &PERSON, added).await;
    let added_sign_only = with_attr(sealed, "doses", AttrValue::N(3));
    assert_integrity_failure(&cipher, &PERSON, added_sign_only).await;
}

#[tokio::test]
async fn changing_a_sign_only_attribute_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let changed = with_attr(sealed.clone(), "status", AttrValue::S("deleted".into()));
    assert_integrity_failure(&cipher, &PERSON, changed).await;
    let retyped = with_attr(sealed, "status", AttrValue::B(b"active".to_vec()));
    assert_integrity_failure(&cipher, &PERSON, retyped).await;
}

#[tokio::test]
async fn plain_attributes_may_change_without_breaking_the_item() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher
        .seal(
            &PERSON,
            person("A").with("mn_index", AttrValue::S("x".into())),
        )
        .await
        .unwrap();
    let changed = with_attr(sealed, "mn_index", AttrValue::S("y".into()));
    let opened = cipher.open(&PERSON, changed).await.unwrap();
    assert_eq!(opened.get("mn_index"), Some(&AttrValue::S("y".into())));
}

#[tokio::test]
async fn an_item_of_another_municipality_fails_integrity() {
    let keyring = CountingKeyring::new();
    let cache = cache(&keyring);
    let tokyo = TenantCipher::new(&cache, "131016", table());
    let osaka = TenantCipher::new(&cache, "271004", table());
    let sealed = tokyo.seal(&PERSON, person("A")).await.unwrap();
    assert_integrity_failure(&osaka, &PERSON, sealed).await;
}

#[tokio::test]
async fn a_table_read_under_another_municipality_name_fails() {
    // Even if a table were shared, the tenant is bound into the per-item keys and the MAC.
    let keyring = CountingKeyring::new();
    let cache = cache(&keyring);
    let store = table();
    let sealed = TenantCipher::new(&cache, "131016", store.clone())
        .seal(&PERSON, person("A"))
        .await
        .unwrap();
    // The same table and the same wrapped key, read under another municipality's name: the
    // keyring refuses to unwrap the key under the wrong context.
    let result = TenantCipher::new(&cache, "271004", store)
        .open(&PERSON, sealed)
        .await;
    assert!(result.is_err());
}

#[tokio::test]
async fn an_item_pointed_at_another_data_key_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    cipher.rotate_field_key().await.unwrap();
    let rekeyed = with_attr(sealed, "_kid", AttrValue::N(2));
    assert_integrity_failure(&cipher, &PERSON, rekeyed).await;
}

#[tokio::test]
async fn an_item_naming_an_unknown_data_key_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let rekeyed = with_attr(sealed, "_kid", AttrValue::N(99));
    assert_integrity_failure(&cipher, &PERSON, rekeyed).await;
}

#[tokio::test]
async fn a_changed_salt_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let mut salt = sealed.get("_salt").unwrap().as_b().unwrap().to_vec();
    salt[5] ^= 1;
    assert_integrity_failure(
        &cipher,
        &PERSON,
        with_attr(sealed, "_salt", AttrValue::B(salt)),
    )
    .await;
}

#[tokio::test]
async fn a_key_commitment_mismatch_is_detected() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    // The commitment is not under the MAC, so only the commitment check can catch this.
    let mut commitment = sealed.get("_cmt").unwrap().as_b().unwrap().to_vec();
    commitment[31] ^= 1;
    let item = with_attr(sealed, "_cmt", AttrValue::B(commitment));
    assert_integrity_failure(&cipher, &PERSON, item).await;
}

#[tokio::test]
async fn a_flipped_mac_byte_or_missing_metadata_fails_integrity() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let mut mac = sealed.get("_mac").unwrap().as_b().unwrap().to_vec();
    mac[0] ^= 1;
    assert_integrity_failure(
        &cipher,
        &PERSON,
        with_attr(sealed.clone(), "_mac", AttrValue::B(mac)),
    )
    .await;
    for name in ["_kid", "_salt", "_cmt", "_mac"] {
        let mut stripped = sealed.clone();
        stripped.attrs.remove(name);
        assert_integrity_failure(&cipher, &PERSON, stripped).await;
    }
}

#[tokio::test]
async fn an_item_opened_as_another_kind_of_item_fails_integrity() {
    const IMPOSTOR: Schema = Schema {
        name: "guardian",
        ..PERSON
    };
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    assert_integrity_failure(&cipher, &IMPOSTOR, sealed).await;
}

#[tokio::test]
async fn an_item_opened_with_another_schema_version_names_both_versions() {
    const NEXT: Schema = Schema {
        version: 2,
        ..PERSON
    };
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let result = cipher.open(&NEXT, sealed).await;
    assert!(matches!(
        result,
        Err(CryptoError::SchemaVersion {
            expected: 2,
            found: 1,
            ..
        })
    ));
}

#[tokio::test]
async fn sealing_an_undeclared_attribute_is_refused_naming_it_but_not_its_value() {
    let (cipher, _) = tenant("131016");
    let item = person("A").with("phone", AttrValue::S("090-1234-5678".into()));
    let error = cipher.seal(&PERSON, item).await.unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, CryptoError::UndeclaredAttribute { .. }));
    assert!(message.contains("phone"), "{message}");
    assert!(!message.contains("090"), "{message}");
}

#[tokio::test]
async fn sealing_an_item_that_carries_metadata_is_refused() {
    let (cipher, _) = tenant("131016");
    let item = person("A").with("_kid", AttrValue::N(1));
    let result = cipher.seal(&PERSON, item).await;
    assert!(matches!(
        result,
        Err(CryptoError::UndeclaredAttribute { .. })
    ));
}

#[tokio::test]
async fn opening_an_undeclared_attribute_is_refused_naming_it() {
    let (cipher, _) = tenant("131016");
    let sealed = cipher.seal(&PERSON, person("A")).await.unwrap();
    let item = with_attr(sealed, "phone", AttrValue::S("090-1234-5678".into()));
    let error = cipher.open(&PERSON, item).await.unwrap_err();
    assert!(matches!(error, CryptoError::UndeclaredAttribute { .. }));
    assert!(error.to_string().contains("phone"));
    assert!(!error.to_string().contains("090"));
}

#[tokio::test]
async fn a_schema_declaring_a_reserved_or_duplicate_name_is_refused() {
    const RESERVED: Schema = Schema {
        name: "bad",
        version: 1,
        attributes: &[("_mac", SignOnly)],
    };
    const DUPLICATE: Schema = Schema {
        name: "bad",
        version: 1,
        attributes: &[("name", SignOnly), ("name", EncryptAndSign)],
    };
    let (cipher, _) = tenant("131016");
    for schema in [RESERVED, DUPLICATE] {
        let result = cipher.seal(&schema, Item::new(Key::new("P#1", "A"))).await;
        assert!(matches!(result, Err(CryptoError::InvalidSchema { .. })));
    }
}

#[tokio::test]
async fn rotation_keeps_old_items_readable_and_new_items_use_the_new_key_id() {
    let (cipher, _) = tenant("131016");
    let old = cipher.seal(&PERSON, person("OLD")).await.unwrap();
    assert_eq!(old.get("_kid"), Some(&AttrValue::N(1)));
    assert_eq!(cipher.rotate_field_key().await.unwrap(), KeyId(2));
    let new = cipher.seal(&PERSON, person("NEW")).await.unwrap();
    assert_eq!(new.get("_kid"), Some(&AttrValue::N(2)));
    assert_eq!(cipher.open(&PERSON, old).await.unwrap(), person("OLD"));
    assert_eq!(cipher.open(&PERSON, new).await.unwrap(), person("NEW"));
}

// Paused time: the burst itself takes no clock time, so the only expiry is the one we step.
#[tokio::test(start_paused = true)]
async fn ten_thousand_concurrent_opens_cost_one_keyring_call_per_period() {
    let keyring = CountingKeyring::new();
    let store = table();
    let sealed = TenantCipher::new(&cache(&keyring), "131016", store.clone())
        .seal(&PERSON, person("A"))
        .await
        .unwrap();
    // A fresh process: nothing cached yet.
    let cipher = TenantCipher::new(
        &cache_with_age(&keyring, Duration::from_secs(300)),
        "131016",
        store,
    );
    let burst = |count: usize| {
        let tasks: Vec<_> = (0..count)
            .map(|_| {
                let cipher = cipher.clone();
                let sealed = sealed.clone();
                tokio::spawn(async move { cipher.open(&PERSON, sealed).await })
            })
            .collect();
        async move {
            for task in tasks {
                assert_eq!(task.await.unwrap().unwrap(), person("A"));
            }
        }
    };
    burst(10_000).await;
    assert_eq!(keyring.decrypt_calls(), 1);
    tokio::time::sleep(Duration::from_secs(299)).await;
    burst(1_000).await;
    assert_eq!(keyring.decrypt_calls(), 1, "still within the five minutes");
    tokio::time::sleep(Duration::from_secs(2)).await;
    burst(10_000).await;
    assert_eq!(keyring.decrypt_calls(), 2);
}

#[tokio::test]
async fn no_plaintext_appears_in_the_sealed_item_bytes() {
    let (cipher, _) = tenant("131016");
    let item = person("A")
        .with("photo", AttrValue::B(b"PHOTO-BYTES-0123456789".to_vec()))
        .with("children", AttrValue::N(0x0123_4567_89ab_cdef));
    let sealed = cipher.seal(&PERSON, item).await.unwrap();
    let bytes = postcard::to_allocvec(&sealed).unwrap();
    let plaintexts: [&[u8]; 7] = [
        NAME.as_bytes(),
        "ヤマダ".as_bytes(),
        ADDRESS.as_bytes(),
        MY_NUMBER.as_bytes(),
        b"1980-04-01",
        b"PHOTO-BYTES",
        &0x0123_4567_89ab_cdef_i64.to_le_bytes()[..6],
    ];
    for plaintext in plaintexts {
        assert!(
            !bytes.windows(plaintext.len()).any(|w| w == plaintext),
            "plaintext found in the sealed item"
        );
    }
    // The check above can fail: the sign-only status is stored in the clear and found.
    assert!(bytes.windows(6).any(|w| w == b"active"));
}
