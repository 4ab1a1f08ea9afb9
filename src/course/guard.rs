//! What a course file must pass before serde sees it, and where to point
//! for the errors serde reports without a place.
//!
//! libyaml (under serde_yaml_ng) scans every token against every open
//! `[`/`{`: 100,000 nested brackets took 52 s before its own recursion
//! limit could say no. [`nesting`] refuses such a file in one linear pass,
//! at the bracket that goes too deep; [`work`] is a bound that holds
//! whatever the scanner makes of quotes and comments.

/// Deeper `[`/`{` nesting than any course needs (the built-in one nests
/// four deep).
pub const MAX_DEPTH: usize = 64;

/// The most libyaml work on simple keys (tokens times the brackets written
/// before them) a course file may cost: 230 times the built-in
/// task1.yaml's (218,000), a task file of about 250 KB in its style; at
/// most about 2 s in a debug build (40 ns a step), far less in release.
const MAX_WORK: u64 = 50_000_000;

/// Checks the bytes are UTF-8; else the line and column of the first bad
/// byte, and the byte.
pub fn utf8(bytes: &[u8]) -> Result<&str, (usize, usize, u8)> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let good = std::str::from_utf8(good).unwrap_or_default();
        let (line, col) = super::locate::line_col(good, good.len());
        (line, col, bytes[e.valid_up_to()])
    })
}

/// The byte offset of the first `[` or `{` that opens more than
/// [`MAX_DEPTH`] levels, reading quotes, comments and block scalars as
/// YAML does (closely enough to name the place; [`work`] is the bound).
pub fn nesting(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    // Where a node may begin: line start, after `[{,`, `: `, `- `, `? `.
    let mut node_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let prev_blank = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r');
        let next_blank = b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        match c {
            b'\n' => node_start = true,
            b' ' | b'\t' | b'\r' => {}
            b'#' if prev_blank => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |n| i + n);
                continue;
            }
            b'\'' | b'"' if node_start => {
                i = end_of_quoted(b, i);
                node_start = false;
                continue;
            }
            b'|' | b'>' if node_start && depth == 0 => {
                i = end_of_block_scalar(b, i);
                continue;
            }
            b'[' | b'{' if node_start || depth > 0 => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
                node_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                node_start = false;
            }
            b',' if depth > 0 => node_start = true,
            b':' | b'-' | b'?' if next_blank || (depth > 0 && c == b':') => node_start = true,
            b'&' | b'!' if node_start => {
                // An anchor or a tag: its name, then still a node's start.
                while i < b.len() && !b[i].is_ascii_whitespace() && !b"[]{},".contains(&b[i]) {
                    i += 1;
                }
                continue;
            }
            _ => node_start = false,
        }
        i += 1;
    }
    None
}

/// Past the closing quote of the quoted scalar opening at `start`.
fn end_of_quoted(b: &[u8], start: usize) -> usize {
    let q = b[start];
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 1,
            b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
            x if x == q => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Past the block scalar (`|` or `>`) at `start`: the lines after it that
/// are blank or more indented than its own line.
fn end_of_block_scalar(b: &[u8], start: usize) -> usize {
    let line_start = b[..start]
        .iter()
        .rposition(|&x| x == b'\n')
        .map_or(0, |n| n + 1);
    let indent = b[line_start..].iter().take_while(|&&x| x == b' ').count();
    let mut i = b[start..]
        .iter()
        .position(|&x| x == b'\n')
        .map_or(b.len(), |n| start + n + 1);
    while i < b.len() {
        let spaces = b[i..].iter().take_while(|&&x| x == b' ').count();
        let rest = b.get(i + spaces);
        if spaces <= indent && !matches!(rest, Some(b'\n' | b'\r') | None) {
            return i;
        }
        i = b[i..]
            .iter()
            .position(|&x| x == b'\n')
            .map_or(b.len(), |n| i + n + 1);
    }
    b.len()
}

/// Where libyaml could have spent more than [`MAX_WORK`] on the file:
/// each token it reads costs one step per bracket still open, and no more
/// brackets can be open than were written before it. Holds for any bytes.
pub fn work_exceeded(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let indicator = |x: u8| b"[]{},:?-&*!|>'\"#%@`".contains(&x);
    let mut opens: u64 = 0;
    let mut work: u64 = 0;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        // A token starts at most where a non-blank follows a blank or an
        // indicator, or is itself one.
        if i == 0 || b[i - 1].is_ascii_whitespace() || indicator(b[i - 1]) || indicator(c) {
            work += opens + 1;
            if work > MAX_WORK {
                return Some(i);
            }
        }
        if c == b'[' || c == b'{' {
            opens += 1;
        }
    }
    None
}

/// Where to point, and what to say, for an error serde gives no place:
/// a second document (its start), an alias bomb (the first anchor).
pub fn unplaced(text: &str, serde_message: &str) -> Option<(usize, crate::lang::Text)> {
    if serde_message.contains("more than one document") {
        let at = second_document(text).unwrap_or(0);
        Some((at, crate::text!(
            "a second YAML document starts here: a course file holds one; remove this `---` and what follows, or move it to a file of its own",
            "第二个 YAML 文档从这里开始：一个课程文件只能有一个文档；请删掉这个 `---` 及其后的内容，或者把它们移到单独的文件里"
        )))
    } else if serde_message.contains("repetition limit exceeded") {
        let at = first_anchor(text).unwrap_or(0);
        Some((at, crate::text!(
            "aliases (`*name`) repeat this anchor's value too many times for lab to read (an alias bomb?): write the values out, or use fewer aliases",
            "别名（`*name`）把这个锚点的值重复了太多次，lab 读不了（别名炸弹？）：请把值直接写出来，或者少用别名"
        )))
    } else {
        None
    }
}

/// Where the second YAML document of a file begins (the `---` or the text
/// after a `...`), for serde's "more than one document".
pub fn second_document(text: &str) -> Option<usize> {
    let mut in_doc = false;
    let mut ended = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += line.len();
        let marker =
            |m: &str| l == m || l.starts_with(&format!("{m} ")) || l.starts_with(&format!("{m}\t"));
        if marker("---") {
            if in_doc {
                return Some(start);
            }
            in_doc = true;
            ended = false;
        } else if marker("...") {
            ended = true;
        } else if !l.trim().is_empty() && !l.trim_start().starts_with('#') && !l.starts_with('%') {
            if ended {
                return Some(start);
            }
            in_doc = true;
        }
    }
    None
}

/// The first anchor (`&name`) of a file: where an alias bomb starts.
pub fn first_anchor(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    (0..b.len()).find(|&i| {
        b[i] == b'&'
            && (i == 0 || b" \t\n[{,".contains(&b[i - 1]))
            && b.get(i + 1)
                .is_some_and(|n| !n.is_ascii_whitespace() && !b"[]{},".contains(n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_refused_at_the_bracket_too_deep() {
        let deep = format!("x: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(nesting(&deep), Some(3 + MAX_DEPTH));
        let ok = format!("x: {}{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(nesting(&ok), None);
    }

    #[test]
    fn brackets_in_quotes_comments_and_block_scalars_do_not_count() {
        let many = "[".repeat(100);
        for text in [
            format!("a: '{many}'\n"),
            format!("a: \"{many}\"\n"),
            format!("a: b # {many}\n"),
            format!("a: |\n  {many}\n\n  x\nb: 1\n"),
            format!("a: don't {many}\n"),
            format!("a: [\"{many}\", '{many}']\n"),
        ] {
            assert_eq!(nesting(&text), None, "{text}");
        }
        // After the block scalar, brackets count again.
        let after = format!("a: |\n  x\nb: {many}\n");
        assert!(nesting(&after).is_some());
    }

    #[test]
    fn the_work_bound_holds_whatever_the_quotes() {
        let n = 100_000;
        // libyaml reads line 2 as more of `b`; the scanner reads a quote
        // that runs to the end and misses the nesting. The bound does not.
        let text = format!("a: b\n  [ \"\nz: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(nesting(&text), None);
        assert!(work_exceeded(&text).is_some());
        for f in ["course.yaml", "task1.yaml", "task3.yaml"] {
            let t = std::fs::read_to_string(format!("{}/labs/{f}", env!("CARGO_MANIFEST_DIR")))
                .expect("built-in file");
            assert_eq!(work_exceeded(&t), None, "{f}");
            assert_eq!(work_exceeded(&t.repeat(5)), None, "{f} x5");
        }
    }

    #[test]
    fn utf8_errors_name_the_line_and_column_of_the_bad_byte() {
        assert_eq!(utf8(b"a: 1\nb: \xe4\xb8\xad\xff\n"), Err((2, 5, 0xff)));
        assert_eq!(utf8(b"ok"), Ok("ok"));
    }

    #[test]
    fn the_second_document_is_found() {
        assert_eq!(second_document("a: 1\n---\nb: 2\n"), Some(5));
        assert_eq!(second_document("# c\n---\na: 1\n---\nb\n"), Some(13));
        assert_eq!(second_document("---\na: 1\n...\nb: 2\n"), Some(13));
        assert_eq!(second_document("---\na: 1\n"), None);
    }

    #[test]
    fn the_first_anchor_is_found() {
        assert_eq!(first_anchor("a: b&c\nx: &a [1]\n"), Some(10));
        assert_eq!(first_anchor("a: 1\n"), None);
    }
}
