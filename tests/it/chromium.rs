//! A real headless Chromium, driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: JSON messages ended by NUL on its fds 3
//! and 4, here two FIFOs), so a test can read the live DOM of a page as
//! its scripts change it. `--dump-dom` would print the page as loaded,
//! before any server-sent event arrives.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const BINARY: &str = "/usr/bin/chromium";

pub struct Chromium {
    child: Child,
    to: std::fs::File,
    from: Receiver<serde_json::Value>,
    session: String,
    next: u64,
    _dir: tempfile::TempDir,
}

fn fifo(path: &std::path::Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

impl Chromium {
    /// Chromium showing `url`, attached to its page.
    pub fn open(url: &str) -> Chromium {
        assert!(
            std::path::Path::new(BINARY).is_file(),
            "{BINARY} is missing: apt-get install -y chromium"
        );
        let dir = tempfile::tempdir().expect("a folder for Chromium");
        let (to_path, from_path): (PathBuf, PathBuf) =
            (dir.path().join("in"), dir.path().join("out"));
        fifo(&to_path);
        fifo(&from_path);
        let child = Command::new("bash")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<"$LAB_DT_IN" 4>"$LAB_DT_OUT""#)
            .arg(BINARY)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-pipe",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(url)
            .env("LAB_DT_IN", &to_path)
            .env("LAB_DT_OUT", &from_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        // In the order the shell opens them: its fd 3, then its fd 4.
        let to = std::fs::OpenOptions::new()
            .write(true)
            .open(&to_path)
            .expect("open Chromium's fd 3");
        let out = std::fs::File::open(&from_path).expect("open Chromium's fd 4");
        let (tx, from) = channel();
        std::thread::spawn(move || {
            for msg in BufReader::new(out).split(0).map_while(Result::ok) {
                let Ok(v) = serde_json::from_slice(&msg) else {
                    continue;
                };
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut c = Chromium {
            child,
            to,
            from,
            session: String::new(),
            next: 0,
            _dir: dir,
        };
        c.session = c.attach(url);
        c
    }

    /// Sends `method` and waits for its answer's `result`.
    fn call(
        &mut self,
        method: &str,
        params: serde_json::Value,
        session: bool,
    ) -> serde_json::Value {
        self.next += 1;
        let id = self.next;
        let mut msg = serde_json::json!({"id": id, "method": method, "params": params});
        if session {
            msg["sessionId"] = self.session.clone().into();
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        self.to.write_all(&bytes).expect("write to Chromium");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("Chromium did not answer {method}"));
            let v = self.from.recv_timeout(left).expect("Chromium's answer");
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// The page target showing `url`, attached (flat sessions).
    fn attach(&mut self, url: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let target = loop {
            let targets = self.call("Target.getTargets", serde_json::json!({}), false);
            let page = targets["targetInfos"].as_array().and_then(|all| {
                all.iter()
                    .find(|t| {
                        t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url))
                    })
                    .cloned()
            });
            if let Some(p) = page {
                break p["targetId"].clone();
            }
            assert!(Instant::now() < deadline, "no page for {url}: {targets}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let r = self.call(
            "Target.attachToTarget",
            serde_json::json!({"targetId": target, "flatten": true}),
            false,
        );
        r["sessionId"].as_str().expect("a session").to_string()
    }

    /// The value of `expression` in the page.
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true}),
            true,
        );
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is `want` in the page.
    pub fn wait_for(&mut self, expression: &str, want: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut last = serde_json::Value::Null;
        while Instant::now() < deadline {
            last = self.eval(expression);
            if last == want {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("`{expression}` is {last}, not {want:?}, after {limit:?}");
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
