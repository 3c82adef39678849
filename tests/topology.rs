//! The production topology of `docker-compose.yml`, with local processes: two replicas of the
//! real binary on one database behind the compose file's nginx configuration. A practice walks
//! the journey through the proxy from an address of its own; both replicas serve it, and the
//! audit trail names the practice's real address, not the proxy's and not one it forged. The
//! compose file itself is checked against the Compose specification's schema and for what the
//! runbook promises of it.

use blackbox::Call;
use blackbox::journey::{BRIGHT_SMILE_CONTACT_ID, BRIGHT_SMILE_ID_LOCATION, BRIGHT_SMILE_POSTCODE, answers, member};
use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::proxy::Proxy;
use blackbox::{send, test_databases};
use diesel::prelude::*;
use persistence::schema::audit_events;
use persistence::{Database, DatabaseUrl, PoolOptions};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The practice's own address: another loopback address than the proxy's 127.0.0.1.
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn address(service: &Service) -> SocketAddr {
    service.base_url.trim_start_matches("http://").parse().unwrap()
}

#[test]
fn two_replicas_behind_the_proxy_serve_the_journey_and_audit_the_clients_real_address() {
    // One database for both replicas: PostgreSQL when configured, as in production.
    let database = test_databases().pop().unwrap();
    let notify = FakeNotify::start();
    let outbox = std::env::temp_dir().join(format!("topology-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()));
    let settings = [("TRUSTED_PROXIES", "127.0.0.1"), ("LOG_FORMAT", "json")];
    let replicas = [
        Service::start_with(&database.url, &notify, &outbox, &settings),
        Service::start_with(&database.url, &notify, &outbox, &settings),
    ];
    let proxy = Proxy::start([address(&replicas[0]), address(&replicas[1])]);
    eprintln!("-- {} in front of two replicas on {}", proxy.kind, database.backend_name());
    // One request per connection, so that each may go to either replica.
    let client = reqwest::blocking::Client::builder().local_address(CLIENT).pool_max_idle_per_host(0).build().unwrap();
    let call = |method: reqwest::Method, path: &str| Call::new(&client, method, &format!("{}{path}", proxy.base_url));

    // A forged X-Forwarded-For: the proxy appends the real address, the replicas read from the right.
    let (status, created) = send(
        call(reqwest::Method::POST, "/v1/applications")
            .header("X-Forwarded-For", "203.0.113.9")
            .json(&answers(true, "email")),
    );
    assert_eq!(status, 201, "{created:#}");
    let id = created["application"]["id"].as_str().unwrap().to_owned();
    let token = created["token"].as_str().unwrap().to_owned();
    let step = |method: reqwest::Method, rest: &str, body: Value, expected: u16| {
        let (status, answer) =
            send(call(method, &format!("/v1/applications/{id}{rest}")).bearer_auth(&token).json(&body));
        assert_eq!(status, expected, "{rest}: {answer:#}");
        answer
    };
    let (status, search) = send(
        call(reqwest::Method::GET, "/v1/practices").bearer_auth(&token).query(&[("postcode", BRIGHT_SMILE_POSTCODE)]),
    );
    assert_eq!(status, 200, "{search:#}");
    let practice = search["candidates"][0]["id"].clone();
    step(
        reqwest::Method::PUT,
        "/practice",
        json!({"route": "a", "postcode": BRIGHT_SMILE_POSTCODE, "practice_id": practice}),
        200,
    );
    step(
        reqwest::Method::POST,
        "/verification",
        json!({"method": "cqc_contact_id", "cqc_location_id": BRIGHT_SMILE_ID_LOCATION, "cqc_contact_id": BRIGHT_SMILE_CONTACT_ID}),
        200,
    );
    step(reqwest::Method::PUT, "/town", json!({"town": "leeds"}), 200);
    step(reqwest::Method::POST, "/members", member("Proxy", "Walker", 71), 201);
    step(reqwest::Method::POST, "/members", member("Proxy", "Runner", 72), 201);
    let receipt = step(reqwest::Method::POST, "/submission", json!({"confirm_data_correct": true}), 200);
    assert!(receipt["shared_mailbox_address"].as_str().is_some_and(|a| a.ends_with("@nhs.net")), "{receipt:#}");

    // Both replicas served the journey (their JSON access logs say so).
    for (n, replica) in replicas.iter().enumerate() {
        let served = replica
            .log()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|line| line["target"] == "access" && line["route"].as_str().is_some_and(|r| r.starts_with("/v1/")))
            .count();
        assert!(served > 0, "replica {} served nothing: {:#?}", n + 1, replica.log());
    }

    // The audit trail names the practice's address: not the proxy's, not the forged one.
    let db = Database::connect(
        &DatabaseUrl::parse(&database.url).unwrap(),
        PoolOptions { max_size: 1, ..Default::default() },
    )
    .unwrap();
    let addresses: Vec<Option<String>> = audit_events::table
        .filter(audit_events::object_id.eq(&id))
        .select(audit_events::client_address)
        .load(&mut db.get().unwrap())
        .unwrap();
    assert!(addresses.len() >= 5, "the journey is audited: {addresses:?}");
    assert!(addresses.iter().all(|a| a.as_deref() == Some("127.0.0.2")), "{addresses:?}");

    // The replicas' own JSON logs hold nothing personal.
    let lines: Vec<String> = replicas.iter().flat_map(Service::log).collect();
    assert!(lines.iter().all(|line| serde_json::from_str::<Value>(line).is_ok()), "JSON lines only: {lines:#?}");
    blackbox::privacy::assert_log_holds_no_personal_values(&db, &lines);
    drop((proxy, replicas));
    let _ = std::fs::remove_file(&outbox);
}

fn compose() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docker-compose.yml")).unwrap();
    yaml_serde::from_str(&text).expect("docker-compose.yml is YAML")
}

#[test]
fn the_compose_file_follows_the_compose_specification_and_runs_two_checked_replicas_behind_the_proxy() {
    let compose = compose();
    // The Compose specification's JSON schema (as shipped in docker-compose 1.29.2 on PyPI).
    let schema: Value =
        serde_json::from_str(include_str!("../deploy/compose-spec.schema.json")).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator.iter_errors(&compose).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "docker-compose.yml breaks the Compose specification: {errors:#?}");

    let services = compose["services"].as_object().unwrap();
    for (name, service) in services {
        let image = service["image"].as_str().unwrap_or_else(|| panic!("{name} names its image"));
        // Images from elsewhere name a release; ours is built from this checkout.
        if service.get("build").is_none() {
            let (_, tag) = image.rsplit_once(':').unwrap_or_else(|| panic!("{name}: {image} has no tag"));
            assert!(tag != "latest" && tag.chars().any(|c| c.is_ascii_digit()), "{name}: {image} is not pinned");
        }
        assert!(service["healthcheck"]["test"].is_array(), "{name} has a health check");
        assert!(service["restart"].is_string(), "{name} restarts");
    }
    let replicas: Vec<&Value> = ["api-1", "api-2"].iter().map(|name| &services[*name]).collect();
    let proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"].as_str().unwrap();
    let conf = std::fs::read_to_string(blackbox::proxy::nginx_conf_path()).unwrap();
    for (name, replica) in ["api-1", "api-2"].iter().zip(&replicas) {
        let environment = &replica["environment"];
        assert_eq!(environment["TRUSTED_PROXIES"], proxy_address, "{name} trusts exactly the proxy");
        assert_eq!(environment["APP_ENV"], "production");
        assert!(replica.get("ports").is_none(), "{name} is reached only through the proxy");
        assert!(conf.contains(&format!("server {name}:8080 ")), "the proxy sends requests to {name}");
        assert!(environment["METRICS_TOKEN"].as_str().is_some_and(|t| t.starts_with("${METRICS_TOKEN:?")));
    }
    assert!(services["proxy"]["volumes"][0].as_str().unwrap().starts_with("./deploy/nginx.conf:"));
    let subnet = compose["networks"]["backend"]["ipam"]["config"][0]["subnet"].as_str().unwrap();
    assert!(subnet.starts_with(proxy_address.rsplit_once('.').unwrap().0), "{proxy_address} is in {subnet}");
}
