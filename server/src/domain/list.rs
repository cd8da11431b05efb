//! The one list query behind every list endpoint: filters, a created-at range, ordering and paging over the ids
//! of one resource visible to the caller. `http::list` reads the parameters and answers the page.
//!
//! Choices where the reference is silent: `limit` defaults to 100 and is capped at 1000 (larger values are
//! served as 1000, like DRF's `max_limit`); malformed numbers are a 400 naming the parameter; unknown query
//! parameters are ignored, as Django filters do; `created_at_after=D` includes day D and
//! `created_at_before=D` includes day D (django-filter's date range), a full datetime is used as it is.

use lectern_api::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

use crate::db::{self, Arg, Db};
use crate::error::{Error, Result};

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

/// A `WHERE` condition with `?` placeholders and its arguments: which rows the caller may see.
pub struct Scope {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Scope {
    /// Rows of projects the user is a member of (the table `t` has `project_id`).
    pub fn member(user_id: i64) -> Scope {
        Scope {
            sql: "t.project_id IN (SELECT project_id FROM project_members WHERE user_id = ?)".into(),
            args: vec![Arg::Int(user_id)],
        }
    }

    /// Rows of documents in projects the user is a member of (the table `t` has `document_id`).
    pub fn member_documents(user_id: i64) -> Scope {
        Scope {
            sql: "t.document_id IN (SELECT id FROM documents WHERE project_id IN
                  (SELECT project_id FROM project_members WHERE user_id = ?))"
                .into(),
            args: vec![Arg::Int(user_id)],
        }
    }

    /// Projects the user is a member of (the table `t` is `projects`).
    pub fn member_projects(user_id: i64) -> Scope {
        Scope {
            sql: "t.id IN (SELECT project_id FROM project_members WHERE user_id = ?)".into(),
            args: vec![Arg::Int(user_id)],
        }
    }
}

/// The query parameters of a list request, as sent.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The last value of `name`, if it is not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    fn number(&self, name: &str) -> Result<Option<u64>> {
        self.get(name)
            .map(|v| v.parse::<u64>().map_err(|_| Error::field(name, "A valid non-negative integer is required.")))
            .transpose()
    }

    pub fn limit(&self) -> Result<u64> {
        match self.number("limit")? {
            Some(0) => Err(Error::field("limit", "Ensure this value is greater than 0.")),
            Some(n) => Ok(n.min(MAX_PAGE_SIZE)),
            None => Ok(DEFAULT_PAGE_SIZE),
        }
    }

    pub fn offset(&self) -> Result<u64> {
        Ok(self.number("offset")?.unwrap_or(0))
    }
}

/// The ids of one page and how many there are in all.
pub struct Found {
    pub ids: Vec<i64>,
    pub count: u64,
}

/// Finds the ids of one page of the resource, visible under `scope`.
pub async fn find(db: &Db, spec: &ListSpec, scope: Scope, params: &Params) -> Result<Found> {
    let (limit, offset) = (params.limit()?, params.offset()?);
    let mut conditions = vec![scope];
    for filter in spec.filters {
        if let Some(value) = params.get(filter.param) {
            conditions.push(filter_condition(filter, value)?);
        }
    }
    for (param, op) in [("created_at_after", ">="), ("created_at_before", "<")] {
        if let Some(value) = params.get(param) {
            let bound = time_bound(param, value, op == "<")?;
            conditions.push(Scope { sql: format!("t.created_at {op} ?"), args: vec![Arg::Text(bound)] });
        }
    }
    let order = order_by(spec, params.get("ordering").unwrap_or(""))?;
    let where_sql = conditions.iter().map(|c| format!("({})", c.sql)).collect::<Vec<_>>().join(" AND ");
    let args: Vec<Arg> = conditions.into_iter().flat_map(|c| c.args).collect();

    let count_sql = number_placeholders(&format!("SELECT COUNT(*) FROM {} WHERE {where_sql}", spec.from));
    let count: i64 = db::scalar_with(&count_sql, args.clone()).fetch_one(db).await?;
    let ids_sql = number_placeholders(&format!(
        "SELECT t.id FROM {} WHERE {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        spec.from
    ));
    let ids = db::scalar_with(&ids_sql, args).fetch_all(db).await?;
    Ok(Found { ids, count: count as u64 })
}

fn order_by(spec: &ListSpec, ordering: &str) -> Result<String> {
    let mut terms = Vec::new();
    let mut has_id = false;
    for name in ordering.split(',').map(str::trim).filter(|s| !s.is_empty()) {
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

fn filter_condition(filter: &Filter, value: &str) -> Result<Scope> {
    let invalid = |what: &str| Error::field(filter.param, format!("{what} is required, got \"{value}\"."));
    let (sql, arg) = match filter.kind {
        FilterKind::IntList => {
            let values = value
                .split(',')
                .map(|v| v.trim().parse::<i64>().map(Arg::Int))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| invalid("A comma-separated list of integers"))?;
            let marks = vec!["?"; values.len()].join(", ");
            return Ok(Scope { sql: format!("{} IN ({marks})", filter.column), args: values });
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
    Ok(Scope { sql, args: vec![arg] })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
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

    #[test]
    fn paging_parameters_are_checked_and_capped() {
        assert_eq!(params(&[]).limit().unwrap(), DEFAULT_PAGE_SIZE);
        assert_eq!(params(&[("limit", "5000")]).limit().unwrap(), MAX_PAGE_SIZE);
        assert_eq!(params(&[("limit", "2"), ("limit", "3")]).limit().unwrap(), 3);
        assert!(params(&[("limit", "0")]).limit().is_err());
        assert!(params(&[("offset", "-1")]).offset().is_err());
        assert_eq!(params(&[("offset", "")]).offset().unwrap(), 0);
    }

    #[test]
    fn ordering_names_api_fields_only() {
        const SPEC: ListSpec = ListSpec { from: "x t", ordering: &[("id", "t.id"), ("name", "t.name")], filters: &[] };
        assert_eq!(order_by(&SPEC, "-name").unwrap(), "t.name DESC, t.id ASC");
        assert_eq!(order_by(&SPEC, "name,-id").unwrap(), "t.name ASC, t.id DESC");
        let Err(Error::Fields(f)) = order_by(&SPEC, "password") else { panic!() };
        assert!(f["ordering"][0].contains("Allowed: id, name."));
    }

    #[test]
    fn filters_check_their_values() {
        let filter = Filter { param: "status_data", column: "t.status_data", kind: FilterKind::IntList };
        assert_eq!(filter_condition(&filter, "2, 111").unwrap().sql, "t.status_data IN (?, ?)");
        assert!(filter_condition(&filter, "2,x").is_err());
        let flag = Filter { param: "is_reviewed", column: "t.is_reviewed", kind: FilterKind::Bool };
        assert!(filter_condition(&flag, "maybe").is_err());
        assert!(filter_condition(&flag, "True").is_ok());
    }

    use lectern_api::documents::{DocumentWrite, UserRef};

    use crate::domain::documents::{self, review};
    use crate::testing::{refusal, Fixture};

    #[tokio::test]
    async fn a_list_filters_orders_and_pages_the_documents_a_user_may_see() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let stranger = fx.user("stranger@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let category = fx.schema(project).await.category;
        let a = fx.document(owner, project, Some(category)).await;
        let b = fx.upload(owner, project, None).await;
        let c = fx.document(owner, project, Some(category)).await;
        let theirs = fx.document(stranger, fx.project(stranger, "Theirs").await, None).await;
        let assign = DocumentWrite { assignee: Some(Some(UserRef::Id(owner))), ..DocumentWrite::default() };
        review::update(db, fx.load(c).await, assign).await.unwrap();
        let list = |user, pairs: &[(&str, &str)]| {
            let params = params(pairs);
            async move { find(db, &documents::LIST, Scope::member(user), &params).await.map(|f| (f.ids, f.count)) }
        };

        assert_eq!(list(owner, &[]).await.unwrap(), (vec![a, b, c], 3));
        assert_eq!(list(stranger, &[]).await.unwrap(), (vec![theirs], 1));
        assert_eq!(list(owner, &[("status_data", "2")]).await.unwrap().0, [a, c]);
        assert_eq!(list(owner, &[("status_data", "0, 2")]).await.unwrap().0, [a, b, c]);
        assert_eq!(list(owner, &[("category", category.to_string().as_str())]).await.unwrap().0, [a, c]);
        assert_eq!(list(owner, &[("assignee", "owner@example.com")]).await.unwrap().0, [c]);
        assert_eq!(
            list(owner, &[("is_reviewed", "False"), ("project", project.to_string().as_str())]).await.unwrap().0.len(),
            3
        );
        assert_eq!(list(owner, &[("ordering", "-id"), ("limit", "2")]).await.unwrap(), (vec![c, b], 3));
        assert_eq!(list(owner, &[("ordering", "-status_data"), ("offset", "1")]).await.unwrap().0, [c, b]);
        assert_eq!(list(owner, &[("created_at_after", "2000-01-01")]).await.unwrap().0.len(), 3);
        assert!(list(owner, &[("created_at_before", "2000-01-01")]).await.unwrap().0.is_empty());
        let now = crate::db::now();
        let today = &now[..10];
        assert_eq!(list(owner, &[("created_at_before", today)]).await.unwrap().0.len(), 3);

        assert_eq!(
            refusal(list(owner, &[("status_data", "done")]).await),
            "400 status_data: A comma-separated list of integers is required, got \"done\"."
        );
        assert!(refusal(list(owner, &[("ordering", "text")]).await)
            .starts_with("400 ordering: Unknown ordering field \"text\". Allowed: id, data_file_name,"));
        assert_eq!(refusal(list(owner, &[("limit", "0")]).await), "400 limit: Ensure this value is greater than 0.");
        assert_eq!(
            refusal(list(owner, &[("created_at_after", "soon")]).await),
            "400 created_at_after: Enter a valid date (YYYY-MM-DD) or date-time, got \"soon\"."
        );
    }
}
