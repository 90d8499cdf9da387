//! Object ids of either hash git knows (SHA-1, SHA-256), and git's blob id of some bytes in
//! each, so a pending write compares with HEAD's blob in the repository's own hash.

use std::fmt;

/// The hash a repository names its objects by (`extensions.objectFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectFormat {
    #[default]
    Sha1,
    Sha256,
}

impl ObjectFormat {
    /// The format of an id of `hex_len` hex digits.
    #[must_use]
    pub fn of_hex_len(hex_len: usize) -> Option<Self> {
        match hex_len {
            40 => Some(ObjectFormat::Sha1),
            64 => Some(ObjectFormat::Sha256),
            _ => None,
        }
    }

    /// Bytes in a raw id.
    #[must_use]
    pub fn raw_len(self) -> usize {
        match self {
            ObjectFormat::Sha1 => 20,
            ObjectFormat::Sha256 => 32,
        }
    }

    /// git's id of a blob holding `bytes`, in hex.
    #[must_use]
    pub fn blob_id(self, bytes: &[u8]) -> String {
        match self {
            ObjectFormat::Sha1 => git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
                .map(|id| id.to_string())
                .unwrap_or_default(),
            ObjectFormat::Sha256 => {
                let mut hasher = Sha256::new();
                hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
                hasher.update(bytes);
                hex(&hasher.finish())
            }
        }
    }
}

/// Whether `id` (hex, either hash) is git's blob id of `bytes`: the hash is the id's own.
#[must_use]
pub fn is_blob_of(id: &str, bytes: &[u8]) -> bool {
    ObjectFormat::of_hex_len(id.len()).is_some_and(|format| format.blob_id(bytes) == id)
}

/// An object id of either hash, stored inline so it is `Copy` like `git2::Oid`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    bytes: [u8; 32],
    len: u8,
}

impl ObjectId {
    /// The id of `raw` bytes (20 or 32 of them).
    #[must_use]
    pub fn from_raw(raw: &[u8]) -> Option<Self> {
        ObjectFormat::of_hex_len(raw.len() * 2)?;
        let mut bytes = [0; 32];
        bytes[..raw.len()].copy_from_slice(raw);
        Some(ObjectId {
            bytes,
            len: raw.len() as u8,
        })
    }

    /// Parses 40 or 64 hex digits.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Self> {
        ObjectFormat::of_hex_len(text.len())?;
        let mut raw = [0; 32];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            let digit = |b: u8| (b as char).to_digit(16);
            raw[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
        }
        Self::from_raw(&raw[..text.len() / 2])
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// libgit2's form of a SHA-1 id; `None` for a SHA-256 one, which libgit2 cannot read here.
    #[must_use]
    pub fn to_git2(&self) -> Option<git2::Oid> {
        (self.len == 20)
            .then(|| git2::Oid::from_bytes(self.as_bytes()).ok())
            .flatten()
    }
}

impl From<git2::Oid> for ObjectId {
    fn from(id: git2::Oid) -> Self {
        ObjectId::from_raw(id.as_bytes()).expect("libgit2 ids are 20 bytes")
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(self.as_bytes()))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 15)] as char);
    }
    text
}

/// SHA-256 (FIPS 180-4), for blob ids in SHA-256 repositories: libgit2 0.20 has none, and a
/// crate for one function would cost more to build than these lines.
struct Sha256 {
    state: [u32; 8],
    buffer: Vec<u8>,
    length: u64,
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

impl Sha256 {
    fn new() -> Self {
        Sha256 {
            state: [
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
                0x5be0cd19,
            ],
            buffer: Vec::with_capacity(64),
            length: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.length += data.len() as u64;
        if !self.buffer.is_empty() {
            let take = (64 - self.buffer.len()).min(data.len());
            self.buffer.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buffer.len() < 64 {
                return;
            }
            let block: [u8; 64] = self.buffer[..].try_into().expect("64 bytes");
            self.compress(&block);
            self.buffer.clear();
        }
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            self.compress(block.try_into().expect("64 bytes"));
        }
        self.buffer.extend_from_slice(blocks.remainder());
    }

    fn finish(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        let mut tail = vec![0x80];
        tail.resize((119 - self.buffer.len()) % 64 + 1, 0);
        tail.extend_from_slice(&bits.to_be_bytes());
        let length = self.length;
        self.update(&tail);
        debug_assert!(self.buffer.is_empty() && self.length > length);
        let mut out = [0; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    fn compress(&mut self, block: &[u8; 64]) {
        let mut w = [0u32; 64];
        for (i, chunk) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes(chunk.try_into().expect("4 bytes"));
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = self.state;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            (h, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        }
        for (word, add) in self.state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *word = word.wrapping_add(add);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_match_git_hash_object_in_both_formats() {
        // `git hash-object --stdin` and `git --object-format=sha256 hash-object --stdin`.
        assert_eq!(
            ObjectFormat::Sha1.blob_id(b"hi\n"),
            "45b983be36b73c0788dc9cbcb76cbb80fc7bb057"
        );
        assert_eq!(
            ObjectFormat::Sha256.blob_id(b"hi\n"),
            "96c18f0297e38d01f4b2dacddea4259aea6b2961eb0822bd2c0c3f6029030045"
        );
        assert_eq!(
            ObjectFormat::Sha256.blob_id(b""),
            "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813"
        );
        let long = vec![b'x'; 1000];
        assert_eq!(
            ObjectFormat::Sha256.blob_id(&long),
            "8d03eb17f82ab2055eda88a0f1aaf8be660c74fbfe318f48d1055cdb435c081c"
        );
        assert!(is_blob_of(&ObjectFormat::Sha256.blob_id(&long), &long));
        assert!(!is_blob_of(&ObjectFormat::Sha256.blob_id(&long), b"x"));
    }

    #[test]
    fn ids_round_trip_through_hex() {
        let sha1 = "45b983be36b73c0788dc9cbcb76cbb80fc7bb057";
        let id = ObjectId::from_hex(sha1).unwrap();
        assert_eq!(id.to_string(), sha1);
        assert_eq!(id.to_git2().unwrap().to_string(), sha1);
        let sha256 = "2e65efe2a145dda7ee51d1741299f848e5bf752e6a3df3c5e6c2fc7a9b3f8b2d";
        assert_eq!(ObjectId::from_hex(sha256).unwrap().to_string(), sha256);
        assert!(ObjectId::from_hex("xyz").is_none());
        assert!(ObjectId::from_hex(&"g".repeat(40)).is_none());
    }
}
