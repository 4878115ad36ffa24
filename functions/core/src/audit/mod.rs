//! The operation log (操作ログ): every access to personal data and every security-relevant
//! decision, append-only and tamper-evident, kept for a retention period (3 years by default) and
//! then deleted by the store's TTL.
//!
//! Entries hold ids and field names only (subject numbers, user ids, attribute names), never
//! personal data, so they are stored in plain attributes; tamper evidence comes from a hash chain
//! keyed with the municipality's [`sesshu_crypto::KeyPurpose::AuditChain`] key: each entry carries
//! `mac = HMAC-SHA256(key, seq ‖ at ‖ expires_at ‖ every field ‖ prev_expires_at ‖ prev_mac)`
//! (length-prefixed, see `chain.rs`), so editing, inserting, deleting, reordering or dropping the
//! newest entries shows in [`AuditLog::verify`] without anyone being able to recompute the chain
//! who lacks the key.
//!
//! Layout in the log's table (a municipality's, or the platform table):
//!
//! | pk | sk | what |
//! |---|---|---|
//! | `LOG#HEAD` | `HEAD` | the newest `seq`, its `at`, `mac` and `expires_at`; version-guarded |
//! | `LOG#<YYYY-MM-DD>` | `<seq, 20 digits>` | one entry, `expires_at` = at + retention |
//! | `LOG#DAYS` | `<YYYY-MM-DD>` | a marker per day with entries, so readers skip empty days |
//!
//! Writes: every append goes through one writer task per [`AuditLog`], which commits all the
//! events that queued up during the previous commit in one store transaction (up to
//! [`MAX_ENTRIES_PER_COMMIT`] entries + the head + the day marker). The head is written with
//! `VersionIs`/`MustNotExist`, so appenders in other processes never fork the chain: the loser
//! re-reads the head and retries. `at` never decreases along the chain (it is the later of the
//! clock and the head's `at`), so day partitions and sequence numbers agree.
//!
//! The log treats its [`Clock`] as the truth about expiry: entries whose `expires_at` passed by
//! the clock are hidden even before the store sweeps them.

mod chain;
mod page;
mod verify;
mod writer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use sesshu_crypto::TenantCipher;
use sesshu_domain::staff::{AuditPage, ChainReport, Outcome};
use sesshu_store::Store;
use time::Date;
use tokio::sync::{mpsc, oneshot};

use crate::alerts::{AlertScope, Detector};
use crate::clock::Clock;
use crate::error::CoreError;
use crate::tenancy::{PLATFORM_TABLE, Platform, Tenant};

pub(crate) use chain::rfc3339;
pub use page::AuditFilter;

/// Default retention of log entries: 3 years (the seed's 「3年間保存」), counted generously.
pub const DEFAULT_RETENTION_DAYS: u32 = 1096;
/// Most entries one commit writes; with the head and the day marker this stays under the
/// store's 100-write transaction limit.
pub const MAX_ENTRIES_PER_COMMIT: usize = 90;
/// An event naming more persons than this is stored as several consecutive entries (same request
/// id), each naming at most this many, so every entry stays far below the store's item size limit.
pub const MAX_SUBJECTS_PER_ENTRY: usize = 1_000;

/// Longest actor, source, surface, action, reason or request id, in bytes.
const MAX_TEXT_BYTES: usize = 512;
/// Longest subject number or field name, in bytes.
const MAX_NAME_BYTES: usize = 128;
/// Most field names one event may list.
const MAX_FIELDS: usize = 500;

/// Something that happened, as the caller reports it; [`AuditLog::append`] adds the sequence
/// number, the time and the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// `staff:<user_id>`, `resident:<subject_no>`, `system:<job>` or `anonymous`.
    pub actor: String,
    /// The client address.
    pub source: String,
    /// `admin`, `clinic`, `resident`, `jobs`.
    pub surface: String,
    /// e.g. `login.password`, `person.read`, `my_number.view`, `network.denied`.
    pub action: String,
    /// Subject numbers of the persons touched.
    pub subjects: Vec<String>,
    /// Names of the fields read or changed.
    pub fields: Vec<String>,
    pub outcome: Outcome,
    /// A short machine reason for denials and failures, e.g. `missing_permission:export`.
    pub reason: Option<String>,
    pub request_id: String,
}

impl AuditEvent {
    /// An event touching no persons and no fields; add them with the `with_*` methods.
    pub fn new(
        actor: impl Into<String>,
        source: impl Into<String>,
        surface: impl Into<String>,
        action: impl Into<String>,
        outcome: Outcome,
        request_id: impl Into<String>,
    ) -> Self {
        Self {
            actor: actor.into(),
            source: source.into(),
            surface: surface.into(),
            action: action.into(),
            subjects: Vec::new(),
            fields: Vec::new(),
            outcome,
            reason: None,
            request_id: request_id.into(),
        }
    }

    pub fn with_subjects(mut self, subjects: Vec<String>) -> Self {
        self.subjects = subjects;
        self
    }

    pub fn with_fields(mut self, fields: Vec<String>) -> Self {
        self.fields = fields;
        self
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The user id of a `staff:<user_id>` actor.
    pub fn staff_user(&self) -> Option<&str> {
        self.actor.strip_prefix("staff:")
    }

    /// Refuses oversized parts and NUL (which no store key or attribute may hold), naming the
    /// part but never echoing its value.
    fn validate(&self) -> Result<(), CoreError> {
        let texts = [
            ("actor", &self.actor),
            ("source", &self.source),
            ("surface", &self.surface),
            ("action", &self.action),
            ("request_id", &self.request_id),
        ];
        for (name, text) in texts
            .into_iter()
            .chain(self.reason.as_ref().map(|r| ("reason", r)))
        {
            if text.len() > MAX_TEXT_BYTES || text.contains('\0') {
                return Err(CoreError::Invalid(format!(
                    "audit event {name} must be at most {MAX_TEXT_BYTES} bytes without NUL"
                )));
            }
        }
        if self.actor.is_empty() || self.action.is_empty() {
            return Err(CoreError::Invalid(
                "an audit event needs an actor and an action".into(),
            ));
        }
        if self.fields.len() > MAX_FIELDS {
            return Err(CoreError::Invalid(format!(
                "an audit event lists at most {MAX_FIELDS} field names"
            )));
        }
        for (name, list) in [("subject", &self.subjects), ("field", &self.fields)] {
            if list
                .iter()
                .any(|s| s.len() > MAX_NAME_BYTES || s.contains('\0'))
            {
                return Err(CoreError::Invalid(format!(
                    "each audit event {name} must be at most {MAX_NAME_BYTES} bytes without NUL"
                )));
            }
        }
        Ok(())
    }

    /// Splits an event naming many persons into events of at most [`MAX_SUBJECTS_PER_ENTRY`].
    fn split(mut self, out: &mut Vec<AuditEvent>) {
        if self.subjects.len() <= MAX_SUBJECTS_PER_ENTRY {
            out.push(self);
            return;
        }
        let subjects = std::mem::take(&mut self.subjects);
        for part in subjects.chunks(MAX_SUBJECTS_PER_ENTRY) {
            out.push(AuditEvent {
                subjects: part.to_vec(),
                ..self.clone()
            });
        }
    }
}

/// One municipality's operation log (or the platform's, for requests no municipality owns).
///
/// Create one per log per process and share it (e.g. through [`AuditLogs`]): concurrent appends
/// are batched into one commit only within one instance.
pub struct AuditLog {
    inner: Arc<Inner>,
    writer: Mutex<Option<mpsc::UnboundedSender<writer::Request>>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("name", &self.inner.name)
            .field("retention_s", &self.inner.retention_s)
            .finish_non_exhaustive()
    }
}

/// What the writer task and the readers share.
#[derive(Clone)]
struct Inner {
    name: String,
    store: Arc<dyn Store>,
    cipher: TenantCipher,
    clock: Arc<dyn Clock>,
    retention_s: u64,
    detector: Option<Arc<Detector>>,
    scope: AlertScope,
}

impl AuditLog {
    /// The log named `name` (a municipality code, or `platform`) in `store`, chained with the
    /// [`sesshu_crypto::KeyPurpose::AuditChain`] key of `cipher`. Alerts it raises (see [`Self::with_detector`])
    /// go to no administrators: use [`Self::for_tenant`] for a municipality.
    pub fn new(
        name: impl Into<String>,
        store: Arc<dyn Store>,
        cipher: TenantCipher,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let name = name.into();
        let scope = AlertScope::new(name.clone(), store.clone());
        Self::build(name, store, cipher, clock, scope)
    }

    /// The log of a municipality, in its own table.
    pub fn for_tenant(tenant: &Tenant, clock: Arc<dyn Clock>) -> Self {
        Self::build(
            tenant.code.as_str().to_owned(),
            tenant.store.clone(),
            tenant.cipher.clone(),
            clock,
            AlertScope::tenant(tenant),
        )
    }

    /// The platform's log, in the platform table: requests that no municipality owns (e.g. a
    /// network denial before any session).
    pub fn for_platform(platform: &Platform) -> Self {
        Self::new(
            PLATFORM_TABLE,
            platform.directory_store().clone(),
            platform.platform_cipher().clone(),
            platform.clock.clone(),
        )
    }

    fn build(
        name: String,
        store: Arc<dyn Store>,
        cipher: TenantCipher,
        clock: Arc<dyn Clock>,
        scope: AlertScope,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                name,
                store,
                cipher,
                clock,
                retention_s: u64::from(DEFAULT_RETENTION_DAYS) * 86_400,
                detector: None,
                scope,
            }),
            writer: Mutex::new(None),
        }
    }

    /// Keeps entries `days` days (at least 1) instead of [`DEFAULT_RETENTION_DAYS`]. Entries
    /// already written keep the expiry they were written with.
    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.inner_mut().retention_s = u64::from(days.max(1)) * 86_400;
        self
    }

    /// Feeds every committed batch to `detector` before [`Self::append`] returns, so alerts are
    /// stored by then. A detection failure is logged and does not fail the append: the entries
    /// are durable either way.
    ///
    /// Detection runs on the log's writer task: the detector's [`crate::alerts::Notifier`] and
    /// [`crate::alerts::Administrators`] must never append to this log themselves (that append
    /// would wait for the writer, which waits for them).
    pub fn with_detector(mut self, detector: Arc<Detector>) -> Self {
        self.inner_mut().detector = Some(detector);
        self
    }

    fn inner_mut(&mut self) -> &mut Inner {
        // A writer already running keeps the settings it started with; the next append starts
        // one with the new settings.
        *self
            .writer
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        Arc::make_mut(&mut self.inner)
    }

    /// The log's name: the municipality code, or `platform`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// How long entries are kept, in seconds.
    pub fn retention_s(&self) -> u64 {
        self.inner.retention_s
    }

    /// Appends `events` in order and returns their sequence numbers (an event naming more than
    /// [`MAX_SUBJECTS_PER_ENTRY`] persons becomes several entries, each with its own number).
    /// Durable when it returns: the entries are committed, chained and under the head.
    pub async fn append(&self, events: Vec<AuditEvent>) -> Result<Vec<u64>, CoreError> {
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            event.validate()?;
            event.split(&mut entries);
        }
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let mut request = writer::Request {
            events: entries,
            reply,
        };
        // A writer whose runtime ended (a test's, or after a shutdown) is replaced once.
        for _ in 0..2 {
            let sender = self.sender();
            match sender.send(request) {
                Ok(()) => {
                    return answer.await.unwrap_or_else(|_| {
                        Err(CoreError::Corrupt(
                            "the operation log writer stopped before answering".into(),
                        ))
                    });
                }
                Err(mpsc::error::SendError(returned)) => {
                    request = returned;
                    *self.writer_slot() = None;
                }
            }
        }
        Err(CoreError::Corrupt(
            "the operation log writer could not be started".into(),
        ))
    }

    /// One page of entries, newest first, filtered on the server. Pass the returned `next` as
    /// `cursor` for older entries. A page may hold fewer than `limit` entries (even none) while
    /// `next` is present: each call examines a bounded number of entries, so a rare filter over
    /// three years never makes one request slow. `limit` is clamped to 1..=500.
    pub async fn page(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AuditPage, CoreError> {
        page::page(&self.inner, filter, cursor, limit).await
    }

    /// Checks every surviving entry, oldest to newest, and reports the first problem: an edited
    /// entry, a missing one (a gap that expiry does not explain), an inserted one, a reordered
    /// one, or a truncated chain (the head names a newer entry than the last one found).
    pub async fn verify(&self) -> Result<ChainReport, CoreError> {
        verify::verify(&self.inner).await
    }

    fn sender(&self) -> mpsc::UnboundedSender<writer::Request> {
        let mut slot = self.writer_slot();
        if let Some(sender) = slot.as_ref().filter(|s| !s.is_closed()) {
            return sender.clone();
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(writer::run(Arc::clone(&self.inner), receiver));
        *slot = Some(sender.clone());
        sender
    }

    fn writer_slot(&self) -> MutexGuard<'_, Option<mpsc::UnboundedSender<writer::Request>>> {
        // Only a sender handle lives behind the lock; a panic cannot leave it inconsistent.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One shared [`AuditLog`] per municipality (and one for the platform) in this process, so
/// every request handler appends through the same writer and concurrent appends share commits.
pub struct AuditLogs {
    platform: Arc<Platform>,
    retention_days: u32,
    /// Per-municipality retention (days), where a municipality keeps its log longer or shorter.
    retention_overrides: HashMap<String, u32>,
    detector: Option<Arc<Detector>>,
    logs: Mutex<HashMap<String, Arc<AuditLog>>>,
}

impl std::fmt::Debug for AuditLogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLogs")
            .field("retention_days", &self.retention_days)
            .finish_non_exhaustive()
    }
}

impl AuditLogs {
    /// Logs with the default retention and no intrusion detection.
    pub fn new(platform: Arc<Platform>) -> Self {
        Self {
            platform,
            retention_days: DEFAULT_RETENTION_DAYS,
            retention_overrides: HashMap::new(),
            detector: None,
            logs: Mutex::new(HashMap::new()),
        }
    }

    /// The retention of one municipality's log (by code), overriding the default.
    pub fn with_retention_for(mut self, municipality: &str, days: u32) -> Self {
        self.retention_overrides
            .insert(municipality.to_owned(), days);
        self
    }

    /// Parses `131016:1826,271004:1096` (municipality code: days) into overrides.
    pub fn with_retention_config(mut self, config: &str) -> Result<Self, CoreError> {
        for (index, part) in config.split(',').map(str::trim).enumerate() {
            if part.is_empty() {
                continue;
            }
            let parsed = part.split_once(':').and_then(|(code, days)| {
                let code = sesshu_domain::MunicipalityCode::parse(code.trim()).ok()?;
                let days: u32 = days.trim().parse().ok().filter(|d| *d > 0)?;
                Some((code, days))
            });
            let Some((code, days)) = parsed else {
                return Err(CoreError::Invalid(format!(
                    "log retention entry {}: write <municipality code>:<days>, e.g. 131016:1096",
                    index + 1
                )));
            };
            self.retention_overrides
                .insert(code.as_str().to_owned(), days);
        }
        Ok(self)
    }

    pub fn with_retention_days(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
    }

    /// Every log feeds its commits to `detector`.
    pub fn with_detector(mut self, detector: Arc<Detector>) -> Self {
        self.detector = Some(detector);
        self
    }

    /// The log of `tenant`.
    pub fn tenant(&self, tenant: &Tenant) -> Arc<AuditLog> {
        self.get_or_create(tenant.code.as_str(), || {
            AuditLog::for_tenant(tenant, self.platform.clock.clone())
        })
    }

    /// The platform's log.
    pub fn platform(&self) -> Arc<AuditLog> {
        self.get_or_create(PLATFORM_TABLE, || AuditLog::for_platform(&self.platform))
    }

    fn get_or_create(&self, name: &str, create: impl FnOnce() -> AuditLog) -> Arc<AuditLog> {
        let mut logs = self
            .logs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(log) = logs.get(name) {
            return Arc::clone(log);
        }
        let days = self
            .retention_overrides
            .get(name)
            .copied()
            .unwrap_or(self.retention_days);
        let mut log = create().with_retention_days(days);
        if let Some(detector) = &self.detector {
            log = log.with_detector(Arc::clone(detector));
        }
        let log = Arc::new(log);
        logs.insert(name.to_owned(), Arc::clone(&log));
        log
    }
}

/// `YYYY-MM-DD` of a UTC day.
fn day_string(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// The UTC day of an epoch second.
fn day_of(epoch_s: u64) -> Date {
    let seconds = i64::try_from(epoch_s).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date()
}
