//! `json_file`: a file holds valid JSON, explained line by line when it does
//! not (full-width punctuation, commas, braces), and values at paths.
//!
//! ```yaml
//! json_file:
//!   path: "${daemon_json}"
//!   dockerd: true          # judge it as the machine's dockerd reads it
//!   values:
//!     - { path: registry-mirrors, exists: true }
//! ```
//!
//! With `dockerd: true` the file passes only when the machine's own dockerd
//! (its version from the daemon's /version, else `dockerd --version`, else
//! 20.10) would start with it: see `diagnose::dockerd`. On the machine lab
//! runs on, a dockerd of 23.0 or later is also asked itself
//! (`dockerd --validate`, which starts nothing) and has the last word on
//! what it loads.

use super::matcher::{self, FieldMatch};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::diagnose::json;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonFile {
    pub path: String,
    /// The file is a daemon.json: pass only if the machine's dockerd starts
    /// with it.
    #[serde(default)]
    pub dockerd: bool,
    /// Conditions on values inside the document.
    #[serde(default)]
    pub values: Vec<FieldMatch>,
}

/// Reads and parses a JSON file, or the failed outcome that explains why not.
pub async fn load(
    ctx: &Ctx<'_>,
    path: &str,
) -> Result<Result<json::Parsed, Outcome>, ObserveError> {
    let lang = ctx.lang;
    let bytes = match super::file_read::config(ctx, path).await? {
        Ok(b) => b,
        Err(failed) => return Ok(Err(failed)),
    };
    let text = String::from_utf8_lossy(&bytes);
    Ok(json::parse(path, &text, lang).map_err(|problems| {
        let mut o = Outcome::fail(tr!(
            lang,
            "{} is not valid JSON: {}",
            "{} 不是合法的 JSON：{}",
            path,
            problems[0]
        ))
        .expected(tr!(lang, "valid JSON", "合法的 JSON"));
        o.actual = Some(problems.join("\n"));
        o
    }))
}

impl Probe for JsonFile {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let path = ctx.expand(&self.path);
        if self.dockerd {
            return super::dockerd_file::probe(ctx, &path, &self.values).await;
        }
        let parsed = match load(ctx, &path).await? {
            Ok(p) => p,
            Err(failed) => return Ok(failed),
        };
        let seen = match matcher::check_all(&self.values, &parsed.value, &path, lang) {
            Ok(s) => s,
            Err(failed) => return Ok(*failed),
        };
        let mut o = Outcome::pass(if seen.is_empty() {
            tr!(lang, "{} is valid JSON", "{} 是合法的 JSON", path)
        } else {
            tr!(
                lang,
                "{} is valid JSON; {}",
                "{} 是合法的 JSON；{}",
                path,
                seen.join("; ")
            )
        });
        o.warnings = parsed.warnings;
        Ok(o)
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        self.values.iter().flat_map(FieldMatch::lint).collect()
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        if self.dockerd {
            return tr!(
                lang,
                "dockerd will start with {} (checked as your dockerd version reads it)",
                "dockerd 能用 {} 启动（按你的 dockerd 版本的规则检查）",
                vars.expand(&self.path)
            );
        }
        tr!(
            lang,
            "{} is valid JSON",
            "{} 是合法的 JSON",
            vars.expand(&self.path)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::{FileKind, Machine};
    use crate::report::Status;

    const P: &str = "/etc/docker/daemon.json";
    const MIRRORS: &str = r#"{ "registry-mirrors": ["https://m.example/"] }"#;

    fn yaml(values: &str) -> String {
        format!("{{ id: j, json_file: {{ path: {P}, values: [{values}] }} }}")
    }

    #[test]
    fn valid_json_with_the_values_asked_passes() {
        let m = Machine::fake().file(P, MIRRORS).build();
        let o = outcome(&yaml("{ path: registry-mirrors, exists: true }"), &m);
        assert_outcome(&o, Status::Pass, "/etc/docker/daemon.json is valid JSON; ");
        let o = outcome(
            &yaml(r#"{ path: registry-mirrors, contains: "https://m.example/" }"#),
            &m,
        );
        assert_outcome(&o, Status::Pass, "is valid JSON");
    }

    #[test]
    fn a_value_that_is_not_there_fails() {
        let m = Machine::fake().file(P, "{}").build();
        let o = outcome(&yaml("{ path: registry-mirrors, exists: true }"), &m);
        assert_eq!(o.status, Status::Fail, "{o:?}");
        assert!(o.message.contains("registry-mirrors"), "{}", o.message);
    }

    /// `exists: false` is about a document: a missing, unreadable or broken
    /// file has none, so nothing "is not set" in it.
    #[test]
    fn a_value_that_must_be_absent_needs_a_document_to_be_absent_from() {
        let absent = yaml("{ path: registry-mirrors, exists: false }");
        let o = outcome(&absent, &Machine::fake().build());
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not exist");
        let o = outcome(&absent, &Machine::fake().unreadable(P).build());
        assert_outcome(&o, Status::Error, "Permission denied");
        let o = outcome(&absent, &Machine::fake().file(P, "").build());
        assert_outcome(&o, Status::Fail, "is not valid JSON");
        let o = outcome(
            &absent,
            &Machine::fake()
                .file(P, "{ \"registry-mirrors\": [] ")
                .build(),
        );
        assert_outcome(&o, Status::Fail, "is not valid JSON");
        let o = outcome(&absent, &Machine::fake().file(P, "{}").build());
        assert_outcome(&o, Status::Pass, "is valid JSON");
    }

    #[test]
    fn broken_json_fails_naming_the_line() {
        // A full-width comma, as typed with a Chinese input method.
        let m = Machine::fake()
            .file(P, "{\n  \"debug\": true，\n  \"x\": 1\n}\n")
            .build();
        let o = outcome(&yaml(""), &m);
        assert_outcome(
            &o,
            Status::Fail,
            "/etc/docker/daemon.json is not valid JSON: /etc/docker/daemon.json:2:16: `，` is a full-width comma",
        );
        assert_eq!(o.expected.as_deref(), Some("valid JSON"));
    }

    #[test]
    fn a_missing_folder_fifo_or_too_large_file_fails_and_an_unreadable_one_errs() {
        let o = outcome(&yaml(""), &Machine::fake().build());
        assert_outcome(&o, Status::Fail, "/etc/docker/daemon.json does not exist");
        assert_eq!(o.actual.as_deref(), Some("no such file"));
        let fifo = Machine::fake().special(P, FileKind::Fifo).build();
        let o = outcome(&yaml(""), &fifo);
        assert_outcome(&o, Status::Fail, "not a regular file");
        let big = Machine::fake().file(P, &" ".repeat((1 << 20) + 1)).build();
        let o = outcome(&yaml(""), &big);
        assert_outcome(&o, Status::Fail, "is larger than 1 MiB");
        let denied = Machine::fake().unreadable(P).build();
        let o = outcome(&yaml(""), &denied);
        assert_outcome(
            &o,
            Status::Error,
            "cannot read /etc/docker/daemon.json: Permission denied",
        );
    }
}
