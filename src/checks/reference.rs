//! Image references as learners type them, and which image id a reference
//! had: now (the image list), at the last `docker tag` (daemon events), or
//! when lab last looked (the journal).

use super::Ctx;
use crate::machine::ObserveError;

/// `tomcat` → `tomcat:latest`; `docker.io/library/tomcat:8.0` → `tomcat:8.0`.
pub fn normalize(reference: &str) -> String {
    let r = reference.trim();
    let r = r.strip_prefix("docker.io/").unwrap_or(r);
    let r = r.strip_prefix("library/").unwrap_or(r);
    if r.contains('@') || r.starts_with("sha256:") {
        return r.to_string();
    }
    let last = r.rsplit('/').next().unwrap_or(r);
    if last.contains(':') {
        r.to_string()
    } else {
        format!("{r}:latest")
    }
}

/// The repository part of a reference: `tomcat:8.0` → `tomcat`.
pub fn repository(reference: &str) -> String {
    let r = normalize(reference);
    let cut = r
        .rfind(':')
        .filter(|i| !r[*i..].contains('/'))
        .unwrap_or(r.len());
    r[..cut].to_string()
}

/// A short id for people: `sha256:8cf9c5740ea3…` → `8cf9c5740ea3`.
pub fn short(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

/// Where an id came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Live,
    TagEvent(i64),
    Journal(i64),
}

/// The image id `reference` points to now, or pointed to when last seen.
pub async fn image_id(
    ctx: &Ctx<'_>,
    reference: &str,
) -> Result<Option<(String, Seen)>, ObserveError> {
    let want = normalize(reference);
    if let Some(img) = ctx
        .machine
        .docker
        .images()
        .await?
        .iter()
        .find(|i| i.repo_tags.iter().any(|t| normalize(t) == want))
    {
        return Ok(Some((img.id.clone(), Seen::Live)));
    }
    // Events are best effort here: an unreachable daemon was reported above.
    let events = ctx.events().await?;
    let tagged = events.iter().rev().find(|e| {
        e.kind == "image"
            && e.action == "tag"
            && e.attributes.get("name").map(|n| normalize(n)) == Some(want.clone())
    });
    if let Some(e) = tagged {
        return Ok(Some((
            e.actor.clone(),
            Seen::TagEvent(e.time_nano / 1_000_000_000),
        )));
    }
    Ok(ctx
        .journal
        .image_id(&want)
        .map(|(id, at)| (id.to_string(), Seen::Journal(at))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalize_like_the_docker_cli() {
        assert_eq!(normalize("tomcat"), "tomcat:latest");
        assert_eq!(normalize("docker.io/library/tomcat:8.0"), "tomcat:8.0");
        assert_eq!(
            normalize("localhost:5000/myubuntu"),
            "localhost:5000/myubuntu:latest"
        );
        assert_eq!(
            normalize("localhost:5000/myubuntu:1"),
            "localhost:5000/myubuntu:1"
        );
        assert_eq!(repository("tomcat:8.0"), "tomcat");
        assert_eq!(repository("localhost:5000/x"), "localhost:5000/x");
        assert_eq!(short("sha256:8cf9c5740ea35f3bda9ad9b6b2ff"), "8cf9c5740ea3");
    }
}
