//! The PMH (Public Medical Hub) simulator: PMH key assignment and the directory
//! pseudonym → PMH key → municipalities.
//!
//! Keys are derived, not drawn: `PmhKey` = the first 80 bits of HMAC-SHA-256(instance secret,
//! `"pmh-key\0" ‖ my number digits`), as 16 uppercase base32 characters. So the same My Number
//! always gets the same key from one simulator instance (a person who moved keeps theirs),
//! different instances give unrelated keys, and the simulator never needs to keep a My Number:
//! its state file holds only the secret, the keys it has issued and the directory.
//!
//! The interface is documented in `docs/interfaces/pmh-simulator.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sesshu_core::ports::{Pmh, PmhAssignment, PmhError};
use sesshu_domain::{MunicipalityCode, MyNumber, PmhKey, PmhPseudonym};
use sha2::Sha256;

use crate::SimError;
use crate::state_file::{self, Durability};

/// Name of the state file inside the state directory.
pub const STATE_FILE: &str = "pmh-state.json";

const FORMAT_VERSION: u32 = 1;

/// The simulated PMH. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct PmhSim {
    path: PathBuf,
    secret: [u8; 32],
    state: Mutex<State>,
    failures_left: AtomicU32,
    mismatches_left: AtomicU32,
    latency_ns: AtomicU64,
}

impl std::fmt::Debug for PmhSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of debug output.
        f.debug_struct("PmhSim")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What is persisted: no My Number, only what was derived from them.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct State {
    /// Pseudonym → key, for every key ever issued (the pseudonym is derived from the key).
    issued: BTreeMap<String, String>,
    /// Key → municipality codes where the person has (had) residence.
    residences: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    format_version: u32,
    /// Base64 of the 32-byte instance secret.
    secret: String,
    #[serde(flatten)]
    state: State,
}

impl PmhSim {
    /// Opens the simulator state in `state_dir` (`pmh-state.json`), creating the directory and
    /// a fresh random secret (file mode 0600) on first run.
    pub fn load_or_create(state_dir: &Path) -> Result<Self, SimError> {
        let path = state_dir.join(STATE_FILE);
        let (secret, state, created) = match state_file::read(&path)? {
            Some(bytes) => {
                let file: StateFile = serde_json::from_slice(&bytes)
                    .map_err(|e| SimError::corrupt(&path, e.to_string()))?;
                if file.format_version != FORMAT_VERSION {
                    return Err(SimError::corrupt(&path, "unknown format_version".into()));
                }
                let secret: [u8; 32] = STANDARD
                    .decode(&file.secret)
                    .ok()
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(|| SimError::corrupt(&path, "secret is not 32 bytes".into()))?;
                (secret, file.state, false)
            }
            None => {
                let mut secret = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut secret);
                (secret, State::default(), true)
            }
        };
        let sim = Self {
            path,
            secret,
            state: Mutex::new(state),
            failures_left: AtomicU32::new(0),
            mismatches_left: AtomicU32::new(0),
            latency_ns: AtomicU64::new(0),
        };
        if created {
            // The secret must survive a crash: losing it would change every key. Later updates
            // of the directory are cheap atomic rewrites.
            sim.save(&sim.lock(), Durability::Synced)?;
        }
        Ok(sim)
    }

    /// Where the state is kept.
    pub fn state_path(&self) -> &Path {
        &self.path
    }

    /// Makes the next `n` calls of [`Pmh::assign_keys`] fail with [`PmhError::Unavailable`]
    /// (after the configured latency), as a real PMH does during maintenance or overload.
    pub fn fail_next(&self, n: u32) {
        self.failures_left.store(n, Ordering::SeqCst);
    }

    /// Makes the next `n` answered entries (across calls, in input order) carry another valid
    /// My Number than the one sent, with that number's key, as a PMH that mixed up two persons
    /// would. Such entries are not recorded as issued.
    pub fn mismatch_next(&self, n: u32) {
        self.mismatches_left.store(n, Ordering::SeqCst);
    }

    /// Delays every [`Pmh::assign_keys`] call by `latency` (zero by default).
    pub fn set_latency(&self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_ns.store(ns, Ordering::SeqCst);
    }

    /// The PMH key this instance assigns to `my_number`, without recording it.
    fn derive_key(&self, my_number: &MyNumber) -> PmhKey {
        let mac = self.mac(b"pmh-key\0", my_number.expose_digits().as_bytes());
        let mut first = [0u8; 10];
        first.copy_from_slice(&mac[..10]);
        // 16 base32 characters are always a valid PmhKey; the fallback is unreachable but keeps
        // this function total without a panic.
        PmhKey::parse(&base32_80(first)).unwrap_or_else(|_| unreachable_key())
    }

    /// Mynaportal's pseudonym for the person with `pmh_key` (deterministic per instance):
    /// `psn_` and 32 base64url characters of HMAC-SHA-256(secret, `"pseudonym\0" ‖ key`).
    pub fn pseudonym_for(&self, pmh_key: &PmhKey) -> PmhPseudonym {
        let mac = self.mac(b"pseudonym\0", pmh_key.as_str().as_bytes());
        let text = format!(
            "psn_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&mac[..24])
        );
        PmhPseudonym::parse(&text).unwrap_or_else(|_| unreachable_pseudonym())
    }

    /// The PMH key behind a pseudonym, if this PMH issued it.
    pub fn pmh_key_of(&self, pseudonym: &PmhPseudonym) -> Option<PmhKey> {
        let state = self.lock();
        state
            .issued
            .get(pseudonym.as_str())
            .and_then(|k| PmhKey::parse(k).ok())
    }

    /// Records that the person with `pmh_key` has (or had) residence in `municipality`.
    /// Idempotent; a person who moved is recorded in both municipalities.
    pub fn record_residence(
        &self,
        pmh_key: &PmhKey,
        municipality: &MunicipalityCode,
    ) -> Result<(), SimError> {
        let mut state = self.lock();
        let added = state
            .residences
            .entry(pmh_key.as_str().to_owned())
            .or_default()
            .insert(municipality.as_str().to_owned());
        if added {
            // Saved under the lock, so concurrent saves cannot interleave or go back in time.
            self.save(&state, Durability::Atomic)?;
        }
        Ok(())
    }

    /// The municipalities where the person with `pmh_key` has (had) residence, in code order.
    pub fn municipalities_of(&self, pmh_key: &PmhKey) -> Vec<MunicipalityCode> {
        let state = self.lock();
        state
            .residences
            .get(pmh_key.as_str())
            .into_iter()
            .flatten()
            .filter_map(|c| MunicipalityCode::parse(c).ok())
            .collect()
    }

    /// The municipalities of the person Mynaportal knows as `pseudonym`:
    /// pseudonym → PMH key → municipalities. Empty for an unknown pseudonym.
    pub fn municipalities_of_pseudonym(&self, pseudonym: &PmhPseudonym) -> Vec<MunicipalityCode> {
        self.pmh_key_of(pseudonym)
            .map(|k| self.municipalities_of(&k))
            .unwrap_or_default()
    }

    fn mac(&self, domain: &[u8], input: &[u8]) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail for our 32-byte secret.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(domain);
        mac.update(input);
        mac.finalize().into_bytes().into()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave State half-updated (each update is one
        // insert), so a poisoned lock is still safe to use.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn save(&self, state: &State, durability: Durability) -> Result<(), SimError> {
        let file = StateFile {
            format_version: FORMAT_VERSION,
            secret: STANDARD.encode(self.secret),
            state: state.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| SimError::corrupt(&self.path, e.to_string()))?;
        state_file::write_private(&self.path, &bytes, durability)
    }
}

#[async_trait]
impl Pmh for PmhSim {
    async fn assign_keys(&self, my_numbers: &[MyNumber]) -> Result<Vec<PmhAssignment>, PmhError> {
        let latency = self.latency_ns.load(Ordering::SeqCst);
        if latency > 0 {
            tokio::time::sleep(Duration::from_nanos(latency)).await;
        }
        let failed = self
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failed {
            return Err(PmhError::Unavailable(
                "simulated outage (fail_next); retry later".into(),
            ));
        }

        let mut genuine = Vec::with_capacity(my_numbers.len());
        let assignments: Vec<PmhAssignment> = my_numbers
            .iter()
            .map(|n| {
                let mismatch = self
                    .mismatches_left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| m.checked_sub(1))
                    .is_ok();
                let my_number = if mismatch { altered(n) } else { n.clone() };
                genuine.push(!mismatch);
                PmhAssignment {
                    pmh_key: self.derive_key(&my_number),
                    my_number,
                }
            })
            .collect();

        let mut state = self.lock();
        let mut added = false;
        for (a, _) in assignments.iter().zip(&genuine).filter(|(_, g)| **g) {
            let pseudonym = self.pseudonym_for(&a.pmh_key);
            added |= state
                .issued
                .insert(pseudonym.as_str().to_owned(), a.pmh_key.as_str().to_owned())
                .is_none();
        }
        if added {
            self.save(&state, Durability::Atomic)
                .map_err(|_| PmhError::Unavailable("simulator state could not be saved".into()))?;
        }
        Ok(assignments)
    }
}

/// Another valid My Number: the body's last digit moved on by one, the check digit recomputed.
fn altered(my_number: &MyNumber) -> MyNumber {
    let digits = my_number.expose_digits();
    let body = digits.get(..11).unwrap_or(digits);
    let mut changed: String = body.chars().take(10).collect();
    let last = body
        .chars()
        .nth(10)
        .and_then(|c| c.to_digit(10))
        .unwrap_or(0);
    changed.extend(char::from_digit((last + 1) % 10, 10));
    MyNumber::from_body(&changed).unwrap_or_else(|_| my_number.clone())
}

/// RFC 4648 base32 (A–Z, 2–7) of exactly 80 bits: 16 characters, no padding.
fn base32_80(bytes: [u8; 10]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(16);
    for chunk in bytes.chunks(5) {
        let mut bits: u64 = 0;
        for &b in chunk {
            bits = (bits << 8) | u64::from(b);
        }
        for i in (0..8).rev() {
            out.push(char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]));
        }
    }
    out
}

#[cold]
fn unreachable_key() -> PmhKey {
    unreachable!("16 base32 characters are a valid PMH key")
}

#[cold]
fn unreachable_pseudonym() -> PmhPseudonym {
    unreachable!("psn_ and base64url characters are a valid PMH pseudonym")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn number(body: &str) -> MyNumber {
        MyNumber::from_body(body).unwrap()
    }

    fn code(s: &str) -> MunicipalityCode {
        MunicipalityCode::parse(s).unwrap()
    }

    #[test]
    fn base32_encodes_the_rfc_4648_test_vector() {
        // RFC 4648 §10: BASE32("fooba") = "MZXW6YTB", twice for 10 bytes.
        assert_eq!(base32_80(*b"foobafooba"), "MZXW6YTBMZXW6YTB");
    }

    #[tokio::test]
    async fn the_same_my_number_gets_the_same_key_across_calls_and_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let n = number("12345678901");
        let first = {
            let sim = PmhSim::load_or_create(dir.path()).unwrap();
            let a = sim.assign_keys(std::slice::from_ref(&n)).await.unwrap();
            let b = sim.assign_keys(&[n.clone(), n.clone()]).await.unwrap();
            assert_eq!(a[0].pmh_key, b[0].pmh_key);
            assert_eq!(b[0].pmh_key, b[1].pmh_key);
            a[0].pmh_key.clone()
        };
        let reopened = PmhSim::load_or_create(dir.path()).unwrap();
        let again = reopened.assign_keys(&[n]).await.unwrap();
        assert_eq!(again[0].pmh_key, first);
        assert_eq!(first.as_str().len(), 16);
        assert!(
            first
                .as_str()
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
        );
    }

    #[tokio::test]
    async fn different_my_numbers_and_different_instances_get_different_keys() {
        let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let sim = PmhSim::load_or_create(d1.path()).unwrap();
        let other = PmhSim::load_or_create(d2.path()).unwrap();
        let numbers: Vec<MyNumber> = (0..200)
            .map(|i| number(&format!("{:011}", 5_000_000 + i)))
            .collect();
        let keys: BTreeSet<PmhKey> = sim
            .assign_keys(&numbers)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.pmh_key)
            .collect();
        assert_eq!(keys.len(), numbers.len());
        let elsewhere = other.assign_keys(&numbers[..1]).await.unwrap();
        assert!(!keys.contains(&elsewhere[0].pmh_key));
    }

    #[tokio::test]
    async fn the_answer_echoes_each_my_number_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let sim = PmhSim::load_or_create(dir.path()).unwrap();
        let numbers = [
            number("12345678901"),
            number("98765432109"),
            number("12345678901"),
        ];
        let answer = sim.assign_keys(&numbers).await.unwrap();
        assert_eq!(answer.len(), 3);
        for (sent, got) in numbers.iter().zip(&answer) {
            assert_eq!(sent.expose_digits(), got.my_number.expose_digits());
        }
    }

    #[tokio::test]
    async fn fail_next_fails_exactly_that_many_calls() {
        let dir = tempfile::tempdir().unwrap();
        let sim = PmhSim::load_or_create(dir.path()).unwrap();
        let n = [number("12345678901")];
        sim.fail_next(2);
        assert!(matches!(
            sim.assign_keys(&n).await,
            Err(PmhError::Unavailable(_))
        ));
        assert!(matches!(
            sim.assign_keys(&n).await,
            Err(PmhError::Unavailable(_))
        ));
        assert!(sim.assign_keys(&n).await.is_ok());
    }

    #[tokio::test]
    async fn mismatch_next_alters_that_many_entries_to_another_valid_my_number() {
        let dir = tempfile::tempdir().unwrap();
        let sim = PmhSim::load_or_create(dir.path()).unwrap();
        let numbers = [
            number("12345678901"),
            number("98765432109"),
            number("55555555555"),
        ];
        sim.mismatch_next(2);
        let answer = sim.assign_keys(&numbers).await.unwrap();
        assert_eq!(answer.len(), 3);
        for (sent, got) in numbers[..2].iter().zip(&answer) {
            assert_ne!(sent.expose_digits(), got.my_number.expose_digits());
            assert!(MyNumber::parse(got.my_number.expose_digits()).is_ok());
            assert_ne!(got.pmh_key, sim.derive_key(sent));
        }
        assert_eq!(answer[2].my_number, numbers[2]);
        let again = sim.assign_keys(&numbers[..1]).await.unwrap();
        assert_eq!(
            again[0].my_number, numbers[0],
            "only the next two were altered"
        );
    }

    #[tokio::test]
    async fn set_latency_delays_each_call() {
        let dir = tempfile::tempdir().unwrap();
        let sim = PmhSim::load_or_create(dir.path()).unwrap();
        sim.set_latency(Duration::from_millis(50));
        let start = std::time::Instant::now();
        sim.assign_keys(&[number("12345678901")]).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn the_state_file_contains_no_my_number_digits_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let sim = PmhSim::load_or_create(dir.path()).unwrap();
        let numbers: Vec<MyNumber> = (0..50)
            .map(|i| number(&format!("{:011}", 31_415_926 + i * 7)))
            .collect();
        let answer = sim.assign_keys(&numbers).await.unwrap();
        sim.record_residence(&answer[0].pmh_key, &code("131016"))
            .unwrap();
        let text = std::fs::read_to_string(sim.state_path()).unwrap();
        for n in &numbers {
            assert!(!text.contains(n.expose_digits()));
        }
        assert!(
            text.contains(answer[0].pmh_key.as_str()),
            "the state file is not the one written"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(sim.state_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn the_directory_maps_pseudonym_to_key_to_every_municipality() {
        let dir = tempfile::tempdir().unwrap();
        let sim = PmhSim::load_or_create(dir.path()).unwrap();
        let moved = sim.assign_keys(&[number("12345678901")]).await.unwrap()[0]
            .pmh_key
            .clone();
        sim.record_residence(&moved, &code("131016")).unwrap();
        sim.record_residence(&moved, &code("271004")).unwrap();
        sim.record_residence(&moved, &code("131016")).unwrap();
        let pseudonym = sim.pseudonym_for(&moved);
        assert_eq!(sim.pseudonym_for(&moved), pseudonym);
        assert_eq!(sim.pmh_key_of(&pseudonym), Some(moved.clone()));

        let reopened = PmhSim::load_or_create(dir.path()).unwrap();
        assert_eq!(
            reopened.municipalities_of_pseudonym(&pseudonym),
            vec![code("131016"), code("271004")]
        );
        let stranger = PmhPseudonym::parse("psn_unknown").unwrap();
        assert!(reopened.municipalities_of_pseudonym(&stranger).is_empty());
    }

    #[test]
    fn a_corrupt_state_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), b"{not json").unwrap();
        assert!(matches!(
            PmhSim::load_or_create(dir.path()),
            Err(SimError::Corrupt { .. })
        ));
        assert_eq!(
            std::fs::read(dir.path().join(STATE_FILE)).unwrap(),
            b"{not json"
        );
    }
}
