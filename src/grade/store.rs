//! The output folder of a grading run:
//!
//! ```text
//! DIR/run.json                     what is graded (course, tasks)
//! DIR/students/<id>/result.json    the host's outcome and scores (written last)
//! DIR/students/<id>/report.json    the `lab check --format json` report
//! DIR/students/<id>/evidence/      images, containers, events, daemon.json, journal
//! DIR/gradebook.csv, canvas.csv, moodle.csv, junit.xml, summary.html
//! ```
//!
//! Invariants: every file appears whole or not at all (written beside, then
//! renamed); a student's folder is replaced in one rename, its result.json
//! inside it, so a host counts as done exactly when its folder is there;
//! one run at a time holds `DIR/.lock`.
//!
//! `--regrade` grades into `DIR/.regrade/` (its own run.json and
//! students/) and replaces `DIR/students` and `DIR/run.json` only once
//! every host is done ([`Store::commit`]): an interrupted `--regrade`
//! leaves the previous results as they were, and the same command resumes
//! the staging folder. A swap cut short (a crash between its renames) is
//! finished by the next `open`.

use super::outcome::{Finished, Record};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `run.json`: a folder holds the grading of one set of tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub course: String,
    pub tasks: Vec<String>,
    /// `--deadline`, as `YYYY-MM-DDTHH:MM:SSZ`: a folder holds one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
}

impl Manifest {
    /// How a refusal names what a folder grades.
    fn describe(&self) -> String {
        let what = format!("{} of {}", self.tasks.join(" "), self.course);
        match &self.deadline {
            Some(d) => format!("{what}, deadline {d}"),
            None => what,
        }
    }
}

pub struct Store {
    dir: PathBuf,
    /// Where the students' folders are written: `DIR/students`, or the
    /// staging `DIR/.regrade/students` of a `--regrade`.
    students: PathBuf,
    _lock: File,
}

/// The staging folder of a `--regrade`.
const STAGING: &str = ".regrade";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use the output folder {path}: {message}")]
    Io { path: String, message: String },
    #[error("another `lab grade` is writing to {path}; wait for it, or choose another --out")]
    Busy { path: String },
    #[error("{path} holds the grading of {old}, not {new}; choose another --out, or pass --regrade to start over there")]
    OtherRun {
        path: String,
        old: String,
        new: String,
    },
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `bytes` to `path` whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

fn read_manifest(path: &Path) -> Option<Manifest> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

fn write_manifest(path: &Path, manifest: &Manifest) -> Result<(), StoreError> {
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| io_err(path, e))?;
    write_atomic(path, &text).map_err(|e| io_err(path, e))
}

fn remove_all(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path, e)),
        _ => Ok(()),
    }
}

/// The end of a regrade's swap, once `DIR/students` was moved to
/// `DIR/.regrade/previous` (by [`Store::commit`], or by a run that stopped
/// there): the staged students take its place, then the staged run.json,
/// then the staging folder goes.
fn finish_swap(dir: &Path) -> Result<(), StoreError> {
    let staging = dir.join(STAGING);
    if !staging.join("previous").exists() {
        return Ok(());
    }
    let live = dir.join("students");
    let staged = staging.join("students");
    if staged.exists() {
        remove_all(&live)?;
        std::fs::rename(&staged, &live).map_err(|e| io_err(&live, e))?;
    }
    let run = staging.join("run.json");
    if let Some(m) = read_manifest(&run) {
        write_manifest(&dir.join("run.json"), &m)?;
    }
    remove_all(&staging)
}

impl Store {
    /// Opens (creating) `dir` for `manifest`. With `regrade`, results go
    /// to the staging folder (resumed if it holds the same tasks) and the
    /// earlier results stay until [`Store::commit`]; else they must be of
    /// the same tasks.
    pub fn open(dir: &Path, manifest: &Manifest, regrade: bool) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir.join("students")).map_err(|e| io_err(dir, e))?;
        let lock_path = dir.join(".lock");
        let lock = File::create(&lock_path).map_err(|e| io_err(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Busy {
                    path: dir.display().to_string(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err(&lock_path, e)),
        }
        finish_swap(dir)?;
        let run = dir.join("run.json");
        if regrade {
            let staging = dir.join(STAGING);
            if read_manifest(&staging.join("run.json")).as_ref() != Some(manifest) {
                // Another set of tasks, or nothing staged: start afresh.
                remove_all(&staging)?;
            }
            let students = staging.join("students");
            std::fs::create_dir_all(&students).map_err(|e| io_err(&students, e))?;
            write_manifest(&staging.join("run.json"), manifest)?;
            return Ok(Store {
                dir: dir.to_path_buf(),
                students,
                _lock: lock,
            });
        }
        if let Some(old) = read_manifest(&run).filter(|old| old != manifest) {
            return Err(StoreError::OtherRun {
                path: dir.display().to_string(),
                old: old.describe(),
                new: manifest.describe(),
            });
        }
        write_manifest(&run, manifest)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            students: dir.join("students"),
            _lock: lock,
        })
    }

    /// Whether results go to a `--regrade`'s staging folder.
    pub fn staging(&self) -> bool {
        self.students != self.dir.join("students")
    }

    /// Ends a `--regrade`: its students replace the earlier ones, and its
    /// manifest `run.json`. Nothing to do for another run.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        if !self.staging() {
            return Ok(());
        }
        let staging = self.dir.join(STAGING);
        let previous = staging.join("previous");
        remove_all(&previous)?;
        let live = self.dir.join("students");
        std::fs::rename(&live, &previous).map_err(|e| io_err(&live, e))?;
        finish_swap(&self.dir)?;
        self.students = live;
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn student_dir(&self, id: &str) -> PathBuf {
        self.students.join(id)
    }

    /// Records of the hosts already done, by student id.
    pub fn records(&self) -> BTreeMap<String, Record> {
        let mut out = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir(&self.students) else {
            return out;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let record: Option<Record> = std::fs::read(e.path().join("result.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            if let Some(r) = record {
                out.insert(name, r);
            }
        }
        out
    }

    /// The report saved for a graded student.
    pub fn report(&self, id: &str) -> Option<Report> {
        let bytes = std::fs::read(self.student_dir(id).join("report.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Saves one host's results: built in a hidden folder, then swapped in.
    pub fn save(
        &self,
        done: &Finished,
        evidence: &[(&'static str, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let id = &done.record.student_id;
        let final_dir = self.student_dir(id);
        let tmp = self.students.join(format!(".{id}.new"));
        let old = self.students.join(format!(".{id}.old"));
        let build = || -> std::io::Result<()> {
            let _ = std::fs::remove_dir_all(&tmp);
            std::fs::create_dir_all(tmp.join("evidence"))?;
            if let Some(report) = &done.report {
                std::fs::write(
                    tmp.join("report.json"),
                    report.render(crate::report::Format::Json, false),
                )?;
            }
            for (name, text) in evidence {
                std::fs::write(tmp.join("evidence").join(name), text)?;
            }
            let record = serde_json::to_vec_pretty(&done.record)?;
            let mut f = File::create(tmp.join("result.json"))?;
            f.write_all(&record)?;
            f.sync_all()?;
            let _ = std::fs::remove_dir_all(&old);
            if final_dir.exists() {
                std::fs::rename(&final_dir, &old)?;
            }
            std::fs::rename(&tmp, &final_dir)?;
            let _ = std::fs::remove_dir_all(&old);
            Ok(())
        };
        build().map_err(|e| io_err(&final_dir, e))
    }

    /// Writes a class-wide file (gradebook, summary) atomically.
    pub fn write(&self, name: &str, text: &str) -> Result<PathBuf, StoreError> {
        let path = self.dir.join(name);
        write_atomic(&path, text.as_bytes()).map_err(|e| io_err(&path, e))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::outcome::{HostOutcome, Record};

    fn manifest(task: &str) -> Manifest {
        Manifest {
            schema: 1,
            course: "c".into(),
            tasks: vec![task.into()],
            deadline: None,
        }
    }

    fn done(id: &str, outcome: HostOutcome) -> Finished {
        Finished {
            record: Record {
                schema: 1,
                student_id: id.into(),
                name: id.into(),
                host: "ssh://h:22".into(),
                outcome,
                detail: None,
                at: 1,
                seconds: 1.0,
                scores: Default::default(),
                total: None,
                max_total: 6,
                journal: None,
                flags: Vec::new(),
                identity: None,
            },
            report: None,
        }
    }

    #[test]
    fn a_regrade_replaces_the_results_only_when_committed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let store = Store::open(dir, &manifest("task3"), false).unwrap();
        store.save(&done("s01", HostOutcome::Graded), &[]).unwrap();
        drop(store);
        // Interrupted: staged, never committed; the old results stay.
        let store = Store::open(dir, &manifest("task2"), true).unwrap();
        assert!(store.records().is_empty(), "a regrade starts empty");
        store.save(&done("s02", HostOutcome::Error), &[]).unwrap();
        drop(store);
        let old = Store::open(dir, &manifest("task3"), false).unwrap();
        assert_eq!(old.records().keys().collect::<Vec<_>>(), ["s01"]);
        drop(old);
        // The same regrade resumes its staging folder, then commits.
        let mut store = Store::open(dir, &manifest("task2"), true).unwrap();
        assert_eq!(store.records().keys().collect::<Vec<_>>(), ["s02"]);
        store.commit().unwrap();
        assert_eq!(store.records().keys().collect::<Vec<_>>(), ["s02"]);
        assert!(!dir.join(STAGING).exists());
        assert_eq!(
            read_manifest(&dir.join("run.json")),
            Some(manifest("task2"))
        );
    }

    #[test]
    fn a_swap_cut_short_is_finished_by_the_next_open() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        drop(Store::open(dir, &manifest("task3"), false).unwrap());
        let store = Store::open(dir, &manifest("task2"), true).unwrap();
        store.save(&done("s09", HostOutcome::Graded), &[]).unwrap();
        drop(store);
        // The crash: students/ moved aside, the staged ones not yet in.
        std::fs::rename(dir.join("students"), dir.join(STAGING).join("previous")).unwrap();
        let store = Store::open(dir, &manifest("task2"), false).unwrap();
        assert_eq!(store.records().keys().collect::<Vec<_>>(), ["s09"]);
        assert!(!dir.join(STAGING).exists());
    }
}
