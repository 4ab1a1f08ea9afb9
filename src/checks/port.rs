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
        let Some(seen) = ctx.machine.listening_ports().await? else {
            return Ok(Outcome::error(tr!(
                lang,
                "lab cannot tell whether anything listens on TCP port {}: this machine has no /proc/net/tcp (its /proc is not the kernel's) and no `ss` that answers",
                "lab 无法判断是否有程序在监听 TCP 端口 {}：这台机器没有 /proc/net/tcp（它的 /proc 不是内核提供的），也没有能给出答案的 `ss`",
                port
            )));
        };
        let open = seen.ports.contains(&port);
        if !open && seen.cut {
            // Only the head of a huge socket table was read: absence
            // there proves nothing.
            return Ok(Outcome::error(tr!(
                lang,
                "lab cannot tell whether anything listens on TCP port {}: the kernel's socket table is larger than {} MiB and lab read only its start, where the port is not",
                "lab 无法判断是否有程序在监听 TCP 端口 {}：内核的套接字表超过 {} MiB，lab 只读取了开头部分，其中没有这个端口",
                port,
                crate::machine::Bound::TABLE.mib()
            )));
        }
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

#[cfg(test)]
mod tests {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::{Machine, LISTENERS};
    use crate::report::Status;

    /// sshd on 22 listening, a connection to 8080 established.
    const TCP: &str = "  sl  local_address rem_address   st\n   0: 00000000:0016 00000000:0000 0A\n   1: 0100007F:1F90 0100007F:C350 01\n";
    const SS: &str = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 128 0.0.0.0:2222 0.0.0.0:*\n";

    fn here() -> Machine {
        Machine::fake()
            .file("/proc/net/tcp", TCP)
            .file("/proc/net/tcp6", "")
            .build()
    }

    #[test]
    fn a_listening_port_passes_and_a_closed_one_fails() {
        let o = outcome("{ id: p, port: { port: 22 } }", &here());
        assert_outcome(&o, Status::Pass, "TCP port 22 is listening");
        let o = outcome("{ id: p, port: { port: 8080 } }", &here());
        assert_outcome(&o, Status::Fail, "nothing listens on TCP port 8080");
        assert_eq!(
            (o.expected.as_deref(), o.actual.as_deref()),
            (Some("listening"), Some("closed"))
        );
    }

    #[test]
    fn a_port_that_must_be_closed_fails_when_it_listens() {
        let o = outcome("{ id: p, port: { port: 22, listening: false } }", &here());
        assert_outcome(&o, Status::Fail, "TCP port 22 is listening");
        assert_eq!(o.expected.as_deref(), Some("closed"));
        let o = outcome("{ id: p, port: { port: 80, listening: false } }", &here());
        assert_outcome(&o, Status::Pass, "nothing listens on TCP port 80");
    }

    #[test]
    fn a_vm_is_asked_with_ss_else_its_socket_tables() {
        let vm = Machine::fake().remote().command(LISTENERS, 0, SS).build();
        let o = outcome("{ id: p, port: { port: 2222 } }", &vm);
        assert_outcome(&o, Status::Pass, "TCP port 2222 is listening");
        let no_ss = Machine::fake()
            .remote()
            .not_installed("ss")
            .file("/proc/net/tcp", TCP)
            .build();
        let o = outcome("{ id: p, port: { port: 22 } }", &no_ss);
        assert_outcome(&o, Status::Pass, "TCP port 22 is listening");
    }

    /// Neither `ss` nor the kernel's socket table: no port is known to be
    /// closed, so one that must be closed does not pass (nor one that must
    /// listen fail).
    #[test]
    fn without_a_socket_table_lab_cannot_tell_and_says_so() {
        let bare = Machine::fake().build();
        let vm = Machine::fake()
            .remote()
            .command_err(LISTENERS, 1, "", "Cannot open netlink socket\n")
            .build();
        for m in [&bare, &vm] {
            for check in [
                "{ id: p, port: { port: 22, listening: false } }",
                "{ id: p, port: { port: 22 } }",
            ] {
                let o = outcome(check, m);
                assert_outcome(
                    &o,
                    Status::Error,
                    "lab cannot tell whether anything listens on TCP port 22",
                );
            }
        }
        // No IPv6 table is IPv6 turned off: the IPv4 one says it all.
        let v4 = Machine::fake().file("/proc/net/tcp", TCP).build();
        let o = outcome("{ id: p, port: { port: 80, listening: false } }", &v4);
        assert_outcome(&o, Status::Pass, "nothing listens on TCP port 80");
    }

    /// A socket table over the bound is read in part: a port seen there
    /// listens, one not seen may be further on.
    #[test]
    fn a_port_missing_from_a_cut_table_is_not_known_to_be_closed() {
        let row = "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 20 4 30 10 -1\n";
        let mut huge = String::from(TCP);
        while huge.len() <= (16 << 20) {
            huge.push_str(row);
        }
        let m = Machine::fake()
            .file("/proc/net/tcp", &huge)
            .file("/proc/net/tcp6", "")
            .build();
        let o = outcome("{ id: p, port: { port: 80, listening: false } }", &m);
        assert_outcome(&o, Status::Error, "lab read only its start");
        let o = outcome("{ id: p, port: { port: 22 } }", &m);
        assert_outcome(&o, Status::Pass, "TCP port 22 is listening");
    }

    #[test]
    fn a_port_that_is_not_a_number_or_unreadable_tables_are_errors() {
        let o = outcome(r#"{ id: p, port: { port: "ssh" } }"#, &here());
        assert_outcome(&o, Status::Error, "`ssh` is not a TCP port number");
        let denied = Machine::fake().unreadable("/proc/net/tcp").build();
        let o = outcome("{ id: p, port: { port: 22 } }", &denied);
        assert_outcome(&o, Status::Error, "cannot read /proc/net/tcp");
    }
}
