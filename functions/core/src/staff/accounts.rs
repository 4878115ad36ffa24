//! Staff accounts (機関ユーザー), roles, institutions (機関マスタ), account requests (申請) and
//! access reviews of one municipality, stored in its own table.
//!
//! | pk | sk | item |
//! |---|---|---|
//! | `USERS` | user id | sealed [`StaffAccount`] (e-mail, name and secrets encrypted) |
//! | `ROLES` | role id | a custom role (signed) |
//! | `INSTITUTIONS` | institution id | a department or clinic (signed) |
//! | `REQUESTS` | request id | sealed account request |
//! | `REVIEWS` | zero-padded epoch seconds | an access review that was done (signed) |
//!
//! Staff are a few hundred per municipality: one partition each lists them in one query.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::staff::{
    AccountRequestInput, Duty, Institution, InstitutionKind, Permission, RequestStatus, Role,
    UserClass,
};
use sesshu_store::{AttrValue, Condition, Item, Key, Query, StoreError, Write};

use crate::error::CoreError;
use crate::tenancy::Tenant;

const USERS: &str = "USERS";
const ROLES: &str = "ROLES";
const INSTITUTIONS: &str = "INSTITUTIONS";
const REQUESTS: &str = "REQUESTS";
const REVIEWS: &str = "REVIEWS";

const ACCOUNT_SCHEMA: Schema = Schema {
    name: "staff_account",
    version: 1,
    attributes: &[("account", Protection::EncryptAndSign)],
};
const REQUEST_SCHEMA: Schema = Schema {
    name: "account_request",
    version: 1,
    attributes: &[("request", Protection::EncryptAndSign)],
};
const ROLE_SCHEMA: Schema = Schema {
    name: "staff_role",
    version: 1,
    attributes: &[("role", Protection::SignOnly)],
};
const INSTITUTION_SCHEMA: Schema = Schema {
    name: "institution",
    version: 1,
    attributes: &[("institution", Protection::SignOnly)],
};
const REVIEW_SCHEMA: Schema = Schema {
    name: "access_review",
    version: 1,
    attributes: &[("review", Protection::SignOnly)],
};

/// A one-time code that lets a newly issued user set their password and enroll TOTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationCode {
    /// SHA-256 of the code, hex.
    pub hash: String,
    pub expires_at: u64,
}

/// One staff account with its credentials. Stored sealed: nothing in it is readable without the
/// municipality's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub user_class: UserClass,
    pub institution_id: String,
    pub role_id: String,
    pub can_view_my_number: bool,
    pub active: bool,
    pub created_at: u64,
    pub last_login_at: Option<u64>,
    /// argon2id PHC string; `None` until activation.
    pub password_hash: Option<String>,
    pub totp_secret: Option<Vec<u8>>,
    /// The last TOTP step accepted: codes at or before it are replays.
    pub totp_last_step: u64,
    /// A secret shown for enrollment, until the first code confirms it.
    pub pending_totp_secret: Option<Vec<u8>>,
    /// SHA-256 (hex) of each unused recovery code.
    pub recovery_code_hashes: Vec<String>,
    pub activation: Option<ActivationCode>,
    /// Bumped to end every session of the user at once (log out everywhere, deactivation).
    pub session_epoch: u64,
    /// The request the account was issued on.
    pub request_id: Option<String>,
}

impl StaffAccount {
    pub fn mfa_enrolled(&self) -> bool {
        self.totp_secret.is_some()
    }

    pub fn to_dto(&self) -> sesshu_domain::staff::User {
        sesshu_domain::staff::User {
            user_id: self.user_id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            user_class: self.user_class,
            institution_id: self.institution_id.clone(),
            role_id: self.role_id.clone(),
            can_view_my_number: self.can_view_my_number,
            active: self.active,
            mfa_enrolled: self.mfa_enrolled(),
            created_at: rfc3339(self.created_at),
            last_login_at: self.last_login_at.map(rfc3339),
        }
    }
}

/// An account request and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRequest {
    pub request_id: String,
    pub requested_by: String,
    pub requested_at: u64,
    pub account: AccountRequestInput,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<u64>,
    pub decision_note: Option<String>,
}

impl StoredRequest {
    pub fn to_dto(&self) -> sesshu_domain::staff::AccountRequest {
        sesshu_domain::staff::AccountRequest {
            request_id: self.request_id.clone(),
            requested_by: self.requested_by.clone(),
            requested_at: rfc3339(self.requested_at),
            account: self.account.clone(),
            status: self.status,
            decided_by: self.decided_by.clone(),
            decided_at: self.decided_at.map(rfc3339),
            decision_note: self.decision_note.clone(),
        }
    }
}

/// A completed access review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReview {
    pub reviewed_by: String,
    pub reviewed_at: u64,
    pub note: String,
}

/// RFC 3339 UTC with seconds, e.g. `2026-11-25T09:30:00Z`.
pub fn rfc3339(epoch_s: u64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(epoch_s as i64) else {
        return String::new();
    };
    let (year, month, day) = (at.year(), at.month() as u8, at.day());
    let (hour, minute, second) = (at.hour(), at.minute(), at.second());
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// Checks a user id: 3–32 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn validate_user_id(user_id: &str) -> Result<(), CoreError> {
    let valid = (3..=32).contains(&user_id.len())
        && user_id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && user_id
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(CoreError::Invalid(
            "ユーザーIDは英小文字・数字・「.」「_」「-」の3〜32文字で、英数字で始めてください / the user id must be 3–32 of a–z, 0–9, '.', '_' or '-', starting with a letter or digit".into(),
        ))
    }
}

// --- generic sealed JSON items ---------------------------------------------------------------

async fn get_json<T: DeserializeOwned>(
    tenant: &Tenant,
    schema: &Schema,
    attribute: &str,
    key: &Key,
) -> Result<Option<(T, u64)>, CoreError> {
    let Some(item) = tenant.store.get(key).await? else {
        return Ok(None);
    };
    decode(tenant, schema, attribute, item).await.map(Some)
}

async fn decode<T: DeserializeOwned>(
    tenant: &Tenant,
    schema: &Schema,
    attribute: &str,
    item: Item,
) -> Result<(T, u64), CoreError> {
    let version = item.version;
    let opened = tenant.cipher.open(schema, item).await?;
    let body = opened
        .get(attribute)
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt(format!("{} body", schema.name)))?;
    // serde errors may quote values: never pass them on.
    let value = serde_json::from_str(body)
        .map_err(|_| CoreError::Corrupt(format!("{} does not decode", schema.name)))?;
    Ok((value, version))
}

async fn list_json<T: DeserializeOwned>(
    tenant: &Tenant,
    schema: &Schema,
    attribute: &str,
    pk: &str,
) -> Result<Vec<T>, CoreError> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = tenant
            .store
            .query(&Query::prefix(pk, "").limit(500).after(cursor))
            .await?;
        for item in page.items {
            all.push(decode(tenant, schema, attribute, item).await?.0);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// The write storing `value`, replacing `read_version` (`None`: must not exist yet).
async fn put_write<T: Serialize>(
    tenant: &Tenant,
    schema: &Schema,
    attribute: &str,
    key: Key,
    value: &T,
    read_version: Option<u64>,
) -> Result<Write, CoreError> {
    let body = serde_json::to_string(value)
        .map_err(|_| CoreError::Corrupt(format!("{} does not encode", schema.name)))?;
    let sealed = tenant
        .cipher
        .seal(schema, Item::new(key).with(attribute, AttrValue::S(body)))
        .await?;
    Ok(match read_version {
        Some(version) => Write::Put {
            item: sealed.with_version(version + 1),
            condition: Condition::VersionIs(version),
        },
        None => Write::Put {
            item: sealed,
            condition: Condition::MustNotExist,
        },
    })
}

async fn commit(
    tenant: &Tenant,
    writes: Vec<Write>,
    conflict: &'static str,
) -> Result<(), CoreError> {
    tenant.store.transact(writes).await.map_err(|e| match e {
        StoreError::ConditionFailed { .. } => CoreError::Conflict(conflict),
        other => other.into(),
    })
}

// --- accounts --------------------------------------------------------------------------------

pub async fn get_account(
    tenant: &Tenant,
    user_id: &str,
) -> Result<Option<(StaffAccount, u64)>, CoreError> {
    if validate_user_id(user_id).is_err() {
        return Ok(None);
    }
    get_json(
        tenant,
        &ACCOUNT_SCHEMA,
        "account",
        &Key::new(USERS, user_id),
    )
    .await
}

pub async fn account_write(
    tenant: &Tenant,
    account: &StaffAccount,
    read_version: Option<u64>,
) -> Result<Write, CoreError> {
    put_write(
        tenant,
        &ACCOUNT_SCHEMA,
        "account",
        Key::new(USERS, &account.user_id),
        account,
        read_version,
    )
    .await
}

/// Stores the account if nobody changed it since `read_version` was read.
pub async fn save_account(
    tenant: &Tenant,
    account: &StaffAccount,
    read_version: Option<u64>,
) -> Result<(), CoreError> {
    let write = account_write(tenant, account, read_version).await?;
    commit(
        tenant,
        vec![write],
        "the user was changed meanwhile; reload and try again",
    )
    .await
}

/// The uniqueness item of a staff e-mail address (`EMAIL#<HMAC>`): written with the account
/// under a must-not-exist condition, so two accounts can never share an address. Addresses are
/// compared case-insensitively.
pub async fn email_index_write(
    tenant: &Tenant,
    email: &str,
    user_id: &str,
) -> Result<Write, CoreError> {
    let key = email_index_key(tenant, email).await?;
    Ok(Write::Put {
        item: Item::new(key).with("user_id", AttrValue::S(user_id.to_owned())),
        condition: Condition::MustNotExist,
    })
}

async fn email_index_key(tenant: &Tenant, email: &str) -> Result<Key, CoreError> {
    let mac = tenant
        .cipher
        .blind_index("staff_email", email.trim().to_lowercase().as_bytes())
        .await?;
    Ok(Key::new(format!("EMAIL#{mac}"), "EMAIL"))
}

/// Whether an account already uses this e-mail address.
pub async fn email_taken(tenant: &Tenant, email: &str) -> Result<bool, CoreError> {
    Ok(tenant
        .store
        .get(&email_index_key(tenant, email).await?)
        .await?
        .is_some())
}

pub async fn list_accounts(tenant: &Tenant) -> Result<Vec<StaffAccount>, CoreError> {
    list_json(tenant, &ACCOUNT_SCHEMA, "account", USERS).await
}

// --- roles -----------------------------------------------------------------------------------

fn builtin(role_id: &str, name_ja: &str, name_en: &str, permissions: &[Permission]) -> Role {
    Role {
        role_id: role_id.to_owned(),
        name_ja: name_ja.to_owned(),
        name_en: name_en.to_owned(),
        permissions: permissions.to_vec(),
        builtin: true,
    }
}

/// The roles every municipality starts with.
pub fn builtin_roles() -> Vec<Role> {
    use Permission::*;
    vec![
        builtin(
            "administrator",
            "システム管理者",
            "Administrator",
            &[
                ViewPersons,
                EditPersons,
                Import,
                ViewMyNumber,
                ManageTemplates,
                ManageUsers,
                ViewAuditLog,
                Export,
                ManageClaims,
                ManageRecommendations,
            ],
        ),
        builtin(
            "officer",
            "担当者",
            "Officer",
            &[
                ViewPersons,
                EditPersons,
                Import,
                ViewMyNumber,
                ManageTemplates,
                Export,
            ],
        ),
        builtin("viewer", "閲覧者", "Viewer", &[ViewPersons]),
        builtin(
            "claims",
            "請求担当",
            "Claims officer",
            &[ViewPersons, ManageClaims],
        ),
        builtin("auditor", "監査担当", "Auditor", &[ViewAuditLog]),
        builtin(
            "clinic_reception",
            "医療機関 受付",
            "Clinic reception",
            &[ReadQuestionnaire],
        ),
        builtin(
            "clinic_nurse",
            "医療機関 看護師",
            "Clinic nurse",
            &[ReadQuestionnaire, RecordVaccination],
        ),
        builtin(
            "clinic_doctor",
            "医療機関 医師",
            "Clinic doctor",
            &[ReadQuestionnaire, RecordVaccination],
        ),
    ]
}

pub async fn get_role(tenant: &Tenant, role_id: &str) -> Result<Option<(Role, u64)>, CoreError> {
    if let Some(role) = builtin_roles().into_iter().find(|r| r.role_id == role_id) {
        return Ok(Some((role, 0)));
    }
    if validate_user_id(role_id).is_err() {
        return Ok(None);
    }
    get_json(tenant, &ROLE_SCHEMA, "role", &Key::new(ROLES, role_id)).await
}

pub async fn list_roles(tenant: &Tenant) -> Result<Vec<Role>, CoreError> {
    let mut roles = builtin_roles();
    roles.extend(list_json::<Role>(tenant, &ROLE_SCHEMA, "role", ROLES).await?);
    Ok(roles)
}

/// Stores a custom role; builtin ids are refused.
pub async fn save_role(
    tenant: &Tenant,
    role: &Role,
    read_version: Option<u64>,
) -> Result<(), CoreError> {
    if builtin_roles().iter().any(|r| r.role_id == role.role_id) || role.builtin {
        return Err(CoreError::Conflict(
            "builtin roles cannot be changed; copy one instead",
        ));
    }
    let write = put_write(
        tenant,
        &ROLE_SCHEMA,
        "role",
        Key::new(ROLES, &role.role_id),
        role,
        read_version,
    )
    .await?;
    commit(
        tenant,
        vec![write],
        "the role was changed meanwhile; reload and try again",
    )
    .await
}

/// Whether a role fits a class of user: clinic users only clinic permissions, municipal staff
/// none of them.
pub fn role_fits(role: &Role, class: UserClass) -> bool {
    !role.permissions.is_empty()
        && role.permissions.iter().all(|p| match class {
            UserClass::ClinicStaff => p.is_clinic(),
            UserClass::MunicipalStaff => !p.is_clinic(),
        })
}

// --- institutions ----------------------------------------------------------------------------

pub async fn get_institution(
    tenant: &Tenant,
    institution_id: &str,
) -> Result<Option<Institution>, CoreError> {
    if institution_id.is_empty() || institution_id.len() > 32 {
        return Ok(None);
    }
    Ok(get_json(
        tenant,
        &INSTITUTION_SCHEMA,
        "institution",
        &Key::new(INSTITUTIONS, institution_id),
    )
    .await?
    .map(|(institution, _)| institution))
}

pub async fn list_institutions(tenant: &Tenant) -> Result<Vec<Institution>, CoreError> {
    list_json(tenant, &INSTITUTION_SCHEMA, "institution", INSTITUTIONS).await
}

/// Adds an institution; an existing id is refused.
pub async fn add_institution(tenant: &Tenant, institution: &Institution) -> Result<(), CoreError> {
    let valid_id = !institution.institution_id.is_empty()
        && institution.institution_id.len() <= 32
        && institution
            .institution_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !valid_id {
        return Err(CoreError::Invalid(
            "institution id: 1–32 of A–Z, a–z, 0–9, '-'".into(),
        ));
    }
    match (institution.kind, &institution.institution_code) {
        (InstitutionKind::Clinic, Some(code)) => {
            sesshu_domain::InstitutionCode::parse(code).map_err(|e| {
                CoreError::Invalid(format!(
                    "医療機関コードが正しくありません / institution code: {e}"
                ))
            })?;
        }
        (InstitutionKind::Clinic, None) => {
            return Err(CoreError::Invalid(
                "a clinic needs its 10-digit 医療機関コード".into(),
            ));
        }
        (InstitutionKind::Department, _) => {}
    }
    let write = put_write(
        tenant,
        &INSTITUTION_SCHEMA,
        "institution",
        Key::new(INSTITUTIONS, &institution.institution_id),
        institution,
        None,
    )
    .await?;
    commit(tenant, vec![write], "an institution with this id exists").await
}

/// Whether an institution fits a class of user: departments for municipal staff, clinics for
/// clinic staff.
pub fn institution_fits(institution: &Institution, class: UserClass) -> bool {
    matches!(
        (institution.kind, class),
        (InstitutionKind::Department, UserClass::MunicipalStaff)
            | (InstitutionKind::Clinic, UserClass::ClinicStaff)
    )
}

/// The duties of a user's institution (none for clinics).
pub fn duties_of(institution: &Institution) -> Vec<Duty> {
    match institution.kind {
        InstitutionKind::Department => institution.duties.clone(),
        InstitutionKind::Clinic => Vec::new(),
    }
}

// --- requests --------------------------------------------------------------------------------

pub async fn get_request(
    tenant: &Tenant,
    request_id: &str,
) -> Result<Option<(StoredRequest, u64)>, CoreError> {
    if request_id.is_empty()
        || request_id.len() > 40
        || !request_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Ok(None);
    }
    get_json(
        tenant,
        &REQUEST_SCHEMA,
        "request",
        &Key::new(REQUESTS, request_id),
    )
    .await
}

pub async fn request_write(
    tenant: &Tenant,
    request: &StoredRequest,
    read_version: Option<u64>,
) -> Result<Write, CoreError> {
    put_write(
        tenant,
        &REQUEST_SCHEMA,
        "request",
        Key::new(REQUESTS, &request.request_id),
        request,
        read_version,
    )
    .await
}

pub async fn list_requests(tenant: &Tenant) -> Result<Vec<StoredRequest>, CoreError> {
    let mut requests: Vec<StoredRequest> =
        list_json(tenant, &REQUEST_SCHEMA, "request", REQUESTS).await?;
    requests.sort_by(|a, b| {
        b.requested_at
            .cmp(&a.requested_at)
            .then(b.request_id.cmp(&a.request_id))
    });
    Ok(requests)
}

/// Stores writes (e.g. a decided request and the account it issues) all or nothing.
pub async fn commit_all(
    tenant: &Tenant,
    writes: Vec<Write>,
    conflict: &'static str,
) -> Result<(), CoreError> {
    commit(tenant, writes, conflict).await
}

// --- access reviews --------------------------------------------------------------------------

pub async fn record_review(tenant: &Tenant, review: &StoredReview) -> Result<(), CoreError> {
    let write = put_write(
        tenant,
        &REVIEW_SCHEMA,
        "review",
        Key::new(REVIEWS, format!("{:012}", review.reviewed_at)),
        review,
        None,
    )
    .await?;
    commit(
        tenant,
        vec![write],
        "a review was recorded at the same second; try again",
    )
    .await
}

pub async fn last_review(tenant: &Tenant) -> Result<Option<StoredReview>, CoreError> {
    let reviews: Vec<StoredReview> = list_json(tenant, &REVIEW_SCHEMA, "review", REVIEWS).await?;
    Ok(reviews.into_iter().max_by_key(|r| r.reviewed_at))
}

/// The municipality's administrators (active users whose role may manage users): who hears of
/// intrusion alerts.
pub struct AdministratorDirectory;

#[async_trait::async_trait]
impl crate::alerts::Administrators for AdministratorDirectory {
    async fn administrators(&self, tenant: &Tenant) -> Result<Vec<String>, CoreError> {
        let roles = list_roles(tenant).await?;
        let managing: Vec<&str> = roles
            .iter()
            .filter(|r| r.permissions.contains(&Permission::ManageUsers))
            .map(|r| r.role_id.as_str())
            .collect();
        Ok(list_accounts(tenant)
            .await?
            .into_iter()
            .filter(|a| a.active && managing.contains(&a.role_id.as_str()))
            .map(|a| a.user_id)
            .collect())
    }
}
