//! What municipal administrators and officers do through the admin surface: account requests
//! and approvals, users, roles, the access review, and reading target persons within their
//! department's duties. Every function checks the caller's permission itself.

use sesshu_domain::SubjectNo;
use sesshu_domain::staff::{
    self as dto, AccountRequestInput, Decision, Issued, MyNumberReveal, Permission, RequestStatus,
    ReviewReport, ReviewRow, Role, RoleInput, StaffPerson, UserClass, UserUpdate,
};

use crate::error::CoreError;
use crate::persons;

use super::StaffContext;
use super::accounts::{self, ActivationCode, StaffAccount, StoredRequest, StoredReview, rfc3339};
use super::auth::new_activation_code;
use crate::digest::sha256_hex;

/// An issued account's activation code works this long.
pub const ACTIVATION_S: u64 = 7 * 24 * 60 * 60;
/// Accounts without a login for this long are flagged in the access review.
pub const UNUSED_AFTER_S: u64 = 90 * 24 * 60 * 60;

fn invalid(message: &str) -> CoreError {
    CoreError::Invalid(message.to_owned())
}

// --- users -----------------------------------------------------------------------------------

pub async fn list_users(ctx: &StaffContext) -> Result<Vec<dto::User>, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let mut users: Vec<dto::User> = accounts::list_accounts(&ctx.tenant)
        .await?
        .iter()
        .map(StaffAccount::to_dto)
        .collect();
    users.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    Ok(users)
}

pub async fn update_user(
    ctx: &StaffContext,
    user_id: &str,
    update: &UserUpdate,
) -> Result<dto::User, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let (mut account, version) = accounts::get_account(&ctx.tenant, user_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    check_assignment(
        ctx,
        account.user_class,
        &update.institution_id,
        &update.role_id,
        update.can_view_my_number,
    )
    .await?;
    account.role_id = update.role_id.clone();
    account.institution_id = update.institution_id.clone();
    account.can_view_my_number = update.can_view_my_number;
    accounts::save_account(&ctx.tenant, &account, Some(version)).await?;
    Ok(account.to_dto())
}

/// Deactivates a user (transfer, retirement): their sessions end at once, their history stays.
pub async fn deactivate_user(ctx: &StaffContext, user_id: &str) -> Result<dto::User, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    if user_id == ctx.account.user_id {
        return Err(invalid(
            "自分自身は無効にできません。別の管理者に依頼してください / you cannot deactivate yourself: ask another administrator",
        ));
    }
    let (mut account, version) = accounts::get_account(&ctx.tenant, user_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    account.active = false;
    account.session_epoch += 1;
    accounts::save_account(&ctx.tenant, &account, Some(version)).await?;
    Ok(account.to_dto())
}

/// The institution and role must exist and fit the user's class; the My Number right only
/// with a role that includes viewing My Number.
async fn check_assignment(
    ctx: &StaffContext,
    class: UserClass,
    institution_id: &str,
    role_id: &str,
    can_view_my_number: bool,
) -> Result<Role, CoreError> {
    let institution = accounts::get_institution(&ctx.tenant, institution_id)
        .await?
        .ok_or_else(|| invalid("所属機関が見つかりません。一覧から選んでください / institution not found: choose one from the list"))?;
    if !accounts::institution_fits(&institution, class) {
        return Err(invalid(
            "自治体職員は部署に、医療機関職員は医療機関に所属させてください / municipal staff belong to a department, clinic staff to a clinic",
        ));
    }
    let (role, _) = accounts::get_role(&ctx.tenant, role_id)
        .await?
        .ok_or_else(|| invalid("権限が見つかりません。一覧から選んでください / role not found: choose one from the list"))?;
    if !accounts::role_fits(&role, class) {
        return Err(invalid(
            "この権限はこの区分のユーザーには付けられません / this role does not fit this class of user",
        ));
    }
    if can_view_my_number && !role.permissions.contains(&Permission::ViewMyNumber) {
        return Err(invalid(
            "個人番号の閲覧を許可するには、個人番号の閲覧を含む権限を選んでください / the My Number right needs a role that includes viewing My Number",
        ));
    }
    Ok(role)
}

// --- requests --------------------------------------------------------------------------------

/// Requests the caller may see: all for user managers, their own for everyone else.
pub async fn list_requests(ctx: &StaffContext) -> Result<Vec<dto::AccountRequest>, CoreError> {
    let all = accounts::list_requests(&ctx.tenant).await?;
    let manager = ctx.has(Permission::ManageUsers);
    Ok(all
        .iter()
        .filter(|r| manager || r.requested_by == ctx.account.user_id)
        .map(StoredRequest::to_dto)
        .collect())
}

/// Files a request for a new account (申請): any municipal staff user may.
pub async fn create_request(
    ctx: &StaffContext,
    input: &AccountRequestInput,
    now: u64,
) -> Result<dto::AccountRequest, CoreError> {
    if ctx.account.user_class != UserClass::MunicipalStaff {
        return Err(CoreError::Forbidden("clinic_user_cannot_request".into()));
    }
    let input = validate_request(ctx, input).await?;
    let request = StoredRequest {
        request_id: request_id(now),
        requested_by: ctx.account.user_id.clone(),
        requested_at: now,
        account: input,
        status: RequestStatus::Pending,
        decided_by: None,
        decided_at: None,
        decision_note: None,
    };
    let write = accounts::request_write(&ctx.tenant, &request, None).await?;
    accounts::commit_all(
        &ctx.tenant,
        vec![write],
        "a request with this id exists; try again",
    )
    .await?;
    Ok(request.to_dto())
}

fn request_id(now: u64) -> String {
    use rand::Rng;
    // Time first, so ids sort by filing time; random after, so two at once differ.
    format!(
        "R{now:011}{:06}",
        rand::thread_rng().gen_range(0..1_000_000)
    )
}

async fn validate_request(
    ctx: &StaffContext,
    input: &AccountRequestInput,
) -> Result<AccountRequestInput, CoreError> {
    let mut input = input.clone();
    input.user_id = input.user_id.trim().to_owned();
    input.name = input.name.trim().to_owned();
    input.email = input.email.trim().to_owned();
    input.reason = input.reason.trim().to_owned();
    accounts::validate_user_id(&input.user_id)?;
    if input.name.is_empty() || input.name.chars().count() > 100 {
        return Err(invalid(
            "氏名を100文字以内で入力してください / enter the name, at most 100 characters",
        ));
    }
    let email_ok = input.email.len() <= 254
        && input.email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        });
    if !email_ok {
        return Err(invalid(
            "メールアドレスの形式が正しくありません（例: taro@city.example.lg.jp） / the e-mail address is not valid (e.g. taro@city.example.lg.jp)",
        ));
    }
    if input.reason.is_empty() || input.reason.chars().count() > 500 {
        return Err(invalid(
            "申請理由を500文字以内で入力してください / enter the reason, at most 500 characters",
        ));
    }
    check_assignment(
        ctx,
        input.user_class,
        &input.institution_id,
        &input.role_id,
        input.can_view_my_number,
    )
    .await?;
    if accounts::email_taken(&ctx.tenant, &input.email).await? {
        return Err(invalid(
            "このメールアドレスは別のユーザーが使っています。本人のアドレスを入力してください / another user has this e-mail address: enter the person's own address",
        ));
    }
    if accounts::get_account(&ctx.tenant, &input.user_id)
        .await?
        .is_some()
    {
        return Err(invalid(
            "このユーザーIDは使われています。別のIDにしてください / this user id is taken: choose another",
        ));
    }
    let pending_same_id = accounts::list_requests(&ctx.tenant)
        .await?
        .iter()
        .any(|r| r.status == RequestStatus::Pending && r.account.user_id == input.user_id);
    if pending_same_id {
        return Err(invalid(
            "このユーザーIDの申請が審査待ちです / a request for this user id is waiting for approval",
        ));
    }
    Ok(input)
}

/// Approves a pending request: issues the account (inactive until activated with the one-time
/// code) in the same transaction that marks the request approved.
pub async fn approve_request(
    ctx: &StaffContext,
    request_id: &str,
    decision: &Decision,
    now: u64,
) -> Result<Issued, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let (mut request, version) = accounts::get_request(&ctx.tenant, request_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if request.status != RequestStatus::Pending {
        return Err(CoreError::Conflict("this request was already decided"));
    }
    // The role or institution may have changed since the request was filed.
    check_assignment(
        ctx,
        request.account.user_class,
        &request.account.institution_id,
        &request.account.role_id,
        request.account.can_view_my_number,
    )
    .await?;
    let code = new_activation_code();
    let account = StaffAccount {
        user_id: request.account.user_id.clone(),
        email: request.account.email.clone(),
        name: request.account.name.clone(),
        user_class: request.account.user_class,
        institution_id: request.account.institution_id.clone(),
        role_id: request.account.role_id.clone(),
        can_view_my_number: request.account.can_view_my_number,
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
        request_id: Some(request.request_id.clone()),
    };
    request.status = RequestStatus::Approved;
    request.decided_by = Some(ctx.account.user_id.clone());
    request.decided_at = Some(now);
    request.decision_note = Some(decision.note.trim().chars().take(500).collect());
    let writes = vec![
        accounts::request_write(&ctx.tenant, &request, Some(version)).await?,
        accounts::account_write(&ctx.tenant, &account, None).await?,
        accounts::email_index_write(&ctx.tenant, &account.email, &account.user_id).await?,
    ];
    accounts::commit_all(
        &ctx.tenant,
        writes,
        "the request was decided meanwhile, or the user id or e-mail address was taken",
    )
    .await?;
    Ok(Issued {
        user_id: account.user_id,
        activation_code: code,
        activation_expires_at: rfc3339(now + ACTIVATION_S),
    })
}

pub async fn reject_request(
    ctx: &StaffContext,
    request_id: &str,
    decision: &Decision,
    now: u64,
) -> Result<dto::AccountRequest, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let (mut request, version) = accounts::get_request(&ctx.tenant, request_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if request.status != RequestStatus::Pending {
        return Err(CoreError::Conflict("this request was already decided"));
    }
    if decision.note.trim().is_empty() {
        return Err(invalid(
            "却下の理由を入力してください / enter the reason for the rejection",
        ));
    }
    request.status = RequestStatus::Rejected;
    request.decided_by = Some(ctx.account.user_id.clone());
    request.decided_at = Some(now);
    request.decision_note = Some(decision.note.trim().chars().take(500).collect());
    let write = accounts::request_write(&ctx.tenant, &request, Some(version)).await?;
    accounts::commit_all(
        &ctx.tenant,
        vec![write],
        "the request was decided meanwhile",
    )
    .await?;
    Ok(request.to_dto())
}

// --- roles -----------------------------------------------------------------------------------

pub async fn save_role(
    ctx: &StaffContext,
    role_id: Option<&str>,
    input: &RoleInput,
) -> Result<Role, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let name_ja = input.name_ja.trim();
    let name_en = input.name_en.trim();
    if name_ja.is_empty() || name_ja.chars().count() > 50 || name_en.chars().count() > 50 {
        return Err(invalid(
            "権限名を50文字以内で入力してください / enter the role name, at most 50 characters",
        ));
    }
    let mut permissions = input.permissions.clone();
    permissions.sort();
    permissions.dedup();
    if permissions.is_empty() {
        return Err(invalid(
            "少なくとも1つの権限を選んでください / choose at least one permission",
        ));
    }
    let clinic = permissions.iter().filter(|p| p.is_clinic()).count();
    if clinic != 0 && clinic != permissions.len() {
        return Err(invalid(
            "医療機関向けの権限と自治体向けの権限は同じロールにできません / clinic and municipal permissions cannot share a role",
        ));
    }
    let (role_id, version) = match role_id {
        Some(id) => {
            let (_, version) = accounts::get_role(&ctx.tenant, id)
                .await?
                .ok_or(CoreError::NotFound)?;
            (id.to_owned(), Some(version))
        }
        None => (new_role_id(name_en, name_ja), None),
    };
    let role = Role {
        role_id,
        name_ja: name_ja.to_owned(),
        name_en: name_en.to_owned(),
        permissions,
        builtin: false,
    };
    accounts::save_role(&ctx.tenant, &role, version).await?;
    Ok(role)
}

fn new_role_id(name_en: &str, name_ja: &str) -> String {
    use rand::Rng;
    let slug: String = name_en
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(20)
        .collect();
    let base = if slug.is_empty() || name_ja.is_empty() {
        "role".to_owned()
    } else {
        slug
    };
    format!("{base}-{:04}", rand::thread_rng().gen_range(0..10_000))
}

// --- access review ---------------------------------------------------------------------------

pub async fn review_report(ctx: &StaffContext, now: u64) -> Result<ReviewReport, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let mut rows: Vec<ReviewRow> = accounts::list_accounts(&ctx.tenant)
        .await?
        .iter()
        .map(|account| {
            let last_use = account.last_login_at.unwrap_or(account.created_at);
            ReviewRow {
                user_id: account.user_id.clone(),
                name: account.name.clone(),
                institution_id: account.institution_id.clone(),
                role_id: account.role_id.clone(),
                can_view_my_number: account.can_view_my_number,
                active: account.active,
                last_login_at: account.last_login_at.map(rfc3339),
                unused: account.active && now.saturating_sub(last_use) >= UNUSED_AFTER_S,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.unused.cmp(&a.unused).then(a.user_id.cmp(&b.user_id)));
    let last_review = accounts::last_review(&ctx.tenant)
        .await?
        .map(|r| dto::ReviewRecord {
            reviewed_by: r.reviewed_by,
            reviewed_at: rfc3339(r.reviewed_at),
            note: r.note,
        });
    Ok(ReviewReport {
        generated_at: rfc3339(now),
        rows,
        last_review,
    })
}

pub async fn record_review(
    ctx: &StaffContext,
    decision: &Decision,
    now: u64,
) -> Result<ReviewReport, CoreError> {
    ctx.require(Permission::ManageUsers)?;
    let review = StoredReview {
        reviewed_by: ctx.account.user_id.clone(),
        reviewed_at: now,
        note: decision.note.trim().chars().take(1000).collect(),
    };
    accounts::record_review(&ctx.tenant, &review).await?;
    review_report(ctx, now).await
}

// --- target persons --------------------------------------------------------------------------

/// A person, if within the caller's duties; anything else (absent or outside) is `NotFound`
/// for lists' sake but logged as a denial by the caller.
async fn scoped_person(
    ctx: &StaffContext,
    subject_no: &str,
    today: time::Date,
) -> Result<(sesshu_domain::person::TargetPerson, Vec<dto::Duty>), CoreError> {
    ctx.require(Permission::ViewPersons)?;
    let subject_no = SubjectNo::parse(subject_no).map_err(|_| CoreError::NotFound)?;
    let (person, _) = persons::get(&ctx.tenant, &subject_no)
        .await?
        .ok_or(CoreError::NotFound)?;
    let duties = dto::person_duties(&person, today);
    let mine = ctx.duties();
    if !duties.iter().any(|duty| mine.contains(duty)) {
        return Err(CoreError::Forbidden("outside_duties".into()));
    }
    Ok((person, duties))
}

/// The fields a person view reads, for the operation log.
pub const PERSON_FIELDS: &[&str] = &[
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "guardian_name",
    "municipal_business_id",
];

pub async fn read_person(
    ctx: &StaffContext,
    subject_no: &str,
    today: time::Date,
) -> Result<StaffPerson, CoreError> {
    let (person, duties) = scoped_person(ctx, subject_no, today).await?;
    Ok(StaffPerson {
        subject_no: person.subject_no.as_str().to_owned(),
        name: person.name.as_str().to_owned(),
        name_kana: person.name_kana.as_str().to_owned(),
        birth_date: format!(
            "{:04}-{:02}-{:02}",
            person.birth_date.year(),
            person.birth_date.month() as u8,
            person.birth_date.day()
        ),
        sex: format!("{:?}", person.sex).to_lowercase(),
        address: person.address.clone(),
        guardian_name: person.guardian_name.as_ref().map(|n| n.as_str().to_owned()),
        municipal_business_id: person.municipal_business_id.as_str().to_owned(),
        my_number_masked: "*".repeat(12),
        duties,
    })
}

/// My Number, for a user whose role includes it, who holds the right personally, and who
/// re-authenticated within the last minutes; the caller logs the view.
pub async fn reveal_my_number(
    ctx: &StaffContext,
    subject_no: &str,
    today: time::Date,
    reauthenticated: bool,
) -> Result<MyNumberReveal, CoreError> {
    ctx.require(Permission::ViewMyNumber)?;
    if !ctx.account.can_view_my_number {
        return Err(CoreError::Forbidden("no_my_number_right".into()));
    }
    if !reauthenticated {
        return Err(CoreError::ReauthenticationRequired);
    }
    let (person, _) = scoped_person(ctx, subject_no, today).await?;
    Ok(MyNumberReveal {
        subject_no: person.subject_no.as_str().to_owned(),
        my_number: person.my_number.expose_digits().to_owned(),
    })
}
