//! The JSON export and its loader.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::Subgraph;
use crate::error::{DataError, DataErrorKind, Error, LoadError, Location};
use crate::load::{parse_graph_data, DataFile};
use crate::model::schema::AI_INDUSTRY;
use crate::model::{EdgeId, NodeId, Value};
use crate::store::Graph;

/// A float as text, always with a decimal point or exponent.
pub(crate) fn float_text(f: f64) -> String {
    let mut s = String::new();
    let _ = crate::model::write_float(&mut s, f);
    s
}

/// A property value as JSON. JSON has no NaN or infinities: they become
/// null. Temporals become their ISO text, entities (which properties never
/// hold) their literal text.
pub(crate) fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::from(&**s),
        Value::List(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), value_to_json(v))).collect()),
        Value::Temporal(t) => Json::from(t.to_string()),
        other => Json::from(other.to_string()),
    }
}

impl Subgraph<'_> {
    fn node_json(&self, node: NodeId) -> Json {
        let mut object = Map::new();
        object.insert("id".into(), self.node_key(node).to_json());
        object.insert("labels".into(), self.graph.node(node).labels().collect());
        let properties: Map<String, Json> =
            self.node_properties(node).map(|(k, v)| (k.to_string(), value_to_json(v))).collect();
        object.insert("properties".into(), Json::Object(properties));
        Json::Object(object)
    }

    fn edge_json(&self, edge: EdgeId) -> Json {
        let e = self.graph.edge(edge);
        let mut object = Map::new();
        object.insert("type".into(), Json::from(e.rel_type()));
        object.insert("src".into(), self.node_key(e.src().id()).to_json());
        object.insert("dst".into(), self.node_key(e.dst().id()).to_json());
        let properties: Map<String, Json> =
            e.properties().map(|(k, v)| (k.to_string(), value_to_json(v))).collect();
        object.insert("properties".into(), Json::Object(properties));
        Json::Object(object)
    }

    /// The JSON export as a value; see the [module docs](super#json).
    pub fn to_json(&self) -> Json {
        let mut object = Map::new();
        object.insert("nodes".into(), self.nodes.iter().map(|n| self.node_json(*n)).collect());
        object.insert("relationships".into(), self.edges.iter().map(|e| self.edge_json(*e)).collect());
        Json::Object(object)
    }

    /// Writes the JSON export, one node or relationship per line.
    ///
    /// # Errors
    /// What writing to `out` returns.
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        out.write_all(b"{\"nodes\":[")?;
        for (i, n) in self.nodes.iter().enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut out, &self.node_json(*n))?;
        }
        out.write_all(b"\n],\"relationships\":[")?;
        for (i, e) in self.edges.iter().enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut out, &self.edge_json(*e))?;
        }
        out.write_all(b"\n]}\n")
    }
}

/// The key of a node in the file: a string id or an index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileKey {
    Id(String),
    Index(u64),
}

impl std::fmt::Display for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileKey::Id(s) => write!(f, "'{s}'"),
            FileKey::Index(i) => write!(f, "#{i}"),
        }
    }
}

struct NodeRecord {
    key: FileKey,
    labels: Vec<String>,
    properties: Vec<(String, Value)>,
    line: usize,
}

struct EdgeRecord {
    rel_type: String,
    src: FileKey,
    dst: FileKey,
    properties: Vec<(String, Value)>,
}

struct Problems<'a> {
    file: &'a str,
    errors: Vec<DataError>,
}

impl Problems<'_> {
    fn push(&mut self, line: usize, kind: DataErrorKind, message: String) {
        self.errors.push(DataError {
            location: Location { file: self.file.to_string(), line },
            kind,
            message,
        });
    }
}

impl Graph {
    /// Loads a graph from the JSON export ([`Subgraph::write_json`] or
    /// [`super::to_json`]), so export → load gives back the same nodes,
    /// labels, properties and relationships. When every label, relationship
    /// type and property fits the AI-industry schema the graph is checked
    /// against it and carries it (as a graph-data folder would); otherwise
    /// the graph is schemaless.
    ///
    /// # Errors
    /// [`Error::Load`] with every problem found, each with the line where
    /// the offending node or relationship starts (the file is called
    /// `<json>` in messages; [`Graph::load_json_export`] names it).
    pub fn from_json_export(text: &str) -> Result<Graph, Error> {
        Ok(parse_json_export("<json>", text)?)
    }

    /// Reads a JSON export file; see [`Graph::from_json_export`].
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::Load`] if it is
    /// not a valid export.
    pub fn load_json_export(path: impl AsRef<Path>) -> Result<Graph, Error> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: name.clone(), source })?;
        let text = DataFile::new(&name, &bytes).text().map_err(|e| LoadError { errors: vec![e] })?;
        Ok(parse_json_export(&name, text)?)
    }
}

/// What the streaming pass over an export collects.
struct Collected<'a> {
    problems: Problems<'a>,
    node_lines: Vec<usize>,
    edge_lines: Vec<usize>,
    nodes: Vec<NodeRecord>,
    edges: Vec<(usize, EdgeRecord)>,
    /// Keys of nodes that have problems of their own, so relationships to
    /// them are not reported again.
    broken: HashSet<FileKey>,
    seen: [bool; 2],
}

/// The top-level object. Each node and relationship is parsed, checked and
/// dropped in turn, so a large export never exists as one JSON tree.
struct Top<'c, 'a>(&'c mut Collected<'a>);

/// The `nodes` (`true`) or `relationships` list.
struct List<'c, 'a>(&'c mut Collected<'a>, bool);

impl<'de> serde::de::Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object with nodes and relationships")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "nodes" => map.next_value_seed(List(&mut *self.0, true))?,
                "relationships" => map.next_value_seed(List(&mut *self.0, false))?,
                other => {
                    let message = format!("unknown key '{other}' (expected nodes, relationships)");
                    self.0.problems.push(1, DataErrorKind::Malformed, message);
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for List<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for List<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.1 { "a list of nodes" } else { "a list of relationships" })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let c = self.0;
        let lines = if self.1 { &c.node_lines } else { &c.edge_lines };
        c.seen[usize::from(!self.1)] = true;
        let mut i = 0;
        while let Some(item) = seq.next_element::<Json>()? {
            let line = lines.get(i).copied().unwrap_or(1);
            i += 1;
            if self.1 {
                match check_node(&mut c.problems, line, &item) {
                    Some(n) => c.nodes.push(n),
                    None => {
                        let key = item.get("id").and_then(|k| {
                            check_key(&mut Problems { file: "", errors: Vec::new() }, line, "", "", Some(k))
                        });
                        c.broken.extend(key);
                    }
                }
            } else if let Some(e) = check_edge(&mut c.problems, line, &item) {
                c.edges.push((line, e));
            }
        }
        Ok(())
    }
}

fn parse_json_export(file: &str, text: &str) -> Result<Graph, LoadError> {
    use serde::Deserializer as _;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (node_lines, edge_lines) = element_lines(text);
    let mut c = Collected {
        problems: Problems { file, errors: Vec::new() },
        node_lines,
        edge_lines,
        nodes: Vec::new(),
        edges: Vec::new(),
        broken: HashSet::new(),
        seen: [false; 2],
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de.deserialize_map(Top(&mut c)).and_then(|()| de.end());
    if let Err(e) = parsed {
        let message = if e.is_data() { e.to_string() } else { format!("invalid JSON: {e}") };
        // serde_json ends its messages with the position, which the location gives.
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        c.problems.errors.clear();
        c.problems.push(e.line(), DataErrorKind::Malformed, message);
        return Err(LoadError { errors: c.problems.errors });
    }
    for (seen, key) in c.seen.iter().zip(["nodes", "relationships"]) {
        if !seen {
            c.problems.push(1, DataErrorKind::MissingProperty, format!("missing '{key}'"));
        }
    }
    let Collected { mut problems, nodes, edges, broken, .. } = c;

    let mut index: HashMap<&FileKey, (usize, usize)> = HashMap::with_capacity(nodes.len());
    let mut duplicates = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some((_, first)) = index.get(&n.key) {
            duplicates.push((n.line, format!("duplicate node id {} (first at line {first})", n.key)));
        } else {
            index.insert(&n.key, (i, n.line));
        }
    }
    for (line, message) in duplicates {
        problems.push(line, DataErrorKind::DuplicateId, message);
    }
    for (line, e) in &edges {
        for (role, key) in [("src", &e.src), ("dst", &e.dst)] {
            if !index.contains_key(key) && !broken.contains(key) {
                problems.push(*line, DataErrorKind::UnknownNode, format!("{role} names unknown node {key}"));
            }
        }
    }
    if !problems.errors.is_empty() {
        problems.errors.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(LoadError { errors: problems.errors });
    }

    if let Some(graph) = with_schema(&nodes, edges.iter().map(|(_, e)| e)) {
        return Ok(graph);
    }
    let mut graph = Graph::new();
    graph.reserve(nodes.len(), edges.len());
    let mut ids = Vec::with_capacity(nodes.len());
    for n in &nodes {
        let id_property = match &n.key {
            FileKey::Id(s) => Some(("id", Value::from(s.as_str()))),
            FileKey::Index(_) => None,
        };
        let properties =
            id_property.into_iter().chain(n.properties.iter().map(|(k, v)| (k.as_str(), v.clone())));
        ids.push(graph.add_node(n.labels.iter().map(String::as_str), properties));
    }
    for (_, e) in &edges {
        let (src, dst) = (ids[index[&e.src].0], ids[index[&e.dst].0]);
        graph.add_edge(src, dst, &e.rel_type, e.properties.iter().map(|(k, v)| (k.as_str(), v.clone())));
    }
    Ok(graph)
}

/// The graph built by the graph-data loader, when the export is AI-industry
/// data (so it is checked against the schema and carries it); `None` when
/// it is not.
fn with_schema<'a>(
    nodes: &[NodeRecord],
    edges: impl Iterator<Item = &'a EdgeRecord> + Clone,
) -> Option<Graph> {
    let schema = &AI_INDUSTRY;
    let fits = nodes.iter().all(|n| {
        matches!(n.key, FileKey::Id(_))
            && n.labels.iter().all(|l| schema.has_label(l))
            && n.properties.iter().all(|(k, _)| k != "id" && schema.node_property(k).is_some())
    }) && edges.clone().all(|e| {
        schema.relation(&e.rel_type).is_some()
            && e.properties.iter().all(|(k, _)| schema.relation_property(k).is_some())
    });
    if !fits {
        return None;
    }
    let props = |object: &mut Map<String, Json>, properties: &[(String, Value)]| {
        for (k, v) in properties {
            object.insert(k.clone(), value_to_json(v));
        }
    };
    let mut node_text = String::new();
    for n in nodes {
        let mut object = Map::new();
        object.insert(
            "id".into(),
            Json::from(match &n.key {
                FileKey::Id(s) => s.as_str(),
                FileKey::Index(_) => "",
            }),
        );
        object.insert("labels".into(), n.labels.iter().map(String::as_str).collect());
        props(&mut object, &n.properties);
        node_text.push_str(&Json::Object(object).to_string());
        node_text.push('\n');
    }
    let mut edge_text = String::new();
    for e in edges {
        let key = |k: &FileKey| match k {
            FileKey::Id(s) => Json::from(s.as_str()),
            FileKey::Index(i) => Json::from(*i),
        };
        let mut object = Map::new();
        object.insert("type".into(), Json::from(e.rel_type.as_str()));
        object.insert("src".into(), key(&e.src));
        object.insert("dst".into(), key(&e.dst));
        props(&mut object, &e.properties);
        edge_text.push_str(&Json::Object(object).to_string());
        edge_text.push('\n');
    }
    parse_graph_data(
        [
            DataFile::new("nodes/export.jsonl", node_text.as_bytes()),
            DataFile::new("relations/export.jsonl", edge_text.as_bytes()),
        ],
        schema,
    )
    .ok()
}

fn check_key(
    problems: &mut Problems<'_>,
    line: usize,
    what: &str,
    role: &str,
    json: Option<&Json>,
) -> Option<FileKey> {
    match json {
        Some(Json::String(s)) if !s.is_empty() => Some(FileKey::Id(s.clone())),
        Some(Json::Number(n)) if n.as_u64().is_some_and(|i| i <= u64::from(u32::MAX)) => {
            n.as_u64().map(FileKey::Index)
        }
        Some(other) => {
            problems.push(
                line,
                DataErrorKind::InvalidProperty,
                format!("{what}: '{role}' must be a non-empty string or a node index, found {}", kind(other)),
            );
            None
        }
        None => {
            problems.push(line, DataErrorKind::MissingProperty, format!("{what} is missing '{role}'"));
            None
        }
    }
}

fn check_node(problems: &mut Problems<'_>, line: usize, item: &Json) -> Option<NodeRecord> {
    let before = problems.errors.len();
    let Json::Object(object) = item else {
        problems.push(
            line,
            DataErrorKind::Malformed,
            format!("node must be an object, found {}", kind(item)),
        );
        return None;
    };
    let key = check_key(problems, line, "node", "id", object.get("id"));
    let what = key.as_ref().map_or_else(|| "node".to_string(), |k| format!("node {k}"));
    unknown_keys(problems, line, &what, object, &["id", "labels", "properties"]);
    let mut labels = Vec::new();
    match object.get("labels") {
        Some(Json::Array(items)) => {
            for item in items {
                match item {
                    Json::String(l) if !l.is_empty() && !labels.contains(l) => labels.push(l.clone()),
                    Json::String(l) if !l.is_empty() => problems.push(
                        line,
                        DataErrorKind::InvalidProperty,
                        format!("{what}: label '{l}' given twice"),
                    ),
                    other => problems.push(
                        line,
                        DataErrorKind::InvalidProperty,
                        format!("{what}: labels must be non-empty strings, found {}", kind(other)),
                    ),
                }
            }
        }
        Some(other) => problems.push(
            line,
            DataErrorKind::InvalidProperty,
            format!("{what}: 'labels' must be a list of strings, found {}", kind(other)),
        ),
        None => problems.push(line, DataErrorKind::MissingProperty, format!("{what} is missing 'labels'")),
    }
    let properties = check_properties(problems, line, &what, object.get("properties"));
    if let (Some(FileKey::Id(id)), Some((_, v))) = (&key, properties.iter().find(|(k, _)| k == "id")) {
        if v.as_str() != Some(id.as_str()) {
            problems.push(
                line,
                DataErrorKind::InvalidProperty,
                format!("{what}: property 'id' ({v}) differs from the node's id"),
            );
        }
    }
    let key = key?;
    // The string key is the id property: keep it once.
    let properties = match key {
        FileKey::Id(_) => properties.into_iter().filter(|(k, _)| k != "id").collect(),
        FileKey::Index(_) => properties,
    };
    (problems.errors.len() == before).then_some(NodeRecord { key, labels, properties, line })
}

fn check_edge(problems: &mut Problems<'_>, line: usize, item: &Json) -> Option<EdgeRecord> {
    let before = problems.errors.len();
    let Json::Object(object) = item else {
        problems.push(
            line,
            DataErrorKind::Malformed,
            format!("relationship must be an object, found {}", kind(item)),
        );
        return None;
    };
    let rel_type = match object.get("type") {
        Some(Json::String(t)) if !t.is_empty() => Some(t.clone()),
        Some(other) => {
            problems.push(
                line,
                DataErrorKind::InvalidProperty,
                format!("relationship: 'type' must be a non-empty string, found {}", kind(other)),
            );
            None
        }
        None => {
            problems.push(line, DataErrorKind::MissingProperty, "relationship is missing 'type'".to_string());
            None
        }
    };
    let what = rel_type.as_ref().map_or_else(|| "relationship".to_string(), |t| format!("{t} relationship"));
    unknown_keys(problems, line, &what, object, &["type", "src", "dst", "properties"]);
    let src = check_key(problems, line, &what, "src", object.get("src"));
    let dst = check_key(problems, line, &what, "dst", object.get("dst"));
    let properties = check_properties(problems, line, &what, object.get("properties"));
    if problems.errors.len() != before {
        return None;
    }
    Some(EdgeRecord { rel_type: rel_type?, src: src?, dst: dst?, properties })
}

fn unknown_keys(
    problems: &mut Problems<'_>,
    line: usize,
    what: &str,
    object: &Map<String, Json>,
    known: &[&str],
) {
    for key in object.keys() {
        if !known.contains(&key.as_str()) {
            problems.push(
                line,
                DataErrorKind::UnknownProperty,
                format!("{what}: unknown key '{key}' (expected {})", known.join(", ")),
            );
        }
    }
}

fn check_properties(
    problems: &mut Problems<'_>,
    line: usize,
    what: &str,
    json: Option<&Json>,
) -> Vec<(String, Value)> {
    let object = match json {
        Some(Json::Object(o)) => o,
        None => return Vec::new(),
        Some(other) => {
            problems.push(
                line,
                DataErrorKind::InvalidProperty,
                format!("{what}: 'properties' must be an object, found {}", kind(other)),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(object.len());
    for (key, json) in object {
        match property_value(json) {
            Ok(Value::Null) => {}
            Ok(v) => out.push((key.clone(), v)),
            Err(found) => problems.push(
                line,
                DataErrorKind::InvalidProperty,
                format!("{what}: property '{key}' must be a scalar or a list of scalars, found {found}"),
            ),
        }
    }
    out
}

/// A JSON property value as a [`Value`]; the error says what was found
/// instead of a scalar or a list of scalars.
fn property_value(json: &Json) -> Result<Value, String> {
    let scalar = |json: &Json| -> Result<Value, String> {
        match json {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(Value::Int(i)),
                (None, Some(f)) if n.is_f64() => Ok(Value::Float(f)),
                _ => Err(format!("integer {n} out of range")),
            },
            Json::String(s) => Ok(Value::from(s.as_str())),
            other => Err(kind(other).to_string()),
        }
    };
    match json {
        Json::Null => Ok(Value::Null),
        Json::Array(items) => items
            .iter()
            .map(|i| scalar(i).map_err(|k| format!("a list holding {k}")))
            .collect::<Result<_, _>>()
            .map(Value::List),
        other => scalar(other),
    }
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// The 1-based line where each element of the top-level `nodes` and
/// `relationships` lists starts, found by scanning the (already parsed, so
/// valid) text once: serde_json does not report positions of values.
fn element_lines(text: &str) -> (Vec<usize>, Vec<usize>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    let mut string_start = 0;
    let mut last_key = "";
    // Which list the scanner is in (at depth 2), and whether the next
    // value starts an element.
    let mut current: Option<bool> = None;
    let mut expect = false;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 1 {
                    last_key = &text[string_start..i];
                }
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if depth == 2 && expect && b != b']' {
            match current {
                Some(true) => nodes.push(line),
                Some(false) => edges.push(line),
                None => {}
            }
            expect = false;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i + 1;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 {
                    current = match last_key {
                        "nodes" if b == b'[' => Some(true),
                        "relationships" if b == b'[' => Some(false),
                        _ => None,
                    };
                    expect = true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 2 => expect = true,
            _ => {}
        }
    }
    (nodes, edges)
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;

    fn export(graph: &Graph) -> String {
        let mut out = Vec::new();
        Subgraph::all(graph).write_json(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Everything a round trip must keep, by key: labels, properties, and
    /// relationships with their ends and properties.
    pub(crate) fn fingerprint(g: &Graph) -> (Vec<String>, Vec<String>) {
        let key = |n: NodeId| super::super::node_key(g, n).to_string();
        let mut nodes: Vec<String> = g
            .node_ids()
            .map(|n| {
                let node = g.node(n);
                let mut props: Vec<String> = node.properties().map(|(k, v)| format!("{k}={v:?}")).collect();
                props.sort();
                format!("{} {:?} {:?}", key(n), node.labels().collect::<Vec<_>>(), props)
            })
            .collect();
        nodes.sort();
        let mut edges: Vec<String> = g
            .edge_ids()
            .map(|e| {
                let edge = g.edge(e);
                let mut props: Vec<String> = edge.properties().map(|(k, v)| format!("{k}={v:?}")).collect();
                props.sort();
                format!("{}-{}->{} {:?}", key(edge.src().id()), edge.rel_type(), key(edge.dst().id()), props)
            })
            .collect();
        edges.sort();
        (nodes, edges)
    }

    #[test]
    fn shape_is_the_contract() {
        let g = tiny();
        let json: Json = serde_json::from_str(&export(&g)).unwrap();
        assert_eq!(json, Subgraph::all(&g).to_json());
        let first = &json["nodes"][0];
        assert_eq!(first["id"], "glm-130b");
        assert_eq!(first["labels"], serde_json::json!(["Model"]));
        assert_eq!(first["properties"]["params_billion"].to_string(), "130.0");
        assert!(first["properties"].get("id").is_none());
        assert_eq!(json["nodes"][3]["id"], 3);
        let rel = &json["relationships"][0];
        assert_eq!(
            (rel["type"].as_str(), rel["src"].as_str(), rel["dst"].as_str()),
            (Some("BUILT_ON"), Some("chatglm-6b"), Some("glm-130b"))
        );
        assert_eq!(rel["properties"]["source"], "s > t");
        assert_eq!(json["relationships"][2]["dst"], 3);
    }

    #[test]
    fn round_trips_schemaless_graphs() {
        let mut g = tiny();
        g.add_node(["Model"], [("id", "glm-130b".into()), ("name", "dup".into())]);
        let again = Graph::from_json_export(&export(&g)).unwrap();
        assert_eq!(fingerprint(&again), fingerprint(&g));
        assert!(again.schema().is_none());
    }

    #[test]
    fn round_trips_the_builtin_graph_with_its_schema() {
        let g = Graph::builtin();
        let again = Graph::from_json_export(&export(&g)).unwrap();
        assert_eq!(fingerprint(&again), fingerprint(&g));
        assert!(again.schema().is_some());
        // The compact form parses the same.
        let compact = Graph::from_json_export(&super::super::to_json(&g).to_string()).unwrap();
        assert_eq!(compact.node_count(), g.node_count());
    }

    #[test]
    fn problems_carry_lines() {
        let text = concat!(
            "{\"nodes\":[\n",
            "{\"id\":\"a\",\"labels\":[\"M\"],\"properties\":{\"x\":{\"k\":1}}},\n",
            "{\"id\":\"a\",\"labels\":\"M\",\"extra\":1},\n",
            "{\"id\":\"b\",\"labels\":[],\"properties\":{\"l\":[1,[2]]}}\n",
            "],\"relationships\":[\n",
            "{\"type\":\"R\",\"src\":\"a\",\"dst\":\"zz\"},\n",
            "{\"src\":\"a\",\"dst\":1.5}\n",
            "]}"
        );
        let err = parse_json_export("g.json", text).unwrap_err();
        let messages: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "g.json:2: node 'a': property 'x' must be a scalar or a list of scalars, found an object",
                "g.json:3: node 'a': unknown key 'extra' (expected id, labels, properties)",
                "g.json:3: node 'a': 'labels' must be a list of strings, found a string",
                "g.json:4: node 'b': property 'l' must be a scalar or a list of scalars, found a list holding a list",
                "g.json:6: dst names unknown node 'zz'",
                "g.json:7: relationship is missing 'type'",
                "g.json:7: relationship: 'dst' must be a non-empty string or a node index, found a number",
            ]
        );
        let err = parse_json_export("g.json", "{\"nodes\":[\n}").unwrap_err();
        assert_eq!(err.errors[0].to_string(), "g.json:2: invalid JSON: expected value");
        let err = parse_json_export("g.json", "[1]").unwrap_err();
        assert_eq!(
            err.errors[0].to_string(),
            "g.json:1: invalid type: sequence, expected an object with nodes and relationships"
        );
        let err = parse_json_export("g.json", "{\"nodes\":{}}").unwrap_err();
        assert_eq!(err.errors[0].to_string(), "g.json:1: invalid type: map, expected a list of nodes");
        let err = parse_json_export("g.json", "{\"nodes\":[]}").unwrap_err();
        assert_eq!(err.errors[0].to_string(), "g.json:1: missing 'relationships'");
    }

    #[test]
    fn duplicate_ids_are_reported() {
        let text = "{\"nodes\":[\n{\"id\":\"a\",\"labels\":[]},\n{\"id\":\"a\",\"labels\":[]}\n],\"relationships\":[]}";
        let err = parse_json_export("g.json", text).unwrap_err();
        assert_eq!(err.errors[0].to_string(), "g.json:3: duplicate node id 'a' (first at line 2)");
    }

    #[test]
    fn element_lines_skip_strings_and_nesting() {
        let text = "{\"x\":[{\"a\":\"],[\"}],\n\"nodes\":[\n{\"k\":[1,\n2]},\n\"s\" ,\n 3],\n\"relationships\":[{}]}";
        assert_eq!(element_lines(text), (vec![3, 5, 6], vec![7]));
    }
}
