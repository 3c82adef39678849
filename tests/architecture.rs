//! The dependency direction is the architecture: `domain` knows nothing of storage, HTTP or the
//! contract; `persistence` knows nothing of HTTP. This fails the build if that ever changes.

use std::process::Command;

fn normal_dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["tree", "--offline", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn domain_depends_on_no_storage_http_or_contract_crate() {
    let dependencies = normal_dependencies("domain");
    assert!(dependencies.iter().any(|d| d == "domain"), "cargo tree output unexpected: {dependencies:?}");
    for forbidden in ["diesel", "actix-web", "actix-http", "utoipa", "persistence", "r2d2", "libsqlite3-sys", "pq-sys"]
    {
        assert!(!dependencies.iter().any(|d| d == forbidden), "domain depends on {forbidden}");
    }
}

#[test]
fn persistence_depends_on_no_http_or_contract_crate() {
    let dependencies = normal_dependencies("persistence");
    assert!(dependencies.iter().any(|d| d == "diesel"));
    for forbidden in ["actix-web", "actix-http", "utoipa", "api"] {
        assert!(!dependencies.iter().any(|d| d == forbidden), "persistence depends on {forbidden}");
    }
}
