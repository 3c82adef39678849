//! The directory (R-L9): account holders look up people and shared mailboxes, a page at a time.
//! A mobile number is shown only where its owner allowed it, or to its owner. A page costs the
//! same few queries whatever its size.

use super::authenticate;
use crate::{App, Caller, Error, FieldError, Validator, paging};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ProblemCode;
use domain::account::SessionScope;
use domain::member::Role;
use persistence::account_life;

/// A directory query as sent; every parameter is checked.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub text: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A page of results and where the next starts (`None` on the last page).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A person in the directory.
#[derive(Debug, Clone)]
pub struct Person {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<Role>,
    pub practice_name: Option<String>,
    /// Only if its owner allowed it, or to its owner.
    pub mobile: Option<String>,
}

/// A shared mailbox in the directory.
#[derive(Debug, Clone)]
pub struct Mailbox {
    pub address: String,
    pub practice_name: String,
    pub ods_code: String,
    /// The owners' usernames, as they are now.
    pub owners: Vec<String>,
}

/// A checked query: the search text, the page size and where the page starts.
struct Search {
    text: String,
    limit: i64,
    after: Option<String>,
}

/// A cursor is the sort key of the last entry shown: a username or a mailbox address.
fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

fn decode_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok().filter(|key| !key.is_empty())
}

impl Query {
    /// Checks every parameter, reporting all that fail at once.
    fn check(&self) -> Result<Search, Error> {
        let mut v = Validator::new();
        let text = self.text.as_deref().map(str::trim).unwrap_or_default().to_owned();
        if text.chars().count() < 2 {
            let detail = "Search with at least 2 characters.";
            v.push(FieldError::new("/query/q", ProblemCode::QueryTooShort, Some("R-L9"), detail));
        }
        let limit = paging::limit(&mut v, self.limit);
        let after = paging::after(&mut v, self.cursor.as_deref(), decode_cursor);
        v.finish(|| Some(Search { text, limit, after }))
    }
}

/// Active account holders whose name or username contains the text, by username.
pub async fn people(app: &App, caller: &Caller, query: Query) -> Result<Page<Person>, Error> {
    let caller = caller.clone();
    app.run(move |conn, app| {
        let holder = authenticate(conn, app, &caller)?;
        holder.require(&[SessionScope::Full])?;
        let search = query.check()?;
        let mut found = account_life::search_people(conn, &search.text, search.after.as_deref(), search.limit + 1)?;
        let next_cursor = paging::cut(&mut found, search.limit, |person| encode_cursor(&person.username));
        let applications: Vec<String> = found.iter().filter_map(|p| p.application_id.clone()).collect();
        let practices = account_life::practice_names_for(conn, &applications)?;
        let items = found
            .into_iter()
            .map(|person| Person {
                practice_name: person.application_id.as_ref().and_then(|id| practices.get(id)).cloned(),
                mobile: (person.mobile_visible || person.id == holder.account_id).then_some(person.mobile).flatten(),
                role: person.role.as_deref().and_then(|r| Role::parse(r).ok()),
                username: person.username,
                first_name: person.first_name,
                last_name: person.last_name,
            })
            .collect();
        Ok(Page { items, next_cursor })
    })
    .await
}

/// Shared mailboxes whose address or practice name contains the text, by address.
pub async fn mailboxes(app: &App, caller: &Caller, query: Query) -> Result<Page<Mailbox>, Error> {
    let caller = caller.clone();
    app.run(move |conn, app| {
        authenticate(conn, app, &caller)?.require(&[SessionScope::Full])?;
        let search = query.check()?;
        let mut found = account_life::search_mailboxes(conn, &search.text, search.after.as_deref(), search.limit + 1)?;
        let next_cursor = paging::cut(&mut found, search.limit, |mailbox| encode_cursor(&mailbox.address));
        let ids: Vec<String> = found.iter().map(|m| m.id.clone()).collect();
        let mut owners = std::collections::HashMap::<String, Vec<String>>::new();
        for (mailbox, username) in persistence::mailboxes::owners_of(conn, &ids)? {
            owners.entry(mailbox).or_default().push(username);
        }
        let items = found
            .into_iter()
            .map(|m| Mailbox {
                owners: owners.remove(&m.id).unwrap_or_default(),
                address: m.address,
                practice_name: m.practice_name,
                ods_code: m.ods_code,
            })
            .collect();
        Ok(Page { items, next_cursor })
    })
    .await
}
