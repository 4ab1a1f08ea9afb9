//! The class page over HTTP/1.1 (hyper, already lab's HTTP stack): `GET /`
//! is the page, `GET /events` the server-sent events that carry each new
//! grid. Read-only: no other route, no other method. Nothing is loaded from
//! elsewhere (the page's content security policy says so too).

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// What is served now: the whole page, and the event's data.
#[derive(Debug, Default)]
pub struct Published {
    pub page: String,
    pub event: String,
}

type Body = UnsyncBoxBody<Bytes, Infallible>;

const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'";

/// Serves until the returned task is aborted (or dropped with
/// `AbortOnDrop`); its connections end with it.
pub fn spawn(listener: TcpListener, now: watch::Receiver<Arc<Published>>) -> AbortOnDrop {
    AbortOnDrop(tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((conn, _)) = listener.accept().await else {
                // Out of file descriptors, say: not a busy loop.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            };
            let now = now.clone();
            conns.spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let now = now.clone();
                    async move { Ok::<_, Infallible>(answer(&req, now)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(conn), service)
                    .await;
            });
            // Reap the connections that ended.
            while conns.try_join_next().is_some() {}
        }
    }))
}

/// The server's task: aborted when dropped, with its connections.
pub struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn answer(req: &Request<Incoming>, now: watch::Receiver<Arc<Published>>) -> Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET only\n");
    }
    match req.uri().path() {
        "/" | "/index.html" => {
            let page = now.borrow().page.clone();
            with_headers(Response::builder(), "text/html; charset=utf-8")
                .body(Full::new(Bytes::from(page)).boxed_unsync())
                .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "\n"))
        }
        "/events" => events(now),
        _ => plain(StatusCode::NOT_FOUND, "not found: the class is at /\n"),
    }
}

/// Each new grid as a `board` event, the current one first.
fn events(now: watch::Receiver<Arc<Published>>) -> Response<Body> {
    let stream = futures_util::stream::unfold((now, true), |(mut now, first)| async move {
        if !first && now.changed().await.is_err() {
            return None;
        }
        let data = now.borrow_and_update().event.clone();
        let retry = if first { "retry: 2000\n" } else { "" };
        let frame = Frame::data(Bytes::from(format!(
            "{retry}event: board\ndata: {data}\n\n"
        )));
        Some((Ok::<_, Infallible>(frame), (now, false)))
    });
    with_headers(Response::builder(), "text/event-stream; charset=utf-8")
        .body(BodyExt::boxed_unsync(StreamBody::new(stream.boxed())))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "\n"))
}

fn with_headers(b: hyper::http::response::Builder, kind: &str) -> hyper::http::response::Builder {
    b.header("content-type", kind)
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", POLICY)
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())).boxed_unsync());
    *r.status_mut() = status;
    r
}
