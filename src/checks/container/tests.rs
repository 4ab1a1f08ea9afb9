//! Unit tests of the `container` kind.

use super::*;

fn port(ip: &str, private: u16, public: Option<u16>, proto: &str) -> Port {
    Port {
        ip: ip.to_string(),
        private,
        public,
        proto: proto.to_string(),
    }
}

#[test]
fn ports_read_as_docker_ps_shows_them_host_first_each_binding_once() {
    // `docker run -p 8080:80` on dockerd 20.10: an IPv4 and an IPv6 binding.
    let both = [
        port("::", 80, Some(8080), "tcp"),
        port("0.0.0.0", 80, Some(8080), "tcp"),
    ];
    assert_eq!(ps_ports(&both), "0.0.0.0:8080->80/tcp, :::8080->80/tcp");
    let same = [
        port("0.0.0.0", 80, Some(80), "tcp"),
        port("::", 80, Some(80), "tcp"),
    ];
    assert_eq!(ps_ports(&same), "0.0.0.0:80->80/tcp, :::80->80/tcp");
    assert_eq!(
        ps_ports(&[port("127.0.0.1", 80, Some(80), "tcp")]),
        "127.0.0.1:80->80/tcp"
    );
    // Exposed, not published (mysql:5.7): ranges of neighbours only.
    let exposed = [port("", 33060, None, "tcp"), port("", 3306, None, "tcp")];
    assert_eq!(ps_ports(&exposed), "3306/tcp, 33060/tcp");
    let range = [
        port("0.0.0.0", 81, Some(81), "tcp"),
        port("0.0.0.0", 80, Some(80), "tcp"),
        port("", 53, None, "udp"),
    ];
    assert_eq!(ps_ports(&range), "53/udp, 0.0.0.0:80-81->80-81/tcp");
    assert_eq!(ps_ports(&[]), "");
}

#[test]
fn a_port_matches_any_host_address_of_its_mapping() {
    let both = [
        port("0.0.0.0", 80, Some(8080), "tcp"),
        port("::", 80, Some(8080), "tcp"),
    ];
    let want = |s| mapping(s).expect(s);
    assert!(publishes(&both, &want("8080->80/tcp")));
    assert!(!publishes(&both, &want("80->80/tcp")));
    assert!(!publishes(&both, &want("8080->80/udp")));
    assert_eq!(mapping("80/tcp->80"), None);
    assert_eq!(mapping("0->80/tcp"), None);
}

#[test]
fn a_port_written_container_first_is_reported_with_its_rewrite() {
    let spec: Container =
        serde_yaml_ng::from_str(r#"{ name: web, ports: ["80/tcp->8080", "80"] }"#).expect("spec");
    let problems = spec.lint();
    assert!(
        problems
            .iter()
            .any(|p| p.en.contains("write `8080->80/tcp`")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.en.contains("port `80` is not")),
        "{problems:?}"
    );
}

#[test]
fn inspect_conditions_are_read_linted_and_described() {
    let c: Container = serde_yaml_ng::from_str(
        "{ image: 'centos:7', state: exited, inspect: [{ path: Config.Tty, equals: true }, { path: Config.OpenStdin }] }",
    )
    .expect("a container check");
    assert_eq!(c.inspect.len(), 2);
    let problems = c.lint();
    assert!(
        problems.iter().any(|p| p.en.contains("Config.OpenStdin")),
        "{problems:?}"
    );
    let said = c.describe(&Vars::default(), Lang::En);
    assert!(said.contains("; Config.Tty"), "{said}");
}

#[test]
fn a_missing_container_is_said_in_plain_english() {
    let vars = Vars::default();
    let by_image: Container = serde_yaml_ng::from_str("{ image: hello-world }").expect("spec");
    assert_eq!(
        by_image.absent(&vars, Lang::En),
        "there is no container of image hello-world:latest"
    );
    let by_name: Container = serde_yaml_ng::from_str("{ name: web }").expect("spec");
    assert_eq!(by_name.absent(&vars, Lang::En), "there is no container web");
    assert_eq!(by_name.absent(&vars, Lang::ZhCn), "没有容器 web");
}

/// "No such container" needs the daemon's lists: without them no pass.
#[test]
fn a_container_that_must_be_gone_passes_only_on_the_daemons_list() {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    let by_name = "{ id: c, container: { name: web, present: false } }";
    let by_image = "{ id: c, container: { image: hello-world, present: false } }";
    for check in [by_name, by_image] {
        let o = outcome(check, &Machine::fake().build());
        assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
    }
    // The containers listed, but not the images (to know its id).
    let no_images = Machine::fake().containers(serde_json::json!([])).build();
    let o = outcome(by_image, &no_images);
    assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
    let empty = Machine::fake()
        .containers(serde_json::json!([]))
        .images(serde_json::json!([]))
        .events(vec![])
        .build();
    let o = outcome(by_image, &empty);
    assert_outcome(
        &o,
        Status::Pass,
        "there is no container of image hello-world:latest",
    );
    let there = Machine::fake()
        .containers(serde_json::json!([{"Id": "0123456789abcdef", "Names": ["/web"], "Image": "hello-world", "State": "exited"}]))
        .images(serde_json::json!([]))
        .events(vec![])
        .build();
    for check in [by_name, by_image] {
        let o = outcome(check, &there);
        assert_outcome(&o, Status::Fail, "still exists");
        assert_eq!(o.actual.as_deref(), Some("0123456789ab"));
    }
}

#[test]
fn a_container_is_found_by_name_and_judged_on_its_state_and_ports() {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    let m = Machine::fake()
        .containers(serde_json::json!([{
            "Id": "0123456789abcdef", "Names": ["/web"], "Image": "nginx",
            "ImageID": "sha256:aa", "State": "running",
            "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}]
        }]))
        .build();
    let o = outcome(
        r#"{ id: c, container: { name: web, state: running, ports: ["8080->80/tcp"] } }"#,
        &m,
    );
    assert_outcome(&o, Status::Pass, "(0123456789ab) is running as expected");
    let o = outcome(
        r#"{ id: c, container: { name: web, ports: ["80->80/tcp"] } }"#,
        &m,
    );
    assert_outcome(&o, Status::Fail, "port 80->80/tcp is not published");
    assert_eq!(o.actual.as_deref(), Some("0.0.0.0:8080->80/tcp"));
    let o = outcome("{ id: c, container: { name: web, state: exited } }", &m);
    assert_outcome(&o, Status::Fail, "it is running");
    let o = outcome("{ id: c, container: { name: db } }", &m);
    assert_outcome(&o, Status::Fail, "there is no container db");
    // What `lab grade` keeps is the daemon's answer, not lab's view.
    let kept = crate::checks::testing::block_on(m.docker.containers_json()).expect("the list");
    assert!(kept.contains("\"PrivatePort\": 80"), "{kept}");
}
