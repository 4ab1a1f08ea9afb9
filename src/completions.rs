//! `lab completions SHELL` and the man page, generated from the clap
//! definitions of `cli.rs` (clap_complete, clap_mangen), so neither can
//! drift from the options lab really has. Completions offer the course's
//! own task and unit ids where a command takes one (`lab check ta<TAB>`).

use crate::cli::Cli;
use crate::course::Course;
use clap::builder::PossibleValuesParser;
use clap::CommandFactory;

/// The shells `lab completions` writes for.
pub use clap_complete::Shell;

/// The course's task ids, and its unit ids followed by them.
fn ids(course: &Course) -> (Vec<String>, Vec<String>) {
    let tasks: Vec<String> = course.tasks.iter().map(|(_, t)| t.id.clone()).collect();
    let targets = course
        .file
        .units
        .iter()
        .map(|u| u.id.clone())
        .chain(tasks.iter().cloned())
        .collect();
    (tasks, targets)
}

/// The command tree, with the course's ids as the values of the arguments
/// that name tasks or units.
fn command(course: &Course) -> clap::Command {
    let (tasks, targets) = ids(course);
    let with = |ids: &[String]| PossibleValuesParser::new(ids.to_vec());
    Cli::command()
        .mut_subcommand("check", |c| {
            c.mut_arg("targets", |a| a.value_parser(with(&targets)))
        })
        .mut_subcommand("grade", |c| {
            c.mut_arg("targets", |a| a.value_parser(with(&targets)))
        })
        .mut_subcommand("show", |c| {
            c.mut_arg("task", |a| a.value_parser(with(&tasks)))
        })
        .mut_subcommand("quiz", |c| {
            c.mut_arg("task", |a| a.value_parser(with(&tasks)))
        })
        .mut_subcommand("watch", |c| {
            c.mut_arg("task", |a| a.value_parser(with(&tasks)))
        })
}

/// The completion script for `shell`.
pub fn script(shell: Shell, course: &Course) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(course), "lab", &mut out);
    if shell == Shell::Fish {
        // clap_complete's fish script offers no positional values.
        let (tasks, targets) = ids(course);
        for (sub, ids) in [
            ("check", &targets),
            ("grade", &targets),
            ("show", &tasks),
            ("quiz", &tasks),
            ("watch", &tasks),
        ] {
            let line = format!(
                "complete -c lab -n \"__fish_lab_using_subcommand {sub}\" -f -a \"{}\"\n",
                ids.join(" ")
            );
            out.extend_from_slice(line.as_bytes());
        }
    }
    out
}

/// The man page, lab(1), in roff.
pub fn man_page() -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course() -> Course {
        Course::load(crate::course::Source::Embedded, false, None).unwrap()
    }

    #[test]
    fn every_shell_gets_the_commands_and_the_courses_ids() {
        let course = course();
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = String::from_utf8(script(shell, &course)).unwrap();
            for word in [
                "check",
                "grade",
                "completions",
                "task3",
                "task11",
                "unit1",
                "deadline",
            ] {
                assert!(text.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn the_man_page_names_every_command() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(
            page.starts_with(".ie") || page.contains(".TH lab 1"),
            "{}",
            &page[..200]
        );
        for word in ["check", "grade", "book", "completions", "docker\\-host"] {
            assert!(page.contains(word), "man page lacks {word}");
        }
    }
}
