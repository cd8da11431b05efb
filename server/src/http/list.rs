//! List and detail answers: a list request's parameters, one page of a list with absolute `next`/`previous`
//! URLs, and `fields` selection with dotted paths into nested objects and lists. The query behind a list is
//! `domain::list`.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::db::Db;
use crate::domain::list::{self, ListSpec, Params, Scope};
use crate::error::{Error, Result};

/// The parts of a request a list view needs: query parameters and the absolute URL.
pub struct ListRequest {
    params: Params,
    base_url: String,
    fields: Fields,
}

impl<S: Send + Sync> FromRequestParts<S> for ListRequest {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let params =
            parts.uri.query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
        let fields = Fields::from_request_parts(parts, state).await?;
        let host = header_str(parts, "x-forwarded-host")
            .or_else(|| header_str(parts, header::HOST.as_str()))
            .unwrap_or("localhost");
        let scheme = header_str(parts, "x-forwarded-proto").unwrap_or("http");
        Ok(ListRequest { params: Params(params), base_url: format!("{scheme}://{host}{}", parts.uri.path()), fields })
    }
}

fn header_str<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.split(',').next().unwrap_or(v).trim())
}

impl ListRequest {
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The URL of this list with `limit` and `offset` set.
    fn page_url(&self, limit: u64, offset: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params.0 {
            if k != "limit" && k != "offset" {
                query.append_pair(k, v);
            }
        }
        query.append_pair("limit", &limit.to_string());
        if offset > 0 {
            query.append_pair("offset", &offset.to_string());
        }
        format!("{}?{}", self.base_url, query.finish())
    }

    /// Finds the ids of one page of the resource, visible under `scope`.
    pub async fn fetch(&self, db: &Db, spec: &ListSpec, scope: Scope) -> Result<Page<'_>> {
        let found = list::find(db, spec, scope, &self.params).await?;
        let (limit, offset) = (self.params.limit()?, self.params.offset()?);
        Ok(Page {
            ids: found.ids,
            count: found.count,
            next: (offset + limit < found.count).then(|| self.page_url(limit, offset + limit)),
            previous: (offset > 0).then(|| self.page_url(limit, offset.saturating_sub(limit))),
            fields: &self.fields,
        })
    }
}

/// One page of ids, ready to be answered once the items are loaded.
pub struct Page<'a> {
    pub ids: Vec<i64>,
    count: u64,
    next: Option<String>,
    previous: Option<String>,
    fields: &'a Fields,
}

impl Page<'_> {
    pub fn respond<T: Serialize>(self, items: Vec<T>) -> Result<Json<Value>> {
        let results = items.into_iter().map(|item| self.fields.value(item)).collect::<Result<Vec<_>>>()?;
        Ok(Json(serde_json::json!({
            "count": self.count, "next": self.next, "previous": self.previous, "results": results,
        })))
    }
}

/// The `fields` parameter: which keys to keep, with dotted paths into nested objects and lists.
#[derive(Clone, Default)]
pub struct Fields(Option<Vec<String>>);

impl<S: Send + Sync> FromRequestParts<S> for Fields {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let fields = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k == "fields").last().map(|(_, v)| v.into_owned())
        });
        Ok(Fields(
            fields
                .filter(|f| !f.trim().is_empty())
                .map(|f| f.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()),
        ))
    }
}

impl Fields {
    /// Whether the top-level key `name` is asked for (by itself or by a path into it).
    pub fn names(&self, name: &str) -> bool {
        self.0.iter().flatten().any(|field| field.split('.').next() == Some(name))
    }

    fn value<T: Serialize>(&self, item: T) -> Result<Value> {
        let value = serde_json::to_value(item).map_err(anyhow::Error::from)?;
        Ok(match &self.0 {
            None => value,
            Some(paths) => select(value, &paths.iter().map(String::as_str).collect::<Vec<_>>()),
        })
    }

    /// Serialises a detail object with the requested fields.
    pub fn respond<T: Serialize>(&self, item: T) -> Result<Json<Value>> {
        Ok(Json(self.value(item)?))
    }
}

/// An answer with all its fields.
pub fn respond<T: Serialize>(item: T) -> Result<Json<Value>> {
    Fields::default().respond(item)
}

fn select(value: Value, paths: &[&str]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| select(v, paths)).collect()),
        Value::Object(mut map) => {
            let mut nested: HashMap<&str, Vec<&str>> = HashMap::new();
            let mut whole = Vec::new();
            for path in paths {
                match path.split_once('.') {
                    Some((head, rest)) => nested.entry(head).or_default().push(rest),
                    None => whole.push(*path),
                }
            }
            let mut out = Map::new();
            for key in whole {
                if let Some(v) = map.remove(key) {
                    out.insert(key.to_owned(), v);
                }
            }
            for (key, rest) in nested {
                if let Some(v) = map.remove(key) {
                    out.insert(key.to_owned(), select(v, &rest));
                }
            }
            Value::Object(out)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_select_nested_paths() {
        let fields = Fields(Some(vec!["id".into(), "documents.id".into(), "documents.name".into()]));
        let v = json!({"id": 1, "x": 2, "documents": [{"id": 3, "name": "a", "y": 1}]});
        assert_eq!(fields.value(v).unwrap(), json!({"id": 1, "documents": [{"id": 3, "name": "a"}]}));
        assert_eq!(Fields::default().value(json!({"a": 1})).unwrap(), json!({"a": 1}));
        assert!(fields.names("documents") && !fields.names("name"));
    }

    #[test]
    fn page_urls_keep_the_filters_and_move_the_offset() {
        let req = ListRequest {
            params: Params(vec![("project".into(), "3".into()), ("offset".into(), "10".into())]),
            base_url: "http://h/api/v3/documents/".into(),
            fields: Fields::default(),
        };
        assert_eq!(req.page_url(10, 20), "http://h/api/v3/documents/?project=3&limit=10&offset=20");
        assert_eq!(req.page_url(10, 0), "http://h/api/v3/documents/?project=3&limit=10");
    }
}
