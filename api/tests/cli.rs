//! The binary's command line: `--help` documents every setting, production refuses to start
//! without real secrets, and `openapi` prints the contract.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nhsmail-dental"));
    // The tests' own environment must not leak settings into the child.
    for (key, _) in std::env::vars() {
        if ["APP_ENV", "DATABASE_URL", "SECRET_KEY", "JWT_SECRET", "BIND_ADDRESS", "MAIL_DOMAIN", "ADMIN_PASSWORD"]
            .contains(&key.as_str())
        {
            command.env_remove(key);
        }
    }
    command
}

/// A scratch SQLite database, removed afterwards.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Self {
        Self(std::env::temp_dir().join(format!("cli-db-{}", uuid::Uuid::new_v4().simple())))
    }

    fn url(&self) -> String {
        format!("sqlite://{}/test.db", self.0.display())
    }

    fn file(&self, name: &str, content: &str) -> std::path::PathBuf {
        std::fs::create_dir_all(&self.0).unwrap();
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn import_applies_a_good_file_and_nothing_of_a_bad_one() {
    let scratch = Scratch::new();
    let header = "ods_code,name,address_line_1,town,postcode,cqc_location_id,cqc_contact_id";
    let bad = scratch.file("bad.csv", &format!("{header}\nV70001,DERBY DENTAL,1 ROAD,DERBY,DE1 3AA,1-1000070001,C1\nV70002,BROKEN,1 ROAD,DERBY,NOPE,1-1000070002,C2\n"));
    let output = binary().args(["import", "practices"]).arg(&bad).env("DATABASE_URL", scratch.url()).output().unwrap();
    assert!(!output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["applied"], false);
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(report["errors"][0]["column"], "postcode");

    let good = scratch.file("good.csv", &format!("{header}\nV70001,DERBY DENTAL,1 ROAD,DERBY,DE1 3AA,1-1000070001,C1\nV70002,FIXED,1 ROAD,DERBY,DE1 3AB,1-1000070002,C2\n"));
    let output = binary().args(["import", "practices"]).arg(&good).env("DATABASE_URL", scratch.url()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["updated"].as_u64()),
        (Some(2), Some(0)),
        "the bad file left nothing behind"
    );
}

#[test]
fn admin_create_reads_the_password_from_the_environment_and_holds_it_to_the_policy() {
    let scratch = Scratch::new();
    let create = |password: &str| {
        binary()
            .args(["admin", "create", "--username", "Helpdesk.Jane", "--name", "Jane Helpdesk"])
            .env("DATABASE_URL", scratch.url())
            .env("ADMIN_PASSWORD", password)
            .output()
            .unwrap()
    };
    let weak = create("password1");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password is not acceptable"));
    let created = create("plinth marmalade oboe lantern");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let said = String::from_utf8_lossy(&created.stdout).into_owned();
    assert!(said.contains("helpdesk.jane"));
    assert!(said.contains(&scratch.url()), "it says which database it wrote to: {said}");
    let again = create("plinth marmalade oboe lantern");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn help_lists_every_environment_variable() {
    let output = binary().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for variable in [
        "APP_ENV",
        "DATABASE_URL",
        "DATABASE_POOL_SIZE",
        "DATABASE_TIMEOUT_SECONDS",
        "BIND_ADDRESS",
        "WORKERS",
        "MAIL_DOMAIN",
        "SECRET_KEY",
        "CORS_ALLOWED_ORIGINS",
        "SUPPORT_CONTACT",
        "MAX_BODY_BYTES",
        "SHUTDOWN_TIMEOUT_SECONDS",
        "APPLICATION_INACTIVITY_DAYS",
        "PASSCODE_EMAIL_VALID_DAYS",
        "PASSCODE_POST_VALID_DAYS",
        "LOAD_SAMPLE_DATA",
        "OUTBOX_FILE",
        "TRUSTED_PROXIES",
        "DISPATCH_INTERVAL_MILLIS",
        "SCHEDULER_TICK_SECONDS",
        "JWT_SECRET",
        "ADMIN_TOKEN_MINUTES",
        "ARGON2_MEMORY_KIB",
        "ARGON2_ITERATIONS",
        "ARGON2_PARALLELISM",
        "PASSWORD_HASHING_CONCURRENCY",
        "MAX_UPLOAD_BYTES",
    ] {
        assert!(help.contains(&format!("[env: {variable}")), "--help does not mention {variable}:\n{help}");
    }
}

#[test]
fn help_never_prints_secret_values() {
    let output = binary()
        .arg("--help")
        .env("SECRET_KEY", "top-secret-value-for-the-test-0123456789")
        .env("DATABASE_URL", "postgres://dental:db-password@db/dental")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(!help.contains("top-secret-value"));
    assert!(!help.contains("db-password"));
}

#[test]
fn production_refuses_to_start_without_a_real_secret() {
    let dir = std::env::temp_dir().join(format!("cli-test-{}", std::process::id()));
    let output = binary()
        .env("APP_ENV", "production")
        .env("DATABASE_URL", format!("sqlite://{}/x.db", dir.display()))
        .env("BIND_ADDRESS", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SECRET_KEY is required in production"), "{stderr}");
    assert!(stderr.contains("JWT_SECRET is required in production"), "every problem at once: {stderr}");
    assert!(!dir.exists(), "nothing may be created before the configuration is accepted");
}

#[test]
fn openapi_command_prints_the_contract() {
    let output = binary().arg("openapi").output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), api::openapi::to_yaml().unwrap());
}

#[test]
fn help_offers_each_channel_only_the_providers_it_supports() {
    let output = binary().arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    // The values listed under a flag, up to its `[env: …]` line.
    let values = |flag: &str| -> Vec<String> {
        let at = help.find(&format!("{flag} <")).unwrap_or_else(|| panic!("{flag} is not in --help"));
        let section = &help[at..at + help[at..].find("[env:").unwrap()];
        section
            .lines()
            .filter_map(|line| line.trim().strip_prefix("- "))
            .map(|item| item.split(':').next().unwrap().trim().to_owned())
            .collect()
    };
    assert_eq!(values("--email-provider"), ["development", "smtp", "notify"]);
    assert_eq!(values("--sms-provider"), ["development", "notify"]);
    assert_eq!(values("--letter-provider"), ["development", "notify"]);
    let refused = binary().args(["--letter-provider", "smtp", "openapi"]).output().unwrap();
    assert!(!refused.status.success(), "SMTP cannot send letters");
}

#[test]
fn jobs_run_runs_what_is_due_once_and_history_records_it() {
    let scratch = Scratch::new();
    let run = |args: &[&str]| {
        let output = binary().arg("jobs").args(args).env("DATABASE_URL", scratch.url()).output().unwrap();
        let lines: Vec<serde_json::Value> =
            String::from_utf8(output.stdout).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        (output.status.success(), lines, String::from_utf8(output.stderr).unwrap())
    };
    let (ok, ran, stderr) = run(&["run"]);
    assert!(ok, "{stderr}");
    let jobs: Vec<_> = ran.iter().map(|line| line["job"].as_str().unwrap()).collect();
    assert_eq!(
        jobs,
        [
            "expire_drafts",
            "prune_attempts",
            "account_inactivity",
            "prune_messages",
            "prune_personal_data",
            "passcode_mailshots"
        ]
    );
    assert!(ran.iter().all(|line| line["error"].is_null() && line["processed"].is_u64()), "{ran:?}");

    let (ok, ran, stderr) = run(&["run"]);
    assert!(ok && ran.is_empty(), "nothing is due a moment later: {ran:?} {stderr}");
    let (ok, ran, _) = run(&["run", "--job", "prune_attempts"]);
    assert!(ok && ran.len() == 1 && ran[0]["job"] == "prune_attempts", "a named job runs due or not: {ran:?}");

    let (ok, _, stderr) = run(&["run", "--job", "tidy_up"]);
    assert!(
        !ok && stderr.contains(
            "expire_drafts, prune_attempts, account_inactivity, prune_messages, prune_personal_data, passcode_mailshots"
        ),
        "an unknown job names the real ones: {stderr}"
    );

    let (ok, history, _) = run(&["history", "--limit", "2"]);
    assert!(ok);
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["job"], "prune_attempts", "newest first");
    assert!(history.iter().all(|run| run["outcome"] == "succeeded"), "{history:?}");
}
