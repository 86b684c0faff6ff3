//! Values of the `run` language: Python scalars and containers, NumPy arrays, torch tensors,
//! modules, and library objects (generators, bit generators, seed sequences).
//!
//! Library objects implement [`PyObject`], so each binding module ([`super::bind_numpy`],
//! [`super::bind_torch`], ...) owns its own object types.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::array::{DType, NdArray};
use crate::{Error, Result};

/// Which library a dtype object came from (`np.float32` vs `torch.float32` vs builtin `float`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DTypeOrigin {
    /// `np.float32`, `np.dtype('int8')`, `'float32'` strings passed to NumPy.
    Numpy,
    /// `torch.float32`, ...
    Torch,
    /// The Python builtins `int`, `float`, `bool` used as a dtype.
    Builtin,
}

/// A torch tensor: its data, its device (`None` = CPU, `Some(i)` = `cuda:i`).
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Elements and shape.
    pub array: NdArray,
    /// `None` for CPU, `Some(index)` for `cuda:index`.
    pub cuda: Option<usize>,
}

/// Something a library object must provide to live in a script.
pub trait PyObject: fmt::Debug {
    /// Python type name, used in error messages (`Generator`, `RandomState`, ...).
    fn type_name(&self) -> String;
    /// Downcasting hook for the binding that owns the type.
    fn as_any(&self) -> &dyn Any;
    /// Python `str()` of the object, for `print`.
    fn py_str(&self) -> String {
        format!("<{} object>", self.type_name())
    }
}

/// A value in a running script.
#[derive(Debug, Clone)]
pub enum Value {
    /// `None`.
    None,
    /// Python `bool`.
    Bool(bool),
    /// Python `int` (arbitrary size).
    Int(BigInt),
    /// Python `float`.
    Float(f64),
    /// Python `str`.
    Str(String),
    /// Python `bytes`.
    Bytes(Vec<u8>),
    /// Python `tuple`.
    Tuple(Vec<Value>),
    /// `torch.Size`: a tuple of dimensions that prints as `torch.Size([2, 3])`.
    Size(Vec<usize>),
    /// Python `list` (shared and mutable, as in Python).
    List(Rc<RefCell<Vec<Value>>>),
    /// Python `dict` with insertion order.
    Dict(Rc<RefCell<Vec<(Value, Value)>>>),
    /// A NumPy ndarray or NumPy scalar (0-d). Shared and mutable (`shuffle` works in place).
    Array(Rc<RefCell<NdArray>>),
    /// A torch tensor. Shared and mutable (`uniform_` works in place).
    Tensor(Rc<RefCell<Tensor>>),
    /// A dtype object.
    DType(DType, DTypeOrigin),
    /// `torch.device(...)`: `None` for CPU, `Some(i)` for `cuda:i`.
    Device(Option<usize>),
    /// A module or namespace, by its canonical dotted path (`numpy.random`, `torch.cuda`).
    Module(String),
    /// A module-level function, by canonical dotted path (`numpy.random.rand`).
    Function(String),
    /// A method bound to its receiver (`rng.random` taken without calling it).
    Method(Box<Value>, String),
    /// A library object (generators, bit generators, seed sequences, ...).
    Object(Rc<dyn PyObject>),
}

impl Value {
    /// Python-style type name for error messages.
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::Size(_) => "torch.Size".into(),
            Value::List(_) => "list".into(),
            Value::Dict(_) => "dict".into(),
            Value::Array(_) => "numpy.ndarray".into(),
            Value::Tensor(_) => "Tensor".into(),
            Value::DType(..) => "dtype".into(),
            Value::Device(_) => "torch.device".into(),
            Value::Module(_) => "module".into(),
            Value::Function(_) => "builtin_function_or_method".into(),
            Value::Method(..) => "method".into(),
            Value::Object(o) => o.type_name(),
        }
    }

    /// A Python int from a Rust integer.
    pub fn int(v: impl Into<BigInt>) -> Value {
        Value::Int(v.into())
    }

    /// Wraps an array as a NumPy value.
    pub fn array(a: NdArray) -> Value {
        Value::Array(Rc::new(RefCell::new(a)))
    }

    /// Wraps an array as a torch tensor on `cuda` (None = CPU).
    pub fn tensor(a: NdArray, cuda: Option<usize>) -> Value {
        Value::Tensor(Rc::new(RefCell::new(Tensor { array: a, cuda })))
    }

    /// Python list from values.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(v)))
    }

    /// True for a Python int or bool (what `operator.index` accepts), or a 0-d integer array.
    pub fn is_integer(&self) -> bool {
        match self {
            Value::Bool(_) | Value::Int(_) => true,
            Value::Array(a) => {
                let a = a.borrow();
                a.shape.is_empty() && (a.dtype().is_int() || a.dtype() == DType::Bool)
            }
            _ => false,
        }
    }

    /// `operator.index(v)`: Python int, bool or NumPy integer scalar, as a BigInt.
    pub fn as_index(&self) -> Option<BigInt> {
        match self {
            Value::Bool(b) => Some(BigInt::from(*b as u8)),
            Value::Int(i) => Some(i.clone()),
            Value::Array(a) => {
                let a = a.borrow();
                if a.shape.is_empty() {
                    a.data.get_i128(0).map(BigInt::from)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// `operator.index(v)` as i128, saturating huge values (so range checks still fail).
    pub fn as_i128_sat(&self) -> Option<i128> {
        self.as_index().map(|b| {
            b.to_i128().unwrap_or(if b.is_negative() {
                i128::MIN
            } else {
                i128::MAX
            })
        })
    }

    /// A real number: Python int/bool/float or a 0-d array of any numeric dtype.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Bool(b) => Some(*b as u8 as f64),
            Value::Int(i) => i.to_f64(),
            Value::Float(f) => Some(*f),
            Value::Array(a) => {
                let a = a.borrow();
                if a.len() == 1 && a.shape.is_empty() {
                    Some(a.data.get_f64(0))
                } else {
                    None
                }
            }
            Value::Tensor(t) => {
                let t = t.borrow();
                if t.array.len() == 1 && t.array.shape.is_empty() {
                    Some(t.array.data.get_f64(0))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// True for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Python truthiness for the simple cases.
    pub fn truthy(&self) -> Result<bool> {
        Ok(match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => !i.is_zero(),
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Tuple(v) => !v.is_empty(),
            Value::Size(v) => !v.is_empty(),
            Value::List(v) => !v.borrow().is_empty(),
            other => match other.as_f64() {
                Some(f) => f != 0.0,
                None => {
                    return Err(Error::value(format!(
                        "the truth value of a {} is ambiguous",
                        other.type_name()
                    )))
                }
            },
        })
    }

    /// Elements of a tuple or list (cloned), or `None` for anything else.
    pub fn as_sequence(&self) -> Option<Vec<Value>> {
        match self {
            Value::Tuple(v) => Some(v.clone()),
            Value::List(v) => Some(v.borrow().clone()),
            Value::Size(v) => Some(v.iter().map(|&d| Value::int(d)).collect()),
            _ => None,
        }
    }
}

/// Positional and keyword arguments of one call, with Python's binding rules.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Positional arguments in order.
    pub pos: Vec<Value>,
    /// Keyword arguments in order.
    pub kw: Vec<(String, Value)>,
}

impl Args {
    /// Binds the arguments to parameter `names` the way Python binds a signature whose
    /// parameters are all positional-or-keyword. `func` names the function in errors
    /// (`rand() got an unexpected keyword argument 'x'`). Missing ones are `None`.
    pub fn bind(&self, func: &str, names: &[&str]) -> Result<Vec<Option<Value>>> {
        self.bind_kwonly(func, names, &[])
    }

    /// Like [`Args::bind`], with extra keyword-only parameters `kwonly` appended to the result.
    pub fn bind_kwonly(
        &self,
        func: &str,
        names: &[&str],
        kwonly: &[&str],
    ) -> Result<Vec<Option<Value>>> {
        if self.pos.len() > names.len() {
            return Err(Error::type_err(format!(
                "{func}() takes at most {} positional argument{} ({} given)",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                self.pos.len()
            )));
        }
        let mut out: Vec<Option<Value>> = vec![None; names.len() + kwonly.len()];
        for (i, v) in self.pos.iter().enumerate() {
            out[i] = Some(v.clone());
        }
        for (k, v) in &self.kw {
            let idx = names
                .iter()
                .chain(kwonly.iter())
                .position(|n| n == k)
                .ok_or_else(|| {
                    Error::type_err(format!("{func}() got an unexpected keyword argument '{k}'"))
                })?;
            if out[idx].is_some() {
                return Err(Error::type_err(format!(
                    "{func}() got multiple values for argument '{k}'"
                )));
            }
            out[idx] = Some(v.clone());
        }
        Ok(out)
    }

    /// True when no arguments were given.
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty() && self.kw.is_empty()
    }

    /// Value of keyword `name`, if given.
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A bound argument that must be present.
pub fn required(v: &Option<Value>, func: &str, name: &str) -> Result<Value> {
    v.clone().ok_or_else(|| {
        Error::type_err(format!(
            "{func}() missing 1 required positional argument: '{name}'"
        ))
    })
}

/// A bound argument, `None` when absent or Python `None`.
pub fn opt(v: &Option<Value>) -> Option<Value> {
    match v {
        None | Some(Value::None) => None,
        Some(x) => Some(x.clone()),
    }
}

/// NumPy's `size=` argument: `None` → `None`; an int or a sequence of ints → the shape.
/// Negative dimensions raise NumPy's `ValueError: negative dimensions are not allowed`.
pub fn numpy_size(v: &Option<Value>) -> Result<Option<Vec<usize>>> {
    let v = match opt(v) {
        None => return Ok(None),
        Some(v) => v,
    };
    let dims: Vec<Value> = match &v {
        // `operator.index` accepts a bool, but NumPy's size check refuses it by name.
        Value::Bool(b) => {
            return Err(Error::type_err(format!(
                "expected a sequence of integers or a single integer, got '{}'",
                if *b { "True" } else { "False" }
            )))
        }
        x if x.is_integer() => vec![x.clone()],
        Value::Tuple(_) | Value::List(_) | Value::Size(_) => v.as_sequence().unwrap_or_default(),
        Value::Array(a) if a.borrow().dtype().is_int() => {
            let a = a.borrow();
            (0..a.len())
                .map(|i| Value::int(a.data.get_i128(i).unwrap_or(0)))
                .collect()
        }
        other => {
            return Err(Error::type_err(format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            )))
        }
    };
    if dims.iter().any(|d| matches!(d, Value::Bool(_))) {
        return Err(Error::type_err("an integer is required"));
    }
    if dims.iter().any(|d| d.as_sequence().is_some()) {
        return Err(Error::value(format!(
            "setting an array element with a sequence. The requested array has an \
             inhomogeneous shape after 1 dimensions. The detected shape was ({},) + \
             inhomogeneous part.",
            dims.len()
        )));
    }
    let mut shape = Vec::with_capacity(dims.len());
    for d in dims {
        let i = d.as_i128_sat().ok_or_else(|| {
            Error::type_err(format!(
                "'{}' object cannot be interpreted as an integer",
                d.type_name()
            ))
        })?;
        if i < 0 {
            return Err(Error::value("negative dimensions are not allowed"));
        }
        let u = usize::try_from(i).map_err(|_| {
            Error::value("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.")
        })?;
        shape.push(u);
    }
    crate::array::checked_size(&shape)?;
    Ok(Some(shape))
}

/// A float argument (Python int/bool/float or 0-d array); `TypeError` otherwise.
pub fn to_f64(v: &Value, what: &str) -> Result<f64> {
    v.as_f64().ok_or_else(|| {
        Error::type_err(format!(
            "{what} must be a real number, not '{}'",
            v.type_name()
        ))
    })
}
