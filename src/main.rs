//! `lab`: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match lab::cli::parse(&args) {
        Ok(cli) => cli,
        Err((lang, e)) => {
            // clap's errors speak English: a zh-CN learner reads them in
            // Chinese (help, already in Chinese, is no error).
            if lang == lab::cli::Lang::ZhCn {
                if let Some(zh) = lab::cli::usage_error_zh(&e) {
                    eprintln!("lab: 错误：{zh}");
                    return ExitCode::from(2);
                }
            }
            e.exit()
        }
    };
    let lang = lab::app::learner_lang(&cli.global);
    match lab::app::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let error = lang.pick("error: ", "错误：");
            eprintln!("lab: {error}{}", e.text(lang));
            ExitCode::from(e.exit_code())
        }
    }
}
