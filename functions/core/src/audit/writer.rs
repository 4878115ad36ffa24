//! Group commit: one task per log takes every append that queued up while the previous commit
//! was in flight and writes them in one transaction, so the ~6 ms commit of the embedded store
//! (and a DynamoDB round trip) is paid once per batch, not once per request.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sesshu_crypto::KeyPurpose;
use sesshu_store::{AttrValue, Condition, Item, Key, StoreError, Write};
use tokio::sync::{mpsc, oneshot};

use super::chain::{DAYS_PK, Entry, Head};
use super::{AuditEvent, Inner, MAX_ENTRIES_PER_COMMIT, day_of, day_string};
use crate::error::CoreError;

/// Upper bound on the bytes of one commit (DynamoDB refuses transactions over 4 MB).
const MAX_COMMIT_BYTES: usize = 2_000_000;
/// Appenders in other processes may win the head this many times in a row before we give up.
const MAX_ATTEMPTS: u32 = 100;

/// One `append` call waiting for its sequence numbers.
pub(super) struct Request {
    pub events: Vec<AuditEvent>,
    pub reply: oneshot::Sender<Result<Vec<u64>, CoreError>>,
}

/// Runs until every [`super::AuditLog`] handle to the channel is gone.
pub(super) async fn run(inner: Arc<Inner>, mut receiver: mpsc::UnboundedReceiver<Request>) {
    // The head as this writer last wrote or read it; `None` means read it before the next commit.
    let mut head: Option<Head> = None;
    let mut backlog: VecDeque<Request> = VecDeque::new();
    loop {
        if backlog.is_empty() {
            match receiver.recv().await {
                Some(request) => backlog.push_back(request),
                None => return,
            }
        }
        while let Ok(request) = receiver.try_recv() {
            backlog.push_back(request);
        }
        let group = take_group(&mut backlog);
        commit_group(&inner, &mut head, group).await;
    }
}

/// Whole requests, oldest first, up to one commit's worth; a request larger than that goes alone
/// (and is written in several commits).
fn take_group(backlog: &mut VecDeque<Request>) -> Vec<Request> {
    let mut group = Vec::new();
    let (mut entries, mut bytes) = (0, 0);
    while let Some(next) = backlog.front() {
        let next_entries = next.events.len();
        let next_bytes: usize = next.events.iter().map(approx_bytes).sum();
        if !group.is_empty()
            && (entries + next_entries > MAX_ENTRIES_PER_COMMIT
                || bytes + next_bytes > MAX_COMMIT_BYTES)
        {
            break;
        }
        entries += next_entries;
        bytes += next_bytes;
        match backlog.pop_front() {
            Some(request) => group.push(request),
            None => break,
        }
    }
    group
}

async fn commit_group(inner: &Inner, head: &mut Option<Head>, group: Vec<Request>) {
    let mut replies = Vec::with_capacity(group.len());
    let mut events = Vec::new();
    for request in group {
        replies.push((request.reply, request.events.len()));
        events.extend(request.events);
    }
    match commit_events(inner, head, &events).await {
        Ok(commits) => {
            if let Some(detector) = &inner.detector {
                for commit in &commits {
                    let batch = &events[commit.offset..commit.offset + commit.len];
                    if let Err(error) = detector.observe(&inner.scope, batch, commit.at).await {
                        tracing::warn!(log = %inner.name, %error, "intrusion detection failed");
                    }
                }
            }
            let mut seqs = commits
                .iter()
                .flat_map(|c| (0..c.len as u64).map(move |i| c.first_seq + i));
            for (reply, count) in replies {
                let _ = reply.send(Ok(seqs.by_ref().take(count).collect()));
            }
        }
        Err(error) => {
            tracing::error!(log = %inner.name, %error, "operation log append failed");
            let message = error.to_string();
            let mut first = Some(error);
            for (reply, _) in replies {
                let error = first.take().unwrap_or_else(|| {
                    CoreError::Store(StoreError::Backend(format!(
                        "operation log append failed: {message}"
                    )))
                });
                let _ = reply.send(Err(error));
            }
        }
    }
}

/// What one transaction wrote.
struct Commit {
    offset: usize,
    len: usize,
    first_seq: u64,
    at: u64,
}

async fn commit_events(
    inner: &Inner,
    head: &mut Option<Head>,
    events: &[AuditEvent],
) -> Result<Vec<Commit>, CoreError> {
    let mut commits = Vec::new();
    let mut offset = 0;
    while offset < events.len() {
        let mut len = 0;
        let mut bytes = 0;
        for event in &events[offset..] {
            let size = approx_bytes(event);
            if len > 0 && (len == MAX_ENTRIES_PER_COMMIT || bytes + size > MAX_COMMIT_BYTES) {
                break;
            }
            len += 1;
            bytes += size;
        }
        let (first_seq, at) = commit_chunk(inner, head, &events[offset..offset + len]).await?;
        commits.push(Commit {
            offset,
            len,
            first_seq,
            at,
        });
        offset += len;
    }
    Ok(commits)
}

/// Chains `events` after the head and writes them, the new head and the day marker in one
/// transaction; on losing the head to another appender, re-reads it and chains again.
async fn commit_chunk(
    inner: &Inner,
    cached: &mut Option<Head>,
    events: &[AuditEvent],
) -> Result<(u64, u64), CoreError> {
    let (kid, key) = inner.cipher.keys().current(KeyPurpose::AuditChain).await?;
    for attempt in 0..MAX_ATTEMPTS {
        let head = match cached.take() {
            Some(head) => head,
            None => read_head(inner).await?,
        };
        // Never earlier than the head: day partitions then follow the sequence.
        let at = inner.clock.now_epoch_s().max(head.at);
        let expires_at = at.saturating_add(inner.retention_s);
        let mut writes = Vec::with_capacity(events.len() + 2);
        let mut prev_mac = head.mac.clone();
        let mut prev_expires_at = head.expires_at;
        let mut seq = head.seq;
        for event in events {
            seq += 1;
            let mut entry = Entry {
                seq,
                at,
                expires_at,
                event: event.clone(),
                kid: kid.0,
                prev_expires_at,
                prev_mac: std::mem::take(&mut prev_mac),
                mac: Vec::new(),
            };
            entry.mac = entry.compute_mac(&key, &inner.name)?;
            prev_mac = entry.mac.clone();
            prev_expires_at = expires_at;
            writes.push(Write::Put {
                item: entry.to_item()?,
                condition: Condition::MustNotExist,
            });
        }
        let next = Head {
            seq,
            at,
            mac: prev_mac,
            expires_at,
            version: None,
        };
        let (head_item, head_condition) = head.write_after(&next);
        writes.push(Write::Put {
            item: head_item,
            condition: head_condition,
        });
        writes.push(Write::Put {
            item: day_marker(at, inner.retention_s),
            condition: Condition::None,
        });
        match inner.store.transact(writes).await {
            Ok(()) => {
                let version = head.version.map_or(1, |v| v + 1);
                *cached = Some(Head {
                    version: Some(version),
                    ..next
                });
                return Ok((head.seq + 1, at));
            }
            // Another appender moved the head (its entries may be what collided with ours):
            // chain after them instead. An entry beyond a head that did not move means the head
            // was rolled back; overwriting would fork the chain, so refuse.
            Err(StoreError::ConditionFailed { .. }) => {
                let now = read_head(inner).await?;
                if now.version == head.version {
                    return Err(CoreError::Corrupt(
                        "an operation log entry exists beyond the chain head (was the head \
                         rolled back?); run `cargo xtask audit-verify` and restore the head"
                            .into(),
                    ));
                }
                *cached = Some(now);
            }
            Err(StoreError::Conflict) => {}
            Err(error) => return Err(error.into()),
        }
        if attempt >= 2 {
            // Several processes keep colliding: spread them out a little.
            let wait_ms = rand::thread_rng().gen_range(1..=5) * u64::from(attempt.min(10));
            tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        }
    }
    Err(CoreError::Conflict(
        "the operation log head kept moving; retry the request",
    ))
}

pub(super) async fn read_head(inner: &Inner) -> Result<Head, CoreError> {
    match inner.store.get(&Head::key()).await? {
        Some(item) => Head::from_item(&item),
        None => Ok(Head::genesis()),
    }
}

/// Marks the UTC day of `at` as holding entries; it lives as long as an entry written at the
/// day's last second.
fn day_marker(at: u64, retention_s: u64) -> Item {
    let day_end = (at / 86_400 + 1) * 86_400;
    Item::new(Key::new(DAYS_PK, day_string(day_of(at))))
        .with("day", AttrValue::Bool(true))
        .expiring_at(day_end.saturating_add(retention_s))
}

/// A generous estimate of an entry's stored size.
fn approx_bytes(event: &AuditEvent) -> usize {
    let texts = event.actor.len()
        + event.source.len()
        + event.surface.len()
        + event.action.len()
        + event.request_id.len()
        + event.reason.as_ref().map_or(0, String::len);
    let lists: usize = event
        .subjects
        .iter()
        .chain(&event.fields)
        .map(|s| s.len() + 3)
        .sum();
    400 + texts + lists
}
