//! Fixed-window rate-limit counters in PostgreSQL, so that every API instance counts against
//! the same limits. One statement per hit: no counter is ever read and written apart.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::Result;
use crate::schema::rate_limits;
use crate::sql::Reusable;

/// A bucket's count in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Count {
    #[diesel(sql_type = Integer)]
    pub hits: i32,
    #[diesel(sql_type = Timestamptz)]
    pub window_start: DateTime<Utc>,
}

/// The start of the window of length `window` that holds `now`.
pub fn window_start(now: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    let length = window.num_seconds().max(1);
    let start = now.timestamp().div_euclid(length) * length;
    DateTime::from_timestamp(start, 0).unwrap_or(now)
}

/// The counting upsert, after an optional further `WITH` part and before extra `RETURNING`
/// columns. A window only moves forward: a hit stamped with an earlier window (another
/// instance's clock, a request that began just before the turn) counts in the current one.
///
/// The statement commits without waiting for its WAL to reach the disk
/// (`synchronous_commit` off for its own transaction): a counter is not worth a disk flush
/// on every request, and a crash loses at most the last fraction of a second of hits.
macro_rules! hit_sql {
    ($with:literal, $returning:literal) => {
        concat!(
            "WITH quiet AS (SELECT set_config('synchronous_commit', 'off', true)) ",
            $with,
            "INSERT INTO rate_limits AS r (bucket, window_start, hits) SELECT $1, $2, $3 FROM quiet \
             ON CONFLICT (bucket) DO UPDATE SET \
               hits = CASE WHEN r.window_start >= EXCLUDED.window_start THEN r.hits + EXCLUDED.hits ELSE EXCLUDED.hits END, \
               window_start = GREATEST(r.window_start, EXCLUDED.window_start) \
             RETURNING r.hits, r.window_start",
            $returning
        )
    };
}

const HIT: &str = hit_sql!("", "");

/// `HIT` for a signed-in user, telling in the same round trip the account's role and token
/// generation now (`NULL` once the account is gone).
const HIT_FOR_USER: &str = hit_sql!(
    ", account AS (SELECT role, token_generation FROM users WHERE id = $4) ",
    ", (SELECT role FROM account) AS role, (SELECT token_generation FROM account) AS token_generation"
);

/// A user's count, and their role and token generation as stored now.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct UserCount {
    #[diesel(sql_type = Integer)]
    pub hits: i32,
    #[diesel(sql_type = Timestamptz)]
    pub window_start: DateTime<Utc>,
    /// `None`: the account no longer exists.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub role: Option<String>,
    /// Access tokens of an earlier generation are no longer valid.
    #[diesel(sql_type = diesel::sql_types::Nullable<Integer>)]
    pub token_generation: Option<i32>,
}

/// `hit` for the user `user_id`, with their role as stored now.
pub async fn hit_for_user(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    window: Duration,
    now: DateTime<Utc>,
    user_id: uuid::Uuid,
) -> Result<UserCount> {
    Ok(Reusable(
        diesel::sql_query(HIT_FOR_USER)
            .bind::<Text, _>(bucket)
            .bind::<Timestamptz, _>(window_start(now, window))
            .bind::<Integer, _>(1)
            .bind::<diesel::sql_types::Uuid, _>(user_id),
    )
    .get_result(conn)
    .await?)
}

/// The account of `user_id` as stored now, counting nothing (for instances without a limit
/// for signed-in users): `hits` is 0.
pub async fn account_now(conn: &mut AsyncPgConnection, user_id: uuid::Uuid) -> Result<UserCount> {
    const ACCOUNT: &str = "\
        SELECT 0 AS hits, now() AS window_start, u.role, u.token_generation \
          FROM (SELECT 1) one LEFT JOIN users u ON u.id = $1";
    Ok(
        Reusable(diesel::sql_query(ACCOUNT).bind::<diesel::sql_types::Uuid, _>(user_id))
            .get_result(conn)
            .await?,
    )
}

/// Counts `weight` hits for `bucket` in the window holding `now`, and says how many it has
/// had in that window, these included.
pub async fn hit(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    window: Duration,
    now: DateTime<Utc>,
    weight: i32,
) -> Result<Count> {
    Ok(Reusable(
        diesel::sql_query(HIT)
            .bind::<Text, _>(bucket)
            .bind::<Timestamptz, _>(window_start(now, window))
            .bind::<Integer, _>(weight),
    )
    .get_result(conn)
    .await?)
}

/// How many hits `bucket` has had in the window holding `now`, without counting one.
pub async fn peek(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<i32> {
    let found: Option<i32> = rate_limits::table
        .filter(rate_limits::bucket.eq(bucket))
        .filter(rate_limits::window_start.eq(window_start(now, window)))
        .select(rate_limits::hits)
        .first(conn)
        .await
        .optional()?;
    Ok(found.unwrap_or(0))
}

/// Forgets `bucket` (a successful sign-in clears its failures).
pub async fn reset(conn: &mut AsyncPgConnection, bucket: &str) -> Result<()> {
    diesel::delete(rate_limits::table.filter(rate_limits::bucket.eq(bucket)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes counters whose window started before `before`; returns how many.
pub async fn sweep(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> Result<usize> {
    Ok(
        diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before)))
            .execute(conn)
            .await?,
    )
}
