//! One lesson, Markdown → HTML: headings get ids and anchors, `> **Note**`
//! blockquotes become callouts, links to other lessons (`task2.md`) become
//! `.html` links and must exist, images must exist. Also yields the table of
//! contents and the plain-text sections the search index is built from.

use super::search::Doc;
use crate::course::{links, Problem};
use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Tag, TagEnd};
use std::collections::HashMap;

pub struct Rendered {
    /// The first level-1 heading, which the template shows as the title.
    pub title: Option<String>,
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub sections: Vec<Doc>,
    /// Images the page uses, relative to content/<lang>/.
    pub images: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Callout titles a lesson may open a blockquote with.
const CALLOUTS: &[(&str, &str)] = &[
    ("note", "Note"),
    ("warning", "Warning"),
    ("note", "注意"),
    ("warning", "警告"),
    ("tip", "Tip"),
    ("tip", "提示"),
];

/// A heading's id: lowercase, letters and digits (any script) kept, the
/// rest one dash. Unique within the page (`-1`, `-2` on repeats).
fn slug(text: &str, seen: &mut HashMap<String, usize>) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let base = s.trim_end_matches('-').to_string();
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{}", *n - 1)
    }
}

/// An inline code span: each word (`--no-trunc`, `tomcat:8.0`) in a `.nw`
/// span the stylesheet keeps on one line, so a line breaks between words,
/// never inside one (`-` and `/` are break points for browsers). A word
/// wider than a phone's column (over 40 characters) may still break.
pub(super) fn code_html(code: &str) -> String {
    let mut out = String::from("<code>");
    for (i, word) in code.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let chars = word.chars().count();
        if chars > 1 && chars <= 40 {
            out.push_str(&format!(
                "<span class=\"nw\">{}</span>",
                crate::html::escape(word)
            ));
        } else {
            out.push_str(&crate::html::escape(word));
        }
    }
    out.push_str("</code>");
    out
}

/// Renders `md` (the lesson at `file`, shown in problems, in the course
/// folder `dir`, e.g. `content/en`) for the page at `href` (relative to the
/// book root). `exists` says whether a path relative to the course exists:
/// links and images that lead nowhere are the problems of
/// [`links::dangling`], the linter's own.
pub fn lesson(
    md: &str,
    file: &str,
    dir: &str,
    href: &str,
    page_title: &str,
    exists: &dyn Fn(&str) -> bool,
) -> Result<Rendered, Vec<Problem>> {
    let problems = links::dangling(md, file, dir, exists);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut page = Page::new(href, page_title);
    for ev in crate::markdown::parser(md) {
        page.search_text(&ev);
        let ev = page.inline(ev);
        let Some(ev) = page.heading(ev) else {
            continue;
        };
        let Some(ev) = page.blockquote(ev) else {
            continue;
        };
        page.emit(vec![ev]);
    }
    Ok(page.finish())
}

/// A page being built from a lesson's events, in order.
struct Page<'a> {
    href: &'a str,
    page_title: &'a str,
    /// The page's body so far.
    events: Vec<Event<'a>>,
    toc: Vec<TocEntry>,
    sections: Vec<Doc>,
    images: Vec<String>,
    title: Option<String>,
    /// Heading ids given so far, for [`slug`].
    seen: HashMap<String, usize>,
    /// The heading being read: its level, its inner events, its text.
    heading: Option<(HeadingLevel, Vec<Event<'a>>, String)>,
    /// The blockquote being read: its depth and events, until it is known
    /// whether it is a callout.
    quote: Option<(usize, Vec<Event<'a>>)>,
}

impl<'a> Page<'a> {
    fn new(href: &'a str, page_title: &'a str) -> Page<'a> {
        Page {
            href,
            page_title,
            events: Vec::new(),
            toc: Vec::new(),
            sections: vec![Doc {
                href: href.to_string(),
                page: page_title.to_string(),
                title: page_title.to_string(),
                text: String::new(),
            }],
            images: Vec::new(),
            title: None,
            seen: HashMap::new(),
            heading: None,
            quote: None,
        }
    }

    /// Plain text for search: a heading's own text, else the text of the
    /// section being read.
    fn search_text(&mut self, ev: &Event) {
        if let Event::Text(t) | Event::Code(t) = ev {
            if let Some((_, _, text)) = &mut self.heading {
                text.push_str(t);
            } else if let Some(last) = self.sections.last_mut() {
                last.text.push_str(t);
                last.text.push(' ');
            }
        }
    }

    /// Inline parts: a link to a lesson goes to its page (`task2.md#x` →
    /// `task2.html#x`), an image is noted to be copied, inline code
    /// becomes `.nw` words.
    fn inline(&mut self, ev: Event<'a>) -> Event<'a> {
        match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match links::local(&dest_url, false) {
                    Some(path) if path.ends_with(".md") => {
                        let anchor = dest_url.find('#').map_or("", |i| &dest_url[i..]);
                        CowStr::from(format!("{}.html{anchor}", path.trim_end_matches(".md")))
                    }
                    _ => dest_url,
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                if let Some(path) = links::local(dest_url, true) {
                    self.images.push(path.to_string());
                }
                ev
            }
            Event::Code(code) => Event::InlineHtml(code_html(&code).into()),
            other => other,
        }
    }

    /// Headings: buffered, then emitted with an id and an anchor. `None`
    /// when the event was taken.
    fn heading(&mut self, ev: Event<'a>) -> Option<Event<'a>> {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some((level, Vec::new(), String::new()));
                None
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, inner, text)) = self.heading.take() {
                    self.heading_end(level, start, inner, text);
                }
                None
            }
            ev => match &mut self.heading {
                Some((_, inner, _)) => {
                    inner.push(ev);
                    None
                }
                None => Some(ev),
            },
        }
    }

    /// A whole heading: the first level-1 one is the page's title; the
    /// others get an id, an anchor, and (levels 1-3) a place in the table
    /// of contents and a search section.
    fn heading_end(
        &mut self,
        level: HeadingLevel,
        start: HeadingLevel,
        inner: Vec<Event<'a>>,
        text: String,
    ) {
        if level == HeadingLevel::H1 && self.title.is_none() {
            self.title = Some(text);
            return;
        }
        let id = slug(&text, &mut self.seen);
        let n = start as u8;
        if n <= 3 {
            self.toc.push(TocEntry {
                level: n,
                id: id.clone(),
                text: text.clone(),
            });
            self.sections.push(Doc {
                href: format!("{}#{id}", self.href),
                page: self.page_title.to_string(),
                title: text,
                text: String::new(),
            });
        }
        let mut out = vec![Event::Html(
            format!("<h{n} id=\"{}\">", crate::html::escape(&id)).into(),
        )];
        out.extend(inner);
        out.push(Event::Html(
            format!(
                " <a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n",
                crate::html::escape(&id)
            )
            .into(),
        ));
        self.emit(out);
    }

    /// Blockquotes: buffered, then emitted as a [`callout`] or a quote.
    /// `None` when the event was taken.
    fn blockquote(&mut self, ev: Event<'a>) -> Option<Event<'a>> {
        match ev {
            Event::Start(Tag::BlockQuote(_)) => {
                match &mut self.quote {
                    Some((depth, buf)) => {
                        *depth += 1;
                        buf.push(ev);
                    }
                    None => self.quote = Some((1, Vec::new())),
                }
                None
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if let Some((depth, mut buf)) = self.quote.take() {
                    if depth > 1 {
                        buf.push(ev);
                        self.quote = Some((depth - 1, buf));
                    } else {
                        self.events.extend(callout(buf));
                    }
                }
                None
            }
            ev => Some(ev),
        }
    }

    /// Events to the blockquote being read, else to the page.
    fn emit(&mut self, evs: Vec<Event<'a>>) {
        match &mut self.quote {
            Some((_, buf)) => buf.extend(evs),
            None => self.events.extend(evs),
        }
    }

    /// The page's HTML, and its search sections with their text in single
    /// spaces (a section with neither text nor an anchor dropped).
    fn finish(self) -> Rendered {
        let mut out = String::new();
        html::push_html(&mut out, self.events.into_iter());
        let mut sections = self.sections;
        for s in &mut sections {
            s.text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        sections.retain(|s| !s.text.is_empty() || s.href.contains('#'));
        Rendered {
            title: self.title,
            html: out,
            toc: self.toc,
            sections,
            images: self.images,
        }
    }
}

/// A blockquote's events, as a callout when it opens with **Note** & co.
fn callout(buf: Vec<Event>) -> Vec<Event> {
    let kind = match (buf.first(), buf.get(1), buf.get(2), buf.get(3)) {
        (
            Some(Event::Start(Tag::Paragraph)),
            Some(Event::Start(Tag::Strong)),
            Some(Event::Text(t)),
            Some(Event::End(TagEnd::Strong)),
        ) => CALLOUTS
            .iter()
            .find(|(_, word)| t.trim().trim_end_matches([':', '：']) == *word)
            .map(|(k, _)| (*k, t.to_string())),
        _ => None,
    };
    let Some((kind, word)) = kind else {
        let mut out = vec![Event::Html("<blockquote>\n".into())];
        out.extend(buf);
        out.push(Event::Html("</blockquote>\n".into()));
        return out;
    };
    let mut rest: Vec<Event> = buf.into_iter().skip(4).collect();
    while matches!(
        rest.first(),
        Some(Event::SoftBreak) | Some(Event::HardBreak)
    ) {
        rest.remove(0);
    }
    let mut out = vec![Event::Html(
        format!(
            "<div class=\"callout {kind}\"><p class=\"callout-title\">{}</p>\n<p>",
            crate::html::escape(word.trim().trim_end_matches([':', '：']))
        )
        .into(),
    )];
    out.extend(rest);
    out.push(Event::Html("</div>\n".into()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> Rendered {
        lesson(
            md,
            "content/en/t.md",
            "content/en",
            "en/t.html",
            "T",
            &|p| p == "content/en/task2.md" || p == "content/en/img/a.png",
        )
        .unwrap_or_else(|p| panic!("{p:?}"))
    }

    #[test]
    fn headings_get_ids_anchors_and_a_toc_and_the_h1_is_the_title() {
        let r = render(
            "# Task 3: Images\n\n## Step 1: Pull\n\ntext\n\n## Step 1: Pull\n\n### 镜像加速\n",
        );
        assert_eq!(r.title.as_deref(), Some("Task 3: Images"));
        assert!(
            r.html.contains(
                "<h2 id=\"step-1-pull\">Step 1: Pull <a class=\"anchor\" href=\"#step-1-pull\""
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("id=\"step-1-pull-1\""),
            "repeats are made unique"
        );
        assert!(r.html.contains("<h3 id=\"镜像加速\">"), "{}", r.html);
        assert_eq!(
            r.toc.iter().map(|t| t.level).collect::<Vec<_>>(),
            vec![2, 2, 3]
        );
        assert!(!r.html.contains("<h1"));
    }

    #[test]
    fn note_and_warning_blockquotes_become_callouts_others_stay_quotes() {
        let r = render("> **Warning**\n> Do not use `latest` in production.\n\n> **注意**\n> 重启后生效。\n\n> a plain quote\n");
        assert!(
            r.html
                .contains("<div class=\"callout warning\"><p class=\"callout-title\">Warning</p>"),
            "{}",
            r.html
        );
        assert!(r
            .html
            .contains("<code><span class=\"nw\">latest</span></code>"));
        assert!(r
            .html
            .contains("<div class=\"callout note\"><p class=\"callout-title\">注意</p>"));
        assert!(
            r.html.contains("<blockquote>\n<p>a plain quote</p>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn lesson_links_become_html_and_broken_ones_fail_with_their_line() {
        let r = render("See [task 2](task2.md#step-3) and [docs](https://docs.docker.com).\n\n![a](img/a.png)\n");
        assert!(r.html.contains("href=\"task2.html#step-3\""), "{}", r.html);
        assert_eq!(r.images, vec!["img/a.png"]);
        let p = lesson(
            "ok\n\nsee [x](task9.md)\n\n![b](img/b.png)\n",
            "content/en/t.md",
            "content/en",
            "en/t.html",
            "T",
            &|_| false,
        )
        .err()
        .expect("problems");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].to_string(), "content/en/t.md:3:5: the link to `task9.md` leads nowhere: there is no content/en/task9.md");
        assert_eq!(p[1].line, Some(5));
    }

    #[test]
    fn sections_carry_plain_text_for_search() {
        let r = render("# T\n\nintro words\n\n## Mirrors\n\nConfigure a `registry mirror`.\n");
        assert_eq!(r.sections.len(), 2);
        assert_eq!(r.sections[1].href, "en/t.html#mirrors");
        assert_eq!(r.sections[1].text, "Configure a registry mirror .");
    }
}
