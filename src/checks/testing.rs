//! For the kinds' unit tests: a check as a course writes it (YAML),
//! evaluated as `run.rs` evaluates it (`evaluate`: its timeout, an
//! unobservable machine as an `error` with advice) on a machine of canned
//! answers (`Machine::fake()`, `machine/fake.rs`).

use super::{evaluate, Ctx};
use crate::course::{Check, Vars};
use crate::evidence::timeline::Timeline;
use crate::evidence::Journal;
use crate::lang::Lang;
use crate::machine::Machine;
use crate::report::{Outcome, Status};

/// The task whose checks the tests evaluate.
pub(crate) const TASK: &str = "task1";

/// A check from its YAML, as in a task file.
pub(crate) fn check(yaml: &str) -> Check {
    serde_yaml_ng::from_str(yaml).unwrap_or_else(|e| panic!("a check: {e}\n{yaml}"))
}

/// The outcome of `yaml` on `machine`, in English, with an empty journal.
pub(crate) fn outcome(yaml: &str, machine: &Machine) -> Outcome {
    outcome_with(yaml, machine, Lang::En, &Journal::default())
}

/// The outcome of `yaml` on `machine`, in `lang`, with `journal`.
pub(crate) fn outcome_with(
    yaml: &str,
    machine: &Machine,
    lang: Lang,
    journal: &Journal,
) -> Outcome {
    let check = check(yaml);
    let vars = Vars::new(&Default::default(), &[]).expect("vars");
    let timeline = Timeline::default();
    let ctx = Ctx {
        machine,
        vars: &vars,
        lang,
        journal,
        task: TASK,
        step: "step",
        timeline: &timeline,
        late: None,
    };
    block_on(evaluate(&check, &ctx, 5))
}

/// Runs a future to its end on [`crate::run::runtime`], for the kinds'
/// unit tests.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    crate::run::runtime().expect("a runtime").block_on(f)
}

/// Asserts `o`'s status and that its message says `says`.
#[track_caller]
pub(crate) fn assert_outcome(o: &Outcome, status: Status, says: &str) {
    assert_eq!(o.status, status, "{o:?}");
    assert!(
        o.message.contains(says),
        "{:?} does not say {says:?}",
        o.message
    );
}
