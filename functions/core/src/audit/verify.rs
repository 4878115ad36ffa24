//! Walking the chain oldest to newest and naming the first place it breaks.

use std::collections::HashMap;

use sesshu_crypto::{CryptoError, DataKey, KeyId, KeyPurpose};
use sesshu_domain::staff::{ChainProblem, ChainReport};
use sesshu_store::{Item, Query};

use super::Inner;
use super::chain::{DAYS_PK, Entry, Head, day_of_pk, day_pk, seq_of_sk};
use crate::error::CoreError;

/// The problem kinds of [`ChainProblem::kind`].
pub(super) const EDITED: &str = "edited";
pub(super) const MISSING: &str = "missing";
pub(super) const INSERTED: &str = "inserted";
pub(super) const REORDERED: &str = "reordered";
pub(super) const TRUNCATED: &str = "truncated";

/// What the walk remembers of the previous surviving entry.
struct Previous {
    seq: u64,
    at: u64,
    expires_at: u64,
    mac: Vec<u8>,
}

struct Walk<'a> {
    inner: &'a Inner,
    now: u64,
    head: Option<Head>,
    keys: HashMap<u32, Option<DataKey>>,
    previous: Option<Previous>,
    checked: u64,
}

pub(super) async fn verify(inner: &Inner) -> Result<ChainReport, CoreError> {
    let now = inner.clock.now_epoch_s();
    let head = match inner.store.get(&Head::key()).await? {
        None => None,
        Some(item) => match Head::from_item(&item) {
            Ok(head) => Some(head),
            Err(_) => return Ok(report(0, problem(0, EDITED, "the chain head is malformed"))),
        },
    };
    let mut walk = Walk {
        inner,
        now,
        head,
        keys: HashMap::new(),
        previous: None,
        checked: 0,
    };
    let mut days_cursor = None;
    loop {
        let days = inner
            .store
            .query(&Query::partition(DAYS_PK).after(days_cursor))
            .await?;
        for marker in &days.items {
            let mut query = Query::partition(day_pk(&marker.key.sk)).limit(500);
            loop {
                let found = inner.store.query(&query).await?;
                for item in &found.items {
                    if item.is_expired(now) {
                        continue;
                    }
                    walk.checked += 1;
                    if let Some(problem) = walk.check(item).await? {
                        return Ok(report(walk.checked, problem));
                    }
                }
                match found.next {
                    Some(next) => query.cursor = Some(next),
                    None => break,
                }
            }
        }
        match days.next {
            Some(next) => days_cursor = Some(next),
            None => break,
        }
    }
    Ok(match walk.finish() {
        Some(problem) => report(walk.checked, problem),
        None => ChainReport {
            intact: true,
            entries_checked: walk.checked,
            problem: None,
        },
    })
}

impl Walk<'_> {
    /// The first problem with this entry, given everything before it.
    async fn check(&mut self, item: &Item) -> Result<Option<ChainProblem>, CoreError> {
        let expected = self.previous.as_ref().map_or(1, |p| p.seq + 1);
        let Some(position) = seq_of_sk(&item.key.sk) else {
            return Ok(Some(problem(
                expected,
                INSERTED,
                "an entry with a sort key that is not a sequence number",
            )));
        };
        let entry = match Entry::from_item(item) {
            Ok(entry) => entry,
            Err(attribute) => {
                return Ok(Some(problem(
                    position,
                    EDITED,
                    &format!("attribute {attribute} is missing or malformed"),
                )));
            }
        };
        let head_seq = self.head.as_ref().map_or(0, |h| h.seq);
        if entry.seq > head_seq {
            return Ok(Some(problem(
                entry.seq,
                INSERTED,
                &format!("the entry is beyond the chain head (seq {head_seq})"),
            )));
        }
        if let Some(previous) = &self.previous
            && entry.seq <= previous.seq
        {
            return Ok(Some(problem(
                entry.seq,
                INSERTED,
                &format!("seq {} appears again after seq {}", entry.seq, previous.seq),
            )));
        }
        if !self.mac_is_valid(&entry).await? {
            return Ok(Some(problem(
                position,
                EDITED,
                "the entry does not match its MAC",
            )));
        }
        if entry.seq != position {
            return Ok(Some(problem(
                position,
                REORDERED,
                &format!("the entry of seq {} is stored at seq {position}", entry.seq),
            )));
        }
        if day_of_pk(&item.key.pk) != Some(entry.day().as_str()) {
            return Ok(Some(problem(
                entry.seq,
                REORDERED,
                "the entry is stored under another day than its time",
            )));
        }
        match &self.previous {
            Some(previous) if entry.at < previous.at => {
                return Ok(Some(problem(
                    entry.seq,
                    REORDERED,
                    &format!("the entry is older than seq {}", previous.seq),
                )));
            }
            Some(previous) if entry.seq == previous.seq + 1 => {
                if entry.prev_mac != previous.mac || entry.prev_expires_at != previous.expires_at {
                    return Ok(Some(problem(
                        entry.seq,
                        INSERTED,
                        &format!("the entry does not link to seq {}", previous.seq),
                    )));
                }
            }
            // A gap: fine only if the entry just before it has expired (by the log's clock).
            Some(previous) => {
                if entry.prev_expires_at > self.now {
                    return Ok(Some(problem(
                        previous.seq + 1,
                        MISSING,
                        &format!(
                            "entries {} to {} are missing though they have not expired",
                            previous.seq + 1,
                            entry.seq - 1
                        ),
                    )));
                }
            }
            None if entry.seq == 1 => {
                if !entry.prev_mac.is_empty() || entry.prev_expires_at != 0 {
                    return Ok(Some(problem(
                        1,
                        INSERTED,
                        "the first entry does not start the chain",
                    )));
                }
            }
            // The oldest surviving entry: its predecessors must have expired.
            None => {
                if entry.prev_expires_at > self.now {
                    return Ok(Some(problem(
                        entry.seq - 1,
                        MISSING,
                        &format!(
                            "entries before seq {} are missing though they have not expired",
                            entry.seq
                        ),
                    )));
                }
            }
        }
        self.previous = Some(Previous {
            seq: entry.seq,
            at: entry.at,
            expires_at: entry.expires_at,
            mac: entry.mac,
        });
        Ok(None)
    }

    /// The head must name the last surviving entry, unless the newer ones expired.
    fn finish(&self) -> Option<ChainProblem> {
        let head = self.head.as_ref()?;
        let last = self.previous.as_ref().map_or(0, |p| p.seq);
        if last < head.seq {
            if head.expires_at <= self.now {
                return None;
            }
            // With no entry left, only the newest is surely missing: older ones may have expired.
            let first_missing = if last == 0 { head.seq } else { last + 1 };
            return Some(problem(
                first_missing,
                TRUNCATED,
                &format!(
                    "the chain head names seq {} but the last entry is seq {last}",
                    head.seq
                ),
            ));
        }
        match &self.previous {
            Some(previous) if previous.mac != head.mac => Some(problem(
                head.seq,
                EDITED,
                "the chain head does not match the last entry",
            )),
            _ => None,
        }
    }

    /// Checks the MAC with the key the entry names; a key id that does not exist (or does not
    /// unwrap) counts as an edit, while an unreachable keyring is an error.
    async fn mac_is_valid(&mut self, entry: &Entry) -> Result<bool, CoreError> {
        if !self.keys.contains_key(&entry.kid) {
            let key = match self
                .inner
                .cipher
                .keys()
                .key(KeyPurpose::AuditChain, KeyId(entry.kid))
                .await
            {
                Ok(key) => Some(key),
                Err(
                    CryptoError::MissingKey { .. }
                    | CryptoError::MalformedKeyItem(_)
                    | CryptoError::Keyring(sesshu_crypto::KeyringError::WrongContext),
                ) => None,
                Err(error) => return Err(error.into()),
            };
            self.keys.insert(entry.kid, key);
        }
        match self.keys.get(&entry.kid) {
            Some(Some(key)) => entry.mac_is_valid(key, &self.inner.name),
            _ => Ok(false),
        }
    }
}

fn problem(seq: u64, kind: &str, message: &str) -> ChainProblem {
    ChainProblem {
        seq,
        kind: kind.to_owned(),
        message: message.to_owned(),
    }
}

fn report(checked: u64, problem: ChainProblem) -> ChainReport {
    ChainReport {
        intact: false,
        entries_checked: checked,
        problem: Some(problem),
    }
}
