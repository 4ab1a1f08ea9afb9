//! Embeds the course (labs/ and content/) into the binary, so a learner
//! needs nothing but `lab` itself.

use std::fmt::Write as _;
use std::path::Path;

fn collect(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = format!("{rel}/{name}");
        if entry.path().is_dir() {
            collect(root, &child, out);
        } else if name.ends_with(".yaml") || name.ends_with(".md") {
            out.push(child);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["labs", "content"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(root, dir, &mut files);
    }
    // book.toml travels with the course, for `lab book build`.
    println!("cargo:rerun-if-changed=book.toml");
    if root.join("book.toml").is_file() {
        files.push("book.toml".into());
    }
    files.sort();
    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        let abs = root.join(f);
        writeln!(
            code,
            "    ({f:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .expect("write to a String");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_course.rs");
    std::fs::write(out, code).expect("write the embedded course");
}
