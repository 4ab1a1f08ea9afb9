//! Reading one member of a tar archive without reading the rest: headers
//! are 512-byte blocks and member data is skipped with a seek, so finding
//! `manifest.json` in a 450 MB `docker save` archive costs a few reads.

use std::io::{Read, Seek, SeekFrom};

/// What looking for a member found.
#[derive(Debug, PartialEq, Eq)]
pub enum Member {
    Found(Vec<u8>),
    Missing,
    /// The file is not a tar archive (or is cut short, or the member is
    /// over [`MAX_MEMBER`]).
    NotTar,
    /// The path is not a regular file (a folder, a FIFO): not read.
    NotFile(super::FileKind),
}

/// The largest member (or GNU long name) read: a manifest.json is a few
/// hundred bytes, and a header that says more must not make lab allocate it.
pub const MAX_MEMBER: u64 = 16 << 20;

/// `member` of the archive at local `path`; `None` when there is no such
/// file. Only a regular file is read (opened O_NONBLOCK, checked with
/// fstat): a FIFO would make `open` wait for a writer. Blocking.
pub fn find_in(path: &str, member: &str) -> std::io::Result<Option<Member>> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let kind = |m: &std::fs::Metadata| super::FileKind::from_mode(m.mode());
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(Some(Member::NotFile(kind(&meta))));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Some(Member::NotFile(kind(&meta))));
    }
    find(std::io::BufReader::new(file), member).map(Some)
}

fn octal(field: &[u8]) -> Option<u64> {
    let s: String = field
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| *b as char)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

fn name(header: &[u8; 512]) -> String {
    let field = |r: std::ops::Range<usize>| {
        let bytes = &header[r];
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    };
    let (prefix, base) = (field(345..500), field(0..100));
    if &header[257..262] == b"ustar" && !prefix.is_empty() {
        format!("{prefix}/{base}")
    } else {
        base
    }
}

/// Whether the header (or the GNU long name before it) names `member`.
fn entry_is(long_name: &Option<String>, header: &[u8; 512], member: &str) -> bool {
    let entry = long_name.clone().unwrap_or_else(|| name(header));
    entry.trim_start_matches("./") == member
}

/// Finds `member` (a path inside the archive, no leading `./`) in `r`.
pub fn find<R: Read + Seek>(mut r: R, member: &str) -> std::io::Result<Member> {
    let mut header = [0u8; 512];
    let mut long_name: Option<String> = None;
    loop {
        if r.read_exact(&mut header).is_err() {
            return Ok(Member::NotTar);
        }
        if header.iter().all(|b| *b == 0) {
            return Ok(Member::Missing);
        }
        let Some(size) = octal(&header[124..136]) else {
            return Ok(Member::NotTar);
        };
        let stored: u32 = header[148..156].iter().map(|b| u32::from(*b)).sum();
        let computed: u32 = header
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(*b)
                }
            })
            .sum();
        if octal(&header[148..156]) != Some(u64::from(computed)) && stored != 0 {
            return Ok(Member::NotTar);
        }
        let padded = size.div_ceil(512) * 512;
        let wanted = header[156] == b'L'
            || entry_is(&long_name, &header, member) && matches!(header[156], b'0' | 0);
        if wanted && size > MAX_MEMBER {
            return Ok(Member::NotTar);
        }
        let entry = long_name.take().unwrap_or_else(|| name(&header));
        // GNU long names: the next header's name is in this entry's data.
        if header[156] == b'L' {
            let mut data = vec![0u8; size as usize];
            r.read_exact(&mut data)?;
            r.seek(SeekFrom::Current((padded - size) as i64))?;
            long_name = Some(
                String::from_utf8_lossy(&data)
                    .trim_end_matches('\0')
                    .to_string(),
            );
            continue;
        }
        if entry.trim_start_matches("./") == member && matches!(header[156], b'0' | 0) {
            let mut data = vec![0u8; size as usize];
            r.read_exact(&mut data)?;
            return Ok(Member::Found(data));
        }
        r.seek(SeekFrom::Current(padded as i64))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A minimal ustar archive of (name, data) members.
    fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data) in members {
            let mut h = [0u8; 512];
            h[..name.len()].copy_from_slice(name.as_bytes());
            h[100..107].copy_from_slice(b"0000644");
            h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
            h[156] = b'0';
            h[257..262].copy_from_slice(b"ustar");
            h[148..156].copy_from_slice(b"        ");
            let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
            h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
            out.extend_from_slice(&h);
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    #[test]
    fn a_fifo_is_not_opened_and_a_huge_member_not_allocated() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("ubuntu.tar");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let fifo = fifo.display().to_string();
        assert_eq!(
            find_in(&fifo, "manifest.json").unwrap(),
            Some(Member::NotFile(crate::machine::FileKind::Fifo))
        );
        assert_eq!(find_in("/nonexistent.tar", "manifest.json").unwrap(), None);
        // A header claiming a 7 GiB manifest.json.
        let mut t = tar(&[("manifest.json", b"[]")]);
        t[124..135].copy_from_slice(format!("{:011o}", 7u64 << 30).as_bytes());
        t[148..156].copy_from_slice(b"        ");
        let sum: u32 = t[..512].iter().map(|b| u32::from(*b)).sum();
        t[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert_eq!(
            find(Cursor::new(&t), "manifest.json").unwrap(),
            Member::NotTar
        );
    }

    #[test]
    fn finds_a_member_after_others_and_reports_what_is_missing() {
        let t = tar(&[("abc/layer.tar", &[7u8; 700]), ("manifest.json", b"[{}]")]);
        assert_eq!(
            find(Cursor::new(&t), "manifest.json").unwrap(),
            Member::Found(b"[{}]".to_vec())
        );
        assert_eq!(
            find(Cursor::new(&t), "repositories").unwrap(),
            Member::Missing
        );
        assert_eq!(
            find(
                Cursor::new(b"{\"not\": \"a tar\"}".to_vec()),
                "manifest.json"
            )
            .unwrap(),
            Member::NotTar
        );
    }
}
