//! The templates shipped with the system, after the MHLW standard forms (予防接種実施要領の
//! 様式: 予診票), as data files under `data/questionnaires/<setting>/`: `template.json` (the
//! structure) and one `<lang>.json` per language. Each file's `source` says where its content
//! comes from; `docs/interfaces/questionnaire-templates.md` lists them.
//!
//! The files are compiled in, so a municipality starts with working forms and the app can show
//! them offline; a municipality edits a copy (a new draft version), never these.

use super::model::Published;
use super::texts::{Lang, TemplateTexts};

/// One shipped template: its vaccination setting and its files.
#[derive(Debug)]
pub struct Shipped {
    /// The vaccination setting id (予防接種設定ID), also the directory name.
    pub setting: &'static str,
    template: &'static str,
    texts: [(Lang, &'static str); 6],
}

/// Why a shipped file does not load (a defect of this crate, caught by its tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shipped questionnaire file {setting}/{file} does not load: {reason}; fix the data file")]
pub struct DefaultsError {
    pub setting: &'static str,
    pub file: String,
    pub reason: String,
}

macro_rules! shipped {
    ($setting:literal) => {
        Shipped {
            setting: $setting,
            template: include_str!(concat!(
                "../../data/questionnaires/",
                $setting,
                "/template.json"
            )),
            texts: [
                (
                    Lang::Ja,
                    include_str!(concat!("../../data/questionnaires/", $setting, "/ja.json")),
                ),
                (
                    Lang::En,
                    include_str!(concat!("../../data/questionnaires/", $setting, "/en.json")),
                ),
                (
                    Lang::Vi,
                    include_str!(concat!("../../data/questionnaires/", $setting, "/vi.json")),
                ),
                (
                    Lang::ZhHans,
                    include_str!(concat!(
                        "../../data/questionnaires/",
                        $setting,
                        "/zh-Hans.json"
                    )),
                ),
                (
                    Lang::Ko,
                    include_str!(concat!("../../data/questionnaires/", $setting, "/ko.json")),
                ),
                (
                    Lang::PtBr,
                    include_str!(concat!(
                        "../../data/questionnaires/",
                        $setting,
                        "/pt-BR.json"
                    )),
                ),
            ],
        }
    };
}

/// Every shipped template.
pub static SHIPPED: [Shipped; 5] = [
    shipped!("infant_general"),
    shipped!("japanese_encephalitis"),
    shipped!("hpv"),
    shipped!("influenza_elderly"),
    shipped!("pneumococcal_elderly"),
];

/// The shipped template of a vaccination setting.
pub fn shipped(setting: &str) -> Option<&'static Shipped> {
    SHIPPED.iter().find(|s| s.setting == setting)
}

impl Shipped {
    /// The template, published as version 1 (its structure is checked on load).
    pub fn template(&self) -> Result<Published, DefaultsError> {
        serde_json::from_str(self.template).map_err(|e| self.error("template.json", &e))
    }

    /// The languages shipped, Japanese first.
    pub fn languages(&self) -> impl Iterator<Item = Lang> + '_ {
        self.texts.iter().map(|(lang, _)| *lang)
    }

    /// The texts in `lang`, or `None` if that language is not shipped.
    pub fn texts(&self, lang: Lang) -> Option<Result<TemplateTexts, DefaultsError>> {
        let (_, json) = self.texts.iter().find(|(l, _)| *l == lang)?;
        let file = format!("{}.json", lang.code());
        Some(
            serde_json::from_str::<TemplateTexts>(json)
                .map_err(|e| self.error(&file, &e))
                .and_then(|texts| {
                    if texts.lang == lang {
                        Ok(texts)
                    } else {
                        Err(self.error(&file, &"its `lang` is not the file's language"))
                    }
                }),
        )
    }

    fn error(&self, file: &str, reason: &dyn std::fmt::Display) -> DefaultsError {
        DefaultsError {
            setting: self.setting,
            file: file.to_owned(),
            reason: reason.to_string(),
        }
    }
}
