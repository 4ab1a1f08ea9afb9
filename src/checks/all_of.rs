//! `all_of`: passes when all of its checks pass, and never on a skipped
//! one. A step that needs two facts at once (a container of this image,
//! and its port published) says so with it.

use super::any_of::TIMEOUT;
use super::{evaluate, Ctx, Probe};
use crate::course::Check;
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::{Evidence, Outcome, Status};
use serde::Deserialize;

/// Passes when all of its checks pass; reports the first one that does not.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct AllOf(pub Vec<Check>);

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
