//! `lab`: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match lab::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap speaks English: a zh-CN learner reads it in Chinese.
            let args: Vec<String> = std::env::args().collect();
            if lab::cli::usage_is_zh(&args) {
                if let Some(zh) = lab::cli::usage_error_zh(&e) {
                    eprintln!("lab: 错误：{zh}");
                    return ExitCode::from(2);
                }
            }
            e.exit()
        }
    };
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
