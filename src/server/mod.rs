//! `aikg serve`: the graph over Bolt (the protocol of the Neo4j drivers)
//! and over HTTP, behind the `server` feature.
//!
//! [`start`] binds the listeners and serves on a background thread with
//! its own runtime, so neither callers nor the library's other modules
//! see an async type. Every connection shares one graph: reads run side
//! by side, a write takes the graph for itself; queries run on the
//! runtime's blocking pool, so a long query never holds up other
//! connections' network work.
//!
//! ```no_run
//! use aikg::server::{start, ServerConfig};
//!
//! let server = start(aikg::Graph::builtin(), ServerConfig::default())?;
//! println!("bolt://{}", server.bolt_addr().expect("bolt is on by default"));
//! server.wait();
//! # Ok::<(), aikg::server::ServerError>(())
//! ```
//!
//! Explicit transactions see their own writes and nobody else's until
//! they commit: the first write of a transaction copies the graph, and the
//! commit puts the copy in place, or fails when another write committed
//! in between. Rolling back drops the copy.
//!
//! # Durability
//!
//! A server from [`start`] keeps writes in memory only. One from
//! [`start_durable`] serves the graph kept in a snapshot file and makes
//! every write durable before acknowledging it: a committed statement (or
//! transaction) is appended to the journal beside the file as one record
//! and synced to disk under the graph's write lock, then answered; the
//! journal is replayed on start (an incomplete last record, never
//! acknowledged, is dropped) and folded into a new snapshot when it grows
//! past [`ServerConfig::compact_after`] and when the server stops. See the
//! `journal` module for the file format and the crash cases;
//! `tests/durability.rs` kills the server in the middle of a stream of
//! writes and checks that every acknowledged one is there after a restart,
//! and no half of one.
//!
//! The server logs to standard error what an operator needs to see and no
//! client is told: refused logins (with the user name, never the
//! password), protocol violations, refused connections.

mod bolt;
mod http;
mod journal;
pub mod packstream;
mod structs;
mod web;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use tokio::sync::{watch, Semaphore};

use crate::error::{Error, ErrorClass, Phase};
use crate::{Graph, Params, Query, QueryOptions, ResultSet};
use journal::Journal;
pub use journal::JournalError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen for Bolt; `None` for no Bolt.
    pub bolt: Option<SocketAddr>,
    /// Where to listen for HTTP; `None` for no HTTP.
    pub http: Option<SocketAddr>,
    /// The one user allowed in; `None` lets everyone in, which
    /// [`start`] allows on loopback addresses only.
    pub auth: Option<Credentials>,
    /// Refuse queries that write.
    pub read_only: bool,
    /// Most Bolt connections open at once, and most HTTP requests in
    /// flight; more are turned away.
    pub max_connections: usize,
    /// Largest Bolt message (after joining its chunks) or HTTP body, in
    /// bytes.
    pub max_message_size: usize,
    /// The budgets of every query (its `cancel` handle is ignored: each
    /// query gets its own).
    pub query: QueryOptions,
    /// With [`start_durable`]: fold the journal into a new snapshot once it
    /// holds more than this many bytes.
    pub compact_after: u64,
}

impl Default for ServerConfig {
    /// Bolt on `127.0.0.1:7687`, HTTP on `127.0.0.1:7474`, no
    /// authentication, writes allowed, 256 connections, 16 MiB messages,
    /// 30 s and 100 000 rows a query, compaction after 64 MiB of journal.
    fn default() -> ServerConfig {
        ServerConfig {
            bolt: Some(SocketAddr::from(([127, 0, 0, 1], 7687))),
            http: Some(SocketAddr::from(([127, 0, 0, 1], 7474))),
            auth: None,
            read_only: false,
            max_connections: 256,
            max_message_size: 16 << 20,
            query: QueryOptions {
                timeout: Some(Duration::from_secs(30)),
                max_rows: Some(100_000),
                ..QueryOptions::default()
            },
            compact_after: 64 << 20,
        }
    }
}

/// A user name and password that clients must present.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// The credentials `user` / `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials { user: user.into(), password: password.into() }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Whether `user` and `password` are these; the password comparison
    /// takes the same time wherever the first difference is.
    pub fn check(&self, user: &str, password: &str) -> bool {
        let (a, b) = (self.password.as_bytes(), password.as_bytes());
        let mut diff = a.len() ^ b.len();
        for i in 0..a.len().max(b.len()) {
            diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
        }
        user == self.user && diff == 0
    }
}

/// Never shows the password.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).finish_non_exhaustive()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A listener could not bind its address.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A non-loopback address without credentials.
    #[error(
        "{addr} is reachable from other machines: give credentials (--auth or AIKG_AUTH) to listen there"
    )]
    AuthRequired {
        /// The address.
        addr: SocketAddr,
    },
    /// Neither Bolt nor HTTP is on.
    #[error("nothing to serve: neither a Bolt nor an HTTP address is given")]
    NoListener,
    /// The async runtime could not start.
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
    /// The graph file or its journal could not be opened (see
    /// [`start_durable`]).
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A running server; see [`start`].
#[derive(Debug)]
pub struct Server {
    bolt: Option<SocketAddr>,
    http: Option<SocketAddr>,
    journal: Option<PathBuf>,
    stop: watch::Sender<bool>,
    thread: std::thread::JoinHandle<()>,
}

impl Server {
    /// The address Bolt listens on (the real port when 0 was asked for).
    pub fn bolt_addr(&self) -> Option<SocketAddr> {
        self.bolt
    }

    /// The address HTTP listens on.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http
    }

    /// The journal that writes go to, for a server from [`start_durable`]
    /// that takes writes.
    pub fn journal_path(&self) -> Option<&Path> {
        self.journal.as_deref()
    }

    /// Stops accepting connections, closes the open ones and waits for
    /// the server thread to end (after the last compaction, for a server
    /// from [`start_durable`]).
    pub fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.thread.join();
    }

    /// Blocks until the server stops: never, unless a [`Stopper`] stops it.
    pub fn wait(self) {
        let _ = self.thread.join();
    }

    /// A handle that stops the server from another thread (a signal
    /// handler, say); [`wait`](Self::wait) then returns.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.stop.clone())
    }
}

/// Stops a [`Server`] from anywhere; see [`Server::stopper`].
#[derive(Debug, Clone)]
pub struct Stopper(watch::Sender<bool>);

impl Stopper {
    /// Asks the server to stop.
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

/// Binds the configured addresses and serves `graph` on a background
/// thread until [`Server::shutdown`].
///
/// # Errors
/// [`ServerError::AuthRequired`] for a non-loopback address without
/// credentials, [`ServerError::Bind`] when an address is taken or not
/// allowed, [`ServerError::NoListener`] when both are off.
pub fn start(graph: Graph, config: ServerConfig) -> Result<Server, ServerError> {
    serve(graph, None, config)
}

/// Opens the graph kept in the snapshot `file` and its journal
/// `FILE.journal` (replaying the journal) and serves it as [`start`] does,
/// every write durable before it is acknowledged (see the module doc).
/// A `file` that does not exist is created, holding an empty graph. A
/// read-only server replays the journal but writes no file.
///
/// The log (standard error) tells what opening found: how many records
/// were replayed, and an incomplete last record dropped.
///
/// # Errors
/// As [`start`], and [`ServerError::Journal`] when the file is not a
/// snapshot, the journal is damaged before its last record or belongs to
/// another snapshot, or a file cannot be read or written.
pub fn start_durable(file: impl AsRef<Path>, config: ServerConfig) -> Result<Server, ServerError> {
    let file = file.as_ref();
    let (graph, journal, opened) = Journal::open(file, !config.read_only)?;
    let name = file.display();
    if opened.created {
        log(format_args!("{name}: created, holding an empty graph"));
    }
    if opened.finished_compaction {
        log(format_args!("{name}: finished a compaction that was cut short"));
    }
    if opened.records > 0 {
        let s = if opened.records == 1 { "" } else { "s" };
        log(format_args!("{name}: replayed {} journal record{s}", opened.records));
    }
    if let Some((offset, len)) = opened.dropped {
        log(format_args!(
            "{}: dropped an incomplete last record ({len} bytes at byte {offset}): a write that was never acknowledged",
            journal::journal_path(file).display()
        ));
    }
    serve(graph, journal, config)
}

/// Opens the graph kept in the snapshot `file` with the writes its
/// journal holds, as [`start_durable`] would, but writing no file: to read
/// what a durable server holds (`aikg --graph FILE query ...`). An
/// incomplete last record is ignored, not dropped from the file.
///
/// # Errors
/// As [`start_durable`]; a missing `file` is an error.
pub fn open_durable(file: impl AsRef<Path>) -> Result<Graph, JournalError> {
    Ok(Journal::open(file.as_ref(), false)?.0)
}

fn serve(graph: Graph, journal: Option<Journal>, config: ServerConfig) -> Result<Server, ServerError> {
    if config.bolt.is_none() && config.http.is_none() {
        return Err(ServerError::NoListener);
    }
    if config.auth.is_none() {
        if let Some(addr) = [config.bolt, config.http].into_iter().flatten().find(|a| !a.ip().is_loopback()) {
            return Err(ServerError::AuthRequired { addr });
        }
    }
    let bind = |addr: Option<SocketAddr>| -> Result<Option<TcpListener>, ServerError> {
        let Some(addr) = addr else { return Ok(None) };
        let listener = TcpListener::bind(addr).map_err(|source| ServerError::Bind { addr, source })?;
        listener.set_nonblocking(true).map_err(|source| ServerError::Bind { addr, source })?;
        Ok(Some(listener))
    };
    let bolt = bind(config.bolt)?;
    let http = bind(config.http)?;
    let bolt_addr = bolt.as_ref().and_then(|l| l.local_addr().ok());
    let http_addr = http.as_ref().and_then(|l| l.local_addr().ok());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("aikg-serve")
        .build()
        .map_err(ServerError::Runtime)?;
    let (stop, stopped) = watch::channel(false);
    let journal_path = journal.as_ref().map(|j| j.path().to_path_buf());
    let shared = Arc::new(Shared::new(graph, config, journal));
    let last = shared.clone();
    let thread = std::thread::Builder::new()
        .name("aikg-serve".into())
        .spawn(move || {
            runtime.block_on(async move {
                let mut tasks = Vec::new();
                if let Some(l) = bolt {
                    tasks.push(tokio::spawn(bolt::listen(l, shared.clone(), stopped.clone())));
                }
                if let Some(l) = http {
                    tasks.push(tokio::spawn(http::listen(l, shared.clone(), stopped.clone())));
                }
                for t in tasks {
                    let _ = t.await;
                }
            });
            // Queries still running on the blocking pool are not waited
            // for: their connections are gone.
            runtime.shutdown_timeout(Duration::from_millis(100));
            last.compact(true);
        })
        .map_err(ServerError::Runtime)?;
    Ok(Server { bolt: bolt_addr, http: http_addr, journal: journal_path, stop, thread })
}

/// Writes a line to the server log (standard error).
pub(crate) fn log(message: std::fmt::Arguments<'_>) {
    eprintln!("aikg serve: {message}");
}

/// What every connection shares.
pub(crate) struct Shared {
    graph: RwLock<Graph>,
    /// Where writes are made durable, for a server from [`start_durable`].
    /// Appended to while holding the graph's write lock, so that its order
    /// is the graph's; when both locks are held, the graph's is taken
    /// first.
    journal: Option<Mutex<Journal>>,
    /// A compaction is running.
    compacting: AtomicBool,
    /// Bumped by every committed write, so that a transaction can tell
    /// whether the graph it copied is still the current one.
    version: AtomicU64,
    pub(crate) config: ServerConfig,
    pub(crate) bolt_slots: Arc<Semaphore>,
    pub(crate) http_slots: Arc<Semaphore>,
    next_connection: AtomicU64,
}

/// A Neo4j status code and message: what a client is told when a request
/// fails.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Failure {
        Failure { code, message: message.into() }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let Error::Query(q) = &e else {
            return Failure::new("Neo.ClientError.Statement.ArgumentError", e.to_string());
        };
        let code = match q.class {
            // The TCK files a type mismatch found before running under
            // SyntaxError; for a driver it is a type error either way.
            _ if q.detail == "InvalidArgumentType" => "Neo.ClientError.Statement.TypeError",
            ErrorClass::SyntaxError
                if matches!(
                    q.detail,
                    "UnexpectedSyntax"
                        | "InvalidUnicodeLiteral"
                        | "InvalidUnicodeCharacter"
                        | "InvalidNumberLiteral"
                ) =>
            {
                "Neo.ClientError.Statement.SyntaxError"
            }
            ErrorClass::SyntaxError => "Neo.ClientError.Statement.SemanticError",
            ErrorClass::TypeError => "Neo.ClientError.Statement.TypeError",
            ErrorClass::ArgumentError => "Neo.ClientError.Statement.ArgumentError",
            ErrorClass::ParameterMissing => "Neo.ClientError.Statement.ParameterMissing",
            ErrorClass::LimitExceeded if q.message.contains("time") => {
                "Neo.ClientError.Transaction.TransactionTimedOut"
            }
            // Not transient: drivers retry transient errors, and the same
            // query would go over the same budget again.
            ErrorClass::LimitExceeded => "Neo.DatabaseError.Statement.ExecutionFailed",
            ErrorClass::ProcedureError => "Neo.ClientError.Procedure.ProcedureCallFailed",
            ErrorClass::Unsupported if q.phase == Phase::CompileTime => {
                "Neo.ClientError.Statement.SyntaxError"
            }
            _ => "Neo.DatabaseError.Statement.ExecutionFailed",
        };
        Failure::new(code, q.render())
    }
}

/// A transaction's own copy of the graph, made by its first write.
#[derive(Default)]
pub(crate) struct TxGraph {
    copy: Option<(Box<Graph>, u64)>,
}

/// Whether a query writes, for access-mode checks before it runs.
pub(crate) fn writes(query: &Query) -> bool {
    !query.is_read_only()
}

impl Shared {
    fn new(mut graph: Graph, config: ServerConfig, journal: Option<Journal>) -> Shared {
        if !config.read_only {
            // Clients choose the ids and names they write.
            graph.use_keyed_hashing();
        }
        let slots = config.max_connections.max(1);
        Shared {
            graph: RwLock::new(graph),
            journal: journal.map(Mutex::new),
            compacting: AtomicBool::new(false),
            version: AtomicU64::new(0),
            config,
            bolt_slots: Arc::new(Semaphore::new(slots)),
            http_slots: Arc::new(Semaphore::new(slots)),
            next_connection: AtomicU64::new(1),
        }
    }

    pub(crate) fn connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// A panic while holding the lock cannot leave the graph half
    /// written (writes go through `Query::run_mut_with`, which either
    /// appends or fails), so a poisoned lock is still usable.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Graph> {
        self.graph.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Graph> {
        self.graph.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The bookmark naming the graph's current version.
    pub(crate) fn bookmark(&self) -> String {
        format!("aikg:{}", self.version.load(Ordering::Acquire))
    }

    /// The server's budgets, tightened by a client's own timeout.
    pub(crate) fn options(&self, timeout: Option<Duration>) -> QueryOptions {
        let mut options = self.config.query.clone();
        options.cancel = None;
        options.timeout = match (options.timeout, timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        options
    }

    /// Parses `text`, refusing writes on a read-only server.
    pub(crate) fn parse(&self, text: &str) -> Result<Query, Failure> {
        let query = Query::parse(text)?;
        if writes(&query) && self.config.read_only {
            return Err(Failure::new(
                "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
                "this server is read-only (--read-only): queries that write are refused",
            ));
        }
        Ok(query)
    }

    /// Runs a query outside any transaction: a write is committed at once.
    pub(crate) fn run(
        &self,
        query: &Query,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<ResultSet, Failure> {
        if !writes(query) {
            return Ok(query.run_with(&self.read(), params, options)?);
        }
        let mut graph = self.write();
        let Some(journal) = &self.journal else {
            let result = query.run_mut_with(&mut graph, params, options);
            self.version.fetch_add(1, Ordering::AcqRel);
            return Ok(result?);
        };
        graph.begin_unit();
        let result = query.run_mut_with(&mut graph, params, options);
        let compact = match graph.unit_changes() {
            None => {
                graph.commit_unit();
                false
            }
            Some(changes) => {
                let mut journal = lock(journal);
                if let Err(e) = journal.append(&changes) {
                    graph.rollback_unit();
                    return Err(not_durable(&e));
                }
                graph.commit_unit();
                self.version.fetch_add(1, Ordering::AcqRel);
                journal.len() > self.config.compact_after
            }
        };
        drop(graph);
        if compact {
            self.compact(false);
        }
        Ok(result?)
    }

    /// Runs a query inside a transaction.
    pub(crate) fn run_in(
        &self,
        tx: &mut TxGraph,
        query: &Query,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<ResultSet, Failure> {
        if let Some((copy, _)) = &mut tx.copy {
            return Ok(if writes(query) {
                query.run_mut_with(copy, params, options)?
            } else {
                query.run_with(copy, params, options)?
            });
        }
        if !writes(query) {
            return Ok(query.run_with(&self.read(), params, options)?);
        }
        let (mut copy, version) = {
            let graph = self.read();
            (Box::new(graph.clone()), self.version.load(Ordering::Acquire))
        };
        if self.journal.is_some() {
            // The transaction's statements become one record at commit.
            copy.begin_unit();
        }
        let result = query.run_mut_with(&mut copy, params, options);
        tx.copy = Some((copy, version));
        Ok(result?)
    }

    /// Puts a transaction's writes in place.
    pub(crate) fn commit(&self, tx: TxGraph) -> Result<(), Failure> {
        let Some((mut copy, version)) = tx.copy else { return Ok(()) };
        let mut graph = self.write();
        if self.version.load(Ordering::Acquire) != version {
            return Err(Failure::new(
                "Neo.TransientError.Transaction.Outdated",
                "another write committed while this transaction ran: run it again",
            ));
        }
        let mut compact = false;
        if let Some(journal) = &self.journal {
            if let Some(changes) = copy.unit_changes() {
                let mut journal = lock(journal);
                journal.append(&changes).map_err(|e| not_durable(&e))?;
                compact = journal.len() > self.config.compact_after;
            }
            copy.commit_unit();
        }
        *graph = *copy;
        self.version.fetch_add(1, Ordering::AcqRel);
        drop(graph);
        if compact {
            self.compact(false);
        }
        Ok(())
    }

    /// Folds the journal into a new snapshot: always when `stopping` (if
    /// it holds any record), else when it is over the limit. A graph with
    /// deleted slots is replaced by its compacted copy first, under the
    /// write lock and with a journal record saying so (it renumbers ids,
    /// so the version moves and open transactions that wrote will fail to
    /// commit); the snapshot is then written under the read lock, so
    /// queries go on meanwhile and writes wait. A failure is logged, and
    /// the journal keeps growing until the next try.
    fn compact(&self, stopping: bool) {
        let Some(journal) = &self.journal else { return };
        if self.compacting.swap(true, Ordering::AcqRel) {
            return;
        }
        let due = |j: &Journal| if stopping { !j.is_empty() } else { j.len() > self.config.compact_after };
        let is_due = due(&lock(journal));
        if is_due {
            {
                let mut graph = self.write();
                if has_deleted(&graph) {
                    match lock(journal).append_compacted() {
                        Ok(()) => {
                            *graph = graph.compacted();
                            self.version.fetch_add(1, Ordering::AcqRel);
                        }
                        Err(e) => log(format_args!("compaction failed: {e}")),
                    }
                }
            }
            let graph = self.read();
            let mut journal = lock(journal);
            // A write may have come between the two locks.
            if due(&journal) && !has_deleted(&graph) {
                let bytes = journal.len();
                match journal.compact(&graph) {
                    Ok(()) => log(format_args!("compacted a journal of {bytes} bytes into a new snapshot")),
                    Err(e) => log(format_args!("compaction failed, the journal stays in use: {e}")),
                }
            }
        }
        self.compacting.store(false, Ordering::Release);
    }
}

fn has_deleted(graph: &Graph) -> bool {
    graph.node_count() != graph.node_slots() || graph.edge_count() != graph.edge_slots()
}

/// The journal; a panic while it was held cannot have left it half
/// written in a way it does not already handle (see `Journal::append`).
fn lock(journal: &Mutex<Journal>) -> MutexGuard<'_, Journal> {
    journal.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a client is told when its write could not be made durable.
fn not_durable(e: &JournalError) -> Failure {
    log(format_args!("a write could not be made durable and was undone: {e}"));
    Failure::new(
        "Neo.DatabaseError.Transaction.TransactionCommitFailed",
        format!("the write could not be made durable, so it was undone: {e}"),
    )
}

impl Shared {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_check_and_hide_the_password() {
        let c = Credentials::new("neo4j", "secret");
        assert!(c.check("neo4j", "secret"));
        assert!(!c.check("neo4j", "secreT"));
        assert!(!c.check("neo4j", "secret2"));
        assert!(!c.check("other", "secret"));
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn remote_addresses_need_credentials() {
        let config = ServerConfig {
            bolt: Some(SocketAddr::from(([0, 0, 0, 0], 0))),
            http: None,
            ..ServerConfig::default()
        };
        let err = start(Graph::new(), config).unwrap_err();
        assert!(matches!(err, ServerError::AuthRequired { .. }), "{err}");
        let none = ServerConfig { bolt: None, http: None, ..ServerConfig::default() };
        assert!(matches!(start(Graph::new(), none), Err(ServerError::NoListener)));
    }

    #[test]
    fn transactions_see_their_writes_and_commit_or_conflict() {
        let shared = Shared::new(Graph::new(), ServerConfig::default(), None);
        let options = shared.options(None);
        let create = shared.parse("CREATE (:T {n: 1})").unwrap();
        let count = shared.parse("MATCH (t:T) RETURN count(t) AS n").unwrap();
        let n = |r: ResultSet| r.row(0).unwrap()[0].as_int().unwrap();

        let mut tx = TxGraph::default();
        shared.run_in(&mut tx, &create, &Params::new(), &options).unwrap();
        assert_eq!(n(shared.run_in(&mut tx, &count, &Params::new(), &options).unwrap()), 1);
        assert_eq!(n(shared.run(&count, &Params::new(), &options).unwrap()), 0);
        shared.commit(tx).unwrap();
        assert_eq!(n(shared.run(&count, &Params::new(), &options).unwrap()), 1);

        // Dropping a transaction rolls it back.
        let mut tx = TxGraph::default();
        shared.run_in(&mut tx, &create, &Params::new(), &options).unwrap();
        drop(tx);
        assert_eq!(n(shared.run(&count, &Params::new(), &options).unwrap()), 1);

        let mut tx = TxGraph::default();
        shared.run_in(&mut tx, &create, &Params::new(), &options).unwrap();
        shared.run(&create, &Params::new(), &options).unwrap();
        let err = shared.commit(tx).unwrap_err();
        assert_eq!(err.code, "Neo.TransientError.Transaction.Outdated");
        assert_eq!(n(shared.run(&count, &Params::new(), &options).unwrap()), 2);
    }

    #[test]
    fn a_transaction_is_one_record_and_what_changes_nothing_is_none() {
        let dir = std::env::temp_dir().join(format!("aikg-server-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("graph.aikg");
        let (graph, journal, _) = Journal::open(&file, true).unwrap();
        let shared = Shared::new(graph, ServerConfig::default(), journal);
        let options = shared.options(None);
        let run = |tx: &mut TxGraph, text: &str| {
            shared.run_in(tx, &shared.parse(text).unwrap(), &Params::new(), &options).map(|_| ())
        };
        let records = || Journal::open(&file, false).unwrap().2.records;

        let mut tx = TxGraph::default();
        run(&mut tx, "CREATE (:T {n: 1})").unwrap();
        run(&mut tx, "MATCH (t:T) SET t.n = 2 CREATE (:T {n: 3})").unwrap();
        run(&mut tx, "MATCH (t:T {n: 3}) SET t.n = 1 / 0").unwrap_err();
        assert_eq!(records(), 0, "nothing is written before the commit");
        shared.commit(tx).unwrap();
        assert_eq!(records(), 1);

        let mut tx = TxGraph::default();
        run(&mut tx, "CREATE (:T {n: 4})").unwrap();
        drop(tx);
        let mut tx = TxGraph::default();
        run(&mut tx, "MATCH (t:T {n: 99}) SET t.n = 5").unwrap();
        shared.commit(tx).unwrap();
        for text in ["MATCH (t:T {n: 99}) DELETE t", "MATCH (t:T) RETURN t", "CREATE (:T {n: 1 / 0})"] {
            let _ = shared.run(&shared.parse(text).unwrap(), &Params::new(), &options);
        }
        assert_eq!(records(), 1, "a rollback, no change and a failure write nothing");
        shared.run(&shared.parse("MATCH (t:T {n: 3}) DELETE t").unwrap(), &Params::new(), &options).unwrap();
        assert_eq!(records(), 2);

        let json = crate::export::Subgraph::all(&shared.read()).to_json().to_string();
        assert!(json.contains("\"n\":2") && !json.contains("\"n\":3"), "{json}");
        drop(shared);
        let (replayed, _, _) = Journal::open(&file, false).unwrap();
        assert_eq!(crate::export::Subgraph::all(&replayed).to_json().to_string(), json);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn failures_carry_neo4j_codes_and_carets() {
        let shared =
            Shared::new(Graph::new(), ServerConfig { read_only: true, ..ServerConfig::default() }, None);
        let syntax = shared.parse("MATCH (n RETURN n").unwrap_err();
        assert_eq!(syntax.code, "Neo.ClientError.Statement.SyntaxError");
        assert!(syntax.message.contains("\n    MATCH (n RETURN n\n"), "{}", syntax.message);
        let semantic = shared.parse("RETURN x").unwrap_err();
        assert_eq!(semantic.code, "Neo.ClientError.Statement.SemanticError");
        let write = shared.parse("CREATE (:T)").unwrap_err();
        assert_eq!(write.code, "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase");
        let q =
            shared.parse("RETURN 1 + 'a' * 2").map(|q| shared.run(&q, &Params::new(), &shared.options(None)));
        let type_error = match q {
            Ok(r) => r.unwrap_err(),
            Err(f) => f,
        };
        assert_eq!(type_error.code, "Neo.ClientError.Statement.TypeError");
        let missing = shared.parse("RETURN $x").unwrap();
        let err = shared.run(&missing, &Params::new(), &shared.options(None)).unwrap_err();
        assert_eq!(err.code, "Neo.ClientError.Statement.ParameterMissing");
    }
}
