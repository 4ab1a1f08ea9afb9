//! The output folder of a grading run:
//!
//! ```text
//! DIR/run.json                     what is graded (course, tasks)
//! DIR/students/<id>/result.json    the host's outcome and scores (written last)
//! DIR/students/<id>/report.json    the `lab check --format json` report
//! DIR/students/<id>/evidence/      images, containers, events, daemon.json, journal
//! DIR/gradebook.csv, lms.csv, junit.xml, summary.html
//! ```
//!
//! Invariants: every file appears whole or not at all (written beside, then
//! renamed); a student's folder is replaced in one rename, its result.json
//! inside it, so a host counts as done exactly when its folder is there;
//! one run at a time holds `DIR/.lock`.

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
}

pub struct Store {
    dir: PathBuf,
    _lock: File,
}

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

impl Store {
    /// Opens (creating) `dir` for `manifest`. With `regrade`, earlier
    /// results there are dropped; else they must be of the same tasks.
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
        let store = Store {
            dir: dir.to_path_buf(),
            _lock: lock,
        };
        let run = dir.join("run.json");
        let previous: Option<Manifest> = std::fs::read(&run)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        match previous {
            Some(old) if old != *manifest && !regrade => {
                return Err(StoreError::OtherRun {
                    path: dir.display().to_string(),
                    old: format!("{} of {}", old.tasks.join(" "), old.course),
                    new: format!("{} of {}", manifest.tasks.join(" "), manifest.course),
                })
            }
            _ => {}
        }
        if regrade {
            let students = dir.join("students");
            std::fs::remove_dir_all(&students).map_err(|e| io_err(&students, e))?;
            std::fs::create_dir_all(&students).map_err(|e| io_err(&students, e))?;
        }
        let text = serde_json::to_vec_pretty(manifest).map_err(|e| io_err(&run, e))?;
        write_atomic(&run, &text).map_err(|e| io_err(&run, e))?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn student_dir(&self, id: &str) -> PathBuf {
        self.dir.join("students").join(id)
    }

    /// Records of the hosts already done, by student id.
    pub fn records(&self) -> BTreeMap<String, Record> {
        let mut out = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir(self.dir.join("students")) else {
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
        let tmp = self.dir.join("students").join(format!(".{id}.new"));
        let old = self.dir.join("students").join(format!(".{id}.old"));
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
