//! `file`: a path exists (or not), with a mode, and content that contains a
//! text or matches a regex.
//!
//! ```yaml
//! file: { path: "${daemon_json}", mode: "0644", contains: registry-mirrors }
//! ```

use super::file_read;
use super::matcher::{in_words, is_match, regex_problem, shows_problem};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::{Bound, ObserveError, Read};
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub path: String,
    /// Exists (true, the default) or must not exist (false).
    #[serde(default = "yes")]
    pub exists: bool,
    /// Permission bits in octal, e.g. "0644".
    #[serde(default)]
    pub mode: Option<String>,
    /// The content holds this text.
    #[serde(default)]
    pub contains: Option<String>,
    /// The content matches this regex.
    #[serde(default)]
    pub matches: Option<String>,
    /// What `matches` looks for, in words, for the learner (`{ en, zh-CN }`):
    /// lab never shows the regex. Required unless `matches` is plain text.
    #[serde(default)]
    pub shows: Option<crate::lang::Text>,
}

fn yes() -> bool {
    true
}

impl File {
    /// The failed outcome when `text` (the file's content) lacks what is
    /// asked.
    fn content_miss(&self, ctx: &Ctx<'_>, path: &str, text: &str) -> Option<Outcome> {
        let lang = ctx.lang;
        if let Some(needle) = &self.contains {
            let needle = ctx.expand(needle);
            if !text.contains(&needle) {
                return Some(
                    Outcome::fail(tr!(
                        lang,
                        "{} does not contain `{}`",
                        "{} 中没有 `{}`",
                        path,
                        needle
                    ))
                    .expected(needle),
                );
            }
        }
        if let Some(re) = &self.matches {
            if !is_match(re, text) {
                return Some(
                    Outcome::fail(tr!(
                        lang,
                        "{} does not have {}",
                        "{} 中没有 {}",
                        path,
                        in_words(self.shows.as_ref(), re, lang)
                    ))
                    .expected(in_words(self.shows.as_ref(), re, lang)),
                );
            }
        }
        None
    }
}

impl Probe for File {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let path = ctx.expand(&self.path);
        let Some(info) = ctx.machine.stat(&path).await? else {
            let msg = tr!(lang, "{} does not exist", "{} 不存在", path);
            return Ok(if self.exists {
                Outcome::fail(msg).expected(tr!(lang, "{} exists", "{} 存在", path))
            } else {
                Outcome::pass(msg)
            });
        };
        if !self.exists {
            return Ok(
                Outcome::fail(tr!(lang, "{} exists", "{} 存在", path)).expected(tr!(
                    lang,
                    "no {}",
                    "没有 {}",
                    path
                )),
            );
        }
        if let Some(mode) = &self.mode {
            let want = u32::from_str_radix(mode.trim_start_matches("0o"), 8).unwrap_or(u32::MAX);
            if info.mode != want {
                return Ok(Outcome::fail(tr!(
                    lang,
                    "{} has mode {:04o}",
                    "{} 的权限是 {:04o}",
                    path,
                    info.mode
                ))
                .expected(format!("{want:04o}"))
                .actual(format!("{:04o}", info.mode)));
            }
        }
        let mut warnings = Vec::new();
        if self.contains.is_some() || self.matches.is_some() {
            let (text, cut) = match ctx.machine.read(&path, Bound::CONFIG).await? {
                // Removed since `stat` found it: there is no content to
                // judge (an empty text would match `^$`).
                Read::Missing => {
                    return Ok(Outcome::fail(tr!(
                        lang,
                        "{} does not exist (it was removed while lab looked at it)",
                        "{} 不存在（lab 检查期间它被删除了）",
                        path
                    ))
                    .expected(tr!(lang, "{} exists", "{} 存在", path)))
                }
                Read::NotFile(kind) => return Ok(file_read::not_a_file(lang, &path, kind)),
                Read::Bytes { bytes, cut } => (String::from_utf8_lossy(&bytes).into_owned(), cut),
            };
            if cut {
                warnings.push(file_read::cut_warning(lang, &path, Bound::CONFIG));
            }
            if let Some(mut failed) = self.content_miss(ctx, &path, &text) {
                failed.warnings = warnings;
                return Ok(failed);
            }
        }
        let mut o = Outcome::pass(tr!(lang, "{} is as expected", "{} 符合要求", path));
        o.warnings = warnings;
        Ok(o)
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        let mut out = Vec::new();
        out.extend(regex_problem("matches", self.matches.as_deref()));
        out.extend(shows_problem(
            "matches",
            self.matches.as_deref(),
            self.shows.as_ref(),
            "shows",
        ));
        if let Some(m) = &self.mode {
            if u32::from_str_radix(m.trim_start_matches("0o"), 8).is_err() {
                out.push(crate::text!(
                    "mode `{}` is not octal (write it like \"0644\")",
                    "权限 `{}` 不是八进制数（请写成 \"0644\" 这样）",
                    m
                ));
            }
        }
        out
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let path = vars.expand(&self.path);
        if self.exists {
            tr!(lang, "{} exists as expected", "{} 存在且符合要求", path)
        } else {
            tr!(lang, "{} does not exist", "{} 不存在", path)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::{FileKind, Machine};
    use crate::report::Status;

    const P: &str = "/etc/docker/daemon.json";
    const MIRRORS: &str = r#"{ "registry-mirrors": ["https://m.example/"] }"#;

    fn yaml(fields: &str) -> String {
        format!("{{ id: f, file: {{ path: {P}, {fields} }} }}")
    }

    #[test]
    fn a_file_with_its_mode_and_content_passes() {
        let m = Machine::fake().file_mode(P, MIRRORS, 0o644).build();
        let o = outcome(&yaml(r#"mode: "0644", contains: registry-mirrors"#), &m);
        assert_outcome(&o, Status::Pass, "/etc/docker/daemon.json is as expected");
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
        let o = outcome(&yaml(r#"matches: "m\\.example""#), &m);
        assert_outcome(&o, Status::Pass, "is as expected");
    }

    #[test]
    fn a_missing_file_fails_unless_it_must_not_exist() {
        let m = Machine::fake().build();
        let o = outcome(&yaml("contains: x"), &m);
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not exist");
        assert_eq!(
            o.expected.as_deref(),
            Some("/etc/docker/daemon.json exists")
        );
        let o = outcome(&yaml("exists: false"), &m);
        assert_outcome(&o, Status::Pass, "does not exist");
        let there = Machine::fake().file(P, "{}").build();
        let o = outcome(&yaml("exists: false"), &there);
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json exists");
        assert_eq!(o.expected.as_deref(), Some("no /etc/docker/daemon.json"));
    }

    #[test]
    fn another_mode_or_content_fails_saying_what_differs() {
        let m = Machine::fake().file_mode(P, "{}", 0o600).build();
        let o = outcome(&yaml(r#"mode: "0644""#), &m);
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json has mode 0600");
        assert_eq!(
            (o.expected.as_deref(), o.actual.as_deref()),
            (Some("0644"), Some("0600"))
        );
        let o = outcome(&yaml("contains: registry-mirrors"), &m);
        assert_outcome(&o, Status::Fail, "does not contain `registry-mirrors`");
        let o = outcome(&yaml(r#"matches: "mirrors""#), &m);
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not have");
    }

    #[test]
    fn a_folder_fails_with_what_to_do_and_an_unreadable_file_is_an_error() {
        let folder = Machine::fake().special(P, FileKind::Folder).build();
        let o = outcome(&yaml("contains: x"), &folder);
        assert_outcome(&o, Status::Fail, "is a folder, not a file");
        let denied = Machine::fake().unreadable(P).build();
        let o = outcome(&yaml("contains: x"), &denied);
        assert_outcome(&o, Status::Error, "Permission denied");
        assert!(
            o.message.contains("Check the path and its permissions"),
            "{}",
            o.message
        );
        // Only its existence asked: it is never read.
        let o = outcome(&yaml("exists: true"), &denied);
        assert_outcome(&o, Status::Pass, "is as expected");
    }

    /// A file removed between `stat` and the read has no content: a regex
    /// that an empty text matches does not pass on it.
    #[test]
    fn a_file_gone_before_it_is_read_fails_as_missing_not_as_empty() {
        let m = Machine::fake().vanishing(P).build();
        for fields in [r#"matches: "^$""#, r#"contains: """#] {
            let o = outcome(&yaml(fields), &m);
            assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not exist");
        }
        let o = outcome(&yaml("exists: true"), &m);
        assert_outcome(&o, Status::Pass, "is as expected");
    }

    #[test]
    fn a_file_over_the_bound_is_judged_on_its_head_with_a_warning() {
        let big = format!("registry-mirrors{}", " ".repeat(1 << 20));
        let m = Machine::fake().file(P, &big).build();
        let o = outcome(&yaml("contains: registry-mirrors"), &m);
        assert_outcome(&o, Status::Pass, "is as expected");
        assert_eq!(
            o.warnings,
            ["/etc/docker/daemon.json: read only its first 1 MiB"]
        );
    }
}
