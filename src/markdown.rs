//! Markdown: the one place that sets pulldown-cmark's options, and the
//! terminal renderer behind `lab show`.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The options every Markdown reader of lab uses (terminal and book).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

pub fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, options())
}

/// Renders a lesson for a terminal: bold headings, indented code blocks,
/// bullets, quotes with a bar; ANSI styles only when `color`.
pub fn to_terminal(text: &str, color: bool) -> String {
    let style = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut quote = 0usize;
    let mut in_code = false;
    let mut line = String::new();
    let flush = |out: &mut String, line: &mut String, quote: usize| {
        if !line.is_empty() {
            out.push_str(&"│ ".repeat(quote));
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
        }
    };
    for ev in parser(text) {
        match ev {
            Event::End(TagEnd::Heading(level)) => {
                let text = std::mem::take(&mut line);
                let shown = match level {
                    HeadingLevel::H1 => style("1;4", &text),
                    _ => style("1", &text),
                };
                out.push_str(&shown);
                out.push_str("\n\n");
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                if let CodeBlockKind::Fenced(lang) = kind {
                    if !lang.is_empty() {
                        out.push_str(&style("2", &format!("    ({lang})")));
                        out.push('\n');
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                out.push('\n');
            }
            Event::Text(t) if in_code => {
                for l in t.lines() {
                    out.push_str(&"│ ".repeat(quote));
                    out.push_str(&style("36", &format!("    {l}")));
                    out.push('\n');
                }
            }
            Event::Text(t) => line.push_str(&t),
            Event::Code(c) => line.push_str(&style("36", &format!("`{c}`"))),
            Event::Start(Tag::List(start)) => lists.push(start),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                flush(&mut out, &mut line, quote);
                let depth = lists.len().saturating_sub(1);
                let bullet = match lists.last_mut() {
                    Some(Some(n)) => {
                        let b = format!("{n}. ");
                        *n += 1;
                        b
                    }
                    _ => "• ".to_string(),
                };
                line.push_str(&format!("{}{bullet}", "  ".repeat(depth + 1)));
            }
            Event::End(TagEnd::Item) => flush(&mut out, &mut line, quote),
            Event::Start(Tag::BlockQuote(_)) => quote += 1,
            Event::End(TagEnd::BlockQuote(_)) => {
                flush(&mut out, &mut line, quote);
                quote = quote.saturating_sub(1);
                out.push('\n');
            }
            Event::End(TagEnd::Paragraph) => {
                flush(&mut out, &mut line, quote);
                if lists.is_empty() && quote == 0 {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::Link) => {}
            Event::SoftBreak => line.push(' '),
            Event::HardBreak => flush(&mut out, &mut line, quote),
            Event::Rule => out.push_str("────────\n\n"),
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                flush(&mut out, &mut line, quote)
            }
            Event::End(TagEnd::TableCell) => line.push_str("  "),
            _ => {}
        }
    }
    flush(&mut out, &mut line, quote);
    out
}

#[cfg(test)]
mod tests {
    use super::to_terminal;

    #[test]
    fn lessons_render_as_plain_text_without_colour() {
        let md = "# Title\n\nRun `docker pull tomcat`.\n\n```bash\ndocker images\n```\n\n1. one\n2. two\n\n> **Note** restart\n";
        let out = to_terminal(md, false);
        assert_eq!(out, "Title\n\nRun `docker pull tomcat`.\n\n    (bash)\n    docker images\n\n  1. one\n  2. two\n\n│ Note restart\n\n");
    }
}
