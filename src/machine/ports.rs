//! Which TCP ports are listening: `ss -ltn` on a VM (asked at login), the
//! kernel's socket tables otherwise.

use super::*;

/// The TCP ports a machine listens on, as far as lab could see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listening {
    /// The ports in the LISTEN state, IPv4 and IPv6, sorted.
    pub ports: Vec<u16>,
    /// A socket table was longer than [`Bound::TABLE`] and read in part: a
    /// port not in `ports` may listen all the same.
    pub cut: bool,
}

impl Machine {
    /// TCP ports in the LISTEN state, IPv4 and IPv6: on a VM from
    /// [`LISTENERS`] (asked at login), else from [`LISTEN_TABLES`].
    /// `None` when lab could see neither (no `ss`, no /proc/net/tcp: /proc
    /// is not the kernel's): then no port is known to be closed.
    pub async fn listening_ports(&self) -> Result<Option<Listening>, ObserveError> {
        if !self.is_local() {
            if let Some(out) = self.exec(LISTENERS[0], &LISTENERS[1..]).await? {
                if out.code == Some(0) {
                    return Ok(Some(Listening {
                        ports: parse_ss(&out.stdout),
                        cut: false,
                    }));
                }
            }
        }
        let mut ports = Vec::new();
        let mut cut = false;
        for (i, table) in LISTEN_TABLES.iter().enumerate() {
            let (bytes, partial) = match self.read(table, Bound::TABLE).await? {
                Read::Bytes { bytes, cut } => (bytes, cut),
                // No IPv4 table: this is no kernel's /proc. No IPv6 one:
                // IPv6 is off (`ipv6.disable=1`), nothing listens on it.
                _ if i == 0 => return Ok(None),
                _ => continue,
            };
            cut |= partial;
            ports.extend(parse_listeners(&String::from_utf8_lossy(&bytes)));
        }
        ports.sort_unstable();
        ports.dedup();
        Ok(Some(Listening { ports, cut }))
    }
}

/// The kernel's TCP socket tables, IPv4 and IPv6.
pub const LISTEN_TABLES: &[&str] = &["/proc/net/tcp", "/proc/net/tcp6"];

/// The listening TCP sockets, IPv4 and IPv6, as a VM is asked for them:
/// reading [`LISTEN_TABLES`] makes the kernel walk every connection of its
/// hash table (10 ms a VM in the test bed, whose 100 VMs share one large
/// kernel), `ss` asks netlink for the listening ones only (2 ms). A VM
/// without `ss` (no iproute2) gets the tables read instead.
pub const LISTENERS: &[&str] = &["ss", "-ltn"];

/// Local ports of the LISTEN lines of `ss -ltn`
/// (`LISTEN 0 128 0.0.0.0:22 0.0.0.0:*`, `[::]:22`).
pub(super) fn parse_ss(out: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = out
        .lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            if cols.next()? != "LISTEN" {
                return None;
            }
            cols.nth(2)?.rsplit(':').next()?.parse().ok()
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Local ports of the sockets in state 0A (LISTEN) of a /proc/net/tcp table.
pub(super) fn parse_listeners(table: &str) -> impl Iterator<Item = u16> + '_ {
    table.lines().skip(1).filter_map(|line| {
        let mut cols = line.split_whitespace();
        let local = cols.nth(1)?;
        let state = cols.nth(1)?;
        if state != "0A" {
            return None;
        }
        let port = local.rsplit(':').next()?;
        u16::from_str_radix(port, 16).ok()
    })
}
