//! Tokenizer for the Python subset that `seedbridge run` executes.
//!
//! It follows CPython's tokenizer (`Lib/tokenize.py`, `Parser/tokenizer.c`) for the parts the
//! subset needs: names, keywords, every integer and float literal form (with underscores),
//! string and bytes literals (all quote styles and escapes, raw prefixes, implicit line joining
//! inside brackets, backslash continuations) and comments. Indented blocks do not exist in the
//! subset, so a logical line that starts with whitespace is an error, as in Python.

use num_bigint::BigInt;
use num_traits::Num;

use super::ast::Span;
use crate::{Error, Result};

/// One token's kind and payload.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// An identifier (keywords are [`TokenKind::Keyword`]).
    Name(String),
    /// A reserved word (`import`, `True`, `not`, `for`, ...).
    Keyword(&'static str),
    /// An integer literal, any base, any size.
    Int(BigInt),
    /// A float literal, correctly rounded to the nearest f64 (like Python's `float(str)`).
    Float(f64),
    /// A `str` literal with escapes resolved.
    Str(String),
    /// A `bytes` literal (`b'..'`) with escapes resolved.
    Bytes(Vec<u8>),
    /// An operator or delimiter, e.g. `"**"`, `"("`, `"="`.
    Op(&'static str),
    /// End of a logical line.
    Newline,
    /// End of input.
    Eof,
}

/// A token with its position in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Line and column (1-based, in characters) of its first character.
    pub span: Span,
    /// Byte offset of its first character in the source.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

/// Python's reserved words (plus the soft keywords the subset never treats as names).
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Operators, longest first so that greedy matching works.
const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "!", "%", "&", "(", ")", "*", "+", ",",
    "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~",
];

/// Builds a `SyntaxError` naming the line and column, followed by the offending source line and
/// a caret under the column.
pub(crate) fn syntax_error(src: &str, span: Span, msg: &str) -> Error {
    let line_text = src.lines().nth(span.line.saturating_sub(1)).unwrap_or("");
    let caret_pad: String = line_text
        .chars()
        .take(span.col.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    Error::Syntax(format!(
        "{msg} (line {}, column {})\n    {}\n    {caret_pad}^",
        span.line,
        span.col,
        line_text.trim_end()
    ))
}

/// Builds an `Unsupported` error for valid Python the subset does not run.
pub(crate) fn unsupported(what: &str, span: Span) -> Error {
    Error::Unsupported(format!("{what} (line {})", span.line))
}

struct Lexer<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
    line: usize,
    col: usize,
    depth: Vec<(char, Span)>,
    tokens: Vec<Token>,
    at_line_start: bool,
}

impl<'a> Lexer<'a> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).map(|&(_, c)| c)
    }

    fn offset(&self) -> usize {
        self.chars.get(self.pos).map_or(self.src.len(), |&(o, _)| o)
    }

    fn span(&self) -> Span {
        Span {
            line: self.line,
            col: self.col,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn err(&self, span: Span, msg: &str) -> Error {
        syntax_error(self.src, span, msg)
    }

    fn push(&mut self, kind: TokenKind, span: Span, start: usize) {
        let end = self.offset();
        self.tokens.push(Token {
            kind,
            span,
            start,
            end,
        });
    }

    fn push_newline(&mut self) {
        let needs = matches!(self.tokens.last(), Some(t) if t.kind != TokenKind::Newline);
        if needs {
            let span = self.span();
            let start = self.offset();
            self.tokens.push(Token {
                kind: TokenKind::Newline,
                span,
                start,
                end: start,
            });
        }
    }

    fn run(mut self) -> Result<Vec<Token>> {
        loop {
            if self.at_line_start && self.depth.is_empty() {
                self.at_line_start = false;
                // Leading whitespace of a logical line: fine on blank / comment-only lines.
                let span = self.span();
                let mut indented = false;
                while let Some(c) = self.peek(0) {
                    if c == ' ' || c == '\t' || c == '\x0c' {
                        indented = true;
                        self.bump();
                    } else {
                        break;
                    }
                }
                match self.peek(0) {
                    None | Some('\n') | Some('#') => {}
                    Some('\r') if self.peek(1) == Some('\n') || self.peek(1).is_none() => {}
                    Some('\\') if indented => {}
                    Some(_) if indented => {
                        return Err(self.err(span, "IndentationError: unexpected indent"));
                    }
                    _ => {}
                }
            }
            let Some(c) = self.peek(0) else { break };
            let span = self.span();
            let start = self.offset();
            match c {
                ' ' | '\t' | '\x0c' | '\r' => {
                    self.bump();
                }
                '\n' => {
                    self.bump();
                    if self.depth.is_empty() {
                        self.push_newline();
                        self.at_line_start = true;
                    }
                }
                '#' => {
                    while let Some(c) = self.peek(0) {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                '\\' => {
                    self.bump();
                    if self.peek(0) == Some('\r') {
                        self.bump();
                    }
                    match self.peek(0) {
                        Some('\n') => {
                            self.bump();
                        }
                        None => {
                            return Err(self.err(
                                span,
                                "unexpected end of file after line continuation character",
                            ));
                        }
                        _ => {
                            return Err(self.err(
                                span,
                                "unexpected character after line continuation character",
                            ));
                        }
                    }
                }
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    let kind = self.number(span)?;
                    self.push(kind, span, start);
                }
                c if c == '_' || c.is_alphabetic() => {
                    let mut word = String::new();
                    while let Some(c) = self.peek(0) {
                        if c == '_' || c.is_alphanumeric() {
                            word.push(c);
                            self.bump();
                        } else {
                            break;
                        }
                    }
                    if matches!(self.peek(0), Some('\'') | Some('"')) && is_string_prefix(&word) {
                        let kind = self.string(&word, span)?;
                        self.push(kind, span, start);
                    } else if let Some(k) = KEYWORDS.iter().find(|k| **k == word) {
                        self.push(TokenKind::Keyword(k), span, start);
                    } else {
                        self.push(TokenKind::Name(word), span, start);
                    }
                }
                '\'' | '"' => {
                    let kind = self.string("", span)?;
                    self.push(kind, span, start);
                }
                _ => {
                    let rest = &self.src[start..];
                    let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) else {
                        return Err(self.err(
                            span,
                            &format!("invalid character '{c}' (U+{:04X})", c as u32),
                        ));
                    };
                    for _ in 0..op.chars().count() {
                        self.bump();
                    }
                    match *op {
                        "(" | "[" | "{" => self.depth.push((c, span)),
                        ")" | "]" | "}" => {
                            let open = match c {
                                ')' => '(',
                                ']' => '[',
                                _ => '{',
                            };
                            match self.depth.pop() {
                                Some((o, _)) if o == open => {}
                                Some((o, ospan)) => {
                                    let msg = if ospan.line == span.line {
                                        format!("closing parenthesis '{c}' does not match opening parenthesis '{o}'")
                                    } else {
                                        format!(
                                            "closing parenthesis '{c}' does not match opening parenthesis '{o}' on line {}",
                                            ospan.line
                                        )
                                    };
                                    return Err(self.err(span, &msg));
                                }
                                None => return Err(self.err(span, &format!("unmatched '{c}'"))),
                            }
                        }
                        _ => {}
                    }
                    self.push(TokenKind::Op(op), span, start);
                }
            }
        }
        if let Some(&(o, ospan)) = self.depth.last() {
            return Err(self.err(ospan, &format!("'{o}' was never closed")));
        }
        self.push_newline();
        let span = self.span();
        let end = self.src.len();
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span,
            start: end,
            end,
        });
        Ok(self.tokens)
    }

    /// Digits of one base with single underscores between them, appended to `out` without the
    /// underscores. A non-empty `out` means a digit precedes (so `_` may follow at once).
    fn digits(&mut self, span: Span, radix: u32, mut out: String, what: &str) -> Result<String> {
        let mut prev_digit = !out.is_empty();
        loop {
            match self.peek(0) {
                Some('_') => {
                    let next_ok = self.peek(1).is_some_and(|d| d.is_digit(radix));
                    if !prev_digit || !next_ok {
                        return Err(self.err(span, &format!("invalid {what} literal")));
                    }
                    self.bump();
                    prev_digit = false;
                }
                Some(d) if d.is_digit(radix) => {
                    out.push(d);
                    self.bump();
                    prev_digit = true;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    fn number(&mut self, span: Span) -> Result<TokenKind> {
        let c0 = self.peek(0).unwrap_or('0');
        let c1 = self.peek(1).map(|c| c.to_ascii_lowercase());
        if c0 == '0' && matches!(c1, Some('x') | Some('o') | Some('b')) {
            let (radix, what) = match c1 {
                Some('x') => (16, "hexadecimal"),
                Some('o') => (8, "octal"),
                _ => (2, "binary"),
            };
            self.bump();
            self.bump();
            if self.peek(0) == Some('_') {
                self.bump();
            }
            let digits = self.digits(span, radix, String::new(), what)?;
            if digits.is_empty() {
                return Err(self.err(span, &format!("invalid {what} literal")));
            }
            if self
                .peek(0)
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                let c = self.peek(0).unwrap_or('?');
                let msg = if c.is_ascii_digit() {
                    format!("invalid digit '{c}' in {what} literal")
                } else {
                    format!("invalid {what} literal")
                };
                return Err(self.err(span, &msg));
            }
            let value = BigInt::from_str_radix(&digits, radix)
                .map_err(|_| self.err(span, &format!("invalid {what} literal")))?;
            return Ok(TokenKind::Int(value));
        }
        let int_part = if c0 == '.' {
            String::new()
        } else {
            self.digits(span, 10, String::new(), "decimal")?
        };
        let mut text = int_part.clone();
        let mut is_float = false;
        if self.peek(0) == Some('.') {
            is_float = true;
            self.bump();
            text.push('.');
            if self.peek(0).is_some_and(|d| d.is_ascii_digit()) {
                text = self.digits(span, 10, text, "decimal")?;
            }
        }
        if matches!(self.peek(0), Some('e') | Some('E')) {
            let sign = self.peek(1);
            let has_digits = match sign {
                Some('+') | Some('-') => self.peek(2).is_some_and(|d| d.is_ascii_digit()),
                Some(d) => d.is_ascii_digit(),
                None => false,
            };
            if !has_digits {
                return Err(self.err(span, "invalid decimal literal"));
            }
            is_float = true;
            self.bump();
            text.push('e');
            if let Some(s @ ('+' | '-')) = sign {
                self.bump();
                text.push(s);
            }
            let exp = self.digits(span, 10, String::new(), "decimal")?;
            text.push_str(&exp);
        }
        if matches!(self.peek(0), Some('j') | Some('J')) {
            self.bump();
            return Err(unsupported("a complex (imaginary) literal", span));
        }
        if self
            .peek(0)
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            return Err(self.err(span, "invalid decimal literal"));
        }
        if is_float {
            let value: f64 = text
                .parse()
                .map_err(|_| self.err(span, "invalid decimal literal"))?;
            return Ok(TokenKind::Float(value));
        }
        if int_part.len() > 1 && int_part.starts_with('0') && int_part.bytes().any(|b| b != b'0') {
            return Err(self.err(
                span,
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
            ));
        }
        let value = BigInt::from_str_radix(&int_part, 10)
            .map_err(|_| self.err(span, "invalid decimal literal"))?;
        Ok(TokenKind::Int(value))
    }

    fn string(&mut self, prefix: &str, span: Span) -> Result<TokenKind> {
        let p = prefix.to_ascii_lowercase();
        let raw = p.contains('r');
        let bytes = p.contains('b');
        if p.contains('f') || p.contains('t') {
            return Err(unsupported("an f-string", span));
        }
        let quote = self.bump().unwrap_or('"');
        let triple = self.peek(0) == Some(quote) && self.peek(1) == Some(quote);
        if triple {
            self.bump();
            self.bump();
        }
        let mut out: Vec<u32> = Vec::new();
        loop {
            let here = self.span();
            let Some(c) = self.bump() else {
                let msg = if triple {
                    "unterminated triple-quoted string literal"
                } else {
                    "unterminated string literal"
                };
                return Err(self.err(span, msg));
            };
            if c == quote {
                if !triple {
                    break;
                }
                if self.peek(0) == Some(quote) && self.peek(1) == Some(quote) {
                    self.bump();
                    self.bump();
                    break;
                }
                out.push(c as u32);
                continue;
            }
            if c == '\n' && !triple {
                return Err(self.err(span, "unterminated string literal"));
            }
            if bytes && !c.is_ascii() {
                return Err(self.err(here, "bytes can only contain ASCII literal characters"));
            }
            if c != '\\' {
                out.push(c as u32);
                continue;
            }
            let Some(e) = self.bump() else {
                return Err(self.err(span, "unterminated string literal"));
            };
            if raw {
                out.push('\\' as u32);
                out.push(e as u32);
                continue;
            }
            match e {
                '\n' => {}
                '\r' => {
                    if self.peek(0) == Some('\n') {
                        self.bump();
                    }
                }
                '\\' | '\'' | '"' => out.push(e as u32),
                'a' => out.push(7),
                'b' => out.push(8),
                'f' => out.push(12),
                'n' => out.push(10),
                'r' => out.push(13),
                't' => out.push(9),
                'v' => out.push(11),
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.peek(0).and_then(|d| d.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                self.bump();
                            }
                            None => break,
                        }
                    }
                    if bytes {
                        v &= 0xff;
                    }
                    out.push(v);
                }
                'x' | 'u' | 'U' if e == 'x' || !bytes => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let mut v: u32 = 0;
                    for _ in 0..n {
                        match self.peek(0).and_then(|d| d.to_digit(16)) {
                            Some(d) => {
                                v = v.wrapping_mul(16).wrapping_add(d);
                                self.bump();
                            }
                            None => {
                                return Err(self.err(
                                    here,
                                    &format!("(unicode error) truncated \\{e}XX escape"),
                                ));
                            }
                        }
                    }
                    if char::from_u32(v).is_none() && !(0xD800..0xE000).contains(&v) {
                        return Err(self.err(here, "(unicode error) illegal Unicode character"));
                    }
                    out.push(v);
                }
                'N' if !bytes => return Err(unsupported("a \\N{...} escape", here)),
                other => {
                    out.push('\\' as u32);
                    out.push(other as u32);
                }
            }
        }
        if bytes {
            Ok(TokenKind::Bytes(out.into_iter().map(|v| v as u8).collect()))
        } else {
            // Lone surrogates cannot live in a Rust string; Python allows them, we refuse.
            let s: Option<String> = out.into_iter().map(char::from_u32).collect();
            match s {
                Some(s) => Ok(TokenKind::Str(s)),
                None => Err(unsupported("a string with a lone surrogate escape", span)),
            }
        }
    }
}

fn is_string_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf" | "t" | "tr" | "rt"
    )
}

/// Splits `src` into tokens. Newlines inside brackets and after a backslash are dropped; every
/// logical line ends with one [`TokenKind::Newline`] and the input with [`TokenKind::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lexer = Lexer {
        src,
        chars: src.char_indices().collect(),
        pos: 0,
        line: 1,
        col: 1,
        depth: Vec::new(),
        tokens: Vec::new(),
        at_line_start: true,
    };
    lexer.run()
}
