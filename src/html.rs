//! HTML escaping, the one copy: the book's pages, the class summary
//! (tera's escape function) and any page lab serves.

/// What HTML needs escaped in text and attributes; unlike tera's default,
/// `/` is left alone, so links read as links in the output.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_what_html_needs_and_leaves_slashes() {
        assert_eq!(
            super::escape(r#"<a href="x">&'</a> 学员/s01"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt; 学员/s01"
        );
    }
}
