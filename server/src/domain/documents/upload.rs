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
