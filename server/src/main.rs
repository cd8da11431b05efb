//! `lectern-server`: serves the API and the SPA, and manages users and demo data from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use lectern_server::domain::annotations::write::{self, Suggestion};
use lectern_server::domain::users;
use lectern_server::error::Error;
use lectern_server::state::AppState;
use lectern_server::{config, db, demo, http, pipeline};

#[derive(Parser)]
#[command(name = "lectern-server", version, about = "Lectern's server: the Konfuzio API v3 and the review app")]
struct Cli {
    #[command(flatten)]
    config: config::Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the SPA (the default).
    Serve {
        #[arg(long, env = "LECTERN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The built SPA (trunk's dist directory).
        #[arg(long, env = "LECTERN_DIST")]
        dist: Option<PathBuf>,
        /// Log as JSON lines instead of text.
        #[arg(long, env = "LECTERN_LOG_JSON")]
        log_json: bool,
    },
    /// Run processing jobs only (several workers can share a PostgreSQL database).
    Worker {
        /// Jobs run at once in this process.
        #[arg(long, default_value_t = 1)]
        jobs: usize,
    },
    /// Create a user, or set the password of an existing one.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
    /// Create the demo user and a demo project with categories, labels and label sets.
    SeedDemo,
    /// Store an AI suggestion (origin `extraction`, for review) over the text `[start, end)` of a processed document,
    /// or many at once from a file.
    Suggest {
        #[arg(long)]
        document: i64,
        #[arg(long, required_unless_present = "from")]
        label: Option<i64>,
        /// Inferred from the label and the document's category when absent.
        #[arg(long)]
        label_set: Option<i64>,
        #[arg(long, required_unless_present = "from")]
        start: Option<usize>,
        #[arg(long, required_unless_present = "from")]
        end: Option<usize>,
        #[arg(long, default_value_t = 0.9)]
        confidence: f64,
        /// A JSON list of `{"label", "label_set"?, "start", "end", "confidence"?, "group"?}`, stored all or none.
        #[arg(long, conflicts_with_all = ["label", "start", "end"])]
        from: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    pipeline::ocr::limit_openmp_threads()?;
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command =
        cli.command.unwrap_or(Command::Serve { addr: "127.0.0.1:8080".parse()?, dist: None, log_json: false });
    let json_logs = matches!(command, Command::Serve { log_json: true, .. });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    if json_logs {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    std::fs::create_dir_all(&cli.config.data_dir)?;
    let db = db::connect(&cli.config.database_url()).await?;
    let state = AppState::new(db.clone(), cli.config.clone())?;
    if matches!(command, Command::Serve { .. } | Command::Worker { .. } | Command::SeedDemo) {
        pipeline::pdf::load_library(&cli.config.pdfium_lib)
            .context("pdfium is needed to process PDFs (scripts/setup.sh installs it; PDFIUM_LIB names it)")?;
    }
    match command {
        Command::Serve { addr, dist, .. } => {
            pipeline::worker::spawn(&state, cli.config.workers);
            let app = http::app(state, dist.clone());
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(%addr, dist = ?dist, "Lectern is listening");
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        Command::Worker { jobs } => {
            pipeline::worker::spawn(&state, jobs);
            tracing::info!(jobs, "worker is running");
            let _ = tokio::signal::ctrl_c().await;
        }
        Command::CreateUser { email, password } => {
            let id = users::upsert_user(&db, &email, &password).await?;
            println!("user {id}: {}", users::normalize_email(&email));
        }
        Command::SeedDemo => {
            // The demo invoices are processed while seeding, so their suggestions can be stored.
            pipeline::worker::spawn(&state, 1);
            demo::seed(state).await?
        }
        Command::Suggest { document, label, label_set, start, end, confidence, from } => {
            let suggestions = match (from, label, start, end) {
                (Some(path), ..) => serde_json::from_slice::<Vec<SuggestionLine>>(&std::fs::read(&path)?)
                    .with_context(|| format!("{} is not a list of suggestions", path.display()))?
                    .into_iter()
                    .map(|s| s.suggestion(confidence))
                    .collect(),
                (None, Some(label), Some(start), Some(end)) => {
                    vec![Suggestion { label, label_set, start_offset: start, end_offset: end, confidence, group: None }]
                }
                _ => anyhow::bail!("give --label, --start and --end, or --from"),
            };
            let ids = write::suggest(&state, document, &suggestions)
                .await
                .map_err(|e| anyhow::anyhow!("{}", error_text(e)))?;
            for id in ids {
                println!("{id}");
            }
        }
    }
    Ok(())
}

/// One suggestion of `suggest --from`.
#[derive(serde::Deserialize)]
struct SuggestionLine {
    label: i64,
    label_set: Option<i64>,
    start: usize,
    end: usize,
    confidence: Option<f64>,
    /// Suggestions of a repeating label set with the same group share one annotation set.
    group: Option<i64>,
}

impl SuggestionLine {
    fn suggestion(self, default_confidence: f64) -> Suggestion {
        Suggestion {
            label: self.label,
            label_set: self.label_set,
            start_offset: self.start,
            end_offset: self.end,
            confidence: self.confidence.unwrap_or(default_confidence),
            group: self.group,
        }
    }
}

/// An API error as its JSON body, for the command line.
fn error_text(e: Error) -> String {
    match e {
        Error::Fields(fields) => serde_json::to_string(&fields).unwrap_or_default(),
        other => other.to_string(),
    }
}
