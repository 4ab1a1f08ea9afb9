//! What one check found: the single result type every reporter prints.
//! A failed check is an `Outcome`, never an `Err`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Could not be verified on this machine (e.g. no systemd). Proves
    /// nothing: it neither fails a step nor earns it points.
    Skip,
    /// Could not be evaluated (daemon unreachable, permission, timeout).
    Error,
}

impl Status {
    /// The status of a group of checks (a step, `all_of`): an error wins,
    /// then a failure; otherwise a pass needs at least one check that
    /// passed, and a group of skipped checks is skipped.
    pub fn combine(all: impl IntoIterator<Item = Status>) -> Status {
        let (mut pass, mut fail, mut error) = (false, false, false);
        for s in all {
            match s {
                Status::Pass => pass = true,
                Status::Fail => fail = true,
                Status::Error => error = true,
                Status::Skip => {}
            }
        }
        match (error, fail, pass) {
            (true, _, _) => Status::Error,
            (_, true, _) => Status::Fail,
            (_, _, true) => Status::Pass,
            _ => Status::Skip,
        }
    }
}

/// Where the verdict came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum Evidence {
    /// The machine as it is now.
    Live { detail: String },
    /// The daemon's recent event buffer.
    Event { detail: String, time: i64 },
    /// lab's journal: this check passed in an earlier run.
    Journal { detail: String, time: i64 },
}

/// The verdict of one check, before the runner adds its id and hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    /// One line: what was found.
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub evidence: Option<Evidence>,
    /// Things worth knowing that do not fail the check.
    pub warnings: Vec<String>,
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>) -> Outcome {
        Outcome {
            status,
            message: message.into(),
            expected: None,
            actual: None,
            evidence: None,
            warnings: Vec::new(),
        }
    }

    /// A pass on the live state, the evidence being the message itself.
    pub fn pass(message: impl Into<String>) -> Outcome {
        let message = message.into();
        let mut o = Outcome::new(Status::Pass, message.clone());
        o.evidence = Some(Evidence::Live { detail: message });
        o
    }

    pub fn fail(message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Fail, message)
    }

    pub fn skip(reason: impl Into<String>) -> Outcome {
        Outcome::new(Status::Skip, reason)
    }

    pub fn error(message: impl Into<String>) -> Outcome {
        Outcome::new(Status::Error, message)
    }

    /// A pass or a fail depending on `ok`, with the same message.
    pub fn verdict(ok: bool, message: impl Into<String>) -> Outcome {
        if ok {
            Outcome::pass(message)
        } else {
            Outcome::fail(message)
        }
    }

    pub fn expected(mut self, e: impl Into<String>) -> Outcome {
        self.expected = Some(e.into());
        self
    }

    pub fn actual(mut self, a: impl Into<String>) -> Outcome {
        self.actual = Some(a.into());
        self
    }

    /// Things worth knowing that do not change the verdict.
    pub fn warned(mut self, warnings: Vec<String>) -> Outcome {
        self.warnings = warnings;
        self
    }

    pub fn evidence(mut self, e: Evidence) -> Outcome {
        self.evidence = Some(e);
        self
    }

    pub fn passed(&self) -> bool {
        self.status == Status::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn a_group_passes_only_on_a_check_that_passed() {
        assert_eq!(Status::combine([Skip]), Skip, "skipped proves nothing");
        assert_eq!(Status::combine([]), Skip);
        assert_eq!(Status::combine([Skip, Pass]), Pass);
        assert_eq!(Status::combine([Pass, Fail, Skip]), Fail);
        assert_eq!(Status::combine([Fail, Error]), Error);
    }
}
