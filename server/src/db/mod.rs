//! The database: one pool over SQLite (default) or PostgreSQL, migrations, and small query helpers.

mod migrations;
mod types;

use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool};

pub use types::{Flag, Json};

use migrations::Dialect;

pub type Db = AnyPool;
/// A transaction; `&mut *tx` runs queries in it.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Connects and brings the schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new().max_connections(if is_sqlite { 4 } else { 16 }).connect(url).await?;
    if is_sqlite {
        // WAL lets readers proceed while a writer commits; the setting is stored in the file.
        sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await?;
    }
    migrations::run(&pool, if is_sqlite { Dialect::Sqlite } else { Dialect::Postgres }).await?;
    Ok(pool)
}

pub fn is_postgres(db: &Db) -> bool {
    db.connect_options().database_url.scheme().starts_with("postgres")
}

/// The current time as stored and served: ISO-8601 UTC with microseconds, fixed width so that
/// text comparison orders it.
pub fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

pub fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// A value bound into a dynamically built query.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    Bool(bool),
}

fn bind_all<Q>(mut q: Q, args: Vec<Arg>, bind: impl Fn(Q, Arg) -> Q) -> Q {
    for arg in args {
        q = bind(q, arg);
    }
    q
}

/// A query built at run time whose rows are `T`.
pub fn query_as_with<T>(sql: &str, args: Vec<Arg>) -> sqlx::query::QueryAs<'_, Any, T, AnyArguments<'_>>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow>,
{
    bind_all(sqlx::query_as(sql), args, |q, arg| match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Bool(v) => q.bind(v),
    })
}

/// A query built at run time whose rows are one value.
pub fn scalar_with<T>(sql: &str, args: Vec<Arg>) -> sqlx::query::QueryScalar<'_, Any, T, AnyArguments<'_>>
where
    (T,): for<'r> sqlx::FromRow<'r, AnyRow>,
{
    bind_all(sqlx::query_scalar(sql), args, |q, arg| match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Bool(v) => q.bind(v),
    })
}

/// The rows of `select` (which aliases its main table `t`) whose `t.id` is in `ids`, in the order of `ids`;
/// `id` reads a row's id.
pub async fn by_ids<'e, T>(
    db: impl sqlx::Executor<'e, Database = Any>,
    select: &str,
    ids: &[i64],
    id: impl Fn(&T) -> i64,
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} WHERE t.id IN ({})", placeholders(0, ids.len()));
    let mut rows: Vec<T> = query_as_with(&sql, int_args(ids)).fetch_all(db).await?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == id(r)));
    Ok(rows)
}

/// Integer arguments for an `IN (…)` list.
pub fn int_args(ids: &[i64]) -> Vec<Arg> {
    ids.iter().map(|id| Arg::Int(*id)).collect()
}

/// `$1, $2, …` placeholders starting after `offset` arguments, for an `IN (…)` list.
pub fn placeholders(offset: usize, count: usize) -> String {
    (offset + 1..=offset + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_sort_as_text() {
        let a = format_time(time::macros::datetime!(2026-01-02 03:04:05.000007 UTC));
        assert_eq!(a, "2026-01-02T03:04:05.000007Z");
        let b = format_time(time::macros::datetime!(2026-01-02 13:04:05 UTC));
        assert!(a < b);
    }

    #[test]
    fn numbered_placeholders() {
        assert_eq!(placeholders(2, 3), "$3, $4, $5");
    }
}
