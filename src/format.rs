//! Printing arrays, tensors and scalars exactly as NumPy 2.x, PyTorch 2.x and Python print them.
//!
//! * NumPy: [`numpy_str`] / [`numpy_repr`] follow `numpy/_core/arrayprint.py` with the default
//!   print options (precision 8, floatmode `'maxprec'`, linewidth 75, threshold 1000,
//!   edgeitems 3, sign `'-'`, `legacy=False`); float digits come from a port of NumPy's Dragon4
//!   (`numpy/_core/src/multiarray/dragon4.c`), including its unique-digit mode for float16/32/64.
//!   [`numpy_scalar_str`] / [`numpy_scalar_repr`] follow `scalartypes.c.src`.
//! * PyTorch: [`torch_repr`] follows `torch/_tensor_str.py` (precision 4, linewidth 80,
//!   threshold 1000, edgeitems 3, automatic `sci_mode`).
//! * Python: [`py_float_repr`] is `repr(float)`; [`py_format_fixed`] and [`py_format_exp`] are
//!   `format(x, '.Nf')` and `format(x, '.Ne')` (correctly rounded, ties to even).
//!
//! NumPy has no bfloat16; a [`DType::BF16`] array given to the NumPy printers is printed with the
//! values widened to float32 and `dtype=bfloat16` in its repr.

use half::f16;
use num_bigint::BigUint;
use num_traits::Zero;

use crate::array::{DType, Data, NdArray};

// ---------------------------------------------------------------------------------------------
// Dragon4 (port of numpy/_core/src/multiarray/dragon4.c)
// ---------------------------------------------------------------------------------------------

/// Trailing-zero handling of Dragon4 output (NumPy's `trim` argument).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Trim {
    /// `'k'`: keep trailing zeros and the decimal point.
    Keep,
    /// `'.'`: trim trailing zeros, keep the decimal point.
    Zeros,
    /// `'0'`: trim trailing zeros but leave one after the decimal point.
    LeaveOneZero,
    /// `'-'`: trim trailing zeros and the decimal point.
    DptZeros,
}

/// A finite value as `mantissa * 2^exponent`, with the data Dragon4 needs about its neighbours.
#[derive(Clone, Copy, Debug)]
struct Parts {
    mantissa: u64,
    exponent: i32,
    mantissa_bit: u32,
    unequal_margins: bool,
}

#[derive(Clone, Copy, Debug)]
enum Decomposed {
    Finite { negative: bool, parts: Parts },
    Inf { negative: bool },
    Nan,
}

/// Splits IEEE-style bits with `mant_bits` fraction bits and `exp_bits` exponent bits.
fn decompose_bits(bits: u64, mant_bits: u32, exp_bits: u32) -> Decomposed {
    let negative = (bits >> (mant_bits + exp_bits)) & 1 == 1;
    let fm = bits & ((1u64 << mant_bits) - 1);
    let emax = (1u64 << exp_bits) - 1;
    let fe = (bits >> mant_bits) & emax;
    let bias = (1i32 << (exp_bits - 1)) - 1;
    if fe == emax {
        return if fm == 0 {
            Decomposed::Inf { negative }
        } else {
            Decomposed::Nan
        };
    }
    let parts = if fe != 0 {
        Parts {
            mantissa: (1u64 << mant_bits) | fm,
            exponent: fe as i32 - bias - mant_bits as i32,
            mantissa_bit: mant_bits,
            unequal_margins: fe != 1 && fm == 0,
        }
    } else {
        Parts {
            mantissa: fm,
            exponent: 1 - bias - mant_bits as i32,
            mantissa_bit: if fm == 0 { 0 } else { 63 - fm.leading_zeros() },
            unequal_margins: false,
        }
    };
    Decomposed::Finite { negative, parts }
}

/// A floating-point element in its own precision (Dragon4's unique mode depends on it).
#[derive(Clone, Copy, Debug)]
enum Flt {
    F16(f16),
    F32(f32),
    F64(f64),
}

impl Flt {
    fn to_f64(self) -> f64 {
        match self {
            Flt::F16(v) => v.to_f64(),
            Flt::F32(v) => v as f64,
            Flt::F64(v) => v,
        }
    }

    fn decompose(self) -> Decomposed {
        match self {
            Flt::F16(v) => decompose_bits(v.to_bits() as u64, 10, 5),
            Flt::F32(v) => decompose_bits(v.to_bits() as u64, 23, 8),
            Flt::F64(v) => decompose_bits(v.to_bits(), 52, 11),
        }
    }
}

/// Output buffer size of NumPy's Dragon4 scratch space; bounds the digits printed.
const DRAGON4_BUFFER: i32 = 16384;

fn pow10(n: u32) -> BigUint {
    BigUint::from(10u32).pow(n)
}

/// Dragon4 digit generation. Returns the digits (ASCII) and the base-10 exponent of the first.
///
/// `cutoff_max` / `cutoff_min` are digit counts (`-1` for none), counted past the decimal point
/// when `fractional`, else as significant digits.
fn dragon4(
    p: Parts,
    unique: bool,
    fractional: bool,
    cutoff_max: i32,
    cutoff_min: i32,
) -> (Vec<u8>, i32) {
    if p.mantissa == 0 {
        return (vec![b'0'], 0);
    }
    let is_even = p.mantissa % 2 == 0;
    let m = BigUint::from(p.mantissa);
    let one = BigUint::from(1u32);
    let (mut value, mut scale, mut margin_low) = if p.unequal_margins {
        if p.exponent > 0 {
            (
                m << (p.exponent as u32 + 2),
                BigUint::from(4u32),
                &one << (p.exponent as u32),
            )
        } else {
            (m << 2u32, &one << ((-p.exponent + 2) as u32), one.clone())
        }
    } else if p.exponent > 0 {
        (
            m << (p.exponent as u32 + 1),
            BigUint::from(2u32),
            &one << (p.exponent as u32),
        )
    } else {
        (m << 1u32, &one << ((-p.exponent + 1) as u32), one.clone())
    };
    let high_factor: u32 = if p.unequal_margins { 2 } else { 1 };

    let mut digit_exponent =
        (((p.mantissa_bit as i32 + p.exponent) as f64) * std::f64::consts::LOG10_2 - 0.69).ceil()
            as i32;
    if cutoff_max >= 0 && fractional && digit_exponent <= -cutoff_max {
        digit_exponent = -cutoff_max + 1;
    }
    if digit_exponent > 0 {
        scale *= pow10(digit_exponent as u32);
    } else if digit_exponent < 0 {
        let p10 = pow10((-digit_exponent) as u32);
        value *= &p10;
        margin_low *= &p10;
    }
    if value >= scale {
        digit_exponent += 1;
    } else {
        value *= 10u32;
        margin_low *= 10u32;
    }

    let mut cutoff_max_exponent = digit_exponent - DRAGON4_BUFFER;
    if cutoff_max >= 0 {
        let desired = if fractional {
            -cutoff_max
        } else {
            digit_exponent - cutoff_max
        };
        cutoff_max_exponent = cutoff_max_exponent.max(desired);
    }
    let mut cutoff_min_exponent = digit_exponent;
    if cutoff_min >= 0 {
        let desired = if fractional {
            -cutoff_min
        } else {
            digit_exponent - cutoff_min
        };
        cutoff_min_exponent = cutoff_min_exponent.min(desired);
    }
    let mut out_exponent = digit_exponent - 1;

    let mut digits: Vec<u8> = Vec::new();
    let mut output_digit: u8;
    let low: bool;
    let high: bool;
    if unique {
        loop {
            digit_exponent -= 1;
            output_digit = 0;
            while value >= scale {
                value -= &scale;
                output_digit += 1;
            }
            let margin_high = &margin_low * high_factor;
            let value_high = &value + &margin_high;
            let l = if is_even {
                value <= margin_low
            } else {
                value < margin_low
            };
            let h = if is_even {
                value_high >= scale
            } else {
                value_high > scale
            };
            if ((l || h) && digit_exponent <= cutoff_min_exponent)
                || digit_exponent == cutoff_max_exponent
            {
                low = l;
                high = h;
                break;
            }
            digits.push(b'0' + output_digit);
            value *= 10u32;
            margin_low *= 10u32;
        }
    } else {
        loop {
            digit_exponent -= 1;
            output_digit = 0;
            while value >= scale {
                value -= &scale;
                output_digit += 1;
            }
            if value.is_zero() || digit_exponent == cutoff_max_exponent {
                break;
            }
            digits.push(b'0' + output_digit);
            value *= 10u32;
        }
        low = false;
        high = false;
    }

    let mut round_down = low;
    if low == high {
        let twice = &value << 1u32;
        round_down = match twice.cmp(&scale) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => output_digit & 1 == 0,
        };
    }
    if round_down {
        digits.push(b'0' + output_digit);
    } else if output_digit == 9 {
        loop {
            match digits.pop() {
                None => {
                    digits.push(b'1');
                    out_exponent += 1;
                    break;
                }
                Some(d) if d != b'9' => {
                    digits.push(d + 1);
                    break;
                }
                Some(_) => {}
            }
        }
    } else {
        digits.push(b'0' + output_digit + 1);
    }
    (digits, out_exponent)
}

/// Dragon4 options (NumPy's `Dragon4_Options`).
#[derive(Clone, Copy, Debug)]
struct D4 {
    scientific: bool,
    unique: bool,
    fractional: bool,
    precision: i32,
    min_digits: i32,
    sign_plus: bool,
    trim: Trim,
    pad_left: i32,
    pad_right: i32,
    exp_digits: i32,
}

impl D4 {
    fn positional(unique: bool, precision: i32, trim: Trim) -> D4 {
        D4 {
            scientific: false,
            unique,
            fractional: true,
            precision,
            min_digits: -1,
            sign_plus: false,
            trim,
            pad_left: -1,
            pad_right: -1,
            exp_digits: -1,
        }
    }

    fn scientific(unique: bool, precision: i32, trim: Trim) -> D4 {
        D4 {
            scientific: true,
            ..D4::positional(unique, precision, trim)
        }
    }
}

/// NumPy's `format_float_positional` / `format_float_scientific` on one value.
fn dragon4_format(x: Flt, o: &D4) -> String {
    let (negative, parts) = match x.decompose() {
        Decomposed::Nan => return "nan".to_string(),
        Decomposed::Inf { negative } => {
            let s = if negative {
                "-"
            } else if o.sign_plus {
                "+"
            } else {
                ""
            };
            return format!("{s}inf");
        }
        Decomposed::Finite { negative, parts } => (negative, parts),
    };
    let sign = if negative {
        "-"
    } else if o.sign_plus {
        "+"
    } else {
        ""
    };
    if o.scientific {
        format_scientific(parts, sign, o)
    } else {
        format_positional(parts, sign, o)
    }
}

fn format_positional(p: Parts, sign: &str, o: &D4) -> String {
    let (digits, print_exponent) = dragon4(p, o.unique, o.fractional, o.precision, o.min_digits);
    let has_sign = sign.len() as i32;
    let mut buf = String::from(sign);
    let num_digits = digits.len() as i32;
    let num_whole_digits: i32;
    let mut num_fraction_digits: i32 = 0;
    let ds = std::str::from_utf8(&digits).unwrap_or("0");
    if print_exponent >= 0 {
        num_whole_digits = print_exponent + 1;
        if num_digits <= num_whole_digits {
            buf.push_str(ds);
            for _ in 0..(num_whole_digits - num_digits) {
                buf.push('0');
            }
        } else {
            let w = num_whole_digits as usize;
            buf.push_str(&ds[..w]);
            buf.push('.');
            buf.push_str(&ds[w..]);
            num_fraction_digits = num_digits - num_whole_digits;
        }
    } else {
        let zeros = -(print_exponent + 1);
        buf.push_str("0.");
        for _ in 0..zeros {
            buf.push('0');
        }
        buf.push_str(ds);
        num_fraction_digits = zeros + num_digits;
        num_whole_digits = 1;
    }
    if o.trim != Trim::DptZeros && num_fraction_digits == 0 {
        buf.push('.');
    }
    let add_digits = if o.unique { o.min_digits } else { o.precision };
    let mut desired_fraction = add_digits.max(0);
    if !o.fractional {
        desired_fraction = add_digits - num_whole_digits;
    }
    if o.trim == Trim::LeaveOneZero {
        if num_fraction_digits == 0 {
            buf.push('0');
            num_fraction_digits += 1;
        }
    } else if o.trim == Trim::Keep && desired_fraction > num_fraction_digits {
        for _ in 0..(desired_fraction - num_fraction_digits) {
            buf.push('0');
        }
        num_fraction_digits = desired_fraction;
    }
    if o.trim != Trim::Keep && num_fraction_digits > 0 {
        while buf.ends_with('0') {
            buf.pop();
            num_fraction_digits -= 1;
        }
        if buf.ends_with('.') {
            if o.trim == Trim::LeaveOneZero {
                buf.push('0');
                num_fraction_digits += 1;
            } else if o.trim == Trim::DptZeros {
                buf.pop();
            }
        }
    }
    if o.pad_right >= num_fraction_digits {
        if o.trim == Trim::DptZeros && num_fraction_digits == 0 {
            buf.push(' ');
        }
        for _ in 0..(o.pad_right - num_fraction_digits) {
            buf.push(' ');
        }
    }
    if o.pad_left > num_whole_digits + has_sign {
        let shift = (o.pad_left - (num_whole_digits + has_sign)) as usize;
        buf.insert_str(0, &" ".repeat(shift));
    }
    buf
}

fn format_scientific(p: Parts, sign: &str, o: &D4) -> String {
    let mut buf = String::new();
    let leftchars = 1 + sign.len() as i32;
    if o.pad_left > leftchars {
        buf.push_str(&" ".repeat((o.pad_left - leftchars) as usize));
    }
    buf.push_str(sign);
    let cmax = if o.precision < 0 { -1 } else { o.precision + 1 };
    let cmin = if o.min_digits < 0 {
        -1
    } else {
        o.min_digits + 1
    };
    let (digits, print_exponent) = dragon4(p, o.unique, false, cmax, cmin);
    buf.push(digits[0] as char);
    let mut num_fraction_digits = digits.len() as i32 - 1;
    if num_fraction_digits > 0 {
        buf.push('.');
        buf.push_str(std::str::from_utf8(&digits[1..]).unwrap_or(""));
    }
    if o.trim != Trim::DptZeros && num_fraction_digits == 0 {
        buf.push('.');
    }
    let add_digits = if o.unique { o.min_digits } else { o.precision }.max(0);
    if o.trim == Trim::LeaveOneZero {
        if num_fraction_digits == 0 {
            buf.push('0');
            num_fraction_digits += 1;
        }
    } else if o.trim == Trim::Keep && add_digits > num_fraction_digits {
        for _ in 0..(add_digits - num_fraction_digits) {
            buf.push('0');
        }
        num_fraction_digits = add_digits;
    }
    if o.trim != Trim::Keep && num_fraction_digits > 0 {
        while buf.ends_with('0') {
            buf.pop();
        }
        if o.trim == Trim::LeaveOneZero && buf.ends_with('.') {
            buf.push('0');
        }
    }
    let exp_digits = if o.exp_digits < 0 {
        2
    } else {
        o.exp_digits.min(5)
    } as usize;
    let (esign, e) = if print_exponent >= 0 {
        ('+', print_exponent)
    } else {
        ('-', -print_exponent)
    };
    buf.push('e');
    buf.push(esign);
    buf.push_str(&format!("{e:0exp_digits$}"));
    buf
}

// ---------------------------------------------------------------------------------------------
// Python float formatting
// ---------------------------------------------------------------------------------------------

/// Python's `repr(x)` (and `str(x)`) for a float: the shortest string that round-trips,
/// positional for exponents in `[-4, 16)` (`0.0001`, `5.0`, `1e-05`, `1e+16`), plus `inf`,
/// `-inf`, `nan`, `-0.0`.
pub fn py_float_repr(x: f64) -> String {
    let (negative, parts) = match Flt::F64(x).decompose() {
        Decomposed::Nan => return "nan".into(),
        Decomposed::Inf { negative } => return if negative { "-inf" } else { "inf" }.into(),
        Decomposed::Finite { negative, parts } => (negative, parts),
    };
    let sign = if negative { "-" } else { "" };
    let (digits, e) = dragon4(parts, true, false, -1, -1);
    let ds = std::str::from_utf8(&digits).unwrap_or("0");
    let decpt = e + 1;
    if parts.mantissa == 0 {
        return format!("{sign}0.0");
    }
    if -4 < decpt && decpt <= 16 {
        let n = ds.len() as i32;
        if decpt <= 0 {
            format!("{sign}0.{}{ds}", "0".repeat((-decpt) as usize))
        } else if decpt >= n {
            format!("{sign}{ds}{}.0", "0".repeat((decpt - n) as usize))
        } else {
            let (a, b) = ds.split_at(decpt as usize);
            format!("{sign}{a}.{b}")
        }
    } else {
        let mant = if ds.len() > 1 {
            format!("{}.{}", &ds[..1], &ds[1..])
        } else {
            ds.to_string()
        };
        let (es, ev) = if e < 0 { ('-', -e) } else { ('+', e) };
        format!("{sign}{mant}e{es}{ev:02}")
    }
}

/// Python's `format(x, f'.{precision}f')`: exact value rounded half-to-even to `precision`
/// fractional digits (`nan`, `inf`, `-inf` for non-finite values).
pub fn py_format_fixed(x: f64, precision: usize) -> String {
    let (negative, parts) = match Flt::F64(x).decompose() {
        Decomposed::Nan => return "nan".into(),
        Decomposed::Inf { negative } => return if negative { "-inf" } else { "inf" }.into(),
        Decomposed::Finite { negative, parts } => (negative, parts),
    };
    let o = D4 {
        sign_plus: false,
        ..D4::positional(false, precision as i32, Trim::Keep)
    };
    let s = format_positional(parts, if negative { "-" } else { "" }, &o);
    if precision == 0 {
        s.trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Python's `format(x, f'.{precision}e')`: `1.2346e+00` style, exact value rounded half-to-even,
/// exponent with at least two digits.
pub fn py_format_exp(x: f64, precision: usize) -> String {
    let (negative, parts) = match Flt::F64(x).decompose() {
        Decomposed::Nan => return "nan".into(),
        Decomposed::Inf { negative } => return if negative { "-inf" } else { "inf" }.into(),
        Decomposed::Finite { negative, parts } => (negative, parts),
    };
    let o = D4::scientific(false, precision as i32, Trim::Keep);
    let s = format_scientific(parts, if negative { "-" } else { "" }, &o);
    if precision == 0 {
        s.replacen(".e", "e", 1)
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Python's `str(tuple)` of a shape: `(3,)`, `(0, 3)`, `()`.
fn py_tuple(shape: &[usize]) -> String {
    match shape.len() {
        0 => "()".into(),
        1 => format!("({},)", shape[0]),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// C-order strides (in elements) of `shape`.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Flat indices of the "corners" of an array: along each axis longer than `2 * edge`, only the
/// first and last `edge` entries (NumPy's `_leading_trailing`, torch's `get_summarized_data`).
fn edge_indices(shape: &[usize], edge: usize) -> Vec<usize> {
    let st = strides(shape);
    let mut out = vec![0usize];
    for (axis, &n) in shape.iter().enumerate() {
        let picks: Vec<usize> = if n > 2 * edge {
            (0..edge).chain(n - edge..n).collect()
        } else {
            (0..n).collect()
        };
        let mut next = Vec::with_capacity(out.len() * picks.len());
        for &base in &out {
            for &i in &picks {
                next.push(base + i * st[axis]);
            }
        }
        out = next;
    }
    out
}

fn flt_at(data: &Data, i: usize) -> Option<Flt> {
    Some(match data {
        Data::F16(v) => Flt::F16(v[i]),
        // NumPy has no bfloat16: print its (exact) float32 widening.
        Data::BF16(v) => Flt::F32(v[i].to_f32()),
        Data::F32(v) => Flt::F32(v[i]),
        Data::F64(v) => Flt::F64(v[i]),
        _ => return None,
    })
}

fn bool_at(data: &Data, i: usize) -> Option<bool> {
    match data {
        Data::Bool(v) => Some(v[i]),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// NumPy
// ---------------------------------------------------------------------------------------------

const NP_PRECISION: i32 = 8;
const NP_LINEWIDTH: isize = 75;
const NP_THRESHOLD: usize = 1000;
const NP_EDGEITEMS: usize = 3;

/// NumPy's `FloatingFormat` with the default options (floatmode `'maxprec'`, sign `'-'`).
struct FloatingFormat {
    exp_format: bool,
    precision: i32,
    min_digits: i32,
    unique: bool,
    trim: Trim,
    pad_left: i32,
    pad_right: i32,
    exp_size: i32,
}

/// `a < b`, `a / b`, ... evaluated in the array's own float type (NumPy 2 casts Python floats
/// to the array dtype, NEP 50).
#[derive(Clone, Copy, PartialEq, Eq)]
enum FKind {
    F16,
    F32,
    F64,
}

impl FKind {
    fn round(self, x: f64) -> f64 {
        match self {
            FKind::F16 => f16::from_f64(x).to_f64(),
            FKind::F32 => x as f32 as f64,
            FKind::F64 => x,
        }
    }

    /// `10.**min(8, np.finfo(dtype).precision)`.
    fn exp_cutoff_max(self) -> f64 {
        match self {
            FKind::F16 => 1e3,
            FKind::F32 => 1e6,
            FKind::F64 => 1e8,
        }
    }
}

impl FloatingFormat {
    fn new(vals: &[Flt], kind: FKind) -> FloatingFormat {
        let finite: Vec<Flt> = vals
            .iter()
            .copied()
            .filter(|v| v.to_f64().is_finite())
            .collect();
        let abs_nz: Vec<f64> = finite
            .iter()
            .map(|v| v.to_f64().abs())
            .filter(|v| *v != 0.0)
            .collect();
        let mut exp_format = false;
        if !abs_nz.is_empty() {
            let max_val = abs_nz.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min_val = abs_nz.iter().copied().fold(f64::INFINITY, f64::min);
            // The ratio is computed in the data type (float16 / float32 division rounds).
            let ratio = kind.round(max_val / min_val);
            if max_val >= kind.exp_cutoff_max() || min_val < kind.round(0.0001) || ratio > 1000.0 {
                exp_format = true;
            }
        }
        let mut f = FloatingFormat {
            exp_format,
            precision: NP_PRECISION,
            min_digits: -1,
            unique: true,
            trim: Trim::Zeros,
            pad_left: 0,
            pad_right: 0,
            exp_size: -1,
        };
        if finite.is_empty() {
            // Defaults above: pad 0, trim '.', unique, no min_digits.
        } else if exp_format {
            let strs: Vec<String> = finite
                .iter()
                .map(|&x| dragon4_format(x, &D4::scientific(true, NP_PRECISION, Trim::Zeros)))
                .collect();
            let mut max_int = 0;
            let mut max_frac = 0;
            let mut max_exp = 0;
            for s in &strs {
                let (mant, exp) = s.split_once('e').unwrap_or((s, ""));
                let (i, fr) = mant.split_once('.').unwrap_or((mant, ""));
                max_int = max_int.max(i.len());
                max_frac = max_frac.max(fr.len());
                max_exp = max_exp.max(exp.len());
            }
            f.exp_size = max_exp as i32 - 1;
            f.trim = Trim::Keep;
            f.precision = max_frac as i32;
            f.min_digits = f.precision;
            f.unique = true;
            f.pad_left = max_int as i32;
            f.pad_right = f.exp_size + 2 + f.precision;
        } else {
            let mut max_int = 0;
            let mut max_frac = 0;
            for &x in &finite {
                let s = dragon4_format(x, &D4::positional(true, NP_PRECISION, Trim::Zeros));
                let (i, fr) = s.split_once('.').unwrap_or((&s, ""));
                max_int = max_int.max(i.len());
                max_frac = max_frac.max(fr.len());
            }
            f.pad_left = max_int as i32;
            f.pad_right = max_frac as i32;
            f.exp_size = -1;
            f.unique = true;
            f.trim = Trim::Zeros;
            f.min_digits = 0;
        }
        if finite.len() != vals.len() {
            let neginf = vals.iter().any(|v| {
                let x = v.to_f64();
                x.is_infinite() && x < 0.0
            }) as i32;
            let offset = f.pad_right + 1;
            f.pad_left = f.pad_left.max(3 - offset).max(3 + neginf - offset);
        }
        f
    }

    fn format(&self, x: Flt) -> String {
        let v = x.to_f64();
        if !v.is_finite() {
            let ret = if v.is_nan() {
                "nan"
            } else if v < 0.0 {
                "-inf"
            } else {
                "inf"
            };
            let width = (self.pad_left + self.pad_right + 1).max(0) as usize;
            return format!("{ret:>width$}");
        }
        let o = D4 {
            scientific: self.exp_format,
            unique: self.unique,
            fractional: true,
            precision: self.precision,
            min_digits: self.min_digits,
            sign_plus: false,
            trim: self.trim,
            pad_left: self.pad_left,
            pad_right: if self.exp_format { -1 } else { self.pad_right },
            exp_digits: if self.exp_format { self.exp_size } else { -1 },
        };
        dragon4_format(x, &o)
    }
}

/// The element formatter NumPy picks for an array (`_get_format_function`).
enum NpFormat {
    Bool { truestr: &'static str },
    Int { width: usize },
    Float(FloatingFormat),
}

impl NpFormat {
    /// Builds the formatter from the elements at `idx` (the summarized data).
    fn new(a: &NdArray, idx: &[usize]) -> NpFormat {
        let dt = a.dtype();
        if dt == DType::Bool {
            return NpFormat::Bool {
                truestr: if a.ndim() == 0 { "True" } else { " True" },
            };
        }
        if dt.is_int() {
            let vals: Vec<i128> = idx.iter().filter_map(|&i| a.data.get_i128(i)).collect();
            let width = match (vals.iter().max(), vals.iter().min()) {
                (Some(mx), Some(mn)) => mx.to_string().len().max(mn.to_string().len()),
                _ => 0,
            };
            return NpFormat::Int { width };
        }
        let kind = match dt {
            DType::F16 => FKind::F16,
            DType::F64 => FKind::F64,
            _ => FKind::F32,
        };
        let vals: Vec<Flt> = idx.iter().filter_map(|&i| flt_at(&a.data, i)).collect();
        NpFormat::Float(FloatingFormat::new(&vals, kind))
    }

    fn format(&self, a: &NdArray, i: usize) -> String {
        match self {
            NpFormat::Bool { truestr } => {
                if bool_at(&a.data, i).unwrap_or(false) {
                    truestr.to_string()
                } else {
                    "False".to_string()
                }
            }
            NpFormat::Int { width } => {
                let v = a.data.get_i128(i).unwrap_or(0);
                format!("{v:>width$}")
            }
            NpFormat::Float(f) => match flt_at(&a.data, i) {
                Some(x) => f.format(x),
                None => String::new(),
            },
        }
    }
}

/// `_extendLine` (legacy > 113; words are always single-line here).
fn extend_line(s: &mut String, line: &mut String, word: &str, line_width: isize, prefix: &str) {
    let mut needs_wrap = (line.len() + word.len()) as isize > line_width;
    if line.len() <= prefix.len() {
        needs_wrap = false;
    }
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        line.clear();
        line.push_str(prefix);
    }
    line.push_str(word);
}

struct FormatArray<'a> {
    shape: &'a [usize],
    strides: Vec<usize>,
    fmt: &'a dyn Fn(usize) -> String,
    separator: &'a str,
    summarize: bool,
}

impl FormatArray<'_> {
    /// `_formatArray.recurser`.
    fn recurse(&self, axis: usize, offset: usize, hanging: &str, curr_width: isize) -> String {
        let axes_left = self.shape.len() - axis;
        if axes_left == 0 {
            return (self.fmt)(offset);
        }
        let next_hanging = format!("{hanging} ");
        let next_width = curr_width - 1;
        let a_len = self.shape[axis];
        let stride = self.strides[axis];
        let show_summary = self.summarize && 2 * NP_EDGEITEMS < a_len;
        let (leading, trailing) = if show_summary {
            (NP_EDGEITEMS, NP_EDGEITEMS)
        } else {
            (0, a_len)
        };
        let sep_trim = self.separator.trim_end();
        let mut s = String::new();
        let sub = |i: usize| self.recurse(axis + 1, offset + i * stride, &next_hanging, next_width);
        if axes_left == 1 {
            let elem_width = curr_width - sep_trim.len().max(1) as isize;
            let mut line = hanging.to_string();
            for i in 0..leading {
                let word = sub(i);
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                line.push_str(self.separator);
            }
            if show_summary {
                extend_line(&mut s, &mut line, "...", elem_width, hanging);
                line.push_str(self.separator);
            }
            for i in (2..=trailing).rev() {
                let word = sub(a_len - i);
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                line.push_str(self.separator);
            }
            let word = sub(a_len - 1);
            extend_line(&mut s, &mut line, &word, elem_width, hanging);
            s.push_str(&line);
        } else {
            let line_sep = format!("{sep_trim}{}", "\n".repeat(axes_left - 1));
            for i in 0..leading {
                s.push_str(hanging);
                s.push_str(&sub(i));
                s.push_str(&line_sep);
            }
            if show_summary {
                s.push_str(hanging);
                s.push_str("...");
                s.push_str(&line_sep);
            }
            for i in (2..=trailing).rev() {
                s.push_str(hanging);
                s.push_str(&sub(a_len - i));
                s.push_str(&line_sep);
            }
            s.push_str(hanging);
            s.push_str(&sub(a_len - 1));
        }
        format!("[{}]", &s[hanging.len()..])
    }
}

/// `array2string(a, linewidth, separator=sep, prefix=prefix)` with the default options; the
/// caller has already subtracted the suffix length from `line_width`.
fn array2string(a: &NdArray, line_width: isize, separator: &str, prefix: &str) -> String {
    if a.is_empty() {
        return "[]".into();
    }
    let summarize = a.len() > NP_THRESHOLD;
    let idx: Vec<usize> = if summarize {
        edge_indices(&a.shape, NP_EDGEITEMS)
    } else {
        (0..a.len()).collect()
    };
    let f = NpFormat::new(a, &idx);
    let fmt = |i: usize| f.format(a, i);
    let next_line_prefix = format!(" {}", " ".repeat(prefix.len()));
    let fa = FormatArray {
        shape: &a.shape,
        strides: strides(&a.shape),
        fmt: &fmt,
        separator,
        summarize,
    };
    fa.recurse(0, 0, &next_line_prefix, line_width)
}

/// NumPy's dtype name as `repr` writes it (`float32`, `int8`, `bool`, ...).
fn np_dtype_name(dt: DType) -> &'static str {
    dt.name()
}

/// `str(arr)` / `print(arr)` of a NumPy array, any number of dimensions. A 0-d array prints as
/// its scalar ([`numpy_scalar_str`]); an empty one as `[]`.
pub fn numpy_str(a: &NdArray) -> String {
    if a.ndim() == 0 {
        return numpy_scalar_str(a);
    }
    array2string(a, NP_LINEWIDTH, " ", "")
}

/// `repr(arr)` of a NumPy array: `array([0.5488135 , 0.71518937])`, with `shape=` and `dtype=`
/// extras where NumPy adds them (non-default dtypes, empty arrays, summarized arrays).
pub fn numpy_repr(a: &NdArray) -> String {
    let prefix = "array(";
    let lst = array2string(a, NP_LINEWIDTH - 1, ", ", prefix);
    let mut extras: Vec<String> = Vec::new();
    let size = a.len();
    if (size == 0 && a.shape != [0]) || size > NP_THRESHOLD {
        extras.push(format!("shape={}", py_tuple(&a.shape)));
    }
    let implied = matches!(a.dtype(), DType::I64 | DType::F64 | DType::Bool);
    if !implied || size == 0 {
        extras.push(format!("dtype={}", np_dtype_name(a.dtype())));
    }
    if extras.is_empty() {
        return format!("{prefix}{lst})");
    }
    let arr_str = format!("{prefix}{lst},");
    let extra_str = format!("{})", extras.join(", "));
    let last_line_len = arr_str.len() - arr_str.rfind('\n').map_or(0, |p| p + 1);
    let spacer = if (last_line_len + extra_str.len() + 1) as isize > NP_LINEWIDTH {
        format!("\n{}", " ".repeat(prefix.len()))
    } else {
        " ".to_string()
    };
    format!("{arr_str}{spacer}{extra_str}")
}

/// `str()` of the NumPy scalar held in element 0 of `a` (`a` is normally 0-d): `0.5488135` for
/// np.float32, `0.5` / `1e-05` / `inf` for floats, `7` for integers, `True` for np.bool.
pub fn numpy_scalar_str(a: &NdArray) -> String {
    if a.is_empty() {
        return String::new();
    }
    if let Some(b) = bool_at(&a.data, 0) {
        return if b { "True" } else { "False" }.into();
    }
    if let Some(v) = a.data.get_i128(0) {
        return v.to_string();
    }
    let x = match flt_at(&a.data, 0) {
        Some(x) => x,
        None => return String::new(),
    };
    let v = x.to_f64();
    // NumPy 2.3+: the upper cutoff follows the type's precision (float16 1e3, float32 1e6).
    let upper = match x {
        Flt::F16(_) => 1e3,
        Flt::F32(_) => 1e6,
        Flt::F64(_) => 1e16,
    };
    let positional = v.is_nan() || v == 0.0 || (v.abs() < upper && v.abs() >= 1e-4);
    let o = if positional {
        D4::positional(true, -1, Trim::LeaveOneZero)
    } else {
        D4::scientific(true, -1, Trim::DptZeros)
    };
    dragon4_format(x, &o)
}

/// `repr()` of the NumPy scalar held in element 0 of `a`: `np.float64(0.5)`,
/// `np.float32(0.5488135)`, `np.int64(7)`, `np.True_`.
pub fn numpy_scalar_repr(a: &NdArray) -> String {
    if let Some(b) = bool_at(&a.data, 0) {
        return if b { "np.True_" } else { "np.False_" }.into();
    }
    format!("np.{}({})", a.dtype().name(), numpy_scalar_str(a))
}

// ---------------------------------------------------------------------------------------------
// PyTorch
// ---------------------------------------------------------------------------------------------

const TORCH_PRECISION: usize = 4;
const TORCH_LINEWIDTH: isize = 80;
const TORCH_THRESHOLD: usize = 1000;
const TORCH_EDGEITEMS: usize = 3;

/// torch's dtype name, `torch.float32` etc.
fn torch_dtype_name(dt: DType) -> &'static str {
    match dt {
        DType::Bool => "torch.bool",
        DType::I8 => "torch.int8",
        DType::I16 => "torch.int16",
        DType::I32 => "torch.int32",
        DType::I64 => "torch.int64",
        DType::U8 => "torch.uint8",
        DType::U16 => "torch.uint16",
        DType::U32 => "torch.uint32",
        DType::U64 => "torch.uint64",
        DType::F16 => "torch.float16",
        DType::BF16 => "torch.bfloat16",
        DType::F32 => "torch.float32",
        DType::F64 => "torch.float64",
    }
}

/// `torch._tensor_str._Formatter`.
struct TorchFormatter {
    floating: bool,
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
}

/// A torch element as Python sees it after `.item()` / `.tolist()`.
fn torch_item_str(data: &Data, i: usize) -> String {
    match data {
        Data::Bool(v) => if v[i] { "True" } else { "False" }.into(),
        _ => data.get_i128(i).map(|v| v.to_string()).unwrap_or_default(),
    }
}

impl TorchFormatter {
    fn new(a: &NdArray, idx: &[usize]) -> TorchFormatter {
        let mut f = TorchFormatter {
            floating: a.dtype().is_float(),
            int_mode: true,
            sci_mode: false,
            max_width: 1,
        };
        if !f.floating {
            for &i in idx {
                f.max_width = f.max_width.max(torch_item_str(&a.data, i).len());
            }
            return f;
        }
        let nz: Vec<f64> = idx
            .iter()
            .map(|&i| a.data.get_f64(i))
            .filter(|v| v.is_finite() && *v != 0.0)
            .collect();
        if nz.is_empty() {
            return f;
        }
        let max = nz.iter().map(|v| v.abs()).fold(f64::NEG_INFINITY, f64::max);
        let min = nz.iter().map(|v| v.abs()).fold(f64::INFINITY, f64::min);
        f.int_mode = nz.iter().all(|v| *v == v.ceil());
        f.sci_mode = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
        for &v in &nz {
            let w = if f.sci_mode {
                py_format_exp(v, TORCH_PRECISION).len()
            } else if f.int_mode {
                py_format_fixed(v, 0).len() + 1
            } else {
                py_format_fixed(v, TORCH_PRECISION).len()
            };
            f.max_width = f.max_width.max(w);
        }
        f
    }

    fn format(&self, data: &Data, i: usize) -> String {
        let ret = if self.floating {
            let v = data.get_f64(i);
            if self.sci_mode {
                py_format_exp(v, TORCH_PRECISION)
            } else if self.int_mode {
                let mut s = py_format_fixed(v, 0);
                if v.is_finite() {
                    s.push('.');
                }
                s
            } else {
                py_format_fixed(v, TORCH_PRECISION)
            }
        } else {
            torch_item_str(data, i)
        };
        let w = self.max_width;
        format!("{ret:>w$}")
    }
}

struct TorchStr<'a> {
    a: &'a NdArray,
    strides: Vec<usize>,
    summarize: bool,
    f: TorchFormatter,
}

impl TorchStr<'_> {
    /// `_vector_str` for the row starting at flat `offset` along the last axis.
    fn vector(&self, offset: usize, len: usize, indent: usize) -> String {
        let element_length = (self.f.max_width + 2) as isize;
        let per_line = ((TORCH_LINEWIDTH - indent as isize).div_euclid(element_length)).max(1);
        let per_line = per_line as usize;
        let fmt = |i: usize| self.f.format(&self.a.data, offset + i);
        let data: Vec<String> = if self.summarize && len > 2 * TORCH_EDGEITEMS {
            (0..TORCH_EDGEITEMS)
                .map(fmt)
                .chain(std::iter::once(" ...".to_string()))
                .chain((len - TORCH_EDGEITEMS..len).map(fmt))
                .collect()
        } else {
            (0..len).map(fmt).collect()
        };
        let lines: Vec<String> = data.chunks(per_line).map(|c| c.join(", ")).collect();
        let joiner = format!(",\n{}", " ".repeat(indent + 1));
        format!("[{}]", lines.join(&joiner))
    }

    /// `_tensor_str_with_formatter`.
    fn tensor(&self, axis: usize, offset: usize, indent: usize) -> String {
        let dim = self.a.ndim() - axis;
        if dim == 0 {
            return self.f.format(&self.a.data, offset);
        }
        let n = self.a.shape[axis];
        if dim == 1 {
            return self.vector(offset, n, indent);
        }
        let stride = self.strides[axis];
        let sub = |i: usize| self.tensor(axis + 1, offset + i * stride, indent + 1);
        let slices: Vec<String> = if self.summarize && n > 2 * TORCH_EDGEITEMS {
            (0..TORCH_EDGEITEMS)
                .map(sub)
                .chain(std::iter::once("...".to_string()))
                .chain((n - TORCH_EDGEITEMS..n).map(sub))
                .collect()
        } else {
            (0..n).map(sub).collect()
        };
        let joiner = format!(",{}{}", "\n".repeat(dim - 1), " ".repeat(indent + 1));
        format!("[{}]", slices.join(&joiner))
    }
}

/// `_add_suffixes`, including its length quirk (`len - rfind('\n') + 1`).
fn add_suffixes(tensor_str: String, suffixes: &[String], indent: usize) -> String {
    let mut out = tensor_str;
    let rfind = out.rfind('\n').map_or(-1, |p| p as isize);
    let mut last_line_len = out.len() as isize - rfind + 1;
    for suffix in suffixes {
        let len = suffix.len() as isize;
        if last_line_len + len + 2 > TORCH_LINEWIDTH {
            out.push_str(",\n");
            out.push_str(&" ".repeat(indent));
            out.push_str(suffix);
            last_line_len = indent as isize + len;
        } else {
            out.push_str(", ");
            out.push_str(suffix);
            last_line_len += len + 2;
        }
    }
    out.push(')');
    out
}

/// `print(t)` / `repr(t)` of a torch tensor (identical in torch): `tensor([0.4963, 0.7682])`,
/// `tensor(0.5000)`, `tensor([], size=(0, 3))`, with `device='cuda:0'` (when `device` is given
/// and is not `"cpu"`), `dtype=torch.float64` (non-default dtypes) and `requires_grad=True`
/// suffixes in torch's order.
pub fn torch_repr(a: &NdArray, device: Option<&str>, requires_grad: bool) -> String {
    let prefix = "tensor(";
    let indent = prefix.len();
    let mut suffixes: Vec<String> = Vec::new();
    if let Some(d) = device {
        if d != "cpu" {
            suffixes.push(format!("device='{d}'"));
        }
    }
    let dt = a.dtype();
    let tensor_str = if a.is_empty() {
        if a.ndim() != 1 {
            suffixes.push(format!("size={}", py_tuple(&a.shape)));
        }
        if dt != DType::F32 {
            suffixes.push(format!("dtype={}", torch_dtype_name(dt)));
        }
        "[]".to_string()
    } else {
        if !matches!(dt, DType::F32 | DType::I64 | DType::Bool) {
            suffixes.push(format!("dtype={}", torch_dtype_name(dt)));
        }
        let summarize = a.len() > TORCH_THRESHOLD;
        let idx: Vec<usize> = if summarize {
            edge_indices(&a.shape, TORCH_EDGEITEMS)
        } else {
            (0..a.len()).collect()
        };
        let ts = TorchStr {
            a,
            strides: strides(&a.shape),
            summarize,
            f: TorchFormatter::new(a, &idx),
        };
        ts.tensor(0, 0, indent)
    };
    if requires_grad {
        suffixes.push("requires_grad=True".into());
    }
    add_suffixes(format!("{prefix}{tensor_str}"), &suffixes, indent)
}

/// `str()` of a torch scalar as Python prints the result of `t.item()`: floats with
/// [`py_float_repr`], integers and bools as Python does.
pub fn torch_item_repr(a: &NdArray) -> String {
    if a.is_empty() {
        return String::new();
    }
    if a.dtype().is_float() {
        py_float_repr(a.data.get_f64(0))
    } else {
        torch_item_str(&a.data, 0)
    }
}
