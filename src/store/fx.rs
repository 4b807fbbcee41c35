//! The Fx hash (as in rustc): one multiply and rotate per word. Fast for the
//! short keys of the store's indexes; not meant for untrusted keys chosen to
//! collide. [`IndexHash`] switches an index to keyed SipHash for graphs that
//! take keys from remote clients.

use std::hash::{BuildHasher, DefaultHasher, Hasher, RandomState};

/// The Fx hasher.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("chunks of 8")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(tail_word(rest));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The multiply only carries differences upwards, so keys that differ
    /// in their last bytes (`M123456`, `M123457`) would share their low bits,
    /// which pick the hash table bucket; mix the high bits back down (the splitmix64 finaliser).
    #[inline]
    fn finish(&self) -> u64 {
        splitmix(self.hash)
    }
}

/// The hashing of the store's indexes: Fx by default, or SipHash-1-3 under
/// a random key once [`Graph::use_keyed_hashing`](super::Graph::use_keyed_hashing)
/// is called.
///
/// Fx is no defence against keys chosen to collide: ids that differ in one
/// word's top bit and in the next word by a fixed pattern collide under any
/// seed, and a hash table whose keys all collide turns every insert into a
/// scan. Data loaded from files is trusted; ids, labels and property keys
/// that remote clients write are not, and for those the server pays
/// SipHash's few nanoseconds per lookup. The choice is one predictable
/// branch per hashed word for everyone else.
#[derive(Debug, Clone, Default)]
pub(crate) struct IndexHash(Option<RandomState>);

impl IndexHash {
    /// SipHash under a fresh random key.
    pub(crate) fn keyed() -> IndexHash {
        IndexHash(Some(RandomState::new()))
    }

    pub(crate) fn is_keyed(&self) -> bool {
        self.0.is_some()
    }

    /// The hash of `bytes` as written, without the length a `str` or slice
    /// adds when hashed through `Hash` (the id index keys on raw bytes).
    #[inline]
    pub(crate) fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        let mut h = self.build_hasher();
        h.write(bytes);
        h.finish()
    }
}

impl BuildHasher for IndexHash {
    type Hasher = IndexHasher;

    #[inline]
    fn build_hasher(&self) -> IndexHasher {
        match &self.0 {
            None => IndexHasher::Fx(FxHasher::default()),
            Some(keys) => IndexHasher::Keyed(keys.build_hasher()),
        }
    }
}

/// The hasher [`IndexHash`] builds.
pub(crate) enum IndexHasher {
    Fx(FxHasher),
    Keyed(DefaultHasher),
}

impl Hasher for IndexHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        match self {
            IndexHasher::Fx(h) => h.write(bytes),
            IndexHasher::Keyed(h) => h.write(bytes),
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        match self {
            IndexHasher::Fx(h) => h.write_u8(i),
            IndexHasher::Keyed(h) => h.write_u8(i),
        }
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        match self {
            IndexHasher::Fx(h) => h.write_u32(i),
            IndexHasher::Keyed(h) => h.write_u32(i),
        }
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        match self {
            IndexHasher::Fx(h) => h.write_u64(i),
            IndexHasher::Keyed(h) => h.write_u64(i),
        }
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        match self {
            IndexHasher::Fx(h) => h.write_usize(i),
            IndexHasher::Keyed(h) => h.write_usize(i),
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        match self {
            IndexHasher::Fx(h) => h.finish(),
            IndexHasher::Keyed(h) => h.finish(),
        }
    }
}

/// The 1 to 7 bytes left after the whole words, and their count, as one
/// word, read with at most two loads and no call: copying them into a
/// zeroed word calls `memcpy`, which for an id of a few bytes costs as
/// much as the rest of the hash. Two different tails of one length differ
/// in some byte, and every byte is read (the loads overlap when the tail
/// is short), so they give different words.
#[inline]
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    let bytes = if n >= 4 {
        let first = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let last = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
        u64::from(first) | u64::from(last) << 32
    } else {
        u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16
    };
    bytes ^ (n as u64) << 56
}

/// The splitmix64 finaliser: every input bit reaches the low bits, which
/// pick a hash table's slot.
#[inline]
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinguishes_short_keys() {
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(hash("M1"), hash("M2"));
        assert_ne!(hash("abcdefgh1"), hash("abcdefgh2"));
        assert_eq!(hash("zhipu-ai"), hash("zhipu-ai"));
        // Tails of every length, and tails that differ in one byte only.
        let tails: std::collections::HashSet<u64> = [
            "a", "ab", "abc", "abd", "abcd", "abce", "abcde", "abcdf", "abcxe", "abcdef", "abcdefg",
            "abcdefh",
        ]
        .iter()
        .map(|s| hash(s))
        .collect();
        assert_eq!(tails.len(), 12);
        // Ids differing only at the end still differ in the low bits.
        let low: std::collections::HashSet<u64> =
            (0..1000).map(|i| hash(&format!("M10{i:04}")) & 0xfff).collect();
        assert!(low.len() > 700, "{} distinct low values", low.len());
    }

    /// Two ids built to collide under Fx whatever its seed: the first words
    /// differ in the top bit only, which the multiply carries to the top bit
    /// only, and the second words cancel that difference after the rotate.
    fn fx_colliding_pair() -> (Vec<u8>, Vec<u8>) {
        let a1: u64 = 0x4141_4141_4141_4141;
        let b1 = a1 ^ (1 << 63);
        let a2: u64 = 0x4242_4242_4242_4242;
        let b2 = a2 ^ (1u64 << 63).rotate_left(5);
        let bytes = |w1: u64, w2: u64| [w1.to_le_bytes(), w2.to_le_bytes()].concat();
        (bytes(a1, a2), bytes(b1, b2))
    }

    #[test]
    fn fx_collides_on_crafted_keys_and_keyed_hashing_does_not() {
        let (a, b) = fx_colliding_pair();
        assert_ne!(a, b);
        let fx = IndexHash::default();
        assert_eq!(fx.hash_one(&a[..]), fx.hash_one(&b[..]), "the pair no longer collides under Fx");
        let keyed = IndexHash::keyed();
        assert!(keyed.is_keyed());
        assert_ne!(keyed.hash_one(&a[..]), keyed.hash_one(&b[..]));
        // The Fx mode hashes exactly as FxHasher does.
        let mut plain = FxHasher::default();
        plain.write(b"zhipu-ai");
        let mut switched = fx.build_hasher();
        switched.write(b"zhipu-ai");
        assert_eq!(plain.finish(), switched.finish());
    }
}
