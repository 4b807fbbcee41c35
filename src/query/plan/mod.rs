//! AST → checked logical plan: [`check`] rejects what openCypher rejects at
//! compile time, [`planner`] turns the checked AST into a [`logical::Plan`],
//! and `display` prints it for `EXPLAIN`.

pub mod check;
mod display;
pub mod logical;
pub mod mismatch;
pub mod planner;
pub mod regex;

pub use logical::Plan;
pub use planner::{plan_statement, Catalog};
