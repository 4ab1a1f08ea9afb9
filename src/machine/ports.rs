//! Which TCP ports are listening: `ss -ltn` on a VM (asked at login), the
//! kernel's socket tables otherwise.

use super::*;

impl Machine {
    /// TCP ports in the LISTEN state, IPv4 and IPv6: on a VM from
    /// [`LISTENERS`] (asked at login), else from [`LISTEN_TABLES`].
    pub async fn listening_ports(&self) -> Result<Vec<u16>, ObserveError> {
        if !self.is_local() {
            if let Some(out) = self.exec(LISTENERS[0], &LISTENERS[1..]).await? {
                if out.code == Some(0) {
                    return Ok(parse_ss(&out.stdout));
                }
            }
        }
        let mut ports = Vec::new();
        for table in LISTEN_TABLES {
            let Some(text) = self.read(table, Bound::TABLE).await?.text() else {
                continue;
            };
            ports.extend(parse_listeners(&text));
        }
        ports.sort_unstable();
        ports.dedup();
        Ok(ports)
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
