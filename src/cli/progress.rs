//! A progress note on standard error for work that takes more than a
//! second: `loading… 2.1 s`, updated in place on a terminal, and one line
//! at the end otherwise. Quick work prints nothing.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long work may take before the note appears.
const QUIET: Duration = Duration::from_secs(1);

/// Shows the note while it lives; dropping it ends the note.
#[derive(Debug)]
pub struct Progress {
    done: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts timing `what` (`"loading"`, `"exporting"`).
    pub fn start(what: &'static str) -> Progress {
        let (done, rx) = mpsc::channel::<()>();
        let start = Instant::now();
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                if rx.recv_timeout(QUIET) != Err(RecvTimeoutError::Timeout) {
                    return;
                }
                let tty = std::io::stderr().is_terminal();
                loop {
                    if tty {
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r{what}… {:.1} s", start.elapsed().as_secs_f64());
                        let _ = err.flush();
                    }
                    if rx.recv_timeout(Duration::from_millis(100)) != Err(RecvTimeoutError::Timeout) {
                        break;
                    }
                }
                let secs = start.elapsed().as_secs_f64();
                if tty {
                    eprintln!("\r{what}… {secs:.1} s, done");
                } else {
                    eprintln!("{what}… {secs:.1} s, done");
                }
            })
            .ok();
        Progress { done: Some(done), thread }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
