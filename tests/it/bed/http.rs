//! HTTP/1.0 by hand: to a published port on this host, and to a
//! daemon's socket (`/_ping`).

use super::*;

/// One HTTP/1.0 GET from this host, e.g. `http_get("localhost:80", "/")`:
/// (status, body), or None if nothing answers.
pub fn http_get(host_port: &str, path: &str) -> Option<(u16, String)> {
    use std::net::{TcpStream, ToSocketAddrs};
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    let mut s = host_port
        .to_socket_addrs()
        .ok()?
        .find_map(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).ok())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    read_response(&mut s)
}

/// [`http_get`] until it answers `want` (a published port takes a moment).
pub fn http_get_until(host_port: &str, path: &str, want: u16, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let got = http_get(host_port, path);
        match got {
            Some((code, body)) if code == want => return body,
            other if Instant::now() >= deadline => panic!(
                "GET http://{host_port}{path}: no {want} within {timeout:?}; last answer: {other:?}"
            ),
            _ => sleep(Duration::from_millis(100)),
        }
    }
}

/// One HTTP/1.0 request on the daemon socket: (status, body).
pub(super) fn api(sock: &Path, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = UnixStream::connect(sock).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    read_response(&mut s)
}

pub(super) fn ping(sock: &Path) -> bool {
    matches!(api(sock, "GET", "/_ping"), Some((200, body)) if body.trim() == "OK")
}

/// An HTTP/1.0 answer read to its end: (status, body).
fn read_response(s: &mut impl Read) -> Option<(u16, String)> {
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((code, body))
}
