//! The files a teacher imports into an LMS: `canvas.csv` and `moodle.csv`.
//!
//! Both carry only the students whose VM was `graded`: an importer reads an
//! empty cell beside an existing grade as "clear it" (Moodle) or as a change
//! (Canvas), so an unreachable VM must not wipe last week's grade. Who was
//! left out is [`left_out`], for the run's summary. Rows follow the roster.
//!
//! A grade item is titled `task2 Set up the Docker environment [6 pts]`:
//! never `… (6)`, which Canvas reads as "Title (assignment id)" and would
//! put the scores in assignment 6. The importers' rules are encoded as tests
//! in `lms_import_tests/`.

use super::cell::{csv, Cell};
use super::outcome::{HostOutcome, Record};
use super::roster::Student;
use crate::course::Task;
use crate::lang::Lang;

/// A student the LMS files leave out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub student_id: String,
    /// The VM's outcome; `None`: the run stopped before this host.
    pub outcome: Option<HostOutcome>,
}

/// Every student of the roster whose VM was not graded (in roster order):
/// they have no row in canvas.csv or moodle.csv, and keep what the LMS has.
pub fn left_out(students: &[(&Student, Option<&Record>)]) -> Vec<LeftOut> {
    students
        .iter()
        .filter(|(_, r)| super::class_stats::graded_record(*r).is_none())
        .map(|(s, r)| LeftOut {
            student_id: s.id.clone(),
            outcome: r.map(|r| r.outcome),
        })
        .collect()
}

/// The graded students with their records, in roster order.
fn graded_rows<'a>(
    students: &'a [(&'a Student, Option<&'a Record>)],
) -> impl Iterator<Item = (&'a Student, &'a Record)> + 'a {
    students
        .iter()
        .filter_map(|(s, r)| super::class_stats::graded_record(*r).map(|r| (*s, r)))
}

/// A grade item's column title: the task, its title and its maximum, in
/// brackets so that no importer reads the title as "Title (id)".
pub fn item_title(task: &Task, lang: Lang) -> String {
    let max = task.max_score();
    let suffix = crate::tr!(lang, "[{} pts]", "[满分 {} 分]", max);
    format!("{} {} {suffix}", task.id, task.title.get(lang))
}

fn scores(record: &Record, tasks: &[&Task]) -> Vec<Cell> {
    tasks
        .iter()
        .map(|t| Cell::score(record.scores.get(&t.id).copied()))
        .collect()
}

/// `canvas.csv`, as Canvas's gradebook importer reads it: `Student, ID,
/// SIS User ID, SIS Login ID, Section`, a column per task, then a
/// `Points Possible` row with each task's maximum. Students are matched by
/// SIS User ID (the roster's `idnumber`, else its `student_id`), then SIS
/// Login ID (`username`, else `email`), then by name; the Canvas user ID
/// (`ID`) is left empty, lab does not know it.
pub fn canvas(students: &[(&Student, Option<&Record>)], tasks: &[&Task], lang: Lang) -> String {
    let mut head: Vec<Cell> = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        .iter()
        .map(|h| Cell::text(*h))
        .collect();
    head.extend(tasks.iter().map(|t| Cell::text(item_title(t, lang))));
    let mut points = vec![Cell::text("Points Possible")];
    points.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
    points.extend(tasks.iter().map(|t| Cell::Number(t.max_score())));
    let mut rows = vec![head, points];
    for (s, record) in graded_rows(students) {
        let sis_user = s.lms.idnumber.as_deref().unwrap_or(&s.id);
        let login = s.lms.username.as_ref().or(s.lms.email.as_ref());
        let mut row = vec![
            Cell::text(&s.name),
            Cell::Empty,
            Cell::text(sis_user),
            login.map_or(Cell::Empty, Cell::text),
            Cell::Empty,
        ];
        row.extend(scores(record, tasks));
        rows.push(row);
    }
    csv(&rows)
}

/// `moodle.csv`, for Moodle's "Import grades from CSV": the identifier
/// columns the roster has (`username`, `email`, `idnumber`; the teacher maps
/// one of them in "Map from"), `student_id` and `name` (to read, mapped to
/// nothing), then a column per task, to map to a new grade item each (whose
/// maximum the teacher sets to the one in the title).
pub fn moodle(students: &[(&Student, Option<&Record>)], tasks: &[&Task], lang: Lang) -> String {
    type Id = fn(&Student) -> Option<&String>;
    let all: [(&str, Id); 3] = [
        ("username", |s| s.lms.username.as_ref()),
        ("email", |s| s.lms.email.as_ref()),
        ("idnumber", |s| s.lms.idnumber.as_ref()),
    ];
    // A column the roster has is filled on every row (roster_lms.rs).
    let ids: Vec<(&str, Id)> = all
        .into_iter()
        .filter(|(_, get)| students.iter().any(|(s, _)| get(s).is_some()))
        .collect();
    let mut head: Vec<Cell> = ids.iter().map(|(name, _)| Cell::text(*name)).collect();
    head.extend([Cell::text("student_id"), Cell::text("name")]);
    head.extend(tasks.iter().map(|t| Cell::text(item_title(t, lang))));
    let mut rows = vec![head];
    for (s, record) in graded_rows(students) {
        let mut row: Vec<Cell> = ids
            .iter()
            .map(|(_, get)| get(s).map_or(Cell::Empty, Cell::text))
            .collect();
        row.extend([Cell::text(&s.id), Cell::text(&s.name)]);
        row.extend(scores(record, tasks));
        rows.push(row);
    }
    csv(&rows)
}

#[cfg(test)]
#[path = "lms_import_tests/mod.rs"]
mod tests;
