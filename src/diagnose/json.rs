//! JSON diagnostics, tuned for /etc/docker/daemon.json, where learners fail
//! most: full-width punctuation pasted from a Chinese web page, a comma too
//! many or too few, an unclosed brace, a byte-order mark.

use crate::lang::Lang;
use crate::tr;
use serde_json::Value;

/// Full-width (or typographic) characters and the ASCII a JSON file needs.
const LOOKALIKES: &[(char, &str, &str, &str)] = &[
    ('“', "\"", "a curly opening quote", "中文左引号"),
    ('”', "\"", "a curly closing quote", "中文右引号"),
    ('‘', "\"", "a curly single quote", "中文单引号"),
    ('’', "\"", "a curly single quote", "中文单引号"),
    ('，', ",", "a full-width comma", "全角逗号"),
    ('：', ":", "a full-width colon", "全角冒号"),
    ('｛', "{", "a full-width brace", "全角大括号"),
    ('｝', "}", "a full-width brace", "全角大括号"),
    ('［', "[", "a full-width bracket", "全角方括号"),
    ('］', "]", "a full-width bracket", "全角方括号"),
    ('【', "[", "a Chinese bracket", "中文方括号"),
    ('】', "]", "a Chinese bracket", "中文方括号"),
    ('、', ",", "an enumeration comma", "顿号"),
    ('\u{3000}', " ", "a full-width space", "全角空格"),
    ('\u{00a0}', " ", "a non-breaking space", "不间断空格"),
];

/// The ASCII a look-alike character stands for, and its names (en, zh-CN).
pub fn lookalike(ch: char) -> Option<(char, &'static str, &'static str, &'static str)> {
    LOOKALIKES.iter().copied().find(|(c, ..)| *c == ch)
}

/// A parsed document and what is worth knowing about it.
#[derive(Debug)]
pub struct Parsed {
    pub value: Value,
    pub warnings: Vec<String>,
}

/// Parses `text` (the file at `path`), or explains every problem found,
/// each starting with `path:line:col:`.
pub fn parse(path: &str, text: &str, lang: Lang) -> Result<Parsed, Vec<String>> {
    let mut warnings = Vec::new();
    let body = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            warnings.push(tr!(lang,
                "{}:1:1: the file starts with an invisible byte-order mark (BOM); save it as UTF-8 without BOM (nano and vim do), since some tools reject it",
                "{}:1:1: 文件开头有一个看不见的字节顺序标记（BOM）；请以“UTF-8 无 BOM”保存（nano 和 vim 默认如此），有些工具会拒绝它", path));
            rest
        }
        None => text,
    };
    let lookalikes = find_lookalikes(path, body, lang);
    if body.trim().is_empty() {
        return Err(vec![tr!(
            lang,
            "{}: the file is empty, and an empty file is not JSON. Write at least `{{}}`",
            "{}: 文件是空的，空文件不是合法的 JSON。至少写上 `{{}}`",
            path
        )]);
    }
    match serde_json::from_str::<Value>(body) {
        Ok(value) => {
            // Inside strings they parse, but a URL with them is still wrong.
            warnings.extend(lookalikes);
            Ok(Parsed { value, warnings })
        }
        Err(_) if !lookalikes.is_empty() => Err(lookalikes),
        Err(e) => Err(vec![explain(path, body, &e, lang)]),
    }
}

/// Each look-alike character: the first [`super::SHOWN`] explained, the
/// rest counted.
fn find_lookalikes(path: &str, text: &str, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = 0usize;
    for (i, line) in text.lines().enumerate() {
        for (col, ch) in line.chars().enumerate() {
            let Some((c, ascii, en, zh)) = lookalike(ch) else {
                continue;
            };
            if out.len() == super::SHOWN {
                rest += 1;
                continue;
            }
            out.push(tr!(lang,
                "{}:{}:{}: `{}` is {}; JSON needs the plain ASCII `{}` (switch your input method to English, or retype it)",
                "{}:{}:{}: `{}` 是{}；JSON 只认英文半角的 `{}`（把输入法切换到英文后重新输入）",
                path, i + 1, col + 1, c, lang.pick(en, zh), ascii));
        }
    }
    if rest > 0 {
        out.push(super::more(rest, lang));
    }
    out
}

/// Turns serde_json's error into advice.
fn explain(path: &str, text: &str, e: &serde_json::Error, lang: Lang) -> String {
    let (line, col) = (e.line(), e.column());
    let msg = e.to_string();
    let at = format!("{path}:{line}:{col}");
    let advice = if msg.contains("trailing comma") {
        tr!(lang, "a comma after the last item: delete the `,` just before this point (JSON allows no comma before `]` or `}}`)",
            "最后一项后面多了一个逗号：删掉这里前面的 `,`（JSON 不允许在 `]` 或 `}}` 前面写逗号）")
    } else if msg.contains("expected `,` or `]`") {
        tr!(lang, "two items of a list with no comma between them: add a `,` at the end of the previous item (or a `]` is missing)",
            "列表中两项之间缺少逗号：在上一项末尾加上 `,`（或者缺少 `]`）")
    } else if msg.contains("expected `,` or `}`") {
        tr!(lang, "two entries of an object with no comma between them: add a `,` at the end of the previous line (or a `}}` is missing)",
            "对象中两项之间缺少逗号：在上一行末尾加上 `,`（或者缺少 `}}`）")
    } else if msg.contains("EOF while parsing") {
        let open = text.matches(['{', '[']).count();
        let close = text.matches(['}', ']']).count();
        tr!(lang, "the file ends before every bracket is closed ({} opened, {} closed): add the missing `}}` or `]`",
            "文件在括号闭合之前就结束了（打开 {} 个，闭合 {} 个）：补上缺少的 `}}` 或 `]`", open, close)
    } else if msg.contains("key must be a string") {
        tr!(
            lang,
            "a key without double quotes: write it as \"registry-mirrors\"",
            "键名缺少双引号：应写成 \"registry-mirrors\""
        )
    } else if msg.contains("trailing characters") {
        tr!(lang, "more text after the closing `}}`: the whole file must be one object (a `}}` too many, or two objects)",
            "在最后的 `}}` 后面还有内容：整个文件只能是一个对象（多了一个 `}}`，或写了两个对象）")
    } else if msg.contains("expected value") || msg.contains("expected ident") {
        tr!(lang, "not JSON at this point: a stray character, single quotes instead of double quotes, or a value missing",
            "这里不是合法的 JSON：多余的字符、用了单引号而不是双引号，或者缺少值")
    } else {
        msg.split(" at line ").next().unwrap_or(&msg).to_string()
    };
    format!("{at}: {advice}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse("daemon.json", text, Lang::En).unwrap_err()
    }

    #[test]
    fn full_width_quotes_are_located_and_explained() {
        let p = problems("{\n  “registry-mirrors”: [\"https://a\"]\n}\n");
        assert_eq!(p.len(), 2);
        assert!(
            p[0].starts_with("daemon.json:2:3: `“` is a curly opening quote"),
            "{}",
            p[0]
        );
        assert!(p[0].contains("ASCII `\"`"), "{}", p[0]);
        assert!(p[1].starts_with("daemon.json:2:20:"), "{}", p[1]);
    }

    #[test]
    fn full_width_comma_and_colon_in_chinese() {
        let p = parse("d.json", "{\"a\"： [\"x\"，\"y\"]}", Lang::ZhCn).unwrap_err();
        assert_eq!(p.len(), 2);
        assert!(
            p[0].contains("全角冒号") && p[1].contains("全角逗号"),
            "{p:?}"
        );
    }

    #[test]
    fn comma_mistakes_and_unclosed_braces() {
        let trailing = problems("{\n \"registry-mirrors\": [\n  \"https://a\",\n ]\n}");
        assert!(
            trailing[0].starts_with("daemon.json:4:2: a comma after the last item"),
            "{trailing:?}"
        );
        let missing =
            problems("{\n \"registry-mirrors\": [\n  \"https://a\"\n  \"https://b\"\n ]\n}");
        assert!(
            missing[0].starts_with("daemon.json:4:3: two items of a list with no comma"),
            "{missing:?}"
        );
        let unclosed = problems("{\n \"registry-mirrors\": [\"https://a\"]\n");
        assert!(
            unclosed[0].contains("1 opened") || unclosed[0].contains("2 opened"),
            "{unclosed:?}"
        );
        assert!(problems("")[0].contains("empty"));
    }

    #[test]
    fn a_file_of_full_width_commas_lists_five_and_counts_the_rest() {
        // Inside a string it parses: warnings. Outside: problems.
        let commas = "，".repeat(350_000);
        let inside = format!("{{\"registry-mirrors\": [\"{commas}\"]}}");
        let started = std::time::Instant::now();
        let p = parse("daemon.json", &inside, Lang::En).unwrap();
        assert_eq!(p.warnings.len(), super::super::SHOWN + 1);
        assert_eq!(p.warnings.last().unwrap(), "… and 349,995 more");
        let outside = format!("{{\"a\": 1{commas}}}");
        let problems = problems(&outside);
        assert_eq!(problems.len(), super::super::SHOWN + 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_bom_is_a_warning_not_an_error() {
        let p = parse("d.json", "\u{feff}{\"registry-mirrors\": []}", Lang::En).unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("byte-order mark"));
    }
}
