//! Does a registry mirror answer? One read-only `GET /v2/` over http or
//! https (rustls with the ring provider; the machine's CA certificates,
//! `SSL_CERT_FILE` / `SSL_CERT_DIR` honoured, else Mozilla's roots), made
//! from the machine being checked (`Machine::connect`: from the VM during
//! `lab grade`). 200 and 401 both mean a registry answered: one that wants a
//! login is still a registry.

use crate::lang::Lang;
use crate::machine::Machine;
use crate::tr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a mirror has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// Scheme (https?), host, port and path prefix of a mirror URL.
pub fn endpoint(url: &str) -> Option<(bool, String, u16, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, p) = v6.split_once(']')?;
        (h, p.strip_prefix(':').unwrap_or(""))
    } else {
        hostport.rsplit_once(':').unwrap_or((hostport, ""))
    };
    let port = match (port, tls) {
        ("", true) => 443,
        ("", false) => 80,
        (p, _) => p.parse().ok()?,
    };
    Some((
        tls,
        host.to_string(),
        port,
        path.trim_end_matches('/').to_string(),
    ))
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            if roots.is_empty() {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| b.with_root_certificates(roots).with_no_client_auth())
                .unwrap_or_else(|_| {
                    rustls::ClientConfig::builder_with_provider(Arc::new(
                        rustls::crypto::ring::default_provider(),
                    ))
                    .with_protocol_versions(&[&rustls::version::TLS13])
                    .expect("TLS 1.3 is always supported by ring")
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth()
                });
            Arc::new(config)
        })
        .clone()
}

/// The HTTP status of `GET <mirror>/v2/`, or why there was none (in the
/// learner's language).
pub async fn status(machine: &Machine, url: &str, lang: Lang) -> Result<u16, String> {
    let Some((tls, host, port, prefix)) = endpoint(url) else {
        return Err(tr!(lang, "not an http(s) URL", "不是 http(s) 地址"));
    };
    match tokio::time::timeout(TIMEOUT, get(machine, tls, &host, port, &prefix, lang)).await {
        Ok(r) => r,
        Err(_) => Err(tr!(
            lang,
            "no answer within {} s",
            "{} 秒内没有响应",
            TIMEOUT.as_secs()
        )),
    }
}

async fn get(
    machine: &Machine,
    tls: bool,
    host: &str,
    port: u16,
    prefix: &str,
    lang: Lang,
) -> Result<u16, String> {
    let stream = machine
        .connect(host, port)
        .await
        .map_err(|e| connect_error(&e, lang))?;
    let default_port = if tls { 443 } else { 80 };
    let authority = if port == default_port {
        host.to_string()
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let request = format!(
        "GET {prefix}/v2/ HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: lab\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    if tls {
        let name = rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|_| {
            tr!(
                lang,
                "`{}` is not a host name",
                "`{}` 不是合法的主机名",
                host
            )
        })?;
        let connector = tokio_rustls::TlsConnector::from(tls_config());
        let mut s = connector
            .connect(name, stream)
            .await
            .map_err(|e| tls_error(&e, lang))?;
        exchange(&mut s, &request, lang).await
    } else {
        let mut s = stream;
        exchange(&mut s, &request, lang).await
    }
}

async fn exchange<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    s: &mut S,
    request: &str,
    lang: Lang,
) -> Result<u16, String> {
    let io = |e: std::io::Error| e.to_string();
    s.write_all(request.as_bytes()).await.map_err(io)?;
    s.flush().await.map_err(io)?;
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = s.read(&mut buf).await.map_err(|e| tls_error(&e, lang))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let status = line
        .strip_prefix("HTTP/")
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok());
    status.ok_or_else(|| {
        if head.is_empty() {
            tr!(
                lang,
                "the connection closed without an answer",
                "连接被关闭，没有任何响应"
            )
        } else {
            tr!(
                lang,
                "what answers is not an HTTP server",
                "响应的不是 HTTP 服务"
            )
        }
    })
}

fn connect_error(e: &std::io::Error, lang: Lang) -> String {
    let text = e.to_string();
    if text.contains("lookup") || text.contains("Name or service not known") {
        tr!(lang, "no such host", "找不到该主机（域名无法解析）")
    } else if e.kind() == std::io::ErrorKind::ConnectionRefused {
        tr!(lang, "connection refused", "连接被拒绝")
    } else {
        text
    }
}

fn tls_error(e: &std::io::Error, lang: Lang) -> String {
    let text = e.to_string();
    if text.contains("UnknownIssuer") || text.contains("certificate") {
        tr!(lang,
            "its TLS certificate is not trusted here ({}): the machine's CA certificates (or SSL_CERT_FILE) do not vouch for it",
            "它的 TLS 证书在这台机器上不受信任（{}）：本机的 CA 证书（或 SSL_CERT_FILE）无法验证它", text)
    } else {
        tr!(lang, "TLS failed: {}", "TLS 握手失败：{}", text)
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint;

    #[test]
    fn endpoints_of_mirrors() {
        assert_eq!(
            endpoint("https://<your-id>.mirror.aliyuncs.com"),
            Some((
                true,
                "<your-id>.mirror.aliyuncs.com".into(),
                443,
                String::new()
            ))
        );
        assert_eq!(
            endpoint("HTTP://127.0.0.1:5500/"),
            Some((false, "127.0.0.1".into(), 5500, String::new()))
        );
        assert_eq!(
            endpoint("https://m.io/path/"),
            Some((true, "m.io".into(), 443, "/path".into()))
        );
        assert_eq!(
            endpoint("http://[::1]:5000"),
            Some((false, "::1".into(), 5000, String::new()))
        );
        assert_eq!(endpoint("ftp://m.io"), None);
    }
}
