//! The example programs, run as a user runs them (`cargo run --example`),
//! checked for the facts from the built-in graph that their answers must
//! contain. The checks name facts, never whole outputs, so the layout can
//! change freely.

use std::process::Command;

use aikg::{Direction, Graph};

#[path = "support/closed_pipe.rs"]
mod closed_pipe;

/// What one run of an example printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The first line holding every one of `needles`.
    fn line_with(&self, needles: &[&str]) -> Option<&str> {
        self.stdout.lines().find(|line| needles.iter().all(|n| line.contains(n)))
    }

    /// Panics, showing the whole output, unless some line holds all `needles`.
    fn expect_line(&self, needles: &[&str]) -> &str {
        self.line_with(needles)
            .unwrap_or_else(|| panic!("no line with all of {needles:?} in:\n{}", self.stdout))
    }
}

impl Run {
    /// Panics unless a line holding all of `item` sits under (indented more
    /// than, with no less indented line between) a line holding all of
    /// `heading`.
    fn expect_under(&self, heading: &[&str], item: &[&str]) {
        let lines: Vec<&str> = self.stdout.lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        let found =
            lines.iter().enumerate().filter(|(_, l)| heading.iter().all(|n| l.contains(n))).any(|(i, h)| {
                lines[i + 1..]
                    .iter()
                    .take_while(|l| indent(l) > indent(h))
                    .any(|l| item.iter().all(|n| l.contains(n)))
            });
        assert!(found, "no line with all of {item:?} under one with all of {heading:?} in:\n{}", self.stdout);
    }
}

/// The command that runs an example as `cargo run --example name -- args`
/// would. `cargo test` has already built the examples beside the `aikg`
/// binary, so the binary is run directly; `cargo run` is the fallback when
/// it is missing.
fn command(name: &str, args: &[&str]) -> Command {
    let built = std::path::Path::new(env!("CARGO_BIN_EXE_aikg"))
        .parent()
        .map(|dir| dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX)));
    let mut cmd = match built {
        Some(path) if path.exists() => Command::new(path),
        _ => {
            let mut cmd = Command::new(env!("CARGO"));
            cmd.args(["run", "--quiet", "--example", name]);
            if !cfg!(debug_assertions) {
                cmd.arg("--release");
            }
            cmd.arg("--");
            cmd
        }
    };
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs an example and collects what it printed.
fn run(name: &str, args: &[&str]) -> Run {
    let out = command(name, args).output().unwrap_or_else(|e| panic!("cannot start example {name}: {e}"));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs an example that must succeed.
fn run_ok(name: &str, args: &[&str]) -> Run {
    let run = run(name, args);
    assert_eq!(run.code, Some(0), "{name} {args:?} failed:\n{}\n{}", run.stdout, run.stderr);
    run
}

/// Runs an example on an unknown name: status 1 and a did-you-mean naming
/// `suggestion` (in any of its spellings: `zhipu-ai` and `Zhipu AI` meet).
fn expect_did_you_mean(name: &str, args: &[&str], suggestion: &str) {
    let run = run(name, args);
    assert_eq!(run.code, Some(1), "{name} {args:?}:\n{}\n{}", run.stdout, run.stderr);
    let loose = |s: &str| s.to_lowercase().replace([' ', '-'], "");
    assert!(
        run.stderr.contains("did you mean") && loose(&run.stderr).contains(&loose(suggestion)),
        "{name} {args:?}: no did-you-mean for '{suggestion}' in:\n{}",
        run.stderr
    );
}

#[test]
fn glm_family_shows_upstream_and_downstream() {
    let run = run_ok("glm_family", &[]);
    run.expect_line(&["GLM-130B", "130B parameters", "open source"]);
    run.expect_line(&["developed by", "Zhipu AI 智谱AI", "知识工程实验室"]);
    run.expect_line(&["ChatGLM-6B", "6.2B parameters"]);
    // GLM itself is only the architecture; GLM-6B is ChatGLM-6B's actual base.
    run.expect_line(&["GLM 通用语言模型", "architecture only"]);
    run.expect_line(&["GLM-6B", "weights / fine-tune", "by Zhipu AI"]);
    // BestSign's Hubble is built on GLM-130B, by both companies.
    run.expect_under(&["built on it"], &["Hubble 哈勃", "Product", "BestSign 上上签", "Zhipu AI 智谱AI"]);
}

#[test]
fn tsinghua_spinouts_map_labs_companies_models_and_investors() {
    let run = run_ok("tsinghua_spinouts", &[]);
    assert!(run.stdout.starts_with("Tsinghua University 清华大学\n"), "{}", run.stdout);
    // Labs found transitively: KEG sits inside the AI institute.
    run.expect_line(&["Institute for Artificial Intelligence", "清华大学人工智能研究院"]);
    run.expect_line(&["Tsinghua Knowledge Engineering Group (KEG)"]);
    run.expect_line(&["Tsinghua CoAI group"]);
    for company in [
        "Zhipu AI 智谱AI",
        "ModelBest 面壁智能",
        "Lingxin AI 聆心智能",
        "DeepLang 深言科技",
        "PowerLaw 幂律智能",
        "Recurrent AI 循环智能",
    ] {
        run.expect_line(&[company, "incubated by"]);
    }
    run.expect_line(&["models", "CPM-Bee"]);
    run.expect_line(&["models", "OPD"]);
    run.expect_line(&["2023", "Angel", "Zhihu 知乎", "lead"]);
    run.expect_line(&["2022", "B", "Legend Capital 君联资本", "lead"]);
    run.expect_line(&["2022", "Seed", "MiraclePlus 奇绩创坛"]);
}

#[test]
fn investor_overlap_finds_zhipu_backing_other_spinouts() {
    let run = run_ok("investor_overlap", &[]);
    run.expect_line(&["Zhipu AI 智谱AI", "4 companies"]);
    run.expect_line(&["ModelBest 面壁智能", "Angel", "2023"]);
    run.expect_line(&["Lingxin AI 聆心智能", "Angel", "2022"]);
    run.expect_line(&["PowerLaw 幂律智能"]);
    run.expect_line(&["store API walk finds the same 1 investor"]);
    // Follow-on rounds, in year order.
    run.expect_line(&["MiraclePlus 奇绩创坛", "DeepLang 深言科技", "Seed 2022 → A 2023"]);
    run.expect_line(&["Sinovation Ventures 创新工场", "Langboat 澜舟科技", "Pre-A 2022 → Pre-A+ 2023"]);
}

#[test]
fn cross_lineage_finds_models_built_on_other_companies_models() {
    let run = run_ok("cross_lineage", &[]);
    run.expect_under(&["GPT-4", "by OpenAI"], &["← Bing", "by Microsoft 微软"]);
    run.expect_under(&["GLM-130B", "Zhipu AI"], &["← Hubble 哈勃", "by BestSign 上上签"]);
    run.expect_under(&["CPM-Bee", "by ModelBest"], &["← Zhihu Search Aggregation", "by Zhihu 知乎"]);
    run.expect_under(&["Transformer", "Google"], &["← CLIP", "by OpenAI"]);
    // In-house lineage is not cross-company: Baidu's own products on Wenxin.
    assert!(run.line_with(&["ERNIE Bot"]).is_none(), "{}", run.stdout);
    run.expect_line(&["store API walk finds the same"]);
    // Each section's count is of its own links; plans are counted apart and
    // each carries its status.
    let g = Graph::builtin();
    let statuses: Vec<String> =
        g.edge_ids().filter_map(|e| aikg::lineage::status(g.edge(e)).map(|s| format!("[{s}]"))).collect();
    let mut sections = 0;
    for (i, heading) in run.stdout.lines().enumerate().filter(|(_, l)| l.ends_with(" links")) {
        sections += 1;
        let count: usize =
            heading.rsplit(": ").next().and_then(|n| n.trim_end_matches(" links").parse().ok()).unwrap();
        let links: Vec<&str> = run
            .stdout
            .lines()
            .skip(i + 1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.contains("← "))
            .collect();
        assert_eq!(links.len(), count, "{heading}\n{}", run.stdout);
        let planned = heading.starts_with("Planned");
        for link in links {
            assert_eq!(
                statuses.iter().any(|s| link.ends_with(s.as_str())),
                planned,
                "{link}\n{}",
                run.stdout
            );
        }
    }
    assert!(sections >= 2, "{}", run.stdout);

    let openai = run_ok("cross_lineage", &["OpenAI"]);
    openai.expect_under(&["GPT-4", "by OpenAI"], &["← Bing", "by Microsoft 微软"]);
    assert!(openai.line_with(&["Hubble"]).is_none(), "{}", openai.stdout);
    expect_did_you_mean("cross_lineage", &["OpenIA"], "OpenAI");
}

#[test]
fn funding_timeline_lists_rounds_in_order() {
    let run = run_ok("funding_timeline", &[]);
    run.expect_line(&["Zhipu AI 智谱AI", "founded 2019"]);
    let a = run.expect_line(&["2021", "round A", "过亿元"]);
    let b = run.expect_line(&["2022", "round B", "数亿元人民币"]);
    let pos = |line: &str| run.stdout.find(line).unwrap_or(usize::MAX);
    assert!(pos(a) < pos(b), "round A must come before round B:\n{}", run.stdout);
    run.expect_line(&["Legend Capital 君联资本", "lead"]);
    run.expect_line(&["Qiming Venture Partners 启明创投", "lead"]);
    run.expect_line(&["Fortune Capital 达晨财智"]);

    // Chinese names resolve too.
    let modelbest = run_ok("funding_timeline", &["面壁智能"]);
    modelbest.expect_line(&["ModelBest 面壁智能"]);
    modelbest.expect_line(&["2023", "round Angel"]);
    modelbest.expect_line(&["Zhihu 知乎", "lead"]);

    expect_did_you_mean("funding_timeline", &["Zhipu AJ"], "Zhipu AI");
}

#[test]
fn connect_explains_a_shortest_path_both_ways() {
    let g = Graph::builtin();
    for (from, to) in [("ChatGLM-6B", "清华大学"), ("君联资本", "CogVideo")] {
        let (a, b) = (g.resolve(from).unwrap(), g.resolve(to).unwrap());
        let len = g.shortest_path(a, b, &[], Direction::Both).unwrap().expect("connected").len();
        let args: &[&str] = if from == "ChatGLM-6B" { &[] } else { &[from, to] };
        let run = run_ok("connect", args);
        let hops = format!("shortest path: {len} hop");
        run.expect_line(&[&hops, "Graph::shortest_path"]);
        run.expect_line(&[&hops, "shortestPath"]);
        // One explained hop per relationship, printed for each of the two answers.
        let arrows = run.stdout.lines().filter(|l| l.contains("→  ") || l.contains("─  ")).count();
        assert_eq!(arrows, 2 * len, "{}", run.stdout);
    }
    let default = run_ok("connect", &[]);
    default.expect_line(&["DEVELOPED_BY→", "Zhipu AI 智谱AI"]);
    default.expect_line(&["INCUBATED_BY→", "Tsinghua University 清华大学"]);
    expect_did_you_mean("connect", &["ChatGLM-6B", "Tsinghau University"], "Tsinghua University");
}

/// Issue 18: `cargo run --example cross_lineage | head -1` exited 101 with
/// a panic; a reader that stops early is no error.
#[cfg(unix)]
#[test]
fn issue_18_examples_end_quietly_when_the_reader_stops() {
    for name in [
        "connect",
        "cross_lineage",
        "funding_timeline",
        "glm_family",
        "investor_overlap",
        "tsinghua_spinouts",
    ] {
        closed_pipe::run_closed(command(name, &[]), "").assert_clean(name);
    }
    // The bench harness's engine, on a graph of two nodes and no query
    // files: it still prints its RESULT line and a line per query.
    let dir = std::env::temp_dir().join(format!("aikg-examples-{}-peer", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    std::fs::write(dir.join("nodes.csv"), "id,label,name\na,Model,A\nb,Model,B\n").expect("write nodes");
    std::fs::write(dir.join("edges.csv"), "src,dst,type\na,b,BUILT_ON\n").expect("write edges");
    std::fs::write(dir.join("params.json"), "{}").expect("write params");
    let data = dir.display().to_string();
    let missing = dir.join("no-queries").display().to_string();
    closed_pipe::run_closed(command("peer_bench", &[&data, "--queries", &missing]), "")
        .assert_clean("peer_bench");
    let _ = std::fs::remove_dir_all(&dir);
}
