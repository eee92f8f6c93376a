//! The variants of every text, held in memory for public lists: what's on, the centre
//! directory and the other lists read them here instead of asking the database on every
//! request. Single resources and staff views always read the database.
//!
//! The copy is checked against the database at most every `CHECK_EVERY` (one small query,
//! made by whichever request comes first) and read again whole when a variant was written
//! or removed since, by any instance. A write on this instance makes lists read the database
//! until the copy is fresh again, so that staff see what they wrote at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use quartier_domain::translation::TextOwner;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::translations::{self, CachedVariant};
use uuid::Uuid;

/// How often the copy is compared with the database.
const CHECK_EVERY: Duration = Duration::from_secs(2);

/// The most rows held: beyond, lists read the database.
const MAX_ROWS: i64 = 200_000;

/// The copy: what the database held at `generation`, by owner.
#[derive(Debug)]
pub struct Snapshot {
    /// The order in which refreshes started: a later one's copy replaces an earlier one's.
    ticket: u64,
    generation: i64,
    /// This instance's writes counted when it was read.
    writes: u64,
    /// `None` when there were more than `MAX_ROWS` variants: lists read the database until
    /// the generation moves.
    by_owner: Option<HashMap<(TextOwner, Uuid), Vec<CachedVariant>>>,
}

impl Snapshot {
    /// The variants of one owner.
    pub fn of(&self, owner: TextOwner, id: Uuid) -> &[CachedVariant] {
        self.by_owner
            .as_ref()
            .and_then(|by_owner| by_owner.get(&(owner, id)))
            .map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug)]
pub struct VariantCache {
    started: Instant,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// When the copy was last compared, in milliseconds since `started`, plus one (zero:
    /// compare now).
    checked: AtomicU64,
    /// Writes of variants made through this instance.
    writes: AtomicU64,
    /// Refreshes started.
    tickets: AtomicU64,
}

impl Default for VariantCache {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            snapshot: RwLock::new(None),
            checked: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            tickets: AtomicU64::new(0),
        }
    }
}

impl VariantCache {
    /// Counts a write of variants, once its transaction committed: lists read the database
    /// until the copy has it.
    pub fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.checked.store(0, Ordering::SeqCst);
    }

    /// The copy, when it is fresh and whole; `None` when lists should read the database.
    /// Compares it with the database if that is due (one request at a time does); when that
    /// fails, the copy is dropped and lists read the database (which reports what went
    /// wrong) until the next check is due.
    pub async fn fresh(&self, conn: &mut AsyncPgConnection) -> Option<Arc<Snapshot>> {
        let now = self.started.elapsed().as_millis() as u64 + 1;
        let checked = self.checked.load(Ordering::SeqCst);
        let due = checked == 0 || now.saturating_sub(checked) >= CHECK_EVERY.as_millis() as u64;
        if due
            && self
                .checked
                .compare_exchange(checked, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            && let Err(error) = self.refresh(conn).await
        {
            tracing::warn!(%error, "the variants could not be read into memory");
            if let Ok(mut slot) = self.snapshot.write() {
                *slot = None;
            }
            return None;
        }
        let writes = self.writes.load(Ordering::SeqCst);
        let snapshot = self.snapshot.read().map_or(None, |s| s.clone());
        snapshot.filter(|s| s.writes == writes && s.by_owner.is_some())
    }

    /// Reads every variant again if the database's generation moved (or this instance
    /// wrote) since the copy was made. A slower refresh that started earlier never replaces
    /// the copy of a later one.
    async fn refresh(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> Result<(), quartier_persistence::Error> {
        let ticket = self.tickets.fetch_add(1, Ordering::SeqCst) + 1;
        // Writes are counted after they commit, so what is read next holds all of them.
        let writes = self.writes.load(Ordering::SeqCst);
        let generation = translations::generation(conn).await?;
        let current = self.snapshot.read().map_or(None, |s| s.clone());
        if current
            .as_ref()
            .is_some_and(|s| s.generation == generation && s.writes == writes)
        {
            return Ok(());
        }
        let by_owner = translations::all(conn, MAX_ROWS).await?.map(|rows| {
            let mut by_owner: HashMap<(TextOwner, Uuid), Vec<CachedVariant>> = HashMap::new();
            for row in rows {
                by_owner
                    .entry((row.owner, row.owner_id))
                    .or_default()
                    .push(row);
            }
            by_owner
        });
        if by_owner.is_none() {
            tracing::warn!(
                limit = MAX_ROWS,
                "more variants than are held in memory: lists read them from the database"
            );
        }
        let fresh = Snapshot {
            ticket,
            generation,
            writes,
            by_owner,
        };
        if let Ok(mut slot) = self.snapshot.write()
            && slot.as_ref().is_none_or(|held| held.ticket < fresh.ticket)
        {
            *slot = Some(Arc::new(fresh));
        }
        Ok(())
    }
}
