//! One typed configuration, read from flags and environment variables, with embedded defaults.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Where Lectern keeps its SQLite database and files.
    #[arg(long, env = "LECTERN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; unset means SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// `s3://bucket[/prefix]` to keep files in object storage; unset means `<data dir>/files`.
    #[arg(long, env = "LECTERN_STORAGE_URL", global = true)]
    pub storage_url: Option<String>,
    /// The pdfium library (`libpdfium.so`), installed by scripts/setup.sh into .tools/pdfium/.
    #[arg(long, env = "PDFIUM_LIB", default_value = ".tools/pdfium/libpdfium.so", global = true)]
    pub pdfium_lib: PathBuf,
    /// The largest upload accepted, in megabytes; larger ones get 413.
    #[arg(long, env = "LECTERN_MAX_UPLOAD_MB", default_value_t = 200, global = true)]
    pub max_upload_mb: u64,
    /// Processing jobs run at once in this process (0: only separate `worker` processes run them).
    #[arg(long, env = "LECTERN_WORKERS", default_value_t = 1, global = true)]
    pub workers: usize,
    /// A running job whose worker has not reported for this many seconds is taken up again.
    #[arg(long, env = "LECTERN_JOB_STALE_SECS", default_value_t = 120, global = true)]
    pub job_stale_secs: u64,
    /// Webhook hosts allowed although they are loopback or private addresses (comma-separated IPs).
    #[arg(long, env = "LECTERN_WEBHOOK_ALLOW", value_delimiter = ',', global = true)]
    pub webhook_allow: Vec<std::net::IpAddr>,
    /// Origins whose pages may call the API and fetch files and page images (CORS), comma-separated:
    /// `https://review.example`, `https://*.example.com` for subdomains, or `*` for anyone without credentials.
    /// Each project's embedding origins are allowed too.
    #[arg(long, env = "LECTERN_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
}

impl Config {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!("sqlite://{}?mode=rwc", self.data_dir.join("lectern.db").display()),
        }
    }

    pub fn max_upload_bytes(&self) -> usize {
        (self.max_upload_mb as usize).saturating_mul(1 << 20)
    }
}
