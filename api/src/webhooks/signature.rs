//! Webhook secrets and signatures as the Standard Webhooks specification defines them
//! (<https://www.standardwebhooks.com/>): HMAC-SHA256 over `"{msg_id}.{timestamp}.{body}"`,
//! sent as `webhook-signature: v1,<base64>`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How every secret's text form begins.
const PREFIX: &str = "whsec_";
/// The specification asks for keys of 24 to 64 bytes.
const MIN_KEY_BYTES: usize = 24;
const MAX_KEY_BYTES: usize = 64;
/// What `generate` makes: the length the specification recommends.
const GENERATED_KEY_BYTES: usize = 32;

/// The key a subscriber uses to check that a webhook came from us.
///
/// Its text form (`Display`) is `whsec_` followed by the standard base64 of the key; `Debug`
/// never shows the key.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

/// Why a text is not a webhook secret. The messages never repeat the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The text does not begin with `whsec_`.
    #[error("a webhook secret begins with \"whsec_\"")]
    MissingPrefix,
    /// What follows the prefix is not standard base64.
    #[error("a webhook secret is base64 after its \"whsec_\" prefix")]
    NotBase64,
    /// The key is shorter than 24 or longer than 64 bytes.
    #[error("a webhook secret holds between 24 and 64 bytes")]
    BadLength,
}

impl WebhookSecret {
    /// A new secret of 32 random bytes.
    pub fn generate() -> Self {
        let key: [u8; GENERATED_KEY_BYTES] = rand::random();
        Self { key: key.to_vec() }
    }

    /// Reads the text form, `whsec_<base64>`.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .strip_prefix(PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
            return Err(SecretError::BadLength);
        }
        Ok(Self { key })
    }

    /// A MAC keyed with this secret, fed with the signed content but the body.
    fn mac_for(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length, so this never fails");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}", STANDARD.encode(&self.key))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// The `webhook-signature` header value for one message: `v1,<base64 HMAC-SHA256>`.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = secret
        .mac_for(msg_id, timestamp, body)
        .finalize()
        .into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// Whether any `v1` signature in a `webhook-signature` header value (space-separated, as
/// the specification allows during key rotation) matches the message. Compares in constant
/// time; does not judge the timestamp's age.
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    header_value: &str,
) -> bool {
    let mac = secret.mac_for(msg_id, timestamp, body);
    header_value
        .split_whitespace()
        .filter_map(|signature| signature.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        // `verify_slice` compares in constant time; every candidate is checked, matching or not.
        .fold(false, |found, tag| {
            mac.clone().verify_slice(&tag).is_ok() | found
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The example published with the Standard Webhooks specification.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> WebhookSecret {
        WebhookSecret::parse(SPEC_SECRET).unwrap()
    }

    #[test]
    fn signs_the_specification_example() {
        let signature = sign(&spec_secret(), SPEC_MSG_ID, SPEC_TIMESTAMP, SPEC_BODY);

        assert_eq!(signature, SPEC_SIGNATURE);
    }

    #[test]
    fn verifies_the_specification_example() {
        assert!(verify(
            &spec_secret(),
            SPEC_MSG_ID,
            SPEC_TIMESTAMP,
            SPEC_BODY,
            SPEC_SIGNATURE
        ));
    }

    #[test]
    fn verify_accepts_any_of_several_signatures() {
        let header = format!("v1,AAAA v2,whatever {SPEC_SIGNATURE} v1,not-base64!");

        assert!(verify(
            &spec_secret(),
            SPEC_MSG_ID,
            SPEC_TIMESTAMP,
            SPEC_BODY,
            &header
        ));
    }

    #[test]
    fn verify_refuses_a_wrong_secret() {
        let other = WebhookSecret::generate();

        assert!(!verify(
            &other,
            SPEC_MSG_ID,
            SPEC_TIMESTAMP,
            SPEC_BODY,
            SPEC_SIGNATURE
        ));
    }

    #[test]
    fn verify_refuses_tampering() {
        let secret = spec_secret();
        let tampered_body = br#"{"test": 2432232315}"#;

        assert!(!verify(
            &secret,
            SPEC_MSG_ID,
            SPEC_TIMESTAMP,
            tampered_body,
            SPEC_SIGNATURE
        ));
        assert!(!verify(
            &secret,
            "msg_other",
            SPEC_TIMESTAMP,
            SPEC_BODY,
            SPEC_SIGNATURE
        ));
        assert!(!verify(
            &secret,
            SPEC_MSG_ID,
            SPEC_TIMESTAMP + 1,
            SPEC_BODY,
            SPEC_SIGNATURE
        ));
    }

    #[test]
    fn verify_refuses_malformed_headers() {
        let secret = spec_secret();
        let bare = SPEC_SIGNATURE.trim_start_matches("v1,");

        for header in [
            "",
            " ",
            bare,
            "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ] {
            assert!(
                !verify(&secret, SPEC_MSG_ID, SPEC_TIMESTAMP, SPEC_BODY, header),
                "{header:?}"
            );
        }
    }

    #[test]
    fn generated_secrets_round_trip_and_differ() {
        let first = WebhookSecret::generate();
        let second = WebhookSecret::generate();

        let text = first.to_string();
        let parsed = WebhookSecret::parse(&text).unwrap();

        assert!(text.starts_with("whsec_"));
        assert_eq!(parsed.key.len(), 32);
        assert_eq!(parsed.to_string(), text);
        assert_ne!(first.to_string(), second.to_string());
    }

    #[test]
    fn the_specification_secret_prints_as_it_was_read() {
        assert_eq!(spec_secret().to_string(), SPEC_SECRET);
    }

    #[test]
    fn parse_refuses_what_is_not_a_secret() {
        let cases = [
            (
                "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                SecretError::MissingPrefix,
            ),
            ("whsec_not base64!", SecretError::NotBase64),
            ("whsec_", SecretError::BadLength),
            ("whsec_c2hvcnQ=", SecretError::BadLength),
        ];

        for (text, expected) in cases {
            assert_eq!(WebhookSecret::parse(text).unwrap_err(), expected, "{text}");
        }
        let too_long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert_eq!(
            WebhookSecret::parse(&too_long).unwrap_err(),
            SecretError::BadLength
        );
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let secret = spec_secret();

        let shown = format!("{secret:?}");

        assert!(
            !shown.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            "{shown}"
        );
        assert!(!shown.contains(&secret.to_string()), "{shown}");
    }
}
