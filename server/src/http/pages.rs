//! Page detail with words (§9.2), character boxes and rectangles to spans (`bbox`, §10), and search (§11).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lectern_api::documents::{PageDetail, SearchQuery, Spans};
use lectern_api::geometry::{PageBox, Span};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::{AuthUser, MaybeAuthUser};
use super::error::{Body, PathId};
use super::list::Fields;
use crate::domain::annotations::spans::check_box;
use crate::domain::documents::{self, pages, text};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_page)).routes(routes!(get_bbox, spans_in_boxes)).routes(routes!(search))
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
    let (id, number) = (PathId::parse(&id)?, PathId::parse(&number)?);
    documents::readable(&state.db, user.map(|u| u.id), id).await?;
    fields.respond(pages::detail(&state.db, id, number).await?)
}

/// Every character's box, keyed by its offset in the document text (also served without the trailing slash).
#[utoipa::path(get, path = "/api/v3/documents/{id}/bbox/", tag = "documents",
    params(("id" = i64, Path)), responses((status = 200, description = "{\"bbox\": {offset: CharBox}}"), (status = 404), (status = 428)))]
async fn get_bbox(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<Response> {
    documents::visible(&state.db, user.id, id).await?;
    let bytes = text::bbox_file(&state, id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
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
    let doc = documents::visible(&state.db, user.id, id).await?;
    for b in &body.span {
        check_box(&doc, "span", b)?;
    }
    Ok(Json(Spans { span: text::index(&state, id).await?.spans_in_boxes(&body.span) }))
}

/// Find text: one span per occurrence and line, ignoring case; each can be sent as an annotation's span.
#[utoipa::path(post, path = "/api/v3/documents/{id}/search/", tag = "documents", request_body = SearchQuery,
    params(("id" = i64, Path)), responses((status = 200, body = Spans<Span>), (status = 400), (status = 404)))]
async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<SearchQuery>,
) -> Result<Json<Spans<Span>>> {
    documents::visible(&state.db, user.id, id).await?;
    if body.q.trim().is_empty() {
        return Err(Error::field("q", "This field may not be blank."));
    }
    Ok(Json(Spans { span: text::index(&state, id).await?.search(&body.q) }))
}
