//! The domain's errors as DRF-shaped JSON responses, and the extractors of bodies and path ids whose
//! rejections use that shape.

use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lectern_api::lenient::{self, Input};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};

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
            e @ Error::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, json!({ "detail": e.to_string() })),
            Error::NotReady(m) => (StatusCode::PRECONDITION_REQUIRED, json!({ "detail": m })),
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

/// The largest JSON, form or multipart body; uploads (`POST documents/`) have their own, configurable limit.
const MAX_BODY_BYTES: usize = 16 << 20;

/// A request body, JSON, form-encoded or multipart, deserialised into `T` with DRF's coercions
/// (`lectern_api::lenient`: `"1"` for an integer, `"True"` for a boolean, …) and errors that name the field.
/// DRF parses all three content types on every view and then validates the same way.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        let (value, input) = body_value(req, state).await?;
        from_value(value, input).map(Body)
    }
}

/// The body as one value: JSON as sent (an empty body is `{}`), the fields of a form or a multipart body as
/// text, shaped by `lenient::form_value`.
async fn body_value<S: Send + Sync>(req: Request, state: &S) -> Result<(Value, Input)> {
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| Error::PayloadTooLarge(format!("The request body is larger than {} MB.", MAX_BODY_BYTES >> 20)))?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((lenient::form_value(form_urlencoded::parse(&bytes).into_owned()), Input::Form));
    }
    if content_type.starts_with("multipart/form-data") {
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| Error::BadRequest(format!("Could not read the multipart body: {}", e.body_text())))?;
        let unreadable =
            |e: MultipartError| Error::BadRequest(format!("Could not read the multipart body: {}", e.body_text()));
        let mut fields = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or("").to_owned();
            fields.push((name, field.text().await.map_err(unreadable)?));
        }
        return Ok((lenient::form_value(fields), Input::Form));
    }
    if !(content_type.is_empty() || content_type.starts_with("application/json")) {
        return Err(Error::UnsupportedMediaType(format!(
            "Unsupported media type \"{content_type}\" in request; send application/json, a form or multipart/form-data."
        )));
    }
    let value = parse_json(if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes })?;
    Ok((value, Input::Json))
}

/// Parses JSON into a value, turning serde's error into a DRF-shaped one.
fn parse_json(bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| Error::BadRequest(format!("JSON parse error - {e}")))
}

/// Deserialises a body's value into `T` with DRF's coercions; a wrong type or a missing field names the body's
/// field. A problem inside a field (`selection_bbox.x1`) is the field's, with the rest of the path in the
/// message, as DRF nests the errors of a nested object under its field.
pub fn from_value<T: DeserializeOwned>(value: Value, input: Input) -> Result<T> {
    serde_path_to_error::deserialize(lenient::Deserializer::new(value, input)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let (path, message) = match message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            Some(field) if path == "." => return Error::required(field),
            Some(field) => (format!("{path}.{field}"), "This field is required.".to_owned()),
            None if path == "." && lenient::is_drf_message(&message) => return Error::BadRequest(message),
            None if path == "." => return Error::BadRequest(format!("Invalid data: {message}")),
            None => (path, type_message(&message)),
        };
        // In a list body (`[1].document`) the item's index goes into the message, the field names the error.
        let named = path.trim_start_matches(|c: char| c == '[' || c == ']' || c == '.' || c.is_ascii_digit());
        let items = path[..path.len() - named.len()].trim_end_matches('.');
        let (field, rest) = named.split_at(named.find(['.', '[']).unwrap_or(named.len()));
        let inner = format!("{items}{}", if items.is_empty() { rest.trim_start_matches('.') } else { rest });
        match (field, inner.as_str()) {
            ("", _) => Error::BadRequest(format!("{path}: {message}")),
            (field, "") => Error::field(field, message),
            (field, inner) => Error::field(field, format!("{inner}: {message}")),
        }
    })
}

/// DRF's wording for a value of the wrong type: the coercing deserializer's own messages, and an integer out
/// of its type's range (a negative page index) as an invalid integer; serde's detail when it has no match.
fn type_message(serde_message: &str) -> String {
    if lenient::is_drf_message(serde_message) {
        return serde_message.to_owned();
    }
    let expected = serde_message.rsplit("expected ").next().unwrap_or("");
    match expected {
        e if ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize"].contains(&e) => {
            lenient::INVALID_INTEGER.into()
        }
        _ => format!("Invalid value: {serde_message}"),
    }
}

/// A body that is one object or a list of them (DRF's `many=True` on a list body), and whether it was a list.
pub struct OneOrMany<T> {
    pub items: Vec<T>,
    pub is_list: bool,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object or a list of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Self::Value, A::Error> {
                let items = Vec::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(OneOrMany { items, is_list: true })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
                let item = T::deserialize(MapAccessDeserializer::new(map))?;
                Ok(OneOrMany { items: vec![item], is_list: false })
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The id in a path such as `/projects/{id}/`; anything but a positive integer is a 404, as in Django.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|_| Error::NotFound)?;
        PathId::parse(&raw).map(PathId)
    }
}

impl PathId {
    /// An id in a path: a positive integer; anything else names nothing.
    pub fn parse(raw: &str) -> Result<i64> {
        raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(Error::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn rendered(e: Error) -> (StatusCode, Value) {
        let resp = e.into_response();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn errors_answer_in_drf_shape() {
        assert_eq!(rendered(Error::NotFound).await, (StatusCode::NOT_FOUND, json!({"detail": "Not found."})));
        assert_eq!(
            rendered(Error::required("name")).await,
            (StatusCode::BAD_REQUEST, json!({"name": ["This field is required."]}))
        );
        assert_eq!(rendered(Error::NotReady("wait".into())).await.0, StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(rendered(Error::Forbidden("no".into())).await.0, StatusCode::FORBIDDEN);
        // Internal errors are logged, never shown.
        let (status, body) = rendered(Error::Internal(anyhow::anyhow!("secret path /srv/x"))).await;
        assert_eq!((status, body), (StatusCode::INTERNAL_SERVER_ERROR, json!({"detail": "A server error occurred."})));
    }

    #[tokio::test]
    async fn every_error_has_its_status_and_a_detail_or_the_fields() {
        let detail = |m: &str| json!({ "detail": m });
        let cases = [
            (Error::Unauthorized("no".into()), StatusCode::UNAUTHORIZED, detail("no")),
            (Error::Forbidden("owner only".into()), StatusCode::FORBIDDEN, detail("owner only")),
            (Error::BadRequest("bad".into()), StatusCode::BAD_REQUEST, detail("bad")),
            (Error::TooManyRequests("later".into()), StatusCode::TOO_MANY_REQUESTS, detail("later")),
            (Error::PayloadTooLarge("big".into()), StatusCode::PAYLOAD_TOO_LARGE, detail("big")),
            (Error::UnsupportedMediaType("xml".into()), StatusCode::UNSUPPORTED_MEDIA_TYPE, detail("xml")),
            (
                Error::MethodNotAllowed("PUT".into()),
                StatusCode::METHOD_NOT_ALLOWED,
                detail("Method \"PUT\" not allowed."),
            ),
            (Error::NotReady("wait".into()), StatusCode::PRECONDITION_REQUIRED, detail("wait")),
            (
                Error::no_such("label", 7),
                StatusCode::BAD_REQUEST,
                json!({"label": ["Invalid pk \"7\" - object does not exist."]}),
            ),
        ];
        for (error, status, body) in cases {
            let name = format!("{error:?}");
            assert_eq!(rendered(error).await, (status, body), "{name}");
        }
    }

    #[tokio::test]
    async fn only_a_401_names_the_scheme() {
        let resp = Error::Unauthorized("no".into()).into_response();
        assert_eq!(resp.headers()[header::WWW_AUTHENTICATE], "Token");
        for other in [Error::Forbidden("no".into()), Error::NotFound, Error::required("name")] {
            assert!(!other.into_response().headers().contains_key(header::WWW_AUTHENTICATE));
        }
    }

    #[tokio::test]
    async fn unique_and_foreign_key_violations_are_a_400_and_other_database_errors_a_500() {
        // A real database error, as the domain meets it: SQLite in memory, on one connection (each has its own).
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new().max_connections(1).connect("sqlite::memory:").await.unwrap();
        sqlx::query("PRAGMA foreign_keys = ON").execute(&db).await.unwrap();
        sqlx::query("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE)").execute(&db).await.unwrap();
        sqlx::query("CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id))").execute(&db).await.unwrap();
        sqlx::query("INSERT INTO p (name) VALUES ('a')").execute(&db).await.unwrap();
        let unique = sqlx::query("INSERT INTO p (name) VALUES ('a')").execute(&db).await.unwrap_err();
        let (status, body) = rendered(Error::from(unique)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["detail"], "An object with these values already exists.");
        let foreign = sqlx::query("INSERT INTO c (p) VALUES (99)").execute(&db).await.unwrap_err();
        let (status, body) = rendered(Error::from(foreign)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["detail"], "A referenced object does not exist.");
        let syntax = sqlx::query("SELEC 1").execute(&db).await.unwrap_err();
        assert_eq!(
            rendered(Error::from(syntax)).await,
            (StatusCode::INTERNAL_SERVER_ERROR, json!({"detail": "A server error occurred."}))
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        label: i64,
        spans: Vec<i64>,
    }

    #[test]
    fn a_wrong_type_or_a_missing_field_is_named() {
        let field = |v: Value| match from_value::<Body>(v, Input::Json) {
            Err(Error::Fields(f)) => f,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(json!({"spans": []}))["label"], ["This field is required."]);
        assert_eq!(field(json!({"label": "x", "spans": []}))["label"], ["A valid integer is required."]);
        assert_eq!(field(json!({"label": 1, "spans": 3}))["spans"], ["Expected a list of items but got type \"int\"."]);
        assert_eq!(field(json!({"label": 1, "spans": [1, "x"]}))["spans"], ["[1]: A valid integer is required."]);
        assert_eq!(
            field(json!({"label": "7", "spans": "1"}))["spans"],
            ["Expected a list of items but got type \"str\"."]
        );
        assert_eq!(field(json!({"label": 1.5, "spans": []}))["label"], ["A valid integer is required."]);
        assert!(matches!(parse_json(b"{"), Err(Error::BadRequest(_))));
        assert!(matches!(from_value::<Body>(json!([1, []]), Input::Json), Err(Error::BadRequest(_))));
    }

    #[test]
    fn one_or_a_list_of_objects() {
        let read = |v: Value| from_value::<OneOrMany<Value>>(v, Input::Json).map(|o| (o.items, o.is_list));
        assert_eq!(read(json!({"a": 1})).unwrap(), (vec![json!({"a": 1})], false));
        assert_eq!(read(json!([{"a": 1}, {"a": 2}])).unwrap().0.len(), 2);
        assert!(read(json!(3)).is_err());
        match from_value::<OneOrMany<Body>>(
            json!([{"label": 1, "spans": []}, {"label": "x", "spans": []}]),
            Input::Json,
        ) {
            Err(Error::Fields(f)) => assert_eq!(f["label"], ["[1]: A valid integer is required."]),
            other => panic!("{:?}", other.map(|o| o.items.len())),
        }
    }
}
