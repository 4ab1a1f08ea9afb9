//! `http`: GET a URL on the machine; status and body. Plain HTTP/1.0 over
//! a TCP socket: what a course checks is a local web server (nginx on :80),
//! which needs no TLS and no HTTP client crate.
//!
//! ```yaml
//! http: { url: "http://localhost:80/", status: 200, body: "Welcome to nginx!" }
//! ```

use super::matcher::{in_words, is_match, regex_problem, shows_problem};
use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// An http:// URL.
    pub url: String,
    /// The expected status code.
    #[serde(default = "ok")]
    pub status: u16,
    /// A regex the body must match.
    #[serde(default)]
    pub body: Option<String>,
    /// What `body` looks for, in words, for the learner (`{ en, zh-CN }`):
    /// lab never shows the regex. Required unless `body` is plain text.
    #[serde(default)]
    pub shows: Option<crate::lang::Text>,
}

fn ok() -> u16 {
    200
}

/// `http://host:port/path` → (host, port, path).
fn split(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() => (h, p.parse().ok()?),
        _ => (authority, 80),
    };
    Some((
        host.trim_matches(['[', ']']).to_string(),
        port,
        path.to_string(),
    ))
}

/// Status and body of a GET, or why there was none.
async fn get(
    machine: &crate::machine::Machine,
    host: &str,
    port: u16,
    path: &str,
) -> Result<(u16, String), String> {
    let mut stream = machine
        .connect(host, port)
        .await
        .map_err(|e| e.to_string())?;
    let req = format!(
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: lab\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .take(4 << 20)
        .read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    if raw.is_empty() {
        return Err("no answer (connection refused or closed)".into());
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("not an HTTP response")?;
    Ok((status, body.to_string()))
}

impl Probe for Http {
    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let url = ctx.expand(&self.url);
        let Some((host, port, path)) = split(&url) else {
            return Ok(Outcome::error(tr!(
                lang,
                "`{}` is not an http:// URL",
                "`{}` 不是 http:// 地址",
                url
            )));
        };
        let answer = tokio::time::timeout(
            Duration::from_secs(10),
            get(ctx.machine, &host, port, &path),
        )
        .await
        .unwrap_or_else(|_| Err("timed out".into()));
        let (status, body) = match answer {
            Ok(a) => a,
            Err(why) => {
                return Ok(Outcome::fail(tr!(
                    lang,
                    "nothing answers at {}: {}",
                    "{} 没有响应：{}",
                    url,
                    why
                ))
                .expected(format!("HTTP {}", self.status))
                .actual(why))
            }
        };
        if status != self.status {
            return Ok(Outcome::fail(tr!(
                lang,
                "{} answered HTTP {}",
                "{} 返回了 HTTP {}",
                url,
                status
            ))
            .expected(format!("HTTP {}", self.status))
            .actual(format!("HTTP {status}")));
        }
        if let Some(re) = &self.body {
            if !is_match(re, &body) {
                let first: String = body.chars().take(120).collect();
                let want = in_words(self.shows.as_ref(), re, lang);
                return Ok(Outcome::fail(tr!(
                    lang,
                    "the page at {} does not have {}",
                    "{} 的页面中没有 {}",
                    url,
                    want
                ))
                .expected(want)
                .actual(first));
            }
        }
        Ok(Outcome::pass(tr!(
            lang,
            "{} answers HTTP {}",
            "{} 返回 HTTP {}",
            url,
            status
        )))
    }

    fn lint(&self) -> Vec<crate::lang::Text> {
        let mut out = Vec::new();
        if !self.url.starts_with("http://") {
            out.push(crate::text!(
                "`{}`: only http:// URLs can be checked",
                "`{}`：只能检查 http:// 开头的地址",
                self.url
            ));
        }
        out.extend(regex_problem("body", self.body.as_deref()));
        out.extend(shows_problem(
            "body",
            self.body.as_deref(),
            self.shows.as_ref(),
            "shows",
        ));
        out
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let url = vars.expand(&self.url);
        match &self.body {
            Some(b) => tr!(
                lang,
                "{} answers, with {} in the page",
                "{} 能够访问，页面中包含 {}",
                url,
                in_words(self.shows.as_ref(), b, lang)
            ),
            None => tr!(
                lang,
                "{} answers HTTP {}",
                "{} 返回 HTTP {}",
                url,
                self.status
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_split_into_host_port_path() {
        assert_eq!(
            super::split("http://localhost/"),
            Some(("localhost".into(), 80, "/".into()))
        );
        assert_eq!(
            super::split("http://127.0.0.1:8080/a?b"),
            Some(("127.0.0.1".into(), 8080, "/a?b".into()))
        );
        assert_eq!(super::split("https://x"), None);
    }
}
