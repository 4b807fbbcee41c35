//! State that a layer above the store keeps with each graph.
//!
//! The query layer keeps a plan cache, search memory and the registered
//! procedures per graph. They live with the graph (a graph dropped takes
//! them along; a graph shared between threads shares them), but their
//! types belong to the query layer, and the store must not import it: so
//! the graph holds them here without knowing their type, created on first
//! use.

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Tells a graph apart from every other in the process, so that what a
/// layer above keeps for one graph (a prepared query's plan) is not used
/// on another. A clone is another graph: it changes independently.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) struct GraphUid(u64);

impl GraphUid {
    fn next() -> GraphUid {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        GraphUid(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A graph's identity field: fresh for every graph, clones included.
#[derive(Debug)]
pub(crate) struct Identity(GraphUid);

impl Identity {
    pub(crate) fn uid(&self) -> GraphUid {
        self.0
    }
}

impl Default for Identity {
    fn default() -> Identity {
        Identity(GraphUid::next())
    }
}

impl Clone for Identity {
    fn clone(&self) -> Identity {
        Identity::default()
    }
}

/// What a graph can hold for a layer above it.
pub(crate) trait Attachment: Any + Send + Sync {
    /// What a clone of the graph starts with: the parts that describe the
    /// graph's contents carry over, caches start empty.
    fn for_clone(&self) -> Box<dyn Attachment>;

    fn as_any(&self) -> &dyn Any;

    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// One attachment per graph, of whichever type first asks for it; the
/// crate has one such type (`query::GraphState`).
#[derive(Default)]
pub(crate) struct Attached(OnceLock<Box<dyn Attachment>>);

impl Attached {
    /// The attachment, created on first use.
    ///
    /// # Panics
    /// If an attachment of another type was made first: a bug, as the
    /// crate attaches one type only.
    #[inline]
    pub(crate) fn get<T: Attachment + Default>(&self) -> &T {
        let attached = self.0.get_or_init(|| Box::new(T::default()));
        match attached.as_any().downcast_ref() {
            Some(state) => state,
            None => unreachable!("a graph holds one type of attachment"),
        }
    }

    /// The attachment for changing, created on first use.
    ///
    /// # Panics
    /// As [`get`](Self::get).
    pub(crate) fn get_mut<T: Attachment + Default>(&mut self) -> &mut T {
        if self.0.get().is_none() {
            self.0 = OnceLock::from(Box::new(T::default()) as Box<dyn Attachment>);
        }
        match self.0.get_mut().and_then(|a| a.as_any_mut().downcast_mut()) {
            Some(state) => state,
            None => unreachable!("a graph holds one type of attachment"),
        }
    }
}

impl Clone for Attached {
    fn clone(&self) -> Attached {
        Attached(self.0.get().map(|a| OnceLock::from(a.for_clone())).unwrap_or_default())
    }
}

impl fmt::Debug for Attached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() { "Attached(..)" } else { "Attached(none)" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Kept {
        carried: Vec<u32>,
        cached: Vec<u32>,
    }

    impl Attachment for Kept {
        fn for_clone(&self) -> Box<dyn Attachment> {
            Box::new(Kept { carried: self.carried.clone(), cached: Vec::new() })
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    }

    #[test]
    fn made_on_first_use_and_cloned_as_the_attachment_says() {
        let mut attached = Attached::default();
        assert!(attached.get::<Kept>().carried.is_empty());
        attached.get_mut::<Kept>().carried.push(1);
        attached.get_mut::<Kept>().cached.push(2);
        let clone = attached.clone();
        assert_eq!(clone.get::<Kept>().carried, [1]);
        assert!(clone.get::<Kept>().cached.is_empty());
        assert_eq!(attached.get::<Kept>().cached, [2]);
        let mut fresh = Attached::default();
        fresh.get_mut::<Kept>().cached.push(3);
        assert_eq!(fresh.get::<Kept>().cached, [3]);
        assert!(Attached::default().clone().0.get().is_none());
    }

    #[test]
    fn every_graph_and_every_clone_has_its_own_uid() {
        let a = Identity::default();
        let b = a.clone();
        assert_ne!(a.uid(), b.uid());
        assert_ne!(a.uid(), Identity::default().uid());
    }
}
