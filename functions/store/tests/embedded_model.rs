//! Random operation sequences against both embedded engines (redb and LSM) and a plain in-memory model of the
//! port's semantics: every result and every query (paginated, both directions) must agree.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use sesshu_store::{
    AttrValue, Condition, EmbeddedStore, Item, Key, LsmDatabase, Query, SkRange, Store, StoreError,
    Write, now_epoch_s,
};

/// Partition keys that are prefixes of each other, to catch leaks between partitions.
const PKS: [&str; 3] = ["P#1", "P#10", "P#2"];
const SKS: [&str; 8] = ["A", "A#1", "A#2", "B", "B#1", "R#2024", "R#2025", "R#20250"];

#[derive(Debug, Clone)]
enum Op {
    Transact(Vec<Write>),
    Get(Key),
    Query(Query),
}

fn key() -> impl Strategy<Value = Key> {
    (0..PKS.len(), 0..SKS.len()).prop_map(|(p, s)| Key::new(PKS[p], SKS[s]))
}

fn condition() -> impl Strategy<Value = Condition> {
    prop_oneof![
        Just(Condition::None),
        Just(Condition::MustNotExist),
        Just(Condition::MustExist),
        (1..4_u64).prop_map(Condition::VersionIs),
    ]
}

fn write() -> impl Strategy<Value = Write> {
    let now = now_epoch_s();
    let expiry = prop_oneof![Just(None), Just(Some(now - 100)), Just(Some(now + 3_600))];
    prop_oneof![
        3 => (key(), 1..4_u64, any::<i64>(), expiry, condition()).prop_map(|(key, version, n, expires_at, condition)| {
            let mut item = Item::new(key).with("n", AttrValue::N(n)).with_version(version);
            item.expires_at = expires_at;
            Write::Put { item, condition }
        }),
        1 => (key(), condition()).prop_map(|(key, condition)| Write::Delete { key, condition }),
        1 => (key(), condition()).prop_map(|(key, condition)| Write::Check { key, condition }),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    let range = prop_oneof![
        Just(SkRange::All),
        prop::sample::select(vec!["", "A", "A#", "R#2025", "C"])
            .prop_map(|p| SkRange::Prefix(p.into())),
        (0..SKS.len(), 0..SKS.len()).prop_map(|(a, b)| {
            let (from, to) = if SKS[a] <= SKS[b] {
                (SKS[a], SKS[b])
            } else {
                (SKS[b], SKS[a])
            };
            SkRange::Between {
                from: from.into(),
                to: to.into(),
            }
        }),
    ];
    (0..PKS.len(), range, any::<bool>(), 1..4_usize).prop_map(|(p, range, ascending, limit)| {
        Query {
            pk: PKS[p].into(),
            range,
            ascending,
            limit,
            cursor: None,
        }
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec(write(), 1..5).prop_map(Op::Transact),
        1 => key().prop_map(Op::Get),
        2 => query().prop_map(Op::Query),
    ]
}

#[derive(Debug)]
enum Refusal {
    Invalid,
    Condition(usize),
}

/// The port's semantics, written as plainly as possible.
#[derive(Default)]
struct Model {
    items: BTreeMap<Key, Item>,
}

impl Model {
    fn live(&self, key: &Key) -> Option<&Item> {
        self.items.get(key).filter(|i| !i.is_expired(now_epoch_s()))
    }

    fn transact(&mut self, writes: &[Write]) -> Result<(), Refusal> {
        let keys: BTreeSet<&Key> = writes.iter().map(Write::key).collect();
        if keys.len() < writes.len() {
            return Err(Refusal::Invalid);
        }
        for (index, write) in writes.iter().enumerate() {
            let live = self.live(write.key());
            let holds = match write.condition() {
                Condition::None => true,
                Condition::MustNotExist => live.is_none(),
                Condition::MustExist => live.is_some(),
                Condition::VersionIs(v) => live.is_some_and(|i| i.version == v),
            };
            if !holds {
                return Err(Refusal::Condition(index));
            }
        }
        for write in writes {
            match write {
                Write::Put { item, .. } => {
                    self.items.insert(item.key.clone(), item.clone());
                }
                Write::Delete { key, .. } => {
                    self.items.remove(key);
                }
                Write::Check { .. } => {}
            }
        }
        Ok(())
    }

    fn query(&self, query: &Query) -> Vec<Item> {
        let mut items: Vec<Item> = self
            .items
            .values()
            .filter(|i| i.key.pk == query.pk && self.live(&i.key).is_some())
            .filter(|i| match &query.range {
                SkRange::All => true,
                SkRange::Prefix(p) => i.key.sk.starts_with(p.as_str()),
                SkRange::Between { from, to } => from <= &i.key.sk && &i.key.sk <= to,
            })
            .cloned()
            .collect();
        if !query.ascending {
            items.reverse();
        }
        items
    }
}

async fn all_pages(store: &dyn Store, mut query: Query) -> Vec<Item> {
    let mut items = Vec::new();
    loop {
        let page = store.query(&query).await.unwrap();
        assert!(page.items.len() <= query.limit);
        items.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return items,
        }
    }
}

/// Runs `ops` on `store` and on the model; every result and every query must agree.
fn agrees_with_the_model(store: &dyn Store, ops: Vec<Op>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut model = Model::default();
    runtime.block_on(async {
        for op in ops {
            match op {
                Op::Transact(writes) => {
                    let expected = model.transact(&writes);
                    let got = store.transact(writes.clone()).await;
                    match (expected, &got) {
                        (Ok(()), Ok(())) => {}
                        (Err(Refusal::Invalid), Err(StoreError::Invalid(_))) => {}
                        (
                            Err(Refusal::Condition(i)),
                            Err(StoreError::ConditionFailed { index }),
                        ) if i == *index => {}
                        (expected, got) => panic!("{writes:?}: model {expected:?}, store {got:?}"),
                    }
                }
                Op::Get(key) => {
                    assert_eq!(
                        store.get(&key).await.unwrap().as_ref(),
                        model.live(&key),
                        "get {key:?}"
                    );
                }
                Op::Query(query) => {
                    assert_eq!(
                        all_pages(store, query.clone()).await,
                        model.query(&query),
                        "{query:?}"
                    );
                }
            }
        }
        for pk in PKS {
            let query = Query::partition(pk).limit(2);
            assert_eq!(
                all_pages(store, query.clone()).await,
                model.query(&query),
                "final {pk}"
            );
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_embedded_store_agrees_with_the_model(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("model.redb")).unwrap();
        agrees_with_the_model(&store, ops);
    }

    #[test]
    fn the_lsm_store_agrees_with_the_model(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let db = LsmDatabase::open(dir.path()).unwrap();
        let store = db.table("model").unwrap();
        agrees_with_the_model(store.as_ref(), ops);
    }
}
