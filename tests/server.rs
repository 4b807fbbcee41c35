//! `aikg serve` in-process: a small Bolt client and raw HTTP requests
//! against a server on port 0. The real Neo4j drivers are exercised by
//! `tests/drivers/run.sh`; this covers the protocol without Python or
//! Node.
#![cfg(feature = "server")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use aikg::server::packstream::{decode, encode, PackValue};
use aikg::server::{start, Credentials, Server, ServerConfig};
use aikg::Graph;

const SUCCESS: u8 = 0x70;
const RECORD: u8 = 0x71;
const IGNORED: u8 = 0x7E;
const FAILURE: u8 = 0x7F;

fn loopback() -> Option<SocketAddr> {
    Some(SocketAddr::from(([127, 0, 0, 1], 0)))
}

fn server(config: ServerConfig) -> Server {
    start(Graph::builtin(), ServerConfig { bolt: loopback(), http: loopback(), ..config })
        .expect("server starts")
}

struct Client {
    stream: TcpStream,
}

impl Client {
    /// Connects and offers `proposals`, returning the agreed version bytes.
    fn handshake(addr: SocketAddr, proposals: [[u8; 4]; 4]) -> (Client, [u8; 4]) {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut hello = vec![0x60, 0x60, 0xB0, 0x17];
        hello.extend(proposals.iter().flatten());
        stream.write_all(&hello).unwrap();
        let mut version = [0u8; 4];
        stream.read_exact(&mut version).unwrap();
        (Client { stream }, version)
    }

    /// A Bolt 5.4 connection, logged in.
    fn connect(addr: SocketAddr) -> Client {
        Client::login(addr, "neo4j", "any").expect("logged in")
    }

    fn login(addr: SocketAddr, user: &str, password: &str) -> Result<Client, PackValue> {
        let (mut c, version) = Client::handshake(addr, [[0, 4, 4, 5], [0, 0, 4, 4], [0; 4], [0; 4]]);
        assert_eq!(version, [0, 0, 4, 5]);
        let (tag, meta) = c.request(0x01, vec![PackValue::map([("user_agent", PackValue::str("test/1"))])]);
        assert_eq!(tag, SUCCESS, "{meta}");
        assert!(meta.get("server").and_then(PackValue::as_str).unwrap().starts_with("Neo4j/"));
        let auth = PackValue::map([
            ("scheme", PackValue::str("basic")),
            ("principal", PackValue::str(user)),
            ("credentials", PackValue::str(password)),
        ]);
        match c.request(0x6A, vec![auth]) {
            (SUCCESS, _) => Ok(c),
            (_, meta) => Err(meta),
        }
    }

    fn send(&mut self, tag: u8, fields: Vec<PackValue>) {
        let mut bytes = Vec::new();
        encode(&PackValue::Struct(tag, fields), &mut bytes);
        let mut framed = Vec::new();
        for chunk in bytes.chunks(7) {
            // Small chunks, to check that the server joins them.
            framed.extend((chunk.len() as u16).to_be_bytes());
            framed.extend(chunk);
        }
        framed.extend([0, 0]);
        self.stream.write_all(&framed).unwrap();
    }

    /// The next message, or `None` when the server closed the connection.
    fn receive(&mut self) -> Option<(u8, Vec<PackValue>)> {
        let mut message = Vec::new();
        loop {
            let mut header = [0u8; 2];
            self.stream.read_exact(&mut header).ok()?;
            let size = usize::from(u16::from_be_bytes(header));
            if size == 0 {
                break;
            }
            let start = message.len();
            message.resize(start + size, 0);
            self.stream.read_exact(&mut message[start..]).ok()?;
        }
        match decode(&message).unwrap() {
            PackValue::Struct(tag, fields) => Some((tag, fields)),
            other => panic!("not a message: {other}"),
        }
    }

    /// Sends a request and gives the summary's tag and metadata.
    fn request(&mut self, tag: u8, fields: Vec<PackValue>) -> (u8, PackValue) {
        self.send(tag, fields);
        let (tag, mut fields) = self.receive().expect("an answer");
        (tag, fields.pop().unwrap_or(PackValue::Null))
    }

    fn run(&mut self, query: &str, params: Vec<(&str, PackValue)>) -> (u8, PackValue) {
        self.request(0x10, vec![PackValue::str(query), PackValue::map(params), PackValue::map::<&str>([])])
    }

    /// PULL `n`: the records' fields, and the summary.
    fn pull(&mut self, n: i64) -> (Vec<Vec<PackValue>>, u8, PackValue) {
        self.send(0x3F, vec![PackValue::map([("n", PackValue::Int(n))])]);
        let mut records = Vec::new();
        loop {
            let (tag, mut fields) = self.receive().expect("an answer");
            if tag == RECORD {
                let Some(PackValue::List(values)) = fields.pop() else { panic!("a record holds a list") };
                records.push(values);
            } else {
                return (records, tag, fields.pop().unwrap_or(PackValue::Null));
            }
        }
    }
}

fn code(meta: &PackValue) -> &str {
    meta.get("code").and_then(PackValue::as_str).unwrap_or("")
}

#[test]
fn handshake_picks_a_version_from_the_offered_ranges() {
    let s = server(ServerConfig::default());
    let addr = s.bolt_addr().unwrap();
    assert_eq!(Client::handshake(addr, [[0, 8, 8, 5], [0, 2, 4, 4], [0; 4], [0; 4]]).1, [0, 0, 4, 5]);
    assert_eq!(Client::handshake(addr, [[0, 0, 1, 5], [0; 4], [0; 4], [0; 4]]).1, [0, 0, 1, 5]);
    assert_eq!(Client::handshake(addr, [[0, 0, 4, 4], [0; 4], [0; 4], [0; 4]]).1, [0, 0, 4, 4]);
    let (mut none, version) = Client::handshake(addr, [[0, 0, 0, 3], [0; 4], [0; 4], [0; 4]]);
    assert_eq!(version, [0; 4]);
    assert!(none.receive().is_none(), "the server hangs up");
    s.shutdown();
}

#[test]
fn run_and_pull_in_batches() {
    let s = server(ServerConfig::default());
    let mut c = Client::connect(s.bolt_addr().unwrap());
    let (tag, meta) = c.run("UNWIND range(1, 5) AS i RETURN i, i * $k AS k", vec![("k", PackValue::Int(10))]);
    assert_eq!(tag, SUCCESS);
    assert_eq!(meta.get("fields"), Some(&PackValue::List(vec![PackValue::str("i"), PackValue::str("k")])));
    let (records, tag, meta) = c.pull(2);
    assert_eq!(tag, SUCCESS);
    assert_eq!(records, [[PackValue::Int(1), PackValue::Int(10)], [PackValue::Int(2), PackValue::Int(20)]]);
    assert_eq!(meta.get("has_more"), Some(&PackValue::Bool(true)));
    let (records, _, meta) = c.pull(-1);
    assert_eq!(records.len(), 3);
    assert_eq!(meta.get("type").and_then(PackValue::as_str), Some("r"));
    assert!(meta.get("bookmark").is_some() && meta.get("has_more").is_none(), "{meta}");

    // Nodes come as structures with their labels, properties and element id.
    c.run("MATCH (c:Company {id: $id}) RETURN c", vec![("id", PackValue::str("zhipu-ai"))]);
    let (records, _, _) = c.pull(-1);
    let PackValue::Struct(0x4E, node) = &records[0][0] else { panic!("not a node: {:?}", records[0]) };
    assert_eq!(node[1], PackValue::List(vec![PackValue::str("Company")]));
    assert_eq!(node[2].get("name_zh"), Some(&PackValue::str("智谱AI")));
    assert!(matches!(&node[3], PackValue::String(_)));

    // Parameters of the structure types come back as they went.
    let date = PackValue::Struct(0x44, vec![PackValue::Int(19_509)]);
    let duration = PackValue::Struct(0x45, vec![1, 2, 3, 4].into_iter().map(PackValue::Int).collect());
    c.run(
        "RETURN $d AS d, $u AS u, $d + duration('P1D') AS next",
        vec![("d", date.clone()), ("u", duration.clone())],
    );
    let (records, _, _) = c.pull(-1);
    assert_eq!(records[0], [date, duration, PackValue::Struct(0x44, vec![PackValue::Int(19_510)])]);

    // DISCARD drops what is left.
    c.run("UNWIND range(1, 100) AS i RETURN i", vec![]);
    c.send(0x2F, vec![PackValue::map([("n", PackValue::Int(-1))])]);
    let (tag, meta) = c.receive().unwrap();
    assert_eq!(tag, SUCCESS, "{meta:?}");
    c.send(0x02, vec![]);
    assert!(c.receive().is_none(), "GOODBYE closes the connection");
    s.shutdown();
}

#[test]
fn a_failure_is_reported_then_everything_is_ignored_until_reset() {
    let s = server(ServerConfig::default());
    let mut c = Client::connect(s.bolt_addr().unwrap());
    let (tag, meta) = c.run("MATCH (m:Model RETURN m", vec![]);
    assert_eq!(tag, FAILURE);
    assert_eq!(code(&meta), "Neo.ClientError.Statement.SyntaxError");
    let message = meta.get("message").and_then(PackValue::as_str).unwrap();
    assert!(message.contains("    MATCH (m:Model RETURN m\n                   ^^^^^^\n"), "{message}");
    assert_eq!(c.pull(-1).1, IGNORED);
    assert_eq!(c.run("RETURN 1", vec![]).0, IGNORED);
    assert_eq!(c.request(0x0F, vec![]).0, SUCCESS);
    assert_eq!(c.run("RETURN 1 AS one", vec![]).0, SUCCESS);
    assert_eq!(c.pull(-1).0, [[PackValue::Int(1)]]);

    for (query, expected) in [
        ("RETURN x", "Neo.ClientError.Statement.SemanticError"),
        ("RETURN 1 + 'a' * 2", "Neo.ClientError.Statement.TypeError"),
        ("RETURN $missing", "Neo.ClientError.Statement.ParameterMissing"),
    ] {
        let (tag, meta) = c.run(query, vec![]);
        assert_eq!((tag, code(&meta)), (FAILURE, expected), "{query}");
        assert_eq!(c.request(0x0F, vec![]).0, SUCCESS);
    }
    s.shutdown();
}

#[test]
fn transactions_commit_and_roll_back() {
    let s = server(ServerConfig::default());
    let addr = s.bolt_addr().unwrap();
    let mut writer = Client::connect(addr);
    let mut reader = Client::connect(addr);
    let count = |c: &mut Client| {
        c.run("MATCH (t:Company) RETURN count(t) AS n", vec![]);
        c.pull(-1).0[0][0].as_int().unwrap()
    };
    let before = count(&mut reader);

    assert_eq!(writer.request(0x11, vec![PackValue::map::<&str>([])]).0, SUCCESS);
    let (tag, meta) = writer.run("CREATE (:Company {id: 'bolt-test', name: 'Bolt test'})", vec![]);
    assert_eq!(tag, SUCCESS, "{meta}");
    assert_eq!(meta.get("qid"), Some(&PackValue::Int(0)));
    let (_, _, summary) = writer.pull(-1);
    assert_eq!(summary.get("stats").and_then(|s| s.get("nodes-created")), Some(&PackValue::Int(1)));
    assert_eq!(count(&mut writer), before + 1, "a transaction sees its own writes");
    assert_eq!(count(&mut reader), before, "and nobody else does before it commits");
    let (tag, meta) = writer.request(0x12, vec![]);
    assert_eq!(tag, SUCCESS);
    assert!(meta.get("bookmark").is_some());
    assert_eq!(count(&mut reader), before + 1);

    writer.request(0x11, vec![PackValue::map::<&str>([])]);
    writer.run("CREATE (:Company {id: 'rolled-back', name: 'Rolled back'})", vec![]);
    writer.pull(-1);
    assert_eq!(writer.request(0x13, vec![]).0, SUCCESS);
    assert_eq!(count(&mut reader), before + 1);

    // A read-mode transaction refuses writes.
    writer.request(0x11, vec![PackValue::map([("mode", PackValue::str("r"))])]);
    let (tag, meta) = writer.run("CREATE (:Company {id: 'x', name: 'x'})", vec![]);
    assert_eq!((tag, code(&meta)), (FAILURE, "Neo.ClientError.Statement.AccessMode"));
    s.shutdown();
}

#[test]
fn credentials_are_checked_and_read_only_refuses_writes() {
    let config = ServerConfig {
        auth: Some(Credentials::new("neo4j", "s3cret")),
        read_only: true,
        ..ServerConfig::default()
    };
    let s = server(config);
    let addr = s.bolt_addr().unwrap();
    let Err(meta) = Client::login(addr, "neo4j", "wrong") else { panic!("a wrong password got in") };
    assert_eq!(code(&meta), "Neo.ClientError.Security.Unauthorized");
    let mut c = Client::login(addr, "neo4j", "s3cret").expect("the right password gets in");
    let (tag, meta) = c.run("CREATE (:Company {id: 'x', name: 'x'})", vec![]);
    assert_eq!((tag, code(&meta)), (FAILURE, "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"));

    // Bolt 5.0 and 4.4 take the credentials in HELLO.
    for version in [[0, 0, 0, 5], [0, 0, 4, 4]] {
        let (mut c, agreed) = Client::handshake(addr, [version, [0; 4], [0; 4], [0; 4]]);
        assert_eq!(agreed, version);
        let hello = |password: &str| {
            PackValue::map([
                ("user_agent", PackValue::str("test/1")),
                ("scheme", PackValue::str("basic")),
                ("principal", PackValue::str("neo4j")),
                ("credentials", PackValue::str(password)),
            ])
        };
        assert_eq!(c.request(0x01, vec![hello("s3cret")]).0, SUCCESS);
        c.run("RETURN 1", vec![]);
        assert_eq!(c.pull(-1).0.len(), 1);
        let (mut bad, _) = Client::handshake(addr, [version, [0; 4], [0; 4], [0; 4]]);
        assert_eq!(bad.request(0x01, vec![hello("nope")]).0, FAILURE);
        assert!(bad.receive().is_none());
    }
    s.shutdown();
}

#[test]
fn malformed_and_oversized_messages_close_only_their_connection() {
    let s = server(ServerConfig { max_message_size: 1024, ..ServerConfig::default() });
    let addr = s.bolt_addr().unwrap();
    let mut good = Client::connect(addr);

    let mut bad = Client::connect(addr);
    bad.stream.write_all(&[0, 3, 0xB1, 0x10, 0xC4, 0, 0]).unwrap();
    let (tag, fields) = bad.receive().unwrap();
    assert_eq!((tag, code(&fields[0])), (FAILURE, "Neo.ClientError.Request.InvalidFormat"));
    assert!(bad.receive().is_none());

    let mut big = Client::connect(addr);
    let huge = "x".repeat(5000);
    big.send(0x10, vec![PackValue::str(huge), PackValue::map::<&str>([]), PackValue::map::<&str>([])]);
    assert!(big.receive().is_none());

    let mut truncated = Client::connect(addr);
    truncated.stream.write_all(&[0, 10, 0xB1]).unwrap();
    drop(truncated);

    assert_eq!(good.run("RETURN 2 AS two", vec![]).0, SUCCESS);
    assert_eq!(good.pull(-1).0, [[PackValue::Int(2)]]);
    s.shutdown();
}

#[test]
fn query_budgets_apply_per_query() {
    let mut config = ServerConfig::default();
    config.query.max_rows = Some(10);
    let s = server(config);
    let mut c = Client::connect(s.bolt_addr().unwrap());
    let (tag, meta) = c.run("UNWIND range(1, 100) AS i RETURN i", vec![]);
    assert_eq!((tag, code(&meta)), (FAILURE, "Neo.DatabaseError.Statement.ExecutionFailed"));
    assert!(meta.get("message").and_then(PackValue::as_str).unwrap().contains("limit of 10 rows"), "{meta}");
    c.request(0x0F, vec![]);
    assert_eq!(c.run("UNWIND range(1, 10) AS i RETURN i", vec![]).0, SUCCESS);
    assert_eq!(c.pull(-1).0.len(), 10);
    s.shutdown();
}

/// One HTTP/1.1 request; the status and the body.
fn http(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    (status, body)
}

#[test]
fn http_answers_as_query_format_json() {
    let s = server(ServerConfig { auth: Some(Credentials::new("neo4j", "pw")), ..ServerConfig::default() });
    let addr = s.http_addr().unwrap();
    let text = "MATCH (m:Model)-[r:BUILT_ON]->(b {id: $id}) RETURN m, r, b.name AS base ORDER BY m.id";
    let expected = {
        let graph = Graph::builtin();
        let result = graph.query_with(text, &aikg::Params::from([("id", "glm-130b")])).unwrap();
        let mut out = Vec::new();
        aikg::result::write_json(&result, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let body = serde_json::json!({"statement": text, "parameters": {"id": "glm-130b"}}).to_string();
    // "neo4j:pw" in base64.
    let basic = "Authorization: Basic bmVvNGo6cHc=\r\n";
    assert_eq!(http(addr, "POST", "/db/query", basic, &body), (200, expected.clone()));
    assert_eq!(http(addr, "POST", "/db/query", "Authorization: Bearer pw\r\n", &body), (200, expected));

    let (status, answer) = http(addr, "POST", "/db/query", "", &body);
    assert_eq!(status, 401, "{answer}");
    let (status, answer) = http(addr, "POST", "/db/query", "Authorization: Bearer nope\r\n", &body);
    assert_eq!(status, 401, "{answer}");

    let (status, answer) = http(addr, "POST", "/db/query", basic, r#"{"statement": "MATCH (n RETURN n"}"#);
    assert_eq!(status, 400);
    let error: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(error["code"], "Neo.ClientError.Statement.SyntaxError");
    assert!(error["message"].as_str().unwrap().contains("^^^^^^"), "{answer}");

    // The Neo4j Query API's shape, on its path.
    let body = serde_json::json!({
        "statement": "MATCH p = (:Model {id: 'chatglm-6b'})-[r:BUILT_ON]->(b:Model {id: $id}) RETURN b.name AS name, p",
        "parameters": {"id": "glm-6b"},
    });
    let (status, answer) = http(addr, "POST", "/db/neo4j/query/v2", basic, &body.to_string());
    assert_eq!(status, 202, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["data"]["fields"], serde_json::json!(["name", "p"]));
    let row = &answer["data"]["values"][0];
    assert_eq!(row[0], "GLM-6B");
    let path = row[1].as_array().unwrap();
    assert_eq!(path.len(), 3);
    assert_eq!(path[1]["type"], "BUILT_ON");
    assert_eq!(path[1]["startNodeElementId"], path[0]["elementId"]);
    assert_eq!(path[2]["properties"]["id"], "glm-6b");
    assert!(answer["bookmarks"][0].is_string());
    let (status, answer) = http(addr, "POST", "/db/neo4j/query/v2", basic, r#"{"statement": "RETURN x"}"#);
    assert_eq!(status, 400);
    assert!(answer.contains("\"errors\":[{\"code\":\"Neo.ClientError.Statement.SemanticError\""), "{answer}");

    let (status, answer) = http(addr, "GET", "/schema", basic, "");
    assert_eq!(status, 200);
    let schema: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert!(schema["labels"]["Company"].as_u64().unwrap() > 10, "{answer}");
    assert_eq!(http(addr, "GET", "/health", "", ""), (200, "{\"status\":\"ok\"}\n".to_string()));
    s.shutdown();
}

/// One GET; the status, the headers in lower case, and the body's bytes.
fn get(addr: SocketAddr, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{headers}\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a header");
    let head = String::from_utf8(response[..split].to_vec()).unwrap().to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, response[split + 4..].to_vec())
}

#[test]
fn the_explorer_page_and_its_assets_are_served_without_credentials() {
    let s = server(ServerConfig { auth: Some(Credentials::new("neo4j", "pw")), ..ServerConfig::default() });
    let addr = s.http_addr().unwrap();
    let (status, head, body) = get(addr, "/", "");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: text/html; charset=utf-8"), "{head}");
    assert!(head.contains("content-security-policy: default-src 'self'"), "{head}");
    let html = String::from_utf8(body).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("/explorer/app.js"), "{html}");
    for (path, kind, starts) in [
        ("/explorer/app.js", "text/javascript; charset=utf-8", &b"//"[..]),
        ("/explorer/style.css", "text/css; charset=utf-8", b":root"),
        ("/explorer/cytoscape.min.js", "text/javascript; charset=utf-8", b"/**"),
        ("/explorer/cytoscape-LICENSE.txt", "text/plain; charset=utf-8", b"Copyright"),
    ] {
        let (status, head, body) = get(addr, path, "");
        assert_eq!(status, 200, "{path}: {head}");
        assert!(head.contains(&format!("content-type: {kind}\r\n")), "{path}: {head}");
        assert!(head.contains("x-content-type-options: nosniff"), "{path}: {head}");
        assert!(body.starts_with(starts), "{path}");
    }
    // The vendored library is the minified build, not a debug one.
    let (_, _, cytoscape) = get(addr, "/explorer/cytoscape.min.js", "");
    assert!((100_000..1_000_000).contains(&cytoscape.len()), "{} bytes", cytoscape.len());
    let (status, _, body) = get(addr, "/explorer/../Cargo.toml", "");
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
    assert_eq!(get(addr, "/explorer/secret.js", "").0, 404);

    // What reads the graph needs the credentials, and says how to give them.
    let body = r#"{"name": "智谱AI"}"#;
    let (status, answer) = http(addr, "POST", "/explore/find", "", body);
    assert_eq!(status, 401, "{answer}");
    let basic = "Authorization: Basic bmVvNGo6cHc=\r\n";
    let (status, answer) = http(addr, "POST", "/explore/find", basic, body);
    assert_eq!(status, 200, "{answer}");
    let zh: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let (_, answer) = http(addr, "POST", "/explore/find", basic, r#"{"name": "Zhipu AI"}"#);
    let en: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(zh["matches"][0]["key"], "zhipu-ai");
    assert_eq!(zh["matches"], en["matches"]);

    let id = zh["matches"][0]["id"].as_str().unwrap();
    let walk = format!(r#"{{"node": "{id}", "toward": "derived", "types": ["DEVELOPED_BY"], "depth": 1}}"#);
    let (status, answer) = http(addr, "POST", "/explore/lineage", basic, &walk);
    assert_eq!(status, 200, "{answer}");
    let walk: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let models: Vec<&str> =
        walk["nodes"].as_array().unwrap().iter().filter_map(|n| n["key"].as_str()).collect();
    assert!(models.contains(&"glm-130b"), "{models:?}");
    assert!(walk["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["target"] == id && e["properties"]["source"].is_string()));

    let (status, answer) =
        http(addr, "POST", "/explore/nodes", basic, &format!(r#"{{"ids": ["{id}", "x"]}}"#));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&answer).unwrap()["nodes"][0]["key"], "zhipu-ai");
    let (status, answer) =
        http(addr, "POST", "/explore/lineage", basic, r#"{"node": "1", "toward": "up", "types": ["NOPE"]}"#);
    assert_eq!(status, 400);
    assert!(answer.contains("unknown relationship type 'NOPE'"), "{answer}");
    s.shutdown();
}

#[test]
fn the_command_refuses_remote_addresses_without_credentials() {
    let aikg = env!("CARGO_BIN_EXE_aikg");
    let out = std::process::Command::new(aikg)
        .args(["serve", "--bolt", "0.0.0.0:0", "--no-http"])
        .env_remove("AIKG_AUTH")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("0.0.0.0:0 is reachable from other machines: give credentials"), "{stderr}");

    let out = std::process::Command::new(aikg)
        .args(["serve", "--bolt", "0.0.0.0:0", "--no-http", "--auth", "neo4j:/no/such/file"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading the password from /no/such/file"));

    let out = std::process::Command::new(aikg)
        .args(["serve", "--no-bolt", "--no-http"])
        .env("AIKG_AUTH", "no-password")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("AIKG_AUTH takes USER:PASSWORD"));
}
