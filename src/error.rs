//! The one error type of the library.
//!
//! Variants mirror the Python exception the real library raises, so that `seedbridge run`
//! can report `ValueError: ...` exactly as NumPy/PyTorch would, and exit with status 2.

use thiserror::Error;

/// Every failure the library reports. Display gives `Kind: message`, like a Python traceback's
/// last line.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// Python `ValueError`.
    #[error("ValueError: {0}")]
    Value(String),
    /// Python `TypeError`.
    #[error("TypeError: {0}")]
    Type(String),
    /// Python `OverflowError`.
    #[error("OverflowError: {0}")]
    Overflow(String),
    /// Python `IndexError`.
    #[error("IndexError: {0}")]
    Index(String),
    /// Python `RuntimeError` (what torch raises for most argument errors).
    #[error("RuntimeError: {0}")]
    Runtime(String),
    /// Python `NotImplementedError` (torch's "... not implemented for 'Long'").
    #[error("NotImplementedError: {0}")]
    NotImplemented(String),
    /// Python `NameError` (a name used in a script that was never bound).
    #[error("NameError: {0}")]
    Name(String),
    /// Python `AttributeError`.
    #[error("AttributeError: {0}")]
    Attribute(String),
    /// Python `ZeroDivisionError`.
    #[error("ZeroDivisionError: {0}")]
    ZeroDivision(String),
    /// Python `MemoryError` / an allocation we refuse to attempt.
    #[error("MemoryError: {0}")]
    Memory(String),
    /// A call, argument or construct seedbridge does not reproduce. Never a wrong number.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// A syntax error in a `run` script.
    #[error("SyntaxError: {0}")]
    Syntax(String),
    /// File-system failure (saving .npy files, reading scripts or states).
    #[error("IOError: {0}")]
    Io(String),
    /// CUDA driver / NVRTC / device failure.
    #[error("CUDA error: {0}")]
    Cuda(String),
}

impl Error {
    /// Shorthand for a `ValueError`.
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
    /// Shorthand for a `TypeError`.
    pub fn type_err(msg: impl Into<String>) -> Self {
        Error::Type(msg.into())
    }
    /// Shorthand for an unsupported call.
    pub fn unsupported(what: impl Into<String>) -> Self {
        Error::Unsupported(what.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;
