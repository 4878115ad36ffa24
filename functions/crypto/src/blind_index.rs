//! Keyed blind indexes: look items up by a secret value without storing the value.
//!
//! Keyed with the municipality's [`KeyPurpose::BlindIndex`] key, which never rotates (rotation
//! would orphan every stored index), so field-key rotation leaves indexes intact. Each domain
//! (`my_number`, `business_id`, …) is separated in the MAC input, so equal values in different
//! domains index differently, as do the same value in two municipalities.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::CryptoError;
use crate::field_codec::TenantCipher;
use crate::keyring::KeyPurpose;

impl TenantCipher {
    /// The full HMAC-SHA256 of `value` in `domain`, base64url without padding (43 characters).
    /// For unique lookups such as My Number: an index item `MN#<index>` → subject.
    pub async fn blind_index(&self, domain: &str, value: &[u8]) -> Result<String, CryptoError> {
        let tag = self
            .index_mac(b"sesshu-blind-index-v1", domain, value)
            .await?;
        Ok(URL_SAFE_NO_PAD.encode(tag))
    }

    /// The first `bits` (1–64) bits of a domain-separated HMAC-SHA256, as lowercase hex.
    ///
    /// For low-cardinality fields (birth date): many values share a beacon, so a match is only
    /// a candidate that the caller must confirm after decrypting; short beacons leak less.
    pub async fn beacon(
        &self,
        domain: &str,
        value: &[u8],
        bits: u8,
    ) -> Result<String, CryptoError> {
        if !(1..=64).contains(&bits) {
            return Err(CryptoError::BeaconBits(bits));
        }
        let mut label = b"sesshu-beacon-v1/".to_vec();
        // The width is part of the input: a 16-bit beacon is not a prefix of a 32-bit one.
        label.push(bits);
        let tag = self.index_mac(&label, domain, value).await?;
        let mut head = [0u8; 8];
        head.copy_from_slice(&tag[..8]);
        let truncated = u64::from_be_bytes(head) >> (64 - u32::from(bits));
        let width = usize::from(bits).div_ceil(4);
        Ok(format!("{truncated:0width$x}"))
    }

    async fn index_mac(
        &self,
        label: &[u8],
        domain: &str,
        value: &[u8],
    ) -> Result<[u8; 32], CryptoError> {
        let (_, key) = self.keys().current(KeyPurpose::BlindIndex).await?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose())
            .map_err(|_| CryptoError::Integrity)?;
        for part in [label, domain.as_bytes(), value] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        Ok(mac.finalize().into_bytes().into())
    }
}
