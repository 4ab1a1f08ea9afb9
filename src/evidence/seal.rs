//! The journal's seal: every line carries an HMAC-SHA256 tag (`mac`) over
//! the tag of the line before it, the entry's canonical JSON and the
//! binding, keyed by a key derived from the machine's id, the Docker
//! daemon's id and a constant of this program.
//!
//! The binding is written on each line as two short public fingerprints
//! (`m`: the machine, `d`: the daemon; a fingerprint is not the id), so a
//! line that does not verify can say why: another machine, another daemon,
//! or edited. A line written while the daemon did not answer has no `d`
//! and is bound to the machine only; it stays valid on that machine.
//!
//! Threat model (ARCHITECTURE.md, "The journal's seal"): this catches a
//! journal copied from another machine or daemon and a line written or
//! edited by hand; it does not stop someone who reads lab's source (the
//! constant is in it, the ids are readable by the learner) and computes
//! the tags.

use crate::machine::Machine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Where the machine's id is read, first found wins.
pub const MACHINE_ID_FILES: &[&str] = &["/etc/machine-id", "/var/lib/dbus/machine-id"];

/// Mixed into every key. Public: it is in the source.
const CONSTANT: &[u8] = b"lab journal seal v1 - progress belongs to one machine and one daemon";

type HmacSha256 = Hmac<Sha256>;

/// The ids a journal is bound to on this machine, with their
/// fingerprints and keys worked out once (a journal has many lines).
#[derive(Clone)]
pub struct Binding {
    /// Fingerprints of the two ids.
    m: Option<String>,
    d: Option<String>,
    /// HMAC keyed for lines bound to the machine and the daemon (when the
    /// daemon's id is known), and for lines bound to the machine only.
    both: Option<HmacSha256>,
    machine_only: HmacSha256,
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding")
            .field("m", &self.m)
            .field("d", &self.d)
            .finish()
    }
}

impl Default for Binding {
    fn default() -> Binding {
        Binding::new(None, None)
    }
}

/// The seal fields of a journal line (`m`, `d`, `mac`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// Fingerprint of the machine id it was bound to.
    pub m: Option<String>,
    /// Fingerprint of the daemon id; absent when the daemon did not answer.
    pub d: Option<String>,
    /// HMAC-SHA256, hex.
    pub mac: String,
}

/// What checking a line's seal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Bound to another machine id.
    OtherMachine,
    /// Bound to another Docker daemon (this machine's id matches).
    OtherDaemon,
    /// Bound to a daemon, and this run does not know the daemon's id.
    NoDaemon,
    /// The binding matches but the tag does not: edited, inserted, moved,
    /// or the line before it deleted.
    Edited,
}

impl Binding {
    /// From the ids as read (blank ones count as absent).
    pub fn new(machine_id: Option<String>, daemon_id: Option<String>) -> Binding {
        let clean = |s: Option<String>| {
            s.map(|s| s.trim().chars().take(256).collect::<String>())
                .filter(|s| !s.is_empty())
        };
        let (machine_id, daemon_id) = (clean(machine_id), clean(daemon_id));
        let m = machine_id.as_deref().map(|m| fingerprint("machine", m));
        let d = daemon_id.as_deref().map(|d| fingerprint("daemon", d));
        Binding {
            both: daemon_id
                .as_deref()
                .map(|d| mac_with(&key(machine_id.as_deref(), Some(d)))),
            machine_only: mac_with(&key(machine_id.as_deref(), None)),
            m,
            d,
        }
    }

    /// Reads the machine's id ([`MACHINE_ID_FILES`]) and the daemon's
    /// (`docker info` → `ID`) through the machine's one door, so a VM
    /// being graded is bound to its own ids.
    pub async fn of(machine: &Machine) -> Binding {
        let mut machine_id = None;
        for f in MACHINE_ID_FILES {
            let read = machine.read(f, crate::machine::Bound::head(4096)).await;
            if let Some(text) = read.ok().and_then(|r| r.text()) {
                if !text.trim().is_empty() {
                    machine_id = Some(text);
                    break;
                }
            }
        }
        let daemon_id = machine.daemon_id().await;
        Binding::new(machine_id, daemon_id)
    }

    pub fn has_machine_id(&self) -> bool {
        self.m.is_some()
    }

    /// The machine id's fingerprint (not the id), when it was read.
    pub fn machine_fingerprint(&self) -> Option<&str> {
        self.m.as_deref()
    }

    /// The daemon id's fingerprint (not the id), when the daemon answered.
    pub fn daemon_fingerprint(&self) -> Option<&str> {
        self.d.as_deref()
    }

    /// Seals `canonical` (an entry's JSON) after the line whose tag is `prev`.
    pub fn seal(&self, prev: &str, canonical: &str) -> Seal {
        let keyed = self.both.as_ref().unwrap_or(&self.machine_only);
        let mac = tag(keyed, prev, self.m.as_deref(), self.d.as_deref(), canonical);
        Seal {
            m: self.m.clone(),
            d: self.d.clone(),
            mac: hex(&mac),
        }
    }

    /// Checks a line's seal against this machine's ids.
    pub fn verify(&self, prev: &str, canonical: &str, seal: &Seal) -> Verdict {
        if seal.m != self.m {
            return Verdict::OtherMachine;
        }
        let keyed = match (&seal.d, &self.d, &self.both) {
            (None, _, _) => &self.machine_only,
            (Some(theirs), Some(ours), Some(both)) if theirs == ours => both,
            (Some(_), Some(_), _) => return Verdict::OtherDaemon,
            (Some(_), None, _) => return Verdict::NoDaemon,
        };
        let expected = tag(keyed, prev, seal.m.as_deref(), seal.d.as_deref(), canonical);
        match unhex(&seal.mac) {
            Some(given) if given == expected => Verdict::Valid,
            _ => Verdict::Edited,
        }
    }
}

/// A short public fingerprint of an id: tells "another machine" from
/// "edited" without writing the id itself into the journal.
pub(crate) fn fingerprint(kind: &str, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"lab journal id\0");
    h.update(kind.as_bytes());
    h.update(b"\0");
    h.update(id.as_bytes());
    hex(&h.finalize()[..8])
}

fn key(machine_id: Option<&str>, daemon_id: Option<&str>) -> Vec<u8> {
    let mut k = mac_with(CONSTANT);
    k.update(b"machine=");
    k.update(machine_id.unwrap_or("").as_bytes());
    k.update(b"\0daemon=");
    k.update(daemon_id.unwrap_or("").as_bytes());
    k.finalize().into_bytes().to_vec()
}

fn tag(
    keyed: &HmacSha256,
    prev: &str,
    m: Option<&str>,
    d: Option<&str>,
    canonical: &str,
) -> Vec<u8> {
    let mut t = keyed.clone();
    for part in [prev, m.unwrap_or("-"), d.unwrap_or("-"), canonical] {
        t.update(part.as_bytes());
        t.update(b"\n");
    }
    t.finalize().into_bytes().to_vec()
}

fn mac_with(key: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length: this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Binding {
        Binding::new(Some("0123abcd\n".into()), Some("daemon-A".into()))
    }

    #[test]
    fn a_seal_verifies_on_its_machine_and_daemon_only() {
        let s = here().seal("", r#"{"type":"check"}"#);
        assert_eq!(s.mac.len(), 64);
        assert_eq!(here().verify("", r#"{"type":"check"}"#, &s), Verdict::Valid);
        let other_machine = Binding::new(Some("ffff".into()), Some("daemon-A".into()));
        assert_eq!(
            other_machine.verify("", r#"{"type":"check"}"#, &s),
            Verdict::OtherMachine
        );
        let other_daemon = Binding::new(Some("0123abcd".into()), Some("daemon-B".into()));
        assert_eq!(
            other_daemon.verify("", r#"{"type":"check"}"#, &s),
            Verdict::OtherDaemon
        );
        let no_daemon = Binding::new(Some("0123abcd".into()), None);
        assert_eq!(
            no_daemon.verify("", r#"{"type":"check"}"#, &s),
            Verdict::NoDaemon
        );
    }

    #[test]
    fn an_edit_a_new_predecessor_or_a_forged_tag_is_caught() {
        let s = here().seal("aa", r#"{"passed":false}"#);
        assert_eq!(
            here().verify("aa", r#"{"passed":true}"#, &s),
            Verdict::Edited
        );
        assert_eq!(
            here().verify("bb", r#"{"passed":false}"#, &s),
            Verdict::Edited
        );
        let mut forged = s.clone();
        forged.mac = "00".repeat(32);
        assert_eq!(
            here().verify("aa", r#"{"passed":false}"#, &forged),
            Verdict::Edited
        );
        forged.mac = "not hex".into();
        assert_eq!(
            here().verify("aa", r#"{"passed":false}"#, &forged),
            Verdict::Edited
        );
    }

    #[test]
    fn a_line_written_without_the_daemon_stays_valid_on_its_machine() {
        let without = Binding::new(Some("0123abcd".into()), None);
        let s = without.seal("", "{}");
        assert_eq!(s.d, None);
        assert_eq!(here().verify("", "{}", &s), Verdict::Valid);
        let elsewhere = Binding::new(Some("9999".into()), None);
        assert_eq!(elsewhere.verify("", "{}", &s), Verdict::OtherMachine);
    }

    #[test]
    fn fingerprints_do_not_reveal_the_ids() {
        let s = here().seal("", "{}");
        let m = s.m.expect("machine fingerprint");
        assert_eq!(m.len(), 16);
        assert!(!m.contains("0123abcd"));
        assert_ne!(Some(m), s.d);
    }
}
