//! What each command does, one module per command (`check.rs` for `lab
//! check`, ...). Each returns the exit code and prints to stdout; errors
//! that stop a command come back as [`AppError`] for `main` to print, each
//! error type saying its own exit code.

mod book;
mod check;
mod grade;
mod list;
mod print;
mod quiz;
mod show;
mod validate;
mod watch;

pub use check::checked;

use crate::cli::{BookCommand, Cli, Color, Command, Global};
use crate::course::{Course, CourseError, Source, Vars};
use crate::evidence::{self, Journal};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::exit;
use crate::tr;
use std::io::{IsTerminal, Write};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Course(#[from] CourseError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{0}")]
    Book(#[from] crate::book::BookError),
    #[error("{0}")]
    Grade(#[from] crate::grade::GradeError),
    /// stdout could not be written (said in the learner's language).
    #[error("{0}")]
    Output(String),
}

impl AppError {
    /// The error as the learner reads it: course errors in their language
    /// (the other variants are already written in it).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            AppError::Course(e) => e.text(lang),
            AppError::Runtime(e) => tr!(
                lang,
                "cannot start the async runtime: {}",
                "无法启动异步运行时：{}",
                e
            ),
            other => other.to_string(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Course(_) | AppError::Usage(_) => exit::USAGE,
            AppError::Runtime(_) | AppError::Output(_) => exit::ERROR,
            AppError::Book(e) => e.exit_code(),
            AppError::Grade(e) => e.exit_code(),
        }
    }
}

/// Writes to stdout. A closed pipe (`lab list | head`) is not an error;
/// any other failure (a full disk, an I/O error) is, in words: a report
/// that was not written must not look delivered.
fn emit(text: &str, lang: Lang) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::Output(tr!(
            lang,
            "could not write the output: {}; nothing was lost on the machine, run the command again with its output going elsewhere",
            "无法写出结果：{}；机器上没有任何改动，请把输出重定向到别处后重新运行该命令",
            crate::evidence::describe_io(&e, lang)
        ))),
        _ => Ok(()),
    }
}

fn color(g: &Global) -> bool {
    match g.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The learner's journal, checked against this machine's ids (its
/// machine-id and its daemon's ID, asked through `machine`).
fn journal(g: &Global, machine: &Machine, rt: &tokio::runtime::Runtime, lang: Lang) -> Journal {
    rt.block_on(learner_journal(g, machine, lang))
}

/// `journal`, inside the runtime (`lab watch` opens one per round).
pub async fn learner_journal(g: &Global, machine: &Machine, lang: Lang) -> Journal {
    if g.no_journal {
        return Journal::disabled();
    }
    match g.journal.clone().or_else(evidence::default_path) {
        Some(p) => Journal::open(p, evidence::Binding::of(machine).await, lang),
        None => Journal::disabled(),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, AppError> {
    crate::run::runtime().map_err(AppError::Runtime)
}

/// The learner's language: `--lang`, else the locale.
pub fn learner_lang(g: &Global) -> Lang {
    g.lang.unwrap_or_else(Lang::from_env)
}

/// The course's variables as the learner set them: `--var` before the
/// command, then the command's own `--var`s.
fn learner_vars(
    course: &Course,
    g: &Global,
    own: &[(String, String)],
    lang: Lang,
) -> Result<Vars, AppError> {
    let overrides: Vec<(String, String)> = g.vars.iter().chain(own).cloned().collect();
    Vars::for_learner(&course.file.vars, &overrides, lang).map_err(AppError::Usage)
}

pub fn dispatch(cli: Cli) -> Result<u8, AppError> {
    let g = &cli.global;
    let lang = learner_lang(g);
    let source = match &g.course {
        Some(dir) => Source::Dir(dir.clone()),
        None => Source::Embedded,
    };
    // Only `check` is worth the fast path: it is what scripts and graders
    // run in loops. Other commands may need the whole course (`quiz` names
    // the tasks that have one).
    // Needs no course: it works even where the course would not load.
    match &cli.command {
        Command::Init { shell } => return print::init(*shell, lang),
        Command::Man => return print::man(lang),
        _ => {}
    }
    let needed: Option<Vec<String>> = match &cli.command {
        Command::Check(a) if !a.all => Some(a.targets.clone()),
        _ => None,
    };
    let course = Course::load(
        source,
        matches!(cli.command, Command::Validate),
        needed.as_deref(),
    )?;
    match &cli.command {
        Command::Validate => validate::run(&course, lang),
        Command::List => list::run(&course, g, lang),
        Command::Show { task } => show::run(&course, g, task, lang),
        Command::Check(args) => check::run(&course, g, args, lang),
        Command::Quiz(args) => quiz::run(&course, g, args, lang),
        Command::Watch(args) => watch::run(&course, g, args, lang),
        Command::Grade(args) => grade::run(&course, g, args, lang),
        Command::Init { .. } | Command::Man => Ok(exit::PASS), // printed above
        Command::Completions { shell } => print::completions(*shell, &course, lang),
        Command::Book(BookCommand::Build { out }) => book::build(&course, g, out.clone(), lang),
    }
}
