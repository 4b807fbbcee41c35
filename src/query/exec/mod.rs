//! Executes a logical plan over the store.
