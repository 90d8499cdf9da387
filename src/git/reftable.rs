//! A minimal reader of git's reftable ref storage (`git init --ref-format=reftable`): enough to
//! resolve HEAD, and to tell whether any `refs/replace/` ref exists, without a git process.
//!
//! A stack is `reftable/tables.list`, naming tables oldest first; a newer table's record of a
//! name (a deletion included) hides the older ones. A table is a header, ref blocks (`'r'`,
//! prefix-compressed records, restart offsets at the end, NUL padding between blocks), then
//! index, object and log blocks we never read, and a footer. Format:
//! git's `Documentation/technical/reftable.txt`. Anything unexpected answers `None`, and the
//! caller asks git instead.

use std::path::Path;

/// What a ref holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefValue {
    /// An object id, raw bytes.
    Id(Vec<u8>),
    /// A symbolic ref: the name of its target.
    Symbolic(String),
}

/// The tables of one stack, newest first, read whole (they are small: git compacts them).
pub struct Stack {
    tables: Vec<Vec<u8>>,
}

impl Stack {
    /// Reads the stack in `reftable_dir`; `None` if it cannot be read or parsed.
    #[must_use]
    pub fn open(reftable_dir: &Path) -> Option<Stack> {
        let list = std::fs::read_to_string(reftable_dir.join("tables.list")).ok()?;
        let mut tables = Vec::new();
        for name in list.lines().rev().filter(|l| !l.is_empty()) {
            let bytes = std::fs::read(reftable_dir.join(name)).ok()?;
            header(&bytes)?;
            tables.push(bytes);
        }
        Some(Stack { tables })
    }

    /// The value of ref `name`: `Some(None)` when no table has it (or its newest record is a
    /// deletion), `None` when a table could not be parsed.
    #[must_use]
    pub fn lookup(&self, name: &str) -> Option<Option<RefValue>> {
        for table in &self.tables {
            let mut found = None;
            scan(table, &mut |record_name, value| {
                if record_name == name.as_bytes() {
                    found = Some(value.clone());
                    return false;
                }
                // Records are sorted: past the name, it is not in this table.
                record_name < name.as_bytes()
            })?;
            if let Some(value) = found {
                return Some(value);
            }
        }
        Some(None)
    }

    /// Whether a live ref starts with `prefix` (a deletion in a newer table hides an older one).
    #[must_use]
    pub fn any_with_prefix(&self, prefix: &str) -> Option<bool> {
        let mut seen: Vec<(Vec<u8>, bool)> = Vec::new();
        for table in &self.tables {
            scan(table, &mut |name, value| {
                if name.starts_with(prefix.as_bytes()) && !seen.iter().any(|(n, _)| n == name) {
                    seen.push((name.to_vec(), value.is_some()));
                }
                true
            })?;
        }
        Some(seen.iter().any(|(_, live)| *live))
    }
}

/// The header's length and the raw id length of the table's hash.
fn header(table: &[u8]) -> Option<(usize, usize)> {
    if table.get(..4)? != b"REFT" {
        return None;
    }
    match table.get(4)? {
        1 => Some((24, 20)),
        2 => match table.get(24..28)? {
            b"sha1" => Some((28, 20)),
            b"s256" => Some((28, 32)),
            _ => None,
        },
        _ => None,
    }
}

/// Calls `visit(name, value)` for each ref record in order, `None` for a deletion, until it
/// returns `false`. `None` if the table is not as expected.
fn scan(table: &[u8], visit: &mut dyn FnMut(&[u8], &Option<RefValue>) -> bool) -> Option<()> {
    let (header_len, id_len) = header(table)?;
    let footer_len = if header_len == 24 { 68 } else { 72 };
    let end = table.len().checked_sub(footer_len)?;
    let mut block_start = 0;
    let mut pos = header_len;
    loop {
        if pos >= end || table[pos] != b'r' {
            return Some(());
        }
        let block_len = u24(table, pos + 1)?;
        // The first block starts at 0: its length counts the file header before it.
        let block_end = block_start + block_len;
        let restarts = usize::from(u16::from_be_bytes(
            table
                .get(block_end.checked_sub(2)?..block_end)?
                .try_into()
                .ok()?,
        ));
        let records_end = block_end.checked_sub(2 + 3 * restarts)?;
        let mut name = Vec::new();
        let mut at = pos + 4;
        while at < records_end {
            let prefix = varint(table, &mut at)? as usize;
            let suffix_and_type = varint(table, &mut at)?;
            let suffix = (suffix_and_type >> 3) as usize;
            name.truncate(prefix);
            name.extend_from_slice(table.get(at..at + suffix)?);
            at += suffix;
            varint(table, &mut at)?; // update_index_delta
            let value = match suffix_and_type & 7 {
                0 => None,
                1 => {
                    let id = table.get(at..at + id_len)?.to_vec();
                    at += id_len;
                    Some(RefValue::Id(id))
                }
                2 => {
                    let id = table.get(at..at + id_len)?.to_vec();
                    at += 2 * id_len;
                    Some(RefValue::Id(id))
                }
                3 => {
                    let len = varint(table, &mut at)? as usize;
                    let text = std::str::from_utf8(table.get(at..at + len)?).ok()?;
                    at += len;
                    let target = text.strip_prefix("ref: ").unwrap_or(text);
                    Some(RefValue::Symbolic(target.to_owned()))
                }
                _ => return None,
            };
            if !visit(&name, &value) {
                return Some(());
            }
        }
        // Ref blocks are NUL-padded to the block size, except (sometimes) the last.
        pos = block_end;
        while pos < end && table[pos] == 0 {
            pos += 1;
        }
        block_start = pos;
    }
}

fn u24(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 3)?;
    Some(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
}

/// The varint of reftable and pack offsets: each continuation adds one before shifting.
fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut byte = *bytes.get(*at)?;
    *at += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *bytes.get(*at)?;
        *at += 1;
        value = value.checked_add(1)?.checked_shl(7)? | u64::from(byte & 0x7f);
    }
    Some(value)
}
