//! Registry mirror URLs as dockerd's `registry.ValidateMirror` takes them,
//! on top of the part of Go's `url.Parse` it depends on. Verified against the
//! moby source of each version: 20.10 to 24.0 refuse a path other than `/`,
//! 25.0 and later allow one; from 28.3 a URL without `://` is refused before
//! it is parsed (so `https:host` passes 26.1 and fails 28.5). The scheme is
//! case-insensitive (`HTTPS://`), a port must be digits, user:password@ is
//! refused by every version.

use super::dockerd_keys::Version;

/// Why dockerd refuses a mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// 28.3+: no `scheme://`.
    NoScheme,
    /// Go's url.Parse failed: why, in its words.
    NotAUrl(String),
    /// Not http or https (lower-cased, as Go does).
    Scheme(String),
    /// A path after the host (before 25.0).
    Path,
    QueryOrFragment,
    UserInfo,
}

/// The pieces of a URL that ValidateMirror looks at.
struct Parsed {
    scheme: String,
    user: bool,
    path: String,
    query: String,
    fragment: String,
}

pub fn validate(url: &str, version: Version) -> Result<(), Problem> {
    if version >= (28, 3) {
        match url.split_once("://") {
            Some((scheme, _)) if !scheme.is_empty() => {}
            _ => return Err(Problem::NoScheme),
        }
    }
    let u = parse(url).map_err(Problem::NotAUrl)?;
    if u.scheme != "http" && u.scheme != "https" {
        return Err(Problem::Scheme(u.scheme));
    }
    if version < (25, 0) && !(u.path.is_empty() || u.path == "/") {
        return Err(Problem::Path);
    }
    if !u.query.is_empty() || !u.fragment.is_empty() {
        return Err(Problem::QueryOrFragment);
    }
    if u.user {
        return Err(Problem::UserInfo);
    }
    Ok(())
}

/// Go's net/url.Parse, reduced to what ValidateMirror reads.
fn parse(raw: &str) -> Result<Parsed, String> {
    let (rest, frag) = raw.split_once('#').unwrap_or((raw, ""));
    let fragment = unescape(frag, Mode::Other)?;
    if rest.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("invalid control character in URL".into());
    }
    let (scheme, rest) = scheme(rest)?;
    let (rest, query) = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        (&rest[..rest.len() - 1], "")
    } else {
        rest.split_once('?').unwrap_or((rest, ""))
    };
    let mut out = Parsed {
        scheme: scheme.to_ascii_lowercase(),
        user: false,
        path: String::new(),
        query: query.to_string(),
        fragment,
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            return Ok(out); // opaque: `https:host`
        }
        let first = rest.split('/').next().unwrap_or("");
        if first.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut path = rest;
    if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, p) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        path = p;
        let host = match authority.rfind('@') {
            Some(i) => {
                if !valid_userinfo(&authority[..i]) {
                    return Err("net/url: invalid userinfo".into());
                }
                out.user = true;
                &authority[i + 1..]
            }
            None => authority,
        };
        parse_host(host)?;
    }
    out.path = unescape(path, Mode::Other)?;
    Ok(out)
}

/// Go's getScheme: the scheme (maybe empty) and the rest.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme".into()),
            ':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_userinfo(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c) || !c.is_ascii())
}

fn parse_host(host: &str) -> Result<(), String> {
    let port_part = if host.starts_with('[') {
        let Some(end) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        &host[end + 1..]
    } else {
        host.rfind(':').map(|i| &host[i..]).unwrap_or("")
    };
    let digits = port_part
        .strip_prefix(':')
        .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !port_part.is_empty() && !digits {
        return Err(format!("invalid port {port_part:?} after host"));
    }
    if host.starts_with('[') {
        return Ok(());
    }
    unescape(host, Mode::Host).map(|_| ())
}

#[derive(PartialEq)]
enum Mode {
    Host,
    Other,
}

/// Go's unescape: `%XY` sequences must be hex; a host allows only some
/// ASCII characters.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
                let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) else {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(format!("invalid URL escape {bad:?}"));
                };
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            c if mode == Mode::Host && c < 0x80 && !host_char(c) => {
                return Err(format!("invalid character {:?} in host name", c as char));
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_version_refuses() {
        let ok = |u: &str, v| validate(u, v).is_ok();
        assert!(ok("https://docker.m.daocloud.io", (20, 10)));
        assert!(ok("HTTPS://docker.m.daocloud.io/", (20, 10)));
        assert!(ok("http://127.0.0.1:5000", (28, 5)));
        assert_eq!(
            validate("https://u:p@mirror.io", (26, 1)),
            Err(Problem::UserInfo)
        );
        assert!(matches!(
            validate("https://mirror.io:abc", (20, 10)),
            Err(Problem::NotAUrl(_))
        ));
        assert_eq!(validate("https://m.io/v2", (20, 10)), Err(Problem::Path));
        assert!(ok("https://m.io/v2", (26, 1)));
        assert!(ok("https:m.io", (26, 1)));
        assert_eq!(validate("https:m.io", (28, 5)), Err(Problem::NoScheme));
        assert_eq!(
            validate("docker.m.daocloud.io", (20, 10)),
            Err(Problem::Scheme(String::new()))
        );
        assert_eq!(
            validate("https://m.io/?x=1", (26, 1)),
            Err(Problem::QueryOrFragment)
        );
        assert!(validate("https://my mirror.io", (26, 1)).is_err());
        // A placeholder is a URL dockerd takes (no pull goes through it).
        assert!(ok("https://<your-id>.mirror.aliyuncs.com", (28, 5)));
        // The zh-CN lesson's placeholder too (Go's URL parser lets
        // non-ASCII bytes through in a host).
        assert!(ok("https://<你的加速器ID>.mirror.aliyuncs.com", (28, 5)));
        assert!(ok("https://<你的加速器ID>.mirror.aliyuncs.com", (20, 10)));
    }
}
