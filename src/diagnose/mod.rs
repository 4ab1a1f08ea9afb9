//! Explaining broken files to a beginner: where the mistake is (line and
//! column) and what to type instead.

pub mod json;
