//! CORS for the API, the file endpoints and the page images: for the origins of `LECTERN_CORS_ORIGINS` and
//! every project's embedding origins, nobody else.
//!
//! Modelled on django-cors-headers, which Konfuzio's Django server uses: a preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) is answered `200` with an empty body before routing, with the grant headers
//! only when the origin is allowed; other requests run as usual and gain the headers likewise. An origin that is
//! not configured gets no `Access-Control-Allow-*` header at all, so the browser keeps the answer from it.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::domain::projects;
use crate::state::AppState;

/// The methods the review dashboard and the SDK use.
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// The headers they send that are not CORS-safelisted (§1.7): the token, JSON bodies, the dashboard's locale and
/// the CSRF header axios adds when a `csrftoken` cookie exists.
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Accept, Accept-Language, X-CSRFToken";
/// Browsers cap this (Chromium at 2 hours).
const MAX_AGE: &str = "86400";

/// What an origin is granted.
#[derive(Debug, PartialEq)]
enum Grant {
    /// Not configured: no CORS headers.
    Nothing,
    /// `*` in the setting: `Access-Control-Allow-Origin: *`, which browsers never combine with credentials.
    Anyone,
    /// A listed origin; `credentials` for the server's own list, not for projects' embedding origins, which any
    /// project owner can add and so must not ride on another user's browser credentials.
    Origin { credentials: bool },
}

/// Whether CORS applies to a path: the API, the files (`/doc/…`), page images (`/page/…`) and AI model files.
fn covered(path: &str) -> bool {
    ["/api/", "/doc/", "/page/", "/aimodel/"].iter().any(|p| path.starts_with(p))
}

/// `scheme://host[:port]` in lower case without a trailing slash, as browsers send `Origin`.
fn normalise(origin: &str) -> String {
    let origin = origin.trim().to_ascii_lowercase();
    origin.strip_suffix('/').unwrap_or(&origin).to_owned()
}

/// Whether an allowed entry (`https://a.example`, or `https://*.example.com` for its subdomains, as the
/// project's embedding setting writes them) names the origin.
fn matches(entry: &str, origin: &str) -> bool {
    let entry = normalise(entry);
    if entry == origin {
        return true;
    }
    let Some((scheme, rest)) = entry.split_once("://*.") else { return false };
    origin
        .strip_prefix(scheme)
        .and_then(|o| o.strip_prefix("://"))
        .and_then(|host| host.strip_suffix(rest))
        .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
}

/// The grant of the server's setting alone.
fn configured(setting: &[String], origin: &str) -> Grant {
    if setting.iter().any(|e| e.trim() != "*" && matches(e, origin)) {
        Grant::Origin { credentials: true }
    } else if setting.iter().any(|e| e.trim() == "*") {
        Grant::Anyone
    } else {
        Grant::Nothing
    }
}

async fn grant(state: &AppState, origin: &str) -> Grant {
    match configured(&state.config.cors_origins, origin) {
        Grant::Nothing => {}
        grant => return grant,
    }
    // A failed lookup grants nothing rather than failing the request.
    match projects::embedding_origins(&state.db).await {
        Ok(entries) if entries.iter().any(|e| matches(e, origin)) => Grant::Origin { credentials: false },
        _ => Grant::Nothing,
    }
}

/// The middleware: answers preflights and adds the grant to the other answers of covered paths.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !covered(req.uri().path()) {
        return next.run(req).await;
    }
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(normalise);
    // Browsers send `Origin` on same-origin writes too; those need no grant (and no lookup).
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    let cross_origin = origin.filter(|o| o.split_once("://").map(|(_, authority)| authority) != host.as_deref());
    let Some(origin) = cross_origin else {
        let mut resp = next.run(req).await;
        vary(resp.headers_mut());
        return resp;
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let grant = grant(&state, &origin).await;
    let mut resp = if preflight { StatusCode::OK.into_response() } else { next.run(req).await };
    vary(resp.headers_mut());
    add_headers(resp.headers_mut(), &origin, &grant, preflight);
    resp
}

/// The answer depends on the origin, so caches must keep the answers to different origins apart.
fn vary(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

fn add_headers(headers: &mut HeaderMap, origin: &str, grant: &Grant, preflight: bool) {
    let allow_origin = match grant {
        Grant::Nothing => return,
        Grant::Anyone => HeaderValue::from_static("*"),
        Grant::Origin { .. } => match HeaderValue::from_str(origin) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    if *grant == (Grant::Origin { credentials: true }) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    if preflight {
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    } else {
        // The SDK's AI export and downloads name the file there.
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Content-Disposition"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_name_origins_and_their_subdomains() {
        assert!(matches("https://Review.Example/", "https://review.example"));
        assert!(!matches("https://review.example", "http://review.example"));
        assert!(!matches("https://review.example", "https://review.example:8443"));
        assert!(matches("https://*.example.com", "https://a.example.com"));
        assert!(matches("https://*.example.com:8443", "https://a.b.example.com:8443"));
        assert!(!matches("https://*.example.com", "https://example.com"));
        assert!(!matches("https://*.example.com", "https://evilexample.com"));
        assert!(!matches("https://*.example.com", "http://a.example.com"));
        assert!(!matches("https://*.example.com", "https://a.example.com.evil"));
    }

    #[test]
    fn the_setting_grants_listed_origins_credentials_and_a_wildcard_none() {
        let listed = vec!["https://review.example".to_owned(), " http://localhost:8081 ".to_owned()];
        assert_eq!(configured(&listed, "http://localhost:8081"), Grant::Origin { credentials: true });
        assert_eq!(configured(&listed, "https://other.example"), Grant::Nothing);
        assert_eq!(configured(&[], "https://review.example"), Grant::Nothing);
        let any = vec!["*".to_owned(), "https://review.example".to_owned()];
        assert_eq!(configured(&any, "https://other.example"), Grant::Anyone);
        assert_eq!(configured(&any, "https://review.example"), Grant::Origin { credentials: true });

        let mut headers = HeaderMap::new();
        add_headers(&mut headers, "https://other.example", &Grant::Anyone, true);
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS));
        let mut headers = HeaderMap::new();
        add_headers(&mut headers, "https://other.example", &Grant::Nothing, true);
        assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
        assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_METHODS));
    }

    #[test]
    fn only_the_api_and_the_files_are_covered() {
        assert!(covered("/api/v3/documents/1/") && covered("/page/show-image/3/") && covered("/doc/show/1/"));
        assert!(covered("/aimodel/file/2/"));
        assert!(!covered("/") && !covered("/d/1/") && !covered("/health"));
    }
}
