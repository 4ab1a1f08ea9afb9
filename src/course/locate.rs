//! Where things stand in a course file: the line and column of a byte
//! offset, and of the `n`th `id: <id>` (for problems serde cannot locate).

/// Line and column (1-based) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

static ID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?m)(?:^|[\s{,])(id:)[ \t]*["']?([^"'\s,}#]+)["']?[ \t]*(?:$|[,}#])"#)
        .expect("valid regex")
});

/// A file's lines and `id: <id>` places, found once: a file with many
/// problems is not searched again for each.
pub(super) struct Index {
    /// Byte offset where each line starts.
    lines: Vec<usize>,
    /// Each id, and the offsets of its `id:`, in file order.
    ids: std::collections::HashMap<String, Vec<usize>>,
}

impl Index {
    pub(super) fn new(text: &str) -> Index {
        let lines = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut ids: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for c in ID.captures_iter(text) {
            let (Some(at), Some(id)) = (c.get(1), c.get(2)) else {
                continue;
            };
            ids.entry(id.as_str().to_string())
                .or_default()
                .push(at.start());
        }
        Index { lines, ids }
    }

    /// Line and column (1-based, columns in characters) of a byte offset.
    pub(super) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.lines.partition_point(|&s| s <= offset);
        let start = self.lines[line - 1];
        (line, text[start..offset].chars().count() + 1)
    }

    /// Where the `n`th (0-based) `id: <id>` of a file stands (else the
    /// first), for problems that serde cannot locate (duplicates, missing
    /// hints). An id the pattern does not find (`id: "a b"`, escapes) is
    /// looked for as written, else the file's first `id:` stands for it.
    pub(super) fn id(&self, text: &str, id: &str, n: usize) -> (Option<usize>, Option<usize>) {
        let offset = match self.ids.get(id) {
            Some(offsets) => offsets.get(n).or(offsets.first()).copied(),
            None if !id.is_empty() => text
                .match_indices(id)
                .nth(n)
                .or_else(|| text.match_indices(id).next())
                .map(|(o, _)| o),
            None => None,
        };
        match offset.or_else(|| text.find("id:")) {
            Some(o) => {
                let (l, c) = self.line_col(text, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        }
    }
}

#[cfg(test)]
fn locate_id(text: &str, id: &str, n: usize) -> (Option<usize>, Option<usize>) {
    Index::new(text).id(text, id, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let t = "a: 1\nb: “x”\n";
        assert_eq!(line_col(t, 0), (1, 1));
        let off = t.find('x').unwrap();
        assert_eq!(line_col(t, off), (2, 5));
    }

    #[test]
    fn locate_id_finds_the_nth() {
        let t = "steps:\n  - id: pull\n  - id: tag\n  - id: pull\n";
        assert_eq!(locate_id(t, "pull", 1), (Some(4), Some(5)));
        assert_eq!(locate_id(t, "tag", 0), (Some(3), Some(5)));
        let t = "steps:\n  - id: \"a b\"\n";
        assert_eq!(locate_id(t, "a b", 0), (Some(2), Some(10)));
    }
}
