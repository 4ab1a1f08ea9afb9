//! `lab` as a library: the binary (`main.rs`) parses the command line and
//! calls [`app::dispatch`]; the fuzz targets (`fuzz/`) call [`fuzz`]. Everything
//! else is private to the crate.

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
mod grade;
mod html;
mod lang;
mod machine;
mod markdown;
mod quiz;
mod report;
mod run;
mod shell;
mod spelling;
mod watch;
