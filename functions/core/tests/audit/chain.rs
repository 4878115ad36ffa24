//! Appending, paging, filters, expiry and concurrency of the operation log.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use sesshu_core::audit::{AuditFilter, AuditLog, MAX_SUBJECTS_PER_ENTRY};
use sesshu_core::clock::Clock as _;
use sesshu_core::error::CoreError;
use sesshu_crypto::KeyPurpose;
use sesshu_domain::staff::Outcome;

use crate::support::{CountingStore, days, event, read_of, world};

const DAY: i64 = 86_400;

#[tokio::test]
async fn an_empty_log_pages_nothing_and_verifies_intact() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());

    let page = log.page(&AuditFilter::default(), None, 50).await.unwrap();
    assert!(page.entries.is_empty());
    assert_eq!(page.next, None);
    let report = log.verify().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, 0);
    assert_eq!(log.append(Vec::new()).await.unwrap(), Vec::<u64>::new());
}

#[tokio::test]
async fn appended_events_come_back_newest_first_with_their_sequence_numbers_and_time() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());

    let first = log
        .append(vec![
            event("staff:tanaka", "login.password", Outcome::Allowed),
            read_of("staff:tanaka", &["S0001", "S0002"]).with_reason("none"),
        ])
        .await
        .unwrap();
    world.clock.advance(90);
    let second = log
        .append(vec![
            event("staff:suzuki", "user.approve", Outcome::Denied)
                .with_reason("missing_permission:manage_users"),
        ])
        .await
        .unwrap();

    assert_eq!(first, vec![1, 2]);
    assert_eq!(second, vec![3]);
    let page = log.page(&AuditFilter::default(), None, 50).await.unwrap();
    let seqs: Vec<u64> = page.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![3, 2, 1]);
    let newest = &page.entries[0];
    assert_eq!(newest.at, "2030-11-25T12:01:30Z");
    assert_eq!(newest.actor, "staff:suzuki");
    assert_eq!(newest.outcome, Outcome::Denied);
    assert_eq!(
        newest.reason.as_deref(),
        Some("missing_permission:manage_users")
    );
    let read = &page.entries[1];
    assert_eq!(read.subjects, vec!["S0001", "S0002"]);
    assert_eq!(read.fields, vec!["name", "address"]);
    assert_eq!(read.source, "192.0.2.10");
    assert_eq!(read.surface, "admin");
    assert_eq!(read.request_id, "req-person.read");
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn a_page_cursor_walks_back_over_several_days_to_the_oldest_entry_without_repeats() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    for _ in 0..4 {
        for i in 0..7 {
            log.append(vec![event(
                "staff:tanaka",
                &format!("person.read.{i}"),
                Outcome::Allowed,
            )])
            .await
            .unwrap();
        }
        world.clock.advance(DAY);
    }

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = log
            .page(&AuditFilter::default(), cursor.as_deref(), 5)
            .await
            .unwrap();
        assert!(page.entries.len() <= 5);
        seen.extend(page.entries.iter().map(|e| e.seq));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, (1..=28).rev().collect::<Vec<u64>>());
    assert_eq!(days(world.store()).await.len(), 4);
}

#[tokio::test]
async fn filters_select_by_actor_subject_action_prefix_and_day_on_the_server() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    log.append(vec![
        read_of("staff:tanaka", &["S0001"]),
        event("staff:tanaka", "login.password", Outcome::Denied),
    ])
    .await
    .unwrap();
    world.clock.advance(DAY);
    log.append(vec![
        read_of("staff:suzuki", &["S0001", "S0002"]),
        event("staff:suzuki", "login.totp", Outcome::Allowed),
        event("staff:suzuki", "my_number.view", Outcome::Allowed)
            .with_subjects(vec!["S0002".into()]),
    ])
    .await
    .unwrap();

    let seqs = |filter: AuditFilter| {
        let log = &log;
        async move {
            let page = log.page(&filter, None, 100).await.unwrap();
            page.entries.iter().map(|e| e.seq).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        seqs(AuditFilter {
            actor: Some("staff:tanaka".into()),
            ..Default::default()
        })
        .await,
        vec![2, 1]
    );
    assert_eq!(
        seqs(AuditFilter {
            subject: Some("S0002".into()),
            ..Default::default()
        })
        .await,
        vec![5, 3]
    );
    assert_eq!(
        seqs(AuditFilter {
            action: Some("login.".into()),
            ..Default::default()
        })
        .await,
        vec![4, 2]
    );
    assert_eq!(
        seqs(AuditFilter {
            action: Some("login".into()),
            ..Default::default()
        })
        .await,
        Vec::<u64>::new()
    );
    let first_day = AuditFilter::parse_day("2030-11-25").unwrap();
    assert_eq!(
        seqs(AuditFilter {
            to_day: Some(first_day),
            ..Default::default()
        })
        .await,
        vec![2, 1]
    );
    assert_eq!(
        seqs(AuditFilter {
            from_day: Some(AuditFilter::parse_day("2030-11-26").unwrap()),
            subject: Some("S0001".into()),
            ..Default::default()
        })
        .await,
        vec![3]
    );
    assert!(AuditFilter::parse_day("25/11/2030").is_err());
    assert!(matches!(
        log.page(&AuditFilter::default(), Some("not a cursor"), 10)
            .await,
        Err(CoreError::Invalid(_))
    ));
}

#[tokio::test]
async fn a_rare_filter_returns_a_cursor_instead_of_scanning_three_years_in_one_call() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    let events: Vec<_> = (0..6_000)
        .map(|_| event("staff:tanaka", "person.search", Outcome::Allowed))
        .collect();
    log.append(events).await.unwrap();
    log.append(vec![read_of("staff:suzuki", &["S0009"])])
        .await
        .unwrap();
    let filter = AuditFilter {
        actor: Some("staff:nobody".into()),
        ..Default::default()
    };

    let mut calls = 0;
    let mut cursor = None;
    loop {
        let page = log.page(&filter, cursor.as_deref(), 10).await.unwrap();
        calls += 1;
        assert!(page.entries.is_empty());
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(calls, 2, "5,000 entries per call, then the rest");
}

#[tokio::test]
async fn an_event_naming_many_persons_becomes_consecutive_entries_of_at_most_a_thousand() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    let subjects: Vec<String> = (0..2_500).map(|i| format!("S{i:05}")).collect();
    let export = event("staff:tanaka", "export.records", Outcome::Allowed).with_subjects(subjects);

    let seqs = log.append(vec![export]).await.unwrap();

    assert_eq!(seqs, vec![1, 2, 3]);
    let page = log.page(&AuditFilter::default(), None, 10).await.unwrap();
    let sizes: Vec<usize> = page.entries.iter().map(|e| e.subjects.len()).collect();
    assert_eq!(
        sizes,
        vec![500, MAX_SUBJECTS_PER_ENTRY, MAX_SUBJECTS_PER_ENTRY]
    );
    assert!(
        page.entries
            .iter()
            .all(|e| e.request_id == "req-export.records")
    );
    assert!(log.verify().await.unwrap().intact);
}

#[tokio::test]
async fn events_with_nul_or_oversized_parts_are_refused_without_echoing_them() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());

    let nul = event("staff:tanaka", "person.read", Outcome::Allowed)
        .with_subjects(vec!["S\0secret".into()]);
    let long = event(&"x".repeat(600), "person.read", Outcome::Allowed);
    let no_action = event("staff:tanaka", "", Outcome::Allowed);

    for bad in [nul, long, no_action] {
        match log.append(vec![bad]).await {
            Err(CoreError::Invalid(message)) => {
                assert!(
                    !message.contains("secret") && !message.contains("xxxx"),
                    "{message}"
                )
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
    assert_eq!(log.verify().await.unwrap().entries_checked, 0);
}

#[tokio::test]
async fn entries_past_the_retention_disappear_while_the_chain_stays_intact() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock()).with_retention_days(2);
    log.append(vec![
        event("staff:tanaka", "person.read", Outcome::Allowed),
        event("staff:tanaka", "person.update", Outcome::Allowed),
    ])
    .await
    .unwrap();
    world.clock.advance(DAY);
    log.append(vec![event("staff:suzuki", "person.read", Outcome::Allowed)])
        .await
        .unwrap();

    world.clock.advance(DAY + 60);
    let page = log.page(&AuditFilter::default(), None, 50).await.unwrap();
    assert_eq!(
        page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3]
    );
    let report = log.verify().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, 1);

    world.clock.advance(2 * DAY);
    assert!(
        log.page(&AuditFilter::default(), None, 50)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let report = log.verify().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, 0);

    // The chain continues after everything expired.
    assert_eq!(
        log.append(vec![event("staff:suzuki", "person.read", Outcome::Allowed)])
            .await
            .unwrap(),
        vec![4]
    );
    assert!(log.verify().await.unwrap().intact);
}

#[tokio::test]
async fn the_default_retention_is_three_years_and_entries_carry_it_as_their_ttl() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    log.append(vec![event("staff:tanaka", "person.read", Outcome::Allowed)])
        .await
        .unwrap();

    assert_eq!(log.retention_s(), 1096 * 86_400);
    let item = crate::support::entry_item(world.store(), 1).await;
    assert_eq!(
        item.expires_at,
        Some(world.clock.now_epoch_s() + 1096 * 86_400)
    );
    world.clock.advance(1095 * DAY);
    assert_eq!(
        log.page(&AuditFilter::default(), None, 5)
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
    world.clock.advance(DAY);
    assert!(
        log.page(&AuditFilter::default(), None, 5)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
}

#[tokio::test]
async fn concurrent_appends_share_commits_and_form_one_unbroken_chain() {
    let world = world();
    let store = CountingStore::new(world.tenant.store.clone());
    let log = Arc::new(AuditLog::new(
        "131016",
        store.clone(),
        world.tenant.cipher.clone(),
        world.clock(),
    ));
    // Create the chain key first so the measurement is of appends only.
    world
        .tenant
        .cipher
        .keys()
        .current(KeyPurpose::AuditChain)
        .await
        .unwrap();

    let sequential = Instant::now();
    for _ in 0..20 {
        log.append(vec![event("staff:tanaka", "person.read", Outcome::Allowed)])
            .await
            .unwrap();
    }
    let sequential_rate = 20.0 / sequential.elapsed().as_secs_f64();

    let before = store.commits();
    let tasks = 200;
    let per_task = 10;
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..per_task {
                    let actor = format!("staff:user{t}");
                    let e = crate::support::read_of(&actor, &[&format!("S{t:03}{i:02}")]);
                    seqs.extend(log.append(vec![e]).await.unwrap());
                }
                seqs
            })
        })
        .collect();
    let mut seqs = BTreeSet::new();
    for handle in handles {
        for seq in handle.await.unwrap() {
            assert!(seqs.insert(seq), "seq {seq} handed out twice");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let appends = tasks * per_task;
    let commits = store.commits() - before;
    println!(
        "operation log: {appends} concurrent appends in {elapsed:.2} s = {:.0} appends/s \
         in {commits} commits; sequential: {sequential_rate:.0} appends/s",
        appends as f64 / elapsed
    );

    assert_eq!(seqs, (21..=20 + appends as u64).collect::<BTreeSet<_>>());
    assert!(
        commits * 5 <= appends,
        "{commits} commits for {appends} appends: concurrent appends are not batched"
    );
    let report = log.verify().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, 20 + appends as u64);
}

#[tokio::test]
async fn two_logs_on_one_store_as_two_processes_never_fork_the_chain() {
    let world = world();
    // Two instances with their own writers and head caches, like two servers on one table.
    let a = Arc::new(AuditLog::for_tenant(&world.tenant, world.clock()));
    let b = Arc::new(AuditLog::for_tenant(&world.tenant, world.clock()));

    let handles: Vec<_> = (0..40)
        .map(|i| {
            let log = if i % 2 == 0 {
                Arc::clone(&a)
            } else {
                Arc::clone(&b)
            };
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for _ in 0..10 {
                    seqs.extend(
                        log.append(vec![
                            event(&format!("staff:user{i}"), "person.read", Outcome::Allowed),
                            event(&format!("staff:user{i}"), "person.update", Outcome::Allowed),
                        ])
                        .await
                        .unwrap(),
                    );
                }
                seqs
            })
        })
        .collect();
    let mut seqs = BTreeSet::new();
    for handle in handles {
        for pair in handle.await.unwrap().chunks(2) {
            assert_eq!(pair[1], pair[0] + 1, "one call's events stay consecutive");
            assert!(seqs.insert(pair[0]) && seqs.insert(pair[1]));
        }
    }

    assert_eq!(seqs, (1..=800).collect::<BTreeSet<u64>>());
    for log in [&a, &b] {
        let report = log.verify().await.unwrap();
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries_checked, 800);
    }
}

#[tokio::test]
async fn the_platform_log_has_its_own_chain_in_the_platform_table() {
    let world = world();
    let platform_log = AuditLog::for_platform(&world.platform);
    let tenant_log = AuditLog::for_tenant(&world.tenant, world.clock());

    platform_log
        .append(vec![event("anonymous", "network.denied", Outcome::Denied)])
        .await
        .unwrap();
    tenant_log
        .append(vec![event("staff:tanaka", "person.read", Outcome::Allowed)])
        .await
        .unwrap();

    assert_eq!(platform_log.name(), "platform");
    let page = platform_log
        .page(&AuditFilter::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].action, "network.denied");
    assert!(platform_log.verify().await.unwrap().intact);
    assert_eq!(tenant_log.verify().await.unwrap().entries_checked, 1);
}

#[tokio::test]
async fn entries_made_before_a_chain_key_rotation_still_verify() {
    let world = world();
    let log = AuditLog::for_tenant(&world.tenant, world.clock());
    log.append(vec![event("staff:tanaka", "person.read", Outcome::Allowed)])
        .await
        .unwrap();

    world
        .tenant
        .cipher
        .keys()
        .rotate(KeyPurpose::AuditChain)
        .await
        .unwrap();
    log.append(vec![event("staff:tanaka", "person.read", Outcome::Allowed)])
        .await
        .unwrap();

    let report = log.verify().await.unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, 2);
}
