use crate::api;
use crate::components::{ErrorPanel, Loading};
use crate::i18n::{
    Lang, Msg, format_category, format_date, format_dose, iso_date, use_i18n, use_page_title,
};
use crate::pages::resident::records::municipality_name;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sesshu_domain::dto::RecordDetail;

/// `/records/:id`: one vaccination in full, and the way back to the list.
#[component]
pub fn RecordPage() -> impl IntoView {
    use_page_title(Msg::RecordTitle);
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let record = LocalResource::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        async move { session.observe(api::record(&id).await) }
    });
    view! {
        {move || match record.get() {
            None => view! {
                <h1>{move || i18n.t(Msg::RecordTitle)}</h1>
                <Loading />
            }
            .into_any(),
            Some(Ok(record)) => view! { <RecordView record /> }.into_any(),
            Some(Err(error)) => view! {
                <h1>{move || i18n.t(Msg::RecordTitle)}</h1>
                <ErrorPanel error />
            }
            .into_any(),
        }}
        <nav class="actions" aria-label=move || i18n.t(Msg::RecordsTitle)>
            <a class="button button--secondary button--block" href="/records">
                {move || i18n.t(Msg::BackToRecords)}
            </a>
        </nav>
    }
}

/// The record's fields, grouped as a person asks about them: the vaccination, the vaccine
/// (lot and expiry), the clinic.
#[component]
fn RecordView(
    /// The record to show.
    record: RecordDetail,
) -> impl IntoView {
    let i18n = use_i18n();
    let RecordDetail {
        vaccinated_on,
        vaccination_name,
        vaccination_name_en,
        dose_number,
        category,
        vaccine_name,
        vaccine_generic_name,
        maker,
        lot_number,
        vaccine_expiry,
        dose_amount_ml,
        site,
        route,
        institution_code,
        place,
        doctor_name,
        overseas,
        municipality,
        ..
    } = record;
    view! {
        <p class="eyebrow">{move || i18n.t(Msg::RecordTitle)}</p>
        <h1>
            {move || match i18n.lang() {
                Lang::Ja => vaccination_name.clone(),
                Lang::En => vaccination_name_en.clone(),
            }}
        </h1>
        <section class="card" aria-labelledby="record-vaccination">
            <h2 id="record-vaccination">{move || i18n.t(Msg::SectionVaccination)}</h2>
            <dl class="facts">
                <Field label=Msg::LabelDate>
                    <time datetime=iso_date(vaccinated_on)>
                        {move || format_date(i18n.lang(), vaccinated_on)}
                    </time>
                </Field>
                <Field label=Msg::LabelDose>{move || format_dose(i18n.lang(), dose_number)}</Field>
                <Field label=Msg::LabelCategory>
                    {move || format_category(i18n.lang(), &category)}
                </Field>
                <Field label=Msg::LabelSite>{site}</Field>
                <Field label=Msg::LabelRoute>{route}</Field>
                <Field label=Msg::LabelAmount>{format!("{dose_amount_ml} mL")}</Field>
                <Field label=Msg::LabelOverseas>
                    {move || i18n.t(if overseas { Msg::Yes } else { Msg::No })}
                </Field>
                <Field label=Msg::LabelMunicipality>
                    {move || municipality_name(i18n.lang(), &municipality).to_owned()}
                </Field>
            </dl>
        </section>
        <section class="card" aria-labelledby="record-vaccine">
            <h2 id="record-vaccine">{move || i18n.t(Msg::SectionVaccine)}</h2>
            <dl class="facts">
                <Field label=Msg::LabelVaccineName>{vaccine_name}</Field>
                <Field label=Msg::LabelGenericName>{vaccine_generic_name}</Field>
                <Field label=Msg::LabelMaker>{maker}</Field>
                <Field label=Msg::LabelLot>
                    <span class="code">{lot_number}</span>
                </Field>
                {vaccine_expiry.map(|expiry| view! {
                    <Field label=Msg::LabelExpiry>
                        <time datetime=iso_date(expiry)>
                            {move || format_date(i18n.lang(), expiry)}
                        </time>
                    </Field>
                })}
            </dl>
        </section>
        <section class="card" aria-labelledby="record-clinic">
            <h2 id="record-clinic">{move || i18n.t(Msg::SectionClinic)}</h2>
            <dl class="facts">
                <Field label=Msg::LabelPlace>{place}</Field>
                <Field label=Msg::LabelInstitutionCode>
                    <span class="code">{institution_code}</span>
                </Field>
                <Field label=Msg::LabelDoctor>{doctor_name}</Field>
            </dl>
        </section>
    }
}

/// One labelled value in a description list.
#[component]
fn Field(
    /// The label, in the UI language.
    label: Msg,
    /// The value.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="facts__row">
            <dt>{move || i18n.t(label)}</dt>
            <dd>{children()}</dd>
        </div>
    }
}
