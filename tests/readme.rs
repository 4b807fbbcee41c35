//! The README's command output is true: every fenced block in README.md
//! whose first line starts with `$ aikg ` is run against the built binary
//! on the built-in graph, and what it prints must match the block.
//!
//! The rules for reading a block:
//! - A line starting with `$ ` starts a command. The command is split into
//!   arguments as a POSIX shell would (single quotes, double quotes with
//!   `\` escapes, `\` outside quotes); a `#` starting a word outside quotes
//!   begins a comment. While a quote is open the command continues on the
//!   next line (the newline is part of the argument, as in a shell); the
//!   first line after the command's last closes its quotes is output.
//! - A comment `# exit code N` states the exit status; otherwise it is 0.
//! - The output runs to the next `$ ` line or the end of the block, blank
//!   lines before the next command aside. It is what the command writes to
//!   standard error followed by what it writes to standard output (warnings
//!   and errors go to standard error, and the README shows them first).
//! - A line `...` in the output (spaces around it aside, so that it can
//!   sit indented in a table) stands for any number of lines, none
//!   included. Lines are compared after trimming trailing spaces.

use std::process::Command;

/// One `$ aikg ...` command from the README and what it should print.
#[derive(Debug)]
struct Example {
    /// The README line the command starts on, for messages.
    line: usize,
    args: Vec<String>,
    exit_code: i32,
    output: Vec<String>,
}

/// Splits `text` into shell words. Returns the words, the comment after
/// them if any, and whether a quote is still open at the end.
fn shell_words(text: &str) -> (Vec<String>, Option<String>, bool) {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') if chars.peek().is_some_and(|n| matches!(n, '"' | '\\' | '$' | '`')) => {
                word.get_or_insert_with(String::new).extend(chars.next());
            }
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '\\') => {
                // A backslash before a newline joins the lines.
                match chars.next() {
                    Some('\n') | None => {}
                    Some(n) => word.get_or_insert_with(String::new).push(n),
                }
            }
            (None, '#') if word.is_none() => {
                return (words, Some(chars.collect::<String>().trim().to_string()), false);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    (words, None, quote.is_some())
}

/// The `$ aikg` examples in `readme`, in order.
fn examples(readme: &str) -> Vec<Example> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let opens = lines[i].trim_start().starts_with("```");
        i += 1;
        if !opens || !lines.get(i).is_some_and(|l| l.starts_with("$ aikg ")) {
            if opens {
                // Skip the block's body and its closing fence.
                while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                    i += 1;
                }
                i += 1;
            }
            continue;
        }
        let end = (i..lines.len()).find(|&j| lines[j].trim_start().starts_with("```")).unwrap_or(lines.len());
        while i < end {
            assert!(lines[i].starts_with("$ "), "README.md:{}: expected a `$ ` command line", i + 1);
            let start = i;
            let mut text = lines[i][2..].to_string();
            let (mut words, mut comment, mut open) = shell_words(&text);
            while open && i + 1 < end {
                i += 1;
                text.push('\n');
                text.push_str(lines[i]);
                (words, comment, open) = shell_words(&text);
            }
            assert!(!open, "README.md:{}: a quote is never closed", start + 1);
            i += 1;
            let mut output = Vec::new();
            while i < end && !lines[i].starts_with("$ ") {
                output.push(lines[i].trim_end().to_string());
                i += 1;
            }
            while output.last().is_some_and(String::is_empty) {
                output.pop();
            }
            let exit_code = comment
                .as_deref()
                .and_then(|c| c.strip_prefix("exit code "))
                .map_or(0, |n| n.trim().parse().expect("an exit code is a number"));
            assert_eq!(words.first().map(String::as_str), Some("aikg"), "README.md:{}", start + 1);
            out.push(Example { line: start + 1, args: words[1..].to_vec(), exit_code, output });
        }
        i = end + 1;
    }
    out
}

/// Whether `actual` matches `expected`, where a `...` line in `expected`
/// stands for any number of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((dots, rest)) if dots.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((line, rest)) => actual.first() == Some(line) && matches(rest, &actual[1..]),
    }
}

#[test]
fn shell_words_split_as_a_shell_would() {
    let (words, comment, open) = shell_words(r#"aikg query "a 'b' \"c\"" 'd "e"' f\ g   # exit code 1"#);
    assert_eq!(words, ["aikg", "query", r#"a 'b' "c""#, r#"d "e""#, "f g"]);
    assert_eq!(comment.as_deref(), Some("exit code 1"));
    assert!(!open);
    let (words, _, open) = shell_words("aikg query \"MATCH (n)\n  RETURN n\"");
    assert_eq!(words[2], "MATCH (n)\n  RETURN n");
    assert!(!open);
    assert!(shell_words("aikg query \"MATCH").2);
    assert_eq!(shell_words("aikg a#b").0, ["aikg", "a#b"]);
}

#[test]
fn dots_stand_for_any_lines() {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(matches(&v(&["a", "...", "d"]), &v(&["a", "b", "c", "d"])));
    assert!(matches(&v(&["a", " ...", "b"]), &v(&["a", "b"])));
    assert!(!matches(&v(&["a", "...", "d"]), &v(&["a", "b"])));
    assert!(!matches(&v(&["a"]), &v(&["a", "b"])));
}

#[test]
fn readme_commands_print_what_the_readme_shows() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md reads");
    let examples = examples(&readme);
    assert!(examples.len() >= 8, "found only {} `$ aikg` examples: {examples:?}", examples.len());
    let mut failures = Vec::new();
    for example in &examples {
        let out = Command::new(env!("CARGO_BIN_EXE_aikg"))
            .args(&example.args)
            .current_dir(root)
            .env("AIKG_HISTORY", "")
            .output()
            .expect("the aikg binary runs");
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
        let actual: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        let code = out.status.code().unwrap_or(-1);
        if code != example.exit_code || !matches(&example.output, &actual) {
            failures.push(format!(
                "README.md:{}: aikg {:?} (exit {code}, README says {}) printed:\n{}\nbut the README shows:\n{}",
                example.line,
                example.args,
                example.exit_code,
                actual.join("\n"),
                example.output.join("\n"),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
