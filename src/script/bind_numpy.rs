//! Binding between the `run` interpreter and NumPy's random API ([`crate::numpy`]).
//! (Being written: every call is refused for now.)

use super::value::{Args, Value};
use crate::{Error, Result};

/// NumPy's hidden state in a running script.
#[derive(Debug, Default)]
pub struct NumpyCtx {}

impl NumpyCtx {
    /// A fresh context.
    pub fn new() -> Self {
        NumpyCtx {}
    }
}

/// Attribute of a numpy module path.
pub fn module_attr(path: &str, name: &str) -> Result<Value> {
    Err(Error::unsupported(format!("{path}.{name}")))
}

/// Call of a module-level function by canonical path.
pub fn call_function(_ctx: &mut NumpyCtx, path: &str, _args: &Args) -> Result<Value> {
    Err(Error::unsupported(path.to_string()))
}

/// Method call on a value this binding owns.
pub fn call_method(_ctx: &mut NumpyCtx, recv: &Value, name: &str, _args: &Args) -> Result<Value> {
    Err(Error::unsupported(format!("{}.{name}", recv.type_name())))
}

/// Attribute read on a value this binding owns.
pub fn get_attr(recv: &Value, name: &str) -> Result<Value> {
    Err(Error::unsupported(format!("{}.{name}", recv.type_name())))
}

/// Attribute write on a value this binding owns.
pub fn set_attr(recv: &Value, name: &str, _v: Value) -> Result<()> {
    Err(Error::unsupported(format!(
        "setting {}.{name}",
        recv.type_name()
    )))
}
