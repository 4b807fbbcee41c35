//! Running a program whose standard output nobody reads, as `| head -1`
//! leaves it once `head` has its line. Unix only: the closed end is a
//! socket.
#![cfg(unix)]

use std::io::Write;
use std::process::{Command, Stdio};

/// What a program did when its standard output was closed.
#[derive(Debug)]
pub struct Closed {
    /// The exit status; `None` when a signal ended it.
    pub code: Option<i32>,
    /// What it printed on standard error.
    pub stderr: String,
}

impl Closed {
    /// Panics unless the program exited 0 without a panic message.
    pub fn assert_clean(&self, what: &str) {
        assert_eq!(self.code, Some(0), "{what} with a closed stdout: {self:?}");
        assert!(!self.stderr.contains("panicked"), "{what} with a closed stdout panicked: {}", self.stderr);
    }
}

/// Runs `cmd` with `stdin` as its input and standard output a socket
/// whose other end is already closed, so that its first write fails with
/// `BrokenPipe` however fast it is: a pipe whose reader a test drops
/// after the start would race the program's first write.
pub fn run_closed(mut cmd: Command, stdin: &str) -> Closed {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().expect("a socket pair");
    drop(ours);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    if let Some(mut input) = child.stdin.take() {
        // A program that stops reading early closes its end: not our concern.
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("the program finishes");
    Closed { code: out.status.code(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}
