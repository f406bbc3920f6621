//! The ZIP being streamed: entries are compressed into a small in-memory buffer, and the
//! buffer is handed to the response body through a bounded channel whenever it has grown
//! past [`CHUNK_BYTES`] (and at the end). The writer waits while the channel is full, so a
//! slow download slows the export down instead of piling the archive up in memory.
//!
//! `zip::ZipWriter::new_stream` needs no `Seek`: each entry's sizes and checksum follow its
//! data (a data descriptor) and the central directory comes last, so nothing written is
//! ever revisited and each chunk can leave as soon as it is full.

use crate::error::AppError;
use std::{
    io::{self, Write},
    sync::{Arc, Mutex},
};
use tokio::sync::mpsc;
use zip::{
    write::{SimpleFileOptions, StreamWriter},
    CompressionMethod, ZipWriter,
};

/// How many bytes collect before they are sent on.
const CHUNK_BYTES: usize = 64 * 1024;

/// Where the archive's bytes go: a channel of chunks (the response body reads its other end).
pub type ChunkSender = mpsc::Sender<io::Result<Vec<u8>>>;

/// The compressed bytes not sent yet. Shared between the ZIP writer (which writes into it)
/// and [`ZipOut::pass_on`] (which empties it); the lock is never held across an await.
#[derive(Debug, Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Pending {
    fn take(&self, at_least: usize) -> Option<Vec<u8>> {
        let mut buffer = self.0.lock().ok()?;
        (buffer.len() >= at_least.max(1)).then(|| std::mem::take(&mut *buffer))
    }
}

impl Write for Pending {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut buffer = self.0.lock().map_err(|_| io::Error::other("export buffer poisoned"))?;
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A ZIP archive written entry by entry into a [`ChunkSender`].
pub struct ZipOut {
    zip: ZipWriter<StreamWriter<Pending>>,
    pending: Pending,
    sender: ChunkSender,
}

/// The download was abandoned, or the archive could not be written.
pub(super) fn failed(error: impl std::fmt::Display) -> AppError {
    tracing::warn!(%error, "an export stopped");
    AppError::Internal
}

impl ZipOut {
    /// An empty archive whose bytes go to `sender`.
    pub fn new(sender: ChunkSender) -> Self {
        let pending = Pending::default();
        Self { zip: ZipWriter::new_stream(pending.clone()), pending, sender }
    }

    /// Starts the next entry (deflated); what is written next goes into it.
    pub fn start_file(&mut self, name: &str) -> Result<(), AppError> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .unix_permissions(0o644);
        self.zip.start_file(name, options).map_err(failed)
    }

    /// Sends what has collected once it is a full chunk (waits while the channel is full).
    pub async fn pass_on(&mut self) -> Result<(), AppError> {
        send(&self.pending, &self.sender, CHUNK_BYTES).await
    }

    /// Writes the central directory and sends the rest.
    pub async fn finish(self) -> Result<(), AppError> {
        let ZipOut { zip, pending, sender } = self;
        zip.finish().map_err(failed)?;
        send(&pending, &sender, 1).await
    }
}

/// Sends what is pending once it holds `at_least` bytes.
async fn send(pending: &Pending, sender: &ChunkSender, at_least: usize) -> Result<(), AppError> {
    match pending.take(at_least) {
        Some(chunk) => sender.send(Ok(chunk)).await.map_err(|_| failed("the download was closed")),
        None => Ok(()),
    }
}

impl Write for ZipOut {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.zip.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
