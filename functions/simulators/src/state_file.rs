//! Small, private, crash-safe state files for the simulators.

use std::io::Write as _;
use std::path::Path;

use crate::SimError;

/// The file's bytes, or `None` if it does not exist yet.
pub(crate) fn read(path: &Path) -> Result<Option<Vec<u8>>, SimError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SimError::io(path, e)),
    }
}

/// How hard [`write_private`] tries to make a write survive a power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// fsync before the rename: for secrets, whose loss would change every derived value.
    Synced,
    /// Rename without fsync: still atomic (a reader sees the old or the new file), but the last
    /// few updates may be lost on power failure. For frequently rewritten simulator state,
    /// where an fsync per update would make the demo-data generation take seconds.
    Atomic,
}

/// Replaces `path` with `bytes` atomically (write a sibling, optionally fsync, rename), readable
/// and writable by the owner only: the files hold signing keys and HMAC secrets.
pub(crate) fn write_private(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
) -> Result<(), SimError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| SimError::io(dir, e))?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| SimError::io(&tmp, e))?;
    // The mode above only applies when the file is created; a leftover temp file keeps its own.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| SimError::io(&tmp, e))?;
    }
    file.write_all(bytes)
        .and_then(|()| match durability {
            Durability::Synced => file.sync_all(),
            Durability::Atomic => Ok(()),
        })
        .map_err(|e| SimError::io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| SimError::io(path, e))
}
