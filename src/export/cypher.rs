//! Cypher scripts: batched `UNWIND ... CREATE` for Neo4j and Memgraph (and
//! aikg itself), and DDL plus `CREATE` for Kùzu.

use std::fmt::Write as _;
use std::io::{self, Write};

use indexmap::IndexMap;

use super::{plain_text, ColumnType, Columns, NodeKey, Scalar, Subgraph};
use crate::model::{EdgeId, NodeId, Value};

/// Rows per `UNWIND` batch: big enough to be fast, small enough that one
/// statement stays well under the servers' request size limits.
const BATCH: usize = 500;

/// The property that names a node without an `id` of its own while the
/// script runs; the script removes it at the end.
const TEMP_KEY: &str = "_aikg_key";

/// Words Neo4j, Memgraph or Kùzu reserve; names equal to one (ignoring
/// case) are written in backquotes.
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "AND",
    "AS",
    "ASC",
    "BY",
    "CALL",
    "CASE",
    "COLUMN",
    "CONSTRAINT",
    "CONTAINS",
    "COPY",
    "CREATE",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "FALSE",
    "FOR",
    "FROM",
    "GROUP",
    "IN",
    "IS",
    "KEY",
    "LIMIT",
    "MANDATORY",
    "MATCH",
    "MERGE",
    "NODE",
    "NOT",
    "NULL",
    "OF",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "PRIMARY",
    "REL",
    "REMOVE",
    "REQUIRE",
    "RETURN",
    "SCALAR",
    "SET",
    "SKIP",
    "STARTS",
    "TABLE",
    "THEN",
    "TO",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
];

/// A label, type or key as Cypher text.
fn name(s: &str) -> String {
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)) {
        format!("`{}`", s.replace('`', "``"))
    } else {
        crate::model::quote_ident(s).into_owned()
    }
}

/// A value as a Cypher literal that Neo4j, Memgraph, Kùzu and aikg all
/// read. Non-finite floats have no literal, so they are written as the
/// division that makes them.
fn literal(out: &mut String, value: &Value) {
    match value {
        Value::Float(f) if f.is_nan() => out.push_str("0.0 / 0.0"),
        Value::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { "1.0 / 0.0" } else { "-1.0 / 0.0" }),
        Value::String(s) => {
            let _ = crate::model::write_quoted(out, s);
        }
        Value::List(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(out, v);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}: ", name(k));
                literal(out, v);
            }
            out.push('}');
        }
        Value::Node(_) | Value::Relationship(_) | Value::Path(_) => {
            let _ = crate::model::write_quoted(out, &value.to_string());
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn map_literal<'a>(out: &mut String, entries: impl IntoIterator<Item = (&'a str, &'a Value)>) {
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}: ", name(k));
        literal(out, v);
    }
    out.push('}');
}

fn labels_text(labels: &[&str]) -> String {
    labels.iter().map(|l| format!(":{}", name(l))).collect()
}

/// How a script finds a node again: by its label and `id`, or by the
/// temporary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Finder<'g> {
    label: Option<&'g str>,
    by_id: bool,
}

impl<'g> Subgraph<'g> {
    fn finder(&self, node: NodeId) -> Finder<'g> {
        Finder {
            label: self.graph.node(node).labels().next(),
            by_id: matches!(self.node_key(node), NodeKey::Id(_)),
        }
    }

    /// The value the script matches a node by.
    fn finder_value(&self, node: NodeId) -> Value {
        match self.node_key(node) {
            NodeKey::Id(s) => Value::from(s),
            NodeKey::Index(i) => Value::Int(i64::from(i)),
        }
    }

    /// Writes a Cypher script that recreates the subgraph in Neo4j or
    /// Memgraph (`cypher-shell -f`, `mgconsole <`), or in aikg. Nodes are
    /// created in batches of `UNWIND [...] AS row CREATE (...)` per label
    /// set; relationships are created per type and endpoint labels by
    /// matching both ends on their label and `id`. Nodes without an `id` of
    /// their own carry a temporary `_aikg_key` property while the script
    /// runs. Index the `id` property first on large exports (the header
    /// comment gives the statements for both servers).
    ///
    /// # Errors
    /// What writing returns.
    pub fn write_cypher(&self, mut out: impl Write) -> io::Result<()> {
        let g = self.graph;
        let mut labels_seen: Vec<&str> = Vec::new();
        for n in &self.nodes {
            if let Some(l) = g.node(*n).labels().next() {
                if !labels_seen.contains(&l) {
                    labels_seen.push(l);
                }
            }
        }
        writeln!(
            out,
            "// aikg export: {} nodes, {} relationships.\n\
             // Neo4j:    cypher-shell -u neo4j -p <password> -f <this file>\n\
             // Memgraph: mgconsole < <this file>\n\
             // On a large export, index the id of each label first:",
            self.nodes.len(),
            self.edges.len()
        )?;
        for l in &labels_seen {
            writeln!(
                out,
                "//   Neo4j 5: CREATE INDEX FOR (n:{0}) ON (n.id);  Memgraph: CREATE INDEX ON :{0}(id);",
                name(l)
            )?;
        }

        // Nodes, grouped by label set in order of first appearance.
        let mut groups: IndexMap<Vec<&str>, Vec<NodeId>> = IndexMap::new();
        for &n in &self.nodes {
            groups.entry(g.node(n).labels().collect()).or_default().push(n);
        }
        let mut temp_keys = false;
        for (labels, nodes) in &groups {
            for chunk in nodes.chunks(BATCH) {
                let mut rows = Vec::with_capacity(chunk.len());
                let mut keys: Vec<&str> = Vec::new();
                for &n in chunk {
                    let key_value = self.finder_value(n);
                    let key_name = match self.node_key(n) {
                        NodeKey::Id(_) => "id",
                        NodeKey::Index(_) => {
                            temp_keys = true;
                            TEMP_KEY
                        }
                    };
                    let props: Vec<(&str, Value)> = std::iter::once((key_name, key_value))
                        .chain(self.node_properties(n).map(|(k, v)| (k, v.clone())))
                        .collect();
                    for (k, _) in &props {
                        if !keys.contains(k) {
                            keys.push(k);
                        }
                    }
                    let mut row = String::new();
                    map_literal(&mut row, props.iter().map(|(k, v)| (*k, v)));
                    rows.push(row);
                }
                let assignments: Vec<String> =
                    keys.iter().map(|k| format!("{0}: row.{0}", name(k))).collect();
                writeln!(out, "UNWIND [\n  {}\n] AS row", rows.join(",\n  "))?;
                writeln!(out, "CREATE ({} {{{}}});", labels_text(labels), assignments.join(", "))?;
            }
        }

        // Relationships, grouped by type and how their ends are found.
        let mut groups: IndexMap<(&str, Finder<'_>, Finder<'_>), Vec<EdgeId>> = IndexMap::new();
        for &e in &self.edges {
            let edge = g.edge(e);
            let key = (edge.rel_type(), self.finder(edge.src().id()), self.finder(edge.dst().id()));
            groups.entry(key).or_default().push(e);
        }
        for ((rel_type, src, dst), edges) in &groups {
            for chunk in edges.chunks(BATCH) {
                let mut rows = Vec::with_capacity(chunk.len());
                let mut keys: Vec<&str> = Vec::new();
                for &e in chunk {
                    let edge = g.edge(e);
                    let mut row = String::from("{src: ");
                    literal(&mut row, &self.finder_value(edge.src().id()));
                    row.push_str(", dst: ");
                    literal(&mut row, &self.finder_value(edge.dst().id()));
                    row.push_str(", props: ");
                    map_literal(&mut row, edge.properties());
                    row.push('}');
                    rows.push(row);
                    for (k, _) in edge.properties() {
                        if !keys.contains(&k) {
                            keys.push(k);
                        }
                    }
                }
                let end = |var: &str, f: &Finder<'_>, field: &str| {
                    let label = f.label.map(|l| format!(":{}", name(l))).unwrap_or_default();
                    let key = if f.by_id { "id" } else { TEMP_KEY };
                    format!("({var}{label} {{{key}: row.{field}}})")
                };
                let props = if keys.is_empty() {
                    String::new()
                } else {
                    let assignments: Vec<String> =
                        keys.iter().map(|k| format!("{0}: row.props.{0}", name(k))).collect();
                    format!(" {{{}}}", assignments.join(", "))
                };
                writeln!(out, "UNWIND [\n  {}\n] AS row", rows.join(",\n  "))?;
                writeln!(
                    out,
                    "MATCH {}, {}\nCREATE (a)-[:{}{props}]->(b);",
                    end("a", src, "src"),
                    end("b", dst, "dst"),
                    name(rel_type)
                )?;
            }
        }
        if temp_keys {
            writeln!(out, "MATCH (n) WHERE n.{TEMP_KEY} IS NOT NULL REMOVE n.{TEMP_KEY};")?;
        }
        Ok(())
    }

    /// Writes a script for Kùzu, whose tables are typed: first `CREATE NODE
    /// TABLE` per label and `CREATE REL TABLE` per relationship type (with
    /// one `FROM ... TO ...` pair per pair of end tables), then one `CREATE`
    /// per node and one `MATCH ... CREATE` per relationship.
    ///
    /// Kùzu gives each node one table: its first label. Nodes with more
    /// labels keep them all in a `_labels STRING[]` column of their table.
    /// The primary key is `id` (`#12` for a node without an `id` of its
    /// own, whose own non-string `id` property, if any, becomes
    /// `id_property`). A property whose values disagree in type is a
    /// `STRING` column.
    ///
    /// # Errors
    /// What writing returns.
    pub fn write_kuzu(&self, mut out: impl Write) -> io::Result<()> {
        let g = self.graph;
        let table_of = |n: NodeId| g.node(n).labels().next().unwrap_or("Node");
        // Properties per node as written: the key first, a stray `id` renamed.
        let node_props = |n: NodeId| -> Vec<(&str, Value)> {
            let key = Value::from(self.node_key(n).to_string());
            std::iter::once(("id", key))
                .chain(
                    self.node_properties(n)
                        .map(|(k, v)| (if k == "id" { "id_property" } else { k }, v.clone())),
                )
                .collect()
        };
        // Per table: its columns, and whether some node in it has more labels.
        let mut tables: IndexMap<&str, (Columns<'_>, bool)> = IndexMap::new();
        for &n in &self.nodes {
            let entry = tables.entry(table_of(n)).or_default();
            if g.node(n).labels().len() > 1 {
                entry.1 = true;
            }
            for (k, v) in node_props(n) {
                if let Some(ty) = ColumnType::of(&v) {
                    entry.0.entry(k).and_modify(|t| *t = t.unify(ty)).or_insert(ty);
                }
            }
        }
        let mut rel_tables: IndexMap<&str, RelTable<'_>> = IndexMap::new();
        for &e in &self.edges {
            let edge = g.edge(e);
            let entry = rel_tables.entry(edge.rel_type()).or_default();
            let pair = (table_of(edge.src().id()), table_of(edge.dst().id()));
            if !entry.1.contains(&pair) {
                entry.1.push(pair);
            }
            for (k, v) in edge.properties() {
                if let Some(ty) = ColumnType::of(v) {
                    entry.0.entry(k).and_modify(|t| *t = t.unify(ty)).or_insert(ty);
                }
            }
        }

        writeln!(
            out,
            "// aikg export for Kùzu: {} nodes, {} relationships.\n\
             // Run in a new database: kuzu <db-dir> < <this file>",
            self.nodes.len(),
            self.edges.len()
        )?;
        for (table, (columns, multi)) in &tables {
            let mut defs: Vec<String> = vec!["id STRING".to_string()];
            if *multi {
                defs.push("_labels STRING[]".to_string());
            }
            defs.extend(
                columns
                    .iter()
                    .filter(|(k, _)| **k != "id")
                    .map(|(k, t)| format!("{} {}", name(k), kuzu_type(*t))),
            );
            writeln!(out, "CREATE NODE TABLE {}({}, PRIMARY KEY (id));", name(table), defs.join(", "))?;
        }
        for (rel_type, (columns, pairs)) in &rel_tables {
            let mut defs: Vec<String> =
                pairs.iter().map(|(a, b)| format!("FROM {} TO {}", name(a), name(b))).collect();
            defs.extend(columns.iter().map(|(k, t)| format!("{} {}", name(k), kuzu_type(*t))));
            writeln!(out, "CREATE REL TABLE {}({});", name(rel_type), defs.join(", "))?;
        }

        for &n in &self.nodes {
            let table = table_of(n);
            let (columns, multi) = &tables[table];
            let mut props: Vec<(&str, Value)> = node_props(n)
                .into_iter()
                .map(|(k, v)| (k, kuzu_value(&v, columns.get(k).copied())))
                .collect();
            if *multi {
                props.insert(1, ("_labels", Value::from(g.node(n).labels().collect::<Vec<_>>())));
            }
            let mut line = format!("CREATE (:{} ", name(table));
            map_literal(&mut line, props.iter().map(|(k, v)| (*k, v)));
            line.push_str(");");
            writeln!(out, "{line}")?;
        }
        for &e in &self.edges {
            let edge = g.edge(e);
            let columns = &rel_tables[edge.rel_type()].0;
            let (src, dst) = (edge.src().id(), edge.dst().id());
            let mut line = String::from("MATCH ");
            for (var, n) in [("a", src), ("b", dst)] {
                if var == "b" {
                    line.push_str(", ");
                }
                let _ = write!(line, "({var}:{} {{id: ", name(table_of(n)));
                literal(&mut line, &Value::from(self.node_key(n).to_string()));
                line.push_str("})");
            }
            let _ = write!(line, " CREATE (a)-[:{}", name(edge.rel_type()));
            let props: Vec<(&str, Value)> =
                edge.properties().map(|(k, v)| (k, kuzu_value(v, columns.get(k).copied()))).collect();
            if !props.is_empty() {
                line.push(' ');
                map_literal(&mut line, props.iter().map(|(k, v)| (*k, v)));
            }
            line.push_str("]->(b);");
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

/// A Kùzu relationship table: its columns, and the (from table, to table)
/// pairs it joins.
type RelTable<'a> = (Columns<'a>, Vec<(&'a str, &'a str)>);

fn kuzu_type(ty: ColumnType) -> &'static str {
    match (ty.scalar, ty.list) {
        (Scalar::String, false) => "STRING",
        (Scalar::Int, false) => "INT64",
        (Scalar::Float, false) => "DOUBLE",
        (Scalar::Bool, false) => "BOOLEAN",
        (Scalar::String, true) => "STRING[]",
        (Scalar::Int, true) => "INT64[]",
        (Scalar::Float, true) => "DOUBLE[]",
        (Scalar::Bool, true) => "BOOLEAN[]",
    }
}

/// A value converted to its column's type, as Kùzu's typed tables need.
fn kuzu_value(value: &Value, ty: Option<ColumnType>) -> Value {
    let Some(ty) = ty else { return value.clone() };
    let scalar = |v: &Value| match (ty.scalar, v) {
        (Scalar::Float, Value::Int(i)) => Value::Float(*i as f64),
        (Scalar::String, Value::String(_)) => v.clone(),
        (Scalar::String, other) => Value::from(plain_text(other)),
        _ => v.clone(),
    };
    match (ty.list, value) {
        (true, Value::List(items)) => Value::List(items.iter().map(scalar).collect()),
        (false, Value::List(_)) => Value::from(plain_text(value)),
        _ => scalar(value),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;
    use crate::Graph;

    fn cypher(g: &Graph) -> String {
        let mut out = Vec::new();
        Subgraph::all(g).write_cypher(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn kuzu(g: &Graph) -> String {
        let mut out = Vec::new();
        Subgraph::all(g).write_kuzu(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn neo4j_script_batches_by_label_and_type() {
        let text = cypher(&tiny());
        assert!(text.contains(
            "UNWIND [\n  {id: 'glm-130b', name: 'GLM-130B', params_billion: 130.0, aliases: ['GLM', '通用语言模型']},\n  \
             {id: 'chatglm-6b', name: 'ChatGLM-6B'}\n] AS row\n\
             CREATE (:Model {id: row.id, name: row.name, params_billion: row.params_billion, aliases: row.aliases});"
        ), "{text}");
        assert!(text.contains("CREATE (:Company:Investor {id: row.id, name: row.name, name_zh: row.name_zh, founded: row.founded, open: row.open});"));
        assert!(text.contains("{_aikg_key: 3, name: 'No \"Id\" & <Co>'}"), "{text}");
        assert!(
            text.contains(
                "UNWIND [\n  {src: 'chatglm-6b', dst: 'glm-130b', props: {source: 's > t'}}\n] AS row\n\
             MATCH (a:Model {id: row.src}), (b:Model {id: row.dst})\n\
             CREATE (a)-[:BUILT_ON {source: row.props.source}]->(b);"
            ),
            "{text}"
        );
        assert!(text.contains("MATCH (a:Company {id: row.src}), (b:Company {_aikg_key: row.dst})"), "{text}");
        assert!(text.ends_with("MATCH (n) WHERE n._aikg_key IS NOT NULL REMOVE n._aikg_key;\n"));
        // Three label sets, three (type, ends) groups.
        assert_eq!(text.matches("UNWIND [").count(), 6);
    }

    #[test]
    fn names_and_literals_are_quoted() {
        assert_eq!(name("round"), "round");
        assert_eq!(name("order"), "`order`");
        assert_eq!(name("my key"), "`my key`");
        let mut s = String::new();
        literal(&mut s, &Value::List(vec!["it's".into(), Value::Float(f64::NAN), Value::Float(2.0)]));
        assert_eq!(s, r"['it\'s', 0.0 / 0.0, 2.0]");
    }

    #[test]
    fn kuzu_ddl_then_data() {
        let text = kuzu(&tiny());
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("//")).collect();
        assert_eq!(lines[0], "CREATE NODE TABLE Model(id STRING, name STRING, params_billion DOUBLE, aliases STRING[], PRIMARY KEY (id));");
        assert_eq!(lines[1], "CREATE NODE TABLE Company(id STRING, _labels STRING[], name STRING, name_zh STRING, founded INT64, open BOOLEAN, PRIMARY KEY (id));");
        assert_eq!(lines[2], "CREATE REL TABLE BUILT_ON(FROM Model TO Model, source STRING);");
        assert_eq!(
            lines[4],
            "CREATE REL TABLE INVESTED_IN(FROM Company TO Company, round STRING, year INT64);"
        );
        assert_eq!(lines[7], "CREATE (:Company {id: 'zhipu-ai', _labels: ['Company', 'Investor'], name: 'Zhipu AI', name_zh: '智谱AI', founded: 2019, open: true});");
        assert_eq!(lines[8], "CREATE (:Company {id: '#3', _labels: ['Company'], name: 'No \"Id\" & <Co>'});");
        assert_eq!(lines[11], "MATCH (a:Company {id: 'zhipu-ai'}), (b:Company {id: '#3'}) CREATE (a)-[:INVESTED_IN {round: 'B', year: 2022}]->(b);");
    }

    #[test]
    fn kuzu_columns_take_one_type() {
        let mut g = Graph::new();
        g.add_node(["A"], [("id", "x".into()), ("v", Value::Int(1))]);
        g.add_node(["A"], [("id", "y".into()), ("v", Value::Float(2.5))]);
        g.add_node(["A"], [("id", "z".into()), ("w", Value::Int(1))]);
        g.add_node(["A"], [("id", "q".into()), ("w", "one".into())]);
        let text = kuzu(&g);
        assert!(
            text.contains("CREATE NODE TABLE A(id STRING, v DOUBLE, w STRING, PRIMARY KEY (id));"),
            "{text}"
        );
        assert!(text.contains("CREATE (:A {id: 'x', v: 1.0});"), "{text}");
        assert!(text.contains("CREATE (:A {id: 'z', w: '1'});"), "{text}");
    }
}
