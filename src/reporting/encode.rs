//! CSV and NDJSON, the two forms of an export.
//!
//! CSV is UTF-8 with a byte-order mark (so that spreadsheet programs read Chinese text as
//! UTF-8), a header row of the column names, CRLF line ends and RFC 4180 quoting: a field with
//! a comma, a quote, CR or LF is quoted, quotes doubled. A text that begins with `=`, `+`, `-`,
//! `@`, a tab or CR would be taken for a formula by a spreadsheet; it is written with a leading
//! `'` (the usual guard against formula injection through exported text; NDJSON carries the
//! text as it is). NDJSON is one JSON object per line, keyed by column name.

use std::fmt::Write as _;

use super::{Cell, Column, Row};

/// The two forms of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    /// The form named by a file extension (`csv`, `ndjson`).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext {
            "csv" => Some(Format::Csv),
            "ndjson" => Some(Format::Ndjson),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Ndjson => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
        }
    }
}

/// The UTF-8 byte-order mark that begins every CSV export.
pub const BOM: &str = "\u{feff}";

/// What goes before the first row: the BOM and the header row for CSV, nothing for NDJSON.
pub fn head(format: Format, columns: &[Column]) -> String {
    match format {
        Format::Csv => {
            let mut out = String::from(BOM);
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_field(&mut out, c.name);
            }
            out.push_str("\r\n");
            out
        }
        Format::Ndjson => String::new(),
    }
}

/// Appends one row in `format`.
pub fn row(out: &mut String, format: Format, columns: &[Column], row: &Row) {
    match format {
        Format::Csv => {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match cell {
                    Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => push_field(out, &format!("'{s}")),
                    Cell::Text(s) => push_field(out, s),
                    other => scalar(out, other),
                }
            }
            out.push_str("\r\n");
        }
        Format::Ndjson => {
            out.push('{');
            for (i, (c, cell)) in columns.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, c.name);
                out.push(':');
                match cell {
                    Cell::Null => out.push_str("null"),
                    Cell::Text(s) => json_string(out, s),
                    Cell::Time(_) | Cell::Date(_) => {
                        let mut s = String::new();
                        scalar(&mut s, cell);
                        json_string(out, &s);
                    }
                    Cell::Num(n) if !n.is_finite() => out.push_str("null"),
                    other => scalar(out, other),
                }
            }
            out.push_str("}\n");
        }
    }
}

/// A cell that needs no quoting, as text.
fn scalar(out: &mut String, cell: &Cell) {
    let _ = match cell {
        Cell::Null => Ok(()),
        Cell::Int(n) => write!(out, "{n}"),
        Cell::Num(n) if n.is_finite() => write!(out, "{n}"),
        Cell::Num(_) => Ok(()),
        Cell::Bool(b) => write!(out, "{b}"),
        Cell::Time(t) => write!(out, "{}", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        Cell::Date(d) => write!(out, "{}", d.format("%Y-%m-%d")),
        Cell::Text(s) => {
            out.push_str(s);
            Ok(())
        }
    };
}

/// A CSV field, quoted when RFC 4180 asks for it.
fn push_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn json_string(out: &mut String, s: &str) {
    // serde_json writes a valid JSON string for every Rust string.
    out.push_str(&serde_json::Value::from(s).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporting::col;

    const COLUMNS: &[Column] = &[col("title", ""), col("n", ""), col("at", ""), col("none", "")];

    fn both(r: &Row) -> (String, String) {
        let mut csv = head(Format::Csv, COLUMNS);
        row(&mut csv, Format::Csv, COLUMNS, r);
        let mut nd = String::new();
        row(&mut nd, Format::Ndjson, COLUMNS, r);
        (csv, nd)
    }

    #[test]
    fn csv_quotes_as_rfc_4180_and_begins_with_a_bom() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T16:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
        let (csv, nd) = both(&vec![Cell::Text("摊位, \"占道\"\n第二行".into()), Cell::Int(-3), Cell::Time(at), Cell::Null]);
        assert_eq!(csv, "\u{feff}title,n,at,none\r\n\"摊位, \"\"占道\"\"\n第二行\",-3,2026-11-30T16:00:00Z,\r\n");
        assert_eq!(nd, "{\"title\":\"摊位, \\\"占道\\\"\\n第二行\",\"n\":-3,\"at\":\"2026-11-30T16:00:00Z\",\"none\":null}\n");
    }

    #[test]
    fn a_text_a_spreadsheet_would_run_is_guarded_in_csv_only() {
        let (csv, nd) = both(&vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Int(1), Cell::Null, Cell::Null]);
        assert!(csv.ends_with("\"'=HYPERLINK(\"\"x\"\")\",1,,\r\n"), "{csv}");
        assert!(nd.starts_with("{\"title\":\"=HYPERLINK"), "{nd}");
    }
}
