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

/// Replaces `path` with `bytes` atomically (write a sibling, fsync, rename), readable and
/// writable by the owner only: the files hold signing keys and HMAC secrets.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SimError> {
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
        .and_then(|()| file.sync_all())
        .map_err(|e| SimError::io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| SimError::io(path, e))
}
