//! `lab` as a library: the binary (`main.rs`) parses the command line and
//! calls [`app::dispatch`]; the fuzz targets (`fuzz/`) call [`fuzz`]. For the
//! tests, hidden: `golden` (golden files, blessed with `LAB_BLESS=1`, for the
//! unit and the integration tests alike) and `report` (the report's types:
//! the integration tests read `lab check --format json` into them).
//! Everything else is private to the crate.

pub mod app;
mod book;
mod checks;
pub mod cli;
mod cli_zh;
mod clock;
mod completions;
mod course;
mod diagnose;
mod evidence;
pub mod fuzz;
#[doc(hidden)]
pub mod golden;
mod grade;
mod html;
mod lang;
mod machine;
mod markdown;
mod quiz;
#[doc(hidden)]
pub mod report;
mod run;
mod shell;
mod spelling;
mod watch;
