//! Public pages answered from memory: what's on, the activity and centre lists, their feeds,
//! open shifts and help wanted, as anonymous readers get them. Every anonymous reader of a
//! town asks for the same few pages, so each instance keeps each page (the serialized body
//! and its headers, by path, normalised query and the headers that choose the answer) for a
//! short time (`QUARTIER_PUBLIC_CACHE_TTL_MS`, 2 s by default) and answers the rush from it.
//!
//! When a page is missing or too old, the first reader's request makes it and the readers
//! who ask for it meanwhile wait for that one page (the database is asked once per page and
//! time to live, however many read it).
//!
//! A page is dropped earlier when what it shows changes. At most every `CHECK_EVERY` a task
//! asks the database what changed since it last looked (one small statement; no reader waits
//! for it): rows
//! the directory's triggers wrote into `public_changes` (activities, dates, centres,
//! districts, operators, texts) drop every page; shift and sign-up events of the outbox drop
//! the pages of shifts and help wanted. A change that commits out of order can be missed by
//! that look; the time to live bounds how long.
//!
//! Anyone who brings credentials (a bearer token, an API key, a guest token, a cookie)
//! bypasses the cache, both ways: a signed-in reader never gets a page made for another, and
//! sees her own writes at once. `ETag`s are the handlers' own, kept with the page, and
//! `If-None-Match` is answered from them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, HttpResponseBuilder};
use quartier_persistence::operations::{self, ChangeMark};

use crate::config::PublicCacheSettings;
use crate::extract::IfNoneMatch;
use crate::metrics::CacheResult;
use crate::state::AppState;

/// How often one request asks the database what changed.
const CHECK_EVERY: Duration = Duration::from_millis(200);

/// How long a look for changes may take.
const LOOK_TIMEOUT: Duration = Duration::from_secs(2);

/// How often old rows of `public_changes` are removed.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// The largest page kept.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// The longest query string and header value a key is made of; longer requests are not
/// cached.
const MAX_KEY_PART: usize = 2048;

/// What a page shows, and so which changes drop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    /// The directory: activities, dates, centres, districts, operators.
    Directory,
    /// The directory and shifts with their places.
    Places,
}

/// The pages kept, by path (under `/api/v1`).
fn shows(path: &str) -> Option<Shows> {
    let rest = path.strip_prefix("/api/v1/")?;
    let (name, format) = match rest.split_once('.') {
        Some((name, format)) => (name, Some(format)),
        None => (rest, None),
    };
    if format.is_some_and(|f| f.is_empty() || f.contains('/')) {
        return None;
    }
    match (name, format) {
        ("occurrences" | "centres", _) | ("activities", None) => Some(Shows::Directory),
        ("help-wanted", _) | ("shifts", None) => Some(Shows::Places),
        _ => None,
    }
}

/// Headers that carry credentials: a request with any of them is never cached.
const CREDENTIALS: [&str; 4] = ["authorization", "x-api-key", "x-guest-token", "cookie"];

/// Whether `headers` bring credentials of any kind: the reader may be someone.
pub fn brings_credentials(headers: &HeaderMap) -> bool {
    CREDENTIALS.iter().any(|name| headers.contains_key(*name))
}

/// Whether `path` is one of the public pages kept here.
pub fn is_public_page(path: &str) -> bool {
    shows(path).is_some()
}

/// The most pages held, whatever their size.
const MAX_PAGES: usize = 20_000;

/// Headers that choose the answer, part of the key: the reader's languages everywhere, and
/// `Accept` where the format is negotiated (help wanted).
fn choosers(path: &str) -> &'static [HeaderName] {
    const LANGUAGE: &[HeaderName] = &[header::ACCEPT_LANGUAGE];
    const LANGUAGE_AND_FORMAT: &[HeaderName] = &[header::ACCEPT_LANGUAGE, header::ACCEPT];
    if path == "/api/v1/help-wanted" {
        LANGUAGE_AND_FORMAT
    } else {
        LANGUAGE
    }
}

/// Headers of the handler's answer that are not kept with the page.
fn kept(name: &HeaderName) -> bool {
    name != header::DATE && name != header::SET_COOKIE && name != header::CONTENT_LENGTH
}

#[derive(Debug)]
struct Page {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    etag: Option<String>,
    made: Instant,
    /// The generations it was made at.
    generations: [u64; 2],
    shows: Shows,
    /// The length of its key, which is held with it.
    key_len: usize,
}

impl Page {
    fn answer(&self, if_none_match: &IfNoneMatch) -> HttpResponse {
        let not_modified = self
            .etag
            .as_deref()
            .is_some_and(|etag| if_none_match.matches(etag));
        let mut builder = HttpResponseBuilder::new(if not_modified {
            StatusCode::NOT_MODIFIED
        } else {
            self.status
        });
        for (name, value) in &self.headers {
            if not_modified && name == header::CONTENT_TYPE {
                continue;
            }
            builder.append_header((name.clone(), value.clone()));
        }
        if not_modified {
            builder.finish()
        } else {
            builder.body(self.body.clone())
        }
    }

    fn size(&self) -> usize {
        self.body.len()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.as_str().len() + v.len() + 64)
                .sum::<usize>()
            + self.key_len
            + 256
    }
}

/// The pages of one instance.
#[derive(Debug)]
pub struct PublicCache {
    ttl: Duration,
    max_bytes: usize,
    pages: RwLock<HashMap<String, Arc<Page>>>,
    bytes: AtomicUsize,
    /// Moved when the directory changed (0), and when shifts or sign-ups did (1).
    generations: [AtomicU64; 2],
    started: Instant,
    /// When the database was last asked, in milliseconds since `started`, plus one (zero:
    /// never).
    checked: AtomicU64,
    checking: AtomicBool,
    mark: Mutex<Option<ChangeMark>>,
    pruned: AtomicU64,
    /// Pages being made, by key: readers of a page being made wait for it.
    making: Mutex<HashMap<String, Made>>,
}

/// What became of a page being made: `None` while it is made, then the page, or `Some(None)`
/// when there is none to share (an answer other than 200, a page too large).
type Made = tokio::sync::watch::Receiver<Option<Option<Arc<Page>>>>;

/// What a request for a page does: wait for the one being made, or make it.
enum Turn {
    Wait(Made),
    Make(Making),
}

/// The right to make a page; dropping it lets the waiting readers go on.
struct Making {
    cache: Arc<PublicCache>,
    key: String,
    done: tokio::sync::watch::Sender<Option<Option<Arc<Page>>>>,
}

impl Making {
    /// Hands `page` to the readers waiting for it.
    fn made(&self, page: Arc<Page>) {
        self.done.send_replace(Some(Some(page)));
    }
}

impl Drop for Making {
    fn drop(&mut self) {
        if let Ok(mut making) = self.cache.making.lock() {
            making.remove(&self.key);
        }
        self.done.send_if_modified(|made| {
            let unfinished = made.is_none();
            if unfinished {
                *made = Some(None);
            }
            unfinished
        });
    }
}

impl PublicCache {
    pub fn new(settings: PublicCacheSettings) -> Self {
        Self {
            ttl: settings.ttl,
            max_bytes: settings.max_bytes,
            pages: RwLock::default(),
            bytes: AtomicUsize::new(0),
            generations: [AtomicU64::new(0), AtomicU64::new(0)],
            started: Instant::now(),
            checked: AtomicU64::new(0),
            checking: AtomicBool::new(false),
            mark: Mutex::new(None),
            pruned: AtomicU64::new(0),
            making: Mutex::default(),
        }
    }

    /// Whether this request makes the page of `key` or waits for another that does.
    fn turn(self: &Arc<Self>, key: &str) -> Turn {
        let Ok(mut making) = self.making.lock() else {
            let (done, _) = tokio::sync::watch::channel(None);
            return Turn::Make(Making {
                cache: self.clone(),
                key: key.to_owned(),
                done,
            });
        };
        if let Some(waiting) = making.get(key) {
            return Turn::Wait(waiting.clone());
        }
        let (done, waiting) = tokio::sync::watch::channel(None);
        making.insert(key.to_owned(), waiting);
        Turn::Make(Making {
            cache: self.clone(),
            key: key.to_owned(),
            done,
        })
    }

    /// Pages held and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let pages = self.pages.read().map_or(0, |pages| pages.len());
        (pages, self.bytes.load(Ordering::Relaxed))
    }

    fn generations(&self) -> [u64; 2] {
        [
            self.generations[0].load(Ordering::Acquire),
            self.generations[1].load(Ordering::Acquire),
        ]
    }

    /// Whether `page` may still be served at `generations`.
    fn fresh(&self, page: &Page, generations: [u64; 2], now: Instant) -> bool {
        let current = match page.shows {
            Shows::Directory => page.generations[0] == generations[0],
            Shows::Places => page.generations == generations,
        };
        current && now.duration_since(page.made) < self.ttl
    }

    /// The key of `req`'s page, when it is one that is kept and the request is anonymous.
    fn key(&self, req: &ServiceRequest) -> Option<(Shows, String)> {
        if self.ttl.is_zero() || req.method() != actix_web::http::Method::GET {
            return None;
        }
        let shows = shows(req.path())?;
        let headers = req.headers();
        if brings_credentials(headers) {
            return None;
        }
        let query = req.query_string();
        if query.len() > MAX_KEY_PART {
            return None;
        }
        let mut parts: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        parts.sort_unstable();
        let mut key = String::with_capacity(req.path().len() + query.len() + 64);
        key.push_str(req.path());
        key.push('?');
        key.push_str(&parts.join("&"));
        for name in choosers(req.path()) {
            key.push('\n');
            let value = chooser(headers, name)?;
            key.push_str(&value);
        }
        Some((shows, key))
    }

    fn get(&self, key: &str, generations: [u64; 2]) -> Option<Arc<Page>> {
        let page = self.pages.read().ok()?.get(key).cloned()?;
        self.fresh(&page, generations, Instant::now())
            .then_some(page)
    }

    fn put(&self, key: String, page: Arc<Page>) {
        let size = page.size();
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        if self.bytes.load(Ordering::Relaxed) + size > self.max_bytes || pages.len() >= MAX_PAGES {
            // Full: drop what may not be served any more, and everything if that is not
            // enough.
            let (now, generations) = (Instant::now(), self.generations());
            pages.retain(|_, page| self.fresh(page, generations, now));
            let held: usize = pages.values().map(|page| page.size()).sum();
            if held + size > self.max_bytes || pages.len() >= MAX_PAGES {
                pages.clear();
            }
            self.bytes
                .store(pages.values().map(|p| p.size()).sum(), Ordering::Relaxed);
        }
        if let Some(old) = pages.insert(key, page) {
            self.bytes.fetch_sub(old.size(), Ordering::Relaxed);
        }
        self.bytes.fetch_add(size, Ordering::Relaxed);
    }

    /// Drops the pages made before a change of what they show: `directory` drops all,
    /// otherwise only the pages of shifts.
    fn invalidate(&self, directory: bool) {
        if directory {
            self.generations[0].fetch_add(1, Ordering::AcqRel);
        }
        self.generations[1].fetch_add(1, Ordering::AcqRel);
        crate::metrics::public_cache_invalidated();
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64 + 1
    }

    /// Asks the database what changed, when nobody did for `CHECK_EVERY`. The first look
    /// (no mark yet) is waited for; later ones run beside the requests. A look that fails
    /// drops nothing: the time to live still ends every page.
    async fn check(self: &Arc<Self>, state: &web::Data<AppState>) {
        let now = self.elapsed_ms();
        let checked = self.checked.load(Ordering::Acquire);
        if checked != 0 && now < checked + CHECK_EVERY.as_millis() as u64 {
            return;
        }
        if self.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        let (cache, state) = (self.clone(), state.clone());
        let look = async move {
            // Whatever becomes of this look (an error, a timeout, a dropped request), the
            // next one may start.
            let _done = Checked(cache.clone());
            // Asked of the database the pages are read from: with a replica, a change is
            // seen when the replica has it, so no page is made from before it afterwards.
            let looked = tokio::time::timeout(
                LOOK_TIMEOUT,
                crate::replica::as_public_read(cache.look(&state, now)),
            );
            match looked.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::debug!(%error, "could not read what changed behind the public pages");
                }
                Err(_) => tracing::debug!("reading what changed behind the public pages timed out"),
            }
        };
        if checked == 0 {
            look.await;
        } else {
            actix_web::rt::spawn(look);
        }
    }

    async fn look(&self, state: &AppState, now: u64) -> Result<(), crate::error::ApiError> {
        let mut conn = state.conn().await?;
        let since = *self.mark.lock().map_err(|_| poisoned())?;
        let changes = operations::changes_since(&mut conn, since).await?;
        let places = changes
            .event_families
            .iter()
            .any(|family| family == "shift" || family == "signup");
        if changes.directory_changed || places {
            self.invalidate(changes.directory_changed);
        }
        *self.mark.lock().map_err(|_| poisoned())? = Some(changes.mark);
        let pruned = self.pruned.load(Ordering::Relaxed);
        if now >= pruned + PRUNE_EVERY.as_millis() as u64 {
            self.pruned.store(now, Ordering::Relaxed);
            drop(conn);
            let mut primary = state.primary_conn().await?;
            operations::prune_public_changes(&mut primary).await?;
        }
        Ok(())
    }
}

/// Marks a look as done when dropped.
struct Checked(Arc<PublicCache>);

impl Drop for Checked {
    fn drop(&mut self) {
        self.0.checked.store(self.0.elapsed_ms(), Ordering::Release);
        self.0.checking.store(false, Ordering::Release);
    }
}

fn poisoned() -> crate::error::ApiError {
    crate::error::ApiError::Internal("the cache's mark is poisoned".into())
}

/// The value of header `name` for the key: empty when absent, `None` (do not cache) when it
/// is not text or too long.
fn chooser(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let mut value = String::new();
    for (i, v) in headers.get_all(name).enumerate() {
        if i > 0 {
            value.push(',');
        }
        value.push_str(v.to_str().ok()?.trim());
    }
    (value.len() <= MAX_KEY_PART && !value.contains('\n')).then_some(value)
}

/// The middleware: answers an anonymous request for a kept page from memory, or keeps the
/// page the handler made.
pub async fn answer(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let cache = state.public_cache.clone();
    let Some((shows, key)) = cache.key(&req) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    cache.check(&state).await;
    let if_none_match = IfNoneMatch::of(req.request());
    let held = cache.get(&key, cache.generations());
    let making = match held {
        Some(_) => None,
        None => match cache.turn(&key) {
            Turn::Make(making) => Some(making),
            Turn::Wait(mut made) => {
                // The page being made was begun after this request came, so it is served
                // whatever changed meanwhile; without one, it is made here as well.
                let page = made
                    .wait_for(Option::is_some)
                    .await
                    .ok()
                    .and_then(|made| made.clone().flatten());
                match page {
                    Some(page) => {
                        crate::metrics::public_cache(CacheResult::Hit);
                        let (request, _) = req.into_parts();
                        let response = page.answer(&if_none_match);
                        return Ok(ServiceResponse::new(request, response).map_into_right_body());
                    }
                    None => None,
                }
            }
        },
    };
    if let Some(page) = held {
        crate::metrics::public_cache(CacheResult::Hit);
        let (request, _) = req.into_parts();
        let response = page.answer(&if_none_match);
        return Ok(ServiceResponse::new(request, response).map_into_right_body());
    }
    crate::metrics::public_cache(CacheResult::Miss);
    let generations = cache.generations();
    // The whole page is made, to be kept; the client's copy is compared afterwards.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let response = next.call(req).await?;
    if response.status() != StatusCode::OK {
        return Ok(response.map_into_left_body());
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let body = actix_web::body::to_bytes(body).await.map_err(|e| {
        let e: Box<dyn std::error::Error> = e.into();
        actix_web::error::ErrorInternalServerError(e.to_string())
    })?;
    let headers: Vec<(HeaderName, HeaderValue)> = head
        .headers()
        .iter()
        .filter(|(name, _)| kept(name))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let page = Page {
        status: head.status(),
        etag: head
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        headers,
        body,
        made: Instant::now(),
        generations,
        shows,
        key_len: key.len(),
    };
    let page = Arc::new(page);
    let response = page.answer(&if_none_match);
    if page.body.len() <= MAX_PAGE_BYTES {
        if let Some(making) = &making {
            making.made(page.clone());
        }
        cache.put(key, page);
    }
    drop(making);
    Ok(ServiceResponse::new(request, response).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reader_makes_a_page_and_the_others_wait_for_it() {
        let cache = Arc::new(PublicCache::new(PublicCacheSettings {
            ttl: Duration::from_secs(2),
            max_bytes: 1024 * 1024,
        }));
        let first = cache.turn("/api/v1/centres?\n\n");
        let second = cache.turn("/api/v1/centres?\n\n");
        let other = cache.turn("/api/v1/centres?limit=5\n\n");
        let Turn::Wait(made) = second else {
            panic!("a second reader makes the page again")
        };
        assert!(matches!(first, Turn::Make(_)));
        assert!(
            matches!(other, Turn::Make(_)),
            "another page is made beside it"
        );
        assert!(made.borrow().is_none());
        drop(first);
        assert!(
            matches!(*made.borrow(), Some(None)),
            "the waiting readers go on, without a page, once it was not made"
        );
        assert!(matches!(cache.turn("/api/v1/centres?\n\n"), Turn::Make(_)));
    }

    #[test]
    fn the_public_lists_and_their_feeds_are_kept_and_nothing_else() {
        assert_eq!(shows("/api/v1/occurrences"), Some(Shows::Directory));
        assert_eq!(shows("/api/v1/occurrences.ics"), Some(Shows::Directory));
        assert_eq!(shows("/api/v1/centres.jsonld"), Some(Shows::Directory));
        assert_eq!(shows("/api/v1/activities"), Some(Shows::Directory));
        assert_eq!(shows("/api/v1/help-wanted.atom"), Some(Shows::Places));
        assert_eq!(shows("/api/v1/shifts"), Some(Shows::Places));
        for other in [
            "/api/v1/occurrences/0190a5d0-0000-7000-8000-000000000000",
            "/api/v1/shifts/x/roster",
            "/api/v1/me",
            "/api/v1/activities.ics",
            "/api/v1/centres.",
            "/metrics",
            "/api/v1/concerns",
        ] {
            assert_eq!(shows(other), None, "{other}");
        }
    }
}
