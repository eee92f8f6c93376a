//! Access tokens (JWT, HS256 only, short-lived) and refresh tokens (opaque, stored as hashes).
//!
//! The signing key can be rotated without signing anybody out: the new key signs, and the
//! previous one is still accepted for verification until the tokens it signed have expired
//! (one access-token lifetime).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use quartier_domain::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const ISSUER: &str = "quartier";

/// What an access token says about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// `admin` or `member`.
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    /// A unique id for this token.
    pub jti: Uuid,
    pub iss: String,
    /// The account's token generation when the token was issued: a changed or reset password
    /// raises it, and older tokens are refused.
    #[serde(default = "first_generation")]
    pub generation: i32,
}

fn first_generation() -> i32 {
    1
}

/// Issues and checks tokens with the configured secret and lifetimes.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The key before the last rotation: verifies, never signs.
    previous: Option<DecodingKey>,
    validation: Validation,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

/// An access token ready to hand out.
#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A new refresh token: the secret for the client, the hash for the database.
pub struct RefreshToken {
    pub secret: String,
    pub hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        // No leeway: a token is refused from the second its `exp` names. Quartier both signs
        // and checks its tokens, so the only skew is between its own instances' clocks.
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            previous: None,
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    /// Also accepts tokens signed with `secret`, the key in use before the last rotation.
    pub fn accepting_previous(mut self, secret: &[u8]) -> Self {
        self.previous = Some(DecodingKey::from_secret(secret));
        self
    }

    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// Signs an access token for `user_id` with `role` in the account's token `generation`,
    /// valid from `now` for the access lifetime.
    pub fn issue_access(
        &self,
        user_id: Uuid,
        role: Role,
        generation: i32,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let expires_at = now + self.access_ttl;
        let claims = Claims {
            sub: user_id,
            role: role.as_str().to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::now_v7(),
            iss: ISSUER.to_owned(),
            generation,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(AccessToken { token, expires_at })
    }

    /// Checks signature (by the current key, or else the previous one), algorithm (HS256,
    /// whatever the token's header says), issuer and expiry.
    pub fn verify_access(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        let current = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation);
        match (current, &self.previous) {
            (Err(error), Some(previous)) if *error.kind() == ErrorKind::InvalidSignature => {
                jsonwebtoken::decode::<Claims>(token, previous, &self.validation)
            }
            (result, _) => result,
        }
        .map(|data| data.claims)
    }

    /// Makes a new random refresh token, valid from `now` for the refresh lifetime.
    pub fn new_refresh(&self, now: DateTime<Utc>) -> RefreshToken {
        let bytes: [u8; 32] = rand::random();
        let secret = format!("qrt_{}", URL_SAFE_NO_PAD.encode(bytes));
        RefreshToken {
            hash: hash_refresh(&secret),
            secret,
            expires_at: now + self.refresh_ttl,
        }
    }
}

/// The stored form of a refresh token. SHA-256 suffices: the token is 256 random bits.
pub fn hash_refresh(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The tokens in links mailed to people (address verification, password reset). A token is
/// derived from its row's id with a key of its own (made from the signing secret), so the
/// database keeps only the token's hash and the mail can be written whenever it is sent.
#[derive(Clone)]
pub struct LinkTokens {
    key: Vec<u8>,
}

impl std::fmt::Debug for LinkTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkTokens([redacted])")
    }
}

type HmacSha256 = hmac::Hmac<Sha256>;

impl LinkTokens {
    pub fn new(secret: &[u8]) -> Self {
        use hmac::Mac as _;
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(b"quartier link tokens v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    /// The token of the account token `id`.
    pub fn token(&self, id: Uuid) -> String {
        use hmac::Mac as _;
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// What the database keeps of a token.
    pub fn hash(token: &str) -> Vec<u8> {
        Sha256::digest(token.as_bytes()).to_vec()
    }

    fn unsubscribe_mac(&self, user_id: Uuid, kind: &str) -> HmacSha256 {
        use hmac::Mac as _;
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(b"unsubscribe:");
        mac.update(user_id.as_bytes());
        mac.update(kind.as_bytes());
        mac
    }

    /// The token of a one-click unsubscribe link: it switches off exactly `kind` for
    /// `user_id`, and needs no stored state (`<user>.<kind>.<signature>`).
    pub fn unsubscribe_token(&self, user_id: Uuid, kind: &str) -> String {
        use hmac::Mac as _;
        let signature =
            URL_SAFE_NO_PAD.encode(self.unsubscribe_mac(user_id, kind).finalize().into_bytes());
        format!("{}.{kind}.{signature}", user_id.simple())
    }

    /// The person and kind an unsubscribe token names, if its signature is right.
    pub fn read_unsubscribe_token(&self, token: &str) -> Option<(Uuid, String)> {
        use hmac::Mac as _;
        let mut parts = token.split('.');
        let (user, kind, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let user_id = Uuid::try_parse(user).ok()?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.unsubscribe_mac(user_id, kind)
            .verify_slice(&signature)
            .ok()?;
        Some((user_id, kind.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(
            b"a test secret that is long enough!!",
            Duration::from_secs(900),
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn unsubscribe_tokens_name_one_person_and_kind_and_cannot_be_altered() {
        let links = LinkTokens::new(b"a secret used only by this test, long enough");
        let user = Uuid::now_v7();
        let token = links.unsubscribe_token(user, "shift_reminder");
        assert_eq!(
            links.read_unsubscribe_token(&token),
            Some((user, "shift_reminder".to_owned()))
        );
        let other_kind = token.replace("shift_reminder", "signup_confirmed");
        assert_eq!(links.read_unsubscribe_token(&other_kind), None);
        let other_user = token.replacen(
            &user.simple().to_string(),
            &Uuid::now_v7().simple().to_string(),
            1,
        );
        assert_eq!(links.read_unsubscribe_token(&other_user), None);
        let other_secret = LinkTokens::new(b"another secret, just as long as the first");
        assert_eq!(other_secret.read_unsubscribe_token(&token), None);
        assert_eq!(links.read_unsubscribe_token("garbage"), None);
    }

    #[test]
    fn access_tokens_round_trip_with_required_claims() {
        let t = tokens();
        let id = Uuid::now_v7();
        let issued = t
            .issue_access(id, Role::Admin, 1, Utc::now())
            .expect("sign");
        let claims = t.verify_access(&issued.token).expect("verify");
        assert_eq!(claims.sub, id);
        assert_eq!(claims.role, "admin");
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        let t = tokens();
        let old = t
            .issue_access(
                Uuid::now_v7(),
                Role::Member,
                1,
                Utc::now() - chrono::Duration::hours(1),
            )
            .expect("sign");
        assert!(t.verify_access(&old.token).is_err());
        // Expired two seconds ago: refused, no grace.
        let just = t
            .issue_access(
                Uuid::now_v7(),
                Role::Member,
                1,
                Utc::now() - chrono::Duration::seconds(900 + 2),
            )
            .expect("sign");
        assert!(t.verify_access(&just.token).is_err());
        let other = Tokens::new(
            b"another secret, also long enough!!",
            Duration::from_secs(900),
            Duration::from_secs(60),
        );
        let forged = other
            .issue_access(Uuid::now_v7(), Role::Admin, 1, Utc::now())
            .expect("sign");
        assert!(t.verify_access(&forged.token).is_err());
    }

    #[test]
    fn after_a_rotation_the_previous_key_still_verifies_but_no_longer_signs() {
        let ttl = Duration::from_secs(900);
        let before = Tokens::new(b"the key used until the rotation!!!", ttl, ttl);
        let issued = before
            .issue_access(Uuid::now_v7(), Role::Member, 1, Utc::now())
            .expect("sign");
        let after = tokens().accepting_previous(b"the key used until the rotation!!!");
        assert!(after.verify_access(&issued.token).is_ok());
        assert!(tokens().verify_access(&issued.token).is_err());
        // What the rotated service signs, only the new key verifies.
        let fresh = after
            .issue_access(Uuid::now_v7(), Role::Member, 1, Utc::now())
            .expect("sign");
        assert!(tokens().verify_access(&fresh.token).is_ok());
        assert!(before.verify_access(&fresh.token).is_err());
        // The previous key does not revive an expired token.
        let expired = before
            .issue_access(
                Uuid::now_v7(),
                Role::Member,
                1,
                Utc::now() - chrono::Duration::hours(1),
            )
            .expect("sign");
        assert!(after.verify_access(&expired.token).is_err());
    }

    #[test]
    fn only_hs256_is_accepted() {
        let t = tokens();
        let secret = b"a test secret that is long enough!!";
        let claims = Claims {
            sub: Uuid::now_v7(),
            role: "admin".into(),
            iat: Utc::now().timestamp(),
            exp: Utc::now().timestamp() + 600,
            jti: Uuid::now_v7(),
            iss: ISSUER.into(),
            generation: 1,
        };
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .expect("sign");
        assert!(t.verify_access(&hs512).is_err());
        // An unsigned token: header {"alg":"none"}, the claims, no signature.
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"))
        );
        assert!(t.verify_access(&unsigned).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let t = tokens();
        let a = t.new_refresh(Utc::now());
        let b = t.new_refresh(Utc::now());
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash_refresh(&a.secret));
        assert_eq!(a.hash.len(), 32);
    }
}
