//! Ctrl-C and `kill` during `lab grade`: SIGINT and SIGTERM stop the run
//! cleanly instead of killing lab, so hosts in flight are dropped (their
//! `ssh` children killed, nothing saved) and the class files are written
//! for what is done.
//!
//! A Ctrl-C on a terminal reaches the whole foreground process group; the
//! `ssh` children live in their own groups (`machine/ssh.rs`) so they do
//! not die first and turn a host in flight into a false `error`. A signal
//! sent to lab's whole group (systemd, `kill -- -PGID`) still reaches
//! them: lab's handler has run before lab can see a child die, so
//! [`Interrupt::arrived`] after each host, not only the select, catches it.

use tokio::signal::unix::{signal, Signal, SignalKind};

/// Which signal stopped the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
}

impl Stop {
    /// The shell's convention: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Stop::Interrupt => 128 + 2,
            Stop::Terminate => 128 + 15,
        }
    }
}

pub struct Interrupt {
    int: Signal,
    term: Signal,
}

impl Interrupt {
    /// Installs the handlers now: a signal from here on stops the run.
    pub fn listen() -> std::io::Result<Interrupt> {
        Ok(Interrupt {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    /// The next SIGINT or SIGTERM (cancel-safe: for `select!`).
    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.int.recv() => Stop::Interrupt,
            _ = self.term.recv() => Stop::Terminate,
        }
    }

    /// A signal that has already arrived, after letting the runtime read
    /// its pipe once (a yield turns the driver without waiting).
    pub async fn arrived(&mut self) -> Option<Stop> {
        use futures_util::FutureExt;
        tokio::task::yield_now().await;
        self.recv().now_or_never()
    }
}
