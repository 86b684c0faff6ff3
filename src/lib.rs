//! seedbridge: NumPy's and PyTorch's random streams, bit for bit, in Rust.
//!
//! See `README.md` for the supported calls and their fidelity.
//!
//! `unsafe` is denied everywhere but in [`cuda`] (FFI launches through cudarc).

#![deny(unsafe_code)]

pub mod array;
pub mod bench;
#[allow(unsafe_code)]
pub mod cuda;
pub mod engine;
pub mod error;
pub mod format;
pub mod math;
pub mod npy;
pub mod numpy;
pub mod pyrandom;
pub mod script;
pub mod state;
pub mod torch;

pub use array::{DType, Data, NdArray};
pub use error::{Error, Result};
