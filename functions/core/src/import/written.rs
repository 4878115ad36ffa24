//! What an import run on a municipality without persons has written, as a Bloom filter over
//! its index lookups, so that its plan and duplicate checks read the store only for keys the
//! run may have written itself.
//!
//! Why this is exact: the run holds the persons lease, so nobody else creates or changes a
//! person while it runs ([`crate::persons::import_lease`]), and it starts only when no person is
//! listed ([`crate::persons::index::nobody_listed`]). Then every index entry in the store was
//! written by this run and remembered here before it was written; a Bloom filter has no false
//! negatives, so "not remembered" means "absent". A false positive only costs the read it would
//! have made anyway. The filter lives in memory for one run: a resumed run reads everything.

use std::hash::{BuildHasher, RandomState};
use std::sync::RwLock;

/// Bits remembered per entry: about 1 % false positives for a cache-line-blocked filter.
const BITS_PER_ENTRY: usize = 10;
/// Bits set per entry, all inside one 512-bit block (one cache line).
const PROBES: u32 = 7;
/// The first filter's size when the file says little (entries).
const MIN_ENTRIES: usize = 1 << 16;
/// Index lookups a row of a person file can add (My Number, 業務ID, kana + birth date), and the
/// fewest bytes such a row takes, to size the first filter from the file size.
const LOOKUPS_PER_ROW: usize = 3;
const MIN_ROW_BYTES: u64 = 100;

/// Index lookups this run has written (see the module docs). Safe to share between tasks.
pub(crate) struct WrittenKeys {
    hasher: RandomState,
    filters: RwLock<Vec<Filter>>,
}

/// One fixed-size blocked Bloom filter; a full one is followed by one twice its size.
struct Filter {
    blocks: Vec<[u64; 8]>,
    capacity: usize,
    len: usize,
}

impl Filter {
    fn with_capacity(capacity: usize) -> Self {
        let blocks = (capacity * BITS_PER_ENTRY).div_ceil(512).max(1);
        Self {
            blocks: vec![[0; 8]; blocks],
            capacity,
            len: 0,
        }
    }

    /// The block and the bits of a hash: the low half picks the block, the high half the bits.
    fn probes(&self, hash: u64) -> (usize, impl Iterator<Item = (usize, u64)> + use<>) {
        let block = ((hash & 0xffff_ffff) as usize * self.blocks.len()) >> 32;
        let bits = hash >> 32;
        // Kirsch–Mitzenmacher: probe i at (a + i·b) mod 512, b odd so the probes differ.
        let (a, b) = (bits & 511, ((bits >> 9) & 511) | 1);
        let positions = (0..u64::from(PROBES)).map(move |i| {
            let bit = (a + i * b) & 511;
            ((bit / 64) as usize, 1u64 << (bit % 64))
        });
        (block, positions)
    }

    fn insert(&mut self, hash: u64) {
        let (block, probes) = self.probes(hash);
        for (word, mask) in probes {
            self.blocks[block][word] |= mask;
        }
        self.len += 1;
    }

    fn may_contain(&self, hash: u64) -> bool {
        let (block, mut probes) = self.probes(hash);
        probes.all(|(word, mask)| self.blocks[block][word] & mask != 0)
    }
}

impl WrittenKeys {
    /// An empty memory for an import of a file of `file_bytes`.
    pub(crate) fn for_file(file_bytes: u64) -> Self {
        let rows = usize::try_from(file_bytes / MIN_ROW_BYTES).unwrap_or(usize::MAX);
        let entries = rows
            .saturating_mul(LOOKUPS_PER_ROW)
            .clamp(MIN_ENTRIES, 64 * 1024 * 1024);
        Self {
            hasher: RandomState::new(),
            filters: RwLock::new(vec![Filter::with_capacity(entries)]),
        }
    }

    fn hash(&self, partition: &str, sort_prefix: &str) -> u64 {
        self.hasher.hash_one((partition, sort_prefix))
    }

    /// Remembers a lookup: an index partition and, for shared partitions, a sort-key prefix.
    pub(crate) fn remember(&self, partition: &str, sort_prefix: &str) {
        let hash = self.hash(partition, sort_prefix);
        // A poisoned lock means a panic elsewhere while inserting; the bits set so far are
        // still valid (a filter only gains bits), so carry on with them.
        let mut filters = self
            .filters
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if filters.last().is_none_or(|f| f.len >= f.capacity) {
            let next = filters.last().map_or(MIN_ENTRIES, |f| f.capacity * 2);
            filters.push(Filter::with_capacity(next));
        }
        if let Some(last) = filters.last_mut() {
            last.insert(hash);
        }
    }

    /// Whether this run may have written the lookup; `false` means it did not.
    pub(crate) fn may_have_written(&self, partition: &str, sort_prefix: &str) -> bool {
        let hash = self.hash(partition, sort_prefix);
        let filters = self
            .filters
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        filters.iter().any(|f| f.may_contain(hash))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn everything_remembered_is_reported_as_maybe_written(
            lookups in proptest::collection::vec(("[A-Z]{2,5}#[0-9a-f]{8}", "[0-9a-f]{0,4}"), 1..400),
        ) {
            // A tiny first filter, so the test also crosses into the grown ones.
            let written = WrittenKeys::for_file(0);
            for (partition, prefix) in &lookups {
                written.remember(partition, prefix);
            }
            for (partition, prefix) in &lookups {
                prop_assert!(written.may_have_written(partition, prefix));
            }
        }
    }

    #[test]
    fn a_grown_memory_keeps_false_positives_near_one_percent() {
        let written = WrittenKeys::for_file(0);
        let remembered = 3 * MIN_ENTRIES;
        for n in 0..remembered {
            written.remember(&format!("MN#{n:016x}"), "");
        }
        assert_eq!(written.filters.read().unwrap().len(), 2, "it grew once");
        let probes = 100_000;
        let false_positives = (0..probes)
            .filter(|n| written.may_have_written(&format!("BID#{n:016x}"), ""))
            .count();
        // Two filters at about 1 % each.
        assert!(
            false_positives < probes * 3 / 100,
            "{false_positives} of {probes} unwritten lookups reported as maybe written"
        );
    }

    #[test]
    fn the_first_filter_is_sized_from_the_file() {
        let written = WrittenKeys::for_file(130 * 1_000_000);
        let filters = written.filters.read().unwrap();
        assert_eq!(filters[0].capacity, 1_300_000 * LOOKUPS_PER_ROW);
        // 10 bits per entry: under 5 MB for a 1,000,000-row file.
        assert!(filters[0].blocks.len() * 64 < 5_000_000);
    }
}
