//! The KMS [`Keyring`]: data keys from a customer-managed key per municipality, bound to the
//! encryption context `{ municipality, purpose }` (which CloudTrail logs: no personal data).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_kms::operation::decrypt::DecryptError;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use sesshu_crypto::{DataKey, GeneratedKey, KeyContext, Keyring, KeyringError};
use zeroize::Zeroizing;

type KeyIdFor = dyn Fn(&str) -> String + Send + Sync;

/// A [`Keyring`] over AWS KMS. Counts its KMS calls, so benchmarks can show that the data-key
/// cache in front of it keeps them rare.
pub struct KmsKeyring {
    client: Client,
    key_id_for: Arc<KeyIdFor>,
    calls: AtomicU64,
}

impl std::fmt::Debug for KmsKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsKeyring")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl KmsKeyring {
    /// A keyring using the key (id, ARN or alias) that `key_id_for(municipality)` names.
    pub fn new(
        client: Client,
        key_id_for: impl Fn(&str) -> String + Send + Sync + 'static,
    ) -> Self {
        Self {
            client,
            key_id_for: Arc::new(key_id_for),
            calls: AtomicU64::new(0),
        }
    }

    /// A keyring using the alias `alias/<prefix>-<municipality>`, as the per-municipality
    /// stacks create it.
    pub fn with_alias_prefix(client: Client, prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        Self::new(client, move |municipality| {
            format!("alias/{prefix}-{municipality}")
        })
    }

    /// The key id, ARN or alias used for `municipality`.
    pub fn key_id(&self, municipality: &str) -> String {
        (self.key_id_for)(municipality)
    }

    /// How many KMS requests this keyring has made (GenerateDataKey + Decrypt).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Creates a symmetric key and its alias for `municipality` unless the alias resolves.
    /// For tests and local tooling (production keys come from IaC); needs an `alias/` key id.
    pub async fn ensure_key(&self, municipality: &str) -> Result<(), KeyringError> {
        let alias = self.key_id(municipality);
        if !alias.starts_with("alias/") {
            return Err(KeyringError::Backend(format!(
                "ensure_key needs an alias, got a key id for {municipality}; create the key in IaC instead"
            )));
        }
        match self.client.describe_key().key_id(&alias).send().await {
            Ok(_) => return Ok(()),
            Err(err) if err.code() == Some("NotFoundException") => {}
            Err(err) => return Err(backend("DescribeKey", &err)),
        }
        let created = self
            .client
            .create_key()
            .description(format!("data keys of {municipality}"))
            .send()
            .await
            .map_err(|err| backend("CreateKey", &err))?;
        let key_id = created
            .key_metadata()
            .map(|m| m.key_id().to_owned())
            .ok_or_else(|| KeyringError::Backend("CreateKey returned no key id".into()))?;
        self.client
            .create_alias()
            .alias_name(&alias)
            .target_key_id(key_id)
            .send()
            .await
            .map_err(|err| backend("CreateAlias", &err))?;
        Ok(())
    }
}

fn encryption_context(context: &KeyContext) -> HashMap<String, String> {
    context
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn backend<E>(
    operation: &str,
    err: &SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
) -> KeyringError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    KeyringError::Backend(format!("KMS {operation}: {}", DisplayErrorContext(err)))
}

/// Copies a plaintext key out of the SDK's buffer, wiping that buffer afterwards.
fn data_key(plaintext: Option<Blob>) -> Result<DataKey, KeyringError> {
    let bytes = Zeroizing::new(
        plaintext
            .ok_or_else(|| KeyringError::Malformed("KMS returned no plaintext key".into()))?
            .into_inner(),
    );
    DataKey::try_from_slice(&bytes)
}

#[async_trait]
impl Keyring for KmsKeyring {
    async fn generate_data_key(&self, context: &KeyContext) -> Result<GeneratedKey, KeyringError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let out = self
            .client
            .generate_data_key()
            .key_id(self.key_id(&context.municipality))
            .key_spec(DataKeySpec::Aes256)
            .set_encryption_context(Some(encryption_context(context)))
            .send()
            .await
            .map_err(|err| backend("GenerateDataKey", &err))?;
        let wrapped = out
            .ciphertext_blob
            .ok_or_else(|| KeyringError::Malformed("KMS returned no wrapped key".into()))?
            .into_inner();
        Ok(GeneratedKey {
            plaintext: data_key(out.plaintext)?,
            wrapped,
        })
    }

    async fn decrypt_data_key(
        &self,
        context: &KeyContext,
        wrapped: &[u8],
    ) -> Result<DataKey, KeyringError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        // Naming the key makes KMS refuse a blob wrapped under another municipality's key
        // (IncorrectKeyException) even before the context is compared.
        let out = self
            .client
            .decrypt()
            .key_id(self.key_id(&context.municipality))
            .ciphertext_blob(Blob::new(wrapped))
            .set_encryption_context(Some(encryption_context(context)))
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(
                    DecryptError::InvalidCiphertextException(_)
                    | DecryptError::IncorrectKeyException(_),
                ) => KeyringError::WrongContext,
                _ => backend("Decrypt", &err),
            })?;
        data_key(out.plaintext)
    }
}
