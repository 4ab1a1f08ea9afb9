//! `lab grade`: the plan from the command line, `crate::grade::once`, and
//! the summary the teacher reads.

use super::{color, emit, runtime, AppError};
use crate::cli::{Global, GradeArgs};
use crate::course::{Course, Vars};
use crate::grade::{Plan, Settings};
use crate::lang::Lang;
use crate::report::exit;
use crate::tr;
use std::io::IsTerminal;

pub fn run(course: &Course, g: &Global, args: &GradeArgs, lang: Lang) -> Result<u8, AppError> {
    let tasks = course.select(&args.targets, args.all)?;
    let overrides: Vec<(String, String)> = g.vars.iter().chain(&args.vars).cloned().collect();
    Vars::for_learner(&course.file.vars, &overrides, lang).map_err(AppError::Usage)?;
    let plan = plan(course, &overrides, g, args, lang)?;
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
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let s = rt.block_on(grading(&plan, &tasks, &settings, args))?;
    let out = told(&s, started.elapsed().as_secs_f64(), g, args, lang);
    emit(&out, lang)?;
    if let Some(stop) = s.interrupted {
        return Ok(stop.exit_code());
    }
    if !s.unsaved.is_empty() || !s.not_graded.is_empty() || !s.unfinished.is_empty() {
        return Ok(exit::ERROR);
    }
    Ok(exit::PASS)
}

/// What grading one VM needs from the command line: the ssh program (found
/// once, not at each VM's session) and the deadline, each refused in words.
fn plan<'a>(
    course: &'a Course,
    overrides: &'a [(String, String)],
    g: &Global,
    args: &GradeArgs,
    lang: Lang,
) -> Result<Plan<'a>, AppError> {
    let wanted = std::env::var("LAB_SSH").unwrap_or_else(|_| "ssh".into());
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
    Ok(Plan {
        course,
        overrides,
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
    })
}

/// What the teacher reads at the end: how many were graded, what to do
/// about the others, where the files are, and why the run stopped early.
fn told(s: &crate::grade::Summary, secs: f64, g: &Global, args: &GradeArgs, lang: Lang) -> String {
    let mut out = graded_line(s, secs, lang);
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
    if s.interrupted.is_some() {
        out.push_str(&interrupted_line(s, lang));
    } else if !s.unfinished.is_empty() {
        // --watch stopped before these VMs' first round ended.
        out.push_str(&tr!(
            lang,
            "not graded (the watch stopped before their first round ended): {}\n",
            "未评分（监视在其第一轮评分结束前停止）：{}\n",
            s.unfinished.join(", ")
        ));
    }
    out
}

/// One run of `lab grade`, or the watch with `--watch`.
async fn grading(
    plan: &crate::grade::Plan<'_>,
    tasks: &[&crate::course::Task],
    settings: &crate::grade::Settings,
    args: &GradeArgs,
) -> Result<crate::grade::Summary, crate::grade::GradeError> {
    if !args.watch {
        return crate::grade::once(plan, tasks, settings).await;
    }
    let addr = args.serve.unwrap_or(crate::grade::live::DEFAULT_ADDR);
    let every = args.every.map(std::time::Duration::from_secs);
    crate::grade::live::watch(plan, tasks, settings, addr, every).await
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
