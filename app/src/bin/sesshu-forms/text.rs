//! Every string of the forms pages (the page around a form), Japanese first and English, keyed
//! by [`Msg`]. The form's own words come from its template texts in any of its languages
//! (`sesshu_app::questionnaire`); the UI language is the library's, shared with the resident
//! app (one switch, one stored choice).

use leptos::prelude::*;
use sesshu_app::i18n::{I18n, Lang, format_date, use_i18n};
use sesshu_domain::questionnaire_api::ResponseStatus;
use time::{OffsetDateTime, UtcOffset};

/// Declares [`Msg`] and its `[Japanese, English]` table in one place, so a message cannot lack
/// a translation and the tests can walk every message.
macro_rules! messages {
    ($($name:ident => [$ja:expr, $en:expr $(,)?],)*) => {
        /// Every string the forms pages show.
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
    ServiceName => ["わたしの予防接種", "My Vaccinations"],
    FormsTitle => ["予診票", "Questionnaires"],
    SkipToContent => ["本文へ移動", "Skip to main content"],
    MenuLabel => ["メニュー", "Menu"],
    NavRecords => ["接種の記録", "Vaccination records"],
    NavForms => ["予診票", "Questionnaires"],
    NavNotices => ["お知らせ", "Notices"],
    Logout => ["ログアウト", "Log out"],
    Reload => ["再読み込み", "Reload"],
    Cancel => ["キャンセル", "Cancel"],

    // Errors
    ErrUnauthenticatedTitle => ["ログインしてください", "Please log in"],
    ErrUnauthenticatedBody => [
        "ログインしていないか、ログインの有効期限が切れました。もう一度ログインしてください。この端末で入力中の内容は残っています。",
        "You are not logged in, or your session has ended. Please log in again. What you entered on this device is kept.",
    ],
    ErrNotFoundTitle => ["予診票が見つかりません", "Questionnaire not found"],
    ErrNotFoundBody => [
        "この予診票は表示できません。ログインし直した場合は、一覧から選び直してください。",
        "This questionnaire cannot be shown. If you logged in again, please choose it again from the list.",
    ],
    ErrNetworkTitle => ["通信できませんでした", "Could not connect"],
    ErrNetworkBody => [
        "電波の良い場所で、もう一度お試しください。入力中の内容はこの端末に残っています。",
        "Please move to a place with a better signal and try again. What you entered is kept on this device.",
    ],
    ErrServerTitle => ["エラーが発生しました", "Something went wrong"],
    ErrServerBody => [
        "しばらく待ってから、もう一度お試しください。続く場合は、お住まいの市区町村にお問い合わせください。",
        "Please wait a moment and try again. If this keeps happening, contact your municipality.",
    ],
    ErrClosedTitle => ["この予診票は変更できません", "This questionnaire can no longer be changed"],
    ErrClosedBody => [
        "送信済み、取り下げ済み、使用済み、または期限切れです。最新の状態を読み込みます。",
        "It was sent, withdrawn, used or has expired. Load its current state.",
    ],
    ErrNotFillableBody => [
        "この予診票は今は入力できません。一覧を読み込み直してください。",
        "This questionnaire cannot be filled in now. Please reload the list.",
    ],
    ErrorCode => ["エラーコード", "Error code"],

    // People
    PeopleTitle => ["だれの予診票を入力しますか", "Whose questionnaire are you filling in?"],
    PeopleLead => [
        "予診票を入力する方を選んでください。お子さんの予診票は、保護者として代わりに入力できます。",
        "Choose the person. As a parent, you can fill in your child's questionnaires for them.",
    ],
    RelationSelf => ["ご本人", "You"],
    RelationProxy => ["お子さん（保護者として入力）", "Your child (you fill in as the guardian)"],
    LabelBirthDate => ["生年月日", "Date of birth"],
    NoPeople => [
        "予診票を入力できる方が見つかりません。お子さんの予診票は、マイナポータルで代理人として登録してから、代理人としてログインすると入力できます。",
        "Nobody you can fill in questionnaires for was found. To fill in your child's, register as their proxy at Mynaportal and log in as their proxy.",
    ],
    SwitchPerson => ["別の方に切り替える", "Switch to someone else"],
    PersonRegion => ["入力する方", "Filling in for"],

    // One person's questionnaires
    FillableTitle => ["入力できる予診票", "Questionnaires you can fill in"],
    NoFillable => [
        "今入力できる予診票はありません。予防接種の時期が近づくと、ここに表示されます。",
        "There is nothing to fill in now. Questionnaires appear here when a vaccination is coming up.",
    ],
    StartForm => ["入力を始める", "Start"],
    ContinueForm => ["続きを入力する", "Continue"],
    DueVaccinations => ["対象の予防接種", "Vaccinations"],
    DueNow => ["接種の時期です", "Due now"],
    Overdue => ["接種の時期を過ぎています", "Overdue"],
    Upcoming => ["まもなく", "Coming up"],
    ResponsesTitle => ["これまでの予診票", "Your questionnaires"],
    NoResponses => ["まだありません。", "None yet."],
    StatusDraft => ["入力中", "Draft"],
    StatusSubmitted => ["送信済み", "Submitted"],
    StatusUsed => ["使用済み", "Used"],
    StatusWithdrawn => ["取り下げ", "Withdrawn"],
    StatusExpired => ["期限切れ", "Expired"],
    LabelStatus => ["状態", "Status"],
    LabelUpdated => ["最終保存", "Last saved"],
    LabelSubmitted => ["回答日時", "Answered on"],
    LabelExpires => ["強制失効日（この日まで有効）", "Valid until (forced expiry)"],

    // The form
    FormLangLabel => ["予診票の言語", "Form language"],
    FormLangHint => [
        "ボタンなどの表示は日本語か英語です。印刷すると日本語になります。",
        "Buttons and notices are in English or Japanese. The printed form is in Japanese.",
    ],
    Section => ["セクション", "Section"],
    Back => ["戻る", "Back"],
    Next => ["次へ", "Next"],
    ToReview => ["回答を確認する", "Review your answers"],
    ErrorSummaryTitle => ["入力内容を確認してください", "Please check your answers"],
    ErrorSummaryLead => [
        "次の質問を直してから進んでください。",
        "Please correct these questions before you go on.",
    ],
    SavePending => ["未保存の変更があります", "Unsaved changes"],
    SaveSaving => ["保存しています…", "Saving…"],
    SaveSaved => ["保存しました", "Saved"],
    SaveOffline => [
        "通信できないため、この端末に保存しました。つながると自動で送ります。",
        "No connection: saved on this device. It is sent when you are back online.",
    ],
    SaveOnDevice => [
        "この端末に保存しました。「修正を送信する」を押すまで反映されません。",
        "Saved on this device. It takes effect when you press “Send the correction”.",
    ],
    SaveFailed => [
        "保存できませんでした。この端末には残っています。次の入力でもう一度保存します。",
        "Could not save. It is kept on this device and saved again with your next change.",
    ],
    SaveLoggedOut => [
        "ログインの有効期限が切れたため保存できません。この端末には残っています。もう一度ログインしてください。",
        "Your session ended, so this could not be saved. It is kept on this device. Please log in again.",
    ],
    Restored => [
        "この端末に残っていた入力内容を復元しました。",
        "We restored what you had entered on this device.",
    ],
    ReviewTitle => ["回答の確認", "Check your answers"],
    ReviewLead => [
        "内容を確かめて、送信してください。送信した後も、医療機関で使われるまでは修正や取り下げができます。",
        "Check the answers and send them. Until the clinic uses the questionnaire, you can still correct or withdraw it.",
    ],
    ChangeSection => ["この部分を直す", "Change"],
    DoctorSectionNote => [
        "医師記入欄は、接種の日に医師が記入します。",
        "The doctor fills in this part on the day of the vaccination.",
    ],
    SubmitForm => ["送信する", "Send"],
    SubmitCorrection => ["修正を送信する", "Send the correction"],
    Sending => ["送信しています…", "Sending…"],
    SubmitOffline => [
        "通信できないため送信できませんでした。入力内容はこの端末に残っています。つながってから、もう一度押してください。",
        "No connection, so it was not sent. Your answers are kept on this device. Press the button again once you are online.",
    ],
    DoneTitle => ["送信しました", "Sent"],
    CorrectionDoneTitle => ["修正を送信しました", "Correction sent"],
    DoneLead => [
        "接種の日に、医療機関でこの予診票を使います。体温は当日もう一度測ります。",
        "The clinic uses this questionnaire on the day of the vaccination. Your temperature is taken again that day.",
    ],
    ToPrint => ["印刷用の表示", "Printable form"],
    BackToList => ["予診票の一覧へ", "Back to the questionnaires"],
    Correct => ["修正する", "Correct"],
    CancelCorrection => ["修正をやめる", "Stop correcting"],
    CorrectingNote => [
        "送信済みの予診票を修正しています。最後に「修正を送信する」を押すまで反映されません。",
        "You are correcting a sent questionnaire. Nothing changes until you press “Send the correction”.",
    ],
    Withdraw => ["取り下げる", "Withdraw"],
    WithdrawTitle => ["この予診票を取り下げますか", "Withdraw this questionnaire?"],
    WithdrawBody => [
        "取り下げると、医療機関では使えなくなり、元に戻せません。必要なら新しく入力してください。",
        "A withdrawn questionnaire cannot be used by the clinic and cannot be restored. Fill in a new one if you need it.",
    ],
    WithdrawDone => ["取り下げました。", "Withdrawn."],
    SubmittedNote => [
        "送信済みです。強制失効日まで、医療機関で使えます。",
        "Sent. The clinic can use it until the date below.",
    ],
    UsedNote => [
        "医療機関で使われたため、修正や取り下げはできません。",
        "The clinic has used it, so it can no longer be corrected or withdrawn.",
    ],
    WithdrawnNote => ["この予診票は取り下げられています。", "This questionnaire was withdrawn."],
    ExpiredNote => [
        "強制失効日を過ぎたため、この予診票は使えません。新しく入力してください。",
        "It is past its expiry date and cannot be used. Please fill in a new one.",
    ],
    DraftNote => [
        "入力中です。送信するまで、医療機関では使えません。",
        "Draft: the clinic cannot use it until you send it.",
    ],

    // Vaccinations due or coming (one person)
    ScheduleTitle => ["接種の予定", "Vaccinations due and coming up"],
    NoSchedule => [
        "今、接種の時期が来ている予防接種や近づいている予防接種はありません。",
        "No vaccination is due or coming up now.",
    ],
    TooEarly => [
        "接種できます（標準的な時期はもう少し先です）",
        "Possible now (the standard period starts later)",
    ],
    IntervalNotMet => [
        "前回の接種から間隔をあける必要があります",
        "Wait for the interval since the previous dose",
    ],
    LabelEarliest => ["接種できる日", "Possible from"],
    LabelRecommended => ["おすすめの日", "Recommended from"],
    LabelLatest => ["定期接種の期限", "Routine until"],
    NoEndDate => ["期限なし", "No end date"],

    // Notices (接種勧奨)
    NoticesTitle => ["お知らせ", "Notices"],
    NoticesLead => [
        "市区町村からの予防接種のお知らせです。新しい順に並んでいます。選ぶと全文が表示され、既読になります。",
        "Vaccination notices from your municipality, newest first. Choose one to read it in full; it is then marked as read.",
    ],
    NoNotices => ["お知らせはありません。", "There are no notices."],
    Unread => ["未読", "Unread"],
    LabelNoticeFor => ["対象の方", "For"],
    LabelSentOn => ["お知らせ日", "Sent on"],
    MarkReadFailed => [
        "既読にできませんでした。通信できる場所で、もう一度開いてください。",
        "Could not mark it as read. Please open it again where you have a connection.",
    ],

    // Print
    PrintTitle => ["予診票（印刷用）", "Questionnaire (printable)"],
    PrintButton => ["印刷する", "Print"],
    PrintLead => [
        "A4用紙に日本語で印刷されます。システムを使っていない医療機関にも、この紙で提出できます。",
        "Prints on A4 in Japanese, so you can hand it to any clinic, including ones that do not use this system.",
    ],
    BackToForm => ["予診票に戻る", "Back to the questionnaire"],
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

/// The language in context, with this bundle's table. `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct Tx(I18n);

impl Tx {
    /// The current UI language (reactive).
    pub fn lang(self) -> Lang {
        self.0.lang()
    }

    /// Switches the UI language.
    pub fn set_lang(self, lang: Lang) {
        self.0.set_lang(lang);
    }

    /// The text of `msg` in the current language (reactive).
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.0.lang())
    }

    /// One of two strings by language (names that come in both).
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self.0.lang() {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// This bundle's texts in the current language.
pub fn use_tx() -> Tx {
    Tx(use_i18n())
}

/// Sets `document.title` to `<page> | <service>` in the current language (WCAG 2.4.2).
pub fn use_title(page: Msg) {
    let tx = use_tx();
    Effect::new(move |_| {
        document().set_title(&page_title(tx.lang(), page));
    });
}

fn page_title(lang: Lang, page: Msg) -> String {
    format!("{} | {}", page.text(lang), Msg::ServiceName.text(lang))
}

/// "山田 蓮さんの予診票" / "Questionnaires for 山田 蓮": the banner over every person's page.
pub fn person_forms(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Ja => format!("{name}さんの予診票"),
        Lang::En => format!("Questionnaires for {name}"),
    }
}

/// "未読 2件" / "2 unread": how many notices are waiting.
pub fn unread_count(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Ja => format!("未読 {count}件"),
        Lang::En => format!("{count} unread"),
    }
}

/// A response's status as a person reads it.
pub fn status_label(status: ResponseStatus) -> Msg {
    match status {
        ResponseStatus::Draft => Msg::StatusDraft,
        ResponseStatus::Submitted => Msg::StatusSubmitted,
        ResponseStatus::Used => Msg::StatusUsed,
        ResponseStatus::Withdrawn => Msg::StatusWithdrawn,
        ResponseStatus::Expired => Msg::StatusExpired,
    }
}

/// Japan's time: the service and its residents are in Japan, and the API's "today" is Japan's.
const JAPAN: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// A moment as people write it, in Japan's time: `2026年4月1日 9:05` or `1 April 2026, 9:05`.
pub fn format_moment(lang: Lang, at: OffsetDateTime) -> String {
    let local = at.to_offset(JAPAN);
    let date = format_date(lang, local.date());
    let clock = format!("{}:{:02}", local.hour(), local.minute());
    match lang {
        Lang::Ja => format!("{date} {clock}"),
        Lang::En => format!("{date}, {clock}"),
    }
}

/// `2 / 5`: where in the form the person is.
pub fn progress(position: usize, total: usize) -> String {
    format!("{position} / {total}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use time::macros::datetime;

    #[test]
    fn every_message_has_two_different_texts() {
        for msg in Msg::ALL {
            let [ja, en] = msg.texts();
            assert_ne!(ja, en, "{msg:?}");
            assert!(!ja.is_ascii(), "{msg:?} has no Japanese");
            assert!(!en.trim().is_empty(), "{msg:?}");
        }
    }

    #[test]
    fn moments_are_shown_in_japan_time() {
        let at = datetime!(2026-03-31 15:05 UTC);
        assert_eq!(format_moment(Lang::Ja, at), "2026年4月1日 0:05");
        assert_eq!(format_moment(Lang::En, at), "1 April 2026, 0:05");
    }

    #[test]
    fn the_unread_count_reads_naturally_in_each_language() {
        assert_eq!(unread_count(Lang::Ja, 2), "未読 2件");
        assert_eq!(unread_count(Lang::En, 1), "1 unread");
    }

    #[test]
    fn the_banner_names_the_person_in_each_language() {
        assert_eq!(person_forms(Lang::Ja, "山田 蓮"), "山田 蓮さんの予診票");
        assert_eq!(
            person_forms(Lang::En, "山田 蓮"),
            "Questionnaires for 山田 蓮"
        );
        assert_eq!(
            page_title(Lang::Ja, Msg::FormsTitle),
            "予診票 | わたしの予防接種"
        );
    }
}
