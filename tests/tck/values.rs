//! Values as the TCK writes them in tables (`(:A {k: 1})`, `[:T]`,
//! `<(:A)-[:T]->()>`, `'str'`, `1.0`, `NaN`, ...): a parser, a comparable
//! form [`Cv`] that both expected cells and actual results are turned into,
//! the comparison rules, and printing back in the same syntax.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A comparable value. Entities are compared by labels/type and properties,
/// never by identity.
#[derive(Debug, Clone)]
pub enum Cv {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer; never equal to a float.
    Int(i64),
    /// A float; `NaN` equals `NaN`, `-0.0` equals `0.0`.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Cv>),
    /// A map.
    Map(BTreeMap<String, Cv>),
    /// A node.
    Node(NodeV),
    /// A relationship.
    Rel(RelV),
    /// A path.
    Path(PathV),
    /// An actual temporal value, by its ISO string: the TCK writes expected
    /// temporals as quoted strings (`'2015-07-21'`), so it equals the
    /// string with the same text.
    Temporal(String),
    /// An actual value that could not be converted (e.g. a node without a
    /// snapshot); equal to nothing.
    Invalid(String),
}

/// A node: label set and properties.
#[derive(Debug, Clone)]
pub struct NodeV {
    /// Label names.
    pub labels: BTreeSet<String>,
    /// Properties.
    pub props: BTreeMap<String, Cv>,
}

/// A relationship: type and properties.
#[derive(Debug, Clone)]
pub struct RelV {
    /// Relationship type.
    pub rel_type: String,
    /// Properties.
    pub props: BTreeMap<String, Cv>,
}

/// A path: a start node and hops.
#[derive(Debug, Clone)]
pub struct PathV {
    /// The first node.
    pub start: NodeV,
    /// Each hop: direction, relationship, node reached.
    pub hops: Vec<Hop>,
}

/// One hop of a path.
#[derive(Debug, Clone)]
pub struct Hop {
    /// Direction as walked.
    pub dir: HopDir,
    /// The relationship.
    pub rel: RelV,
    /// The node reached.
    pub node: NodeV,
}

/// Direction of a hop relative to the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopDir {
    /// `-[]->`
    Out,
    /// `<-[]-`
    In,
    /// A self-loop in an actual path: matches either.
    Loop,
}

// ----- comparison ------------------------------------------------------------

/// Value equality as the TCK means it. With `unordered_lists`, every list
/// (at any depth) is compared as a multiset.
pub fn equal(a: &Cv, b: &Cv, unordered_lists: bool) -> bool {
    match (a, b) {
        (Cv::Null, Cv::Null) => true,
        (Cv::Bool(x), Cv::Bool(y)) => x == y,
        (Cv::Int(x), Cv::Int(y)) => x == y,
        (Cv::Float(x), Cv::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Cv::Str(x), Cv::Str(y)) => x == y,
        (Cv::Temporal(x), Cv::Temporal(y) | Cv::Str(y)) | (Cv::Str(x), Cv::Temporal(y)) => x == y,
        (Cv::List(x), Cv::List(y)) => {
            if unordered_lists {
                multiset_equal(x, y, |p, q| equal(p, q, true))
            } else {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q, false))
            }
        }
        (Cv::Map(x), Cv::Map(y)) => map_equal(x, y, unordered_lists),
        (Cv::Node(x), Cv::Node(y)) => node_equal(x, y, unordered_lists),
        (Cv::Rel(x), Cv::Rel(y)) => rel_equal(x, y, unordered_lists),
        (Cv::Path(x), Cv::Path(y)) => {
            node_equal(&x.start, &y.start, unordered_lists)
                && x.hops.len() == y.hops.len()
                && x.hops.iter().zip(&y.hops).all(|(p, q)| {
                    (p.dir == q.dir || p.dir == HopDir::Loop || q.dir == HopDir::Loop)
                        && rel_equal(&p.rel, &q.rel, unordered_lists)
                        && node_equal(&p.node, &q.node, unordered_lists)
                })
        }
        _ => false,
    }
}

fn map_equal(x: &BTreeMap<String, Cv>, y: &BTreeMap<String, Cv>, u: bool) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| k1 == k2 && equal(v1, v2, u))
}

fn node_equal(x: &NodeV, y: &NodeV, u: bool) -> bool {
    x.labels == y.labels && map_equal(&x.props, &y.props, u)
}

fn rel_equal(x: &RelV, y: &RelV, u: bool) -> bool {
    x.rel_type == y.rel_type && map_equal(&x.props, &y.props, u)
}

/// Multiset equality under an equivalence `eq` (greedy matching is exact
/// for an equivalence relation).
pub fn multiset_equal<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let (missing, extra) = multiset_diff(x, y, eq);
    missing.is_empty() && extra.is_empty()
}

/// Greedy matching of `expected` against `actual`: indices of expected
/// items with no match, and of actual items left over.
pub fn multiset_diff<T>(
    expected: &[T],
    actual: &[T],
    eq: impl Fn(&T, &T) -> bool,
) -> (Vec<usize>, Vec<usize>) {
    let mut used = vec![false; actual.len()];
    let mut missing = Vec::new();
    for (i, e) in expected.iter().enumerate() {
        match (0..actual.len()).find(|&j| !used[j] && eq(e, &actual[j])) {
            Some(j) => used[j] = true,
            None => missing.push(i),
        }
    }
    let extra = (0..actual.len()).filter(|&j| !used[j]).collect();
    (missing, extra)
}

// ----- parsing ---------------------------------------------------------------

/// Parses one table cell (already Gherkin-unescaped).
pub fn parse_value(text: &str) -> Result<Cv, String> {
    let mut p = Parser { s: text, pos: 0 };
    let v = p.value()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("unexpected text after the value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn ws(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start().len();
    }

    fn err(&self, what: &str) -> String {
        let shown: String = self.s.chars().take(120).collect();
        format!("{what} at byte {} of `{shown}`", self.pos)
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.rest().starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: &str) -> Result<(), String> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.err(&format!("expected `{tok}`")))
        }
    }

    fn keyword(&mut self, kw: &str) -> bool {
        let r = self.rest();
        if r.starts_with(kw) && !r[kw.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            self.pos += kw.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Cv, String> {
        self.ws();
        let Some(c) = self.peek() else {
            return Err(self.err("expected a value"));
        };
        match c {
            '\'' | '"' => Ok(Cv::Str(self.string()?)),
            '[' => {
                let save = self.pos;
                self.pos += 1;
                self.ws();
                if self.peek() == Some(':') {
                    self.pos = save;
                    return Ok(Cv::Rel(self.rel()?));
                }
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.value()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Cv::List(items))
            }
            '{' => Ok(Cv::Map(self.map()?)),
            '(' => Ok(Cv::Node(self.node()?)),
            '<' => self.path(),
            _ => {
                if self.keyword("null") {
                    Ok(Cv::Null)
                } else if self.keyword("true") {
                    Ok(Cv::Bool(true))
                } else if self.keyword("false") {
                    Ok(Cv::Bool(false))
                } else {
                    self.number()
                }
            }
        }
    }

    fn number(&mut self) -> Result<Cv, String> {
        let start = self.pos;
        let neg = self.rest().starts_with('-');
        if neg || self.rest().starts_with('+') {
            self.pos += 1;
        }
        for (word, v) in [("NaN", f64::NAN), ("Infinity", f64::INFINITY), ("Inf", f64::INFINITY)] {
            if self.keyword(word) {
                return Ok(Cv::Float(if neg { -v } else { v }));
            }
        }
        let bytes = self.s.as_bytes();
        let mut is_float = false;
        while self.pos < bytes.len() {
            let b = bytes[self.pos];
            let after_exp = self.pos > start && matches!(bytes[self.pos - 1], b'e' | b'E');
            if b.is_ascii_digit() {
            } else if b == b'.' || b == b'e' || b == b'E' {
                is_float = true;
            } else if (b == b'-' || b == b'+') && after_exp {
            } else {
                break;
            }
            self.pos += 1;
        }
        let tok = &self.s[start..self.pos];
        if tok.is_empty() || tok == "-" || tok == "+" {
            self.pos = start;
            return Err(self.err("expected a value"));
        }
        if is_float {
            tok.parse::<f64>().map(Cv::Float).map_err(|_| self.err(&format!("bad float `{tok}`")))
        } else {
            tok.parse::<i64>().map(Cv::Int).map_err(|_| self.err(&format!("bad integer `{tok}`")))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.peek().ok_or_else(|| self.err("expected a string"))?;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        '0' => out.push('\0'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex: String = (0..n).filter_map(|_| chars.next().map(|(_, h)| h)).collect();
                            let ch = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.err("bad unicode escape"))?;
                            out.push(ch);
                        }
                        // `\\`, `\'`, `\"` and anything else: the character itself.
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        Err(self.err("unterminated string"))
    }

    fn ident(&mut self) -> Result<String, String> {
        self.ws();
        if self.rest().starts_with('`') {
            let body = &self.rest()[1..];
            let mut out = String::new();
            let mut it = body.char_indices().peekable();
            while let Some((i, c)) = it.next() {
                if c == '`' {
                    if it.peek().map(|(_, c)| *c) == Some('`') {
                        out.push('`');
                        it.next();
                        continue;
                    }
                    self.pos += 1 + i + 1;
                    return Ok(out);
                }
                out.push(c);
            }
            return Err(self.err("unterminated `name`"));
        }
        let r = self.rest();
        let len = r.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(r.len());
        if len == 0 {
            return Err(self.err("expected a name"));
        }
        self.pos += len;
        Ok(r[..len].to_string())
    }

    fn map(&mut self) -> Result<BTreeMap<String, Cv>, String> {
        self.expect("{")?;
        let mut m = BTreeMap::new();
        if self.eat("}") {
            return Ok(m);
        }
        loop {
            let k = self.ident()?;
            self.expect(":")?;
            let v = self.value()?;
            if m.insert(k.clone(), v).is_some() {
                return Err(self.err(&format!("duplicate key `{k}`")));
            }
            if self.eat("}") {
                return Ok(m);
            }
            self.expect(",")?;
        }
    }

    fn node(&mut self) -> Result<NodeV, String> {
        self.expect("(")?;
        let mut labels = BTreeSet::new();
        while self.eat(":") {
            labels.insert(self.ident()?);
        }
        self.ws();
        let props = if self.peek() == Some('{') { self.map()? } else { BTreeMap::new() };
        self.expect(")")?;
        Ok(NodeV { labels, props })
    }

    fn rel(&mut self) -> Result<RelV, String> {
        self.expect("[")?;
        self.expect(":")?;
        let rel_type = self.ident()?;
        self.ws();
        let props = if self.peek() == Some('{') { self.map()? } else { BTreeMap::new() };
        self.expect("]")?;
        Ok(RelV { rel_type, props })
    }

    fn path(&mut self) -> Result<Cv, String> {
        self.expect("<")?;
        let start = self.node()?;
        let mut hops = Vec::new();
        loop {
            if self.eat(">") {
                return Ok(Cv::Path(PathV { start, hops }));
            }
            let dir = if self.eat("<-") {
                let rel = self.rel()?;
                self.expect("-")?;
                (HopDir::In, rel)
            } else if self.eat("-") {
                let rel = self.rel()?;
                self.expect("->")?;
                (HopDir::Out, rel)
            } else {
                return Err(self.err("expected `-`, `<-` or `>` in path"));
            };
            let node = self.node()?;
            hops.push(Hop { dir: dir.0, rel: dir.1, node });
        }
    }
}

// ----- printing --------------------------------------------------------------

impl fmt::Display for Cv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cv::Null => f.write_str("null"),
            Cv::Bool(b) => write!(f, "{b}"),
            Cv::Int(i) => write!(f, "{i}"),
            Cv::Float(x) => write_float(f, *x),
            Cv::Str(s) | Cv::Temporal(s) => write_string(f, s),
            Cv::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Cv::Map(m) => write_map(f, m),
            Cv::Node(n) => write!(f, "{n}"),
            Cv::Rel(r) => write!(f, "{r}"),
            Cv::Path(p) => {
                write!(f, "<{}", p.start)?;
                for h in &p.hops {
                    match h.dir {
                        HopDir::In => write!(f, "<-{}-{}", h.rel, h.node)?,
                        HopDir::Out | HopDir::Loop => write!(f, "-{}->{}", h.rel, h.node)?,
                    }
                }
                f.write_str(">")
            }
            Cv::Invalid(why) => write!(f, "?{why}?"),
        }
    }
}

impl fmt::Display for NodeV {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for l in &self.labels {
            write!(f, ":{}", name(l))?;
        }
        if !self.props.is_empty() {
            if !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write_map(f, &self.props)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for RelV {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:{}", name(&self.rel_type))?;
        if !self.props.is_empty() {
            f.write_str(" ")?;
            write_map(f, &self.props)?;
        }
        f.write_str("]")
    }
}

fn name(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        s.to_string()
    } else {
        format!("`{}`", s.replace('`', "``"))
    }
}

fn write_map(f: &mut fmt::Formatter<'_>, m: &BTreeMap<String, Cv>) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}: {v}", name(k))?;
    }
    f.write_str("}")
}

fn write_float(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("NaN")
    } else if x.is_infinite() {
        f.write_str(if x > 0.0 { "Inf" } else { "-Inf" })
    } else {
        // `{:?}` is the shortest text that reads back exactly, and keeps `.0`.
        write!(f, "{x:?}")
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("'")?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("'")
}

// ----- self-test -------------------------------------------------------------

/// Checks for the parser and comparison, run by `--self-test` and at startup.
pub fn self_test() {
    let p = |s: &str| parse_value(s).unwrap_or_else(|e| panic!("self-test: {s}: {e}"));
    let eq = |a: &str, b: &str| equal(&p(a), &p(b), false);
    let round = |s: &str| assert_eq!(p(s).to_string(), s, "round trip");

    assert!(matches!(p("null"), Cv::Null));
    assert!(matches!(p(" true "), Cv::Bool(true)));
    assert!(matches!(p("-42"), Cv::Int(-42)));
    assert!(matches!(p("-9223372036854775808"), Cv::Int(i64::MIN)));
    assert!(matches!(p("1e-305"), Cv::Float(x) if x == 1e-305));
    assert!(matches!(p("-1.2635418652381264e305"), Cv::Float(x) if x == -1.2635418652381264e305));
    assert!(matches!(p("1.5E+3"), Cv::Float(x) if x == 1500.0));
    assert!(matches!(p(".5"), Cv::Float(x) if x == 0.5));
    assert!(matches!(p("-Inf"), Cv::Float(x) if x == f64::NEG_INFINITY));
    assert!(!eq("1", "1.0"));
    assert!(eq("NaN", "NaN"));
    assert!(eq("-0.0", "0.0"));
    assert!(!eq("0.1", "0.10000000000000002"));
    assert!(matches!(p(r"'it\'s\\\n'"), Cv::Str(s) if s == "it's\\\n"));
    assert!(matches!(p(r"'\u01FF'"), Cv::Str(s) if s == "ǿ"));
    assert!(matches!(p("''"), Cv::Str(s) if s.is_empty()));
    assert!(eq("{b: 1, a: [1, 'x']}", "{a: [1, 'x'], b: 1}"));
    assert!(!eq("{a: 1}", "{a: 1, b: null}"));
    assert!(!eq("[1, 2]", "[2, 1]"));
    assert!(equal(&p("[[1, 2], 3]"), &p("[3, [2, 1]]"), true));
    assert!(!equal(&p("[1, 1, 2]"), &p("[1, 2, 2]"), true));
    assert!(eq("(:B:A {name: 'x'})", "(:A:B {name: 'x'})"));
    assert!(!eq("(:A)", "(:A {name: 'x'})"));
    assert!(eq("()", "( )"));
    assert!(matches!(p("[]"), Cv::List(l) if l.is_empty()));
    assert!(matches!(p("[:T {k: 1}]"), Cv::Rel(r) if r.rel_type == "T"));
    assert!(matches!(p("[[:T], [:T]]"), Cv::List(l) if l.len() == 2));
    assert!(!eq("[:T]", "[:U]"));
    assert!(eq("<(:A)-[:T]->(:B)<-[:U]-()>", "<(:A) -[:T]-> (:B) <-[:U]- ()>"));
    assert!(!eq("<(:A)-[:T]->(:B)>", "<(:A)<-[:T]-(:B)>"));
    assert!(matches!(p("<()>"), Cv::Path(pv) if pv.hops.is_empty()));
    assert!(matches!(p("(:`odd name` {`k k`: 1})"), Cv::Node(n) if n.labels.contains("odd name")));
    for bad in ["", "[1, 2", "{a 1}", "'open", "(:A", "1 2", "nul", "<(:A)-[:T]-(:B)>", "--1"] {
        assert!(parse_value(bad).is_err(), "should not parse: {bad}");
    }
    for s in [
        "[1, 2.0, 'a\\'b', null, true]",
        "{a: 1, b: {c: [NaN, -Inf]}}",
        "(:A:B {name: 'x'})",
        "[:T {k: 1}]",
        "<(:A)-[:T]->(:B)<-[:U]-()>",
        "1e-305",
        "-0.0",
        "(:`a b`)",
    ] {
        round(s);
    }
    let (missing, extra) = multiset_diff(&[1, 2, 2, 3], &[2, 3, 4, 2], |a, b| a == b);
    assert_eq!((missing, extra), (vec![0], vec![2]));
}
