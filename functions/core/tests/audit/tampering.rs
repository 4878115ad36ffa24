//! Each kind of tampering with the stored log is reported by verify, at the entry where it
//! happened.

use std::sync::Arc;

use sesshu_core::audit::AuditLog;
use sesshu_domain::staff::{ChainReport, Outcome};
use sesshu_store::{AttrValue, Item, Key, Store};

use crate::support::{World, delete_raw, entry_item, event, put_raw, world};

/// A log of `n` entries over two days (entries 1..=n/2 on the first).
async fn log_of(world: &World, n: u64) -> AuditLog {
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    for i in 1..=n {
        if i == n / 2 + 1 {
            world.clock.advance(86_400);
        }
        log.append(vec![
            event(&format!("staff:user{i}"), "person.read", Outcome::Allowed)
                .with_subjects(vec![format!("S{i:04}")]),
        ])
        .await
        .unwrap();
    }
    assert!(log.verify().await.unwrap().intact);
    log
}

fn problem(report: &ChainReport) -> (u64, &str) {
    assert!(!report.intact, "tampering went unnoticed: {report:?}");
    let problem = report.problem.as_ref().unwrap();
    assert!(!problem.message.is_empty());
    (problem.seq, problem.kind.as_str())
}

fn store(world: &World) -> &Arc<dyn Store> {
    world.store()
}

#[tokio::test]
async fn an_edited_field_is_reported_as_edited_at_its_seq() {
    let world = world();
    let log = log_of(&world, 8).await;
    let item = entry_item(store(&world), 6).await;

    put_raw(
        store(&world),
        item.with("actor", AttrValue::S("staff:someone_else".into())),
    )
    .await;

    assert_eq!(problem(&log.verify().await.unwrap()), (6, "edited"));
}

#[tokio::test]
async fn an_edited_subject_list_or_outcome_is_reported_as_edited() {
    let world = world();
    let log = log_of(&world, 4).await;
    let item = entry_item(store(&world), 2).await;
    put_raw(
        store(&world),
        item.with("subjects", AttrValue::S("[]".into())),
    )
    .await;
    assert_eq!(problem(&log.verify().await.unwrap()), (2, "edited"));

    let world = crate::support::world();
    let log = log_of(&world, 4).await;
    let item = entry_item(store(&world), 3).await;
    put_raw(
        store(&world),
        item.with("outcome", AttrValue::S("denied".into())),
    )
    .await;
    assert_eq!(problem(&log.verify().await.unwrap()), (3, "edited"));
}

#[tokio::test]
async fn a_deleted_entry_is_reported_as_missing_at_its_seq() {
    let world = world();
    let log = log_of(&world, 8).await;
    let item = entry_item(store(&world), 3).await;

    delete_raw(store(&world), &item.key).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (3, "missing"));
}

#[tokio::test]
async fn deleting_the_oldest_entries_before_they_expire_is_reported_as_missing() {
    let world = world();
    let log = log_of(&world, 6).await;
    for seq in [1, 2] {
        let item = entry_item(store(&world), seq).await;
        delete_raw(store(&world), &item.key).await;
    }

    assert_eq!(problem(&log.verify().await.unwrap()), (2, "missing"));
}

#[tokio::test]
async fn an_entry_hidden_by_a_forged_early_expiry_is_reported_as_missing() {
    let world = world();
    let log = log_of(&world, 6).await;
    let mut item = entry_item(store(&world), 4).await;
    item.expires_at = Some(1);

    put_raw(store(&world), item).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (4, "missing"));
}

#[tokio::test]
async fn a_forged_entry_after_the_last_one_is_reported_as_inserted() {
    let world = world();
    let log = log_of(&world, 6).await;
    let last = entry_item(store(&world), 6).await;
    let mut forged = last.clone();
    forged.key = Key::new(last.key.pk.clone(), format!("{:020}", 7));
    let forged = forged
        .with("seq", AttrValue::N(7))
        .with("prev_mac", last.get("mac").unwrap().clone());

    put_raw(store(&world), forged).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (7, "inserted"));
}

#[tokio::test]
async fn a_replayed_copy_of_an_old_entry_is_reported_as_inserted() {
    let world = world();
    let log = log_of(&world, 6).await;
    let old = entry_item(store(&world), 2).await;
    // The copy lands in a later day's partition, where a reader would meet it again.
    let mut copy = old.clone();
    copy.key = Key::new(
        entry_item(store(&world), 6).await.key.pk,
        old.key.sk.clone(),
    );

    put_raw(store(&world), copy).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (2, "inserted"));
}

#[tokio::test]
async fn an_entry_between_two_others_with_a_made_up_sort_key_is_reported_as_inserted() {
    let world = world();
    let log = log_of(&world, 6).await;
    let item = entry_item(store(&world), 2).await;
    let mut forged = item.clone();
    forged.key = Key::new(item.key.pk.clone(), format!("{:020}a", 2));

    put_raw(store(&world), forged).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (3, "inserted"));
}

#[tokio::test]
async fn two_swapped_entries_are_reported_as_reordered() {
    let world = world();
    let log = log_of(&world, 8).await;
    let five = entry_item(store(&world), 5).await;
    let six = entry_item(store(&world), 6).await;
    let moved = |from: &Item, to: &Item| Item {
        key: to.key.clone(),
        ..from.clone()
    };

    put_raw(store(&world), moved(&five, &six)).await;
    put_raw(store(&world), moved(&six, &five)).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (5, "reordered"));
}

#[tokio::test]
async fn an_entry_moved_to_another_day_is_reported_as_reordered() {
    let world = world();
    let log = log_of(&world, 6).await;
    let first = entry_item(store(&world), 1).await;
    delete_raw(store(&world), &first.key).await;
    // Filed under the day before, with the marker a reader needs to find it there.
    put_raw(
        store(&world),
        Item::new(Key::new("LOG#DAYS", "2030-11-24")).with("day", AttrValue::Bool(true)),
    )
    .await;
    put_raw(
        store(&world),
        Item {
            key: Key::new("LOG#2030-11-24", first.key.sk.clone()),
            ..first
        },
    )
    .await;

    assert_eq!(problem(&log.verify().await.unwrap()), (1, "reordered"));
}

#[tokio::test]
async fn an_entry_moved_to_a_later_day_is_reported_as_reordered() {
    let world = world();
    let log = log_of(&world, 6).await;
    let entry = entry_item(store(&world), 3).await;
    let later_day = entry_item(store(&world), 6).await.key.pk;
    delete_raw(store(&world), &entry.key).await;
    put_raw(
        store(&world),
        Item {
            key: Key::new(later_day, entry.key.sk.clone()),
            ..entry
        },
    )
    .await;

    assert_eq!(problem(&log.verify().await.unwrap()), (3, "reordered"));
}

#[tokio::test]
async fn dropping_the_newest_entry_is_reported_as_truncated() {
    let world = world();
    let log = log_of(&world, 8).await;
    let last = entry_item(store(&world), 8).await;

    delete_raw(store(&world), &last.key).await;

    let report = log.verify().await.unwrap();
    assert_eq!(problem(&report), (8, "truncated"));
    assert_eq!(report.entries_checked, 7);
}

#[tokio::test]
async fn dropping_every_entry_is_reported_as_truncated_while_they_should_still_exist() {
    let world = world();
    let log = log_of(&world, 4).await;
    for seq in 1..=4 {
        let item = entry_item(store(&world), seq).await;
        delete_raw(store(&world), &item.key).await;
    }

    assert_eq!(problem(&log.verify().await.unwrap()), (4, "truncated"));
}

#[tokio::test]
async fn an_edited_chain_head_is_reported_as_edited() {
    let world = world();
    let log = log_of(&world, 4).await;
    let head_key = Key::new("LOG#HEAD", "HEAD");
    let head = store(&world).get(&head_key).await.unwrap().unwrap();

    put_raw(store(&world), head.with("mac", AttrValue::B(vec![0; 32]))).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (4, "edited"));
}

#[tokio::test]
async fn a_head_moved_back_makes_the_newer_entries_inserted() {
    let world = world();
    let log = log_of(&world, 6).await;
    let head_key = Key::new("LOG#HEAD", "HEAD");
    let head = store(&world).get(&head_key).await.unwrap().unwrap();
    put_raw(store(&world), head.with("seq", AttrValue::N(4))).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (5, "inserted"));
    // Another process, reading the head, refuses to overwrite the entries beyond it rather
    // than fork the chain.
    let other = AuditLog::for_tenant(&world.tenant, world.clock());
    let appended = other
        .append(vec![event("staff:tanaka", "person.read", Outcome::Allowed)])
        .await;
    assert!(appended.is_err());
}

#[tokio::test]
async fn an_entry_with_its_key_id_changed_is_reported_as_edited() {
    let world = world();
    let log = log_of(&world, 4).await;
    let item = entry_item(store(&world), 2).await;

    put_raw(store(&world), item.with("kid", AttrValue::N(99))).await;

    assert_eq!(problem(&log.verify().await.unwrap()), (2, "edited"));
}
