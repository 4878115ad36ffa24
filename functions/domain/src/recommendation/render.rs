//! Placeholders in notice texts: `{vaccination}`, `{opens_on}`, `{latest}`, `{municipality}`,
//! `{contact}`. Braces are for placeholders only; a text with any other brace is refused by
//! validation, so rendering never has to guess.

use time::Date;

/// Every placeholder a text may use.
pub const PLACEHOLDERS: [&str; 5] = [
    "vaccination",
    "opens_on",
    "latest",
    "municipality",
    "contact",
];

/// A piece of a text: literal, or a placeholder name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Why a text cannot be split into pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateProblem {
    /// A `{` without its `}`, or a `}` without its `{` (byte offset).
    UnbalancedBrace(usize),
    /// `{name}` with a name that is not a placeholder (byte offset of the `{`).
    UnknownPlaceholder(usize),
}

/// Splits a text into literal pieces and placeholders.
pub fn pieces(text: &str) -> Result<Vec<Piece<'_>>, TemplateProblem> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while !rest.is_empty() {
        let next = rest.find(['{', '}']);
        let Some(at) = next else {
            out.push(Piece::Text(rest));
            break;
        };
        if at > 0 {
            out.push(Piece::Text(&rest[..at]));
        }
        if rest[at..].starts_with('}') {
            return Err(TemplateProblem::UnbalancedBrace(offset + at));
        }
        let after = &rest[at + 1..];
        let close = after
            .find(['{', '}'])
            .filter(|&i| after[i..].starts_with('}'))
            .ok_or(TemplateProblem::UnbalancedBrace(offset + at))?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(TemplateProblem::UnknownPlaceholder(offset + at));
        }
        out.push(Piece::Placeholder(name));
        let consumed = at + 1 + close + 1;
        rest = &rest[consumed..];
        offset += consumed;
    }
    Ok(out)
}

/// What the placeholders become for one notice in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    pub vaccination: String,
    pub opens_on: Date,
    pub latest: Option<Date>,
    pub municipality: String,
    pub contact: String,
}

/// `text` with its placeholders replaced; dates are written the way `lang` reads them
/// (2026年4月1日 / 1 April 2026). A text that does not parse is returned unchanged (validation
/// refuses such texts before they are saved).
pub fn render(text: &str, lang: &str, values: &Values) -> String {
    let Ok(pieces) = pieces(text) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len() + 64);
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder("vaccination") => out.push_str(&values.vaccination),
            Piece::Placeholder("opens_on") => out.push_str(&format_date(values.opens_on, lang)),
            Piece::Placeholder("latest") => match values.latest {
                Some(date) => out.push_str(&format_date(date, lang)),
                None => out.push_str(if lang == "ja" {
                    "期限なし"
                } else {
                    "no end date"
                }),
            },
            Piece::Placeholder("municipality") => out.push_str(&values.municipality),
            Piece::Placeholder("contact") => out.push_str(&values.contact),
            Piece::Placeholder(_) => {}
        }
    }
    out
}

/// A date as `lang` writes it in letters: 2026年4月1日, or 1 April 2026.
pub fn format_date(date: Date, lang: &str) -> String {
    if lang == "ja" {
        format!(
            "{}年{}月{}日",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    } else {
        format!("{} {} {}", date.day(), date.month(), date.year())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn values() -> Values {
        Values {
            vaccination: "MR".into(),
            opens_on: date!(2026 - 04 - 01),
            latest: None,
            municipality: "千代田区".into(),
            contact: "03-0000-0000".into(),
        }
    }

    #[test]
    fn placeholders_are_replaced_and_dates_written_per_language() {
        let text = "{municipality}: {vaccination} from {opens_on} until {latest}";
        assert_eq!(
            render(text, "en", &values()),
            "千代田区: MR from 1 April 2026 until no end date"
        );
        assert_eq!(render("{opens_on}", "ja", &values()), "2026年4月1日");
    }

    #[test]
    fn stray_braces_and_unknown_names_are_problems_with_their_offset() {
        assert_eq!(pieces("a { b"), Err(TemplateProblem::UnbalancedBrace(2)));
        assert_eq!(pieces("a } b"), Err(TemplateProblem::UnbalancedBrace(2)));
        assert_eq!(
            pieces("x{name}"),
            Err(TemplateProblem::UnknownPlaceholder(1))
        );
        assert_eq!(
            pieces("{{contact}"),
            Err(TemplateProblem::UnbalancedBrace(0))
        );
        assert_eq!(
            pieces("お知らせ {contact}").unwrap(),
            vec![Piece::Text("お知らせ "), Piece::Placeholder("contact")]
        );
    }
}
