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

    /// The bytes the index holds, for `Graph::memory_usage`.
    pub(super) fn heap_bytes(&self) -> usize {
        super::memory::index_map_bytes(&self.map)
            + self
                .map
                .iter()
                .map(|(k, nodes)| k.capacity() + nodes.capacity() * size_of::<NodeId>())
                .sum::<usize>()
            + self.display.capacity() * size_of::<String>()
            + self.display.iter().map(String::capacity).sum::<usize>()
    }

    pub(super) fn lookup(&self, key: &str) -> &[NodeId] {
        self.map.get(key).map_or(&[], Vec::as_slice)
    }

    /// Up to `max` display names for `key`, at most one per node, best
    /// first: names that start with `key`, then names that contain it
    /// (shortest first in both), then names within an edit distance of a
    /// third of its length or that `key` starts with. Prefixes and
    /// containment matter most for Chinese, where a partial name (`孟子`
    /// for `孟子大模型`) is one or two characters from many names yet
    /// shares none of the edits that make a typo.
    pub(super) fn suggest(&self, key: &str, max: usize) -> Vec<String> {
        if key.is_empty() {
            return Vec::new();
        }
        let len = key.chars().count();
        // One Latin letter is in half of all names; one Chinese character
        // is already a word.
        let partial = len >= 2 || !key.is_ascii();
        let limit = (len / 3).max(1);
        let mut scored: Vec<(u8, usize, &str, &[NodeId])> = self
            .map
            .iter()
            .enumerate()
            .filter_map(|(i, (candidate, nodes))| {
                let extra = candidate.chars().count().abs_diff(len);
                let (tier, score) = if partial && candidate.starts_with(key) {
                    (0, extra)
                } else if partial && candidate.contains(key) {
                    (1, extra)
                } else {
                    let d = edit_distance(key, candidate);
                    let longer = len >= 3 && key.starts_with(candidate.as_str());
                    if d > limit && !longer {
                        return None;
                    }
                    (2, d)
                };
                Some((tier, score, self.display[i].as_str(), nodes.as_slice()))
            })
            .collect();
        scored.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        let mut out: Vec<String> = Vec::new();
        let mut covered: Vec<NodeId> = Vec::new();
        for (_, _, name, nodes) in scored {
            if nodes.iter().all(|n| covered.contains(n)) || out.iter().any(|n| n == name) {
                continue;
            }
            covered.extend_from_slice(nodes);
            out.push(name.to_string());
            if out.len() == max {
                break;
            }
        }
        out
    }
}

/// Edit distance over characters, counting the swap of two neighbours
/// as one edit (optimal string alignment): `Modle` is one typo from
/// `Model`, not two.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the distance table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && *ca == b[j - 1] && a[i - 1] == *cb {
                cur[j + 1] = cur[j + 1].min(before[j - 1] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
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
        assert_eq!(edit_distance("modle", "model"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(closest("Modle", ["Company", "Model"], 3), vec!["Model"]);
        assert_eq!(closest("Persn", ["Person", "Company", "Model"], 3), vec!["Person"]);
        assert!(closest("Xyzzy", ["Person"], 3).is_empty());
    }

    fn suggestions(name: &str) -> Vec<String> {
        match Graph::builtin().resolve(name) {
            Err(crate::Error::NotFound { suggestions, .. }) => suggestions,
            other => panic!("'{name}' resolved: {other:?}"),
        }
    }

    #[test]
    fn chinese_partial_names_suggest_what_starts_with_or_contains_them() {
        // Issue 18: `lineage 孟子` suggested nothing, `lineage 智谱` 智己 and 智源.
        let mengzi = suggestions("孟子");
        assert_eq!(mengzi.len(), 3, "{mengzi:?}");
        assert!(mengzi.iter().all(|s| s.starts_with("孟子")), "{mengzi:?}");
        let g = Graph::builtin();
        let nodes: Vec<NodeId> = mengzi.iter().map(|s| g.resolve(s).unwrap()).collect();
        assert!(nodes.contains(&g.resolve("mengzi").unwrap()), "{mengzi:?}");
        assert!(
            nodes.iter().enumerate().all(|(i, n)| !nodes[..i].contains(n)),
            "one name per node: {mengzi:?}"
        );
        assert_eq!(suggestions("智谱").first().map(String::as_str), Some("智谱AI"));
        // Containment: a name's middle.
        assert!(suggestions("谱华章").contains(&"智谱华章".to_string()));
    }

    #[test]
    fn typos_still_suggest_by_edit_distance_after_partial_matches() {
        assert_eq!(suggestions("ChatGLM-6").first().map(String::as_str), Some("ChatGLM-6B"));
        assert!(suggestions("Zhipu A1").contains(&"Zhipu AI".to_string()));
    }
}
