//! Recursive-descent parser for the Python subset of `seedbridge run`.
//!
//! The grammar and operator precedence are CPython's (`Grammar/python.gram`): from loosest to
//! tightest `if`-`else`, `or`, `and`, `not`, comparisons, `|`, `^`, `&`, shifts, `+ -`,
//! `* / // % @`, unary `+ - ~`, `**` (right-associative, and binding tighter than a unary minus on
//! its left: `-2**2 == -4`, `2**-1 == 0.5`), then calls, subscripts and attributes. Valid Python
//! that the subset does not run (`def`, `for`, lambdas, comprehensions, `*args`, ...) is reported
//! as unsupported; invalid Python as a `SyntaxError` naming the line.

use super::ast::{
    BinOp, BoolOp, CmpOp, Expr, ExprKind, ImportAlias, Keyword, Span, Stmt, StmtKind, Target,
    UnaryOp,
};
use super::lexer::{syntax_error, tokenize, unsupported, Token, TokenKind};
use crate::{Error, Result};

/// Parses a whole script into statements, in source order.
///
/// Errors are `Error::Syntax` (message contains `line N, column M`) for invalid Python and
/// `Error::Unsupported` (message contains `line N`) for Python the subset does not run.
pub fn parse(src: &str) -> Result<Vec<Stmt>> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        toks: tokens,
        pos: 0,
    };
    p.module()
}

/// Parses a single expression (the whole input must be one expression, e.g. `"np.float32"`).
pub fn parse_expr(src: &str) -> Result<Expr> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        toks: tokens,
        pos: 0,
    };
    let e = p.star_expressions()?;
    if p.peek_kind() == &TokenKind::Newline {
        p.pos += 1;
    }
    if p.peek_kind() != &TokenKind::Eof {
        return Err(p.unexpected());
    }
    Ok(e)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

fn describe_token(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Name(n) => format!("name '{n}'"),
        TokenKind::Keyword(k) => format!("keyword '{k}'"),
        TokenKind::Int(_) | TokenKind::Float(_) => "number".to_string(),
        TokenKind::Str(_) | TokenKind::Bytes(_) => "string".to_string(),
        TokenKind::Op(o) => format!("'{o}'"),
        TokenKind::Newline => "end of line".to_string(),
        TokenKind::Eof => "end of input".to_string(),
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek_kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    fn peek_at(&self, k: usize) -> &TokenKind {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].kind
    }

    fn span(&self) -> Span {
        self.peek().span
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek_kind(), TokenKind::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek_kind(), TokenKind::Keyword(k) if *k == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn error_at(&self, span: Span, msg: &str) -> Error {
        syntax_error(self.src, span, msg)
    }

    fn unexpected(&self) -> Error {
        let t = self.peek();
        let msg = match &t.kind {
            TokenKind::Eof | TokenKind::Newline => "invalid syntax: unexpected end of line".into(),
            k => format!("invalid syntax: unexpected {}", describe_token(k)),
        };
        self.error_at(t.span, &msg)
    }

    fn expect_op(&mut self, op: &str) -> Result<Token> {
        if self.is_op(op) {
            Ok(self.advance())
        } else {
            let t = self.peek();
            Err(self.error_at(
                t.span,
                &format!(
                    "invalid syntax: expected '{op}', found {}",
                    describe_token(&t.kind)
                ),
            ))
        }
    }

    fn expect_name(&mut self, what: &str) -> Result<(String, Span)> {
        let t = self.peek().clone();
        match t.kind {
            TokenKind::Name(n) => {
                self.advance();
                Ok((n, t.span))
            }
            k => Err(self.error_at(
                t.span,
                &format!(
                    "invalid syntax: expected {what}, found {}",
                    describe_token(&k)
                ),
            )),
        }
    }

    // ----- statements -----

    fn module(&mut self) -> Result<Vec<Stmt>> {
        let mut out = Vec::new();
        loop {
            match self.peek_kind() {
                TokenKind::Eof => break,
                TokenKind::Newline => {
                    self.advance();
                }
                TokenKind::Op(";") => {
                    return Err(self.unexpected());
                }
                _ => {
                    // simple_stmts: stmt (';' stmt)* [';'] NEWLINE
                    loop {
                        out.push(self.simple_stmt()?);
                        if self.eat_op(";") {
                            if matches!(self.peek_kind(), TokenKind::Newline | TokenKind::Eof) {
                                break;
                            }
                            continue;
                        }
                        break;
                    }
                    match self.peek_kind() {
                        TokenKind::Newline => {
                            self.advance();
                        }
                        TokenKind::Eof => {}
                        _ => return Err(self.unexpected()),
                    }
                }
            }
        }
        Ok(out)
    }

    fn simple_stmt(&mut self) -> Result<Stmt> {
        let first = self.peek().clone();
        let kind = self.simple_stmt_kind()?;
        let last = &self.toks[self.pos.saturating_sub(1)];
        let start = first.start;
        let end = last.end.max(start);
        let text = self.src[start..end].to_string();
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.src[end..]
            .find('\n')
            .map_or(self.src.len(), |i| end + i);
        let line_text = self.src[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        Ok(Stmt {
            kind,
            span: first.span,
            text,
            line_text,
        })
    }

    fn simple_stmt_kind(&mut self) -> Result<StmtKind> {
        let span = self.span();
        if let TokenKind::Keyword(kw) = self.peek_kind().clone() {
            match kw {
                "import" => {
                    self.advance();
                    return self.parse_import();
                }
                "from" => {
                    self.advance();
                    return self.parse_from_import(span);
                }
                "pass" => {
                    self.advance();
                    return Ok(StmtKind::Pass);
                }
                "def" | "class" | "if" | "elif" | "else" | "for" | "while" | "with" | "try"
                | "except" | "finally" | "return" | "del" | "break" | "continue" | "global"
                | "nonlocal" | "assert" | "raise" | "yield" | "async" => {
                    return Err(unsupported(&format!("the `{kw}` statement"), span));
                }
                _ => {}
            }
        }
        let first = self.star_expressions()?;
        if self.is_op("=") {
            let mut exprs = vec![first];
            while self.eat_op("=") {
                exprs.push(self.star_expressions()?);
            }
            let value = exprs
                .pop()
                .unwrap_or_else(|| Expr::new(ExprKind::None, span));
            let targets = exprs
                .into_iter()
                .map(|e| self.to_target(e))
                .collect::<Result<Vec<_>>>()?;
            return Ok(StmtKind::Assign { targets, value });
        }
        if let TokenKind::Op(op) = self.peek_kind().clone() {
            let aug = match op {
                "+=" => Some(BinOp::Add),
                "-=" => Some(BinOp::Sub),
                "*=" => Some(BinOp::Mul),
                "/=" => Some(BinOp::Div),
                "//=" => Some(BinOp::FloorDiv),
                "%=" => Some(BinOp::Mod),
                "**=" => Some(BinOp::Pow),
                "@=" => Some(BinOp::MatMul),
                "<<=" => Some(BinOp::LShift),
                ">>=" => Some(BinOp::RShift),
                "&=" => Some(BinOp::BitAnd),
                "|=" => Some(BinOp::BitOr),
                "^=" => Some(BinOp::BitXor),
                _ => None,
            };
            if let Some(op) = aug {
                let op_span = self.span();
                self.advance();
                let target = self.to_target(first)?;
                if matches!(target, Target::Tuple(..)) {
                    return Err(self.error_at(
                        op_span,
                        "'tuple' is an illegal expression for augmented assignment",
                    ));
                }
                let value = self.star_expressions()?;
                return Ok(StmtKind::AugAssign { target, op, value });
            }
            if op == ":" {
                return Err(unsupported("an annotated assignment", self.span()));
            }
        }
        Ok(StmtKind::Expr(first))
    }

    fn to_target(&self, e: Expr) -> Result<Target> {
        let span = e.span;
        match e.kind {
            ExprKind::Name(n) => Ok(Target::Name(n, span)),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let ts = items
                    .into_iter()
                    .map(|i| self.to_target(i))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Target::Tuple(ts, span))
            }
            ExprKind::Attribute { value, attr } => Ok(Target::Attribute { value, attr, span }),
            ExprKind::Subscript { value, index } => Ok(Target::Subscript { value, index, span }),
            ExprKind::Call { .. } => Err(self.error_at(
                span,
                "cannot assign to function call here. Maybe you meant '==' instead of '='?",
            )),
            ExprKind::Bool(_) | ExprKind::None => {
                let name = match e.kind {
                    ExprKind::Bool(true) => "True",
                    ExprKind::Bool(false) => "False",
                    _ => "None",
                };
                Err(self.error_at(span, &format!("cannot assign to {name}")))
            }
            _ => {
                let probe = Expr::new(e.kind, span);
                Err(self.error_at(
                    span,
                    &format!(
                        "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                        probe.describe()
                    ),
                ))
            }
        }
    }

    fn dotted_name(&mut self) -> Result<(Vec<String>, Span)> {
        let (first, span) = self.expect_name("a module name")?;
        let mut path = vec![first];
        while self.eat_op(".") {
            path.push(self.expect_name("a module name")?.0);
        }
        Ok((path, span))
    }

    fn parse_import(&mut self) -> Result<StmtKind> {
        let mut names = Vec::new();
        loop {
            let (path, span) = self.dotted_name()?;
            let alias = if self.eat_kw("as") {
                Some(self.expect_name("a name after 'as'")?.0)
            } else {
                None
            };
            names.push(ImportAlias { path, alias, span });
            if !self.eat_op(",") {
                break;
            }
        }
        Ok(StmtKind::Import(names))
    }

    fn parse_from_import(&mut self, span: Span) -> Result<StmtKind> {
        if self.is_op(".") || self.is_op("...") {
            return Err(unsupported("a relative import", span));
        }
        let (module, _) = self.dotted_name()?;
        if !self.eat_kw("import") {
            return Err(self.error_at(self.span(), "invalid syntax: expected 'import'"));
        }
        if self.is_op("*") {
            return Err(unsupported("`from ... import *`", self.span()));
        }
        let paren = self.eat_op("(");
        let mut names = Vec::new();
        loop {
            let (name, nspan) = self.expect_name("a name to import")?;
            let alias = if self.eat_kw("as") {
                Some(self.expect_name("a name after 'as'")?.0)
            } else {
                None
            };
            names.push(ImportAlias {
                path: vec![name],
                alias,
                span: nspan,
            });
            if !self.eat_op(",") {
                break;
            }
            if paren && self.is_op(")") {
                break;
            }
            if !paren && matches!(self.peek_kind(), TokenKind::Newline | TokenKind::Eof) {
                return Err(self.error_at(
                    self.span(),
                    "trailing comma not allowed without surrounding parentheses",
                ));
            }
        }
        if paren {
            self.expect_op(")")?;
        }
        Ok(StmtKind::FromImport { module, names })
    }

    // ----- expressions -----

    /// `expression (',' expression)* [',']` — a bare tuple when there is a comma.
    fn star_expressions(&mut self) -> Result<Expr> {
        let span = self.span();
        if self.is_op("*") {
            return Err(unsupported("a starred expression", span));
        }
        let first = self.expression()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if !self.starts_expression() {
                break;
            }
            if self.is_op("*") {
                return Err(unsupported("a starred expression", self.span()));
            }
            items.push(self.expression()?);
        }
        Ok(Expr::new(ExprKind::Tuple(items), span))
    }

    fn starts_expression(&self) -> bool {
        match self.peek_kind() {
            TokenKind::Name(_)
            | TokenKind::Int(_)
            | TokenKind::Float(_)
            | TokenKind::Str(_)
            | TokenKind::Bytes(_) => true,
            TokenKind::Keyword(k) => {
                matches!(*k, "True" | "False" | "None" | "not" | "lambda" | "await")
            }
            TokenKind::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "..." | "*"),
            _ => false,
        }
    }

    fn expression(&mut self) -> Result<Expr> {
        let span = self.span();
        if self.is_kw("lambda") {
            return Err(unsupported("a lambda expression", span));
        }
        let body = self.disjunction()?;
        if self.is_kw("if") {
            self.advance();
            let test = self.disjunction()?;
            if !self.eat_kw("else") {
                return Err(self.error_at(self.span(), "expected 'else' after 'if' expression"));
            }
            let orelse = self.expression()?;
            return Ok(Expr::new(
                ExprKind::IfExp {
                    test: Box::new(test),
                    body: Box::new(body),
                    orelse: Box::new(orelse),
                },
                span,
            ));
        }
        if self.is_op(":=") {
            return Err(unsupported("an assignment expression (`:=`)", self.span()));
        }
        Ok(body)
    }

    fn bool_chain(
        &mut self,
        kw: &str,
        op: BoolOp,
        next: fn(&mut Self) -> Result<Expr>,
    ) -> Result<Expr> {
        let span = self.span();
        let first = next(self)?;
        if !self.is_kw(kw) {
            return Ok(first);
        }
        let mut values = vec![first];
        while self.eat_kw(kw) {
            values.push(next(self)?);
        }
        Ok(Expr::new(ExprKind::BoolOp { op, values }, span))
    }

    fn disjunction(&mut self) -> Result<Expr> {
        self.bool_chain("or", BoolOp::Or, Self::conjunction)
    }

    fn conjunction(&mut self) -> Result<Expr> {
        self.bool_chain("and", BoolOp::And, Self::inversion)
    }

    fn inversion(&mut self) -> Result<Expr> {
        let span = self.span();
        if self.eat_kw("not") {
            let operand = self.inversion()?;
            return Ok(Expr::new(
                ExprKind::Unary {
                    op: UnaryOp::Not,
                    operand: Box::new(operand),
                },
                span,
            ));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr> {
        let span = self.span();
        let left = self.bitwise_or()?;
        let mut ops = Vec::new();
        loop {
            let op = match self.peek_kind() {
                TokenKind::Op("==") => CmpOp::Eq,
                TokenKind::Op("!=") => CmpOp::NotEq,
                TokenKind::Op("<") => CmpOp::Lt,
                TokenKind::Op("<=") => CmpOp::LtE,
                TokenKind::Op(">") => CmpOp::Gt,
                TokenKind::Op(">=") => CmpOp::GtE,
                TokenKind::Keyword("in") => CmpOp::In,
                TokenKind::Keyword("is") => {
                    if matches!(self.peek_at(1), TokenKind::Keyword("not")) {
                        self.advance();
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                TokenKind::Keyword("not")
                    if matches!(self.peek_at(1), TokenKind::Keyword("in")) =>
                {
                    self.advance();
                    CmpOp::NotIn
                }
                _ => break,
            };
            self.advance();
            ops.push((op, self.bitwise_or()?));
        }
        if ops.is_empty() {
            return Ok(left);
        }
        Ok(Expr::new(
            ExprKind::Compare {
                left: Box::new(left),
                ops,
            },
            span,
        ))
    }

    /// One level of left-associative binary operators.
    fn binary_level(
        &mut self,
        table: &[(&str, BinOp)],
        next: fn(&mut Self) -> Result<Expr>,
    ) -> Result<Expr> {
        let span = self.span();
        let mut left = next(self)?;
        loop {
            let op = match self.peek_kind() {
                TokenKind::Op(o) => table.iter().find(|(s, _)| s == o).map(|&(_, op)| op),
                _ => None,
            };
            let Some(op) = op else { break };
            self.advance();
            let right = next(self)?;
            left = Expr::new(
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            );
        }
        Ok(left)
    }

    fn bitwise_or(&mut self) -> Result<Expr> {
        self.binary_level(&[("|", BinOp::BitOr)], Self::bitwise_xor)
    }

    fn bitwise_xor(&mut self) -> Result<Expr> {
        self.binary_level(&[("^", BinOp::BitXor)], Self::bitwise_and)
    }

    fn bitwise_and(&mut self) -> Result<Expr> {
        self.binary_level(&[("&", BinOp::BitAnd)], Self::shift_expr)
    }

    fn shift_expr(&mut self) -> Result<Expr> {
        self.binary_level(&[("<<", BinOp::LShift), (">>", BinOp::RShift)], Self::sum)
    }

    fn sum(&mut self) -> Result<Expr> {
        self.binary_level(&[("+", BinOp::Add), ("-", BinOp::Sub)], Self::term)
    }

    fn term(&mut self) -> Result<Expr> {
        self.binary_level(
            &[
                ("*", BinOp::Mul),
                ("/", BinOp::Div),
                ("//", BinOp::FloorDiv),
                ("%", BinOp::Mod),
                ("@", BinOp::MatMul),
            ],
            Self::factor,
        )
    }

    fn factor(&mut self) -> Result<Expr> {
        let span = self.span();
        let op = match self.peek_kind() {
            TokenKind::Op("-") => Some(UnaryOp::Neg),
            TokenKind::Op("+") => Some(UnaryOp::Pos),
            TokenKind::Op("~") => Some(UnaryOp::Invert),
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let operand = self.factor()?;
            return Ok(Expr::new(
                ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                span,
            ));
        }
        self.power()
    }

    fn power(&mut self) -> Result<Expr> {
        let span = self.span();
        if self.is_kw("await") {
            return Err(unsupported("`await`", span));
        }
        let base = self.primary()?;
        if self.eat_op("**") {
            let exp = self.factor()?;
            return Ok(Expr::new(
                ExprKind::Binary {
                    op: BinOp::Pow,
                    left: Box::new(base),
                    right: Box::new(exp),
                },
                span,
            ));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Expr> {
        let span = self.span();
        let mut e = self.atom()?;
        loop {
            if self.eat_op(".") {
                let (attr, _) = self.expect_name("an attribute name")?;
                e = Expr::new(
                    ExprKind::Attribute {
                        value: Box::new(e),
                        attr,
                    },
                    span,
                );
            } else if self.eat_op("(") {
                let (args, keywords) = self.call_args()?;
                e = Expr::new(
                    ExprKind::Call {
                        func: Box::new(e),
                        args,
                        keywords,
                    },
                    span,
                );
            } else if self.eat_op("[") {
                let index = self.slices()?;
                self.expect_op("]")?;
                e = Expr::new(
                    ExprKind::Subscript {
                        value: Box::new(e),
                        index: Box::new(index),
                    },
                    span,
                );
            } else {
                break;
            }
        }
        Ok(e)
    }

    /// Arguments after `(` up to and including `)`.
    fn call_args(&mut self) -> Result<(Vec<Expr>, Vec<Keyword>)> {
        let mut args = Vec::new();
        let mut keywords: Vec<Keyword> = Vec::new();
        loop {
            if self.eat_op(")") {
                break;
            }
            let span = self.span();
            if self.is_op("*") || self.is_op("**") {
                return Err(unsupported("`*args` / `**kwargs` in a call", span));
            }
            let is_kw = matches!(self.peek_kind(), TokenKind::Name(_))
                && matches!(self.peek_at(1), TokenKind::Op("="));
            if is_kw {
                let (name, nspan) = self.expect_name("a keyword")?;
                self.advance(); // '='
                if keywords.iter().any(|k| k.name == name) {
                    return Err(self.error_at(nspan, &format!("keyword argument repeated: {name}")));
                }
                let value = self.expression()?;
                keywords.push(Keyword {
                    name,
                    value,
                    span: nspan,
                });
            } else {
                let value = self.expression()?;
                if self.is_kw("for") || self.is_kw("async") {
                    return Err(unsupported("a generator expression", self.span()));
                }
                if self.is_op("=") {
                    return Err(self.error_at(
                        value.span,
                        "expression cannot contain assignment, perhaps you meant \"==\"?",
                    ));
                }
                if !keywords.is_empty() {
                    return Err(self.error_at(span, "positional argument follows keyword argument"));
                }
                args.push(value);
            }
            if self.eat_op(")") {
                break;
            }
            if !self.eat_op(",") {
                let t = self.peek();
                return Err(self.error_at(
                    t.span,
                    &format!(
                        "invalid syntax: expected ',' or ')' in call arguments, found {}",
                        describe_token(&t.kind)
                    ),
                ));
            }
        }
        Ok((args, keywords))
    }

    /// The inside of `[...]` after a primary: one slice / expression, or a tuple of them.
    fn slices(&mut self) -> Result<Expr> {
        let span = self.span();
        let first = self.slice()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            items.push(self.slice()?);
        }
        Ok(Expr::new(ExprKind::Tuple(items), span))
    }

    fn slice(&mut self) -> Result<Expr> {
        let span = self.span();
        if self.is_op("*") {
            return Err(unsupported("a starred index", span));
        }
        let lower = if self.is_op(":") {
            None
        } else {
            let e = self.expression()?;
            if !self.is_op(":") {
                return Ok(e);
            }
            Some(Box::new(e))
        };
        self.expect_op(":")?;
        let bound_ends = |p: &Self| p.is_op(":") || p.is_op(",") || p.is_op("]");
        let upper = if bound_ends(self) {
            None
        } else {
            Some(Box::new(self.expression()?))
        };
        let step = if self.eat_op(":") {
            if self.is_op(",") || self.is_op("]") {
                None
            } else {
                Some(Box::new(self.expression()?))
            }
        } else {
            None
        };
        Ok(Expr::new(ExprKind::Slice { lower, upper, step }, span))
    }

    fn atom(&mut self) -> Result<Expr> {
        let t = self.peek().clone();
        let span = t.span;
        match t.kind {
            TokenKind::Name(n) => {
                self.advance();
                Ok(Expr::new(ExprKind::Name(n), span))
            }
            TokenKind::Int(v) => {
                self.advance();
                Ok(Expr::new(ExprKind::Int(v), span))
            }
            TokenKind::Float(v) => {
                self.advance();
                Ok(Expr::new(ExprKind::Float(v), span))
            }
            TokenKind::Str(_) | TokenKind::Bytes(_) => self.strings(),
            TokenKind::Keyword("True") => {
                self.advance();
                Ok(Expr::new(ExprKind::Bool(true), span))
            }
            TokenKind::Keyword("False") => {
                self.advance();
                Ok(Expr::new(ExprKind::Bool(false), span))
            }
            TokenKind::Keyword("None") => {
                self.advance();
                Ok(Expr::new(ExprKind::None, span))
            }
            TokenKind::Keyword("lambda") => Err(unsupported("a lambda expression", span)),
            TokenKind::Keyword("yield") => Err(unsupported("a yield expression", span)),
            TokenKind::Op("...") => {
                self.advance();
                Ok(Expr::new(ExprKind::Ellipsis, span))
            }
            TokenKind::Op("(") => {
                self.advance();
                if self.eat_op(")") {
                    return Ok(Expr::new(ExprKind::Tuple(Vec::new()), span));
                }
                if self.is_kw("yield") {
                    return Err(unsupported("a yield expression", self.span()));
                }
                if self.is_op("*") {
                    return Err(unsupported("a starred expression", self.span()));
                }
                let first = self.expression()?;
                if self.is_kw("for") || self.is_kw("async") {
                    return Err(unsupported("a generator expression", self.span()));
                }
                if self.eat_op(")") {
                    // A parenthesised expression keeps the inner node (and its span).
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op(")") {
                        break;
                    }
                    if self.is_op("*") {
                        return Err(unsupported("a starred expression", self.span()));
                    }
                    items.push(self.expression()?);
                }
                self.expect_op(")")?;
                Ok(Expr::new(ExprKind::Tuple(items), span))
            }
            TokenKind::Op("[") => {
                self.advance();
                let mut items = Vec::new();
                loop {
                    if self.eat_op("]") {
                        break;
                    }
                    if self.is_op("*") {
                        return Err(unsupported("a starred expression", self.span()));
                    }
                    items.push(self.expression()?);
                    if self.is_kw("for") || self.is_kw("async") {
                        return Err(unsupported("a list comprehension", self.span()));
                    }
                    if self.eat_op("]") {
                        break;
                    }
                    self.expect_op(",")?;
                }
                Ok(Expr::new(ExprKind::List(items), span))
            }
            TokenKind::Op("{") => {
                self.advance();
                if self.eat_op("}") {
                    return Ok(Expr::new(ExprKind::Dict(Vec::new()), span));
                }
                if self.is_op("**") || self.is_op("*") {
                    return Err(unsupported("unpacking in a display", self.span()));
                }
                let first = self.expression()?;
                if self.eat_op(":") {
                    let v = self.expression()?;
                    if self.is_kw("for") || self.is_kw("async") {
                        return Err(unsupported("a dict comprehension", self.span()));
                    }
                    let mut pairs = vec![(first, v)];
                    loop {
                        if self.eat_op("}") {
                            break;
                        }
                        self.expect_op(",")?;
                        if self.eat_op("}") {
                            break;
                        }
                        if self.is_op("**") {
                            return Err(unsupported("unpacking in a display", self.span()));
                        }
                        let k = self.expression()?;
                        self.expect_op(":")?;
                        let v = self.expression()?;
                        pairs.push((k, v));
                    }
                    Ok(Expr::new(ExprKind::Dict(pairs), span))
                } else {
                    if self.is_kw("for") || self.is_kw("async") {
                        return Err(unsupported("a set comprehension", self.span()));
                    }
                    let mut items = vec![first];
                    loop {
                        if self.eat_op("}") {
                            break;
                        }
                        self.expect_op(",")?;
                        if self.eat_op("}") {
                            break;
                        }
                        items.push(self.expression()?);
                    }
                    Ok(Expr::new(ExprKind::Set(items), span))
                }
            }
            _ => Err(self.unexpected()),
        }
    }

    /// One or more adjacent string (or bytes) literals, concatenated.
    fn strings(&mut self) -> Result<Expr> {
        let span = self.span();
        let mut text: Option<String> = None;
        let mut bytes: Option<Vec<u8>> = None;
        loop {
            let t = self.peek().clone();
            match t.kind {
                TokenKind::Str(s) => {
                    if bytes.is_some() {
                        return Err(self.error_at(t.span, "cannot mix bytes and nonbytes literals"));
                    }
                    text.get_or_insert_with(String::new).push_str(&s);
                }
                TokenKind::Bytes(b) => {
                    if text.is_some() {
                        return Err(self.error_at(t.span, "cannot mix bytes and nonbytes literals"));
                    }
                    bytes.get_or_insert_with(Vec::new).extend_from_slice(&b);
                }
                _ => break,
            }
            self.advance();
        }
        let kind = match (text, bytes) {
            (Some(s), _) => ExprKind::Str(s),
            (None, Some(b)) => ExprKind::Bytes(b),
            (None, None) => return Err(self.unexpected()),
        };
        Ok(Expr::new(kind, span))
    }
}
