//! Acting for someone else (代理): a resident may fill in the forms of a person whose 保護者氏名
//! is the resident's own name and who is under 20.
//!
//! The name comes from Mynaportal's ID token (the `name` claim of a proxy login). The session
//! keeps only an HMAC of the normalized name keyed with the session id, so every request can
//! compare it with the person's current 保護者氏名 without the session holding a name.

use hmac::{Hmac, Mac};
use sesshu_domain::person::TargetPerson;
use sha2::Sha256;
use time::Date;

use crate::digest::constant_time_eq;

/// A person may be acted for until this age (成年: 18 since 2022, but the vaccination forms
/// ask for a guardian up to 20 and the issue sets 20).
pub const PROXY_AGE_LIMIT: u32 = 20;

/// The name as compared: whitespace (ASCII and the full-width space) removed, full-width Latin
/// letters, digits and signs as ASCII, letters lower-case. Kanji variants (髙/高) are not
/// unified: municipal data and the My Number card both use the registered form.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// HMAC-SHA256 of the normalized `name`, keyed with the session id, as lower-case hex.
pub fn name_digest(session_id: &str, name: &str) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(session_id.as_bytes()) else {
        return String::new();
    };
    mac.update(normalize_name(name).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether the resident whose name digest is `digest` (for `session_id`) may act for `person`
/// on `today`: the person's 保護者氏名 is that name and the person is under
/// [`PROXY_AGE_LIMIT`].
pub fn may_act_for(person: &TargetPerson, session_id: &str, digest: &str, today: Date) -> bool {
    if digest.is_empty() || person.age_on(today) >= PROXY_AGE_LIMIT {
        return false;
    }
    person.guardian_name.as_ref().is_some_and(|guardian| {
        constant_time_eq(
            name_digest(session_id, guardian.as_str()).as_bytes(),
            digest.as_bytes(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_the_spaces_and_width() {
        for (a, b) in [
            ("山田　花子", "山田 花子"),
            ("山田花子", " 山田\u{3000}\u{3000}花子 "),
            ("ＳＭＩＴＨ　Ｊｏｈｎ", "smith john"),
            ("Nguyen Van An", "NGUYEN VAN AN"),
        ] {
            assert_eq!(normalize_name(a), normalize_name(b), "{a} / {b}");
            assert_eq!(name_digest("s1", a), name_digest("s1", b));
        }
        assert_ne!(normalize_name("山田花子"), normalize_name("山田花"));
    }

    #[test]
    fn digests_depend_on_the_session() {
        assert_ne!(name_digest("s1", "山田花子"), name_digest("s2", "山田花子"));
        assert_eq!(name_digest("s1", "山田花子").len(), 64);
    }
}
