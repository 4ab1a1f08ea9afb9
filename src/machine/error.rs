//! Why the machine could not be observed. Every variant says what was being
//! done, where, and what to do next.

use crate::lang::Lang;
use crate::tr;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ObserveError {
    #[error("cannot reach the Docker daemon at {host}: {reason}")]
    DockerUnreachable { host: String, reason: String },
    #[error("permission denied on the Docker socket {socket}")]
    DockerPermission { socket: String },
    #[error("the Docker daemon at {host} failed to {op}: {message}")]
    Docker {
        op: &'static str,
        host: String,
        message: String,
    },
    #[error("timed out after {secs} s while trying to {op}")]
    Timeout { op: String, secs: u64 },
    #[error("cannot {op} on {host}: {message}")]
    Remote {
        op: String,
        host: String,
        message: String,
    },
    #[error("cannot {op} {path}: {message}")]
    Io {
        op: &'static str,
        path: String,
        message: String,
    },
}

impl ObserveError {
    /// What went wrong, in the learner's language: what a learner reads.
    /// `Display` stays English, for logs and tests.
    pub fn text(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ObserveError::DockerUnreachable { host, reason } => {
                format!("连不上 {host} 上的 Docker 守护进程：{}", reason_zh(reason))
            }
            ObserveError::DockerPermission { socket } => {
                format!("没有权限访问 Docker 套接字 {socket}")
            }
            ObserveError::Docker { op, host, message } => {
                format!("{host} 上的 Docker 守护进程未能{}：{message}", op_zh(op))
            }
            ObserveError::Timeout { op, secs } => {
                format!("{}时超时（{secs} 秒）", then(&op_zh(op)))
            }
            ObserveError::Remote { op, host, message } => {
                format!("在 {host} 上{}失败：{message}", then(&op_zh(op)))
            }
            ObserveError::Io { op, path, message } => {
                format!("{} {path} 失败：{}", op_zh(op), reason_zh(message))
            }
        }
    }

    /// What the learner should do about it, in their language, with the
    /// commands of the machine's init (`systemd`: whether it runs systemd).
    pub fn advice(&self, lang: Lang, systemd: bool) -> String {
        match self {
            ObserveError::DockerUnreachable { .. } => {
                let (start, log) = if systemd {
                    ("sudo systemctl start docker", "sudo journalctl -u docker")
                } else {
                    ("sudo service docker start", "sudo tail -n 50 /var/log/docker.log")
                };
                tr!(lang,
                "Start the daemon (`{}`) and check `docker info`; if it refuses to start, read `{}` (a broken /etc/docker/daemon.json is the usual cause). If Docker runs elsewhere, set DOCKER_HOST or pass --docker-host.",
                "启动守护进程（`{}`），再用 `docker info` 确认；如果启动失败，查看 `{}`（最常见的原因是 /etc/docker/daemon.json 写错了）。如果 Docker 运行在别处，请设置 DOCKER_HOST 或使用 --docker-host。", start, log)
            }
            ObserveError::DockerPermission { .. } => tr!(lang,
                "Your user may not talk to Docker. Add it to the docker group (`sudo usermod -aG docker $USER`, then log out and back in), or run `sudo lab ...`.",
                "当前用户无权访问 Docker。把它加入 docker 组（`sudo usermod -aG docker $USER`，然后重新登录），或使用 `sudo lab ...`。"),
            ObserveError::Docker { .. } => tr!(lang,
                "Check that the daemon is healthy with `docker info`, then run lab again.",
                "先用 `docker info` 确认守护进程工作正常，再重新运行 lab。"),
            ObserveError::Timeout { .. } => tr!(lang,
                "The machine answered too slowly. Try again, or raise the limit with --timeout.",
                "机器响应太慢。请重试，或用 --timeout 放宽时限。"),
            ObserveError::Remote { .. } => tr!(lang,
                "Check that the VM is up and that `ssh` to it works, then look at it again.",
                "确认虚拟机正在运行、可以用 `ssh` 登录，然后重新检查。"),
            ObserveError::Io { .. } => tr!(lang,
                "Check the path and its permissions (try `ls -l` on it), or run lab with sudo.",
                "检查该路径及其权限（可以用 `ls -l` 查看），或用 sudo 运行 lab。"),
        }
    }
}

/// `text` followed by Chinese: a space after it when it ends in a Latin
/// letter, a digit or code (the course's rule: a space between Chinese
/// and Latin words).
fn then(text: &str) -> String {
    match text.chars().last() {
        Some(c) if c.is_ascii_alphanumeric() || c == '`' || c == '/' => format!("{text} "),
        _ => text.to_string(),
    }
}

/// The operations lab names in its errors, in Chinese. An operation may end
/// in ` on HOST` and name a path or a command after its verb.
fn op_zh(op: &str) -> String {
    if let Some((what, host)) = op.rsplit_once(" on ") {
        return format!("在 {host} 上{}", op_zh(what));
    }
    const WHOLE: &[(&str, &str)] = &[
        ("negotiate the API version", "协商 API 版本"),
        ("report its version", "报告版本"),
        ("report `docker info`", "执行 `docker info`"),
        ("list images", "列出镜像"),
        ("list dangling images", "列出悬空镜像"),
        ("list containers", "列出容器"),
        ("inspect an image", "查看镜像"),
        ("inspect a container", "查看容器"),
        ("list a container's changes", "列出容器的文件改动"),
        ("read container logs", "读取容器日志"),
        ("list its recent events", "列出最近的事件"),
        ("cache an answer", "缓存应答"),
        ("connect", "建立连接"),
        ("read", "读取"),
        ("inspect", "查看"),
        ("run", "运行"),
    ];
    if let Some((_, zh)) = WHOLE.iter().find(|(en, _)| *en == op) {
        return zh.to_string();
    }
    const VERBS: &[(&str, &str)] = &[
        ("evaluate check ", "评估检查 "),
        ("read ", "读取 "),
        ("inspect ", "查看 "),
        ("run ", "运行 "),
    ];
    for (en, zh) in VERBS {
        if let Some(rest) = op.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    op.to_string()
}

/// The reasons lab itself writes, and the usual words of the OS, in Chinese;
/// anything else (a daemon's own message) as it came.
pub(crate) fn reason_zh(reason: &str) -> String {
    if let Some(path) = reason.strip_prefix("no socket at ") {
        return format!("{path} 处没有套接字");
    }
    if reason.starts_with("lab speaks to unix:// and tcp:// hosts") {
        return "lab 只能连接 unix:// 和 tcp:// 地址；远程机器请用 `lab grade`".into();
    }
    const OS: &[(&str, &str)] = &[
        ("Connection refused", "连接被拒绝"),
        ("Permission denied", "权限不足"),
        ("No such file or directory", "文件或目录不存在"),
        ("Is a directory", "这是一个目录"),
        ("Connection reset by peer", "连接被对方重置"),
        ("timed out", "超时"),
    ];
    for (en, zh) in OS {
        if let Some(i) = reason.find(en) {
            let rest = reason[i + en.len()..].trim();
            let rest = match rest
                .strip_prefix("(os error ")
                .and_then(|r| r.strip_suffix(')'))
            {
                Some(n) => format!("（系统错误 {n}）"),
                None => rest.to_string(),
            };
            return if rest.is_empty() || rest.starts_with('（') {
                format!("{zh}{rest}")
            } else {
                format!("{zh} {rest}")
            };
        }
    }
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daemon_that_does_not_answer_gets_the_commands_of_the_machines_init() {
        let e = ObserveError::DockerUnreachable {
            host: "unix:///var/run/docker.sock".into(),
            reason: "no socket".into(),
        };
        let with = e.advice(Lang::En, true);
        assert!(
            with.contains("`sudo systemctl start docker`") && with.contains("journalctl -u docker"),
            "{with}"
        );
        let without = e.advice(Lang::ZhCn, false);
        assert!(
            without.contains("`sudo service docker start`")
                && without.contains("/var/log/docker.log")
                && !without.contains("systemctl")
                && !without.contains("journalctl"),
            "{without}"
        );
    }

    #[test]
    fn every_error_reads_in_chinese_in_zh_cn() {
        let errors = [
            ObserveError::DockerUnreachable {
                host: "unix:///nonexistent.sock".into(),
                reason: "no socket at /nonexistent.sock".into(),
            },
            ObserveError::DockerUnreachable {
                host: "ssh://vm".into(),
                reason:
                    "lab speaks to unix:// and tcp:// hosts; for remote machines use `lab grade`"
                        .into(),
            },
            ObserveError::DockerPermission {
                socket: "/var/run/docker.sock".into(),
            },
            ObserveError::Timeout {
                op: "list images on unix:///x.sock".into(),
                secs: 5,
            },
            ObserveError::Timeout {
                op: "evaluate check `image`".into(),
                secs: 5,
            },
            ObserveError::Remote {
                op: "read /etc/docker/daemon.json".into(),
                host: "ssh://vm".into(),
                message: "".into(),
            },
            ObserveError::Io {
                op: "read",
                path: "/x".into(),
                message: "Permission denied (os error 13)".into(),
            },
        ];
        for e in errors {
            let zh = e.text(Lang::ZhCn);
            let plain: String = zh.split('`').step_by(2).collect::<Vec<_>>().join(" ");
            let latin: String = plain
                .split_whitespace()
                .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()) && w.len() > 3)
                .collect::<Vec<_>>()
                .join(" ");
            let latin = latin.replace("Docker", "").replace("grade", "");
            assert!(latin.trim().is_empty(), "{zh}: {latin}");
            assert_eq!(e.text(Lang::En), e.to_string());
        }
    }
}
