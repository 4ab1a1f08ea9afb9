//! `any_of` and `all_of`: combine checks. `any_of` is how a step accepts
//! either the live state or evidence that it once held:
//!
//! ```yaml
//! - id: pulled
//!   any_of:
//!     - { id: live, image: { ref: "tomcat:latest" } }
//!     - { id: event, event: { action: pull, image: "tomcat:latest" } }
//! ```

use super::{evaluate, Ctx, Probe};
use crate::course::Check;
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::{Evidence, Outcome, Status};
use crate::tr;
use serde::Deserialize;

/// Passes when one of its checks passes; reports the first failure otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct AnyOf(pub Vec<Check>);

/// Passes when all of its checks pass; reports the first one that does not.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct AllOf(pub Vec<Check>);

const TIMEOUT: u64 = 3600; // the parent's timeout bounds the whole group

impl Probe for AnyOf {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let mut failures = Vec::new();
        for c in &self.0 {
            let o = evaluate(c, ctx, TIMEOUT).await;
            match o.status {
                Status::Pass => return Ok(o),
                // An error in one branch must not hide a pass in another;
                // it is kept if no branch passes.
                _ => failures.push(o),
            }
        }
        let Some(first) = failures
            .iter()
            .find(|o| o.status == Status::Error)
            .or(failures.first())
            .cloned()
        else {
            return Ok(Outcome::fail(tr!(
                ctx.lang,
                "no alternative given",
                "没有可选项"
            )));
        };
        Ok(first)
    }

    fn children(&self) -> &[Check] {
        &self.0
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        if self.0.is_empty() {
            vec![crate::text!(
                "any_of needs at least one check",
                "`any_of` 至少要有一个检查"
            )]
        } else {
            Vec::new()
        }
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let parts: Vec<String> = self.0.iter().map(|c| c.kind.describe(vars, lang)).collect();
        parts.join(lang.pick(" — or — ", " —— 或 —— "))
    }
}

impl Probe for AllOf {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let mut passes = Vec::new();
        let mut skipped = None;
        let mut evidence = None;
        for c in &self.0 {
            let o = evaluate(c, ctx, TIMEOUT).await;
            match o.status {
                // A skipped part proves nothing; the group cannot pass on it.
                Status::Skip => skipped = Some(o),
                Status::Pass => {
                    // The past (events, journal) is what made the group pass
                    // when it took part: report that, not the live half.
                    if !matches!(o.evidence, None | Some(Evidence::Live { .. })) {
                        evidence = o.evidence.clone();
                    }
                    passes.push(o.message)
                }
                _ => return Ok(o),
            }
        }
        if let Some(s) = skipped {
            return Ok(s);
        }
        let pass = Outcome::pass(passes.join("; "));
        Ok(match evidence {
            Some(e) => pass.evidence(e),
            None => pass,
        })
    }

    fn children(&self) -> &[Check] {
        &self.0
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        if self.0.is_empty() {
            vec![crate::text!(
                "all_of needs at least one check",
                "`all_of` 至少要有一个检查"
            )]
        } else {
            Vec::new()
        }
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let parts: Vec<String> = self.0.iter().map(|c| c.kind.describe(vars, lang)).collect();
        parts.join(lang.pick(", and ", "，并且"))
    }
}
