//! The class's numbers for `summary.html`, from the graded hosts' reports:
//! each check's pass / fail / skip / error counts (a skip is not a pass),
//! each task's pass rate and average, and the distribution of totals.

use super::outcome::{HostOutcome, Record};
use crate::course::Task;
use crate::lang::Lang;
use crate::report::{Report, Status, TaskStatus};
use serde::Serialize;
use std::collections::HashMap;

/// One check across the graded hosts. A skip is not a pass: it proves
/// nothing, so it has its own count (and colour).
#[derive(Serialize, Default)]
pub(super) struct CheckRate {
    path: String,
    step_title: String,
    pass: usize,
    fail: usize,
    skip: usize,
    error: usize,
    graded: usize,
    /// Percent of `graded` for each status (the stacked bar's widths).
    pass_pct: usize,
    fail_pct: usize,
    skip_pct: usize,
    error_pct: usize,
    hint: String,
}

fn pct(n: usize, of: usize) -> usize {
    (n * 100).checked_div(of).unwrap_or(0)
}

/// Each check of the course's selected tasks, by pass rate (lowest first,
/// then course order).
pub(super) fn rates(tasks: &[&Task], reports: &[&Report], lang: Lang) -> Vec<CheckRate> {
    let mut seen: HashMap<String, [usize; 4]> = HashMap::new();
    for r in reports {
        for t in &r.tasks {
            for s in &t.steps {
                for c in &s.checks {
                    let e = seen
                        .entry(format!("{}/{}/{}", t.id, s.id, c.id))
                        .or_default();
                    let i = match c.status {
                        Status::Pass => 0,
                        Status::Fail => 1,
                        Status::Skip => 2,
                        Status::Error => 3,
                    };
                    e[i] += 1;
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
            let [pass, fail, skip, error] = *seen.get(&path)?;
            let graded = pass + fail + skip + error;
            Some(CheckRate {
                pass,
                fail,
                skip,
                error,
                graded,
                pass_pct: pct(pass, graded),
                fail_pct: pct(fail, graded),
                skip_pct: pct(skip, graded),
                error_pct: pct(error, graded),
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
    out.sort_by_key(|c| c.pass_pct);
    out
}

/// The record of a graded host; `None` for every other.
pub(super) fn graded_record(r: Option<&Record>) -> Option<&Record> {
    r.filter(|r| r.outcome == HostOutcome::Graded)
}

/// Each task: how many graded hosts passed it, and the average score.
pub(super) fn task_rates(
    tasks: &[&Task],
    reports: &[&Report],
    lang: Lang,
) -> Vec<serde_json::Value> {
    tasks
        .iter()
        .map(|t| {
            let results: Vec<_> = reports
                .iter()
                .filter_map(|r| r.tasks.iter().find(|x| x.id == t.id))
                .collect();
            let passed = results
                .iter()
                .filter(|x| x.status == TaskStatus::Pass)
                .count();
            let average = (!results.is_empty()).then(|| {
                let sum: u32 = results.iter().map(|x| x.score).sum();
                format!("{:.1}", f64::from(sum) / results.len() as f64)
            });
            serde_json::json!({
                "id": t.id,
                "title": t.title.get(lang),
                "max": t.max_score(),
                "passed": passed,
                "graded": results.len(),
                "percent": pct(passed, results.len()),
                "average": average.unwrap_or_else(|| "—".into()),
            })
        })
        .collect()
}

/// Total scores in bins: one per score up to 20 points, else ten of equal
/// width. Heights are percents of the fullest bin.
pub(super) fn histogram(totals: &[u32], max: u32) -> Vec<serde_json::Value> {
    let width = if max <= 20 { 1 } else { (max + 1).div_ceil(10) };
    let bins = (max + 1).div_ceil(width);
    let mut counts = vec![0usize; bins as usize];
    for t in totals {
        let i = (t.min(&max) / width) as usize;
        let last = counts.len() - 1;
        counts[i.min(last)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let from = i as u32 * width;
            let to = (from + width - 1).min(max);
            let label = if from == to {
                from.to_string()
            } else {
                format!("{from}–{to}")
            };
            serde_json::json!({ "label": label, "count": n, "height": pct(*n, top) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_binned_one_per_point_up_to_20_else_in_ten() {
        let h = histogram(&[0, 6, 6], 6);
        assert_eq!(h.len(), 7);
        assert_eq!(
            (
                h[6]["label"].as_str(),
                h[6]["count"].as_u64(),
                h[6]["height"].as_u64()
            ),
            (Some("6"), Some(2), Some(100))
        );
        assert_eq!(
            (h[0]["count"].as_u64(), h[0]["height"].as_u64()),
            (Some(1), Some(50))
        );
        let h = histogram(&[40, 3], 40);
        let labels: Vec<&str> = h.iter().map(|b| b["label"].as_str().unwrap()).collect();
        assert_eq!(
            labels,
            [
                "0–4", "5–9", "10–14", "15–19", "20–24", "25–29", "30–34", "35–39", "40"
            ]
        );
        assert_eq!(h[8]["count"], 1);
        assert_eq!(h[0]["count"], 1);
    }
}
