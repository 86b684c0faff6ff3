//! `import random` in `run` scripts: CPython's `random` module over [`crate::pyrandom`].
//!
//! Mirrors `Lib/random.py` (the module-level functions are the methods of a hidden
//! `random.Random` instance, `_inst`) and `Modules/_randommodule.c` (`random`, `getrandbits`,
//! `seed`, `getstate`, `setstate`) of CPython 3.11, the version the fixtures come from:
//! argument binding and error messages are 3.11's (e.g. `randrange(5.0)` is accepted with a
//! deprecation warning, which is not printed; 3.12 raises `TypeError` there).

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::pyrandom::{self, PyNum, PyRandom, PyRandomState, Seed};
use crate::script::value::{Args, PyObject, Value};
use crate::{Error, Result};

/// The state `import random` brings into a script: the module's hidden `random.Random`
/// instance (`random._inst`), seeded from OS entropy when the interpreter starts, as CPython's
/// is at import.
#[derive(Debug)]
pub struct PyRandomCtx {
    inst: PyRandom,
}

impl Default for PyRandomCtx {
    fn default() -> Self {
        Self::new()
    }
}

impl PyRandomCtx {
    /// A module instance seeded from OS entropy (`random._inst = Random()`).
    pub fn new() -> Self {
        PyRandomCtx {
            inst: PyRandom::new(),
        }
    }

    /// `random.seed(seed)` for an int, as seed-everything helpers call it.
    pub fn seed_int(&mut self, seed: &BigInt) {
        self.inst.seed_int(seed);
    }

    /// The module-level generator.
    pub fn instance(&mut self) -> &mut PyRandom {
        &mut self.inst
    }
}

/// A `random.Random` object in a script.
#[derive(Debug)]
pub struct RandomObject {
    rng: RefCell<PyRandom>,
}

impl RandomObject {
    /// The generator behind the object.
    pub fn rng(&self) -> &RefCell<PyRandom> {
        &self.rng
    }
}

impl PyObject for RandomObject {
    fn type_name(&self) -> String {
        "Random".into()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn py_str(&self) -> String {
        "<random.Random object>".into()
    }
}

/// True for the object types this module creates (`random.Random` instances).
pub fn owns(o: &dyn PyObject) -> bool {
    o.as_any().is::<RandomObject>()
}

/// Methods of `random.Random` (and functions of the module) that are reproduced.
const METHODS: &[&str] = &[
    "seed",
    "random",
    "getrandbits",
    "randbytes",
    "randrange",
    "randint",
    "choice",
    "choices",
    "shuffle",
    "sample",
    "uniform",
    "triangular",
    "normalvariate",
    "gauss",
    "lognormvariate",
    "expovariate",
    "vonmisesvariate",
    "gammavariate",
    "betavariate",
    "paretovariate",
    "weibullvariate",
    "getstate",
    "setstate",
];

/// Other names of the `random` module (CPython 3.11 `dir(random)`), refused as unsupported.
const OTHER_MODULE_NAMES: &[&str] = &[
    "SystemRandom",
    "_ONE",
    "_Sequence",
    "_Set",
    "__all__",
    "__builtins__",
    "__cached__",
    "__doc__",
    "__file__",
    "__loader__",
    "__name__",
    "__package__",
    "__spec__",
    "_accumulate",
    "_acos",
    "_bisect",
    "_ceil",
    "_cos",
    "_e",
    "_exp",
    "_floor",
    "_index",
    "_inst",
    "_isfinite",
    "_log",
    "_os",
    "_pi",
    "_random",
    "_repeat",
    "_sha512",
    "_sin",
    "_sqrt",
    "_test",
    "_test_generator",
    "_urandom",
    "_warn",
];

/// Other attributes of `random.Random` instances, refused as unsupported.
const OTHER_METHODS: &[&str] = &[
    "VERSION",
    "gauss_next",
    "_randbelow",
    "_randbelow_with_getrandbits",
    "_randbelow_without_getrandbits",
    "__getstate__",
    "__setstate__",
    "__reduce__",
    "__init__",
    "__init_subclass__",
];

/// `random.<name>`: functions as `Value::Function("random.<name>")`, the constants as numbers.
pub fn module_attr(path: &str, name: &str) -> Result<Value> {
    if path != "random" {
        return Err(Error::Attribute(format!(
            "module '{path}' has no attribute '{name}'"
        )));
    }
    match name {
        "Random" => Ok(Value::Function("random.Random".into())),
        "BPF" => Ok(Value::int(pyrandom::BPF)),
        "RECIP_BPF" => Ok(Value::Float(pyrandom::RECIP_BPF)),
        "TWOPI" => Ok(Value::Float(pyrandom::TWOPI)),
        "NV_MAGICCONST" => Ok(Value::Float(pyrandom::nv_magicconst())),
        "LOG4" => Ok(Value::Float(pyrandom::log4())),
        "SG_MAGICCONST" => Ok(Value::Float(pyrandom::sg_magicconst())),
        n if METHODS.contains(&n) => Ok(Value::Function(format!("random.{n}"))),
        n if OTHER_MODULE_NAMES.contains(&n) => Err(Error::unsupported(format!("random.{n}"))),
        n => Err(Error::Attribute(format!(
            "module 'random' has no attribute '{n}'"
        ))),
    }
}

/// Calls `random.<name>(...)` on the module instance, or `random.Random(x)`.
pub fn call_function(ctx: &mut PyRandomCtx, path: &str, args: &Args) -> Result<Value> {
    let name = path.strip_prefix("random.").unwrap_or(path);
    match name {
        "Random" => {
            let b = bind(&Sig::py("Random.__init__", &["x"], 0, &[]), args)?;
            let mut rng = PyRandom::with_seed(Seed::Int(&BigInt::zero()))?;
            seed_from_value(&mut rng, b[0].as_ref(), None)?;
            Ok(Value::Object(Rc::new(RandomObject {
                rng: RefCell::new(rng),
            })))
        }
        n if METHODS.contains(&n) => dispatch(&mut ctx.inst, n, args),
        n if OTHER_MODULE_NAMES.contains(&n) => Err(Error::unsupported(format!("random.{n}"))),
        n => Err(Error::Attribute(format!(
            "module 'random' has no attribute '{n}'"
        ))),
    }
}

/// Calls a method of a `random.Random` object.
pub fn call_method(_ctx: &mut PyRandomCtx, recv: &Value, name: &str, args: &Args) -> Result<Value> {
    let Value::Object(o) = recv else {
        return Err(Error::type_err(format!(
            "'{}' object is not a random.Random",
            recv.type_name()
        )));
    };
    let Some(obj) = o.as_any().downcast_ref::<RandomObject>() else {
        return Err(Error::type_err(format!(
            "'{}' object is not a random.Random",
            o.type_name()
        )));
    };
    if METHODS.contains(&name) {
        let mut rng = obj.rng.borrow_mut();
        return dispatch(&mut rng, name, args);
    }
    if OTHER_METHODS.contains(&name) {
        return Err(Error::unsupported(format!("Random.{name}")));
    }
    Err(Error::Attribute(format!(
        "'Random' object has no attribute '{name}'"
    )))
}

/// Attribute read on a `random.Random` object (an optional helper for the evaluator):
/// methods as `Value::Method`, `VERSION` (3) and `gauss_next` as values.
pub fn get_attr(recv: &Value, name: &str) -> Result<Value> {
    let obj = match recv {
        Value::Object(o) => o.as_any().downcast_ref::<RandomObject>(),
        _ => None,
    };
    let Some(obj) = obj else {
        return Err(Error::Attribute(format!(
            "'{}' object has no attribute '{name}'",
            recv.type_name()
        )));
    };
    match name {
        n if METHODS.contains(&n) => Ok(Value::Method(Box::new(recv.clone()), n.to_string())),
        "VERSION" => Ok(Value::int(3)),
        "gauss_next" => Ok(obj
            .rng
            .borrow()
            .gauss_next()
            .map_or(Value::None, Value::Float)),
        n if OTHER_METHODS.contains(&n) => Err(Error::unsupported(format!("Random.{n}"))),
        n => Err(Error::Attribute(format!(
            "'Random' object has no attribute '{n}'"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Argument binding with CPython's messages.

/// A Python-level signature (`def name(self, params..., *, kwonly...)`), all parameters after
/// the first `required` having defaults.
struct Sig {
    name: &'static str,
    params: &'static [&'static str],
    required: usize,
    kwonly: &'static [&'static str],
}

impl Sig {
    const fn py(
        name: &'static str,
        params: &'static [&'static str],
        required: usize,
        kwonly: &'static [&'static str],
    ) -> Sig {
        Sig {
            name,
            params,
            required,
            kwonly,
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Binds `args` like CPython binds a method of `self` (messages count `self`): unexpected or
/// repeated keywords, then too many positionals, then missing required ones.
fn bind(sig: &Sig, args: &Args) -> Result<Vec<Option<Value>>> {
    let np = sig.params.len();
    let mut out: Vec<Option<Value>> = vec![None; np + sig.kwonly.len()];
    for (i, v) in args.pos.iter().enumerate().take(np) {
        out[i] = Some(v.clone());
    }
    let mut kwonly_given = 0;
    for (k, v) in &args.kw {
        let idx = sig
            .params
            .iter()
            .chain(sig.kwonly.iter())
            .position(|n| n == k)
            .ok_or_else(|| {
                Error::type_err(format!(
                    "{}() got an unexpected keyword argument '{k}'",
                    sig.name
                ))
            })?;
        if out[idx].is_some() {
            return Err(Error::type_err(format!(
                "{}() got multiple values for argument '{k}'",
                sig.name
            )));
        }
        if idx >= np {
            kwonly_given += 1;
        }
        out[idx] = Some(v.clone());
    }
    if args.pos.len() > np {
        let given = args.pos.len() + 1;
        let takes = if sig.required == np {
            format!("takes {}", plural(np + 1, "positional argument"))
        } else {
            format!(
                "takes from {} to {} positional arguments",
                sig.required + 1,
                np + 1
            )
        };
        let given = if kwonly_given > 0 {
            format!(
                "{given} positional arguments (and {}) were",
                plural(kwonly_given, "keyword-only argument")
            )
        } else if given == 1 {
            format!("{given} was")
        } else {
            format!("{given} were")
        };
        return Err(Error::type_err(format!(
            "{}() {takes} but {given} given",
            sig.name
        )));
    }
    let missing: Vec<String> = (0..sig.required)
        .filter(|&i| out[i].is_none())
        .map(|i| format!("'{}'", sig.params[i]))
        .collect();
    if !missing.is_empty() {
        let list = match missing.len() {
            1 => missing[0].clone(),
            2 => format!("{} and {}", missing[0], missing[1]),
            n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
        };
        return Err(Error::type_err(format!(
            "{}() missing {} {} argument{}: {list}",
            sig.name,
            missing.len(),
            "required positional",
            if missing.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(out)
}

/// A C method without arguments (`METH_NOARGS`).
fn bind_noargs(name: &str, args: &Args) -> Result<()> {
    if !args.kw.is_empty() {
        return Err(Error::type_err(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    if !args.pos.is_empty() {
        return Err(Error::type_err(format!(
            "{name}() takes no arguments ({} given)",
            args.pos.len()
        )));
    }
    Ok(())
}

/// A C method with one positional argument (`METH_O`).
fn bind_one(name: &str, args: &Args) -> Result<Value> {
    if !args.kw.is_empty() {
        return Err(Error::type_err(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    if args.pos.len() != 1 {
        return Err(Error::type_err(format!(
            "{name}() takes exactly one argument ({} given)",
            args.pos.len()
        )));
    }
    Ok(args.pos[0].clone())
}

// ---------------------------------------------------------------------------------------------
// Value conversions.

fn numpy_refused(func: &str) -> Error {
    Error::unsupported(format!("random.{func} with NumPy or torch arguments"))
}

fn is_foreign(v: &Value) -> bool {
    matches!(v, Value::Array(_) | Value::Tensor(_))
}

/// A Python number, or `None` for other types.
fn num_of(v: &Value) -> Option<PyNum> {
    match v {
        Value::Bool(b) => Some(PyNum::Int(BigInt::from(*b as u8))),
        Value::Int(i) => Some(PyNum::Int(i.clone())),
        Value::Float(f) => Some(PyNum::Float(*f)),
        _ => None,
    }
}

fn num_to_value(n: PyNum) -> Value {
    match n {
        PyNum::Int(i) => Value::Int(i),
        PyNum::Float(f) => Value::Float(f),
    }
}

fn is_sequence_type(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_)
    )
}

/// The `TypeError` of `left <op> right` for operands that are not both numbers.
fn binop_error(op: &str, left: &Value, right: &Value) -> Error {
    let (lt, rt) = (left.type_name(), right.type_name());
    let msg = match (op, left) {
        ("+", Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_))
            if std::mem::discriminant(left) != std::mem::discriminant(right) =>
        {
            let kind = if matches!(left, Value::Bytes(_)) {
                format!("can't concat {rt} to {lt}")
            } else {
                format!("can only concatenate {lt} (not \"{rt}\") to {lt}")
            };
            kind
        }
        ("*", _) if is_sequence_type(left) || is_sequence_type(right) => {
            let other = if is_sequence_type(left) { right } else { left };
            format!(
                "can't multiply sequence by non-int of type '{}'",
                other.type_name()
            )
        }
        _ => format!("unsupported operand type(s) for {op}: '{lt}' and '{rt}'"),
    };
    Error::type_err(msg)
}

/// `left <op> right` must be numeric: both operands as [`PyNum`]s, or the `TypeError`.
fn nums(op: &str, func: &str, left: &Value, right: &Value) -> Result<(PyNum, PyNum)> {
    if is_foreign(left) || is_foreign(right) {
        return Err(numpy_refused(func));
    }
    match (num_of(left), num_of(right)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(binop_error(op, left, right)),
    }
}

/// A real argument used only in float arithmetic (`mu + z * sigma`, ...): `float(x)`.
fn real(v: &Value, func: &str, op: &str) -> Result<f64> {
    if is_foreign(v) {
        return Err(numpy_refused(func));
    }
    match num_of(v) {
        Some(n) => n.to_f64(),
        None => Err(binop_error(op, &Value::Float(0.0), v)),
    }
}

fn opt_value(v: &Option<Value>) -> Option<&Value> {
    match v {
        None | Some(Value::None) => None,
        Some(x) => Some(x),
    }
}

/// `operator.index(v)` for C `int` parameters.
fn c_int(v: &Value) -> Result<i64> {
    let i = index(v)?;
    i.to_i32()
        .map(i64::from)
        .ok_or_else(|| Error::Overflow("Python int too large to convert to C int".into()))
}

/// `operator.index(v)`.
fn index(v: &Value) -> Result<BigInt> {
    match v {
        Value::Int(i) => Ok(i.clone()),
        Value::Bool(b) => Ok(BigInt::from(*b as u8)),
        Value::Array(_) | Value::Tensor(_) => Err(Error::unsupported(
            "random with NumPy or torch integer arguments",
        )),
        other => Err(Error::type_err(format!(
            "'{}' object cannot be interpreted as an integer",
            other.type_name()
        ))),
    }
}

/// The repr of a simple str, as error messages print it.
fn py_repr_str(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// `str(x)` of a value in an error message.
fn py_str_of(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e16 {
                format!("{f:.1}")
            } else {
                format!("{f}")
            }
        }
        Value::Str(s) => s.clone(),
        other => format!("<{} object>", other.type_name()),
    }
}

/// Parses a Python `int()` literal in base 10 (whitespace, sign, `_` between digits).
fn parse_int_literal(s: &str) -> Option<BigInt> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let v: BigInt = digits.replace('_', "").parse().ok()?;
    Some(if neg { -v } else { v })
}

/// One argument of `randrange` in 3.11: `operator.index(x)`, else `int(x)` that must equal
/// `x` (`ValueError: non-integer {what} for randrange()`).
fn randrange_arg(v: &Value, what: &str) -> Result<BigInt> {
    match v {
        Value::Int(_) | Value::Bool(_) => index(v),
        Value::Float(f) => {
            if f.is_nan() {
                return Err(Error::value("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(Error::Overflow(
                    "cannot convert float infinity to integer".into(),
                ));
            }
            if f.fract() != 0.0 {
                return Err(Error::value(format!("non-integer {what} for randrange()")));
            }
            num_traits::FromPrimitive::from_f64(*f)
                .ok_or_else(|| Error::value(format!("non-integer {what} for randrange()")))
        }
        Value::Str(s) => match parse_int_literal(s) {
            Some(_) => Err(Error::value(format!("non-integer {what} for randrange()"))),
            None => Err(Error::value(format!(
                "invalid literal for int() with base 10: {}",
                py_repr_str(s)
            ))),
        },
        Value::Array(_) | Value::Tensor(_) => Err(numpy_refused("randrange")),
        other => Err(Error::type_err(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            other.type_name()
        ))),
    }
}

/// `Random.randrange(start, stop, step)` on values; `step = None` means the default `_ONE`.
fn randrange_values(
    rng: &mut PyRandom,
    start: &Value,
    stop: Option<&Value>,
    step: Option<&Value>,
) -> Result<Value> {
    let istart = randrange_arg(start, "arg 1")?;
    // `step is not _ONE`: only an int 1 is the cached small int.
    let step_is_one = match step {
        None => true,
        Some(Value::Int(i)) => i.is_one(),
        Some(_) => false,
    };
    let Some(stop) = stop else {
        if !step_is_one {
            return Err(Error::type_err("Missing a non-None stop argument"));
        }
        return Ok(Value::Int(rng.randrange(&istart, None, &BigInt::one())?));
    };
    let istop = randrange_arg(stop, "stop")?;
    let istep = match step {
        None => BigInt::one(),
        Some(s) => randrange_arg(s, "step")?,
    };
    Ok(Value::Int(rng.randrange(&istart, Some(&istop), &istep)?))
}

/// A population: something with `len()` and integer indexing.
enum Pop {
    List(Rc<RefCell<Vec<Value>>>),
    Tuple(Vec<Value>),
    Str(Vec<char>),
    Bytes(Vec<u8>),
}

impl Pop {
    fn len(&self) -> usize {
        match self {
            Pop::List(l) => l.borrow().len(),
            Pop::Tuple(t) => t.len(),
            Pop::Str(s) => s.len(),
            Pop::Bytes(b) => b.len(),
        }
    }

    fn get(&self, i: usize) -> Result<Value> {
        let kind = match self {
            Pop::List(l) => return index_result(l.borrow().get(i).cloned(), "list"),
            Pop::Tuple(t) => return index_result(t.get(i).cloned(), "tuple"),
            Pop::Str(s) => s.get(i).map(|c| Value::Str(c.to_string())),
            Pop::Bytes(b) => b.get(i).map(|&c| Value::int(c)),
        };
        let name = if matches!(self, Pop::Str(_)) {
            "string"
        } else {
            "index"
        };
        kind.ok_or_else(|| Error::Index(format!("{name} index out of range")))
    }
}

fn index_result(v: Option<Value>, what: &str) -> Result<Value> {
    v.ok_or_else(|| Error::Index(format!("{what} index out of range")))
}

/// `len(seq)` and `seq[i]` for the population arguments.
fn population(v: &Value, func: &str) -> Result<Pop> {
    Ok(match v {
        Value::List(l) => Pop::List(l.clone()),
        Value::Tuple(t) => Pop::Tuple(t.clone()),
        Value::Str(s) => Pop::Str(s.chars().collect()),
        Value::Bytes(b) => Pop::Bytes(b.clone()),
        Value::Dict(d) if d.borrow().is_empty() => Pop::Tuple(Vec::new()),
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            return Err(Error::type_err(format!(
                "object of type '{}' has no len()",
                v.type_name()
            )))
        }
        other => {
            return Err(Error::unsupported(format!(
                "random.{func} with a population of type '{}'",
                other.type_name()
            )))
        }
    })
}

/// `list(itertools.accumulate(values))` for numbers, with Python's `TypeError` otherwise.
fn accumulate(values: &[Value]) -> Result<Vec<Value>> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for v in values {
        let next = match out.last() {
            None => v.clone(),
            Some(prev) => {
                let (a, b) = nums("+", "accumulate", prev, v)?;
                num_to_value(a.add(&b)?)
            }
        };
        out.push(next);
    }
    Ok(out)
}

/// The items of an iterable argument (weights, counts).
fn iterable(v: &Value, func: &str) -> Result<Vec<Value>> {
    match v {
        Value::List(l) => Ok(l.borrow().clone()),
        Value::Tuple(t) => Ok(t.clone()),
        Value::Bytes(b) => Ok(b.iter().map(|&c| Value::int(c)).collect()),
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => Err(Error::type_err(
            format!("'{}' object is not iterable", v.type_name()),
        )),
        other => Err(Error::unsupported(format!(
            "random.{func} with weights or counts of type '{}'",
            other.type_name()
        ))),
    }
}

fn to_nums(values: &[Value], func: &str) -> Result<Vec<PyNum>> {
    values
        .iter()
        .map(|v| {
            if is_foreign(v) {
                return Err(numpy_refused(func));
            }
            num_of(v).ok_or_else(|| {
                Error::type_err(format!(
                    "'<' not supported between instances of 'float' and '{}'",
                    v.type_name()
                ))
            })
        })
        .collect()
}

/// The count of `_repeat(None, k)`: an index; negative counts give nothing.
fn repeat_count(k: &Value) -> Result<usize> {
    let k = index(k)?;
    if k.is_negative() {
        return Ok(0);
    }
    // `itertools.repeat(None, k)` takes a C `Py_ssize_t`.
    if k > BigInt::from(i64::MAX) {
        return Err(Error::Overflow(
            "Python int too large to convert to C ssize_t".into(),
        ));
    }
    k.to_usize()
        .filter(|&k| k <= 1 << 40)
        .ok_or_else(|| Error::Memory("random.choices: k is too large".into()))
}

fn seed_from_value(rng: &mut PyRandom, a: Option<&Value>, version: Option<&Value>) -> Result<()> {
    let version = match version {
        None => 2,
        Some(v) => match num_of(v).and_then(|n| n.to_f64().ok()) {
            Some(1.0) => 1,
            Some(2.0) => 2,
            _ => 0,
        },
    };
    let a = a.unwrap_or(&Value::None);
    match a {
        Value::None => rng.seed_version(Seed::Entropy, version),
        Value::Bool(b) => rng.seed_version(Seed::Int(&BigInt::from(*b as u8)), version),
        Value::Int(i) => rng.seed_version(Seed::Int(i), version),
        Value::Float(f) => rng.seed_version(Seed::Float(*f), version),
        Value::Str(s) => rng.seed_version(Seed::Str(s), version),
        Value::Bytes(b) => rng.seed_version(Seed::Bytes(b), version),
        Value::Array(_) => Err(Error::unsupported("random.seed with a NumPy value")),
        _ => Err(Error::type_err(
            "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
        )),
    }
}

fn state_to_value(st: &PyRandomState) -> Value {
    let mut inner: Vec<Value> = st.key.iter().map(|&w| Value::int(w)).collect();
    inner.push(Value::int(st.pos as u64));
    Value::Tuple(vec![
        Value::int(3),
        Value::Tuple(inner),
        st.gauss_next.map_or(Value::None, Value::Float),
    ])
}

/// `_random.Random.setstate(internalstate)`: a tuple of 624 unsigned longs (truncated to 32
/// bits) and an index in `0..=624`.
fn parse_internal_state(v: &Value) -> Result<([u32; 624], usize)> {
    let Value::Tuple(items) = v else {
        return Err(Error::type_err("state vector must be a tuple"));
    };
    if items.len() != 625 {
        return Err(Error::value("state vector is the wrong size"));
    }
    let mut key = [0u32; 624];
    for (k, item) in key.iter_mut().zip(items) {
        let i = match item {
            Value::Int(i) => i.clone(),
            Value::Bool(b) => BigInt::from(*b as u8),
            _ => return Err(Error::type_err("an integer is required")),
        };
        if i.is_negative() {
            return Err(Error::Overflow(
                "can't convert negative value to unsigned int".into(),
            ));
        }
        let w = i.to_u64().ok_or_else(|| {
            Error::Overflow("Python int too large to convert to C unsigned long".into())
        })?;
        *k = w as u32;
    }
    let index = index(&items[624])?
        .to_i64()
        .ok_or_else(|| Error::Overflow("Python int too large to convert to C long".into()))?;
    if !(0..=624).contains(&index) {
        return Err(Error::value("invalid state"));
    }
    Ok((key, index as usize))
}

/// `Random.setstate(state)` (`Lib/random.py`, versions 3 and 2).
fn setstate_value(rng: &mut PyRandom, state: &Value) -> Result<()> {
    let items = match state {
        Value::Tuple(t) => t.clone(),
        Value::List(l) => l.borrow().clone(),
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
            return Err(Error::type_err(format!(
                "'{}' object is not subscriptable",
                state.type_name()
            )))
        }
        other => {
            return Err(Error::unsupported(format!(
                "random.setstate with a {}",
                other.type_name()
            )))
        }
    };
    let version = items.first().ok_or_else(|| {
        Error::Index(format!(
            "{} index out of range",
            if matches!(state, Value::List(_)) {
                "list"
            } else {
                "tuple"
            }
        ))
    })?;
    let vnum = num_of(version).and_then(|n| n.to_f64().ok());
    let is_v3 = vnum == Some(3.0);
    let is_v2 = vnum == Some(2.0);
    if !is_v3 && !is_v2 {
        return Err(Error::value(format!(
            "state with version {} passed to Random.setstate() of version 3",
            py_str_of(version)
        )));
    }
    if items.len() < 3 {
        return Err(Error::value(format!(
            "not enough values to unpack (expected 3, got {})",
            items.len()
        )));
    }
    if items.len() > 3 {
        return Err(Error::value("too many values to unpack (expected 3)"));
    }
    let gauss_next = match &items[2] {
        Value::None => None,
        Value::Float(f) => Some(*f),
        other => {
            return Err(Error::unsupported(format!(
                "random.setstate with a gauss_next of type '{}'",
                other.type_name()
            )))
        }
    };
    rng.set_gauss_next(gauss_next);
    let internal = if is_v3 {
        items[1].clone()
    } else {
        // Version 2 stored signed ints: `tuple(x % 2**32 for x in internalstate)`.
        let m = BigInt::from(1u64 << 32);
        let xs = iterable(&items[1], "setstate")?;
        Value::Tuple(
            xs.iter()
                .map(|x| match x {
                    Value::Int(i) => Ok(Value::Int(((i % &m) + &m) % &m)),
                    Value::Bool(b) => Ok(Value::int(*b as u8)),
                    other => Err(Error::unsupported(format!(
                        "random.setstate version 2 with a {}",
                        other.type_name()
                    ))),
                })
                .collect::<Result<_>>()?,
        )
    };
    let (key, pos) = parse_internal_state(&internal)?;
    rng.setstate(&PyRandomState {
        key,
        pos,
        gauss_next,
    })
}

fn list_of(pop: &Pop, idx: impl IntoIterator<Item = usize>) -> Result<Value> {
    Ok(Value::list(
        idx.into_iter()
            .map(|i| pop.get(i))
            .collect::<Result<Vec<_>>>()?,
    ))
}

/// `Random.sample(population, k, *, counts=None)`.
fn sample_value(rng: &mut PyRandom, b: &[Option<Value>]) -> Result<Value> {
    let popv = b[0].clone().unwrap_or(Value::None);
    let kv = b[1].clone().unwrap_or(Value::None);
    if is_foreign(&popv) {
        return Err(numpy_refused("sample"));
    }
    if !is_sequence_type(&popv) {
        return Err(Error::type_err(
            "Population must be a sequence.  For dicts or sets, use sorted(d).",
        ));
    }
    let pop = population(&popv, "sample")?;
    let n = pop.len();
    // `0 <= k <= n`, then `[None] * k` (a float k fails there).
    let k_for = |limit: &BigInt| -> Result<usize> {
        match &kv {
            Value::Int(_) | Value::Bool(_) => {
                let k = index(&kv)?;
                if k.is_negative() || &k > limit {
                    return Err(Error::value("Sample larger than population or is negative"));
                }
                k.to_usize()
                    .ok_or_else(|| Error::Memory("random.sample: k is too large".into()))
            }
            Value::Float(f) => {
                let lim = pyrandom::int_to_f64(limit).unwrap_or(f64::INFINITY);
                if !(0.0 <= *f && *f <= lim) {
                    return Err(Error::value("Sample larger than population or is negative"));
                }
                Err(Error::type_err(
                    "can't multiply sequence by non-int of type 'float'",
                ))
            }
            other if is_foreign(other) => Err(numpy_refused("sample")),
            other => Err(Error::type_err(format!(
                "'<=' not supported between instances of 'int' and '{}'",
                other.type_name()
            ))),
        }
    };
    match opt_value(&b[2]) {
        None => {
            let k = k_for(&BigInt::from(n))?;
            let idx = rng.sample_indices(n, k)?;
            list_of(&pop, idx)
        }
        Some(counts) => {
            let cum = accumulate(&iterable(counts, "sample")?)?;
            if cum.len() != n {
                return Err(Error::value(
                    "The number of counts does not match the population",
                ));
            }
            let total = match cum.last() {
                None => return Err(Error::Index("pop from empty list".into())),
                Some(Value::Int(i)) => i.clone(),
                Some(Value::Bool(b)) => BigInt::from(*b as u8),
                Some(_) => return Err(Error::type_err("Counts must be integers")),
            };
            if !total.is_positive() {
                return Err(Error::value("Total of counts must be greater than zero"));
            }
            // `len(range(total))` must fit a C ssize_t.
            if total > BigInt::from(i64::MAX) {
                return Err(Error::Overflow(
                    "Python int too large to convert to C ssize_t".into(),
                ));
            }
            let k = k_for(&total)?;
            let counts_nums = to_nums(&iterable(counts, "sample")?, "sample")?;
            let idx = rng.sample_counts(&counts_nums, k)?;
            list_of(&pop, idx)
        }
    }
}

/// `Random.choices(population, weights=None, *, cum_weights=None, k=1)`.
fn choices_value(rng: &mut PyRandom, b: &[Option<Value>]) -> Result<Value> {
    let popv = b[0].clone().unwrap_or(Value::None);
    if is_foreign(&popv) {
        return Err(numpy_refused("choices"));
    }
    let pop = population(&popv, "choices")?;
    let n = pop.len();
    let kv = b[3].clone().unwrap_or(Value::int(1));
    let weights = opt_value(&b[1]);
    let cum = match (opt_value(&b[2]), weights) {
        (None, None) => {
            let k = repeat_count(&kv)?;
            let idx = rng.choices_uniform(n, k)?;
            return list_of(&pop, idx);
        }
        (None, Some(w)) => {
            let items = match w {
                Value::Int(_) | Value::Bool(_) => {
                    return Err(Error::type_err(format!(
                        "The number of choices must be a keyword argument: k={}",
                        py_str_of(w)
                    )))
                }
                _ => iterable(w, "choices")?,
            };
            accumulate(&items)?
        }
        (Some(c), None) => iterable(c, "choices")?,
        (Some(_), Some(_)) => {
            return Err(Error::type_err(
                "Cannot specify both weights and cumulative weights",
            ))
        }
    };
    if cum.len() != n {
        return Err(Error::value(
            "The number of weights does not match the population",
        ));
    }
    let last = cum.last().ok_or_else(|| {
        Error::Index(format!(
            "{} index out of range",
            if matches!(opt_value(&b[2]), Some(Value::Tuple(_))) {
                "tuple"
            } else {
                "list"
            }
        ))
    })?;
    // `cum_weights[-1] + 0.0`
    nums("+", "choices", last, &Value::Float(0.0))?;
    let k = repeat_count(&kv)?;
    let cum = to_nums(&cum, "choices")?;
    let idx = rng.choices_cum_weights(n, &cum, k)?;
    list_of(&pop, idx)
}

/// `Random.shuffle(x)`: a list is shuffled in place.
fn shuffle_value(rng: &mut PyRandom, x: &Value) -> Result<Value> {
    match x {
        Value::List(l) => {
            rng.shuffle(&mut l.borrow_mut());
            Ok(Value::None)
        }
        Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) => {
            let n = population(x, "shuffle")?.len();
            if n < 2 {
                return Ok(Value::None);
            }
            rng.randbelow_u64(n as u64);
            Err(Error::type_err(format!(
                "'{}' object does not support item assignment",
                x.type_name()
            )))
        }
        other => {
            population(other, "shuffle")?;
            Err(Error::unsupported(format!(
                "random.shuffle of a {}",
                other.type_name()
            )))
        }
    }
}

fn arg(b: &[Option<Value>], i: usize, default: Value) -> Value {
    b[i].clone().unwrap_or(default)
}

/// One method of `random.Random`, on `rng`.
fn dispatch(rng: &mut PyRandom, name: &str, args: &Args) -> Result<Value> {
    match name {
        "seed" => {
            let b = bind(&Sig::py("Random.seed", &["a", "version"], 0, &[]), args)?;
            seed_from_value(rng, b[0].as_ref(), b[1].as_ref())?;
            Ok(Value::None)
        }
        "random" => {
            bind_noargs("Random.random", args)?;
            Ok(Value::Float(rng.random()))
        }
        "getrandbits" => {
            let k = c_int(&bind_one("Random.getrandbits", args)?)?;
            if k < 0 {
                return Err(Error::value("number of bits must be non-negative"));
            }
            Ok(Value::Int(BigInt::from(rng.getrandbits(k as u64))))
        }
        "randbytes" => {
            let b = bind(&Sig::py("Random.randbytes", &["n"], 1, &[]), args)?;
            let nv = arg(&b, 0, Value::None);
            let n = match &nv {
                Value::Int(_) | Value::Bool(_) => index(&nv)?,
                Value::Float(_) => {
                    return Err(Error::type_err(
                        "'float' object cannot be interpreted as an integer",
                    ))
                }
                other => {
                    return Err(Error::unsupported(format!(
                        "random.randbytes of a {}",
                        other.type_name()
                    )))
                }
            };
            let bits = (&n * 8u32).to_i32().ok_or_else(|| {
                Error::Overflow("Python int too large to convert to C int".into())
            })?;
            if bits < 0 {
                return Err(Error::value("number of bits must be non-negative"));
            }
            Ok(Value::Bytes(rng.randbytes(bits as usize / 8)))
        }
        "randrange" => {
            let b = bind(
                &Sig::py("Random.randrange", &["start", "stop", "step"], 1, &[]),
                args,
            )?;
            let start = arg(&b, 0, Value::None);
            randrange_values(rng, &start, opt_value(&b[1]), b[2].as_ref())
        }
        "randint" => {
            let b = bind(&Sig::py("Random.randint", &["a", "b"], 2, &[]), args)?;
            let (a, bv) = (arg(&b, 0, Value::None), arg(&b, 1, Value::None));
            if is_foreign(&a) || is_foreign(&bv) {
                return Err(numpy_refused("randint"));
            }
            let stop = match num_of(&bv) {
                Some(n) => num_to_value(n.add(&PyNum::Int(BigInt::one()))?),
                None => return Err(binop_error("+", &bv, &Value::int(1))),
            };
            randrange_values(rng, &a, Some(&stop), None)
        }
        "choice" => {
            let b = bind(&Sig::py("Random.choice", &["seq"], 1, &[]), args)?;
            let seq = arg(&b, 0, Value::None);
            if is_foreign(&seq) {
                return Err(numpy_refused("choice"));
            }
            let pop = population(&seq, "choice")?;
            let i = rng.choice_index(pop.len())?;
            pop.get(i)
        }
        "shuffle" => {
            let b = bind(&Sig::py("Random.shuffle", &["x"], 1, &[]), args)?;
            shuffle_value(rng, &arg(&b, 0, Value::None))
        }
        "sample" => {
            let b = bind(
                &Sig::py("Random.sample", &["population", "k"], 2, &["counts"]),
                args,
            )?;
            sample_value(rng, &b)
        }
        "choices" => {
            let b = bind(
                &Sig::py(
                    "Random.choices",
                    &["population", "weights"],
                    1,
                    &["cum_weights", "k"],
                ),
                args,
            )?;
            choices_value(rng, &b)
        }
        "uniform" => {
            let b = bind(&Sig::py("Random.uniform", &["a", "b"], 2, &[]), args)?;
            let (a, bv) = (arg(&b, 0, Value::None), arg(&b, 1, Value::None));
            let (bn, an) = nums("-", "uniform", &bv, &a)?;
            Ok(Value::Float(rng.uniform_num(&an, &bn)?))
        }
        "triangular" => {
            let b = bind(
                &Sig::py("Random.triangular", &["low", "high", "mode"], 0, &[]),
                args,
            )?;
            let low = arg(&b, 0, Value::Float(0.0));
            let high = arg(&b, 1, Value::Float(1.0));
            let (hn, ln) = nums("-", "triangular", &high, &low)?;
            let mode = match opt_value(&b[2]) {
                None => None,
                Some(m) => Some(nums("-", "triangular", m, &low)?.0),
            };
            Ok(num_to_value(rng.triangular_num(&ln, &hn, mode.as_ref())?))
        }
        "normalvariate" | "gauss" => {
            let qual = if name == "gauss" {
                "Random.gauss"
            } else {
                "Random.normalvariate"
            };
            let b = bind(&Sig::py(qual, &["mu", "sigma"], 0, &[]), args)?;
            let sigma = real(&arg(&b, 1, Value::Float(1.0)), name, "*")?;
            let muv = arg(&b, 0, Value::Float(0.0));
            if num_of(&muv).is_none() {
                return Err(if is_foreign(&muv) {
                    numpy_refused(name)
                } else {
                    binop_error("+", &muv, &Value::Float(0.0))
                });
            }
            let mu = real(&muv, name, "+")?;
            Ok(Value::Float(if name == "gauss" {
                rng.gauss(mu, sigma)
            } else {
                rng.normalvariate(mu, sigma)
            }))
        }
        "lognormvariate" => {
            let b = bind(
                &Sig::py("Random.lognormvariate", &["mu", "sigma"], 2, &[]),
                args,
            )?;
            let mu = real(&arg(&b, 0, Value::None), name, "+")?;
            let sigma = real(&arg(&b, 1, Value::None), name, "*")?;
            Ok(Value::Float(rng.lognormvariate(mu, sigma)?))
        }
        "expovariate" => {
            let b = bind(&Sig::py("Random.expovariate", &["lambd"], 1, &[]), args)?;
            let l = real(&arg(&b, 0, Value::None), name, "/")?;
            Ok(Value::Float(rng.expovariate(l)?))
        }
        "vonmisesvariate" => {
            let b = bind(
                &Sig::py("Random.vonmisesvariate", &["mu", "kappa"], 2, &[]),
                args,
            )?;
            let mu = real(&arg(&b, 0, Value::None), name, "+")?;
            let kappa = real(&arg(&b, 1, Value::None), name, "/")?;
            Ok(Value::Float(rng.vonmisesvariate(mu, kappa)?))
        }
        "gammavariate" | "betavariate" => {
            let qual = if name == "gammavariate" {
                "Random.gammavariate"
            } else {
                "Random.betavariate"
            };
            let b = bind(&Sig::py(qual, &["alpha", "beta"], 2, &[]), args)?;
            let alpha = real(&arg(&b, 0, Value::None), name, "*")?;
            let beta = real(&arg(&b, 1, Value::None), name, "*")?;
            Ok(Value::Float(if name == "gammavariate" {
                rng.gammavariate(alpha, beta)?
            } else {
                rng.betavariate(alpha, beta)?
            }))
        }
        "paretovariate" => {
            let b = bind(&Sig::py("Random.paretovariate", &["alpha"], 1, &[]), args)?;
            let alpha = real(&arg(&b, 0, Value::None), name, "/")?;
            Ok(Value::Float(rng.paretovariate(alpha)?))
        }
        "weibullvariate" => {
            let b = bind(
                &Sig::py("Random.weibullvariate", &["alpha", "beta"], 2, &[]),
                args,
            )?;
            let alpha = real(&arg(&b, 0, Value::None), name, "*")?;
            let beta = real(&arg(&b, 1, Value::None), name, "/")?;
            Ok(Value::Float(rng.weibullvariate(alpha, beta)?))
        }
        "getstate" => {
            bind(&Sig::py("Random.getstate", &[], 0, &[]), args)?;
            Ok(state_to_value(&rng.getstate()))
        }
        "setstate" => {
            let b = bind(&Sig::py("Random.setstate", &["state"], 1, &[]), args)?;
            setstate_value(rng, &arg(&b, 0, Value::None))?;
            Ok(Value::None)
        }
        other => Err(Error::Attribute(format!(
            "'Random' object has no attribute '{other}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    //! Replays `tests/fixtures/pyrandom.json` (CPython 3.11's `random`, see
    //! `scripts/make_pyrandom_fixtures.py`) through the binding, value for value.

    use super::*;
    use serde_json::Value as J;
    use std::collections::HashMap;

    const FIXTURE: &str = include_str!("../../tests/fixtures/pyrandom.json");

    fn big(s: &str) -> BigInt {
        let (neg, h) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let h = h.trim_start_matches("0x");
        let v = BigInt::parse_bytes(h.as_bytes(), 16).expect("hex int");
        if neg {
            -v
        } else {
            v
        }
    }

    fn compact(s: &str) -> Vec<Value> {
        if s.is_empty() {
            return Vec::new();
        }
        s.split(',').map(|x| Value::Int(big(x))).collect()
    }

    fn decode(j: &J, vars: &HashMap<String, Value>) -> Value {
        let J::Object(o) = j else {
            assert!(j.is_null(), "unexpected JSON {j}");
            return Value::None;
        };
        let (tag, v) = o.iter().next().expect("tagged value");
        match tag.as_str() {
            "bool" => Value::Bool(v.as_bool().unwrap()),
            "i" => Value::Int(big(v.as_str().unwrap())),
            "f" => Value::Float(f64::from_bits(
                u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap(),
            )),
            "s" => Value::Str(v.as_str().unwrap().to_string()),
            "b" => {
                let h = v.as_str().unwrap();
                Value::Bytes(
                    (0..h.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                        .collect(),
                )
            }
            "l" => Value::list(
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| decode(x, vars))
                    .collect(),
            ),
            "t" => Value::Tuple(
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| decode(x, vars))
                    .collect(),
            ),
            "L" => Value::list(compact(v.as_str().unwrap())),
            "T" => Value::Tuple(compact(v.as_str().unwrap())),
            "range" => Value::list((0..v.as_u64().unwrap()).map(Value::int).collect()),
            "var" => vars[v.as_str().unwrap()].clone(),
            t => panic!("unknown tag {t}"),
        }
    }

    fn compare(got: &Value, exp: &J) -> std::result::Result<(), String> {
        let mismatch = || Err(format!("got {got:?}, expected {exp}"));
        let J::Object(o) = exp else {
            return if got.is_none() { Ok(()) } else { mismatch() };
        };
        let (tag, v) = o.iter().next().unwrap();
        let seq = |items: &[Value], want: Vec<J>| -> std::result::Result<(), String> {
            if items.len() != want.len() {
                return Err(format!("length {} != {}", items.len(), want.len()));
            }
            for (i, (g, e)) in items.iter().zip(&want).enumerate() {
                compare(g, e).map_err(|m| format!("[{i}]: {m}"))?;
            }
            Ok(())
        };
        let compact_json = |s: &str| -> Vec<J> {
            if s.is_empty() {
                return Vec::new();
            }
            s.split(',')
                .map(|x| serde_json::json!({ "i": x }))
                .collect()
        };
        match (tag.as_str(), got) {
            ("bool", Value::Bool(b)) if Some(*b) == v.as_bool() => Ok(()),
            ("i", Value::Int(i)) if *i == big(v.as_str().unwrap()) => Ok(()),
            ("f", Value::Float(f)) => {
                let want =
                    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
                if f.to_bits() == want {
                    Ok(())
                } else {
                    Err(format!("float {f:e} ({:#x}) != {:#x}", f.to_bits(), want))
                }
            }
            ("s", Value::Str(s)) if Some(s.as_str()) == v.as_str() => Ok(()),
            ("b", Value::Bytes(_)) if decode(exp, &HashMap::new()).type_name() == "bytes" => {
                match decode(exp, &HashMap::new()) {
                    Value::Bytes(w) if matches!(got, Value::Bytes(g) if *g == w) => Ok(()),
                    _ => mismatch(),
                }
            }
            ("l", Value::List(l)) => seq(&l.borrow(), v.as_array().unwrap().clone()),
            ("t", Value::Tuple(t)) => seq(t, v.as_array().unwrap().clone()),
            ("L", Value::List(l)) => seq(&l.borrow(), compact_json(v.as_str().unwrap())),
            ("T", Value::Tuple(t)) => seq(t, compact_json(v.as_str().unwrap())),
            ("obj", Value::Object(o)) if o.type_name() == v.as_str().unwrap() => Ok(()),
            _ => mismatch(),
        }
    }

    fn run_step(
        ctx: &mut PyRandomCtx,
        vars: &HashMap<String, Value>,
        call: &str,
        args: &Args,
    ) -> Result<Value> {
        let (owner, name) = call.split_once('.').unwrap();
        if owner == "random" {
            call_function(ctx, call, args)
        } else {
            call_method(ctx, &vars[owner], name, args)
        }
    }

    #[test]
    fn replay_cpython_fixture() {
        let data: J = serde_json::from_str(FIXTURE).unwrap();
        let mut failures = Vec::new();
        let mut steps = 0;
        for script in data["scripts"].as_array().unwrap() {
            let name = script["name"].as_str().unwrap();
            let mut ctx = PyRandomCtx::new();
            let mut vars: HashMap<String, Value> = HashMap::new();
            for (si, step) in script["steps"].as_array().unwrap().iter().enumerate() {
                steps += 1;
                let exp = &step["out"];
                if let Some(var) = step["check"].as_str() {
                    if let Err(m) = compare(&vars[var], exp) {
                        failures.push(format!("{name} #{si} check {var}: {m}"));
                    }
                    continue;
                }
                let call = step["call"].as_str().unwrap();
                let mut args = Args::default();
                for a in step["args"].as_array().unwrap() {
                    args.pos.push(decode(a, &vars));
                }
                for (k, v) in step["kw"].as_object().unwrap() {
                    args.kw.push((k.clone(), decode(v, &vars)));
                }
                if let Some(v) = step["as_arg0"].as_str() {
                    vars.insert(v.to_string(), args.pos[0].clone());
                }
                let got = match step["repeat"].as_u64() {
                    None => run_step(&mut ctx, &vars, call, &args),
                    Some(n) => (0..n)
                        .map(|_| run_step(&mut ctx, &vars, call, &args))
                        .collect::<Result<Vec<_>>>()
                        .map(Value::list),
                };
                let verdict = match (&got, exp.get("err")) {
                    (Err(e), Some(want)) if e.to_string() == want.as_str().unwrap() => Ok(()),
                    (Err(e), _) => Err(format!("error {e}, expected {exp}")),
                    (Ok(v), Some(want)) => Err(format!("got {v:?}, expected error {want}")),
                    (Ok(v), None) => compare(v, exp),
                };
                if let Err(m) = verdict {
                    let m: String = m.chars().take(400).collect();
                    failures.push(format!("{name} #{si} {call}: {m}"));
                }
                if let (Some(var), Ok(v)) = (step["as"].as_str(), got) {
                    vars.insert(var.to_string(), v);
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {steps} steps differ from CPython:\n{}",
            failures.len(),
            failures[..failures.len().min(40)].join("\n")
        );
        assert!(steps > 500);
    }

    #[test]
    fn module_attributes() {
        assert!(matches!(
            module_attr("random", "random"),
            Ok(Value::Function(p)) if p == "random.random"
        ));
        assert!(matches!(
            module_attr("random", "Random"),
            Ok(Value::Function(p)) if p == "random.Random"
        ));
        assert_eq!(
            module_attr("random", "SystemRandom")
                .unwrap_err()
                .to_string(),
            "random.SystemRandom is not supported"
        );
        assert_eq!(
            module_attr("random", "nope").unwrap_err().to_string(),
            "AttributeError: module 'random' has no attribute 'nope'"
        );
        assert!(matches!(module_attr("random", "BPF"), Ok(Value::Int(i)) if i == BigInt::from(53)));
        let mut ctx = PyRandomCtx::new();
        let r = call_function(&mut ctx, "random.Random", &Args::default()).unwrap();
        let Value::Object(o) = &r else { panic!() };
        assert!(owns(o.as_ref()));
        assert_eq!(
            call_method(&mut ctx, &r, "nope", &Args::default())
                .unwrap_err()
                .to_string(),
            "AttributeError: 'Random' object has no attribute 'nope'"
        );
        assert!(matches!(get_attr(&r, "random"), Ok(Value::Method(_, m)) if m == "random"));
        assert!(matches!(get_attr(&r, "gauss_next"), Ok(Value::None)));
        call_method(&mut ctx, &r, "gauss", &Args::default()).unwrap();
        assert!(matches!(get_attr(&r, "gauss_next"), Ok(Value::Float(_))));
        assert!(matches!(get_attr(&r, "VERSION"), Ok(Value::Int(i)) if i == BigInt::from(3)));
    }

    #[test]
    fn seed_int_matches_random_seed() {
        let mut ctx = PyRandomCtx::new();
        ctx.seed_int(&BigInt::from(42));
        let a = call_function(&mut ctx, "random.random", &Args::default()).unwrap();
        let mut ctx2 = PyRandomCtx::new();
        let args = Args {
            pos: vec![Value::int(42)],
            kw: vec![],
        };
        call_function(&mut ctx2, "random.seed", &args).unwrap();
        let b = call_function(&mut ctx2, "random.random", &Args::default()).unwrap();
        assert!(matches!((a, b), (Value::Float(x), Value::Float(y)) if x.to_bits() == y.to_bits()));
    }
}
