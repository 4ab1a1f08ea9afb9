//! serde's and libyaml's error messages about a course file, told to a
//! zh-CN author in Chinese: what is wrong and what to write instead.
//! English stays serde's own words; `load::parse` adds where.

/// serde's message, and in zh-CN what it means and what to do: the
/// common ones in Chinese (unknown or missing field, wrong type or value,
/// unknown variant, a key twice, libyaml's syntax errors), any other in
/// Chinese words with serde's own in parentheses.
pub(super) fn said(msg: &str) -> crate::lang::Text {
    // `steps[0].checks[1]: unknown field ...`: the path stays as written.
    let (path, rest) = match msg.split_once(": ") {
        Some((p, r)) if !p.contains(' ') && !p.is_empty() => (format!("`{p}`："), r),
        _ => (String::new(), msg),
    };
    let code = |s: &str| s.replace('`', "'");
    let list = |s: &str| {
        s.trim_start_matches("one of ")
            .replace(", or ", "、")
            .replace(" or ", "、")
            .replace(", ", "、")
    };
    let zh = if let Some(r) = rest.strip_prefix("unknown field ") {
        match r.split_once(", expected ") {
            Some((f, expected)) => format!("未知字段 {f}：这里能写的是 {}", list(expected)),
            None => format!(
                "未知字段 {}：这里不能有字段",
                r.split(',').next().unwrap_or(r)
            ),
        }
    } else if let Some(r) = rest.strip_prefix("unknown variant ") {
        match r.split_once(", expected ") {
            Some((v, expected)) => format!("未知的取值 {v}：这里能写的是 {}", list(expected)),
            None => format!(
                "未知的取值 {}：这里没有可写的值",
                r.split(',').next().unwrap_or(r)
            ),
        }
    } else if let Some(f) = rest.strip_prefix("missing field ") {
        format!("缺少字段 {f}：请加上它")
    } else if let Some(f) = rest.strip_prefix("duplicate field ") {
        format!("字段 {f} 出现了两次：请删掉一个")
    } else if let Some(k) = rest.strip_prefix("duplicate entry with key ") {
        format!("键 {k} 出现了两次：请删掉一个")
    } else if let Some(r) = rest.strip_prefix("invalid length ") {
        match r.split_once(", expected ") {
            Some((n, expected)) => format!("个数不对：这里有 {n} 个，应当是{}", kind_zh(expected)),
            None => format!("个数不对（原文：`{}`）", code(r)),
        }
    } else if let Some(r) = rest.strip_prefix("invalid type: ") {
        match r.split_once(", expected ") {
            Some((found, expected)) => format!(
                "类型不对：这里是{}，应当是{}",
                kind_zh(found),
                kind_zh(expected)
            ),
            None => format!("类型不对（原文：`{}`）", code(r)),
        }
    } else if let Some(r) = rest.strip_prefix("invalid value: ") {
        match r.split_once(", expected ") {
            Some((found, expected)) => format!(
                "取值不对：这里是{}，应当是{}",
                kind_zh(found),
                kind_zh(expected)
            ),
            None => format!("取值不对（原文：`{}`）", code(r)),
        }
    } else if let Some(r) = rest.strip_prefix("unknown check kind or field ") {
        match r.split_once(": expected one of ") {
            Some((f, expected)) => format!(
                "未知的检查类型或字段 {f}：这里能写的是 {}",
                expected.replace(", ", "、")
            ),
            None => format!("未知的检查类型或字段 {r}"),
        }
    } else if let Some(name) = rest.strip_prefix("data did not match any variant of untagged enum ")
    {
        match name {
            "Command" => {
                "命令的写法不对：要写成一个字符串，或者 `{en: ..., zh-CN: ...}`".to_string()
            }
            _ => format!("这里的写法不对：不符合 `{name}` 的任何一种写法"),
        }
    } else if let Some(r) = rest.strip_prefix("a check has exactly one kind, but this one has ") {
        format!(
            "一个检查只能有一种类型，这个检查却有 {}：请拆成两个检查",
            r.split(": ").next().unwrap_or(r).replace(" and ", " 和 ")
        )
    } else if let Some((check, kinds)) = rest
        .strip_prefix("check ")
        .and_then(|r| r.split_once(" has no kind: add one of "))
    {
        format!(
            "检查 {check} 没有类型：请加上 {} 中的一个",
            kinds.replace(", ", "、")
        )
    } else if let Some(said) = yaml_said_zh(rest) {
        said
    } else {
        format!(
            "这里不符合课程文件的格式：请对照 README 中的课程格式改正（原文：`{}`）",
            code(rest)
        )
    };
    crate::lang::Text {
        en: msg.to_string(),
        zh_cn: format!("{path}{zh}"),
    }
}

/// serde's words for what a value is or should be (`sequence`, `a string`,
/// `integer `1``, `u32`, `struct Image`), in Chinese; any other as code.
fn kind_zh(s: &str) -> String {
    let s = s.trim();
    let quoted = |prefix: &str| {
        s.strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_string())
    };
    let said = match s {
        "sequence" | "a sequence" => "列表".to_string(),
        "map" | "a map" => "映射（`键: 值`）".to_string(),
        "unit value" => "空值（冒号后面什么都没写）".to_string(),
        "string" | "a string" | "a borrowed string" | "a character" => "字符串".to_string(),
        "a boolean" => "布尔值（`true` 或 `false`）".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "非负整数".to_string(),
        "i8" | "i16" | "i32" | "i64" | "isize" | "an integer" => "整数".to_string(),
        "f32" | "f64" => "数".to_string(),
        "enum" | "unit variant" => "枚举值".to_string(),
        _ => {
            if let Some(v) = s.strip_prefix("string ") {
                format!("字符串 {v}")
            } else if let Some(v) = quoted("integer ") {
                format!("整数 {v}")
            } else if let Some(v) = quoted("floating point ") {
                format!("小数 {v}")
            } else if let Some(v) = quoted("boolean ") {
                format!("布尔值 {v}")
            } else if let Some(v) = quoted("character ") {
                format!("字符 {v}")
            } else if s.starts_with("struct ") {
                "映射（`键: 值`）".to_string()
            } else if let Some(n) = s
                .strip_prefix("a sequence of ")
                .or_else(|| s.strip_prefix("a tuple of size "))
                .and_then(|r| r.split(' ').next())
            {
                format!(" {n} 个")
            } else {
                format!(" `{}`", s.replace('`', "'"))
            }
        }
    };
    // A digit, a quote or code opens with a space after a Chinese word.
    if said.starts_with(|c: char| c.is_ascii_digit()) {
        format!(" {said}")
    } else {
        said
    }
}

/// libyaml's syntax errors (`PROBLEM at line L column C, while CONTEXT`)
/// in Chinese: what is wrong and the usual fix; None for one lab does not
/// know.
fn yaml_said_zh(msg: &str) -> Option<String> {
    let (problem, context) = match msg.split_once(" at line ") {
        Some((p, r)) => (p, r.split_once(", while ").map(|(_, c)| c)),
        None => match msg.split_once(", while ") {
            Some((p, c)) => (p, Some(c)),
            None => (msg, None),
        },
    };
    let what = match problem {
        "did not find expected ',' or '}'" => {
            "这里应当是 `,` 或 `}`：花括号 `{ }` 没有闭合，或者两项之间少了逗号"
        }
        "did not find expected ',' or ']'" => {
            "这里应当是 `,` 或 `]`：方括号 `[ ]` 没有闭合，或者两项之间少了逗号"
        }
        "could not find expected ':'" => "这里少了 `:`：键后面要跟冒号和一个空格",
        "did not find expected key" => "这里应当是一个键（`名字: 值`）：多半是缩进不对",
        "did not find expected '-' indicator" => "这里应当是以 `- ` 开头的列表项：多半是缩进不对",
        "did not find expected node content" => "这里缺少值",
        "found unexpected end of stream" => "文件在这里意外结束：引号没有闭合，或者括号没有闭合",
        "found character that cannot start any token" => {
            "这个字符不能出现在值的开头（例如 `@`、`` ` ``、`%`）：请把整个值放进引号"
        }
        "mapping values are not allowed in this context" => {
            "这里不能出现 `: `：值中含有冒号加空格时，请把整个值放进引号"
        }
        "block sequence entries are not allowed in this context" => {
            "这里不能出现 `- ` 列表项：多半是缩进不对"
        }
        "found a tab character that violates indentation"
        | "found a tab character where an indentation space is expected" => {
            "缩进中有制表符：YAML 只能用空格缩进"
        }
        "found unknown escape character" => {
            "双引号中有不认识的转义字符：反斜杠请写成 `\\\\`，或者改用单引号"
        }
        "unknown anchor" => "引用了不存在的锚点：`*名字` 之前要先有 `&名字`",
        "control characters are not allowed" => "文件中有控制字符：请删掉它",
        "found unexpected ':'" => "这里多了一个 `:`：值中含有冒号时，请把整个值放进引号",
        _ => return None,
    };
    let within = match context.unwrap_or("") {
        "parsing a flow mapping" => "（在 `{ }` 映射中）",
        "parsing a flow sequence" => "（在 `[ ]` 列表中）",
        "parsing a block mapping" => "（在缩进的映射中）",
        "parsing a block collection" => "（在缩进的列表或映射中）",
        "scanning a quoted scalar" => "（在引号中的字符串里）",
        "scanning a simple key" => "（在一个键中）",
        "scanning a plain scalar" | "parsing a flow node" | "parsing a block node" => {
            "（在一个值中）"
        }
        _ => "",
    };
    Some(format!("{what}{within}"))
}

#[cfg(test)]
mod tests {
    use super::said;

    /// Chinese with no English sentence outside code: what a zh-CN author
    /// reads, at most the original in parentheses at the end.
    fn zh(msg: &str) -> String {
        let said = said(msg);
        assert_eq!(said.en, msg, "English stays serde's");
        let plain: String = said
            .zh_cn
            .split(['`', '"'])
            .step_by(2)
            .collect::<String>()
            .split("（原文")
            .next()
            .unwrap_or("")
            .to_string();
        let words = plain
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1 && !["YAML", "README", "true", "false", "u"].contains(w))
            .collect::<Vec<_>>();
        assert!(words.is_empty(), "{msg}: {} {words:?}", said.zh_cn);
        said.zh_cn
    }

    #[test]
    fn the_common_serde_and_yaml_errors_are_said_in_chinese() {
        assert_eq!(
            zh("steps[0].checks[0].image.ref: invalid type: sequence, expected a string"),
            "`steps[0].checks[0].image.ref`：类型不对：这里是列表，应当是字符串"
        );
        assert_eq!(
            zh("schema: invalid type: string \"x\", expected u32"),
            "`schema`：类型不对：这里是字符串 \"x\"，应当是非负整数"
        );
        assert!(zh("a: invalid type: unit value, expected a boolean")
            .contains("这里是空值（冒号后面什么都没写），应当是布尔值（`true` 或 `false`）"));
        assert!(zh("a: invalid type: floating point `1.5`, expected usize")
            .contains("这里是小数 1.5，应当是非负整数"));
        assert!(zh("a: invalid type: string \"ref\", expected struct Image")
            .contains("应当是映射（`键: 值`）"));
        assert!(
            zh("schema: invalid value: integer `99999999999`, expected u32")
                .contains("取值不对：这里是整数 99999999999，应当是非负整数")
        );
        assert_eq!(
            zh("steps[0].checks[0].history.exit: unknown variant `maybe`, expected `ok` or `failed`"),
            "`steps[0].checks[0].history.exit`：未知的取值 `maybe`：这里能写的是 `ok`、`failed`"
        );
        assert!(zh("x: unknown variant `c`, expected one of `a`, `b`, `d`")
            .contains("这里能写的是 `a`、`b`、`d`"));
        assert!(zh("duplicate entry with key \"en\"").contains("键 \"en\" 出现了两次"));
        assert!(zh("x: invalid length 3, expected a sequence of 2 elements")
            .contains("个数不对：这里有 3 个"));
        // libyaml's, with its context.
        assert_eq!(
            zh("did not find expected ',' or '}' at line 13 column 13, while parsing a flow mapping"),
            "这里应当是 `,` 或 `}`：花括号 `{ }` 没有闭合，或者两项之间少了逗号（在 `{ }` 映射中）"
        );
        assert!(zh(
            "could not find expected ':' at line 14 column 13, while scanning a simple key"
        )
        .contains("少了 `:`"));
        assert!(zh(
            "found unexpected end of stream at line 14 column 1, while scanning a quoted scalar"
        )
        .contains("引号没有闭合"));
        assert!(zh("did not find expected '-' indicator at line 13 column 7, while parsing a block collection")
            .contains("缩进"));
        assert!(zh("found character that cannot start any token").contains("引号"));
        assert!(zh("unknown anchor").contains("锚点"));
        assert!(zh("mapping values are not allowed in this context").contains("`: `"));
        assert!(zh("found a tab character that violates indentation").contains("制表符"));
        // Anything else: Chinese, serde's words in parentheses at the end.
        let other = zh("x: something new from serde");
        assert!(
            other.ends_with("（原文：`something new from serde`）"),
            "{other}"
        );
    }
}
