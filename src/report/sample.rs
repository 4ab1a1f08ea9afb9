//! A fixed report for the reporters' golden tests: one task with a passing
//! step (event evidence), a failing one, a skipped check and an error.

use super::*;

fn check(id: &str, status: Status, message: &str) -> CheckResult {
    CheckResult {
        id: id.into(),
        kind: "image".into(),
        status,
        message: message.into(),
        hint: None,
        expected: None,
        actual: None,
        evidence: None,
        warnings: Vec::new(),
    }
}

pub fn report(lang: Lang) -> Report {
    let mut pulled = check(
        "pulled",
        Status::Pass,
        "the daemon's events show `image pull tomcat:latest`",
    );
    pulled.evidence = Some(Evidence::Event {
        detail: "image pull tomcat:latest".into(),
        time: 1_795_326_768,
    });
    let mut tagged = check(
        "same-id",
        Status::Fail,
        "mytomcat:8.0 and tomcat:8.0 are different images",
    );
    tagged.expected = Some("mytomcat:8.0 has the id of tomcat:8.0: 8cf9c5740ea3".into());
    tagged.actual = Some("mytomcat:8.0 has id 65a8bf737625".into());
    tagged.hint = Some("Tag the 8.0 image: `docker tag tomcat:8.0 mytomcat:8.0` <&>".into());
    let skipped = check("enabled", Status::Skip, "this machine does not run systemd");
    let mut error = check(
        "daemon",
        Status::Error,
        "cannot reach the Docker daemon at unix:///nowhere.sock: no socket",
    );
    error.kind = "daemon".into();
    error.warnings.push("daemon.json:1:1: a BOM".into());
    let steps = vec![
        StepResult {
            id: "pull-latest".into(),
            title: "Pull tomcat".into(),
            status: Status::Pass,
            points: 1,
            commands: vec!["docker pull tomcat".into()],
            checks: vec![pulled],
        },
        StepResult {
            id: "tag".into(),
            title: "Tag it".into(),
            status: Status::Fail,
            points: 1,
            commands: vec!["docker tag tomcat:8.0 mytomcat:8.0".into()],
            checks: vec![tagged],
        },
        StepResult {
            id: "service".into(),
            title: "Service".into(),
            status: Status::Skip,
            points: 1,
            commands: vec![],
            checks: vec![skipped],
        },
        StepResult {
            id: "daemon".into(),
            title: "Daemon".into(),
            status: Status::Error,
            points: 1,
            commands: vec![],
            checks: vec![error],
        },
    ];
    Report {
        schema: SCHEMA,
        lang,
        tasks: vec![TaskResult::new(
            "task3".into(),
            "Explore images".into(),
            4,
            steps,
        )],
        warnings: vec!["journal.jsonl:3: skipped a torn last line".into()],
    }
}
