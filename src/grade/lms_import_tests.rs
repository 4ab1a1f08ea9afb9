//! canvas.csv and moodle.csv read the way each LMS's importer reads them.
//!
//! `canvas_import` follows Canvas's `GradebookImporter` (instructure/
//! canvas-lms, app/models/gradebook_importer.rb): the delimiter guessed
//! from the first three lines, a header whose first cells hold "Student"
//! and "ID", SIS User ID and SIS Login ID columns, "Section" as the last
//! student column, assignment columns read as "Title (id)" by
//! `\A(.*)\s\((\d+)\)\z` (else matched by title, else created), a row whose
//! first cell holds "Points Possible", students matched by ID, SIS User ID,
//! SIS Login ID, then name; a blank cell beside a score is a change. Ruby's
//! CSV keeps a BOM in the first cell.
//!
//! `moodle_import` follows Moodle's grade/import/csv: the BOM trimmed,
//! column names non-empty and unique, one column mapped to username /
//! useridnumber / useremail, a row whose identifier matches no user aborts
//! the whole import, a column mapped to a new grade item gets the column's
//! name and a maximum of 100, an empty cell clears the grade.

use super::*;
use crate::course::Step;
use crate::grade::cell::BOM;
use crate::grade::roster::LmsIds;
use crate::lang::Text;
use regex::Regex;
use std::collections::BTreeMap;

// ------------------------------------------------------------- fixtures

fn task(id: &str, title: &str, points: &[u32]) -> Task {
    Task {
        schema: 1,
        id: id.into(),
        unit: "unit1".into(),
        title: Text {
            en: title.into(),
            zh_cn: "准备 Docker 环境".into(),
        },
        lesson: "l.md".into(),
        quiz: None,
        steps: points
            .iter()
            .enumerate()
            .map(|(i, p)| Step {
                id: format!("s{i}"),
                title: Text {
                    en: "x".into(),
                    zh_cn: "x".into(),
                },
                commands: Vec::new(),
                checks: Vec::new(),
                hint: None,
                points: *p,
            })
            .collect(),
    }
}

fn student(id: &str, name: &str, lms: LmsIds) -> Student {
    let mut s = crate::grade::testing::student(id, name, "vm");
    s.target.port = None;
    Student { lms, ..s }
}

fn ids(username: &str, email: &str, idnumber: &str) -> LmsIds {
    LmsIds {
        username: Some(username.into()),
        email: Some(email.into()),
        idnumber: Some(idnumber.into()),
    }
}

fn record(s: &Student, outcome: Outcome, scores: &[(&str, u32)]) -> Record {
    let graded = outcome == Outcome::Graded;
    Record {
        detail: (!graded).then(|| "ssh: connect to host vm port 22: Connection refused".into()),
        ..crate::grade::testing::record(s, outcome, scores)
    }
}

/// The class: two tasks of 6 points; Ada and 李雷 graded, Bob's VM
/// unreachable, Eve's not reached before the run stopped.
struct Class {
    students: Vec<Student>,
    records: Vec<Option<Record>>,
    tasks: Vec<Task>,
}

impl Class {
    fn new() -> Class {
        let students = vec![
            student(
                "s01",
                "Ada Lovelace",
                ids("ada", "ada@example.edu", "2026001"),
            ),
            student("s02", "Bob", ids("bob", "bob@example.edu", "2026002")),
            student("s03", "李雷", ids("lilei", "lilei@example.edu", "2026003")),
            student("s04", "Eve", ids("eve", "eve@example.edu", "2026004")),
        ];
        let records = vec![
            Some(record(
                &students[0],
                Outcome::Graded,
                &[("task2", 6), ("task3", 2)],
            )),
            Some(record(&students[1], Outcome::Unreachable, &[])),
            Some(record(
                &students[2],
                Outcome::Graded,
                &[("task2", 3), ("task3", 0)],
            )),
            None,
        ];
        let tasks = vec![
            task("task2", "Set up the Docker environment", &[2, 4]),
            task("task3", "Explore Docker images (2024)", &[6]),
        ];
        Class {
            students,
            records,
            tasks,
        }
    }

    fn pairs(&self) -> Vec<(&Student, Option<&Record>)> {
        self.students
            .iter()
            .zip(&self.records)
            .map(|(s, r)| (s, r.as_ref()))
            .collect()
    }

    fn tasks(&self) -> Vec<&Task> {
        self.tasks.iter().collect()
    }

    fn canvas(&self, lang: Lang) -> String {
        canvas(&self.pairs(), &self.tasks(), lang)
    }

    fn moodle(&self) -> String {
        moodle(&self.pairs(), &self.tasks(), Lang::En)
    }
}

/// CSV rows as strings, as Ruby's CSV reads them: a BOM stays in the
/// first cell (the csv crate drops it, so it is put back).
fn parse(doc: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(doc.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(String::from).collect())
        .collect();
    if let (true, Some(first)) = (doc.starts_with(BOM), rows.first_mut()) {
        if let Some(cell) = first.first_mut() {
            if !cell.starts_with(BOM) {
                cell.insert(0, BOM);
            }
        }
    }
    rows
}

// ------------------------------------------------------ Canvas's importer

/// What Canvas has before the import.
#[derive(Default)]
struct CanvasCourse {
    /// (assignment id, title, points possible)
    assignments: Vec<(u64, String, Option<String>)>,
    /// (user id, name, SIS user id, login id)
    students: Vec<(u64, String, String, String)>,
    /// (user id, assignment id) → score
    grades: BTreeMap<(u64, u64), String>,
}

/// An assignment as the import resolves a column.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target2 {
    Existing(u64),
    New(String),
}

#[derive(Debug, Default)]
struct CanvasImport {
    /// Column titles, in order, with what they resolved to.
    assignments: Vec<(String, Target2)>,
    /// Points possible read per column title.
    points: BTreeMap<String, String>,
    /// (user id or None for an unknown student, column title) → new grade
    submissions: Vec<(Option<u64>, String, String)>,
    /// Names of rows that matched no Canvas student.
    unknown_students: Vec<String>,
}

/// `Assignment.title_and_id`: "Title (12)" names assignment 12.
fn canvas_title_and_id(header: &str) -> Option<(String, u64)> {
    let re = Regex::new(r"\A(.*)\s\((\d+)\)\z").expect("regex");
    let c = re.captures(header)?;
    Some((c[1].to_string(), c[2].parse().ok()?))
}

/// The first three lines decide `;` or `,`: a separator wins when every
/// line splits into the same number of fields, and `;` only with more.
fn canvas_delimiter(doc: &str) -> u8 {
    let lines: Vec<&str> = doc.split('\n').take(3).collect();
    let count = |sep: u8| -> usize {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| parse(l, sep).first().map_or(0, Vec::len))
            .collect();
        if counts.windows(2).all(|w| w[0] == w[1]) {
            counts.first().copied().unwrap_or(0)
        } else {
            0
        }
    };
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

fn canvas_import(doc: &str, course: &CanvasCourse) -> Result<CanvasImport, &'static str> {
    let rows = parse(doc, canvas_delimiter(doc));
    let head = rows.first().ok_or("empty file")?;
    // row_has_student_headers?
    if !(head.len() > 3 && head[0].contains("Student") && head[1].contains("ID")) {
        return Err("Invalid header row");
    }
    let sis = |cell: &str, what: &str| Regex::new(what).expect("regex").is_match(cell);
    let (mut student_columns, mut sis_user, mut sis_login) = (3, None, None);
    if sis(&head[2], r"SIS\s+Login\s+ID") {
        sis_login = Some(2);
        student_columns += 1;
    } else if sis(&head[2], r"SIS\s+User\s+ID") && sis(&head[3], r"SIS\s+Login\s+ID") {
        let integration = usize::from(head.get(4).is_some_and(|c| sis(c, r"Integration\s+ID")));
        sis_user = Some(2);
        sis_login = Some(3);
        student_columns += 2 + integration;
    }
    if !head[student_columns - 1].contains("Section") {
        return Err("Invalid header row");
    }
    let not_assignment = Regex::new(
        "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|Override Score|Override Grade|Override Status",
    )
    .expect("regex");
    let mut import = CanvasImport::default();
    let mut columns = Vec::new();
    for (i, title) in head.iter().enumerate().skip(student_columns) {
        if not_assignment.is_match(title) {
            continue;
        }
        let by_id = canvas_title_and_id(title)
            .and_then(|(_, id)| course.assignments.iter().find(|a| a.0 == id));
        let by_title = course.assignments.iter().find(|a| a.1 == *title);
        let target = match by_id.or(by_title) {
            Some(a) => Target2::Existing(a.0),
            None => Target2::New(canvas_title_and_id(title).map_or(title.clone(), |(t, _)| t)),
        };
        import.assignments.push((title.clone(), target));
        columns.push((i, title.clone()));
    }
    let muted = Regex::new(r"(?i)^\s*(Muted|Manual Posting.*)?\s*$").expect("regex");
    for row in &rows[1..] {
        if row[0].contains("Points Possible") {
            for (i, title) in &columns {
                if let Some(p) = row.get(*i).filter(|p| !p.is_empty()) {
                    import.points.insert(title.clone(), p.clone());
                }
            }
            continue;
        }
        if row
            .iter()
            .filter(|c| !c.is_empty())
            .all(|c| muted.is_match(c))
        {
            continue;
        }
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).filter(|c| !c.is_empty());
        let by_id = row[1]
            .parse::<u64>()
            .ok()
            .and_then(|id| course.students.iter().find(|s| s.0 == id));
        let by_sis = cell(sis_user).and_then(|v| course.students.iter().find(|s| s.2 == *v));
        let by_login = cell(sis_login).and_then(|v| course.students.iter().find(|s| s.3 == *v));
        let by_name = course.students.iter().find(|s| s.1 == row[0]);
        let user = by_id.or(by_sis).or(by_login).or(by_name).map(|s| s.0);
        if user.is_none() {
            import.unknown_students.push(row[0].clone());
        }
        for (i, title) in &columns {
            let grade = row.get(*i).map_or("", |g| g.trim()).to_string();
            import.submissions.push((user, title.clone(), grade));
        }
    }
    Ok(import)
}

impl CanvasImport {
    /// The grades the import would change: (user, assignment id or new
    /// title, from, to). A blank beside a score is a change (Canvas's
    /// `no_change_to_value?`).
    fn changes(&self, course: &CanvasCourse) -> Vec<(u64, Target2, String, String)> {
        let mut out = Vec::new();
        for (user, title, grade) in &self.submissions {
            let Some(user) = user else { continue };
            let (_, target) = self
                .assignments
                .iter()
                .find(|(t, _)| t == title)
                .expect("a column");
            let before = match target {
                Target2::Existing(a) => course.grades.get(&(*user, *a)).cloned(),
                Target2::New(_) => None,
            }
            .unwrap_or_default();
            let blank = |v: &str| v.is_empty() || v == "-";
            if before != *grade && !(blank(&before) && blank(grade)) {
                out.push((*user, target.clone(), before, grade.clone()));
            }
        }
        out
    }
}

fn canvas_course() -> CanvasCourse {
    CanvasCourse {
        assignments: vec![
            (6, "Week 6 quiz".into(), Some("10".into())),
            (2, "Homework 2".into(), Some("10".into())),
        ],
        students: vec![
            (101, "Ada Lovelace".into(), "2026001".into(), "ada".into()),
            (102, "Bob".into(), "2026002".into(), "bob".into()),
            (103, "Li Lei".into(), "2026003".into(), "lilei".into()),
            (104, "Eve".into(), "2026004".into(), "eve".into()),
        ],
        grades: [((101, 6), "9".into()), ((102, 6), "8".into())].into(),
    }
}

/// No title lab writes can be read as "Title (assignment id)", in either
/// language, even when the task's own title ends in "(2024)".
#[test]
fn canvas_never_reads_a_task_column_as_an_assignment_id() {
    let class = Class::new();
    for lang in [Lang::En, Lang::ZhCn] {
        for t in &class.tasks {
            let title = item_title(t, lang);
            assert_eq!(canvas_title_and_id(&title), None, "{title}");
        }
    }
    assert_eq!(
        item_title(&class.tasks[0], Lang::En),
        "task2 Set up the Docker environment [6 pts]"
    );
    assert_eq!(
        item_title(&class.tasks[0], Lang::ZhCn),
        "task2 准备 Docker 环境 [满分 6 分]"
    );
    // The old lms.csv title was read as assignment 6: the rule bites.
    assert_eq!(
        canvas_title_and_id("task2 Set up the Docker environment (6)"),
        Some(("task2 Set up the Docker environment".into(), 6))
    );
}

/// The built-in course's tasks, in both languages: no column title is read
/// as "Title (id)", none is dropped as a Canvas total column ("Final
/// Score", …), and no two are the same (Canvas finds a column by its title).
#[test]
fn every_built_in_task_title_is_a_canvas_assignment_column() {
    let labs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("labs");
    let mut tasks = Vec::new();
    for entry in std::fs::read_dir(&labs).expect("labs/") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("task") && name.ends_with(".yaml") {
            let text = std::fs::read_to_string(&path).expect("task file");
            let t: Task = serde_yaml_ng::from_str(&text).expect("a task");
            tasks.push(t);
        }
    }
    assert!(tasks.len() > 5, "{} tasks", tasks.len());
    let total = Regex::new(
        "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|Override Score|Override Grade|Override Status",
    )
    .expect("regex");
    for lang in [Lang::En, Lang::ZhCn] {
        let titles: Vec<String> = tasks.iter().map(|t| item_title(t, lang)).collect();
        for title in &titles {
            assert_eq!(canvas_title_and_id(title), None, "{title}");
            assert!(!total.is_match(title), "{title}");
            assert_eq!(titles.iter().filter(|t| *t == title).count(), 1, "{title}");
        }
    }
}

/// The header is Canvas's (SIS User ID and SIS Login ID found, Section
/// last), the Points Possible row sets each new assignment's points, the
/// BOM Ruby leaves in the first cell does not hide "Student", and the
/// delimiter is guessed as a comma.
#[test]
fn canvas_reads_the_header_and_the_points_possible_row() {
    let class = Class::new();
    let doc = class.canvas(Lang::En);
    assert!(doc.starts_with(BOM), "a BOM for Excel");
    assert_eq!(canvas_delimiter(&doc), b',');
    let rows = parse(&doc, b',');
    assert_eq!(
        rows[0][..5],
        [
            &format!("{BOM}Student"),
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section"
        ]
    );
    assert_eq!(rows[1][0], "Points Possible");
    let import = canvas_import(&doc, &canvas_course()).expect("a valid header");
    let titles = [
        "task2 Set up the Docker environment [6 pts]",
        "task3 Explore Docker images (2024) [6 pts]",
    ];
    assert_eq!(
        import.assignments,
        titles.map(|t| (t.to_string(), Target2::New(t.to_string())))
    );
    assert_eq!(
        import.points,
        titles.map(|t| (t.to_string(), "6".to_string())).into()
    );
    assert!(import.unknown_students.is_empty(), "{import:?}");
    // Without the Points Possible row the new assignments have no points:
    // the emulation can tell.
    let without: String = doc
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("Points Possible"))
        .collect();
    assert!(canvas_import(&without, &canvas_course())
        .expect("valid")
        .points
        .is_empty());
}

/// Scores land in the task's assignment for the right student (matched
/// by SIS User ID, the roster's idnumber), never in assignment 6; once the
/// assignments exist (the second import), they are matched by title and
/// none is created again.
#[test]
fn canvas_puts_each_score_in_its_task_for_its_student() {
    let class = Class::new();
    let doc = class.canvas(Lang::En);
    let course = canvas_course();
    let import = canvas_import(&doc, &course).expect("valid");
    let t2 = Target2::New("task2 Set up the Docker environment [6 pts]".into());
    let t3 = Target2::New("task3 Explore Docker images (2024) [6 pts]".into());
    let changes: Vec<(u64, Target2, String)> = import
        .changes(&course)
        .into_iter()
        .map(|(u, t, _, to)| (u, t, to))
        .collect();
    assert_eq!(
        changes,
        [
            (101, t2.clone(), "6".into()),
            (101, t3.clone(), "2".into()),
            (103, t2, "3".into()),
            (103, t3, "0".into()),
        ]
    );
    // The next week: the assignments exist, titled as the first import
    // named them; the same file updates them.
    let mut later = canvas_course();
    later.assignments.push((
        31,
        "task2 Set up the Docker environment [6 pts]".into(),
        None,
    ));
    later.assignments.push((
        32,
        "task3 Explore Docker images (2024) [6 pts]".into(),
        None,
    ));
    later.grades.insert((101, 31), "4".into());
    let again = canvas_import(&doc, &later).expect("valid");
    assert!(again
        .assignments
        .iter()
        .all(|(_, t)| matches!(t, Target2::Existing(31 | 32))));
    assert!(again
        .changes(&later)
        .contains(&(101, Target2::Existing(31), "4".into(), "6".into())));
}

/// An unreachable VM (Bob) and a host the run never reached (Eve) have no
/// row, so their grades in Canvas stay; a blank row would have cleared
/// Bob's 8 (the emulation counts that as a change).
#[test]
fn canvas_keeps_the_grades_of_students_who_were_not_graded() {
    let class = Class::new();
    let doc = class.canvas(Lang::En);
    let rows = parse(&doc, b',');
    let names: Vec<&str> = rows[2..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["Ada Lovelace", "李雷"]);
    let mut course = canvas_course();
    course.assignments.push((
        31,
        "task2 Set up the Docker environment [6 pts]".into(),
        None,
    ));
    course.grades.insert((102, 31), "5".into());
    let changes = canvas_import(&doc, &course)
        .expect("valid")
        .changes(&course);
    assert!(
        changes
            .iter()
            .all(|(user, ..)| *user != 102 && *user != 104),
        "{changes:?}"
    );
    let blank_row = format!("{doc}Bob,,2026002,bob,,,\r\n");
    let changes = canvas_import(&blank_row, &course)
        .expect("valid")
        .changes(&course);
    assert!(changes.contains(&(102, Target2::Existing(31), "5".into(), String::new())));
}

/// SIS Login ID is the roster's username, else its email; SIS User ID its
/// idnumber, else its student_id.
#[test]
fn canvas_identifiers_come_from_the_roster() {
    let mut class = Class::new();
    class.students[0].lms = LmsIds {
        username: None,
        email: Some("ada@example.edu".into()),
        idnumber: None,
    };
    class.students[2].lms = LmsIds::default();
    let rows = parse(&class.canvas(Lang::En), b',');
    assert_eq!(rows[2][1..5], ["", "s01", "ada@example.edu", ""]);
    assert_eq!(rows[3][1..5], ["", "s03", "", ""]);
}

// ------------------------------------------------------ Moodle's importer

/// Moodle's "Map to" choices for the identifier column.
#[derive(Clone, Copy)]
enum MapTo {
    Username,
    Email,
    IdNumber,
}

/// A Moodle user: (id, username, email, idnumber).
type MoodleUser = (u64, &'static str, &'static str, &'static str);

fn moodle_users() -> Vec<MoodleUser> {
    vec![
        (11, "ada", "ada@example.edu", "2026001"),
        (12, "bob", "bob@example.edu", "2026002"),
        (13, "lilei", "lilei@example.edu", "2026003"),
        (14, "eve", "eve@example.edu", ""),
    ]
}

#[derive(Debug, PartialEq)]
struct MoodleImport {
    /// New grade items: (name, maximum).
    items: Vec<(String, u32)>,
    /// (user id, item name) → grade; None clears it.
    grades: Vec<(u64, String, Option<String>)>,
}

/// Imports `doc` mapping column `from` to `to`, every other column but
/// `skip` to a new grade item. Err: Moodle's message, nothing imported.
fn moodle_import(doc: &str, from: &str, to: MapTo, skip: &[&str]) -> Result<MoodleImport, String> {
    let doc = doc.strip_prefix(BOM).unwrap_or(doc);
    let rows = parse(doc, b',');
    let head = &rows[0];
    for (i, name) in head.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(format!("csvemptycolumn {i}"));
        }
        if head[..i].contains(name) {
            return Err(format!("duplicatecolumnname {name}"));
        }
    }
    let key = head
        .iter()
        .position(|h| h == from)
        .ok_or("no such column")?;
    let items: Vec<(usize, String)> = head
        .iter()
        .enumerate()
        .filter(|(i, h)| *i != key && !skip.contains(&h.as_str()))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let users = moodle_users();
    let mut grades = Vec::new();
    for row in &rows[1..] {
        let value = row[key].as_str();
        let user = users.iter().find(|u| {
            let field = match to {
                MapTo::Username => u.1,
                MapTo::Email => u.2,
                MapTo::IdNumber => u.3,
            };
            field == value
        });
        let Some(user) = user.filter(|_| !value.is_empty()) else {
            return Err(format!(
                "usermappingerror {value:?}: the whole import stops"
            ));
        };
        for (i, name) in &items {
            let cell = row[*i].trim();
            let grade = (!cell.is_empty() && cell != "-").then(|| cell.to_string());
            grades.push((user.0, name.clone(), grade));
        }
    }
    Ok(MoodleImport {
        items: items.into_iter().map(|(_, name)| (name, 100)).collect(),
        grades,
    })
}

/// Whichever identifier the teacher maps, every graded student's scores
/// land in a new item named after the task (whose maximum Moodle sets to
/// 100: the title says the real one), and no grade is cleared.
#[test]
fn moodle_matches_every_row_by_any_identifier_column() {
    let doc = Class::new().moodle();
    assert!(doc.starts_with(BOM));
    let head = &parse(&doc, b',')[0];
    assert_eq!(
        head[..5],
        [
            &format!("{BOM}username"),
            "email",
            "idnumber",
            "student_id",
            "name"
        ]
    );
    for (from, to) in [
        ("username", MapTo::Username),
        ("email", MapTo::Email),
        ("idnumber", MapTo::IdNumber),
    ] {
        let mut skip = vec!["username", "email", "idnumber", "student_id", "name"];
        skip.retain(|c| *c != from);
        let got = moodle_import(&doc, from, to, &skip).expect("every row matches");
        assert_eq!(
            got.items,
            [
                (
                    "task2 Set up the Docker environment [6 pts]".to_string(),
                    100
                ),
                (
                    "task3 Explore Docker images (2024) [6 pts]".to_string(),
                    100
                )
            ]
        );
        let t2 = "task2 Set up the Docker environment [6 pts]".to_string();
        let t3 = "task3 Explore Docker images (2024) [6 pts]".to_string();
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            got.grades,
            [
                (11, t2.clone(), some("6")),
                (11, t3.clone(), some("2")),
                (13, t2, some("3")),
                (13, t3, some("0")),
            ],
            "{from}"
        );
        assert!(
            got.grades.iter().all(|(_, _, g)| g.is_some()),
            "nothing cleared"
        );
    }
}

/// Bob (unreachable) and Eve (not reached) have no row: nothing of theirs
/// is cleared. Eve has no idnumber in Moodle: her row would have stopped
/// the whole import, and a blank row for Bob would have cleared his
/// grades (the emulation sees both).
#[test]
fn moodle_never_gets_a_row_for_a_student_who_was_not_graded() {
    let doc = Class::new().moodle();
    let rows = parse(&doc, b',');
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(ids, ["s01", "s03"]);
    let skip = ["username", "email", "student_id", "name"];
    assert!(moodle_import(&doc, "idnumber", MapTo::IdNumber, &skip).is_ok());
    let with_eve = format!("{doc}eve,eve@example.edu,2026004,s04,Eve,,\r\n");
    let e = moodle_import(&with_eve, "idnumber", MapTo::IdNumber, &skip).unwrap_err();
    assert!(e.starts_with("usermappingerror"), "{e}");
    let with_bob = format!("{doc}bob,bob@example.edu,2026002,s02,Bob,,\r\n");
    let got = moodle_import(&with_bob, "idnumber", MapTo::IdNumber, &skip).expect("matches");
    assert!(got.grades.iter().any(|(u, _, g)| *u == 12 && g.is_none()));
}

/// A roster without identifier columns gives student_id and name only
/// (the teacher maps student_id to the ID number if theirs match); a
/// roster with only email gives only that column, filled on every row.
#[test]
fn moodle_has_the_identifier_columns_the_roster_has() {
    let mut class = Class::new();
    for s in &mut class.students {
        s.lms = LmsIds::default();
    }
    let rows = parse(&class.moodle(), b',');
    assert_eq!(rows[0][..2], [&format!("{BOM}student_id"), "name"]);
    for s in &mut class.students {
        s.lms.email = Some(format!("{}@example.edu", s.id));
    }
    let rows = parse(&class.moodle(), b',');
    assert_eq!(rows[0][..3], [&format!("{BOM}email"), "student_id", "name"]);
    assert!(rows[1..].iter().all(|r| r[0].ends_with("@example.edu")));
}

// ------------------------------------------------------------- left out

#[test]
fn left_out_names_every_student_without_a_graded_vm_in_roster_order() {
    let class = Class::new();
    assert_eq!(
        left_out(&class.pairs()),
        [
            LeftOut {
                student_id: "s02".into(),
                outcome: Some(Outcome::Unreachable)
            },
            LeftOut {
                student_id: "s04".into(),
                outcome: None
            },
        ]
    );
}

/// Hostile names reach both files as text; scores stay digits.
#[test]
fn hostile_names_reach_the_lms_files_as_text() {
    let mut class = Class::new();
    class.students[0].name = "=HYPERLINK(\"http://x\",\"y\")".into();
    class.students[2].name = "+cmd|' /C calc'!A0".into();
    let canvas = parse(&class.canvas(Lang::En), b',');
    assert_eq!(canvas[2][0], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(canvas[3][0], "'+cmd|' /C calc'!A0");
    assert_eq!(canvas[2][5..], ["6", "2"]);
    let moodle = parse(&class.moodle(), b',');
    assert_eq!(moodle[1][4], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(moodle[2][5..], ["3", "0"]);
}
