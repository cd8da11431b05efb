//! Missing annotations (§13): "not found" markers for a label of an (existing or potential) annotation set.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::annotations::{MissingAnnotation, MissingAnnotationWrite};
use lectern_api::Paginated;
use serde_json::Value;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::annotations::{check_label_set, lock_document, lock_documents, member_documents, one_or_many, writable};
use super::auth::AuthUser;
use super::error::{Error, PathId, Result};
use super::list::{Fields, Filter, FilterKind, ListRequest, ListSpec};
use super::{documents, AppState};
use crate::db::{self, Db};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_missing, create_missing)).routes(routes!(delete_missing))
}

const SPEC: ListSpec = ListSpec {
    from: "missing_annotations t",
    ordering: &[("id", "t.id"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "document", column: "t.document_id", kind: FilterKind::Int },
        Filter { param: "label", column: "t.label_id", kind: FilterKind::Int },
        Filter { param: "label_set", column: "t.label_set_id", kind: FilterKind::Int },
        Filter { param: "annotation_set", column: "t.annotation_set_id", kind: FilterKind::Int },
    ],
};

async fn load(db: &Db, ids: &[i64]) -> Result<Vec<MissingAnnotation>> {
    Ok(db::rows_by_ids(db, "SELECT t.* FROM missing_annotations t", ids)
        .await?
        .iter()
        .map(|r| MissingAnnotation {
            id: r.get("id"),
            document: r.get("document_id"),
            label: r.get("label_id"),
            label_set: r.get("label_set_id"),
            annotation_set: r.get("annotation_set_id"),
        })
        .collect())
}

/// List "not found" markers of the caller's documents.
#[utoipa::path(get, path = "/api/v3/missing-annotations/", tag = "annotations",
    params(("document" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<MissingAnnotation>)))]
async fn list_missing(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, member_documents(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Mark labels as not found: one object or a list (→ a list). A marker given twice, or a label outside its
/// label set, is refused.
#[utoipa::path(post, path = "/api/v3/missing-annotations/", tag = "annotations", request_body = Vec<MissingAnnotationWrite>,
    responses((status = 201, body = Vec<MissingAnnotation>), (status = 400)))]
async fn create_missing(
    State(state): State<AppState>,
    user: AuthUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>)> {
    let db = &state.db;
    let (items, _) = one_or_many::<MissingAnnotationWrite>(&body)?;
    for m in &items {
        let doc =
            documents::visible(db, &user, m.document).await.map_err(|_| Error::no_such("document", m.document))?;
        check_label_set(db, &doc, m.label, m.label_set).await?;
    }
    let documents: Vec<i64> = items.iter().map(|m| m.document).collect();
    let (mut tx, docs) = lock_documents(db, &documents).await?;
    for doc in &docs {
        writable(doc)?;
    }
    let mut ids = Vec::new();
    for m in items {
        if let Some(set) = m.annotation_set {
            let ok = sqlx::query(
                "SELECT 1 AS one FROM annotation_sets WHERE id = $1 AND document_id = $2 AND label_set_id = $3",
            )
            .bind(set)
            .bind(m.document)
            .bind(m.label_set)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if !ok {
                return Err(Error::no_such("annotation_set", set));
            }
        }
        let exists = sqlx::query(
            "SELECT 1 AS one FROM missing_annotations WHERE document_id = $1 AND label_id = $2 AND label_set_id = $3
             AND COALESCE(annotation_set_id, 0) = $4",
        )
        .bind(m.document)
        .bind(m.label)
        .bind(m.label_set)
        .bind(m.annotation_set.unwrap_or(0))
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if exists {
            return Err(Error::field(
                "label",
                format!("Label {} is already marked as missing in this annotation set.", m.label),
            ));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO missing_annotations (document_id, label_id, label_set_id, annotation_set_id, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(m.document)
        .bind(m.label)
        .bind(m.label_set)
        .bind(m.annotation_set)
        .bind(db::now())
        .fetch_one(&mut *tx)
        .await?
        .get("id");
        ids.push(id);
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Fields::default().respond(load(db, &ids).await?)?))
}

/// Restore a label marked as not found.
#[utoipa::path(delete, path = "/api/v3/missing-annotations/{id}/", tag = "annotations",
    params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
async fn delete_missing(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    let db = &state.db;
    let m = load(db, &[id]).await?.pop().ok_or(Error::NotFound)?;
    documents::visible(db, &user, m.document).await?;
    let (mut tx, doc) = lock_document(db, m.document).await?;
    writable(&doc)?;
    let done = sqlx::query("DELETE FROM missing_annotations WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
