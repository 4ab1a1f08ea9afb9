//! The real-Docker test bed: every test gets a FRESH private `dockerd`.
//!
//! `scripts/testbed up` starts a local registry seeded with tiny stand-in
//! images (tests/bed/*) and writes `$LAB_TESTBED_DIR/env`; source it before
//! `cargo test`. Each [`Daemon`] then runs its own dockerd (own socket,
//! data-root, exec-root, pidfile and daemon.json, `--bridge=none
//! --iptables=false`) whose registry mirror is that registry, so a plain
//! `docker pull tomcat` gets the stand-in and Docker Hub is never asked.
//! Daemons are per test because the event buffer is per daemon.
//!
//! [`Daemon::start_networked`] gives bridge networking instead, so that
//! `docker run -p 80:80 nginx` is reachable at `http://localhost:80` from the
//! test: a bridge of our own (`labbed0`, 10.213.0.1/24, IPv4 forwarding off on
//! it, so nothing a container sends leaves this machine), `--iptables=false`,
//! published ports bound to 127.0.0.1 by the userland proxy (docker-proxy).
//! Host ports are shared, so only one networked daemon exists at a time: it
//! holds the host-wide lock `/tmp/lab-testbed-net.lock` (shared with
//! `scripts/testbed daemon --networked`) for its whole life; other callers wait.
//!
//! Environment: `LAB_TEST_REGISTRY` (host:port of the registry),
//! `LAB_TEST_DOCKERD` (path of dockerd), `LAB_TESTBED_DIR` (daemon dirs go
//! under `$LAB_TESTBED_DIR/d/`, default /tmp/lab-testbed), optional
//! `LAB_TEST_DOCKER` (the docker CLI, default `docker` from PATH),
//! `LAB_TEST_DOCKERD_ARGS` (more dockerd flags, split on spaces: `scripts/engines
//! test` sets `--feature containerd-snapshotter=true` for containerd's image store).

#![allow(dead_code)]

mod http;
mod net;
mod process;
mod smoke;

use http::*;
pub use http::{http_get, http_get_until};
use net::*;
pub use net::{net_bridge_exists, net_proxies};
pub use process::cleanup_dir;
use process::*;

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Exactly what `docker run hello-world` prints (the stand-in prints the real text).
pub const HELLO_WORLD_OUTPUT: &str = include_str!("../../bed/hello-world/hello.txt");

const START_TIMEOUT: Duration = Duration::from_secs(30);
/// stop()/restart(): a real, graceful daemon stop (containers get their stop timeout).
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// Drop: running containers are killed first, so dockerd exits at once.
const DROP_TIMEOUT: Duration = Duration::from_secs(10);
/// A docker CLI call or `sh` script that runs longer than this is killed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);
/// How long start_networked() waits for the networked daemon of another test.
const NET_LOCK_TIMEOUT: Duration = Duration::from_secs(600);

/// Networked daemons, host-wide (keep in sync with scripts/testbed): the lock one
/// holds for its whole life, our bridge and the address (and /24) on it.
pub const NET_LOCK: &str = "/tmp/lab-testbed-net.lock";
pub const NET_BRIDGE: &str = "labbed0";
const NET_CIDR: &str = "10.213.0.1/24";

/// Variables removed from every command run against a daemon, so the caller's
/// Docker setup cannot redirect it.
pub const UNSET_ENV: &[&str] = &[
    "DOCKER_CONTEXT",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_API_VERSION",
];

/// One private dockerd, stopped and wiped on drop.
pub struct Daemon {
    root: PathBuf,
    scratch: PathBuf,
    registry: String,
    dockerd: PathBuf,
    child: Option<Child>,
    /// Some for a networked daemon: the lock, held until the daemon and its bridge are gone.
    net: Option<NetLock>,
}

impl Daemon {
    /// Starts a fresh dockerd whose registry mirror is the test bed registry
    /// (`--bridge=none`: containers have no network, `-p` publishes nothing).
    pub fn start() -> Daemon {
        Daemon::start_with(None)
    }

    /// Like [`Daemon::start`], with bridge networking: `-p HOST:CONTAINER` is
    /// reachable at `localhost:HOST` (127.0.0.1 only; `docker ps` shows
    /// `127.0.0.1:80->80/tcp`). Waits (up to 10 min) while another networked
    /// daemon exists; on drop the bridge and proxies go too.
    pub fn start_networked() -> Daemon {
        let t = Instant::now();
        let lock = NetLock::acquire();
        if t.elapsed() > Duration::from_secs(1) {
            eprintln!(
                "start_networked waited {:?} for {NET_LOCK} (another networked daemon)",
                t.elapsed()
            );
        }
        Daemon::start_with(Some(lock))
    }

    fn start_with(net: Option<NetLock>) -> Daemon {
        let registry = required_env("LAB_TEST_REGISTRY");
        let dockerd = PathBuf::from(required_env("LAB_TEST_DOCKERD"));
        registry_answers(&registry);
        let base = base_dir();
        fs::create_dir_all(&base)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", base.display()));
        reap_stale(&base);
        let root = new_dir(&base);
        let sock = root.join("docker.sock");
        assert!(
            sock.as_os_str().len() < 100,
            "{} is too long for a unix socket path: set LAB_TESTBED_DIR to a shorter dir",
            sock.display()
        );
        let setup = || -> std::io::Result<()> {
            fs::write(root.join("owner"), std::process::id().to_string())?;
            fs::create_dir(root.join("scratch"))?;
            fs::create_dir(root.join("cli"))?;
            if net.is_some() {
                // `scripts/testbed down` deletes the bridge of a dir marked so.
                fs::write(root.join("networked"), "")?;
            }
            fs::write(
                root.join("daemon.json"),
                format!("{{\"registry-mirrors\": [\"http://{registry}\"]}}\n"),
            )
        };
        if let Err(e) = setup() {
            let _ = fs::remove_dir_all(&root);
            panic!("cannot set up {}: {e}", root.display());
        }
        let scratch = root.join("scratch");
        let mut d = Daemon {
            root,
            scratch,
            registry,
            dockerd,
            child: None,
            net,
        };
        if d.net.is_some() {
            net_setup();
        }
        d.launch();
        d
    }

    /// Started by [`Daemon::start_networked`].
    pub fn is_networked(&self) -> bool {
        self.net.is_some()
    }

    /// `unix:///…/docker.sock`, for DOCKER_HOST or `--docker-host`.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// The daemon's socket path.
    pub fn socket(&self) -> PathBuf {
        self.root.join("docker.sock")
    }

    /// Its daemon.json (`--config-file`); rewrite it and restart() to apply.
    pub fn config_file(&self) -> PathBuf {
        self.root.join("daemon.json")
    }

    /// A scratch dir for the test (e.g. a fake HOME); wiped with the daemon.
    pub fn dir(&self) -> &Path {
        &self.scratch
    }

    /// The test bed registry (`127.0.0.1:PORT`), this daemon's mirror.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The engine's version as its API reports it ("20.10.24", "28.5.2").
    pub fn version(&self) -> String {
        let out = self.docker(&["version", "--format", "{{.Server.Version}}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// "20.10", "28.5": how lab and the lessons name the engine.
    pub fn major_minor(&self) -> String {
        let v = self.version();
        v.split('.').take(2).collect::<Vec<_>>().join(".")
    }

    /// Whether images live in containerd's store (`--feature containerd-snapshotter`).
    pub fn containerd_store(&self) -> bool {
        let out = self.docker(&["info", "--format", "{{json .DriverStatus}}"]);
        String::from_utf8_lossy(&out.stdout).contains("io.containerd.snapshotter")
    }

    /// dockerd's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.root.join("dockerd.log")).unwrap_or_default()
    }

    /// The docker CLI's config.json for this daemon (in DOCKER_CONFIG, not
    /// in HOME): where `docker login` keeps what it logged in to.
    pub fn cli_config(&self) -> PathBuf {
        self.root.join("cli").join("config.json")
    }

    /// DOCKER_HOST and DOCKER_CONFIG (a private, empty CLI config) for this daemon.
    pub fn envs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DOCKER_HOST", self.host()),
            ("DOCKER_CONFIG", self.root.join("cli").display().to_string()),
        ]
    }

    /// `program` with this daemon's environment ([`Daemon::envs`], [`UNSET_ENV`] removed), stdin null.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        for k in UNSET_ENV {
            c.env_remove(k);
        }
        c.envs(self.envs()).stdin(Stdio::null());
        c
    }

    /// The full id (`sha256:…`) of the image `reference` names; panics
    /// when there is none.
    pub fn image_id(&self, reference: &str) -> String {
        let out = self.docker(&["image", "inspect", "--format", "{{.Id}}", reference]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The image's id as `docker images` shows it and a learner copies it:
    /// its first 12 hex digits.
    pub fn short_image_id(&self, reference: &str) -> String {
        let id = self.image_id(reference);
        id.trim_start_matches("sha256:")[..12].to_string()
    }

    /// Runs the real `docker` CLI against this daemon; panics unless it succeeds.
    pub fn docker(&self, args: &[&str]) -> Output {
        let out = self.docker_may_fail(args);
        if !out.status.success() {
            panic!(
                "`docker {}` failed ({}) on {}\n{}",
                args.join(" "),
                out.status,
                self.host(),
                show(&out)
            );
        }
        out
    }

    /// Runs the real `docker` CLI against this daemon, whatever its exit code.
    pub fn docker_may_fail(&self, args: &[&str]) -> Output {
        let mut c = self.command(docker_cli());
        c.args(args);
        run(c, &format!("docker {}", args.join(" ")))
    }

    /// Everything in the daemon's event buffer, one `TYPE ACTION ACTOR` per line.
    pub fn events(&self) -> String {
        let until = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|t| t.as_secs() + 1)
            .unwrap_or(0)
            .to_string();
        let out = self.docker(&[
            "events",
            "--since",
            "0",
            "--until",
            &until,
            "--format",
            "{{.Type}} {{.Action}} {{.Actor.ID}}",
        ]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `bash -c SCRIPT` against this daemon, as a learner types it
    /// (e.g. `docker image rm -f $(docker images tomcat -q)`); panics unless it succeeds.
    pub fn sh(&self, script: &str) -> Output {
        let out = self.sh_may_fail(script);
        if !out.status.success() {
            panic!(
                "`bash -c {script:?}` failed ({}) on {}\n{}",
                out.status,
                self.host(),
                show(&out)
            );
        }
        out
    }

    /// `bash -c SCRIPT` against this daemon, whatever its exit code.
    pub fn sh_may_fail(&self, script: &str) -> Output {
        let mut c = self.command("bash");
        c.args(["-c", script]).current_dir(&self.scratch);
        run(c, &format!("bash -c {script:?}"))
    }

    /// Stops and starts the same daemon (same data-root and config file): it
    /// re-reads daemon.json and its event buffer starts empty.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Stops the daemon (gracefully, as `systemctl stop docker` would) and waits
    /// until its socket is gone.
    pub fn stop(&mut self) {
        self.shutdown(STOP_TIMEOUT);
    }

    /// Starts the daemon again after stop().
    pub fn start_again(&mut self) {
        if self.child.is_none() {
            self.launch();
        }
    }

    fn launch(&mut self) {
        let log_path = self.root.join("dockerd.log");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", log_path.display()));
        let log2 = log
            .try_clone()
            .unwrap_or_else(|e| panic!("cannot dup log fd: {e}"));
        let sock = self.socket();
        let _ = fs::remove_file(&sock);
        // bash closes every inherited descriptor above 2 (so dockerd never holds a
        // caller's pipe open), then execs dockerd: the child's pid is dockerd's.
        let mut cmd = Command::new("bash");
        cmd.args(["-c", CLOSE_FDS_AND_EXEC, "dockerd-launcher"])
            .arg(&self.dockerd)
            .arg("--data-root")
            .arg(self.root.join("data"))
            .arg("--exec-root")
            .arg(self.root.join("exec"))
            .arg("--pidfile")
            .arg(self.root.join("docker.pid"))
            .arg("-H")
            .arg(self.host())
            .arg("--config-file")
            .arg(self.config_file())
            .args(self.network_args())
            .args(extra_dockerd_args())
            .env_remove("DOCKER_HOST")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .process_group(0);
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e} (run `scripts/testbed up`)",
                self.dockerd.display()
            )
        });
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ping(&sock) {
                return;
            }
            let exited = match self.child.as_mut() {
                Some(c) => c.try_wait().ok().flatten(),
                None => None,
            };
            if let Some(status) = exited {
                self.child = None;
                panic!(
                    "dockerd in {} exited during startup ({status}); did `scripts/testbed up` run?\n--- dockerd log (tail) ---\n{}",
                    self.root.display(),
                    self.log_tail(40)
                );
            }
            if Instant::now() >= deadline {
                let tail = self.log_tail(40);
                self.shutdown(Duration::from_secs(2));
                panic!(
                    "dockerd in {} did not answer /_ping within {}s (is the test bed up? `scripts/testbed up`)\n--- dockerd log (tail) ---\n{tail}",
                    self.root.display(),
                    START_TIMEOUT.as_secs()
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    fn network_args(&self) -> Vec<String> {
        if self.net.is_none() {
            return vec!["--bridge=none".into(), "--iptables=false".into()];
        }
        let mut v: Vec<String> = [
            "--iptables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--ip=127.0.0.1",
            "--userland-proxy=true",
        ]
        .map(String::from)
        .to_vec();
        v.push(format!("--bridge={NET_BRIDGE}"));
        // dockerd looks docker-proxy up in PATH, which may lack /usr/sbin.
        if let Some(proxy) = self.dockerd.parent().map(|d| d.join("docker-proxy")) {
            if proxy.is_file() {
                v.push(format!("--userland-proxy-path={}", proxy.display()));
            }
        }
        v
    }

    /// SIGTERM, wait up to `grace`, SIGKILL; then make sure containerd, shims and
    /// container processes are gone, the socket is removed and nothing stays mounted.
    fn shutdown(&mut self, grace: Duration) {
        let containerd = read_pid(&self.root.join("exec/containerd/containerd.pid"));
        if let Some(mut child) = self.child.take() {
            signal("TERM", &[child.id()]);
            if !wait_child(&mut child, grace) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if let Some(pid) = containerd {
            if !wait_gone(pid, Duration::from_secs(10)) {
                signal("KILL", &[pid]);
            }
        }
        kill_leftovers(&self.root);
        let _ = fs::remove_file(self.socket());
        unmount_under(&self.root);
    }

    /// Kills running containers through the API so that dockerd exits at once.
    fn kill_containers(&self) {
        let sock = self.socket();
        let Some((200, body)) = api(&sock, "GET", "/containers/json") else {
            return;
        };
        for id in body
            .split("\"Id\":\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            if id.chars().all(|c| c.is_ascii_hexdigit()) {
                let _ = api(&sock, "POST", &format!("/containers/{id}/kill"));
            }
        }
    }

    fn log_tail(&self, lines: usize) -> String {
        let log = self.log();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- dockerd log of {} (tail) ---\n{}",
                self.root.display(),
                self.log_tail(30)
            );
        }
        if self.child.is_some() {
            self.kill_containers();
        }
        self.shutdown(DROP_TIMEOUT);
        cleanup_dir(&self.root);
        if self.net.is_some() {
            net_teardown();
        }
        // self.net (the lock) is released after this, when the fields drop.
    }
}

// ------------------------------------------------------------------ helpers

const CLOSE_FDS_AND_EXEC: &str = r#"for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi; done; exec "$@""#;

/// `LAB_TEST_DOCKERD_ARGS`, split on whitespace (no quoting: engine flags need none).
fn extra_dockerd_args() -> Vec<String> {
    std::env::var("LAB_TEST_DOCKERD_ARGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: these tests need the real-Docker test bed. Run `scripts/testbed up` \
             and `source \"${{LAB_TESTBED_DIR:-/tmp/lab-testbed}}/env\"` (or `eval \"$(scripts/testbed env)\"`) first"
        ),
    }
}

/// Panics (naming `scripts/testbed up`) unless the registry accepts a connection.
fn registry_answers(registry: &str) {
    use std::net::{TcpStream, ToSocketAddrs};
    let ok = registry
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok());
    assert!(
        ok,
        "the test bed registry LAB_TEST_REGISTRY={registry} does not answer: run `scripts/testbed up` \
         and source the env file it prints"
    );
}

fn base_dir() -> PathBuf {
    let bed = std::env::var_os("LAB_TESTBED_DIR").filter(|v| !v.is_empty());
    PathBuf::from(bed.unwrap_or_else(|| "/tmp/lab-testbed".into())).join("d")
}

fn docker_cli() -> std::ffi::OsString {
    std::env::var_os("LAB_TEST_DOCKER")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "docker".into())
}

/// A new, short, unique dir under `base`.
fn new_dir(base: &Path) -> PathBuf {
    let pid = std::process::id();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for n in 0..10_000u32 {
        let name = format!(
            "{:x}",
            (pid.wrapping_mul(1_000_003) ^ nanos ^ n.wrapping_mul(2_654_435_761)) & 0xff_ffff
        );
        let dir = base.join(name);
        match fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create {}: {e}", dir.display()),
        }
    }
    panic!("no free daemon dir under {}", base.display())
}
