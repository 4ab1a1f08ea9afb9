//! A machine made of canned answers, for the kinds' unit tests: files
//! (content, mode, kind, or unreadable), commands (an argument vector's
//! output, or a program that is not installed), systemd or not, and the
//! Docker API's answers (`DockerView::canned`), with no daemon, no VM and
//! nothing read from this machine.
//!
//! ```ignore
//! let m = Machine::fake()
//!     .file("/etc/docker/daemon.json", "{}")
//!     .command(&["systemctl", "is-active", "docker"], 0, "active\n")
//!     .not_installed("ss")
//!     .systemd(false)
//!     .build();
//! ```
//!
//! What is not canned answers as a bare machine would: a file that does not
//! exist, a daemon that cannot be reached (`unix:///nonexistent/…`). A
//! command that is not canned is an error naming it, so a test never
//! passes on a command it did not expect.

use super::backend::{Backend, Fut};
use super::docker::Canned;
use super::*;
use std::collections::{HashMap, HashSet};

/// What a canned path is.
#[derive(Debug, Clone)]
enum Entry {
    /// A regular file (`kind` File) or something else (a folder, a FIFO).
    Present {
        kind: FileKind,
        mode: u32,
        bytes: Vec<u8>,
    },
    /// It exists, but reading it fails (the OS's permission denied).
    Unreadable,
    /// `stat` finds a regular file, then it is gone when read (removed in
    /// between).
    Vanishing,
}

/// The builder of a fake [`Machine`] ([`Machine::fake`]).
#[derive(Default)]
pub(crate) struct Fake {
    files: HashMap<String, Entry>,
    commands: HashMap<Vec<String>, CommandOutput>,
    not_installed: HashSet<String>,
    systemd: bool,
    remote: bool,
    command_log: Option<String>,
    docker: Canned,
}

impl Machine {
    /// A machine of canned answers (`fake.rs`): local, with systemd, no
    /// files, no commands, no daemon until told otherwise.
    pub(crate) fn fake() -> Fake {
        Fake {
            systemd: true,
            ..Fake::default()
        }
    }
}

impl Fake {
    /// A regular file holding `content`, mode 0644.
    pub(crate) fn file(self, path: &str, content: &str) -> Fake {
        self.file_mode(path, content, 0o644)
    }

    /// A regular file holding `content`, with permission bits `mode`.
    pub(crate) fn file_mode(mut self, path: &str, content: &str, mode: u32) -> Fake {
        let entry = Entry::Present {
            kind: FileKind::File,
            mode,
            bytes: content.as_bytes().to_vec(),
        };
        self.files.insert(path.to_string(), entry);
        self
    }

    /// Something at `path` that is not a regular file: a folder, a FIFO...
    pub(crate) fn special(mut self, path: &str, kind: FileKind) -> Fake {
        let mode = if kind == FileKind::Folder {
            0o755
        } else {
            0o644
        };
        let entry = Entry::Present {
            kind,
            mode,
            bytes: Vec::new(),
        };
        self.files.insert(path.to_string(), entry);
        self
    }

    /// A regular file (mode 0000) that cannot be read: permission denied.
    pub(crate) fn unreadable(mut self, path: &str) -> Fake {
        self.files.insert(path.to_string(), Entry::Unreadable);
        self
    }

    /// A regular file that `stat` finds and that is gone by the time it is
    /// read: removed between the two looks.
    pub(crate) fn vanishing(mut self, path: &str) -> Fake {
        self.files.insert(path.to_string(), Entry::Vanishing);
        self
    }

    /// `argv` is killed by a signal after printing `stdout`: no exit code.
    pub(crate) fn killed(mut self, argv: &[&str], stdout: &str) -> Fake {
        let out = CommandOutput {
            code: None,
            stdout: stdout.to_string(),
            stderr: String::new(),
        };
        self.commands
            .insert(argv.iter().map(|a| a.to_string()).collect(), out);
        self
    }

    /// `argv` exits with `code` after printing `stdout`.
    pub(crate) fn command(self, argv: &[&str], code: i32, stdout: &str) -> Fake {
        self.command_err(argv, code, stdout, "")
    }

    /// `argv` exits with `code` after printing `stdout` and `stderr`.
    pub(crate) fn command_err(
        mut self,
        argv: &[&str],
        code: i32,
        stdout: &str,
        stderr: &str,
    ) -> Fake {
        let out = CommandOutput {
            code: Some(code),
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
        };
        self.commands
            .insert(argv.iter().map(|a| a.to_string()).collect(), out);
        self
    }

    /// `program` is not installed: every command of it answers `Ok(None)`.
    pub(crate) fn not_installed(mut self, program: &str) -> Fake {
        self.not_installed.insert(program.to_string());
        self
    }

    /// Whether systemd is the machine's init (true unless told).
    pub(crate) fn systemd(mut self, yes: bool) -> Fake {
        self.systemd = yes;
        self
    }

    /// A VM rather than the machine lab runs on (`is_local` false: listening
    /// ports come from `ss -ltn`, no local-only oracle is asked).
    pub(crate) fn remote(mut self) -> Fake {
        self.remote = true;
        self
    }

    /// Where the command log is (none unless told).
    pub(crate) fn command_log(mut self, path: &str) -> Fake {
        self.command_log = Some(path.to_string());
        self
    }

    /// `GET /version`'s answer, as the API's JSON.
    pub(crate) fn docker_version(mut self, json: serde_json::Value) -> Fake {
        self.docker.version = Some(json);
        self
    }

    /// `GET /info`'s answer (`docker info`), as the API's JSON.
    pub(crate) fn docker_info(mut self, json: serde_json::Value) -> Fake {
        self.docker.info = Some(json);
        self
    }

    /// `GET /images/json?all=1`'s answer (`docker images -a`).
    pub(crate) fn images(mut self, json: serde_json::Value) -> Fake {
        self.docker.images = Some(json);
        self
    }

    /// `GET /containers/json?all=1`'s answer (`docker ps -a`).
    pub(crate) fn containers(mut self, json: serde_json::Value) -> Fake {
        self.docker.containers = Some(json);
        self
    }

    /// `docker image inspect REFERENCE`'s answer; `None`: no such image.
    pub(crate) fn image(mut self, reference: &str, json: Option<serde_json::Value>) -> Fake {
        self.docker.inspected.push((reference.to_string(), json));
        self
    }

    /// The daemon's event buffer, oldest first.
    pub(crate) fn events(mut self, events: Vec<DaemonEvent>) -> Fake {
        self.docker.events = Some(events);
        self
    }

    /// The machine.
    pub(crate) fn build(self) -> Machine {
        let docker = DockerView::canned(self.docker);
        let backend = FakeBackend {
            files: self.files,
            commands: self.commands,
            not_installed: self.not_installed,
            systemd: self.systemd,
            remote: self.remote,
            command_log: self.command_log,
        };
        Machine::on(Box::new(backend), docker)
    }
}

/// The canned answers a fake machine gives, apart from Docker's.
struct FakeBackend {
    files: HashMap<String, Entry>,
    commands: HashMap<Vec<String>, CommandOutput>,
    not_installed: HashSet<String>,
    systemd: bool,
    remote: bool,
    command_log: Option<String>,
}

fn denied(op: &'static str, path: &str) -> ObserveError {
    ObserveError::Io {
        op,
        path: path.to_string(),
        message: "Permission denied (os error 13)".into(),
    }
}

impl Backend for FakeBackend {
    fn read<'a>(&'a self, path: &'a str, bound: Bound) -> Fut<'a, Result<Read, ObserveError>> {
        let read = match self.files.get(path) {
            None | Some(Entry::Vanishing) => Ok(Read::Missing),
            Some(Entry::Unreadable) => Err(denied("read", path)),
            Some(Entry::Present { kind, .. }) if *kind != FileKind::File => {
                Ok(Read::NotFile(*kind))
            }
            Some(Entry::Present { bytes, .. }) => Ok(read::within(bytes.clone(), bound)),
        };
        Box::pin(std::future::ready(read))
    }

    fn stat<'a>(&'a self, path: &'a str) -> Fut<'a, Result<Option<FileInfo>, ObserveError>> {
        let info = self.files.get(path).map(|e| match e {
            Entry::Unreadable | Entry::Vanishing => FileInfo {
                kind: FileKind::File,
                mode: 0,
                len: 0,
            },
            Entry::Present { kind, mode, bytes } => FileInfo {
                kind: *kind,
                mode: *mode,
                len: bytes.len() as u64,
            },
        });
        Box::pin(std::future::ready(Ok(info)))
    }

    fn exec<'a>(
        &'a self,
        program: &'a str,
        args: &'a [&'a str],
    ) -> Fut<'a, Result<Option<CommandOutput>, ObserveError>> {
        let argv: Vec<String> = std::iter::once(program)
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let out = if self.not_installed.contains(program) {
            Ok(None)
        } else {
            match self.commands.get(&argv) {
                Some(out) => Ok(Some(out.clone())),
                None => Err(ObserveError::Io {
                    op: "run",
                    path: argv.join(" "),
                    message: "the fake machine has no answer canned for it".into(),
                }),
            }
        };
        Box::pin(std::future::ready(out))
    }

    fn tar_member<'a>(
        &'a self,
        _path: &'a str,
        _member: &'a str,
    ) -> Fut<'a, Result<Option<Member>, ObserveError>> {
        Box::pin(std::future::ready(Ok(None)))
    }

    fn connect<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Fut<'a, std::io::Result<Box<dyn Stream>>> {
        let refused = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            format!("the fake machine connects nowhere ({host}:{port})"),
        );
        Box::pin(std::future::ready(Err(refused)))
    }

    fn has_systemd(&self) -> bool {
        self.systemd
    }

    fn is_local(&self) -> bool {
        !self.remote
    }

    fn command_log_path(&self) -> Option<String> {
        self.command_log.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::block_on;
    use super::*;

    #[test]
    fn the_fake_answers_what_was_canned_and_nothing_else() {
        let m = Machine::fake()
            .file_mode("/etc/f", "hello", 0o600)
            .special("/etc/d", FileKind::Folder)
            .unreadable("/etc/secret")
            .command(&["echo", "hi"], 0, "hi\n")
            .not_installed("ss")
            .systemd(false)
            .build();
        let info = block_on(m.stat("/etc/f")).unwrap().unwrap();
        assert_eq!((info.kind, info.mode, info.len), (FileKind::File, 0o600, 5));
        assert_eq!(block_on(m.stat("/nope")).unwrap(), None);
        assert_eq!(
            block_on(m.read("/etc/f", Bound::CONFIG)).unwrap().text(),
            Some("hello".into())
        );
        assert!(matches!(
            block_on(m.read("/etc/d", Bound::CONFIG)).unwrap(),
            Read::NotFile(FileKind::Folder)
        ));
        assert!(matches!(
            block_on(m.read("/nope", Bound::CONFIG)).unwrap(),
            Read::Missing
        ));
        let e = block_on(m.read("/etc/secret", Bound::CONFIG)).unwrap_err();
        assert!(e.to_string().contains("Permission denied"), "{e}");
        let out = block_on(m.exec("echo", &["hi"])).unwrap().unwrap();
        assert_eq!((out.code, out.stdout.as_str()), (Some(0), "hi\n"));
        assert_eq!(block_on(m.exec("ss", &["-ltn"])).unwrap(), None);
        let e = block_on(m.exec("echo", &["other"])).unwrap_err();
        assert!(e.to_string().contains("echo other"), "{e}");
        assert!(!m.has_systemd() && m.is_local());
        assert_eq!(m.command_log_path(), None);
    }

    #[test]
    fn the_fake_daemon_answers_what_was_canned_and_is_unreachable_otherwise() {
        let m = Machine::fake()
            .docker_info(serde_json::json!({"ServerVersion": "20.10.24", "ID": "abc"}))
            .image("tomcat:8.0", None)
            .build();
        let info = block_on(m.docker.info()).unwrap();
        assert_eq!(info.server_version.as_deref(), Some("20.10.24"));
        assert!(block_on(m.docker.inspect_image("tomcat:8.0"))
            .unwrap()
            .is_none());
        let e = block_on(m.docker.images()).unwrap_err();
        assert!(
            matches!(e, ObserveError::DockerUnreachable { .. }),
            "no daemon behind what is not canned: {e}"
        );
    }

    #[test]
    fn a_fake_vm_lists_its_ports_with_ss_and_knows_its_command_log() {
        let ss = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n\
                  LISTEN 0 128 0.0.0.0:2222 0.0.0.0:*\n";
        let m = Machine::fake()
            .remote()
            .command(LISTENERS, 0, ss)
            .command_log("/home/s/.local/state/lab/commands.jsonl")
            .file("/home/s/.local/state/lab/commands.jsonl", "")
            .command_err(&["false"], 1, "", "no\n")
            .build();
        assert!(!m.is_local());
        assert_eq!(
            block_on(m.listening_ports()).unwrap().unwrap().ports,
            vec![2222]
        );
        assert_eq!(
            m.command_log_path().as_deref(),
            Some("/home/s/.local/state/lab/commands.jsonl")
        );
        let out = block_on(m.exec("false", &[])).unwrap().unwrap();
        assert_eq!((out.code, out.stderr.as_str()), (Some(1), "no\n"));
    }

    #[test]
    fn the_fake_daemon_lists_what_was_canned() {
        let event = DaemonEvent {
            kind: "image".into(),
            action: "pull".into(),
            actor: "tomcat:8.0".into(),
            attributes: Default::default(),
            time_nano: 1,
        };
        let m = Machine::fake()
            .docker_version(serde_json::json!({"Version": "20.10.24", "ApiVersion": "1.41"}))
            .images(serde_json::json!([{"Id": "sha256:aaa", "ParentId": "", "RepoTags": ["tomcat:8.0"],
                "RepoDigests": [], "Created": 1, "Size": 1, "SharedSize": -1, "Labels": {}, "Containers": -1}]))
            .containers(serde_json::json!([{"Id": "c1", "Names": ["/web"], "Image": "tomcat:8.0"}]))
            .events(vec![event.clone()])
            .build();
        let v = block_on(m.docker.version()).unwrap();
        assert_eq!(v.version.as_deref(), Some("20.10.24"));
        let images = block_on(m.docker.images()).unwrap();
        assert_eq!(
            (images[0].id.as_str(), images[0].repo_tags.as_slice()),
            ("sha256:aaa", &["tomcat:8.0".to_string()][..])
        );
        // What `lab grade` keeps is the daemon's answer, not lab's view.
        let kept = block_on(m.docker.images_json()).unwrap();
        assert!(kept.contains("\"SharedSize\": -1"), "{kept}");
        assert_eq!(block_on(m.docker.containers()).unwrap().len(), 1);
        assert_eq!(block_on(m.docker.events()).unwrap(), &[event]);
    }
}
