//! Each registry mirror must answer `GET /v2/`: the test bed's registry
//! (http), a registry served over https with a CA made here (trusted only
//! through SSL_CERT_FILE), a placeholder that resolves nowhere, and a web
//! server that is not a registry.

use crate::bed::Daemon;
use crate::harness::{Done, Lab};
use lab::report::{CheckResult, Status};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn with_mirrors(d: &Daemon, mirrors: &[&str]) {
    let cfg = serde_json::json!({ "registry-mirrors": mirrors });
    std::fs::write(d.config_file(), cfg.to_string()).expect("write daemon.json");
}

/// `lab check task2` as the machine is now: without the journal, a step
/// seen passing by an earlier check of the same test would stay passed.
fn check(d: &Daemon, envs: &[(&str, &str)]) -> Done {
    let mut lab = Lab::on(d);
    for (k, v) in envs {
        lab = lab.env(k, v);
    }
    lab.args(["--no-journal", "check", "task2", "--format", "json"])
        .run()
}

fn mirrors_check(done: &Done, status: Status) -> CheckResult {
    done.status("task2", "mirror-config", "mirrors-are-urls", status)
}

#[test]
fn the_test_bed_registry_answers_over_http() {
    let d = Daemon::start();
    let c = mirrors_check(&check(&d, &[]), Status::Pass);
    assert!(c.message.as_str().contains("127.0.0.1"), "{c:?}");
}

#[test]
fn a_placeholder_mirror_fails_naming_it() {
    let d = Daemon::start();
    let placeholder = "https://<your-id>.mirror.aliyuncs.com";
    with_mirrors(&d, &[&format!("http://{}", d.registry()), placeholder]);
    let done = check(&d, &[]);
    // dockerd takes the URL: only asking it tells that nothing is there.
    done.status("task2", "mirror-config", "valid-json", Status::Pass);
    let c = mirrors_check(&done, Status::Fail);
    let message = c.message.as_str();
    assert!(
        message.contains("1 of 2 mirror(s) do not answer")
            && message.contains(&format!("{placeholder}: no such host")),
        "{c:?}"
    );
}

#[test]
fn a_web_server_that_is_not_a_registry_fails() {
    let d = Daemon::start();
    let web = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = web.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = web.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    });
    with_mirrors(&d, &[&format!("http://127.0.0.1:{port}")]);
    let c = mirrors_check(&check(&d, &[]), Status::Fail);
    assert!(c.message.as_str().contains("answered HTTP 404"), "{c:?}");
    let _ = server.join();
}

/// A registry over https on 127.0.0.1, its certificate signed by a CA made
/// for the test; killed on drop.
struct TlsRegistry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for TlsRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TlsRegistry {
    fn start() -> TlsRegistry {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "1",
                "-subj",
                "/CN=lab test CA",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "srv.key",
                "-out",
                "srv.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        );
        std::fs::write(
            d.join("ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .expect("ext");
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "srv.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "srv.pem",
                "-days",
                "1",
                "-extfile",
                "ext",
            ],
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n  tls:\n    certificate: {}\n    key: {}\n",
            d.join("data").display(),
            d.join("srv.pem").display(),
            d.join("srv.key").display()
        );
        std::fs::write(d.join("config.yml"), config).expect("config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(d.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let reg = TlsRegistry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the https registry did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    fn ca(&self) -> String {
        self._dir.path().join("ca.pem").display().to_string()
    }
}

#[test]
fn an_https_mirror_answers_when_its_ca_is_trusted() {
    let reg = TlsRegistry::start();
    let d = Daemon::start();
    let url = format!("https://127.0.0.1:{}", reg.port);
    with_mirrors(&d, &[&url]);
    let ca = reg.ca();
    let trusted = check(&d, &[("SSL_CERT_FILE", &ca)]);
    mirrors_check(&trusted, Status::Pass);
    let untrusted = check(&d, &[("SSL_CERT_FILE", "/nonexistent.pem")]);
    let c = mirrors_check(&untrusted, Status::Fail);
    assert!(c.message.as_str().contains("not trusted"), "{c:?}");
}

/// The same registry named by a host name: lab resolves it (through
/// /etc/hosts here; a static musl build has its own resolver) and checks
/// its certificate for that name.
#[test]
fn an_https_mirror_named_by_host_name_is_resolved_and_verified() {
    let reg = TlsRegistry::start();
    let d = Daemon::start();
    let url = format!("https://localhost:{}", reg.port);
    with_mirrors(&d, &[&url]);
    let ca = reg.ca();
    mirrors_check(&check(&d, &[("SSL_CERT_FILE", &ca)]), Status::Pass);
}
