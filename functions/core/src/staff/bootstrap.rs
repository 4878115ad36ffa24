//! A municipality's first administrator, created by the operator once when the municipality
//! goes live; every later account goes through a request and an approval (see `admin`).

use sesshu_domain::staff::{Duty, Institution, InstitutionKind, Issued, UserClass};

use crate::audit::AuditEvent;
use crate::error::CoreError;
use crate::tenancy::Tenant;

use super::accounts::{self, ActivationCode, StaffAccount, rfc3339};
use super::admin::ACTIVATION_S;
use super::auth::new_activation_code;
use crate::digest::sha256_hex;

/// The department the first administrator belongs to until they set up the real ones.
pub const FIRST_DEPARTMENT: &str = "D-ADMIN";

/// Who the operator names as the first administrator.
#[derive(Debug, Clone)]
pub struct FirstAdministrator {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// Creates the first administrator (role `administrator`, without the My Number right, which
/// a second administrator can grant) with a one-time activation code; refused once the
/// municipality has any user. Returns the code (shown once) and the operation-log event.
pub async fn first_administrator(
    tenant: &Tenant,
    who: &FirstAdministrator,
    now: u64,
) -> Result<(Issued, AuditEvent), CoreError> {
    accounts::validate_user_id(&who.user_id)?;
    if who.name.trim().is_empty() || !who.email.contains('@') {
        return Err(CoreError::Invalid(
            "give the administrator's name and e-mail address".into(),
        ));
    }
    if !accounts::list_accounts(tenant).await?.is_empty() {
        return Err(CoreError::Conflict(
            "this municipality already has users: its administrators issue accounts on request",
        ));
    }
    if accounts::get_institution(tenant, FIRST_DEPARTMENT)
        .await?
        .is_none()
    {
        accounts::add_institution(
            tenant,
            &Institution {
                institution_id: FIRST_DEPARTMENT.to_owned(),
                kind: InstitutionKind::Department,
                name: "システム管理".to_owned(),
                duties: Duty::ALL.to_vec(),
                institution_code: None,
            },
        )
        .await?;
    }
    let code = new_activation_code();
    let account = StaffAccount {
        user_id: who.user_id.clone(),
        email: who.email.trim().to_owned(),
        name: who.name.trim().to_owned(),
        user_class: UserClass::MunicipalStaff,
        institution_id: FIRST_DEPARTMENT.to_owned(),
        role_id: "administrator".to_owned(),
        can_view_my_number: false,
        active: true,
        created_at: now,
        last_login_at: None,
        password_hash: None,
        totp_secret: None,
        totp_last_step: 0,
        pending_totp_secret: None,
        recovery_code_hashes: Vec::new(),
        activation: Some(ActivationCode {
            hash: sha256_hex(&code),
            expires_at: now + ACTIVATION_S,
        }),
        session_epoch: 0,
        request_id: None,
    };
    let writes = vec![
        accounts::account_write(tenant, &account, None).await?,
        accounts::email_index_write(tenant, &account.email, &account.user_id).await?,
    ];
    accounts::commit_all(tenant, writes, "the user id or e-mail address is taken").await?;
    let event = AuditEvent::new(
        "system:bootstrap",
        "operator",
        "jobs",
        "user.bootstrap_administrator",
        sesshu_domain::staff::Outcome::Allowed,
        "-",
    )
    .with_reason(format!("issued:{}", account.user_id));
    Ok((
        Issued {
            user_id: account.user_id,
            activation_code: code,
            activation_expires_at: rfc3339(now + ACTIVATION_S),
        },
        event,
    ))
}
