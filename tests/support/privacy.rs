//! The audit trail keeps ids and kinds of change, never a person's values: after every black-box
//! test, each value of each audit event is compared with every personal value the database holds
//! (members, accounts, message recipients, registered managers' emails), and none may hold an
//! email address other than a practice's shared mailbox.

use diesel::prelude::*;
use persistence::schema::{
    accounts, applications, audit_events, members, outbox_messages, practices, shared_mailboxes,
};
use serde_json::Value;
use std::collections::BTreeSet;

/// The text leaves of a JSON value.
fn leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| leaves(item, out)),
        Value::Object(map) => map.values().for_each(|item| leaves(item, out)),
        _ => {}
    }
}

/// Every personal value stored now: names (matched as whole words) and contact details and
/// usernames (matched anywhere, in lower case).
fn personal_values(conn: &mut persistence::DbConnection) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut names = BTreeSet::new();
    let mut distinctive = BTreeSet::new();
    let people: Vec<(String, String, String, String)> = members::table
        .select((members::first_name, members::last_name, members::email, members::mobile))
        .load(conn)
        .expect("members");
    for (first, last, email, mobile) in people {
        names.extend([first, last]);
        distinctive.extend([email, mobile]);
    }
    type AccountValues = (String, Option<String>, Option<String>, Option<String>, Option<String>);
    let holders: Vec<AccountValues> = accounts::table
        .select((accounts::username, accounts::first_name, accounts::last_name, accounts::email, accounts::mobile))
        .load(conn)
        .expect("accounts");
    for (username, first, last, email, mobile) in holders {
        names.extend(first.into_iter().chain(last));
        distinctive.extend([username].into_iter().chain(email).chain(mobile));
    }
    distinctive.extend(outbox_messages::table.select(outbox_messages::recipient).load::<String>(conn).expect("outbox"));
    distinctive.extend(
        practices::table
            .select(practices::registered_manager_email)
            .load::<Option<String>>(conn)
            .expect("practices")
            .into_iter()
            .flatten(),
    );
    let distinctive = distinctive.into_iter().map(|v| v.to_lowercase()).filter(|v| v.len() >= 6).collect();
    (names, distinctive)
}

/// Panics naming each audit event that holds a personal value.
pub fn assert_audit_holds_no_personal_values(database: &persistence::Database) {
    let mut conn = database.get().expect("a connection");
    let (names, distinctive) = personal_values(&mut conn);
    // A practice's shared mailbox address is the practice's, not a person's.
    let mut mailboxes: BTreeSet<String> = shared_mailboxes::table
        .select(shared_mailboxes::address)
        .load(&mut conn)
        .expect("mailboxes")
        .into_iter()
        .collect();
    mailboxes.extend(
        applications::table
            .select(applications::mailbox_address)
            .load::<Option<String>>(&mut conn)
            .expect("applications")
            .into_iter()
            .flatten(),
    );
    type Event = (String, Option<String>, Option<String>, String);
    let events: Vec<Event> = audit_events::table
        .select((audit_events::action, audit_events::actor_id, audit_events::object_id, audit_events::details))
        .load(&mut conn)
        .expect("audit events");
    let mut found = Vec::new();
    for (action, actor, object, details) in events {
        let mut texts = Vec::new();
        leaves(&serde_json::from_str(&details).unwrap_or(Value::String(details.clone())), &mut texts);
        texts.extend(actor.into_iter().chain(object));
        for text in texts {
            let lower = text.to_lowercase();
            let words = text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
            if (lower.contains('@') && !mailboxes.contains(&lower))
                || distinctive.iter().any(|value| lower.contains(value.as_str()))
                || words.into_iter().any(|word| names.contains(word))
            {
                found.push(format!("{action}: {text}"));
            }
        }
    }
    assert!(found.is_empty(), "the audit trail holds personal values: {found:#?}");
}
