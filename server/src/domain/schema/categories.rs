//! Categories (§4). A category is stored as its default label set (same id and name) plus a `categories`
//! row; its `schema` lists that set first, then the label sets linked to it.

use lectern_api::{Category, CategoryWrite, SchemaLabel, SchemaLabelSet};

use super::{unique_name, Table};
use crate::db::{self, Db, Flag};
use crate::domain::list::{Filter, FilterKind, ListSpec};
use crate::domain::validate;
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "label_sets t JOIN categories c ON c.id = t.id",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
    ],
};

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    project_id: i64,
    name: String,
    api_name: String,
    description: String,
    threshold: f64,
    active_ai: Option<i64>,
}

/// Categories, with their schema, in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Category>> {
    let select = "SELECT t.id, t.project_id, t.name, t.api_name, t.description, c.threshold,
            (SELECT MAX(a.id) FROM ais a WHERE a.kind = 'extraction' AND a.category_id = t.id AND a.active) AS active_ai
        FROM label_sets t JOIN categories c ON c.id = t.id";
    let rows: Vec<CategoryRow> = db::by_ids(db, select, ids, |r: &CategoryRow| r.id).await?;
    let mut categories = Vec::with_capacity(rows.len());
    for r in rows {
        categories.push(Category {
            schema: schema(db, r.id).await?,
            id: r.id,
            name: r.name,
            api_name: r.api_name,
            project: r.project_id,
            description: r.description,
            active_ai_model: r.active_ai,
            ai_model_type: "extraction".into(),
            extraction_ai_model_parameters: serde_json::json!({}),
            threshold: r.threshold,
        });
    }
    Ok(categories)
}

/// The categories of a project with their names, by id.
pub async fn names(db: &Db, project: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, s.name FROM categories c JOIN label_sets s ON s.id = c.id WHERE c.project_id = $1 ORDER BY c.id",
    )
    .bind(project)
    .fetch_all(db)
    .await?)
}

/// The project a category belongs to.
pub async fn project_of(db: &Db, category: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT project_id FROM categories WHERE id = $1").bind(category).fetch_optional(db).await?)
}

/// Creates a category and its default label set in the project; returns its id.
pub async fn create(db: &Db, project: i64, body: CategoryWrite) -> Result<i64> {
    let name = validate::name("name", body.name.as_deref())?;
    let threshold = validate::threshold(body.threshold.unwrap_or(0.1))?;
    unique_name(db, Table::Categories, project, &name, None).await?;
    let now = db::now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO label_sets (project_id, name, api_name, description, has_multiple_annotation_sets, is_category, created_at)
         VALUES ($1, $2, $3, $4, FALSE, TRUE, $5) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.unwrap_or_default())
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO categories (id, project_id, threshold, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(project)
        .bind(threshold)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or describes a category (its default label set follows).
pub async fn update(db: &Db, current: Category, body: CategoryWrite) -> Result<()> {
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A category cannot move to another project."));
    }
    let name = validate::new_name("name", body.name.as_deref(), &current.name)?;
    let threshold = validate::threshold(body.threshold.unwrap_or(current.threshold))?;
    unique_name(db, Table::Categories, current.project, &name, Some(current.id)).await?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE label_sets SET name = $1, api_name = $2, description = $3 WHERE id = $4")
        .bind(&name)
        .bind(body.api_name.unwrap_or(current.api_name))
        .bind(body.description.unwrap_or(current.description))
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE categories SET threshold = $1 WHERE id = $2")
        .bind(threshold)
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a category with its default label set; linked label sets stay.
pub async fn delete(db: &Db, category: Category) -> Result<()> {
    sqlx::query("DELETE FROM label_sets WHERE id = $1").bind(category.id).execute(db).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SchemaSetRow {
    id: i64,
    name: String,
    api_name: String,
    #[sqlx(try_from = "Flag")]
    has_multiple_annotation_sets: bool,
}

/// The category's default label set, then the label sets linked to it, each with its labels.
pub async fn schema(db: &Db, category: i64) -> Result<Vec<SchemaLabelSet>> {
    let sets: Vec<SchemaSetRow> = sqlx::query_as(
        "SELECT id, name, api_name, has_multiple_annotation_sets FROM label_sets
         WHERE id = $1 OR id IN (SELECT label_set_id FROM category_label_sets WHERE category_id = $1)
         ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, id",
    )
    .bind(category)
    .fetch_all(db)
    .await?;
    let ids: Vec<i64> = sets.iter().map(|s| s.id).collect();
    let mut labels = super::label_sets::labels_of(db, &ids).await?;
    Ok(sets
        .into_iter()
        .map(|s| SchemaLabelSet {
            labels: labels
                .remove(&s.id)
                .unwrap_or_default()
                .into_iter()
                .map(|l| SchemaLabel {
                    id: l.id,
                    name: l.name,
                    api_name: l.api_name,
                    description: l.description,
                    data_type: l.data_type,
                    has_multiple_top_candidates: l.has_multiple_top_candidates,
                    threshold: l.threshold,
                })
                .collect(),
            id: s.id,
            name: s.name,
            api_name: s.api_name,
            has_multiple_annotation_sets: s.has_multiple_annotation_sets,
        })
        .collect())
}

/// The label schema of a document's category; none without a category.
pub async fn schema_of(db: &Db, category: Option<i64>) -> Result<Vec<SchemaLabelSet>> {
    match category {
        Some(category) => schema(db, category).await,
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{label_sets, labels};
    use crate::testing::{refusal, Fixture, InvoiceProject};

    fn named(name: &str) -> CategoryWrite {
        CategoryWrite { name: Some(name.into()), ..CategoryWrite::default() }
    }

    #[tokio::test]
    async fn a_category_lists_its_own_label_set_first_then_the_linked_ones() {
        let (fx, InvoiceProject { project, schema, .. }) = Fixture::with_schema().await;
        let db = fx.db();
        let category = load(db, &[schema.category]).await.unwrap().pop().unwrap();
        assert_eq!(
            (category.id, category.project, category.name.as_str(), category.api_name.as_str()),
            (schema.category, project, "Invoice", "Invoice")
        );
        assert_eq!((category.description.as_str(), category.threshold, category.active_ai_model), ("", 0.1, None));
        assert_eq!(category.ai_model_type, "extraction");
        let sets: Vec<(i64, &str, bool)> =
            category.schema.iter().map(|s| (s.id, s.name.as_str(), s.has_multiple_annotation_sets)).collect();
        assert_eq!(sets, [(schema.category, "Invoice", false), (schema.line_item, "Line item", true)]);
        let labels: Vec<Vec<(i64, &str)>> =
            category.schema.iter().map(|s| s.labels.iter().map(|l| (l.id, l.name.as_str())).collect()).collect();
        assert_eq!(
            labels,
            [
                vec![(schema.total, "Total"), (schema.date, "Date")],
                vec![(schema.item, "Item"), (schema.amount, "Amount")]
            ]
        );
        let total = &category.schema[0].labels[0];
        assert_eq!(
            (total.data_type.as_str(), total.threshold, total.has_multiple_top_candidates),
            ("Text", 0.1, false)
        );

        assert_eq!(super::schema(db, schema.category).await.unwrap(), category.schema);
        assert_eq!(schema_of(db, Some(schema.category)).await.unwrap(), category.schema);
        assert!(schema_of(db, None).await.unwrap().is_empty());
        assert_eq!(names(db, project).await.unwrap(), [(schema.category, "Invoice".to_string())]);
        assert_eq!(project_of(db, schema.category).await.unwrap(), Some(project));
        // A label set that is no category has no project as a category.
        assert_eq!(project_of(db, schema.line_item).await.unwrap(), None);
        assert!(load(db, &[schema.line_item]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_new_category_needs_a_free_name_and_a_threshold_between_0_and_1() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let other = fx.project(owner, "Other").await;
        fx.schema(project).await;
        let body = CategoryWrite {
            name: Some(" Receipt ".into()),
            api_name: Some("receipt_v2".into()),
            description: Some("Till receipts".into()),
            threshold: Some(0.5),
            ..CategoryWrite::default()
        };
        let receipt = create(db, project, body).await.unwrap();
        let receipt = load(db, &[receipt]).await.unwrap().pop().unwrap();
        assert_eq!(
            (receipt.name.as_str(), receipt.api_name.as_str(), receipt.description.as_str()),
            ("Receipt", "receipt_v2", "Till receipts")
        );
        assert_eq!((receipt.threshold, receipt.schema.len()), (0.5, 1));
        let ids: Vec<i64> = names(db, project).await.unwrap().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids.len(), 2);

        let taken = "400 name: A label set or category named \"Invoice\" already exists in this project.";
        assert_eq!(refusal(create(db, project, named("Invoice")).await), taken);
        let set_name = refusal(create(db, project, named("Line item")).await);
        assert_eq!(set_name, "400 name: A label set or category named \"Line item\" already exists in this project.");
        create(db, other, named("Invoice")).await.unwrap();
        let high = CategoryWrite { threshold: Some(1.5), ..named("Payslip") };
        assert_eq!(refusal(create(db, project, high).await), "400 threshold: Ensure this value is between 0 and 1.");
        assert_eq!(refusal(create(db, project, named("  ")).await), "400 name: This field may not be blank.");
        assert_eq!(names(db, project).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn an_update_renames_a_category_with_its_label_set() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let other = fx.project(owner, "Other").await;
        let schema = fx.schema(project).await;
        let current = load(db, &[schema.category]).await.unwrap().pop().unwrap();
        let body = CategoryWrite { name: Some("Bill".into()), threshold: Some(0.25), ..CategoryWrite::default() };
        update(db, current.clone(), body).await.unwrap();
        let category = load(db, &[schema.category]).await.unwrap().pop().unwrap();
        assert_eq!((category.name.as_str(), category.threshold), ("Bill", 0.25));
        // The API name and description stay unless sent.
        assert_eq!((category.api_name.as_str(), category.description.as_str()), ("Invoice", ""));
        let own_set = label_sets::load(db, &[schema.category]).await.unwrap().pop().unwrap();
        assert_eq!(own_set.name, "Bill");

        // Its own name again is no clash; another's is.
        update(db, category.clone(), named("Bill")).await.unwrap();
        let clash = refusal(update(db, category.clone(), named("Line item")).await);
        assert_eq!(clash, "400 name: A label set or category named \"Line item\" already exists in this project.");
        let moved = CategoryWrite { project: Some(other), ..CategoryWrite::default() };
        assert_eq!(
            refusal(update(db, category.clone(), moved).await),
            "400 project: A category cannot move to another project."
        );
        let same =
            CategoryWrite { project: Some(project), description: Some("Bills".into()), ..CategoryWrite::default() };
        update(db, category.clone(), same).await.unwrap();
        let low = CategoryWrite { threshold: Some(-0.5), ..CategoryWrite::default() };
        assert_eq!(refusal(update(db, category, low).await), "400 threshold: Ensure this value is between 0 and 1.");
        let category = load(db, &[schema.category]).await.unwrap().pop().unwrap();
        assert_eq!((category.description.as_str(), category.threshold), ("Bills", 0.25));
    }

    #[tokio::test]
    async fn a_deleted_category_leaves_its_documents_uncategorised_and_linked_sets_in_place() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let schema = invoice.schema;
        delete(db, load(db, &[schema.category]).await.unwrap().pop().unwrap()).await.unwrap();
        assert!(load(db, &[schema.category]).await.unwrap().is_empty());
        assert!(names(db, invoice.project).await.unwrap().is_empty());
        assert_eq!(fx.load(invoice.doc).await.category, None);
        let line_item = label_sets::load(db, &[schema.line_item]).await.unwrap().pop().unwrap();
        assert_eq!((line_item.categories.len(), line_item.labels.len()), (0, 2));
        // The labels of its own set stay in the project, in no set.
        let total = labels::load(db, &[schema.total]).await.unwrap().pop().unwrap();
        assert!(total.label_sets.is_empty());
    }
}
