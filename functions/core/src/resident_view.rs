//! The resident's view of one person in one municipality, kept as one sealed item
//! (`P#<subject_no>` / `VIEW`): whether the person's data is hidden from residents (control
//! flags) and the summaries of their current records.
//!
//! Why: the records list is the resident surface's hottest read. Served from the profile and
//! the record items it cost one decryption per record plus one for the profile (≈ 16 per
//! request, 6 % of a bare handler's throughput); from this item it costs one.
//!
//! **Invariant:** every write that changes a person's records or control flags rewrites the
//! view in the same transaction ([`crate::records::insert`],
//! [`crate::persons::register_with`], [`crate::persons::set_control_flags`]). A person stored
//! before views existed gets one built from the profile and records on first read.

use serde::{Deserialize, Serialize};
use sesshu_crypto::{Protection, Schema};
use sesshu_domain::dto::{MunicipalityRef, RecordSummary};
use sesshu_domain::person::ControlFlags;
use sesshu_domain::record::VaccinationRecord;
use sesshu_domain::{SubjectNo, iso_date};
use sesshu_store::{AttrValue, Condition, Item, Key, StoreError, Write};
use time::Date;

use crate::error::CoreError;
use crate::records::person_pk;
use crate::tenancy::Tenant;

pub const VIEW_SCHEMA: Schema = Schema {
    name: "resident_view",
    version: 1,
    attributes: &[
        // JSON, as the first views were written; read only.
        ("view", Protection::EncryptAndSign),
        // postcard: decodes in a fraction of JSON's time on the hottest read path.
        ("view_bin", Protection::EncryptAndSign),
    ],
};

const VIEW_SK: &str = "VIEW";

pub fn view_key(subject_no: &SubjectNo) -> Key {
    Key::new(person_pk(subject_no), VIEW_SK)
}

/// What the resident surface may show of one person in one municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentView {
    /// A control flag hides the person's data from residents (e.g. 不開示).
    pub hidden: bool,
    /// Current records (latest version, not deleted), newest vaccination first.
    pub records: Vec<ViewEntry>,
}

/// One record as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewEntry {
    pub record_id: String,
    #[serde(with = "iso_date")]
    pub vaccinated_on: Date,
    pub vaccination_name: String,
    pub vaccination_name_en: String,
    pub dose_number: u8,
    pub vaccine_name: String,
}

impl ViewEntry {
    fn of(record: &VaccinationRecord) -> Self {
        Self {
            record_id: record.record_id.as_str().to_owned(),
            vaccinated_on: record.vaccinated_on,
            vaccination_name: record.vaccination_name(),
            vaccination_name_en: record.vaccination_kind.display_name_en(record.dose_number),
            dose_number: record.dose_number,
            vaccine_name: record.vaccine_brand_name.clone(),
        }
    }

    /// The list entry with the id and municipality the resident sees.
    pub fn into_summary(self, id: String, municipality: MunicipalityRef) -> RecordSummary {
        RecordSummary {
            id,
            vaccinated_on: self.vaccinated_on,
            vaccination_name: self.vaccination_name,
            vaccination_name_en: self.vaccination_name_en,
            dose_number: self.dose_number,
            vaccine_name: self.vaccine_name,
            municipality,
        }
    }
}

impl ResidentView {
    /// The view of a person with these flags and records (any order, any state).
    pub fn build<'a>(
        flags: &ControlFlags,
        records: impl IntoIterator<Item = &'a VaccinationRecord>,
    ) -> Self {
        let mut view = Self {
            hidden: flags.hides_from_resident(),
            records: Vec::new(),
        };
        for record in records {
            view.add(record);
        }
        view
    }

    /// Adds (or replaces) a record's entry; a deleted or superseded record removes it.
    pub fn add(&mut self, record: &VaccinationRecord) {
        self.records
            .retain(|entry| entry.record_id != record.record_id.as_str());
        if record.latest && !record.deleted {
            self.records.push(ViewEntry::of(record));
        }
        self.records.sort_by(|a, b| {
            b.vaccinated_on
                .cmp(&a.vaccinated_on)
                .then_with(|| b.dose_number.cmp(&a.dose_number))
                .then_with(|| a.record_id.cmp(&b.record_id))
        });
    }
}

/// The view and its store version, if stored.
pub async fn get(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Option<(ResidentView, u64)>, CoreError> {
    let Some(item) = tenant.store.get(&view_key(subject_no)).await? else {
        return Ok(None);
    };
    let version = item.version;
    let opened = tenant.cipher.open(&VIEW_SCHEMA, item).await?;
    let view = if let Some(bytes) = opened.get("view_bin").and_then(AttrValue::as_b) {
        postcard::from_bytes(bytes)
            .map_err(|_| CoreError::Corrupt("resident view does not decode".into()))?
    } else {
        let body = opened
            .get("view")
            .and_then(AttrValue::as_s)
            .ok_or_else(|| CoreError::Corrupt("resident view body".into()))?;
        serde_json::from_str(body)
            .map_err(|_| CoreError::Corrupt("resident view does not decode".into()))?
    };
    Ok(Some((view, version)))
}

/// The write that stores `view`, replacing the version read (`None`: there was none).
pub async fn put_write(
    tenant: &Tenant,
    subject_no: &SubjectNo,
    view: &ResidentView,
    read_version: Option<u64>,
) -> Result<Write, CoreError> {
    let body = postcard::to_allocvec(view)
        .map_err(|_| CoreError::Corrupt("resident view does not encode".into()))?;
    let item = Item::new(view_key(subject_no)).with("view_bin", AttrValue::B(body));
    let sealed = tenant.cipher.seal(&VIEW_SCHEMA, item).await?;
    Ok(match read_version {
        Some(version) => Write::Put {
            item: sealed.with_version(version + 1),
            condition: Condition::VersionIs(version),
        },
        None => Write::Put {
            item: sealed,
            condition: Condition::MustNotExist,
        },
    })
}

/// The view of a person for the resident surface; `None` if the municipality holds no such
/// person. Builds and stores the view of a person stored before views existed.
pub async fn load(
    tenant: &Tenant,
    subject_no: &SubjectNo,
) -> Result<Option<ResidentView>, CoreError> {
    if let Some((view, _)) = get(tenant, subject_no).await? {
        return Ok(Some(view));
    }
    let Some((person, _)) = crate::persons::get(tenant, subject_no).await? else {
        return Ok(None);
    };
    let records = crate::records::list(tenant, subject_no).await?;
    let view = ResidentView::build(&person.control_flags, &records);
    let write = put_write(tenant, subject_no, &view, None).await?;
    match tenant.store.transact(vec![write]).await {
        // Another request built it first: theirs is as good as ours.
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(Some(view)),
        Err(other) => Err(other.into()),
    }
}
