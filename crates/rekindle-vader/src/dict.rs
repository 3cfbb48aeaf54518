//! A small open-addressing hash table for the word dictionaries: keys are lowercase words of
//! at most [`MAX_KEY`] bytes packed into three `u64`s (the last byte holds the length), so a
//! lookup is one multiply-shift hash and a 24-byte compare, with no allocation.

/// Longest key (bytes). Every key that can ever match is shorter (the longest is 19).
pub(crate) const MAX_KEY: usize = 23;

/// A packed key; all-zero marks an empty slot (a real key has a non-zero length byte).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Key([u64; 3]);

impl Key {
    /// Packs `buf[..len]` (the bytes past `len` must be zero), `1 ≤ len ≤ MAX_KEY`.
    #[inline]
    pub(crate) fn from_buf(mut buf: [u8; 24], len: usize) -> Key {
        buf[MAX_KEY] = len as u8;
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&buf[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        Key([word(0), word(1), word(2)])
    }

    /// Packs words whose bytes past `len` are zero, `1 ≤ len ≤ MAX_KEY`.
    #[inline]
    pub(crate) fn from_words(mut w: [u64; 3], len: usize) -> Key {
        w[2] |= (len as u64) << 56;
        Key(w)
    }

    /// `None` if the word is empty or longer than [`MAX_KEY`].
    pub(crate) fn new(word: &[u8]) -> Option<Key> {
        if word.is_empty() || word.len() > MAX_KEY {
            return None;
        }
        let mut buf = [0u8; 24];
        buf[..word.len()].copy_from_slice(word);
        Some(Key::from_buf(buf, word.len()))
    }

    #[inline]
    fn hash(&self) -> u64 {
        let [a, b, c] = self.0;
        let h = (a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.rotate_left(23) ^ c.rotate_left(47))
            .wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
        h ^ (h >> 29)
    }
}

/// Open addressing with linear probing over a compact slot array (`u32`: a 16-bit hash
/// fingerprint and the 1-based index of the entry; 0 = empty), so that a lookup, and
/// especially a miss (most words of a sentence are not in the lexicon), touches one small
/// cache-resident array and at most one dense key.
pub(crate) struct Dict<V> {
    slots: Vec<u32>,
    /// Key and value side by side: a hit reads one cache line after the slot.
    entries: Vec<(Key, V)>,
    shift: u32,
}

impl<V: Copy + Default> Dict<V> {
    /// A table for up to `n` (< 65,535) entries at a load factor ≤ 1/4: most words looked
    /// up are not in it, and a miss probes until an empty slot (about 1.4 slots at 1/4
    /// against 2.3 at 1/2); the slots are 4 bytes, so the VADER table is 128 KiB.
    pub(crate) fn with_capacity(n: usize) -> Self {
        let slots = (4 * n).next_power_of_two().max(16);
        Dict {
            slots: vec![0; slots],
            entries: Vec::with_capacity(n),
            shift: 64 - slots.trailing_zeros(),
        }
    }

    /// (slot position, entry index if the key is present).
    #[inline(always)]
    fn find(&self, key: &Key) -> (usize, Option<usize>) {
        let h = key.hash();
        let fp = ((h >> 8) & 0xffff) as u32;
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return (i, None);
            }
            if slot >> 16 == fp {
                let idx = (slot & 0xffff) as usize - 1;
                if self.entries[idx].0 == *key {
                    return (i, Some(idx));
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[inline(always)]
    pub(crate) fn get(&self, key: &Key) -> Option<&V> {
        self.find(key).1.map(|idx| &self.entries[idx].1)
    }

    /// The value for `key`, inserted as `V::default()` if absent.
    pub(crate) fn entry(&mut self, key: Key) -> &mut V {
        let idx = match self.find(&key) {
            (_, Some(idx)) => idx,
            (pos, None) => {
                let idx = self.entries.len();
                assert!(
                    idx < 0xffff && 2 * (idx + 1) <= self.slots.len(),
                    "Dict capacity exceeded"
                );
                let fp = ((key.hash() >> 8) & 0xffff) as u32;
                self.slots[pos] = (fp << 16) | (idx as u32 + 1);
                self.entries.push((key, V::default()));
                idx
            }
        };
        &mut self.entries[idx].1
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn insert_and_find() {
        let mut d: Dict<u32> = Dict::with_capacity(100);
        for (i, w) in ["a", "ab", "abc", "good", "a\0", "x".repeat(23).as_str()]
            .iter()
            .enumerate()
        {
            *d.entry(Key::new(w.as_bytes()).unwrap()) = i as u32 + 1;
        }
        assert_eq!(d.len(), 6);
        assert_eq!(d.get(&Key::new(b"good").unwrap()), Some(&4));
        assert_eq!(d.get(&Key::new(b"a").unwrap()), Some(&1));
        // The length byte keeps "a" and "a\0" apart.
        assert_eq!(d.get(&Key::new(b"a\0").unwrap()), Some(&5));
        assert_eq!(d.get(&Key::new(b"goo").unwrap()), None);
        assert!(Key::new(&[b'x'; 24]).is_none());
        assert!(Key::new(b"").is_none());
    }
}
