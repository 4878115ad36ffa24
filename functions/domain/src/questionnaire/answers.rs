//! Answers to a questionnaire: language-neutral values keyed by item id, their checks as typed,
//! which items they show, pruning of answers the form no longer asks for, and the check of a
//! whole submission.
//!
//! Answers are personal health data: their `Debug` shows only item ids and answer kinds, and
//! no [`AnswerError`] repeats a value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use super::conditions::{Index, shown};
use super::model::{FilledBy, Item, ItemId, ItemKind, OptionCode, Signer, TemplateContent, YesNo};

/// Longest signer name or relationship, in characters.
pub const MAX_SIGNER_NAME_CHARS: usize = 100;

/// One answer. Externally tagged on the wire: `{"yes_no": {"answer": "yes", "detail": "…"}}`,
/// `{"choice": "proceed"}`, `{"choices": ["rotavirus"]}`, `{"number": 36.5}`,
/// `{"date": "2024-05-01"}`, `{"text": "…"}`, `{"consent": {…}}`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    YesNo {
        answer: YesNo,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    Choice(OptionCode),
    Choices(Vec<OptionCode>),
    Number(super::model::Decimal),
    Date(#[serde(with = "date_text")] Date),
    Text(String),
    Consent(ConsentAnswer),
}

impl AnswerValue {
    /// A yes/no answer without detail.
    pub fn yes_no(answer: YesNo) -> Self {
        Self::YesNo {
            answer,
            detail: None,
        }
    }

    /// The kind of answer, for logs and `Debug` (never the value).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::YesNo { .. } => "yes_no",
            Self::Choice(_) => "choice",
            Self::Choices(_) => "choices",
            Self::Number(_) => "number",
            Self::Date(_) => "date",
            Self::Text(_) => "text",
            Self::Consent(_) => "consent",
        }
    }

    /// Nothing given: blank text or no option chosen.
    fn is_blank(&self) -> bool {
        match self {
            Self::Text(t) => t.trim().is_empty(),
            Self::Choices(c) => c.is_empty(),
            _ => false,
        }
    }
}

impl fmt::Debug for AnswerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnswerValue::{}(<redacted>)", self.kind_name())
    }
}

/// `YYYY-MM-DD`, read from an owned string too: `crate::iso_date` borrows, which fails for
/// `serde_json::from_value` and for JSON strings with escapes.
mod date_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        crate::iso_date::serialize(date, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        crate::iso_date::parse(&text)
            .ok_or_else(|| D::Error::custom("expected a date as YYYY-MM-DD"))
    }
}

/// The consent block as filled in: agreement, who signs, and the signer's name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentAnswer {
    pub agreed: bool,
    pub signer: Signer,
    pub signer_name: String,
    /// 続柄, required when a proxy signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
}

/// Every answer of one questionnaire, by item id.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(BTreeMap<ItemId, AnswerValue>);

impl Answers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, item: &ItemId) -> Option<&AnswerValue> {
        self.0.get(item)
    }

    /// Sets the answer to `item`, returning the one it replaces.
    pub fn insert(&mut self, item: ItemId, value: AnswerValue) -> Option<AnswerValue> {
        self.0.insert(item, value)
    }

    pub fn remove(&mut self, item: &ItemId) -> Option<AnswerValue> {
        self.0.remove(item)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&ItemId, &AnswerValue)> {
        self.0.iter()
    }

    pub fn item_ids(&self) -> impl Iterator<Item = &ItemId> {
        self.0.keys()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(ItemId, AnswerValue)> for Answers {
    fn from_iter<T: IntoIterator<Item = (ItemId, AnswerValue)>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Item ids and answer kinds only.
impl fmt::Debug for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| (k.as_str(), v.kind_name())))
            .finish()
    }
}

/// What is wrong with an answer, for the app to show next to the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerErrorKind {
    /// A shown, required item has no answer.
    Required,
    /// The answer is not of the item's kind (e.g. a number for a yes/no question).
    WrongType,
    /// The answer calls for details, and there are none.
    DetailRequired,
    /// Details were given for an answer that has no detail box.
    DetailNotExpected,
    /// Text longer than the item allows.
    TooLong,
    /// An option that is not one of the item's options, or chosen twice.
    NotAnOption,
    /// A number outside the item's range.
    OutOfRange,
    /// A number between the steps of the item's grid (e.g. 36.55 where steps are 0.1).
    OffStep,
    /// The consent was declined: the vaccination cannot go ahead on this form.
    ConsentDeclined,
    /// A signer the item does not allow (e.g. a proxy on a child's form).
    SignerNotAllowed,
    /// The signer's name (or a proxy's relationship) is missing.
    SignerNameMissing,
    /// The item is filled in by the doctor.
    FilledByDoctor,
    /// The item is not shown for the other answers (e.g. a follow-up to a "no").
    NotShown,
    /// No item with this id on the form.
    UnknownItem,
}

/// Why an answer is not acceptable, in English and Japanese, with what to do. Names the item,
/// never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    pub item: ItemId,
    pub kind: AnswerErrorKind,
    /// Lowercase, no trailing period.
    pub en: String,
    pub ja: String,
}

impl AnswerError {
    fn new(
        item: &ItemId,
        kind: AnswerErrorKind,
        en: impl Into<String>,
        ja: impl Into<String>,
    ) -> Self {
        Self {
            item: item.clone(),
            kind,
            en: en.into(),
            ja: ja.into(),
        }
    }
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.en)
    }
}

impl std::error::Error for AnswerError {}

/// Checks one answer as typed: its kind, details, options, range, step, length and consent.
/// Does not look at other answers (see [`validate_submission`] for what is shown).
pub fn validate_answer(
    template: &TemplateContent,
    item: &ItemId,
    value: &AnswerValue,
) -> Result<(), AnswerError> {
    match template.item(item) {
        Some(item) => check_value(item, value),
        None => Err(unknown_item(item)),
    }
}

fn unknown_item(item: &ItemId) -> AnswerError {
    AnswerError::new(
        item,
        AnswerErrorKind::UnknownItem,
        "this question is not on the form; reload the form and answer again",
        "この質問は予診票にありません。予診票を読み込み直して、もう一度回答してください",
    )
}

fn required(item: &Item) -> AnswerError {
    let (en, ja) = match item.kind {
        ItemKind::Consent { .. } => (
            "the consent is required; read it, choose whether you agree and sign it",
            "同意欄は必須です。内容を読み、同意するかどうかを選んで署名してください",
        ),
        _ => (
            "this question is required; answer it",
            "必須の質問です。回答してください",
        ),
    };
    AnswerError::new(&item.id, AnswerErrorKind::Required, en, ja)
}

fn wrong_type(item: &Item) -> AnswerError {
    let (en, ja) = match &item.kind {
        ItemKind::YesNo { .. } => ("answer yes or no", "「はい」か「いいえ」で回答してください"),
        ItemKind::SingleChoice { .. } => {
            ("choose one of the answers", "選択肢から1つ選んでください")
        }
        ItemKind::MultipleChoice { .. } => (
            "choose one or more of the answers",
            "選択肢から1つ以上選んでください",
        ),
        ItemKind::Number { .. } => ("enter a number", "数値を入力してください"),
        ItemKind::Date => ("enter a date", "日付を入力してください"),
        ItemKind::Text { .. } => ("enter text", "文字で入力してください"),
        ItemKind::Consent { .. } => (
            "fill in the consent: choose whether you agree and sign it",
            "同意欄に、同意するかどうかを選んで署名してください",
        ),
    };
    AnswerError::new(&item.id, AnswerErrorKind::WrongType, en, ja)
}

fn too_long(item: &Item, max: usize, what_en: &str, what_ja: &str) -> AnswerError {
    AnswerError::new(
        &item.id,
        AnswerErrorKind::TooLong,
        format!("the {what_en} is too long; shorten it to at most {max} characters"),
        format!("{what_ja}が長すぎます。{max}文字以内にしてください"),
    )
}

fn check_value(item: &Item, value: &AnswerValue) -> Result<(), AnswerError> {
    if value.is_blank() {
        return if item.required {
            Err(required(item))
        } else {
            Ok(())
        };
    }
    match (&item.kind, value) {
        (
            ItemKind::YesNo {
                detail_when,
                detail_max_chars,
            },
            AnswerValue::YesNo { answer, detail },
        ) => check_detail(
            item,
            *detail_when,
            *detail_max_chars,
            *answer,
            detail.as_deref(),
        ),
        (ItemKind::SingleChoice { options }, AnswerValue::Choice(code)) => {
            if options.contains(code) {
                Ok(())
            } else {
                Err(not_an_option(item))
            }
        }
        (ItemKind::MultipleChoice { options }, AnswerValue::Choices(codes)) => {
            let distinct: BTreeSet<&OptionCode> = codes.iter().collect();
            if distinct.len() == codes.len() && codes.iter().all(|c| options.contains(c)) {
                Ok(())
            } else {
                Err(not_an_option(item))
            }
        }
        (
            ItemKind::Number {
                unit,
                min,
                max,
                step,
            },
            AnswerValue::Number(n),
        ) => {
            let places = step.decimals().max(min.decimals()).max(max.decimals());
            let (lo, hi, st) = (min.format(places), max.format(places), step.format(places));
            if n < min || n > max {
                Err(AnswerError::new(
                    &item.id,
                    AnswerErrorKind::OutOfRange,
                    format!("enter a number from {lo} to {hi} {unit}"),
                    format!("{lo}〜{hi} {unit} の範囲で入力してください"),
                ))
            } else if step.thousandths() > 0
                && (n.thousandths() - min.thousandths()) % step.thousandths() != 0
            {
                Err(AnswerError::new(
                    &item.id,
                    AnswerErrorKind::OffStep,
                    format!("enter the number in steps of {st} {unit}, e.g. {lo}"),
                    format!("{st} {unit} 刻みで入力してください（例: {lo}）"),
                ))
            } else {
                Ok(())
            }
        }
        (ItemKind::Date, AnswerValue::Date(_)) => Ok(()),
        (ItemKind::Text { max_chars }, AnswerValue::Text(text)) => {
            let max = usize::from(*max_chars);
            if text.chars().count() > max {
                Err(too_long(item, max, "text", "入力"))
            } else {
                Ok(())
            }
        }
        (ItemKind::Consent { signers }, AnswerValue::Consent(consent)) => {
            check_consent(item, signers, consent)
        }
        _ => Err(wrong_type(item)),
    }
}

fn not_an_option(item: &Item) -> AnswerError {
    AnswerError::new(
        &item.id,
        AnswerErrorKind::NotAnOption,
        "choose from the listed answers only, each at most once",
        "表示された選択肢から選んでください（同じ選択肢は1回まで）",
    )
}

fn check_detail(
    item: &Item,
    detail_when: Option<YesNo>,
    max_chars: u16,
    answer: YesNo,
    detail: Option<&str>,
) -> Result<(), AnswerError> {
    let detail = detail.filter(|d| !d.trim().is_empty());
    let label_ja = match answer {
        YesNo::Yes => "はい",
        YesNo::No => "いいえ",
    };
    match (detail_when == Some(answer), detail) {
        (true, None) => Err(AnswerError::new(
            &item.id,
            AnswerErrorKind::DetailRequired,
            format!(
                "you answered {}; write the details in the box",
                answer.code()
            ),
            format!("「{label_ja}」の場合は、内容を欄に記入してください"),
        )),
        (true, Some(d)) if d.chars().count() > usize::from(max_chars) => Err(too_long(
            item,
            usize::from(max_chars),
            "details",
            "記入内容",
        )),
        (false, Some(_)) => Err(AnswerError::new(
            &item.id,
            AnswerErrorKind::DetailNotExpected,
            format!(
                "details are not asked for when you answer {}; clear the details box",
                answer.code()
            ),
            format!("「{label_ja}」の場合は記入不要です。記入欄を空にしてください"),
        )),
        _ => Ok(()),
    }
}

fn check_consent(
    item: &Item,
    signers: &[Signer],
    consent: &ConsentAnswer,
) -> Result<(), AnswerError> {
    if !signers.contains(&consent.signer) {
        return Err(AnswerError::new(
            &item.id,
            AnswerErrorKind::SignerNotAllowed,
            "this form cannot be signed by the person chosen; choose who signs from the list",
            "選んだ方はこの予診票に署名できません。署名する方を一覧から選んでください",
        ));
    }
    let name = consent.signer_name.trim();
    if name.is_empty() {
        return Err(AnswerError::new(
            &item.id,
            AnswerErrorKind::SignerNameMissing,
            "write the name of the person who signs",
            "署名する方の氏名を記入してください",
        ));
    }
    if name.chars().count() > MAX_SIGNER_NAME_CHARS {
        return Err(too_long(
            item,
            MAX_SIGNER_NAME_CHARS,
            "signer's name",
            "署名者の氏名",
        ));
    }
    let relationship = consent.relationship.as_deref().map(str::trim).unwrap_or("");
    if consent.signer == Signer::Proxy && relationship.is_empty() {
        return Err(AnswerError::new(
            &item.id,
            AnswerErrorKind::SignerNameMissing,
            "a proxy signs for the recipient; write your relationship to them",
            "代筆の場合は、接種を受ける方との続柄を記入してください",
        ));
    }
    if relationship.chars().count() > MAX_SIGNER_NAME_CHARS {
        return Err(too_long(
            item,
            MAX_SIGNER_NAME_CHARS,
            "relationship",
            "続柄",
        ));
    }
    if !consent.agreed {
        return Err(AnswerError::new(
            &item.id,
            AnswerErrorKind::ConsentDeclined,
            "the vaccination needs your consent; if you do not agree, do not send the form and talk to the doctor",
            "接種には同意が必要です。同意しない場合は予診票を送信せず、医師にご相談ください",
        ));
    }
    Ok(())
}

/// The items shown for `answers`, in document order (doctor items included: residents see
/// them, read-only).
pub fn visible_items<'t>(template: &'t TemplateContent, answers: &Answers) -> Vec<&'t Item> {
    let index = Index::new(template);
    let shown = shown(&index, answers);
    index
        .items
        .iter()
        .zip(shown)
        .filter_map(|(item, shown)| shown.then_some(*item))
        .collect()
}

/// `answers` without the answers to items that are hidden (or not on the form).
///
/// Conditions chain (a follow-up to a follow-up), so one might expect to repeat this until
/// nothing changes; it is not needed because a condition already counts an answer only when its
/// item is shown ([`super::conditions`]): the answers removed here could not have shown
/// anything. Pruning twice gives the same answers (a property test checks it).
pub fn prune(template: &TemplateContent, answers: &Answers) -> Answers {
    let visible: BTreeSet<&ItemId> = visible_items(template, answers)
        .into_iter()
        .map(|i| &i.id)
        .collect();
    answers
        .iter()
        .filter(|(id, _)| visible.contains(id))
        .map(|(id, v)| (id.clone(), v.clone()))
        .collect()
}

/// Checks what a resident sends: every shown resident item answered as typed, required ones
/// present (only when shown), details given where the answer calls for them, the consent given
/// and signed, and nothing for doctor items, hidden items or unknown items (send
/// [`prune`]d answers). Every error at once, in document order.
pub fn validate_submission(
    template: &TemplateContent,
    answers: &Answers,
) -> Result<(), Vec<AnswerError>> {
    validate_as(template, answers, FilledBy::Resident)
}

/// Checks the doctor's part at the clinic: every shown doctor item answered as typed and the
/// required ones present. The resident's answers in `answers` are left alone (they were checked
/// when submitted); unknown item ids are errors.
pub fn validate_doctor_entries(
    template: &TemplateContent,
    answers: &Answers,
) -> Result<(), Vec<AnswerError>> {
    validate_as(template, answers, FilledBy::Doctor)
}

fn validate_as(
    template: &TemplateContent,
    answers: &Answers,
    role: FilledBy,
) -> Result<(), Vec<AnswerError>> {
    let index = Index::new(template);
    let shown = shown(&index, answers);
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (item, shown) in index.items.iter().zip(shown) {
        if !seen.insert(&item.id) {
            continue;
        }
        let answer = answers.get(&item.id);
        if item.filled_by != role {
            if role == FilledBy::Resident && answer.is_some() {
                errors.push(AnswerError::new(
                    &item.id,
                    AnswerErrorKind::FilledByDoctor,
                    "this part is filled in by the doctor; leave it empty",
                    "この欄は医師が記入します。空欄のままにしてください",
                ));
            }
            continue;
        }
        match (answer, shown) {
            (Some(_), false) => errors.push(AnswerError::new(
                &item.id,
                AnswerErrorKind::NotShown,
                "this question does not apply given your other answers; remove its answer",
                "ほかの回答により、この質問は不要です。この回答を取り消してください",
            )),
            (Some(value), true) => {
                if let Err(e) = check_value(item, value) {
                    errors.push(e);
                }
            }
            (None, true) if item.required => errors.push(required(item)),
            (None, _) => {}
        }
    }
    errors.extend(
        answers
            .item_ids()
            .filter(|id| !index.position.contains_key(id))
            .map(unknown_item),
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
