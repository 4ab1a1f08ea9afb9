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

/// Passes when one of its checks passes; otherwise reports an error, else a
/// skip, else a failure (`first_of`).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct AnyOf(pub Vec<Check>);

/// The parent's timeout bounds the whole group.
pub(super) const TIMEOUT: u64 = 3600;

/// A group's verdict when it does not pass: the first outcome of the first
/// status in `order` that any part has, so that the verdict does not hang
/// on the order the parts are written in.
pub(super) fn first_of(outcomes: Vec<Outcome>, order: &[Status]) -> Option<Outcome> {
    let wanted = order
        .iter()
        .find(|s| outcomes.iter().any(|o| o.status == **s))?;
    outcomes.into_iter().find(|o| o.status == *wanted)
}

impl Probe for AnyOf {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let mut others = Vec::new();
        for c in &self.0 {
            let o = evaluate(c, ctx, TIMEOUT).await;
            match o.status {
                Status::Pass => return Ok(o),
                // An error in one branch must not hide a pass in another;
                // it is kept if no branch passes.
                _ => others.push(o),
            }
        }
        // No branch passed: lab could not look (error), then a branch that
        // might have passed but proves nothing (skip), then a plain fail,
        // whatever the order the branches are written in.
        Ok(
            first_of(others, &[Status::Error, Status::Skip, Status::Fail]).unwrap_or_else(|| {
                Outcome::fail(tr!(ctx.lang, "no alternative given", "没有可选项"))
            }),
        )
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

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;

    fn machine() -> Machine {
        Machine::fake()
            .file("/b", "beta")
            .unreadable("/secret")
            .build()
    }

    #[test]
    fn one_passing_branch_passes() {
        let yaml =
            "{ id: g, any_of: [ { id: a, file: { path: /a } }, { id: b, file: { path: /b } } ] }";
        let o = outcome(yaml, &machine());
        assert_outcome(&o, Status::Pass, "/b is as expected");
    }

    #[test]
    fn no_passing_branch_reports_the_first_failure() {
        let yaml =
            "{ id: g, any_of: [ { id: a, file: { path: /a } }, { id: c, file: { path: /c } } ] }";
        let o = outcome(yaml, &machine());
        assert_outcome(&o, Status::Fail, "/a does not exist");
    }

    #[test]
    fn an_error_is_reported_over_failures_but_never_hides_a_pass() {
        let failing = "{ id: g, any_of: [ { id: a, file: { path: /a } }, { id: s, file: { path: /secret, contains: x } } ] }";
        let o = outcome(failing, &machine());
        assert_outcome(&o, Status::Error, "cannot read /secret: Permission denied");
        let passing = "{ id: g, any_of: [ { id: s, file: { path: /secret, contains: x } }, { id: b, file: { path: /b } } ] }";
        let o = outcome(passing, &machine());
        assert_outcome(&o, Status::Pass, "/b is as expected");
    }

    /// Branches that are skipped or errored give no pass: the group is
    /// no pass either.
    #[test]
    fn skipped_and_errored_branches_do_not_pass_the_group() {
        let m = Machine::fake().unreadable("/secret").systemd(false).build();
        let yaml = "{ id: g, any_of: [ { id: s, service: { name: docker, active: false } }, { id: r, file: { path: /secret, contains: x } } ] }";
        let o = outcome(yaml, &m);
        assert_outcome(&o, Status::Error, "cannot read /secret");
        let yaml = "{ id: g, any_of: [ { id: s, service: { name: docker, active: false } } ] }";
        let o = outcome(yaml, &m);
        assert_outcome(&o, Status::Skip, "does not run systemd");
    }

    /// The verdict does not hang on the order of the branches: a skipped
    /// branch (it might have passed) is reported over a failed one.
    #[test]
    fn a_skip_is_reported_over_a_failure_in_either_order() {
        let m = Machine::fake().systemd(false).build();
        let skip = "{ id: s, service: { name: docker } }";
        let fail = "{ id: a, file: { path: /a } }";
        for yaml in [
            format!("{{ id: g, any_of: [ {fail}, {skip} ] }}"),
            format!("{{ id: g, any_of: [ {skip}, {fail} ] }}"),
        ] {
            let o = outcome(&yaml, &m);
            assert_outcome(&o, Status::Skip, "does not run systemd");
        }
    }

    #[test]
    fn no_branch_at_all_fails() {
        let o = outcome("{ id: g, any_of: [] }", &machine());
        assert_outcome(&o, Status::Fail, "no alternative given");
    }
}
