//! The HTTP API:
//!
//! - `POST /db/query` with `{"statement": "...", "parameters": {...}}`
//!   answers `{"columns": [...], "rows": [[...], ...]}`, the JSON of
//!   `aikg query --format json`; a failed query answers status 400 with
//!   `{"code": "Neo.ClientError...", "message": "..."}`.
//! - `POST /db/{name}/query/v2` takes the same body and answers in the
//!   plain JSON of Neo4j's Query API: `{"data": {"fields": [...],
//!   "values": [[...]]}, "bookmarks": [...]}` (status 202), errors as
//!   `{"errors": [{"code", "message"}]}`.
//! - `GET /schema`: labels and relationship types with their counts, and
//!   the property keys.
//! - `GET /health`: `{"status": "ok"}`, without authentication, for
//!   probes.
//! - `GET /`: the lineage explorer, a page whose files need no
//!   authentication, and the `/explore/...` routes it reads the graph
//!   through, which do (see the `web` module).
//!
//! With credentials configured, every other request needs
//! `Authorization: Basic base64(user:password)` or `Authorization: Bearer
//! PASSWORD`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value as Json};
use tokio::sync::watch;

use super::{log, Failure, Shared};
use crate::{Params, ResultSet, Value};

/// Serves HTTP until `stop` turns true.
pub(crate) async fn listen(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
    let limit = shared.config.max_message_size;
    let app = Router::new()
        .route("/db/query", post(query))
        .route("/db/{name}/query/v2", post(query_api))
        .route("/schema", get(schema))
        .merge(super::web::data_routes())
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .route("/health", get(|| async { json_response(StatusCode::OK, &json!({"status": "ok"})) }))
        // The explorer's page holds no data: it loads without credentials
        // and asks for them when the data routes refuse it.
        .merge(super::web::page_routes())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(shared);
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
        log(format_args!("http: {e}"));
    }
}

pub(super) fn json_response(status: StatusCode, body: &Json) -> Response {
    let mut response = (status, format!("{body}\n")).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(super) fn failure(status: StatusCode, f: &Failure) -> Response {
    json_response(status, &json!({"code": f.code, "message": f.message}))
}

/// Checks credentials and holds one of the connection slots for the
/// length of the request.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if let Some(credentials) = &shared.config.auth {
        let (mut user, password) = presented(request.headers()).unwrap_or_default();
        if user == BEARER_USER {
            user = credentials.user().to_string();
        }
        if !credentials.check(&user, &password) {
            log(format_args!("http: authentication failed for user '{user}'"));
            let mut response = failure(
                StatusCode::UNAUTHORIZED,
                &Failure::new("Neo.ClientError.Security.Unauthorized", "authentication failed"),
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"aikg\""));
            return response;
        }
    }
    let Ok(_permit) = shared.http_slots.clone().try_acquire_owned() else {
        let busy = Failure::new("Neo.TransientError.General.OutOfMemoryError", "too many requests at once");
        return failure(StatusCode::SERVICE_UNAVAILABLE, &busy);
    };
    next.run(request).await
}

/// The user and password of a Basic header, or the configured user and
/// the token of a Bearer header.
fn presented(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some((BEARER_USER.to_string(), rest.trim().to_string()));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(rest.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// A bearer token stands for the configured user's password: the
/// server has one user, so the token is checked as that user's.
const BEARER_USER: &str = "\0bearer";

/// Standard base64 (padding optional); `None` for anything else.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Which shape a query endpoint answers in.
#[derive(Clone, Copy)]
enum Shape {
    /// `aikg query --format json`.
    Aikg,
    /// The Neo4j Query API's plain JSON.
    QueryApi,
}

async fn query(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    run_request(shared, body, Shape::Aikg).await
}

/// `POST /db/{name}/query/v2`, for tools written against Neo4j's Query
/// API. aikg has one graph, so the name is not checked.
async fn query_api(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    run_request(shared, body, Shape::QueryApi).await
}

async fn run_request(shared: Arc<Shared>, body: Bytes, shape: Shape) -> Response {
    let refuse = |status: StatusCode, f: &Failure| match shape {
        Shape::Aikg => failure(status, f),
        Shape::QueryApi => {
            json_response(status, &json!({"errors": [{"code": f.code, "message": f.message}]}))
        }
    };
    let request: Json = match serde_json::from_slice(&body) {
        Ok(j) => j,
        Err(e) => {
            let f =
                Failure::new("Neo.ClientError.Request.InvalidFormat", format!("the body is not JSON: {e}"));
            return refuse(StatusCode::BAD_REQUEST, &f);
        }
    };
    let Some(statement) = request.get("statement").and_then(Json::as_str).map(String::from) else {
        let f = Failure::new("Neo.ClientError.Request.Invalid", "the body needs a \"statement\" string");
        return refuse(StatusCode::BAD_REQUEST, &f);
    };
    let params: Params = match request.get("parameters") {
        None | Some(Json::Null) => Params::new(),
        Some(Json::Object(m)) => m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect(),
        Some(_) => {
            let f = Failure::new("Neo.ClientError.Request.Invalid", "\"parameters\" must be an object");
            return refuse(StatusCode::BAD_REQUEST, &f);
        }
    };
    let worker = shared.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let query = worker.parse(&statement)?;
        let result = worker.run(&query, &params, &worker.options(None))?;
        let mut body = Vec::new();
        match shape {
            Shape::Aikg => crate::result::write_json(&result, &mut body)
                .map_err(|e| Failure::new("Neo.DatabaseError.General.UnknownError", e.to_string()))?,
            Shape::QueryApi => {
                let answer = json!({
                    "data": {
                        "fields": result.columns(),
                        "values": result.rows().map(|row| {
                            row.iter().map(|v| query_api_value(&result, v)).collect::<Vec<_>>()
                        }).collect::<Vec<_>>(),
                    },
                    "bookmarks": [worker.bookmark()],
                });
                body = format!("{answer}\n").into_bytes();
            }
        }
        Ok::<_, Failure>(body)
    })
    .await;
    match outcome {
        Ok(Ok(body)) => {
            let status = match shape {
                Shape::Aikg => StatusCode::OK,
                Shape::QueryApi => StatusCode::ACCEPTED,
            };
            let mut response = (status, body).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Ok(Err(f)) => refuse(StatusCode::BAD_REQUEST, &f),
        Err(e) => {
            log(format_args!("http: a query failed to finish: {e}"));
            let f = Failure::new("Neo.DatabaseError.General.UnknownError", "the query failed to finish");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, &f)
        }
    }
}

/// A value in the Query API's plain JSON: nodes and relationships with
/// element ids (the same strings Bolt gives), a path as its nodes and
/// relationships alternating, temporals as ISO text.
fn query_api_value(result: &ResultSet, value: &Value) -> Json {
    let props = |m: &std::collections::BTreeMap<String, Value>| -> Json {
        m.iter()
            .map(|(k, v)| (k.clone(), query_api_value(result, v)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    match value {
        Value::List(items) => items.iter().map(|v| query_api_value(result, v)).collect(),
        Value::Map(m) => props(m),
        Value::Node(n) => match result.node(*n) {
            Some(s) => {
                json!({"elementId": n.0.to_string(), "labels": s.labels, "properties": props(&s.properties)})
            }
            None => json!({"elementId": n.0.to_string()}),
        },
        Value::Relationship(r) => match result.relationship(*r) {
            Some(s) => json!({
                "elementId": r.0.to_string(),
                "startNodeElementId": s.src.0.to_string(),
                "endNodeElementId": s.dst.0.to_string(),
                "type": s.rel_type,
                "properties": props(&s.properties),
            }),
            None => json!({"elementId": r.0.to_string()}),
        },
        Value::Path(p) => {
            let mut out: Vec<Json> =
                p.nodes.first().map(|n| query_api_value(result, &Value::Node(*n))).into_iter().collect();
            for (r, n) in p.rels.iter().zip(p.nodes.iter().skip(1)) {
                out.push(query_api_value(result, &Value::Relationship(*r)));
                out.push(query_api_value(result, &Value::Node(*n)));
            }
            Json::Array(out)
        }
        other => result.value_json(other),
    }
}

/// JSON as an aikg value: whole numbers that fit are integers.
fn from_json(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            n.as_i64().map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int)
        }
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::List(items.iter().map(from_json).collect()),
        Json::Object(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

async fn schema(State(shared): State<Arc<Shared>>) -> Response {
    let body = {
        let graph = shared.read();
        let counts = |items: Vec<(&str, usize)>| -> serde_json::Map<String, Json> {
            items.into_iter().map(|(k, n)| (k.to_string(), n.into())).collect()
        };
        json!({
            "labels": counts(graph.labels().collect()),
            "relationship_types": counts(graph.rel_types().collect()),
            "property_keys": graph.property_keys().collect::<Vec<_>>(),
            "nodes": graph.node_count(),
            "relationships": graph.edge_count(),
        })
    };
    json_response(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_and_bearer_credentials() {
        let mut headers = HeaderMap::new();
        // "neo4j:pass word" in base64.
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic bmVvNGo6cGFzcyB3b3Jk"));
        assert_eq!(presented(&headers), Some(("neo4j".into(), "pass word".into())));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer tok"));
        assert_eq!(presented(&headers), Some((BEARER_USER.into(), "tok".into())));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!"));
        assert_eq!(presented(&headers), None);
        assert_eq!(base64_decode("YQ"), Some(b"a".to_vec()));
        assert_eq!(base64_decode("YWJj"), Some(b"abc".to_vec()));
    }

    #[test]
    fn json_parameters_keep_integers() {
        let j: Json = serde_json::from_str(r#"{"a": [1, 1.5, "x", null, true]}"#).unwrap();
        let v = from_json(&j);
        let list = v.as_map().unwrap()["a"].as_list().unwrap().to_vec();
        assert_eq!(
            list,
            [Value::Int(1), Value::Float(1.5), Value::from("x"), Value::Null, Value::Bool(true)]
        );
    }
}
