//! The audit trail and the log keep ids and kinds of change, never a person's values: after
//! every black-box test, each value of each audit event, and each log line written while the test
//! ran (in the JSON format), is compared with every personal value the database holds (members,
//! accounts, message recipients, registered managers' emails), and none may hold an email address
//! other than a practice's shared mailbox.

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

/// The personal values a database holds, to look for elsewhere.
pub struct PersonalValues {
    /// First and last names, matched as whole words.
    names: BTreeSet<String>,
    /// Emails, mobiles and usernames, matched anywhere in lower case.
    distinctive: BTreeSet<String>,
    /// Shared mailbox addresses: a practice's, not a person's.
    mailboxes: BTreeSet<String>,
}

impl PersonalValues {
    pub fn read(database: &persistence::Database) -> Self {
        let mut conn = database.get().expect("a connection");
        let (names, distinctive) = personal_values(&mut conn);
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
        Self { names, distinctive, mailboxes }
    }

    /// Whether `text` holds a person's value, or any email address but a shared mailbox's.
    pub fn found_in(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        let foreign_address = lower
            .split(|c: char| c.is_whitespace() || "\"'<>(),;".contains(c))
            // A URL's user (`postgres://user:***@host`) is not an email address.
            .any(|word| {
                word.contains('@') && !word.contains("://") && !self.mailboxes.contains(word.trim_matches('.'))
            });
        foreign_address
            || self.distinctive.iter().any(|value| lower.contains(value.as_str()))
            || text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-').any(|word| self.names.contains(word))
    }
}

/// Panics naming each audit event that holds a personal value.
pub fn assert_audit_holds_no_personal_values(database: &persistence::Database) {
    let values = PersonalValues::read(database);
    let mut conn = database.get().expect("a connection");
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
        found.extend(texts.into_iter().filter(|text| values.found_in(text)).map(|text| format!("{action}: {text}")));
    }
    assert!(found.is_empty(), "the audit trail holds personal values: {found:#?}");
}

/// Panics naming each log line that holds a personal value of `database`.
pub fn assert_log_holds_no_personal_values(database: &persistence::Database, lines: &[String]) {
    let values = PersonalValues::read(database);
    let found: Vec<&String> = lines.iter().filter(|line| values.found_in(line)).collect();
    assert!(found.is_empty(), "the log holds personal values: {found:#?}");
}
