use super::*;
use crate::query::syntax::ast::*;
use crate::query::syntax::lex::{INTEGER_OVERFLOW, INVALID_NUMBER_LITERAL};

fn span(r: std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

fn stmt(text: &str) -> Statement {
    parse_statement(text).unwrap_or_else(|e| panic!("{text}: {}", e.with_query(text).render()))
}

fn expr(text: &str) -> Expr {
    parse_expression(text).unwrap_or_else(|e| panic!("{text}: {}", e.with_query(text).render()))
}

/// An expression as fully parenthesised text, to check structure.
fn sexp(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(n)) => n.to_string(),
        ExprKind::Literal(Literal::Float(f)) => format!("{f:?}"),
        ExprKind::Literal(Literal::String(s)) => format!("'{s}'"),
        ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
        ExprKind::Literal(Literal::Null) => "null".into(),
        ExprKind::Variable(v) => v.clone(),
        ExprKind::Parameter(p) => format!("${p}"),
        ExprKind::Property(b, k) => format!("{}.{}", sexp(b), k.name),
        ExprKind::Index(b, i) => format!("{}[{}]", sexp(b), sexp(i)),
        ExprKind::Slice(b, f, t) => format!(
            "{}[{}..{}]",
            sexp(b),
            f.as_ref().map_or(String::new(), |f| sexp(f)),
            t.as_ref().map_or(String::new(), |t| sexp(t))
        ),
        ExprKind::HasLabels(b, l) => {
            format!("{}:{}", sexp(b), l.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(":"))
        }
        ExprKind::Unary(op, x) => format!("({op:?} {})", sexp(x)),
        ExprKind::Binary(op, a, b) => format!("({op:?} {} {})", sexp(a), sexp(b)),
        ExprKind::Comparison(a, rest) => {
            let mut s = format!("(cmp {}", sexp(a));
            for (op, b) in rest {
                s += &format!(" {op:?} {}", sexp(b));
            }
            s + ")"
        }
        ExprKind::IsNull { expr, negated } => {
            format!("({} {})", if *negated { "notnull" } else { "isnull" }, sexp(expr))
        }
        ExprKind::List(items) => format!("[{}]", items.iter().map(sexp).collect::<Vec<_>>().join(", ")),
        ExprKind::Map(entries) => {
            format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.name, sexp(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ExprKind::Function { name, distinct, args } => format!(
            "{}({}{})",
            name.name,
            if *distinct { "distinct " } else { "" },
            args.iter().map(sexp).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::CountStar => "count(*)".into(),
        ExprKind::Case { subject, alternatives, default } => {
            let mut s = "(case".to_string();
            if let Some(x) = subject {
                s += &format!(" {}", sexp(x));
            }
            for (w, t) in alternatives {
                s += &format!(" (when {} {})", sexp(w), sexp(t));
            }
            if let Some(d) = default {
                s += &format!(" (else {})", sexp(d));
            }
            s + ")"
        }
        ExprKind::ListComprehension { quantifier, var, list, predicate, projection } => format!(
            "{}[{} in {}{}{}]",
            quantifier.map_or("", |q| q.name()),
            var.name,
            sexp(list),
            predicate.as_ref().map_or(String::new(), |p| format!(" where {}", sexp(p))),
            projection.as_ref().map_or(String::new(), |p| format!(" | {}", sexp(p)))
        ),
        ExprKind::Pattern(p) => format!("pattern({})", p.element.chain.len()),
        ExprKind::PatternComprehension { pattern, predicate, projection } => format!(
            "[{}pattern({}){} | {}]",
            pattern.var.as_ref().map_or(String::new(), |v| format!("{} = ", v.name)),
            pattern.element.chain.len(),
            predicate.as_ref().map_or(String::new(), |p| format!(" where {}", sexp(p))),
            sexp(projection)
        ),
        ExprKind::Subquery { kind, body } => {
            format!("({} {} clauses)", kind.keyword(), body.clauses.len())
        }
    }
}

fn s(text: &str) -> String {
    sexp(&expr(text))
}

/// The error's detail, message and span.
fn err(text: &str) -> (&'static str, String, Span) {
    match parse_statement(text) {
        Ok(s) => panic!("{text}: expected an error, parsed {s:?}"),
        Err(e) => (e.detail, e.message, e.span.expect("a span")),
    }
}

// --- nodes and relationships ---

fn first_element(text: &str) -> PatternElement {
    match &stmt(text).query.clauses[0] {
        Clause::Match(m) => m.pattern[0].element.clone(),
        Clause::Create(c) => c.pattern[0].element.clone(),
        other => panic!("not a pattern clause: {other:?}"),
    }
}

#[test]
fn node_patterns() {
    let e = first_element("MATCH (p:Person:Founder {name: 'x', age: 3}) RETURN p");
    let n = e.start;
    assert_eq!(n.var, Some(Ident { name: "p".into(), span: span(7..8) }));
    assert_eq!(n.labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Person", "Founder"]);
    assert_eq!(n.labels[1].span, span(16..23));
    match n.properties {
        Some(Properties::Map(entries)) => {
            assert_eq!(entries.len(), 2);
            assert_eq!(entries[0].0.name, "name");
            assert_eq!(sexp(&entries[1].1), "3");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(n.span, span(6..44));
    let n = first_element("MATCH () RETURN 1").start;
    assert_eq!((n.var, n.labels.len(), n.properties, n.span), (None, 0, None, span(6..8)));
    let n = first_element("MATCH ( :`My Label` ) RETURN 1").start;
    assert_eq!(n.labels[0].name, "My Label");
    let n = first_element("CREATE (n $props)").start;
    assert!(
        matches!(&n.properties, Some(Properties::Parameter(p)) if p.name == "props" && p.span == span(10..16))
    );
}

#[test]
fn relationship_directions_and_details() {
    let e = first_element("MATCH (a)-->(b)<--(c)--(d)<-->(e)-[r:T1|T2|:T3 {k: 1}]->(f) RETURN a");
    let dirs: Vec<_> = e.chain.iter().map(|(r, _)| r.direction).collect();
    use Direction::*;
    assert_eq!(dirs, [Outgoing, Incoming, Both, Both, Outgoing]);
    let r = &e.chain[4].0;
    assert_eq!(r.var.as_ref().map(|v| v.name.as_str()), Some("r"));
    assert_eq!(r.types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["T1", "T2", "T3"]);
    assert!(matches!(r.properties, Some(Properties::Map(ref m)) if m.len() == 1));
    assert_eq!(r.span, span(33..56));
    assert_eq!(e.chain[0].0.span, span(9..12));
    let e = first_element("MATCH (a) - [ r ] - > (b) RETURN a");
    assert_eq!(e.chain[0].0.direction, Outgoing);
}

#[test]
fn variable_length_forms() {
    let lengths: Vec<_> = ["*", "*2", "*1..3", "*..3", "*2..", "* 1 .. 3", "*0..0"]
        .iter()
        .map(|l| first_element(&format!("MATCH (a)-[:T{l}]->(b) RETURN a")).chain[0].0.length)
        .collect();
    let r = |min, max| Some(Range { min, max });
    assert_eq!(
        lengths,
        [
            r(None, None),
            r(Some(2), Some(2)),
            r(Some(1), Some(3)),
            r(None, Some(3)),
            r(Some(2), None),
            r(Some(1), Some(3)),
            r(Some(0), Some(0))
        ]
    );
    let e = first_element("MATCH (a)-[*]-(b) RETURN a");
    assert_eq!((e.chain[0].0.types.len(), e.chain[0].0.length), (0, r(None, None)));
    let e = first_element("MATCH (a)-[r*2 {k: 1}]->(b) RETURN a");
    assert!(e.chain[0].0.properties.is_some());
}

#[test]
fn pattern_parts() {
    let q = stmt("MATCH p = (a)-->(b), q = shortestPath((a)-[*]-(c)), allshortestpaths((x)--(y)) RETURN p");
    let Clause::Match(m) = &q.query.clauses[0] else { panic!() };
    let kinds: Vec<_> = m.pattern.iter().map(|p| (p.var.as_ref().map(|v| v.name.clone()), p.kind)).collect();
    assert_eq!(
        kinds,
        [
            (Some("p".into()), PathKind::Pattern),
            (Some("q".into()), PathKind::Shortest),
            (None, PathKind::AllShortest)
        ]
    );
    assert_eq!(m.pattern[0].span, span(6..19));
    // Redundant parentheses around a chain are dropped.
    let a = first_element("MATCH ((a)-->(b)) RETURN a");
    let b = first_element("MATCH (a)-->(b) RETURN a");
    assert_eq!(a.chain.len(), b.chain.len());
}

// --- expressions ---

#[test]
fn boolean_precedence() {
    assert_eq!(s("true OR true XOR true"), "(Or true (Xor true true))");
    assert_eq!(s("a XOR b AND c"), "(Xor a (And b c))");
    assert_eq!(s("NOT a AND b"), "(And (Not a) b)");
    assert_eq!(s("NOT NOT a"), "(Not (Not a))");
    assert_eq!(s("a OR b OR c"), "(Or (Or a b) c)");
}

#[test]
fn comparison_precedence() {
    assert_eq!(s("NOT false >= false"), "(Not (cmp false Ge false))");
    assert_eq!(s("true OR false = false"), "(Or true (cmp false Eq false))");
    assert_eq!(s("1 < x <= 3 <> y"), "(cmp 1 Lt x Le 3 Ne y)");
    assert_eq!(s("false = true IS NULL"), "(cmp false Eq (isnull true))");
    assert_eq!(s("a IS NULL = b"), "(cmp (isnull a) Eq b)");
    assert_eq!(s("NOT false IS NULL"), "(Not (isnull false))");
    assert_eq!(s("false = true IN [true, false]"), "(cmp false Eq (In true [true, false]))");
    assert_eq!(s("x IS NOT NULL IS NULL"), "(isnull (notnull x))");
    assert_eq!(s("[1]+2 IN [3]+4"), "(In (Add [1] 2) (Add [3] 4))");
    assert_eq!(s("'abc' STARTS WITH null OR true"), "(Or (StartsWith 'abc' null) true)");
    assert_eq!(s("a ENDS WITH 'x' CONTAINS 'y'"), "(Contains (EndsWith a 'x') 'y')");
    assert_eq!(s("a =~ 'x.*' = true"), "(cmp (RegexMatch a 'x.*') Eq true)");
}

#[test]
fn arithmetic_precedence() {
    assert_eq!(s("4 * 2 + 3 * 2"), "(Add (Multiply 4 2) (Multiply 3 2))");
    assert_eq!(s("4 - 2 - 1"), "(Subtract (Subtract 4 2) 1)");
    assert_eq!(s("2 ^ 3 ^ 2"), "(Power (Power 2 3) 2)");
    assert_eq!(s("4 ^ 3 % 2 ^ 3"), "(Modulo (Power 4 3) (Power 2 3))");
    assert_eq!(s("-3 ^ 2"), "(Power -3 2)");
    assert_eq!(s("-x ^ 2"), "(Power (Negate x) 2)");
    assert_eq!(s("-(3 ^ 2)"), "(Negate (Power 3 2))");
    assert_eq!(s("2 ^ -1"), "(Power 2 -1)");
    assert_eq!(s("- -3"), "(Negate -3)");
    assert_eq!(s("+3"), "(Plus 3)");
    assert_eq!(s("a--1"), "(Subtract a -1)");
    assert_eq!(s("-n.x"), "(Negate n.x)");
    assert_eq!(s("-5[0]"), "(Negate 5[0])");
    assert_eq!(s("-(5)"), "(Negate 5)");
}

#[test]
fn postfix_and_labels() {
    assert_eq!(s("n.a.b[0][1..2][..3][4..][..]"), "n.a.b[0][1..2][..3][4..][..]");
    assert_eq!(
        s("[[1], [2, 3], [4, 5]] + [5, [6, 7], [8, 9], 10][3]"),
        "(Add [[1], [2, 3], [4, 5]] [5, [6, 7], [8, 9], 10][3])"
    );
    assert_eq!(s("n:A:B AND m.x:C"), "(And n:A:B m.x:C)");
    assert_eq!(s("n.orderId"), "n.orderId");
    assert_eq!(s("n . name"), "n.name");
    assert_eq!(s("$param.key"), "$param.key");
    assert_eq!(s("{a: 1}.a"), "{a: 1}.a");
    assert_eq!(s("n.`weird key`"), "n.weird key");
    assert_eq!(s("n.end"), "n.end");
}

#[test]
fn literals() {
    assert_eq!(s("null"), "null");
    assert_eq!(s("TRUE"), "true");
    assert_eq!(s("False"), "false");
    assert_eq!(s("0x1F"), "31");
    assert_eq!(s("-0x8000000000000000"), i64::MIN.to_string());
    assert_eq!(s("-9223372036854775808"), i64::MIN.to_string());
    assert_eq!(s("-0o1000000000000000000000"), i64::MIN.to_string());
    assert_eq!(s("9223372036854775807"), i64::MAX.to_string());
    assert_eq!(s(".5"), "0.5");
    assert_eq!(s("1e3"), "1000.0");
    assert_eq!(s("1.5e-3"), "0.0015");
    assert_eq!(s("-.1e-5"), "(Negate 1e-6)");
    assert_eq!(s("'it\\'s'"), "'it's'");
    assert_eq!(s("\"x\""), "'x'");
    assert_eq!(s("$0"), "$0");
    assert_eq!(s("$`odd name`"), "$odd name");
    assert_eq!(s("[]"), "[]");
    assert_eq!(s("[1, [2], {}]"), "[1, [2], {}]");
    assert_eq!(s("{a: 1, `b c`: 'x', end: null}"), "{a: 1, b c: 'x', end: null}");
    assert_eq!(expr("-12").span, span(0..3));
    assert_eq!(expr("- 12").span, span(0..4));
}

#[test]
fn functions_and_count() {
    assert_eq!(s("count(*)"), "count(*)");
    assert_eq!(s("COUNT ( * )"), "count(*)");
    assert_eq!(s("count(n)"), "count(n)");
    assert_eq!(s("count(DISTINCT n.x)"), "count(distinct n.x)");
    assert_eq!(s("toUpper('a')"), "toUpper('a')");
    assert_eq!(s("rand()"), "rand()");
    assert_eq!(s("a.b.c(x, 1)"), "a.b.c(x, 1)");
    assert_eq!(s("exists(n.x)"), "exists(n.x)");
    let f = expr("my.fn(1)");
    let ExprKind::Function { name, .. } = f.kind else { panic!() };
    assert_eq!(name.span, span(0..5));
}

#[test]
fn case_expressions() {
    assert_eq!(s("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"), "(case (when a 1) (when b 2) (else 3))");
    assert_eq!(s("case x when 1 then 'one' end"), "(case x (when 1 'one'))");
    assert_eq!(s("CASE n.x WHEN 1 THEN 2 END.y"), "(case n.x (when 1 2)).y");
}

#[test]
fn list_comprehensions() {
    assert_eq!(
        s("[x IN range(0, 10) WHERE x % 2 = 0 | x ^ 2]"),
        "[x in range(0, 10) where (cmp (Modulo x 2) Eq 0) | (Power x 2)]"
    );
    assert_eq!(s("[x IN list | x.name]"), "[x in list | x.name]");
    assert_eq!(s("[x IN list WHERE x > 1]"), "[x in list where (cmp x Gt 1)]");
    assert_eq!(s("[x IN list]"), "[x in list]");
    // Not comprehensions: more elements, a non-variable, parentheses.
    assert_eq!(s("[x IN list, 2]"), "[(In x list), 2]");
    assert_eq!(s("[1 IN list]"), "[(In 1 list)]");
    assert_eq!(s("[(x) IN list]"), "[(In x list)]");
}

#[test]
fn pattern_expressions() {
    assert_eq!(s("(a)-->(b)"), "pattern(1)");
    assert_eq!(s("(a)<-[:T]-(:B {x: 1})--()"), "pattern(2)");
    assert_eq!(s("(a) - -1"), "(Subtract a -1)");
    assert_eq!(s("(a) < -1"), "(cmp a Lt -1)");
    assert_eq!(s("(n.a) - (1)"), "(Subtract n.a 1)");
    assert_eq!(s("NOT (a)-->(b)"), "(Not pattern(1))");
    assert_eq!(s("((a)-->(b))"), "pattern(1)");
    assert_eq!(s("size((a)-->())"), "size(pattern(1))");
}

#[test]
fn comments_anywhere() {
    let q = stmt("// leading\nMATCH /* a */ (n) // trailing\n WHERE n.x /* c */ > 1 RETURN n /* end */ ;");
    assert_eq!(q.query.clauses.len(), 2);
    assert_eq!(s("1 /* one */ + // two\n 2"), "(Add 1 2)");
    assert_eq!(s("'//not a comment'"), "'//not a comment'");
}

#[test]
fn keywords_are_not_prefixes() {
    assert_eq!(s("orders OR ordinal"), "(Or orders ordinal)");
    assert_eq!(s("n.orderId IN android"), "(In n.orderId android)");
    assert_eq!(s("isNull IS NULL"), "(isnull isNull)");
    assert_eq!(s("notes AND nothing"), "(And notes nothing)");
    assert_eq!(s("endsWith ENDS WITH startsWith"), "(EndsWith endsWith startsWith)");
    let q = stmt("match (n) return n order by n.x descending skip 1 limit 2");
    let Clause::Return(r) = &q.query.clauses[1] else { panic!() };
    assert!(r.order_by[0].descending);
    assert!(r.skip.is_some() && r.limit.is_some());
}

#[test]
fn clauses() {
    let q = stmt("EXPLAIN OPTIONAL MATCH (n) WHERE n.x = 1 UNWIND [1, 2] AS i WITH DISTINCT n, i AS j ORDER BY j SKIP 1 LIMIT 5 WHERE j > 0 RETURN *, n.x ORDER BY n.x ASC, j DESC;");
    assert!(q.explain);
    let c = &q.query.clauses;
    assert!(matches!(&c[0], Clause::Match(m) if m.optional && m.where_.is_some()));
    assert!(matches!(&c[1], Clause::Unwind(u) if u.var.name == "i"));
    let Clause::With(w) = &c[2] else { panic!() };
    assert!(w.distinct && !w.star && w.items.len() == 2 && w.where_.is_some() && w.skip.is_some());
    assert_eq!(w.items[1].alias.as_ref().map(|a| a.name.as_str()), Some("j"));
    let Clause::Return(r) = &c[3] else { panic!() };
    assert!(r.star && r.items.len() == 1 && r.order_by.len() == 2 && !r.order_by[0].descending);
    assert_eq!(q.query.span.start, 8);
    assert_eq!(q.query.span.end, q.query.clauses[3].span().end);
    let q = stmt("CREATE (a:A), (b:B) CREATE (a)-[:T]->(b)");
    assert_eq!(q.query.clauses.len(), 2);
}

#[test]
fn projection_text_is_the_source() {
    let q = stmt("MATCH (a) RETURN count( * ), a.version+5 AS v,  a . name ,\n(a.x)");
    let Clause::Return(r) = &q.query.clauses[1] else { panic!() };
    let texts: Vec<_> = r.items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, ["count( * )", "a.version+5", "a . name", "(a.x)"]);
    assert_eq!(r.items[1].span, span(29..45));
}

// --- errors ---

#[test]
fn error_messages_and_spans() {
    assert_eq!(
        err("MATCH (p:Person RETURN p"),
        (UNEXPECTED_SYNTAX, "expected ')' to close node pattern".into(), span(16..22))
    );
    assert_eq!(
        err("MATCH (n) WHERE RETURN n"),
        (UNEXPECTED_SYNTAX, "expected an expression after 'WHERE'".into(), span(16..22))
    );
    assert_eq!(
        err("RETURN ("),
        (UNEXPECTED_SYNTAX, "unexpected end of input, expected an expression after '('".into(), span(8..8))
    );
    assert_eq!(
        err("RETURN 1 +"),
        (UNEXPECTED_SYNTAX, "unexpected end of input, expected an expression after '+'".into(), span(10..10))
    );
    assert_eq!(
        err(""),
        (
            UNEXPECTED_SYNTAX,
            "unexpected end of input, expected a clause such as MATCH, UNWIND, WITH, RETURN or CREATE".into(),
            span(0..0)
        )
    );
    assert_eq!(
        err("RETURN a b"),
        (UNEXPECTED_SYNTAX, "expected a clause or the end of the query".into(), span(9..10))
    );
    assert_eq!(
        err("MATCH (a)-[:T->(b) RETURN a"),
        (INVALID_RELATIONSHIP_PATTERN, "expected ']' to close relationship pattern".into(), span(13..14))
    );
    assert_eq!(err("MATCH (a)-(b) RETURN a").1, "expected '-' or '[' to continue the relationship pattern");
    assert_eq!(err("MATCH (a)--> RETURN a").1, "expected a node pattern after the relationship");
    assert_eq!(
        err("RETURN [1, 2"),
        (
            UNEXPECTED_SYNTAX,
            "unexpected end of input, expected ',' or ']' to close the list".into(),
            span(12..12)
        )
    );
    assert_eq!(err("RETURN {a 1}").1, "expected ':' after the property key");
    assert_eq!(err("RETURN x IS 1").1, "expected NULL or NOT NULL after IS");
    assert_eq!(
        err("RETURN CASE WHEN 1 THEN 2").1,
        "unexpected end of input, expected WHEN, ELSE or END to continue the CASE expression"
    );
    assert_eq!(err("RETURN f(1 2)").1, "expected ',' or ')' to close the arguments of f()");
    assert_eq!(err("MATCH (n) RETURN n ORDER n").1, "expected BY after ORDER");
    assert_eq!(
        err("RETURN 1; RETURN 2").1,
        "expected the end of the query after ';', only one statement is allowed"
    );
    assert_eq!(err("RETURN 'abc").1, "unterminated string literal, expected a closing '");
    assert_eq!(err("RETURN 1 /* open").1, "unterminated comment, expected '*/'");
}

#[test]
fn union_and_call_print_back() {
    for q in [
        "RETURN 1 AS x UNION RETURN 2 AS x UNION RETURN 3 AS x",
        "MATCH (n) RETURN n UNION ALL MATCH (m) RETURN m AS n",
        "CALL db.labels()",
        "CALL test.my.proc",
        "CALL test.my.proc('a', $p) YIELD *",
        "MATCH (n) CALL test.`odd name`(n.x, 1) YIELD a AS b, c WHERE b > c RETURN b",
    ] {
        let s = stmt(q);
        assert_eq!(s.to_string(), q);
        assert_eq!(stmt(&s.to_string()).to_string(), q);
    }
    let s = stmt("CALL a.b.c(1) YIELD x AS y");
    let Clause::Call(c) = &s.query.clauses[0] else { panic!("{s:?}") };
    assert_eq!((c.procedure.name.as_str(), c.procedure.span), ("a.b.c", span(5..10)));
    assert_eq!(c.yields.as_ref().map(|y| y[0].var().name.as_str()), Some("y"));
    assert_eq!(stmt("RETURN 1 UNION ALL RETURN 2").unions[0].span, span(9..18));
    assert_eq!(
        err("CALL db.labels() YIELD").1,
        "unexpected end of input, expected a field name after 'YIELD'"
    );
    assert_eq!(
        err("RETURN 1 UNION").1,
        "unexpected end of input, expected a clause such as MATCH, UNWIND, WITH, RETURN or CREATE"
    );
}

#[test]
fn unsupported_clauses() {
    for (q, kw) in
        [("LOAD CSV FROM 'x' AS row RETURN row", "LOAD CSV"), ("FOREACH (x IN [1] | CREATE ())", "FOREACH")]
    {
        let (detail, message, sp) = err(q);
        assert_eq!(detail, UNEXPECTED_SYNTAX);
        assert!(message.contains(kw) && message.ends_with("is not supported"), "{message}");
        assert_eq!(
            &q[sp.start..sp.end].to_uppercase()[..kw.len().min(sp.end - sp.start)],
            &kw[..kw.len().min(sp.end - sp.start)]
        );
    }
    assert_eq!(
        err("RETURN any(x.y IN [1] WHERE x > 0)").1,
        "any() needs a variable and a list: any(x IN list WHERE ...)"
    );
    assert_eq!(err("MATCH (n) WHERE exists { (n)-->() RETURN n").1, "expected '}' to close EXISTS");
    assert_eq!(s("[p = (a)-->(b) WHERE b.x > 1 | p]"), "[p = pattern(1) where (cmp b.x Gt 1) | p]");
    assert_eq!(s("[(a)-->() | a.x]"), "[pattern(1) | a.x]");
    assert_eq!(
        err("RETURN [(a)-->(b) WHERE b.x]").1,
        "expected '|' and the value to collect in the pattern comprehension"
    );
    assert_eq!(err("MATCH (n) RETURN n{.name}").1, "map projections such as n{.key} are not supported");
    assert_eq!(
        err("RETURN 1 != 2"),
        (UNEXPECTED_SYNTAX, "'!=' is not an operator, use '<>'".into(), span(9..11))
    );
}

#[test]
fn clause_composition() {
    assert_eq!(
        err("MATCH (n) RETURN n MATCH (m) RETURN m"),
        (INVALID_CLAUSE_COMPOSITION, "RETURN can only be used at the end of the query".into(), span(10..16))
    );
    assert_eq!(
        err("MATCH (n)").1,
        "a query cannot end with MATCH, it must end with RETURN or an updating clause"
    );
    assert_eq!(
        err("MATCH (n) WITH n").1,
        "a query cannot end with WITH, it must end with RETURN or an updating clause"
    );
    assert_eq!(err("CREATE (n) MATCH (m) RETURN m").1, "WITH is required between CREATE and MATCH");
    stmt("CREATE (n) WITH n MATCH (m) RETURN m");
    stmt("MATCH (n) CREATE (m)");
}

#[test]
fn number_errors() {
    assert_eq!(
        err("RETURN 9223372036854775808 AS literal"),
        (INTEGER_OVERFLOW, "integer literal is too large for a 64-bit integer".into(), span(7..26))
    );
    assert_eq!(
        err("RETURN -9223372036854775809 AS literal"),
        (INTEGER_OVERFLOW, "integer literal is too large for a 64-bit integer".into(), span(7..27))
    );
    assert_eq!(err("RETURN -0x8000000000000001").0, INTEGER_OVERFLOW);
    assert_eq!(err("RETURN 0x8000000000000000").0, INTEGER_OVERFLOW);
    assert_eq!(err("RETURN 0o1000000000000000000000").0, INTEGER_OVERFLOW);
    assert_eq!(
        err("RETURN 0x AS literal"),
        (INVALID_NUMBER_LITERAL, "invalid number literal '0x'".into(), span(7..9))
    );
    assert_eq!(err("RETURN 9223372h54775808").0, INVALID_NUMBER_LITERAL);
    assert_eq!(err("RETURN 1.e").0, INVALID_NUMBER_LITERAL);
    assert_eq!(
        err("RETURN 9223372#54775808 AS literal"),
        (UNEXPECTED_SYNTAX, "expected a clause or the end of the query".into(), span(14..15))
    );
    assert_eq!(err("RETURN 1.34E999").0, "FloatingPointOverflow");
    assert_eq!(err("MATCH (a)-[*99999999999999999999]->(b) RETURN a").0, INTEGER_OVERFLOW);
}

#[test]
fn tck_grammar_errors() {
    for q in [
        "RETURN {1B2c3e67:1} AS literal",
        "RETURN {k1#k: 1} AS literal",
        "RETURN {k1.k: 1} AS literal",
        "RETURN {, } AS literal",
        "RETURN {1} AS literal",
        "RETURN {[]} AS literal",
        "RETURN {{}} AS literal",
        "RETURN {k: {k: {}} AS literal",
        "RETURN [, ] AS literal",
        "RETURN [[[]] AS literal",
        "RETURN [[','[]',']] AS literal",
    ] {
        assert_eq!(err(q).0, UNEXPECTED_SYNTAX, "{q}");
    }
    assert_eq!(err("RETURN '\\uH'").0, "InvalidUnicodeLiteral");
    let (detail, message, sp) = err("RETURN 42 — 41");
    assert_eq!(
        (detail, message.as_str(), sp),
        (INVALID_UNICODE_CHARACTER, "invalid character '—' (U+2014), did you mean '-'?", span(10..13))
    );
    assert_eq!(
        err("MATCH (a:A) MATCH (a)-[:LIKES..]->(c) RETURN c.name"),
        (INVALID_RELATIONSHIP_PATTERN, "expected '*' before a variable-length range".into(), span(29..31))
    );
    assert_eq!(err("MATCH (a)-[:LIKES*-2]->(c) RETURN c.name").0, INVALID_RELATIONSHIP_PATTERN);
    assert_eq!(
        err("MATCH (n $param) RETURN n"),
        (
            INVALID_PARAMETER_USE,
            "a parameter cannot be used as the property map of a MATCH pattern, write {key: $param.key}"
                .into(),
            span(9..15)
        )
    );
    assert_eq!(err("MATCH ()-[r:FOO $param]->() RETURN r").0, INVALID_PARAMETER_USE);
}

#[test]
fn reserved_words_are_not_variables() {
    assert_eq!(err("MATCH (n) WHERE RETURN n").1, "expected an expression after 'WHERE'");
    assert_eq!(err("WITH 1 AS where RETURN 1").1, "expected a variable name after 'AS'");
    assert_eq!(s("`where` + 1"), "(Add where 1)");
    stmt("MATCH (n:MATCH)-[:RETURN]->(m {end: 1}) RETURN n.where");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = |open: &str, close: &str, n: usize| format!("RETURN {}1{}", open.repeat(n), close.repeat(n));
    assert!(parse_statement(&deep("(", ")", MAX_DEPTH - 2)).is_ok());
    assert!(parse_statement(&deep("[", "]", MAX_DEPTH - 2)).is_ok());
    for (open, close) in
        [("(", ")"), ("[", "]"), ("{a: ", "}"), ("-", ""), ("NOT ", ""), ("f(", ")"), ("[x IN ", " | x]")]
    {
        let text = deep(open, close, 5000);
        let e = parse_statement(&text).expect_err(open);
        assert_eq!(e.message, "expression nested too deeply", "{open}");
    }
    let text = format!("MATCH {}(a){} RETURN a", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(parse_statement(&text).unwrap_err().message, "expression nested too deeply");
}

#[test]
fn deep_nesting_fits_a_small_stack() {
    // 2 MiB is the default stack of a spawned thread.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            for (open, close) in [
                ("(", ")"),
                ("[", "]"),
                ("{a: ", "}"),
                ("- ", ""),
                ("NOT ", ""),
                ("f(", ")"),
                ("CASE WHEN true THEN ", " END"),
                ("(a {k: ", "})--()"),
                // Every precedence level on the way down to the next bracket.
                ("a OR b XOR c AND NOT d = e IN f + g * h ^ -(", ")"),
                ("[x IN ", " | x]"),
                ("a[", "]"),
            ] {
                // The composite opens three levels (NOT, -, parenthesis) each time.
                let n = if open.len() > 10 { MAX_DEPTH / 3 - 1 } else { MAX_DEPTH - 3 };
                let text = format!("RETURN {}1{}", open.repeat(n), close.repeat(n));
                let statement = parse_statement(&text).unwrap_or_else(|e| panic!("{open}: {e}"));
                // Printing and dropping recurse too, on this thread.
                assert!(parse_statement(&statement.to_string()).is_ok());
            }
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn nesting_estimates_bound_the_real_depth() {
    let q = "MATCH (a)-[:T]->(b)<-[:U]-(c) RETURN a.x - 1, '((((', `a-` // ((((\n";
    assert_eq!(nesting_estimate(q), 3);
    assert_eq!(nesting_estimate("RETURN [[1], {a: (2)}]"), 3);
    assert_eq!(nesting_estimate("RETURN - - -1 + NOT NOT x"), 6);
    assert_eq!(nesting_estimate("RETURN - /* ) */ - 1"), 2);
    assert_eq!(nesting_estimate("RETURN CASE WHEN CASE x WHEN 1 THEN 2 END THEN (3) END"), 3);
    assert_eq!(nesting_estimate("RETURN n.notes, n.cases /* ) */"), 0);
    let long = format!("CREATE {}", vec!["(:A)-[:T]->(:B)"; 500].join(", "));
    assert!(nesting_estimate(&long) <= INLINE_DEPTH);
    // Prefix operators on several bracket levels add up.
    assert_eq!(nesting_estimate("RETURN - -(- -(- -1))"), 8);
}

#[test]
fn long_inputs() {
    let items: Vec<String> = (0..2000).map(|n| format!("{n} AS c{n}")).collect();
    let q = format!("RETURN {}", items.join(", "));
    assert!(q.len() > 10_000);
    assert_eq!(stmt(&q).query.clauses.len(), 1);
    let sum = format!("RETURN {}", vec!["1"; 5000].join(" + "));
    stmt(&sum);
    let long_string = format!("RETURN '{}'", "x".repeat(20_000));
    stmt(&long_string);
}

#[test]
fn nested_property_maps_parse_in_linear_time() {
    // Each `(` is decided by a look-ahead, so this does not blow up.
    let n = 40;
    let text = format!("RETURN {}1{}", "({a: ".repeat(n), "})".repeat(n));
    let start = std::time::Instant::now();
    assert!(parse_statement(&text).is_ok());
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}
