//! Reading a file of the machine, bounded: the one way checks read files.
//!
//! Invariants: only a regular file is read (a folder, a FIFO, a device or a
//! socket is named, never opened for reading in a way that waits: a FIFO
//! at daemon.json would otherwise block lab forever, `/dev/zero` would
//! fill its memory); at most a [`Bound`] of it is read, its head (a
//! configuration file: the rest would not change the verdict) or its tail
//! (a shell history or the command log: the newest commands are at the
//! end), and the caller learns that the file was cut. A symbolic link is
//! followed, as dockerd and bash follow it: only what it points to counts
//! (unlike the journal, which lab writes and never reaches through a link).
//!
//! On the local machine the read runs on tokio's blocking pool
//! ([`local`] through `spawn_blocking`), so a slow disk holds up this read
//! only and the check's own timeout still fires; on a VM it is one
//! `stat` + `head -c`/`tail -c` over SSH.

use crate::lang::Lang;
use std::fs::OpenOptions;
use std::io::{Read as _, Seek, SeekFrom};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

/// What a path is: the file-type bits of its mode (`stat`'s `%f`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    File,
    Folder,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Link,
    Other,
}

impl FileKind {
    /// From a raw `st_mode`.
    pub fn from_mode(raw: u32) -> FileKind {
        match raw & 0o170000 {
            0o100000 => FileKind::File,
            0o040000 => FileKind::Folder,
            0o010000 => FileKind::Fifo,
            0o020000 => FileKind::CharDevice,
            0o060000 => FileKind::BlockDevice,
            0o140000 => FileKind::Socket,
            0o120000 => FileKind::Link,
            _ => FileKind::Other,
        }
    }

    /// What it is, in words ("a folder").
    pub fn words(self, lang: Lang) -> &'static str {
        match self {
            FileKind::File => lang.pick("a regular file", "一个普通文件"),
            FileKind::Folder => lang.pick("a folder", "一个目录"),
            FileKind::Fifo => lang.pick("a FIFO (named pipe)", "一个命名管道（FIFO）"),
            FileKind::CharDevice => lang.pick("a character device", "一个字符设备"),
            FileKind::BlockDevice => lang.pick("a block device", "一个块设备"),
            FileKind::Socket => lang.pick("a socket", "一个套接字"),
            FileKind::Link => lang.pick("a symbolic link", "一个符号链接"),
            FileKind::Other => lang.pick("not a regular file", "不是普通文件"),
        }
    }
}

/// Which end of a file is kept when it is longer than the bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

/// How much of a file lab reads, and which end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub end: End,
    pub max: u64,
}

impl Bound {
    /// A configuration file (daemon.json, any JSON file, a `file` check's
    /// content): its first MiB. A real daemon.json is a few hundred bytes;
    /// one over 1 MiB is refused as too large, never parsed in part.
    pub const CONFIG: Bound = Bound::head(1 << 20);
    /// A shell history or the command log: its last 1 MiB (tens of
    /// thousands of commands, the newest ones).
    pub const HISTORY: Bound = Bound::tail(1 << 20);
    /// A kernel table (/proc/net/tcp, size 0 until read): 16 MiB, about
    /// 100,000 sockets.
    pub const TABLE: Bound = Bound::head(16 << 20);

    pub const fn head(max: u64) -> Bound {
        Bound {
            end: End::Head,
            max,
        }
    }

    pub const fn tail(max: u64) -> Bound {
        Bound {
            end: End::Tail,
            max,
        }
    }

    /// `max` in MiB, for messages.
    pub fn mib(self) -> u64 {
        self.max >> 20
    }
}

/// What reading a path gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Missing,
    /// Not a regular file (after following links): not read.
    NotFile(FileKind),
    /// The bytes read; `cut` when the file held more than the bound.
    Bytes {
        bytes: Vec<u8>,
        cut: bool,
    },
}

impl Read {
    /// The bytes read, perhaps cut; `None` for anything not read.
    pub fn bytes(self) -> Option<Vec<u8>> {
        match self {
            Read::Bytes { bytes, .. } => Some(bytes),
            _ => None,
        }
    }

    /// As [`Read::bytes`], as text (a bad byte replaced).
    pub fn text(self) -> Option<String> {
        self.bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

/// `bytes` (a whole file, already in hand) within `bound`.
pub fn within(mut bytes: Vec<u8>, bound: Bound) -> Read {
    let max = usize::try_from(bound.max).unwrap_or(usize::MAX);
    let cut = bytes.len() > max;
    if cut {
        match bound.end {
            End::Head => bytes.truncate(max),
            End::Tail => {
                bytes.drain(..bytes.len() - max);
            }
        }
    }
    Read::Bytes { bytes, cut }
}

/// Reads a local file within `bound`. Blocking: call it off the async
/// worker (`Machine::read` does).
pub fn local(path: &str, bound: Bound) -> std::io::Result<Read> {
    // What the path is, before opening it: opening some devices acts.
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(Read::NotFile(FileKind::from_mode(meta.mode())));
    }
    // O_NONBLOCK: if it was swapped for a FIFO since, open does not wait
    // for a writer; fstat then says what it is.
    let mut f = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Ok(Read::NotFile(FileKind::from_mode(meta.mode())));
    }
    let mut bytes = Vec::new();
    match bound.end {
        End::Head => {
            // One byte more says whether there was more (a file in /proc
            // says size 0 whatever it holds).
            (&mut f).take(bound.max + 1).read_to_end(&mut bytes)?;
            Ok(within(bytes, bound))
        }
        End::Tail => {
            let cut = meta.len() > bound.max;
            if cut {
                f.seek(SeekFrom::Start(meta.len() - bound.max))?;
            }
            f.take(bound.max).read_to_end(&mut bytes)?;
            Ok(Read::Bytes { bytes, cut })
        }
    }
}

/// The start of both remote scripts below: exit 3 when `$1` is missing,
/// exit 5 (said on stderr) when a folder on its way cannot be entered by the
/// grading user, where `test -e` is false for what exists.
macro_rules! missing_or_unseen {
    () => {
        r#"if ! [ -e "$1" ]; then
  d=$1
  while d=${d%/*}; [ -n "$d" ] && ! [ -e "$d" ]; do :; done
  if [ -n "$d" ] && [ -d "$d" ] && ! [ -x "$d" ]; then
    echo "$d cannot be entered by $(id -un 2>/dev/null || id -u), so whether $1 exists cannot be seen: grade as a user who can (the student's own account, or root)" >&2
    exit 5
  fi
  exit 3
fi
"#
    };
}

/// The read on a VM: `sh -c REMOTE sh PATH head|tail COUNT` (see
/// [`remote_args`]). Exit 3: missing. Prints `stat`'s `%f %s` line, then,
/// for a regular file only, at most COUNT bytes of the asked end.
pub const REMOTE: &str = concat!(
    missing_or_unseen!(),
    r#"stat -L -c '%f %s' -- "$1" || exit 4
test -f "$1" || exit 0
if [ "$2" = tail ]; then exec tail -c "$3" -- "$1"; else exec head -c "$3" -- "$1"; fi"#
);

/// `stat` on a VM: `sh -c REMOTE_STAT sh PATH` prints `stat`'s `%f %s`
/// line. Exit 3: missing; exit 5 (said on stderr): behind a folder the
/// grading user cannot enter, where `test -e` is false for what exists,
/// as in [`REMOTE`].
pub const REMOTE_STAT: &str = concat!(missing_or_unseen!(), r#"exec stat -L -c '%f %s' -- "$1""#);

/// [`REMOTE`]'s end and count for `bound`: a head reads one byte more, to
/// tell a file of exactly `max` bytes from a longer one.
pub fn remote_args(bound: Bound) -> (&'static str, String) {
    match bound.end {
        End::Head => ("head", (bound.max + 1).to_string()),
        End::Tail => ("tail", bound.max.to_string()),
    }
}

/// What [`REMOTE`] printed; `None` when it is not what it prints.
pub fn parse_remote(out: Vec<u8>, bound: Bound) -> Option<Read> {
    let split = out.iter().position(|b| *b == b'\n')?;
    let info = super::parse_stat(&String::from_utf8_lossy(&out[..split]))?;
    if info.kind != FileKind::File {
        return Some(Read::NotFile(info.kind));
    }
    let mut bytes = out;
    bytes.drain(..=split);
    Some(match bound.end {
        End::Head => within(bytes, bound),
        End::Tail => Read::Bytes {
            bytes,
            cut: info.len > bound.max,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkfifo(p: &std::path::Path) {
        let made = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap();
        assert!(made.success());
    }

    #[test]
    fn a_fifo_a_folder_or_a_device_is_named_and_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("daemon.json");
        mkfifo(&fifo);
        let fifo = fifo.display().to_string();
        // A plain read would wait for a writer forever.
        for bound in [Bound::CONFIG, Bound::HISTORY] {
            assert_eq!(local(&fifo, bound).unwrap(), Read::NotFile(FileKind::Fifo));
        }
        let d = dir.path().display().to_string();
        assert_eq!(
            local(&d, Bound::CONFIG).unwrap(),
            Read::NotFile(FileKind::Folder)
        );
        // Would never end, and fill the memory.
        assert_eq!(
            local("/dev/zero", Bound::HISTORY).unwrap(),
            Read::NotFile(FileKind::CharDevice)
        );
        // A link to a FIFO is the FIFO.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let link = link.display().to_string();
        assert_eq!(
            local(&link, Bound::CONFIG).unwrap(),
            Read::NotFile(FileKind::Fifo)
        );
        assert_eq!(FileKind::Fifo.words(Lang::En), "a FIFO (named pipe)");
        assert_eq!(FileKind::Folder.words(Lang::ZhCn), "一个目录");
    }

    #[test]
    fn a_link_to_a_regular_file_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        std::fs::write(&target, "{}").unwrap();
        let link = dir.path().join("daemon.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let got = local(&link.display().to_string(), Bound::CONFIG).unwrap();
        assert_eq!(
            got,
            Read::Bytes {
                bytes: b"{}".to_vec(),
                cut: false
            }
        );
        let gone = dir.path().join("gone").display().to_string();
        assert_eq!(local(&gone, Bound::CONFIG).unwrap(), Read::Missing);
    }

    #[test]
    fn a_big_file_is_read_to_its_bound_at_the_asked_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        // Sparse: 420 MB of zeros but for a marker at each end.
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(420 << 20).unwrap();
        std::os::unix::fs::FileExt::write_at(&f, b"FIRST", 0).unwrap();
        std::os::unix::fs::FileExt::write_at(&f, b"LAST", (420 << 20) - 4).unwrap();
        let p = p.display().to_string();
        let Read::Bytes { bytes, cut } = local(&p, Bound::HISTORY).unwrap() else {
            panic!("not read");
        };
        assert!(cut);
        assert_eq!(bytes.len() as u64, Bound::HISTORY.max);
        assert!(bytes.ends_with(b"LAST"));
        let Read::Bytes { bytes, cut } = local(&p, Bound::CONFIG).unwrap() else {
            panic!("not read");
        };
        assert!(cut);
        assert_eq!(bytes.len() as u64, Bound::CONFIG.max);
        assert!(bytes.starts_with(b"FIRST"));
        // Exactly at the bound: whole, not cut.
        f.set_len(Bound::CONFIG.max).unwrap();
        let Read::Bytes { bytes, cut } = local(&p, Bound::CONFIG).unwrap() else {
            panic!("not read");
        };
        assert!(!cut);
        assert_eq!(bytes.len() as u64, Bound::CONFIG.max);
    }

    #[test]
    fn a_proc_file_of_size_zero_is_read() {
        let Read::Bytes { bytes, cut } = local("/proc/self/status", Bound::TABLE).unwrap() else {
            panic!("not read");
        };
        assert!(!cut);
        assert!(String::from_utf8_lossy(&bytes).contains("VmHWM"));
    }

    /// [`REMOTE`] as a VM runs it, here, through `sh`.
    fn remote(path: &std::path::Path, bound: Bound) -> Option<Read> {
        let (end, count) = remote_args(bound);
        let out = std::process::Command::new("sh")
            .args(["-c", REMOTE, "sh"])
            .arg(path)
            .args([end, &count])
            .output()
            .unwrap();
        match out.status.code() {
            Some(3) => Some(Read::Missing),
            Some(0) => parse_remote(out.stdout, bound),
            other => panic!("exit {other:?}"),
        }
    }

    /// A file behind a folder the grading user cannot enter is not
    /// "missing" (it was graded as if daemon.json did not exist): exit 5
    /// with what to do. Run as a user other than root (root enters any
    /// folder), with setpriv.
    #[test]
    fn behind_a_folder_that_cannot_be_entered_a_file_is_not_missing() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::fs::metadata("/proc/self")
            .is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
        if !root || !std::path::Path::new("/usr/bin/setpriv").exists() {
            eprintln!("skipped: needs root and setpriv to read as another user");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".local/state")).unwrap();
        std::fs::write(home.join(".bash_history"), "docker images\n").unwrap();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        let as_other = |path: &std::path::Path| {
            let (end, count) = remote_args(Bound::HISTORY);
            std::process::Command::new("/usr/bin/setpriv")
                .args([
                    "--reuid=4242",
                    "--regid=4242",
                    "--clear-groups",
                    "sh",
                    "-c",
                    REMOTE,
                    "sh",
                ])
                .arg(path)
                .args([end, &count])
                .output()
                .unwrap()
        };
        for p in [
            home.join(".bash_history"),
            home.join(".local/state/lab/commands.jsonl"),
        ] {
            let out = as_other(&p);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(5), "{}: {err}", p.display());
            assert!(
                err.contains(&format!("{} cannot be entered", home.display())),
                "{err}"
            );
        }
        // What truly is not there is still missing.
        assert_eq!(as_other(&dir.path().join("nope")).status.code(), Some(3));
        // `stat` too: `file: { exists: false }` passed on a VM graded by
        // a user who cannot enter the folder.
        let stat_as_other = |path: &std::path::Path| {
            std::process::Command::new("/usr/bin/setpriv")
                .args(["--reuid=4242", "--regid=4242", "--clear-groups"])
                .args(["sh", "-c", REMOTE_STAT, "sh"])
                .arg(path)
                .output()
                .unwrap()
        };
        let out = stat_as_other(&home.join(".bash_history"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{err}");
        assert!(err.contains("cannot be entered"), "{err}");
        assert_eq!(
            stat_as_other(&dir.path().join("nope")).status.code(),
            Some(3)
        );
        let out = stat_as_other(dir.path());
        assert_eq!(out.status.code(), Some(0));
        let line = String::from_utf8_lossy(&out.stdout);
        let info = super::super::parse_stat(&line).expect("stat's line");
        assert_eq!(info.kind, FileKind::Folder);
    }

    #[test]
    fn on_a_vm_the_same_bounds_hold() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        assert_eq!(
            remote(&fifo, Bound::CONFIG),
            Some(Read::NotFile(FileKind::Fifo))
        );
        assert_eq!(
            remote(dir.path(), Bound::CONFIG),
            Some(Read::NotFile(FileKind::Folder))
        );
        let zero = std::path::Path::new("/dev/zero");
        assert_eq!(
            remote(zero, Bound::HISTORY),
            Some(Read::NotFile(FileKind::CharDevice))
        );
        assert_eq!(
            remote(&dir.path().join("gone"), Bound::CONFIG),
            Some(Read::Missing)
        );
        let p = dir.path().join("big");
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(20 << 20).unwrap();
        std::os::unix::fs::FileExt::write_at(&f, b"FIRST", 0).unwrap();
        std::os::unix::fs::FileExt::write_at(&f, b"LAST", (20 << 20) - 4).unwrap();
        let Some(Read::Bytes { bytes, cut }) = remote(&p, Bound::HISTORY) else {
            panic!("not read");
        };
        assert!(cut && bytes.len() as u64 == Bound::HISTORY.max && bytes.ends_with(b"LAST"));
        let Some(Read::Bytes { bytes, cut }) = remote(&p, Bound::CONFIG) else {
            panic!("not read");
        };
        assert!(cut && bytes.len() as u64 == Bound::CONFIG.max && bytes.starts_with(b"FIRST"));
        std::fs::write(&p, "{}\n").unwrap();
        assert_eq!(
            remote(&p, Bound::CONFIG),
            Some(Read::Bytes {
                bytes: b"{}\n".to_vec(),
                cut: false
            })
        );
    }

    #[test]
    fn what_login_read_is_bounded_too() {
        use crate::machine::tests::{block_on, vm};
        let history = "old\n".repeat(10) + "new\n";
        let m = vm(vec![], vec![("/h", history.as_str())]);
        let Read::Bytes { bytes, cut } = block_on(m.read("/h", Bound::tail(4))).unwrap() else {
            panic!("not read");
        };
        assert!(cut);
        assert_eq!(bytes, b"new\n");
    }

    #[test]
    fn bytes_in_hand_are_cut_the_same_way() {
        let b = |v: &[u8]| v.to_vec();
        assert_eq!(
            within(b(b"abcdef"), Bound::head(4)),
            Read::Bytes {
                bytes: b(b"abcd"),
                cut: true
            }
        );
        assert_eq!(
            within(b(b"abcdef"), Bound::tail(4)),
            Read::Bytes {
                bytes: b(b"cdef"),
                cut: true
            }
        );
        assert_eq!(
            within(b(b"ab"), Bound::tail(4)),
            Read::Bytes {
                bytes: b(b"ab"),
                cut: false
            }
        );
    }
}
