//! The learner's language and bilingual text.
//!
//! Every word a learner reads exists in zh-CN and en. Course files carry both
//! (`Text`); messages built by the engine pick one with [`Lang::pick`].

use serde::{Deserialize, Serialize};

/// The two languages of the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[value(name = "en")]
    #[serde(rename = "en")]
    En,
    #[value(name = "zh-CN", alias = "zh", alias = "zh_CN")]
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// The language a POSIX locale asks for: LC_ALL, then LC_MESSAGES, then
    /// LANG (the first one set and non-empty wins); `zh*` means zh-CN.
    pub fn from_env() -> Lang {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let locale = var("LC_ALL")
            .or_else(|| var("LC_MESSAGES"))
            .or_else(|| var("LANG"));
        Lang::from_locale(locale.as_deref().unwrap_or(""))
    }

    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    /// Picks the string for this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }

    /// The folder name under `content/` and the code used in reports.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

/// A piece of course text in both languages.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.en, &self.zh_cn)
    }
}

/// A message in both languages, as a `lang::Text`: `text!("en {}", "zh {}", x)`
/// (what `lab validate` says of a check kind's own fields).
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        $crate::lang::Text {
            en: format!($en $(, $arg)*),
            zh_cn: format!($zh $(, $arg)*),
        }
    };
}

/// Formats a message in the learner's language: `tr!(lang, "en {x}", "zh {x}")`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::lang::Lang::En => format!($en $(, $arg)*),
            $crate::lang::Lang::ZhCn => format!($zh $(, $arg)*),
        }
    };
}

/// 899998 → "899,998" (both languages write counts so).
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_maps_to_language() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::ZhCn);
        assert_eq!(Lang::from_locale("zh_TW"), Lang::ZhCn);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn tr_picks_the_language() {
        assert_eq!(
            tr!(Lang::ZhCn, "pulled {}", "已拉取 {}", "tomcat"),
            "已拉取 tomcat"
        );
        assert_eq!(
            tr!(Lang::En, "pulled {}", "已拉取 {}", "tomcat"),
            "pulled tomcat"
        );
    }
}
