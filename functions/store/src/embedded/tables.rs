//! One database file per table, opened on first use and shared afterwards.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::EmbeddedStore;
use crate::{Store, StoreError};

/// Longest table name, so a file name stays well inside every file system's limit.
const MAX_NAME_LEN: usize = 100;

/// The embedded tables of one data directory: table `name` lives in `<data_dir>/<name>.redb`.
///
/// A redb file may be open only once per process, so every handle of a table comes from here.
#[derive(Debug)]
pub struct EmbeddedTables {
    data_dir: PathBuf,
    open: Mutex<HashMap<String, Arc<EmbeddedStore>>>,
}

impl EmbeddedTables {
    /// Tables under `data_dir`; the directory is created when the first table is opened.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The table `name` (lowercase ASCII letters, digits and `-`), opened or created on first
    /// use. Blocking on first use: call it at start-up or from `spawn_blocking` when a table may
    /// be new.
    pub fn table(&self, name: &str) -> Result<Arc<dyn Store>, StoreError> {
        Ok(self.embedded(name)?)
    }

    /// Like [`Self::table`], with the concrete adapter type.
    pub fn embedded(&self, name: &str) -> Result<Arc<EmbeddedStore>, StoreError> {
        validate_table_name(name)?;
        let mut open = self.open.lock().map_err(|_| {
            StoreError::Backend("the table registry is poisoned by an earlier panic".into())
        })?;
        if let Some(store) = open.get(name) {
            return Ok(Arc::clone(store));
        }
        let mut dir = std::fs::DirBuilder::new();
        dir.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
        dir.create(&self.data_dir).map_err(|e| {
            StoreError::Backend(format!(
                "could not create the data directory {}: {e}",
                self.data_dir.display()
            ))
        })?;
        let store = Arc::new(EmbeddedStore::open(
            &self.data_dir.join(format!("{name}.redb")),
        )?);
        open.insert(name.to_owned(), Arc::clone(&store));
        Ok(store)
    }
}

fn validate_table_name(name: &str) -> Result<(), StoreError> {
    let well_formed = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if well_formed {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "a table name takes 1 to {MAX_NAME_LEN} characters from a-z, 0-9 and -"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_outside_the_alphabet_are_refused() {
        for bad in [
            "",
            "A",
            "../x",
            "x.redb",
            "x y",
            "ä",
            &"a".repeat(MAX_NAME_LEN + 1),
        ] {
            assert!(
                matches!(validate_table_name(bad), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
        for good in ["131016", "sesshu-131016", "directory"] {
            assert!(validate_table_name(good).is_ok(), "{good}");
        }
    }
}
