//! A fair share for anonymous readers: each client address may make so many anonymous
//! requests a minute, and anonymous searches (the expensive reads) run only a few at a time,
//! so that one busy client cannot starve everyone else. Signed-in users and API keys have
//! their own limits (`limits`) and are not held back here.
//!
//! Both are kept in the memory of each instance: protecting the database must not cost a
//! database round trip per public read. Behind several instances, each counts the requests
//! it serves.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;

/// How long an anonymous search waits for its turn before it is refused.
const SEARCH_WAIT: Duration = Duration::from_secs(1);

/// The most addresses remembered at once; past it, counts of earlier minutes are dropped.
const MAX_ADDRESSES: usize = 100_000;

/// The anonymous budgets of one instance.
#[derive(Debug)]
pub struct FairShare {
    per_minute: u32,
    /// Counts of the current minute, by client address: (minute, hits).
    counts: Mutex<HashMap<String, (i64, u32)>>,
    searches: Option<Semaphore>,
}

/// What an address has left in the current minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the minute ends.
    pub reset: i64,
}

impl FairShare {
    /// `per_minute` anonymous requests per address a minute and `searches` anonymous searches
    /// at a time; 0 switches either off.
    pub fn new(per_minute: u32, searches: u32) -> Self {
        Self {
            per_minute,
            counts: Mutex::new(HashMap::new()),
            searches: (searches > 0).then(|| Semaphore::new(searches as usize)),
        }
    }

    /// Counts an anonymous request from `address` at `now`: 429 over the limit, else what is
    /// left (`None` without a limit).
    pub fn count(&self, address: &str, now: DateTime<Utc>) -> Result<Option<Budget>, ApiError> {
        if self.per_minute == 0 {
            return Ok(None);
        }
        let minute = now.timestamp().div_euclid(60);
        let reset = 60 - now.timestamp().rem_euclid(60);
        let hits = {
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            if counts.len() >= MAX_ADDRESSES {
                counts.retain(|_, (at, _)| *at == minute);
            }
            let entry = counts.entry(address.to_owned()).or_insert((minute, 0));
            if entry.0 != minute {
                *entry = (minute, 0);
            }
            entry.1 = entry.1.saturating_add(1);
            entry.1
        };
        if hits > self.per_minute {
            return Err(ApiError::TooManyRequests {
                retry_after: reset.max(1) as u64,
                detail: "Too many requests from this address without sign-in: wait until \
                         Retry-After, or sign in."
                    .into(),
            });
        }
        Ok(Some(Budget {
            limit: self.per_minute,
            remaining: self.per_minute - hits,
            reset,
        }))
    }

    /// A turn for a search: immediate for signed-in callers and keys; an anonymous search
    /// waits for one of the few places (at most a second), else 429.
    pub async fn search(&self, anonymous: bool) -> Result<Option<SemaphorePermit<'_>>, ApiError> {
        let Some(searches) = self.searches.as_ref().filter(|_| anonymous) else {
            return Ok(None);
        };
        match tokio::time::timeout(SEARCH_WAIT, searches.acquire()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            _ => Err(ApiError::TooManyRequests {
                retry_after: 1,
                detail: "Too many searches without sign-in at the moment: retry after \
                         Retry-After, or sign in."
                    .into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_budget_per_minute() {
        let share = FairShare::new(2, 0);
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        assert_eq!(
            share
                .count("a", now)
                .expect("first")
                .expect("budget")
                .remaining,
            1
        );
        assert!(share.count("a", now).is_ok());
        assert!(matches!(
            share.count("a", now),
            Err(ApiError::TooManyRequests { .. })
        ));
        assert!(share.count("b", now).is_ok());
        let next_minute = now + chrono::Duration::seconds(60);
        assert!(share.count("a", next_minute).is_ok());
        assert_eq!(FairShare::new(0, 0).count("a", now).expect("off"), None);
    }

    #[actix_web::test]
    async fn anonymous_searches_take_turns_and_others_do_not_wait() {
        let share = FairShare::new(0, 1);
        let first = share.search(true).await.expect("a turn");
        assert!(first.is_some());
        assert!(share.search(false).await.expect("signed in").is_none());
        assert!(matches!(
            share.search(true).await,
            Err(ApiError::TooManyRequests { .. })
        ));
        drop(first);
        assert!(share.search(true).await.expect("a turn again").is_some());
    }
}
