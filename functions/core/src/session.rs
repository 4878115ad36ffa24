//! Resident sessions: after one Mynaportal token verification, the backend issues its own
//! short-lived session token so that each request costs one AEAD open, not a signature check.
//!
//! The token is sealed (AES-256-GCM under the platform's session key), so it is opaque to the
//! browser and cannot be forged or altered; it lives in an HttpOnly cookie.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Serialize, de::DeserializeOwned};
use sesshu_crypto::DataKey;
use sesshu_domain::{MunicipalityCode, PmhKey, PmhPseudonym, SubjectNo};

use crate::directory::Residence;
use crate::error::CoreError;

/// How long a resident session lasts.
pub const RESIDENT_SESSION_SECONDS: u64 = 30 * 60;
/// How long a login attempt (state + nonce) may take.
pub const LOGIN_STATE_SECONDS: u64 = 10 * 60;

const SESSION_AAD: &[u8] = b"sesshu/resident-session/v1";
const LOGIN_STATE_AAD: &[u8] = b"sesshu/login-state/v1";

/// A signed-in resident: who (the PMH key), where they are registered, until when, and whom
/// they may act for (代理).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentSession {
    pub session_id: String,
    pub pmh_key: PmhKey,
    pub residences: Vec<Residence>,
    pub expires_at: u64,
    /// The pseudonym the resident logged in with: their identity in the operation log when they
    /// act for someone else. `None` only in sessions sealed before proxies existed.
    pub pseudonym: Option<PmhPseudonym>,
    /// Persons the resident may act for, as accepted at login (保護者氏名 matched, under 20);
    /// re-checked on every access with [`Self::proxy_name_digest`].
    pub principals: Vec<Residence>,
    /// HMAC-SHA256 (keyed with the session id) of the resident's normalized name, hex; present
    /// when the login carried principals. Lets each request compare the name with a principal's
    /// current 保護者氏名 without the session holding the name.
    pub proxy_name_digest: Option<String>,
}

/// A login in progress: the `state` (against login CSRF) and `nonce` (against token replay)
/// sent to Mynaportal, kept in a short-lived sealed cookie until the callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LoginState {
    pub state: String,
    pub nonce: String,
    pub expires_at: u64,
}

impl LoginState {
    pub fn new(now_epoch_s: u64) -> Self {
        Self {
            state: random_token(),
            nonce: random_token(),
            expires_at: now_epoch_s + LOGIN_STATE_SECONDS,
        }
    }
}

#[derive(Serialize, serde::Deserialize)]
struct SessionWire {
    sid: String,
    key: String,
    res: Vec<(String, String)>,
    exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    psn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    prn: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gnd: Option<String>,
}

fn residence_pairs(residences: &[Residence]) -> Vec<(String, String)> {
    residences
        .iter()
        .map(|r| {
            (
                r.municipality.as_str().to_owned(),
                r.subject_no.as_str().to_owned(),
            )
        })
        .collect()
}

fn residences_of(pairs: &[(String, String)]) -> Result<Vec<Residence>, CoreError> {
    let corrupt = || CoreError::Unauthenticated("session token is invalid");
    pairs
        .iter()
        .map(|(code, subject)| {
            Ok(Residence {
                municipality: MunicipalityCode::parse(code).map_err(|_| corrupt())?,
                subject_no: SubjectNo::parse(subject).map_err(|_| corrupt())?,
            })
        })
        .collect()
}

/// Seals and opens session tokens with the platform session key.
#[derive(Clone)]
pub struct SessionSealer {
    cipher: Aes256Gcm,
}

impl SessionSealer {
    pub fn new(key: &DataKey) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.expose().into()),
        }
    }

    pub fn seal_session(&self, session: &ResidentSession) -> Result<String, CoreError> {
        let wire = SessionWire {
            sid: session.session_id.clone(),
            key: session.pmh_key.as_str().to_owned(),
            res: residence_pairs(&session.residences),
            exp: session.expires_at,
            psn: session.pseudonym.as_ref().map(|p| p.as_str().to_owned()),
            prn: residence_pairs(&session.principals),
            gnd: session.proxy_name_digest.clone(),
        };
        self.seal(SESSION_AAD, &wire)
    }

    pub fn open_session(
        &self,
        token: &str,
        now_epoch_s: u64,
    ) -> Result<ResidentSession, CoreError> {
        let wire: SessionWire = self.open(SESSION_AAD, token)?;
        if wire.exp <= now_epoch_s {
            return Err(CoreError::Unauthenticated("session expired"));
        }
        let corrupt = || CoreError::Unauthenticated("session token is invalid");
        Ok(ResidentSession {
            residences: residences_of(&wire.res)?,
            principals: residences_of(&wire.prn)?,
            pseudonym: wire
                .psn
                .as_deref()
                .map(PmhPseudonym::parse)
                .transpose()
                .map_err(|_| corrupt())?,
            proxy_name_digest: wire.gnd,
            session_id: wire.sid,
            pmh_key: PmhKey::parse(&wire.key).map_err(|_| corrupt())?,
            expires_at: wire.exp,
        })
    }

    pub fn seal_login_state(&self, state: &LoginState) -> Result<String, CoreError> {
        self.seal(LOGIN_STATE_AAD, state)
    }

    pub fn open_login_state(&self, token: &str, now_epoch_s: u64) -> Result<LoginState, CoreError> {
        let state: LoginState = self.open(LOGIN_STATE_AAD, token)?;
        if state.expires_at <= now_epoch_s {
            return Err(CoreError::Unauthenticated("login took too long"));
        }
        Ok(state)
    }

    /// Seals any value under `aad` (which names what it is, so one kind cannot pass as another).
    pub fn seal<T: Serialize>(&self, aad: &[u8], value: &T) -> Result<String, CoreError> {
        let plaintext = serde_json::to_vec(value).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        let mut nonce = [0u8; 12];
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
            .map_err(|_| CoreError::Corrupt("session sealing failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens what [`Self::seal`] sealed under the same `aad`.
    pub fn open<T: DeserializeOwned>(&self, aad: &[u8], token: &str) -> Result<T, CoreError> {
        let invalid = || CoreError::Unauthenticated("session token is invalid");
        // Bound the work an attacker can make us do with a huge cookie.
        if token.len() > 8192 {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        if bytes.len() < 12 + 16 {
            return Err(invalid());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| invalid())?;
        let plaintext = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| invalid())?;
        serde_json::from_slice(&plaintext).map_err(|_| invalid())
    }
}

/// 128 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
