//! Syntax tree of the Python subset that `seedbridge run` executes.
//!
//! Node shapes follow CPython's `ast` module (`Attribute`, `Subscript`, `Call` with keywords,
//! `Slice`, ...) so that an evaluator can be written the way CPython evaluates; only the subset's
//! nodes exist. Every node carries the [`Span`] of its first character.

use num_bigint::BigInt;

/// A position in the script: 1-based line and 1-based column (counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// One statement of the script.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What the statement does.
    pub kind: StmtKind,
    /// Where the statement starts.
    pub span: Span,
    /// The statement's own source text, from its first to its last token (may span lines when
    /// brackets or backslashes continue it).
    pub text: String,
    /// The full physical source line(s) the statement is on, without the trailing newline, for
    /// error messages (`a = 1; b = f()` gives that whole line for both statements).
    pub line_text: String,
}

/// `name` or `a.b.c`, optionally `as alias`, in an import statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportAlias {
    /// The dotted module path (`["numpy", "random"]`) or, in `from m import x`, the single name.
    pub path: Vec<String>,
    /// The `as` name, if any.
    pub alias: Option<String>,
    /// Where the name starts.
    pub span: Span,
}

impl ImportAlias {
    /// The dotted module name, e.g. `numpy.random`.
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }

    /// The name the import binds: the alias, else (for `import a.b`) the first component `a`.
    pub fn bound_name(&self) -> &str {
        match &self.alias {
            Some(a) => a,
            None => &self.path[0],
        }
    }
}

/// The statement kinds of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `import a.b as c, d` — one entry per imported module.
    Import(Vec<ImportAlias>),
    /// `from a.b import c as d, e` (`names` holds single-component paths).
    FromImport {
        /// The module imported from, as dotted components.
        module: Vec<String>,
        /// The imported names with optional aliases.
        names: Vec<ImportAlias>,
    },
    /// `t1 = t2 = value` — `targets` in source order (usually one).
    Assign {
        /// The assignment targets, leftmost first.
        targets: Vec<Target>,
        /// The assigned expression (a tuple for `a = 1, 2`).
        value: Expr,
    },
    /// `target op= value`, e.g. `x += 1`.
    AugAssign {
        /// The single target.
        target: Target,
        /// The binary operator applied.
        op: BinOp,
        /// The right-hand side.
        value: Expr,
    },
    /// An expression evaluated for its value (`print(x)`, `torch.rand(3)`).
    Expr(Expr),
    /// `pass`.
    Pass,
}

/// The left-hand side of an assignment.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A plain name.
    Name(String, Span),
    /// `a, b` or `(a, b)` or `[a, b]` — unpacking.
    Tuple(Vec<Target>, Span),
    /// `obj.attr = ...`.
    Attribute {
        /// The object.
        value: Box<Expr>,
        /// The attribute name.
        attr: String,
        /// Where the target starts.
        span: Span,
    },
    /// `obj[index] = ...`.
    Subscript {
        /// The object.
        value: Box<Expr>,
        /// The index expression (a [`ExprKind::Tuple`] for `x[a, b]`).
        index: Box<Expr>,
        /// Where the target starts.
        span: Span,
    },
}

impl Target {
    /// Where the target starts.
    pub fn span(&self) -> Span {
        match self {
            Target::Name(_, s) | Target::Tuple(_, s) => *s,
            Target::Attribute { span, .. } | Target::Subscript { span, .. } => *span,
        }
    }
}

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it starts.
    pub span: Span,
}

/// A `name=value` argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// The parameter name.
    pub name: String,
    /// The argument value.
    pub value: Expr,
    /// Where `name` starts.
    pub span: Span,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `not x`
    Not,
    /// `~x`
    Invert,
}

/// Binary arithmetic / bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `@`
    MatMul,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
}

impl BinOp {
    /// The operator as written in Python (`"//"`).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtE,
    /// `>`
    Gt,
    /// `>=`
    GtE,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl CmpOp {
    /// The operator as written in Python (`"not in"`).
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtE => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtE => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoolOp {
    /// `a and b`
    And,
    /// `a or b`
    Or,
}

/// The expression kinds of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal (non-negative; `-1` is `Unary(Neg, Int(1))`, as in Python).
    Int(BigInt),
    /// A float literal.
    Float(f64),
    /// A string literal (adjacent literals already concatenated).
    Str(String),
    /// A bytes literal.
    Bytes(Vec<u8>),
    /// `True` / `False`.
    Bool(bool),
    /// `None`.
    None,
    /// `...`.
    Ellipsis,
    /// A variable or module name.
    Name(String),
    /// `-x`, `+x`, `not x`, `~x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `a and b and c` / `a or b`.
    BoolOp {
        /// The operator.
        op: BoolOp,
        /// Two or more operands.
        values: Vec<Expr>,
    },
    /// A comparison chain `a < b <= c`.
    Compare {
        /// The first operand.
        left: Box<Expr>,
        /// Each operator with its right operand.
        ops: Vec<(CmpOp, Expr)>,
    },
    /// `body if test else orelse`.
    IfExp {
        /// The condition.
        test: Box<Expr>,
        /// Value when true.
        body: Box<Expr>,
        /// Value when false.
        orelse: Box<Expr>,
    },
    /// `(a, b)`, `(a,)`, `()` or a bare `a, b`.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{k: v, ...}`.
    Dict(Vec<(Expr, Expr)>),
    /// `{a, b}` (non-empty).
    Set(Vec<Expr>),
    /// `value.attr`.
    Attribute {
        /// The object.
        value: Box<Expr>,
        /// The attribute name.
        attr: String,
    },
    /// `value[index]`; `x[1:3]` has a [`ExprKind::Slice`] index, `x[:, 0]` a tuple of a slice
    /// and an int.
    Subscript {
        /// The indexed object.
        value: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// `lower:upper:step` inside a subscript; absent parts are `None`.
    Slice {
        /// Start.
        lower: Option<Box<Expr>>,
        /// Stop.
        upper: Option<Box<Expr>>,
        /// Step.
        step: Option<Box<Expr>>,
    },
    /// `func(args, name=value)`.
    Call {
        /// The callee (often an [`ExprKind::Attribute`] chain such as `np.random.rand`).
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments in source order.
        keywords: Vec<Keyword>,
    },
}

impl Expr {
    /// Builds a node.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// The components of a dotted name (`np.random.rand` gives `["np", "random", "rand"]`), or
    /// `None` if the expression is not a pure chain of attributes on a name.
    pub fn dotted_path(&self) -> Option<Vec<&str>> {
        match &self.kind {
            ExprKind::Name(n) => Some(vec![n.as_str()]),
            ExprKind::Attribute { value, attr } => {
                let mut p = value.dotted_path()?;
                p.push(attr.as_str());
                Some(p)
            }
            _ => None,
        }
    }

    /// [`Expr::dotted_path`] joined with dots: `Some("np.random.rand")`.
    pub fn dotted_name(&self) -> Option<String> {
        self.dotted_path().map(|p| p.join("."))
    }

    /// A short description of the node kind for error messages (`"call"`, `"attribute"`).
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bytes(_) => {
                "literal"
            }
            ExprKind::Bool(_) | ExprKind::None | ExprKind::Ellipsis => "constant",
            ExprKind::Name(_) => "name",
            ExprKind::Unary { .. } | ExprKind::Binary { .. } | ExprKind::BoolOp { .. } => {
                "expression"
            }
            ExprKind::Compare { .. } => "comparison",
            ExprKind::IfExp { .. } => "conditional expression",
            ExprKind::Tuple(_) => "tuple",
            ExprKind::List(_) => "list",
            ExprKind::Dict(_) => "dict literal",
            ExprKind::Set(_) => "set display",
            ExprKind::Attribute { .. } => "attribute",
            ExprKind::Subscript { .. } => "subscript",
            ExprKind::Slice { .. } => "slice",
            ExprKind::Call { .. } => "function call",
        }
    }
}
