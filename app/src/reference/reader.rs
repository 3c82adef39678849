//! Reading a reference-data CSV file row by row, whatever its size: the line of headings found
//! below any title block, columns matched by name in any order and case, each row checked by a
//! [`Format`], every error counted and the first [`MAX_LISTED_ERRORS`] kept.

use super::RowError;
use crate::secrets::Hasher;
use std::collections::{BTreeSet, HashMap};
use std::io::Read;

/// Headings are looked for in the first lines of a file, below any title block a publisher
/// puts above them (the CQC's directory has one).
const HEADING_SEARCH_LINES: usize = 20;

/// A column a format knows: the name reports use, the headings that mean it (compared in lower
/// case, with spaces collapsed), and whether a file must have it.
pub struct Column {
    pub name: &'static str,
    pub headings: &'static [&'static str],
    pub required: bool,
}

/// The columns of a file: where each known column is, how many headings there are, and the
/// headings the format does not know (reported, not silently dropped).
pub struct Columns {
    found: HashMap<&'static str, usize>,
    width: usize,
    pub ignored: Vec<String>,
}

impl Columns {
    pub fn get(&self, name: &str) -> Option<usize> {
        self.found.get(name).copied()
    }

    /// The name reports use for the column at `index`; `None` for a column the format ignores.
    fn name_at(&self, index: usize) -> Option<&'static str> {
        self.found.iter().find(|(_, at)| **at == index).map(|(name, _)| *name)
    }

    /// The index of a column the format requires (present once the headings are accepted).
    pub fn required(&self, name: &str) -> usize {
        self.get(name).unwrap_or_default()
    }
}

/// Errors found in a file: the first [`MAX_LISTED_ERRORS`] listed, every one counted, so a file
/// with a million bad rows gets a useful answer of bounded size.
#[derive(Debug, Default)]
pub struct Findings {
    pub listed: Vec<RowError>,
    pub total: usize,
}

/// How many errors a report lists; the rest are counted.
pub const MAX_LISTED_ERRORS: usize = 100;

impl Findings {
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED_ERRORS {
            self.listed.push(error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// What a read of the whole file found besides its records.
#[derive(Debug, Default)]
pub struct Scan {
    /// Data rows read (blank rows, headings and title lines excluded).
    pub rows: usize,
    pub ignored_columns: Vec<String>,
}

fn heading(cell: &str) -> String {
    cell.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn read_failure(error: &csv::Error) -> RowError {
    RowError {
        line: error.position().map_or(0, csv::Position::line),
        column: None,
        message: match error.kind() {
            csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text; save the file as UTF-8 CSV".to_owned(),
            _ => "cannot be read as CSV".to_owned(),
        },
    }
}

/// Reads one record; a row that is not text or not CSV is reported and skipped, a failure of
/// the file itself is returned.
fn next_record<R: Read>(
    reader: &mut csv::Reader<R>,
    findings: &mut Findings,
) -> Result<Option<(u64, csv::StringRecord)>, std::io::Error> {
    loop {
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(None),
            Ok(true) => return Ok(Some((record.position().map_or(0, csv::Position::line), record))),
            Err(error) if error.is_io_error() => {
                if let csv::ErrorKind::Io(io) = error.into_kind() {
                    return Err(io);
                }
                return Err(std::io::Error::other("the file could not be read"));
            }
            Err(error) => findings.push(read_failure(&error)),
        }
    }
}

/// Finds the line of headings among the first lines of the file, below any title block.
fn find_headings<R: Read>(
    reader: &mut csv::Reader<R>,
    layout: &[Column],
    findings: &mut Findings,
) -> Result<Option<Columns>, std::io::Error> {
    let required: Vec<&Column> = layout.iter().filter(|c| c.required).collect();
    let found = |record: &csv::StringRecord, column: &Column| {
        record.iter().position(|cell| column.headings.contains(&heading(cell).as_str()))
    };
    let score = |record: &csv::StringRecord| required.iter().filter(|c| found(record, c).is_some()).count();
    let mut best: Option<(usize, u64, csv::StringRecord)> = None;
    for _ in 0..HEADING_SEARCH_LINES {
        let Some((line, record)) = next_record(reader, findings)? else { break };
        let points = score(&record);
        if points == required.len() {
            let columns = layout.iter().filter_map(|c| found(&record, c).map(|index| (c.name, index))).collect();
            let ignored = record
                .iter()
                .filter(|cell| !cell.trim().is_empty())
                .filter(|cell| !layout.iter().any(|c| c.headings.contains(&heading(cell).as_str())))
                .map(|cell| cell.trim_start_matches('\u{feff}').trim().to_owned())
                .collect();
            return Ok(Some(Columns { found: columns, width: record.len(), ignored }));
        }
        if best.as_ref().is_none_or(|(most, _, _)| points > *most) {
            best = Some((points, line, record));
        }
    }
    // Report against the line that comes closest, naming every heading it lacks.
    let line = best.as_ref().map_or(1, |(_, line, _)| *line);
    for column in required.iter().filter(|c| best.as_ref().is_none_or(|(_, _, record)| found(record, c).is_none())) {
        findings.push(RowError {
            line,
            column: Some(column.name.to_owned()),
            message: format!(
                "the heading `{}` is missing: headings are looked for in the first {HEADING_SEARCH_LINES} lines, and line {line} has the most of them",
                column.name
            ),
        });
    }
    Ok(None)
}

/// A reference-data format: its columns, and how one row becomes a record.
pub trait Format {
    type Record;
    const COLUMNS: &'static [Column];
    /// The record of a good row; a bad row's errors are added to `row`.
    fn record(row: &mut Row<'_>, columns: &Columns, hasher: &Hasher) -> Option<Self::Record>;
}

/// The values seen so far in columns that must be unique within a file, each kept as a 128-bit
/// digest (16 bytes, whatever the value's length; a collision is beyond any file's reach).
pub type Seen = HashMap<&'static str, BTreeSet<u128>>;

fn digest(value: &str) -> u128 {
    use sha2::Digest;
    let full = sha2::Sha256::digest(value.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&full[..16]);
    u128::from_le_bytes(first)
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark, any line endings) row by row:
/// finds the headings, checks each data row and hands each good record to `each`. Holds one row
/// at a time, whatever the size of the file. Errors of the file's content go to `findings`.
pub fn scan<F: Format, R: Read, E: From<std::io::Error>>(
    source: R,
    hasher: &Hasher,
    findings: &mut Findings,
    mut seen: Option<&mut Seen>,
    mut each: impl FnMut(u64, F::Record, &mut Findings) -> Result<(), E>,
) -> Result<Scan, E> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).trim(csv::Trim::All).flexible(true).from_reader(source);
    let Some(columns) = find_headings(&mut reader, F::COLUMNS, findings)? else {
        return Ok(Scan::default());
    };
    let mut rows = 0;
    while let Some((line, record)) = next_record(&mut reader, findings)? {
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows += 1;
        let mut row = Row { line, record: &record, errors: findings, seen: seen.as_deref_mut() };
        if record.iter().skip(columns.width).any(|cell| !cell.is_empty()) {
            let extra = record.len() - columns.width;
            row.errors.push(RowError {
                line,
                column: None,
                message: format!(
                    "has {} more than the {} headings name; the extra values would be lost",
                    domain::text::quantity(u64::try_from(extra).unwrap_or(u64::MAX), "value"),
                    columns.width
                ),
            });
        }
        for (index, cell) in record.iter().enumerate() {
            if let (Err(hidden), Some(column)) = (domain::text::visible_text(cell), columns.name_at(index)) {
                row.fail(column, hidden.to_string());
            }
        }
        if let Some(parsed) = F::record(&mut row, &columns, hasher) {
            each(line, parsed, findings)?;
        }
    }
    Ok(Scan { rows, ignored_columns: columns.ignored })
}

/// Checks a whole file without keeping its records: every bad row and every value repeated
/// where it must be unique.
pub fn check<F: Format, R: Read>(source: R, hasher: &Hasher, findings: &mut Findings) -> std::io::Result<Scan> {
    let mut seen = Seen::new();
    scan::<F, R, std::io::Error>(source, hasher, findings, Some(&mut seen), |_, _, _| Ok(()))
}

/// What a parse of a file held in memory gives: its records, or every error of a bad one.
pub struct Parsed<T> {
    pub records: Vec<(u64, T)>,
    pub rows: usize,
    pub ignored_columns: Vec<String>,
    pub errors: Vec<RowError>,
}

/// Parses a small file held in memory (the sample data, tests) in one go.
pub fn parse<F: Format>(bytes: &[u8], hasher: &Hasher) -> Parsed<F::Record> {
    let mut findings = Findings::default();
    let mut records = Vec::new();
    let scan = check::<F, _>(bytes, hasher, &mut findings).and_then(|_| {
        scan::<F, _, std::io::Error>(bytes, hasher, &mut Findings::default(), None, |line, record, _| {
            records.push((line, record));
            Ok(())
        })
    });
    let scan = scan.unwrap_or_default();
    Parsed { records, rows: scan.rows, ignored_columns: scan.ignored_columns, errors: findings.listed }
}

/// Collects the errors of one row.
pub struct Row<'a> {
    line: u64,
    record: &'a csv::StringRecord,
    errors: &'a mut Findings,
    /// Present while a file is checked.
    seen: Option<&'a mut Seen>,
}

impl Row<'_> {
    /// Reports `value` if an earlier row had it in `column`, which must be unique in the file.
    pub fn unique(&mut self, column: &'static str, value: &str) {
        let Some(seen) = self.seen.as_deref_mut() else { return };
        if !seen.entry(column).or_default().insert(digest(value)) {
            self.fail(column, format!("`{value}` appears more than once in the file"));
        }
    }

    /// The trimmed value in Unicode form NFC, `None` when empty. (A value with a hidden
    /// character has already failed the row; it is kept as it is for the other checks.)
    pub fn text(&self, index: Option<usize>) -> Option<String> {
        let value = index.and_then(|i| self.record.get(i)).map(str::trim).filter(|v| !v.is_empty())?;
        Some(domain::text::visible_text(value).unwrap_or_else(|_| value.to_owned()))
    }

    pub fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError { line: self.line, column: Some(column.to_owned()), message: message.into() });
    }

    pub fn required(&mut self, column: &str, index: usize) -> Option<String> {
        let value = self.text(Some(index));
        if value.is_none() {
            self.fail(column, "is required");
        }
        value
    }

    pub fn parsed<T, E: std::fmt::Display>(
        &mut self,
        column: &str,
        index: usize,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let value = self.text(Some(index)).unwrap_or_default();
        match parse(&value) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                self.fail(column, e.to_string());
                None
            }
        }
    }
}
