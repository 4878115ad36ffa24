//! The checks behind the admin editor's publish button: everything that would make a form
//! confusing or impossible to fill in. Each finding names the place and says what to fix, in
//! English and Japanese.

use std::collections::{BTreeSet, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::conditions::{Index, reachable};
use super::model::{Condition, FilledBy, Item, ItemKind, MAX_TEXT_LIMIT, Place, TemplateContent};
use super::texts::{Lang, TemplateTexts, missing_keys, required_keys};

/// What kind of problem a template has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateErrorKind {
    NoVaccinationKinds,
    DuplicateVaccinationKind,
    NoSections,
    EmptySection,
    DuplicateId,
    TooFewOptions,
    DuplicateOption,
    InvalidRange,
    InvalidStep,
    InvalidTextLimit,
    MissingConsent,
    MoreThanOneConsent,
    ConsentMisconfigured,
    EmptyCondition,
    UnknownConditionItem,
    ConditionOnItself,
    ConditionOnLaterItem,
    ConditionCycle,
    ConditionOnUnsupportedItem,
    UnknownConditionOption,
    ConditionOnDoctorItem,
    NeverShown,
    NotJapanese,
    MissingJapaneseText,
}

/// One problem of a template: where, what kind, and what to do, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateError {
    pub place: Place,
    pub kind: TemplateErrorKind,
    /// Lowercase, no trailing period.
    pub en: String,
    pub ja: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.en)
    }
}

impl std::error::Error for TemplateError {}

struct Findings(Vec<TemplateError>);

impl Findings {
    fn add(&mut self, place: Place, kind: TemplateErrorKind, en: String, ja: String) {
        self.0.push(TemplateError {
            place,
            kind,
            en,
            ja,
        });
    }
}

fn at(item: &Item) -> Place {
    Place::Item {
        id: item.id.clone(),
    }
}

/// Everything [`validate_structure`] checks, plus the Japanese texts (the form's legal
/// wording): every key the template needs must be present and not blank in `ja`.
pub fn validate_template(
    content: &TemplateContent,
    ja: &TemplateTexts,
) -> Result<(), Vec<TemplateError>> {
    let mut f = Findings(validate_structure(content));
    if ja.lang != Lang::Ja {
        f.add(
            Place::Template,
            TemplateErrorKind::NotJapanese,
            format!(
                "the texts given are in `{}`, not Japanese; publish with the Japanese texts",
                ja.lang.code()
            ),
            format!(
                "渡された文言は日本語ではありません（{}）。日本語の文言で公開してください",
                ja.lang.code()
            ),
        );
    } else {
        let missing: BTreeSet<String> = missing_keys(content, ja).into_iter().collect();
        for (place, key) in required_keys(content) {
            if missing.contains(&key) {
                f.add(
                    place,
                    TemplateErrorKind::MissingJapaneseText,
                    format!("the Japanese text `{key}` is missing; write it"),
                    format!("日本語の文言「{key}」がありません。入力してください"),
                );
            }
        }
    }
    if f.0.is_empty() { Ok(()) } else { Err(f.0) }
}

/// The structure of a template: ids, options, ranges, limits, the consent block and every
/// condition (references, order, cycles, option codes, whether each item can be shown at all).
/// Empty when the template is fine.
pub fn validate_structure(content: &TemplateContent) -> Vec<TemplateError> {
    let mut f = Findings(Vec::new());
    check_template(content, &mut f);
    let index = Index::new(content);
    for item in &index.items {
        check_settings(item, &mut f);
    }
    check_consent(&index, &mut f);
    check_conditions(&index, &mut f);
    f.0
}

fn check_template(content: &TemplateContent, f: &mut Findings) {
    use TemplateErrorKind as K;
    if content.vaccination_kinds.is_empty() {
        f.add(
            Place::Template,
            K::NoVaccinationKinds,
            "the template serves no vaccination; add the vaccinations it is used for".into(),
            "対象の予防接種がありません。この予診票を使う予防接種を追加してください".into(),
        );
    }
    let mut kinds = BTreeSet::new();
    for kind in &content.vaccination_kinds {
        if !kinds.insert(kind) {
            f.add(
                Place::Template,
                K::DuplicateVaccinationKind,
                format!("the vaccination `{kind}` is listed twice; remove one"),
                format!(
                    "予防接種「{}」が重複しています。1つにしてください",
                    kind.name_ja()
                ),
            );
        }
    }
    if content.sections.is_empty() {
        f.add(
            Place::Template,
            K::NoSections,
            "the template has no sections; add a section with questions".into(),
            "セクションがありません。質問を含むセクションを追加してください".into(),
        );
    }
    let mut section_ids = HashSet::new();
    let mut item_ids = HashSet::new();
    for section in &content.sections {
        let place = Place::Section {
            id: section.id.clone(),
        };
        if !section_ids.insert(&section.id) {
            f.add(
                place.clone(),
                K::DuplicateId,
                format!("the section id `{}` is used twice; rename one", section.id),
                format!(
                    "セクションID「{}」が重複しています。どちらかを変更してください",
                    section.id
                ),
            );
        }
        if section.items.is_empty() {
            f.add(
                place,
                K::EmptySection,
                format!(
                    "section `{}` has no items; add items or remove it",
                    section.id
                ),
                format!(
                    "セクション「{}」に項目がありません。項目を追加するか削除してください",
                    section.id
                ),
            );
        }
        for item in &section.items {
            if !item_ids.insert(&item.id) {
                f.add(
                    at(item),
                    K::DuplicateId,
                    format!("the item id `{}` is used twice; rename one", item.id),
                    format!(
                        "項目ID「{}」が重複しています。どちらかを変更してください",
                        item.id
                    ),
                );
            }
        }
    }
}

fn check_settings(item: &Item, f: &mut Findings) {
    use TemplateErrorKind as K;
    let id = &item.id;
    let limit_error = |f: &mut Findings, what_en: &str, what_ja: &str| {
        f.add(
            at(item),
            K::InvalidTextLimit,
            format!(
                "item `{id}`: the {what_en} limit must be 1-{MAX_TEXT_LIMIT} characters; change it"
            ),
            format!("項目「{id}」: {what_ja}の文字数上限は1〜{MAX_TEXT_LIMIT}にしてください"),
        );
    };
    match &item.kind {
        ItemKind::YesNo {
            detail_when: Some(_),
            detail_max_chars,
        } if *detail_max_chars == 0 || *detail_max_chars > MAX_TEXT_LIMIT => {
            limit_error(f, "detail", "記入欄");
        }
        ItemKind::Text { max_chars } if *max_chars == 0 || *max_chars > MAX_TEXT_LIMIT => {
            limit_error(f, "text", "入力");
        }
        ItemKind::SingleChoice { options } | ItemKind::MultipleChoice { options } => {
            let least = if matches!(item.kind, ItemKind::SingleChoice { .. }) {
                2
            } else {
                1
            };
            if options.len() < least {
                f.add(
                    at(item),
                    K::TooFewOptions,
                    format!(
                        "item `{id}` has {} options; add at least {least}",
                        options.len()
                    ),
                    format!(
                        "項目「{id}」の選択肢が{}個です。{least}個以上にしてください",
                        options.len()
                    ),
                );
            }
            let mut seen = BTreeSet::new();
            for option in options {
                if !seen.insert(option) {
                    f.add(
                        at(item),
                        K::DuplicateOption,
                        format!("item `{id}` lists the option `{option}` twice; remove one"),
                        format!(
                            "項目「{id}」の選択肢「{option}」が重複しています。1つにしてください"
                        ),
                    );
                }
            }
        }
        ItemKind::Number { min, max, step, .. } => {
            if min >= max {
                f.add(
                    at(item),
                    K::InvalidRange,
                    format!("item `{id}`: the minimum {min} is not below the maximum {max}; make min smaller than max"),
                    format!("項目「{id}」: 最小値{min}が最大値{max}以上です。最小値を最大値より小さくしてください"),
                );
            } else if step.thousandths() <= 0
                || (max.thousandths() - min.thousandths()) % step.thousandths() != 0
            {
                f.add(
                    at(item),
                    K::InvalidStep,
                    format!("item `{id}`: the step {step} must be above 0 and divide max - min; change the step or the range"),
                    format!("項目「{id}」: 刻み{step}は0より大きく、最大値と最小値の差を割り切る値にしてください"),
                );
            }
        }
        _ => {}
    }
}

fn check_consent(index: &Index<'_>, f: &mut Findings) {
    use TemplateErrorKind as K;
    let consents: Vec<&Item> = index
        .items
        .iter()
        .copied()
        .filter(|i| matches!(i.kind, ItemKind::Consent { .. }))
        .collect();
    if consents.is_empty() {
        f.add(
            Place::Template,
            K::MissingConsent,
            "the template has no consent item; add one (type `consent`)".into(),
            "同意欄がありません。同意欄（consent）を追加してください".into(),
        );
    }
    for extra in consents.iter().skip(1) {
        f.add(
            at(extra),
            K::MoreThanOneConsent,
            format!(
                "item `{}` is a second consent item; keep only one",
                extra.id
            ),
            format!(
                "項目「{}」は2つ目の同意欄です。同意欄は1つにしてください",
                extra.id
            ),
        );
    }
    for item in consents {
        let ItemKind::Consent { signers } = &item.kind else {
            continue;
        };
        let distinct: BTreeSet<_> = signers.iter().collect();
        let problem = if signers.is_empty() {
            Some((
                "list who may sign (recipient, guardian or proxy)",
                "署名できる方（本人・保護者・代筆者）を指定してください",
            ))
        } else if distinct.len() != signers.len() {
            Some((
                "list each signer once",
                "署名者の指定が重複しています。1回ずつにしてください",
            ))
        } else if item.filled_by != FilledBy::Resident {
            Some((
                "the consent is filled in by the resident; set filled_by to resident",
                "同意欄は接種を受ける方（保護者）が記入します。filled_by を resident にしてください",
            ))
        } else if !item.required {
            Some((
                "the consent must be required; make it required",
                "同意欄は必須にしてください",
            ))
        } else if item.show_when.is_some() {
            Some((
                "the consent must always be shown; remove its condition",
                "同意欄は常に表示してください。表示条件を削除してください",
            ))
        } else {
            None
        };
        if let Some((en, ja)) = problem {
            f.add(
                at(item),
                K::ConsentMisconfigured,
                format!("item `{}`: {en}", item.id),
                format!("項目「{}」: {ja}", item.id),
            );
        }
    }
}

fn has_empty_group(c: &Condition) -> bool {
    match c {
        Condition::Answer { .. } => false,
        Condition::Any { any: cs } | Condition::All { all: cs } => {
            cs.is_empty() || cs.iter().any(has_empty_group)
        }
    }
}

fn check_conditions(index: &Index<'_>, f: &mut Findings) {
    use TemplateErrorKind as K;
    let n = index.items.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut broken = vec![false; n];
    for (i, item) in index.items.iter().enumerate() {
        let Some(condition) = &item.show_when else {
            continue;
        };
        let id = &item.id;
        if has_empty_group(condition) {
            broken[i] = true;
            f.add(
                at(item),
                K::EmptyCondition,
                format!("item `{id}`: its condition has an empty any/all group; add conditions to it or remove it"),
                format!("項目「{id}」: 表示条件に空の any/all があります。条件を追加するか削除してください"),
            );
        }
        for (target, code) in condition.atoms() {
            let Some(&j) = index.position.get(target) else {
                broken[i] = true;
                f.add(
                    at(item),
                    K::UnknownConditionItem,
                    format!("item `{id}`: its condition refers to `{target}`, which is not on the form; choose an existing item or remove the condition"),
                    format!("項目「{id}」: 表示条件が存在しない項目「{target}」を参照しています。既存の項目を選ぶか条件を削除してください"),
                );
                continue;
            };
            let other = index.items[j];
            if j == i {
                broken[i] = true;
                f.add(
                    at(item),
                    K::ConditionOnItself,
                    format!("item `{id}`: its condition refers to the item itself; refer to an earlier question"),
                    format!("項目「{id}」: 表示条件が自分自身を参照しています。前にある質問を参照してください"),
                );
                continue;
            }
            edges[i].push(j);
            match other.kind.condition_codes() {
                None => {
                    broken[i] = true;
                    f.add(
                        at(item),
                        K::ConditionOnUnsupportedItem,
                        format!("item `{id}`: its condition refers to `{target}`, which is not a yes/no or choice item; refer to one of those"),
                        format!("項目「{id}」: 表示条件が「{target}」を参照していますが、はい/いいえ・選択式以外の項目は参照できません"),
                    );
                }
                Some(codes) if !codes.contains(&code.as_str()) => {
                    broken[i] = true;
                    f.add(
                        at(item),
                        K::UnknownConditionOption,
                        format!("item `{id}`: its condition wants `{target}` to be `{code}`, which is not one of its answers ({}); choose one of them", codes.join(", ")),
                        format!("項目「{id}」: 表示条件の「{target}」=「{code}」は選択肢にありません（{}）。いずれかを選んでください", codes.join("、")),
                    );
                }
                Some(_) => {}
            }
            if item.filled_by == FilledBy::Resident && other.filled_by == FilledBy::Doctor {
                broken[i] = true;
                f.add(
                    at(item),
                    K::ConditionOnDoctorItem,
                    format!("item `{id}`: a resident's question cannot depend on the doctor's item `{target}`, which is filled in later; refer to a resident's question"),
                    format!("項目「{id}」: 医師記入欄「{target}」は後で記入されるため、接種を受ける方の質問の条件にできません"),
                );
            }
        }
    }

    let cycles = find_cycles(&edges);
    let in_cycle: Vec<Option<usize>> = {
        let mut member = vec![None; n];
        for (c, cycle) in cycles.iter().enumerate() {
            for &i in cycle {
                member[i] = Some(c);
            }
        }
        member
    };
    for cycle in &cycles {
        let first = index.items[cycle[0]];
        let path: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&cycle[0]))
            .map(|&i| format!("`{}`", index.items[i].id))
            .collect();
        f.add(
            at(first),
            K::ConditionCycle,
            format!("item `{}`: conditions go round in a circle ({}), so none of these can be shown; remove one of the conditions", first.id, path.join(" → ")),
            format!("項目「{}」: 表示条件が循環しています（{}）。いずれかの条件を削除してください", first.id, path.join(" → ")),
        );
    }
    for (i, targets) in edges.iter().enumerate() {
        let item = index.items[i];
        for &j in targets {
            let same_cycle = in_cycle[i].is_some() && in_cycle[i] == in_cycle[j];
            if j > i && !same_cycle {
                broken[i] = true;
                f.add(
                    at(item),
                    K::ConditionOnLaterItem,
                    format!("item `{}`: its condition refers to `{}`, which comes later in the form; move `{}` before it or change the condition", item.id, index.items[j].id, index.items[j].id),
                    format!("項目「{}」: 表示条件が後にある項目「{}」を参照しています。「{}」を前に移すか条件を変更してください", item.id, index.items[j].id, index.items[j].id),
                );
            }
        }
    }

    if cycles.is_empty() {
        for (i, can_show) in reachable(index).into_iter().enumerate() {
            let item = index.items[i];
            if !can_show && !broken[i] {
                let (en, ja) = if item.required {
                    ("it is required but", "必須ですが、")
                } else {
                    ("it", "")
                };
                f.add(
                    at(item),
                    K::NeverShown,
                    format!("item `{}`: {en} can never be shown, because no answers satisfy its condition (it wants contradicting answers, or depends on an item that is never shown); fix the condition or remove the item", item.id),
                    format!("項目「{}」: {ja}表示条件を満たす回答がないため表示されません（矛盾する回答を求めているか、表示されない項目を参照しています）。条件を直すか項目を削除してください", item.id),
                );
            }
        }
    }
}

/// Each distinct cycle of condition references, starting at its earliest item.
fn find_cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct Dfs<'a> {
        edges: &'a [Vec<usize>],
        color: Vec<u8>,
        stack: Vec<usize>,
        found: Vec<Vec<usize>>,
    }
    impl Dfs<'_> {
        fn visit(&mut self, u: usize) {
            self.color[u] = 1;
            self.stack.push(u);
            for &v in &self.edges[u] {
                match self.color[v] {
                    0 => self.visit(v),
                    1 => {
                        if let Some(p) = self.stack.iter().position(|&x| x == v) {
                            self.found.push(self.stack[p..].to_vec());
                        }
                    }
                    _ => {}
                }
            }
            self.stack.pop();
            self.color[u] = 2;
        }
    }
    let mut dfs = Dfs {
        edges,
        color: vec![0; edges.len()],
        stack: Vec::new(),
        found: Vec::new(),
    };
    for u in 0..edges.len() {
        if dfs.color[u] == 0 {
            dfs.visit(u);
        }
    }
    let mut seen = BTreeSet::new();
    let mut cycles = Vec::new();
    for mut cycle in dfs.found {
        let Some(start) = cycle
            .iter()
            .enumerate()
            .min_by_key(|(_, i)| **i)
            .map(|(p, _)| p)
        else {
            continue;
        };
        cycle.rotate_left(start);
        let members: BTreeSet<usize> = cycle.iter().copied().collect();
        if seen.insert(members) {
            cycles.push(cycle);
        }
    }
    cycles
}
