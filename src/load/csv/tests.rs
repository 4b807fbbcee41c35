use super::*;
use crate::load::chunks::cut_blocks;

fn load(nodes: &str, edges: &str) -> Result<Graph, LoadError> {
    Graph::from_csv_text("nodes.csv", nodes, "edges.csv", edges)
}

#[test]
fn loads_generator_format_with_bom_crlf_and_quotes() {
    let nodes = "\u{feff}id,label,name,params,year,founded\r\nC0,Company,\"Anla, Inc\",,,2018\r\nM0,Model,\"Lumen \"\"6.6B\"\"\",6.6,2022,\r\n\r\n";
    let edges = "src,dst,type,round,year\nM0,C0,DEVELOPED_BY,,\nC0,C0,INVESTED_IN,Seed,2021\n";
    let g = load(nodes, edges).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (2, 2));
    let c0 = g.node(g.node_by_key("C0").unwrap());
    assert_eq!(c0.name(), Some("Anla, Inc"));
    assert_eq!(c0.property("founded"), Some(&Value::Int(2018)));
    assert_eq!(c0.property("params"), None);
    let m0 = g.node(g.node_by_key("M0").unwrap());
    assert_eq!(m0.name(), Some("Lumen \"6.6B\""));
    assert_eq!(m0.property("params"), Some(&Value::Float(6.6)));
    let (e, _) = c0.neighbours(Some("INVESTED_IN"), crate::Direction::Outgoing).unwrap().next().unwrap();
    assert_eq!(e.property("round"), Some(&Value::from("Seed")));
    assert_eq!(e.property("year"), Some(&Value::Int(2021)));
}

#[test]
fn reports_every_bad_row() {
    let nodes = "id,label,name,year:int\nC0,Company,A,2020\nC0,Company,B,2021\nC1,,C,\nC2,Company,D\nC3,Company,E,soon\n";
    let edges = "src,dst,type\nC0,C9,X\nC0,C0,\n";
    let err = load(nodes, edges).unwrap_err();
    let messages: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "nodes.csv:3: duplicate id 'C0' (first at row 2)",
            "nodes.csv:4: node 'C1' has an empty label",
            "nodes.csv:5: row has 3 fields, header has 4",
            "nodes.csv:6: column 'year': 'soon' is not an integer",
            "edges.csv:2: dst names unknown node 'C9'",
            "edges.csv:3: empty type",
        ]
    );
}

#[test]
fn header_problems() {
    let err = load("id,name\nA,x\n", "src,dst,type\n").unwrap_err();
    assert_eq!(
        err.errors[0].to_string(),
        "nodes.csv:1: header lacks required column 'label' (found: id,name)"
    );
    let err = load("", "src,dst,type\n").unwrap_err();
    assert_eq!(err.errors[0].to_string(), "nodes.csv:1: file is empty; expected a header row");
    let err = load("id,label\n\"A,Model\n", "src,dst,type\n").unwrap_err();
    assert_eq!(err.errors[0].to_string(), "nodes.csv:2: unterminated quoted field");
}

/// Everything a graph shows through the public API, in order.
fn dump(g: &Graph) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{:?}", g.labels().collect::<Vec<_>>());
    let _ = writeln!(out, "{:?}", g.rel_types().collect::<Vec<_>>());
    let _ = writeln!(out, "{:?}", g.property_keys().collect::<Vec<_>>());
    for id in g.node_ids() {
        let n = g.node(id);
        let indexed = n.key().map(|k| g.node_by_key(k) == Some(id));
        let labels: Vec<_> = n.labels().collect();
        let _ = writeln!(out, "{id:?} {labels:?} {:?} {indexed:?}", n.properties().collect::<Vec<_>>());
    }
    for id in g.edge_ids() {
        let e = g.edge(id);
        let (src, dst) = (e.src().id(), e.dst().id());
        let _ =
            writeln!(out, "{id:?} {src:?} {dst:?} {} {:?}", e.rel_type(), e.properties().collect::<Vec<_>>());
    }
    out
}

/// The graph's dump, or the messages of the load's errors.
fn describe(loaded: Result<Graph, Error>) -> String {
    match loaded {
        Ok(g) => dump(&g),
        Err(Error::Load(e)) => e.errors.iter().map(|e| format!("{e}\n")).collect(),
        Err(e) => format!("{e}\n"),
    }
}

/// Hands out at most `step` bytes a read, so that reads end anywhere.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Reads its bytes, then fails.
struct Failing<'a>(&'a [u8]);

impl std::io::Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::other("the disk is on fire"));
        }
        self.0.read(buf)
    }
}

fn reader<'a>(
    name: &str,
    source: impl std::io::Read + Send + 'a,
    size: usize,
    options: Options,
) -> ChunkReader<'a> {
    ChunkReader::new(name, source, size, options.chunk_bytes, options.block_bytes)
}

/// A load of any bytes, each read through [`Trickle`] in steps of
/// `step`, with `options`.
fn load_bytes(nodes: &[u8], edges: &[u8], options: Options, step: usize) -> String {
    let nodes = reader("nodes.csv", Trickle { bytes: nodes, step }, nodes.len(), options);
    let edges = reader("edges.csv", Trickle { bytes: edges, step }, edges.len(), options);
    describe(super::load(nodes, edges, options))
}

/// The graph's dump or the error messages of a load on `threads`
/// threads in blocks of `block_bytes`, reading chunks of `chunk_bytes`.
fn outcome_in_chunks(
    nodes: &str,
    edges: &str,
    threads: usize,
    block_bytes: usize,
    chunk_bytes: usize,
) -> String {
    let options = Options { threads, block_bytes, chunk_bytes };
    load_bytes(nodes.as_bytes(), edges.as_bytes(), options, usize::MAX)
}

/// [`outcome_in_chunks`], reading each file in one chunk.
fn outcome(nodes: &str, edges: &str, threads: usize, block_bytes: usize) -> String {
    outcome_in_chunks(nodes, edges, threads, block_bytes, usize::MAX)
}

/// What `Graph::from_csv_text` makes of the files.
fn in_memory(nodes: &str, edges: &str) -> String {
    describe(load(nodes, edges).map_err(Error::from))
}

/// Quoted fields with commas, doubled quotes and newlines, a quote in
/// the middle of a field (which opens nothing), CRLF, blank lines,
/// several labels, ids longer than the index keeps in place, and more
/// distinct relationship property sets than a parser remembers.
fn tricky_files() -> (String, String) {
    let id = |i: usize| if i % 7 == 0 { format!("node-with-a-long-id-{i}") } else { format!("N{i}") };
    let mut nodes = String::from("\u{feff}id,label,name,year\r\n");
    for i in 0..300 {
        let name = match i % 5 {
            0 => format!("\"Name {i},\nsecond line\""),
            1 => format!("\"say \"\"hi\"\" {i}\""),
            2 => format!("half\"quote{i}"),
            _ => format!("Plain {i}"),
        };
        let label = if i % 11 == 0 { "Model; Product" } else { "Model" };
        nodes.push_str(&format!("{},{label},{name},{}\r\n", id(i), 2000 + i % 30));
        if i % 50 == 0 {
            nodes.push_str("\r\n");
        }
    }
    let mut edges = String::from("src,dst,type,round,weight\n");
    for i in 0..5000 {
        let round = if i % 13 == 0 { "\"Series\nA\"".to_string() } else { format!("R{}", i % 4) };
        let rel = ["BUILT_ON", "INVESTED_IN", " PART_OF "][i % 3];
        edges.push_str(&format!("{},{},{rel},{round},{i}\n", id(i % 300), id((i * 7 + 3) % 300)));
    }
    (nodes, edges)
}

#[test]
fn blocks_and_threads_do_not_change_the_graph() {
    let (nodes, edges) = tricky_files();
    let sequential = outcome(&nodes, &edges, 1, usize::MAX);
    assert!(sequential.contains(r#""Name 0,\nsecond line""#), "{sequential}");
    assert_eq!(sequential.lines().filter(|l| l.starts_with("EdgeId")).count(), 5000);
    for threads in [1, 2, 3] {
        for block_bytes in [1, 5, 64, 999, 4096] {
            let parallel = outcome(&nodes, &edges, threads, block_bytes);
            assert!(parallel == sequential, "{threads} threads, blocks of {block_bytes}");
        }
    }
}

#[test]
fn blocks_end_at_record_boundaries() {
    // The quote in `ab"c` is text; one that opens a field spans lines.
    let text = "id,label\nx,ab\"c\ny,\"d\ne,\"\"f\"\n\n\"g\nh\"\"i\",L\r\nz,\"q\"junk\nw,v";
    let expected = {
        let mut records = Records::new(text);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some((row, parsed)) = records.next_record(&mut fields) {
            out.push((row, parsed, fields.clone()));
        }
        out
    };
    assert_eq!(expected.len(), 6);
    for target in 1..text.len() + 2 {
        let mut got = Vec::new();
        let mut base = 0;
        for block in cut_blocks(text.as_bytes(), true, target, true).0 {
            let mut records = Records::with_quoting(&text[block], true);
            let mut fields = Vec::new();
            while let Some((row, parsed)) = records.next_record(&mut fields) {
                got.push((base + row, parsed, fields.clone()));
            }
            base += records.row;
        }
        assert_eq!(got, expected, "blocks of {target}");
    }
}

#[test]
fn errors_in_later_blocks_keep_their_rows_and_order() {
    // Row 2 spans two lines, so rows are not records.
    let mut nodes = String::from("id,label,name,year:int\nA,Model,\"two\nlines\",1\n");
    for i in 0..200 {
        nodes.push_str(&format!("N{i},Model,n,{i}\n"));
    }
    nodes.push_str("N5,Model,again,1\nB,Model,x,soon\nC,,x,1\n");
    let mut edges = String::from("src,dst,type\n");
    for i in 0..200 {
        edges.push_str(&format!("N{i},A,R\n"));
    }
    edges.push_str("A,Nowhere,R\n\"A\",A,\n");
    let expected = "nodes.csv:204: duplicate id 'N5' (first at row 9)\n\
                        nodes.csv:205: column 'year': 'soon' is not an integer\n\
                        nodes.csv:206: node 'C' has an empty label\n\
                        edges.csv:202: dst names unknown node 'Nowhere'\n\
                        edges.csv:203: empty type\n";
    for threads in [1, 2, 3] {
        for block_bytes in [1, 16, 100, usize::MAX] {
            assert_eq!(outcome(&nodes, &edges, threads, block_bytes), expected, "{threads} {block_bytes}");
        }
    }
}

/// Chunk sizes that cut the small files of these tests everywhere, and
/// one that reads each whole.
fn chunk_sizes(len: usize) -> impl Iterator<Item = usize> {
    (1..=len + 1).chain([usize::MAX])
}

#[test]
fn chunks_do_not_change_the_graph() {
    let (nodes, edges) = tricky_files();
    let whole = in_memory(&nodes, &edges);
    assert_eq!(whole.lines().filter(|l| l.starts_with("EdgeId")).count(), 5000);
    for (threads, block_bytes) in [(1, usize::MAX), (2, 1), (3, 64), (2, 999)] {
        for chunk_bytes in [1, 7, 100, 4096, 100_000] {
            let chunked = outcome_in_chunks(&nodes, &edges, threads, block_bytes, chunk_bytes);
            assert!(chunked == whole, "{threads} threads, blocks of {block_bytes}, chunks of {chunk_bytes}");
        }
    }
}

#[test]
fn a_quoted_newline_or_comma_across_chunks() {
    let nodes =
        "id,label,name\nA,Model,\"first line\nsecond, line\"\nB,\"Model\",\"x\"\"y\"\n\"C\",Model,plain\n";
    let edges = "src,dst,type,note\nA,B,R,\"a\nb,c\"\nB,C,R,\"\"\"\"\n";
    let whole = in_memory(nodes, edges);
    assert!(whole.contains(r#"String("first line\nsecond, line")"#), "{whole}");
    assert!(whole.contains(r#"String("a\nb,c")"#), "{whole}");
    for chunk_bytes in chunk_sizes(nodes.len().max(edges.len())) {
        for (threads, block_bytes) in [(1, 1), (2, 1), (2, 16), (1, usize::MAX)] {
            let chunked = outcome_in_chunks(nodes, edges, threads, block_bytes, chunk_bytes);
            assert_eq!(chunked, whole, "chunks of {chunk_bytes}, {threads} threads, blocks of {block_bytes}");
        }
    }
}

#[test]
fn a_character_split_by_a_read() {
    let nodes = "id,label,name\n智,Company,智谱AI\n谱,Model,\"智谱 \"\"GLM\"\"\"\n";
    let edges = "src,dst,type\n谱,智,开发\n";
    let whole = in_memory(nodes, edges);
    assert!(whole.contains(r#"String("智谱AI")"#) && whole.contains("开发"), "{whole}");
    for step in [1, 2, 5] {
        for chunk_bytes in chunk_sizes(nodes.len()) {
            let options = Options { threads: 2, block_bytes: 1, chunk_bytes };
            let chunked = load_bytes(nodes.as_bytes(), edges.as_bytes(), options, step);
            assert_eq!(chunked, whole, "reads of {step}, chunks of {chunk_bytes}");
        }
    }
}

#[test]
fn crlf_and_a_byte_order_mark_across_chunks() {
    let nodes = "\u{feff}id,label,year\r\nA,Model,2020\r\n\r\nB,Model,\r\n\"C\",Model,\"2\"\r\n";
    let edges = "\u{feff}src,dst,type\r\nA,B,R\r\nB,C,\"S\"\r\n";
    let whole = in_memory(nodes, edges);
    assert!(!whole.contains('\r') && whole.contains("Int(2020)"), "{whole}");
    assert_eq!(whole.lines().filter(|l| l.starts_with("EdgeId")).count(), 2);
    for step in [1, 3, usize::MAX] {
        for chunk_bytes in chunk_sizes(nodes.len()) {
            let options = Options { threads: 2, block_bytes: 1, chunk_bytes };
            let chunked = load_bytes(nodes.as_bytes(), edges.as_bytes(), options, step);
            assert_eq!(chunked, whole, "reads of {step}, chunks of {chunk_bytes}");
        }
    }
}

#[test]
fn short_and_odd_files_in_chunks() {
    let cases = [
        // No final newline, with and without quotes.
        ("id,label\nA,Model\nB,Model", "src,dst,type\nA,B,R"),
        ("id,label\nA,Model\n\"B\",Model", "src,dst,type\nA,B,\"R\""),
        // Empty, header only, blank lines only, blank lines before the header.
        ("", "src,dst,type\n"),
        ("id,label\n", "src,dst,type"),
        ("\n\r\n\n", "src,dst,type\n"),
        ("\n\r\n\nid,label\nA,\n", "\r\n\nsrc,dst,type\nA,A,R\n"),
        ("\u{feff}", "\u{feff}src,dst,type\n"),
        // A last line of a lone carriage return is blank, quoted or not.
        ("id,label\nA,Model\n\r", "src,dst,type\nA,A,\"R\"\n\r"),
        // Header problems, and an unterminated quote that runs to the end.
        ("id,name\nA,x\n", "src,dst\n"),
        ("id,label\n\"A,Model\nB,Model\n", "src,dst,type\n"),
    ];
    let expected = [
            "2 nodes 1 edges",
            "2 nodes 1 edges",
            "nodes.csv:1: file is empty; expected a header row\n",
            "0 nodes 0 edges",
            "nodes.csv:1: file is empty; expected a header row\n",
            "nodes.csv:5: node 'A' has an empty label\nedges.csv:4: src names unknown node 'A'\nedges.csv:4: dst names unknown node 'A'\n",
            "nodes.csv:1: file is empty; expected a header row\n",
            "1 nodes 1 edges",
            "nodes.csv:1: header lacks required column 'label' (found: id,name)\nedges.csv:1: header lacks required column 'type' (found: src,dst)\n",
            "nodes.csv:2: unterminated quoted field\n",
        ];
    for ((nodes, edges), expected) in cases.into_iter().zip(expected) {
        let whole = in_memory(nodes, edges);
        let counts = load(nodes, edges).map(|g| format!("{} nodes {} edges", g.node_count(), g.edge_count()));
        assert_eq!(counts.unwrap_or_else(|_| whole.clone()), expected, "{nodes:?} {edges:?}");
        for chunk_bytes in chunk_sizes(nodes.len().max(edges.len())) {
            for threads in [1, 2] {
                let chunked = outcome_in_chunks(nodes, edges, threads, 1, chunk_bytes);
                assert_eq!(chunked, whole, "{nodes:?} {edges:?} in chunks of {chunk_bytes}");
            }
        }
    }
}

/// Panics unless the quoted and the unquoted splitter give `text` the same
/// records, rows and errors.
fn assert_splitters_agree(text: &str) {
    let split = |quoted| {
        let mut records = Records::with_quoting(text, quoted);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some((row, parsed)) = records.next_record(&mut fields) {
            out.push((row, parsed, fields.clone()));
        }
        (out, records.row)
    };
    assert_eq!(split(true), split(false), "{text:?}");
}

#[test]
fn the_two_splitters_agree_on_text_without_quotes() {
    let texts =
        ["a,b\r\nc\r,d\r\n\r\n,\r\n,,\n\r\r\n\rx\r", "a\r\n\r", "a,\r", "\r\n\r\n", "x,y,\n\n,", "last\r\r"];
    for text in texts {
        assert_splitters_agree(text);
    }
}

#[test]
fn the_two_splitters_agree_wherever_delimiters_fall_in_a_word() {
    // The unquoted splitter reads eight bytes at a time: commas, newlines
    // and carriage returns land at every offset of a word here, beside
    // multi-byte characters, in records shorter and longer than a word.
    let pieces = [",", "\n", "\r", "\r\n", "a", "bc", "é", "中", "xyzxyzxyz", ",,", "\n\n"];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..2000 {
        let mut text = String::new();
        let len = (state >> 59) as usize + 1;
        for _ in 0..len {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
        }
        assert_splitters_agree(&text);
    }
}

#[test]
fn bytes_equal_marks_exactly_the_equal_bytes() {
    for word in [0u64, u64::MAX, 0x2c0a_2c2c_0a00_ff2c, 0x2d2b_0b09_2c80_7f01, 0x0a2c_2c0a_2c0a_2c0a] {
        for byte in [b',', b'\n', 0, 0xff, 0x80] {
            let naive = word
                .to_le_bytes()
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == byte)
                .fold(0u64, |m, (i, _)| m | 0x80 << (8 * i));
            assert_eq!(super::bytes_equal(word, byte), naive, "{word:#x} {byte:#x}");
        }
    }
}

/// A node file of `rows` rows after the header, with `bad` spliced in
/// before row `at` (1-based, after the header).
fn nodes_with(rows: usize, at: usize, bad: &[u8]) -> Vec<u8> {
    let mut bytes = b"id,label,name\n".to_vec();
    for i in 0..rows {
        if i + 2 == at {
            bytes.extend_from_slice(bad);
        }
        bytes.extend_from_slice(format!("N{i},Model,\"n\ni\"\n").as_bytes());
    }
    bytes
}

/// The error decoding `bytes` whole gives, as the loader did before it
/// read files in chunks.
fn whole_file_error(name: &str, bytes: &[u8]) -> String {
    format!("{}\n", super::super::DataFile::new(name, bytes).text().unwrap_err())
}

#[test]
fn invalid_utf8_in_a_late_chunk_names_its_line() {
    // Rows span two lines, so lines are not rows; a duplicate id before
    // the bad byte is not reported, as the file is not read as text.
    let bad = ["智,Model,\"x".as_bytes(), b"\xFF", b"y\"\n"].concat();
    let mut nodes = nodes_with(300, 250, &bad);
    nodes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
    nodes.extend_from_slice(b"N1,Model,again\n");
    let edges = b"src,dst,type\nN1,N2,R\n";
    let error = whole_file_error("nodes.csv", &nodes);
    // Each row is two lines; the bad one is before row 249.
    assert_eq!(error, "nodes.csv:498: invalid UTF-8 at byte 4132\n");
    let both = format!("{error}edges.csv:2: invalid UTF-8 at byte 18\n");
    let bad_edges = b"src,dst,type\nN1,N2\xE6\x99,R\nN1,N2,R\n";
    assert_eq!(whole_file_error("edges.csv", bad_edges), "edges.csv:2: invalid UTF-8 at byte 18\n");
    for chunk_bytes in [1, 2, 3, 7, 100, 1000, 6400, 6500, usize::MAX] {
        for (threads, step) in [(1, usize::MAX), (2, 1), (2, 4096)] {
            let options = Options { threads, block_bytes: 100, chunk_bytes };
            let at = format!("chunks of {chunk_bytes}, {threads} threads, reads of {step}");
            assert_eq!(load_bytes(&nodes, edges, options, step), error, "{at}");
            assert_eq!(load_bytes(&nodes, bad_edges, options, step), both, "{at}");
            let fine = nodes_with(300, 0, b"");
            let only_edges = whole_file_error("edges.csv", bad_edges);
            assert_eq!(load_bytes(&fine, bad_edges, options, step), only_edges, "{at}");
        }
    }
}

#[test]
fn a_character_cut_short_by_the_end_of_the_file() {
    let nodes = "id,label,name\nA,Model,智谱".as_bytes();
    let nodes = &nodes[..nodes.len() - 1];
    let error = whole_file_error("nodes.csv", nodes);
    assert_eq!(error, "nodes.csv:2: invalid UTF-8 at byte 25\n");
    for chunk_bytes in chunk_sizes(nodes.len()) {
        let options = Options { threads: 1, block_bytes: 1, chunk_bytes };
        assert_eq!(load_bytes(nodes, b"src,dst,type\n", options, 1), error, "chunks of {chunk_bytes}");
    }
}

#[test]
fn errors_in_several_chunks_keep_their_rows() {
    let mut nodes = String::from("id,label,year:int,name\n");
    let mut expected = String::new();
    let mut line = 2;
    for i in 0..400 {
        // Quoted newlines make lines and rows differ.
        let name = if i % 10 == 0 { "\"two\nlines\"" } else { "one" };
        match i % 97 {
            13 => {
                nodes.push_str(&format!("N{i},,1,{name}\n"));
                expected.push_str(&format!("nodes.csv:{line}: node 'N{i}' has an empty label\n"));
            }
            50 => {
                nodes.push_str(&format!("N{i},Model,soon,{name}\n"));
                expected.push_str(&format!("nodes.csv:{line}: column 'year': 'soon' is not an integer\n"));
            }
            _ => nodes.push_str(&format!("N{i},Model,{i},{name}\n")),
        }
        line += if i % 10 == 0 { 2 } else { 1 };
    }
    assert_eq!(expected.lines().count(), 8);
    assert_eq!(in_memory(&nodes, "src,dst,type\n"), expected);
    for chunk_bytes in [1, 10, 100, 1000, 3000] {
        for threads in [1, 2, 3] {
            let chunked = outcome_in_chunks(&nodes, "src,dst,type\n", threads, 50, chunk_bytes);
            assert_eq!(chunked, expected, "chunks of {chunk_bytes}, {threads} threads");
        }
    }
}

#[test]
fn a_failed_read_names_the_file() {
    let options = Options { threads: 2, block_bytes: 16, chunk_bytes: 32 };
    let nodes = nodes_with(100, 0, b"");
    let failed = |nodes: &[u8], fail_nodes: bool| {
        let edges = b"src,dst,type\nN1,N2,R\n".as_slice();
        let (n, e) = if fail_nodes {
            (reader("nodes.csv", Failing(nodes), 0, options), reader("edges.csv", edges, 0, options))
        } else {
            (reader("nodes.csv", nodes, 0, options), reader("edges.csv", Failing(edges), 0, options))
        };
        match super::load(n, e, options) {
            Err(Error::Io { path, source }) => format!("{path}: {source}"),
            other => describe(other),
        }
    };
    assert_eq!(failed(&nodes, true), "nodes.csv: the disk is on fire");
    assert_eq!(failed(&nodes, false), "edges.csv: the disk is on fire");
    // A failed read wins over a bad byte before it, in either file.
    let bad = nodes_with(100, 3, b"\xFF\n");
    assert_eq!(failed(&bad, true), "nodes.csv: the disk is on fire");
    assert_eq!(failed(&bad, false), "edges.csv: the disk is on fire");
    // And over a wrong header, after which the rest is only checked.
    assert_eq!(failed(b"id,name\n", true), "nodes.csv: the disk is on fire");
}

/// A folder of test files, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("aikg-csv-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn files_load_as_text_in_memory_does() {
    let dir = Scratch::new("files");
    let (nodes, edges) = tricky_files();
    let mut bad_edges = edges.clone();
    bad_edges.push_str("N1,Nowhere,R,,\nN1,N2,,,\n");
    for (nodes, edges) in [(&nodes, &edges), (&nodes, &bad_edges)] {
        let (n, e) = (dir.write("n.csv", nodes.as_bytes()), dir.write("e.csv", edges.as_bytes()));
        let names = (n.display().to_string(), e.display().to_string());
        let text = describe(Graph::from_csv_text(&names.0, nodes, &names.1, edges).map_err(Error::from));
        assert!(text.contains("Nowhere") == (edges == &bad_edges), "{text}");
        assert_eq!(describe(Graph::from_csv(&n, &e)), text);
        for chunk_bytes in [1, 100, 10_000] {
            let options = Options { threads: 2, block_bytes: 500, chunk_bytes };
            let open = |path: &std::path::Path, name: &str| {
                let file = std::fs::File::open(path).unwrap();
                let size = file.metadata().unwrap().len() as usize;
                reader(name, file, size, options)
            };
            let chunked = describe(super::load(open(&n, &names.0), open(&e, &names.1), options));
            assert_eq!(chunked, text, "chunks of {chunk_bytes}");
        }
    }
    let missing = dir.0.join("missing.csv");
    let n = dir.write("n.csv", nodes.as_bytes());
    for (nodes, edges) in [(&missing, &n), (&n, &missing)] {
        match Graph::from_csv(nodes, edges) {
            Err(Error::Io { path, .. }) => assert_eq!(path, missing.display().to_string()),
            other => panic!("{:?}", other.map(|g| g.node_count())),
        }
    }
}

#[test]
fn the_error_cap_counts_errors_of_every_block() {
    let mut nodes = String::from("id,label\n");
    for i in 0..500 {
        nodes.push_str(&format!("N{i},Model\nN{i},Model\nE{i},\n"));
    }
    let sequential = outcome(&nodes, "src,dst,type\n", 1, usize::MAX);
    assert!(sequential.ends_with("nodes.csv: 900 more errors not shown\n"), "{sequential}");
    for block_bytes in [1, 30, 1000] {
        assert_eq!(outcome(&nodes, "src,dst,type\n", 2, block_bytes), sequential);
    }
}

#[test]
fn numbers_are_inferred_but_words_stay_strings() {
    assert_eq!(infer("42"), Some(Value::Int(42)));
    assert_eq!(infer("-1.5"), Some(Value::Float(-1.5)));
    assert_eq!(infer("NaN"), None);
    assert_eq!(infer("inf"), None);
    assert_eq!(infer("6.6B"), None);
}
