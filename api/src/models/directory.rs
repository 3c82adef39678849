//! The directory (R-L9) as the contract shows it: the query, people and shared mailboxes, a page
//! at a time.

use app::accounts::directory;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// At least 2 characters, any case: of a name, username or practice name (people), or of an
    /// address or practice name (shared mailboxes).
    #[param(required = true, example = "smith", min_length = 2, max_length = 100)]
    pub q: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(min_length = 1, max_length = 200, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
}

impl From<DirectoryQuery> for directory::Query {
    fn from(query: DirectoryQuery) -> Self {
        Self { text: query.q, cursor: query.cursor, limit: query.limit }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"username": "david.smith@nhs.net", "first_name": "David", "last_name": "Smith", "role": "dentist", "practice_name": "SAMPLE DENTAL CARE", "mobile": null}))]
pub struct PersonEntry {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Left out when no role is on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<crate::wire::Role>,
    pub practice_name: Option<String>,
    /// Shown only if its owner allowed it (R-L9), or to its owner.
    pub mobile: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PeoplePage {
    /// By username.
    pub items: Vec<PersonEntry>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "owners": ["david.smith@nhs.net"]}))]
pub struct MailboxEntry {
    pub address: String,
    pub practice_name: String,
    pub ods_code: String,
    /// The usernames of its owners (one or two), as they are now (R-R2).
    #[schema(example = json!(["david.smith@nhs.net"]))]
    pub owners: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MailboxPage {
    /// By address.
    pub items: Vec<MailboxEntry>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<directory::Page<directory::Person>> for PeoplePage {
    fn from(page: directory::Page<directory::Person>) -> Self {
        let items = page
            .items
            .into_iter()
            .map(|p| PersonEntry {
                username: p.username,
                first_name: p.first_name,
                last_name: p.last_name,
                role: p.role.map(Into::into),
                practice_name: p.practice_name,
                mobile: p.mobile,
            })
            .collect();
        Self { items, next_cursor: page.next_cursor }
    }
}

impl From<directory::Page<directory::Mailbox>> for MailboxPage {
    fn from(page: directory::Page<directory::Mailbox>) -> Self {
        let items = page
            .items
            .into_iter()
            .map(|m| MailboxEntry {
                address: m.address,
                practice_name: m.practice_name,
                ods_code: m.ods_code,
                owners: m.owners,
            })
            .collect();
        Self { items, next_cursor: page.next_cursor }
    }
}
