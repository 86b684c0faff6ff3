//! seedbridge: NumPy's and PyTorch's random streams, bit for bit, in Rust.
//!
//! See `README.md` for the supported calls and their fidelity.

pub mod array;
pub mod engine;
pub mod error;
pub mod numpy;

pub use array::{DType, Data, NdArray};
pub use error::{Error, Result};
