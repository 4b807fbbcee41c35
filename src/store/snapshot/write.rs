//! Writing a snapshot: sections with their lengths, the body's running length and
//! CRC-32, and the variable-length integers and strings the sections are made of.

use std::io::Write;

use super::*;

pub(super) fn invalid_input(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

/// Writes a snapshot's frame and its sections, keeping the body's length
/// and checksum for the trailer.
pub(super) struct Writer<W> {
    out: W,
    hasher: crc32fast::Hasher,
    len: u64,
    /// The section being built.
    pub(super) buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Writes the magic bytes and `version` to `out`; the body follows.
    pub(super) fn begin(mut out: W, version: u32) -> std::io::Result<Writer<W>> {
        out.write_all(&SNAPSHOT_MAGIC)?;
        out.write_all(&version.to_le_bytes())?;
        Ok(Writer { out, hasher: crc32fast::Hasher::new(), len: 0, buf: Vec::with_capacity(CHUNK) })
    }

    /// Writes the trailer: the body's length, its CRC-32 and the end marker.
    pub(super) fn end(mut self) -> std::io::Result<()> {
        let mut trailer = Vec::with_capacity(TRAILER);
        trailer.extend_from_slice(&self.len.to_le_bytes());
        trailer.extend_from_slice(&self.hasher.finalize().to_le_bytes());
        trailer.extend_from_slice(&END);
        self.out.write_all(&trailer)
    }

    pub(super) fn body(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        self.out.write_all(bytes)
    }

    /// Writes `buf` as a section with `tag`, and empties it.
    pub(super) fn section(&mut self, tag: u8) -> std::io::Result<()> {
        let mut head = [0u8; 9];
        head[0] = tag;
        head[1..].copy_from_slice(&(self.buf.len() as u64).to_le_bytes());
        self.body(&head)?;
        let buf = std::mem::take(&mut self.buf);
        let written = self.body(&buf);
        self.buf = buf;
        self.buf.clear();
        written
    }

    /// Writes `items` as sections of `tag`, each a count and that many
    /// items of about [`CHUNK`] bytes in all. Nothing at all for no items.
    pub(super) fn chunked<T>(
        &mut self,
        tag: u8,
        items: impl Iterator<Item = T>,
        mut put: impl FnMut(&mut Vec<u8>, T) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut items = items.peekable();
        let mut chunk = Vec::with_capacity(CHUNK + 4096);
        while items.peek().is_some() {
            chunk.clear();
            let mut count = 0u64;
            while chunk.len() < CHUNK {
                let Some(item) = items.next() else { break };
                put(&mut chunk, item)?;
                count += 1;
            }
            put_uv(&mut self.buf, count);
            self.buf.extend_from_slice(&chunk);
            self.section(tag)?;
        }
        Ok(())
    }
}

pub(in crate::store) fn put_uv(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

pub(super) fn put_iv(buf: &mut Vec<u8>, v: i64) {
    put_uv(buf, ((v << 1) ^ (v >> 63)) as u64);
}

pub(in crate::store) fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_uv(buf, s.len() as u64);
    buf.extend_from_slice(s.as_bytes());
}
