//! Unit tests of the `event` kind.

use super::*;
use std::collections::BTreeMap;

fn ev(action: &str, actor: &str, name: &str, t: i64) -> DaemonEvent {
    DaemonEvent {
        kind: "image".into(),
        action: action.into(),
        actor: actor.into(),
        attributes: BTreeMap::from([("name".into(), name.into())]),
        time_nano: t,
    }
}

fn filter(
    actions: &[&str],
    refs: Option<(&[&str], &[&str])>,
    not: Option<(&[&str], &[&str])>,
) -> Resolved {
    let own = |r: Option<(&[&str], &[&str])>| {
        r.map(|(n, i)| {
            (
                n.iter().map(|s| s.to_string()).collect(),
                i.iter().map(|s| s.to_string()).collect(),
            )
        })
    };
    Resolved {
        kind: "image".into(),
        actions: actions.iter().map(|s| s.to_string()).collect(),
        refs: own(refs),
        not_refs: own(not),
        container: None,
    }
}

fn container_ev(action: &str, id: &str, exit: &str, t: i64) -> DaemonEvent {
    DaemonEvent {
        kind: "container".into(),
        action: action.into(),
        actor: id.into(),
        attributes: BTreeMap::from([
            ("image".into(), "ubuntu:18.04".into()),
            ("name".into(), "c".into()),
            ("exitCode".into(), exit.into()),
        ]),
        time_nano: t,
    }
}

/// Which image a tag was made from, when lab never saw its id and no
/// history says: no pass, and the check says lab cannot tell.
#[test]
fn a_tag_whose_source_nobody_can_name_does_not_pass() {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    let m = Machine::fake()
        .events(vec![ev("tag", "sha256:abc", "mytomcat:8.0", 1)])
        .images(serde_json::json!([]))
        .build();
    let yaml = r#"{ id: e, event: { action: tag, image: "mytomcat:8.0", from: "tomcat:8.0" } }"#;
    let o = outcome(yaml, &m);
    assert_outcome(&o, Status::Fail, "lab cannot tell which image was tagged");
}

/// "Not that image" needs to know which image the removal was: a delete
/// of an id lab cannot name is no pass.
#[test]
fn a_removal_of_an_image_lab_cannot_name_is_not_another_image() {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    let m = Machine::fake()
        .events(vec![ev("delete", "sha256:xyz", "sha256:xyz", 1)])
        .images(serde_json::json!([]))
        .build();
    let yaml = r#"{ id: e, event: { action: delete, not_image: "tomcat:8.0" } }"#;
    let o = outcome(yaml, &m);
    assert_outcome(
        &o,
        Status::Fail,
        "the daemon's recent events do not show it",
    );
    // No event buffer at all: no verdict.
    let o = outcome(yaml, &Machine::fake().build());
    assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
}

/// `gone: true` wants a container that `docker ps -a` no longer lists:
/// one still listed fails, and without the list there is no verdict.
#[test]
fn a_container_that_must_be_gone_is_judged_on_the_daemons_list() {
    use crate::checks::testing::{assert_outcome, outcome};
    use crate::machine::Machine;
    use crate::report::Status;
    let yaml = "{ id: e, event: { type: container, action: die, image: 'ubuntu:18.04', exit_code: 0, gone: true } }";
    let died = || vec![container_ev("die", "c1", "0", 1)];
    let there = Machine::fake()
        .events(died())
        .images(serde_json::json!([]))
        .containers(serde_json::json!([{"Id": "c1", "Names": ["/c"], "Image": "ubuntu:18.04"}]))
        .build();
    let o = outcome(yaml, &there);
    assert_outcome(
        &o,
        Status::Fail,
        "the daemon's recent events do not show it",
    );
    let unknown = Machine::fake()
        .events(died())
        .images(serde_json::json!([]))
        .build();
    let o = outcome(yaml, &unknown);
    assert_outcome(&o, Status::Error, "cannot reach the Docker daemon");
    let gone = Machine::fake()
        .events(died())
        .images(serde_json::json!([]))
        .containers(serde_json::json!([]))
        .build();
    let o = outcome(yaml, &gone);
    assert_outcome(
        &o,
        Status::Pass,
        "the daemon's events show `container die c1`",
    );
    // Another exit code is not the one asked for.
    let other = Machine::fake()
        .events(vec![container_ev("die", "c1", "137", 1)])
        .images(serde_json::json!([]))
        .containers(serde_json::json!([]))
        .build();
    let o = outcome(yaml, &other);
    assert_eq!(o.status, Status::Fail, "{o:?}");
}

#[test]
fn a_pull_is_matched_by_reference_not_by_its_repository_name() {
    // dockerd 20.10: `docker pull tomcat:8.0` → actor "tomcat:8.0", name "tomcat".
    let pull80 = ev("pull", "tomcat:8.0", "tomcat", 1);
    assert!(filter(&["pull"], Some((&["tomcat:8.0"], &[])), None).matches(&pull80));
    assert!(!filter(&["pull"], Some((&["tomcat:latest"], &[])), None).matches(&pull80));
}

#[test]
fn tag_untag_and_delete_match_by_name_or_id() {
    let tag = ev("tag", "sha256:80", "mytomcat:8.0", 1);
    assert!(filter(&["tag"], Some((&["mytomcat:8.0"], &[])), None).matches(&tag));
    let delete = ev("delete", "sha256:latest", "sha256:latest", 2);
    assert!(filter(&["delete"], None, Some((&["tomcat:8.0"], &["sha256:80"]))).matches(&delete));
    assert!(!filter(
        &["delete"],
        None,
        Some((&["tomcat:8.0"], &["sha256:latest"]))
    )
    .matches(&delete));
    assert!(
        !filter(&["delete"], None, Some((&["tomcat:8.0"], &[]))).matches(&delete),
        "unknown id: cannot tell"
    );
}
