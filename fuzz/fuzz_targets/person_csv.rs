//! Arbitrary bytes as a target-person CSV: reading, validating and writing the error report
//! must never panic. The body lives in `sesshu_interchange::fuzzing` so ordinary tests replay
//! `corpus/person_csv/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sesshu_interchange::fuzzing::person_csv(data);
});
