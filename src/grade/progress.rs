//! Progress on stderr: a bar with graded / not graded counts on a terminal
//! (hosts that could not be graded are printed above it as they happen),
//! a plain line per host otherwise (CI logs, `| tee`).

use super::outcome::{HostOutcome, Record};
use crate::lang::Lang;
use crate::tr;
use std::io::Write;
use std::time::Instant;

pub struct Progress {
    total: usize,
    done: usize,
    graded: usize,
    failed: usize,
    bar: bool,
    color: bool,
    lang: Lang,
    started: Instant,
}

impl Progress {
    pub fn new(total: usize, bar: bool, color: bool, lang: Lang) -> Progress {
        let p = Progress {
            total,
            done: 0,
            graded: 0,
            failed: 0,
            bar,
            color,
            lang,
            started: Instant::now(),
        };
        if bar {
            p.draw();
        }
        p
    }

    /// One host is done.
    pub fn host(&mut self, r: &Record) {
        self.done += 1;
        if r.outcome == HostOutcome::Graded {
            self.graded += 1;
        } else {
            self.failed += 1;
        }
        let line = self.line(r);
        let mut err = std::io::stderr().lock();
        if self.bar {
            if r.outcome != HostOutcome::Graded {
                let _ = write!(err, "\r\x1b[2K{line}\n");
            }
            drop(err);
            self.draw();
        } else {
            let _ = writeln!(err, "{line}");
        }
    }

    fn line(&self, r: &Record) -> String {
        let width = self.total.to_string().len();
        let what = match (r.outcome, r.total) {
            (HostOutcome::Graded, Some(t)) => format!("{t}/{}", r.max_total),
            _ => r.detail.clone().unwrap_or_default(),
        };
        let outcome = r.outcome.name();
        let outcome = if self.color {
            let code = if r.outcome == HostOutcome::Graded {
                "32"
            } else {
                "31"
            };
            format!("\x1b[{code}m{outcome:<11}\x1b[0m")
        } else {
            format!("{outcome:<11}")
        };
        format!(
            "[{:>width$}/{}] {outcome} {} ({}) {what} · {:.1} s",
            self.done, self.total, r.student_id, r.name, r.seconds
        )
    }

    fn draw(&self) {
        const WIDTH: usize = 30;
        let filled = (self.done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let text = tr!(
            self.lang,
            "[{}] {}/{} · graded {} · not graded {} · {:.1} s",
            "[{}] {}/{} · 已评分 {} · 未能评分 {} · {:.1} 秒",
            bar,
            self.done,
            self.total,
            self.graded,
            self.failed,
            self.started.elapsed().as_secs_f64()
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{text}");
        let _ = err.flush();
    }

    /// Ends the bar's line.
    pub fn finish(&self) {
        if self.bar {
            let _ = writeln!(std::io::stderr());
        }
    }
}
