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
                "Check that the VM is up and that `ssh` to it works, then grade it again (`lab grade --retry-failed`).",
                "确认虚拟机正在运行、可以用 `ssh` 登录，然后重新评分（`lab grade --retry-failed`）。"),
            ObserveError::Io { .. } => tr!(lang,
                "Check the path and its permissions (try `ls -l` on it), or run lab with sudo.",
                "检查该路径及其权限（可以用 `ls -l` 查看），或用 sudo 运行 lab。"),
        }
    }
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
}
