//! Parser tests for the `run` language (a Python subset).

use num_bigint::BigInt;
use seedbridge::script::ast::{
    BinOp, CmpOp, Expr, ExprKind, Span, Stmt, StmtKind, Target, UnaryOp,
};
use seedbridge::script::parser::{parse, parse_expr};
use seedbridge::Error;

fn expr(src: &str) -> Expr {
    parse_expr(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn stmts(src: &str) -> Vec<Stmt> {
    parse(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn syntax_err(src: &str) -> String {
    match parse(src) {
        Err(Error::Syntax(m)) => m,
        other => panic!("{src}: expected a syntax error, got {other:?}"),
    }
}

fn unsupported_err(src: &str) -> String {
    match parse(src) {
        Err(Error::Unsupported(m)) => m,
        other => panic!("{src}: expected unsupported, got {other:?}"),
    }
}

/// A compact S-expression rendering of an expression, for precedence tests.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bytes(b) => format!("b{b:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::None => "None".into(),
        ExprKind::Ellipsis => "...".into(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Unary { op, operand } => {
            let o = match op {
                UnaryOp::Neg => "neg",
                UnaryOp::Pos => "pos",
                UnaryOp::Not => "not",
                UnaryOp::Invert => "inv",
            };
            format!("({o} {})", sx(operand))
        }
        ExprKind::Binary { op, left, right } => {
            format!("({} {} {})", op.symbol(), sx(left), sx(right))
        }
        ExprKind::BoolOp { op, values } => {
            let parts: Vec<String> = values.iter().map(sx).collect();
            format!("({:?} {})", op, parts.join(" "))
        }
        ExprKind::Compare { left, ops } => {
            let mut s = format!("(cmp {}", sx(left));
            for (op, r) in ops {
                s += &format!(" {} {}", op.symbol(), sx(r));
            }
            s + ")"
        }
        ExprKind::IfExp { test, body, orelse } => {
            format!("(if {} {} {})", sx(test), sx(body), sx(orelse))
        }
        ExprKind::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(sx).collect();
            format!("(tuple {})", parts.join(" "))
        }
        ExprKind::List(items) => {
            let parts: Vec<String> = items.iter().map(sx).collect();
            format!("[{}]", parts.join(" "))
        }
        ExprKind::Set(items) => {
            let parts: Vec<String> = items.iter().map(sx).collect();
            format!("(set {})", parts.join(" "))
        }
        ExprKind::Dict(pairs) => {
            let parts: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", sx(k), sx(v)))
                .collect();
            format!("{{{}}}", parts.join(" "))
        }
        ExprKind::Attribute { value, attr } => format!("{}.{attr}", sx(value)),
        ExprKind::Subscript { value, index } => format!("{}[{}]", sx(value), sx(index)),
        ExprKind::Slice { lower, upper, step } => {
            let f = |o: &Option<Box<Expr>>| o.as_ref().map(|e| sx(e)).unwrap_or_default();
            format!("(slice {} {} {})", f(lower), f(upper), f(step))
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            let mut parts: Vec<String> = args.iter().map(sx).collect();
            parts.extend(
                keywords
                    .iter()
                    .map(|k| format!("{}={}", k.name, sx(&k.value))),
            );
            format!("{}({})", sx(func), parts.join(", "))
        }
    }
}

fn sxs(src: &str) -> String {
    sx(&expr(src))
}

#[test]
fn imports() {
    let s = stmts(
        "import numpy as np\nimport torch\nimport random\nimport numpy\nimport a.b.c as d, e.f",
    );
    assert_eq!(s.len(), 5);
    match &s[0].kind {
        StmtKind::Import(names) => {
            assert_eq!(names[0].path, vec!["numpy"]);
            assert_eq!(names[0].alias.as_deref(), Some("np"));
            assert_eq!(names[0].bound_name(), "np");
        }
        k => panic!("{k:?}"),
    }
    match &s[4].kind {
        StmtKind::Import(names) => {
            assert_eq!(names.len(), 2);
            assert_eq!(names[0].dotted(), "a.b.c");
            assert_eq!(names[0].bound_name(), "d");
            assert_eq!(names[1].dotted(), "e.f");
            assert_eq!(names[1].bound_name(), "e");
        }
        k => panic!("{k:?}"),
    }
    let s = stmts("from numpy import random as r, float32\nfrom numpy.random import (default_rng,\n   Generator,)\n");
    match &s[0].kind {
        StmtKind::FromImport { module, names } => {
            assert_eq!(module, &vec!["numpy".to_string()]);
            assert_eq!(names[0].bound_name(), "r");
            assert_eq!(names[1].bound_name(), "float32");
        }
        k => panic!("{k:?}"),
    }
    match &s[1].kind {
        StmtKind::FromImport { module, names } => {
            assert_eq!(module.join("."), "numpy.random");
            assert_eq!(names.len(), 2);
        }
        k => panic!("{k:?}"),
    }
    assert!(unsupported_err("from . import x").contains("line 1"));
    assert!(unsupported_err("from numpy import *").contains("import *"));
    syntax_err("import");
    syntax_err("import numpy as");
    syntax_err("from numpy import a,");
}

#[test]
fn assignments_and_statements() {
    let s = stmts("x = torch.rand(3)\na, b = 1, 2\nc = d = 5\nx += 1\n(p, [q, r]) = t\nobj.attr = 1\nx[0] = 2\npass");
    assert_eq!(s.len(), 8);
    match &s[0].kind {
        StmtKind::Assign { targets, value } => {
            assert_eq!(
                targets,
                &vec![Target::Name("x".into(), Span { line: 1, col: 1 })]
            );
            assert_eq!(sx(value), "torch.rand(3)");
        }
        k => panic!("{k:?}"),
    }
    match &s[1].kind {
        StmtKind::Assign { targets, value } => {
            assert!(matches!(&targets[0], Target::Tuple(t, _) if t.len() == 2));
            assert_eq!(sx(value), "(tuple 1 2)");
        }
        k => panic!("{k:?}"),
    }
    match &s[2].kind {
        StmtKind::Assign { targets, value } => {
            assert_eq!(targets.len(), 2);
            assert_eq!(sx(value), "5");
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(
        &s[3].kind,
        StmtKind::AugAssign { op: BinOp::Add, .. }
    ));
    match &s[4].kind {
        StmtKind::Assign { targets, .. } => match &targets[0] {
            Target::Tuple(t, _) => assert!(matches!(&t[1], Target::Tuple(u, _) if u.len() == 2)),
            t => panic!("{t:?}"),
        },
        k => panic!("{k:?}"),
    }
    assert!(
        matches!(&s[5].kind, StmtKind::Assign { targets, .. } if matches!(targets[0], Target::Attribute { .. }))
    );
    assert!(
        matches!(&s[6].kind, StmtKind::Assign { targets, .. } if matches!(targets[0], Target::Subscript { .. }))
    );
    assert_eq!(s[7].kind, StmtKind::Pass);

    assert!(syntax_err("f() = 1").contains("line 1"));
    assert!(syntax_err("x = 1\n1 = x").contains("line 2"));
    syntax_err("None = 1");
    syntax_err("a, b += 1");
}

#[test]
fn separators_comments_continuations() {
    let src = "# header comment\n\nimport numpy as np  # trailing\n\n   \n# only comment\na = 1; b = 2;\nc = (1 +\n     2)\nd = [1,\n  2,  # inside\n]\ne = 1 + \\\n    2\nprint(a,\n      b)\n";
    let s = stmts(src);
    assert_eq!(s.len(), 7);
    assert_eq!(s[1].text, "a = 1");
    assert_eq!(s[2].text, "b = 2");
    assert_eq!(s[1].line_text, "a = 1; b = 2;");
    assert_eq!(s[2].line_text, "a = 1; b = 2;");
    assert_eq!(s[2].span, Span { line: 7, col: 8 });
    assert_eq!(s[3].text, "c = (1 +\n     2)");
    assert_eq!(s[3].line_text, "c = (1 +\n     2)");
    assert_eq!(s[4].span.line, 10);
    assert_eq!(s[5].span.line, 13);
    match &s[5].kind {
        StmtKind::Assign { value, .. } => assert_eq!(sx(value), "(+ 1 2)"),
        k => panic!("{k:?}"),
    }
    match &s[6].kind {
        StmtKind::Expr(e) => assert_eq!(sx(e), "print(a, b)"),
        k => panic!("{k:?}"),
    }
    // CRLF line endings and no final newline.
    let s = stmts("a = 1\r\nb = 2\r\nprint(b)");
    assert_eq!(s.len(), 3);
    assert_eq!(s[1].line_text, "b = 2");
    // Empty script, comments only.
    assert!(stmts("").is_empty());
    assert!(stmts("# nothing\n\n").is_empty());
    // Indentation is an error, as in Python.
    assert!(syntax_err("a = 1\n  b = 2").contains("unexpected indent"));
    syntax_err("a = 1;;");
    syntax_err("; a = 1");
    syntax_err("a = 1 b = 2");
    syntax_err("e = 1 + \\ 2");
}

#[test]
fn int_literals() {
    let cases: &[(&str, &str)] = &[
        ("0", "0"),
        ("000", "0"),
        ("1_000_000", "1000000"),
        ("0x_FF", "255"),
        ("0XdeadBEEF", "3735928559"),
        ("0b1010", "10"),
        ("0B1_0", "2"),
        ("0o777", "511"),
        (
            "12345678901234567890123456789012345678901234567890",
            "12345678901234567890123456789012345678901234567890",
        ),
        (
            "0xffffffffffffffffffffffffffffffff",
            "340282366920938463463374607431768211455",
        ),
    ];
    for (src, want) in cases {
        match expr(src).kind {
            ExprKind::Int(v) => assert_eq!(v, want.parse::<BigInt>().unwrap(), "{src}"),
            k => panic!("{src}: {k:?}"),
        }
    }
    for bad in ["0777", "1__0", "1_", "0x", "0b2", "0o8", "12abc", "0xg"] {
        syntax_err(bad);
    }
    unsupported_err("3j");
}

#[test]
fn float_literals() {
    let cases: &[(&str, f64)] = &[
        ("1.", 1.0),
        (".5", 0.5),
        ("1e-3", 1e-3),
        ("1E+3", 1000.0),
        ("1_000.0", 1000.0),
        ("1.5e1_0", 1.5e10),
        ("1.e5", 1e5),
        ("0.1", 0.1),
        ("3.141592653589793", std::f64::consts::PI),
        ("1e400", f64::INFINITY),
        ("1e-400", 0.0),
        ("2.2250738585072011e-308", 2.225_073_858_507_201e-308),
        ("0e0", 0.0),
        ("00.5", 0.5),
        ("09.5", 9.5),
        ("4.9406564584124654e-324", 5e-324),
    ];
    for (src, want) in cases {
        match expr(src).kind {
            ExprKind::Float(v) => assert_eq!(v.to_bits(), want.to_bits(), "{src}"),
            k => panic!("{src}: {k:?}"),
        }
    }
    for bad in ["1e", "1.5e+", "1._5", "1.0_", "1e5x"] {
        syntax_err(bad);
    }
    // `inf` is a name, not a literal.
    assert_eq!(sxs("inf"), "inf");
}

#[test]
fn constants_and_strings() {
    assert_eq!(sxs("True"), "true");
    assert_eq!(sxs("False"), "false");
    assert_eq!(sxs("None"), "None");
    assert_eq!(sxs("..."), "...");
    let strs: &[(&str, &str)] = &[
        ("'abc'", "abc"),
        ("\"cuda:0\"", "cuda:0"),
        (r"'a\nb\tc\\d\'e'", "a\nb\tc\\d'e"),
        (r"'\x41\101\u00e9\U0001F600'", "AAé😀"),
        (r"r'\n\d'", "\\n\\d"),
        (r"'\q'", "\\q"),
        ("'a' \"b\" 'c'", "abc"),
        ("'''multi\nline'''", "multi\nline"),
        ("\"\"\"x\"y\"\"\"", "x\"y"),
        ("'line\\\ncontinued'", "linecontinued"),
        ("u'x'", "x"),
        ("('a'\n 'b')", "ab"),
    ];
    for (src, want) in strs {
        match expr(src).kind {
            ExprKind::Str(s) => assert_eq!(&s, want, "{src}"),
            k => panic!("{src}: {k:?}"),
        }
    }
    match expr(r"b'\x00\xff' B'ab' rb'\n'").kind {
        ExprKind::Bytes(b) => assert_eq!(b, vec![0, 255, b'a', b'b', b'\\', b'n']),
        k => panic!("{k:?}"),
    }
    syntax_err("'abc");
    syntax_err("'abc\n'");
    syntax_err("'''abc");
    syntax_err("'a' b'b'");
    syntax_err("b'é'");
    unsupported_err("f'{x}'");
}

#[test]
fn precedence() {
    let cases: &[(&str, &str)] = &[
        ("-2**2", "(neg (** 2 2))"),
        ("2**-1", "(** 2 (neg 1))"),
        ("2**3**2", "(** 2 (** 3 2))"),
        ("-x**-y", "(neg (** x (neg y)))"),
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("a / b // c % d", "(% (// (/ a b) c) d)"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("--x", "(neg (neg x))"),
        ("+-x", "(pos (neg x))"),
        ("not a == b", "(not (cmp a == b))"),
        ("a < b <= c", "(cmp a < b <= c)"),
        ("a is not None", "(cmp a is not None)"),
        ("a not in b", "(cmp a not in b)"),
        ("a or b and c", "(Or a (And b c))"),
        ("a if c else b", "(if c a b)"),
        ("1 << 2 + 3", "(<< 1 (+ 2 3))"),
        ("a | b ^ c & d", "(| a (^ b (& c d)))"),
        ("~x", "(inv x)"),
        ("-x.y", "(neg x.y)"),
        ("2 * -3", "(* 2 (neg 3))"),
        ("a @ b", "(@ a b)"),
        ("-1.5e3", "(neg 1500.0)"),
    ];
    for (src, want) in cases {
        assert_eq!(&sxs(src), want, "{src}");
    }
}

#[test]
fn collections() {
    let cases: &[(&str, &str)] = &[
        ("(1, 2)", "(tuple 1 2)"),
        ("(3,)", "(tuple 3)"),
        ("()", "(tuple )"),
        ("(3)", "3"),
        ("1, 2", "(tuple 1 2)"),
        ("1,", "(tuple 1)"),
        ("[1, 2]", "[1 2]"),
        ("[]", "[]"),
        ("[1, [2, 3],]", "[1 [2 3]]"),
        ("{'a': 1, 'b': [1, 2]}", "{\"a\":1 \"b\":[1 2]}"),
        ("{}", "{}"),
        ("{1, 2}", "(set 1 2)"),
        (
            "{'state': ('MT19937', k, 624)}",
            "{\"state\":(tuple \"MT19937\" k 624)}",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(&sxs(src), want, "{src}");
    }
    unsupported_err("[x for x in y]");
    unsupported_err("(x for x in y)");
    unsupported_err("{k: v for k in y}");
    syntax_err("[1, 2");
    syntax_err("(1, 2]");
    syntax_err("{1: 2, 3}");
}

#[test]
fn calls_attributes_subscripts() {
    let cases: &[(&str, &str)] = &[
        ("np.random.rand(3, 4)", "np.random.rand(3, 4)"),
        (
            "torch.empty(3).normal_(0, 1)",
            "torch.empty(3).normal_(0, 1)",
        ),
        (
            "torch.Generator().manual_seed(7)",
            "torch.Generator().manual_seed(7)",
        ),
        (
            "torch.randn(2, 3, dtype=torch.float64, device='cuda:0', generator=g)",
            "torch.randn(2, 3, dtype=torch.float64, device=\"cuda:0\", generator=g)",
        ),
        ("f(a,)", "f(a)"),
        ("f()", "f()"),
        ("f(x=1,)", "f(x=1)"),
        ("f(\n  1,\n  2,\n)", "f(1, 2)"),
        ("x[0]", "x[0]"),
        ("x[-1]", "x[(neg 1)]"),
        ("x[1:3]", "x[(slice 1 3 )]"),
        ("x[:, 0]", "x[(tuple (slice   ) 0)]"),
        ("x[::2]", "x[(slice   2)]"),
        ("x[1:]", "x[(slice 1  )]"),
        ("x[:-1]", "x[(slice  (neg 1) )]"),
        ("x[1:2:3, ..., None]", "x[(tuple (slice 1 2 3) ... None)]"),
        ("x[0,]", "x[(tuple 0)]"),
        ("x[0][1]", "x[0][1]"),
        ("a.b[0].c(1)[2]", "a.b[0].c(1)[2]"),
        ("g.get_state()['state']", "g.get_state()[\"state\"]"),
        ("(a + b).sum()", "(+ a b).sum()"),
        ("f(a)(b)", "f(a)(b)"),
    ];
    for (src, want) in cases {
        assert_eq!(&sxs(src), want, "{src}");
    }
    let e = expr("np.random.rand");
    assert_eq!(e.dotted_path(), Some(vec!["np", "random", "rand"]));
    assert_eq!(e.dotted_name().as_deref(), Some("np.random.rand"));
    match expr("np.random.default_rng(42).random(3)").kind {
        ExprKind::Call { func, args, .. } => {
            assert_eq!(func.dotted_name(), None);
            assert_eq!(args.len(), 1);
            match func.kind {
                ExprKind::Attribute { value, attr } => {
                    assert_eq!(attr, "random");
                    match value.kind {
                        ExprKind::Call { func, .. } => {
                            assert_eq!(func.dotted_name().as_deref(), Some("np.random.default_rng"))
                        }
                        k => panic!("{k:?}"),
                    }
                }
                k => panic!("{k:?}"),
            }
        }
        k => panic!("{k:?}"),
    }
    assert!(syntax_err("f(a=1, 2)").contains("positional argument follows keyword argument"));
    assert!(syntax_err("f(a=1, a=2)").contains("repeated"));
    syntax_err("f(1 2)");
    syntax_err("f(1");
    syntax_err("x.");
    syntax_err("x.1");
    syntax_err("x[]");
    unsupported_err("f(*args)");
    unsupported_err("f(**kw)");
}

#[test]
fn spans() {
    let s = stmts("import torch\nx = torch.rand(2,\n               3)  \ny = -x");
    assert_eq!(s[0].span, Span { line: 1, col: 1 });
    assert_eq!(s[1].span, Span { line: 2, col: 1 });
    assert_eq!(s[1].text, "x = torch.rand(2,\n               3)");
    match &s[1].kind {
        StmtKind::Assign { value, .. } => {
            assert_eq!(value.span, Span { line: 2, col: 5 });
            match &value.kind {
                ExprKind::Call { args, .. } => {
                    assert_eq!(args[0].span, Span { line: 2, col: 16 });
                    assert_eq!(args[1].span, Span { line: 3, col: 16 });
                }
                k => panic!("{k:?}"),
            }
        }
        k => panic!("{k:?}"),
    }
    match &s[2].kind {
        StmtKind::Assign { value, .. } => match &value.kind {
            ExprKind::Unary { operand, .. } => assert_eq!(operand.span, Span { line: 4, col: 6 }),
            k => panic!("{k:?}"),
        },
        k => panic!("{k:?}"),
    }
    // Columns count characters, not bytes.
    let s = stmts("s = 'é'; t = 1");
    assert_eq!(s[1].span, Span { line: 1, col: 10 });
}

#[test]
fn error_messages_name_the_line() {
    let cases: &[(&str, usize)] = &[
        ("import numpy as np\nx = (1 +\n", 2),
        ("a = 1\nb = )", 2),
        ("a = 1\n\n\nprint(a b)", 4),
        ("x = [1, 2\ny = 3", 1),
        ("x = 1]", 1),
        ("a = 1\nb = $", 2),
        ("a = 1\nb = 'open", 2),
        ("a = 1\nb = 0777", 2),
        ("a = 1\nb = c d", 2),
    ];
    for (src, line) in cases {
        let m = syntax_err(src);
        assert!(m.contains(&format!("line {line}")), "{src}: {m}");
    }
    let m = syntax_err("a = 1\nb = )");
    assert!(m.contains("b = )"), "{m}");
    for (src, line) in [
        ("x = 1\nfor i in range(3): pass", 2),
        ("def f(): pass", 1),
        ("a = 1\nf = lambda x: x", 2),
        ("a = 1\n\nif a: pass", 3),
        ("x = 1\nwhile x: pass", 2),
        ("x: int = 3", 1),
    ] {
        let m = unsupported_err(src);
        assert!(m.contains(&format!("line {line}")), "{src}: {m}");
    }
    let e = parse("x = (1 +").unwrap_err();
    assert!(e.to_string().starts_with("SyntaxError: "), "{e}");
}

#[test]
fn cmp_ops_present() {
    match expr("a != b").kind {
        ExprKind::Compare { ops, .. } => assert_eq!(ops[0].0, CmpOp::NotEq),
        k => panic!("{k:?}"),
    }
}

#[test]
fn realistic_script() {
    let src = r#"
import numpy as np
import torch

np.random.seed(0)
a = np.random.rand(3)
print(a)
rng = np.random.default_rng(12345)
rng.normal(0.0, 1.0, size=(2, 3))
torch.manual_seed(42)
t = torch.randn(2, 3, dtype=torch.float64)
torch.empty(3).normal_(0, 1)
g = torch.Generator().manual_seed(7)
torch.rand(4, generator=g, device='cuda')
torch.randint(0, 10, (5,), dtype=torch.int32)
np.random.set_state(('MT19937', np.arange(624, dtype=np.uint32), 624, 0, 0.0))
x = 2**31 - 1; y = -0x10
"#;
    let s = stmts(src);
    assert_eq!(s.len(), 16);
    assert!(s
        .iter()
        .all(|st| st.span.col == 1 || st.text.starts_with('y')));
}
