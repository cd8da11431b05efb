//! Uploads (§7.3): checking what came with a file, storing the original before answering, and queueing its
//! processing.

use std::path::Path;
use std::time::Duration;

use lectern_api::documents::{status, UserRef};

use crate::domain::{jobs, projects, schema};
use crate::error::{Error, Result};
use crate::state::AppState;

/// An uploaded file, received into a temporary file, and the fields that came with it.
pub struct Upload<'a> {
    pub file: Option<ReceivedFile<'a>>,
    pub project: Option<i64>,
    pub category: Option<i64>,
    pub callback_url: Option<String>,
    pub callback_status_code: Option<i64>,
    pub dataset_status: Option<i64>,
    pub assignee: Option<String>,
}

pub struct ReceivedFile<'a> {
    pub name: String,
    pub path: &'a Path,
    pub size: u64,
    /// The first bytes, which tell the file type.
    pub head: Vec<u8>,
}

/// The file types Lectern processes, recognised by their first bytes.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") || (head.len() > 5 && head[..head.len().min(1024)].windows(5).any(|w| w == b"%PDF-"))
    {
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

fn check_url(value: &str) -> Result<String> {
    match url::Url::parse(value.trim()) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(value.trim().to_owned()),
        _ => Err(Error::field("callback_url", "Enter a valid URL.")),
    }
}

/// Checks the upload, stores the original and queues its processing; returns the new document's id. Nothing
/// is stored when a check fails.
pub async fn create(state: &AppState, user: i64, upload: Upload<'_>) -> Result<i64> {
    let db = &state.db;
    let project = projects::member_project(db, user, "project", upload.project).await?;
    let Some(file) = upload.file else {
        return Err(Error::field("data_file", "No file was submitted."));
    };
    if file.size == 0 {
        return Err(Error::field("data_file", "The submitted file is empty."));
    }
    let file_type = sniff(&file.head)
        .ok_or_else(|| Error::field("data_file", "Unsupported file type: send a PDF, PNG, JPEG or TIFF file."))?;
    if let Some(category) = upload.category {
        schema::check_category(db, project, category).await?;
    }
    let dataset_status = super::check_dataset_status(upload.dataset_status.unwrap_or(0))?;
    let callback_url = upload.callback_url.as_deref().map(check_url).transpose()?;
    let assignee = match upload.assignee {
        Some(email) => Some(super::member_id(db, project, "assignee", &UserRef::Email(email)).await?),
        None => None,
    };

    let key = format!("originals/{}", super::random_hex());
    state.storage.put_file(&key, file.path).await?;
    let now = crate::db::now();
    let inserted: Result<i64> = async {
        let mut tx = db.begin().await?;
        let set: i64 = sqlx::query_scalar(
            "INSERT INTO document_sets (project_id, original_key, file_type, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(project)
        .bind(&key)
        .bind(file_type)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO documents (project_id, document_set_id, category_id, data_file_name, file_type, original_key,
                callback_url, callback_status_code, dataset_status, assignee_id, created_by_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(project)
        .bind(set)
        .bind(upload.category)
        .bind(&file.name)
        .bind(file_type)
        .bind(&key)
        .bind(callback_url)
        .bind(upload.callback_status_code)
        .bind(dataset_status)
        .bind(assignee)
        .bind(user)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        jobs::enqueue(&mut tx, jobs::Kind::Process, Some(id), None).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match inserted {
        Ok(id) => {
            state.jobs_queued.notify_waiters();
            tracing::info!(document = id, file_type, size = file.size, "document uploaded");
            Ok(id)
        }
        Err(e) => {
            let _ = state.storage.delete(&key).await;
            Err(e)
        }
    }
}

/// Waits while the document is queued or being processed.
pub async fn wait_until_processed(state: &AppState, id: i64) -> Result<()> {
    loop {
        let found: Option<i64> = sqlx::query_scalar("SELECT status_data FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db)
            .await?;
        match found {
            Some(status::DONE | status::ERROR | status::WAITING_FOR_SPLIT) | None => return Ok(()),
            Some(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::documents::{self, processing};
    use crate::domain::list::{self, Params, Scope};
    use crate::testing::{invoice_pdf, received, refusal, upload_of, Fixture};

    const STALE: Duration = Duration::from_secs(60);

    #[test]
    fn files_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("pdf"));
        assert_eq!(sniff(b"\xef\xbb\xbf junk %PDF-1.4"), Some("pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("jpeg"));
        assert_eq!(sniff(b"MM\0*\0\0"), Some("tiff"));
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[tokio::test]
    async fn an_upload_is_stored_with_what_came_with_it_and_queued_for_processing() {
        let fx = Fixture::new().await;
        let owner = fx.user("owner@example.com").await;
        let member = fx.user("member@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        fx.add_member(project, member).await;
        let schema = fx.schema(project).await;
        let pdf = invoice_pdf();
        let path = fx.file(&pdf);
        let upload = Upload {
            callback_url: Some(" https://hooks.example/done ".into()),
            callback_status_code: Some(0),
            dataset_status: Some(2),
            assignee: Some("Member@example.com".into()),
            ..upload_of(project, Some(schema.category), received("March.pdf", &path, &pdf))
        };
        let id = create(&fx.state, owner, upload).await.unwrap();
        let doc = fx.load(id).await;
        assert_eq!(
            (doc.data_file_name.as_str(), doc.category, doc.dataset_status),
            ("March.pdf", Some(schema.category), 2)
        );
        assert_eq!(
            (doc.callback_url.as_deref(), doc.callback_status_code),
            (Some("https://hooks.example/done"), Some(0))
        );
        assert_eq!(
            (doc.assignee.as_deref(), doc.created_by.as_deref()),
            (Some("member@example.com"), Some("owner@example.com"))
        );
        let input = processing::input(fx.db(), id).await.unwrap().unwrap();
        assert_eq!((input.file_type.as_str(), input.project_id), ("pdf", project));
        assert_eq!(fx.state.storage.get(&input.original_key).await.unwrap(), pdf);

        let job = jobs::claim(fx.db(), "worker", STALE).await.unwrap().unwrap();
        assert_eq!((job.kind, job.document), (Some(jobs::Kind::Process), Some(id)));
        assert!(jobs::claim(fx.db(), "worker", STALE).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_upload_that_fails_a_check_stores_nothing() {
        let fx = Fixture::new().await;
        let owner = fx.user("owner@example.com").await;
        let stranger = fx.user("stranger@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let foreign = fx.schema(fx.project(stranger, "Theirs").await).await;
        let pdf = invoice_pdf();
        let path = fx.file(&pdf);
        let file = || received("invoice.pdf", &path, &pdf);
        let upload = || upload_of(project, None, file());
        let state = &fx.state;
        let refused = |user, upload| async move { refusal(create(state, user, upload).await) };

        let pk = |id: i64| format!("Invalid pk \"{id}\" - object does not exist.");
        assert_eq!(refused(stranger, upload()).await, format!("400 project: {}", pk(project)));
        assert_eq!(refused(owner, Upload { file: None, ..upload() }).await, "400 data_file: No file was submitted.");
        let empty = received("empty.pdf", &path, b"");
        assert_eq!(
            refused(owner, upload_of(project, None, empty)).await,
            "400 data_file: The submitted file is empty."
        );
        let text = received("notes.txt", &path, b"plain text");
        assert_eq!(
            refused(owner, upload_of(project, None, text)).await,
            "400 data_file: Unsupported file type: send a PDF, PNG, JPEG or TIFF file."
        );
        let elsewhere = upload_of(project, Some(foreign.category), file());
        assert_eq!(refused(owner, elsewhere).await, format!("400 category: {}", pk(foreign.category)));
        let status = Upload { dataset_status: Some(9), ..upload() };
        assert!(refused(owner, status).await.starts_with("400 dataset_status: \"9\" is not a valid choice."));
        for url in ["ftp://hooks.example/done", "hooks.example/done", "https://"] {
            let callback = Upload { callback_url: Some(url.into()), ..upload() };
            assert_eq!(refused(owner, callback).await, "400 callback_url: Enter a valid URL.", "{url}");
        }
        let assignee = Upload { assignee: Some("stranger@example.com".into()), ..upload() };
        assert_eq!(
            refused(owner, assignee).await,
            "400 assignee: \"stranger@example.com\" is not a member of this project."
        );

        let all = list::find(fx.db(), &documents::LIST, Scope::member(owner), &Params::default()).await.unwrap();
        assert_eq!(all.count, 0);
        assert!(jobs::claim(fx.db(), "worker", STALE).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn waiting_for_processing_ends_when_the_document_is_done_failed_or_gone() {
        let fx = Fixture::new().await;
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let id = fx.upload(owner, project, None).await;
        let waiting = wait_until_processed(&fx.state, id);
        tokio::pin!(waiting);
        assert!(tokio::time::timeout(Duration::from_millis(300), &mut waiting).await.is_err());
        processing::fail(fx.db(), id, "The file is damaged.").await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
        wait_until_processed(&fx.state, id + 100).await.unwrap();
        let done = fx.document(owner, project, None).await;
        wait_until_processed(&fx.state, done).await.unwrap();
    }
}
