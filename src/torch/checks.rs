//! The host-side argument checks and bound adjustments of torch's random kernels, shared by
//! the CPU kernels ([`super::cpu`]) and the CUDA emulation ([`super::cuda`]): in torch they
//! run on the CPU for both devices (`aten/src/ATen/native/DistributionTemplates.h`:
//! `check_from_to_in_range`, `update_from`, `update_to`, `uniform_impl_`'s bounds checks;
//! `ATen/ExpandUtils.h` for `expand`).

use half::{bf16, f16};

use crate::array::{broadcast_index_map, DType};
use crate::math::cpu::cvtt_f64_i64;
use crate::torch::names::{cpp_double, not_implemented, scalar_type_name, type_meta_name};
use crate::{Error, Result};

/// `std::numeric_limits<scalar_t>::lowest()/max()` as doubles, for the floating dtypes.
pub fn float_bounds(d: DType) -> Option<(f64, f64)> {
    match d {
        DType::F64 => Some((f64::MIN, f64::MAX)),
        DType::F32 => Some((f64::from(f32::MIN), f64::from(f32::MAX))),
        DType::F16 => Some((f16::MIN.to_f64(), f16::MAX.to_f64())),
        DType::BF16 => Some((bf16::MIN.to_f64(), bf16::MAX.to_f64())),
        _ => None,
    }
}

/// `std::numeric_limits<scalar_t>::digits` for the floating dtypes (0 for the others).
pub fn float_digits(d: DType) -> u32 {
    match d {
        DType::F64 => 53,
        DType::F32 => 24,
        DType::F16 => 11,
        DType::BF16 => 8,
        _ => 0,
    }
}

/// `uniform_impl_`'s checks of `from`/`to` against the dtype (`check_uniform_bounds`), with
/// torch's messages; returns `(from, to)` clamped to the dtype's range as the kernel sees them.
pub fn check_uniform_bounds(d: DType, from: f64, to: f64) -> Result<(f64, f64)> {
    let (lo, hi) = float_bounds(d).ok_or_else(|| not_implemented("check_uniform_bounds", d))?;
    let tm = type_meta_name(d);
    if !(from >= lo && from <= hi) {
        return Err(Error::Runtime(format!("from is out of bounds for {tm}")));
    }
    if !(to >= lo && to <= hi) {
        return Err(Error::Runtime(format!("to is out of bounds for {tm}")));
    }
    if from > to {
        return Err(Error::Runtime(format!(
            "uniform_ expects to return a [from, to) range, but found from={} > to={}",
            cpp_double(from),
            cpp_double(to)
        )));
    }
    if to - from > hi {
        return Err(Error::Runtime(format!(
            "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={} and \
             from={} which result in to-from to exceed the limit",
            scalar_type_name(d),
            cpp_double(to),
            cpp_double(from)
        )));
    }
    Ok((from.clamp(lo, hi), to.clamp(lo, hi)))
}

/// `check_from_to_in_range(from, to_inc, dtype)`: both ends inside the dtype's range (for
/// uint64 torch checks against int64's maximum).
pub fn check_from_to_in_range(d: DType, from: i64, to_inc: i64) -> Result<()> {
    let tm = type_meta_name(d);
    let oob = |what: &str| Error::Runtime(format!("{what} is out of bounds for {tm}"));
    let inside = |v: i64| match float_bounds(d) {
        Some((lo, hi)) => (v as f64) >= lo && (v as f64) <= hi,
        None => {
            let (lo, hi) = if d == DType::U64 {
                (0, i128::from(i64::MAX))
            } else {
                d.int_bounds().unwrap_or((0, 1))
            };
            (lo..=hi).contains(&i128::from(v))
        }
    };
    if !inside(from) {
        return Err(oob("from"));
    }
    if !inside(to_inc) {
        return Err(oob("to - 1"));
    }
    Ok(())
}

/// `static_cast<int64_t>(static_cast<scalar_t>(v))` for a floating `scalar_t` as the x86-64
/// host computes it: rounded to the dtype (half types through `float`), then `cvttsd2si`
/// (`i64::MIN` when out of range).
fn through_float(d: DType, v: i64) -> i64 {
    let x = match d {
        DType::F16 => f16::from_f32(v as f32).to_f64(),
        DType::BF16 => bf16::from_f32(v as f32).to_f64(),
        DType::F32 => f64::from(v as f32),
        _ => v as f64,
    };
    cvtt_f64_i64(x)
}

/// Index of the highest set bit (`0` for 0 and 1), as torch's loop `while (x >>= 1) ++n;`.
fn floor_log2(v: i64) -> i64 {
    let mut v = v;
    let mut n = 0;
    loop {
        v >>= 1;
        if v == 0 {
            return n;
        }
        n += 1;
    }
}

/// `update_from<scalar_t>`: for floating dtypes, moves `from` up to the first value the dtype
/// represents at or above it.
pub fn update_from(d: DType, from: i64) -> i64 {
    let from_plus_1 = through_float(d, from.wrapping_add(1));
    if from_plus_1 < from {
        let n = floor_log2(from.wrapping_add(1).wrapping_abs());
        let sh = n - i64::from(float_digits(d)) + 1;
        return from_plus_1.wrapping_add(1i64.wrapping_shl(sh as u32));
    }
    from
}

/// `update_to<scalar_t>`: for floating dtypes, moves `to` down below the last value the dtype
/// represents under it.
pub fn update_to(d: DType, to: i64) -> i64 {
    let to_minus_1 = through_float(d, to.wrapping_sub(1));
    if to_minus_1 >= to {
        let n = floor_log2(to.wrapping_sub(1).wrapping_abs());
        let sh = n - i64::from(float_digits(d)) + 1;
        return to_minus_1.wrapping_sub(1i64.wrapping_shl(sh as u32));
    }
    to
}

/// `tensor.expand(shape)` as an index map: for each element of `shape` (C order), the flat
/// index of the element of a tensor of shape `have` that lands there; torch's errors when
/// `have` cannot be expanded.
pub fn expand_index(have: &[usize], shape: &[usize]) -> Result<Vec<usize>> {
    if have.len() > shape.len() {
        return Err(Error::Runtime(format!(
            "expand: the number of sizes provided ({}) must be greater or equal to the number \
             of dimensions in the tensor ({})",
            shape.len(),
            have.len()
        )));
    }
    let off = shape.len() - have.len();
    for (d, &h) in have.iter().enumerate() {
        let want = shape[off + d];
        if h != want && h != 1 {
            return Err(Error::Runtime(format!(
                "The expanded size of the tensor ({want}) must match the existing size ({h}) at \
                 non-singleton dimension {}.  Target sizes: {shape:?}.  Tensor sizes: {have:?}",
                off + d
            )));
        }
    }
    Ok(broadcast_index_map(shape, have))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_errors_and_maps() {
        assert_eq!(
            expand_index(&[2, 1], &[2, 3]).unwrap(),
            vec![0, 0, 0, 1, 1, 1]
        );
        assert_eq!(expand_index(&[3], &[2, 3]).unwrap(), vec![0, 1, 2, 0, 1, 2]);
        assert!(expand_index(&[2], &[2, 3]).is_err());
        assert!(expand_index(&[1, 2, 3], &[2, 3]).is_err());
    }

    #[test]
    fn update_bounds_match_the_host_cast() {
        // float: 2^24 + 1 is not representable; 2^63 - 1 rounds to 2^63, which the x86
        // conversion turns into i64::MIN, so `to` is left alone there.
        assert_eq!(update_from(DType::F32, 1 << 24), 1 << 24);
        assert_eq!(update_to(DType::F32, i64::MAX), i64::MAX);
        assert_eq!(update_to(DType::F64, 10), 10);
        assert_eq!(update_from(DType::I64, 5), 5);
    }
}
