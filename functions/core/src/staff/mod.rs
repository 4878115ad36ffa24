//! Municipal staff and clinic users: accounts issued on approved requests, argon2id passwords
//! with TOTP, lockout, server-side sessions, permissions by role and scoping by the duties of
//! the user's department.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod bootstrap;
pub mod lockout;
pub mod network;
pub mod password;
pub mod persons_admin;
pub mod sessions;
pub mod totp;

use serde::{Deserialize, Serialize};
use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::staff::{Duty, Institution, Permission, Role, StaffSession, UserClass};

use crate::error::CoreError;
use crate::tenancy::Tenant;
use accounts::StaffAccount;
use sessions::{SessionPolicy, StaffSessionRecord};

/// Which staff surface a request came to; each user class has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    Admin,
    Clinic,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Clinic => "clinic",
        }
    }

    /// The class of user who may log in here.
    pub fn user_class(self) -> UserClass {
        match self {
            Self::Admin => UserClass::MunicipalStaff,
            Self::Clinic => UserClass::ClinicStaff,
        }
    }
}

/// An authenticated staff request: the verified session, the user as stored now (so a role
/// change or deactivation applies to the next request), their role and institution.
#[derive(Clone)]
pub struct StaffContext {
    pub tenant: Tenant,
    pub account: StaffAccount,
    pub role: Role,
    pub institution: Institution,
    pub session: StaffSessionRecord,
    /// The session token, to mark re-authentication or end the session.
    pub token: String,
    pub surface: Surface,
}

impl StaffContext {
    /// The operation log's actor: `staff:<user id>`.
    pub fn actor(&self) -> String {
        format!("staff:{}", self.account.user_id)
    }

    pub fn has(&self, permission: Permission) -> bool {
        self.role.permissions.contains(&permission)
    }

    /// `Forbidden` (logged with the missing permission) unless the role grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), CoreError> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!(
                "missing_permission:{}",
                permission.code()
            )))
        }
    }

    /// The duties (vaccination programmes) the user's department owns.
    pub fn duties(&self) -> Vec<Duty> {
        accounts::duties_of(&self.institution)
    }

    /// Whether a re-authentication happened within the policy's window.
    pub fn reauthenticated(&self, now: u64, policy: &SessionPolicy) -> bool {
        self.session
            .reauthenticated_at
            .is_some_and(|at| now < at + policy.reauth_s)
    }

    /// `ReauthenticationRequired` unless [`Self::reauthenticated`].
    pub fn require_reauthentication(
        &self,
        now: u64,
        policy: &SessionPolicy,
    ) -> Result<(), CoreError> {
        if self.reauthenticated(now, policy) {
            Ok(())
        } else {
            Err(CoreError::ReauthenticationRequired)
        }
    }

    pub fn to_dto(
        &self,
        municipality: MunicipalityRef,
        now: u64,
        policy: &SessionPolicy,
    ) -> StaffSession {
        let idle_ends = self.session.last_seen.max(now) + policy.idle_s;
        let absolute_ends = self.session.created_at + policy.absolute_s;
        StaffSession {
            user_id: self.account.user_id.clone(),
            name: self.account.name.clone(),
            user_class: self.account.user_class,
            municipality,
            institution_id: self.institution.institution_id.clone(),
            institution_name: self.institution.name.clone(),
            role_id: self.role.role_id.clone(),
            role_name_ja: self.role.name_ja.clone(),
            role_name_en: self.role.name_en.clone(),
            permissions: self.role.permissions.clone(),
            can_view_my_number: self.account.can_view_my_number,
            duties: self.duties(),
            idle_expires_in_s: idle_ends.min(absolute_ends).saturating_sub(now),
            absolute_expires_in_s: absolute_ends.saturating_sub(now),
            reauthenticated_for_s: self
                .session
                .reauthenticated_at
                .map(|at| (at + policy.reauth_s).saturating_sub(now))
                .unwrap_or(0),
        }
    }
}
