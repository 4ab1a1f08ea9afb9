//! Reading what a `history` check judges: the command log (through
//! `Machine::command_log`, with its warnings), the bash and zsh history
//! files (bounded, oldest first), and the ids of an image's containers.

use super::super::{file_read, Ctx};
use super::judge::Line;
use crate::lang::Lang;
use crate::machine::{Bound, CommandLog, ObserveError, Read};
use crate::tr;

/// The command log's commands, in the order they ran, with their status.
pub(super) fn log_lines(log: &CommandLog) -> Vec<Line<'_>> {
    log.commands
        .iter()
        .map(|c| Line {
            cmd: &c.cmd,
            status: Some(c.status),
        })
        .collect()
}

/// What the learner should know about how the command log was read:
/// lines skipped, its start cut, not a regular file.
pub(super) fn log_warnings(lang: Lang, log: &CommandLog) -> Vec<String> {
    let mut warnings = Vec::new();
    if log.skipped > 0 {
        warnings.push(tr!(
            lang,
            "{}: skipped {} lines that are not commands",
            "{}：跳过了 {} 行无法识别的记录",
            log.path,
            log.skipped
        ));
    }
    if log.cut {
        let bound = Bound::tail(crate::machine::MAX_COMMAND_LOG);
        warnings.push(file_read::cut_warning(lang, &log.path, bound));
    }
    if let Some(kind) = log.not_file {
        warnings.push(file_read::not_a_file_message(lang, &log.path, kind));
    }
    warnings
}

/// The commands of a history file, oldest first: zsh's extended lines
/// (`: 1700000000:0;cmd`) and bash's `#1700000000` lines give times, and
/// lines are ordered by them (a line without one keeps the last time seen).
pub(super) fn history_commands(text: &str) -> Vec<Line<'_>> {
    let mut timed: Vec<(u64, Line)> = Vec::new();
    let mut time = 0u64;
    for line in text.lines() {
        if let Some(t) = line.strip_prefix('#').and_then(|t| t.parse().ok()) {
            time = t;
            continue;
        }
        let cmd = match line.strip_prefix(": ").and_then(|l| l.split_once(';')) {
            Some((stamp, cmd)) => {
                if let Some(t) = stamp.split(':').next().and_then(|t| t.parse().ok()) {
                    time = t;
                }
                cmd
            }
            None => line,
        };
        if !cmd.trim().is_empty() {
            timed.push((time, Line { cmd, status: None }));
        }
    }
    timed.sort_by_key(|(t, _)| *t);
    timed.into_iter().map(|(_, s)| s).collect()
}

/// A history file's text, at most its last [`Bound::HISTORY`] (a warning
/// says so, and the cut first line is dropped); `None` when there is none
/// or it cannot be read, with the reason in `unread` (not a regular file,
/// no home folder known to put it in).
pub(super) async fn read_history(
    ctx: &Ctx<'_>,
    path: &str,
    unread: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, ObserveError> {
    let lang = ctx.lang;
    if path.contains("${home}") {
        unread.push(tr!(lang,
            "lab does not know your home folder (HOME is not set, and /etc/passwd names none for your user), so it cannot read {}: set HOME (`export HOME=/home/you`) and run lab again",
            "lab 不知道你的主目录（没有设置 HOME，/etc/passwd 中也没有当前用户的主目录），因此无法读取 {}：请设置 HOME（`export HOME=/home/你的用户名`）后重新运行 lab",
            path));
        return Ok(None);
    }
    match ctx.machine.read(path, Bound::HISTORY).await? {
        Read::Missing => Ok(None),
        Read::NotFile(kind) => {
            unread.push(file_read::not_a_file_message(lang, path, kind));
            Ok(None)
        }
        Read::Bytes { bytes, cut } => {
            // Valid UTF-8 (the usual case) becomes the text without a copy.
            let mut text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            if cut {
                warnings.push(file_read::cut_warning(lang, path, Bound::HISTORY));
                // The first line was cut in two: drop what is left of it.
                let start = text.find('\n').map_or(text.len(), |i| i + 1);
                text.drain(..start);
            }
            Ok(Some(text))
        }
    }
}

/// The ids of the containers created from `image`: those there are, and
/// those the timeline of container events names.
pub(super) async fn container_ids(ctx: &Ctx<'_>, image: &str) -> Result<Vec<String>, ObserveError> {
    use crate::checks::reference::normalize;
    let image = normalize(image);
    let mut ids: Vec<String> = ctx
        .machine
        .docker
        .containers()
        .await?
        .iter()
        .filter(|c| c.image.as_deref().map(normalize).as_deref() == Some(image.as_str()))
        .map(|c| c.id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    let events = ctx.events().await?;
    ids.extend(
        events
            .iter()
            .filter(|e| e.kind == "container")
            .filter(|e| e.attributes.get("image").map(|i| normalize(i)) == Some(image.clone()))
            .map(|e| e.actor.clone()),
    );
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zsh_and_bash_times_order_history_lines() {
        let zsh = ": 1700000005:0;docker history ubuntu:18.04\n: 1700000001:0;docker pull ubuntu:18.04\nls\n";
        let got: Vec<&str> = history_commands(zsh).into_iter().map(|s| s.cmd).collect();
        // `ls` has no time of its own: it keeps the one before it.
        assert_eq!(
            got,
            [
                "docker pull ubuntu:18.04",
                "ls",
                "docker history ubuntu:18.04"
            ]
        );
        let bash = "#1700000009\ndocker images\n#1700000002\necho hi\nplain\n";
        let got: Vec<&str> = history_commands(bash).into_iter().map(|s| s.cmd).collect();
        assert_eq!(got, ["echo hi", "plain", "docker images"]);
        assert_eq!(history_commands("docker images\n")[0].status, None);
    }
}
