//! `summary.html`: the class at a glance. Outcome counts, each check's pass
//! rate across the graded hosts (what the class fails most comes first),
//! and the gradebook. One tera template, HTML-escaped.

use super::outcome::{Outcome, Record};
use super::roster::Student;
use crate::course::Task;
use crate::evidence::{Health, JournalState};
use crate::lang::Lang;
use crate::report::{Report, Status};
use crate::tr;
use serde::Serialize;
use std::collections::HashMap;

const TEMPLATE: &str = include_str!("summary.html");

#[derive(Serialize)]
struct CheckRate {
    path: String,
    step_title: String,
    passed: usize,
    graded: usize,
    percent: usize,
    hint: String,
}

/// Each check of the course's selected tasks, by pass rate (lowest first,
/// then course order). A skipped check proves nothing: it is not a pass.
fn rates(tasks: &[&Task], reports: &[&Report], lang: Lang) -> Vec<CheckRate> {
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for r in reports {
        for t in &r.tasks {
            for s in &t.steps {
                for c in &s.checks {
                    let e = seen
                        .entry(format!("{}/{}/{}", t.id, s.id, c.id))
                        .or_default();
                    e.1 += 1;
                    if c.status == Status::Pass {
                        e.0 += 1;
                    }
                }
            }
        }
    }
    let mut out: Vec<CheckRate> = tasks
        .iter()
        .flat_map(|t| t.steps.iter().map(move |s| (t, s)))
        .flat_map(|(t, s)| s.checks.iter().map(move |c| (t, s, c)))
        .filter_map(|(t, s, c)| {
            let path = format!("{}/{}/{}", t.id, s.id, c.id);
            let (passed, graded) = *seen.get(&path)?;
            Some(CheckRate {
                percent: (passed * 100).checked_div(graded).unwrap_or(0),
                passed,
                graded,
                step_title: s.title.get(lang).to_string(),
                hint: c
                    .hint
                    .as_ref()
                    .or(s.hint.as_ref())
                    .map(|h| h.get(lang).to_string())
                    .unwrap_or_default(),
                path,
            })
        })
        .collect();
    // A stable sort keeps course order among equal rates.
    out.sort_by_key(|c| c.percent);
    out
}

pub fn render(
    course_title: &str,
    students: &[(&Student, Option<&Record>, Option<&Report>)],
    tasks: &[&Task],
    lang: Lang,
) -> Result<String, tera::Error> {
    let reports: Vec<&Report> = students.iter().filter_map(|(_, _, r)| *r).collect();
    let max: u32 = tasks.iter().map(|t| t.max_score()).sum();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    let mut counts: Vec<(Outcome, usize)> = Vec::new();
    for (_, r, _) in students {
        let o = r.map(|r| r.outcome).unwrap_or(Outcome::Error);
        match counts.iter_mut().find(|(k, _)| *k == o) {
            Some((_, n)) => *n += 1,
            None => counts.push((o, 1)),
        }
    }
    counts.sort_by_key(|(o, _)| *o as u8);
    let outcomes: Vec<_> = counts
        .iter()
        .map(|(o, n)| serde_json::json!({ "label": outcome_label(*o, lang), "count": n }))
        .collect();
    let totals: Vec<u32> = students
        .iter()
        .filter_map(|(_, r, _)| r.and_then(|r| r.total))
        .collect();
    let average = (!totals.is_empty()).then(|| {
        format!(
            "{:.1}/{max}",
            totals.iter().sum::<u32>() as f64 / totals.len() as f64
        )
    });
    let rows: Vec<_> = students
        .iter()
        .map(|(s, r, _)| {
            let graded = r.is_some_and(|r| r.outcome == Outcome::Graded);
            serde_json::json!({
                "id": s.id,
                "name": s.name,
                "graded": graded,
                "outcome": r.map(|r| outcome_label(r.outcome, lang)).unwrap_or_else(|| l("not graded yet", "尚未评分").into()),
                "detail": r.and_then(|r| r.detail.clone()),
                "scores": tasks.iter().map(|t| r.and_then(|r| r.scores.get(&t.id)).map(u32::to_string).unwrap_or_else(|| "—".into())).collect::<Vec<_>>(),
                "total": r.and_then(|r| r.total).map(|t| t.to_string()).unwrap_or_else(|| "—".into()),
                "journal": r.and_then(|r| r.journal.as_ref()).map(|h| journal_label(h, lang)).unwrap_or_else(|| "—".into()),
                "journal_trusted": r.and_then(|r| r.journal.as_ref()).is_none_or(|h| h.ignored == 0),
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("lang", lang.pick("en", "zh-CN"));
    ctx.insert("course", course_title);
    ctx.insert(
        "tasks_label",
        &tasks
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    ctx.insert("when", &crate::clock::date(crate::clock::now()));
    ctx.insert("outcomes", &outcomes);
    ctx.insert("average", &average);
    ctx.insert("checks", &rates(tasks, &reports, lang));
    ctx.insert(
        "tasks",
        &tasks
            .iter()
            .map(|t| serde_json::json!({ "id": t.id, "max": t.max_score() }))
            .collect::<Vec<_>>(),
    );
    ctx.insert("max", &max);
    ctx.insert("students", &rows);
    ctx.insert(
        "t",
        &serde_json::json!({
            "title": l("Class summary", "班级成绩概览"),
            "students": l("students", "名学生"),
            "average": l("average of graded", "已评分者平均分"),
            "fails_most": l("What the class fails most", "全班最常出错的检查"),
            "fails_most_note": l("Each check's pass rate among the graded hosts, lowest first.", "每项检查在已评分主机中的通过率，由低到高排列。"),
            "check": l("Check", "检查"),
            "step": l("Step", "步骤"),
            "pass_rate": l("Pass rate", "通过率"),
            "passed": l("Passed", "通过"),
            "hint": l("Hint learners get", "给学员的提示"),
            "gradebook": l("Gradebook", "成绩册"),
            "student": l("Student", "学号"),
            "name": l("Name", "姓名"),
            "outcome": l("Outcome", "结果"),
            "total": l("Total", "总分"),
            "journal": l("Journal", "操作记录"),
        }),
    );
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(crate::book::escape_html);
    tera.add_raw_template("summary.html", TEMPLATE)?;
    tera.render("summary.html", &ctx)
}

/// A journal's state for the teacher: `edited: 3 of 40 lines ignored, from line 12`.
fn journal_label(h: &Health, lang: Lang) -> String {
    let state = match h.state {
        JournalState::Ok => lang.pick("ok", "正常"),
        JournalState::Absent => lang.pick("none", "无"),
        JournalState::Foreign => lang.pick(
            "foreign: from another machine or daemon",
            "外来：来自另一台机器或守护进程",
        ),
        JournalState::Edited => lang.pick("edited by hand", "被手工修改"),
        JournalState::Unsealed => lang.pick(
            "unsealed: an earlier lab's format",
            "未加密封：旧版 lab 的格式",
        ),
        JournalState::Unverified => lang.pick(
            "unverified: the daemon did not answer",
            "未校验：守护进程没有响应",
        ),
        JournalState::Damaged => lang.pick("damaged lines", "有损坏的行"),
        JournalState::Unreadable => lang.pick("unreadable", "无法读取"),
        JournalState::Disabled => lang.pick("not read (--no-journal)", "未读取（--no-journal）"),
    };
    match h.from_line {
        Some(line) if h.ignored > 0 => tr!(
            lang,
            "{}: {} of {} lines ignored, from line {}",
            "{}：忽略 {} 行（共 {} 行），从第 {} 行起",
            state,
            h.ignored,
            h.lines,
            line
        ),
        _ => state.to_string(),
    }
}

fn outcome_label(o: Outcome, lang: Lang) -> String {
    match o {
        Outcome::Graded => lang.pick("graded", "已评分"),
        Outcome::Unreachable => lang.pick("unreachable", "无法连接"),
        Outcome::AuthFailed => lang.pick("auth failed", "认证失败"),
        Outcome::TimedOut => lang.pick("timed out", "超时"),
        Outcome::Error => lang.pick("error", "出错"),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_is_labelled_with_what_was_ignored() {
        let h = Health {
            state: JournalState::Edited,
            lines: 40,
            ignored: 3,
            from_line: Some(12),
        };
        assert_eq!(
            journal_label(&h, Lang::En),
            "edited by hand: 3 of 40 lines ignored, from line 12"
        );
        assert_eq!(
            journal_label(&h, Lang::ZhCn),
            "被手工修改：忽略 3 行（共 40 行），从第 12 行起"
        );
        let ok = Health {
            state: JournalState::Ok,
            lines: 5,
            ..Health::default()
        };
        assert_eq!(journal_label(&ok, Lang::En), "ok");
    }
}
