//! The application: routes, OpenAPI, Swagger UI and the middleware that turns every failure
//! into a problem. `main` and the tests build it with the same function.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, ResponseError as _, web};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ApiError, PROBLEM_JSON, problem_for_status, problem_response};
use crate::german::ProblemLanguage;
use crate::openapi::{ApiDoc, add_common_problems};
use crate::routes;
use crate::state::AppState;
use crate::telemetry::request_context;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";

/// The whole application around `state`.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // Handlers that read the raw body (`web::Bytes`) get the same limit as JSON bodies.
    let payload = web::PayloadConfig::new(state.body_limit);
    let (app, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(payload)
        .app_data(state)
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| ApiError::BadRequest(format!("Invalid query: {e}")).into()),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|e, _| ApiError::BadRequest(format!("Invalid path: {e}")).into()),
        )
        .configure(routes::configure)
        .split_for_parts();
    let document = complete(document);
    let routes = RouteTable::new(&document);
    // Every worker builds the app, and so the document; its JSON is kept once per process
    // and shared, not one copy of the whole document per worker.
    static SERVED: std::sync::OnceLock<web::Bytes> = std::sync::OnceLock::new();
    let served = SERVED
        .get_or_init(|| web::Bytes::from(serde_json::to_vec(&document).unwrap_or_default()))
        .clone();
    drop(document);
    app.app_data(web::Data::new(routes))
        .route(
            OPENAPI_PATH,
            web::get().to(move || {
                let served = served.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(served)
                }
            }),
        )
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .config(utoipa_swagger_ui::Config::new([OPENAPI_PATH])),
        )
        .service(web::redirect("/swagger-ui", "/swagger-ui/"))
        .default_service(web::to(fallback))
        .wrap(from_fn(crate::public_cache::answer))
        .wrap(from_fn(crate::replica::route_reads))
        .wrap(from_fn(known_query_parameters))
        .wrap(from_fn(crate::limits::per_principal))
        .wrap(ErrorHandlers::new().default_handler(into_problem))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::REFERRER_POLICY, "no-referrer")),
        )
        .wrap(from_fn(crate::security::headers))
        .wrap(from_fn(request_context))
        .wrap(from_fn(deadline))
}

/// The OpenAPI document exactly as the server serves it.
pub fn openapi_document() -> OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    complete(document)
}

fn complete(mut document: OpenApi) -> OpenApi {
    add_common_problems(&mut document);
    crate::events::add_webhooks(&mut document);
    crate::openapi::add_problem_examples(&mut document);
    document
}

/// Answers 503 when a request runs past the request timeout, for example on a database that
/// stopped answering mid-query (its statement timeout is enforced by the database itself, so
/// it cannot fire then). The handler is dropped: an open transaction is rolled back when its
/// connection is discarded.
///
/// It is the outermost layer and answers with an error rather than a response: the request
/// cannot be kept for building one, as routing needs it unshared. So the reader's language is
/// read first, and the error carries its problem in that language.
async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(std::time::Duration::from_secs(15), |state| {
            state.request_timeout
        });
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let german = crate::languages::prefers_german(req.request());
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(%method, %path, ?limit, "request timed out");
            let error = ApiError::Unavailable(format!("request ran longer than {limit:?}"));
            let problem =
                crate::languages::problem_response_for_reader(error.error_response(), german);
            Err(actix_web::error::InternalError::from_response(error, problem).into())
        }
    }
}

/// Unknown paths get 404; known paths with another method get 405 with `Allow`.
async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    match routes.allowed_methods(req.path()) {
        Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        None => Err(ApiError::NotFound(
            "There is nothing at this address.".into(),
        )),
    }
}

/// Every error response that is not a problem yet (actix's own, Swagger UI's) becomes one,
/// keeping its status and headers such as `Allow` and `WWW-Authenticate`; and every problem
/// comes in the reader's language (`languages::prefers_german`).
fn into_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let german = crate::languages::prefers_german(res.request());
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem && !german {
        let mut res = res.map_into_left_body();
        crate::languages::mark_problem_language(res.headers_mut(), ProblemLanguage::English);
        return Ok(ErrorHandlerResponse::Response(res));
    }
    if is_problem {
        // The texts in German; the body is small, so it is read whole.
        let (req, old) = res.into_parts();
        let (old, body) = old.into_parts();
        return Ok(ErrorHandlerResponse::Future(Box::pin(async move {
            let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
            let (localized, language) = crate::languages::problem_for_reader(bytes, true);
            let mut new = old.set_body(localized).map_into_boxed_body();
            crate::languages::mark_problem_language(new.headers_mut(), language);
            Ok(ServiceResponse::new(req, new).map_into_right_body())
        })));
    }
    let status = res.status();
    let (req, old) = res.into_parts();
    let mut new = problem_response(&problem_for_status(status));
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    let new = crate::languages::problem_response_for_reader(new, german);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

/// The paths of the OpenAPI document, their methods (to tell 404 from 405) and the query
/// parameters each operation takes (to refuse the ones it does not).
#[derive(Debug)]
pub struct RouteTable(Vec<Route>);

#[derive(Debug)]
struct Route {
    segments: Vec<String>,
    /// Each method with the names of its query parameters.
    methods: Vec<(String, Vec<String>)>,
}

impl RouteTable {
    pub fn new(document: &OpenApi) -> Self {
        use utoipa::openapi::path::{Operation, ParameterIn};
        let query_names = |operation: &Operation| -> Vec<String> {
            operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    utoipa::openapi::RefOr::T(p) if p.parameter_in == ParameterIn::Query => {
                        Some(p.name.clone())
                    }
                    _ => None,
                })
                .collect()
        };
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", &item.get),
                    ("HEAD", &item.get),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ]
                .into_iter()
                .filter_map(|(method, operation)| {
                    operation
                        .as_ref()
                        .map(|operation| (method.to_owned(), query_names(operation)))
                })
                .collect();
                Route {
                    segments: path.split('/').map(str::to_owned).collect(),
                    methods,
                }
            })
            .collect();
        Self(routes)
    }

    /// The route of `path`: of those that match, the one with the most literal segments.
    fn route(&self, path: &str) -> Option<&Route> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .filter(|route| {
                route.segments.len() == wanted.len()
                    && route.segments.iter().zip(&wanted).all(|(template, given)| {
                        template == given || (template.starts_with('{') && !given.is_empty())
                    })
            })
            .max_by_key(|route| {
                route
                    .segments
                    .iter()
                    .filter(|s| !s.starts_with('{'))
                    .count()
            })
    }

    /// The methods the path allows, if any route has this path.
    pub fn allowed_methods(&self, path: &str) -> Option<Vec<String>> {
        self.route(path)
            .map(|route| route.methods.iter().map(|(m, _)| m.clone()).collect())
    }

    /// The query parameters the operation `method path` takes; `None` when the document has
    /// no such operation.
    pub fn query_names(&self, method: &str, path: &str) -> Option<&[String]> {
        self.route(path)?
            .methods
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, names)| names.as_slice())
    }
}

/// Refuses a query parameter the operation does not take (400), as it refuses unknown fields
/// in a body: a misspelt filter must not silently match everything.
async fn known_query_parameters(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(error) = unknown_query_parameter(&req) {
        // An answer, not an error of the middleware: it is logged like any refused request.
        let (request, _) = req.into_parts();
        let response = HttpResponse::from_error(error);
        return Ok(ServiceResponse::new(request, response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The refusal for the first query parameter that `req`'s operation does not take.
fn unknown_query_parameter(req: &ServiceRequest) -> Option<ApiError> {
    if req.query_string().is_empty() {
        return None;
    }
    let names = req
        .app_data::<web::Data<RouteTable>>()?
        .query_names(req.method().as_str(), req.path())?;
    let given = match web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
        Ok(given) => given,
        Err(e) => return Some(ApiError::BadRequest(format!("Invalid query: {e}"))),
    };
    let (unknown, _) = given.iter().find(|(name, _)| !names.contains(name))?;
    let takes = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    Some(ApiError::BadRequest(format!(
        "Unknown query parameter `{unknown}`; this operation takes: {takes}."
    )))
}
