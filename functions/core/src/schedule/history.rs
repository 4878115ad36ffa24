//! A person's vaccination records as the schedule engine's history.
//!
//! A record names its vaccination kind, and a GTIN when the product was scanned. The engine
//! needs the vaccine (一般名 level), which matters where a kind has several: PCV13/15/20,
//! HPV 2価/4価/9価, rotavirus 1価/5価 follow different plans. In order:
//! 1. a GTIN the schedule knows gives its product;
//! 2. otherwise the record's generic and brand names are compared with the kind's vaccines and
//!    products (the longest common beginning, after folding full-width brackets and spaces);
//!    one clear best match gives that vaccine;
//! 3. otherwise the kind's first vaccine in use on that date is **assumed** (and said so).
//!
//! Kinds the schedule has no vaccine for count for nothing.

use sesshu_domain::record::VaccinationRecord;
use sesshu_domain::schedule::{Dose, Schedule, Vaccine};
use sesshu_domain::schedule_api::{DoseSource, HistoryDose};

/// A name match needs at least this many characters in common to count.
const MIN_MATCH_CHARS: usize = 4;

/// The doses the engine reads (current records only) and how each record was read.
pub fn doses(schedule: &Schedule, records: &[VaccinationRecord]) -> (Vec<Dose>, Vec<HistoryDose>) {
    let mut doses = Vec::with_capacity(records.len());
    let mut read = Vec::with_capacity(records.len());
    for record in records.iter().filter(|r| r.latest && !r.deleted) {
        let (dose, vaccine, source) = match resolve(schedule, record) {
            Some((dose, vaccine, source)) => (Some(dose), Some(vaccine), source),
            None => (None, None, DoseSource::NotInSchedule),
        };
        doses.extend(dose);
        read.push(HistoryDose {
            record_id: record.record_id.as_str().to_owned(),
            vaccinated_on: record.vaccinated_on,
            kind: record.vaccination_kind,
            dose_number: record.dose_number,
            vaccine,
            source,
        });
    }
    (doses, read)
}

fn resolve(schedule: &Schedule, record: &VaccinationRecord) -> Option<(Dose, String, DoseSource)> {
    let date = record.vaccinated_on;
    if let Some(gtin) = &record.gtin
        && let Some(product) = schedule.product(gtin)
    {
        return Some((
            Dose::product(date, gtin.clone()),
            product.vaccine.as_str().to_owned(),
            DoseSource::Gtin,
        ));
    }
    let candidates: Vec<&Vaccine> = schedule
        .vaccines()
        .iter()
        .filter(|v| v.kind == Some(record.vaccination_kind))
        .collect();
    let (vaccine, source) = match candidates.as_slice() {
        [] => return None,
        [only] => (*only, DoseSource::Name),
        several => match best_by_name(schedule, several, record) {
            Some(vaccine) => (vaccine, DoseSource::Name),
            None => (
                several
                    .iter()
                    .find(|v| in_use(v, date))
                    .copied()
                    .unwrap_or(several[0]),
                DoseSource::Assumed,
            ),
        },
    };
    let id = vaccine.id.as_str();
    Some((Dose::vaccine(date, id), id.to_owned(), source))
}

fn in_use(vaccine: &Vaccine, date: time::Date) -> bool {
    vaccine.use_from.is_none_or(|from| date >= from)
        && vaccine.use_until.is_none_or(|until| date <= until)
}

/// The one vaccine whose names share clearly the longest beginning with the record's names.
fn best_by_name<'s>(
    schedule: &'s Schedule,
    candidates: &[&'s Vaccine],
    record: &VaccinationRecord,
) -> Option<&'s Vaccine> {
    let generic = fold(&record.vaccine_generic_name);
    let brand = fold(&record.vaccine_brand_name);
    let mut scored: Vec<(usize, &Vaccine)> = candidates
        .iter()
        .map(|vaccine| {
            let by_generic = common_prefix(&generic, &fold(&vaccine.name_ja));
            let by_brand = schedule
                .products()
                .iter()
                .filter(|p| p.vaccine == vaccine.id)
                .map(|p| common_prefix(&brand, &fold(&p.brand_ja)))
                .max()
                .unwrap_or(0);
            (by_generic.max(by_brand), *vaccine)
        })
        .collect();
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    match scored.as_slice() {
        [(best, vaccine), rest @ ..]
            if *best >= MIN_MATCH_CHARS && rest.first().is_none_or(|(next, _)| next < best) =>
        {
            Some(*vaccine)
        }
        _ => None,
    }
}

/// Full-width brackets and spaces folded, so 「（1価）」 and 「(1価)」 compare equal.
fn fold(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use sesshu_domain::id::{RecordId, VaccinationManagementId};
    use sesshu_domain::person::{FeeExemption, SubjectCategory};
    use sesshu_domain::record::{DoseAmount, ImplementationCategory, Route, VaccinationKind};
    use sesshu_domain::{Gtin, InstitutionCode};
    use time::macros::date;

    fn record(
        kind: VaccinationKind,
        generic: &str,
        brand: &str,
        gtin: Option<&str>,
    ) -> VaccinationRecord {
        VaccinationRecord {
            record_id: RecordId::from_u64(7),
            vaccination_management_id: VaccinationManagementId::parse("x-1").unwrap(),
            vaccination_kind: kind,
            vaccinated_on: date!(2025 - 06 - 01),
            consent: true,
            institution_code: InstitutionCode::parse("0110113719").unwrap(),
            doctor_name: "d".into(),
            place: "p".into(),
            category: ImplementationCategory::Routine,
            dose_number: 1,
            gtin: gtin.map(|g| Gtin::parse(g).unwrap()),
            maker: "m".into(),
            vaccine_generic_name: generic.into(),
            vaccine_common_name: String::new(),
            vaccine_brand_name: brand.into(),
            lot_number: "l".into(),
            dose_amount_ml: DoseAmount::parse("0.5").unwrap(),
            site: "s".into(),
            route: Route::Intramuscular,
            vaccine_expiry: None,
            caution: false,
            special_circumstances: None,
            overseas: false,
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
            latest: true,
            deleted: false,
            subject_category: SubjectCategory::Routine,
            fee_exemption: FeeExemption::None,
        }
    }

    fn read(record: VaccinationRecord) -> (Option<String>, DoseSource) {
        let schedule = Schedule::routine().unwrap();
        let (_, read) = doses(schedule, &[record]);
        (read[0].vaccine.clone(), read[0].source)
    }

    #[test]
    fn a_known_gtin_names_its_product() {
        let hib = record(VaccinationKind::Hib, "", "", Some("14912345000016"));
        assert_eq!(read(hib), (Some("hib".into()), DoseSource::Gtin));
    }

    #[test]
    fn names_tell_apart_the_vaccines_of_one_kind_despite_brackets_and_suffixes() {
        let pcv13 = record(
            VaccinationKind::PneumococcalChild,
            "沈降13価肺炎球菌結合型ワクチン(無毒性変異ジフテリア毒素結合体)",
            "プレベナー13水性懸濁注",
            Some("04599999016858"),
        );
        assert_eq!(read(pcv13), (Some("pcv13".into()), DoseSource::Name));
        let rota1 = record(
            VaccinationKind::Rotavirus,
            "経口弱毒生ヒトロタウイルスワクチン",
            "ロタリックス内用液",
            None,
        );
        assert_eq!(read(rota1), (Some("rota1".into()), DoseSource::Name));
        let hpv9 = record(
            VaccinationKind::Hpv,
            "組換え沈降9価ヒトパピローマウイルス様粒子ワクチン(酵母由来)",
            "シルガード9水性懸濁筋注シリンジ",
            None,
        );
        assert_eq!(read(hpv9), (Some("hpv9".into()), DoseSource::Name));
    }

    #[test]
    fn an_undecidable_record_assumes_the_kinds_vaccine_in_use_and_says_so() {
        let hpv = record(VaccinationKind::Hpv, "HPVワクチン", "", None);
        let (vaccine, source) = read(hpv);
        assert_eq!(source, DoseSource::Assumed);
        assert!(vaccine.unwrap().starts_with("hpv"));
    }
}
