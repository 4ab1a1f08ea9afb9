//! The theme: templates and assets embedded in the binary, each replaceable
//! by a file of the same name in the folder `[output.html] theme` names.

use std::path::Path;

/// Templates (rendered by tera, autoescaped). The partials come first:
/// the pages include them.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("head.html", include_str!("theme/head.html")),
    ("topbar.html", include_str!("theme/topbar.html")),
    ("sidebar.html", include_str!("theme/sidebar.html")),
    ("page.html", include_str!("theme/page.html")),
    ("index.html", include_str!("theme/index.html")),
    ("print.html", include_str!("theme/print.html")),
];

/// Assets copied as they are to the book root.
pub const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("theme/style.css")),
    ("book.js", include_str!("theme/book.js")),
    ("search.js", include_str!("theme/search.js")),
];

/// The text of a theme file: the override in `dir` if there is one.
pub fn file(dir: Option<&Path>, name: &str, builtin: &str) -> std::io::Result<String> {
    match dir.map(|d| d.join(name)) {
        Some(p) if p.is_file() => std::fs::read_to_string(p),
        _ => Ok(builtin.to_string()),
    }
}
