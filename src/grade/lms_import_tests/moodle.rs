//! `moodle_import` follows Moodle's grade/import/csv: the BOM trimmed,
//! column names non-empty and unique, one column mapped to username /
//! useridnumber / useremail, a row whose identifier matches no user aborts
//! the whole import, a column mapped to a new grade item gets the column's
//! name and a maximum of 100, an empty cell clears the grade.

use super::*;

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
