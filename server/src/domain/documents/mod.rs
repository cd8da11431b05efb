//! Documents (§7): who may read them, their list and detail, changes, deletion; their pages, text, files,
//! uploads, processing state, document sets and postprocess live in the submodules.

use std::collections::HashMap;

use lectern_api::annotations::ReviewCounts;
use lectern_api::documents::{status, Document, ProposedPart, UserRef, DATASET_STATUSES};
use lectern_api::review::State;

use super::list::{Filter, FilterKind, ListSpec};
use super::{projects, users};
use crate::db::{self, Db, Flag, Json};
use crate::error::{Error, Result};
use crate::state::AppState;

pub mod files;
pub mod pages;
pub mod postprocess;
pub mod processing;
pub mod review;
pub mod sets;
pub mod text;
pub mod upload;

pub const LIST: ListSpec = ListSpec {
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
        Filter {
            param: "assignee",
            column: "(SELECT email FROM users WHERE id = t.assignee_id)",
            kind: FilterKind::Text,
        },
    ],
};

const SELECT: &str = "SELECT t.*, a.email AS assignee_email, c.email AS creator_email,
        p.enable_translated_strings AS translated,
        (SELECT MIN(id) FROM pages WHERE document_id = t.id AND number = 1) AS first_page
    FROM documents t JOIN projects p ON p.id = t.project_id
    LEFT JOIN users a ON a.id = t.assignee_id LEFT JOIN users c ON c.id = t.created_by_id";

#[derive(sqlx::FromRow)]
struct DocumentRow {
    id: i64,
    project_id: i64,
    document_set_id: Option<i64>,
    number_of_pages: i64,
    data_file_name: String,
    data_file_producer: Option<String>,
    first_page: Option<i64>,
    ocr_time: Option<f64>,
    categorization_time: Option<f64>,
    extraction_time: Option<f64>,
    processing_time: Option<f64>,
    callback_url: Option<String>,
    callback_status_code: Option<i64>,
    category_confidence: Option<f64>,
    #[sqlx(try_from = "Flag")]
    category_is_revised: bool,
    status_data: i64,
    #[sqlx(try_from = "Flag")]
    is_reviewed: bool,
    category_id: Option<i64>,
    dataset_status: i64,
    assignee_email: Option<String>,
    creator_email: Option<String>,
    created_at: String,
    updated_at: String,
    proposed_split: Option<Json<Vec<ProposedPart>>>,
    #[sqlx(try_from = "Flag")]
    split_is_revised: bool,
    #[sqlx(try_from = "Flag")]
    translated: bool,
}

impl From<DocumentRow> for Document {
    fn from(r: DocumentRow) -> Document {
        let id = r.id;
        Document {
            id,
            project: r.project_id,
            document_set: r.document_set_id,
            number_of_pages: r.number_of_pages as u32,
            data_file_name: r.data_file_name,
            data_file_producer: r.data_file_producer,
            file_url: format!("/doc/show/{id}/"),
            thumbnail_url: r.first_page.map(|p| format!("/page/show-thumbnail/{p}/")),
            ocr_time: r.ocr_time,
            categorization_time: r.categorization_time,
            extraction_time: r.extraction_time,
            processing_time: r.processing_time,
            extraction_url: format!("/api/v1/docs/{id}/"),
            callback_url: r.callback_url,
            callback_status_code: r.callback_status_code,
            category_confidence: r.category_confidence,
            category_is_revised: r.category_is_revised,
            status_data: r.status_data,
            labeling_available: i64::from(r.status_data == status::DONE),
            is_reviewed: r.is_reviewed,
            category: r.category_id,
            dataset_status: r.dataset_status,
            assignee: r.assignee_email,
            created_by: r.creator_email,
            created_at: r.created_at,
            updated_at: r.updated_at,
            proposed_split: r.proposed_split.map(|p| p.0),
            split_is_revised: r.split_is_revised,
            enable_translated_strings: r.translated,
            original_file_url: format!("/doc/show-original/{id}/"),
        }
    }
}

/// Documents in the order of `ids`, read through `db` (a document's lock, or the pool).
pub async fn load<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, ids: &[i64]) -> Result<Vec<Document>> {
    let rows: Vec<DocumentRow> = db::by_ids(db, SELECT, ids, |r: &DocumentRow| r.id).await?;
    Ok(rows.into_iter().map(Document::from).collect())
}

pub async fn load_one(db: &Db, id: i64) -> Result<Option<Document>> {
    Ok(load(db, &[id]).await?.pop())
}

/// The document, if the user is a member of its project.
pub async fn visible(db: &Db, user: i64, id: i64) -> Result<Document> {
    projects::members_only(db, user, load_one(db, id).await?, |doc| doc.project).await
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
pub async fn readable(db: &Db, user: Option<i64>, id: i64) -> Result<(Document, Access)> {
    let doc = load_one(db, id).await?.ok_or(Error::NotFound)?;
    if let Some(user) = user {
        if projects::is_member(db, user, doc.project).await? {
            return Ok((doc, Access::Member));
        }
    }
    if projects::is_public(db, doc.project).await? {
        Ok((doc, Access::Public))
    } else {
        Err(Error::NotFound)
    }
}

#[derive(sqlx::FromRow)]
struct StateCount {
    document_id: i64,
    #[sqlx(try_from = "Flag")]
    is_correct: bool,
    #[sqlx(try_from = "Flag")]
    revised: bool,
    #[sqlx(try_from = "Flag")]
    by_human: bool,
    n: i64,
}

/// The review counts over the annotations of each document of `ids`, in one query for all of them: the
/// annotations are grouped by what decides their review state, and each group's state comes from `State::of`
/// and is counted by `ReviewCounts::of`, as the detail's `review_counts` are. So `pending` (AI suggestions
/// awaiting feedback), `accepted` and `declined` mean what they mean in the detail. The label counts
/// (`unfilled`, `missing`) need each document's label schema and are left to the detail. Documents without
/// annotations count zero.
pub async fn annotation_counts(db: &Db, ids: &[i64]) -> Result<HashMap<i64, ReviewCounts>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT document_id, is_correct, revised, created_by_id IS NOT NULL AS by_human, COUNT(*) AS n
         FROM annotations WHERE document_id IN ({})
         GROUP BY document_id, is_correct, revised, created_by_id IS NOT NULL",
        db::placeholders(0, ids.len())
    );
    let rows: Vec<StateCount> = db::query_as_with(&sql, db::int_args(ids)).fetch_all(db).await?;
    let mut states: HashMap<i64, Vec<State>> = HashMap::new();
    for r in rows {
        let state = State::of(r.is_correct, r.revised, r.by_human);
        states.entry(r.document_id).or_default().extend(std::iter::repeat_n(state, r.n as usize));
    }
    Ok(states.into_iter().map(|(doc, states)| (doc, ReviewCounts::of(states, []))).collect())
}

/// The id of a project member named by email (or, as the legacy SDK sends it, by user id).
pub async fn member_id(db: &Db, project: i64, field: &str, who: &UserRef) -> Result<i64> {
    let select = "SELECT u.id FROM users u JOIN project_members m ON m.user_id = u.id WHERE m.project_id = $1";
    let found: Option<i64> = match who {
        UserRef::Id(id) => {
            sqlx::query_scalar(&format!("{select} AND u.id = $2")).bind(project).bind(id).fetch_optional(db).await?
        }
        UserRef::Email(email) => {
            sqlx::query_scalar(&format!("{select} AND u.email = $2"))
                .bind(project)
                .bind(users::normalize_email(email))
                .fetch_optional(db)
                .await?
        }
    };
    found.ok_or_else(|| Error::field(field, format!("{who} is not a member of this project.")))
}

pub fn check_dataset_status(value: i64) -> Result<i64> {
    if DATASET_STATUSES.contains(&value) {
        Ok(value)
    } else {
        Err(Error::field("dataset_status", format!("\"{value}\" is not a valid choice. Choose one of 0, 1, 2, 3, 4.")))
    }
}

/// Deletes a document with its pages and files, and its document set with the uploaded file when it was the
/// set's last document.
pub async fn delete(state: &AppState, doc: Document) -> Result<()> {
    let db = &state.db;
    sqlx::query("DELETE FROM documents WHERE id = $1").bind(doc.id).execute(db).await?;
    state.storage.delete_prefix(&format!("documents/{}/", doc.id)).await?;
    if let Some(set) = doc.document_set {
        let left: Option<i64> = sqlx::query_scalar("SELECT id FROM documents WHERE document_set_id = $1 LIMIT 1")
            .bind(set)
            .fetch_optional(db)
            .await?;
        if left.is_none() {
            let key: String = sqlx::query_scalar("DELETE FROM document_sets WHERE id = $1 RETURNING original_key")
                .bind(set)
                .fetch_one(db)
                .await?;
            state.storage.delete_prefix(&key).await?;
        }
    }
    Ok(())
}

/// Where a document's derived files live.
pub fn file_key(document: i64, name: &str) -> String {
    format!("documents/{document}/{name}")
}

/// 24 random hex digits, for names of stored files and work folders.
pub fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
