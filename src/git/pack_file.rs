//! Pack files as git writes them: an object's offset from the pack's index (version 2), a
//! delta entry's base and inflated delta, and git's delta format applied to a base. Only what
//! `pack_deltas` and `pack_blobs` need; whatever else a pack holds is left to libgit2 (`None`).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The largest delta read here (a tree's delta against its previous version is a few bytes to
/// a few MB).
const MAX_DELTA: usize = 256 << 20;

/// A delta's base: at an offset of the same pack, or by id.
pub(super) enum Base {
    Offset(u64),
    Id([u8; 20]),
}

/// What a pack entry read here holds.
pub(super) enum Entry {
    /// A whole tree, inflated.
    Tree(Vec<u8>),
    /// A delta, inflated, against its base.
    Delta(Base, Vec<u8>),
}

/// Every pack of the object folder `objects` whose index is read here (version 2), in the
/// order of their names; a pack that cannot be read is left to libgit2.
pub(super) fn open_all(objects: &Path) -> Vec<Pack> {
    let mut indexes: Vec<_> = std::fs::read_dir(objects.join("pack"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
        .collect();
    indexes.sort();
    indexes.iter().filter_map(|idx| Pack::open(idx)).collect()
}

/// One pack file and its index (version 2).
pub(super) struct Pack {
    file: File,
    /// The index, mapped: a lookup reads the fan-out and the few pages its binary search
    /// visits, not the whole file (2.8 MB at 100k issues), so an incremental sync of a few
    /// hundred files can use the packs too.
    index: memmap2::Mmap,
    count: usize,
}

impl Pack {
    pub(super) fn open(idx: &Path) -> Option<Pack> {
        // SAFETY: git writes a pack index once, under a temporary name, and renames it into
        // place; `gc` unlinks old ones and never rewrites or truncates one in place.
        let index = unsafe { memmap2::Mmap::map(&File::open(idx).ok()?) }.ok()?;
        if index.get(..8)? != b"\xfftOc\0\0\0\x02" {
            return None;
        }
        let count = usize::try_from(be32(&index, 8 + 255 * 4)?).ok()?;
        // Header, fanout, ids, CRCs, 4-byte offsets, the pack's and the index's checksums.
        if index.len() < 8 + 1024 + count * 28 + 40 {
            return None;
        }
        let file = File::open(idx.with_extension("pack")).ok()?;
        Some(Pack { file, index, count })
    }

    /// The offset of object `id` in the pack.
    pub(super) fn offset_of(&self, id: &[u8]) -> Option<u64> {
        let first = usize::from(id[0]);
        let lo = if first == 0 {
            0
        } else {
            be32(&self.index, 8 + (first - 1) * 4)? as usize
        };
        let hi = be32(&self.index, 8 + first * 4)? as usize;
        let ids = 8 + 1024;
        let (mut lo, mut hi) = (lo, hi.min(self.count));
        while lo < hi {
            let mid = (lo + hi) / 2;
            let at = ids + mid * 20;
            match self.index[at..at + 20].cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let offsets = ids + self.count * 24;
                    let small = be32(&self.index, offsets + mid * 4)?;
                    if small & 0x8000_0000 == 0 {
                        return Some(u64::from(small));
                    }
                    let large = offsets + self.count * 4 + (small & 0x7fff_ffff) as usize * 8;
                    let high = u64::from(be32(&self.index, large)?);
                    return Some((high << 32) | u64::from(be32(&self.index, large + 4)?));
                }
            }
        }
        None
    }

    /// Reads the pack's bytes from `offset` into `buf`, as many as there are; how many.
    pub(super) fn read_at(&self, buf: &mut [u8], offset: u64) -> Option<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match self
                .file
                .read_at(&mut buf[filled..], offset + filled as u64)
            {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        Some(filled)
    }

    /// The entry at `offset`: a whole tree or a delta; `None` for anything else.
    pub(super) fn entry_at(&self, offset: u64) -> Option<Entry> {
        let mut head = [0u8; 64];
        let read = self.file.read_at(&mut head, offset).ok()?;
        let head = &head[..read];
        let (kind, size, mut at) = object_header(head)?;
        let base = match kind {
            2 => None,
            6 => {
                let mut byte = *head.get(at)?;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    at += 1;
                    byte = *head.get(at)?;
                    back = ((back + 1) << 7) | u64::from(byte & 0x7f);
                }
                at += 1;
                Some(Base::Offset(offset.checked_sub(back)?))
            }
            7 => {
                let id = head.get(at..at + 20)?.try_into().ok()?;
                at += 20;
                Some(Base::Id(id))
            }
            _ => return None,
        };
        // A size no tree or delta has is a damaged entry, left to libgit2 (not an allocation).
        if size > MAX_DELTA {
            return None;
        }
        // zlib's stored blocks add 5 bytes per 16 KB and the stream 6: enough for any delta.
        let mut compressed = vec![0u8; size + size / 1024 + 64];
        let start = offset + u64::try_from(at).ok()?;
        let read = self.file.read_at(&mut compressed, start).ok()?;
        let data = inflate(&compressed[..read], size)?;
        Some(match base {
            Some(base) => Entry::Delta(base, data),
            None => Entry::Tree(data),
        })
    }
}

/// The header of the pack entry starting `head`: its type (1 commit, 2 tree, 3 blob, 4 tag,
/// 6 and 7 deltas), its inflated size, and how many bytes the header takes (a delta's base
/// follows).
pub(super) fn object_header(head: &[u8]) -> Option<(u8, usize, usize)> {
    let mut at = 0;
    let mut byte = *head.get(at)?;
    let kind = (byte >> 4) & 7;
    let mut size = usize::from(byte & 15);
    let mut shift = 4;
    while byte & 0x80 != 0 {
        at += 1;
        byte = *head.get(at)?;
        size |= usize::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
    }
    Some((kind, size, at + 1))
}

/// The big-endian 32-bit number at `at` (pack and index files both store them so).
pub(super) fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Inflates the zlib stream at the start of `input`, which must give `size` bytes.
fn inflate(input: &[u8], size: usize) -> Option<Vec<u8>> {
    unsafe extern "C" fn alloc(_: *mut libc::c_void, items: u32, size: u32) -> *mut libc::c_void {
        // SAFETY: zlib frees what this returns with `free` below, and handles a null.
        unsafe { libc::calloc(items as usize, size as usize) }
    }
    unsafe extern "C" fn free(_: *mut libc::c_void, address: *mut libc::c_void) {
        // SAFETY: `address` came from `alloc` above.
        unsafe { libc::free(address) }
    }
    let mut out = vec![0u8; size];
    let mut stream = libz_sys::z_stream {
        next_in: input.as_ptr().cast_mut(),
        avail_in: u32::try_from(input.len()).ok()?,
        total_in: 0,
        next_out: out.as_mut_ptr(),
        avail_out: u32::try_from(size).ok()?,
        total_out: 0,
        msg: std::ptr::null_mut(),
        state: std::ptr::null_mut(),
        zalloc: alloc,
        zfree: free,
        opaque: std::ptr::null_mut(),
        data_type: 0,
        adler: 0,
        reserved: 0,
    };
    let stream_size = i32::try_from(std::mem::size_of::<libz_sys::z_stream>()).ok()?;
    // SAFETY: the stream points into `input` and `out`, which outlive it, with their lengths;
    // zlib reads no byte of `input` past `avail_in` nor writes past `avail_out`.
    let done = unsafe {
        if libz_sys::inflateInit_(&mut stream, libz_sys::zlibVersion(), stream_size)
            != libz_sys::Z_OK
        {
            return None;
        }
        let status = libz_sys::inflate(&mut stream, libz_sys::Z_FINISH);
        libz_sys::inflateEnd(&mut stream);
        status == libz_sys::Z_STREAM_END && stream.total_out as usize == size
    };
    done.then_some(out)
}

/// Git's delta format: the base's size, the result's, then copies from the base and inserts.
pub(super) fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let varint = |at: &mut usize| -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *delta.get(*at)?;
            *at += 1;
            value |= usize::from(byte & 0x7f).checked_shl(shift)?;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    };
    if varint(&mut at)? != base.len() {
        return None;
    }
    let size = varint(&mut at)?;
    // The header's size is only a hint until the result is built: a damaged delta must not
    // reserve gigabytes.
    let mut out = Vec::with_capacity(size.min(base.len() + delta.len()));
    while let Some(&op) = delta.get(at) {
        at += 1;
        if op & 0x80 != 0 {
            let (mut offset, mut len) = (0usize, 0usize);
            for bit in 0..4 {
                if op & (1 << bit) != 0 {
                    offset |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            for bit in 0..3 {
                if op & (0x10 << bit) != 0 {
                    len |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if op != 0 {
            let len = usize::from(op);
            out.extend_from_slice(delta.get(at..at + len)?);
            at += len;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_against_another_base_is_refused() {
        let base = b"0123456789";
        // Base size 10, result size 4: copy 4 bytes from offset 2.
        assert_eq!(
            apply_delta(base, &[10, 4, 0x91, 2, 4]).as_deref(),
            Some(&b"2345"[..])
        );
        assert!(apply_delta(b"short", &[10, 4, 0x91, 2, 4]).is_none());
        assert!(
            apply_delta(base, &[10, 4, 0x91, 8, 4]).is_none(),
            "copy past the end"
        );
    }
}
