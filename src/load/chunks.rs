//! Reading a CSV file a chunk at a time, so that a load holds a few chunks
//! of it rather than all of it.
//!
//! A chunk is read text ending at a record boundary; the start of a record
//! that runs past the bytes read so far is carried into the next chunk. The
//! first chunk starts at the file's start, which is a record boundary, and
//! each chunk starts where the one before ended, so the quote state that
//! decides where a record ends is known at every chunk's start: a chunk's
//! boundaries are those a reading of the whole file finds. The reader also
//! cuts each chunk into blocks for the parsers (see [`super::csv`]) while
//! it walks the records anyway.
//!
//! A chunk is decoded on its own: a record boundary follows a newline, so a
//! character never straddles one, and the first bad byte of the first bad
//! chunk is the first of the file. A character split by a read is in the
//! carried tail and is whole once the next read completes it.

use std::io::Read;
use std::ops::Range;
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};

use crate::error::{DataError, DataErrorKind, Error, Location};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why reading a file's chunks stopped early.
#[derive(Debug)]
pub(super) enum ChunkError {
    /// Reading failed: an [`Error::Io`] naming the file.
    Io(Error),
    /// The file is not UTF-8: where its first bad byte is.
    Text(DataError),
}

/// Decoded text of a file, ending at a record boundary or at the end of
/// the file, cut into blocks.
#[derive(Debug)]
pub(super) struct Chunk {
    text: Arc<String>,
    blocks: Vec<Range<usize>>,
    quoted: bool,
}

impl Chunk {
    /// The chunk's text.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// Whether the text has a quote, which picks the record splitter.
    pub(super) fn quoted(&self) -> bool {
        self.quoted
    }

    /// Drops the text before `start` (a record boundary, such as the end of
    /// the header) from the blocks.
    pub(super) fn skip(&mut self, start: usize) {
        self.blocks.retain(|b| b.end > start);
        if let Some(first) = self.blocks.first_mut() {
            first.start = first.start.max(start);
        }
    }
}

/// A block of a chunk, for one parser; the chunk's text lives until its
/// last block is dropped.
pub(super) struct Block {
    text: Arc<String>,
    range: Range<usize>,
    quoted: bool,
}

impl Block {
    /// The block's text: whole records.
    pub(super) fn text(&self) -> &str {
        &self.text[self.range.clone()]
    }

    /// Whether the chunk the block is in has a quote.
    pub(super) fn quoted(&self) -> bool {
        self.quoted
    }
}

/// Reads a file as [`Chunk`]s of about `chunk_bytes`, each cut into blocks
/// of about `block_bytes`.
pub(super) struct ChunkReader<'a> {
    name: String,
    source: Box<dyn Read + Send + 'a>,
    /// The bytes read and not yet returned: the start of a record.
    buf: Vec<u8>,
    chunk_bytes: usize,
    block_bytes: usize,
    /// The file's size as known when opened; 0 if unknown.
    size: usize,
    /// Bytes of text before `buf`, for the position of a bad byte.
    offset: usize,
    /// Newlines before `buf`, for the line of a bad byte.
    lines: usize,
    /// Whether a byte-order mark was looked for (and dropped).
    started: bool,
    bom: bool,
    eof: bool,
}

impl<'a> ChunkReader<'a> {
    /// A reader of `source`, a file called `name` in messages, of `size`
    /// bytes if known (0 if not; it only sizes the graph's tables).
    pub(super) fn new(
        name: &str,
        source: impl Read + Send + 'a,
        size: usize,
        chunk_bytes: usize,
        block_bytes: usize,
    ) -> ChunkReader<'a> {
        ChunkReader {
            name: name.to_string(),
            source: Box::new(source),
            buf: Vec::new(),
            chunk_bytes: chunk_bytes.max(1),
            block_bytes,
            size,
            offset: 0,
            lines: 0,
            started: false,
            bom: false,
            eof: false,
        }
    }

    /// The file's name in messages.
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    /// The length of the file's text (without a byte-order mark), as far
    /// as it was known when opened.
    pub(super) fn text_len(&self) -> usize {
        self.size.saturating_sub(if self.bom { BOM.len() } else { 0 })
    }

    /// Whether every chunk has been returned.
    pub(super) fn at_end(&self) -> bool {
        self.eof && self.buf.is_empty()
    }

    /// The next chunk, or `None` at the end of the file.
    ///
    /// # Errors
    /// Reading failed, or the chunk is not UTF-8. After an error the reader
    /// returns no more chunks.
    pub(super) fn next_chunk(&mut self) -> Result<Option<Chunk>, ChunkError> {
        let mut want = self.chunk_bytes.max(self.buf.len() + 1);
        if !self.started {
            want = want.max(BOM.len());
        }
        let (blocks, end, quoted) = loop {
            self.fill(want)?;
            if !self.started {
                self.started = true;
                self.bom = self.buf.starts_with(BOM);
                if self.bom {
                    self.buf.drain(..BOM.len());
                }
            }
            if self.at_end() {
                return Ok(None);
            }
            let quoted = self.buf.contains(&b'"');
            let (blocks, end) = cut_blocks(&self.buf, quoted, self.block_bytes, self.eof);
            if end > 0 {
                // The quote may be in the carried tail only.
                break (blocks, end, quoted && self.buf[..end].contains(&b'"'));
            }
            // One record is longer than what was read: read as much again,
            // so a long record is scanned a bounded number of times.
            want = self.buf.len().saturating_mul(2).max(self.buf.len() + 1);
        };
        let rest = self.buf[end..].to_vec();
        self.buf.truncate(end);
        let bytes = std::mem::replace(&mut self.buf, rest);
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let line = self.lines + newlines(&e.as_bytes()[..at]) + 1;
                let error = DataError {
                    location: Location { file: self.name.clone(), line },
                    kind: DataErrorKind::Malformed,
                    message: format!("invalid UTF-8 at byte {}", self.offset + at),
                };
                return Err(self.fail(ChunkError::Text(error)));
            }
        };
        self.lines += newlines(text.as_bytes());
        self.offset += end;
        Ok(Some(Chunk { text: Arc::new(text), blocks, quoted }))
    }

    /// Reads the rest of the file only to check it, for a load that stops
    /// parsing early but must report a bad byte or a failed read anywhere.
    ///
    /// # Errors
    /// As [`ChunkReader::next_chunk`].
    pub(super) fn check_rest(&mut self) -> Result<(), ChunkError> {
        while self.next_chunk()?.is_some() {}
        Ok(())
    }

    /// Reads until `buf` holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> Result<(), ChunkError> {
        if self.eof || self.buf.len() >= want {
            return Ok(());
        }
        let more = want - self.buf.len();
        // No more room than the rest of the file needs, if its size is
        // known, so a small file costs no chunk-sized buffer; should the
        // file be longer, or the room not be had, `read_to_end` grows it.
        let read = self.offset + self.buf.len() + if self.bom { BOM.len() } else { 0 };
        let left = if self.size == 0 { more } else { self.size.saturating_sub(read) };
        let _ = self.buf.try_reserve_exact(more.min(left));
        match self.source.by_ref().take(more as u64).read_to_end(&mut self.buf) {
            Ok(got) => {
                self.eof = got < more;
                Ok(())
            }
            Err(source) => {
                let error = Error::Io { path: self.name.clone(), source };
                Err(self.fail(ChunkError::Io(error)))
            }
        }
    }

    /// Ends the reading with `error`. A bad byte is reported only once the
    /// rest of the file has been read, so that a failed read still wins,
    /// as it did when a file was read whole before being decoded.
    fn fail(&mut self, error: ChunkError) -> ChunkError {
        self.buf = Vec::new();
        let drained = match error {
            ChunkError::Text(_) if !self.eof => std::io::copy(&mut self.source, &mut std::io::sink()),
            _ => Ok(0),
        };
        self.eof = true;
        match drained {
            Err(source) => ChunkError::Io(Error::Io { path: self.name.clone(), source }),
            Ok(_) => error,
        }
    }
}

/// Counts newlines in byte-wide sums of at most 255, which the compiler
/// turns into wide instructions; counting into a `usize` a byte at a time
/// took a tenth of a load.
fn newlines(bytes: &[u8]) -> usize {
    let mut runs = bytes.chunks_exact(255);
    let mut n: usize = (&mut runs)
        .map(|run| usize::from(run.iter().fold(0u8, |sum, &b| sum.wrapping_add(u8::from(b == b'\n')))))
        .sum();
    n += runs.remainder().iter().filter(|&&b| b == b'\n').count();
    n
}

/// Where the record starting at `pos` ends: the rules of the quoted
/// record splitter (`Records` in [`super::csv`], blank lines included)
/// without building fields; `None` if it runs past `b`, so that more
/// bytes are needed to tell. A quote opens a quoted field only at the
/// start of a field, so counting quotes would not do.
fn record_end(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos;
    loop {
        if b.get(i) == Some(&b'"') {
            let mut j = i + 1;
            loop {
                match b.get(j) {
                    None => return None,
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => j += 2,
                    Some(b'"') => break,
                    Some(_) => j += 1,
                }
            }
            i = j + 1;
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') if b.get(i + 1) == Some(&b'\n') => return Some(i + 2),
                Some(b'\n') => return Some(i + 1),
                None => return None,
                Some(_) => return b[i..].iter().position(|&c| c == b'\n').map(|e| i + e + 1),
            }
        } else {
            match b.get(i..).and_then(|rest| rest.iter().position(|&c| c == b',' || c == b'\n')) {
                Some(e) if b[i + e] == b',' => i += e + 1,
                Some(e) => return Some(i + e + 1),
                None => return None,
            }
        }
    }
}

/// Cuts the complete records at the start of `b` into blocks of at least
/// `target` bytes (the last may be shorter), each ending at a record
/// boundary, and returns them with where the last complete record ends.
/// The bytes after it start a record that may continue past `b`, unless
/// `eof` says nothing follows; then every byte is in a block. `quoted`
/// says whether `b` has a quote; text without one splits at newlines.
pub(super) fn cut_blocks(b: &[u8], quoted: bool, target: usize, eof: bool) -> (Vec<Range<usize>>, usize) {
    let target = target.max(1);
    let mut blocks = Vec::new();
    let mut begin = 0;
    let end = if quoted {
        let mut pos = 0;
        while pos < b.len() {
            pos = match record_end(b, pos) {
                Some(e) => e,
                None if eof => b.len(),
                None => break,
            };
            if pos - begin >= target {
                blocks.push(begin..pos);
                begin = pos;
            }
        }
        pos
    } else {
        let end = if eof { b.len() } else { b.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1) };
        while end - begin > target {
            let from = begin + target - 1;
            let Some(e) = b[from..end].iter().position(|&c| c == b'\n') else { break };
            blocks.push(begin..from + e + 1);
            begin = from + e + 1;
        }
        end
    };
    if begin < end {
        blocks.push(begin..end);
    }
    (blocks, end)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where [`Blocks`] gets its chunks.
enum Source<'r, 'a> {
    /// From a thread reading ahead.
    Ahead(mpsc::Receiver<Result<Chunk, ChunkError>>),
    /// From the reader itself, when no thread could be started.
    Reader(&'r Mutex<ChunkReader<'a>>),
    Done,
}

/// The blocks of a file, one chunk after the other, as the parsers take
/// them; it ends at the end of the file or at the first error, which it
/// keeps.
pub(super) struct Blocks<'r, 'a> {
    current: Option<(Arc<String>, bool, std::vec::IntoIter<Range<usize>>)>,
    source: Source<'r, 'a>,
    error: Option<ChunkError>,
}

impl Iterator for Blocks<'_, '_> {
    type Item = Block;

    fn next(&mut self) -> Option<Block> {
        loop {
            if let Some((text, quoted, ranges)) = &mut self.current {
                if let Some(range) = ranges.next() {
                    return Some(Block { text: Arc::clone(text), range, quoted: *quoted });
                }
                self.current = None;
            }
            let next = match &self.source {
                Source::Ahead(chunks) => chunks.recv().ok(),
                Source::Reader(reader) => lock(reader).next_chunk().transpose(),
                Source::Done => None,
            };
            match next {
                Some(Ok(chunk)) => self.current = Some((chunk.text, chunk.quoted, chunk.blocks.into_iter())),
                Some(Err(e)) => {
                    self.error = Some(e);
                    self.source = Source::Done;
                }
                None => self.source = Source::Done,
            }
            if matches!(self.source, Source::Done) {
                return None;
            }
        }
    }
}

/// Runs `f` on the blocks of `first` and of the chunks after it in
/// `reader`, which a thread reads, decodes and cuts while `f` takes the
/// blocks of the chunk before; the thread holds one chunk until `f` wants
/// it, so the chunks in memory are that one, the one `f` takes blocks
/// from, and those with blocks still being parsed. Returns what `f`
/// returns and the error that ended the reading early, if any.
pub(super) fn with_blocks<T>(
    reader: ChunkReader<'_>,
    first: Chunk,
    f: impl FnOnce(&mut Blocks<'_, '_>) -> T,
) -> (T, Option<ChunkError>) {
    let reader = Mutex::new(reader);
    std::thread::scope(|scope| {
        let source = if lock(&reader).at_end() {
            Source::Done
        } else {
            // Reading a chunk takes far less than parsing one, so one
            // ready chunk keeps the parsers fed.
            let (send, receive) = mpsc::sync_channel(0);
            let shared = &reader;
            let ahead = move || {
                let mut reader = lock(shared);
                while let Some(chunk) = reader.next_chunk().transpose() {
                    let last = chunk.is_err();
                    // A closed channel means the parse stopped.
                    if send.send(chunk).is_err() || last {
                        break;
                    }
                }
            };
            match std::thread::Builder::new().name("aikg-read".to_string()).spawn_scoped(scope, ahead) {
                Ok(_) => Source::Ahead(receive),
                // No thread to spare: the parsers read.
                Err(_) => Source::Reader(&reader),
            }
        };
        let mut blocks = Blocks {
            current: Some((first.text, first.quoted, first.blocks.into_iter())),
            source,
            error: None,
        };
        let out = f(&mut blocks);
        let error = blocks.error.take();
        // Dropped before the scope waits for the reading thread, which
        // then stops at its next chunk.
        drop(blocks);
        (out, error)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text with quotes that open fields and quotes that do not, doubled
    /// quotes, quoted newlines, CRLF, blank lines and text after a closing
    /// quote.
    const TRICKY: &[u8] =
        b"id,label\nx,ab\"c\ny,\"d\ne,\"\"f\"\n\n\"g\nh\"\"i\",L\r\nz,\"q\"junk\nw,v\r\n\"\"\"\"\n\r\n\"a\"\r\nlast";

    /// The record boundaries of the whole text, as a reading of all of it
    /// finds them.
    fn boundaries(b: &[u8]) -> Vec<usize> {
        let mut all = vec![0];
        while let Some(&pos) = all.last().filter(|&&p| p < b.len()) {
            all.push(record_end(b, pos).unwrap_or(b.len()));
        }
        all
    }

    #[test]
    fn a_cut_is_the_last_boundary_a_prefix_shows() {
        let all = boundaries(TRICKY);
        assert_eq!(all.len(), 12);
        for len in 0..=TRICKY.len() {
            let prefix = &TRICKY[..len];
            for eof in [false, true] {
                for target in [1, 3, 10, 1000] {
                    let (blocks, end) = cut_blocks(prefix, prefix.contains(&b'"'), target, eof);
                    // The text does not end in a newline, so only the end
                    // of the file ends its last record.
                    let last = *all[..all.len() - 1].iter().filter(|&&b| b <= len).max().unwrap_or(&0);
                    assert_eq!(end, if eof { len } else { last }, "{len} bytes, blocks of {target}");
                    let mut begin = 0;
                    for (k, block) in blocks.iter().enumerate() {
                        assert_eq!(block.start, begin);
                        assert!(all.contains(&block.end) || block.end == end, "{block:?}");
                        assert!(block.len() >= target || k == blocks.len() - 1, "{block:?}");
                        begin = block.end;
                    }
                    assert_eq!(begin, end);
                }
            }
        }
    }

    /// The chunks of `bytes` read with `chunk_bytes`.
    fn chunks(bytes: &[u8], chunk_bytes: usize) -> Vec<Chunk> {
        let mut reader = ChunkReader::new("t.csv", bytes, bytes.len(), chunk_bytes, 4);
        let mut chunks = Vec::new();
        while let Some(chunk) = reader.next_chunk().unwrap() {
            chunks.push(chunk);
        }
        assert!(reader.at_end());
        chunks
    }

    #[test]
    fn chunks_are_the_text_cut_at_record_boundaries() {
        let all = boundaries(TRICKY);
        let bom = [b"\xEF\xBB\xBF".as_slice(), TRICKY].concat();
        for chunk_bytes in 1..=TRICKY.len() + 1 {
            let mut text = String::new();
            for chunk in chunks(&bom, chunk_bytes) {
                assert!(!chunk.text().is_empty());
                assert_eq!(chunk.quoted(), chunk.text().contains('"'));
                let blocks: String = chunk.blocks.iter().map(|b| &chunk.text()[b.clone()]).collect();
                assert_eq!(blocks, chunk.text());
                text.push_str(chunk.text());
                assert!(all.contains(&text.len()), "chunks of {chunk_bytes}: {text:?}");
            }
            assert_eq!(text.as_bytes(), TRICKY, "chunks of {chunk_bytes}");
        }
    }

    #[test]
    fn a_record_longer_than_a_chunk_is_read_whole() {
        let text = format!("a\n\"{}\n{}\"\nb\n", "x".repeat(5000), "y".repeat(5000));
        let got: Vec<usize> = chunks(text.as_bytes(), 16).iter().map(|c| c.text().len()).collect();
        // The read that completes the long record also holds the next.
        assert_eq!(got, [2, 10_004 + 2]);
    }

    #[test]
    fn a_bad_byte_is_placed_in_the_whole_file() {
        let text = b"\xEF\xBB\xBFa\nb\n\"c\nd\"\ne\xC3\n";
        let expected = "t.csv:5: invalid UTF-8 at byte 11";
        for chunk_bytes in 1..=text.len() {
            let mut reader = ChunkReader::new("t.csv", text.as_slice(), text.len(), chunk_bytes, 4);
            let error = loop {
                match reader.next_chunk() {
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("no error in chunks of {chunk_bytes}"),
                    Err(ChunkError::Text(e)) => break e.to_string(),
                    Err(e) => panic!("{e:?}"),
                }
            };
            assert_eq!(error, expected, "chunks of {chunk_bytes}");
            assert!(reader.next_chunk().unwrap().is_none());
        }
    }

    #[test]
    fn newlines_are_counted_past_every_run() {
        let bytes: Vec<u8> =
            (0..3000u32).map(|i| if i % 7 == 0 || i % 11 == 3 { b'\n' } else { b'a' }).collect();
        for len in (0..bytes.len()).step_by(37).chain([254, 255, 256, 510, 511]) {
            let slow = bytes[..len].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(newlines(&bytes[..len]), slow, "{len}");
        }
        assert_eq!(newlines(&[b'\n'; 1000]), 1000);
    }
}
