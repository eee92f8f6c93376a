//! Password hashing with argon2id, off the async executor and bounded in concurrency.
//!
//! One hash costs ~20 ms of CPU and 19 MiB of memory. Hashing runs on a few threads of its
//! own, `password_hash_concurrency` of them, so a flood of logins queues here instead of
//! starving the executor, and memory stays at a few hashes' worth: on tokio's blocking pool
//! the work would wander over many threads, each keeping its own allocator arena full of
//! freed hash buffers (hundreds of MiB under a login flood).
//!
//! A hashing thread may also be held to a share of its core (its duty): after each hash it
//! rests for as long as that share asks, still holding its slot, so that a flood of sign-ins
//! cannot take whole cores from everything else. The answer of the hash goes out before
//! the rest: a single sign-in is as fast as ever (a password change, which checks the old
//! password and hashes the new, waits out one rest); sign-ins in a flood queue.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::{Semaphore, oneshot};

use crate::error::ApiError;

/// How long a request waits for a hashing slot before it is told to retry (503).
const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// The longest a hashing thread rests after a hash.
const MAX_REST: Duration = Duration::from_secs(1);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Passwords {
    /// One slot per hashing thread: a request holding a slot has a thread waiting for it.
    slots: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
    /// How long a thread rests after a hash, as a multiple of the hash's time.
    rest: f64,
    /// A hash of a random password, verified against when no account matches, so that an
    /// unknown address costs the same time as a wrong password.
    decoy_hash: Arc<str>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("free_slots", &self.slots.available_permits())
            .finish_non_exhaustive()
    }
}

impl Passwords {
    /// Starts `concurrency` hashing threads that hash without rest; they end when the last
    /// clone of this is dropped.
    pub fn new(concurrency: usize) -> Result<Self, ApiError> {
        Self::with_duty(concurrency, 100)
    }

    /// Starts `concurrency` hashing threads, each using at most `duty_percent` of its core
    /// (1 to 100).
    pub fn with_duty(concurrency: usize, duty_percent: u32) -> Result<Self, ApiError> {
        let duty = f64::from(duty_percent.clamp(1, 100)) / 100.0;
        let concurrency = concurrency.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..concurrency {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| ApiError::Internal(format!("cannot start a hashing thread: {e}")))?;
        }
        let decoy: [u8; 24] = rand::random();
        Ok(Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            jobs,
            rest: 1.0 / duty - 1.0,
            decoy_hash: hash_now(&decoy)?.into(),
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
        let (done, result) = oneshot::channel();
        let rest = self.rest;
        // The slot moves into the job: it is held for as long as the hash and the thread's
        // rest after it run, even when the request that asked for it is dropped first.
        let job: Job = Box::new(move || {
            let started = Instant::now();
            let _ = done.send(work());
            if rest > 0.0 {
                // A hash stalled by the machine (a paused VM) must not close the queue for
                // minutes: the rest is a second at most.
                std::thread::sleep(started.elapsed().mul_f64(rest).min(MAX_REST));
            }
            drop(slot);
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Internal("password hashing threads stopped".into()))?;
        result
            .await
            .map_err(|_| ApiError::Internal("password hashing job was lost".into()))
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
