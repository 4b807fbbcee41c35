//! `=~`: openCypher's regular-expression match, on the `regex` crate.
//!
//! The whole string must match, as in Neo4j (Java's `String.matches`), so a
//! pattern is anchored at both ends. A pattern written as a string literal is
//! compiled once, when the query is planned, and a bad one is a compile-time
//! error with a caret; a pattern that is computed is compiled per row.
//! Patterns come from query text and parameters, which a remote client may
//! choose, so compiled programs are capped in size: a pattern that would
//! blow up (`(a{1000}){1000}`) is refused instead of eating memory.

use std::fmt;
use std::sync::Arc;

/// Longest pattern text accepted, in bytes.
const MAX_PATTERN_LEN: usize = 16 * 1024;
/// Cap on the compiled program and on the lazy DFA's cache, in bytes.
const SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// A compiled, anchored pattern; cheap to clone.
#[derive(Clone)]
pub struct Pattern {
    regex: Arc<regex::Regex>,
    source: Arc<str>,
}

impl Pattern {
    /// Compiles `source` for a whole-string match; the error is a lowercase
    /// message without location (the caller knows the span).
    pub fn new(source: &str) -> Result<Pattern, String> {
        if source.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "invalid regular expression: longer than {MAX_PATTERN_LEN} bytes ({} bytes)",
                source.len()
            ));
        }
        let anchored = format!("^(?:{source})$");
        regex::RegexBuilder::new(&anchored)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(SIZE_LIMIT)
            .build()
            .map(|regex| Pattern { regex: Arc::new(regex), source: source.into() })
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(limit) => format!(
                    "invalid regular expression: its compiled form exceeds the limit of {limit} bytes"
                ),
                other => {
                    // The crate's message spans several lines with its own
                    // caret over the anchored text; its last line says what.
                    let text = other.to_string();
                    let what = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
                    format!("invalid regular expression: {}", what.trim_start_matches("error: "))
                }
            })
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_whole_string() {
        let p = Pattern::new("GLM.*").unwrap();
        assert!(p.matches("GLM-130B"));
        assert!(!p.matches("ChatGLM-6B"), "a match must start at the beginning");
        let p = Pattern::new("a|b").unwrap();
        assert!(p.matches("a") && p.matches("b") && !p.matches("ab"), "alternation stays inside the anchors");
        assert!(Pattern::new("(?i)智谱.*").unwrap().matches("智谱AI"));
    }

    #[test]
    fn refuses_bad_and_oversized_patterns() {
        let err = Pattern::new("a(").unwrap_err();
        assert!(err.starts_with("invalid regular expression: "), "{err}");
        assert!(!err.contains('\n'), "{err}");
        let err = Pattern::new("(a{1000}){1000}").unwrap_err();
        assert!(err.contains("exceeds the limit"), "{err}");
        assert!(Pattern::new(&"a".repeat(MAX_PATTERN_LEN + 1)).unwrap_err().contains("longer than"));
    }
}
