//! The CSV import of target persons at municipal scale, then person search over the result.
//!
//! Generates a realistic CP932 file (`SESSHU_BENCH_ROWS`, default 1,000,000 rows) on disk,
//! uploads it in parts as the browser does, runs the import on the embedded store, and reports
//! rows/s, wall time and the process's peak RSS (VmHWM). Then searches by kana + birth date,
//! by birth date and by 自治体業務ID for random people (including the page's decryptions) and
//! reports p50/p99. Prints markdown table rows for `cargo xtask bench person-import`.
//! `SESSHU_BENCH_ENGINE` (`redb`, the default, or `lsm`) chooses the embedded engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufWriter, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sesshu_core::clock::SystemClock;
use sesshu_core::import::{self, PART_SIZE, runner};
use sesshu_core::persons::{self, search};
use sesshu_core::tenancy::{Platform, TableOpener};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::MunicipalityCode;
use sesshu_interchange::encoding::TextEncoding;
use sesshu_interchange::person_csv::{PersonCsvReader, RowOp};
use sesshu_store::{EmbeddedTables, Engine};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Bytes of every file under `path`: a redb file per table, or the LSM database's directory.
fn disk_bytes(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                disk_bytes(&entry.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn main() {
    let rows: u64 = std::env::var("SESSHU_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // As the local server does.
    sesshu_malloc::return_large_allocations_when_freed().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench(rows));
}

async fn bench(rows: u64) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let code = MunicipalityCode::parse("131016").unwrap();
    let file = dir.path().join("persons.csv");
    let started = Instant::now();
    let summary = sesshu_interchange::generator::generate(
        rows,
        &code,
        2026,
        Some(1_000),
        BufWriter::new(std::fs::File::create(&file).unwrap()),
        TextEncoding::Cp932,
    )
    .unwrap();
    let size = std::fs::metadata(&file).unwrap().len();
    eprintln!(
        "generated {} rows ({:.1} MB) in {:.1} s",
        summary.rows,
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let engine: Engine = std::env::var("SESSHU_BENCH_ENGINE")
        .map_or(Ok(Engine::Redb), |name| name.parse())
        .unwrap();
    let tables = Arc::new(EmbeddedTables::with_engine(
        dir.path().join("tables"),
        engine,
    ));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let platform = Platform::new(opener, keyring, Arc::new(SystemClock)).unwrap();
    let tenant = platform.tenant(&code).unwrap();

    let upload_started = Instant::now();
    let job = import::create(
        &tenant,
        "persons.csv",
        size,
        "bench",
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    let mut reader = std::fs::File::open(&file).unwrap();
    let mut part = vec![0u8; PART_SIZE as usize];
    let mut n = 0u32;
    loop {
        let mut filled = 0;
        while filled < part.len() {
            let read = reader.read(&mut part[filled..]).unwrap();
            if read == 0 {
                break;
            }
            filled += read;
        }
        if filled == 0 {
            break;
        }
        import::upload_part(&tenant, &job.job_id, n, part[..filled].to_vec())
            .await
            .unwrap();
        n += 1;
    }
    import::start(&tenant, &job.job_id).await.unwrap();
    let upload_s = upload_started.elapsed().as_secs_f64();

    eprintln!("before import: peak RSS {:.0} MiB", peak_rss_mib());
    let import_started = Instant::now();
    let mut config = runner::RunConfig::default();
    if let Some(rows) = std::env::var("SESSHU_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.batch_rows = rows;
    }
    let done = runner::run(&tenant, &job.job_id, &config).await.unwrap();
    let import_s = import_started.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    eprintln!("phases: {:?}", runner::last_phase_times());
    let counts = done.counts;
    eprintln!(
        "import: {counts:?} in {import_s:.1} s, upload {upload_s:.1} s, peak RSS {rss:.0} MiB"
    );
    let store_mb = disk_bytes(&dir.path().join("tables"));
    println!(
        "| engine | rows | upload (s) | import (s) | rows/s | peak RSS (MiB) | store files (MB) | created | failed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {engine:?} | {rows} | {upload_s:.1} | {import_s:.1} | {:.0} | {rss:.0} | {:.0} | {} | {} |",
        rows as f64 / import_s,
        store_mb as f64 / 1e6,
        counts.created,
        counts.failed
    );

    // Search: sample every k-th valid new row's keys from the file.
    let step = (rows / 2_000).max(1);
    let csv = PersonCsvReader::new(std::fs::File::open(&file).unwrap(), code.clone()).unwrap();
    let samples: Vec<_> = csv
        .filter_map(|row| match row.ok()?.result {
            Ok(RowOp::New(input)) => Some(input),
            _ => None,
        })
        .step_by(step as usize)
        .take(2_000)
        .collect();
    for (label, make) in [
        ("kana + birth date", 0usize),
        ("birth date", 1),
        ("自治体業務ID", 2),
    ] {
        let mut times = Vec::with_capacity(samples.len());
        let mut found = 0usize;
        for input in &samples {
            let by = match make {
                0 => search::SearchBy::KanaAndBirth(
                    input.name_kana.as_str().to_owned(),
                    input.birth_date,
                ),
                1 => search::SearchBy::Birth(input.birth_date),
                _ => search::SearchBy::BusinessId(input.municipal_business_id.clone()),
            };
            let started = Instant::now();
            let (subjects, _) = search::subjects(&tenant, &by, None, 20).await.unwrap();
            let people = persons::get_many(&tenant, &subjects).await.unwrap();
            times.push(started.elapsed());
            found += people.iter().flatten().count();
        }
        times.sort();
        println!(
            "search-{label}: {} searches, {found} people shown, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0)
        );
    }
}
