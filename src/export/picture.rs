//! Pictures: Graphviz DOT and Mermaid flowcharts, a colour per label and
//! the relationship type on every edge.

use std::io::{self, Write};

use super::{edge_facts, Subgraph};
use crate::model::NodeId;

/// Fill colours of the AI-industry labels; other labels take one from
/// [`SPARE`] by a hash of their name, so a label keeps its colour.
const COLOURS: &[(&str, &str)] = &[
    ("Company", "#8ecae6"),
    ("Model", "#ffd166"),
    ("Lab", "#95d5b2"),
    ("University", "#b7e4c7"),
    ("Person", "#f4acb7"),
    ("Investor", "#cdb4db"),
    ("Product", "#ffb4a2"),
    ("Framework", "#d9d9d9"),
    ("Chip", "#a0c4ff"),
];

const SPARE: &[&str] =
    &["#e9c46a", "#f1faee", "#caffbf", "#fdffb6", "#bdb2ff", "#ffc6ff", "#9bf6ff", "#e5e5e5"];

/// The fill colour of a label.
pub(crate) fn label_colour(label: &str) -> &'static str {
    if let Some((_, c)) = COLOURS.iter().find(|(l, _)| *l == label) {
        return c;
    }
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let hash = label.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    SPARE[hash as usize % SPARE.len()]
}

/// A DOT double-quoted string body.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Mermaid `"..."` label, with entity codes for the
/// characters Mermaid would otherwise read as syntax or HTML.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid class name for a label: letters, digits and `_` only, and
/// never one of Mermaid's keywords.
fn mermaid_class(label: &str) -> String {
    let clean: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    const KEYWORDS: &[&str] = &[
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "class",
        "classdef",
        "style",
        "linkstyle",
        "click",
        "direction",
    ];
    if clean.is_empty()
        || !clean.starts_with(|c: char| c.is_ascii_alphabetic())
        || KEYWORDS.contains(&clean.to_ascii_lowercase().as_str())
    {
        format!("l_{clean}")
    } else {
        clean
    }
}

impl Subgraph<'_> {
    /// The lines of a node's caption: its name, and its Chinese name when it
    /// has a different one.
    fn caption(&self, node: NodeId) -> Vec<String> {
        let n = self.graph.node(node);
        let mut lines = vec![n.display_name()];
        if let Some(zh) = n.property("name_zh").and_then(|v| v.as_str()) {
            if !lines.contains(&zh.to_string()) {
                lines.push(zh.to_string());
            }
        }
        lines
    }

    /// An edge's caption: its type, and its round, year, role or basis.
    fn edge_caption(&self, edge: crate::EdgeId) -> Vec<String> {
        let mut lines = vec![self.graph.edge(edge).rel_type().to_string()];
        lines.extend(edge_facts(self.graph, edge));
        lines
    }

    /// Writes a Graphviz digraph (`dot -Tsvg`): boxes filled with their
    /// first label's colour, captioned with the name and Chinese name, a
    /// legend of the labels present, and each edge captioned with its type
    /// (and round and year, role or basis where it has them).
    ///
    /// # Errors
    /// What writing returns.
    pub fn write_dot(&self, mut out: impl Write) -> io::Result<()> {
        let g = self.graph;
        writeln!(out, "digraph aikg {{")?;
        writeln!(out, "  rankdir=LR;")?;
        writeln!(
            out,
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica,Arial,sans-serif\"];"
        )?;
        writeln!(out, "  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=10];")?;
        let mut labels: Vec<&str> = Vec::new();
        for &n in &self.nodes {
            let node = g.node(n);
            let first = node.labels().next();
            if let Some(l) = first {
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
            let all: Vec<&str> = node.labels().collect();
            writeln!(
                out,
                "  \"{}\" [label=\"{}\", fillcolor=\"{}\", tooltip=\"{}\"];",
                dot_escape(&self.node_key(n).to_string()),
                dot_escape(&self.caption(n).join("\n")),
                first.map_or("#ffffff", label_colour),
                dot_escape(&all.join(", ")),
            )?;
        }
        for &e in &self.edges {
            let edge = g.edge(e);
            writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                dot_escape(&self.node_key(edge.src().id()).to_string()),
                dot_escape(&self.node_key(edge.dst().id()).to_string()),
                dot_escape(&self.edge_caption(e).join("\n")),
            )?;
        }
        if !labels.is_empty() {
            let rows: String = labels
                .iter()
                .map(|l| {
                    let text = super::graphml::xml_escape(l);
                    format!("<tr><td bgcolor=\"{}\">{text}</td></tr>", label_colour(l))
                })
                .collect();
            writeln!(
                out,
                "  legend [shape=plaintext, style=\"\", label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">{rows}</table>>];"
            )?;
        }
        writeln!(out, "}}")
    }

    /// Writes a Mermaid flowchart (left to right): nodes captioned with
    /// name and Chinese name, a class per label with its colour, and edges
    /// captioned like [`Subgraph::write_dot`]'s. Mermaid renders at most
    /// 500 edges by default; export a lineage with a query for bigger
    /// graphs.
    ///
    /// # Errors
    /// What writing returns.
    pub fn write_mermaid(&self, mut out: impl Write) -> io::Result<()> {
        let g = self.graph;
        writeln!(out, "flowchart LR")?;
        let mut classes: indexmap::IndexMap<&str, Vec<String>> = indexmap::IndexMap::new();
        for &n in &self.nodes {
            let caption: Vec<String> = self.caption(n).iter().map(|l| mermaid_escape(l)).collect();
            writeln!(out, "  n{}[\"{}\"]", n.0, caption.join("<br/>"))?;
            if let Some(l) = g.node(n).labels().next() {
                classes.entry(l).or_default().push(format!("n{}", n.0));
            }
        }
        for &e in &self.edges {
            let edge = g.edge(e);
            let caption: Vec<String> = self.edge_caption(e).iter().map(|l| mermaid_escape(l)).collect();
            writeln!(
                out,
                "  n{} -->|\"{}\"| n{}",
                edge.src().id().0,
                caption.join("<br/>"),
                edge.dst().id().0
            )?;
        }
        for (label, nodes) in &classes {
            let class = mermaid_class(label);
            writeln!(out, "  classDef {class} fill:{},stroke:#555,color:#000", label_colour(label))?;
            writeln!(out, "  class {} {class}", nodes.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;

    #[test]
    fn dot_colours_and_captions() {
        let mut out = Vec::new();
        Subgraph::all(&tiny()).write_dot(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for want in [
            "  \"zhipu-ai\" [label=\"Zhipu AI\\n智谱AI\", fillcolor=\"#8ecae6\", tooltip=\"Company, Investor\"];",
            "  \"#3\" [label=\"No \\\"Id\\\" & <Co>\", fillcolor=\"#8ecae6\", tooltip=\"Company\"];",
            "  \"chatglm-6b\" -> \"glm-130b\" [label=\"BUILT_ON\"];",
            "  \"zhipu-ai\" -> \"#3\" [label=\"INVESTED_IN\\nB, 2022\"];",
            "<td bgcolor=\"#ffd166\">Model</td>",
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
    }

    #[test]
    fn mermaid_escapes_and_classes() {
        let mut out = Vec::new();
        Subgraph::all(&tiny()).write_mermaid(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for want in [
            "flowchart LR\n",
            "  n2[\"Zhipu AI<br/>智谱AI\"]\n",
            "  n3[\"No #quot;Id#quot; #amp; #lt;Co#gt;\"]\n",
            "  n1 -->|\"BUILT_ON\"| n0\n",
            "  n2 -->|\"INVESTED_IN<br/>B, 2022\"| n3\n",
            "  classDef Model fill:#ffd166,stroke:#555,color:#000\n  class n0,n1 Model\n",
            "  class n2,n3 Company\n",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn classes_avoid_keywords() {
        assert_eq!(mermaid_class("Company"), "Company");
        assert_eq!(mermaid_class("end"), "l_end");
        assert_eq!(mermaid_class("公司"), "l___");
        assert_eq!(label_colour("Model"), "#ffd166");
        assert_eq!(label_colour("Gadget"), label_colour("Gadget"));
    }
}
