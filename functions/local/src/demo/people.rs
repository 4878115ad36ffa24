//! Who lives where: households, ages and the doses their ages imply. Pure planning from the
//! pools, no storage.

use rand::Rng;
use rand::rngs::StdRng;
use sesshu_simulators::demo_pools::{self as pools, Name, Town};
use time::{Date, Duration, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Parent,
    Child,
    Elderly,
    Single,
}

#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub surname: Name,
    pub given: Name,
    pub sex: Sex,
    pub birth_date: Date,
    pub role: Role,
    /// The guardian's full name (kanji), for children.
    pub guardian: Option<String>,
}

impl DemoPerson {
    pub fn name(&self) -> String {
        format!("{}\u{3000}{}", self.surname.0, self.given.0)
    }

    pub fn kana(&self) -> String {
        format!("{}\u{3000}{}", self.surname.1, self.given.1)
    }

    pub fn age_on(&self, date: Date) -> i32 {
        let mut age = date.year() - self.birth_date.year();
        if (date.month() as u8, date.day()) < (self.birth_date.month() as u8, self.birth_date.day())
        {
            age -= 1;
        }
        age
    }
}

#[derive(Debug, Clone)]
pub struct Household {
    pub town: &'static Town,
    pub chome: u8,
    pub banchi: u16,
    pub go: u16,
    pub members: Vec<DemoPerson>,
    /// Set on the one household that moved from the second municipality to the first:
    /// the move date and their former address's town.
    pub moved_in_on: Option<(Date, &'static Town)>,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn birth_date(rng: &mut StdRng, today: Date, min_age: i32, max_age: i32) -> Date {
    let years = rng.gen_range(min_age..=max_age);
    let days = rng.gen_range(0..365);
    today - Duration::days(i64::from(years) * 365 + i64::from(years / 4) + days)
}

fn given_name(rng: &mut StdRng, sex: Sex, birth: Date) -> Name {
    let modern = birth.year() >= 1990;
    *match (sex, modern) {
        (Sex::Male, true) => pick(rng, pools::MALE_GIVEN_NAMES_MODERN),
        (Sex::Male, false) => pick(rng, pools::MALE_GIVEN_NAMES_CLASSIC),
        (Sex::Female, true) => pick(rng, pools::FEMALE_GIVEN_NAMES_MODERN),
        (Sex::Female, false) => pick(rng, pools::FEMALE_GIVEN_NAMES_CLASSIC),
    }
}

fn person(rng: &mut StdRng, surname: Name, sex: Sex, birth_date: Date, role: Role) -> DemoPerson {
    DemoPerson {
        surname,
        given: given_name(rng, sex, birth_date),
        sex,
        birth_date,
        role,
        guardian: None,
    }
}

fn random_sex(rng: &mut StdRng) -> Sex {
    if rng.gen_bool(0.5) {
        Sex::Male
    } else {
        Sex::Female
    }
}

fn household(rng: &mut StdRng, towns: &'static [Town], members: Vec<DemoPerson>) -> Household {
    let town = pick(rng, towns);
    Household {
        town,
        chome: if town.chome == 0 {
            0
        } else {
            rng.gen_range(1..=town.chome)
        },
        banchi: rng.gen_range(1..=u16::from(town.max_banchi.max(1))),
        go: rng.gen_range(1..=20),
        members,
        moved_in_on: None,
    }
}

/// A family: two parents and one to three children from newborn to 17, so every childhood
/// vaccination appears somewhere.
fn family(
    rng: &mut StdRng,
    today: Date,
    towns: &'static [Town],
    youngest_child_age: Option<i32>,
) -> Household {
    let surname = *pick(rng, pools::SURNAMES);
    let father = {
        let sex = Sex::Male;
        let birth = birth_date(rng, today, 30, 48);
        person(rng, surname, sex, birth, Role::Parent)
    };
    let mother = {
        let sex = Sex::Female;
        let birth = birth_date(rng, today, 28, 45);
        person(rng, surname, sex, birth, Role::Parent)
    };
    let guardian = mother.name();
    let mut members = vec![father, mother];
    for i in 0..rng.gen_range(1..=3) {
        let (min, max) = match (i, youngest_child_age) {
            (0, Some(age)) => (age, age),
            _ => (0, 17),
        };
        let sex = random_sex(rng);
        let mut child = {
            let birth = birth_date(rng, today, min, max);
            person(rng, surname, sex, birth, Role::Child)
        };
        child.guardian = Some(guardian.clone());
        members.push(child);
    }
    household(rng, towns, members)
}

fn elderly(rng: &mut StdRng, today: Date, towns: &'static [Town]) -> Household {
    let surname = *pick(rng, pools::SURNAMES);
    let mut members = vec![{
        let sex = random_sex(rng);
        let birth = birth_date(rng, today, 65, 92);
        person(rng, surname, sex, birth, Role::Elderly)
    }];
    if rng.gen_bool(0.5) {
        let sex = if members[0].sex == Sex::Male {
            Sex::Female
        } else {
            Sex::Male
        };
        members.push({
            let birth = birth_date(rng, today, 63, 90);
            person(rng, surname, sex, birth, Role::Elderly)
        });
    }
    household(rng, towns, members)
}

fn single(rng: &mut StdRng, today: Date, towns: &'static [Town]) -> Household {
    let surname = *pick(rng, pools::SURNAMES);
    let members = vec![{
        let sex = random_sex(rng);
        let birth = birth_date(rng, today, 19, 60);
        person(rng, surname, sex, birth, Role::Single)
    }];
    household(rng, towns, members)
}

/// Households per municipality, in the order of [`pools::MUNICIPALITIES`]. The first
/// household of the first municipality moved there from the second one about three years ago.
pub fn plan(rng: &mut StdRng, today: Date, households: usize) -> Vec<Vec<Household>> {
    let mut plans: Vec<Vec<Household>> = pools::MUNICIPALITIES
        .iter()
        .map(|pool| {
            (0..households)
                .map(|i| match i % 10 {
                    // Guarantee demo residents with the records of their age: a teenager first.
                    0 if i == 0 => family(rng, today, pool.towns, Some(14)),
                    0..=4 => family(rng, today, pool.towns, None),
                    5..=7 => elderly(rng, today, pool.towns),
                    _ => single(rng, today, pool.towns),
                })
                .collect()
        })
        .collect();
    let moved_on = Date::from_calendar_date(today.year() - 3, Month::April, 1).unwrap_or(today);
    let former_town = pick(rng, pools::MUNICIPALITIES[1].towns);
    let mut moved = family(rng, today, pools::MUNICIPALITIES[0].towns, Some(13));
    moved.moved_in_on = Some((moved_on, former_town));
    plans[0].insert(1, moved);
    if let Some(first) = plans
        .first_mut()
        .and_then(|households| households.first_mut())
    {
        add_toddler(first, today);
    }
    plans
}

/// The demo toddler's age in days: after the doses of the first birthday (MR, varicella and
/// the pneumococcal booster, at most 401 days with the generator's jitter) and before the
/// 五種混合 booster (456 days), so that booster is due whatever the jitter.
const TODDLER_AGE_DAYS: i64 = 410;

/// Gives the first family a toddler whose mother is the demo guardian (the first household's
/// mother is the one the proxy login is for): the infant questionnaire can then always be
/// filled in for a child of the demo parent. Drawn from no random numbers, so the households
/// planned before it stay as they were.
fn add_toddler(household: &mut Household, today: Date) {
    let Some(mother) = household
        .members
        .iter()
        .find(|m| m.role == Role::Parent && m.sex == Sex::Female)
    else {
        return;
    };
    let toddler = DemoPerson {
        surname: mother.surname,
        given: pools::FEMALE_GIVEN_NAMES_MODERN[0],
        sex: Sex::Female,
        birth_date: today - Duration::days(TODDLER_AGE_DAYS),
        role: Role::Child,
        guardian: Some(mother.name()),
    };
    household.members.push(toddler);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_first_family_has_a_toddler_due_for_the_five_in_one_booster() {
        let today = date(2026, Month::November, 26);
        let mut rng = StdRng::seed_from_u64(7);
        let plans = plan(&mut rng, today, 10);
        let first = &plans[0][0];
        let mother = first
            .members
            .iter()
            .find(|m| m.role == Role::Parent && m.sex == Sex::Female)
            .unwrap();
        let toddler = first.members.last().unwrap();
        assert_eq!(toddler.role, Role::Child);
        assert_eq!(toddler.guardian.as_deref(), Some(mother.name().as_str()));
        assert_eq!(toddler.age_on(today), 1);
        let doses = doses(&mut rng, toddler, today);
        assert!(
            !doses.iter().any(|d| d.kind == "dpt_ipv_hib" && d.dose == 4),
            "the booster is still to come"
        );
    }
}

/// A dose someone received: which vaccination, which dose, on which day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDose {
    pub kind: &'static str,
    pub dose: u8,
    pub date: Date,
}

/// The doses a person received up to `today`, following the routine schedule of their birth
/// year with a few days of jitter and the occasional missed dose (so worklists have work).
pub fn doses(rng: &mut StdRng, person: &DemoPerson, today: Date) -> Vec<PlannedDose> {
    let mut doses = Vec::new();
    let birth = person.birth_date;
    let five_in_one = birth >= date(2024, Month::February, 1);
    for &(kind, dose, age_days) in pools::SCHEDULE {
        let eligible = match kind {
            "dpt_ipv_hib" => five_in_one,
            "dpt_ipv" | "hib" => !five_in_one && birth >= date(2012, Month::August, 1),
            "pneumococcal_child" => birth >= date(2013, Month::February, 1),
            "hepatitis_b" => birth >= date(2016, Month::April, 1),
            "rotavirus" => birth >= date(2020, Month::August, 1) && dose <= 2,
            "varicella" => birth >= date(2013, Month::October, 1),
            "hpv" => person.sex == Sex::Female,
            "influenza_elderly" | "pneumococcal_elderly" | "herpes_zoster" => false,
            _ => true,
        };
        if !eligible || rng.gen_bool(0.04) {
            continue;
        }
        let day = birth + Duration::days(i64::from(age_days) + rng.gen_range(0..21));
        // Only doses of the last 15 years are in the system's era of digital records.
        if day <= today && day >= today - Duration::days(15 * 365) {
            doses.push(PlannedDose {
                kind,
                dose,
                date: day,
            });
        }
    }
    if person.role == Role::Elderly {
        for season in 0..3 {
            let year = today.year() - season - i32::from(today.month() < Month::October);
            let day = date(year, Month::October, 15) + Duration::days(rng.gen_range(0..50));
            if person.age_on(day) >= 65 && day <= today && rng.gen_bool(0.8) {
                doses.push(PlannedDose {
                    kind: "influenza_elderly",
                    dose: 1,
                    date: day,
                });
            }
        }
        let at_65 = birth + Duration::days(65 * 365 + 16 + rng.gen_range(0..120));
        if at_65 <= today && at_65 >= today - Duration::days(15 * 365) && rng.gen_bool(0.6) {
            doses.push(PlannedDose {
                kind: "pneumococcal_elderly",
                dose: 1,
                date: at_65,
            });
        }
    }
    doses
}

fn date(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}
