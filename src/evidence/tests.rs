//! The journal as a learner's tools and mistakes meet it: appended and read
//! back, copied, edited, cut, damaged.

use super::*;
use crate::lang::Lang;
use crate::report::{Evidence, Status, TaskStatus};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn here() -> Binding {
    Binding::new(Some("machine-A".into()), Some("daemon-A".into()))
}

fn check_entry(at: i64, check: &str) -> Entry {
    Entry::Check {
        at,
        task: "task3".into(),
        step: "pull".into(),
        check: check.into(),
        detail: "tomcat:latest present".into(),
    }
}

fn quiz_entry(passed: bool) -> Entry {
    Entry::Quiz {
        at: 5,
        task: "task1".into(),
        score: if passed { 3 } else { 1 },
        max_score: 3,
        passed,
        right: Vec::new(),
    }
}

/// A journal with `entries`, written on `here()`, one append each.
fn written(entries: &[Entry]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/lab/journal.jsonl");
    for e in entries {
        let j = Journal::open(path.clone(), here(), Lang::En);
        j.append(std::slice::from_ref(e)).unwrap();
    }
    (dir, path)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn rewrite(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn appended_entries_are_read_back_and_remembered() {
    let (_dir, path) = written(&[check_entry(1_700_000_000, "pulled")]);
    let j = Journal::open(path.clone(), here(), Lang::En);
    assert!(j.warnings.is_empty(), "{:?}", j.warnings);
    assert_eq!(j.health.state, JournalState::Ok);
    let o = j
        .remembered("task3", "pull", "pulled", Lang::En)
        .expect("remembered");
    assert_eq!(o.status, Status::Pass);
    assert!(matches!(o.evidence, Some(Evidence::Journal { .. })));
    assert!(j.remembered("task3", "pull", "other", Lang::En).is_none());
    assert!(
        j.remembered("task3", "tag", "pulled", Lang::En).is_none(),
        "scoped to its step"
    );
    let line = &lines(&path)[0];
    assert!(
        line.starts_with(r#"{"type":"check","at":1700000000,"#),
        "{line}"
    );
    assert!(line.contains(r#""mac":""#), "sealed: {line}");
}

#[test]
fn a_journal_copied_from_another_machine_counts_for_nothing_with_one_warning() {
    let (_dir, path) = written(&[check_entry(1, "a"), check_entry(2, "b"), quiz_entry(true)]);
    let elsewhere = Binding::new(Some("machine-B".into()), Some("daemon-A".into()));
    let j = Journal::open(path.clone(), elsewhere.clone(), Lang::En);
    assert!(j.entries().is_empty());
    assert!(j.quiz("task1", &[]).is_none());
    assert_eq!(
        j.warnings.len(),
        1,
        "one warning per journal: {:?}",
        j.warnings
    );
    let w = &j.warnings[0];
    assert!(w.contains("3 of 3 lines are ignored, from line 1"), "{w}");
    assert!(w.contains("another machine"), "{w}");
    assert_eq!(j.health.state, JournalState::Foreign);
    assert_eq!((j.health.ignored, j.health.from_line), (3, Some(1)));
    // What this machine appends next still counts here.
    j.append(&[check_entry(9, "c")]).unwrap();
    let j = Journal::open(path, elsewhere, Lang::ZhCn);
    assert_eq!(j.entries().len(), 1);
    assert!(j.warnings[0].contains("写于另一台机器"), "{:?}", j.warnings);
}

#[test]
fn a_journal_of_another_daemon_on_the_same_machine_is_foreign_too() {
    let (_dir, path) = written(&[check_entry(1, "a")]);
    let other = Binding::new(Some("machine-A".into()), Some("daemon-B".into()));
    let j = Journal::open(path, other, Lang::En);
    assert!(j.entries().is_empty());
    assert!(
        j.warnings[0].contains("another Docker daemon"),
        "{:?}",
        j.warnings
    );
    assert_eq!(j.health.state, JournalState::Foreign);
}

#[test]
fn hand_written_lines_of_the_old_format_are_ignored_and_said_to_be() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(
        &path,
        "{\"type\":\"quiz\",\"at\":1,\"task\":\"task1\",\"score\":3,\"max_score\":3,\"passed\":true}\n\
         {\"type\":\"task\",\"at\":1,\"task\":\"task3\",\"status\":\"pass\",\"score\":6,\"max_score\":6}\n",
    )
    .unwrap();
    let j = Journal::open(path, here(), Lang::En);
    assert!(j.quiz("task1", &[]).is_none());
    assert!(j.last_task("task3").is_none());
    assert_eq!(j.warnings.len(), 1, "{:?}", j.warnings);
    assert!(
        j.warnings[0].contains("2 lines, from line 1, written by an earlier version of lab before the journal was sealed, are ignored"),
        "{}",
        j.warnings[0]
    );
    assert_eq!(j.health.state, JournalState::Unsealed);
}

#[test]
fn a_quiz_line_edited_from_failed_to_passed_is_rejected_and_the_rest_kept() {
    let (_dir, path) = written(&[check_entry(1, "a"), quiz_entry(false), check_entry(3, "b")]);
    let mut ls = lines(&path);
    ls[1] = ls[1]
        .replace(r#""passed":false"#, r#""passed":true"#)
        .replace(r#""score":1"#, r#""score":3"#);
    rewrite(&path, &ls);
    let j = Journal::open(path, here(), Lang::En);
    assert!(
        j.quiz("task1", &[]).is_none(),
        "the edited line does not count"
    );
    assert_eq!(j.entries().len(), 2, "the lines around it still count");
    assert!(
        j.warnings[0].contains("1 of 3 lines are ignored, from line 2")
            && j.warnings[0].contains("edited by hand"),
        "{:?}",
        j.warnings
    );
    assert_eq!(j.health.state, JournalState::Edited);
}

#[test]
fn a_deleted_or_moved_line_costs_the_line_after_it() {
    let entries: Vec<Entry> = (1..=4).map(|i| check_entry(i, &format!("c{i}"))).collect();
    let (_dir, path) = written(&entries);
    let mut ls = lines(&path);
    ls.remove(1);
    rewrite(&path, &ls);
    let j = Journal::open(path.clone(), here(), Lang::En);
    let kept: Vec<i64> = j
        .entries()
        .iter()
        .map(|e| match e {
            Entry::Check { at, .. } => *at,
            _ => 0,
        })
        .collect();
    assert_eq!(kept, vec![1, 4], "line 3 followed the deleted line");
    assert!(j.warnings[0].contains("from line 2"), "{:?}", j.warnings);
    // Moving a line: both ends of the move break.
    let (_dir2, path2) = written(&entries);
    let mut ls = lines(&path2);
    ls.swap(0, 2);
    rewrite(&path2, &ls);
    let j = Journal::open(path2, here(), Lang::En);
    assert!(j.entries().len() < 4);
    assert_eq!(j.health.state, JournalState::Edited);
}

#[test]
fn a_copied_line_inserted_elsewhere_does_not_verify() {
    let (_dir, path) = written(&[check_entry(1, "a"), quiz_entry(true), check_entry(3, "b")]);
    let mut ls = lines(&path);
    let copy = ls[1].clone();
    ls.insert(0, copy);
    rewrite(&path, &ls);
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.health.ignored, 2, "{:?}", j.warnings);
}

#[test]
fn a_line_that_is_not_utf8_is_skipped_alone() {
    let (_dir, path) = written(&[
        check_entry(1, "a"),
        check_entry(2, "b"),
        check_entry(3, "c"),
    ]);
    let mut bytes = std::fs::read(&path).unwrap();
    let second = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    // Inside the detail text of line 2.
    let at = second + lines(&path)[1].find("tomcat").unwrap();
    bytes[at] = 0xff;
    std::fs::write(&path, bytes).unwrap();
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.entries().len(), 2, "lines 1 and 3 still count");
    assert_eq!(j.warnings.len(), 1, "{:?}", j.warnings);
    assert!(
        j.warnings[0].contains(":2: skipped an unreadable line (it is not UTF-8 text)"),
        "{}",
        j.warnings[0]
    );
    assert_eq!(j.health.state, JournalState::Damaged);
}

#[test]
fn a_torn_last_line_is_skipped_with_a_warning_and_not_glued_to() {
    let (_dir, path) = written(&[check_entry(1, "a")]);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"type\":\"check\",\"at\":2,\"ta").unwrap();
    let j = Journal::open(path.clone(), here(), Lang::En);
    assert_eq!(j.entries().len(), 1);
    assert_eq!(j.warnings.len(), 1);
    assert!(j.warnings[0].contains("torn last line"), "{:?}", j.warnings);
    assert_eq!(j.health.state, JournalState::Ok, "a crash is not tampering");
    j.append(&[check_entry(3, "b")]).unwrap();
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.entries().len(), 2, "the new entry starts on its own line");
    assert_eq!(
        j.warnings.len(),
        1,
        "the torn line is reported, now in the middle"
    );
}

#[test]
fn without_the_daemon_lines_bound_to_it_wait_and_new_ones_bind_to_the_machine() {
    let (_dir, path) = written(&[check_entry(1, "a")]);
    let down = Binding::new(Some("machine-A".into()), None);
    let j = Journal::open(path.clone(), down.clone(), Lang::En);
    assert!(j.entries().is_empty());
    assert!(
        j.warnings[0].contains("the Docker daemon did not answer"),
        "{:?}",
        j.warnings
    );
    assert_eq!(j.health.state, JournalState::Unverified);
    j.append(&[check_entry(2, "b")]).unwrap();
    assert!(
        !lines(&path)[1].contains(r#""d":"#),
        "bound to the machine only"
    );
    // Back with its daemon: both count.
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.entries().len(), 2, "{:?}", j.warnings);
    assert!(j.warnings.is_empty());
}

#[test]
fn a_journal_over_the_limit_is_read_from_its_end() {
    let (_dir, path) = written(&[
        check_entry(1, "old"),
        check_entry(2, "a"),
        check_entry(3, "b"),
    ]);
    let text = std::fs::read(&path).unwrap();
    // Padding before the real lines: the limit cuts through it.
    let mut big = vec![b' '; 9 << 20];
    big.push(b'\n');
    big.extend_from_slice(&text);
    let j = Journal::read_only("vm:journal", &big, None, here(), Lang::En);
    // The first whole line after the cut only starts the chain (the tag it
    // chains to was cut off): the two after it count.
    assert_eq!(j.entries().len(), 2, "{:?}", j.warnings);
    assert_eq!(j.warnings.len(), 1, "{:?}", j.warnings);
    assert!(j.remembered("task3", "pull", "b", Lang::En).is_some());
    assert!(
        j.warnings[0].contains("lab read only its last 4 MiB"),
        "{:?}",
        j.warnings
    );
    std::fs::write(&path, &big).unwrap();
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.entries().len(), 2);
}

#[test]
fn image_ids_come_from_the_newest_snapshot() {
    let snap = |at, id: &str| Entry::Images {
        at,
        refs: BTreeMap::from([("tomcat:8.0".into(), id.into())]),
    };
    let (_dir, path) = written(&[snap(1, "sha256:old"), snap(2, "sha256:new")]);
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.image_id("tomcat:8.0"), Some(("sha256:new", 2)));
    let fresh = j.new_refs(&BTreeMap::from([
        ("tomcat:8.0".into(), "sha256:new".into()),
        ("mytomcat:8.0".into(), "sha256:new".into()),
    ]));
    assert_eq!(fresh.keys().collect::<Vec<_>>(), vec!["mytomcat:8.0"]);
}

#[test]
fn a_task_status_is_typed_and_reads_what_earlier_versions_wrote() {
    let e = Entry::Task {
        at: 1,
        task: "task3".into(),
        status: TaskStatus::Pass,
        score: 6,
        max_score: 6,
    };
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains(r#""status":"pass""#), "{json}");
    for old in ["pass", "fail", "error"] {
        let line = format!(
            r#"{{"type":"task","at":1,"task":"t","status":"{old}","score":0,"max_score":1}}"#
        );
        assert!(serde_json::from_str::<Entry>(&line).is_ok(), "{old}");
    }
}

#[test]
fn a_journal_that_is_not_a_regular_file_is_neither_read_nor_written() {
    let j = Journal::open("/dev/full".into(), here(), Lang::En);
    assert_eq!(j.health.state, JournalState::Unreadable);
    assert!(
        j.warnings[0].contains("character device"),
        "{:?}",
        j.warnings
    );
    assert!(
        j.append(&[check_entry(1, "a")]).is_ok(),
        "nothing to write to"
    );
}

#[test]
fn a_line_made_lossy_on_the_way_from_a_vm_is_damage_not_an_edit() {
    let (_dir, path) = written(&[check_entry(1, "a"), check_entry(2, "b")]);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = lines(&path)[0].find("tomcat").unwrap();
    bytes[at] = 0xff;
    // What `Read::text` hands over: text, the bad byte replaced.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let j = Journal::read_only("vm:journal", text.as_bytes(), None, here(), Lang::En);
    assert_eq!(j.entries().len(), 1, "{:?}", j.warnings);
    assert_eq!(j.health.state, JournalState::Damaged);
    assert!(j.warnings[0].contains(":1: skipped an unreadable line (it is not UTF-8 text)"));
}

#[test]
fn two_runs_appending_at_once_keep_the_chain_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let runs: Vec<_> = (0..2)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let j = Journal::open(path.clone(), here(), Lang::En);
                    j.append(&[check_entry(t * 100 + i, "c")]).unwrap();
                }
            })
        })
        .collect();
    for r in runs {
        r.join().unwrap();
    }
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.entries().len(), 80, "{:?}", j.warnings);
    assert!(j.warnings.is_empty());
}

#[test]
fn a_machine_without_a_machine_id_is_said_to_be_bound_to_its_daemon_only() {
    let daemon_only = Binding::new(None, Some("daemon-A".into()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    Journal::open(path.clone(), daemon_only.clone(), Lang::En)
        .append(&[check_entry(1, "a")])
        .unwrap();
    let j = Journal::open(path.clone(), daemon_only, Lang::En);
    assert_eq!(j.entries().len(), 1);
    assert!(
        j.warnings[0].contains("neither /etc/machine-id nor /var/lib/dbus/machine-id exists"),
        "{:?}",
        j.warnings
    );
    // On a machine that has an id, such a line is another machine's.
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.health.state, JournalState::Foreign);
}

#[test]
fn many_damaged_lines_make_a_few_warnings_not_one_each() {
    let (_dir, path) = written(&[check_entry(1, "a")]);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    for _ in 0..50 {
        std::io::Write::write_all(&mut f, b"\xff\xfe garbage\n").unwrap();
    }
    let j = Journal::open(path, here(), Lang::En);
    assert_eq!(j.entries().len(), 1);
    assert_eq!(j.warnings.len(), 4, "{:?}", j.warnings);
    assert!(j.warnings[3].contains("47 more unreadable lines skipped"));
    assert_eq!((j.health.ignored, j.health.from_line), (50, Some(2)));
}

/// The fuzz target's seed journal (`fuzz/corpus/journal/sealed.jsonl`):
/// every kind of entry, sealed to the binding the target reads with, so it
/// verifies (`LAB_BLESS=1` rewrites it).
#[test]
fn the_fuzz_seed_journal_is_every_entry_sealed_to_the_fuzz_binding() {
    assert_eq!(
        (crate::fuzz::MACHINE, crate::fuzz::DAEMON),
        ("machine-A", "daemon-A"),
        "the seed is written with here()"
    );
    let event = crate::machine::DaemonEvent {
        kind: "image".into(),
        action: "pull".into(),
        actor: "tomcat:8.0".into(),
        attributes: BTreeMap::from([("name".into(), "tomcat".into())]),
        time_nano: 1_700_000_000_000_000_000,
    };
    let entries = [
        check_entry(1_700_000_000, "pulled"),
        Entry::Step {
            at: 1_700_000_001,
            task: "task3".into(),
            step: "pull".into(),
        },
        Entry::Task {
            at: 1_700_000_002,
            task: "task3".into(),
            status: TaskStatus::Pass,
            score: 6,
            max_score: 6,
        },
        quiz_entry(true),
        Entry::Images {
            at: 1_700_000_003,
            refs: BTreeMap::from([("tomcat:8.0".into(), "sha256:ab12".into())]),
        },
        Entry::Events {
            at: 1_700_000_004,
            events: vec![event],
        },
    ];
    let (_dir, path) = written(&entries);
    let bytes = std::fs::read(&path).unwrap();
    let j = Journal::read_only("seed", &bytes, None, here(), Lang::En);
    assert_eq!(j.entries().len(), entries.len(), "{:?}", j.warnings);
    crate::golden::check("fuzz/corpus/journal/sealed.jsonl", &bytes);
}

#[test]
fn a_deadline_cuts_what_was_recorded_after_it_and_events_by_their_own_time() {
    let event = |t: i64| crate::machine::DaemonEvent {
        kind: "image".into(),
        action: "pull".into(),
        actor: format!("tomcat:{t}"),
        attributes: Default::default(),
        time_nano: t * 1_000_000_000,
    };
    let (_dir, path) = written(&[
        check_entry(100, "before"),
        check_entry(300, "after"),
        // Recorded after the deadline, one of them seen before it.
        Entry::Events {
            at: 400,
            events: vec![event(150), event(250)],
        },
        Entry::Events {
            at: 500,
            events: vec![event(350)],
        },
    ]);
    let mut j = Journal::open(path, here(), Lang::En);
    j.cut_at(200 * 1_000_000_000);
    assert!(j.passed_before("task3", "pull", "before"));
    assert!(!j.passed_before("task3", "pull", "after"));
    let actors: Vec<&str> = j.events().map(|e| e.actor.as_str()).collect();
    assert_eq!(actors, vec!["tomcat:150"]);
}

fn attempt(at: i64, passed: bool, right: &[&str]) -> Entry {
    Entry::Quiz {
        at,
        task: "task5".into(),
        score: right.len() as u32,
        max_score: 4,
        passed,
        right: right.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn a_step_gets_the_last_passed_attempt_with_its_questions_right() {
    let (_dir, path) = written(&[
        attempt(1, true, &["ports", "layers", "search"]),
        attempt(2, true, &["layers", "search", "practices"]),
        attempt(3, false, &["ports"]),
    ]);
    let j = Journal::open(path, here(), Lang::En);
    let at = |e: Option<&Entry>| match e {
        Some(Entry::Quiz { at, .. }) => *at,
        _ => 0,
    };
    // The ports question was right only in the first attempt.
    assert_eq!(at(j.quiz("task5", &["ports".into()])), 1);
    // Without questions: the last passed attempt.
    assert_eq!(at(j.quiz("task5", &[])), 2);
    // No passed attempt has `practices` and `ports` right: the last passed one,
    // which the check then reports as missing a question.
    assert_eq!(
        at(j.quiz("task5", &["ports".into(), "practices".into()])),
        2
    );
    assert!(j.quiz("task1", &[]).is_none());
}
