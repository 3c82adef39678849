//! The binary's command line: `--help` documents every setting, production refuses to start
//! without real secrets, and `openapi` prints the contract.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nhsmail-dental"));
    // The tests' own environment must not leak settings into the child.
    for (key, _) in std::env::vars() {
        if ["APP_ENV", "DATABASE_URL", "SECRET_KEY", "BIND_ADDRESS", "MAIL_DOMAIN"].contains(&key.as_str()) {
            command.env_remove(key);
        }
    }
    command
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
        "TRUST_PROXY_HEADERS",
        "DISPATCH_INTERVAL_MILLIS",
        "EXPIRY_SWEEP_SECONDS",
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
    assert!(!dir.exists(), "nothing may be created before the configuration is accepted");
}

#[test]
fn openapi_command_prints_the_contract() {
    let output = binary().arg("openapi").output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), api::openapi::to_yaml().unwrap());
}
