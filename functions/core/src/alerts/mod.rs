//! Intrusion detection (不正アクセスの検知と通知), fed by the operation log.
//!
//! [`Detector::observe`] counts what the rules care about in every committed batch of audit
//! events and raises an [`Alert`] when a count reaches its threshold:
//!
//! | kind | counts | per | default |
//! |---|---|---|---|
//! | `failed_login_burst` | `login.*` denied | municipality, in any 10 minutes | ≥ 10 |
//! | `failed_login_burst` | `login.*` denied | actor (`anonymous`: per source), in any 10 minutes | ≥ 5 |
//! | `outside_network` | `network.denied` | source address, per hour | ≥ 1 |
//! | `cross_tenant_attempt` | `tenant.cross` | actor, per hour | ≥ 1 |
//! | `large_read` | subjects of allowed `person.*`/`export.*` | actor, per hour | > 500 |
//! | `my_number_views` | allowed `my_number.view` | actor, per day (JST) | > 20 |
//!
//! Counters are store items updated with version conditions, so several processes count
//! together; each lives a little longer than its window. An alert for one (kind, who, window) is
//! raised once, across processes: its dedup item is written with `MustNotExist` in the same
//! transaction as the alert. The winner then notifies the municipality's administrators through
//! the [`Notifier`] port. Windows are fixed buckets aligned to the epoch (days to JST midnight);
//! the login rules sum one-minute buckets, so "in any 10 minutes" holds to the minute.
//!
//! Jobs raise alerts of their own with [`Detector::report`], uncounted:
//!
//! | kind | raised by | when |
//! |---|---|---|
//! | `pmh_mismatch` | the PMH key job (`crate::pmh_link`) | PMH answered with a My Number other than the one sent (one alert per batch) |
//!
//! Alerts and notifications name user ids, source addresses and counts, never personal data.
//!
//! Layout (in the log's table):
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `ALERT#COUNT#<rule>#<who>` | `<bucket start, 12 digits>` | `n` |
//! | `ALERT#ONCE#<rule>#<who>` | `<window start, 12 digits>` | the alert id raised for it |
//! | `ALERTS` | `<alert id>` | one alert (ids start with the time: newest sorts last) |
//! | `OUTBOX` | `<message id>` | one notification ([`LocalOutbox`]) |

mod repository;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;
use sesshu_domain::staff::{Alert, AlertKind, Outcome};
use sesshu_store::{AttrValue, Condition, Item, Key, Query, Store, StoreError, Write};

use crate::audit::AuditEvent;
use crate::error::CoreError;
use crate::tenancy::Tenant;

pub use repository::{Alerts, LocalOutbox, Outbox};

/// Actions the rules look at; the callers of [`crate::audit::AuditLog::append`] use these.
pub const LOGIN_ACTION_PREFIX: &str = "login.";
pub const NETWORK_DENIED: &str = "network.denied";
pub const TENANT_CROSS: &str = "tenant.cross";
pub const MY_NUMBER_VIEW: &str = "my_number.view";
pub const PERSON_ACTION_PREFIX: &str = "person.";
pub const EXPORT_ACTION_PREFIX: &str = "export.";

const ALERTS_PK: &str = "ALERTS";
const MAX_ATTEMPTS: u32 = 50;
/// Counters and dedup items outlive their window by this much (clock skew between processes).
const KEEP_AFTER_WINDOW_S: u64 = 86_400;
/// JST is UTC+9 all year: "per day" means a Japanese calendar day.
const JST_OFFSET_S: u64 = 9 * 3600;

/// Thresholds; every one is configurable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorConfig {
    /// Denied logins in one municipality within [`Self::failed_login_window_s`] that raise an alert.
    pub failed_logins_per_municipality: u64,
    /// Denied logins of one actor (or one source, for `anonymous`) that raise an alert.
    pub failed_logins_per_actor: u64,
    /// The sliding window of the login rules, in whole minutes (default 600 s).
    pub failed_login_window_s: u64,
    /// Refused requests from outside the allowed networks, per source per hour.
    pub outside_network_per_hour: u64,
    /// Cross-tenant attempts per actor per hour.
    pub cross_tenant_per_hour: u64,
    /// Persons one actor may read or export per hour before an alert (alerts when exceeded).
    pub large_read_max_subjects_per_hour: u64,
    /// My Number views one actor may make per day before an alert (alerts when exceeded).
    pub my_number_max_views_per_day: u64,
    /// Who hears about alerts of a log that belongs to no municipality (the platform's).
    pub platform_recipients: Vec<String>,
    /// How long alerts and notifications are kept (default: as long as the operation log).
    pub retention_days: u32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            failed_logins_per_municipality: 10,
            failed_logins_per_actor: 5,
            failed_login_window_s: 600,
            outside_network_per_hour: 1,
            cross_tenant_per_hour: 1,
            large_read_max_subjects_per_hour: 500,
            my_number_max_views_per_day: 20,
            platform_recipients: Vec::new(),
            retention_days: crate::audit::DEFAULT_RETENTION_DAYS,
        }
    }
}

/// Who receives a municipality's alerts: its administrators' user ids (the staff module knows).
#[async_trait]
pub trait Administrators: Send + Sync + 'static {
    async fn administrators(&self, tenant: &Tenant) -> Result<Vec<String>, CoreError>;
}

/// Sends a notification (e-mail in production; [`LocalOutbox`] stores it in the tenant's table).
/// `municipality` is the log's name: a municipality code, or `platform`.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    async fn notify(
        &self,
        municipality: &str,
        to: Vec<String>,
        subject: String,
        body: String,
    ) -> Result<(), CoreError>;
}

/// Where alerts of one log are counted and stored, and whose administrators hear of them.
#[derive(Clone)]
pub struct AlertScope {
    name: String,
    store: Arc<dyn Store>,
    tenant: Option<Tenant>,
}

impl std::fmt::Debug for AlertScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertScope")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl AlertScope {
    /// A log that belongs to no municipality (alerts go to the configured platform recipients).
    pub fn new(name: impl Into<String>, store: Arc<dyn Store>) -> Self {
        Self {
            name: name.into(),
            store,
            tenant: None,
        }
    }

    /// A municipality's log.
    pub fn tenant(tenant: &Tenant) -> Self {
        Self {
            name: tenant.code.as_str().to_owned(),
            store: tenant.store.clone(),
            tenant: Some(tenant.clone()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The rules, each one counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    LoginMunicipality,
    LoginActor,
    OutsideNetwork,
    CrossTenant,
    LargeRead,
    MyNumber,
}

/// How a rule counts.
struct Spec {
    kind: AlertKind,
    code: &'static str,
    bucket_s: u64,
    /// The window is this many buckets (the newest one included).
    buckets: u64,
    /// Buckets start at multiples of `bucket_s` minus this (JST midnight for days).
    offset_s: u64,
    /// Alert when the window's count reaches this.
    threshold: u64,
}

impl Spec {
    fn window_s(&self) -> u64 {
        self.bucket_s * self.buckets
    }

    fn bucket_start(&self, at: u64) -> u64 {
        align(at, self.bucket_s, self.offset_s)
    }

    fn window_start(&self, at: u64) -> u64 {
        align(at, self.window_s(), self.offset_s)
    }
}

fn align(at: u64, size: u64, offset: u64) -> u64 {
    ((at + offset) / size * size).saturating_sub(offset)
}

/// Raises alerts from audit events; share one per process.
pub struct Detector {
    config: DetectorConfig,
    notifier: Arc<dyn Notifier>,
    administrators: Arc<dyn Administrators>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Detector {
    /// A detector with the default thresholds.
    pub fn new(notifier: Arc<dyn Notifier>, administrators: Arc<dyn Administrators>) -> Self {
        Self {
            config: DetectorConfig::default(),
            notifier,
            administrators,
        }
    }

    pub fn with_config(mut self, config: DetectorConfig) -> Self {
        self.config = config;
        self
    }

    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// Counts `events`, which happened at `at_epoch_s`, and raises the alerts whose threshold
    /// they reach (each at most once per window, whatever other processes do). Returns the
    /// alerts this call raised.
    pub async fn observe(
        &self,
        scope: &AlertScope,
        events: &[AuditEvent],
        at_epoch_s: u64,
    ) -> Result<Vec<Alert>, CoreError> {
        let mut counts: BTreeMap<(Rule, String), u64> = BTreeMap::new();
        for event in events {
            for (rule, who, weight) in observations(event) {
                *counts.entry((rule, who)).or_default() += weight;
            }
        }
        let mut raised = Vec::new();
        if counts.is_empty() {
            return Ok(raised);
        }
        let counters: Vec<(Key, u64, u64)> = counts
            .iter()
            .map(|((rule, who), weight)| {
                let spec = self.spec(*rule);
                let bucket = spec.bucket_start(at_epoch_s);
                let expires = bucket + spec.window_s() + KEEP_AFTER_WINDOW_S;
                (counter_key(spec.code, who, bucket), *weight, expires)
            })
            .collect();
        let values = increment(&scope.store, &counters).await?;
        for (((rule, who), _), value) in counts.iter().zip(values) {
            let spec = self.spec(*rule);
            let total = if spec.buckets == 1 {
                value
            } else {
                window_total(&scope.store, &spec, who, at_epoch_s).await?
            };
            if total >= spec.threshold
                && let Some(alert) = self.raise(scope, *rule, who, total, at_epoch_s).await?
            {
                raised.push(alert);
            }
        }
        Ok(raised)
    }

    fn spec(&self, rule: Rule) -> Spec {
        let config = &self.config;
        let login_buckets = (config.failed_login_window_s / 60).max(1);
        let hourly = |kind, code, threshold| Spec {
            kind,
            code,
            bucket_s: 3600,
            buckets: 1,
            offset_s: 0,
            threshold,
        };
        match rule {
            Rule::LoginMunicipality | Rule::LoginActor => Spec {
                kind: AlertKind::FailedLoginBurst,
                code: if rule == Rule::LoginActor {
                    "login-actor"
                } else {
                    "login-municipality"
                },
                bucket_s: 60,
                buckets: login_buckets,
                offset_s: 0,
                threshold: if rule == Rule::LoginActor {
                    config.failed_logins_per_actor
                } else {
                    config.failed_logins_per_municipality
                }
                .max(1),
            },
            Rule::OutsideNetwork => hourly(
                AlertKind::OutsideNetwork,
                "network",
                config.outside_network_per_hour.max(1),
            ),
            Rule::CrossTenant => hourly(
                AlertKind::CrossTenantAttempt,
                "cross-tenant",
                config.cross_tenant_per_hour.max(1),
            ),
            Rule::LargeRead => hourly(
                AlertKind::LargeRead,
                "large-read",
                config.large_read_max_subjects_per_hour.saturating_add(1),
            ),
            Rule::MyNumber => Spec {
                kind: AlertKind::MyNumberViews,
                code: "my-number",
                bucket_s: 86_400,
                buckets: 1,
                offset_s: JST_OFFSET_S,
                threshold: config.my_number_max_views_per_day.saturating_add(1),
            },
        }
    }

    /// Stores the alert for (rule, who, window) unless one exists, then notifies.
    async fn raise(
        &self,
        scope: &AlertScope,
        rule: Rule,
        who: &str,
        total: u64,
        at: u64,
    ) -> Result<Option<Alert>, CoreError> {
        let spec = self.spec(rule);
        let window = spec.window_start(at);
        let once_key = Key::new(
            format!("ALERT#ONCE#{}#{}", spec.code, key_part(who)),
            format!("{window:012}"),
        );
        if scope.store.get(&once_key).await?.is_some() {
            return Ok(None);
        }
        let alert_id = repository::new_id(at);
        let (message_ja, message_en) = self.messages(rule, &spec, who, total);
        let alert = Alert {
            alert_id: alert_id.clone(),
            at: crate::audit::rfc3339(at),
            kind: spec.kind,
            message_ja,
            message_en,
            user_id: who.strip_prefix("staff:").map(str::to_owned),
            acknowledged_by: None,
        };
        let retention_s = u64::from(self.config.retention_days.max(1)) * 86_400;
        let once = Item::new(once_key)
            .with("alert_id", AttrValue::S(alert_id))
            .expiring_at(window + spec.window_s() + KEEP_AFTER_WINDOW_S);
        let written = scope
            .store
            .transact(vec![
                Write::Put {
                    item: once,
                    condition: Condition::MustNotExist,
                },
                Write::Put {
                    item: repository::alert_item(&alert, at, at.saturating_add(retention_s)),
                    condition: Condition::MustNotExist,
                },
            ])
            .await;
        match written {
            Ok(()) => {}
            // Another process raised it first.
            Err(StoreError::ConditionFailed { index: 0 }) => return Ok(None),
            Err(error) => return Err(error.into()),
        }
        tracing::warn!(log = %scope.name, kind = spec.code, alert_id = %alert.alert_id, "security alert raised");
        self.notify(scope, &alert).await;
        Ok(Some(alert))
    }

    /// Stores an alert that a job found (not counted from the log) and tells the administrators
    /// at once: each call is one alert. The messages must name no personal data.
    pub async fn report(
        &self,
        scope: &AlertScope,
        kind: AlertKind,
        message_ja: String,
        message_en: String,
        at_epoch_s: u64,
    ) -> Result<Alert, CoreError> {
        let alert = Alert {
            alert_id: repository::new_id(at_epoch_s),
            at: crate::audit::rfc3339(at_epoch_s),
            kind,
            message_ja,
            message_en,
            user_id: None,
            acknowledged_by: None,
        };
        let retention_s = u64::from(self.config.retention_days.max(1)) * 86_400;
        scope
            .store
            .put(
                repository::alert_item(&alert, at_epoch_s, at_epoch_s.saturating_add(retention_s)),
                Condition::MustNotExist,
            )
            .await?;
        tracing::warn!(log = %scope.name, kind = ?alert.kind, alert_id = %alert.alert_id, "alert reported");
        self.notify(scope, &alert).await;
        Ok(alert)
    }

    /// Tells the administrators; a failure is logged, the stored alert stays visible in the app.
    async fn notify(&self, scope: &AlertScope, alert: &Alert) {
        let to = match &scope.tenant {
            Some(tenant) => match self.administrators.administrators(tenant).await {
                Ok(to) => to,
                Err(error) => {
                    tracing::error!(log = %scope.name, %error, "cannot list administrators for an alert");
                    Vec::new()
                }
            },
            None => self.config.platform_recipients.clone(),
        };
        let (label_ja, label_en) = kind_labels(alert.kind);
        let subject = format!("【セキュリティ警告】{label_ja} / Security alert: {label_en}");
        let body = format!(
            "{}\n\n{}\n\n発生日時 / Time: {}\n自治体 / Municipality: {}\n警告ID / Alert id: {}\n\n\
             管理画面の「警告」で内容を確認し、対応後に確認済みにしてください。\n\
             Review it under Alerts in the admin app and acknowledge it once handled.",
            alert.message_ja, alert.message_en, alert.at, scope.name, alert.alert_id
        );
        if let Err(error) = self.notifier.notify(&scope.name, to, subject, body).await {
            tracing::error!(log = %scope.name, %error, "cannot send an alert notification");
        }
    }

    fn messages(&self, rule: Rule, spec: &Spec, who: &str, total: u64) -> (String, String) {
        let minutes = spec.window_s() / 60;
        match rule {
            Rule::LoginMunicipality => (
                format!(
                    "{minutes}分間に自治体全体でログインの失敗が{total}回ありました。パスワードの総当たりなど、不正なログインの試みの可能性があります。"
                ),
                format!(
                    "{total} failed logins across the municipality within {minutes} minutes: possibly someone guessing passwords."
                ),
            ),
            Rule::LoginActor => {
                let (ja, en) = match who.strip_prefix("anonymous@") {
                    Some(source) => (
                        format!("接続元 {source}（利用者不明）"),
                        format!("source {source} (unknown user)"),
                    ),
                    None => (format!("利用者 {who}"), format!("user {who}")),
                };
                (
                    format!("{ja}のログインが{minutes}分間に{total}回失敗しました。"),
                    format!("{total} failed logins for {en} within {minutes} minutes."),
                )
            }
            Rule::OutsideNetwork => (
                format!(
                    "許可されていないネットワーク（接続元 {who}）からのアクセスを1時間に{total}回拒否しました。"
                ),
                format!(
                    "Refused {total} request(s) within an hour from {who}, outside the allowed networks."
                ),
            ),
            Rule::CrossTenant => (
                format!(
                    "{who} が他の自治体のデータへのアクセスを1時間に{total}回試みました（拒否済み）。"
                ),
                format!(
                    "{who} tried {total} time(s) within an hour to reach another municipality's data (refused)."
                ),
            ),
            Rule::LargeRead => (
                format!(
                    "{who} が1時間に{total}人分の個人データを閲覧・出力しました（しきい値 {}人）。",
                    self.config.large_read_max_subjects_per_hour
                ),
                format!(
                    "{who} read or exported the data of {total} persons within an hour (threshold {}).",
                    self.config.large_read_max_subjects_per_hour
                ),
            ),
            Rule::MyNumber => (
                format!(
                    "{who} が本日{total}件の個人番号を閲覧しました（しきい値 {}件）。",
                    self.config.my_number_max_views_per_day
                ),
                format!(
                    "{who} viewed My Number {total} times today (threshold {}).",
                    self.config.my_number_max_views_per_day
                ),
            ),
        }
    }
}

/// What one event adds to which counters.
fn observations(event: &AuditEvent) -> Vec<(Rule, String, u64)> {
    let action = event.action.as_str();
    let mut out = Vec::new();
    if action.starts_with(LOGIN_ACTION_PREFIX) && event.outcome == Outcome::Denied {
        out.push((Rule::LoginMunicipality, "*".to_owned(), 1));
        let who = if event.actor == "anonymous" {
            format!("anonymous@{}", event.source)
        } else {
            event.actor.clone()
        };
        out.push((Rule::LoginActor, who, 1));
    }
    if action == NETWORK_DENIED {
        out.push((Rule::OutsideNetwork, event.source.clone(), 1));
    }
    if action == TENANT_CROSS {
        out.push((Rule::CrossTenant, event.actor.clone(), 1));
    }
    if (action.starts_with(PERSON_ACTION_PREFIX) || action.starts_with(EXPORT_ACTION_PREFIX))
        && event.outcome == Outcome::Allowed
        && !event.subjects.is_empty()
    {
        out.push((
            Rule::LargeRead,
            event.actor.clone(),
            event.subjects.len() as u64,
        ));
    }
    if action == MY_NUMBER_VIEW && event.outcome == Outcome::Allowed {
        out.push((Rule::MyNumber, event.actor.clone(), 1));
    }
    out
}

pub(crate) fn kind_labels(kind: AlertKind) -> (&'static str, &'static str) {
    match kind {
        AlertKind::FailedLoginBurst => ("ログイン失敗の集中", "Burst of failed logins"),
        AlertKind::OutsideNetwork => (
            "許可されていないネットワークからのアクセス",
            "Access from outside the allowed networks",
        ),
        AlertKind::CrossTenantAttempt => (
            "他自治体のデータへのアクセスの試み",
            "Attempt to reach another municipality's data",
        ),
        AlertKind::LargeRead => (
            "大量の個人データの閲覧・出力",
            "Unusually large read or export",
        ),
        AlertKind::MyNumberViews => ("個人番号の閲覧回数の超過", "Many My Number views"),
        AlertKind::PmhMismatch => (
            "PMHの応答の個人番号の不一致",
            "PMH answered with another My Number",
        ),
    }
}

/// A key part from untrusted text: no NUL, and short enough for any store key.
fn key_part(text: &str) -> String {
    let mut part: String = text.replace('\0', "?");
    if part.len() > 600 {
        let mut end = 600;
        while !part.is_char_boundary(end) {
            end -= 1;
        }
        part.truncate(end);
    }
    part
}

fn counter_key(code: &str, who: &str, bucket: u64) -> Key {
    Key::new(counter_pk(code, who), format!("{bucket:012}"))
}

fn counter_pk(code: &str, who: &str) -> String {
    format!("ALERT#COUNT#{code}#{}", key_part(who))
}

/// Adds each weight to its counter, all or nothing per transaction, retrying when another
/// process counted at the same moment; returns the new values.
async fn increment(
    store: &Arc<dyn Store>,
    counters: &[(Key, u64, u64)],
) -> Result<Vec<u64>, CoreError> {
    let mut values = Vec::with_capacity(counters.len());
    for chunk in counters.chunks(50) {
        let mut attempt = 0;
        let chunk_values = loop {
            let mut writes = Vec::with_capacity(chunk.len());
            let mut new_values = Vec::with_capacity(chunk.len());
            for (key, weight, expires_at) in chunk {
                let current = store.get(key).await?;
                let (old, condition, version) = match &current {
                    Some(item) => (
                        item.get("n")
                            .and_then(AttrValue::as_n)
                            .and_then(|n| u64::try_from(n).ok())
                            .unwrap_or(0),
                        Condition::VersionIs(item.version),
                        item.version + 1,
                    ),
                    None => (0, Condition::MustNotExist, 1),
                };
                let value = old.saturating_add(*weight);
                new_values.push(value);
                writes.push(Write::Put {
                    item: Item::new(key.clone())
                        .with("n", AttrValue::N(i64::try_from(value).unwrap_or(i64::MAX)))
                        .with_version(version)
                        .expiring_at(*expires_at),
                    condition,
                });
            }
            match store.transact(writes).await {
                Ok(()) => break new_values,
                Err(StoreError::ConditionFailed { .. } | StoreError::Conflict)
                    if attempt < MAX_ATTEMPTS =>
                {
                    attempt += 1;
                    let wait_ms = rand::thread_rng().gen_range(1..=5);
                    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
                }
                Err(error) => return Err(error.into()),
            }
        };
        values.extend(chunk_values);
    }
    Ok(values)
}

/// The sum of the buckets of the window ending with the bucket of `at`.
async fn window_total(
    store: &Arc<dyn Store>,
    spec: &Spec,
    who: &str,
    at: u64,
) -> Result<u64, CoreError> {
    let last = spec.bucket_start(at);
    let first = last.saturating_sub((spec.buckets - 1) * spec.bucket_s);
    let mut query = Query::between(
        counter_pk(spec.code, who),
        format!("{first:012}"),
        format!("{last:012}"),
    );
    let mut total = 0u64;
    loop {
        let page = store.query(&query).await?;
        total = page
            .items
            .iter()
            .filter_map(|item| item.get("n").and_then(AttrValue::as_n))
            .filter_map(|n| u64::try_from(n).ok())
            .fold(total, u64::saturating_add);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => return Ok(total),
        }
    }
}

pub(crate) const fn alerts_pk() -> &'static str {
    ALERTS_PK
}
