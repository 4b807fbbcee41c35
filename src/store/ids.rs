//! The id index: which node has a given string `id`, and which id a node
//! has.
//!
//! Looking a node up by id is the start of most point queries and of
//! every relationship a bulk load adds, and on a graph of millions of nodes
//! each lookup misses the cache. A general hash map (`IndexMap` before
//! this) costs three misses per lookup: its control bytes, its index
//! bucket, its entry with the key. Here an id of up to [`INLINE`] bytes,
//! as most ids are, sits in the slot itself beside its node, so a lookup
//! or an insertion of a new id touches one slot, one miss; a longer id's
//! slot holds a tag of its hash and its node, and the id is read from
//! [`IdTable::by_node`] on a tag match.
//!
//! `by_node[n]` is node `n`'s id when `n` is the node the index gives for
//! it (else null): the dense array from which `n.id` is read with one
//! access (see `Graph::ids_dense`), and what a snapshot stores.
//!
//! Slots are probed linearly from the hash's home slot, at most three
//! quarters full; a removal shifts the slots after it back instead of
//! leaving a marker, so lookups never walk over dead slots.

use super::fx::IndexHash;
use crate::model::{NodeId, Text, Value};

/// Longest id kept in its slot.
const INLINE: usize = 11;
/// First key byte of a slot whose id is longer than [`INLINE`].
const LONG: u8 = 0xFF;

/// `key` is the id's length and bytes, zero-padded, or [`LONG`] and three
/// bytes of its hash; `node` is the node, or `u32::MAX` when vacant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    key: [u8; 12],
    node: u32,
}

const VACANT: Slot = Slot { key: [0; 12], node: u32::MAX };

/// An id's slot key and hash, worked out once for the lookups of a batch
/// (see [`IdTable::touch`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probe {
    key: [u8; 12],
    hash: u64,
}

/// Nodes by string `id`, and ids by node.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdTable {
    /// Empty, or a power of two long.
    slots: Vec<Slot>,
    /// Node `n`'s id when the index gives `n` for it, else null.
    by_node: Vec<Value>,
    len: usize,
    hasher: IndexHash,
}

impl IdTable {
    /// An empty table hashing with `hasher`.
    pub(crate) fn with_hasher(hasher: IndexHash) -> IdTable {
        IdTable { hasher, ..IdTable::default() }
    }

    pub(crate) fn hasher(&self) -> &IndexHash {
        &self.hasher
    }

    /// Ids in the index.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Makes room for `more` ids (and nodes up to `len() + more`) without
    /// growing, so that a bulk load of known size never rehashes.
    pub(crate) fn reserve(&mut self, more: usize) {
        let wanted = slots_for(self.len + more);
        if wanted > self.slots.len() {
            self.resize(wanted);
        }
        self.by_node.reserve((self.len + more).saturating_sub(self.by_node.len()));
    }

    /// Empties the table, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(VACANT);
        self.by_node.clear();
        self.len = 0;
    }

    /// Hashes with `hasher` from now on (placing every id again).
    pub(crate) fn rehash_with(&mut self, hasher: IndexHash) {
        self.hasher = hasher;
        let len = self.slots.len();
        self.resize(len);
    }

    /// The slot key and hash of `id`.
    #[inline]
    pub(crate) fn probe(&self, id: &str) -> Probe {
        let bytes = id.as_bytes();
        let mut key = [0u8; 12];
        if bytes.len() <= INLINE {
            key[0] = bytes.len() as u8;
            key[1..=bytes.len()].copy_from_slice(bytes);
            Probe { key, hash: self.inline_hash(&key) }
        } else {
            let hash = self.hasher.hash_bytes(bytes);
            key[0] = LONG;
            key[1..4].copy_from_slice(&hash.to_le_bytes()[5..]);
            Probe { key, hash }
        }
    }

    /// The hash of an id kept in its slot, from the slot's key. Under Fx
    /// the key is hashed as two words at once rather than byte by byte
    /// (an eighth of a parser thread's time in a bulk load went to hashing
    /// ids); keyed hashing hashes the id's bytes as for a long id.
    #[inline]
    fn inline_hash(&self, key: &[u8; 12]) -> u64 {
        if self.hasher.is_keyed() {
            return self.hasher.hash_bytes(&key[1..=usize::from(key[0])]);
        }
        let mut low = [0u8; 8];
        let mut high = [0u8; 4];
        low.copy_from_slice(&key[..8]);
        high.copy_from_slice(&key[8..]);
        let mixed =
            u64::from_le_bytes(low).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(u32::from_le_bytes(high));
        super::fx::splitmix(mixed)
    }

    /// Reads the slot a lookup of `probe` starts at. The lookups of a
    /// batch are independent, so reading all their slots first lets the
    /// processor fetch them from memory at once rather than one lookup
    /// after the other; the lookups then find them in the cache.
    #[inline]
    pub(crate) fn touch(&self, probe: &Probe) -> u32 {
        match self.slots.len() {
            0 => 0,
            n => self.slots[probe.hash as usize & (n - 1)].node,
        }
    }

    /// The node the index gives for `id`.
    #[inline]
    pub(crate) fn get(&self, id: &str) -> Option<NodeId> {
        if self.len == 0 {
            return None;
        }
        self.get_probed(id, &self.probe(id))
    }

    /// [`get`](Self::get) with the probe worked out beforehand.
    #[inline]
    pub(crate) fn get_probed(&self, id: &str, probe: &Probe) -> Option<NodeId> {
        if self.slots.is_empty() {
            return None;
        }
        let node = self.slots[self.find(id, probe)].node;
        (node != VACANT.node).then_some(NodeId(node))
    }

    /// Node `node`'s id, if the index gives `node` for it.
    #[inline]
    pub(crate) fn id_of(&self, node: NodeId) -> Option<&Value> {
        self.by_node.get(node.index()).filter(|v| !v.is_null())
    }

    /// Every id in the index with its node, in node order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, NodeId)> + '_ {
        self.by_node.iter().enumerate().filter_map(|(n, v)| match v {
            Value::String(s) => Some((&**s, NodeId(n as u32))),
            _ => None,
        })
    }

    /// Every id's value, for making long ones share their string with the
    /// node's own `id` property.
    pub(crate) fn ids_mut(&mut self) -> impl Iterator<Item = (NodeId, &mut Value)> + '_ {
        self.by_node.iter_mut().enumerate().filter(|(_, v)| !v.is_null()).map(|(n, v)| (NodeId(n as u32), v))
    }

    /// Enters `id` for `node`, unless another node already has it: then
    /// that node is the error and nothing changes. An id `node` had in the
    /// index before is removed. `id` must be a string.
    pub(crate) fn insert(&mut self, id: Value, node: NodeId) -> Result<(), NodeId> {
        let probe = match &id {
            Value::String(s) => self.probe(s),
            _ => return Ok(()),
        };
        self.insert_probed(id, &probe, node)
    }

    /// [`insert`](Self::insert) with the probe worked out beforehand.
    pub(crate) fn insert_probed(&mut self, id: Value, probe: &Probe, node: NodeId) -> Result<(), NodeId> {
        let Value::String(text) = &id else { return Ok(()) };
        // Growing first keeps the contents, so a refused insertion changes
        // nothing a reader sees; then one walk finds the id or its place.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            let bigger = slots_for(self.len + 1).max(self.slots.len() * 2);
            self.resize(bigger);
        }
        let mut at = self.find(text, probe);
        match self.slots[at].node {
            n if n == VACANT.node => {}
            n if n == node.0 => return Ok(()),
            n => return Err(NodeId(n)),
        }
        if let Some(Value::String(old)) = self.id_of(node).cloned() {
            // Removing shifts slots back, so the place is found again.
            self.remove(&old, node);
            at = self.find(text, probe);
        }
        self.slots[at] = Slot { key: probe.key, node: node.0 };
        if self.by_node.len() <= node.index() {
            self.by_node.resize(node.index() + 1, Value::Null);
        }
        self.by_node[node.index()] = id;
        self.len += 1;
        Ok(())
    }

    /// Removes `id` if the index gives `node` for it; says whether it did.
    pub(crate) fn remove(&mut self, id: &str, node: NodeId) -> bool {
        if self.slots.is_empty() {
            return false;
        }
        let probe = self.probe(id);
        let mut hole = self.find(id, &probe);
        if self.slots[hole].node != node.0 {
            return false;
        }
        self.by_node[node.index()] = Value::Null;
        self.len -= 1;
        // Shift back every slot after the hole, up to a vacant one, that
        // may sit in it: one whose home is not cyclically within
        // (hole, at].
        let mask = self.slots.len() - 1;
        let mut at = hole;
        loop {
            at = (at + 1) & mask;
            let slot = self.slots[at];
            if slot.node == VACANT.node {
                break;
            }
            let home = self.home(&slot);
            if (at.wrapping_sub(home) & mask) >= (at.wrapping_sub(hole) & mask) {
                self.slots[hole] = slot;
                hole = at;
            }
        }
        self.slots[hole] = VACANT;
        true
    }

    /// The bytes the table holds, for `Graph::memory_usage`.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.by_node.capacity() * std::mem::size_of::<Value>()
            + self
                .by_node
                .iter()
                .map(|v| match v {
                    Value::String(s) if !s.is_inline() => s.len(),
                    _ => 0,
                })
                .sum::<usize>()
    }

    /// The slot holding `id`, or the vacant slot where it would go. The
    /// table is never full, so the walk ends.
    #[inline]
    fn find(&self, id: &str, probe: &Probe) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = probe.hash as usize & mask;
        loop {
            let slot = &self.slots[at];
            if slot.node == VACANT.node || self.holds(slot, probe, id) {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    #[inline]
    fn holds(&self, slot: &Slot, probe: &Probe, id: &str) -> bool {
        slot.key == probe.key
            && (probe.key[0] != LONG || self.long_id(slot.node).is_some_and(|long| long == id))
    }

    fn long_id(&self, node: u32) -> Option<&Text> {
        match self.by_node.get(node as usize) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The hash of a slot's id.
    fn slot_hash(&self, slot: &Slot) -> u64 {
        if slot.key[0] == LONG {
            self.hasher.hash_bytes(self.long_id(slot.node).map_or(&[][..], |s| s.as_bytes()))
        } else {
            self.inline_hash(&slot.key)
        }
    }

    /// The slot a slot's id hashes to.
    fn home(&self, slot: &Slot) -> usize {
        self.slot_hash(slot) as usize & (self.slots.len() - 1)
    }

    /// Places every id again in `len` slots (a power of two), with the
    /// hasher's tags for long ones.
    fn resize(&mut self, len: usize) {
        let old = std::mem::replace(&mut self.slots, vec![VACANT; len]);
        let mask = len - 1;
        for mut slot in old.into_iter().filter(|s| s.node != VACANT.node) {
            let hash = self.slot_hash(&slot);
            if slot.key[0] == LONG {
                slot.key[1..4].copy_from_slice(&hash.to_le_bytes()[5..]);
            }
            let mut at = hash as usize & mask;
            while self.slots[at].node != VACANT.node {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }
}

/// Slots for `ids` ids: at most three quarters full, a power of two.
fn slots_for(ids: usize) -> usize {
    (ids.max(6) * 4 / 3 + 1).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn s(id: &str) -> Value {
        Value::String(id.into())
    }

    /// The table against a `HashMap` over a long mixed run of inserts and
    /// removals, short and long ids, in a table kept small so that probe
    /// runs are long and wrap around.
    #[test]
    fn agrees_with_a_map_through_inserts_and_removals() {
        for hasher in [IndexHash::default(), IndexHash::keyed()] {
            let mut table = IdTable::with_hasher(hasher);
            let mut model: HashMap<String, u32> = HashMap::new();
            let mut held: HashMap<u32, String> = HashMap::new();
            let mut x: u64 = 0x2545_F491_4F6C_DD1D;
            for step in 0..20_000u32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let n = (x % 300) as u32;
                let id = if x % 3 == 0 {
                    format!("a-long-identifier-{}", x % 400)
                } else {
                    format!("m{}", x % 400)
                };
                if x % 5 < 3 {
                    let before = model.get(&id).copied();
                    let got = table.insert(s(&id), NodeId(n));
                    match before {
                        Some(holder) if holder != n => assert_eq!(got, Err(NodeId(holder)), "step {step}"),
                        _ => {
                            assert_eq!(got, Ok(()), "step {step}");
                            if let Some(old) = held.insert(n, id.clone()) {
                                if old != id {
                                    model.remove(&old);
                                }
                            }
                            model.insert(id.clone(), n);
                        }
                    }
                } else {
                    let removed = table.remove(&id, NodeId(n));
                    assert_eq!(removed, model.get(&id) == Some(&n), "step {step}");
                    if removed {
                        model.remove(&id);
                        held.remove(&n);
                    }
                }
                assert_eq!(table.len(), model.len(), "step {step}, {id} at {n}");
            }
            for i in 0..400 {
                for id in [format!("m{i}"), format!("a-long-identifier-{i}")] {
                    assert_eq!(table.get(&id), model.get(&id).map(|&n| NodeId(n)), "{id}");
                }
            }
            for (id, node) in table.iter() {
                assert_eq!(model.get(id), Some(&node.0));
                assert_eq!(table.id_of(node), Some(&s(id)));
            }
            assert_eq!(table.iter().count(), model.len());
        }
    }

    #[test]
    fn a_node_has_one_id_and_an_id_one_node() {
        let mut table = IdTable::default();
        assert_eq!(table.get("a"), None);
        assert_eq!(table.insert(s("a"), NodeId(0)), Ok(()));
        assert_eq!(table.insert(s("a"), NodeId(1)), Err(NodeId(0)), "the first node keeps it");
        assert_eq!(table.insert(s("b"), NodeId(0)), Ok(()), "a new id replaces the node's old one");
        assert_eq!((table.get("a"), table.get("b"), table.len()), (None, Some(NodeId(0)), 1));
        assert!(!table.remove("b", NodeId(1)), "only the node that has it removes it");
        assert!(table.remove("b", NodeId(0)));
        assert_eq!((table.get("b"), table.id_of(NodeId(0)), table.len()), (None, None, 0));
        // Ids that differ only in length or in a trailing NUL stay apart.
        for (n, id) in ["", "\0", "x", "x\0", "12345678901", "123456789012"].iter().enumerate() {
            assert_eq!(table.insert(s(id), NodeId(n as u32)), Ok(()), "{id:?}");
        }
        for (n, id) in ["", "\0", "x", "x\0", "12345678901", "123456789012"].iter().enumerate() {
            assert_eq!(table.get(id), Some(NodeId(n as u32)), "{id:?}");
        }
    }

    #[test]
    fn grows_from_empty_and_finds_short_and_long_ids() {
        let mut table = IdTable::default();
        let ids: Vec<String> = (0..5000)
            .map(|i| if i % 3 == 0 { format!("long-id-number-{i}") } else { format!("{i}") })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let probe = table.probe(id);
            assert_eq!(table.insert_probed(s(id), &probe, NodeId(i as u32)), Ok(()));
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(table.get_probed(id, &table.probe(id)), Some(NodeId(i as u32)));
            assert_eq!(table.insert(s(id), NodeId(9999)), Err(NodeId(i as u32)));
        }
        for missing in ["", "5000", "long-id-number-1", "long-id-number-3x"] {
            assert_eq!(table.get(missing), None, "{missing}");
        }
    }

    #[test]
    fn rehashing_and_reserving_keep_every_id() {
        let mut table = IdTable::default();
        for i in 0..1000u32 {
            table.insert(s(&format!("node-with-a-long-id-{i}")), NodeId(i)).unwrap();
        }
        table.rehash_with(IndexHash::keyed());
        assert!(table.hasher().is_keyed());
        table.reserve(100_000);
        for i in 0..1000u32 {
            assert_eq!(table.get(&format!("node-with-a-long-id-{i}")), Some(NodeId(i)));
        }
        table.clear();
        assert_eq!((table.len(), table.get("node-with-a-long-id-1")), (0, None));
    }
}
