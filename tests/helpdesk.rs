//! The helpdesk: signing in, the access token's checks, and reference data uploads.

use app::tokens::{ACCOUNT_AUDIENCE, HELPDESK_AUDIENCE, Tokens};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use blackbox::journey::*;
use blackbox::{
    ADMIN_PASSWORD, ADMIN_USERNAME, TestApp, assert_problem, field_errors, on_each_backend, send, test_databases,
};
use serde_json::{Value, json};

fn sign_in(app: &TestApp, username: &str, password: &str) -> (u16, Value) {
    send(app.post("/v1/admin/sessions").json(&json!({"username": username, "password": password})))
}

fn upload(app: &TestApp, token: &str, dataset: &str, csv: &str) -> (u16, Value) {
    send(
        app.put(&format!("/v1/admin/reference-data/{dataset}"))
            .bearer_auth(token)
            .header("Content-Type", "text/csv")
            .body(csv.to_owned()),
    )
}

const PRACTICES_HEADER: &str = "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on";

fn practice_row(ods: &str, name: &str, location: &str, contact: &str) -> String {
    format!(
        "{ods},{name},9 MARKET PLACE,,DERBY,DERBYSHIRE,DE1 3AA,{location},{contact},manager@{}.example,DSPT,Standards Met,2019-03-31",
        ods.to_lowercase()
    )
}

#[test]
fn an_administrator_signs_in_and_out_and_the_token_dies_with_the_session() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let csv =
            format!("{PRACTICES_HEADER}\n{}\n", practice_row("V70001", "DERBY DENTAL", "1-1000070001", "CON-DERBY-1"));
        assert_eq!(upload(app, &token, "practices", &csv).0, 200);
        let (status, _) = send(app.delete("/v1/admin/sessions/current").bearer_auth(&token));
        assert_eq!(status, 204);
        let (status, problem) = upload(app, &token, "practices", &csv);
        assert_problem(status, &problem, 401, "unauthorized");
    });
}

#[test]
fn r_l8_unknown_usernames_and_wrong_passwords_get_the_same_answer_and_failures_lock() {
    on_each_backend(|app| {
        app.helpdesk_token();
        let (s1, mut wrong_password) = sign_in(app, ADMIN_USERNAME, "not the password at all");
        let (s2, mut unknown_user) = sign_in(app, "nobody.here", "not the password at all");
        assert_problem(s1, &wrong_password, 401, "unauthorized");
        assert_eq!(s1, s2);
        wrong_password.as_object_mut().unwrap().remove("request_id");
        unknown_user.as_object_mut().unwrap().remove("request_id");
        assert_eq!(wrong_password, unknown_user, "no hint whether the username exists");
        assert_eq!(wrong_password["code"], "invalid_credentials");

        for _ in 0..4 {
            assert_eq!(sign_in(app, ADMIN_USERNAME, "still not the password").0, 401);
        }
        let (status, problem) = sign_in(app, ADMIN_USERNAME, ADMIN_PASSWORD);
        assert_problem(status, &problem, 429, "rate-limited");
        assert_eq!(problem["code"], "sign_in_locked");
        // Unknown usernames lock the same way, so a lock says nothing about existence.
        for _ in 0..4 {
            sign_in(app, "nobody.here", "wrong");
        }
        assert_eq!(sign_in(app, "nobody.here", "wrong").0, 429);
        app.clock.advance(chrono::Duration::minutes(16));
        assert_eq!(sign_in(app, ADMIN_USERNAME, ADMIN_PASSWORD).0, 201);
    });
}

#[test]
fn tokens_with_a_wrong_key_no_algorithm_an_expired_time_or_the_wrong_audience_are_refused() {
    on_each_backend(|app| {
        let good = app.helpdesk_token();
        let claims = good.split('.').nth(1).unwrap().to_owned();
        let decoded: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&claims).unwrap()).unwrap();
        let (admin_id, session) = (decoded["sub"].as_str().unwrap(), decoded["jti"].as_str().unwrap());
        let now = chrono::Utc::now();
        let later = now + chrono::Duration::minutes(30);

        let wrong_key = Tokens::new(&app::settings::SigningKeys::single(app::settings::Secret::new(
            b"an entirely different secret, 32+ bytes".to_vec(),
        )))
        .issue(HELPDESK_AUDIENCE, admin_id, session, now, later)
        .unwrap();
        let none = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
        let real_key = Tokens::new(&app.config.app.jwt);
        let wrong_audience = real_key.issue(ACCOUNT_AUDIENCE, admin_id, session, now, later).unwrap();
        let expired = real_key
            .issue(
                HELPDESK_AUDIENCE,
                admin_id,
                session,
                now - chrono::Duration::hours(2),
                now - chrono::Duration::hours(1),
            )
            .unwrap();
        let unknown_session = real_key.issue(HELPDESK_AUDIENCE, admin_id, "no-such-session", now, later).unwrap();
        let applicant = Journey::start(app, answers(false, "post")).token;
        for (what, token) in [
            ("wrong key", wrong_key),
            ("alg none", none),
            ("wrong audience", wrong_audience),
            ("expired", expired),
            ("unknown session", unknown_session),
            ("application token", applicant),
            ("garbage", "x.y.z".to_owned()),
        ] {
            let (status, problem) = upload(app, &token, "practices", "a,b\n");
            assert_eq!(status, 401, "{what}: {problem:#}");
            assert_problem(status, &problem, 401, "unauthorized");
        }
        let (status, _) =
            send(app.put("/v1/admin/reference-data/practices").header("Content-Type", "text/csv").body("a\n"));
        assert_eq!(status, 401);

        // The real token stops working when it expires by the service's clock.
        assert_eq!(upload(app, &good, "practices", &format!("{PRACTICES_HEADER}\n")).0, 200);
        app.clock.advance(chrono::Duration::minutes(31));
        assert_eq!(upload(app, &good, "practices", &format!("{PRACTICES_HEADER}\n")).0, 401);
    });
}

#[test]
fn reference_uploads_upsert_report_counts_and_apply_all_or_nothing() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let two = format!(
            "{PRACTICES_HEADER}\n{}\n{}\n",
            practice_row("V70001", "DERBY DENTAL", "1-1000070001", "CON-DERBY-1"),
            practice_row("V70002", "DERBY SMILES", "1-1000070002", "CON-DERBY-2")
        );
        let (status, report) = upload(app, &token, "practices", &two);
        assert_eq!(status, 200, "{report:#}");
        assert_eq!(
            (report["rows"].as_u64(), report["created"].as_u64(), report["applied"].as_bool()),
            (Some(2), Some(2), Some(true))
        );
        let (_, report) = upload(app, &token, "practices", &two);
        assert_eq!((report["created"].as_u64(), report["unchanged"].as_u64()), (Some(0), Some(2)), "idempotent");
        let renamed = two.replace("DERBY SMILES", "DERBY SMILES DENTAL");
        let (_, report) = upload(app, &token, "practices", &renamed);
        assert_eq!((report["updated"].as_u64(), report["unchanged"].as_u64()), (Some(1), Some(1)));

        // One bad row: nothing applies, every bad row is listed by line.
        let bad = format!(
            "{PRACTICES_HEADER}\n{}\n{}\n{}\n",
            practice_row("V70003", "NEW PRACTICE", "1-1000070003", "CON-NEW-3"),
            practice_row("V70004", "BAD POSTCODE", "1-1000070004", "CON-X").replace("DE1 3AA", "NOWHERE"),
            practice_row("V7", "BAD ODS", "1-10", "CON-Y"),
        );
        let (status, problem) = upload(app, &token, "practices", &bad);
        assert_problem(status, &problem, 422, "validation-failed");
        let pointers: Vec<_> = field_errors(&problem).into_iter().map(|(pointer, _)| pointer).collect();
        assert_eq!(pointers, ["/3/postcode", "/4/ods_code", "/4/cqc_location_id"]);
        assert_eq!(problem["report"]["applied"], false);
        let journey = Journey::start(app, answers(true, "email"));
        let (_, search) = send(journey.auth(app.get("/v1/practices")).query(&[("postcode", "DE1 3AA")]));
        let names: Vec<_> =
            search["candidates"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["DERBY DENTAL", "DERBY SMILES DENTAL"], "the bad file changed nothing");

        // An ODS code that belongs to another practice of record is a bad row too, not a 409
        // or a 5xx, and the file changes nothing.
        let taken = format!(
            "{PRACTICES_HEADER}\n{}\n{}\n",
            practice_row("V70006", "ANOTHER NEW PRACTICE", "1-1000070006", "CON-NEW-6"),
            practice_row("V70001", "NOT DERBY DENTAL", "1-1000070005", "CON-NEW-5"),
        );
        let (status, problem) = upload(app, &token, "practices", &taken);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/3/ods_code".to_owned(), "invalid_row".to_owned())], "{problem:#}");
        assert_eq!(problem["report"]["applied"], false);

        // An uploaded practice works at once for route A, with its contact id hashed.
        journey.identify_listed_practice("DE1 3AA", "DERBY DENTAL");
        let (status, _) = journey.post(
            "/verification",
            json!({"method": "cqc_contact_id", "cqc_location_id": "1-1000070001", "cqc_contact_id": "con-derby-1"}),
        );
        assert_eq!(status, 200);

        let cqc = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n\
                   DERBY NEW DENTAL,\"1 STATION ROAD, LITTLEOVER, DERBY\",DE23 6AA,Dental service,1-1000070099\n";
        let (status, report) = upload(app, &token, "cqc-locations", cqc);
        assert_eq!(status, 200, "{report:#}");
        assert_eq!(report["created"], 1);

        let db = app.database();
        let mut conn = db.get().unwrap();
        let events = persistence::audit::for_object(&mut conn, "reference_data", "practices").unwrap();
        assert_eq!(events.len(), 3, "one audit event per applied file");
        assert_eq!(events[0].actor_type, "admin");
    });
}

#[test]
fn uploads_refuse_unknown_datasets_other_media_types_and_oversized_files() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| config.max_upload_bytes = 2048);
        let token = app.helpdesk_token();
        let (status, problem) = upload(&app, &token, "dentists", "a\n");
        assert_problem(status, &problem, 404, "not-found");
        let (status, problem) = send(
            app.put("/v1/admin/reference-data/practices")
                .bearer_auth(&token)
                .header("Content-Type", "application/json")
                .body("{}"),
        );
        assert_problem(status, &problem, 415, "unsupported-media-type");
        let (status, problem) = upload(&app, &token, "practices", &"x".repeat(4096));
        assert_problem(status, &problem, 413, "payload-too-large");
        let (status, problem) = upload(&app, &token, "practices", "name,postcode\nX,SW19 4AB\n");
        assert_problem(status, &problem, 422, "validation-failed");
        assert!(
            field_errors(&problem).iter().all(|(pointer, _)| pointer.starts_with("/1/")),
            "missing columns are reported on line 1"
        );
    }
}

#[test]
fn uploads_refuse_direction_and_control_characters_in_addresses_row_by_row() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let row = practice_row("V91001", "MIRROR DENTAL", "1-1900000001", "")
            .replace("9 MARKET PLACE", "9 MARKET \u{202E}ECALP")
            .replace(",DERBY,", ",DER\u{7}BY,");
        let (status, problem) = upload(app, &token, "practices", &format!("{PRACTICES_HEADER}\n{row}\n"));
        assert_problem(status, &problem, 422, "validation-failed");
        let pointers: Vec<String> = field_errors(&problem).into_iter().map(|(pointer, _)| pointer).collect();
        assert_eq!(pointers, ["/2/address_line_1", "/2/town"]);
        assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("U+202E"), "{problem:#}");
        let mut conn = app.database().get().unwrap();
        let stored = persistence::reference::practice_by_location(&mut conn, "1-1900000001").unwrap();
        assert!(stored.is_none(), "nothing of the refused file was applied");
    });
}

/// A CQC directory of `rows` dental locations, the first at line 2.
fn cqc_directory(rows: usize, bad: impl Fn(usize) -> bool) -> String {
    let mut csv = String::from("Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n");
    for i in 0..rows {
        let postcode = if bad(i) { "NOPE" } else { "LS7 3AB" };
        csv.push_str(&format!(
            "DENTAL {i},\"{i} A ROAD, LEEDS\",{postcode},Dental service,1-{:010}\n",
            7_000_000_000u64 + i as u64
        ));
    }
    csv
}

#[test]
fn large_uploads_apply_whole_or_report_each_bad_row_once_with_a_capped_list_and_a_total() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        // Many bad rows: each reported once, the first 100 listed, all counted, nothing applied.
        let (status, problem) = upload(app, &token, "cqc-locations", &cqc_directory(1500, |i| i % 5 == 0));
        assert_problem(status, &problem, 422, "validation-failed");
        let pointers: Vec<String> = field_errors(&problem).into_iter().map(|(pointer, _)| pointer).collect();
        assert_eq!(pointers.len(), 100, "the list is capped");
        let expected: Vec<String> = (0..100).map(|n| format!("/{}/Postcode", n * 5 + 2)).collect();
        assert_eq!(pointers, expected, "in file order, each bad row once");
        assert_eq!(problem["report"]["errors_total"], 300);
        assert_eq!(problem["report"]["rows"], 1500);
        assert!(problem["report"].get("errors").is_none(), "the rows are not listed twice");
        assert!(problem["detail"].as_str().unwrap().contains("300 errors"), "{}", problem["detail"]);
        let db = app.database();
        let mut conn = db.get().unwrap();
        let good_row = persistence::reference::cqc_location(&mut conn, "1-7000000001").unwrap();
        assert!(good_row.is_none(), "nothing of the refused file was applied");

        // Values beyond the last heading would be lost: the row says so.
        let extra = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n\
                     EXTRA DENTAL,\"1 A ROAD, LEEDS\",LS7 3AB,Dental service,1-7100000001,surplus\n\
                     TRAILING DENTAL,\"2 A ROAD, LEEDS\",LS7 3AB,Dental service,1-7100000002,,\n";
        let (status, problem) = upload(app, &token, "cqc-locations", extra);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            field_errors(&problem),
            [("/2/".to_owned(), "invalid_row".to_owned())],
            "empty trailing cells are fine"
        );
        assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("1 value more than the 5 headings"));

        // A good file larger than a write batch is applied whole, in one audit event.
        let (status, report) = upload(app, &token, "cqc-locations", &cqc_directory(1500, |_| false));
        assert_eq!(status, 200, "{report:#}");
        assert_eq!((report["created"].as_u64(), report["errors_total"].as_u64()), (Some(1500), Some(0)));
        let (_, report) = upload(app, &token, "cqc-locations", &cqc_directory(1500, |_| false));
        assert_eq!(report["unchanged"], 1500, "the same file again changes nothing");

        // A bad last row, after 1499 changed rows that were written as they were read: still
        // nothing changes, and nothing that was written is left behind.
        let stored_rows = |conn: &mut persistence::DbConnection| -> i64 {
            use diesel::prelude::*;
            persistence::schema::cqc_locations::table.count().get_result(conn).unwrap()
        };
        let before = stored_rows(&mut conn);
        let changed = cqc_directory(1500, |i| i == 1499).replace("DENTAL ", "CHANGED ");
        let (status, problem) = upload(app, &token, "cqc-locations", &changed);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/1501/Postcode".to_owned(), "invalid_row".to_owned())]);
        let kept = persistence::reference::cqc_location(&mut conn, "1-7000000001").unwrap().unwrap();
        assert_eq!(kept.record.name, "DENTAL 1", "nothing of the refused file was applied");
        assert_eq!(stored_rows(&mut conn), before, "the rows written before the bad one are gone");
        let (status, report) = upload(app, &token, "cqc-locations", &changed.replace("NOPE", "LS7 3AB"));
        assert_eq!(status, 200, "{report:#}");
        assert_eq!((report["updated"].as_u64(), report["created"].as_u64()), (Some(1500), Some(0)));
        let changed = persistence::reference::cqc_location(&mut conn, "1-7000000001").unwrap().unwrap();
        assert_eq!(changed.record.name, "CHANGED 1");
        assert_eq!(stored_rows(&mut conn), before, "the rows the file replaced are deleted");
    });
}

#[test]
fn the_helpdesk_sees_every_scheduled_job_run_newest_first_a_page_at_a_time() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let use_cases = app.use_cases();
        actix_web::rt::System::new().block_on(async {
            for job in [
                app::scheduler::Job::ExpireDrafts,
                app::scheduler::Job::PruneAttempts,
                app::scheduler::Job::PruneAttempts,
            ] {
                app::scheduler::run_job(&use_cases, "replica@test:1", job).await.unwrap().expect("not held elsewhere");
            }
        });
        let (status, page) =
            send(app.get("/v1/admin/job-runs").bearer_auth(&token).query(&[("job", "prune_attempts"), ("limit", "1")]));
        assert_eq!(status, 200, "{page:#}");
        let first = &page["items"][0];
        assert_eq!((first["job"].as_str(), first["outcome"].as_str()), (Some("prune_attempts"), Some("succeeded")));
        assert_eq!(first["runner"], "replica@test:1");
        assert!(first["finished_at"].is_string());
        let cursor = page["next_cursor"].as_str().expect("a second prune run follows").to_owned();
        let (_, next) = send(
            app.get("/v1/admin/job-runs")
                .bearer_auth(&token)
                .query(&[("job", "prune_attempts"), ("cursor", cursor.as_str())]),
        );
        let later: Vec<&str> = next["items"].as_array().unwrap().iter().map(|r| r["job"].as_str().unwrap()).collect();
        assert!(!later.is_empty() && later.iter().all(|job| *job == "prune_attempts"), "{next:#}");
        assert_ne!(next["items"][0]["id"], first["id"], "the next page starts after the first");
        let (_, all) = send(app.get("/v1/admin/job-runs").bearer_auth(&token));
        assert!(all["items"].as_array().unwrap().iter().any(|r| r["job"] == "expire_drafts"));

        let (status, problem) = send(app.get("/v1/admin/job-runs").bearer_auth(&token).query(&[("job", "reboot")]));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/query/job".to_owned(), "invalid_value".to_owned())]);
        let (status, problem) =
            send(app.get("/v1/admin/job-runs").bearer_auth(&token).query(&[("limit", "0"), ("cursor", "bogus")]));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem).len(), 2);
        let (status, problem) = send(app.get("/v1/admin/job-runs"));
        assert_problem(status, &problem, 401, "unauthorized");
    });
}
