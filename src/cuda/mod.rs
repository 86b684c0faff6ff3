//! The CUDA backend: torch.cuda's random streams generated on an NVIDIA GPU.
//!
//! * `kernels/torch_cuda.cu` (+ `kernels/philox.cuh`) are hand-written CUDA reproducing PyTorch's
//!   distribution kernels bit for bit; `build.rs` embeds them ([`KERNEL_SOURCES`]).
//! * [`nvrtc`] compiles them at run time with NVRTC, once per GPU architecture, with pinned
//!   options ([`nvrtc::COMPILE_OPTIONS`]); [`compile_only`] needs only the NVRTC library.
//! * [`CudaBackend`] opens a GPU through cudarc (context, stream, module, default generator:
//!   one registry entry per device) and executes the launches that the CPU emulation
//!   ([`crate::torch::cuda::NullaryCall`]) plans, so offsets, 32-bit splitting and launch
//!   geometry are shared with it.
//! * [`doctor()`] / [`doctor_report`] back `seedbridge doctor [--compile-only]`.
//!
//! Nothing CUDA is needed to build: cudarc loads `libcuda.so.1` and `libnvrtc.so.{13,12}` at
//! run time ([`loader`] documents where NVRTC is looked for, e.g. `SEEDBRIDGE_NVRTC`). Every
//! failure — no driver, no device, NVRTC missing or failing (with its log), out of memory — is
//! an [`crate::Error::Cuda`] that says what to do, never a panic.
//!
//! # Fidelity on the GPU
//! The kernels run the device math torch's kernels run (libdevice `logf`, `log`, `sincospi`,
//! `exp`, `tan`, `log1p` and the `__sincosf`, `__logf`, `__expf`, `__tanf` intrinsics), so every
//! call, normal/randn in float32 included, is meant to equal torch.cuda bit for bit;
//! `scripts/gpu_check.sh` verifies that against real PyTorch on a CUDA machine.
//!
//! This is the only module of the crate with `unsafe` code (FFI and kernel launches); every
//! block states why it is sound.

pub mod backend;
pub mod bench;
pub mod device;
pub mod doctor;
pub mod loader;
pub mod nvrtc;

pub use backend::{data_from_le_bytes, dtype_suffix, kernel_for, CudaBackend, DeviceArray};
pub use device::{device_count, device_info, driver_version, DeviceInfo};
pub use doctor::{doctor, doctor_report, DoctorReport};

include!(concat!(env!("OUT_DIR"), "/kernels.rs"));

/// Compiles every embedded kernel with NVRTC for `arch` (`compute_90`, `sm_80`, `8.6`, ...)
/// without needing a GPU or a driver; returns each entry point with the size of its PTX in
/// bytes. Errors carry NVRTC's log.
pub fn compile_only(arch: &str) -> crate::Result<Vec<(String, usize)>> {
    let srcs = nvrtc::compile_all(arch)?;
    Ok(srcs
        .iter()
        .flat_map(|s| s.entries.iter().cloned())
        .collect())
}

/// True when a CUDA GPU can be used: driver present, at least one device visible.
pub fn gpu_available() -> bool {
    matches!(device_count(), Ok(n) if n > 0)
}
