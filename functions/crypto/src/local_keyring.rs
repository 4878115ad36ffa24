//! The local [`Keyring`] adapter: a 32-byte master key in a file only its owner can read.
//!
//! Data keys are wrapped with AES-256-GCM under the master key, with the encryption context
//! (municipality + purpose) as associated data, so a wrapped key only unwraps under the context
//! it was generated for, just as KMS enforces its encryption context.
//!
//! Wrapped format: `version (1) ‖ nonce (12) ‖ ciphertext (32) ‖ tag (16)`.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};

type Nonce = aes_gcm::Nonce<U12>;
use async_trait::async_trait;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::keyring::{DataKey, GeneratedKey, KeyContext, Keyring, KeyringError};

const WRAP_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const WRAPPED_LEN: usize = 1 + NONCE_LEN + 32 + 16;
const MASTER_KEY_LEN: usize = 32;

/// A keyring whose master key lives in a local file (mode 0600). The single-machine default.
pub struct LocalKeyring {
    master: Aes256Gcm,
    path: PathBuf,
}

impl std::fmt::Debug for LocalKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalKeyring")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LocalKeyring {
    /// Opens the master key at `path`, creating it (and its directory) on first use.
    ///
    /// Refuses a file that group or others may access: a leaked master key unwraps every
    /// municipality's data keys.
    pub fn open_or_create(path: &Path) -> Result<Self, KeyringError> {
        let master = match read_master_key(path) {
            Ok(key) => key,
            Err(ReadError::Missing) => create_master_key(path)?,
            Err(ReadError::Failed(error)) => return Err(error),
        };
        Ok(Self {
            master: Aes256Gcm::new(master.as_ref().into()),
            path: path.to_path_buf(),
        })
    }

    /// Where the master key file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn wrap(&self, context: &KeyContext, key: &DataKey) -> Result<Vec<u8>, KeyringError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = context_aad(context);
        let sealed = self
            .master
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: key.expose(),
                    aad: &aad,
                },
            )
            .map_err(|_| KeyringError::Backend("wrapping a data key failed".into()))?;
        let mut wrapped = Vec::with_capacity(WRAPPED_LEN);
        wrapped.push(WRAP_VERSION);
        wrapped.extend_from_slice(&nonce);
        wrapped.extend_from_slice(&sealed);
        Ok(wrapped)
    }

    fn unwrap_key(&self, context: &KeyContext, wrapped: &[u8]) -> Result<DataKey, KeyringError> {
        if wrapped.len() != WRAPPED_LEN {
            return Err(KeyringError::Malformed(format!(
                "a wrapped data key must be {WRAPPED_LEN} bytes, got {}",
                wrapped.len()
            )));
        }
        if wrapped[0] != WRAP_VERSION {
            return Err(KeyringError::Malformed(format!(
                "unknown wrapped key format version {}",
                wrapped[0]
            )));
        }
        let (nonce, sealed) = wrapped[1..].split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| KeyringError::Malformed("short nonce".into()))?;
        let aad = context_aad(context);
        let plaintext = Zeroizing::new(
            self.master
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: sealed,
                        aad: &aad,
                    },
                )
                // Tampering and a wrong context are indistinguishable by design.
                .map_err(|_| KeyringError::WrongContext)?,
        );
        DataKey::try_from_slice(&plaintext)
    }
}

#[async_trait]
impl Keyring for LocalKeyring {
    async fn generate_data_key(&self, context: &KeyContext) -> Result<GeneratedKey, KeyringError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::thread_rng().fill_bytes(bytes.as_mut());
        let plaintext = DataKey::from_bytes(*bytes);
        let wrapped = self.wrap(context, &plaintext)?;
        Ok(GeneratedKey { plaintext, wrapped })
    }

    async fn decrypt_data_key(
        &self,
        context: &KeyContext,
        wrapped: &[u8],
    ) -> Result<DataKey, KeyringError> {
        self.unwrap_key(context, wrapped)
    }
}

/// The encryption context as unambiguous bytes: each part length-prefixed.
fn context_aad(context: &KeyContext) -> Vec<u8> {
    let mut aad = b"sesshu-local-keyring-v1".to_vec();
    for (name, value) in context.pairs() {
        for part in [name, value] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
    }
    aad
}

enum ReadError {
    Missing,
    Failed(KeyringError),
}

fn read_master_key(path: &Path) -> Result<Zeroizing<[u8; MASTER_KEY_LEN]>, ReadError> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == ErrorKind::NotFound => return Err(ReadError::Missing),
        Err(error) => {
            return Err(ReadError::Failed(KeyringError::Backend(format!(
                "cannot open master key file {}: {error}",
                path.display()
            ))));
        }
    };
    let metadata = file.metadata().map_err(|error| {
        ReadError::Failed(KeyringError::Backend(format!(
            "cannot stat master key file {}: {error}",
            path.display()
        )))
    })?;
    if metadata.permissions().mode() & 0o077 != 0 {
        return Err(ReadError::Failed(KeyringError::Backend(format!(
            "master key file {path} is accessible by group or others (mode {mode:o}); \
             restrict it with `chmod 600 {path}`",
            path = path.display(),
            mode = metadata.permissions().mode() & 0o777,
        ))));
    }
    let mut contents = Zeroizing::new(Vec::with_capacity(MASTER_KEY_LEN + 1));
    file.read_to_end(&mut contents).map_err(|error| {
        ReadError::Failed(KeyringError::Backend(format!(
            "cannot read master key file {}: {error}",
            path.display()
        )))
    })?;
    let key: [u8; MASTER_KEY_LEN] = contents.as_slice().try_into().map_err(|_| {
        ReadError::Failed(KeyringError::Malformed(format!(
            "master key file {} must hold exactly {MASTER_KEY_LEN} bytes, found {}",
            path.display(),
            contents.len()
        )))
    })?;
    Ok(Zeroizing::new(key))
}

/// Writes a fresh key to a private temporary file, then hard-links it into place.
///
/// `link` fails if the target exists, so when two processes start at once exactly one key
/// wins and the loser reads it; and a crash mid-write can never leave a short key file at
/// `path`, only a stray temporary file.
fn create_master_key(path: &Path) -> Result<Zeroizing<[u8; MASTER_KEY_LEN]>, KeyringError> {
    let backend = |what: &str, error: std::io::Error| {
        KeyringError::Backend(format!("{what} {}: {error}", path.display()))
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| backend("cannot create the directory of", e))?;
    }
    let mut key = Zeroizing::new([0u8; MASTER_KEY_LEN]);
    rand::thread_rng().fill_bytes(key.as_mut());

    let mut suffix = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut suffix);
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(
        ".{}.{:016x}.tmp",
        std::process::id(),
        u64::from_le_bytes(suffix)
    ));
    let tmp = PathBuf::from(tmp_name);

    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(key.as_ref())?;
        file.sync_all()
    })();
    if let Err(error) = written {
        let _ = fs::remove_file(&tmp);
        return Err(backend("cannot write master key file", error));
    }
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            read_master_key(path).map_err(|error| match error {
                ReadError::Failed(error) => error,
                ReadError::Missing => KeyringError::Backend(format!(
                    "master key file {} vanished while being created",
                    path.display()
                )),
            })
        }
        Err(error) => Err(backend("cannot create master key file", error)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::keyring::KeyPurpose;

    fn context(municipality: &str) -> KeyContext {
        KeyContext::new(municipality, KeyPurpose::FieldEncryption)
    }

    #[test]
    fn creates_the_master_key_file_readable_only_by_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("master.key");
        LocalKeyring::open_or_create(&path).unwrap();
        let metadata = fs::metadata(&path).unwrap();
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
        assert_eq!(metadata.len(), 32);
    }

    #[tokio::test]
    async fn a_reopened_keyring_unwraps_keys_wrapped_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let generated = LocalKeyring::open_or_create(&path)
            .unwrap()
            .generate_data_key(&context("131016"))
            .await
            .unwrap();
        let reopened = LocalKeyring::open_or_create(&path).unwrap();
        let unwrapped = reopened
            .decrypt_data_key(&context("131016"), &generated.wrapped)
            .await
            .unwrap();
        assert_eq!(unwrapped.expose(), generated.plaintext.expose());
    }

    #[tokio::test]
    async fn a_different_master_key_cannot_unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let first = LocalKeyring::open_or_create(&dir.path().join("a.key")).unwrap();
        let second = LocalKeyring::open_or_create(&dir.path().join("b.key")).unwrap();
        let generated = first.generate_data_key(&context("131016")).await.unwrap();
        let result = second
            .decrypt_data_key(&context("131016"), &generated.wrapped)
            .await;
        assert!(matches!(result, Err(KeyringError::WrongContext)));
    }

    #[tokio::test]
    async fn unwrapping_under_another_municipality_or_purpose_fails_as_wrong_context() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap();
        let generated = keyring.generate_data_key(&context("131016")).await.unwrap();
        for other in [
            context("271004"),
            KeyContext::new("131016", KeyPurpose::BlindIndex),
        ] {
            let result = keyring.decrypt_data_key(&other, &generated.wrapped).await;
            assert!(
                matches!(result, Err(KeyringError::WrongContext)),
                "{other:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_tampered_wrapped_key_fails_to_unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap();
        let generated = keyring.generate_data_key(&context("131016")).await.unwrap();
        for index in 1..generated.wrapped.len() {
            let mut tampered = generated.wrapped.clone();
            tampered[index] ^= 0x01;
            let result = keyring
                .decrypt_data_key(&context("131016"), &tampered)
                .await;
            assert!(
                matches!(result, Err(KeyringError::WrongContext)),
                "byte {index}"
            );
        }
        let mut bad_version = generated.wrapped.clone();
        bad_version[0] = 9;
        let result = keyring
            .decrypt_data_key(&context("131016"), &bad_version)
            .await;
        assert!(matches!(result, Err(KeyringError::Malformed(_))));
        let truncated = &generated.wrapped[..generated.wrapped.len() - 1];
        let result = keyring
            .decrypt_data_key(&context("131016"), truncated)
            .await;
        assert!(matches!(result, Err(KeyringError::Malformed(_))));
    }

    #[test]
    fn refuses_a_master_key_file_readable_by_others_and_says_how_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        LocalKeyring::open_or_create(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = LocalKeyring::open_or_create(&path).unwrap_err().to_string();
        assert!(
            error.contains(&format!("chmod 600 {}", path.display())),
            "{error}"
        );
    }

    #[test]
    fn refuses_a_master_key_file_of_the_wrong_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .unwrap()
            .write_all(&[7u8; 31])
            .unwrap();
        let result = LocalKeyring::open_or_create(&path);
        assert!(matches!(result, Err(KeyringError::Malformed(_))));
    }

    #[tokio::test]
    async fn processes_creating_the_key_at_once_all_end_up_with_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let keyrings: Vec<LocalKeyring> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| LocalKeyring::open_or_create(&path).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let generated = keyrings[0]
            .generate_data_key(&context("131016"))
            .await
            .unwrap();
        for keyring in &keyrings[1..] {
            let unwrapped = keyring
                .decrypt_data_key(&context("131016"), &generated.wrapped)
                .await
                .unwrap();
            assert_eq!(unwrapped.expose(), generated.plaintext.expose());
        }
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary files must be removed");
    }
}
