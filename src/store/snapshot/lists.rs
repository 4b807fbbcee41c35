//! The packed relationship lists in a snapshot (format version 2).
//!
//! Opening a version 1 snapshot builds both directions' lists from the
//! relationship records: two counting sorts whose every write lands in a
//! random place of an array far larger than the caches, a third of the
//! time an open took at ten million nodes. Version 2 stores the lists as
//! they are in memory, so opening reads them in file order.
//!
//! Stored lists are not trusted: each entry's ends and type must be in
//! range, each node's list newest first, and the relationships of each
//! direction, summed as `digest_one` digests, must be those of the
//! records, which the reader sums as it adds them to the graph. A file
//! whose lists disagree with its relationships is refused as corrupt.

use std::io::Write;

use super::super::adjacency::{Entry, Lists};
use super::stream::Sections;
use super::{corrupt, le32, Corrupt, Writer};

/// Section tags: each direction's list lengths (one u32 per node), then
/// its entries (other end, relationship, type: three u32 each).
const OUT_DEGREES: u8 = 8;
const OUT_ENTRIES: u8 = 9;
const IN_DEGREES: u8 = 10;
const IN_ENTRIES: u8 = 11;

/// The first and last tags of the lists' sections, which end the body.
pub(super) const FIRST_TAG: u8 = OUT_DEGREES;
pub(super) const LAST_TAG: u8 = IN_ENTRIES;

const ONE_ENTRY: usize = 12;

/// Writes both directions' lists, outgoing first.
pub(super) fn write_lists<W: Write>(w: &mut Writer<W>, lists: [&Lists; 2]) -> std::io::Result<()> {
    for (list, [degrees, entries]) in
        lists.into_iter().zip([[OUT_DEGREES, OUT_ENTRIES], [IN_DEGREES, IN_ENTRIES]])
    {
        w.chunked(degrees, list.degrees(), |buf, d| {
            buf.extend_from_slice(&d.to_le_bytes());
            Ok(())
        })?;
        w.chunked(entries, list.raw_entries(), |buf, e| {
            for v in e {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Both directions' lists from `r` to the end of the body, with the digest
/// of each direction's relationships, for the caller to compare with the
/// records'.
pub(super) fn read_lists(
    r: &mut impl Sections,
    nodes: usize,
    relationships: usize,
    types: usize,
) -> Result<[(Lists, u64); 2], Corrupt> {
    let mut one = |[degrees_tag, entries_tag]: [u8; 2], outgoing: bool| {
        let mut degrees = Vec::with_capacity(nodes);
        fixed_width(r, degrees_tag, nodes, 4, "list length", |b| {
            degrees.push(le32(b, 0));
            Ok(())
        })?;
        let mut entries = Vec::with_capacity(relationships);
        fixed_width(r, entries_tag, relationships, ONE_ENTRY, "list entry", |b| {
            let (other, edge, ty) = (le32(b, 0), le32(b, 4), le32(b, 8));
            if other as usize >= nodes || ty as usize >= types {
                return corrupt(format!("a list entry to node {other} of type {ty} is out of range"));
            }
            entries.push(Entry::new(other, edge, ty));
            Ok(())
        })?;
        let direction = if outgoing { "outgoing" } else { "incoming" };
        Lists::from_stored(&degrees, entries, relationships, outgoing).ok_or_else(|| {
            Corrupt(format!(
                "the {direction} lists' lengths do not add up to their entries, or a list is out of order"
            ))
        })
    };
    let outgoing = one([OUT_DEGREES, OUT_ENTRIES], true)?;
    let incoming = one([IN_DEGREES, IN_ENTRIES], false)?;
    r.finish("list")?;
    Ok([outgoing, incoming])
}

/// Chunked sections of `tag` holding `total` records of `width` bytes in
/// all, each record handed to `record`.
fn fixed_width(
    r: &mut impl Sections,
    tag: u8,
    total: usize,
    width: usize,
    what: &str,
    mut record: impl FnMut(&[u8]) -> Result<(), Corrupt>,
) -> Result<(), Corrupt> {
    let mut read = 0usize;
    while read < total {
        let (mut section, n) = r.chunk(tag, read, total, width, what)?;
        for b in section.take(n * width)?.chunks_exact(width) {
            record(b)?;
        }
        section.done(what)?;
        read += n;
    }
    Ok(())
}
