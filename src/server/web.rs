//! The lineage explorer: a page served at `/` that searches the graph by
//! name or alias, draws a node's lineage and runs Cypher, plus the small
//! JSON endpoints it needs beyond the query API.
//!
//! The page and its assets (HTML, CSS, the page's script and a vendored
//! copy of cytoscape.js, see `web/README.md`) are compiled into the
//! binary, so the explorer works offline. They hold no graph data, so
//! they are served without credentials; everything that reads the graph
//! (the endpoints below, `/db/query`, `/schema`) sits behind the same
//! authentication as the rest of the HTTP API, and the page asks for a
//! login when it is refused.
//!
//! - `POST /explore/find` with `{"name": "智谱AI"}`: the nodes whose id,
//!   name, Chinese name or an alias matches (as [`Graph::find_by_name`]
//!   normalises names), and close names when nothing does.
//! - `POST /explore/lineage` with `{"node": "12", "toward": "origins",
//!   "types": ["BUILT_ON"], "depth": 2}`: a [`Lineage`] walk from the node
//!   with that element id, `toward` `origins`, `derived` or `both`; without
//!   `types`, the walk follows [`DEFAULT_TYPES`] (those the graph has) and
//!   says which it followed.
//! - `POST /explore/nodes` with `{"ids": ["12", "40"]}`: nodes by element
//!   id, for drawing the ends of relationships a query returned alone.
//!
//! Nodes come as `{"id", "key", "labels", "name", "caption", "colour",
//! "properties"}` and relationships as `{"id", "type", "source", "target",
//! "caption", "properties"}`, where `id`, `source` and `target` are the
//! element ids Bolt and the Query API give. Failures answer like
//! `/db/query`: `{"code", "message"}`.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value as Json};

use super::http::{failure, json_response};
use super::{log, Failure, Shared};
use crate::export::{label_colour, value_to_json};
use crate::lineage::{edge_label, Lineage, Toward, DEFAULT_TYPES};
use crate::model::{EdgeId, NodeId};
use crate::{Error, Graph};

/// A file of the page: its name under `/explorer/`, and its bytes.
struct Asset {
    name: &'static str,
    bytes: &'static [u8],
}

const INDEX: &str = include_str!("web/index.html");

const ASSETS: &[Asset] = &[
    Asset { name: "app.js", bytes: include_bytes!("web/app.js") },
    Asset { name: "style.css", bytes: include_bytes!("web/style.css") },
    Asset { name: "cytoscape.min.js", bytes: include_bytes!("web/cytoscape.min.js") },
    Asset { name: "cytoscape-LICENSE.txt", bytes: include_bytes!("web/cytoscape-LICENSE.txt") },
];

/// The content type of an asset, by the end of its name.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The page may load only its own files, and draw into data and blob
/// images (the PNG download); cytoscape sets inline styles.
const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

fn static_response(name: &str, bytes: &'static [u8]) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The files change only with the binary; a reload after an upgrade
    // must not mix old and new.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if name.ends_with(".html") {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    response
}

/// The page and its assets, reachable without credentials.
pub(super) fn page_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(|| async { static_response("index.html", INDEX.as_bytes()) }))
        .route("/explorer/{file}", get(asset))
}

/// The explorer's endpoints, which read the graph: to be put behind the
/// authentication guard.
pub(super) fn data_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/explore/find", post(find))
        .route("/explore/lineage", post(lineage))
        .route("/explore/nodes", post(nodes))
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => static_response(a.name, a.bytes),
        None => failure(
            StatusCode::NOT_FOUND,
            &Failure::new("Neo.ClientError.Request.Invalid", format!("no file '{file}' in the explorer")),
        ),
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new("Neo.ClientError.Request.Invalid", message)
}

/// Parses a JSON object body.
fn body_object(body: &[u8]) -> Result<Map<String, Json>, Failure> {
    match serde_json::from_slice(body) {
        Ok(Json::Object(m)) => Ok(m),
        Ok(_) => Err(invalid("the body must be a JSON object")),
        Err(e) => {
            Err(Failure::new("Neo.ClientError.Request.InvalidFormat", format!("the body is not JSON: {e}")))
        }
    }
}

/// Runs `work` over the graph on the blocking pool, as queries run, and
/// answers its JSON or its failure.
async fn with_graph(
    shared: Arc<Shared>,
    work: impl FnOnce(&Graph) -> Result<Json, (StatusCode, Failure)> + Send + 'static,
) -> Response {
    match tokio::task::spawn_blocking(move || work(&shared.read())).await {
        Ok(Ok(body)) => json_response(StatusCode::OK, &body),
        Ok(Err((status, f))) => failure(status, &f),
        Err(e) => {
            log(format_args!("http: an explorer request failed to finish: {e}"));
            let f = Failure::new("Neo.DatabaseError.General.UnknownError", "the request failed to finish");
            failure(StatusCode::INTERNAL_SERVER_ERROR, &f)
        }
    }
}

fn bad_request(f: Failure) -> (StatusCode, Failure) {
    (StatusCode::BAD_REQUEST, f)
}

/// `POST /explore/find`.
async fn find(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match body_object(&body) {
        Ok(r) => r,
        Err(f) => return failure(StatusCode::BAD_REQUEST, &f),
    };
    let Some(name) = request.get("name").and_then(Json::as_str).map(str::trim).map(String::from) else {
        return failure(StatusCode::BAD_REQUEST, &invalid("the body needs a \"name\" string"));
    };
    with_graph(shared, move |graph| Ok(find_json(graph, &name))).await
}

fn find_json(graph: &Graph, name: &str) -> Json {
    let mut matches: Vec<NodeId> = graph.node_by_key(name).into_iter().collect();
    for n in graph.find_by_name(name) {
        if !matches.contains(&n) {
            matches.push(n);
        }
    }
    let suggestions = match (matches.is_empty(), graph.resolve(name)) {
        (true, Err(Error::NotFound { suggestions, .. })) => suggestions,
        _ => Vec::new(),
    };
    json!({
        "matches": matches.into_iter().map(|n| node_json(graph, n)).collect::<Vec<_>>(),
        "suggestions": suggestions,
    })
}

/// `POST /explore/lineage`.
async fn lineage(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match body_object(&body).and_then(|r| LineageRequest::parse(&r)) {
        Ok(r) => r,
        Err(f) => return failure(StatusCode::BAD_REQUEST, &f),
    };
    with_graph(shared, move |graph| request.walk(graph)).await
}

/// Which way a lineage request walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    Origins,
    Derived,
    Both,
}

#[derive(Debug)]
struct LineageRequest {
    node: String,
    walk: Walk,
    types: Option<Vec<String>>,
    depth: u32,
}

/// How deep a lineage request may go: enough for any chain in the
/// built-in graph, and a bound on one request's answer elsewhere.
const MAX_DEPTH: u64 = 50;

impl LineageRequest {
    fn parse(request: &Map<String, Json>) -> Result<LineageRequest, Failure> {
        let node = match request.get("node") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Number(n)) => n.to_string(),
            _ => return Err(invalid("the body needs a \"node\": the element id of a node")),
        };
        let walk = match request.get("toward").and_then(Json::as_str).unwrap_or("origins") {
            "origins" | "up" => Walk::Origins,
            "derived" | "down" => Walk::Derived,
            "both" => Walk::Both,
            other => {
                return Err(invalid(format!("\"toward\" is origins, derived or both, not '{other}'")));
            }
        };
        let types = match request.get("types") {
            None | Some(Json::Null) => None,
            Some(Json::Array(items)) => Some(
                items
                    .iter()
                    .map(|t| t.as_str().map(String::from))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("\"types\" must be a list of relationship type names"))?,
            ),
            Some(_) => return Err(invalid("\"types\" must be a list of relationship type names")),
        };
        let depth = match request.get("depth") {
            None | Some(Json::Null) => 2,
            Some(d) => match d.as_u64() {
                Some(d @ 1..=MAX_DEPTH) => d as u32,
                _ => return Err(invalid(format!("\"depth\" must be a whole number from 1 to {MAX_DEPTH}"))),
            },
        };
        Ok(LineageRequest { node, walk, types, depth })
    }

    fn walk(&self, graph: &Graph) -> Result<Json, (StatusCode, Failure)> {
        let root = live_node(graph, &self.node).ok_or_else(|| {
            let f = Failure::new(
                "Neo.ClientError.Statement.EntityNotFound",
                format!("no node with element id '{}'", self.node),
            );
            (StatusCode::NOT_FOUND, f)
        })?;
        let types: Vec<&str> = match &self.types {
            Some(types) => types.iter().map(String::as_str).collect(),
            None => DEFAULT_TYPES
                .iter()
                .copied()
                .filter(|t| graph.rel_types().any(|(have, _)| have == *t))
                .collect(),
        };
        let towards: &[Toward] = match self.walk {
            Walk::Origins => &[Toward::Origins],
            Walk::Derived => &[Toward::Derived],
            Walk::Both => &[Toward::Origins, Toward::Derived],
        };
        let mut nodes = vec![root];
        let mut seen_nodes = HashSet::from([root]);
        let mut edges: Vec<EdgeId> = Vec::new();
        let mut seen_edges = HashSet::new();
        // Nodes the depth limit stopped at, with how many branches wait below.
        let mut more: Vec<(NodeId, usize)> = Vec::new();
        for toward in towards {
            let walk = Lineage::new(graph, &types, *toward)
                .map_err(|e| {
                    bad_request(Failure::new("Neo.ClientError.Statement.ArgumentError", e.to_string()))
                })?
                .max_depth(self.depth);
            for branch in walk.tree(root).branches() {
                if seen_nodes.insert(branch.node) {
                    nodes.push(branch.node);
                }
                if seen_edges.insert(branch.edge) {
                    edges.push(branch.edge);
                }
                if let crate::lineage::BranchEnd::Cut { more: n } = branch.end {
                    more.push((branch.node, n));
                }
            }
        }
        let nodes: Vec<Json> = nodes
            .into_iter()
            .map(|n| {
                let mut j = node_json(graph, n);
                let waiting: usize = more.iter().filter(|(m, _)| *m == n).map(|(_, k)| k).sum();
                if waiting > 0 {
                    j["more"] = waiting.into();
                }
                j
            })
            .collect();
        Ok(json!({
            "root": root.0.to_string(),
            "types": types,
            "nodes": nodes,
            "edges": edges.into_iter().map(|e| edge_json(graph, e)).collect::<Vec<_>>(),
        }))
    }
}

/// How many nodes one `/explore/nodes` request may ask for.
const MAX_NODES: usize = 10_000;

/// `POST /explore/nodes`.
async fn nodes(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match body_object(&body) {
        Ok(r) => r,
        Err(f) => return failure(StatusCode::BAD_REQUEST, &f),
    };
    let ids: Vec<String> = match request.get("ids") {
        Some(Json::Array(items)) if items.len() <= MAX_NODES => {
            items.iter().filter_map(|i| i.as_str().map(String::from)).collect()
        }
        Some(Json::Array(_)) => {
            return failure(StatusCode::BAD_REQUEST, &invalid(format!("at most {MAX_NODES} ids at once")));
        }
        _ => {
            return failure(
                StatusCode::BAD_REQUEST,
                &invalid("the body needs \"ids\": a list of element ids"),
            )
        }
    };
    with_graph(shared, move |graph| {
        let nodes: Vec<Json> =
            ids.iter().filter_map(|id| live_node(graph, id)).map(|n| node_json(graph, n)).collect();
        Ok(json!({"nodes": nodes}))
    })
    .await
}

/// The live node with this element id (its index as decimal text).
fn live_node(graph: &Graph, element_id: &str) -> Option<NodeId> {
    let index: u32 = element_id.parse().ok()?;
    let id = NodeId(index);
    (id.index() < graph.node_slots() && !graph.node_is_dead(id)).then_some(id)
}

fn node_json(graph: &Graph, id: NodeId) -> Json {
    let node = graph.node(id);
    let labels: Vec<&str> = node.labels().collect();
    let mut caption = node.display_name();
    if let Some(zh) = node.name_zh().filter(|zh| *zh != caption) {
        caption.push('\n');
        caption.push_str(zh);
    }
    let properties: Map<String, Json> =
        node.properties().map(|(k, v)| (k.to_string(), value_to_json(v))).collect();
    json!({
        "id": id.0.to_string(),
        "key": node.key(),
        "labels": labels,
        "name": node.display_name(),
        "caption": caption,
        "colour": labels.first().map_or("#e5e5e5", |l| label_colour(l)),
        "properties": properties,
    })
}

fn edge_json(graph: &Graph, id: EdgeId) -> Json {
    let edge = graph.edge(id);
    let properties: Map<String, Json> =
        edge.properties().map(|(k, v)| (k.to_string(), value_to_json(v))).collect();
    json!({
        "id": id.0.to_string(),
        "type": edge.rel_type(),
        "source": edge.src().id().0.to_string(),
        "target": edge.dst().id().0.to_string(),
        "caption": edge_label(graph, id),
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Result<LineageRequest, Failure> {
        let Json::Object(m) = serde_json::from_str(text).unwrap() else { panic!("not an object") };
        LineageRequest::parse(&m)
    }

    #[test]
    fn assets_have_content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("cytoscape.min.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
        for a in ASSETS {
            assert!(!a.bytes.is_empty(), "{} is empty", a.name);
            assert_ne!(content_type(a.name), "application/octet-stream", "{}", a.name);
        }
    }

    #[test]
    fn names_and_aliases_find_the_same_node() {
        let g = Graph::builtin();
        let zh = find_json(&g, "智谱AI");
        let en = find_json(&g, " Zhipu AI ".trim());
        assert_eq!(zh["matches"][0]["key"], "zhipu-ai");
        assert_eq!(zh["matches"], en["matches"]);
        let none = find_json(&g, "Zhipu AJ");
        assert_eq!(none["matches"], json!([]));
        assert!(none["suggestions"].as_array().is_some_and(|s| !s.is_empty()), "{none}");
    }

    #[test]
    fn lineage_walks_default_types_and_marks_cut_nodes() {
        let g = Graph::builtin();
        let chatglm = g.resolve("ChatGLM-6B").unwrap();
        let r = request(&format!(r#"{{"node": "{}", "depth": 1}}"#, chatglm.0)).unwrap();
        let answer = r.walk(&g).unwrap();
        assert_eq!(answer["root"], chatglm.0.to_string());
        assert_eq!(answer["types"], json!(DEFAULT_TYPES));
        let keys: Vec<&str> =
            answer["nodes"].as_array().unwrap().iter().filter_map(|n| n["key"].as_str()).collect();
        assert!(keys.contains(&"glm-6b"), "{keys:?}");
        assert!(answer["nodes"].as_array().unwrap().iter().any(|n| n["more"].as_u64().is_some()), "{answer}");
        let edge = &answer["edges"][0];
        assert_eq!(edge["source"], chatglm.0.to_string());
        assert!(edge["properties"]["source"].is_string(), "{edge}");

        let both = request(&format!(r#"{{"node": {}, "toward": "both", "types": ["BUILT_ON"]}}"#, chatglm.0))
            .unwrap()
            .walk(&g)
            .unwrap();
        assert!(both["edges"].as_array().unwrap().iter().all(|e| e["type"] == "BUILT_ON"));
    }

    #[test]
    fn bad_lineage_requests_are_refused_with_reasons() {
        let g = Graph::builtin();
        let message = |r: Result<LineageRequest, Failure>| r.unwrap_err().message;
        assert_eq!(message(request("{}")), "the body needs a \"node\": the element id of a node");
        assert!(message(request(r#"{"node": "1", "toward": "sideways"}"#)).contains("'sideways'"));
        assert!(message(request(r#"{"node": "1", "depth": 0}"#)).contains("from 1 to 50"));
        assert!(message(request(r#"{"node": "1", "types": [1]}"#)).contains("list of relationship type"));
        let (status, f) = request(r#"{"node": "999999999"}"#).unwrap().walk(&g).unwrap_err();
        assert_eq!(
            (status, f.message.as_str()),
            (StatusCode::NOT_FOUND, "no node with element id '999999999'")
        );
        let (status, f) = request(r#"{"node": "0", "types": ["BUILT_0N"]}"#).unwrap().walk(&g).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(f.message.starts_with("unknown relationship type 'BUILT_0N'"), "{}", f.message);
        assert_eq!(live_node(&g, "-1"), None);
        assert_eq!(live_node(&g, "x"), None);
    }
}
