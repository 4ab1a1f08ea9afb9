//! `book.toml`: one struct. mdBook's `[book]` keys where they mean the same
//! (title, authors, description, language, src), `[build] build-dir` as in
//! mdBook, and `[output.html] theme` for a theme folder. Anything else is an
//! error naming the key and its line.

use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookToml {
    #[serde(default)]
    pub book: Book,
    #[serde(default)]
    pub build: Build,
    #[serde(default)]
    pub output: Output,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Book {
    /// Shown on the root page and in every page's <title> (the course title
    /// from labs/course.yaml is used in each language otherwise).
    pub title: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    pub description: Option<String>,
    /// The language the root page sends readers to: `zh-CN` or `en`.
    pub language: Option<String>,
    /// Where lessons live; lab reads `content/<lang>/`, so only "content".
    pub src: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// Output folder when `--out` is not given (default `book`).
    #[serde(rename = "build-dir")]
    pub build_dir: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    #[serde(default)]
    pub html: Html,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Html {
    /// A folder whose files replace the built-in theme's of the same name
    /// (page.html, index.html, print.html, the partials head.html,
    /// topbar.html and sidebar.html, style.css, book.js, search.js).
    pub theme: Option<String>,
}

/// A problem in book.toml, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl BookToml {
    /// Parses book.toml (`file` names it in errors).
    pub fn parse(file: &str, text: &str) -> Result<BookToml, ConfigError> {
        let cfg: BookToml = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ConfigError {
                file: file.to_string(),
                line,
                message: e.message().trim().to_string(),
            }
        })?;
        let at = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1)
        };
        if let Some(lang) = &cfg.book.language {
            if lang != "en" && lang != "zh-CN" {
                return Err(ConfigError {
                    file: file.into(),
                    line: at("language"),
                    message: format!("language `{lang}`: the course has en and zh-CN"),
                });
            }
        }
        if let Some(src) = &cfg.book.src {
            if src.trim_end_matches('/') != "content" {
                return Err(ConfigError { file: file.into(), line: at("src"), message: format!("src `{src}`: lab reads lessons from content/<lang>/, so src must be \"content\"") });
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mdbook_keys_and_ours_are_read() {
        let c = BookToml::parse("book.toml", "[book]\ntitle = \"T\"\nauthors = [\"a\"]\nlanguage = \"zh-CN\"\nsrc = \"content\"\n[build]\nbuild-dir = \"out\"\n[output.html]\ntheme = \"theme\"\n").unwrap();
        assert_eq!(c.book.title.as_deref(), Some("T"));
        assert_eq!(c.build.build_dir.as_deref(), Some("out"));
        assert_eq!(c.output.html.theme.as_deref(), Some("theme"));
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let e = BookToml::parse("book.toml", "[book]\ntitle = \"T\"\nmultilingual = true\n")
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("unknown field `multilingual`"), "{e}");
        let e = BookToml::parse("book.toml", "[book]\nlanguage = \"fr\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "book.toml:2: language `fr`: the course has en and zh-CN"
        );
        let e = BookToml::parse("book.toml", "[preprocessor.katex]\n").unwrap_err();
        assert!(e.message.contains("preprocessor"), "{e}");
    }
}
