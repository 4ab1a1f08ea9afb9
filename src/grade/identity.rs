//! What tells one student VM from another, to find two students who
//! handed in one machine: the same machine id, the same Docker daemon ID,
//! a container id on both (256 random bits each: only a copied data root
//! shares one) or the same command log (each line timed to the
//! microsecond). Ids are kept as fingerprints, never as they are.
//!
//! Image ids are not compared: they are content hashes, the same for
//! every student who pulled the same image.

use crate::machine::Machine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One VM's identity, kept in its `result.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Fingerprint of `/etc/machine-id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// Fingerprint of the daemon's ID (`docker info`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon: Option<String>,
    /// Every container's id, first 12 characters (`docker ps -a`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    /// Fingerprint of the command log's commands (time, status, line);
    /// absent when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<String>,
}

impl Identity {
    /// Read through the machine's one door: the ids the journal's seal
    /// uses, the container list and the command log the checks read.
    pub async fn of(machine: &Machine) -> Identity {
        let binding = crate::evidence::Binding::of(machine).await;
        let containers = match machine.docker.containers().await {
            Ok(list) => list
                .iter()
                .map(|c| c.id.as_str())
                .filter(|id| !id.is_empty())
                .map(|id| id.chars().take(12).collect())
                .collect(),
            Err(_) => Vec::new(),
        };
        let commands = match machine.command_log().await {
            Ok(Some(log)) if !log.commands.is_empty() => {
                let lines: String = log
                    .commands
                    .iter()
                    .map(|c| format!("{}\t{}\t{}\n", c.at, c.status, c.cmd))
                    .collect();
                Some(crate::evidence::fingerprint("commands", &lines))
            }
            _ => None,
        };
        Identity {
            machine: binding.machine_fingerprint().map(str::to_string),
            daemon: binding.daemon_fingerprint().map(str::to_string),
            containers,
            commands,
        }
    }

    /// What `self` shares with `other`, by name (`machine`, `daemon`,
    /// `containers`, `commands`); an unknown value matches nothing.
    pub fn shared(&self, other: &Identity) -> Vec<&'static str> {
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        let mut out = Vec::new();
        if same(&self.machine, &other.machine) {
            out.push("machine");
        }
        if same(&self.daemon, &other.daemon) {
            out.push("daemon");
        }
        if self.containers.iter().any(|c| other.containers.contains(c)) {
            out.push("containers");
        }
        if same(&self.commands, &other.commands) {
            out.push("commands");
        }
        out
    }
}

/// For each student whose VM shares something with another student's, a
/// flag per such student: `copy:s08:machine+daemon+containers+commands`.
/// Students without an identity (not graded, or graded by an earlier
/// version of lab) are compared with nobody.
pub fn copy_flags<'a>(
    identities: impl IntoIterator<Item = (&'a str, &'a Identity)>,
) -> BTreeMap<String, Vec<String>> {
    let all: Vec<(&str, &Identity)> = identities.into_iter().collect();
    let mut flags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, (a, ia)) in all.iter().enumerate() {
        for (b, ib) in &all[i + 1..] {
            let shared = ia.shared(ib);
            if shared.is_empty() {
                continue;
            }
            let what = shared.join("+");
            flags
                .entry(a.to_string())
                .or_default()
                .push(format!("copy:{b}:{what}"));
            flags
                .entry(b.to_string())
                .or_default()
                .push(format!("copy:{a}:{what}"));
        }
    }
    flags
}

/// Adds the copy flags of the class to its graded records' own flags.
pub fn flag_copies(records: &mut BTreeMap<String, super::outcome::Record>) {
    let flags = copy_flags(
        records
            .iter()
            .filter(|(_, r)| r.outcome == super::HostOutcome::Graded)
            .filter_map(|(id, r)| Some((id.as_str(), r.identity.as_ref()?))),
    );
    for (id, mut more) in flags {
        if let Some(r) = records.get_mut(&id) {
            r.flags.append(&mut more);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(machine: &str, daemon: &str, containers: &[&str], commands: Option<&str>) -> Identity {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Identity {
            machine: some(machine),
            daemon: some(daemon),
            containers: containers.iter().map(|c| c.to_string()).collect(),
            commands: commands.map(str::to_string),
        }
    }

    #[test]
    fn each_shared_part_is_named_on_both_students() {
        let a = id("m1", "d1", &["aaa", "bbb"], Some("c1"));
        let b = id("m2", "d2", &["ccc", "bbb"], Some("c2"));
        let c = id("m1", "d1", &["aaa", "bbb"], Some("c1"));
        let d = id("m4", "d4", &[], Some("c4"));
        let flags = copy_flags([("s01", &a), ("s02", &b), ("s03", &c), ("s04", &d)]);
        assert_eq!(
            flags["s01"],
            vec![
                "copy:s02:containers",
                "copy:s03:machine+daemon+containers+commands"
            ]
        );
        assert_eq!(
            flags["s02"],
            vec!["copy:s01:containers", "copy:s03:containers"]
        );
        assert_eq!(
            flags["s03"],
            vec![
                "copy:s01:machine+daemon+containers+commands",
                "copy:s02:containers"
            ]
        );
        assert!(!flags.contains_key("s04"), "{flags:?}");
    }

    #[test]
    fn what_was_not_read_matches_nothing() {
        let unknown = Identity::default();
        assert!(unknown.shared(&Identity::default()).is_empty());
        let a = id("", "d1", &[], None);
        let b = id("", "d2", &[], None);
        assert!(a.shared(&b).is_empty(), "two VMs without a machine id");
        assert!(copy_flags([("s01", &unknown), ("s02", &unknown)]).is_empty());
    }

    #[test]
    fn an_identity_is_stored_as_fingerprints_and_old_records_have_none() {
        let a = id("m1", "", &["0123456789ab"], None);
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"machine": "m1", "containers": ["0123456789ab"]})
        );
        let back: Identity = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn only_graded_records_are_compared_and_their_own_flags_stay() {
        use crate::grade::testing::{record, student};
        use crate::grade::HostOutcome;
        let same = id("m1", "d1", &[], None);
        let mut records = BTreeMap::new();
        for (who, outcome) in [
            ("s01", HostOutcome::Graded),
            ("s02", HostOutcome::Graded),
            ("s03", HostOutcome::Error),
        ] {
            let mut r = record(&student(who, who, "vm"), outcome, &[]);
            r.identity = Some(same.clone());
            r.flags = vec!["task2:skipped".into()];
            records.insert(who.to_string(), r);
        }
        flag_copies(&mut records);
        assert_eq!(
            records["s01"].flags,
            vec!["task2:skipped", "copy:s02:machine+daemon"]
        );
        assert_eq!(
            records["s02"].flags,
            vec!["task2:skipped", "copy:s01:machine+daemon"]
        );
        assert_eq!(records["s03"].flags, vec!["task2:skipped"], "not graded");
    }
}
