//! Kana normalization for names (フリガナ): whatever keyboard or legacy system produced the text,
//! one spelling comes out, so that search, deduplication and display agree.
//!
//! [`normalize`] turns half-width katakana (ｶﾞｯｺｳ) into full-width (ガッコウ), composes voiced and
//! semi-voiced marks with the preceding kana (カ + ゛ → ガ), turns hiragana into katakana (the
//! form 住民記録 systems use for フリガナ), and collapses runs of spaces (half- or full-width) into
//! one full-width space, trimming both ends. It is idempotent: normalizing twice changes nothing.

/// Full-width forms of U+FF61..=U+FF9F, in code-point order.
const HALF_WIDTH_TO_FULL: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";

const VOICED_MARKS: [char; 2] = ['\u{309B}', '\u{3099}'];
const SEMI_VOICED_MARKS: [char; 2] = ['\u{309C}', '\u{309A}'];

/// The separator between family and given name after normalization.
pub const NAME_SPACE: char = '\u{3000}';

/// Normalizes kana text as described in the module docs.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(NAME_SPACE);
            pending_space = false;
        }
        let c = to_full_width_katakana(c);
        let composed = out.chars().next_back().and_then(|prev| compose(prev, c));
        match composed {
            Some(combined) => {
                out.pop();
                out.push(combined);
            }
            None => out.push(c),
        }
    }
    out
}

/// Turns half-width katakana (ｶﾞｯｺｳ) into full-width (ガッコウ) and leaves everything else alone:
/// for free text such as kanji names and addresses, where hiragana and spaces must stay as typed.
/// A half-width voiced mark combines with the kana before it when a combined form exists.
/// Idempotent; borrows when there is nothing to widen.
pub fn widen_half_width_katakana(s: &str) -> std::borrow::Cow<'_, str> {
    // Half-width katakana are U+FF61..U+FF9F, whose UTF-8 starts with 0xEF: a byte scan rules
    // most text out quickly.
    if !s.bytes().any(|b| b == 0xEF) || !s.chars().any(is_half_width_katakana) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !is_half_width_katakana(c) {
            out.push(c);
            continue;
        }
        let wide = to_full_width_katakana(c);
        let composed = match c {
            '\u{FF9E}' | '\u{FF9F}' => out.chars().next_back().and_then(|prev| compose(prev, wide)),
            _ => None,
        };
        if let Some(combined) = composed {
            out.pop();
            out.push(combined);
        } else {
            out.push(wide);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_half_width_katakana(c: char) -> bool {
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

fn is_space(c: char) -> bool {
    c == ' ' || c == NAME_SPACE || c == '\t'
}

fn to_full_width_katakana(c: char) -> char {
    match c {
        '\u{FF61}'..='\u{FF9F}' => {
            let index = c as usize - 0xFF61;
            HALF_WIDTH_TO_FULL.chars().nth(index).unwrap_or(c)
        }
        // ぁ..ゖ and ゝゞ sit exactly 0x60 below their katakana.
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
            char::from_u32(c as u32 + 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

/// The single character for `base` followed by a (semi-)voiced mark, if there is one.
fn compose(base: char, mark: char) -> Option<char> {
    let b = base as u32;
    if VOICED_MARKS.contains(&mark) {
        let composed = match base {
            // カ..ト (except the small ッ) and ハ..ホ: the voiced form is the next code point.
            'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
            | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => b + 1,
            'ウ' => 'ヴ' as u32,
            'ワ' => 'ヷ' as u32,
            'ヰ' => 'ヸ' as u32,
            'ヱ' => 'ヹ' as u32,
            'ヲ' => 'ヺ' as u32,
            'ヽ' => 'ヾ' as u32,
            _ => return None,
        };
        char::from_u32(composed)
    } else if SEMI_VOICED_MARKS.contains(&mark) {
        match base {
            'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(b + 2),
            _ => None,
        }
    } else {
        None
    }
}

/// Whether `c` may appear in a normalized kana name: full-width katakana, the long vowel mark
/// ー, the middle dot ・ (foreign names such as ジョン・スミス) and the full-width space.
pub fn is_name_kana(c: char) -> bool {
    matches!(
        c,
        '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | 'ヽ' | 'ヾ' | NAME_SPACE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_covers_every_half_width_katakana() {
        assert_eq!(HALF_WIDTH_TO_FULL.chars().count(), 0xFF9F - 0xFF61 + 1);
    }

    #[test]
    fn converts_half_width_with_voiced_marks() {
        assert_eq!(normalize("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ　タロウ");
        assert_eq!(normalize("ﾊﾟﾋﾟﾌﾟ ｳﾞｨｰ"), "パピプ　ヴィー");
    }

    #[test]
    fn converts_hiragana_and_combining_marks() {
        assert_eq!(normalize("やまだ\u{3000}はなこ"), "ヤマダ　ハナコ");
        assert_eq!(normalize("カ\u{3099}ク"), "ガク");
    }

    #[test]
    fn widening_keeps_hiragana_kanji_and_spaces_as_typed() {
        assert_eq!(
            widen_half_width_katakana("山田 はな ｶﾞｰﾃﾞﾝ"),
            "山田 はな ガーデン"
        );
        assert_eq!(widen_half_width_katakana("ｺｰﾎﾟ"), "コーポ");
        assert!(matches!(
            widen_half_width_katakana("千代田1-1"),
            std::borrow::Cow::Borrowed(_)
        ));
        let once = widen_half_width_katakana("ｱﾞｶﾞ").into_owned();
        assert_eq!(once, "ア゛ガ");
        assert_eq!(widen_half_width_katakana(&once), once);
    }

    #[test]
    fn collapses_and_trims_spaces() {
        assert_eq!(normalize("  ｽｽﾞｷ \u{3000} ｲﾁﾛｳ "), "スズキ　イチロウ");
    }

    #[test]
    fn leaves_a_mark_that_has_nothing_to_combine_with() {
        assert_eq!(normalize("ｱﾞ"), "ア゛");
        assert_eq!(normalize(&normalize("ｱﾞ")), "ア゛");
    }
}
