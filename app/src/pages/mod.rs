//! Pages, one file each, grouped by surface.

pub mod resident;
