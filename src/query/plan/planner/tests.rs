use super::*;
use crate::query::syntax::parse_statement;

/// Label sizes for the cost model.
struct Sizes(&'static [(&'static str, usize)]);

impl Catalog for Sizes {
    fn node_count(&self) -> usize {
        self.0.iter().map(|(_, n)| n).sum()
    }

    fn label_count(&self, label: &str) -> usize {
        self.0.iter().find(|(l, _)| *l == label).map_or(0, |(_, n)| *n)
    }
}

const SIZES: Sizes =
    Sizes(&[("Big", 100_000), ("Small", 10), ("Lab", 50), ("Company", 200), ("Model", 5000)]);

fn plan(q: &str) -> Plan {
    let statement = parse_statement(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    super::super::check::check(&statement).unwrap_or_else(|e| panic!("{q}: {e}"));
    plan_statement(&statement, &SIZES).unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// The prefetch of the first expanding operator in a plan.
fn prefetch_of(q: &str) -> Prefetch {
    fn find(op: &Op) -> Option<Prefetch> {
        match op {
            Op::Expand(x) => Some(x.prefetch),
            Op::Reachable(r) => Some(r.prefetch),
            Op::Project { input, .. }
            | Op::Distinct { input, .. }
            | Op::Aggregate { input, .. }
            | Op::Filter { input, .. } => find(input),
            _ => None,
        }
    }
    find(&plan(q).root).unwrap_or_else(|| panic!("{q}: no hop under the projection"))
}

#[test]
fn prefetch_loads_what_the_projection_reads() {
    assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN b.id"), Prefetch::Id);
    assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN b.id, b.name"), Prefetch::All);
    assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN labels(b)"), Prefetch::All);
    assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN count(b)"), Prefetch::No);
    assert_eq!(
        prefetch_of("MATCH (a:Lab {id: 'x'})<-[:T*1..]-(b:Model) RETURN count(DISTINCT b)"),
        Prefetch::No
    );
    assert_eq!(prefetch_of("MATCH (a:Lab {id: 'x'})<-[:T*1..]-(b:Model) RETURN DISTINCT b.id"), Prefetch::Id);
}

fn explain(q: &str) -> String {
    plan(q).explain()
}

fn lines(q: &str) -> Vec<String> {
    explain(q).lines().map(str::to_string).collect()
}

#[test]
fn starts_at_the_smallest_label_and_expands_backwards() {
    assert_eq!(
        lines("MATCH (a:Big)-[:T]->(b:Small) RETURN a"),
        ["Produce [a]", "  Expand (b)<-[:T]-(a:Big)", "    NodeByLabelScan (b:Small)",]
    );
}

#[test]
fn id_equality_becomes_a_seek_from_either_side() {
    let plan = explain("MATCH (a:Big)-[:T]->(b:Small) WHERE $x = a.id RETURN b");
    assert!(plan.contains("NodeKeySeek (a:Big {id: $x})"), "{plan}");
    assert!(!plan.contains("Filter"), "{plan}");
    let plan = explain("MATCH (a:Big {id: 'k'}) RETURN a");
    assert!(plan.contains("NodeKeySeek (a:Big {id: 'k'})"), "{plan}");
}

#[test]
fn predicates_sit_right_above_what_binds_them() {
    assert_eq!(
        lines("MATCH (a:Small)-[:T]->(b) WHERE a.x = 1 AND b.y = 2 RETURN b"),
        [
            "Produce [b]",
            "  Filter b.y = 2",
            "    Expand (a)-[:T]->(b)",
            "      Filter a.x = 1",
            "        NodeByLabelScan (a:Small)",
        ]
    );
}

#[test]
fn reachability_only_when_rows_are_made_distinct() {
    let q =
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(:Company)<-[:DEVELOPED_BY]-(m:Model)<-[:BUILT_ON*1..]-(d:Model) \
                 RETURN l.id, count(DISTINCT d) AS n";
    let plan = explain(q);
    assert!(plan.contains("Reachable BFS (m)<-[:BUILT_ON*1..]-(d:Model) per [l]"), "{plan}");
    let plan = explain("MATCH (m:Model)-[:BUILT_ON*]->(a) RETURN a.id, count(*)");
    assert!(plan.contains("VarLengthExpand"), "{plan}");
    // A named relationship that is read later must be enumerated.
    let plan = explain("MATCH (m:Model)-[r:BUILT_ON*]->(a) RETURN DISTINCT a, size(r)");
    assert!(plan.contains("VarLengthExpand"), "{plan}");
    // So must a hop that could share relationships with another one.
    let plan = explain("MATCH (x)-[:BUILT_ON]->(m:Model)-[:BUILT_ON*]->(a) RETURN DISTINCT a");
    assert!(plan.contains("VarLengthExpand"), "{plan}");
    // A search in the middle of a pattern keeps what later hops and
    // predicates read.
    let plan = explain(
        "MATCH (s:Small)-[:BUILT_ON*]->(m:Model)-[:DEVELOPED_BY]->(c {k: s.k}) RETURN DISTINCT c.name",
    );
    assert!(plan.contains("Reachable BFS (s)-[:BUILT_ON*1..]->(m:Model) per [s]"), "{plan}");
}

#[test]
fn distinct_by_node_when_ids_pin_the_nodes() {
    let plan = explain("MATCH (c:Small)<-[:T]-(i) RETURN DISTINCT c.id, i.id, i.name");
    assert!(plan.contains("Distinct [c.id, i.id, i.name] by node [c, i]"), "{plan}");
    let plan = explain("MATCH (c:Small)<-[:T]-(i) RETURN DISTINCT i.name");
    assert!(!plan.contains("by node"), "{plan}");
    let plan = explain("MATCH (m:Model {id: 'x'})-[:BUILT_ON*]->(a) RETURN DISTINCT a.id");
    assert!(plan.contains("by node [a] (already unique)"), "{plan}");
}

#[test]
fn optional_branch_and_shortest_path() {
    assert_eq!(
        lines("MATCH (a:Small) OPTIONAL MATCH (a)-[:T]->(b) RETURN a, b"),
        [
            "Produce [a, b]",
            "  Optional [b]",
            "    Expand (a)-[:T]->(b)",
            "      Argument",
            "    NodeByLabelScan (a:Small)",
        ]
    );
    let plan =
        explain("MATCH p = shortestPath((a:Small {id: 'x'})-[:T*]->(b:Small {id: 'y'})) RETURN length(p)");
    assert!(plan.contains("ShortestPath p = (a)-[:T*1..]->(b)"), "{plan}");
}

#[test]
fn aggregates_group_by_the_other_items() {
    assert_eq!(
        lines("MATCH (n:Small) RETURN n.k AS k, count(*) + 1 AS c ORDER BY c"),
        [
            "Produce [k, c]",
            "  Sort [c]",
            "    Project [c = (anon_2 + 1)]",
            "      Aggregate by [k = n.k] computing [anon_2 = count(*)]",
            "        NodeByLabelScan (n:Small)",
        ]
    );
}

#[test]
fn unsupported_constructs_are_compile_errors() {
    let statement = parse_statement("RETURN 1 AS x UNION CREATE (n) RETURN 2 AS x").unwrap();
    let err = plan_statement(&statement, &SIZES).unwrap_err();
    assert_eq!(err.class, ErrorClass::Unsupported);
    assert!(err.span.is_some());
}
