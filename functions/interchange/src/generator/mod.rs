//! Realistic, deterministic target-person files for load tests, demos and manual testing.
//!
//! Each row has a valid My Number (check digit right, unique within the file), a unique
//! 自治体業務ID, an invented name from small pools (kanji and kana; about one row in twenty
//! writes the kana, and some building names, in half-width kana to exercise normalization),
//! an address in the municipality, a birth date between 0 and 100 years before 2025-04-01
//! (mostly `YYYYMMDD`, some `YYYY/MM/DD` and era forms) and mostly 変更区分 1. With
//! `error_every = Some(k)`, every k-th row is broken in exactly one field (rotating through
//! the kinds in [`Breakage`]). The same arguments always give the same bytes.

mod pools;

use std::io::{self, Write};

use sesshu_domain::MunicipalityCode;
use sesshu_domain::MyNumber;
use sesshu_domain::person_input::PersonField;
use time::{Date, Duration, Month};

use crate::csv_out::CsvWriter;
use crate::encoding::TextEncoding;

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    /// Data rows (the header not counted).
    pub rows: u64,
    /// Rows broken on purpose.
    pub broken_rows: u64,
    /// Characters written as 〓 (none expected: the pools are CP932-safe).
    pub replaced_chars: u64,
}

/// How a broken row is broken; each breaks exactly one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// 個人番号 with the wrong check digit.
    MyNumberCheckDigit,
    /// 生年月日 that does not exist (Feb 30).
    BirthDateImpossible,
    /// 性別 3.
    SexCode,
    /// 氏名 empty.
    NameEmpty,
    /// 氏名カナ in kanji.
    KanaNotKatakana,
    /// 自治体コード of another municipality.
    OtherMunicipality,
    /// 不開示 2.
    FlagCode,
    /// 異動日 on a new row.
    MovedOutOnNewRow,
    /// 自治体業務ID with a character outside the alphabet.
    BusinessIdCharacter,
    /// 接種対象者区分 9.
    SubjectCategoryCode,
}

impl Breakage {
    /// Every kind, in rotation order.
    pub const ALL: [Self; 10] = [
        Self::MyNumberCheckDigit,
        Self::BirthDateImpossible,
        Self::SexCode,
        Self::NameEmpty,
        Self::KanaNotKatakana,
        Self::OtherMunicipality,
        Self::FlagCode,
        Self::MovedOutOnNewRow,
        Self::BusinessIdCharacter,
        Self::SubjectCategoryCode,
    ];

    /// The column the breakage is in.
    pub fn field(self) -> PersonField {
        match self {
            Self::MyNumberCheckDigit => PersonField::MyNumber,
            Self::BirthDateImpossible => PersonField::BirthDate,
            Self::SexCode => PersonField::Sex,
            Self::NameEmpty => PersonField::Name,
            Self::KanaNotKatakana => PersonField::NameKana,
            Self::OtherMunicipality => PersonField::MunicipalityCode,
            Self::FlagCode => PersonField::NonDisclosure,
            Self::MovedOutOnNewRow => PersonField::MovedOutOn,
            Self::BusinessIdCharacter => PersonField::MunicipalBusinessId,
            Self::SubjectCategoryCode => PersonField::SubjectCategory,
        }
    }

    /// The breakage of data row `index` (0-based), if it is broken.
    pub fn for_row(index: u64, error_every: Option<u64>) -> Option<Self> {
        let every = error_every.filter(|&k| k > 0)?;
        if !(index + 1).is_multiple_of(every) {
            return None;
        }
        let nth = (index + 1) / every - 1;
        Some(Self::ALL[(nth % Self::ALL.len() as u64) as usize])
    }
}

/// The date birth dates count back from, fixed so that output does not depend on the clock.
const REFERENCE_DAY: (i32, Month, u8) = (2025, Month::April, 1);
const MY_NUMBER_SPACE: u64 = 100_000_000_000;
// Odd and not a multiple of 5, so coprime to 10^11: row → body is a bijection.
const MY_NUMBER_STRIDE: u64 = 7_919_000_003;

/// Writes a header and `rows` data rows for `municipality` to `out` in `encoding`.
pub fn generate(
    rows: u64,
    municipality: &MunicipalityCode,
    seed: u64,
    error_every: Option<u64>,
    out: impl Write,
    encoding: TextEncoding,
) -> io::Result<GenerateSummary> {
    let mut csv = CsvWriter::new(out, encoding);
    csv.write_record(PersonField::ALL.map(PersonField::column_ja))?;
    let context = Context::new(municipality, seed);
    let mut row = Row::default();
    let mut summary = GenerateSummary::default();
    for index in 0..rows {
        let breakage = Breakage::for_row(index, error_every);
        row.fill(&context, index, breakage);
        csv.write_record(row.cells())?;
        summary.rows += 1;
        summary.broken_rows += u64::from(breakage.is_some());
    }
    summary.replaced_chars = csv.replaced_chars();
    csv.finish()?;
    Ok(summary)
}

struct Context {
    municipality: String,
    other_municipality: &'static str,
    prefix: String,
    towns: &'static [&'static str],
    seed: u64,
    my_number_offset: u64,
    reference: Date,
}

impl Context {
    fn new(municipality: &MunicipalityCode, seed: u64) -> Self {
        let code = municipality.as_str();
        let prefecture = pools::PREFECTURES
            .get(usize::from(municipality.prefecture()).wrapping_sub(1))
            .copied()
            .unwrap_or("");
        let (prefix, towns): (String, &'static [&'static str]) = if code == "131016" {
            ("東京都千代田区".to_owned(), &pools::CHIYODA_TOWNS)
        } else {
            (format!("{prefecture}見本市"), &pools::GENERIC_TOWNS)
        };
        Self {
            municipality: code.to_owned(),
            other_municipality: if code == "271004" { "131016" } else { "271004" },
            prefix,
            towns,
            seed,
            my_number_offset: SplitMix(seed ^ 0x6D79_6E75_6D62_6572).next() % MY_NUMBER_SPACE,
            reference: Date::from_calendar_date(REFERENCE_DAY.0, REFERENCE_DAY.1, REFERENCE_DAY.2)
                .unwrap_or(Date::MIN),
        }
    }
}

/// The cells of one row, reused from row to row.
#[derive(Default)]
struct Row {
    cells: [String; 18],
}

impl Row {
    fn cells(&self) -> &[String; 18] {
        &self.cells
    }

    fn set(&mut self, field: PersonField, value: &str) {
        let cell = &mut self.cells[field as usize];
        cell.clear();
        cell.push_str(value);
    }

    fn cell(&mut self, field: PersonField) -> &mut String {
        let cell = &mut self.cells[field as usize];
        cell.clear();
        cell
    }

    fn fill(&mut self, ctx: &Context, index: u64, breakage: Option<Breakage>) {
        use PersonField as F;
        use std::fmt::Write as _;
        let mut rng = SplitMix(
            ctx.seed
                .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        );

        let body = (index
            .wrapping_mul(MY_NUMBER_STRIDE)
            .wrapping_add(ctx.my_number_offset))
            % MY_NUMBER_SPACE;
        let my_number = my_number_text(body, breakage == Some(Breakage::MyNumberCheckDigit));
        self.set(F::MyNumber, &my_number);

        let female = rng.below(2) == 1;
        let (family, family_kana) = pools::FAMILY[rng.below(pools::FAMILY.len() as u64) as usize];
        let given_pool: &[(&str, &str)] = if female { &pools::FEMALE } else { &pools::MALE };
        let (given, given_kana) = given_pool[rng.below(given_pool.len() as u64) as usize];
        let half_width = rng.below(20) == 0;

        let name = self.cell(F::Name);
        if breakage != Some(Breakage::NameEmpty) {
            let _ = write!(name, "{family}　{given}");
        }
        let kana = self.cell(F::NameKana);
        if breakage == Some(Breakage::KanaNotKatakana) {
            let _ = write!(kana, "{family}　{given}");
        } else if half_width {
            push_half_width(kana, family_kana);
            kana.push(' ');
            push_half_width(kana, given_kana);
        } else {
            let _ = write!(kana, "{family_kana}　{given_kana}");
        }

        let age_days = rng.below(100 * 365 + 25) as i64;
        let born = ctx.reference - Duration::days(age_days);
        let birth = self.cell(F::BirthDate);
        let (y, m, d) = (born.year(), u8::from(born.month()), born.day());
        if breakage == Some(Breakage::BirthDateImpossible) {
            let _ = write!(birth, "{y:04}0230");
        } else {
            match rng.below(20) {
                0..=15 => {
                    let _ = write!(birth, "{y:04}{m:02}{d:02}");
                }
                16..=18 => {
                    let _ = write!(birth, "{y:04}/{m}/{d}");
                }
                _ => write_era(birth, born),
            }
        }

        let sex = if breakage == Some(Breakage::SexCode) {
            "3"
        } else if female {
            "2"
        } else {
            "1"
        };
        self.set(F::Sex, sex);

        let town = ctx.towns[rng.below(ctx.towns.len() as u64) as usize];
        let address = self.cell(F::Address);
        let _ = write!(
            address,
            "{}{town}{}丁目{}番{}号",
            ctx.prefix,
            1 + rng.below(5),
            1 + rng.below(20),
            1 + rng.below(15)
        );
        if rng.below(3) == 0 {
            let building = pools::BUILDINGS[rng.below(pools::BUILDINGS.len() as u64) as usize];
            address.push('　');
            if half_width {
                push_half_width(address, building);
            } else {
                address.push_str(building);
            }
            let _ = write!(address, "{town}{}", 101 + rng.below(9) * 100 + rng.below(8));
        }

        let guardian = self.cell(F::GuardianName);
        if y > REFERENCE_DAY.0 - 18 {
            let pool: &[(&str, &str)] = if rng.below(2) == 0 {
                &pools::FEMALE
            } else {
                &pools::MALE
            };
            let (parent, _) = pool[rng.below(pool.len() as u64) as usize];
            let _ = write!(guardian, "{family}　{parent}");
        }

        let municipality = if breakage == Some(Breakage::OtherMunicipality) {
            ctx.other_municipality
        } else {
            ctx.municipality.as_str()
        };
        self.set(F::MunicipalityCode, municipality);

        let business = self.cell(F::MunicipalBusinessId);
        let _ = write!(
            business,
            "{:012}",
            (ctx.seed % 1000) * 1_000_000_000 + index + 1
        );
        if breakage == Some(Breakage::BusinessIdCharacter) {
            business.push('#');
        }

        // Mostly new rows; a few updates and deletions (never for a broken row, whose breakage
        // must be the only problem).
        let change = match (breakage, rng.below(200)) {
            (Some(_), _) | (None, 0..=194) => "1",
            (None, 195..=198) => "2",
            (None, _) => "3",
        };
        self.set(F::ChangeKind, change);
        let moved = self.cell(F::MovedOutOn);
        if change == "3" || breakage == Some(Breakage::MovedOutOnNewRow) {
            let on = ctx.reference - Duration::days(rng.below(365) as i64);
            let _ = write!(
                moved,
                "{:04}{:02}{:02}",
                on.year(),
                u8::from(on.month()),
                on.day()
            );
        }
        self.set(F::MovedOutReason, if change == "3" { "1" } else { "" });

        let other = self.cell(F::OtherManagementNo);
        if rng.below(10) == 0 {
            let _ = write!(other, "K{:08}", rng.below(100_000_000));
        }
        let category = match (breakage, rng.below(100)) {
            (Some(Breakage::SubjectCategoryCode), _) => "9",
            (_, 0..=94) => "1",
            (_, 95..=96) => "2",
            (_, 97..=98) => "3",
            _ => "4",
        };
        self.set(F::SubjectCategory, category);
        let fee = match rng.below(100) {
            0..=89 => "0",
            90..=96 => "1",
            _ => "2",
        };
        self.set(F::FeeExemption, fee);
        self.set(F::Recovery, if rng.below(1000) == 0 { "1" } else { "0" });
        let non_disclosure = if breakage == Some(Breakage::FlagCode) {
            "2"
        } else if rng.below(200) == 0 {
            "1"
        } else {
            "0"
        };
        self.set(F::NonDisclosure, non_disclosure);
        self.set(
            F::ViewingSuspended,
            if rng.below(300) == 0 { "1" } else { "0" },
        );
    }
}

fn my_number_text(body: u64, break_check_digit: bool) -> String {
    let mut digits = [0u8; 11];
    let mut rest = body;
    for slot in digits.iter_mut().rev() {
        *slot = (rest % 10) as u8;
        rest /= 10;
    }
    let mut check = MyNumber::check_digit(&digits);
    if break_check_digit {
        check = (check + 1) % 10;
    }
    let mut text = String::with_capacity(12);
    text.extend(digits.iter().map(|&d| char::from(b'0' + d)));
    text.push(char::from(b'0' + check));
    text
}

fn write_era(out: &mut String, date: Date) {
    use std::fmt::Write as _;
    let (m, d) = (u8::from(date.month()), date.day());
    let start = |y, mo, da| Date::from_calendar_date(y, mo, da).unwrap_or(Date::MAX);
    let (initial, first_year) = if date >= start(2019, Month::May, 1) {
        ('R', 2019)
    } else if date >= start(1989, Month::January, 8) {
        ('H', 1989)
    } else if date >= start(1926, Month::December, 25) {
        ('S', 1926)
    } else {
        ('T', 1912)
    };
    let _ = write!(out, "{initial}{}.{m}.{d}", date.year() - first_year + 1);
}

/// Full-width katakana (U+FF66..=U+FF9D order) for the half-width conversion.
const HALF_WIDTH_ORDER: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Appends `katakana` in half-width form (ガ → ｶﾞ, パ → ﾊﾟ).
fn push_half_width(out: &mut String, katakana: &str) {
    for c in katakana.chars() {
        let (base, mark) = match c {
            'ヴ' => ('ウ', Some('\u{FF9E}')),
            'ガ' | 'ギ' | 'グ' | 'ゲ' | 'ゴ' | 'ザ' | 'ジ' | 'ズ' | 'ゼ' | 'ゾ' | 'ダ' | 'ヂ'
            | 'ヅ' | 'デ' | 'ド' | 'バ' | 'ビ' | 'ブ' | 'ベ' | 'ボ' => {
                (char::from_u32(c as u32 - 1).unwrap_or(c), Some('\u{FF9E}'))
            }
            'パ' | 'ピ' | 'プ' | 'ペ' | 'ポ' => {
                (char::from_u32(c as u32 - 2).unwrap_or(c), Some('\u{FF9F}'))
            }
            _ => (c, None),
        };
        let half = HALF_WIDTH_ORDER
            .chars()
            .position(|k| k == base)
            .and_then(|i| char::from_u32(0xFF66 + i as u32))
            .unwrap_or(base);
        out.push(half);
        if let Some(mark) = mark {
            out.push(mark);
        }
    }
}

/// SplitMix64: tiny, fast and good enough for test data; no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0); the modulo bias is irrelevant for test data.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use sesshu_domain::kana;

    #[test]
    fn half_width_conversion_round_trips_through_kana_normalize() {
        for (_, k) in pools::FAMILY
            .iter()
            .chain(&pools::MALE)
            .chain(&pools::FEMALE)
        {
            let mut half = String::new();
            push_half_width(&mut half, k);
            assert!(
                half.chars().all(|c| ('\u{FF61}'..='\u{FF9F}').contains(&c)),
                "{k}"
            );
            assert_eq!(kana::normalize(&half), *k);
        }
    }

    #[test]
    fn breakage_rotates_every_kth_row() {
        assert_eq!(Breakage::for_row(0, Some(3)), None);
        assert_eq!(Breakage::for_row(2, Some(3)), Some(Breakage::ALL[0]));
        assert_eq!(Breakage::for_row(5, Some(3)), Some(Breakage::ALL[1]));
        assert_eq!(Breakage::for_row(5, None), None);
        assert_eq!(Breakage::for_row(5, Some(0)), None);
    }

    #[test]
    fn generated_my_numbers_are_valid() {
        for body in [0, 1, 99_999_999_999, 12_345_678_901] {
            assert!(MyNumber::parse(&my_number_text(body, false)).is_ok());
            assert!(MyNumber::parse(&my_number_text(body, true)).is_err());
        }
    }
}
