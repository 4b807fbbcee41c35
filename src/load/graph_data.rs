//! The graph-data folder format: JSON Lines checked against a [`Schema`].

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::error::{did_you_mean, DataError, DataErrorKind, Error, LoadError, Location};
use crate::model::schema::{PropertyRule, PropertyType};
use crate::model::{NodeId, Schema, Value};
use crate::store::closest;
use crate::store::Graph;

/// One input file: a name for messages (`nodes/zhipu.jsonl`) and its bytes.
/// Files under `nodes/` hold nodes, files under `relations/` relations.
#[derive(Debug, Clone, Copy)]
pub struct DataFile<'a> {
    name: &'a str,
    bytes: &'a [u8],
}

impl<'a> DataFile<'a> {
    /// A file called `name` (relative to the graph-data folder) with `bytes`.
    pub fn new(name: &'a str, bytes: &'a [u8]) -> DataFile<'a> {
        DataFile { name, bytes }
    }

    /// Decodes the file as UTF-8, dropping a byte-order mark.
    pub(crate) fn text(&self) -> Result<&'a str, DataError> {
        let bytes = self.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            DataError {
                location: Location { file: self.name.to_string(), line },
                kind: DataErrorKind::Malformed,
                message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            }
        })
    }

    /// The file's name as given.
    pub fn name(&self) -> &'a str {
        self.name
    }
}

/// Reads `nodes/*.jsonl` and `relations/*.jsonl` under `dir`, sorted by name.
pub(super) fn read_dir(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Error> {
    fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
        move |source| Error::Io { path: path.display().to_string(), source }
    }
    let meta = std::fs::metadata(dir).map_err(io(dir))?;
    if !meta.is_dir() {
        return Err(Error::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a directory"),
        });
    }
    let mut files = Vec::new();
    for sub in ["nodes", "relations"] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&folder).map_err(io(&folder))? {
            let path = entry.map_err(io(&folder))?.path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                let bytes = std::fs::read(&path).map_err(io(&path))?;
                let name = format!("{sub}/{}", path.file_name().unwrap_or_default().to_string_lossy());
                files.push((name, bytes));
            }
        }
    }
    if files.is_empty() {
        return Err(Error::Load(LoadError {
            errors: vec![DataError {
                location: Location { file: dir.display().to_string(), line: 0 },
                kind: DataErrorKind::Malformed,
                message: "no nodes/*.jsonl or relations/*.jsonl files".to_string(),
            }],
        }));
    }
    files.sort();
    Ok(files)
}

/// A node line that passed its own checks.
struct NodeRecord {
    location: Location,
    id: String,
    labels: Vec<String>,
    properties: Vec<(&'static str, Value)>,
    /// The line had no problems of its own. Lines with problems still
    /// register their id, so relations naming them are not also reported
    /// as naming an unknown node.
    clean: bool,
}

/// A relation line that passed its own checks (endpoints not yet resolved).
struct RelationRecord {
    location: Location,
    rel_type: &'static str,
    src: String,
    dst: String,
    properties: Vec<(&'static str, Value)>,
}

/// Collects errors for one line.
struct Checker<'a> {
    location: &'a Location,
    errors: &'a mut Vec<DataError>,
}

impl Checker<'_> {
    fn error(&mut self, kind: DataErrorKind, message: String) {
        self.errors.push(DataError { location: self.location.clone(), kind, message });
    }
}

/// Parses and checks graph-data files against `schema` and builds the graph.
///
/// # Errors
/// Every problem in every file, in file and line order.
pub fn parse_graph_data<'a>(
    files: impl IntoIterator<Item = DataFile<'a>>,
    schema: &'static Schema,
) -> Result<Graph, LoadError> {
    parse_located(files, schema).map(|located| located.graph)
}

/// A graph built from graph-data files, with the file and line of each
/// entry: node `n` came from `nodes[n]`, relationship `e` from `edges[e]`.
pub(crate) struct Located {
    pub(crate) graph: Graph,
    pub(crate) nodes: Vec<Location>,
    pub(crate) edges: Vec<Location>,
}

/// [`parse_graph_data`], keeping where each entry came from.
pub(crate) fn parse_located<'a>(
    files: impl IntoIterator<Item = DataFile<'a>>,
    schema: &'static Schema,
) -> Result<Located, LoadError> {
    let mut errors = Vec::new();
    let mut nodes: Vec<NodeRecord> = Vec::new();
    let mut relations: Vec<RelationRecord> = Vec::new();
    for file in files {
        let text = match file.text() {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let is_nodes = file.name.starts_with("nodes/") || file.name.contains("/nodes/");
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let location = Location { file: file.name.to_string(), line: i + 1 };
            let mut check = Checker { location: &location, errors: &mut errors };
            let object = match serde_json::from_str::<Json>(line) {
                Ok(Json::Object(o)) => o,
                Ok(other) => {
                    check.error(
                        DataErrorKind::Malformed,
                        format!("expected a JSON object, found {}", json_kind(&other)),
                    );
                    continue;
                }
                Err(e) => {
                    check.error(DataErrorKind::Malformed, format!("invalid JSON: {e}"));
                    continue;
                }
            };
            if is_nodes {
                if let Some(n) = check_node(&mut check, &object, schema) {
                    nodes.push(n);
                }
            } else if let Some(r) = check_relation(&mut check, &object, schema) {
                relations.push(r);
            }
        }
    }

    // Ids: unique across all files.
    let mut first_seen: HashMap<&str, (usize, &Location)> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some((_, first)) = first_seen.get(n.id.as_str()) {
            errors.push(DataError {
                location: n.location.clone(),
                kind: DataErrorKind::DuplicateId,
                message: format!("duplicate node id '{}' (first defined at {first})", n.id),
            });
        } else {
            first_seen.insert(&n.id, (i, &n.location));
        }
    }

    // Relations: endpoints exist and fit the schema; no duplicates.
    let mut seen_relations: HashMap<(&str, &str, &str, String), &Location> = HashMap::new();
    for r in &relations {
        let mut check = Checker { location: &r.location, errors: &mut errors };
        let mut ends = Vec::new();
        for (role, id) in [("src", &r.src), ("dst", &r.dst)] {
            match first_seen.get(id.as_str()) {
                Some((i, _)) => ends.push(&nodes[*i]),
                None => {
                    let suggestions = closest(id, first_seen.keys().copied(), 3);
                    check.error(
                        DataErrorKind::UnknownNode,
                        format!("{role} names unknown node '{id}'{}", did_you_mean(&suggestions)),
                    );
                }
            }
        }
        if let [src, dst] = ends[..] {
            if !(src.clean && dst.clean) {
                continue;
            }
            let rule = schema.relation(r.rel_type).expect("type checked in check_relation");
            if !rule.allows(src.labels.iter().map(String::as_str), dst.labels.iter().map(String::as_str)) {
                check.error(
                    DataErrorKind::ForbiddenEndpoint,
                    format!(
                        "{} cannot go from {} '{}' to {} '{}' (allowed: {} -> {})",
                        r.rel_type,
                        src.labels.join(":"),
                        src.id,
                        dst.labels.join(":"),
                        dst.id,
                        rule.from.join("|"),
                        rule.to.join("|"),
                    ),
                );
            }
        }
        let round = r
            .properties
            .iter()
            .filter(|(k, _)| matches!(*k, "round" | "year" | "role"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let symmetric = schema.relation(r.rel_type).is_some_and(|rule| rule.symmetric);
        let reverse_key = (r.rel_type, r.dst.as_str(), r.src.as_str(), round.clone());
        let key = (r.rel_type, r.src.as_str(), r.dst.as_str(), round);
        let earlier = seen_relations
            .get(&key)
            .or_else(|| symmetric.then(|| seen_relations.get(&reverse_key)).flatten());
        if let Some(first) = earlier {
            check.error(
                DataErrorKind::DuplicateId,
                format!(
                    "duplicate relation {} from '{}' to '{}' (first at {first})",
                    r.rel_type, r.src, r.dst
                ),
            );
        } else {
            seen_relations.insert(key, &r.location);
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(LoadError { errors });
    }

    let mut graph = Graph::with_schema(schema);
    graph.reserve(nodes.len(), relations.len());
    for (label, _) in schema.labels {
        graph.intern_label(label);
    }
    let mut ids: HashMap<&str, NodeId> = HashMap::with_capacity(nodes.len());
    for n in &nodes {
        let properties = std::iter::once(("id", Value::from(n.id.as_str())))
            .chain(n.properties.iter().map(|(k, v)| (*k, v.clone())));
        let id = graph.add_node(n.labels.iter().map(String::as_str), properties);
        ids.insert(&n.id, id);
    }
    for r in &relations {
        graph.add_edge(ids[r.src.as_str()], ids[r.dst.as_str()], r.rel_type, r.properties.iter().cloned());
    }
    graph.prepare_traversal();
    // Nodes and relationships get dense ids in the order they are added.
    Ok(Located {
        graph,
        nodes: nodes.into_iter().map(|n| n.location).collect(),
        edges: relations.into_iter().map(|r| r.location).collect(),
    })
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split(['-', '.']).all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn check_node(
    check: &mut Checker<'_>,
    object: &serde_json::Map<String, Json>,
    schema: &'static Schema,
) -> Option<NodeRecord> {
    let before = check.errors.len();
    let id = match object.get("id") {
        Some(Json::String(s)) if is_valid_id(s) => Some(s.clone()),
        Some(Json::String(s)) => {
            check.error(
                DataErrorKind::InvalidProperty,
                format!("id '{s}' must be lowercase ASCII letters and digits joined by '-' or '.'"),
            );
            None
        }
        Some(other) => {
            check.error(
                DataErrorKind::InvalidProperty,
                format!("id must be a string, found {}", json_kind(other)),
            );
            None
        }
        None => {
            check.error(DataErrorKind::MissingProperty, "node is missing required property 'id'".to_string());
            None
        }
    };
    let what = id.as_deref().map_or_else(|| "node".to_string(), |id| format!("node '{id}'"));
    let mut labels = Vec::new();
    match object.get("labels") {
        Some(Json::Array(items)) if !items.is_empty() => {
            for item in items {
                match item {
                    Json::String(l) if schema.has_label(l) => {
                        if labels.contains(l) {
                            check.error(
                                DataErrorKind::InvalidProperty,
                                format!("{what}: label '{l}' given twice"),
                            );
                        } else {
                            labels.push(l.clone());
                        }
                    }
                    Json::String(l) => {
                        let suggestions = closest(l, schema.labels.iter().map(|(l, _)| *l), 2);
                        check.error(
                            DataErrorKind::UnknownName,
                            format!("{what}: unknown label '{l}'{}", did_you_mean(&suggestions)),
                        );
                    }
                    other => check.error(
                        DataErrorKind::InvalidProperty,
                        format!("{what}: labels must be strings, found {}", json_kind(other)),
                    ),
                }
            }
        }
        Some(Json::Array(_)) => {
            check.error(DataErrorKind::MissingProperty, format!("{what}: labels is empty"))
        }
        Some(other) => check.error(
            DataErrorKind::InvalidProperty,
            format!("{what}: labels must be a list of strings, found {}", json_kind(other)),
        ),
        None => check
            .error(DataErrorKind::MissingProperty, format!("{what} is missing required property 'labels'")),
    }
    let properties =
        check_properties(check, &what, object, schema.node_properties, &["id", "labels"], |_| true);
    let clean = check.errors.len() == before;
    id.map(|id| NodeRecord { location: check.location.clone(), id, labels, properties, clean })
}

fn check_relation(
    check: &mut Checker<'_>,
    object: &serde_json::Map<String, Json>,
    schema: &'static Schema,
) -> Option<RelationRecord> {
    let before = check.errors.len();
    let rule = match object.get("type") {
        Some(Json::String(t)) => match schema.relation(t) {
            Some(rule) => Some(rule),
            None => {
                let suggestions = closest(t, schema.relations.iter().map(|r| r.name), 2);
                check.error(
                    DataErrorKind::UnknownName,
                    format!("unknown relation type '{t}'{}", did_you_mean(&suggestions)),
                );
                None
            }
        },
        Some(other) => {
            check.error(
                DataErrorKind::InvalidProperty,
                format!("type must be a string, found {}", json_kind(other)),
            );
            None
        }
        None => {
            check.error(
                DataErrorKind::MissingProperty,
                "relation is missing required property 'type'".to_string(),
            );
            None
        }
    };
    let mut end = |role: &str| match object.get(role) {
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => {
            check.error(
                DataErrorKind::InvalidProperty,
                format!("{role} must be a node id string, found {}", json_kind(other)),
            );
            None
        }
        None => {
            check.error(
                DataErrorKind::MissingProperty,
                format!("relation is missing required property '{role}'"),
            );
            None
        }
    };
    let (src, dst) = (end("src"), end("dst"));
    let what = match rule {
        Some(r) => format!("{} relation", r.name),
        None => "relation".to_string(),
    };
    let allowed = |key: &str| {
        matches!(key, "source" | "lines" | "status" | "note")
            || rule.is_none_or(|r| r.properties.contains(&key))
    };
    let properties =
        check_properties(check, &what, object, schema.relation_properties, &["type", "src", "dst"], allowed);
    (check.errors.len() == before).then(|| RelationRecord {
        location: check.location.clone(),
        rel_type: rule.map_or("", |r| r.name),
        src: src.unwrap_or_default(),
        dst: dst.unwrap_or_default(),
        properties,
    })
}

/// Checks the properties of one line against `rules` (keys in `structural`
/// are handled by the caller) and converts them to values.
fn check_properties(
    check: &mut Checker<'_>,
    what: &str,
    object: &serde_json::Map<String, Json>,
    rules: &'static [PropertyRule],
    structural: &[&str],
    allowed: impl Fn(&str) -> bool,
) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for (key, json) in object {
        if structural.contains(&key.as_str()) {
            continue;
        }
        let Some(rule) = rules.iter().find(|r| r.key == key) else {
            let suggestions = closest(key, rules.iter().map(|r| r.key).filter(|k| allowed(k)), 2);
            check.error(
                DataErrorKind::UnknownProperty,
                format!("{what}: unknown property '{key}'{}", did_you_mean(&suggestions)),
            );
            continue;
        };
        if !allowed(key) {
            check.error(
                DataErrorKind::UnknownProperty,
                format!("{what}: property '{key}' is not allowed here"),
            );
            continue;
        }
        match convert(rule.ty, json) {
            Some(v) => out.push((rule.key, v)),
            None => check.error(
                DataErrorKind::InvalidProperty,
                format!("{what}: property '{key}' expects {}, found {}", expected(rule.ty), describe(json)),
            ),
        }
    }
    for rule in rules.iter().filter(|r| r.required && !structural.contains(&r.key)) {
        if !object.contains_key(rule.key) {
            check.error(
                DataErrorKind::MissingProperty,
                format!("{what} is missing required property '{}'", rule.key),
            );
        }
    }
    out
}

fn expected(ty: PropertyType) -> String {
    match ty {
        PropertyType::OneOf(allowed) => {
            let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
            format!("one of {}", quoted.join(", "))
        }
        other => other.name().to_string(),
    }
}

fn describe(json: &Json) -> String {
    match json {
        Json::String(s) => format!("string '{s}'"),
        Json::Number(n) => {
            format!("{} {n}", json_kind(json).trim_start_matches("an ").trim_start_matches("a "))
        }
        other => json_kind(other).to_string(),
    }
}

fn convert(ty: PropertyType, json: &Json) -> Option<Value> {
    match (ty, json) {
        (PropertyType::String, Json::String(s)) if !s.trim().is_empty() => Some(Value::from(s.as_str())),
        (PropertyType::StringList, Json::Array(items)) => items
            .iter()
            .map(|i| match i {
                Json::String(s) if !s.trim().is_empty() => Some(Value::from(s.as_str())),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Value::List),
        (PropertyType::Integer, Json::Number(n)) => n.as_i64().map(Value::Int),
        (PropertyType::Float, Json::Number(n)) => n.as_f64().filter(|f| f.is_finite()).map(Value::Float),
        (PropertyType::Boolean, Json::Bool(b)) => Some(Value::Bool(*b)),
        (PropertyType::YearMonth, Json::String(s)) if is_year_month(s) => Some(Value::from(s.as_str())),
        (PropertyType::LineSpan, Json::Array(items)) => match items.as_slice() {
            [Json::Number(a), Json::Number(b)] => match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) if 1 <= a && a <= b => {
                    Some(Value::List(vec![Value::Int(a), Value::Int(b)]))
                }
                _ => None,
            },
            _ => None,
        },
        (PropertyType::OneOf(allowed), Json::String(s)) if allowed.contains(&s.as_str()) => {
            Some(Value::from(s.as_str()))
        }
        _ => None,
    }
}

fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        4 => digits(0..4),
        7 => {
            digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && (1..=12).contains(&s[5..7].parse::<u8>().unwrap_or(0))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::AI_INDUSTRY;

    fn load(nodes: &str, relations: &str) -> Result<Graph, LoadError> {
        parse_graph_data(
            [
                DataFile::new("nodes/n.jsonl", nodes.as_bytes()),
                DataFile::new("relations/r.jsonl", relations.as_bytes()),
            ],
            &AI_INDUSTRY,
        )
    }

    const GOOD_NODES: &str = concat!(
        r#"{"id":"glm-130b","labels":["Model"],"name":"GLM-130B","params_billion":130,"released":"2022-08","source":"s"}"#,
        "\n",
        r#"{"id":"zhipu-ai","labels":["Company"],"name":"Zhipu AI","name_zh":"智谱AI","founded":2019,"source":"s"}"#,
        "\n"
    );

    fn messages(e: LoadError) -> Vec<String> {
        e.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn loads_valid_data_with_bom_and_crlf() {
        let nodes = format!("\u{feff}{}", GOOD_NODES.replace('\n', "\r\n"));
        let g = load(&nodes, r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","source":"s"}"#)
            .unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (2, 1));
        let glm = g.node(g.node_by_key("glm-130b").unwrap());
        assert_eq!(glm.property("params_billion"), Some(&Value::Float(130.0)));
        assert_eq!(glm.property("released"), Some(&Value::from("2022-08")));
    }

    #[test]
    fn reports_every_error_with_location() {
        let nodes = format!(
            "{GOOD_NODES}{}\n{}\n{}\nnot json\n",
            r#"{"id":"zhipu-ai","labels":["Compny"],"name":"Dup","source":"s"}"#,
            r#"{"id":"x","labels":["Model"],"name":"X","founded":"2019","foundd":1}"#,
            r#"{"id":"Bad Id","labels":["Model"],"name":"Y","source":"s"}"#,
        );
        let relations = concat!(
            r#"{"type":"BUILT_ON","src":"zhipu-ai","dst":"glm-130b","source":"s"}"#,
            "\n",
            r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-aii","source":"s"}"#,
            "\n",
            r#"{"type":"BUILD_ON","src":"glm-130b","dst":"glm-130b"}"#,
            "\n",
            r#"{"type":"INVESTED_IN","src":"zhipu-ai","dst":"zhipu-ai","round":"A","year":"2021","source":"s"}"#,
        );
        let err = load(&nodes, relations).unwrap_err();
        assert_eq!(
            messages(err),
            vec![
                "nodes/n.jsonl:3: node 'zhipu-ai': unknown label 'Compny'; did you mean 'Company'?",
                "nodes/n.jsonl:3: duplicate node id 'zhipu-ai' (first defined at nodes/n.jsonl:2)",
                "nodes/n.jsonl:4: node 'x': property 'founded' expects integer, found string '2019'",
                "nodes/n.jsonl:4: node 'x': unknown property 'foundd'; did you mean 'founded'?",
                "nodes/n.jsonl:4: node 'x' is missing required property 'source'",
                "nodes/n.jsonl:5: id 'Bad Id' must be lowercase ASCII letters and digits joined by '-' or '.'",
                "nodes/n.jsonl:6: invalid JSON: expected ident at line 1 column 2",
                "relations/r.jsonl:1: BUILT_ON cannot go from Company 'zhipu-ai' to Model 'glm-130b' (allowed: Model|Product -> Model|Product)",
                "relations/r.jsonl:2: dst names unknown node 'zhipu-aii'; did you mean 'zhipu-ai'?",
                "relations/r.jsonl:3: unknown relation type 'BUILD_ON'; did you mean 'BUILT_ON'?",
                "relations/r.jsonl:3: relation is missing required property 'source'",
                "relations/r.jsonl:4: INVESTED_IN relation: property 'year' expects integer, found string '2021'",
            ]
        );
    }

    #[test]
    fn citation_status_and_date_are_checked() {
        let relations = concat!(
            r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","source":"s","lines":[10,12],"status":"planned"}"#,
            "\n",
            r#"{"type":"INVESTED_IN","src":"zhipu-ai","dst":"zhipu-ai","date":"2023-02","lines":[5],"status":"rumour","source":"s"}"#,
            "\n",
            r#"{"type":"BUILT_ON","src":"glm-130b","dst":"glm-130b","date":"2023-02","lines":[9,3],"source":"s"}"#,
        );
        let err = load(GOOD_NODES, relations).unwrap_err();
        assert_eq!(
            messages(err),
            vec![
                "relations/r.jsonl:2: INVESTED_IN relation: property 'lines' expects [start, end] line numbers with 1 <= start <= end, found a list",
                "relations/r.jsonl:2: INVESTED_IN relation: property 'status' expects one of 'planned', 'announced', 'reported', found string 'rumour'",
                "relations/r.jsonl:3: BUILT_ON relation: property 'date' is not allowed here",
                "relations/r.jsonl:3: BUILT_ON relation: property 'lines' expects [start, end] line numbers with 1 <= start <= end, found a list",
            ]
        );
        let good = r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","source":"s","lines":[10,12],"status":"planned"}"#;
        let g = load(GOOD_NODES, good).unwrap();
        let e = g.edge(g.edge_ids().next().unwrap());
        assert_eq!(e.property("lines"), Some(&Value::List(vec![Value::Int(10), Value::Int(12)])));
        assert_eq!(e.property("status"), Some(&Value::from("planned")));
    }

    #[test]
    fn duplicate_ids_and_relations() {
        let nodes = format!(
            "{GOOD_NODES}{}\n",
            r#"{"id":"glm-130b","labels":["Model"],"name":"Again","source":"t"}"#
        );
        let rel = r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","source":"s"}"#;
        let err = load(&nodes, &format!("{rel}\n{rel}\n")).unwrap_err();
        assert_eq!(
            messages(err),
            vec![
                "nodes/n.jsonl:3: duplicate node id 'glm-130b' (first defined at nodes/n.jsonl:1)",
                "relations/r.jsonl:2: duplicate relation DEVELOPED_BY from 'glm-130b' to 'zhipu-ai' (first at relations/r.jsonl:1)",
            ]
        );
    }

    #[test]
    fn symmetric_relations_are_stored_once() {
        let nodes = concat!(
            r#"{"id":"a","labels":["Company"],"name":"A","source":"s"}"#,
            "\n",
            r#"{"id":"b","labels":["Lab"],"name":"B","source":"s"}"#
        );
        let rels = concat!(
            r#"{"type":"PARTNERED_WITH","src":"a","dst":"b","source":"s"}"#,
            "\n",
            r#"{"type":"PARTNERED_WITH","src":"b","dst":"a","source":"s"}"#
        );
        let err = load(nodes, rels).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.errors[0].kind, DataErrorKind::DuplicateId);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut bytes = GOOD_NODES.as_bytes().to_vec();
        bytes.extend_from_slice(b"{\"id\":\"\xff\"}\n");
        let err = parse_graph_data([DataFile::new("nodes/n.jsonl", &bytes)], &AI_INDUSTRY).unwrap_err();
        assert_eq!(
            messages(err),
            vec![format!("nodes/n.jsonl:3: invalid UTF-8 at byte {}", GOOD_NODES.len() + 7)]
        );
    }
}
