//! A small Gherkin reader, just enough for the openCypher TCK feature files:
//! `Feature`, `Background`, `Scenario`, `Scenario Outline` + one `Examples`
//! table, tags, `#` comments, steps with a docstring or a table argument,
//! LF or CRLF line endings.

use std::fmt::Write as _;

/// One `.feature` file.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The feature's title (text after `Feature:`).
    pub name: String,
    /// Steps of the `Background:` section, run before every scenario.
    pub background: Vec<Step>,
    /// Scenarios and outlines in file order.
    pub scenarios: Vec<Scenario>,
}

/// A `Scenario:` or `Scenario Outline:`.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Title after the keyword.
    pub name: String,
    /// 1-based line of the keyword.
    pub line: usize,
    /// Tags written above it (`@ignore`, ...), with the `@`.
    pub tags: Vec<String>,
    /// Its steps, without the background.
    pub steps: Vec<Step>,
    /// The `Examples:` table of an outline.
    pub examples: Option<Examples>,
}

/// An outline's `Examples:` table.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// Placeholder names.
    pub header: Vec<String>,
    /// Data rows with their 1-based line numbers.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// One step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 1-based line of the step.
    pub line: usize,
    /// `Given`, `When`, `Then`, `And`, `But` or `*`.
    pub keyword: String,
    /// Text after the keyword, trimmed.
    pub text: String,
    /// Docstring or table below the step.
    pub arg: Arg,
}

/// The argument block of a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Nothing.
    None,
    /// A `"""` block, with the opening delimiter's indentation removed.
    DocString(String),
    /// A table; cells are trimmed and Gherkin-unescaped (`\|`, `\\`, `\n`).
    Table(Vec<Vec<String>>),
}

/// A runnable scenario: a plain scenario, or one Examples row of an outline
/// with its placeholders filled in. Background steps come first.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Scenario title (placeholders substituted).
    pub name: String,
    /// Line of the `Scenario:` keyword, or of the Examples row for outlines.
    pub line: usize,
    /// 1-based Examples data row, for outlines.
    pub example_row: Option<usize>,
    /// Tags of the scenario.
    pub tags: Vec<String>,
    /// Background steps, then the scenario's steps.
    pub steps: Vec<Step>,
}

const STEP_KEYWORDS: [&str; 6] = ["Given", "When", "Then", "And", "But", "*"];

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Top,
    Background,
    Scenario,
    Examples,
}

/// Parses a feature file. Errors name the 1-based line.
pub fn parse_feature(text: &str) -> Result<Feature, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `lines()` drops "\n" and "\r\n"; a stray trailing '\r' is trimmed below.
    let lines: Vec<&str> = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut feature = Feature { name: String::new(), background: Vec::new(), scenarios: Vec::new() };
    let mut section = Section::Top;
    let mut tags: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let lineno = i + 1;
        let t = raw.trim();
        i += 1;
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('@') {
            tags.extend(t.split_whitespace().map(str::to_string));
            continue;
        }
        if let Some(rest) = t.strip_prefix("Feature:") {
            feature.name = rest.trim().to_string();
            section = Section::Top;
            continue;
        }
        if t.starts_with("Background:") {
            section = Section::Background;
            continue;
        }
        let scenario_title = ["Scenario Outline:", "Scenario Template:", "Scenario:", "Example:"]
            .iter()
            .find_map(|kw| t.strip_prefix(kw));
        if let Some(rest) = scenario_title {
            feature.scenarios.push(Scenario {
                name: rest.trim().to_string(),
                line: lineno,
                tags: std::mem::take(&mut tags),
                steps: Vec::new(),
                examples: None,
            });
            section = Section::Scenario;
            continue;
        }
        if t.starts_with("Examples:") || t.starts_with("Scenarios:") {
            let sc = feature
                .scenarios
                .last_mut()
                .filter(|_| section == Section::Scenario)
                .ok_or_else(|| format!("line {lineno}: Examples outside a scenario outline"))?;
            if sc.examples.is_some() {
                return Err(format!("line {lineno}: second Examples table"));
            }
            sc.examples = Some(Examples::default());
            section = Section::Examples;
            continue;
        }
        if t.starts_with('|') {
            let row = parse_row(t).map_err(|e| format!("line {lineno}: {e}"))?;
            if section == Section::Examples {
                let ex = feature
                    .scenarios
                    .last_mut()
                    .and_then(|s| s.examples.as_mut())
                    .ok_or_else(|| format!("line {lineno}: table row outside Examples"))?;
                if ex.header.is_empty() {
                    ex.header = row;
                } else {
                    if row.len() != ex.header.len() {
                        return Err(format!("line {lineno}: Examples row has the wrong number of cells"));
                    }
                    ex.rows.push((lineno, row));
                }
                continue;
            }
            let step = last_step(&mut feature, section)
                .ok_or_else(|| format!("line {lineno}: table row without a step"))?;
            match &mut step.arg {
                Arg::None => step.arg = Arg::Table(vec![row]),
                Arg::Table(rows) => rows.push(row),
                Arg::DocString(_) => return Err(format!("line {lineno}: step has a docstring and a table")),
            }
            continue;
        }
        if t.starts_with("\"\"\"") || t.starts_with("```") {
            let delim = &t[..3];
            let indent = raw.len() - raw.trim_start().len();
            let mut body: Vec<String> = Vec::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim() == delim {
                    closed = true;
                    break;
                }
                body.push(strip_indent(l, indent).to_string());
            }
            if !closed {
                return Err(format!("line {lineno}: docstring is not closed"));
            }
            let step = last_step(&mut feature, section)
                .ok_or_else(|| format!("line {lineno}: docstring without a step"))?;
            if step.arg != Arg::None {
                return Err(format!("line {lineno}: step has two arguments"));
            }
            step.arg = Arg::DocString(body.join("\n"));
            continue;
        }
        let step_kw = STEP_KEYWORDS.iter().find(|kw| {
            t.strip_prefix(*kw).is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('\t'))
        });
        if let Some(kw) = step_kw {
            let step = Step {
                line: lineno,
                keyword: kw.to_string(),
                text: t[kw.len()..].trim().to_string(),
                arg: Arg::None,
            };
            match section {
                Section::Background => feature.background.push(step),
                Section::Scenario => match feature.scenarios.last_mut() {
                    Some(sc) => sc.steps.push(step),
                    None => return Err(format!("line {lineno}: step outside a scenario")),
                },
                Section::Top | Section::Examples => {
                    return Err(format!("line {lineno}: step outside a scenario"));
                }
            }
            continue;
        }
        return Err(format!("line {lineno}: unrecognised line: {t}"));
    }
    Ok(feature)
}

fn last_step(feature: &mut Feature, section: Section) -> Option<&mut Step> {
    match section {
        Section::Background => feature.background.last_mut(),
        Section::Scenario => feature.scenarios.last_mut()?.steps.last_mut(),
        Section::Top | Section::Examples => None,
    }
}

/// Removes up to `indent` leading whitespace characters.
fn strip_indent(line: &str, indent: usize) -> &str {
    let mut rest = line;
    for _ in 0..indent {
        match rest.chars().next() {
            Some(c) if c.is_whitespace() => rest = &rest[c.len_utf8()..],
            _ => break,
        }
    }
    rest
}

/// Splits `| a | b |` into trimmed, unescaped cells.
fn parse_row(t: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut chars = t.chars();
    if chars.next() != Some('|') {
        return Err("table row must start with '|'".into());
    }
    let mut cell = String::new();
    let mut closed = true;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some('\\') => cell.push('\\'),
                Some('n') => cell.push('\n'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => {
                cells.push(cell.trim().to_string());
                cell.clear();
                closed = true;
                continue;
            }
            other => cell.push(other),
        }
        closed = false;
    }
    if !closed && !cell.trim().is_empty() {
        return Err("table row must end with '|'".into());
    }
    Ok(cells)
}

impl Feature {
    /// Every runnable instance: plain scenarios once, outlines once per
    /// Examples row, background steps prepended.
    pub fn instances(&self) -> Vec<Instance> {
        let mut out = Vec::new();
        for sc in &self.scenarios {
            match &sc.examples {
                None => out.push(Instance {
                    name: sc.name.clone(),
                    line: sc.line,
                    example_row: None,
                    tags: sc.tags.clone(),
                    steps: self.background.iter().chain(&sc.steps).cloned().collect(),
                }),
                Some(ex) => {
                    for (n, (line, row)) in ex.rows.iter().enumerate() {
                        let subst = |s: &str| substitute(s, &ex.header, row);
                        let steps = self
                            .background
                            .iter()
                            .cloned()
                            .chain(sc.steps.iter().map(|st| Step {
                                line: st.line,
                                keyword: st.keyword.clone(),
                                text: subst(&st.text),
                                arg: match &st.arg {
                                    Arg::None => Arg::None,
                                    Arg::DocString(d) => Arg::DocString(subst(d)),
                                    Arg::Table(rows) => Arg::Table(
                                        rows.iter().map(|r| r.iter().map(|c| subst(c)).collect()).collect(),
                                    ),
                                },
                            }))
                            .collect();
                        out.push(Instance {
                            name: subst(&sc.name),
                            line: *line,
                            example_row: Some(n + 1),
                            tags: sc.tags.clone(),
                            steps,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Replaces every `<name>` by its value; unknown `<...>` is left alone.
fn substitute(text: &str, header: &[String], row: &[String]) -> String {
    if !text.contains('<') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while let Some(pos) = rest.find('<') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 1..];
        for (name, value) in header.iter().zip(row) {
            if let Some(after) = tail.strip_prefix(name.as_str()).and_then(|a| a.strip_prefix('>')) {
                out.push_str(value);
                rest = after;
                continue 'outer;
            }
        }
        out.push('<');
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Renders a table back as Gherkin-ish text (for messages).
#[allow(dead_code)]
pub fn table_text(rows: &[Vec<String>]) -> String {
    let mut s = String::new();
    for r in rows {
        let _ = writeln!(s, "| {} |", r.join(" | "));
    }
    s
}

/// Checks for the reader, run by `--self-test` and at startup.
pub fn self_test() {
    let text = "# comment\r\nFeature: F\r\n\r\n  Background:\r\n    Given an empty graph\r\n\r\n  \
                @ignore @x\r\n  Scenario: [1] plain\r\n    When executing query:\r\n      \"\"\"\r\n      \
                MATCH (n)\r\n        RETURN n\r\n      \"\"\"\r\n    Then the result should be, in any order:\r\n      \
                | n   | m \\| x |\r\n#     | skipped |\r\n      | 'a\\\\b\\n' | 1 |\r\n\r\n  \
                Scenario Outline: [2] outline <v>\r\n    When executing query:\r\n      \"\"\"\r\n      \
                RETURN <v> AS x, <w>\r\n      \"\"\"\r\n    Then the result should be, in order:\r\n      \
                | x |\r\n      | <v> |\r\n\r\n    Examples:\r\n      | v | w |\r\n      | 1 | a |\r\n      \
                | 2 | <v> |\r\n";
    let f = parse_feature(text).expect("self-test feature parses");
    assert_eq!(f.name, "F");
    assert_eq!(f.background.len(), 1);
    assert_eq!(f.scenarios.len(), 2);
    let inst = f.instances();
    assert_eq!(inst.len(), 3);
    assert_eq!(inst[0].line, 8);
    assert_eq!(inst[0].tags, ["@ignore", "@x"]);
    assert_eq!(inst[0].steps.len(), 3);
    assert_eq!(inst[0].steps[0].text, "an empty graph");
    assert_eq!(inst[0].steps[1].arg, Arg::DocString("MATCH (n)\n  RETURN n".into()));
    assert_eq!(
        inst[0].steps[2].arg,
        Arg::Table(vec![vec!["n".into(), "m | x".into()], vec!["'a\\b\n'".into(), "1".into()]])
    );
    assert_eq!(inst[1].name, "[2] outline 1");
    assert_eq!(inst[1].line, 30);
    assert_eq!(inst[1].example_row, Some(1));
    assert_eq!(inst[1].steps[1].arg, Arg::DocString("RETURN 1 AS x, a".into()));
    assert_eq!(inst[1].steps[2].arg, Arg::Table(vec![vec!["x".into()], vec!["1".into()]]));
    // A substituted value is not substituted again.
    assert_eq!(inst[2].steps[1].arg, Arg::DocString("RETURN 2 AS x, <v>".into()));
    assert_eq!(inst[2].example_row, Some(2));
    assert!(parse_feature("Feature: F\n  Scenario: s\n    When x\n      \"\"\"\n      open").is_err());
    assert!(parse_feature("Feature: F\n  Scenario: s\n    Whenever x\n").is_err());
    assert_eq!(strip_indent("   abc", 2), " abc");
    assert_eq!(strip_indent(" abc", 4), "abc");
}
