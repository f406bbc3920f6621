//! `record.json`, written as the records arrive: the header's fields, then each list as a
//! JSON array, one element at a time.

use super::{
    schema::{Header, Item, Section},
    Emit,
};
use std::io::{self, Write};

/// Writes `record.json`.
#[derive(Debug, Default)]
pub struct JsonOut {
    /// Whether a list is open, and whether it has an element yet.
    open: Option<bool>,
}

impl Emit for JsonOut {
    fn begin(&mut self, out: &mut impl Write, header: &Header) -> io::Result<()> {
        // The header is one JSON object; the lists follow as further fields of it, so its
        // closing brace is left off here and written by `end`.
        let mut head = serde_json::to_vec(header)?;
        head.pop();
        out.write_all(&head)
    }

    fn section(&mut self, out: &mut impl Write, section: Section) -> io::Result<()> {
        if self.open.is_some() {
            out.write_all(b"]")?;
        }
        self.open = Some(false);
        write!(out, ",\"{}\":[", section.key())
    }

    fn item(&mut self, out: &mut impl Write, item: &Item) -> io::Result<()> {
        if self.open == Some(true) {
            out.write_all(b",")?;
        }
        self.open = Some(true);
        serde_json::to_writer(&mut *out, item)?;
        Ok(())
    }

    fn end(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.open.take().is_some() {
            out.write_all(b"]")?;
        }
        out.write_all(b"}\n")
    }
}
