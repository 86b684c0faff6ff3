//! Element-wise arithmetic on NumPy arrays and torch tensors for the `run` language: `+ - * /`
//! between an array and a Python number or another array (with broadcasting), and unary minus.
//!
//! Only cases whose bits are certain are computed: IEEE operations in the array's own float32 /
//! float64 type (NumPy casts a Python scalar to the array dtype under NEP 50; torch converts a CPU
//! scalar to the op math type, which for float32/float64 is the same type), and wrapping integer
//! `+ - *`. Everything else (float16/bfloat16, `**`, mixed dtypes, integer true division for
//! torch) is refused by name rather than approximated.

use super::ast::BinOp;
use super::value::Value;
use crate::array::{Data, NdArray};
use crate::{Error, Result};
use num_traits::ToPrimitive;

/// Which library's rules apply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lib {
    Numpy,
    Torch(Option<usize>),
}

fn unsupported(op: BinOp, why: &str) -> Error {
    Error::unsupported(format!("the operator '{}' on {why}", op.symbol()))
}

/// NumPy broadcasting of two shapes.
fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return None;
        };
    }
    Some(out)
}

/// Flat source index into `shape` (right-aligned in `out`) for each element of `out`.
fn broadcast_index(shape: &[usize], out: &[usize]) -> Vec<usize> {
    let total: usize = out.iter().product();
    let off = out.len() - shape.len();
    let mut strides = vec![0usize; out.len()];
    let mut s = 1usize;
    for i in (0..shape.len()).rev() {
        strides[i + off] = if shape[i] == 1 { 0 } else { s };
        s *= shape[i];
    }
    let mut idx = Vec::with_capacity(total);
    let mut counter = vec![0usize; out.len()];
    for _ in 0..total {
        idx.push(counter.iter().zip(&strides).map(|(c, st)| c * st).sum());
        for d in (0..out.len()).rev() {
            counter[d] += 1;
            if counter[d] < out[d] {
                break;
            }
            counter[d] = 0;
        }
    }
    idx
}

enum Operand {
    Arr(NdArray, Lib),
    Int(i128),
    Float(f64),
}

fn operand(v: &Value) -> Option<Operand> {
    match v {
        Value::Array(a) => Some(Operand::Arr(a.borrow().clone(), Lib::Numpy)),
        Value::Tensor(t) => {
            let t = t.borrow();
            Some(Operand::Arr(t.array.clone(), Lib::Torch(t.cuda)))
        }
        Value::Bool(b) => Some(Operand::Int(*b as i128)),
        Value::Int(i) => Some(Operand::Int(i.to_i128().unwrap_or(i128::MAX))),
        Value::Float(f) => Some(Operand::Float(*f)),
        _ => None,
    }
}

macro_rules! float_op {
    ($op:expr, $x:expr, $y:expr) => {
        match $op {
            BinOp::Add => $x + $y,
            BinOp::Sub => $x - $y,
            BinOp::Mul => $x * $y,
            _ => $x / $y,
        }
    };
}

/// `l op r` where at least one side is an array or tensor.
pub fn array_binary(op: BinOp, l: &Value, r: &Value) -> Result<Value> {
    // `x ** 2`: NumPy's fast_scalar_power turns it into `np.square` and torch's pow kernel into
    // `x * x` — the same IEEE product in both, so it is computed as `x * x`.
    if op == BinOp::Pow && matches!(l, Value::Array(_) | Value::Tensor(_)) {
        let two = match r {
            Value::Int(i) => i.to_i64() == Some(2),
            Value::Float(f) => *f == 2.0,
            _ => false,
        };
        if two {
            return array_binary(BinOp::Mul, l, l);
        }
    }
    if !matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) {
        return Err(unsupported(op, "arrays and tensors"));
    }
    let (a, b) = match (operand(l), operand(r)) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return Err(Error::type_err(format!(
                "unsupported operand type(s) for {}: '{}' and '{}'",
                op.symbol(),
                l.type_name(),
                r.type_name()
            )))
        }
    };
    let lib = match (&a, &b) {
        (Operand::Arr(_, la), Operand::Arr(_, lb)) => {
            if la != lb {
                return Err(unsupported(
                    op,
                    "a NumPy array and a tensor (or tensors on different devices)",
                ));
            }
            *la
        }
        (Operand::Arr(_, la), _) | (_, Operand::Arr(_, la)) => *la,
        _ => unreachable!("one side is an array"),
    };
    // Mixed integer/float arrays: NumPy's promotion (int8/16 and uint8/16 with float32 stay
    // float32; wider integers with float32, and any integer with float64, give float64); torch
    // keeps the float tensor's dtype. The integer side is converted (round to nearest).
    let (a, b) = match (a, b) {
        (Operand::Arr(x, la), Operand::Arr(y, lb))
            if x.dtype().is_float() != y.dtype().is_float() =>
        {
            let (fl, it) = if x.dtype().is_float() {
                (&x, &y)
            } else {
                (&y, &x)
            };
            use crate::array::DType as D;
            let target = match (lib, fl.dtype(), it.dtype()) {
                (Lib::Torch(_), d, _) => d,
                (Lib::Numpy, D::F32, D::I8 | D::U8 | D::I16 | D::U16) => D::F32,
                (Lib::Numpy, D::F32 | D::F64, _) => D::F64,
                (_, d, _) => d,
            };
            if !matches!(target, D::F32 | D::F64) || !it.dtype().is_int() {
                return Err(unsupported(op, "arrays of these dtypes"));
            }
            let conv = |z: &NdArray| -> NdArray {
                let vals: Vec<f64> = (0..z.len()).map(|i| z.data.get_f64(i)).collect();
                let exact_i64 = |i: usize| z.data.get_i128(i);
                let data = match target {
                    D::F32 => Data::F32(
                        (0..z.len())
                            .map(|i| match exact_i64(i) {
                                Some(v) => v as f32,
                                None => vals[i] as f32,
                            })
                            .collect(),
                    ),
                    _ => Data::F64(
                        (0..z.len())
                            .map(|i| match exact_i64(i) {
                                Some(v) => v as f64,
                                None => vals[i],
                            })
                            .collect(),
                    ),
                };
                NdArray::new(z.shape.clone(), data)
            };
            let xa = if x.dtype() == target {
                x.clone()
            } else {
                conv(&x)
            };
            let ya = if y.dtype() == target {
                y.clone()
            } else {
                conv(&y)
            };
            (Operand::Arr(xa, la), Operand::Arr(ya, lb))
        }
        other => other,
    };
    // An integer array meeting a Python float, or true division of integers: NumPy gives
    // float64, torch its default dtype float32; the integers are converted (round to nearest).
    let needs_float = |x: &NdArray, other: &Operand| {
        x.dtype().is_int() && (op == BinOp::Div || matches!(other, Operand::Float(_)))
    };
    let to_float = |x: &NdArray| -> NdArray {
        let data = match lib {
            Lib::Numpy => Data::F64(
                (0..x.len())
                    .map(|i| x.data.get_i128(i).map_or(x.data.get_f64(i), |v| v as f64))
                    .collect(),
            ),
            Lib::Torch(_) => Data::F32(
                (0..x.len())
                    .map(|i| {
                        x.data
                            .get_i128(i)
                            .map_or(x.data.get_f64(i) as f32, |v| v as f32)
                    })
                    .collect(),
            ),
        };
        NdArray::new(x.shape.clone(), data)
    };
    let (a, b) = {
        let fa = matches!(&a, Operand::Arr(x, _) if needs_float(x, &b));
        let fb = matches!(&b, Operand::Arr(y, _) if needs_float(y, &a));
        let a = match a {
            Operand::Arr(x, l) if fa => Operand::Arr(to_float(&x), l),
            other => other,
        };
        let b = match b {
            Operand::Arr(y, l) if fb => Operand::Arr(to_float(&y), l),
            other => other,
        };
        (a, b)
    };
    // Bring both sides to arrays of one dtype.
    let dtype = match (&a, &b) {
        (Operand::Arr(x, _), Operand::Arr(y, _)) => {
            if x.dtype() != y.dtype() {
                return Err(unsupported(op, "arrays of different dtypes"));
            }
            x.dtype()
        }
        (Operand::Arr(x, _), s) | (s, Operand::Arr(x, _)) => {
            let d = x.dtype();
            match (s, d.is_float()) {
                (Operand::Float(_), false) => {
                    return Err(unsupported(op, "an integer array and a float"));
                }
                _ => d,
            }
        }
        _ => unreachable!(),
    };
    use crate::array::DType as D;
    if !matches!(
        dtype,
        D::F32 | D::F64 | D::I64 | D::I32 | D::I16 | D::I8 | D::U8 | D::U16 | D::U32 | D::U64
    ) {
        return Err(unsupported(op, &format!("{} arrays", dtype.name())));
    }
    if op == BinOp::Div && !dtype.is_float() {
        return Err(unsupported(op, "integer arrays"));
    }
    let to_arr = |o: &Operand| -> Result<NdArray> {
        Ok(match o {
            Operand::Arr(x, _) => x.clone(),
            Operand::Float(f) => NdArray::scalar(match dtype {
                D::F32 => Data::F32(vec![*f as f32]),
                _ => Data::F64(vec![*f]),
            }),
            Operand::Int(i) => {
                let (lo, hi) = dtype.int_bounds().unwrap_or((i128::MIN, i128::MAX));
                if !dtype.is_float() && (*i < lo || *i > hi) {
                    return Err(match lib {
                        Lib::Numpy => Error::Overflow(format!(
                            "Python integer {i} out of bounds for {}",
                            dtype.name()
                        )),
                        Lib::Torch(_) => {
                            unsupported(op, "an integer scalar outside the tensor's dtype")
                        }
                    });
                }
                NdArray::scalar(match dtype {
                    D::F32 => Data::F32(vec![*i as f32]),
                    D::F64 => Data::F64(vec![*i as f64]),
                    D::I8 => Data::I8(vec![*i as i8]),
                    D::I16 => Data::I16(vec![*i as i16]),
                    D::I32 => Data::I32(vec![*i as i32]),
                    D::I64 => Data::I64(vec![*i as i64]),
                    D::U8 => Data::U8(vec![*i as u8]),
                    D::U16 => Data::U16(vec![*i as u16]),
                    D::U32 => Data::U32(vec![*i as u32]),
                    _ => Data::U64(vec![*i as u64]),
                })
            }
        })
    };
    let x = to_arr(&a)?;
    let y = to_arr(&b)?;
    let shape = broadcast(&x.shape, &y.shape).ok_or_else(|| match lib {
        Lib::Numpy => Error::value(format!(
            "operands could not be broadcast together with shapes {:?} {:?}",
            x.shape, y.shape
        )),
        Lib::Torch(_) => Error::Runtime(format!(
            "The size of tensor a must match the size of tensor b (shapes {:?} and {:?})",
            x.shape, y.shape
        )),
    })?;
    let ix = broadcast_index(&x.shape, &shape);
    let iy = broadcast_index(&y.shape, &shape);
    macro_rules! int_op {
        ($xs:expr, $ys:expr, $c:ident) => {
            Data::$c(
                ix.iter()
                    .zip(&iy)
                    .map(|(&i, &j)| match op {
                        BinOp::Add => $xs[i].wrapping_add($ys[j]),
                        BinOp::Sub => $xs[i].wrapping_sub($ys[j]),
                        _ => $xs[i].wrapping_mul($ys[j]),
                    })
                    .collect(),
            )
        };
    }
    let data = match (&x.data, &y.data) {
        (Data::F64(xs), Data::F64(ys)) => Data::F64(
            ix.iter()
                .zip(&iy)
                .map(|(&i, &j)| float_op!(op, xs[i], ys[j]))
                .collect(),
        ),
        (Data::F32(xs), Data::F32(ys)) => Data::F32(
            ix.iter()
                .zip(&iy)
                .map(|(&i, &j)| float_op!(op, xs[i], ys[j]))
                .collect(),
        ),
        (Data::I64(xs), Data::I64(ys)) => int_op!(xs, ys, I64),
        (Data::I32(xs), Data::I32(ys)) => int_op!(xs, ys, I32),
        (Data::I16(xs), Data::I16(ys)) => int_op!(xs, ys, I16),
        (Data::I8(xs), Data::I8(ys)) => int_op!(xs, ys, I8),
        (Data::U64(xs), Data::U64(ys)) => int_op!(xs, ys, U64),
        (Data::U32(xs), Data::U32(ys)) => int_op!(xs, ys, U32),
        (Data::U16(xs), Data::U16(ys)) => int_op!(xs, ys, U16),
        (Data::U8(xs), Data::U8(ys)) => int_op!(xs, ys, U8),
        _ => return Err(unsupported(op, "these operand types")),
    };
    let out = NdArray::new(shape, data);
    Ok(match lib {
        Lib::Numpy => Value::array(out),
        Lib::Torch(dev) => Value::tensor(out, dev),
    })
}
