//! Python's `str()` and `repr()` of script values, delegating arrays and tensors to
//! [`crate::format`] (NumPy's `arrayprint.py`, torch's `_tensor_str.py`).

use super::value::{DTypeOrigin, Value};
use crate::array::DType;
use crate::format;

fn bytes_repr(b: &[u8]) -> String {
    // CPython's bytes_repr: single quotes unless the bytes contain ' and no ".
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut s = String::from("b");
    s.push(quote);
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c as char == quote => {
                s.push('\\');
                s.push(quote);
            }
            0x20..=0x7e => s.push(c as char),
            c => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push(quote);
    s
}

fn str_repr(v: &str) -> String {
    // CPython's unicode_repr for the printable subset.
    let quote = if v.contains('\'') && !v.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut s = String::new();
    s.push(quote);
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            c if c == quote => {
                s.push('\\');
                s.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                s.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => s.push(c),
        }
    }
    s.push(quote);
    s
}

fn torch_device(v: Option<usize>) -> Option<String> {
    v.map(|i| format!("cuda:{i}"))
}

fn dtype_str(d: DType, origin: DTypeOrigin) -> String {
    match origin {
        DTypeOrigin::Torch => format!("torch.{}", d.name()),
        DTypeOrigin::Numpy => d.name().to_string(),
        DTypeOrigin::Builtin => match d {
            DType::Bool => "<class 'bool'>".into(),
            DType::F64 => "<class 'float'>".into(),
            _ => "<class 'int'>".into(),
        },
    }
}

/// Python `str(v)` (what `print` shows).
pub fn str_of(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Array(a) => {
            let a = a.borrow();
            if a.shape.is_empty() {
                format::numpy_scalar_str(&a)
            } else {
                format::numpy_str(&a)
            }
        }
        Value::DType(d, o) => dtype_str(*d, *o),
        Value::Object(o) => o.py_str(),
        Value::Device(None) => "cpu".into(),
        Value::Device(Some(i)) => format!("cuda:{i}"),
        other => repr(other),
    }
}

/// Python `repr(v)`.
pub fn repr(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format::py_float_repr(*f),
        Value::Str(s) => str_repr(s),
        Value::Bytes(b) => bytes_repr(b),
        Value::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Value::Size(d) => {
            let parts: Vec<String> = d.iter().map(|x| x.to_string()).collect();
            format!("torch.Size([{}])", parts.join(", "))
        }
        Value::List(items) => {
            let parts: Vec<String> = items.borrow().iter().map(repr).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Dict(items) => {
            let parts: Vec<String> = items
                .borrow()
                .iter()
                .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => {
            let a = a.borrow();
            if a.shape.is_empty() {
                format::numpy_scalar_repr(&a)
            } else {
                format::numpy_repr(&a)
            }
        }
        Value::Tensor(t) => {
            let t = t.borrow();
            format::torch_repr(&t.array, torch_device(t.cuda).as_deref(), false)
        }
        Value::DType(d, DTypeOrigin::Numpy) => format!("dtype('{}')", d.name()),
        Value::DType(d, o) => dtype_str(*d, *o),
        Value::Device(None) => "device(type='cpu')".into(),
        Value::Device(Some(i)) => format!("device(type='cuda', index={i})"),
        Value::Module(p) => format!("<module '{p}'>"),
        Value::Function(p) => format!("<built-in function {}>", p.rsplit('.').next().unwrap_or(p)),
        Value::Method(_, n) => format!("<built-in method {n}>"),
        Value::Object(o) => o.py_str(),
    }
}
