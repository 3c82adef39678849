//! Passcode mailshots (R-O7) as the contract shows them.

use app::mailshots::Mailshot;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The practices to send passcodes to: by ODS code or CQC location id, and/or every practice of
/// the register a filter picks (2000 at most in all).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"practices": ["V00101", "1-1002733005"], "filter": {"town": "Leeds"}}))]
pub struct NewMailshot {
    #[serde(default)]
    #[schema(schema_with = crate::schemas::practice_codes)]
    pub practices: Vec<String>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub filter: Option<MailshotFilter>,
}

/// Register practices in a town and/or a postcode district (both, when both are given).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailshotFilter {
    /// The town as the register has it, any case.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 60, nullable = false)]
    pub town: Option<String>,
    /// The postcode's outward code, e.g. `LS1`.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 4, pattern = r"^[A-Za-z0-9]{2,4}$", nullable = false)]
    pub postcode_district: Option<String>,
}

impl From<MailshotFilter> for app::mailshots::Filter {
    fn from(f: MailshotFilter) -> Self {
        Self { town: f.town, postcode_district: f.postcode_district }
    }
}

/// What happened to one practice.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MailshotItemView {
    /// The ODS code or CQC location id as given.
    pub requested: String,
    pub cqc_location_id: Option<String>,
    /// `pending` (not yet sent), `sent`, `refused` (the practice's limit, R-O5: `detail` says
    /// when the next can go) or `not_found`.
    pub outcome: String,
    pub detail: Option<String>,
}

/// A mailshot and, per practice, what was sent or why not.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "created_at": "2026-11-30T10:00:00Z", "finished_at": null, "total": 2, "pending": 1, "sent": 1, "refused": 0, "not_found": 0,
    "items": [{"requested": "V00101", "cqc_location_id": "1-1000000101", "outcome": "sent", "detail": "By post to the registered address."},
              {"requested": "1-1002733005", "cqc_location_id": "1-1002733005", "outcome": "pending", "detail": null}]}))]
pub struct MailshotView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    /// When every practice had been dealt with; null while some are pending.
    pub finished_at: Option<DateTime<Utc>>,
    pub total: usize,
    pub pending: usize,
    pub sent: usize,
    pub refused: usize,
    pub not_found: usize,
    /// In the order given (repeats once).
    pub items: Vec<MailshotItemView>,
}

impl From<Mailshot> for MailshotView {
    fn from(m: Mailshot) -> Self {
        let count = |outcome: &str| m.items.iter().filter(|i| i.outcome == outcome).count();
        Self {
            total: m.items.len(),
            pending: count("pending"),
            sent: count("sent"),
            refused: count("refused"),
            not_found: count("not_found"),
            id: m.id,
            created_at: m.created_at,
            finished_at: m.finished_at,
            items: m
                .items
                .into_iter()
                .map(|i| MailshotItemView {
                    requested: i.requested,
                    cqc_location_id: i.cqc_location_id,
                    outcome: i.outcome,
                    detail: i.detail,
                })
                .collect(),
        }
    }
}
