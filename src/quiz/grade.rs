//! Grading one answer. Live questions read their right answer from the
//! machine through the same read-only Docker view the checks use.

use crate::checks::{lookup, show};
use crate::course::quiz::{Form, Live, Question};
use crate::lang::Lang;
use crate::machine::{Machine, ObserveError};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Right,
    /// With the right answer, as the learner should have typed it.
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

/// The ways a live value may be typed: as the daemon reports it, and
/// without a distribution's build suffix (`20.10.24+dfsg1` → `20.10.24`).
fn accepted(value: &str) -> Vec<String> {
    let v = fold(value);
    match v.split_once('+') {
        Some((plain, _)) if !plain.is_empty() => vec![v.clone(), plain.to_string()],
        _ => vec![v],
    }
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
) -> Result<Value, String> {
    let (doc, path) = match (&live.info, &live.version, &live.image, &live.inspect) {
        (Some(path), ..) => (
            machine
                .docker
                .info()
                .await
                .map(|i| serde_json::to_value(i).unwrap_or_default()),
            path,
        ),
        (_, Some(path), ..) => (
            machine
                .docker
                .version()
                .await
                .map(|v| serde_json::to_value(v).unwrap_or_default()),
            path,
        ),
        (_, _, Some(image), Some(path)) => match machine.docker.inspect_image(&expand(image)).await
        {
            Ok(Some(i)) => (Ok(serde_json::to_value(i).unwrap_or_default()), path),
            Ok(None) => return Err(format!("there is no image {}", expand(image))),
            Err(e) => (Err(e), path),
        },
        _ => return Err("the question says nowhere to read its answer".into()),
    };
    let doc = doc.map_err(|e: ObserveError| e.to_string())?;
    lookup(&doc, path)
        .cloned()
        .ok_or_else(|| format!("the daemon reports no `{path}`"))
}

pub async fn grade(
    q: &Question,
    given: &str,
    machine: &Machine,
    expand: &dyn Fn(&str) -> String,
    lang: Lang,
) -> Verdict {
    let live = match &q.live {
        Some(l) => match live_value(l, machine, expand).await {
            Ok(v) if values(&v).is_empty() => {
                return Verdict::Unknown(format!(
                    "{} is empty on this machine",
                    l.info
                        .as_deref()
                        .or(l.version.as_deref())
                        .or(l.inspect.as_deref())
                        .unwrap_or("the answer")
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
            let right = match &live {
                Some(vals) => vals.join(" | "),
                None => String::new(),
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
