//! `lab grade` against the simulated class of `scripts/gradebed up`: each
//! student VM is a network namespace with its own sshd and dockerd, in a
//! known state (task done, half done, full-width daemon.json, fresh), plus a
//! host that refuses connections, one that drops them, one that refuses our
//! key, and a student with hostile values in the roster. Grading only
//! reads, so every test shares the one class.

use crate::harness::{gradebed, leftover_ssh, Done, Lab};
use lab::golden;
use lab::report::{Report, Status};
use std::path::{Path, PathBuf};

/// One of the bed's other rosters (`hostile.csv`, ...).
fn bed_roster(name: &str) -> PathBuf {
    let roster = gradebed().join(name);
    assert!(
        roster.is_file(),
        "{}: gradebed too old: scripts/gradebed up",
        roster.display()
    );
    roster
}

/// `lab grade` on the class roster, verifying host keys against the bed's
/// known_hosts, short timeouts (the blackholed host waits for them).
fn grade(out: &Path, extra: &[&str]) -> Done {
    grade_roster(&gradebed().join("roster.csv"), out, extra)
}

/// `grade` with another roster (the class's VMs, other columns).
fn grade_roster(roster: &Path, out: &Path, extra: &[&str]) -> Done {
    let bed = gradebed();
    let roster = roster.display().to_string();
    let known = format!("UserKnownHostsFile={}", bed.join("known_hosts").display());
    let out = out.display().to_string();
    let home = tempfile::tempdir().expect("temp home");
    let mut lab = Lab::new(home.path()).args([
        "--timeout",
        "3",
        "grade",
        "--roster",
        &roster,
        "--out",
        &out,
        "--ssh-option",
        &known,
    ]);
    for a in extra {
        lab = lab.args([a]);
    }
    lab.run()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The class roster with the LMS identifier columns added (username,
/// email, idnumber made from each student id), written in `dir`.
fn with_lms_ids(roster: &Path, dir: &Path) -> PathBuf {
    let mut reader = csv::Reader::from_path(roster).expect("the bed's roster");
    let path = dir.join("roster-lms.csv");
    let mut w = csv::Writer::from_path(&path).expect("write the roster");
    let mut head = reader.headers().expect("a header").clone();
    head.extend(["username", "email", "idnumber"]);
    w.write_record(&head).expect("write");
    for row in reader.records() {
        let mut row = row.expect("a row");
        let id = row[0].to_string();
        let email = format!("{id}@class.example.edu");
        let idnumber = format!("2026{}", id.trim_start_matches('s'));
        row.extend([format!("u{id}"), email, idnumber]);
        w.write_record(&row).expect("write");
    }
    w.flush().expect("flush");
    path
}

fn record(out: &Path, id: &str) -> serde_json::Value {
    serde_json::from_str(&read(out.join("students").join(id).join("result.json")))
        .expect("result.json is JSON")
}

#[test]
fn the_class_gets_an_exact_gradebook_and_every_host_an_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    let _ = std::fs::remove_file("/tmp/lab-pwned");
    let roster = with_lms_ids(&gradebed().join("roster.csv"), tmp.path());
    let run = grade_roster(&roster, &out, &["task2", "task3"]);
    // Some hosts could not be graded: 3, and the summary names them.
    run.code(3)
        .stdout_has("graded 5 of 8 hosts")
        .stdout_has("s05          unreachable")
        .stdout_has("s06          timed_out")
        .stdout_has("s07          auth_failed")
        .stdout_has("--retry-failed")
        .stdout_has(
            "canvas.csv and moodle.csv have no row for 3 (not graded), so the LMS keeps their grades: s05, s06, s07",
        );
    for file in ["gradebook.csv", "canvas.csv", "moodle.csv"] {
        golden::check(golden::file(&format!("grade/{file}")), read(out.join(file)));
    }
    for (id, outcome) in [
        ("s01", "graded"),
        ("s02", "graded"),
        ("s03", "graded"),
        ("s04", "graded"),
        ("s05", "unreachable"),
        ("s06", "timed_out"),
        ("s07", "auth_failed"),
        ("s08", "graded"),
    ] {
        assert_eq!(record(&out, id)["outcome"], outcome, "{id}");
    }
    // No VM has a journal: the record says so (verified against each VM's
    // own machine-id and daemon ID when there is one).
    assert_eq!(record(&out, "s01")["journal"]["state"], "absent");
    // s08 is s01's VM handed in again: the gradebook flags each as the
    // other's copy on everything that tells VMs apart; no one else.
    let book = read(out.join("gradebook.csv"));
    let row = |id: &str| {
        book.lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row("s01").contains(",task2:skipped copy:s08:machine+daemon+containers,"),
        "{}",
        row("s01")
    );
    assert!(
        row("s08").contains(",task2:skipped copy:s01:machine+daemon+containers,"),
        "{}",
        row("s08")
    );
    for id in ["s02", "s03", "s04"] {
        assert!(!row(id).contains("copy:"), "{id}: its own VM: {}", row(id));
        let identity = &record(&out, id)["identity"];
        assert_eq!(identity["machine"].as_str().map(str::len), Some(16), "{id}");
        assert_eq!(identity["daemon"].as_str().map(str::len), Some(16), "{id}");
    }
    // The hostile name and key path were never run by a shell.
    assert!(!Path::new("/tmp/lab-pwned").exists());
    // The per-student report is `lab check --format json`'s document.
    let s03: Report = serde_json::from_str(&read(out.join("students/s03/report.json"))).unwrap();
    assert_eq!(s03.schema, 1);
    let valid_json = &s03.tasks[0]
        .steps
        .iter()
        .find(|s| s.id == "mirror-config")
        .unwrap()
        .checks[0];
    assert_eq!(valid_json.status, Status::Fail);
    assert!(
        valid_json.message.contains("curly opening quote"),
        "{valid_json:?}"
    );
    // Evidence to review a verdict without the VM.
    let ev = out.join("students/s01/evidence");
    assert!(read(ev.join("images.json")).contains("hello-world:latest"));
    assert!(read(ev.join("events.json")).contains("\"pull\""));
    assert!(read(ev.join("daemon.json")).contains("registry-mirrors"));
    assert!(read(out.join("students/s03/evidence/daemon.json")).contains('“'));
    assert!(out
        .join("students/s04/evidence/daemon.json.missing")
        .is_file());
    // The commands the verdicts rest on: the shell history as typed (s01
    // has no shell integration, so no command log, and says so).
    assert!(read(ev.join("bash_history")).contains("docker pull tomcat"));
    assert!(read(ev.join("commands.jsonl.missing")).contains("did not exist on the VM"));
    // JUnit: a suite per student and task, an errored one per lost host.
    let junit = read(out.join("junit.xml"));
    assert!(junit.contains("<testsuite name=\"s01/task3\""));
    assert!(junit.contains("<testsuite name=\"s07\" tests=\"1\" failures=\"0\" errors=\"1\""));
    // ... valid against Jenkins' schema, as xmllint reads it.
    if let Some(why) = crate::formats::xmllint_problems(&out.join("junit.xml")) {
        panic!("junit.xml is not valid JUnit:\n{why}");
    }
    // The class summary: what the class fails most comes first.
    let html = read(out.join("summary.html"));
    let first = html
        .find("<code>task3/tag/same-image</code>")
        .expect("tag check listed");
    let last = html
        .find("<code>task2/install/docker-client</code>")
        .expect("client check listed");
    assert!(first < last, "lowest pass rate first");
    assert!(html.contains("O&#39;Brien &quot;Bobby&quot;; $(touch /tmp/lab-pwned)"));
    // Links only to reports that exist; the hosts not graded are listed
    // first, as left out of the LMS files.
    for id in ["s01", "s02", "s03", "s04", "s08"] {
        assert!(out.join(format!("students/{id}/report.json")).is_file());
        assert!(
            html.contains(&format!("href=\"students/{id}/report.json\"")),
            "{id}"
        );
    }
    for id in ["s05", "s06", "s07"] {
        assert!(!out.join(format!("students/{id}/report.json")).exists());
        assert!(
            !html.contains(&format!("students/{id}/report.json")),
            "{id}"
        );
    }
    assert!(html.contains("Left out of the LMS files (3)"));
    assert!(html.contains(r#"id="distribution""#));
}

#[test]
fn a_second_run_resumes_and_retry_failed_grades_only_the_lost_hosts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    grade(&out, &["task3"]).code(3);
    let before = std::fs::metadata(out.join("students/s01/result.json"))
        .unwrap()
        .modified()
        .unwrap();
    grade(&out, &["task3"])
        .code(3)
        .stderr_has("8 of 8 hosts are already done")
        .stdout_has("graded 5 of 8 hosts")
        .stdout_has("(0 in this run, 5 from before); 3 could not be graded:");
    let retried = grade(&out, &["task3", "--retry-failed"]);
    retried.code(3).stdout_has("(0 in this run, 5 from before)");
    let attempted: Vec<&str> = retried
        .stderr
        .lines()
        .filter(|l| l.starts_with('['))
        .collect();
    assert_eq!(attempted.len(), 3, "{attempted:?}");
    let after = std::fs::metadata(out.join("students/s01/result.json"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "a graded host is not graded again");
    // Another set of tasks in the same folder is refused, not mixed in.
    grade(&out, &["task2"])
        .code(2)
        .stderr_has("holds the grading of task3")
        .stderr_has("--regrade");
}

/// `lab grade task3` on the class, in a process group of its own (as a
/// shell runs a command), with a timeout long enough to keep the
/// blackholed s06 in flight while the other hosts finish.
fn spawn_grade(out: &Path, home: &Path, extra: &[&str]) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let bed = gradebed();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lab"));
    for k in crate::harness::SCRUBBED_ENV {
        cmd.env_remove(k);
    }
    cmd.env("HOME", home)
        .env("NO_COLOR", "1")
        .args(["--timeout", "30", "grade", "task3", "--roster"])
        .arg(bed.join("roster.csv"))
        .arg("--out")
        .arg(out)
        .arg("--ssh-option")
        .arg(format!(
            "UserKnownHostsFile={}",
            bed.join("known_hosts").display()
        ))
        .args(extra)
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start lab grade")
}

/// The students' folders in `dir` (hidden work folders left out).
fn folders(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Waits until every host but the blackholed s06 is saved in `dir`.
fn wait_for_fast_hosts(dir: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(25);
    while folders(dir).len() < 7 {
        assert!(
            std::time::Instant::now() < deadline,
            "the fast hosts did not finish: {:?}",
            folders(dir)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !folders(dir).contains(&"s06".to_string()),
        "s06 is blackholed"
    );
}

/// Ctrl-C as a terminal sends it: to the whole foreground process group.
fn ctrl_c(child: std::process::Child) -> (std::process::Output, u32) {
    let pid = child.id();
    let ok = std::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{pid}")])
        .status()
        .expect("run kill");
    assert!(ok.success());
    (child.wait_with_output().expect("wait for lab"), pid)
}

#[test]
fn ctrl_c_never_saves_a_host_in_flight_and_the_same_command_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    let child = spawn_grade(&out, tmp.path(), &[]);
    wait_for_fast_hosts(&out.join("students"));
    let (done, pid) = ctrl_c(child);
    let stdout = String::from_utf8_lossy(&done.stdout);
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stdout.contains("interrupted: 1 hosts not graded, run the same command again to finish"),
        "{stdout}"
    );
    // s06 was in flight: no folder, so not done; its ssh is gone with lab.
    assert!(!out.join("students/s06").exists(), "{stdout}{stderr}");
    assert_eq!(folders(&out.join("students")).len(), 7);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !leftover_ssh(pid).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "ssh outlived lab: {:?}",
            leftover_ssh(pid)
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The finished hosts count: 5 graded, 2 could not be graded.
    assert!(
        stdout.contains("graded 5 of 8 hosts") && stdout.contains("2 could not be graded"),
        "{stdout}"
    );
    assert_eq!(record(&out, "s01")["outcome"], "graded");
    assert_eq!(record(&out, "s05")["outcome"], "unreachable");
    // The class files cover what is done; s06 has no result yet.
    let book = read(out.join("gradebook.csv"));
    let s06 = book
        .lines()
        .find(|l| l.starts_with("s06,"))
        .expect("s06 row");
    assert!(s06.contains(",not_graded,"), "{s06}");
    assert!(book
        .lines()
        .any(|l| l.starts_with("s01,") && l.contains(",graded,")));
    // The same command grades only s06.
    let resumed = grade(&out, &["task3"]);
    resumed
        .code(3)
        .stderr_has("7 of 8 hosts are already done")
        .stdout_has("graded 5 of 8 hosts");
    let attempted: Vec<&str> = resumed
        .stderr
        .lines()
        .filter(|l| l.starts_with('['))
        .collect();
    assert_eq!(attempted.len(), 1, "{attempted:?}");
    assert!(attempted[0].contains("s06"), "{attempted:?}");
    assert_eq!(record(&out, "s06")["outcome"], "timed_out");
}

#[test]
fn sigterm_stops_the_run_like_ctrl_c_with_exit_143() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    let child = spawn_grade(&out, tmp.path(), &[]);
    wait_for_fast_hosts(&out.join("students"));
    // `kill PID`, as a service manager stops lab: lab alone gets it.
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill")
        .success());
    let done = child.wait_with_output().expect("wait for lab");
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert_eq!(done.status.code(), Some(143), "{stdout}");
    assert!(
        stdout.contains("interrupted: 1 hosts not graded"),
        "{stdout}"
    );
    assert!(!out.join("students/s06").exists());
    assert_eq!(folders(&out.join("students")).len(), 7);
}

/// Every file under `dir`, path → bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read a folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).expect("under dir").to_path_buf(),
                    std::fs::read(&p).expect("read a file"),
                );
            }
        }
    }
    out
}

#[test]
fn an_interrupted_regrade_leaves_the_previous_results_as_they_were() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    grade(&out, &["task3"]).code(3);
    let students = tree(&out.join("students"));
    let book = read(out.join("gradebook.csv"));
    let run = read(out.join("run.json"));
    assert!(students.contains_key(Path::new("s01/result.json")));
    let child = spawn_grade(&out, tmp.path(), &["--regrade"]);
    wait_for_fast_hosts(&out.join(".regrade/students"));
    let (done, _) = ctrl_c(child);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert_eq!(
        done.status.code(),
        Some(130),
        "{stdout}{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(stdout.contains("the previous results in"), "{stdout}");
    assert!(
        stdout.contains("run the same command again to finish"),
        "{stdout}"
    );
    assert!(tree(&out.join("students")) == students, "students/ changed");
    assert_eq!(read(out.join("gradebook.csv")), book);
    assert_eq!(read(out.join("run.json")), run);
    // The same command finishes the regrade: only s06 is left, then the
    // new results replace the old ones.
    let finished = grade(&out, &["task3", "--regrade"]);
    finished
        .code(3)
        .stderr_has("already regraded 7 of 8 hosts")
        .stdout_has("graded 5 of 8 hosts");
    assert!(!out.join(".regrade").exists(), "the staging folder is gone");
    let now = tree(&out.join("students"));
    assert_ne!(
        now.get(Path::new("s01/result.json")),
        students.get(Path::new("s01/result.json")),
        "s01 was regraded"
    );
    assert_eq!(record(&out, "s06")["outcome"], "timed_out");
    assert_eq!(read(out.join("gradebook.csv")).lines().count(), 9);
}

/// A roster of s01 alone (task 2 and 3 done).
fn one_student(dir: &Path) -> PathBuf {
    let roster = dir.join("one.csv");
    std::fs::write(
        &roster,
        format!(
            "student_id,name,host,port,user,identity_file\ns01,Ada,10.214.0.11,22,root,{}\n",
            gradebed().join("key").display()
        ),
    )
    .expect("write roster");
    roster
}

#[test]
fn the_docker_api_falls_back_to_dial_stdio_when_forwarding_is_off() {
    // The master forwards the VM's Docker socket; with forwardings cleared
    // (as a VM's `AllowStreamLocalForwarding no` would refuse them), the API
    // goes through `docker system dial-stdio`, with the same verdicts.
    let tmp = tempfile::tempdir().unwrap();
    let roster = one_student(tmp.path());
    let out = tmp.path().join("grades");
    let known = format!(
        "UserKnownHostsFile={}",
        gradebed().join("known_hosts").display()
    );
    Lab::new(tmp.path())
        .args([
            "grade",
            "task2",
            "task3",
            "--roster",
            roster.to_str().unwrap(),
        ])
        .args(["--out", out.to_str().unwrap(), "--ssh-option", &known])
        .args(["--ssh-option", "ClearAllForwardings=yes"])
        .run()
        .code(0)
        .stdout_has("graded 1 of 1 hosts");
    let book = read(out.join("gradebook.csv"));
    assert!(book.contains(",graded,6,6,12,14,task2:skipped,"), "{book}");
}

#[test]
fn host_keys_are_verified_unless_new_ones_are_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("known_hosts");
    std::fs::write(&empty, "").unwrap();
    let roster = one_student(tmp.path());
    let home = tempfile::tempdir().unwrap();
    let run = |out: &str, extra: &[&str]| {
        let mut lab = Lab::new(home.path()).args([
            "grade",
            "task3",
            "--roster",
            roster.to_str().unwrap(),
            "--out",
            tmp.path().join(out).to_str().unwrap(),
            "--ssh-option",
            &format!("UserKnownHostsFile={}", empty.display()),
        ]);
        for a in extra {
            lab = lab.args([a]);
        }
        lab.run()
    };
    run("strict", &[])
        .code(3)
        .stdout_has("s01          error")
        .stdout_has("Host key verification failed");
    run("tofu", &["--accept-new-host-keys"])
        .code(0)
        .stdout_has("graded 1 of 1 hosts");
    // (hashed, as Debian's ssh_config asks)
    assert!(!read(empty).trim().is_empty(), "the new key was recorded");
}

#[test]
fn roster_mistakes_are_reported_by_line_before_any_host_is_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("class.csv");
    std::fs::write(
        &roster,
        "student_id,name,host\ns01,Ada,10.214.0.11\ns02,Eve,10.214.0.12; touch /tmp/lab-pwned\n",
    )
    .unwrap();
    let out = tmp.path().join("grades");
    Lab::new(tmp.path())
        .args(["grade", "task3", "--roster", roster.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .run()
        .code(2)
        .stderr_has("class.csv:3: host `10.214.0.12; touch /tmp/lab-pwned` is not a host name");
    assert!(!out.exists(), "nothing is written for a bad roster");
}

#[test]
fn roster_mistakes_are_told_in_the_teachers_language() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("class.csv");
    let out = tmp.path().join("grades");
    let grade = |lang: &str, text: &str| {
        std::fs::write(&roster, text).unwrap();
        Lab::new(tmp.path())
            .args(["--lang", lang, "grade", "task3", "--roster"])
            .args([roster.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .run()
    };
    grade("zh-CN", "student_id,name,host\nS1,Ada,vm1\ns1,Eve,vm2\n")
        .code(2)
        .stderr_has("class.csv:3: 第 3 行的 s1 与第 2 行的 S1 是同一名学生");
    grade("en", "student_id,name,host,port\ns1,Ada,vm1,+22\n")
        .code(2)
        .stderr_has("class.csv:2: port `+22` is not a number from 1 to 65535");
    grade("en", "student_id,name,host,user\ns1,Ada,$(reboot),root\n")
        .code(2)
        .stderr_has("class.csv:2: host `$(reboot)` is not a host name: it contains `$`");
    assert!(!out.exists(), "nothing is written for a bad roster");
}

/// OWASP's CSV-injection examples as names: the gradebook gets them as
/// text (a leading `'`), and the LMS files leave out every student whose
/// host could not be graded. Hosts that refuse connections are enough to
/// write the class files, so no class is needed.
#[test]
fn roster_names_reach_the_spreadsheets_as_text_not_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = tmp.path().join("class.csv");
    let names = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
    ];
    let mut text = String::from("student_id,name,host,port\n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "s{i},\"{}\",127.0.0.1,1\n",
            n.replace('"', "\"\"")
        ));
    }
    std::fs::write(&roster, text).unwrap();
    let out = tmp.path().join("grades");
    Lab::new(tmp.path())
        .args(["--timeout", "3", "grade", "task3", "--roster"])
        .args([roster.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .run()
        .code(3)
        .stdout_has("graded 0 of 4 hosts")
        .stdout_has("canvas.csv and moodle.csv have no row for 4 (not graded)");
    let cells = |file: &str| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .from_path(out.join(file))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let book = cells("gradebook.csv");
    for (i, n) in names.iter().enumerate() {
        assert_eq!(book[i][1], format!("'{n}"), "gradebook.csv");
        assert_eq!(book[i][3], "unreachable");
    }
    // The Points Possible row only; no student row.
    assert_eq!(cells("canvas.csv").len(), 1);
    assert_eq!(cells("moodle.csv").len(), 0);
}

#[test]
fn grading_writes_nothing_on_the_vm_and_hostile_vars_stay_words() {
    let tmp = tempfile::tempdir().unwrap();
    let _ = std::fs::remove_file("/tmp/lab-pwned-var");
    grade(
        &tmp.path().join("grades"),
        &[
            "task3",
            "--var",
            "bash_history=/root/it's a $(touch /tmp/lab-pwned-var); `x`",
        ],
    )
    .code(3);
    assert!(!Path::new("/tmp/lab-pwned-var").exists());
    // The learner's journal folder is never created by the grader.
    let bed = gradebed();
    let vm_home = bed.join("vms/s01/home");
    assert!(
        !vm_home.join(".local/state/lab").exists(),
        "grading wrote a journal on the VM"
    );
}

#[test]
fn a_terminal_gets_a_progress_bar_with_counts() {
    // `script` gives lab a pseudo-terminal, as an instructor's shell would.
    let tmp = tempfile::tempdir().unwrap();
    let roster = one_student(tmp.path());
    let out = tmp.path().join("grades");
    let lab = format!(
        "{} grade task3 --roster {} --out {} --ssh-option UserKnownHostsFile={}",
        env!("CARGO_BIN_EXE_lab"),
        roster.display(),
        out.display(),
        gradebed().join("known_hosts").display()
    );
    let run = std::process::Command::new("script")
        .args(["-qec", &lab, "/dev/null"])
        .env("HOME", tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{text}");
    assert!(
        text.contains("\r\x1b[2K["),
        "no bar redrawn in place: {text:?}"
    );
    assert!(text.contains("1/1 · graded 1 · not graded 0"), "{text:?}");
    assert!(
        !text.contains("[1/1] graded"),
        "plain lines on a terminal: {text:?}"
    );
}

/// `lab grade -j 16` against the hostile VM (scripts/gradebed's h01: a
/// 420 MB history, 100 MB of command log, 60 MB of random journal, a FIFO
/// as daemon.json), sixteen rows at once: every row is graded, the FIFO is
/// named in the report, and the grader stays under 256 MiB of peak RSS
/// (measured by GNU time around the real binary).
#[test]
fn sixteen_hostile_vms_at_once_are_graded_within_256_mib() {
    let bed = gradebed();
    let roster = bed_roster("hostile.csv");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    let timing = tmp.path().join("time");
    let known = format!("UserKnownHostsFile={}", bed.join("known_hosts").display());
    let mut cmd = crate::harness::timed_lab(tmp.path(), &timing);
    let done = cmd
        .args([
            "--timeout",
            "20",
            "grade",
            "task2",
            "task3",
            "-j",
            "16",
            "--roster",
        ])
        .arg(&roster)
        .arg("--out")
        .arg(&out)
        .args(["--ssh-option", &known])
        .output()
        .expect("run lab grade under /usr/bin/time");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr)
    );
    let (secs, mib) = crate::harness::measured(&timing);
    eprintln!("lab grade -j 16, hostile VMs: {secs:.1} s, peak RSS {mib:.1} MiB");
    assert!(text.contains("graded 16 of 16 hosts"), "{text}");
    for i in 1..=16 {
        let id = format!("h{i:02}");
        assert_eq!(record(&out, &id)["outcome"], "graded", "{id}\n{text}");
    }
    let report = read(out.join("students/h01/report.json"));
    assert!(report.contains("a FIFO (named pipe)"), "{report}");
    // The evidence keeps the end of the history and command log, and says so.
    let ev = out.join("students/h01/evidence");
    assert!(read(ev.join("bash_history")).ends_with("docker pull tomcat\n"));
    assert!(read(ev.join("bash_history.cut")).contains("last 1 MiB"));
    assert!(read(ev.join("commands.jsonl.cut")).contains("last 1 MiB"));
    assert!(read(ev.join("daemon.json.error")).contains("a FIFO"));
    assert!(mib < 256.0, "peak RSS {mib:.1} MiB\n{text}");
}

/// VMs whose shell's `date` lies (k01 an hour ahead, k02 a year behind)
/// while their dockerd keeps the real clock: lab reads their events by the
/// daemon's own clock (`docker info`), so the events call neither waits for
/// an hour that has not come (it timed out) nor stops a year ago (the pulls
/// were missed). Both grade like s02, whose task3 has its two pulls.
#[test]
fn a_vm_whose_clock_lies_is_graded_by_its_daemons_clock() {
    let bed = gradebed();
    let roster = bed_roster("skewed.csv");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("grades");
    let known = format!("UserKnownHostsFile={}", bed.join("known_hosts").display());
    let started = std::time::Instant::now();
    Lab::new(tmp.path())
        .args(["--timeout", "10", "grade", "task2", "task3", "--roster"])
        .args([roster.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(["--ssh-option", &known])
        .run()
        .code(0)
        .stdout_has("graded 2 of 2 hosts");
    for id in ["k01", "k02"] {
        let r = record(&out, id);
        assert_eq!(r["outcome"], "graded", "{id}: {r}");
        assert_eq!(r["scores"]["task2"], 6, "{id}: {r}");
        assert_eq!(r["scores"]["task3"], 2, "{id}: {r}");
    }
    // No events call waited for its timeout.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// l01 pulled tomcat before the deadline and tomcat:8.0 after it, each
/// command in its command log (the shell integration's). With `--deadline`
/// the later pull does not count: neither its event nor the image it left
/// (the step's own command was typed after the deadline); the first still
/// does. The gradebook says who worked late, and from when; the evidence
/// keeps what came after. Without `--deadline`, both count.
#[test]
fn work_after_the_deadline_does_not_count_and_the_gradebook_says_so() {
    let bed = gradebed();
    let roster = bed_roster("late.csv");
    let deadline = read(bed.join("vms/l01/home/deadline")).trim().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let (late, free) = (tmp.path().join("late"), tmp.path().join("free"));
    grade_roster(&roster, &late, &["task3", "--deadline", &deadline])
        .code(0)
        .stdout_has("graded 1 of 1 hosts");
    grade_roster(&roster, &free, &["task3"]).code(0);
    assert_eq!(record(&free, "l01")["scores"]["task3"], 2, "both pulls");
    let r = record(&late, "l01");
    assert_eq!(r["scores"]["task3"], 1, "only the pull before: {r}");
    let report: Report =
        serde_json::from_str(&read(late.join("students/l01/report.json"))).unwrap();
    let step = |id: &str| {
        report.tasks[0]
            .steps
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(step("pull-latest").status, Status::Pass);
    let late_step = step("pull-8");
    assert_ne!(late_step.status, Status::Pass, "{late_step:?}");
    assert!(
        late_step
            .checks
            .iter()
            .any(|c| c.message.contains("typed after the deadline")),
        "{late_step:?}"
    );
    let warnings = report.warnings.join("\n");
    assert!(
        warnings.contains("worked on after the deadline"),
        "{warnings}"
    );
    assert!(warnings.contains("docker pull tomcat:8.0"), "{warnings}");
    let book = read(late.join("gradebook.csv"));
    assert!(book.contains(" late:20"), "{book}");
    let after = read(late.join("students/l01/evidence/after_deadline.json"));
    assert!(after.contains("tomcat:8.0"), "{after}");
    let events = read(late.join("students/l01/evidence/events.json"));
    assert!(
        !events.contains("tomcat:8.0"),
        "cut from what counts: {events}"
    );
    // A folder graded with one deadline is not resumed with another.
    grade_roster(
        &roster,
        &late,
        &["task3", "--deadline", "2026-01-01T00:00Z"],
    )
    .code(2)
    .stderr_has("deadline");
}
