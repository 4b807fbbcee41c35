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
//! in between. Rolling back drops the copy. Writes live in memory only.
//!
//! The server logs to standard error what an operator needs to see and no
//! client is told: refused logins (with the user name, never the
//! password), protocol violations, refused connections.

mod bolt;
mod http;
pub mod packstream;
mod structs;
mod web;

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use tokio::sync::{watch, Semaphore};

use crate::error::{Error, ErrorClass, Phase};
use crate::{Graph, Params, Query, QueryOptions, ResultSet};

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
}

impl Default for ServerConfig {
    /// Bolt on `127.0.0.1:7687`, HTTP on `127.0.0.1:7474`, no
    /// authentication, writes allowed, 256 connections, 16 MiB messages,
    /// 30 s and 100 000 rows a query.
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
}

/// A running server; see [`start`].
#[derive(Debug)]
pub struct Server {
    bolt: Option<SocketAddr>,
    http: Option<SocketAddr>,
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

    /// Stops accepting connections, closes the open ones and waits for
    /// the server thread to end.
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
    let shared = Arc::new(Shared::new(graph, config));
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
        })
        .map_err(ServerError::Runtime)?;
    Ok(Server { bolt: bolt_addr, http: http_addr, stop, thread })
}

/// Writes a line to the server log (standard error).
pub(crate) fn log(message: std::fmt::Arguments<'_>) {
    eprintln!("aikg serve: {message}");
}

/// What every connection shares.
pub(crate) struct Shared {
    graph: RwLock<Graph>,
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
    fn new(mut graph: Graph, config: ServerConfig) -> Shared {
        if !config.read_only {
            // Clients choose the ids and names they write.
            graph.use_keyed_hashing();
        }
        let slots = config.max_connections.max(1);
        Shared {
            graph: RwLock::new(graph),
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
        let result = query.run_mut_with(&mut graph, params, options);
        // A failed CREATE may still have added the rows before the one
        // that failed, so the version moves either way.
        self.version.fetch_add(1, Ordering::AcqRel);
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
        let result = query.run_mut_with(&mut copy, params, options);
        tx.copy = Some((copy, version));
        Ok(result?)
    }

    /// Puts a transaction's writes in place.
    pub(crate) fn commit(&self, tx: TxGraph) -> Result<(), Failure> {
        let Some((copy, version)) = tx.copy else { return Ok(()) };
        let mut graph = self.write();
        if self.version.load(Ordering::Acquire) != version {
            return Err(Failure::new(
                "Neo.TransientError.Transaction.Outdated",
                "another write committed while this transaction ran: run it again",
            ));
        }
        *graph = *copy;
        self.version.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

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
        let shared = Shared::new(Graph::new(), ServerConfig::default());
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
    fn failures_carry_neo4j_codes_and_carets() {
        let shared = Shared::new(Graph::new(), ServerConfig { read_only: true, ..ServerConfig::default() });
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
