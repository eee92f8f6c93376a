//! Keyset pagination: `limit` (default 20, at most 100) and an opaque `cursor` in, `items` and
//! `next_cursor` out. The cursor is the key of the last item served, base64url-encoded, so a
//! page is one index range scan however deep the client pages.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// Reads any 22 base64url characters as 16 bytes, so every string of the documented pattern
/// is a cursor (one that names no row simply starts after it).
const CURSOR_DECODER: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

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
        _ => Err(ApiError::validation("limit", "must be from 1 to 100")),
    }
}

/// The key after which the requested page starts.
pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    CURSOR_DECODER
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::validation("cursor", "is not a cursor this list gave out"))
}

/// Cuts `rows` (fetched with `limit + 1`) to `limit` and makes the cursor for what follows.
pub fn page<R, T: ToSchema>(
    mut rows: Vec<R>,
    limit: u32,
    key: impl Fn(&R) -> Uuid,
    item: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            rows.last()
                .map(|last| URL_SAFE_NO_PAD.encode(key(last).as_bytes()))
        })
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
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let first = page(ids.clone(), 2, |id| *id, |id| id.to_string());
        assert_eq!(first.items.len(), 2);
        let cursor = first.next_cursor.expect("more follow");
        assert_eq!(decode_cursor(Some(&cursor)).expect("valid"), Some(ids[1]));
        assert!(
            page(ids, 3, |id| *id, |id| id.to_string())
                .next_cursor
                .is_none()
        );
        assert!(decode_cursor(Some("not a cursor")).is_err());
        assert!(
            decode_cursor(Some(&"0".repeat(22)))
                .expect("pattern-shaped")
                .is_some()
        );
        assert_eq!(decode_cursor(None).expect("none"), None);
    }
}
