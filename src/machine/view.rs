//! lab's own view of what the Docker API answers: only the fields checks
//! read, made from bollard's models in `docker.rs` (the one file that
//! names bollard), so checks do not depend on the client's types.

/// One container of `docker ps -a`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The full id.
    pub id: String,
    /// Its names as the daemon gives them, with their `/` (`/web`).
    pub names: Vec<String>,
    /// The image as the container was created from it (`tomcat`, a
    /// reference or an id), when the daemon says.
    pub image: Option<String>,
    /// The image's id (`sha256:…`), when the daemon says.
    pub image_id: Option<String>,
    /// `created`, `running`, `exited`, `paused`, …; empty when not said.
    pub state: String,
    /// Its ports, published or only exposed.
    pub ports: Vec<Port>,
}

/// One port of a container, as `docker ps` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// The host address it is published on; empty when not published.
    pub ip: String,
    /// The container's port.
    pub private: u16,
    /// The host's port, when published.
    pub public: Option<u16>,
    /// `tcp`, `udp` or `sctp` (`tcp` when the daemon does not say).
    pub proto: String,
}

/// `docker image inspect`: its layers, and the whole answer for the
/// `inspect:` conditions of checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDetails {
    /// The digests of its root filesystem's layers, base first.
    pub layers: Vec<String>,
    /// The answer as JSON, by the API's field names.
    pub document: serde_json::Value,
}

/// `docker container inspect`: its exit code, and the whole answer for
/// the `inspect:` conditions of checks.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerDetails {
    /// The exit code of its last run, when the daemon says.
    pub exit_code: Option<i64>,
    /// The answer as JSON, by the API's field names.
    pub document: serde_json::Value,
}

/// One image of `docker images -a`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The full id (`sha256:…`).
    pub id: String,
    /// Its references as the daemon lists them (`tomcat:8.0`; an untagged
    /// image has none, or `<none>:<none>` on old daemons).
    pub repo_tags: Vec<String>,
}

/// `docker version` (the server's part).
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// The Engine's version, `20.10.24`.
    pub version: Option<String>,
    /// The answer as JSON, by the API's field names.
    pub document: serde_json::Value,
}

/// `docker info`.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// The Engine's version, `20.10.24`.
    pub server_version: Option<String>,
    /// The daemon's ID (the journal's seal is bound to it).
    pub id: Option<String>,
    /// The registry mirrors it loaded (`RegistryConfig.Mirrors`).
    pub mirrors: Vec<String>,
    /// The answer as JSON, by the API's field names, for the `info:`
    /// conditions of checks.
    pub document: serde_json::Value,
}
