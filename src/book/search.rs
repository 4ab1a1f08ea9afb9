//! The client-side search index, built at build time. Chinese has no spaces
//! between words, so a Han run becomes its overlapping bigrams (镜像加速 →
//! 镜像 像加 加速) and a query matches when all its bigrams do; Latin text is
//! split into words. theme/search.js tokenises queries by the same rules.

use serde::Serialize;
use std::collections::BTreeMap;

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// The tokens of a text: lowercase Latin/digit words (letters: at least 2
/// chars; digits: any), and Han bigrams (a lone Han char is a token).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut han: Vec<char> = Vec::new();
    let flush_word = |w: &mut String, out: &mut Vec<String>| {
        if w.chars().count() >= 2 || w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty() {
            out.push(std::mem::take(w));
        }
        w.clear();
    };
    let flush_han = |h: &mut Vec<char>, out: &mut Vec<String>| {
        match h.len() {
            0 => {}
            1 => out.push(h[0].to_string()),
            _ => out.extend(h.windows(2).map(|p| p.iter().collect())),
        }
        h.clear();
    };
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_han(c) {
            flush_word(&mut word, &mut out);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut out);
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
            flush_han(&mut han, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_han(&mut han, &mut out);
    out
}

/// One searchable section of a page.
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    /// Relative to the book root: `zh-CN/task2.html#步骤-3`.
    pub href: String,
    pub page: String,
    pub title: String,
    pub text: String,
}

#[derive(Serialize)]
struct Index<'a> {
    docs: &'a [Doc],
    index: BTreeMap<String, Vec<(usize, usize)>>,
}

/// `searchindex.js` for one language: sets `window.LAB_SEARCH`, so that the
/// book searches from file:// too (no fetch).
pub fn script(docs: &[Doc]) -> String {
    let mut index: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for t in tokenize(&format!("{} {}", d.title, d.text)) {
            *counts.entry(t).or_default() += 1;
        }
        for (t, n) in counts {
            index.entry(t).or_default().push((i, n));
        }
    }
    let json = serde_json::to_string(&Index { docs, index }).unwrap_or_else(|_| "{}".into());
    // `</script>` cannot occur in JSON strings we write, but keep the file
    // safe to inline anyway.
    format!("window.LAB_SEARCH = {};\n", json.replace("</", "<\\/"))
}

#[cfg(test)]
mod tests {
    use super::tokenize;

    #[test]
    fn chinese_becomes_bigrams_and_latin_words() {
        assert_eq!(tokenize("镜像加速"), vec!["镜像", "像加", "加速"]);
        assert_eq!(tokenize("Registry Mirror"), vec!["registry", "mirror"]);
        assert_eq!(
            tokenize("配置镜像加速（registry mirror）。"),
            vec!["配置", "置镜", "镜像", "像加", "加速", "registry", "mirror"]
        );
        assert_eq!(tokenize("tomcat:8.0 a 镜"), vec!["tomcat", "8", "0", "镜"]);
    }

    #[test]
    fn a_query_is_found_when_all_its_tokens_are_in_the_text() {
        let text: std::collections::HashSet<String> =
            tokenize("在 /etc/docker/daemon.json 中配置镜像加速器地址")
                .into_iter()
                .collect();
        assert!(tokenize("镜像加速").iter().all(|t| text.contains(t)));
        assert!(!tokenize("镜像仓库").iter().all(|t| text.contains(t)));
    }
}
