//! Tests only: JUnit documents validated by a real consumer, xmllint,
//! against `tests/schemas/jenkins-junit.xsd` (the rules of Jenkins'
//! junit-10.xsd that lab's output must meet). `LAB_JUNIT_XSD=FILE` adds
//! another schema, such as Jenkins' own file.

use std::path::PathBuf;
use std::process::Command;

fn schemas() -> Vec<PathBuf> {
    let mut all =
        vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/jenkins-junit.xsd")];
    all.extend(std::env::var_os("LAB_JUNIT_XSD").map(PathBuf::from));
    all
}

/// Why xmllint refuses `xml`, or `None` when every schema accepts it.
pub fn junit_problems(xml: &str) -> Option<String> {
    let mut doc = tempfile::NamedTempFile::new().expect("temporary file");
    std::io::Write::write_all(&mut doc, xml.as_bytes()).expect("write the document");
    let mut said = String::new();
    for xsd in schemas() {
        let out = Command::new("xmllint")
            .arg("--schema")
            .arg(&xsd)
            .arg("--noout")
            .arg(doc.path())
            .output()
            .expect("xmllint (Debian: libxml2-utils; scripts/test installs it)");
        if !out.status.success() {
            said.push_str(&String::from_utf8_lossy(&out.stderr));
        }
    }
    (!said.is_empty()).then_some(said)
}

/// Panics with xmllint's words unless `xml` is valid.
pub fn assert_valid_junit(xml: &str) {
    if let Some(why) = junit_problems(xml) {
        panic!("not valid JUnit:\n{why}\n{xml}");
    }
}
