//! The Bolt protocol, versions 4.4 and 5.0 to 5.4: the handshake, chunked
//! framing, and the per-connection state machine of requests
//! (HELLO, LOGON, RUN, PULL, BEGIN, ...) and their summaries.
//!
//! A connection is one task. It reads a whole message (bounded by the
//! configured size), answers it, and only then reads the next, so a
//! client that pipelines requests gets its answers in order. Queries run
//! on the blocking pool; a slow or silent client holds only its own task.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::packstream::{decode, encode, PackValue};
use super::structs::{from_pack, to_pack, Dialect};
use super::{log, Failure, Shared, TxGraph};
use crate::{Params, ResultSet};

/// The server agent string. Drivers only log it, but some tools look for
/// the `Neo4j/` prefix to decide what a server can do.
const AGENT: &str = concat!("Neo4j/5.4.0 compatible (aikg ", env!("CARGO_PKG_VERSION"), ")");
const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
/// How long a client may take to send the handshake, and then to log in.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may pause inside a message.
const MESSAGE_PATIENCE: Duration = Duration::from_secs(30);

mod msg {
    pub const HELLO: u8 = 0x01;
    pub const GOODBYE: u8 = 0x02;
    pub const RESET: u8 = 0x0F;
    pub const RUN: u8 = 0x10;
    pub const BEGIN: u8 = 0x11;
    pub const COMMIT: u8 = 0x12;
    pub const ROLLBACK: u8 = 0x13;
    pub const DISCARD: u8 = 0x2F;
    pub const PULL: u8 = 0x3F;
    pub const TELEMETRY: u8 = 0x54;
    pub const ROUTE: u8 = 0x66;
    pub const LOGON: u8 = 0x6A;
    pub const LOGOFF: u8 = 0x6B;
    pub const SUCCESS: u8 = 0x70;
    pub const RECORD: u8 = 0x71;
    pub const IGNORED: u8 = 0x7E;
    pub const FAILURE: u8 = 0x7F;
}

/// A Bolt protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    pub major: u8,
    pub minor: u8,
}

/// Picks the version to speak from the four proposals of a handshake, in
/// the client's order of preference: 5.0 to 5.4, or 4.4. A proposal
/// `[_, range, minor, major]` offers `major.minor` down to
/// `major.(minor - range)`.
pub(crate) fn negotiate(proposals: &[u8; 16]) -> Option<Version> {
    proposals.chunks(4).find_map(|p| {
        let (range, minor, major) = (p[1], p[2], p[3]);
        let lowest = minor.saturating_sub(range);
        let best = match major {
            5 => minor.min(4),
            4 => 4,
            _ => return None,
        };
        (best >= lowest && best <= minor).then_some(Version { major, minor: best })
    })
}

/// Accepts Bolt connections until `stop` turns true.
pub(crate) async fn listen(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else { return };
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    log(format_args!("bolt: accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let Ok(permit) = shared.bolt_slots.clone().try_acquire_owned() else {
            log(format_args!(
                "bolt: {peer}: refused, {} connections are open",
                shared.config.max_connections
            ));
            continue;
        };
        let shared = shared.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _ = stream.set_nodelay(true);
            let local = stream.local_addr().ok();
            tokio::select! {
                _ = connection(stream, shared, peer, local) => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// Why a connection ends.
enum Close {
    /// The client said GOODBYE or hung up.
    Done,
    /// The client broke the protocol; already logged.
    Violation,
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, peer: SocketAddr, local: Option<SocketAddr>) {
    let (read, write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut writer = BufWriter::new(write);
    let mut hello = [0u8; 20];
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, reader.read_exact(&mut hello)).await {
        Ok(Ok(_)) => {}
        _ => return,
    }
    if hello[..4] != MAGIC {
        log(format_args!("bolt: {peer}: not a Bolt client (no handshake)"));
        return;
    }
    let proposals: [u8; 16] = hello[4..].try_into().unwrap_or([0; 16]);
    let Some(version) = negotiate(&proposals) else {
        let _ = writer.write_all(&[0, 0, 0, 0]).await;
        let _ = writer.flush().await;
        log(format_args!("bolt: {peer}: no common version in {proposals:02X?}"));
        return;
    };
    if writer.write_all(&[0, 0, version.minor, version.major]).await.is_err() || writer.flush().await.is_err()
    {
        return;
    }
    let mut session = Session::new(shared.clone(), version, peer, local);
    let max = shared.config.max_message_size;
    let mut login_deadline = None;
    loop {
        let reading = read_message(&mut reader, max, MESSAGE_PATIENCE);
        // Until it has logged in (again, after a LOGOFF), a client gets a
        // few seconds in all: a connection slot is not for idling strangers.
        let read = if session.state == State::Ready || session.state == State::Failed {
            login_deadline = None;
            reading.await
        } else {
            let deadline =
                *login_deadline.get_or_insert_with(|| tokio::time::Instant::now() + HANDSHAKE_TIMEOUT);
            match tokio::time::timeout_at(deadline, reading).await {
                Ok(read) => read,
                Err(_) => Err(format!("did not log in within {}s", HANDSHAKE_TIMEOUT.as_secs())),
            }
        };
        let message = match read {
            Ok(Some(m)) => m,
            Ok(None) => return,
            Err(e) => {
                log(format_args!("bolt: {peer}: {e}"));
                return;
            }
        };
        let request = match decode(&message) {
            Ok(PackValue::Struct(tag, fields)) => (tag, fields),
            Ok(other) => {
                log(format_args!("bolt: {peer}: a message must be a structure, not a {}", other.type_name()));
                return;
            }
            Err(e) => {
                log(format_args!("bolt: {peer}: {e}"));
                let failure = Failure::new("Neo.ClientError.Request.InvalidFormat", e.to_string());
                let _ = send(&mut writer, &failure_message(&failure)).await;
                let _ = writer.flush().await;
                return;
            }
        };
        let mut out = Vec::new();
        let close = session.handle(request.0, request.1, &mut out).await;
        for m in &out {
            if send(&mut writer, m).await.is_err() {
                return;
            }
        }
        if writer.flush().await.is_err() || close.is_some() {
            return;
        }
    }
}

/// Reads one message, joining its chunks; `None` when the client hung
/// up between messages. Empty messages (keep-alive NOOPs) are skipped.
/// Between messages a client may stay silent as long as it likes (drivers
/// keep idle connections in pools), but once a message has begun the rest
/// must come within `patience`, so a stalled client cannot hold its
/// connection slot half-way through a message.
async fn read_message<R: AsyncReadExt + Unpin>(
    reader: &mut R,
    max: usize,
    patience: Duration,
) -> Result<Option<Vec<u8>>, String> {
    let mut message = Vec::new();
    loop {
        let mut header = [0u8; 2];
        let read = if message.is_empty() {
            reader.read_exact(&mut header).await
        } else {
            within(patience, reader.read_exact(&mut header)).await?
        };
        match read {
            Ok(_) => {}
            Err(_) if message.is_empty() => return Ok(None),
            Err(e) => return Err(format!("connection lost inside a message: {e}")),
        }
        let size = usize::from(u16::from_be_bytes(header));
        if size == 0 {
            if message.is_empty() {
                continue;
            }
            return Ok(Some(message));
        }
        if message.len() + size > max {
            return Err(format!("message larger than the limit of {max} bytes"));
        }
        let start = message.len();
        message.resize(start + size, 0);
        within(patience, reader.read_exact(&mut message[start..]))
            .await?
            .map_err(|e| format!("connection lost inside a chunk: {e}"))?;
    }
}

async fn within<T>(patience: Duration, io: impl std::future::Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(patience, io)
        .await
        .map_err(|_| format!("the client stalled for {}s inside a message", patience.as_secs()))
}

async fn send<W: AsyncWriteExt + Unpin>(writer: &mut W, message: &PackValue) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    encode(message, &mut bytes);
    for chunk in bytes.chunks(0xFFFF) {
        writer.write_all(&(chunk.len() as u16).to_be_bytes()).await?;
        writer.write_all(chunk).await?;
    }
    writer.write_all(&[0, 0]).await
}

fn success(meta: Vec<(&str, PackValue)>) -> PackValue {
    PackValue::Struct(msg::SUCCESS, vec![PackValue::map(meta)])
}

fn failure_message(f: &Failure) -> PackValue {
    PackValue::Struct(
        msg::FAILURE,
        vec![PackValue::map([
            ("code", PackValue::str(f.code)),
            ("message", PackValue::str(f.message.clone())),
        ])],
    )
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new("Neo.ClientError.Request.Invalid", message)
}

/// Where a connection is in Bolt's state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for HELLO.
    Connected,
    /// Bolt 5.1+: HELLO done, waiting for LOGON.
    Authentication,
    /// Ready for requests (streams and a transaction may be open).
    Ready,
    /// A request failed: everything is IGNORED until RESET.
    Failed,
}

/// A result being pulled.
struct Stream {
    qid: i64,
    result: ResultSet,
    next: usize,
    wrote: bool,
    started: Instant,
}

/// An explicit transaction.
struct Tx {
    graph: TxGraph,
    /// `BEGIN {mode: "r"}`: writes are refused.
    read_only: bool,
    timeout: Option<Duration>,
    next_qid: i64,
}

struct Session {
    shared: Arc<Shared>,
    version: Version,
    dialect: Dialect,
    peer: SocketAddr,
    local: Option<SocketAddr>,
    id: u64,
    state: State,
    /// The address the client says it dialled, for ROUTE answers.
    routing_address: Option<String>,
    streams: Vec<Stream>,
    tx: Option<Tx>,
}

impl Session {
    fn new(shared: Arc<Shared>, version: Version, peer: SocketAddr, local: Option<SocketAddr>) -> Session {
        let id = shared.connection_id();
        Session {
            shared,
            version,
            dialect: Dialect { element_ids: version.major >= 5, utc: version.major >= 5 },
            peer,
            local,
            id,
            state: State::Connected,
            routing_address: None,
            streams: Vec::new(),
            tx: None,
        }
    }

    fn logon_separate(&self) -> bool {
        self.version >= Version { major: 5, minor: 1 }
    }

    /// Answers one request into `out`; `Some` when the connection must close.
    async fn handle(&mut self, tag: u8, fields: Vec<PackValue>, out: &mut Vec<PackValue>) -> Option<Close> {
        if tag == msg::GOODBYE {
            return Some(Close::Done);
        }
        if tag == msg::RESET {
            self.streams.clear();
            self.tx = None;
            if self.state == State::Failed {
                self.state = State::Ready;
            }
            out.push(success(Vec::new()));
            return None;
        }
        if self.state == State::Failed {
            out.push(PackValue::Struct(msg::IGNORED, Vec::new()));
            return None;
        }
        let reply = match (self.state, tag) {
            (State::Connected, msg::HELLO) => self.hello(fields),
            (State::Authentication, msg::LOGON) => self.logon(fields.into_iter().next()),
            (State::Ready, msg::LOGOFF) if self.logon_separate() => {
                self.streams.clear();
                self.tx = None;
                self.state = State::Authentication;
                Ok(success(Vec::new()))
            }
            (State::Ready, msg::RUN) => self.run(fields).await,
            (State::Ready, msg::PULL) => return self.pull(fields, out, false),
            (State::Ready, msg::DISCARD) => return self.pull(fields, out, true),
            (State::Ready, msg::BEGIN) => self.begin(fields),
            (State::Ready, msg::COMMIT) => self.commit(),
            (State::Ready, msg::ROLLBACK) => self.rollback(),
            (State::Ready, msg::ROUTE) => Ok(self.route(fields)),
            (State::Ready, msg::TELEMETRY) => Ok(success(Vec::new())),
            (state, tag) => {
                log(format_args!(
                    "bolt: {}: message 0x{tag:02X} is not allowed in state {state:?}",
                    self.peer
                ));
                out.push(failure_message(&invalid(format!(
                    "message 0x{tag:02X} is not allowed in state {state:?}"
                ))));
                return Some(Close::Violation);
            }
        };
        match reply {
            Ok(m) => out.push(m),
            Err(f) => {
                out.push(failure_message(&f));
                if f.code == "Neo.ClientError.Security.Unauthorized" {
                    return Some(Close::Violation);
                }
                self.state = State::Failed;
            }
        }
        None
    }

    fn hello(&mut self, fields: Vec<PackValue>) -> Result<PackValue, Failure> {
        let extra = fields.into_iter().next().unwrap_or(PackValue::Map(Vec::new()));
        self.routing_address =
            extra.get("routing").and_then(|r| r.get("address")).and_then(|a| a.as_str()).map(String::from);
        let mut meta = vec![
            ("server", PackValue::str(AGENT)),
            ("connection_id", PackValue::String(format!("bolt-{}", self.id))),
            ("hints", PackValue::Map(Vec::new())),
        ];
        if self.version.major == 4 {
            let asks_utc = matches!(extra.get("patch_bolt"), Some(PackValue::List(p)) if p.iter().any(|x| x.as_str() == Some("utc")));
            if asks_utc {
                self.dialect.utc = true;
                meta.push(("patch_bolt", PackValue::List(vec![PackValue::str("utc")])));
            }
        }
        if self.logon_separate() {
            self.state = State::Authentication;
        } else {
            self.authenticate(&extra)?;
            self.state = State::Ready;
        }
        Ok(success(meta))
    }

    fn logon(&mut self, auth: Option<PackValue>) -> Result<PackValue, Failure> {
        self.authenticate(&auth.unwrap_or(PackValue::Map(Vec::new())))?;
        self.state = State::Ready;
        Ok(success(Vec::new()))
    }

    fn authenticate(&self, auth: &PackValue) -> Result<(), Failure> {
        let Some(credentials) = &self.shared.config.auth else { return Ok(()) };
        let text = |k: &str| auth.get(k).and_then(PackValue::as_str).unwrap_or("");
        let user = text("principal");
        if text("scheme") == "basic" && credentials.check(user, text("credentials")) {
            return Ok(());
        }
        // The password is never logged, right or wrong.
        log(format_args!("bolt: {}: authentication failed for user '{user}'", self.peer));
        Err(Failure::new(
            "Neo.ClientError.Security.Unauthorized",
            "the client is unauthorized due to authentication failure",
        ))
    }

    fn route(&self, fields: Vec<PackValue>) -> PackValue {
        let from_context = fields.first().and_then(|r| r.get("address")).and_then(PackValue::as_str);
        let address = from_context
            .map(String::from)
            .or_else(|| self.routing_address.clone())
            .or_else(|| self.local.map(|a| a.to_string()))
            .unwrap_or_default();
        let server = |role: &str| {
            PackValue::map([
                ("addresses", PackValue::List(vec![PackValue::String(address.clone())])),
                ("role", PackValue::str(role)),
            ])
        };
        let table = PackValue::map([
            ("ttl", PackValue::Int(300)),
            ("db", PackValue::str("neo4j")),
            ("servers", PackValue::List(vec![server("ROUTE"), server("READ"), server("WRITE")])),
        ]);
        success(vec![("rt", table)])
    }

    fn begin(&mut self, fields: Vec<PackValue>) -> Result<PackValue, Failure> {
        if self.tx.is_some() {
            return Err(invalid("a transaction is already open on this connection"));
        }
        let extra = fields.into_iter().next().unwrap_or(PackValue::Map(Vec::new()));
        self.streams.clear();
        self.tx = Some(Tx {
            graph: TxGraph::default(),
            read_only: extra.get("mode").and_then(PackValue::as_str) == Some("r"),
            timeout: timeout_of(&extra),
            next_qid: 0,
        });
        Ok(success(Vec::new()))
    }

    fn commit(&mut self) -> Result<PackValue, Failure> {
        let tx = self.tx.take().ok_or_else(|| invalid("COMMIT without an open transaction"))?;
        self.streams.clear();
        self.shared.commit(tx.graph)?;
        Ok(success(vec![("bookmark", PackValue::String(self.shared.bookmark()))]))
    }

    fn rollback(&mut self) -> Result<PackValue, Failure> {
        // Dropping the transaction drops its copy of the graph.
        self.tx.take().ok_or_else(|| invalid("ROLLBACK without an open transaction"))?;
        self.streams.clear();
        Ok(success(Vec::new()))
    }

    async fn run(&mut self, fields: Vec<PackValue>) -> Result<PackValue, Failure> {
        let mut fields = fields.into_iter();
        let text = match fields.next() {
            Some(PackValue::String(s)) => s,
            _ => return Err(invalid("RUN needs the query text as its first field")),
        };
        let params = match fields.next() {
            Some(PackValue::Map(pairs)) => {
                let mut params = Params::new();
                for (k, v) in pairs {
                    let v = from_pack(v).map_err(|m| {
                        Failure::new("Neo.ClientError.Statement.TypeError", format!("parameter ${k}: {m}"))
                    })?;
                    params.insert(k, v);
                }
                params
            }
            None | Some(PackValue::Null) => Params::new(),
            Some(other) => {
                return Err(invalid(format!("RUN parameters must be a map, not a {}", other.type_name())))
            }
        };
        let extra = fields.next().unwrap_or(PackValue::Map(Vec::new()));
        let started = Instant::now();
        let shared = self.shared.clone();
        let read_mode = match &self.tx {
            Some(tx) => tx.read_only,
            None => extra.get("mode").and_then(PackValue::as_str) == Some("r"),
        };
        let timeout = match &self.tx {
            Some(tx) => tx.timeout,
            None => timeout_of(&extra),
        };
        let options = shared.options(timeout);
        let mut tx = self.tx.take();
        let joined = tokio::task::spawn_blocking(move || {
            let outcome = (|| {
                let query = shared.parse(&text)?;
                let wrote = super::writes(&query);
                if wrote && read_mode {
                    return Err(Failure::new(
                        "Neo.ClientError.Statement.AccessMode",
                        "writing in read access mode is not allowed: open a write session or transaction",
                    ));
                }
                let result = match &mut tx {
                    Some(tx) => shared.run_in(&mut tx.graph, &query, &params, &options)?,
                    None => shared.run(&query, &params, &options)?,
                };
                Ok((result, wrote))
            })();
            (outcome, tx)
        })
        .await;
        let (outcome, tx) = match joined {
            Ok(done) => done,
            Err(e) => {
                log(format_args!("bolt: {}: a query failed to finish: {e}", self.peer));
                (
                    Err(Failure::new("Neo.DatabaseError.General.UnknownError", "the query failed to finish")),
                    None,
                )
            }
        };
        self.tx = tx;
        let (result, wrote) = outcome?;
        let qid = match &mut self.tx {
            Some(tx) => {
                tx.next_qid += 1;
                tx.next_qid - 1
            }
            None => {
                self.streams.clear();
                -1
            }
        };
        let columns: Vec<PackValue> = result.columns().iter().map(|c| PackValue::str(c.as_str())).collect();
        self.streams.push(Stream { qid, result, next: 0, wrote, started });
        let mut meta = vec![
            ("fields", PackValue::List(columns)),
            ("t_first", PackValue::Int(started.elapsed().as_millis() as i64)),
        ];
        if self.tx.is_some() {
            meta.push(("qid", PackValue::Int(qid)));
        }
        Ok(success(meta))
    }

    /// PULL (or DISCARD): up to `n` records of a stream, then a summary
    /// saying whether more are left.
    fn pull(&mut self, fields: Vec<PackValue>, out: &mut Vec<PackValue>, discard: bool) -> Option<Close> {
        let extra = fields.into_iter().next().unwrap_or(PackValue::Map(Vec::new()));
        let n = extra.get("n").and_then(PackValue::as_int).unwrap_or(-1);
        let qid = extra.get("qid").and_then(PackValue::as_int).unwrap_or(-1);
        let position = match qid {
            -1 => self.streams.len().checked_sub(1),
            q => self.streams.iter().position(|s| s.qid == q),
        };
        let Some(position) = position else {
            out.push(failure_message(&invalid("there is no result to pull from")));
            self.state = State::Failed;
            return None;
        };
        let stream = &mut self.streams[position];
        let left = stream.result.len() - stream.next;
        let take = if n < 0 { left } else { left.min(usize::try_from(n).unwrap_or(usize::MAX)) };
        if !discard {
            for row in stream.next..stream.next + take {
                let values = stream.result.row(row).unwrap_or(&[]);
                let values = values.iter().map(|v| to_pack(&stream.result, v, self.dialect)).collect();
                out.push(PackValue::Struct(msg::RECORD, vec![PackValue::List(values)]));
            }
        }
        stream.next += take;
        if stream.next < stream.result.len() {
            out.push(success(vec![("has_more", PackValue::Bool(true))]));
            return None;
        }
        let stream = self.streams.remove(position);
        let mut meta = vec![
            ("type", PackValue::str(if stream.wrote { "w" } else { "r" })),
            ("t_last", PackValue::Int(stream.started.elapsed().as_millis() as i64)),
            ("db", PackValue::str("neo4j")),
        ];
        if self.tx.is_none() {
            meta.push(("bookmark", PackValue::String(self.shared.bookmark())));
        }
        let stats = stream.result.stats();
        let counters: Vec<(&str, usize)> = [
            ("nodes-created", stats.nodes_created),
            ("relationships-created", stats.relationships_created),
            ("properties-set", stats.properties_set),
            ("labels-added", stats.labels_added),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
        if !counters.is_empty() {
            let counters = counters.into_iter().map(|(k, n)| (k, PackValue::Int(n as i64)));
            meta.push(("stats", PackValue::map(counters)));
        }
        out.push(success(meta));
        None
    }
}

/// `tx_timeout` (milliseconds) from a RUN or BEGIN; 0 or absent means the
/// server's own.
fn timeout_of(extra: &PackValue) -> Option<Duration> {
    let ms = extra.get("tx_timeout").and_then(PackValue::as_int)?;
    (ms > 0).then(|| Duration::from_millis(ms.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(proposals: [[u8; 4]; 4]) -> Option<Version> {
        let mut flat = [0u8; 16];
        for (i, p) in proposals.iter().enumerate() {
            flat[i * 4..i * 4 + 4].copy_from_slice(p);
        }
        negotiate(&flat)
    }

    #[test]
    fn versions_are_negotiated_from_ranges() {
        let v = |major, minor| Some(Version { major, minor });
        // What the 5.x Python driver offers: 5.8 down to 5.0, then 4.4 down to 4.2.
        assert_eq!(offer([[0, 8, 8, 5], [0, 2, 4, 4], [0, 0, 1, 4], [0, 0, 0, 3]]), v(5, 4));
        assert_eq!(offer([[0, 0, 2, 5], [0; 4], [0; 4], [0; 4]]), v(5, 2));
        assert_eq!(offer([[0, 0, 8, 5], [0, 0, 4, 4], [0; 4], [0; 4]]), v(4, 4));
        // The manifest handshake of newer drivers is skipped for the plain ranges after it.
        assert_eq!(offer([[0, 0, 1, 0xFF], [0, 4, 4, 5], [0; 4], [0; 4]]), v(5, 4));
        assert_eq!(offer([[0, 0, 3, 4], [0, 0, 0, 3], [0; 4], [0; 4]]), None);
    }

    #[tokio::test]
    async fn messages_are_joined_from_chunks_and_bounded() {
        let bytes: &[u8] = &[0, 0, 0, 2, 0xB1, 0x01, 0, 1, 0xA0, 0, 0];
        let mut reader = bytes;
        let patience = Duration::from_secs(1);
        assert_eq!(read_message(&mut reader, 100, patience).await, Ok(Some(vec![0xB1, 0x01, 0xA0])));
        assert_eq!(read_message(&mut reader, 100, patience).await, Ok(None));
        let mut big: &[u8] = &[0, 3, 1, 2, 3, 0, 0];
        assert!(read_message(&mut big, 2, patience).await.unwrap_err().contains("limit of 2 bytes"));
        let mut cut: &[u8] = &[0, 5, 1, 2];
        assert!(read_message(&mut cut, 100, patience).await.is_err());
    }
}
