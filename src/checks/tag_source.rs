//! Which image a `docker tag` was made from, for `event: { action: tag,
//! from: REF }`: the id REF had (live, a tag event, the journal), else the
//! `docker tag SRC TARGET` line the learner typed (shell history, the
//! weakest source), else nobody can tell.

use super::reference::{self, normalize};
use super::Ctx;
use crate::lang::Lang;
use crate::machine::{Bound, DaemonEvent, ObserveError};
use crate::tr;

/// What lab knows of the image a tag should have been made from.
pub struct TagSource {
    reference: String,
    /// Its id, from the live images, a tag event or the journal.
    id: Option<String>,
    /// Else: the sources of `docker tag SRC TARGET` lines in the shell
    /// history, by target, newest last.
    typed: Vec<(String, String)>,
}

impl TagSource {
    /// Whether tag event `e` was made from the reference; `None`: unknown.
    pub fn verdict(&self, e: &DaemonEvent) -> Option<bool> {
        if let Some(id) = &self.id {
            return Some(e.actor == *id);
        }
        let target = normalize(e.attributes.get("name")?);
        let (src, _) = self.typed.iter().rev().find(|(_, t)| *t == target)?;
        let hex = src.strip_prefix("sha256:").unwrap_or(src);
        let by_id = hex.len() >= 4
            && hex.chars().all(|c| c.is_ascii_hexdigit())
            && e.actor.trim_start_matches("sha256:").starts_with(hex);
        Some(by_id || normalize(src) == self.reference)
    }

    pub fn unknown(&self, lang: Lang) -> String {
        tr!(
            lang,
            "lab cannot tell which image was tagged: it never saw the id of {}, and your shell history has no `docker tag` for it (run `history -a`)",
            "lab 无法判断打标签的是哪个镜像：它从未见过 {} 的 ID，你的命令历史中也没有对应的 `docker tag`（请先运行 `history -a`）",
            self.reference
        )
    }
}

/// The id `reference` had, else the `docker tag` lines the learner typed.
pub async fn tag_source(ctx: &Ctx<'_>, reference: &str) -> Result<TagSource, ObserveError> {
    let id = reference::image_id(ctx, reference).await?.map(|(id, _)| id);
    let mut typed = Vec::new();
    if id.is_none() {
        for f in ["${bash_history}", "${zsh_history}"] {
            let read = ctx.machine.read(&ctx.expand(f), Bound::HISTORY).await?;
            if let Some(text) = read.text() {
                typed.extend(text.lines().filter_map(typed_tag));
            }
        }
    }
    Ok(TagSource {
        reference: reference.to_string(),
        id,
        typed,
    })
}

/// `docker tag SRC DST` / `docker image tag SRC DST` (zsh's `: t:0;`
/// prefix allowed) → (SRC, normalized DST).
fn typed_tag(line: &str) -> Option<(String, String)> {
    let cmd = match line.strip_prefix(": ").and_then(|l| l.split_once(';')) {
        Some((_, c)) => c,
        None => line,
    };
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let rest = match words.as_slice() {
        ["docker", "tag", rest @ ..] | ["docker", "image", "tag", rest @ ..] => rest,
        _ => return None,
    };
    match rest {
        [src, dst] => Some((src.to_string(), normalize(dst))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tag(actor: &str, name: &str) -> DaemonEvent {
        DaemonEvent {
            kind: "image".into(),
            action: "tag".into(),
            actor: actor.into(),
            attributes: BTreeMap::from([("name".into(), name.into())]),
            time_nano: 1,
        }
    }

    #[test]
    fn the_typed_source_decides_when_no_id_is_known() {
        assert_eq!(
            typed_tag(": 1700000000:0;docker image tag tomcat mytomcat:8.0"),
            Some(("tomcat".into(), "mytomcat:8.0".into()))
        );
        assert_eq!(typed_tag("docker tag a"), None);
        let typed = |lines: &[&str]| TagSource {
            reference: "tomcat:8.0".into(),
            id: None,
            typed: lines.iter().filter_map(|l| typed_tag(l)).collect(),
        };
        let e = tag("sha256:abcdef0123", "mytomcat:8.0");
        assert_eq!(
            typed(&["docker tag tomcat:8.0 mytomcat:8.0"]).verdict(&e),
            Some(true)
        );
        assert_eq!(
            typed(&["docker tag tomcat mytomcat:8.0"]).verdict(&e),
            Some(false)
        );
        assert_eq!(
            typed(&["docker tag abcdef mytomcat:8.0"]).verdict(&e),
            Some(true),
            "by id"
        );
        assert_eq!(typed(&[]).verdict(&e), None, "nobody can tell");
        let known = TagSource {
            reference: "tomcat:8.0".into(),
            id: Some("sha256:other".into()),
            typed: vec![],
        };
        assert_eq!(known.verdict(&e), Some(false), "the id wins");
    }
}
