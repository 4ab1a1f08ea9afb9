//! The journal's file: read bounded, appended without following a link.
//!
//! Invariants: only a regular file is read or written (a FIFO, a device or
//! a folder is named and left alone, so `--journal /dev/full` or a FIFO
//! neither hangs nor eats memory); at most [`READ_LIMIT`] bytes are read
//! (the end of the file, where the newest progress is); the final path
//! component is never followed when it is a symbolic link (O_NOFOLLOW); a
//! write error (a full disk) is reported in words.

use crate::lang::Lang;
use crate::tr;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// The most of a journal lab reads: its last 4 MiB (thousands of
/// runs; a journal grows by well under 1 KiB a run).
pub const READ_LIMIT: u64 = 4 << 20;

/// How much of the end of the file an append reads to find the tag to
/// chain to.
const TAIL: u64 = 64 << 10;

/// What reading the journal's file gave.
pub enum Loaded {
    Missing,
    /// The bytes read; `cut_from` is the file's size when only its last
    /// [`READ_LIMIT`] bytes were read.
    Bytes {
        bytes: Vec<u8>,
        cut_from: Option<u64>,
    },
    /// Not read: why, for the learner.
    Refused(String),
}

fn open(path: &Path, write: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    if write {
        o.append(true).create(true);
    }
    o.open(path)
}

/// What a non-regular file is, in words (the same words as every read of
/// the machine's files: `machine::FileKind`).
fn kind(meta: &std::fs::Metadata, lang: Lang) -> &'static str {
    crate::machine::FileKind::from_mode(meta.mode()).words(lang)
}

/// An I/O error in words: a full disk, a link, a permission.
pub fn describe(e: &std::io::Error, lang: Lang) -> String {
    match e.raw_os_error() {
        Some(libc::ENOSPC) => tr!(lang, "the disk is full ({})", "磁盘已满（{}）", e),
        Some(libc::EDQUOT) => tr!(
            lang,
            "the disk quota is used up ({})",
            "磁盘配额已用完（{}）",
            e
        ),
        Some(libc::ELOOP) => lang
            .pick(
                "it is a symbolic link, which lab does not follow",
                "它是一个符号链接，lab 不会跟随符号链接",
            )
            .to_string(),
        Some(libc::ENXIO) => lang
            .pick(
                "it is a FIFO with no reader",
                "它是一个没有读取方的命名管道",
            )
            .to_string(),
        _ => e.to_string(),
    }
}

/// Reads the journal at `path`, bounded.
pub fn load(path: &Path, lang: Lang) -> Loaded {
    let refused = |why: String| {
        Loaded::Refused(tr!(
            lang,
            "the journal {} is neither read nor written: {}; earlier progress is ignored and this run's is not remembered",
            "操作记录文件 {} 既不读取也不写入：{}；之前的进度不计，本次的进度也不会被记住",
            path.display(),
            why
        ))
    };
    let mut f = match open(path, false) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return refused(describe(&e, lang)),
    };
    let meta = match f.metadata() {
        Ok(m) => m,
        Err(e) => return refused(e.to_string()),
    };
    if !meta.file_type().is_file() {
        return refused(tr!(
            lang,
            "it is {}, not a regular file",
            "它是{}，不是普通文件",
            kind(&meta, lang)
        ));
    }
    let cut_from = (meta.len() > READ_LIMIT).then_some(meta.len());
    if cut_from.is_some() {
        if let Err(e) = f.seek(SeekFrom::End(-(READ_LIMIT as i64))) {
            return refused(e.to_string());
        }
    }
    let mut bytes = Vec::new();
    match f.take(READ_LIMIT).read_to_end(&mut bytes) {
        Ok(_) => Loaded::Bytes { bytes, cut_from },
        Err(e) => refused(describe(&e, lang)),
    }
}

/// An open journal, ready to append to.
pub struct Appender {
    file: File,
    /// The end of the file (up to [`TAIL`] bytes).
    pub tail: Vec<u8>,
}

impl Appender {
    /// Opens (creating it and its folder) the journal at `path` for
    /// appending: a regular file, not through a symbolic link.
    pub fn open(path: &Path, lang: Lang) -> Result<Appender, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| describe(&e, lang))?;
        }
        let mut file = open(path, true).map_err(|e| describe(&e, lang))?;
        let meta = file.metadata().map_err(|e| describe(&e, lang))?;
        if !meta.file_type().is_file() {
            return Err(tr!(
                lang,
                "it is {}, not a regular file",
                "它是{}，不是普通文件",
                kind(&meta, lang)
            ));
        }
        // Two runs at once must not chain to the same line: the lock holds
        // from reading the tail to the write (released when `file` closes).
        file.lock().map_err(|e| describe(&e, lang))?;
        let meta = file.metadata().map_err(|e| describe(&e, lang))?;
        let start = meta.len().saturating_sub(TAIL);
        let mut tail = Vec::new();
        file.seek(SeekFrom::Start(start))
            .and_then(|_| (&mut file).take(TAIL).read_to_end(&mut tail))
            .map_err(|e| describe(&e, lang))?;
        Ok(Appender { file, tail })
    }

    /// Writes `buf` in one write and waits for the disk, so that a full
    /// disk is reported rather than found later.
    pub fn write(mut self, buf: &[u8], lang: Lang) -> Result<(), String> {
        write_all(&mut self.file, buf, lang)
    }
}

fn write_all(f: &mut File, buf: &[u8], lang: Lang) -> Result<(), String> {
    f.write_all(buf)
        .and_then(|_| f.sync_data())
        .map_err(|e| describe(&e, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_or_a_device_is_named_and_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Would block forever if opened as a plain reader.
        match load(&fifo, Lang::En) {
            Loaded::Refused(w) => assert!(w.contains("FIFO"), "{w}"),
            _ => panic!("a FIFO was read"),
        }
        match load(Path::new("/dev/full"), Lang::En) {
            Loaded::Refused(w) => assert!(w.contains("character device"), "{w}"),
            _ => panic!("/dev/full was read"),
        }
        let e = Appender::open(&fifo, Lang::En)
            .err()
            .expect("no appending to a FIFO");
        assert!(e.contains("FIFO"), "{e}");
        match load(dir.path(), Lang::ZhCn) {
            Loaded::Refused(w) => assert!(w.contains("目录"), "{w}"),
            _ => panic!("a folder was read"),
        }
    }

    #[test]
    fn only_the_last_eight_mib_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.jsonl");
        let f = File::create(&p).unwrap();
        f.set_len(READ_LIMIT + 100).unwrap();
        match load(&p, Lang::En) {
            Loaded::Bytes { bytes, cut_from } => {
                assert_eq!(bytes.len() as u64, READ_LIMIT);
                assert_eq!(cut_from, Some(READ_LIMIT + 100));
            }
            _ => panic!("not read"),
        }
    }

    #[test]
    fn an_append_does_not_follow_a_symbolic_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "x\n").unwrap();
        let link = dir.path().join("journal.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = Appender::open(&link, Lang::En).err().expect("refused");
        assert!(e.contains("symbolic link"), "{e}");
        assert!(matches!(load(&link, Lang::En), Loaded::Refused(_)));
        assert_eq!(std::fs::read(&target).unwrap(), b"x\n", "target untouched");
    }

    #[test]
    fn a_full_disk_is_reported_as_such() {
        // /dev/full answers every write with ENOSPC, as a full disk does.
        let mut f = OpenOptions::new().write(true).open("/dev/full").unwrap();
        let e = write_all(&mut f, b"{}\n", Lang::En).unwrap_err();
        assert!(e.contains("disk is full"), "{e}");
        let e = write_all(&mut f, b"{}\n", Lang::ZhCn).unwrap_err();
        assert!(e.contains("磁盘已满"), "{e}");
    }
}
