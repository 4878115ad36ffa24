//! Sealing and opening items: per-attribute AES-256-GCM under per-item keys, key commitment
//! and an item-level HMAC, after the AWS Database Encryption SDK's design.
//!
//! A sealed item carries, besides its attributes:
//!
//! | attribute | value |
//! |---|---|
//! | `_kid` | N: the id of the tenant data key ([`KeyPurpose::FieldEncryption`]) |
//! | `_salt` | B: format version (1) ‖ 16 random bytes |
//! | `_cmt` | B: 32-byte key commitment |
//! | `_mac` | B: 32-byte HMAC-SHA256 over the signed attributes |
//! | `_sv` | N: the schema version the item was sealed with |
//!
//! Per-item keys: HKDF-SHA256(ikm = data key, salt = `_salt`, info = tenant ‖ pk ‖ sk ‖ label)
//! with the labels `enc`, `mac` and `commit`; no two items share a key. Each `EncryptAndSign`
//! attribute becomes `B(version (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16))` of the postcard
//! encoding of its original [`AttrValue`], with associated data tenant ‖ pk ‖ sk ‖ attribute
//! name ‖ schema name ‖ schema version.
//!
//! The MAC covers tenant, pk, sk, schema name and version, key id, salt and every
//! `EncryptAndSign` and `SignOnly` attribute (name, protection, stored value), in name order,
//! all length-prefixed. It does not cover the store's `version` and `expires_at`: conditional
//! updates change those without re-sealing; they are concurrency and retention metadata that
//! the store itself guards.

use std::collections::BTreeMap;
use std::sync::Arc;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};

type Nonce = aes_gcm::Nonce<U12>;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sesshu_store::{AttrValue, Item, Key, RESERVED_ATTRIBUTES, Store};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::key_cache::{KeyCache, KeyId, TenantKeys};
use crate::keyring::{DataKey, KeyPurpose};

/// Attributes that [`TenantCipher::seal`] writes; a schema may not declare them.
pub const METADATA_ATTRIBUTES: [&str; 5] = ["_kid", "_salt", "_cmt", "_mac", "_sv"];

const FORMAT_VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// How one attribute is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Encrypted (AES-256-GCM) and covered by the item MAC. Everything personal.
    EncryptAndSign,
    /// Stored in plaintext but covered by the item MAC (e.g. a status a query filters on).
    SignOnly,
    /// Stored in plaintext, unprotected (e.g. a GSI key that is itself a blind index).
    Plain,
}

impl Protection {
    fn mac_tag(self) -> u8 {
        match self {
            Protection::EncryptAndSign => 1,
            Protection::SignOnly => 2,
            Protection::Plain => 3,
        }
    }
}

/// The fail-closed description of one kind of item: every attribute it may hold, each with its
/// protection. Sealing or opening an attribute not listed here is an error.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// Bound into every ciphertext and the MAC: an item cannot be opened as another kind.
    pub name: &'static str,
    /// Bump when an attribute's protection changes.
    pub version: u16,
    /// Every attribute the item may hold, with its protection; absent ones are allowed.
    pub attributes: &'static [(&'static str, Protection)],
}

impl Schema {
    /// The protection declared for `attribute`, if any.
    pub fn protection(&self, attribute: &str) -> Option<Protection> {
        self.attributes
            .iter()
            .find(|(name, _)| *name == attribute)
            .map(|(_, protection)| *protection)
    }

    /// Refuses empty, duplicate, reserved and metadata attribute names.
    pub fn validate(&self) -> Result<(), CryptoError> {
        let invalid = |reason: String| CryptoError::InvalidSchema {
            schema: self.name,
            reason,
        };
        for (index, (name, _)) in self.attributes.iter().enumerate() {
            if name.is_empty() {
                return Err(invalid("an attribute name is empty".into()));
            }
            if RESERVED_ATTRIBUTES.contains(name) || METADATA_ATTRIBUTES.contains(name) {
                return Err(invalid(format!("attribute name {name} is reserved")));
            }
            if self.attributes[..index]
                .iter()
                .any(|(other, _)| other == name)
            {
                return Err(invalid(format!("attribute {name} is declared twice")));
            }
        }
        Ok(())
    }

    fn require_declared<'a>(
        &self,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Result<(), CryptoError> {
        match names
            .into_iter()
            .find(|name| self.protection(name).is_none())
        {
            Some(name) => Err(CryptoError::UndeclaredAttribute {
                schema: self.name,
                attribute: name.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// Seals and opens one municipality's items; cheap to clone.
#[derive(Clone, Debug)]
pub struct TenantCipher {
    keys: TenantKeys,
    tenant: Arc<str>,
}

impl TenantCipher {
    /// The cipher of `municipality`, whose data keys live in its own table `store`.
    pub fn new(
        cache: &Arc<KeyCache>,
        municipality: impl Into<String>,
        store: Arc<dyn Store>,
    ) -> Self {
        let municipality = municipality.into();
        Self {
            keys: cache.tenant(municipality.clone(), store),
            tenant: Arc::from(municipality),
        }
    }

    /// The municipality code.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The tenant's data keys (for rotation and the re-encryption job).
    pub fn keys(&self) -> &TenantKeys {
        &self.keys
    }

    /// Makes a new field-encryption key active; items sealed before stay readable.
    pub async fn rotate_field_key(&self) -> Result<KeyId, CryptoError> {
        self.keys.rotate(KeyPurpose::FieldEncryption).await
    }

    /// Encrypts and signs `item` (plaintext attributes) into the item to store.
    pub async fn seal(&self, schema: &Schema, item: Item) -> Result<Item, CryptoError> {
        schema.validate()?;
        schema.require_declared(item.attrs.keys())?;
        let (kid, data_key) = self.keys.current(KeyPurpose::FieldEncryption).await?;
        let mut salt = [0u8; SALT_LEN];
        rand::thread_rng().fill_bytes(&mut salt);
        let keys = ItemKeys::derive(&data_key, &salt, &self.tenant, &item.key)?;

        let Item {
            key,
            attrs,
            version,
            expires_at,
        } = item;
        let mut sealed = BTreeMap::new();
        for (name, value) in attrs {
            let value = match schema.protection(&name) {
                Some(Protection::EncryptAndSign) => AttrValue::B(
                    keys.encrypt(&attribute_aad(&self.tenant, &key, &name, schema), &value)?,
                ),
                _ => value,
            };
            sealed.insert(name, value);
        }
        let mac = keys.mac(&self.tenant, &key, schema, kid, &salt, &sealed)?;

        let mut stored_salt = Vec::with_capacity(1 + SALT_LEN);
        stored_salt.push(FORMAT_VERSION);
        stored_salt.extend_from_slice(&salt);
        sealed.insert("_kid".into(), AttrValue::N(i64::from(kid.0)));
        sealed.insert("_salt".into(), AttrValue::B(stored_salt));
        sealed.insert("_cmt".into(), AttrValue::B(keys.commitment.to_vec()));
        sealed.insert("_mac".into(), AttrValue::B(mac.to_vec()));
        sealed.insert("_sv".into(), AttrValue::N(i64::from(schema.version)));
        Ok(Item {
            key,
            attrs: sealed,
            version,
            expires_at,
        })
    }

    /// Verifies and decrypts a stored item into its plaintext attributes.
    pub async fn open(&self, schema: &Schema, mut item: Item) -> Result<Item, CryptoError> {
        schema.validate()?;
        let metadata = Metadata::take(&mut item.attrs)?;
        if metadata.schema_version != i64::from(schema.version) {
            return Err(CryptoError::SchemaVersion {
                schema: schema.name,
                expected: schema.version,
                found: metadata.schema_version,
            });
        }
        schema.require_declared(item.attrs.keys())?;
        let data_key = match self
            .keys
            .key(KeyPurpose::FieldEncryption, metadata.kid)
            .await
        {
            Ok(key) => key,
            Err(CryptoError::MissingKey { kid, .. }) => {
                tracing::warn!(tenant = %self.tenant, %kid, "item names an unknown data key");
                return Err(CryptoError::Integrity);
            }
            Err(error) => return Err(error),
        };
        let keys = ItemKeys::derive(&data_key, &metadata.salt, &self.tenant, &item.key)?;
        // Key commitment first: a wrong key must never reach AES-GCM (GCM is not committing).
        if !bool::from(keys.commitment.ct_eq(&metadata.commitment)) {
            return Err(CryptoError::Integrity);
        }
        keys.verify_mac(
            &self.tenant,
            &item.key,
            schema,
            metadata.kid,
            &metadata.salt,
            &item.attrs,
            &metadata.mac,
        )?;
        let key = item.key.clone();
        for (name, value) in item.attrs.iter_mut() {
            if schema.protection(name) == Some(Protection::EncryptAndSign) {
                let AttrValue::B(sealed) = value else {
                    return Err(CryptoError::Integrity);
                };
                *value = keys.decrypt(&attribute_aad(&self.tenant, &key, name, schema), sealed)?;
            }
        }
        Ok(item)
    }
}

struct Metadata {
    kid: KeyId,
    salt: [u8; SALT_LEN],
    commitment: [u8; 32],
    mac: [u8; 32],
    schema_version: i64,
}

impl Metadata {
    /// Removes the metadata attributes; any missing or malformed one is an integrity failure.
    fn take(attrs: &mut BTreeMap<String, AttrValue>) -> Result<Self, CryptoError> {
        let mut bytes = |name: &str| match attrs.remove(name) {
            Some(AttrValue::B(bytes)) => Ok(bytes),
            _ => Err(CryptoError::Integrity),
        };
        let salt = bytes("_salt")?;
        let commitment = bytes("_cmt")?;
        let mac = bytes("_mac")?;
        let mut number = |name: &str| match attrs.remove(name) {
            Some(AttrValue::N(n)) => Ok(n),
            _ => Err(CryptoError::Integrity),
        };
        let kid = number("_kid")?;
        let schema_version = number("_sv")?;
        let (version, salt) = salt.split_first().ok_or(CryptoError::Integrity)?;
        if *version != FORMAT_VERSION {
            return Err(CryptoError::Integrity);
        }
        Ok(Self {
            kid: KeyId(u32::try_from(kid).map_err(|_| CryptoError::Integrity)?),
            salt: salt.try_into().map_err(|_| CryptoError::Integrity)?,
            commitment: commitment
                .as_slice()
                .try_into()
                .map_err(|_| CryptoError::Integrity)?,
            mac: mac
                .as_slice()
                .try_into()
                .map_err(|_| CryptoError::Integrity)?,
            schema_version,
        })
    }
}

/// The three keys of one item, derived from the tenant data key and the item's salt.
struct ItemKeys {
    cipher: Aes256Gcm,
    mac_key: Zeroizing<[u8; 32]>,
    commitment: [u8; 32],
}

impl ItemKeys {
    fn derive(
        data_key: &DataKey,
        salt: &[u8; SALT_LEN],
        tenant: &str,
        key: &Key,
    ) -> Result<Self, CryptoError> {
        let hkdf = Hkdf::<Sha256>::new(Some(salt), data_key.expose());
        let mut info = Vec::with_capacity(64 + key.pk.len() + key.sk.len());
        put(&mut info, b"sesshu-item-keys-v1");
        put(&mut info, tenant.as_bytes());
        put(&mut info, key.pk.as_bytes());
        put(&mut info, key.sk.as_bytes());
        let expand = |label: &[u8]| -> Result<Zeroizing<[u8; 32]>, CryptoError> {
            let mut okm = Zeroizing::new([0u8; 32]);
            let mut label_part = Vec::with_capacity(4 + label.len());
            put(&mut label_part, label);
            hkdf.expand_multi_info(&[&info, &label_part], okm.as_mut())
                .map_err(|_| CryptoError::Integrity)?;
            Ok(okm)
        };
        let enc = expand(b"enc")?;
        let mac_key = expand(b"mac")?;
        let commitment = *expand(b"commit")?;
        Ok(Self {
            cipher: Aes256Gcm::new(enc.as_ref().into()),
            mac_key,
            commitment,
        })
    }

    fn encrypt(&self, aad: &[u8], value: &AttrValue) -> Result<Vec<u8>, CryptoError> {
        let plaintext =
            Zeroizing::new(postcard::to_allocvec(value).map_err(|_| CryptoError::Integrity)?);
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Integrity)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    fn decrypt(&self, aad: &[u8], sealed: &[u8]) -> Result<AttrValue, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != FORMAT_VERSION {
            return Err(CryptoError::Integrity);
        }
        let (nonce, ciphertext) = sealed[1..].split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Integrity)?;
        let plaintext = Zeroizing::new(
            self.cipher
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: ciphertext,
                        aad,
                    },
                )
                .map_err(|_| CryptoError::Integrity)?,
        );
        postcard::from_bytes(&plaintext).map_err(|_| CryptoError::Integrity)
    }

    fn mac(
        &self,
        tenant: &str,
        key: &Key,
        schema: &Schema,
        kid: KeyId,
        salt: &[u8; SALT_LEN],
        attrs: &BTreeMap<String, AttrValue>,
    ) -> Result<[u8; 32], CryptoError> {
        Ok(self
            .keyed_mac(tenant, key, schema, kid, salt, attrs)?
            .finalize()
            .into_bytes()
            .into())
    }

    #[allow(clippy::too_many_arguments)]
    fn verify_mac(
        &self,
        tenant: &str,
        key: &Key,
        schema: &Schema,
        kid: KeyId,
        salt: &[u8; SALT_LEN],
        attrs: &BTreeMap<String, AttrValue>,
        expected: &[u8; 32],
    ) -> Result<(), CryptoError> {
        self.keyed_mac(tenant, key, schema, kid, salt, attrs)?
            .verify_slice(expected)
            .map_err(|_| CryptoError::Integrity)
    }

    /// The canonical MAC input: every field length-prefixed, attributes in name order, each
    /// preceded by a 1 and the list ended by a 0, so no two different items encode alike.
    fn keyed_mac(
        &self,
        tenant: &str,
        key: &Key,
        schema: &Schema,
        kid: KeyId,
        salt: &[u8; SALT_LEN],
        attrs: &BTreeMap<String, AttrValue>,
    ) -> Result<Hmac<Sha256>, CryptoError> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.mac_key.as_ref())
            .map_err(|_| CryptoError::Integrity)?;
        for part in [
            b"sesshu-item-mac-v1".as_slice(),
            tenant.as_bytes(),
            key.pk.as_bytes(),
            key.sk.as_bytes(),
            schema.name.as_bytes(),
            &schema.version.to_be_bytes(),
            &kid.0.to_be_bytes(),
            salt,
        ] {
            put_mac(&mut mac, part);
        }
        for (name, value) in attrs {
            let protection =
                schema
                    .protection(name)
                    .ok_or_else(|| CryptoError::UndeclaredAttribute {
                        schema: schema.name,
                        attribute: name.clone(),
                    })?;
            if protection == Protection::Plain {
                continue;
            }
            mac.update(&[1, protection.mac_tag()]);
            put_mac(&mut mac, name.as_bytes());
            match value {
                AttrValue::S(s) => {
                    mac.update(b"S");
                    put_mac(&mut mac, s.as_bytes());
                }
                AttrValue::N(n) => {
                    mac.update(b"N");
                    put_mac(&mut mac, &n.to_be_bytes());
                }
                AttrValue::B(b) => {
                    mac.update(b"B");
                    put_mac(&mut mac, b);
                }
                AttrValue::Bool(b) => {
                    mac.update(b"T");
                    put_mac(&mut mac, &[u8::from(*b)]);
                }
            }
        }
        mac.update(&[0]);
        Ok(mac)
    }
}

fn put_mac(mac: &mut Hmac<Sha256>, bytes: &[u8]) {
    mac.update(&(bytes.len() as u32).to_be_bytes());
    mac.update(bytes);
}

/// Appends `bytes` length-prefixed, so concatenated fields cannot be re-split differently.
fn put(buffer: &mut Vec<u8>, bytes: &[u8]) {
    buffer.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    buffer.extend_from_slice(bytes);
}

fn attribute_aad(tenant: &str, key: &Key, attribute: &str, schema: &Schema) -> Vec<u8> {
    let mut aad = Vec::with_capacity(96 + key.pk.len() + key.sk.len());
    put(&mut aad, b"sesshu-attribute-v1");
    put(&mut aad, tenant.as_bytes());
    put(&mut aad, key.pk.as_bytes());
    put(&mut aad, key.sk.as_bytes());
    put(&mut aad, attribute.as_bytes());
    put(&mut aad, schema.name.as_bytes());
    put(&mut aad, &schema.version.to_be_bytes());
    aad
}
