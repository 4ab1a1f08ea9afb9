//! `lab`: parse the command line, run it, map the outcome to an exit code.

mod app;
mod book;
mod checks;
mod cli;
mod clock;
mod course;
mod diagnose;
mod evidence;
mod grade;
mod lang;
mod machine;
mod markdown;
mod quiz;
mod report;
mod run;
mod shell;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("lab: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
