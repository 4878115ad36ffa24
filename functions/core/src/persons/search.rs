//! Finding people through the keyed indexes only ([`super::index`]): the search value is
//! HMAC'd with the municipality's index key and looked up; nothing is scanned or decrypted to
//! find candidates.

use sesshu_domain::id::MunicipalBusinessId;
use sesshu_domain::{MyNumber, SubjectNo};
use sesshu_store::{Query, SkRange};
use time::Date;

use crate::error::CoreError;
use crate::persons::index;
use crate::tenancy::Tenant;

/// What to search by.
#[derive(Debug, Clone)]
pub enum SearchBy {
    Subject(SubjectNo),
    BusinessId(MunicipalBusinessId),
    MyNumber(MyNumber),
    /// Exact kana, normalized.
    Kana(String),
    Birth(Date),
    KanaAndBirth(String, Date),
}

/// One page of subject numbers matching `by`, and the cursor of the next.
pub async fn subjects(
    tenant: &Tenant,
    by: &SearchBy,
    cursor: Option<String>,
    limit: usize,
) -> Result<(Vec<SubjectNo>, Option<String>), CoreError> {
    let single = |found: Option<SubjectNo>| Ok((found.into_iter().collect(), None));
    let query = match by {
        SearchBy::Subject(subject) => {
            let exists = tenant
                .store
                .get(&super::profile_key(subject))
                .await?
                .is_some();
            return single(exists.then(|| subject.clone()));
        }
        SearchBy::BusinessId(id) => {
            return single(super::find_by_business_id(tenant, id).await?);
        }
        SearchBy::MyNumber(my_number) => {
            return single(super::find_by_my_number(tenant, my_number).await?);
        }
        SearchBy::Kana(kana) => Query::partition(index::kana_partition(tenant, kana).await?),
        SearchBy::Birth(birth) => Query::partition(format!(
            "BIRTH#{}",
            index::birth_index(tenant, *birth).await?
        )),
        SearchBy::KanaAndBirth(kana, birth) => Query {
            range: SkRange::Prefix(format!("{}#", index::birth_index(tenant, *birth).await?)),
            ..Query::partition(index::kana_partition(tenant, kana).await?)
        },
    };
    let page = tenant
        .store
        .query(&query.limit(limit.max(1)).after(cursor))
        .await?;
    let subjects = page
        .items
        .iter()
        .map(|item| {
            // Kana entries are `<birth index>#<subject>`, birth entries just `<subject>`.
            let text = item.key.sk.rsplit('#').next().unwrap_or_default();
            SubjectNo::parse(text).map_err(|_| CoreError::Corrupt("search index entry".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((subjects, page.next))
}

/// Other people with the same kana and birth date as this one: possible duplicates.
pub async fn same_kana_and_birth(
    tenant: &Tenant,
    kana: &str,
    birth: Date,
    except: &SubjectNo,
) -> Result<Vec<SubjectNo>, CoreError> {
    let (found, _) = subjects(
        tenant,
        &SearchBy::KanaAndBirth(kana.to_owned(), birth),
        None,
        20,
    )
    .await?;
    Ok(found.into_iter().filter(|s| s != except).collect())
}
