//! Public reads on a read replica (`QUARTIER_READ_DATABASE_URL`): what anonymous readers ask
//! of the public lists is read from a streaming replica, everything else — writes, and every
//! read of someone signed in, who must see her own writes — from the primary.
//!
//! The middleware marks an anonymous read of a public page; `AppState::conn` then borrows
//! from the replica's pool, as long as the replica keeps up. At most every `CHECK_EVERY` one
//! request compares the replica's replayed WAL with where the primary stood at the check
//! before: a replica that has not reached it lags by more than that interval and is passed
//! over until it has. A replica that does not answer is passed over too. Either way public
//! reads go to the primary. A statement running on the replica when it stops (or that it
//! cancels for a conflict with replay) fails with 503, which a load balancer retries.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use quartier_persistence::PgPool;
use quartier_persistence::operations;
use quartier_persistence::pool::{self, PooledConnection};

/// How often the replica's position is compared with the primary's.
const CHECK_EVERY: Duration = Duration::from_millis(500);

/// How long a request waits for a replica connection before it reads from the primary.
const WAIT: Duration = Duration::from_millis(200);

/// The oldest position of the primary a replica is measured against: a replica that has
/// replayed it lags by less than this (and the time between comparisons).
const RECENT: Duration = Duration::from_secs(3);

/// How long a comparison may take; longer, the replica is passed over.
const COMPARE_TIMEOUT: Duration = Duration::from_secs(1);

tokio::task_local! {
    /// Set while an anonymous read of a public page is answered.
    static PUBLIC_READ: ();
}

/// Runs `work` as an anonymous read of public pages: its connections come from the replica.
pub async fn as_public_read<F: std::future::Future>(work: F) -> F::Output {
    PUBLIC_READ.scope((), work).await
}

/// Whether the request being answered is an anonymous read of a public page.
pub fn reading_publicly() -> bool {
    PUBLIC_READ.try_with(|()| ()).is_ok()
}

/// The public pages read from the replica: the lists anonymous readers ask for (those the
/// public cache keeps, and the public concerns and districts), and a centre.
fn public_page(path: &str) -> bool {
    if crate::public_cache::is_public_page(path) {
        return true;
    }
    match path.strip_prefix("/api/v1/") {
        Some("concerns" | "districts") => true,
        Some(rest) => rest
            .strip_prefix("centres/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/')),
        None => false,
    }
}

/// The middleware: marks anonymous reads of public pages.
pub async fn route_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let public = req.method() == actix_web::http::Method::GET
        && public_page(req.path())
        && !crate::public_cache::brings_credentials(req.headers());
    if public {
        PUBLIC_READ.scope((), next.call(req)).await
    } else {
        next.call(req).await
    }
}

/// The replica, and whether it keeps up.
pub struct ReadReplica {
    pool: PgPool,
    /// One connection to each database for the comparisons alone, so that they never wait
    /// behind the requests for a connection (a busy pool would pass a sound replica over).
    watch_primary: PgPool,
    watch_replica: PgPool,
    started: Instant,
    /// When it was last compared, in milliseconds since `started`, plus one (zero: never).
    checked: AtomicU64,
    checking: AtomicBool,
    in_use: AtomicBool,
    /// Where the primary's WAL stood at the last comparison.
    primary_at: AtomicU64,
    /// When that was, in milliseconds since `started`, plus one (zero: never).
    primary_seen: AtomicU64,
    /// How far the replica was behind the primary at the last comparison, in bytes.
    behind: AtomicU64,
}

impl std::fmt::Debug for ReadReplica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadReplica")
            .field("pool", &self.pool.status())
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl ReadReplica {
    /// The replica's `pool` for reads, and a pool of one connection to each database for
    /// the comparisons.
    pub fn new(pool: PgPool, watch_primary: PgPool, watch_replica: PgPool) -> Self {
        Self {
            pool,
            watch_primary,
            watch_replica,
            started: Instant::now(),
            checked: AtomicU64::new(0),
            checking: AtomicBool::new(false),
            in_use: AtomicBool::new(false),
            primary_at: AtomicU64::new(0),
            primary_seen: AtomicU64::new(0),
            behind: AtomicU64::new(0),
        }
    }

    /// Whether public reads go to the replica now, and how many bytes of WAL it was behind
    /// at the last comparison.
    pub fn state(&self) -> (bool, u64) {
        (
            self.in_use.load(Ordering::Relaxed),
            self.behind.load(Ordering::Relaxed),
        )
    }

    /// A replica connection for a public read, when the replica keeps up; `None`: read from
    /// the primary.
    pub async fn conn(&self) -> Option<PooledConnection> {
        self.check().await;
        if !self.in_use.load(Ordering::Acquire) {
            return None;
        }
        let status = self.pool.status();
        if status.size >= status.max_size && status.available == 0 {
            // Busy, not gone: wait for a connection as a request on the primary would.
            return pool::get(&self.pool).await.ok();
        }
        match tokio::time::timeout(WAIT, self.pool.get()).await {
            Ok(Ok(conn)) => Some(conn),
            _ => {
                // Not answering: passed over until the next comparison finds it again.
                self.in_use.store(false, Ordering::Release);
                None
            }
        }
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64 + 1
    }

    async fn check(&self) {
        let now = self.elapsed_ms();
        let checked = self.checked.load(Ordering::Acquire);
        if checked != 0 && now < checked + CHECK_EVERY.as_millis() as u64 {
            return;
        }
        if self.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        // Reset however the comparison ends, even when the request is dropped meanwhile.
        let _done = Compared(self);
        let usable = tokio::time::timeout(COMPARE_TIMEOUT, self.compare(now))
            .await
            .unwrap_or(false);
        self.in_use.store(usable, Ordering::Release);
    }

    /// Whether the replica has replayed what the primary had written at the comparison
    /// before this one, made no longer ago than `RECENT` (after a pause, this comparison
    /// only notes where the primary stands, and the next one decides).
    async fn compare(&self, now: u64) -> bool {
        let Ok(Ok(mut replica)) = tokio::time::timeout(WAIT, self.watch_replica.get()).await else {
            tracing::debug!("the read replica does not answer: public reads go to the primary");
            return false;
        };
        let Ok(mut conn) = pool::get(&self.watch_primary).await else {
            return false;
        };
        let (Ok(replayed), Ok(written)) = (
            operations::replayed_wal(&mut replica).await,
            operations::written_wal(&mut conn).await,
        ) else {
            return false;
        };
        let before = self.primary_at.swap(written, Ordering::AcqRel);
        let seen = self.primary_seen.swap(now, Ordering::AcqRel);
        let recent = seen != 0 && now <= seen + RECENT.as_millis() as u64;
        match replayed {
            // Not in recovery: a database of its own, not a replica. It is used as it is.
            None => {
                self.behind.store(0, Ordering::Relaxed);
                true
            }
            Some(replayed) => {
                self.behind
                    .store(written.saturating_sub(replayed), Ordering::Relaxed);
                recent && replayed >= before
            }
        }
    }
}

/// Marks a comparison as done when dropped.
struct Compared<'a>(&'a ReadReplica);

impl Drop for Compared<'_> {
    fn drop(&mut self) {
        self.0.checked.store(self.0.elapsed_ms(), Ordering::Release);
        self.0.checking.store(false, Ordering::Release);
    }
}
