//! The runner, in three parts: **evaluate** every check of the selected
//! tasks against a machine (all at once: they only read), **assemble** the
//! outcomes into a [`Report`] (hints, step and task status, steps passed
//! in an earlier run), and **record** what this run saw in the journal.

use crate::checks::{self, Ctx};
use crate::course::{Step, Task, Vars};
use crate::evidence::timeline::Timeline;
use crate::evidence::{Entry, Journal};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::{
    CheckResult, Evidence, Outcome, Report, Status, StepResult, TaskResult, SCHEMA,
};
use crate::tr;
use std::collections::BTreeMap;

/// The one runtime lab runs on, for every command and the unit tests: one
/// thread (checks wait on the machine, never on the CPU), with tokio's IO
/// and timers.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

pub struct Run<'a> {
    pub machine: &'a Machine,
    pub vars: &'a Vars,
    pub journal: &'a Journal,
    pub lang: Lang,
    /// Seconds a check may take.
    pub timeout: u64,
}

impl Run<'_> {
    pub async fn check(&self, tasks: &[&Task]) -> Report {
        let now = crate::clock::now();
        // `${restart_docker}` and friends: the commands this machine's init takes.
        let vars = self.vars.on_machine(self.machine.has_systemd());
        let outcomes = self.evaluate(tasks, &vars).await;
        if self.journal.records() {
            // What lab saw is recorded whether or not a check asked for it:
            // a restart before the next run would erase the events.
            let _ = self.machine.docker.events().await;
            let _ = self.machine.docker.images().await;
        }
        let results = assemble(tasks, outcomes, self.journal, &vars, self.lang);
        let mut warnings = self.journal.warnings.clone();
        let entries = record(now, &results, self.machine, self.journal);
        if let Err(w) = self.journal.append(&entries) {
            warnings.push(w);
        }
        Report {
            schema: SCHEMA,
            lang: self.lang,
            tasks: results,
            warnings,
        }
    }

    /// Every check's outcome, in course order. Checks only read, so they all
    /// run at once: a slow one (the docker CLI starting, `docker info`)
    /// overlaps the others, and concurrent asks for the same Docker answer
    /// share one request.
    async fn evaluate(&self, tasks: &[&Task], vars: &Vars) -> Vec<Outcome> {
        let timeline = Timeline::default();
        // What it cannot read, the checks that need it say.
        let late = self.machine.late().await.ok().flatten();
        let ctxs: Vec<(&Step, Ctx)> = tasks
            .iter()
            .flat_map(|t| t.steps.iter().map(move |s| (t, s)))
            .map(|(t, s)| {
                let ctx = Ctx {
                    machine: self.machine,
                    vars,
                    lang: self.lang,
                    journal: self.journal,
                    task: &t.id,
                    step: &s.id,
                    timeline: &timeline,
                    // Only a step whose own command was typed after the
                    // deadline: the live state cannot say when it held.
                    late: late.as_ref().filter(|l| {
                        let typed: Vec<String> = s
                            .commands
                            .iter()
                            .map(|c| self.vars.expand(c.get(Lang::En)))
                            .collect();
                        l.redid(&typed)
                    }),
                };
                (s, ctx)
            })
            .collect();
        let pending = ctxs.iter().flat_map(|(s, ctx)| {
            s.checks
                .iter()
                .map(move |c| checks::evaluate(c, ctx, self.timeout))
        });
        futures_util::future::join_all(pending).await
    }
}

/// The report of `tasks` from their checks' `outcomes` (in course order). A
/// step the journal saw pass stays passed: what a later task undoes (task 8
/// pulls the image task 7 removed) cannot turn it red again. The course's
/// words (titles, commands, hints) get this run's `${variables}`, as the
/// checks did: `--var images_dir=/srv/images` is what the hint says too.
pub fn assemble(
    tasks: &[&Task],
    outcomes: Vec<Outcome>,
    journal: &Journal,
    vars: &Vars,
    lang: Lang,
) -> Vec<TaskResult> {
    let mut outcomes = outcomes.into_iter();
    let mut results = Vec::new();
    for task in tasks {
        let mut steps = Vec::new();
        for step in &task.steps {
            let checks: Vec<CheckResult> = step
                .checks
                .iter()
                .zip(outcomes.by_ref())
                .map(|(check, o)| {
                    let hint = (o.status == Status::Fail)
                        .then(|| check.hint.as_ref().or(step.hint.as_ref()))
                        .flatten()
                        .map(|h| vars.expand(h.get(lang)));
                    CheckResult::new(check.id.clone(), check.kind.name(), o, hint)
                })
                .collect();
            let mut result = StepResult {
                id: step.id.clone(),
                title: vars.expand(step.title.get(lang)),
                status: StepResult::status_of(&checks),
                points: step.points,
                commands: step
                    .commands
                    .iter()
                    .map(|c| vars.expand(c.get(lang)))
                    .collect(),
                checks,
            };
            if matches!(result.status, Status::Fail | Status::Skip) {
                if let Some(at) = journal.step_passed(&task.id, &step.id) {
                    done_earlier(&mut result, &task.id, at, journal, lang);
                }
            }
            steps.push(result);
        }
        results.push(TaskResult::new(
            task.id.clone(),
            vars.expand(task.title.get(lang)),
            task.max_score(),
            steps,
        ));
    }
    results
}

/// A step that passed in an earlier run: each check that does not pass now
/// passes on the journal's record of it.
fn done_earlier(step: &mut StepResult, task: &str, at: i64, journal: &Journal, lang: Lang) {
    for c in step.checks.iter_mut().filter(|c| c.status != Status::Pass) {
        let o = journal
            .remembered(task, &step.id, &c.id, lang)
            .unwrap_or_else(|| {
                let when = crate::clock::date(at);
                Outcome::pass(tr!(
                    lang,
                    "done earlier: lab saw this step pass on {}",
                    "之前已完成：lab 于 {} 看到这一步通过",
                    when
                ))
                .evidence(Evidence::Journal {
                    detail: step.id.clone(),
                    time: at,
                })
            });
        *c = CheckResult::new(c.id.clone(), &c.kind.clone(), o, None);
    }
    step.status = Status::Pass;
}

/// What this run saw, for later runs: each check and step that passed on
/// the machine (not on the journal), each task's result, the image
/// references whose ids changed, and the daemon events not recorded yet
/// (dockerd forgets them when it restarts).
pub fn record(
    now: i64,
    results: &[TaskResult],
    machine: &Machine,
    journal: &Journal,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    if let Some(buffer) = machine.docker.cached_events() {
        let fresh = journal.new_events(buffer);
        if !fresh.is_empty() {
            entries.push(Entry::Events {
                at: now,
                events: fresh,
            });
        }
    }
    if let Some(images) = machine.docker.cached_images() {
        let refs: BTreeMap<String, String> = images
            .iter()
            .flat_map(|i| {
                i.repo_tags
                    .iter()
                    .map(move |t| (checks::reference::normalize(t), i.id.clone()))
            })
            .filter(|(t, _)| t != "<none>:<none>")
            .collect();
        let fresh = journal.new_refs(&refs);
        if !fresh.is_empty() {
            entries.push(Entry::Images {
                at: now,
                refs: fresh,
            });
        }
    }
    let seen_now = |c: &CheckResult| {
        c.status == Status::Pass && !matches!(c.evidence, Some(Evidence::Journal { .. }))
    };
    // A pass the journal already holds is not written again: a learner
    // who checks often must not grow the journal with every run.
    let known = |task: &str, step: &str, check: &str| journal.passed_before(task, step, check);
    for task in results {
        for step in &task.steps {
            let fresh = step
                .checks
                .iter()
                .filter(|c| seen_now(c) && !known(&task.id, &step.id, &c.id));
            for c in fresh {
                entries.push(Entry::Check {
                    at: now,
                    task: task.id.clone(),
                    step: step.id.clone(),
                    check: c.id.clone(),
                    detail: c.message.clone(),
                });
            }
            let first_pass = journal.step_passed(&task.id, &step.id).is_none();
            if first_pass && step.status == Status::Pass && step.checks.iter().any(seen_now) {
                entries.push(Entry::Step {
                    at: now,
                    task: task.id.clone(),
                    step: step.id.clone(),
                });
            }
        }
        let same = matches!(
            journal.last_task(&task.id),
            Some(Entry::Task { status, score, max_score, .. })
                if *status == task.status && *score == task.score && *max_score == task.max_score
        );
        if !same {
            entries.push(Entry::Task {
                at: now,
                task: task.id.clone(),
                status: task.status,
                score: task.score,
                max_score: task.max_score,
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Binding;

    fn task() -> Task {
        serde_yaml_ng::from_str(
            r#"
schema: 1
id: t1
unit: u1
title: { en: T, zh-CN: T }
lesson: t1.md
steps:
  - id: s1
    title: { en: Pull x, zh-CN: 拉取 x }
    checks:
      - id: c1
        image: { ref: x }
        hint: { en: "Pull x.", zh-CN: "拉取 x。" }
  - id: s2
    title: { en: Service, zh-CN: 服务 }
    checks:
      - { id: c2, service: { name: docker, active: true } }
"#,
        )
        .expect("a task")
    }

    /// A journal on disk holding `entries`, read back as a run reads it.
    fn journal(entries: &[Entry]) -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("journal.jsonl");
        let binding = || Binding::new(Some("m".into()), Some("d".into()));
        Journal::open(path.clone(), binding(), Lang::En)
            .append(entries)
            .expect("append");
        (dir, Journal::open(path, binding(), Lang::En))
    }

    #[test]
    fn a_failed_check_has_its_hint_and_skipped_checks_earn_nothing() {
        let t = task();
        let (_dir, j) = journal(&[]);
        let outcomes = vec![Outcome::fail("no x"), Outcome::skip("no systemd")];
        let r = assemble(&[&t], outcomes, &j, &Vars::default(), Lang::En);
        let steps = &r[0].steps;
        assert_eq!(steps[0].status, Status::Fail);
        assert_eq!(steps[0].checks[0].hint.as_deref(), Some("Pull x."));
        assert_eq!(steps[1].status, Status::Skip);
        assert_eq!(steps[1].checks[0].hint, None);
        assert_eq!(
            (r[0].score, r[0].status),
            (0, crate::report::TaskStatus::Fail)
        );
    }

    #[test]
    fn hints_titles_and_commands_say_this_runs_variables() {
        let t: Task = serde_yaml_ng::from_str(
            r#"
schema: 1
id: t1
unit: u1
title: { en: "Save to ${dir}", zh-CN: "保存到 ${dir}" }
lesson: t1.md
steps:
  - id: s1
    title: { en: "Save into ${dir}", zh-CN: "保存到 ${dir}" }
    commands: ["mkdir -p ${dir}"]
    checks:
      - id: c1
        file: { path: "${dir}/a.tar" }
        hint: { en: "Run `mkdir -p ${dir}`.", zh-CN: "运行 `mkdir -p ${dir}`。" }
"#,
        )
        .expect("a task");
        let vars = Vars::with_home(
            &BTreeMap::from([("dir".to_string(), "/data/docker/images".to_string())]),
            &[("dir".to_string(), "/srv/images".to_string())],
            None,
        )
        .expect("vars");
        let (_dir, j) = journal(&[]);
        let r = assemble(&[&t], vec![Outcome::fail("missing")], &j, &vars, Lang::ZhCn);
        let step = &r[0].steps[0];
        assert_eq!(
            step.checks[0].hint.as_deref(),
            Some("运行 `mkdir -p /srv/images`。")
        );
        assert_eq!(step.title, "保存到 /srv/images");
        assert_eq!(step.commands, vec!["mkdir -p /srv/images"]);
        assert_eq!(r[0].title, "保存到 /srv/images");
    }

    #[test]
    fn a_step_lab_saw_pass_stays_passed_but_an_error_is_not_hidden() {
        let t = task();
        let (_dir, j) = journal(&[
            Entry::Check {
                at: 100,
                task: "t1".into(),
                step: "s1".into(),
                check: "c1".into(),
                detail: "image x is present".into(),
            },
            Entry::Step {
                at: 100,
                task: "t1".into(),
                step: "s1".into(),
            },
        ]);
        let r = assemble(
            &[&t],
            vec![Outcome::fail("no x"), Outcome::skip("-")],
            &j,
            &Vars::default(),
            Lang::En,
        );
        let s1 = &r[0].steps[0];
        assert_eq!(s1.status, Status::Pass);
        assert!(matches!(
            s1.checks[0].evidence,
            Some(Evidence::Journal { .. })
        ));
        assert_eq!(r[0].score, 1);
        let r = assemble(
            &[&t],
            vec![Outcome::error("down"), Outcome::skip("-")],
            &j,
            &Vars::default(),
            Lang::En,
        );
        assert_eq!(
            r[0].steps[0].status,
            Status::Error,
            "the machine must be observable"
        );
    }
}
