//! Processes and mounts: running a command with a timeout, waiting for
//! and signalling pids, and cleaning a daemon's folder of whatever it left
//! (shims, containers, mounts).

use super::*;

/// Runs a command with a timeout, capturing stdout and stderr.
pub(super) fn run(mut c: Command, what: &str) -> Output {
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

pub(super) fn show(out: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(super) fn read_pid(file: &Path) -> Option<u32> {
    fs::read_to_string(file)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|p| alive(*p))
}

/// The process exists and is not a zombie.
pub(super) fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next()),
            Some('Z' | 'X')
        ),
        Err(_) => false,
    }
}

pub(super) fn wait_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(50));
    }
    true
}

pub(super) fn wait_child(child: &mut Child, timeout: Duration) -> bool {
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

pub(super) fn signal(sig: &str, pids: &[u32]) {
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

pub(super) fn cmdline(pid: u32) -> Option<String> {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(String::from_utf8_lossy(&raw).replace('\0', " "))
}

/// (pid, ppid, comm) of every process.
pub(super) fn processes() -> Vec<(u32, u32, String)> {
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
pub(super) fn kill_leftovers(dir: &Path) {
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
pub(super) fn mounts_under(dir: &Path) -> Vec<String> {
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
pub(super) fn unmount_under(dir: &Path) -> bool {
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
pub(super) fn reap_stale(base: &Path) {
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
