//! A quiz as a lab declares it (`quiz:` in a task file). Questions are
//! single choice, multiple choice or short answer; any of them may take its
//! right answer from the learner's own machine (`live`), so no two learners
//! have the same answers to copy.
//!
//! ```yaml
//! quiz:
//!   pass: 8
//!   questions:
//!     - id: q1
//!       prompt: { en: "...", zh-CN: "..." }
//!       options: [ { id: a, text: { en: "...", zh-CN: "..." } }, ... ]
//!       answer: b                 # or [a, c] for multiple choice
//!       explain: { en: "...", zh-CN: "..." }
//!     - id: q2
//!       prompt: ...
//!       pattern: '(?i)^\s*runc\s*$'   # short answer
//!       accepted: { en: runc, zh-CN: runc }   # the pattern in words
//!       explain: ...
//!     - id: ports
//!       prompt: ...
//!       options: [ { id: a, text: { en: 3306/tcp, zh-CN: 3306/tcp } }, ... ]
//!       live: { image: "mysql:5.7", inspect: Config.ExposedPorts }
//!       explain: ...
//! ```

use crate::lang::Text;

/// A lint message in both languages: `both!("en {}", "zh {}", args)`.
macro_rules! both {
    ($en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        Text {
            en: format!($en $(, $arg)*),
            zh_cn: format!($zh $(, $arg)*),
        }
    };
}
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    /// How many questions must be answered right to pass.
    pub pass: usize,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique within the quiz; `--answer ID=...` names it.
    pub id: String,
    pub prompt: Text,
    /// The choices, for single and multiple choice.
    #[serde(default)]
    pub options: Vec<Choice>,
    /// The right option id (single choice) or ids (multiple choice).
    #[serde(default)]
    pub answer: Option<Answer>,
    /// A regex a short answer must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// With `pattern`: the answers it accepts, in words, shown after a
    /// wrong answer (a learner never sees the regex).
    #[serde(default)]
    pub accepted: Option<Text>,
    /// The right answer is read from the machine.
    #[serde(default)]
    pub live: Option<Live>,
    /// Shown after a wrong answer: why the right one is right.
    pub explain: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// `a`, `b`, ...: what the learner types.
    pub id: String,
    pub text: Text,
}

/// `b` or `[a, c]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    One(String),
    Many(Vec<String>),
}

impl Answer {
    pub fn ids(&self) -> Vec<String> {
        match self {
            Answer::One(s) => vec![s.clone()],
            Answer::Many(v) => v.clone(),
        }
    }
}

/// Where a live question's right answer comes from: exactly one of
/// `info`, `version`, or `image` with `inspect`.
///
/// ```yaml
/// live: { info: Driver }                                   # docker info
/// live: { version: ApiVersion }                            # docker version
/// live: { image: "mysql:5.7", inspect: Config.ExposedPorts }  # docker image inspect
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Live {
    /// A field of `docker info` (`Driver`, `Images`, `RegistryConfig.Mirrors`).
    #[serde(default)]
    pub info: Option<String>,
    /// A field of `docker version` (`ApiVersion`, `Version`).
    #[serde(default)]
    pub version: Option<String>,
    /// An image whose `docker image inspect` field `inspect` is the answer.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub inspect: Option<String>,
}

/// What kind of question this is, as the learner meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Single,
    Multiple,
    Short,
}

impl Question {
    pub fn form(&self) -> Form {
        match (&self.answer, self.options.is_empty()) {
            (Some(Answer::Many(_)), _) => Form::Multiple,
            (_, true) => Form::Short,
            // A live question with options may have several right ones.
            (None, false) => Form::Multiple,
            (Some(Answer::One(_)), false) => Form::Single,
        }
    }

    /// Problems `lab validate` reports for this question.
    pub fn lint(&self) -> Vec<Text> {
        let mut out = Vec::new();
        let sources = [
            self.answer.is_some(),
            self.pattern.is_some(),
            self.live.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() != 1 {
            out.push(both!(
                "question `{}` needs exactly one of answer, pattern, live",
                "题目 `{}` 必须有 answer、pattern、live 三者之一，且只能有一个",
                self.id
            ));
        }
        if let Some(a) = &self.answer {
            if self.options.is_empty() {
                out.push(both!(
                    "question `{}` has an answer but no options",
                    "题目 `{}` 有 answer，却没有选项",
                    self.id
                ));
            }
            for id in a.ids() {
                if !self.options.iter().any(|o| o.id == id) {
                    out.push(both!(
                        "question `{}`: the answer `{id}` is not one of its options",
                        "题目 `{}`：答案 `{id}` 不在它的选项中",
                        self.id
                    ));
                }
            }
        }
        if let Some(l) = &self.live {
            let sources = [
                l.info.is_some(),
                l.version.is_some(),
                l.image.is_some() && l.inspect.is_some(),
            ];
            if sources.iter().filter(|s| **s).count() != 1
                || l.image.is_some() != l.inspect.is_some()
            {
                out.push(both!(
                    "question `{}`: live needs exactly one of info, version, or image with inspect",
"题目 `{}`：live 必须有 info、version 或 image 加 inspect 三者之一，且只能有一个",
                    self.id
                ));
            }
        }
        if self.pattern.is_some() && self.accepted.is_none() {
            out.push(both!(
                "question `{}` has a pattern but no `accepted`: say in words which answers it accepts, for a learner who answered wrong",
"题目 `{}` 有 pattern，却没有 `accepted`：请用文字说明接受哪些答案，给答错的学员看",
                self.id
            ));
        }
        if self.accepted.is_some() && self.pattern.is_none() {
            out.push(both!(
                "question `{}`: `accepted` is for a pattern's answers; choices and live answers show their own",
"题目 `{}`：`accepted` 只用于 pattern 的答案；选择题和 live 题会显示自己的答案",
                self.id
            ));
        }
        if self.pattern.is_some() && !self.options.is_empty() {
            out.push(both!(
                "question `{}`: a pattern is for short answers, without options",
                "题目 `{}`：pattern 用于简答题，不能有选项",
                self.id
            ));
        }
        if let Some(p) = crate::checks::regex_problem("pattern", self.pattern.as_deref()) {
            out.push(Text {
                en: format!("question `{}`: {}", self.id, p.en),
                zh_cn: format!("题目 `{}`：{}", self.id, p.zh_cn),
            });
        }
        let mut ids: Vec<&str> = self.options.iter().map(|o| o.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            out.push(both!(
                "question `{}` has two options with the same id",
                "题目 `{}` 有两个选项的 ID 相同",
                self.id
            ));
        }
        out
    }
}

impl Quiz {
    pub fn lint(&self) -> Vec<Text> {
        let mut out: Vec<Text> = self.questions.iter().flat_map(Question::lint).collect();
        if self.pass == 0 || self.pass > self.questions.len() {
            out.push(both!(
                "quiz: pass {} must be between 1 and the number of questions ({})",
                "测验：pass {} 必须在 1 和题目数（{}）之间",
                self.pass,
                self.questions.len()
            ));
        }
        let mut ids: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            out.push(both!(
                "quiz: question id `{}` appears twice",
                "测验：题目 ID `{}` 出现了两次",
                w[0]
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(yaml: &str) -> Question {
        serde_yaml_ng::from_str(yaml).expect("question")
    }

    #[test]
    fn a_pattern_says_in_words_what_it_accepts() {
        let bare = question(
            "{ id: q, prompt: { en: P, zh-CN: P }, pattern: '^runc$', explain: { en: E, zh-CN: E } }",
        );
        assert!(
            bare.lint().iter().any(|p| p.en.contains("no `accepted`")),
            "{:?}",
            bare.lint()
        );
        let said = question(
            "{ id: q, prompt: { en: P, zh-CN: P }, pattern: '^runc$', accepted: { en: runc, zh-CN: runc }, explain: { en: E, zh-CN: E } }",
        );
        assert!(said.lint().is_empty(), "{:?}", said.lint());
        let stray = question(
            "{ id: q, prompt: { en: P, zh-CN: P }, options: [ { id: a, text: { en: A, zh-CN: A } } ], answer: a, accepted: { en: a, zh-CN: a }, explain: { en: E, zh-CN: E } }",
        );
        assert!(
            stray
                .lint()
                .iter()
                .any(|p| p.en.contains("`accepted` is for a pattern")),
            "{:?}",
            stray.lint()
        );
    }
}
