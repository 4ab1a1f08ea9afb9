//! Evidence that outlives the live state: lab's own journal. (The other
//! source, the daemon's event buffer, is read through the Docker view.)

mod journal;

pub use journal::{default_path, Entry, Journal};
