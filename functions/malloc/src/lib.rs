//! glibc's allocator settings for the long-running processes (the local server and the
//! benchmarks that stand for it).
//!
//! Left alone, glibc maps an allocation of 128 KiB or more on its own only until a larger one is
//! freed; then it raises that threshold to the freed size (up to 32 MiB), and later large
//! buffers come from the heap of the thread that asked, where they stay after they are freed.
//! An import allocates many buffers of 0.1–2 MB on several threads (batches of rows and items,
//! the store engine's write batches and compaction buffers), so the heaps grew: a
//! 1,000,000-row import peaked at 314–348 MiB, and at 267–280 MiB with the threshold fixed at
//! 128 KiB, in the same time (docs/benchmarks.md, session 8).

/// The size from which each allocation is mapped on its own and returned when freed.
pub const MAPPED_FROM_BYTES: i32 = 128 * 1024;

/// Why the setting could not be made.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the C allocator refused to map allocations of {MAPPED_FROM_BYTES} bytes or more on their own"
        )
    }
}

impl std::error::Error for Refused {}

/// Has glibc map every allocation of [`MAPPED_FROM_BYTES`] or more on its own, so that freeing
/// it returns the memory to the system. Does nothing with other C libraries.
pub fn return_large_allocations_when_freed() -> Result<(), Refused> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes an allocator parameter; glibc allows it at any time and
        // from any thread, and it touches no memory of ours.
        #[allow(unsafe_code)]
        let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM_BYTES) };
        if set != 1 {
            return Err(Refused);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_accepts_the_threshold() {
        assert_eq!(return_large_allocations_when_freed(), Ok(()));
    }
}
