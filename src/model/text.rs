//! [`Text`]: the string inside a [`Value`](crate::Value).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// The longest string kept inside the value itself: what fits beside the
/// length byte in the space an `Arc<str>` and the enum tag take anyway.
const INLINE: usize = 22;

/// An immutable string that is cheap to clone: up to 22 bytes are stored
/// inline, longer strings are shared behind a reference count.
///
/// Almost every property string in an industry graph (ids, names, funding
/// rounds, countries) is short. Inline, cloning one into a query result is a
/// copy of 24 bytes that never touches the heap, where a shared string would
/// read and write a counter on a cache line of its own, once at the clone
/// and once at the drop; and loading a graph allocates nothing for them.
///
/// `Text` dereferences to `str`, and compares, orders and hashes as its
/// `str` does, whichever way it is stored.
///
/// ```
/// use aikg::Text;
///
/// let short = Text::from("ChatGLM-6B");
/// let long = Text::from("a description longer than twenty-two bytes");
/// assert_eq!(&*short, "ChatGLM-6B");
/// assert!(long.starts_with("a description"));
/// assert_eq!(short, Text::from(String::from("ChatGLM-6B")));
/// ```
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl Text {
    /// Whether the string is kept inside the value (dropping it frees
    /// nothing).
    #[inline]
    pub(crate) fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// The string.
    #[allow(unsafe_code)]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // SAFETY: `bytes[..len]` is a copy of a whole `&str` made in
            // `Text::inline`, and nothing changes it after, so it is valid
            // UTF-8. Checking it again on every read would cost more than
            // the copy saves.
            Repr::Inline { len, bytes } => unsafe { std::str::from_utf8_unchecked(&bytes[..*len as usize]) },
            Repr::Shared(s) => s,
        }
    }

    fn inline(s: &str) -> Option<Text> {
        (s.len() <= INLINE).then(|| {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Text(Repr::Inline { len: s.len() as u8, bytes })
        })
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::inline(s).unwrap_or_else(|| Text(Repr::Shared(s.into())))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::inline(&s).unwrap_or_else(|| Text(Repr::Shared(s.into())))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Text {
        Text::inline(&s).unwrap_or_else(|| Text(Repr::Shared(s.into())))
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text::inline(&s).unwrap_or(Text(Repr::Shared(s)))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_owned()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// Hashes as `str`, so a `Text` key is found by a `&str` lookup.
impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn short_strings_are_inline_and_long_ones_shared() {
        let at_limit = "x".repeat(INLINE);
        let over = "x".repeat(INLINE + 1);
        assert!(matches!(Text::from(at_limit.as_str()).0, Repr::Inline { .. }));
        assert!(matches!(Text::from(over.as_str()).0, Repr::Shared(_)));
        assert!(matches!(Text::from(Arc::<str>::from("short")).0, Repr::Inline { .. }));
        assert_eq!(&*Text::from(over.clone()), over);
        assert_eq!(&*Text::from(""), "");
    }

    #[test]
    fn multibyte_text_round_trips_at_the_boundary() {
        // 7 three-byte characters = 21 bytes inline; 8 = 24 bytes shared.
        for s in ["智谱华章清华大", "智谱华章清华大学", "é".repeat(11).as_str()] {
            assert_eq!(Text::from(s).as_str(), s);
        }
    }

    #[test]
    fn compares_and_hashes_as_str_whatever_the_storage() {
        let inline = Text::from("abc");
        let shared = Text(Repr::Shared(Arc::from("abc")));
        assert_eq!(inline, shared);
        assert_eq!(hash_of(&inline), hash_of(&shared));
        assert_eq!(hash_of(&inline), hash_of("abc"));
        assert_eq!(Text::from("abd").cmp(&shared), std::cmp::Ordering::Greater);
        assert_eq!(format!("{inline:?} {shared}"), "\"abc\" abc");
    }

    #[test]
    fn is_no_bigger_than_a_shared_str_with_a_tag() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        assert!(std::mem::size_of::<crate::Value>() <= 32);
    }
}
