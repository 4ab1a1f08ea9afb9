//! Explaining broken files to a beginner: where the mistake is (line and
//! column) and what to type instead.

pub mod dockerd;
mod dockerd_check;
pub mod dockerd_keys;
pub mod gojson;
pub mod json;
pub mod mirror;

use crate::lang::Lang;
use crate::tr;

/// At most this many diagnostics of one kind are listed for a file; the
/// rest are counted in one line ([`more`]). 1 MiB of full-width commas is
/// 350,000 of them: listed, they made a report of gigabytes.
pub const SHOWN: usize = 5;

/// The line that stands for `n` diagnostics not listed.
pub fn more(n: usize, lang: Lang) -> String {
    let n = grouped(n);
    tr!(lang, "… and {} more", "……另有 {} 处", n)
}

use crate::lang::grouped;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_of_unlisted_diagnostics_reads_well() {
        assert_eq!(grouped(899_998), "899,998");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(12), "12");
        assert_eq!(more(899_998, Lang::En), "… and 899,998 more");
        assert_eq!(more(899_998, Lang::ZhCn), "……另有 899,998 处");
    }
}
