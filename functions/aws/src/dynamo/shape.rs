//! How the port's items, conditions, queries and cursors become DynamoDB request parts.
//! Pure functions, so their exact shapes are unit-tested without a server.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sesshu_store::{AttrValue, Condition, Item, Key, Query, SkRange, StoreError};

pub(crate) const PK: &str = "pk";
pub(crate) const SK: &str = "sk";
pub(crate) const VERSION: &str = "_v";
pub(crate) const TTL: &str = "_ttl";

/// An expression with exactly the placeholders it uses (DynamoDB rejects unused ones).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Expr {
    pub expression: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl Expr {
    pub fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// "Not expired at `now`", the guard every read and every existence condition shares:
/// DynamoDB sweeps expired items only eventually, so the adapter must ignore them itself.
const ALIVE: &str = "(attribute_not_exists(#ttl) OR #ttl > :now)";

/// The condition expression for `condition`, evaluated at `now` (epoch seconds).
pub(crate) fn condition_expr(condition: Condition, now: u64) -> Option<Expr> {
    let mut names = HashMap::from([("#ttl".to_owned(), TTL.to_owned())]);
    let mut values = HashMap::from([(":now".to_owned(), n(now))]);
    let expression = match condition {
        Condition::None => return None,
        Condition::MustNotExist => {
            names.insert("#pk".into(), PK.into());
            "attribute_not_exists(#pk) OR #ttl <= :now".to_owned()
        }
        Condition::MustExist => {
            names.insert("#pk".into(), PK.into());
            format!("attribute_exists(#pk) AND {ALIVE}")
        }
        Condition::VersionIs(version) => {
            names.insert("#v".into(), VERSION.into());
            values.insert(":v".into(), n(version));
            format!("#v = :v AND {ALIVE}")
        }
    };
    Some(Expr {
        expression,
        names,
        values,
    })
}

/// A query's key condition and the filter that hides expired items, sharing one set of
/// placeholders. `None` when the range is empty (DynamoDB rejects `BETWEEN` with `from > to`).
pub(crate) fn query_exprs(query: &Query, now: u64) -> Option<(String, String, Expr)> {
    let mut names = HashMap::from([
        ("#pk".to_owned(), PK.to_owned()),
        ("#ttl".to_owned(), TTL.to_owned()),
    ]);
    let mut values = HashMap::from([
        (":pk".to_owned(), AttributeValue::S(query.pk.clone())),
        (":now".to_owned(), n(now)),
    ]);
    let key_condition = match &query.range {
        SkRange::All => "#pk = :pk".to_owned(),
        SkRange::Prefix(prefix) if prefix.is_empty() => "#pk = :pk".to_owned(),
        SkRange::Prefix(prefix) => {
            names.insert("#sk".into(), SK.into());
            values.insert(":prefix".into(), AttributeValue::S(prefix.clone()));
            "#pk = :pk AND begins_with(#sk, :prefix)".to_owned()
        }
        SkRange::Between { from, to } => {
            if from > to {
                return None;
            }
            names.insert("#sk".into(), SK.into());
            values.insert(":from".into(), AttributeValue::S(from.clone()));
            values.insert(":to".into(), AttributeValue::S(to.clone()));
            "#pk = :pk AND #sk BETWEEN :from AND :to".to_owned()
        }
    };
    let filter = ALIVE.to_owned();
    Some((
        key_condition,
        filter,
        Expr {
            expression: String::new(),
            names,
            values,
        },
    ))
}

/// The key attributes of `key`.
pub(crate) fn key_attrs(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// The stored form of `item`.
pub(crate) fn to_attrs(item: &Item) -> HashMap<String, AttributeValue> {
    let mut attrs = key_attrs(&item.key);
    attrs.insert(VERSION.to_owned(), n(item.version));
    if let Some(at) = item.expires_at {
        attrs.insert(TTL.to_owned(), n(at));
    }
    for (name, value) in &item.attrs {
        let value = match value {
            AttrValue::S(s) => AttributeValue::S(s.clone()),
            AttrValue::N(i) => n(i),
            AttrValue::B(b) => AttributeValue::B(Blob::new(b.clone())),
            AttrValue::Bool(b) => AttributeValue::Bool(*b),
        };
        attrs.insert(name.clone(), value);
    }
    attrs
}

fn malformed(what: &str) -> StoreError {
    StoreError::Backend(format!(
        "stored item is malformed: {what}; was it written outside this adapter?"
    ))
}

fn string_of(attrs: &HashMap<String, AttributeValue>, name: &str) -> Result<String, StoreError> {
    match attrs.get(name) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        _ => Err(malformed(&format!("{name} is missing or not a string"))),
    }
}

fn u64_of(value: &AttributeValue, name: &str) -> Result<u64, StoreError> {
    match value {
        AttributeValue::N(s) => s
            .parse()
            .map_err(|_| malformed(&format!("{name} is not a whole number"))),
        _ => Err(malformed(&format!("{name} is not a number"))),
    }
}

/// The port's item from its stored form.
pub(crate) fn from_attrs(mut attrs: HashMap<String, AttributeValue>) -> Result<Item, StoreError> {
    let key = Key::new(string_of(&attrs, PK)?, string_of(&attrs, SK)?);
    let version = match attrs.get(VERSION) {
        Some(v) => u64_of(v, VERSION)?,
        None => return Err(malformed("the version attribute is missing")),
    };
    let expires_at = attrs.get(TTL).map(|v| u64_of(v, TTL)).transpose()?;
    for reserved in [PK, SK, VERSION, TTL] {
        attrs.remove(reserved);
    }
    let mut item = Item::new(key).with_version(version);
    item.expires_at = expires_at;
    for (name, value) in attrs {
        let value = match value {
            AttributeValue::S(s) => AttrValue::S(s),
            AttributeValue::N(s) => AttrValue::N(
                s.parse()
                    .map_err(|_| malformed(&format!("{name} is not a 64-bit integer")))?,
            ),
            AttributeValue::B(b) => AttrValue::B(b.into_inner()),
            AttributeValue::Bool(b) => AttrValue::Bool(b),
            _ => return Err(malformed(&format!("{name} has an unsupported type"))),
        };
        item.attrs.insert(name, value);
    }
    Ok(item)
}

/// The opaque page cursor: the last evaluated sort key, base64url so it survives URLs.
pub(crate) fn encode_cursor(sk: &str) -> String {
    URL_SAFE_NO_PAD.encode(sk.as_bytes())
}

/// The sort key to resume after, or `Invalid` for a cursor this adapter did not issue.
pub(crate) fn decode_cursor(cursor: &str) -> Result<String, StoreError> {
    let invalid = || StoreError::Invalid("the page cursor is not one this store issued".into());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let sk = String::from_utf8(bytes).map_err(|_| invalid())?;
    if sk.is_empty() {
        return Err(invalid());
    }
    Ok(sk)
}

/// What a cancelled transaction means, from its per-write reason codes (`"None"` for writes
/// that were fine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cancellation {
    /// The first write whose condition failed.
    ConditionFailed(usize),
    Conflict,
    Throttled,
    Other,
}

pub(crate) fn classify_cancellation<'a>(codes: impl IntoIterator<Item = &'a str>) -> Cancellation {
    use crate::backoff::{ErrorClass, classify};
    let mut seen_conflict = false;
    let mut seen_throttle = false;
    for (index, code) in codes.into_iter().enumerate() {
        match classify(code) {
            ErrorClass::ConditionFailed => return Cancellation::ConditionFailed(index),
            ErrorClass::Conflict => seen_conflict = true,
            ErrorClass::Throttled => seen_throttle = true,
            ErrorClass::Other => {}
        }
    }
    if seen_conflict {
        Cancellation::Conflict
    } else if seen_throttle {
        Cancellation::Throttled
    } else {
        Cancellation::Other
    }
}

/// Reason codes from the exception's message, for responses that carry no structured reasons:
/// "Transaction cancelled, please refer cancellation reasons for specific reasons [None, X]".
pub(crate) fn reasons_from_message(message: &str) -> Vec<String> {
    let Some(start) = message.rfind('[') else {
        return Vec::new();
    };
    let Some(len) = message[start..].find(']') else {
        return Vec::new();
    };
    message[start + 1..start + len]
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn placeholders_used(
        expr: &str,
        names: &HashMap<String, String>,
        values: &HashMap<String, AttributeValue>,
    ) {
        for name in names.keys() {
            assert!(expr.contains(name.as_str()), "{name} unused in {expr}");
        }
        for value in values.keys() {
            assert!(expr.contains(value.as_str()), "{value} unused in {expr}");
        }
    }

    #[test]
    fn unconditional_writes_carry_no_expression() {
        assert_eq!(condition_expr(Condition::None, 5), None);
    }

    #[test]
    fn must_not_exist_treats_expired_items_as_absent() {
        let expr = condition_expr(Condition::MustNotExist, 1_700_000_000).unwrap();
        assert_eq!(expr.expression, "attribute_not_exists(#pk) OR #ttl <= :now");
        assert_eq!(expr.names["#pk"], "pk");
        assert_eq!(expr.names["#ttl"], "_ttl");
        assert_eq!(expr.values[":now"], AttributeValue::N("1700000000".into()));
        placeholders_used(&expr.expression, &expr.names, &expr.values);
    }

    #[test]
    fn must_exist_requires_a_live_item() {
        let expr = condition_expr(Condition::MustExist, 9).unwrap();
        assert_eq!(
            expr.expression,
            "attribute_exists(#pk) AND (attribute_not_exists(#ttl) OR #ttl > :now)"
        );
        placeholders_used(&expr.expression, &expr.names, &expr.values);
    }

    #[test]
    fn version_condition_compares_the_version_attribute_of_a_live_item() {
        let expr = condition_expr(Condition::VersionIs(42), 9).unwrap();
        assert_eq!(
            expr.expression,
            "#v = :v AND (attribute_not_exists(#ttl) OR #ttl > :now)"
        );
        assert_eq!(expr.names["#v"], "_v");
        assert_eq!(expr.values[":v"], AttributeValue::N("42".into()));
        placeholders_used(&expr.expression, &expr.names, &expr.values);
    }

    #[test]
    fn prefix_query_uses_begins_with_and_filters_expired_items() {
        let (key, filter, expr) = query_exprs(&Query::prefix("P#1", "R#"), 7).unwrap();
        assert_eq!(key, "#pk = :pk AND begins_with(#sk, :prefix)");
        assert_eq!(filter, "(attribute_not_exists(#ttl) OR #ttl > :now)");
        assert_eq!(expr.values[":prefix"], AttributeValue::S("R#".into()));
        placeholders_used(&format!("{key} {filter}"), &expr.names, &expr.values);
    }

    #[test]
    fn whole_partition_and_empty_prefix_queries_name_no_sort_key() {
        for query in [Query::partition("P#1"), Query::prefix("P#1", "")] {
            let (key, filter, expr) = query_exprs(&query, 7).unwrap();
            assert_eq!(key, "#pk = :pk");
            placeholders_used(&format!("{key} {filter}"), &expr.names, &expr.values);
        }
    }

    #[test]
    fn between_query_is_inclusive_and_an_inverted_range_is_empty() {
        let mut query = Query::partition("P#1");
        query.range = SkRange::Between {
            from: "A".into(),
            to: "C".into(),
        };
        let (key, filter, expr) = query_exprs(&query, 7).unwrap();
        assert_eq!(key, "#pk = :pk AND #sk BETWEEN :from AND :to");
        placeholders_used(&format!("{key} {filter}"), &expr.names, &expr.values);
        query.range = SkRange::Between {
            from: "C".into(),
            to: "A".into(),
        };
        assert!(query_exprs(&query, 7).is_none());
    }

    #[test]
    fn items_round_trip_through_the_stored_form() {
        let item = Item::new(Key::new("P#1", "R#2026"))
            .with("s", AttrValue::S("文字".into()))
            .with("empty", AttrValue::S(String::new()))
            .with("n", AttrValue::N(-42))
            .with("big", AttrValue::N(i64::MAX))
            .with("b", AttrValue::B(vec![0, 255, 7]))
            .with("t", AttrValue::Bool(true))
            .with_version(3)
            .expiring_at(1_800_000_000);
        let stored = to_attrs(&item);
        assert_eq!(stored["_v"], AttributeValue::N("3".into()));
        assert_eq!(stored["_ttl"], AttributeValue::N("1800000000".into()));
        assert_eq!(stored["pk"], AttributeValue::S("P#1".into()));
        assert_eq!(from_attrs(stored).unwrap(), item);
    }

    #[test]
    fn items_without_expiry_store_no_ttl_attribute() {
        let stored = to_attrs(&Item::new(Key::new("a", "b")));
        assert!(!stored.contains_key("_ttl"));
    }

    #[test]
    fn foreign_items_are_reported_not_guessed() {
        let mut stored = to_attrs(&Item::new(Key::new("a", "b")));
        stored.remove("_v");
        assert!(matches!(from_attrs(stored), Err(StoreError::Backend(_))));
        let mut stored = to_attrs(&Item::new(Key::new("a", "b")));
        stored.insert("list".into(), AttributeValue::L(vec![]));
        assert!(matches!(from_attrs(stored), Err(StoreError::Backend(_))));
    }

    #[test]
    fn cursors_round_trip_and_foreign_cursors_are_invalid() {
        for sk in ["R#2026-01-01#0001", "予診#1", "a b/c?d"] {
            let cursor = encode_cursor(sk);
            assert!(
                cursor
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
            assert_eq!(decode_cursor(&cursor).unwrap(), sk);
        }
        for bad in ["", "!!!", "/w"] {
            assert!(
                matches!(decode_cursor(bad), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn cancellation_names_the_first_failed_condition() {
        assert_eq!(
            classify_cancellation(["None", "ConditionalCheckFailed", "ConditionalCheckFailed"]),
            Cancellation::ConditionFailed(1)
        );
        assert_eq!(
            classify_cancellation(["TransactionConflict", "None"]),
            Cancellation::Conflict
        );
        assert_eq!(
            classify_cancellation(["None", "ThrottlingError"]),
            Cancellation::Throttled
        );
        assert_eq!(
            classify_cancellation(["ValidationError"]),
            Cancellation::Other
        );
    }

    #[test]
    fn reasons_are_recovered_from_the_message() {
        let message = "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]";
        assert_eq!(
            reasons_from_message(message),
            vec!["None".to_owned(), "ConditionalCheckFailed".to_owned()]
        );
        assert!(reasons_from_message("no brackets").is_empty());
    }
}
