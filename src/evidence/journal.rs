//! The journal: one JSON object per line, appended each time lab sees a
//! check pass and each time a task is checked. It lets a step that a later
//! step undoes (pull, then remove) keep its pass across daemon restarts, and
//! gives `lab list` each task's last status.
//!
//! Each line is sealed (`seal.rs`): its `mac` covers the `mac` of the line
//! before it, the entry and the machine's and daemon's ids. A line whose
//! seal does not verify is ignored, alone: the line after it chains to its
//! stored `mac`, so one edited line costs that line, one deleted line costs
//! the line after it, and a copied journal costs every line; whatever is
//! ignored is said once per journal, with the count and the first line.
//!
//! Invariants: lines are only ever appended, each batch in one write; a
//! torn last line (a crash mid-write) is skipped with a warning, never
//! fatal; a line that is not UTF-8 or not JSON is skipped and named, the
//! others still count; a journal that cannot be read or written is a
//! warning, never a failed check. An entry's fields never change (its
//! canonical JSON is what the seal covers): a new kind of record is a new
//! variant.

use super::file::{self, Loaded};
use super::health::{Health, State, Tally};
use super::seal::{Binding, Seal, Verdict};
use crate::lang::Lang;
use crate::report::{Evidence, Outcome, Status, TaskStatus};
use crate::tr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Entry {
    /// A check passed on live state or daemon events.
    Check {
        at: i64,
        task: String,
        step: String,
        check: String,
        detail: String,
    },
    /// A task was checked.
    Task {
        at: i64,
        task: String,
        /// `pass`, `fail` or `error`, as earlier versions wrote it.
        status: TaskStatus,
        score: u32,
        max_score: u32,
    },
    /// A quiz was taken (`lab quiz`).
    Quiz {
        at: i64,
        task: String,
        score: u32,
        max_score: u32,
        passed: bool,
    },
    /// Image references and the ids they pointed to when lab looked.
    Images {
        at: i64,
        refs: BTreeMap<String, String>,
    },
}

#[derive(Debug, Default)]
pub struct Journal {
    path: Option<PathBuf>,
    binding: Binding,
    lang: Lang,
    entries: Vec<Entry>,
    /// The `mac` of the last sealed line read: what an append chains to
    /// when the end of the file has none.
    head: String,
    /// Problems met while reading, for the report.
    pub warnings: Vec<String>,
    /// What reading found, for `lab grade`.
    pub health: Health,
}

/// `$LAB_JOURNAL`, else `$XDG_STATE_HOME/lab/journal.jsonl`, else
/// `~/.local/state/lab/journal.jsonl`.
pub fn default_path() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = var("LAB_JOURNAL") {
        return Some(p);
    }
    let state = var("XDG_STATE_HOME").or_else(|| var("HOME").map(|h| h.join(".local/state")))?;
    Some(state.join("lab").join("journal.jsonl"))
}

/// A line as read: its entry (if it is one) and its seal (if it has one).
struct Line {
    entry: Result<Entry, String>,
    seal: Option<Seal>,
}

fn parse_line(text: &str) -> Result<Line, String> {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    let seal = map.remove("mac").map(|mac| Seal {
        mac: mac.as_str().unwrap_or_default().to_string(),
        m: map.remove("m").and_then(|v| v.as_str().map(String::from)),
        d: map.remove("d").and_then(|v| v.as_str().map(String::from)),
    });
    let entry = Entry::deserialize(serde_json::Value::Object(map)).map_err(|e| e.to_string());
    Ok(Line { entry, seal })
}

/// An entry's JSON with its seal, as one line (without the newline).
fn sealed_line(canonical: &str, seal: &Seal) -> String {
    let mut fields = String::new();
    for (k, v) in [("m", &seal.m), ("d", &seal.d)] {
        if let Some(v) = v {
            fields.push_str(&format!(",\"{k}\":\"{v}\""));
        }
    }
    let body = canonical.strip_suffix('}').unwrap_or(canonical);
    format!("{body}{fields},\"mac\":\"{}\"}}", seal.mac)
}

impl Journal {
    /// A journal that records nothing (`--no-journal`).
    pub fn disabled() -> Journal {
        Journal {
            health: Health {
                state: State::Disabled,
                ..Health::default()
            },
            ..Journal::default()
        }
    }

    /// Reads the journal at `path`, checking each line against `binding`
    /// (this machine's ids); a missing file is an empty journal.
    pub fn open(path: PathBuf, binding: Binding, lang: Lang) -> Journal {
        let label = path.display().to_string();
        let mut j = match file::load(&path, lang) {
            Loaded::Missing => Journal {
                binding,
                lang,
                ..Journal::default()
            },
            Loaded::Refused(why) => {
                let mut j = Journal {
                    lang,
                    warnings: vec![why],
                    ..Journal::default()
                };
                j.health.state = State::Unreadable;
                // Not a file lab may write either: no path.
                return j;
            }
            Loaded::Bytes { bytes, cut_from } => {
                let mut j = Journal {
                    binding,
                    lang,
                    ..Journal::default()
                };
                j.load(&label, &bytes, cut_from);
                j
            }
        };
        j.path = Some(path);
        j
    }

    /// A journal read from bytes fetched elsewhere (a student VM's, while
    /// grading), checked against that VM's `binding`: it is consulted,
    /// never appended to. `label` names it in warnings.
    pub fn read_only(label: &str, bytes: &[u8], binding: Binding, lang: Lang) -> Journal {
        let mut j = Journal {
            binding,
            lang,
            ..Journal::default()
        };
        if bytes.is_empty() {
            return j;
        }
        let limit = file::READ_LIMIT as usize;
        if bytes.len() > limit {
            j.load(
                label,
                &bytes[bytes.len() - limit..],
                Some(bytes.len() as u64),
            );
        } else {
            j.load(label, bytes, None);
        }
        j
    }

    /// Reads `bytes`; `cut_from` is the file's size when they are only its
    /// end (the first line, likely partial, is skipped; the next is used
    /// only as the start of the chain).
    fn load(&mut self, label: &str, bytes: &[u8], cut_from: Option<u64>) {
        let lang = self.lang;
        if !self.binding.has_machine_id() {
            self.warnings.push(tr!(
                lang,
                "neither /etc/machine-id nor /var/lib/dbus/machine-id exists: the journal is bound to the Docker daemon only",
                "/etc/machine-id 与 /var/lib/dbus/machine-id 都不存在：记录只与 Docker 守护进程绑定"
            ));
        }
        let mut bytes = bytes;
        let mut anchor_pending = false;
        if let Some(size) = cut_from {
            self.warnings.push(tr!(
                lang,
                "{}: the journal is {:.1} MiB; lab read only its last {} MiB (line numbers count from there)",
                "{}：记录文件有 {:.1} MiB；lab 只读取了最后 {} MiB（行号从那里算起）",
                label,
                size as f64 / (1 << 20) as f64,
                file::READ_LIMIT >> 20
            ));
            let start = bytes
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |i| i + 1);
            bytes = &bytes[start..];
            anchor_pending = true;
        }
        let torn_tail = !bytes.is_empty() && !bytes.ends_with(b"\n");
        let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        let mut tally = Tally::default();
        let mut prev = String::new();
        for (i, raw) in lines.iter().enumerate() {
            let n = i + 1;
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            tally.lines += 1;
            let (text, utf8) = match std::str::from_utf8(raw) {
                Ok(t) => (std::borrow::Cow::Borrowed(t), true),
                Err(_) => (String::from_utf8_lossy(raw), false),
            };
            let parsed = parse_line(&text);
            if anchor_pending {
                anchor_pending = false;
                if let Ok(Line { seal: Some(s), .. }) = &parsed {
                    prev = s.mac.clone();
                }
                tally.lines -= 1;
                continue;
            }
            let line = match parsed {
                Ok(l) if utf8 => l,
                other => {
                    // Keep the chain going past a damaged line when its
                    // tag can still be read.
                    if let Ok(Line { seal: Some(s), .. }) = &other {
                        prev = s.mac.clone();
                    }
                    if torn_tail && n == lines.len() {
                        tally.lines -= 1;
                        self.warnings.push(tr!(
                            lang,
                            "{}:{}: skipped a torn last line (lab was interrupted while writing it)",
                            "{}:{}：跳过了不完整的最后一行（lab 写入时被中断）",
                            label,
                            n
                        ));
                    } else {
                        tally.damaged.add(n);
                        let why = match (&other, utf8) {
                            (_, false) => lang
                                .pick("it is not UTF-8 text", "它不是 UTF-8 文本")
                                .to_string(),
                            (Err(e), _) => e.clone(),
                            (Ok(_), _) => String::new(),
                        };
                        self.warnings.push(tr!(
                            lang,
                            "{}:{}: skipped an unreadable line ({}); the other lines still count",
                            "{}:{}：跳过了无法读取的一行（{}）；其余各行仍然有效",
                            label,
                            n,
                            why
                        ));
                    }
                    continue;
                }
            };
            let Some(seal) = line.seal else {
                tally.unsealed.add(n);
                continue;
            };
            let entry = match line.entry {
                Ok(e) => e,
                Err(e) => {
                    prev = seal.mac.clone();
                    tally.damaged.add(n);
                    self.warnings.push(tr!(
                        lang,
                        "{}:{}: skipped a line lab does not understand ({}); the other lines still count",
                        "{}:{}：跳过了 lab 无法理解的一行（{}）；其余各行仍然有效",
                        label,
                        n,
                        e
                    ));
                    continue;
                }
            };
            let canonical = serde_json::to_string(&entry).unwrap_or_default();
            match self.binding.verify(&prev, &canonical, &seal) {
                Verdict::Valid => self.entries.push(entry),
                Verdict::OtherMachine => tally.other_machine.add(n),
                Verdict::OtherDaemon => tally.other_daemon.add(n),
                Verdict::NoDaemon => tally.no_daemon.add(n),
                // Bytes that were not UTF-8 before a lossy copy (a VM's
                // journal is fetched as text): damage, not an edit.
                Verdict::Edited if text.contains('\u{FFFD}') => {
                    tally.damaged.add(n);
                    self.warnings.push(tr!(
                        lang,
                        "{}:{}: skipped an unreadable line (it is not UTF-8 text); the other lines still count",
                        "{}:{}：跳过了无法读取的一行（它不是 UTF-8 文本）；其余各行仍然有效",
                        label,
                        n
                    ));
                }
                Verdict::Edited => tally.edited.add(n),
            }
            prev = seal.mac;
        }
        self.head = prev;
        self.warnings.extend(tally.warnings(label, lang));
        self.health = tally.health();
    }

    #[cfg(test)]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// A pass from the journal for a check, if an earlier run recorded one.
    pub fn remembered(&self, task: &str, step: &str, check: &str, lang: Lang) -> Option<Outcome> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Check {
                at,
                task: t,
                step: s,
                check: c,
                detail,
            } if *t == task && *s == step && c == check => {
                let msg = tr!(
                    lang,
                    "done earlier: {} (lab saw it on {})",
                    "之前已完成：{}（lab 于 {} 记录）",
                    detail,
                    crate::clock::date(*at)
                );
                Some(Outcome {
                    status: Status::Pass,
                    message: msg,
                    expected: None,
                    actual: None,
                    evidence: Some(Evidence::Journal {
                        detail: detail.clone(),
                        time: *at,
                    }),
                    warnings: Vec::new(),
                })
            }
            _ => None,
        })
    }

    /// The id `reference` had the last time lab saw it, and when.
    pub fn image_id(&self, reference: &str) -> Option<(&str, i64)> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Images { at, refs } => refs.get(reference).map(|id| (id.as_str(), *at)),
            _ => None,
        })
    }

    /// The best passed quiz of a task, else its last attempt.
    pub fn quiz(&self, task: &str) -> Option<&Entry> {
        let of_task = |e: &&Entry| matches!(e, Entry::Quiz { task: t, .. } if t == task);
        let passed = self
            .entries
            .iter()
            .rev()
            .filter(of_task)
            .find(|e| matches!(e, Entry::Quiz { passed: true, .. }));
        passed.or_else(|| self.entries.iter().rev().find(of_task))
    }

    /// The last recorded result of a task.
    pub fn last_task(&self, task: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| matches!(e, Entry::Task { task: t, .. } if t == task))
    }

    /// The references among `refs` whose id differs from what the journal
    /// last recorded (what is worth appending).
    pub fn new_refs(&self, refs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        refs.iter()
            .filter(|(r, id)| self.image_id(r).map(|(known, _)| known) != Some(id.as_str()))
            .map(|(r, id)| (r.clone(), id.clone()))
            .collect()
    }

    /// Appends entries, sealed and chained to the file's last sealed line,
    /// in one write. Returns a warning on failure.
    pub fn append(&self, entries: &[Entry]) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if entries.is_empty() {
            return Ok(());
        }
        let lang = self.lang;
        let failed = |why: String| {
            tr!(
                lang,
                "cannot write the journal {}: {}; this run's progress is not remembered",
                "无法写入记录文件 {}：{}；本次的进度不会被记住",
                path.display(),
                why
            )
        };
        let out = file::Appender::open(path, lang).map_err(failed)?;
        let mut buf = String::new();
        // A torn last line must not swallow the first new entry.
        if !out.tail.is_empty() && !out.tail.ends_with(b"\n") {
            buf.push('\n');
        }
        let mut prev = last_mac(&out.tail).unwrap_or_else(|| self.head.clone());
        for e in entries {
            let canonical = serde_json::to_string(e).map_err(|e| failed(e.to_string()))?;
            let seal = self.binding.seal(&prev, &canonical);
            buf.push_str(&sealed_line(&canonical, &seal));
            buf.push('\n');
            prev = seal.mac;
        }
        out.write(buf.as_bytes(), lang).map_err(failed)
    }
}

/// The `mac` of the last line of `tail` that has one: what the next line
/// chains to (read again at each append, so two runs one after the other
/// never chain to the same line).
fn last_mac(tail: &[u8]) -> Option<String> {
    tail.split(|b| *b == b'\n')
        .rev()
        .filter_map(|l| parse_line(&String::from_utf8_lossy(l)).ok())
        .find_map(|l| l.seal.map(|s| s.mac))
}
