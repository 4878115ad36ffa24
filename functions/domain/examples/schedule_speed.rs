//! How fast the schedule engine evaluates a municipality's population.
//!
//! Builds synthetic persons of every age with the doses a typical child or older person has
//! (products by GTIN and by vaccine id), then times `evaluate_many` on one thread and on two.
//!
//! ```text
//! cargo run --release -p sesshu-domain --example schedule_speed -- 200000
//! ```

use std::error::Error;
use std::time::Instant;

use sesshu_domain::Gtin;
use sesshu_domain::person::Sex;
use sesshu_domain::schedule::{Dose, Given, Schedule, Status, Subject, evaluate_many};
use time::{Date, Duration, macros::date};

const ON: Date = date!(2026 - 04 - 01);

/// A tiny deterministic generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn person(rng: &mut Rng, products: &[Gtin]) -> (Subject, Vec<Dose>) {
    let birth = date!(1930 - 01 - 01) + Duration::days(rng.below(96 * 365) as i64);
    let sex = if rng.below(2) == 0 {
        Sex::Male
    } else {
        Sex::Female
    };
    let mut history = Vec::new();
    let mut give = |days: i64, given: Given| {
        let date = birth + Duration::days(days);
        if date <= ON {
            history.push(Dose { date, given });
        }
    };
    let by_id = |id: &str| Given::Vaccine(id.to_owned());
    // Children: the usual infant series, with some jitter and some gaps.
    if birth > date!(2012 - 01 - 01) {
        let jitter = rng.below(20) as i64;
        for (i, age) in [61, 92, 120, 400].into_iter().enumerate() {
            if rng.below(10) > 0 {
                give(age + jitter, Given::Product(products[i % 2].clone()));
                give(age + jitter, by_id("pcv20"));
            }
        }
        for age in [61, 92, 200] {
            give(age + jitter, by_id("hepb"));
        }
        give(160 + jitter, by_id("bcg"));
        give(370 + jitter, by_id("mr"));
        give(370 + jitter, by_id("varicella_live"));
        give(560 + jitter, by_id("varicella_live"));
        give(1100 + jitter, by_id("je"));
        give(1110 + jitter, by_id("je"));
        give(1480 + jitter, by_id("je"));
        give(2300 + jitter, by_id("mr"));
    }
    // Older people: influenza most years, COVID-19 some years.
    if birth < date!(1962 - 01 - 01) {
        for year in 2015..=2025 {
            if rng.below(3) > 0 {
                let date = Date::from_calendar_date(year, time::Month::November, 10).unwrap_or(ON);
                history.push(Dose::vaccine(date, "influenza"));
            }
        }
        if rng.below(2) == 0 {
            history.push(Dose::vaccine(date!(2025 - 11 - 20), "covid19"));
        }
    }
    (Subject::new(birth, sex), history)
}

fn main() -> Result<(), Box<dyn Error>> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200_000);
    let schedule = Schedule::routine()?;
    let products = vec![
        Gtin::parse("14912345000078")?, // ゴービック (sample GTIN)
        Gtin::parse("14912345000085")?, // クイントバック (sample GTIN)
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let people: Vec<(Subject, Vec<Dose>)> =
        (0..count).map(|_| person(&mut rng, &products)).collect();
    let doses: usize = people.iter().map(|(_, h)| h.len()).sum();
    println!(
        "{count} persons, {doses} doses, {} series each",
        schedule.series().count()
    );

    // One thread.
    let started = Instant::now();
    let mut due = 0usize;
    let mut errors = 0usize;
    evaluate_many(
        schedule,
        ON,
        people.iter().map(|(p, h)| (p, h.as_slice())),
        |_, result| match result {
            Ok(statuses) => {
                due += statuses
                    .iter()
                    .filter(|s| matches!(s.status, Status::DueNow | Status::Overdue))
                    .count();
            }
            Err(_) => errors += 1,
        },
    );
    let one = started.elapsed();
    println!(
        "1 thread:  {:.2} s ({:.0} persons/s; 1,000,000 persons ≈ {:.1} s); {due} due or overdue, {errors} errors",
        one.as_secs_f64(),
        count as f64 / one.as_secs_f64(),
        one.as_secs_f64() * 1_000_000.0 / count as f64
    );

    // Two threads, half each.
    let started = Instant::now();
    let (left, right) = people.split_at(people.len() / 2);
    std::thread::scope(|scope| {
        for half in [left, right] {
            scope.spawn(move || {
                let mut n = 0usize;
                evaluate_many(
                    schedule,
                    ON,
                    half.iter().map(|(p, h)| (p, h.as_slice())),
                    |_, result| n += usize::from(result.is_ok()),
                );
                n
            });
        }
    });
    let two = started.elapsed();
    println!(
        "2 threads: {:.2} s ({:.0} persons/s; 1,000,000 persons ≈ {:.1} s)",
        two.as_secs_f64(),
        count as f64 / two.as_secs_f64(),
        two.as_secs_f64() * 1_000_000.0 / count as f64
    );
    Ok(())
}
