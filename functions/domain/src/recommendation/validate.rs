//! Checks a rule set before it is saved: every problem at once, each with where it is and
//! what to do, in Japanese and English, none quoting the text itself.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::render::{PLACEHOLDERS, TemplateProblem, pieces};
use super::rules::{LANGUAGES, Rule, RuleSet, Trigger};
use crate::schedule::Schedule;

/// Most rules one municipality keeps.
pub const MAX_RULES: usize = 50;
const MAX_ID: usize = 32;
const MAX_NAME: usize = 100;
const MAX_TITLE: usize = 100;
const MAX_BODY: usize = 2_000;
const MAX_CONTACT: usize = 200;

/// One problem of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleError {
    /// The rule's id as written (or `#<position>` when it has none); `None` for the set.
    pub rule: Option<String>,
    /// Where: `id`, `series`, `trigger.days_before`, `texts.en.body`, `contact.ja`, …
    pub field: String,
    /// A stable code: `invalid_id`, `duplicate_id`, `unknown_series`, `no_series`,
    /// `out_of_range`, `missing_language`, `unknown_language`, `empty_text`, `too_long`,
    /// `unknown_placeholder`, `unbalanced_brace`, `too_many_rules`.
    pub code: String,
    pub ja: String,
    /// Lowercase, no trailing period.
    pub en: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "rule {rule}, {}: {}", self.field, self.en),
            None => write!(f, "{}: {}", self.field, self.en),
        }
    }
}

impl std::error::Error for RuleError {}

struct Findings {
    errors: Vec<RuleError>,
    rule: Option<String>,
}

impl Findings {
    fn add(&mut self, field: impl Into<String>, code: &str, ja: String, en: String) {
        self.errors.push(RuleError {
            rule: self.rule.clone(),
            field: field.into(),
            code: code.to_owned(),
            ja,
            en,
        });
    }

    fn range(&mut self, field: &str, value: u32, min: u32, max: u32) {
        if !(min..=max).contains(&value) {
            self.add(
                field,
                "out_of_range",
                format!("{min}〜{max}の数を指定してください"),
                format!("must be a number from {min} to {max}"),
            );
        }
    }

    fn text(&mut self, field: &str, text: &str, max: usize) {
        if text.trim().is_empty() {
            self.add(
                field,
                "empty_text",
                "文言を入力してください".into(),
                "is empty; write the text".into(),
            );
        } else if text.chars().count() > max {
            self.add(
                field,
                "too_long",
                format!("{max}文字以内にしてください"),
                format!("is longer than {max} characters; shorten it"),
            );
        }
    }

    fn template(&mut self, field: &str, text: &str, max: usize) {
        self.text(field, text, max);
        match pieces(text) {
            Ok(_) => {}
            Err(TemplateProblem::UnknownPlaceholder(at)) => self.add(
                field,
                "unknown_placeholder",
                format!(
                    "{}文字目の差し込み項目は使えません。使えるのは {} です",
                    text[..at].chars().count() + 1,
                    placeholder_list()
                ),
                format!(
                    "the placeholder at character {} is unknown; use one of {}",
                    text[..at].chars().count() + 1,
                    placeholder_list()
                ),
            ),
            Err(TemplateProblem::UnbalancedBrace(at)) => self.add(
                field,
                "unbalanced_brace",
                format!(
                    "{}文字目の括弧 {{ }} が対になっていません。括弧は差し込み項目にだけ使えます",
                    text[..at].chars().count() + 1
                ),
                format!(
                    "the brace at character {} has no partner; braces are for placeholders only",
                    text[..at].chars().count() + 1
                ),
            ),
        }
    }

    fn languages<T>(&mut self, field: &str, keys: impl Iterator<Item = T>)
    where
        T: AsRef<str>,
    {
        let present: BTreeSet<String> = keys.map(|k| k.as_ref().to_owned()).collect();
        for lang in LANGUAGES {
            if !present.contains(lang) {
                self.add(
                    format!("{field}.{lang}"),
                    "missing_language",
                    format!("言語 {lang} の文言がありません。日本語と英語の両方が必要です"),
                    format!("the {lang} text is missing; both ja and en are required"),
                );
            }
        }
        for lang in present.iter().filter(|l| !LANGUAGES.contains(&l.as_str())) {
            // The code is ours to print only if it is short and plain.
            let shown: String = lang
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(8)
                .collect();
            self.add(
                format!("{field}.{shown}"),
                "unknown_language",
                "使える言語は ja と en です".into(),
                "only ja and en are supported".into(),
            );
        }
    }
}

fn placeholder_list() -> String {
    PLACEHOLDERS
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Every problem of `rules` against `schedule` (which series exist); empty when it may be
/// saved.
pub fn validate(rules: &RuleSet, schedule: &Schedule) -> Vec<RuleError> {
    let mut findings = Findings {
        errors: Vec::new(),
        rule: None,
    };
    if rules.rules.len() > MAX_RULES {
        findings.add(
            "rules",
            "too_many_rules",
            format!("ルールは{MAX_RULES}件までです"),
            format!("at most {MAX_RULES} rules; remove some"),
        );
    }
    findings.languages("contact", rules.contact.keys());
    for (lang, text) in &rules.contact {
        if LANGUAGES.contains(&lang.as_str()) {
            findings.text(&format!("contact.{lang}"), text, MAX_CONTACT);
        }
    }
    let series: BTreeSet<&str> = schedule.series().map(|s| s.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for (position, rule) in rules.rules.iter().enumerate() {
        findings.rule = Some(if valid_id(&rule.id) {
            rule.id.clone()
        } else {
            format!("#{}", position + 1)
        });
        check_rule(&mut findings, rule, &series, &mut seen);
    }
    findings.errors
}

fn check_rule<'a>(
    findings: &mut Findings,
    rule: &'a Rule,
    series: &BTreeSet<&str>,
    seen: &mut BTreeSet<&'a str>,
) {
    if !valid_id(&rule.id) {
        findings.add(
            "id",
            "invalid_id",
            format!("ルールIDは英数字・-・_ の{MAX_ID}文字以内にしてください"),
            format!("the rule id must be 1-{MAX_ID} letters, digits, - or _"),
        );
    } else if !seen.insert(rule.id.as_str()) {
        findings.add(
            "id",
            "duplicate_id",
            "同じルールIDが他のルールにも使われています".into(),
            "another rule has the same id; give each rule its own".into(),
        );
    }
    findings.text("name_ja", &rule.name_ja, MAX_NAME);
    findings.text("name_en", &rule.name_en, MAX_NAME);
    if rule.series.is_empty() && rule.categories.is_empty() {
        findings.add(
            "series",
            "no_series",
            "対象の予防接種（series または categories）を指定してください".into(),
            "name the vaccinations it covers in series or categories".into(),
        );
    }
    for (i, id) in rule.series.iter().enumerate() {
        if !series.contains(id.as_str()) {
            findings.add(
                format!("series[{i}]"),
                "unknown_series",
                "スケジュールにない予防接種です。予防接種の一覧から選んでください".into(),
                "this vaccination is not in the schedule; pick one from the list".into(),
            );
        }
    }
    match rule.trigger {
        Trigger::Upcoming { days_before } => {
            findings.range("trigger.days_before", u32::from(days_before), 1, 180);
        }
        Trigger::DueNow => {}
        Trigger::Overdue {
            every_days,
            max_times,
        } => {
            findings.range("trigger.every_days", u32::from(every_days), 7, 365);
            findings.range("trigger.max_times", u32::from(max_times), 1, 12);
        }
    }
    findings.range("quiet_days", u32::from(rule.quiet_days), 0, 365);
    findings.languages("texts", rule.texts.keys());
    for (lang, text) in &rule.texts {
        if LANGUAGES.contains(&lang.as_str()) {
            findings.template(&format!("texts.{lang}.title"), &text.title, MAX_TITLE);
            findings.template(&format!("texts.{lang}.body"), &text.body, MAX_BODY);
        }
    }
}
