//! The rule set of a municipality: the shipped defaults (version 0) until staff save their own.
//! Every saved version is kept (`RECORULES` / `V#<version>`), so what a notice was produced
//! under can be looked up; `RECORULES` / `CURRENT` is the one in force.

use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::recommendation::{RuleError, RuleSet, validate};
use sesshu_store::{AttrValue, Condition, Item, Key, StoreError, Write};
use time::OffsetDateTime;

use crate::error::CoreError;
use crate::tenancy::Tenant;

/// Rules are staff-written texts, not personal data: signed, readable.
pub const RULES_SCHEMA: Schema = Schema {
    name: "recommendation_rules",
    version: 1,
    attributes: &[
        ("rules", Protection::SignOnly),
        ("meta", Protection::SignOnly),
    ],
};

const PK: &str = "RECORULES";
const CURRENT: &str = "CURRENT";

/// Who saved a version, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedBy {
    pub user_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRules {
    pub rule_set: RuleSet,
    /// 0 for the shipped defaults.
    pub version: u64,
}

impl StoredRules {
    pub fn is_default(&self) -> bool {
        self.version == 0
    }
}

/// The shipped defaults.
pub fn defaults() -> Result<RuleSet, CoreError> {
    RuleSet::defaults().map_err(|_| CoreError::Corrupt("the default rules do not load".into()))
}

/// Every problem of `rules` (empty when it may be saved).
pub fn check(rules: &RuleSet) -> Result<Vec<RuleError>, CoreError> {
    Ok(validate(rules, crate::schedule::routine()?))
}

/// The rules in force in this municipality.
pub async fn current(tenant: &Tenant) -> Result<StoredRules, CoreError> {
    let Some(item) = tenant.store.get(&Key::new(PK, CURRENT)).await? else {
        return Ok(StoredRules {
            rule_set: defaults()?,
            version: 0,
        });
    };
    let version = item.version;
    let opened = tenant.cipher.open(&RULES_SCHEMA, item).await?;
    let text = opened
        .get("rules")
        .and_then(AttrValue::as_s)
        .ok_or_else(|| CoreError::Corrupt("recommendation rules".into()))?;
    let rule_set = serde_json::from_str(text)
        .map_err(|_| CoreError::Corrupt("recommendation rules do not decode".into()))?;
    Ok(StoredRules { rule_set, version })
}

/// Saves `rules` as the next version if `read_version` is still current. Refuses rules with
/// problems (`InvalidRules`) and a stale version (`StateConflict stale_version`).
pub async fn save(
    tenant: &Tenant,
    rules: &RuleSet,
    read_version: u64,
    user_id: &str,
    at: OffsetDateTime,
) -> Result<u64, CoreError> {
    let errors = check(rules)?;
    if !errors.is_empty() {
        return Err(CoreError::InvalidRules(errors));
    }
    let body = serde_json::to_string(rules)
        .map_err(|_| CoreError::Corrupt("recommendation rules do not encode".into()))?;
    let meta = serde_json::to_string(&SavedBy {
        user_id: user_id.to_owned(),
        at,
    })
    .map_err(|_| CoreError::Corrupt("recommendation rules do not encode".into()))?;
    let version = read_version + 1;
    let item = |sk: String| {
        Item::new(Key::new(PK, sk))
            .with("rules", AttrValue::S(body.clone()))
            .with("meta", AttrValue::S(meta.clone()))
            .with_version(version)
    };
    let current = tenant
        .cipher
        .seal(&RULES_SCHEMA, item(CURRENT.to_owned()))
        .await?;
    let kept = tenant
        .cipher
        .seal(&RULES_SCHEMA, item(format!("V#{version:010}")))
        .await?;
    let condition = if read_version == 0 {
        Condition::MustNotExist
    } else {
        Condition::VersionIs(read_version)
    };
    let writes = vec![
        Write::Put {
            item: current,
            condition,
        },
        Write::Put {
            item: kept,
            condition: Condition::MustNotExist,
        },
    ];
    match tenant.store.transact(writes).await {
        Ok(()) => Ok(version),
        Err(StoreError::ConditionFailed { .. }) => Err(CoreError::StateConflict {
            code: "stale_version",
            message: "他の職員がルールを変更しました。読み込み直してから変更してください / someone else changed the rules; reload and edit again",
        }),
        Err(other) => Err(other.into()),
    }
}
