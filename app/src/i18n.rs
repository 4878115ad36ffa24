//! Every UI string, in Japanese first and English, in one table keyed by [`Msg`].
//!
//! The choice of language is a signal in context ([`provide_i18n`], [`use_i18n`]), persisted in
//! `localStorage` and mirrored on `<html lang>` so screen readers pronounce the page correctly.

use leptos::prelude::*;
use time::Date;

/// The languages of the UI. Japanese is the default: residents are addressed by their
/// municipality in Japanese; English is a courtesy switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// Every language, in the order the switch shows them.
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 tag for `lang` attributes and storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Parses a stored tag; anything unknown is `None` so the caller falls back to Japanese.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's own name, as its speakers write it (shown on the switch in that language).
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }
}

/// Every string the UI shows. Add a variant here and its two texts in [`text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    ServiceName,
    SkipToContent,
    MenuLabel,
    LanguageLabel,
    Logout,
    Loading,
    HomeIntro,
    HomeHowTo,
    Login,
    WelcomeTitle,
    WelcomeBody,
    RecordsHeldBy,
    ViewRecords,
    FillForms,
    Notices,
    RecordsTitle,
    RecordsLead,
    NoRecords,
    RecordTitle,
    SectionVaccination,
    SectionVaccine,
    SectionClinic,
    LabelDate,
    LabelDose,
    LabelCategory,
    CategoryRoutine,
    CategoryVoluntary,
    LabelVaccineName,
    LabelGenericName,
    LabelMaker,
    LabelLot,
    LabelExpiry,
    LabelAmount,
    LabelSite,
    LabelRoute,
    LabelPlace,
    LabelInstitutionCode,
    LabelDoctor,
    LabelOverseas,
    Yes,
    No,
    LabelMunicipality,
    BackToRecords,
    NotFoundTitle,
    NotFoundBody,
    BackHome,
    ErrUnauthenticatedTitle,
    ErrUnauthenticatedBody,
    ErrNotFoundTitle,
    ErrNotFoundBody,
    ErrNetworkTitle,
    ErrNetworkBody,
    ErrServerTitle,
    ErrServerBody,
    ErrorCode,
    Reload,
}

/// The table: `[Japanese, English]` for each message.
const fn text(msg: Msg) -> [&'static str; 2] {
    use Msg::*;
    match msg {
        ServiceName => ["わたしの予防接種", "My Vaccinations"],
        SkipToContent => ["本文へ移動", "Skip to main content"],
        MenuLabel => ["メニュー", "Menu"],
        LanguageLabel => ["表示言語", "Language"],
        Logout => ["ログアウト", "Log out"],
        Loading => ["読み込み中…", "Loading…"],
        HomeIntro => [
            "お住まいの市区町村が記録した、あなたの予防接種の記録をスマートフォンで確認できます。",
            "See the vaccination records your municipality keeps for you, on your phone.",
        ],
        HomeHowTo => [
            "ログインには、マイナンバーカードとマイナポータルを使います。",
            "You log in with your My Number Card through Mynaportal.",
        ],
        Login => ["マイナポータルでログイン", "Log in with Mynaportal"],
        WelcomeTitle => ["ようこそ", "Welcome"],
        WelcomeBody => [
            "ログインしています。あなたの予防接種の記録を確認できます。",
            "You are logged in. You can check your vaccination records.",
        ],
        RecordsHeldBy => ["記録のある市区町村", "Municipalities holding your records"],
        ViewRecords => ["接種の記録を見る", "View your vaccination records"],
        FillForms => ["予診票を入力する", "Fill in questionnaires"],
        Notices => ["お知らせ", "Notices"],
        RecordsTitle => ["接種の記録", "Vaccination records"],
        RecordsLead => [
            "新しい順に並んでいます。選ぶと詳しい内容を確認できます。",
            "Newest first. Choose one to see the details.",
        ],
        NoRecords => [
            "接種の記録はまだありません。",
            "There are no vaccination records yet.",
        ],
        RecordTitle => ["接種の記録の詳細", "Vaccination record"],
        SectionVaccination => ["接種の内容", "Vaccination"],
        SectionVaccine => ["ワクチン", "Vaccine"],
        SectionClinic => ["医療機関", "Clinic"],
        LabelDate => ["接種日", "Date"],
        LabelDose => ["接種回数", "Dose"],
        LabelCategory => ["実施区分", "Type"],
        CategoryRoutine => ["定期接種", "Routine"],
        CategoryVoluntary => ["任意接種", "Voluntary"],
        LabelVaccineName => ["ワクチン名", "Vaccine"],
        LabelGenericName => ["一般名", "Generic name"],
        LabelMaker => ["製造販売業者", "Manufacturer"],
        LabelLot => ["ロット番号", "Lot number"],
        LabelExpiry => ["有効期限", "Expiry date"],
        LabelAmount => ["接種量", "Amount"],
        LabelSite => ["接種部位", "Site"],
        LabelRoute => ["接種方法", "Route"],
        LabelPlace => ["実施場所", "Place"],
        LabelInstitutionCode => ["医療機関コード", "Institution code"],
        LabelDoctor => ["医師名", "Doctor"],
        LabelOverseas => ["海外での接種", "Vaccinated abroad"],
        Yes => ["はい", "Yes"],
        No => ["いいえ", "No"],
        LabelMunicipality => ["記録した市区町村", "Municipality"],
        BackToRecords => ["接種の記録の一覧に戻る", "Back to your vaccination records"],
        NotFoundTitle => ["ページが見つかりません", "Page not found"],
        NotFoundBody => [
            "お探しのページは見つかりませんでした。アドレスをお確かめください。",
            "We could not find this page. Please check the address.",
        ],
        BackHome => ["トップページへ", "Go to the home page"],
        ErrUnauthenticatedTitle => ["ログインしてください", "Please log in"],
        ErrUnauthenticatedBody => [
            "ログインしていないか、ログインの有効期限が切れました。もう一度ログインしてください。",
            "You are not logged in, or your session has expired. Please log in again.",
        ],
        ErrNotFoundTitle => ["記録が見つかりません", "Record not found"],
        ErrNotFoundBody => [
            "この記録は表示できません。一覧から選び直してください。",
            "This record cannot be shown. Please choose it again from the list.",
        ],
        ErrNetworkTitle => ["通信できませんでした", "Could not connect"],
        ErrNetworkBody => [
            "通信できませんでした。電波の良い場所で再読み込みしてください。",
            "We could not reach the service. Please move to a place with a better signal and reload.",
        ],
        ErrServerTitle => ["エラーが発生しました", "Something went wrong"],
        ErrServerBody => [
            "しばらく待ってから再読み込みしてください。続く場合は、お住まいの市区町村にお問い合わせください。",
            "Please wait a moment and reload. If this keeps happening, contact your municipality.",
        ],
        ErrorCode => ["エラーコード", "Error code"],
        Reload => ["再読み込み", "Reload"],
    }
}

/// The text of `msg` in `lang`.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    let [ja, en] = text(msg);
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as people write it: `2024年4月1日` or `1 April 2024`. Hand-written so the bundle
/// carries no formatting machinery.
pub fn format_date(lang: Lang, date: Date) -> String {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    match lang {
        Lang::Ja => format!("{year}年{month}月{day}日"),
        Lang::En => {
            let name = MONTHS_EN[usize::from(month - 1) % 12];
            format!("{day} {name} {year}")
        }
    }
}

/// A date in ISO 8601 for `<time datetime>`, so assistive tech and scripts read it unambiguously.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// 接種区分 as a person reads it: `1回目` or `Dose 1`.
pub fn format_dose(lang: Lang, dose_number: u8) -> String {
    match lang {
        Lang::Ja => format!("{dose_number}回目"),
        Lang::En => format!("Dose {dose_number}"),
    }
}

/// 実施区分 from its wire code; an unknown code is shown as it came rather than hidden.
pub fn format_category(lang: Lang, category: &str) -> String {
    match category {
        "routine" => t(lang, Msg::CategoryRoutine).to_owned(),
        "voluntary" => t(lang, Msg::CategoryVoluntary).to_owned(),
        other => other.to_owned(),
    }
}

const STORAGE_KEY: &str = "sesshu.lang";

/// The language signal in context. `Copy`, so closures in views can capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// The current language (reactive).
    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    /// Switches the language; the choice is stored and `<html lang>` follows.
    pub fn set_lang(self, lang: Lang) {
        self.lang.set(lang);
    }

    /// The text of `msg` in the current language (reactive).
    pub fn t(self, msg: Msg) -> &'static str {
        t(self.lang.get(), msg)
    }
}

/// Puts the language signal in context: restored from `localStorage`, Japanese otherwise, and
/// kept in sync with `localStorage` and `<html lang>`.
pub fn provide_i18n() -> I18n {
    let lang = RwSignal::new(stored_lang().unwrap_or_default());
    Effect::new(move |_| {
        let lang = lang.get();
        if let Some(root) = document().document_element() {
            // The attribute only matters to the browser; failing to set it loses nothing else.
            let _ = root.set_attribute("lang", lang.code());
        }
        if let Some(storage) = local_storage() {
            // Private browsing may refuse storage; the choice then lasts for this visit only.
            let _ = storage.set_item(STORAGE_KEY, lang.code());
        }
    });
    let i18n = I18n { lang };
    provide_context(i18n);
    i18n
}

/// The language in context (see [`provide_i18n`]); Japanese if none was provided.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n {
        lang: RwSignal::new(Lang::default()),
    })
}

/// Sets `document.title` to `<page> | <service>` (just the service on the home page) in the
/// current language, so each route has a title that says where the person is (WCAG 2.4.2).
pub fn use_page_title(page: Msg) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let lang = i18n.lang();
        document().set_title(&page_title(lang, page));
    });
}

fn page_title(lang: Lang, page: Msg) -> String {
    let service = t(lang, Msg::ServiceName);
    if page == Msg::ServiceName {
        service.to_owned()
    } else {
        format!("{} | {service}", t(lang, page))
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn stored_lang() -> Option<Lang> {
    let code = local_storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    Lang::from_code(&code)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use time::macros::date;

    #[test]
    fn formats_dates_in_japanese_style() {
        assert_eq!(format_date(Lang::Ja, date!(2024 - 04 - 01)), "2024年4月1日");
        assert_eq!(
            format_date(Lang::Ja, date!(2023 - 12 - 31)),
            "2023年12月31日"
        );
    }

    #[test]
    fn formats_dates_in_english_style() {
        assert_eq!(format_date(Lang::En, date!(2024 - 04 - 01)), "1 April 2024");
        assert_eq!(
            format_date(Lang::En, date!(2023 - 12 - 31)),
            "31 December 2023"
        );
        assert_eq!(
            format_date(Lang::En, date!(2025 - 01 - 09)),
            "9 January 2025"
        );
    }

    #[test]
    fn page_titles_name_the_page_then_the_service() {
        assert_eq!(
            page_title(Lang::Ja, Msg::RecordsTitle),
            "接種の記録 | わたしの予防接種"
        );
        assert_eq!(page_title(Lang::En, Msg::ServiceName), "My Vaccinations");
    }

    #[test]
    fn iso_dates_are_zero_padded() {
        assert_eq!(iso_date(date!(2024 - 04 - 01)), "2024-04-01");
    }

    #[test]
    fn formats_doses_per_language() {
        assert_eq!(format_dose(Lang::Ja, 1), "1回目");
        assert_eq!(format_dose(Lang::En, 3), "Dose 3");
    }

    #[test]
    fn known_categories_are_translated_and_unknown_ones_shown_as_sent() {
        assert_eq!(format_category(Lang::Ja, "routine"), "定期接種");
        assert_eq!(format_category(Lang::En, "voluntary"), "Voluntary");
        assert_eq!(format_category(Lang::Ja, "other"), "other");
    }

    #[test]
    fn language_codes_round_trip_and_unknown_codes_are_rejected() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::default(), Lang::Ja);
    }

    #[test]
    fn japanese_and_english_texts_differ_for_every_message() {
        // A copy-paste slip (English left in the Japanese column or vice versa) shows up here.
        use Msg::*;
        let all = [
            ServiceName,
            SkipToContent,
            MenuLabel,
            LanguageLabel,
            Logout,
            Loading,
            HomeIntro,
            HomeHowTo,
            Login,
            WelcomeTitle,
            WelcomeBody,
            RecordsHeldBy,
            ViewRecords,
            FillForms,
            Notices,
            RecordsTitle,
            RecordsLead,
            NoRecords,
            RecordTitle,
            SectionVaccination,
            SectionVaccine,
            SectionClinic,
            LabelDate,
            LabelDose,
            LabelCategory,
            CategoryRoutine,
            CategoryVoluntary,
            LabelVaccineName,
            LabelGenericName,
            LabelMaker,
            LabelLot,
            LabelExpiry,
            LabelAmount,
            LabelSite,
            LabelRoute,
            LabelPlace,
            LabelInstitutionCode,
            LabelDoctor,
            LabelOverseas,
            Yes,
            No,
            LabelMunicipality,
            BackToRecords,
            NotFoundTitle,
            NotFoundBody,
            BackHome,
            ErrUnauthenticatedTitle,
            ErrUnauthenticatedBody,
            ErrNotFoundTitle,
            ErrNotFoundBody,
            ErrNetworkTitle,
            ErrNetworkBody,
            ErrServerTitle,
            ErrServerBody,
            ErrorCode,
            Reload,
        ];
        for msg in all {
            let [ja, en] = text(msg);
            assert_ne!(ja, en, "{msg:?}");
            assert!(!ja.is_ascii(), "{msg:?} has no Japanese");
            assert!(
                en.is_ascii() || en.ends_with('…'),
                "{msg:?} English has non-ASCII"
            );
        }
    }
}
