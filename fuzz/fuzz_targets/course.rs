#![no_main]
//! `lab::fuzz::course` on arbitrary bytes: it must return, without a panic,
//! within libFuzzer's time and memory limits (scripts/fuzz).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    std::hint::black_box(lab::fuzz::course(data));
});
