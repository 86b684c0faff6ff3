//! PyTorch's random streams: the CPU generator (MT19937, [`cpu`]) and its distribution kernels.
//! The CUDA generator (Philox) lives in a sibling module.

pub mod checks;
pub mod cpu;
pub mod cuda;
pub mod names;
