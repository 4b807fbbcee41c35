//! The name and alias index, and the normalisation that lets loosely typed
//! names meet.

use indexmap::IndexMap;

use crate::model::{NodeId, Value};

use super::Graph;

/// Normalises a name for lookup: full-width forms become half-width,
/// letters become lower case, and spaces, hyphens, underscores, dots and
/// middle dots are dropped. `"Zhipu-AI"`, `"zhipu ai"` and `"ＺＨＩＰＵ　ＡＩ"`
/// all become `"zhipuai"`.
pub(crate) fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        };
        if c.is_whitespace() || matches!(c, '-' | '_' | '.' | '·' | '・' | '‧') {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Normalised name → nodes, plus the display names used for suggestions.
#[derive(Debug, Default, Clone)]
pub(super) struct NameIndex {
    map: IndexMap<String, Vec<NodeId>>,
    /// For each key in `map`, the name as first written.
    display: Vec<String>,
}

impl NameIndex {
    pub(super) fn build(graph: &Graph) -> NameIndex {
        let mut index = NameIndex::default();
        let keys: Vec<_> = ["name", "name_zh", "aliases", "id"].iter().map(|k| graph.key_id(k)).collect();
        for node in graph.node_ids() {
            for key in keys.iter().flatten() {
                match graph.node_property(node, *key) {
                    Some(Value::String(s)) => index.add(s, node),
                    Some(Value::List(items)) => {
                        for item in items {
                            if let Value::String(s) = item {
                                index.add(s, node);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        index
    }

    fn add(&mut self, name: &str, node: NodeId) {
        let key = normalize_name(name);
        if key.is_empty() {
            return;
        }
        let entry = self.map.entry(key);
        if let indexmap::map::Entry::Vacant(_) = entry {
            self.display.push(name.to_string());
        }
        let nodes = entry.or_default();
        if !nodes.contains(&node) {
            nodes.push(node);
        }
    }

    pub(super) fn lookup(&self, key: &str) -> &[NodeId] {
        self.map.get(key).map_or(&[], Vec::as_slice)
    }

    /// Up to `max` display names whose normalised form is close to `key`:
    /// edit distance within a third of the length, or sharing a prefix.
    pub(super) fn suggest(&self, key: &str, max: usize) -> Vec<String> {
        if key.is_empty() {
            return Vec::new();
        }
        let limit = (key.chars().count() / 3).max(1);
        let mut scored: Vec<(usize, &str)> = self
            .map
            .keys()
            .enumerate()
            .filter_map(|(i, candidate)| {
                let d = edit_distance(key, candidate);
                let prefix = candidate.starts_with(key) || key.starts_with(candidate.as_str());
                (d <= limit || (prefix && key.chars().count() >= 3)).then_some((d, self.display[i].as_str()))
            })
            .collect();
        scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, name) in scored {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
            if out.len() == max {
                break;
            }
        }
        out
    }
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to `max` candidates close to `word` (case-insensitive edit distance
/// within a third of its length), best first.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<String> {
    let w = word.to_lowercase();
    let limit = (w.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(&w, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(max).map(|(_, c)| c.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_width_case_and_separators() {
        assert_eq!(normalize_name("Zhipu-AI"), "zhipuai");
        assert_eq!(normalize_name(" zhipu  ai "), "zhipuai");
        assert_eq!(normalize_name("ＺＨＩＰＵ　ＡＩ"), "zhipuai");
        assert_eq!(normalize_name("智谱ＡＩ"), "智谱ai");
        assert_eq!(normalize_name("DALL·E 2"), "dalle2");
    }

    #[test]
    fn distance_and_closest() {
        assert_eq!(edit_distance("persn", "person"), 1);
        assert_eq!(closest("Persn", ["Person", "Company", "Model"], 3), vec!["Person"]);
        assert!(closest("Xyzzy", ["Person"], 3).is_empty());
    }
}
