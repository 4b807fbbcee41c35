//! AST → checked logical plan.
