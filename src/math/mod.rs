//! Transcendental functions whose bits matter: the glibc-equivalent scalar functions torch's CPU
//! kernels call, the AVX2 polynomial approximations of torch's vectorised kernels, and (in a
//! sibling module) CUDA device math.
//!
//! Every function here states which upstream routine it mirrors and how its result is rounded.

pub mod cpu;
pub mod cuda;
