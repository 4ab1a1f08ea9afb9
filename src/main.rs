//! `lab`: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = lab::cli::Cli::parse();
    let lang = lab::app::learner_lang(&cli.global);
    match lab::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let error = lang.pick("error: ", "错误：");
            eprintln!("lab: {error}{}", e.text(lang));
            ExitCode::from(e.exit_code())
        }
    }
}
