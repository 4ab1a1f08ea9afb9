//! The keys dockerd accepts in daemon.json, version by version, and the
//! type of each value.
//!
//! How dockerd decides (daemon/config/config.go, `getConflictFreeConfiguration`
//! and `findConfigurationConflicts`, unchanged from 20.10 to 28.5): a key is
//! known when it is the long name of a command-line flag (`registry-mirror`,
//! `label`: accepted, then ignored, since no field has that name) or the
//! config name of a "named" flag (`registry-mirrors`, `labels`). The value
//! is then decoded into the `Config` struct by Go's encoding/json, which
//! refuses a value of the wrong JSON type (`"debug": "true"`, `"mtu":
//! 1500.0`).
//!
//! Made from the moby source at the tags v20.10.24, v23.0.0, v24.0.0,
//! v25.0.0, v26.0.0, v26.1.5, v27.0.1 to v27.5.1 and v28.0.0 to v28.5.2
//! (every flag name of cmd/dockerd, every named option, `skipValidateOptions`,
//! and the json tags of daemon/config and registry), then checked against
//! the real engines: every key below is known to dockerd 20.10.24, 26.1.5
//! and 28.5.2 when its range says so, and a value of the wrong type is
//! refused (tests/it/daemon_json.rs).

/// A Docker Engine version, (major, minor).
pub type Version = (u16, u16);

/// What Go's encoding/json accepts for a key (null is always accepted, except
/// for `MemBytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `true` or `false`.
    Bool,
    /// A whole number, no fraction or exponent (`1500`, not `1500.0`).
    Int,
    Str,
    /// A list of strings.
    StrList,
    /// An object whose values are strings (`log-opts`).
    StrMap,
    /// An object whose values are `true` or `false` (`features`).
    BoolMap,
    /// A string holding an IP address (or empty).
    Ip,
    /// A list of IP addresses, as strings.
    IpList,
    /// A size: a string (`"64M"`) or a number; not null.
    MemBytes,
    /// A structure lab does not look into (`runtimes`, `default-ulimits`).
    Other,
    /// A flag's name with no field behind it: accepted, and ignored.
    Ignored,
}

/// One key of daemon.json.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    /// The first version that knows it; `None`: 20.10 or earlier.
    pub since: Option<Version>,
    /// The first version that no longer does.
    pub until: Option<Version>,
}

impl Key {
    pub fn known_in(&self, v: Version) -> bool {
        self.since.is_none_or(|s| v >= s) && self.until.is_none_or(|u| v < u)
    }
}

const fn key(name: &'static str, ty: Ty, since: Option<Version>, until: Option<Version>) -> Key {
    Key {
        name,
        ty,
        since,
        until,
    }
}

use Ty::*;

/// Every key any version from 20.10 to 28.5 knows, with its range.
pub const KEYS: &[Key] = &[
    key("add-runtime", Ignored, None, None),
    key("allow-direct-routing", Bool, Some((28, 2)), None),
    key(
        "allow-nondistributable-artifacts",
        StrList,
        None,
        Some((28, 1)),
    ),
    key(
        "allow-nondistributable-artifacts",
        Ignored,
        Some((28, 1)),
        None,
    ),
    key("api-cors-header", Str, None, None),
    key("authorization-plugin", Ignored, None, None),
    key("authorization-plugins", StrList, None, None),
    key("bip", Str, None, None),
    key("bip6", Str, Some((28, 0)), None),
    key("bridge", Str, None, None),
    key("builder", Other, None, None),
    key("cdi-spec-dir", Ignored, Some((25, 0)), None),
    key("cdi-spec-dirs", StrList, Some((25, 0)), None),
    key("cgroup-parent", Str, None, None),
    key("cluster-advertise", Str, None, Some((24, 0))),
    key("cluster-store", Str, None, Some((24, 0))),
    key("cluster-store-opt", Ignored, None, Some((24, 0))),
    key("cluster-store-opts", StrMap, None, Some((24, 0))),
    key("config-file", Ignored, None, None),
    key("containerd", Str, None, None),
    key("containerd-namespace", Str, None, None),
    key("containerd-plugins-namespace", Ignored, None, None),
    key("cpu-rt-period", Int, None, None),
    key("cpu-rt-runtime", Int, None, None),
    key("cri-containerd", Bool, None, None),
    key("data-root", Str, None, None),
    key("debug", Bool, None, None),
    key("default-address-pool", Ignored, None, None),
    key("default-address-pools", Other, None, None),
    key("default-cgroupns-mode", Str, None, None),
    key("default-gateway", Ip, None, None),
    key("default-gateway-v6", Ip, None, None),
    key("default-ipc-mode", Str, None, None),
    key("default-network-opt", Ignored, Some((24, 0)), None),
    key("default-network-opts", Other, Some((24, 0)), None),
    key("default-runtime", Str, None, None),
    key("default-shm-size", MemBytes, None, None),
    key("default-ulimit", Ignored, None, None),
    key("default-ulimits", Other, None, None),
    key("deprecated-key-path", Ignored, None, None),
    key("dns", IpList, None, None),
    key("dns-opt", Ignored, None, None),
    key("dns-opts", StrList, None, None),
    key("dns-search", StrList, None, None),
    key("exec-opt", Ignored, None, None),
    key("exec-opts", StrList, None, None),
    key("exec-root", Str, None, None),
    key("experimental", Bool, None, None),
    key("feature", Ignored, Some((27, 3)), None),
    key("features", BoolMap, None, None),
    key("fixed-cidr", Str, None, None),
    key("fixed-cidr-v6", Str, None, None),
    key("graph", Str, None, Some((24, 0))),
    key("group", Str, None, None),
    key("host", Ignored, None, None),
    key("host-gateway-ip", Ip, None, None),
    key("host-gateway-ips", IpList, Some((28, 0)), None),
    key("hosts", StrList, None, None),
    key("http-proxy", Ignored, Some((23, 0)), None),
    key("https-proxy", Ignored, Some((23, 0)), None),
    key("icc", Bool, None, None),
    key("init", Bool, None, None),
    key("init-path", Str, None, None),
    key("insecure-registries", StrList, None, None),
    key("insecure-registry", Ignored, None, None),
    key("ip", Ip, None, None),
    key("ip-forward", Bool, None, None),
    key("ip-forward-no-drop", Bool, Some((28, 0)), None),
    key("ip-masq", Bool, None, None),
    key("ip6tables", Bool, None, None),
    key("iptables", Bool, None, None),
    key("ipv6", Bool, None, None),
    key("label", Ignored, None, None),
    key("labels", StrList, None, None),
    key("live-restore", Bool, None, None),
    key("log-driver", Str, None, None),
    key("log-format", Str, Some((25, 0)), None),
    key("log-level", Str, None, None),
    key("log-opt", Ignored, None, None),
    key("log-opts", StrMap, None, None),
    key("max-concurrent-downloads", Int, None, None),
    key("max-concurrent-uploads", Int, None, None),
    key("max-download-attempts", Int, None, None),
    key("metrics-addr", Str, None, None),
    key("mtu", Int, None, None),
    key("network-control-plane-mtu", Int, None, None),
    key("network-diagnostic-port", Int, None, None),
    key("no-new-privileges", Bool, None, None),
    key("no-proxy", Ignored, Some((23, 0)), None),
    key("node-generic-resource", Ignored, None, None),
    key("node-generic-resources", StrList, None, None),
    key("oom-score-adjust", Int, None, Some((26, 0))),
    key("pidfile", Str, None, None),
    key("raw-logs", Bool, None, None),
    key("registry-mirror", Ignored, None, None),
    key("registry-mirrors", StrList, None, None),
    key("restart", Ignored, None, None),
    key("rootless", Bool, None, None),
    key("runtimes", Other, None, None),
    key("seccomp-profile", Str, None, None),
    key("selinux-enabled", Bool, None, None),
    key("shutdown-timeout", Int, None, None),
    key("storage-driver", Str, None, None),
    key("storage-opt", Ignored, None, None),
    key("storage-opts", StrList, None, None),
    key("swarm-default-advertise-addr", Str, None, None),
    key("tls", Bool, None, None),
    key("tlscacert", Str, None, None),
    key("tlscert", Str, None, None),
    key("tlskey", Str, None, None),
    key("tlsverify", Bool, None, None),
    key("userland-proxy", Bool, None, None),
    key("userland-proxy-path", Str, None, None),
    key("userns-remap", Str, None, None),
    key("validate", Ignored, Some((23, 0)), None),
    key("version", Ignored, None, None),
];

/// The key as `version` knows it, if it does.
pub fn lookup(name: &str, version: Version) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name && k.known_in(version))
}

/// Any version's entry for `name`, to say when it appeared or went away.
pub fn history(name: &str) -> Option<&'static Key> {
    KEYS.iter().rev().find(|k| k.name == name)
}

/// Keys whose value, an object, is kept as it is; any other key whose value
/// is an object has that object's keys checked as if they were at the top
/// (dockerd's `flatOptions`; `default-network-opts` from 24.0).
pub fn is_flat(name: &str, version: Version) -> bool {
    matches!(
        name,
        "cluster-store-opts" | "log-opts" | "runtimes" | "default-ulimits" | "features" | "builder"
    ) || (name == "default-network-opts" && version >= (24, 0))
}

/// The config name of the named flags (the key a flag's value goes to in
/// daemon.json) by long flag name: `-H` sets `hosts`, so `hosts` in the file
/// conflicts with it.
pub fn named_option(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "host" => "hosts",
        "registry-mirror" => "registry-mirrors",
        "insecure-registry" => "insecure-registries",
        "label" => "labels",
        "storage-opt" => "storage-opts",
        "exec-opt" => "exec-opts",
        "dns-opt" => "dns-opts",
        "log-opt" => "log-opts",
        "authorization-plugin" => "authorization-plugins",
        "add-runtime" => "runtimes",
        "default-ulimit" => "default-ulimits",
        "default-address-pool" => "default-address-pools",
        "node-generic-resource" => "node-generic-resources",
        "cdi-spec-dir" => "cdi-spec-dirs",
        "default-network-opt" => "default-network-opts",
        "feature" => "features",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_learners_meet_have_their_history() {
        assert!(lookup("registry-mirrors", (20, 10)).is_some());
        assert!(lookup("cdi-spec-dirs", (20, 10)).is_none());
        assert!(lookup("cdi-spec-dirs", (28, 5)).is_some());
        assert!(lookup("graph", (20, 10)).is_some());
        assert!(lookup("graph", (26, 1)).is_none());
        assert_eq!(history("graph").and_then(|k| k.until), Some((24, 0)));
        assert_eq!(
            lookup("registry-mirror", (28, 5)).map(|k| k.ty),
            Some(Ignored)
        );
        assert_eq!(lookup("mtu", (20, 10)).map(|k| k.ty), Some(Int));
        assert!(lookup("registy-mirrors", (28, 5)).is_none());
    }
}
