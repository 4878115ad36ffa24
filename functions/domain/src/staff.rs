//! Staff (municipal officers, clinic staff): permissions, duties, roles, accounts, the operation
//! log and alerts — the wire types of the admin and clinic surfaces, shared with the staff app.
//!
//! Never My Number here except in [`MyNumberReveal`], which only the reveal endpoint returns.

use serde::{Deserialize, Serialize};

use crate::dto::MunicipalityRef;

/// A named right a role grants. Checked on the server for every staff request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ViewPersons,
    EditPersons,
    Import,
    /// Also needs the user's own `can_view_my_number` flag and a fresh re-authentication.
    ViewMyNumber,
    ManageTemplates,
    ManageUsers,
    ViewAuditLog,
    Export,
    ManageClaims,
    /// Clinic: read a pre-vaccination questionnaire.
    ReadQuestionnaire,
    /// Clinic: record the doctor's judgement and the vaccination.
    RecordVaccination,
    /// Edit the recommendation rules and notice texts (勧奨ルール・勧奨文).
    ManageRecommendations,
}

impl Permission {
    pub const ALL: [Self; 12] = [
        Self::ViewPersons,
        Self::EditPersons,
        Self::Import,
        Self::ViewMyNumber,
        Self::ManageTemplates,
        Self::ManageUsers,
        Self::ViewAuditLog,
        Self::Export,
        Self::ManageClaims,
        Self::ReadQuestionnaire,
        Self::RecordVaccination,
        Self::ManageRecommendations,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ViewPersons => "view_persons",
            Self::EditPersons => "edit_persons",
            Self::Import => "import",
            Self::ViewMyNumber => "view_my_number",
            Self::ManageTemplates => "manage_templates",
            Self::ManageUsers => "manage_users",
            Self::ViewAuditLog => "view_audit_log",
            Self::Export => "export",
            Self::ManageClaims => "manage_claims",
            Self::ReadQuestionnaire => "read_questionnaire",
            Self::RecordVaccination => "record_vaccination",
            Self::ManageRecommendations => "manage_recommendations",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::ViewPersons => "対象者の閲覧",
            Self::EditPersons => "対象者の登録・修正",
            Self::Import => "対象者の取込",
            Self::ViewMyNumber => "個人番号の閲覧",
            Self::ManageTemplates => "予診票ひな形の管理",
            Self::ManageUsers => "ユーザーの管理",
            Self::ViewAuditLog => "操作ログの閲覧",
            Self::Export => "データの出力",
            Self::ManageClaims => "請求・支払の管理",
            Self::ReadQuestionnaire => "予診票の閲覧（医療機関）",
            Self::RecordVaccination => "接種の記録（医療機関）",
            Self::ManageRecommendations => "接種勧奨ルールの管理",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::ViewPersons => "View target persons",
            Self::EditPersons => "Register and edit target persons",
            Self::Import => "Import target persons",
            Self::ViewMyNumber => "View My Number",
            Self::ManageTemplates => "Manage questionnaire templates",
            Self::ManageUsers => "Manage users",
            Self::ViewAuditLog => "View the operation log",
            Self::Export => "Export data",
            Self::ManageClaims => "Manage claims and payments",
            Self::ReadQuestionnaire => "Read questionnaires (clinic)",
            Self::RecordVaccination => "Record vaccinations (clinic)",
            Self::ManageRecommendations => "Manage recommendation rules",
        }
    }

    /// Permissions only clinic users may hold (and clinic users hold no others).
    pub fn is_clinic(self) -> bool {
        matches!(self, Self::ReadQuestionnaire | Self::RecordVaccination)
    }
}

/// 所掌事務: a vaccination programme a department owns. Staff see only the persons and
/// vaccinations of their department's duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// A類: the routine vaccinations of infants, children and adolescents (incl. HPV).
    ChildRoutine,
    /// B類: influenza, pneumococcal, herpes zoster and COVID-19 for older people.
    ElderlyRoutine,
    /// 任意接種 the municipality subsidises.
    Voluntary,
}

impl Duty {
    pub const ALL: [Self; 3] = [Self::ChildRoutine, Self::ElderlyRoutine, Self::Voluntary];

    pub fn code(self) -> &'static str {
        match self {
            Self::ChildRoutine => "child_routine",
            Self::ElderlyRoutine => "elderly_routine",
            Self::Voluntary => "voluntary",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::ChildRoutine => "小児の定期接種（A類）",
            Self::ElderlyRoutine => "高齢者等の定期接種（B類）",
            Self::Voluntary => "任意接種（助成）",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::ChildRoutine => "Routine vaccinations of children (category A)",
            Self::ElderlyRoutine => "Routine vaccinations of older people (category B)",
            Self::Voluntary => "Subsidised voluntary vaccinations",
        }
    }
}

/// 機関ユーザー区分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserClass {
    /// 自治体職員: uses the admin surface.
    MunicipalStaff,
    /// 医療機関職員: uses the clinic surface.
    ClinicStaff,
}

/// 機関の種別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    /// A department (課) of the municipality.
    Department,
    /// A clinic (医療機関) contracted by the municipality.
    Clinic,
}

/// 機関マスタ: a department or a clinic of one municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Institution {
    /// e.g. `D01` for a department, `C0110113719` for a clinic.
    pub institution_id: String,
    pub kind: InstitutionKind,
    pub name: String,
    /// The duties a department owns; empty for clinics.
    pub duties: Vec<Duty>,
    /// The clinic's 10-digit 医療機関コード.
    pub institution_code: Option<String>,
}

/// A role: a named set of permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Role {
    pub role_id: String,
    pub name_ja: String,
    pub name_en: String,
    pub permissions: Vec<Permission>,
    /// Shipped with the system; cannot be changed, only copied.
    pub builtin: bool,
}

/// Creates or changes a custom role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleInput {
    pub name_ja: String,
    pub name_en: String,
    pub permissions: Vec<Permission>,
}

/// 機関ユーザー as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub user_class: UserClass,
    pub institution_id: String,
    pub role_id: String,
    pub can_view_my_number: bool,
    /// The inverse of the seed's 削除フラグ: deactivated users keep their history.
    pub active: bool,
    pub mfa_enrolled: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_login_at: Option<String>,
}

/// Changes an administrator may make to a user directly (each one logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserUpdate {
    pub role_id: String,
    pub institution_id: String,
    pub can_view_my_number: bool,
}

/// 申請: a request for a new account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRequestInput {
    /// The new user's id: 3–32 lower-case letters, digits, `.`, `_` or `-`.
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub user_class: UserClass,
    pub institution_id: String,
    pub role_id: String,
    pub can_view_my_number: bool,
    /// Why the account is needed (e.g. 4月の人事異動で着任).
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRequest {
    pub request_id: String,
    pub requested_by: String,
    /// RFC 3339, UTC.
    pub requested_at: String,
    pub account: AccountRequestInput,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

/// An approval or rejection, with the administrator's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub note: String,
}

/// What approving a request returns, once: the one-time activation code to hand to the new user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issued {
    pub user_id: String,
    pub activation_code: String,
    /// RFC 3339, UTC; the code is useless afterwards.
    pub activation_expires_at: String,
}

/// Step 1 of a staff login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordLogin {
    pub municipality_code: String,
    pub user_id: String,
    pub password: String,
}

/// Step 2: a TOTP code, or one of the recovery codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactor {
    pub code: String,
}

/// First use of an issued account: the activation code and the user's chosen password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activation {
    pub municipality_code: String,
    pub user_id: String,
    pub activation_code: String,
    pub new_password: String,
}

/// TOTP enrollment: the secret to put in an authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrollment {
    /// Base32, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/...`
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
}

/// Shown once after enrollment; each code works once instead of a TOTP code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// Re-authentication before My Number views and exports: a password or a TOTP code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reauthentication {
    pub password: Option<String>,
    pub code: Option<String>,
}

/// The logged-in staff user, as the app needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSession {
    pub user_id: String,
    pub name: String,
    pub user_class: UserClass,
    pub municipality: MunicipalityRef,
    pub institution_id: String,
    pub institution_name: String,
    pub role_id: String,
    pub role_name_ja: String,
    pub role_name_en: String,
    pub permissions: Vec<Permission>,
    pub can_view_my_number: bool,
    pub duties: Vec<Duty>,
    /// Seconds until the session ends without activity.
    pub idle_expires_in_s: u64,
    /// Seconds until the session ends regardless.
    pub absolute_expires_in_s: u64,
    /// Seconds a recent re-authentication stays valid; 0 when none.
    pub reauthenticated_for_s: u64,
}

/// Allowed, denied or failed: the result column of the operation log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Denied,
    Failed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }
}

/// One entry of the operation log (操作ログ). Never personal data, never My Number: persons
/// appear by subject number, fields by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the municipality's chain, from 1.
    pub seq: u64,
    /// RFC 3339, UTC.
    pub at: String,
    /// `staff:<user_id>`, `resident:<subject_no>`, `system:<job>` or `anonymous`.
    pub actor: String,
    /// The client address.
    pub source: String,
    /// `admin`, `clinic`, `resident`, `jobs`.
    pub surface: String,
    /// e.g. `user.approve`, `person.read`, `my_number.view`, `login.password`.
    pub action: String,
    /// Subject numbers of the persons touched.
    pub subjects: Vec<String>,
    /// Names of the fields read or changed.
    pub fields: Vec<String>,
    pub outcome: Outcome,
    /// A short machine reason for denials and failures (e.g. `missing_permission:export`).
    pub reason: Option<String>,
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page.
    pub next: Option<String>,
}

/// The result of checking the municipality's hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainReport {
    pub intact: bool,
    pub entries_checked: u64,
    /// The first problem found: where, and what (edited, missing, inserted, reordered).
    pub problem: Option<ChainProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainProblem {
    pub seq: u64,
    /// `edited`, `missing`, `inserted`, `reordered`, `truncated`
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    FailedLoginBurst,
    OutsideNetwork,
    CrossTenantAttempt,
    LargeRead,
    MyNumberViews,
    /// PMH answered with a My Number other than the one sent (raised by the PMH key job).
    PmhMismatch,
}

/// A security alert raised by intrusion detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub alert_id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub kind: AlertKind,
    pub message_ja: String,
    pub message_en: String,
    /// The user concerned, if any.
    pub user_id: Option<String>,
    pub acknowledged_by: Option<String>,
}

/// A notification sent to the municipality's administrators (the local outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    pub message_id: String,
    pub at: String,
    /// Administrator user ids it went to.
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// One line of the periodic access review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRow {
    pub user_id: String,
    pub name: String,
    pub institution_id: String,
    pub role_id: String,
    pub can_view_my_number: bool,
    pub active: bool,
    pub last_login_at: Option<String>,
    /// No login for 90 days or more (or never, 90 days after issue).
    pub unused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewReport {
    pub generated_at: String,
    pub rows: Vec<ReviewRow>,
    pub last_review: Option<ReviewRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRecord {
    pub reviewed_by: String,
    pub reviewed_at: String,
    pub note: String,
}

/// A target person as staff see them: My Number always masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffPerson {
    pub subject_no: String,
    pub name: String,
    pub name_kana: String,
    /// YYYY-MM-DD
    pub birth_date: String,
    pub sex: String,
    pub address: String,
    pub guardian_name: Option<String>,
    pub municipal_business_id: String,
    /// Every digit masked (`************`); the reveal endpoint shows it to those who may see it.
    pub my_number_masked: String,
    pub duties: Vec<Duty>,
}

/// My Number, returned only by the reveal endpoint to a user who may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyNumberReveal {
    pub subject_no: String,
    pub my_number: String,
}

/// The duty a vaccination record belongs to: subsidised voluntary ones to [`Duty::Voluntary`],
/// routine ones by the law's category (A類 children, B類 older people).
pub fn record_duty(record: &crate::record::VaccinationRecord) -> Duty {
    use crate::record::{ImplementationCategory, VaccinationKind};
    if record.category == ImplementationCategory::Voluntary {
        return Duty::Voluntary;
    }
    match record.vaccination_kind {
        VaccinationKind::InfluenzaElderly
        | VaccinationKind::PneumococcalElderly
        | VaccinationKind::HerpesZoster
        | VaccinationKind::Covid19 => Duty::ElderlyRoutine,
        _ => Duty::ChildRoutine,
    }
}

/// Age from which B類 (older people's) routine vaccinations apply to everyone.
const ELDERLY_FROM_AGE: i32 = 65;
/// A類 routine vaccinations (incl. HPV catch-up and 長期療養特例) end before this age.
const CHILD_UNTIL_AGE: i32 = 20;

/// The duties under which a person is a target on `today`: by age for routine targets, by
/// category for the exceptions. Adults between the two windows belong to no routine duty, so
/// only a department owning every duty (or one of their records' duties) sees them.
pub fn person_duties(person: &crate::person::TargetPerson, today: time::Date) -> Vec<Duty> {
    use crate::person::SubjectCategory;
    let age = age_on(person.birth_date, today);
    let mut duties = Vec::new();
    match person.subject_category {
        SubjectCategory::SubsidisedVoluntary => duties.push(Duty::Voluntary),
        SubjectCategory::DisabledAged60To64 => duties.push(Duty::ElderlyRoutine),
        SubjectCategory::Routine | SubjectCategory::LongTermIllnessException => {}
    }
    if age < CHILD_UNTIL_AGE || person.subject_category == SubjectCategory::LongTermIllnessException
    {
        duties.push(Duty::ChildRoutine);
    }
    if age >= ELDERLY_FROM_AGE && !duties.contains(&Duty::ElderlyRoutine) {
        duties.push(Duty::ElderlyRoutine);
    }
    duties.sort();
    duties.dedup();
    duties
}

/// Completed years of age on `today`, by calendar date (born 29 February: a year older on
/// 1 March in common years). Good enough for department scoping; the schedule engine owns the
/// legal age rules.
pub fn age_on(birth_date: time::Date, today: time::Date) -> i32 {
    let mut age = today.year() - birth_date.year();
    let birthday_passed =
        (today.month() as u8, today.day()) >= (birth_date.month() as u8, birth_date.day());
    if !birthday_passed {
        age -= 1;
    }
    age
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn permission_codes_round_trip() {
        for permission in Permission::ALL {
            assert_eq!(Permission::parse(permission.code()), Some(permission));
        }
        assert_eq!(Permission::parse("root"), None);
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(date!(2020 - 05 - 10), date!(2026 - 05 - 09)), 5);
        assert_eq!(age_on(date!(2020 - 05 - 10), date!(2026 - 05 - 10)), 6);
        assert_eq!(age_on(date!(2020 - 02 - 29), date!(2026 - 02 - 28)), 5);
        assert_eq!(age_on(date!(2020 - 02 - 29), date!(2026 - 03 - 01)), 6);
    }
}
