//! The bulk CSV loader on arbitrary text: the first byte picks where the
//! input splits into a node file and an edge file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    let at = (split as usize * rest.len()) / 256;
    let (nodes, edges) = rest.split_at(at);
    let (nodes, edges) = (String::from_utf8_lossy(nodes), String::from_utf8_lossy(edges));
    if let Ok(graph) = aikg::Graph::from_csv_text("nodes.csv", &nodes, "edges.csv", &edges) {
        for e in graph.edge_ids() {
            let _ = graph.edge(e).rel_type();
        }
    }
});
