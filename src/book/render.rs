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
    let mut events: Vec<Event> = Vec::new();
    let mut toc = Vec::new();
    let mut sections: Vec<Doc> = vec![Doc {
        href: href.to_string(),
        page: page_title.to_string(),
        title: page_title.to_string(),
        text: String::new(),
    }];
    let mut images = Vec::new();
    let mut title = None;
    let mut seen = HashMap::new();
    let mut heading: Option<(HeadingLevel, Vec<Event>, String)> = None;
    let mut quote: Option<(usize, Vec<Event>)> = None;

    for ev in crate::markdown::parser(md) {
        // Plain text for search.
        if let Event::Text(t) | Event::Code(t) = &ev {
            if let Some((_, _, text)) = &mut heading {
                text.push_str(t);
            } else if let Some(last) = sections.last_mut() {
                last.text.push_str(t);
                last.text.push(' ');
            }
        }
        let ev = match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title: t,
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
                    title: t,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title: t,
                id,
            }) => {
                if let Some(path) = links::local(&dest_url, true) {
                    images.push(path.to_string());
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title: t,
                    id,
                })
            }
            Event::Code(code) => Event::InlineHtml(code_html(&code).into()),
            other => other,
        };
        // Headings: buffer, then emit with an id and an anchor.
        if let Event::Start(Tag::Heading { level, .. }) = &ev {
            heading = Some((*level, Vec::new(), String::new()));
            continue;
        }
        if let Event::End(TagEnd::Heading(level)) = &ev {
            let Some((lvl, inner, text)) = heading.take() else {
                continue;
            };
            if *level == HeadingLevel::H1 && title.is_none() {
                title = Some(text);
                continue;
            }
            let id = slug(&text, &mut seen);
            let n = lvl as u8;
            if n <= 3 {
                toc.push(TocEntry {
                    level: n,
                    id: id.clone(),
                    text: text.clone(),
                });
                sections.push(Doc {
                    href: format!("{href}#{id}"),
                    page: page_title.to_string(),
                    title: text.clone(),
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
            push(&mut events, &mut quote, out);
            continue;
        }
        if let Some((_, inner, _)) = &mut heading {
            inner.push(ev);
            continue;
        }
        // Blockquotes: buffer, then decide whether they are callouts.
        match &ev {
            Event::Start(Tag::BlockQuote(_)) => {
                match &mut quote {
                    Some((depth, buf)) => {
                        *depth += 1;
                        buf.push(ev);
                    }
                    None => quote = Some((1, Vec::new())),
                }
                continue;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                let Some((depth, mut buf)) = quote.take() else {
                    continue;
                };
                if depth > 1 {
                    buf.push(ev);
                    quote = Some((depth - 1, buf));
                } else {
                    events.extend(callout(buf));
                }
                continue;
            }
            _ => {}
        }
        push(&mut events, &mut quote, vec![ev]);
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    for s in &mut sections {
        s.text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    sections.retain(|s| !s.text.is_empty() || s.href.contains('#'));
    Ok(Rendered {
        title,
        html: out,
        toc,
        sections,
        images,
    })
}

fn push<'a>(
    events: &mut Vec<Event<'a>>,
    quote: &mut Option<(usize, Vec<Event<'a>>)>,
    evs: Vec<Event<'a>>,
) {
    match quote {
        Some((_, buf)) => buf.extend(evs),
        None => events.extend(evs),
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
