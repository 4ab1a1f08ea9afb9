//! `port`: something listens on a TCP port of the machine (sshd on 22),
//! read from /proc/net/tcp and tcp6 (on a VM: `ss -ltn`), so nothing is
//! connected to.
//!
//! ```yaml
//! port: { port: 22 }
//! ```

use super::{Ctx, Probe};
use crate::course::Vars;
use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::report::Outcome;
use crate::tr;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// The TCP port number, or a `${variable}` holding it.
    pub port: NumberOrVar,
    /// Listening (true, the default) or not (false).
    #[serde(default = "yes")]
    pub listening: bool,
}

/// `22` or `"${ssh_port}"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NumberOrVar {
    Number(u16),
    Text(String),
}

fn yes() -> bool {
    true
}

impl Probe for Port {
    fn runs(&self) -> &'static [&'static [&'static str]] {
        &[crate::machine::LISTENERS]
    }

    async fn probe(&self, ctx: &Ctx<'_>) -> Result<Outcome, ObserveError> {
        let lang = ctx.lang;
        let text = match &self.port {
            NumberOrVar::Number(n) => n.to_string(),
            NumberOrVar::Text(t) => ctx.expand(t),
        };
        let Ok(port) = text.trim().parse::<u16>() else {
            return Ok(Outcome::error(tr!(
                lang,
                "`{}` is not a TCP port number",
                "`{}` 不是 TCP 端口号",
                text
            )));
        };
        let open = ctx.machine.listening_ports().await?.contains(&port);
        let msg = if open {
            tr!(
                lang,
                "TCP port {} is listening",
                "TCP 端口 {} 正在监听",
                port
            )
        } else {
            tr!(
                lang,
                "nothing listens on TCP port {}",
                "没有程序在监听 TCP 端口 {}",
                port
            )
        };
        let o = Outcome::verdict(open == self.listening, msg);
        Ok(if o.passed() {
            o
        } else {
            o.expected(if self.listening {
                "listening"
            } else {
                "closed"
            })
            .actual(if open { "listening" } else { "closed" })
        })
    }

    fn describe(&self, vars: &Vars, lang: Lang) -> String {
        let port = match &self.port {
            NumberOrVar::Number(n) => n.to_string(),
            NumberOrVar::Text(t) => vars.expand(t),
        };
        tr!(
            lang,
            "something listens on TCP port {}",
            "有程序在监听 TCP 端口 {}",
            port
        )
    }
}
