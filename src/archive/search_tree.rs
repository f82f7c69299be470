//! Binary searches over an archive's sorted lists (dirents by path, entries
//! by title) with the first levels of the search kept in memory.
//!
//! Every search starts at the same middle entry, then one of the same two
//! quarter entries, and so on: the top levels of the implicit search tree are
//! read by every lookup. Keeping the keys of the first `LEVELS` levels (at
//! most 2^LEVELS − 1 entries, filled as they are first visited, nothing read
//! in advance) leaves only the last log2(n) − LEVELS steps to the drive: 6 of
//! 18 for a 200,000-entry archive, instead of 18 reads of a pointer and a
//! dirent each.

use std::collections::HashMap;
use std::sync::RwLock;

/// Levels kept: up to 4,095 keys, around 200 KB for Wikipedia-like paths.
const LEVELS: u32 = 12;

#[derive(Debug, Default)]
pub(crate) struct SearchTree {
    keys: RwLock<HashMap<u32, Box<[u8]>>>,
}

impl SearchTree {
    /// First position in `0..count` whose key is not less than `target`,
    /// with `read_key(position)` giving the key at a position. Keys compare
    /// as bytes; the caller folds any namespace into them.
    pub(crate) fn lower_bound<E>(
        &self,
        count: u32,
        target: &[u8],
        mut read_key: impl FnMut(u32) -> Result<Vec<u8>, E>,
    ) -> Result<u32, E> {
        let (mut lo, mut hi) = (0u32, count);
        let mut depth = 0;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let less = if depth < LEVELS {
                self.cached_less(mid, target, &mut read_key)?
            } else {
                read_key(mid)?.as_slice() < target
            };
            if less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
            depth += 1;
        }
        Ok(lo)
    }

    fn cached_less<E>(
        &self,
        pos: u32,
        target: &[u8],
        read_key: &mut impl FnMut(u32) -> Result<Vec<u8>, E>,
    ) -> Result<bool, E> {
        if let Ok(keys) = self.keys.read() {
            if let Some(key) = keys.get(&pos) {
                return Ok(&**key < target);
            }
        }
        let key = read_key(pos)?;
        let less = key.as_slice() < target;
        // A poisoned lock only means no caching from here on.
        if let Ok(mut keys) = self.keys.write() {
            keys.insert(pos, key.into_boxed_slice());
        }
        Ok(less)
    }

    /// Memory held by the cached keys (with the map's own share, roughly).
    pub(crate) fn bytes(&self) -> usize {
        self.keys
            .read()
            .map(|k| k.values().map(|v| v.len() + 32).sum())
            .unwrap_or(0)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys.read().map(|k| k.len()).unwrap_or(0)
    }
}

/// A dirent's sort key for the path list: namespace byte, then path.
pub(crate) fn path_key(namespace: u8, path: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.len() + 1);
    key.push(namespace);
    key.extend_from_slice(path);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(keys: &[Vec<u8>], target: &[u8]) -> u32 {
        keys.partition_point(|k| k.as_slice() < target) as u32
    }

    #[test]
    fn same_answers_as_a_plain_search_and_bounded_memory() {
        let keys: Vec<Vec<u8>> = (0..20_000u32)
            .map(|i| format!("k{:06}", i * 3).into_bytes())
            .collect();
        let tree = SearchTree::default();
        let mut reads = 0;
        for probe in (0..61_000u32).step_by(7) {
            let target = format!("k{probe:06}").into_bytes();
            let got = tree
                .lower_bound(keys.len() as u32, &target, |i| {
                    reads += 1;
                    Ok::<_, ()>(keys[i as usize].clone())
                })
                .unwrap();
            assert_eq!(got, naive(&keys, &target), "{probe}");
        }
        assert!(tree.len() < 1 << LEVELS);
        // Once warm, a lookup reads only the levels below the cached ones.
        let before = reads;
        tree.lower_bound(keys.len() as u32, b"k030000", |i| {
            reads += 1;
            Ok::<_, ()>(keys[i as usize].clone())
        })
        .unwrap();
        assert!(
            reads - before <= 15 - LEVELS as usize + 1,
            "{}",
            reads - before
        );
    }

    #[test]
    fn read_errors_pass_through_and_are_not_cached() {
        let tree = SearchTree::default();
        let r = tree.lower_bound(10, b"x", |_| Err::<Vec<u8>, _>("drive gone"));
        assert_eq!(r, Err("drive gone"));
        assert_eq!(tree.len(), 0);
        assert_eq!(
            tree.lower_bound(0, b"x", |_| Err::<Vec<u8>, _>("no")),
            Ok(0)
        );
    }
}
