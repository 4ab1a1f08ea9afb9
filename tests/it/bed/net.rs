//! The bridge of networked daemons (`labbed0`) and the host-wide lock
//! that lets one networked daemon exist at a time.

use super::*;

/// The host-wide networked-daemon lock, held by a `flock` child whose stdin is a
/// pipe from us: dropping it (or this process dying) ends the child and frees the lock.
pub(super) struct NetLock {
    holder: Child,
}

impl NetLock {
    /// Waits up to [`NET_LOCK_TIMEOUT`] for the lock.
    pub(super) fn acquire() -> NetLock {
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
pub(super) fn ip(args: &[&str]) -> Result<String, String> {
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
pub(super) fn net_teardown() {
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
pub(super) fn net_setup() {
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
