//! Evidence that outlives the live state: lab's own journal, sealed to the
//! machine and its Docker daemon. (The other source, the daemon's event
//! buffer, is read through the Docker view.)

mod file;
mod health;
mod journal;
mod read;
mod seal;
pub mod timeline;

pub use file::describe as describe_io;
pub use file::READ_LIMIT as JOURNAL_READ_LIMIT;
pub use health::{Health, State as JournalState};
pub use journal::{default_path, Entry, Journal};
pub(crate) use seal::fingerprint;
pub use seal::{Binding, MACHINE_ID_FILES};

#[cfg(test)]
mod tests;
