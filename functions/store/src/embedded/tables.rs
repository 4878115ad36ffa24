//! The tables of one data directory, on the engine the directory was made with.
//!
//! - redb: table `name` lives in the file `<data_dir>/<name>.redb`.
//! - LSM (fjall): every table is a pair of keyspaces of one database in `<data_dir>/lsm/`, so
//!   all tables share one cache, one journal and one memory budget.
//!
//! What is on disk decides: a directory holding `lsm/` is LSM, one holding a `*.redb` file is
//! redb; only an empty (or missing) directory takes the engine asked for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::EmbeddedStore;
use crate::lsm::LsmDatabase;
use crate::{Store, StoreError};

/// Longest table name, so a file name stays well inside every file system's limit.
const MAX_NAME_LEN: usize = 100;

/// The directory of the LSM database inside a data directory.
const LSM_DIR: &str = "lsm";

/// The storage engine of a data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// One redb (copy-on-write B-tree) file per table.
    #[default]
    Redb,
    /// One fjall (LSM tree) database for all tables: several times faster for bulk imports of
    /// random keys (see `docs/decisions/0005-person-import-and-indexes.md`).
    Lsm,
}

impl Engine {
    /// The engine the data in `data_dir` was written with, if there is any.
    pub fn on_disk(data_dir: &Path) -> Option<Engine> {
        if data_dir.join(LSM_DIR).is_dir() {
            return Some(Engine::Lsm);
        }
        let entries = std::fs::read_dir(data_dir).ok()?;
        entries
            .filter_map(Result::ok)
            .any(|entry| entry.path().extension().is_some_and(|ext| ext == "redb"))
            .then_some(Engine::Redb)
    }
}

impl std::str::FromStr for Engine {
    type Err = StoreError;

    /// `redb` or `lsm`, e.g. from a configuration value.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "redb" => Ok(Engine::Redb),
            "lsm" => Ok(Engine::Lsm),
            _ => Err(StoreError::Invalid(
                "the storage engine is `redb` or `lsm`".into(),
            )),
        }
    }
}

/// The embedded tables of one data directory.
///
/// A redb file and an LSM directory may each be open only once per process, so every handle of
/// a table comes from here.
#[derive(Debug)]
pub struct EmbeddedTables {
    data_dir: PathBuf,
    engine: Engine,
    open: Mutex<HashMap<String, Arc<EmbeddedStore>>>,
    lsm: OnceLock<LsmDatabase>,
}

impl EmbeddedTables {
    /// Tables under `data_dir` on the engine already there, or the default engine for a new
    /// directory; the directory is created when the first table is opened.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self::with_engine(data_dir, Engine::default())
    }

    /// Tables under `data_dir`, on `engine` if the directory holds no tables yet and on the
    /// engine already there otherwise, so existing data always stays readable.
    pub fn with_engine(data_dir: impl Into<PathBuf>, engine: Engine) -> Self {
        let data_dir = data_dir.into();
        let engine = Engine::on_disk(&data_dir).unwrap_or(engine);
        Self {
            data_dir,
            engine,
            open: Mutex::new(HashMap::new()),
            lsm: OnceLock::new(),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The engine the tables are on.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The table `name` (lowercase ASCII letters, digits and `-`), opened or created on first
    /// use. Blocking on first use: call it at start-up or from `spawn_blocking` when a table may
    /// be new.
    pub fn table(&self, name: &str) -> Result<Arc<dyn Store>, StoreError> {
        match self.engine {
            Engine::Redb => Ok(self.embedded(name)?),
            Engine::Lsm => {
                validate_table_name(name)?;
                Ok(self.lsm()?.table(name)?)
            }
        }
    }

    /// Like [`Self::table`], with the concrete redb adapter type; `Invalid` on an LSM directory.
    pub fn embedded(&self, name: &str) -> Result<Arc<EmbeddedStore>, StoreError> {
        validate_table_name(name)?;
        if self.engine != Engine::Redb {
            return Err(StoreError::Invalid(
                "this data directory is on the LSM engine; use `table` instead".into(),
            ));
        }
        let mut open = self.open.lock().map_err(|_| {
            StoreError::Backend("the table registry is poisoned by an earlier panic".into())
        })?;
        if let Some(store) = open.get(name) {
            return Ok(Arc::clone(store));
        }
        self.create_data_dir()?;
        let store = Arc::new(EmbeddedStore::open(
            &self.data_dir.join(format!("{name}.redb")),
        )?);
        open.insert(name.to_owned(), Arc::clone(&store));
        Ok(store)
    }

    /// The LSM database, opened on first use.
    fn lsm(&self) -> Result<&LsmDatabase, StoreError> {
        if let Some(db) = self.lsm.get() {
            return Ok(db);
        }
        // Serialised by the registry lock, so the directory is opened once.
        let _open = self.open.lock().map_err(|_| {
            StoreError::Backend("the table registry is poisoned by an earlier panic".into())
        })?;
        if let Some(db) = self.lsm.get() {
            return Ok(db);
        }
        self.create_data_dir()?;
        let db = LsmDatabase::open(&self.data_dir.join(LSM_DIR))?;
        Ok(self.lsm.get_or_init(|| db))
    }

    fn create_data_dir(&self) -> Result<(), StoreError> {
        let mut dir = std::fs::DirBuilder::new();
        dir.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
        dir.create(&self.data_dir).map_err(|e| {
            StoreError::Backend(format!(
                "could not create the data directory {}: {e}",
                self.data_dir.display()
            ))
        })
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

    #[test]
    fn engine_names_parse_and_others_are_invalid() {
        assert_eq!("redb".parse::<Engine>().ok(), Some(Engine::Redb));
        assert_eq!("lsm".parse::<Engine>().ok(), Some(Engine::Lsm));
        assert!(matches!(
            "LSM".parse::<Engine>(),
            Err(StoreError::Invalid(_))
        ));
    }
}
