//! Parse, plan and run arbitrary query text on the built-in graph under a
//! small budget.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static GRAPH: OnceLock<aikg::Graph> = OnceLock::new();
    let graph = GRAPH.get_or_init(aikg::Graph::builtin);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(query) = aikg::Query::parse(text) else { return };
    let options = aikg::QueryOptions {
        timeout: Some(Duration::from_millis(50)),
        max_rows: Some(1_000),
        max_expansions: Some(100_000),
        cancel: None,
    };
    if query.is_read_only() {
        let _ = query.run_with(graph, &aikg::Params::new(), &options);
    } else {
        let mut copy = graph.clone();
        let _ = query.run_mut_with(&mut copy, &aikg::Params::new(), &options);
    }
});
