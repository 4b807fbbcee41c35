//! The journal that makes `aikg serve --graph FILE` durable: no
//! acknowledged write is lost when the process dies.
//!
//! # Files
//!
//! `FILE` is a snapshot (`Graph::save`'s format) and `FILE.journal` holds
//! the writes committed since it was written, one record per committed
//! statement or transaction: the redo record (`store::Changes`) of the
//! unit, which names the entities by id and holds their final labels and
//! properties. The graph is the snapshot with the journal's records applied
//! in order.
//!
//! ```text
//! header   magic "AIKGJRNL", version (u32), snapshot identity (12 bytes:
//!          the snapshot's body length and CRC-32 from its trailer),
//!          sequence number of the first record (u64)
//! record   payload length (u32), CRC-32 of sequence number and payload
//!          (u32), sequence number (u64), payload
//! payload  kind (u8): 0 and the encoded Changes of a write, or 1 alone
//!          for "the graph was compacted here" (see Compaction)
//! ```
//!
//! Integers are little-endian. Sequence numbers run on without a gap, also
//! across compactions, so a record out of place is found.
//!
//! # Writing
//!
//! A write runs inside a unit of the graph (under the graph's write lock,
//! so the journal's order is the graph's); when it ends, its record is
//! appended in one `write` and `sync_data` is called before the server
//! answers. If either fails, the unit is rolled back, the client is told
//! the write failed, and the journal refuses writes until the server
//! restarts (the file may now end in a partial record, which is only safe
//! as the last one; a compaction on stop, if it succeeds, starts a clean
//! journal). A sync that failed may still have written the record, so a
//! write reported as failed can be there after a restart: the usual
//! unknown outcome of a commit whose answer was lost, never the reverse.
//!
//! # Replay
//!
//! On start the snapshot is opened and the records are applied in order.
//! A record that was being appended when the process died is not complete
//! (its length runs past the end, or its checksum fails, and no valid
//! record follows it): it was never acknowledged, so it is dropped and the
//! file truncated before it, and the log says so. Anything else that does
//! not check (a damaged record with valid records after it, a sequence
//! number out of order, a record that does not fit the graph) is an error
//! naming the file and byte offset, and the server does not start: an
//! acknowledged write must not silently disappear. A record is checked in
//! full before any of it is applied.
//!
//! # Compaction
//!
//! When the journal grows past a limit, and when the server stops cleanly,
//! the graph is written as a new snapshot and the journal starts empty.
//!
//! A snapshot cannot hold deleted slots, so a graph with some is first
//! replaced by its compacted copy (`Graph::compacted`, which renumbers
//! ids), and a record saying so is appended: the records after it name
//! the new ids, and replay compacts at the same point (compacting is a
//! function of the graph, and replay gives the same graph). So the
//! renumbering, done under the write lock, need not be followed by the
//! snapshot under the same lock: the snapshot is written under the read
//! lock (reads go on), and if a write deleted something in between, it is
//! simply left for the next time.
//!
//! Then, each file synced and the directory synced after each rename:
//!
//! 1. write the snapshot to `FILE.partial-PID`;
//! 2. write an empty journal for it to `FILE.journal.next`;
//! 3. rename the snapshot over `FILE`;
//! 4. rename the new journal over `FILE.journal`.
//!
//! A crash between 3 and 4 leaves a journal whose header names the old
//! snapshot beside a `.next` journal naming the current one: opening
//! finishes the rename. Any other leftover `.next` is removed. A journal
//! whose header names another snapshot than `FILE`, with no `.next` to
//! explain it, is an error rather than replayed onto the wrong graph.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::{snapshot_identity, Changes};
use crate::Graph;

const MAGIC: [u8; 8] = *b"AIKGJRNL";
const VERSION: u32 = 1;
/// Magic, version, snapshot identity, first sequence number.
const HEADER: usize = 8 + 4 + 12 + 8;
/// Length, checksum, sequence number.
const FRAME: usize = 4 + 4 + 8;
/// The kind of a record holding a write.
const CHANGES: u8 = 0;
/// The kind of a record saying the graph was compacted.
const COMPACTED: u8 = 1;

/// Why the graph file or its journal could not be opened or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A journal record before the last one is damaged or out of order,
    /// or does not fit the graph.
    #[error("{path}: byte {offset}: {message}")]
    Corrupt {
        /// The journal.
        path: String,
        /// Where the bad record starts.
        offset: u64,
        /// What is wrong with it.
        message: String,
    },
    /// The files do not belong together, or one is missing.
    #[error("{path}: {message}")]
    Mismatch {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The snapshot could not be opened.
    #[error(transparent)]
    Snapshot(crate::Error),
    /// An earlier write to the journal failed, so it takes no more.
    #[error(
        "{path}: an earlier write to the journal failed, so writes are refused until the server restarts"
    )]
    Broken {
        /// The journal.
        path: String,
    },
}

/// What opening found, for the log.
#[derive(Debug, Default)]
pub(crate) struct Opened {
    /// The file did not exist and was created, holding an empty graph.
    pub created: bool,
    /// Records replayed.
    pub records: u64,
    /// An incomplete last record dropped: its offset and length.
    pub dropped: Option<(u64, u64)>,
    /// An interrupted compaction was finished.
    pub finished_compaction: bool,
}

/// The journal of a graph file, open for appending.
#[derive(Debug)]
pub(crate) struct Journal {
    snapshot: PathBuf,
    path: PathBuf,
    file: File,
    /// The sequence number of the next record.
    next_seq: u64,
    /// The file's length.
    len: u64,
    /// Set when a write failed: the file may end in a partial record.
    broken: bool,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io { path: path.display().to_string(), source }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The journal beside a graph file: `FILE.journal`.
pub(crate) fn journal_path(file: &Path) -> PathBuf {
    with_suffix(file, ".journal")
}

/// Syncs the directory holding `path`, so that a rename or a new file in
/// it survives a crash.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn header(snapshot: [u8; 12], first_seq: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER);
    h.extend_from_slice(&MAGIC);
    h.extend_from_slice(&VERSION.to_le_bytes());
    h.extend_from_slice(&snapshot);
    h.extend_from_slice(&first_seq.to_le_bytes());
    h
}

/// The snapshot identity and first sequence number of a journal header.
fn read_header(path: &Path, bytes: &[u8]) -> Result<([u8; 12], u64), JournalError> {
    let bad = |message: String| JournalError::Mismatch { path: path.display().to_string(), message };
    if bytes.len() < HEADER || bytes[..8] != MAGIC {
        return Err(bad("not an aikg journal (it does not start with the journal header)".to_string()));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != VERSION {
        return Err(bad(format!("journal format version {version} is not one this aikg reads ({VERSION})")));
    }
    let mut id = [0u8; 12];
    id.copy_from_slice(&bytes[12..24]);
    Ok((id, u64_at(bytes, 24)))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// Writes `bytes` as a new file at `path` (replacing any), synced.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A record checked as far as its frame goes: where its payload is.
enum Frame {
    /// A complete record with this sequence number and payload range.
    Valid { seq: u64, payload: std::ops::Range<usize> },
    /// Not a complete, intact record.
    Bad(&'static str),
}

fn frame_at(bytes: &[u8], at: usize) -> Frame {
    if bytes.len() - at < FRAME {
        return Frame::Bad("the record header is cut short");
    }
    let len = u32_at(bytes, at) as usize;
    let end = match (at + FRAME).checked_add(len) {
        Some(end) if end <= bytes.len() => end,
        _ => return Frame::Bad("the record runs past the end of the file"),
    };
    if crc32fast::hash(&bytes[at + 8..end]) != u32_at(bytes, at + 4) {
        return Frame::Bad("the record's checksum does not match");
    }
    Frame::Valid { seq: u64_at(bytes, at + 8), payload: at + FRAME..end }
}

/// Whether an intact record with a sequence number of at least `seq`
/// starts anywhere after `at`: then the bad record at `at` is not an
/// append cut short but damage, with acknowledged writes after it.
fn valid_record_after(bytes: &[u8], at: usize, seq: u64) -> bool {
    (at + 1..bytes.len()).any(|i| matches!(frame_at(bytes, i), Frame::Valid { seq: s, .. } if s >= seq))
}

/// Applies the records of `bytes` (a whole journal) to `graph`: the
/// number applied, and where the valid records end when an incomplete
/// last record follows them.
fn replay(
    path: &Path,
    bytes: &[u8],
    first_seq: u64,
    graph: &mut Graph,
) -> Result<(u64, Option<usize>), JournalError> {
    let corrupt = |offset: usize, message: String| JournalError::Corrupt {
        path: path.display().to_string(),
        offset: offset as u64,
        message,
    };
    let mut at = HEADER;
    let mut seq = first_seq;
    while at < bytes.len() {
        let (record_seq, payload) = match frame_at(bytes, at) {
            Frame::Valid { seq, payload } => (seq, payload),
            Frame::Bad(why) => {
                if valid_record_after(bytes, at, seq) {
                    return Err(corrupt(
                        at,
                        format!("{why}, and intact records follow it: the journal is damaged"),
                    ));
                }
                return Ok((seq - first_seq, Some(at)));
            }
        };
        if record_seq != seq {
            return Err(corrupt(at, format!("record number {record_seq} where number {seq} was expected")));
        }
        match bytes[payload.clone()].split_first() {
            Some((&CHANGES, body)) => {
                let changes = Changes::decode(body)
                    .map_err(|m| corrupt(at, format!("record {seq} does not decode: {m}")))?;
                graph
                    .redo(&changes)
                    .map_err(|m| corrupt(at, format!("record {seq} does not fit the graph: {m}")))?;
            }
            Some((&COMPACTED, [])) => *graph = graph.compacted(),
            Some((kind, _)) => return Err(corrupt(at, format!("record {seq} is of unknown kind {kind}"))),
            None => return Err(corrupt(at, format!("record {seq} is empty"))),
        }
        at = payload.end;
        seq += 1;
    }
    Ok((seq - first_seq, None))
}

impl Journal {
    /// Opens the graph kept in `file` and its journal, replaying the
    /// journal; with `writable`, also opens the journal for appending,
    /// drops an incomplete last record, finishes an interrupted compaction
    /// and creates `file` (an empty graph) when it does not exist.
    ///
    /// # Errors
    /// As the module doc says: a damaged journal, files that do not
    /// belong together, and failing reads and writes.
    pub(crate) fn open(
        file: &Path,
        writable: bool,
    ) -> Result<(Graph, Option<Journal>, Opened), JournalError> {
        let journal = journal_path(file);
        let next = with_suffix(file, ".journal.next");
        let mut opened = Opened::default();
        if !file.exists() {
            if journal.exists() {
                return Err(JournalError::Mismatch {
                    path: journal.display().to_string(),
                    message: format!(
                        "the journal exists but its snapshot {} does not: put the snapshot back, or move the journal away to start empty",
                        file.display()
                    ),
                });
            }
            if !writable {
                return Err(JournalError::Io {
                    path: file.display().to_string(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such file (a read-only server does not create it)",
                    ),
                });
            }
            let graph = Graph::new();
            let j = Journal::create_files(file, &graph, 1)?;
            opened.created = true;
            return Ok((graph, Some(j), opened));
        }
        let mut graph = Graph::open(file).map_err(JournalError::Snapshot)?;
        let id = snapshot_identity(file).map_err(io(file))?.ok_or_else(|| JournalError::Mismatch {
            path: file.display().to_string(),
            message: "the snapshot has no trailer".to_string(),
        })?;
        // A compaction that renamed its snapshot but not its journal.
        let mut read_from = journal.clone();
        if next.exists() {
            let bytes = std::fs::read(&next).map_err(io(&next))?;
            let matches = read_header(&next, &bytes).is_ok_and(|(next_id, _)| next_id == id);
            match (matches, writable) {
                (true, true) => {
                    std::fs::rename(&next, &journal).map_err(io(&journal))?;
                    sync_dir(&journal).map_err(io(&journal))?;
                    opened.finished_compaction = true;
                }
                (true, false) => read_from = next.clone(),
                (false, true) => std::fs::remove_file(&next).map_err(io(&next))?,
                (false, false) => {}
            }
        }
        let bytes = match std::fs::read(&read_from) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !writable {
                    return Ok((graph, None, opened));
                }
                let bytes = header(id, 1);
                write_synced(&journal, &bytes).map_err(io(&journal))?;
                sync_dir(&journal).map_err(io(&journal))?;
                bytes
            }
            Err(e) => return Err(io(&read_from)(e)),
        };
        let (journal_id, first_seq) = read_header(&read_from, &bytes)?;
        if journal_id != id {
            return Err(JournalError::Mismatch {
                path: read_from.display().to_string(),
                message: format!(
                    "the journal was written for another snapshot than {}: replaying it would corrupt the graph (move it away to open the snapshot as it is)",
                    file.display()
                ),
            });
        }
        let (records, torn) = replay(&read_from, &bytes, first_seq, &mut graph)?;
        opened.records = records;
        let mut len = bytes.len() as u64;
        if let Some(at) = torn {
            opened.dropped = Some((at as u64, len - at as u64));
            len = at as u64;
        }
        if !writable {
            return Ok((graph, None, opened));
        }
        if torn.is_some() {
            let f = OpenOptions::new().write(true).open(&journal).map_err(io(&journal))?;
            f.set_len(len).and_then(|()| f.sync_all()).map_err(io(&journal))?;
        }
        let f = OpenOptions::new().append(true).open(&journal).map_err(io(&journal))?;
        let j = Journal {
            snapshot: file.to_path_buf(),
            path: journal,
            file: f,
            next_seq: first_seq + records,
            len,
            broken: false,
        };
        Ok((graph, Some(j), opened))
    }

    /// Writes `graph` as the snapshot `file` and an empty journal for it
    /// whose first record is number `first_seq`, by the steps of the module
    /// doc.
    fn create_files(file: &Path, graph: &Graph, first_seq: u64) -> Result<Journal, JournalError> {
        let partial = with_suffix(file, &format!(".partial-{}", std::process::id()));
        let journal = journal_path(file);
        let next = with_suffix(file, ".journal.next");
        let written = (|| {
            let f = File::create(&partial).map_err(io(&partial))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
            graph.write_snapshot(&mut out).map_err(io(&partial))?;
            out.flush().map_err(io(&partial))?;
            let f = out.into_inner().map_err(|e| io(&partial)(e.into_error()))?;
            f.sync_all().map_err(io(&partial))?;
            let id =
                snapshot_identity(&partial).map_err(io(&partial))?.ok_or_else(|| JournalError::Mismatch {
                    path: partial.display().to_string(),
                    message: "the snapshot just written has no trailer".to_string(),
                })?;
            write_synced(&next, &header(id, first_seq)).map_err(io(&next))?;
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(&next);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&partial, file).and_then(|()| sync_dir(file)) {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(&next);
            return Err(io(file)(e));
        }
        // From here the snapshot is in place: a failure leaves `.next` for
        // the next start to finish with.
        std::fs::rename(&next, &journal).and_then(|()| sync_dir(&journal)).map_err(io(&journal))?;
        let f = OpenOptions::new().append(true).open(&journal).map_err(io(&journal))?;
        Ok(Journal {
            snapshot: file.to_path_buf(),
            path: journal,
            file: f,
            next_seq: first_seq,
            len: HEADER as u64,
            broken: false,
        })
    }

    /// Appends the record of one committed unit and syncs it to disk.
    ///
    /// # Errors
    /// When writing or syncing fails (the journal then refuses further
    /// writes), or the journal refuses writes since an earlier failure.
    pub(crate) fn append(&mut self, changes: &Changes) -> Result<(), JournalError> {
        let mut record = vec![0u8; FRAME];
        record.push(CHANGES);
        changes.encode(&mut record).map_err(io(&self.path))?;
        self.append_record(record)
    }

    /// Appends the record saying that the graph was replaced by its
    /// compacted copy (see the module doc), and syncs it.
    ///
    /// # Errors
    /// As [`append`](Self::append).
    pub(crate) fn append_compacted(&mut self) -> Result<(), JournalError> {
        let mut record = vec![0u8; FRAME];
        record.push(COMPACTED);
        self.append_record(record)
    }

    /// Frames and writes a record whose payload follows `FRAME` bytes of
    /// room for the frame.
    fn append_record(&mut self, mut record: Vec<u8>) -> Result<(), JournalError> {
        if self.broken {
            return Err(JournalError::Broken { path: self.path.display().to_string() });
        }
        let len = u32::try_from(record.len() - FRAME).map_err(|_| JournalError::Io {
            path: self.path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "a write of more than 4 GiB"),
        })?;
        record[..4].copy_from_slice(&len.to_le_bytes());
        record[8..16].copy_from_slice(&self.next_seq.to_le_bytes());
        let crc = crc32fast::hash(&record[8..]);
        record[4..8].copy_from_slice(&crc.to_le_bytes());
        if let Err(e) = self.file.write_all(&record).and_then(|()| self.file.sync_data()) {
            self.broken = true;
            return Err(io(&self.path)(e));
        }
        self.next_seq += 1;
        self.len += record.len() as u64;
        Ok(())
    }

    /// The journal's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Whether the journal holds no records.
    pub(crate) fn is_empty(&self) -> bool {
        self.len <= HEADER as u64
    }

    /// The journal file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `graph` (which must have no deleted slots: see
    /// `Graph::compacted`) as the new snapshot and starts an empty journal.
    /// On failure the old snapshot and journal stay in use, unless the new
    /// snapshot was already in place: then the journal refuses writes.
    ///
    /// # Errors
    /// What writing or renaming the files returned.
    pub(crate) fn compact(&mut self, graph: &Graph) -> Result<(), JournalError> {
        match Journal::create_files(&self.snapshot, graph, self.next_seq) {
            Ok(fresh) => {
                *self = fresh;
                Ok(())
            }
            Err(e) => {
                // Whether the snapshot was replaced: then appending to the
                // old journal would put writes where no start reads them.
                let replaced = snapshot_identity(&self.snapshot).ok().flatten();
                let ours = std::fs::read(&self.path)
                    .ok()
                    .and_then(|b| read_header(&self.path, &b).ok())
                    .map(|h| h.0);
                if replaced != ours {
                    self.broken = true;
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Subgraph;
    use std::io::Read;

    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let d = std::env::temp_dir().join(format!("aikg-journal-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            Dir(d)
        }

        fn file(&self) -> PathBuf {
            self.0.join("graph.aikg")
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn json(g: &Graph) -> String {
        Subgraph::all(g).to_json().to_string()
    }

    /// The first `n` bytes of `path`.
    fn head(path: &Path, n: usize) -> Vec<u8> {
        let mut buf = vec![0u8; n];
        File::open(path).unwrap().read_exact(&mut buf).unwrap();
        buf
    }

    /// Runs `statement` as the server does: in a unit, appended when it
    /// changed something.
    fn write(graph: &mut Graph, journal: &mut Journal, statement: &str) {
        graph.begin_unit();
        let ran = graph.execute(statement);
        if let Some(c) = graph.unit_changes() {
            journal.append(&c).unwrap();
        }
        graph.commit_unit();
        ran.map(|_| ()).unwrap_or_else(|e| assert!(statement.contains("FAILS"), "{e}"));
    }

    fn open(file: &Path) -> (Graph, Journal, Opened) {
        let (g, j, o) = Journal::open(file, true).unwrap();
        (g, j.unwrap(), o)
    }

    #[test]
    fn a_missing_file_is_created_and_writes_survive_a_restart() {
        let dir = Dir::new("create");
        let (mut g, mut j, opened) = open(&dir.file());
        assert!(opened.created);
        assert!(Graph::is_snapshot(dir.file()));
        assert!(j.is_empty());
        write(&mut g, &mut j, "CREATE (:A {id: 'a'})-[:T]->(:B {n: 1})");
        write(&mut g, &mut j, "MATCH (b:B) SET b.n = 2, b:C");
        write(&mut g, &mut j, "MATCH (n) RETURN n");
        write(&mut g, &mut j, "MATCH (a:A) DELETE a // FAILS: a has a relationship");
        write(&mut g, &mut j, "MATCH (a:A) DETACH DELETE a");
        write(&mut g, &mut j, "CREATE (:A {id: 'again'})");
        drop(j);
        let (replayed, j, opened) = open(&dir.file());
        assert_eq!(opened.records, 4, "a read and a failed write leave no record");
        assert_eq!(json(&replayed), json(&g));
        assert_eq!(j.next_seq, 5);
    }

    #[test]
    fn an_incomplete_last_record_is_dropped_and_the_file_truncated() {
        let dir = Dir::new("torn");
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A {n: 1})");
        let kept = json(&g);
        let good_len = j.len();
        write(&mut g, &mut j, "CREATE (:A {n: 2})");
        let full_len = j.len();
        drop(j);
        let journal = journal_path(&dir.file());
        let bytes = std::fs::read(&journal).unwrap();
        // Every cut inside the last record, and a tail of zeros instead of it.
        let mut tails: Vec<Vec<u8>> =
            (good_len..full_len).map(|cut| bytes[..cut as usize].to_vec()).collect();
        let mut zeros = bytes[..good_len as usize].to_vec();
        zeros.resize(full_len as usize + 100, 0);
        tails.push(zeros);
        for tail in tails {
            std::fs::write(&journal, &tail).unwrap();
            let (replayed, j, opened) = open(&dir.file());
            assert_eq!(opened.records, 1, "{} bytes", tail.len());
            assert_eq!(opened.dropped.is_some(), tail.len() as u64 != good_len);
            assert_eq!(json(&replayed), kept);
            assert_eq!(std::fs::metadata(&journal).unwrap().len(), good_len);
            assert_eq!(j.len(), good_len);
        }
        // Appending after the truncation goes on from there.
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A {n: 3})");
        drop(j);
        let (replayed, _, opened) = open(&dir.file());
        assert_eq!((opened.records, opened.dropped), (2, None));
        assert_eq!(json(&replayed), json(&g));
    }

    #[test]
    fn damage_before_the_last_record_is_an_error_naming_file_and_offset() {
        let dir = Dir::new("corrupt");
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A {n: 1})");
        let second = j.len();
        write(&mut g, &mut j, "CREATE (:A {n: 2})");
        write(&mut g, &mut j, "CREATE (:A {n: 3})");
        drop(j);
        let journal = journal_path(&dir.file());
        let bytes = std::fs::read(&journal).unwrap();
        let name = journal.display().to_string();
        // A flipped payload byte in the second record of three.
        let mut damaged = bytes.clone();
        damaged[second as usize + FRAME + 2] ^= 0x40;
        std::fs::write(&journal, &damaged).unwrap();
        let err = Journal::open(&dir.file(), true).unwrap_err().to_string();
        assert_eq!(
            err,
            format!("{name}: byte {second}: the record's checksum does not match, and intact records follow it: the journal is damaged")
        );
        assert_eq!(std::fs::read(&journal).unwrap(), damaged, "a damaged journal is left as it is");
        // A length that runs past the end, with records after it.
        let mut damaged = bytes.clone();
        damaged[second as usize + 3] = 0x7f;
        std::fs::write(&journal, &damaged).unwrap();
        let err = Journal::open(&dir.file(), true).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{name}: byte {second}: the record runs past the end")), "{err}");
        // Two records swapped: intact, but out of order.
        let third = second as usize + (bytes.len() - second as usize) / 2;
        let mut swapped = bytes[..second as usize].to_vec();
        swapped.extend_from_slice(&bytes[third..]);
        swapped.extend_from_slice(&bytes[second as usize..third]);
        std::fs::write(&journal, &swapped).unwrap();
        let err = Journal::open(&dir.file(), false).unwrap_err().to_string();
        assert_eq!(err, format!("{name}: byte {second}: record number 3 where number 2 was expected"));
        // Garbage at every byte is an error or a dropped tail, never a panic.
        for i in HEADER..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0xff;
            std::fs::write(&journal, &damaged).unwrap();
            let _ = Journal::open(&dir.file(), false);
        }
    }

    #[test]
    fn a_journal_for_another_snapshot_is_refused() {
        let dir = Dir::new("mismatch");
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A)");
        drop(j);
        let mut other = Graph::new();
        other.add_node(["Other"], []);
        other.save(dir.file()).unwrap();
        let err = Journal::open(&dir.file(), true).unwrap_err().to_string();
        assert!(err.contains("the journal was written for another snapshot"), "{err}");
        std::fs::remove_file(dir.file()).unwrap();
        let err = Journal::open(&dir.file(), true).unwrap_err().to_string();
        assert!(err.contains("the journal exists but its snapshot"), "{err}");
        let missing = dir.0.join("missing.aikg");
        assert!(Journal::open(&missing, false).is_err(), "read-only creates nothing");
        assert!(!missing.exists());
    }

    #[test]
    fn compaction_folds_the_journal_into_the_snapshot_deletions_included() {
        let dir = Dir::new("compact");
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A {id: 'a'})-[:T]->(:B {id: 'b'}), (:C {id: 'c'})");
        write(&mut g, &mut j, "MATCH (a {id: 'a'}) DETACH DELETE a");
        let g = g.compacted();
        let before = json(&g);
        j.compact(&g).unwrap();
        assert!(j.is_empty());
        assert_eq!(j.next_seq, 3, "numbering goes on");
        let mut g = g;
        write(&mut g, &mut j, "MATCH (b {id: 'b'}) CREATE (b)-[:U]->(:D {id: 'd'})");
        drop(j);
        let (replayed, _, opened) = open(&dir.file());
        assert_eq!(opened.records, 1);
        assert_eq!(json(&replayed), json(&g));
        assert_ne!(json(&replayed), before);
        assert_eq!(replayed.node_slots(), 3, "the deleted slot is gone");
    }

    #[test]
    fn a_compaction_record_renumbers_at_the_same_point_on_replay() {
        let dir = Dir::new("renumber");
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A {id: 'a'}), (:B {id: 'b'})-[:T]->(:C {id: 'c'})");
        write(&mut g, &mut j, "MATCH (a {id: 'a'}) DELETE a");
        // As the server does when the snapshot cannot follow at once.
        j.append_compacted().unwrap();
        g = g.compacted();
        write(&mut g, &mut j, "MATCH (b {id: 'b'}) SET b.n = 1 CREATE (b)-[:U]->(:D {id: 'd'})");
        write(&mut g, &mut j, "MATCH (c {id: 'c'}) DETACH DELETE c");
        drop(j);
        let (replayed, _, opened) = open(&dir.file());
        assert_eq!(opened.records, 5);
        assert_eq!(json(&replayed), json(&g));
        assert_eq!((replayed.node_slots(), replayed.edge_slots()), (g.node_slots(), g.edge_slots()));
        assert_eq!(replayed.node_by_key("d"), g.node_by_key("d"));
    }

    #[test]
    fn a_compaction_cut_short_between_the_renames_is_finished_on_open() {
        let dir = Dir::new("interrupted");
        let (mut g, mut j, _) = open(&dir.file());
        write(&mut g, &mut j, "CREATE (:A {n: 1})");
        drop(j);
        let journal = journal_path(&dir.file());
        let old_journal = std::fs::read(&journal).unwrap();
        // Compact, then put the old journal back: as if the process died
        // after renaming the snapshot, before renaming the journal.
        let (g2, mut j, _) = open(&dir.file());
        j.compact(&g2).unwrap();
        let fresh = std::fs::read(&journal).unwrap();
        std::fs::write(with_suffix(&dir.file(), ".journal.next"), &fresh).unwrap();
        std::fs::write(&journal, &old_journal).unwrap();
        let (replayed, _, opened) = open(&dir.file());
        assert!(opened.finished_compaction);
        assert_eq!(opened.records, 0, "the old journal's record is in the snapshot");
        assert_eq!(json(&replayed), json(&g));
        assert_eq!(head(&journal, HEADER), fresh[..HEADER]);
        // A `.next` left before the snapshot was renamed is removed.
        std::fs::write(with_suffix(&dir.file(), ".journal.next"), header([7; 12], 9)).unwrap();
        let (replayed, _, opened) = open(&dir.file());
        assert!(!opened.finished_compaction);
        assert!(!with_suffix(&dir.file(), ".journal.next").exists());
        assert_eq!(json(&replayed), json(&g));
    }
}
