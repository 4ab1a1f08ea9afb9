//! Where `lab watch` writes. In a terminal: the alternate screen in raw
//! mode, the whole report redrawn each round, a footer with the keys; the
//! terminal is given back as it was when the screen is dropped (also on an
//! error or a panic). Elsewhere (a pipe, a file, `--plain`): the report
//! once, then a line per step whose verdict changed.

use super::Note;
use crate::lang::Lang;
use crate::report::{Report, Status, TaskStatus};
use crate::tr;
use std::io::Write;

pub enum Screen {
    Tty { color: bool },
    Plain { color: bool, shown: bool },
}

impl Screen {
    /// Takes over the terminal when `tty`.
    pub fn new(tty: bool, color: bool) -> std::io::Result<Screen> {
        if !tty {
            return Ok(Screen::Plain {
                color,
                shown: false,
            });
        }
        crossterm::terminal::enable_raw_mode()?;
        let screen = Screen::Tty { color };
        crossterm::execute!(
            std::io::stdout(),
            crossterm::terminal::EnterAlternateScreen,
            crossterm::cursor::Hide
        )?;
        Ok(screen)
    }

    /// Shows this round: `before` is the last round's report of the same
    /// task (`None` after a task change).
    pub fn show(
        &mut self,
        report: &Report,
        before: Option<&Report>,
        hints: bool,
        notes: &[Note],
        next: Option<(&str, &str)>,
        lang: Lang,
    ) -> std::io::Result<()> {
        match self {
            Screen::Tty { color } => {
                let mut text = header(report, lang);
                text.push_str("\n\n");
                text.push_str(&report.text(*color, hints));
                for n in notes {
                    text.push_str(&n.text(lang));
                    text.push('\n');
                }
                if let Some(line) = passed_line(report, next, lang) {
                    text.push_str(&line);
                }
                let body = fit(&text, &footer(lang), rows());
                let mut out = std::io::stdout().lock();
                crossterm::queue!(
                    out,
                    crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
                    crossterm::cursor::MoveTo(0, 0)
                )?;
                out.write_all(body.as_bytes())?;
                out.flush()
            }
            Screen::Plain { color, shown } => {
                let mut text = String::new();
                match before {
                    Some(before) if *shown => text.push_str(&changes(report, before, lang)),
                    _ => {
                        text.push_str(&header(report, lang));
                        text.push('\n');
                        text.push_str(&report.text(*color, true));
                    }
                }
                let newly_passed = before
                    .is_none_or(|b| b.tasks.first().map(|t| t.status) != Some(TaskStatus::Pass));
                if newly_passed {
                    if let Some(line) = passed_line(report, next, lang) {
                        text.push_str(&line);
                    }
                }
                *shown = true;
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()
            }
        }
    }

    /// A note on its own (the daemon went away or came back).
    pub fn note(&mut self, note: &Note, lang: Lang) -> std::io::Result<()> {
        if let Screen::Plain { .. } = self {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", note.text(lang))?;
            out.flush()?;
        }
        Ok(())
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if let Screen::Tty { .. } = self {
            let _ = crossterm::execute!(
                std::io::stdout(),
                crossterm::cursor::Show,
                crossterm::terminal::LeaveAlternateScreen
            );
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

/// The terminal's height (24 when it does not say).
fn rows() -> usize {
    crossterm::terminal::size().map_or(24, |(_, r)| usize::from(r).max(3))
}

/// `text` and the footer on a screen of `rows` lines, raw mode's `\r\n`
/// between them: a report taller than the screen loses its end (marked
/// `…`), never the footer with the keys.
fn fit(text: &str, footer: &str, rows: usize) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.len() + 2 > rows {
        lines.truncate(rows.saturating_sub(3));
        lines.push("…");
    }
    lines.push("");
    lines.push(footer);
    lines.join("\r\n")
}

fn header(report: &Report, lang: Lang) -> String {
    let task = report.tasks.first().map(|t| t.id.as_str()).unwrap_or("");
    tr!(
        lang,
        "lab watch {}: checks again whenever Docker or a file the task reads changes",
        "lab watch {}：Docker 或任务读取的文件一有变化就重新检查",
        task
    )
}

fn footer(lang: Lang) -> String {
    lang.pick(
        "q quit · h hints · n next task · p previous task · c check now",
        "q 退出 · h 提示 · n 下一个任务 · p 上一个任务 · c 立即检查",
    )
    .to_string()
}

/// `✔ task3 passed. Next: task4 …` when the task passes.
fn passed_line(report: &Report, next: Option<(&str, &str)>, lang: Lang) -> Option<String> {
    let t = report.tasks.first()?;
    if t.status != TaskStatus::Pass {
        return None;
    }
    Some(match next {
        Some((id, title)) => tr!(
            lang,
            "✔ {} passed. Next: {} {} (lab watch {})\n",
            "✔ {} 已通过。下一个：{} {}（lab watch {}）\n",
            t.id,
            id,
            title,
            id
        ),
        None => tr!(
            lang,
            "✔ {} passed. That was the last task of the course.\n",
            "✔ {} 已通过。这是课程的最后一个任务。\n",
            t.id
        ),
    })
}

/// A line per step whose verdict changed since `before`, a failing one
/// with its hint.
fn changes(report: &Report, before: &Report, lang: Lang) -> String {
    let (Some(now), Some(was)) = (report.tasks.first(), before.tasks.first()) else {
        return String::new();
    };
    let mut out = String::new();
    for s in &now.steps {
        let old = was.steps.iter().find(|o| o.id == s.id).map(|o| o.status);
        if old == Some(s.status) {
            continue;
        }
        let mark = match s.status {
            Status::Pass => "✔",
            Status::Fail => "✘",
            Status::Skip => "–",
            Status::Error => "!",
        };
        out.push_str(&format!("{mark} {} {}\n", s.id, s.title));
        let failing = s
            .checks
            .iter()
            .filter(|_| matches!(s.status, Status::Fail | Status::Error))
            .find(|c| matches!(c.status, Status::Fail | Status::Error));
        if let Some(c) = failing {
            let label = lang.pick("hint: ", "提示：");
            match (&c.hint, c.status) {
                (Some(h), Status::Fail) => out.push_str(&format!(
                    "    {label}{}\n",
                    h.lines().collect::<Vec<_>>().join(" ")
                )),
                _ => out.push_str(&format!("    {}\n", c.message)),
            }
        }
    }
    out
}

/// `task3: 1/3 steps, score 10/30`, printed when the watch ends.
pub fn summary(report: &Report, lang: Lang) -> String {
    let Some(t) = report.tasks.first() else {
        return String::new();
    };
    let passed = t.steps.iter().filter(|s| s.status == Status::Pass).count();
    tr!(
        lang,
        "{}: {}/{} steps, score {}/{}\n",
        "{}：{}/{} 步，得分 {}/{}\n",
        t.id,
        passed,
        t.steps.len(),
        t.score,
        t.max_score
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn only_the_steps_whose_verdict_changed_get_a_line_a_failure_with_its_hint() {
        let was = sample::report(Lang::En);
        assert_eq!(changes(&was, &was, Lang::En), "", "nothing changed");
        let mut now = was.clone();
        now.tasks[0].steps[0].status = Status::Fail;
        now.tasks[0].steps[0].checks[0].status = Status::Fail;
        now.tasks[0].steps[0].checks[0].hint = Some("Pull it:\n`docker pull tomcat`".into());
        now.tasks[0].steps[1].status = Status::Pass;
        assert_eq!(
            changes(&now, &was, Lang::En),
            "✘ pull-latest Pull tomcat\n    hint: Pull it: `docker pull tomcat`\n✔ tag Tag it\n"
        );
        assert!(changes(&now, &was, Lang::ZhCn).contains("    提示：Pull it:"));
    }

    #[test]
    fn a_report_taller_than_the_screen_keeps_the_footer() {
        let text = "a\nb\nc\nd\ne\n";
        assert_eq!(fit(text, "keys", 10), "a\r\nb\r\nc\r\nd\r\ne\r\n\r\nkeys");
        assert_eq!(fit(text, "keys", 5), "a\r\nb\r\n…\r\n\r\nkeys");
    }

    #[test]
    fn the_summary_counts_steps_and_score_in_both_languages() {
        let r = sample::report(Lang::En);
        let t = &r.tasks[0];
        let passed = t.steps.iter().filter(|s| s.status == Status::Pass).count();
        assert_eq!(
            summary(&r, Lang::En),
            format!(
                "{}: {passed}/{} steps, score {}/{}\n",
                t.id,
                t.steps.len(),
                t.score,
                t.max_score
            )
        );
        assert!(summary(&r, Lang::ZhCn).contains("步，得分"));
    }
}
