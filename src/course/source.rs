//! Where course files come from: the copy embedded in the binary, or a
//! folder given with `--course DIR`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_course.rs"));
}

#[derive(Debug, Clone)]
pub enum Source {
    /// The course compiled into the binary (labs/ and content/ of this repo).
    Embedded,
    /// A course folder holding `labs/` and `content/`.
    Dir(PathBuf),
    /// Files held in memory, by path (`labs/task1.yaml`): what a fuzzer
    /// or a test feeds the loader.
    Memory(Arc<Vec<(String, Vec<u8>)>>),
}

impl Source {
    /// Reads a course file by its path relative to the course root.
    pub fn read(&self, rel: &str) -> std::io::Result<String> {
        String::from_utf8(self.read_bytes(rel)?)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// Reads a course file as it is (the loader says where bad UTF-8 is).
    pub fn read_bytes(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        let missing = || std::io::Error::from(std::io::ErrorKind::NotFound);
        match self {
            Source::Embedded => embedded::FILES
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, text)| text.as_bytes().to_vec())
                .ok_or_else(missing),
            Source::Dir(root) => std::fs::read(root.join(rel)),
            Source::Memory(files) => files
                .iter()
                .find(|(p, _)| p == rel)
                .map(|(_, bytes)| bytes.clone())
                .ok_or_else(missing),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        match self {
            Source::Embedded => embedded::FILES.iter().any(|(p, _)| *p == rel),
            Source::Dir(root) => root.join(rel).is_file(),
            Source::Memory(files) => files.iter().any(|(p, _)| p == rel),
        }
    }

    /// Every file of the built-in course, by path, as bytes: the seed of
    /// the loader's mutation tests and of its fuzz target.
    pub fn embedded_files() -> Vec<(String, Vec<u8>)> {
        embedded::FILES
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    /// The task files: every `labs/*.yaml` but `labs/course.yaml` and
    /// drafts (`*.draft.yaml`), sorted.
    pub fn task_files(&self) -> std::io::Result<Vec<String>> {
        let mut files: Vec<String> = match self {
            Source::Embedded => embedded::FILES
                .iter()
                .map(|(p, _)| p.to_string())
                .filter(|p| p.starts_with("labs/") && !p[5..].contains('/'))
                .collect(),
            Source::Memory(files) => files
                .iter()
                .map(|(p, _)| p.clone())
                .filter(|p| p.starts_with("labs/") && !p[5..].contains('/'))
                .collect(),
            Source::Dir(root) => std::fs::read_dir(root.join("labs"))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| format!("labs/{}", e.file_name().to_string_lossy()))
                .collect(),
        };
        // `*.draft.yaml` is work in progress, not part of the course.
        files.retain(|p| {
            p.ends_with(".yaml") && !p.ends_with(".draft.yaml") && p != "labs/course.yaml"
        });
        files.sort();
        Ok(files)
    }

    /// How to name this course in messages.
    /// [`Self::describe`] in both languages, for errors told later.
    pub fn names(&self) -> crate::lang::Text {
        crate::lang::Text {
            en: self.describe(crate::lang::Lang::En),
            zh_cn: self.describe(crate::lang::Lang::ZhCn),
        }
    }

    pub fn describe(&self, lang: crate::lang::Lang) -> String {
        match self {
            Source::Embedded => lang.pick("the built-in course", "内置课程").into(),
            Source::Dir(root) => root.display().to_string(),
            Source::Memory(_) => lang.pick("the course in memory", "内存中的课程").into(),
        }
    }

    /// The folder a file lives in, for messages (`DIR/labs/task3.yaml`).
    pub fn display_path(&self, rel: &str) -> String {
        match self {
            Source::Embedded | Source::Memory(_) => rel.to_string(),
            Source::Dir(root) => Path::new(root).join(rel).display().to_string(),
        }
    }
}
