//! `sesshu-local gen-persons`: writes a realistic target-person CSV (see
//! `sesshu_interchange::generator`) for load tests and manual imports.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use sesshu_domain::MunicipalityCode;
use sesshu_interchange::TextEncoding;
use sesshu_interchange::generator::generate;

const USAGE: &str = "usage: gen-persons --rows N --municipality CODE --encoding cp932|utf8|utf8-bom --out PATH [--seed S] [--error-every K]\n\
     e.g. gen-persons --rows 100000 --municipality 131016 --encoding cp932 --out persons.csv --error-every 50\n\
     --out - writes to standard output";

struct Options {
    rows: u64,
    municipality: MunicipalityCode,
    encoding: TextEncoding,
    out: String,
    seed: u64,
    error_every: Option<u64>,
}

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let (mut rows, mut municipality, mut encoding, mut out) = (None, None, None, None);
    let (mut seed, mut error_every) = (1, None);
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = iter
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--rows" => {
                rows = Some(
                    value
                        .parse()
                        .context("--rows must be a whole number, e.g. 100000")?,
                )
            }
            "--municipality" => {
                municipality =
                    Some(MunicipalityCode::parse(value).map_err(|e| {
                        anyhow::anyhow!("--municipality: {e}; e.g. 131016 (千代田区)")
                    })?)
            }
            "--encoding" => {
                encoding = Some(match value.as_str() {
                    "cp932" | "sjis" | "shift_jis" => TextEncoding::Cp932,
                    "utf8" | "utf-8" => TextEncoding::Utf8,
                    "utf8-bom" | "utf-8-bom" => TextEncoding::Utf8Bom,
                    _ => bail!("--encoding must be cp932, utf8 or utf8-bom"),
                })
            }
            "--out" => out = Some(value.clone()),
            "--seed" => seed = value.parse().context("--seed must be a whole number")?,
            "--error-every" => {
                error_every = Some(
                    value
                        .parse()
                        .context("--error-every must be a whole number, e.g. 50")?,
                )
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    let missing = |name: &str| format!("{name} is required\n{USAGE}");
    Ok(Options {
        rows: rows.with_context(|| missing("--rows"))?,
        municipality: municipality.with_context(|| missing("--municipality"))?,
        encoding: encoding.with_context(|| missing("--encoding"))?,
        out: out.with_context(|| missing("--out"))?,
        seed,
        error_every: error_every.filter(|&k| k > 0),
    })
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = parse(args)?;
    let started = Instant::now();
    let out: Box<dyn Write> = if options.out == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        let path = PathBuf::from(&options.out);
        Box::new(File::create(&path).with_context(|| format!("cannot create {}", path.display()))?)
    };
    let summary = generate(
        options.rows,
        &options.municipality,
        options.seed,
        options.error_every,
        out,
        options.encoding,
    )
    .context("writing the generated rows failed")?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "gen-persons: {} rows ({} broken on purpose) for {} in {} to {} in {seconds:.2} s ({:.0} rows/s)",
        summary.rows,
        summary.broken_rows,
        options.municipality,
        options.encoding.label(),
        options.out,
        summary.rows as f64 / seconds.max(1e-9),
    );
    Ok(())
}
