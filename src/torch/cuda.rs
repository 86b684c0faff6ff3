//! `torch.cuda` random streams, reproduced on the CPU.
//!
//! PyTorch draws CUDA random numbers from cuRAND's Philox4x32-10 ([`crate::engine::philox4x32`]):
//! every kernel thread calls `curand_init(seed, thread_index, philox_offset)` and then draws one
//! 128-bit block per grid-stride round. The generator state is only `(seed, offset)`
//! ([`CudaGenerator`]); which element receives which block depends on the launch geometry,
//! and that depends on the GPU ([`GpuProfile`], [`calc_execution_policy`]). Everything here is
//! counter-based: any element range can be computed without generating what precedes it
//! ([`NullaryCall::generate`]), and generation runs in parallel with results independent of
//! the thread count.
//!
//! # Upstream
//! * generator: `aten/src/ATen/cuda/CUDAGeneratorImpl.{h,cpp}`;
//! * launch geometry and kernels: `aten/src/ATen/native/cuda/DistributionTemplates.h`
//!   (`calc_execution_policy`, `distribution_elementwise_grid_stride_kernel`,
//!   `distribution_nullary_kernel`, `uniform_kernel`, `normal_kernel`, `random_*_kernel`,
//!   `bernoulli_*`, `exponential_kernel`, `geometric_kernel`, `cauchy_kernel`,
//!   `log_normal_kernel`), transformations in `aten/src/ATen/core/TransformationHelper.h`,
//!   argument checks in `aten/src/ATen/native/DistributionTemplates.h`;
//! * 32-bit index splitting: `TensorIteratorBase::can_use_32bit_indexing`, `split`,
//!   `SplitUntil32Bit` (`aten/src/ATen/TensorIterator.cpp`);
//! * `randperm`: `aten/src/ATen/native/cuda/Randperm.cu`, `Randperm.cuh`;
//! * dropout: `aten/src/ATen/native/cuda/Dropout.cu` (`dropout_cuda`, `fused_dropout_kernel`,
//!   `fused_dropout_kernel_vec`), `aten/src/ATen/native/Dropout.cpp`;
//! * `bernoulli(p_tensor)`: `bernoulli_tensor_cuda_kernel` with `CUDA_tensor_apply2`
//!   (`aten/src/ATen/cuda/CUDAApplyUtils.cuh`, `ApplyGridUtils.cuh`);
//! * cuRAND conversions: `curand_uniform.h`, `curand_normal.h`.
//!
//! # Fidelity
//! | call | dtypes | fidelity |
//! |---|---|---|
//! | `rand`/`uniform_`, `randint`/`random_`, `bernoulli_(p)`, `bernoulli(p_tensor)`, `randperm`, `dropout` | all torch allows (`geometric_` on integers: int32/int64 only) | bit-exact |
//! | `randn`/`normal_` | f64 | bit-exact (libdevice `log`, `sincospi`), given the documented `rcp.approx.ftz.f64` seed; otherwise 1 ulp for about 1e-6 of elements (see [`crate::math::cuda`]) |
//! | `randn`/`normal_` | f32, f16, bf16 | bounded: `__sincosf` is the GPU's MUFU approximation; \|emulated - GPU\| <= [`NORMAL_F32_ABS_BOUND`] x std (+1 ulp of a half/bfloat16 result) |
//! | `log_normal_`, `exponential_`, `geometric_`, `cauchy_` | f64 | bit-exact with the same caveat (libdevice `exp`, `log`, `log1p`, `tan`) |
//! | `log_normal_`, `exponential_`, `geometric_`, `cauchy_` | f32, f16, bf16 | bounded: `__expf`, `__logf`, `__tanf` are MUFU approximations ([`crate::math::cuda`] gives each bound) |
//!
//! Assumptions, all nvcc defaults that PyTorch's build keeps: `a * b + c` in a kernel is
//! contracted to one FMA (`-fmad=true`): `uniform_`'s `rand * range + from`, `normal_`'s
//! `n * std + mean`, `cauchy_`'s `median + sigma * tan`, and the float Box-Muller angle.
//! `rand()` (`range == 1`), `randn()` (`std == 1`, `mean == 0`) and power-of-two ranges give
//! the same bits fused or not. `dropout`'s vectorised kernel assumes a contiguous, 16-byte
//! aligned input (every fresh CUDA allocation is 512-byte aligned).
//!
//! Verified against values printed by real GPUs in public PyTorch issues (#143086 H100 and
//! A100, #97097 RTX A4000 and RTX 2070 SUPER, #62467 RTX A6000, #158398 RTX 3060 and Quadro
//! RTX 8000), with each machine's profile: see `tests/torch_cuda.rs`.

use crate::torch::checks::{
    check_from_to_in_range, check_uniform_bounds, expand_index, float_digits, update_from,
    update_to,
};
use crate::torch::names::not_implemented;
pub use crate::torch::names::{cpp_double, scalar_type_name, type_meta_name};
use std::ops::Range;
use std::str::FromStr;

use half::{bf16, f16};

use crate::array::{DType, Data, NdArray};
use crate::engine::philox4x32::{curand_block, curand_blocks_soa, CurandPhilox};
use crate::math::cpu::{self as m, fmaf, FmaOp};
use crate::math::cuda as dm;
use crate::{Error, Result};

// ============================================================================================
// GPU profiles
// ============================================================================================

/// The two device properties torch's CUDA random kernels read (`cudaDeviceProp::
/// multiProcessorCount` and `maxThreadsPerMultiProcessor`). Above one "wave" of
/// `sms * (max_threads_per_sm / 256) * 256` threads the values depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GpuProfile {
    /// Streaming multiprocessors (`multiProcessorCount`).
    pub sms: u32,
    /// Maximum resident threads per multiprocessor (`maxThreadsPerMultiProcessor`).
    pub max_threads_per_sm: u32,
}

/// Named GPU profiles: (name, profile, description). SM counts and threads per SM from
/// NVIDIA's product specifications and CUDA compute-capability tables (2048 threads/SM for
/// sm_60/70/80/90, 1024 for sm_75, 1536 for sm_86/89).
pub const GPU_PRESETS: &[(&str, GpuProfile, &str)] = &[
    ("h200", GpuProfile::new(132, 2048), "H200 SXM (sm_90)"),
    ("h100-sxm", GpuProfile::new(132, 2048), "H100 SXM5 (sm_90)"),
    ("h100-pcie", GpuProfile::new(114, 2048), "H100 PCIe (sm_90)"),
    ("h20", GpuProfile::new(78, 2048), "H20 (sm_90)"),
    ("a100", GpuProfile::new(108, 2048), "A100 SXM4/PCIe (sm_80)"),
    ("a10g", GpuProfile::new(80, 1536), "A10G (sm_86, AWS g5)"),
    ("a10", GpuProfile::new(72, 1536), "A10 (sm_86)"),
    ("a40", GpuProfile::new(84, 1536), "A40 (sm_86)"),
    ("l4", GpuProfile::new(58, 1536), "L4 (sm_89)"),
    ("l40s", GpuProfile::new(142, 1536), "L40S (sm_89)"),
    ("l40", GpuProfile::new(142, 1536), "L40 (sm_89)"),
    ("t4", GpuProfile::new(40, 1024), "T4 (sm_75)"),
    ("v100", GpuProfile::new(80, 2048), "V100 SXM2/PCIe (sm_70)"),
    (
        "rtx2070-super",
        GpuProfile::new(40, 1024),
        "GeForce RTX 2070 SUPER (sm_75)",
    ),
    (
        "rtx2080ti",
        GpuProfile::new(68, 1024),
        "GeForce RTX 2080 Ti (sm_75)",
    ),
    ("titan-rtx", GpuProfile::new(72, 1024), "TITAN RTX (sm_75)"),
    (
        "quadro-rtx8000",
        GpuProfile::new(72, 1024),
        "Quadro RTX 8000 (sm_75)",
    ),
    (
        "rtx3060",
        GpuProfile::new(28, 1536),
        "GeForce RTX 3060 (sm_86)",
    ),
    (
        "rtx3080",
        GpuProfile::new(68, 1536),
        "GeForce RTX 3080 10 GB (sm_86)",
    ),
    (
        "rtx3090",
        GpuProfile::new(82, 1536),
        "GeForce RTX 3090 (sm_86)",
    ),
    (
        "rtx4080",
        GpuProfile::new(76, 1536),
        "GeForce RTX 4080 (sm_89)",
    ),
    (
        "rtx4090",
        GpuProfile::new(128, 1536),
        "GeForce RTX 4090 (sm_89)",
    ),
    ("a4000", GpuProfile::new(48, 1536), "RTX A4000 (sm_86)"),
    ("a6000", GpuProfile::new(84, 1536), "RTX A6000 (sm_86)"),
    (
        "quadro-m4000",
        GpuProfile::new(13, 2048),
        "Quadro M4000 (sm_52)",
    ),
];

impl GpuProfile {
    /// A profile from its two properties.
    pub const fn new(sms: u32, max_threads_per_sm: u32) -> Self {
        GpuProfile {
            sms,
            max_threads_per_sm,
        }
    }

    /// Blocks of 256 threads per SM: `maxThreadsPerMultiProcessor / 256` (integer division,
    /// `calc_execution_policy`).
    pub fn blocks_per_sm(&self) -> u32 {
        self.max_threads_per_sm / BLOCK_SIZE
    }

    /// The grid cap of the distribution kernels: `multiProcessorCount * blocks_per_sm`.
    pub fn max_grid(&self) -> u32 {
        self.sms.wrapping_mul(self.blocks_per_sm())
    }

    /// Threads in one full wave (`max_grid * 256`): tensors up to this size give the same
    /// values on every GPU.
    pub fn wave_threads(&self) -> u64 {
        u64::from(self.max_grid()) * u64::from(BLOCK_SIZE)
    }

    /// A preset by name (case-insensitive; `_` and `-` are interchangeable).
    pub fn preset(name: &str) -> Option<GpuProfile> {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        GPU_PRESETS
            .iter()
            .find(|(n, _, _)| *n == key)
            .map(|(_, p, _)| *p)
    }

    /// Parses a preset name or `SMSxTHREADS` (e.g. `108x2048`). Unknown names are a
    /// `ValueError` listing the presets.
    pub fn parse(spec: &str) -> Result<GpuProfile> {
        if let Some(p) = Self::preset(spec) {
            return Ok(p);
        }
        let s = spec.trim().to_ascii_lowercase();
        if let Some((a, b)) = s.split_once('x') {
            if let (Ok(sms), Ok(threads)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
                if sms == 0 || threads < BLOCK_SIZE || sms.checked_mul(threads).is_none() {
                    return Err(Error::value(format!(
                        "invalid GPU profile '{spec}': need at least 1 multiprocessor and at \
                         least {BLOCK_SIZE} threads per multiprocessor"
                    )));
                }
                return Ok(GpuProfile::new(sms, threads));
            }
        }
        let names: Vec<&str> = GPU_PRESETS.iter().map(|(n, _, _)| *n).collect();
        Err(Error::value(format!(
            "unknown GPU profile '{spec}': expected one of {} or SMSxTHREADS \
             (multiprocessors x max threads per multiprocessor, e.g. 108x2048)",
            names.join(", ")
        )))
    }
}

impl FromStr for GpuProfile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        GpuProfile::parse(s)
    }
}

impl std::fmt::Display for GpuProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.sms, self.max_threads_per_sm)
    }
}

// ============================================================================================
// Generator
// ============================================================================================

/// `c10::default_rng_seed_val`: the seed of a fresh `torch.Generator(device='cuda')`.
pub const DEFAULT_RNG_SEED: u64 = 67_280_421_310_721;

/// `at::CUDAGeneratorImpl`: a 64-bit seed (both halves key Philox) and
/// `philox_offset_per_thread`, counted in 32-bit values and always a multiple of 4.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CudaGenerator {
    seed: u64,
    philox_offset_per_thread: u64,
}

impl Default for CudaGenerator {
    fn default() -> Self {
        Self::new()
    }
}

impl CudaGenerator {
    /// `torch.Generator(device='cuda')`: seed 67280421310721, offset 0
    /// (`createCUDAGenerator`).
    pub fn new() -> Self {
        CudaGenerator {
            seed: DEFAULT_RNG_SEED,
            philox_offset_per_thread: 0,
        }
    }

    /// A generator after `manual_seed(seed)`.
    pub fn with_seed(seed: u64) -> Self {
        CudaGenerator {
            seed,
            philox_offset_per_thread: 0,
        }
    }

    /// `manual_seed` / `set_current_seed`: seed = all 64 bits, offset = 0. (Python maps
    /// negative seeds to `2^64 + seed` before this.)
    pub fn manual_seed(&mut self, seed: u64) {
        self.seed = seed;
        self.philox_offset_per_thread = 0;
    }

    /// `initial_seed()` / `current_seed()`: the full 64-bit seed.
    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    /// `seed()`: reseeds from the OS entropy source like `getNonDeterministicRandom(true)`
    /// (53 random bits) and returns the new seed.
    pub fn seed(&mut self) -> Result<u64> {
        use std::io::Read;
        let mut b = [0u8; 8];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut b))
            .map_err(|e| Error::Io(format!("cannot read /dev/urandom for a random seed: {e}")))?;
        let s = u64::from_le_bytes(b) & 0x1F_FFFF_FFFF_FFFF;
        self.manual_seed(s);
        Ok(s)
    }

    /// `get_offset()` / `philox_offset_per_thread()`.
    pub fn get_offset(&self) -> u64 {
        self.philox_offset_per_thread
    }

    /// `set_offset(offset)`: `RuntimeError: offset must be a multiple of 4` otherwise.
    pub fn set_offset(&mut self, offset: u64) -> Result<()> {
        if offset % 4 != 0 {
            return Err(Error::Runtime("offset must be a multiple of 4".into()));
        }
        self.philox_offset_per_thread = offset;
        Ok(())
    }

    /// `get_state()` / `torch.cuda.get_rng_state()`: 16 bytes, the seed (u64 little-endian)
    /// then the offset (i64 little-endian).
    pub fn get_state(&self) -> [u8; 16] {
        let mut s = [0u8; 16];
        s[..8].copy_from_slice(&self.seed.to_le_bytes());
        s[8..].copy_from_slice(&self.philox_offset_per_thread.to_le_bytes());
        s
    }

    /// `set_state(state)` / `torch.cuda.set_rng_state`: 16 bytes (seed, offset) or 8 bytes
    /// (seed only, offset 0); any other size is `RuntimeError: RNG state is wrong size`, an
    /// offset not a multiple of 4 is `RuntimeError: offset must be a multiple of 4` (raised
    /// after the seed was already applied, as in torch).
    pub fn set_state(&mut self, state: &[u8]) -> Result<()> {
        if state.len() != 16 && state.len() != 8 {
            return Err(Error::Runtime("RNG state is wrong size".into()));
        }
        let mut b = [0u8; 8];
        b.copy_from_slice(&state[..8]);
        self.manual_seed(u64::from_le_bytes(b));
        let offset = if state.len() == 16 {
            b.copy_from_slice(&state[8..16]);
            u64::from_le_bytes(b)
        } else {
            0
        };
        self.set_offset(offset)
    }

    /// `philox_cuda_state(increment)`: returns `(seed, offset)` for one kernel launch, then
    /// advances the offset by `increment` rounded up to a multiple of 4.
    pub fn philox_cuda_state(&mut self, increment: u64) -> (u64, u64) {
        let out = (self.seed, self.philox_offset_per_thread);
        let inc = increment.wrapping_add(3) / 4 * 4;
        self.philox_offset_per_thread = self.philox_offset_per_thread.wrapping_add(inc);
        out
    }
}

/// The default CUDA generators of a process, one per device (`default_gens_cuda` in
/// `CUDAGeneratorImpl.cpp`), with the current device of `torch.cuda.set_device`.
/// A device's generator is created on first use and seeded like torch's, from entropy
/// (`getDefaultCUDAGenerator` calls `seed()`), unless a manual seed reached it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CudaDevices {
    gens: Vec<Option<CudaGenerator>>,
    current: usize,
}

impl CudaDevices {
    /// `count` emulated devices (at least one), device 0 current.
    pub fn new(count: usize) -> Self {
        CudaDevices {
            gens: vec![None; count.max(1)],
            current: 0,
        }
    }

    /// Number of devices.
    pub fn device_count(&self) -> usize {
        self.gens.len()
    }

    /// `torch.cuda.current_device()`.
    pub fn current_device(&self) -> usize {
        self.current
    }

    fn check(&self, device: usize) -> Result<()> {
        if device >= self.gens.len() {
            return Err(Error::Runtime(format!(
                "CUDA error: invalid device ordinal (device {device}, {} device(s) emulated)",
                self.gens.len()
            )));
        }
        Ok(())
    }

    /// `torch.cuda.set_device(device)`.
    pub fn set_device(&mut self, device: usize) -> Result<()> {
        self.check(device)?;
        self.current = device;
        Ok(())
    }

    /// The default generator of `device` (`None` = current), seeding it from entropy on first
    /// use as torch does.
    pub fn generator(&mut self, device: Option<usize>) -> Result<&mut CudaGenerator> {
        let d = device.unwrap_or(self.current);
        self.check(d)?;
        if self.gens[d].is_none() {
            let mut g = CudaGenerator::new();
            g.seed()?;
            self.gens[d] = Some(g);
        }
        Ok(self.gens[d].get_or_insert_with(CudaGenerator::new))
    }

    /// `torch.cuda.manual_seed(seed)`: the current device only.
    pub fn manual_seed(&mut self, seed: u64) {
        self.gens[self.current] = Some(CudaGenerator::with_seed(seed));
    }

    /// `torch.cuda.manual_seed_all(seed)`, also run by `torch.manual_seed(seed)`: every device.
    pub fn manual_seed_all(&mut self, seed: u64) {
        for g in self.gens.iter_mut() {
            *g = Some(CudaGenerator::with_seed(seed));
        }
    }

    /// `torch.cuda.initial_seed()` of the current device.
    pub fn initial_seed(&mut self) -> Result<u64> {
        Ok(self.generator(None)?.initial_seed())
    }

    /// `torch.cuda.get_rng_state(device)`.
    pub fn get_rng_state(&mut self, device: Option<usize>) -> Result<[u8; 16]> {
        Ok(self.generator(device)?.get_state())
    }

    /// `torch.cuda.set_rng_state(state, device)`.
    pub fn set_rng_state(&mut self, state: &[u8], device: Option<usize>) -> Result<()> {
        self.generator(device)?.set_state(state)
    }
}

// ============================================================================================
// Launch geometry
// ============================================================================================

/// Threads per block of the distribution kernels (`block_size_bound`).
pub const BLOCK_SIZE: u32 = 256;

/// The result of `calc_execution_policy(numel, unroll)` for one kernel launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExecutionPolicy {
    /// Blocks: `min(ceil(numel / 256), sms * (max_threads_per_sm / 256))`.
    pub grid: u32,
    /// Threads per block (256).
    pub block: u32,
    /// Values per `dist_func` call (4 for float4/uint4, 2 for double2/ulonglong2).
    pub unroll: u32,
    /// `((numel - 1) / (256 * grid * unroll) + 1) * 4`: the offset increment (4 per round).
    pub counter_offset: u64,
}

/// Where element `index` of a launch gets its value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElementSource {
    /// The thread, i.e. cuRAND subsequence: `index % T`.
    pub thread: u64,
    /// The grid-stride round, i.e. the `curand4` call number: `(index / T) / unroll`.
    pub round: u64,
    /// The component of that call's result: `(index / T) % unroll`.
    pub component: u32,
}

impl ExecutionPolicy {
    /// Total threads `T = grid * 256`.
    pub fn total_threads(&self) -> u64 {
        u64::from(self.grid) * u64::from(self.block)
    }

    /// Grid-stride rounds for `numel` elements: `(numel - 1) / (T * unroll) + 1`.
    pub fn rounds(&self, numel: u64) -> u64 {
        if numel == 0 {
            return 0;
        }
        (numel - 1) / (self.total_threads() * u64::from(self.unroll)) + 1
    }

    /// The (thread, round, component) of launch-local element `index`
    /// (`distribution_elementwise_grid_stride_kernel`: thread `idx` writes component `ii` of
    /// round `r` to `idx + T * (r * unroll + ii)`).
    pub fn locate(&self, index: u64) -> ElementSource {
        let t = self.total_threads();
        let q = index / t;
        ElementSource {
            thread: index % t,
            round: q / u64::from(self.unroll),
            component: (q % u64::from(self.unroll)) as u32,
        }
    }
}

/// `calc_execution_policy(numel, unroll)` (`DistributionTemplates.h`). `numel` must be > 0.
pub fn calc_execution_policy(profile: &GpuProfile, numel: u64, unroll: u32) -> ExecutionPolicy {
    let block = BLOCK_SIZE;
    // dim3 grid((numel + block_size - 1) / block_size): a 32-bit grid.x.
    let blocks = (numel.wrapping_add(u64::from(block) - 1) / u64::from(block)) as u32;
    let grid = profile.max_grid().min(blocks).max(1);
    let per_round = u64::from(block) * u64::from(grid) * u64::from(unroll);
    let counter_offset = if numel == 0 {
        0
    } else {
        ((numel - 1) / per_round + 1) * 4
    };
    ExecutionPolicy {
        grid,
        block,
        unroll,
        counter_offset,
    }
}

/// `TensorIteratorBase::can_use_32bit_indexing` for a contiguous (coalesced 1-D) tensor of
/// `numel` elements of `itemsize` bytes: `numel <= INT32_MAX` and the largest byte offset
/// `1 + (numel - 1) * itemsize <= INT32_MAX`.
pub fn can_use_32bit_indexing(numel: u64, itemsize: u64) -> bool {
    let max = i32::MAX as u64;
    numel <= max && (numel == 0 || (numel - 1).saturating_mul(itemsize) < max)
}

/// The sub-iterators of `SplitUntil32Bit` for a contiguous tensor, as `(start, len)` element
/// ranges in launch order: halve (first half `len / 2`) depth-first until each part can use
/// 32-bit indexing.
pub fn split_32bit(numel: u64, itemsize: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![(0u64, numel)];
    while let Some((s, l)) = stack.pop() {
        if can_use_32bit_indexing(l, itemsize) || l < 2 {
            out.push((s, l));
        } else {
            let first = l / 2;
            stack.push((s + first, l - first));
            stack.push((s, first));
        }
    }
    out
}

/// One kernel launch of a grid-stride distribution kernel over elements
/// `start .. start + len` of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KernelLaunch {
    /// First element (C order) covered by this launch.
    pub start: u64,
    /// Number of elements of this launch.
    pub len: u64,
    /// The Philox key.
    pub seed: u64,
    /// The Philox offset (`philox_offset_per_thread` at launch time).
    pub philox_offset: u64,
    /// Launch geometry.
    pub policy: ExecutionPolicy,
}

/// The launches of `distribution_nullary_kernel` for a contiguous tensor, advancing `gen`
/// as torch does: one `philox_cuda_state(counter_offset(numel))` for the whole tensor and, if
/// it cannot use 32-bit indexing, one more per sub-iterator (each launched with its own
/// policy and offset). `numel == 0` launches nothing and leaves `gen` unchanged.
pub fn plan_grid_stride(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    numel: u64,
    itemsize: u64,
    unroll: u32,
) -> Vec<KernelLaunch> {
    if numel == 0 {
        return Vec::new();
    }
    let policy = calc_execution_policy(profile, numel, unroll);
    let (seed, offset) = gen.philox_cuda_state(policy.counter_offset);
    if can_use_32bit_indexing(numel, itemsize) {
        return vec![KernelLaunch {
            start: 0,
            len: numel,
            seed,
            philox_offset: offset,
            policy,
        }];
    }
    split_32bit(numel, itemsize)
        .into_iter()
        .map(|(start, len)| {
            let policy = calc_execution_policy(profile, len, unroll);
            let (seed, philox_offset) = gen.philox_cuda_state(policy.counter_offset);
            KernelLaunch {
                start,
                len,
                seed,
                philox_offset,
                policy,
            }
        })
        .collect()
}

// ============================================================================================
// cuRAND conversions
// ============================================================================================

const TWO_POW_M32: f32 = 2.328_306_4e-10; // CURAND_2POW32_INV == 2^-32
const TWO_POW_M53: f64 = 1.110_223_024_625_156_5e-16; // CURAND_2POW53_INV_DOUBLE == 2^-53

/// cuRAND `_curand_uniform(x)`: `x * 2^-32 + 2^-33` in float, in (0, 1] (x >= 2^32 - 128
/// rounds to 1.0). Bit-exact.
#[inline]
pub fn curand_uniform(x: u32) -> f32 {
    (x as f32) * TWO_POW_M32 + TWO_POW_M32 / 2.0
}

/// cuRAND `curand_uniform4`: [`curand_uniform`] of the four words of one `curand4` block.
#[inline]
pub fn curand_uniform4(b: [u32; 4]) -> [f32; 4] {
    [
        curand_uniform(b[0]),
        curand_uniform(b[1]),
        curand_uniform(b[2]),
        curand_uniform(b[3]),
    ]
}

/// cuRAND `_curand_uniform_double_hq(x, y)`: `(x ^ (y << 21)) * 2^-53 + 2^-54`, in (0, 1].
#[inline]
pub fn curand_uniform_double_hq(x: u32, y: u32) -> f64 {
    let z = u64::from(x) ^ (u64::from(y) << 21);
    (z as f64) * TWO_POW_M53 + TWO_POW_M53 / 2.0
}

/// cuRAND `curand_uniform2_double`: `(hq(x, y), hq(z, w))` from one `curand4` block.
#[inline]
pub fn curand_uniform2_double(b: [u32; 4]) -> [f64; 2] {
    [
        curand_uniform_double_hq(b[0], b[1]),
        curand_uniform_double_hq(b[2], b[3]),
    ]
}

/// `CURAND_2POW32_INV_2PI` = `2.3283064e-10f * 6.2831855f` (exact: a power of two times 2pi_f).
const TWO_POW_M32_2PI: f32 = TWO_POW_M32 * 6.283_185_5;

/// cuRAND `_curand_box_muller(x, y)` on the device: `u = x 2^-32 + 2^-33`,
/// `v = fma(y, 2^-32 2pi, 2^-33 2pi)`, `s = sqrtf(-2 logf(u))`, `(s sin v, s cos v)` with
/// `__sincosf`. `logf` and `sqrtf` are bit-exact; `__sincosf` is modelled
/// ([`dm::fast_sincosf`]), so the result is **bounded** (see [`NORMAL_F32_ABS_BOUND`]).
#[inline]
pub fn curand_box_muller(x: u32, y: u32) -> (f32, f32) {
    curand_box_muller_with(&mut m::Exact, x, y)
}

/// [`curand_box_muller`] with the fused multiply-adds of `op`.
#[inline(always)]
fn curand_box_muller_with<Op: FmaOp>(op: &mut Op, x: u32, y: u32) -> (f32, f32) {
    let u = curand_uniform(x);
    let v = op.fma(y as f32, TWO_POW_M32_2PI, TWO_POW_M32_2PI / 2.0);
    let s = dm::sqrtf(-2.0 * dm::logf_with(op, u));
    let (sn, cs) = dm::fast_sincosf(v);
    (sn * s, cs * s)
}

/// cuRAND `curand_normal4`: Box-Muller on (x, y) and on (z, w): `[s_xy sin, s_xy cos,
/// s_zw sin, s_zw cos]`. Bounded (see [`curand_box_muller`]).
#[inline]
pub fn curand_normal4(b: [u32; 4]) -> [f32; 4] {
    let (a, c) = curand_box_muller(b[0], b[1]);
    let (d, e) = curand_box_muller(b[2], b[3]);
    [a, c, d, e]
}

/// cuRAND `_curand_box_muller_double(x0, x1, y0, y1)` on the device:
/// `u = (x0 ^ (x1 << 21)) 2^-53 + 2^-54`, `v = (y0 ^ (y1 << 21)) 2^-52 + 2^-53` (in (0, 2)),
/// `s = sqrt(-2 log u)`, `sincospi(v)`, `(s sin, s cos)`. Bit-exact ([`dm::log`],
/// [`dm::sincospi`]).
#[inline]
pub fn curand_box_muller_double(x0: u32, x1: u32, y0: u32, y1: u32) -> (f64, f64) {
    let u = curand_uniform_double_hq(x0, x1);
    let zy = u64::from(y0) ^ (u64::from(y1) << 21);
    let v = (zy as f64) * (TWO_POW_M53 * 2.0) + TWO_POW_M53;
    let s = (-2.0 * dm::log(u)).sqrt();
    let (sn, cs) = dm::sincospi(v);
    (sn * s, cs * s)
}

/// cuRAND `curand_normal2_double`: [`curand_box_muller_double`] of one `curand4` block.
#[inline]
pub fn curand_normal2_double(b: [u32; 4]) -> [f64; 2] {
    let (a, c) = curand_box_muller_double(b[0], b[1], b[2], b[3]);
    [a, c]
}

/// Guaranteed bound, for float `randn` (mean 0, std 1), on |emulated - GPU|:
/// `s * (2^-21.19 + 2^-25) + 2^-21` with `s <= 6.77` (`sqrt(-2 ln 2^-33)`), i.e. under
/// 4e-6 absolute. Derivation: `u`, `v`, `logf`, `sqrtf` are bit-identical to the GPU; the
/// documented `__sinf`/`__cosf` absolute error (CUDA Programming Guide, intrinsic functions)
/// plus our rounding bound the sine/cosine; one float multiply by `s` adds at most one ulp of
/// the result (< 2^-21 for |x| < 8). For `normal_(mean, std)` multiply by `std` and add one
/// ulp of the result; for f16/bf16 add one ulp of the half/bfloat16 result.
pub const NORMAL_F32_ABS_BOUND: f64 = 4.0e-6;

// ============================================================================================
// Nullary kernels
// ============================================================================================

/// One grid-stride distribution kernel with its (already validated) arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NullaryOp {
    /// `uniform_kernel(from, to)`.
    Uniform {
        /// Lower bound (as passed to the kernel, after torch's clamping).
        from: f64,
        /// Upper bound.
        to: f64,
    },
    /// `normal_kernel(mean, std)`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// `log_normal_kernel(mean, std)`.
    LogNormal {
        /// Mean of the underlying normal.
        mean: f64,
        /// Standard deviation of the underlying normal.
        std: f64,
    },
    /// `random_from_to_kernel(range, base)`: `(v % range) + base`; 64-bit draws when
    /// `range >= 2^28`.
    RandomFromTo {
        /// `to - from` (or `to_inc - from + 1`).
        range: u64,
        /// `from`.
        base: i64,
    },
    /// `random_full_64_bits_range_kernel`: `random_(-2^63, None)`.
    RandomFull64,
    /// `random_kernel`: `random_()` without bounds.
    Random,
    /// `bernoulli_kernel(p)` (scalar p): `u < p`.
    Bernoulli {
        /// Success probability.
        p: f64,
    },
    /// `exponential_kernel(lambda)`.
    Exponential {
        /// Rate.
        lambda: f64,
    },
    /// `geometric_kernel(p)`.
    Geometric {
        /// Success probability.
        p: f64,
    },
    /// `cauchy_kernel(median, sigma)`.
    Cauchy {
        /// Location.
        median: f64,
        /// Scale.
        sigma: f64,
    },
}

fn is_float(d: DType) -> bool {
    matches!(d, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
}

fn is_all_types_and3(d: DType) -> bool {
    // AT_DISPATCH_ALL_TYPES_AND3(Half, BFloat16, Bool)
    !matches!(d, DType::U16 | DType::U32 | DType::U64)
}

impl NullaryOp {
    /// `unroll_factor = sizeof(dist return type) / sizeof(accscalar_t)` for this op and
    /// output dtype.
    pub fn unroll(&self, dtype: DType) -> u32 {
        match self {
            NullaryOp::RandomFromTo { range, .. } => {
                if *range >= 1 << 28 {
                    2
                } else {
                    4
                }
            }
            NullaryOp::RandomFull64 => 2,
            NullaryOp::Random => {
                if matches!(dtype, DType::F64 | DType::I64) {
                    2
                } else {
                    4
                }
            }
            _ => {
                if dtype == DType::F64 {
                    2
                } else {
                    4
                }
            }
        }
    }

    /// Checks that the CUDA kernel dispatches `dtype` and that this emulation reproduces it.
    pub fn check_dtype(&self, dtype: DType) -> Result<()> {
        let ok = match self {
            NullaryOp::Uniform { .. } => {
                if !is_float(dtype) {
                    return Err(not_implemented("check_uniform_bounds", dtype));
                }
                true
            }
            NullaryOp::Normal { .. } => {
                if !is_float(dtype) {
                    return Err(not_implemented("normal_kernel_cuda", dtype));
                }
                true
            }
            NullaryOp::LogNormal { .. } => {
                if !is_float(dtype) {
                    return Err(not_implemented("log_normal_cuda", dtype));
                }
                true
            }
            NullaryOp::Exponential { .. } => {
                if !is_float(dtype) {
                    return Err(Error::Runtime(format!(
                        "Exponential distribution is a continuous probability distribution. \
                         dtype must be a floating point but you specified {}",
                        scalar_type_name(dtype)
                    )));
                }
                true
            }
            NullaryOp::Cauchy { .. } => {
                if !is_float(dtype) {
                    return Err(Error::Runtime(format!(
                        "Cauchy distribution is a continuous probability distribution. dtype \
                         must be a floating point but you specified {}",
                        type_meta_name(dtype)
                    )));
                }
                true
            }
            NullaryOp::Geometric { .. } => {
                if dtype == DType::Bool || matches!(dtype, DType::U16 | DType::U32 | DType::U64) {
                    return Err(not_implemented("geometric_cuda", dtype));
                }
                // Float-to-narrow-integer conversions are not reproduced.
                if matches!(dtype, DType::U8 | DType::I8 | DType::I16) {
                    return Err(Error::unsupported(format!(
                        "torch.Tensor.geometric_ on a CUDA {} tensor",
                        dtype.name()
                    )));
                }
                true
            }
            NullaryOp::Bernoulli { .. } => {
                if !is_all_types_and3(dtype) {
                    return Err(not_implemented("bernoulli_scalar_cuda_", dtype));
                }
                true
            }
            NullaryOp::Random => {
                if !is_all_types_and3(dtype) {
                    return Err(not_implemented("random_kernel_cuda", dtype));
                }
                true
            }
            NullaryOp::RandomFromTo { .. } => true,
            NullaryOp::RandomFull64 => {
                if matches!(
                    dtype,
                    DType::F16 | DType::Bool | DType::U16 | DType::U32 | DType::U64
                ) {
                    return Err(not_implemented(
                        "random_full_64_bits_range_kernel_cuda",
                        dtype,
                    ));
                }
                if !matches!(dtype, DType::I64 | DType::F64 | DType::F32 | DType::BF16) {
                    return Err(Error::Runtime(
                        "random_full_64_bits_range_kernel_cuda handles only int64, double, \
                         float and bfloat16"
                            .into(),
                    ));
                }
                true
            }
        };
        debug_assert!(ok);
        Ok(())
    }
}

/// A planned CUDA nullary distribution call: the op, the output dtype and size, and the
/// kernel launches with their Philox seeds and offsets. [`NullaryCall::generate`] computes
/// any element range of the output.
#[derive(Debug, Clone, PartialEq)]
pub struct NullaryCall {
    /// The kernel and its arguments.
    pub op: NullaryOp,
    /// Output dtype.
    pub dtype: DType,
    /// Output elements.
    pub numel: u64,
    /// Kernel launches, in order (one, or one per 32-bit sub-iterator).
    pub launches: Vec<KernelLaunch>,
}

impl NullaryCall {
    /// Plans the call against `gen` (advancing its offset exactly as torch does) after
    /// checking the dtype. `numel == 0` leaves `gen` unchanged.
    pub fn launch(
        gen: &mut CudaGenerator,
        profile: &GpuProfile,
        op: NullaryOp,
        dtype: DType,
        numel: u64,
    ) -> Result<NullaryCall> {
        op.check_dtype(dtype)?;
        let launches = plan_grid_stride(
            gen,
            profile,
            numel,
            dtype.itemsize() as u64,
            op.unroll(dtype),
        );
        Ok(NullaryCall {
            op,
            dtype,
            numel,
            launches,
        })
    }

    /// Plans the call from an explicit `(seed, offset)` without a generator; returns the
    /// call and the offset after it.
    pub fn at(
        seed: u64,
        offset: u64,
        profile: &GpuProfile,
        op: NullaryOp,
        dtype: DType,
        numel: u64,
    ) -> Result<(NullaryCall, u64)> {
        let mut g = CudaGenerator::with_seed(seed);
        g.philox_offset_per_thread = offset;
        let call = Self::launch(&mut g, profile, op, dtype, numel)?;
        Ok((call, g.get_offset()))
    }

    /// Elements `range` (C order) of the output, computed in parallel on all available cores.
    pub fn generate(&self, range: Range<u64>) -> Result<Data> {
        self.generate_with_threads(range, default_threads())
    }

    /// The whole output.
    pub fn generate_all(&self) -> Result<Data> {
        self.generate(0..self.numel)
    }

    /// Elements `range` computed with `threads` worker threads (the result does not depend
    /// on `threads`).
    pub fn generate_with_threads(&self, range: Range<u64>, threads: usize) -> Result<Data> {
        if range.start > range.end || range.end > self.numel {
            return Err(Error::Index(format!(
                "element range {}..{} out of bounds for {} elements",
                range.start, range.end, self.numel
            )));
        }
        let len = usize::try_from(range.end - range.start)
            .map_err(|_| Error::Memory("element range too large for this platform".into()))?;
        let threads = threads.max(1);
        macro_rules! run {
            ($t:ty, $variant:ident) => {{
                let mut out: Vec<$t> = vec![<$t>::default(); len];
                self.fill::<$t>(range.clone(), &mut out, threads);
                Data::$variant(out)
            }};
        }
        Ok(match self.dtype {
            DType::Bool => run!(bool, Bool),
            DType::U8 => run!(u8, U8),
            DType::I8 => run!(i8, I8),
            DType::I16 => run!(i16, I16),
            DType::I32 => run!(i32, I32),
            DType::I64 => run!(i64, I64),
            DType::U16 => run!(u16, U16),
            DType::U32 => run!(u32, U32),
            DType::U64 => run!(u64, U64),
            DType::F16 => run!(f16, F16),
            DType::BF16 => run!(bf16, BF16),
            DType::F32 => run!(f32, F32),
            DType::F64 => run!(f64, F64),
        })
    }

    fn fill<O: CudaScalar>(&self, range: Range<u64>, out: &mut [O], threads: usize) {
        let dist = Dist::<O>::new(self.op, self.dtype);
        // The hottest kernels get a dedicated closure (no per-block dispatch on the op and
        // dtype); they compute exactly what `Dist::eval` computes for them (checked by the
        // `fast_closures_match_eval` test).
        match (self.op, self.dtype) {
            (NullaryOp::Uniform { .. }, DType::F32) => {
                let kern = UniformF32 {
                    fa: dist.fa,
                    fb: dist.fb,
                    fc: dist.fc,
                };
                self.fill_kernel(range, out, threads, &kern)
            }
            (NullaryOp::Normal { .. }, DType::F32) => {
                let kern = NormalF32 {
                    fa: dist.fa,
                    fb: dist.fb,
                };
                self.fill_kernel(range, out, threads, &kern)
            }
            _ => self.fill_with(range, out, threads, &|blk, k| dist.eval(blk, k)),
        }
    }

    fn fill_with<O, F>(&self, range: Range<u64>, out: &mut [O], threads: usize, f: &F)
    where
        O: CudaScalar,
        F: Fn([u32; 4], usize) -> [O; 4] + Sync,
    {
        self.fill_kernel(range, out, threads, &ClosureKernel(f))
    }

    fn fill_kernel<O, K>(&self, range: Range<u64>, out: &mut [O], threads: usize, f: &K)
    where
        O: CudaScalar,
        K: BlockKernel<O>,
    {
        let mut rest = out;
        for l in &self.launches {
            let a = range.start.max(l.start);
            let b = range.end.min(l.start + l.len);
            if a >= b {
                continue;
            }
            let (mine, tail) = rest.split_at_mut((b - a) as usize);
            rest = tail;
            fill_grid_stride(l, (a - l.start)..(b - l.start), mine, threads, f);
        }
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Output element types: the conversions `static_cast<scalar_t>(...)` of the CUDA kernels.
trait CudaScalar: Copy + Default + Send + Sync {
    /// `static_cast<scalar_t>(float)`: RNE to half/bfloat16, truncation with saturation (PTX
    /// `cvt.rzi`) to integers.
    fn from_f32(x: f32) -> Self;
    /// `static_cast<scalar_t>(double)`.
    fn from_f64(x: f64) -> Self;
    /// `static_cast<scalar_t>(int64_t)`: two's complement wrap to integers, RNE to floats
    /// (half and bfloat16 through float, as their constructors take a float).
    fn from_i64(x: i64) -> Self;
    /// `static_cast<scalar_t>(uint64_t)`.
    fn from_u64(x: u64) -> Self;
    /// `static_cast<scalar_t>(bool)`.
    fn from_bool(b: bool) -> Self;
}

/// Integers and f32/f64: Rust's `as` is C++'s `static_cast` here (saturating for float to
/// integer, as PTX `cvt.rzi.sat`; wrapping for integer to integer; RNE for integer to float).
macro_rules! cast_scalar {
    ($($t:ty),*) => {$(
        impl CudaScalar for $t {
            fn from_f32(x: f32) -> Self {
                x as $t
            }
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            fn from_i64(x: i64) -> Self {
                x as $t
            }
            fn from_u64(x: u64) -> Self {
                x as $t
            }
            fn from_bool(b: bool) -> Self {
                u8::from(b) as $t
            }
        }
    )*};
}
cast_scalar!(u8, i8, i16, i32, i64, u16, u32, u64, f32, f64);

/// Half and bfloat16: every conversion goes through `float` (their constructors take one).
macro_rules! half_scalar {
    ($($t:ident),*) => {$(
        impl CudaScalar for $t {
            fn from_f32(x: f32) -> Self {
                $t::from_f32(x)
            }
            fn from_f64(x: f64) -> Self {
                $t::from_f32(x as f32)
            }
            fn from_i64(x: i64) -> Self {
                $t::from_f32(x as f32)
            }
            fn from_u64(x: u64) -> Self {
                $t::from_f32(x as f32)
            }
            fn from_bool(b: bool) -> Self {
                $t::from_f32(f32::from(u8::from(b)))
            }
        }
    )*};
}
half_scalar!(f16, bf16);

impl CudaScalar for bool {
    fn from_f32(x: f32) -> Self {
        x != 0.0
    }
    fn from_f64(x: f64) -> Self {
        x != 0.0
    }
    fn from_i64(x: i64) -> Self {
        x != 0
    }
    fn from_u64(x: u64) -> Self {
        x != 0
    }
    fn from_bool(b: bool) -> Self {
        b
    }
}

/// `static_cast<Half/BFloat16>(double)`: through float (their constructors take a float).
fn round_through_dtype(x: f64, dtype: DType) -> f64 {
    match dtype {
        DType::F16 => f64::from(f16::from_f32(x as f32).to_f32()),
        DType::BF16 => f64::from(bf16::from_f32(x as f32).to_f32()),
        DType::F32 => f64::from(x as f32),
        _ => x,
    }
}

/// The per-op transformation, pre-converted for one output dtype.
struct Dist<O> {
    op: NullaryOp,
    dtype: DType,
    // float parameters (accscalar float) and double parameters (accscalar double)
    fa: f32,
    fb: f32,
    fc: f32,
    da: f64,
    db: f64,
    dc: f64,
    _o: std::marker::PhantomData<O>,
}

const F32_EPS: f32 = f32::EPSILON;
const PI_F: f32 = std::f32::consts::PI;

impl<O: CudaScalar> Dist<O> {
    fn new(op: NullaryOp, dtype: DType) -> Self {
        let mut d = Dist {
            op,
            dtype,
            fa: 0.0,
            fb: 0.0,
            fc: 0.0,
            da: 0.0,
            db: 0.0,
            dc: 0.0,
            _o: std::marker::PhantomData,
        };
        match op {
            NullaryOp::Uniform { from, to } => {
                // from/to are scalar_t; range = opmath(to - from) computed in scalar_t.
                let f = round_through_dtype(from, dtype);
                let t = round_through_dtype(to, dtype);
                if dtype == DType::F64 {
                    d.da = f;
                    d.db = t;
                    d.dc = t - f;
                } else {
                    d.fa = f as f32;
                    d.fb = t as f32;
                    d.fc = round_through_dtype(f64::from(d.fb - d.fa), dtype) as f32;
                }
            }
            NullaryOp::Normal { mean, std } | NullaryOp::LogNormal { mean, std } => {
                d.fa = mean as f32;
                d.fb = std as f32;
                d.da = mean;
                d.db = std;
            }
            NullaryOp::Bernoulli { p } => {
                d.fa = p as f32;
                d.da = p;
            }
            NullaryOp::Exponential { lambda } => {
                let lf = lambda as f32;
                d.fa = -1.0 / lf;
                d.da = -1.0 / lambda;
            }
            NullaryOp::Geometric { p } => {
                let pf = p as f32;
                d.fa = dm::fast_logf(1.0 + (-pf));
                d.da = dm::log1p(-p);
            }
            NullaryOp::Cauchy { median, sigma } => {
                d.fa = median as f32;
                d.fb = sigma as f32;
                d.da = median;
                d.db = sigma;
            }
            _ => {}
        }
        d
    }

    /// Values of the first `k` components of one `dist_func` call on Philox block `b`.
    #[inline]
    fn eval(&self, b: [u32; 4], k: usize) -> [O; 4] {
        let mut out = [O::default(); 4];
        let double = self.dtype == DType::F64;
        match self.op {
            NullaryOp::Uniform { .. } => {
                if double {
                    let u = curand_uniform2_double(b);
                    for i in 0..k.min(2) {
                        let v = u[i].mul_add(self.dc, self.da);
                        out[i] = O::from_f64(if v == self.db { self.da } else { v });
                    }
                } else {
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        let v = fmaf(curand_uniform(b[i]), self.fc, self.fa);
                        // cast to scalar_t first, then compare with `to` in scalar_t.
                        let c = round_through_dtype(f64::from(v), self.dtype) as f32;
                        *o = if c == self.fb {
                            O::from_f32(self.fa)
                        } else {
                            O::from_f32(v)
                        };
                    }
                }
            }
            NullaryOp::Normal { .. } | NullaryOp::LogNormal { .. } => {
                let log = matches!(self.op, NullaryOp::LogNormal { .. });
                if double {
                    let n = curand_normal2_double(b);
                    for i in 0..k.min(2) {
                        let v = n[i].mul_add(self.db, self.da);
                        out[i] = O::from_f64(if log { dm::exp(v) } else { v });
                    }
                } else {
                    let mut n = [0f32; 4];
                    let (a, c) = curand_box_muller(b[0], b[1]);
                    n[0] = a;
                    n[1] = c;
                    if k > 2 {
                        let (a, c) = curand_box_muller(b[2], b[3]);
                        n[2] = a;
                        n[3] = c;
                    }
                    for i in 0..k {
                        let v = fmaf(n[i], self.fb, self.fa);
                        out[i] = O::from_f32(if log { dm::fast_expf(v) } else { v });
                    }
                }
            }
            NullaryOp::Bernoulli { .. } => {
                if double {
                    let u = curand_uniform2_double(b);
                    for i in 0..k.min(2) {
                        out[i] = O::from_bool(u[i] < self.da);
                    }
                } else {
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        *o = O::from_bool(curand_uniform(b[i]) < self.fa);
                    }
                }
            }
            NullaryOp::Exponential { .. } => {
                if double {
                    let u = curand_uniform2_double(b);
                    let lim = 1.0 - f64::EPSILON / 2.0;
                    for i in 0..k.min(2) {
                        let l = if u[i] >= lim {
                            -f64::EPSILON / 2.0
                        } else {
                            dm::log(u[i])
                        };
                        out[i] = O::from_f64(self.da * l);
                    }
                } else {
                    let lim = 1.0 - F32_EPS / 2.0;
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        let u = curand_uniform(b[i]);
                        let l = if u >= lim {
                            -F32_EPS / 2.0
                        } else {
                            dm::fast_logf(u)
                        };
                        *o = O::from_f32(self.fa * l);
                    }
                }
            }
            NullaryOp::Geometric { .. } => {
                if double {
                    let u = curand_uniform2_double(b);
                    for i in 0..k.min(2) {
                        out[i] = O::from_f64((dm::log(u[i]) / self.da).ceil());
                    }
                } else {
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        let u = curand_uniform(b[i]);
                        *o = O::from_f32((dm::fast_logf(u) / self.fa).ceil());
                    }
                }
            }
            NullaryOp::Cauchy { .. } => {
                if double {
                    let u = curand_uniform2_double(b);
                    for i in 0..k.min(2) {
                        let t = dm::tan(std::f64::consts::PI * (u[i] - 0.5)).unwrap_or(f64::NAN);
                        out[i] = O::from_f64(self.db.mul_add(t, self.da));
                    }
                } else {
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        let u = curand_uniform(b[i]).clamp(F32_EPS, 1.0 - F32_EPS);
                        let t = dm::fast_tanf(PI_F * (u - 0.5));
                        *o = O::from_f32(fmaf(self.fb, t, self.fa));
                    }
                }
            }
            NullaryOp::RandomFromTo { range, base } => {
                if range >= 1 << 28 {
                    for i in 0..k.min(2) {
                        let v = (u64::from(b[2 * i]) << 32) | u64::from(b[2 * i + 1]);
                        out[i] = O::from_i64((v % range).wrapping_add(base as u64) as i64);
                    }
                } else {
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        let v = u64::from(b[i]);
                        *o = O::from_i64((v % range).wrapping_add(base as u64) as i64);
                    }
                }
            }
            NullaryOp::RandomFull64 => {
                for i in 0..k.min(2) {
                    let v = (u64::from(b[2 * i]) << 32) | u64::from(b[2 * i + 1]);
                    out[i] = O::from_i64(v as i64);
                }
            }
            NullaryOp::Random => {
                if matches!(self.dtype, DType::F64 | DType::I64) {
                    for i in 0..k.min(2) {
                        let v = (u64::from(b[2 * i]) << 32) | u64::from(b[2 * i + 1]);
                        out[i] = if self.dtype == DType::I64 {
                            O::from_u64(v % (1u64 << 63))
                        } else {
                            O::from_u64(v % ((1u64 << 53) + 1))
                        };
                    }
                } else {
                    let m: u64 = match self.dtype {
                        DType::Bool => 2,
                        DType::U8 => 256,
                        DType::I8 => 128,
                        DType::I16 => 1 << 15,
                        DType::I32 => 1 << 31,
                        DType::F16 => (1 << 11) + 1,
                        DType::BF16 => (1 << 8) + 1,
                        _ => (1 << 24) + 1, // F32
                    };
                    for (i, o) in out.iter_mut().enumerate().take(k) {
                        *o = O::from_u64(u64::from(b[i]) % m);
                    }
                }
            }
        }
        out
    }
}

/// Column chunk width of the parallel grid-stride fill.
const COLS: u64 = 2048;

struct Piece<'a, O> {
    row: u64,
    col: u64,
    data: &'a mut [O],
}

/// Fills launch-local elements `local` of one grid-stride launch into `out`, computing each
/// Philox block once. Work is split into (round, column chunk) items processed by `threads`
/// scoped threads; every item writes disjoint parts of `out`, so the result is independent of
/// the thread count.
fn fill_grid_stride<O, K>(l: &KernelLaunch, local: Range<u64>, out: &mut [O], threads: usize, f: &K)
where
    O: Copy + Default + Send,
    K: BlockKernel<O>,
{
    let t = l.policy.total_threads();
    let u = u64::from(l.policy.unroll);
    // Cut `out` into pieces: one row (T elements) at a time, then column chunks.
    let mut pieces: Vec<Piece<'_, O>> = Vec::new();
    let mut rest = out;
    let mut li = local.start;
    while !rest.is_empty() {
        let row = li / t;
        let col = li % t;
        let take = ((row + 1) * t - li).min(rest.len() as u64) as usize;
        let (mut seg, tail) = rest.split_at_mut(take);
        rest = tail;
        let mut c = col;
        while !seg.is_empty() {
            let end = (c / COLS + 1) * COLS;
            let n = ((end - c) as usize).min(seg.len());
            let (p, s2) = seg.split_at_mut(n);
            pieces.push(Piece {
                row,
                col: c,
                data: p,
            });
            seg = s2;
            c += n as u64;
        }
        li += take as u64;
    }
    // Group pieces by (round, column chunk).
    pieces.sort_by_key(|p| (p.row / u, p.col / COLS, p.row));
    let mut items: Vec<Vec<Piece<'_, O>>> = Vec::new();
    for p in pieces {
        let key = (p.row / u, p.col / COLS);
        match items.last_mut() {
            Some(last) if (last[0].row / u, last[0].col / COLS) == key => last.push(p),
            _ => items.push(vec![p]),
        }
    }
    let seed = l.seed;
    let offset = l.philox_offset;
    let work = |item: &mut Vec<Piece<'_, O>>| {
        let round = item[0].row / u;
        let c0 = item.iter().map(|p| p.col).min().unwrap_or(0);
        let c1 = item
            .iter()
            .map(|p| p.col + p.data.len() as u64)
            .max()
            .unwrap_or(0);
        let k = item
            .iter()
            .map(|p| (p.row % u) as usize + 1)
            .max()
            .unwrap_or(1);
        // Column sub-chunks of CH blocks, kept on the stack: compute the Philox blocks (eight
        // independent subsequences at a time), then copy each component into the pieces
        // (rows) that cover these columns.
        let mut vals = [[O::default(); CH]; 4];
        let mut cs = c0;
        while cs < c1 {
            let ce = (cs + CH as u64).min(c1);
            let at = BlockRange {
                seed,
                offset,
                round,
                cols: cs..ce,
                k,
            };
            eval_blocks(&at, f, &mut vals);
            for p in item.iter_mut() {
                let comp = (p.row % u) as usize;
                let (ps, pe) = (p.col, p.col + p.data.len() as u64);
                let (a, b) = (ps.max(cs), pe.min(ce));
                if a >= b {
                    continue;
                }
                let dst = &mut p.data[(a - ps) as usize..(b - ps) as usize];
                dst.copy_from_slice(&vals[comp][(a - cs) as usize..(b - cs) as usize]);
            }
            cs = ce;
        }
    };
    run_parallel(&mut items, threads, work);
}

/// Columns (threads) evaluated together by [`fill_grid_stride`]: one stack buffer of values.
const CH: usize = 64;

/// A transform of `curand4` blocks into output values, as one CUDA kernel's per-thread body
/// computes them (the `transformation` lambda of torch's `distribution_nullary_kernel`).
trait BlockKernel<O: Copy>: Sync {
    /// Whether [`eval_blocks`] should also try an AVX-512 clone for this kernel.
    const WIDE: bool = false;

    /// The four values of block `b` (only the first `k` are used), with fused multiply-adds
    /// `op`.
    fn block<Op: FmaOp>(&self, op: &mut Op, b: [u32; 4], k: usize) -> [O; 4];

    /// [`Self::block`] for `L` blocks given word-major (`w[word][lane]`), written component-major
    /// to `out[component][at + lane]`. Kernels override it with lane loops that vectorise.
    #[inline(always)]
    fn lanes<Op: FmaOp, const L: usize>(
        &self,
        op: &mut Op,
        w: &[[u32; L]; 4],
        k: usize,
        out: &mut [[O; CH]; 4],
        at: usize,
    ) {
        for l in 0..L {
            let v = self.block(op, [w[0][l], w[1][l], w[2][l], w[3][l]], k);
            for c in 0..4 {
                out[c][at + l] = v[c];
            }
        }
    }
}

/// A closure as a [`BlockKernel`] (its own arithmetic; `op` unused).
struct ClosureKernel<'a, F>(&'a F);

impl<O: Copy, F: Fn([u32; 4], usize) -> [O; 4] + Sync> BlockKernel<O> for ClosureKernel<'_, F> {
    #[inline(always)]
    fn block<Op: FmaOp>(&self, _op: &mut Op, b: [u32; 4], k: usize) -> [O; 4] {
        (self.0)(b, k)
    }
}

/// `uniform_` / `rand` in float32: `v = fma(curand_uniform(x), to - from, from)`, and `from`
/// where `v == to` (torch's `uniform_kernel`, `aten/src/ATen/native/cuda/DistributionTemplates.h`).
/// Computes exactly what `Dist::eval` computes for it (`fast_closures_match_eval` test).
struct UniformF32 {
    fa: f32,
    fb: f32,
    fc: f32,
}

impl<O: CudaScalar> BlockKernel<O> for UniformF32 {
    #[inline(always)]
    fn block<Op: FmaOp>(&self, op: &mut Op, b: [u32; 4], k: usize) -> [O; 4] {
        let mut o = [O::default(); 4];
        for i in 0..k.min(4) {
            let v = op.fma(curand_uniform(b[i]), self.fc, self.fa);
            o[i] = O::from_f32(if v == self.fb { self.fa } else { v });
        }
        o
    }

    #[inline(always)]
    fn lanes<Op: FmaOp, const L: usize>(
        &self,
        op: &mut Op,
        w: &[[u32; L]; 4],
        k: usize,
        out: &mut [[O; CH]; 4],
        at: usize,
    ) {
        for c in 0..k.min(4) {
            let dst = &mut out[c][at..at + L];
            for (o, &x) in dst.iter_mut().zip(&w[c]) {
                let v = op.fma(curand_uniform(x), self.fc, self.fa);
                *o = O::from_f32(if v == self.fb { self.fa } else { v });
            }
        }
    }
}

/// `normal_` / `randn` in float32: `curand_normal4`, then `fma(n, std, mean)` (torch's
/// `normal_kernel`). The same values as `Dist::eval` for it (`fast_closures_match_eval`).
struct NormalF32 {
    fa: f32,
    fb: f32,
}

impl<O: CudaScalar> BlockKernel<O> for NormalF32 {
    const WIDE: bool = true;

    #[inline(always)]
    fn block<Op: FmaOp>(&self, op: &mut Op, b: [u32; 4], k: usize) -> [O; 4] {
        let (a, c) = curand_box_muller_with(op, b[0], b[1]);
        let (d, e) = if k > 2 {
            curand_box_muller_with(op, b[2], b[3])
        } else {
            (0.0, 0.0)
        };
        let n = [a, c, d, e];
        let mut o = [O::default(); 4];
        for i in 0..4 {
            o[i] = O::from_f32(op.fma(n[i], self.fb, self.fa));
        }
        o
    }

    #[inline(always)]
    fn lanes<Op: FmaOp, const L: usize>(
        &self,
        op: &mut Op,
        w: &[[u32; L]; 4],
        k: usize,
        out: &mut [[O; CH]; 4],
        at: usize,
    ) {
        // Lane loops (vectorised); the sine/cosine roundings the fast path cannot settle are
        // redone per lane with the scalar model.
        let pairs = if k > 2 { 2 } else { 1 };
        let mut n = [[0f32; L]; 4];
        for p in 0..pairs {
            let mut sure = [true; L];
            for l in 0..L {
                let u = curand_uniform(w[2 * p][l]);
                let v = op.fma(
                    w[2 * p + 1][l] as f32,
                    TWO_POW_M32_2PI,
                    TWO_POW_M32_2PI / 2.0,
                );
                let s = dm::sqrtf(-2.0 * dm::logf_with(op, u));
                let (sn, cs, ok) = dm::fast_sincosf_lane(op, v);
                n[2 * p][l] = sn * s;
                n[2 * p + 1][l] = cs * s;
                sure[l] = ok;
            }
            for l in 0..L {
                if !sure[l] {
                    let (sn, cs) = curand_box_muller_with(op, w[2 * p][l], w[2 * p + 1][l]);
                    n[2 * p][l] = sn;
                    n[2 * p + 1][l] = cs;
                }
            }
        }
        for c in 0..4 {
            for l in 0..L {
                out[c][at + l] = O::from_f32(op.fma(n[c][l], self.fb, self.fa));
            }
        }
    }
}

/// `vals[c][i]` = component `c` of the values under `f` of the `i`-th block of `at` (columns =
/// consecutive threads = consecutive cuRAND subsequences), sixteen Philox blocks at a time in
/// SIMD lanes ([`curand_blocks_soa`]).
///
/// On processors with AVX2 and FMA this runs a clone compiled for them, with the processor's
/// fused multiply-add ([`m::Hw`], the `fma.rn.f32` of the GPU); elsewhere the portable code
/// with [`m::Exact`]. Both compute the same bits.
fn eval_blocks<O, K>(at: &BlockRange, f: &K, vals: &mut [[O; CH]; 4])
where
    O: Copy,
    K: BlockKernel<O>,
{
    if m::has_hw_fma() && K::WIDE {
        eval_blocks_wide(at, f, vals, m::Hw);
    } else if m::has_hw_fma() {
        eval_blocks_in(at, f, vals, m::Hw);
    } else {
        eval_blocks_in(at, f, vals, m::Exact);
    }
}

/// The blocks [`eval_blocks`] computes: `curand_block(seed, col, offset, round)` for `col` in
/// `cols`, of which the first `k` components are used.
struct BlockRange {
    seed: u64,
    offset: u64,
    round: u64,
    cols: Range<u64>,
    k: usize,
}

/// [`eval_blocks`] with the fused multiply-add `op`.
#[multiversion::multiversion(targets("x86_64+avx2+fma"))]
fn eval_blocks_in<O: Copy, K: BlockKernel<O>, Op: FmaOp>(
    at: &BlockRange,
    f: &K,
    vals: &mut [[O; CH]; 4],
    op: Op,
) {
    eval_blocks_body(at, f, vals, op)
}

/// [`eval_blocks_in`] with an AVX-512 clone as well, for the kernels whose double-precision
/// lane arithmetic gains from 8-wide vectors ([`BlockKernel::WIDE`]; measured: float32
/// `normal_` 1.5x faster with it, `uniform_` slower, so it is not used for all).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma"
))]
fn eval_blocks_wide<O: Copy, K: BlockKernel<O>, Op: FmaOp>(
    at: &BlockRange,
    f: &K,
    vals: &mut [[O; CH]; 4],
    op: Op,
) {
    eval_blocks_body(at, f, vals, op)
}

/// The loop of [`eval_blocks_in`] / [`eval_blocks_wide`] (inlined into each clone).
#[inline(always)]
fn eval_blocks_body<O: Copy, K: BlockKernel<O>, Op: FmaOp>(
    at: &BlockRange,
    f: &K,
    vals: &mut [[O; CH]; 4],
    mut op: Op,
) {
    const L: usize = 16;
    let BlockRange {
        seed,
        offset,
        round,
        ref cols,
        k,
    } = *at;
    let mut idx = cols.start;
    let mut t = 0;
    while idx + L as u64 <= cols.end {
        let w = curand_blocks_soa::<L>(seed, idx, offset, round);
        f.lanes(&mut op, &w, k, vals, t);
        t += L;
        idx += L as u64;
    }
    while idx < cols.end {
        let v = f.block(&mut op, curand_block(seed, idx, offset, round), k);
        for c in 0..4 {
            vals[c][t] = v[c];
        }
        t += 1;
        idx += 1;
    }
}

/// Runs `work` on every item, splitting `items` into contiguous parts over `threads` scoped
/// threads (sequentially when one thread suffices).
fn run_parallel<I: Send, W: Fn(&mut I) + Sync>(items: &mut [I], threads: usize, work: W) {
    let threads = threads.min(items.len()).max(1);
    if threads == 1 {
        items.iter_mut().for_each(&work);
        return;
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        for part in items.chunks_mut(per) {
            let work = &work;
            s.spawn(move || part.iter_mut().for_each(work));
        }
    });
}

/// Runs `f(chunk_start, chunk)` over `out` split into contiguous chunks of `chunk` elements,
/// in parallel.
fn par_chunks<O: Send, F: Fn(usize, &mut [O]) + Sync>(
    out: &mut [O],
    chunk: usize,
    threads: usize,
    f: F,
) {
    let mut items: Vec<(usize, &mut [O])> = out
        .chunks_mut(chunk.max(1))
        .enumerate()
        .map(|(i, c)| (i * chunk.max(1), c))
        .collect();
    run_parallel(&mut items, threads, |(start, c)| f(*start, c));
}

// ============================================================================================
// Argument checks shared by the public calls
// ============================================================================================

fn with_data(t: &mut NdArray, call: &NullaryCall) -> Result<()> {
    t.data = call.generate_all()?;
    Ok(())
}

fn empty(shape: &[usize], dtype: DType) -> Result<NdArray> {
    NdArray::zeros(shape, dtype)
}

// ============================================================================================
// Public calls
// ============================================================================================

/// `torch.rand(shape, dtype=dtype, device='cuda')` = `empty(shape).uniform_(0, 1)`.
/// Bit-exact. Errors as torch for non-floating dtypes.
pub fn rand(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    shape: &[usize],
    dtype: DType,
) -> Result<NdArray> {
    let mut t = empty(shape, dtype)?;
    uniform_(gen, profile, &mut t, 0.0, 1.0)?;
    Ok(t)
}

/// `tensor.uniform_(from, to)` on CUDA (`uniform_impl_` checks, then `uniform_kernel`):
/// `value = (scalar_t)fma(u, range, from)`, with `value == to` replaced by `from`.
/// Bit-exact.
pub fn uniform_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    from: f64,
    to: f64,
) -> Result<()> {
    let dtype = t.dtype();
    let (from, to) = check_uniform_bounds(dtype, from, to)?;
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, NullaryOp::Uniform { from, to }, dtype, n)?;
    with_data(t, &call)
}

/// `torch.randn(shape, dtype=dtype, device='cuda')` = `empty(shape).normal_(0, 1)`.
/// f64 bit-exact; f32/f16/bf16 within [`NORMAL_F32_ABS_BOUND`] of the GPU.
pub fn randn(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    shape: &[usize],
    dtype: DType,
) -> Result<NdArray> {
    let mut t = empty(shape, dtype)?;
    normal_(gen, profile, &mut t, 0.0, 1.0)?;
    Ok(t)
}

/// `tensor.normal_(mean, std)` on CUDA: `(scalar_t)fma(n, std, mean)` with `n` from
/// `curand_normal4` (float) or `curand_normal2_double` (double).
pub fn normal_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    mean: f64,
    std: f64,
) -> Result<()> {
    if std.is_nan() || std < 0.0 {
        return Err(Error::Runtime(format!(
            "normal expects std >= 0.0, but found std {}",
            cpp_double(std)
        )));
    }
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, NullaryOp::Normal { mean, std }, t.dtype(), n)?;
    with_data(t, &call)
}

/// `tensor.log_normal_(mean, std)` on CUDA: `exp(fma(n, std, mean))` (`__expf` for
/// float accumulators, libdevice `exp` for double).
pub fn log_normal_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    mean: f64,
    std: f64,
) -> Result<()> {
    if std.is_nan() || std <= 0.0 {
        return Err(Error::Runtime(format!(
            "log_normal_ expects std > 0.0, but found std={}",
            cpp_double(std)
        )));
    }
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(
        gen,
        profile,
        NullaryOp::LogNormal { mean, std },
        t.dtype(),
        n,
    )?;
    with_data(t, &call)
}

/// `torch.randint(low, high, shape, dtype=dtype, device='cuda')` =
/// `empty(shape, dtype).random_(low, high)`. Bit-exact.
pub fn randint(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    low: i64,
    high: i64,
    shape: &[usize],
    dtype: DType,
) -> Result<NdArray> {
    let mut t = empty(shape, dtype)?;
    random_from_to_(gen, profile, &mut t, low, Some(high))?;
    Ok(t)
}

/// `tensor.random_()` on CUDA (`random_kernel`): bool `v & 1`, integers `v % (max + 1)`,
/// half/bfloat16/float/double `v % (2^digits + 1)`; 64-bit draws for double and int64.
/// Bit-exact.
pub fn random_(gen: &mut CudaGenerator, profile: &GpuProfile, t: &mut NdArray) -> Result<()> {
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, NullaryOp::Random, t.dtype(), n)?;
    with_data(t, &call)
}

/// `tensor.random_(from, to)` on CUDA (`random_from_to_impl` + `random_from_to_kernel`):
/// `to = None` means "up to the dtype's maximum", and `from = -2^63, to = None` the full
/// 64-bit range. Values are `(v % range) + from` with 32-bit draws for `range < 2^28` and
/// 64-bit draws (high word first) otherwise. Bit-exact; torch's range errors.
pub fn random_from_to_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    from: i64,
    to: Option<i64>,
) -> Result<()> {
    let dtype = t.dtype();
    let mut from = from;
    let op = if let Some(to) = to {
        let mut to = to;
        if from >= to {
            return Err(Error::Runtime(format!(
                "random_ expects 'from' to be less than 'to', but got from={from} >= to={to}"
            )));
        }
        if is_float(dtype) {
            from = update_from(dtype, from);
            to = update_to(dtype, to);
            if from >= to {
                return Err(Error::Runtime(format!(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to \
                     dtype, but got from={from} >= to={to}"
                )));
            }
        }
        check_from_to_in_range(dtype, from, to.wrapping_sub(1))?;
        if t.is_empty() {
            return Ok(());
        }
        NullaryOp::RandomFromTo {
            range: (to as u64).wrapping_sub(from as u64),
            base: from,
        }
    } else if from != i64::MIN {
        let to_inc = if is_float(dtype) {
            let d = float_digits(dtype);
            let to_inc = if d >= 63 { i64::MAX } else { 1i64 << d };
            from = update_from(dtype, from);
            if from >= to_inc {
                return Err(Error::Runtime(format!(
                    "random_ expects 'from' casted to dtype to be less than or equal to \
                     'to_inc' casted to dtype, but got from={from} > to_inc={to_inc}"
                )));
            }
            to_inc
        } else {
            match dtype {
                DType::Bool => 1,
                // static_cast<int64_t>(numeric_limits<scalar_t>::max()): -1 for uint64.
                _ => dtype.int_bounds().map(|b| b.1 as i64).unwrap_or(i64::MAX),
            }
        };
        check_from_to_in_range(dtype, from, to_inc)?;
        if t.is_empty() {
            return Ok(());
        }
        NullaryOp::RandomFromTo {
            range: (to_inc as u64).wrapping_sub(from as u64).wrapping_add(1),
            base: from,
        }
    } else {
        if t.is_empty() {
            return Ok(());
        }
        NullaryOp::RandomFull64
    };
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, op, dtype, n)?;
    with_data(t, &call)
}

/// `tensor.bernoulli_(p)` with a float `p` on CUDA (`bernoulli_kernel(iter, p)`):
/// `(scalar_t)(u < (acc)p)`, `u` from `curand_uniform4` (or `curand_uniform2_double` for a
/// double tensor). Bit-exact.
pub fn bernoulli_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    p: f64,
) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::Runtime(format!(
            "bernoulli_ expects p to be in [0, 1], but got p={}",
            cpp_double(p)
        )));
    }
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, NullaryOp::Bernoulli { p }, t.dtype(), n)?;
    with_data(t, &call)
}

/// `tensor.exponential_(lambd)` on CUDA: `(-1/lambda) * log(u)` with `log(u)` replaced by
/// `-eps/2` for `u >= 1 - eps/2`; `__logf` (bounded) for float accumulators, libdevice `log`
/// (bit-exact) for double.
pub fn exponential_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    lambd: f64,
) -> Result<()> {
    if lambd.is_nan() || lambd <= 0.0 {
        return Err(Error::Runtime(format!(
            "exponential_ expects lambda > 0.0, but found lambda={}",
            cpp_double(lambd)
        )));
    }
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(
        gen,
        profile,
        NullaryOp::Exponential { lambda: lambd },
        t.dtype(),
        n,
    )?;
    with_data(t, &call)
}

/// `tensor.geometric_(p)` on CUDA: `ceil(log(u) / log1p(-p))`; float accumulators use
/// `__logf` for both (bounded), double uses libdevice `log`/`log1p`.
pub fn geometric_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    p: f64,
) -> Result<()> {
    if !(0.0 < p && p < 1.0) {
        return Err(Error::Runtime(format!(
            "geometric_ expects p to be in (0, 1), but got p={}",
            cpp_double(p)
        )));
    }
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, NullaryOp::Geometric { p }, t.dtype(), n)?;
    with_data(t, &call)
}

/// `tensor.cauchy_(median, sigma)` on CUDA: `fma(sigma, tan(pi (u - 0.5)), median)`, with
/// `u` clipped to [eps, 1 - eps] and `__tanf` for float accumulators (bounded relative error,
/// large near the poles), libdevice `tan` for double (bit-exact).
pub fn cauchy_(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    t: &mut NdArray,
    median: f64,
    sigma: f64,
) -> Result<()> {
    if sigma.is_nan() || sigma <= 0.0 {
        return Err(Error::Runtime(format!(
            "cauchy_ expects sigma > 0.0, but found sigma={}",
            cpp_double(sigma)
        )));
    }
    let op = NullaryOp::Cauchy { median, sigma };
    op.check_dtype(t.dtype())?;
    if t.is_empty() {
        return Ok(());
    }
    let n = t.len() as u64;
    let call = NullaryCall::launch(gen, profile, op, t.dtype(), n)?;
    with_data(t, &call)
}

/// `torch.bernoulli(p)` for a CUDA probability tensor: `empty_like(p).bernoulli_(p)`.
/// Profile-independent and bit-exact.
pub fn bernoulli(gen: &mut CudaGenerator, p: &NdArray) -> Result<NdArray> {
    let mut t = empty(&p.shape, p.dtype())?;
    bernoulli_tensor_(gen, &mut t, p)?;
    Ok(t)
}

/// `tensor.bernoulli_(p_tensor)` on CUDA (`bernoulli_tensor_cuda_kernel`): offset increment
/// `philox_cuda_state(10)` (12 after rounding), 512-thread blocks of `CUDA_tensor_apply2`
/// with step 4: element `e` (C order of `tensor`) uses thread `e / 4`'s first
/// `curand_uniform4` block, component `e % 4`, and becomes `u <= p` (note `<=`). `p` is
/// converted to float (double for a double tensor) and broadcast to `tensor`'s shape. A `p`
/// outside [0, 1] trips the kernel's device assertion (an error here, after the offset
/// advanced, as on the GPU).
pub fn bernoulli_tensor_(gen: &mut CudaGenerator, t: &mut NdArray, p: &NdArray) -> Result<()> {
    if t.is_empty() {
        return Ok(());
    }
    let (seed, offset) = gen.philox_cuda_state(10);
    if !is_float(p.dtype()) {
        return Err(Error::Runtime(format!(
            "expected probabilities tensor to have floating type, got {}",
            scalar_type_name(p.dtype())
        )));
    }
    let map = expand_index(&p.shape, &t.shape)?;
    let dtype = t.dtype();
    if !is_all_types_and3(dtype) {
        return Err(not_implemented("bernoulli_tensor_cuda_self_", dtype));
    }
    let double = dtype == DType::F64;
    let probs: Vec<f64> = map
        .iter()
        .map(|&i| {
            let v = p.data.get_f64(i);
            if double {
                v
            } else {
                f64::from(v as f32)
            }
        })
        .collect();
    if probs.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
        return Err(Error::Runtime(
            "CUDA error: device-side assert triggered (bernoulli_tensor_cuda_kernel: \
             Assertion `0 <= p && p <= 1` failed)"
                .into(),
        ));
    }
    macro_rules! run {
        ($t:ty, $variant:ident) => {{
            let mut out: Vec<$t> = vec![<$t>::default(); probs.len()];
            par_chunks(&mut out, 1 << 14, default_threads(), |start, c| {
                for (j, o) in c.iter_mut().enumerate() {
                    let e = (start + j) as u64;
                    let b = curand_block(seed, e / 4, offset, 0);
                    let u = curand_uniform(b[(e % 4) as usize]);
                    let keep = f64::from(u) <= probs[start + j];
                    *o = <$t as CudaScalar>::from_bool(keep);
                }
            });
            Data::$variant(out)
        }};
    }
    t.data = match dtype {
        DType::Bool => run!(bool, Bool),
        DType::U8 => run!(u8, U8),
        DType::I8 => run!(i8, I8),
        DType::I16 => run!(i16, I16),
        DType::I32 => run!(i32, I32),
        DType::I64 => run!(i64, I64),
        DType::F16 => run!(f16, F16),
        DType::BF16 => run!(bf16, BF16),
        DType::F32 => run!(f32, F32),
        DType::F64 => run!(f64, F64),
        _ => return Err(not_implemented("bernoulli_tensor_cuda_self_", dtype)),
    };
    Ok(())
}

// ============================================================================================
// randperm
// ============================================================================================

/// `torch.randperm(n, dtype=dtype, device='cuda')` (`randperm_out_cuda`): random keys by
/// `random_(INT_MIN, INT_MAX)` on an int32 tensor (or `random_(INT64_MIN, INT64_MAX)` on
/// int64 when more than 32 key bits are needed), a stable radix sort of `arange(n)` on the
/// low `bits` key bits (CUB: signed keys with the sign bit flipped), then
/// `randperm_handle_duplicate_keys`: `philox_cuda_state(n)`, and every island of equal masked
/// keys is Fisher-Yates-shuffled by its leader thread `tid` with
/// `curand_init(seed, tid, offset)` and `curand() % (i + 1)`. Bit-exact.
pub fn randperm(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    n: u64,
    dtype: DType,
) -> Result<NdArray> {
    // check_supported_max_int_with_precision
    let top = n.saturating_sub(1);
    let overflow = |name: &str| {
        Err(Error::Runtime(format!(
            "value cannot be converted to type {name} without overflow"
        )))
    };
    match dtype {
        DType::I8 if top > 127 => return overflow("int8_t"),
        DType::U8 if top > 255 => return overflow("uint8_t"),
        DType::I16 if top > 32767 => return overflow("int16_t"),
        DType::I32 if top > i32::MAX as u64 => return overflow("int32_t"),
        DType::F16 if top > 65504 => return overflow("at::Half"),
        _ => {}
    }
    match dtype {
        DType::F16 if n > (1 << 11) + 1 => {
            return Err(Error::Runtime(
                "n cannot be greater than 2049 for Half type.".into(),
            ))
        }
        DType::F32 if n > (1 << 24) + 1 => {
            return Err(Error::Runtime(
                "n cannot be greater than 2^24+1 for Float type.".into(),
            ))
        }
        DType::F64 if n > (1u64 << 53) + 1 => {
            return Err(Error::Runtime(
                "n cannot be greater than 2^53+1 for Double type.".into(),
            ))
        }
        _ => {}
    }
    let len = usize::try_from(n).map_err(|_| Error::Memory("randperm too large".into()))?;
    if n == 0 {
        return empty(&[0], dtype);
    }
    let nd = n as f64;
    let log_threshold_12 = 0.9f64.ln() * 12.0;
    let bits = ((nd - (6.0 * nd * nd + 1.0) / log_threshold_12)
        .log2()
        .ceil() as i32)
        .min(64);
    if bits >= 64 {
        return Err(Error::unsupported(format!(
            "torch.randperm with n={n} on CUDA (64 key bits)"
        )));
    }
    let bits = bits.max(0) as u32;
    let wide = bits > 32;
    let key_dtype = if wide { DType::I64 } else { DType::I32 };
    let op = if wide {
        NullaryOp::RandomFromTo {
            range: (i64::MAX as u64).wrapping_sub(i64::MIN as u64),
            base: i64::MIN,
        }
    } else {
        NullaryOp::RandomFromTo {
            range: (i32::MAX as i64 - i32::MIN as i64) as u64,
            base: i64::from(i32::MIN),
        }
    };
    let call = NullaryCall::launch(gen, profile, op, key_dtype, n)?;
    let keys: Vec<u64> = match call.generate_all()? {
        Data::I32(v) => v.into_iter().map(|k| u64::from(k as u32)).collect(),
        Data::I64(v) => v.into_iter().map(|k| k as u64).collect(),
        _ => unreachable!("randperm keys are int32 or int64"),
    };
    // The dtype dispatch happens after the keys were drawn.
    if matches!(
        dtype,
        DType::Bool | DType::BF16 | DType::U16 | DType::U32 | DType::U64
    ) {
        return Err(not_implemented("randperm_out_cuda", dtype));
    }
    let width = if wide { 64 } else { 32 };
    let sign = 1u64 << (width - 1);
    let mask: u64 = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    // CUB radix sort: twiddled (sign-flipped) keys, bits [0, bits), stable.
    let sort_key = |k: u64| (k ^ sign) & mask;
    let mut perm: Vec<u64> = (0..n).collect();
    perm.sort_by_key(|&i| sort_key(keys[i as usize]));
    let masked: Vec<u64> = perm.iter().map(|&i| keys[i as usize] & mask).collect();
    let (seed, offset) = gen.philox_cuda_state(n);
    let mut tid = 0usize;
    while tid + 1 < len {
        if masked[tid] != masked[tid + 1] {
            tid += 1;
            continue;
        }
        let mut size = 1usize;
        while tid + size < len && masked[tid + size] == masked[tid] {
            size += 1;
        }
        let mut st = CurandPhilox::new(seed, tid as u64, offset);
        for i in (1..size).rev() {
            let r = (st.curand() % (i as u32 + 1)) as usize;
            perm.swap(tid + i, tid + r);
        }
        tid += size;
    }
    let data = match dtype {
        DType::U8 => Data::U8(perm.iter().map(|&v| v as u8).collect()),
        DType::I8 => Data::I8(perm.iter().map(|&v| v as i8).collect()),
        DType::I16 => Data::I16(perm.iter().map(|&v| v as i16).collect()),
        DType::I32 => Data::I32(perm.iter().map(|&v| v as i32).collect()),
        DType::I64 => Data::I64(perm.iter().map(|&v| v as i64).collect()),
        DType::F16 => Data::F16(perm.iter().map(|&v| f16::from_f32(v as f32)).collect()),
        DType::F32 => Data::F32(perm.iter().map(|&v| v as f32).collect()),
        DType::F64 => Data::F64(perm.iter().map(|&v| v as f64).collect()),
        _ => return Err(not_implemented("randperm_out_cuda", dtype)),
    };
    Ok(NdArray::new(vec![len], data))
}

// ============================================================================================
// dropout
// ============================================================================================

/// `torch.nn.functional.dropout(input, p, training)` on CUDA. `p` outside [0, 1] is
/// `ValueError` (Python check); `training=False`, `p == 0` or an empty input return the input;
/// `p == 1` returns `input * 0`; otherwise the fused kernel ([`native_dropout`]). Bit-exact.
pub fn dropout(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    input: &NdArray,
    p: f64,
    training: bool,
) -> Result<NdArray> {
    if !(0.0..=1.0).contains(&p) {
        let mut s = format!("{p:?}");
        if s == "inf" || s == "NaN" || s == "-inf" {
            s = match s.as_str() {
                "NaN" => "nan".into(),
                o => o.into(),
            };
        }
        return Err(Error::value(format!(
            "dropout probability has to be between 0 and 1, but got {s}"
        )));
    }
    if !is_float(input.dtype()) {
        return Err(Error::unsupported(format!(
            "torch.nn.functional.dropout on a CUDA {} tensor",
            input.dtype().name()
        )));
    }
    if !training || p == 0.0 || input.is_empty() {
        return Ok(input.clone());
    }
    if p == 1.0 {
        let data = match &input.data {
            Data::F16(v) => Data::F16(v.iter().map(|x| f16::from_f32(x.to_f32() * 0.0)).collect()),
            Data::BF16(v) => {
                Data::BF16(v.iter().map(|x| bf16::from_f32(x.to_f32() * 0.0)).collect())
            }
            Data::F32(v) => Data::F32(v.iter().map(|x| x * 0.0).collect()),
            Data::F64(v) => Data::F64(v.iter().map(|x| x * 0.0).collect()),
            _ => unreachable!("checked floating"),
        };
        return Ok(NdArray::new(input.shape.clone(), data));
    }
    Ok(native_dropout(gen, profile, input, p, Some(true))?.0)
}

/// `torch.native_dropout(input, p, train)` on CUDA (`native_dropout_cuda` →
/// `dropout_cuda<bool>(gen, input, 1 - p)`): returns `(output, mask)` with a bool mask.
/// The launch uses the distribution grid (`min(ceil(n/256), sms * blocks_per_sm)`) and
/// `counter_offset = ((n - 1) / (256 * grid * 4) + 1) * 4`. A contiguous, 16-byte aligned
/// input (as every fresh CUDA allocation is) takes the vectorised kernel with
/// `vec = 16 / itemsize` (halved until it divides `n`): vector `q` of thread `idx = q % T`,
/// iteration `j = q / T`, uses `curand_uniform4` call `j` (two calls `2j, 2j+1` for `vec = 8`;
/// for `vec = 2` only `x, y` of call `j`); `vec = 1` uses the grid-stride mapping with unroll 4.
/// `mask = u < 1 - p`, `output = input * mask * (1 / (1 - p))` in the accumulate type.
pub fn native_dropout(
    gen: &mut CudaGenerator,
    profile: &GpuProfile,
    input: &NdArray,
    p: f64,
    train: Option<bool>,
) -> Result<(NdArray, NdArray)> {
    let dtype = input.dtype();
    let shape = input.shape.clone();
    let n = input.len();
    if train == Some(false) {
        return Ok((
            input.clone(),
            NdArray::new(shape, Data::Bool(vec![true; n])),
        ));
    }
    if !is_float(dtype) {
        return Err(not_implemented("fused_dropout", dtype));
    }
    if p == 1.0 {
        let z = empty(&shape, dtype)?;
        return Ok((z, NdArray::new(shape, Data::Bool(vec![false; n]))));
    }
    if n == 0 {
        return Ok((input.clone(), NdArray::new(shape, Data::Bool(Vec::new()))));
    }
    let p1m = 1.0 - p;
    let nel = n as u64;
    let policy = calc_execution_policy(profile, nel, 4);
    let (seed, offset) = gen.philox_cuda_state(policy.counter_offset);
    let t = policy.total_threads();
    let mut vec = 16 / dtype.itemsize();
    while vec > 1 && n % vec != 0 {
        vec /= 2;
    }
    // Uniform float for element e.
    let uniform_at = |e: u64| -> f32 {
        if vec == 1 {
            let s = policy.locate(e);
            let b = curand_block(seed, s.thread, offset, s.round);
            curand_uniform(b[s.component as usize])
        } else {
            let v = vec as u64;
            let q = e / v;
            let c = e % v;
            let idx = q % t;
            let j = q / t;
            let (call, comp) = match vec {
                8 => (2 * j + c / 4, c % 4),
                _ => (j, c),
            };
            let b = curand_block(seed, idx, offset, call);
            curand_uniform(b[comp as usize])
        }
    };
    let mut mask = vec![false; n];
    let keep_f = p1m as f32;
    let double = dtype == DType::F64;
    let threads = default_threads();
    // Blocks are shared by neighbouring elements of one vector; chunking by multiples of 8
    // keeps every vector inside one chunk.
    par_chunks(&mut mask, 1 << 15, threads, |start, c| {
        for (j, m) in c.iter_mut().enumerate() {
            let u = uniform_at((start + j) as u64);
            *m = if double {
                f64::from(u) < p1m
            } else {
                u < keep_f
            };
        }
    });
    let out = match &input.data {
        Data::F32(v) => {
            let scale = (1.0 / f64::from(keep_f)) as f32;
            Data::F32(
                v.iter()
                    .zip(&mask)
                    .map(|(&x, &m)| x * f32::from(u8::from(m)) * scale)
                    .collect(),
            )
        }
        Data::F16(v) => {
            let scale = (1.0 / f64::from(keep_f)) as f32;
            Data::F16(
                v.iter()
                    .zip(&mask)
                    .map(|(&x, &m)| f16::from_f32(x.to_f32() * f32::from(u8::from(m)) * scale))
                    .collect(),
            )
        }
        Data::BF16(v) => {
            let scale = (1.0 / f64::from(keep_f)) as f32;
            Data::BF16(
                v.iter()
                    .zip(&mask)
                    .map(|(&x, &m)| bf16::from_f32(x.to_f32() * f32::from(u8::from(m)) * scale))
                    .collect(),
            )
        }
        Data::F64(v) => {
            let scale = 1.0 / p1m;
            Data::F64(
                v.iter()
                    .zip(&mask)
                    .map(|(&x, &m)| x * f64::from(u8::from(m)) * scale)
                    .collect(),
            )
        }
        _ => unreachable!("checked floating"),
    };
    Ok((
        NdArray::new(shape.clone(), out),
        NdArray::new(shape, Data::Bool(mask)),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fast_closures_match_eval() {
        let profile = GpuProfile::new(3, 512);
        for op in [
            NullaryOp::Uniform { from: 0.0, to: 1.0 },
            NullaryOp::Uniform {
                from: -2.0,
                to: 3.5,
            },
            NullaryOp::Normal {
                mean: 0.0,
                std: 1.0,
            },
            NullaryOp::Normal {
                mean: 0.25,
                std: 3.0,
            },
        ] {
            for n in [1u64, 5, 1535, 1536, 5000, 12_345] {
                let (call, _) = NullaryCall::at(17, 8, &profile, op, DType::F32, n).unwrap();
                let dist = Dist::<f32>::new(op, DType::F32);
                let mut want = vec![0f32; n as usize];
                call.fill_with(0..n, &mut want, 1, &|blk, k| dist.eval(blk, k));
                let want: Vec<u32> = want.iter().map(|x| x.to_bits()).collect();
                for threads in [1usize, 2, 3] {
                    let Data::F32(got) = call.generate_with_threads(0..n, threads).unwrap() else {
                        panic!("float32 output expected")
                    };
                    let got: Vec<u32> = got.iter().map(|x| x.to_bits()).collect();
                    assert_eq!(got, want, "{op:?} n={n} threads={threads}");
                }
            }
        }
    }

    use super::*;

    #[test]
    fn profile_parsing() {
        assert_eq!(
            GpuProfile::parse("a100").unwrap(),
            GpuProfile::new(108, 2048)
        );
        assert_eq!(
            GpuProfile::parse("H100_SXM").unwrap(),
            GpuProfile::new(132, 2048)
        );
        assert_eq!(
            GpuProfile::parse("108x2048").unwrap(),
            GpuProfile::new(108, 2048)
        );
        assert!(GpuProfile::parse("mystery").is_err());
        assert!(GpuProfile::parse("0x2048").is_err());
        assert!(GpuProfile::parse("10x100").is_err());
    }

    #[test]
    fn split_halves_depth_first() {
        // 2^29 + 1 floats: 1 + 2^29 * 4 > INT32_MAX, so it splits into halves.
        let n = (1u64 << 29) + 1;
        let parts = split_32bit(n, 4);
        assert_eq!(parts, vec![(0, 1 << 28), (1 << 28, (1 << 28) + 1)]);
        assert_eq!(split_32bit(1000, 4), vec![(0, 1000)]);
    }

    #[test]
    fn cpp_double_format() {
        assert_eq!(cpp_double(1.5), "1.5");
        assert_eq!(cpp_double(-1.0), "-1");
        assert_eq!(cpp_double(0.0), "0");
        assert_eq!(cpp_double(1e-7), "1e-07");
        assert_eq!(cpp_double(1234567.0), "1.23457e+06");
        assert_eq!(cpp_double(0.1), "0.1");
    }

    #[test]
    fn update_bounds_like_torch() {
        assert_eq!(update_to(DType::F16, 65504), 65472);
        assert_eq!(update_from(DType::F16, 5), 5);
    }
}
