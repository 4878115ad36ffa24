//! Verification of Mynaportal ID tokens (ES256 JWT).
//!
//! Mynaportal hands a resident over to us with a signed token whose subject is the PMH
//! pseudonym (and, on first use, the PMH key to link it to). We accept exactly one shape:
//! a compact JWS signed with ES256 by a key in Mynaportal's published JWK Set. The algorithm is
//! fixed on our side, never taken from the token, so `none`, HMAC-with-the-public-key and RSA
//! tricks cannot apply.
//!
//! Checks run in this order, and nothing in the payload is looked at before the signature holds:
//! structure and size → header (`alg`, `crit`) → key selection (`kid`) → signature → issuer →
//! audience → time (`exp`, `iat`, `nbf`, each with [`LEEWAY_S`]) → subject and PMH key.
//!
//! **Invariant:** a [`TokenError`] never carries any part of the token, so it is safe to log.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::EncodedPoint;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use sesshu_domain::{IdError, PmhKey, PmhPseudonym};

/// Clock skew we tolerate between Mynaportal and us, in seconds.
pub const LEEWAY_S: u64 = 60;

/// Longest token we look at. ID tokens are a few hundred bytes; the bound keeps a hostile
/// request from making us decode and parse megabytes.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// The only signature algorithm we accept.
const ALG: &str = "ES256";

/// A JSON Web Key Set (RFC 7517 §5) as Mynaportal publishes it at its JWKS endpoint.
///
/// Keys we cannot use (other key types or curves, keys marked for encryption or for another
/// algorithm) are kept here but ignored by [`TokenVerifier::new`], because real sets mix them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys, in the publisher's order.
    pub keys: Vec<Jwk>,
}

/// One JSON Web Key (RFC 7517 §4, RFC 7518 §6.2): the members we need for EC public keys.
/// Other members (e.g. RSA's `n`, `e`) are ignored when deserializing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `EC` for the keys we use.
    pub kty: String,
    /// Curve: `P-256` for the keys we use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Affine x coordinate, base64url without padding (32 bytes for P-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Affine y coordinate, base64url without padding (32 bytes for P-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Key id, matched against the token header's `kid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Algorithm the key is meant for; if present it must be `ES256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use; if present it must be `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
}

impl Jwk {
    /// The verifying key, if this is an EC P-256 signing key with a valid point on the curve.
    fn p256_verifying_key(&self) -> Option<VerifyingKey> {
        if self.kty != "EC" || self.crv.as_deref() != Some("P-256") {
            return None;
        }
        if self.alg.as_deref().is_some_and(|a| a != ALG)
            || self.key_use.as_deref().is_some_and(|u| u != "sig")
        {
            return None;
        }
        let x = decode_coordinate(self.x.as_deref()?)?;
        let y = decode_coordinate(self.y.as_deref()?)?;
        let point = EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
        // Rejects points not on the curve and the identity.
        VerifyingKey::from_encoded_point(&point).ok()
    }
}

fn decode_coordinate(b64: &str) -> Option<[u8; 32]> {
    URL_SAFE_NO_PAD.decode(b64).ok()?.try_into().ok()
}

/// What a verified token tells us about the resident who logged in.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedLogin {
    /// The token subject: who the resident is, as Mynaportal presents them.
    pub pseudonym: PmhPseudonym,
    /// The PMH key, handed over on first use so the backend can link it to the pseudonym.
    pub pmh_key: Option<PmhKey>,
    /// The nonce from the authorization request, for the caller to compare with its own.
    pub nonce: Option<String>,
    /// When the token expires (`exp`), seconds since the Unix epoch.
    pub expires_at: u64,
    /// The resident's name (`name`, kanji as on the My Number card), sent only when the
    /// resident logs in as a proxy (代理人); compared with the principals' 保護者氏名.
    pub name: Option<String>,
    /// The persons the resident registered at Mynaportal to act for (`principals`).
    pub principals: Vec<Principal>,
}

/// Names are personal data: `Debug` shows only whether one is present.
impl std::fmt::Debug for VerifiedLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedLogin")
            .field("pseudonym", &self.pseudonym)
            .field("pmh_key", &self.pmh_key)
            .field("nonce", &self.nonce)
            .field("expires_at", &self.expires_at)
            .field("name", &self.name.as_ref().map(|_| "<redacted>"))
            .field("principals", &self.principals)
            .finish()
    }
}

/// A person the resident may act for, as Mynaportal's 代理人 function lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The principal's own pseudonym (their identity for this relying party).
    pub pseudonym: PmhPseudonym,
    /// Their PMH key, handed over like the resident's own for linking.
    pub pmh_key: Option<PmhKey>,
}

/// Most principals one token may list (a family's children; far more is not a family).
pub const MAX_PRINCIPALS: usize = 20;
/// Longest `name` we accept, in characters (as `PersonName`).
pub const MAX_NAME_CHARS: usize = 100;

/// Which check a token failed. Never contains any part of the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a compact JWS we can read: wrong number of parts, bad base64url, bad JSON, too long,
    /// or a required claim missing or of the wrong type. The text names only which part.
    #[error("token is malformed ({0}); log in through Mynaportal again")]
    Malformed(&'static str),
    /// The header names an algorithm other than ES256 (including `none` and HMAC).
    #[error("token is not signed with ES256; only ES256 tokens from Mynaportal are accepted")]
    UnsupportedAlgorithm,
    /// The header lists critical extensions (`crit`), which we do not implement.
    #[error("token requires header extensions we do not support")]
    UnsupportedCriticalHeader,
    /// No key in the set matches the header's `kid` (or there is no `kid` and not exactly one key).
    #[error("token was signed by a key we do not know; refresh the Mynaportal key set")]
    UnknownKey,
    /// The signature does not verify with the selected key.
    #[error("token signature is invalid")]
    BadSignature,
    /// `iss` is not the configured Mynaportal issuer.
    #[error("token was issued by another issuer")]
    WrongIssuer,
    /// `aud` does not name this system.
    #[error("token is meant for another audience")]
    WrongAudience,
    /// `exp` has passed (beyond the leeway).
    #[error("token has expired; log in through Mynaportal again")]
    Expired,
    /// `iat` or `nbf` lies in the future (beyond the leeway).
    #[error("token is not valid yet; check the server clock")]
    NotYetValid,
    /// `sub` is not a valid PMH pseudonym.
    #[error("token subject is not a valid PMH pseudonym: {0}")]
    BadSubject(IdError),
    /// `pmh_key` is present but not a valid PMH key.
    #[error("token pmh_key claim is not a valid PMH key: {0}")]
    BadPmhKey(IdError),
    /// `principals` is not a list of at most [`MAX_PRINCIPALS`] valid pseudonyms and keys.
    #[error("token principals claim is invalid; log in through Mynaportal again")]
    BadPrincipals,
    /// `name` is empty, too long or has control characters.
    #[error("token name claim is invalid; log in through Mynaportal again")]
    BadName,
}

/// Verifies Mynaportal ID tokens against a JWK Set, an issuer and our audience.
///
/// Cheap to clone; build it once at start-up (or after a key-set refresh) and share it.
#[derive(Debug, Clone)]
pub struct TokenVerifier {
    keys: Vec<(Option<String>, VerifyingKey)>,
    issuer: String,
    audience: String,
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    aud: Option<Audience>,
    sub: Option<String>,
    exp: Option<serde_json::Number>,
    iat: Option<serde_json::Number>,
    nbf: Option<serde_json::Number>,
    nonce: Option<String>,
    pmh_key: Option<String>,
    name: Option<String>,
    principals: Option<Vec<PrincipalClaim>>,
}

#[derive(Deserialize)]
struct PrincipalClaim {
    sub: String,
    pmh_key: Option<String>,
}

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, audience: &str) -> bool {
        match self {
            Self::One(a) => a == audience,
            Self::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

/// A NumericDate as whole seconds; fractions are truncated, negatives and non-numbers refused.
fn numeric_date(n: &serde_json::Number, claim: &'static str) -> Result<u64, TokenError> {
    if let Some(s) = n.as_u64() {
        return Ok(s);
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f >= 0.0 && f < u64::MAX as f64 => Ok(f as u64),
        _ => Err(TokenError::Malformed(claim)),
    }
}

impl TokenVerifier {
    /// A verifier trusting the usable keys of `jwks` (EC P-256, for signing with ES256), for
    /// tokens issued by `issuer` to `audience` (our client id).
    pub fn new(jwks: Jwks, issuer: String, audience: String) -> Self {
        let keys = jwks
            .keys
            .iter()
            .filter_map(|k| Some((k.kid.clone(), k.p256_verifying_key()?)))
            .collect();
        Self {
            keys,
            issuer,
            audience,
        }
    }

    /// How many keys of the set are usable; zero means every token will be refused, which a
    /// caller should report at start-up.
    pub fn usable_key_count(&self) -> usize {
        self.keys.len()
    }

    /// Verifies `token` at time `now_epoch_s` (seconds since the Unix epoch).
    pub fn verify(&self, token: &str, now_epoch_s: u64) -> Result<VerifiedLogin, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed("token too long"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not three dot-separated parts"));
        };

        let header: Header = decode_json(header_b64, "header")?;
        if header.alg.as_deref() != Some(ALG) {
            return Err(TokenError::UnsupportedAlgorithm);
        }
        if header.crit.is_some() {
            return Err(TokenError::UnsupportedCriticalHeader);
        }
        let key = self.select_key(header.kid.as_deref())?;

        let signature_bytes = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| TokenError::Malformed("signature encoding"))?;
        // JOSE carries ECDSA signatures as raw r||s (RFC 7518 §3.4), never DER.
        let signature = <[u8; 64]>::try_from(signature_bytes.as_slice())
            .ok()
            .and_then(|raw| Signature::from_slice(&raw).ok())
            .ok_or(TokenError::BadSignature)?;
        let signing_input_len = header_b64.len() + 1 + payload_b64.len();
        key.verify(&token.as_bytes()[..signing_input_len], &signature)
            .map_err(|_| TokenError::BadSignature)?;

        let claims: Claims = decode_json(payload_b64, "payload")?;
        if claims.iss.as_deref() != Some(self.issuer.as_str()) {
            return Err(TokenError::WrongIssuer);
        }
        if !claims.aud.is_some_and(|a| a.contains(&self.audience)) {
            return Err(TokenError::WrongAudience);
        }

        let exp = claims
            .exp
            .as_ref()
            .ok_or(TokenError::Malformed("exp missing"))
            .and_then(|n| numeric_date(n, "exp"))?;
        if exp.saturating_add(LEEWAY_S) <= now_epoch_s {
            return Err(TokenError::Expired);
        }
        let latest_start = now_epoch_s.saturating_add(LEEWAY_S);
        let iat = claims
            .iat
            .as_ref()
            .ok_or(TokenError::Malformed("iat missing"))
            .and_then(|n| numeric_date(n, "iat"))?;
        if iat > latest_start {
            return Err(TokenError::NotYetValid);
        }
        if let Some(nbf) = &claims.nbf
            && numeric_date(nbf, "nbf")? > latest_start
        {
            return Err(TokenError::NotYetValid);
        }

        let sub = claims.sub.ok_or(TokenError::Malformed("sub missing"))?;
        let pseudonym = PmhPseudonym::parse(&sub).map_err(TokenError::BadSubject)?;
        let pmh_key = claims
            .pmh_key
            .map(|k| PmhKey::parse(&k).map_err(TokenError::BadPmhKey))
            .transpose()?;

        let principals = claims
            .principals
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                Ok(Principal {
                    pseudonym: PmhPseudonym::parse(&p.sub)
                        .map_err(|_| TokenError::BadPrincipals)?,
                    pmh_key: p
                        .pmh_key
                        .map(|k| PmhKey::parse(&k).map_err(|_| TokenError::BadPrincipals))
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, TokenError>>()?;
        if principals.len() > MAX_PRINCIPALS {
            return Err(TokenError::BadPrincipals);
        }
        let name = claims
            .name
            .map(|n| {
                let valid = !n.trim().is_empty()
                    && n.chars().count() <= MAX_NAME_CHARS
                    && !n.chars().any(char::is_control);
                if valid {
                    Ok(n)
                } else {
                    Err(TokenError::BadName)
                }
            })
            .transpose()?;

        Ok(VerifiedLogin {
            pseudonym,
            pmh_key,
            nonce: claims.nonce,
            expires_at: exp,
            name,
            principals,
        })
    }

    fn select_key(&self, kid: Option<&str>) -> Result<&VerifyingKey, TokenError> {
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .find(|(k, _)| k.as_deref() == Some(kid))
                .map(|(_, key)| key)
                .ok_or(TokenError::UnknownKey),
            // Without a kid we may only guess when there is nothing to choose from.
            None => match self.keys.as_slice() {
                [(_, key)] => Ok(key),
                _ => Err(TokenError::UnknownKey),
            },
        }
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(
    b64: &str,
    part: &'static str,
) -> Result<T, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(b64)
        .map_err(|_| TokenError::Malformed(part))?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(part))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use hmac::{Hmac, Mac};
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer as _;
    use serde_json::{Value, json};

    const ISSUER: &str = "https://mynaportal.example/sim";
    const AUDIENCE: &str = "sesshu-resident";
    const NOW: u64 = 1_790_000_000;
    const PSEUDONYM: &str = "psn_Abc-123";
    const PMH_KEY: &str = "K7Q2M4XJ9PLR5T3A";

    fn signing_key(seed: u8) -> SigningKey {
        SigningKey::from_slice(&[seed; 32]).unwrap()
    }

    fn jwk_for(key: &SigningKey, kid: Option<&str>) -> Jwk {
        let point = key.verifying_key().to_encoded_point(false);
        Jwk {
            kty: "EC".into(),
            crv: Some("P-256".into()),
            x: Some(URL_SAFE_NO_PAD.encode(point.x().unwrap())),
            y: Some(URL_SAFE_NO_PAD.encode(point.y().unwrap())),
            kid: kid.map(Into::into),
            alg: Some("ES256".into()),
            key_use: Some("sig".into()),
        }
    }

    fn verifier() -> TokenVerifier {
        let jwks = Jwks {
            keys: vec![jwk_for(&signing_key(1), Some("k1"))],
        };
        TokenVerifier::new(jwks, ISSUER.into(), AUDIENCE.into())
    }

    fn claims() -> Value {
        json!({
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": PSEUDONYM,
            "iat": NOW,
            "exp": NOW + 300,
            "nonce": "n-0S6_WzA2Mj",
            "pmh_key": PMH_KEY,
        })
    }

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    }

    fn sign_with(key: &SigningKey, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let sig: Signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    }

    fn token(claims: &Value) -> String {
        sign_with(
            &signing_key(1),
            &json!({"alg": "ES256", "typ": "JWT", "kid": "k1"}),
            claims,
        )
    }

    fn with(claim: &str, value: Value) -> Value {
        let mut c = claims();
        c[claim] = value;
        c
    }

    #[test]
    fn accepts_a_valid_token() {
        let login = verifier().verify(&token(&claims()), NOW).unwrap();
        assert_eq!(login.pseudonym.as_str(), PSEUDONYM);
        assert_eq!(login.pmh_key.unwrap().as_str(), PMH_KEY);
        assert_eq!(login.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
        assert_eq!(login.expires_at, NOW + 300);
    }

    #[test]
    fn accepts_a_token_without_pmh_key_or_nonce() {
        let mut c = claims();
        c.as_object_mut().unwrap().remove("pmh_key");
        c.as_object_mut().unwrap().remove("nonce");
        let login = verifier().verify(&token(&c), NOW).unwrap();
        assert_eq!(login.pmh_key, None);
        assert_eq!(login.nonce, None);
    }

    #[test]
    fn accepts_an_audience_array_containing_ours() {
        let c = with("aud", json!(["other", AUDIENCE]));
        assert!(verifier().verify(&token(&c), NOW).is_ok());
    }

    #[test]
    fn accepts_the_only_key_when_the_header_has_no_kid() {
        let t = sign_with(&signing_key(1), &json!({"alg": "ES256"}), &claims());
        assert!(verifier().verify(&t, NOW).is_ok());
    }

    #[test]
    fn picks_the_key_named_by_kid_among_several() {
        let jwks = Jwks {
            keys: vec![
                jwk_for(&signing_key(2), Some("old")),
                jwk_for(&signing_key(1), Some("k1")),
            ],
        };
        let v = TokenVerifier::new(jwks, ISSUER.into(), AUDIENCE.into());
        assert_eq!(v.usable_key_count(), 2);
        assert!(v.verify(&token(&claims()), NOW).is_ok());
    }

    #[test]
    fn rejects_a_tampered_payload() {
        let t = token(&claims());
        let parts: Vec<&str> = t.split('.').collect();
        let forged = b64(&with("sub", json!("someone_else")));
        let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
        assert_eq!(
            verifier().verify(&tampered, NOW),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn rejects_a_token_signed_with_another_key() {
        let t = sign_with(
            &signing_key(9),
            &json!({"alg": "ES256", "kid": "k1"}),
            &claims(),
        );
        assert_eq!(verifier().verify(&t, NOW), Err(TokenError::BadSignature));
    }

    #[test]
    fn rejects_alg_none_even_without_a_signature() {
        let unsigned = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&claims()));
        assert_eq!(
            verifier().verify(&unsigned, NOW),
            Err(TokenError::UnsupportedAlgorithm)
        );
    }

    #[test]
    fn rejects_alg_hs256_keyed_with_the_public_key() {
        // The classic algorithm-confusion attack: an HMAC keyed with the published public key.
        let header = b64(&json!({"alg": "HS256", "kid": "k1"}));
        let input = format!("{header}.{}", b64(&claims()));
        let public = signing_key(1).verifying_key().to_encoded_point(false);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(public.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        let t = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        );
        assert_eq!(
            verifier().verify(&t, NOW),
            Err(TokenError::UnsupportedAlgorithm)
        );
    }

    #[test]
    fn rejects_alg_rs256_and_a_missing_alg() {
        for header in [json!({"alg": "RS256", "kid": "k1"}), json!({"kid": "k1"})] {
            let t = sign_with(&signing_key(1), &header, &claims());
            assert_eq!(
                verifier().verify(&t, NOW),
                Err(TokenError::UnsupportedAlgorithm)
            );
        }
    }

    #[test]
    fn rejects_critical_header_extensions() {
        let t = sign_with(
            &signing_key(1),
            &json!({"alg": "ES256", "kid": "k1", "crit": ["exp"]}),
            &claims(),
        );
        assert_eq!(
            verifier().verify(&t, NOW),
            Err(TokenError::UnsupportedCriticalHeader)
        );
    }

    #[test]
    fn rejects_a_wrong_issuer() {
        let t = token(&with("iss", json!("https://evil.example")));
        assert_eq!(verifier().verify(&t, NOW), Err(TokenError::WrongIssuer));
    }

    #[test]
    fn rejects_a_wrong_or_missing_audience() {
        let t = token(&with("aud", json!(["other", "another"])));
        assert_eq!(verifier().verify(&t, NOW), Err(TokenError::WrongAudience));
        let mut c = claims();
        c.as_object_mut().unwrap().remove("aud");
        assert_eq!(
            verifier().verify(&token(&c), NOW),
            Err(TokenError::WrongAudience)
        );
    }

    #[test]
    fn rejects_an_expired_token_but_allows_the_leeway() {
        let t = token(&claims());
        let exp = NOW + 300;
        assert!(verifier().verify(&t, exp + LEEWAY_S - 1).is_ok());
        assert_eq!(
            verifier().verify(&t, exp + LEEWAY_S),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn rejects_a_token_issued_in_the_future() {
        let t = token(&claims());
        assert!(verifier().verify(&t, NOW - LEEWAY_S).is_ok());
        assert_eq!(
            verifier().verify(&t, NOW - LEEWAY_S - 1),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn rejects_a_token_not_yet_valid_by_nbf() {
        let t = token(&with("nbf", json!(NOW + LEEWAY_S + 1)));
        assert_eq!(verifier().verify(&t, NOW), Err(TokenError::NotYetValid));
    }

    #[test]
    fn rejects_a_token_without_exp() {
        let mut c = claims();
        c.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            verifier().verify(&token(&c), NOW),
            Err(TokenError::Malformed("exp missing"))
        );
    }

    #[test]
    fn rejects_an_unknown_kid() {
        let t = sign_with(
            &signing_key(1),
            &json!({"alg": "ES256", "kid": "rotated-away"}),
            &claims(),
        );
        assert_eq!(verifier().verify(&t, NOW), Err(TokenError::UnknownKey));
    }

    #[test]
    fn rejects_a_missing_kid_when_the_set_has_several_keys() {
        let jwks = Jwks {
            keys: vec![
                jwk_for(&signing_key(1), Some("k1")),
                jwk_for(&signing_key(2), Some("k2")),
            ],
        };
        let v = TokenVerifier::new(jwks, ISSUER.into(), AUDIENCE.into());
        let t = sign_with(&signing_key(1), &json!({"alg": "ES256"}), &claims());
        assert_eq!(v.verify(&t, NOW), Err(TokenError::UnknownKey));
    }

    #[test]
    fn rejects_malformed_base64_and_structure() {
        let t = token(&claims());
        let parts: Vec<&str> = t.split('.').collect();
        // A signed payload that is not base64url, so only the decoding can refuse it.
        let input = format!("{}.{}!", parts[0], parts[1]);
        let sig: Signature = signing_key(1).sign(input.as_bytes());
        let signed_bad_payload = format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()));
        let cases = [
            signed_bad_payload,
            format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
            format!("{}.{}", parts[0], parts[1]),
            format!("{t}.extra"),
            "".to_owned(),
            "x".repeat(MAX_TOKEN_LEN + 1),
        ];
        for case in cases {
            assert!(
                matches!(verifier().verify(&case, NOW), Err(TokenError::Malformed(_))),
                "accepted a malformed token"
            );
        }
        let bad_sig = format!("{}.{}.%%%", parts[0], parts[1]);
        assert_eq!(
            verifier().verify(&bad_sig, NOW),
            Err(TokenError::Malformed("signature encoding"))
        );
    }

    #[test]
    fn rejects_a_der_encoded_signature() {
        let input = format!(
            "{}.{}",
            b64(&json!({"alg": "ES256", "kid": "k1"})),
            b64(&claims())
        );
        let sig: Signature = signing_key(1).sign(input.as_bytes());
        let der = URL_SAFE_NO_PAD.encode(sig.to_der().as_bytes());
        assert_eq!(
            verifier().verify(&format!("{input}.{der}"), NOW),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn rejects_a_bad_sub() {
        let t = token(&with("sub", json!("has spaces/and slashes")));
        assert!(matches!(
            verifier().verify(&t, NOW),
            Err(TokenError::BadSubject(_))
        ));
        let mut c = claims();
        c.as_object_mut().unwrap().remove("sub");
        assert_eq!(
            verifier().verify(&token(&c), NOW),
            Err(TokenError::Malformed("sub missing"))
        );
    }

    #[test]
    fn rejects_a_bad_pmh_key_claim() {
        let t = token(&with("pmh_key", json!("not a key!")));
        assert!(matches!(
            verifier().verify(&t, NOW),
            Err(TokenError::BadPmhKey(_))
        ));
    }

    #[test]
    fn reads_the_proxy_name_and_principals() {
        let mut c = claims();
        c["name"] = json!("山田 花子");
        c["principals"] =
            json!([{"sub": "psn_child-1", "pmh_key": "K7Q2M4XJ9PLR5T3B"}, {"sub": "psn_child-2"}]);
        let login = verifier().verify(&token(&c), NOW).unwrap();
        assert_eq!(login.name.as_deref(), Some("山田 花子"));
        assert_eq!(login.principals.len(), 2);
        assert_eq!(login.principals[0].pseudonym.as_str(), "psn_child-1");
        assert!(login.principals[1].pmh_key.is_none());
        assert!(
            !format!("{login:?}").contains("山田"),
            "Debug never shows the name"
        );
        let plain = verifier().verify(&token(&claims()), NOW).unwrap();
        assert!(plain.principals.is_empty() && plain.name.is_none());
    }

    #[test]
    fn rejects_bad_principals_and_names() {
        for bad in [
            json!([{"sub": "not a pseudonym!"}]),
            json!([{"sub": "psn_ok", "pmh_key": "bad key"}]),
            json!("psn_ok"),
            json!(
                (0..=MAX_PRINCIPALS)
                    .map(|i| json!({"sub": format!("psn_{i}")}))
                    .collect::<Vec<_>>()
            ),
        ] {
            let t = token(&with("principals", bad));
            assert!(verifier().verify(&t, NOW).is_err());
        }
        for bad in [
            json!(""),
            json!("a\u{0007}b"),
            json!("あ".repeat(MAX_NAME_CHARS + 1)),
        ] {
            let t = token(&with("name", bad));
            assert_eq!(verifier().verify(&t, NOW), Err(TokenError::BadName));
        }
    }

    #[test]
    fn ignores_keys_of_other_types_curves_or_uses() {
        let good = jwk_for(&signing_key(1), Some("k1"));
        let rsa: Jwk =
            serde_json::from_value(json!({"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"}))
                .unwrap();
        let enc = Jwk {
            key_use: Some("enc".into()),
            kid: Some("k1".into()),
            ..good.clone()
        };
        let p384 = Jwk {
            crv: Some("P-384".into()),
            ..good.clone()
        };
        let off_curve = Jwk {
            y: good.x.clone(),
            ..good.clone()
        };
        let v = TokenVerifier::new(
            Jwks {
                keys: vec![rsa, enc, p384, off_curve],
            },
            ISSUER.into(),
            AUDIENCE.into(),
        );
        assert_eq!(v.usable_key_count(), 0);
        assert_eq!(
            v.verify(&token(&claims()), NOW),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn deserializes_a_published_key_set() {
        let key = jwk_for(&signing_key(1), Some("k1"));
        let text = format!(
            r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":"{}","y":"{}","kid":"k1","use":"sig","alg":"ES256"}}]}}"#,
            key.x.as_deref().unwrap(),
            key.y.as_deref().unwrap()
        );
        let jwks: Jwks = serde_json::from_str(&text).unwrap();
        assert_eq!(jwks.keys, vec![key]);
    }

    #[test]
    fn error_messages_never_contain_the_token() {
        let t = token(&with("iss", json!("https://evil.example")));
        let err = verifier().verify(&t, NOW).unwrap_err();
        let text = format!("{err} {err:?}");
        for part in t.split('.') {
            assert!(!text.contains(part));
        }
        assert!(!text.contains(PSEUDONYM));
    }
}
