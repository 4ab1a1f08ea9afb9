//! `summary.html`: the class at a glance (its numbers: `class_stats`).
//! Who was left out of the LMS files (every student not `graded`), outcome
//! counts, the distribution of total scores, each task's pass rate, each
//! check's pass / fail / skip / error counts across the graded hosts (what
//! the class fails most comes first), and the gradebook. One tera
//! template, HTML-escaped, no script.

use super::class_stats::{graded_record, histogram, rates, task_rates};
use super::outcome::{HostOutcome, Record};
use super::roster::Student;
use crate::course::Task;
use crate::evidence::{Health, JournalState};
use crate::lang::Lang;
use crate::report::Report;
use crate::tr;

const TEMPLATE: &str = include_str!("summary.html");

pub fn render(
    course_title: &str,
    students: &[(&Student, Option<&Record>, Option<&Report>)],
    tasks: &[&Task],
    lang: Lang,
) -> Result<String, tera::Error> {
    let reports: Vec<&Report> = students.iter().filter_map(|(_, _, r)| *r).collect();
    let max: u32 = tasks.iter().map(|t| t.max_score()).sum();
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    let not_yet = l("not graded yet", "尚未评分");
    let no_result = l(
        "no result: the run stopped before this host; run the same command again",
        "没有结果：评分在这台主机之前停止了；请再次运行同一命令",
    );
    let mut counts: Vec<(Option<HostOutcome>, usize)> = Vec::new();
    for (_, r, _) in students {
        let o = r.map(|r| r.outcome);
        match counts.iter_mut().find(|(k, _)| *k == o) {
            Some((_, n)) => *n += 1,
            None => counts.push((o, 1)),
        }
    }
    counts.sort_by_key(|(o, _)| o.map_or(u8::MAX, |o| o as u8));
    let label =
        |o: Option<HostOutcome>| o.map_or_else(|| not_yet.to_string(), |o| outcome_label(o, lang));
    let outcomes: Vec<_> = counts
        .iter()
        .map(|(o, n)| serde_json::json!({ "label": label(*o), "count": n }))
        .collect();
    let totals: Vec<u32> = students
        .iter()
        .filter_map(|(_, r, _)| graded_record(*r).and_then(|r| r.total))
        .collect();
    let average = (!totals.is_empty()).then(|| {
        format!(
            "{:.1}/{max}",
            totals.iter().sum::<u32>() as f64 / totals.len() as f64
        )
    });
    let why = |r: Option<&Record>| match r {
        Some(r) => r.detail.clone().unwrap_or_default(),
        None => no_result.to_string(),
    };
    // The very list the run's summary prints (`lms::left_out`).
    let pairs: Vec<_> = students.iter().map(|(s, r, _)| (*s, *r)).collect();
    let left_out: Vec<_> = super::lms::left_out(&pairs)
        .iter()
        .filter_map(|l| pairs.iter().find(|(s, _)| s.id == l.student_id))
        .map(|(s, r)| {
            serde_json::json!({
                "id": s.id,
                "name": s.name,
                "outcome": label(r.map(|r| r.outcome)),
                "detail": why(*r),
            })
        })
        .collect();
    // Students whose grade deserves a second look first (`flags`), then
    // the others, each in roster order.
    let mut ordered: Vec<_> = students.iter().collect();
    ordered.sort_by_key(|(_, r, _)| r.is_none_or(|r| r.flags.is_empty()));
    let rows: Vec<_> = ordered
        .into_iter()
        .map(|(s, r, report)| {
            let graded = graded_record(*r).is_some();
            serde_json::json!({
                "id": s.id,
                "name": s.name,
                "graded": graded,
                // A link only to a report that was written.
                "report": graded && report.is_some(),
                "outcome": label(r.map(|r| r.outcome)),
                "detail": if graded { r.and_then(|r| r.detail.clone()) } else { Some(why(*r)) },
                "scores": tasks.iter().map(|t| r.and_then(|r| r.scores.get(&t.id)).map(u32::to_string).unwrap_or_else(|| "—".into())).collect::<Vec<_>>(),
                "total": r.and_then(|r| r.total).map(|t| t.to_string()).unwrap_or_else(|| "—".into()),
                "journal": r.and_then(|r| r.journal.as_ref()).map(|h| journal_label(h, lang)).unwrap_or_else(|| "—".into()),
                "journal_trusted": r.and_then(|r| r.journal.as_ref()).is_none_or(|h| h.ignored == 0),
                "flags": r.map(|r| r.flags.join(" ")).unwrap_or_default(),
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
    ctx.insert(
        "left_out_title",
        &tr!(
            lang,
            "Left out of the LMS files ({})",
            "未写入 LMS 成绩文件的学生（{}）",
            left_out.len()
        ),
    );
    ctx.insert("left_out", &left_out);
    ctx.insert("histogram", &histogram(&totals, max));
    ctx.insert("graded_count", &totals.len());
    ctx.insert("task_rates", &task_rates(tasks, &reports, lang));
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
    ctx.insert("t", &words(lang));
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(crate::html::escape);
    tera.add_raw_template("summary.html", TEMPLATE)?;
    tera.render("summary.html", &ctx)
}

/// The page's words, in the teacher's language.
fn words(lang: Lang) -> serde_json::Value {
    let l = |en: &'static str, zh: &'static str| lang.pick(en, zh);
    serde_json::json!({
        "title": l("Class summary", "班级成绩概览"),
        "students": l("students", "名学生"),
        "average": l("average of graded", "已评分者平均分"),
        "flags": l("check before defending the grade", "核实后再给分"),
        "left_out_note": l("These students were not graded: canvas.csv and moodle.csv have no row for them, so the LMS keeps their grades. Fix what is said, then run the same command with --retry-failed.", "以下学生未能评分：canvas.csv 和 moodle.csv 中没有他们的行，LMS 中的原有成绩保持不变。按说明排除问题后，在同一命令后加上 --retry-failed 重新评分。"),
        "distribution": l("Distribution of total scores", "总分分布"),
        "distribution_note": l("Graded hosts only; the number above each bar is how many students.", "仅统计已评分的主机；柱上的数字为学生人数。"),
        "tasks_title": l("Each task", "各任务情况"),
        "task": l("Task", "任务"),
        "task_passed": l("Passed the whole task", "整项任务通过"),
        "average_score": l("Average score", "平均分"),
        "fails_most": l("What the class fails most", "全班最常出错的检查"),
        "fails_most_note": l("Each check among the graded hosts, lowest pass rate first. A skipped check (it could not be verified on that VM) is not a pass.", "每项检查在已评分主机中的结果，按通过率由低到高排列。跳过的检查（在该虚拟机上无法验证）不算通过。"),
        "check": l("Check", "检查"),
        "step": l("Step", "步骤"),
        "pass_rate": l("Pass rate", "通过率"),
        "pass": l("pass", "通过"),
        "fail": l("fail", "未通过"),
        "skip": l("skip", "跳过"),
        "error": l("error", "出错"),
        "hint": l("Hint learners get", "给学员的提示"),
        "gradebook": l("Gradebook", "成绩册"),
        "student": l("Student", "学号"),
        "name": l("Name", "姓名"),
        "outcome": l("HostOutcome", "结果"),
        "total": l("Total", "总分"),
        "journal": l("Journal", "操作记录"),
    })
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

pub(super) fn outcome_label(o: HostOutcome, lang: Lang) -> String {
    match o {
        HostOutcome::Graded => lang.pick("graded", "已评分"),
        HostOutcome::Unreachable => lang.pick("unreachable", "无法连接"),
        HostOutcome::AuthFailed => lang.pick("auth failed", "认证失败"),
        HostOutcome::TimedOut => lang.pick("timed out", "超时"),
        HostOutcome::Error => lang.pick("error", "出错"),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::testing;
    use crate::report::{CheckResult, Status, StepResult};

    /// task3's report with every check passed but those named in `other`.
    fn report(task: &Task, other: &[(&str, Status)]) -> Report {
        let steps: Vec<StepResult> = task
            .steps
            .iter()
            .map(|s| {
                let checks: Vec<CheckResult> = s
                    .checks
                    .iter()
                    .map(|c| {
                        let status = other
                            .iter()
                            .find(|(id, _)| *id == c.id)
                            .map_or(Status::Pass, |(_, st)| *st);
                        testing::check(&c.id, "file", status)
                    })
                    .collect();
                let passed = StepResult::status_of(&checks) == Status::Pass;
                testing::step(&s.id, "", if passed { s.points } else { 0 }, checks)
            })
            .collect();
        testing::report(&task.id, task.max_score(), steps)
    }

    fn student(id: &str) -> Student {
        testing::student(id, &format!("Name of {id}"), "vm")
    }

    fn record(id: &str, outcome: HostOutcome, report: Option<&Report>) -> Record {
        let scores: Vec<(&str, u32)> = report
            .map(|r| r.tasks.iter().map(|t| (t.id.as_str(), t.score)).collect())
            .unwrap_or_default();
        Record {
            name: id.into(),
            host: "ssh://vm".into(),
            detail: (outcome != HostOutcome::Graded).then(|| "Connection refused".into()),
            at: 1,
            total: report.map(|_| scores.iter().map(|(_, n)| n).sum()),
            max_total: 6,
            ..crate::grade::testing::record(&student(id), outcome, &scores)
        }
    }

    /// The class: s1 and s2 graded, with one check skipped on both and
    /// another failed on s2; s3 unreachable; s4 never reached.
    fn class(lang: Lang) -> String {
        let course =
            crate::course::Course::load(crate::course::Source::Embedded, false, None).unwrap();
        let task = course.task("task3").unwrap();
        let skipped = task.steps[0].checks[0].id.clone();
        let failed = task.steps.last().unwrap().checks[0].id.clone();
        let r1 = report(task, &[(&skipped, Status::Skip)]);
        let r2 = report(task, &[(&skipped, Status::Skip), (&failed, Status::Fail)]);
        let (s1, s2, s3, s4) = (student("s1"), student("s2"), student("s3"), student("s4"));
        let (c1, c2) = (
            record("s1", HostOutcome::Graded, Some(&r1)),
            record("s2", HostOutcome::Graded, Some(&r2)),
        );
        let c3 = record("s3", HostOutcome::Unreachable, None);
        let rows = [
            (&s1, Some(&c1), Some(&r1)),
            (&s2, Some(&c2), Some(&r2)),
            (&s3, Some(&c3), None),
            (&s4, None, None),
        ];
        let html = render("Docker", &rows, &[task], lang).unwrap();
        let path = format!("task3/{}/{skipped}", task.steps[0].id);
        format!("{path}\n{html}")
    }

    #[test]
    fn a_skipped_check_is_counted_as_a_skip_never_as_a_pass() {
        let out = class(Lang::En);
        let (path, html) = out.split_once('\n').unwrap();
        let row = html
            .lines()
            .find(|l| l.contains(&format!("<code>{path}</code>")))
            .expect("the skipped check has a row");
        // 0 of 2 passed, 0 failed, 2 skipped, 0 errors; a grey bar.
        assert!(row.contains("</span> 0%</td>"), "{row}");
        assert!(
            row.contains(r#"<td class="num">0/2</td><td class="num">0</td><td class="num">2</td><td class="num">0</td>"#),
            "{row}"
        );
        assert!(
            row.contains(r#"class="s-skip" style="width: 100%""#),
            "{row}"
        );
    }

    #[test]
    fn students_without_a_report_get_no_link_and_are_listed_as_left_out() {
        let out = class(Lang::En);
        let html = out.split_once('\n').unwrap().1;
        assert!(html.contains(r#"<a href="students/s1/report.json">s1</a>"#));
        assert!(
            !html.contains("students/s3/report.json"),
            "unreachable: no report"
        );
        assert!(!html.contains("students/s4/report.json"), "never reached");
        let left = &html[html.find(r#"id="left-out""#).expect("left-out section")..];
        let left = &left[..left.find("</section>").unwrap()];
        assert!(left.contains("Left out of the LMS files (2)"), "{left}");
        assert!(
            left.contains("<td>s3</td>") && left.contains("unreachable"),
            "{left}"
        );
        assert!(left.contains("Connection refused"), "{left}");
        assert!(
            left.contains("<td>s4</td>") && left.contains("not graded yet"),
            "{left}"
        );
        assert!(!left.contains("<td>s1</td>"), "{left}");
        // At the top, before the counts.
        assert!(html.find(r#"id="left-out""#) < html.find(r#"class="counts""#));
        // The gradebook row says why instead of linking.
        let s4 = html
            .lines()
            .find(|l| l.starts_with("<tr><td>s4</td>"))
            .unwrap();
        assert!(s4.contains("the run stopped before this host"), "{s4}");
        // s4 is not counted as an error.
        assert!(html.contains("<b>1</b>not graded yet"), "{html}");
    }

    #[test]
    fn the_page_has_a_score_distribution_and_task_pass_rates() {
        let out = class(Lang::En);
        let html = out.split_once('\n').unwrap().1;
        assert!(html.contains(r#"id="distribution""#));
        assert!(!html.contains("<script"), "no script");
        assert!(!html.contains("http"), "nothing fetched");
        // A skipped step keeps the task from passing: 0 of 2.
        let tasks = &html[html.find(r#"id="tasks""#).unwrap()..];
        let row = tasks
            .lines()
            .find(|l| l.contains("<code>task3</code>"))
            .unwrap();
        assert!(
            row.contains(r#"0% <span class="hint">(0/2)</span>"#),
            "{row}"
        );
        let zh = class(Lang::ZhCn);
        assert!(zh.contains("未写入 LMS 成绩文件的学生（2）"), "{zh}");
        assert!(zh.contains("总分分布") && zh.contains("跳过") && zh.contains("尚未评分"));
    }

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

    /// A student whose grade deserves a second look comes first in the
    /// class table, with what to check.
    #[test]
    fn flagged_students_come_first_with_their_flags() {
        let course =
            crate::course::Course::load(crate::course::Source::Embedded, false, None).unwrap();
        let task = course.task("task3").unwrap();
        let r = report(task, &[]);
        let (s1, s2) = (student("s1"), student("s2"));
        let c1 = record("s1", HostOutcome::Graded, Some(&r));
        let mut c2 = record("s2", HostOutcome::Graded, Some(&r));
        c2.flags = vec!["task3:journal_only".into(), "journal:edited".into()];
        let rows = [(&s1, Some(&c1), Some(&r)), (&s2, Some(&c2), Some(&r))];
        let html = render("Docker", &rows, &[task], Lang::En).unwrap();
        let (first, second) = (
            html.find(r#"<a href="students/s2/report.json">"#)
                .expect("s2 row"),
            html.find(r#"<a href="students/s1/report.json">"#)
                .expect("s1 row"),
        );
        assert!(first < second, "the flagged student first");
        assert!(
            html.contains("check before defending the grade: task3:journal_only journal:edited")
        );
    }
}
