//! Replays every input of the fuzz corpus (`fuzz/corpus/person_csv/`) through the fuzz target's
//! body, so a crash found by `cargo xtask fuzz` stays fixed once its input is committed there.

use std::path::PathBuf;

#[test]
fn every_fuzz_corpus_input_is_read_without_panicking() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/person_csv");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut count = 0;
    for entry in entries {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_default();
            sesshu_interchange::fuzzing::person_csv(&bytes);
            count += 1;
        }
    }
    assert!(
        count >= 4,
        "the corpus should hold at least the samples, found {count}"
    );
}
