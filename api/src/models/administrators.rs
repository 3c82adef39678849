//! Helpdesk administrators as the contract shows them.

use app::helpdesk::administrators::Administrator;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A helpdesk administrator.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "username": "helpdesk.jane", "display_name": "Jane Helpdesk", "created_at": "2026-11-30T10:00:00Z", "disabled_at": null}))]
pub struct AdministratorView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    /// When they were disabled; null while they can sign in.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<Administrator> for AdministratorView {
    fn from(a: Administrator) -> Self {
        Self {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            created_at: a.created_at,
            disabled_at: a.disabled_at,
        }
    }
}

/// Every administrator, by username.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "username": "helpdesk.jane", "display_name": "Jane Helpdesk", "created_at": "2026-11-30T10:00:00Z", "disabled_at": null}]}))]
pub struct AdministratorList {
    pub items: Vec<AdministratorView>,
}

/// A new administrator. The password follows the policy (R-L2); pass it on by a separate channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "helpdesk.sam", "display_name": "Sam Helpdesk", "password": "copper lantern meadow violin"}))]
pub struct NewAdministrator {
    /// 3 to 64 letters, digits, dots, hyphens or underscores.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64)]
    pub username: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    #[schema(value_type = String, required = true, format = Password, min_length = 1, max_length = 1024)]
    pub password: Option<String>,
}
