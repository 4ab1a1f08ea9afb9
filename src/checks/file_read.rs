//! The learner's files as checks read them (`Machine::read`, bounded), and
//! the failed outcomes that say why one was not read: missing, not a
//! regular file (a folder where daemon.json should be, a FIFO), too large.
//! These are the learner's to fix, so they fail the check with what to do;
//! they are never an `error` ("run lab with sudo").

use super::Ctx;
use crate::lang::Lang;
use crate::machine::{Bound, FileKind, ObserveError, Read};
use crate::report::Outcome;
use crate::tr;

/// A configuration file's bytes (at most [`Bound::CONFIG`]), or the failed
/// outcome: missing, not a regular file, or larger than the bound (never a
/// silently truncated parse).
pub async fn config(ctx: &Ctx<'_>, path: &str) -> Result<Result<Vec<u8>, Outcome>, ObserveError> {
    let lang = ctx.lang;
    Ok(match ctx.machine.read(path, Bound::CONFIG).await? {
        Read::Missing => Err(no_file(lang, path)),
        Read::NotFile(kind) => Err(not_a_file(lang, path, kind)),
        Read::Bytes { cut: true, .. } => Err(too_large(lang, path, Bound::CONFIG)),
        Read::Bytes { bytes, .. } => Ok(bytes),
    })
}

/// The failed outcome for a JSON file that is not there.
pub fn no_file(lang: Lang, path: &str) -> Outcome {
    Outcome::fail(tr!(lang, "{} does not exist", "{} 不存在", path))
        .expected(tr!(lang, "a JSON file at {}", "{} 是一个 JSON 文件", path))
        .actual(tr!(lang, "no such file", "文件不存在"))
}

/// `sudo ` for a path the learner's user cannot change.
fn sudo(path: &str) -> &'static str {
    if path.starts_with("/etc/") {
        "sudo "
    } else {
        ""
    }
}

/// What to do about `path` being a `kind`, not a file: one sentence.
pub fn not_a_file_message(lang: Lang, path: &str, kind: FileKind) -> String {
    let s = sudo(path);
    if kind == FileKind::Folder {
        return tr!(lang,
            "{} is a folder, not a file: remove it (`{}rmdir {}`, or `{}rm -r {}` if it holds files) and create the file {} in its place",
            "{} 是一个目录，不是文件：请删除它（`{}rmdir {}`；如果里面有文件，用 `{}rm -r {}`），再在原处创建文件 {}",
            path, s, path, s, path, path);
    }
    tr!(lang,
        "{} is {}, not a regular file, so lab does not read it (it could wait forever or never end): remove it (`{}rm {}`) and create the file {} in its place",
        "{} 是{}，不是普通文件，lab 不会读取它（读取它可能永远等待或永远读不完）：请删除它（`{}rm {}`），再在原处创建文件 {}",
        path, kind.words(lang), s, path, path)
}

/// The failed outcome for a path that is not a regular file.
pub fn not_a_file(lang: Lang, path: &str, kind: FileKind) -> Outcome {
    Outcome::fail(not_a_file_message(lang, path, kind))
        .expected(tr!(lang, "a regular file at {}", "{} 是一个普通文件", path))
        .actual(kind.words(lang).to_string())
}

/// The failed outcome for a configuration file over `bound`.
pub fn too_large(lang: Lang, path: &str, bound: Bound) -> Outcome {
    Outcome::fail(tr!(lang,
        "{} is larger than {} MiB, which no configuration file is (a daemon.json is a few hundred bytes); lab does not read it: look at what it holds (`ls -l {}`, `head -c 300 {}`) and write it again",
        "{} 超过 {} MiB，这不是配置文件该有的大小（daemon.json 通常只有几百字节）；lab 不会读取它：请查看它的内容（`ls -l {}`、`head -c 300 {}`），然后重新编写",
        path, bound.mib(), path, path))
    .expected(tr!(lang, "at most {} MiB", "不超过 {} MiB", bound.mib()))
    .actual(tr!(lang, "over {} MiB", "超过 {} MiB", bound.mib()))
}

/// The warning for a file of which only one end was read.
pub fn cut_warning(lang: Lang, path: &str, bound: Bound) -> String {
    match bound.end {
        crate::machine::End::Head => tr!(
            lang,
            "{}: read only its first {} MiB",
            "{}：只读取了开头的 {} MiB",
            path,
            bound.mib()
        ),
        crate::machine::End::Tail => tr!(
            lang,
            "{}: read only its last {} MiB (the newest commands)",
            "{}：只读取了最后 {} MiB（最新的命令）",
            path,
            bound.mib()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_at_daemon_json_says_what_to_do_in_both_languages() {
        let p = "/etc/docker/daemon.json";
        let en = not_a_file(Lang::En, p, FileKind::Folder);
        assert_eq!(en.status, crate::report::Status::Fail);
        assert!(en.message.contains("is a folder"), "{}", en.message);
        assert!(en.message.contains("sudo rmdir /etc/docker/daemon.json"));
        let zh = not_a_file(Lang::ZhCn, p, FileKind::Folder);
        assert!(zh.message.contains("是一个目录"), "{}", zh.message);
        let fifo = not_a_file_message(Lang::En, "/home/u/.bash_history", FileKind::Fifo);
        assert!(fifo.contains("a FIFO (named pipe)"), "{fifo}");
        assert!(
            fifo.contains("`rm /home/u/.bash_history`"),
            "no sudo in a home: {fifo}"
        );
        let big = too_large(Lang::ZhCn, p, Bound::CONFIG);
        assert!(big.message.contains("超过 1 MiB"), "{}", big.message);
    }
}
