//! `canvas_import` follows Canvas's `GradebookImporter` (instructure/
//! canvas-lms, app/models/gradebook_importer.rb): the delimiter guessed
//! from the first three lines, a header whose first cells hold "Student"
//! and "ID", SIS User ID and SIS Login ID columns, "Section" as the last
//! student column, assignment columns read as "Title (id)" by
//! `\A(.*)\s\((\d+)\)\z` (else matched by title, else created), a row whose
//! first cell holds "Points Possible", students matched by ID, SIS User ID,
//! SIS Login ID, then name; a blank cell beside a score is a change. Ruby's
//! CSV keeps a BOM in the first cell.

use super::*;

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
