//! The label schema of a project (§4–§6): categories → label sets → labels, and what a category's documents
//! are annotated with.

use crate::db::{self, Arg, Db};
use crate::error::{Error, Result};

pub mod categories;
pub mod label_sets;
pub mod labels;

/// The tables of the schema whose rows belong to a project.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Categories,
    LabelSets,
    Labels,
}

impl Table {
    fn sql(self) -> &'static str {
        match self {
            Table::Categories => "categories",
            Table::LabelSets => "label_sets",
            Table::Labels => "labels",
        }
    }
}

/// Every id must name a row of `table` in the project; otherwise the field names the first that does not.
pub async fn ids_in_project(db: &Db, table: Table, project: i64, field: &str, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql =
        format!("SELECT id FROM {} WHERE project_id = $1 AND id IN ({})", table.sql(), db::placeholders(1, ids.len()));
    let mut args = vec![Arg::Int(project)];
    args.extend(db::int_args(ids));
    let found: Vec<i64> = db::scalar_with(&sql, args).fetch_all(db).await?;
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(Error::no_such(field, *missing)),
        None => Ok(()),
    }
}

/// A category of the project, for a field that names one.
pub async fn check_category(db: &Db, project: i64, category: i64) -> Result<()> {
    ids_in_project(db, Table::Categories, project, "category", &[category]).await
}

/// Refuses a name that another row of `table` in the project already has; label sets and categories share
/// their names (a category is its default label set).
pub(super) async fn unique_name(db: &Db, table: Table, project: i64, name: &str, except: Option<i64>) -> Result<()> {
    let (sql_table, what) = match table {
        Table::Labels => ("labels", "label"),
        Table::LabelSets | Table::Categories => ("label_sets", "label set or category"),
    };
    let sql = format!("SELECT id FROM {sql_table} WHERE project_id = $1 AND name = $2 AND id <> $3");
    let taken: Option<i64> =
        sqlx::query_scalar(&sql).bind(project).bind(name).bind(except.unwrap_or(0)).fetch_optional(db).await?;
    match taken {
        Some(_) => Err(Error::field("name", format!("A {what} named \"{name}\" already exists in this project."))),
        None => Ok(()),
    }
}

/// Sorts and removes repeats from a list of ids a client sent.
pub(super) fn distinct(ids: &Option<Vec<i64>>) -> Option<Vec<i64>> {
    ids.clone().map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{refusal, Fixture};

    #[tokio::test]
    async fn ids_must_name_rows_of_the_project() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let (project, schema) = (invoice.project, invoice.schema);
        let other = fx.project(invoice.owner, "Other").await;
        let foreign = fx.schema(other).await;

        ids_in_project(db, Table::Labels, project, "labels", &[]).await.unwrap();
        ids_in_project(db, Table::Labels, project, "labels", &[schema.total, schema.item, schema.total]).await.unwrap();
        ids_in_project(db, Table::LabelSets, project, "label_sets", &[schema.category, schema.line_item])
            .await
            .unwrap();
        let mixed = ids_in_project(db, Table::Labels, project, "labels", &[schema.total, foreign.date]).await;
        assert_eq!(refusal(mixed), format!("400 labels: Invalid pk \"{}\" - object does not exist.", foreign.date));
        // A label set is no category, and a label id is no label set.
        let set = ids_in_project(db, Table::Categories, project, "categories", &[schema.line_item]).await;
        assert_eq!(
            refusal(set),
            format!("400 categories: Invalid pk \"{}\" - object does not exist.", schema.line_item)
        );
        // Ids of different tables may coincide: take a label id that is no label set's.
        let sets = [schema.category, schema.line_item];
        let label = [schema.total, schema.date, schema.item, schema.amount].into_iter().find(|l| !sets.contains(l));
        let label = label.unwrap();
        let refused = ids_in_project(db, Table::LabelSets, project, "label_sets", &[label]).await;
        assert_eq!(refusal(refused), format!("400 label_sets: Invalid pk \"{label}\" - object does not exist."));

        check_category(db, project, schema.category).await.unwrap();
        let elsewhere = check_category(db, project, foreign.category).await;
        assert_eq!(
            refusal(elsewhere),
            format!("400 category: Invalid pk \"{}\" - object does not exist.", foreign.category)
        );
        let not_one = check_category(db, project, schema.line_item).await;
        assert_eq!(
            refusal(not_one),
            format!("400 category: Invalid pk \"{}\" - object does not exist.", schema.line_item)
        );
    }
}
