//! The one list machinery: filters, `created_at_after/before`, `ordering`, `limit`/`offset` paging with
//! absolute `next`/`previous` URLs, and `fields` selection (also used by detail views).
//!
//! Choices where the reference is silent: `limit` defaults to 100 and is capped at 1000 (larger values are
//! served as 1000, like DRF's `max_limit`); malformed numbers are a 400 naming the parameter; unknown query
//! parameters are ignored, as Django filters do; `created_at_after=D` includes day D and
//! `created_at_before=D` includes day D (django-filter's date range), a full datetime is used as it is.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::Json;
use lectern_api::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;

use super::error::{Error, Result};
use crate::db::{self, Arg, Db};

/// How one resource is listed.
pub struct ListSpec {
    /// The FROM clause; the resource's table is aliased `t` and has `id`, `created_at`.
    pub from: &'static str,
    /// Orderable API field names and the SQL expression each orders by.
    pub ordering: &'static [(&'static str, &'static str)],
    pub filters: &'static [Filter],
}

/// A query parameter that narrows a list.
pub struct Filter {
    pub param: &'static str,
    /// SQL expression compared with the value.
    pub column: &'static str,
    pub kind: FilterKind,
}

pub enum FilterKind {
    Int,
    /// One integer, or several comma-separated that match any of them.
    IntList,
    Bool,
    Text,
}

/// A `WHERE` condition with `?` placeholders and its arguments.
pub struct Condition {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Condition {
    /// Rows of projects the user is a member of (the table `t` has `project_id`).
    pub fn member(user_id: i64) -> Condition {
        Condition {
            sql: "t.project_id IN (SELECT project_id FROM project_members WHERE user_id = ?)".into(),
            args: vec![Arg::Int(user_id)],
        }
    }
}

/// The parts of a request a list or detail view needs: query parameters and the absolute URL.
pub struct ListRequest {
    params: Vec<(String, String)>,
    base_url: String,
    pub fields: Fields,
}

impl<S: Send + Sync> FromRequestParts<S> for ListRequest {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let params: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let fields = Fields::from_request_parts(parts, state).await?;
        let host = header_str(parts, "x-forwarded-host")
            .or_else(|| header_str(parts, header::HOST.as_str()))
            .unwrap_or("localhost");
        let scheme = header_str(parts, "x-forwarded-proto").unwrap_or("http");
        Ok(ListRequest { params, base_url: format!("{scheme}://{host}{}", parts.uri.path()), fields })
    }
}

fn header_str<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.split(',').next().unwrap_or(v).trim())
}

impl ListRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    fn number(&self, name: &str) -> Result<Option<u64>> {
        self.param(name)
            .map(|v| v.parse::<u64>().map_err(|_| Error::field(name, "A valid non-negative integer is required.")))
            .transpose()
    }

    /// The URL of this list with `limit` and `offset` set.
    fn page_url(&self, limit: u64, offset: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
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
    pub async fn fetch(&self, db: &Db, spec: &ListSpec, scope: Condition) -> Result<Page> {
        let limit = match self.number("limit")? {
            Some(0) => return Err(Error::field("limit", "Ensure this value is greater than 0.")),
            Some(n) => n.min(MAX_PAGE_SIZE),
            None => DEFAULT_PAGE_SIZE,
        };
        let offset = self.number("offset")?.unwrap_or(0);
        let mut conditions = vec![scope];
        for filter in spec.filters {
            if let Some(value) = self.param(filter.param) {
                conditions.push(filter_condition(filter, value)?);
            }
        }
        for (param, op) in [("created_at_after", ">="), ("created_at_before", "<")] {
            if let Some(value) = self.param(param) {
                let bound = time_bound(param, value, op == "<")?;
                conditions.push(Condition { sql: format!("t.created_at {op} ?"), args: vec![Arg::Text(bound)] });
            }
        }
        let order = self.order_by(spec)?;
        let where_sql = conditions.iter().map(|c| format!("({})", c.sql)).collect::<Vec<_>>().join(" AND ");
        let args: Vec<Arg> = conditions.into_iter().flat_map(|c| c.args).collect();

        let count_sql = number_placeholders(&format!("SELECT COUNT(*) AS n FROM {} WHERE {where_sql}", spec.from));
        let count: i64 = db::query_with(&count_sql, args.clone()).fetch_one(db).await?.get("n");
        let ids_sql = number_placeholders(&format!(
            "SELECT t.id AS id FROM {} WHERE {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            spec.from
        ));
        let ids = db::ids(&db::query_with(&ids_sql, args).fetch_all(db).await?);
        let count = count as u64;
        let next = (offset + limit < count).then(|| self.page_url(limit, offset + limit));
        let previous = (offset > 0).then(|| self.page_url(limit, offset.saturating_sub(limit)));
        Ok(Page { ids, count, next, previous, fields: self.fields.clone() })
    }

    fn order_by(&self, spec: &ListSpec) -> Result<String> {
        let mut terms = Vec::new();
        let mut has_id = false;
        for name in self.param("ordering").unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (field, dir) = match name.strip_prefix('-') {
                Some(f) => (f, "DESC"),
                None => (name, "ASC"),
            };
            let Some((_, expr)) = spec.ordering.iter().find(|(api, _)| *api == field) else {
                let allowed: Vec<&str> = spec.ordering.iter().map(|(api, _)| *api).collect();
                return Err(Error::field(
                    "ordering",
                    format!("Unknown ordering field \"{field}\". Allowed: {}.", allowed.join(", ")),
                ));
            };
            has_id |= field == "id";
            terms.push(format!("{expr} {dir}"));
        }
        if !has_id {
            terms.push("t.id ASC".into());
        }
        Ok(terms.join(", "))
    }
}

fn filter_condition(filter: &Filter, value: &str) -> Result<Condition> {
    let invalid = |what: &str| Error::field(filter.param, format!("{what} is required, got \"{value}\"."));
    let (sql, arg) = match filter.kind {
        FilterKind::IntList => {
            let values = value
                .split(',')
                .map(|v| v.trim().parse::<i64>().map(Arg::Int))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| invalid("A comma-separated list of integers"))?;
            let marks = vec!["?"; values.len()].join(", ");
            return Ok(Condition { sql: format!("{} IN ({marks})", filter.column), args: values });
        }
        FilterKind::Int => {
            let v = value.parse::<i64>().map_err(|_| invalid("A valid integer"))?;
            (format!("{} = ?", filter.column), Arg::Int(v))
        }
        FilterKind::Bool => {
            let v = lectern_api::lenient::parse_bool(value).ok_or_else(|| invalid("true or false"))?;
            (format!("{} = ?", filter.column), Arg::Bool(v))
        }
        FilterKind::Text => (format!("{} = ?", filter.column), Arg::Text(value.to_owned())),
    };
    Ok(Condition { sql, args: vec![arg] })
}

/// The stored-time text a `created_at_after`/`_before` value stands for.
fn time_bound(param: &str, value: &str, before: bool) -> Result<String> {
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(value, &date_format) {
        // A date covers the whole day: after includes its start, before excludes the next day's start.
        let day = if before { date.next_day().unwrap_or(date) } else { date };
        return Ok(db::format_time(day.midnight().assume_utc()));
    }
    let parsed = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map_err(|_| Error::field(param, format!("Enter a valid date (YYYY-MM-DD) or date-time, got \"{value}\".")))?;
    // A datetime bound is inclusive on both sides.
    let t = if before { parsed + time::Duration::microseconds(1) } else { parsed };
    Ok(db::format_time(t))
}

/// Replaces each `?` with `$1`, `$2`, … in order; both databases read that form.
fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// One page of ids, ready to be answered once the items are loaded.
pub struct Page {
    pub ids: Vec<i64>,
    count: u64,
    next: Option<String>,
    previous: Option<String>,
    fields: Fields,
}

impl Page {
    pub fn respond<T: Serialize>(self, items: Vec<T>) -> Result<Json<Value>> {
        let results = items
            .into_iter()
            .map(|item| Ok(self.fields.apply(serde_json::to_value(item).map_err(anyhow::Error::from)?)))
            .collect::<Result<Vec<_>>>()?;
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
        Ok(Fields(fields.filter(|f| !f.trim().is_empty()).map(|f| {
            f.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        })))
    }
}

impl Fields {
    pub fn apply(&self, value: Value) -> Value {
        match &self.0 {
            None => value,
            Some(paths) => select(value, &paths.iter().map(String::as_str).collect::<Vec<_>>()),
        }
    }

    /// Serialises a detail object with the requested fields.
    pub fn respond<T: Serialize>(&self, item: T) -> Result<Json<Value>> {
        Ok(Json(self.apply(serde_json::to_value(item).map_err(anyhow::Error::from)?)))
    }
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
        assert_eq!(fields.apply(v), json!({"id": 1, "documents": [{"id": 3, "name": "a"}]}));
        assert_eq!(Fields::default().apply(json!({"a": 1})), json!({"a": 1}));
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(number_placeholders("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn date_bounds_cover_whole_days() {
        assert_eq!(time_bound("x", "2026-01-31", false).unwrap(), "2026-01-31T00:00:00.000000Z");
        assert_eq!(time_bound("x", "2026-01-31", true).unwrap(), "2026-02-01T00:00:00.000000Z");
        assert!(time_bound("x", "31.01.2026", true).is_err());
    }
}
