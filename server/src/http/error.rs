//! The server's one error type, rendered as DRF-shaped JSON, and the body extractor that uses it.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthorized(String),
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    /// A request-wide problem: `{"detail": …}`.
    #[error("{0}")]
    BadRequest(String),
    /// Problems with named fields: `{"field": ["message"]}`.
    #[error("invalid fields")]
    Fields(BTreeMap<String, Vec<String>>),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Something the request needs is not ready yet (an image still rendering); clients retry.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn field(name: &str, message: impl Into<String>) -> Error {
        Error::Fields(BTreeMap::from([(name.to_owned(), vec![message.into()])]))
    }

    pub fn required(name: &str) -> Error {
        Error::field(name, "This field is required.")
    }

    /// The DRF message for an id that names nothing the caller may use.
    pub fn no_such(name: &str, id: i64) -> Error {
        Error::field(name, format!("Invalid pk \"{id}\" - object does not exist."))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Error::BadRequest("An object with these values already exists.".into());
            }
            if db.is_foreign_key_violation() {
                return Error::BadRequest("A referenced object does not exist.".into());
            }
        }
        Error::Internal(e.into())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Error::Unauthorized(m) => (StatusCode::UNAUTHORIZED, json!({ "detail": m })),
            Error::NotFound => (StatusCode::NOT_FOUND, json!({ "detail": "Not found." })),
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, json!({ "detail": m })),
            Error::BadRequest(m) => (StatusCode::BAD_REQUEST, json!({ "detail": m })),
            Error::Fields(f) => (StatusCode::BAD_REQUEST, json!(f)),
            Error::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, json!({ "detail": m })),
            Error::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, json!({ "detail": m })),
            Error::UnsupportedMediaType(m) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({ "detail": m })),
            Error::PreconditionRequired(m) => (StatusCode::PRECONDITION_REQUIRED, json!({ "detail": m })),
            Error::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, json!({ "detail": "A server error occurred." }))
            }
        };
        let mut resp = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Token"));
        }
        resp
    }
}

/// The largest JSON or form body; uploads (multipart) have their own, configurable limit.
const MAX_BODY_BYTES: usize = 16 << 20;

/// A request body, JSON or form-encoded, deserialised into `T` with errors that name the field.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Error;

    async fn from_request(req: Request, _: &S) -> Result<Self> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| Error::PayloadTooLarge(format!("The request body is larger than {} MB.", MAX_BODY_BYTES >> 20)))?;
        if content_type.starts_with("application/x-www-form-urlencoded") {
            return serde_html_form::from_bytes(&bytes).map(Body).map_err(|e| form_error(&e.to_string()));
        }
        if !(content_type.is_empty() || content_type.starts_with("application/json")) {
            return Err(Error::UnsupportedMediaType(format!(
                "Unsupported media type \"{content_type}\" in request; send application/json or a form."
            )));
        }
        let value: Value = parse_json(if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes })?;
        // serde reads a struct from a JSON array too, positionally; a body must be an object, as in DRF.
        if !value.is_object() {
            return Err(Error::BadRequest("Invalid data. Expected a JSON object.".into()));
        }
        from_value(value).map(Body)
    }
}

/// Parses JSON into `T`, turning serde's error into a DRF-shaped one.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::BadRequest(format!("JSON parse error - {e}")))?;
    from_value(value)
}

/// Deserialises a JSON value into `T`; a wrong type or a missing field names the field.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            let field = if path == "." { field.to_owned() } else { format!("{path}.{field}") };
            return Error::required(&field);
        }
        if path == "." {
            Error::BadRequest(format!("Invalid data: {message}"))
        } else {
            Error::field(&path, type_message(&message))
        }
    })
}

/// DRF's wording for a value of the wrong type, with serde's detail when it has no match.
fn type_message(serde_message: &str) -> String {
    let expected = serde_message.rsplit("expected ").next().unwrap_or("");
    match expected {
        e if e.starts_with("i64") || e.starts_with("u64") || e.starts_with("i32") => "A valid integer is required.".into(),
        e if e.starts_with("f64") => "A valid number is required.".into(),
        e if e.starts_with("a boolean") => "Must be a valid boolean.".into(),
        e if e.starts_with("a string") => "Not a valid string.".into(),
        e if e.starts_with("a sequence") => "Expected a list of items.".into(),
        _ => format!("Invalid value: {serde_message}"),
    }
}

fn form_error(message: &str) -> Error {
    match message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        Some(field) => Error::required(field),
        None => Error::BadRequest(format!("Invalid form data: {message}")),
    }
}

/// The id in a path such as `/projects/{id}/`; anything but a positive integer is a 404, as in Django.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        raw.parse::<i64>().ok().filter(|id| *id > 0).map(PathId).ok_or(Error::NotFound)
    }
}
