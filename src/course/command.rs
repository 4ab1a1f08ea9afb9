//! A command the learner types, as a step shows it: one string for both
//! languages, or `{en: ..., zh-CN: ...}` when it has a placeholder the
//! learner replaces (`<CONTAINER ID>` / `<容器 ID>`).

use crate::lang::{Lang, Text};
use serde::Deserialize;

/// One command of a step.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Command {
    /// The same in both languages (no placeholder to translate).
    Plain(String),
    /// Placeholders in the learner's language.
    Bilingual(Text),
}

impl Command {
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Command::Plain(s) => s,
            Command::Bilingual(t) => t.get(lang),
        }
    }

    /// The `<...>` placeholders of the zh-CN form that have no Chinese in
    /// them: a zh-CN learner should read what to put there in Chinese.
    pub fn untranslated_placeholders(&self) -> Vec<String> {
        english_placeholders(self.get(Lang::ZhCn))
    }
}

/// The `<...>` placeholders of zh-CN text (a lesson's code, a hint) that
/// have no Chinese in them. What Docker itself prints between angle
/// brackets (`<none>`, `<missing>`, `<no value>`), HTML tags and e-mail
/// addresses are not placeholders.
pub fn english_placeholders(zh: &str) -> Vec<String> {
    const DOCKER_SAYS: &[&str] = &["<none>", "<missing>", "<no value>"];
    const HTML: &[&str] = &[
        "html", "head", "title", "body", "h1", "h2", "h3", "p", "div", "span", "a", "br", "pre",
        "code", "ul", "li",
    ];
    placeholders(zh)
        .into_iter()
        .filter(|p| !p.chars().any(is_chinese))
        .filter(|p| !DOCKER_SAYS.contains(p))
        .filter(|p| {
            let inner = &p[1..p.len() - 1];
            !(inner.starts_with(['/', '!'])
                || inner.contains('@')
                || HTML.contains(&inner.split(' ').next().unwrap_or("")))
        })
        .map(str::to_string)
        .collect()
}

fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}')
}

/// `<...>` spans with a letter inside (not `<<`, `< file`, `2>&1`).
fn placeholders(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = cmd;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let inner = &after[..end];
        if !inner.is_empty()
            && !inner.starts_with([' ', '<'])
            && inner.chars().any(|c| c.is_alphabetic())
        {
            out.push(&rest[start..start + end + 2]);
        }
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_a_string_or_both_languages() {
        let plain: Command = serde_yaml_ng::from_str("docker ps -a").expect("plain");
        assert_eq!(plain.get(Lang::ZhCn), "docker ps -a");
        let both: Command = serde_yaml_ng::from_str(
            "{en: 'docker rm <CONTAINER ID>', zh-CN: 'docker rm <容器 ID>'}",
        )
        .expect("both");
        assert_eq!(both.get(Lang::En), "docker rm <CONTAINER ID>");
        assert_eq!(both.get(Lang::ZhCn), "docker rm <容器 ID>");
        assert!(both.untranslated_placeholders().is_empty());
    }

    #[test]
    fn english_placeholders_in_the_zh_form_are_found() {
        let plain = Command::Plain("docker rm <CONTAINER ID> 2>&1 < in".into());
        assert_eq!(plain.untranslated_placeholders(), ["<CONTAINER ID>"]);
        assert!(Command::Plain("cat <<EOF".into())
            .untranslated_placeholders()
            .is_empty());
    }

    #[test]
    fn what_docker_prints_and_html_are_not_placeholders() {
        assert_eq!(
            english_placeholders("\"https://<your-id>.mirror.aliyuncs.com\""),
            ["<your-id>"]
        );
        assert!(english_placeholders("https://<你的加速器ID>.mirror.aliyuncs.com").is_empty());
        assert!(english_placeholders(
            "<none>  <none> <missing> <no value> <html><h1>x</h1></html> <!DOCTYPE html> <a@b>"
        )
        .is_empty());
    }
}
