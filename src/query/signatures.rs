//! The functions the query language knows: name, arity and whether each is
//! an aggregate.
//!
//! One table serves both the checker (unknown functions, wrong argument
//! counts, aggregates where none may be) and the executor (dispatch by the
//! canonical name), so the two cannot disagree about what exists.

/// What the checker and executor need to know about one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Signature {
    /// The name in its canonical openCypher casing (`toUpper`, `startNode`).
    pub name: &'static str,
    /// Fewest arguments accepted.
    pub min_args: usize,
    /// Most arguments accepted ([`usize::MAX`] for variadic functions).
    pub max_args: usize,
    /// An aggregate folds many rows into one value; only aggregates accept
    /// `DISTINCT` in front of their argument.
    pub aggregate: bool,
}

const fn scalar(name: &'static str, min_args: usize, max_args: usize) -> Signature {
    Signature { name, min_args, max_args, aggregate: false }
}

const fn aggregate(name: &'static str, args: usize) -> Signature {
    Signature { name, min_args: args, max_args: args, aggregate: true }
}

/// Every supported function, aggregates first. `count(*)` has its own
/// expression kind and is not listed.
static SIGNATURES: &[Signature] = &[
    aggregate("count", 1),
    aggregate("collect", 1),
    aggregate("sum", 1),
    aggregate("avg", 1),
    aggregate("min", 1),
    aggregate("max", 1),
    aggregate("stDev", 1),
    aggregate("stDevP", 1),
    aggregate("percentileCont", 2),
    aggregate("percentileDisc", 2),
    // Graph elements.
    scalar("id", 1, 1),
    scalar("elementId", 1, 1),
    scalar("labels", 1, 1),
    scalar("type", 1, 1),
    scalar("properties", 1, 1),
    scalar("keys", 1, 1),
    scalar("startNode", 1, 1),
    scalar("endNode", 1, 1),
    scalar("exists", 1, 1),
    // Paths and lists.
    scalar("length", 1, 1),
    scalar("nodes", 1, 1),
    scalar("relationships", 1, 1),
    scalar("size", 1, 1),
    scalar("head", 1, 1),
    scalar("last", 1, 1),
    scalar("tail", 1, 1),
    scalar("range", 2, 3),
    scalar("reverse", 1, 1),
    scalar("coalesce", 1, usize::MAX),
    scalar("isEmpty", 1, 1),
    // Strings.
    scalar("toUpper", 1, 1),
    scalar("toLower", 1, 1),
    scalar("trim", 1, 1),
    scalar("ltrim", 1, 1),
    scalar("rtrim", 1, 1),
    scalar("substring", 2, 3),
    scalar("left", 2, 2),
    scalar("right", 2, 2),
    scalar("split", 2, 2),
    scalar("replace", 3, 3),
    // Conversions.
    scalar("toString", 1, 1),
    scalar("toInteger", 1, 1),
    scalar("toFloat", 1, 1),
    scalar("toBoolean", 1, 1),
    scalar("toStringOrNull", 1, 1),
    scalar("toIntegerOrNull", 1, 1),
    scalar("toFloatOrNull", 1, 1),
    scalar("toBooleanOrNull", 1, 1),
    // Numbers.
    scalar("abs", 1, 1),
    scalar("sign", 1, 1),
    scalar("ceil", 1, 1),
    scalar("floor", 1, 1),
    scalar("round", 1, 1),
    scalar("sqrt", 1, 1),
    scalar("rand", 0, 0),
    scalar("exp", 1, 1),
    scalar("log", 1, 1),
    scalar("log10", 1, 1),
    scalar("e", 0, 0),
    scalar("pi", 0, 0),
    scalar("sin", 1, 1),
    scalar("cos", 1, 1),
    scalar("tan", 1, 1),
    scalar("cot", 1, 1),
    scalar("asin", 1, 1),
    scalar("acos", 1, 1),
    scalar("atan", 1, 1),
    scalar("atan2", 2, 2),
    scalar("degrees", 1, 1),
    scalar("radians", 1, 1),
    scalar("haversin", 1, 1),
    // Time.
    scalar("timestamp", 0, 0),
    scalar("date", 0, 1),
    scalar("date.transaction", 0, 1),
    scalar("date.statement", 0, 1),
    scalar("date.realtime", 0, 1),
    scalar("date.truncate", 2, 3),
    scalar("localtime", 0, 1),
    scalar("localtime.transaction", 0, 1),
    scalar("localtime.statement", 0, 1),
    scalar("localtime.realtime", 0, 1),
    scalar("localtime.truncate", 2, 3),
    scalar("time", 0, 1),
    scalar("time.transaction", 0, 1),
    scalar("time.statement", 0, 1),
    scalar("time.realtime", 0, 1),
    scalar("time.truncate", 2, 3),
    scalar("localdatetime", 0, 1),
    scalar("localdatetime.transaction", 0, 1),
    scalar("localdatetime.statement", 0, 1),
    scalar("localdatetime.realtime", 0, 1),
    scalar("localdatetime.truncate", 2, 3),
    scalar("datetime", 0, 1),
    scalar("datetime.transaction", 0, 1),
    scalar("datetime.statement", 0, 1),
    scalar("datetime.realtime", 0, 1),
    scalar("datetime.truncate", 2, 3),
    scalar("datetime.fromepoch", 2, 2),
    scalar("datetime.fromepochmillis", 1, 1),
    scalar("duration", 1, 1),
    scalar("duration.between", 2, 2),
    scalar("duration.inMonths", 2, 2),
    scalar("duration.inDays", 2, 2),
    scalar("duration.inSeconds", 2, 2),
];

/// The signature of the function called `name`, ignoring case, as openCypher
/// does (`COUNT`, `toupper` and `toUpper` are all the same function).
pub(crate) fn lookup(name: &str) -> Option<&'static Signature> {
    SIGNATURES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Known function names close to `name` (one edit apart for short names,
/// two for longer ones, ignoring case), closest first, for "did you mean"
/// hints.
pub(crate) fn suggest(name: &str) -> Vec<String> {
    let wanted = name.to_ascii_lowercase();
    // Short names are a few edits away from many others.
    let max_edits = match wanted.chars().count() {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    };
    let mut close: Vec<(usize, &'static str)> = SIGNATURES
        .iter()
        .map(|s| (edit_distance(&wanted, &s.name.to_ascii_lowercase()), s.name))
        .filter(|&(d, _)| d <= max_edits)
        .collect();
    close.sort();
    close.into_iter().take(3).map(|(_, n)| n.to_string()).collect()
}

/// Levenshtein distance, counted in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_returns_canonical_name() {
        assert_eq!(lookup("TOUPPER").map(|s| s.name), Some("toUpper"));
        assert_eq!(lookup("cOuNt").map(|s| s.name), Some("count"));
        assert_eq!(lookup("startnode").map(|s| s.name), Some("startNode"));
        assert!(lookup("foo").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn aggregates_are_marked() {
        for name in ["count", "collect", "sum", "avg", "min", "max", "stDev", "stDevP", "percentileDisc"] {
            assert!(lookup(name).is_some_and(|s| s.aggregate), "{name}");
        }
        for name in ["size", "coalesce", "toString", "rand", "labels"] {
            assert!(lookup(name).is_some_and(|s| !s.aggregate), "{name}");
        }
    }

    #[test]
    fn arities() {
        let range = lookup("range").unwrap();
        assert_eq!((range.min_args, range.max_args), (2, 3));
        let coalesce = lookup("coalesce").unwrap();
        assert_eq!((coalesce.min_args, coalesce.max_args), (1, usize::MAX));
        let rand = lookup("rand").unwrap();
        assert_eq!((rand.min_args, rand.max_args), (0, 0));
        let percentile = lookup("percentileCont").unwrap();
        assert_eq!((percentile.min_args, percentile.max_args, percentile.aggregate), (2, 2, true));
    }

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(suggest("colect"), ["collect"]);
        assert_eq!(suggest("TOUPER"), ["toUpper"]);
        assert_eq!(suggest("lenght"), ["length"]);
        assert!(suggest("foo").is_empty());
        assert!(suggest("x").is_empty(), "one letter is too short to guess from");
        assert_eq!(suggest("abz"), ["abs"]);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        for (i, a) in SIGNATURES.iter().enumerate() {
            for b in &SIGNATURES[i + 1..] {
                assert!(!a.name.eq_ignore_ascii_case(b.name), "{} listed twice", a.name);
            }
        }
    }
}
