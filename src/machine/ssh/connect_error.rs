//! Why a VM could not be logged into, told apart from what ssh said.

/// Why a VM could not be logged into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// Nothing answered: refused, no route, unknown name.
    Unreachable(String),
    /// The VM answered but refused our key.
    AuthFailed(String),
    /// No answer in time.
    TimedOut(String),
    /// The VM's host key is unknown or changed.
    HostKey(String),
    /// Anything else (ssh missing, a remote shell that fails...).
    Other(String),
}

impl ConnectError {
    /// Reads what ssh printed when it exited with 255.
    pub fn from_ssh(stderr: &str) -> ConnectError {
        let text = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("Warning: Permanently added"))
            .collect::<Vec<_>>()
            .join("; ");
        let has = |s: &str| stderr.contains(s);
        if has("Host key verification failed")
            || has("REMOTE HOST IDENTIFICATION HAS CHANGED")
            || has("host key for")
        {
            ConnectError::HostKey(text)
        } else if has("Permission denied") || has("Too many authentication failures") {
            ConnectError::AuthFailed(text)
        } else if has("timed out") || has("Timeout") {
            ConnectError::TimedOut(text)
        } else if has("Connection refused")
            || has("No route to host")
            || has("Network is unreachable")
            || has("Could not resolve hostname")
            || has("Name or service not known")
            || has("Connection reset")
            || has("Connection closed")
            || has("kex_exchange_identification")
        {
            ConnectError::Unreachable(text)
        } else {
            ConnectError::Other(if text.is_empty() {
                "ssh failed without saying why".into()
            } else {
                text
            })
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ConnectError::Unreachable(m)
            | ConnectError::AuthFailed(m)
            | ConnectError::TimedOut(m)
            | ConnectError::HostKey(m)
            | ConnectError::Other(m) => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_failures_are_told_apart() {
        let c = |s: &str| ConnectError::from_ssh(s);
        assert!(matches!(
            c("ssh: connect to host 10.0.0.1 port 22: Connection refused\r\n"),
            ConnectError::Unreachable(_)
        ));
        assert!(matches!(
            c("ssh: connect to host 10.0.0.1 port 22: Connection timed out\r\n"),
            ConnectError::TimedOut(_)
        ));
        assert!(matches!(
            c("root@10.0.0.1: Permission denied (publickey).\r\n"),
            ConnectError::AuthFailed(_)
        ));
        assert!(matches!(
            c("No ED25519 host key is known for 10.0.0.1 and you have requested strict checking.\r\nHost key verification failed.\r\n"),
            ConnectError::HostKey(_)
        ));
        assert!(matches!(
            c("ssh: Could not resolve hostname nope: Name or service not known\r\n"),
            ConnectError::Unreachable(_)
        ));
        assert_eq!(c("").message(), "ssh failed without saying why");
    }
}
