//! Quartier on other websites: the widgets script (`/embed/widgets.js`), a page of each
//! widget for an `<iframe>` (`/embed/help-wanted` and the others), and the lists of websites
//! that may frame those pages (`origins`).
//!
//! The widgets read the public JSON lists (`/help-wanted.json`, `/occurrences.json`,
//! `/centres.json`), which any page may read. A frame page is the widget alone, under a
//! `Content-Security-Policy` that lets it load from Quartier only and be framed only by the
//! websites on the town's list and on the list of the operator it shows.

pub mod origins;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};
use quartier_domain::atom;
use quartier_domain::embed::{EmbedOrigin, frame_ancestors};
use quartier_domain::language::LanguageTag;
use quartier_persistence::embed_origins;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::{IfNoneMatch, bytes_with_body_etag};
use crate::routes::activities::CategoryBody;
use crate::routes::feeds::{centre_link, event_link};
use crate::routes::help_wanted::cache_publicly;
use crate::routes::shifts::search::skill_tags;
use crate::state::AppState;

/// How long anyone may keep the script.
const SCRIPT_MAX_AGE_SECS: u32 = 300;
/// How long anyone may keep a frame page (its policy follows the lists within this time).
const PAGE_MAX_AGE_SECS: u32 = 60;
/// How many items a widget shows at most.
const MOST_ITEMS: u8 = 50;

const SCRIPT: &str = include_str!("widgets.js");

/// The widgets script with the app's addresses filled in.
fn script(app_url: &str) -> Vec<u8> {
    let links = serde_json::json!({
        "activity": event_link(app_url, "{id}"),
        "centre": centre_link(app_url, "{id}"),
    });
    SCRIPT
        .replace("__QUARTIER_LINKS__", &links.to_string())
        .into_bytes()
}

/// The script that defines the widgets `<quartier-help-wanted>`, `<quartier-whats-on>` and
/// `<quartier-centres>`. Each reads the public lists of this server with the filters of its
/// attributes (`district`, `centre`, `operator`, `skills`, `category`, `open-now`, `max`,
/// `lang`, `heading`, `link-target`), sets no cookie and asks no other host. Any page may
/// load it.
#[utoipa::path(
    tag = "embed",
    security(()),
    params(
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the client holds"),
    ),
    responses(
        (status = 200, description = "The script", content((String = "text/javascript")), headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy is current", headers(("ETag" = String))),
    ),
)]
#[get("/embed/widgets.js")]
pub async fn widgets_script(
    state: web::Data<AppState>,
    if_none_match: IfNoneMatch,
) -> HttpResponse {
    let body = script(&state.app_url);
    let mut response = bytes_with_body_etag(&if_none_match, body, "text/javascript; charset=utf-8");
    cache_publicly(&mut response, SCRIPT_MAX_AGE_SECS);
    response.headers_mut().insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// A widget.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum EmbedWidget {
    /// Shifts that want help, with their free places and where to sign up.
    HelpWanted,
    /// The coming dates of the centres' activities.
    WhatsOn,
    /// The centres.
    Centres,
}

impl EmbedWidget {
    fn element(self) -> &'static str {
        match self {
            EmbedWidget::HelpWanted => "quartier-help-wanted",
            EmbedWidget::WhatsOn => "quartier-whats-on",
            EmbedWidget::Centres => "quartier-centres",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmbedQuery {
    /// Only in this district or any district inside it.
    pub district: Option<Uuid>,
    /// Only at this centre (help wanted, what's on).
    pub centre: Option<Uuid>,
    /// Only of this operator.
    pub operator: Option<Uuid>,
    /// Help wanted only: comma-separated skill tags.
    #[param(example = "baking,childcare", max_length = 500)]
    pub skills: Option<String>,
    /// What's on only: one category.
    pub category: Option<CategoryBody>,
    /// Centres only: those open now.
    pub open_now: Option<bool>,
    /// How many items at most, 1 to 50 (default 5).
    #[param(minimum = 1, maximum = 50)]
    pub max: Option<i64>,
    /// The page's language (a language tag such as `de`, `en` or `tr`; default `de`).
    #[param(example = "de", max_length = 64)]
    pub lang: Option<String>,
}

/// The widget alone on a page, for an `<iframe>`: links open in the top window. The page
/// may be framed by the websites on the town's list and, for a widget of one operator
/// (`operator`, or `centre` of one of its centres), on that operator's list:
/// `Content-Security-Policy: frame-ancestors` names them, so a browser shows the frame
/// nowhere else. No cookies; nothing loads from other hosts.
#[utoipa::path(
    tag = "embed",
    security(()),
    params(
        ("widget" = EmbedWidget, Path, description = "`help-wanted`, `whats-on` or `centres`"),
        EmbedQuery,
    ),
    responses(
        (status = 200, description = "The page", content((String = "text/html")), headers(("Content-Security-Policy" = String), ("Cache-Control" = String))),
        (status = 400, description = "A query parameter does not parse (`malformed-request`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such widget (`not-found`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`max` out of range, a `lang` that is no language tag, bad `skills`, or a filter this widget does not take (`validation-failed`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/embed/{widget}")]
pub async fn embed_page(
    state: web::Data<AppState>,
    widget: web::Path<String>,
    query: web::Query<EmbedQuery>,
) -> Result<HttpResponse, ApiError> {
    let widget =
        serde_json::from_value::<EmbedWidget>(serde_json::Value::String(widget.into_inner()))
            .map_err(|_| {
                ApiError::NotFound("The widgets are help-wanted, whats-on and centres.".into())
            })?;
    let attributes = attributes(widget, &query)?;
    let language = match query.lang.as_deref() {
        Some(raw) => LanguageTag::parse(raw)
            .map_err(|e| ApiError::query("lang", &e.to_string()))?
            .to_string(),
        None => "de".to_owned(),
    };
    let mut conn = state.conn().await?;
    let origins: Vec<EmbedOrigin> = embed_origins::framing(&mut conn, query.operator, query.centre)
        .await?
        .iter()
        // Stored as `EmbedOrigin` wrote them; one that no longer parses is left out.
        .filter_map(|origin| EmbedOrigin::parse(origin).ok())
        .collect();
    drop(conn);
    let element = widget.element();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Quartier</title>\n<script src=\"/embed/widgets.js\" defer></script>\n</head>\n\
         <body>\n<main>\n<{element}{attributes} link-target=\"_top\"></{element}>\n</main>\n\
         </body>\n</html>\n"
    );
    let policy = format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
         img-src 'self'; base-uri 'none'; form-action 'none'; {}",
        frame_ancestors(&origins)
    );
    let mut response = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page);
    cache_publicly(&mut response, PAGE_MAX_AGE_SECS);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&policy)
            .map_err(|e| ApiError::Internal(format!("frame policy is no header value: {e}")))?,
    );
    Ok(response)
}

/// The widget's attributes from the query (` district="…" max="5"`), each checked; 422 for
/// a filter the widget does not take.
fn attributes(widget: EmbedWidget, query: &EmbedQuery) -> Result<String, ApiError> {
    let refuse = |name: &str, only: &str| {
        Err(ApiError::query(
            name,
            &format!("is a filter of the {only} widget only"),
        ))
    };
    let mut out = String::new();
    let mut push = |name: &str, value: &str| {
        out.push_str(&format!(" {name}=\""));
        atom::escape_into(&mut out, value);
        out.push('"');
    };
    if let Some(district) = query.district {
        push("district", &district.to_string());
    }
    if let Some(centre) = query.centre {
        if widget == EmbedWidget::Centres {
            return refuse("centre", "help-wanted and whats-on");
        }
        push("centre", &centre.to_string());
    }
    if let Some(operator) = query.operator {
        push("operator", &operator.to_string());
    }
    if query.skills.is_some() {
        if widget != EmbedWidget::HelpWanted {
            return refuse("skills", "help-wanted");
        }
        push("skills", &skill_tags(query.skills.as_deref())?.join(","));
    }
    if let Some(category) = query.category {
        if widget != EmbedWidget::WhatsOn {
            return refuse("category", "whats-on");
        }
        push(
            "category",
            quartier_domain::activity::Category::from(category).as_str(),
        );
    }
    if let Some(open_now) = query.open_now {
        if widget != EmbedWidget::Centres {
            return refuse("open_now", "centres");
        }
        if open_now {
            out.push_str(" open-now");
        }
    }
    let max = query.max.unwrap_or(5);
    if !(1..=i64::from(MOST_ITEMS)).contains(&max) {
        return Err(ApiError::query("max", "must be from 1 to 50"));
    }
    out.push_str(&format!(" max=\"{max}\""));
    Ok(out)
}
