//! GraphML with typed keys.

use std::io::{self, Write};

use super::{plain_text, ColumnType, Scalar, Subgraph};
use crate::model::Value;

/// Escapes text for XML content and attribute values, dropping the control
/// characters XML 1.0 cannot hold at all.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn attr_type(ty: ColumnType) -> &'static str {
    if ty.list {
        return "string";
    }
    match ty.scalar {
        Scalar::Bool => "boolean",
        Scalar::Int => "long",
        Scalar::Float => "double",
        Scalar::String => "string",
    }
}

/// A value as GraphML data text: lists (which GraphML has no type for) as
/// JSON arrays, integers in float columns with a decimal point.
fn data_text(value: &Value, ty: ColumnType) -> String {
    match (ty.scalar, ty.list, value) {
        (Scalar::Float, false, Value::Int(i)) => format!("{i}.0"),
        (_, _, Value::Float(f)) if !f.is_finite() => match *f {
            f if f.is_nan() => "NaN".to_string(),
            f if f > 0.0 => "INF".to_string(),
            _ => "-INF".to_string(),
        },
        _ => plain_text(value),
    }
}

impl Subgraph<'_> {
    /// Writes GraphML: one `<key>` per property key with its type
    /// (`boolean`, `long`, `double` or `string`; lists are JSON text in a
    /// `string` key), a `labels` key (`:Company:Investor`, as Neo4j's
    /// exports write it) for nodes and a `type` key for edges. Node ids are
    /// the node keys.
    ///
    /// # Errors
    /// What writing returns.
    pub fn write_graphml(&self, mut out: impl Write) -> io::Result<()> {
        let g = self.graph;
        let node_columns = self.node_columns();
        let edge_columns = self.edge_columns();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
        )?;
        writeln!(out, r#"  <key id="labels" for="node" attr.name="labels" attr.type="string"/>"#)?;
        for (i, (name, ty)) in node_columns.iter().enumerate() {
            writeln!(
                out,
                r#"  <key id="n{i}" for="node" attr.name="{}" attr.type="{}"/>"#,
                xml_escape(name),
                attr_type(*ty)
            )?;
        }
        writeln!(out, r#"  <key id="type" for="edge" attr.name="type" attr.type="string"/>"#)?;
        for (i, (name, ty)) in edge_columns.iter().enumerate() {
            writeln!(
                out,
                r#"  <key id="e{i}" for="edge" attr.name="{}" attr.type="{}"/>"#,
                xml_escape(name),
                attr_type(*ty)
            )?;
        }
        writeln!(out, r#"  <graph id="aikg" edgedefault="directed">"#)?;
        for &n in &self.nodes {
            write!(out, r#"    <node id="{}">"#, xml_escape(&self.node_key(n).to_string()))?;
            let labels: String = g.node(n).labels().map(|l| format!(":{l}")).collect();
            write!(out, r#"<data key="labels">{}</data>"#, xml_escape(&labels))?;
            for (k, v) in self.node_properties(n) {
                if let Some((i, _, ty)) = node_columns.get_full(k) {
                    write!(out, r#"<data key="n{i}">{}</data>"#, xml_escape(&data_text(v, *ty)))?;
                }
            }
            writeln!(out, "</node>")?;
        }
        for &e in &self.edges {
            let edge = g.edge(e);
            write!(
                out,
                r#"    <edge id="e{}" source="{}" target="{}">"#,
                e.0,
                xml_escape(&self.node_key(edge.src().id()).to_string()),
                xml_escape(&self.node_key(edge.dst().id()).to_string())
            )?;
            write!(out, r#"<data key="type">{}</data>"#, xml_escape(edge.rel_type()))?;
            for (k, v) in edge.properties() {
                if let Some((i, _, ty)) = edge_columns.get_full(k) {
                    write!(out, r#"<data key="e{i}">{}</data>"#, xml_escape(&data_text(v, *ty)))?;
                }
            }
            writeln!(out, "</edge>")?;
        }
        writeln!(out, "  </graph>\n</graphml>")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;

    #[test]
    fn typed_keys_and_escaped_data() {
        let mut out = Vec::new();
        Subgraph::all(&tiny()).write_graphml(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for want in [
            r#"<key id="n1" for="node" attr.name="params_billion" attr.type="double"/>"#,
            r#"<key id="n2" for="node" attr.name="aliases" attr.type="string"/>"#,
            r#"<key id="n4" for="node" attr.name="founded" attr.type="long"/>"#,
            r#"<key id="n5" for="node" attr.name="open" attr.type="boolean"/>"#,
            r#"<key id="e2" for="edge" attr.name="year" attr.type="long"/>"#,
            r#"<node id="glm-130b"><data key="labels">:Model</data><data key="n0">GLM-130B</data><data key="n1">130.0</data><data key="n2">[&quot;GLM&quot;,&quot;通用语言模型&quot;]</data></node>"#,
            r##"<node id="#3"><data key="labels">:Company</data><data key="n0">No &quot;Id&quot; &amp; &lt;Co&gt;</data></node>"##,
            r##"<edge id="e2" source="zhipu-ai" target="#3"><data key="type">INVESTED_IN</data><data key="e1">B</data><data key="e2">2022</data></edge>"##,
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        assert!(text.ends_with("</graph>\n</graphml>\n"));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_escape("a\u{1}b\n'"), "ab\n&apos;");
    }
}
