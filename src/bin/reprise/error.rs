//! What can go wrong in a command, and how it reaches the user.

use std::io;

/// Why a command stopped.
#[derive(Debug)]
pub enum CliError {
    /// A problem the user can fix, as one line (bad file, bad setting, cannot write).
    Failed {
        /// The line printed after `reprise: `.
        message: String,
    },
    /// A setting the command line got wrong (a value out of range), found before any file is
    /// read: exits 2, as the parser's own usage errors do. Problems with the files themselves
    /// (unreadable, an output that is the input, a folder holding an earlier take) are
    /// [`Failed`](Self::Failed).
    Usage {
        /// The line printed after `reprise: `.
        message: String,
    },
    /// Standard output was closed by the reader (`reprise analyze x.mid | head -1`): not an
    /// error; the command stops quietly.
    ClosedPipe,
}

impl CliError {
    /// A failure with this message.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
        }
    }

    /// A usage error (a setting out of range) with this message.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::Usage {
            message: message.into(),
        }
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        Self::Failed { message }
    }
}

impl From<io::Error> for CliError {
    /// Writing to standard output failed: a closed pipe, or a real error worth a line.
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Self::ClosedPipe
        } else {
            Self::failed(format!("cannot write to standard output: {error}"))
        }
    }
}

/// The result of a command.
pub type CliResult = Result<(), CliError>;

/// A line on standard error (a note beside the output). A closed standard error is ignored:
/// notes are never worth a panic.
pub fn note(line: std::fmt::Arguments<'_>) {
    use io::Write;
    let _ = writeln!(io::stderr(), "note: {line}");
}
