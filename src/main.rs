//! `lab`: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = lab::cli::Cli::parse();
    match lab::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("lab: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
