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
