//! `nhsmail-dental`: runs the API (the default), applies migrations, or writes the contract.

use anyhow::Context;
use api::clock::SystemClock;
use api::config::Settings;
use api::server::Application;
use clap::{Parser, Subcommand};
use std::sync::Arc;

/// NHSmail dental practice registration service.
///
/// With no command, serves the API. Every setting can be given as a flag or as the environment
/// variable shown; the defaults are safe for local development.
#[derive(Parser)]
#[command(name = "nhsmail-dental", version, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI contract as YAML, or write it to a file.
    Openapi {
        /// Write to this file instead of standard output (e.g. openapi.yaml).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi { output } => {
            let yaml = api::openapi::to_yaml().map_err(anyhow::Error::msg)?;
            match output {
                Some(path) => std::fs::write(&path, yaml)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout(), yaml.as_bytes())?,
            }
            Ok(())
        }
        Command::Migrate => {
            let config = cli.settings.into_config()?;
            let db = persistence::Database::connect(
                &config.database_url,
                persistence::PoolOptions::default(),
            )?;
            let applied = db.run_migrations()?;
            log::info!(
                "{} migrations applied to {}",
                applied.len(),
                config.database_url
            );
            Ok(())
        }
        Command::Serve => {
            let config = cli.settings.into_config()?;
            if !config.is_production() {
                log::warn!(
                    "running in development mode: development secrets are allowed; set APP_ENV=production for real use"
                );
            }
            log::info!("database: {}", config.database_url);
            let application = Application::build(config, Arc::new(SystemClock))?;
            log::info!("listening on http://{}", application.address());
            actix_web::rt::System::new().block_on(application.run())?;
            log::info!("stopped");
            Ok(())
        }
    }
}
