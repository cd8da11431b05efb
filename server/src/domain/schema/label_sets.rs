//! Label sets (§5). A category's default label set shares its id and is listed with `is_category: true`.

use std::collections::HashMap;

use lectern_api::{Label, LabelSet, LabelSetLabel, LabelSetWrite};

use super::{distinct, ids_in_project, unique_name, Table};
use crate::db::{self, Db, Flag, Tx};
use crate::domain::list::{Filter, FilterKind, ListSpec};
use crate::domain::validate;
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "label_sets t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "is_category", column: "t.is_category", kind: FilterKind::Bool },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
    ],
};

#[derive(sqlx::FromRow)]
struct LabelSetRow {
    id: i64,
    project_id: i64,
    name: String,
    api_name: String,
    description: String,
    #[sqlx(try_from = "Flag")]
    has_multiple_annotation_sets: bool,
    #[sqlx(try_from = "Flag")]
    is_category: bool,
}

/// The labels of each label set, by label set id, ordered by label id.
pub async fn labels_of(db: &Db, set_ids: &[i64]) -> Result<HashMap<i64, Vec<Label>>> {
    let mut by_set: HashMap<i64, Vec<Label>> = HashMap::new();
    if set_ids.is_empty() {
        return Ok(by_set);
    }
    let sql = format!(
        "SELECT l.id FROM label_set_labels ll JOIN labels l ON l.id = ll.label_id
         WHERE ll.label_set_id IN ({}) GROUP BY l.id ORDER BY l.id",
        db::placeholders(0, set_ids.len())
    );
    let label_ids: Vec<i64> = db::scalar_with(&sql, db::int_args(set_ids)).fetch_all(db).await?;
    for label in super::labels::load(db, &label_ids).await? {
        for set in &label.label_sets {
            if set_ids.contains(set) {
                by_set.entry(*set).or_default().push(label.clone());
            }
        }
    }
    Ok(by_set)
}

/// Label sets in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<LabelSet>> {
    let rows: Vec<LabelSetRow> = db::by_ids(db, "SELECT t.* FROM label_sets t", ids, |r: &LabelSetRow| r.id).await?;
    let mut labels = labels_of(db, ids).await?;
    let mut categories = categories_using(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| LabelSet {
            categories: categories.remove(&r.id).unwrap_or_default(),
            labels: labels
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|l| LabelSetLabel { id: l.id, name: l.name, api_name: l.api_name, data_type: l.data_type })
                .collect(),
            id: r.id,
            project: r.project_id,
            name: r.name,
            api_name: r.api_name,
            description: r.description,
            has_multiple_annotation_sets: r.has_multiple_annotation_sets,
            is_category: r.is_category,
        })
        .collect())
}

/// The categories using each label set: linked ones, and for a default set its own category.
async fn categories_using(db: &Db, set_ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
    let mut by_set: HashMap<i64, Vec<i64>> = HashMap::new();
    if set_ids.is_empty() {
        return Ok(by_set);
    }
    let list = db::placeholders(0, set_ids.len());
    let sql = format!(
        "SELECT label_set_id AS s, category_id AS c FROM category_label_sets WHERE label_set_id IN ({list})
         UNION SELECT id AS s, id AS c FROM categories WHERE id IN ({list}) ORDER BY c"
    );
    let args = db::int_args(&[set_ids, set_ids].concat());
    let pairs: Vec<(i64, i64)> = db::query_as_with(&sql, args).fetch_all(db).await?;
    for (set, category) in pairs {
        by_set.entry(set).or_default().push(category);
    }
    Ok(by_set)
}

/// Replaces the label set's links to categories and labels with the given ones, when given.
async fn set_links(tx: &mut Tx, id: i64, categories: Option<&[i64]>, labels: Option<&[i64]>) -> Result<()> {
    if let Some(categories) = categories {
        sqlx::query("DELETE FROM category_label_sets WHERE label_set_id = $1").bind(id).execute(&mut **tx).await?;
        for category in categories.iter().filter(|c| **c != id) {
            sqlx::query("INSERT INTO category_label_sets (category_id, label_set_id) VALUES ($1, $2)")
                .bind(category)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    if let Some(labels) = labels {
        sqlx::query("DELETE FROM label_set_labels WHERE label_set_id = $1").bind(id).execute(&mut **tx).await?;
        for label in labels {
            sqlx::query("INSERT INTO label_set_labels (label_set_id, label_id) VALUES ($1, $2)")
                .bind(id)
                .bind(label)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Checks the ids a write links to: categories and labels of the same project, each once.
async fn check_links(db: &Db, project: i64, body: &LabelSetWrite) -> Result<(Option<Vec<i64>>, Option<Vec<i64>>)> {
    let (categories, labels) = (distinct(&body.categories), distinct(&body.labels));
    if let Some(ids) = &categories {
        ids_in_project(db, Table::Categories, project, "categories", ids).await?;
    }
    if let Some(ids) = &labels {
        ids_in_project(db, Table::Labels, project, "labels", ids).await?;
    }
    Ok((categories, labels))
}

/// Creates a label set in the project; returns its id.
pub async fn create(db: &Db, project: i64, body: LabelSetWrite) -> Result<i64> {
    let name = validate::name("name", body.name.as_deref())?;
    unique_name(db, Table::LabelSets, project, &name, None).await?;
    let (categories, labels) = check_links(db, project, &body).await?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO label_sets (project_id, name, api_name, description, has_multiple_annotation_sets, is_category, created_at)
         VALUES ($1, $2, $3, $4, $5, FALSE, $6) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.clone().unwrap_or_default())
    .bind(body.multiple().unwrap_or(false))
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    set_links(&mut tx, id, categories.as_deref(), labels.as_deref()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a label set; `categories` and `labels`, when sent, replace its links.
pub async fn update(db: &Db, current: LabelSet, body: LabelSetWrite) -> Result<()> {
    let id = current.id;
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A label set cannot move to another project."));
    }
    if current.is_category && body.categories.as_ref().is_some_and(|c| c.iter().any(|c| *c != id)) {
        return Err(Error::field("categories", "A category's own label set belongs to that category only."));
    }
    let name = validate::new_name("name", body.name.as_deref(), &current.name)?;
    unique_name(db, Table::LabelSets, current.project, &name, Some(id)).await?;
    let (categories, labels) = check_links(db, current.project, &body).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE label_sets SET name = $1, api_name = $2, description = $3, has_multiple_annotation_sets = $4 WHERE id = $5",
    )
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or(current.api_name))
    .bind(body.description.clone().unwrap_or(current.description))
    .bind(body.multiple().unwrap_or(current.has_multiple_annotation_sets))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let categories = if current.is_category { None } else { categories };
    set_links(&mut tx, id, categories.as_deref(), labels.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a label set; a category's own set goes only with its category.
pub async fn delete(db: &Db, set: LabelSet) -> Result<()> {
    if set.is_category {
        return Err(Error::BadRequest(format!(
            "This is the default label set of category {}; delete the category instead.",
            set.id
        )));
    }
    sqlx::query("DELETE FROM label_sets WHERE id = $1").bind(set.id).execute(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::categories;
    use crate::testing::{refusal, Fixture, InvoiceProject};

    fn named(name: &str) -> LabelSetWrite {
        LabelSetWrite { name: Some(name.into()), ..LabelSetWrite::default() }
    }

    fn label_names(set: &LabelSet) -> Vec<&str> {
        set.labels.iter().map(|l| l.name.as_str()).collect()
    }

    #[tokio::test]
    async fn a_label_set_lists_its_labels_and_the_categories_using_it() {
        let (fx, InvoiceProject { project, schema, .. }) = Fixture::with_schema().await;
        let db = fx.db();
        let sets = load(db, &[schema.line_item, schema.category]).await.unwrap();
        let (line_item, own) = (&sets[0], &sets[1]);
        assert_eq!(
            (line_item.id, line_item.project, line_item.name.as_str(), line_item.api_name.as_str()),
            (schema.line_item, project, "Line item", "Line_item")
        );
        assert_eq!((line_item.is_category, line_item.has_multiple_annotation_sets), (false, true));
        assert_eq!(
            (line_item.categories.clone(), label_names(line_item)),
            (vec![schema.category], vec!["Item", "Amount"])
        );
        assert_eq!(line_item.labels[0].data_type, "Text");
        assert_eq!((own.id, own.is_category, own.has_multiple_annotation_sets), (schema.category, true, false));
        assert_eq!((own.categories.clone(), label_names(own)), (vec![schema.category], vec!["Total", "Date"]));

        let by_set = labels_of(db, &[schema.category, schema.line_item]).await.unwrap();
        let ids = |set: i64| by_set[&set].iter().map(|l| l.id).collect::<Vec<_>>();
        assert_eq!(
            (ids(schema.category), ids(schema.line_item)),
            (vec![schema.total, schema.date], vec![schema.item, schema.amount])
        );
        assert!(labels_of(db, &[]).await.unwrap().is_empty());
        assert!(load(db, &[schema.line_item + 100]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_new_label_set_links_categories_and_labels_of_its_project() {
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let db = fx.db();
        let receipt = fx.category(project, "Receipt").await;
        let body = LabelSetWrite {
            description: Some("Taxes".into()),
            has_multiple_sections: Some(true),
            categories: Some(vec![receipt, schema.category, receipt]),
            labels: Some(vec![schema.total]),
            ..named("Tax")
        };
        let tax = create(db, project, body).await.unwrap();
        let tax = load(db, &[tax]).await.unwrap().pop().unwrap();
        assert_eq!(
            (tax.description.as_str(), tax.has_multiple_annotation_sets, tax.is_category),
            ("Taxes", true, false)
        );
        assert_eq!((tax.categories.clone(), label_names(&tax)), (vec![schema.category, receipt], vec!["Total"]));
        let schema_sets: Vec<i64> = categories::schema(db, receipt).await.unwrap().iter().map(|s| s.id).collect();
        assert_eq!(schema_sets, [receipt, tax.id]);
        let bare = create(db, project, named("Bare")).await.unwrap();
        let bare = load(db, &[bare]).await.unwrap().pop().unwrap();
        assert!(bare.categories.is_empty() && bare.labels.is_empty() && !bare.has_multiple_annotation_sets);

        let other = fx.project(owner, "Other").await;
        let foreign = fx.schema(other).await;
        let body = LabelSetWrite { categories: Some(vec![foreign.category]), ..named("Wrong") };
        let refused = refusal(create(db, project, body).await);
        assert_eq!(refused, format!("400 categories: Invalid pk \"{}\" - object does not exist.", foreign.category));
        let body = LabelSetWrite { labels: Some(vec![schema.total, foreign.total]), ..named("Wrong") };
        let refused = refusal(create(db, project, body).await);
        assert_eq!(refused, format!("400 labels: Invalid pk \"{}\" - object does not exist.", foreign.total));
        let taken = refusal(create(db, project, named("Invoice")).await);
        assert_eq!(taken, "400 name: A label set or category named \"Invoice\" already exists in this project.");
        assert_eq!(refusal(create(db, project, LabelSetWrite::default()).await), "400 name: This field is required.");
    }

    #[tokio::test]
    async fn an_update_replaces_the_links_that_are_sent() {
        let (fx, InvoiceProject { owner, schema, .. }) = Fixture::with_schema().await;
        let db = fx.db();
        let current = load(db, &[schema.line_item]).await.unwrap().pop().unwrap();
        update(db, current, LabelSetWrite { labels: Some(vec![schema.amount]), ..LabelSetWrite::default() })
            .await
            .unwrap();
        let current = load(db, &[schema.line_item]).await.unwrap().pop().unwrap();
        assert_eq!((label_names(&current), current.categories.clone()), (vec!["Amount"], vec![schema.category]));
        assert_eq!((current.name.as_str(), current.has_multiple_annotation_sets), ("Line item", true));

        let body =
            LabelSetWrite { categories: Some(vec![]), has_multiple_annotation_sets: Some(false), ..named("Items") };
        update(db, current, body).await.unwrap();
        let current = load(db, &[schema.line_item]).await.unwrap().pop().unwrap();
        assert_eq!((current.name.as_str(), current.has_multiple_annotation_sets), ("Items", false));
        assert!(current.categories.is_empty());
        assert_eq!(label_names(&current), ["Amount"]);
        assert_eq!(categories::schema(db, schema.category).await.unwrap().len(), 1);

        let other = fx.project(owner, "Other").await;
        let moved = LabelSetWrite { project: Some(other), ..LabelSetWrite::default() };
        assert_eq!(
            refusal(update(db, current.clone(), moved).await),
            "400 project: A label set cannot move to another project."
        );
        let clash = refusal(update(db, current, named("Invoice")).await);
        assert_eq!(clash, "400 name: A label set or category named \"Invoice\" already exists in this project.");
    }

    #[tokio::test]
    async fn a_category_s_own_label_set_stays_with_its_category() {
        let (fx, InvoiceProject { project, schema, .. }) = Fixture::with_schema().await;
        let db = fx.db();
        let receipt = fx.category(project, "Receipt").await;
        let own = load(db, &[schema.category]).await.unwrap().pop().unwrap();
        let elsewhere = LabelSetWrite { categories: Some(vec![receipt]), ..LabelSetWrite::default() };
        let refused = refusal(update(db, own.clone(), elsewhere).await);
        assert_eq!(refused, "400 categories: A category's own label set belongs to that category only.");
        // Naming its own category is no change; its labels may change.
        let body = LabelSetWrite {
            categories: Some(vec![schema.category]),
            labels: Some(vec![schema.date]),
            ..LabelSetWrite::default()
        };
        update(db, own.clone(), body).await.unwrap();
        let own = load(db, &[schema.category]).await.unwrap().pop().unwrap();
        assert_eq!((own.categories.clone(), label_names(&own)), (vec![schema.category], vec!["Date"]));

        let refused = refusal(delete(db, own).await);
        assert_eq!(
            refused,
            format!("400 This is the default label set of category {}; delete the category instead.", schema.category)
        );
        let line_item = load(db, &[schema.line_item]).await.unwrap().pop().unwrap();
        delete(db, line_item).await.unwrap();
        assert!(load(db, &[schema.line_item]).await.unwrap().is_empty());
        let sets: Vec<i64> = categories::schema(db, schema.category).await.unwrap().iter().map(|s| s.id).collect();
        assert_eq!(sets, [schema.category]);
    }
}
