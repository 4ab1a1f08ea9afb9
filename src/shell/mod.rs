//! `lab init bash|zsh`: the shell integration, a script the learner `eval`s
//! from ~/.bashrc or ~/.zshrc. It appends each command typed, with its exit
//! status and start time, to the command log (`machine/commands.rs` reads
//! it). The scripts are real files, embedded at build time.

use crate::lang::Lang;
use crate::tr;

/// A shell lab integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
}

pub const BASH: &str = include_str!("lab.bash");
pub const ZSH: &str = include_str!("lab.zsh");

/// The script to `eval`.
pub fn script(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
    }
}

/// The report's warning when a history check had no command log to read.
pub fn missing(lang: Lang) -> String {
    tr!(
        lang,
        "lab judged your commands from shell history, which keeps no exit status and which bash saves only when the shell exits. Add `eval \"$(lab init bash)\"` to ~/.bashrc (zsh: `eval \"$(lab init zsh)\"` to ~/.zshrc) and open a new terminal: lab then sees each command as it runs, with its exit status.",
        "lab 是根据命令历史判断你运行过的命令的；命令历史不保存退出码，bash 也要到 shell 退出时才写入它。在 ~/.bashrc 中加入 `eval \"$(lab init bash)\"`（zsh：在 ~/.zshrc 中加入 `eval \"$(lab init zsh)\"`）并打开新终端后，你运行的每条命令都会连同退出码写入 lab 的命令记录，lab 随即就能看到。"
    )
}

#[cfg(test)]
mod tests;
