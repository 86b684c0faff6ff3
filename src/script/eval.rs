//! The evaluator of the `run` language: walks the statements [`super::parser`] produced, keeps
//! the variables and each library's hidden state (NumPy's global `RandomState`, torch's default
//! generators), dispatches calls to the binding modules, prints, and records values for
//! `--save`.

use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::ast::{BinOp, BoolOp, CmpOp, Expr, ExprKind, Stmt, StmtKind, Target, UnaryOp};
use super::value::{Args, Value};
use super::{bind_numpy, bind_pyrandom, bind_torch, bind_torch_cuda, display};
use crate::array::{Data, NdArray};
use crate::torch::cpu::CpuCapability;
use crate::{Error, Result};

/// Options of one `run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Which of torch's CPU kernel variants to reproduce.
    pub cpu_capability: CpuCapability,
    /// Print the value of bare expression statements (as the Python REPL does).
    pub echo: bool,
    /// `--gpu PROFILE`: the CUDA device whose launch geometry torch.cuda results depend on
    /// (a preset name or `SMSxTHREADS`); `None` uses
    /// [`bind_torch_cuda::DEFAULT_PROFILE`] with a note on stderr.
    pub gpu: Option<String>,
    /// `--backend`: where `device='cuda'` work runs (see [`bind_torch_cuda`]).
    pub backend: bind_torch_cuda::Backend,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            cpu_capability: CpuCapability::Avx2,
            echo: false,
            gpu: None,
            backend: bind_torch_cuda::Backend::Auto,
        }
    }
}

/// A value recorded for `--save`: the statement's line and the array to write.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// 1-based source line of the statement that produced it.
    pub line: usize,
    /// The value as the array `--save` writes (Python scalars as 0-d arrays).
    pub array: NdArray,
}

/// Where recorded values go.
#[derive(Debug, Clone)]
pub enum RecordSink {
    /// Kept in [`Interp::recorded`] (tests, the library API).
    Memory,
    /// Written as `dir/%03d.npy` as soon as each value is produced (`run --save`), without
    /// keeping a copy.
    Dir {
        /// The output folder (already created).
        dir: std::path::PathBuf,
        /// Index of the next file.
        next: usize,
    },
    /// Not kept at all (`run` without `--save`).
    Discard,
}

/// An error raised while running a script, with the statement it came from.
#[derive(Debug, Clone)]
pub struct RunError {
    /// The library error (Python exception kind and message).
    pub error: Error,
    /// 1-based line of the failing statement (0 for a syntax error before any statement).
    pub line: usize,
    /// Source text of the failing statement.
    pub text: String,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}\n  --> line {}: {}", self.error, self.line, self.text)
        } else {
            write!(f, "{}", self.error)
        }
    }
}

impl std::error::Error for RunError {}

/// Interpreter state.
pub struct Interp<'o> {
    vars: HashMap<String, Value>,
    /// NumPy's hidden state (the global `np.random` RandomState).
    pub numpy: bind_numpy::NumpyCtx,
    /// torch's hidden state (default generators).
    pub torch: bind_torch::TorchCtx,
    /// Python's `random` module state (the hidden `random.Random` instance).
    pub pyrandom: bind_pyrandom::PyRandomCtx,
    /// Values recorded so far, in source order.
    pub recorded: Vec<Recorded>,
    /// Where recorded values go (in memory by default).
    pub sink: RecordSink,
    opts: RunOptions,
    out: &'o mut dyn Write,
}

/// Modules a script may import (their canonical dotted names start with one of these).
const IMPORTABLE: &[&str] = &[
    "numpy",
    "torch",
    "random",
    "lightning",
    "pytorch_lightning",
    "lightning_fabric",
    "transformers",
    "accelerate",
];

/// Roots of the seed-everything helpers `run` reproduces (see [`Interp::seed_everything`]).
const SEED_HELPER_ROOTS: &[&str] = &[
    "lightning",
    "pytorch_lightning",
    "lightning_fabric",
    "transformers",
    "accelerate",
];

const BUILTINS: &[&str] = &[
    "print",
    "len",
    "int",
    "float",
    "bool",
    "str",
    "list",
    "tuple",
    "range",
    "abs",
    "round",
    "min",
    "max",
    "sum",
    "repr",
    "type",
    "isinstance",
    "dict",
];

impl<'o> Interp<'o> {
    /// A fresh interpreter writing `print` output to `out`.
    pub fn new(opts: RunOptions, out: &'o mut dyn Write) -> Self {
        Interp {
            vars: HashMap::new(),
            numpy: bind_numpy::NumpyCtx::new(),
            pyrandom: bind_pyrandom::PyRandomCtx::new(),
            torch: bind_torch::TorchCtx::with_cuda(
                opts.cpu_capability,
                opts.gpu.clone(),
                opts.backend,
            ),
            recorded: Vec::new(),
            sink: RecordSink::Memory,
            opts,
            out,
        }
    }

    /// Runs every statement in order; stops at the first error.
    pub fn run(&mut self, stmts: &[Stmt]) -> std::result::Result<(), RunError> {
        let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
        for s in stmts {
            let _spinner = progress.then(|| Spinner::start(s.span.line, &s.text));
            self.exec(s).map_err(|error| RunError {
                error,
                line: s.span.line,
                text: s.text.clone(),
            })?;
        }
        Ok(())
    }

    fn exec(&mut self, s: &Stmt) -> Result<()> {
        match &s.kind {
            StmtKind::Pass => Ok(()),
            StmtKind::Import(aliases) => {
                for a in aliases {
                    let dotted = a.dotted();
                    check_importable(&dotted)?;
                    let bound = a.bound_name().to_string();
                    let v = if a.alias.is_some() {
                        self.module_value(&dotted)?
                    } else {
                        Value::Module(canonical_module(&a.path[0]))
                    };
                    self.vars.insert(bound, v);
                }
                Ok(())
            }
            StmtKind::FromImport { module, names } => {
                let dotted = module.join(".");
                check_importable(&dotted)?;
                let base = self.module_value(&dotted)?;
                for n in names {
                    let v = self.get_attr(&base, &n.path[0])?;
                    self.vars.insert(n.bound_name().to_string(), v);
                }
                Ok(())
            }
            StmtKind::Assign { targets, value } => {
                let v = self.eval(value)?;
                if is_call(value) {
                    self.maybe_record(s.span.line, &v)?;
                }
                for t in targets {
                    self.assign(t, v.clone())?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => {
                let cur = match target {
                    Target::Name(n, _) => self.lookup(n)?,
                    _ => return Err(Error::unsupported("augmented assignment to this target")),
                };
                let rhs = self.eval(value)?;
                let v = binary(*op, &cur, &rhs)?;
                self.assign(target, v)
            }
            StmtKind::Expr(e) => {
                let v = self.eval(e)?;
                self.maybe_record(s.span.line, &v)?;
                if self.opts.echo && !v.is_none() {
                    let text = display::repr(&v);
                    writeln!(self.out, "{text}")?;
                }
                Ok(())
            }
        }
    }

    fn maybe_record(&mut self, line: usize, v: &Value) -> Result<()> {
        match &mut self.sink {
            RecordSink::Discard => {}
            RecordSink::Memory => {
                if let Some(array) = recordable(v) {
                    self.recorded.push(Recorded { line, array });
                }
            }
            RecordSink::Dir { dir, next } => {
                // Written straight from the value (no copy of large arrays), atomically.
                let path = dir.join(format!("{:03}.npy", *next));
                let written = match v {
                    Value::Array(a) => {
                        crate::npy::save(&path, &a.borrow())?;
                        true
                    }
                    Value::Tensor(t) => {
                        crate::npy::save(&path, &t.borrow().array)?;
                        true
                    }
                    other => match recordable(other) {
                        Some(a) => {
                            crate::npy::save(&path, &a)?;
                            true
                        }
                        None => false,
                    },
                };
                if written {
                    *next += 1;
                }
            }
        }
        Ok(())
    }

    fn module_value(&self, dotted: &str) -> Result<Value> {
        let mut parts = dotted.split('.');
        let root = parts.next().unwrap_or_default();
        let mut v = Value::Module(canonical_module(root));
        for p in parts {
            v = self.get_attr(&v, p)?;
        }
        Ok(v)
    }

    fn assign(&mut self, t: &Target, v: Value) -> Result<()> {
        match t {
            Target::Name(n, _) => {
                self.vars.insert(n.clone(), v);
                Ok(())
            }
            Target::Tuple(ts, _) => {
                let items = v.as_sequence().ok_or_else(|| {
                    Error::type_err(format!(
                        "cannot unpack non-iterable {} object",
                        v.type_name()
                    ))
                })?;
                if items.len() != ts.len() {
                    return Err(Error::value(if items.len() > ts.len() {
                        format!("too many values to unpack (expected {})", ts.len())
                    } else {
                        format!(
                            "not enough values to unpack (expected {}, got {})",
                            ts.len(),
                            items.len()
                        )
                    }));
                }
                for (t, x) in ts.iter().zip(items) {
                    self.assign(t, x)?;
                }
                Ok(())
            }
            Target::Attribute { value, attr, .. } => {
                let recv = self.eval(value)?;
                match &recv {
                    Value::Tensor(_) => Err(Error::unsupported(format!("setting tensor.{attr}"))),
                    Value::Object(o) if is_torch_object(o.as_ref()) => Err(Error::unsupported(
                        format!("setting {}.{attr}", o.type_name()),
                    )),
                    _ => bind_numpy::set_attr(&recv, attr, v),
                }
            }
            Target::Subscript { .. } => Err(Error::unsupported("item assignment")),
        }
    }

    fn lookup(&self, name: &str) -> Result<Value> {
        if let Some(v) = self.vars.get(name) {
            return Ok(v.clone());
        }
        if BUILTINS.contains(&name) {
            return Ok(Value::Function(format!("builtins.{name}")));
        }
        match name {
            "np" | "numpy" | "torch" | "random" => Err(Error::Name(format!(
                "name '{name}' is not defined (add the import statement)"
            ))),
            _ => Err(Error::Name(format!("name '{name}' is not defined"))),
        }
    }

    /// Attribute read: modules by path, then each library's own objects.
    fn get_attr(&self, recv: &Value, name: &str) -> Result<Value> {
        match recv {
            Value::Module(path) => {
                let root = path.split('.').next().unwrap_or_default();
                match root {
                    "numpy" => bind_numpy::module_attr(path, name),
                    "torch" => bind_torch::module_attr(path, name),
                    "random" => bind_pyrandom::module_attr(path, name),
                    r if SEED_HELPER_ROOTS.contains(&r) => seed_helper_attr(path, name),
                    _ => Err(Error::unsupported(format!("{path}.{name}"))),
                }
            }
            Value::Tensor(_) | Value::Device(_) => bind_torch::get_attr(recv, name),
            Value::DType(_, super::value::DTypeOrigin::Torch) => bind_torch::get_attr(recv, name),
            Value::Object(o) if is_torch_object(o.as_ref()) => bind_torch::get_attr(recv, name),
            Value::Object(o) if bind_pyrandom::owns(o.as_ref()) => {
                bind_pyrandom::get_attr(recv, name)
            }
            Value::Array(_) | Value::Object(_) | Value::DType(..) => {
                bind_numpy::get_attr(recv, name)
            }
            Value::Function(_) | Value::Method(..) => Err(Error::Attribute(format!(
                "'{}' object has no attribute '{name}'",
                recv.type_name()
            ))),
            other => Err(Error::Attribute(format!(
                "'{}' object has no attribute '{name}'",
                other.type_name()
            ))),
        }
    }

    fn eval_args(&mut self, args: &[Expr], keywords: &[super::ast::Keyword]) -> Result<Args> {
        let mut a = Args::default();
        for e in args {
            a.pos.push(self.eval(e)?);
        }
        for k in keywords {
            let v = self.eval(&k.value)?;
            a.kw.push((k.name.clone(), v));
        }
        Ok(a)
    }

    fn eval(&mut self, e: &Expr) -> Result<Value> {
        match &e.kind {
            ExprKind::Int(i) => Ok(Value::Int(i.clone())),
            ExprKind::Float(f) => Ok(Value::Float(*f)),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Bytes(b) => Ok(Value::Bytes(b.clone())),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::None => Ok(Value::None),
            ExprKind::Ellipsis => Err(Error::unsupported("Ellipsis")),
            ExprKind::Name(n) => self.lookup(n),
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand)?;
                unary(*op, &v)
            }
            ExprKind::Binary { op, left, right } => {
                let l = self.eval(left)?;
                let r = self.eval(right)?;
                binary(*op, &l, &r)
            }
            ExprKind::BoolOp { op, values } => {
                let mut last = Value::None;
                for (i, x) in values.iter().enumerate() {
                    last = self.eval(x)?;
                    let t = last.truthy()?;
                    let stop = match op {
                        BoolOp::And => !t,
                        BoolOp::Or => t,
                    };
                    if stop || i + 1 == values.len() {
                        break;
                    }
                }
                Ok(last)
            }
            ExprKind::Compare { left, ops } => {
                let mut l = self.eval(left)?;
                for (op, re) in ops {
                    let r = self.eval(re)?;
                    if !compare(*op, &l, &r)? {
                        return Ok(Value::Bool(false));
                    }
                    l = r;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::IfExp { test, body, orelse } => {
                if self.eval(test)?.truthy()? {
                    self.eval(body)
                } else {
                    self.eval(orelse)
                }
            }
            ExprKind::Tuple(items) => {
                let mut v = Vec::with_capacity(items.len());
                for x in items {
                    v.push(self.eval(x)?);
                }
                Ok(Value::Tuple(v))
            }
            ExprKind::List(items) => {
                let mut v = Vec::with_capacity(items.len());
                for x in items {
                    v.push(self.eval(x)?);
                }
                Ok(Value::list(v))
            }
            ExprKind::Dict(items) => {
                let mut v = Vec::with_capacity(items.len());
                for (k, x) in items {
                    let k = self.eval(k)?;
                    let x = self.eval(x)?;
                    v.push((k, x));
                }
                Ok(Value::Dict(Rc::new(std::cell::RefCell::new(v))))
            }
            ExprKind::Set(_) => Err(Error::unsupported("set displays")),
            ExprKind::Attribute { value, attr } => {
                let recv = self.eval(value)?;
                self.get_attr(&recv, attr)
            }
            ExprKind::Subscript { value, index } => {
                let recv = self.eval(value)?;
                let idx = self.eval_index(index)?;
                subscript(&recv, &idx)
            }
            ExprKind::Slice { .. } => Err(Error::Syntax("slice outside a subscript".into())),
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                // Method calls are dispatched on the receiver without materialising a bound
                // method.
                if let ExprKind::Attribute { value, attr } = &func.kind {
                    let recv = self.eval(value)?;
                    if !matches!(recv, Value::Module(_)) {
                        let a = self.eval_args(args, keywords)?;
                        return self.call_method(&recv, attr, &a);
                    }
                    let f = self.get_attr(&recv, attr)?;
                    let a = self.eval_args(args, keywords)?;
                    return self.call_value(&f, &a);
                }
                let f = self.eval(func)?;
                let a = self.eval_args(args, keywords)?;
                self.call_value(&f, &a)
            }
        }
    }

    fn eval_index(&mut self, index: &Expr) -> Result<Index> {
        match &index.kind {
            ExprKind::Slice { lower, upper, step } => {
                let mut part = |x: &Option<Box<Expr>>| -> Result<Option<i128>> {
                    match x {
                        None => Ok(None),
                        Some(e) => {
                            let v = self.eval(e)?;
                            if v.is_none() {
                                return Ok(None);
                            }
                            v.as_i128_sat().map(Some).ok_or_else(|| {
                                Error::type_err(
                                    "slice indices must be integers or None or have an __index__ method",
                                )
                            })
                        }
                    }
                };
                let l = part(lower)?;
                let u = part(upper)?;
                let s = part(step)?;
                Ok(Index::Slice(l, u, s))
            }
            ExprKind::Tuple(items) => {
                let mut out = Vec::new();
                for it in items {
                    out.push(self.eval_index(it)?);
                }
                Ok(Index::Multi(out))
            }
            _ => Ok(Index::Value(self.eval(index)?)),
        }
    }

    fn call_method(&mut self, recv: &Value, name: &str, args: &Args) -> Result<Value> {
        match recv {
            Value::Tensor(_) | Value::Device(_) => {
                bind_torch::call_method(&mut self.torch, recv, name, args)
            }
            Value::Object(o) if is_torch_object(o.as_ref()) => {
                bind_torch::call_method(&mut self.torch, recv, name, args)
            }
            Value::Object(o) if bind_pyrandom::owns(o.as_ref()) => {
                bind_pyrandom::call_method(&mut self.pyrandom, recv, name, args)
            }
            Value::Array(_) | Value::Object(_) => {
                bind_numpy::call_method(&mut self.numpy, recv, name, args)
            }
            Value::List(l) => match name {
                "append" => {
                    let b = args.bind("append", &["object"])?;
                    let v = super::value::required(&b[0], "append", "object")?;
                    l.borrow_mut().push(v);
                    Ok(Value::None)
                }
                "copy" => Ok(Value::list(l.borrow().clone())),
                _ => Err(Error::Attribute(format!(
                    "'list' object has no attribute '{name}'"
                ))),
            },
            Value::Dict(d) => match name {
                "keys" => Ok(Value::list(
                    d.borrow().iter().map(|(k, _)| k.clone()).collect(),
                )),
                "values" => Ok(Value::list(
                    d.borrow().iter().map(|(_, v)| v.clone()).collect(),
                )),
                "copy" => Ok(Value::Dict(Rc::new(std::cell::RefCell::new(
                    d.borrow().clone(),
                )))),
                _ => Err(Error::Attribute(format!(
                    "'dict' object has no attribute '{name}'"
                ))),
            },
            Value::Method(inner, m) => {
                let f = self.call_method(inner, m, &Args::default())?;
                self.call_method(&f, name, args)
            }
            other => Err(Error::Attribute(format!(
                "'{}' object has no attribute '{name}'",
                other.type_name()
            ))),
        }
    }

    fn call_value(&mut self, f: &Value, args: &Args) -> Result<Value> {
        match f {
            Value::Function(path) => {
                let root = path.split('.').next().unwrap_or_default();
                match root {
                    "builtins" => self.call_builtin(&path["builtins.".len()..], args),
                    "numpy" => bind_numpy::call_function(&mut self.numpy, path, args),
                    "torch" => bind_torch::call_function(&mut self.torch, path, args),
                    "random" => bind_pyrandom::call_function(&mut self.pyrandom, path, args),
                    r if SEED_HELPER_ROOTS.contains(&r) => self.seed_everything(path, args),
                    _ => Err(Error::unsupported(path.clone())),
                }
            }
            Value::Method(recv, name) => self.call_method(recv, name, args),
            Value::DType(_, super::value::DTypeOrigin::Numpy) => {
                bind_numpy::call_method(&mut self.numpy, f, "__call__", args)
            }
            Value::DType(..) => Err(Error::type_err("'torch.dtype' object is not callable")),
            other => Err(Error::type_err(format!(
                "'{}' object is not callable",
                other.type_name()
            ))),
        }
    }

    /// The seed-everything helpers training scripts start with, reproducing what each library's
    /// current version seeds (read in their sources):
    /// - `lightning.seed_everything(seed=None, workers=False, verbose=True)`
    ///   (`lightning/fabric/utilities/seed.py`; also `pytorch_lightning`, `lightning.pytorch`,
    ///   `lightning_fabric`): `seed=None` gives 0 (PL_GLOBAL_SEED is not read), bounds
    ///   `0..=2**32-1` else `ValueError`, then `random.seed`, `np.random.seed`,
    ///   `torch.manual_seed` (which seeds every CUDA device too); returns the seed.
    /// - `transformers.set_seed(seed, deterministic=False)` (`transformers/trainer_utils.py`):
    ///   `random.seed`, `np.random.seed`, `torch.manual_seed`, `torch.cuda.manual_seed_all`.
    /// - `accelerate.utils.set_seed(seed, device_specific=False, deterministic=False)`
    ///   (`accelerate/utils/random.py`): the same, `device_specific` adds the process index (0).
    fn seed_everything(&mut self, path: &str, args: &Args) -> Result<Value> {
        let fname = path.rsplit('.').next().unwrap_or(path).to_string();
        let (seed, returns_seed) = if fname == "seed_everything" {
            let b = args.bind(&fname, &["seed", "workers", "verbose"])?;
            let seed = match super::value::opt(&b[0]) {
                None => BigInt::zero(),
                Some(v) => match v.as_index() {
                    Some(i) => i,
                    None => match self.call_builtin(
                        "int",
                        &Args {
                            pos: vec![v],
                            kw: vec![],
                        },
                    )? {
                        Value::Int(i) => i,
                        _ => BigInt::zero(),
                    },
                },
            };
            if seed.is_negative() || seed > BigInt::from(u32::MAX) {
                return Err(Error::value(format!(
                    "{seed} is not in bounds, numpy accepts from 0 to 4294967295"
                )));
            }
            (seed, true)
        } else {
            let names: &[&str] = if path.starts_with("accelerate") {
                &["seed", "device_specific", "deterministic"]
            } else {
                &["seed", "deterministic"]
            };
            let b = args.bind(&fname, names)?;
            let v = super::value::required(&b[0], &fname, "seed")?;
            // `deterministic=True` only calls torch.use_deterministic_algorithms(True), which
            // picks kernels for non-deterministic ops and changes no random stream; the single
            // process's `device_specific` offset (process_index) is 0.
            for flag in b.iter().skip(1) {
                if let Some(d) = super::value::opt(flag) {
                    d.truthy()?;
                }
            }
            let seed = v.as_index().ok_or_else(|| {
                Error::type_err(format!(
                    "'{}' object cannot be interpreted as an integer",
                    v.type_name()
                ))
            })?;
            (seed, false)
        };
        self.pyrandom.seed_int(&seed);
        let one = Args {
            pos: vec![Value::Int(seed.clone())],
            kw: vec![],
        };
        bind_numpy::call_function(&mut self.numpy, "numpy.random.seed", &one)?;
        bind_torch::call_function(&mut self.torch, "torch.manual_seed", &one)?;
        Ok(if returns_seed {
            Value::Int(seed)
        } else {
            Value::None
        })
    }

    fn call_builtin(&mut self, name: &str, args: &Args) -> Result<Value> {
        match name {
            "print" => {
                let mut sep = " ".to_string();
                let mut end = "\n".to_string();
                for (k, v) in &args.kw {
                    match (k.as_str(), v) {
                        ("sep", Value::Str(s)) => sep = s.clone(),
                        ("sep", Value::None) => {}
                        ("end", Value::Str(s)) => end = s.clone(),
                        ("end", Value::None) => {}
                        ("flush", _) => {}
                        _ => {
                            return Err(Error::type_err(format!(
                                "'{k}' is an invalid keyword argument for print()"
                            )))
                        }
                    }
                }
                let parts: Vec<String> = args.pos.iter().map(display::str_of).collect();
                write!(self.out, "{}{}", parts.join(&sep), end)?;
                Ok(Value::None)
            }
            "repr" => {
                let b = args.bind("repr", &["obj"])?;
                let v = super::value::required(&b[0], "repr", "obj")?;
                Ok(Value::Str(display::repr(&v)))
            }
            "str" => {
                let b = args.bind("str", &["object"])?;
                Ok(Value::Str(match &b[0] {
                    None => String::new(),
                    Some(v) => display::str_of(v),
                }))
            }
            "len" => {
                let b = args.bind("len", &["obj"])?;
                let v = super::value::required(&b[0], "len", "obj")?;
                let n = match &v {
                    Value::Str(s) => s.chars().count(),
                    Value::Bytes(b) => b.len(),
                    Value::Tuple(t) => t.len(),
                    Value::Size(t) => t.len(),
                    Value::List(l) => l.borrow().len(),
                    Value::Dict(d) => d.borrow().len(),
                    Value::Array(a) => {
                        let a = a.borrow();
                        *a.shape
                            .first()
                            .ok_or_else(|| Error::type_err("len() of unsized object"))?
                    }
                    Value::Tensor(t) => {
                        let t = t.borrow();
                        *t.array
                            .shape
                            .first()
                            .ok_or_else(|| Error::type_err("len() of a 0-d tensor"))?
                    }
                    other => {
                        return Err(Error::type_err(format!(
                            "object of type '{}' has no len()",
                            other.type_name()
                        )))
                    }
                };
                Ok(Value::int(n))
            }
            "int" => {
                let b = args.bind("int", &["x", "base"])?;
                match &b[0] {
                    None => Ok(Value::int(0)),
                    Some(Value::Float(f)) => float_to_int(*f),
                    Some(Value::Str(s)) => {
                        let t = s.trim().replace('_', "");
                        t.parse::<BigInt>().map(Value::Int).map_err(|_| {
                            Error::value(format!("invalid literal for int() with base 10: '{s}'"))
                        })
                    }
                    Some(v) => {
                        if let Some(i) = v.as_index() {
                            Ok(Value::Int(i))
                        } else if let Some(f) = v.as_f64() {
                            float_to_int(f)
                        } else {
                            Err(Error::type_err(format!(
                                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                                v.type_name()
                            )))
                        }
                    }
                }
            }
            "float" => {
                let b = args.bind("float", &["x"])?;
                match &b[0] {
                    None => Ok(Value::Float(0.0)),
                    Some(Value::Str(s)) => parse_py_float(s).map(Value::Float),
                    Some(v) => v.as_f64().map(Value::Float).ok_or_else(|| {
                        Error::type_err(format!(
                            "float() argument must be a string or a real number, not '{}'",
                            v.type_name()
                        ))
                    }),
                }
            }
            "bool" => {
                let b = args.bind("bool", &["x"])?;
                match &b[0] {
                    None => Ok(Value::Bool(false)),
                    Some(v) => Ok(Value::Bool(v.truthy()?)),
                }
            }
            "abs" => {
                let b = args.bind("abs", &["x"])?;
                let v = super::value::required(&b[0], "abs", "x")?;
                match v {
                    Value::Int(i) => Ok(Value::Int(i.abs())),
                    Value::Bool(b) => Ok(Value::int(b as u8)),
                    Value::Float(f) => Ok(Value::Float(f.abs())),
                    other => Err(Error::type_err(format!(
                        "bad operand type for abs(): '{}'",
                        other.type_name()
                    ))),
                }
            }
            "round" => {
                let b = args.bind("round", &["number", "ndigits"])?;
                let v = super::value::required(&b[0], "round", "number")?;
                match (&v, super::value::opt(&b[1])) {
                    (Value::Int(_), _) | (Value::Bool(_), _) => {
                        Ok(Value::Int(v.as_index().unwrap_or_default()))
                    }
                    (Value::Float(f), None) => {
                        let r = f.round_ties_even();
                        float_to_int(r)
                    }
                    (Value::Float(f), Some(nd)) => {
                        let nd = nd
                            .as_i128_sat()
                            .ok_or_else(|| Error::type_err("'ndigits' must be an integer"))?;
                        let s = format!("{:.*}", nd.clamp(0, 300) as usize, f);
                        Ok(Value::Float(s.parse::<f64>().unwrap_or(*f)))
                    }
                    (other, _) => Err(Error::type_err(format!(
                        "type {} doesn't define __round__ method",
                        other.type_name()
                    ))),
                }
            }
            "list" | "tuple" => {
                let b = args.bind(name, &["iterable"])?;
                let items = match &b[0] {
                    None => vec![],
                    Some(v) => iterate(v)?,
                };
                Ok(if name == "list" {
                    Value::list(items)
                } else {
                    Value::Tuple(items)
                })
            }
            "range" => {
                let nums: Vec<BigInt> = args
                    .pos
                    .iter()
                    .map(|v| {
                        v.as_index().ok_or_else(|| {
                            Error::type_err(format!(
                                "'{}' object cannot be interpreted as an integer",
                                v.type_name()
                            ))
                        })
                    })
                    .collect::<Result<_>>()?;
                let (start, stop, step) = match nums.len() {
                    1 => (BigInt::zero(), nums[0].clone(), BigInt::one()),
                    2 => (nums[0].clone(), nums[1].clone(), BigInt::one()),
                    3 => (nums[0].clone(), nums[1].clone(), nums[2].clone()),
                    n => {
                        return Err(Error::type_err(format!(
                            "range expected at most 3 arguments, got {n}"
                        )))
                    }
                };
                if step.is_zero() {
                    return Err(Error::value("range() arg 3 must not be zero"));
                }
                let mut out = Vec::new();
                let mut i = start;
                while (step.is_positive() && i < stop) || (step.is_negative() && i > stop) {
                    out.push(Value::Int(i.clone()));
                    if out.len() > 10_000_000 {
                        return Err(Error::Memory("range() too long for a script".into()));
                    }
                    i += &step;
                }
                Ok(Value::list(out))
            }
            "sum" => {
                let b = args.bind("sum", &["iterable", "start"])?;
                let items = iterate(&super::value::required(&b[0], "sum", "iterable")?)?;
                let mut acc = b[1].clone().unwrap_or(Value::int(0));
                for it in items {
                    acc = binary(BinOp::Add, &acc, &it)?;
                }
                Ok(acc)
            }
            "min" | "max" => {
                let items = if args.pos.len() == 1 {
                    iterate(&args.pos[0])?
                } else {
                    args.pos.clone()
                };
                let mut best: Option<Value> = None;
                for it in items {
                    best = Some(match best {
                        None => it,
                        Some(b) => {
                            let better = if name == "min" {
                                compare(CmpOp::Lt, &it, &b)?
                            } else {
                                compare(CmpOp::Gt, &it, &b)?
                            };
                            if better {
                                it
                            } else {
                                b
                            }
                        }
                    });
                }
                best.ok_or_else(|| Error::value(format!("{name}() arg is an empty sequence")))
            }
            "type" => {
                let b = args.bind("type", &["object"])?;
                let v = super::value::required(&b[0], "type", "object")?;
                Ok(Value::Str(format!("<class '{}'>", v.type_name())))
            }
            _ => Err(Error::unsupported(format!("{name}()"))),
        }
    }
}

/// A progress spinner on stderr for a statement that runs longer than a second (only when stderr
/// is a terminal). Dropping it stops and clears it.
struct Spinner {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    fn start(line: usize, text: &str) -> Spinner {
        use std::sync::atomic::{AtomicBool, Ordering};
        let done = std::sync::Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        let label: String = text.chars().take(60).collect();
        let handle = std::thread::spawn(move || {
            let t0 = std::time::Instant::now();
            while t0.elapsed() < std::time::Duration::from_secs(1) {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_message(format!("line {line}: {label}"));
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            pb.finish_and_clear();
        });
        Spinner {
            done,
            handle: Some(handle),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// An evaluated subscript.
#[derive(Debug, Clone)]
enum Index {
    Value(Value),
    Slice(Option<i128>, Option<i128>, Option<i128>),
    Multi(Vec<Index>),
}

fn is_call(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Call { .. })
}

fn is_torch_object(o: &dyn super::value::PyObject) -> bool {
    bind_torch::owns(o)
}

/// Attributes of the seed-helper packages: their seeding functions (any sub-module path), and a
/// clear refusal for everything else.
fn seed_helper_attr(path: &str, name: &str) -> Result<Value> {
    let full = format!("{path}.{name}");
    let hf = path.starts_with("transformers") || path.starts_with("accelerate");
    match name {
        "seed_everything" if !hf => Ok(Value::Function(full)),
        "set_seed" if hf => Ok(Value::Function(full)),
        "pytorch" | "fabric" | "utilities" | "seed" | "trainer_utils" | "utils" | "random" => {
            Ok(Value::Module(full))
        }
        _ => Err(Error::unsupported(full)),
    }
}

fn canonical_module(root: &str) -> String {
    root.to_string()
}

fn check_importable(dotted: &str) -> Result<()> {
    let root = dotted.split('.').next().unwrap_or_default();
    if IMPORTABLE.contains(&root) {
        Ok(())
    } else {
        Err(Error::unsupported(format!("import {dotted}")))
    }
}

/// The array `--save` writes for a recordable value, or `None` if the value is not recorded.
pub fn recordable(v: &Value) -> Option<NdArray> {
    match v {
        Value::Array(a) => Some(a.borrow().clone()),
        Value::Tensor(t) => Some(t.borrow().array.clone()),
        Value::Int(i) => Some(match i.to_i64() {
            Some(x) => NdArray::scalar(Data::I64(vec![x])),
            None => NdArray::scalar(Data::U64(vec![i.to_u64()?])),
        }),
        Value::Float(f) => Some(NdArray::scalar(Data::F64(vec![*f]))),
        Value::Bool(b) => Some(NdArray::scalar(Data::Bool(vec![*b]))),
        _ => None,
    }
}

fn iterate(v: &Value) -> Result<Vec<Value>> {
    match v {
        Value::Size(_) => Ok(v.as_sequence().unwrap_or_default()),
        Value::Tuple(t) => Ok(t.clone()),
        Value::List(l) => Ok(l.borrow().clone()),
        Value::Str(s) => Ok(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        Value::Array(a) => {
            let a = a.borrow();
            if a.shape.is_empty() {
                return Err(Error::type_err("iteration over a 0-d array"));
            }
            Ok((0..a.shape[0])
                .map(|i| Value::array(take_first_axis(&a, i)))
                .collect())
        }
        Value::Tensor(t) => {
            let t = t.borrow();
            if t.array.shape.is_empty() {
                return Err(Error::type_err("iteration over a 0-d tensor"));
            }
            Ok((0..t.array.shape[0])
                .map(|i| Value::tensor(take_first_axis(&t.array, i), t.cuda))
                .collect())
        }
        other => Err(Error::type_err(format!(
            "'{}' object is not iterable",
            other.type_name()
        ))),
    }
}

fn take_first_axis(a: &NdArray, i: usize) -> NdArray {
    let inner: usize = a.shape[1..].iter().product();
    let idx: Vec<usize> = (i * inner..(i + 1) * inner).collect();
    NdArray::new(a.shape[1..].to_vec(), a.data.gather(&idx))
}

fn norm_index(i: i128, len: usize, what: &str) -> Result<usize> {
    let n = len as i128;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(Error::Index(format!("{what} index out of range")));
    }
    Ok(j as usize)
}

/// Python's slice.indices(len): the selected positions.
fn slice_positions(
    l: Option<i128>,
    u: Option<i128>,
    s: Option<i128>,
    len: usize,
) -> Result<Vec<usize>> {
    let step = s.unwrap_or(1);
    if step == 0 {
        return Err(Error::value("slice step cannot be zero"));
    }
    let n = len as i128;
    let clamp = |x: i128, lo: i128, hi: i128| x.max(lo).min(hi);
    let (start, stop) = if step > 0 {
        let st = l
            .map(|x| {
                if x < 0 {
                    clamp(x + n, 0, n)
                } else {
                    clamp(x, 0, n)
                }
            })
            .unwrap_or(0);
        let sp = u
            .map(|x| {
                if x < 0 {
                    clamp(x + n, 0, n)
                } else {
                    clamp(x, 0, n)
                }
            })
            .unwrap_or(n);
        (st, sp)
    } else {
        let st = l
            .map(|x| {
                if x < 0 {
                    clamp(x + n, -1, n - 1)
                } else {
                    clamp(x, -1, n - 1)
                }
            })
            .unwrap_or(n - 1);
        let sp = u
            .map(|x| {
                if x < 0 {
                    clamp(x + n, -1, n - 1)
                } else {
                    clamp(x, -1, n - 1)
                }
            })
            .unwrap_or(-1);
        (st, sp)
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    Ok(out)
}

fn subscript(recv: &Value, idx: &Index) -> Result<Value> {
    match (recv, idx) {
        (Value::Size(_), _) => {
            let t = Value::Tuple(recv.as_sequence().unwrap_or_default());
            match subscript(&t, idx)? {
                Value::Tuple(items) => Ok(Value::Size(
                    items
                        .iter()
                        .filter_map(|v| v.as_i128_sat())
                        .map(|d| d as usize)
                        .collect(),
                )),
                other => Ok(other),
            }
        }
        (Value::Tuple(_) | Value::List(_), Index::Value(i)) => {
            let items = recv.as_sequence().unwrap_or_default();
            let what = if matches!(recv, Value::Tuple(_)) {
                "tuple"
            } else {
                "list"
            };
            let i = i.as_i128_sat().ok_or_else(|| {
                Error::type_err(format!(
                    "{what} indices must be integers or slices, not {}",
                    i.type_name()
                ))
            })?;
            Ok(items[norm_index(i, items.len(), what)?].clone())
        }
        (Value::Tuple(_) | Value::List(_), Index::Slice(l, u, s)) => {
            let items = recv.as_sequence().unwrap_or_default();
            let pos = slice_positions(*l, *u, *s, items.len())?;
            let v: Vec<Value> = pos.iter().map(|&p| items[p].clone()).collect();
            Ok(if matches!(recv, Value::Tuple(_)) {
                Value::Tuple(v)
            } else {
                Value::list(v)
            })
        }
        (Value::Dict(d), Index::Value(k)) => {
            for (kk, vv) in d.borrow().iter() {
                if compare(CmpOp::Eq, kk, k).unwrap_or(false) {
                    return Ok(vv.clone());
                }
            }
            Err(Error::Index(format!("KeyError: {}", display::repr(k))))
        }
        (Value::Array(a), _) => {
            let a = a.borrow();
            Ok(Value::array(index_array(&a, idx)?))
        }
        (Value::Tensor(t), _) => {
            let t = t.borrow();
            Ok(Value::tensor(index_array(&t.array, idx)?, t.cuda))
        }
        (Value::Str(s), Index::Value(i)) => {
            let chars: Vec<char> = s.chars().collect();
            let i = i
                .as_i128_sat()
                .ok_or_else(|| Error::type_err("string indices must be integers"))?;
            Ok(Value::Str(
                chars[norm_index(i, chars.len(), "string")?].to_string(),
            ))
        }
        (other, _) => Err(Error::type_err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

/// Basic indexing of an array: integers and slices per axis.
fn index_array(a: &NdArray, idx: &Index) -> Result<NdArray> {
    let parts: Vec<&Index> = match idx {
        Index::Multi(v) => v.iter().collect(),
        other => vec![other],
    };
    if parts.len() > a.shape.len() {
        return Err(Error::Index(format!(
            "too many indices for array: array is {}-dimensional, but {} were indexed",
            a.shape.len(),
            parts.len()
        )));
    }
    // For each axis: the selected positions, and whether the axis is kept.
    let mut sel: Vec<(Vec<usize>, bool)> = Vec::new();
    for (ax, &dim) in a.shape.iter().enumerate() {
        match parts.get(ax) {
            None => sel.push(((0..dim).collect(), true)),
            Some(Index::Slice(l, u, s)) => sel.push((slice_positions(*l, *u, *s, dim)?, true)),
            Some(Index::Value(v)) => {
                let i = v.as_i128_sat().ok_or_else(|| {
                    Error::Index("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices".into())
                })?;
                let n = dim as i128;
                let j = if i < 0 { i + n } else { i };
                if j < 0 || j >= n {
                    return Err(Error::Index(format!(
                        "index {i} is out of bounds for axis {ax} with size {dim}"
                    )));
                }
                sel.push((vec![j as usize], false));
            }
            Some(Index::Multi(_)) => return Err(Error::unsupported("nested tuple index")),
        }
    }
    let mut strides = vec![1usize; a.shape.len()];
    for ax in (0..a.shape.len().saturating_sub(1)).rev() {
        strides[ax] = strides[ax + 1] * a.shape[ax + 1];
    }
    let mut flat = vec![0usize];
    for (ax, (pos, _)) in sel.iter().enumerate() {
        let mut next = Vec::with_capacity(flat.len() * pos.len());
        for &base in &flat {
            for &p in pos {
                next.push(base + p * strides[ax]);
            }
        }
        flat = next;
    }
    let shape: Vec<usize> = sel
        .iter()
        .filter(|(_, keep)| *keep)
        .map(|(p, _)| p.len())
        .collect();
    Ok(NdArray::new(shape, a.data.gather(&flat)))
}

fn float_to_int(f: f64) -> Result<Value> {
    if f.is_nan() {
        return Err(Error::value("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Error::Overflow(
            "cannot convert float infinity to integer".into(),
        ));
    }
    use num_traits::FromPrimitive;
    Ok(Value::Int(BigInt::from_f64(f.trunc()).unwrap_or_default()))
}

fn parse_py_float(s: &str) -> Result<f64> {
    let t = s.trim().to_ascii_lowercase().replace('_', "");
    match t.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
        "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => Ok(f64::NAN),
        _ => t
            .parse::<f64>()
            .map_err(|_| Error::value(format!("could not convert string to float: '{s}'"))),
    }
}

/// A Python number for arithmetic.
enum Num {
    Int(BigInt),
    Float(f64),
}

fn as_num(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(BigInt::from(*b as u8))),
        Value::Int(i) => Some(Num::Int(i.clone())),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

fn big_to_f64(i: &BigInt) -> Result<f64> {
    let f = i.to_f64().unwrap_or(f64::INFINITY);
    if f.is_infinite() {
        return Err(Error::Overflow("int too large to convert to float".into()));
    }
    Ok(f)
}

fn unary(op: UnaryOp, v: &Value) -> Result<Value> {
    match (op, v) {
        (UnaryOp::Not, _) => Ok(Value::Bool(!v.truthy()?)),
        (UnaryOp::Neg, Value::Int(i)) => Ok(Value::Int(-i)),
        (UnaryOp::Neg, Value::Bool(b)) => Ok(Value::int(-(*b as i32))),
        (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Pos, Value::Int(_) | Value::Float(_)) => Ok(v.clone()),
        (UnaryOp::Pos, Value::Bool(b)) => Ok(Value::int(*b as i32)),
        (UnaryOp::Invert, Value::Int(i)) => Ok(Value::Int(-i - 1)),
        (UnaryOp::Neg, Value::Array(_) | Value::Tensor(_)) => {
            binary(BinOp::Mul, v, &Value::int(-1))
                .map_err(|_| Error::unsupported("unary minus on these arrays"))
        }
        (_, other) => Err(Error::type_err(format!(
            "bad operand type for unary operator: '{}'",
            other.type_name()
        ))),
    }
}

/// CPython's `float_divmod` (Objects/floatobject.c).
fn py_float_divmod(vx: f64, wx: f64) -> Result<(f64, f64)> {
    if wx == 0.0 {
        return Err(Error::ZeroDivision("float divmod()".into()));
    }
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    Ok((floordiv, m))
}

fn binary(op: BinOp, l: &Value, r: &Value) -> Result<Value> {
    // Sequence operations.
    match (op, l, r) {
        (BinOp::Add, Value::Str(a), Value::Str(b)) => return Ok(Value::Str(format!("{a}{b}"))),
        (BinOp::Add, Value::Tuple(a), Value::Tuple(b)) => {
            return Ok(Value::Tuple(a.iter().chain(b.iter()).cloned().collect()))
        }
        (BinOp::Add, Value::List(a), Value::List(b)) => {
            return Ok(Value::list(
                a.borrow()
                    .iter()
                    .chain(b.borrow().iter())
                    .cloned()
                    .collect(),
            ))
        }
        (BinOp::Mul, Value::List(_) | Value::Tuple(_), n)
        | (BinOp::Mul, n, Value::List(_) | Value::Tuple(_))
            if n.is_integer() =>
        {
            let seq = if n.is_integer() && matches!(l, Value::List(_) | Value::Tuple(_)) {
                l
            } else {
                r
            };
            let k = n.as_i128_sat().unwrap_or(0).clamp(0, 10_000_000) as usize;
            let items = seq.as_sequence().unwrap_or_default();
            let mut out = Vec::with_capacity(items.len() * k);
            for _ in 0..k {
                out.extend(items.iter().cloned());
            }
            return Ok(if matches!(seq, Value::Tuple(_)) {
                Value::Tuple(out)
            } else {
                Value::list(out)
            });
        }
        _ => {}
    }
    if matches!(l, Value::Array(_) | Value::Tensor(_))
        || matches!(r, Value::Array(_) | Value::Tensor(_))
    {
        return super::arith::array_binary(op, l, r);
    }
    let (a, b) = match (as_num(l), as_num(r)) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(Error::type_err(format!(
                "unsupported operand type(s) for {}: '{}' and '{}'",
                op.symbol(),
                l.type_name(),
                r.type_name()
            )))
        }
    };
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => int_binary(op, &x, &y),
        (x, y) => {
            let fx = match x {
                Num::Int(i) => big_to_f64(&i)?,
                Num::Float(f) => f,
            };
            let fy = match y {
                Num::Int(i) => big_to_f64(&i)?,
                Num::Float(f) => f,
            };
            float_binary(op, fx, fy)
        }
    }
}

fn int_binary(op: BinOp, x: &BigInt, y: &BigInt) -> Result<Value> {
    Ok(match op {
        BinOp::Add => Value::Int(x + y),
        BinOp::Sub => Value::Int(x - y),
        BinOp::Mul => Value::Int(x * y),
        BinOp::Div => {
            if y.is_zero() {
                return Err(Error::ZeroDivision("division by zero".into()));
            }
            // Exact for |x|, |y| < 2^53; CPython rounds correctly beyond that too.
            match (x.to_i64(), y.to_i64()) {
                (Some(a), Some(b))
                    if a.unsigned_abs() < (1 << 53) && b.unsigned_abs() < (1 << 53) =>
                {
                    Value::Float(a as f64 / b as f64)
                }
                _ => Value::Float(big_to_f64(x)? / big_to_f64(y)?),
            }
        }
        BinOp::FloorDiv => {
            if y.is_zero() {
                return Err(Error::ZeroDivision(
                    "integer division or modulo by zero".into(),
                ));
            }
            Value::Int(x.div_floor(y))
        }
        BinOp::Mod => {
            if y.is_zero() {
                return Err(Error::ZeroDivision("integer modulo by zero".into()));
            }
            Value::Int(x.mod_floor(y))
        }
        BinOp::Pow => {
            if y.is_negative() {
                let fx = big_to_f64(x)?;
                let fy = big_to_f64(y)?;
                if fx == 0.0 {
                    return Err(Error::ZeroDivision(
                        "0.0 cannot be raised to a negative power".into(),
                    ));
                }
                Value::Float(fx.powf(fy))
            } else {
                let e = y
                    .to_u32()
                    .filter(|&e| e <= 1_000_000)
                    .ok_or_else(|| Error::Memory("exponent too large for a script".into()))?;
                Value::Int(num_traits::pow::Pow::pow(x, e))
            }
        }
        BinOp::LShift => {
            let s = y.to_u32().filter(|&s| s <= 1_000_000).ok_or_else(|| {
                if y.is_negative() {
                    Error::value("negative shift count")
                } else {
                    Error::Memory("shift too large".into())
                }
            })?;
            Value::Int(x << s)
        }
        BinOp::RShift => {
            if y.is_negative() {
                return Err(Error::value("negative shift count"));
            }
            let s = y.to_u64().unwrap_or(u64::MAX).min(1 << 30);
            Value::Int(x >> s)
        }
        BinOp::BitAnd => Value::Int(x & y),
        BinOp::BitOr => Value::Int(x | y),
        BinOp::BitXor => Value::Int(x ^ y),
        BinOp::MatMul => {
            return Err(Error::type_err(
                "unsupported operand type(s) for @: 'int' and 'int'",
            ))
        }
    })
}

fn float_binary(op: BinOp, x: f64, y: f64) -> Result<Value> {
    Ok(Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(Error::ZeroDivision("float division by zero".into()));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(Error::ZeroDivision("float floor division by zero".into()));
            }
            py_float_divmod(x, y)?.0
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(Error::ZeroDivision("float modulo".into()));
            }
            py_float_divmod(x, y)?.1
        }
        BinOp::Pow => {
            if x == 0.0 && y < 0.0 {
                return Err(Error::ZeroDivision(
                    "0.0 cannot be raised to a negative power".into(),
                ));
            }
            if x < 0.0 && y.fract() != 0.0 {
                return Err(Error::unsupported("complex results of **"));
            }
            x.powf(y)
        }
        _ => {
            return Err(Error::type_err(format!(
                "unsupported operand type(s) for {}: 'float' and 'float'",
                op.symbol()
            )))
        }
    }))
}

fn compare(op: CmpOp, l: &Value, r: &Value) -> Result<bool> {
    match op {
        CmpOp::Is => return Ok(matches!((l, r), (Value::None, Value::None))),
        CmpOp::IsNot => return Ok(!matches!((l, r), (Value::None, Value::None))),
        CmpOp::In | CmpOp::NotIn => {
            let items = iterate(r)?;
            let mut found = false;
            for it in &items {
                if compare(CmpOp::Eq, l, it)? {
                    found = true;
                    break;
                }
            }
            return Ok(found == (op == CmpOp::In));
        }
        _ => {}
    }
    let ord = match (l, r) {
        (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
        (Value::None, Value::None) => Some(std::cmp::Ordering::Equal),
        _ => match (as_num(l), as_num(r)) {
            (Some(Num::Int(a)), Some(Num::Int(b))) => Some(a.cmp(&b)),
            (Some(a), Some(b)) => {
                let fa = match a {
                    Num::Int(i) => i.to_f64().unwrap_or(f64::NAN),
                    Num::Float(f) => f,
                };
                let fb = match b {
                    Num::Int(i) => i.to_f64().unwrap_or(f64::NAN),
                    Num::Float(f) => f,
                };
                fa.partial_cmp(&fb)
            }
            _ => None,
        },
    };
    use std::cmp::Ordering::*;
    match (op, ord) {
        (CmpOp::Eq, o) => Ok(o == Some(Equal)),
        (CmpOp::NotEq, o) => Ok(o != Some(Equal)),
        (CmpOp::Lt, Some(o)) => Ok(o == Less),
        (CmpOp::LtE, Some(o)) => Ok(o != Greater),
        (CmpOp::Gt, Some(o)) => Ok(o == Greater),
        (CmpOp::GtE, Some(o)) => Ok(o != Less),
        (_, None) if as_num(l).is_some() && as_num(r).is_some() => Ok(false),
        _ => Err(Error::type_err(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            op.symbol(),
            l.type_name(),
            r.type_name()
        ))),
    }
}
