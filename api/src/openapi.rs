//! The OpenAPI document: collected from the routes themselves, then completed with the
//! problem responses every operation can give.

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, RefOr, Response, ResponseBuilder};

use crate::auth::{API_KEY, BEARER, GUEST_TOKEN};
use crate::error::{PROBLEM_JSON, Problem, ProblemField};
use crate::problems::{self, ProblemType};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Quartier API",
        description = "The open REST API for neighbourhood work in German towns: districts, operators \
            (Träger), neighbourhood centres, activities and the volunteers who help in shifts.\n\n\
            Errors are RFC 9457 `application/problem+json` documents whose `type` names the problem. \
            Sign in at `/api/v1/auth/login` and use **Authorize** with the `access_token`. \
            Operators' own systems use an API key (`/api/v1/operators/{id}/api-keys`) as \
            `X-Api-Key` or as a bearer token: operations that accept one list the `api_key` scheme.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    tags(
        (name = "auth", description = "Registration, sign-in and sessions"),
        (name = "me", description = "The signed-in user's own account"),
        (name = "users", description = "Accounts, for administrators"),
        (name = "audit", description = "The audit trail of who read or changed personal data, for administrators (each person reads their own at /me/audit)"),
        (name = "operators", description = "Operators (Träger) and their staff: public to read; administrators create them, their operator admins keep them up to date"),
        (name = "centres", description = "Neighbourhood centres (Quartierszentren): a public directory; operator admins keep their centres up to date"),
        (name = "districts", description = "Districts (Quartiere, Stadtteile) of a town: public to read, administrators change them"),
        (name = "activities", description = "Activities (Angebote) of centres with their schedules, and calendar feeds: published ones are public; coordinators plan them"),
        (name = "occurrences", description = "Occurrences (Termine): the public \"what's on\" search, and single dates staff cancel, move, annotate and record attendance for"),
        (name = "qualifications", description = "Qualifications volunteers declare and staff inspect in person: the extended police certificate, the food hygiene instruction, first aid, and operators' own"),
        (name = "shifts", description = "Volunteer shifts (Einsätze): public counts of places and waitlists, never names; coordinators create them"),
        (name = "signups", description = "Sign-ups for shifts: never more confirmed than places, a first-come waitlist, cancellation with promotion"),
        (name = "standing-signups", description = "Standing sign-ups for a shift slot of an activity (every week, every second week, or the nth weekday of the month), signed up for a few weeks ahead through the normal sign-up, and the dates a volunteer cannot come"),
        (name = "volunteering", description = "The volunteer's own side: profile, sign-ups, hours worked"),
        (name = "guests", description = "Helping without an account: a guest signs up with name and address and confirms by mail; a mailed link shows, cancels, exports and erases her own sign-ups; staff sign up walk-ins by name"),
        (name = "api-keys", description = "Operators' API keys for their own systems: each acts for its operator only, within its scopes"),
        (name = "imports", description = "Bulk imports of activities and shifts from operators' own systems, as JSON or CSV: checked as a whole, applied all or nothing"),
        (name = "webhooks", description = "Operators' webhook subscriptions: signed deliveries of shift and sign-up events, retried for more than a day, with a delivery log and a test ping"),
        (name = "rosters", description = "Rosters, check-in and attendance: for the staff of the operator that owns the shift, and administrators, only"),
        (name = "concerns", description = "Residents' concerns (Anliegen): ideas, needs and problems raised by residents or written down by staff, found again before they are raised twice, supported by neighbours, and moved on by the operator that answers them"),
        (name = "partners", description = "The partner network (Netzwerkpartner): Vereine, religious communities, social institutions, schools, Kitas, units of the administration, housing companies and others in the districts, reached by role and public only where they say so"),
        (name = "core-team", description = "The core team of the neighbourhood work: the town's coordinator (Quartierskoordination) reads concerns and partners of the whole town, district managers (Quartiersmanagement) the concerns of their districts"),
        (name = "help-wanted", description = "Where help is wanted now, for town and district websites, feed readers and calendars: open places with live counts in JSON, Atom, iCalendar, JSON-LD and CSV, public and cacheable"),
        (name = "embed", description = "Quartier on town, district and operator websites: web components for help wanted, what's on and the centres, a page of each for an iframe, and the lists of websites allowed to frame them"),
        (name = "reports", description = "Figures for quality assurance and funders: a versioned catalogue of indicators, counted per district, centre, operator, category and month, with small counts of people hidden from outsiders"),
        (name = "rooms", description = "Rooms of the centres that groups, partners and residents book, once or as a series; no part of a room is ever confirmed twice for overlapping times"),
        (name = "networks", description = "Networks of the neighbourhood work (Quartiersnetzwerk, Runder Tisch, Quartiersbeirat, Kernteam) and their members, partners or persons: joining needs the other side's consent"),
        (name = "funds", description = "Neighbourhood funds (Verfügungsfonds) for residents' own projects: applications with cost plans, decisions by staff or the committee within the budget, proof of use and settlement, and the public list of what was granted"),
        (name = "help", description = "Neighbourly help: needs and offers between neighbours, mediated by a centre, private by default: the public list shows what and roughly where, never who; contacts pass only between the two of a match once both agreed"),
        (name = "hsds", description = "The partner directory as a read-only Open Referral HSDS 3.0 API: partners are organizations, the open centres of those that are operators their locations, and their published activities with dates ahead their services; only public fields"),
        (name = "open311", description = "A read-only Open311 GeoReport v2 facade over the published concerns, with GeoReport's own field names: categories are services, concerns are service requests, `closed` once done, declined, a duplicate or withdrawn"),
        (name = "operations", description = "Health checks for load balancers and orchestrators"),
    ),
    components(schemas(
        Problem,
        ProblemField,
        crate::routes::help_wanted::FeedFormat,
        crate::routes::feeds::DirectoryFormat,
        crate::routes::embed::EmbedWidget
    )),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("JWT".into());
        bearer.description =
            Some("An access token from `/api/v1/auth/login` or `/api/v1/auth/refresh`.".into());
        components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
        components.add_security_scheme(
            API_KEY,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "An operator's API key (`qk_…`). It may also be sent as `Authorization: Bearer <key>`.",
            ))),
        );
        components.add_security_scheme(
            crate::routes::bounces::BOUNCE_TOKEN,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Bounce-Token",
                "For the mail system only: the secret configured as `QUARTIER_BOUNCE_TOKEN`.",
            ))),
        );
        let mut metrics = Http::new(HttpAuthScheme::Bearer);
        metrics.description = Some(
            "For the metrics scraper only: the secret configured as `QUARTIER_METRICS_TOKEN`."
                .into(),
        );
        components
            .add_security_scheme(crate::metrics::METRICS_TOKEN, SecurityScheme::Http(metrics));
        components.add_security_scheme(
            GUEST_TOKEN,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Guest-Token",
                "The token of the link mailed to a guest (`POST /api/v1/guest/links`): her own sign-ups for an hour.",
            ))),
        );
    }
}

/// Every operation of the document.
fn operations(
    document: &mut Document,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    document.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Adds the problems any operation can answer with, so that each handler lists only its own:
/// 500 and 503 everywhere; 400 where a path parameter or a body is read; 413 and 415 where a
/// body is read; 401 where a token is needed; 429 everywhere but the health checks.
pub fn add_common_problems(document: &mut Document) {
    for operation in operations(document) {
        let mut add = |status: &str, description: &str| {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| problem_response(description));
        };
        add(
            "500",
            "A bug on the server (`internal-error`); the cause is logged with the request id",
        );
        add(
            "503",
            "The database cannot serve now (`service-unavailable`); retry after `Retry-After` seconds",
        );
        let has_path_parameter = operation.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Path)
            });
        if has_path_parameter {
            add(
                "400",
                "A path parameter does not parse, such as an id that is not a UUID (`malformed-request`)",
            );
        }
        let has_query_parameter = operation.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
            });
        if has_query_parameter {
            add(
                "400",
                "A query parameter is missing or does not parse (`malformed-request`)",
            );
        }
        if operation.request_body.is_some() {
            add("400", "The body is not JSON (`malformed-request`)");
            add(
                "413",
                "The body is larger than the limit (`payload-too-large`)",
            );
            add(
                "415",
                "The body is not `application/json` (`unsupported-media-type`)",
            );
        }
        if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
            add(
                "401",
                "No valid access token or API key, or a revoked or expired key (`unauthenticated`), with `WWW-Authenticate`",
            );
        }
        let health_check = operation
            .operation_id
            .as_deref()
            .is_some_and(|id| ["live", "ready"].contains(&id));
        if !health_check {
            add(
                "429",
                "Too many requests in the current minute by this user or API key, or without sign-in from this client address; or, for searches without sign-in, too many running at once (`rate-limited`). Retry after `Retry-After` seconds. Every answer carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`",
            );
        }
        let for_people_only = operation.security.as_ref().is_some_and(|schemes| {
            !schemes.is_empty()
                && !serde_json::to_string(schemes)
                    .unwrap_or_default()
                    .contains(API_KEY)
        });
        if for_people_only {
            const KEYS: &str = "an API key (it acts for an operator, not a person) on an operation for people (`forbidden`)";
            match operation.responses.responses.get_mut("403") {
                Some(RefOr::T(response)) => {
                    response.description = format!("{}; or {KEYS}", response.description);
                }
                _ => {
                    operation.responses.responses.insert(
                        "403".into(),
                        problem_response(&format!("Called with {KEYS}")),
                    );
                }
            }
        }
    }
}

/// Gives every documented error an example of the problem its description names (the first
/// problem type of the catalogue in backticks whose status is the response's).
pub fn add_problem_examples(document: &mut Document) {
    for operation in operations(document) {
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            let Some(RefOr::T(content)) = response.content.get_mut(PROBLEM_JSON) else {
                continue;
            };
            if let Some(problem) = documented_problems(&response.description)
                .into_iter()
                .find(|p| p.status.to_string() == *status)
            {
                content.example = Some(example(problem));
            }
        }
    }
}

/// The problem types of the catalogue that a response's description names in backticks.
pub fn documented_problems(description: &str) -> Vec<&'static ProblemType> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(problems::find)
        .collect()
}

fn example(problem: &ProblemType) -> serde_json::Value {
    let mut example = serde_json::json!({
        "type": problem.uri(),
        "title": problem.title,
        "status": problem.status,
        "detail": format!("{}.", problem.title),
    });
    if problem == &problems::VALIDATION_FAILED {
        example["detail"] = "name: must not be empty".into();
        example["errors"] = serde_json::json!([{"field": "name", "message": "must not be empty"}]);
    }
    example
}

fn problem_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                "Problem",
            )))),
        )
        .build()
        .into()
}
