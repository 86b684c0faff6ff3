//! The `run` language: a subset of Python (see DESIGN.md, "The `run` command").
//!
//! [`parser::parse`] turns a script into [`ast::Stmt`]s; evaluation lives in sibling modules.

pub mod arith;
pub mod ast;
pub mod bind_numpy;
pub mod bind_pyrandom;
pub mod bind_torch;
pub mod bind_torch_cuda;
pub mod display;
pub mod eval;
pub mod lexer;
pub mod parser;
pub mod runner;
pub mod value;
pub use runner::{run_and_save, run_source, save_all};
