//! The `run` language: a subset of Python (see DESIGN.md, "The `run` command").
//!
//! [`parser::parse`] turns a script into [`ast::Stmt`]s; evaluation lives in sibling modules.

pub mod ast;
pub mod bind_numpy;
pub mod bind_torch;
pub mod lexer;
pub mod parser;
pub mod value;
pub mod arith;
pub mod display;
pub mod eval;
pub mod runner;
pub use runner::{run_source, save_all};
