//! How items and cursors become bytes, shared by the embedded adapters (redb and LSM), so both
//! store the same keys and values and hand out the same cursors.
//!
//! A stored key is `pk ++ 0x00 ++ sk`. Keys contain no NUL (see [`Key::validate`]), so the NUL
//! ends the partition key: every key of partition `pk` starts with `pk\0`, and `P#1\0…` sorts
//! before `P#10…`, which keeps partitions whose key is a prefix of another apart. Within a
//! partition the byte order of the stored key is the byte order of the sort key, as in DynamoDB.

use std::ops::Bound;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{Item, Key, Page, Query, SkRange, StoreError};

/// The first byte of every stored value, so a later format can be told apart.
/// Version 1 holds the whole item, its key included (values written before 2026-11-26).
const FORMAT_V1: u8 = 1;
/// Version 2 leaves the key out: the stored key already holds it. An index entry's key is most
/// of its size, so this takes about a quarter off what an import writes (journal, flushes and
/// compactions).
const FORMAT_V2: u8 = 2;

/// An item's value without its key, as format 2 stores it.
#[derive(serde::Serialize)]
struct ValueRef<'a> {
    attrs: &'a std::collections::BTreeMap<String, crate::AttrValue>,
    version: u64,
    expires_at: Option<u64>,
}

#[derive(serde::Deserialize)]
struct Value {
    attrs: std::collections::BTreeMap<String, crate::AttrValue>,
    version: u64,
    expires_at: Option<u64>,
}

/// The stored key of an item.
pub(crate) fn item_key(key: &Key) -> Vec<u8> {
    let mut bytes = partition_prefix(&key.pk);
    bytes.extend_from_slice(key.sk.as_bytes());
    bytes
}

fn partition_prefix(pk: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(pk.len() + 1);
    bytes.extend_from_slice(pk.as_bytes());
    bytes.push(0);
    bytes
}

/// The smallest byte string greater than every string starting with `prefix`, if any.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = prefix.to_vec();
    while let Some(last) = bytes.pop() {
        if last < u8::MAX {
            bytes.push(last + 1);
            return Some(bytes);
        }
    }
    None
}

/// A range of stored keys: lower and upper bound.
pub(crate) type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The stored-key range of a validated query after its cursor; `None` when it is empty.
pub(crate) fn query_bounds(query: &Query) -> Result<Option<KeyRange>, StoreError> {
    let cursor = query.cursor.as_deref().map(decode_cursor).transpose()?;
    Ok(key_bounds(
        &query.pk,
        &query.range,
        query.ascending,
        cursor.as_deref(),
    ))
}

/// The stored-key range of a query, narrowed by its cursor; `None` when it is empty.
pub(crate) fn key_bounds(
    pk: &str,
    range: &SkRange,
    ascending: bool,
    cursor_sk: Option<&str>,
) -> Option<KeyRange> {
    let partition = partition_prefix(pk);
    let with_sk = |sk: &str| {
        let mut bytes = partition.clone();
        bytes.extend_from_slice(sk.as_bytes());
        bytes
    };
    let prefix_range = |prefix: Vec<u8>| {
        // The partition prefix ends in 0x00, so a successor always exists.
        let upper = prefix_successor(&prefix).map_or(Bound::Unbounded, Bound::Excluded);
        (Bound::Included(prefix), upper)
    };
    let (mut lower, mut upper) = match range {
        SkRange::All => prefix_range(partition.clone()),
        SkRange::Prefix(prefix) => prefix_range(with_sk(prefix)),
        SkRange::Between { from, to } => {
            (Bound::Included(with_sk(from)), Bound::Included(with_sk(to)))
        }
    };
    if let Some(sk) = cursor_sk {
        let after = with_sk(sk);
        if ascending {
            if bound_value(&lower).is_none_or(|l| after.as_slice() >= l) {
                lower = Bound::Excluded(after);
            }
        } else if bound_value(&upper).is_none_or(|u| after.as_slice() <= u) {
            upper = Bound::Excluded(after);
        }
    }
    let empty = match (&lower, &upper) {
        (Bound::Included(l), Bound::Included(u)) => l > u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => {
            l >= u
        }
        _ => false,
    };
    (!empty).then_some((lower, upper))
}

fn bound_value(bound: &Bound<Vec<u8>>) -> Option<&[u8]> {
    match bound {
        Bound::Included(v) | Bound::Excluded(v) => Some(v),
        Bound::Unbounded => None,
    }
}

/// The key of an item's entry in the expiry index: big-endian expiry, so the index sorts by
/// time, then the item's stored key.
pub(crate) fn expiry_key(expires_at: u64, item_key: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(8 + item_key.len());
    bytes.extend_from_slice(&expires_at.to_be_bytes());
    bytes.extend_from_slice(item_key);
    bytes
}

/// The expiry and item key an expiry-index key was made of.
pub(crate) fn split_expiry_key(bytes: &[u8]) -> Result<(u64, &[u8]), StoreError> {
    let (at, item_key) = bytes.split_first_chunk::<8>().ok_or_else(damaged)?;
    Ok((u64::from_be_bytes(*at), item_key))
}

pub(crate) fn encode_item(item: &Item) -> Result<Vec<u8>, StoreError> {
    let value = ValueRef {
        attrs: &item.attrs,
        version: item.version,
        expires_at: item.expires_at,
    };
    postcard::to_extend(&value, vec![FORMAT_V2])
        .map_err(|e| StoreError::Backend(format!("could not encode an item: {e}")))
}

/// The item stored at `item_key` (see [`item_key`]) with value `bytes`.
pub(crate) fn decode_item(item_key: &[u8], bytes: &[u8]) -> Result<Item, StoreError> {
    match bytes.split_first() {
        Some((&FORMAT_V2, rest)) => {
            let value: Value = postcard::from_bytes(rest).map_err(|_| damaged())?;
            Ok(Item {
                key: key_of(item_key)?,
                attrs: value.attrs,
                version: value.version,
                expires_at: value.expires_at,
            })
        }
        Some((&FORMAT_V1, rest)) => postcard::from_bytes(rest).map_err(|_| damaged()),
        _ => Err(damaged()),
    }
}

/// The key a stored key was made of.
fn key_of(item_key: &[u8]) -> Result<Key, StoreError> {
    let split = item_key.iter().position(|b| *b == 0).ok_or_else(damaged)?;
    let text = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| damaged())
    };
    Ok(Key {
        pk: text(&item_key[..split])?,
        sk: text(&item_key[split + 1..])?,
    })
}

fn damaged() -> StoreError {
    StoreError::Backend(
        "a stored entry could not be decoded; the database file may be damaged".into(),
    )
}

/// The opaque cursor after the item with sort key `sk`.
/// The first `limit` live items of `entries` (already in the query's order; `None` for an
/// expired entry) as a page, with the cursor of the last one when more may follow. Both
/// embedded adapters page the same way.
pub(crate) fn collect_page(
    entries: impl Iterator<Item = Result<Option<Item>, StoreError>>,
    limit: usize,
) -> Result<Page, StoreError> {
    let mut page = Page::default();
    for entry in entries {
        let Some(item) = entry? else {
            continue;
        };
        if page.items.len() == limit {
            page.next = page.items.last().map(|last| encode_cursor(&last.key.sk));
            break;
        }
        page.items.push(item);
    }
    Ok(page)
}

pub(crate) fn encode_cursor(sk: &str) -> String {
    URL_SAFE_NO_PAD.encode(sk.as_bytes())
}

/// The sort key inside a cursor; anything [`encode_cursor`] could not have made is `Invalid`.
pub(crate) fn decode_cursor(cursor: &str) -> Result<String, StoreError> {
    let invalid = || {
        StoreError::Invalid(
            "the query cursor is malformed; pass the `next` value of the previous page unchanged"
                .into(),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let sk = String::from_utf8(bytes).map_err(|_| invalid())?;
    Key::new("-", sk.clone())
        .validate()
        .map_err(|_| invalid())?;
    Ok(sk)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::ops::RangeBounds as _;

    use super::*;

    #[test]
    fn partition_prefixes_of_each_other_do_not_overlap() {
        let (lower, upper) = key_bounds("P#1", &SkRange::All, true, None).unwrap();
        let other = item_key(&Key::new("P#10", "A"));
        let own = item_key(&Key::new("P#1", "\u{10FFFF}"));
        let inside = |k: &Vec<u8>| (lower.clone(), upper.clone()).contains(k);
        assert!(!inside(&other));
        assert!(inside(&own));
    }

    #[test]
    fn prefix_successor_skips_trailing_max_bytes() {
        assert_eq!(prefix_successor(&[1, 0xFF, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xFF]), None);
    }

    #[test]
    fn items_round_trip_through_the_value_encoding() {
        let item = Item::new(Key::new("P#1", "R#2"))
            .with("a", crate::AttrValue::N(-3))
            .expiring_at(9);
        let stored = encode_item(&item).unwrap();
        assert_eq!(decode_item(&item_key(&item.key), &stored).unwrap(), item);
        assert!(
            !stored.windows(3).any(|w| w == b"R#2"),
            "the value does not repeat the key"
        );
    }

    #[test]
    fn values_of_the_first_format_with_the_key_inside_still_read() {
        let item = Item::new(Key::new("P#1", "R#2")).with("a", crate::AttrValue::N(-3));
        let first = postcard::to_extend(&item, vec![FORMAT_V1]).unwrap();
        assert_eq!(decode_item(&item_key(&item.key), &first).unwrap(), item);
    }

    #[test]
    fn values_of_an_unknown_format_are_refused() {
        assert!(matches!(
            decode_item(b"P\0S", &[9, 1, 2]),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            decode_item(b"P\0S", &[]),
            Err(StoreError::Backend(_))
        ));
        let item = Item::new(Key::new("P", "S"));
        assert!(matches!(
            decode_item(b"no separator", &encode_item(&item).unwrap()),
            Err(StoreError::Backend(_))
        ));
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_invalid() {
        assert_eq!(
            decode_cursor(&encode_cursor("R#2026-01-01")).unwrap(),
            "R#2026-01-01"
        );
        for bad in ["", "!!", "AA", "_w"] {
            assert!(
                matches!(decode_cursor(bad), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
