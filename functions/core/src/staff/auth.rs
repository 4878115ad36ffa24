//! Staff authentication: password (argon2id) then TOTP or a recovery code, lockout, activation
//! of issued accounts with TOTP enrollment, sessions, re-authentication and logout.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sesshu_crypto::KeyPurpose;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::{
    Activation, Enrollment, PasswordLogin, Reauthentication, RecoveryCodes,
};

use crate::digest::{constant_time_eq, sha256_hex};
use crate::directory::Directory;
use crate::error::CoreError;
use crate::session::SessionSealer;
use crate::tenancy::{Platform, Tenant};

use super::accounts::{self, StaffAccount};
use super::lockout::Counter;
use super::sessions::{self, SessionPolicy, StaffSessionRecord};
use super::{StaffContext, Surface, password, totp};

/// How long the step between password and TOTP may take.
const PENDING_LOGIN_S: u64 = 5 * 60;
/// How long an enrollment (QR code shown, first code not yet entered) may take.
const PENDING_ENROLLMENT_S: u64 = 15 * 60;
const RECOVERY_CODES: usize = 10;

const PENDING_LOGIN_AAD: &[u8] = b"sesshu/staff-pending-login/v1";
const PENDING_ENROLLMENT_AAD: &[u8] = b"sesshu/staff-pending-enrollment/v1";

/// The answer to every failed login, whatever failed: nothing tells an attacker whether the
/// account exists, is deactivated or had the wrong password.
const LOGIN_FAILED: CoreError = CoreError::Unauthenticated("login failed");

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingLogin {
    code: String,
    user_id: String,
    surface: Surface,
    epoch: u64,
    expires_at: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingEnrollment {
    code: String,
    user_id: String,
    surface: Surface,
    expires_at: u64,
}

/// Who is logging in, for the operation log, even when the login fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSubject {
    pub municipality: Option<MunicipalityCode>,
    pub user_id: String,
}

pub struct StaffAuth {
    platform: Arc<Platform>,
    directory: Directory,
    sealer: SessionSealer,
    pub policy: SessionPolicy,
}

impl StaffAuth {
    pub async fn new(platform: Arc<Platform>, policy: SessionPolicy) -> Result<Self, CoreError> {
        let (_, key) = platform
            .platform_cipher()
            .keys()
            .current(KeyPurpose::Session)
            .await?;
        Ok(Self {
            directory: Directory::new(platform.directory_store().clone()),
            sealer: SessionSealer::new(&key),
            platform,
            policy,
        })
    }

    fn now(&self) -> u64 {
        self.platform.clock.now_epoch_s()
    }

    /// The tenant of a municipality the platform knows; `None` for any other code, so that a
    /// typed-in code never creates a table.
    pub async fn known_tenant(&self, code: &str) -> Result<Option<Tenant>, CoreError> {
        let Ok(code) = MunicipalityCode::parse(code.trim()) else {
            return Ok(None);
        };
        if self.directory.municipality(&code).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(self.platform.tenant(&code)?))
    }

    async fn source_counter_key(&self, source: &str) -> Result<String, CoreError> {
        Ok(self
            .platform
            .platform_cipher()
            .blind_index("login_source", source.as_bytes())
            .await?)
    }

    /// Refuses (with the wait) while either counter is delaying attempts.
    async fn check_delays(
        &self,
        account: &Counter<'_>,
        source: &Counter<'_>,
    ) -> Result<(), CoreError> {
        let now = self.now();
        let wait = account.wait_s(now).await?.max(source.wait_s(now).await?);
        if wait > 0 {
            return Err(CoreError::TooManyAttempts {
                retry_after_s: wait,
            });
        }
        Ok(())
    }

    /// Step 1: user id and password. Returns the sealed pending-login cookie for step 2.
    pub async fn password_step(
        &self,
        surface: Surface,
        login: &PasswordLogin,
        source: &str,
    ) -> Result<String, CoreError> {
        let source_key = self.source_counter_key(source).await?;
        let source_counter = Counter::source(self.platform.directory_store().as_ref(), &source_key);
        let tenant = self.known_tenant(&login.municipality_code).await?;
        let account_store = tenant
            .as_ref()
            .map(|t| t.store.clone())
            .unwrap_or_else(|| self.platform.directory_store().clone());
        let account_counter = Counter::account(
            account_store.as_ref(),
            login.municipality_code.trim(),
            login.user_id.trim(),
        );
        self.check_delays(&account_counter, &source_counter).await?;

        let account = match &tenant {
            Some(tenant) => accounts::get_account(tenant, login.user_id.trim()).await?,
            None => None,
        };
        let usable = account.as_ref().and_then(|(account, _)| {
            let hash = account.password_hash.as_deref()?;
            let fits = account.active
                && account.mfa_enrolled()
                && account.user_class == surface.user_class();
            Some((hash, fits))
        });
        let verified = match usable {
            Some((hash, fits)) => password::verify(&login.password, hash) && fits,
            None => {
                password::verify_against_nothing(&login.password);
                false
            }
        };
        let (Some(tenant), Some((account, _)), true) = (tenant, account, verified) else {
            let now = self.now();
            account_counter.fail(now).await?;
            source_counter.fail(now).await?;
            return Err(LOGIN_FAILED);
        };
        let pending = PendingLogin {
            code: tenant.code.as_str().to_owned(),
            user_id: account.user_id.clone(),
            surface,
            epoch: account.session_epoch,
            expires_at: self.now() + PENDING_LOGIN_S,
        };
        self.sealer.seal(PENDING_LOGIN_AAD, &pending)
    }

    /// Who a pending-login cookie is for (for the operation log of step 2).
    pub fn pending_subject(&self, cookie: &str) -> Option<LoginSubject> {
        let pending: PendingLogin = self.sealer.open(PENDING_LOGIN_AAD, cookie).ok()?;
        Some(LoginSubject {
            municipality: MunicipalityCode::parse(&pending.code).ok(),
            user_id: pending.user_id,
        })
    }

    /// Step 2: a TOTP code (never one used before) or an unused recovery code. Returns the new
    /// session's cookie value and its context.
    pub async fn second_factor(
        &self,
        surface: Surface,
        pending_cookie: Option<&str>,
        code: &str,
        source: &str,
    ) -> Result<(String, StaffContext), CoreError> {
        let pending: PendingLogin = pending_cookie
            .and_then(|cookie| self.sealer.open(PENDING_LOGIN_AAD, cookie).ok())
            .ok_or(CoreError::Unauthenticated("no password step in progress"))?;
        let now = self.now();
        if now >= pending.expires_at || pending.surface != surface {
            return Err(CoreError::Unauthenticated("the password step expired"));
        }
        let tenant = self
            .known_tenant(&pending.code)
            .await?
            .ok_or(LOGIN_FAILED)?;
        let source_key = self.source_counter_key(source).await?;
        let source_counter = Counter::source(self.platform.directory_store().as_ref(), &source_key);
        let account_counter =
            Counter::account(tenant.store.as_ref(), &pending.code, &pending.user_id);
        self.check_delays(&account_counter, &source_counter).await?;

        let (mut account, version) = accounts::get_account(&tenant, &pending.user_id)
            .await?
            .ok_or(LOGIN_FAILED)?;
        let still_valid = account.active && account.session_epoch == pending.epoch;
        let accepted = still_valid && consume_second_factor(&mut account, code, now);
        if !accepted {
            account_counter.fail(now).await?;
            source_counter.fail(now).await?;
            return Err(LOGIN_FAILED);
        }
        account.last_login_at = Some(now);
        // The version check makes a replayed code lose the race: one of two concurrent uses
        // of the same code fails here.
        accounts::save_account(&tenant, &account, Some(version))
            .await
            .map_err(|_| LOGIN_FAILED)?;
        account_counter.clear().await?;
        let record = StaffSessionRecord {
            user_id: account.user_id.clone(),
            surface,
            created_at: now,
            last_seen: now,
            // Logging in just now counts as a fresh authentication.
            reauthenticated_at: Some(now),
            epoch: account.session_epoch,
        };
        let token = sessions::create(&tenant, &record, &self.policy).await?;
        let context = self
            .context(tenant, account, record, token, surface)
            .await?;
        let cookie = sessions::cookie_value(&context.tenant.code, &context.token);
        Ok((cookie, context))
    }

    /// The context of a session cookie: live session, active user with the same session epoch,
    /// their role and institution as stored now.
    pub async fn authenticate(
        &self,
        surface: Surface,
        cookie: &str,
    ) -> Result<StaffContext, CoreError> {
        let (code, token) = sessions::parse_cookie(cookie)
            .ok_or(CoreError::Unauthenticated("malformed staff session"))?;
        let tenant = self
            .known_tenant(code.as_str())
            .await?
            .ok_or(CoreError::Unauthenticated("unknown municipality"))?;
        let record = sessions::find(&tenant, token, surface, &self.policy, self.now()).await?;
        let (account, _) = accounts::get_account(&tenant, &record.user_id)
            .await?
            .ok_or(CoreError::Unauthenticated("user no longer exists"))?;
        if !account.active || account.session_epoch != record.epoch {
            return Err(CoreError::Unauthenticated("session was ended"));
        }
        let token = token.to_owned();
        self.context(tenant, account, record, token, surface).await
    }

    async fn context(
        &self,
        tenant: Tenant,
        account: StaffAccount,
        session: StaffSessionRecord,
        token: String,
        surface: Surface,
    ) -> Result<StaffContext, CoreError> {
        let (role, _) = accounts::get_role(&tenant, &account.role_id)
            .await?
            .ok_or_else(|| CoreError::Corrupt("user's role is missing".into()))?;
        let institution = accounts::get_institution(&tenant, &account.institution_id)
            .await?
            .ok_or_else(|| CoreError::Corrupt("user's institution is missing".into()))?;
        Ok(StaffContext {
            tenant,
            account,
            role,
            institution,
            session,
            token,
            surface,
        })
    }

    /// Re-authentication with the password or a TOTP code; counts failures like a login.
    pub async fn reauthenticate(
        &self,
        context: &StaffContext,
        proof: &Reauthentication,
        source: &str,
    ) -> Result<StaffSessionRecord, CoreError> {
        let tenant = &context.tenant;
        let source_key = self.source_counter_key(source).await?;
        let source_counter = Counter::source(self.platform.directory_store().as_ref(), &source_key);
        let account_counter = Counter::account(
            tenant.store.as_ref(),
            tenant.code.as_str(),
            &context.account.user_id,
        );
        self.check_delays(&account_counter, &source_counter).await?;
        let now = self.now();
        let (mut account, version) = accounts::get_account(tenant, &context.account.user_id)
            .await?
            .ok_or(CoreError::Unauthenticated("user no longer exists"))?;
        let ok = match (&proof.password, &proof.code) {
            (Some(password), _) if !password.is_empty() => account
                .password_hash
                .as_deref()
                .is_some_and(|hash| password::verify(password, hash)),
            (_, Some(code)) => {
                let ok = consume_totp(&mut account, code, now);
                if ok {
                    accounts::save_account(tenant, &account, Some(version))
                        .await
                        .map_err(|_| CoreError::Unauthenticated("code already used"))?;
                }
                ok
            }
            _ => false,
        };
        if !ok {
            account_counter.fail(now).await?;
            source_counter.fail(now).await?;
            return Err(CoreError::Unauthenticated("re-authentication failed"));
        }
        sessions::mark_reauthenticated(tenant, &context.token, &self.policy, now).await
    }

    pub async fn logout(&self, context: &StaffContext) -> Result<(), CoreError> {
        sessions::end(&context.tenant, &context.token).await
    }

    /// Ends every session of the user, on every device.
    pub async fn logout_everywhere(&self, context: &StaffContext) -> Result<(), CoreError> {
        end_all_sessions(&context.tenant, &context.account.user_id).await?;
        sessions::end(&context.tenant, &context.token).await
    }

    /// First use of an issued account: checks the one-time activation code, sets the password
    /// and starts TOTP enrollment. Returns the enrollment and the pending-enrollment cookie.
    pub async fn activate(
        &self,
        surface: Surface,
        activation: &Activation,
        source: &str,
    ) -> Result<(Enrollment, String), CoreError> {
        let source_key = self.source_counter_key(source).await?;
        let source_counter = Counter::source(self.platform.directory_store().as_ref(), &source_key);
        let tenant = self.known_tenant(&activation.municipality_code).await?;
        let account_store = tenant
            .as_ref()
            .map(|t| t.store.clone())
            .unwrap_or_else(|| self.platform.directory_store().clone());
        let user_id = activation.user_id.trim();
        let account_counter = Counter::account(
            account_store.as_ref(),
            activation.municipality_code.trim(),
            user_id,
        );
        self.check_delays(&account_counter, &source_counter).await?;
        let now = self.now();
        let found = match &tenant {
            Some(tenant) => accounts::get_account(tenant, user_id).await?,
            None => None,
        };
        let code_ok = found.as_ref().is_some_and(|(account, _)| {
            account.active
                && account.user_class == surface.user_class()
                && account.activation.as_ref().is_some_and(|a| {
                    now < a.expires_at
                        && constant_time_eq(
                            a.hash.as_bytes(),
                            sha256_hex(activation.activation_code.trim()).as_bytes(),
                        )
                })
        });
        let (Some(tenant), Some((mut account, version)), true) = (tenant, found, code_ok) else {
            account_counter.fail(now).await?;
            source_counter.fail(now).await?;
            return Err(CoreError::Unauthenticated("activation failed"));
        };
        password::check_new(&activation.new_password, &account.user_id)
            .map_err(|weakness| CoreError::Invalid(weakness.message()))?;
        let secret = totp::new_secret();
        account.password_hash = Some(password::hash(&activation.new_password)?);
        account.pending_totp_secret = Some(secret.clone());
        accounts::save_account(&tenant, &account, Some(version)).await?;
        let issuer = format!("予防接種システム {}", tenant.code.as_str());
        let uri = totp::otpauth_uri(&secret, &issuer, &account.user_id);
        let enrollment = Enrollment {
            secret: totp::base32(&secret),
            qr_svg: totp::qr_svg(&uri).unwrap_or_default(),
            otpauth_uri: uri,
        };
        let pending = PendingEnrollment {
            code: tenant.code.as_str().to_owned(),
            user_id: account.user_id.clone(),
            surface,
            expires_at: now + PENDING_ENROLLMENT_S,
        };
        Ok((
            enrollment,
            self.sealer.seal(PENDING_ENROLLMENT_AAD, &pending)?,
        ))
    }

    /// Who a pending-enrollment cookie is for.
    pub fn enrollment_subject(&self, cookie: &str) -> Option<LoginSubject> {
        let pending: PendingEnrollment = self.sealer.open(PENDING_ENROLLMENT_AAD, cookie).ok()?;
        Some(LoginSubject {
            municipality: MunicipalityCode::parse(&pending.code).ok(),
            user_id: pending.user_id,
        })
    }

    /// Finishes enrollment with the first code from the authenticator: the secret becomes the
    /// user's, the activation code is spent, and the recovery codes are returned (once).
    pub async fn confirm_enrollment(
        &self,
        surface: Surface,
        pending_cookie: Option<&str>,
        code: &str,
    ) -> Result<RecoveryCodes, CoreError> {
        let pending: PendingEnrollment = pending_cookie
            .and_then(|cookie| self.sealer.open(PENDING_ENROLLMENT_AAD, cookie).ok())
            .ok_or(CoreError::Unauthenticated("no enrollment in progress"))?;
        let now = self.now();
        if now >= pending.expires_at || pending.surface != surface {
            return Err(CoreError::Unauthenticated(
                "the enrollment expired; activate again",
            ));
        }
        let tenant = self
            .known_tenant(&pending.code)
            .await?
            .ok_or(CoreError::Unauthenticated("enrollment failed"))?;
        let (mut account, version) = accounts::get_account(&tenant, &pending.user_id)
            .await?
            .ok_or(CoreError::Unauthenticated("enrollment failed"))?;
        let secret = account
            .pending_totp_secret
            .clone()
            .ok_or(CoreError::Unauthenticated("no enrollment in progress"))?;
        let step = totp::matching_step(&secret, code, now).ok_or_else(|| {
            CoreError::Invalid(
                "確認コードが違います。認証アプリに表示されている6桁の数字を入力してください / the code does not match: enter the 6 digits your authenticator app shows now".into(),
            )
        })?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        account.totp_secret = Some(secret);
        account.totp_last_step = step;
        account.pending_totp_secret = None;
        account.activation = None;
        account.recovery_code_hashes = codes
            .iter()
            .map(|c| sha256_hex(&normalize_recovery(c)))
            .collect();
        accounts::save_account(&tenant, &account, Some(version)).await?;
        Ok(RecoveryCodes { codes })
    }
}

/// Ends every session of a user by moving their session epoch (sessions of the old epoch are
/// refused from the next request on and expire by TTL).
pub async fn end_all_sessions(tenant: &Tenant, user_id: &str) -> Result<(), CoreError> {
    for _ in 0..5 {
        let (mut account, version) = accounts::get_account(tenant, user_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        account.session_epoch += 1;
        match accounts::save_account(tenant, &account, Some(version)).await {
            Ok(()) => return Ok(()),
            Err(CoreError::Conflict(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(CoreError::Conflict("the user is being changed; try again"))
}

/// Accepts a TOTP code newer than the last one used, or an unused recovery code (spending it).
fn consume_second_factor(account: &mut StaffAccount, code: &str, now: u64) -> bool {
    consume_totp(account, code, now) || consume_recovery_code(account, code)
}

fn consume_totp(account: &mut StaffAccount, code: &str, now: u64) -> bool {
    let Some(secret) = &account.totp_secret else {
        return false;
    };
    match totp::matching_step(secret, code, now) {
        Some(step) if step > account.totp_last_step => {
            account.totp_last_step = step;
            true
        }
        _ => false,
    }
}

fn consume_recovery_code(account: &mut StaffAccount, code: &str) -> bool {
    let normalized = normalize_recovery(code);
    if normalized.len() != 8 {
        return false;
    }
    let hash = sha256_hex(&normalized);
    let before = account.recovery_code_hashes.len();
    account
        .recovery_code_hashes
        .retain(|stored| !constant_time_eq(stored.as_bytes(), hash.as_bytes()));
    account.recovery_code_hashes.len() < before
}

/// `xxxx-xxxx` from an alphabet without look-alikes (no 0/O, 1/I/L).
fn new_recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::thread_rng();
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
    }
    code
}

/// A one-time activation code: 16 characters from the same alphabet (80 bits).
pub fn new_activation_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
