//! What `ssh` accepts as a destination host and a login name, checked
//! when the roster is read so that a teacher learns of a bad one with its
//! line rather than from a failed login. (Hosts are passed after `--`
//! anyway, and nothing reaches a remote shell unquoted: this is about
//! telling the teacher early, not about quoting.)

/// Why ssh would refuse a host or a user name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A leading `-`: an option, were it not after `--`.
    LeadingDash,
    /// A shell metacharacter, whitespace or a control character.
    Char(char),
    /// `@` or `:` in a user name: a host or a port in the wrong cell.
    Separator(char),
}

/// What OpenSSH refuses in a destination (ssh.c `valid_hostname`) besides
/// whitespace and control characters.
const REFUSED: &str = "'`\"$\\;&<>|(){},";

/// Why `ssh` would refuse `host` as a destination: OpenSSH's own rule
/// (`valid_hostname`), checked when the roster is read so that the teacher
/// learns it with the roster's line, not from a failed login.
pub fn refused_host(host: &str) -> Option<Refusal> {
    if host.starts_with('-') {
        return Some(Refusal::LeadingDash);
    }
    host.chars().find(|c| refused_char(*c)).map(Refusal::Char)
}

/// Why `user` is not a login name for `ssh -l`: the host's rule (stricter
/// than OpenSSH's `valid_ruser`), and no `@` or `:` (`ada@vm1` belongs in
/// two columns).
pub fn refused_user(user: &str) -> Option<Refusal> {
    if user.starts_with('-') {
        return Some(Refusal::LeadingDash);
    }
    user.chars().find_map(|c| match c {
        '@' | ':' => Some(Refusal::Separator(c)),
        c if refused_char(c) => Some(Refusal::Char(c)),
        _ => None,
    })
}

fn refused_char(c: char) -> bool {
    REFUSED.contains(c) || c.is_whitespace() || c.is_control()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenSSH's `valid_hostname` (ssh.c), and no host in a user's cell.
    #[test]
    fn hosts_and_users_ssh_refuses_are_told_apart_from_good_ones() {
        for host in [
            "10.0.0.1",
            "vm-1.example.org",
            "fe80::1%eth0",
            "[::1]",
            "a_b",
            "a@b",
        ] {
            assert_eq!(refused_host(host), None, "{host}");
        }
        assert_eq!(refused_host("-oProxyCommand=x"), Some(Refusal::LeadingDash));
        for c in "'`\"$\\;&<>|(){}, \t\r\n\u{7f}\u{85}\u{a0}\u{3000}".chars() {
            assert_eq!(
                refused_host(&format!("vm{c}1")),
                Some(Refusal::Char(c)),
                "{c:?}"
            );
            assert_eq!(
                refused_user(&format!("u{c}1")),
                Some(Refusal::Char(c)),
                "{c:?}"
            );
        }
        assert_eq!(refused_user("ada@vm1"), Some(Refusal::Separator('@')));
        assert_eq!(refused_user("ada:22"), Some(Refusal::Separator(':')));
        assert_eq!(refused_user("-l"), Some(Refusal::LeadingDash));
        for user in ["root", "first.last", "ada-1", "user_2", "学生"] {
            assert_eq!(refused_user(user), None, "{user}");
        }
    }
}
