use super::*;
use crate::query::syntax::parse_statement;

/// Parses and checks `q`; parse errors fail the test.
fn run(q: &str) -> Result<(), QueryError> {
    let statement = parse_statement(q).unwrap_or_else(|e| panic!("{q}: parse error: {}", e.message));
    check(&statement)
}

#[track_caller]
fn ok(q: &str) {
    if let Err(e) = run(q) {
        panic!("{q}: rejected: {} {}: {}", e.class.as_str(), e.detail, e.message);
    }
}

/// Asserts `q` fails with `detail` and returns the error.
#[track_caller]
fn fails(q: &str, detail: &str) -> QueryError {
    match run(q) {
        Ok(()) => panic!("{q}: accepted, expected {detail}"),
        Err(e) => {
            assert_eq!(e.detail, detail, "{q}: {}", e.message);
            assert_eq!(e.phase, crate::error::Phase::CompileTime);
            e
        }
    }
}

/// The text the error's span covers.
fn spanned<'q>(q: &'q str, e: &QueryError) -> &'q str {
    let span = e.span.expect("error has a span");
    &q[span.start..span.end]
}

#[test]
fn undefined_variables() {
    let q = "MATCH (s) WHERE s.name = undefinedVariable RETURN s";
    let e = fails(q, "UndefinedVariable");
    assert_eq!(e.class, ErrorClass::SyntaxError);
    assert_eq!(spanned(q, &e), "undefinedVariable");
    assert_eq!(e.message, "variable `undefinedVariable` not defined");
    fails("RETURN {k1: k2} AS literal", "UndefinedVariable");
    fails("CREATE (b {name: missing}) RETURN b", "UndefinedVariable");
    fails("MATCH (a), (b) WITH a RETURN b", "UndefinedVariable");
    ok("MATCH (a)-[r]->(b) RETURN a, r, b");
    ok("UNWIND [1, 2] AS x RETURN [y IN [x] | y + x] AS l");
    fails("RETURN [y IN [1] | y] AS l, y", "UndefinedVariable");
}

#[test]
fn error_renders_with_caret() {
    let q = "MATCH (n)\nRETURN n.name AS name, m";
    let e = run(q).unwrap_err().with_query(q);
    assert_eq!(
            e.render(),
            "query error at line 2, column 24:\n    RETURN n.name AS name, m\n                           ^\nerror: variable `m` not defined"
        );
}

#[test]
fn order_by_scope() {
    // Without aggregation or DISTINCT the earlier variables stay visible.
    ok("MATCH (a:A) WITH a, a.num + a.num2 AS sum WITH a, a.num2 % 3 AS mod ORDER BY sum LIMIT 3 RETURN a, mod");
    ok("MATCH (a) WITH a.name2 AS name WHERE a.name2 = 'B' RETURN *");
    ok("MATCH (a) RETURN a.name AS n ORDER BY a.age");
    fails("MATCH (a:A), (b:B), (c:C) WITH a, b WITH a ORDER BY c RETURN a", "UndefinedVariable");
    // DISTINCT and aggregation hide them, but projected expressions may be repeated.
    let q = "MATCH (a) RETURN DISTINCT a.name ORDER BY a.age";
    assert_eq!(spanned(q, &fails(q, "UndefinedVariable")), "a");
    ok("MATCH (a) RETURN DISTINCT a.name ORDER BY a.name");
    ok("MATCH (a) WITH DISTINCT a.name2 AS name WHERE a.name2 = 'B' RETURN *");
    ok("MATCH (a:A) WITH a.num2 % 3 AS mod, sum(a.num + a.num2) AS sum ORDER BY sum(a.num + a.num2) LIMIT 2 RETURN mod, sum");
    fails(
            "MATCH (a:A) WITH a.num2 % 3 AS mod, min(a.num + a.num2) AS min ORDER BY sum(a.num + a.num2) RETURN mod, min",
            "UndefinedVariable",
        );
    ok("MATCH (me:Person)--(you:Person) WITH me.age AS age, count(you.age) AS cnt ORDER BY me.age + count(you.age) RETURN age");
    fails(
            "MATCH (me:Person)--(you:Person) WITH count(you.age) AS agg ORDER BY me.age + count(you.age) RETURN *",
            "UndefinedVariable",
        );
}

#[test]
fn pattern_kind_conflicts() {
    let q = "MATCH ()-[r]-() MATCH (r) RETURN r";
    let e = fails(q, "VariableTypeConflict");
    assert_eq!(e.span.map(|s| s.start), Some(q.rfind("r)").unwrap()));
    fails("MATCH r = ()-[]-() MATCH (r) RETURN r", "VariableTypeConflict");
    fails("MATCH ()-[r]-(r) RETURN r", "VariableTypeConflict");
    fails("MATCH (r)-[r]-() RETURN r", "VariableTypeConflict");
    fails("MATCH r = ()-[]-(), ()-[r*]-() RETURN r", "VariableTypeConflict");
    fails("WITH 123 AS n MATCH (n) RETURN n", "VariableTypeConflict");
    fails("WITH {x: 1} AS r MATCH ()-[r]-() RETURN r", "VariableTypeConflict");
    fails("MATCH (n) WITH [n] AS users MATCH (users)-->(messages) RETURN messages", "VariableTypeConflict");
    fails("MATCH ()-[r]-() MATCH ()-[r*]-() RETURN r", "VariableTypeConflict");
    ok("MATCH (a)-[r]->(b) WITH r MATCH ()-[r]->() RETURN r");
    ok("MATCH ()-[rs*]->() WITH rs MATCH ()-[rs*]->() RETURN rs");
    ok("MATCH (a)-->(b), (b)-->(a) RETURN a, b");
    ok("WITH $param AS n MATCH (n) RETURN n");
    ok("UNWIND [null] AS n MATCH (n) RETURN n");
}

#[test]
fn already_bound() {
    fails("MATCH (p)-[]-() MATCH p = ()-[]-() RETURN p", "VariableAlreadyBound");
    fails("MATCH p = (p)-[]-() RETURN p", "VariableAlreadyBound");
    fails("WITH true AS p MATCH p = ()-[]-() RETURN p", "VariableAlreadyBound");
    fails("MATCH (a) CREATE (a)", "VariableAlreadyBound");
    fails("MATCH (a) CREATE (a {name: 'foo'}) RETURN a", "VariableAlreadyBound");
    fails("CREATE (n:Foo)-[:T1]->(), (n:Bar)-[:T2]->()", "VariableAlreadyBound");
    fails("CREATE (n {}) CREATE (n:Bar)-[:OWNS]->(:Dog)", "VariableAlreadyBound");
    fails("MATCH ()-[r]->() CREATE ()-[r]->()", "VariableAlreadyBound");
    fails("UNWIND [1] AS x UNWIND [2] AS x RETURN x", "VariableAlreadyBound");
    ok("MATCH (a) CREATE (a)-[:R]->(b) RETURN b");
    ok("CREATE (a:A) CREATE (a)-[:R]->(:B)");
    ok("CREATE (a)-[:R]->(a)");
}

#[test]
fn relationship_uniqueness() {
    fails("MATCH (a)-[r]->()-[r]->(a) RETURN r", "RelationshipUniquenessViolation");
    fails("MATCH (a)-[r]->(b), (b)-[r]->(c) RETURN r", "RelationshipUniquenessViolation");
}

#[test]
fn create_rules() {
    fails("CREATE ()-->()", "NoSingleRelationshipType");
    fails("CREATE ()-[:A|:B]->()", "NoSingleRelationshipType");
    fails("CREATE (a)-[:FOO]-(b)", "RequiresDirectedRelationship");
    fails("CREATE (a)<-[:FOO]->(b)", "RequiresDirectedRelationship");
    fails("CREATE ()-[:FOO*2]->()", "CreatingVarLength");
    ok("CREATE (a $props) RETURN a");
    ok("CREATE p = (a:A)-[:R {w: 1}]->(b:B {x: a.y}) RETURN p");
}

/// Parses `q` and edits its AST, for shapes the parser already rejects
/// but the check must not rely on that.
fn edited(q: &str, edit: impl FnOnce(&mut Vec<Clause>)) -> Result<(), QueryError> {
    let mut statement = parse_statement(q).unwrap_or_else(|e| panic!("{q}: parse error: {}", e.message));
    edit(&mut statement.query.clauses);
    check(&statement)
}

#[test]
fn parameters_in_match_patterns() {
    // `CREATE (n $param)` is fine; the same pattern in MATCH is not.
    let as_match = |clauses: &mut Vec<Clause>| {
        if let Clause::Create(c) = &clauses[0] {
            let pattern = c.pattern.clone();
            clauses[0] = Clause::Match(Match { optional: false, pattern, where_: None, span: c.span });
        }
    };
    ok("CREATE (n $param) RETURN n");
    let e = edited("CREATE (n $param) RETURN n", as_match).unwrap_err();
    assert_eq!(e.detail, "InvalidParameterUse");
    let e = edited("CREATE ()-[r:FOO $param]->() RETURN r", as_match).unwrap_err();
    assert_eq!(e.detail, "InvalidParameterUse");
    ok("MATCH (n {name: $name}) RETURN n");
}

#[test]
fn aggregation_placement() {
    fails("MATCH (a) WHERE count(a) > 10 RETURN a", "InvalidAggregation");
    fails("MATCH (n) RETURN [x IN [1, 2, 3] | count(*)]", "InvalidAggregation");
    fails("MATCH (n) WITH n.num1 AS foo ORDER BY max(n.num2) RETURN foo AS foo", "InvalidAggregation");
    fails("MATCH (n) RETURN n.num1 ORDER BY max(n.num2)", "InvalidAggregation");
    fails("UNWIND [count(*)] AS x RETURN x", "InvalidAggregation");
    fails("RETURN count(count(*))", "NestedAggregation");
    fails("RETURN count(rand())", "NonConstantExpression");
    fails("RETURN size(DISTINCT [1])", "InvalidAggregation");
    ok("MATCH (a) RETURN size(collect(a))");
    ok("MATCH (n) RETURN n.num, count(*) ORDER BY count(*) DESC");
    ok("MATCH (n) RETURN [x IN collect(n.num) WHERE x > 1 | x * 2] AS l");
    ok("MATCH (n) RETURN count(DISTINCT n.num) AS c, collect(DISTINCT n) AS d");
}

#[test]
fn ambiguous_aggregation() {
    fails("MATCH (me)--(you) RETURN me.age + count(you.age)", "AmbiguousAggregationExpression");
    fails(
        "MATCH (me)--(you) RETURN me.age + you.age, me.age + you.age + count(*)",
        "AmbiguousAggregationExpression",
    );
    fails(
        "MATCH (me)--(you) WITH me.age + you.age AS grp, me.age + you.age + count(*) AS agg RETURN *",
        "AmbiguousAggregationExpression",
    );
    // The missing alias would be an error too; the ambiguity is found first.
    fails(
            "MATCH (me)--(you) WITH me.age + you.age, count(*) AS cnt ORDER BY me.age + you.age + count(*) RETURN *",
            "AmbiguousAggregationExpression",
        );
    ok("MATCH (me)--(you) RETURN me.age, me.age + count(you.age)");
    ok("MATCH (me)--(you) WITH me.age AS age, you RETURN age, age + count(you.age)");
    ok("MATCH (a)<-[:F]-(c) RETURN a.name, {foo: a.name = 'x', kids: collect(c.name)}");
    ok("MATCH (a) RETURN a, count(a) + 3");
    ok("MATCH (a) RETURN a, a.x + count(*)");
    ok("MATCH (p) RETURN $age + avg(p.age) - 1000");
    ok("MATCH (a) RETURN [x IN collect(a) | x.name] AS names");
}

#[test]
fn projection_names() {
    fails("MATCH (a) WITH a, count(*) RETURN a", "NoExpressionAlias");
    fails("WITH 1 AS a, 2 AS a RETURN a", "ColumnNameConflict");
    fails("RETURN 1 AS a, 2 AS a", "ColumnNameConflict");
    fails("MATCH () RETURN *", "NoVariablesInScope");
    ok("MATCH (a) WITH a, count(*) AS c RETURN *");
    ok("MATCH (a) WITH * RETURN a");
    ok("RETURN 1 AS a, 1 AS b");
}

#[test]
fn functions() {
    let q = "MATCH (a) RETURN foo(a)";
    let e = fails(q, "UnknownFunction");
    assert_eq!((spanned(q, &e), e.message.as_str()), ("foo", "unknown function 'foo'"));
    let e = fails("MATCH (a) RETURN colect(a)", "UnknownFunction");
    assert_eq!(e.message, "unknown function 'colect'; did you mean 'collect'?");
    fails("RETURN apoc.coll.sum([1])", "UnknownFunction");
    fails("RETURN size()", "InvalidNumberOfArguments");
    fails("RETURN range(1)", "InvalidNumberOfArguments");
    fails("RETURN rand(1)", "InvalidNumberOfArguments");
    ok("RETURN coalesce(null, 1, 2), cOuNt(*), toUpper('a'), range(1, 10, 2)");
    fails("MATCH p = (a) RETURN labels(p) AS l", "InvalidArgumentType");
    fails("MATCH (r) RETURN type(r)", "InvalidArgumentType");
    fails("RETURN properties(1)", "InvalidArgumentType");
    fails("MATCH p = (a)-[*]->(b) RETURN size(p)", "InvalidArgumentType");
    fails("MATCH (n) RETURN length(n)", "InvalidArgumentType");
    fails("MATCH (n) RETURN exists(n)", "InvalidArgumentType");
    ok("MATCH (n) RETURN exists(n.name)");
    // Value-level problems are the executor's.
    ok("RETURN range(2, 8, 0), range(true, 1, 1), toInteger([1])");
    ok("MATCH (a) WITH [a, 1] AS list RETURN labels(list[1]) AS l");
}

#[test]
fn arithmetic_on_known_non_numbers_fails_at_compile_time() {
    fails("RETURN none(x IN ['Clara'] WHERE x % 2 = 0) AS r", "InvalidArgumentType");
    fails("RETURN all(x IN [false, true] WHERE x % 2 = 0) AS r", "InvalidArgumentType");
    fails("MATCH (n) RETURN n * 2", "InvalidArgumentType");
    fails("RETURN 'a' - 1", "InvalidArgumentType");
    // Strings and lists add; temporals and unknowns are the executor's.
    ok("RETURN 'a' + 1, [1] + 2, [1] + true, 1 + 2.5");
    ok("RETURN date('2022-12') - duration('P6M'), duration('P1D') * 2");
    ok("MATCH (n) RETURN n.x % 2, any(x IN ['a', 1] WHERE x % 2 = 0)");
}

#[test]
fn operand_types() {
    let q = "RETURN 123 AND true";
    let e = fails(q, "InvalidArgumentType");
    assert_eq!((e.class, spanned(q, &e)), (ErrorClass::SyntaxError, "123"));
    fails("RETURN true OR [false]", "InvalidArgumentType");
    fails("RETURN {x: []} XOR [123]", "InvalidArgumentType");
    fails("RETURN NOT 'foo'", "InvalidArgumentType");
    fails("RETURN 1 IN 123.4", "InvalidArgumentType");
    ok("RETURN null AND true, null OR null, NOT null, 1 IN null, null IN [1]");
    ok("UNWIND [true, false] AS b RETURN NOT b, b XOR true");
    ok("MATCH (n) RETURN n.flag AND n.other, NOT n:Label");
}

#[test]
fn property_and_index_types() {
    let e = fails("WITH 123 AS x RETURN x.num", "InvalidArgumentType");
    assert_eq!(e.class, ErrorClass::TypeError);
    fails("WITH [123, true] AS x RETURN x.num", "InvalidArgumentType");
    let e = fails("MATCH (n) MATCH r = (n)-[*]->() WHERE r.name = 'apa' RETURN r", "InvalidArgumentType");
    assert_eq!(e.class, ErrorClass::SyntaxError);
    ok("WITH {num: 1} AS m, null AS z RETURN m.num, z.num");
    ok("MATCH (n)-[r]->() RETURN n.name, r.w, n['name']");
    let e = fails("WITH true AS list, 0 AS idx RETURN list[idx]", "InvalidArgumentType");
    assert_eq!(e.class, ErrorClass::TypeError);
    fails("WITH [1, 2] AS list, 4.7 AS idx RETURN list[idx]", "InvalidArgumentType");
    ok("WITH [1, 2] AS list, 1 AS idx RETURN list[idx], list[0..1], {a: 1}['a']");
    ok("WITH $expr AS list, $idx AS idx RETURN list[idx]");
}

#[test]
fn skip_and_limit() {
    fails("MATCH (n) RETURN n SKIP n.count", "NonConstantExpression");
    fails("MATCH (n) RETURN n LIMIT n.count", "NonConstantExpression");
    fails("MATCH (n) RETURN n SKIP -1", "NegativeIntegerArgument");
    fails("MATCH (n) RETURN n LIMIT -1", "NegativeIntegerArgument");
    fails("MATCH (n) RETURN n SKIP 1.5", "InvalidArgumentType");
    fails("MATCH (n) RETURN n LIMIT 1.7", "InvalidArgumentType");
    ok("MATCH (n) RETURN n SKIP $s LIMIT $l");
    ok("MATCH (n) RETURN n SKIP 0 LIMIT 1 + 1");
    ok("MATCH (n) WITH n SKIP toInteger(rand() * 2) RETURN n");
}

#[test]
fn clause_order() {
    let drop_last = |clauses: &mut Vec<Clause>| {
        clauses.pop();
    };
    let e = edited("MATCH (n) RETURN n", drop_last).unwrap_err();
    assert_eq!(
        (e.detail, e.message.as_str()),
        ("InvalidClauseComposition", "query cannot conclude with MATCH (must be RETURN or an update clause)")
    );
    let e = edited("MATCH (n) WITH n RETURN n", drop_last).unwrap_err();
    assert_eq!(e.detail, "InvalidClauseComposition");
    let return_first = |clauses: &mut Vec<Clause>| clauses.swap(0, 1);
    let e = edited("MATCH (n) RETURN 1 AS x", return_first).unwrap_err();
    assert_eq!(e.detail, "InvalidClauseComposition");
    ok("UNWIND [1] AS x CREATE (:N {x: x})");
    ok("MATCH () CREATE () WITH * CREATE ()");
}

/// Everyday queries over the AI-industry graph that must not trip any
/// rule.
#[test]
fn accepts_everyday_queries() {
    for q in [
            "MATCH (m:Model {id: 'chatglm-6b'})-[:BUILT_ON*]->(base:Model) RETURN DISTINCT base.id AS base ORDER BY base",
            "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN c.name, count(i) AS n ORDER BY n DESC LIMIT 10",
            "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN c.name AS name, count(*) AS n ORDER BY c.name",
            "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN c.name, count(*) ORDER BY toUpper(c.name), count(*)",
            "MATCH (n) RETURN DISTINCT n AS m ORDER BY n.name",
            "MATCH (n:Model) WITH n.org AS org, collect(n.id) AS ids RETURN org, ids[0..3] AS firstThree",
            "MATCH p = shortestPath((a:Company {id: 'x'})-[*]-(b:Lab {id: 'y'})) RETURN [n IN nodes(p) | n.name]",
            "MATCH p = (a)-[*]->(b) RETURN relationships(p)[0].round, head(nodes(p)).name, length(p)",
            "MATCH (a)-[r:KNOWS|LIKES]->(b) RETURN type(r), count(*) AS c ORDER BY c * -1",
            "MATCH (a) OPTIONAL MATCH (a)-[r]->(b) RETURN a, collect(b) AS bs, size(collect(DISTINCT b)) AS n",
            "MATCH (n) WHERE n:Person AND (n.age > 30 OR n.name STARTS WITH 'A') RETURN n",
            "MATCH (n) WHERE id(n) IN $ids AND NOT exists(n.retired) RETURN n.name AS name, n.name AS other",
            "MATCH (a) WITH a, a.x AS x ORDER BY x SKIP 1 LIMIT 5 WHERE x > 1 RETURN a",
            "MATCH (n) WITH n LIMIT 10 MATCH (n)-->(m) RETURN m",
            "MATCH (n) RETURN n.x AS x, n.x + count(*) AS y, avg(n.y) * 2 AS z",
            "UNWIND [[1, 2], [3]] AS l RETURN l[0], l[-1], size(l)",
            "WITH {a: {b: 1}} AS m RETURN m.a.b, m['a'], keys(m)",
            "UNWIND [{a: 1}, {a: 2}] AS m RETURN m.a",
            "MATCH (n) WITH collect(n) AS ns UNWIND ns AS m MATCH (m)-->(x) RETURN x",
            "RETURN CASE WHEN 1 < 2 THEN 'a' ELSE 'b' END AS c, coalesce(null, 1) AS d, reverse('abc') AS e",
            "MATCH (n) RETURN DISTINCT labels(n) AS l ORDER BY l",
            "EXPLAIN MATCH (n:Company) RETURN n.name ORDER BY n.name DESC",
            "MATCH (a:Company), (b:Company) WHERE a <> b CREATE (a)-[:PARTNERS_WITH]->(b)",
            "MATCH (a)-[r]->(b) WITH a, r, b, count(*) AS c ORDER BY c MATCH (a)-[r]->(b) RETURN r AS rel ORDER BY rel.id",
        ] {
            ok(q);
        }
}

#[test]
fn types_flow_through_projections() {
    fails("WITH 1 AS x WITH x AS y RETURN y.name", "InvalidArgumentType");
    fails("UNWIND [1, 2] AS x MATCH (x) RETURN x", "VariableTypeConflict");
    fails("MATCH (n) WITH collect(n) AS ns MATCH (ns) RETURN ns", "VariableTypeConflict");
    ok("MATCH (n) WITH collect(n) AS ns UNWIND ns AS m MATCH (m)-->() RETURN m");
    ok("WITH CASE WHEN true THEN 1 ELSE 'a' END AS x RETURN x.name");
}
