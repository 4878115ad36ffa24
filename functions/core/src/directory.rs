//! The platform directory: which municipalities exist, which Mynaportal pseudonym is linked to
//! which PMH key, and which municipalities hold a person with that PMH key.
//!
//! It holds no personal data: only pseudonymous national ids, our internal subject numbers and
//! municipality names.

use std::sync::Arc;

use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::{MunicipalityCode, PmhKey, PmhPseudonym, SubjectNo};
use sesshu_store::{AttrValue, BatchWrite, Condition, Item, Key, Query, Store, StoreError};

use crate::error::CoreError;

const MUNICIPALITIES_PK: &str = "MUNICIPALITIES";

/// Where a person with a given PMH key is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residence {
    pub municipality: MunicipalityCode,
    pub subject_no: SubjectNo,
}

#[derive(Clone)]
pub struct Directory {
    store: Arc<dyn Store>,
}

impl Directory {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Registers (or renames) a municipality. Idempotent.
    pub async fn put_municipality(&self, municipality: &MunicipalityRef) -> Result<(), CoreError> {
        let code = MunicipalityCode::parse(&municipality.code)
            .map_err(|e| CoreError::Invalid(format!("municipality code: {e}")))?;
        let item = Item::new(Key::new(MUNICIPALITIES_PK, code.as_str()))
            .with("name_ja", AttrValue::S(municipality.name_ja.clone()))
            .with("name_en", AttrValue::S(municipality.name_en.clone()));
        self.store.put(item, Condition::None).await?;
        Ok(())
    }

    pub async fn municipality(
        &self,
        code: &MunicipalityCode,
    ) -> Result<Option<MunicipalityRef>, CoreError> {
        let item = self
            .store
            .get(&Key::new(MUNICIPALITIES_PK, code.as_str()))
            .await?;
        item.map(|item| municipality_from(&item)).transpose()
    }

    pub async fn municipalities(&self) -> Result<Vec<MunicipalityRef>, CoreError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .query(&Query::partition(MUNICIPALITIES_PK).after(cursor))
                .await?;
            for item in &page.items {
                all.push(municipality_from(item)?);
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Records that the person with `pmh_key` is registered in `residence.municipality`.
    /// Idempotent; a person who moved has one entry per municipality.
    pub async fn record_residence(
        &self,
        pmh_key: &PmhKey,
        residence: &Residence,
    ) -> Result<(), CoreError> {
        let item = Item::new(residence_key(pmh_key, &residence.municipality)).with(
            "subject_no",
            AttrValue::S(residence.subject_no.as_str().to_owned()),
        );
        self.store.put(item, Condition::None).await?;
        Ok(())
    }

    /// [`Self::record_residence`] for many people in one bulk write (e.g. a PMH key batch).
    /// Idempotent, so a batch cut short is simply written again.
    pub async fn record_residences(
        &self,
        residences: &[(PmhKey, Residence)],
    ) -> Result<(), CoreError> {
        let mut writes: Vec<BatchWrite> = Vec::with_capacity(residences.len());
        let mut seen = std::collections::BTreeSet::new();
        for (pmh_key, residence) in residences {
            let key = residence_key(pmh_key, &residence.municipality);
            // A batch may name each key once; the same pair twice is the same entry.
            if seen.insert(key.clone()) {
                writes.push(BatchWrite::Put(Item::new(key).with(
                    "subject_no",
                    AttrValue::S(residence.subject_no.as_str().to_owned()),
                )));
            }
        }
        if !writes.is_empty() {
            self.store.write_batch(writes).await?;
        }
        Ok(())
    }

    pub async fn remove_residence(
        &self,
        pmh_key: &PmhKey,
        municipality: &MunicipalityCode,
    ) -> Result<(), CoreError> {
        self.store
            .delete(&residence_key(pmh_key, municipality), Condition::None)
            .await?;
        Ok(())
    }

    /// Every municipality holding a person with this PMH key, in code order.
    pub async fn residences(&self, pmh_key: &PmhKey) -> Result<Vec<Residence>, CoreError> {
        let page = self
            .store
            .query(&Query::prefix(format!("PMHKEY#{}", pmh_key.as_str()), "T#").limit(100))
            .await?;
        page.items
            .iter()
            .map(|item| {
                let code = item.key.sk.trim_start_matches("T#");
                let municipality = MunicipalityCode::parse(code)
                    .map_err(|_| CoreError::Corrupt("residence municipality".into()))?;
                let subject_no = item
                    .get("subject_no")
                    .and_then(AttrValue::as_s)
                    .and_then(|s| SubjectNo::parse(s).ok())
                    .ok_or_else(|| CoreError::Corrupt("residence subject".into()))?;
                Ok(Residence {
                    municipality,
                    subject_no,
                })
            })
            .collect()
    }

    /// Links a Mynaportal pseudonym to the PMH key handed over on first use. Linking the same
    /// pair again is a no-op; a pseudonym already linked to another key is refused.
    pub async fn link_pseudonym(
        &self,
        pseudonym: &PmhPseudonym,
        pmh_key: &PmhKey,
    ) -> Result<(), CoreError> {
        let item = Item::new(pseudonym_key(pseudonym))
            .with("pmh_key", AttrValue::S(pmh_key.as_str().to_owned()));
        match self.store.put(item, Condition::MustNotExist).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { .. }) => match self.linked_key(pseudonym).await? {
                Some(existing) if &existing == pmh_key => {}
                _ => {
                    return Err(CoreError::Conflict(
                        "pseudonym is linked to another PMH key",
                    ));
                }
            },
            Err(e) => return Err(e.into()),
        }
        // The way back, for notices to Mynaportal (which addresses residents by pseudonym).
        let back = Item::new(pseudonym_of_key(pmh_key))
            .with("pseudonym", AttrValue::S(pseudonym.as_str().to_owned()));
        self.store.put(back, Condition::None).await?;
        Ok(())
    }

    /// The Mynaportal pseudonym linked to a PMH key, once the resident has logged in. (Links
    /// made before this way back was written have none; their notices wait as for a resident
    /// who never logged in.)
    pub async fn pseudonym_of(&self, pmh_key: &PmhKey) -> Result<Option<PmhPseudonym>, CoreError> {
        let Some(item) = self.store.get(&pseudonym_of_key(pmh_key)).await? else {
            return Ok(None);
        };
        item.get("pseudonym")
            .and_then(AttrValue::as_s)
            .and_then(|s| PmhPseudonym::parse(s).ok())
            .map(Some)
            .ok_or_else(|| CoreError::Corrupt("pseudonym link".into()))
    }

    pub async fn linked_key(&self, pseudonym: &PmhPseudonym) -> Result<Option<PmhKey>, CoreError> {
        let Some(item) = self.store.get(&pseudonym_key(pseudonym)).await? else {
            return Ok(None);
        };
        let key = item
            .get("pmh_key")
            .and_then(AttrValue::as_s)
            .and_then(|s| PmhKey::parse(s).ok())
            .ok_or_else(|| CoreError::Corrupt("pseudonym link".into()))?;
        Ok(Some(key))
    }
}

fn residence_key(pmh_key: &PmhKey, municipality: &MunicipalityCode) -> Key {
    Key::new(
        format!("PMHKEY#{}", pmh_key.as_str()),
        format!("T#{}", municipality.as_str()),
    )
}

fn pseudonym_of_key(pmh_key: &PmhKey) -> Key {
    Key::new(format!("PMHKEY#{}", pmh_key.as_str()), "PSEUDO")
}

fn pseudonym_key(pseudonym: &PmhPseudonym) -> Key {
    Key::new(format!("PSEUDO#{}", pseudonym.as_str()), "LINK")
}

fn municipality_from(item: &Item) -> Result<MunicipalityRef, CoreError> {
    let text = |name: &str| {
        item.get(name)
            .and_then(AttrValue::as_s)
            .map(str::to_owned)
            .ok_or_else(|| CoreError::Corrupt(format!("municipality {name}")))
    };
    Ok(MunicipalityRef {
        code: item.key.sk.clone(),
        name_ja: text("name_ja")?,
        name_en: text("name_en")?,
    })
}
