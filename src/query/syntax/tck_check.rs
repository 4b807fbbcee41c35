//! Test support: every query of the openCypher TCK feature files under
//! `../shared/tck` and `../shared/tck-full` beside the crate (when present), with what the scenario expects, and a
//! check that the parser accepts and rejects the right ones.

use std::path::{Path, PathBuf};

use super::parse::parse_statement;

/// The whole TCK: every query must parse and print back.
pub(crate) const TCK_FULL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/tck-full");
/// Its read-only subset, where every `UnexpectedSyntax` is the parser's to
/// raise (in the whole suite the checker raises some, after parsing).
const TCK_READ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/tck");

/// Why a scenario runs a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `having executed:` (setup) or a `Background:` step.
    Setup,
    /// `executing query:`, the query under test.
    Test,
    /// `executing control query:`
    Control,
}

/// One query of one scenario instance (outline rows are substituted).
#[derive(Debug, Clone)]
pub(crate) struct TckQuery {
    /// Feature file, relative to the TCK folder.
    pub(crate) file: String,
    /// Line of the scenario, or of the Examples row for outline instances.
    pub(crate) line: usize,
    pub(crate) role: Role,
    pub(crate) text: String,
    /// For the query under test: the error detail the scenario expects.
    pub(crate) error: Option<String>,
    /// Listed in `skip.tsv` as outside the subset.
    pub(crate) skipped: bool,
}

/// All queries of all feature files, or `None` when the TCK is not there.
pub(crate) fn load(dir: &str) -> Option<Vec<TckQuery>> {
    let root = Path::new(dir);
    let mut files = Vec::new();
    collect_features(&root.join("features"), &mut files);
    if files.is_empty() {
        return None;
    }
    files.sort();
    let skips: Vec<(String, usize)> = std::fs::read_to_string(root.join("skip.tsv"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("file\t"))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_string(), cols.next()?.parse().ok()?))
        })
        .collect();
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap_or_default().replace('\r', "");
        for mut q in parse_feature(&rel, &text) {
            q.skipped = skips.iter().any(|(f, l)| *f == q.file && *l == q.line);
            out.push(q);
        }
    }
    Some(out)
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_features(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

#[derive(Default)]
struct Scenario {
    line: usize,
    /// Role, docstring, error expected after it.
    steps: Vec<(Role, String, Option<String>)>,
    header: Vec<String>,
    /// Line and cells of each Examples row.
    rows: Vec<(usize, Vec<String>)>,
    in_examples: bool,
}

fn parse_feature(file: &str, text: &str) -> Vec<TckQuery> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut current: Option<Scenario> = None;
    let mut background = Scenario::default();
    let mut in_background = false;
    let mut n = 0;
    while n < lines.len() {
        let trimmed = lines[n].trim();
        n += 1;
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("Scenario:") || trimmed.starts_with("Scenario Outline:") {
            if let Some(s) = current.take() {
                emit(file, s, &mut out);
            }
            current = Some(Scenario { line: n, ..Scenario::default() });
            in_background = false;
            continue;
        }
        if trimmed.starts_with("Background:") {
            in_background = true;
            continue;
        }
        let scenario = match (&mut current, in_background) {
            (_, true) => &mut background,
            (Some(s), false) => s,
            (None, false) => continue,
        };
        if trimmed.starts_with("Examples:") {
            scenario.in_examples = true;
            continue;
        }
        if scenario.in_examples && trimmed.starts_with('|') {
            let cells: Vec<String> =
                trimmed.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
            if scenario.header.is_empty() {
                scenario.header = cells;
            } else {
                scenario.rows.push((n, cells));
            }
            continue;
        }
        let role = if trimmed.ends_with("executing query:") {
            Some(Role::Test)
        } else if trimmed.ends_with("executing control query:") {
            Some(Role::Control)
        } else if trimmed.ends_with("having executed:") {
            Some(Role::Setup)
        } else {
            None
        };
        if let Some(role) = role {
            // The docstring: its lines lose the opening quotes' indentation.
            let open = lines.get(n).copied().unwrap_or("");
            let indent = open.len() - open.trim_start().len();
            n += 1;
            let mut body = Vec::new();
            while n < lines.len() && lines[n].trim() != "\"\"\"" {
                let line = lines[n];
                let cut = line.len() - line.trim_start().len();
                body.push(&line[cut.min(indent)..]);
                n += 1;
            }
            n += 1;
            scenario.steps.push((role, body.join("\n"), None));
            continue;
        }
        if let Some(at) = trimmed.find("should be raised at") {
            let detail = trimmed[at..].rsplit(':').next().unwrap_or("").trim().to_string();
            if let Some(step) = scenario.steps.iter_mut().rev().find(|s| s.0 == Role::Test) {
                step.2 = Some(detail);
            }
        }
    }
    if let Some(s) = current.take() {
        emit(file, s, &mut out);
    }
    for (_, text, _) in background.steps {
        out.push(TckQuery {
            file: file.to_string(),
            line: 0,
            role: Role::Setup,
            text,
            error: None,
            skipped: false,
        });
    }
    out
}

fn emit(file: &str, s: Scenario, out: &mut Vec<TckQuery>) {
    let instances: Vec<(usize, Vec<(String, String)>)> = if s.rows.is_empty() {
        vec![(s.line, Vec::new())]
    } else {
        s.rows
            .iter()
            .map(|(line, cells)| (*line, s.header.iter().cloned().zip(cells.iter().cloned()).collect()))
            .collect()
    };
    for (line, bindings) in instances {
        for (role, text, error) in &s.steps {
            let mut text = text.clone();
            for (name, value) in &bindings {
                text = text.replace(&format!("<{name}>"), value);
            }
            out.push(TckQuery {
                file: file.to_string(),
                line,
                role: *role,
                text,
                error: error.clone(),
                skipped: false,
            });
        }
    }
}

/// The error details that are purely grammatical: the parser must raise them.
const GRAMMAR_DETAILS: &[&str] = &[
    "UnexpectedSyntax",
    "IntegerOverflow",
    "InvalidNumberLiteral",
    "FloatingPointOverflow",
    "InvalidUnicodeLiteral",
    "InvalidUnicodeCharacter",
    "InvalidRelationshipPattern",
    "InvalidParameterUse",
];

#[test]
fn every_tck_query_parses_as_expected() {
    let Some(queries) = load(TCK_READ) else {
        eprintln!("no TCK features found, skipping");
        return;
    };
    let (mut total, mut parsed, mut skipped) = (0, 0, 0);
    let (mut should_parse, mut should_parse_ok) = (0, 0);
    let (mut grammar_errors, mut grammar_errors_ok) = (0, 0);
    let (mut other_errors, mut other_errors_rejected) = (0, 0);
    let mut problems = Vec::new();
    let (mut tests, mut tests_parsed) = (0, 0);
    for q in &queries {
        total += 1;
        let result = parse_statement(&q.text);
        if result.is_ok() {
            parsed += 1;
        }
        if q.role == Role::Test {
            tests += 1;
            tests_parsed += usize::from(result.is_ok());
        }
        if q.skipped {
            skipped += 1;
            continue;
        }
        match q.error.as_deref() {
            Some(detail) if GRAMMAR_DETAILS.contains(&detail) => {
                grammar_errors += 1;
                match &result {
                    Err(e) if e.detail == detail => grammar_errors_ok += 1,
                    Err(e) => problems.push(format!(
                        "{}:{} expected {detail}, got {}: {}\n{}",
                        q.file, q.line, e.detail, e.message, q.text
                    )),
                    Ok(_) => {
                        problems.push(format!("{}:{} expected {detail}, parsed\n{}", q.file, q.line, q.text))
                    }
                }
            }
            Some(detail) => {
                other_errors += 1;
                if let Err(e) = &result {
                    other_errors_rejected += 1;
                    problems.push(format!(
                        "{}:{} expected {detail} (not grammatical), parser says {}: {}\n{}",
                        q.file, q.line, e.detail, e.message, q.text
                    ));
                }
            }
            None => {
                should_parse += 1;
                match &result {
                    Ok(_) => should_parse_ok += 1,
                    Err(e) => problems.push(format!(
                        "{}:{} {:?} should parse:\n{}\n{}",
                        q.file,
                        q.line,
                        q.role,
                        q.text,
                        e.clone().with_query(&q.text).render()
                    )),
                }
            }
        }
    }
    eprintln!(
        "TCK queries: {total} (outline rows expanded), {parsed} parse ('executing query:' ones: \
         {tests_parsed}/{tests}); {skipped} in skip.tsv; \
         expected to parse: {should_parse_ok}/{should_parse}; grammatical errors raised with the TCK detail: \
         {grammar_errors_ok}/{grammar_errors}; semantic-error queries rejected already by the parser: \
         {other_errors_rejected}/{other_errors}"
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n\n"));
}
