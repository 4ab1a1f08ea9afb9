//! A machine observed as of a deadline (`lab grade --deadline`): what has a
//! time after it (daemon events, commands of the command log) is cut from
//! what the checks see, and what the learner did after it is counted as
//! late work. Times on the machine are its own clock's; the deadline is
//! moved onto that clock by the daemon's measured offset (a VM's shell and
//! dockerd share its clock).

use super::commands::Logged;
use super::{DaemonEvent, Machine, ObserveError};

/// Work done on the machine after the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Late {
    /// Daemon events a learner's command makes (pull, tag, create, ...).
    pub events: usize,
    /// Commands typed, other than `lab ...` itself.
    pub commands: usize,
    /// When the first of them happened, Unix seconds by the grader's clock
    /// (the machine's offset taken off).
    pub first: i64,
    /// The first few typed, or else the first events, as evidence.
    pub examples: Vec<String>,
    /// Every command typed after the deadline (at most [`TYPED_KEPT`]),
    /// to tell which steps were redone late.
    pub typed: Vec<String>,
}

/// How many late commands [`Late::typed`] keeps.
pub const TYPED_KEPT: usize = 10_000;

impl Late {
    /// Whether one of `commands` (a step's lesson commands) was typed
    /// after the deadline, spacing and `sudo` aside.
    pub fn redid(&self, commands: &[String]) -> bool {
        let norm = |c: &str| {
            let words: Vec<&str> = c.split_whitespace().collect();
            let words = match words.first() {
                Some(&"sudo") => &words[1..],
                _ => &words[..],
            };
            words.join(" ")
        };
        let wanted: Vec<String> = commands.iter().map(|c| norm(c)).collect();
        self.typed.iter().any(|t| wanted.contains(&norm(t)))
    }
}

/// Event actions a learner's command causes; a container that exits by
/// itself (`die`), a health check or an exec ending are not work.
fn by_learner(e: &DaemonEvent) -> bool {
    match e.kind.as_str() {
        "image" => matches!(
            e.action.as_str(),
            "pull" | "push" | "tag" | "untag" | "delete" | "import" | "load" | "save"
        ),
        "container" => matches!(
            e.action.as_str(),
            "create"
                | "start"
                | "stop"
                | "kill"
                | "destroy"
                | "rename"
                | "commit"
                | "pause"
                | "unpause"
                | "update"
                | "exec_create"
                | "export"
        ),
        "volume" | "network" => matches!(e.action.as_str(), "create" | "destroy"),
        _ => false,
    }
}

/// Whether a typed command is lab itself (checking after the deadline is
/// not working after it).
fn is_lab(c: &Logged) -> bool {
    let first = c.cmd.split_whitespace().next().unwrap_or_default();
    first == "lab" || first.ends_with("/lab")
}

impl Machine {
    /// Observes the machine as of `deadline` (Unix nanoseconds, this
    /// machine's clock), or as it is with `None`.
    pub fn observed_until(mut self, deadline: Option<i64>) -> Machine {
        self.deadline = deadline;
        self.docker.deadline = deadline;
        self
    }

    /// The deadline on the machine's own clock, in nanoseconds.
    pub(super) async fn deadline_here(&self) -> Option<i64> {
        let d = self.deadline?;
        Some(d + self.docker.clock_offset().await)
    }

    /// Work after the deadline, if there is a deadline and any work after
    /// it (reads the events and the command log, once per run; worked out
    /// once per machine).
    pub async fn late(&self) -> Result<Option<Late>, ObserveError> {
        self.late
            .get_or_init(|| self.work_after_deadline())
            .await
            .clone()
    }

    async fn work_after_deadline(&self) -> Result<Option<Late>, ObserveError> {
        let Some(here) = self.deadline_here().await else {
            return Ok(None);
        };
        self.docker.events().await?;
        let events: Vec<&DaemonEvent> = self
            .docker
            .after_deadline()
            .iter()
            .filter(|e| by_learner(e))
            .collect();
        let log = self.command_log().await?;
        let commands: Vec<&Logged> = log
            .iter()
            .flat_map(|l| &l.after_deadline)
            .filter(|c| !is_lab(c))
            .collect();
        let firsts = [
            events.first().map(|e| e.time_nano / 1_000_000_000),
            commands.first().map(|c| c.at as i64),
        ];
        let Some(first) = firsts.into_iter().flatten().min() else {
            return Ok(None);
        };
        let offset_secs = (here - self.deadline.unwrap_or(here)) / 1_000_000_000;
        let mut examples: Vec<String> = commands.iter().take(3).map(|c| c.cmd.clone()).collect();
        if examples.is_empty() {
            examples = events
                .iter()
                .take(3)
                .map(|e| format!("{} {} {}", e.kind, e.action, e.actor))
                .collect();
        }
        Ok(Some(Late {
            events: events.len(),
            commands: commands.len(),
            first: first - offset_secs,
            examples,
            typed: commands
                .iter()
                .take(TYPED_KEPT)
                .map(|c| c.cmd.clone())
                .collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, action: &str) -> DaemonEvent {
        DaemonEvent {
            kind: kind.into(),
            action: action.into(),
            actor: "x".into(),
            attributes: Default::default(),
            time_nano: 0,
        }
    }

    #[test]
    fn only_what_a_learner_does_is_work() {
        assert!(by_learner(&event("image", "pull")));
        assert!(by_learner(&event("container", "create")));
        assert!(!by_learner(&event("container", "die")));
        assert!(!by_learner(&event("container", "health_status: healthy")));
        assert!(!by_learner(&event("container", "exec_die")));
        let typed = |cmd: &str| Logged {
            at: 1.0,
            ms: None,
            status: 0,
            cmd: cmd.into(),
        };
        assert!(is_lab(&typed("lab check task3")));
        assert!(is_lab(&typed("  ./target/debug/lab grade")));
        assert!(!is_lab(&typed("docker pull tomcat")));
        assert!(!is_lab(&typed("labyrinth")));
    }

    #[test]
    fn a_step_was_redone_late_when_its_own_command_was_typed_late() {
        let late = Late {
            events: 0,
            commands: 2,
            first: 0,
            examples: vec![],
            typed: vec!["sudo  docker pull tomcat:8.0".into(), "docker ps".into()],
        };
        assert!(late.redid(&["docker pull tomcat:8.0".into()]));
        assert!(!late.redid(&["docker pull tomcat:latest".into()]));
        assert!(!late.redid(&[]));
    }
}
