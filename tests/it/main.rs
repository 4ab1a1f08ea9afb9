//! The one integration-test binary. Tests that talk to Docker start their
//! own private daemon from the test bed (`scripts/testbed up` first; the
//! README's test command does all of it).

mod bed;
mod book;
mod chromium;
mod cli;
mod course_errors;
mod daemon_json;
mod dist;
mod facts;
mod formats;
mod fuzz;
mod grade;
mod grade_watch;
mod harness;
mod hostile;
mod journal;
mod kinds;
mod mirrors;
mod quiz;
mod readonly;
mod reads;
mod scenario;
mod scenarios;
mod shell;
mod task2;
mod task3;
mod unit2;
mod unit3;
mod watch;
mod zh;
