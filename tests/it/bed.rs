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
pub const HELLO_WORLD_OUTPUT: &str = include_str!("../bed/hello-world/hello.txt");

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

// ------------------------------------------------------------------ networking

/// The host-wide networked-daemon lock, held by a `flock` child whose stdin is a
/// pipe from us: dropping it (or this process dying) ends the child and frees the lock.
struct NetLock {
    holder: Child,
}

impl NetLock {
    /// Waits up to [`NET_LOCK_TIMEOUT`] for the lock.
    fn acquire() -> NetLock {
        let mut c = Command::new("flock");
        c.args(["-x", "-o", "-w"])
            .arg(NET_LOCK_TIMEOUT.as_secs().to_string())
            .args([NET_LOCK, "sh", "-c", "echo locked; exec cat >/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut holder = c
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run flock (util-linux) for {NET_LOCK}: {e}"));
        let mut line = [0u8; 7];
        let got = holder
            .stdout
            .take()
            .map(|mut o| o.read_exact(&mut line).is_ok())
            .unwrap_or(false);
        if !got || &line != b"locked\n" {
            let _ = holder.kill();
            let _ = holder.wait();
            panic!(
                "no networked daemon: {NET_LOCK} stayed locked for {}s (another test's networked daemon, or `scripts/testbed daemon --networked`)",
                NET_LOCK_TIMEOUT.as_secs()
            );
        }
        NetLock { holder }
    }
}

impl Drop for NetLock {
    fn drop(&mut self) {
        drop(self.holder.stdin.take());
        if !wait_child(&mut self.holder, Duration::from_secs(5)) {
            let _ = self.holder.kill();
            let _ = self.holder.wait();
        }
    }
}

/// `ip ARGS...`: Ok(stdout) or Err(stderr).
fn ip(args: &[&str]) -> Result<String, String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Whether our bridge exists.
pub fn net_bridge_exists() -> bool {
    ip(&["link", "show", NET_BRIDGE]).is_ok()
}

/// docker-proxy processes forwarding to a container on our subnet (only the
/// networked daemon, which holds the lock, has any).
pub fn net_proxies() -> Vec<u32> {
    let prefix = NET_CIDR.rsplit_once('.').map_or("", |(p, _)| p);
    let needle = format!("-container-ip {prefix}.");
    processes()
        .into_iter()
        .filter(|(_, _, comm)| comm == "docker-proxy")
        .filter(|(pid, _, _)| cmdline(*pid).is_some_and(|c| c.contains(&needle)))
        .map(|(pid, _, _)| pid)
        .collect()
}

/// (Lock held.) Kills leftover proxies and deletes the bridge.
fn net_teardown() {
    let proxies = net_proxies();
    signal("KILL", &proxies);
    for pid in proxies {
        wait_gone(pid, Duration::from_secs(5));
    }
    if net_bridge_exists() {
        if let Err(e) = ip(&["link", "del", NET_BRIDGE]) {
            eprintln!("warning: cannot delete bridge {NET_BRIDGE}: {e}");
        }
    }
}

/// (Lock held.) A fresh bridge with [`NET_CIDR`]; IPv4 forwarding is off for
/// packets arriving on it, so containers reach this host and each other only.
fn net_setup() {
    net_teardown();
    let (addr, bits) = NET_CIDR.split_once('/').unwrap_or((NET_CIDR, "24"));
    let net = format!(
        "{}.0/{bits}",
        addr.rsplit_once('.').map_or(addr, |(p, _)| p)
    );
    let routed = ip(&["-4", "route", "show", "match", &net]).unwrap_or_default();
    let other: Vec<&str> = routed
        .lines()
        .filter(|l| !l.starts_with("default"))
        .collect();
    assert!(
        other.is_empty(),
        "{net} is already routed on this host ({other:?}); cannot create bridge {NET_BRIDGE}"
    );
    let step = |args: &[&str]| {
        ip(args).unwrap_or_else(|e| panic!("`ip {}` failed: {e}", args.join(" ")));
    };
    step(&["link", "add", NET_BRIDGE, "type", "bridge"]);
    let fwd = format!("/proc/sys/net/ipv4/conf/{NET_BRIDGE}/forwarding");
    fs::write(&fwd, "0").unwrap_or_else(|e| panic!("cannot write {fwd}: {e}"));
    let _ = fs::write(
        format!("/proc/sys/net/ipv6/conf/{NET_BRIDGE}/disable_ipv6"),
        "1",
    );
    step(&["addr", "add", NET_CIDR, "dev", NET_BRIDGE]);
    step(&["link", "set", NET_BRIDGE, "up"]);
}

/// One HTTP/1.0 GET from this host, e.g. `http_get("localhost:80", "/")`:
/// (status, body), or None if nothing answers.
pub fn http_get(host_port: &str, path: &str) -> Option<(u16, String)> {
    use std::net::{TcpStream, ToSocketAddrs};
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    let mut s = host_port
        .to_socket_addrs()
        .ok()?
        .find_map(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).ok())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((code, body))
}

/// [`http_get`] until it answers `want` (a published port takes a moment).
pub fn http_get_until(host_port: &str, path: &str, want: u16, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let got = http_get(host_port, path);
        match got {
            Some((code, body)) if code == want => return body,
            other if Instant::now() >= deadline => panic!(
                "GET http://{host_port}{path}: no {want} within {timeout:?}; last answer: {other:?}"
            ),
            _ => sleep(Duration::from_millis(100)),
        }
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

/// Runs a command with a timeout, capturing stdout and stderr.
fn run(mut c: Command, what: &str) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{what}`: {e}"));
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut v);
        }
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut v);
        }
        v
    });
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status: ExitStatus = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`{what}` did not finish within {}s",
                    COMMAND_TIMEOUT.as_secs()
                );
            }
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    Output {
        status,
        stdout,
        stderr,
    }
}

fn show(out: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One HTTP/1.0 request on the daemon socket: (status, body).
fn api(sock: &Path, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = UnixStream::connect(sock).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((code, body))
}

fn ping(sock: &Path) -> bool {
    matches!(api(sock, "GET", "/_ping"), Some((200, body)) if body.trim() == "OK")
}

fn read_pid(file: &Path) -> Option<u32> {
    fs::read_to_string(file)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|p| alive(*p))
}

/// The process exists and is not a zombie.
fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next()),
            Some('Z' | 'X')
        ),
        Err(_) => false,
    }
}

fn wait_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(50));
    }
    true
}

fn wait_child(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Ok(None) if Instant::now() < deadline => sleep(Duration::from_millis(50)),
            Ok(None) => return false,
            Err(_) => return true,
        }
    }
}

fn signal(sig: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let mut c = Command::new("bash");
    c.args(["-c", r#"kill -s "$0" "$@" 2>/dev/null"#, sig]);
    c.args(pids.iter().map(|p| p.to_string()));
    let _ = c
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn cmdline(pid: u32) -> Option<String> {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(String::from_utf8_lossy(&raw).replace('\0', " "))
}

/// (pid, ppid, comm) of every process.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (head, rest) = stat.rsplit_once(") ")?;
            let comm = head.split_once(" (")?.1.to_string();
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid, comm))
        })
        .collect()
}

/// SIGKILLs dockerd/containerd/shim processes whose command line names `dir`,
/// and all their descendants (container processes live under the shims).
fn kill_leftovers(dir: &Path) {
    let me = std::process::id();
    let d = dir.display().to_string();
    let procs = processes();
    let mut victims: Vec<u32> = procs
        .iter()
        .filter(|(pid, _, comm)| {
            *pid != me
                && (matches!(comm.as_str(), "dockerd" | "containerd" | "docker-proxy")
                    || comm.starts_with("containerd-shim"))
        })
        .filter(|(pid, _, _)| {
            cmdline(*pid)
                .is_some_and(|c| c.contains(&format!("{d}/")) || c.contains(&format!("{d} ")))
        })
        .map(|(pid, _, _)| *pid)
        .collect();
    if victims.is_empty() {
        return;
    }
    let mut i = 0;
    while i < victims.len() {
        let parent = victims[i];
        for (pid, ppid, _) in &procs {
            if *ppid == parent && !victims.contains(pid) {
                victims.push(*pid);
            }
        }
        i += 1;
    }
    signal("KILL", &victims);
    for pid in victims {
        wait_gone(pid, Duration::from_secs(5));
    }
}

/// Mount points at or below `dir`, deepest (latest) first.
fn mounts_under(dir: &Path) -> Vec<String> {
    let d = dir.display().to_string();
    let prefix = format!("{d}/");
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut v: Vec<String> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|m| m.replace("\\040", " "))
        .filter(|m| *m == d || m.starts_with(&prefix))
        .collect();
    v.reverse();
    v
}

/// Unmounts everything under `dir`; true when nothing is left mounted.
fn unmount_under(dir: &Path) -> bool {
    for _ in 0..3 {
        let ms = mounts_under(dir);
        if ms.is_empty() {
            return true;
        }
        for m in ms {
            let quiet = |args: &[&str]| {
                Command::new("umount")
                    .args(args)
                    .arg(&m)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !quiet(&[]) {
                quiet(&["-l"]);
            }
        }
    }
    mounts_under(dir).is_empty()
}

/// Stops whatever still runs in a daemon dir, unmounts it and removes it
/// (only when nothing is mounted below it any more).
pub fn cleanup_dir(dir: &Path) {
    if let Some(pid) = read_pid(&dir.join("docker.pid")) {
        if cmdline(pid).is_some_and(|c| c.contains(&format!("{}/", dir.display()))) {
            signal("TERM", &[pid]);
            if !wait_gone(pid, DROP_TIMEOUT) {
                signal("KILL", &[pid]);
            }
        }
    }
    kill_leftovers(dir);
    if unmount_under(dir) {
        let _ = fs::remove_dir_all(dir);
    }
}

/// Cleans daemon dirs left by test processes that died without dropping them.
fn reap_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let dir = e.path();
        let owner = fs::read_to_string(dir.join("owner"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        let stale = match owner {
            Some(pid) => !alive(pid),
            // Being created right now, or junk: only reap it once it is old.
            None => e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(600)),
        };
        if stale {
            cleanup_dir(&dir);
        }
    }
}

// ------------------------------------------------------------------ smoke tests

fn image_id(d: &Daemon, reference: &str) -> String {
    let out = d.docker(&["image", "inspect", "--format", "{{.Id}}", reference]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn smoke_pull_run_restart() {
    let t = Instant::now();
    let mut d = Daemon::start();
    eprintln!("Daemon::start took {:?}", t.elapsed());
    d.docker(&["pull", "tomcat"]);
    d.docker(&["pull", "tomcat:8.0"]);
    let latest = image_id(&d, "tomcat:latest");
    let old = image_id(&d, "tomcat:8.0");
    assert!(
        latest.starts_with("sha256:") && old.starts_with("sha256:"),
        "{latest} {old}"
    );
    assert_ne!(
        latest, old,
        "tomcat:latest and tomcat:8.0 must be different images"
    );

    let out = d.docker(&["run", "--rm", "hello-world"]);
    let greeting = String::from_utf8_lossy(&out.stdout);
    assert!(greeting.contains("Hello from Docker!"), "{greeting}");
    assert_eq!(greeting, HELLO_WORLD_OUTPUT);

    let out = d.docker(&["run", "--rm", "tomcat:8.0"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "tomcat stand-in 8.0"
    );

    // A learner's one-liner, through bash.
    d.sh("docker image rm -f $(docker images tomcat -q)");
    let left = d.docker(&["images", "tomcat", "-q"]);
    assert!(
        left.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&left.stdout)
    );

    let before = d.events();
    assert!(
        before.contains("image pull tomcat:8.0"),
        "events before restart:\n{before}"
    );
    assert!(
        before.contains("container die "),
        "events before restart:\n{before}"
    );

    let t = Instant::now();
    d.restart();
    eprintln!("Daemon::restart took {:?}", t.elapsed());
    let after = d.events();
    assert_eq!(after, "", "a restarted daemon has an empty event buffer");
    assert_eq!(
        image_id(&d, "hello-world"),
        image_id(&d, "hello-world:latest"),
        "images survive a restart"
    );
    d.docker(&["run", "-d", "ubuntu", "sleep", "1000"]); // ignores SIGTERM: drop must not wait for it
    let t = Instant::now();
    drop(d);
    eprintln!("Daemon drop took {:?}", t.elapsed());
}

#[test]
fn smoke_daemons_are_private_and_concurrent() {
    let started = Instant::now();
    let handles: Vec<_> = (0..3).map(|_| std::thread::spawn(Daemon::start)).collect();
    let daemons: Vec<Daemon> = handles
        .into_iter()
        .map(|h| h.join().expect("daemon start"))
        .collect();
    eprintln!("3 daemons started concurrently in {:?}", started.elapsed());
    daemons[0].docker(&["pull", "busybox"]);
    daemons[1].docker(&["run", "--name", "web", "-d", "nginx"]);
    let page = daemons[1].docker(&["exec", "web", "wget", "-qO-", "http://127.0.0.1/"]);
    assert!(String::from_utf8_lossy(&page.stdout).contains("<title>Welcome to nginx!</title>"));
    for (i, d) in daemons.iter().enumerate() {
        let images = String::from_utf8_lossy(&d.docker(&["images", "-q"]).stdout)
            .lines()
            .count();
        assert_eq!(images, [1, 1, 0][i], "daemon {i} sees only its own images");
        let ev = d.events();
        assert_eq!(
            ev.is_empty(),
            i == 2,
            "daemon {i} sees only its own events:\n{ev}"
        );
    }
    let ps = daemons[0].docker(&["ps", "-aq"]);
    assert!(
        ps.stdout.is_empty(),
        "daemon 0 sees no container of daemon 1"
    );
    // Dropping them (with nginx still running) must leave nothing behind.
    let roots: Vec<PathBuf> = daemons.iter().map(|d| d.root.clone()).collect();
    drop(daemons);
    for r in roots {
        assert!(!r.exists(), "{} removed", r.display());
        assert!(
            mounts_under(&r).is_empty(),
            "nothing mounted under {}",
            r.display()
        );
    }
}

#[test]
fn smoke_stop_and_start_again() {
    let mut d = Daemon::start();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "db",
        "-e",
        "MYSQL_ROOT_PASSWORD=secret",
        "mysql:5.7",
    ]);
    d.stop();
    assert!(!d.socket().exists(), "socket removed after stop()");
    let out = d.docker_may_fail(&["version"]);
    assert!(!out.status.success(), "no daemon answers after stop()");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Cannot connect to the Docker daemon"),
        "{}",
        show(&out)
    );
    d.start_again();
    let ps = d.docker(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(
        String::from_utf8_lossy(&ps.stdout).starts_with("db Exited (0)"),
        "{}",
        show(&ps)
    );
}

#[test]
fn smoke_networked_nginx_and_registry() {
    let t = Instant::now();
    let d = Daemon::start_networked();
    eprintln!("Daemon::start_networked took {:?}", t.elapsed());
    assert!(d.is_networked() && net_bridge_exists());

    // Task 4: nginx published on host port 80.
    d.docker(&["run", "-d", "-p", "80:80", "--name", "nginx_first", "nginx"]);
    let page = http_get_until("localhost:80", "/", 200, Duration::from_secs(10));
    assert!(page.contains("Welcome to nginx!"), "{page}");
    let ps = d.docker(&["ps", "--format", "{{.Names}} {{.Ports}}"]);
    assert!(
        String::from_utf8_lossy(&ps.stdout).contains("nginx_first 127.0.0.1:80->80/tcp"),
        "{}",
        show(&ps)
    );

    // Task 9: the learner's own registry on host port 5000.
    let t = Instant::now();
    d.docker(&[
        "run",
        "-d",
        "-p",
        "5000:5000",
        "--name",
        "registry",
        "registry:2",
    ]);
    http_get_until("localhost:5000", "/v2/", 200, Duration::from_secs(10));
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["tag", "ubuntu:18.04", "localhost:5000/myubuntu:18.04"]);
    d.docker(&["push", "localhost:5000/myubuntu:18.04"]);
    let catalog = http_get_until(
        "localhost:5000",
        "/v2/_catalog",
        200,
        Duration::from_secs(5),
    );
    assert!(catalog.contains("\"myubuntu\""), "{catalog}");
    eprintln!("registry run + push took {:?}", t.elapsed());
    let ev = d.events();
    assert!(
        ev.contains("image push localhost:5000/myubuntu:18.04"),
        "{ev}"
    );

    // Nothing a container sends is routed off this machine.
    let route = Command::new("ip")
        .args([
            "route",
            "get",
            "192.0.2.1",
            "from",
            "10.213.0.2",
            "iif",
            NET_BRIDGE,
        ])
        .output()
        .expect("ip route get");
    assert!(!route.status.success(), "{route:?}");

    let t = Instant::now();
    drop(d);
    eprintln!("networked Daemon drop took {:?}", t.elapsed());
    // Take the lock ourselves, so no other test's networked daemon is in the way.
    let _lock = NetLock::acquire();
    assert!(!net_bridge_exists(), "bridge {NET_BRIDGE} deleted on drop");
    assert!(net_proxies().is_empty(), "no docker-proxy left");
    assert!(
        http_get("localhost:80", "/").is_none(),
        "nothing listens on port 80 any more"
    );
}

#[test]
fn smoke_networked_daemons_take_turns() {
    let first = Daemon::start_networked();
    let (tx, rx) = std::sync::mpsc::channel();
    let second = std::thread::spawn(move || {
        let d = Daemon::start_networked();
        let _ = tx.send(());
        d
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(3)).is_err(),
        "a second networked daemon must wait for the first"
    );
    first.docker(&["run", "-d", "-p", "80:80", "nginx"]);
    drop(first);
    let second = second.join().expect("second networked daemon");
    second.docker(&["run", "-d", "-p", "80:80", "nginx"]);
    let page = http_get_until("localhost:80", "/", 200, Duration::from_secs(10));
    assert!(page.contains("Welcome to nginx!"), "{page}");
}
