//! The query language: an openCypher read subset plus `CREATE`.

pub mod exec;
pub mod plan;
pub mod syntax;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::model::Value;

/// Query parameters by name (`$name` in query text).
pub type Params = BTreeMap<String, Value>;

/// Limits on one query run. The defaults are unlimited.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Wall-clock budget.
    pub timeout: Option<Duration>,
    /// Most rows the result may have.
    pub max_rows: Option<usize>,
    /// Most relationship expansions the run may make.
    pub max_expansions: Option<u64>,
    /// A handle another thread can use to stop the run.
    pub cancel: Option<CancelHandle>,
}

/// Stops a running query from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// A fresh handle.
    pub fn new() -> CancelHandle {
        CancelHandle::default()
    }

    /// Asks every run holding this handle to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A parsed query, reusable across runs and graphs.
#[derive(Debug, Clone)]
pub struct Query {
    text: Arc<str>,
}
