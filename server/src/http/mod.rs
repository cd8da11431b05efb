//! The HTTP layer: one router per resource, merged here with the OpenAPI spec, Swagger UI and the SPA.

use std::path::PathBuf;

use axum::body::Body as HttpBody;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod ais;
pub mod annotations;
pub mod auth;
pub mod cors;
pub mod documents;
pub mod error;
pub mod files;
pub mod list;
pub mod missing_annotations;
pub mod pages;
pub mod postprocess;
pub mod projects;
pub mod public;
pub mod schema;

#[derive(OpenApi)]
#[openapi(
    info(title = "Lectern — Konfuzio API v3", description = "The document review API served by Lectern."),
    modifiers(&TokenAuth),
    security(("token" = []), ("basic" = []))
)]
struct ApiDoc;

/// Declares the two ways to authenticate so Swagger UI can send them.
struct TokenAuth;

impl utoipa::Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let token = ApiKeyValue::with_description("Authorization", "`Token <40 hex>` from POST /api/v3/auth/");
        components.add_security_scheme("token", SecurityScheme::ApiKey(ApiKey::Header(token)));
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// The API routes and the OpenAPI document generated from them.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(projects::router())
        .merge(schema::router())
        .merge(documents::router())
        .merge(pages::router())
        .merge(annotations::router())
        .merge(missing_annotations::router())
        .merge(postprocess::router())
        .merge(ais::router())
        .split_for_parts()
}

/// The whole application: API, health, spec, Swagger UI, and the SPA from `dist` when given.
pub fn app(state: AppState, dist: Option<PathBuf>) -> Router {
    let (api, spec) = api();
    let router = api
        .route("/health", get(|| async { "ok" }))
        .merge(files::router())
        .merge(ais::files_router())
        // Applies to the routes above: a method a path does not take answers in DRF's shape, not with an empty body.
        .method_not_allowed_fallback(method_not_allowed)
        // Uploads enforce the configured limit themselves, other bodies are capped by `error::Body`.
        .layer(axum::extract::DefaultBodyLimit::disable())
        // Swagger UI's assets are compiled into the binary (the `vendored` feature); the spec is served beside it.
        .merge(utoipa_swagger_ui::SwaggerUi::new("/v3/swagger/").url("/api/v3/schema/", spec))
        .fallback(move |State(state): State<AppState>, req: Request| fallback(state, req, dist.clone()))
        .with_state(state.clone())
        // Preflights are answered before routing, which would refuse OPTIONS with 405.
        .layer(axum::middleware::from_fn_with_state(state, cors::cors))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http());
    // Paths under /api/ route with or without their trailing slash (the SDK asks for `bbox` without one).
    // The rewrite must happen before routing, so the whole router sits behind it.
    Router::new().fallback_service(router.map_request(|mut req: Request| {
        if let Some(uri) = with_api_slash(req.uri()) {
            *req.uri_mut() = uri;
        }
        req
    }))
}

/// A method the path does not take; axum adds the `Allow` header.
async fn method_not_allowed(method: axum::http::Method) -> Response {
    crate::error::Error::MethodNotAllowed(method.to_string()).into_response()
}

fn with_api_slash(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if !path.starts_with("/api/") || path.ends_with('/') {
        return None;
    }
    let rebuilt = match uri.query() {
        Some(q) => format!("{path}/?{q}"),
        None => format!("{path}/"),
    };
    rebuilt.parse().ok()
}

/// Unknown API paths are a JSON 404; everything else is a file of the SPA or its `index.html`, which
/// only Lectern itself may frame, except the public view of a public document (`public::frame_policy`).
async fn fallback(state: AppState, req: Request, dist: Option<PathBuf>) -> Response {
    let path = req.uri().path();
    let not_found = || crate::error::Error::NotFound.into_response();
    if path.starts_with("/api/") {
        return not_found();
    }
    let Some(dist) = dist else { return not_found() };
    let hashed = is_hashed_asset(path);
    let policy = public::frame_policy(&state.db, path, req.uri().query()).await;
    let index = ServeFile::new(dist.join("index.html"));
    let files = ServeDir::new(&dist).fallback(index);
    let mut resp = match files.oneshot(req.map(HttpBody::new)).await {
        Ok(resp) => resp.map(HttpBody::new),
        Err(never) => match never {},
    };
    let cache =
        if hashed && resp.status() == StatusCode::OK { "public, max-age=31536000, immutable" } else { "no-cache" };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // No X-Frame-Options: it cannot list origins and would contradict the policy's allowlist.
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    resp
}

/// Trunk names built assets `name-<16 hex>.ext`, and wasm-bindgen's module `name-<16 hex>_bg.wasm`; those never
/// change and may be cached for a year.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_gain_a_slash() {
        let uri: Uri = "/api/v3/documents/1/bbox?x=1".parse().unwrap();
        assert_eq!(with_api_slash(&uri).unwrap(), "/api/v3/documents/1/bbox/?x=1");
        assert!(with_api_slash(&"/api/v3/projects/".parse().unwrap()).is_none());
        assert!(with_api_slash(&"/assets/app.wasm".parse().unwrap()).is_none());
    }

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/lectern-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/lectern-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/projects/3/setup"));
        assert!(!is_hashed_asset("/lectern-1a2b3c4d5e6f7a8b_x.wasm"));
        assert!(!is_hashed_asset("/notes-2026.txt"));
    }
}
