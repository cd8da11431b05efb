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
pub mod text_index;
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
            state.storage.delete(&key).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use lectern_api::annotations::BulkUpdate;
    use lectern_api::review::{ACCEPT, DECLINE};
    use lectern_api::ProjectSharingWrite;

    use crate::domain::annotations::write;
    use crate::testing::{refusal, Fixture, InvoiceProject, Team, INVOICE};

    #[tokio::test]
    async fn an_upload_reads_back_with_its_fields_and_then_with_what_processing_found() {
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let id = fx.upload(owner, project, Some(schema.category)).await;
        let doc = fx.load(id).await;
        assert_eq!(
            (doc.project, doc.category, doc.data_file_name.as_str(), doc.status_data),
            (project, Some(schema.category), "invoice.pdf", status::QUEUED_OCR)
        );
        assert_eq!((doc.number_of_pages, doc.labeling_available, doc.is_reviewed), (0, 0, false));
        assert_eq!((doc.thumbnail_url, doc.created_by.as_deref()), (None, Some("owner@example.com")));
        assert_eq!((doc.file_url, doc.extraction_url), (format!("/doc/show/{id}/"), format!("/api/v1/docs/{id}/")));

        fx.process(id, INVOICE).await;
        let doc = fx.load(id).await;
        let first = pages::ids(fx.db(), id).await.unwrap()[0];
        assert_eq!((doc.status_data, doc.number_of_pages, doc.labeling_available), (status::DONE, 2, 1));
        assert_eq!(doc.thumbnail_url, Some(format!("/page/show-thumbnail/{first}/")));
        assert_eq!(doc.data_file_producer.as_deref(), Some("Lectern tests"));
        assert_eq!((doc.ocr_time, doc.processing_time), (Some(0.5), Some(1.0)));
        assert!(load_one(fx.db(), id + 100).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn members_read_a_document_and_others_only_once_its_project_made_it_public() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let stranger = fx.user("stranger@example.com").await;
        assert_eq!(visible(db, invoice.owner, invoice.doc).await.unwrap().id, invoice.doc);
        assert_eq!(refusal(visible(db, stranger, invoice.doc).await), "404 Not found.");
        assert_eq!(readable(db, Some(invoice.owner), invoice.doc).await.unwrap().1, Access::Member);
        assert_eq!(refusal(readable(db, Some(stranger), invoice.doc).await), "404 Not found.");
        assert_eq!(refusal(readable(db, None, invoice.doc).await), "404 Not found.");

        let public = ProjectSharingWrite { public_documents: Some(true), ..ProjectSharingWrite::default() };
        projects::update_sharing(db, invoice.project, public).await.unwrap();
        assert_eq!(readable(db, Some(stranger), invoice.doc).await.unwrap().1, Access::Public);
        assert_eq!(readable(db, None, invoice.doc).await.unwrap().1, Access::Public);
        assert_eq!(readable(db, Some(invoice.owner), invoice.doc).await.unwrap().1, Access::Member);
        // Public documents can be read, not changed: `visible` stays for members.
        assert_eq!(refusal(visible(db, stranger, invoice.doc).await), "404 Not found.");
        assert_eq!(refusal(readable(db, None, invoice.doc + 100).await), "404 Not found.");
    }

    #[tokio::test]
    async fn the_list_counts_each_document_s_annotations_by_review_state() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (owner, doc, s) = (invoice.owner, invoice.doc, invoice.schema);
        let untouched = fx.document(owner, invoice.project, Some(s.category)).await;
        fx.suggest(doc, s.total, "9,50").await;
        let accepted = fx.suggest(doc, s.date, "2026-01-31").await;
        let declined = fx.suggest(doc, s.total, "42").await;
        fx.annotate(owner, doc, s.date, "Invoice").await;
        for (id, (is_correct, revised)) in [(accepted, ACCEPT), (declined, DECLINE)] {
            let body = BulkUpdate { ids: vec![id], is_correct: Some(is_correct), revised: Some(revised) };
            write::review_many(&fx.state, owner, doc, &body).await.unwrap();
        }
        let counts = annotation_counts(fx.db(), &[doc, untouched]).await.unwrap();
        let c = counts[&doc];
        assert_eq!((c.pending, c.accepted, c.declined, c.unfilled, c.missing), (1, 2, 1, 0, 0));
        assert_eq!(counts.get(&untouched).copied().unwrap_or_default(), ReviewCounts::default());
        assert!(annotation_counts(fx.db(), &[]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_member_is_named_by_email_or_id_and_anyone_else_is_refused() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let Team { owner, member, stranger, project } = fx.team().await;
        let by_email = member_id(db, project, "assignee", &UserRef::Email(" Member@Example.com".into())).await;
        assert_eq!(by_email.unwrap(), member);
        assert_eq!(member_id(db, project, "assignee", &UserRef::Id(owner)).await.unwrap(), owner);
        let by_email = member_id(db, project, "assignee", &UserRef::Email("stranger@example.com".into())).await;
        assert_eq!(refusal(by_email), "400 assignee: \"stranger@example.com\" is not a member of this project.");
        let by_id = member_id(db, project, "assignee", &UserRef::Id(stranger)).await;
        assert_eq!(refusal(by_id), format!("400 assignee: {stranger} is not a member of this project."));
        assert_eq!(check_dataset_status(4).unwrap(), 4);
        assert_eq!(
            refusal(check_dataset_status(5)),
            "400 dataset_status: \"5\" is not a valid choice. Choose one of 0, 1, 2, 3, 4."
        );
    }

    #[tokio::test]
    async fn a_deleted_document_takes_its_files_and_the_last_one_of_a_set_takes_the_upload() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (db, storage) = (fx.db(), &fx.state.storage);
        let page = pages::ids(db, invoice.doc).await.unwrap()[0];
        let image = pages::picture(db, page, pages::Picture::Image).await.unwrap().key.unwrap();
        let set = fx.load(invoice.doc).await.document_set.unwrap();
        let (_, upload) = files::set_original(db, set).await.unwrap();
        // Split in two: both documents are of the upload's set.
        let outputs: Vec<postprocess::Output> = (0..2)
            .map(|i| postprocess::Output { name: format!("part {i}.pdf"), category: None, pages: vec![(i, 0)] })
            .collect();
        let parts = [fx.file(b"%PDF-1.4 first"), fx.file(b"%PDF-1.4 second")];
        let ids = postprocess::apply(&fx.state, invoice.owner, invoice.doc, &outputs, &parts, false).await.unwrap();

        let first = fx.load(ids[0]).await;
        let own = files::original(db, &first).await.unwrap().key;
        delete(&fx.state, first).await.unwrap();
        assert!(load_one(db, ids[0]).await.unwrap().is_none());
        assert!(storage.get(&image).await.is_err());
        assert!(storage.get(&own).await.is_err());
        let left = sets::visible(db, invoice.owner, set).await.unwrap();
        assert_eq!(left.documents.iter().map(|d| d.document.id).collect::<Vec<_>>(), [ids[1]]);
        assert_eq!(storage.get(&upload.key).await.unwrap(), crate::testing::invoice_pdf());

        delete(&fx.state, fx.load(ids[1]).await).await.unwrap();
        assert_eq!(refusal(sets::visible(db, invoice.owner, set).await), "404 Not found.");
        assert!(storage.get(&upload.key).await.is_err());
    }
}
