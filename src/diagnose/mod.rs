//! Explaining broken files to a beginner: where the mistake is (line and
//! column) and what to type instead.

pub mod dockerd;
mod dockerd_check;
pub mod dockerd_keys;
pub mod gojson;
pub mod json;
pub mod mirror;
