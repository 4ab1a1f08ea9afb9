//! The daemon's API version from `GET /_ping`, the way the docker CLI
//! negotiates: dockerd answers `/_ping` in a fraction of a millisecond and
//! puts its API version in a header, while `/version` (what bollard's
//! negotiation asks) costs it several milliseconds, most of a run's time.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// `(major, minor)` of the daemon's API, or `None` if the ping did not say
/// (the caller then falls back to bollard's own negotiation).
pub async fn api_version(host: &str, timeout: u64) -> Option<(usize, usize)> {
    let ask = async {
        if let Some(path) = host
            .strip_prefix("unix://")
            .or(host.strip_prefix('/').map(|_| host))
        {
            exchange(tokio::net::UnixStream::connect(path).await.ok()?).await
        } else {
            let addr = host
                .strip_prefix("tcp://")
                .or_else(|| host.strip_prefix("http://"))?;
            exchange(
                tokio::net::TcpStream::connect(addr.trim_end_matches('/'))
                    .await
                    .ok()?,
            )
            .await
        }
    };
    tokio::time::timeout(Duration::from_secs(timeout), ask)
        .await
        .ok()
        .flatten()
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> Option<(usize, usize)> {
    s.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        .await
        .ok()?;
    let mut head = Vec::new();
    s.take(16 * 1024).read_to_end(&mut head).await.ok()?;
    parse(&String::from_utf8_lossy(&head))
}

/// Finds `Api-Version: 1.41` among the response headers.
fn parse(response: &str) -> Option<(usize, usize)> {
    let headers = response.split("\r\n\r\n").next()?;
    let value = headers.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("api-version")
            .then(|| v.trim())
    })?;
    let (major, minor) = value.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_api_version_header_is_read_case_insensitively() {
        let r = "HTTP/1.0 200 OK\r\nApi-Version: 1.41\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\n\r\nOK";
        assert_eq!(super::parse(r), Some((1, 41)));
        assert_eq!(
            super::parse("HTTP/1.0 200 OK\r\napi-version: 1.47\r\n\r\n"),
            Some((1, 47))
        );
        assert_eq!(super::parse("HTTP/1.0 404 Not Found\r\n\r\n"), None);
    }
}
