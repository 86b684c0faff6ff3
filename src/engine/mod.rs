//! Bit generators. Engines produce raw words only, at their native width; word order,
//! int -> float conversion and every distribution belong to the library layers
//! ([`crate::numpy`], [`crate::torch`]).

pub mod mt19937;
pub mod mt19937_jump;
pub mod parallel;
pub mod pcg64;
pub mod philox4x32;
pub mod philox4x64;
pub mod seed_sequence;
pub mod sfc64;

pub use mt19937::Mt19937;
pub use pcg64::{Pcg64, Pcg64Dxsm};
pub use philox4x64::Philox4x64;
pub use seed_sequence::SeedSequence;
pub use sfc64::Sfc64;

/// An engine whose native output is a 32-bit word (MT19937).
pub trait Engine32 {
    /// The next raw 32-bit output.
    fn next_u32(&mut self) -> u32;
}

/// An engine whose native output is a 64-bit word (PCG64, PCG64DXSM, Philox4x64, SFC64).
pub trait Engine64 {
    /// The next raw 64-bit output.
    fn next_u64(&mut self) -> u64;
}
