//! Leavers (R-L5), in simulated time: an owner or admin marks someone of the practice as a
//! leaver; at once their sessions end and they lose their access and rights; they are told; the
//! account is deleted and erased after the grace period. An owner who leaves leaves the practice
//! needing an owner until the helpdesk assigns one, never a third. Only owners mark owners; others
//! see nothing.

use crate::account_life::{every_stored_value, run_job};
use crate::accounts::{NEW_PASSWORD, call, sign_in};
use crate::mailboxes::{access_only, another_practice_owner, code, mailbox_id, of, rights, three_signed_in};
use app::scheduler::Job;
use blackbox::{TestApp, assert_problem, field_errors, on_each_backend, send};
use chrono::Duration;
use serde_json::{Value, json};

fn leaver_emails(app: &TestApp, to: &str) -> usize {
    let deadline = std::time::Instant::now() + blackbox::DELIVERY_WAIT;
    loop {
        app.dispatch();
        let count = app.outbox().iter().filter(|m| m["template"] == "leaver_email" && m["to"] == to).count();
        if count > 0 || std::time::Instant::now() > deadline {
            return count;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn r_l5_a_leaver_is_signed_out_loses_access_is_told_and_is_erased_after_the_grace_period() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let (david, efan) = (&members[0], &members[2]);
        let id = mailbox_id(app, &tokens[0]);
        access_only(app, &tokens[0], &id, efan);

        let leavers = format!("/v1/account/mailboxes/{id}/leavers");
        let (status, mailbox) = call(app, "POST", &leavers, &tokens[0], json!({"account_id": efan.id}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(!rights(&mailbox).iter().any(|(u, _, _)| *u == efan.username), "access gone: {mailbox:#}");
        assert_eq!(rights(&mailbox)[0], of(david, true, true));
        let (status, _) = call(app, "GET", "/v1/account/me", &tokens[2], Value::Null);
        assert_eq!(status, 401, "his sessions ended at once");
        assert_eq!(leaver_emails(app, "efan@domaim.com"), 1);
        let (status, again) = call(app, "POST", &leavers, &tokens[0], json!({"account_id": efan.id}));
        assert_eq!(status, 200, "safe to repeat: {again:#}");

        // Within the grace period he can still sign in (to save what he needs), with no practice.
        app.clock.advance(Duration::days(29));
        run_job(app, Job::AccountInactivity);
        let (status, session) = sign_in(app, &efan.username, NEW_PASSWORD);
        assert_eq!(status, 201, "{session:#}");
        assert_eq!(leaver_emails(app, "efan@domaim.com"), 1, "told once");

        // After it, deleted and erased.
        app.clock.advance(Duration::days(2));
        run_job(app, Job::AccountInactivity);
        let (status, problem) = sign_in(app, &efan.username, NEW_PASSWORD);
        assert_eq!((status, code(&problem)), (401, "invalid_credentials"));
        let left: Vec<_> = every_stored_value(app)
            .into_iter()
            .filter(|(table, v)| {
                v.contains("efan@domaim.com") || (v.contains("Williamson") && table != "outbox_messages")
            })
            .collect();
        assert!(left.iter().all(|(table, _)| table == "outbox_messages"), "{left:?}");
        let owner = crate::accounts::token(&sign_in(app, &david.username, NEW_PASSWORD).1);
        let (_, mailbox) = call(app, "GET", &format!("/v1/account/mailboxes/{id}"), &owner, Value::Null);
        assert_eq!(rights(&mailbox).len(), rights(&mailbox).iter().filter(|(u, _, _)| *u != efan.username).count());
    });
}

#[test]
fn r_l5_an_owner_who_leaves_leaves_the_practice_needing_an_owner_until_the_helpdesk_assigns_one() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let (david, sarah, efan) = (&members[0], &members[1], &members[2]);
        let id = mailbox_id(app, &tokens[0]);
        access_only(app, &tokens[0], &id, sarah);
        let path = format!("/v1/account/mailboxes/{id}");

        // Sarah, with access only, cannot mark anyone; made admin, she still cannot mark the owner.
        let (status, problem) =
            call(app, "POST", &format!("{path}/leavers"), &tokens[1], json!({"account_id": efan.id}));
        assert_problem(status, &problem, 403, "forbidden");
        assert_eq!(code(&problem), "mailbox_admin_required");
        let sarah_path = format!("{path}/members/{}", sarah.id);
        assert_eq!(call(app, "PATCH", &sarah_path, &tokens[0], json!({"is_admin": true})).0, 200);
        let (status, problem) =
            call(app, "POST", &format!("{path}/leavers"), &tokens[1], json!({"account_id": david.id}));
        assert_problem(status, &problem, 403, "forbidden");
        assert_eq!(code(&problem), "mailbox_owner_required");
        // Another practice's owner sees nothing.
        let stranger = another_practice_owner(app);
        let (status, problem) =
            call(app, "POST", &format!("{path}/leavers"), &stranger, json!({"account_id": efan.id}));
        assert_problem(status, &problem, 404, "not-found");

        // The only owner leaves: the practice needs an owner.
        let (status, mailbox) =
            call(app, "POST", &format!("{path}/leavers"), &tokens[0], json!({"account_id": david.id}));
        assert_eq!(status, 200, "{mailbox:#}");
        let (status, mailbox) = call(app, "GET", &path, &tokens[1], Value::Null);
        assert_eq!(status, 200, "{mailbox:#}");
        assert_eq!(mailbox["needs_owner"], true);
        assert!(rights(&mailbox).iter().all(|(_, owner, _)| !owner), "{mailbox:#}");

        // The helpdesk assigns one from the practice's members, never the leaver.
        let helpdesk = app.helpdesk_token();
        let owners = format!("/v1/admin/mailboxes/{id}/owners");
        let assign =
            |account: &str| send(app.post(&owners).bearer_auth(&helpdesk).json(&json!({"account_id": account})));
        let (status, problem) = assign(&david.id);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/account_id".to_owned(), "not_found".to_owned())]);
        let (status, mailbox) = assign(&sarah.id);
        assert_eq!(status, 200, "{mailbox:#}");
        assert_eq!(mailbox["needs_owner"], false);
        assert!(rights(&mailbox).contains(&of(sarah, true, true)));
        let (status, mailbox) = assign(&efan.id);
        assert_eq!(status, 200, "a member of the practice without access: {mailbox:#}");
        assert!(rights(&mailbox).contains(&of(efan, true, true)));
        let (status, again) = assign(&efan.id);
        assert_eq!(status, 200, "safe to repeat: {again:#}");
        let (status, mailbox) = call(app, "GET", &path, &tokens[1], Value::Null);
        assert_eq!((status, mailbox["is_owner"].as_bool()), (200, Some(true)));

        // The helpdesk changes the owner: Efan's owner rights go (he keeps admin rights); Sarah,
        // then the last owner, keeps hers.
        let remove = |account: &str| send(app.delete(&format!("{owners}/{account}")).bearer_auth(&helpdesk));
        let (status, mailbox) = remove(&efan.id);
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&of(efan, false, true)), "{mailbox:#}");
        let (status, problem) = remove(&sarah.id);
        assert_eq!((status, code(&problem)), (409, "only_owner"));
        assert_eq!(remove(&efan.id).0, 200, "safe to repeat");
        let (status, mailbox) = assign(&efan.id);
        assert_eq!(status, 200, "{mailbox:#}");
        assert_eq!(crate::mailboxes::access_emails(app, "sarahj@emaildomain.co.uk", 3), 3, "linked, admin, owner");

        // The helpdesk marks a leaver too; the first marking stands.
        let (status, leaver) = send(app.post(&format!("/v1/admin/accounts/{}/leaver", efan.id)).bearer_auth(&helpdesk));
        assert_eq!(status, 200, "{leaver:#}");
        let since = chrono::DateTime::parse_from_rfc3339(leaver["leaver_since"].as_str().unwrap()).unwrap();
        let after = chrono::DateTime::parse_from_rfc3339(leaver["deleted_after"].as_str().unwrap()).unwrap();
        assert_eq!(after - since, Duration::days(30));
        app.clock.advance(Duration::days(1));
        let helpdesk = app.helpdesk_token();
        let (_, again) = send(app.post(&format!("/v1/admin/accounts/{}/leaver", efan.id)).bearer_auth(&helpdesk));
        assert_eq!(again["leaver_since"], leaver["leaver_since"]);
        let (status, problem) =
            send(app.post("/v1/admin/accounts/00000000-0000-0000-0000-000000000000/leaver").bearer_auth(&helpdesk));
        assert_problem(status, &problem, 404, "not-found");
    });
}

#[test]
fn r_r2_the_helpdesk_cannot_assign_a_third_owner() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let (sarah, efan) = (&members[1], &members[2]);
        let id = mailbox_id(app, &tokens[0]);
        let path = format!("/v1/account/mailboxes/{id}");
        access_only(app, &tokens[0], &id, sarah);
        let (status, mailbox) =
            call(app, "PATCH", &format!("{path}/members/{}", sarah.id), &tokens[0], json!({"is_owner": true}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert_eq!(rights(&mailbox).iter().filter(|(_, owner, _)| *owner).count(), 2, "{mailbox:#}");

        let helpdesk = app.helpdesk_token();
        let owners = format!("/v1/admin/mailboxes/{id}/owners");
        let (status, problem) = send(app.post(&owners).bearer_auth(&helpdesk).json(&json!({"account_id": efan.id})));
        assert_eq!((status, code(&problem)), (409, "too_many_owners"), "{problem:#}");
        assert_problem(status, &problem, 409, "conflict");
        let (_, mailbox) = call(app, "GET", &path, &tokens[0], Value::Null);
        assert!(!rights(&mailbox).contains(&of(efan, true, true)), "nothing changed: {mailbox:#}");
        assert_eq!(rights(&mailbox).iter().filter(|(_, owner, _)| *owner).count(), 2, "{mailbox:#}");
    });
}
