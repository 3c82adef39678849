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
    /// Load reference data from a CSV file (all rows or none; see the README for the formats).
    Import {
        #[arg(value_enum)]
        dataset: ImportDataset,
        /// The CSV file.
        file: std::path::PathBuf,
    },
    /// Print the OpenAPI contract as YAML, or write it to a file.
    Openapi {
        /// Write to this file instead of standard output (e.g. openapi.yaml).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ImportDataset {
    /// The practice register (route A).
    Practices,
    /// The CQC care directory (route B).
    CqcLocations,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi { output } => {
            let yaml = api::openapi::to_yaml().map_err(anyhow::Error::msg)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, yaml).with_context(|| format!("cannot write {}", path.display()))?
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), yaml.as_bytes())?,
            }
            Ok(())
        }
        Command::Import { dataset, file } => {
            let config = cli.settings.into_config()?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let db = persistence::Database::connect(&config.database_url, persistence::PoolOptions::default())?;
            db.run_migrations()?;
            let mut conn = db.get()?;
            let hasher = api::security::Hasher::new(&config.secret_key);
            let dataset = match dataset {
                ImportDataset::Practices => api::reference_import::Dataset::Practices,
                ImportDataset::CqcLocations => api::reference_import::Dataset::CqcLocations,
            };
            let report = api::reference_import::import(
                &mut conn,
                dataset,
                &bytes,
                &hasher,
                api::clock::Clock::now(&SystemClock),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = serde_json::to_string_pretty(&report)?;
            std::io::Write::write_all(&mut std::io::stdout(), format!("{text}\n").as_bytes())?;
            if report.applied {
                Ok(())
            } else {
                anyhow::bail!("{} rows are not valid; nothing was imported", report.errors.len())
            }
        }
        Command::Migrate => {
            let config = cli.settings.into_config()?;
            let db = persistence::Database::connect(&config.database_url, persistence::PoolOptions::default())?;
            let applied = db.run_migrations()?;
            log::info!("{} migrations applied to {}", applied.len(), config.database_url);
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
