//! `any_of`: passes when one of its checks does. It is how a step accepts
//! either the live state or evidence that it once held (`all_of.rs` is its
//! sibling):
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
use crate::report::{Outcome, Status};
use crate::tr;
use serde::Deserialize;

/// Passes when one of its checks passes; reports the first failure otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct AnyOf(pub Vec<Check>);

/// The parent's timeout bounds the whole group.
pub(super) const TIMEOUT: u64 = 3600;

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
