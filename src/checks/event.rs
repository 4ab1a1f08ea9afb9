//! `event`: the daemon's recent event buffer shows that something happened,
//! optionally before something else. This is how lab knows a learner
//! pulled an image that a later step of the same task removed.
//!
//! ```yaml
//! event: { action: pull, image: "tomcat:8.0" }
//! event:                        # latest was removed while 8.0 was still there
//!   action: delete
//!   not_image: ["tomcat:8.0", "mytomcat:8.0"]
//!   before: { action: delete, image: ["tomcat:8.0", "mytomcat:8.0"] }
//! ```
//!
//! What real daemons emit (checked against dockerd 20.10 on the test bed):
//! a pull's actor is the reference (`tomcat:8.0`, never an id); a tag's
//! actor is the source image id and its `name` the new reference; untag and
//! delete carry only the image id (one untag per reference removed).
//! Image ids of references are resolved from the live images, tag events and
//! the journal (see `reference::image_id`).

use super::reference::{self, normalize, short};
use super::tag_source::tag_source;
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::evidence::timeline;
use crate::lang::Lang;
use crate::machine::{DaemonEvent, ObserveError};
use crate::report::{Evidence, Outcome};
use crate::tr;
use serde::Deserialize;

/// `pull` or `[untag, delete]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Which events count, and (at the top level) what they must come before.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// `image` (the default) or `container`.
    #[serde(default = "image_type", rename = "type")]
    pub kind: String,
    /// The action(s): pull, tag, untag, delete, load, save, create, start, die, destroy, ...
    pub action: OneOrMany,
    /// The event concerns one of these image references.
    #[serde(default)]
    pub image: Option<OneOrMany>,
    /// The event concerns none of these images (compared by id).
    #[serde(default)]
    pub not_image: Option<OneOrMany>,
    /// The event concerns the image saved in this `docker save` archive
    /// (by id: the way to follow an image whose name is gone).
    #[serde(default)]
    pub image_from_archive: Option<String>,
    /// For container events: the container's name.
    #[serde(default)]
    pub container: Option<String>,
    /// For tag events: the image that was tagged must be this reference's
    /// (compared by id; `docker tag tomcat mytomcat:8.0` tags latest, not
    /// 8.0). When lab never saw that id, the learner's shell history says
    /// which source was typed; with neither, the check cannot tell and fails.
    #[serde(default)]
    pub from: Option<String>,
    /// For container events: the container is gone now (`docker ps -a`
    /// no longer lists it), so its live state cannot be asked instead.
    #[serde(default)]
    pub gone: bool,
    /// For `die` events: the container's exit code.
    #[serde(default)]
    pub exit_code: Option<i64>,
    /// The event must come before the first event matching this filter
    /// (when there is one). Only at the top level.
    #[serde(default)]
    pub before: Option<Box<Event>>,
}

fn image_type() -> String {
    "image".into()
}

/// A filter with its references resolved to image ids.
struct Resolved {
    kind: String,
    actions: Vec<String>,
    refs: Option<(Vec<String>, Vec<String>)>,
    not_refs: Option<(Vec<String>, Vec<String>)>,
    container: Option<String>,
}

/// When an event happened, for "came before": a removal lab inferred
/// happened at some moment up to now, so as a candidate it counts as now.
fn time_as_candidate(e: &DaemonEvent) -> i64 {
    if timeline::inferred(e) {
        i64::MAX
    } else {
        e.time_nano
    }
}

async fn resolve(ctx: &Ctx<'_>, f: &Event) -> Result<Resolved, ObserveError> {
    async fn refs(
        ctx: &Ctx<'_>,
        r: &Option<OneOrMany>,
    ) -> Result<Option<(Vec<String>, Vec<String>)>, ObserveError> {
        let Some(r) = r else { return Ok(None) };
        let names: Vec<String> = r
            .items()
            .iter()
            .map(|x| normalize(&ctx.expand(x)))
            .collect();
        let mut ids = Vec::new();
        for n in &names {
            if let Some((id, _)) = reference::image_id(ctx, n).await? {
                ids.push(id);
            }
        }
        Ok(Some((names, ids)))
    }
    let mut wanted = refs(ctx, &f.image).await?;
    if let Some(archive) = &f.image_from_archive {
        let ids = super::image_archive::ids_in(ctx, &ctx.expand(archive)).await?;
        let (_, known) = wanted.get_or_insert_with(Default::default);
        known.extend(ids);
    }
    Ok(Resolved {
        kind: f.kind.clone(),
        actions: f.action.items(),
        refs: wanted,
        not_refs: refs(ctx, &f.not_image).await?,
        container: f.container.as_deref().map(|c| ctx.expand(c)),
    })
}

/// Whether an event concerns one of the images (names or ids).
fn concerns(e: &DaemonEvent, names: &[String], ids: &[String]) -> bool {
    let attr = |k: &str| e.attributes.get(k).map(String::as_str).unwrap_or("");
    if e.kind == "image" {
        names.contains(&normalize(&e.actor))
            || (e.action == "tag" && names.contains(&normalize(attr("name"))))
            || ids.contains(&e.actor)
            || timeline::typed_refs(e)
                .iter()
                .any(|r| names.iter().any(|n| n == r))
    } else {
        names.contains(&normalize(attr("image"))) || ids.iter().any(|i| i == attr("image"))
    }
}

impl Resolved {
    fn matches(&self, e: &DaemonEvent) -> bool {
        if e.kind != self.kind || !self.actions.contains(&e.action) {
            return false;
        }
        if let Some((names, ids)) = &self.refs {
            if !concerns(e, names, ids) {
                return false;
            }
        }
        if let Some((names, ids)) = &self.not_refs {
            // "Not that image" needs to know which image it was: its id, or
            // the references the removal command named.
            let known = !ids.is_empty() || !timeline::typed_refs(e).is_empty();
            if !known || concerns(e, names, ids) {
                return false;
            }
        }
        if let Some(c) = &self.container {
            if e.attributes.get("name") != Some(c) {
                return false;
            }
        }
        true
    }

    /// Whether `e` matches, or may: an untag or delete of an image whose
    /// id lab cannot name may be one of the wanted references when lab
    /// never learnt their ids (it must not be taken for another image).
    fn may_match(&self, e: &DaemonEvent) -> bool {
        if self.matches(e) {
            return true;
        }
        let unknown = matches!(&self.refs, Some((_, ids)) if ids.is_empty());
        unknown
            && e.kind == "image"
            && self.kind == "image"
            && self.actions.contains(&e.action)
            && matches!(e.action.as_str(), "untag" | "delete")
    }

    fn describe(&self) -> String {
        let mut s = format!("{} {}", self.kind, self.actions.join("/"));
        if let Some((names, _)) = &self.refs {
            s.push_str(&format!(" {}", names.join("|")));
        }
        if let Some((names, _)) = &self.not_refs {
            s.push_str(&format!(" (not {})", names.join("|")));
        }
        if let Some(c) = &self.container {
            s.push_str(&format!(" {c}"));
        }
        s
    }
}

fn show(e: &DaemonEvent) -> String {
    let name = e
        .attributes
        .get("name")
        .filter(|n| **n != e.actor && e.action == "tag");
    let actor = if e.actor.starts_with("sha256:") {
        short(&e.actor).to_string()
    } else {
        e.actor.clone()
    };
    match name {
        Some(n) => format!("{} {} {actor} -> {n}", e.kind, e.action),
        None => format!("{} {} {actor}", e.kind, e.action),
    }
}

/// Where a container's life began in the timeline (its `create`), or the
/// start of the timeline for anything else.
fn window_start(e: &DaemonEvent, events: &[DaemonEvent]) -> i64 {
    if e.kind != "container" {
        return i64::MIN;
    }
    events
        .iter()
        .find(|x| x.kind == "container" && x.action == "create" && x.actor == e.actor)
        .map_or(i64::MIN, |x| x.time_nano)
}

/// What an event must be to count, resolved against the machine.
struct Rules<'a> {
    want: &'a Resolved,
    /// The event that must not come first (`before:`).
    limit: Option<&'a Resolved>,
    /// The image a `tag` event must have been made from (`from:`).
    source: Option<&'a crate::checks::tag_source::TagSource>,
    /// Containers still there (`gone: true` wants one that is not).
    live: &'a [&'a str],
}

impl Event {
    /// The first event that counts; else, when one might have but lab
    /// cannot tell, why (never a guessed pass).
    fn first_hit<'e>(
        &self,
        events: &'e [DaemonEvent],
        rules: &Rules<'_>,
        lang: Lang,
    ) -> (Option<&'e DaemonEvent>, Option<String>) {
        let mut unsure = None;
        let hit = events
            .iter()
            .filter(|e| rules.want.matches(e) && !rules.live.contains(&e.actor.as_str()))
            .filter(|e| {
                self.exit_code
                    .is_none_or(|c| e.attributes.get("exitCode") == Some(&c.to_string()))
            })
            .find(|e| {
                if let Some(src) = rules.source {
                    match src.verdict(e) {
                        Some(true) => {}
                        Some(false) => return false,
                        None => {
                            unsure = Some(src.unknown(lang));
                            return false;
                        }
                    }
                }
                let Some(l) = rules.limit else { return true };
                // A container's image can only be removed "before" it within
                // the container's life: look from its creation on.
                let start = window_start(e, events);
                let deadline = events
                    .iter()
                    .filter(|x| x.time_nano >= start && *x != *e)
                    .find(|x| l.may_match(x));
                match deadline {
                    None => true,
                    Some(d) if time_as_candidate(e) < d.time_nano => true,
                    Some(d) => {
                        if !l.matches(d) {
                            unsure = Some(tr!(
                                lang,
                                "`{}` came first, and lab cannot tell which image it was (it never saw the id of {})",
                                "先发生了 `{}`，而 lab 无法判断那是哪个镜像（它从未见过 {} 的 ID）",
                                show(d),
                                l.describe()
                            ));
                        }
                        false
                    }
                }
            });
        (hit, unsure)
    }

    /// The fail when no event counts: lab unsure, the daemon's events lost
    /// to a restart, or simply not there; with the last few of the kind.
    async fn missed(
        &self,
        ctx: &Ctx<'_>,
        events: &[DaemonEvent],
        rules: &Rules<'_>,
        unsure: Option<String>,
    ) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let expected = match rules.limit {
            Some(l) => tr!(
                lang,
                "an event `{}` before `{}`",
                "先出现事件 `{}`，再出现 `{}`",
                rules.want.describe(),
                l.describe()
            ),
            None => tr!(lang, "an event `{}`", "事件 `{}`", rules.want.describe()),
        };
        let seen: Vec<String> = events
            .iter()
            .filter(|e| e.kind == self.kind)
            .rev()
            .take(5)
            .map(show)
            .collect();
        let actual = if seen.is_empty() {
            tr!(
                lang,
                "no {} events since the daemon started",
                "自守护进程启动以来没有 {} 事件",
                self.kind
            )
        } else {
            seen.into_iter().rev().collect::<Vec<_>>().join("; ")
        };
        if let Some(why) = unsure {
            return Ok(Outcome::fail(why).expected(expected).actual(actual));
        }
        let buffer = ctx.machine.docker.events().await?;
        if let Some(t) = timeline::gap_since(ctx.journal.last_event(), buffer) {
            return Ok(Outcome::fail(tr!(
                lang,
                "lab has not seen it: the daemon restarted (or its event buffer rolled over) after {}, and what happened until it came back nobody saw; redo this step",
                "lab 没有看到这一步：守护进程在 {} 之后重启过（或事件缓冲已被覆盖），那段时间发生了什么无人看到；请重做这一步",
                crate::clock::date(t / 1_000_000_000)
            ))
            .expected(expected)
            .actual(actual));
        }
        Ok(Outcome::fail(tr!(lang, "the daemon's recent events do not show it (dockerd keeps only its latest events, and forgets them when it restarts)", "守护进程最近的事件中没有这条记录（dockerd 只保留最近的事件，重启后会清空）"))
            .expected(expected)
            .actual(actual))
    }
}

/// The pass for the event that counts, with where lab saw it: an image it
/// saw and that is gone now, its journal, or the daemon's buffer.
fn passed(e: &DaemonEvent, lang: Lang) -> Outcome {
    let detail = show(e);
    let time = e.time_nano / 1_000_000_000;
    if timeline::inferred(e) {
        let refs = e
            .attributes
            .get(timeline::INFERRED)
            .cloned()
            .unwrap_or_default();
        return Outcome::pass(tr!(
            lang,
            "lab saw {} (id {}) earlier, and it is gone now",
            "lab 之前见过 {}（ID {}），现在它已不存在",
            refs,
            short(&e.actor)
        ))
        .evidence(Evidence::Journal {
            detail: format!("{refs} {}", short(&e.actor)),
            time,
        });
    }
    if timeline::from_journal(e) {
        let message = tr!(
            lang,
            "lab saw the daemon report `{}` on {}",
            "lab 曾于 {1} 看到守护进程报告 `{0}`",
            detail,
            crate::clock::date(time)
        );
        return Outcome::pass(message).evidence(Evidence::Journal { detail, time });
    }
    let message = tr!(
        lang,
        "the daemon's events show `{}`",
        "守护进程的事件记录中有 `{}`",
        detail
    );
    Outcome::pass(message).evidence(Evidence::Event { detail, time })
}

impl Probe for Event {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let want = resolve(ctx, self).await?;
        let limit = match &self.before {
            Some(b) => Some(resolve(ctx, b).await?),
            None => None,
        };
        let events = ctx.events().await?;
        let source = match &self.from {
            Some(r) => Some(tag_source(ctx, &normalize(&ctx.expand(r))).await?),
            None => None,
        };
        let live: Vec<&str> = if self.gone {
            let all = ctx.machine.docker.containers().await?;
            all.iter()
                .map(|c| c.id.as_str())
                .filter(|id| !id.is_empty())
                .collect()
        } else {
            Vec::new()
        };
        let rules = Rules {
            want: &want,
            limit: limit.as_ref(),
            source: source.as_ref(),
            live: &live,
        };
        let (hit, unsure) = self.first_hit(events, &rules, ctx.lang);
        match hit {
            Some(e) => Ok(passed(e, ctx.lang)),
            None => self.missed(ctx, events, &rules, unsure).await,
        }
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        match &self.before {
            Some(b) if b.before.is_some() => {
                vec![crate::text!(
                    "`before` inside `before` is not supported: compare with one event",
                    "不支持在 `before` 里再写 `before`：只能和一个事件比较"
                )]
            }
            _ => Vec::new(),
        }
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let what = self
            .image
            .as_ref()
            .map(|i| {
                i.items()
                    .iter()
                    .map(|x| normalize(&vars.expand(x)))
                    .collect::<Vec<_>>()
                    .join(" / ")
            })
            .or_else(|| {
                self.image_from_archive
                    .as_ref()
                    .map(|a| tr!(lang, "the image in {}", "{} 中的镜像", vars.expand(a)))
            })
            .or_else(|| self.container.clone())
            .unwrap_or_default();
        let mut s = tr!(
            lang,
            "the daemon saw `{} {}` {}",
            "守护进程记录到 `{} {}` {}",
            self.kind,
            self.action.items().join("/"),
            what
        );
        if let Some(f) = &self.from {
            s.push_str(&tr!(
                lang,
                " (made from {})",
                "（源镜像为 {}）",
                normalize(&vars.expand(f))
            ));
        }
        if let Some(b) = &self.before {
            s.push_str(&tr!(
                lang,
                ", before `{}`",
                "，且早于 `{}`",
                b.action.items().join("/")
            ));
        }
        s.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests;
