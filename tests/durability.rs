//! `aikg serve --graph FILE` loses no acknowledged write: the real binary
//! takes a stream of writes over HTTP from several threads, is killed with
//! SIGKILL while requests are in flight, and is started again on the same
//! file. Every write it acknowledged must be there, every delete it
//! acknowledged must have happened, and no write may be half there.
#![cfg(feature = "server")]

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A temporary directory, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("aikg-durability-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `aikg serve`, killed on drop so that a failing test leaves
/// no process behind.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
    /// Reads standard error into `log` until the server exits.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(file: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aikg"))
            .arg("--graph")
            .arg(file)
            .args(["serve", "--no-bolt", "--http", "127.0.0.1:0"])
            .args(extra)
            .env_remove("AIKG_AUTH")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aikg starts");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let mut server =
            Server { child, addr: SocketAddr::from(([127, 0, 0, 1], 0)), log, reader: Some(reader) };
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split([' ', ')']).next())
            .and_then(|a| a.parse().ok());
        match (read, addr) {
            (Ok(_), Some(addr)) => server.addr = addr,
            _ => {
                std::thread::sleep(Duration::from_millis(200));
                panic!("the server did not start: {line:?}\n{}", server.log());
            }
        }
        // Keep reading stdout so the server never blocks on it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        server
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once it holds `needle`, or as it is after 10 s: standard
    /// error is read on a thread of its own, so a line the server wrote
    /// before its listening line may not have arrived yet.
    fn log_with(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if log.contains(needle) || std::time::Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.finish_log();
    }

    /// Once the server has exited: waits until its whole log is read.
    fn finish_log(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }

    /// Stops the server as Ctrl-C does, and waits for it to exit.
    fn interrupt(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.finish_log();
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop on SIGINT\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs a statement; the status and body, or `None` when the
    /// connection failed (the server is gone).
    fn post(&self, statement: &str, seq: u64) -> Option<(u16, String)> {
        let body = serde_json::json!({"statement": statement, "parameters": {"seq": seq}}).to_string();
        let mut stream = TcpStream::connect(self.addr).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        let request = format!(
            "POST /db/query HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let status = response.get(9..12)?.parse().ok()?;
        let (_, body) = response.split_once("\r\n\r\n")?;
        // A response cut off by the kill is not an acknowledgement.
        if !body.ends_with('\n') {
            return None;
        }
        Some((status, body.to_string()))
    }

    fn rows(&self, statement: &str) -> Vec<Vec<serde_json::Value>> {
        let (status, body) = self.post(statement, 0).expect("the server answers");
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["rows"].as_array().unwrap().iter().map(|r| r.as_array().unwrap().clone()).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

const CREATE: &str = "CREATE (:W {seq: $seq, part: 'a'})-[:PAIR {seq: $seq}]->(:W {seq: $seq, part: 'b'})";
const DELETE: &str = "MATCH (n:W {seq: $seq}) DETACH DELETE n";

/// What the test knows of one write's pair of nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Created, acknowledged.
    Present,
    /// Deleted, acknowledged.
    Absent,
    /// The create was sent but not acknowledged: there or not.
    MaybeCreated,
    /// The delete was sent but not acknowledged: there or not.
    MaybeDeleted,
}

fn random(below: u64) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish() % below
}

/// Sends creates and deletes from `threads` threads until the server goes
/// away, recording what was acknowledged.
fn stream_writes(server: &Server, states: &Mutex<HashMap<u64, State>>, next: &AtomicU64, threads: usize) {
    let failed = AtomicBool::new(false);
    std::thread::scope(|s| {
        for t in 0..threads {
            let failed = &failed;
            s.spawn(move || {
                let mut own: Vec<u64> = Vec::new();
                for i in 0u64.. {
                    let (statement, seq) = if i % 4 == 3 && !own.is_empty() {
                        let victim = own.remove(0);
                        states.lock().unwrap().insert(victim, State::MaybeDeleted);
                        (DELETE, victim)
                    } else {
                        let seq = next.fetch_add(1, Ordering::Relaxed);
                        states.lock().unwrap().insert(seq, State::MaybeCreated);
                        (CREATE, seq)
                    };
                    let Some((status, body)) = server.post(statement, seq) else { return };
                    if status != 200 {
                        failed.store(true, Ordering::Relaxed);
                        eprintln!("thread {t}: a write failed: {status} {body}");
                        return;
                    }
                    if statement == CREATE {
                        states.lock().unwrap().insert(seq, State::Present);
                        own.push(seq);
                    } else {
                        states.lock().unwrap().insert(seq, State::Absent);
                    }
                }
            });
        }
    });
    assert!(!failed.load(Ordering::Relaxed), "the server refused a write\n{}", server.log());
}

/// Checks the graph the server holds against what was acknowledged, and
/// settles the writes whose fate was unknown. Returns how many pairs are
/// there.
fn check(server: &Server, states: &mut HashMap<u64, State>) -> usize {
    let mut parts: HashMap<u64, Vec<String>> = HashMap::new();
    for row in server.rows("MATCH (n:W) RETURN n.seq AS seq, n.part AS part") {
        parts.entry(row[0].as_u64().unwrap()).or_default().push(row[1].as_str().unwrap().to_string());
    }
    let mut rels: HashMap<u64, usize> = HashMap::new();
    for row in server.rows("MATCH (a:W)-[r:PAIR]->(b:W) RETURN r.seq, a.seq, a.part, b.seq, b.part") {
        let seq = row[0].as_u64().unwrap();
        assert_eq!((row[1].as_u64(), row[2].as_str()), (Some(seq), Some("a")), "{row:?}");
        assert_eq!((row[3].as_u64(), row[4].as_str()), (Some(seq), Some("b")), "{row:?}");
        *rels.entry(seq).or_default() += 1;
    }
    let log = server.log();
    for (seq, p) in &mut parts {
        p.sort();
        assert_eq!(p, &["a", "b"], "write {seq} is half there\n{log}");
        assert_eq!(rels.get(seq), Some(&1), "write {seq} lost its relationship\n{log}");
        assert!(states.contains_key(seq), "write {seq} was never sent");
    }
    for seq in rels.keys() {
        assert!(parts.contains_key(seq), "relationship {seq} without its nodes");
    }
    for (seq, state) in states.iter_mut() {
        let there = parts.contains_key(seq);
        match state {
            State::Present => assert!(there, "acknowledged write {seq} is lost\n{log}"),
            State::Absent => assert!(!there, "acknowledged delete of {seq} is undone\n{log}"),
            State::MaybeCreated | State::MaybeDeleted => {
                *state = if there { State::Present } else { State::Absent };
            }
        }
    }
    parts.len()
}

/// Rounds of: start, check, stream writes, SIGKILL mid-stream. Returns
/// how many compactions the servers logged.
fn kill_rounds(name: &str, extra: &[&str], rounds: usize) -> usize {
    let dir = Dir::new(name);
    let file = dir.0.join("graph.aikg");
    let states = Mutex::new(HashMap::new());
    let next = AtomicU64::new(1);
    let mut acknowledged = 0;
    let mut compactions = 0;
    for round in 0..rounds {
        let mut server = Server::start(&file, extra);
        check(&server, &mut states.lock().unwrap());
        let delay = Duration::from_millis(150 + random(500));
        std::thread::scope(|s| {
            let server = &mut server;
            let pid = server.child.id();
            s.spawn(move || {
                std::thread::sleep(delay);
                // SIGKILL, as `Child::kill` sends on Unix.
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            });
            stream_writes(server, &states, &next, 4);
        });
        server.kill();
        compactions += server.log().matches("compacted a journal").count();
        acknowledged = states.lock().unwrap().values().filter(|s| **s == State::Present).count();
        eprintln!("round {round}: killed after {delay:?}, {} writes sent", next.load(Ordering::Relaxed) - 1);
    }
    let server = Server::start(&file, extra);
    let there = check(&server, &mut states.lock().unwrap());
    assert!(there >= acknowledged, "{there} pairs, {acknowledged} acknowledged");
    assert!(next.load(Ordering::Relaxed) > 20, "too few writes to tell anything");
    compactions
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    assert_eq!(kill_rounds("kill", &[], 3), 0);
}

#[test]
fn acknowledged_writes_survive_sigkill_during_compactions() {
    // A small limit, so that the journal is compacted again and again
    // while writes and the kill come; deletes leave tombstones, so each
    // compaction also renumbers.
    assert!(kill_rounds("compact", &["--compact-after", "3000"], 3) > 3);
}

#[test]
fn a_clean_stop_compacts_and_the_restart_has_everything() {
    let dir = Dir::new("clean");
    let file = dir.0.join("new.aikg");
    let journal = dir.0.join("new.aikg.journal");
    let mut server = Server::start(&file, &[]);
    assert!(server.log().is_empty() || server.log().contains("created"), "{}", server.log());
    assert!(file.exists() && journal.exists(), "a new file is created at once");
    let empty_journal = std::fs::metadata(&journal).unwrap().len();
    for seq in 1..=30 {
        assert_eq!(server.post(CREATE, seq).unwrap().0, 200);
    }
    for seq in (1..=30).step_by(3) {
        assert_eq!(server.post(DELETE, seq).unwrap().0, 200);
    }
    assert!(std::fs::metadata(&journal).unwrap().len() > empty_journal);
    let status = server.interrupt();
    assert!(status.success(), "{status:?}\n{}", server.log());
    let log = server.log_with("compacted a journal of");
    assert!(log.contains("compacted a journal of"), "{log}");
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), empty_journal, "the journal starts empty");
    assert!(!dir.0.join("new.aikg.journal.next").exists());

    let server = Server::start(&file, &[]);
    assert!(!server.log().contains("replayed"), "{}", server.log());
    let mut states: HashMap<u64, State> =
        (1..=30).map(|s| (s, if s % 3 == 1 { State::Absent } else { State::Present })).collect();
    assert_eq!(check(&server, &mut states), 20);
    // Ids were renumbered by the compaction; new writes go on from there.
    assert_eq!(server.post(CREATE, 31).unwrap().0, 200);
    drop(server);
    let server = Server::start(&file, &[]);
    let log = server.log_with("replayed 1 journal record\n");
    assert!(log.contains("replayed 1 journal record\n"), "{log}");
    states.insert(31, State::Present);
    assert_eq!(check(&server, &mut states), 21);
}

#[test]
fn a_json_export_is_served_read_only_or_refused() {
    let dir = Dir::new("json");
    let file = dir.0.join("export.json");
    std::fs::write(
        &file,
        r#"{"nodes":[{"id":"a","labels":["W"],"properties":{"seq":1}}],"relationships":[]}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aikg"))
        .arg("--graph")
        .arg(&file)
        .args(["serve", "--no-bolt", "--http", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a snapshot, so writes to it cannot be made durable"), "{stderr}");
    let server = Server::start(&file, &["--read-only"]);
    assert_eq!(server.rows("MATCH (n:W) RETURN n.seq").len(), 1);
    assert!(!dir.0.join("export.json.journal").exists());
}

#[test]
fn other_commands_read_the_journal_without_changing_a_file() {
    let dir = Dir::new("query");
    let file = dir.0.join("kg.aikg");
    let server = Server::start(&file, &[]);
    assert_eq!(server.post(CREATE, 7).unwrap().0, 200);
    let journal = dir.0.join("kg.aikg.journal");
    let before = std::fs::read(&journal).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aikg"))
        .arg("--graph")
        .arg(&file)
        .args(["query", "MATCH (n:W {seq: 7}) RETURN count(n) AS n", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n\n2\n", "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&journal).unwrap(), before);
}
