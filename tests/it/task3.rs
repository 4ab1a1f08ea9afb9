//! Task 3 on a real daemon: the learner's commands exactly as the course
//! types them, then `lab check task3`.

use crate::bed::Daemon;
use crate::harness::{type_commands, type_history, Lab};
use lab::report::{Evidence, Status};

fn check(d: &Daemon) -> crate::harness::Done {
    Lab::on(d)
        .args(["check", "task3", "--format", "json"])
        .run()
}

/// Steps 1-3 as typed.
fn pull_and_tag(d: &Daemon) {
    d.docker(&["pull", "tomcat"]);
    d.docker(&["pull", "tomcat:8.0"]);
    d.docker(&["tag", "tomcat:8.0", "mytomcat:8.0"]);
    d.docker(&["images", "tomcat"]);
    d.docker(&["images", "tomcat", "-q"]);
}

/// Steps 5-6 as typed, with the id read the way a learner reads it.
fn remove_latest_then_all(d: &Daemon) -> String {
    let latest = d.short_image_id("tomcat:latest");
    d.docker(&["image", "rm", &latest]);
    d.sh("docker image rm -f $(docker images tomcat -q)");
    latest
}

#[test]
fn all_at_once_without_checking_midway_passes_on_daemon_events() {
    let d = Daemon::start();
    pull_and_tag(&d);
    let latest = remove_latest_then_all(&d);
    type_history(
        &d,
        &[
            "docker pull tomcat",
            "docker tag tomcat:8.0 mytomcat:8.0",
            "docker images tomcat -q",
            &format!("docker image rm {latest}"),
            "docker image rm -f $(docker images tomcat -q)",
        ],
    );
    let done = check(&d);
    done.code(0).all_checks("task3", &[Status::Pass]);
    assert!(matches!(
        done.status("task3", "pull-latest", "pulled", Status::Pass)
            .evidence,
        Some(Evidence::Event { .. })
    ));
    assert!(matches!(
        done.status("task3", "tag", "same-image", Status::Pass)
            .evidence,
        Some(Evidence::Event { .. })
    ));
    assert!(matches!(
        done.status("task3", "remove-latest", "kept-8.0", Status::Pass)
            .evidence,
        Some(Evidence::Event { .. })
    ));
    let text = Lab::on(&d).args(["check", "task3"]).run();
    text.code(0)
        .stdout_has("PASS task3: 6/6 steps")
        .stdout_has("(from the daemon's events)");
}

#[test]
fn progress_checked_midway_survives_a_daemon_restart_through_the_journal() {
    let mut d = Daemon::start();
    pull_and_tag(&d);
    type_history(&d, &["docker images tomcat"]);
    check(&d).status("task3", "tag", "same-image", Status::Pass);
    let latest = d.short_image_id("tomcat:latest");
    d.docker(&["image", "rm", &latest]);
    type_history(&d, &[&format!("docker image rm {latest}")]);
    check(&d).status("task3", "remove-latest", "kept-8.0", Status::Pass);
    d.sh("docker image rm -f $(docker images tomcat -q)");
    // What the history checks read (with no commands at all they fail):
    // the command log, which `--var bash_history=/none` below leaves alone.
    type_commands(
        &d,
        &[
            ("docker images tomcat -q", 0),
            (&format!("docker image rm {latest}"), 0),
        ],
    );
    check(&d).code(0);
    // A restart empties the event buffer; the journal still has the
    // events lab read before it.
    d.restart();
    assert!(d.events().trim().is_empty(), "{}", d.events());
    let done = check(&d);
    done.code(0);
    for (step, check) in [("pull-latest", "pulled"), ("remove-all", "eight-removed")] {
        let c = done.status("task3", step, check, Status::Pass);
        assert!(!matches!(c.evidence, Some(Evidence::Live { .. })), "{c:?}");
    }
}

#[test]
fn nothing_ever_pulled_fails_although_no_tomcat_is_left() {
    let d = Daemon::start();
    let done = check(&d);
    done.code(1);
    let c = done.status("task3", "pull-latest", "pulled", Status::Fail);
    assert!(
        c.hint
            .as_deref()
            .unwrap_or("")
            .contains("docker pull tomcat"),
        "{c:?}"
    );
    done.status("task3", "remove-all", "no-tomcat", Status::Pass);
    done.status("task3", "remove-all", "eight-removed", Status::Fail);
}

#[test]
fn skipping_the_tag_fails_the_tag_step_with_its_hint() {
    let d = Daemon::start();
    d.docker(&["pull", "tomcat"]);
    d.docker(&["pull", "tomcat:8.0"]);
    let done = check(&d);
    done.code(1);
    let c = done.status("task3", "tag", "same-image", Status::Fail);
    assert!(
        c.hint
            .as_deref()
            .unwrap_or("")
            .contains("docker tag tomcat:8.0 mytomcat:8.0"),
        "{c:?}"
    );
    // ... and still fails once everything is removed: there never was a tag.
    remove_latest_then_all(&d);
    check(&d)
        .code(1)
        .status("task3", "tag", "same-image", Status::Fail);
}

#[test]
fn tagging_the_wrong_image_is_caught_by_its_id() {
    let d = Daemon::start();
    d.docker(&["pull", "tomcat"]);
    d.docker(&["pull", "tomcat:8.0"]);
    d.docker(&["tag", "tomcat:latest", "mytomcat:8.0"]);
    let c = check(&d).status("task3", "tag", "same-image", Status::Fail);
    assert!(c.message.as_str().contains("different images"), "{c:?}");
}

#[test]
fn removing_8_0_instead_of_latest_fails_with_the_right_hint() {
    let d = Daemon::start();
    pull_and_tag(&d);
    d.docker(&["rmi", "tomcat:8.0"]);
    let done = check(&d);
    done.code(1);
    done.status("task3", "remove-latest", "latest-gone", Status::Fail);
    let c = done.status("task3", "remove-latest", "kept-8.0", Status::Fail);
    assert!(
        c.hint
            .as_deref()
            .unwrap_or("")
            .contains("docker pull tomcat:8.0"),
        "{c:?}"
    );
    // Removing everything afterwards does not turn the mistake into a pass.
    d.sh("docker image rm -f $(docker images tomcat -q) $(docker images mytomcat -q)");
    check(&d)
        .code(1)
        .status("task3", "remove-latest", "kept-8.0", Status::Fail);
}

#[test]
fn chinese_report_for_a_chinese_locale() {
    let d = Daemon::start();
    Lab::on(&d)
        .env("LANG", "zh_CN.UTF-8")
        .args(["check", "task3"])
        .run()
        .code(1)
        .stdout_has("用默认标签拉取 tomcat:latest")
        .stdout_has("提示");
}
