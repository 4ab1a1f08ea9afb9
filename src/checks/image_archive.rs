//! `image_archive`: a `docker save` archive holds an image, and (with
//! `loaded: true`) `docker load` brought that very image back: the live
//! image has the id recorded in the archive.
//!
//! ```yaml
//! image_archive: { path: "${images_dir}/mysql5.7.tar", contains: "mysql:5.7", loaded: true }
//! ```

use super::reference::{self, normalize, short};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::{Member, ObserveError};
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageArchive {
    /// The archive written by `docker save -o PATH`.
    pub path: String,
    /// A reference its manifest must list.
    pub contains: String,
    /// The live image of `contains` has the id stored in the archive.
    #[serde(default)]
    pub loaded: bool,
}

/// The image id of one manifest entry.
fn config_id(entry: &serde_json::Value) -> Option<String> {
    let config = entry.get("Config")?.as_str()?;
    let hex = config.rsplit('/').next()?.trim_end_matches(".json");
    Some(format!("sha256:{hex}"))
}

/// The image id of the manifest entry listing `want`: `Config` is
/// `<hex>.json` (Docker up to 24) or `blobs/sha256/<hex>` (OCI layout, 25+).
fn archived_id(manifest: &serde_json::Value, want: &str) -> Option<String> {
    manifest.as_array()?.iter().find_map(|m| {
        let tags = m.get("RepoTags")?.as_array()?;
        if !tags
            .iter()
            .filter_map(|t| t.as_str())
            .any(|t| normalize(t) == want)
        {
            return None;
        }
        config_id(m)
    })
}

/// The digests `index.json` (OCI layout, Docker 25+) gives the images named
/// `want` (every image when `want` is `None`). Under containerd's image store
/// an image's id is this digest (of its index or manifest), not its config's.
fn index_ids(index: &serde_json::Value, want: Option<&str>) -> Vec<String> {
    let named = |m: &serde_json::Value| {
        let name = m
            .get("annotations")
            .and_then(|a| a.get("io.containerd.image.name"))
            .and_then(|n| n.as_str());
        match (want, name) {
            (None, _) => true,
            (Some(w), Some(n)) => normalize(n) == w,
            (Some(_), None) => false,
        }
    };
    index
        .get("manifests")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter(|m| named(m))
        .filter_map(|m| Some(m.get("digest")?.as_str()?.to_string()))
        .collect()
}

/// `index.json` of an OCI-layout archive, or null (older archives have none).
async fn index_of(ctx: &Ctx<'_>, path: &str) -> Result<serde_json::Value, ObserveError> {
    Ok(match ctx.machine.tar_member(path, "index.json").await? {
        Some(Member::Found(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => serde_json::Value::Null,
    })
}

/// The image ids a `docker save` archive holds (empty when it is missing or
/// not an archive): how an event filter names "the image I saved".
pub async fn ids_in(ctx: &Ctx<'_>, path: &str) -> Result<Vec<String>, ObserveError> {
    let Some(Member::Found(bytes)) = ctx.machine.tar_member(path, "manifest.json").await? else {
        return Ok(Vec::new());
    };
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let mut ids: Vec<String> = manifest
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(config_id)
        .collect();
    ids.extend(index_ids(&index_of(ctx, path).await?, None));
    Ok(ids)
}

impl Probe for ImageArchive {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let path = ctx.expand(&self.path);
        let want = normalize(&ctx.expand(&self.contains));
        let not_archive = |why: String| {
            Outcome::fail(tr!(
                lang,
                "{} is not an image archive made by `docker save`: {}",
                "{} 不是 `docker save` 生成的镜像归档：{}",
                path,
                why
            ))
            .expected(tr!(
                lang,
                "a tar archive with a manifest.json listing {}",
                "包含 manifest.json 且其中列出 {} 的 tar 归档",
                want
            ))
        };
        let manifest = match ctx.machine.tar_member(&path, "manifest.json").await? {
            None => {
                return Ok(
                    Outcome::fail(tr!(lang, "{} does not exist", "{} 不存在", path)).expected(tr!(
                        lang,
                        "the archive written by `docker save -o {}`",
                        "`docker save -o {}` 生成的归档",
                        path
                    )),
                )
            }
            Some(Member::NotFile(kind)) => {
                return Ok(super::file_read::not_a_file(lang, &path, kind))
            }
            Some(Member::NotTar) => {
                return Ok(not_archive(
                    lang.pick("not a tar file", "不是 tar 文件").into(),
                ))
            }
            Some(Member::Missing) => {
                return Ok(not_archive(
                    lang.pick("no manifest.json inside", "其中没有 manifest.json")
                        .into(),
                ))
            }
            Some(Member::Found(bytes)) => match serde_json::from_slice::<serde_json::Value>(&bytes)
            {
                Ok(m) => m,
                Err(e) => return Ok(not_archive(e.to_string())),
            },
        };
        let Some(id) = archived_id(&manifest, &want) else {
            let listed: Vec<String> = manifest
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m.get("RepoTags")?.as_array().cloned())
                .flatten()
                .filter_map(|t| t.as_str().map(normalize))
                .collect();
            return Ok(
                Outcome::fail(tr!(lang, "{} does not hold {}", "{} 中没有 {}", path, want))
                    .expected(want)
                    .actual(if listed.is_empty() {
                        lang.pick("no tagged image", "没有带标签的镜像").to_string()
                    } else {
                        listed.join(", ")
                    }),
            );
        };
        if !self.loaded {
            return Ok(Outcome::pass(tr!(
                lang,
                "{} holds {} (id {})",
                "{} 中包含 {}（ID {}）",
                path,
                want,
                short(&id)
            )));
        }
        // The ids the daemon may give the loaded image: its config's digest
        // (classic store) or its index/manifest digest (containerd's store).
        let mut ids = vec![id.clone()];
        ids.extend(index_ids(&index_of(ctx, &path).await?, Some(&want)));
        match reference::image_id(ctx, &want).await? {
            Some((live, reference::Seen::Live)) if ids.contains(&live) => Ok(Outcome::pass(tr!(
                lang,
                "{} is loaded with the id saved in {} ({})",
                "{} 已加载，ID 与 {} 中保存的一致（{}）",
                want,
                path,
                short(&live)
            ))),
            Some((live, reference::Seen::Live)) => Ok(Outcome::fail(tr!(
                lang,
                "{} exists but is not the image saved in {}",
                "{} 存在，但不是 {} 中保存的那个镜像",
                want,
                path
            ))
            .expected(short(&id).to_string())
            .actual(short(&live).to_string())),
            _ => Ok(
                Outcome::fail(tr!(lang, "{} is not loaded", "{} 尚未加载", want))
                    .expected(tr!(
                        lang,
                        "`docker load -i {}` brings back {}",
                        "`docker load -i {}` 恢复 {}",
                        path,
                        want
                    ))
                    .actual(tr!(lang, "no image {}", "没有镜像 {}", want)),
            ),
        }
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let (path, want) = (
            vars.expand(&self.path),
            normalize(&vars.expand(&self.contains)),
        );
        if self.loaded {
            tr!(
                lang,
                "{} is loaded back from {} with the same id",
                "{} 已从 {} 加载回来，ID 不变",
                want,
                path
            )
        } else {
            tr!(
                lang,
                "{} is an image archive holding {}",
                "{} 是包含 {} 的镜像归档",
                path,
                want
            )
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_come_from_either_manifest_layout() {
        let old = serde_json::json!([{"Config": "8cf9c57.json", "RepoTags": ["mysql:5.7"], "Layers": []}]);
        assert_eq!(
            super::archived_id(&old, "mysql:5.7"),
            Some("sha256:8cf9c57".into())
        );
        let oci = serde_json::json!([{"Config": "blobs/sha256/abc123", "RepoTags": ["docker.io/library/mysql:5.7"]}]);
        assert_eq!(
            super::archived_id(&oci, "mysql:5.7"),
            Some("sha256:abc123".into())
        );
        assert_eq!(super::archived_id(&oci, "tomcat:latest"), None);
    }

    #[test]
    fn containerd_ids_come_from_the_index_by_name() {
        let index = serde_json::json!({"manifests": [
            {"digest": "sha256:aaa", "annotations": {"io.containerd.image.name": "docker.io/library/mysql:5.7"}},
            {"digest": "sha256:bbb", "annotations": {"io.containerd.image.name": "docker.io/library/tomcat:latest"}},
            {"digest": "sha256:ccc"}
        ]});
        assert_eq!(super::index_ids(&index, Some("mysql:5.7")), ["sha256:aaa"]);
        assert_eq!(super::index_ids(&index, None).len(), 3);
        assert!(super::index_ids(&serde_json::Value::Null, None).is_empty());
    }
}
