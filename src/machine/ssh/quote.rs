//! Remote commands as argument vectors: each argument one single-quoted
//! shell word, so nothing from the roster or the course reaches a remote
//! shell as code.

/// The shell word for `arg`: single-quoted, with `'` spelt `'\''`.
pub fn quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        return arg.to_string();
    }
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// One remote command line from an argument vector.
pub fn command_line(argv: &[&str]) -> String {
    argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_arguments_stay_one_word() {
        assert_eq!(quote("/etc/docker/daemon.json"), "/etc/docker/daemon.json");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(
            quote("a b; $(touch x) `y` \"z\""),
            "'a b; $(touch x) `y` \"z\"'"
        );
        assert_eq!(
            command_line(&["cat", "--", "/home/o'brien/my file"]),
            r"cat -- '/home/o'\''brien/my file'"
        );
    }

    #[test]
    fn quoted_words_come_back_unchanged_from_sh() {
        let hostile = [
            "it's",
            "a b",
            "$(echo pwned)",
            "`id`",
            "\"q\"",
            "x;y",
            "\\n",
            "~",
            "*",
        ];
        let line = format!("printf '%s\\n' {}", command_line(&hostile));
        let out = std::process::Command::new("sh")
            .args(["-c", &line])
            .output()
            .unwrap();
        let printed = String::from_utf8(out.stdout).unwrap();
        assert_eq!(printed.lines().collect::<Vec<_>>(), hostile);
    }
}
