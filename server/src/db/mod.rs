//! The database: one pool over SQLite (default) or PostgreSQL, migrations, and small query helpers.

mod migrations;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

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

/// Runs a query built at run time with its arguments.
pub fn query_with(sql: &str, args: Vec<Arg>) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    let mut q = sqlx::query(sql);
    for arg in args {
        q = match arg {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
        };
    }
    q
}

/// Rows of `select` (which aliases its main table `t`) whose `t.id` is in `ids`, in the order of `ids`.
pub async fn rows_by_ids<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    select: &str,
    ids: &[i64],
) -> sqlx::Result<Vec<AnyRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} WHERE t.id IN ({})", placeholders(0, ids.len()));
    let mut rows = query_with(&sql, ids.iter().map(|id| Arg::Int(*id)).collect()).fetch_all(db).await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.get::<i64, _>("id")));
    Ok(rows)
}

/// Reads a boolean column: BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite.
pub fn flag(row: &AnyRow, column: &str) -> bool {
    row.try_get::<bool, _>(column).unwrap_or_else(|_| row.get::<i64, _>(column) != 0)
}

/// Reads the `id` column of each row.
pub fn ids(rows: &[AnyRow]) -> Vec<i64> {
    rows.iter().map(|r| r.get::<i64, _>("id")).collect()
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
