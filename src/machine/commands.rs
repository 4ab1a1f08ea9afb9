//! The command log: one JSON line per command the learner typed, written by
//! the shell integration (`eval "$(lab init bash)"`, `src/shell/`), with
//! its exit status and start time, which shell history files do not keep.
//!
//! ```text
//! {"at":1764650000.123,"ms":12,"status":1,"pipe":[1],"shell":"bash","pid":42,"cmd":"docker rmi ubuntu:18.04"}
//! ```
//!
//! It is read through the [`Machine`], so `lab grade` reads a VM's too (it
//! is fetched at login with the journal). Reading is bounded (the last
//! [`MAX_READ`] bytes) and never fails on content: a line that is not a
//! command (a torn write, a line from a newer lab) is skipped and counted.

use super::{Bound, FileKind, Machine, ObserveError, Read};
use serde::Deserialize;
use std::sync::Arc;

/// Where the command log lives under the state folder
/// (`$XDG_STATE_HOME`, default `~/.local/state`), as for the journal.
pub const IN_STATE: &str = "lab/commands.jsonl";

/// At most this much of the log's end is read (about 20,000 commands).
pub const MAX_READ: u64 = 1 << 20;

/// One command as the shell hook logged it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Logged {
    /// When it started, in seconds since the epoch.
    pub at: f64,
    /// How long it ran, in milliseconds.
    #[serde(default)]
    pub ms: Option<u64>,
    /// Its exit status (`$?`).
    pub status: i32,
    /// The command line as typed.
    pub cmd: String,
}

/// The commands of the log, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandLog {
    pub path: String,
    pub commands: Vec<Logged>,
    /// Lines that were not a command.
    pub skipped: usize,
    /// Only the end of the log was read (it was over [`MAX_READ`]).
    pub cut: bool,
    /// Not read: the path is not a regular file but this.
    pub not_file: Option<FileKind>,
    /// Commands started after the deadline of a `lab grade --deadline`:
    /// cut from `commands`, kept to say who worked late.
    pub after_deadline: Vec<Logged>,
}

impl CommandLog {
    /// Parses the log's text. `cut`: the text starts mid-file, so its first
    /// line may be partial and is dropped.
    pub fn parse(path: &str, text: &str, cut: bool) -> CommandLog {
        let mut log = CommandLog {
            path: path.to_string(),
            cut,
            ..CommandLog::default()
        };
        let text = match (cut, text.find('\n')) {
            (true, Some(i)) => &text[i + 1..],
            (true, None) => "",
            (false, _) => text,
        };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Logged>(line) {
                Ok(c) if !c.cmd.trim().is_empty() => log.commands.push(c),
                Ok(_) => {}
                Err(_) => log.skipped += 1,
            }
        }
        log
    }
}

/// `$LAB_COMMAND_LOG`, else `$XDG_STATE_HOME/lab/commands.jsonl`, else
/// `~/.local/state/lab/commands.jsonl` (what the shell hook writes to).
pub fn default_path() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(p) = var("LAB_COMMAND_LOG") {
        return Some(p);
    }
    let state =
        var("XDG_STATE_HOME").or_else(|| var("HOME").map(|h| format!("{h}/.local/state")))?;
    Some(format!("{state}/{IN_STATE}"))
}

impl Machine {
    /// Where this machine's command log is: on a VM, under its user's state
    /// folder; here, [`default_path`].
    pub fn command_log_path(&self) -> Option<String> {
        self.backend.command_log_path()
    }

    /// The command log, read once per run; `None` when there is none (the
    /// shell integration is not installed).
    pub async fn command_log(&self) -> Result<Option<Arc<CommandLog>>, ObserveError> {
        self.commands
            .get_or_init(|| async { self.read_command_log().await.map(|l| l.map(Arc::new)) })
            .await
            .clone()
    }

    /// Whether a check looked for the command log and found none.
    pub fn command_log_missing(&self) -> bool {
        matches!(self.commands.get(), Some(Ok(None)))
    }

    async fn read_command_log(&self) -> Result<Option<CommandLog>, ObserveError> {
        let Some(path) = self.command_log_path() else {
            return Ok(None);
        };
        Ok(match self.read(&path, Bound::tail(MAX_READ)).await? {
            Read::Missing => None,
            Read::NotFile(kind) => Some(CommandLog {
                path,
                not_file: Some(kind),
                ..CommandLog::default()
            }),
            Read::Bytes { bytes, cut } => {
                let text = String::from_utf8_lossy(&bytes);
                let mut log = CommandLog::parse(&path, &text, cut);
                if let Some(here) = self.deadline_here().await {
                    let secs = here as f64 / 1e9;
                    let (before, after) = log.commands.into_iter().partition(|c| c.at <= secs);
                    (log.commands, log.after_deadline) = (before, after);
                }
                Some(log)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_parsed_and_bad_ones_counted() {
        let text = concat!(
            r#"{"at":1700000000.123,"ms":5,"status":0,"pipe":[0],"shell":"bash","pid":1,"cmd":"docker pull ubuntu:18.04"}"#,
            "\n",
            r#"{"at":1700000001.5,"ms":0,"status":1,"pipe":[1],"shell":"zsh","pid":2,"cmd":"docker rmi \"ubuntu:18.04\" # 中文"}"#,
            "\nnot json\n\n",
            r#"{"at":1700000002,"status":0,"cmd":"   "}"#,
            "\n",
            r#"{"at":1700000003,"status":0,"cmd":"echo torn"#,
        );
        let log = CommandLog::parse("/l", text, false);
        assert_eq!(log.commands.len(), 2);
        assert_eq!(log.commands[0].cmd, "docker pull ubuntu:18.04");
        assert_eq!(log.commands[0].ms, Some(5));
        assert_eq!(log.commands[1].cmd, "docker rmi \"ubuntu:18.04\" # 中文");
        assert_eq!(log.commands[1].status, 1);
        assert_eq!(log.commands[1].at, 1700000001.5);
        assert_eq!(log.skipped, 2, "`not json` and the torn last line");
        assert!(!log.cut);
    }

    #[test]
    fn a_cut_log_drops_its_partial_first_line() {
        let log = CommandLog::parse(
            "/l",
            "\"cmd\":\"half\"}\n{\"at\":1,\"status\":0,\"cmd\":\"ls\"}\n",
            true,
        );
        assert_eq!(log.commands.len(), 1);
        assert_eq!(log.skipped, 0);
        assert!(log.cut);
    }

    #[test]
    fn only_the_end_of_a_big_log_is_read() {
        use crate::machine::tests::block_on;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl");
        let line = "{\"at\":1,\"status\":0,\"cmd\":\"echo 0123456789\"}\n";
        let n = MAX_READ as usize / line.len() + 10;
        std::fs::write(&p, line.repeat(n)).unwrap();
        let p = p.display().to_string();
        let m = Machine::local("unix:///nonexistent".into(), 1);
        let Read::Bytes { bytes, cut } = block_on(m.read(&p, Bound::tail(MAX_READ))).unwrap()
        else {
            panic!("not read");
        };
        let log = CommandLog::parse(&p, &String::from_utf8_lossy(&bytes), cut);
        assert!(log.cut);
        assert_eq!(log.skipped, 0, "the partial first line is dropped");
        assert_eq!(log.commands.len(), MAX_READ as usize / line.len());
    }

    #[test]
    fn a_vm_s_log_is_under_its_state_folder_and_read_once() {
        use crate::machine::tests::{block_on, vm};
        let path = "/home/s/.local/state/lab/commands.jsonl";
        let m = vm(
            vec![],
            vec![(path, "{\"at\":1,\"status\":1,\"cmd\":\"docker rmi x\"}\n")],
        );
        assert_eq!(m.command_log_path().as_deref(), Some(path));
        assert!(!m.command_log_missing(), "not looked for yet");
        let log = block_on(m.command_log()).unwrap().unwrap();
        assert_eq!(log.commands[0].status, 1);
        assert!(!m.command_log_missing());
    }
}
