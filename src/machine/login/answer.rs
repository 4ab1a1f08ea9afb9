//! Reading the login script's answer back: facts, files, command outputs.

use super::{Facts, Prefetched, Ran, Wanted};
use crate::machine::parse_stat;
use crate::machine::ssh::Output;
use std::collections::HashMap;

/// What the login's answer holds: facts, files, command outputs.
type Parsed = (
    Facts,
    HashMap<String, Prefetched>,
    HashMap<Vec<String>, Ran>,
);

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The next line, without its newline.
fn line(rest: &mut &[u8]) -> Option<String> {
    let i = rest.iter().position(|b| *b == b'\n')?;
    let l = String::from_utf8_lossy(&rest[..i]).into_owned();
    *rest = &rest[i + 1..];
    Some(l)
}

/// Bytes up to `\n<end> <status>\n`, and the status.
fn framed(rest: &mut &[u8], end: &str) -> Option<(Vec<u8>, String)> {
    let head = format!("\n{end} ");
    let pos = find(rest, head.as_bytes())?;
    let content = rest[..pos].to_vec();
    *rest = &rest[pos + head.len()..];
    Some((content, line(rest)?))
}

/// `max`: the script's size limit; `received`: our clock when the answer
/// had arrived.
pub(super) fn parse(
    out: &Output,
    end: &str,
    wanted: &[Wanted],
    max: u64,
    received: i64,
) -> Option<Parsed> {
    if out.code != Some(0) {
        return None;
    }
    let mut rest: &[u8] = &out.stdout;
    let home = line(&mut rest)?;
    let state = line(&mut rest)?;
    let systemd = line(&mut rest)? == "systemd";
    if home.is_empty() {
        return None;
    }
    // What the commands printed, in order.
    let mut runs = HashMap::new();
    for w in wanted {
        if let Wanted::Run(argv) = w {
            let (content, status) = framed(&mut rest, end)?;
            let code = status.strip_prefix('x')?.parse().ok();
            runs.insert(argv.clone(), (code, content));
        }
    }
    // One line per file, then the cat block, then the text files.
    let mut listed = Vec::new();
    for w in wanted {
        let path = match w {
            Wanted::Run(_) => continue,
            Wanted::Absolute(p) => p.clone(),
            Wanted::InHome(p) => format!("{home}/{p}"),
            Wanted::InState(p) => format!("{state}/{p}"),
        };
        listed.push((path, line(&mut rest)?));
    }
    if line(&mut rest)? != format!("{end} stat") {
        return None;
    }
    let (block, status) = framed(&mut rest, end)?;
    if status != "cat" {
        return None;
    }
    let mut files = HashMap::new();
    let mut in_block = Vec::new();
    let mut texts = Vec::new();
    for (path, l) in listed {
        let got = match l.as_str() {
            "missing" => Prefetched::Missing,
            // The VM's files changed while it looked: ask again on demand.
            "?" => continue,
            l => {
                let (st, flag) = l.rsplit_once(' ')?;
                let info = parse_stat(st)?;
                match flag {
                    "r" => in_block.push((path.clone(), info.len)),
                    "z" => texts.push(path.clone()),
                    _ => {}
                }
                Prefetched::Present { info, bytes: None }
            }
        };
        files.insert(path, got);
    }
    // The block holds the `r` files back to back, at the sizes stat gave;
    // if its length says a file changed in between, none is trusted.
    let total: u64 = in_block.iter().map(|(_, len)| len).sum();
    if total == block.len() as u64 {
        let mut at = 0usize;
        for (path, len) in in_block {
            let next = at + len as usize;
            if let Some(Prefetched::Present { bytes, .. }) = files.get_mut(&path) {
                *bytes = Some(block[at..next].to_vec());
            }
            at = next;
        }
    }
    for path in texts {
        let (content, status) = framed(&mut rest, end)?;
        if status != "z" {
            return None;
        }
        if let Some(Prefetched::Present { bytes, .. }) = files.get_mut(&path) {
            *bytes = (content.len() as u64 <= max).then_some(content);
        }
    }
    // The VM's clock, read last and compared with ours once the answer is
    // here: the offset errs towards the past, never the future, so events
    // read "up to now" never wait for a moment the daemon has not reached
    // (an offset taken at the login's midpoint ran ~100 ms ahead and made
    // every VM's events call wait that long). busybox date has no %N: no
    // correction then.
    let clock_offset = line(&mut rest)?
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 1_000_000_000_000_000_000)
        .map(|c| c - received)
        .unwrap_or(0);
    if line(&mut rest)? != format!("{end} done") {
        return None;
    }
    Some((
        Facts {
            home,
            state,
            clock_offset,
            systemd,
        },
        files,
        runs,
    ))
}
