//! `lab book build`: the built-in course renders in both languages, the
//! output is complete and self-contained, and course or config mistakes stop
//! the build with their location (exit 2) before anything is written.

use crate::harness::Lab;
use lab::golden;
use std::path::Path;

fn build(course: Option<&Path>, out: &Path) -> crate::harness::Done {
    let home = tempfile::tempdir().expect("tmp");
    let out = out.display().to_string();
    let mut lab = Lab::new(home.path());
    if let Some(c) = course {
        lab = lab.course(c);
    }
    lab.args(["book", "build", "--out", &out]).run()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_built_in_course_renders_in_both_languages() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    build(None, &out).code(0).stdout_has("built the book");
    for lang in ["en", "zh-CN"] {
        for page in [
            "index.html",
            "print.html",
            "searchindex.js",
            "task1.html",
            "task3.html",
            "task11.html",
        ] {
            assert!(out.join(lang).join(page).is_file(), "{lang}/{page}");
        }
    }
    for asset in ["index.html", "style.css", "book.js", "search.js"] {
        assert!(out.join(asset).is_file(), "{asset}");
    }
    let zh = read(&out.join("zh-CN/task3.html"));
    assert!(zh.contains("lang=\"zh-CN\""));
    assert!(
        zh.contains("检查你的成果") && zh.contains("docker tag tomcat:8.0 mytomcat:8.0"),
        "Check your work comes from the YAML"
    );
    assert!(zh.contains("lab check task3"));
    assert!(
        zh.contains("href=\"../en/task3.html\""),
        "the language switcher keeps the page"
    );
    // The language switch carries each section's id in the other
    // language (book.js keeps the reader's place with it).
    assert!(zh.contains("data-ids=\"what-you-will-learn key-concepts"));
    // The root page: its <title> in the language it is marked as.
    let root = read(&out.join("index.html"));
    assert!(
        root.contains("<html lang=\"zh-CN\">") && root.contains("<title>Docker 从零开始</title>"),
        "{root}"
    );
    let en = read(&out.join("en/task2.html"));
    assert!(en.contains("class=\"callout warning\""), "callouts");
    assert!(en.contains("class=\"anchor\""), "heading anchors");
    assert!(
        en.contains("rel=\"next\"") || en.contains("task3.html"),
        "next link"
    );
    // Self-contained: nothing is loaded from another host.
    for f in ["en/task2.html", "zh-CN/index.html", "en/print.html"] {
        let html = read(&out.join(f));
        for bad in [
            "src=\"http",
            "href=\"http://",
            "src=\"//",
            "@import url(http",
        ] {
            assert!(!html.contains(bad), "{f} loads {bad}");
        }
    }
    let print = read(&out.join("en/print.html"));
    assert!(
        print.contains("Explore Docker images with tomcat") && print.contains("Reading the daemon"),
        "the print page has every task"
    );
    let index = read(&out.join("zh-CN/searchindex.js"));
    assert!(
        index.starts_with("window.LAB_SEARCH = ")
            && index.contains("\"镜像\"")
            && index.contains("\"加速\"")
    );
}

#[test]
fn rebuilding_replaces_the_old_book_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    // An old build (lab's stamp in it) with a page the course no longer has.
    build(None, &out).code(0);
    std::fs::write(out.join("en/stale.html"), "old").expect("write");
    build(None, &out).code(0);
    assert!(
        !out.join("en/stale.html").exists(),
        "files of the old build are gone"
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary folders left: {leftovers:?}"
    );
}

fn fixture(case: &str, tmp: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/courses")
        .join(case);
    let to = tmp.join(case);
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(&from)
        .arg(&to)
        .status()
        .expect("cp");
    assert!(status.success());
    to
}

#[test]
fn broken_lesson_links_and_images_fail_with_their_line_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let course = fixture("ok", tmp.path());
    std::fs::write(
        course.join("content/en/task1.md"),
        "# Pull\n\nSee [next](task7.md).\n\n![diagram](img/arch.png)\n",
    )
    .expect("write");
    let out = tmp.path().join("site");
    let done = build(Some(&course), &out);
    done.code(2)
        .stderr_has("content/en/task1.md:3:")
        .stderr_has("task7.md")
        .stderr_has("content/en/task1.md:5:")
        .stderr_has("img/arch.png");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn book_toml_unknown_keys_are_named_with_their_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let course = fixture("ok", tmp.path());
    std::fs::write(
        course.join("book.toml"),
        "[book]\ntitle = \"Docker\"\nmultilingual = true\n",
    )
    .expect("write");
    build(Some(&course), &tmp.path().join("site"))
        .code(2)
        .stderr_has("book.toml:3: unknown field `multilingual`");
    std::fs::write(
        course.join("book.toml"),
        "[book]\ntitle = \"Docker\"\n[output.html]\ntheme = \"mytheme\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(course.join("mytheme")).expect("mkdir");
    std::fs::write(
        course.join("mytheme/page.html"),
        "<p>{{ page.title }} {{ page.content | safe }}</p>",
    )
    .expect("write");
    let out = tmp.path().join("site");
    build(Some(&course), &out).code(0);
    assert_eq!(
        read(&out.join("en/task1.html")),
        "<p>Pull </p>",
        "a theme folder overrides the built-in template"
    );
    std::fs::write(course.join("mytheme/page.html"), "{{ page.nope }}").expect("write");
    build(Some(&course), &out).code(2).stderr_has("page.html");
}

#[test]
fn html_from_the_course_is_escaped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let course = fixture("ok", tmp.path());
    let yaml = read(&course.join("labs/task1.yaml")).replace(
        "Pull tomcat, zh-CN",
        "Pull <script>alert(1)</script>, zh-CN",
    );
    std::fs::write(course.join("labs/task1.yaml"), yaml).expect("write");
    let out = tmp.path().join("site");
    build(Some(&course), &out).code(0);
    let html = read(&out.join("en/task1.html"));
    assert!(
        !html.contains("<script>alert(1)</script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
}

/// A whole page, search index and print page of a small course against
/// `tests/golden/book/`; `LAB_BLESS=1` rewrites them (review the diff).
#[test]
fn a_small_course_renders_as_recorded() {
    let tmp = tempfile::tempdir().expect("tmp");
    let course = fixture("ok", tmp.path());
    std::fs::write(
        course.join("content/en/task1.md"),
        "# Task 1: Pull\n\n## Step 1: Pull tomcat\n\n```bash\ndocker pull tomcat\n```\n\n> **Warning**\n> `latest` is only a default tag.\n\nSee [the same task](task1.md#step-1-pull-tomcat).\n",
    )
    .expect("write");
    let out = tmp.path().join("site");
    build(Some(&course), &out).code(0);
    for (built, name) in [
        ("en/task1.html", "task1.en.html"),
        ("en/searchindex.js", "searchindex.en.js"),
        ("zh-CN/print.html", "print.zh-CN.html"),
    ] {
        golden::check(
            golden::file(&format!("book/{name}")),
            read(&out.join(built)),
        );
    }
}

#[test]
fn a_folder_lab_did_not_build_is_never_replaced() {
    let tmp = tempfile::tempdir().expect("tmp");
    let thesis = tmp.path().join("thesis");
    std::fs::create_dir_all(&thesis).expect("mkdir");
    std::fs::write(thesis.join("chapter1.tex"), "years of work").expect("write");
    build(None, &thesis)
        .code(2)
        .stderr_has("holds files lab did not build");
    assert_eq!(read(&thesis.join("chapter1.tex")), "years of work");
    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "mine").expect("write");
    build(None, &file).code(2).stderr_has("is not a folder");
    assert_eq!(read(&file), "mine");
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left.len(),
        2,
        "no temporary folder is left behind: {left:?}"
    );
    // A book lab built is replaced, and an empty folder is used.
    let site = tmp.path().join("site");
    build(None, &site).code(0);
    assert!(site.join(".lab-book").is_file());
    build(None, &site).code(0);
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    build(None, &empty).code(0);
}
