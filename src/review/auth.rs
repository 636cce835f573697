//! Who may use the review page, and proof that a form came from it.
//!
//! On loopback the page is open (whoever reaches it already has the
//! machine); on any other address every request needs the review token,
//! sent as HTTP Basic password (browsers ask for it) or a Bearer token.
//! Without a configured token a non-loopback page is closed altogether.
//!
//! Every state change is a POST carrying the CSRF token: a random secret
//! made once per process, put in a hidden field of each form. A page on
//! another origin can make a browser send a POST but cannot read ours, so it
//! cannot know the token.

use axum::http::{HeaderMap, header};

/// Bytes of randomness in the CSRF token.
const CSRF_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
#[error("cannot get random bytes for the CSRF token: {0}")]
pub struct RandomError(getrandom::Error);

/// The per-process CSRF token, hex encoded.
#[derive(Clone)]
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn random() -> Result<CsrfToken, RandomError> {
        let mut bytes = [0u8; CSRF_BYTES];
        getrandom::fill(&mut bytes).map_err(RandomError)?;
        Ok(CsrfToken(
            bytes.iter().map(|byte| format!("{byte:02x}")).collect(),
        ))
    }

    /// What forms carry in their `csrf` field.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a form's `csrf` field is this token.
    pub fn matches(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|presented| constant_time_eq(self.0.as_bytes(), presented.as_bytes()))
    }
}

/// Whether a request may see the review page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// 401, and nothing else.
    Denied,
}

/// The decision for one request: open on loopback, else only with the
/// configured `token` presented in `headers`.
pub fn decide(loopback: bool, token: Option<&str>, headers: &HeaderMap) -> Access {
    if loopback {
        return Access::Allowed;
    }
    let Some(token) = token.filter(|token| !token.is_empty()) else {
        return Access::Denied;
    };
    match presented_token(headers) {
        Some(presented) if constant_time_eq(token.as_bytes(), presented.as_bytes()) => {
            Access::Allowed
        }
        _ => Access::Denied,
    }
}

/// The token of `Authorization: Bearer T`, or the password of
/// `Authorization: Basic base64(user:T)` (any user name).
fn presented_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credentials) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(credentials.trim().to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = String::from_utf8(base64_decode(credentials.trim())?).ok()?;
        return decoded
            .split_once(':')
            .map(|(_, password)| password.to_string());
    }
    None
}

/// Standard base64 with padding, as HTTP Basic uses; `None` when malformed.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |byte: u8| -> Option<u32> {
        Some(u32::from(match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut bits = 0u32;
        for (at, &byte) in chunk.iter().enumerate() {
            bits |= value(byte)? << (18 - 6 * at);
        }
        let [_, a, b, c] = bits.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len() - 1]);
    }
    Some(out)
}

/// Compares without stopping at the first difference, so that the time
/// taken says nothing about how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn loopback_is_open_and_elsewhere_needs_the_token() {
        let none = HeaderMap::new();
        assert_eq!(decide(true, None, &none), Access::Allowed);
        assert_eq!(decide(false, None, &none), Access::Denied);
        assert_eq!(decide(false, Some("s3cret"), &none), Access::Denied);
        assert_eq!(
            decide(false, Some(""), &with_auth("Bearer ")),
            Access::Denied
        );
        assert_eq!(
            decide(false, Some("s3cret"), &with_auth("Bearer s3cret")),
            Access::Allowed
        );
        assert_eq!(
            decide(false, Some("s3cret"), &with_auth("Bearer s3cre")),
            Access::Denied
        );
        // "editor:s3cret"
        assert_eq!(
            decide(
                false,
                Some("s3cret"),
                &with_auth("Basic ZWRpdG9yOnMzY3JldA==")
            ),
            Access::Allowed
        );
        assert_eq!(
            decide(false, Some("s3cret"), &with_auth("Basic !!")),
            Access::Denied
        );
    }

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode("YWI=").unwrap(), b"ab");
        assert_eq!(base64_decode("YWJj").unwrap(), b"abc");
        assert_eq!(base64_decode("Y"), None);
    }

    #[test]
    fn csrf_tokens_are_random_and_compared_whole() {
        let token = CsrfToken::random().unwrap();
        assert_ne!(token.as_str(), CsrfToken::random().unwrap().as_str());
        assert!(token.matches(Some(token.as_str())));
        assert!(!token.matches(None));
        assert!(!token.matches(Some(&token.as_str()[1..])));
    }
}
