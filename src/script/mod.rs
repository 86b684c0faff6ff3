//! The `run` language: a subset of Python (see DESIGN.md, "The `run` command").
//!
//! [`parser::parse`] turns a script into [`ast::Stmt`]s; evaluation lives in sibling modules.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod value;

