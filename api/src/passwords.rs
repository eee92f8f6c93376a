//! Password hashing with argon2id, off the async executor and bounded in concurrency.
//!
//! One hash costs ~20 ms of CPU. Hashing runs on the blocking pool, at most
//! `password_hash_concurrency` at a time, so a flood of logins queues here instead of
//! starving every other request of the executor threads.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How long a request waits for a hashing slot before it is told to retry (503).
const QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Passwords {
    slots: Arc<Semaphore>,
    /// A hash of a random password, verified against when no account matches, so that an
    /// unknown address costs the same time as a wrong password.
    decoy_hash: Arc<str>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("free_slots", &self.slots.available_permits())
            .finish()
    }
}

impl Passwords {
    pub fn new(concurrency: usize) -> Result<Self, ApiError> {
        let decoy: [u8; 24] = rand::random();
        let decoy_hash = hash_now(&decoy)?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            decoy_hash: decoy_hash.into(),
        })
    }

    /// Hashes a new password into a PHC string (`$argon2id$v=19$…`).
    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let password = password.to_owned();
        self.run(move || hash_now(password.as_bytes())).await?
    }

    /// Checks `password` against `stored` — or, when there is no account, against the decoy,
    /// and then answers false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
        let password = password.to_owned();
        let (hash, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.decoy_hash.to_string(), false),
        };
        let matches = self
            .run(move || {
                Argon2::default()
                    .verify_password(password.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(real && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let slot = tokio::time::timeout(QUEUE_WAIT, Arc::clone(&self.slots).acquire_owned())
            .await
            .map_err(|_| ApiError::Unavailable("password hashing queue is full".into()))?
            .map_err(|_| ApiError::Internal("password hashing closed".into()))?;
        // The slot moves into the blocking task: it is held for as long as the hash runs, even
        // when the request that asked for it is dropped first.
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(slot);
            result
        })
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing task failed: {e}")))
    }
}

fn hash_now(password: &[u8]) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(format!("password hashing failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_decoy_never_matches() {
        let passwords = Passwords::new(2).expect("hasher");
        let hash = passwords.hash("correct horse battery").await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify("correct horse battery", Some(&hash))
                .await
                .expect("verify")
        );
        assert!(
            !passwords
                .verify("wrong horse battery", Some(&hash))
                .await
                .expect("verify")
        );
        assert!(
            !passwords
                .verify("correct horse battery", None)
                .await
                .expect("verify")
        );
        assert!(
            !passwords
                .verify("x", Some("not a phc string"))
                .await
                .expect("verify")
        );
    }
}
