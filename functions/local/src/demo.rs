//! Demo data: two municipalities with a few hundred realistic, entirely synthetic target
//! persons each (families with children, the elderly, one person who moved between the two),
//! with the vaccination records their ages imply — all written through the repositories, so
//! through the encryption layer, exactly like real data.
//!
//! Deterministic: the same seed and date give the same people.

use std::path::Path;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sesshu_core::directory::{Directory, Residence};
use sesshu_core::ports::Pmh;
use sesshu_core::tenancy::Platform;
use sesshu_core::{persons, records};
use sesshu_domain::dto::MunicipalityRef;
use sesshu_domain::id::{MunicipalBusinessId, RecordId, VaccinationManagementId};
use sesshu_domain::person::{
    ChangeKind, ControlFlags, FeeExemption, KanaName, PersonName, Sex, SubjectCategory,
    TargetPerson,
};
use sesshu_domain::record::{
    DoseAmount, ImplementationCategory, Route, VaccinationKind, VaccinationRecord,
};
use sesshu_domain::{
    Gtin, InstitutionCode, MunicipalityCode, MyNumber, PmhKey, PmhPseudonym, SubjectNo,
};
use sesshu_simulators::demo_pools::{self as pools, ClinicKind, MunicipalityPool, VaccineProduct};
use sesshu_simulators::mynaportal::{DemoPrincipal, DemoResident};
use sesshu_simulators::pmh::PmhSim;
use time::{Date, Duration};

mod people;

pub use people::{DemoPerson, Household, PlannedDose, Role};

const SEED: u64 = 0x5e55_4875;
/// Households per municipality; about 2.6 persons each.
pub const HOUSEHOLDS: usize = 100;

/// What was generated: every person in plaintext (for tests that prove none of it reaches the
/// stores unencrypted) and who may log in at the Mynaportal simulator.
#[derive(Clone)]
pub struct DemoData {
    pub persons: Vec<TargetPerson>,
    pub residents: Vec<DemoResident>,
}

/// Generates and writes the demo data, and saves the demo-resident list beside the simulators'
/// state (`<sim_dir>/demo-residents.json`).
pub async fn generate(
    platform: &Platform,
    pmh: &PmhSim,
    today: Date,
    sim_dir: &Path,
) -> anyhow::Result<DemoData> {
    generate_households(platform, pmh, today, sim_dir, HOUSEHOLDS).await
}

/// As [`generate`] with `households` per municipality (with fewer than 10, some kinds of demo
/// resident may be missing).
pub async fn generate_households(
    platform: &Platform,
    pmh: &PmhSim,
    today: Date,
    sim_dir: &Path,
    households: usize,
) -> anyhow::Result<DemoData> {
    let directory = Directory::new(platform.directory_store().clone());
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut persons = Vec::new();
    let mut candidates = Vec::new();
    for pool in pools::MUNICIPALITIES {
        directory
            .put_municipality(&MunicipalityRef {
                code: pool.code.to_owned(),
                name_ja: pool.name_ja.to_owned(),
                name_en: pool.name_en.to_owned(),
            })
            .await?;
    }
    let (home, former) = (&pools::MUNICIPALITIES[0], &pools::MUNICIPALITIES[1]);
    let plans = people::plan(&mut rng, today, households);
    let mut sequences = vec![1u32; pools::MUNICIPALITIES.len()];
    for (index, (pool, households)) in pools::MUNICIPALITIES.iter().zip(plans).enumerate() {
        for household in households {
            let address = pools::address(
                pool,
                household.town,
                household.chome,
                household.banchi,
                household.go,
            );
            for member in &household.members {
                let my_number = random_my_number(&mut rng)?;
                let doses = people::doses(&mut rng, member, today);
                if let Some((moved_on, former_town)) = household.moved_in_on {
                    // Registered in the former municipality until the move, with the doses of
                    // that time; then here.
                    let (before, after): (Vec<_>, Vec<_>) =
                        doses.into_iter().partition(|d| d.date < moved_on);
                    let former_address =
                        pools::address(former, former_town, 1.min(former_town.chome), 3, 7);
                    let subject = next_subject(&mut sequences[1])?;
                    let person = register(
                        &directory,
                        pmh,
                        platform,
                        former,
                        subject,
                        member,
                        &my_number,
                        former_address,
                        Some(moved_on),
                        &before,
                        &mut rng,
                    )
                    .await?;
                    persons.push(person);
                    let subject = next_subject(&mut sequences[0])?;
                    let person = register(
                        &directory,
                        pmh,
                        platform,
                        home,
                        subject,
                        member,
                        &my_number,
                        address.clone(),
                        None,
                        &after,
                        &mut rng,
                    )
                    .await?;
                    candidates.extend(Candidate::new(
                        member,
                        &person,
                        today,
                        true,
                        before.len() + after.len(),
                    ));
                    persons.push(person);
                } else {
                    let subject = next_subject(&mut sequences[index])?;
                    let person = register(
                        &directory,
                        pmh,
                        platform,
                        pool,
                        subject,
                        member,
                        &my_number,
                        address.clone(),
                        None,
                        &doses,
                        &mut rng,
                    )
                    .await?;
                    candidates.extend(Candidate::new(member, &person, today, false, doses.len()));
                    persons.push(person);
                }
            }
        }
    }
    // Numbers allocated from now on (imports, the entry form) follow the demo's.
    for (pool, next) in pools::MUNICIPALITIES.iter().zip(&sequences) {
        let tenant = platform.tenant(&MunicipalityCode::parse(pool.code)?)?;
        sesshu_core::persons::subjects::continue_after(&tenant, *next).await?;
    }
    let residents = choose_residents(&candidates);
    let file = sim_dir.join("demo-residents.json");
    std::fs::create_dir_all(sim_dir)?;
    std::fs::write(
        &file,
        serde_json::to_vec_pretty(
            &residents
                .iter()
                .map(StoredResident::from)
                .collect::<Vec<_>>(),
        )?,
    )
    .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(DemoData { persons, residents })
}

/// The demo residents saved by [`generate`]; empty if there is no demo data.
pub fn demo_residents(sim_dir: &Path) -> anyhow::Result<Vec<DemoResident>> {
    let file = sim_dir.join("demo-residents.json");
    let Ok(bytes) = std::fs::read(&file) else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredResident> = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a demo-resident list", file.display()))?;
    stored
        .into_iter()
        .map(|s| {
            Ok(DemoResident {
                label: s.label,
                pseudonym: PmhPseudonym::parse(&s.pseudonym)?,
                pmh_key: PmhKey::parse(&s.pmh_key)?,
                name: s.name,
                principals: s
                    .principals
                    .into_iter()
                    .map(|p| {
                        Ok(DemoPrincipal {
                            label: p.label,
                            pseudonym: PmhPseudonym::parse(&p.pseudonym)?,
                            pmh_key: PmhKey::parse(&p.pmh_key)?,
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
            })
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
struct StoredResident {
    label: String,
    pseudonym: String,
    pmh_key: String,
    /// The name a proxy login sends (demo data, synthetic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    principals: Vec<StoredPrincipal>,
}

#[derive(Serialize, Deserialize)]
struct StoredPrincipal {
    label: String,
    pseudonym: String,
    pmh_key: String,
}

impl From<&DemoResident> for StoredResident {
    fn from(r: &DemoResident) -> Self {
        Self {
            label: r.label.clone(),
            pseudonym: r.pseudonym.as_str().to_owned(),
            pmh_key: r.pmh_key.as_str().to_owned(),
            name: r.name.clone(),
            principals: r
                .principals
                .iter()
                .map(|p| StoredPrincipal {
                    label: p.label.clone(),
                    pseudonym: p.pseudonym.as_str().to_owned(),
                    pmh_key: p.pmh_key.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

/// Registers one person in one municipality: PMH key from the PMH simulator (reused for the
/// same My Number), the person with its indexes, the directory entry, and the records.
#[allow(clippy::too_many_arguments)]
async fn register(
    directory: &Directory,
    pmh: &PmhSim,
    platform: &Platform,
    pool: &MunicipalityPool,
    subject_no: SubjectNo,
    member: &DemoPerson,
    my_number: &MyNumber,
    address: String,
    moved_out_on: Option<Date>,
    doses: &[PlannedDose],
    rng: &mut StdRng,
) -> anyhow::Result<TargetPerson> {
    let code = MunicipalityCode::parse(pool.code)?;
    let tenant = platform.tenant(&code)?;
    let assignment = pmh.assign_keys(std::slice::from_ref(my_number)).await?;
    let pmh_key = assignment
        .into_iter()
        .next()
        .filter(|a| &a.my_number == my_number)
        .map(|a| a.pmh_key)
        .context("PMH answered for another My Number")?;
    let person = TargetPerson {
        subject_no: subject_no.clone(),
        municipality_code: code.clone(),
        my_number: my_number.clone(),
        pmh_key: Some(pmh_key.clone()),
        pmh_pseudonym: Some(pmh.pseudonym_for(&pmh_key)),
        name: PersonName::parse(&member.name())?,
        name_kana: KanaName::parse(&member.kana())?,
        address,
        birth_date: member.birth_date,
        sex: match member.sex {
            people::Sex::Male => Sex::Male,
            people::Sex::Female => Sex::Female,
        },
        guardian_name: member
            .guardian
            .as_deref()
            .map(PersonName::parse)
            .transpose()?,
        municipal_business_id: MunicipalBusinessId::parse(&format!(
            "{:010}",
            rng.gen_range(1_000_000_000u64..9_999_999_999)
        ))?,
        change_kind: if moved_out_on.is_some() {
            ChangeKind::Delete
        } else {
            ChangeKind::New
        },
        moved_out_on,
        other_management_no: None,
        control_flags: ControlFlags::default(),
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
        link: None,
    };
    // The person, their indexes and their records in one transaction: one commit per person.
    let mut history = Vec::new();
    for dose in doses {
        history.push(vaccination_record(pool, member, dose, rng)?);
    }
    let later = history.split_off(history.len().min(persons::MAX_RECORDS_AT_REGISTRATION));
    persons::register_with(&tenant, &person, &history).await?;
    for record in &later {
        records::insert(&tenant, &subject_no, record).await?;
    }
    directory
        .record_residence(
            &pmh_key,
            &Residence {
                municipality: code,
                subject_no: subject_no.clone(),
            },
        )
        .await?;
    Ok(person)
}

fn random_my_number(rng: &mut StdRng) -> anyhow::Result<MyNumber> {
    let body: String = (0..11)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect();
    Ok(MyNumber::from_body(&body)?)
}

fn next_subject(sequence: &mut u32) -> anyhow::Result<SubjectNo> {
    let subject = SubjectNo::from_sequence(*sequence)?;
    *sequence += 1;
    Ok(subject)
}

/// A person who might be offered as a demo login.
struct Candidate {
    name: String,
    guardian: Option<String>,
    role: Role,
    age: i32,
    birth_year: i32,
    municipality: String,
    moved: bool,
    records: usize,
    pmh_key: PmhKey,
    pseudonym: PmhPseudonym,
}

impl Candidate {
    fn new(
        member: &DemoPerson,
        person: &TargetPerson,
        today: Date,
        moved: bool,
        records: usize,
    ) -> Option<Self> {
        let municipality = pools::MUNICIPALITIES
            .iter()
            .find(|p| p.code == person.municipality_code.as_str())
            .map(|p| p.name_ja.to_owned())
            .unwrap_or_default();
        Some(Self {
            name: member.name(),
            guardian: member.guardian.clone(),
            role: member.role,
            age: member.age_on(today),
            birth_year: member.birth_date.year(),
            municipality,
            moved,
            records,
            pmh_key: person.pmh_key.clone()?,
            pseudonym: person.pmh_pseudonym.clone()?,
        })
    }
}

/// A demo login to offer: municipality, who qualifies, the label's description.
type Wanted = (&'static str, fn(&Candidate) -> bool, &'static str);

/// The demo logins, in a fixed order the e2e suite relies on: residents 1 and 2 have records;
/// one resident moved between the municipalities (label contains 転居).
fn choose_residents(candidates: &[Candidate]) -> Vec<DemoResident> {
    let wanted: [Wanted; 6] = [
        (
            "千代田区",
            |c| c.role == Role::Child && (12..=17).contains(&c.age) && c.records > 0,
            "中高生",
        ),
        (
            "千代田区",
            |c| c.role == Role::Elderly && c.records > 0,
            "高齢者",
        ),
        (
            "大阪市",
            |c| c.role == Role::Child && (12..=17).contains(&c.age) && c.records > 0,
            "中高生",
        ),
        (
            "大阪市",
            |c| c.role == Role::Elderly && c.records > 0,
            "高齢者",
        ),
        // A parent whose children name them as guardian: they log in as their proxy too.
        ("千代田区", |c| c.role == Role::Parent, "保護者"),
        (
            "千代田区",
            |c| c.moved && c.role == Role::Child && c.records > 0,
            "大阪市から転居",
        ),
    ];
    let mut residents = Vec::new();
    for (municipality, matches, description) in wanted {
        let children_of = |parent: &Candidate| -> Vec<&Candidate> {
            candidates
                .iter()
                .filter(|c| {
                    c.role == Role::Child
                        && c.age < 20
                        && c.municipality == parent.municipality
                        && c.guardian.as_deref() == Some(parent.name.as_str())
                })
                .collect()
        };
        let eligible = |c: &&Candidate| {
            c.municipality == municipality
                && (c.moved == description.contains("転居"))
                && matches(c)
        };
        // The guardian login prefers a parent named as guardian (so the proxy login has
        // children); any parent otherwise.
        let found = if description == "保護者" {
            candidates
                .iter()
                .filter(eligible)
                .find(|c| !children_of(c).is_empty())
                .or_else(|| candidates.iter().find(eligible))
        } else {
            candidates.iter().find(eligible)
        };
        if let Some(c) = found {
            let principals: Vec<DemoPrincipal> = if description == "保護者" {
                children_of(c)
                    .into_iter()
                    .map(|child| DemoPrincipal {
                        label: format!("子 {}年生まれ", child.birth_year),
                        pseudonym: child.pseudonym.clone(),
                        pmh_key: child.pmh_key.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            residents.push(DemoResident {
                label: format!(
                    "デモ住民 {}（{}・{}年生まれ・{}）",
                    residents.len() + 1,
                    c.municipality,
                    c.birth_year,
                    description
                ),
                pseudonym: c.pseudonym.clone(),
                pmh_key: c.pmh_key.clone(),
                name: (!principals.is_empty()).then(|| c.name.clone()),
                principals,
            });
        }
    }
    residents
}

/// A record as a clinic would have entered it: a product of the time, a clinic of the right
/// kind, a lot number, the site and route of the product.
fn vaccination_record(
    pool: &MunicipalityPool,
    member: &DemoPerson,
    dose: &PlannedDose,
    rng: &mut StdRng,
) -> anyhow::Result<VaccinationRecord> {
    let year = u16::try_from(dose.date.year()).unwrap_or(0);
    let products: Vec<&VaccineProduct> = pools::VACCINES
        .iter()
        .filter(|p| {
            p.kind == dose.kind && p.used_from <= year && p.used_until.is_none_or(|u| year <= u)
        })
        .collect();
    let product = match products.as_slice() {
        [] => pools::VACCINES
            .iter()
            .find(|p| p.kind == dose.kind)
            .with_context(|| format!("no demo vaccine product for {}", dose.kind))?,
        some => some[rng.gen_range(0..some.len())],
    };
    let wants_child_clinic =
        member.role == Role::Child || dose.date < member.birth_date + Duration::days(18 * 365);
    let clinics: Vec<_> = pool
        .clinics
        .iter()
        .filter(|c| match c.kind {
            ClinicKind::Family => true,
            ClinicKind::Pediatrics => wants_child_clinic,
            ClinicKind::InternalMedicine => !wants_child_clinic,
        })
        .collect();
    let clinic = clinics[rng.gen_range(0..clinics.len())];
    let doctor = clinic.doctors[rng.gen_range(0..clinic.doctors.len())];
    let side = if rng.gen_bool(0.5) { "左" } else { "右" };
    let lot = format!(
        "{}{:03}{}",
        char::from(b'A' + rng.gen_range(0..26u8)),
        rng.gen_range(0..1000),
        char::from(b'A' + rng.gen_range(0..26u8))
    );
    let vaccinated_at = dose
        .date
        .with_hms(10, rng.gen_range(0..60), 0)
        .map(|t| t.assume_utc())?;
    Ok(VaccinationRecord {
        record_id: RecordId::from_u64(rng.r#gen()),
        vaccination_management_id: VaccinationManagementId::parse(&format!(
            "{}-{}",
            dose.kind, dose.dose
        ))?,
        vaccination_kind: VaccinationKind::from_code(dose.kind)
            .with_context(|| format!("unknown vaccination kind {}", dose.kind))?,
        vaccinated_on: dose.date,
        consent: true,
        institution_code: InstitutionCode::parse(clinic.institution_code)?,
        doctor_name: doctor.to_owned(),
        place: clinic.name.to_owned(),
        category: ImplementationCategory::Routine,
        dose_number: dose.dose,
        gtin: Some(Gtin::parse(product.gtin)?),
        maker: product.maker.to_owned(),
        vaccine_generic_name: product.generic_name.to_owned(),
        vaccine_common_name: product.common_name.to_owned(),
        vaccine_brand_name: product.brand_name.to_owned(),
        lot_number: lot,
        dose_amount_ml: DoseAmount::parse(product.dose_ml)?,
        site: if product.sided {
            format!("{side}{}", product.site)
        } else {
            product.site.to_owned()
        },
        route: route_of(product.route)?,
        vaccine_expiry: Some(dose.date + Duration::days(rng.gen_range(120..400))),
        caution: false,
        special_circumstances: None,
        overseas: false,
        updated_at: vaccinated_at,
        latest: true,
        deleted: false,
        subject_category: SubjectCategory::Routine,
        fee_exemption: FeeExemption::None,
    })
}

fn route_of(name_ja: &str) -> anyhow::Result<Route> {
    [
        Route::Subcutaneous,
        Route::Intramuscular,
        Route::Oral,
        Route::Percutaneous,
        Route::Intradermal,
        Route::Intranasal,
    ]
    .into_iter()
    .find(|r| r.name_ja() == name_ja)
    .with_context(|| format!("unknown route in demo pools: {name_ja}"))
}
