//! Helpers shared by the DataLoaders: arranging one batch's rows by key.

use std::collections::HashMap;
use std::hash::Hash;

/// One row per key.
pub fn by<K: Copy + Eq + Hash, M>(rows: Vec<M>, key: impl Fn(&M) -> K) -> HashMap<K, M> {
    rows.into_iter().map(|m| (key(&m), m)).collect()
}

/// Rows grouped by key, in the order they came.
pub fn group<K: Copy + Eq + Hash, M>(rows: Vec<M>, key: impl Fn(&M) -> K) -> HashMap<K, Vec<M>> {
    let mut map: HashMap<K, Vec<M>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

/// Declares a DataLoader key: a newtype over a UUID, one per kind of lookup.
macro_rules! loader_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub uuid::Uuid);
    };
}

pub(crate) use loader_key;
