//! `Idempotency-Key` for every operation that honours it (sign-ups, imports): one wrapper
//! that runs the operation once per key and caller and answers a retry with the first answer.
//!
//! The operation runs inside the key's transaction, so what it did is stored with its answer.
//! An answer of 4xx is stored like a success (the retry would be refused the same way); a 503
//! or 500 is not stored and rolls the operation back, and goes out through `ApiError` like
//! any other, logged with the request id.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use futures_util::future::BoxFuture;
use quartier_persistence::AsyncPgConnection;
use quartier_persistence::idempotency::{self, Outcome};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, PROBLEM_JSON};

/// An answer as it is sent and stored: status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
}

impl Answer {
    pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Self {
        Self {
            status,
            body: serde_json::to_string(value).unwrap_or_default(),
        }
    }

    /// The response, with `Location` for a created object when `location` finds one in the
    /// body.
    pub fn into_response(
        self,
        location: impl Fn(&serde_json::Value) -> Option<String>,
    ) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status.is_success() {
            if let Some(at) = serde_json::from_str(&self.body)
                .ok()
                .as_ref()
                .and_then(location)
            {
                response.insert_header((actix_web::http::header::LOCATION, at));
            }
            response.content_type("application/json").body(self.body)
        } else {
            response.content_type(PROBLEM_JSON).body(self.body)
        }
    }
}

/// What identifies a request for its key: the operation and the exact body.
#[derive(Debug)]
pub struct Fingerprint<'a> {
    /// Method and path with the query that changes the outcome (`POST /shifts/{id}/signups`).
    pub operation: String,
    pub body: &'a [u8],
}

impl Fingerprint<'_> {
    fn hash(&self) -> Vec<u8> {
        use sha2::Digest as _;
        let mut hasher = sha2::Sha256::new();
        hasher.update(self.operation.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.body);
        hasher.finalize().to_vec()
    }
}

/// Runs `work` once: without a key, just so; with one, once per key of this caller.
pub async fn run<F>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: Option<String>,
    fingerprint: Fingerprint<'_>,
    work: F,
) -> Result<Answer, ApiError>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, Result<Answer, ApiError>>
        + Send
        + 'static,
{
    let Some(key) = key else {
        return work(conn).await;
    };
    let owner: Uuid = match caller {
        Caller::User(user) => user.id,
        Caller::Key(key) => key.key_id,
    };
    let outcome = idempotency::once(conn, owner, &key, &fingerprint.hash(), move |conn| {
        Box::pin(async move {
            match work(conn).await {
                Ok(answer) => Ok((answer.status.as_u16(), answer.body)),
                Err(ApiError::Unavailable(cause)) => {
                    Err(quartier_persistence::Error::Unavailable(cause))
                }
                // Rolled back and not stored; answered (and logged) as the 500 it is.
                Err(ApiError::Internal(cause)) => Err(quartier_persistence::Error::Other(cause)),
                Err(refused) => {
                    let problem = refused.problem();
                    Ok((
                        problem.status,
                        serde_json::to_string(&problem).unwrap_or_default(),
                    ))
                }
            }
        })
    })
    .await?;
    match outcome {
        Outcome::Fresh(status, body) | Outcome::Replayed(status, body) => Ok(Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body,
        }),
        Outcome::KeyReused => Err(ApiError::validation(
            "header.Idempotency-Key",
            "was used before for a different request",
        )),
    }
}
