//! The class page of `lab grade --watch`: the whole page for `GET /`, and
//! the grid alone, re-sent as a server-sent event at each change. One
//! renderer, on the server; everything from rosters and VMs is escaped
//! with `html::escape` (the one escaper). The page's script only swaps the grid.

use super::board::{Board, Row};
use crate::grade::summary::outcome_label;
use crate::html::escape as esc;
use crate::lang::Lang;
use crate::report::Status;
use std::fmt::Write;

const PAGE: &str = include_str!("page.html");

/// The whole page, with the grid as it is now.
pub fn page(title: &str, board: &Board, now: i64, lang: Lang) -> String {
    let words = [
        ("{{lang}}", lang.code().to_string()),
        ("{{title}}", esc(title)),
        ("{{live}}", lang.pick("live", "实时").to_string()),
        (
            "{{lost}}",
            lang.pick(
                "connection to lab lost, reconnecting…",
                "与 lab 的连接已断开，正在重连……",
            )
            .to_string(),
        ),
        ("{{grid}}", grid(board, now, lang)),
    ];
    let mut html = PAGE.to_string();
    for (key, value) in words {
        html = html.replace(key, &value);
    }
    html
}

/// The server-sent event's data: the grid's HTML and the board itself
/// (for scripts and tests), one line of JSON.
pub fn event(board: &Board, now: i64, lang: Lang) -> String {
    serde_json::json!({
        "at": now,
        "html": grid(board, now, lang),
        "most_failed": board.most_failed(),
        "board": board,
    })
    .to_string()
}

/// The grid and what is above it: the most failed check, the VMs not
/// reached.
fn grid(board: &Board, now: i64, lang: Lang) -> String {
    let mut h = String::new();
    summary_lines(&mut h, board, lang);
    h.push_str("<table><thead><tr><th>");
    h.push_str(lang.pick("student", "学生"));
    h.push_str("</th>");
    for c in &board.columns {
        let _ = write!(
            h,
            "<th class=\"step\" title=\"{}\"><span>{}</span></th>",
            esc(&c.title),
            esc(&c.step)
        );
    }
    let _ = write!(
        h,
        "<th>{}</th></tr></thead><tbody>",
        lang.pick("stuck on", "卡在")
    );
    for row in &board.rows {
        row_html(&mut h, board, row, now, lang);
    }
    h.push_str("</tbody></table>");
    h
}

fn summary_lines(h: &mut String, board: &Board, lang: Lang) {
    match board.most_failed() {
        Some(m) => {
            let _ = write!(
                h,
                "<p class=\"most\">{} <b>{}</b> ({})</p>",
                lang.pick("Most failed check now:", "当前失败最多的检查："),
                esc(&m.check),
                students(m.students, lang)
            );
        }
        None => {
            let _ = write!(
                h,
                "<p class=\"most\">{}</p>",
                lang.pick("No check fails now.", "当前没有失败的检查。")
            );
        }
    }
    let down: Vec<String> = board
        .unreachable()
        .map(|r| {
            let o = r
                .outcome
                .map(|o| outcome_label(o, lang))
                .unwrap_or_default();
            format!("<b>{}</b> ({})", esc(&r.id), esc(&o))
        })
        .collect();
    if !down.is_empty() {
        let _ = write!(
            h,
            "<p class=\"down\">{} {}</p>",
            lang.pick("Not reached:", "无法评分："),
            down.join(", ")
        );
    }
}

fn row_html(h: &mut String, board: &Board, row: &Row, now: i64, lang: Lang) {
    let _ = write!(
        h,
        "<tr data-student=\"{}\"><th>{} <small>{}</small></th>",
        esc(&row.id),
        esc(&row.id),
        esc(&row.name)
    );
    for (c, cell) in board.columns.iter().zip(&row.cells) {
        let (class, mark) = match cell {
            Some(Status::Pass) => ("pass", "✓"),
            Some(Status::Fail) => ("fail", "✗"),
            Some(Status::Skip) => ("skip", "–"),
            Some(Status::Error) => ("error", "!"),
            None => ("none", "·"),
        };
        let _ = write!(
            h,
            "<td class=\"{class}\" data-step=\"{}\">{mark}</td>",
            esc(&c.step)
        );
    }
    h.push_str(&stuck_cell(board, row, now, lang));
    h.push_str("</tr>");
}

/// The last column: the VM's outcome when it was not reached, else the
/// step it is stuck on and for how long, else done.
fn stuck_cell(board: &Board, row: &Row, now: i64, lang: Lang) -> String {
    match (row.outcome, &row.stuck) {
        (None, _) => format!(
            "<td class=\"wait\">{}</td>",
            lang.pick("connecting…", "连接中……")
        ),
        (Some(o), _) if o != crate::grade::HostOutcome::Graded => format!(
            "<td class=\"down\" title=\"{}\">{}</td>",
            esc(row.detail.as_deref().unwrap_or("")),
            esc(&outcome_label(o, lang))
        ),
        (_, None) => format!(
            "<td class=\"done\">{}</td>",
            lang.pick("all done", "全部完成")
        ),
        (_, Some(s)) => {
            let step = board.columns.get(s.column).map(|c| c.step.as_str());
            format!(
                "<td class=\"stuck\">{} · {}</td>",
                esc(step.unwrap_or("")),
                duration(now - s.since, lang)
            )
        }
    }
}

fn students(n: usize, lang: Lang) -> String {
    match n {
        1 => lang.pick("1 student", "1 名学生").to_string(),
        n => crate::tr!(lang, "{} students", "{} 名学生", n),
    }
}

/// How long, to the minute.
fn duration(secs: i64, lang: Lang) -> String {
    let min = secs.max(0) / 60;
    match min {
        0 => lang.pick("< 1 min", "不到 1 分钟").to_string(),
        m if m < 60 => crate::tr!(lang, "{} min", "{} 分钟", m),
        m => crate::tr!(lang, "{} h {:02} min", "{} 小时 {:02} 分", m / 60, m % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board() -> Board {
        let students = [(
            "s<1>".to_string(),
            "O'Brien \"Bobby\"; <script>alert(1)</script>".to_string(),
        )];
        let mut b = Board::new(&[], &students, Lang::En);
        b.columns.push(super::super::board::Column {
            step: "t/<a>".into(),
            title: "<img src=x onerror=alert(1)>".into(),
        });
        b.rows[0].cells.push(None);
        b
    }

    #[test]
    fn everything_from_the_roster_and_the_course_is_escaped() {
        for lang in [Lang::En, Lang::ZhCn] {
            let html = page("<b>course</b>", &board(), 0, lang);
            assert!(!html.contains("<script>alert"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<b>course"), "{html}");
            assert!(html.contains("O&#39;Brien &quot;Bobby&quot;; &lt;script&gt;"));
            assert!(!html.contains("{{"), "every placeholder filled");
            assert!(
                !html.contains("http://") && !html.contains("https://"),
                "no CDN"
            );
        }
    }

    #[test]
    fn the_event_is_one_line_of_json_with_the_grid() {
        let e = event(&board(), 0, Lang::ZhCn);
        assert!(!e.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&e).unwrap();
        assert!(v["html"].as_str().unwrap().contains("连接中"));
        assert_eq!(v["board"]["rows"][0]["id"], "s<1>");
    }

    #[test]
    fn durations_read_in_minutes_and_hours() {
        assert_eq!(duration(30, Lang::En), "< 1 min");
        assert_eq!(duration(300, Lang::En), "5 min");
        assert_eq!(duration(3900, Lang::ZhCn), "1 小时 05 分");
    }
}
