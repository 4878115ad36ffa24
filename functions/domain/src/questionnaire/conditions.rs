//! Conditions: which items a set of answers shows, and whether an item can be shown at all.
//!
//! An `item equals code` test holds only when that item is itself shown: an answer left behind
//! on a hidden item never shows anything. This makes visibility a fixpoint by construction —
//! removing the answers of hidden items (see [`super::answers::prune`]) cannot hide or show
//! anything else — however long a chain of conditions is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::answers::{AnswerValue, Answers};
use super::model::{Condition, Item, ItemId, ItemKind, OptionCode, TemplateContent};

/// The items of a template in document order, and where each id first occurs.
pub(crate) struct Index<'t> {
    pub items: Vec<&'t Item>,
    pub position: HashMap<&'t ItemId, usize>,
}

impl<'t> Index<'t> {
    pub fn new(content: &'t TemplateContent) -> Self {
        let items: Vec<&Item> = content.items().collect();
        let mut position = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            position.entry(&item.id).or_insert(i);
        }
        Self { items, position }
    }
}

/// Whether an answer to an item of `kind` is `code`: the yes/no value, the chosen option, or
/// one of the chosen options. An answer of the wrong shape matches nothing.
pub(crate) fn answer_equals(kind: &ItemKind, value: &AnswerValue, code: &OptionCode) -> bool {
    match (kind, value) {
        (ItemKind::YesNo { .. }, AnswerValue::YesNo { answer, .. }) => {
            answer.code() == code.as_str()
        }
        (ItemKind::SingleChoice { .. }, AnswerValue::Choice(chosen)) => chosen == code,
        (ItemKind::MultipleChoice { .. }, AnswerValue::Choices(chosen)) => chosen.contains(code),
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Mark {
    Unknown,
    /// Being evaluated: met again only through a cycle (an invalid template), counted as hidden.
    Busy,
    Done(bool),
}

/// Whether each item (by document position) is shown for `answers`.
pub(crate) fn shown(index: &Index<'_>, answers: &Answers) -> Vec<bool> {
    let mut eval = Eval {
        index,
        answers,
        marks: vec![Mark::Unknown; index.items.len()],
    };
    (0..index.items.len()).map(|i| eval.shown(i)).collect()
}

struct Eval<'a, 't> {
    index: &'a Index<'t>,
    answers: &'a Answers,
    marks: Vec<Mark>,
}

impl<'t> Eval<'_, 't> {
    fn shown(&mut self, i: usize) -> bool {
        match self.marks[i] {
            Mark::Done(shown) => shown,
            Mark::Busy => false,
            Mark::Unknown => {
                self.marks[i] = Mark::Busy;
                let item: &'t Item = self.index.items[i];
                let shown = item.show_when.as_ref().is_none_or(|c| self.holds(c));
                self.marks[i] = Mark::Done(shown);
                shown
            }
        }
    }

    fn holds(&mut self, condition: &'t Condition) -> bool {
        match condition {
            Condition::Answer { item, equals } => {
                let Some(&j) = self.index.position.get(item) else {
                    return false;
                };
                self.shown(j)
                    && self
                        .answers
                        .get(item)
                        .is_some_and(|v| answer_equals(&self.index.items[j].kind, v, equals))
            }
            Condition::Any { any } => any.iter().any(|c| self.holds(c)),
            Condition::All { all } => all.iter().all(|c| self.holds(c)),
        }
    }
}

/// One way to show an item: for each item position, the codes its answer must be (include).
type Term<'t> = BTreeMap<usize, BTreeSet<&'t OptionCode>>;

/// Past this many alternative ways to show an item we stop counting and assume it can be
/// shown: real forms have a handful, and the check must stay cheap in the editor.
const MAX_TERMS: usize = 1024;

/// Whether each item (by document position) can be shown by some set of answers. Decided
/// exactly (conditions expanded into alternatives of required answers, each checked for
/// contradictions such as `yes` and `no` at once) unless a condition has more than
/// [`MAX_TERMS`] alternatives, which counts as reachable.
pub(crate) fn reachable(index: &Index<'_>) -> Vec<bool> {
    let mut solver = Solver {
        index,
        memo: vec![None; index.items.len()],
        busy: vec![false; index.items.len()],
    };
    (0..index.items.len())
        .map(|i| solver.ways_to_show(i).is_none_or(|terms| !terms.is_empty()))
        .collect()
}

struct Solver<'a, 't> {
    index: &'a Index<'t>,
    /// `Some(None)` = too many alternatives to count.
    memo: Vec<Option<Option<Vec<Term<'t>>>>>,
    busy: Vec<bool>,
}

impl<'t> Solver<'_, 't> {
    /// The alternatives that show item `i`, or `None` when there are too many.
    fn ways_to_show(&mut self, i: usize) -> Option<Vec<Term<'t>>> {
        if let Some(known) = &self.memo[i] {
            return known.clone();
        }
        if self.busy[i] {
            // A cycle: no finite set of answers shows an item that needs itself shown first.
            return Some(Vec::new());
        }
        self.busy[i] = true;
        let item: &'t Item = self.index.items[i];
        let ways = match &item.show_when {
            None => Some(vec![Term::new()]),
            Some(c) => self.ways_to_hold(c),
        };
        self.busy[i] = false;
        self.memo[i] = Some(ways.clone());
        ways
    }

    fn ways_to_hold(&mut self, condition: &'t Condition) -> Option<Vec<Term<'t>>> {
        match condition {
            Condition::Answer { item, equals } => {
                let Some(&j) = self.index.position.get(item) else {
                    return Some(Vec::new());
                };
                let kind = &self.index.items[j].kind;
                if !kind
                    .condition_codes()
                    .is_some_and(|codes| codes.contains(&equals.as_str()))
                {
                    return Some(Vec::new());
                }
                let atom = Term::from([(j, BTreeSet::from([equals]))]);
                let shown = self.ways_to_show(j)?;
                Some(shown.iter().filter_map(|t| self.merge(t, &atom)).collect())
            }
            Condition::Any { any } => {
                let mut out = Vec::new();
                for c in any {
                    out.extend(self.ways_to_hold(c)?);
                    dedup(&mut out);
                    if out.len() > MAX_TERMS {
                        return None;
                    }
                }
                Some(out)
            }
            Condition::All { all } => {
                let mut out = vec![Term::new()];
                for c in all {
                    let next = self.ways_to_hold(c)?;
                    let mut product = Vec::new();
                    for a in &out {
                        product.extend(next.iter().filter_map(|b| self.merge(a, b)));
                        if product.len() > MAX_TERMS {
                            return None;
                        }
                    }
                    dedup(&mut product);
                    out = product;
                }
                Some(out)
            }
        }
    }

    /// Both requirements at once, unless they contradict (two different answers to an item
    /// that holds one value).
    fn merge(&self, a: &Term<'t>, b: &Term<'t>) -> Option<Term<'t>> {
        let mut merged = a.clone();
        for (&j, codes) in b {
            let entry = merged.entry(j).or_default();
            entry.extend(codes.iter().copied());
            if entry.len() > 1 && self.index.items[j].kind.single_valued() {
                return None;
            }
        }
        Some(merged)
    }
}

fn dedup(terms: &mut Vec<Term<'_>>) {
    terms.sort();
    terms.dedup();
}
