//! The resident surface's use cases: log in through Mynaportal (as oneself, or as a proxy
//! for one's children), see one's vaccination records across every municipality that holds
//! them. Questionnaires are in `questionnaires::resident`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sesshu_crypto::KeyPurpose;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::dto::{self, MunicipalityRef, RecordDetail, RecordList};

use crate::digest::constant_time_eq;
use crate::directory::{Directory, Residence};
use crate::error::CoreError;
use crate::mynaportal_token::{Principal, TokenVerifier};
use crate::persons;
use crate::questionnaires::proxy;
use crate::records;
use crate::resident_view;
use crate::session::{
    LoginState, RESIDENT_SESSION_SECONDS, ResidentSession, SessionSealer, random_token,
};
use crate::tenancy::Platform;

pub struct ResidentService {
    platform: Arc<Platform>,
    directory: Directory,
    verifier: TokenVerifier,
    sealer: SessionSealer,
    municipalities: RwLock<HashMap<MunicipalityCode, (u64, MunicipalityRef)>>,
}

impl ResidentService {
    pub async fn new(platform: Arc<Platform>, verifier: TokenVerifier) -> Result<Self, CoreError> {
        let (_, key) = platform
            .platform_cipher()
            .keys()
            .current(KeyPurpose::Session)
            .await?;
        Ok(Self {
            directory: Directory::new(platform.directory_store().clone()),
            sealer: SessionSealer::new(&key),
            municipalities: RwLock::new(HashMap::new()),
            platform,
            verifier,
        })
    }

    /// The platform (tenants for the operation log).
    pub fn platform(&self) -> &Arc<Platform> {
        &self.platform
    }

    /// Starts a login: the state and nonce to send to Mynaportal and the sealed cookie that
    /// remembers them until the callback.
    pub fn begin_login(&self) -> Result<(LoginState, String), CoreError> {
        let state = LoginState::new(self.platform.clock.now_epoch_s());
        let cookie = self.sealer.seal_login_state(&state)?;
        Ok((state, cookie))
    }

    /// Completes a login from Mynaportal's callback: checks the state against the login cookie,
    /// verifies the ID token (signature, issuer, audience, expiry, nonce), links the pseudonym
    /// to the PMH key on first use, and issues a session.
    pub async fn complete_login(
        &self,
        id_token: &str,
        state: &str,
        login_cookie: Option<&str>,
    ) -> Result<(ResidentSession, String), CoreError> {
        let now = self.platform.clock.now_epoch_s();
        let expected = self.sealer.open_login_state(
            login_cookie.ok_or(CoreError::Unauthenticated("no login in progress"))?,
            now,
        )?;
        if !constant_time_eq(expected.state.as_bytes(), state.as_bytes()) {
            return Err(CoreError::Unauthenticated("login state does not match"));
        }
        let login = self
            .verifier
            .verify(id_token, now)
            .map_err(|_| CoreError::Unauthenticated("Mynaportal token is invalid"))?;
        if login.nonce.as_deref() != Some(expected.nonce.as_str()) {
            return Err(CoreError::Unauthenticated("login nonce does not match"));
        }
        let pmh_key = match self.directory.linked_key(&login.pseudonym).await? {
            Some(key) => key,
            None => {
                // First use: Mynaportal hands over the PMH key with the pseudonym.
                let key = login
                    .pmh_key
                    .clone()
                    .ok_or(CoreError::Unauthenticated("pseudonym is not linked yet"))?;
                self.directory
                    .link_pseudonym(&login.pseudonym, &key)
                    .await?;
                key
            }
        };
        let residences = self.directory.residences(&pmh_key).await?;
        let session_id = random_token();
        // A proxy login (Mynaportal's 代理人 function) names the resident and their principals;
        // only principals whose 保護者氏名 is that name and who are under 20 are accepted.
        let (principals, proxy_name_digest) = match &login.name {
            Some(name) if !login.principals.is_empty() => {
                let digest = proxy::name_digest(&session_id, name);
                let accepted = self
                    .accept_principals(&login.principals, &session_id, &digest, &residences)
                    .await?;
                (accepted, Some(digest))
            }
            _ => (Vec::new(), None),
        };
        let session = ResidentSession {
            session_id,
            pmh_key,
            residences,
            expires_at: now + RESIDENT_SESSION_SECONDS,
            pseudonym: Some(login.pseudonym.clone()),
            principals,
            proxy_name_digest,
        };
        let token = self.sealer.seal_session(&session)?;
        Ok((session, token))
    }

    /// The principals' residences the resident may act for: each principal's pseudonym is
    /// linked like the resident's own, and each of its residences is accepted if the person
    /// there names the resident as guardian and is under 20 today (Japan).
    async fn accept_principals(
        &self,
        principals: &[Principal],
        session_id: &str,
        digest: &str,
        own: &[Residence],
    ) -> Result<Vec<Residence>, CoreError> {
        let today = crate::questionnaires::japan_date(self.platform.clock.now());
        let mut accepted = Vec::new();
        for principal in principals {
            let key = match self.directory.linked_key(&principal.pseudonym).await? {
                Some(key) => key,
                None => match &principal.pmh_key {
                    // A principal that cannot be linked is left out; the login goes on.
                    Some(key) => match self
                        .directory
                        .link_pseudonym(&principal.pseudonym, key)
                        .await
                    {
                        Ok(()) => key.clone(),
                        Err(CoreError::Conflict(_)) => continue,
                        Err(other) => return Err(other),
                    },
                    None => continue,
                },
            };
            for residence in self.directory.residences(&key).await? {
                if own.contains(&residence) || accepted.contains(&residence) {
                    continue;
                }
                let tenant = self.platform.tenant(&residence.municipality)?;
                let Some((person, _)) = persons::get(&tenant, &residence.subject_no).await? else {
                    continue;
                };
                if proxy::may_act_for(&person, session_id, digest, today) {
                    accepted.push(residence);
                }
            }
        }
        Ok(accepted)
    }

    /// The session behind a token, if valid and unexpired.
    pub fn authenticate(&self, token: &str) -> Result<ResidentSession, CoreError> {
        self.sealer
            .open_session(token, self.platform.clock.now_epoch_s())
    }

    pub async fn session_info(
        &self,
        session: &ResidentSession,
    ) -> Result<dto::ResidentSession, CoreError> {
        let mut municipalities = Vec::new();
        for residence in &session.residences {
            municipalities.push(self.municipality_ref(&residence.municipality).await?);
        }
        Ok(dto::ResidentSession {
            expires_in_s: session
                .expires_at
                .saturating_sub(self.platform.clock.now_epoch_s()),
            municipalities,
        })
    }

    /// The resident's records from every municipality, newest first. A municipality where the
    /// person's data is hidden by a control flag contributes nothing.
    pub async fn records(&self, session: &ResidentSession) -> Result<RecordList, CoreError> {
        let mut list = Vec::new();
        for residence in &session.residences {
            let tenant = self.platform.tenant(&residence.municipality)?;
            let Some(view) = resident_view::load(&tenant, &residence.subject_no).await? else {
                continue;
            };
            if view.hidden {
                continue;
            }
            let municipality = self.municipality_ref(&residence.municipality).await?;
            for entry in view.records {
                let id = public_record_id(&residence.municipality, &entry.record_id);
                list.push(entry.into_summary(id, municipality.clone()));
            }
        }
        list.sort_by(|a, b| {
            b.vaccinated_on
                .cmp(&a.vaccinated_on)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(RecordList { records: list })
    }

    /// One record by its public id; anything not this resident's (or hidden) is `NotFound`.
    pub async fn record(
        &self,
        session: &ResidentSession,
        public_id: &str,
    ) -> Result<RecordDetail, CoreError> {
        let (code, record_id) = parse_public_record_id(public_id).ok_or(CoreError::NotFound)?;
        // The municipality must be one of the session's own: the id alone grants nothing.
        let residence = session
            .residences
            .iter()
            .find(|r| r.municipality == code)
            .ok_or(CoreError::NotFound)?;
        let tenant = self.platform.tenant(&residence.municipality)?;
        let visible = resident_view::load(&tenant, &residence.subject_no)
            .await?
            .is_some_and(|view| !view.hidden);
        if !visible {
            return Err(CoreError::NotFound);
        }
        let record = records::get(&tenant, &residence.subject_no, record_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let municipality = self.municipality_ref(&code).await?;
        Ok(record.to_detail(public_id.to_owned(), municipality))
    }

    /// A municipality's code and name, from the directory; cached for a few minutes, since
    /// every records request needs it and it changes about once a decade.
    pub async fn municipality_ref(
        &self,
        code: &MunicipalityCode,
    ) -> Result<MunicipalityRef, CoreError> {
        let now = self.platform.clock.now_epoch_s();
        if let Ok(cache) = self.municipalities.read()
            && let Some((fetched_at, municipality)) = cache.get(code)
            && now.saturating_sub(*fetched_at) < MUNICIPALITY_CACHE_SECONDS
        {
            return Ok(municipality.clone());
        }
        let municipality = self
            .directory
            .municipality(code)
            .await?
            .ok_or_else(|| CoreError::Corrupt("municipality missing from directory".into()))?;
        if let Ok(mut cache) = self.municipalities.write() {
            cache.insert(code.clone(), (now, municipality.clone()));
        }
        Ok(municipality)
    }
}

const MUNICIPALITY_CACHE_SECONDS: u64 = 300;

/// The id residents see: `<municipality code>-<record id>`.
pub fn public_record_id(code: &MunicipalityCode, record_id: &str) -> String {
    format!("{}-{record_id}", code.as_str())
}

fn parse_public_record_id(public_id: &str) -> Option<(MunicipalityCode, &str)> {
    let (code, record_id) = public_id.split_once('-')?;
    let code = MunicipalityCode::parse(code).ok()?;
    let valid = !record_id.is_empty()
        && record_id.len() <= 64
        && record_id.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then_some((code, record_id))
}
