//! Documents (§7): upload (multipart), list, detail, change and delete.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::annotations::ReviewCounts;
use lectern_api::documents::{status, Document, DocumentDetail, DocumentWrite, PageSummary, DATASET_STATUSES};
use lectern_api::Paginated;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use tokio::io::AsyncWriteExt;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::{AuthUser, MaybeAuthUser};
use super::error::{from_value, Body, Error, PathId, Result};
use super::list::{Condition, FilterKind, Fields, Filter, ListRequest, ListSpec};
use super::{annotations, validate, AppState};
use crate::db::{self, Db};
use crate::pipeline::jobs;
use crate::review;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_documents, upload_document))
        .routes(routes!(get_document, update_document, delete_document))
}

const SPEC: ListSpec = ListSpec {
    from: "documents t",
    ordering: &[
        ("id", "t.id"),
        ("data_file_name", "t.data_file_name"),
        ("created_at", "t.created_at"),
        ("updated_at", "t.updated_at"),
        ("status_data", "t.status_data"),
        ("number_of_pages", "t.number_of_pages"),
        ("category", "t.category_id"),
        ("dataset_status", "t.dataset_status"),
    ],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "category", column: "t.category_id", kind: FilterKind::Int },
        Filter { param: "is_reviewed", column: "t.is_reviewed", kind: FilterKind::Bool },
        Filter { param: "dataset_status", column: "t.dataset_status", kind: FilterKind::IntList },
        Filter { param: "status_data", column: "t.status_data", kind: FilterKind::IntList },
        Filter { param: "data_file_name", column: "t.data_file_name", kind: FilterKind::Text },
        Filter { param: "assignee", column: "(SELECT email FROM users WHERE id = t.assignee_id)", kind: FilterKind::Text },
    ],
};

const SELECT: &str = "SELECT t.*, a.email AS assignee_email, c.email AS creator_email,
        p.enable_translated_strings AS translated,
        (SELECT MIN(id) FROM pages WHERE document_id = t.id AND number = 1) AS first_page
    FROM documents t JOIN projects p ON p.id = t.project_id
    LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users c ON c.id = t.created_by_id";

fn from_row(r: &AnyRow) -> Result<Document> {
    let id: i64 = r.get("id");
    let status_data: i64 = r.get("status_data");
    let proposed: Option<String> = r.get("proposed_split");
    Ok(Document {
        id,
        project: r.get("project_id"),
        document_set: r.get("document_set_id"),
        number_of_pages: r.get::<i64, _>("number_of_pages") as u32,
        data_file_name: r.get("data_file_name"),
        data_file_producer: r.get("data_file_producer"),
        file_url: format!("/doc/show/{id}/"),
        thumbnail_url: r.get::<Option<i64>, _>("first_page").map(|p| format!("/page/show-thumbnail/{p}/")),
        ocr_time: r.get("ocr_time"),
        categorization_time: r.get("categorization_time"),
        extraction_time: r.get("extraction_time"),
        processing_time: r.get("processing_time"),
        extraction_url: format!("/api/v1/docs/{id}/"),
        callback_url: r.get("callback_url"),
        callback_status_code: r.get("callback_status_code"),
        category_confidence: r.get("category_confidence"),
        category_is_revised: db::flag(r, "category_is_revised"),
        status_data,
        labeling_available: i64::from(status_data == status::DONE),
        is_reviewed: db::flag(r, "is_reviewed"),
        category: r.get("category_id"),
        dataset_status: r.get("dataset_status"),
        assignee: r.get("assignee_email"),
        created_by: r.get("creator_email"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        proposed_split: proposed.map(|p| serde_json::from_str(&p)).transpose().map_err(anyhow::Error::from)?,
        split_is_revised: db::flag(r, "split_is_revised"),
        enable_translated_strings: db::flag(r, "translated"),
        original_file_url: format!("/doc/show-original/{id}/"),
    })
}

/// Loads documents in the order of `ids`.
pub async fn load<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, ids: &[i64]) -> Result<Vec<Document>> {
    db::rows_by_ids(db, SELECT, ids).await?.iter().map(from_row).collect()
}

/// The document, if the user is a member of its project.
pub async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<Document> {
    validate::members_only(db, user.id, load(db, &[id]).await?.pop(), |doc| doc.project).await
}

/// Why a reader may read a document: as a member of its project, or because the project made it public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Member,
    Public,
}

/// Who may read a document (detail, pages, page images): members of its project, and anyone, with or
/// without a token, when the project's documents are public (§19). Everyone else gets 404, never 401,
/// so probing ids reveals nothing.
pub async fn readable(db: &Db, user: Option<&AuthUser>, id: i64) -> Result<(Document, Access)> {
    let doc = load(db, &[id]).await?.pop().ok_or(Error::NotFound)?;
    if let Some(user) = user {
        if validate::is_member(db, user.id, doc.project).await? {
            return Ok((doc, Access::Member));
        }
    }
    if super::public::is_public(db, doc.project).await? {
        Ok((doc, Access::Public))
    } else {
        Err(Error::NotFound)
    }
}

/// The full representation: the document with its text, pages and annotation sets.
pub async fn detail(db: &Db, doc: Document) -> Result<DocumentDetail> {
    let text: Option<String> =
        sqlx::query("SELECT text FROM documents WHERE id = $1").bind(doc.id).fetch_one(db).await?.get("text");
    let pages = sqlx::query("SELECT * FROM pages WHERE document_id = $1 ORDER BY number")
        .bind(doc.id)
        .fetch_all(db)
        .await?
        .iter()
        .map(page_summary)
        .collect();
    let schema = annotations::schema_of(db, &doc).await?;
    let (annotation_sets, review_counts) = annotations::review_tree(&mut *db.acquire().await?, &doc, &schema).await?;
    Ok(DocumentDetail { document: doc, text, pages, annotation_sets, review_counts })
}

pub fn page_summary(r: &AnyRow) -> PageSummary {
    let id: i64 = r.get("id");
    let px = |col: &str| r.get::<Option<i64>, _>(col).unwrap_or(0) as u32;
    PageSummary {
        id,
        number: r.get::<i64, _>("number") as u32,
        image_url: format!("/page/show-image/{id}/"),
        thumbnail_url: format!("/page/show-thumbnail/{id}/"),
        original_size: [r.get("width"), r.get("height")],
        size: [px("image_width"), px("image_height")],
    }
}

/// List documents of the caller's projects; the heavy fields are left out. `fields=…,review_counts` adds each
/// document's `review_counts` (see `annotation_counts`), which is not among the default keys: the SDK asserts
/// the exact key set of a listed document (§7.1), so the count is opt-in.
#[utoipa::path(get, path = "/api/v3/documents/", tag = "documents",
    params(("project" = Option<i64>, Query), ("category" = Option<i64>, Query), ("is_reviewed" = Option<bool>, Query),
           ("status_data" = Option<i64>, Query), ("dataset_status" = Option<i64>, Query),
           ("assignee" = Option<String>, Query), ("data_file_name" = Option<String>, Query),
           ("fields" = Option<String>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Document>)))]
async fn list_documents(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, Condition::member(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
    let asks_for_counts = req
        .param("fields")
        .is_some_and(|fields| fields.split(',').any(|field| field.trim().split('.').next() == Some("review_counts")));
    if !asks_for_counts {
        return page.respond(items);
    }
    let mut counts = annotation_counts(&state.db, &page.ids).await?;
    let items = items
        .into_iter()
        .map(|doc| {
            let c = counts.remove(&doc.id).unwrap_or_default();
            let mut item = serde_json::to_value(doc).map_err(anyhow::Error::from)?;
            item["review_counts"] = json!({"pending": c.pending, "accepted": c.accepted, "declined": c.declined});
            Ok(item)
        })
        .collect::<Result<Vec<_>>>()?;
    page.respond(items)
}

/// The review counts over the annotations of each document of `ids`, in one query for all of them: the
/// annotations are grouped by what decides their review state, and each group's state comes from
/// `review::state` and is counted by `review::counts`, as the detail's `review_counts` are. So `pending`
/// (AI suggestions awaiting feedback), `accepted` and `declined` mean what they mean in the detail. The label
/// counts (`unfilled`, `missing`) need each document's label schema and are left to the detail; the list
/// carries only the three annotation counts. Documents without annotations count zero.
async fn annotation_counts(db: &Db, ids: &[i64]) -> Result<HashMap<i64, ReviewCounts>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT document_id, is_correct, revised, created_by_id IS NOT NULL AS by_human, COUNT(*) AS n
         FROM annotations WHERE document_id IN ({})
         GROUP BY document_id, is_correct, revised, created_by_id IS NOT NULL",
        db::placeholders(0, ids.len())
    );
    let rows = db::query_with(&sql, ids.iter().map(|id| db::Arg::Int(*id)).collect()).fetch_all(db).await?;
    let mut states: HashMap<i64, Vec<review::State>> = HashMap::new();
    for r in &rows {
        let state = review::state(db::flag(r, "is_correct"), db::flag(r, "revised"), db::flag(r, "by_human"));
        let n = r.get::<i64, _>("n") as usize;
        states.entry(r.get("document_id")).or_default().extend(std::iter::repeat_n(state, n));
    }
    Ok(states.into_iter().map(|(doc, states)| (doc, review::counts(&states, &[]))).collect())
}

/// One document with its text, pages and annotation sets.
/// Documents of a public project are readable without credentials (§19).
#[utoipa::path(get, path = "/api/v3/documents/{id}/", tag = "documents", security((), ("token" = []), ("basic" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = DocumentDetail), (status = 404)))]
async fn get_document(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    let (doc, access) = readable(&state.db, user.as_ref(), id).await?;
    let mut body = fields.respond(detail(&state.db, doc).await?)?;
    if access == Access::Public {
        super::public::redact(&mut body.0);
    }
    Ok(body)
}

/// The fields of an upload other than the file.
#[derive(Debug, Default, serde::Deserialize)]
struct UploadFields {
    project: Option<i64>,
    category: Option<i64>,
    #[serde(default, deserialize_with = "lectern_api::lenient::opt_bool")]
    sync: Option<bool>,
    callback_url: Option<String>,
    callback_status_code: Option<i64>,
    dataset_status: Option<i64>,
    assignee: Option<String>,
}

/// A file received into the data dir's tmp folder; removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The file types Lectern processes, recognised by their first bytes.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") || (head.len() > 5 && head[..head.len().min(1024)].windows(5).any(|w| w == b"%PDF-")) {
        Some("pdf")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some("jpeg")
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        Some("tiff")
    } else {
        None
    }
}

/// How much of an upload beyond the limit is still read (and dropped) before the connection is given up.
const DRAIN_BYTES: u64 = 64 << 20;

/// Reads the multipart body: the file into a temporary file, the other fields as text.
async fn read_upload(state: &AppState, mut multipart: Multipart) -> Result<(Option<(String, TempFile, u64, Vec<u8>)>, UploadFields)> {
    let limit = state.config.max_upload_bytes() as u64;
    let too_large = || Error::PayloadTooLarge(format!("The upload is larger than the limit of {} MB.", state.config.max_upload_mb));
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        Error::BadRequest(format!("Could not read the multipart body: {}", e.body_text()))
    };
    let mut file = None;
    let mut fields = serde_json::Map::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "data_file" {
            let file_name = field.file_name().map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_owned());
            let dir = state.config.data_dir.join("tmp");
            tokio::fs::create_dir_all(&dir).await.map_err(anyhow::Error::from)?;
            let temp = TempFile(dir.join(format!("upload-{}", random_hex())));
            let mut out = tokio::fs::File::create(&temp.0).await.map_err(anyhow::Error::from)?;
            let (mut size, mut head) = (0u64, Vec::new());
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if head.len() < 1024 {
                    head.extend_from_slice(&chunk[..chunk.len().min(1024 - head.len())]);
                }
                size += chunk.len() as u64;
                // Past the limit the rest is read and dropped (up to a bound), so the client, still sending,
                // receives the 413 instead of a reset connection.
                if size > limit + DRAIN_BYTES {
                    return Err(too_large());
                }
                if size <= limit {
                    out.write_all(&chunk).await.map_err(anyhow::Error::from)?;
                }
            }
            if size > limit {
                return Err(too_large());
            }
            out.flush().await.map_err(anyhow::Error::from)?;
            file = Some((file_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "document".into()), temp, size, head));
        } else {
            let text = field.text().await.map_err(unreadable)?;
            if text.len() > 64 << 10 {
                return Err(Error::field(&name, "The value is too long."));
            }
            // Optional fields sent empty count as absent, as the SDK's `requests` may send them.
            if !text.trim().is_empty() {
                let value = text.trim().parse::<i64>().map(Value::from).unwrap_or(Value::String(text.trim().to_owned()));
                fields.insert(name, value);
            }
        }
    }
    Ok((file, from_value(Value::Object(fields))?))
}

pub fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The id of a project member named by email (or, as the legacy SDK sends it, by user id).
async fn member_id(db: &Db, project: i64, field: &str, who: &Value) -> Result<i64> {
    let row = match who {
        Value::Number(n) => sqlx::query("SELECT u.id FROM users u JOIN project_members m ON m.user_id = u.id WHERE m.project_id = $1 AND u.id = $2")
            .bind(project)
            .bind(n.as_i64().unwrap_or(0))
            .fetch_optional(db)
            .await?,
        Value::String(email) => sqlx::query("SELECT u.id FROM users u JOIN project_members m ON m.user_id = u.id WHERE m.project_id = $1 AND u.email = $2")
            .bind(project)
            .bind(crate::users::normalize_email(email))
            .fetch_optional(db)
            .await?,
        _ => None,
    };
    row.map(|r| r.get("id"))
        .ok_or_else(|| Error::field(field, format!("{who} is not a member of this project.")))
}

async fn check_category(db: &Db, project: i64, category: i64) -> Result<()> {
    validate::ids_in_project(db, "categories", "", project, "category", &[category]).await
}

fn check_dataset_status(value: i64) -> Result<i64> {
    if DATASET_STATUSES.contains(&value) {
        Ok(value)
    } else {
        Err(Error::field("dataset_status", format!("\"{value}\" is not a valid choice. Choose one of 0, 1, 2, 3, 4.")))
    }
}

fn check_url(value: &str) -> Result<String> {
    match url::Url::parse(value.trim()) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(value.trim().to_owned()),
        _ => Err(Error::field("callback_url", "Enter a valid URL.")),
    }
}

/// Upload a document (multipart/form-data). The original is stored before the answer; processing runs as
/// a job, and with `sync=true` the answer waits until it has ended.
#[utoipa::path(post, path = "/api/v3/documents/", tag = "documents",
    request_body(content_type = "multipart/form-data", description = "data_file, project, category, sync, callback_url, callback_status_code, dataset_status, assignee"),
    responses((status = 201, body = DocumentDetail), (status = 400), (status = 413), (status = 415)))]
async fn upload_document(
    State(state): State<AppState>,
    user: AuthUser,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    let multipart = multipart.map_err(|_| Error::UnsupportedMediaType("Upload documents as multipart/form-data.".into()))?;
    let (file, fields) = read_upload(&state, multipart).await?;
    let project = validate::member_project(&state.db, user.id, "project", fields.project).await?;
    let Some((file_name, temp, size, head)) = file else {
        return Err(Error::field("data_file", "No file was submitted."));
    };
    if size == 0 {
        return Err(Error::field("data_file", "The submitted file is empty."));
    }
    let file_type = sniff(&head)
        .ok_or_else(|| Error::field("data_file", "Unsupported file type: send a PDF, PNG, JPEG or TIFF file."))?;
    if let Some(category) = fields.category {
        check_category(&state.db, project, category).await?;
    }
    let dataset_status = check_dataset_status(fields.dataset_status.unwrap_or(0))?;
    let callback_url = fields.callback_url.as_deref().map(check_url).transpose()?;
    let assignee = match &fields.assignee {
        Some(who) => Some(member_id(&state.db, project, "assignee", &Value::String(who.clone())).await?),
        None => None,
    };

    let key = format!("originals/{}", random_hex());
    state.storage.put_file(&key, &temp.0).await?;
    let id = match insert_document(&state, &user, project, &fields, &file_name, file_type, &key, dataset_status, callback_url, assignee).await {
        Ok(id) => id,
        Err(e) => {
            let _ = state.storage.delete_prefix(&key).await;
            return Err(e);
        }
    };
    state.jobs_queued.notify_waiters();
    tracing::info!(document = id, file_type, size, "document uploaded");

    if fields.sync.unwrap_or(false) {
        wait_until_processed(&state.db, id).await?;
    }
    let doc = visible(&state.db, &user, id).await?;
    Ok((StatusCode::CREATED, Fields::default().respond(detail(&state.db, doc).await?)?))
}

#[allow(clippy::too_many_arguments)]
async fn insert_document(
    state: &AppState,
    user: &AuthUser,
    project: i64,
    fields: &UploadFields,
    file_name: &str,
    file_type: &str,
    key: &str,
    dataset_status: i64,
    callback_url: Option<String>,
    assignee: Option<i64>,
) -> Result<i64> {
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let set: i64 = sqlx::query(
        "INSERT INTO document_sets (project_id, original_key, file_type, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
        .bind(project)
        .bind(key)
        .bind(file_type)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .get("id");
    let id: i64 = sqlx::query(
        "INSERT INTO documents (project_id, document_set_id, category_id, data_file_name, file_type, original_key,
            callback_url, callback_status_code, dataset_status, assignee_id, created_by_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(project)
    .bind(set)
    .bind(fields.category)
    .bind(file_name)
    .bind(file_type)
    .bind(key)
    .bind(callback_url)
    .bind(fields.callback_status_code)
    .bind(dataset_status)
    .bind(assignee)
    .bind(user.id)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    jobs::enqueue(&mut tx, jobs::PROCESS, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Waits while the document is queued or being processed.
async fn wait_until_processed(db: &Db, id: i64) -> Result<()> {
    loop {
        let row = sqlx::query("SELECT status_data FROM documents WHERE id = $1").bind(id).fetch_optional(db).await?;
        match row.map(|r| r.get::<i64, _>("status_data")) {
            Some(status::DONE | status::ERROR | status::WAITING_FOR_SPLIT) | None => return Ok(()),
            Some(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

/// Change a document's name, category, review state, dataset status or assignee.
#[utoipa::path(patch, path = "/api/v3/documents/{id}/", tag = "documents", request_body = DocumentWrite,
    params(("id" = i64, Path)), responses((status = 200, body = DocumentDetail), (status = 400), (status = 404)))]
async fn update_document(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<DocumentWrite>,
) -> Result<Json<Value>> {
    let doc = visible(&state.db, &user, id).await?;
    let name = match body.data_file_name.as_deref() {
        Some(n) => Some(validate::name("data_file_name", Some(n))?),
        None => None,
    };
    let category = match body.category {
        Some(Some(c)) => {
            check_category(&state.db, doc.project, c).await?;
            Some(c)
        }
        Some(None) => None,
        None => doc.category,
    };
    let dataset_status = body.dataset_status.map(check_dataset_status).transpose()?;
    let assignee = match &body.assignee {
        Some(Some(who)) => Some(Some(member_id(&state.db, doc.project, "assignee", who).await?)),
        Some(None) => Some(None),
        None => None,
    };
    let schema = annotations::schema_of(&state.db, &doc).await?;
    // Finishing the review is checked and written in the document's lock, so no annotation write slips between.
    let (mut tx, doc) = annotations::lock_document(&state.db, id).await?;
    if body.is_reviewed == Some(true) && !doc.is_reviewed {
        let (_, counts) = annotations::review_tree(&mut tx, &doc, &schema).await?;
        if let Some(why) = crate::review::review_blocker(&counts) {
            return Err(Error::field("is_reviewed", why));
        }
    }
    // Only the fields sent are written.
    sqlx::query(
        "UPDATE documents SET data_file_name = COALESCE($1, data_file_name), category_id = CASE WHEN $2 THEN $3 ELSE category_id END,
            category_is_revised = COALESCE($4, category_is_revised), is_reviewed = COALESCE($5, is_reviewed),
            dataset_status = COALESCE($6, dataset_status), assignee_id = CASE WHEN $7 THEN $8 ELSE assignee_id END WHERE id = $9",
    )
    .bind(name)
    .bind(body.category.is_some())
    .bind(category)
    .bind(body.category_is_revised)
    .bind(body.is_reviewed)
    .bind(dataset_status)
    .bind(assignee.is_some())
    .bind(assignee.flatten())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let doc = visible(&state.db, &user, id).await?;
    Fields::default().respond(detail(&state.db, doc).await?)
}

/// Delete a document with its pages and files.
#[utoipa::path(delete, path = "/api/v3/documents/{id}/", tag = "documents",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_document(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    let doc = visible(&state.db, &user, id).await?;
    sqlx::query("DELETE FROM documents WHERE id = $1").bind(id).execute(&state.db).await?;
    state.storage.delete_prefix(&format!("documents/{id}/")).await?;
    if let Some(set) = doc.document_set {
        let left = sqlx::query("SELECT id FROM documents WHERE document_set_id = $1").bind(set).fetch_optional(&state.db).await?;
        if left.is_none() {
            let key: String = sqlx::query("DELETE FROM document_sets WHERE id = $1 RETURNING original_key")
                .bind(set)
                .fetch_one(&state.db)
                .await?
                .get("original_key");
            state.storage.delete_prefix(&key).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Where a document's derived files live.
pub fn file_key(document: i64, name: &str) -> String {
    format!("documents/{document}/{name}")
}
