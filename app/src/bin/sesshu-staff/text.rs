//! Every string of the staff pages, Japanese first and English, keyed by [`Msg`]; the language
//! itself is the library's ([`sesshu_app::i18n`]), so the switch and `<html lang>` behave as in
//! the resident app. Kept apart from the library's table so residents never download it.

use crate::js::Date;
use leptos::prelude::*;
use sesshu_app::i18n::{I18n, Lang, use_i18n};
use sesshu_domain::person_input::PersonField;
use sesshu_domain::staff::{AlertKind, Duty, Outcome, Permission, RequestStatus, UserClass};
use sesshu_domain::staff_persons::{ImportState, PmhStatus};

/// Declares [`Msg`] and its `[Japanese, English]` table in one place, so a message cannot lack
/// a translation and the tests can walk every message.
macro_rules! messages {
    ($($name:ident => [$ja:expr, $en:expr $(,)?],)*) => {
        /// Every string the staff pages show.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $($name,)*
        }

        impl Msg {
            #[cfg(test)]
            const ALL: &[Msg] = &[$(Msg::$name,)*];

            const fn texts(self) -> [&'static str; 2] {
                match self {
                    $(Msg::$name => [$ja, $en],)*
                }
            }
        }
    };
}

messages! {
    ServiceName => ["予防接種システム 職員用", "Vaccination System for Staff"],
    SurfaceAdmin => ["自治体職員", "Municipal staff"],
    SurfaceClinic => ["医療機関", "Clinics"],
    SkipToContent => ["本文へ移動", "Skip to main content"],
    MainMenu => ["職員メニュー", "Staff menu"],
    Loading => ["読み込み中…", "Loading…"],
    Working => ["処理中…", "Working…"],
    Yes => ["はい", "Yes"],
    No => ["いいえ", "No"],
    Cancel => ["キャンセル", "Cancel"],
    Save => ["保存する", "Save"],
    Reload => ["再読み込み", "Reload"],
    Copy => ["コピーする", "Copy"],
    Copied => ["コピーしました。", "Copied."],
    CopyFailed => [
        "コピーできませんでした。表示されている文字を選択してコピーしてください。",
        "Could not copy. Please select the text shown and copy it.",
    ],
    Required => ["必須", "required"],
    ErrorCode => ["エラーコード", "Error code"],
    ServerSays => ["システムからのメッセージ", "Message from the system"],

    // Header and session
    LoggedInAs => ["ログイン中の職員", "Logged in"],
    LabelName => ["氏名", "Name"],
    LabelRole => ["権限", "Role"],
    LabelInstitution => ["所属", "Institution"],
    LabelMunicipality => ["自治体", "Municipality"],
    LabelSessionEnds => ["ログインの有効期限", "Session ends"],
    Logout => ["ログアウト", "Log out"],
    LogoutEverywhere => ["すべての端末でログアウト", "Log out on all devices"],
    LogoutFailed => [
        "ログアウトを確認できませんでした。通信を確かめて、もう一度押してください。",
        "We could not confirm the logout. Please check the connection and press it again.",
    ],

    // Navigation
    NavHome => ["ホーム", "Home"],
    NavUsers => ["ユーザー", "Users"],
    NavRequests => ["アカウント申請", "Account requests"],
    NavRoles => ["権限セット", "Roles"],
    NavAudit => ["操作ログ", "Operation log"],
    NavAlerts => ["アラート", "Alerts"],
    NavReview => ["アカウントの棚卸し", "Access review"],

    // Errors
    ErrSessionTitle => ["ログインの有効期限が切れました", "Your session has ended"],
    ErrSessionBody => [
        "時間が経ったか、別の画面でログアウトしました。もう一度ログインしてください。",
        "It timed out or you logged out elsewhere. Please log in again.",
    ],
    ErrLoginTitle => ["ログインできませんでした", "Could not log you in"],
    ErrLoginBody => [
        "自治体コード、ユーザーID、パスワードを確かめて、もう一度入力してください。続けて間違えると、しばらくログインできなくなります。",
        "Please check the municipality code, user ID and password and try again. After repeated failures, login is paused for a while.",
    ],
    ErrCodeBody => [
        "確認コードが違います。認証アプリに今表示されている6桁の数字か、まだ使っていないリカバリーコードを入力してください。パスワードの入力から5分以上たった場合は、「最初からやり直す」を押してください。",
        "The code is wrong. Enter the 6 digits your authenticator app shows now, or a recovery code you have not used yet. If more than 5 minutes have passed since you entered your password, press “Start again”.",
    ],
    ErrActivationTitle => ["アカウントを有効にできませんでした", "Could not activate the account"],
    ErrActivationBody => [
        "自治体コード、ユーザーID、アクティベーションコードを確かめてください。コードの有効期限が切れている場合は、管理者に新しいコードの発行を依頼してください。",
        "Please check the municipality code, user ID and activation code. If the code has expired, ask your administrator to issue a new one.",
    ],
    ErrReauthFailedTitle => ["本人確認ができませんでした", "Could not confirm it is you"],
    ErrDelayedTitle => ["ログインを一時的に止めています", "Login is paused for a while"],
    ErrDelayedBody => [
        "失敗が続いたため、安全のため少しの間ログインできません。表示された時間が過ぎてから、もう一度お試しください。",
        "After repeated failures, login is paused for your safety. Please try again once the time shown has passed.",
    ],
    ErrDelayedWait => ["お待ちいただく時間", "Please wait"],
    ErrReauthTitle => ["本人確認が必要です", "Please confirm it is you"],
    ErrReauthBody => [
        "この操作の前に、パスワードまたは確認コードをもう一度入力してください。",
        "Before this action, please enter your password or a code again.",
    ],
    ErrNetworkDeniedTitle => ["この端末からは利用できません", "Not available from this device"],
    ErrNetworkDeniedBody => [
        "職員用の画面は、許可されたネットワーク（庁内・院内）の端末からだけ使えます。所属の業務端末から操作してください。",
        "The staff pages work only from devices on the permitted network (your office). Please use your work computer.",
    ],
    ErrForbiddenTitle => ["権限がありません", "You do not have permission"],
    ErrForbiddenBody => [
        "あなたの権限では、この操作はできません。必要な場合は、所属の管理者に権限の変更を申請してください。",
        "Your role does not allow this. If you need it, ask your administrator to change your role.",
    ],
    ErrNotFoundTitle => ["見つかりません", "Not found"],
    ErrNotFoundBody => [
        "対象が見つかりません。既に変更されたかもしれません。一覧を読み込み直してください。",
        "It could not be found; it may have changed. Please reload the list.",
    ],
    ErrConflictTitle => ["この操作はできません", "This cannot be done"],
    ErrImportRunningTitle => ["対象者の取り込み中です", "An import of target persons is running"],
    ErrImportRunningBody => [
        "取り込みが終わるまで、対象者の登録・変更・削除はできません（閲覧はできます）。取り込み画面で進み具合を確認し、終わってからもう一度操作してください。",
        "Until it finishes, persons cannot be registered, changed or deleted (viewing works). Check its progress on the import page and try again when it is done.",
    ],
    ErrConflictBody => [
        "既にある内容と重なっているか、変更できない対象です。下のメッセージを確かめてください。",
        "It clashes with what exists already, or it cannot be changed. Please read the message below.",
    ],
    ErrInvalidTitle => ["入力内容を確認してください", "Please check what you entered"],
    ErrInvalidBody => [
        "受け付けられない内容があります。下のメッセージに従って直してください。",
        "Something could not be accepted. Please correct it as the message below says.",
    ],
    ErrServerTitle => ["エラーが発生しました", "Something went wrong"],
    ErrServerBody => [
        "しばらく待ってから、もう一度お試しください。続く場合は、システムの管理担当に連絡してください。",
        "Please wait a moment and try again. If it keeps happening, contact your system administrator.",
    ],
    ErrNetworkTitle => ["通信できませんでした", "Could not connect"],
    ErrNetworkBody => [
        "ネットワークの接続を確かめて、もう一度お試しください。",
        "Please check the network connection and try again.",
    ],
    GoToLogin => ["ログイン画面へ", "Go to the login page"],
    NoPermissionTitle => ["この画面を使う権限がありません", "You do not have permission for this page"],
    NoPermissionBody => [
        "あなたの権限では、この画面は表示できません。必要な場合は、所属の管理者に権限の変更を申請してください。",
        "Your role does not allow this page. If you need it, ask your administrator to change your role.",
    ],
    BackToHome => ["ホームへ戻る", "Back to home"],
    NotFoundPageTitle => ["ページが見つかりません", "Page not found"],
    NotFoundPageBody => [
        "お探しのページは見つかりませんでした。アドレスを確かめるか、ログイン画面から始めてください。",
        "We could not find this page. Please check the address or start from a login page.",
    ],
    AdminLoginLink => ["自治体職員のログイン", "Log in as municipal staff"],
    ClinicLoginLink => ["医療機関職員のログイン", "Log in as clinic staff"],
    CheckingSession => ["ログインの状態を確認しています", "Checking your login"],
    RedirectingToLogin => ["ログイン画面に移動します。", "Taking you to the login page."],

    // Login
    LoginTitleAdmin => ["自治体職員のログイン", "Log in: municipal staff"],
    LoginTitleClinic => ["医療機関職員のログイン", "Log in: clinic staff"],
    LoginLead => [
        "管理者から発行されたあなた専用のアカウントでログインします。アカウントの共用はできません。",
        "Log in with the personal account your administrator issued to you. Accounts must not be shared.",
    ],
    LabelMunicipalityCode => ["自治体コード", "Municipality code"],
    HintMunicipalityCode => [
        "6桁の数字（全国地方公共団体コード）。例：131016",
        "6 digits (local government code), e.g. 131016",
    ],
    LabelUserId => ["ユーザーID", "User ID"],
    LabelPassword => ["パスワード", "Password"],
    LoginNext => ["次へ", "Next"],
    StepCodeTitle => ["確認コードの入力", "Enter your code"],
    StepCodeLead => [
        "認証アプリに表示されている6桁の確認コードを入力してください。認証アプリが使えないときは、リカバリーコード（xxxx-xxxx）を1つ入力できます。5分以内に入力してください。",
        "Enter the 6-digit code your authenticator app shows. If you cannot use the app, enter one of your recovery codes (xxxx-xxxx). Please enter it within 5 minutes.",
    ],
    LabelCode => ["確認コード", "Code"],
    HintCode => [
        "6桁の数字、またはリカバリーコード",
        "6 digits, or a recovery code",
    ],
    LoginSubmit => ["ログイン", "Log in"],
    StartOver => ["最初からやり直す", "Start again"],
    LoginExpired => [
        "ログインの手続きが時間切れになりました。最初からやり直してください。",
        "The login took too long. Please start again.",
    ],
    LoggedOutNotice => ["ログアウトしました。", "You have logged out."],
    LoggedOutEverywhereNotice => [
        "すべての端末でログアウトしました。",
        "You have logged out on all devices.",
    ],
    FirstTimeQuestion => ["初めて使う方", "Using it for the first time?"],
    FirstTimeLink => [
        "アクティベーションコードでアカウントを有効にする",
        "Activate your account with an activation code",
    ],
    InvalidMunicipalityCode => [
        "自治体コードは6桁の数字です。正しいコードか確かめてください。",
        "The municipality code is 6 digits. Please check it.",
    ],
    EmptyUserId => ["ユーザーIDを入力してください。", "Please enter your user ID."],
    EmptyPassword => ["パスワードを入力してください。", "Please enter your password."],
    EmptyCode => ["確認コードを入力してください。", "Please enter the code."],

    // Activation
    ActivateTitleAdmin => ["アカウントの有効化（自治体職員）", "Activate your account: municipal staff"],
    ActivateTitleClinic => ["アカウントの有効化（医療機関職員）", "Activate your account: clinic staff"],
    ActivateLead => [
        "管理者から受け取ったアクティベーションコードで、パスワードと認証アプリを設定します。",
        "Set your password and authenticator app with the activation code your administrator gave you.",
    ],
    StepOf => ["手順", "Step"],
    LabelActivationCode => ["アクティベーションコード", "Activation code"],
    HintActivationCode => [
        "管理者から受け取ったコード。有効期限があります。",
        "The code your administrator gave you. It expires.",
    ],
    LabelNewPassword => ["新しいパスワード", "New password"],
    LabelConfirmPassword => ["新しいパスワード（確認）", "New password (again)"],
    PasswordRulesTitle => ["パスワードの決まり", "Password rules"],
    PasswordRuleLength => ["12文字以上、128文字以下", "12 to 128 characters"],
    PasswordRuleCommon => [
        "よく使われるパスワードや、過去に漏えいしたパスワードは使えません",
        "Not a common password, nor one known from data breaches",
    ],
    PasswordRuleUserId => ["ユーザーIDと同じものは使えません", "Not the same as your user ID"],
    PasswordTooShort => [
        "パスワードは12文字以上にしてください。",
        "The password needs at least 12 characters.",
    ],
    PasswordTooLong => [
        "パスワードは128文字以下にしてください。",
        "The password may have at most 128 characters.",
    ],
    PasswordIsUserId => [
        "ユーザーIDと同じパスワードは使えません。",
        "The password must not be your user ID.",
    ],
    PasswordMismatch => [
        "確認用のパスワードが一致しません。同じものを入力してください。",
        "The two passwords differ. Please enter the same one twice.",
    ],
    EmptyActivationCode => [
        "アクティベーションコードを入力してください。",
        "Please enter the activation code.",
    ],
    ActivateSubmit => ["パスワードを設定して次へ", "Set the password and continue"],
    EnrollTitle => ["認証アプリの設定", "Set up your authenticator app"],
    EnrollLead => [
        "スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）でQRコードを読み取ってください。読み取れないときは、下の文字列を手で入力してください。",
        "Scan the QR code with the authenticator app on your phone (Google Authenticator, Microsoft Authenticator, …). If you cannot scan it, type in the key below.",
    ],
    QrAlt => [
        "認証アプリで読み取るQRコード。読み取れない場合は、下の設定キーを入力してください。",
        "QR code for your authenticator app. If you cannot scan it, type in the key below.",
    ],
    LabelSecret => ["設定キー（手入力用）", "Key (to type in)"],
    OpenInApp => [
        "この端末の認証アプリで開く",
        "Open in the authenticator app on this device",
    ],
    EnrollCodeLabel => ["認証アプリに表示された6桁の確認コード", "The 6-digit code your app shows"],
    EnrollSubmit => ["確認して次へ", "Confirm and continue"],
    RecoveryTitle => ["リカバリーコードの保管", "Store your recovery codes"],
    RecoveryLead => [
        "認証アプリが使えなくなったときに、確認コードの代わりに使えるコードです。それぞれ1回だけ使えます。この画面は一度しか表示されません。印刷するか、安全な場所に書き写してください。",
        "Use these instead of a code if you lose your authenticator app. Each works once. This is shown only once: print them or copy them somewhere safe.",
    ],
    CopyAllCodes => ["すべてのコードをコピーする", "Copy all codes"],
    StoredCodes => [
        "リカバリーコードを安全な場所に保管しました",
        "I have stored the recovery codes somewhere safe",
    ],
    RecoveryContinue => ["設定を終える", "Finish"],
    ActivatedTitle => ["設定が完了しました", "Your account is ready"],
    ActivatedBody => [
        "アカウントが有効になりました。ユーザーID、パスワード、確認コードでログインしてください。",
        "Your account is active. Log in with your user ID, password and a code.",
    ],
    ActivationExpired => [
        "設定の手続きが時間切れになりました。アクティベーションコードの入力からやり直してください。",
        "The setup took too long. Please start again from the activation code.",
    ],

    // Re-authentication
    ReauthTitle => ["本人確認", "Confirm it is you"],
    ReauthLead => [
        "個人番号の閲覧やデータの出力の前に、本人であることを確認します。確認は5分間有効です。",
        "Before My Number views and exports we confirm it is you. The confirmation lasts 5 minutes.",
    ],
    ReauthMethod => ["確認の方法", "How to confirm"],
    ReauthByPassword => ["パスワード", "Password"],
    ReauthByCode => ["認証アプリの確認コード", "Authenticator app code"],
    ReauthUsePassword => ["パスワードで確認する", "With my password"],
    ReauthUseCode => ["確認コードで確認する", "With a code from my app"],
    ReauthSubmit => ["確認する", "Confirm"],
    ReauthFailed => [
        "確認できませんでした。パスワードまたは確認コードを確かめて、もう一度入力してください。",
        "We could not confirm it. Please check the password or code and try again.",
    ],

    // Home
    AdminHomeTitle => ["職員用ホーム", "Staff home"],
    ClinicHomeTitle => ["医療機関のホーム", "Clinic home"],
    HomeWelcome => ["ログインしています。", "You are logged in."],
    HomeTasks => ["できること", "What you can do"],
    HomeUsersDesc => [
        "職員アカウントの権限・所属の変更と無効化",
        "Change staff accounts' roles and institutions, deactivate them",
    ],
    HomeRequestsDesc => [
        "アカウントの発行の申請と、申請の承認・却下",
        "Request new accounts; approve or reject requests",
    ],
    HomeRolesDesc => ["権限セットの確認と作成", "See and create roles"],
    HomeAuditDesc => [
        "操作ログの検索、改ざんの検証、CSV出力",
        "Search the operation log, verify it, export it as CSV",
    ],
    HomeAlertsDesc => [
        "不正アクセスの疑いなどの通知の確認",
        "Check notices of suspicious activity",
    ],
    HomeReviewDesc => [
        "定期的なアカウントの棚卸しと記録",
        "Periodic review of accounts, and its record",
    ],
    ClinicComing => [
        "予診票の確認と接種の記録の機能は、今後この画面に追加されます。",
        "Reading questionnaires and recording vaccinations will be added here later.",
    ],
    LabelDuties => ["担当する事務", "Duties"],
    LabelMyNumberRight => ["個人番号の閲覧", "May view My Number"],

    // Users
    UsersTitle => ["ユーザー", "Users"],
    UsersLead => [
        "職員アカウントの一覧です。異動や退職のときは、すぐに権限を変更するか無効にしてください。",
        "The staff accounts. On a transfer or when someone leaves, change the role or deactivate the account at once.",
    ],
    ColEmail => ["メールアドレス", "Email"],
    ColClass => ["区分", "Class"],
    ColStatus => ["状態", "Status"],
    ColMfa => ["二要素認証", "Two-factor"],
    ColLastLogin => ["最終ログイン", "Last login"],
    ColCreated => ["発行日時", "Issued"],
    ColActions => ["操作", "Actions"],
    StatusActive => ["有効", "Active"],
    StatusInactive => ["無効", "Deactivated"],
    MfaEnrolled => ["設定済み", "Set up"],
    MfaPending => ["未設定", "Not set up"],
    NeverLoggedIn => ["なし", "Never"],
    EditUser => ["変更", "Change"],
    Deactivate => ["無効にする", "Deactivate"],
    EditUserTitle => ["ユーザーの権限・所属の変更", "Change role and institution"],
    DeactivateTitle => ["ユーザーを無効にしますか", "Deactivate this user?"],
    DeactivateBody => [
        "このユーザーはログインできなくなり、今ログインしている画面もすぐに終了します。操作の記録は残ります。",
        "They will not be able to log in, and their current sessions end at once. Their history is kept.",
    ],
    DeactivateConfirm => ["無効にする", "Deactivate"],
    UserUpdated => ["ユーザーの設定を変更しました。", "The user has been changed."],
    UserDeactivated => ["ユーザーを無効にしました。", "The user has been deactivated."],
    NoUsers => ["ユーザーはいません。", "There are no users."],
    ClinicNoMyNumber => [
        "医療機関の職員は個人番号を閲覧できません。",
        "Clinic staff may never view My Number.",
    ],
    ClassMunicipal => ["自治体職員", "Municipal staff"],
    ClassClinic => ["医療機関職員", "Clinic staff"],

    // Requests
    RequestsTitle => ["アカウント申請", "Account requests"],
    NewRequestTitle => ["新しいアカウントを申請する", "Request a new account"],
    NewRequestLead => [
        "1人に1つのアカウントを申請します。管理者が承認すると、本人に渡すアクティベーションコードが発行されます。",
        "Request one account per person. When an administrator approves it, an activation code is issued to hand to the person.",
    ],
    HintNewUserId => [
        "3〜32文字の半角英小文字・数字・「.」「_」「-」",
        "3–32 lower-case letters, digits, “.”, “_” or “-”",
    ],
    InvalidNewUserId => [
        "ユーザーIDは3〜32文字の半角英小文字・数字・「.」「_」「-」で入力してください。",
        "The user ID must be 3–32 lower-case letters, digits, “.”, “_” or “-”.",
    ],
    LabelEmail => ["メールアドレス", "Email"],
    EmptyName => ["氏名を入力してください。", "Please enter the name."],
    InvalidEmail => [
        "メールアドレスを正しく入力してください。",
        "Please enter a valid email address.",
    ],
    LabelClass => ["区分", "Class"],
    LabelNewInstitution => ["所属", "Institution"],
    ChooseInstitution => ["所属を選んでください", "Choose an institution"],
    LabelNewRole => ["権限セット", "Role"],
    ChooseRole => ["権限セットを選んでください", "Choose a role"],
    EmptyInstitution => ["所属を選んでください。", "Please choose an institution."],
    EmptyRole => ["権限セットを選んでください。", "Please choose a role."],
    LabelCanViewMyNumber => ["個人番号の閲覧を許可する", "Allow viewing My Number"],
    HintCanViewMyNumber => [
        "業務で必要な職員だけに許可してください。閲覧のたびに記録されます。",
        "Allow it only to staff who need it for their work. Every view is logged.",
    ],
    LabelReason => ["申請の理由", "Reason"],
    HintReason => ["例：4月の人事異動で着任", "e.g. joined in the April transfers"],
    EmptyReason => ["申請の理由を入力してください。", "Please enter the reason."],
    SubmitRequest => ["申請する", "Submit the request"],
    RequestFiled => [
        "申請しました。管理者の承認をお待ちください。",
        "The request has been submitted. An administrator will decide on it.",
    ],
    RequestListTitle => ["申請の一覧", "Requests"],
    RequestListLeadManager => [
        "すべての申請です。内容を確かめて、承認または却下してください。",
        "All requests. Check each and approve or reject it.",
    ],
    RequestListLeadOwn => ["あなたが出した申請です。", "The requests you submitted."],
    NoRequests => ["申請はありません。", "There are no requests."],
    LabelRequestedBy => ["申請者", "Requested by"],
    LabelRequestedAt => ["申請日時", "Requested at"],
    LabelDecidedBy => ["判断した人", "Decided by"],
    LabelDecidedAt => ["判断日時", "Decided at"],
    LabelDecisionNote => ["判断のメモ", "Note"],
    HintDecisionNote => [
        "却下するときは理由を書いてください。記録に残ります。",
        "When rejecting, write why. It is kept on record.",
    ],
    StatusPending => ["承認待ち", "Pending"],
    StatusApproved => ["承認済み", "Approved"],
    StatusRejected => ["却下", "Rejected"],
    Approve => ["承認する", "Approve"],
    Reject => ["却下する", "Reject"],
    RejectNeedsNote => [
        "却下するときは、判断のメモに理由を書いてください。",
        "Please write the reason in the note when rejecting.",
    ],
    Rejected => ["申請を却下しました。", "The request has been rejected."],
    IssuedTitle => ["アクティベーションコードを発行しました", "Activation code issued"],
    IssuedWarning => [
        "このコードはこの画面で一度だけ表示されます。閉じる前に、本人に安全な方法（手渡しなど）で伝えてください。メールなどで送らないでください。",
        "This code is shown only once, here. Before closing, give it to the person in a safe way (e.g. in person). Do not send it by email.",
    ],
    LabelExpires => ["有効期限", "Expires"],
    IssuedDone => ["本人に伝えたので閉じる", "I have handed it over: close"],

    // Roles
    RolesTitle => ["権限セット", "Roles"],
    RolesLead => [
        "権限セットは、職員ができることの組み合わせです。標準の権限セットは変更できませんが、コピーして新しく作れます。",
        "A role is a set of things staff may do. Built-in roles cannot be changed, but you can copy one into a new role.",
    ],
    Builtin => ["標準", "Built-in"],
    Custom => ["独自", "Custom"],
    NoPermissions => ["権限なし", "No permissions"],
    EditRole => ["編集", "Edit"],
    CopyRole => ["コピーして作成", "Copy into a new role"],
    NewRole => ["新しい権限セットを作成", "Create a role"],
    RoleFormCreate => ["新しい権限セット", "New role"],
    RoleFormEdit => ["権限セットの編集", "Edit role"],
    LabelRoleNameJa => ["名前（日本語）", "Name (Japanese)"],
    LabelRoleNameEn => ["名前（英語）", "Name (English)"],
    LabelPermissions => ["できること", "Permissions"],
    EmptyRoleName => [
        "名前を日本語と英語の両方で入力してください。",
        "Please enter the name in both Japanese and English.",
    ],
    RoleSaved => ["権限セットを保存しました。", "The role has been saved."],
    NoRoles => ["権限セットはありません。", "There are no roles."],

    // Audit
    AuditTitle => ["操作ログ", "Operation log"],
    AuditLead => [
        "個人情報へのすべてのアクセスの記録です。新しい順に表示します。記録は改ざんを検知できる形で保存され、3年後に自動で削除されます。",
        "Every access to personal data, newest first. The log is stored so that tampering can be detected, and deleted after 3 years.",
    ],
    FiltersTitle => ["絞り込み", "Filters"],
    LabelFilterUser => ["操作した職員のユーザーID", "User ID of the staff member"],
    LabelFilterSubject => ["対象者番号", "Subject number"],
    LabelFilterAction => ["操作の種類", "Action"],
    HintFilterAction => [
        "例：person.read。「login.」のように「.」で終えると、その種類すべて",
        "e.g. person.read; end with “.” (e.g. login.) for the whole family",
    ],
    LabelFrom => ["開始日", "From"],
    LabelTo => ["終了日", "To"],
    Search => ["検索する", "Search"],
    ClearFilters => ["条件をクリア", "Clear filters"],
    ColSeq => ["番号", "No."],
    ColAt => ["日時", "Time"],
    ColActor => ["操作者", "Actor"],
    ColSource => ["接続元", "Source"],
    ColSurface => ["画面", "Surface"],
    ColAction => ["操作", "Action"],
    ColSubjects => ["対象者", "Subjects"],
    ColFields => ["項目", "Fields"],
    ColOutcome => ["結果", "Outcome"],
    ColReason => ["理由", "Reason"],
    ColRequestId => ["リクエストID", "Request ID"],
    OutcomeAllowed => ["許可", "Allowed"],
    OutcomeDenied => ["拒否", "Denied"],
    OutcomeFailed => ["失敗", "Failed"],
    NoEntries => ["条件に合う記録はありません。", "No entries match."],
    LoadOlder => ["さらに古い記録を読み込む", "Load older entries"],
    EntriesShown => ["件を表示中", "entries shown"],
    VerifyTitle => ["改ざんの検証", "Tamper check"],
    VerifyLead => [
        "記録のつながり（ハッシュチェーン）を最初から確かめ、書き換え・削除・挿入がないかを検証します。",
        "Checks the hash chain from the start for edited, deleted or inserted entries.",
    ],
    VerifyChain => ["検証する", "Verify"],
    ChainIntact => [
        "改ざんは見つかりませんでした。",
        "No tampering was found.",
    ],
    ChainChecked => ["確認した記録", "Entries checked"],
    ChainBroken => ["改ざんの疑いがあります", "Possible tampering found"],
    ChainWhere => ["最初に問題が見つかった記録の番号", "First problem at entry no."],
    ChainKind => ["問題の種類", "Kind"],
    ChainEdited => ["内容の書き換え", "Edited"],
    ChainMissing => ["記録の欠落", "Missing"],
    ChainInserted => ["記録の挿入", "Inserted"],
    ChainReordered => ["順序の入れ替え", "Reordered"],
    ChainTruncated => ["末尾の削除", "Truncated"],
    ChainNextSteps => [
        "システムの管理担当に、番号と種類を添えて連絡してください。",
        "Tell your system administrator, giving the number and kind.",
    ],
    ExportTitle => ["CSV出力", "CSV export"],
    ExportLead => [
        "上の絞り込み条件に合う記録をCSV（UTF-8）で保存します。出力の前に本人確認があり、出力したことも記録されます。",
        "Saves the entries matching the filters above as CSV (UTF-8). You confirm it is you first, and the export is logged.",
    ],
    DownloadCsv => ["CSVをダウンロード", "Download CSV"],
    Downloaded => ["CSVをダウンロードしました。", "The CSV has been downloaded."],
    DownloadFailed => [
        "ダウンロードを始められませんでした。ブラウザのダウンロードの設定を確かめてください。",
        "The download could not start. Please check your browser's download settings.",
    ],

    // Alerts
    AlertsTitle => ["アラート", "Alerts"],
    AlertsLead => [
        "不正アクセスの疑いなどを検知した通知です。内容を確かめたら「確認済みにする」を押してください。",
        "Notices of suspicious activity. Once you have looked into one, mark it as checked.",
    ],
    NoAlerts => ["アラートはありません。", "There are no alerts."],
    ColKind => ["種類", "Kind"],
    ColMessage => ["内容", "Message"],
    ColUser => ["ユーザー", "User"],
    Acknowledge => ["確認済みにする", "Mark as checked"],
    AcknowledgedBy => ["確認済み", "Checked by"],
    Unacknowledged => ["未確認", "Not checked"],
    AlertFailedLogins => ["ログイン失敗の集中", "Burst of failed logins"],
    AlertOutsideNetwork => ["許可されていないネットワークからの接続", "Access from outside the permitted network"],
    AlertCrossTenant => ["他の自治体のデータへのアクセスの試み", "Attempt to reach another municipality's data"],
    AlertLargeRead => ["大量の閲覧", "Unusually large reads"],
    AlertMyNumberViews => ["個人番号の閲覧の集中", "Many My Number views"],
    AlertPmhMismatch => ["PMHの応答の個人番号の不一致", "PMH answered with another My Number"],
    OutboxTitle => ["管理者への通知（送信済み）", "Notices sent to administrators"],
    OutboxLead => [
        "アラートなどについて、管理者あてに送った通知の控えです。",
        "Copies of the notices sent to administrators about alerts and other events.",
    ],
    NoOutbox => ["送信した通知はありません。", "No notices have been sent."],
    LabelTo2 => ["宛先", "To"],

    // Review
    ReviewTitle => ["アカウントの棚卸し", "Access review"],
    ReviewLead => [
        "すべてのアカウントと権限を定期的に見直します。90日以上使われていないアカウントは強調して表示します。不要なアカウントは「ユーザー」の画面で無効にしてください。",
        "Review every account and its rights regularly. Accounts unused for 90 days or more are highlighted. Deactivate unneeded ones on the Users page.",
    ],
    LastReview => ["前回の棚卸し", "Last review"],
    NoReviewYet => ["まだ棚卸しの記録はありません。", "No review has been recorded yet."],
    ReviewedBy => ["実施者", "Reviewed by"],
    ReviewedAt => ["実施日時", "Reviewed at"],
    LabelNote => ["メモ", "Note"],
    GeneratedAt => ["一覧の作成日時", "List generated at"],
    ColUnused => ["利用状況", "Use"],
    Unused => ["90日以上未使用", "Unused for 90+ days"],
    InUse => ["利用あり", "In use"],
    RecordReview => ["棚卸しの完了を記録する", "Record the review as done"],
    HintReviewNote => [
        "確認した内容や対応（無効にしたアカウントなど）を書いてください。",
        "Write what you checked and did (e.g. accounts deactivated).",
    ],
    EmptyReviewNote => ["メモを入力してください。", "Please enter a note."],
    ReviewRecorded => ["棚卸しの完了を記録しました。", "The review has been recorded."],
    UnusedCount => ["未使用のアカウント", "Unused accounts"],

    // Navigation and home: target persons
    NavPersons => ["対象者", "Target persons"],
    NavImports => ["対象者の取込", "Imports"],
    NavDuplicates => ["重複の可能性", "Possible duplicates"],
    NavPmh => ["PMH連携の状況", "PMH linking"],
    NavExports => ["データの出力", "Exports"],
    HomePersonsDesc => [
        "予防接種対象者の検索・登録・修正・削除と制御フラグ",
        "Find, register, edit and delete target persons; control flags",
    ],
    HomeImportsDesc => [
        "健康管理システムの対象者情報CSVの取込と結果の確認",
        "Import the health-management system's person CSV and check the result",
    ],
    HomeDuplicatesDesc => [
        "二重登録の可能性がある対象者の確認",
        "Check people who may be registered twice",
    ],
    HomePmhDesc => [
        "PMHキーの取得待ち・失敗の確認と再連携",
        "PMH keys waiting or failed; retry",
    ],
    HomeExportsDesc => [
        "対象者情報・予防接種記録のCSV出力",
        "Export target persons and vaccination records as CSV",
    ],

    // Person fields (form labels, list columns, history)
    LabelSubjectNo => ["予防接種対象者番号", "Subject number"],
    LabelMyNumber => ["個人番号（マイナンバー）", "My Number"],
    LabelNameKana => ["氏名カナ", "Name in kana"],
    LabelBirthDate => ["生年月日", "Date of birth"],
    LabelSex => ["性別", "Sex"],
    LabelAddress => ["住所", "Address"],
    LabelGuardian => ["保護者氏名", "Guardian's name"],
    LabelBusinessId => ["自治体業務ID", "Municipal business ID"],
    LabelChangeKind => ["変更区分", "Change kind"],
    LabelMovedOutOn => ["異動日", "Moved out on"],
    LabelMovedOutReason => ["異動事由", "Reason for moving out"],
    LabelOtherNo => ["その他管理番号", "Other management number"],
    LabelSubjectCategory => ["接種対象者区分", "Subject category"],
    LabelFeeExemption => ["減免区分", "Fee exemption"],
    LabelPmhKey => ["PMHキー", "PMH key"],
    LabelControlFlags => ["制御フラグ", "Control flags"],
    FlagRecovery => ["リカバリー", "Recovery"],
    FlagNonDisclosure => ["不開示", "Non-disclosure"],
    FlagViewingSuspended => ["閲覧停止", "Viewing suspended"],
    NoFlags => ["なし", "None"],
    SexMale => ["男", "Male"],
    SexFemale => ["女", "Female"],
    ChooseSex => ["性別を選んでください", "Choose the sex"],
    ChooseOne => ["選んでください", "Choose one"],
    CategoryRoutine => ["1 定期接種", "1 Routine"],
    CategoryLongTerm => ["2 長期療養特例", "2 Long-term illness exception"],
    CategoryDisabled => ["3 60〜64歳の障害者（B類）", "3 Disabled, aged 60-64 (type B)"],
    CategoryVoluntary => ["4 助成対象の任意接種", "4 Subsidised voluntary"],
    FeeNone => ["0 なし", "0 None"],
    FeeFull => ["1 全額免除", "1 Full exemption"],
    FeePartial => ["2 一部減額", "2 Partial reduction"],
    PmhWaiting => ["連携待ち", "Waiting"],
    PmhAssigned => ["連携済み", "Linked"],
    PmhFailed => ["連携失敗", "Failed"],
    Blank => ["（空欄）", "(empty)"],

    // Hints of the person form
    HintSubjectNo => ["10桁の数字", "10 digits"],
    HintMyNumber => ["12桁の数字。ハイフンや空白で区切っても構いません。", "12 digits; hyphens or spaces between groups are fine."],
    HintMyNumberKeep => [
        "「*」のままにすると、登録済みの個人番号を変えずに保存します。",
        "Leave the “*” as they are to keep the registered number.",
    ],
    HintPersonName => ["住民票のとおり。姓と名の間は空白", "As registered; a space between family and given name"],
    HintNameKana => [
        "全角カタカナ（ひらがな・半角カナも可）。姓と名の間は空白",
        "Katakana (hiragana and half-width kana work too); a space between family and given name",
    ],
    HintBirthDate => [
        "例：2023-04-01、20230401、令和5年4月1日、R5.4.1",
        "e.g. 2023-04-01, 20230401 or R5.4.1 (Japanese era dates work too)",
    ],
    HintGuardian => ["子どもの場合。いなければ空欄", "For children; leave empty if none"],
    HintBusinessId => [
        "健康管理システムの宛名番号など。半角英数字と「_」「-」、64文字まで",
        "The id in the health-management system: letters, digits, “_” and “-”, up to 64",
    ],
    HintOtherNo => ["任意。64文字まで", "Optional; up to 64 characters"],
    MyNumberKeptMasked => [
        "個人番号を変更できるのは、個人番号の閲覧を許可された職員だけです。",
        "Only staff allowed to view My Number may change it.",
    ],

    // Person search
    PersonsTitle => ["対象者の検索", "Find target persons"],
    PersonsLead => [
        "予防接種対象者番号、自治体業務ID、個人番号のいずれか、またはカナ氏名と生年月日（片方だけでも可）で検索します。担当する事務の対象者だけが表示されます。",
        "Search by subject number, municipal business ID or My Number, or by kana name and/or date of birth. Only people within your duties are shown.",
    ],
    SearchTitle => ["検索条件", "Search"],
    HintMyNumberSearch => ["12桁。この検索は操作ログに記録されます。", "12 digits. This search is logged."],
    SearchNeedsOne => [
        "検索する項目を1つ以上入力してください。",
        "Please fill in at least one field to search by.",
    ],
    NewPersonButton => ["新しい対象者を登録する", "Register a new person"],
    ResultsTitle => ["検索結果", "Results"],
    NoResults => [
        "条件に合う対象者はいません。担当する事務以外の対象者は表示されません。",
        "Nobody matches. People outside your duties are not shown.",
    ],
    NextPage => ["次へ", "Next page"],
    FirstPage => ["最初のページへ", "First page"],
    ColPmh => ["PMH連携", "PMH"],

    // Person detail
    PersonTitle => ["対象者の詳細", "Target person"],
    BackToSearch => ["対象者の検索へ戻る", "Back to the search"],
    PersonDataTitle => ["登録内容", "Registered data"],
    ShowMyNumber => ["個人番号を表示する", "Show My Number"],
    HideMyNumber => ["隠す", "Hide"],
    MyNumberViewLogged => [
        "表示したことは操作ログに記録されます。必要なときだけ表示してください。",
        "Each view is logged. Show it only when you need it.",
    ],
    LabelLinkFile => ["連携ファイル名", "Import file"],
    LabelLinkAt => ["連携日時", "Imported at"],
    EditPerson => ["登録内容を修正する", "Edit the data"],
    EditPersonTitle => ["登録内容の修正", "Edit the data"],
    PersonUpdated => ["修正を保存しました。", "The changes have been saved."],
    PersonCreated => ["対象者を登録しました。", "The person has been registered."],
    ChangedMeanwhileTitle => [
        "ほかの職員が先に変更しました",
        "Someone else changed this person first",
    ],
    ChangedMeanwhileBody => [
        "この画面の内容は保存されていません。再読み込みして最新の内容を確かめてから、もう一度操作してください。",
        "Nothing from this page was saved. Reload to see the latest data, then try again.",
    ],
    TakenMyNumber => [
        "この個人番号の対象者は既に登録されています。検索して確かめてください。",
        "A person with this My Number is registered already. Please search for them.",
    ],
    TakenBusinessId => [
        "この自治体業務IDの対象者は既に登録されています。検索して確かめてください。",
        "A person with this municipal business ID is registered already. Please search for them.",
    ],
    PmhSectionTitle => ["PMH連携", "PMH linking"],
    LabelPmhStatus => ["PMHキーの取得", "PMH key"],
    LabelPmhFailure => ["失敗の理由", "Why it failed"],
    PmhExplained => [
        "PMHキーを取得すると、本人や代理人がマイナポータルから予防接種の情報を見られるようになります。",
        "Once the PMH key is obtained, the person and their proxies can see their vaccinations on Mynaportal.",
    ],
    FlagsTitle => ["制御フラグ", "Control flags"],
    FlagsLead => [
        "「不開示」または「閲覧停止」にすると、本人や代理人（保護者など）はマイナポータルからこの対象者の情報を一切見られなくなります（DV被害者の保護など）。医療機関と職員の画面には影響しません。",
        "Non-disclosure or viewing suspended hides all of this person's data from the person and their proxies (e.g. parents) on Mynaportal, e.g. to protect victims of domestic violence. Clinic and staff pages are not affected.",
    ],
    HintRecovery => [
        "誤って削除した対象者を復旧している途中であることを示します。",
        "Marks a person being restored after a mistaken deletion.",
    ],
    HintNonDisclosure => [
        "本人・代理人に情報を開示しません。",
        "Do not disclose the data to the person or their proxies.",
    ],
    HintViewingSuspended => [
        "本人・代理人による閲覧を一時的に止めます。",
        "Suspend viewing by the person and their proxies for now.",
    ],
    HiddenFromResident => [
        "現在、本人・代理人には表示されていません。",
        "Currently hidden from the person and their proxies.",
    ],
    SaveFlags => ["制御フラグを保存する", "Save the control flags"],
    FlagsSaved => ["制御フラグを保存しました。", "The control flags have been saved."],
    HistoryTitle => ["変更履歴", "Change history"],
    NoHistory => ["変更の記録はありません。", "No changes are recorded."],
    HistoryCreated => ["登録", "Registered"],
    HistoryUpdated => ["修正", "Edited"],
    HistoryFlags => ["制御フラグの変更", "Control flags changed"],
    HistoryPmhKey => ["PMHキーの設定", "PMH key set"],
    ChangedBy => ["操作者", "By"],
    DuplicatesHereTitle => ["重複の可能性がある対象者", "Possible duplicates"],
    DuplicatesHereLead => [
        "カナ氏名と生年月日が同じで、個人番号が違う対象者です。同じ人が二重に登録されていないか確かめてください。",
        "People with the same kana name and date of birth but another My Number. Please check that nobody is registered twice.",
    ],
    CreatedWithDuplicates => [
        "同じカナ氏名・生年月日の対象者が既にいます。二重登録でないか、下の「重複の可能性がある対象者」で確かめてください。",
        "Someone with the same kana name and date of birth exists. Please check below, under “Possible duplicates”, that this is not a second registration.",
    ],
    AllDuplicates => ["重複の可能性の一覧へ", "All possible duplicates"],
    DeleteSectionTitle => ["対象者の削除", "Delete the person"],
    DeleteLead => [
        "転出や死亡などで対象でなくなった人を削除します。削除は取り消せません。",
        "Delete someone who is no longer a target person (moved out, deceased). This cannot be undone.",
    ],
    DeletePerson => ["この対象者を削除する", "Delete this person"],
    DeleteTitle => ["この対象者を削除しますか", "Delete this person?"],
    DeleteBody => [
        "氏名・住所・個人番号などの個人情報は消去され、元に戻せません。予防接種の記録は、法律で定められた保存期間（5年間）保管してから削除されます。削除したことは操作ログに記録されます。",
        "Personal data such as the name, address and My Number is erased and cannot be restored. Vaccination records are kept for the legal retention period (5 years), then deleted. The deletion is logged.",
    ],
    DeleteConfirm => ["削除する", "Delete"],
    PersonDeleted => ["対象者を削除しました。", "The person has been deleted."],

    // New person
    NewPersonTitle => ["対象者の登録", "Register a target person"],
    NewPersonLead => [
        "健康管理システムからの取込にない対象者を、1人ずつ登録します。取込と同じ決まりで確認します。",
        "Register one person who did not come with an import. The same rules as for imports apply.",
    ],
    RegisterPerson => ["登録する", "Register"],

    // Imports
    ImportsTitle => ["対象者の取込", "Import target persons"],
    ImportsLead => [
        "健康管理システムから出力した対象者情報のCSVファイルを取り込みます。誤りのある行だけが取り込まれず、行と列をエラーレポートで確かめられます。",
        "Import the person CSV file from the health-management system. Only rows with mistakes are left out; the error report names their rows and columns.",
    ],
    ImportFormatTitle => ["ファイルの形式", "File format"],
    ImportFormatBody => [
        "文字コードはShift_JIS（CP932）またはUTF-8。1行目は列名で、列の順番は自由です。行ごとに変更区分（1 新規、2 更新、3 削除）を指定します。",
        "Shift_JIS (CP932) or UTF-8. The first row names the columns, in any order. Each row gives its change kind (1 new, 2 update, 3 delete).",
    ],
    ImportColumnsLink => ["使える列名の一覧", "The list of columns"],
    ImportColumnsTitle => ["列名（日本語または英語）", "Column names (Japanese or English)"],
    ImportColumnsNote => [
        "個人番号、自治体コード、変更区分の列は必ず必要です。削除だけのファイルでは、氏名などの列を省略できます。",
        "The My Number, municipality code and change kind columns are always needed. A file of deletions only may leave out the name and other columns.",
    ],
    LabelCsvFile => ["CSVファイル", "CSV file"],
    HintCsvFile => ["拡張子が .csv のファイル", "A file ending in .csv"],
    EmptyFile => ["取り込むファイルを選んでください。", "Please choose the file to import."],
    StartImport => ["取り込む", "Import"],
    ImportProgressTitle => ["取込の状況", "Import progress"],
    UploadProgress => ["アップロード", "Upload"],
    ProcessProgress => ["取込処理", "Processing"],
    ImportUploading => ["アップロード中", "Uploading"],
    ImportQueued => ["処理待ち（前の取り込みが終わると始まります）", "Waiting (starts when the import before it finishes)"],
    ImportProcessing => ["処理中", "Processing"],
    ImportDone => ["完了", "Done"],
    ImportFailed => ["失敗", "Failed"],
    ImportFinished => ["取込が終わりました。", "The import has finished."],
    ImportFileFailed => ["ファイルを取り込めませんでした", "The file could not be imported"],
    ImportSummaryTitle => ["取込の結果", "Result"],
    CountCreated => ["新規登録", "Created"],
    CountUpdated => ["更新", "Updated"],
    CountDeleted => ["削除", "Deleted"],
    CountUnchanged => ["変更なし", "Unchanged"],
    CountFailed => ["エラー", "Failed"],
    RowsUnit => ["行", "rows"],
    ErrorReportLead => [
        "エラーになった行は取り込まれていません。エラーレポートで行番号と列を確かめ、元のファイルを直して、もう一度取り込んでください。",
        "Rows with errors were not imported. Check their row numbers and columns in the error report, correct the file and import it again.",
    ],
    ErrorReportIn => ["エラーレポートをダウンロード", "Download the error report"],
    EncodingCp932 => ["Shift_JIS（CP932）", "Shift_JIS (CP932)"],
    EncodingUtf8 => ["UTF-8（BOM付き）", "UTF-8 (with BOM)"],
    SameAsFile => ["取り込んだファイルと同じ文字コード", "the imported file's encoding"],
    PastImportsTitle => ["これまでの取込", "Past imports"],
    NoImports => ["取込の記録はありません。", "No imports yet."],
    ColFile => ["ファイル名", "File"],
    ColUploadedBy => ["実行者", "By"],
    ColResult => ["結果", "Result"],
    ErrorReport => ["エラーレポート", "Error report"],

    // Duplicates
    DuplicatesTitle => ["重複の可能性", "Possible duplicates"],
    DuplicatesLead => [
        "カナ氏名と生年月日が同じで、個人番号が違う対象者の組です。同じ人の二重登録なら、誤っている方を削除してください。別人であれば「別人として確認済みにする」を押してください。",
        "Pairs with the same kana name and date of birth but different My Numbers. If both are the same person, delete the wrong one; if they are different people, mark the pair as checked.",
    ],
    NoDuplicates => ["確認が必要な組はありません。", "No pairs to check."],
    FirstPerson => ["1人目", "First person"],
    SecondPerson => ["2人目", "Second person"],
    Dismiss => ["別人として確認済みにする", "Mark as different people"],
    Dismissed => ["別人として確認済みにしました。", "The pair has been marked as different people."],
    OpenPerson => ["詳細を開く", "Open"],

    // PMH
    PmhTitle => ["PMH連携の状況", "PMH linking"],
    PmhLead => [
        "対象者の個人番号からPMHキーを取得する処理の状況です。PMHキーがない対象者は、マイナポータルから情報を見られません。",
        "Where getting PMH keys from My Numbers stands. People without a PMH key cannot see their data on Mynaportal.",
    ],
    PmhWaitingCount => ["取得待ちの人数", "People waiting"],
    PmhFailedTitle => ["取得に失敗した対象者", "Failed"],
    NoPmhFailures => ["失敗した対象者はいません。", "Nobody failed."],
    PmhRetry => ["失敗した対象者をもう一度連携する", "Retry the failed ones"],
    PmhRetried => [
        "失敗した対象者を取得待ちに戻し、連携を始めました。",
        "The failed people are waiting again, and linking has started.",
    ],
    PeopleUnit => ["人", "people"],

    // Exports
    ExportsTitle => ["データの出力", "Exports"],
    ExportsLead => [
        "健康管理システムに戻すデータをCSVで出力します。出力の前に本人確認があり、出力したことは操作ログに記録されます。",
        "Export data for the health-management system as CSV. You confirm it is you first, and every export is logged.",
    ],
    ExportWhat => ["出力するデータ", "What to export"],
    ExportPersons => ["対象者情報（取込と同じ形式）", "Target persons (the import layout)"],
    ExportRecords => ["予防接種記録", "Vaccination records"],
    ExportScope => ["出力する範囲", "Which"],
    ScopeAll => ["すべて", "Everything"],
    ScopeSince => ["指定した日以降に変更されたもの", "Changed on or after a day"],
    LabelSince => ["この日以降の変更", "Changed on or after"],
    EmptySince => ["日付を入力してください。", "Please enter the day."],
    LabelEncoding => ["文字コード", "Encoding"],
    IncludeMyNumber => ["個人番号を含める", "Include My Numbers"],
    HintIncludeMyNumber => [
        "業務で必要なときだけにしてください。含めたことは操作ログに記録されます。",
        "Only when your work needs it. Including them is logged.",
    ],
    // Questionnaire templates
    NavTemplates => ["予診票ひな形", "Questionnaire templates"],
    HomeTemplatesDesc => [
        "住民が入力する予診票の質問・文言・表示条件を、版ごとに編集して公開します。",
        "Edit and publish, version by version, the questions, wording and conditions of the questionnaires residents fill in.",
    ],
    TemplatesTitle => ["予診票ひな形", "Questionnaire templates"],
    TemplatesLead => [
        "予防接種ごとの予診票です。公開済みの版は変更できません。変更するときは下書きを作り、検証してから公開します。住民が新しく始める予診票は、公開した版になります。",
        "One questionnaire per vaccination setting. Published versions never change: make a draft, check it and publish it. Residents' new questionnaires use the version you publish.",
    ],
    ColSetting => ["予防接種設定", "Vaccination setting"],
    ColVersion => ["版", "Version"],
    ColCurrent => ["住民が使う版", "Version in use"],
    ColOrigin => ["作成元", "Origin"],
    ColValidity => ["有効日数", "Valid for (days)"],
    ColPublishedAt => ["公開日時", "Published"],
    ColDraft => ["下書き", "Draft"],
    OriginShipped => ["標準（国の様式）", "Standard (national form)"],
    OriginMunicipality => ["自治体で作成", "Made by the municipality"],
    NoDraft => ["なし", "None"],
    BackToTemplates => ["予診票ひな形の一覧へ", "Back to the templates"],
    VersionsTitle => ["版の一覧", "Versions"],
    DraftFrom => ["この版から下書きを作る", "Make a draft from this version"],
    DraftCreated => ["下書きを作りました。", "Draft made."],
    DraftSaved => ["下書きを保存しました。", "Draft saved."],
    DraftDeleted => ["下書きを削除しました。", "Draft deleted."],
    DraftUnsaved => ["保存していない変更があります。", "There are unsaved changes."],
    DraftLead => [
        "項目を選んで、文言・必須・表示条件を編集します。保存してから検証し、問題がなければ公開できます。",
        "Choose an item to edit its wording, whether it is required and when it is shown. Save, check, and publish when nothing is wrong.",
    ],
    LabelValidityDays => ["有効日数（送信した日から何日使えるか、1〜365）", "Valid for (days after sending, 1–365)"],
    LabelTextLang => ["編集する文言の言語", "Language of the wording you edit"],
    HintTextLang => [
        "日本語が正式な文言です。翻訳のない文言は日本語で表示されます。",
        "Japanese is the authoritative wording. Wording without a translation is shown in Japanese.",
    ],
    LabelFormTitle => ["予診票の題名", "Title of the form"],
    LabelIntro => ["説明文", "Introduction"],
    LabelSectionTitle => ["見出し", "Heading"],
    SectionHeading => ["セクション", "Section"],
    ColItem => ["項目ID", "Item"],
    ColRequired => ["必須", "Required"],
    ColCondition => ["表示条件", "Shown when"],
    ConditionAlways => ["常に表示", "Always"],
    EditItem => ["編集", "Edit"],
    CloseItem => ["閉じる", "Close"],
    LabelQuestion => ["質問文", "Question"],
    LabelDetailPrompt => ["詳細欄の見出し", "Heading of the detail box"],
    LabelOptionText => ["選択肢", "Option"],
    LabelAgreeText => ["同意する場合の文言", "Wording for agreeing"],
    LabelDisagreeText => ["同意しない場合の文言", "Wording for not agreeing"],
    LabelSignerNameText => ["署名者の氏名欄の見出し", "Heading of the signer's name"],
    LabelRelationshipText => ["続柄欄の見出し", "Heading of the relationship"],
    LabelRequiredItem => ["回答を必須にする", "An answer is required"],
    LabelCondition => ["表示条件（JSON）", "Shown when (JSON)"],
    HintCondition => [
        "空欄なら常に表示します。例: {\"item\": \"convulsion\", \"equals\": \"yes\"}。複数の条件は {\"any\": [...]}（いずれか）または {\"all\": [...]}（すべて）で組み合わせます。条件にできるのは、前にある「はい/いいえ」と選択式の項目です。",
        "Empty means always shown. Example: {\"item\": \"convulsion\", \"equals\": \"yes\"}. Combine conditions with {\"any\": [...]} (either) or {\"all\": [...]} (every). Conditions can use earlier yes/no and choice items.",
    ],
    ConditionUnreadable => [
        "JSONとして読めないため、表示条件は変わっていません。書き方を直してください",
        "This is not valid JSON, so the condition has not changed; correct the notation",
    ],
    DoctorItem => ["医師記入", "Doctor"],
    KindYesNo => ["はい/いいえ", "Yes/no"],
    KindSingle => ["1つ選択", "One choice"],
    KindMultiple => ["複数選択", "Several choices"],
    KindNumber => ["数値", "Number"],
    KindDate => ["日付", "Date"],
    KindText => ["自由記述", "Text"],
    KindConsent => ["同意欄", "Consent"],
    SaveDraftButton => ["下書きを保存", "Save the draft"],
    ValidateButton => ["検証する", "Check"],
    PreviewButton => ["プレビュー", "Preview"],
    ClosePreview => ["プレビューを閉じる", "Close the preview"],
    PublishButton => ["公開する", "Publish"],
    DeleteDraftButton => ["下書きを削除", "Delete the draft"],
    DeleteDraftConfirm => ["本当に削除する", "Yes, delete it"],
    CheckTitle => ["検証の結果", "Check result"],
    CheckValid => ["問題はありません。公開できます。", "Nothing is wrong: it can be published."],
    CheckInvalid => ["公開する前に、次の問題を直してください。", "Correct these problems before publishing."],
    CheckAtTemplate => ["予診票全体", "The whole form"],
    MissingTextsTitle => [
        "翻訳がなく日本語で表示される文言",
        "Wording without a translation (shown in Japanese)",
    ],
    PreviewTitle => ["スマートフォンでの表示（幅360px）", "On a phone (360 px wide)"],
    PreviewLang => ["プレビューの言語", "Preview language"],
    PreviewNote => [
        "回答を入れると、表示条件どおりに質問が出たり消えたりします。ここでの回答は保存されません。",
        "Answer to see questions appear and disappear as their conditions say. Nothing here is saved.",
    ],
    PublishTitle => ["この下書きを公開しますか", "Publish this draft?"],
    PublishBody => [
        "公開した版は変更できません。公開後に住民が始める予診票はこの版になります。入力中・送信済みの予診票は元の版のままです。",
        "A published version cannot be changed. Questionnaires residents start afterwards use it; ones already started or sent keep their version.",
    ],
    PublishDone => ["公開しました。", "Published."],
    ReadOnlyVersion => [
        "公開済みの版は変更できません。変更するには、この版から下書きを作ってください。",
        "A published version cannot be changed. To change it, make a draft from it.",
    ],
    DraftOf => ["下書き", "Draft"],
    CurrentContent => ["現在の版の内容", "Content of the version in use"],

    // Worklist of 未接種者 and recommendation rules (接種勧奨)
    NavWorklist => ["未接種者一覧", "Unvaccinated people"],
    NavRecoRules => ["接種勧奨ルール", "Recommendation rules"],
    HomeWorklistDesc => [
        "予防接種ごとに、標準的な接種期間を過ぎた人やまだ接種していない人を一覧にし、CSVで出力します。",
        "List, per vaccination, the people past the standard period or not yet vaccinated, and download them as CSV.",
    ],
    HomeRecoRulesDesc => [
        "接種勧奨・再勧奨のお知らせを送る条件と文面を編集し、毎日の実行の結果を確かめます。",
        "Edit when recommendation and reminder notices are sent and their wording, and check the daily runs.",
    ],
    WorklistTitle => ["未接種者一覧", "People not yet vaccinated"],
    WorklistLead => [
        "毎日午前6時の集計から、予防接種ごとに標準的な接種期間を過ぎた人、まだ接種していない人を表示します。担当する事務以外の対象者は表示されません。",
        "From the daily run at 6:00: per vaccination, the people past the standard period or with no dose yet. People outside your duties are not shown.",
    ],
    WorklistFilterTitle => ["表示する条件", "What to show"],
    LabelVaccination => ["予防接種", "Vaccination"],
    ChooseVaccination => ["選んでください", "Choose one"],
    EmptyVaccination => ["予防接種を選んでください。", "Please choose the vaccination."],
    LabelWorklistStatus => ["状況", "Status"],
    WorklistOverdue => ["期限超過（標準的な接種期間を過ぎた人）", "Overdue (past the standard period)"],
    WorklistNever => ["未接種（まだ接種していない人）", "Not vaccinated (no dose yet)"],
    LabelAgeFrom => ["年齢（から）", "Age from"],
    LabelAgeTo => ["年齢（まで）", "Age to"],
    HintAge => [
        "満年齢を0〜130の数字で。空欄なら制限しません。",
        "Whole years, 0 to 130. Leave empty for no limit.",
    ],
    BadAge => ["0〜130の数字で入力してください。", "Please enter a number from 0 to 130."],
    AgeOrder => [
        "「年齢（まで）」は「年齢（から）」以上にしてください。",
        "“Age to” must not be below “Age from”.",
    ],
    ShowList => ["一覧を表示する", "Show the list"],
    WorklistNoRun => [
        "まだ集計がありません。一覧は毎日午前6時に作られます。明日以降にもう一度表示してください。",
        "There is no run yet. The list is made every day at 6:00; please look again tomorrow.",
    ],
    WorklistEmpty => [
        "条件に合う人はいません。担当する事務以外の対象者は表示されません。",
        "Nobody matches. People outside your duties are not shown.",
    ],
    WorklistRowsTitle => ["該当する人", "People found"],
    ColAge => ["年齢", "Age"],
    ColDoses => ["接種済／必要回数", "Doses given / needed"],
    ColEarliest => ["接種可能日", "Can be given from"],
    ColLatest => ["接種期限", "Last day"],
    ColLastRecommended => ["最終勧奨日", "Last recommended"],
    NoEndDate => ["期限なし", "No end date"],
    NoneYet => ["なし", "None"],
    WorklistCsvTitle => ["CSVで出力", "Download as CSV"],
    WorklistCsvLead => [
        "表示中の条件に合う全員を出力します（個人番号は含みません）。出力の前に本人確認があり、出力したことは操作ログに記録されます。",
        "Downloads everyone matching the conditions shown (no My Numbers). You confirm it is you first, and the download is logged.",
    ],
    WorklistNeedsExport => [
        "CSVの出力には「データの出力」の権限が必要です。必要な場合は管理者に依頼してください。",
        "Downloading needs the export permission. Ask your administrator if you need it.",
    ],
    SchedComplete => ["接種済み", "Complete"],
    SchedDueNow => ["接種時期", "Due now"],
    SchedUpcoming => ["接種時期前", "Upcoming"],
    SchedOverdue => ["期限超過", "Overdue"],
    SchedTooEarly => ["接種可能（標準期間前）", "Possible early"],
    SchedPastEligibility => ["対象期間終了", "Eligibility ended"],
    SchedIntervalNotMet => ["間隔待ち", "Waiting for the interval"],
    SchedNotApplicable => ["対象外", "Does not apply"],

    // Person detail: schedule and notices
    ScheduleTitle => ["予防接種の状況", "Vaccination schedule"],
    ScheduleLead => [
        "接種記録をもとに、予防接種ごとの状況と次に接種できる日を表示しています。",
        "From the vaccination records: where each vaccination stands and when the next dose may be given.",
    ],
    ColRecommendedDay => ["推奨日", "Recommended"],
    ColNextDose => ["次の回", "Next dose"],
    RecommendationInfo => ["勧奨情報（最新の勧奨）", "Latest recommendation"],
    LabelRuleId => ["ルールID", "Rule ID"],
    LabelRecommendedOn => ["勧奨日", "Recommended on"],
    NoRecommendation => ["まだ勧奨していません。", "No recommendation yet."],
    ShowNotApplicable => ["対象外の予防接種も表示する", "Also show vaccinations that do not apply"],
    NoScheduleEntries => ["表示する予防接種はありません。", "No vaccinations to show."],
    NoticesTitle => ["送ったお知らせ（接種勧奨）", "Notices (recommendations)"],
    NoNotices => ["この対象者へのお知らせはありません。", "No notices for this person."],
    ColNoticeTitle => ["件名", "Title"],
    ColDelivery => ["配信状況", "Delivery"],
    ColRead => ["既読", "Read"],
    DeliveryPending => ["配信待ち", "Pending"],
    DeliveryDelivered => ["配信済み", "Delivered"],
    DeliveryFailed => ["配信失敗", "Failed"],
    DeliverySuppressed => ["送信停止", "Not sent"],
    WhyNotLinked => ["マイナポータル未連携", "Not linked to Mynaportal"],
    WhyControlFlag => ["制御フラグ（不開示・閲覧停止）", "Control flag (non-disclosure or viewing suspended)"],
    WhyRecovery => ["リカバリー中", "Being recovered"],
    WhyTimeout => ["応答なし", "No answer"],
    WhyUnavailable => ["マイナポータル停止中", "Mynaportal unavailable"],
    WhyRejected => ["受付拒否", "Rejected"],
    NextAttempt => ["次の試行", "Next attempt"],

    // Recommendation rules
    RecoRulesTitle => ["接種勧奨ルール", "Recommendation rules"],
    RecoRulesLead => [
        "予防接種の状況に応じて、マイナポータルへお知らせ（接種勧奨・再勧奨）を送る条件と文面です。毎日午前6時の実行で使われ、保存すると次の実行から適用されます。",
        "When notices (recommendations and reminders) go to residents through Mynaportal, and what they say. The daily run at 6:00 uses them; saved changes apply from the next run.",
    ],
    RulesDefault => [
        "現在は標準のルールを使っています。保存すると、この自治体独自のルールになります。",
        "The standard rules apply now. Saving makes them this municipality's own.",
    ],
    RulesListTitle => ["ルールの一覧", "Rules"],
    ColRuleName => ["名前", "Name"],
    ColTrigger => ["送る時期", "When"],
    ColTargets => ["対象", "Covers"],
    ColEnabled => ["使用", "In use"],
    TriggerUpcoming => ["接種時期の前", "Before the period opens"],
    TriggerDueNow => ["接種時期になったとき", "When due"],
    TriggerOverdue => ["期限超過（再勧奨）", "Overdue (reminder)"],
    SeriesCatA => ["A類", "Category A"],
    SeriesCatB => ["B類", "Category B"],
    SeriesVoluntary => ["任意接種", "Voluntary"],
    RuleOff => ["停止中", "Off"],
    EditRuleButton => ["編集する", "Edit"],
    RuleEditorTitle => ["ルールの編集", "Edit the rule"],
    LabelRuleNameJa => ["名前（日本語）", "Name (Japanese)"],
    LabelRuleNameEn => ["名前（英語）", "Name (English)"],
    LabelRuleEnabled => ["このルールを使う", "Use this rule"],
    TargetsLegend => ["対象の予防接種", "Vaccinations it covers"],
    TargetsHint => [
        "区分（A類など）でまとめて、または予防接種を個別に選びます。少なくとも1つ必要です。",
        "Choose whole categories (e.g. Category A) or single vaccinations; at least one.",
    ],
    SeriesLegend => ["予防接種を個別に", "Single vaccinations"],
    TriggerLegend => ["送る時期", "When to send"],
    LabelDaysBefore => ["接種時期の何日前に送るか（1〜180）", "Days before the period opens (1–180)"],
    LabelEveryDays => ["再勧奨の間隔（日数、7〜365）", "Days between reminders (7–365)"],
    LabelMaxTimes => ["1回の接種につき最大何回送るか（1〜12）", "Most reminders per dose (1–12)"],
    LabelQuietDays => [
        "ほかのお知らせの後に送らない期間（日数、0〜365）",
        "Quiet period after any other notice (days, 0–365)",
    ],
    HintQuietDays => [
        "同じ日に作られたお知らせは1回と数えます。送らなかったお知らせは、期間の後の実行で送られます。",
        "Notices of one day count as one contact. A notice held back is sent by a run after the period.",
    ],
    TextsLegendJa => ["文面（日本語）", "Wording (Japanese)"],
    TextsLegendEn => ["文面（英語）", "Wording (English)"],
    LabelNoticeTitleJa => ["件名（日本語）", "Title (Japanese)"],
    LabelNoticeBodyJa => ["本文（日本語）", "Body (Japanese)"],
    LabelNoticeTitleEn => ["件名（英語）", "Title (English)"],
    LabelNoticeBodyEn => ["本文（英語）", "Body (English)"],
    PlaceholdersTitle => ["差し込み項目", "Placeholders"],
    PlaceholdersLead => [
        "文面の中の差し込み項目は、送るときにその人の内容に置き換わります。ボタンを押すと、最後に選んだ文面のカーソルの位置に入ります。波括弧は差し込み項目にだけ使えます。",
        "Placeholders in the wording are replaced for each person when sent. A button inserts one at the cursor of the wording you chose last. Braces are for placeholders only.",
    ],
    PhVaccination => ["予防接種の名前と回（例：ヒブ（初回2回目））", "The vaccination and dose"],
    PhOpensOn => ["接種できる最初の日", "The first day it may be given"],
    PhLatest => ["定期接種として受けられる最後の日", "The last day it counts as routine"],
    PhMunicipality => ["自治体名", "The municipality's name"],
    PhContact => ["問い合わせ先（下で設定）", "The contact line (set below)"],
    ContactTitle => ["問い合わせ先", "Contact line"],
    LabelContactJa => ["問い合わせ先（日本語）", "Contact (Japanese)"],
    LabelContactEn => ["問い合わせ先（英語）", "Contact (English)"],
    SaveRules => ["ルールを保存する", "Save the rules"],
    RulesSaved => [
        "ルールを保存しました。次の実行から使われます。",
        "The rules have been saved; the next run uses them.",
    ],
    RulesValid => ["問題はありません。保存できます。", "Nothing is wrong: the rules can be saved."],
    RulesInvalid => ["保存する前に、次の問題を直してください。", "Correct these problems before saving."],
    RuleSetLevel => ["ルール全体", "All rules"],
    GoToField => ["この項目へ", "Go to it"],
    StaleRulesTitle => ["ほかの職員が先にルールを保存しました", "Someone else saved the rules first"],
    StaleRulesBody => [
        "この画面の変更は保存されていません。再読み込みして最新のルールを確かめてから、もう一度編集してください。",
        "Nothing from this page was saved. Reload to see the latest rules, then edit them again.",
    ],
    PreviewSectionTitle => ["プレビュー", "Preview"],
    LabelPreviewSubject => ["予防接種対象者番号（任意）", "Subject number (optional)"],
    HintPreviewSubject => [
        "入力すると、次回の実行でその人に送られる内容と、送られない場合の理由を表示します。空欄なら見本の値で表示します。何も送信・保存されません。",
        "With a number: what the next run would send that person, and why not if held back. Empty: sample values. Nothing is sent or saved.",
    ],
    PreviewSample => ["見本の値で表示しています。", "Shown with sample values."],
    PreviewForPerson => ["この対象者への次回の内容です。", "What the next run would send this person."],
    PreviewNone => [
        "次回の実行では、このルールでこの対象者に送るお知らせはありません（対象の予防接種がこのルールの時期ではありません）。",
        "The next run would send this person nothing under this rule (none of its vaccinations is at this rule's stage).",
    ],
    HeldBack => ["送られない理由", "Held back"],
    HeldQuiet => ["送らない期間中", "Quiet period"],
    HeldAlready => ["送信済み", "Already sent"],
    HeldControlFlag => ["制御フラグ", "Control flag"],
    WillSend => ["送られます", "Would be sent"],
    LangJa => ["日本語", "Japanese"],
    LangEn => ["英語", "English"],
    RunsTitle => ["最近の実行", "Recent runs"],
    NoRuns => ["まだ実行されていません。", "No runs yet."],
    ColRunOn => ["実行日", "Day"],
    ColFinishedAt => ["終了時刻", "Finished"],
    ColPersons => ["対象者数", "Persons"],
    ColRunErrors => ["エラー", "Errors"],
    ColWorklistEntries => ["未接種者一覧の件数", "Worklist entries"],
    ColPerRule => [
        "ルールごと（作成・配信・失敗・停止・未連携）",
        "Per rule (created, delivered, failed, not sent, not linked)",
    ],

}

impl Msg {
    /// The text in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let [ja, en] = self.texts();
        match lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// The language in context, with the staff table. `Copy`, so closures in views can capture it.
#[derive(Debug, Clone, Copy)]
pub struct Tx(I18n);

impl Tx {
    /// The current language (reactive).
    pub fn lang(self) -> Lang {
        self.0.lang()
    }

    /// The text of `msg` in the current language (reactive).
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.0.lang())
    }

    /// One of two strings by language (names that come in both, e.g. roles).
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self.0.lang() {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// The staff texts in the current language.
pub fn use_tx() -> Tx {
    Tx(use_i18n())
}

/// Sets `document.title` to `<page> | <service>` in the current language (WCAG 2.4.2).
pub fn use_title(page: Msg) {
    let tx = use_tx();
    Effect::new(move |_| {
        let lang = tx.lang();
        document().set_title(&format!(
            "{} | {}",
            page.text(lang),
            Msg::ServiceName.text(lang)
        ));
    });
}

/// The API's messages are written `日本語 / English`; this picks the half for `lang`, or gives
/// the message whole when it is not in that form.
pub fn api_message(lang: Lang, message: &str) -> &str {
    match message.split_once(" / ") {
        Some((ja, en)) => match lang {
            Lang::Ja => ja.trim(),
            Lang::En => en.trim(),
        },
        None => message,
    }
}

/// A wait as people say it: `3分20秒` or `3 min 20 s`.
pub fn format_wait(lang: Lang, seconds: u64) -> String {
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    match (lang, minutes, seconds) {
        (Lang::Ja, 0, s) => format!("{s}秒"),
        (Lang::Ja, m, 0) => format!("{m}分"),
        (Lang::Ja, m, s) => format!("{m}分{s}秒"),
        (Lang::En, 0, s) => format!("{s} s"),
        (Lang::En, m, 0) => format!("{m} min"),
        (Lang::En, m, s) => format!("{m} min {s} s"),
    }
}

/// When the session ends: the time of day it ends regardless, and the idle limit.
pub fn format_session_end(lang: Lang, ends_at: &str, idle_s: u64) -> String {
    let idle_min = idle_s.div_ceil(60);
    match lang {
        Lang::Ja => format!("{ends_at}まで（操作がないと{idle_min}分で終了）"),
        Lang::En => format!("until {ends_at} (ends after {idle_min} min without activity)"),
    }
}

/// `2026-04-01 09:05` from the parts of a local time.
pub fn format_local(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> String {
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}")
}

/// An RFC 3339 time from the API in the browser's time zone (the staff's, i.e. Japan's), or the
/// text as sent if the browser cannot read it.
pub fn local_time(rfc3339: &str) -> String {
    let date = Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format_local(
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
    )
}

/// `HH:MM` of a moment given in milliseconds since the epoch, in the browser's time zone.
pub fn local_clock(ms: f64) -> String {
    let date = Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

pub fn permission_label(lang: Lang, permission: Permission) -> &'static str {
    match lang {
        Lang::Ja => permission.label_ja(),
        Lang::En => permission.label_en(),
    }
}

pub fn duty_label(lang: Lang, duty: Duty) -> &'static str {
    match lang {
        Lang::Ja => duty.label_ja(),
        Lang::En => duty.label_en(),
    }
}

pub fn class_label(lang: Lang, class: UserClass) -> &'static str {
    match class {
        UserClass::MunicipalStaff => Msg::ClassMunicipal.text(lang),
        UserClass::ClinicStaff => Msg::ClassClinic.text(lang),
    }
}

pub fn status_label(lang: Lang, status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Pending => Msg::StatusPending.text(lang),
        RequestStatus::Approved => Msg::StatusApproved.text(lang),
        RequestStatus::Rejected => Msg::StatusRejected.text(lang),
    }
}

pub fn outcome_label(lang: Lang, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allowed => Msg::OutcomeAllowed.text(lang),
        Outcome::Denied => Msg::OutcomeDenied.text(lang),
        Outcome::Failed => Msg::OutcomeFailed.text(lang),
    }
}

pub fn alert_label(lang: Lang, kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::FailedLoginBurst => Msg::AlertFailedLogins.text(lang),
        AlertKind::OutsideNetwork => Msg::AlertOutsideNetwork.text(lang),
        AlertKind::CrossTenantAttempt => Msg::AlertCrossTenant.text(lang),
        AlertKind::LargeRead => Msg::AlertLargeRead.text(lang),
        AlertKind::MyNumberViews => Msg::AlertMyNumberViews.text(lang),
        AlertKind::PmhMismatch => Msg::AlertPmhMismatch.text(lang),
    }
}

/// A chain problem's kind (`edited`, `missing`, …) in words; an unknown kind as sent.
pub fn chain_problem_label(lang: Lang, kind: &str) -> String {
    let msg = match kind {
        "edited" => Msg::ChainEdited,
        "missing" => Msg::ChainMissing,
        "inserted" => Msg::ChainInserted,
        "reordered" => Msg::ChainReordered,
        "truncated" => Msg::ChainTruncated,
        other => return other.to_owned(),
    };
    msg.text(lang).to_owned()
}

/// The label of a person field, as the form and the history show it.
pub fn field_label(field: PersonField) -> Msg {
    match field {
        PersonField::MyNumber => Msg::LabelMyNumber,
        PersonField::Name => Msg::LabelName,
        PersonField::NameKana => Msg::LabelNameKana,
        PersonField::BirthDate => Msg::LabelBirthDate,
        PersonField::Sex => Msg::LabelSex,
        PersonField::Address => Msg::LabelAddress,
        PersonField::GuardianName => Msg::LabelGuardian,
        PersonField::MunicipalityCode => Msg::LabelMunicipalityCode,
        PersonField::MunicipalBusinessId => Msg::LabelBusinessId,
        PersonField::ChangeKind => Msg::LabelChangeKind,
        PersonField::MovedOutOn => Msg::LabelMovedOutOn,
        PersonField::MovedOutReason => Msg::LabelMovedOutReason,
        PersonField::OtherManagementNo => Msg::LabelOtherNo,
        PersonField::SubjectCategory => Msg::LabelSubjectCategory,
        PersonField::FeeExemption => Msg::LabelFeeExemption,
        PersonField::Recovery => Msg::FlagRecovery,
        PersonField::NonDisclosure => Msg::FlagNonDisclosure,
        PersonField::ViewingSuspended => Msg::FlagViewingSuspended,
    }
}

/// A field named in snake_case (as the history names it) in words; an unknown name as sent.
pub fn field_name_label(lang: Lang, name: &str) -> String {
    if name == "pmh_key" {
        return Msg::LabelPmhKey.text(lang).to_owned();
    }
    PersonField::ALL
        .into_iter()
        .find(|field| field.column_en() == name)
        .map_or_else(
            || name.to_owned(),
            |field| field_label(field).text(lang).to_owned(),
        )
}

/// `male`/`female` (lists) or `1`/`2` (form values) in words; anything else as sent.
pub fn sex_label(lang: Lang, sex: &str) -> String {
    match sex {
        "male" | "1" => Msg::SexMale.text(lang).to_owned(),
        "female" | "2" => Msg::SexFemale.text(lang).to_owned(),
        other => other.to_owned(),
    }
}

pub fn pmh_label(lang: Lang, status: PmhStatus) -> &'static str {
    match status {
        PmhStatus::Waiting => Msg::PmhWaiting.text(lang),
        PmhStatus::Assigned => Msg::PmhAssigned.text(lang),
        PmhStatus::Failed => Msg::PmhFailed.text(lang),
    }
}

/// The tag class of a PMH status: failures stand out, waiting is muted.
pub fn pmh_tag(status: PmhStatus) -> &'static str {
    match status {
        PmhStatus::Waiting => "tag tag--muted",
        PmhStatus::Assigned => "tag",
        PmhStatus::Failed => "tag tag--attention",
    }
}

/// The 接種対象者区分 choices, `(code, label)`.
pub const CATEGORIES: [(&str, Msg); 4] = [
    ("1", Msg::CategoryRoutine),
    ("2", Msg::CategoryLongTerm),
    ("3", Msg::CategoryDisabled),
    ("4", Msg::CategoryVoluntary),
];

/// The 減免区分 choices, `(code, label)`.
pub const FEE_EXEMPTIONS: [(&str, Msg); 3] = [
    ("0", Msg::FeeNone),
    ("1", Msg::FeeFull),
    ("2", Msg::FeePartial),
];

/// A subject category by code (`1`) or by name (`routine`) in words; anything else as sent.
pub fn category_label(lang: Lang, value: &str) -> String {
    let code = match value {
        "routine" => "1",
        "long_term_illness_exception" => "2",
        "disabled_aged60_to64" => "3",
        "subsidised_voluntary" => "4",
        code => code,
    };
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| value.to_owned(), |(_, msg)| msg.text(lang).to_owned())
}

/// A fee exemption by code (`0`) or by name (`none`) in words; anything else as sent.
pub fn fee_label(lang: Lang, value: &str) -> String {
    let code = match value {
        "none" => "0",
        "full" => "1",
        "partial" => "2",
        code => code,
    };
    FEE_EXEMPTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| value.to_owned(), |(_, msg)| msg.text(lang).to_owned())
}

pub fn import_state_label(lang: Lang, state: ImportState) -> &'static str {
    match state {
        ImportState::Uploading => Msg::ImportUploading.text(lang),
        ImportState::Queued => Msg::ImportQueued.text(lang),
        ImportState::Processing => Msg::ImportProcessing.text(lang),
        ImportState::Done => Msg::ImportDone.text(lang),
        ImportState::Failed => Msg::ImportFailed.text(lang),
    }
}

/// What kind of change a history entry is, in words; an unknown kind as sent.
pub fn history_kind_label(lang: Lang, kind: &str) -> String {
    let msg = match kind {
        "created" => Msg::HistoryCreated,
        "updated" => Msg::HistoryUpdated,
        "control_flags" => Msg::HistoryFlags,
        "pmh_key" => Msg::HistoryPmhKey,
        other => return other.to_owned(),
    };
    msg.text(lang).to_owned()
}

/// A value in the history in words where it is a code (sex, category, exemption, flags);
/// other values as stored, and an empty one as "(empty)".
pub fn history_value(lang: Lang, field: &str, value: Option<&str>) -> String {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Msg::Blank.text(lang).to_owned();
    };
    match field {
        "sex" => sex_label(lang, value),
        "subject_category" => category_label(lang, value),
        "fee_exemption" => fee_label(lang, value),
        "recovery" | "non_disclosure" | "viewing_suspended" => match value {
            "1" => Msg::Yes.text(lang).to_owned(),
            "0" => Msg::No.text(lang).to_owned(),
            other => other.to_owned(),
        },
        _ => value.to_owned(),
    }
}

/// The schedule engine's status code (`overdue`, `due_now`, …) in words; unknown codes as sent.
pub fn schedule_status_label(lang: Lang, code: &str) -> String {
    let msg = match code {
        "complete" => Msg::SchedComplete,
        "due_now" => Msg::SchedDueNow,
        "upcoming" => Msg::SchedUpcoming,
        "overdue" => Msg::SchedOverdue,
        "too_early" => Msg::SchedTooEarly,
        "past_eligibility" => Msg::SchedPastEligibility,
        "interval_not_met" => Msg::SchedIntervalNotMet,
        "not_applicable" => Msg::SchedNotApplicable,
        other => return other.to_owned(),
    };
    msg.text(lang).to_owned()
}

/// The tag class of a schedule status: what needs action stands out, what is done is muted.
pub fn schedule_status_tag(code: &str) -> &'static str {
    match code {
        "overdue" => "tag tag--attention",
        "complete" | "not_applicable" | "past_eligibility" => "tag tag--muted",
        _ => "tag",
    }
}

/// A delivery's reason (`not_linked`, `rejected:<code>`, …) in words; unknown ones as sent.
pub fn delivery_reason_label(lang: Lang, reason: &str) -> String {
    let (head, detail) = match reason.split_once(':') {
        Some((head, detail)) => (head, Some(detail)),
        None => (reason, None),
    };
    let msg = match head {
        "not_linked" => Msg::WhyNotLinked,
        "control_flag" => Msg::WhyControlFlag,
        "recovery" => Msg::WhyRecovery,
        "timeout" => Msg::WhyTimeout,
        "unavailable" => Msg::WhyUnavailable,
        "rejected" => Msg::WhyRejected,
        _ => return reason.to_owned(),
    };
    match detail {
        Some(detail) => format!("{} ({detail})", msg.text(lang)),
        None => msg.text(lang).to_owned(),
    }
}

/// Why a previewed notice would not be sent now, in words; unknown reasons as sent.
pub fn held_back_label(lang: Lang, reason: &str) -> String {
    let msg = match reason {
        "quiet_period" => Msg::HeldQuiet,
        "already_sent" => Msg::HeldAlready,
        "control_flag" => Msg::HeldControlFlag,
        other => return other.to_owned(),
    };
    msg.text(lang).to_owned()
}

/// A rule's trigger in a few words: `接種時期の前（14日前）`, `Overdue (reminder): every 30 days, up to 3`.
pub fn trigger_summary(lang: Lang, trigger: sesshu_domain::recommendation::Trigger) -> String {
    use sesshu_domain::recommendation::Trigger;
    match (lang, trigger) {
        (_, Trigger::DueNow) => Msg::TriggerDueNow.text(lang).to_owned(),
        (Lang::Ja, Trigger::Upcoming { days_before }) => {
            format!("{}（{days_before}日前）", Msg::TriggerUpcoming.text(lang))
        }
        (Lang::En, Trigger::Upcoming { days_before }) => {
            format!("{} ({days_before} days)", Msg::TriggerUpcoming.text(lang))
        }
        (
            Lang::Ja,
            Trigger::Overdue {
                every_days,
                max_times,
            },
        ) => format!(
            "{}（{every_days}日ごと・{max_times}回まで）",
            Msg::TriggerOverdue.text(lang)
        ),
        (
            Lang::En,
            Trigger::Overdue {
                every_days,
                max_times,
            },
        ) => format!(
            "{}: every {every_days} days, up to {max_times}",
            Msg::TriggerOverdue.text(lang)
        ),
    }
}

/// One rule's counts of a run: `A-DUE：作成3・配信2・失敗0・停止0・未連携1`.
pub fn format_rule_counts(
    lang: Lang,
    counts: &sesshu_domain::schedule_api::RuleRunCounts,
) -> String {
    let c = counts;
    match lang {
        Lang::Ja => format!(
            "{}：作成{}・配信{}・失敗{}・停止{}・未連携{}",
            c.rule_id, c.created, c.delivered, c.failed, c.suppressed, c.not_linked
        ),
        Lang::En => format!(
            "{}: {} created, {} delivered, {} failed, {} not sent, {} not linked",
            c.rule_id, c.created, c.delivered, c.failed, c.suppressed, c.not_linked
        ),
    }
}

/// Which day's run a worklist comes from.
pub fn format_run_on(lang: Lang, day: &str) -> String {
    match lang {
        Lang::Ja => format!("{day} の集計（毎日午前6時に更新）"),
        Lang::En => format!("From the run of {day} (updated every day at 6:00)"),
    }
}

/// How many delivery attempts were made.
pub fn format_attempts(lang: Lang, attempts: u32) -> String {
    match lang {
        Lang::Ja => format!("{attempts}回試行"),
        Lang::En if attempts == 1 => "1 attempt".to_owned(),
        Lang::En => format!("{attempts} attempts"),
    }
}

/// The rule set's version as people say it.
pub fn format_rules_version(lang: Lang, version: u64) -> String {
    match lang {
        Lang::Ja => format!("第{version}版"),
        Lang::En => format!("Version {version}"),
    }
}

/// `2026-04-01 09:05` in Japan's time (where every municipality is).
pub fn japan_time(at: time::OffsetDateTime) -> String {
    let t = at.to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format_local(
        t.year().unsigned_abs(),
        u32::from(u8::from(t.month())),
        u32::from(t.day()),
        u32::from(t.hour()),
        u32::from(t.minute()),
    )
}

/// A count with its unit as each language writes it: `3行`, `3 rows`.
pub fn format_count(lang: Lang, count: u64, unit: Msg) -> String {
    match lang {
        Lang::Ja => format!("{count}{}", unit.text(lang)),
        Lang::En => format!("{count} {}", unit.text(lang)),
    }
}

/// Which page of results is shown and how many are on it.
pub fn format_results(lang: Lang, page: u32, count: usize) -> String {
    match lang {
        Lang::Ja => format!("{page}ページ目・{count}件を表示中"),
        Lang::En => format!("Page {page}: {count} shown"),
    }
}

/// The heading of the `n`th possible-duplicate pair.
pub fn format_pair(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Ja => format!("{n}組目"),
        Lang::En => format!("Pair {n}"),
    }
}

/// A size for people: `820 B`, `12.4 KB`, `3.1 MB`.
pub fn format_bytes(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    // Tenths by integer arithmetic: exact enough, and no float formatting quirks.
    let tenths = |unit: u64| {
        let t = bytes * 10 / unit;
        format!("{}.{}", t / 10, t % 10)
    };
    if bytes < KB {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} KB", tenths(KB))
    } else {
        format!("{} MB", tenths(MB))
    }
}

/// How far `done` is of `total`, in whole percent (100 for an empty total).
pub fn percent(done: u64, total: u64) -> u64 {
    (done.min(total) * 100).checked_div(total).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn schedule_and_delivery_codes_read_as_words_and_unknown_ones_as_sent() {
        assert_eq!(schedule_status_label(Lang::Ja, "overdue"), "期限超過");
        assert_eq!(schedule_status_label(Lang::En, "soon"), "soon");
        assert_eq!(schedule_status_tag("overdue"), "tag tag--attention");
        assert_eq!(
            delivery_reason_label(Lang::En, "rejected:E12"),
            "Rejected (E12)"
        );
        assert_eq!(
            delivery_reason_label(Lang::Ja, "not_linked"),
            "マイナポータル未連携"
        );
        assert_eq!(delivery_reason_label(Lang::Ja, "other"), "other");
        assert_eq!(held_back_label(Lang::Ja, "quiet_period"), "送らない期間中");
    }

    #[test]
    fn triggers_and_run_counts_are_summed_up_per_language() {
        use sesshu_domain::recommendation::Trigger;
        assert_eq!(
            trigger_summary(Lang::Ja, Trigger::Upcoming { days_before: 14 }),
            "接種時期の前（14日前）"
        );
        assert_eq!(
            trigger_summary(
                Lang::En,
                Trigger::Overdue {
                    every_days: 30,
                    max_times: 3
                }
            ),
            "Overdue (reminder): every 30 days, up to 3"
        );
        let counts = sesshu_domain::schedule_api::RuleRunCounts {
            rule_id: "A-DUE".into(),
            created: 3,
            delivered: 2,
            ..Default::default()
        };
        assert_eq!(
            format_rule_counts(Lang::Ja, &counts),
            "A-DUE：作成3・配信2・失敗0・停止0・未連携0"
        );
        assert_eq!(format_attempts(Lang::En, 1), "1 attempt");
    }

    #[test]
    fn times_are_shown_in_japan() {
        let at = time::macros::datetime!(2026-03-31 15:05 UTC);
        assert_eq!(japan_time(at), "2026-04-01 00:05");
    }

    #[test]
    fn every_person_field_has_its_own_label() {
        for (i, a) in PersonField::ALL.iter().enumerate() {
            for b in &PersonField::ALL[i + 1..] {
                assert_ne!(field_label(*a), field_label(*b), "{a:?} and {b:?}");
            }
        }
        assert_eq!(field_name_label(Lang::Ja, "name_kana"), "氏名カナ");
        assert_eq!(field_name_label(Lang::En, "pmh_key"), "PMH key");
        assert_eq!(field_name_label(Lang::En, "something"), "something");
    }

    #[test]
    fn codes_in_the_history_read_as_words() {
        assert_eq!(history_value(Lang::Ja, "sex", Some("2")), "女");
        assert_eq!(history_value(Lang::En, "non_disclosure", Some("1")), "Yes");
        assert_eq!(
            history_value(Lang::En, "subject_category", Some("4")),
            "4 Subsidised voluntary"
        );
        assert_eq!(history_value(Lang::Ja, "name", None), "（空欄）");
        assert_eq!(history_value(Lang::Ja, "address", Some("")), "（空欄）");
        assert_eq!(
            history_value(Lang::En, "name_kana", Some("チヨダ")),
            "チヨダ"
        );
    }

    #[test]
    fn categories_and_exemptions_read_the_same_by_code_or_name() {
        assert_eq!(
            category_label(Lang::En, "routine"),
            category_label(Lang::En, "1")
        );
        assert_eq!(fee_label(Lang::Ja, "partial"), "2 一部減額");
        assert_eq!(fee_label(Lang::Ja, "9"), "9");
    }

    #[test]
    fn counts_follow_each_language() {
        assert_eq!(format_count(Lang::Ja, 3, Msg::RowsUnit), "3行");
        assert_eq!(format_count(Lang::En, 3, Msg::RowsUnit), "3 rows");
        assert_eq!(format_results(Lang::Ja, 2, 20), "2ページ目・20件を表示中");
        assert_eq!(format_pair(Lang::En, 1), "Pair 1");
    }

    #[test]
    fn sizes_and_progress_read_as_people_say_them() {
        assert_eq!(format_bytes(820), "820 B");
        assert_eq!(format_bytes(12_700), "12.4 KB");
        assert_eq!(format_bytes(3 * 1024 * 1024 + 200_000), "3.1 MB");
        assert_eq!(percent(0, 0), 100);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5, 3), 100);
    }

    #[test]
    fn every_message_has_japanese_and_english_that_differ() {
        // A copy-paste slip (English left in the Japanese column or vice versa) shows up here.
        for &msg in Msg::ALL {
            let [ja, en] = msg.texts();
            assert_ne!(ja, en, "{msg:?}");
            assert!(!ja.is_ascii(), "{msg:?} has no Japanese");
            assert!(
                !en.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)
                    || ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{msg:?} English has Japanese in it"
            );
        }
    }

    #[test]
    fn api_messages_show_the_half_in_the_ui_language() {
        let message = "ログインしてください / please log in";
        assert_eq!(api_message(Lang::Ja, message), "ログインしてください");
        assert_eq!(api_message(Lang::En, message), "please log in");
        assert_eq!(
            api_message(Lang::Ja, "password too short"),
            "password too short"
        );
    }

    #[test]
    fn waits_read_as_minutes_and_seconds() {
        assert_eq!(format_wait(Lang::Ja, 45), "45秒");
        assert_eq!(format_wait(Lang::Ja, 300), "5分");
        assert_eq!(format_wait(Lang::Ja, 200), "3分20秒");
        assert_eq!(format_wait(Lang::En, 200), "3 min 20 s");
        assert_eq!(format_wait(Lang::En, 60), "1 min");
    }

    #[test]
    fn session_ends_name_the_time_and_the_idle_limit_rounded_up() {
        assert_eq!(
            format_session_end(Lang::Ja, "17:45", 899),
            "17:45まで（操作がないと15分で終了）"
        );
        assert_eq!(
            format_session_end(Lang::En, "17:45", 900),
            "until 17:45 (ends after 15 min without activity)"
        );
    }

    #[test]
    fn local_times_are_zero_padded() {
        assert_eq!(format_local(2026, 4, 1, 9, 5), "2026-04-01 09:05");
    }

    #[test]
    fn chain_problems_are_named_and_unknown_ones_shown_as_sent() {
        assert_eq!(chain_problem_label(Lang::Ja, "edited"), "内容の書き換え");
        assert_eq!(chain_problem_label(Lang::En, "missing"), "Missing");
        assert_eq!(chain_problem_label(Lang::Ja, "other"), "other");
    }
}
