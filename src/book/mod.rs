//! `lab book build`: the course as a static HTML book, from the same
//! sources `lab check` reads. Two languages side by side (`/en/`,
//! `/zh-CN/`), a search index built here, a print page, and nothing fetched
//! from the network: the output works from a USB stick or file://.
//!
//! Everything is rendered in memory first; a broken link or a missing image
//! fails the build before a single file is written, and the output folder
//! is replaced in one rename, so a reader never sees half a book.

mod check;
pub mod config;
mod render;
pub mod search;
mod theme;
mod ui;

use crate::course::{Course, Problem, Source, Task, Vars};
use crate::lang::Lang;
use config::{BookToml, ConfigError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const LANGS: [Lang; 2] = [Lang::En, Lang::ZhCn];

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("{0}")]
    Config(ConfigError),
    #[error("the book cannot be built, {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Content(Vec<Problem>),
    #[error("the theme's {name} does not render: {message}")]
    Template { name: String, message: String },
    #[error("{path} holds files lab did not build, and lab replaces only a folder with a book it built in it (marked by its {STAMP} file): choose a new or empty folder for the book (--out DIR, or book.toml's build-dir)")]
    NotABook { path: String },
    #[error("{path} is not a folder: choose a folder for the book (--out DIR, or book.toml's build-dir)")]
    NotAFolder { path: String },
    #[error("cannot {op} {path}: {message}")]
    Io {
        op: &'static str,
        path: String,
        message: String,
    },
}

impl BookError {
    /// 3 when writing failed (the disk, permissions), 2 for what the author
    /// or the command line can fix.
    pub fn exit_code(&self) -> u8 {
        match self {
            BookError::Io { .. } => crate::report::exit::ERROR,
            _ => crate::report::exit::USAGE,
        }
    }
}

fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BookError + 'a {
    move |e| BookError::Io {
        op,
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// What was built.
pub struct Built {
    pub out: PathBuf,
    pub pages: usize,
}

#[derive(Serialize, Clone)]
struct Link {
    href: String,
    title: String,
}

#[derive(Serialize, Clone)]
struct SideTask {
    id: String,
    title: String,
    href: String,
    current: bool,
}

#[derive(Serialize, Clone)]
struct SideUnit {
    id: String,
    title: String,
    tasks: Vec<SideTask>,
}

#[derive(Serialize)]
struct LangLink {
    code: &'static str,
    label: &'static str,
    /// The label narrow screens show (`EN`, `中文`).
    short: &'static str,
    href: String,
    current: bool,
    /// The page's section ids in that language, in order (space-separated):
    /// the switcher maps the reader's section to the same one there.
    ids: String,
}

#[derive(Serialize)]
struct PageCtx {
    id: String,
    title: String,
    unit_title: String,
    content: String,
    toc: Vec<render::TocEntry>,
    check_html: String,
}

/// Reads book.toml (from the course folder, or the built-in one).
pub fn config(source: &Source) -> Result<BookToml, BookError> {
    match source.read("book.toml") {
        Ok(text) => {
            BookToml::parse(&source.display_path("book.toml"), &text).map_err(BookError::Config)
        }
        Err(_) => Ok(BookToml::default()),
    }
}

/// The folder output goes to: `--out`, else book.toml's build-dir, else `book`.
pub fn out_dir(cfg: &BookToml, out: Option<PathBuf>) -> PathBuf {
    out.unwrap_or_else(|| {
        PathBuf::from(cfg.build.build_dir.clone().unwrap_or_else(|| "book".into()))
    })
}

struct Builder<'a> {
    course: &'a Course,
    cfg: &'a BookToml,
    vars: &'a Vars,
    tera: tera::Tera,
    files: BTreeMap<String, Vec<u8>>,
    problems: Vec<Problem>,
    /// Each task page's section ids per language (`task3`, `zh-CN`).
    anchors: HashMap<(String, &'static str), Vec<String>>,
}

impl Builder<'_> {
    fn base(&self, lang: Lang, root: &str, page_file: &str) -> tera::Context {
        let mut c = tera::Context::new();
        c.insert("lang", lang.code());
        c.insert("root", root);
        let title = book_title(self.cfg, self.course, lang);
        c.insert("book", &serde_json::json!({ "title": title, "description": self.cfg.book.description.clone().unwrap_or_default(), "authors": self.cfg.book.authors }));
        c.insert("ui", &ui::words(lang));
        let languages: Vec<LangLink> = LANGS
            .iter()
            .map(|l| LangLink {
                code: l.code(),
                label: ui::language_name(*l),
                short: ui::language_short(*l),
                href: format!("../{}/{page_file}", l.code()),
                current: *l == lang,
                ids: page_file
                    .strip_suffix(".html")
                    .and_then(|t| self.anchors.get(&(t.to_string(), l.code())))
                    .map(|ids| ids.join(" "))
                    .unwrap_or_default(),
            })
            .collect();
        c.insert("languages", &languages);
        c
    }

    fn sidebar(&self, lang: Lang, current: Option<&str>) -> Vec<SideUnit> {
        self.course
            .file
            .units
            .iter()
            .map(|u| SideUnit {
                id: u.id.clone(),
                title: u.title.get(lang).to_string(),
                tasks: self
                    .tasks_of(&u.id)
                    .map(|t| SideTask {
                        id: t.id.clone(),
                        title: t.title.get(lang).to_string(),
                        href: format!("{}.html", t.id),
                        current: Some(t.id.as_str()) == current,
                    })
                    .collect(),
            })
            .collect()
    }

    fn tasks_of<'b>(&'b self, unit: &'b str) -> impl Iterator<Item = &'b Task> + 'b {
        self.course
            .tasks
            .iter()
            .map(|(_, t)| t)
            .filter(move |t| t.unit == unit)
    }

    fn render(&mut self, name: &str, ctx: &tera::Context) -> Option<String> {
        match self.tera.render(name, ctx) {
            Ok(html) => Some(html),
            Err(e) => {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg = format!("{msg}: {s}");
                    src = s.source();
                }
                self.problems.push(Problem {
                    zh: None,
                    file: format!("theme/{name}"),
                    line: None,
                    col: None,
                    message: msg,
                });
                None
            }
        }
    }

    fn language(&mut self, lang: Lang) -> Result<(), BookError> {
        let code = lang.code();
        let ui = ui::words(lang);
        let mut docs = Vec::new();
        let mut items = Vec::new();
        let tasks: Vec<&Task> = self.course.tasks.iter().map(|(_, t)| t).collect();
        for (i, task) in tasks.iter().enumerate() {
            let file = format!("content/{code}/{}", task.lesson);
            let md = self.course.lesson(task, lang).map_err(|e| BookError::Io {
                op: "read",
                path: file.clone(),
                message: e.to_string(),
            })?;
            let href = format!("{code}/{}.html", task.id);
            let source = &self.course.source;
            let rendered = match render::lesson(
                &md,
                &source.display_path(&file),
                &format!("content/{code}"),
                &href,
                task.title.get(lang),
                &|rel| source.exists(rel),
            ) {
                Ok(r) => r,
                Err(p) => {
                    self.problems.extend(p);
                    continue;
                }
            };
            for img in &rendered.images {
                if let Source::Dir(root) = source {
                    let from = root.join("content").join(code).join(img);
                    let bytes = std::fs::read(&from).map_err(io("read", &from))?;
                    self.files.insert(format!("{code}/{img}"), bytes);
                }
            }
            docs.extend(rendered.sections);
            let unit_title = self
                .course
                .file
                .units
                .iter()
                .find(|u| u.id == task.unit)
                .map(|u| u.title.get(lang).to_string())
                .unwrap_or_default();
            let own_check = rendered
                .toc
                .iter()
                .any(|t| t.level == 2 && t.text == ui["check_your_work"]);
            let page = PageCtx {
                id: task.id.clone(),
                title: rendered
                    .title
                    .unwrap_or_else(|| task.title.get(lang).to_string()),
                unit_title,
                content: rendered.html,
                toc: rendered.toc,
                check_html: check::html(task, self.vars, lang, &ui, !own_check),
            };
            let link = |t: &Task| Link {
                href: format!("{}.html", t.id),
                title: t.title.get(lang).to_string(),
            };
            let mut ctx = self.base(lang, "../", &format!("{}.html", task.id));
            ctx.insert("sidebar", &self.sidebar(lang, Some(&task.id)));
            ctx.insert("prev", &i.checked_sub(1).map(|p| link(tasks[p])));
            ctx.insert("next", &tasks.get(i + 1).map(|t| link(t)));
            ctx.insert("page", &page);
            if let Some(html) = self.render("page.html", &ctx) {
                self.files.insert(href, html.into_bytes());
            }
            items.push(page);
        }
        let mut ctx = self.base(lang, "../", "index.html");
        ctx.insert("sidebar", &self.sidebar(lang, None));
        ctx.insert("units", &self.sidebar(lang, None));
        let intro = self
            .course
            .file
            .description
            .as_ref()
            .map(|d| d.get(lang).to_string())
            .or_else(|| self.cfg.book.description.clone());
        ctx.insert(
            "intro",
            &intro
                .map(|d| format!("<p>{}</p>", check::inline(&d)))
                .unwrap_or_default(),
        );
        if let Some(html) = self.render("index.html", &ctx) {
            self.files
                .insert(format!("{code}/index.html"), html.into_bytes());
        }
        // One page holds every task: prefix each task's ids with its own, and
        // turn links between tasks into links within the page.
        for item in &mut items {
            item.content = print_ids(&item.id, &item.content);
            item.check_html = print_ids(&item.id, &item.check_html);
        }
        let mut ctx = self.base(lang, "../", "print.html");
        ctx.insert("items", &items);
        ctx.insert("sidebar", &self.sidebar(lang, None));
        if let Some(html) = self.render("print.html", &ctx) {
            self.files
                .insert(format!("{code}/print.html"), html.into_bytes());
        }
        self.files.insert(
            format!("{code}/searchindex.js"),
            search::script(&docs).into_bytes(),
        );
        Ok(())
    }
}

/// A task's HTML for the print page: `id="x"` → `id="task3-x"`, `#x` →
/// `#task3-x`, `task2.html#y` → `#task2-y`, `task2.html` → `#task2`.
fn print_ids(task: &str, html: &str) -> String {
    static LINK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"href="(task[0-9A-Za-z_-]*)\.html(?:#([^"]*))?""#).expect("valid regex")
    });
    let html = html
        .replace("id=\"", &format!("id=\"{task}-"))
        .replace("href=\"#", &format!("href=\"#{task}-"));
    LINK.replace_all(&html, |c: &regex::Captures| match c.get(2) {
        Some(anchor) => format!("href=\"#{}-{}\"", &c[1], anchor.as_str()),
        None => format!("href=\"#{}\"", &c[1]),
    })
    .into_owned()
}

/// The book's title in `lang`: book.toml's `title` is the English one; the
/// course's own title otherwise.
fn book_title(cfg: &BookToml, course: &Course, lang: Lang) -> String {
    cfg.book
        .title
        .clone()
        .filter(|_| lang == Lang::En)
        .unwrap_or_else(|| course.file.title.get(lang).to_string())
}

/// Each task page's section ids (its table of contents) per language, so the
/// language switcher can land on the same section: the lessons of both
/// languages have the same sections in the same order.
fn section_ids(course: &Course) -> HashMap<(String, &'static str), Vec<String>> {
    let mut out = HashMap::new();
    for lang in LANGS {
        for (_, task) in &course.tasks {
            let Ok(md) = course.lesson(task, lang) else {
                continue;
            };
            if let Ok(r) = render::lesson(&md, "", "", "", "", &|_| true) {
                let ids = r.toc.into_iter().map(|t| t.id).collect();
                out.insert((task.id.clone(), lang.code()), ids);
            }
        }
    }
    out
}

/// The root page: sends readers to the default language, links to both; its
/// title in the language it is marked as.
fn root_page(default: Lang, title: &str) -> String {
    let code = default.code();
    let links: String = LANGS
        .iter()
        .map(|l| {
            format!(
                "<li><a href=\"{0}/index.html\" hreflang=\"{0}\">{1}</a></li>",
                l.code(),
                ui::language_name(*l)
            )
        })
        .collect();
    format!("<!DOCTYPE html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url={code}/index.html\"><title>{}</title></head>\n<body><ul>{links}</ul></body></html>\n", title.replace('<', "&lt;"))
}

/// Builds the book of `course` into `out` (replacing what was there).
pub fn build(course: &Course, vars: &Vars, out: &Path) -> Result<Built, BookError> {
    let cfg = config(&course.source)?;
    let theme_dir: Option<PathBuf> = cfg
        .output
        .html
        .theme
        .as_ref()
        .map(|t| match &course.source {
            Source::Dir(root) => root.join(t),
            Source::Embedded | Source::Memory(_) => PathBuf::from(t),
        });
    let mut tera = tera::Tera::default();
    tera.set_escape_fn(crate::html::escape);
    for (name, builtin) in theme::TEMPLATES {
        let text = theme::file(theme_dir.as_deref(), name, builtin)
            .map_err(io("read", Path::new(name)))?;
        tera.add_raw_template(name, &text)
            .map_err(|e| BookError::Template {
                name: name.to_string(),
                message: format!(
                    "{e}: {}",
                    std::error::Error::source(&e)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                ),
            })?;
    }
    let mut b = Builder {
        course,
        cfg: &cfg,
        vars,
        tera,
        files: BTreeMap::new(),
        problems: Vec::new(),
        anchors: section_ids(course),
    };
    for lang in LANGS {
        b.language(lang)?;
    }
    if !b.problems.is_empty() {
        return Err(BookError::Content(b.problems));
    }
    for (name, builtin) in theme::ASSETS {
        let text = theme::file(theme_dir.as_deref(), name, builtin)
            .map_err(io("read", Path::new(name)))?;
        b.files.insert(name.to_string(), text.into_bytes());
    }
    let default = match cfg.book.language.as_deref() {
        Some("zh-CN") => Lang::ZhCn,
        _ => Lang::En,
    };
    let title = book_title(&cfg, course, default);
    b.files
        .insert("index.html".into(), root_page(default, &title).into_bytes());
    let pages = b.files.keys().filter(|k| k.ends_with(".html")).count();
    write_all(out, &b.files)?;
    Ok(Built {
        out: out.to_path_buf(),
        pages,
    })
}

/// The file that marks a folder as a book lab built: the only kind of
/// folder a build replaces.
pub const STAMP: &str = ".lab-book";

/// Whether `out` may be replaced by a build: it does not exist, is an empty
/// folder, or holds a book lab built. Anything else is someone's files.
fn replaceable(out: &Path) -> Result<(), BookError> {
    let shown = || out.display().to_string();
    let meta = match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io("look at", out)(e)),
        Ok(m) => m,
    };
    if !meta.is_dir() {
        return Err(BookError::NotAFolder { path: shown() });
    }
    let empty = std::fs::read_dir(out)
        .map_err(io("read", out))?
        .next()
        .is_none();
    if empty || out.join(STAMP).is_file() {
        Ok(())
    } else {
        Err(BookError::NotABook { path: shown() })
    }
}

/// Writes into a sibling folder, then swaps it in: an interrupted build
/// never leaves half a book where the old one was, and a folder that is not
/// a book lab built is never replaced.
fn write_all(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), BookError> {
    replaceable(out)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "book".into());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io("create", parent))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = files
        .iter()
        .map(|(rel, bytes)| (tmp.join(rel), bytes.as_slice()))
        .chain(std::iter::once((
            tmp.join(STAMP),
            &b"built by lab: `lab book build` replaces this folder\n"[..],
        )))
        .try_for_each(|(path, bytes)| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io("create", dir))?;
            }
            std::fs::write(&path, bytes).map_err(io("write", &path))
        });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        std::fs::rename(out, &old).map_err(io("replace", out))?;
    }
    std::fs::rename(&tmp, out).map_err(io("move the new book to", out))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
