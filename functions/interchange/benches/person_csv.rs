//! Throughput of generating and reading target-person CSV, in memory (no disk), one thread.
//! Prints a markdown table. Run with `cargo xtask bench person-csv` or
//! `cargo bench -p sesshu-interchange --bench person_csv`; `PERSON_CSV_ROWS` sets the size,
//! `PERSON_CSV_ENCODING=cp932|utf8` runs one encoding only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use sesshu_domain::MunicipalityCode;
use sesshu_interchange::generator::generate;
use sesshu_interchange::{ErrorReportWriter, PersonCsvReader, TextEncoding};

fn main() {
    let rows: u64 = std::env::var("PERSON_CSV_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000);
    let municipality = MunicipalityCode::parse("131016").unwrap();
    println!("| encoding | step | rows | MB | wall s | rows/s (wall) | rows/s (CPU) |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let only = std::env::var("PERSON_CSV_ENCODING").unwrap_or_default();
    for encoding in [TextEncoding::Cp932, TextEncoding::Utf8Bom] {
        if !only.is_empty() && (only == "cp932") != (encoding == TextEncoding::Cp932) {
            continue;
        }
        let started = Clock::now();
        let mut bytes = Vec::with_capacity(rows as usize * 200);
        generate(rows, &municipality, 42, Some(100), &mut bytes, encoding).unwrap();
        report(encoding, "generate", rows, bytes.len(), started);

        let started = Clock::now();
        let reader = PersonCsvReader::new(&bytes[..], municipality.clone()).unwrap();
        let mut report_out = ErrorReportWriter::new(Vec::new(), encoding).unwrap();
        let (mut ok, mut failed) = (0u64, 0u64);
        for row in reader {
            let row = row.unwrap();
            match &row.result {
                Ok(_) => ok += 1,
                Err(error) => {
                    failed += 1;
                    report_out.write_row_error(row.row_no, error).unwrap();
                }
            }
        }
        report_out.finish().unwrap();
        assert_eq!(ok + failed, rows);
        assert_eq!(failed, rows / 100);
        report(
            encoding,
            "read + validate + error report",
            rows,
            bytes.len(),
            started,
        );
    }
}

fn report(encoding: TextEncoding, step: &str, rows: u64, bytes: usize, started: Clock) {
    let (wall, cpu) = started.elapsed();
    println!(
        "| {} | {step} | {rows} | {:.1} | {wall:.2} | {:.0} | {} |",
        encoding.label(),
        bytes as f64 / 1e6,
        rows as f64 / wall,
        cpu.map_or("n/a".to_owned(), |cpu| format!("{:.0}", rows as f64 / cpu)),
    );
}

/// Wall time and this thread's CPU time: the machine is shared, so CPU time shows what one
/// core does when it is not waiting for others.
struct Clock {
    wall: Instant,
    cpu: Option<f64>,
}

impl Clock {
    fn now() -> Self {
        Self {
            wall: Instant::now(),
            cpu: thread_cpu_seconds(),
        }
    }

    fn elapsed(&self) -> (f64, Option<f64>) {
        let cpu = match (self.cpu, thread_cpu_seconds()) {
            (Some(start), Some(end)) => Some(end - start),
            _ => None,
        };
        (self.wall.elapsed().as_secs_f64(), cpu)
    }
}

/// Linux: the first field of /proc/thread-self/schedstat is the time spent on a CPU, in ns.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
