//! The graph-data loader on arbitrary bytes: the first byte picks where the
//! input splits into a node file and a relation file.
#![no_main]

use aikg::load::{parse_graph_data, DataFile};
use aikg::model::schema::AI_INDUSTRY;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    let at = (split as usize * rest.len()) / 256;
    let (nodes, relations) = rest.split_at(at);
    let files = [DataFile::new("nodes/fuzz.jsonl", nodes), DataFile::new("relations/fuzz.jsonl", relations)];
    if let Ok(graph) = parse_graph_data(files, &AI_INDUSTRY) {
        // A graph that loads must be fully usable.
        for id in graph.node_ids() {
            let _ = graph.node(id).display_name();
        }
    }
});
