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
/// The zh-CN form names the field and quotes the regex library's reason
/// (its last line: `unclosed group`) as code.
pub fn regex_problem(field: &str, re: Option<&str>) -> Option<crate::lang::Text> {
    let err = regex::Regex::new(re?).err()?;
    let full = err.to_string();
    let reason = full
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .trim_start_matches("error: ")
        .replace('`', "'");
    Some(crate::lang::Text {
        en: format!("the `{field}` regex does not compile: {full}"),
        zh_cn: format!("`{field}` 的正则表达式无法编译：`{reason}`"),
    })
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
