//! The runner: evaluates the selected tasks' checks against a machine and
//! builds the [`Report`]; records passes in the journal.

use crate::checks::{self, Ctx};
use crate::course::{Task, Vars};
use crate::evidence::{Entry, Journal};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::{CheckResult, Evidence, Report, Status, StepResult, TaskResult, SCHEMA};
use std::collections::BTreeMap;

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
        let mut results = Vec::new();
        let mut entries = Vec::new();
        let now = crate::clock::now();
        // Checks only read, so they all run at once: a slow one (the docker
        // CLI starting, `docker info`) overlaps the others, and concurrent
        // asks for the same Docker answer share one request.
        let ctxs: Vec<Ctx> = tasks
            .iter()
            .flat_map(|t| t.steps.iter().map(move |s| (t, s)))
            .map(|(t, s)| Ctx {
                machine: self.machine,
                vars: self.vars,
                lang: self.lang,
                journal: self.journal,
                task: &t.id,
                step: &s.id,
            })
            .collect();
        let steps_in_order = tasks.iter().flat_map(|t| t.steps.iter());
        let pending = steps_in_order.zip(&ctxs).flat_map(|(s, ctx)| {
            s.checks
                .iter()
                .map(move |c| checks::evaluate(c, ctx, self.timeout))
        });
        let mut outcomes = futures_util::future::join_all(pending).await.into_iter();
        for task in tasks {
            let mut steps = Vec::new();
            for step in &task.steps {
                let mut checks = Vec::new();
                for check in &step.checks {
                    let Some(o) = outcomes.next() else { break };
                    if o.passed() && !matches!(o.evidence, Some(Evidence::Journal { .. })) {
                        entries.push(Entry::Check {
                            at: now,
                            task: task.id.clone(),
                            step: step.id.clone(),
                            check: check.id.clone(),
                            detail: o.message.clone(),
                        });
                    }
                    let hint = (!o.passed())
                        .then(|| {
                            check
                                .hint
                                .as_ref()
                                .or(step.hint.as_ref())
                                .map(|h| h.get(self.lang).to_string())
                        })
                        .flatten();
                    checks.push(CheckResult {
                        id: check.id.clone(),
                        kind: check.kind.name().to_string(),
                        status: o.status,
                        message: o.message,
                        hint: if matches!(o.status, Status::Skip | Status::Error) {
                            None
                        } else {
                            hint
                        },
                        expected: o.expected,
                        actual: o.actual,
                        evidence: o.evidence,
                        warnings: o.warnings,
                    });
                }
                let status = StepResult::status_of(&checks);
                steps.push(StepResult {
                    id: step.id.clone(),
                    title: step.title.get(self.lang).to_string(),
                    status,
                    points: step.points,
                    commands: step.commands.clone(),
                    checks,
                });
            }
            let score = task
                .steps
                .iter()
                .zip(&steps)
                .filter(|(_, r)| r.status == Status::Pass)
                .map(|(s, _)| s.points)
                .sum();
            let status = TaskResult::status_of(&steps);
            entries.push(Entry::Task {
                at: now,
                task: task.id.clone(),
                status,
                score,
                max_score: task.max_score(),
            });
            results.push(TaskResult {
                id: task.id.clone(),
                title: task.title.get(self.lang).to_string(),
                status,
                score,
                max_score: task.max_score(),
                steps,
            });
        }
        let mut warnings = self.journal.warnings.clone();
        // What each image reference points to now, for later runs that need
        // an id the live state no longer has (only what changed is written).
        if let Some(images) = self.machine.docker.cached_images() {
            let refs: BTreeMap<String, String> = images
                .iter()
                .flat_map(|i| {
                    i.repo_tags
                        .iter()
                        .map(move |t| (checks::reference::normalize(t), i.id.clone()))
                })
                .filter(|(t, _)| t != "<none>:<none>")
                .collect();
            let fresh = self.journal.new_refs(&refs);
            if !fresh.is_empty() {
                entries.insert(
                    0,
                    Entry::Images {
                        at: now,
                        refs: fresh,
                    },
                );
            }
        }
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
}
