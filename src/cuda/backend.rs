//! [`CudaBackend`]: torch.cuda's random calls executed by the kernels of `kernels/torch_cuda.cu`.
//!
//! Planning is shared with the CPU emulation ([`crate::torch::cuda`]): a [`NullaryCall`] holds
//! the op, the dtype and the kernel launches (32-bit sub-iterators, Philox seed and offset, grid)
//! exactly as torch makes them, and advances a [`CudaGenerator`] exactly as torch does. The
//! backend only executes the launches. The grid comes from the plan, so a GPU reproduces the
//! stream of *any* profile (planning with `--gpu a100` on an H200 gives the A100's numbers);
//! [`CudaBackend::profile`] is the device's own, what torch would use there.

use std::sync::{Arc, Mutex};

use cudarc::driver::{CudaSlice, CudaStream, LaunchConfig, PushKernelArg};
use half::{bf16, f16};

use super::device::{self, driver_err, Device, DeviceInfo};
use super::loader::guard;
use crate::array::{checked_size, DType, Data, NdArray};
use crate::torch::cuda::{CudaGenerator, GpuProfile, NullaryCall, NullaryOp, BLOCK_SIZE};
use crate::{Error, Result};

/// Threads per block of `bernoulli_tensor_*` (`AT_APPLY_THREADS_PER_BLOCK`).
pub const APPLY_BLOCK_SIZE: u32 = 512;

/// The kernel-name suffix of a dtype (`float`, `bfloat16`, `int64`, ...).
pub fn dtype_suffix(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "float",
        DType::F64 => "double",
        DType::F16 => "half",
        DType::BF16 => "bfloat16",
        DType::I8 => "int8",
        DType::U8 => "uint8",
        DType::I16 => "int16",
        DType::I32 => "int32",
        DType::I64 => "int64",
        DType::Bool => "bool",
        DType::U16 => "uint16",
        DType::U32 => "uint32",
        DType::U64 => "uint64",
    }
}

/// The entry point of `kernels/torch_cuda.cu` that runs `op` for `dtype`, with its real and
/// integer parameters `(a, b, range, base)`.
pub fn kernel_for(op: &NullaryOp, dtype: DType) -> (String, f64, f64, u64, i64) {
    let sfx = dtype_suffix(dtype);
    let (prefix, a, b, range, base) = match *op {
        NullaryOp::Uniform { from, to } => ("uniform", from, to, 0, 0),
        NullaryOp::Normal { mean, std } => ("normal", mean, std, 0, 0),
        NullaryOp::LogNormal { mean, std } => ("log_normal", mean, std, 0, 0),
        NullaryOp::Exponential { lambda } => ("exponential", lambda, 0.0, 0, 0),
        NullaryOp::Cauchy { median, sigma } => ("cauchy", median, sigma, 0, 0),
        NullaryOp::Geometric { p } => ("geometric", p, 0.0, 0, 0),
        NullaryOp::Bernoulli { p } => ("bernoulli", p, 0.0, 0, 0),
        NullaryOp::RandomFromTo { range, base } => {
            let prefix = if range >= 1 << 28 {
                "random_from_to64"
            } else {
                "random_from_to"
            };
            (prefix, 0.0, 0.0, range, base)
        }
        NullaryOp::RandomFull64 => ("random_full64", 0.0, 0.0, 0, 0),
        NullaryOp::Random => ("random", 0.0, 0.0, 0, 0),
    };
    (format!("{prefix}_{sfx}"), a, b, range, base)
}

/// A tensor in GPU memory (C-ordered, contiguous).
pub struct DeviceArray {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: DType,
    buf: CudaSlice<u8>,
    stream: Arc<CudaStream>,
}

impl std::fmt::Debug for DeviceArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceArray")
            .field("shape", &self.shape)
            .field("dtype", &self.dtype)
            .field("bytes", &self.buf.len())
            .finish()
    }
}

impl DeviceArray {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw device buffer (little-endian element bytes; bool as 0/1 bytes).
    pub fn buffer(&self) -> &CudaSlice<u8> {
        &self.buf
    }

    /// Copies the array to the host.
    pub fn to_host(&self) -> Result<NdArray> {
        // The buffer may be longer than the elements (allocations are at least one byte).
        let nbytes = self.len() * self.dtype.itemsize();
        let bytes = guard("copying a tensor to the host", || {
            if nbytes == 0 {
                return Ok(Vec::new());
            }
            self.stream
                .clone_dtoh(&self.buf.slice(0..nbytes))
                .map_err(|e| driver_err("copying a tensor to the host", e))
        })?;
        Ok(NdArray::new(
            self.shape.clone(),
            data_from_le_bytes(self.dtype, &bytes),
        ))
    }
}

/// Decodes little-endian element bytes (bool as 0/1 bytes) into a [`Data`] buffer.
pub fn data_from_le_bytes(dtype: DType, b: &[u8]) -> Data {
    macro_rules! dec {
        ($t:ty, $n:expr, $v:ident) => {
            Data::$v(
                b.chunks_exact($n)
                    .map(|c| <$t>::from_le_bytes(c.try_into().unwrap_or([0; $n])))
                    .collect(),
            )
        };
    }
    match dtype {
        DType::Bool => Data::Bool(b.iter().map(|&x| x != 0).collect()),
        DType::U8 => Data::U8(b.to_vec()),
        DType::I8 => Data::I8(b.iter().map(|&x| x as i8).collect()),
        DType::I16 => dec!(i16, 2, I16),
        DType::U16 => dec!(u16, 2, U16),
        DType::I32 => dec!(i32, 4, I32),
        DType::U32 => dec!(u32, 4, U32),
        DType::F32 => dec!(f32, 4, F32),
        DType::I64 => dec!(i64, 8, I64),
        DType::U64 => dec!(u64, 8, U64),
        DType::F64 => dec!(f64, 8, F64),
        DType::F16 => Data::F16(
            b.chunks_exact(2)
                .map(|c| f16::from_bits(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
        ),
        DType::BF16 => Data::BF16(
            b.chunks_exact(2)
                .map(|c| bf16::from_bits(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
        ),
    }
}

/// torch.cuda's random calls on one GPU.
///
/// ```no_run
/// use seedbridge::cuda::CudaBackend;
/// use seedbridge::DType;
/// let gpu = CudaBackend::new(0)?;
/// // torch.cuda.manual_seed(0); torch.rand(4, device='cuda')
/// let x = gpu.rand(&[4], DType::F32, 0, 0)?;
/// # Ok::<(), seedbridge::Error>(())
/// ```
#[derive(Clone)]
pub struct CudaBackend {
    dev: Arc<Device>,
}

impl std::fmt::Debug for CudaBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CudaBackend")
            .field("info", &self.dev.info)
            .field("arch", &self.dev.arch)
            .finish()
    }
}

impl CudaBackend {
    /// Opens GPU `ordinal` (`cuda:N`): loads the driver and NVRTC, creates the context and a
    /// stream, and compiles the kernels for the device's architecture (once per process).
    /// Errors (no driver, no device, NVRTC missing or failing) say what to do.
    pub fn new(ordinal: usize) -> Result<Self> {
        Ok(CudaBackend {
            dev: device::device(ordinal)?,
        })
    }

    /// Number of visible CUDA devices.
    pub fn device_count() -> Result<usize> {
        device::device_count()
    }

    /// The device's properties.
    pub fn info(&self) -> &DeviceInfo {
        &self.dev.info
    }

    /// The launch geometry torch uses on this device (`--gpu` equivalent).
    pub fn profile(&self) -> GpuProfile {
        self.dev.info.profile()
    }

    /// The architecture the kernels were compiled for (`compute_90`).
    pub fn arch(&self) -> &str {
        &self.dev.arch
    }

    /// The device's default generator (`torch.cuda.default_generators[N]`); it starts as
    /// `torch.Generator(device='cuda')` does (seed 67280421310721, offset 0), so seed it.
    pub fn generator(&self) -> &Mutex<CudaGenerator> {
        &self.dev.generator
    }

    /// Waits for all work on the backend's stream.
    pub fn synchronize(&self) -> Result<()> {
        guard("cuStreamSynchronize", || {
            self.dev
                .stream
                .synchronize()
                .map_err(|e| driver_err("synchronizing the CUDA stream", e))
        })
    }

    fn alloc(&self, bytes: usize) -> Result<CudaSlice<u8>> {
        guard("cuMemAlloc", || {
            // SAFETY: the buffer is uninitialised device memory; every caller writes all of it
            // (the launches of a NullaryCall cover every element; bernoulli_tensor covers all).
            unsafe { self.dev.stream.alloc::<u8>(bytes.max(1)) }.map_err(|e| {
                driver_err(
                    &format!(
                        "allocating {bytes} bytes on cuda:{} ({})",
                        self.dev.info.ordinal, self.dev.info.name
                    ),
                    e,
                )
            })
        })
    }

    /// Runs a planned call (see [`NullaryCall::launch`] / [`NullaryCall::at`]) on the GPU and
    /// returns the output in device memory, shaped `shape` (whose product must be
    /// `call.numel`).
    pub fn execute(&self, call: &NullaryCall, shape: &[usize]) -> Result<DeviceArray> {
        let n = checked_size(shape)?;
        if n as u64 != call.numel {
            return Err(Error::value(format!(
                "shape {shape:?} has {n} elements but the call was planned for {}",
                call.numel
            )));
        }
        let bytes = n
            .checked_mul(call.dtype.itemsize())
            .ok_or_else(|| Error::Memory("tensor too large".into()))?;
        self.check_kernel(call)?;
        let mut buf = self.alloc(bytes)?;
        self.launch_into(call, &mut buf)?;
        Ok(DeviceArray {
            shape: shape.to_vec(),
            dtype: call.dtype,
            buf,
            stream: self.dev.stream.clone(),
        })
    }

    fn check_kernel(&self, call: &NullaryCall) -> Result<String> {
        let name = kernel_for(&call.op, call.dtype).0;
        if self.dev.has_kernel(&name) {
            Ok(name)
        } else {
            Err(Error::unsupported(format!(
                "{:?} on a CUDA {} tensor with --backend cuda",
                call.op,
                call.dtype.name()
            )))
        }
    }

    /// Enqueues the launches of `call` writing into `buf` (at least `call.numel` elements of
    /// `call.dtype`); does not wait for them.
    pub(crate) fn launch_into(&self, call: &NullaryCall, buf: &mut CudaSlice<u8>) -> Result<()> {
        let name = self.check_kernel(call)?;
        let (_, a, b, range, base) = kernel_for(&call.op, call.dtype);
        let isz = call.dtype.itemsize();
        let need = (call.numel as usize).saturating_mul(isz);
        if buf.len() < need {
            return Err(Error::value(format!(
                "device buffer of {} bytes is too small for {need}",
                buf.len()
            )));
        }
        let func = self.dev.function(&name)?;
        let stream = &self.dev.stream;
        let aux: u64 = 0;
        for l in &call.launches {
            if l.len == 0 {
                continue;
            }
            let start = (l.start as usize) * isz;
            let end = start + (l.len as usize) * isz;
            let numel = l.len as i64;
            let cfg = LaunchConfig {
                grid_dim: (l.policy.grid, 1, 1),
                block_dim: (BLOCK_SIZE, 1, 1),
                shared_mem_bytes: 0,
            };
            guard("cuLaunchKernel", || {
                let mut view = buf.slice_mut(start..end);
                let mut args = stream.launch_builder(&func);
                args.arg(&mut view)
                    .arg(&aux)
                    .arg(&numel)
                    .arg(&l.seed)
                    .arg(&l.philox_offset)
                    .arg(&a)
                    .arg(&b)
                    .arg(&range)
                    .arg(&base);
                // SAFETY: the arguments match the kernel's signature (void*, const void*,
                // long long, u64, u64, double, double, u64, long long) in order and size; `view`
                // holds exactly `numel` elements of the kernel's output type, the only memory it
                // writes; the block (256 threads) and grid (<= SMs * blocks per SM of the
                // planning profile, far below maxGridSize) are within the device limits.
                unsafe { args.launch(cfg) }
                    .map(|_| ())
                    .map_err(|e| driver_err(&format!("launching {name}"), e))
            })?;
        }
        Ok(())
    }

    /// Allocates an uninitialised device buffer of `bytes` bytes on the backend's stream.
    pub(crate) fn alloc_bytes(&self, bytes: usize) -> Result<CudaSlice<u8>> {
        self.alloc(bytes)
    }

    /// The backend's stream.
    pub(crate) fn stream(&self) -> &Arc<CudaStream> {
        &self.dev.stream
    }

    /// Plans `op` against `gen` with this device's profile (advancing `gen` exactly as torch
    /// does) and runs it on the GPU; returns the result on the host.
    pub fn nullary(
        &self,
        gen: &mut CudaGenerator,
        op: NullaryOp,
        shape: &[usize],
        dtype: DType,
    ) -> Result<NdArray> {
        let n = checked_size(shape)? as u64;
        let call = NullaryCall::launch(gen, &self.profile(), op, dtype, n)?;
        self.execute(&call, shape)?.to_host()
    }

    /// `op` from an explicit Philox `(seed, offset)`; returns the result and the generator
    /// offset after the call.
    pub fn nullary_at(
        &self,
        op: NullaryOp,
        shape: &[usize],
        dtype: DType,
        seed: u64,
        offset: u64,
    ) -> Result<(NdArray, u64)> {
        let n = checked_size(shape)? as u64;
        let (call, next) = NullaryCall::at(seed, offset, &self.profile(), op, dtype, n)?;
        Ok((self.execute(&call, shape)?.to_host()?, next))
    }

    /// `torch.rand(shape, dtype=dtype, device='cuda')` with the generator at `(seed, offset)`
    /// (`torch.cuda.manual_seed(seed)` gives offset 0).
    pub fn rand(&self, shape: &[usize], dtype: DType, seed: u64, offset: u64) -> Result<NdArray> {
        let op = NullaryOp::Uniform { from: 0.0, to: 1.0 };
        Ok(self.nullary_at(op, shape, dtype, seed, offset)?.0)
    }

    /// `torch.randn(shape, dtype=dtype, device='cuda')` with the generator at `(seed, offset)`.
    pub fn randn(&self, shape: &[usize], dtype: DType, seed: u64, offset: u64) -> Result<NdArray> {
        let op = NullaryOp::Normal {
            mean: 0.0,
            std: 1.0,
        };
        Ok(self.nullary_at(op, shape, dtype, seed, offset)?.0)
    }

    /// `t.bernoulli_(p)` for a probability tensor `p` (`bernoulli_tensor_cuda_kernel`) on a
    /// tensor of `shape` and `dtype`: `p` is broadcast to `shape` and converted to float (double
    /// for a double `t`); the generator advances by 12 (`philox_cuda_state(10)`).
    pub fn bernoulli_tensor(
        &self,
        gen: &mut CudaGenerator,
        shape: &[usize],
        dtype: DType,
        p: &NdArray,
    ) -> Result<NdArray> {
        let n = checked_size(shape)?;
        if n == 0 {
            return Ok(NdArray::new(shape.to_vec(), data_from_le_bytes(dtype, &[])));
        }
        let (seed, offset) = gen.philox_cuda_state(10);
        if !p.dtype().is_float() {
            return Err(Error::Runtime(format!(
                "expected probabilities tensor to have floating type, got {}",
                crate::torch::cuda::scalar_type_name(p.dtype())
            )));
        }
        let name = format!("bernoulli_tensor_{}", dtype_suffix(dtype));
        if !self.dev.has_kernel(&name) {
            return Err(Error::Runtime(format!(
                "\"bernoulli_tensor_cuda_self_\" not implemented for '{}'",
                crate::torch::cuda::scalar_type_name(dtype)
            )));
        }
        let idx = crate::torch::checks::expand_index(&p.shape, shape)?;
        let double = dtype == DType::F64;
        let mut pbytes = Vec::with_capacity(n * if double { 8 } else { 4 });
        for &i in &idx {
            let v = p.data.get_f64(i);
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::Runtime(
                    "CUDA error: device-side assert triggered (bernoulli_tensor_cuda_kernel: \
                     Assertion `0 <= p && p <= 1` failed)"
                        .into(),
                ));
            }
            if double {
                pbytes.extend_from_slice(&v.to_le_bytes());
            } else {
                pbytes.extend_from_slice(&(v as f32).to_le_bytes());
            }
        }
        let stream = &self.dev.stream;
        let pdev = guard("copying probabilities to the GPU", || {
            stream
                .clone_htod(&pbytes)
                .map_err(|e| driver_err("copying probabilities to the GPU", e))
        })?;
        let mut buf = self.alloc(n * dtype.itemsize())?;
        let func = self.dev.function(&name)?;
        let threads = u64::from(APPLY_BLOCK_SIZE) * 4;
        let blocks = (n as u64).div_ceil(threads);
        let grid = blocks.min(u64::from(self.dev.info.max_grid_x.max(1))) as u32;
        let numel = n as i64;
        let (z, zu, zi) = (0f64, 0u64, 0i64);
        guard("cuLaunchKernel", || {
            let mut args = stream.launch_builder(&func);
            args.arg(&mut buf)
                .arg(&pdev)
                .arg(&numel)
                .arg(&seed)
                .arg(&offset)
                .arg(&z)
                .arg(&z)
                .arg(&zu)
                .arg(&zi);
            let cfg = LaunchConfig {
                grid_dim: (grid, 1, 1),
                block_dim: (APPLY_BLOCK_SIZE, 1, 1),
                shared_mem_bytes: 0,
            };
            // SAFETY: arguments match the kernel signature; `buf` holds `numel` outputs and
            // `pdev` `numel` probabilities of the type the kernel reads (double for a double
            // output, else float); 512 threads per block is within every device's limit.
            unsafe { args.launch(cfg) }
                .map(|_| ())
                .map_err(|e| driver_err(&format!("launching {name}"), e))
        })?;
        DeviceArray {
            shape: shape.to_vec(),
            dtype,
            buf,
            stream: stream.clone(),
        }
        .to_host()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_names() {
        let (n, a, b, ..) = kernel_for(&NullaryOp::Uniform { from: 1.0, to: 2.0 }, DType::BF16);
        assert_eq!((n.as_str(), a, b), ("uniform_bfloat16", 1.0, 2.0));
        let op = NullaryOp::RandomFromTo {
            range: 1 << 28,
            base: -3,
        };
        let (n, _, _, r, base) = kernel_for(&op, DType::I32);
        assert_eq!(
            (n.as_str(), r, base),
            ("random_from_to64_int32", 1 << 28, -3)
        );
        let op = NullaryOp::RandomFromTo {
            range: (1 << 28) - 1,
            base: 0,
        };
        assert_eq!(kernel_for(&op, DType::Bool).0, "random_from_to_bool");
    }

    #[test]
    fn broadcasting() {
        assert_eq!(
            crate::torch::checks::expand_index(&[2, 1], &[2, 3]).unwrap(),
            vec![0, 0, 0, 1, 1, 1]
        );
        assert_eq!(
            crate::torch::checks::expand_index(&[3], &[2, 3]).unwrap(),
            vec![0, 1, 2, 0, 1, 2]
        );
        assert!(crate::torch::checks::expand_index(&[2], &[2, 3]).is_err());
    }

    #[test]
    fn decode() {
        let d = data_from_le_bytes(DType::I16, &[1, 0, 0xff, 0xff]);
        assert_eq!(d, Data::I16(vec![1, -1]));
        let d = data_from_le_bytes(DType::Bool, &[1, 0]);
        assert_eq!(d, Data::Bool(vec![true, false]));
    }
}
