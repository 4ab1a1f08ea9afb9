//! What each command does. Returns the exit code; prints to stdout; errors
//! that stop a command come back as [`AppError`] for `main` to print.

use crate::cli::{
    BookCommand, CheckArgs, Cli, Color, Command, Global, GradeArgs, QuizArgs, WatchArgs,
};
use crate::course::Task;
use crate::course::{Course, CourseError, Source, Vars};
use crate::evidence::{self, Entry, Journal};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::{exit, Format, Report, TaskStatus};
use crate::run::Run;
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
            AppError::Runtime(_)
            | AppError::Output(_)
            | AppError::Book(crate::book::BookError::Io { .. }) => exit::ERROR,
            AppError::Book(_) => exit::USAGE,
            AppError::Grade(e) => {
                use crate::grade::{GradeError, StoreError};
                match e {
                    GradeError::Roster { .. }
                    | GradeError::Store(StoreError::Busy { .. } | StoreError::OtherRun { .. }) => {
                        exit::USAGE
                    }
                    _ => exit::ERROR,
                }
            }
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

/// [`journal`], inside the runtime (`lab watch` opens one per round).
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
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AppError::Runtime)
}

/// The learner's language: `--lang`, else the locale.
pub fn learner_lang(g: &Global) -> Lang {
    g.lang.unwrap_or_else(Lang::from_env)
}

pub fn run(cli: Cli) -> Result<u8, AppError> {
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
    if let Command::Init { shell } = &cli.command {
        emit(crate::shell::script(*shell), lang)?;
        return Ok(exit::PASS);
    }
    if let Command::Man = &cli.command {
        let page = crate::completions::man_page().map_err(|e| AppError::Output(e.to_string()))?;
        emit(&String::from_utf8_lossy(&page), lang)?;
        return Ok(exit::PASS);
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
        Command::Validate => {
            let checks: usize = course
                .tasks
                .iter()
                .flat_map(|(_, t)| &t.steps)
                .map(|s| s.checks.len())
                .sum();
            emit(
                &tr!(
                    lang,
                    "ok: {} — {} units, {} tasks, {} checks\n",
                    "通过：{} — {} 个单元，{} 个任务，{} 项检查\n",
                    course.source.describe(lang),
                    course.file.units.len(),
                    course.tasks.len(),
                    checks
                ),
                lang,
            )?;
            Ok(exit::PASS)
        }
        Command::List => {
            // Only the daemon's ID is asked (the journal is sealed to it):
            // a listing does not wait long for a daemon that hangs.
            let machine = Machine::local(g.docker_host.clone(), g.timeout.min(3));
            let journal = journal(g, &machine, &runtime()?, lang);
            for w in &journal.warnings {
                eprintln!("lab: {}{w}", lang.pick("warning: ", "警告："));
            }
            emit(&list(&course, &journal, lang, color(g)), lang)?;
            Ok(exit::PASS)
        }
        Command::Show { task } => {
            let t = course
                .task(task)
                .ok_or_else(|| CourseError::UnknownTarget {
                    name: task.clone(),
                    course: course.source.names(),
                })?;
            let md = course.lesson(t, lang).map_err(|e| {
                AppError::Usage(tr!(
                    lang,
                    "cannot read the lesson of {}: {}",
                    "读不到 {} 的课文：{}",
                    task,
                    e
                ))
            })?;
            emit(&crate::markdown::to_terminal(&md, color(g)), lang)?;
            if t.quiz.is_some() {
                emit(
                    &tr!(
                        lang,
                        "This task has a quiz: lab quiz {}\n",
                        "本任务包含测验：lab quiz {}\n",
                        t.id
                    ),
                    lang,
                )?;
            }
            emit(
                &tr!(
                    lang,
                    "When you are done: lab check {}\n",
                    "完成后运行：lab check {}\n",
                    t.id
                ),
                lang,
            )?;
            Ok(exit::PASS)
        }
        Command::Check(args) => check(&course, g, args, lang),
        Command::Quiz(args) => quiz(&course, g, args, lang),
        Command::Watch(args) => watch(&course, g, args, lang),
        Command::Grade(args) => grade(&course, g, args, lang),
        Command::Init { .. } | Command::Man => Ok(exit::PASS), // printed above
        Command::Completions { shell } => {
            let script = crate::completions::script(*shell, &course);
            emit(&String::from_utf8_lossy(&script), lang)?;
            Ok(exit::PASS)
        }
        Command::Book(BookCommand::Build { out }) => {
            let vars =
                Vars::for_learner(&course.file.vars, &g.vars, lang).map_err(AppError::Usage)?;
            let cfg = crate::book::config(&course.source)?;
            let out = crate::book::out_dir(&cfg, out.clone());
            let built = crate::book::build(&course, &vars, &out)?;
            emit(
                &tr!(
                    lang,
                    "built the book: {} pages in {} (en, zh-CN); open {}\n",
                    "已生成课程网站：{} 个页面，位于 {}（en、zh-CN）；打开 {}\n",
                    built.pages,
                    built.out.display(),
                    built.out.join("index.html").display()
                ),
                lang,
            )?;
            Ok(exit::PASS)
        }
    }
}

fn check(course: &Course, g: &Global, args: &CheckArgs, lang: Lang) -> Result<u8, AppError> {
    let tasks = course.select(&args.targets, args.all)?;
    let overrides: Vec<(String, String)> = g.vars.iter().chain(&args.vars).cloned().collect();
    let vars = Vars::for_learner(&course.file.vars, &overrides, lang).map_err(AppError::Usage)?;
    let rt = runtime()?;
    let report = rt.block_on(checked(g, &tasks, &vars, lang));
    // A read still stuck on the blocking pool (its check already timed
    // out: a stalled network mount) must not hold up the exit.
    rt.shutdown_background();
    emit(
        &report.render(args.format, args.format == Format::Text && color(g)),
        lang,
    )?;
    Ok(report.exit_code())
}

fn watch(course: &Course, g: &Global, args: &WatchArgs, lang: Lang) -> Result<u8, AppError> {
    if let Some(id) = &args.task {
        course.select(std::slice::from_ref(id), false)?;
        if course.task(id).is_none() {
            return Err(AppError::Usage(tr!(
                lang,
                "lab watch follows one task; `{}` is a unit: name one of its tasks, e.g. lab watch task3",
                "lab watch 只跟踪一个任务；`{}` 是一个单元：请指定其中的任务，例如 lab watch task3",
                id
            )));
        }
    }
    let overrides: Vec<(String, String)> = g.vars.iter().chain(&args.vars).cloned().collect();
    let vars = Vars::for_learner(&course.file.vars, &overrides, lang).map_err(AppError::Usage)?;
    let tty = !args.plain && std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let settings = crate::watch::Settings {
        task: args.task.clone(),
        vars,
        lang,
        color: color(g),
        tty,
    };
    let rt = runtime()?;
    let code = rt.block_on(crate::watch::run(course, g, settings));
    rt.shutdown_background();
    code.map_err(|e| {
        AppError::Output(tr!(
            lang,
            "lab watch could not write to the terminal: {}",
            "lab watch 无法写入终端：{}",
            crate::evidence::describe_io(&e, lang)
        ))
    })
}

/// One check of `tasks` against this machine as it is now: a fresh
/// machine view and journal, as each `lab check` has (`lab watch` runs one
/// per round, so its verdict is `lab check`'s at that moment).
pub async fn checked(g: &Global, tasks: &[&Task], vars: &Vars, lang: Lang) -> Report {
    let machine = Machine::local(g.docker_host.clone(), g.timeout);
    let journal = learner_journal(g, &machine, lang).await;
    let mut report = Run {
        machine: &machine,
        vars,
        journal: &journal,
        lang,
        timeout: g.timeout,
    }
    .check(tasks)
    .await;
    if machine.command_log_missing() {
        report.warnings.push(crate::shell::missing(lang));
    }
    report
}

fn grade(course: &Course, g: &Global, args: &GradeArgs, lang: Lang) -> Result<u8, AppError> {
    use crate::grade::{Plan, Settings};
    let tasks = course.select(&args.targets, args.all)?;
    let overrides: Vec<(String, String)> = g.vars.iter().chain(&args.vars).cloned().collect();
    Vars::for_learner(&course.file.vars, &overrides, lang).map_err(AppError::Usage)?;
    let wanted = std::env::var("LAB_SSH").unwrap_or_else(|_| "ssh".into());
    // Found once, not searched for at each of the VMs' sessions.
    let Some(program) = on_path(&wanted) else {
        return Err(AppError::Usage(tr!(
            lang,
            "lab grade logs into the VMs with the OpenSSH client, and `{}` is not installed; install it (`sudo apt install openssh-client`)",
            "lab grade 用 OpenSSH 客户端登录虚拟机，但本机没有 `{}`；请先安装（`sudo apt install openssh-client`）",
            wanted
        )));
    };
    let deadline = match args.deadline.as_deref() {
        None => None,
        Some(text) => Some(crate::clock::parse_deadline(text).ok_or_else(|| {
            AppError::Usage(tr!(
                lang,
                "--deadline `{}` is not a time lab can read: write the date, the time and the zone, e.g. 2026-12-01T18:00+08:00 (Beijing) or 2026-12-01T10:00Z (UTC)",
                "--deadline `{}` 不是 lab 能识别的时间：请写出日期、时间和时区，例如 2026-12-01T18:00+08:00（北京时间）或 2026-12-01T10:00Z（UTC）",
                text
            ))
        })?),
    };
    let plan = Plan {
        course,
        overrides: &overrides,
        lang,
        deadline,
        timeout: g.timeout,
        host_deadline: (g.timeout * 6).max(60),
        journal: !g.no_journal,
        ssh: crate::machine::ssh::Options {
            timeout: g.timeout,
            accept_new_host_keys: args.accept_new_host_keys,
            extra: args.ssh_options.clone(),
            program,
        },
    };
    let stderr_tty = std::io::stderr().is_terminal();
    let settings = Settings {
        roster: args.roster.clone(),
        out: args.out.clone(),
        jobs: args.jobs,
        retry_failed: args.retry_failed,
        regrade: args.regrade,
        bar: stderr_tty && !args.watch,
        color: stderr_tty && color(g),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AppError::Runtime)?;
    let started = std::time::Instant::now();
    let s = if args.watch {
        let addr = match args.serve {
            Some(a) => a,
            None => crate::grade::live::DEFAULT_ADDR
                .parse()
                .map_err(|_| AppError::Usage("the default address".into()))?,
        };
        rt.block_on(crate::grade::live::watch(
            &plan,
            &tasks,
            &settings,
            addr,
            args.every.map(std::time::Duration::from_secs),
        ))?
    } else {
        rt.block_on(crate::grade::run(&plan, &tasks, &settings))?
    };
    let mut out = graded_line(&s, started.elapsed().as_secs_f64(), lang);
    if !s.not_graded.is_empty() && !args.watch {
        out.push_str(&tr!(
            lang,
            "Grade those again once fixed: add --retry-failed to the same command\n",
            "修复后重新评分：在同一命令后加上 --retry-failed\n"
        ));
    }
    if g.no_journal {
        out.push_str(&tr!(
            lang,
            "--no-journal: the learners' journals were not read; these grades rest on each machine's live state and its daemon's recent events only\n",
            "--no-journal：未读取学员的操作记录（journal）；本次成绩只依据各台机器的当前状态和守护进程最近的事件\n"
        ));
    }
    for f in &s.files {
        out.push_str(&format!("  {}\n", f.display()));
    }
    if !s.left_out.is_empty() {
        let ids: Vec<&str> = s.left_out.iter().map(|l| l.student_id.as_str()).collect();
        out.push_str(&tr!(
            lang,
            "canvas.csv and moodle.csv have no row for {} (not graded), so the LMS keeps their grades: {}\n",
            "canvas.csv 和 moodle.csv 中没有 {} 名未评分学生的行，LMS 中他们的成绩保持不变：{}\n",
            ids.len(),
            ids.join(", ")
        ));
    }
    out.push_str(&tr!(
        lang,
        "  {}/students/<id>/  (report.json, evidence/)\n",
        "  {}/students/<学号>/  （report.json、evidence/）\n",
        s.out.display()
    ));
    if let Some(stop) = s.interrupted {
        out.push_str(&interrupted_line(&s, lang));
        emit(&out, lang)?;
        return Ok(stop.exit_code());
    }
    if !s.unfinished.is_empty() {
        // --watch stopped before these VMs' first round ended.
        out.push_str(&tr!(
            lang,
            "not graded (the watch stopped before their first round ended): {}\n",
            "未评分（监视在其第一轮评分结束前停止）：{}\n",
            s.unfinished.join(", ")
        ));
    }
    emit(&out, lang)?;
    if !s.unsaved.is_empty() || !s.not_graded.is_empty() || !s.unfinished.is_empty() {
        return Ok(exit::ERROR);
    }
    Ok(exit::PASS)
}

/// `graded 5 of 8 hosts …; 3 could not be graded:` and a line for each of
/// those. Only outcome `graded` counts as graded.
fn graded_line(s: &crate::grade::Summary, secs: f64, lang: Lang) -> String {
    let graded = s.graded_now + s.graded_before;
    let mut out = tr!(
        lang,
        "graded {} of {} hosts in {:.1} s ({} in this run, {} from before)",
        "已评分 {} / {} 台主机，用时 {:.1} 秒（本次 {} 台，之前 {} 台）",
        graded,
        s.students,
        secs,
        s.graded_now,
        s.graded_before
    );
    if s.not_graded.is_empty() {
        out.push('\n');
    } else {
        out.push_str(&tr!(
            lang,
            "; {} could not be graded:\n",
            "；{} 台无法评分：\n",
            s.not_graded.len()
        ));
    }
    for (id, outcome, detail) in &s.not_graded {
        out.push_str(&format!("  {id:<12} {:<11} {detail}\n", outcome.name()));
    }
    out
}

/// What a run stopped by a signal tells: what is left, and that the same
/// command finishes it.
fn interrupted_line(s: &crate::grade::Summary, lang: Lang) -> String {
    let left = s.unfinished.len();
    if s.regrade_pending {
        return tr!(
            lang,
            "interrupted: {} hosts not regraded; the previous results in {} are unchanged; run the same command again to finish\n",
            "已中断：还有 {} 台主机未重评；{} 中原有的结果保持不变；再次运行同一命令即可完成\n",
            left,
            s.out.display()
        );
    }
    tr!(
        lang,
        "interrupted: {} hosts not graded, run the same command again to finish (the class files above cover the hosts done so far)\n",
        "已中断：还有 {} 台主机未评分，再次运行同一命令即可完成（上面的班级文件只包含已完成的主机）\n",
        left
    )
}

/// Where `program` is: a path that exists, or a name found on PATH.
fn on_path(program: &str) -> Option<String> {
    if program.contains('/') {
        return std::path::Path::new(program)
            .is_file()
            .then(|| program.to_string());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

fn quiz(course: &Course, g: &Global, args: &QuizArgs, lang: Lang) -> Result<u8, AppError> {
    let task = course
        .task(&args.task)
        .ok_or_else(|| CourseError::UnknownTarget {
            name: args.task.clone(),
            course: course.source.names(),
        })?;
    let Some(quiz) = &task.quiz else {
        let with: Vec<&str> = course
            .tasks
            .iter()
            .filter(|(_, t)| t.quiz.is_some())
            .map(|(_, t)| t.id.as_str())
            .collect();
        return Err(AppError::Usage(tr!(
            lang,
            "{} has no quiz; these tasks have one: {}",
            "{} 没有测验；有测验的任务是 {}",
            task.id,
            with.join(lang.pick(", ", "、"))
        )));
    };
    if let Some((id, _)) = args
        .answers
        .iter()
        .find(|(id, _)| !quiz.questions.iter().any(|q| q.id == *id))
    {
        let ids: Vec<&str> = quiz.questions.iter().map(|q| q.id.as_str()).collect();
        return Err(AppError::Usage(tr!(
            lang,
            "--answer {}=...: {} has no question `{}`; its questions are {}",
            "--answer {}=...：{} 没有题目 `{}`；它的题目是 {}",
            id,
            task.id,
            id,
            ids.join(lang.pick(", ", "、"))
        )));
    }
    let overrides: Vec<(String, String)> = g.vars.iter().chain(&args.vars).cloned().collect();
    let vars = Vars::for_learner(&course.file.vars, &overrides, lang).map_err(AppError::Usage)?;
    let machine = Machine::local(g.docker_host.clone(), g.timeout);
    let answers = args.answers.iter().cloned().collect();
    let rt = runtime()?;
    let journal = journal(g, &machine, &rt, lang);
    let stdin = std::io::stdin();
    let mut session = crate::quiz::Session {
        machine: &machine,
        vars: &vars,
        lang,
        color: color(g),
        answers: &answers,
        echo: !stdin.is_terminal(),
        input: stdin.lock(),
        out: std::io::stdout(),
    };
    let score = rt.block_on(session.run(task, quiz));
    if score.unknown > 0 {
        eprintln!("{}", tr!(lang, "lab: {} question(s) could not be checked against this machine; nothing was recorded", "lab：有 {} 道题无法根据本机判断；本次结果未记录", score.unknown));
        return Ok(exit::ERROR);
    }
    if g.no_journal {
        eprintln!(
            "{}",
            tr!(
                lang,
                "lab: --no-journal: this score is not recorded, so the task's quiz check does not see it",
                "lab：--no-journal：本次成绩不会被记录，因此任务的测验检查看不到它"
            )
        );
    } else if let Err(w) = crate::quiz::record(&journal, &task.id, &score) {
        eprintln!("lab: {}{w}", lang.pick("warning: ", "警告："));
    }
    Ok(if score.passed() {
        exit::PASS
    } else {
        exit::FAIL
    })
}

fn list(course: &Course, journal: &Journal, lang: Lang, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = format!("{}\n\n", paint("1", course.file.title.get(lang)));
    for unit in &course.file.units {
        out.push_str(&format!(
            "{}  {}\n",
            paint("1", &unit.id),
            unit.title.get(lang)
        ));
        for (_, t) in course.tasks.iter().filter(|(_, t)| t.unit == unit.id) {
            let status = match journal.last_task(&t.id) {
                Some(Entry::Task {
                    at,
                    status,
                    score,
                    max_score,
                    ..
                }) => {
                    let (mark, code) = match status {
                        TaskStatus::Pass => ("✔", "32"),
                        TaskStatus::Fail => ("✘", "31"),
                        TaskStatus::Error => ("!", "33"),
                    };
                    format!(
                        "{} {score}/{max_score}  {}",
                        paint(code, mark),
                        paint("2", &crate::clock::date(*at))
                    )
                }
                _ => paint("2", lang.pick("· not checked yet", "· 尚未检查")),
            };
            out.push_str(&format!("  {:<7} {}  {status}\n", t.id, t.title.get(lang)));
        }
        out.push('\n');
    }
    out.push_str(&tr!(
        lang,
        "Read a lesson: lab show TASK · check your work: lab check TASK\n",
        "阅读课程：lab show 任务 · 检查成果：lab check 任务\n"
    ));
    out
}
