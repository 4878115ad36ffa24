//! Staff passwords: argon2id hashes and the NIST SP 800-63B rules (length, a blocklist of
//! common and breached passwords, nothing about composition).

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::CoreError;

/// Shortest password accepted. 800-63B allows 8 with a second factor; municipal guidance and
/// the offline-guessing risk of a stolen hash argue for more.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted (800-63B: at least 64).
pub const MAX_LENGTH: usize = 128;

/// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Result<Argon2<'static>, CoreError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|_| CoreError::Corrupt("argon2 parameters".into()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of a new argon2id hash with a random salt.
pub fn hash(password: &str) -> Result<String, CoreError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| CoreError::Corrupt("password hashing failed".into()))
}

/// Whether `password` matches the stored PHC string (constant time in the password).
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Spends the same time as a real verification, so that an unknown user id answers as slowly
/// as a wrong password and timing reveals nothing.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("not a real password, only for timing").ok()) {
        let _ = verify(password, dummy);
    }
}

/// Why a new password is refused; each says what to do instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    Common,
    Repetitive,
    ContainsUserId,
}

impl Weakness {
    pub fn message(self) -> String {
        match self {
            Self::TooShort => format!(
                "パスワードは{MIN_LENGTH}文字以上にしてください。覚えやすい短い文をつなげると安全です。 / Use at least {MIN_LENGTH} characters; a few words in a row are easy to remember and strong."
            ),
            Self::TooLong => format!(
                "パスワードは{MAX_LENGTH}文字以内にしてください。 / Use at most {MAX_LENGTH} characters."
            ),
            Self::Common => "よく使われている、または漏えいが知られているパスワードです。別のものにしてください。 / This password is common or known from breaches; choose another.".into(),
            Self::Repetitive => "同じ文字や連続した文字の繰り返しは使えません。 / Repeated or sequential characters are easy to guess; choose another.".into(),
            Self::ContainsUserId => "パスワードにユーザーIDを含めないでください。 / Do not include your user id in the password.".into(),
        }
    }
}

/// Checks a new password against the rules; `Ok` means acceptable.
pub fn check_new(password: &str, user_id: &str) -> Result<(), Weakness> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(Weakness::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    if !user_id.is_empty() && lower.contains(&user_id.to_lowercase()) {
        return Err(Weakness::ContainsUserId);
    }
    if is_repetitive(&lower) {
        return Err(Weakness::Repetitive);
    }
    if is_common(&lower) {
        return Err(Weakness::Common);
    }
    Ok(())
}

/// The bundled blocklist: the 30,000 most common passwords of public breach corpora, from the
/// zxcvbn project (MIT licence; see data/README.md).
fn blocklist() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../data/common-passwords.txt")
            .lines()
            .filter(|line| !line.is_empty())
            .collect()
    })
}

/// Common as it stands, or a common word padded with digits and symbols (`password2024!`) or
/// repeated (`dragondragon`).
fn is_common(lower: &str) -> bool {
    let list = blocklist();
    if list.contains(lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let stem = stem.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if stem.chars().count() >= 4 && list.contains(stem) {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    (1..=chars.len() / 2).any(|unit| {
        chars.len().is_multiple_of(unit)
            && chars.chunks(unit).all(|chunk| chunk == &chars[..unit])
            && list.contains(chars[..unit].iter().collect::<String>().as_str())
    })
}

/// One character repeated, or a run up or down the alphabet or digits, for most of its length.
fn is_repetitive(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    let distinct: HashSet<&char> = chars.iter().collect();
    if distinct.len() <= 3 {
        return true;
    }
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|pair| i64::from(u32::from(pair[1])) - i64::from(u32::from(pair[0])))
        .collect();
    steps.iter().all(|&step| step == 1) || steps.iter().all(|&step| step == -1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery staple").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapl", &stored));
        assert!(!verify("correct horse battery staple", "not a hash"));
    }

    #[test]
    fn new_password_rules_follow_nist() {
        assert_eq!(check_new("short pass", "tanaka"), Err(Weakness::TooShort));
        assert_eq!(
            check_new(&"ab".repeat(65), "tanaka"),
            Err(Weakness::TooLong)
        );
        assert_eq!(check_new("password1234", "tanaka"), Err(Weakness::Common));
        assert_eq!(
            check_new("!!qwertyuiop2024", "tanaka"),
            Err(Weakness::Common)
        );
        assert_eq!(
            check_new("dragondragondragon", "tanaka"),
            Err(Weakness::Common)
        );
        assert_eq!(
            check_new("aaaaaaaaaaaaaa", "tanaka"),
            Err(Weakness::Repetitive)
        );
        assert_eq!(
            check_new("abcdefghijklmn", "tanaka"),
            Err(Weakness::Repetitive)
        );
        assert_eq!(
            check_new("tanaka-haru-2026", "tanaka"),
            Err(Weakness::ContainsUserId)
        );
        // No composition rules: a long lower-case phrase is fine, so is Japanese.
        assert_eq!(check_new("kaeru ga kaeru hi no yuugata", "tanaka"), Ok(()));
        assert_eq!(check_new("あおぞらとしろいくもとうみ", "tanaka"), Ok(()));
    }

    #[test]
    fn weakness_messages_say_what_to_do_in_both_languages() {
        for weakness in [
            Weakness::TooShort,
            Weakness::TooLong,
            Weakness::Common,
            Weakness::Repetitive,
            Weakness::ContainsUserId,
        ] {
            let message = weakness.message();
            assert!(message.contains(" / "), "{message}");
        }
    }
}
