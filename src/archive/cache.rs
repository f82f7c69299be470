//! One cache of decompressed clusters for all open archives, bounded by the
//! bytes it holds. A page with twenty images in one cluster then costs one
//! decompression instead of twenty.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::cluster::Decoded;
use super::error::Result;

/// (archive key, cluster number).
type Key = (u64, u32);

struct Slot {
    value: Arc<Decoded>,
    tick: u64,
}

/// A decompression under way; others wanting the same cluster wait for it.
struct Pending {
    done: Mutex<bool>,
    cv: Condvar,
}

#[derive(Default)]
struct Inner {
    slots: HashMap<Key, Slot>,
    /// Least recently used first.
    order: BTreeMap<u64, Key>,
    tick: u64,
    bytes: usize,
    pending: HashMap<Key, Arc<Pending>>,
}

pub struct ClusterCache {
    max_bytes: usize,
    inner: Mutex<Inner>,
}

impl fmt::Debug for ClusterCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterCache")
            .field("max_bytes", &self.max_bytes)
            .field("used_bytes", &self.used_bytes())
            .finish()
    }
}

/// A panic while decompressing must not leave the other threads waiting.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

static NEXT_ARCHIVE_KEY: AtomicU64 = AtomicU64::new(1);

/// A key no other archive opened by this process has.
pub(crate) fn new_archive_key() -> u64 {
    NEXT_ARCHIVE_KEY.fetch_add(1, Ordering::Relaxed)
}

/// Marks the decompression finished (even on error or panic) and wakes waiters.
struct LoadGuard<'a> {
    cache: &'a ClusterCache,
    key: Key,
    pending: Arc<Pending>,
}

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        lock(&self.cache.inner).pending.remove(&self.key);
        *lock(&self.pending.done) = true;
        self.pending.cv.notify_all();
    }
}

impl ClusterCache {
    pub fn new(max_bytes: usize) -> ClusterCache {
        ClusterCache {
            max_bytes,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    pub fn used_bytes(&self) -> usize {
        lock(&self.inner).bytes
    }

    /// Number of clusters held.
    pub fn len(&self) -> usize {
        lock(&self.inner).slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn hit(inner: &mut Inner, key: Key) -> Option<Arc<Decoded>> {
        inner.tick += 1;
        let tick = inner.tick;
        let slot = inner.slots.get_mut(&key)?;
        let old = std::mem::replace(&mut slot.tick, tick);
        let value = slot.value.clone();
        inner.order.remove(&old);
        inner.order.insert(tick, key);
        Some(value)
    }

    /// Keeps `value`; it replaces what is held for `key` only when that is a
    /// shorter prefix of the same cluster.
    fn insert(&self, inner: &mut Inner, key: Key, value: Arc<Decoded>) {
        let weight = value.weight();
        if weight > self.max_bytes {
            return;
        }
        if let Some(old) = inner.slots.get(&key) {
            if old.value.weight() >= weight {
                return;
            }
            let tick = old.tick;
            inner.bytes -= old.value.weight();
            inner.order.remove(&tick);
            inner.slots.remove(&key);
        }
        while inner.bytes + weight > self.max_bytes {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            if let Some(slot) = inner.slots.remove(&oldest) {
                inner.bytes -= slot.value.weight();
            }
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.order.insert(tick, key);
        inner.slots.insert(key, Slot { value, tick });
        inner.bytes += weight;
    }

    /// The cached cluster, if it is there.
    pub(crate) fn get(&self, archive: u64, cluster: u32) -> Option<Arc<Decoded>> {
        Self::hit(&mut lock(&self.inner), (archive, cluster))
    }

    /// Keeps a cluster decompressed further than the prefix held for it.
    pub(crate) fn put(&self, archive: u64, cluster: u32, value: Arc<Decoded>) {
        self.insert(&mut lock(&self.inner), (archive, cluster), value);
    }

    /// The cached cluster, or the result of `load` (cached when it fits).
    /// While one thread loads a cluster, others asking for it wait instead of
    /// decompressing it again.
    pub(crate) fn get_or_load(
        &self,
        archive: u64,
        cluster: u32,
        load: impl FnOnce() -> Result<Decoded>,
    ) -> Result<Arc<Decoded>> {
        let key = (archive, cluster);
        let waited_for = {
            let mut inner = lock(&self.inner);
            if let Some(v) = Self::hit(&mut inner, key) {
                return Ok(v);
            }
            inner.pending.get(&key).cloned()
        };
        if let Some(p) = waited_for {
            let mut done = lock(&p.done);
            while !*done {
                done = p.cv.wait(done).unwrap_or_else(|e| e.into_inner());
            }
            drop(done);
            if let Some(v) = Self::hit(&mut lock(&self.inner), key) {
                return Ok(v);
            }
            // The other load failed or the cluster was too big to keep:
            // load it here without blocking anyone else.
            return load().map(Arc::new);
        }
        let pending = {
            let mut inner = lock(&self.inner);
            if let Some(v) = Self::hit(&mut inner, key) {
                return Ok(v);
            }
            let p = Arc::new(Pending {
                done: Mutex::new(false),
                cv: Condvar::new(),
            });
            inner.pending.insert(key, p.clone());
            p
        };
        let _guard = LoadGuard {
            cache: self,
            key,
            pending,
        };
        let value = Arc::new(load()?);
        self.insert(&mut lock(&self.inner), key, value.clone());
        Ok(value)
    }

    /// Drops everything cached for one archive (it was closed).
    pub(crate) fn remove_archive(&self, archive: u64) {
        let mut inner = lock(&self.inner);
        let keys: Vec<Key> = inner
            .slots
            .keys()
            .filter(|k| k.0 == archive)
            .copied()
            .collect();
        for k in keys {
            if let Some(slot) = inner.slots.remove(&k) {
                inner.bytes -= slot.value.weight();
                inner.order.remove(&slot.tick);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster::tests::body;
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn cluster_of(size: usize) -> Decoded {
        let blob = vec![1u8; size - 8];
        Decoded::new(0, body(&[&blob], false), false).unwrap()
    }

    #[test]
    fn lru_eviction_by_bytes() {
        let cache = ClusterCache::new(300);
        let loads = AtomicUsize::new(0);
        let get = |c: u32| {
            cache
                .get_or_load(1, c, || {
                    loads.fetch_add(1, Ordering::SeqCst);
                    Ok(cluster_of(100))
                })
                .unwrap()
        };
        get(0);
        get(1);
        get(2);
        assert_eq!(cache.used_bytes(), 300);
        get(0); // now 1 is the least recently used
        get(3);
        assert_eq!(cache.len(), 3);
        assert_eq!(loads.load(Ordering::SeqCst), 4);
        get(0);
        get(2);
        get(3);
        assert_eq!(loads.load(Ordering::SeqCst), 4);
        get(1);
        assert_eq!(loads.load(Ordering::SeqCst), 5);
        assert!(cache.used_bytes() <= 300);
    }

    #[test]
    fn too_big_not_cached_and_errors_not_cached() {
        let cache = ClusterCache::new(50);
        let v = cache.get_or_load(1, 0, || Ok(cluster_of(100))).unwrap();
        assert_eq!(v.weight(), 100);
        assert!(cache.is_empty());
        let e = cache.get_or_load(1, 1, || {
            Err(super::super::error::ArchiveError::RedirectLoop { index: 0 })
        });
        assert!(e.is_err());
        assert!(cache.is_empty());
        assert!(lock(&cache.inner).pending.is_empty());
    }

    #[test]
    fn remove_archive() {
        let cache = ClusterCache::new(1000);
        cache.get_or_load(1, 0, || Ok(cluster_of(100))).unwrap();
        cache.get_or_load(2, 0, || Ok(cluster_of(100))).unwrap();
        cache.remove_archive(1);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.used_bytes(), 100);
        assert_eq!(lock(&cache.inner).order.len(), 1);
    }

    #[test]
    fn concurrent_misses_load_once() {
        let cache = Arc::new(ClusterCache::new(1 << 20));
        let loads = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                let loads = loads.clone();
                std::thread::spawn(move || {
                    cache
                        .get_or_load(1, 5, || {
                            loads.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            Ok(cluster_of(100))
                        })
                        .unwrap()
                        .weight()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 100);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }
}
