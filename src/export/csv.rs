//! The CSV pair `neo4j-admin database import` reads: a node file with
//! `id:ID,:LABEL,...` and a relationship file with
//! `:START_ID,:END_ID,:TYPE,...`, typed headers (`founded:long`,
//! `aliases:string[]`) and `;` between array elements and between labels
//! (neo4j-admin's default array delimiter).

use std::io::{self, Write};

use super::{plain_text, ColumnType, Columns, Scalar, Subgraph};
use crate::model::Value;

/// What the writer noticed that the import should know about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvNotes {
    /// Some value holds a line break: import with `--multiline-fields=true`.
    pub multiline: bool,
    /// Array elements that contain `;` and so will be split on import.
    pub split_elements: Vec<String>,
}

fn header_type(ty: ColumnType) -> &'static str {
    match (ty.scalar, ty.list) {
        (Scalar::String, false) => "",
        (Scalar::Int, false) => ":long",
        (Scalar::Float, false) => ":double",
        (Scalar::Bool, false) => ":boolean",
        (Scalar::String, true) => ":string[]",
        (Scalar::Int, true) => ":long[]",
        (Scalar::Float, true) => ":double[]",
        (Scalar::Bool, true) => ":boolean[]",
    }
}

/// Quotes a field when CSV needs it (and when leading or trailing spaces
/// could be trimmed away).
fn field(s: &str, notes: &mut CsvNotes) -> String {
    if s.contains(['\n', '\r']) {
        notes.multiline = true;
    }
    if s.is_empty() || s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn cell(value: Option<&Value>, ty: ColumnType, notes: &mut CsvNotes) -> String {
    let Some(value) = value else { return String::new() };
    let scalar_text = |v: &Value| match (ty.scalar, v) {
        (Scalar::Float, Value::Int(i)) => format!("{i}.0"),
        (Scalar::Float, Value::Float(f)) if !f.is_finite() => String::new(),
        _ => plain_text(v),
    };
    match (ty.list, value) {
        (true, Value::List(items)) => {
            let parts: Vec<String> = items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| {
                    let text = scalar_text(v);
                    if text.contains(';') {
                        notes.split_elements.push(text.clone());
                    }
                    text
                })
                .collect();
            field(&parts.join(";"), notes)
        }
        _ => field(&scalar_text(value), notes),
    }
}

fn header_name(name: &str, ty: ColumnType, notes: &mut CsvNotes) -> String {
    field(&format!("{name}{}", header_type(ty)), notes)
}

fn write_rows(
    out: &mut impl Write,
    header: Vec<String>,
    columns: &Columns<'_>,
    rows: impl Iterator<Item = (Vec<String>, Vec<(String, Value)>)>,
    notes: &mut CsvNotes,
) -> io::Result<()> {
    let mut line: Vec<String> = header;
    for (name, ty) in columns {
        line.push(header_name(name, *ty, notes));
    }
    writeln!(out, "{}", line.join(","))?;
    for (fixed, properties) in rows {
        let mut line = fixed;
        for (name, ty) in columns {
            let value = properties.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            line.push(cell(value, *ty, notes));
        }
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

impl Subgraph<'_> {
    /// Writes the node file and the relationship file for
    /// `neo4j-admin database import full --nodes=nodes.csv
    /// --relationships=relationships.csv`.
    ///
    /// When every node has an `id` of its own the id column is `id:ID`, so
    /// Neo4j stores it as the `id` property too; otherwise it is `:ID` (not
    /// stored) and `id` is an ordinary column. Values are typed per column:
    /// a key whose values disagree is written as strings.
    ///
    /// # Errors
    /// What writing returns.
    pub fn write_neo4j_csv(&self, mut nodes: impl Write, mut rels: impl Write) -> io::Result<CsvNotes> {
        let mut notes = CsvNotes::default();
        let g = self.graph;
        let id_header = if self.all_keyed() { "id:ID" } else { ":ID" };
        let node_rows = self.nodes.iter().map(|&n| {
            let fixed = vec![
                field(&self.node_key(n).to_string(), &mut CsvNotes::default()),
                field(&g.node(n).labels().collect::<Vec<_>>().join(";"), &mut CsvNotes::default()),
            ];
            let props = self.node_properties(n).map(|(k, v)| (k.to_string(), v.clone())).collect();
            (fixed, props)
        });
        let header = vec![id_header.to_string(), ":LABEL".to_string()];
        write_rows(&mut nodes, header, &self.node_columns(), node_rows, &mut notes)?;

        let edge_rows = self.edges.iter().map(|&e| {
            let edge = g.edge(e);
            let fixed = vec![
                field(&self.node_key(edge.src().id()).to_string(), &mut CsvNotes::default()),
                field(&self.node_key(edge.dst().id()).to_string(), &mut CsvNotes::default()),
                field(edge.rel_type(), &mut CsvNotes::default()),
            ];
            let props = edge.properties().map(|(k, v)| (k.to_string(), v.clone())).collect();
            (fixed, props)
        });
        let header = vec![":START_ID".to_string(), ":END_ID".to_string(), ":TYPE".to_string()];
        write_rows(&mut rels, header, &self.edge_columns(), edge_rows, &mut notes)?;
        Ok(notes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;
    use crate::Graph;

    fn write(g: &Graph) -> (String, String, CsvNotes) {
        let (mut n, mut r) = (Vec::new(), Vec::new());
        let notes = Subgraph::all(g).write_neo4j_csv(&mut n, &mut r).unwrap();
        (String::from_utf8(n).unwrap(), String::from_utf8(r).unwrap(), notes)
    }

    #[test]
    fn typed_headers_and_arrays() {
        let (nodes, rels, notes) = write(&tiny());
        let lines: Vec<&str> = nodes.lines().collect();
        assert_eq!(
            lines[0],
            ":ID,:LABEL,name,params_billion:double,aliases:string[],name_zh,founded:long,open:boolean"
        );
        assert_eq!(lines[1], "glm-130b,Model,GLM-130B,130.0,GLM;通用语言模型,,,");
        assert_eq!(lines[3], "zhipu-ai,Company;Investor,Zhipu AI,,,智谱AI,2019,true");
        assert_eq!(lines[4], "#3,Company,\"No \"\"Id\"\" & <Co>\",,,,,");
        let lines: Vec<&str> = rels.lines().collect();
        assert_eq!(lines[0], ":START_ID,:END_ID,:TYPE,source,round,year:long");
        assert_eq!(lines[2], "glm-130b,zhipu-ai,DEVELOPED_BY,\"x,y\",,");
        assert_eq!(lines[3], "zhipu-ai,#3,INVESTED_IN,,B,2022");
        assert_eq!(notes, CsvNotes::default());
    }

    #[test]
    fn id_column_is_stored_when_every_node_has_one() {
        let mut g = Graph::new();
        g.add_node(["A"], [("id", "x".into()), ("tags", Value::from(vec!["a;b"])), ("t", "l1\nl2".into())]);
        let (nodes, _, notes) = write(&g);
        assert!(nodes.starts_with("id:ID,:LABEL,tags:string[],t\n"), "{nodes}");
        assert!(notes.multiline);
        assert_eq!(notes.split_elements, ["a;b"]);
    }

    #[test]
    fn builtin_graph_row_counts() {
        let g = Graph::builtin();
        let (nodes, rels, _) = write(&g);
        assert!(nodes.starts_with("id:ID,:LABEL,name,"), "{}", &nodes[..80]);
        // Multi-line fields would add lines; the built-in data has none.
        assert_eq!(nodes.lines().count(), g.node_count() + 1);
        assert_eq!(rels.lines().count(), g.edge_count() + 1);
    }
}
