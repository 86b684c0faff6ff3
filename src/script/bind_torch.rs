//! Binding of `import torch` in the `run` language onto [`crate::torch::cpu`] and, for
//! `device='cuda'` and `torch.cuda`, onto the CPU emulation of [`crate::torch::cuda`]
//! ([`super::bind_torch_cuda`]).
//!
//! The evaluator calls [`module_attr`], [`call_function`], [`call_method`], [`get_attr`] and
//! [`owns`]; torch's hidden state (the default CPU generator, the CUDA generators) lives in
//! [`TorchCtx`]. Argument handling follows torch's Python signatures (`torch/_torch_docs.py`,
//! `torch/_C/_VariableFunctions.pyi`).

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use num_traits::ToPrimitive;

use super::bind_torch_cuda::{self as cu, CudaCtx, Dev, TorchCudaGenerator};
use super::value::{opt, required, to_f64, Args, DTypeOrigin, PyObject, Value};
use crate::array::{DType, Data, NdArray};
use crate::torch::cpu::{self as tc, CpuCapability, CpuGenerator};
use crate::torch::cuda::{self as cuda, CudaGenerator, GpuProfile};
use crate::{Error, Result};

/// A `torch.Generator` object (CPU). Shared: `g2 = g` and `torch.manual_seed(...)`'s return
/// value refer to the same generator.
#[derive(Debug)]
pub struct TorchGenerator {
    /// The generator state.
    pub gen: Rc<RefCell<CpuGenerator>>,
}

impl PyObject for TorchGenerator {
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

/// torch's hidden state for one script run.
#[derive(Debug)]
pub struct TorchCtx {
    /// Which CPU kernel build to reproduce (`--cpu-capability`).
    pub cap: CpuCapability,
    /// `torch.default_generator`. torch seeds it from /dev/urandom at start-up; scripts that
    /// draw before `torch.manual_seed` are refused (see [`TorchCtx::default_gen`]).
    pub default: Rc<RefCell<CpuGenerator>>,
    /// Whether the default generator was seeded (`manual_seed` / `set_rng_state`) by the script.
    pub seeded: bool,
    /// torch.cuda: backend and GPU profile, per-device default generators, current device,
    /// lazy initialisation ([`super::bind_torch_cuda`]).
    pub cuda: CudaCtx,
}

impl TorchCtx {
    /// A fresh context, as right after `import torch`, with torch.cuda on the default backend
    /// (`auto`) and profile.
    pub fn new(cap: CpuCapability) -> Self {
        Self::with_cuda(cap, None, cu::Backend::Auto)
    }

    /// A fresh context with torch.cuda's `--gpu` profile and `--backend`.
    pub fn with_cuda(cap: CpuCapability, gpu: Option<String>, backend: cu::Backend) -> Self {
        TorchCtx {
            cap,
            default: Rc::new(RefCell::new(CpuGenerator::with_default_seed(cap))),
            seeded: false,
            cuda: CudaCtx::new(gpu, backend),
        }
    }

    /// The default generator, refusing draws from torch's unseeded (random) start-up state.
    fn default_gen(&self) -> Result<Rc<RefCell<CpuGenerator>>> {
        if !self.seeded {
            return Err(Error::unsupported(
                "drawing from torch's default generator before torch.manual_seed (torch seeds it nondeterministically)",
            ));
        }
        Ok(self.default.clone())
    }
}

/// True when `o` is one of this module's objects.
pub fn owns(o: &dyn PyObject) -> bool {
    o.as_any().is::<TorchGenerator>() || cu::owns(o)
}

const FUNCTIONS: &[&str] = &[
    "manual_seed",
    "initial_seed",
    "seed",
    "get_rng_state",
    "set_rng_state",
    "rand",
    "randn",
    "randint",
    "randperm",
    "rand_like",
    "randn_like",
    "randint_like",
    "normal",
    "bernoulli",
    "multinomial",
    "empty",
    "zeros",
    "ones",
    "full",
    "empty_like",
    "zeros_like",
    "ones_like",
    "tensor",
    "Generator",
    "device",
];

fn torch_dtype(name: &str) -> Option<DType> {
    Some(match name {
        "float32" | "float" => DType::F32,
        "float64" | "double" => DType::F64,
        "float16" | "half" => DType::F16,
        "bfloat16" => DType::BF16,
        "int64" | "long" => DType::I64,
        "int32" | "int" => DType::I32,
        "int16" | "short" => DType::I16,
        "int8" => DType::I8,
        "uint8" => DType::U8,
        "uint16" => DType::U16,
        "uint32" => DType::U32,
        "uint64" => DType::U64,
        "bool" => DType::Bool,
        _ => return None,
    })
}

/// `torch.<name>`, `torch.nn.<name>`, `torch.nn.functional.<name>`, `torch.random.<name>`.
pub fn module_attr(path: &str, name: &str) -> Result<Value> {
    match path {
        "torch" => {
            if let Some(d) = torch_dtype(name) {
                return Ok(Value::DType(d, DTypeOrigin::Torch));
            }
            match name {
                "nn" | "random" | "cuda" | "backends" => Ok(Value::Module(format!("torch.{name}"))),
                "default_generator" => Err(Error::unsupported("torch.default_generator")),
                n if FUNCTIONS.contains(&n) => Ok(Value::Function(format!("torch.{n}"))),
                n => Err(Error::unsupported(format!("torch.{n}"))),
            }
        }
        "torch.nn" => match name {
            "functional" => Ok(Value::Module("torch.nn.functional".into())),
            n => Err(Error::unsupported(format!("torch.nn.{n}"))),
        },
        "torch.nn.functional" => match name {
            "dropout" => Ok(Value::Function("torch.nn.functional.dropout".into())),
            n => Err(Error::unsupported(format!("torch.nn.functional.{n}"))),
        },
        "torch.random" => match name {
            "manual_seed" | "initial_seed" | "seed" | "get_rng_state" | "set_rng_state" => {
                Ok(Value::Function(format!("torch.{name}")))
            }
            n => Err(Error::unsupported(format!("torch.random.{n}"))),
        },
        "torch.cuda" | "torch.cuda.random" => cu::module_attr(path, name),
        p => Err(Error::unsupported(format!("{p}.{name}"))),
    }
}

// ------------------------------------------------------------------------------------------
// argument helpers
// ------------------------------------------------------------------------------------------

pub(super) fn dtype_arg(v: Option<Value>, default: DType) -> Result<DType> {
    match v {
        None => Ok(default),
        Some(Value::DType(d, DTypeOrigin::Torch)) => Ok(d),
        Some(Value::Function(f)) if f == "builtins.float" => Ok(DType::F64),
        Some(Value::Function(f)) if f == "builtins.int" => Ok(DType::I64),
        Some(Value::Function(f)) if f == "builtins.bool" => Ok(DType::Bool),
        Some(other) => Err(Error::type_err(format!(
            "dtype must be torch.dtype, not {}",
            other.type_name()
        ))),
    }
}

/// `device=` argument: `Dev::Cpu` when absent.
fn device_arg(v: Option<Value>) -> Result<Dev> {
    cu::device_arg(v)
}

/// Python's `int(v)` for seeds (`torch.manual_seed`, `torch.cuda.manual_seed[_all]`):
/// ints, bools, floats (truncated), decimal strings, 0-d arrays and tensors.
pub(super) fn py_int_seed(v: &Value) -> Result<i128> {
    match v {
        Value::Float(f) => {
            if f.is_nan() {
                return Err(Error::value("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(Error::Overflow(
                    "cannot convert float infinity to integer".into(),
                ));
            }
            Ok(if f.abs() < 1e38 {
                f.trunc() as i128
            } else {
                i128::MAX
            })
        }
        Value::Str(s) => {
            let t = s.trim().replace('_', "");
            t.parse::<num_bigint::BigInt>()
                .ok()
                .filter(|_| !s.trim().starts_with('_') && !s.trim().ends_with('_'))
                .map(|b| Value::Int(b).as_i128_sat().unwrap_or(i128::MAX))
                .ok_or_else(|| {
                    Error::value(format!("invalid literal for int() with base 10: '{s}'"))
                })
        }
        Value::Tensor(_) | Value::Array(_) if v.as_f64().is_some() => match v {
            Value::Tensor(t) if !t.borrow().array.dtype().is_float() => {
                Ok(t.borrow().array.data.get_i128(0).unwrap_or(0))
            }
            _ => py_int_seed(&Value::Float(v.as_f64().unwrap_or(0.0))),
        },
        other => other.as_i128_sat().ok_or_else(|| {
            Error::type_err(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                other.type_name()
            ))
        }),
    }
}

/// A C++ `long` argument of a `torch.Generator` method (`manual_seed`, `set_offset`):
/// a Python int (not a bool), else `RuntimeError: <what> expected a long, but got <type>`.
pub(super) fn long_arg(v: &Value, what: &str) -> Result<i128> {
    match v {
        Value::Int(_) | Value::Array(_) if v.is_integer() => {
            Ok(v.as_i128_sat().unwrap_or(i128::MAX))
        }
        other => Err(Error::Runtime(format!(
            "{what} expected a long, but got {}",
            other.type_name()
        ))),
    }
}

fn int_arg(v: &Value, what: &str) -> Result<i128> {
    v.as_i128_sat()
        .ok_or_else(|| Error::type_err(format!("{what}: expected an int, got '{}'", v.type_name())))
}

fn i64_arg(v: &Value, what: &str) -> Result<i64> {
    let i = int_arg(v, what)?;
    i64::try_from(i).map_err(|_| Error::Runtime(format!("Overflow when unpacking long: {what}")))
}

pub(super) fn dims_from(vals: &[Value]) -> Result<Vec<usize>> {
    let mut dims = Vec::with_capacity(vals.len());
    for v in vals {
        dims.push(int_arg(v, "size")?);
    }
    if let Some(&neg) = dims.iter().find(|&&d| d < 0) {
        let list = dims
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::Runtime(format!(
            "Trying to create tensor with negative dimension {neg}: [{list}]"
        )));
    }
    let list = || {
        dims.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // c10's computeStorageNbytes: the element count must fit an int64.
    let mut n: i128 = 1;
    for &d in &dims {
        n = n.saturating_mul(d);
    }
    if n > i64::MAX as i128 {
        return Err(Error::Runtime(format!(
            "Storage size calculation overflowed with sizes=[{}]",
            list()
        )));
    }
    let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
    // Refuse (rather than abort on) an allocation the machine cannot make: probe with the
    // largest element size, as the dtype is not known here.
    let bytes = (n as u128).saturating_mul(8);
    let fits = usize::try_from(bytes)
        .ok()
        .is_some_and(|b| b <= isize::MAX as usize && Vec::<u8>::new().try_reserve_exact(b).is_ok());
    if !fits {
        return Err(Error::Runtime(format!(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate a tensor of {n} elements. Error code 12 (Cannot allocate memory)"
        )));
    }
    Ok(shape)
}

fn size_value(v: &Value) -> Result<Vec<usize>> {
    match v.as_sequence() {
        Some(items) => dims_from(&items),
        None => dims_from(std::slice::from_ref(v)),
    }
}

/// `*size` varargs or a single sequence, or `size=`.
fn varargs_size(func: &str, pos: &[Value], kw: Option<&Value>) -> Result<Vec<usize>> {
    // torch's parser reads `size` as a tuple of ints: a lone bool, or a bool inside a
    // sequence, is refused (a bool among several varargs is taken as an int, as torch does).
    let lone = match (kw, pos) {
        (Some(k), _) => Some(k),
        (None, [one]) => Some(one),
        _ => None,
    };
    if let Some(v) = lone {
        if matches!(v, Value::Bool(_)) {
            return Err(Error::type_err(format!(
                "{func}(): argument 'size' (position 1) must be tuple of ints, not bool"
            )));
        }
        if let Some(items) = v.as_sequence() {
            if let Some(i) = items.iter().position(|x| matches!(x, Value::Bool(_))) {
                return Err(Error::type_err(format!(
                    "{func}(): argument 'size' (position 1) must be tuple of ints, but found \
                     element of type bool at pos {i}"
                )));
            }
        }
    }
    if let Some(k) = kw {
        if !pos.is_empty() {
            return Err(Error::type_err(
                "size given both positionally and as keyword",
            ));
        }
        return size_value(k);
    }
    if pos.len() == 1 && pos[0].as_sequence().is_some() {
        return size_value(&pos[0]);
    }
    dims_from(pos)
}

/// Keyword arguments: checks that only `allowed` ones appear, returns them by name.
fn kwargs(func: &str, args: &Args, allowed: &[&str]) -> Result<Vec<Option<Value>>> {
    let mut out = vec![None; allowed.len()];
    for (k, v) in &args.kw {
        let i = allowed.iter().position(|a| a == k).ok_or_else(|| {
            Error::type_err(format!("{func}() got an unexpected keyword argument '{k}'"))
        })?;
        out[i] = Some(v.clone());
    }
    Ok(out)
}

fn generator_arg(ctx: &TorchCtx, v: Option<Value>) -> Result<Rc<RefCell<CpuGenerator>>> {
    let g = match v {
        None => ctx.default_gen()?,
        Some(Value::Object(o)) => match o.as_any().downcast_ref::<TorchGenerator>() {
            Some(t) => t.gen.clone(),
            None if o.as_any().is::<TorchCudaGenerator>() => {
                return Err(Error::Runtime(
                    "Expected a 'cpu' device type for generator but found 'cuda'".into(),
                ))
            }
            None => {
                return Err(Error::type_err(format!(
                    "generator must be a torch.Generator, not {}",
                    o.type_name()
                )))
            }
        },
        Some(other) => {
            return Err(Error::type_err(format!(
                "generator must be a torch.Generator, not {}",
                other.type_name()
            )))
        }
    };
    g.borrow_mut().capability = ctx.cap;
    Ok(g)
}

/// A tensor argument (on any device) and its CUDA device.
fn tensor_of(v: &Value, what: &str) -> Result<(Rc<RefCell<super::value::Tensor>>, Option<usize>)> {
    match v {
        Value::Tensor(t) => {
            let d = t.borrow().cuda;
            Ok((t.clone(), d))
        }
        other => Err(Error::type_err(format!(
            "{what} must be Tensor, not {}",
            other.type_name()
        ))),
    }
}

pub(super) fn tensor_value(a: NdArray) -> Value {
    Value::tensor(a, None)
}

fn f64_opt(v: Option<Value>, default: f64, what: &str) -> Result<f64> {
    match v {
        None => Ok(default),
        Some(v) => to_f64(&v, what),
    }
}

/// A `double` parameter of a torch method (`uniform_(float from=0, float to=1)`, ...) as
/// torch's Python argument parser reads it: absent → the default; a number (or 0-d tensor) →
/// its value; anything else, `None` included, → torch's `TypeError` ("argument 'to' (position
/// 2) must be float, not NoneType"; no position when it was passed by keyword).
fn torch_float_arg(
    args: &Args,
    bound: &[Option<Value>],
    func: &str,
    names: &[&str],
    k: usize,
    default: f64,
) -> Result<f64> {
    match &bound[k] {
        None => Ok(default),
        Some(v) => v.as_f64().ok_or_else(|| {
            let at = if k < args.pos.len() {
                format!(" (position {})", k + 1)
            } else {
                String::new()
            };
            Error::type_err(format!(
                "{func}(): argument '{}'{at} must be float, not {}",
                names[k],
                v.type_name()
            ))
        }),
    }
}

// ------------------------------------------------------------------------------------------
// torch.tensor and conversions
// ------------------------------------------------------------------------------------------

enum Scal {
    B(bool),
    I(i64),
    F(f64),
}

fn flatten(v: &Value, depth: usize, shape: &mut Vec<usize>, out: &mut Vec<Scal>) -> Result<()> {
    if let Some(items) = v.as_sequence() {
        if shape.len() == depth {
            shape.push(items.len());
        } else if shape[depth] != items.len() {
            return Err(Error::value(format!(
                "expected sequence of length {} at dim {depth} (got {})",
                shape[depth],
                items.len()
            )));
        }
        for it in &items {
            flatten(it, depth + 1, shape, out)?;
        }
        return Ok(());
    }
    if shape.len() > depth {
        return Err(Error::type_err("not a sequence"));
    }
    out.push(match v {
        Value::Bool(b) => Scal::B(*b),
        Value::Int(i) => Scal::I(
            i.to_i64()
                .ok_or_else(|| Error::Runtime("Overflow when unpacking long".into()))?,
        ),
        Value::Float(f) => Scal::F(*f),
        Value::Tensor(t) if t.borrow().array.len() == 1 => {
            let a = &t.borrow().array;
            match a.data.get_i128(0) {
                Some(i) if a.dtype() == DType::Bool => Scal::B(i != 0),
                Some(i) => Scal::I(i as i64),
                None => Scal::F(a.data.get_f64(0)),
            }
        }
        other => {
            return Err(Error::type_err(format!(
                "Could not infer dtype of {}",
                other.type_name()
            )))
        }
    });
    Ok(())
}

/// Converts `a` to `d` the way torch's copy kernel does (`static_cast` per element).
pub fn convert(a: &NdArray, d: DType) -> NdArray {
    if a.dtype() == d {
        return a.clone();
    }
    let n = a.len();
    let data = if a.dtype().is_float() {
        let v: Vec<f64> = (0..n).map(|i| a.data.get_f64(i)).collect();
        if a.dtype() != DType::F64 && (d == DType::F16 || d == DType::BF16) {
            // float-valued source: a single rounding from float.
            let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            match d {
                DType::F16 => Data::F16(f.iter().map(|&x| half::f16::from_f32(x)).collect()),
                _ => Data::BF16(f.iter().map(|&x| half::bf16::from_f32(x)).collect()),
            }
        } else {
            tc::cast_f64(d, &v)
        }
    } else {
        let v: Vec<i64> = (0..n)
            .map(|i| a.data.get_i128(i).unwrap_or(0) as i64)
            .collect();
        if a.dtype() == DType::U64 && d.is_float() {
            let v: Vec<f64> = (0..n)
                .map(|i| a.data.get_i128(i).unwrap_or(0) as u64 as f64)
                .collect();
            tc::cast_f64(d, &v)
        } else {
            tc::cast_i64(d, &v)
        }
    };
    NdArray::new(a.shape.clone(), data)
}

pub(super) fn torch_tensor(data: &Value, dtype: Option<Value>) -> Result<NdArray> {
    let explicit = match dtype {
        None => None,
        Some(v) => Some(dtype_arg(Some(v), DType::F32)?),
    };
    match data {
        Value::Tensor(t) => {
            let a = t.borrow().array.clone();
            return Ok(explicit.map(|d| convert(&a, d)).unwrap_or(a));
        }
        Value::Array(a) => {
            let a = a.borrow().clone();
            return Ok(explicit.map(|d| convert(&a, d)).unwrap_or(a));
        }
        _ => {}
    }
    let mut shape = vec![];
    let mut vals = vec![];
    flatten(data, 0, &mut shape, &mut vals)?;
    let inferred = if vals.iter().any(|s| matches!(s, Scal::F(_))) {
        DType::F32
    } else if !vals.is_empty() && vals.iter().all(|s| matches!(s, Scal::B(_))) {
        DType::Bool
    } else if vals.is_empty() {
        DType::F32
    } else {
        DType::I64
    };
    let d = explicit.unwrap_or(inferred);
    let all_int = vals.iter().all(|s| !matches!(s, Scal::F(_)));
    let data = if all_int {
        let v: Vec<i64> = vals
            .iter()
            .map(|s| match s {
                Scal::B(b) => *b as i64,
                Scal::I(i) => *i,
                Scal::F(f) => *f as i64,
            })
            .collect();
        tc::cast_i64(d, &v)
    } else {
        let v: Vec<f64> = vals
            .iter()
            .map(|s| match s {
                Scal::B(b) => *b as u8 as f64,
                Scal::I(i) => *i as f64,
                Scal::F(f) => *f,
            })
            .collect();
        tc::cast_f64(d, &v)
    };
    Ok(NdArray::new(shape, data))
}

fn scalar_value(a: &NdArray, i: usize) -> Value {
    match a.dtype() {
        DType::Bool => Value::Bool(a.data.get_i128(i).unwrap_or(0) != 0),
        d if d.is_float() => Value::Float(a.data.get_f64(i)),
        _ => Value::int(a.data.get_i128(i).unwrap_or(0)),
    }
}

fn tolist(a: &NdArray, dim: usize, offset: usize) -> Value {
    if dim == a.shape.len() {
        return scalar_value(a, offset);
    }
    let stride: usize = a.shape[dim + 1..].iter().product();
    Value::list(
        (0..a.shape[dim])
            .map(|k| tolist(a, dim + 1, offset + k * stride))
            .collect(),
    )
}

pub(super) fn state_tensor(bytes: Vec<u8>) -> Value {
    let n = bytes.len();
    tensor_value(NdArray::new(vec![n], Data::U8(bytes)))
}

pub(super) fn state_bytes(v: &Value) -> Result<Vec<u8>> {
    match v {
        Value::Tensor(t) => {
            let t = t.borrow();
            match &t.array.data {
                Data::U8(b) if t.cuda.is_none() => Ok(b.clone()),
                _ => Err(Error::type_err("RNG state must be a torch.ByteTensor")),
            }
        }
        _ => Err(Error::type_err("RNG state must be a torch.ByteTensor")),
    }
}

fn seed_value(v: &Value) -> Result<u64> {
    CpuGenerator::seed_from_int(py_int_seed(v)?)
}

fn new_generator(ctx: &TorchCtx) -> Value {
    Value::Object(Rc::new(TorchGenerator {
        gen: Rc::new(RefCell::new(CpuGenerator::with_default_seed(ctx.cap))),
    }))
}

// ------------------------------------------------------------------------------------------
// torch.* functions
// ------------------------------------------------------------------------------------------

/// Calls `torch.<...>` function `path`.
pub fn call_function(ctx: &mut TorchCtx, path: &str, args: &Args) -> Result<Value> {
    let name = path.strip_prefix("torch.").unwrap_or(path);
    if let Some(n) = name.strip_prefix("cuda.") {
        return cu::call_function(ctx, n, args);
    }
    let factory_kw = ["dtype", "device", "requires_grad", "layout", "pin_memory"];
    match name {
        "manual_seed" => {
            let b = args.bind("manual_seed", &["seed"])?;
            let seed = seed_value(&required(&b[0], "manual_seed", "seed")?)?;
            // torch.manual_seed seeds every CUDA device too (torch.cuda.manual_seed_all).
            ctx.cuda.manual_seed_all(seed);
            ctx.default.borrow_mut().manual_seed(seed);
            ctx.seeded = true;
            Ok(Value::Object(Rc::new(TorchGenerator {
                gen: ctx.default.clone(),
            })))
        }
        "initial_seed" => {
            args.bind("initial_seed", &[])?;
            let g = ctx.default_gen()?;
            let s = g.borrow().initial_seed();
            Ok(Value::int(s))
        }
        "seed" => Err(Error::unsupported(
            "torch.seed (it seeds nondeterministically)",
        )),
        "get_rng_state" => {
            args.bind("get_rng_state", &[])?;
            let g = ctx.default_gen()?;
            let s = g.borrow().get_state();
            Ok(state_tensor(s))
        }
        "set_rng_state" => {
            let b = args.bind("set_rng_state", &["new_state"])?;
            let bytes = state_bytes(&required(&b[0], "set_rng_state", "new_state")?)?;
            ctx.default.borrow_mut().set_state(&bytes)?;
            ctx.seeded = true;
            Ok(Value::None)
        }
        "Generator" => {
            let b = args.bind("Generator", &["device"])?;
            match opt(&b[0]) {
                None => Ok(new_generator(ctx)),
                Some(Value::Str(s)) if s.split(':').next() == Some("meta") => Err(Error::Runtime(
                    "META device type not an accelerator.".into(),
                )),
                Some(d) if cu::is_device_like(&d) => match cu::parse_device(&d)? {
                    Dev::Cpu => Ok(new_generator(ctx)),
                    Dev::Cuda(i) => cu::new_generator(ctx, i),
                },
                Some(d) => Err(Error::type_err(format!(
                    "Generator(): argument 'device' must be torch.device, not {}",
                    d.type_name()
                ))),
            }
        }
        "device" => {
            let b = args.bind("device", &["type", "index"])?;
            let t = required(&b[0], "device", "type")?;
            let invalid = || {
                let mut got: Vec<String> = args.pos.iter().map(|v| v.type_name()).collect();
                got.extend(
                    args.kw
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.type_name())),
                );
                Error::type_err(format!(
                    "device() received an invalid combination of arguments - got ({}), but \
                     expected one of:\n * (torch.device device)\n * (str type, int index = -1)\n",
                    got.join(", ")
                ))
            };
            match (&t, opt(&b[1])) {
                (Value::Str(s), Some(i)) => {
                    if s.contains(':') {
                        return Err(Error::Runtime(format!(
                            "type (string) must not include an index because index was passed \
                             explicitly: {s}"
                        )));
                    }
                    let i = i.as_i128_sat().ok_or_else(invalid)?;
                    let dev = cu::parse_device_str(s)?;
                    if i == -1 {
                        return Ok(dev.value());
                    }
                    if i < 0 {
                        return Err(Error::Runtime("Device index must not be negative".into()));
                    }
                    match dev {
                        Dev::Cpu => Ok(Value::Device(None)),
                        Dev::Cuda(_) => {
                            Ok(Value::Device(Some(usize::try_from(i).map_err(|_| {
                                Error::Runtime("Device index out of range".into())
                            })?)))
                        }
                    }
                }
                (v, None) if cu::is_device_like(v) => Ok(cu::parse_device(v)?.value()),
                _ => Err(invalid()),
            }
        }
        "rand" | "randn" | "empty" | "zeros" | "ones" => {
            let kw = kwargs(
                name,
                args,
                &[
                    "size",
                    "generator",
                    "dtype",
                    "device",
                    "requires_grad",
                    "layout",
                    "pin_memory",
                    "out",
                ],
            )?;
            if kw[7].is_some() {
                return Err(Error::unsupported(format!("torch.{name}(out=...)")));
            }
            let shape = varargs_size(name, &args.pos, kw[0].as_ref())?;
            let d = dtype_arg(opt(&kw[2]), DType::F32)?;
            if let Dev::Cuda(i) = device_arg(opt(&kw[3]))? {
                return cu::factory(ctx, name, &shape, d, i, opt(&kw[1]));
            }
            let a = match name {
                "empty" | "zeros" => tc::full(&shape, 0.0, d)?,
                "ones" => tc::full(&shape, 1.0, d)?,
                _ => {
                    let g = generator_arg(ctx, opt(&kw[1]))?;
                    let mut g = g.borrow_mut();
                    if name == "rand" {
                        tc::rand(&mut g, &shape, d)?
                    } else {
                        tc::randn(&mut g, &shape, d)?
                    }
                }
            };
            Ok(tensor_value(a))
        }
        "full" => {
            let b = args.bind_kwonly("full", &["size", "fill_value"], &factory_kw)?;
            let shape = size_value(&required(&b[0], "full", "size")?)?;
            let fill = required(&b[1], "full", "fill_value")?;
            let inferred = match fill {
                Value::Bool(_) => DType::Bool,
                Value::Int(_) => DType::I64,
                _ => DType::F32,
            };
            let d = dtype_arg(opt(&b[2]), inferred)?;
            let dev = device_arg(opt(&b[3]))?;
            let one = torch_tensor(&fill, Some(Value::DType(d, DTypeOrigin::Torch)))?;
            let n: usize = shape.iter().product();
            let idx = vec![0usize; n];
            let a = NdArray::new(shape, one.data.gather(&idx));
            match dev {
                Dev::Cpu => Ok(tensor_value(a)),
                Dev::Cuda(i) => cu::place(ctx, a, i),
            }
        }
        "empty_like" | "zeros_like" | "ones_like" | "rand_like" | "randn_like" => {
            let b = args.bind_kwonly(
                name,
                &["input"],
                &[
                    "dtype",
                    "device",
                    "requires_grad",
                    "layout",
                    "memory_format",
                    "generator",
                ],
            )?;
            let (t, tdev) = tensor_of(&required(&b[0], name, "input")?, "input")?;
            let (shape, d0) = {
                let t = t.borrow();
                (t.array.shape.clone(), t.array.dtype())
            };
            let d = dtype_arg(opt(&b[1]), d0)?;
            let dev = match opt(&b[2]) {
                None => tdev.map_or(Dev::Cpu, |i| Dev::Cuda(Some(i))),
                v => device_arg(v)?,
            };
            if let Dev::Cuda(i) = dev {
                return cu::factory(ctx, name, &shape, d, i, opt(&b[6]));
            }
            let a = match name {
                "empty_like" | "zeros_like" => tc::full(&shape, 0.0, d)?,
                "ones_like" => tc::full(&shape, 1.0, d)?,
                _ => {
                    let g = generator_arg(ctx, opt(&b[6]))?;
                    let mut g = g.borrow_mut();
                    if name == "rand_like" {
                        tc::rand(&mut g, &shape, d)?
                    } else {
                        tc::randn(&mut g, &shape, d)?
                    }
                }
            };
            Ok(tensor_value(a))
        }
        "randint" => {
            let kw = kwargs(
                name,
                args,
                &[
                    "low",
                    "high",
                    "size",
                    "generator",
                    "dtype",
                    "device",
                    "requires_grad",
                    "layout",
                    "pin_memory",
                ],
            )?;
            // randint(high, size) / randint(low, high, size), positional or keyword.
            let mut low = kw[0].clone();
            let mut high = kw[1].clone();
            let mut size = kw[2].clone();
            match args.pos.len() {
                0 => {}
                1 => {
                    if size.is_none() && high.is_some() {
                        low = Some(args.pos[0].clone());
                    } else {
                        high = Some(args.pos[0].clone());
                    }
                }
                2 => {
                    if size.is_some() {
                        low = Some(args.pos[0].clone());
                        high = Some(args.pos[1].clone());
                    } else {
                        high = Some(args.pos[0].clone());
                        size = Some(args.pos[1].clone());
                    }
                }
                3 => {
                    low = Some(args.pos[0].clone());
                    high = Some(args.pos[1].clone());
                    size = Some(args.pos[2].clone());
                }
                _ => {
                    return Err(Error::type_err(
                        "randint() received an invalid combination of arguments",
                    ))
                }
            }
            let high =
                high.ok_or_else(|| Error::type_err("randint() missing required argument 'high'"))?;
            let size =
                size.ok_or_else(|| Error::type_err("randint() missing required argument 'size'"))?;
            if size.as_sequence().is_none() {
                return Err(Error::type_err(
                    "randint(): argument 'size' must be tuple of ints",
                ));
            }
            let shape = size_value(&size)?;
            let low = match low {
                Some(v) => i64_arg(&v, "low")?,
                None => 0,
            };
            let high = i64_arg(&high, "high")?;
            let d = dtype_arg(opt(&kw[4]), DType::I64)?;
            if let Dev::Cuda(i) = device_arg(opt(&kw[5]))? {
                return cu::randint(ctx, low, high, &shape, d, i, opt(&kw[3]));
            }
            let g = generator_arg(ctx, opt(&kw[3]))?;
            let a = tc::randint(&mut g.borrow_mut(), low, high, &shape, d)?;
            Ok(tensor_value(a))
        }
        "randint_like" => {
            let kw = kwargs(
                name,
                args,
                &[
                    "input",
                    "low",
                    "high",
                    "dtype",
                    "device",
                    "requires_grad",
                    "layout",
                    "memory_format",
                    "generator",
                ],
            )?;
            let mut input = kw[0].clone();
            let mut low = kw[1].clone();
            let mut high = kw[2].clone();
            let pos = &args.pos;
            match pos.len() {
                0 => {}
                1 => input = Some(pos[0].clone()),
                2 => {
                    input = Some(pos[0].clone());
                    high = Some(pos[1].clone());
                }
                3 => {
                    input = Some(pos[0].clone());
                    low = Some(pos[1].clone());
                    high = Some(pos[2].clone());
                }
                _ => {
                    return Err(Error::type_err(
                        "randint_like() received an invalid combination of arguments",
                    ))
                }
            }
            let (t, tdev) = tensor_of(&required(&input, name, "input")?, "input")?;
            let high = i64_arg(&required(&high, name, "high")?, "high")?;
            let low = match low {
                Some(v) => i64_arg(&v, "low")?,
                None => 0,
            };
            let (shape, d0) = {
                let t = t.borrow();
                (t.array.shape.clone(), t.array.dtype())
            };
            let d = dtype_arg(opt(&kw[3]), d0)?;
            let dev = match opt(&kw[4]) {
                None => tdev.map_or(Dev::Cpu, |i| Dev::Cuda(Some(i))),
                v => device_arg(v)?,
            };
            if let Dev::Cuda(i) = dev {
                return cu::randint(ctx, low, high, &shape, d, i, opt(&kw[8]));
            }
            let g = generator_arg(ctx, opt(&kw[8]))?;
            let a = tc::randint(&mut g.borrow_mut(), low, high, &shape, d)?;
            Ok(tensor_value(a))
        }
        "randperm" => {
            let b = args.bind_kwonly(
                "randperm",
                &["n"],
                &[
                    "generator",
                    "dtype",
                    "device",
                    "requires_grad",
                    "layout",
                    "pin_memory",
                ],
            )?;
            let n = i64_arg(&required(&b[0], "randperm", "n")?, "n")?;
            let d = dtype_arg(opt(&b[2]), DType::I64)?;
            if let Dev::Cuda(i) = device_arg(opt(&b[3]))? {
                return cu::randperm(ctx, n, d, i, opt(&b[1]));
            }
            let g = generator_arg(ctx, opt(&b[1]))?;
            let a = tc::randperm(&mut g.borrow_mut(), n, d)?;
            Ok(tensor_value(a))
        }
        "normal" => {
            let b = args.bind_kwonly(
                "normal",
                &["mean", "std", "size"],
                &[
                    "generator",
                    "dtype",
                    "device",
                    "requires_grad",
                    "layout",
                    "pin_memory",
                    "out",
                ],
            )?;
            if b[9].is_some() {
                return Err(Error::unsupported("torch.normal(out=...)"));
            }
            let mean = required(&b[0], "normal", "mean")?;
            let std = opt(&b[1]).unwrap_or(Value::Float(1.0));
            let any_tensor = matches!(mean, Value::Tensor(_)) || matches!(std, Value::Tensor(_));
            let on_cuda = [&mean, &std]
                .iter()
                .any(|v| matches!(v, Value::Tensor(t) if t.borrow().cuda.is_some()));
            if any_tensor && on_cuda {
                return cu::normal(ctx, &mean, &std, None, DType::F32, None, opt(&b[3]));
            }
            if !any_tensor {
                if let Dev::Cuda(i) = device_arg(opt(&b[5]))? {
                    let size = required(&b[2], "normal", "size")?;
                    let shape = size_value(&size)?;
                    let d = dtype_arg(opt(&b[4]), DType::F32)?;
                    return cu::normal(ctx, &mean, &std, Some(&shape), d, Some(i), opt(&b[3]));
                }
            }
            let g = generator_arg(ctx, opt(&b[3]))?;
            let mut g = g.borrow_mut();
            let a = match (&mean, &std) {
                (Value::Tensor(m), Value::Tensor(s)) => {
                    tc::normal_tensor_tensor(&mut g, &m.borrow().array, &s.borrow().array)?
                }
                (Value::Tensor(m), s) => {
                    tc::normal_tensor_scalar(&mut g, &m.borrow().array, to_f64(s, "std")?)?
                }
                (m, Value::Tensor(s)) => {
                    tc::normal_scalar_tensor(&mut g, to_f64(m, "mean")?, &s.borrow().array)?
                }
                (m, s) => {
                    let size = required(&b[2], "normal", "size")?;
                    let shape = size_value(&size)?;
                    let d = dtype_arg(opt(&b[4]), DType::F32)?;
                    tc::normal_scalar(&mut g, to_f64(m, "mean")?, to_f64(s, "std")?, &shape, d)?
                }
            };
            Ok(tensor_value(a))
        }
        "bernoulli" => {
            let b = args.bind_kwonly("bernoulli", &["input", "p"], &["generator", "out"])?;
            let (t, tdev) = tensor_of(&required(&b[0], "bernoulli", "input")?, "input")?;
            if let Some(d) = tdev {
                return cu::bernoulli(ctx, &t, d, opt(&b[1]), opt(&b[2]));
            }
            let g = generator_arg(ctx, opt(&b[2]))?;
            let mut g = g.borrow_mut();
            let a = match opt(&b[1]) {
                None => tc::bernoulli(&mut g, &t.borrow().array)?,
                Some(p) => {
                    let src = &t.borrow().array;
                    let mut a = tc::empty(&src.shape, src.dtype())?;
                    tc::bernoulli_scalar_(&mut g, &mut a, to_f64(&p, "p")?)?;
                    a
                }
            };
            Ok(tensor_value(a))
        }
        "multinomial" => {
            let b = args.bind_kwonly(
                "multinomial",
                &["input", "num_samples", "replacement"],
                &["generator", "out"],
            )?;
            let (t, tdev) = tensor_of(&required(&b[0], "multinomial", "input")?, "input")?;
            if tdev.is_some() {
                return Err(Error::unsupported("torch.multinomial on a CUDA tensor"));
            }
            let n = i64_arg(
                &required(&b[1], "multinomial", "num_samples")?,
                "num_samples",
            )?;
            let repl = match opt(&b[2]) {
                Some(v) => v.truthy()?,
                None => false,
            };
            let g = generator_arg(ctx, opt(&b[3]))?;
            let a = tc::multinomial(&mut g.borrow_mut(), &t.borrow().array, n, repl)?;
            Ok(tensor_value(a))
        }
        "tensor" => {
            let b = args.bind_kwonly(
                "tensor",
                &["data"],
                &["dtype", "device", "requires_grad", "pin_memory"],
            )?;
            let data = required(&b[0], "tensor", "data")?;
            let dev = device_arg(opt(&b[2]))?;
            let a = torch_tensor(&data, opt(&b[1]))?;
            match dev {
                Dev::Cpu => Ok(tensor_value(a)),
                Dev::Cuda(i) => cu::place(ctx, a, i),
            }
        }
        "nn.functional.dropout" => {
            let b = args.bind("dropout", &["input", "p", "training", "inplace"])?;
            let (t, tdev) = tensor_of(&required(&b[0], "dropout", "input")?, "input")?;
            let p = f64_opt(opt(&b[1]), 0.5, "p")?;
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::value(format!(
                    "dropout probability has to be between 0 and 1, but got {}",
                    tc::py_float(p)
                )));
            }
            let training = match opt(&b[2]) {
                Some(v) => v.truthy()?,
                None => true,
            };
            let inplace = match opt(&b[3]) {
                Some(v) => v.truthy()?,
                None => false,
            };
            if let Some(d) = tdev {
                return cu::dropout(ctx, &t, d, p, training, inplace);
            }
            let src = t.borrow().array.clone();
            let out = if p == 0.0 || !training || src.is_empty() {
                src
            } else {
                let g = ctx.default_gen()?;
                g.borrow_mut().capability = ctx.cap;
                let r = tc::dropout(&mut g.borrow_mut(), &src, p, true)?;
                r
            };
            if inplace {
                t.borrow_mut().array = out;
                Ok(Value::Tensor(t))
            } else {
                Ok(tensor_value(out))
            }
        }
        other => Err(Error::unsupported(format!("torch.{other}"))),
    }
}

// ------------------------------------------------------------------------------------------
// methods
// ------------------------------------------------------------------------------------------

fn generator_method(
    ctx: &mut TorchCtx,
    recv: &Value,
    obj: &TorchGenerator,
    name: &str,
    args: &Args,
) -> Result<Value> {
    let is_default = Rc::ptr_eq(&obj.gen, &ctx.default);
    match name {
        "manual_seed" => {
            let b = args.bind("manual_seed", &["seed"])?;
            let v = required(&b[0], "manual_seed", "seed")?;
            let seed = CpuGenerator::seed_from_int(long_arg(&v, "manual_seed")?)?;
            obj.gen.borrow_mut().manual_seed(seed);
            if is_default {
                ctx.seeded = true;
            }
            Ok(recv.clone())
        }
        "initial_seed" => {
            args.bind("initial_seed", &[])?;
            Ok(Value::int(obj.gen.borrow().initial_seed()))
        }
        "get_state" => {
            args.bind("get_state", &[])?;
            Ok(state_tensor(obj.gen.borrow().get_state()))
        }
        "set_state" => {
            let b = args.bind("set_state", &["new_state"])?;
            let bytes = state_bytes(&required(&b[0], "set_state", "new_state")?)?;
            obj.gen.borrow_mut().set_state(&bytes)?;
            if is_default {
                ctx.seeded = true;
            }
            Ok(recv.clone())
        }
        "get_offset" => {
            args.bind("get_offset", &[])?;
            Err(Error::Runtime("CPU Generator does not use offset".into()))
        }
        "set_offset" => {
            let b = args.bind("set_offset", &["offset"])?;
            let v = required(&b[0], "set_offset", "offset")?;
            CpuGenerator::seed_from_int(long_arg(&v, "manual_offset")?)?;
            Err(Error::Runtime("CPU Generator does not use offset".into()))
        }
        "seed" => Err(Error::unsupported(
            "Generator.seed (it seeds nondeterministically)",
        )),
        other => Err(Error::Attribute(format!(
            "'torch._C.Generator' object has no attribute '{other}'"
        ))),
    }
}

/// Calls method `name` on a tensor, a `torch.Generator` or a device.
pub fn call_method(ctx: &mut TorchCtx, recv: &Value, name: &str, args: &Args) -> Result<Value> {
    let t = match recv {
        Value::Object(o) => {
            if let Some(g) = o.as_any().downcast_ref::<TorchCudaGenerator>() {
                return cu::generator_method(recv, g, name, args);
            }
            return match o.as_any().downcast_ref::<TorchGenerator>() {
                Some(g) => generator_method(ctx, recv, g, name, args),
                None => Err(Error::Attribute(format!(
                    "'{}' object has no attribute '{name}'",
                    o.type_name()
                ))),
            };
        }
        Value::Tensor(t) => t.clone(),
        other => {
            return Err(Error::Attribute(format!(
                "'{}' object has no attribute '{name}'",
                other.type_name()
            )))
        }
    };
    let dev = t.borrow().cuda;
    // An in-place random method: `f` on the CPU, `fc` on a CUDA tensor.
    let in_place = |ctx: &mut TorchCtx,
                    gen: Option<Value>,
                    f: &dyn Fn(&mut CpuGenerator, &mut NdArray) -> Result<()>,
                    fc: &dyn Fn(&mut CudaGenerator, &GpuProfile, &mut NdArray) -> Result<()>|
     -> Result<Value> {
        if let Some(d) = dev {
            return cu::in_place(ctx, recv, &t, d, gen, fc);
        }
        let g = generator_arg(ctx, gen)?;
        let mut a = t.borrow().array.clone();
        f(&mut g.borrow_mut(), &mut a)?;
        t.borrow_mut().array = a;
        Ok(recv.clone())
    };
    match name {
        "uniform_" => {
            const NAMES: &[&str] = &["from", "to"];
            let b = args.bind_kwonly(name, NAMES, &["generator"])?;
            let from = torch_float_arg(args, &b, name, NAMES, 0, 0.0)?;
            let to = torch_float_arg(args, &b, name, NAMES, 1, 1.0)?;
            in_place(
                ctx,
                opt(&b[2]),
                &|g, a| tc::uniform_(g, a, from, to),
                &|g, p, a| cuda::uniform_(g, p, a, from, to),
            )
        }
        "normal_" => {
            const NAMES: &[&str] = &["mean", "std"];
            let b = args.bind_kwonly(name, NAMES, &["generator"])?;
            let mean = torch_float_arg(args, &b, name, NAMES, 0, 0.0)?;
            let std = torch_float_arg(args, &b, name, NAMES, 1, 1.0)?;
            in_place(
                ctx,
                opt(&b[2]),
                &|g, a| tc::normal_(g, a, mean, std),
                &|g, p, a| cuda::normal_(g, p, a, mean, std),
            )
        }
        "log_normal_" => {
            const NAMES: &[&str] = &["mean", "std"];
            let b = args.bind_kwonly(name, NAMES, &["generator"])?;
            let mean = torch_float_arg(args, &b, name, NAMES, 0, 1.0)?;
            let std = torch_float_arg(args, &b, name, NAMES, 1, 2.0)?;
            in_place(
                ctx,
                opt(&b[2]),
                &|g, a| tc::log_normal_(g, a, mean, std),
                &|g, p, a| cuda::log_normal_(g, p, a, mean, std),
            )
        }
        "exponential_" => {
            const NAMES: &[&str] = &["lambd"];
            let b = args.bind_kwonly(name, NAMES, &["generator"])?;
            let l = torch_float_arg(args, &b, name, NAMES, 0, 1.0)?;
            in_place(
                ctx,
                opt(&b[1]),
                &|g, a| tc::exponential_(g, a, l),
                &|g, p, a| cuda::exponential_(g, p, a, l),
            )
        }
        "geometric_" => {
            let b = args.bind_kwonly(name, &["p"], &["generator"])?;
            let p = to_f64(&required(&b[0], name, "p")?, "p")?;
            in_place(
                ctx,
                opt(&b[1]),
                &|g, a| tc::geometric_(g, a, p),
                &|g, pr, a| cuda::geometric_(g, pr, a, p),
            )
        }
        "cauchy_" => {
            const NAMES: &[&str] = &["median", "sigma"];
            let b = args.bind_kwonly(name, NAMES, &["generator"])?;
            let m = torch_float_arg(args, &b, name, NAMES, 0, 0.0)?;
            let s = torch_float_arg(args, &b, name, NAMES, 1, 1.0)?;
            in_place(
                ctx,
                opt(&b[2]),
                &|g, a| tc::cauchy_(g, a, m, s),
                &|g, p, a| cuda::cauchy_(g, p, a, m, s),
            )
        }
        "bernoulli_" => {
            let b = args.bind_kwonly(name, &["p"], &["generator"])?;
            if let Some(v @ (Value::None | Value::Str(_) | Value::List(_) | Value::Tuple(_))) =
                &b[0]
            {
                return Err(Error::type_err(format!(
                    "bernoulli_() received an invalid combination of arguments - got ({}), but \
                     expected one of:\n * (Tensor p, *, torch.Generator generator = None)\n * \
                     (float p = 0.5, *, torch.Generator generator = None)\n",
                    v.type_name()
                )));
            }
            match opt(&b[0]) {
                Some(Value::Tensor(p)) => {
                    let p = p.borrow().array.clone();
                    in_place(
                        ctx,
                        opt(&b[1]),
                        &|g, a| tc::bernoulli_tensor_(g, a, &p),
                        &|g, _, a| cuda::bernoulli_tensor_(g, a, &p),
                    )
                }
                other => {
                    let p = f64_opt(other, 0.5, "p")?;
                    in_place(
                        ctx,
                        opt(&b[1]),
                        &|g, a| tc::bernoulli_scalar_(g, a, p),
                        &|g, pr, a| cuda::bernoulli_(g, pr, a, p),
                    )
                }
            }
        }
        "random_" => {
            let b = args.bind_kwonly(name, &["from", "to"], &["generator"])?;
            let from = opt(&b[0]);
            let to_given = b[1].is_some();
            let to = opt(&b[1]);
            match (from, to, to_given) {
                (None, None, false) => {
                    in_place(ctx, opt(&b[2]), &|g, a| tc::random_(g, a), &|g, p, a| {
                        cuda::random_(g, p, a)
                    })
                }
                // random_(to): one positional argument is `to`.
                (Some(x), None, false) => {
                    let to = i64_arg(&x, "to")?;
                    in_place(
                        ctx,
                        opt(&b[2]),
                        &|g, a| tc::random_from_to_(g, a, 0, Some(to)),
                        &|g, p, a| cuda::random_from_to_(g, p, a, 0, Some(to)),
                    )
                }
                (f, t, _) => {
                    let from = match f {
                        Some(v) => i64_arg(&v, "from")?,
                        None => 0,
                    };
                    let to = match t {
                        Some(v) => Some(i64_arg(&v, "to")?),
                        None => None,
                    };
                    in_place(
                        ctx,
                        opt(&b[2]),
                        &|g, a| tc::random_from_to_(g, a, from, to),
                        &|g, p, a| cuda::random_from_to_(g, p, a, from, to),
                    )
                }
            }
        }
        "bernoulli" => {
            let b = args.bind_kwonly(name, &["p"], &["generator"])?;
            if let Some(d) = dev {
                return cu::bernoulli(ctx, &t, d, opt(&b[0]), opt(&b[1]));
            }
            let g = generator_arg(ctx, opt(&b[1]))?;
            let src = t.borrow().array.clone();
            let a = match opt(&b[0]) {
                None => tc::bernoulli(&mut g.borrow_mut(), &src)?,
                Some(p) => {
                    let mut a = tc::empty(&src.shape, src.dtype())?;
                    tc::bernoulli_scalar_(&mut g.borrow_mut(), &mut a, to_f64(&p, "p")?)?;
                    a
                }
            };
            Ok(tensor_value(a))
        }
        "multinomial" => {
            let b = args.bind_kwonly(name, &["num_samples", "replacement"], &["generator"])?;
            let n = i64_arg(&required(&b[0], name, "num_samples")?, "num_samples")?;
            let repl = match opt(&b[1]) {
                Some(v) => v.truthy()?,
                None => false,
            };
            if dev.is_some() {
                return Err(Error::unsupported("Tensor.multinomial on a CUDA tensor"));
            }
            let g = generator_arg(ctx, opt(&b[2]))?;
            let src = t.borrow().array.clone();
            let a = tc::multinomial(&mut g.borrow_mut(), &src, n, repl)?;
            Ok(tensor_value(a))
        }
        "numpy" => {
            let b = args.bind_kwonly("numpy", &[], &["force"])?;
            let force = match opt(&b[0]) {
                Some(v) => v.truthy()?,
                None => false,
            };
            let t = t.borrow();
            if let (Some(d), false) = (t.cuda, force) {
                return Err(Error::type_err(format!(
                    "can't convert cuda:{d} device type tensor to numpy. Use Tensor.cpu() to \
                     copy the tensor to host memory first."
                )));
            }
            if t.array.dtype() == DType::BF16 {
                return Err(Error::type_err("Got unsupported ScalarType BFloat16"));
            }
            Ok(Value::array(t.array.clone()))
        }
        "tolist" => {
            args.bind("tolist", &[])?;
            Ok(tolist(&t.borrow().array, 0, 0))
        }
        "item" => {
            args.bind("item", &[])?;
            let t = t.borrow();
            if t.array.len() != 1 {
                return Err(Error::Runtime(format!(
                    "a Tensor with {} elements cannot be converted to Scalar",
                    t.array.len()
                )));
            }
            Ok(scalar_value(&t.array, 0))
        }
        "float" | "double" | "half" | "bfloat16" | "int" | "long" | "short" | "bool" | "byte"
        | "char" => {
            args.bind(name, &[])?;
            let d = match name {
                "float" => DType::F32,
                "double" => DType::F64,
                "half" => DType::F16,
                "bfloat16" => DType::BF16,
                "int" => DType::I32,
                "long" => DType::I64,
                "short" => DType::I16,
                "bool" => DType::Bool,
                "byte" => DType::U8,
                _ => DType::I8,
            };
            let a = t.borrow().array.clone();
            if dev.is_some() {
                cu::check_cuda_cast(&a, d)?;
            }
            Ok(cu::on_device(convert(&a, d), dev))
        }
        "to" => cu::to_method(ctx, recv, &t, args),
        "cuda" => cu::cuda_method(ctx, recv, &t, args),
        "cpu" => cu::cpu_method(ctx, recv, &t, args),
        "contiguous" => {
            args.bind(name, &[])?;
            Ok(recv.clone())
        }
        "clone" => {
            args.bind(name, &[])?;
            Ok(cu::on_device(t.borrow().array.clone(), dev))
        }
        "get_device" => {
            args.bind(name, &[])?;
            Ok(match dev {
                Some(d) => Value::int(d),
                None => Value::int(-1),
            })
        }
        "size" => {
            let b = args.bind("size", &["dim"])?;
            let shape = t.borrow().array.shape.clone();
            match opt(&b[0]) {
                None => Ok(Value::Size(shape)),
                Some(v) => {
                    let nd = shape.len() as i128;
                    let mut i = int_arg(&v, "dim")?;
                    if i < 0 {
                        i += nd;
                    }
                    if i < 0 || i >= nd.max(1) || shape.is_empty() {
                        return Err(Error::Index(format!(
                            "Dimension out of range (expected to be in range of [{}, {}], but got {})",
                            -nd.max(1),
                            nd.max(1) - 1,
                            int_arg(&v, "dim")?
                        )));
                    }
                    Ok(Value::int(shape[i as usize]))
                }
            }
        }
        "dim" => Ok(Value::int(t.borrow().array.ndim())),
        "numel" => Ok(Value::int(t.borrow().array.len())),
        "is_floating_point" => Ok(Value::Bool(t.borrow().array.dtype().is_float())),
        other => Err(Error::unsupported(format!("Tensor.{other}"))),
    }
}

/// Attribute read on a tensor (`shape`, `dtype`, `device`, `ndim`, ...), a generator
/// (`device`), a torch dtype (`is_floating_point`, `itemsize`) or a device (`type`, `index`).
pub fn get_attr(recv: &Value, name: &str) -> Result<Value> {
    let no_attr = |tn: &str| {
        Err(Error::Attribute(format!(
            "'{tn}' object has no attribute '{name}'"
        )))
    };
    match recv {
        Value::Tensor(t) => {
            let t = t.borrow();
            match name {
                "shape" => Ok(Value::Size(t.array.shape.clone())),
                "dtype" => Ok(Value::DType(t.array.dtype(), DTypeOrigin::Torch)),
                "device" => Ok(Value::Device(t.cuda)),
                "ndim" => Ok(Value::int(t.array.ndim())),
                "is_cuda" => Ok(Value::Bool(t.cuda.is_some())),
                "requires_grad" => Ok(Value::Bool(false)),
                "itemsize" => Ok(Value::int(t.array.dtype().itemsize())),
                _ => no_attr("Tensor"),
            }
        }
        Value::Object(o) if cu::owns(o.as_ref()) => cu::get_attr(o.as_ref(), name),
        Value::Object(o) if owns(o.as_ref()) => match name {
            "device" => Ok(Value::Device(None)),
            _ => no_attr("torch._C.Generator"),
        },
        Value::DType(d, _) => match name {
            "is_floating_point" => Ok(Value::Bool(d.is_float())),
            "itemsize" => Ok(Value::int(d.itemsize())),
            "is_signed" => Ok(Value::Bool(d.is_signed_int() || d.is_float())),
            _ => no_attr("torch.dtype"),
        },
        Value::Device(d) => match name {
            "type" => Ok(Value::Str(if d.is_some() { "cuda" } else { "cpu" }.into())),
            "index" => Ok(d.map(Value::int).unwrap_or(Value::None)),
            _ => no_attr("torch.device"),
        },
        other => no_attr(&other.type_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_rand_and_state() {
        let mut ctx = TorchCtx::new(CpuCapability::Avx2);
        let seed = Args {
            pos: vec![Value::int(42)],
            kw: vec![],
        };
        call_function(&mut ctx, "torch.manual_seed", &seed).unwrap();
        let r = call_function(
            &mut ctx,
            "torch.rand",
            &Args {
                pos: vec![Value::int(5)],
                kw: vec![],
            },
        )
        .unwrap();
        let Value::Tensor(t) = r else { panic!() };
        assert_eq!(t.borrow().array.shape, vec![5]);
        let s = call_function(&mut ctx, "torch.get_rng_state", &Args::default()).unwrap();
        let Value::Tensor(s) = s else { panic!() };
        assert_eq!(s.borrow().array.len(), 5056);
    }

    #[test]
    fn generator_manual_seed_returns_itself() {
        let mut ctx = TorchCtx::new(CpuCapability::Avx2);
        let g = call_function(&mut ctx, "torch.Generator", &Args::default()).unwrap();
        let r = call_method(
            &mut ctx,
            &g,
            "manual_seed",
            &Args {
                pos: vec![Value::int(7)],
                kw: vec![],
            },
        )
        .unwrap();
        let (Value::Object(a), Value::Object(b)) = (&g, &r) else {
            panic!()
        };
        assert!(Rc::ptr_eq(a, b));
        assert!(matches!(
            module_attr("torch", "poisson"),
            Err(Error::Unsupported(_))
        ));
    }
}
