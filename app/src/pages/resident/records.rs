use crate::api;
use crate::components::{ErrorPanel, Loading};
use crate::i18n::{Lang, Msg, format_date, format_dose, iso_date, use_i18n, use_page_title};
use crate::session::use_session;
use leptos::prelude::*;
use sesshu_domain::dto::{MunicipalityRef, RecordSummary};

/// `/records`: the resident's vaccinations, newest first; each row links to its details.
#[component]
pub fn RecordsPage() -> impl IntoView {
    use_page_title(Msg::RecordsTitle);
    let i18n = use_i18n();
    let session = use_session();
    let records = LocalResource::new(move || async move {
        session.observe(api::records().await).map(|mut list| {
            newest_first(&mut list.records);
            list
        })
    });
    view! {
        <h1>{move || i18n.t(Msg::RecordsTitle)}</h1>
        {move || match records.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Ok(list)) if list.records.is_empty() => {
                view! { <p class="lead">{move || i18n.t(Msg::NoRecords)}</p> }.into_any()
            }
            Some(Ok(list)) => view! {
                <p class="lead">{move || i18n.t(Msg::RecordsLead)}</p>
                <ul class="record-list">
                    {list
                        .records
                        .into_iter()
                        .map(|record| view! { <RecordRow record /> })
                        .collect_view()}
                </ul>
            }
            .into_any(),
            Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
        }}
    }
}

/// One vaccination as a large tappable row: date, what, which dose, which municipality.
#[component]
fn RecordRow(
    /// The vaccination to show.
    record: RecordSummary,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/records/{}", api::encode_path_segment(&record.id));
    let date = record.vaccinated_on;
    let dose = record.dose_number;
    let municipality = record.municipality;
    let (name_ja, name_en) = (record.vaccination_name, record.vaccination_name_en);
    view! {
        <li class="record-list__item">
            <a class="record-card" href=href>
                <time class="record-card__date" datetime=iso_date(date)>
                    {move || format_date(i18n.lang(), date)}
                </time>
                <span class="record-card__name">
                    {move || match i18n.lang() {
                        Lang::Ja => name_ja.clone(),
                        Lang::En => name_en.clone(),
                    }}
                </span>
                <span class="record-card__meta">
                    <span class="tag">{move || format_dose(i18n.lang(), dose)}</span>
                    <span>{move || municipality_name(i18n.lang(), &municipality).to_owned()}</span>
                </span>
            </a>
        </li>
    }
}

/// The municipality's name in the UI language.
pub fn municipality_name(lang: Lang, municipality: &MunicipalityRef) -> &str {
    match lang {
        Lang::Ja => &municipality.name_ja,
        Lang::En => &municipality.name_en,
    }
}

/// Sorts newest first, keeping the server's order among records of the same day. The server
/// already sends them so; sorting again costs nothing and keeps the promise if it ever does not.
fn newest_first(records: &mut [RecordSummary]) {
    records.sort_by_key(|record| std::cmp::Reverse(record.vaccinated_on));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use time::macros::date;

    fn summary(id: &str, vaccinated_on: time::Date) -> RecordSummary {
        RecordSummary {
            id: id.to_owned(),
            vaccinated_on,
            vaccination_name: "麻しん風しん".to_owned(),
            vaccination_name_en: "Measles-rubella".to_owned(),
            dose_number: 1,
            vaccine_name: "ミールビック".to_owned(),
            municipality: MunicipalityRef {
                code: "131016".to_owned(),
                name_ja: "千代田区".to_owned(),
                name_en: "Chiyoda City".to_owned(),
            },
        }
    }

    #[test]
    fn records_are_ordered_newest_first_keeping_same_day_order() {
        let mut records = vec![
            summary("old", date!(2020 - 01 - 01)),
            summary("new-a", date!(2024 - 04 - 01)),
            summary("mid", date!(2022 - 06 - 15)),
            summary("new-b", date!(2024 - 04 - 01)),
        ];
        newest_first(&mut records);
        let ids: Vec<_> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["new-a", "new-b", "mid", "old"]);
    }

    #[test]
    fn municipality_names_follow_the_language() {
        let record = summary("x", date!(2024 - 04 - 01));
        assert_eq!(
            municipality_name(Lang::Ja, &record.municipality),
            "千代田区"
        );
        assert_eq!(
            municipality_name(Lang::En, &record.municipality),
            "Chiyoda City"
        );
    }
}
