//! What this device keeps of a response between visits, in `localStorage`: where the person
//! was (the section, the form language) and, only while the server has not confirmed them, the
//! answers themselves. So a closed tab or a lost connection loses nothing, and health answers
//! stay on the device no longer than needed: once saved (or sent) they are dropped from it.

use serde::{Deserialize, Serialize};
use sesshu_domain::questionnaire::{Answers, Lang as FormLang};

const PREFIX: &str = "sesshu.forms.response.";
const PREFERRED_LANG: &str = "sesshu.forms.lang";

/// This device's copy of one response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalCopy {
    /// The server version the answers build on.
    #[serde(default)]
    pub base_version: u64,
    /// Answers the server has not confirmed yet; `None` once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsaved: Option<Answers>,
    /// The section on screen (its position in the template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<usize>,
    /// The form's language as last chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<FormLang>,
    /// A correction of a submitted form is under way (its answers are only sent at the end).
    #[serde(default)]
    pub correcting: bool,
}

/// Which answers to start from when a response is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// The server's: nothing unsent here.
    Server,
    /// This device's unsent answers of a draft: shown, and saved at once.
    Draft(Answers),
    /// This device's unsent correction of a submitted form.
    Correction(Answers),
}

/// What to resume from, given this device's copy and what the server allows now. A copy the
/// server no longer accepts (the draft was sent from elsewhere, the form expired or was used)
/// is not applied: the server's state wins and the copy is dropped by the caller.
pub fn resume(copy: Option<&LocalCopy>, editable: bool, correctable: bool) -> Resume {
    match copy.and_then(|c| c.unsaved.clone().map(|a| (c.correcting, a))) {
        Some((false, answers)) if editable => Resume::Draft(answers),
        Some((true, answers)) if correctable => Resume::Correction(answers),
        _ => Resume::Server,
    }
}

fn storage() -> Option<web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

fn key(id: &str) -> String {
    format!("{PREFIX}{id}")
}

/// The copy of response `id`, if this device has one (an unreadable one counts as none).
pub fn load(id: &str) -> Option<LocalCopy> {
    let text = storage()?.get_item(&key(id)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Keeps `copy` for response `id`. Private browsing or a full storage may refuse; then the
/// server copy is all there is, as before this existed.
pub fn store(id: &str, copy: &LocalCopy) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(copy)) {
        let _ = storage.set_item(&key(id), &text);
    }
}

/// Changes the copy of response `id` (starting from an empty one).
pub fn update(id: &str, change: impl FnOnce(&mut LocalCopy)) {
    let mut copy = load(id).unwrap_or_default();
    change(&mut copy);
    store(id, &copy);
}

/// Drops the copy of response `id` (after it was sent, withdrawn or found closed).
pub fn forget(id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(id));
    }
}

/// The form language the person chose last, for the next form they start.
pub fn preferred_lang() -> Option<FormLang> {
    let code = storage()?.get_item(PREFERRED_LANG).ok().flatten()?;
    FormLang::from_code(&code)
}

pub fn set_preferred_lang(lang: FormLang) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(PREFERRED_LANG, lang.code());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use sesshu_domain::questionnaire::{AnswerValue, ItemId, YesNo};

    fn answers() -> Answers {
        [(
            ItemId::parse("unwell_today").unwrap(),
            AnswerValue::yes_no(YesNo::No),
        )]
        .into_iter()
        .collect()
    }

    #[test]
    fn unsent_draft_answers_are_resumed_only_while_the_draft_is_editable() {
        let copy = LocalCopy {
            base_version: 3,
            unsaved: Some(answers()),
            ..LocalCopy::default()
        };
        assert_eq!(resume(Some(&copy), true, false), Resume::Draft(answers()));
        assert_eq!(resume(Some(&copy), false, true), Resume::Server);
        assert_eq!(resume(None, true, false), Resume::Server);
    }

    #[test]
    fn a_correction_resumes_only_while_the_form_can_be_corrected() {
        let copy = LocalCopy {
            unsaved: Some(answers()),
            correcting: true,
            ..LocalCopy::default()
        };
        assert_eq!(
            resume(Some(&copy), false, true),
            Resume::Correction(answers())
        );
        assert_eq!(resume(Some(&copy), false, false), Resume::Server);
    }

    #[test]
    fn a_saved_copy_keeps_only_the_place_and_the_language() {
        let copy = LocalCopy {
            base_version: 5,
            unsaved: None,
            section: Some(2),
            lang: Some(FormLang::Vi),
            correcting: false,
        };
        let json = serde_json::to_string(&copy).unwrap();
        assert_eq!(
            json,
            r#"{"base_version":5,"section":2,"lang":"vi","correcting":false}"#
        );
        assert_eq!(serde_json::from_str::<LocalCopy>(&json).unwrap(), copy);
        assert_eq!(resume(Some(&copy), true, false), Resume::Server);
    }
}
