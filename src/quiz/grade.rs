//! Grading one answer. Live questions read their right answer from the
//! machine through the same read-only Docker view the checks use.

use crate::checks::{lookup, show};
use crate::course::quiz::{Form, Live, Question};
use crate::lang::Lang;
use crate::machine::{Machine, ObserveError};
use crate::tr;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Right,
    /// With what would have been accepted: the right options, or the short
    /// answers (each way of typing a live value; a pattern's `accepted`).
    Wrong {
        right: String,
    },
    /// The machine could not say what the right answer is.
    Unknown(String),
}

/// Case, spaces, full-width characters typed with a Chinese input method
/// (`ｂ`, `２０．１０`), a closing full stop (`。`) and a trailing slash do
/// not matter in a short answer.
fn fold(s: &str) -> String {
    let narrow: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '。' => '.',
            c => c,
        })
        .collect();
    narrow
        .trim()
        .trim_end_matches(['.', '!', '?', '/'])
        .trim()
        .to_lowercase()
}

/// The ways a live value may be typed, as shown to the learner: as the
/// daemon reports it, and without a distribution's build suffix
/// (`20.10.24+dfsg1` → `20.10.24`) or a mirror's trailing slash.
fn shown_forms(value: &str) -> Vec<String> {
    let v = value.trim();
    let mut forms = vec![v.to_string()];
    match v.split_once('+') {
        Some((plain, _)) if !plain.is_empty() => forms.push(plain.to_string()),
        _ => {}
    }
    if let Some(bare) = v.strip_suffix('/').filter(|b| !b.is_empty()) {
        forms.push(bare.to_string());
    }
    forms
}

/// The same ways, folded as answers are.
fn accepted(value: &str) -> Vec<String> {
    let mut forms: Vec<String> = shown_forms(value).iter().map(|f| fold(f)).collect();
    forms.dedup();
    forms
}

/// Why a live question cannot be asked on this machine now, and what to
/// do: its image is not there (pull it), or the daemon does not answer.
/// Asked before the question, so nobody answers what cannot be checked.
pub async fn unanswerable(
    q: &Question,
    machine: &Machine,
    expand: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Option<String> {
    let live = q.live.as_ref()?;
    let daemon = |e: ObserveError| {
        tr!(
            lang,
            "its answer comes from your Docker daemon, which lab cannot ask: {}",
            "它的答案来自你的 Docker 守护进程，而 lab 无法查询它：{}",
            e.text(lang)
        )
    };
    if let Some(image) = &live.image {
        let image = expand(image);
        return match machine.docker.inspect_image(&image).await {
            Ok(Some(_)) => None,
            Ok(None) => Some(tr!(
                lang,
                "it asks about the image {} on your machine, and there is none: pull it first (`docker pull {}`)",
                "它问的是你机器上的镜像 {}，但本机没有这个镜像：请先拉取（`docker pull {}`）",
                image,
                image
            )),
            Err(e) => Some(daemon(e)),
        };
    }
    let asked = match (&live.info, &live.version) {
        (Some(_), _) => machine.docker.info().await.map(|_| ()),
        (_, Some(_)) => machine.docker.version().await.map(|_| ()),
        _ => Ok(()),
    };
    asked.err().map(daemon)
}

/// The letters a learner typed: `a, c` / `a c` / `ac` / `A,C` / `ｂ。`.
fn letters(given: &str) -> Vec<String> {
    let given = &fold(given);
    let mut ids: Vec<String> = if given.contains([',', ' ', '，', '、']) {
        given
            .split([',', ' ', '，', '、'])
            .map(fold)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        given
            .trim()
            .chars()
            .map(|c| c.to_lowercase().to_string())
            .collect()
    };
    ids.sort();
    ids.dedup();
    ids
}

/// The values a live answer may take: an object's keys, an array's items,
/// or the value itself.
fn values(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(a) => a.iter().map(show).collect(),
        other => vec![show(other)],
    }
}

async fn live_value(
    live: &Live,
    machine: &Machine,
    expand: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Result<Value, String> {
    let (doc, path) = match (&live.info, &live.version, &live.image, &live.inspect) {
        (Some(path), ..) => (
            machine.docker.info().await.map(|i| i.document.clone()),
            path,
        ),
        (_, Some(path), ..) => (
            machine.docker.version().await.map(|v| v.document.clone()),
            path,
        ),
        (_, _, Some(image), Some(path)) => match machine.docker.inspect_image(&expand(image)).await
        {
            Ok(Some(i)) => (Ok(i.document), path),
            Ok(None) => {
                return Err(tr!(
                    lang,
                    "there is no image {} (pull it: `docker pull {}`)",
                    "没有镜像 {}（请先拉取：`docker pull {}`）",
                    expand(image),
                    expand(image)
                ))
            }
            Err(e) => (Err(e), path),
        },
        _ => {
            return Err(lang
                .pick(
                    "the question says nowhere to read its answer",
                    "这道题没有说明从哪里读取答案",
                )
                .to_string())
        }
    };
    let doc = doc.map_err(|e: ObserveError| e.text(lang))?;
    lookup(&doc, path).cloned().ok_or_else(|| {
        tr!(
            lang,
            "the daemon reports no `{}`",
            "守护进程没有报告 `{}`",
            path
        )
    })
}

pub async fn grade(
    q: &Question,
    given: &str,
    machine: &Machine,
    expand: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Verdict {
    let live = match &q.live {
        Some(l) => match live_value(l, machine, expand, lang).await {
            Ok(v) if values(&v).is_empty() => {
                return Verdict::Unknown(tr!(
                    lang,
                    "{} is empty on this machine",
                    "本机的 {} 为空",
                    l.info
                        .as_deref()
                        .or(l.version.as_deref())
                        .or(l.inspect.as_deref())
                        .unwrap_or("?")
                ))
            }
            Ok(v) => Some(values(&v)),
            Err(why) => return Verdict::Unknown(why),
        },
        None => None,
    };
    let option_text = |id: &str| {
        q.options
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.text.get(lang).to_string())
            .unwrap_or_default()
    };
    match q.form() {
        Form::Short => {
            let ok = match (&q.pattern, &live) {
                (Some(p), _) => [given.trim(), &fold(given)]
                    .iter()
                    .any(|g| crate::checks::is_match(p, g)),
                (None, Some(vals)) => vals.iter().any(|v| accepted(v).contains(&fold(given))),
                _ => false,
            };
            let right = match (&live, &q.accepted) {
                (Some(vals), _) => {
                    let mut forms: Vec<String> = Vec::new();
                    for v in vals {
                        for f in shown_forms(v) {
                            if !forms.contains(&f) {
                                forms.push(f);
                            }
                        }
                    }
                    forms
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(lang.pick(", ", "、"))
                }
                (None, Some(a)) => a.get(lang).to_string(),
                (None, None) => String::new(),
            };
            if ok {
                Verdict::Right
            } else {
                Verdict::Wrong { right }
            }
        }
        Form::Single | Form::Multiple => {
            let mut want: Vec<String> = match (&q.answer, &live) {
                (Some(a), _) => a.ids(),
                (None, Some(vals)) => q
                    .options
                    .iter()
                    .filter(|o| vals.iter().any(|v| fold(v) == fold(&o.text.en)))
                    .map(|o| o.id.clone())
                    .collect(),
                _ => Vec::new(),
            };
            want.sort();
            if letters(given) == want {
                Verdict::Right
            } else {
                let right = want
                    .iter()
                    .map(|id| format!("{id}) {}", option_text(id)))
                    .collect::<Vec<_>>()
                    .join("; ");
                Verdict::Wrong { right }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_answers_forgive_full_width_characters_and_build_suffixes() {
        assert_eq!(fold("ｏｖｅｒｌａｙ２。"), "overlay2");
        assert_eq!(fold(" 1.41。 "), "1.41");
        assert!(accepted("20.10.24+dfsg1").contains(&fold("20.10.24")));
        assert!(accepted("20.10.24+dfsg1").contains(&fold("20.10.24+dfsg1")));
        assert!(!accepted("20.10.24+dfsg1").contains(&fold("20.10")));
        assert_eq!(accepted("+x"), vec!["+x".to_string()]);
        assert_eq!(
            shown_forms("20.10.24+dfsg1"),
            vec!["20.10.24+dfsg1", "20.10.24"]
        );
        assert_eq!(
            shown_forms("https://docker.m.daocloud.io/"),
            vec![
                "https://docker.m.daocloud.io/",
                "https://docker.m.daocloud.io"
            ]
        );
        assert!(accepted("20.10.24+dfsg1").contains(&fold("２０．１０．２４。")));
        assert!(accepted("1.41").contains(&fold(" 1.41. ")));
        assert_eq!(letters("ｂ"), vec!["b"]);
        assert_eq!(letters("b。"), vec!["b"]);
        assert_eq!(letters("Ａ，Ｃ"), vec!["a", "c"]);
    }

    #[test]
    fn letters_accept_the_usual_ways_of_typing_several() {
        assert_eq!(letters("a, c"), vec!["a", "c"]);
        assert_eq!(letters("C A"), vec!["a", "c"]);
        assert_eq!(letters("ac"), vec!["a", "c"]);
        assert_eq!(letters("a，c"), vec!["a", "c"]);
        assert_eq!(letters(" b "), vec!["b"]);
        assert!(letters("").is_empty());
    }

    #[test]
    fn live_values_are_keys_items_or_the_value() {
        let ports = serde_json::json!({"3306/tcp": {}, "33060/tcp": {}});
        let mut v = values(&ports);
        v.sort();
        assert_eq!(v, vec!["3306/tcp", "33060/tcp"]);
        assert_eq!(values(&serde_json::json!(["http://a/"])), vec!["http://a/"]);
        assert_eq!(values(&serde_json::json!(7)), vec!["7"]);
        assert_eq!(fold(" HTTP://A/ "), "http://a");
    }
}
