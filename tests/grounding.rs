//! Every fact of the built-in graph grounded in a line of the report
//! (issue 15): each node and relation cites report lines (`lines: [start,
//! end]`) that name it, by the rule of `aikg::load::citations`.
//!
//! The report is not part of the crate; CI keeps it beside the repository at
//! `../shared/seeds/`. Without it these tests say so and pass.

use std::path::Path;

use aikg::load::citations::{check_citations, CitationCheck, CitationProblem, LocatedGraph, SourceText};

/// The report at `path`, or `None`, with a message on standard error, when
/// there is none.
fn report_at(path: &Path) -> Option<SourceText> {
    if !path.is_file() {
        eprintln!("skipped: no report at {}; the citation check needs it", path.display());
        return None;
    }
    Some(SourceText::read(path).unwrap_or_else(|e| panic!("{e}")))
}

/// The report beside the repository, where CI keeps it.
fn report() -> Option<SourceText> {
    report_at(&Path::new(env!("CARGO_MANIFEST_DIR")).join(aikg::load::citations::DEFAULT_REPORT))
}

#[test]
fn without_the_report_the_check_is_skipped() {
    assert!(report_at(Path::new("no/such/report.txt")).is_none());
}

fn check_builtin(report: &SourceText) -> CitationCheck {
    let data = LocatedGraph::builtin().unwrap_or_else(|e| panic!("the built-in data is invalid: {e}"));
    check_citations(&data, report)
}

/// Panics listing the first failures, unless there are none.
fn assert_no_failures(check: &CitationCheck, failures: &[&aikg::load::citations::CitationFailure]) {
    let shown: Vec<String> = failures.iter().take(40).map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} of {} nodes and {} relations fail their citation:\n{}{}",
        failures.len(),
        check.nodes,
        check.relations,
        shown.join("\n"),
        if failures.len() > shown.len() { "\n..." } else { "" }
    );
}

/// Whatever is cited is cited right: the lines exist, are few, and name
/// the entry (both ends of a relation). Entries not cited yet are left to
/// the coverage test below.
#[test]
fn every_citation_given_holds() {
    let Some(report) = report() else { return };
    let check = check_builtin(&report);
    let wrong: Vec<_> = check.failures.iter().filter(|f| f.problem != CitationProblem::Missing).collect();
    assert_no_failures(&check, &wrong);
}

/// Coverage: 100% of nodes and relations carry a citation that holds.
#[test]
fn every_node_and_relation_is_grounded_in_the_report() {
    let Some(report) = report() else { return };
    let check = check_builtin(&report);
    assert!(check.nodes > 300 && check.relations > 500, "{check:?}");
    let all: Vec<_> = check.failures.iter().collect();
    assert_no_failures(&check, &all);
    assert_eq!(check.holding(), check.nodes + check.relations);
}

#[test]
fn months_read_as_dates_in_queries() {
    // Every month the data keeps (a round's `date`, a model's `released`)
    // is one `date()` accepts, so date arithmetic in a query never fails on
    // the built-in graph.
    let g = aikg::Graph::builtin();
    for (text, what) in [
        ("MATCH ()-[r:INVESTED_IN]->() WHERE r.date IS NOT NULL RETURN r.date AS m", "round date"),
        ("MATCH (n) WHERE n.released IS NOT NULL RETURN n.released AS m", "released"),
    ] {
        let months = g.query(text).unwrap();
        assert!(!months.is_empty(), "no {what} in the data");
        for row in months.iter() {
            let month = row.get("m").unwrap().clone();
            let params = aikg::Params::from([("m", month.clone())]);
            let parsed = g.query_with("RETURN date($m) AS d", &params);
            assert!(parsed.is_ok(), "{what} {month} is not a date: {parsed:?}");
        }
    }
    // The README's question: rounds in the six months before ChatGPT.
    let rounds = g
        .query(
            "MATCH (g:Model {id: 'chatgpt'}), (i)-[r:INVESTED_IN]->(c)
             WHERE date(g.released) - duration('P6M') <= date(r.date) < date(g.released)
             RETURN DISTINCT c.id AS company",
        )
        .unwrap();
    let companies: Vec<_> = rounds.iter().filter_map(|r| r.get_str("company")).collect();
    assert_eq!(companies, ["deeplang"]);
}
