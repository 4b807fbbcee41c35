//! Parsing the values users type on the command line: parameter values as
//! Cypher literals (`3`, `'智谱AI'`, `[1, 2]`, `{round: 'B'}`, or a bare
//! word taken as a string) and durations (`500ms`, `5s`, `2m`).

use std::collections::BTreeMap;
use std::time::Duration;

use aikg::Value;

/// Parses `name=value` for `--param`. A value that is not a complete Cypher
/// literal is taken as a string as written, so `--param name=智谱AI` and
/// `--param d=2022-08` need no quotes.
pub fn parse_param(text: &str) -> Result<(String, Value), String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("expected NAME=VALUE, found '{text}'"))?;
    let name = name.trim();
    let name = name.strip_prefix('$').unwrap_or(name);
    let valid = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "parameter name '{name}' must be letters, digits and '_', not starting with a digit"
        ));
    }
    Ok((name.to_string(), parse_value(value)))
}

/// A value typed by a user: a Cypher literal when the whole text is one,
/// else the text itself as a string.
pub fn parse_value(text: &str) -> Value {
    parse_literal(text).unwrap_or_else(|| Value::from(text))
}

/// The value of `text` when all of it (but surrounding spaces) is one Cypher
/// literal: null, a boolean, a number, a string, or a list or map of those.
pub fn parse_literal(text: &str) -> Option<Value> {
    let mut p = Parser { s: text, pos: 0 };
    let v = p.value()?;
    p.ws();
    (p.pos == text.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        let c = self.rest().chars().next()?;
        match c {
            '\'' | '"' => self.string().map(Value::from),
            '[' => self.list(),
            '{' => self.map(),
            '-' | '+' | '.' | '0'..='9' => self.number(),
            _ => {
                let word = self.word();
                match word.to_ascii_lowercase().as_str() {
                    "null" => Some(Value::Null),
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => None,
                }
            }
        }
    }

    fn word(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let start = self.pos;
        self.pos += len;
        &self.s[start..self.pos]
    }

    fn number(&mut self) -> Option<Value> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                let sign_ok = matches!(c, '-' | '+')
                    && (i == 0 || matches!(rest.as_bytes()[i - 1], b'e' | b'E'))
                    && !rest[..i].starts_with("0x");
                !(c.is_ascii_alphanumeric() || c == '.' || sign_ok)
            })
            .map_or(rest.len(), |(i, _)| i);
        let token = &rest[..len];
        self.pos += len;
        let (negative, digits) = match token.as_bytes().first() {
            Some(b'-') => (true, &token[1..]),
            Some(b'+') => (false, &token[1..]),
            _ => (false, token),
        };
        let radix = |prefix: &str, radix: u32| {
            digits.strip_prefix(prefix).and_then(|d| i64::from_str_radix(d, radix).ok())
        };
        let int = radix("0x", 16).or_else(|| radix("0o", 8)).or_else(|| {
            digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse::<i64>().ok()).flatten()
        });
        if let Some(i) = int {
            return Some(Value::Int(if negative { -i } else { i }));
        }
        let looks_float = digits.bytes().any(|b| b.is_ascii_digit())
            && digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
        let f: f64 = if looks_float { digits.parse().ok()? } else { return None };
        Some(Value::Float(if negative { -f } else { f }))
    }

    fn string(&mut self) -> Option<String> {
        let quote = self.rest().chars().next()?;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Some(out);
                }
                '\\' => {
                    let (_, e) = chars.next()?;
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' | 'U' => {
                            let n = if e == 'u' { 4 } else { 8 };
                            let hex: String = (0..n).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                            out.push(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)?);
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        None
    }

    fn list(&mut self) -> Option<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        if self.eat(']') {
            return Some(Value::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(']') {
                return Some(Value::List(items));
            }
            if !self.eat(',') {
                return None;
            }
        }
    }

    fn map(&mut self) -> Option<Value> {
        self.pos += 1;
        let mut map = BTreeMap::new();
        if self.eat('}') {
            return Some(Value::Map(map));
        }
        loop {
            self.ws();
            let key = match self.rest().chars().next()? {
                '\'' | '"' => self.string()?,
                '`' => {
                    let rest = &self.rest()[1..];
                    let end = rest.find('`')?;
                    let key = rest[..end].to_string();
                    self.pos += end + 2;
                    key
                }
                _ => {
                    let w = self.word();
                    if w.is_empty() || w.starts_with(|c: char| c.is_ascii_digit()) {
                        return None;
                    }
                    w.to_string()
                }
            };
            if !self.eat(':') {
                return None;
            }
            map.insert(key, self.value()?);
            if self.eat('}') {
                return Some(Value::Map(map));
            }
            if !self.eat(',') {
                return None;
            }
        }
    }
}

/// Parses a duration: one or more `<number><unit>` parts (`500ms`, `5s`,
/// `1.5s`, `2m`, `1h`, `1m30s`); a bare number is seconds. `0` means no
/// limit to the callers.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration '{text}': expected a number and a unit, e.g. 500ms, 5s, 2m or 1h");
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|_| bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        let (num, after) = rest.split_at(num_len);
        let n: f64 = num.parse().map_err(|_| bad())?;
        let unit_len = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let secs = match unit {
            "ms" => n / 1000.0,
            "s" | "sec" => n,
            "m" | "min" => n * 60.0,
            "h" => n * 3600.0,
            _ => return Err(bad()),
        };
        total += Duration::try_from_secs_f64(secs).map_err(|_| bad())?;
        rest = after;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn literals() {
        assert_eq!(parse_value("3"), Value::Int(3));
        assert_eq!(parse_value("-3"), Value::Int(-3));
        assert_eq!(parse_value("0x1F"), Value::Int(31));
        assert_eq!(parse_value("2.5"), Value::Float(2.5));
        assert_eq!(parse_value("1e3"), Value::Float(1000.0));
        assert_eq!(parse_value(".5"), Value::Float(0.5));
        assert_eq!(parse_value("TRUE"), Value::Bool(true));
        assert_eq!(parse_value("null"), Value::Null);
        assert_eq!(parse_value("'智谱AI'"), Value::from("智谱AI"));
        assert_eq!(parse_value(r#""it's \u00e9""#), Value::from("it's é"));
        assert_eq!(parse_value(r"'a\'b'"), Value::from("a'b"));
        assert_eq!(
            parse_value(" [1, 'x', [true]] "),
            Value::List(vec![Value::Int(1), "x".into(), Value::List(vec![Value::Bool(true)])])
        );
        assert_eq!(parse_value("[]"), Value::List(vec![]));
        assert_eq!(
            parse_value("{round: 'B', `the year`: 2022, 'q': [] }"),
            map(&[("round", "B".into()), ("the year", Value::Int(2022)), ("q", Value::List(vec![]))])
        );
    }

    #[test]
    fn bare_words_are_strings() {
        for text in
            ["智谱AI", "ChatGLM-6B", "2022-08", "hello world", "[a, b]", "'unclosed", "1.2.3", "{a 1}", ""]
        {
            assert_eq!(parse_value(text), Value::from(text), "{text}");
        }
    }

    #[test]
    fn params() {
        assert_eq!(parse_param("n=3"), Ok(("n".to_string(), Value::Int(3))));
        assert_eq!(parse_param("$name='智谱AI'"), Ok(("name".to_string(), Value::from("智谱AI"))));
        assert_eq!(parse_param("eq=a=b"), Ok(("eq".to_string(), Value::from("a=b"))));
        assert!(parse_param("novalue").unwrap_err().contains("NAME=VALUE"));
        assert!(parse_param("1x=2").is_err());
        assert!(parse_param("=2").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        for bad in ["", "5x", "s", "-1s", "5 s", "ms5", "1e400"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
