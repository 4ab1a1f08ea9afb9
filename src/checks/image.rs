//! `image`: an image is present or absent, shares its id with another
//! reference, has inspect fields; or a repository has N tags.
//!
//! ```yaml
//! image: { ref: "tomcat:latest" }                       # present
//! image: { ref: "tomcat:latest", present: false }
//! image: { ref: "mytomcat:8.0", same_id_as: "tomcat:8.0" }
//! image: { ref: "mysql:5.7", inspect: [{ path: Config.ExposedPorts, contains: "3306/tcp" }] }
//! image: { repository: tomcat, count: 0 }               # `docker images tomcat` is empty
//! ```

use super::matcher::{self, FieldMatch};
use super::reference::{self, normalize, short, Seen};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// An image reference as a learner types it (`tomcat` means `tomcat:latest`).
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// A repository, for `count`.
    #[serde(default)]
    pub repository: Option<String>,
    /// Present (true, the default) or absent (false).
    #[serde(default = "yes")]
    pub present: bool,
    /// Another reference that must name the very same image (same id).
    #[serde(default)]
    pub same_id_as: Option<String>,
    /// How many tags of `repository` `docker images REPOSITORY` lists.
    #[serde(default)]
    pub count: Option<usize>,
    /// Conditions on `docker image inspect` fields.
    #[serde(default)]
    pub inspect: Vec<FieldMatch>,
    /// Built FROM this image: its layers come first, and at least one more.
    #[serde(default)]
    pub based_on: Option<String>,
    /// How many dangling (`<none>`) images there are, alone in a check.
    #[serde(default)]
    pub dangling: Option<usize>,
}

fn yes() -> bool {
    true
}

impl Image {
    async fn count(&self, ctx: &Ctx<'_>, repo: &str, want: usize) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let repo = reference::repository(repo);
        let tags: Vec<String> = ctx
            .machine
            .docker
            .images()
            .await?
            .iter()
            .flat_map(|i| i.repo_tags.iter())
            .filter(|t| reference::repository(t) == repo)
            .map(|t| normalize(t))
            .collect();
        let actual = if tags.is_empty() {
            tr!(lang, "none", "没有")
        } else {
            tags.join(", ")
        };
        let o = Outcome::verdict(
            tags.len() == want,
            tr!(
                lang,
                "`docker images {}` lists {} image(s)",
                "`docker images {}` 列出 {} 个镜像",
                repo,
                tags.len()
            ),
        );
        Ok(if o.passed() {
            o
        } else {
            o.expected(want.to_string()).actual(actual)
        })
    }
}

/// Dangling images as Docker counts them (`docker images -f
/// dangling=true`): no tag left and no image built on them.
async fn dangling(ctx: &Ctx<'_>, want: usize) -> Result<Outcome, ObserveError> {
    let lang = ctx.lang;
    let ids: Vec<&str> = ctx
        .machine
        .docker
        .dangling_images()
        .await?
        .iter()
        .map(|i| short(&i.id))
        .collect();
    let o = Outcome::verdict(
        ids.len() == want,
        tr!(lang, "{} dangling image(s)", "{} 个悬空镜像", ids.len()),
    );
    Ok(if o.passed() {
        o
    } else {
        o.expected(want.to_string()).actual(ids.join(", "))
    })
}

/// Whether image `id` was built on `base`: base's layers first, then more.
async fn based_on(
    ctx: &Ctx<'_>,
    id: &str,
    base: &str,
) -> Result<Result<String, Box<Outcome>>, ObserveError> {
    let lang = ctx.lang;
    let Some(base_img) = ctx.machine.docker.inspect_image(base).await? else {
        return Ok(Err(Box::new(Outcome::fail(tr!(
            lang,
            "cannot compare: there is no image {}",
            "无法比较：没有镜像 {}",
            base
        )))));
    };
    let base_layers = base_img.layers;
    // Every image starts with no layers: an answer without the base's
    // proves nothing.
    if base_layers.is_empty() {
        return Ok(Err(Box::new(Outcome::error(tr!(
            lang,
            "lab cannot tell whether it was built FROM {}: `docker image inspect {}` lists no layers for it",
            "lab 无法判断它是否基于 {}（FROM）构建：`docker image inspect {}` 没有列出它的任何层",
            base,
            base
        )))));
    }
    let Some(own) = ctx.machine.docker.inspect_image(id).await? else {
        return Ok(Err(Box::new(Outcome::fail(tr!(
            lang,
            "image {} vanished while lab looked at it",
            "lab 检查期间镜像 {} 被删除了",
            short(id)
        )))));
    };
    let own = own.layers;
    if own.len() > base_layers.len() && own.starts_with(&base_layers) {
        return Ok(Ok(tr!(
            lang,
            "built on {} with {} layer(s) of its own",
            "基于 {} 构建，新增 {} 层",
            base,
            own.len() - base_layers.len()
        )));
    }
    if own == base_layers {
        return Ok(Err(Box::new(Outcome::fail(tr!(
            lang,
            "it has exactly the layers of {}: nothing was added on top (commit a container in which something changed)",
            "它的层与 {} 完全相同：上面没有添加任何内容（请提交一个有改动的容器）",
            base
        )))));
    }
    Ok(Err(Box::new(
        Outcome::fail(tr!(
            lang,
            "it was not built FROM {}",
            "它不是基于 {}（FROM）构建的",
            base
        ))
        .expected(tr!(
            lang,
            "the {} layers of {} first, then at least one more",
            "先是 {1} 的 {0} 层，再加至少一层",
            base_layers.len(),
            base
        ))
        .actual(tr!(
            lang,
            "{} layers, {} of them shared in order",
            "共 {} 层，其中按顺序相同的有 {} 层",
            own.len(),
            own.iter()
                .zip(&base_layers)
                .take_while(|(a, b)| a == b)
                .count()
        )),
    )))
}

impl Probe for Image {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        if let (Some(repo), Some(n)) = (&self.repository, self.count) {
            return self.count(ctx, &ctx.expand(repo), n).await;
        }
        if let Some(n) = self.dangling {
            return dangling(ctx, n).await;
        }
        let Some(r) = &self.reference else {
            return Ok(Outcome::error("image check without `ref`"));
        };
        let want = normalize(&ctx.expand(r));
        let found = ctx
            .machine
            .docker
            .images()
            .await?
            .iter()
            .find(|i| i.repo_tags.iter().any(|t| normalize(t) == want));
        let Some(img) = found else {
            let msg = tr!(lang, "there is no image {}", "没有镜像 {}", want);
            return Ok(if self.present {
                Outcome::fail(msg)
                    .expected(tr!(lang, "image {} present", "存在镜像 {}", want))
                    .actual(tr!(lang, "absent", "不存在"))
            } else {
                Outcome::pass(msg)
            });
        };
        if !self.present {
            return Ok(Outcome::fail(tr!(
                lang,
                "image {} is still present (id {})",
                "镜像 {} 仍然存在（ID {}）",
                want,
                short(&img.id)
            ))
            .expected(tr!(lang, "no image {}", "没有镜像 {}", want))
            .actual(tr!(
                lang,
                "{} with id {}",
                "{}，ID 为 {}",
                want,
                short(&img.id)
            )));
        }
        let mut seen = vec![tr!(
            lang,
            "image {} is present (id {})",
            "存在镜像 {}（ID {}）",
            want,
            short(&img.id)
        )];
        if let Some(other) = &self.same_id_as {
            let other = normalize(&ctx.expand(other));
            match reference::image_id(ctx, &other).await? {
                Some((id, _)) if id == img.id => {
                    seen.push(tr!(lang, "same id as {}", "与 {} 的 ID 相同", other))
                }
                Some((id, how)) => {
                    let when = if how == Seen::Live {
                        ""
                    } else {
                        lang.pick(" (when it existed)", "（它还存在时）")
                    };
                    return Ok(Outcome::fail(tr!(
                        lang,
                        "{} and {} are different images",
                        "{} 和 {} 是不同的镜像",
                        want,
                        other
                    ))
                    .expected(tr!(
                        lang,
                        "{} has the id of {}: {}{}",
                        "{} 的 ID 与 {} 相同：{}{}",
                        want,
                        other,
                        short(&id),
                        when
                    ))
                    .actual(tr!(
                        lang,
                        "{} has id {}",
                        "{} 的 ID 是 {}",
                        want,
                        short(&img.id)
                    )));
                }
                None => {
                    return Ok(Outcome::fail(tr!(
                        lang,
                        "cannot compare: there is no image {}",
                        "无法比较：没有镜像 {}",
                        other
                    ))
                    .expected(tr!(
                        lang,
                        "{} and {} share one id",
                        "{} 和 {} 共用同一个 ID",
                        want,
                        other
                    )))
                }
            }
        }
        if let Some(base) = &self.based_on {
            match based_on(ctx, &img.id, &normalize(&ctx.expand(base))).await? {
                Ok(line) => seen.push(line),
                Err(failed) => return Ok(*failed),
            }
        }
        if !self.inspect.is_empty() {
            let Some(doc) = ctx.machine.docker.inspect_image(&img.id).await? else {
                return Ok(Outcome::fail(tr!(
                    lang,
                    "image {} vanished while lab looked at it",
                    "lab 检查期间镜像 {} 被删除了",
                    want
                )));
            };
            let doc = doc.document;
            match matcher::check_all(
                &self.inspect,
                &doc,
                &format!("`docker inspect {want}`"),
                lang,
            ) {
                Ok(s) => seen.extend(s),
                Err(failed) => return Ok(*failed),
            }
        }
        Ok(Outcome::pass(seen.join("; ")))
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        let mut out: Vec<crate::lang::Text> =
            self.inspect.iter().flat_map(FieldMatch::lint).collect();
        match (&self.reference, &self.repository, self.count, self.dangling) {
            (Some(_), None, None, None)
            | (None, Some(_), Some(_), None)
            | (None, None, None, Some(_)) => {}
            _ => out.push(crate::text!(
                "an image check needs `ref`, or `repository` with `count`, or `dangling` alone",
                "镜像检查需要 `ref`，或者 `repository` 加 `count`，或者只写 `dangling`"
            )),
        }
        out
    }

    fn undone_by(&self, vars: &Vars, command: &str) -> bool {
        let Some(r) = &self.reference else {
            return false;
        };
        let want = normalize(&vars.expand(r));
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "docker") else {
            return false;
        };
        let args = &words[at + 1..];
        let names = |from: usize| {
            args.iter()
                .skip(from)
                .any(|w| !w.starts_with('-') && normalize(w) == want)
        };
        match (self.present, args) {
            // Brought back: pulled, run (which pulls), tagged or built as R.
            (false, ["pull", ..] | ["run", ..] | ["build", ..]) => names(1),
            (false, ["tag", _, dst, ..] | ["image", "tag", _, dst, ..]) => normalize(dst) == want,
            // Taken away.
            (true, ["rmi", ..]) => names(1),
            (true, ["image", "rm", ..]) => names(2),
            _ => false,
        }
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        if let (Some(repo), Some(n)) = (&self.repository, self.count) {
            return tr!(
                lang,
                "`docker images {}` lists {} image(s)",
                "`docker images {}` 列出 {} 个镜像",
                vars.expand(repo),
                n
            );
        }
        if let Some(n) = self.dangling {
            return tr!(
                lang,
                "{} dangling image(s) are left",
                "剩余 {} 个悬空镜像",
                n
            );
        }
        let r = normalize(&vars.expand(self.reference.as_deref().unwrap_or("")));
        if !self.present {
            return tr!(lang, "there is no image {}", "没有镜像 {}", r);
        }
        let mut s = tr!(lang, "image {} is present", "存在镜像 {}", r);
        if let Some(o) = &self.same_id_as {
            s.push_str(&tr!(
                lang,
                ", the same image as {}",
                "，与 {} 是同一个镜像",
                normalize(&vars.expand(o))
            ));
        }
        if let Some(b) = &self.based_on {
            s.push_str(&tr!(
                lang,
                ", built from {}",
                "，基于 {} 构建",
                normalize(&vars.expand(b))
            ));
        }
        for f in &self.inspect {
            s.push_str(&format!("; {}", f.path));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    use serde_json::json;

    /// `docker images -a` listing `test:01` (sha256:bbb) and `ubuntu:18.04`
    /// (sha256:aaa).
    fn listed() -> serde_json::Value {
        let one = |id: &str, tag: &str| {
            json!({"Id": id, "ParentId": "", "RepoTags": [tag], "RepoDigests": [],
                "Created": 1, "Size": 1, "SharedSize": -1, "Labels": {}, "Containers": -1})
        };
        json!([
            one("sha256:bbb", "test:01"),
            one("sha256:aaa", "ubuntu:18.04")
        ])
    }

    fn layers(ids: &[&str]) -> Option<serde_json::Value> {
        Some(json!({"RootFS": {"Type": "layers", "Layers": ids}}))
    }

    const BASED: &str = r#"{ id: i, image: { ref: "test:01", based_on: "ubuntu:18.04" } }"#;

    #[test]
    fn an_image_with_a_layer_on_its_base_passes_and_a_copy_of_it_fails() {
        let m = Machine::fake()
            .images(listed())
            .image("ubuntu:18.04", layers(&["sha256:l1"]))
            .image("sha256:bbb", layers(&["sha256:l1", "sha256:l2"]))
            .build();
        let o = outcome(BASED, &m);
        assert_outcome(
            &o,
            Status::Pass,
            "built on ubuntu:18.04 with 1 layer(s) of its own",
        );
        let copy = Machine::fake()
            .images(listed())
            .image("ubuntu:18.04", layers(&["sha256:l1"]))
            .image("sha256:bbb", layers(&["sha256:l1"]))
            .build();
        let o = outcome(BASED, &copy);
        assert_outcome(&o, Status::Fail, "nothing was added on top");
    }

    /// Every image starts with no layers: a base whose answer lists none
    /// is no proof (it passed on it).
    #[test]
    fn a_base_without_layers_in_its_answer_is_no_proof() {
        let m = Machine::fake()
            .images(listed())
            .image("ubuntu:18.04", Some(json!({"Id": "sha256:aaa"})))
            .image("sha256:bbb", layers(&["sha256:l1", "sha256:l2"]))
            .build();
        let o = outcome(BASED, &m);
        assert_outcome(
            &o,
            Status::Error,
            "lab cannot tell whether it was built FROM ubuntu:18.04",
        );
    }

    /// An image gone between the list and its inspection has no layers to
    /// compare: it was reported as "not built FROM" the base.
    #[test]
    fn an_image_gone_before_its_layers_are_read_is_said_so() {
        let m = Machine::fake()
            .images(listed())
            .image("ubuntu:18.04", layers(&["sha256:l1"]))
            .image("sha256:bbb", None)
            .build();
        let o = outcome(BASED, &m);
        assert_outcome(
            &o,
            Status::Fail,
            "image bbb vanished while lab looked at it",
        );
    }

    /// "No such image" needs the daemon's list: without it, no pass.
    #[test]
    fn an_image_that_must_be_gone_passes_only_on_the_daemons_list() {
        let gone = r#"{ id: i, image: { ref: "httpd:latest", present: false } }"#;
        let o = outcome(gone, &Machine::fake().build());
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
        let o = outcome(gone, &Machine::fake().images(json!([])).build());
        assert_outcome(&o, Status::Pass, "there is no image httpd:latest");
        let there = r#"{ id: i, image: { ref: "ubuntu:18.04", present: false } }"#;
        let o = outcome(there, &Machine::fake().images(listed()).build());
        assert_outcome(
            &o,
            Status::Fail,
            "image ubuntu:18.04 is still present (id aaa)",
        );
        let none = r#"{ id: i, image: { repository: tomcat, count: 0 } }"#;
        let o = outcome(none, &Machine::fake().build());
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
        let o = outcome(
            r#"{ id: i, image: { dangling: 0 } }"#,
            &Machine::fake().build(),
        );
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
    }

    fn image(yaml: &str) -> Image {
        serde_yaml_ng::from_str(yaml).expect("an image check")
    }

    #[test]
    fn later_commands_that_bring_an_image_back_or_take_it_away() {
        let vars = Vars::default();
        let gone = image("{ ref: 'ubuntu:18.04', present: false }");
        for undoes in [
            "docker pull ubuntu:18.04",
            "docker run -it ubuntu:18.04 /bin/bash",
            "docker tag abc ubuntu:18.04",
            "sudo docker build -t ubuntu:18.04 .",
        ] {
            assert!(gone.undone_by(&vars, undoes), "{undoes}");
        }
        for keeps in [
            "docker pull ubuntu",
            "docker rmi ubuntu:18.04",
            "docker run ubuntu",
        ] {
            assert!(!gone.undone_by(&vars, keeps), "{keeps}");
        }
        let there = image("{ ref: tomcat }");
        assert!(there.undone_by(&vars, "docker rmi tomcat:latest"));
        assert!(there.undone_by(&vars, "docker image rm -f tomcat"));
        assert!(!there.undone_by(&vars, "docker pull tomcat"));
    }
}
