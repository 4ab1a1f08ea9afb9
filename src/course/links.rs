//! Links and images of a lesson that lead nowhere: the one checker behind
//! the linter (`validate.rs`, every lesson of every course) and the book
//! (`book/render.rs`, which also needs it for the built-in course, linted
//! by the test suite rather than on every run).

use super::Problem;

/// The course file a link (or, with `image`, an image) of a lesson points
/// at, relative to the lesson's folder (`content/<lang>/`), without its
/// `#anchor` and a leading `./`; `None` for what is not a course file: a
/// web address (`://`), an in-page anchor (`#step-3`), and for links a
/// `mailto:`. An image always needs a file, so an empty or `mailto:`
/// image source is local (and missing).
pub fn local(dest: &str, image: bool) -> Option<&str> {
    let path = dest.split('#').next().unwrap_or("");
    if path.contains("://") || (!image && (path.is_empty() || path.starts_with("mailto:"))) {
        return None;
    }
    Some(path.strip_prefix("./").unwrap_or(path))
}

/// The links and images of `md` (the lesson shown as `file`, in the folder
/// `dir`, e.g. `content/en`) whose file does not exist; `exists` is asked
/// about paths relative to the course (`content/en/task2.md`).
pub fn dangling(md: &str, file: &str, dir: &str, exists: &dyn Fn(&str) -> bool) -> Vec<Problem> {
    use pulldown_cmark::{Event, Tag};
    let mut out = Vec::new();
    for (ev, range) in crate::markdown::parser(md).into_offset_iter() {
        let (dest, image) = match ev {
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            _ => continue,
        };
        let Some(path) = local(&dest, image) else {
            continue;
        };
        let rel = format!("{dir}/{path}");
        if exists(&rel) {
            continue;
        }
        let (line, col) = super::locate::line_col(md, range.start);
        let (message, zh) = if image {
            (
                format!("the image `{dest}` is missing: there is no {rel}"),
                format!("缺少图片 `{dest}`：没有 {rel} 这个文件"),
            )
        } else {
            (
                format!("the link to `{dest}` leads nowhere: there is no {rel}"),
                format!("指向 `{dest}` 的链接无处可去：没有 {rel} 这个文件"),
            )
        };
        out.push(Problem {
            file: file.to_string(),
            line: Some(line),
            col: Some(col),
            message,
            zh: Some(zh),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_keeps_course_files_and_drops_the_web_mail_and_anchors() {
        assert_eq!(local("task2.md#step-3", false), Some("task2.md"));
        assert_eq!(local("./img/a.png", true), Some("img/a.png"));
        assert_eq!(local("https://docs.docker.com", false), None);
        assert_eq!(local("https://x/a.png", true), None);
        assert_eq!(local("mailto:t@example.com", false), None);
        assert_eq!(local("#step-3", false), None);
        assert_eq!(local("", false), None);
        // An image is always a file.
        assert_eq!(local("", true), Some(""));
        assert_eq!(
            local("mailto:t@example.com", true),
            Some("mailto:t@example.com")
        );
    }

    #[test]
    fn dangling_names_the_missing_file_with_line_and_column() {
        let md = "ok\n\nsee [x](task9.md#a), [y](./task2.md), [z](https://a.b/c.md) and [m](mailto:a@b)\n\n![b](img/b.png) ![a](img/a.png)\n";
        let exists = |p: &str| p == "content/en/task2.md" || p == "content/en/img/a.png";
        let p = dangling(md, "c/content/en/t.md", "content/en", &exists);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0].to_string(),
            "c/content/en/t.md:3:5: the link to `task9.md#a` leads nowhere: there is no content/en/task9.md"
        );
        assert_eq!(
            p[1].to_string(),
            "c/content/en/t.md:5:1: the image `img/b.png` is missing: there is no content/en/img/b.png"
        );
        assert!(p.iter().all(|p| p.zh.is_some()));
    }
}
