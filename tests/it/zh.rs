//! Chinese all the way through: lab run in zh-CN through its failure paths
//! says every word in Chinese, and the course uses one term per concept.
//! No daemon needed.

use crate::harness::{Done, Lab};
use std::path::Path;

/// Words a zh-CN learner may read in Latin letters outside backticks: names
/// of programs, products and protocols, not sentences. Keep it short.
const NAMES: &[&str] = &["Docker Hub", "Docker daemon.json"];

/// Runs of three or more English words in `text`, outside backticks, paths,
/// flags and URLs: what a zh-CN learner should never read.
fn english_runs(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        // Code the learner types is quoted; what is quoted stays as written.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            plain.push_str(if i % 2 == 0 { part } else { " | " });
        }
        for name in NAMES {
            plain = plain.replace(name, " | ");
        }
        // Chinese characters and punctuation end a run.
        for segment in plain.split(|c: char| !c.is_ascii() || c == '(' || c == ')') {
            let mut run: Vec<&str> = Vec::new();
            for token in segment.split_whitespace() {
                let word = token.trim_end_matches([',', '.', ';', ':', '!', '?', '"', '\'']);
                let word = word.trim_start_matches(['"', '\'']);
                let is_word = !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-')
                    && !word.starts_with('-');
                if is_word {
                    run.push(word);
                } else {
                    if run.len() >= 3 {
                        found.push(format!("{}  (in: {line})", run.join(" ")));
                    }
                    run.clear();
                }
            }
            if run.len() >= 3 {
                found.push(format!("{}  (in: {line})", run.join(" ")));
            }
        }
    }
    found
}

fn assert_chinese(done: &Done) {
    let mut runs = english_runs(&done.stdout);
    runs.extend(english_runs(&done.stderr));
    assert!(
        runs.is_empty(),
        "lab {}: English a zh-CN learner reads:\n{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        done.args.join(" "),
        runs.join("\n"),
        done.stdout,
        done.stderr
    );
}

#[test]
fn the_checker_finds_english_and_lets_code_paths_and_names_pass() {
    assert_eq!(english_runs("连不上 Docker：no socket at /x").len(), 1);
    assert!(english_runs("运行 `docker run hello-world --rm now`，再看 Docker Hub").is_empty());
    assert!(
        english_runs("读取 /etc/docker/daemon.json 失败：--docker-host unix:///a.sock").is_empty()
    );
    assert_eq!(english_runs("无法判断这个答案：there is no image").len(), 1);
}

fn zh(home: &Path) -> Lab {
    Lab::new(home)
        .env("XDG_STATE_HOME", home.join("state"))
        .args(["--lang", "zh-CN"])
}

#[test]
fn every_failure_path_speaks_chinese() {
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    let down = ["--docker-host", "unix:///nonexistent.sock"];

    // The daemon is down.
    for task in ["task2", "task3", "task7", "task11"] {
        let done = zh(h).args(down).args(["check", task]).run();
        assert_chinese(&done);
        if task != "task11" {
            done.stdout_has("连不上");
        }
    }
    let done = zh(h).args(down).args(["check", "--all"]).run();
    assert_chinese(&done);
    // A live quiz question while the daemon is down.
    let done = zh(h)
        .args(down)
        .args(["quiz", "task11"])
        .stdin("\n".repeat(8))
        .run();
    assert_chinese(&done);
    // An unknown task, a mistyped variable, a quiz without an answer source.
    let done = zh(h).args(["check", "任务三"]).run();
    done.code(2).stderr_has("内置课程");
    assert_chinese(&done);
    let done = zh(h)
        .args(down)
        .args(["--var", "nosuch=1", "check", "task1"])
        .run();
    done.code(2);
    assert_chinese(&done);
    let done = zh(h).args(["show", "任务三"]).run();
    done.code(2);
    assert_chinese(&done);
    let done = zh(h)
        .args(down)
        .args(["quiz", "task1", "--answer", "nosuch=1"])
        .run();
    done.code(2);
    assert_chinese(&done);

    // Missing history files: the history checks say so in Chinese.
    let done = zh(h)
        .args(down)
        .args(["--var", "bash_history=/nonexistent/h", "check", "task3"])
        .run();
    assert_chinese(&done);

    // An unreadable journal: a folder where the file should be.
    let broken = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(broken.path().join("state/lab/journal.jsonl")).expect("dir");
    let done = zh(broken.path()).args(down).args(["check", "task1"]).run();
    assert_chinese(&done);
    let done = zh(broken.path()).args(["list"]).run();
    assert_chinese(&done);

    // A damaged journal: lines that are not lab's.
    let damaged = tempfile::tempdir().expect("tmp");
    let state = damaged.path().join("state/lab");
    std::fs::create_dir_all(&state).expect("dir");
    std::fs::write(state.join("journal.jsonl"), "not json\n{\"v\":1}\n").expect("write");
    let done = zh(damaged.path()).args(["list"]).run();
    assert_chinese(&done);
}

/// The rejected variant of each term, and the one the course uses.
const TERMS: &[(&str, &str)] = &[
    ("虚悬", "悬空镜像"),
    ("加速地址", "加速器地址"),
    ("Docker 主机", "Docker 宿主机"),
    ("从主机", "从宿主机"),
    ("发布到主机", "发布到宿主机"),
    ("主机:容器", "宿主机:容器"),
    ("主机的端口", "宿主机的端口"),
    ("主机端口", "宿主机端口"),
];

#[test]
fn one_term_per_concept_in_the_course_and_the_engine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["labs", "content/zh-CN"] {
        for e in std::fs::read_dir(root.join(dir)).expect("course dir") {
            files.push(e.expect("entry").path());
        }
    }
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            // A bare 镜像加速 as a noun: the noun is 镜像加速器.
            let bare_mirror = line
                .match_indices("镜像加速")
                .any(|(i, _)| !line[i + "镜像加速".len()..].starts_with('器'));
            if bare_mirror
                && !f.ends_with("src/book/search.rs")
                && !f.ends_with("src/book/render.rs")
            {
                bad.push(format!("{}:{}: 镜像加速 → 镜像加速器", f.display(), n + 1));
            }
            let line = line.replace("宿主", "宿");
            for (wrong, right) in TERMS {
                if line.contains(wrong) {
                    bad.push(format!("{}:{}: {wrong} → {right}", f.display(), n + 1));
                }
            }
        }
    }
    // Tasks are numbered in Chinese, as the lessons' titles say them
    // (任务二, not 任务 2).
    let digits = regex::Regex::new(r"任务 ?[0-9]").expect("regex");
    for (file, text) in zh_course_text() {
        for line in text.lines().filter(|l| digits.is_match(l)) {
            bad.push(format!("{file}: 任务 N → 任务二…  (in: {line})"));
        }
    }
    assert!(bad.is_empty(), "rejected terms:\n{}", bad.join("\n"));
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Where zh-CN text breaks the course's typography: ASCII `,:;()?!` or a
/// sentence-ending `.` next to a Chinese character (Chinese punctuation
/// belongs there), and a Chinese character touching a Latin letter, a digit
/// or inline code without a space (the course writes "容器 registry 存在",
/// "第 3 步", "运行 `docker ps`"). Inline code counts as Latin; what is
/// inside it is not read. A `{}` placeholder of the engine's messages may
/// stand for Chinese or Latin, so it touches nothing.
fn typography(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        // Code spans become one Latin letter: their edges need spaces,
        // their insides are quoted as written.
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            } else {
                plain.push('x');
            }
        }
        let plain = PLACEHOLDER.replace_all(&plain, "_");
        let chars: Vec<char> = plain.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let cjk_before = before.is_some_and(is_cjk);
            let cjk_after = after.is_some_and(is_cjk);
            let bad = match c {
                ',' | ':' | ';' | '?' | '!' => cjk_before,
                '(' | ')' => cjk_before || cjk_after,
                '.' => cjk_before && after.is_none_or(char::is_whitespace),
                c if c.is_ascii_alphanumeric() => cjk_before,
                c if is_cjk(c) => before.is_some_and(|b| b.is_ascii_alphanumeric()),
                _ => false,
            };
            if bad {
                let from = i.saturating_sub(6);
                let to = (i + 6).min(chars.len());
                let near: String = chars[from..to].iter().collect();
                found.push(format!("`{c}` in “{near}”  (in: {line})"));
            }
        }
    }
    found
}

static PLACEHOLDER: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"\{[A-Za-z0-9_:.?#]*\}").expect("regex"));

#[test]
fn the_typography_checker_finds_ascii_punctuation_and_missing_spaces() {
    // ASCII punctuation where Chinese punctuation belongs.
    assert_eq!(typography("2/6 步, 得分 2/6").len(), 1);
    assert_eq!(typography("注意: 先停止容器").len(), 1);
    assert_eq!(typography("镜像(image)很小").len(), 2);
    assert_eq!(typography("这是镜像.").len(), 1);
    assert_eq!(typography("对吗? 对!").len(), 2);
    // Missing spaces between Chinese and Latin, digits, code, placeholders.
    assert_eq!(typography("容器 registry存在").len(), 1);
    assert_eq!(typography("第3步").len(), 2);
    assert_eq!(typography("运行`docker ps`查看").len(), 2);
    assert_eq!(typography("在 {host} 上拉取,失败").len(), 1);
    // What the course writes.
    assert!(typography("2/6 步，得分 2/6").is_empty());
    assert!(typography("容器 registry 存在：运行 `docker ps`（列出容器）。").is_empty());
    assert!(typography("第 3 步，见 tomcat:8.0 和 /etc/docker/daemon.json。").is_empty());
    assert!(typography("代码里的 `a,b:c(d)` 照原样写，`镜像.tar` 也是。").is_empty());
    assert!(typography("English text, with (parens): fine.").is_empty());
    assert!(typography("{}存在，在 {host} 上{}失败").is_empty());
}

/// The zh-CN prose of the course: lessons outside code blocks, and every
/// `zh-CN:` string of labs/*.yaml.
fn zh_course_text() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for e in std::fs::read_dir(root.join("content/zh-CN")).expect("lessons") {
        let p = e.expect("entry").path();
        let text = std::fs::read_to_string(&p).expect("lesson");
        let mut fenced = false;
        let mut prose = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                prose.push('\n');
                continue;
            }
            prose.push_str(if fenced { "" } else { line });
            prose.push('\n');
        }
        out.push((p.display().to_string(), prose));
    }
    for e in std::fs::read_dir(root.join("labs")).expect("labs") {
        let p = e.expect("entry").path();
        let text = std::fs::read_to_string(&p).expect("unit");
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("yaml");
        let mut zh = Vec::new();
        collect_zh(&value, &mut zh);
        out.push((p.display().to_string(), zh.join("\n")));
    }
    out
}

fn collect_zh(v: &serde_yaml_ng::Value, out: &mut Vec<String>) {
    match v {
        serde_yaml_ng::Value::Mapping(m) => {
            for (k, v) in m {
                match (k.as_str(), v.as_str()) {
                    (Some("zh-CN"), Some(s)) => out.push(s.to_string()),
                    _ => collect_zh(v, out),
                }
            }
        }
        serde_yaml_ng::Value::Sequence(s) => s.iter().for_each(|v| collect_zh(v, out)),
        _ => {}
    }
}

/// The engine's zh-CN strings: every string literal in src/ with a Chinese
/// character in it (the zh arm of `tr!` and `Lang::pick`), outside the
/// unit tests (their literals are data: rosters, CSV).
fn zh_engine_text() -> Vec<(String, String)> {
    let literal = regex::Regex::new(r#""((?:[^"\\\n]|\\.)*)""#).expect("regex");
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || unit_tests_file(&p) {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("source");
            let mut zh = Vec::new();
            for line in text.lines() {
                if line.trim_start().starts_with("#[cfg(test)]") {
                    break;
                }
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for c in literal.captures_iter(line) {
                    let s = c[1].replace("\\n", "\n").replace("\\\"", "\"");
                    if s.chars().any(is_cjk) {
                        zh.push(s);
                    }
                }
            }
            out.push((p.display().to_string(), zh.join("\n")));
        }
    }
    out
}

/// A unit-test module kept in its own file (`tests.rs`, `roster_tests.rs`,
/// `lms_import_tests/`): data, like the code after `#[cfg(test)]`.
fn unit_tests_file(p: &Path) -> bool {
    let file_and_folder = [p.file_name(), p.parent().and_then(Path::file_name)];
    file_and_folder.into_iter().flatten().any(|part| {
        let part = part.to_string_lossy();
        let stem = part.strip_suffix(".rs").unwrap_or(&part);
        stem == "tests" || stem.ends_with("_tests")
    })
}

#[test]
fn typography_of_the_course_and_the_engine() {
    let mut bad = Vec::new();
    for (file, text) in zh_course_text().into_iter().chain(zh_engine_text()) {
        for problem in typography(&text) {
            bad.push(format!("{file}: {problem}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} typography problems in zh-CN text:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// A copy of a fixture course of tests/fixtures/courses, to change.
fn course_copy(case: &str, tmp: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/courses")
        .join(case);
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(&from)
        .arg(tmp)
        .status()
        .expect("cp");
    assert!(status.success());
    tmp.join(case)
}

#[test]
fn placeholders_in_commands_are_in_the_learners_language() {
    // The built-in course: each language's book shows its own placeholder.
    let home = tempfile::tempdir().expect("tmp");
    let site = home.path().join("site");
    let out = site.display().to_string();
    Lab::new(home.path())
        .args(["book", "build", "--out", &out])
        .run()
        .code(0);
    for (task, en, zh) in [
        (
            "task3",
            "&lt;IMAGE ID of tomcat:latest&gt;",
            "&lt;tomcat:latest 的镜像 ID&gt;",
        ),
        (
            "task7",
            "docker rm &lt;CONTAINER ID&gt;",
            "docker rm &lt;容器 ID&gt;",
        ),
        (
            "task8",
            "&lt;CONTAINER ID&gt; test:01",
            "&lt;容器 ID&gt; test:01",
        ),
        (
            "task10",
            "docker rm &lt;CONTAINER ID&gt;",
            "docker rm &lt;容器 ID&gt;",
        ),
    ] {
        let page = |lang: &str| {
            std::fs::read_to_string(site.join(lang).join(format!("{task}.html"))).expect("page")
        };
        let (en_page, zh_page) = (page("en"), page("zh-CN"));
        assert!(en_page.contains(en), "en/{task}.html lacks {en}");
        assert!(zh_page.contains(zh), "zh-CN/{task}.html lacks {zh}");
        assert!(
            !zh_page.contains("&lt;CONTAINER ID&gt;</code>"),
            "zh-CN/{task}.html"
        );
    }

    // Task 2's mirror placeholder, in the lesson and in the hint.
    let zh2 = std::fs::read_to_string(site.join("zh-CN/task2.html")).expect("page");
    assert!(zh2.contains("https://&lt;你的加速器ID&gt;.mirror.aliyuncs.com"));
    assert!(!zh2.contains("your-id"), "zh-CN/task2.html shows <your-id>");

    // An English placeholder in a zh-CN lesson or hint does not validate.
    for (file, from, to) in [
        (
            "content/zh-CN/task1.md",
            "# 拉取",
            "# 拉取\n\n```json\n\"https://<your-id>.mirror.aliyuncs.com\"\n```\n\n输出里的 `<none>` 和 `<html>` 不是占位符。",
        ),
        (
            "labs/task1.yaml",
            "运行 docker pull tomcat。",
            "运行 docker pull tomcat，再换掉 <your-id>。",
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let course = course_copy("ok", tmp.path());
        let path = course.join(file);
        let text = std::fs::read_to_string(&path).expect("file");
        assert!(text.contains(from), "the fixture changed: fix this test");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        let done = Lab::new(tmp.path())
            .env("LANG", "zh_CN.UTF-8")
            .course(&course)
            .args(["validate"])
            .run();
        done.code(2).stderr_has("<your-id>").stderr_has("占位符");
        assert!(!done.stderr.contains("<none>"), "{}", done.stderr);
        assert!(!done.stderr.contains("<html>"), "{}", done.stderr);
    }

    // A course that shows an English placeholder to zh-CN learners does
    // not validate; its bilingual form does.
    let tmp = tempfile::tempdir().expect("tmp");
    let course = course_copy("ok", tmp.path());
    let unit = course.join("labs/task1.yaml");
    let text = std::fs::read_to_string(&unit).expect("unit");
    let english = text.replace(
        "commands: [docker pull tomcat]",
        "commands: [docker pull tomcat, \"docker rm <CONTAINER ID>\"]",
    );
    assert_ne!(english, text, "the fixture changed: fix this test");
    std::fs::write(&unit, &english).expect("write");
    Lab::new(tmp.path())
        .course(&course)
        .args(["validate"])
        .run()
        .code(2)
        .stderr_has("<CONTAINER ID>");
    let both = text.replace(
        "commands: [docker pull tomcat]",
        "commands: [docker pull tomcat, {en: \"docker rm <CONTAINER ID>\", zh-CN: \"docker rm <容器 ID>\"}]",
    );
    std::fs::write(&unit, &both).expect("write");
    Lab::new(tmp.path())
        .course(&course)
        .args(["validate"])
        .run()
        .code(0);
}

#[test]
fn a_broken_course_is_explained_in_chinese() {
    let home = tempfile::tempdir().expect("tmp");
    let validate = |course: &Path| {
        let done = Lab::new(home.path())
            .env("LANG", "zh_CN.UTF-8")
            .course(course)
            .args(["validate"])
            .run();
        done.code(2).stderr_has("错误");
        assert_chinese(&done);
        done
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/courses");
    for case in [
        "no-checks-no-hint",
        "duplicate-ids",
        "empty-translation",
        "missing-lesson",
        "unknown-unit",
        "unknown-variable",
        "wrong-schema",
        "dangling-link",
        "undone-later",
        "quiz-bad-answer",
    ] {
        validate(&fixtures.join(case));
    }
    // The quiz_questions lint and the placeholder lint.
    let tmp = tempfile::tempdir().expect("tmp");
    let course = course_copy("ok", tmp.path());
    let unit = course.join("labs/task1.yaml");
    let text = std::fs::read_to_string(&unit).expect("unit");
    let broken = text.replace(
        "commands: [docker pull tomcat]",
        "commands: [docker pull tomcat, \"docker rm <CONTAINER ID>\"]",
    ) + "      - id: quiz\n        quiz: { questions: [ports] }\n";
    std::fs::write(&unit, broken).expect("write");
    validate(&course)
        .stderr_has("给中文学员看的是 <CONTAINER ID>")
        .stderr_has("没有 `quiz:`");
    // A task file lab cannot read: the OS's reason in Chinese too.
    let tmp = tempfile::tempdir().expect("tmp");
    let course = course_copy("ok", tmp.path());
    let unit = course.join("labs/course.yaml");
    std::fs::remove_file(&unit).expect("rm");
    std::fs::create_dir(&unit).expect("a directory in its place");
    validate(&course).stderr_has("无法读取这个文件：这是一个目录");
}

/// Facts of issue 13 that a reader can get wrong again, in both languages.
#[test]
fn the_lessons_state_the_facts_right() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect(p);
    let quiz = read("labs/task11.yaml");
    for lang in ["en", "zh-CN"] {
        let t11 = read(&format!("content/{lang}/task11.md"));
        // Ubuntu's docker.io installs /usr/bin/dockerd; /usr/sbin is Debian's.
        for line in t11.lines().filter(|l| l.contains("/usr/sbin/dockerd")) {
            assert!(line.contains("Debian"), "{lang}/task11.md: {line}");
            let sbin = line.find("/usr/sbin").expect("sbin");
            let ubuntu = line.rfind("Ubuntu").unwrap_or(0);
            assert!(
                ubuntu < sbin && line[ubuntu..sbin].contains("/usr/bin/dockerd"),
                "{lang}/task11.md: {line}"
            );
        }
        // The client's API line is the negotiated version.
        assert!(t11.contains("(downgraded from 1.50)"), "{lang}/task11.md");
        // overlay2 is the default up to Docker 28; Docker 29+ installs use
        // containerd's store (overlayfs): the lesson says both.
        assert!(
            t11.contains("`overlayfs`") && t11.contains("29"),
            "{lang}/task11.md"
        );
    }
    // `docker search` has shown no AUTOMATED column since Docker 25.0.
    for lang in ["en", "zh-CN"] {
        let t5 = read(&format!("content/{lang}/task5.md"));
        for line in t5.lines().filter(|l| l.contains("AUTOMATED")) {
            assert!(line.contains("25.0"), "{lang}/task5.md: {line}");
        }
    }
    let storage = &quiz[quiz.find("id: driver").expect("driver question")..];
    let storage = &storage[..storage.find("- id:").unwrap_or(storage.len())];
    for said in ["overlayfs", "Docker 29", "overlay2"] {
        assert!(
            storage.contains(said),
            "task11 quiz explanation lacks {said}"
        );
    }
    assert!(
        !storage.contains("overlay2 is the default on current"),
        "task11 quiz"
    );
}

/// What the check kinds say of their own fields, what serde and the
/// loader's guards say of a file: in Chinese too, each break of the `ok`
/// fixture with the words a zh-CN author reads.
#[test]
fn the_kinds_serde_and_the_guards_explain_in_chinese() {
    let check = "        image: { ref: tomcat }\n";
    let cases: &[(&str, &str)] = &[
        // The kinds' own lints.
        (
            "        history: { matches: \"docker (pull\", shows: { en: a pull, zh-CN: 拉取 } }\n",
            "的正则表达式无法编译：`docker (pull` 的第 8 个字符 `(` 处：圆括号 `(` 没有闭合",
        ),
        (
            "        history: { matches: \"docker\\\\s+pull\" }\n",
            "学员看不到它",
        ),
        (
            "        container: { name: web, ports: [\"80/tcp->8080\"] }\n",
            "请写成 `8080->80/tcp`，宿主机端口在前",
        ),
        ("        container: { logs: x }\n", "容器检查需要"),
        ("        image: { repository: tomcat }\n", "镜像检查需要"),
        (
            "        daemon: { info: [ { path: Driver, equals: x, exists: true } ] }\n",
            "恰好一个",
        ),
        (
            "        file: { path: /etc/x, mode: \"9z\" }\n",
            "不是八进制数",
        ),
        ("        any_of: []\n", "至少要有一个检查"),
        (
            "        http: { url: \"https://x/\" }\n",
            "只能检查 http://",
        ),
        // serde.
        (
            "        image: { ref: tomcat, colour: red }\n",
            "未知字段 `colour`",
        ),
        ("        image: { ref: [1, 2] }\n", "类型不对"),
        ("        wibble: 1\n", "未知的检查类型或字段 `wibble`"),
        (
            "        image: { ref: tomcat }\n        file: { path: /x }\n",
            "一个检查只能有一种类型",
        ),
        ("        remember: true\n", "没有类型"),
        // The check already has a hint.
        (
            "        hint: { en: x, zh-CN: 啊 }\n",
            "字段 `hint` 出现了两次",
        ),
        (
            "        image: { ref: tomcat }\n        id: again\n",
            "字段 `id` 出现了两次",
        ),
        (
            "        image: { ref: tomcat, present: maybe }\n",
            "应当是布尔值（`true` 或 `false`）",
        ),
        (
            "        history: { matches: docker, status: maybe }\n",
            "未知的取值 `maybe`：这里能写的是 `ok`、`failed`",
        ),
        ("        image: { ref: tomcat\n", "花括号 `{ }` 没有闭合"),
        // The guards.
        (
            "        image: { ref: tomcat }\n---\na: 1\n",
            "第二个 YAML 文档",
        ),
    ];
    let home = tempfile::tempdir().expect("tmp");
    for (i, (with, says)) in cases.iter().enumerate() {
        let tmp = tempfile::tempdir().expect("tmp");
        let course = course_copy("ok", tmp.path());
        let unit = course.join("labs/task1.yaml");
        let text = std::fs::read_to_string(&unit).expect("unit");
        assert!(text.contains(check), "the fixture changed: fix this test");
        std::fs::write(&unit, text.replacen(check, with, 1)).expect("write");
        let done = Lab::new(home.path())
            .env("LANG", "zh_CN.UTF-8")
            .course(&course)
            .args(["validate"])
            .run();
        done.code(2).stderr_has("错误").stderr_has(says);
        assert_chinese(&done);
        assert!(
            !done.stderr.contains("is a regex"),
            "case {i}: {}",
            done.stderr
        );
    }
    // Bytes that are not UTF-8.
    let tmp = tempfile::tempdir().expect("tmp");
    let course = course_copy("ok", tmp.path());
    let unit = course.join("labs/task1.yaml");
    let mut bytes = std::fs::read(&unit).expect("unit");
    bytes.extend_from_slice(b"# \xff\n");
    std::fs::write(&unit, bytes).expect("write");
    let done = Lab::new(home.path())
        .env("LANG", "zh_CN.UTF-8")
        .course(&course)
        .args(["validate"])
        .run();
    done.code(2).stderr_has("不是 UTF-8");
    assert_chinese(&done);
}

/// clap's own usage errors (a mistyped subcommand, flag or value) in
/// Chinese, exit code 2; English stays clap's.
#[test]
fn usage_errors_speak_chinese() {
    let home = tempfile::tempdir().expect("tmp");
    for (args, says) in [
        (
            &["chekc"][..],
            "没有 `chekc` 这个子命令。是不是想写 `check`？",
        ),
        (&["check", "--bogus"][..], "不认识参数 `--bogus`"),
        (&["--var", "x", "check", "task1"][..], "的值 `x` 不对"),
        (
            &["check", "--format", "xml"][..],
            "可用的值有 `text`、`json`",
        ),
    ] {
        let done = zh(home.path()).arg_slice(args).run();
        done.code(2).stderr_has(says).stderr_has("lab --help");
        assert_chinese(&done);
        // LANG alone picks Chinese too.
        Lab::new(home.path())
            .env("LANG", "zh_CN.UTF-8")
            .arg_slice(args)
            .run()
            .code(2)
            .stderr_has(says);
        // English learners read clap's words.
        let en = Lab::new(home.path())
            .args(["--lang", "en"])
            .arg_slice(args)
            .run();
        en.code(2).stderr_has("error:");
        assert!(!en.stderr.contains("错误"), "{}", en.stderr);
    }
    // `--lang zh-CN` and no subcommand.
    let done = zh(home.path()).run();
    done.code(2).stderr_has("缺少子命令：可用的有 `list`");
    assert_chinese(&done);
}

/// Sentences of the English help: a zh-CN learner reads none of them.
const EN_HELP: &[&str] = &[
    "Usage:",
    "Commands:",
    "Options:",
    "Arguments:",
    "Print help",
    "Print version",
    "Print this message",
    "[default:",
    "[env:",
    "[possible values:",
    "[OPTIONS]",
    "Examples:",
    "Exit codes",
    "Check your work on this machine",
    "Tasks or units to check",
    "Language of lessons and reports",
    "The Docker daemon to check",
    "Grade a class of student VMs",
    "The class roster",
    "The roster is a CSV file",
    "lab never changes your machine",
];

fn assert_chinese_help(done: &Done) {
    done.code(0).stdout_has("用法：lab").stdout_has("选项：");
    for en in EN_HELP {
        assert!(
            !done.stdout.contains(en),
            "lab {}: `{en}` in the zh-CN help:\n{}",
            done.args.join(" "),
            done.stdout
        );
    }
    // The usage line is what the learner types: code, as if quoted.
    let quoted = |text: &str| {
        let lines = text.lines().map(|l| match l.strip_prefix("用法：") {
            Some(usage) => format!("用法：`{usage}`"),
            None => l.to_string(),
        });
        lines.collect::<Vec<_>>().join("\n")
    };
    assert_chinese(&Done {
        code: done.code,
        stdout: quoted(&done.stdout),
        stderr: done.stderr.clone(),
        args: done.args.clone(),
    });
}

#[test]
fn help_speaks_chinese() {
    let home = tempfile::tempdir().expect("tmp");
    let h = home.path();
    for flag in ["--help", "-h"] {
        let done = zh(h).args([flag]).run();
        assert_chinese_help(&done);
        done.stdout_has("命令：")
            .stdout_has("检查你在本机上完成的操作")
            .stdout_has("显示帮助")
            .stdout_has("显示版本")
            .stdout_has("--docker-host <URL>");
    }
    zh(h)
        .args(["--help"])
        .run()
        .stdout_has("lab 从不改动你的机器")
        .stdout_has("退出码：0 每一步都通过")
        .stdout_has("[默认：unix:///var/run/docker.sock]");
    // A zh locale alone, and LAB_LANG alone.
    let done = Lab::new(h)
        .env("LANG", "zh_CN.UTF-8")
        .args(["check", "--help"])
        .run();
    assert_chinese_help(&done);
    done.stdout_has("用法：lab check [选项] [目标]...")
        .stdout_has("参数：")
        .stdout_has("要检查的任务或单元")
        .stdout_has("[可选：text、json、junit、tap]");
    let done = Lab::new(h)
        .env("LAB_LANG", "zh-CN")
        .args(["watch", "--help"])
        .run();
    assert_chinese_help(&done);
    done.stdout_has("q 退出");
    // `lab help COMMAND`, and `help` in the list of commands.
    let done = zh(h).args(["help", "grade"]).run();
    assert_chinese_help(&done);
    done.stdout_has("用法：lab grade [选项] --roster <文件> [目标]...")
        .stdout_has("全班名单")
        .stdout_has("退出码：0 每台虚拟机都已评分");
    assert_chinese_help(&zh(h).args(["help"]).run());
    assert_chinese_help(&zh(h).args(["book", "build", "--help"]).run());
}

#[test]
fn help_stays_english_for_english_learners() {
    let home = tempfile::tempdir().expect("tmp");
    for done in [
        Lab::new(home.path())
            .env("LANG", "C")
            .args(["--help"])
            .run(),
        Lab::new(home.path())
            .env("LANG", "zh_CN.UTF-8")
            .args(["--lang", "en", "help", "grade"])
            .run(),
    ] {
        done.code(0)
            .stdout_has("Usage: lab")
            .stdout_has("Options:")
            .stdout_has("Exit codes")
            .stdout_has("Print help");
        assert!(
            !done.stdout.chars().any(is_cjk),
            "lab {}: Chinese in the en help:\n{}",
            done.args.join(" "),
            done.stdout
        );
    }
}
