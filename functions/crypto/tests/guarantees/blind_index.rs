//! Blind indexes and beacons.

use sesshu_crypto::{CryptoError, TenantCipher};

use crate::support::{CountingKeyring, cache, table};

const MY_NUMBER: &[u8] = b"123456789018";

#[tokio::test]
async fn a_blind_index_is_a_stable_full_hmac_across_processes() {
    let keyring = CountingKeyring::new();
    let store = table();
    let first = TenantCipher::new(&cache(&keyring), "131016", store.clone());
    let second = TenantCipher::new(&cache(&keyring), "131016", store);
    let index = first.blind_index("my_number", MY_NUMBER).await.unwrap();
    assert_eq!(index.len(), 43, "32 bytes in unpadded base64url");
    assert!(
        index
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_eq!(
        second.blind_index("my_number", MY_NUMBER).await.unwrap(),
        index
    );
    assert!(!index.contains("123456789018"));
}

#[tokio::test]
async fn blind_indexes_differ_by_value_domain_and_municipality() {
    let keyring = CountingKeyring::new();
    let cache = cache(&keyring);
    let tokyo = TenantCipher::new(&cache, "131016", table());
    let osaka = TenantCipher::new(&cache, "271004", table());
    let base = tokyo.blind_index("my_number", MY_NUMBER).await.unwrap();
    let others = [
        tokyo
            .blind_index("my_number", b"123456789017")
            .await
            .unwrap(),
        tokyo.blind_index("business_id", MY_NUMBER).await.unwrap(),
        osaka.blind_index("my_number", MY_NUMBER).await.unwrap(),
    ];
    for other in others {
        assert_ne!(other, base);
    }
}

#[tokio::test]
async fn the_domain_and_value_cannot_be_re_split_into_the_same_index() {
    let (cipher, _keyring) = {
        let keyring = CountingKeyring::new();
        (
            TenantCipher::new(&cache(&keyring), "131016", table()),
            keyring,
        )
    };
    let a = cipher.blind_index("ab", b"c").await.unwrap();
    let b = cipher.blind_index("a", b"bc").await.unwrap();
    assert_ne!(a, b);
}

#[tokio::test]
async fn blind_indexes_survive_field_key_rotation() {
    let keyring = CountingKeyring::new();
    let cipher = TenantCipher::new(&cache(&keyring), "131016", table());
    let before = cipher.blind_index("my_number", MY_NUMBER).await.unwrap();
    cipher.rotate_field_key().await.unwrap();
    assert_eq!(
        cipher.blind_index("my_number", MY_NUMBER).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn a_beacon_keeps_only_the_requested_bits_so_values_collide() {
    let keyring = CountingKeyring::new();
    let cipher = TenantCipher::new(&cache(&keyring), "131016", table());
    let beacon = cipher
        .beacon("birth_date", b"1980-04-01", 16)
        .await
        .unwrap();
    assert_eq!(beacon.len(), 4);
    assert!(beacon.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        cipher
            .beacon("birth_date", b"1980-04-01", 16)
            .await
            .unwrap(),
        beacon
    );

    // With 2 bits, 64 distinct dates fall into at most 4 beacons: many share one.
    let mut seen = std::collections::BTreeSet::new();
    for day in 1..=64 {
        let value = format!("1980-01-{day:02}");
        let beacon = cipher
            .beacon("birth_date", value.as_bytes(), 2)
            .await
            .unwrap();
        assert!(u8::from_str_radix(&beacon, 16).unwrap() < 4);
        seen.insert(beacon);
    }
    assert!(seen.len() > 1 && seen.len() <= 4, "{seen:?}");

    let wide = cipher
        .beacon("birth_date", b"1980-04-01", 64)
        .await
        .unwrap();
    assert_eq!(wide.len(), 16);
}

#[tokio::test]
async fn a_beacon_of_zero_or_more_than_64_bits_is_refused() {
    let keyring = CountingKeyring::new();
    let cipher = TenantCipher::new(&cache(&keyring), "131016", table());
    for bits in [0, 65] {
        let result = cipher.beacon("birth_date", b"1980-04-01", bits).await;
        assert!(matches!(result, Err(CryptoError::BeaconBits(_))));
    }
}
