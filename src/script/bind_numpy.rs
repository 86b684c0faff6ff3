//! Binding between the `run` interpreter and NumPy's random API ([`crate::numpy`]).
//!
//! Python-visible behaviour follows NumPy 2.4.6: arguments are bound by NumPy's real
//! signatures (`numpy/random/mtrand.pyx`, `numpy/random/_generator.pyx`,
//! `numpy/random/bit_generator.pyx`, `numpy/random/_<bitgen>.pyx`), Python values are coerced
//! the way NumPy coerces them (`np.asarray`, `operator.index`, `PyFloat_AsDouble`, dtype
//! names), and results come back as NumPy returns them: ndarrays and NumPy scalars as
//! [`Value::Array`], Python scalars where NumPy returns one.
//!
//! Library objects share state the way Python objects do: a `Generator`, a `RandomState`
//! and the bit generator object they were built from all see the same engine
//! ([`BgShared`]), and a bit generator shares its `SeedSequence` object ([`SsShared`]).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use half::{bf16, f16};
use num_bigint::{BigInt, BigUint};
use num_traits::{Signed, ToPrimitive, Zero};

use super::value::{numpy_size, opt, Args, DTypeOrigin, PyObject, Value};
use crate::array::{DType, Data, NdArray};
use crate::engine::mt19937::N as MT_N;
use crate::engine::philox4x64::Philox4x64;
use crate::engine::seed_sequence::{int_to_words, SeedSequence, DEFAULT_POOL_SIZE};
use crate::engine::sfc64::Sfc64;
use crate::numpy::bitgen::{BitGenState, BitGenerator, Engine};
use crate::numpy::distributions::{alloc_len as checked_size, FParam, IParam};
use crate::numpy::generator::Generator;
use crate::numpy::legacy::{
    apply_swaps, entropy_seed_sequence, ChoiceA, LegacySeed, LegacyState, Probabilities,
    RandomState,
};
use crate::{Error, Result};

// =============================================================================================
// Shared object state

/// A `SeedSequence` object: the sequence itself and the Python `entropy` value it was built
/// from (reported back by `.entropy` and passed on to spawned children).
#[derive(Debug)]
pub struct SsShared {
    /// The seed sequence (its `n_children_spawned` changes on `spawn`).
    pub ss: RefCell<SeedSequence>,
    /// The `entropy` argument as given (a Python int or sequence).
    pub entropy: Value,
    /// The `spawn_key` elements as Python ints.
    pub spawn_key: Vec<BigInt>,
}

/// A bit generator object's state, shared by the bit generator object and every `Generator` /
/// `RandomState` built on it.
#[derive(Debug)]
pub struct BgShared {
    /// The engine and its uint32 buffer.
    pub bg: RefCell<BitGenerator>,
    /// `seed_seq` (the very object passed in, when one was).
    pub seed_seq: RefCell<Option<Rc<SsShared>>>,
}

impl BgShared {
    fn new(bg: BitGenerator, ss: Option<Rc<SsShared>>) -> Rc<Self> {
        Rc::new(BgShared {
            bg: RefCell::new(bg),
            seed_seq: RefCell::new(ss),
        })
    }
}

/// `numpy.random.MT19937`, `PCG64`, `PCG64DXSM`, `Philox`, `SFC64` objects.
#[derive(Debug)]
pub struct BitGenObj(pub Rc<BgShared>);

/// `numpy.random.Generator` objects.
#[derive(Debug)]
pub struct GeneratorObj(pub Rc<BgShared>);

/// `numpy.random.RandomState` objects (and the hidden global one behind `np.random.*`).
#[derive(Debug)]
pub struct RandomStateObj {
    /// `_bit_generator` (replaced by `np.random.set_bit_generator`).
    pub bg: RefCell<Rc<BgShared>>,
    /// `(has_gauss, gauss)`.
    pub gauss: Cell<(bool, f64)>,
}

/// `numpy.random.SeedSequence` objects.
#[derive(Debug)]
pub struct SeedSeqObj(pub Rc<SsShared>);

impl PyObject for BitGenObj {
    fn type_name(&self) -> String {
        self.0.bg.borrow().name().to_string()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn py_str(&self) -> String {
        format!("<{} object>", self.0.bg.borrow().qualified_name())
    }
}

impl PyObject for GeneratorObj {
    fn type_name(&self) -> String {
        "Generator".into()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn py_str(&self) -> String {
        format!("Generator({})", self.0.bg.borrow().name())
    }
}

impl PyObject for RandomStateObj {
    fn type_name(&self) -> String {
        "RandomState".into()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn py_str(&self) -> String {
        format!("RandomState({})", self.bg.borrow().bg.borrow().name())
    }
}

impl PyObject for SeedSeqObj {
    fn type_name(&self) -> String {
        "SeedSequence".into()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn py_str(&self) -> String {
        let ss = self.0.ss.borrow();
        let mut lines = vec![
            "SeedSequence(".to_string(),
            format!("    entropy={},", py_repr(&self.0.entropy)),
        ];
        if !self.0.spawn_key.is_empty() {
            lines.push(format!(
                "    spawn_key={},",
                py_repr(&Value::Tuple(
                    self.0.spawn_key.iter().cloned().map(Value::Int).collect()
                ))
            ));
        }
        if ss.pool_size != DEFAULT_POOL_SIZE {
            lines.push(format!("    pool_size={},", ss.pool_size));
        }
        if ss.n_children_spawned != 0 {
            lines.push(format!("    n_children_spawned={},", ss.n_children_spawned));
        }
        lines.push(")".into());
        lines.join("\n")
    }
}

/// A minimal Python `repr` for the values this module prints itself (seed-sequence entropy).
fn py_repr(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => format!("'{s}'"),
        Value::Tuple(t) => {
            let inner: Vec<String> = t.iter().map(py_repr).collect();
            if inner.len() == 1 {
                format!("({},)", inner[0])
            } else {
                format!("({})", inner.join(", "))
            }
        }
        Value::List(l) => {
            let inner: Vec<String> = l.borrow().iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Array(a) => {
            let a = a.borrow();
            if a.shape.is_empty() {
                match a.data.get_i128(0) {
                    Some(i) => format!("np.{}({i})", a.dtype().name()),
                    None => format!("np.{}({})", a.dtype().name(), a.data.get_f64(0)),
                }
            } else {
                "array(...)".into()
            }
        }
        other => format!("<{}>", other.type_name()),
    }
}

fn obj(o: impl PyObject + 'static) -> Value {
    Value::Object(Rc::new(o))
}

fn downcast<T: 'static>(v: &Value) -> Option<&T> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<T>(),
        _ => None,
    }
}

/// A placeholder engine swapped in while a method runs on the moved-out bit generator.
fn placeholder() -> BitGenerator {
    BitGenerator::from_engine(Engine::Sfc64(Sfc64 { s: [0; 4] }), None)
}

/// Runs `f` on a `RandomState` made of the object's shared bit generator and Gaussian cache.
fn with_rs<T>(o: &RandomStateObj, f: impl FnOnce(&mut RandomState) -> T) -> T {
    let sh = o.bg.borrow().clone();
    let mut slot = sh.bg.borrow_mut();
    let (has_gauss, gauss) = o.gauss.get();
    let mut rs = RandomState {
        bitgen: std::mem::replace(&mut *slot, placeholder()),
        has_gauss,
        gauss,
    };
    let out = f(&mut rs);
    *slot = rs.bitgen;
    o.gauss.set((rs.has_gauss, rs.gauss));
    out
}

/// Runs `f` on a `Generator` made of the shared bit generator.
fn with_gen<T>(sh: &BgShared, f: impl FnOnce(&mut Generator) -> T) -> T {
    let mut slot = sh.bg.borrow_mut();
    let mut g = Generator {
        bitgen: std::mem::replace(&mut *slot, placeholder()),
    };
    let out = f(&mut g);
    *slot = g.bitgen;
    out
}

// =============================================================================================
// Context

/// NumPy's hidden state in a running script: the global `RandomState` behind `np.random.*`.
#[derive(Debug)]
pub struct NumpyCtx {
    /// `numpy.random.mtrand._rand`.
    pub global: Rc<RandomStateObj>,
}

impl Default for NumpyCtx {
    fn default() -> Self {
        Self::new()
    }
}

impl NumpyCtx {
    /// A fresh context whose global `RandomState` is seeded from OS entropy through a
    /// `SeedSequence` (MT19937 with `pos = 623`, as NumPy does at import).
    pub fn new() -> Self {
        let ss = entropy_seed_sequence();
        let bg = BitGenerator::from_seed_sequence("MT19937", ss.clone())
            .expect("MT19937 is a known bit generator");
        let entropy = Value::Int(words_to_int(&ss.entropy));
        let ssh = Rc::new(SsShared {
            ss: RefCell::new(ss),
            entropy,
            spawn_key: Vec::new(),
        });
        NumpyCtx {
            global: Rc::new(RandomStateObj {
                bg: RefCell::new(BgShared::new(bg, Some(ssh))),
                gauss: Cell::new((false, 0.0)),
            }),
        }
    }
}

// =============================================================================================
// Names

/// `numpy.random` functions bound to the global `RandomState` that are supported.
const RANDOM_FUNCS: &[&str] = &[
    "seed",
    "get_state",
    "set_state",
    "rand",
    "randn",
    "random",
    "random_sample",
    "ranf",
    "sample",
    "standard_normal",
    "normal",
    "uniform",
    "randint",
    "random_integers",
    "standard_exponential",
    "exponential",
    "permutation",
    "shuffle",
    "choice",
    "bytes",
    "get_bit_generator",
    "set_bit_generator",
    "default_rng",
    "RandomState",
    "Generator",
    "SeedSequence",
    "MT19937",
    "PCG64",
    "PCG64DXSM",
    "Philox",
    "SFC64",
];

/// Every public name of `numpy.random` (NumPy 2.4.6).
const RANDOM_NAMES: &[&str] = &[
    "BitGenerator",
    "Generator",
    "MT19937",
    "PCG64",
    "PCG64DXSM",
    "Philox",
    "RandomState",
    "SFC64",
    "SeedSequence",
    "beta",
    "binomial",
    "bit_generator",
    "bytes",
    "chisquare",
    "choice",
    "default_rng",
    "dirichlet",
    "exponential",
    "f",
    "gamma",
    "geometric",
    "get_bit_generator",
    "get_state",
    "gumbel",
    "hypergeometric",
    "laplace",
    "logistic",
    "lognormal",
    "logseries",
    "mtrand",
    "multinomial",
    "multivariate_normal",
    "negative_binomial",
    "noncentral_chisquare",
    "noncentral_f",
    "normal",
    "pareto",
    "permutation",
    "poisson",
    "power",
    "rand",
    "randint",
    "randn",
    "random",
    "random_integers",
    "random_sample",
    "ranf",
    "rayleigh",
    "sample",
    "seed",
    "set_bit_generator",
    "set_state",
    "shuffle",
    "standard_cauchy",
    "standard_exponential",
    "standard_gamma",
    "standard_normal",
    "standard_t",
    "test",
    "triangular",
    "uniform",
    "vonmises",
    "wald",
    "weibull",
    "zipf",
];

/// Supported top-level `numpy` functions.
const NUMPY_FUNCS: &[&str] = &[
    "arange", "array", "asarray", "zeros", "ones", "full", "dtype",
];

/// The numpy dtype objects (`np.float32`, ...) and aliases.
fn numpy_dtype_attr(name: &str) -> Option<DType> {
    Some(match name {
        "float16" | "half" => DType::F16,
        "float32" | "single" => DType::F32,
        "float64" | "double" => DType::F64,
        "int8" | "byte" => DType::I8,
        "int16" | "short" => DType::I16,
        "int32" | "intc" => DType::I32,
        "int64" | "int_" | "intp" | "long" | "longlong" => DType::I64,
        "uint8" | "ubyte" => DType::U8,
        "uint16" | "ushort" => DType::U16,
        "uint32" | "uintc" => DType::U32,
        "uint64" | "uint" | "uintp" | "ulong" | "ulonglong" => DType::U64,
        "bool" | "bool_" => DType::Bool,
        _ => return None,
    })
}

/// Attribute of a numpy module path, e.g. `("numpy", "float32")`, `("numpy.random", "rand")`.
/// Names NumPy has but seedbridge does not support are `Unsupported` errors; names NumPy does
/// not have are `AttributeError`s.
pub fn module_attr(path: &str, name: &str) -> Result<Value> {
    match path {
        "numpy" => {
            if let Some(d) = numpy_dtype_attr(name) {
                return Ok(Value::DType(d, DTypeOrigin::Numpy));
            }
            match name {
                "random" => return Ok(Value::Module("numpy.random".into())),
                "pi" => return Ok(Value::Float(std::f64::consts::PI)),
                "e" => return Ok(Value::Float(std::f64::consts::E)),
                "inf" => return Ok(Value::Float(f64::INFINITY)),
                "nan" => return Ok(Value::Float(f64::NAN)),
                "euler_gamma" => return Ok(Value::Float(0.5772156649015329)),
                "newaxis" => return Ok(Value::None),
                _ => {}
            }
            if NUMPY_FUNCS.contains(&name) {
                return Ok(Value::Function(format!("numpy.{name}")));
            }
            if NUMPY_NAMES.binary_search(&name).is_ok() {
                return Err(Error::unsupported(format!("numpy.{name}")));
            }
            Err(Error::Attribute(format!(
                "module 'numpy' has no attribute '{name}'"
            )))
        }
        "numpy.random" => {
            if RANDOM_FUNCS.contains(&name) {
                return Ok(Value::Function(format!("numpy.random.{name}")));
            }
            if RANDOM_NAMES.contains(&name) {
                return Err(Error::unsupported(format!("numpy.random.{name}")));
            }
            Err(Error::Attribute(format!(
                "module 'numpy.random' has no attribute '{name}'"
            )))
        }
        _ => Err(Error::unsupported(format!("{path}.{name}"))),
    }
}

// =============================================================================================
// Value conversions

/// Python int from little-endian 32-bit words.
fn words_to_int(words: &[u32]) -> BigInt {
    BigInt::from(BigUint::new(words.to_vec()))
}

/// `dtype` arguments: numpy dtype objects, builtin `int`/`float`/`bool`, and NumPy's dtype
/// strings. Returns the dtype and whether the builtin type was given (NumPy then returns
/// Python scalars for `size=None`).
fn parse_dtype(v: &Value) -> Result<(DType, bool)> {
    match v {
        Value::DType(d, DTypeOrigin::Builtin) => Ok((*d, true)),
        Value::DType(d, DTypeOrigin::Numpy) => Ok((*d, false)),
        Value::DType(_, DTypeOrigin::Torch) => Err(Error::type_err(
            "Cannot interpret 'torch.dtype' as a data type",
        )),
        Value::Function(p) if p == "builtins.int" => Ok((DType::I64, true)),
        Value::Function(p) if p == "builtins.float" => Ok((DType::F64, true)),
        Value::Function(p) if p == "builtins.bool" => Ok((DType::Bool, true)),
        Value::Str(s) => dtype_from_str(s).map(|d| (d, false)),
        Value::None => Ok((DType::F64, false)),
        other => Err(Error::type_err(format!(
            "Cannot interpret '{}' as a data type",
            py_repr(other)
        ))),
    }
}

/// NumPy's dtype strings (`'float32'`, `'f4'`, `'<i8'`, `'l'`, `'?'`, ...).
fn dtype_from_str(s: &str) -> Result<DType> {
    let t = s
        .strip_prefix('<')
        .or_else(|| s.strip_prefix('='))
        .or_else(|| s.strip_prefix('|'))
        .unwrap_or(s);
    let d = match t {
        "float16" | "f2" | "e" | "half" => DType::F16,
        "float32" | "f4" | "f" | "single" => DType::F32,
        "float64" | "f8" | "d" | "double" | "float" => DType::F64,
        "int8" | "i1" | "b" | "byte" => DType::I8,
        "int16" | "i2" | "h" | "short" => DType::I16,
        "int32" | "i4" | "i" | "intc" => DType::I32,
        "int64" | "i8" | "l" | "q" | "long" | "longlong" | "int" | "intp" | "p" | "int_" => {
            DType::I64
        }
        "uint8" | "u1" | "B" | "ubyte" => DType::U8,
        "uint16" | "u2" | "H" | "ushort" => DType::U16,
        "uint32" | "u4" | "I" | "uintc" => DType::U32,
        "uint64" | "u8" | "L" | "Q" | "ulong" | "ulonglong" | "uint" | "uintp" | "P" => DType::U64,
        "bool" | "?" | "b1" | "bool_" => DType::Bool,
        "complex64" | "complex128" | "c8" | "c16" | "F" | "D" | "complex" | "longdouble"
        | "float128" | "f16" | "g" | "object" | "O" | "str" | "U" | "S" | "bytes" => {
            return Err(Error::unsupported(format!("dtype '{s}'")))
        }
        _ => {
            return Err(Error::type_err(format!("data type '{s}' not understood")));
        }
    };
    if s.starts_with('>') {
        return Err(Error::unsupported("non-native byte order"));
    }
    Ok(d)
}

/// One leaf of a (nested) Python sequence being turned into an array.
#[derive(Clone, Copy)]
enum Leaf {
    B(bool),
    I(i128),
    F(f64),
}

/// The kind lattice of `np.asarray` on Python numbers: bool < int < float.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Bool,
    Int,
    Float,
}

fn leaf_of_scalar(v: &Value) -> Result<Option<(Leaf, Option<DType>)>> {
    Ok(match v {
        Value::Bool(b) => Some((Leaf::B(*b), None)),
        Value::Int(i) => {
            let x = i.to_i128().ok_or_else(|| {
                Error::Overflow(format!("Python integer {i} out of bounds for int64"))
            })?;
            Some((Leaf::I(x), None))
        }
        Value::Float(f) => Some((Leaf::F(*f), None)),
        _ => None,
    })
}

fn collect_leaves(
    v: &Value,
    depth: usize,
    shape: &mut Vec<Option<usize>>,
    leaves: &mut Vec<Leaf>,
    dtypes: &mut Vec<Option<DType>>,
) -> Result<()> {
    collect_leaves_at(v, depth, shape, leaves, dtypes, &mut None)
}

/// NumPy's message for a ragged nested sequence whose scalars sit at different depths.
fn ragged_after(shape: &[Option<usize>], dims: usize) -> Error {
    let known: Vec<String> = shape[..dims.min(shape.len())]
        .iter()
        .map(|d| d.unwrap_or(0).to_string())
        .collect();
    let tuple = if known.len() == 1 {
        format!("({},)", known[0])
    } else {
        format!("({})", known.join(", "))
    };
    Error::value(format!(
        "setting an array element with a sequence. The requested array has an inhomogeneous \
         shape after {dims} dimensions. The detected shape was {tuple} + inhomogeneous part."
    ))
}

/// [`collect_leaves`]; `leaf_depth` is the depth of the scalars seen so far (all must share
/// it, as in `np.asarray([1, [2]])`, which NumPy refuses).
fn collect_leaves_at(
    v: &Value,
    depth: usize,
    shape: &mut Vec<Option<usize>>,
    leaves: &mut Vec<Leaf>,
    dtypes: &mut Vec<Option<DType>>,
    leaf_depth: &mut Option<usize>,
) -> Result<()> {
    let ragged = || {
        Error::value(
            "setting an array element with a sequence. The requested array has an \
             inhomogeneous shape",
        )
    };
    let mut at_leaf = |d: usize, shape: &[Option<usize>]| -> Result<()> {
        match *leaf_depth {
            Some(ld) if ld != d => Err(ragged_after(shape, ld.min(d))),
            Some(_) => Ok(()),
            None => {
                *leaf_depth = Some(d);
                Ok(())
            }
        }
    };
    if let Some((leaf, dt)) = leaf_of_scalar(v)? {
        at_leaf(depth, shape)?;
        if shape.len() > depth {
            return Err(ragged());
        }
        leaves.push(leaf);
        dtypes.push(dt);
        return Ok(());
    }
    match v {
        Value::Array(a) => {
            let a = a.borrow();
            // Splice the array's own dimensions in.
            let dims: Vec<usize> = a.shape.clone();
            for (k, d) in dims.iter().enumerate() {
                match shape.get(depth + k) {
                    Some(Some(s)) if s != d => return Err(ragged()),
                    Some(_) => {}
                    None => shape.push(Some(*d)),
                }
            }
            if shape.len() != depth + dims.len() {
                return Err(ragged());
            }
            at_leaf(depth + dims.len(), shape)?;
            let dt = a.dtype();
            for i in 0..a.len() {
                let leaf = match a.data.get_i128(i) {
                    Some(x) if dt == DType::Bool => Leaf::B(x != 0),
                    Some(x) => Leaf::I(x),
                    None => Leaf::F(a.data.get_f64(i)),
                };
                leaves.push(leaf);
                dtypes.push(Some(dt));
            }
            Ok(())
        }
        Value::List(_) | Value::Tuple(_) => {
            let items = v.as_sequence().unwrap_or_default();
            match shape.get(depth) {
                Some(Some(s)) if *s != items.len() => return Err(ragged_after(shape, depth)),
                Some(_) => {}
                None => {
                    if depth > shape.len() {
                        return Err(ragged());
                    }
                    shape.push(Some(items.len()));
                }
            }
            if items.is_empty() && shape.len() > depth + 1 {
                return Err(ragged());
            }
            for it in &items {
                collect_leaves_at(it, depth + 1, shape, leaves, dtypes, leaf_depth)?;
            }
            Ok(())
        }
        Value::Str(_) => Err(Error::unsupported("arrays of strings")),
        Value::None => Err(Error::unsupported("object arrays (None)")),
        other => Err(Error::unsupported(format!(
            "an array of '{}' objects",
            other.type_name()
        ))),
    }
}

/// `np.asarray(v)` for Python numbers, (nested) lists/tuples of them, and arrays. Python
/// numbers promote bool < int64 < float64; elements that are all NumPy arrays/scalars of one
/// dtype keep it.
fn to_ndarray(v: &Value) -> Result<NdArray> {
    if let Value::Array(a) = v {
        return Ok(a.borrow().clone());
    }
    let mut shape: Vec<Option<usize>> = Vec::new();
    let mut leaves = Vec::new();
    let mut dtypes = Vec::new();
    collect_leaves(v, 0, &mut shape, &mut leaves, &mut dtypes)?;
    let shape: Vec<usize> = shape.into_iter().map(|d| d.unwrap_or(0)).collect();
    if leaves.len() != shape.iter().product::<usize>() {
        return Err(Error::value(
            "setting an array element with a sequence. The requested array has an \
             inhomogeneous shape",
        ));
    }
    let common = dtypes.first().copied().flatten();
    let dtype = if !dtypes.is_empty() && dtypes.iter().all(|d| *d == common && d.is_some()) {
        common.unwrap_or(DType::F64)
    } else if leaves.is_empty() {
        DType::F64
    } else {
        let kind = leaves
            .iter()
            .map(|l| match l {
                Leaf::B(_) => Kind::Bool,
                Leaf::I(_) => Kind::Int,
                Leaf::F(_) => Kind::Float,
            })
            .max()
            .unwrap_or(Kind::Float);
        let np_float = dtypes.iter().flatten().any(|d| d.is_float());
        match kind {
            Kind::Bool => DType::Bool,
            Kind::Int => {
                if leaves
                    .iter()
                    .all(|l| !matches!(l, Leaf::I(x) if *x > i64::MAX as i128))
                {
                    DType::I64
                } else if leaves
                    .iter()
                    .all(|l| !matches!(l, Leaf::I(x) if *x < 0 || *x > u64::MAX as i128))
                {
                    DType::U64
                } else {
                    return Err(Error::unsupported("object arrays of huge integers"));
                }
            }
            Kind::Float if np_float => {
                return Err(Error::unsupported(
                    "arrays mixing NumPy float scalars/arrays with other values",
                ))
            }
            Kind::Float => DType::F64,
        }
    };
    Ok(NdArray::new(shape, leaves_to_data(&leaves, dtype)?))
}

fn leaves_to_data(leaves: &[Leaf], dtype: DType) -> Result<Data> {
    let int_of = |l: &Leaf| -> Result<i128> {
        match *l {
            Leaf::B(b) => Ok(b as i128),
            Leaf::I(i) => Ok(i),
            Leaf::F(f) => float_to_int_cast(f),
        }
    };
    let check = |v: i128| -> Result<i128> {
        let (lo, hi) = dtype.int_bounds().unwrap_or((i128::MIN, i128::MAX));
        if v < lo || v > hi {
            return Err(Error::Overflow(format!(
                "Python integer {v} out of bounds for {}",
                dtype.name()
            )));
        }
        Ok(v)
    };
    let f_of = |l: &Leaf| -> f64 {
        match *l {
            Leaf::B(b) => b as u8 as f64,
            Leaf::I(i) => i as f64,
            Leaf::F(f) => f,
        }
    };
    macro_rules! ints {
        ($c:ident, $t:ty) => {
            Data::$c(
                leaves
                    .iter()
                    .map(|l| int_of(l).and_then(check).map(|v| v as $t))
                    .collect::<Result<Vec<$t>>>()?,
            )
        };
    }
    Ok(match dtype {
        DType::Bool => Data::Bool(
            leaves
                .iter()
                .map(|l| match *l {
                    Leaf::B(b) => b,
                    Leaf::I(i) => i != 0,
                    Leaf::F(f) => f != 0.0,
                })
                .collect(),
        ),
        DType::I8 => ints!(I8, i8),
        DType::I16 => ints!(I16, i16),
        DType::I32 => ints!(I32, i32),
        DType::I64 => ints!(I64, i64),
        DType::U8 => ints!(U8, u8),
        DType::U16 => ints!(U16, u16),
        DType::U32 => ints!(U32, u32),
        DType::U64 => ints!(U64, u64),
        DType::F16 => Data::F16(leaves.iter().map(|l| f16::from_f64(f_of(l))).collect()),
        DType::BF16 => Data::BF16(leaves.iter().map(|l| bf16::from_f64(f_of(l))).collect()),
        DType::F32 => Data::F32(leaves.iter().map(|l| f_of(l) as f32).collect()),
        DType::F64 => Data::F64(leaves.iter().map(f_of).collect()),
    })
}

/// C float-to-integer conversion where it is defined (finite, in range after truncation);
/// NumPy's result is platform-defined otherwise, so it is refused.
fn float_to_int_cast(f: f64) -> Result<i128> {
    if !f.is_finite() || f.abs() >= 1.8e19 {
        return Err(Error::unsupported(
            "casting NaN, infinity or out-of-range floats to integers",
        ));
    }
    Ok(f.trunc() as i128)
}

/// `arr.astype(dtype)` (C casts: integers wrap, floats truncate toward zero, round-to-nearest
/// between float widths).
fn cast(a: &NdArray, dtype: DType) -> Result<NdArray> {
    if a.dtype() == dtype {
        return Ok(a.clone());
    }
    let n = a.len();
    let src_float = a.dtype().is_float();
    macro_rules! ints {
        ($c:ident, $t:ty) => {{
            let mut v: Vec<$t> = Vec::with_capacity(n);
            for i in 0..n {
                let x = match a.data.get_i128(i) {
                    Some(x) => x,
                    None => float_to_int_cast(a.data.get_f64(i))?,
                };
                v.push(x as $t);
            }
            Data::$c(v)
        }};
    }
    let get = |i: usize| -> f64 {
        if src_float {
            a.data.get_f64(i)
        } else {
            a.data.get_i128(i).unwrap_or(0) as f64
        }
    };
    let data = match dtype {
        DType::Bool => Data::Bool(
            (0..n)
                .map(|i| match a.data.get_i128(i) {
                    Some(x) => x != 0,
                    None => a.data.get_f64(i) != 0.0,
                })
                .collect(),
        ),
        DType::I8 => ints!(I8, i8),
        DType::I16 => ints!(I16, i16),
        DType::I32 => ints!(I32, i32),
        DType::I64 => ints!(I64, i64),
        DType::U8 => ints!(U8, u8),
        DType::U16 => ints!(U16, u16),
        DType::U32 => ints!(U32, u32),
        DType::U64 => ints!(U64, u64),
        DType::F16 => Data::F16((0..n).map(|i| f16::from_f64(get(i))).collect()),
        DType::BF16 => Data::BF16((0..n).map(|i| bf16::from_f64(get(i))).collect()),
        DType::F32 => match &a.data {
            Data::F16(v) => Data::F32(v.iter().map(|x| x.to_f32()).collect()),
            Data::BF16(v) => Data::F32(v.iter().map(|x| x.to_f32()).collect()),
            _ => Data::F32((0..n).map(|i| get(i) as f32).collect()),
        },
        DType::F64 => Data::F64((0..n).map(get).collect()),
    };
    Ok(NdArray::new(a.shape.clone(), data))
}

/// A float64 distribution parameter (`PyArray_FROM_OTF(x, NPY_DOUBLE)`, or
/// `PyFloat_AsDouble` for scalars).
fn fparam(v: &Value) -> Result<FParam> {
    match v {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            let f = v
                .as_f64()
                .ok_or_else(|| Error::Overflow("int too large to convert to float".into()))?;
            if let Value::Int(i) = v {
                if f.is_infinite() {
                    let _ = i;
                    return Err(Error::Overflow("int too large to convert to float".into()));
                }
            }
            Ok(FParam::Scalar(f))
        }
        Value::Array(_) | Value::List(_) | Value::Tuple(_) => {
            let a = to_ndarray(v)?;
            let data: Vec<f64> = (0..a.len()).map(|i| a.data.get_f64(i)).collect();
            if a.shape.is_empty() {
                Ok(FParam::Scalar(data[0]))
            } else {
                Ok(FParam::Array {
                    shape: a.shape.clone(),
                    data,
                })
            }
        }
        Value::Str(s) => Err(Error::value(format!(
            "could not convert string to float: '{s}'"
        ))),
        other => Err(Error::type_err(format!(
            "float() argument must be a string or a real number, not '{}'",
            other.type_name()
        ))),
    }
}

/// Python `int(x)` of a float: truncation, with Python's errors for NaN and infinity.
fn py_int_of_float(f: f64) -> Result<i128> {
    if f.is_nan() {
        return Err(Error::value("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Error::Overflow(
            "cannot convert float infinity to integer".into(),
        ));
    }
    let t = f.trunc();
    if t >= 1.7e38 {
        return Ok(i128::MAX);
    }
    if t <= -1.7e38 {
        return Ok(i128::MIN);
    }
    Ok(t as i128)
}

/// An integer bound of `randint` / `integers` for target `dtype`.
fn iparam(v: &Value, dtype: DType) -> Result<IParam> {
    match v {
        Value::Bool(b) => Ok(IParam::Scalar(*b as i128)),
        Value::Int(_) => Ok(IParam::Scalar(v.as_i128_sat().unwrap_or(0))),
        Value::Float(f) => Ok(IParam::Scalar(py_int_of_float(*f)?)),
        Value::Array(_) | Value::List(_) | Value::Tuple(_) => {
            let a = to_ndarray(v)?;
            let is_float = a.dtype().is_float();
            let mut data = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                let x = match a.data.get_i128(i) {
                    Some(x) => x,
                    None => {
                        let f = a.data.get_f64(i);
                        if !a.shape.is_empty() && dtype.itemsize() < 8 && f.fract() != 0.0 {
                            return Err(Error::unsupported(format!(
                                "non-integer array bounds with dtype {}",
                                dtype.name()
                            )));
                        }
                        py_int_of_float(f)?
                    }
                };
                data.push(x);
            }
            let _ = is_float;
            if a.shape.is_empty() {
                Ok(IParam::Scalar(data[0]))
            } else {
                Ok(IParam::Array {
                    shape: a.shape.clone(),
                    data,
                })
            }
        }
        Value::Str(_) => Err(Error::unsupported("string bounds")),
        other => Err(Error::type_err(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            other.type_name()
        ))),
    }
}

/// A required argument, with Cython's message when it is missing
/// (`randint() takes at least 1 positional argument (0 given)`).
fn need(b: &[Option<Value>], i: usize, func: &str, args: &Args) -> Result<Value> {
    if let Some(v) = &b[i] {
        return Ok(v.clone());
    }
    let nreq = i + 1;
    let how = if b.len() == nreq {
        "exactly"
    } else {
        "at least"
    };
    Err(Error::type_err(format!(
        "{func}() takes {how} {nreq} positional argument{} ({} given)",
        if nreq == 1 { "" } else { "s" },
        args.pos.len()
    )))
}

/// `size=` (None, an int or a sequence of ints).
fn size_arg(v: &Option<Value>) -> Result<Option<Vec<usize>>> {
    numpy_size(v)
}

/// A Python bool argument (`bool(x)`).
fn truthy(v: &Option<Value>, default: bool) -> Result<bool> {
    match v {
        None => Ok(default),
        Some(x) => x.truthy(),
    }
}

/// A Python int argument (`operator.index`), as i64.
fn int_arg(v: &Value, what: &str) -> Result<i64> {
    match v.as_index() {
        Some(b) => b.to_i64().ok_or_else(|| {
            Error::Overflow(format!(
                "Python int too large to convert to C long ({what})"
            ))
        }),
        None => Err(Error::type_err(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))),
    }
}

fn arr(a: NdArray) -> Value {
    Value::array(a)
}

/// A 0-d float result as NumPy's Python float (float32 widened), arrays as arrays.
fn float_result(a: NdArray, python_scalar: bool) -> Value {
    if python_scalar && a.shape.is_empty() {
        Value::Float(a.data.get_f64(0))
    } else {
        arr(a)
    }
}

/// A 0-d integer result as a Python int (or bool for bool), arrays as arrays.
fn py_int_result(a: NdArray) -> Value {
    if let Data::Bool(v) = &a.data {
        return Value::Bool(v[0]);
    }
    Value::Int(BigInt::from(a.data.get_i128(0).unwrap_or(0)))
}

fn is_scalar_param(v: &Option<Value>) -> bool {
    match v {
        None => true,
        Some(Value::Array(a)) => a.borrow().shape.is_empty(),
        Some(Value::List(_) | Value::Tuple(_)) => false,
        Some(_) => true,
    }
}

fn fparam_or(v: &Option<Value>, default: f64) -> Result<FParam> {
    match v {
        None => Ok(FParam::Scalar(default)),
        Some(x) => fparam(x),
    }
}

/// `rand(*dims)` / `randn(*dims)`: every positional argument is a dimension.
fn dims_arg(args: &Args, func: &str) -> Result<Vec<usize>> {
    if let Some((k, _)) = args.kw.first() {
        return Err(Error::type_err(format!(
            "{func}() got an unexpected keyword argument '{k}'"
        )));
    }
    if args.pos.is_empty() {
        return Ok(Vec::new());
    }
    numpy_size(&Some(Value::Tuple(args.pos.clone()))).map(|s| s.unwrap_or_default())
}

// =============================================================================================
// Dicts, states and seeds

fn dict(items: Vec<(&str, Value)>) -> Value {
    Value::Dict(Rc::new(RefCell::new(
        items
            .into_iter()
            .map(|(k, v)| (Value::Str(k.to_string()), v))
            .collect(),
    )))
}

fn key_error(k: &str) -> Error {
    // The error type has no KeyError; IndexError is its closest sibling (both LookupError).
    Error::Index(format!("KeyError: '{k}'"))
}

fn dict_get(d: &Value, k: &str) -> Result<Value> {
    match d {
        Value::Dict(items) => items
            .borrow()
            .iter()
            .find(|(kk, _)| matches!(kk, Value::Str(s) if s == k))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| key_error(k)),
        other => Err(Error::type_err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

fn dict_has(d: &Value, k: &str) -> bool {
    dict_get(d, k).is_ok()
}

fn u64_array(v: &[u64]) -> Value {
    arr(NdArray::new(vec![v.len()], Data::U64(v.to_vec())))
}

/// `bit_generator.state` as NumPy's dict.
fn state_to_value(st: &BitGenState) -> Value {
    let name = Value::Str(st.bit_generator().to_string());
    match st {
        BitGenState::Mt19937 { key, pos } => dict(vec![
            ("bit_generator", name),
            (
                "state",
                dict(vec![
                    (
                        "key",
                        arr(NdArray::new(vec![key.len()], Data::U32(key.clone()))),
                    ),
                    ("pos", Value::int(*pos as u64)),
                ]),
            ),
        ]),
        BitGenState::Pcg64 {
            state,
            inc,
            has_uint32,
            uinteger,
        }
        | BitGenState::Pcg64Dxsm {
            state,
            inc,
            has_uint32,
            uinteger,
        } => dict(vec![
            ("bit_generator", name),
            (
                "state",
                dict(vec![
                    ("state", Value::int(*state)),
                    ("inc", Value::int(*inc)),
                ]),
            ),
            ("has_uint32", Value::int(*has_uint32 as u8)),
            ("uinteger", Value::int(*uinteger)),
        ]),
        BitGenState::Philox {
            counter,
            key,
            buffer,
            buffer_pos,
            has_uint32,
            uinteger,
        } => dict(vec![
            ("bit_generator", name),
            (
                "state",
                dict(vec![
                    ("counter", u64_array(counter)),
                    ("key", u64_array(key)),
                ]),
            ),
            ("buffer", u64_array(buffer)),
            ("buffer_pos", Value::int(*buffer_pos as u64)),
            ("has_uint32", Value::int(*has_uint32 as u8)),
            ("uinteger", Value::int(*uinteger)),
        ]),
        BitGenState::Sfc64 {
            state,
            has_uint32,
            uinteger,
        } => dict(vec![
            ("bit_generator", name),
            ("state", dict(vec![("state", u64_array(state))])),
            ("has_uint32", Value::int(*has_uint32 as u8)),
            ("uinteger", Value::int(*uinteger)),
        ]),
    }
}

/// Element `i` of a sequence or array value (`x[i]`).
fn item_at(v: &Value, i: usize) -> Result<Value> {
    match v {
        Value::List(_) | Value::Tuple(_) => {
            let items = v.as_sequence().unwrap_or_default();
            items
                .get(i)
                .cloned()
                .ok_or_else(|| Error::Index(format!("{} index out of range", v.type_name())))
        }
        Value::Array(a) => {
            let a = a.borrow();
            if a.shape.is_empty() {
                return Err(Error::Index("too many indices for array".into()));
            }
            if i >= a.shape[0] {
                return Err(Error::Index(format!(
                    "index {i} is out of bounds for axis 0 with size {}",
                    a.shape[0]
                )));
            }
            let inner: usize = a.shape[1..].iter().product();
            let idx: Vec<usize> = (i * inner..(i + 1) * inner).collect();
            Ok(arr(NdArray::new(
                a.shape[1..].to_vec(),
                a.data.gather(&idx),
            )))
        }
        other => Err(Error::type_err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

/// A Python int field converted to a C unsigned integer of `bits` bits (Cython's conversion
/// errors outside the range).
fn uint_field(v: &Value, bits: u32) -> Result<u128> {
    let b = v.as_index().ok_or_else(|| {
        Error::type_err(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })?;
    if b.is_negative() {
        return Err(Error::Overflow(format!(
            "can't convert negative value to uint{bits}_t"
        )));
    }
    let max = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    match b.to_u128() {
        Some(x) if x <= max => Ok(x),
        _ => Err(Error::Overflow(format!(
            "value too large to convert to uint{bits}_t"
        ))),
    }
}

fn uint_fields(v: &Value, n: usize, bits: u32) -> Result<Vec<u128>> {
    (0..n).map(|i| uint_field(&item_at(v, i)?, bits)).collect()
}

/// NumPy's message when a state dict is for another bit generator.
fn state_name_error(name: &str) -> Error {
    Error::value(match name {
        "MT19937" | "Philox" => format!("state must be for a {name} PRNG"),
        "PCG64" | "PCG64DXSM" => format!("state must be for a {name} RNG"),
        _ => "state must be for a {self.__class__.__name__} RNG".to_string(),
    })
}

/// The `bit_generator.state = value` setter of bit generator `name` (`_<bitgen>.pyx`): parses
/// NumPy's dict (or, for MT19937, a legacy 3- or 5-tuple).
fn value_to_state(name: &str, value: &Value) -> Result<BitGenState> {
    let mut value = value.clone();
    if name == "MT19937" {
        if let Value::Tuple(t) = &value {
            let ok = matches!(t.first(), Some(Value::Str(s)) if s == "MT19937")
                && (t.len() == 3 || t.len() == 5);
            if !ok {
                return Err(Error::value("state is not a legacy MT19937 state"));
            }
            value = dict(vec![
                ("bit_generator", Value::Str("MT19937".into())),
                (
                    "state",
                    dict(vec![("key", t[1].clone()), ("pos", t[2].clone())]),
                ),
            ]);
        }
    }
    if !matches!(value, Value::Dict(_)) {
        return Err(Error::type_err("state must be a dict"));
    }
    let bg = dict_get(&value, "bit_generator").unwrap_or(Value::Str(String::new()));
    if !matches!(&bg, Value::Str(s) if s == name) {
        return Err(state_name_error(name));
    }
    let st = dict_get(&value, "state")?;
    let flag = |k: &str| -> Result<bool> {
        let v = dict_get(&value, k)?;
        Ok(v.as_i128_sat()
            .ok_or_else(|| Error::type_err("an integer is required"))?
            != 0)
    };
    Ok(match name {
        "MT19937" => {
            let key = dict_get(&st, "key")?;
            let key: Vec<u32> = uint_fields(&key, MT_N, 32)?
                .into_iter()
                .map(|x| x as u32)
                .collect();
            let pos = dict_get(&st, "pos")?;
            let pos = pos
                .as_i128_sat()
                .ok_or_else(|| Error::type_err("an integer is required"))?;
            if !(0..=MT_N as i128).contains(&pos) {
                return Err(Error::value(format!(
                    "MT19937 pos must be between 0 and 624, got {pos}"
                )));
            }
            BitGenState::Mt19937 {
                key,
                pos: pos as usize,
            }
        }
        "PCG64" | "PCG64DXSM" => {
            let state = uint_field(&dict_get(&st, "state")?, 128)?;
            let inc = uint_field(&dict_get(&st, "inc")?, 128)?;
            let has_uint32 = flag("has_uint32")?;
            let uinteger = uint_field(&dict_get(&value, "uinteger")?, 32)? as u32;
            if name == "PCG64" {
                BitGenState::Pcg64 {
                    state,
                    inc,
                    has_uint32,
                    uinteger,
                }
            } else {
                BitGenState::Pcg64Dxsm {
                    state,
                    inc,
                    has_uint32,
                    uinteger,
                }
            }
        }
        "Philox" => {
            let c = uint_fields(&dict_get(&st, "counter")?, 4, 64)?;
            let k = uint_fields(&dict_get(&st, "key")?, 2, 64)?;
            let b = uint_fields(&dict_get(&value, "buffer")?, 4, 64)?;
            let has_uint32 = flag("has_uint32")?;
            let uinteger = uint_field(&dict_get(&value, "uinteger")?, 32)? as u32;
            let bp = dict_get(&value, "buffer_pos")?
                .as_i128_sat()
                .ok_or_else(|| Error::type_err("an integer is required"))?;
            if !(0..=4).contains(&bp) {
                return Err(Error::unsupported("Philox buffer_pos outside 0..=4"));
            }
            BitGenState::Philox {
                counter: [c[0] as u64, c[1] as u64, c[2] as u64, c[3] as u64],
                key: [k[0] as u64, k[1] as u64],
                buffer: [b[0] as u64, b[1] as u64, b[2] as u64, b[3] as u64],
                buffer_pos: bp as usize,
                has_uint32,
                uinteger,
            }
        }
        _ => {
            let s = uint_fields(&dict_get(&st, "state")?, 4, 64)?;
            let has_uint32 = flag("has_uint32")?;
            let uinteger = uint_field(&dict_get(&value, "uinteger")?, 32)? as u32;
            BitGenState::Sfc64 {
                state: [s[0] as u64, s[1] as u64, s[2] as u64, s[3] as u64],
                has_uint32,
                uinteger,
            }
        }
    })
}

/// `MT19937._legacy_seeding(seed)` argument coercion (`_mt19937.pyx`): `.squeeze()` for
/// arrays, `operator.index`, else `np.asarray(seed).astype(int64, casting='safe')`.
fn legacy_seed(v: &Value) -> Result<LegacySeed> {
    let cast_err = |what: &str, dt: &str| {
        Error::type_err(format!(
            "Cannot cast {what} from dtype('{dt}') to dtype('int64') according to the rule 'safe'"
        ))
    };
    match v {
        Value::None => Ok(LegacySeed::Entropy),
        Value::Bool(_) | Value::Int(_) => Ok(LegacySeed::Int(v.as_i128_sat().unwrap_or(0))),
        Value::Float(_) => Err(cast_err("scalar", "float64")),
        Value::Str(s) => Err(cast_err("scalar", &format!("<U{}", s.chars().count()))),
        Value::Array(a) => {
            let a = a.borrow();
            let shape: Vec<usize> = a.shape.iter().copied().filter(|&d| d != 1).collect();
            let dt = a.dtype();
            if shape.is_empty() && a.len() == 1 {
                if let Some(x) = a.data.get_i128(0) {
                    return Ok(LegacySeed::Int(x));
                }
                return Err(cast_err("scalar", dt.name()));
            }
            if a.is_empty() {
                return Ok(LegacySeed::Array {
                    shape,
                    data: Vec::new(),
                });
            }
            if dt.is_float() || dt == DType::U64 {
                return Err(cast_err("array data", dt.name()));
            }
            let data = (0..a.len())
                .map(|i| a.data.get_i128(i).unwrap_or(0))
                .collect();
            Ok(LegacySeed::Array { shape, data })
        }
        Value::List(_) | Value::Tuple(_) => {
            let a = to_ndarray(v)?;
            if a.is_empty() {
                return Ok(LegacySeed::Array {
                    shape: a.shape.clone(),
                    data: Vec::new(),
                });
            }
            let dt = a.dtype();
            if dt.is_float() || dt == DType::U64 {
                return Err(cast_err("array data", dt.name()));
            }
            let data = (0..a.len())
                .map(|i| a.data.get_i128(i).unwrap_or(0))
                .collect();
            Ok(LegacySeed::Array {
                shape: a.shape.clone(),
                data,
            })
        }
        _ => Err(cast_err("scalar", "O")),
    }
}

/// `_coerce_to_uint32_array` (`bit_generator.pyx`).
fn coerce_entropy(v: &Value, out: &mut Vec<u32>) -> Result<()> {
    let int_words = |b: &BigInt, out: &mut Vec<u32>| -> Result<()> {
        if b.is_negative() {
            return Err(Error::value("expected non-negative integer"));
        }
        out.extend(int_to_words(b.magnitude()));
        Ok(())
    };
    match v {
        Value::Bool(_) | Value::Int(_) => int_words(&v.as_index().unwrap_or_default(), out),
        Value::Float(_) => Err(Error::type_err("seed must be integer")),
        Value::Str(s) => {
            let n = if let Some(h) = s.strip_prefix("0x") {
                BigInt::parse_bytes(h.as_bytes(), 16)
            } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                BigInt::parse_bytes(s.as_bytes(), 10)
            } else {
                None
            };
            match n {
                Some(n) => int_words(&n, out),
                None => Err(Error::value("unrecognized seed string")),
            }
        }
        Value::Array(a) => {
            let a = a.borrow();
            if a.dtype() == DType::U32 {
                if let Data::U32(w) = &a.data {
                    out.extend_from_slice(w);
                }
                return Ok(());
            }
            if a.shape.is_empty() {
                return match a.data.get_i128(0) {
                    Some(x) => int_words(&BigInt::from(x), out),
                    None => Err(Error::type_err("seed must be integer")),
                };
            }
            let inner: usize = a.shape[1..].iter().product();
            for i in 0..a.shape[0] {
                let idx: Vec<usize> = (i * inner..(i + 1) * inner).collect();
                let sub = NdArray::new(a.shape[1..].to_vec(), a.data.gather(&idx));
                coerce_entropy(&arr(sub), out)?;
            }
            Ok(())
        }
        Value::List(_) | Value::Tuple(_) => {
            for it in v.as_sequence().unwrap_or_default() {
                coerce_entropy(&it, out)?;
            }
            Ok(())
        }
        other => Err(Error::type_err(format!(
            "object of type '{}' has no len()",
            other.type_name()
        ))),
    }
}

/// `SeedSequence(entropy, spawn_key=..., pool_size=..., n_children_spawned=...)`.
fn make_seed_sequence(
    entropy: &Value,
    spawn_key: Option<&Value>,
    pool_size: Option<&Value>,
    n_children: Option<&Value>,
) -> Result<Rc<SsShared>> {
    let pool = match pool_size {
        None => DEFAULT_POOL_SIZE,
        Some(p) => {
            let x = int_arg(p, "pool_size")?;
            if x < DEFAULT_POOL_SIZE as i64 {
                return Err(Error::value(format!(
                    "The size of the entropy pool should be at least {DEFAULT_POOL_SIZE}"
                )));
            }
            usize::try_from(x).map_err(|_| Error::value("pool_size too large"))?
        }
    };
    let (words, entropy_value) = match entropy {
        Value::None => {
            let ss = entropy_seed_sequence();
            let e = Value::Int(words_to_int(&ss.entropy));
            (ss.entropy, e)
        }
        Value::Bool(_) | Value::Int(_) | Value::List(_) | Value::Tuple(_) => {
            let mut w = Vec::new();
            coerce_entropy(entropy, &mut w)?;
            (w, entropy.clone())
        }
        Value::Array(a) if a.borrow().shape.is_empty() && a.borrow().dtype().is_int() => {
            let mut w = Vec::new();
            coerce_entropy(entropy, &mut w)?;
            (w, entropy.clone())
        }
        Value::Array(a) if !a.borrow().shape.is_empty() => {
            let mut w = Vec::new();
            coerce_entropy(entropy, &mut w)?;
            (w, entropy.clone())
        }
        other => {
            let shown = match other {
                Value::Str(s) => s.clone(),
                x => py_repr(x),
            };
            return Err(Error::type_err(format!(
                "SeedSequence expects int or sequence of ints for entropy not {shown}"
            )));
        }
    };
    let mut key_ints = Vec::new();
    let mut key_words = Vec::new();
    if let Some(k) = spawn_key {
        let items = match k {
            Value::List(_) | Value::Tuple(_) => k.as_sequence().unwrap_or_default(),
            other => {
                return Err(Error::type_err(format!(
                    "'{}' object is not iterable",
                    other.type_name()
                )))
            }
        };
        for it in items {
            let mut w = Vec::new();
            coerce_entropy(&it, &mut w)?;
            key_ints.push(it.as_index().unwrap_or_else(|| words_to_int(&w)));
            key_words.push(w);
        }
    }
    let mut ss = SeedSequence::new(words, key_words, pool);
    if let Some(n) = n_children {
        ss.n_children_spawned = u64::try_from(int_arg(n, "n_children_spawned")?)
            .map_err(|_| Error::Overflow("can't convert negative value".into()))?;
    }
    Ok(Rc::new(SsShared {
        ss: RefCell::new(ss),
        entropy: entropy_value,
        spawn_key: key_ints,
    }))
}

/// The seed sequence a bit generator constructor uses: the given `SeedSequence` object
/// itself, or `SeedSequence(seed)`.
fn seed_seq_of(seed: &Value) -> Result<Rc<SsShared>> {
    if let Some(s) = downcast::<SeedSeqObj>(seed) {
        return Ok(s.0.clone());
    }
    make_seed_sequence(seed, None, None, None)
}

/// `int_to_array(value, name, bits, 64)` (`_common.pyx`) for Philox's `key` and `counter`.
fn int_to_u64_words(v: &Value, name: &str, bits: u32) -> Result<Vec<u64>> {
    let n = (bits / 64) as usize;
    if let Some(b) = v.as_index() {
        let upper = BigInt::from(1u8) << bits as usize;
        if b.is_negative() || b >= upper {
            return Err(Error::value(format!(
                "{name} must be positive and less than 2**{bits}."
            )));
        }
        let mut d = b.magnitude().to_u64_digits();
        d.resize(n, 0);
        return Ok(d);
    }
    let a = to_ndarray(v)?;
    if a.shape != [n] {
        return Err(Error::value(format!(
            "{name} must have {n} elements when using array form"
        )));
    }
    (0..n)
        .map(|i| match a.data.get_i128(i) {
            Some(x) => Ok(x as u64),
            None => Ok(float_to_int_cast(a.data.get_f64(i))? as u64),
        })
        .collect()
}

/// `MT19937(seed)`, `PCG64(seed)`, `PCG64DXSM(seed)`, `Philox(seed, counter, key)`,
/// `SFC64(seed)`.
fn make_bitgen(kind: &str, args: &Args) -> Result<Rc<BgShared>> {
    let names: &[&str] = if kind == "Philox" {
        &["seed", "counter", "key"]
    } else {
        &["seed"]
    };
    let b = args.bind(kind, names)?;
    let seed = b[0].clone().unwrap_or(Value::None);
    if kind == "Philox" {
        let key = opt(&b[2]);
        if !seed.is_none() && key.is_some() {
            return Err(Error::value("seed and key cannot be both used"));
        }
        let ss = seed_seq_of(&seed)?;
        let (k, ss_kept) = match &key {
            Some(k) => {
                let w = int_to_u64_words(k, "key", 128)?;
                ([w[0], w[1]], None)
            }
            None => {
                let w = ss.ss.borrow().generate_state_u64(2);
                ([w[0], w[1]], Some(ss))
            }
        };
        let ctr = match opt(&b[1]) {
            None => [0u64; 4],
            Some(c) => {
                let w = int_to_u64_words(&c, "counter", 256)?;
                [w[0], w[1], w[2], w[3]]
            }
        };
        let eng = Philox4x64::new(k, ctr);
        let bg = BitGenerator::from_engine(
            Engine::Philox(eng),
            ss_kept.as_ref().map(|s| s.ss.borrow().clone()),
        );
        return Ok(BgShared::new(bg, ss_kept));
    }
    let ss = seed_seq_of(&seed)?;
    let bg = BitGenerator::from_seed_sequence(kind, ss.ss.borrow().clone())?;
    Ok(BgShared::new(bg, Some(ss)))
}

// =============================================================================================
// RandomState (mtrand.pyx) and the np.random.* module functions

/// The population `a` of `choice` (`np.asarray(a)`; 0-d integer values are `pop_size`).
enum ChoicePop {
    Int(i128),
    Arr(NdArray),
}

fn choice_pop(v: &Value, legacy: bool) -> Result<ChoicePop> {
    let zero_d_err = |tn: &str| {
        Error::value(if legacy {
            "a must be 1-dimensional or an integer".to_string()
        } else {
            format!("a must be a sequence or an integer, not <class '{tn}'>")
        })
    };
    match v {
        Value::Bool(_) | Value::Int(_) => Ok(ChoicePop::Int(v.as_i128_sat().unwrap_or(0))),
        Value::Float(_) => Err(zero_d_err("float")),
        Value::Array(a) if a.borrow().shape.is_empty() => match a.borrow().data.get_i128(0) {
            Some(x) => Ok(ChoicePop::Int(x)),
            None => Err(zero_d_err(&format!("numpy.{}", a.borrow().dtype().name()))),
        },
        _ => Ok(ChoicePop::Arr(to_ndarray(v)?)),
    }
}

fn choice_p(v: &Option<Value>) -> Result<Option<Probabilities>> {
    match opt(v) {
        None => Ok(None),
        Some(p) => {
            match &p {
                Value::Float(_) | Value::Int(_) | Value::Bool(_) => {
                    return Err(Error::type_err(format!(
                        "object of type '{}' has no len()",
                        p.type_name()
                    )))
                }
                Value::Array(a) if a.borrow().shape.is_empty() => {
                    return Err(Error::type_err("len() of unsized object"))
                }
                _ => {}
            }
            let values = to_ndarray(&p)?;
            Ok(Some(Probabilities {
                is_ndarray: matches!(p, Value::Array(_)),
                values,
            }))
        }
    }
}

/// `size=` of `choice`, where `replace=False` reports a negative size with its own message.
fn choice_size(v: &Option<Value>, replace: bool, legacy: bool) -> Result<Option<Vec<usize>>> {
    match size_arg(v) {
        Err(Error::Value(m))
            if m == "negative dimensions are not allowed" && !replace && legacy =>
        {
            Err(Error::value("Negative dimensions are not allowed"))
        }
        r => r,
    }
}

/// `shuffle(x)` on a Python list / tuple / ndarray value with `swaps` drawn by `draw(n)`.
fn shuffle_value(
    x: &Value,
    mut draw: impl FnMut(usize) -> Vec<usize>,
    mut draw_array: impl FnMut(&mut NdArray) -> Result<()>,
) -> Result<Value> {
    match x {
        Value::Array(a) => {
            draw_array(&mut a.borrow_mut())?;
            Ok(Value::None)
        }
        Value::List(l) => {
            let n = l.borrow().len();
            let swaps = draw(n);
            apply_swaps(&mut l.borrow_mut(), &swaps);
            Ok(Value::None)
        }
        Value::Tuple(t) => {
            if t.len() >= 2 {
                // NumPy draws for i = n-1, then fails on the first item assignment.
                let _ = draw(2);
            }
            Err(Error::type_err(
                "'tuple' object does not support item assignment",
            ))
        }
        other => Err(Error::type_err(format!(
            "object of type '{}' has no len()",
            other.type_name()
        ))),
    }
}

fn legacy_state_value(st: LegacyState, legacy: bool) -> Value {
    let name = st.state.bit_generator();
    if legacy && name == "MT19937" {
        if let BitGenState::Mt19937 { key, pos } = &st.state {
            return Value::Tuple(vec![
                Value::Str("MT19937".into()),
                arr(NdArray::new(vec![key.len()], Data::U32(key.clone()))),
                Value::int(*pos as u64),
                Value::int(st.has_gauss as u8),
                Value::Float(st.gauss),
            ]);
        }
    }
    let d = state_to_value(&st.state);
    if let Value::Dict(items) = &d {
        items.borrow_mut().push((
            Value::Str("has_gauss".into()),
            Value::int(st.has_gauss as u8),
        ));
        items
            .borrow_mut()
            .push((Value::Str("gauss".into()), Value::Float(st.gauss)));
    }
    d
}

/// `RandomState.set_state(state)` (`mtrand.pyx`).
fn rs_set_state(o: &RandomStateObj, state: &Value) -> Result<()> {
    let st = match state {
        Value::Dict(_) => {
            if !dict_has(state, "bit_generator") || !dict_has(state, "state") {
                return Err(Error::value("state dictionary is not valid."));
            }
            state.clone()
        }
        Value::Tuple(_) | Value::List(_) => {
            let t = state.as_sequence().unwrap_or_default();
            let first = t
                .first()
                .ok_or_else(|| Error::Index("tuple index out of range".into()))?;
            if !matches!(first, Value::Str(s) if s == "MT19937") {
                return Err(Error::value(
                    "set_state can only be used with legacy MT19937 state instances.",
                ));
            }
            let get = |i: usize| {
                t.get(i)
                    .cloned()
                    .ok_or_else(|| Error::Index("tuple index out of range".into()))
            };
            let mut items = vec![
                ("bit_generator", first.clone()),
                ("state", dict(vec![("key", get(1)?), ("pos", get(2)?)])),
            ];
            if t.len() > 3 {
                items.push(("has_gauss", get(3)?));
                items.push(("gauss", get(4)?));
            }
            dict(items)
        }
        _ => return Err(Error::type_err("state must be a dict or a tuple.")),
    };
    let gauss = match dict_get(&st, "gauss") {
        Ok(g) => g
            .as_f64()
            .ok_or_else(|| Error::type_err("must be real number"))?,
        Err(_) => 0.0,
    };
    let has_gauss = match dict_get(&st, "has_gauss") {
        Ok(h) => {
            h.as_i128_sat()
                .ok_or_else(|| Error::type_err("an integer is required"))?
                != 0
        }
        Err(_) => false,
    };
    o.gauss.set((has_gauss, gauss));
    let sh = o.bg.borrow().clone();
    let name = sh.bg.borrow().name();
    let parsed = value_to_state(name, &st)?;
    let r = sh.bg.borrow_mut().set_state(parsed);
    r
}

/// Methods of `RandomState` (also the `np.random.*` functions, on the global one).
fn rs_call(o: &RandomStateObj, name: &str, args: &Args) -> Result<Value> {
    match name {
        "seed" => {
            let b = args.bind("seed", &["seed"])?;
            let seed = legacy_seed(&b[0].clone().unwrap_or(Value::None))?;
            with_rs(o, |rs| rs.seed(seed))?;
            Ok(Value::None)
        }
        "get_state" => {
            let b = args.bind("get_state", &["legacy"])?;
            let legacy = truthy(&b[0], true)?;
            Ok(legacy_state_value(with_rs(o, |rs| rs.get_state()), legacy))
        }
        "set_state" => {
            let b = args.bind("set_state", &["state"])?;
            rs_set_state(o, &need(&b, 0, "set_state", args)?)?;
            Ok(Value::None)
        }
        "random_sample" | "random" | "sample" | "ranf" => {
            let b = args.bind(name, &["size"])?;
            let size = size_arg(&b[0])?;
            let r = with_rs(o, |rs| rs.random_sample(size.as_deref()))?;
            Ok(float_result(r, size.is_none()))
        }
        "rand" | "randn" => {
            let dims = dims_arg(args, name)?;
            let r = with_rs(o, |rs| {
                if name == "rand" {
                    rs.rand(&dims)
                } else {
                    rs.randn(&dims)
                }
            })?;
            Ok(float_result(r, args.pos.is_empty()))
        }
        "standard_normal" | "standard_exponential" => {
            let b = args.bind(name, &["size"])?;
            let size = size_arg(&b[0])?;
            let r = with_rs(o, |rs| {
                if name == "standard_normal" {
                    rs.standard_normal(size.as_deref())
                } else {
                    rs.standard_exponential(size.as_deref())
                }
            })?;
            Ok(float_result(r, size.is_none()))
        }
        "normal" | "uniform" => {
            let names: &[&str] = if name == "normal" {
                &["loc", "scale", "size"]
            } else {
                &["low", "high", "size"]
            };
            let b = args.bind(name, names)?;

            let p0 = fparam_or(&b[0], 0.0)?;
            let p1 = fparam_or(&b[1], 1.0)?;
            let size = size_arg(&b[2])?;
            let scalar = is_scalar_param(&b[0]) && is_scalar_param(&b[1]);
            let r = with_rs(o, |rs| {
                if name == "normal" {
                    rs.normal(&p0, &p1, size.as_deref())
                } else {
                    rs.uniform(&p0, &p1, size.as_deref())
                }
            })?;
            Ok(float_result(r, scalar && size.is_none()))
        }
        "exponential" => {
            let b = args.bind(name, &["scale", "size"])?;
            let scale = fparam_or(&b[0], 1.0)?;
            let size = size_arg(&b[1])?;
            let scalar = is_scalar_param(&b[0]);
            let r = with_rs(o, |rs| rs.exponential(&scale, size.as_deref()))?;
            Ok(float_result(r, scalar && size.is_none()))
        }
        "tomaxint" => {
            let b = args.bind(name, &["size"])?;
            let size = size_arg(&b[0])?;
            let r = with_rs(o, |rs| rs.tomaxint(size.as_deref()))?;
            Ok(if size.is_none() {
                py_int_result(r)
            } else {
                arr(r)
            })
        }
        "randint" => {
            let b = args.bind(name, &["low", "high", "size", "dtype"])?;
            let (dtype, builtin) = match &b[3] {
                None => (DType::I64, true),
                Some(d) => parse_dtype(d)?,
            };
            if !(dtype.is_int() || dtype == DType::Bool) {
                return Err(Error::type_err(format!(
                    "Unsupported dtype dtype('{}') for randint",
                    dtype.name()
                )));
            }
            let low = iparam(&need(&b, 0, name, args)?, dtype)?;
            let high = match opt(&b[1]) {
                None => None,
                Some(h) => Some(iparam(&h, dtype)?),
            };
            let size = size_arg(&b[2])?;
            let r = with_rs(o, |rs| {
                rs.randint(&low, high.as_ref(), size.as_deref(), dtype)
            })?;
            Ok(if size.is_none() && builtin && r.shape.is_empty() {
                py_int_result(r)
            } else {
                arr(r)
            })
        }
        "random_integers" => {
            let b = args.bind(name, &["low", "high", "size"])?;
            let low = iparam(&need(&b, 0, name, args)?, DType::I64)?;
            let high = match opt(&b[1]) {
                None => None,
                Some(h) => Some(py_int(&h)?),
            };
            let size = size_arg(&b[2])?;
            let r = with_rs(o, |rs| rs.random_integers(&low, high, size.as_deref()))?;
            Ok(arr(r))
        }
        "bytes" => {
            let b = args.bind(name, &["length"])?;
            let length = int_arg(&need(&b, 0, name, args)?, "length")?;
            // C division (`cdivision=True`): `bytes(0)` still draws one word.
            let n = (length - 1) / 4 + 1;
            if n < 0 {
                return Err(Error::value("negative dimensions are not allowed"));
            }
            if n == 0 {
                return Ok(Value::Bytes(Vec::new()));
            }
            let out = with_rs(o, |rs| rs.bytes(4 * n as usize));
            let keep = if length < 0 { 0 } else { length as usize };
            Ok(Value::Bytes(out[..keep.min(out.len())].to_vec()))
        }
        "shuffle" => {
            let b = args.bind(name, &["x"])?;
            let x = need(&b, 0, name, args)?;
            shuffle_value(
                &x,
                |n| with_rs(o, |rs| rs.shuffle_swaps(n)),
                |a| with_rs(o, |rs| rs.shuffle(a)),
            )
        }
        "permutation" => {
            let b = args.bind(name, &["x"])?;
            let x = need(&b, 0, name, args)?;
            if let Some(n) = permutation_int_arg(&x) {
                let r = with_rs(o, |rs| rs.permutation_int(n.0))?;
                return Ok(arr(if n.1 { cast(&r, DType::F64)? } else { r }));
            }
            let a = to_ndarray(&x)?;
            Ok(arr(with_rs(o, |rs| rs.permutation(&a))?))
        }
        "choice" => {
            let b = args.bind(name, &["a", "size", "replace", "p"])?;
            let pop = choice_pop(&need(&b, 0, name, args)?, true)?;
            let replace = truthy(&b[2], true)?;
            let size = choice_size(&b[1], replace, true)?;
            let p = choice_p(&b[3])?;
            let r = with_rs(o, |rs| {
                let a = match &pop {
                    ChoicePop::Int(n) => ChoiceA::Int(*n),
                    ChoicePop::Arr(a) => ChoiceA::Array(a),
                };
                rs.choice(a, size.as_deref(), replace, p.as_ref())
            })?;
            Ok(match (&pop, &size) {
                (ChoicePop::Int(_), None) => py_int_result(r),
                _ => arr(r),
            })
        }
        _ => Err(unknown_method("RandomState", name)),
    }
}

/// `isinstance(x, (int, np.integer))` for `permutation`: the count, and whether NumPy's
/// `result_type(x, np.long)` is float64 (a `np.uint64` scalar).
fn permutation_int_arg(x: &Value) -> Option<(i128, bool)> {
    match x {
        Value::Bool(_) | Value::Int(_) => Some((x.as_i128_sat()?, false)),
        Value::Array(a) => {
            let a = a.borrow();
            if a.shape.is_empty() && a.dtype().is_int() {
                Some((a.data.get_i128(0)?, a.dtype() == DType::U64))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Python `int(x)`.
fn py_int(v: &Value) -> Result<i128> {
    match v {
        Value::Bool(_) | Value::Int(_) => Ok(v.as_i128_sat().unwrap_or(0)),
        Value::Float(f) => py_int_of_float(*f),
        Value::Array(a) => {
            let a = a.borrow();
            if a.len() != 1 {
                return Err(Error::type_err(
                    "only length-1 arrays can be converted to Python scalars",
                ));
            }
            match a.data.get_i128(0) {
                Some(x) => Ok(x),
                None => py_int_of_float(a.data.get_f64(0)),
            }
        }
        other => Err(Error::type_err(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            other.type_name()
        ))),
    }
}

/// An unknown method: `Unsupported` when NumPy has it, else NumPy's `AttributeError`.
fn unknown_method(tn: &str, name: &str) -> Error {
    let (all, qual): (&[&str], String) = match tn {
        "RandomState" => (RS_ALL, "numpy.random.mtrand.RandomState".into()),
        "Generator" => (GEN_ALL, "numpy.random._generator.Generator".into()),
        "SeedSequence" => (&[], "numpy.random.bit_generator.SeedSequence".into()),
        "ndarray" => (ARRAY_ALL, "numpy.ndarray".into()),
        other => (
            &[],
            format!("numpy.random._{}.{other}", other.to_lowercase()),
        ),
    };
    if all.contains(&name) {
        Error::unsupported(format!("{tn}.{name}"))
    } else {
        attr_error(&qual, name)
    }
}

// =============================================================================================
// Generator (_generator.pyx)

fn float_dtype_arg(v: &Option<Value>) -> Result<DType> {
    match opt(v) {
        None => Ok(DType::F64),
        Some(d) => Ok(parse_dtype(&d)?.0),
    }
}

fn no_out(v: &Option<Value>) -> Result<()> {
    if opt(v).is_some() {
        return Err(Error::unsupported("the out= argument"));
    }
    Ok(())
}

fn axis_arg(v: &Option<Value>, default: i64) -> Result<i64> {
    match opt(v) {
        None => Ok(default),
        Some(a) => int_arg(&a, "axis"),
    }
}

/// Children of a bit generator's seed sequence (`BitGenerator.spawn`).
fn spawn_bitgens(sh: &BgShared, n: i64) -> Result<Vec<Rc<BgShared>>> {
    let n = usize::try_from(n)
        .map_err(|_| Error::Overflow("can't convert negative value to uint32_t".into()))?;
    let ss = sh.seed_seq.borrow().clone().ok_or_else(|| {
        Error::type_err("The underlying SeedSequence does not implement spawning.")
    })?;
    let kind = sh.bg.borrow().name();
    let children = ss.ss.borrow_mut().spawn(n);
    children
        .into_iter()
        .map(|child| {
            let key: Vec<BigInt> = child.spawn_key.iter().map(|w| words_to_int(w)).collect();
            let shared = Rc::new(SsShared {
                ss: RefCell::new(child.clone()),
                entropy: ss.entropy.clone(),
                spawn_key: key,
            });
            let bg = BitGenerator::from_seed_sequence(kind, child)?;
            Ok(BgShared::new(bg, Some(shared)))
        })
        .collect()
}

fn gen_call(sh: &Rc<BgShared>, name: &str, args: &Args) -> Result<Value> {
    match name {
        "random" => {
            let b = args.bind(name, &["size", "dtype", "out"])?;
            no_out(&b[2])?;
            let size = size_arg(&b[0])?;
            let dtype = float_dtype_arg(&b[1])?;
            let r = with_gen(sh, |g| g.random(size.as_deref(), dtype))?;
            Ok(float_result(r, size.is_none()))
        }
        "standard_normal" => {
            let b = args.bind(name, &["size", "dtype", "out"])?;
            no_out(&b[2])?;
            let size = size_arg(&b[0])?;
            let dtype = float_dtype_arg(&b[1])?;
            let r = with_gen(sh, |g| g.standard_normal(size.as_deref(), dtype))?;
            Ok(float_result(r, size.is_none()))
        }
        "standard_exponential" => {
            let b = args.bind(name, &["size", "dtype", "method", "out"])?;
            no_out(&b[3])?;
            let size = size_arg(&b[0])?;
            let dtype = float_dtype_arg(&b[1])?;
            let zig = match &b[2] {
                None => true,
                Some(Value::Str(s)) => s == "zig",
                Some(_) => false,
            };
            let method = if zig { "zig" } else { "inv" };
            let r = with_gen(sh, |g| {
                g.standard_exponential(size.as_deref(), dtype, method)
            })?;
            Ok(float_result(r, size.is_none()))
        }
        "normal" | "uniform" => {
            let names: &[&str] = if name == "normal" {
                &["loc", "scale", "size"]
            } else {
                &["low", "high", "size"]
            };
            let b = args.bind(name, names)?;
            let p0 = fparam_or(&b[0], 0.0)?;
            let p1 = fparam_or(&b[1], 1.0)?;
            let size = size_arg(&b[2])?;
            let scalar = is_scalar_param(&b[0]) && is_scalar_param(&b[1]);
            let r = with_gen(sh, |g| {
                if name == "normal" {
                    g.normal(&p0, &p1, size.as_deref())
                } else {
                    g.uniform(&p0, &p1, size.as_deref())
                }
            })?;
            Ok(float_result(r, scalar && size.is_none()))
        }
        "exponential" => {
            let b = args.bind(name, &["scale", "size"])?;
            let scale = fparam_or(&b[0], 1.0)?;
            let size = size_arg(&b[1])?;
            let scalar = is_scalar_param(&b[0]);
            let r = with_gen(sh, |g| g.exponential(&scale, size.as_deref()))?;
            Ok(float_result(r, scalar && size.is_none()))
        }
        "integers" => {
            let b = args.bind(name, &["low", "high", "size", "dtype", "endpoint"])?;
            let (dtype, builtin) = match &b[3] {
                None => (DType::I64, false),
                Some(d) => parse_dtype(d)?,
            };
            if !(dtype.is_int() || dtype == DType::Bool) {
                return Err(Error::type_err(format!(
                    "Unsupported dtype dtype('{}') for integers",
                    dtype.name()
                )));
            }
            let low = iparam(&need(&b, 0, name, args)?, dtype)?;
            let high = match opt(&b[1]) {
                None => None,
                Some(h) => Some(iparam(&h, dtype)?),
            };
            let size = size_arg(&b[2])?;
            let endpoint = truthy(&b[4], false)?;
            let r = with_gen(sh, |g| {
                g.integers(&low, high.as_ref(), size.as_deref(), dtype, endpoint)
            })?;
            Ok(if size.is_none() && builtin && r.shape.is_empty() {
                py_int_result(r)
            } else {
                arr(r)
            })
        }
        "bytes" => {
            let b = args.bind(name, &["length"])?;
            let length = int_arg(&need(&b, 0, name, args)?, "length")?;
            // C division (`cdivision=True`): `bytes(0)` still draws one word.
            let n = (length - 1) / 4 + 1;
            if n < 0 {
                return Err(Error::value("negative dimensions are not allowed"));
            }
            if n == 0 {
                return Ok(Value::Bytes(Vec::new()));
            }
            let out = with_gen(sh, |g| g.bytes(4 * n as usize));
            let keep = if length < 0 { 0 } else { length as usize };
            Ok(Value::Bytes(out[..keep.min(out.len())].to_vec()))
        }
        "shuffle" => {
            let b = args.bind(name, &["x", "axis"])?;
            let x = need(&b, 0, name, args)?;
            let axis = axis_arg(&b[1], 0)?;
            if matches!(x, Value::List(_) | Value::Tuple(_)) && axis != 0 {
                return Err(Error::Runtime(
                    "NotImplementedError: Axis argument is only supported on ndarray objects"
                        .into(),
                ));
            }
            shuffle_value(
                &x,
                |n| with_gen(sh, |g| g.shuffle_swaps(n)),
                |a| with_gen(sh, |g| g.shuffle(a, axis)),
            )
        }
        "permutation" => {
            let b = args.bind(name, &["x", "axis"])?;
            let x = need(&b, 0, name, args)?;
            let axis = axis_arg(&b[1], 0)?;
            if let Some((n, is_u64)) = permutation_int_arg(&x) {
                let r = with_gen(sh, |g| g.permutation_int(n))?;
                return Ok(arr(if is_u64 { cast(&r, DType::F64)? } else { r }));
            }
            let a = to_ndarray(&x)?;
            Ok(arr(with_gen(sh, |g| g.permutation(&a, axis))?))
        }
        "permuted" => {
            let b = args.bind_kwonly(name, &["x"], &["axis", "out"])?;
            no_out(&b[2])?;
            let x = to_ndarray(&need(&b, 0, name, args)?)?;
            let axis = match opt(&b[1]) {
                None => None,
                Some(a) => Some(int_arg(&a, "axis")?),
            };
            if axis.is_none() && x.ndim() == 0 {
                return Err(Error::type_err("len() of unsized object"));
            }
            Ok(arr(with_gen(sh, |g| g.permuted(&x, axis))?))
        }
        "choice" => {
            let b = args.bind(name, &["a", "size", "replace", "p", "axis", "shuffle"])?;
            let pop = choice_pop(&need(&b, 0, name, args)?, false)?;
            let replace = truthy(&b[2], true)?;
            let size = choice_size(&b[1], replace, false)?;
            let p = choice_p(&b[3])?;
            let axis = axis_arg(&b[4], 0)?;
            let shuffle = truthy(&b[5], true)?;
            let r = with_gen(sh, |g| {
                let a = match &pop {
                    ChoicePop::Int(n) => ChoiceA::Int(*n),
                    ChoicePop::Arr(a) => ChoiceA::Array(a),
                };
                g.choice(a, size.as_deref(), replace, p.as_ref(), axis, shuffle)
            })?;
            Ok(match (&pop, &size) {
                (ChoicePop::Int(_), None) => py_int_result(r),
                _ => arr(r),
            })
        }
        "spawn" => {
            let b = args.bind(name, &["n_children"])?;
            let n = int_arg(&need(&b, 0, name, args)?, "n_children")?;
            let kids = spawn_bitgens(sh, n)?;
            Ok(Value::list(
                kids.into_iter().map(|k| obj(GeneratorObj(k))).collect(),
            ))
        }
        _ => Err(unknown_method("Generator", name)),
    }
}

// =============================================================================================
// Bit generators and SeedSequence

fn bitgen_call(recv: &Value, sh: &Rc<BgShared>, name: &str, args: &Args) -> Result<Value> {
    match name {
        "random_raw" => {
            let b = args.bind(name, &["size", "output"])?;
            let size = size_arg(&b[0])?;
            let output = truthy(&b[1], true)?;
            let n = checked_size(size.as_deref().unwrap_or(&[]))?;
            let v: Vec<u64> = {
                let mut bg = sh.bg.borrow_mut();
                (0..n).map(|_| bg.random_raw()).collect()
            };
            if !output {
                return Ok(Value::None);
            }
            Ok(match size {
                None => Value::int(v[0]),
                Some(s) => arr(NdArray::new(s, Data::U64(v))),
            })
        }
        "spawn" => {
            let b = args.bind(name, &["n_children"])?;
            let n = int_arg(&need(&b, 0, name, args)?, "n_children")?;
            let kids = spawn_bitgens(sh, n)?;
            Ok(Value::list(
                kids.into_iter().map(|k| obj(BitGenObj(k))).collect(),
            ))
        }
        "jumped" => {
            let b = args.bind(name, &["jumps"])?;
            let jumps = match opt(&b[0]) {
                None => 1,
                Some(j) => int_arg(&j, "jumps")?,
            };
            let jumps = if sh.bg.borrow().name() == "MT19937" {
                jumps.max(0)
            } else {
                jumps
            };
            let jumps = u64::try_from(jumps)
                .map_err(|_| Error::unsupported("jumped() with a negative number of jumps"))?;
            let nb = sh.bg.borrow().jumped(jumps)?;
            Ok(obj(BitGenObj(BgShared::new(nb, None))))
        }
        "advance" => {
            let b = args.bind(name, &["delta"])?;
            let d = need(&b, 0, name, args)?;
            let delta = d.as_index().ok_or_else(|| {
                Error::type_err(format!(
                    "'{}' object cannot be interpreted as an integer",
                    d.type_name()
                ))
            })?;
            sh.bg.borrow_mut().advance(&delta)?;
            Ok(recv.clone())
        }
        "lock" | "capsule" | "ctypes" | "cffi" => Err(Error::unsupported(format!(
            "{}.{name}",
            sh.bg.borrow().name()
        ))),
        _ => Err(attr_error(sh.bg.borrow().qualified_name(), name)),
    }
}

fn seedseq_call(s: &Rc<SsShared>, name: &str, args: &Args) -> Result<Value> {
    match name {
        "generate_state" => {
            let b = args.bind(name, &["n_words", "dtype"])?;
            let n = int_arg(&need(&b, 0, name, args)?, "n_words")?;
            let dtype = match opt(&b[1]) {
                None => DType::U32,
                Some(d) => parse_dtype(&d)?.0,
            };
            let n = usize::try_from(n)
                .map_err(|_| Error::value("negative dimensions are not allowed"))?;
            let ss = s.ss.borrow();
            match dtype {
                DType::U32 => Ok(arr(NdArray::new(
                    vec![n],
                    Data::U32(ss.generate_state_u32(n)),
                ))),
                DType::U64 => Ok(arr(NdArray::new(
                    vec![n],
                    Data::U64(ss.generate_state_u64(n)),
                ))),
                _ => Err(Error::value("only support uint32 or uint64")),
            }
        }
        "spawn" => {
            let b = args.bind(name, &["n_children"])?;
            let n = int_arg(&need(&b, 0, name, args)?, "n_children")?;
            let n = usize::try_from(n)
                .map_err(|_| Error::Overflow("can't convert negative value to uint32_t".into()))?;
            let kids = s.ss.borrow_mut().spawn(n);
            Ok(Value::list(
                kids.into_iter()
                    .map(|c| {
                        let key = c.spawn_key.iter().map(|w| words_to_int(w)).collect();
                        obj(SeedSeqObj(Rc::new(SsShared {
                            ss: RefCell::new(c),
                            entropy: s.entropy.clone(),
                            spawn_key: key,
                        })))
                    })
                    .collect(),
            ))
        }
        _ => Err(unknown_method("SeedSequence", name)),
    }
}

// =============================================================================================
// Module functions

/// Call a module-level function by canonical path (`numpy.random.rand`, `numpy.arange`, ...).
/// `np.random.*` functions act on the context's global `RandomState`.
pub fn call_function(ctx: &mut NumpyCtx, path: &str, args: &Args) -> Result<Value> {
    if let Some(name) = path.strip_prefix("numpy.random.") {
        return random_function(ctx, name, args);
    }
    if let Some(name) = path.strip_prefix("numpy.") {
        return numpy_function(name, args);
    }
    Err(Error::unsupported(path.to_string()))
}

fn random_function(ctx: &mut NumpyCtx, name: &str, args: &Args) -> Result<Value> {
    match name {
        "seed" => {
            let sh = ctx.global.bg.borrow().clone();
            let kind = sh.bg.borrow().name();
            if kind == "MT19937" {
                return rs_call(&ctx.global, "seed", args);
            }
            // `_rand._bit_generator.state = type(bg)(seed).state` (no gauss reset in 2.4.6).
            let b = args.bind("seed", &["seed"])?;
            let seed = b[0].clone().unwrap_or(Value::None);
            let fresh = make_bitgen(
                kind,
                &Args {
                    pos: vec![seed],
                    kw: Vec::new(),
                },
            )?;
            let st = fresh.bg.borrow().state();
            sh.bg.borrow_mut().set_state(st)?;
            Ok(Value::None)
        }
        "get_bit_generator" => {
            args.bind(name, &[])?;
            Ok(obj(BitGenObj(ctx.global.bg.borrow().clone())))
        }
        "set_bit_generator" => {
            let b = args.bind(name, &["bitgen"])?;
            let v = need(&b, 0, name, args)?;
            let bg = downcast::<BitGenObj>(&v).ok_or_else(|| {
                Error::Attribute(format!(
                    "'{}' object has no attribute 'capsule'",
                    v.type_name()
                ))
            })?;
            *ctx.global.bg.borrow_mut() = bg.0.clone();
            ctx.global.gauss.set((false, 0.0));
            Ok(Value::None)
        }
        "RandomState" => {
            let b = args.bind("RandomState", &["seed"])?;
            let seed = b[0].clone().unwrap_or(Value::None);
            let bg = if let Some(bg) = downcast::<BitGenObj>(&seed) {
                bg.0.clone()
            } else {
                let ls = legacy_seed(&seed)?;
                let is_entropy = ls == LegacySeed::Entropy;
                let rs = RandomState::new(ls)?;
                let ss = if is_entropy {
                    rs.bitgen.seed_seq.clone().map(|ss| {
                        let entropy = Value::Int(words_to_int(&ss.entropy));
                        Rc::new(SsShared {
                            ss: RefCell::new(ss),
                            entropy,
                            spawn_key: Vec::new(),
                        })
                    })
                } else {
                    None
                };
                BgShared::new(rs.bitgen, ss)
            };
            Ok(obj(RandomStateObj {
                bg: RefCell::new(bg),
                gauss: Cell::new((false, 0.0)),
            }))
        }
        "default_rng" => {
            let b = args.bind("default_rng", &["seed"])?;
            let seed = b[0].clone().unwrap_or(Value::None);
            if let Some(bg) = downcast::<BitGenObj>(&seed) {
                return Ok(obj(GeneratorObj(bg.0.clone())));
            }
            if downcast::<GeneratorObj>(&seed).is_some() {
                return Ok(seed);
            }
            if let Some(rs) = downcast::<RandomStateObj>(&seed) {
                return Ok(obj(GeneratorObj(rs.bg.borrow().clone())));
            }
            let sh = make_bitgen(
                "PCG64",
                &Args {
                    pos: vec![seed],
                    kw: Vec::new(),
                },
            )?;
            Ok(obj(GeneratorObj(sh)))
        }
        "Generator" => {
            let b = args.bind("Generator", &["bit_generator"])?;
            let v = need(&b, 0, "Generator", args)?;
            match downcast::<BitGenObj>(&v) {
                Some(bg) => Ok(obj(GeneratorObj(bg.0.clone()))),
                None => Err(Error::Attribute(format!(
                    "'{}' object has no attribute 'capsule'",
                    v.type_name()
                ))),
            }
        }
        "SeedSequence" => {
            let b = args.bind_kwonly(
                "SeedSequence",
                &["entropy"],
                &["spawn_key", "pool_size", "n_children_spawned"],
            )?;
            let entropy = b[0].clone().unwrap_or(Value::None);
            let ss = make_seed_sequence(&entropy, b[1].as_ref(), b[2].as_ref(), b[3].as_ref())?;
            Ok(obj(SeedSeqObj(ss)))
        }
        "MT19937" | "PCG64" | "PCG64DXSM" | "Philox" | "SFC64" => {
            Ok(obj(BitGenObj(make_bitgen(name, args)?)))
        }
        _ if RANDOM_FUNCS.contains(&name) => {
            let g = ctx.global.clone();
            rs_call(&g, name, args)
        }
        _ if RANDOM_NAMES.contains(&name) => {
            Err(Error::unsupported(format!("numpy.random.{name}")))
        }
        _ => Err(Error::Attribute(format!(
            "module 'numpy.random' has no attribute '{name}'"
        ))),
    }
}

fn dtype_kw(v: &Option<Value>) -> Result<Option<DType>> {
    match opt(v) {
        None => Ok(None),
        Some(d) => Ok(Some(parse_dtype(&d)?.0)),
    }
}

fn shape_arg(v: &Value) -> Result<Vec<usize>> {
    numpy_size(&Some(v.clone())).map(|s| s.unwrap_or_default())
}

fn filled(shape: Vec<usize>, dtype: DType, x: f64) -> Result<NdArray> {
    let n = checked_size(&shape)?;
    let one = NdArray::new(vec![1], Data::F64(vec![x]));
    let c = cast(&one, dtype)?;
    let idx = vec![0usize; n];
    Ok(NdArray::new(shape, c.data.gather(&idx)))
}

fn numpy_function(name: &str, args: &Args) -> Result<Value> {
    match name {
        "dtype" => {
            let b = args.bind("dtype", &["dtype", "align", "copy"])?;
            let d = need(&b, 0, "dtype", args)?;
            Ok(Value::DType(parse_dtype(&d)?.0, DTypeOrigin::Numpy))
        }
        "array" | "asarray" => {
            let b = args.bind(name, &["object", "dtype"])?;
            let o = need(&b, 0, name, args)?;
            let dtype = dtype_kw(&b[1])?;
            if name == "asarray" {
                if let Value::Array(a) = &o {
                    if dtype.is_none_or(|d| d == a.borrow().dtype()) {
                        return Ok(o.clone());
                    }
                }
            }
            let a = match (&o, dtype) {
                (Value::Array(_), None) => to_ndarray(&o)?,
                (Value::Array(_), Some(d)) => cast(&to_ndarray(&o)?, d)?,
                (_, Some(d)) => {
                    let mut shape: Vec<Option<usize>> = Vec::new();
                    let mut leaves = Vec::new();
                    let mut dts = Vec::new();
                    collect_leaves(&o, 0, &mut shape, &mut leaves, &mut dts)?;
                    let shape: Vec<usize> = shape.into_iter().map(|x| x.unwrap_or(0)).collect();
                    if leaves.len() != shape.iter().product::<usize>() {
                        return Err(Error::value(
                            "setting an array element with a sequence. The requested array \
                             has an inhomogeneous shape",
                        ));
                    }
                    NdArray::new(shape, leaves_to_data(&leaves, d)?)
                }
                (_, None) => to_ndarray(&o)?,
            };
            Ok(arr(a))
        }
        "zeros" | "ones" => {
            let b = args.bind(name, &["shape", "dtype"])?;
            let shape = shape_arg(&need(&b, 0, name, args)?)?;
            let dtype = dtype_kw(&b[1])?.unwrap_or(DType::F64);
            let x = if name == "ones" { 1.0 } else { 0.0 };
            Ok(arr(filled(shape, dtype, x)?))
        }
        "full" => {
            let b = args.bind(name, &["shape", "fill_value", "dtype"])?;
            let shape = shape_arg(&need(&b, 0, name, args)?)?;
            let fv = to_ndarray(&need(&b, 1, name, args)?)?;
            if !fv.shape.is_empty() {
                return Err(Error::unsupported("np.full with an array fill_value"));
            }
            let dtype = dtype_kw(&b[2])?.unwrap_or(fv.dtype());
            let n = checked_size(&shape)?;
            let c = cast(&fv, dtype)?;
            Ok(arr(NdArray::new(shape, c.data.gather(&vec![0; n]))))
        }
        "arange" => arange(args),
        _ => Err(Error::unsupported(format!("numpy.{name}"))),
    }
}

/// `np.arange([start,] stop[, step], dtype=None)`: integers (int64) or the float fill of
/// NumPy (`start + i*delta`, `delta = (start + step) - start`).
fn arange(args: &Args) -> Result<Value> {
    let b = args.bind("arange", &["start", "stop", "step", "dtype"])?;
    let (start, stop) = match (opt(&b[0]), opt(&b[1])) {
        (Some(a), None) => (Value::Int(BigInt::zero()), a),
        (Some(a), Some(s)) => (a, s),
        (None, Some(s)) => (Value::Int(BigInt::zero()), s),
        (None, None) => {
            return Err(Error::type_err("arange() requires stop to be specified."));
        }
    };
    let step = opt(&b[2]).unwrap_or(Value::Int(BigInt::from(1)));
    let dtype = dtype_kw(&b[3])?;
    let all_int = [&start, &stop, &step].iter().all(|v| v.is_integer());
    let target = dtype.unwrap_or(if all_int { DType::I64 } else { DType::F64 });
    if all_int && !target.is_float() {
        let (a, z, s) = (
            start.as_i128_sat().unwrap_or(0),
            stop.as_i128_sat().unwrap_or(0),
            step.as_i128_sat().unwrap_or(1),
        );
        if s == 0 {
            return Err(Error::ZeroDivision("division by zero".into()));
        }
        let len = if (s > 0 && z > a) || (s < 0 && z < a) {
            ((z - a).abs() + s.abs() - 1) / s.abs()
        } else {
            0
        };
        let len =
            usize::try_from(len).map_err(|_| Error::value("Maximum allowed size exceeded"))?;
        checked_size(&[len])?;
        let v: Vec<i64> = (0..len as i128).map(|i| (a + i * s) as i64).collect();
        let a = NdArray::new(vec![len], Data::I64(v));
        return Ok(arr(cast(&a, target)?));
    }
    let f = |v: &Value| -> Result<f64> {
        v.as_f64()
            .ok_or_else(|| Error::type_err(format!("unsupported operand type '{}'", v.type_name())))
    };
    let (a, z, s) = (f(&start)?, f(&stop)?, f(&step)?);
    if s == 0.0 {
        return Err(Error::ZeroDivision("division by zero".into()));
    }
    let lenf = ((z - a) / s).ceil();
    if lenf.is_nan() {
        return Err(Error::value("arange: cannot compute length"));
    }
    let len = if lenf <= 0.0 { 0usize } else { lenf as usize };
    checked_size(&[len])?;
    match target {
        DType::F64 => {
            let delta = (a + s) - a;
            let v: Vec<f64> = (0..len)
                .map(|i| if i == 0 { a } else { a + i as f64 * delta })
                .collect();
            Ok(arr(NdArray::new(vec![len], Data::F64(v))))
        }
        DType::F32 => {
            let a32 = a as f32;
            let delta = ((a + s) as f32) - a32;
            let v: Vec<f32> = (0..len)
                .map(|i| if i == 0 { a32 } else { a32 + i as f32 * delta })
                .collect();
            Ok(arr(NdArray::new(vec![len], Data::F32(v))))
        }
        other => Err(Error::unsupported(format!(
            "np.arange with float arguments and dtype {}",
            other.name()
        ))),
    }
}

// =============================================================================================
// Methods and attributes

const GENERATOR_METHODS: &[&str] = &[
    "random",
    "integers",
    "standard_normal",
    "normal",
    "uniform",
    "standard_exponential",
    "exponential",
    "permutation",
    "shuffle",
    "permuted",
    "choice",
    "bytes",
    "spawn",
];
const RS_METHODS: &[&str] = &[
    "seed",
    "get_state",
    "set_state",
    "random_sample",
    "random",
    "rand",
    "randn",
    "standard_normal",
    "normal",
    "uniform",
    "standard_exponential",
    "exponential",
    "tomaxint",
    "randint",
    "random_integers",
    "bytes",
    "shuffle",
    "permutation",
    "choice",
];
const BITGEN_METHODS: &[&str] = &["random_raw", "spawn", "jumped", "advance"];
const SEEDSEQ_METHODS: &[&str] = &["generate_state", "spawn"];
const ARRAY_METHODS: &[&str] = &[
    "astype", "tolist", "item", "copy", "reshape", "flatten", "ravel", "tobytes", "sum", "min",
    "max",
];

/// Call a method on a value this binding owns: `RandomState`, `Generator`, bit generators,
/// `SeedSequence`, ndarrays (and NumPy scalars), and numpy dtype objects (`np.float32(1.5)`).
pub fn call_method(_ctx: &mut NumpyCtx, recv: &Value, name: &str, args: &Args) -> Result<Value> {
    if let Some(o) = downcast::<RandomStateObj>(recv) {
        // `sample` and `ranf` are module-level aliases only (mtrand.pyx), not methods.
        if matches!(name, "sample" | "ranf") {
            return Err(Error::Attribute(format!(
                "'numpy.random.mtrand.RandomState' object has no attribute '{name}'"
            )));
        }
        return rs_call(o, name, args);
    }
    if let Some(g) = downcast::<GeneratorObj>(recv) {
        return gen_call(&g.0, name, args);
    }
    if let Some(b) = downcast::<BitGenObj>(recv) {
        return bitgen_call(recv, &b.0, name, args);
    }
    if let Some(s) = downcast::<SeedSeqObj>(recv) {
        return seedseq_call(&s.0, name, args);
    }
    match recv {
        Value::Array(a) => array_method(a, name, args),
        Value::DType(d, DTypeOrigin::Numpy) if name == "__call__" => {
            let b = args.bind(d.name(), &["value"])?;
            let v = b[0].clone().unwrap_or(Value::Int(BigInt::zero()));
            let a = match &v {
                Value::Array(a) => cast(&a.borrow(), *d)?,
                _ => {
                    let mut shape: Vec<Option<usize>> = Vec::new();
                    let mut leaves = Vec::new();
                    let mut dts = Vec::new();
                    collect_leaves(&v, 0, &mut shape, &mut leaves, &mut dts)?;
                    let shape: Vec<usize> = shape.into_iter().map(|x| x.unwrap_or(0)).collect();
                    NdArray::new(shape, leaves_to_data(&leaves, *d)?)
                }
            };
            Ok(arr(a))
        }
        other => Err(Error::Attribute(format!(
            "'{}' object has no attribute '{name}'",
            other.type_name()
        ))),
    }
}

fn to_py_list(a: &NdArray, offset: usize, dim: usize) -> Value {
    let scalar = |i: usize| -> Value {
        match &a.data {
            Data::Bool(v) => Value::Bool(v[i]),
            d => match d.get_i128(i) {
                Some(x) => Value::Int(BigInt::from(x)),
                None => Value::Float(d.get_f64(i)),
            },
        }
    };
    if dim == a.shape.len() {
        return scalar(offset);
    }
    let inner: usize = a.shape[dim + 1..].iter().product();
    Value::list(
        (0..a.shape[dim])
            .map(|k| to_py_list(a, offset + k * inner, dim + 1))
            .collect(),
    )
}

fn reshape_to(a: &NdArray, dims: &[i64]) -> Result<NdArray> {
    let n = a.len();
    let unknown: Vec<usize> = dims
        .iter()
        .enumerate()
        .filter(|(_, &d)| d < 0)
        .map(|(i, _)| i)
        .collect();
    let err = || {
        Error::value(format!(
            "cannot reshape array of size {n} into shape {}",
            super::super::numpy::distributions::py_shape(
                &dims.iter().map(|&d| d.max(0) as usize).collect::<Vec<_>>()
            )
        ))
    };
    if unknown.len() > 1 || dims.iter().any(|&d| d < -1) {
        return Err(Error::value("can only specify one unknown dimension"));
    }
    let known: usize = dims
        .iter()
        .filter(|&&d| d >= 0)
        .map(|&d| d as usize)
        .product();
    let mut shape: Vec<usize> = dims.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(&u) = unknown.first() {
        if known == 0 || n % known != 0 {
            return Err(err());
        }
        shape[u] = n / known;
    } else if known != n {
        return Err(err());
    }
    Ok(NdArray::new(shape, a.data.clone()))
}

fn array_method(a: &Rc<RefCell<NdArray>>, name: &str, args: &Args) -> Result<Value> {
    let x = a.borrow().clone();
    match name {
        "astype" => {
            let b = args.bind("astype", &["dtype", "order", "casting", "subok", "copy"])?;
            let d = parse_dtype(&need(&b, 0, "astype", args)?)?.0;
            Ok(arr(cast(&x, d)?))
        }
        "tolist" => {
            args.bind("tolist", &[])?;
            Ok(to_py_list(&x, 0, 0))
        }
        "item" => {
            let i = match args.pos.first() {
                None => {
                    if x.len() != 1 {
                        return Err(Error::value(
                            "can only convert an array of size 1 to a Python scalar",
                        ));
                    }
                    0
                }
                Some(v) => {
                    let i = int_arg(v, "index")?;
                    let n = x.len() as i64;
                    let j = if i < 0 { i + n } else { i };
                    if j < 0 || j >= n {
                        return Err(Error::Index(format!(
                            "index {i} is out of bounds for size {n}"
                        )));
                    }
                    j as usize
                }
            };
            let one = NdArray::new(vec![], x.data.gather(&[i]));
            Ok(to_py_list(&one, 0, 0))
        }
        "copy" => Ok(arr(x)),
        "flatten" | "ravel" => {
            let n = x.len();
            Ok(arr(NdArray::new(vec![n], x.data)))
        }
        "reshape" => {
            let dims: Vec<i64> = match args.pos.as_slice() {
                [v @ (Value::Tuple(_) | Value::List(_))] => v
                    .as_sequence()
                    .unwrap_or_default()
                    .iter()
                    .map(|v| int_arg(v, "shape"))
                    .collect::<Result<_>>()?,
                items => items
                    .iter()
                    .map(|v| int_arg(v, "shape"))
                    .collect::<Result<_>>()?,
            };
            Ok(arr(reshape_to(&x, &dims)?))
        }
        "tobytes" => Ok(Value::Bytes(x.data.to_le_bytes())),
        "sum" => {
            if !args.is_empty() {
                return Err(Error::unsupported("ndarray.sum with arguments"));
            }
            match x.dtype() {
                DType::Bool | DType::I8 | DType::I16 | DType::I32 | DType::I64 => {
                    let s: i64 = (0..x.len())
                        .map(|i| x.data.get_i128(i).unwrap_or(0) as i64)
                        .fold(0i64, |acc, v| acc.wrapping_add(v));
                    Ok(arr(NdArray::scalar(Data::I64(vec![s]))))
                }
                DType::U8 | DType::U16 | DType::U32 | DType::U64 => {
                    let s: u64 = (0..x.len())
                        .map(|i| x.data.get_i128(i).unwrap_or(0) as u64)
                        .fold(0u64, |acc, v| acc.wrapping_add(v));
                    Ok(arr(NdArray::scalar(Data::U64(vec![s]))))
                }
                _ => Err(Error::unsupported("ndarray.sum of floating-point arrays")),
            }
        }
        "min" | "max" => {
            if !args.is_empty() {
                return Err(Error::unsupported(format!("ndarray.{name} with arguments")));
            }
            if x.is_empty() {
                return Err(Error::value(format!(
                    "zero-size array to reduction operation {} which has no identity",
                    if name == "min" { "minimum" } else { "maximum" }
                )));
            }
            let mut best = 0usize;
            let better = |i: usize, j: usize| -> bool {
                match (x.data.get_i128(i), x.data.get_i128(j)) {
                    (Some(a), Some(b)) => {
                        if name == "min" {
                            a < b
                        } else {
                            a > b
                        }
                    }
                    _ => {
                        let (a, b) = (x.data.get_f64(i), x.data.get_f64(j));
                        if b.is_nan() {
                            false
                        } else if a.is_nan() {
                            true
                        } else if name == "min" {
                            a < b
                        } else {
                            a > b
                        }
                    }
                }
            };
            for i in 1..x.len() {
                if better(i, best) {
                    best = i;
                }
            }
            Ok(arr(NdArray::scalar(x.data.gather(&[best]))))
        }
        _ => Err(unknown_method("ndarray", name)),
    }
}

fn method_value(recv: &Value, name: &str) -> Value {
    Value::Method(Box::new(recv.clone()), name.to_string())
}

/// Attribute read on this binding's objects and on ndarrays / numpy dtypes.
pub fn get_attr(recv: &Value, name: &str) -> Result<Value> {
    if let Some(g) = downcast::<GeneratorObj>(recv) {
        if name == "bit_generator" {
            return Ok(obj(BitGenObj(g.0.clone())));
        }
        if GENERATOR_METHODS.contains(&name) {
            return Ok(method_value(recv, name));
        }
        return Err(unknown_method("Generator", name));
    }
    if let Some(o) = downcast::<RandomStateObj>(recv) {
        if name == "_bit_generator" {
            return Ok(obj(BitGenObj(o.bg.borrow().clone())));
        }
        if RS_METHODS.contains(&name) {
            return Ok(method_value(recv, name));
        }
        return Err(unknown_method("RandomState", name));
    }
    if let Some(b) = downcast::<BitGenObj>(recv) {
        let sh = &b.0;
        return match name {
            "state" => Ok(state_to_value(&sh.bg.borrow().state())),
            "seed_seq" => Ok(match sh.seed_seq.borrow().as_ref() {
                Some(s) => obj(SeedSeqObj(s.clone())),
                None => Value::None,
            }),
            "lock" | "capsule" | "ctypes" | "cffi" => Err(Error::unsupported(format!(
                "{}.{name}",
                sh.bg.borrow().name()
            ))),
            _ if BITGEN_METHODS.contains(&name) => {
                let kind = sh.bg.borrow().name();
                let ok = match name {
                    "advance" => matches!(kind, "PCG64" | "PCG64DXSM" | "Philox"),
                    "jumped" => kind != "SFC64",
                    _ => true,
                };
                if ok {
                    Ok(method_value(recv, name))
                } else {
                    Err(attr_error(sh.bg.borrow().qualified_name(), name))
                }
            }
            _ => Err(attr_error(sh.bg.borrow().qualified_name(), name)),
        };
    }
    if let Some(s) = downcast::<SeedSeqObj>(recv) {
        let ss = s.0.ss.borrow();
        let key = Value::Tuple(s.0.spawn_key.iter().cloned().map(Value::Int).collect());
        return match name {
            "entropy" => Ok(s.0.entropy.clone()),
            "spawn_key" => Ok(key),
            "pool_size" => Ok(Value::int(ss.pool_size as u64)),
            "n_children_spawned" => Ok(Value::int(ss.n_children_spawned)),
            "pool" => Ok(arr(NdArray::new(
                vec![ss.pool.len()],
                Data::U32(ss.pool.clone()),
            ))),
            "state" => Ok(dict(vec![
                ("entropy", s.0.entropy.clone()),
                ("spawn_key", key),
                ("pool_size", Value::int(ss.pool_size as u64)),
                ("n_children_spawned", Value::int(ss.n_children_spawned)),
            ])),
            _ if SEEDSEQ_METHODS.contains(&name) => Ok(method_value(recv, name)),
            _ => Err(attr_error("numpy.random.bit_generator.SeedSequence", name)),
        };
    }
    match recv {
        Value::Array(a) => {
            let x = a.borrow();
            match name {
                "shape" => Ok(Value::Tuple(
                    x.shape.iter().map(|&d| Value::int(d as u64)).collect(),
                )),
                "dtype" => Ok(Value::DType(x.dtype(), DTypeOrigin::Numpy)),
                "size" => Ok(Value::int(x.len() as u64)),
                "ndim" => Ok(Value::int(x.ndim() as u64)),
                "itemsize" => Ok(Value::int(x.dtype().itemsize() as u64)),
                "nbytes" => Ok(Value::int((x.dtype().itemsize() * x.len()) as u64)),
                "T" => Ok(arr(transpose(&x))),
                _ if ARRAY_METHODS.contains(&name) => Ok(method_value(recv, name)),
                _ => Err(unknown_method("ndarray", name)),
            }
        }
        Value::DType(d, _) => match name {
            "name" => Ok(Value::Str(d.name().to_string())),
            "itemsize" => Ok(Value::int(d.itemsize() as u64)),
            "kind" => Ok(Value::Str(
                match d {
                    DType::Bool => "b",
                    x if x.is_signed_int() => "i",
                    x if x.is_int() => "u",
                    _ => "f",
                }
                .into(),
            )),
            "str" => Ok(Value::Str(match d {
                DType::Bool | DType::I8 | DType::U8 => format!(
                    "|{}{}",
                    if *d == DType::Bool {
                        "b"
                    } else if d.is_signed_int() {
                        "i"
                    } else {
                        "u"
                    },
                    d.itemsize()
                ),
                _ => format!(
                    "<{}{}",
                    if d.is_float() {
                        "f"
                    } else if d.is_signed_int() {
                        "i"
                    } else {
                        "u"
                    },
                    d.itemsize()
                ),
            })),
            _ => Err(Error::Attribute(format!(
                "'numpy.dtypes' object has no attribute '{name}'"
            ))),
        },
        other => Err(Error::Attribute(format!(
            "'{}' object has no attribute '{name}'",
            other.type_name()
        ))),
    }
}

fn attr_error(qual: &str, name: &str) -> Error {
    Error::Attribute(format!("'{qual}' object has no attribute '{name}'"))
}

fn transpose(a: &NdArray) -> NdArray {
    let nd = a.ndim();
    if nd < 2 {
        return a.clone();
    }
    let shape: Vec<usize> = a.shape.iter().rev().copied().collect();
    let n = a.len();
    // Strides of the source, in C order.
    let mut strides = vec![1usize; nd];
    for k in (0..nd - 1).rev() {
        strides[k] = strides[k + 1] * a.shape[k + 1];
    }
    let mut idx = Vec::with_capacity(n);
    let mut counter = vec![0usize; nd];
    for _ in 0..n {
        // counter indexes the transposed array; source index reverses it.
        let src: usize = (0..nd).map(|k| counter[k] * strides[nd - 1 - k]).sum();
        idx.push(src);
        for k in (0..nd).rev() {
            counter[k] += 1;
            if counter[k] < shape[k] {
                break;
            }
            counter[k] = 0;
        }
    }
    NdArray::new(shape, a.data.gather(&idx))
}

/// Attribute write: `bit_generator.state = {...}` (also through `rng.bit_generator.state`),
/// and `arr.shape = (...)`.
pub fn set_attr(recv: &Value, name: &str, v: Value) -> Result<()> {
    if let Some(b) = downcast::<BitGenObj>(recv) {
        if name == "state" {
            let kind = b.0.bg.borrow().name();
            let st = value_to_state(kind, &v)?;
            return b.0.bg.borrow_mut().set_state(st);
        }
        return Err(attr_error(b.0.bg.borrow().qualified_name(), name));
    }
    if let Value::Array(a) = recv {
        if name == "shape" {
            let dims: Vec<i64> = match &v {
                Value::Tuple(_) | Value::List(_) => v
                    .as_sequence()
                    .unwrap_or_default()
                    .iter()
                    .map(|x| int_arg(x, "shape"))
                    .collect::<Result<_>>()?,
                x => vec![int_arg(x, "shape")?],
            };
            let new = reshape_to(&a.borrow(), &dims)?;
            *a.borrow_mut() = new;
            return Ok(());
        }
        return Err(Error::Attribute(format!(
            "'numpy.ndarray' object attribute '{name}' is read-only"
        )));
    }
    Err(Error::Attribute(format!(
        "'{}' object attribute '{name}' is read-only",
        recv.type_name()
    )))
}
/// Public attributes of `RandomState` (NumPy 2.4.6).
const RS_ALL: &[&str] = &[
    "beta",
    "binomial",
    "bytes",
    "chisquare",
    "choice",
    "dirichlet",
    "exponential",
    "f",
    "gamma",
    "geometric",
    "get_state",
    "gumbel",
    "hypergeometric",
    "laplace",
    "logistic",
    "lognormal",
    "logseries",
    "multinomial",
    "multivariate_normal",
    "negative_binomial",
    "noncentral_chisquare",
    "noncentral_f",
    "normal",
    "pareto",
    "permutation",
    "poisson",
    "power",
    "rand",
    "randint",
    "randn",
    "random",
    "random_integers",
    "random_sample",
    "rayleigh",
    "seed",
    "set_state",
    "shuffle",
    "standard_cauchy",
    "standard_exponential",
    "standard_gamma",
    "standard_normal",
    "standard_t",
    "tomaxint",
    "triangular",
    "uniform",
    "vonmises",
    "wald",
    "weibull",
    "zipf",
];
/// Public attributes of `Generator` (NumPy 2.4.6).
const GEN_ALL: &[&str] = &[
    "beta",
    "binomial",
    "bit_generator",
    "bytes",
    "chisquare",
    "choice",
    "dirichlet",
    "exponential",
    "f",
    "gamma",
    "geometric",
    "gumbel",
    "hypergeometric",
    "integers",
    "laplace",
    "logistic",
    "lognormal",
    "logseries",
    "multinomial",
    "multivariate_hypergeometric",
    "multivariate_normal",
    "negative_binomial",
    "noncentral_chisquare",
    "noncentral_f",
    "normal",
    "pareto",
    "permutation",
    "permuted",
    "poisson",
    "power",
    "random",
    "rayleigh",
    "shuffle",
    "spawn",
    "standard_cauchy",
    "standard_exponential",
    "standard_gamma",
    "standard_normal",
    "standard_t",
    "triangular",
    "uniform",
    "vonmises",
    "wald",
    "weibull",
    "zipf",
];
/// Public attributes of `ndarray` (NumPy 2.4.6).
const ARRAY_ALL: &[&str] = &[
    "T",
    "all",
    "any",
    "argmax",
    "argmin",
    "argpartition",
    "argsort",
    "astype",
    "base",
    "byteswap",
    "choose",
    "clip",
    "compress",
    "conj",
    "conjugate",
    "copy",
    "ctypes",
    "cumprod",
    "cumsum",
    "data",
    "device",
    "diagonal",
    "dot",
    "dtype",
    "dump",
    "dumps",
    "fill",
    "flags",
    "flat",
    "flatten",
    "getfield",
    "imag",
    "item",
    "itemsize",
    "mT",
    "max",
    "mean",
    "min",
    "nbytes",
    "ndim",
    "nonzero",
    "partition",
    "prod",
    "put",
    "ravel",
    "real",
    "repeat",
    "reshape",
    "resize",
    "round",
    "searchsorted",
    "setfield",
    "setflags",
    "shape",
    "size",
    "sort",
    "squeeze",
    "std",
    "strides",
    "sum",
    "swapaxes",
    "take",
    "to_device",
    "tobytes",
    "tofile",
    "tolist",
    "trace",
    "transpose",
    "var",
    "view",
];

/// Public names of the `numpy` module (NumPy 2.4.6 `dir(numpy)`), to tell a name NumPy has
/// but seedbridge does not support from one that does not exist.
const NUMPY_NAMES: &[&str] = &[
    "False_",
    "ScalarType",
    "True_",
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "all",
    "allclose",
    "amax",
    "amin",
    "angle",
    "any",
    "append",
    "apply_along_axis",
    "apply_over_axes",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argpartition",
    "argsort",
    "argwhere",
    "around",
    "array",
    "array2string",
    "array_equal",
    "array_equiv",
    "array_repr",
    "array_split",
    "array_str",
    "asanyarray",
    "asarray",
    "asarray_chkfinite",
    "ascontiguousarray",
    "asfortranarray",
    "asin",
    "asinh",
    "asmatrix",
    "astype",
    "atan",
    "atan2",
    "atanh",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "average",
    "bartlett",
    "base_repr",
    "binary_repr",
    "bincount",
    "bitwise_and",
    "bitwise_count",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "blackman",
    "block",
    "bmat",
    "bool",
    "bool_",
    "broadcast",
    "broadcast_arrays",
    "broadcast_shapes",
    "broadcast_to",
    "busday_count",
    "busday_offset",
    "busdaycalendar",
    "byte",
    "bytes_",
    "c_",
    "can_cast",
    "cbrt",
    "cdouble",
    "ceil",
    "char",
    "character",
    "choose",
    "clip",
    "clongdouble",
    "column_stack",
    "common_type",
    "complex128",
    "complex256",
    "complex64",
    "complexfloating",
    "compress",
    "concat",
    "concatenate",
    "conj",
    "conjugate",
    "convolve",
    "copy",
    "copysign",
    "copyto",
    "core",
    "corrcoef",
    "correlate",
    "cos",
    "cosh",
    "count_nonzero",
    "cov",
    "cross",
    "csingle",
    "ctypeslib",
    "cumprod",
    "cumsum",
    "cumulative_prod",
    "cumulative_sum",
    "datetime64",
    "datetime_as_string",
    "datetime_data",
    "deg2rad",
    "degrees",
    "delete",
    "diag",
    "diag_indices",
    "diag_indices_from",
    "diagflat",
    "diagonal",
    "diff",
    "digitize",
    "divide",
    "divmod",
    "dot",
    "double",
    "dsplit",
    "dstack",
    "dtype",
    "dtypes",
    "e",
    "ediff1d",
    "einsum",
    "einsum_path",
    "emath",
    "empty",
    "empty_like",
    "equal",
    "errstate",
    "euler_gamma",
    "exceptions",
    "exp",
    "exp2",
    "expand_dims",
    "expm1",
    "extract",
    "eye",
    "f2py",
    "fabs",
    "fft",
    "fill_diagonal",
    "finfo",
    "fix",
    "flatiter",
    "flatnonzero",
    "flexible",
    "flip",
    "fliplr",
    "flipud",
    "float128",
    "float16",
    "float32",
    "float64",
    "float_power",
    "floating",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "format_float_positional",
    "format_float_scientific",
    "frexp",
    "from_dlpack",
    "frombuffer",
    "fromfile",
    "fromfunction",
    "fromiter",
    "frompyfunc",
    "fromregex",
    "fromstring",
    "full",
    "full_like",
    "gcd",
    "generic",
    "genfromtxt",
    "geomspace",
    "get_include",
    "get_printoptions",
    "getbufsize",
    "geterr",
    "geterrcall",
    "gradient",
    "greater",
    "greater_equal",
    "half",
    "hamming",
    "hanning",
    "heaviside",
    "histogram",
    "histogram2d",
    "histogram_bin_edges",
    "histogramdd",
    "hsplit",
    "hstack",
    "hypot",
    "i0",
    "identity",
    "iinfo",
    "imag",
    "index_exp",
    "indices",
    "inexact",
    "inf",
    "info",
    "inner",
    "insert",
    "int16",
    "int32",
    "int64",
    "int8",
    "int_",
    "intc",
    "integer",
    "interp",
    "intersect1d",
    "intp",
    "invert",
    "is_busday",
    "isclose",
    "iscomplex",
    "iscomplexobj",
    "isdtype",
    "isfinite",
    "isfortran",
    "isin",
    "isinf",
    "isnan",
    "isnat",
    "isneginf",
    "isposinf",
    "isreal",
    "isrealobj",
    "isscalar",
    "issubdtype",
    "iterable",
    "ix_",
    "kaiser",
    "kron",
    "lcm",
    "ldexp",
    "left_shift",
    "less",
    "less_equal",
    "lexsort",
    "lib",
    "linalg",
    "linspace",
    "little_endian",
    "load",
    "loadtxt",
    "log",
    "log10",
    "log1p",
    "log2",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logspace",
    "long",
    "longdouble",
    "longlong",
    "ma",
    "mask_indices",
    "matmul",
    "matrix",
    "matrix_transpose",
    "matvec",
    "max",
    "maximum",
    "may_share_memory",
    "mean",
    "median",
    "memmap",
    "meshgrid",
    "mgrid",
    "min",
    "min_scalar_type",
    "minimum",
    "mintypecode",
    "mod",
    "modf",
    "moveaxis",
    "multiply",
    "nan",
    "nan_to_num",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmedian",
    "nanmin",
    "nanpercentile",
    "nanprod",
    "nanquantile",
    "nanstd",
    "nansum",
    "nanvar",
    "ndarray",
    "ndenumerate",
    "ndim",
    "ndindex",
    "nditer",
    "negative",
    "nested_iters",
    "newaxis",
    "nextafter",
    "nonzero",
    "not_equal",
    "number",
    "object_",
    "ogrid",
    "ones",
    "ones_like",
    "outer",
    "packbits",
    "pad",
    "partition",
    "percentile",
    "permute_dims",
    "pi",
    "piecewise",
    "place",
    "poly",
    "poly1d",
    "polyadd",
    "polyder",
    "polydiv",
    "polyfit",
    "polyint",
    "polymul",
    "polynomial",
    "polysub",
    "polyval",
    "positive",
    "pow",
    "power",
    "printoptions",
    "prod",
    "promote_types",
    "ptp",
    "put",
    "put_along_axis",
    "putmask",
    "quantile",
    "r_",
    "rad2deg",
    "radians",
    "random",
    "ravel",
    "ravel_multi_index",
    "real",
    "real_if_close",
    "rec",
    "recarray",
    "reciprocal",
    "record",
    "remainder",
    "repeat",
    "require",
    "reshape",
    "resize",
    "result_type",
    "right_shift",
    "rint",
    "roll",
    "rollaxis",
    "roots",
    "rot90",
    "round",
    "row_stack",
    "s_",
    "save",
    "savetxt",
    "savez",
    "savez_compressed",
    "sctypeDict",
    "searchsorted",
    "select",
    "set_printoptions",
    "setbufsize",
    "setdiff1d",
    "seterr",
    "seterrcall",
    "setxor1d",
    "shape",
    "shares_memory",
    "short",
    "show_config",
    "show_runtime",
    "sign",
    "signbit",
    "signedinteger",
    "sin",
    "sinc",
    "single",
    "sinh",
    "size",
    "sort",
    "sort_complex",
    "spacing",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "str_",
    "strings",
    "subtract",
    "sum",
    "swapaxes",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensordot",
    "test",
    "testing",
    "tile",
    "timedelta64",
    "trace",
    "transpose",
    "trapezoid",
    "tri",
    "tril",
    "tril_indices",
    "tril_indices_from",
    "trim_zeros",
    "triu",
    "triu_indices",
    "triu_indices_from",
    "true_divide",
    "trunc",
    "typecodes",
    "typename",
    "typing",
    "ubyte",
    "ufunc",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "uintc",
    "uintp",
    "ulong",
    "ulonglong",
    "union1d",
    "unique",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unpackbits",
    "unravel_index",
    "unsignedinteger",
    "unstack",
    "unwrap",
    "ushort",
    "vander",
    "var",
    "vdot",
    "vecdot",
    "vecmat",
    "vectorize",
    "void",
    "vsplit",
    "vstack",
    "where",
    "zeros",
    "zeros_like",
];
