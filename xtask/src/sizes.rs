//! File sizes as users download them: raw and compressed with brotli at quality 11.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A file and its raw and brotli -q 11 sizes in bytes.
pub struct Size {
    /// The file measured.
    pub path: PathBuf,
    /// Bytes on disk.
    pub raw: u64,
    /// Bytes after brotli at quality 11 (what a CDN serves pre-compressed).
    pub brotli: u64,
}

/// Measures one file.
pub fn measure(path: &Path) -> Result<Size> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Size {
        path: path.to_path_buf(),
        raw: bytes.len() as u64,
        brotli: brotli_len(&bytes)?,
    })
}

/// The length of `bytes` compressed by brotli at quality 11 with a 4 MiB window (`brotli -q 11`).
pub fn brotli_len(bytes: &[u8]) -> Result<u64> {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 11, 22);
    writer.write_all(bytes)?;
    writer.flush()?;
    Ok(writer.into_inner().len() as u64)
}

/// Sizes in kilobytes of 1,000 bytes, one decimal.
pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Prints a markdown table of `sizes` with a total row.
pub fn print_table(sizes: &[Size]) -> Result<()> {
    println!("{}", table(sizes));
    Ok(())
}

/// A markdown table of `sizes` (file name, raw, brotli) with a total row.
pub fn table(sizes: &[Size]) -> String {
    let mut out = String::from("| file | raw | brotli -q 11 |\n|---|---:|---:|\n");
    for size in sizes {
        let name = size
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "| {name} | {} | {} |\n",
            kb(size.raw),
            kb(size.brotli)
        ));
    }
    let raw: u64 = sizes.iter().map(|s| s.raw).sum();
    let brotli: u64 = sizes.iter().map(|s| s.brotli).sum();
    out.push_str(&format!("| **total** | {} | {} |", kb(raw), kb(brotli)));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn brotli_shrinks_repetitive_text_and_is_deterministic() {
        let text = "ワクチン接種記録 ".repeat(500);
        let once = brotli_len(text.as_bytes()).unwrap();
        assert!(once < text.len() as u64 / 10, "{once}");
        assert_eq!(once, brotli_len(text.as_bytes()).unwrap());
    }

    #[test]
    fn table_totals_its_rows() {
        let sizes = [
            Size {
                path: "a.js".into(),
                raw: 1500,
                brotli: 500,
            },
            Size {
                path: "b.wasm".into(),
                raw: 2500,
                brotli: 700,
            },
        ];
        let table = table(&sizes);
        assert!(table.contains("| a.js | 1.5 KB | 0.5 KB |"), "{table}");
        assert!(
            table.ends_with("| **total** | 4.0 KB | 1.2 KB |"),
            "{table}"
        );
    }
}
