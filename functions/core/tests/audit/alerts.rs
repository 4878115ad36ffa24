//! Intrusion detection: each rule stays quiet one below its threshold, alerts at it, alerts once
//! per window, and its alert reaches the administrators.

use std::sync::Arc;

use async_trait::async_trait;
use sesshu_core::alerts::{
    Administrators, AlertScope, Alerts, Detector, DetectorConfig, LocalOutbox, Outbox,
};
use sesshu_core::audit::{AuditEvent, AuditLog};
use sesshu_core::clock::Clock as _;
use sesshu_core::error::CoreError;
use sesshu_core::tenancy::Tenant;
use sesshu_domain::staff::{Alert, AlertKind, Outcome};

use crate::support::{World, event, read_of, world};

struct Admins;

#[async_trait]
impl Administrators for Admins {
    async fn administrators(&self, tenant: &Tenant) -> Result<Vec<String>, CoreError> {
        assert_eq!(tenant.code.as_str(), crate::support::CODE);
        Ok(vec!["admin1".into(), "admin2".into()])
    }
}

fn detector(world: &World, config: DetectorConfig) -> Detector {
    Detector::new(
        Arc::new(LocalOutbox::new(world.platform.clone())),
        Arc::new(Admins),
    )
    .with_config(config)
}

struct Fixture {
    world: World,
    detector: Detector,
    scope: AlertScope,
}

impl Fixture {
    fn new() -> Self {
        Self::with_config(DetectorConfig::default())
    }

    fn with_config(config: DetectorConfig) -> Self {
        let world = world();
        let detector = detector(&world, config);
        let scope = AlertScope::tenant(&world.tenant);
        Self {
            world,
            detector,
            scope,
        }
    }

    /// Observes `events` now; returns the alerts raised.
    async fn observe(&self, events: Vec<AuditEvent>) -> Vec<Alert> {
        let now = self.world.clock.now_epoch_s();
        self.detector
            .observe(&self.scope, &events, now)
            .await
            .unwrap()
    }

    /// Observes each event in its own call, `step_s` apart; returns all alerts raised.
    async fn observe_each(&self, events: Vec<AuditEvent>, step_s: i64) -> Vec<Alert> {
        let mut raised = Vec::new();
        for e in events {
            raised.extend(self.observe(vec![e]).await);
            self.world.clock.advance(step_s);
        }
        raised
    }

    fn advance(&self, seconds: i64) {
        self.world.clock.advance(seconds);
    }

    async fn stored(&self) -> Vec<Alert> {
        Alerts::for_tenant(&self.world.tenant, self.world.clock())
            .list(100)
            .await
            .unwrap()
    }
}

fn failed_login(actor: &str) -> AuditEvent {
    event(actor, "login.password", Outcome::Denied).with_reason("login_failed")
}

fn times(n: usize, e: AuditEvent) -> Vec<AuditEvent> {
    vec![e; n]
}

#[tokio::test]
async fn failed_logins_of_one_user_alert_at_the_fifth_within_ten_minutes_and_only_once() {
    let f = Fixture::new();

    assert!(
        f.observe_each(times(4, failed_login("staff:tanaka")), 30)
            .await
            .is_empty()
    );
    let raised = f.observe(vec![failed_login("staff:tanaka")]).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].kind, AlertKind::FailedLoginBurst);
    assert_eq!(raised[0].user_id.as_deref(), Some("tanaka"));
    assert!(
        raised[0].message_en.contains("5 failed logins"),
        "{}",
        raised[0].message_en
    );
    assert!(
        f.observe_each(times(3, failed_login("staff:tanaka")), 10)
            .await
            .is_empty()
    );

    assert_eq!(f.stored().await.len(), 1);
}

#[tokio::test]
async fn failed_logins_across_the_municipality_alert_at_the_tenth() {
    let f = Fixture::new();
    let nine: Vec<_> = (0..9)
        .map(|i| failed_login(&format!("staff:user{i}")))
        .collect();

    assert!(f.observe_each(nine, 20).await.is_empty());
    let raised = f.observe(vec![failed_login("staff:user9")]).await;

    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].kind, AlertKind::FailedLoginBurst);
    assert_eq!(raised[0].user_id, None);
    assert!(raised[0].message_ja.contains("自治体全体"));
    assert!(
        f.observe(vec![failed_login("staff:user10")])
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn failed_logins_count_within_any_ten_minutes_not_only_within_fixed_ones() {
    let f = Fixture::new();
    f.advance(8 * 60);
    assert!(
        f.observe(times(4, failed_login("staff:tanaka")))
            .await
            .is_empty()
    );
    // 12:11 is in the next fixed ten minutes, but 12:02–12:11 holds all five.
    f.advance(3 * 60);

    assert_eq!(f.observe(vec![failed_login("staff:tanaka")]).await.len(), 1);
}

#[tokio::test]
async fn failed_logins_more_than_ten_minutes_apart_do_not_add_up() {
    let f = Fixture::new();
    assert!(
        f.observe(times(4, failed_login("staff:tanaka")))
            .await
            .is_empty()
    );
    f.advance(10 * 60);

    assert!(
        f.observe(times(4, failed_login("staff:tanaka")))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn anonymous_failed_logins_count_per_source_and_allowed_logins_not_at_all() {
    let f = Fixture::new();
    let from = |source: &str| {
        let mut e = failed_login("anonymous");
        e.source = source.to_owned();
        e
    };
    assert!(f.observe(times(4, from("198.51.100.7"))).await.is_empty());
    assert!(f.observe(times(4, from("198.51.100.8"))).await.is_empty());
    assert!(
        f.observe(times(
            9,
            event("staff:tanaka", "login.password", Outcome::Allowed)
        ))
        .await
        .is_empty()
    );

    let raised = f.observe(vec![from("198.51.100.7")]).await;
    assert_eq!(raised.len(), 1);
    assert!(raised[0].message_en.contains("source 198.51.100.7"));

    // The fifth from the other source is also the tenth in the municipality.
    let raised = f.observe(vec![from("198.51.100.8")]).await;
    assert_eq!(raised.len(), 2, "{raised:?}");
    assert!(raised.iter().all(|a| a.kind == AlertKind::FailedLoginBurst));
}

#[tokio::test]
async fn five_failures_from_one_unknown_source_alert_for_that_source() {
    let f = Fixture::new();
    let mut e = failed_login("anonymous");
    e.source = "198.51.100.7".into();

    let raised = f.observe(times(5, e)).await;

    assert_eq!(raised.len(), 1);
    assert!(raised[0].message_en.contains("source 198.51.100.7"));
    assert_eq!(raised[0].user_id, None);
}

#[tokio::test]
async fn a_request_from_outside_the_allowed_networks_alerts_once_per_source_and_hour() {
    let f = Fixture::new();
    let denied = |source: &str| {
        let mut e = event("anonymous", "network.denied", Outcome::Denied);
        e.source = source.to_owned();
        e
    };

    let raised = f.observe(vec![denied("203.0.113.5")]).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].kind, AlertKind::OutsideNetwork);
    assert!(f.observe(vec![denied("203.0.113.5")]).await.is_empty());
    assert_eq!(f.observe(vec![denied("203.0.113.6")]).await.len(), 1);
    f.advance(3600);
    assert_eq!(f.observe(vec![denied("203.0.113.5")]).await.len(), 1);
}

#[tokio::test]
async fn the_outside_network_threshold_is_configurable() {
    let f = Fixture::with_config(DetectorConfig {
        outside_network_per_hour: 3,
        ..DetectorConfig::default()
    });
    let denied = event("anonymous", "network.denied", Outcome::Denied);

    assert!(f.observe(times(2, denied.clone())).await.is_empty());
    assert_eq!(f.observe(vec![denied]).await.len(), 1);
}

#[tokio::test]
async fn a_cross_tenant_attempt_alerts_once_per_user_and_hour() {
    let f = Fixture::new();
    let cross = |actor: &str| event(actor, "tenant.cross", Outcome::Denied);

    let raised = f.observe(vec![cross("staff:tanaka")]).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].kind, AlertKind::CrossTenantAttempt);
    assert_eq!(raised[0].user_id.as_deref(), Some("tanaka"));
    assert!(f.observe(vec![cross("staff:tanaka")]).await.is_empty());
    assert_eq!(f.observe(vec![cross("staff:suzuki")]).await.len(), 1);
}

#[tokio::test]
async fn reading_more_than_500_persons_in_an_hour_alerts_at_the_501st() {
    let f = Fixture::new();
    let hundred: Vec<String> = (0..100).map(|i| format!("S{i:04}")).collect();
    let refs: Vec<&str> = hundred.iter().map(String::as_str).collect();
    let mut export = event("staff:tanaka", "export.records", Outcome::Allowed);
    export.subjects = hundred.clone();

    assert!(
        f.observe(times(4, read_of("staff:tanaka", &refs)))
            .await
            .is_empty()
    );
    assert!(
        f.observe(vec![export]).await.is_empty(),
        "500 is not more than 500"
    );
    let mut denied = read_of("staff:tanaka", &refs);
    denied.outcome = Outcome::Denied;
    assert!(
        f.observe(vec![denied]).await.is_empty(),
        "denied reads read nothing"
    );
    assert!(
        f.observe(vec![read_of("staff:suzuki", &["S0001"])])
            .await
            .is_empty()
    );
    let raised = f.observe(vec![read_of("staff:tanaka", &["S9999"])]).await;

    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].kind, AlertKind::LargeRead);
    assert!(
        raised[0].message_en.contains("501 persons"),
        "{}",
        raised[0].message_en
    );
    assert!(
        f.observe(vec![read_of("staff:tanaka", &refs)])
            .await
            .is_empty()
    );
    f.advance(3600);
    assert!(
        f.observe(vec![read_of("staff:tanaka", &refs)])
            .await
            .is_empty(),
        "a new hour"
    );
}

#[tokio::test]
async fn more_than_20_my_number_views_a_day_alert_once_and_the_next_japanese_day_starts_afresh() {
    let f = Fixture::new();
    let view = event("staff:tanaka", "my_number.view", Outcome::Allowed)
        .with_subjects(vec!["S0001".into()]);

    assert!(f.observe(times(20, view.clone())).await.is_empty());
    let raised = f.observe(vec![view.clone()]).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].kind, AlertKind::MyNumberViews);
    assert!(f.observe(vec![view.clone()]).await.is_empty());

    // 12:00 UTC is 21:00 JST; three hours later it is the next day in Japan.
    f.advance(3 * 3600);
    assert!(f.observe(times(20, view.clone())).await.is_empty());
    assert_eq!(f.observe(vec![view]).await.len(), 1);
}

#[tokio::test]
async fn alerts_are_listed_newest_first_and_acknowledged_once() {
    let f = Fixture::new();
    f.observe(vec![event("staff:tanaka", "tenant.cross", Outcome::Denied)])
        .await;
    f.advance(60);
    f.observe(vec![event("anonymous", "network.denied", Outcome::Denied)])
        .await;
    let alerts = Alerts::for_tenant(&f.world.tenant, f.world.clock());

    let listed = alerts.list(10).await.unwrap();
    let kinds: Vec<_> = listed.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![AlertKind::OutsideNetwork, AlertKind::CrossTenantAttempt]
    );
    assert!(listed.iter().all(|a| a.acknowledged_by.is_none()));

    let acknowledged = alerts
        .acknowledge(&listed[1].alert_id, "admin1")
        .await
        .unwrap();
    assert_eq!(acknowledged.acknowledged_by.as_deref(), Some("admin1"));
    let again = alerts
        .acknowledge(&listed[1].alert_id, "admin2")
        .await
        .unwrap();
    assert_eq!(again.acknowledged_by.as_deref(), Some("admin1"));
    assert_eq!(
        alerts.list(10).await.unwrap()[1].acknowledged_by.as_deref(),
        Some("admin1")
    );
    assert_eq!(alerts.list(1).await.unwrap().len(), 1);
    for unknown in ["000000000000-00000000", "", "../x", "a\0b"] {
        assert!(matches!(
            alerts.acknowledge(unknown, "admin1").await,
            Err(CoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn an_alert_reaches_the_administrators_in_japanese_and_english_without_personal_data() {
    let f = Fixture::new();
    let view = event("staff:tanaka", "my_number.view", Outcome::Allowed)
        .with_subjects(vec!["S0042".into()]);
    f.observe(times(21, view)).await;

    let messages = Outbox::for_tenant(&f.world.tenant, f.world.clock())
        .list(10)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message.to, vec!["admin1", "admin2"]);
    assert!(
        message.subject.contains("セキュリティ警告"),
        "{}",
        message.subject
    );
    assert!(
        message.subject.contains("Security alert"),
        "{}",
        message.subject
    );
    assert!(message.body.contains("個人番号"), "{}", message.body);
    assert!(message.body.contains("My Number"), "{}", message.body);
    assert!(message.body.contains("staff:tanaka"));
    assert!(!message.body.contains("S0042") && !message.subject.contains("S0042"));
    assert_eq!(message.at, "2030-11-25T12:00:00Z");
}

#[tokio::test]
async fn two_processes_counting_at_once_raise_one_alert_at_the_exact_threshold() {
    let world = world();
    // Two detectors on the same table, as in two processes.
    let detectors = [
        Arc::new(detector(&world, DetectorConfig::default())),
        Arc::new(detector(&world, DetectorConfig::default())),
    ];
    let scope = AlertScope::tenant(&world.tenant);
    let now = world.clock.now_epoch_s();

    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let detector = Arc::clone(&detectors[i % 2]);
            let scope = scope.clone();
            let events = vec![failed_login(&format!("staff:user{i}"))];
            tokio::spawn(async move { detector.observe(&scope, &events, now).await.unwrap() })
        })
        .collect();
    let mut raised = Vec::new();
    for task in tasks {
        raised.extend(task.await.unwrap());
    }

    assert_eq!(raised.len(), 1, "{raised:?}");
    let alerts = Alerts::for_tenant(&world.tenant, world.clock());
    assert_eq!(alerts.list(10).await.unwrap().len(), 1);
    let outbox = Outbox::for_tenant(&world.tenant, world.clock());
    assert_eq!(outbox.list(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_audit_log_feeds_its_commits_to_the_detector_before_append_returns() {
    let world = world();
    let detector = Arc::new(detector(&world, DetectorConfig::default()));
    let log = AuditLog::for_tenant(&world.tenant, world.clock()).with_detector(detector);

    log.append(times(4, failed_login("staff:tanaka")))
        .await
        .unwrap();
    assert!(
        Alerts::for_tenant(&world.tenant, world.clock())
            .list(10)
            .await
            .unwrap()
            .is_empty()
    );
    log.append(vec![failed_login("staff:tanaka")])
        .await
        .unwrap();

    let alerts = Alerts::for_tenant(&world.tenant, world.clock())
        .list(10)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, AlertKind::FailedLoginBurst);
    assert!(log.verify().await.unwrap().intact);
}

#[tokio::test]
async fn alerts_of_the_platform_log_go_to_the_configured_platform_recipients() {
    let world = world();
    let detector = Arc::new(detector(
        &world,
        DetectorConfig {
            platform_recipients: vec!["operator".into()],
            ..DetectorConfig::default()
        },
    ));
    let log = AuditLog::for_platform(&world.platform).with_detector(detector);

    log.append(vec![event("anonymous", "network.denied", Outcome::Denied)])
        .await
        .unwrap();

    let alerts = Alerts::new(world.platform.directory_store().clone(), world.clock())
        .list(10)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    let outbox = LocalOutbox::new(world.platform.clone())
        .outbox("platform")
        .unwrap();
    let messages = outbox.list(10).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, vec!["operator"]);
}
