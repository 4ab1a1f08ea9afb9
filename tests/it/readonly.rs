//! lab never changes the machine: a full `lab check --all` leaves images,
//! containers, the daemon's event buffer and daemon.json as they were.

use crate::bed::Daemon;
use crate::harness::Lab;

fn state(d: &Daemon) -> String {
    let images = d.docker(&[
        "images",
        "-a",
        "--no-trunc",
        "--digests",
        "--format",
        "{{.ID}} {{.Repository}}:{{.Tag}} {{.Digest}}",
    ]);
    // `.State`, not `.Status`: "Exited (0) 1 second ago" ages by itself.
    let containers = d.docker(&[
        "ps",
        "-a",
        "--no-trunc",
        "--format",
        "{{.ID}} {{.Image}} {{.State}} {{.Names}}",
    ]);
    let events = d.events();
    let config = std::fs::read(d.config_file()).expect("config");
    // Images created in the same second come in no fixed order.
    let mut images: Vec<String> = String::from_utf8_lossy(&images.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    images.sort();
    format!(
        "{}\n--\n{}\n--\n{}\n--\n{}",
        images.join("\n"),
        String::from_utf8_lossy(&containers.stdout),
        events,
        String::from_utf8_lossy(&config)
    )
}

#[test]
fn a_full_check_changes_nothing() {
    let d = Daemon::start();
    d.docker(&["pull", "tomcat:8.0"]);
    d.docker(&["tag", "tomcat:8.0", "mytomcat:8.0"]);
    d.docker(&["run", "hello-world"]);
    let before = state(&d);
    let done = Lab::on(&d).args(["--no-journal", "check", "--all"]).run();
    assert!(
        done.code == 1,
        "some checks fail on this half-done machine\n{}",
        done.stdout
    );
    let after = state(&d);
    assert_eq!(before, after, "lab check changed the machine");
    assert!(
        before.contains("mytomcat:8.0") && before.contains("image tag"),
        "the state compared is not empty:\n{before}"
    );
}
