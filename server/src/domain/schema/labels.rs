//! Labels (§6), accepting the SDK's legacy field names on write.

use std::collections::HashMap;

use lectern_api::{Label, LabelWrite, DATA_TYPES};

use super::{ids_in_project, unique_name, Table};
use crate::db::{self, Db, Flag, Tx};
use crate::domain::list::{Filter, FilterKind, ListSpec};
use crate::domain::validate;
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "labels t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("data_type", "t.data_type"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
        Filter { param: "data_type", column: "t.data_type", kind: FilterKind::Text },
    ],
};

#[derive(sqlx::FromRow)]
struct LabelRow {
    id: i64,
    project_id: i64,
    name: String,
    api_name: String,
    description: String,
    data_type: String,
    #[sqlx(try_from = "Flag")]
    has_multiple_top_candidates: bool,
    threshold: f64,
}

/// Labels in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Label>> {
    let rows: Vec<LabelRow> = db::by_ids(db, "SELECT t.* FROM labels t", ids, |r: &LabelRow| r.id).await?;
    let mut sets: HashMap<i64, Vec<i64>> = HashMap::new();
    if !ids.is_empty() {
        let sql = format!(
            "SELECT label_id, label_set_id FROM label_set_labels WHERE label_id IN ({}) ORDER BY label_set_id",
            db::placeholders(0, ids.len())
        );
        let pairs: Vec<(i64, i64)> = db::query_as_with(&sql, db::int_args(ids)).fetch_all(db).await?;
        for (label, set) in pairs {
            sets.entry(label).or_default().push(set);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| Label {
            label_sets: sets.remove(&r.id).unwrap_or_default(),
            id: r.id,
            project: r.project_id,
            name: r.name,
            api_name: r.api_name,
            description: r.description,
            data_type: r.data_type,
            has_multiple_top_candidates: r.has_multiple_top_candidates,
            threshold: r.threshold,
        })
        .collect())
}

/// The data type as stored, matched case-insensitively against the known ones.
fn data_type(value: &str) -> Result<String> {
    DATA_TYPES.iter().find(|t| t.eq_ignore_ascii_case(value.trim())).map(|t| t.to_string()).ok_or_else(|| {
        Error::field(
            "data_type",
            format!("\"{value}\" is not a valid choice. Choose one of: {}.", DATA_TYPES.join(", ")),
        )
    })
}

async fn check_label_sets(db: &Db, project: i64, body: &LabelWrite) -> Result<Option<Vec<i64>>> {
    // Each alias is checked on its own, so that an error names the field the client sent.
    for (field, ids) in
        [("label_sets", &body.label_sets), ("templates", &body.templates), ("categories", &body.categories)]
    {
        if let Some(ids) = ids {
            ids_in_project(db, Table::LabelSets, project, field, ids).await?;
        }
    }
    Ok(body.label_sets())
}

async fn set_label_sets(tx: &mut Tx, id: i64, sets: Option<&[i64]>) -> Result<()> {
    let Some(sets) = sets else { return Ok(()) };
    sqlx::query("DELETE FROM label_set_labels WHERE label_id = $1").bind(id).execute(&mut **tx).await?;
    for set in sets {
        sqlx::query("INSERT INTO label_set_labels (label_set_id, label_id) VALUES ($1, $2)")
            .bind(set)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Creates a label in the project; returns its id.
pub async fn create(db: &Db, project: i64, body: LabelWrite) -> Result<i64> {
    let name = validate::name("name", body.name())?;
    let data_type = data_type(body.data_type().unwrap_or("Text"))?;
    let threshold = validate::threshold(body.threshold.unwrap_or(0.1))?;
    unique_name(db, Table::Labels, project, &name, None).await?;
    let sets = check_label_sets(db, project, &body).await?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO labels (project_id, name, api_name, description, data_type, has_multiple_top_candidates, threshold, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.clone().unwrap_or_default())
    .bind(data_type)
    .bind(body.has_multiple_top_candidates.unwrap_or(false))
    .bind(threshold)
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    set_label_sets(&mut tx, id, sets.as_deref()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a label; label sets, when sent under any alias, replace its links.
pub async fn update(db: &Db, current: Label, body: LabelWrite) -> Result<()> {
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A label cannot move to another project."));
    }
    let name = validate::new_name("name", body.name(), &current.name)?;
    let data_type = match body.data_type() {
        Some(t) => data_type(t)?,
        None => current.data_type,
    };
    let threshold = validate::threshold(body.threshold.unwrap_or(current.threshold))?;
    unique_name(db, Table::Labels, current.project, &name, Some(current.id)).await?;
    let sets = check_label_sets(db, current.project, &body).await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE labels SET name = $1, api_name = $2, description = $3, data_type = $4,
            has_multiple_top_candidates = $5, threshold = $6 WHERE id = $7",
    )
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or(current.api_name))
    .bind(body.description.clone().unwrap_or(current.description))
    .bind(data_type)
    .bind(body.has_multiple_top_candidates.unwrap_or(current.has_multiple_top_candidates))
    .bind(threshold)
    .bind(current.id)
    .execute(&mut *tx)
    .await?;
    set_label_sets(&mut tx, current.id, sets.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, label: Label) -> Result<()> {
    sqlx::query("DELETE FROM labels WHERE id = $1").bind(label.id).execute(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{refusal, Fixture, InvoiceProject};

    fn named(name: &str) -> LabelWrite {
        LabelWrite { name: Some(name.into()), ..LabelWrite::default() }
    }

    async fn one(db: &Db, id: i64) -> Label {
        load(db, &[id]).await.unwrap().pop().unwrap()
    }

    #[tokio::test]
    async fn a_label_is_made_with_defaults_or_under_the_sdk_s_legacy_names() {
        let (fx, InvoiceProject { project, schema, .. }) = Fixture::with_schema().await;
        let db = fx.db();
        let plain = one(db, create(db, project, named(" Due date ")).await.unwrap()).await;
        assert_eq!(
            (plain.project, plain.name.as_str(), plain.api_name.as_str(), plain.description.as_str()),
            (project, "Due date", "Due_date", "")
        );
        assert_eq!(
            (plain.data_type.as_str(), plain.threshold, plain.has_multiple_top_candidates),
            ("Text", 0.1, false)
        );
        assert!(plain.label_sets.is_empty());

        let legacy = LabelWrite {
            text: Some("Net".into()),
            get_data_type_display: Some("positive number".into()),
            has_multiple_top_candidates: Some(true),
            threshold: Some(0.75),
            templates: Some(vec![schema.line_item]),
            categories: Some(vec![schema.category]),
            ..LabelWrite::default()
        };
        let net = one(db, create(db, project, legacy).await.unwrap()).await;
        assert_eq!(
            (net.name.as_str(), net.data_type.as_str(), net.threshold, net.has_multiple_top_candidates),
            ("Net", "Positive Number", 0.75, true)
        );
        assert_eq!(net.label_sets, [schema.category, schema.line_item]);
        let in_order: Vec<i64> = load(db, &[net.id, plain.id]).await.unwrap().iter().map(|l| l.id).collect();
        assert_eq!(in_order, [net.id, plain.id]);
    }

    #[tokio::test]
    async fn a_new_label_needs_a_free_name_a_known_type_and_label_sets_of_its_project() {
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let db = fx.db();
        let other = fx.project(owner, "Other").await;
        let foreign = fx.schema(other).await;

        let taken = refusal(create(db, project, named("Total")).await);
        assert_eq!(taken, "400 name: A label named \"Total\" already exists in this project.");
        // Labels and label sets have names of their own.
        create(db, project, named("Line item")).await.unwrap();
        let money = refusal(create(db, project, LabelWrite { data_type: Some("Money".into()), ..named("Fee") }).await);
        assert_eq!(money, "400 data_type: \"Money\" is not a valid choice. Choose one of: Text, Number, Positive Number, Percentage, Date, True/False.");
        let high = refusal(create(db, project, LabelWrite { threshold: Some(2.0), ..named("Fee") }).await);
        assert_eq!(high, "400 threshold: Ensure this value is between 0 and 1.");
        for (field, body) in [
            ("label_sets", LabelWrite { label_sets: Some(vec![foreign.line_item]), ..named("Fee") }),
            ("templates", LabelWrite { templates: Some(vec![foreign.line_item]), ..named("Fee") }),
            ("categories", LabelWrite { categories: Some(vec![schema.category, foreign.line_item]), ..named("Fee") }),
        ] {
            let refused = refusal(create(db, project, body).await);
            assert_eq!(refused, format!("400 {field}: Invalid pk \"{}\" - object does not exist.", foreign.line_item));
        }
        let fees: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM labels WHERE name = 'Fee'").fetch_all(db).await.unwrap();
        assert!(fees.is_empty());
    }

    #[tokio::test]
    async fn an_update_writes_the_fields_sent_and_replaces_label_sets_when_sent() {
        let (fx, InvoiceProject { owner, schema, .. }) = Fixture::with_schema().await;
        let db = fx.db();
        let body = LabelWrite {
            data_type: Some("number".into()),
            has_multiple_top_candidates: Some(true),
            ..LabelWrite::default()
        };
        update(db, one(db, schema.total).await, body).await.unwrap();
        let total = one(db, schema.total).await;
        assert_eq!(
            (total.name.as_str(), total.data_type.as_str(), total.has_multiple_top_candidates),
            ("Total", "Number", true)
        );
        assert_eq!(total.label_sets, [schema.category]);

        let body = LabelWrite {
            text: Some("Gross".into()),
            label_sets: Some(vec![schema.category, schema.line_item]),
            ..LabelWrite::default()
        };
        update(db, total, body).await.unwrap();
        let total = one(db, schema.total).await;
        assert_eq!((total.name.as_str(), total.api_name.as_str(), total.threshold), ("Gross", "Total", 0.1));
        assert_eq!(total.label_sets, [schema.category, schema.line_item]);
        update(db, total, LabelWrite { label_sets: Some(vec![]), ..LabelWrite::default() }).await.unwrap();
        let total = one(db, schema.total).await;
        assert!(total.label_sets.is_empty());

        let other = fx.project(owner, "Other").await;
        let moved = LabelWrite { project: Some(other), ..LabelWrite::default() };
        assert_eq!(
            refusal(update(db, total.clone(), moved).await),
            "400 project: A label cannot move to another project."
        );
        assert_eq!(
            refusal(update(db, total.clone(), named("Date")).await),
            "400 name: A label named \"Date\" already exists in this project."
        );
        let bad = LabelWrite { get_data_type_display: Some("Colour".into()), ..LabelWrite::default() };
        assert!(refusal(update(db, total, bad).await).starts_with("400 data_type: \"Colour\" is not a valid choice."));
        assert_eq!(one(db, schema.total).await.data_type, "Number");
    }

    #[tokio::test]
    async fn a_deleted_label_leaves_its_label_sets_and_takes_its_annotations() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let schema = invoice.schema;
        fx.annotate(invoice.owner, invoice.doc, schema.total, "9,50").await;
        let date = fx.annotate(invoice.owner, invoice.doc, schema.date, "2026-01-31").await;
        delete(db, one(db, schema.total).await).await.unwrap();
        assert!(load(db, &[schema.total]).await.unwrap().is_empty());
        let own = super::super::label_sets::load(db, &[schema.category]).await.unwrap().pop().unwrap();
        assert_eq!(own.labels.iter().map(|l| l.id).collect::<Vec<_>>(), [schema.date]);
        let left: Vec<i64> = crate::domain::annotations::of_document(db, invoice.doc)
            .await
            .unwrap()
            .iter()
            .map(|a| a.nested.id)
            .collect();
        assert_eq!(left, [date]);
    }
}
