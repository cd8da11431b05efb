//! `lectern-server`: serves the API and the SPA, and manages users and demo data from the command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

mod config;
mod db;
mod demo;
mod http;
mod users;

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
    /// Create a user, or set the password of an existing one.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
    /// Create the demo user and a demo project with categories, labels and label sets.
    SeedDemo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve {
        addr: "127.0.0.1:8080".parse()?,
        dist: None,
        log_json: false,
    });
    let json_logs = matches!(command, Command::Serve { log_json: true, .. });
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    if json_logs {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    std::fs::create_dir_all(&cli.config.data_dir)?;
    let db = db::connect(&cli.config.database_url()).await?;
    match command {
        Command::Serve { addr, dist, .. } => {
            let app = http::app(http::AppState::new(db), dist.clone());
            let listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(%addr, dist = ?dist, "Lectern is listening");
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        Command::CreateUser { email, password } => {
            let id = users::upsert_user(&db, &email, &password).await?;
            println!("user {id}: {}", users::normalize_email(&email));
        }
        Command::SeedDemo => demo::seed(&db).await?,
    }
    Ok(())
}
