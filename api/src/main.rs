//! `nhsmail-dental`: runs the API (the default), applies migrations, loads reference data,
//! creates helpdesk administrators, or writes the contract.

use anyhow::Context;
use api::config::{Config, Settings};
use api::server::Application;
use app::audit::{Actor, By, Origin};
use app::clock::SystemClock;
use app::{helpdesk, reference, scheduler};
use clap::{Parser, Subcommand};
use std::io::Write;
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
    /// Manage helpdesk administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Run the scheduled jobs (draft expiry, attempt pruning) from cron or by hand.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Print the OpenAPI contract as YAML, or write it to a file.
    Openapi {
        /// Write to this file instead of standard output (e.g. openapi.yaml).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a helpdesk administrator. The password is read from ADMIN_PASSWORD or, if that
    /// is unset, from the first line of standard input (never from the command line, where
    /// other users could see it).
    Create {
        /// Sign-in name: 3 to 64 letters, digits, dots, hyphens or underscores.
        #[arg(long)]
        username: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run every job that is due (or the one named, due or not) unless another runner holds it;
    /// prints one JSON line per job run. Safe beside running servers: each job has a lease.
    Run {
        /// Run only this job: expire_drafts or prune_attempts.
        #[arg(long)]
        job: Option<String>,
    },
    /// Print the most recent runs, newest first, one JSON line each.
    History {
        /// How many runs to print.
        #[arg(long, default_value_t = 20)]
        limit: u16,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ImportDataset {
    /// The practice register (route A).
    Practices,
    /// The CQC care directory (route B).
    CqcLocations,
}

/// The use cases for a command: migrations applied, never sample data.
fn open_app(config: &Config) -> anyhow::Result<app::App> {
    let mut settings = config.app.clone();
    settings.load_sample_data = false;
    settings.password_hashing_concurrency = 1;
    let app = app::App::start(settings, Arc::new(SystemClock))?;
    log::info!("database: {}", config.app.database.url);
    Ok(app)
}

fn print(text: &str) -> anyhow::Result<()> {
    std::io::stdout().write_all(format!("{text}\n").as_bytes())?;
    Ok(())
}

fn import(config: &Config, dataset: ImportDataset, file: &std::path::Path) -> anyhow::Result<()> {
    std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    let app = open_app(config)?;
    let dataset = match dataset {
        ImportDataset::Practices => reference::Dataset::Practices,
        ImportDataset::CqcLocations => reference::Dataset::CqcLocations,
    };
    let by = By::new(
        Actor { kind: "operator", id: std::env::var("USER").ok() },
        Origin { request_id: None, client_address: Some("command line".to_owned()) },
    );
    let report = reference::import_file(&app, &by, dataset, file).map_err(|e| anyhow::anyhow!("{e}"))?;
    // The report the helpdesk upload answers with, and the errors its problem lists, for scripts
    // to read.
    let mut printed = serde_json::to_value(api::models::reference::ImportReportView::from(&report))?;
    printed["errors"] = report
        .errors
        .iter()
        .map(|e| serde_json::json!({"line": e.line, "column": e.column, "message": e.message}))
        .collect();
    print(&serde_json::to_string_pretty(&printed)?)?;
    if !report.applied {
        anyhow::bail!(
            "{} in {}; nothing was imported (the first {} are listed in `errors`)",
            domain::text::quantity(u64::try_from(report.errors_total).unwrap_or(u64::MAX), "problem"),
            config.app.database.url,
            report.errors.len()
        );
    }
    Ok(())
}

fn create_admin(config: &Config, username: &str, name: &str) -> anyhow::Result<()> {
    let password = match std::env::var("ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let app = open_app(config)?;
    let id = helpdesk::create_admin(&app, username, name, &password)?;
    print(&format!(
        "created helpdesk administrator {} ({id}) in {}",
        domain::username::AdminUsername::normalise(username),
        config.app.database.url
    ))
}

fn jobs(config: &Config, command: JobsCommand) -> anyhow::Result<()> {
    let app = open_app(config)?;
    let runner = scheduler::runner_name("command");
    actix_web::rt::System::new().block_on(async move {
        match command {
            JobsCommand::Run { job: None } => {
                for ran in scheduler::run_due(&app, &runner).await? {
                    print(&serde_json::to_string(&ran_json(&ran))?)?;
                }
            }
            JobsCommand::Run { job: Some(name) } => {
                let job = scheduler::Job::parse(&name).with_context(|| {
                    let names: Vec<_> = scheduler::Job::ALL.iter().map(|job| job.name()).collect();
                    format!("no job is called {name:?}; the jobs are {}", names.join(", "))
                })?;
                match scheduler::run_job(&app, &runner, job).await? {
                    Some(ran) => print(&serde_json::to_string(&ran_json(&ran))?)?,
                    None => anyhow::bail!("{name} is running elsewhere; nothing was done"),
                }
            }
            JobsCommand::History { limit } => {
                for run in scheduler::history(&app, limit.into()).await? {
                    print(&serde_json::to_string(&api::models::jobs::JobRunView::from(&run))?)?;
                }
            }
        }
        Ok(())
    })
}

fn ran_json(ran: &scheduler::Ran) -> serde_json::Value {
    serde_json::json!({ "job": ran.job.name(), "processed": ran.processed, "error": ran.error })
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    api::logging::init(cli.settings.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi { output } => {
            let yaml = api::openapi::to_yaml().map_err(anyhow::Error::msg)?;
            match output {
                Some(path) => std::fs::write(&path, yaml).with_context(|| format!("cannot write {}", path.display())),
                None => Ok(std::io::stdout().write_all(yaml.as_bytes())?),
            }
        }
        Command::Migrate => {
            let config = cli.settings.into_config()?;
            open_app(&config)?;
            log::info!("the schema is current");
            Ok(())
        }
        Command::Import { dataset, file } => import(&cli.settings.into_config()?, dataset, &file),
        Command::Admin { command: AdminCommand::Create { username, name } } => {
            create_admin(&cli.settings.into_config()?, &username, &name)
        }
        Command::Jobs { command } => jobs(&cli.settings.into_config()?, command),
        Command::Serve => {
            let config = cli.settings.into_config()?;
            if !config.is_production() {
                log::warn!(
                    "running in development mode: development secrets are allowed; set APP_ENV=production for real use"
                );
            }
            log::info!("database: {}", config.app.database.url);
            let application = Application::build(config, Arc::new(SystemClock))?;
            log::info!("listening on http://{}", application.address());
            actix_web::rt::System::new().block_on(application.run())?;
            log::info!("stopped");
            Ok(())
        }
    }
}
