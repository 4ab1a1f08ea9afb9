//! Reading a journal's bytes: each line parsed, its seal checked against
//! the `mac` stored on the line before it, and what is ignored counted
//! (`health.rs` puts it in words, once per journal).

use super::file::READ_LIMIT;
use super::health::{Health, Tally};
use super::journal::Entry;
use super::seal::{Binding, Seal, Verdict};
use crate::lang::Lang;
use crate::tr;
use serde::Deserialize;

/// What a journal's bytes gave.
pub(super) struct Read {
    pub entries: Vec<Entry>,
    /// The `mac` of the last line that has one: what appends chain to.
    pub head: String,
    pub warnings: Vec<String>,
    pub health: Health,
}

/// A line as read: its entry (if it is one) and its seal (if it has one).
pub(super) struct Line {
    pub entry: Result<Entry, String>,
    pub seal: Option<Seal>,
}

pub(super) fn parse_line(text: &str) -> Result<Line, String> {
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

/// Per-line warnings about damaged lines: the first few are said.
const SAID: usize = 3;

struct Reader<'a> {
    label: &'a str,
    binding: &'a Binding,
    lang: Lang,
    tally: Tally,
    prev: String,
    entries: Vec<Entry>,
    warnings: Vec<String>,
    damaged: Vec<String>,
}

/// Reads `bytes`; `cut_from` is the file's size when they are only its end
/// (the first line, likely partial, is dropped; the next one only starts
/// the chain, as the tag it chains to was cut off).
pub(super) fn read(
    label: &str,
    bytes: &[u8],
    cut_from: Option<u64>,
    binding: &Binding,
    lang: Lang,
) -> Read {
    let mut r = Reader {
        label,
        binding,
        lang,
        tally: Tally::default(),
        prev: String::new(),
        entries: Vec::new(),
        warnings: Vec::new(),
        damaged: Vec::new(),
    };
    if !binding.has_machine_id() {
        r.warnings.push(tr!(
            lang,
            "{}: neither /etc/machine-id nor /var/lib/dbus/machine-id exists, so the journal is bound to the Docker daemon only (and to nothing while the daemon does not answer)",
            "{}：/etc/machine-id 与 /var/lib/dbus/machine-id 都不存在，因此操作记录只与 Docker 守护进程绑定（守护进程无响应时不与任何东西绑定）",
            label
        ));
    }
    let mut bytes = bytes;
    let mut anchor = false;
    if let Some(size) = cut_from {
        r.warnings.push(tr!(
            lang,
            "{}: the journal is {:.1} MiB; lab read only its last {} MiB (line numbers count from there)",
            "{}：操作记录文件有 {:.1} MiB；lab 只读取了最后 {} MiB（行号从那里算起）",
            label,
            size as f64 / (1 << 20) as f64,
            READ_LIMIT >> 20
        ));
        let start = bytes
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes = &bytes[start..];
        anchor = true;
    }
    let torn_tail = !bytes.is_empty() && !bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if std::mem::take(&mut anchor) {
            if let Ok(Line { seal: Some(s), .. }) = parse_line(&String::from_utf8_lossy(raw)) {
                r.prev = s.mac;
            }
            continue;
        }
        r.line(i + 1, raw, torn_tail && i + 1 == lines.len());
    }
    r.finish()
}

impl Reader<'_> {
    fn line(&mut self, n: usize, raw: &[u8], torn: bool) {
        let lang = self.lang;
        self.tally.lines += 1;
        let (text, utf8) = match std::str::from_utf8(raw) {
            Ok(t) => (std::borrow::Cow::Borrowed(t), true),
            Err(_) => (String::from_utf8_lossy(raw), false),
        };
        let line = match parse_line(&text) {
            Ok(l) if utf8 => l,
            other => {
                // Keep the chain going past a damaged line whose tag can
                // still be read.
                if let Ok(Line { seal: Some(s), .. }) = &other {
                    self.prev = s.mac.clone();
                }
                if torn {
                    self.tally.lines -= 1;
                    self.warnings.push(tr!(
                        lang,
                        "{}:{}: skipped a torn last line (lab was interrupted while writing it)",
                        "{}:{}：跳过了不完整的最后一行（lab 写入时被中断）",
                        self.label,
                        n
                    ));
                } else {
                    let why = match other {
                        Err(e) if utf8 => json_why(lang, &e),
                        _ => not_utf8(lang),
                    };
                    self.damaged(n, why);
                }
                return;
            }
        };
        let Some(seal) = line.seal else {
            self.tally.unsealed.add(n);
            return;
        };
        let entry = match line.entry {
            Ok(e) => e,
            Err(e) => {
                self.prev = seal.mac;
                self.damaged(
                    n,
                    tr!(
                        lang,
                        "lab does not understand it: {}",
                        "lab 无法理解：{}",
                        json_why(lang, &e.to_string())
                    ),
                );
                return;
            }
        };
        let canonical = serde_json::to_string(&entry).unwrap_or_default();
        match self.binding.verify(&self.prev, &canonical, &seal) {
            Verdict::Valid => self.entries.push(entry),
            Verdict::OtherMachine => self.tally.other_machine.add(n),
            Verdict::OtherDaemon => self.tally.other_daemon.add(n),
            Verdict::NoDaemon => self.tally.no_daemon.add(n),
            // Bytes that were not UTF-8 before a lossy copy (a VM's journal
            // is fetched as text): damage, not an edit.
            Verdict::Edited if text.contains('\u{FFFD}') => self.damaged(n, not_utf8(lang)),
            Verdict::Edited => self.tally.edited.add(n),
        }
        self.prev = seal.mac;
    }

    fn damaged(&mut self, n: usize, why: String) {
        self.tally.damaged.add(n);
        self.damaged.push(tr!(
            self.lang,
            "{}:{}: skipped an unreadable line ({}); the other lines still count",
            "{}:{}：跳过了无法读取的一行（{}）；其余各行仍然有效",
            self.label,
            n,
            why
        ));
    }

    fn finish(mut self) -> Read {
        if self.damaged.len() > SAID {
            let more = self.damaged.len() - SAID;
            self.damaged.truncate(SAID);
            self.damaged.push(tr!(
                self.lang,
                "{}: {} more unreadable lines skipped",
                "{}：另有 {} 行无法读取，已跳过",
                self.label,
                more
            ));
        }
        self.warnings.append(&mut self.damaged);
        self.warnings
            .extend(self.tally.warnings(self.label, self.lang));
        Read {
            entries: self.entries,
            head: self.prev,
            warnings: self.warnings,
            health: self.tally.health(),
        }
    }
}

fn not_utf8(lang: Lang) -> String {
    lang.pick("it is not UTF-8 text", "它不是 UTF-8 文本")
        .to_string()
}

/// serde_json's reason a line is not an entry, in the learner's language:
/// its own words in English; in Chinese what kind of mistake, and where.
fn json_why(lang: Lang, e: &str) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    let (what, at) = match e.rsplit_once(" at line ") {
        Some((what, at)) => (what, at.split_once(" column ")),
        None => (e, None),
    };
    let field = |prefix: &str| {
        what.strip_prefix(prefix)
            .map(|rest| rest.split('`').nth(1).unwrap_or_default().to_string())
    };
    let what = if let Some(f) = field("missing field") {
        format!("缺少字段 `{f}`")
    } else if let Some(f) = field("unknown field") {
        format!("多了未知字段 `{f}`")
    } else if what.starts_with("EOF") {
        "内容不完整".to_string()
    } else if what.starts_with("invalid type") || what.starts_with("invalid value") {
        "某个值的类型不对".to_string()
    } else {
        "不是 lab 写入的 JSON".to_string()
    };
    match at {
        Some((line, col)) => format!("{what}，第 {line} 行第 {col} 列"),
        None => what,
    }
}
