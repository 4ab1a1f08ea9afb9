//! Evidence that outlives the live state: lab's own journal. (The other
//! source, the daemon's event buffer, is read through the Docker view.)

mod journal;
pub mod timeline;

pub use journal::{default_path, Entry, Journal};
