//! `all_of`: passes when all of its checks pass, and never on a skipped
//! one. A step that needs two facts at once (a container of this image,
//! and its port published) says so with it.

use super::any_of::{first_of, TIMEOUT};
use super::{evaluate, Ctx, Probe};
use crate::course::Check;
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::{Evidence, Outcome, Status};
use serde::Deserialize;

/// Passes when all of its checks pass; otherwise reports an error, else a
/// failure, else a skip (`first_of`).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct AllOf(pub Vec<Check>);

impl Probe for AllOf {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let mut passes = Vec::new();
        let mut others = Vec::new();
        let mut evidence = None;
        for c in &self.0 {
            let o = evaluate(c, ctx, TIMEOUT).await;
            if o.status != Status::Pass {
                others.push(o);
                continue;
            }
            // The past (events, journal) is what made the group pass when
            // it took part: report that, not the live half.
            if !matches!(o.evidence, None | Some(Evidence::Live { .. })) {
                evidence = o.evidence.clone();
            }
            passes.push(o.message)
        }
        // Every part is asked, so that the verdict does not hang on their
        // order: lab could not look (error), then a part not done (fail),
        // then a part that proves nothing (skip: the group cannot pass on it).
        if let Some(o) = first_of(others, &[Status::Error, Status::Fail, Status::Skip]) {
            return Ok(o);
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

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;

    fn machine() -> Machine {
        Machine::fake()
            .file("/a", "alpha")
            .file("/b", "beta")
            .systemd(false)
            .build()
    }

    #[test]
    fn all_passing_parts_pass_together() {
        let both =
            "{ id: g, all_of: [ { id: a, file: { path: /a } }, { id: b, file: { path: /b } } ] }";
        let o = outcome(both, &machine());
        assert_outcome(&o, Status::Pass, "/a is as expected; /b is as expected");
    }

    #[test]
    fn the_first_part_that_fails_is_the_groups_verdict() {
        let one = "{ id: g, all_of: [ { id: a, file: { path: /a } }, { id: c, file: { path: /c } }, { id: b, file: { path: /b, contains: gamma } } ] }";
        let o = outcome(one, &machine());
        assert_outcome(&o, Status::Fail, "/c does not exist");
    }

    /// A part lab could not observe is the group's verdict: the parts
    /// around it pass, the group does not.
    #[test]
    fn an_errored_part_keeps_the_group_from_passing() {
        let m = Machine::fake()
            .file("/a", "alpha")
            .unreadable("/secret")
            .build();
        let group = "{ id: g, all_of: [ { id: a, file: { path: /a } }, { id: s, file: { path: /secret, contains: x } }, { id: b, file: { path: /a } } ] }";
        let o = outcome(group, &m);
        assert_outcome(&o, Status::Error, "cannot read /secret: Permission denied");
    }

    /// The verdict does not hang on the order of the parts: an error is
    /// reported over a failure, a failure over a skip.
    #[test]
    fn the_verdict_is_the_same_in_any_order_of_the_parts() {
        let m = Machine::fake().unreadable("/secret").systemd(false).build();
        let error = "{ id: s, file: { path: /secret, contains: x } }";
        let fail = "{ id: c, file: { path: /c } }";
        let skip = "{ id: v, service: { name: docker } }";
        for (a, b, status, says) in [
            (fail, error, Status::Error, "cannot read /secret"),
            (error, fail, Status::Error, "cannot read /secret"),
            (skip, fail, Status::Fail, "/c does not exist"),
            (fail, skip, Status::Fail, "/c does not exist"),
        ] {
            let o = outcome(&format!("{{ id: g, all_of: [ {a}, {b} ] }}"), &m);
            assert_outcome(&o, status, says);
        }
    }

    #[test]
    fn a_skipped_part_keeps_the_group_from_passing() {
        let skip = "{ id: g, all_of: [ { id: a, file: { path: /a } }, { id: s, service: { name: docker } } ] }";
        let o = outcome(skip, &machine());
        assert_outcome(&o, Status::Skip, "does not run systemd");
        // A failure after the skip still fails the group.
        let fail = "{ id: g, all_of: [ { id: s, service: { name: docker } }, { id: c, file: { path: /c } } ] }";
        let o = outcome(fail, &machine());
        assert_outcome(&o, Status::Fail, "/c does not exist");
    }
}
