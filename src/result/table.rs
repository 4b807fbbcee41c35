//! Aligned text tables for the terminal, measured in display columns so
//! that Chinese text (two columns a character) lines up: how a
//! [`ResultSet`](super::ResultSet) displays.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The ellipsis that ends a cut value.
const ELLIPSIS: char = '…';

/// Display columns `s` takes.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` made safe for one table cell: line breaks and tabs become visible
/// escapes, other control characters are dropped.
pub(crate) fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to at most `max` display columns, ending in `…` when cut. A
/// `max` of 0 means no limit.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if max == 0 || width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(ELLIPSIS);
    out
}

fn pad(out: &mut String, s: &str, to: usize, right: bool) {
    let fill = " ".repeat(to.saturating_sub(width(s)));
    if right {
        out.push_str(&fill);
        out.push_str(s);
    } else {
        out.push_str(s);
        out.push_str(&fill);
    }
}

/// A table of text cells with a header row.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<bool>,
}

impl Table {
    /// A table with these column names.
    pub(crate) fn new(header: Vec<String>) -> Table {
        let right = vec![false; header.len()];
        Table { header, rows: Vec::new(), right }
    }

    /// Aligns column `i` to the right (for numbers).
    pub(crate) fn align_right(&mut self, i: usize, right: bool) {
        if let Some(r) = self.right.get_mut(i) {
            *r = right;
        }
    }

    /// Adds a row; cells beyond the header's width are dropped, missing
    /// ones are empty.
    pub(crate) fn push(&mut self, mut row: Vec<String>) {
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// Renders the table, psql style, cutting every cell (header included)
    /// to `max_width` display columns (0 for no limit):
    ///
    /// ```text
    ///  name     | name_zh
    /// ----------+---------
    ///  Zhipu AI | 智谱AI
    /// ```
    pub(crate) fn render(&self, max_width: usize) -> String {
        let cut = |s: &str| truncate(&one_line(s), max_width);
        let header: Vec<String> = self.header.iter().map(|h| cut(h)).collect();
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(|c| cut(c)).collect()).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: &[String], right: &[bool]| {
            for (i, cell) in cells.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { " | " });
                pad(out, cell, widths[i], right[i]);
            }
            // No trailing spaces: trim what padding the last cell added.
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        };
        line(&mut out, &header, &vec![false; header.len()]);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
        out.push_str(&rule.join("+"));
        out.push('\n');
        for row in &rows {
            line(&mut out, row, &self.right);
        }
        out
    }
}

/// `(1 row)`, `(3 rows)`.
pub(crate) fn row_count(n: usize) -> String {
    format!("({n} row{})", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_counts_two_columns() {
        assert_eq!(width("智谱AI"), 6);
        let mut t = Table::new(vec!["name".into(), "name_zh".into(), "founded".into()]);
        t.push(vec!["Zhipu AI".into(), "智谱AI".into(), "2019".into()]);
        t.push(vec!["MiniMax".into(), "稀宇科技".into(), "2021".into()]);
        t.align_right(2, true);
        assert_eq!(
            t.render(60),
            " name     | name_zh  | founded\n\
             ----------+----------+---------\n \
             Zhipu AI | 智谱AI   |    2019\n \
             MiniMax  | 稀宇科技 |    2021\n"
        );
    }

    #[test]
    fn long_values_are_cut_by_display_width() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abcd", 4), "abcd");
        // Two columns a character: three fit in 7 with the ellipsis, not four.
        assert_eq!(truncate("北京智谱华章科技", 7), "北京智…");
        assert_eq!(width(&truncate("北京智谱华章科技", 7)), 7);
        assert_eq!(truncate("abcdef", 0), "abcdef");
        let mut t = Table::new(vec!["v".into()]);
        t.push(vec!["line one\nline two".into()]);
        assert_eq!(t.render(10), " v\n------------\n line one\\…\n");
    }

    #[test]
    fn counts() {
        assert_eq!(row_count(1), "(1 row)");
        assert_eq!(row_count(0), "(0 rows)");
    }
}
