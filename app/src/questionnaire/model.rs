//! A form being filled in, as reactive state: the template, its texts in the form's language,
//! the answers, which items those answers show, and what to tell the person about each answer.
//!
//! The rules are the domain's: visibility is [`visible_items`], hidden answers are [`prune`]d
//! as soon as they are hidden (as the server would on save), and messages come from
//! [`validate_answer`] and [`validate_submission`], so the page says exactly what the server
//! would refuse.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use sesshu_domain::questionnaire::{
    AnswerError, AnswerErrorKind, AnswerValue, Answers, FilledBy, Item, ItemId, Lang as FormLang,
    ResolvedTexts, TemplateContent, prune, validate_answer, validate_submission, visible_items,
};

use crate::i18n::Lang;

/// A form being filled in. `Copy`, so every field and closure can hold it.
#[derive(Clone, Copy)]
pub struct FormModel {
    content: StoredValue<TemplateContent>,
    texts: RwSignal<ResolvedTexts>,
    answers: RwSignal<Answers>,
    visible: Memo<BTreeSet<ItemId>>,
    errors: RwSignal<BTreeMap<ItemId, AnswerError>>,
    /// Counts the person's edits, so a saver can follow them without comparing answers.
    edits: RwSignal<u64>,
}

impl FormModel {
    /// A form over `content` with `texts`, starting from `answers` (pruned: answers to hidden
    /// items are dropped, as the server drops them).
    pub fn new(content: TemplateContent, texts: ResolvedTexts, answers: Answers) -> Self {
        let answers = RwSignal::new(prune(&content, &answers));
        let content = StoredValue::new(content);
        let visible = Memo::new(move |_| {
            answers.with(|answers| {
                content.with_value(|content| {
                    visible_items(content, answers)
                        .into_iter()
                        .map(|item| item.id.clone())
                        .collect()
                })
            })
        });
        Self {
            content,
            texts: RwSignal::new(texts),
            answers,
            visible,
            errors: RwSignal::new(BTreeMap::new()),
            edits: RwSignal::new(0),
        }
    }

    /// Runs `f` on the template (not reactive: a form's template never changes).
    pub fn with_content<R>(&self, f: impl FnOnce(&TemplateContent) -> R) -> R {
        self.content.with_value(f)
    }

    /// The item with `id`.
    pub fn item(&self, id: &ItemId) -> Option<Item> {
        self.with_content(|content| content.item(id).cloned())
    }

    /// How many sections the template has.
    pub fn section_count(&self) -> usize {
        self.with_content(|content| content.sections.len())
    }

    /// The text key of section `index`'s title.
    pub fn section_key(&self, index: usize) -> String {
        self.with_content(|content| {
            content
                .sections
                .get(index)
                .map(|section| format!("section.{}", section.id))
                .unwrap_or_default()
        })
    }

    /// Whether section `index` is the 医師記入欄 (all its items are the doctor's).
    pub fn is_doctor_section(&self, index: usize) -> bool {
        self.with_content(|content| {
            content.sections.get(index).is_some_and(|section| {
                !section.items.is_empty()
                    && section
                        .items
                        .iter()
                        .all(|item| item.filled_by == FilledBy::Doctor)
            })
        })
    }

    /// The ids of section `index`'s items that the answers show, in order (reactive).
    pub fn shown_in_section(&self, index: usize) -> Vec<ItemId> {
        self.visible.with(|visible| {
            self.with_content(|content| {
                content
                    .sections
                    .get(index)
                    .map(|section| {
                        section
                            .items
                            .iter()
                            .filter(|item| visible.contains(&item.id))
                            .map(|item| item.id.clone())
                            .collect()
                    })
                    .unwrap_or_default()
            })
        })
    }

    /// The sections with at least one shown item, in order (reactive): a section whose items
    /// are all hidden is skipped, as the template format asks.
    pub fn shown_sections(&self) -> Vec<usize> {
        self.visible.with(|visible| {
            self.with_content(|content| {
                content
                    .sections
                    .iter()
                    .enumerate()
                    .filter(|(_, section)| section.items.iter().any(|i| visible.contains(&i.id)))
                    .map(|(index, _)| index)
                    .collect()
            })
        })
    }

    /// Whether the answers show item `id` (reactive).
    pub fn is_shown(&self, id: &ItemId) -> bool {
        self.visible.with(|visible| visible.contains(id))
    }

    /// The language of the form's texts (reactive).
    pub fn lang(&self) -> FormLang {
        self.texts.with(|texts| texts.lang)
    }

    /// The text for `key` in the form's language, Japanese where that language lacks it; the
    /// key itself if even Japanese lacks it (an unpublishable template, e.g. in a preview).
    pub fn text(&self, key: &str) -> String {
        self.texts
            .with(|texts| texts.get(key).map(str::to_owned))
            .unwrap_or_else(|| key.to_owned())
    }

    /// Whether `key` is shown in Japanese because the form's language lacks it (reactive).
    pub fn fell_back(&self, key: &str) -> bool {
        self.texts
            .with(|texts| texts.fallen_back.iter().any(|k| k == key))
    }

    /// Runs `f` on the texts (reactive).
    pub fn texts_with<R>(&self, f: impl FnOnce(&ResolvedTexts) -> R) -> R {
        self.texts.with(f)
    }

    /// Switches the texts (another language).
    pub fn set_texts(&self, texts: ResolvedTexts) {
        self.texts.set(texts);
    }

    /// The answer to `id` (reactive).
    pub fn answer(&self, id: &ItemId) -> Option<AnswerValue> {
        self.answers.with(|answers| answers.get(id).cloned())
    }

    /// The answer to `id`, without subscribing.
    pub fn answer_untracked(&self, id: &ItemId) -> Option<AnswerValue> {
        self.answers
            .with_untracked(|answers| answers.get(id).cloned())
    }

    /// Every answer (reactive).
    pub fn answers(&self) -> Answers {
        self.answers.get()
    }

    /// Every answer, without subscribing.
    pub fn answers_untracked(&self) -> Answers {
        self.answers.get_untracked()
    }

    /// Replaces every answer with ones from elsewhere (the server, this device's copy); not an
    /// edit of the person's.
    pub fn replace_answers(&self, answers: Answers) {
        let pruned = self.with_content(|content| prune(content, &answers));
        self.answers.set(pruned);
        self.errors.set(BTreeMap::new());
    }

    /// The person answered `id` (or cleared it: `None`). Answers the new answers hide are
    /// dropped at once, so what is on the screen is what is saved.
    pub fn set_answer(&self, id: &ItemId, value: Option<AnswerValue>) {
        let content = self.content;
        self.answers.update(|answers| {
            match value {
                Some(value) => answers.insert(id.clone(), value),
                None => answers.remove(id),
            };
            *answers = content.with_value(|content| prune(content, answers));
        });
        self.edits.update(|n| *n += 1);
    }

    /// How many edits the person has made (reactive).
    pub fn edits(&self) -> u64 {
        self.edits.get()
    }

    /// How many edits the person has made, without subscribing.
    pub fn edits_untracked(&self) -> u64 {
        self.edits.get_untracked()
    }

    /// The message for `id`, if one is shown (reactive).
    pub fn error(&self, id: &ItemId) -> Option<AnswerError> {
        self.errors.with(|errors| errors.get(id).cloned())
    }

    /// Shows `error` for `id`, or clears its message.
    pub fn set_error(&self, id: &ItemId, error: Option<AnswerError>) {
        let current = self.errors.with_untracked(|errors| errors.get(id).cloned());
        if current == error {
            return;
        }
        self.errors.update(|errors| match error {
            Some(error) => {
                errors.insert(id.clone(), error);
            }
            None => {
                errors.remove(id);
            }
        });
    }

    /// The problem of `id`'s answer as it stands, if any (a missing answer is not one yet:
    /// that is said when the person moves on).
    fn problem(&self, id: &ItemId) -> Option<AnswerError> {
        let value = self.answer_untracked(id)?;
        self.with_content(|content| validate_answer(content, id, &value).err())
    }

    /// Checks `id`'s answer and shows or clears its message: after the person finished with a
    /// field (a choice made, a text field left).
    pub fn check(&self, id: &ItemId) {
        self.set_error(id, self.problem(id));
    }

    /// While typing: clears the message as soon as the answer is right, and keeps a shown
    /// message up to date, but does not start one mid-word.
    pub fn recheck(&self, id: &ItemId) {
        if self.errors.with_untracked(|errors| errors.contains_key(id)) {
            self.check(id);
        }
    }

    /// Checks every shown item of section `index` the person answers, as a submission would:
    /// required ones answered, details given, values in range. Shows the messages and returns
    /// the items with one, in order.
    pub fn check_section(&self, index: usize) -> Vec<ItemId> {
        let in_section: BTreeSet<ItemId> = self.with_content(|content| {
            content
                .sections
                .get(index)
                .map(|section| section.items.iter().map(|i| i.id.clone()).collect())
                .unwrap_or_default()
        });
        self.check_items(|id| in_section.contains(id))
    }

    /// Checks the whole form as the server will on submission; returns the items with a
    /// message, in form order.
    pub fn check_all(&self) -> Vec<ItemId> {
        self.check_items(|_| true)
    }

    fn check_items(&self, wanted: impl Fn(&ItemId) -> bool) -> Vec<ItemId> {
        let answers = self.answers_untracked();
        let found = self
            .with_content(|content| validate_submission(content, &answers))
            .err()
            .unwrap_or_default();
        let mut errors = self.errors.get_untracked();
        // A number field's "not a number" stays: the domain sees no answer there and would
        // only say "required", which is not what is wrong.
        errors.retain(|id, error| {
            !wanted(id) || (error.kind == AnswerErrorKind::WrongType && answers.get(id).is_none())
        });
        for error in found {
            if wanted(&error.item) && !errors.contains_key(&error.item) {
                errors.insert(error.item.clone(), error);
            }
        }
        let failing = self.with_content(|content| {
            content
                .items()
                .map(|item| &item.id)
                .filter(|id| wanted(id) && errors.contains_key(*id))
                .cloned()
                .collect()
        });
        self.errors.set(errors);
        failing
    }

    /// Shows the server's messages (a refused submission), replacing the page's own.
    pub fn show_errors(&self, errors: Vec<AnswerError>) {
        self.errors.set(
            errors
                .into_iter()
                .map(|error| (error.item.clone(), error))
                .collect(),
        );
    }

    /// Items with a message (reactive), in no particular order.
    pub fn error_count(&self) -> usize {
        self.errors.with(BTreeMap::len)
    }
}

/// A message in the UI language: the domain writes both, English lowercase (it is also used in
/// logs and API bodies), so the first letter is raised here.
pub fn message(error: &AnswerError, lang: Lang) -> String {
    match lang {
        Lang::Ja => error.ja.clone(),
        Lang::En => capitalize(&error.en),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The message for a number field whose text is not a number (the domain only sees numbers).
pub fn not_a_number(item: &ItemId, example: &str) -> AnswerError {
    AnswerError {
        item: item.clone(),
        kind: AnswerErrorKind::WrongType,
        en: format!("enter the number in digits, e.g. {example}"),
        ja: format!("数字で入力してください（例: {example}）"),
    }
}

/// What a person typed into a number field, read as the number they meant: full-width digits
/// (a Japanese keyboard's default) and a decimal comma (Vietnamese, Portuguese) are accepted.
/// `None` when it is not a number; blank text is `Some(None)`.
pub fn read_number(text: &str) -> Option<Option<sesshu_domain::questionnaire::Decimal>> {
    let normalized: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            '．' | ',' | '，' => '.',
            'ー' | '－' | '−' => '-',
            other => other,
        })
        .collect();
    if normalized.is_empty() {
        return Some(None);
    }
    sesshu_domain::questionnaire::Decimal::parse(&normalized).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use sesshu_domain::questionnaire::Decimal;

    #[test]
    fn numbers_are_read_as_people_type_them() {
        let d = |s: &str| Decimal::parse(s);
        assert_eq!(read_number("36.5"), Some(d("36.5")));
        assert_eq!(read_number(" ３６．５ "), Some(d("36.5")));
        assert_eq!(read_number("36,5"), Some(d("36.5")));
        assert_eq!(read_number(""), Some(None));
        assert_eq!(read_number("abc"), None);
        assert_eq!(read_number("36.5.1"), None);
    }

    #[test]
    fn english_messages_start_with_a_capital() {
        assert_eq!(capitalize("answer yes or no"), "Answer yes or no");
        assert_eq!(capitalize(""), "");
    }
}
