//! The built-in graph, the graph-data loader and the bulk CSV loader, through
//! the public API.

use std::path::{Path, PathBuf};

use aikg::error::DataErrorKind;
use aikg::{Direction, Error, Graph, Value};

fn node<'g>(g: &'g Graph, key: &str) -> aikg::NodeRef<'g> {
    g.node(g.node_by_key(key).unwrap_or_else(|| panic!("node '{key}' missing from the built-in graph")))
}

/// The other end of every `rel_type` relationship leaving (or entering) `key`.
fn neighbours(g: &Graph, key: &str, rel_type: &str, direction: Direction) -> Vec<String> {
    let mut out: Vec<String> = node(g, key)
        .neighbours(Some(rel_type), direction)
        .unwrap()
        .map(|(_, n)| n.key().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn builtin_graph_is_complete_and_valid() {
    let g = Graph::builtin();
    assert!(g.node_count() >= 400, "only {} nodes", g.node_count());
    assert!(g.edge_count() >= 500, "only {} relationships", g.edge_count());
    let schema = g.schema().expect("the built-in graph carries its schema");
    for (label, count) in g.labels() {
        assert!(schema.has_label(label), "label {label} is not in the schema");
        assert!(count > 0 || label == "Investor", "no node carries {label}");
    }
    for id in g.node_ids() {
        let n = g.node(id);
        for key in ["id", "name", "source"] {
            assert!(n.property(key).and_then(Value::as_str).is_some(), "{:?} lacks {key}", n.key());
        }
    }
    for e in g.edge_ids() {
        let edge = g.edge(e);
        assert!(edge.property("source").is_some(), "{} relationship without source", edge.rel_type());
    }
}

#[test]
fn the_checked_in_folder_is_what_is_embedded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("graph-data");
    let from_disk = Graph::load_dir(&dir).expect("graph-data validates");
    let builtin = Graph::builtin();
    assert_eq!(from_disk.node_count(), builtin.node_count());
    assert_eq!(from_disk.edge_count(), builtin.edge_count());
    assert!(aikg::load::validate_dir(&dir).unwrap().is_empty());
}

#[test]
fn zhipu_profile_funding_and_people() {
    let g = Graph::builtin();
    let zhipu = node(&g, "zhipu-ai");
    assert_eq!(zhipu.property("name_zh"), Some(&Value::from("智谱AI")));
    assert_eq!(zhipu.property("founded"), Some(&Value::Int(2019)));
    assert_eq!(zhipu.property("hq"), Some(&Value::from("Beijing")));
    // B round 2022: co-led by Legend Capital and Qiming.
    let b_round: Vec<(String, Option<bool>)> = zhipu
        .neighbours(Some("INVESTED_IN"), Direction::Incoming)
        .unwrap()
        .filter(|(e, _)| e.property("round") == Some(&Value::from("B")))
        .map(|(e, n)| (n.key().unwrap().to_string(), e.property("lead").and_then(Value::as_bool)))
        .collect();
    assert_eq!(b_round.len(), 2);
    assert!(b_round.contains(&("legend-capital".into(), Some(true))));
    assert!(b_round.contains(&("qiming-venture-partners".into(), Some(true))));
    // A round 2021: ten joint investors, no lead named.
    let a_round = zhipu
        .neighbours(Some("INVESTED_IN"), Direction::Incoming)
        .unwrap()
        .filter(|(e, _)| {
            e.property("round") == Some(&Value::from("A")) && e.property("year") == Some(&Value::Int(2021))
        })
        .count();
    assert_eq!(a_round, 10);
    assert_eq!(neighbours(&g, "zhipu-ai", "FOUNDED_BY", Direction::Outgoing), ["li-juanzi", "tang-jie"]);
    assert_eq!(
        neighbours(&g, "zhipu-ai", "INCUBATED_BY", Direction::Outgoing),
        ["baai", "tsinghua-keg", "tsinghua-university"]
    );
}

#[test]
fn model_lineage_facts() {
    let g = Graph::builtin();
    assert_eq!(node(&g, "gpt-3").property("params_billion"), Some(&Value::Float(175.0)));
    assert_eq!(node(&g, "glm-130b").property("params_billion"), Some(&Value::Float(130.0)));
    assert_eq!(node(&g, "chatglm-6b").property("params_billion"), Some(&Value::Float(6.2)));
    assert_eq!(node(&g, "chatglm-6b").property("open_source"), Some(&Value::Bool(true)));
    // ChatGLM-6B is one GLM-6B model; GLM itself is an architecture-only link.
    let chatglm = node(&g, "chatglm-6b");
    let up: Vec<(String, Option<&Value>)> = chatglm
        .neighbours(Some("BUILT_ON"), Direction::Outgoing)
        .unwrap()
        .map(|(e, n)| (n.key().unwrap().to_string(), e.property("basis")))
        .collect();
    assert!(up.contains(&("glm-6b".into(), None)), "{up:?}");
    assert!(up.contains(&("glm".into(), Some(&Value::from("architecture")))), "{up:?}");
    // Zhipu's Hubble product runs on GLM-130B.
    assert!(neighbours(&g, "glm-130b", "BUILT_ON", Direction::Incoming).contains(&"hubble".to_string()));
    // ChatGPT's lineage reaches GPT-3.5 (overseas section).
    let chatgpt = g.node_by_key("chatgpt").unwrap();
    let ancestors: Vec<_> =
        g.ancestors(chatgpt, &["BUILT_ON"]).unwrap().map(|s| g.node(s.node).key().unwrap()).collect();
    assert!(ancestors.contains(&"gpt-3.5"), "{ancestors:?}");
    // CLIP (appendix) was developed by OpenAI and DALL·E is built on it.
    assert_eq!(neighbours(&g, "clip", "DEVELOPED_BY", Direction::Outgoing), ["openai"]);
    assert!(neighbours(&g, "clip", "BUILT_ON", Direction::Incoming).contains(&"dall-e".to_string()));
}

#[test]
fn startups_investors_and_labs() {
    let g = Graph::builtin();
    // Langboat: incubated by Sinovation; Pre-A 2022 led by Lenovo Capital and Eight Roads.
    assert_eq!(neighbours(&g, "langboat", "INCUBATED_BY", Direction::Outgoing), ["sinovation-ventures"]);
    let pre_a_leads: Vec<String> = node(&g, "langboat")
        .neighbours(Some("INVESTED_IN"), Direction::Incoming)
        .unwrap()
        .filter(|(e, _)| {
            e.property("round") == Some(&Value::from("Pre-A"))
                && e.property("lead") == Some(&Value::Bool(true))
        })
        .map(|(_, n)| n.key().unwrap().to_string())
        .collect();
    assert_eq!(pre_a_leads.len(), 2);
    assert!(pre_a_leads.contains(&"lenovo-capital".to_string()));
    // MiniMax's 2023 A round.
    let minimax = neighbours(&g, "minimax", "INVESTED_IN", Direction::Incoming);
    for investor in ["hillhouse-capital", "mihoyo"] {
        assert!(minimax.contains(&investor.to_string()), "{minimax:?}");
    }
    // Tsinghua's institute is part of the university; spin-outs hang off its labs.
    assert!(neighbours(&g, "tsinghua-iai", "PART_OF", Direction::Outgoing)
        .contains(&"tsinghua-university".into()));
    assert_eq!(
        neighbours(&g, "lingxin-ai", "INCUBATED_BY", Direction::Outgoing),
        ["tsinghua-coai", "tsinghua-university"]
    );
    assert!(neighbours(&g, "modelbest", "INVESTED_IN", Direction::Incoming).contains(&"zhipu-ai".into()));
}

#[test]
fn names_resolve_loosely() {
    let g = Graph::builtin();
    let zhipu = g.node_by_key("zhipu-ai").unwrap();
    for name in ["zhipu ai", "Zhipu-AI", "智谱AI", "智谱 AI", "北京智谱华章科技有限公司", "ＺＨＩＰＵ ＡＩ"]
    {
        assert_eq!(g.resolve(name).ok(), Some(zhipu), "{name}");
    }
    match g.resolve("zhipuu") {
        Err(Error::NotFound { suggestions, .. }) => {
            assert!(suggestions.iter().any(|s| s.contains("Zhipu")), "{suggestions:?}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn shortest_path_between_sections() {
    let g = Graph::builtin();
    let (a, b) = (g.resolve("ChatGLM-6B").unwrap(), g.resolve("清华大学").unwrap());
    let path = g.shortest_path(a, b, &[], Direction::Both).unwrap().expect("connected");
    assert_eq!(path.nodes.first(), Some(&a));
    assert_eq!(path.nodes.last(), Some(&b));
    assert!((2..=4).contains(&path.len()), "{} hops", path.len());
}

/// A scratch folder under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("aikg-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn load_dir_reports_each_error_kind_with_file_and_line() {
    let dir = Scratch::new("errors");
    dir.write(
        "nodes/a.jsonl",
        concat!(
            r#"{"id":"m1","labels":["Model"],"name":"M1","source":"s"}"#,
            "\n",
            r#"{"id":"c2","labels":["Company"],"name":"C2","source":"s","founded":"1999"}"#,
            "\n",
            r#"{"id":"p1","labels":["Persn"],"name":"P1","source":"s"}"#,
            "\n",
            r#"{"id":"c1","labels":["Company"],"name":"C1","source":"s"}"#,
            "\n",
        ),
    );
    dir.write(
        "nodes/b.jsonl",
        concat!(r#"{"id":"m1","labels":["Model"],"source":"s"}"#, "\n", "{not json\n"),
    );
    dir.write(
        "relations/r.jsonl",
        concat!(
            r#"{"type":"BUILT_ON","src":"m1","dst":"c1","source":"s"}"#,
            "\n",
            r#"{"type":"DEVELOPED_BY","src":"m2","dst":"c1","source":"s"}"#,
            "\n",
            r#"{"type":"DEVELOPED_BY","src":"m1","dst":"c1","source":"s","colour":"red"}"#,
            "\n",
        ),
    );
    let err = match Graph::load_dir(&dir.0) {
        Err(Error::Load(e)) => e,
        other => panic!("expected a load error, got {other:?}"),
    };
    let got: Vec<(String, usize, DataErrorKind)> =
        err.errors.iter().map(|e| (e.location.file.clone(), e.location.line, e.kind)).collect();
    let expected = [
        ("nodes/a.jsonl", 2, DataErrorKind::InvalidProperty),
        ("nodes/a.jsonl", 3, DataErrorKind::UnknownName),
        ("nodes/b.jsonl", 1, DataErrorKind::MissingProperty),
        ("nodes/b.jsonl", 1, DataErrorKind::DuplicateId),
        ("nodes/b.jsonl", 2, DataErrorKind::Malformed),
        ("relations/r.jsonl", 1, DataErrorKind::ForbiddenEndpoint),
        ("relations/r.jsonl", 2, DataErrorKind::UnknownNode),
        ("relations/r.jsonl", 3, DataErrorKind::UnknownProperty),
    ];
    let expected: Vec<(String, usize, DataErrorKind)> =
        expected.iter().map(|(f, l, k)| (f.to_string(), *l, *k)).collect();
    assert_eq!(got, expected, "{err}");
    let text = err.to_string();
    assert!(text.starts_with("graph data has 8 errors\n"), "{text}");
    assert!(
        text.contains("relations/r.jsonl:2: src names unknown node 'm2'; did you mean 'c2' or 'm1'?"),
        "{text}"
    );
}

#[test]
fn load_dir_rejects_a_missing_or_empty_folder() {
    assert!(matches!(Graph::load_dir("/definitely/not/here"), Err(Error::Io { .. })));
    let dir = Scratch::new("empty");
    assert!(matches!(Graph::load_dir(&dir.0), Err(Error::Load(_))));
}

#[test]
fn csv_load_of_a_generated_10k_graph() {
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen.py");
    if !gen.exists() {
        eprintln!("skipping: {} not found", gen.display());
        return;
    }
    let dir = Scratch::new("csv10k");
    let status = std::process::Command::new("python3")
        .arg(&gen)
        .args(["--nodes", "10000", "--seed", "42", "--out"])
        .arg(&dir.0)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success());
    let g = Graph::from_csv(dir.0.join("nodes.csv"), dir.0.join("edges.csv")).expect("generated CSV loads");
    let params: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join("params.json")).unwrap()).unwrap();
    let stats = &params["stats"];
    assert_eq!(g.node_count() as u64, stats["nodes"].as_u64().unwrap());
    assert_eq!(g.edge_count() as u64, stats["edges"].as_u64().unwrap());
    for (label, count) in g.labels() {
        assert_eq!(count as u64, stats["labels"][label].as_u64().unwrap(), "{label}");
    }
    for (rel_type, count) in g.rel_types() {
        assert_eq!(count as u64, stats["types"][rel_type].as_u64().unwrap(), "{rel_type}");
    }
    let q1 = g.node(g.node_by_key(params["q1_id"].as_str().unwrap()).unwrap());
    assert!(q1.has_label(g.label("Model").unwrap()));
    assert!(matches!(q1.property("params"), Some(Value::Float(_)) | Some(Value::Int(_))));
}

/// Issue 18: a typo in a relationship type or label on the typed API is an
/// error with a suggestion, as the same typo in a query is a warning.
#[test]
fn issue_18_typed_api_mistakes_are_not_silent() {
    let g = Graph::builtin();
    let chatglm = g.resolve("ChatGLM-6B").unwrap();
    let suggested = |e: Error| match e {
        Error::UnknownRelType { suggestions, .. } | Error::UnknownLabel { suggestions, .. } => suggestions,
        other => panic!("expected an unknown-name error, got {other}"),
    };
    let Err(e) = g.node(chatglm).neighbours(Some("BUILT_0N"), Direction::Outgoing) else {
        panic!("accepted")
    };
    assert_eq!(suggested(e), ["BUILT_ON"]);
    assert_eq!(suggested(g.ancestors(chatglm, &["built_on"]).unwrap_err()), ["BUILT_ON"]);
    assert_eq!(suggested(g.descendants(chatglm, &["BUILT_0N"]).unwrap_err()), ["BUILT_ON"]);
    assert!(g.shortest_path(chatglm, chatglm, &["NOPE"], Direction::Both).is_err());
    assert_eq!(suggested(g.label("Compny").unwrap_err()), ["Company"]);
    // The right names still walk.
    assert!(g.ancestors(chatglm, &["BUILT_ON"]).unwrap().count() > 0);

    // Row getters say why a value is missing, on lent rows too.
    let params = aikg::Params::from([("id", "chatglm-6b")]);
    g.for_each_row("MATCH (m:Model {id: $id}) RETURN m.name AS name, m.nope AS nope", &params, |row| {
        assert_eq!(row.try_get::<&str>("name"), Ok("ChatGLM-6B"));
        assert!(matches!(row.try_get::<&str>("nmae"), Err(aikg::GetError::MissingColumn { .. })));
        assert!(matches!(row.try_get::<&str>("nope"), Err(aikg::GetError::Null { .. })));
        assert!(matches!(row.try_get::<i64>("name"), Err(aikg::GetError::WrongType { found: "String", .. })));
    })
    .unwrap();
}
