//! The Docker API of a VM over SSH: a private Unix socket on our side that
//! speaks HTTP to bollard, and ONE `docker system dial-stdio` on the VM (a
//! session of the VM's SSH master) that carries every request, one after
//! the other. bollard then talks to that socket as to any local daemon, so a
//! check cannot tell a VM from the local machine.
//!
//! Why one upstream connection: bollard opens a connection per concurrent
//! request, and each `dial-stdio` starts a docker CLI on the VM (tens of
//! milliseconds of its CPU). API answers take a millisecond or two, so
//! queueing them costs far less than starting eight CLIs.

use super::ssh::Ssh;
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio::net::UnixListener;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

type Body = BoxBody<Bytes, hyper::Error>;

/// A running tunnel; dropping it stops accepting and ends its connections.
pub struct Tunnel(JoinHandle<()>);

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Upstream {
    ssh: Arc<Ssh>,
    sender: Mutex<Option<SendRequest<Incoming>>>,
    /// The connection tasks, ended with the tunnel.
    tasks: std::sync::Mutex<tokio::task::JoinSet<()>>,
    /// What the last dial-stdio printed on stderr.
    said: Arc<std::sync::Mutex<String>>,
}

/// Listens on `socket` (which must not exist yet) until dropped.
pub fn open(ssh: Arc<Ssh>, socket: &Path) -> std::io::Result<Tunnel> {
    let listener = UnixListener::bind(socket)?;
    let up = Arc::new(Upstream {
        ssh,
        sender: Mutex::new(None),
        tasks: std::sync::Mutex::new(tokio::task::JoinSet::new()),
        said: Arc::default(),
    });
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        while let Ok((conn, _)) = listener.accept().await {
            let up = up.clone();
            conns.spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let up = up.clone();
                    async move { up.forward(req).await }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(conn), service)
                    .await;
            });
        }
    });
    Ok(Tunnel(task))
}

impl Upstream {
    async fn forward(&self, mut req: Request<Incoming>) -> Result<Response<Body>, hyper::Error> {
        // An HTTP/1.0 ask (lab's ping) must not close the shared connection.
        *req.version_mut() = hyper::Version::HTTP_11;
        req.headers_mut().remove(hyper::header::CONNECTION);
        let pending = {
            let mut slot = self.sender.lock().await;
            if slot.as_ref().is_none_or(|s| s.is_closed()) {
                match self.connect().await {
                    Ok(s) => *slot = Some(s),
                    Err(why) => return Ok(bad_gateway(&why)),
                }
            }
            let Some(sender) = slot.as_mut() else {
                return Ok(bad_gateway("no connection to the VM's Docker"));
            };
            // Waits for the previous response to be read to its end.
            if sender.ready().await.is_err() {
                *slot = None;
                let why = self.why("the VM closed the Docker connection".into()).await;
                return Ok(bad_gateway(&why));
            }
            sender.send_request(req)
        };
        match pending.await {
            Ok(resp) => Ok(resp.map(|b| b.boxed())),
            Err(e) => {
                let why = self
                    .why(format!("the VM's Docker connection failed: {e}"))
                    .await;
                Ok(bad_gateway(&why))
            }
        }
    }

    /// Starts `docker system dial-stdio` on the VM and speaks HTTP/1.1 over
    /// its stdin and stdout. When it fails, what it printed says why
    /// (`Cannot connect to the Docker daemon ...`, `docker: not found`).
    async fn connect(&self) -> Result<SendRequest<Incoming>, String> {
        let mut child = self
            .ssh
            .dial_stdio()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run ssh: {e}"))?;
        let (Some(out), Some(inp), Some(mut err)) =
            (child.stdout.take(), child.stdin.take(), child.stderr.take())
        else {
            return Err("ssh gave no pipes".into());
        };
        let io = TokioIo::new(tokio::io::join(out, inp));
        let (sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| e.to_string())?;
        let said = self.said.clone();
        if let Ok(mut s) = said.lock() {
            s.clear();
        }
        let mut tasks = self.tasks.lock().map_err(|_| "tunnel state poisoned")?;
        tasks.spawn(async move {
            let _ = conn.await;
            let _ = child.kill().await;
        });
        tasks.spawn(async move {
            let mut text = Vec::new();
            let _ = err.read_to_end(&mut text).await;
            if let Ok(mut s) = said.lock() {
                *s = String::from_utf8_lossy(&text).trim().to_string();
            }
        });
        Ok(sender)
    }

    /// Why the connection failed: what dial-stdio said, if it said it in
    /// time, else `fallback`.
    async fn why(&self, fallback: String) -> String {
        for _ in 0..20 {
            if let Some(s) = self.said.lock().ok().filter(|s| !s.is_empty()) {
                return s.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        fallback
    }
}

fn bad_gateway(why: &str) -> Response<Body> {
    let body = serde_json::json!({ "message": why }).to_string();
    let mut resp = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed(),
    );
    *resp.status_mut() = hyper::StatusCode::BAD_GATEWAY;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}
