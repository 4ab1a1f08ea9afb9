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
    // `HTTP/1.1 200 OK`: a number in second place of anything else is
    // no status.
    let status = head
        .strip_prefix("HTTP/")
        .and_then(|l| l.split_whitespace().nth(1))
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
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;

    /// A server on a port of this machine that answers one connection
    /// with `answer`; its URL.
    fn serve(answer: &'static str) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("its address").port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf);
                let _ = s.write_all(answer.as_bytes());
            }
        });
        format!("http://127.0.0.1:{port}/")
    }

    fn check(url: &str) -> String {
        format!("{{ id: h, http: {{ url: \"{url}\", body: Welcome }} }}")
    }

    #[test]
    fn a_page_with_its_status_and_text_passes() {
        let url = serve("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nWelcome");
        let o = outcome(&check(&url), &Machine::local(String::new(), 5));
        assert_outcome(&o, Status::Pass, "answers HTTP 200");
    }

    /// What answers must be HTTP: a number in second place of another
    /// protocol's greeting is no status (it passed as HTTP 200).
    #[test]
    fn an_answer_that_is_not_http_has_no_status() {
        let url = serve("RFB 200 Welcome\r\n\r\nWelcome");
        let o = outcome(&check(&url), &Machine::local(String::new(), 5));
        assert_outcome(&o, Status::Fail, "not an HTTP response");
        let url = serve("");
        let o = outcome(&check(&url), &Machine::local(String::new(), 5));
        assert_outcome(&o, Status::Fail, "no answer");
        let o = outcome(&check("http://localhost:80/"), &Machine::fake().build());
        assert_outcome(&o, Status::Fail, "nothing answers at http://localhost:80/");
    }

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
