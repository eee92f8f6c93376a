//! Keyset pagination: `limit` (default 20, at most 100) and an opaque `cursor` in, `items` and
//! `next_cursor` out. The cursor holds the sort key of the last item served (base64url of its
//! JSON), so a page is one index range scan however deep the client pages.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
/// The longest cursor any list gives out (a sort key of at most a few hundred characters).
pub const MAX_CURSOR_LEN: usize = 2048;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The page size a client asked for, checked against the bounds.
pub fn limit(requested: Option<i64>) -> Result<u32, ApiError> {
    match requested.unwrap_or(i64::from(DEFAULT_LIMIT)) {
        n if (1..=i64::from(MAX_LIMIT)).contains(&n) => Ok(n as u32),
        _ => Err(ApiError::query("limit", "must be from 1 to 100")),
    }
}

/// The key after which the requested page starts: whatever the list orders by, ending with a
/// unique id. 422 for a string that is no cursor this list gave out.
pub fn decode_cursor<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(ApiError::query(
            "cursor",
            "is not a cursor this list gave out",
        ));
    }
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::query("cursor", "is not a cursor this list gave out"))
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Cuts `rows` (fetched with `limit + 1`) to `limit` and makes the cursor for what follows
/// from the sort `key` of the last row served.
pub fn page<R, K: Serialize, T: ToSchema>(
    mut rows: Vec<R>,
    limit: u32,
    key: impl Fn(&R) -> K,
    item: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|last| encode_cursor(&key(last))))
        .flatten();
    Page {
        items: rows.into_iter().map(item).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).expect("default"), 20);
        assert_eq!(limit(Some(100)).expect("max"), 100);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
        assert!(limit(Some(-1)).is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let keys: Vec<(String, u32)> = (0..3).map(|n| (format!("Name {n}"), n)).collect();
        let first = page(keys.clone(), 2, |k| k.clone(), |k| k.0);
        assert_eq!(first.items, ["Name 0", "Name 1"]);
        let cursor = first.next_cursor.expect("more follow");
        let after: Option<(String, u32)> = decode_cursor(Some(&cursor)).expect("valid");
        assert_eq!(after, Some(keys[1].clone()));
        assert!(page(keys, 3, |k| k.clone(), |k| k.0).next_cursor.is_none());
        assert!(decode_cursor::<(String, u32)>(Some("not a cursor")).is_err());
        assert!(decode_cursor::<(String, u32)>(Some(&"0".repeat(22))).is_err());
        assert_eq!(decode_cursor::<(String, u32)>(None).expect("none"), None);
    }
}
