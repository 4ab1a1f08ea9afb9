//! The command line, as clap derive types. Parsing only: what each command
//! does is in `app`.

pub use crate::lang::Lang;
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "lab",
    version,
    about = "Docker course labs: lessons, and checks of your real Docker state with hints",
    long_about = "Docker course labs: read a lesson, do it on your own machine, and let `lab check` \
look at your real Docker state (images, containers, daemon events, /etc/docker/daemon.json, \
services, shell history) and tell you what is done, what is not, and how to fix it.\n\n\
lab never changes your machine: it only reads.",
    after_help = "Examples:\n  lab list\n  lab show task3\n  lab check task3\n  lab check unit1 --format json\n  lab --lang zh-CN check --all\n\nExit codes: 0 every step passed, 1 a check failed or a step could not be verified, 2 usage or course error, 3 a check could not be evaluated (daemon unreachable, permission, timeout) or the report could not be written."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Use the course in DIR (holding labs/ and content/) instead of the built-in one.
    #[arg(long, global = true, env = "LAB_COURSE", value_name = "DIR")]
    pub course: Option<PathBuf>,
    /// Language of lessons and reports [default: from LC_ALL / LC_MESSAGES / LANG]
    #[arg(long, global = true, env = "LAB_LANG", value_enum)]
    pub lang: Option<Lang>,
    /// The Docker daemon to check
    #[arg(long, global = true, env = "DOCKER_HOST", value_name = "URL", default_value = crate::machine::DEFAULT_HOST, value_parser = parse_docker_host)]
    pub docker_host: String,
    /// Set a course variable, e.g. --var daemon_json=/tmp/daemon.json (repeatable)
    // Not `global`: clap would let a `--var` after the subcommand replace
    // those before it. `CheckArgs` has its own, and `app` merges the two.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Seconds each check may take before it counts as an error
    #[arg(long, global = true, default_value_t = 10, value_name = "SECS", value_parser = parse_timeout)]
    pub timeout: u64,
    /// Where lab records progress [default: $XDG_STATE_HOME/lab/journal.jsonl]
    #[arg(long, global = true, env = "LAB_JOURNAL", value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Neither read nor write the journal (judge the machine as it is now)
    #[arg(long, global = true)]
    pub no_journal: bool,
    /// When to use colours (NO_COLOR is honoured by `auto`)
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List units and tasks, with your progress
    List,
    /// Show a task's lesson in the terminal
    Show {
        /// A task id, e.g. task3
        task: String,
    },
    /// Check your work on this machine
    Check(CheckArgs),
    /// Watch a task live: checks again whenever Docker or a file it reads changes
    Watch(WatchArgs),
    /// Answer a task's quiz in the terminal (task1, task5, task11, ...)
    Quiz(QuizArgs),
    /// Load the course and report every problem in it (for course authors)
    Validate,
    /// The course as a static HTML book
    #[command(subcommand)]
    Book(BookCommand),
    /// Grade a class of student VMs over SSH into a gradebook (for instructors)
    Grade(GradeArgs),
    /// Print the shell integration, for `eval "$(lab init bash)"` in ~/.bashrc
    /// (or zsh in ~/.zshrc): lab then sees each command with its exit status
    Init {
        /// Your shell
        shell: crate::shell::Shell,
    },
    /// Print tab completion for your shell, e.g. `lab completions bash > ~/.local/share/bash-completion/completions/lab`
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), for packagers: `lab man > lab.1`
    #[command(hide = true)]
    Man,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The roster is a CSV file with a header: student_id,name,host,port,user,identity_file \
(port, user and identity_file may be empty: ssh then uses ~/.ssh/config). See grader/README.md.\n\n\
Examples:\n  lab grade --roster class.csv task2 task3\n  lab grade --roster class.csv --all --out grades/week1 -j 32\n  lab grade --roster class.csv task3 --retry-failed\n  lab grade --roster class.csv task3 --deadline 2026-12-01T18:00+08:00\n  lab grade --roster class.csv task3 --watch            (the class live at http://127.0.0.1:8315/)\n  lab grade --roster class.csv unit1 --watch --serve 0.0.0.0:8315   (for the room's projector)\n\n\
Exit codes: 0 every host graded (whatever the scores), 2 usage, roster or output folder error, \
3 some host could not be graded (unreachable, auth failed, timed out, error), 130 interrupted (run again to resume). \
With --watch, Ctrl-C (or SIGTERM) is how the watch ends: each VM's last round is saved and the class files written, with the exit codes above."
)]
pub struct GradeArgs {
    /// The class roster (CSV: student_id,name,host,port,user,identity_file)
    #[arg(long, value_name = "FILE")]
    pub roster: PathBuf,
    /// Tasks or units to grade, e.g. task2 task3 or unit1
    #[arg(required_unless_present = "all", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Grade every task of the course
    #[arg(long, conflicts_with = "targets")]
    pub all: bool,
    /// Output folder (gradebook, reports, evidence); a run there resumes
    #[arg(long, value_name = "DIR", default_value = "grades")]
    pub out: PathBuf,
    /// Hosts graded at once
    #[arg(short = 'j', long, value_name = "N", default_value_t = 16)]
    pub jobs: usize,
    /// Grade again only the hosts the last run could not grade
    #[arg(long, conflicts_with = "regrade")]
    pub retry_failed: bool,
    /// Forget the results in --out and grade every host again
    #[arg(long)]
    pub regrade: bool,
    /// Work after this time does not count, e.g. 2026-12-01T18:00+08:00 (the zone is required)
    #[arg(long, value_name = "TIME")]
    pub deadline: Option<String>,
    /// Trust VMs' host keys seen for the first time (a changed key still fails)
    #[arg(long)]
    pub accept_new_host_keys: bool,
    /// An option for ssh, as with `ssh -o`, e.g. --ssh-option UserKnownHostsFile=class_known_hosts (repeatable)
    #[arg(long = "ssh-option", value_name = "KEY=VALUE")]
    pub ssh_options: Vec<String>,
    /// Set a course variable on every VM, e.g. --var daemon_json=/etc/docker/daemon.json (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Keep watching the class: one SSH connection per VM stays open, a VM is graded again when its Docker events say it changed (else every 10 s, never twice a second), and a live page shows the grid (--serve); Ctrl-C writes the gradebook and reports
    #[arg(long, conflicts_with_all = ["retry_failed", "regrade"])]
    pub watch: bool,
    /// Where --watch serves the class page: PORT or IP:PORT [default: 127.0.0.1:8315, this machine only]
    #[arg(long, value_name = "ADDR", requires = "watch", value_parser = parse_serve)]
    pub serve: Option<std::net::SocketAddr>,
    /// With --watch, grade a VM whose Docker events say nothing this often, for changes with no event (daemon.json, a shell history) [default: 10]
    #[arg(long, value_name = "SECS", requires = "watch", value_parser = parse_every)]
    pub every: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Tasks or units to check, e.g. task3 or unit1
    #[arg(required_unless_present = "all", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Check every task of the course
    #[arg(long, conflicts_with = "targets")]
    pub all: bool,
    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Set a course variable, e.g. --var daemon_json=/tmp/daemon.json (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Keys (in a terminal): q quit, h hints on/off, n next task, p previous task, c check now.\n\n\
Examples:\n  lab watch\n  lab watch task3\n  lab watch task3 --plain | tee watch.log\n\n\
Exit codes (as `lab check` for the task shown when you quit): 0 it passed, 1 not yet, \
2 usage or course error, 3 it could not be checked (daemon unreachable, permission, timeout)."
)]
pub struct WatchArgs {
    /// The task to watch [default: the first one not passed yet]
    #[arg(value_name = "TASK")]
    pub task: Option<String>,
    /// Set a course variable, e.g. --var daemon_json=/tmp/daemon.json (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Plain lines (a line per change) even in a terminal
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Subcommand)]
pub enum BookCommand {
    /// Render lessons and labs as HTML in both languages (opens from disk too)
    Build {
        /// Output folder [default: book.toml's build-dir, else ./book]
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct QuizArgs {
    /// A task with a quiz, e.g. task1
    pub task: String,
    /// Answer a question without being asked, e.g. --answer q3=b or --answer q5="a c" (repeatable)
    #[arg(long = "answer", value_name = "ID=ANSWER", value_parser = parse_var)]
    pub answers: Vec<(String, String)>,
    /// Set a course variable (repeatable)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
}

/// `DOCKER_HOST=` (set, but empty) means the default socket, as it does
/// for the docker CLI.
fn parse_docker_host(s: &str) -> Result<String, String> {
    Ok(match s.trim() {
        "" => crate::machine::DEFAULT_HOST.to_string(),
        host => host.to_string(),
    })
}

/// At least one second: with 0 every check would time out at once.
fn parse_timeout(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("0 seconds would time out every check; give at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number of seconds")),
    }
}

/// At least one second.
fn parse_every(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "`{s}` is not a whole number of seconds, at least 1"
        )),
    }
}

/// `8315` (on 127.0.0.1, this machine only) or `IP:PORT`.
fn parse_serve(s: &str) -> Result<std::net::SocketAddr, String> {
    let s = s.trim();
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| {
        format!("`{s}` is not PORT or IP:PORT, e.g. 8315 or 0.0.0.0:8315 (every network of this machine)")
    })
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

/// The command line in the learner's language: clap's own for en, with
/// `cli_zh`'s texts laid over it for zh-CN (help, headings, usage lines).
pub fn command(lang: Lang) -> clap::Command {
    use clap::CommandFactory;
    match lang {
        Lang::En => Cli::command(),
        Lang::ZhCn => crate::cli_zh::localize(Cli::command()),
    }
}

/// Parses `args` (the program's name first) with [`command`] in the
/// language they ask for; on an error also that language, for `main` to
/// say the error in it.
pub fn parse(args: &[std::ffi::OsString]) -> Result<Cli, (Lang, clap::Error)> {
    use clap::FromArgMatches;
    let lossy: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let lang = cli_lang(&lossy);
    let mut cmd = command(lang);
    let mut matches = cmd.try_get_matches_from_mut(args).map_err(|e| (lang, e))?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|e| (lang, e.format(&mut cmd)))
}

/// The language of the command line itself (help and usage errors), from
/// the words as typed, before clap has parsed them: `--lang`, else
/// `LAB_LANG`, else the locale.
pub fn cli_lang(args: &[String]) -> Lang {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = match a.strip_prefix("--lang=") {
            Some(v) => Some(v.to_string()),
            None if a == "--lang" => it.next().cloned(),
            None => None,
        };
        if let Some(v) = v {
            return if v.starts_with("zh") {
                Lang::ZhCn
            } else {
                Lang::En
            };
        }
    }
    match std::env::var("LAB_LANG") {
        Ok(v) if !v.is_empty() => {
            if v.starts_with("zh") {
                Lang::ZhCn
            } else {
                Lang::En
            }
        }
        _ => Lang::from_env(),
    }
}

/// A usage error of clap's in Chinese (clap speaks English only): what
/// was wrong, its suggestion, and where to look. `None` for help and
/// version, which are no errors.
pub fn usage_error_zh(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("`、`")),
        _ => None,
    };
    let tick = |s: Option<String>| s.map(|s| format!("`{s}`")).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::InvalidSubcommand => format!(
            "没有 {} 这个子命令",
            tick(ctx(ContextKind::InvalidSubcommand))
        ),
        ErrorKind::UnknownArgument => {
            format!("不认识参数 {}", tick(ctx(ContextKind::InvalidArg)))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("（`{}`）", s.to_string().replace('`', "'")))
                .unwrap_or_default();
            let valid = ctx(ContextKind::ValidValue)
                .map(|v| format!("，可用的值有 `{v}`"))
                .unwrap_or_default();
            format!(
                "{} 的值 {} 不对{why}{valid}",
                tick(ctx(ContextKind::InvalidArg)),
                tick(ctx(ContextKind::InvalidValue))
            )
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必需的参数 {}", tick(ctx(ContextKind::InvalidArg)))
        }
        ErrorKind::MissingSubcommand => match ctx(ContextKind::ValidSubcommand) {
            Some(v) => format!("缺少子命令：可用的有 `{v}`"),
            None => "缺少子命令".to_string(),
        },
        ErrorKind::ArgumentConflict => format!(
            "参数 {} 不能和 {} 一起用",
            tick(ctx(ContextKind::InvalidArg)),
            tick(ctx(ContextKind::PriorArg))
        ),
        ErrorKind::TooManyValues => {
            format!("参数 {} 给得太多了", tick(ctx(ContextKind::InvalidArg)))
        }
        _ => "命令行参数有误".to_string(),
    };
    let tip = match (
        ctx(ContextKind::SuggestedSubcommand),
        ctx(ContextKind::SuggestedArg),
    ) {
        (Some(s), _) | (None, Some(s)) => format!("是不是想写 `{s}`？"),
        _ => String::new(),
    };
    Some(format!("{what}。{tip}运行 `lab --help` 查看用法。"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn serve_takes_a_port_on_this_machine_only_or_an_address() {
        assert_eq!(parse_serve("8315").unwrap().to_string(), "127.0.0.1:8315");
        assert_eq!(parse_serve("0.0.0.0:80").unwrap().to_string(), "0.0.0.0:80");
        assert!(parse_serve("localhost").is_err());
        assert!(parse_every("0").is_err());
        let cli =
            Cli::try_parse_from(["lab", "grade", "task3", "--roster", "r.csv", "--every", "5"]);
        assert!(cli.is_err(), "--every needs --watch");
    }

    #[test]
    fn an_empty_docker_host_means_the_default_socket() {
        // As `DOCKER_HOST=` (set, empty) reaches clap: an empty value.
        let cli = Cli::try_parse_from(["lab", "--docker-host", "", "list"]).expect("parses");
        assert_eq!(cli.global.docker_host, crate::machine::DEFAULT_HOST);
        let cli =
            Cli::try_parse_from(["lab", "--docker-host", "tcp://h:2375", "list"]).expect("parses");
        assert_eq!(cli.global.docker_host, "tcp://h:2375");
    }
}
