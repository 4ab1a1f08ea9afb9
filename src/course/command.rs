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
        placeholders(self.get(Lang::ZhCn))
            .into_iter()
            .filter(|p| !p.chars().any(is_chinese))
            .map(str::to_string)
            .collect()
    }
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
}
