//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits — what every
//! authenticator app supports), the `otpauth://` enrollment URI and its QR code.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

use crate::digest::constant_time_eq;

pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: u32 = 6;
/// Steps of clock drift accepted either side of now.
pub const DRIFT_STEPS: u64 = 1;
pub const SECRET_BYTES: usize = 20;

/// A new random secret (160 bits, RFC 4226's recommendation).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

/// The code for a time step (RFC 4226 HOTP over the step counter).
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

pub fn step_of(epoch_s: u64) -> u64 {
    epoch_s / STEP_SECONDS
}

/// The current code (for the local demo tooling and tests).
pub fn code_now(secret: &[u8], epoch_s: u64) -> String {
    code_at_step(secret, step_of(epoch_s))
}

/// The step `code` is valid for at `epoch_s`, if any, newest first. The caller refuses steps at
/// or before the last one used, so a code cannot be replayed.
pub fn matching_step(secret: &[u8], code: &str, epoch_s: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(epoch_s);
    (now.saturating_sub(DRIFT_STEPS)..=now + DRIFT_STEPS)
        .rev()
        .find(|&step| constant_time_eq(code_at_step(secret, step).as_bytes(), code.as_bytes()))
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps expect secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…` (Key Uri Format).
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent_encode(issuer),
        percent_encode(account),
        base32(secret),
        percent_encode(issuer)
    )
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The URI as a QR code in an SVG document (rendered on the server, so no QR code library
/// lands in the app bundle).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, truncated to 6 digits.
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_now(secret, time), expected, "at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let current = step_of(now);
        for (step, accepted) in [
            (current - 2, false),
            (current - 1, true),
            (current, true),
            (current + 1, true),
            (current + 2, false),
        ] {
            let code = code_at_step(&secret, step);
            assert_eq!(
                matching_step(&secret, &code, now).is_some(),
                accepted,
                "step offset {}",
                step as i64 - current as i64
            );
        }
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn enrollment_uri_and_qr_code_carry_the_secret() {
        let uri = otpauth_uri(b"12345678901234567890", "予防接種 131016", "admin");
        assert!(uri.starts_with("otpauth://totp/"));
        assert!(uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.contains("<svg"));
    }
}
