//! `lab quiz TASK`: asks the task's questions, checks the answers against
//! this machine, records the score in the journal.

use super::{color, journal, learner_vars, runtime, AppError};
use crate::cli::{Global, QuizArgs};
use crate::course::{Course, CourseError};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::exit;
use crate::tr;
use std::io::IsTerminal;

pub fn run(course: &Course, g: &Global, args: &QuizArgs, lang: Lang) -> Result<u8, AppError> {
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
    let vars = learner_vars(course, g, &args.vars, lang)?;
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
