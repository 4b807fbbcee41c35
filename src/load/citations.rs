//! Line citations: every node and relation of graph data names the lines of
//! the source report that state it (`lines: [start, end]`), and the check
//! here makes sure those lines do.
//!
//! # The rule
//!
//! The text of a span is the report's lines `start..=end` joined, with every
//! whitespace character removed, full-width ASCII forms (U+FF01..U+FF5E)
//! folded to ASCII and ASCII letters lowercased (the report is extracted
//! from a PDF, so a name may be broken across lines or set in full-width
//! letters). A name holds when its form, normalised the same way, occurs in
//! that text. A node's citation holds when one of its `name`, `name_zh` and
//! `aliases` does; a relation's when some name of its source and some name
//! of its target do. A span is at most [`MAX_SPAN`] lines long and lies
//! within the report. An entry without `lines` fails too, so a clean check
//! means every entry is cited.
//!
//! ```
//! use aikg::load::citations::{check_citations, LocatedGraph, SourceText};
//! use aikg::load::DataFile;
//! use aikg::model::schema::AI_INDUSTRY;
//!
//! let nodes = r#"{"id":"zhipu-ai","labels":["Company"],"name":"Zhipu AI","name_zh":"智谱AI","source":"s","lines":[2,2]}
//! {"id":"glm-130b","labels":["Model"],"name":"GLM-130B","source":"s","lines":[1,1]}"#;
//! let relations = r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","source":"s","lines":[1,3]}"#;
//! let data = LocatedGraph::parse(
//!     [DataFile::new("nodes/n.jsonl", nodes.as_bytes()), DataFile::new("relations/r.jsonl", relations.as_bytes())],
//!     &AI_INDUSTRY,
//! )?;
//! let report = SourceText::new("GLM-130B 是千亿参数的\n双语模型，由智\n谱 AI 开发。\n");
//! let check = check_citations(&data, &report);
//! assert_eq!(check.failures.len(), 1);
//! assert_eq!(
//!     check.failures[0].to_string(),
//!     "nodes/n.jsonl:1: node 'zhipu-ai': lines 2: no name of node 'zhipu-ai' (Zhipu AI, 智谱AI)"
//! );
//! # Ok::<(), aikg::Error>(())
//! ```

use std::fmt;
use std::path::Path;

use crate::error::{Error, LoadError, Location};
use crate::model::{EdgeId, NodeId, Schema, Value};
use crate::store::{Graph, NodeRef};

use super::graph_data::{self, parse_located, DataFile};

/// The longest span a citation may have, in report lines: a citation
/// should point at the sentence, not the section.
pub const MAX_SPAN: usize = 40;

/// The report's path relative to the repository (and so to the working
/// directory of a command run in it), where CI keeps it beside the repo.
pub const DEFAULT_REPORT: &str = "../shared/seeds/000_98e33746ae87c40e.txt";

/// The source text that citations point into, as lines (1-based).
#[derive(Debug, Clone, Default)]
pub struct SourceText {
    lines: Vec<String>,
}

impl SourceText {
    /// The text, split into lines (`\n` or `\r\n`).
    pub fn new(text: &str) -> SourceText {
        SourceText { lines: text.lines().map(str::to_string).collect() }
    }

    /// Reads a UTF-8 text file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read or is not UTF-8.
    pub fn read(path: impl AsRef<Path>) -> Result<SourceText, Error> {
        let path = path.as_ref();
        std::fs::read_to_string(path)
            .map(|text| SourceText::new(&text))
            .map_err(|source| Error::Io { path: path.display().to_string(), source })
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The lines of `span`, or `None` when it reaches past the end.
    ///
    /// ```
    /// use aikg::load::citations::{LineSpan, SourceText};
    /// let text = SourceText::new("one\ntwo\nthree\n");
    /// assert_eq!(text.quote(LineSpan { start: 2, end: 3 }), Some(&["two".to_string(), "three".to_string()][..]));
    /// assert_eq!(text.quote(LineSpan { start: 3, end: 4 }), None);
    /// ```
    pub fn quote(&self, span: LineSpan) -> Option<&[String]> {
        if span.start == 0 || span.start > span.end {
            return None;
        }
        self.lines.get(span.start - 1..span.end)
    }
}

/// A citation: report lines `start..=end`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineSpan {
    /// The first line.
    pub start: usize,
    /// The last line (equal to `start` for one line).
    pub end: usize,
}

impl LineSpan {
    /// The span a `lines` property holds (`[start, end]` with
    /// `1 <= start <= end`), or `None` when it is absent or not a span.
    ///
    /// ```
    /// use aikg::load::citations::LineSpan;
    /// use aikg::Value;
    /// let v = Value::List(vec![Value::Int(12), Value::Int(14)]);
    /// assert_eq!(LineSpan::of(Some(&v)), Some(LineSpan { start: 12, end: 14 }));
    /// assert_eq!(LineSpan::of(None), None);
    /// ```
    pub fn of(value: Option<&Value>) -> Option<LineSpan> {
        let [Value::Int(start), Value::Int(end)] = value?.as_list()? else { return None };
        let (start, end) = (usize::try_from(*start).ok()?, usize::try_from(*end).ok()?);
        (1 <= start && start <= end).then_some(LineSpan { start, end })
    }

    /// The number of lines it covers.
    pub fn len(&self) -> usize {
        self.end + 1 - self.start
    }

    /// Always false: a span covers at least one line.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// `12-14`, or `12` for one line.
impl fmt::Display for LineSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// A graph loaded from graph-data files that knows the file and line of
/// each node and relationship, as the citation check reports them.
#[derive(Debug, Clone)]
pub struct LocatedGraph {
    graph: Graph,
    nodes: Vec<Location>,
    edges: Vec<Location>,
}

impl LocatedGraph {
    /// Parses and checks graph-data files as [`super::parse_graph_data`]
    /// does.
    ///
    /// # Errors
    /// Every problem in every file, in file and line order.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = DataFile<'a>>,
        schema: &'static Schema,
    ) -> Result<LocatedGraph, LoadError> {
        let located = parse_located(files, schema)?;
        Ok(LocatedGraph { graph: located.graph, nodes: located.nodes, edges: located.edges })
    }

    /// Loads a graph-data folder as [`Graph::load_dir`] does.
    ///
    /// # Errors
    /// [`Error::Io`] if the folder cannot be read; [`Error::Load`] with every
    /// problem in the data.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<LocatedGraph, Error> {
        let files = graph_data::read_dir(dir.as_ref())?;
        let files = files.iter().map(|(n, b)| DataFile::new(n, b));
        Ok(LocatedGraph::parse(files, &crate::model::schema::AI_INDUSTRY)?)
    }

    /// The built-in graph's data ([`super::BUILTIN_FILES`]), parsed anew.
    ///
    /// # Errors
    /// [`LoadError`] only if the crate was built from invalid graph data,
    /// which its test suite rules out.
    pub fn builtin() -> Result<LocatedGraph, LoadError> {
        let files = super::BUILTIN_FILES.iter().map(|(name, text)| DataFile::new(name, text.as_bytes()));
        LocatedGraph::parse(files, &crate::model::schema::AI_INDUSTRY)
    }

    /// The graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Takes the graph out.
    pub fn into_graph(self) -> Graph {
        self.graph
    }

    /// Where node `id` is defined.
    pub fn node_location(&self, id: NodeId) -> Option<&Location> {
        self.nodes.get(id.index())
    }

    /// Where relationship `id` is defined.
    pub fn edge_location(&self, id: EdgeId) -> Option<&Location> {
        self.edges.get(id.index())
    }
}

/// What is wrong with one entry's citation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CitationProblem {
    /// The entry has no `lines` (or not a `[start, end]` span).
    Missing,
    /// The span is longer than [`MAX_SPAN`] lines.
    TooLong,
    /// The span reaches past the report's last line.
    OutOfRange {
        /// The report's number of lines.
        line_count: usize,
    },
    /// The span does not name every end of the entry (the node itself, or
    /// a relation's source or target).
    Unnamed(Vec<Unnamed>),
}

/// An end of an entry that its cited lines do not name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unnamed {
    /// `node`, `src` or `dst`.
    pub role: &'static str,
    /// The node's id.
    pub id: String,
    /// Every name the lines were searched for.
    pub names: Vec<String>,
}

/// One entry whose citation does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitationFailure {
    /// The data file and line of the entry.
    pub location: Location,
    /// The entry: `node 'zhipu-ai'` or `BUILT_ON 'chatglm-6b' -> 'glm-6b'`.
    pub entry: String,
    /// The cited lines, when there are any.
    pub lines: Option<LineSpan>,
    /// What is wrong.
    pub problem: CitationProblem,
}

impl fmt::Display for CitationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.location, self.entry)?;
        let span = self.lines.map(|s| s.to_string()).unwrap_or_default();
        match &self.problem {
            CitationProblem::Missing => write!(f, "no lines cited"),
            CitationProblem::TooLong => write!(
                f,
                "lines {span} span {} lines, more than {MAX_SPAN}",
                self.lines.map_or(0, |s| s.len())
            ),
            CitationProblem::OutOfRange { line_count } => {
                write!(f, "lines {span} lie beyond the report's {line_count} lines")
            }
            CitationProblem::Unnamed(ends) => {
                let missing: Vec<String> = ends
                    .iter()
                    .map(|u| format!("no name of {} '{}' ({})", u.role, u.id, u.names.join(", ")))
                    .collect();
                write!(f, "lines {span}: {}", missing.join("; "))
            }
        }
    }
}

/// The outcome of [`check_citations`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CitationCheck {
    /// Nodes checked.
    pub nodes: usize,
    /// Relations checked.
    pub relations: usize,
    /// Every entry whose citation is missing or does not hold, nodes first,
    /// each in data order.
    pub failures: Vec<CitationFailure>,
}

impl CitationCheck {
    /// Whether every entry carries a citation that holds.
    pub fn holds(&self) -> bool {
        self.failures.is_empty()
    }

    /// How many entries carry a citation that holds.
    pub fn holding(&self) -> usize {
        self.nodes + self.relations - self.failures.len()
    }
}

/// Normalises text for the citation rule: whitespace removed, full-width
/// ASCII forms folded to ASCII, ASCII letters lowercased.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A node's names: `name`, `name_zh`, then `aliases`.
fn names_of(node: NodeRef<'_>) -> Vec<String> {
    let mut names = Vec::new();
    for key in ["name", "name_zh", "aliases"] {
        match node.property(key) {
            Some(Value::String(s)) => names.push(s.to_string()),
            Some(Value::List(items)) => {
                names.extend(items.iter().filter_map(Value::as_str).map(str::to_string))
            }
            _ => {}
        }
    }
    names
}

/// Checks the span `lines` against the report; on success, the folded text.
fn span_text(lines: Option<&Value>, report: &SourceText) -> Result<(LineSpan, String), CitationFailureParts> {
    let Some(span) = LineSpan::of(lines) else { return Err((None, CitationProblem::Missing)) };
    if span.len() > MAX_SPAN {
        return Err((Some(span), CitationProblem::TooLong));
    }
    let Some(quoted) = report.quote(span) else {
        return Err((Some(span), CitationProblem::OutOfRange { line_count: report.line_count() }));
    };
    Ok((span, fold(&quoted.concat())))
}

type CitationFailureParts = (Option<LineSpan>, CitationProblem);

/// The end `role` of an entry, unless `text` names it.
fn unnamed(text: &str, role: &'static str, node: NodeRef<'_>) -> Option<Unnamed> {
    let names = names_of(node);
    let named = names.iter().map(|n| fold(n)).any(|n| !n.is_empty() && text.contains(&n));
    (!named).then(|| Unnamed { role, id: node.key().unwrap_or_default().to_string(), names })
}

/// Checks every node's and relation's `lines` citation against `report`
/// by the rule in the [module docs](self). Cost: O(entries × span length ×
/// names).
pub fn check_citations(data: &LocatedGraph, report: &SourceText) -> CitationCheck {
    let graph = &data.graph;
    let mut check =
        CitationCheck { nodes: graph.node_count(), relations: graph.edge_count(), failures: Vec::new() };
    let mut fail = |location: Option<&Location>, entry: String, (lines, problem): CitationFailureParts| {
        let location = location.cloned().unwrap_or(Location { file: String::new(), line: 0 });
        check.failures.push(CitationFailure { location, entry, lines, problem });
    };
    for id in graph.node_ids() {
        let node = graph.node(id);
        let entry = format!("node '{}'", node.key().unwrap_or_default());
        match span_text(node.property("lines"), report) {
            Err(parts) => fail(data.node_location(id), entry, parts),
            Ok((span, text)) => {
                if let Some(u) = unnamed(&text, "node", node) {
                    fail(data.node_location(id), entry, (Some(span), CitationProblem::Unnamed(vec![u])));
                }
            }
        }
    }
    for id in graph.edge_ids() {
        let edge = graph.edge(id);
        let (src, dst) = (edge.src(), edge.dst());
        let entry = format!(
            "{} '{}' -> '{}'",
            edge.rel_type(),
            src.key().unwrap_or_default(),
            dst.key().unwrap_or_default()
        );
        match span_text(edge.property("lines"), report) {
            Err(parts) => fail(data.edge_location(id), entry, parts),
            Ok((span, text)) => {
                let missing: Vec<Unnamed> =
                    [unnamed(&text, "src", src), unnamed(&text, "dst", dst)].into_iter().flatten().collect();
                if !missing.is_empty() {
                    fail(data.edge_location(id), entry, (Some(span), CitationProblem::Unnamed(missing)));
                }
            }
        }
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::AI_INDUSTRY;

    const REPORT: &str = "智谱AI成立于2019年，\n\n源自清华大学知识工程实验室。\n\
        其ＧＬＭ－１３０Ｂ模型\n由智 谱\n\
        AI 开发，ChatGLM-6B\n基于 GLM-6B。\n";

    fn data(nodes: &[&str], relations: &[&str]) -> LocatedGraph {
        let (n, r) = (nodes.join("\n"), relations.join("\n"));
        LocatedGraph::parse(
            [DataFile::new("nodes/n.jsonl", n.as_bytes()), DataFile::new("relations/r.jsonl", r.as_bytes())],
            &AI_INDUSTRY,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn node(id: &str, name: &str, zh: Option<&str>, lines: Option<[usize; 2]>) -> String {
        let zh = zh.map(|z| format!(r#","name_zh":"{z}""#)).unwrap_or_default();
        let lines = lines.map(|[a, b]| format!(r#","lines":[{a},{b}]"#)).unwrap_or_default();
        format!(r#"{{"id":"{id}","labels":["Model"],"name":"{name}"{zh},"source":"s"{lines}}}"#)
    }

    fn messages(check: &CitationCheck) -> Vec<String> {
        check.failures.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_cited_name_holds() {
        let d = data(&[&node("zhipu-ai", "Zhipu AI", Some("智谱AI"), Some([1, 1]))], &[]);
        let check = check_citations(&d, &SourceText::new(REPORT));
        assert!(check.holds(), "{:?}", messages(&check));
        assert_eq!((check.nodes, check.relations, check.holding()), (1, 0, 1));
    }

    #[test]
    fn whitespace_line_breaks_and_full_width_letters_fold() {
        // "智 谱\nAI" across two lines, and "ＧＬＭ－１３０Ｂ" in full width.
        let nodes = [
            node("zhipu-ai", "Zhipu AI", Some("智谱AI"), Some([5, 6])),
            node("glm-130b", "glm-130b", None, Some([4, 4])),
        ];
        let check = check_citations(&data(&[&nodes[0], &nodes[1]], &[]), &SourceText::new(REPORT));
        assert!(check.holds(), "{:?}", messages(&check));
        // Line 5 alone holds only half the name.
        let check =
            check_citations(&data(&[&nodes[0].replace("[5,6]", "[5,5]")], &[]), &SourceText::new(REPORT));
        assert_eq!(
            messages(&check),
            ["nodes/n.jsonl:1: node 'zhipu-ai': lines 5: no name of node 'zhipu-ai' (Zhipu AI, 智谱AI)"]
        );
    }

    #[test]
    fn relations_need_both_ends_named() {
        let nodes = [
            node("chatglm-6b", "ChatGLM-6B", None, Some([6, 6])),
            node("glm-6b", "GLM-6B", None, Some([7, 7])),
            node("glm-130b", "GLM-130B", None, Some([4, 4])),
        ];
        let rels = [
            r#"{"type":"BUILT_ON","src":"chatglm-6b","dst":"glm-6b","source":"s","lines":[6,7]}"#,
            r#"{"type":"BUILT_ON","src":"chatglm-6b","dst":"glm-130b","source":"s","lines":[6,7]}"#,
            r#"{"type":"BUILT_ON","src":"glm-6b","dst":"glm-130b","source":"s","lines":[1,2]}"#,
        ];
        let d = data(&[&nodes[0], &nodes[1], &nodes[2]], &rels);
        let check = check_citations(&d, &SourceText::new(REPORT));
        assert_eq!(
            messages(&check),
            [
                "relations/r.jsonl:2: BUILT_ON 'chatglm-6b' -> 'glm-130b': lines 6-7: no name of dst 'glm-130b' (GLM-130B)",
                "relations/r.jsonl:3: BUILT_ON 'glm-6b' -> 'glm-130b': lines 1-2: no name of src 'glm-6b' (GLM-6B); no name of dst 'glm-130b' (GLM-130B)",
            ]
        );
        assert_eq!(check.holding(), 4);
    }

    #[test]
    fn missing_too_long_and_out_of_range_spans_fail() {
        let long: String = (0..60).map(|i| format!("line {i} GLM\n")).collect();
        let nodes = [
            node("a", "GLM", None, None),
            node("b", "GLM", None, Some([1, 41])),
            node("c", "GLM", None, Some([1, 40])),
            node("d", "GLM", None, Some([60, 61])),
        ];
        let d = data(&[&nodes[0], &nodes[1], &nodes[2], &nodes[3]], &[]);
        let check = check_citations(&d, &SourceText::new(&long));
        assert_eq!(
            messages(&check),
            [
                "nodes/n.jsonl:1: node 'a': no lines cited",
                "nodes/n.jsonl:2: node 'b': lines 1-41 span 41 lines, more than 40",
                "nodes/n.jsonl:4: node 'd': lines 60-61 lie beyond the report's 60 lines",
            ]
        );
        assert_eq!(check.failures[0].problem, CitationProblem::Missing);
        assert_eq!(check.failures[1].lines, Some(LineSpan { start: 1, end: 41 }));
    }

    #[test]
    fn aliases_count_and_ids_do_not() {
        let n = r#"{"id":"glm","labels":["Model"],"name":"General Language Model","aliases":["通用语言模型"],"source":"s","lines":[1,1]}"#;
        let report = SourceText::new("GLM 即通用语言模型\nglm\n");
        assert!(check_citations(&data(&[n], &[]), &report).holds());
        let moved = n.replace("[1,1]", "[2,2]");
        assert!(!check_citations(&data(&[&moved], &[]), &report).holds());
    }

    #[test]
    fn quotes_and_spans() {
        let text = SourceText::new("a\r\nb\nc");
        assert_eq!(text.line_count(), 3);
        assert_eq!(text.quote(LineSpan { start: 1, end: 2 }).unwrap(), ["a", "b"]);
        assert_eq!(text.quote(LineSpan { start: 0, end: 1 }), None);
        assert_eq!(LineSpan { start: 3, end: 3 }.to_string(), "3");
        assert_eq!(LineSpan::of(Some(&Value::List(vec![Value::Int(3), Value::Int(2)]))), None);
    }
}
