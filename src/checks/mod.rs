//! The check kinds. Each kind is one file: its spec (what a lab declares,
//! a serde struct with `deny_unknown_fields`) and how it is evaluated
//! against a [`Machine`]. This file lists the kinds once; the
//! `check_kinds!` macro derives from that list the enum, the YAML key of
//! each kind, and the one `match` that dispatches evaluation.
//!
//! Adding a kind: write `src/checks/<kind>.rs` with a struct implementing
//! [`Probe`], add one line to the list below, add its tests.

mod all_of;
mod any_of;
mod command;
mod container;
mod daemon;
mod docker_cli;
mod dockerd_file;
mod event;
mod file;
mod file_read;
mod history;
mod http;
mod image;
pub mod image_archive;
mod json_file;
mod matcher;
mod mirror_probe;
mod port;
mod quiz;
pub mod reference;
mod registry_mirrors;
mod service;
mod tag_source;
#[cfg(test)]
mod testing;

pub use matcher::{is_match, lookup, regex_problem, show};

use crate::course::{Check, Vars};
use crate::evidence::Journal;
use crate::lang::{Lang, Text};
use crate::machine::{Machine, ObserveError};
use crate::report::Outcome;
use std::future::Future;
use std::pin::Pin;

/// Everything a check may look at.
pub struct Ctx<'a> {
    pub machine: &'a Machine,
    pub vars: &'a Vars,
    pub lang: Lang,
    pub journal: &'a Journal,
    /// The task and step whose checks are being evaluated.
    pub task: &'a str,
    pub step: &'a str,
    /// The run's timeline of events, shared by all its checks.
    pub timeline: &'a crate::evidence::timeline::Timeline,
    /// Work after the deadline of `lab grade --deadline`, set for a step
    /// whose own command was typed after it: then what holds now may
    /// not have held at the deadline.
    pub late: Option<&'a crate::machine::Late>,
}

impl Ctx<'_> {
    /// Every event lab knows of, oldest first (`evidence/timeline.rs`).
    pub async fn events(&self) -> Result<&[crate::machine::DaemonEvent], ObserveError> {
        self.timeline.get(self.machine, self.journal).await
    }

    /// A string from the lab with `${vars}` replaced.
    pub fn expand(&self, s: &str) -> String {
        self.vars.expand(s)
    }
}

/// What every kind implements.
pub trait Probe {
    /// Looks at the machine. `Err` only when it could not be observed; a
    /// check that finds the wrong state returns a failed [`Outcome`].
    fn probe(&self, ctx: &Ctx<'_>) -> impl Future<Output = Result<Outcome, ObserveError>>;

    /// Problems `lab validate` reports (a regex that does not compile, ...).
    fn lint(&self) -> Vec<Text> {
        Vec::new()
    }

    /// Checks nested in this one (`any_of`, `all_of`).
    fn children(&self) -> &[Check] {
        &[]
    }

    /// Commands (no variables in them) this check will run: `lab grade`
    /// runs them as it logs into a VM, which saves a session each.
    fn runs(&self) -> &'static [&'static [&'static str]] {
        &[]
    }

    /// Variables this check reads that the course does not write in it
    /// (`history` reads `${bash_history}` when it names no files): the
    /// course must declare them, `lab validate` says so.
    fn implied_vars(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether `command` (as a lesson types it) undoes what this check
    /// finds on the live state: `docker pull R` for "image R absent".
    /// `lab validate` reports such a check when a later task's command
    /// undoes it and the check has no evidence alternative.
    fn undone_by(&self, _vars: &Vars, _command: &str) -> bool {
        false
    }

    /// What this check verifies, in a few words, for the book's "Check
    /// your work" (variables shown with their defaults).
    fn describe(&self, vars: &Vars, lang: Lang) -> String;
}

macro_rules! check_kinds {
    ($($key:literal => $variant:ident($ty:ty),)*) => {
        /// Every kind of check, by the YAML key that selects it.
        #[derive(Debug, Clone)]
        pub enum CheckKind {
            $($variant($ty),)*
        }

        impl CheckKind {
            /// The YAML keys of all kinds, in this order.
            pub const NAMES: &'static [&'static str] = &[$($key,)*];

            pub fn name(&self) -> &'static str {
                match self {
                    $(CheckKind::$variant(_) => $key,)*
                }
            }

            /// Reads the value of key `name` as that kind's spec.
            pub fn from_map<'de, A: serde::de::MapAccess<'de>>(name: &str, map: &mut A) -> Result<CheckKind, A::Error> {
                match name {
                    $($key => Ok(CheckKind::$variant(map.next_value()?)),)*
                    other => Err(crate::course::unknown_key(other)),
                }
            }

            fn probe<'a>(&'a self, ctx: &'a Ctx<'a>) -> Pin<Box<dyn Future<Output = Result<Outcome, ObserveError>> + 'a>> {
                match self {
                    $(CheckKind::$variant(k) => Box::pin(k.probe(ctx)),)*
                }
            }

            pub fn lint(&self) -> Vec<crate::lang::Text> {
                match self {
                    $(CheckKind::$variant(k) => k.lint(),)*
                }
            }

            pub fn children(&self) -> &[Check] {
                match self {
                    $(CheckKind::$variant(k) => k.children(),)*
                }
            }

            pub fn describe(&self, vars: &Vars, lang: Lang) -> String {
                match self {
                    $(CheckKind::$variant(k) => k.describe(vars, lang),)*
                }
            }

            pub fn undone_by(&self, vars: &Vars, command: &str) -> bool {
                match self {
                    $(CheckKind::$variant(k) => k.undone_by(vars, command),)*
                }
            }

            pub fn implied_vars(&self) -> &'static [&'static str] {
                match self {
                    $(CheckKind::$variant(k) => k.implied_vars(),)*
                }
            }

            pub fn runs(&self) -> &'static [&'static [&'static str]] {
                match self {
                    $(CheckKind::$variant(k) => k.runs(),)*
                }
            }
        }
    };
}

check_kinds! {
    "docker_cli" => DockerCli(docker_cli::DockerCli),
    "daemon" => Daemon(daemon::Daemon),
    "service" => Service(service::Service),
    "port" => Port(port::Port),
    "file" => File(file::File),
    "json_file" => JsonFile(json_file::JsonFile),
    "registry_mirrors" => RegistryMirrors(registry_mirrors::RegistryMirrors),
    "image" => Image(image::Image),
    "image_archive" => ImageArchive(image_archive::ImageArchive),
    "container" => Container(container::Container),
    "event" => Event(event::Event),
    "http" => Http(http::Http),
    "history" => History(history::History),
    "command" => Command(command::Command),
    "quiz" => Quiz(quiz::QuizPassed),
    "any_of" => AnyOf(any_of::AnyOf),
    "all_of" => AllOf(all_of::AllOf),
}

/// Evaluates one check: its kind under its timeout, then the journal for a
/// `remember` check whose live state has moved on. Never fails: an
/// unobservable machine is an `error` outcome.
pub fn evaluate<'a>(
    check: &'a Check,
    ctx: &'a Ctx<'a>,
    timeout: u64,
) -> Pin<Box<dyn Future<Output = Outcome> + 'a>> {
    Box::pin(async move {
        let secs = check.timeout.unwrap_or(timeout);
        let outcome =
            match tokio::time::timeout(std::time::Duration::from_secs(secs), check.kind.probe(ctx))
                .await
            {
                Ok(Ok(o)) => o,
                Ok(Err(e)) => Outcome::error(format!(
                    "{}{}{}",
                    e.text(ctx.lang),
                    ctx.lang.pick(". ", "。"),
                    ctx.machine.advice(&e, ctx.lang)
                )),
                Err(_) => {
                    let e = ObserveError::Timeout {
                        op: format!("evaluate check `{}`", check.id),
                        secs,
                    };
                    Outcome::error(format!(
                        "{}{}{}",
                        e.text(ctx.lang),
                        ctx.lang.pick(". ", "。"),
                        ctx.machine.advice(&e, ctx.lang)
                    ))
                }
            }
            .bounded(ctx.lang);
        let outcome = match ctx.late {
            Some(late) if check.kind.children().is_empty() => {
                after_deadline(check, outcome, late, ctx.lang)
            }
            _ => outcome,
        };
        if matches!(
            outcome.status,
            crate::report::Status::Fail | crate::report::Status::Skip
        ) && check.remember
        {
            if let Some(o) = ctx
                .journal
                .remembered(ctx.task, ctx.step, &check.id, ctx.lang)
            {
                return o;
            }
        }
        outcome
    })
}

/// In a step redone after the deadline (its command typed after it), a pass
/// on the live state proves nothing about the deadline: skipped, saying
/// why. Passes on events, commands or the journal stand (they were cut at
/// the deadline).
fn after_deadline(
    check: &Check,
    outcome: Outcome,
    late: &crate::machine::Late,
    lang: Lang,
) -> Outcome {
    use crate::report::{basis::Source, Status};
    let live = Source::of(check.kind.name(), outcome.evidence.as_ref()) == Source::Live;
    if outcome.status != Status::Pass || !live {
        return outcome;
    }
    Outcome::skip(crate::tr!(
        lang,
        "holds now, but this step's command was typed after the deadline (late work from {}): lab cannot tell whether it held at the deadline",
        "现在成立，但截止时间之后输入过这一步的命令（从 {} 起有截止后的操作）：lab 无法确定截止时是否已经如此",
        crate::clock::date(late.first)
    ))
    .actual(outcome.message)
}

#[cfg(test)]
mod no_regex_tests {
    use super::*;
    use crate::course::{Course, Source};

    /// Regex syntax a learner must never read.
    pub(crate) fn regex_in(text: &str) -> Option<&'static str> {
        [
            "\\s", "\\d", "\\w", "\\b", "\\.", "[0-9", "[a-f", ".*", ".+", "(?", "^", "$/", "$)",
            "{4,",
        ]
        .into_iter()
        .find(|p| text.contains(p))
    }

    fn all(checks: &[Check], out: &mut Vec<Check>) {
        for c in checks {
            out.push(c.clone());
            all(c.kind.children(), out);
        }
    }

    /// Every check of the built-in course, with where it is.
    pub(crate) fn built_in_checks() -> Vec<(String, Check)> {
        let course = Course::load(Source::Embedded, false, None).expect("built-in course");
        let mut out = Vec::new();
        for (_, t) in &course.tasks {
            for s in &t.steps {
                let mut checks = Vec::new();
                all(&s.checks, &mut checks);
                for c in checks {
                    out.push((format!("{}/{}/{}", t.id, s.id, c.id), c));
                }
            }
        }
        out
    }

    #[test]
    fn no_check_of_the_built_in_course_describes_itself_with_a_regex() {
        let vars = Vars::new(&Default::default(), &[]).expect("vars");
        let mut bad = Vec::new();
        for (at, c) in built_in_checks() {
            for lang in [Lang::En, Lang::ZhCn] {
                let d = c.kind.describe(&vars, lang);
                if let Some(p) = regex_in(&d) {
                    bad.push(format!("{at} ({}): `{p}` in {d}", lang.code()));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "regexes shown to learners:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn the_regex_detector_sees_regexes_and_not_commands() {
        assert!(regex_in("/docker\\s+images/").is_some());
        assert!(regex_in("`docker rmi $(docker images -f dangling=true -q)`").is_none());
        assert!(regex_in("`docker rmi <镜像 ID>`（按 ID 删除镜像）").is_none());
    }
}
