//! Audit entries as a CSV file (RFC 4180: CRLF line ends, fields with a comma, quote or
//! line break quoted). A cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so opening the file
//! never runs anything a client typed (a case label, a name).

use super::view::AuditRow;
use crate::{domain::audit::action_label, error::AppError};

/// The header row.
const HEADER: [&str; 11] = [
    "occurred_at_utc",
    "actor",
    "action",
    "outcome",
    "case",
    "partner",
    "record_type",
    "record_id",
    "client_address",
    "session_ref",
    "entry_id",
];

/// A cell as a spreadsheet may open it: text that would start a formula gets a `'` first.
pub fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// The rows as CSV text with a header row.
pub fn to_csv(rows: &[AuditRow]) -> Result<String, AppError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let failed = |error: csv::Error| {
        tracing::error!(%error, "audit CSV could not be written");
        AppError::Internal
    };
    writer.write_record(HEADER).map_err(failed)?;
    for row in rows {
        let entry = &row.entry;
        let cells = [
            entry.occurred_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            row.actor.clone(),
            action_label(&entry.action),
            entry.outcome.as_str().to_owned(),
            row.case_label.clone().unwrap_or_default(),
            row.partner.clone().unwrap_or_default(),
            entry.record_type.clone(),
            entry.record_id.clone(),
            entry.client_address.clone().unwrap_or_default(),
            entry.session_ref.map(|id| id.to_string()).unwrap_or_default(),
            entry.id.to_string(),
        ];
        writer.write_record(cells.iter().map(|cell| defuse(cell))).map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|_| AppError::Internal)?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for cell in ["=1+2", "+SUM(A1)", "-3", "@cmd", "\tx"] {
            assert_eq!(defuse(cell), format!("'{cell}"));
        }
        assert_eq!(defuse("Alex"), "Alex");
        assert_eq!(defuse(""), "");
    }
}
