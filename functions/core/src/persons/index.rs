//! The items that find a person without reading personal data: keyed blind indexes (HMACs under
//! the municipality's index key, never the values) and plain listings by subject number.
//!
//! | pk | sk | finds |
//! |---|---|---|
//! | `MN#<bi(my number)>` | `MN` | the one person with this My Number (unique) |
//! | `BID#<bi(business id)>` | `BID` | the one person with this 自治体業務ID (unique) |
//! | `KANA#<bi(kana)>` | `<bi(birth date)>#<subject>` | people by exact kana, and by kana + birth date (prefix) |
//! | `BIRTH#<bi(birth date)>` | `<subject>` | people by birth date |
//! | `PMH#<pmh key>` | `PMH` | the one person with this PMH key (unique) |
//! | `PERSONS#<shard>` | `<subject>` | every person, for full exports (10 shards, so bulk writes spread) |
//!
//! Equal values share an index entry, so someone reading the raw store learns which people
//! share a kana or a birth date, never what it is; decision 0005 weighs this.

use sesshu_domain::id::MunicipalBusinessId;
use sesshu_domain::person::TargetPerson;
use sesshu_domain::{MyNumber, PmhKey, SubjectNo};
use sesshu_store::{AttrValue, Item, Key};
use time::Date;

use crate::error::CoreError;
use crate::tenancy::Tenant;

/// Blind-index domain of My Number lookups.
pub const MY_NUMBER_INDEX: &str = "my_number";
const BUSINESS_ID_INDEX: &str = "municipal_business_id";
const KANA_INDEX: &str = "name_kana";
const BIRTH_INDEX: &str = "birth_date";

/// How many listing partitions persons are spread over.
pub const SHARDS: u8 = 10;

pub(crate) async fn my_number_key(tenant: &Tenant, my_number: &MyNumber) -> Result<Key, CoreError> {
    let index = tenant
        .cipher
        .blind_index(MY_NUMBER_INDEX, my_number.expose_digits().as_bytes())
        .await?;
    Ok(Key::new(format!("MN#{index}"), "MN"))
}

pub(crate) async fn business_id_key(
    tenant: &Tenant,
    id: &MunicipalBusinessId,
) -> Result<Key, CoreError> {
    let index = tenant
        .cipher
        .blind_index(BUSINESS_ID_INDEX, id.as_str().as_bytes())
        .await?;
    Ok(Key::new(format!("BID#{index}"), "BID"))
}

pub(crate) fn pmh_key(pmh_key: &PmhKey) -> Key {
    Key::new(format!("PMH#{}", pmh_key.as_str()), "PMH")
}

/// The partition of everyone with this kana (exact, after normalization).
pub(crate) async fn kana_partition(tenant: &Tenant, kana: &str) -> Result<String, CoreError> {
    let index = tenant
        .cipher
        .blind_index(KANA_INDEX, kana.as_bytes())
        .await?;
    Ok(format!("KANA#{index}"))
}

/// The blind index of a birth date: the partition suffix of `BIRTH#` and the sort-key prefix
/// inside a kana partition.
pub(crate) async fn birth_index(tenant: &Tenant, birth_date: Date) -> Result<String, CoreError> {
    let text = sesshu_domain::iso_date::format(birth_date);
    Ok(tenant
        .cipher
        .blind_index(BIRTH_INDEX, text.as_bytes())
        .await?)
}

/// The listing shard of a subject: its last digit before the check digit, which runs evenly
/// over sequentially allocated numbers.
pub fn shard_of(subject_no: &SubjectNo) -> u8 {
    subject_no
        .as_str()
        .as_bytes()
        .get(8)
        .map_or(0, |digit| digit.saturating_sub(b'0') % SHARDS)
}

pub(crate) fn listing_key(subject_no: &SubjectNo) -> Key {
    Key::new(
        format!("PERSONS#{}", shard_of(subject_no)),
        subject_no.as_str(),
    )
}

pub(crate) fn subject_item(key: Key, subject_no: &SubjectNo) -> Item {
    Item::new(key).with("subject_no", AttrValue::S(subject_no.as_str().to_owned()))
}

/// The subject number an index item points to.
pub(crate) fn subject_of(item: Option<Item>) -> Result<Option<SubjectNo>, CoreError> {
    item.map(|item| {
        item.get("subject_no")
            .and_then(AttrValue::as_s)
            .and_then(|s| SubjectNo::parse(s).ok())
            .ok_or_else(|| CoreError::Corrupt("index item".into()))
    })
    .transpose()
}

/// Every index item of a person, unique ones first: My Number, business id, then (if any) the
/// PMH key. [`UNIQUE_INDEXES`] tells how many lead.
pub(crate) async fn items_of(
    tenant: &Tenant,
    person: &TargetPerson,
) -> Result<PersonIndexes, CoreError> {
    let subject = &person.subject_no;
    let birth = birth_index(tenant, person.birth_date).await?;
    let mut unique = vec![
        subject_item(my_number_key(tenant, &person.my_number).await?, subject),
        subject_item(
            business_id_key(tenant, &person.municipal_business_id).await?,
            subject,
        ),
    ];
    if let Some(key) = &person.pmh_key {
        unique.push(subject_item(pmh_key(key), subject));
    }
    let shared = vec![
        Item::new(Key::new(
            kana_partition(tenant, person.name_kana.as_str()).await?,
            format!("{birth}#{}", subject.as_str()),
        )),
        Item::new(Key::new(format!("BIRTH#{birth}"), subject.as_str())),
        Item::new(listing_key(subject)),
    ];
    Ok(PersonIndexes { unique, shared })
}

/// A person's index items: `unique` must not exist for anyone else (conditional on creation),
/// `shared` are entries in partitions other people also have.
#[derive(Debug, Clone)]
pub(crate) struct PersonIndexes {
    pub unique: Vec<Item>,
    pub shared: Vec<Item>,
}

impl PersonIndexes {
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.unique.iter().chain(&self.shared).map(|item| &item.key)
    }
}

/// Whether `key` is a person's listing entry. A listing entry is written before any other
/// item of its person and removed with the profile, after all others, so that an empty
/// listing means no index entry exists (see [`nobody_listed`]).
pub(crate) fn is_listing(key: &Key) -> bool {
    key.pk.starts_with("PERSONS#")
}

/// Whether no person is listed in the municipality, and so (by the order in [`is_listing`])
/// no person's index entry exists either.
pub(crate) async fn nobody_listed(tenant: &Tenant) -> Result<bool, CoreError> {
    for shard in 0..SHARDS {
        let page = tenant
            .store
            .query(&sesshu_store::Query::partition(format!("PERSONS#{shard}")).limit(1))
            .await?;
        if !page.items.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The lookup an index entry answers: the partition of a unique index (My Number, 業務ID) with
/// an empty prefix, or a kana partition with the birth-date prefix of a duplicate check.
pub(crate) fn lookup_of(key: &Key) -> Option<(&str, &str)> {
    if key.pk.starts_with("MN#") || key.pk.starts_with("BID#") {
        Some((key.pk.as_str(), ""))
    } else if key.pk.starts_with("KANA#") {
        let (birth, _subject) = key.sk.split_once('#')?;
        Some((key.pk.as_str(), birth))
    } else {
        None
    }
}
