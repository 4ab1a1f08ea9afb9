//! The Docker API, read-only by construction: checks get a `DockerView`,
//! which offers listing and inspecting and nothing else. The bollard handle
//! inside never leaves this file.
//!
//! Every answer is fetched at most once per run and cached: the machine does
//! not change while lab looks at it, and most checks of a task read the same
//! image list and event buffer.

use super::view::{Container, ContainerDetails, Image, ImageDetails, Info, Port, Version};
use super::ObserveError;
use bollard::models::{
    ContainerInspectResponse, ContainerSummary, ImageInspect, ImageSummary, PortSummary,
    SystemInfo, SystemVersion,
};
use bollard::query_parameters::{
    EventsOptions, ListContainersOptions, ListImagesOptions, LogsOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Where lab looks for the daemon unless told otherwise.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// One daemon event, as dockerd reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DaemonEvent {
    /// `image`, `container`, ...
    pub kind: String,
    /// `pull`, `tag`, `untag`, `delete`, `start`, `die`, ...
    pub action: String,
    /// `tomcat:8.0` for a pull; the image id for tag, untag and delete; the
    /// container id for container events.
    pub actor: String,
    /// Ordered, so that an event's JSON is the same each time it is
    /// written (the journal's seal covers it).
    pub attributes: std::collections::BTreeMap<String, String>,
    pub time_nano: i64,
}

/// What following the daemon's events tells (`DockerView::follow`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// Something happened (an image pulled, a container started, ...).
    Event,
    /// The daemon stopped answering, and why.
    Lost(String),
    /// It answers again.
    Back,
}

type Cached<T> = OnceCell<Result<T, ObserveError>>;

pub struct DockerView {
    /// Where bollard connects (a local socket, or the local end of an SSH
    /// tunnel when grading).
    host: String,
    /// How messages name the daemon: `host`, or `ssh://user@vm` for a tunnel.
    label: String,
    /// Nanoseconds to add to this machine's clock to get the daemon's (its
    /// event buffer is read up to the daemon's own "now"), as the VM's
    /// `date` said at login.
    clock_offset: i64,
    /// Whether to measure the daemon's own clock (`docker info`'s
    /// SystemTime) rather than trust `clock_offset`: a VM's daemon, whose
    /// clock may not be what its shell says. Not the local daemon: it
    /// shares this machine's clock.
    measure_clock: bool,
    /// The daemon's clock minus ours, in nanoseconds, measured when its
    /// `docker info` answer arrived (so it errs towards the past).
    daemon_clock: std::sync::OnceLock<i64>,
    /// The daemon's API version, when the caller already pinged it.
    known_version: Option<(usize, usize)>,
    timeout: u64,
    conn: Cached<Docker>,
    version: Cached<Version>,
    info: Cached<Info>,
    images: Cached<Listed<ImageSummary, Image>>,
    dangling: Cached<Listed<ImageSummary, Image>>,
    containers: Cached<Listed<ContainerSummary, Container>>,
    events: Cached<Vec<DaemonEvent>>,
    /// Events are read as of this moment (Unix nanoseconds, our clock):
    /// the later ones go to `after_deadline`.
    pub(super) deadline: Option<i64>,
    after_deadline: std::sync::OnceLock<Vec<DaemonEvent>>,
    inspected: Mutex<HashMap<String, Result<Option<ImageDetails>, ObserveError>>>,
}

/// A list (`docker images -a`, `docker ps -a`): the daemon's answer as it
/// came (kept for the evidence `lab grade` saves) and lab's view of it.
struct Listed<R, V> {
    raw: Vec<R>,
    view: Vec<V>,
}

impl<R, V> Listed<R, V> {
    fn of(raw: Vec<R>, view: impl Fn(&R) -> V) -> Listed<R, V> {
        let view = raw.iter().map(view).collect();
        Listed { raw, view }
    }
}

/// lab's view of an image of the list.
fn image(i: &ImageSummary) -> Image {
    Image {
        id: i.id.clone(),
        repo_tags: i.repo_tags.clone(),
    }
}

/// lab's view of `docker version`.
fn version(v: SystemVersion) -> Version {
    Version {
        version: v.version.clone(),
        document: serde_json::to_value(&v).unwrap_or_default(),
    }
}

/// lab's view of `docker info`.
fn info(i: SystemInfo) -> Info {
    Info {
        server_version: i.server_version.clone(),
        id: i.id.clone(),
        mirrors: i
            .registry_config
            .as_ref()
            .and_then(|r| r.mirrors.clone())
            .unwrap_or_default(),
        document: serde_json::to_value(&i).unwrap_or_default(),
    }
}

/// A list as pretty JSON, as the daemon sent it.
fn pretty<R: serde::Serialize>(raw: &[R]) -> Result<String, String> {
    serde_json::to_string_pretty(raw).map_err(|e| e.to_string())
}

/// lab's view of a container of the list.
fn container(c: &ContainerSummary) -> Container {
    Container {
        id: c.id.clone().unwrap_or_default(),
        names: c.names.clone().unwrap_or_default(),
        image: c.image.clone(),
        image_id: c.image_id.clone(),
        state: c.state.map(|s| s.to_string()).unwrap_or_default(),
        ports: c.ports.iter().flatten().map(port).collect(),
    }
}

fn port(p: &PortSummary) -> Port {
    Port {
        ip: p.ip.clone().unwrap_or_default(),
        private: p.private_port,
        public: p.public_port,
        proto: match p.typ {
            Some(t) if !t.to_string().is_empty() => t.to_string(),
            _ => "tcp".into(),
        },
    }
}

/// lab's view of `docker image inspect`.
fn image_details(i: ImageInspect) -> ImageDetails {
    let document = serde_json::to_value(&i).unwrap_or_default();
    ImageDetails {
        layers: i.root_fs.and_then(|r| r.layers).unwrap_or_default(),
        document,
    }
}

/// lab's view of `docker container inspect`.
fn container_details(c: ContainerInspectResponse) -> ContainerDetails {
    let document = serde_json::to_value(&c).unwrap_or_default();
    ContainerDetails {
        exit_code: c.state.and_then(|s| s.exit_code),
        document,
    }
}

impl DockerView {
    /// No connection is made until a check asks for something.
    pub fn new(host: String, timeout: u64) -> DockerView {
        let mut view = DockerView::labelled(host.clone(), host, 0, timeout);
        view.measure_clock = false;
        view
    }

    /// A daemon reached through `host` but named `label` in messages, whose
    /// clock runs `clock_offset` nanoseconds ahead of ours.
    pub fn labelled(host: String, label: String, clock_offset: i64, timeout: u64) -> DockerView {
        DockerView {
            host,
            label,
            clock_offset,
            measure_clock: true,
            daemon_clock: std::sync::OnceLock::new(),
            known_version: None,
            timeout,
            conn: OnceCell::new(),
            version: OnceCell::new(),
            info: OnceCell::new(),
            images: OnceCell::new(),
            dangling: OnceCell::new(),
            containers: OnceCell::new(),
            events: OnceCell::new(),
            deadline: None,
            after_deadline: std::sync::OnceLock::new(),
            inspected: Mutex::new(HashMap::new()),
        }
    }

    /// Skips the first ping: the caller has just had this answer.
    pub fn with_api_version(mut self, version: (usize, usize)) -> DockerView {
        self.known_version = Some(version);
        self
    }

    /// How messages name the daemon.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Where bollard connects (`unix:///…`, `tcp://…`).
    pub fn host(&self) -> &str {
        &self.host
    }

    async fn docker(&self) -> Result<&Docker, ObserveError> {
        self.conn
            .get_or_init(|| self.open())
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A new connection to the daemon, at the API version it speaks.
    async fn open(&self) -> Result<Docker, ObserveError> {
        {
            {
                // Speak the daemon's API version, whatever its age: from
                // `/_ping` when it says (fast), else bollard's negotiation.
                let pinged = match self.known_version {
                    Some(v) => Some(v),
                    None => super::ping::api_version(&self.host, self.timeout).await,
                };
                match pinged {
                    Some((major, minor)) => {
                        let ours = bollard::API_DEFAULT_VERSION;
                        let version = if (major, minor) < (ours.major_version, ours.minor_version) {
                            bollard::ClientVersion {
                                major_version: major,
                                minor_version: minor,
                            }
                        } else {
                            *ours
                        };
                        self.connect(&version)
                    }
                    None => {
                        let docker = self.connect(bollard::API_DEFAULT_VERSION)?;
                        self.call("negotiate the API version", docker.negotiate_version())
                            .await
                    }
                }
            }
        }
    }

    /// Follows the daemon's events as they happen (`GET /events`, no end),
    /// for `lab watch`: tells `tell` of each event, and when the daemon
    /// stops answering ([`Follow::Lost`]) or answers again
    /// ([`Follow::Back`]). Tries again every second while it is away;
    /// returns only when `tell` says nobody listens any more (`false`).
    /// Reads only, as the rest of this view.
    pub async fn follow(&self, tell: impl Fn(Follow) -> bool) {
        // `None`: not known yet (the first answer says).
        let mut up: Option<bool> = None;
        loop {
            let opened = match self.open().await {
                Ok(d) => self.call("ping", d.ping()).await.map(|_| d),
                Err(e) => Err(e),
            };
            let why = match opened {
                Ok(docker) => {
                    // The first time, an `Event`: what happened before the
                    // stream was open (the caller's first look raced it)
                    // is looked at again.
                    let said = match up {
                        Some(false) => Follow::Back,
                        _ => Follow::Event,
                    };
                    if !tell(said) {
                        return;
                    }
                    up = Some(true);
                    let mut stream = docker.events(None::<EventsOptions>);
                    loop {
                        match stream.next().await {
                            Some(Ok(_)) => {
                                if !tell(Follow::Event) {
                                    return;
                                }
                            }
                            Some(Err(e)) => {
                                break self.classify("follow its events", e).to_string()
                            }
                            None => break "the events stream ended".to_string(),
                        }
                    }
                }
                Err(e) => e.to_string(),
            };
            if up != Some(false) && !tell(Follow::Lost(why)) {
                return;
            }
            up = Some(false);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    fn connect(&self, version: &bollard::ClientVersion) -> Result<Docker, ObserveError> {
        let host = self.host.as_str();
        let result = if host.starts_with("unix://") || host.starts_with('/') {
            // bollard only asks `exists()`, which cannot tell a missing socket
            // from one in a folder the user may not enter.
            let path = host.trim_start_matches("unix://");
            if let Err(e) = std::fs::metadata(path) {
                return Err(match e.kind() {
                    std::io::ErrorKind::PermissionDenied => ObserveError::DockerPermission {
                        socket: path.to_string(),
                    },
                    _ => ObserveError::DockerUnreachable {
                        host: self.label.clone(),
                        reason: format!("no socket at {path}"),
                    },
                });
            }
            Docker::connect_with_unix(host, self.timeout, version)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(host, self.timeout, version)
        } else {
            return Err(ObserveError::DockerUnreachable {
                host: self.label.clone(),
                reason:
                    "lab speaks to unix:// and tcp:// hosts; for remote machines use `lab grade`"
                        .into(),
            });
        };
        result.map_err(|e| self.classify("connect", e))
    }

    /// Runs one API call under the run's timeout, mapping its error.
    async fn call<T>(
        &self,
        op: &'static str,
        fut: impl std::future::Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<T, ObserveError> {
        match tokio::time::timeout(Duration::from_secs(self.timeout), fut).await {
            Ok(r) => r.map_err(|e| self.classify(op, e)),
            Err(_) => Err(ObserveError::Timeout {
                op: format!("{op} on {}", self.label),
                secs: self.timeout,
            }),
        }
    }

    /// Turns bollard's errors into ones a learner can act on.
    fn classify(&self, op: &'static str, e: bollard::errors::Error) -> ObserveError {
        use bollard::errors::Error as B;
        let socket = self.host.trim_start_matches("unix://").to_string();
        if let B::SocketNotFoundError(path) = &e {
            return ObserveError::DockerUnreachable {
                host: self.label.clone(),
                reason: format!("no socket at {path}"),
            };
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                return match io.kind() {
                    std::io::ErrorKind::PermissionDenied => {
                        ObserveError::DockerPermission { socket }
                    }
                    _ => ObserveError::DockerUnreachable {
                        host: self.label.clone(),
                        reason: io.to_string(),
                    },
                };
            }
            source = err.source();
        }
        match e {
            B::RequestTimeoutError => ObserveError::Timeout {
                op: format!("{op} on {}", self.label),
                secs: self.timeout,
            },
            B::HyperResponseError { .. } => ObserveError::DockerUnreachable {
                host: self.label.clone(),
                reason: e.to_string(),
            },
            other => ObserveError::Docker {
                op,
                host: self.label.clone(),
                message: other.to_string(),
            },
        }
    }

    async fn cached<'a, T, F, Fut>(
        &'a self,
        cell: &'a Cached<T>,
        fetch: F,
    ) -> Result<&'a T, ObserveError>
    where
        F: FnOnce(&'a Docker) -> Fut,
        Fut: std::future::Future<Output = Result<T, ObserveError>>,
    {
        cell.get_or_init(|| async {
            let docker = self.docker().await?;
            fetch(docker).await
        })
        .await
        .as_ref()
        .map_err(Clone::clone)
    }

    /// `docker version` (server part).
    pub async fn version(&self) -> Result<&Version, ObserveError> {
        self.cached(&self.version, |d| async move {
            self.call("report its version", d.version())
                .await
                .map(version)
        })
        .await
    }

    /// `docker info`. Its SystemTime, read as the answer arrives, gives a
    /// VM daemon's clock ([`Self::clock_offset`]).
    pub async fn info(&self) -> Result<&Info, ObserveError> {
        self.cached(&self.info, |d| async move {
            let info = self.call("report `docker info`", d.info()).await?;
            if self.measure_clock {
                let theirs = info
                    .system_time
                    .as_deref()
                    .and_then(crate::clock::parse_rfc3339);
                if let Some(t) = theirs {
                    let _ = self.daemon_clock.set(t - crate::clock::now_nanos());
                }
            }
            Ok(self::info(info))
        })
        .await
    }

    /// Nanoseconds to add to this machine's clock to get the daemon's: on a
    /// VM measured from the daemon itself (one `docker info`, shared with
    /// the checks), else what the VM's shell said at login.
    pub async fn clock_offset(&self) -> i64 {
        if !self.measure_clock {
            return self.clock_offset;
        }
        if self.daemon_clock.get().is_none() {
            let _ = self.info().await;
        }
        self.daemon_clock
            .get()
            .copied()
            .unwrap_or(self.clock_offset)
    }

    /// The daemon's clock minus ours, when it was measured (a VM's).
    pub fn measured_skew(&self) -> Option<i64> {
        self.daemon_clock.get().copied()
    }

    /// `docker images -a`.
    pub async fn images(&self) -> Result<&[Image], ObserveError> {
        Ok(&self.listed_images().await?.view)
    }

    /// `docker images -a` as the daemon answered it, as pretty JSON: the
    /// evidence `lab grade` keeps (the same fetch as [`Self::images`]).
    pub async fn images_json(&self) -> Result<String, String> {
        let listed = self.listed_images().await.map_err(|e| e.to_string())?;
        pretty(&listed.raw)
    }

    async fn listed_images(&self) -> Result<&Listed<ImageSummary, Image>, ObserveError> {
        self.cached(&self.images, |d| async move {
            let opts = ListImagesOptions {
                all: true,
                ..Default::default()
            };
            let raw = self.call("list images", d.list_images(Some(opts))).await?;
            Ok(Listed::of(raw, image))
        })
        .await
    }

    /// `docker images -f dangling=true`: untagged images that no other image
    /// is built on, as the daemon itself decides (what `docker image prune`
    /// removes; an intermediate image of a legacy build is not one).
    pub async fn dangling_images(&self) -> Result<&[Image], ObserveError> {
        self.cached(&self.dangling, |d| async move {
            let opts = ListImagesOptions {
                all: false,
                filters: Some(HashMap::from([(
                    "dangling".to_string(),
                    vec!["true".to_string()],
                )])),
                ..Default::default()
            };
            let raw = self
                .call("list dangling images", d.list_images(Some(opts)))
                .await?;
            Ok(Listed::of(raw, image))
        })
        .await
        .map(|l| l.view.as_slice())
    }

    /// `docker ps -a`.
    pub async fn containers(&self) -> Result<&[Container], ObserveError> {
        Ok(&self.listed().await?.view)
    }

    /// `docker ps -a` as the daemon answered it, as pretty JSON: the
    /// evidence `lab grade` keeps (the same fetch as [`Self::containers`]).
    pub async fn containers_json(&self) -> Result<String, String> {
        let listed = self.listed().await.map_err(|e| e.to_string())?;
        pretty(&listed.raw)
    }

    async fn listed(&self) -> Result<&Listed<ContainerSummary, Container>, ObserveError> {
        self.cached(&self.containers, |d| async move {
            let opts = ListContainersOptions {
                all: true,
                ..Default::default()
            };
            let raw = self
                .call("list containers", d.list_containers(Some(opts)))
                .await?;
            Ok(Listed::of(raw, container))
        })
        .await
    }

    /// `docker image inspect REF`; `None` when there is no such image.
    pub async fn inspect_image(
        &self,
        reference: &str,
    ) -> Result<Option<ImageDetails>, ObserveError> {
        if let Some(hit) = self
            .inspected
            .lock()
            .map_err(|_| self.poisoned())?
            .get(reference)
        {
            return hit.clone();
        }
        let docker = self.docker().await?;
        let fut = docker.inspect_image(reference);
        let result = match tokio::time::timeout(Duration::from_secs(self.timeout), fut).await {
            Ok(Ok(i)) => Ok(Some(image_details(i))),
            Ok(Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            })) => Ok(None),
            Ok(Err(e)) => Err(self.classify("inspect an image", e)),
            Err(_) => Err(ObserveError::Timeout {
                op: format!("inspect an image on {}", self.label),
                secs: self.timeout,
            }),
        };
        self.inspected
            .lock()
            .map_err(|_| self.poisoned())?
            .insert(reference.to_string(), result.clone());
        result
    }

    /// `docker container inspect ID`.
    pub async fn inspect_container(&self, id: &str) -> Result<ContainerDetails, ObserveError> {
        let docker = self.docker().await?;
        self.call("inspect a container", docker.inspect_container(id, None))
            .await
            .map(container_details)
    }

    /// `docker diff ID`: the paths a container changed, added or deleted.
    pub async fn changes(&self, id: &str) -> Result<Vec<String>, ObserveError> {
        let docker = self.docker().await?;
        let changes = self
            .call("list a container's changes", docker.container_changes(id))
            .await?;
        Ok(changes
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.path)
            .collect())
    }

    /// The last `tail` lines of a container's stdout and stderr.
    pub async fn logs(&self, id: &str, tail: usize) -> Result<String, ObserveError> {
        let docker = self.docker().await?;
        let opts = LogsOptions {
            stdout: true,
            stderr: true,
            tail: tail.to_string(),
            ..Default::default()
        };
        let collect = async {
            let mut out = String::new();
            let mut stream = docker.logs(id, Some(opts));
            while let Some(chunk) = stream.next().await {
                out.push_str(&chunk?.to_string());
            }
            Ok(out)
        };
        self.call("read container logs", collect).await
    }

    /// Everything still in the daemon's event buffer (dockerd keeps the last
    /// 256 or so, in memory, and forgets them when it restarts), oldest first.
    pub async fn events(&self) -> Result<&[DaemonEvent], ObserveError> {
        self.cached(&self.events, |d| async move {
            // The daemon's "now": an `until` in its future would make it
            // wait for that moment, one in its past would drop what came
            // since (a VM whose clock is not ours).
            let now = crate::clock::now_nanos() + self.clock_offset().await;
            let opts = EventsOptions {
                since: Some("0".into()),
                until: Some(format!(
                    "{}.{:09}",
                    now / 1_000_000_000,
                    now % 1_000_000_000
                )),
                filters: None,
            };
            let collect = async {
                let mut out = Vec::new();
                let mut stream = d.events(Some(opts));
                while let Some(ev) = stream.next().await {
                    let ev = ev?;
                    let actor = ev.actor.unwrap_or_default();
                    out.push(DaemonEvent {
                        kind: ev.typ.map(|t| t.to_string()).unwrap_or_default(),
                        action: ev.action.unwrap_or_default(),
                        actor: actor.id.unwrap_or_default(),
                        attributes: actor.attributes.unwrap_or_default().into_iter().collect(),
                        time_nano: ev.time_nano.unwrap_or_default(),
                    });
                }
                Ok(out)
            };
            let all: Vec<DaemonEvent> = self.call("list its recent events", collect).await?;
            let Some(d) = self.deadline else {
                return Ok(all);
            };
            let here = d + self.clock_offset().await;
            let (kept, late): (Vec<_>, Vec<_>) = all.into_iter().partition(|e| e.time_nano <= here);
            let _ = self.after_deadline.set(late);
            Ok(kept)
        })
        .await
        .map(Vec::as_slice)
    }

    fn poisoned(&self) -> ObserveError {
        ObserveError::Docker {
            op: "cache an answer",
            host: self.label.clone(),
            message: "internal cache poisoned".into(),
        }
    }
}

/// A daemon's answers given in advance, as the API's JSON (`fake.rs`):
/// what is given is never asked for, the rest meets no daemon.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Canned {
    pub(crate) version: Option<serde_json::Value>,
    pub(crate) info: Option<serde_json::Value>,
    pub(crate) images: Option<serde_json::Value>,
    pub(crate) containers: Option<serde_json::Value>,
    pub(crate) events: Option<Vec<DaemonEvent>>,
    /// `docker image inspect` by reference; `None`: no such image.
    pub(crate) inspected: Vec<(String, Option<serde_json::Value>)>,
}

#[cfg(test)]
impl DockerView {
    /// A view whose caches hold `canned` already; anything else asked
    /// finds no daemon (`unix:///nonexistent/docker.sock`).
    pub(crate) fn canned(canned: Canned) -> DockerView {
        fn parse<T: serde::de::DeserializeOwned>(what: &str, json: serde_json::Value) -> T {
            serde_json::from_value(json)
                .unwrap_or_else(|e| panic!("a canned {what} answer in the API's shape: {e}"))
        }
        let view = DockerView::new("unix:///nonexistent/docker.sock".into(), 1);
        if let Some(v) = canned.version {
            let _ = view.version.set(Ok(version(parse("version", v))));
        }
        if let Some(v) = canned.info {
            let _ = view.info.set(Ok(info(parse("info", v))));
        }
        if let Some(v) = canned.images {
            let _ = view
                .images
                .set(Ok(Listed::of(parse("image list", v), image)));
        }
        if let Some(v) = canned.containers {
            let _ = view
                .containers
                .set(Ok(Listed::of(parse("container list", v), container)));
        }
        if let Some(v) = canned.events {
            let _ = view.events.set(Ok(v));
        }
        if let Ok(mut cache) = view.inspected.lock() {
            for (reference, json) in canned.inspected {
                let inspected = json.map(|j| image_details(parse("image inspect", j)));
                cache.insert(reference, Ok(inspected));
            }
        }
        view
    }
}

impl DockerView {
    /// The image list, if a check of this run already fetched it (never
    /// fetches: used to journal what was seen without extra API calls).
    pub fn cached_images(&self) -> Option<&[Image]> {
        self.images
            .get()
            .and_then(|r| r.as_ref().ok())
            .map(|l| l.view.as_slice())
    }

    /// The events after the deadline of a machine observed as of one
    /// (`Machine::observed_until`), once the events were read; else none.
    pub fn after_deadline(&self) -> &[DaemonEvent] {
        self.after_deadline
            .get()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The event buffer, if a check of this run already read it.
    pub fn cached_events(&self) -> Option<&[DaemonEvent]> {
        self.events
            .get()
            .and_then(|r| r.as_ref().ok())
            .map(Vec::as_slice)
    }
}
