//! A condition on one value inside a JSON document (daemon.json, `docker
//! info`, `docker image inspect`): `path` and one of equals / contains /
//! matches / exists.

use crate::lang::Lang;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMatch {
    /// Dotted path (`RegistryConfig.Mirrors`, `Config.ExposedPorts`) or a
    /// JSON pointer starting with `/` for keys that contain dots.
    pub path: String,
    /// The value equals this (YAML written, JSON compared).
    #[serde(default)]
    pub equals: Option<Value>,
    /// An array holds this element, an object this key, a string this text.
    #[serde(default)]
    pub contains: Option<Value>,
    /// The value, as text, matches this regex.
    #[serde(default)]
    pub matches: Option<String>,
    /// What `matches` looks for, in words, for the learner (`{ en, zh-CN }`);
    /// required unless `matches` is plain text.
    #[serde(default)]
    pub shows: Option<crate::lang::Text>,
    /// The path exists (true) or not (false).
    #[serde(default)]
    pub exists: Option<bool>,
}

/// Looks a path up in a document.
pub fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    if path.starts_with('/') {
        return root.pointer(path);
    }
    path.split('.')
        .filter(|s| !s.is_empty())
        .try_fold(root, |v, key| match v {
            Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => v.get(key),
        })
}

/// A value as a learner would read it.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `text` matches the regex `re`. One that does not compile matches
/// nothing: `lab validate` has already reported it (see [`regex_problem`]).
pub fn is_match(re: &str, text: &str) -> bool {
    regex::Regex::new(re)
        .map(|r| r.is_match(text))
        .unwrap_or(false)
}

/// The text a regex stands for when it is plain text (`"18\.04"` is
/// `"18.04"`): no class, repetition, group, alternation or anchor.
pub fn literal(re: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = re.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => return None,
            },
            '.' | '^' | '$' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => {
                return None
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// What a regex looks for, as a learner reads it: the course's words for it
/// (`shows`), else its text when it is plain text, in backticks; never the
/// regex, but in a course `lab validate` refuses (see [`shows_problem`]).
pub fn in_words(shows: Option<&crate::lang::Text>, re: &str, lang: Lang) -> String {
    match (shows, literal(re)) {
        (Some(t), _) => t.get(lang).to_string(),
        (None, Some(text)) => format!("`{text}`"),
        (None, None) => format!("/{re}/"),
    }
}

/// The lint problem of a regex that is not plain text and has no words for
/// the learner (`field` is the regex's key, `shows` the key of its words).
pub fn shows_problem(
    field: &str,
    re: Option<&str>,
    shows: Option<&crate::lang::Text>,
    key: &str,
) -> Option<crate::lang::Text> {
    let re = re?;
    if shows.is_some() || literal(re).is_some() {
        return None;
    }
    Some(crate::text!(
        "`{}` is a regex, which learners are never shown: add `{}: {{ en: ..., zh-CN: ... }}`, what it looks for in words",
        "`{}` 是正则表达式，学员看不到它：请加上 `{}: {{ en: ..., zh-CN: ... }}`，用文字说明它要找什么",
        field,
        key
    ))
}

/// The lint problem of an optional regex field, if it does not compile.
/// The zh-CN form says in Chinese what is wrong, at which character, and
/// how to write it; what the regex library says is kept for English.
pub fn regex_problem(field: &str, re: Option<&str>) -> Option<crate::lang::Text> {
    let re = re?;
    let err = regex::Regex::new(re).err()?;
    let full = err.to_string();
    Some(crate::lang::Text {
        en: format!("the `{field}` regex does not compile: {full}"),
        zh_cn: format!(
            "`{field}` 的正则表达式无法编译：{}",
            regex_said_zh(re, &err)
        ),
    })
}

/// What is wrong with `re`, in Chinese. The regex library's message is
/// `regex parse error:`, the pattern indented by four spaces, carets under
/// the culprit, then `error: REASON`: the first caret gives the place.
fn regex_said_zh(re: &str, err: &regex::Error) -> String {
    let code = |s: &str| s.replace('`', "'");
    let full = match err {
        regex::Error::CompiledTooBig(limit) => {
            return format!(
                "它编译后太大（超过 {} MB 的上限）：请减少重复次数（例如 `{{1000}}` 这样的计数）或改用更简单的写法",
                limit / (1 << 20)
            )
        }
        regex::Error::Syntax(s) => s.as_str(),
        _ => "",
    };
    let reason = full
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .trim_start_matches("error: ");
    let what = match reason {
        "unclosed character class" => "方括号 `[` 没有闭合，缺少 `]`；要匹配 `[` 本身，请写成 `\\[`".to_string(),
        "unclosed group" => "圆括号 `(` 没有闭合，缺少 `)`；要匹配 `(` 本身，请写成 `\\(`".to_string(),
        "unopened group" => "多了一个 `)`，前面没有与它配对的 `(`；要匹配 `)` 本身，请写成 `\\)`".to_string(),
        "unclosed counted repetition" => "花括号 `{` 没有闭合，缺少 `}`；要匹配 `{` 本身，请写成 `\\{`".to_string(),
        "repetition operator missing expression" => "`*`、`+`、`?` 或 `{n}` 前面没有可以重复的内容；要匹配这个字符本身，请在它前面加 `\\`".to_string(),
        "unrecognized escape sequence" => "不认识的转义序列；要匹配反斜杠本身，请写成 `\\\\`".to_string(),
        "incomplete escape sequence, reached end of pattern prematurely" => "反斜杠 `\\` 在末尾，后面缺少要转义的字符".to_string(),
        "invalid character class range, the start must be <= the end" => "方括号中的范围起点大于终点（例如 `[z-a]`）".to_string(),
        "invalid range boundary, must be a literal" => "方括号中范围的两端必须是单个字符".to_string(),
        "invalid escape sequence found in character class" => "方括号中不能使用这个转义序列".to_string(),
        "invalid repetition count range, the start must be <= the end" => "重复次数的下限大于上限（例如 `{3,1}`）".to_string(),
        "repetition quantifier expects a valid decimal" | "decimal literal empty" | "decimal literal invalid" => "花括号中的重复次数应当是数字（例如 `{2}`、`{1,3}`）".to_string(),
        "unclosed capture group name" => "命名分组的名字没有闭合，缺少 `>`".to_string(),
        "empty capture group name" => "命名分组的名字是空的".to_string(),
        "invalid capture group character" => "命名分组的名字中有不允许的字符（只能用字母、数字和下划线）".to_string(),
        "duplicate capture group name" => "两个命名分组用了同一个名字".to_string(),
        "unrecognized flag" | "duplicate flag" | "flag negation operator repeated" | "dangling flag negation operator" | "expected flag but got end of regex" => "`(?…)` 中的标志写法不对（可用的有 `i`、`m`、`s`、`x`、`U`、`u`、`R`）".to_string(),
        "look-around, including look-ahead and look-behind, is not supported" => "不支持环视（`(?=…)`、`(?!…)`、`(?<=…)`、`(?<!…)`）：lab 使用的正则表达式库没有这个功能，请换一种写法".to_string(),
        "backreferences are not supported" => "不支持反向引用（`\\1` 这类写法）：请换一种写法".to_string(),
        "hexadecimal literal empty" | "hexadecimal literal is not a Unicode scalar value" | "invalid hexadecimal digit" => "十六进制转义（`\\x..`、`\\u{…}`）写法不对".to_string(),
        "Unicode property not found" | "Unicode property value not found" | "invalid Unicode character class" => "不认识的 Unicode 属性（`\\p{…}`）".to_string(),
        r if r.starts_with("exceed the maximum number of nested") => "括号嵌套太深".to_string(),
        r => format!("语法有误（原文：`{}`）", code(r)),
    };
    // The carets line: four spaces, then as many as the culprit's column.
    let mut lines = full.lines();
    let place = lines
        .by_ref()
        .find(|l| l.starts_with("regex parse error:"))
        .and_then(|_| {
            let pattern = lines.next()?;
            let carets = lines.next()?;
            let col = carets.find('^')?.checked_sub(4)?;
            let culprit = pattern.get(4..)?.chars().nth(col)?;
            (re.lines().count() <= 1).then_some((col + 1, culprit))
        });
    match place {
        Some((n, c)) => format!(
            "`{}` 的第 {n} 个字符 `{}` 处：{what}",
            code(re),
            code(&c.to_string())
        ),
        None => format!("`{}`：{what}", code(re)),
    }
}

/// Checks every field of a document (`what` names it for the learner):
/// what each one showed, or the failed outcome of the first that did not hold.
pub fn check_all(
    fields: &[FieldMatch],
    doc: &Value,
    what: &str,
    lang: Lang,
) -> Result<Vec<String>, Box<Outcome>> {
    fields
        .iter()
        .map(|field| {
            field.check(doc, lang).map_err(|(expected, actual)| {
                Box::new(
                    Outcome::fail(tr!(
                        lang,
                        "{}: `{}` is not as expected",
                        "{}：`{}` 与预期不符",
                        what,
                        field.path
                    ))
                    .expected(expected)
                    .actual(actual),
                )
            })
        })
        .collect()
}

impl FieldMatch {
    pub fn lint(&self) -> Vec<crate::lang::Text> {
        let mut out = Vec::new();
        let set = [
            self.equals.is_some(),
            self.contains.is_some(),
            self.matches.is_some(),
            self.exists.is_some(),
        ];
        if set.iter().filter(|b| **b).count() != 1 {
            out.push(crate::text!(
                "field `{}` needs exactly one of equals, contains, matches, exists",
                "字段 `{}` 需要 `equals`、`contains`、`matches`、`exists` 中的恰好一个",
                self.path
            ));
        }
        out.extend(regex_problem(
            &format!("{}.matches", self.path),
            self.matches.as_deref(),
        ));
        out.extend(shows_problem(
            &format!("{}.matches", self.path),
            self.matches.as_deref(),
            self.shows.as_ref(),
            "shows",
        ));
        out
    }

    /// `Ok(actual)` when the condition holds, `Err((expected, actual))` when not.
    pub fn check(&self, root: &Value, lang: Lang) -> Result<String, (String, String)> {
        let found = lookup(root, &self.path);
        let actual = found
            .map(show)
            .unwrap_or_else(|| tr!(lang, "(no `{}`)", "（没有 `{}`）", self.path));
        let (ok, expected) = if let Some(want) = &self.exists {
            (
                found.is_some() == *want,
                if *want {
                    tr!(lang, "`{}` is set", "设置了 `{}`", self.path)
                } else {
                    tr!(lang, "no `{}`", "没有 `{}`", self.path)
                },
            )
        } else if let Some(want) = &self.equals {
            (
                found == Some(want),
                format!("{} = {}", self.path, show(want)),
            )
        } else if let Some(want) = &self.contains {
            let ok = match (found, want) {
                (Some(Value::Array(a)), w) => a.contains(w),
                (Some(Value::Object(o)), Value::String(k)) => o.contains_key(k),
                (Some(Value::String(s)), Value::String(w)) => s.contains(w.as_str()),
                _ => false,
            };
            (
                ok,
                tr!(lang, "{} contains {}", "{} 包含 {}", self.path, show(want)),
            )
        } else if let Some(re) = &self.matches {
            let ok = found.is_some_and(|v| is_match(re, &show(v)));
            (
                ok,
                tr!(
                    lang,
                    "{} looks like {}",
                    "{} 应为 {}",
                    self.path,
                    in_words(self.shows.as_ref(), re, lang)
                ),
            )
        } else {
            (false, String::new())
        };
        if ok {
            Ok(format!("{} = {actual}", self.path))
        } else {
            Err((expected, actual))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(yaml: &str) -> FieldMatch {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    /// A regex that does not compile: in Chinese, what is wrong, where
    /// (the character and its place), and how to write it; English as the
    /// regex library says it.
    #[test]
    fn a_broken_regex_is_explained_in_chinese_with_its_place() {
        let zh = |re: &str| regex_problem("matches", Some(re)).unwrap().zh_cn;
        let said = zh("docker [");
        assert!(said.contains("第 8 个字符 `[`"), "{said}");
        assert!(said.contains("方括号 `[` 没有闭合"), "{said}");
        let said = zh("docker (pull");
        assert!(
            said.contains("第 8 个字符 `(`") && said.contains("`\\(`"),
            "{said}"
        );
        assert!(zh("a)").contains("多了一个 `)`"));
        assert!(zh("*x").contains("前面没有可以重复的内容"));
        assert!(zh("a{3,1}").contains("下限大于上限"));
        assert!(zh("(?=x)").contains("不支持环视"));
        assert!(zh(r"\q").contains("不认识的转义"));
        assert!(zh("a{99999999}").contains("编译后太大"));
        assert!(zh("中文(").contains("第 3 个字符 `(`"));
        for re in [
            "docker [",
            "a)",
            "(?=x)",
            r"\q",
            "(?P<",
            "[z-a]",
            "a{99999999}",
        ] {
            let said = zh(re);
            let plain: String = said.split('`').step_by(2).collect();
            assert!(
                !plain.contains("unclosed") && !plain.contains("error") && !plain.contains("regex"),
                "{re}: {said}"
            );
        }
        let en = regex_problem("matches", Some("docker [")).unwrap().en;
        assert!(en.contains("unclosed character class"), "{en}");
    }

    #[test]
    fn paths_reach_objects_arrays_and_dotted_keys() {
        let doc = json!({"RegistryConfig": {"Mirrors": ["http://a/"]}, "Config": {"Labels": {"org.x": "1"}}});
        assert_eq!(
            lookup(&doc, "RegistryConfig.Mirrors.0"),
            Some(&json!("http://a/"))
        );
        assert_eq!(lookup(&doc, "/Config/Labels/org.x"), Some(&json!("1")));
        assert_eq!(lookup(&doc, "Nope.x"), None);
    }

    #[test]
    fn conditions_hold_or_report_expected_and_actual() {
        let doc = json!({"Config": {"ExposedPorts": {"3306/tcp": {}}}, "Author": "Docker Newbee"});
        assert!(field("{path: Config.ExposedPorts, contains: 3306/tcp}")
            .check(&doc, Lang::En)
            .is_ok());
        assert!(field("{path: Author, matches: '^Docker'}")
            .check(&doc, Lang::En)
            .is_ok());
        let (exp, act) = field("{path: Author, equals: someone}")
            .check(&doc, Lang::En)
            .unwrap_err();
        assert_eq!(
            (exp.as_str(), act.as_str()),
            ("Author = someone", "Docker Newbee")
        );
        assert!(field("{path: Comment, exists: false}")
            .check(&doc, Lang::En)
            .is_ok());
        assert_eq!(field("{path: a, equals: 1, matches: x}").lint().len(), 1);
    }
}
