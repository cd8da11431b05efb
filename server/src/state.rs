//! What every request, job and command shares: the database, the file storage, the configuration.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::Config;
use crate::db::Db;
use crate::domain::documents::text_index::IndexCache;
use crate::domain::users::LoginLimiter;
use crate::storage::Storage;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub storage: Storage,
    pub config: Arc<Config>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Wakes the in-process workers when a job is queued.
    pub jobs_queued: Arc<Notify>,
    /// The documents' text indexes read last.
    pub text_indexes: Arc<IndexCache>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> anyhow::Result<AppState> {
        let storage = Storage::open(&config.data_dir, config.storage_url.as_deref())?;
        Ok(AppState {
            db,
            storage,
            config: Arc::new(config),
            login_limiter: Arc::default(),
            jobs_queued: Arc::default(),
            text_indexes: Arc::default(),
        })
    }
}
