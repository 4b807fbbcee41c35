//! Query text → spanned [`ast`]: the nom parser, and the printer that turns
//! an AST back into query text.
//!
//! [`parse_statement`] reads one openCypher statement of the subset (`MATCH`,
//! `OPTIONAL MATCH`, `UNWIND`, `WITH`, `RETURN`, `CREATE`, an optional
//! `EXPLAIN` in front). Syntax errors are [`QueryError`](crate::QueryError)s
//! of class `SyntaxError` with the TCK's detail code and the span of the
//! offending token. `Display` on the AST prints canonical query text that
//! parses back to the same tree.

pub mod ast;
mod lex;
mod parse;
mod print;
#[cfg(test)]
mod tck_check;

pub use parse::parse_statement;

#[cfg(test)]
mod tests {
    use super::{ast::Clause, parse_statement};

    #[test]
    fn parses_prints_and_reports() {
        let statement = parse_statement("match (m:Model)-[:BUILT_ON*]->(b) return b.id as base").unwrap();
        assert!(matches!(statement.query.clauses[1], Clause::Return(_)));
        assert_eq!(statement.to_string(), "MATCH (m:Model)-[:BUILT_ON*]->(b) RETURN b.id AS base");
        let error = parse_statement("MATCH (p:Person RETURN p").unwrap_err();
        assert_eq!(error.message, "expected ')' to close node pattern");
    }
}
