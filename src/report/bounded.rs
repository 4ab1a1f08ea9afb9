//! What one outcome may carry: a learner's file can hold a 1 MB URL or
//! 350,000 mistakes, and a report echoes what it found. Every outcome is
//! clipped once, where checks are evaluated (`checks::evaluate`): each text
//! to [`MAX_CHARS`] characters (its start and its end kept), at most
//! [`MAX_WARNINGS`] warnings (the rest counted). The journal records the
//! clipped evidence too.

use super::{Evidence, Outcome};
use crate::lang::Lang;
use crate::tr;

/// The most characters of one message, expected/actual value or detail.
pub const MAX_CHARS: usize = 1000;
/// Kept from a clipped text's end (its start gets the rest).
const TAIL: usize = 200;
/// The most warnings one outcome lists.
pub const MAX_WARNINGS: usize = 12;

impl Outcome {
    /// This outcome within the bounds above, said where it was cut.
    pub fn bounded(mut self, lang: Lang) -> Outcome {
        clip(&mut self.message, lang);
        for s in self.expected.iter_mut().chain(self.actual.iter_mut()) {
            clip(s, lang);
        }
        if let Some(
            Evidence::Live { detail }
            | Evidence::Event { detail, .. }
            | Evidence::Journal { detail, .. },
        ) = &mut self.evidence
        {
            clip(detail, lang);
        }
        if self.warnings.len() > MAX_WARNINGS {
            let more = self.warnings.len() - (MAX_WARNINGS - 1);
            self.warnings.truncate(MAX_WARNINGS - 1);
            self.warnings.push(tr!(
                lang,
                "… and {} more warnings",
                "……另有 {} 条警告",
                more
            ));
        }
        for w in &mut self.warnings {
            clip(w, lang);
        }
        self
    }
}

/// Cuts the middle out of `s` if it has more than [`MAX_CHARS`] characters.
fn clip(s: &mut String, lang: Lang) {
    let Some((head_end, _)) = s.char_indices().nth(MAX_CHARS) else {
        return;
    };
    let chars = s.chars().count();
    let keep_head = MAX_CHARS - TAIL;
    let head = s.char_indices().nth(keep_head).map_or(head_end, |(i, _)| i);
    let tail = s
        .char_indices()
        .nth(chars - TAIL)
        .map_or(s.len(), |(i, _)| i);
    let cut = chars - keep_head - TAIL;
    let marker = tr!(
        lang,
        " … ({} characters left out) … ",
        " ……（省略了 {} 个字符）…… ",
        crate::lang::grouped(cut)
    );
    *s = format!("{}{marker}{}", &s[..head], &s[tail..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_keeps_its_start_and_end_and_says_how_much_was_cut() {
        let url = format!("http://a{}b", "，".repeat(340_000));
        let o = Outcome::fail(format!("mirror {url} does not answer")).bounded(Lang::En);
        assert!(
            o.message.chars().count() < MAX_CHARS + 60,
            "{}",
            o.message.len()
        );
        assert!(o.message.starts_with("mirror http://a，"));
        assert!(o.message.ends_with("，b does not answer"));
        assert!(
            o.message.contains("(339,032 characters left out)"),
            "{}",
            o.message
        );
        let zh = Outcome::fail(url).bounded(Lang::ZhCn);
        assert!(zh.message.contains("省略了"), "{}", zh.message);
    }

    #[test]
    fn short_texts_and_few_warnings_are_untouched() {
        let mut o = Outcome::pass("tomcat:8.0 is present");
        o.warnings = vec!["w".into(); MAX_WARNINGS];
        assert_eq!(o.clone().bounded(Lang::En), o);
        let exact = "x".repeat(MAX_CHARS);
        assert_eq!(
            Outcome::fail(exact.clone()).bounded(Lang::En).message,
            exact
        );
    }

    #[test]
    fn many_warnings_are_counted_and_evidence_is_clipped() {
        let mut o = Outcome::pass("y".repeat(5000));
        o.warnings = vec!["w".into(); 1000];
        let o = o.bounded(Lang::En);
        assert_eq!(o.warnings.len(), MAX_WARNINGS);
        assert_eq!(o.warnings.last().unwrap(), "… and 989 more warnings");
        let Some(Evidence::Live { detail }) = &o.evidence else {
            panic!("live evidence")
        };
        assert!(detail.chars().count() < MAX_CHARS + 60);
    }
}
