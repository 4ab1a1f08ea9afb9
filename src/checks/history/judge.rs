//! Judging: which of the commands a source saw (oldest first) is the one a
//! `history` check asks for, or why none is. Nothing here reads a source.

use super::ExitStatus;
use regex::Regex;

/// A command as a source saw it, in the order they ran.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Seen {
    pub(super) cmd: String,
    /// `None`: the source does not know (a history file).
    pub(super) status: Option<i32>,
}

/// A command line borrowed from its source (a 1 MiB history is 75,000 of
/// them: no copy each), until one is kept as a [`Seen`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Line<'a> {
    pub(super) cmd: &'a str,
    pub(super) status: Option<i32>,
}

impl Line<'_> {
    pub(super) fn seen(self) -> Seen {
        Seen {
            cmd: self.cmd.to_string(),
            status: self.status,
        }
    }
}

/// Why no command qualified, from the closest miss.
#[derive(Debug, PartialEq)]
pub(super) enum Miss {
    NoMatch,
    /// Commands matched, with the other status (the last one shown).
    Status(Seen),
    /// The last matching command, not after `after`.
    NotAfter(Seen),
    /// The last matching command, not before `before`.
    NotBefore(Seen),
    /// A status is demanded and the source has none.
    Unknown(Seen),
}

/// A check's rules, compiled: what [`Rules::judge`] asks of a command.
pub(super) struct Rules {
    pub(super) matches: Regex,
    pub(super) status: Option<ExitStatus>,
    pub(super) after: Option<Regex>,
    pub(super) before: Option<Regex>,
    /// With `container_of`: the ids the first group must start one of.
    pub(super) ids: Option<Vec<String>>,
}

impl Rules {
    /// Whether a command line is the one asked for (and names the right
    /// container, when that is asked).
    fn fits(&self, cmd: &str) -> bool {
        let Some(caps) = self.matches.captures(cmd) else {
            return false;
        };
        let Some(ids) = &self.ids else { return true };
        let Some(typed) = caps.get(1).map(|m| m.as_str().to_ascii_lowercase()) else {
            return false;
        };
        typed.len() >= 4
            && typed.chars().all(|c| c.is_ascii_hexdigit())
            && ids.iter().any(|id| id.starts_with(&typed))
    }

    /// The command that qualifies (the last one), or the closest miss.
    /// Linear in the commands: the anchors are found once, first `after`
    /// and last `before`.
    pub(super) fn judge(&self, seen: &[Line]) -> Result<Seen, Miss> {
        // An anchor counts unless the source knows it failed.
        let anchor = |re: &Regex, s: &Line| re.is_match(s.cmd) && s.status.unwrap_or(0) == 0;
        let first_after = self
            .after
            .as_ref()
            .map(|re| seen.iter().position(|a| anchor(re, a)));
        let last_before = self
            .before
            .as_ref()
            .map(|re| seen.iter().rposition(|b| anchor(re, b)));
        let mut miss = Miss::NoMatch;
        for (i, s) in seen.iter().enumerate().rev() {
            if !self.fits(s.cmd) {
                continue;
            }
            match (self.status, s.status) {
                (None, _) => {}
                (Some(_), None) => {
                    miss = Miss::Unknown(s.seen());
                    continue;
                }
                (Some(want), Some(code)) if (code == 0) != (want == ExitStatus::Ok) => {
                    if miss == Miss::NoMatch {
                        miss = Miss::Status(s.seen());
                    }
                    continue;
                }
                _ => {}
            }
            if let Some(first) = first_after {
                if first.is_none_or(|a| a >= i) {
                    miss = Miss::NotAfter(s.seen());
                    continue;
                }
            }
            if let Some(last) = last_before {
                if last.is_none_or(|b| b <= i) {
                    miss = Miss::NotBefore(s.seen());
                    continue;
                }
            }
            return Ok(s.seen());
        }
        Err(miss)
    }
}

#[cfg(test)]
mod tests {
    use super::super::History;
    use super::*;

    fn seen<'a>(cmds: &[(&'a str, Option<i32>)]) -> Vec<Line<'a>> {
        cmds.iter()
            .map(|(c, s)| Line { cmd: c, status: *s })
            .collect()
    }

    fn rules(yaml: &str) -> Rules {
        let h: History = serde_yaml_ng::from_str(yaml).unwrap();
        h.rules().unwrap()
    }

    #[test]
    fn a_refused_command_is_not_satisfied_by_a_later_success() {
        let r = rules("{ matches: 'docker\\s+rmi\\s+ubuntu:18\\.04', status: failed, before: 'docker\\s+rm\\b' }");
        // task7: refused while the container exists, then rm, then rmi works.
        let good = seen(&[
            ("docker rmi ubuntu:18.04", Some(1)),
            ("docker rm 1a2b", Some(0)),
            ("docker rmi ubuntu:18.04", Some(0)),
        ]);
        assert_eq!(r.judge(&good).unwrap().status, Some(1));
        // Only the successful one: the refusal was never seen.
        let only_ok = seen(&[
            ("docker rm 1a2b", Some(0)),
            ("docker rmi ubuntu:18.04", Some(0)),
        ]);
        assert!(matches!(r.judge(&only_ok), Err(Miss::Status(s)) if s.status == Some(0)));
        // Refused, but for another reason after the container was gone.
        let late = seen(&[
            ("docker rm 1a2b", Some(0)),
            ("docker rmi ubuntu:18.04", Some(1)),
        ]);
        assert!(matches!(r.judge(&late), Err(Miss::NotBefore(_))));
        // A failed `docker rm` is no anchor.
        let rm_failed = seen(&[
            ("docker rmi ubuntu:18.04", Some(1)),
            ("docker rm 1a2b", Some(1)),
        ]);
        assert!(matches!(r.judge(&rm_failed), Err(Miss::NotBefore(_))));
        // History files cannot tell.
        let hist = seen(&[("docker rmi ubuntu:18.04", None), ("docker rm 1a2b", None)]);
        assert!(matches!(r.judge(&hist), Err(Miss::Unknown(_))));
    }

    #[test]
    fn history_of_an_image_counts_only_after_its_pull() {
        let r = rules("{ matches: 'docker\\s+history\\s+ubuntu:18\\.04', after: 'docker\\s+pull\\s+ubuntu:18\\.04' }");
        let early = seen(&[
            ("docker history ubuntu:18.04", Some(1)),
            ("docker pull ubuntu:18.04", Some(0)),
        ]);
        assert!(matches!(r.judge(&early), Err(Miss::NotAfter(_))));
        let both = seen(&[
            ("docker history ubuntu:18.04", Some(1)),
            ("docker pull ubuntu:18.04", Some(0)),
            ("docker history ubuntu:18.04", Some(0)),
        ]);
        assert!(r.judge(&both).is_ok());
        // Order is enough without statuses (history files).
        let hist = seen(&[
            ("docker pull ubuntu:18.04", None),
            ("docker history ubuntu:18.04", None),
        ]);
        assert!(r.judge(&hist).is_ok());
        assert_eq!(r.judge(&seen(&[("ls", Some(0))])), Err(Miss::NoMatch));
    }

    /// 300,000 matching commands and no anchor: one pass, not one per
    /// match (a 4 MiB history of them took minutes).
    #[test]
    fn anchors_are_found_once_however_many_commands_match() {
        let r = rules("{ matches: 'docker images', after: 'docker pull', before: 'docker rmi' }");
        let many: Vec<(&str, Option<i32>)> = vec![("docker images", Some(0)); 300_000];
        let t = std::time::Instant::now();
        assert_eq!(
            r.judge(&seen(&many)),
            Err(Miss::NotAfter(seen(&many)[0].seen()))
        );
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            t.elapsed()
        );
        let mut framed = vec![("docker pull x", Some(0))];
        framed.extend_from_slice(&many[..3]);
        framed.push(("docker rmi x", Some(0)));
        assert_eq!(
            r.judge(&seen(&framed)).map(|s| s.cmd),
            Ok("docker images".into())
        );
        // The anchor must come strictly after the match for `before`.
        framed.pop();
        assert!(matches!(r.judge(&seen(&framed)), Err(Miss::NotBefore(_))));
    }
}
