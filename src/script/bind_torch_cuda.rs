//! `torch.cuda` in the `run` language, on the CPU emulation of [`crate::torch::cuda`].
//!
//! [`super::bind_torch`] dispatches here whenever a call names a CUDA device
//! (`device='cuda'`, `'cuda:1'`, `torch.device('cuda', 1)`, an int ordinal), receives a CUDA
//! tensor, or is a `torch.cuda.*` function. The hidden state is [`CudaCtx`], one per run.
//!
//! # Choices (documented in `seedbridge run --help` and README)
//! * **Backend.** `--backend cpu` always emulates. `--backend auto` (the default) emulates when
//!   no CUDA GPU is usable and says so once on stderr, at the first call that needs CUDA;
//!   with a usable GPU it also emulates for now (with that GPU's profile unless `--gpu` is
//!   given) because running `run`'s calls on the GPU backend ([`crate::cuda`]) is not wired
//!   in yet, and says that too. `--backend cuda` requires a usable GPU (otherwise a
//!   `CUDA error` naming the cause, exit status 2) and is refused until that wiring exists.
//! * **Profile.** `--gpu PROFILE` ([`GpuProfile::parse`]); without it [`DEFAULT_PROFILE`]
//!   (`h100-sxm`, 132 SMs x 2048 threads, the launch geometry of an H100 SXM and an H200), with
//!   a stderr note: tensors up to one wave give the same values on every GPU, larger ones (and
//!   the generator offsets after them) depend on the profile.
//! * **Availability.** Under emulation `torch.cuda.is_available()` is `True` and
//!   `torch.cuda.device_count()` is [`EMULATED_DEVICES`] (an 8-GPU node), so scripts written
//!   for GPUs run unchanged; the stderr note says so.
//! * **Seeding.** torch seeds each device's default CUDA generator from entropy on first use,
//!   so drawing from one (or reading its seed/state) before `torch.manual_seed`,
//!   `torch.cuda.manual_seed[_all]` or `torch.cuda.set_rng_state` is refused. A
//!   `torch.Generator(device='cuda')` starts from the fixed seed 67280421310721 and needs no
//!   seeding.
//! * **Lazy initialisation** is reproduced: `torch.cuda.manual_seed[_all]` and
//!   `torch.cuda.set_rng_state` before CUDA is initialised are queued as torch queues them
//!   (`torch/cuda/__init__.py` `_lazy_call`, `_LazySeedTracker`) and run at the first call
//!   that initialises CUDA: queued `set_rng_state` calls first, then the latest seed calls.
//!   Only errors differ: a bad queued state or seed is reported at its own call instead of
//!   as a `DeferredCudaCallError` at initialisation.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::bind_torch::{
    convert, dtype_arg, long_arg, py_int_seed, state_bytes, state_tensor, tensor_value, TorchCtx,
    TorchGenerator,
};
use super::value::{opt, required, to_f64, Args, DTypeOrigin, PyObject, Tensor, Value};
use crate::array::{DType, NdArray};
use crate::torch::cpu::{self as tc, CpuGenerator};
use crate::torch::cuda::{self as cu, CudaGenerator, GpuProfile};
use crate::{Error, Result};

/// The profile used when `--gpu` is not given (132 SMs x 2048 threads: H100 SXM, H200).
pub const DEFAULT_PROFILE: &str = "h100-sxm";

/// How many CUDA devices the emulation has (`torch.cuda.device_count()`).
pub const EMULATED_DEVICES: usize = 8;

/// `--backend`: where `device='cuda'` work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The GPU when one is usable, else the CPU emulation (with a note on stderr).
    #[default]
    Auto,
    /// Always the CPU emulation.
    Cpu,
    /// Always a real GPU; an error when none is usable.
    Cuda,
}

impl Backend {
    /// Parses `auto`, `cpu` or `cuda`.
    pub fn parse(s: &str) -> Result<Backend> {
        match s {
            "auto" => Ok(Backend::Auto),
            "cpu" => Ok(Backend::Cpu),
            "cuda" => Ok(Backend::Cuda),
            o => Err(Error::value(format!(
                "unknown backend '{o}': expected auto, cpu or cuda"
            ))),
        }
    }
}

/// One CUDA generator's state, shared by every script value that refers to it.
#[derive(Debug, Clone)]
pub struct CudaGenCell {
    /// Seed and Philox offset.
    pub gen: CudaGenerator,
    /// False while the seed is the one torch drew from entropy (a default generator that no
    /// seeding call reached yet): such a generator is never drawn from.
    pub known: bool,
}

/// A shared CUDA generator.
pub type SharedCudaGen = Rc<RefCell<CudaGenCell>>;

/// A `torch.Generator(device='cuda...')` object.
#[derive(Debug)]
pub struct TorchCudaGenerator {
    /// The generator state.
    pub state: SharedCudaGen,
    /// The device it was created for (`None`: `'cuda'` without an index).
    pub device: Option<usize>,
}

impl PyObject for TorchCudaGenerator {
    fn type_name(&self) -> String {
        "torch.Generator".into()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn py_str(&self) -> String {
        "<torch._C.Generator object>".into()
    }
}

/// `torch.device('cuda')`: a CUDA device without an index (the current device when used).
/// `torch.device('cuda:N')` is [`Value::Device`]`(Some(N))`.
#[derive(Debug)]
pub struct CudaDeviceAny;

impl PyObject for CudaDeviceAny {
    fn type_name(&self) -> String {
        "torch.device".into()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    /// Python's `str(torch.device('cuda'))` (what `print` shows); the repr is
    /// `device(type='cuda')`.
    fn py_str(&self) -> String {
        "cuda".into()
    }
}

/// True when `o` is one of this module's objects.
pub fn owns(o: &dyn PyObject) -> bool {
    o.as_any().is::<TorchCudaGenerator>() || o.as_any().is::<CudaDeviceAny>()
}

/// A parsed `device=` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dev {
    /// `'cpu'`.
    Cpu,
    /// `'cuda'` (`None`: the current device) or `'cuda:N'`.
    Cuda(Option<usize>),
}

impl Dev {
    /// The script value of `torch.device(...)` for this device.
    pub fn value(self) -> Value {
        match self {
            Dev::Cpu => Value::Device(None),
            Dev::Cuda(Some(i)) => Value::Device(Some(i)),
            Dev::Cuda(None) => Value::Object(Rc::new(CudaDeviceAny)),
        }
    }
}

const DEVICE_TYPES: &str = "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, \
                            maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone";

/// Parses a device string as `c10::Device(const std::string&)` does.
pub fn parse_device_str(s: &str) -> Result<Dev> {
    let (ty, idx) = match s.split_once(':') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let known = DEVICE_TYPES.split(", ").any(|t| t == ty);
    if !known {
        return Err(Error::Runtime(format!(
            "Expected one of {DEVICE_TYPES} device type at start of device string: {s}"
        )));
    }
    let index = match idx {
        None => None,
        Some(b) => {
            let ok = !b.is_empty()
                && b.bytes().all(|c| c.is_ascii_digit())
                && (b == "0" || !b.starts_with('0'));
            match b.parse::<usize>() {
                Ok(i) if ok && i < 128 => Some(i),
                _ => return Err(Error::Runtime(format!("Invalid device string: '{s}'"))),
            }
        }
    };
    match ty {
        "cpu" => Ok(Dev::Cpu),
        "cuda" => Ok(Dev::Cuda(index)),
        _ => Err(Error::unsupported(format!("device='{s}'"))),
    }
}

fn nonneg_index(i: i128) -> Result<usize> {
    if i < 0 {
        return Err(Error::Runtime("Device index must not be negative".into()));
    }
    usize::try_from(i)
        .ok()
        .filter(|&i| i < 128)
        .ok_or_else(|| Error::Runtime(format!("CUDA error: invalid device ordinal (device {i})")))
}

/// A `device=` value: a string, a `torch.device`, or an int (a CUDA ordinal).
pub fn parse_device(v: &Value) -> Result<Dev> {
    match v {
        Value::Str(s) => parse_device_str(s),
        Value::Device(None) => Ok(Dev::Cpu),
        Value::Device(Some(i)) => Ok(Dev::Cuda(Some(*i))),
        Value::Object(o) if o.as_any().is::<CudaDeviceAny>() => Ok(Dev::Cuda(None)),
        Value::Int(_) => Ok(Dev::Cuda(Some(nonneg_index(
            v.as_i128_sat().unwrap_or(i128::MAX),
        )?))),
        other => Err(Error::type_err(format!(
            "argument 'device' must be torch.device, not {}",
            other.type_name()
        ))),
    }
}

/// An optional `device=` argument (`None` = CPU, torch's default device).
pub fn device_arg(v: Option<Value>) -> Result<Dev> {
    match v {
        None => Ok(Dev::Cpu),
        Some(v) => parse_device(&v),
    }
}

/// True for values a `device` parameter accepts.
pub fn is_device_like(v: &Value) -> bool {
    match v {
        Value::Str(_) | Value::Device(_) | Value::Int(_) => true,
        Value::Object(o) => o.as_any().is::<CudaDeviceAny>(),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeedCall {
    One(u64),
    All(u64),
}

/// torch.cuda's hidden state for one run: backend and profile, the default generator of
/// each device, the current device, and the calls queued before lazy initialisation.
#[derive(Debug)]
pub struct CudaCtx {
    /// `--gpu`.
    pub gpu: Option<String>,
    /// `--backend`.
    pub backend: Backend,
    /// Print notes on stderr as they are made (tests turn this off).
    pub print_notes: bool,
    /// Notes made so far (the emulation note), in order.
    pub notes: Vec<String>,
    profile: Option<GpuProfile>,
    gens: Vec<SharedCudaGen>,
    current: usize,
    initialized: bool,
    queued_states: Vec<(Vec<u8>, Option<usize>)>,
    seed_one: Option<u64>,
    seed_all: Option<u64>,
    seed_order: Vec<SeedCall>,
}

impl CudaCtx {
    /// A fresh state, as right after `import torch`.
    pub fn new(gpu: Option<String>, backend: Backend) -> Self {
        let gens = (0..EMULATED_DEVICES)
            .map(|_| {
                Rc::new(RefCell::new(CudaGenCell {
                    gen: CudaGenerator::new(),
                    known: false,
                }))
            })
            .collect();
        CudaCtx {
            gpu,
            backend,
            print_notes: true,
            notes: Vec::new(),
            profile: None,
            gens,
            current: 0,
            initialized: false,
            queued_states: Vec::new(),
            seed_one: None,
            seed_all: None,
            seed_order: Vec::new(),
        }
    }

    fn note(&mut self, msg: String) {
        if self.print_notes {
            eprintln!("{msg}");
        }
        self.notes.push(msg);
    }

    /// Chooses the backend and the GPU profile, once (see the module documentation).
    pub fn resolve(&mut self) -> Result<GpuProfile> {
        if let Some(p) = self.profile {
            return Ok(p);
        }
        let explicit = match &self.gpu {
            Some(s) => Some(GpuProfile::parse(s)?),
            None => None,
        };
        let default = GpuProfile::parse(DEFAULT_PROFILE)?;
        let spec = self.gpu.clone().unwrap_or_default();
        let describe = |p: &GpuProfile, given: bool| {
            if given {
                format!("GPU profile {spec} ({p}, --gpu)")
            } else {
                format!(
                    "GPU profile {DEFAULT_PROFILE} ({p}, the default: tensors larger than one \
                     wave of {} threads, and the generator offsets after them, depend on the \
                     GPU; pass --gpu PROFILE to match yours)",
                    p.wave_threads()
                )
            }
        };
        let tail = format!(
            "; torch.cuda.is_available() returns True and {EMULATED_DEVICES} devices are emulated"
        );
        let (profile, note) = match self.backend {
            Backend::Cpu => {
                let note = match explicit {
                    Some(_) => None,
                    None => Some(format!(
                        "note: torch.cuda is emulated on the CPU (--backend cpu) with {}{tail}",
                        describe(&default, false)
                    )),
                };
                (explicit.unwrap_or(default), note)
            }
            Backend::Cuda => {
                require_gpu()?;
                return Err(Error::unsupported(
                    "--backend cuda in `run` (torch.cuda calls of scripts run on the CPU \
                     emulation for now: use --backend cpu or auto)",
                ));
            }
            Backend::Auto => match crate::cuda::device_count() {
                Ok(n) if n > 0 => {
                    let (p, what) = match explicit {
                        Some(p) => (p, describe(&p, true)),
                        None => match crate::cuda::device_info(0) {
                            Ok(info) => {
                                let p = info.profile();
                                (p, format!("the profile of GPU 0 ({p})"))
                            }
                            Err(_) => (default, describe(&default, false)),
                        },
                    };
                    (
                        p,
                        Some(format!(
                            "note: a CUDA GPU is present, but `run` does not drive it yet: \
                             torch.cuda is emulated on the CPU with {what}{tail}"
                        )),
                    )
                }
                _ => {
                    let p = explicit.unwrap_or(default);
                    (
                        p,
                        Some(format!(
                            "note: no usable CUDA GPU: torch.cuda is emulated on the CPU with \
                             {}{tail}",
                            describe(&p, explicit.is_some())
                        )),
                    )
                }
            },
        };
        self.profile = Some(profile);
        if let Some(n) = note {
            self.note(n);
        }
        Ok(profile)
    }

    /// `torch.cuda._lazy_init()`: resolves the backend, then runs the queued calls (queued
    /// `set_rng_state`s in order, then the latest `manual_seed` / `manual_seed_all` in the
    /// order of their latest calls).
    pub fn init(&mut self) -> Result<GpuProfile> {
        let p = self.resolve()?;
        if !self.initialized {
            self.initialized = true;
            for (state, dev) in std::mem::take(&mut self.queued_states) {
                self.apply_state(&state, dev)?;
            }
            for call in std::mem::take(&mut self.seed_order) {
                match call {
                    SeedCall::One(s) => self.apply_seed(s),
                    SeedCall::All(s) => self.apply_seed_all(s),
                }
            }
        }
        Ok(p)
    }

    /// Whether CUDA was initialised (`torch.cuda.is_initialized()`).
    pub fn is_initialized(&self) -> bool {
        self.initialized
    }

    /// The current device (`torch.cuda.current_device()` without initialising).
    pub fn current(&self) -> usize {
        self.current
    }

    /// Initialises CUDA and resolves `idx` (`None`: the current device) to a valid ordinal.
    pub fn device(&mut self, idx: Option<usize>) -> Result<usize> {
        self.init()?;
        let d = idx.unwrap_or(self.current);
        if d >= EMULATED_DEVICES {
            return Err(Error::Runtime(format!(
                "CUDA error: invalid device ordinal (cuda:{d}; the emulation has \
                 {EMULATED_DEVICES} devices, cuda:0 to cuda:{})",
                EMULATED_DEVICES - 1
            )));
        }
        Ok(d)
    }

    fn apply_seed(&mut self, seed: u64) {
        let mut g = self.gens[self.current].borrow_mut();
        g.gen.manual_seed(seed);
        g.known = true;
    }

    fn apply_seed_all(&mut self, seed: u64) {
        for g in &self.gens {
            let mut g = g.borrow_mut();
            g.gen.manual_seed(seed);
            g.known = true;
        }
    }

    fn apply_state(&mut self, state: &[u8], dev: Option<usize>) -> Result<()> {
        let d = dev.unwrap_or(self.current);
        let g = self
            .gens
            .get(d)
            .ok_or_else(|| Error::Index("tuple index out of range".into()))?;
        let mut g = g.borrow_mut();
        let r = g.gen.set_state(state);
        if state.len() == 8 || state.len() == 16 {
            // The seed is applied before the offset is checked, as in torch.
            g.known = true;
        }
        r
    }

    /// `torch.cuda.manual_seed(seed)` (lazy before initialisation).
    pub fn manual_seed(&mut self, seed: u64) {
        if self.initialized {
            self.apply_seed(seed);
        } else {
            self.seed_one = Some(seed);
            self.seed_order = self.seed_all.map(SeedCall::All).into_iter().collect();
            self.seed_order.push(SeedCall::One(seed));
        }
    }

    /// `torch.cuda.manual_seed_all(seed)`, also run by `torch.manual_seed` (lazy before
    /// initialisation).
    pub fn manual_seed_all(&mut self, seed: u64) {
        if self.initialized {
            self.apply_seed_all(seed);
        } else {
            self.seed_all = Some(seed);
            self.seed_order = self.seed_one.map(SeedCall::One).into_iter().collect();
            self.seed_order.push(SeedCall::All(seed));
        }
    }

    /// `torch.cuda.set_rng_state(state, device)` (lazy before initialisation; errors are
    /// reported at the call either way).
    pub fn set_rng_state(&mut self, state: Vec<u8>, dev: Option<usize>) -> Result<()> {
        if self.initialized {
            return self.apply_state(&state, dev);
        }
        CudaGenerator::new().set_state(&state)?;
        if let Some(d) = dev {
            if d >= EMULATED_DEVICES {
                return Err(Error::Index("tuple index out of range".into()));
            }
        }
        self.queued_states.push((state, dev));
        Ok(())
    }

    /// The default generator of device `d` (after [`CudaCtx::init`]), refusing one whose
    /// seed torch drew from entropy.
    fn known_default(&self, d: usize) -> Result<SharedCudaGen> {
        let g = self.gens[d].clone();
        if !g.borrow().known {
            return Err(unseeded(d));
        }
        Ok(g)
    }

    /// The generator a call on device `d` draws from: `generator=` or the device's default.
    /// The outer error is an argument error; the inner one is raised only after the call's
    /// own argument checks passed (torch checks the generator inside the kernel wrapper).
    fn select(
        &self,
        d: usize,
        generator: Option<Value>,
    ) -> Result<std::result::Result<SharedCudaGen, Error>> {
        match generator {
            None => Ok(self.known_default(d)),
            Some(Value::Object(o)) => {
                if let Some(g) = o.as_any().downcast_ref::<TorchCudaGenerator>() {
                    Ok(Ok(g.state.clone()))
                } else if o.as_any().is::<TorchGenerator>() {
                    Ok(Err(Error::Runtime(
                        "Expected a 'cuda' device type for generator but found 'cpu'".into(),
                    )))
                } else {
                    Err(Error::type_err(format!(
                        "generator must be a torch.Generator, not {}",
                        o.type_name()
                    )))
                }
            }
            Some(other) => Err(Error::type_err(format!(
                "generator must be a torch.Generator, not {}",
                other.type_name()
            ))),
        }
    }

    /// Runs one random call on device `d`: `f(generator, profile)`. When the generator cannot
    /// be used (a CPU generator, an unseeded default one), `f` runs on a scratch generator
    /// first so that torch's argument errors win, then the generator error is raised.
    pub fn draw<T>(
        &mut self,
        d: usize,
        generator: Option<Value>,
        f: impl FnOnce(&mut CudaGenerator, &GpuProfile) -> Result<T>,
    ) -> Result<T> {
        let profile = self.init()?;
        match self.select(d, generator)? {
            Ok(g) => {
                let mut g = g.borrow_mut();
                if !g.known {
                    drop(g);
                    let mut scratch = CudaGenerator::new();
                    f(&mut scratch, &profile)?;
                    return Err(unseeded(d));
                }
                f(&mut g.gen, &profile)
            }
            Err(e) => {
                let mut scratch = CudaGenerator::new();
                f(&mut scratch, &profile)?;
                Err(e)
            }
        }
    }
}

/// `--backend cuda`'s requirement: a usable CUDA GPU, else a `CUDA error` saying why.
pub fn require_gpu() -> Result<()> {
    match crate::cuda::device_count() {
        Ok(n) if n > 0 => Ok(()),
        Ok(_) => Err(Error::Cuda(
            "--backend cuda needs a usable CUDA GPU, and the driver reports none: use \
             --backend cpu (or auto) to emulate torch.cuda on the CPU"
                .into(),
        )),
        Err(e) => {
            let why = match e {
                Error::Cuda(m) => m,
                other => other.to_string(),
            };
            Err(Error::Cuda(format!(
                "--backend cuda needs a usable CUDA GPU, and none is: {why}"
            )))
        }
    }
}

fn unseeded(d: usize) -> Error {
    Error::unsupported(format!(
        "using torch.cuda's default generator of cuda:{d} before torch.manual_seed, \
         torch.cuda.manual_seed[_all] or torch.cuda.set_rng_state (torch seeds it \
         nondeterministically)"
    ))
}

fn cuda_value(a: NdArray, d: usize) -> Value {
    Value::tensor(a, Some(d))
}

/// Elementwise `float -> integer` conversions agree between the CPU and the GPU only for
/// finite values in the target's range (CUDA saturates, x86 does not): others are refused.
pub fn check_cuda_cast(a: &NdArray, d: DType) -> Result<()> {
    if !a.dtype().is_float() || d.is_float() || d == DType::Bool || a.dtype() == d {
        return Ok(());
    }
    let (lo, hi) = d.int_bounds().unwrap_or((0, 0));
    let bad = (0..a.len()).any(|i| {
        let x = a.data.get_f64(i).trunc();
        !(x.is_finite() && x >= lo as f64 && x <= hi as f64)
    });
    if bad {
        return Err(Error::unsupported(format!(
            "converting non-finite or out-of-range {} values of a CUDA tensor to {} (the GPU \
             saturates where the CPU does not)",
            a.dtype().name(),
            d.name()
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// factories
// ------------------------------------------------------------------------------------------

/// `torch.rand/randn/empty/zeros/ones(shape, dtype=dtype, device='cuda...', generator=)`.
pub fn factory(
    ctx: &mut TorchCtx,
    name: &str,
    shape: &[usize],
    dtype: DType,
    idx: Option<usize>,
    generator: Option<Value>,
) -> Result<Value> {
    let d = ctx.cuda.device(idx)?;
    let a = match name {
        "empty" | "zeros" | "empty_like" | "zeros_like" => tc::full(shape, 0.0, dtype)?,
        "ones" | "ones_like" => tc::full(shape, 1.0, dtype)?,
        "rand" | "rand_like" => ctx
            .cuda
            .draw(d, generator, |g, p| cu::rand(g, p, shape, dtype))?,
        "randn" | "randn_like" => ctx
            .cuda
            .draw(d, generator, |g, p| cu::randn(g, p, shape, dtype))?,
        other => return Err(Error::unsupported(format!("torch.{other} on CUDA"))),
    };
    Ok(cuda_value(a, d))
}

/// An existing array placed on a CUDA device (`torch.tensor(..., device=)`, `torch.full`).
pub fn place(ctx: &mut TorchCtx, a: NdArray, idx: Option<usize>) -> Result<Value> {
    let d = ctx.cuda.device(idx)?;
    Ok(cuda_value(a, d))
}

/// `torch.randint(low, high, size, device='cuda...')`.
pub fn randint(
    ctx: &mut TorchCtx,
    low: i64,
    high: i64,
    shape: &[usize],
    dtype: DType,
    idx: Option<usize>,
    generator: Option<Value>,
) -> Result<Value> {
    let d = ctx.cuda.device(idx)?;
    let a = ctx.cuda.draw(d, generator, |g, p| {
        cu::randint(g, p, low, high, shape, dtype)
    })?;
    Ok(cuda_value(a, d))
}

/// `torch.randperm(n, device='cuda...')`.
pub fn randperm(
    ctx: &mut TorchCtx,
    n: i64,
    dtype: DType,
    idx: Option<usize>,
    generator: Option<Value>,
) -> Result<Value> {
    let d = ctx.cuda.device(idx)?;
    if n < 0 {
        return Err(Error::Runtime(format!(
            "Trying to create tensor with negative dimension {n}: [{n}]"
        )));
    }
    let a = ctx
        .cuda
        .draw(d, generator, |g, p| cu::randperm(g, p, n as u64, dtype))?;
    Ok(cuda_value(a, d))
}

/// `out.add_(other)` / `out.mul_(other)` as CUDA's binary kernels compute them: in the
/// common dtype's opmath (double when either side is float64, else float; `a + 1 * b` is an
/// exact single rounding even when contracted to an FMA), rounded to `out`'s dtype.
fn binary_inplace(out: &mut NdArray, other: &[f64], other_f64: bool, add: bool) {
    let d = out.dtype();
    let n = out.len();
    let wide = d == DType::F64 || other_f64;
    let v: Vec<f64> = (0..n)
        .map(|i| {
            let a = out.data.get_f64(i);
            if wide {
                if add {
                    a + other[i]
                } else {
                    a * other[i]
                }
            } else {
                let (a, b) = (a as f32, other[i] as f32);
                f64::from(if add { a + b } else { a * b })
            }
        })
        .collect();
    out.data = tc::cast_f64(d, &v);
}

fn check_std_tensor(std: &NdArray) -> Result<()> {
    // NaN fails too (torch checks `std.min().ge(0)`).
    if (0..std.len()).any(|i| {
        std.data
            .get_f64(i)
            .partial_cmp(&0.0)
            .is_none_or(|o| o.is_lt())
    }) {
        return Err(Error::Runtime(
            "normal expects all elements of std >= 0.0".into(),
        ));
    }
    Ok(())
}

/// The CUDA device of the tensors among `vals`, or torch's mixed-device error.
fn common_cuda(vals: &[&Value]) -> Result<Option<usize>> {
    let mut devs = vec![];
    for v in vals {
        if let Value::Tensor(t) = v {
            let t = t.borrow();
            if t.array.ndim() > 0 || t.cuda.is_some() {
                devs.push(t.cuda);
            }
        }
    }
    let first = devs.iter().copied().find(|d| d.is_some()).flatten();
    if let Some(f) = first {
        if let Some(other) = devs.iter().find(|d| **d != Some(f)) {
            let name = |d: &Option<usize>| match d {
                Some(i) => format!("cuda:{i}"),
                None => "cpu".into(),
            };
            return Err(Error::Runtime(format!(
                "Expected all tensors to be on the same device, but found at least two \
                 devices, cuda:{f} and {}!",
                name(other)
            )));
        }
    }
    Ok(first)
}

/// `torch.normal(mean, std, ...)` when a tensor argument is on a CUDA device (the tensor
/// forms), or `torch.normal(mean, std, size, device='cuda')` (`idx` given, scalar forms).
pub fn normal(
    ctx: &mut TorchCtx,
    mean: &Value,
    std: &Value,
    size: Option<&[usize]>,
    dtype: DType,
    idx: Option<Option<usize>>,
    generator: Option<Value>,
) -> Result<Value> {
    let d = match idx {
        Some(i) => ctx.cuda.device(i)?,
        None => match common_cuda(&[mean, std])? {
            Some(d) => ctx.cuda.device(Some(d))?,
            None => return Err(Error::unsupported("torch.normal on CUDA without a device")),
        },
    };
    let arr = |v: &Value| match v {
        Value::Tensor(t) => Some(t.borrow().array.clone()),
        _ => None,
    };
    let a = match (arr(mean), arr(std)) {
        (Some(m), Some(s)) => {
            check_std_tensor(&s)?;
            let shape = tc::broadcast_shapes(&m.shape, &s.shape)?;
            ctx.cuda.draw(d, generator, |g, p| {
                let mut out = tc::empty(&shape, m.dtype())?;
                cu::normal_(g, p, &mut out, 0.0, 1.0)?;
                let sv = s.broadcast_f64(&shape);
                binary_inplace(&mut out, &sv, s.dtype() == DType::F64, false);
                let mv = m.broadcast_f64(&shape);
                binary_inplace(&mut out, &mv, false, true);
                Ok(out)
            })?
        }
        (Some(m), None) => {
            let sd = to_f64(std, "std")?;
            ctx.cuda.draw(d, generator, |g, p| {
                let mut out = tc::empty(&m.shape, m.dtype())?;
                cu::normal_(g, p, &mut out, 0.0, sd)?;
                let mv = m.broadcast_f64(&out.shape);
                binary_inplace(&mut out, &mv, false, true);
                Ok(out)
            })?
        }
        (None, Some(s)) => {
            let mn = to_f64(mean, "mean")?;
            check_std_tensor(&s)?;
            ctx.cuda.draw(d, generator, |g, p| {
                let mut out = tc::empty(&s.shape, s.dtype())?;
                cu::normal_(g, p, &mut out, 0.0, 1.0)?;
                let sv = s.broadcast_f64(&out.shape);
                binary_inplace(&mut out, &sv, false, false);
                let mt = tc::cast_f64(out.dtype(), &[mn]);
                let mval = NdArray::new(vec![1], mt).data.get_f64(0);
                let mv = vec![mval; out.len()];
                binary_inplace(&mut out, &mv, false, true);
                Ok(out)
            })?
        }
        (None, None) => {
            let (mn, sd) = (to_f64(mean, "mean")?, to_f64(std, "std")?);
            let shape = size.ok_or_else(|| {
                Error::type_err("normal() missing 1 required positional argument: 'size'")
            })?;
            ctx.cuda.draw(d, generator, |g, p| {
                let mut out = tc::empty(shape, dtype)?;
                cu::normal_(g, p, &mut out, mn, sd)?;
                Ok(out)
            })?
        }
    };
    Ok(cuda_value(a, d))
}

/// `torch.bernoulli(input_cuda, p=None|float)` and `input_cuda.bernoulli(p)`.
pub fn bernoulli(
    ctx: &mut TorchCtx,
    t: &Rc<RefCell<Tensor>>,
    d: usize,
    p: Option<Value>,
    generator: Option<Value>,
) -> Result<Value> {
    let src = t.borrow().array.clone();
    let d = ctx.cuda.device(Some(d))?;
    let a = match p {
        None => ctx.cuda.draw(d, generator, |g, _| cu::bernoulli(g, &src))?,
        Some(p) => {
            let p = to_f64(&p, "p")?;
            ctx.cuda.draw(d, generator, |g, prof| {
                let mut a = tc::empty(&src.shape, src.dtype())?;
                cu::bernoulli_(g, prof, &mut a, p)?;
                Ok(a)
            })?
        }
    };
    Ok(cuda_value(a, d))
}

/// `torch.nn.functional.dropout(x_cuda, p, training, inplace)` (`p` already checked to be in
/// [0, 1]). Out of place: the fused kernel ([`cu::dropout`]); in place: torch's
/// `_dropout_impl<inplace>` (`noise = empty_like(x).bernoulli_(1 - p)`, `noise.div_(1 - p)`
/// as a multiplication by the float reciprocal, `x.mul_(noise)`).
pub fn dropout(
    ctx: &mut TorchCtx,
    t: &Rc<RefCell<Tensor>>,
    d: usize,
    p: f64,
    training: bool,
    inplace: bool,
) -> Result<Value> {
    let src = t.borrow().array.clone();
    let d = ctx.cuda.device(Some(d))?;
    if !src.dtype().is_float() {
        return Err(Error::unsupported(format!(
            "torch.nn.functional.dropout on a CUDA {} tensor",
            src.dtype().name()
        )));
    }
    let uses_rng = training && p > 0.0 && p < 1.0 && !src.is_empty();
    let out = if !inplace {
        if uses_rng {
            ctx.cuda
                .draw(d, None, |g, prof| cu::dropout(g, prof, &src, p, training))?
        } else {
            let prof = ctx.cuda.init()?;
            cu::dropout(&mut CudaGenerator::new(), &prof, &src, p, training)?
        }
    } else if !uses_rng {
        if training && p == 1.0 {
            let v: Vec<f64> = (0..src.len()).map(|i| src.data.get_f64(i) * 0.0).collect();
            NdArray::new(src.shape.clone(), tc::cast_f64(src.dtype(), &v))
        } else {
            src
        }
    } else {
        let noise = ctx.cuda.draw(d, None, |g, prof| {
            let mut noise = tc::empty(&src.shape, src.dtype())?;
            cu::bernoulli_(g, prof, &mut noise, 1.0 - p)?;
            Ok(noise)
        })?;
        let double = src.dtype() == DType::F64;
        let inv = if double {
            1.0 / (1.0 - p)
        } else {
            f64::from(1.0f32 / ((1.0 - p) as f32))
        };
        let mut noise = noise;
        let scaled = vec![inv; noise.len()];
        binary_inplace(&mut noise, &scaled, false, false);
        let nv: Vec<f64> = (0..noise.len()).map(|i| noise.data.get_f64(i)).collect();
        let mut out = src;
        binary_inplace(&mut out, &nv, false, false);
        out
    };
    if inplace {
        t.borrow_mut().array = out;
        Ok(Value::Tensor(t.clone()))
    } else {
        Ok(cuda_value(out, d))
    }
}

/// An in-place random method (`uniform_`, `normal_`, ...) on a CUDA tensor.
pub fn in_place(
    ctx: &mut TorchCtx,
    recv: &Value,
    t: &Rc<RefCell<Tensor>>,
    d: usize,
    generator: Option<Value>,
    f: &dyn Fn(&mut CudaGenerator, &GpuProfile, &mut NdArray) -> Result<()>,
) -> Result<Value> {
    let d = ctx.cuda.device(Some(d))?;
    let mut a = t.borrow().array.clone();
    ctx.cuda.draw(d, generator, |g, p| f(g, p, &mut a))?;
    t.borrow_mut().array = a;
    Ok(recv.clone())
}

// ------------------------------------------------------------------------------------------
// moving between devices
// ------------------------------------------------------------------------------------------

/// A tensor on `dev` with dtype `dtype`: `recv` itself when nothing changes and `copy` is
/// false, else a new tensor.
fn moved(
    ctx: &mut TorchCtx,
    recv: &Value,
    t: &Rc<RefCell<Tensor>>,
    dev: Dev,
    dtype: Option<DType>,
    copy: bool,
) -> Result<Value> {
    let target = match dev {
        Dev::Cpu => None,
        Dev::Cuda(i) => Some(ctx.cuda.device(i)?),
    };
    let (src, cur) = {
        let t = t.borrow();
        (t.array.clone(), t.cuda)
    };
    let d = dtype.unwrap_or(src.dtype());
    if target == cur && d == src.dtype() && !copy {
        return Ok(recv.clone());
    }
    if target.is_some() || cur.is_some() {
        check_cuda_cast(&src, d)?;
    }
    Ok(Value::tensor(convert(&src, d), target))
}

fn arg_desc(args: &Args) -> String {
    let names: Vec<String> = args.pos.iter().map(type_desc).collect();
    let mut kw: Vec<String> = args
        .kw
        .iter()
        .map(|(k, v)| format!("{k}={}", type_desc(v)))
        .collect();
    kw.sort();
    if kw.is_empty() {
        format!("({})", names.join(", "))
    } else if names.is_empty() {
        format!("({}, )", kw.join(", "))
    } else {
        format!("({}, {})", names.join(", "), kw.join(", "))
    }
}

fn type_desc(v: &Value) -> String {
    match v {
        Value::DType(..) => "torch.dtype".into(),
        Value::Device(_) => "torch.device".into(),
        Value::Object(o) if o.as_any().is::<CudaDeviceAny>() => "torch.device".into(),
        other => other.type_name(),
    }
}

fn to_error(args: &Args) -> Error {
    Error::type_err(format!(
        "to() received an invalid combination of arguments - got {}, but expected one of:\n \
         * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, \
         bool copy = False, *, torch.memory_format memory_format = None)\n \
         * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, \
         torch.memory_format memory_format = None)\n \
         * (Tensor tensor, bool non_blocking = False, bool copy = False, *, \
         torch.memory_format memory_format = None)\n",
        arg_desc(args)
    ))
}

fn is_dtype(v: &Value) -> bool {
    matches!(v, Value::DType(_, DTypeOrigin::Torch))
        || matches!(v, Value::Function(f) if f == "builtins.float" || f == "builtins.int" || f == "builtins.bool")
}

/// The `non_blocking` / `copy` flags of `to()`: Python bools (or absent).
fn flags_ok(b: &[Option<Value>]) -> bool {
    b.iter()
        .all(|v| matches!(v, None | Some(Value::Bool(_)) | Some(Value::None)))
}

fn truthy_opt(v: &Option<Value>) -> Result<bool> {
    match opt(v) {
        Some(v) => v.truthy(),
        None => Ok(false),
    }
}

/// `Tensor.to(...)` with torch's three overloads (device/dtype, dtype, tensor).
pub fn to_method(
    ctx: &mut TorchCtx,
    recv: &Value,
    t: &Rc<RefCell<Tensor>>,
    args: &Args,
) -> Result<Value> {
    let cur = {
        let t = t.borrow();
        match t.cuda {
            Some(i) => Dev::Cuda(Some(i)),
            None => Dev::Cpu,
        }
    };
    let first = args.pos.first();
    let by_tensor = matches!(first, Some(Value::Tensor(_)))
        || (first.is_none() && args.kwarg("tensor").is_some());
    let by_dtype = first.is_some_and(is_dtype);
    if by_tensor {
        let b = args
            .bind_kwonly(
                "to",
                &["tensor", "non_blocking", "copy"],
                &["memory_format"],
            )
            .map_err(|_| to_error(args))?;
        if !flags_ok(&b[1..3]) {
            return Err(to_error(args));
        }
        let Some(Value::Tensor(o)) = opt(&b[0]) else {
            return Err(to_error(args));
        };
        let (dev, d) = {
            let o = o.borrow();
            (
                match o.cuda {
                    Some(i) => Dev::Cuda(Some(i)),
                    None => Dev::Cpu,
                },
                o.array.dtype(),
            )
        };
        return moved(ctx, recv, t, dev, Some(d), truthy_opt(&b[2])?);
    }
    if by_dtype {
        let b = args
            .bind_kwonly("to", &["dtype", "non_blocking", "copy"], &["memory_format"])
            .map_err(|_| to_error(args))?;
        if !flags_ok(&b[1..3]) {
            return Err(to_error(args));
        }
        let d = dtype_arg(opt(&b[0]), DType::F32)?;
        return moved(ctx, recv, t, cur, Some(d), truthy_opt(&b[2])?);
    }
    let b = args
        .bind_kwonly(
            "to",
            &["device", "dtype", "non_blocking", "copy"],
            &["memory_format"],
        )
        .map_err(|_| to_error(args))?;
    if !flags_ok(&b[2..4]) {
        return Err(to_error(args));
    }
    let dev = match opt(&b[0]) {
        None => cur,
        // An explicit 'cuda' without index moves to the current device.
        Some(v) if is_device_like(&v) => parse_device(&v)?,
        Some(_) => return Err(to_error(args)),
    };
    let d = match opt(&b[1]) {
        None => None,
        Some(v) if is_dtype(&v) => Some(dtype_arg(Some(v), DType::F32)?),
        Some(_) => return Err(to_error(args)),
    };
    moved(ctx, recv, t, dev, d, truthy_opt(&b[3])?)
}

/// `Tensor.cuda(device=None, non_blocking=False, memory_format=...)`.
pub fn cuda_method(
    ctx: &mut TorchCtx,
    recv: &Value,
    t: &Rc<RefCell<Tensor>>,
    args: &Args,
) -> Result<Value> {
    let b = args.bind_kwonly("cuda", &["device", "non_blocking"], &["memory_format"])?;
    let idx = match opt(&b[0]) {
        None => None,
        Some(v @ Value::Int(_)) => {
            let i = v.as_i128_sat().unwrap_or(i128::MAX);
            if i == -1 {
                None
            } else {
                Some(nonneg_index(i)?)
            }
        }
        Some(v) if is_device_like(&v) => match parse_device(&v)? {
            Dev::Cuda(i) => i,
            Dev::Cpu => return Err(Error::Runtime("Invalid device, must be cuda device".into())),
        },
        Some(v) => {
            return Err(Error::type_err(format!(
                "cuda(): argument 'device' (position 1) must be torch.device, not {}",
                v.type_name()
            )))
        }
    };
    moved(ctx, recv, t, Dev::Cuda(idx), None, false)
}

/// `Tensor.cpu(memory_format=...)`.
pub fn cpu_method(
    ctx: &mut TorchCtx,
    recv: &Value,
    t: &Rc<RefCell<Tensor>>,
    args: &Args,
) -> Result<Value> {
    if !args.pos.is_empty() {
        return Err(Error::type_err(format!(
            "cpu() takes 0 positional arguments but {} was given",
            args.pos.len()
        )));
    }
    args.bind_kwonly("cpu", &[], &["memory_format"])?;
    moved(ctx, recv, t, Dev::Cpu, None, false)
}

// ------------------------------------------------------------------------------------------
// torch.Generator(device='cuda')
// ------------------------------------------------------------------------------------------

/// `torch.Generator(device='cuda...')`: seed 67280421310721, offset 0.
pub fn new_generator(ctx: &mut TorchCtx, idx: Option<usize>) -> Result<Value> {
    ctx.cuda.resolve()?;
    Ok(Value::Object(Rc::new(TorchCudaGenerator {
        state: Rc::new(RefCell::new(CudaGenCell {
            gen: CudaGenerator::new(),
            known: true,
        })),
        device: idx,
    })))
}

/// `torch.Generator` methods on a CUDA generator.
pub fn generator_method(
    recv: &Value,
    obj: &TorchCudaGenerator,
    name: &str,
    args: &Args,
) -> Result<Value> {
    let known = |g: &CudaGenCell| -> Result<()> {
        if g.known {
            Ok(())
        } else {
            Err(unseeded(obj.device.unwrap_or(0)))
        }
    };
    match name {
        "manual_seed" => {
            let b = args.bind("manual_seed", &["seed"])?;
            let v = required(&b[0], "manual_seed", "seed")?;
            let seed = CpuGenerator::seed_from_int(long_arg(&v, "manual_seed")?)?;
            let mut g = obj.state.borrow_mut();
            g.gen.manual_seed(seed);
            g.known = true;
            Ok(recv.clone())
        }
        "initial_seed" => {
            args.bind("initial_seed", &[])?;
            let g = obj.state.borrow();
            known(&g)?;
            Ok(Value::int(g.gen.initial_seed()))
        }
        "get_state" => {
            args.bind("get_state", &[])?;
            let g = obj.state.borrow();
            known(&g)?;
            Ok(state_tensor(g.gen.get_state().to_vec()))
        }
        "set_state" => {
            let b = args.bind("set_state", &["new_state"])?;
            let bytes = state_bytes(&required(&b[0], "set_state", "new_state")?)?;
            let mut g = obj.state.borrow_mut();
            let r = g.gen.set_state(&bytes);
            if bytes.len() == 8 || bytes.len() == 16 {
                g.known = true;
            }
            r?;
            Ok(recv.clone())
        }
        "get_offset" => {
            args.bind("get_offset", &[])?;
            Ok(Value::int(obj.state.borrow().gen.get_offset()))
        }
        "set_offset" => {
            let b = args.bind("set_offset", &["offset"])?;
            let v = required(&b[0], "set_offset", "offset")?;
            let off = CpuGenerator::seed_from_int(long_arg(&v, "manual_offset")?)?;
            obj.state.borrow_mut().gen.set_offset(off)?;
            Ok(recv.clone())
        }
        "seed" => Err(Error::unsupported(
            "Generator.seed (it seeds nondeterministically)",
        )),
        other => Err(Error::Attribute(format!(
            "'torch._C.Generator' object has no attribute '{other}'"
        ))),
    }
}

// ------------------------------------------------------------------------------------------
// the torch.cuda module
// ------------------------------------------------------------------------------------------

const CUDA_FUNCTIONS: &[&str] = &[
    "is_available",
    "is_initialized",
    "device_count",
    "current_device",
    "set_device",
    "synchronize",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "seed_all",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "get_rng_state_all",
    "set_rng_state_all",
];

const TENSOR_TYPES: &[(&str, DType)] = &[
    ("FloatTensor", DType::F32),
    ("DoubleTensor", DType::F64),
    ("HalfTensor", DType::F16),
    ("BFloat16Tensor", DType::BF16),
    ("LongTensor", DType::I64),
    ("IntTensor", DType::I32),
    ("ShortTensor", DType::I16),
    ("CharTensor", DType::I8),
    ("ByteTensor", DType::U8),
    ("BoolTensor", DType::Bool),
];

/// `torch.cuda.<name>` and `torch.cuda.random.<name>`.
pub fn module_attr(path: &str, name: &str) -> Result<Value> {
    match (path, name) {
        ("torch.cuda", "random") => Ok(Value::Module("torch.cuda.random".into())),
        ("torch.cuda", n) if TENSOR_TYPES.iter().any(|(t, _)| *t == n) => {
            Ok(Value::Function(format!("torch.cuda.{n}")))
        }
        (_, n) if CUDA_FUNCTIONS.contains(&n) => Ok(Value::Function(format!("torch.cuda.{n}"))),
        (p, n) => Err(Error::unsupported(format!("{p}.{n}"))),
    }
}

/// The device index of a `device=` argument of `torch.cuda.get_rng_state` /
/// `set_rng_state` (`None`: the current device; a CPU device also means the current one,
/// as `device.index` is `None` for it).
fn rng_device(v: Option<Value>) -> Result<Option<usize>> {
    match v {
        None => Ok(None),
        Some(Value::Int(i)) => Ok(Some(nonneg_index(
            Value::Int(i).as_i128_sat().unwrap_or(i128::MAX),
        )?)),
        Some(v) if is_device_like(&v) => match parse_device(&v)? {
            Dev::Cuda(i) => Ok(i),
            Dev::Cpu => Ok(None),
        },
        Some(v) => Err(Error::Attribute(format!(
            "'{}' object has no attribute 'index'",
            v.type_name()
        ))),
    }
}

/// `_get_device_index(device)` of `torch.cuda.set_device`: `None` for a negative index
/// (a no-op).
fn set_device_index(v: &Value) -> Result<Option<usize>> {
    let shown = |v: &Value| match v {
        Value::None => "None".to_string(),
        Value::Float(f) => super::display::repr(&Value::Float(*f)),
        other => super::display::str_of(other),
    };
    let i: i128 =
        match v {
            Value::Int(_) | Value::Bool(_) => v.as_i128_sat().unwrap_or(i128::MAX),
            v if is_device_like(v) => match parse_device(v)? {
                Dev::Cpu => {
                    return Err(Error::value("Expected a cuda device, but got: cpu"));
                }
                Dev::Cuda(Some(i)) => i as i128,
                Dev::Cuda(None) => return Err(Error::value(
                    "Expected a torch.device with a specified index or an integer, but got:cuda",
                )),
            },
            other => {
                return Err(Error::value(format!(
                    "Expected a torch.device with a specified index or an integer, but got:{}",
                    shown(other)
                )))
            }
        };
    if i < 0 {
        return Ok(None);
    }
    Ok(Some(usize::try_from(i).unwrap_or(usize::MAX)))
}

/// Calls `torch.cuda.<name>` (`name` without the `torch.cuda.` prefix).
pub fn call_function(ctx: &mut TorchCtx, name: &str, args: &Args) -> Result<Value> {
    let no_args = |n: &str| -> Result<()> {
        if !args.pos.is_empty() {
            return Err(Error::type_err(format!(
                "{n}() takes 0 positional arguments but {} was given",
                args.pos.len()
            )));
        }
        args.bind(n, &[]).map(|_| ())
    };
    if let Some((_, dt)) = TENSOR_TYPES.iter().find(|(t, _)| *t == name) {
        // Legacy constructors: sizes (uninitialised memory, shown as zeros) or data.
        if args.pos.len() == 1 && args.pos[0].as_sequence().is_some() && args.kw.is_empty() {
            let a = super::bind_torch::torch_tensor(
                &args.pos[0],
                Some(Value::DType(*dt, DTypeOrigin::Torch)),
            )?;
            return place(ctx, a, None);
        }
        if !args.kw.is_empty() {
            return Err(Error::unsupported(format!(
                "torch.cuda.{name} with keywords"
            )));
        }
        // No arguments: an empty 1-d tensor, as torch.cuda.FloatTensor() gives.
        let shape = if args.pos.is_empty() {
            vec![0]
        } else {
            super::bind_torch::dims_from(&args.pos)?
        };
        let a = tc::full(&shape, 0.0, *dt)?;
        return place(ctx, a, None);
    }
    match name {
        "is_available" => {
            no_args(name)?;
            ctx.cuda.resolve()?;
            Ok(Value::Bool(true))
        }
        "is_initialized" => {
            no_args(name)?;
            Ok(Value::Bool(ctx.cuda.is_initialized()))
        }
        "device_count" => {
            no_args(name)?;
            ctx.cuda.resolve()?;
            Ok(Value::int(EMULATED_DEVICES))
        }
        "current_device" => {
            no_args(name)?;
            ctx.cuda.init()?;
            Ok(Value::int(ctx.cuda.current()))
        }
        "synchronize" => {
            let b = args.bind("synchronize", &["device"])?;
            let idx = rng_device(opt(&b[0]))?;
            ctx.cuda.device(idx)?;
            Ok(Value::None)
        }
        "set_device" => {
            let b = args.bind("set_device", &["device"])?;
            let v = required(&b[0], "set_device", "device")?;
            if let Some(i) = set_device_index(&v)? {
                let d = ctx.cuda.device(Some(i))?;
                ctx.cuda.current = d;
            }
            Ok(Value::None)
        }
        "manual_seed" | "manual_seed_all" => {
            let b = args.bind(name, &["seed"])?;
            let v = required(&b[0], name, "seed")?;
            let seed = CpuGenerator::seed_from_int(py_int_seed(&v)?)?;
            if name == "manual_seed" {
                ctx.cuda.manual_seed(seed);
            } else {
                ctx.cuda.manual_seed_all(seed);
            }
            Ok(Value::None)
        }
        "seed" | "seed_all" => Err(Error::unsupported(format!(
            "torch.cuda.{name} (it seeds nondeterministically)"
        ))),
        "initial_seed" => {
            no_args(name)?;
            ctx.cuda.init()?;
            let g = ctx.cuda.known_default(ctx.cuda.current)?;
            let s = g.borrow().gen.initial_seed();
            Ok(Value::int(s))
        }
        "get_rng_state" => {
            let b = args.bind("get_rng_state", &["device"])?;
            let idx = rng_device(opt(&b[0]))?;
            ctx.cuda.init()?;
            let d = idx.unwrap_or(ctx.cuda.current);
            if d >= EMULATED_DEVICES {
                return Err(Error::Index("tuple index out of range".into()));
            }
            let g = ctx.cuda.known_default(d)?;
            let s = g.borrow().gen.get_state();
            Ok(state_tensor(s.to_vec()))
        }
        "get_rng_state_all" => {
            no_args(name)?;
            ctx.cuda.init()?;
            let mut out = Vec::with_capacity(EMULATED_DEVICES);
            for d in 0..EMULATED_DEVICES {
                let g = ctx.cuda.known_default(d)?;
                let s = g.borrow().gen.get_state();
                out.push(state_tensor(s.to_vec()));
            }
            Ok(Value::list(out))
        }
        "set_rng_state" => {
            let b = args.bind("set_rng_state", &["new_state", "device"])?;
            let bytes = state_bytes(&required(&b[0], "set_rng_state", "new_state")?)?;
            let idx = rng_device(opt(&b[1]))?;
            ctx.cuda.set_rng_state(bytes, idx)?;
            Ok(Value::None)
        }
        "set_rng_state_all" => {
            let b = args.bind("set_rng_state_all", &["new_states"])?;
            let v = required(&b[0], "set_rng_state_all", "new_states")?;
            let states = v.as_sequence().ok_or_else(|| {
                Error::type_err(format!("'{}' object is not iterable", v.type_name()))
            })?;
            for (i, s) in states.iter().enumerate() {
                let bytes = state_bytes(s)?;
                ctx.cuda.set_rng_state(bytes, Some(i))?;
            }
            Ok(Value::None)
        }
        other => Err(Error::unsupported(format!("torch.cuda.{other}"))),
    }
}

/// Attribute reads on this module's objects.
pub fn get_attr(o: &dyn PyObject, name: &str) -> Result<Value> {
    if let Some(g) = o.as_any().downcast_ref::<TorchCudaGenerator>() {
        return match name {
            "device" => Ok(Dev::Cuda(g.device).value()),
            _ => Err(Error::Attribute(format!(
                "'torch._C.Generator' object has no attribute '{name}'"
            ))),
        };
    }
    match name {
        "type" => Ok(Value::Str("cuda".into())),
        "index" => Ok(Value::None),
        _ => Err(Error::Attribute(format!(
            "'torch.device' object has no attribute '{name}'"
        ))),
    }
}

/// `tensor_value` for CPU results, kept here so both binding files agree.
pub fn on_device(a: NdArray, d: Option<usize>) -> Value {
    match d {
        None => tensor_value(a),
        Some(d) => cuda_value(a, d),
    }
}
