//! Text normalization before validation, so that what a keyboard, a spreadsheet or a legacy
//! system produced in full-width or half-width form means the same thing.
//!
//! - Code fields (My Number, codes, dates, ids, enumerations): full-width ASCII (０-９, Ａ-Ｚ,
//!   ａ-ｚ, symbols) and the full-width space become half-width; dash look-alikes (‐ – — ― − ー ｰ)
//!   become `-`; the ends are trimmed.
//! - Free text (names, address): half-width katakana becomes full-width (hiragana, kanji and
//!   full-width digits stay as typed); runs of spaces (half- or full-width) become one full-width
//!   space; the ends are trimmed.
//!
//! Both are idempotent.

use std::borrow::Cow;

use crate::kana;

/// Normalizes a code field as described in the module docs.
pub fn code(raw: &str) -> Cow<'_, str> {
    let trimmed = raw.trim_matches(is_space);
    if trimmed.is_ascii() {
        return Cow::Borrowed(trimmed);
    }
    let mut out: String = trimmed.chars().map(to_half_width).collect();
    let end = out.trim_end_matches(is_space).len();
    out.truncate(end);
    let start = out.len() - out.trim_start_matches(is_space).len();
    out.drain(..start);
    Cow::Owned(out)
}

/// Normalizes free text as described in the module docs.
pub fn free_text(raw: &str) -> Cow<'_, str> {
    let widened = kana::widen_half_width_katakana(raw);
    if !needs_space_collapse(&widened) {
        return widened;
    }
    let mut out = String::with_capacity(widened.len());
    for part in widened.split(is_space).filter(|part| !part.is_empty()) {
        if !out.is_empty() {
            out.push(kana::NAME_SPACE);
        }
        out.push_str(part);
    }
    Cow::Owned(out)
}

fn needs_space_collapse(s: &str) -> bool {
    let mut previous_space = true; // a leading space needs trimming
    for c in s.chars() {
        let space = is_space(c);
        if space && (previous_space || c != kana::NAME_SPACE) {
            return true;
        }
        previous_space = space;
    }
    previous_space && !s.is_empty()
}

fn is_space(c: char) -> bool {
    c == ' ' || c == kana::NAME_SPACE
}

fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF70}' => '-',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_fields_become_half_width_and_trimmed() {
        assert_eq!(code(" １２３４ "), "1234");
        assert_eq!(code("\u{3000}２０２４ー０４－０１\u{3000}"), "2024-04-01");
        assert_eq!(code("ＡＢｃ＿１"), "ABc_1");
        assert!(matches!(code("131016"), Cow::Borrowed(_)));
    }

    #[test]
    fn free_text_widens_kana_and_collapses_spaces() {
        assert_eq!(
            free_text("  東京都 千代田区\u{3000}\u{3000}ｺｰﾎﾟ  101 "),
            "東京都　千代田区　コーポ　101"
        );
        assert!(matches!(free_text("東京都　千代田区"), Cow::Borrowed(_)));
        assert_eq!(free_text(" "), "");
    }
}
