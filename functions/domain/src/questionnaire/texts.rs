//! The words of a template, one bundle per language, keyed by item id and option code. A
//! template's structure and its answers never contain words, so a translation can be added or
//! fixed without touching either; a key a language lacks is shown in Japanese.
//!
//! Keys (see `docs/interfaces/questionnaire-templates.md`):
//! `title`, `intro`, `answer.yes`, `answer.no`, `section.<id>`, `item.<id>`,
//! `item.<id>.detail` (yes/no with a detail box), `option.<item>.<code>`,
//! `item.<id>.agree` / `.disagree` / `.signer_name` / `.relationship` (consent, the last only
//! when a proxy may sign) and `signer.<signer>`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::{ItemId, ItemKind, OptionCode, Place, SectionId, Signer, TemplateContent};

/// A language a template can be shown in. Serde names are BCP 47 tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lang {
    #[serde(rename = "ja")]
    Ja,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "vi")]
    Vi,
    /// Chinese, simplified script.
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "ko")]
    Ko,
    /// Portuguese as written in Brazil (most Portuguese speakers in Japan).
    #[serde(rename = "pt-BR")]
    PtBr,
}

impl Lang {
    /// Every language, Japanese first.
    pub const ALL: [Self; 6] = [
        Self::Ja,
        Self::En,
        Self::Vi,
        Self::ZhHans,
        Self::Ko,
        Self::PtBr,
    ];

    /// The BCP 47 tag, also the data file name: `ja`, `zh-Hans`, `pt-BR`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
            Self::Vi => "vi",
            Self::ZhHans => "zh-Hans",
            Self::Ko => "ko",
            Self::PtBr => "pt-BR",
        }
    }

    /// The language's own name, for a language picker.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::Ja => "日本語",
            Self::En => "English",
            Self::Vi => "Tiếng Việt",
            Self::ZhHans => "简体中文",
            Self::Ko => "한국어",
            Self::PtBr => "Português",
        }
    }

    /// The language for a tag (ASCII case ignored).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }
}

/// The texts of one template in one language: a data file
/// `data/questionnaires/<setting>/<lang>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateTexts {
    pub lang: Lang,
    /// Where the wording comes from and whether it is an official translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub texts: BTreeMap<String, String>,
}

impl TemplateTexts {
    /// An empty bundle.
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            source: None,
            texts: BTreeMap::new(),
        }
    }

    /// The text for `key`, if present and not blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.texts
            .get(key)
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }
}

/// The text keys.
pub mod keys {
    use super::*;

    pub const TITLE: &str = "title";
    pub const INTRO: &str = "intro";
    pub const YES: &str = "answer.yes";
    pub const NO: &str = "answer.no";

    pub fn section(id: &SectionId) -> String {
        format!("section.{id}")
    }
    pub fn item(id: &ItemId) -> String {
        format!("item.{id}")
    }
    /// The prompt of a yes/no item's detail box, e.g. 病名.
    pub fn detail(id: &ItemId) -> String {
        format!("item.{id}.detail")
    }
    pub fn option(item: &ItemId, code: &OptionCode) -> String {
        format!("option.{item}.{code}")
    }
    pub fn agree(id: &ItemId) -> String {
        format!("item.{id}.agree")
    }
    pub fn disagree(id: &ItemId) -> String {
        format!("item.{id}.disagree")
    }
    pub fn signer_name(id: &ItemId) -> String {
        format!("item.{id}.signer_name")
    }
    pub fn relationship(id: &ItemId) -> String {
        format!("item.{id}.relationship")
    }
    pub fn signer(signer: Signer) -> String {
        format!("signer.{}", signer.code())
    }
}

/// Every key a template needs, with the place it belongs to, in document order, no repeats.
pub fn required_keys(content: &TemplateContent) -> Vec<(Place, String)> {
    let mut out: Vec<(Place, String)> = vec![
        (Place::Template, keys::TITLE.to_owned()),
        (Place::Template, keys::INTRO.to_owned()),
    ];
    if content
        .items()
        .any(|i| matches!(i.kind, ItemKind::YesNo { .. }))
    {
        out.push((Place::Template, keys::YES.to_owned()));
        out.push((Place::Template, keys::NO.to_owned()));
    }
    let mut signers = BTreeSet::new();
    for section in &content.sections {
        out.push((
            Place::Section {
                id: section.id.clone(),
            },
            keys::section(&section.id),
        ));
        for item in &section.items {
            let place = Place::Item {
                id: item.id.clone(),
            };
            let id = &item.id;
            let mut item_keys = vec![keys::item(id)];
            match &item.kind {
                ItemKind::YesNo {
                    detail_when: Some(_),
                    ..
                } => item_keys.push(keys::detail(id)),
                ItemKind::SingleChoice { options } | ItemKind::MultipleChoice { options } => {
                    item_keys.extend(options.iter().map(|o| keys::option(id, o)));
                }
                ItemKind::Consent { signers: s } => {
                    item_keys.extend([keys::agree(id), keys::disagree(id), keys::signer_name(id)]);
                    if s.contains(&Signer::Proxy) {
                        item_keys.push(keys::relationship(id));
                    }
                    signers.extend(s.iter().copied());
                }
                _ => {}
            }
            out.extend(item_keys.into_iter().map(|k| (place.clone(), k)));
        }
    }
    out.extend(
        signers
            .into_iter()
            .map(|s| (Place::Template, keys::signer(s))),
    );
    let mut seen = BTreeSet::new();
    out.retain(|(_, k)| seen.insert(k.clone()));
    out
}

/// The keys `texts` lacks (absent or blank) for `content`, in document order.
pub fn missing_keys(content: &TemplateContent, texts: &TemplateTexts) -> Vec<String> {
    required_keys(content)
        .into_iter()
        .map(|(_, k)| k)
        .filter(|k| texts.get(k).is_none())
        .collect()
}

/// The keys in `texts` that `content` does not use (left over after an item was removed, or
/// mistyped), sorted.
pub fn unused_keys(content: &TemplateContent, texts: &TemplateTexts) -> Vec<String> {
    let needed: BTreeSet<String> = required_keys(content).into_iter().map(|(_, k)| k).collect();
    texts
        .texts
        .keys()
        .filter(|k| !needed.contains(*k))
        .cloned()
        .collect()
}

/// Every text of a template in one language, Japanese where that language lacks a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedTexts {
    /// The language asked for.
    pub lang: Lang,
    pub texts: BTreeMap<String, String>,
    /// The keys shown in Japanese because the language lacks them, in document order.
    pub fallen_back: Vec<String>,
}

impl ResolvedTexts {
    /// The text for a key; `None` only when Japanese lacks it too (a template that could not
    /// have been published).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(String::as_str)
    }
}

/// The texts of `content` in `wanted`'s language, falling back to `ja` key by key. With
/// `wanted` absent (a language with no file at all), everything is Japanese.
pub fn resolve(
    content: &TemplateContent,
    wanted: Option<&TemplateTexts>,
    ja: &TemplateTexts,
) -> ResolvedTexts {
    let lang = wanted.map_or(Lang::Ja, |w| w.lang);
    let mut texts = BTreeMap::new();
    let mut fallen_back = Vec::new();
    for (_, key) in required_keys(content) {
        match wanted.and_then(|w| w.get(&key)) {
            Some(text) => {
                texts.insert(key, text.to_owned());
            }
            None => {
                if lang != Lang::Ja {
                    fallen_back.push(key.clone());
                }
                if let Some(text) = ja.get(&key) {
                    texts.insert(key, text.to_owned());
                }
            }
        }
    }
    ResolvedTexts {
        lang,
        texts,
        fallen_back,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            let json = serde_json::to_string(&lang).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", lang.code()));
        }
        assert_eq!(Lang::from_code("ZH-hans"), Some(Lang::ZhHans));
        assert_eq!(Lang::from_code("fr"), None);
    }
}
