//! Reports of reference-data imports (the practice register and the CQC directory), as the
//! helpdesk upload and the command line give them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ImportReport, example = json!({"dataset": "cqc-locations", "rows": 5, "created": 4, "updated": 1, "unchanged": 0, "applied": true, "errors_total": 0, "ignored_columns": ["Phone number", "Region"]}))]
pub struct ImportReportView {
    pub dataset: crate::wire::Dataset,
    /// Data rows read (headings and any title lines above them excluded), whether or not the
    /// file was applied.
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// False when any row was bad: then nothing was changed.
    pub applied: bool,
    /// How many errors the file has. A refusal lists the first 100 in the problem's `errors`,
    /// each with the pointer `/<line>/<column>`.
    pub errors_total: usize,
    /// Headings in the file this format does not use: their columns were not read.
    pub ignored_columns: Vec<String>,
}

impl From<&app::reference::ImportReport> for ImportReportView {
    fn from(report: &app::reference::ImportReport) -> Self {
        Self {
            dataset: report.dataset.into(),
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            applied: report.applied,
            errors_total: report.errors_total,
            ignored_columns: report.ignored_columns.clone(),
        }
    }
}
