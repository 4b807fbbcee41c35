//! Sections read from the snapshot file a buffer at a time.
//!
//! Reading a ten-million-node snapshot whole took 2.7 GB of fresh memory
//! before decoding started: a second of page faults and copying, and a
//! peak of the file plus the graph. A [`Stream`] reads one byte range of
//! the file through a buffer of a few MiB that it reuses, so an open holds
//! the graph and a few buffers, never the file; it sums the CRC of what it
//! reads, so the checksum costs no pass of its own. [`Sections`] is what
//! the decoder asks of either source, the in-memory body or a stream.

use std::fs::File;

use super::{corrupt, Corrupt, Reader};

/// The bytes a stream reads at a time.
const BUFFER: usize = 4 << 20;

/// A source of the body's sections, in order.
pub(super) trait Sections {
    /// The next section, which must have `tag`.
    fn section(&mut self, tag: u8) -> Result<Reader<'_>, Corrupt>;

    /// Bytes left in the source.
    fn left(&self) -> u64;

    /// Fails unless every byte of the source was read.
    fn finish(&self, what: &str) -> Result<(), Corrupt> {
        match self.left() {
            0 => Ok(()),
            n => corrupt(format!("{n} unexpected bytes after the {what} sections")),
        }
    }

    /// The next chunked section of `tag`, `read` of `total` items of at
    /// least `min_bytes` each being read: its reader past its count, and
    /// the count, which is at least one and at most the items left.
    fn chunk(
        &mut self,
        tag: u8,
        read: usize,
        total: usize,
        min_bytes: usize,
        what: &str,
    ) -> Result<(Reader<'_>, usize), Corrupt> {
        let mut section = self.section(tag)?;
        let n = section.chunk_count(read, total, min_bytes, what)?;
        Ok((section, n))
    }

    /// Reads chunked sections of `tag` until `total` items are read; a
    /// chunk's count cannot pass the total.
    fn chunked(
        &mut self,
        tag: u8,
        total: usize,
        what: &str,
        mut item: impl FnMut(&mut Reader<'_>) -> Result<(), Corrupt>,
    ) -> Result<(), Corrupt> {
        let mut read = 0usize;
        while read < total {
            let (mut section, n) = self.chunk(tag, read, total, 1, what)?;
            for _ in 0..n {
                item(&mut section)?;
            }
            section.done(what)?;
            read += n;
        }
        Ok(())
    }
}

impl Sections for Reader<'_> {
    fn section(&mut self, tag: u8) -> Result<Reader<'_>, Corrupt> {
        Reader::section(self, tag)
    }

    fn left(&self) -> u64 {
        self.remaining() as u64
    }
}

/// The sections of one byte range of the file.
pub(super) struct Stream<'f> {
    file: &'f File,
    /// The file offset of the first byte not yet read, and of the range's end.
    next: u64,
    end: u64,
    buf: Vec<u8>,
    /// `buf[at..filled]` is read and not yet handed out.
    at: usize,
    filled: usize,
    crc: crc32fast::Hasher,
    failed: Option<std::io::Error>,
}

impl<'f> Stream<'f> {
    pub(super) fn new(file: &'f File, start: u64, end: u64) -> Stream<'f> {
        let len = usize::try_from(end.saturating_sub(start)).unwrap_or(usize::MAX);
        Stream {
            file,
            next: start,
            end: end.max(start),
            buf: vec![0; len.min(BUFFER)],
            at: 0,
            filled: 0,
            crc: crc32fast::Hasher::new(),
            failed: None,
        }
    }

    /// The CRC of every byte read, and the error that stopped reading, if
    /// one did.
    pub(super) fn into_parts(self) -> (crc32fast::Hasher, Option<std::io::Error>) {
        (self.crc, self.failed)
    }

    /// Makes at least `want` bytes available from `at`; `false` if the
    /// range ends first.
    fn fill(&mut self, want: usize) -> Result<bool, Corrupt> {
        let have = self.filled - self.at;
        if have >= want {
            return Ok(true);
        }
        if have as u64 + (self.end - self.next) < want as u64 {
            return Ok(false);
        }
        self.buf.copy_within(self.at..self.filled, 0);
        (self.at, self.filled) = (0, have);
        // A section larger than the buffer (a long string, say) grows it.
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        let n = ((self.buf.len() - have) as u64).min(self.end - self.next) as usize;
        let into = &mut self.buf[have..have + n];
        if let Err(e) = read_exact_at(self.file, into, self.next) {
            self.failed = Some(e);
            return corrupt("the file could not be read");
        }
        self.crc.update(into);
        self.filled += n;
        self.next += n as u64;
        Ok(true)
    }
}

impl Sections for Stream<'_> {
    fn section(&mut self, tag: u8) -> Result<Reader<'_>, Corrupt> {
        const FRAME: usize = 9;
        if !self.fill(FRAME)? {
            return corrupt("unexpected end of data");
        }
        let found = self.buf[self.at];
        if found != tag {
            return corrupt(format!("expected section {tag}, found section {found}"));
        }
        let len = u64::from_le_bytes(self.buf[self.at + 1..self.at + FRAME].try_into().unwrap_or_default());
        if len > self.left() - FRAME as u64 {
            return corrupt(format!("section {tag} runs past the end of the data"));
        }
        let len = len as usize;
        if !self.fill(FRAME + len)? {
            return corrupt(format!("section {tag} runs past the end of the data"));
        }
        let start = self.at + FRAME;
        self.at = start + len;
        Ok(Reader { bytes: &self.buf[start..start + len], pos: 0 })
    }

    fn left(&self) -> u64 {
        (self.filled - self.at) as u64 + (self.end - self.next)
    }
}

/// Each section's tag and offset in `[start, end)`, from the section
/// frames alone; `None` if a frame runs past the end (the caller then
/// reads the file whole and reports what is wrong).
pub(super) fn scan(file: &File, start: u64, end: u64) -> std::io::Result<Option<Vec<(u8, u64)>>> {
    let mut sections = Vec::new();
    let mut at = start;
    let mut frame = [0u8; 9];
    while at < end {
        if end - at < frame.len() as u64 {
            return Ok(None);
        }
        read_exact_at(file, &mut frame, at)?;
        let len = u64::from_le_bytes(frame[1..].try_into().unwrap_or_default());
        sections.push((frame[0], at));
        match at.checked_add(frame.len() as u64).and_then(|a| a.checked_add(len)) {
            Some(next) if next <= end => at = next,
            _ => return Ok(None),
        }
    }
    Ok(Some(sections))
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, into: &mut [u8], at: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt as _;
    file.read_exact_at(into, at)
}

#[cfg(windows)]
pub(super) fn read_exact_at(file: &File, mut into: &mut [u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt as _;
    while !into.is_empty() {
        match file.seek_read(into, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                into = &mut into[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
pub(super) fn read_exact_at(_file: &File, _into: &mut [u8], _at: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}
