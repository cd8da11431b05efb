//! Categories (§4), label sets (§5) and labels (§6): the same five handlers for each, stamped by `resource!`
//! with each resource's paths, types and documentation. Members of the project see and change them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{Category, CategoryWrite, Label, LabelSet, LabelSetWrite, LabelWrite, Paginated};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::domain::list::Scope;
use crate::domain::projects;
use crate::domain::schema::{categories, label_sets, labels};
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_category, update_category, delete_category))
        .routes(routes!(list_label_sets, create_label_set))
        .routes(routes!(get_label_set, update_label_set, delete_label_set))
        .routes(routes!(list_labels, create_label))
        .routes(routes!(get_label, update_label, delete_label))
}

/// List, create, read, change and delete one resource: `$domain` is its module in `domain::schema`, which has
/// `LIST`, `load`, `create`, `update` and `delete`; every item has a `project`.
macro_rules! resource {
    (
        $domain:ident, $item:ty, $write:ty, tag = $tag:literal, list = $list:literal, detail = $detail:literal,
        $(#[doc = $list_doc:literal])* fn $list_fn:ident;
        $(#[doc = $create_doc:literal])* fn $create_fn:ident;
        $(#[doc = $get_doc:literal])* fn $get_fn:ident;
        $(#[doc = $update_doc:literal])* fn $update_fn:ident;
        $(#[doc = $delete_doc:literal])* fn $delete_fn:ident;
    ) => {
        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $list, tag = $tag,
            params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
            responses((status = 200, body = Paginated<$item>)))]
        async fn $list_fn(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
            let page = req.fetch(&state.db, &$domain::LIST, Scope::member(user.id)).await?;
            let items = $domain::load(&state.db, &page.ids).await?;
            page.respond(items)
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(post, path = $list, tag = $tag, request_body = $write,
            responses((status = 201, body = $item), (status = 400)))]
        async fn $create_fn(
            State(state): State<AppState>,
            user: AuthUser,
            Body(body): Body<$write>,
        ) -> Result<(StatusCode, Json<Value>)> {
            let project = projects::member_project(&state.db, user.id, "project", body.project).await?;
            let id = $domain::create(&state.db, project, body).await?;
            let created = $domain::load(&state.db, &[id]).await?.pop().ok_or(crate::error::Error::NotFound)?;
            Ok((StatusCode::CREATED, respond(created)?))
        }

        $(#[doc = $get_doc])*
        #[utoipa::path(get, path = $detail, tag = $tag,
            params(("id" = i64, Path)), responses((status = 200, body = $item), (status = 404)))]
        async fn $get_fn(State(state): State<AppState>, user: AuthUser, PathId(id): PathId, fields: Fields) -> Result<Json<Value>> {
            let found = $domain::load(&state.db, &[id]).await?.pop();
            fields.respond(projects::members_only(&state.db, user.id, found, |item| item.project).await?)
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(patch, path = $detail, tag = $tag, request_body = $write,
            params(("id" = i64, Path)), responses((status = 200, body = $item), (status = 400), (status = 404)))]
        async fn $update_fn(
            State(state): State<AppState>,
            user: AuthUser,
            PathId(id): PathId,
            Body(body): Body<$write>,
        ) -> Result<Json<Value>> {
            let found = $domain::load(&state.db, &[id]).await?.pop();
            let current = projects::members_only(&state.db, user.id, found, |item| item.project).await?;
            $domain::update(&state.db, current, body).await?;
            respond($domain::load(&state.db, &[id]).await?.pop().ok_or(crate::error::Error::NotFound)?)
        }

        $(#[doc = $delete_doc])*
        #[utoipa::path(delete, path = $detail, tag = $tag,
            params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
        async fn $delete_fn(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
            let found = $domain::load(&state.db, &[id]).await?.pop();
            let item = projects::members_only(&state.db, user.id, found, |item| item.project).await?;
            $domain::delete(&state.db, item).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
}

resource! {
    categories, Category, CategoryWrite, tag = "categories",
    list = "/api/v3/categories/", detail = "/api/v3/categories/{id}/",
    /// List categories with their schema.
    fn list_categories;
    /// Create a category and its default label set.
    fn create_category;
    /// One category with its schema.
    fn get_category;
    /// Rename or describe a category (its default label set follows).
    fn update_category;
    /// Delete a category with its default label set; linked label sets stay.
    fn delete_category;
}

resource! {
    label_sets, LabelSet, LabelSetWrite, tag = "label-sets",
    list = "/api/v3/label-sets/", detail = "/api/v3/label-sets/{id}/",
    /// List label sets, categories' default sets included (`is_category`).
    fn list_label_sets;
    /// Create a label set; `has_multiple_sections` is accepted for `has_multiple_annotation_sets`.
    fn create_label_set;
    /// One label set with its labels.
    fn get_label_set;
    /// Change a label set; `categories` and `labels`, when sent, replace its links.
    fn update_label_set;
    /// Delete a label set; a category's own set goes only with its category.
    fn delete_label_set;
}

resource! {
    labels, Label, LabelWrite, tag = "labels",
    list = "/api/v3/labels/", detail = "/api/v3/labels/{id}/",
    /// List labels.
    fn list_labels;
    /// Create a label; `text`, `get_data_type_display` and `templates`/`categories` are accepted as aliases.
    fn create_label;
    /// One label.
    fn get_label;
    /// Change a label; label sets, when sent under any alias, replace its links.
    fn update_label;
    /// Delete a label.
    fn delete_label;
}
