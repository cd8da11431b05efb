//! Page detail with words (§9.2), character boxes and rectangles to spans (`bbox`, §10), and search (§11).

use axum::extract::{Path, State};
use axum::Json;
use lectern_api::documents::PageDetail;
use lectern_api::geometry::{Entity, PageBox, Span};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::{AuthUser, MaybeAuthUser};
use super::documents;
use super::error::{Body, Error, PathId, Result};
use super::list::Fields;
use super::AppState;
use crate::spans::TextIndex;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_page))
        .routes(routes!(get_bbox, spans_in_boxes))
        .routes(routes!(search))
}

/// The answer of `POST bbox` and `search`, and the body of `POST bbox`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Spans<T> {
    pub span: Vec<T>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Query {
    pub q: String,
}

/// One page of a document by its 1-based number, with its words.
/// Pages of a public project's documents are readable without credentials (§19).
#[utoipa::path(get, path = "/api/v3/documents/{id}/pages/{number}/", tag = "documents", security((), ("token" = []), ("basic" = [])),
    params(("id" = i64, Path), ("number" = u32, Path)), responses((status = 200, body = PageDetail), (status = 404)))]
async fn get_page(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path((id, number)): Path<(String, String)>,
    fields: Fields,
) -> Result<Json<Value>> {
    let (id, number) = (id.parse::<i64>().map_err(|_| Error::NotFound)?, number.parse::<i64>().map_err(|_| Error::NotFound)?);
    documents::readable(&state.db, user.as_ref(), id).await?;
    let row = sqlx::query("SELECT * FROM pages WHERE document_id = $1 AND number = $2")
        .bind(id)
        .bind(number)
        .fetch_optional(&state.db)
        .await?
        .ok_or(Error::NotFound)?;
    let summary = documents::page_summary(&row);
    let entities: Vec<Entity> = serde_json::from_str(&row.get::<String, _>("entities")).map_err(anyhow::Error::from)?;
    fields.respond(PageDetail {
        id: summary.id,
        number: summary.number,
        entities,
        image_url: summary.image_url,
        thumbnail_url: summary.thumbnail_url,
        original_size: summary.original_size,
        size: summary.size,
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

/// The stored character boxes of a processed document; 428 while it is not processed yet.
async fn bbox_file(state: &AppState, id: i64) -> Result<bytes::Bytes> {
    let row = sqlx::query("SELECT bbox_key FROM documents WHERE id = $1").bind(id).fetch_one(&state.db).await?;
    let key: Option<String> = row.get("bbox_key");
    let key = key.ok_or_else(|| Error::PreconditionRequired("The document has not been processed yet.".into()))?;
    Ok(state.storage.get(&key).await?)
}

pub async fn text_index(state: &AppState, id: i64) -> Result<TextIndex> {
    let bytes = bbox_file(state, id).await?;
    let text: Option<String> = sqlx::query("SELECT text FROM documents WHERE id = $1").bind(id).fetch_one(&state.db).await?.get("text");
    Ok(TextIndex::from_bbox_json(&text.unwrap_or_default(), &bytes)?)
}

/// Every character's box, keyed by its offset in the document text (also served without the trailing slash).
#[utoipa::path(get, path = "/api/v3/documents/{id}/bbox/", tag = "documents",
    params(("id" = i64, Path)), responses((status = 200, description = "{\"bbox\": {offset: CharBox}}"), (status = 404), (status = 428)))]
async fn get_bbox(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    documents::visible(&state.db, &user, id).await?;
    let bytes = bbox_file(&state, id).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// The text inside rectangles or word boxes, as one span per line; an empty list when there is none.
#[utoipa::path(post, path = "/api/v3/documents/{id}/bbox/", tag = "documents", request_body = Spans<PageBox>,
    params(("id" = i64, Path)), responses((status = 200, body = Spans<Span>), (status = 400), (status = 404)))]
async fn spans_in_boxes(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<Spans<PageBox>>,
) -> Result<Json<Spans<Span>>> {
    let doc = documents::visible(&state.db, &user, id).await?;
    if let Some(b) = body.span.iter().find(|b| b.page_index >= doc.number_of_pages) {
        return Err(Error::field("span", format!("page_index {} is not a page of this document.", b.page_index)));
    }
    if let Some(b) = body.span.iter().find(|b| !(b.x0 <= b.x1 && b.y0 <= b.y1) || [b.x0, b.x1, b.y0, b.y1].iter().any(|v| !v.is_finite())) {
        return Err(Error::field("span", format!("A box needs x0 ≤ x1 and y0 ≤ y1 with finite numbers, got {b:?}.")));
    }
    Ok(Json(Spans { span: text_index(&state, id).await?.spans_in_boxes(&body.span) }))
}

/// Find text: one span per occurrence and line, ignoring case; each can be sent as an annotation's span.
#[utoipa::path(post, path = "/api/v3/documents/{id}/search/", tag = "documents", request_body = Query,
    params(("id" = i64, Path)), responses((status = 200, body = Spans<Span>), (status = 400), (status = 404)))]
async fn search(State(state): State<AppState>, user: AuthUser, PathId(id): PathId, Body(body): Body<Query>) -> Result<Json<Spans<Span>>> {
    documents::visible(&state.db, &user, id).await?;
    if body.q.trim().is_empty() {
        return Err(Error::field("q", "This field may not be blank."));
    }
    Ok(Json(Spans { span: text_index(&state, id).await?.search(&body.q) }))
}
