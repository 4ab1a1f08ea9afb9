//! What the lessons say Docker does, asked of the real dockerd of the test
//! bed (20.10, Debian 12's, what the course installs): each test makes
//! Docker say it, then finds those very words in both lessons. A lesson
//! that quotes another version's wording, or a daemon that behaves
//! otherwise, fails here.

use crate::bed::Daemon;
use std::path::Path;

fn lesson(lang: &str, task: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content")
        .join(lang)
        .join(format!("{task}.md"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Both lessons of `task` quote `words`.
fn lessons_quote(task: &str, words: &str) {
    for lang in ["en", "zh-CN"] {
        assert!(
            lesson(lang, task).contains(words),
            "content/{lang}/{task}.md does not quote what dockerd says: {words:?}"
        );
    }
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn server_version(d: &Daemon) -> String {
    let out = d.docker(&["version", "--format", "{{.Server.Version}}"]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn major(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// task10: the refusal to remove a running container, as this daemon
/// words it (20.10 and 23.0+ differ; the lesson quotes both).
#[test]
fn task10_quotes_the_running_container_refusal_of_this_daemon() {
    let d = Daemon::start();
    d.docker(&["pull", "httpd:2.4"]);
    let out = d.docker(&["run", "-d", "--name", "web", "httpd:2.4"]);
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let refused = d.docker_may_fail(&["rm", &id]);
    assert!(!refused.status.success(), "{}", text(&refused));
    let said = text(&refused);
    let said = said.trim();
    // Each lesson writes the placeholders in its own language.
    for (lang, id_word, name_word) in [
        ("en", "<CONTAINER ID>", "<NAME>"),
        ("zh-CN", "<容器 ID>", "<容器名>"),
    ] {
        let quoted = said
            .replace(&id, id_word)
            .replace("\"/web\"", &format!("\"/{name_word}\""));
        assert!(
            lesson(lang, "task10").contains(&quoted),
            "content/{lang}/task10.md does not quote what dockerd says: {quoted:?}"
        );
    }
    if major(&server_version(&d)) == 20 {
        assert!(
            said.contains("You cannot remove a running container"),
            "{said}"
        );
    }
}

/// How this daemon refuses `docker rmi NAME` while a stopped container uses
/// the image: the classic image store and containerd's word it differently
/// (the lessons quote both).
fn refused_by_name(d: &Daemon, name: &str) -> String {
    if d.containerd_store() {
        format!("conflict: unable to delete {name} (must be forced) - container")
    } else {
        format!(
            "conflict: unable to remove repository reference \"{name}\" (must force) - container"
        )
    }
}

/// task3: with a container running, `docker rmi -f` by id is refused, by
/// name it only removes the name (the image stays, nameless); with a
/// stopped one, plain `docker rmi` is refused by id and by name.
#[test]
fn task3_rmi_by_name_untags_and_by_id_is_refused_while_a_container_uses_the_image() {
    let d = Daemon::start();
    d.docker(&["pull", "tomcat:8.0"]);
    let full = d.image_id("tomcat:8.0");
    let short = d.short_image_id("tomcat:8.0");

    // Stopped container: refused without -f, by id and by name.
    d.docker(&["run", "--name", "stopped", "tomcat:8.0", "true"]);
    let by_id = text(&d.docker_may_fail(&["rmi", &short]));
    assert!(
        by_id.contains(&format!(
            "conflict: unable to delete {short} (must be forced) - image is being used by stopped container"
        )),
        "{by_id}"
    );
    lessons_quote(
        "task3",
        "(must be forced) - image is being used by stopped container",
    );
    let by_name = text(&d.docker_may_fail(&["rmi", "tomcat:8.0"]));
    let words = refused_by_name(&d, "tomcat:8.0");
    assert!(by_name.contains(&words), "{by_name}");
    lessons_quote("task3", &words);
    d.docker(&["rm", "stopped"]);

    // Running container: -f by id is refused, -f by name only untags.
    d.docker(&["run", "-d", "tomcat:8.0", "sleep", "600"]);
    let forced = d.docker_may_fail(&["rmi", "-f", &short]);
    assert!(!forced.status.success(), "{}", text(&forced));
    let refusal = "(cannot be forced) - image is being used by running container";
    assert!(text(&forced).contains(refusal), "{}", text(&forced));
    lessons_quote("task3", refusal);

    let untag = d.docker(&["rmi", "-f", "tomcat:8.0"]);
    assert!(
        text(&untag).contains("Untagged: tomcat:8.0"),
        "{}",
        text(&untag)
    );
    lessons_quote("task3", "Untagged: tomcat:8.0");
    let all = d.docker(&[
        "images",
        "-a",
        "--no-trunc",
        "--format",
        "{{.ID}} {{.Repository}}",
    ]);
    let all = String::from_utf8_lossy(&all.stdout).into_owned();
    assert!(
        all.lines().any(|l| l == format!("{full} <none>")),
        "the image should stay, nameless:\n{all}"
    );
}

/// task7: a stopped container blocks `docker rmi` by name; forcing it
/// removes the name and (classic store) the image entry or (containerd's
/// store) only the name, and the container stays, shown in `docker ps -a`
/// with a bare image id.
#[test]
fn task7_forcing_the_image_away_leaves_its_container_with_a_bare_id() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    let short = d.short_image_id("ubuntu:18.04");
    d.docker(&["run", "--name", "done", "ubuntu:18.04", "true"]);
    let refused = text(&d.docker_may_fail(&["rmi", "ubuntu:18.04"]));
    let words = refused_by_name(&d, "ubuntu:18.04");
    assert!(refused.contains(&words), "{refused}");
    lessons_quote("task7", &words);
    let forced = text(&d.docker(&["rmi", "-f", "ubuntu:18.04"]));
    assert!(forced.contains("Untagged: ubuntu:18.04"), "{forced}");
    let deleted = forced.contains("Deleted: sha256:");
    let images = d.docker(&["images", "-a", "--format", "{{.ID}} {{.Repository}}"]);
    let images = String::from_utf8_lossy(&images.stdout).into_owned();
    let nameless = images.lines().any(|l| l == format!("{short} <none>"));
    let (en, zh) = if d.containerd_store() {
        assert!(!deleted && nameless, "{forced}\n{images}");
        ("`-f` removes only the name", "`-f` 只删掉名字")
    } else {
        assert!(deleted && !nameless, "{forced}\n{images}");
        ("remove the name and the image entry", "删除名字和镜像记录")
    };
    for (lang, says) in [("en", en), ("zh-CN", zh)] {
        assert!(
            lesson(lang, "task7").contains(says),
            "content/{lang}/task7.md: {says:?}"
        );
    }
    let ps = d.docker(&["ps", "-a", "--format", "{{.Image}} {{.Names}}"]);
    let ps = String::from_utf8_lossy(&ps.stdout).into_owned();
    assert!(ps.lines().any(|l| l == format!("{short} done")), "{ps}");
    for (lang, says) in [
        ("en", "with a bare image ID"),
        ("zh-CN", "镜像只显示为一串 ID"),
    ] {
        assert!(
            lesson(lang, "task7").contains(says),
            "content/{lang}/task7.md: {says:?}"
        );
    }
}

/// task11: the client's `API version` is the one it agreed on with this
/// daemon; a client newer than the daemon says it was downgraded.
#[test]
fn task11_the_clients_api_version_is_the_negotiated_one() {
    let d = Daemon::start();
    let field = |f: &str| {
        let out = d.docker(&["version", "--format", f]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let server = field("{{.Server.APIVersion}}");
    let known = field("{{.Client.DefaultAPIVersion}}");
    let out = d.docker(&["version"]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    let client_line = shown
        .lines()
        .skip_while(|l| !l.starts_with("Client"))
        .find(|l| l.trim_start().starts_with("API version:"))
        .unwrap_or_else(|| panic!("no client API version line:\n{shown}"))
        .trim_start()
        .trim_start_matches("API version:")
        .trim()
        .to_string();
    let newer = |a: &str, b: &str| {
        let n = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
        n(a) > n(b)
    };
    let want = if newer(&known, &server) {
        format!("{server} (downgraded from {known})")
    } else {
        known.clone()
    };
    assert_eq!(client_line, want, "{shown}");
    lessons_quote("task11", "(downgraded from");
}

/// task11: Debian's docker.io puts dockerd in /usr/sbin (Ubuntu's and
/// Docker's own packages in /usr/bin), as the lesson says.
#[test]
fn task11_debians_dockerd_is_in_usr_sbin() {
    let listed = std::process::Command::new("dpkg-query")
        .args(["-L", "docker.io"])
        .output();
    let debian = std::fs::read_to_string("/etc/os-release")
        .map(|s| s.lines().any(|l| l == "ID=debian"))
        .unwrap_or(false);
    match listed {
        Ok(out) if out.status.success() && debian => {
            let files = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(files.lines().any(|l| l == "/usr/sbin/dockerd"), "{files}");
        }
        _ => eprintln!("not Debian with docker.io: nothing to compare"),
    }
    lessons_quote("task11", "`/usr/sbin/dockerd`");
    lessons_quote("task11", "`/usr/bin/dockerd`");
}

/// task2: a mirror whose host does not exist does not stop dockerd (only
/// a malformed URL does): it loads and `docker info` lists it.
#[test]
fn task2_a_mirror_that_answers_nothing_loads() {
    let mut d = Daemon::start();
    let placeholder = "https://<your-id>.mirror.aliyuncs.com";
    let cfg = serde_json::json!({
        "registry-mirrors": [format!("http://{}", d.registry()), placeholder]
    });
    std::fs::write(d.config_file(), cfg.to_string()).expect("write daemon.json");
    d.restart();
    let out = d.docker(&[
        "info",
        "--format",
        "{{range .RegistryConfig.Mirrors}}{{.}}\n{{end}}",
    ]);
    let loaded = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        loaded.lines().any(|l| l == format!("{placeholder}/")),
        "{loaded}"
    );
    // The lesson says so, and no longer counts the placeholder among what
    // stops dockerd.
    for (lang, says) in [
        (
            "en",
            "A well-formed mirror that does not answer does not stop dockerd",
        ),
        (
            "zh-CN",
            "格式正确但访问不了的加速器地址不会让 dockerd 启动失败",
        ),
    ] {
        assert!(
            lesson(lang, "task2").contains(says),
            "content/{lang}/task2.md: {says:?}"
        );
    }
}

/// task8: `docker import` of a file leaves one layer whose comment is
/// `Imported from -`, as both lessons show it.
#[test]
fn task8_quotes_the_comment_of_an_imported_image() {
    let d = Daemon::start();
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["run", "--name", "c1", "ubuntu:18.04", "touch", "/test"]);
    let tar = d.dir().join("ubuntu-fs.tar");
    let tar = tar.display().to_string();
    d.docker(&["export", "-o", &tar, "c1"]);
    d.docker(&["import", &tar, "test:import"]);
    let out = d.docker(&["history", "--format", "{{.Comment}}", "test:import"]);
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(said, "Imported from -", "{}", text(&out));
    lessons_quote("task8", &format!("`{said}`"));
}

/// task9: `docker login` to the classroom's registry, which checks no
/// password, succeeds and keeps the registry under `auths` in the
/// client's config.json, as both lessons say.
#[test]
fn task9_a_login_to_a_registry_without_passwords_lands_in_config_json() {
    let d = Daemon::start_networked();
    d.docker(&[
        "run",
        "-d",
        "-p",
        "5000:5000",
        "--name",
        "registry",
        "registry:2",
    ]);
    crate::bed::http_get_until(
        "127.0.0.1:5000",
        "/v2/",
        200,
        std::time::Duration::from_secs(30),
    );
    let out = d.docker(&["login", "-u", "student", "-p", "anything", "localhost:5000"]);
    let said = text(&out);
    assert!(said.contains("Login Succeeded"), "{said}");
    lessons_quote("task9", "Login Succeeded");
    let config = std::fs::read_to_string(d.cli_config()).expect("config.json");
    let json: serde_json::Value = serde_json::from_str(&config).expect("JSON");
    assert!(json["auths"]["localhost:5000"].is_object(), "{config}");
}
