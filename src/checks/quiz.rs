//! `quiz`: the task's quiz (`lab quiz TASK`) was passed, as recorded in the
//! journal. The questions live in the task file's `quiz:`.
//!
//! ```yaml
//! quiz: {}                      # the last good attempt passed
//! quiz: { questions: [ports] }  # ... and answered `ports` right
//! ```
//!
//! `questions` ties a step to the questions that are its own: with a pass
//! mark of 3 of 4, a quiz passed with the ports question wrong does not
//! prove the learner read the ports from their daemon.

use super::{Ctx, Probe};
use crate::course::Vars;
use crate::evidence::Entry;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::{Evidence, Outcome};
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizPassed {
    /// Question ids that must have been answered right in the passed attempt.
    #[serde(default)]
    pub questions: Vec<String>,
}

impl Probe for QuizPassed {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        Ok(match ctx.journal.quiz(ctx.task, &self.questions) {
            Some(Entry::Quiz {
                score,
                max_score,
                passed: true,
                right,
                ..
            }) if self.questions.iter().any(|q| !right.contains(q)) => {
                let missed: Vec<String> = self
                    .questions
                    .iter()
                    .filter(|q| !right.contains(q))
                    .map(|q| format!("`{q}`"))
                    .collect();
                Outcome::fail(tr!(
                    lang,
                    "the quiz was passed with {}/{}, but not with question {} right",
                    "测验以 {}/{} 通过，但问题 {} 没有答对",
                    score,
                    max_score,
                    missed.join(", ")
                ))
                .expected(tr!(
                    lang,
                    "`lab quiz {}` passed with question {} right",
                    "`lab quiz {}` 通过，且问题 {} 答对",
                    ctx.task,
                    missed.join(", ")
                ))
                .actual(format!("{score}/{max_score}"))
            }
            Some(Entry::Quiz {
                at,
                score,
                max_score,
                passed: true,
                ..
            }) => {
                let detail = tr!(
                    lang,
                    "quiz passed with {}/{}",
                    "测验以 {}/{} 通过",
                    score,
                    max_score
                );
                Outcome::pass(detail.clone()).evidence(Evidence::Journal { detail, time: *at })
            }
            Some(Entry::Quiz {
                score, max_score, ..
            }) => Outcome::fail(tr!(
                lang,
                "the last attempt at the quiz scored {}/{}",
                "上次测验得分 {}/{}",
                score,
                max_score
            ))
            .expected(tr!(
                lang,
                "`lab quiz {}` passed",
                "`lab quiz {}` 通过",
                ctx.task
            ))
            .actual(format!("{score}/{max_score}")),
            _ => Outcome::fail(tr!(
                lang,
                "the quiz has not been taken yet",
                "还没有参加测验"
            ))
            .expected(tr!(
                lang,
                "`lab quiz {}` passed",
                "`lab quiz {}` 通过",
                ctx.task
            ))
            .actual(tr!(lang, "no attempt recorded", "没有答题记录")),
        })
    }

    fn describe(&self, _: &Vars, lang: Lang) -> String {
        if self.questions.is_empty() {
            return lang
                .pick(
                    "the quiz (`lab quiz`) was passed",
                    "测验（`lab quiz`）已通过",
                )
                .to_string();
        }
        let n = self.questions.len();
        tr!(
            lang,
            "the quiz (`lab quiz`) was passed, with its {} question(s) on this step right",
            "测验（`lab quiz`）已通过，且这一步的 {} 道题答对",
            n
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome_with, TASK};
    use crate::evidence::{Entry, Journal};
    use crate::lang::Lang;
    use crate::machine::Machine;
    use crate::report::{Evidence, Outcome, Status};

    fn attempt(score: u32, passed: bool, right: &[&str]) -> Entry {
        Entry::Quiz {
            at: 1_700_000_000,
            task: TASK.into(),
            score,
            max_score: 4,
            passed,
            right: right.iter().map(|q| q.to_string()).collect(),
        }
    }

    /// The quiz check's outcome; the machine is never asked.
    fn quiz(yaml: &str, entries: Vec<Entry>) -> Outcome {
        let journal = Journal::with_entries(entries);
        outcome_with(yaml, &Machine::fake().build(), Lang::En, &journal)
    }

    #[test]
    fn a_passed_attempt_passes_on_the_journal() {
        let o = quiz("{ id: q, quiz: {} }", vec![attempt(3, true, &["ports"])]);
        assert_outcome(&o, Status::Pass, "quiz passed with 3/4");
        assert!(
            matches!(o.evidence, Some(Evidence::Journal { .. })),
            "{o:?}"
        );
    }

    #[test]
    fn no_attempt_or_a_failed_one_fails() {
        let o = quiz("{ id: q, quiz: {} }", vec![]);
        assert_outcome(&o, Status::Fail, "the quiz has not been taken yet");
        assert_eq!(o.expected.as_deref(), Some("`lab quiz task1` passed"));
        let o = quiz("{ id: q, quiz: {} }", vec![attempt(2, false, &[])]);
        assert_outcome(&o, Status::Fail, "the last attempt at the quiz scored 2/4");
        assert_eq!(o.actual.as_deref(), Some("2/4"));
    }

    #[test]
    fn a_pass_without_the_steps_own_question_right_fails() {
        let yaml = "{ id: q, quiz: { questions: [ports] } }";
        let o = quiz(yaml, vec![attempt(3, true, &["images"])]);
        assert_outcome(&o, Status::Fail, "not with question `ports` right");
        // An earlier pass with it right counts.
        let o = quiz(
            yaml,
            vec![
                attempt(4, true, &["ports", "images"]),
                attempt(3, true, &["images"]),
            ],
        );
        assert_outcome(&o, Status::Pass, "quiz passed with 4/4");
    }
}
