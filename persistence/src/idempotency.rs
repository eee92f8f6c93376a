//! `Idempotency-Key`: a retried request with the same key gets the first answer, and nothing
//! happens twice — also when the retry arrives while the first is still running.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use crate::schema::idempotency_keys;
use crate::{Error, Result};

/// What became of a request with a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It ran now: its status and body.
    Fresh(u16, String),
    /// It ran before: the status and body it got then.
    Replayed(u16, String),
    /// The key was used before for a different request.
    KeyReused,
}

/// Runs `work` once per `(owner_id, key)`, the owner being an account or an API key: the first
/// request runs it and stores its answer (unless a 5xx); later ones with the same request get that answer. Requests with one key
/// wait for each other. `work` runs inside the transaction, so what it does is stored together
/// with the answer.
pub async fn once<F>(
    conn: &mut AsyncPgConnection,
    owner_id: Uuid,
    key: &str,
    request_hash: &[u8],
    work: F,
) -> Result<Outcome>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, Result<(u16, String)>> + Send,
{
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(format!("idempotency:{owner_id}:{key}"))
            .execute(conn)
            .await?;
        let stored: Option<(Vec<u8>, i32, String)> = idempotency_keys::table
            .filter(idempotency_keys::owner_id.eq(owner_id))
            .filter(idempotency_keys::key.eq(key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status,
                idempotency_keys::body,
            ))
            .first(conn)
            .await
            .optional()?;
        if let Some((hash, status, body)) = stored {
            return Ok(if hash == request_hash {
                Outcome::Replayed(u16::try_from(status).unwrap_or(500), body)
            } else {
                Outcome::KeyReused
            });
        }
        let (status, body) = work(conn).await?;
        if status < 500 {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::owner_id.eq(owner_id),
                    idempotency_keys::key.eq(key),
                    idempotency_keys::request_hash.eq(request_hash),
                    idempotency_keys::status.eq(i32::from(status)),
                    idempotency_keys::body.eq(&body),
                ))
                .execute(conn)
                .await?;
        }
        Ok(Outcome::Fresh(status, body))
    })
    .await
}
