//! `quiz`: the task's quiz (`lab quiz TASK`) was passed, as recorded in the
//! journal. The questions live in the task file's `quiz:`.
//!
//! ```yaml
//! quiz: {}
//! ```

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
pub struct QuizPassed {}

impl Probe for QuizPassed {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        Ok(match ctx.journal.quiz(ctx.task) {
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
        lang.pick(
            "the quiz (`lab quiz`) was passed",
            "测验（`lab quiz`）已通过",
        )
        .to_string()
    }
}
