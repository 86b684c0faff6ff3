//! torch 2.15's CPU distribution kernels on [`CpuGenerator`], bit for bit.
//!
//! Upstream sources mirrored (paths in the `pytorch/pytorch` repository):
//! * `aten/src/ATen/native/cpu/DistributionTemplates.h`: the kernels (`uniform_kernel`,
//!   `normal_kernel` / `normal_fill` / `NormalFill16`, `random_*_kernel`, `cauchy_kernel`, ...);
//! * `aten/src/ATen/core/DistributionsHelper.h` and `TransformationHelper.h`: the per-sample
//!   distributions (`uniform_real`, `normal_distribution<double>`, `uniform_int*`, ...);
//! * `aten/src/ATen/native/DistributionTemplates.h`: argument checks and range computation;
//! * `aten/src/ATen/native/TensorFactories.cpp` (`randperm_cpu`), `Distributions.cpp`
//!   (`multinomial`), `cpu/MultinomialKernel.cpp`, `Dropout.cpp`.
//!
//! Tensors are C-contiguous [`NdArray`]s, so TensorIterator order is the linear order and every
//! tensor with 16 or more elements takes torch's `normal_fill` path.

// torch's checks (`TORCH_CHECK(std >= 0.0)`, ...) reject NaN; the negated comparisons below
// keep that behaviour explicit.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use half::{bf16, f16};

use super::{CpuCapability, CpuGenerator};
use crate::array::{DType, Data, NdArray};
use crate::math::cpu as m;
use crate::math::cpu::FmaOp;
use crate::math::cpu::{cvtt_f64_i32 as cvtt32, cvtt_f64_i64 as cvtt64};
use crate::{Error, Result};

const TWO_PI: f64 = 2.0 * std::f64::consts::PI;
const TWO_63: f64 = (1u64 << 63) as f64;
use crate::torch::checks::{
    check_from_to_in_range, check_uniform_bounds, float_digits, update_from, update_to,
};
use crate::torch::names::not_implemented;
pub use crate::torch::names::{cpp_double, scalar_type_name, type_meta_name};

// ------------------------------------------------------------------------------------------
// dtype names and casts
// ------------------------------------------------------------------------------------------

/// `static_cast<scalar_t>(double)` as GCC compiles it on x86-64: f16/bf16 go through `float`
/// (c10::Half / BFloat16 have only a float constructor); integers truncate via `cvttsd2si`.
pub fn cast_f64(d: DType, v: &[f64]) -> Data {
    match d {
        DType::F64 => Data::F64(v.to_vec()),
        DType::F32 => Data::F32(v.iter().map(|&x| x as f32).collect()),
        DType::F16 => Data::F16(v.iter().map(|&x| f16::from_f32(x as f32)).collect()),
        DType::BF16 => Data::BF16(v.iter().map(|&x| bf16::from_f32(x as f32)).collect()),
        DType::Bool => Data::Bool(v.iter().map(|&x| x != 0.0).collect()),
        DType::I8 => Data::I8(v.iter().map(|&x| cvtt32(x) as i8).collect()),
        DType::I16 => Data::I16(v.iter().map(|&x| cvtt32(x) as i16).collect()),
        DType::I32 => Data::I32(v.iter().map(|&x| cvtt32(x)).collect()),
        DType::I64 => Data::I64(v.iter().map(|&x| cvtt64(x)).collect()),
        DType::U8 => Data::U8(v.iter().map(|&x| cvtt32(x) as u8).collect()),
        DType::U16 => Data::U16(v.iter().map(|&x| cvtt32(x) as u16).collect()),
        DType::U32 => Data::U32(v.iter().map(|&x| cvtt64(x) as u32).collect()),
        DType::U64 => Data::U64(
            v.iter()
                .map(|&x| {
                    if x < TWO_63 {
                        cvtt64(x) as u64
                    } else {
                        (cvtt64(x - TWO_63) as u64) ^ (1 << 63)
                    }
                })
                .collect(),
        ),
    }
}

/// `static_cast<scalar_t>(float)` for the float-opmath dtypes (round to nearest even).
fn cast_f32(d: DType, v: &[f32]) -> Data {
    match d {
        DType::F16 => Data::F16(v.iter().map(|&x| f16::from_f32(x)).collect()),
        DType::BF16 => Data::BF16(v.iter().map(|&x| bf16::from_f32(x)).collect()),
        DType::F64 => Data::F64(v.iter().map(|&x| x as f64).collect()),
        _ => Data::F32(v.to_vec()),
    }
}

/// `static_cast<scalar_t>(int64_t)` (torch's copy/convert of integers): integers wrap, floats round to nearest (f16/bf16 via float).
pub fn cast_i64(d: DType, v: &[i64]) -> Data {
    match d {
        DType::F64 => Data::F64(v.iter().map(|&x| x as f64).collect()),
        DType::F32 => Data::F32(v.iter().map(|&x| x as f32).collect()),
        DType::F16 => Data::F16(v.iter().map(|&x| f16::from_f32(x as f32)).collect()),
        DType::BF16 => Data::BF16(v.iter().map(|&x| bf16::from_f32(x as f32)).collect()),
        DType::Bool => Data::Bool(v.iter().map(|&x| x != 0).collect()),
        DType::I8 => Data::I8(v.iter().map(|&x| x as i8).collect()),
        DType::I16 => Data::I16(v.iter().map(|&x| x as i16).collect()),
        DType::I32 => Data::I32(v.iter().map(|&x| x as i32).collect()),
        DType::I64 => Data::I64(v.to_vec()),
        DType::U8 => Data::U8(v.iter().map(|&x| x as u8).collect()),
        DType::U16 => Data::U16(v.iter().map(|&x| x as u16).collect()),
        DType::U32 => Data::U32(v.iter().map(|&x| x as u32).collect()),
        DType::U64 => Data::U64(v.iter().map(|&x| x as u64).collect()),
    }
}

/// An uninitialised-in-torch (zero here) tensor of `shape` and `dtype`: `torch.empty`.
pub fn empty(shape: &[usize], dtype: DType) -> Result<NdArray> {
    NdArray::zeros(shape, dtype)
}

// ------------------------------------------------------------------------------------------
// bulk draws
// ------------------------------------------------------------------------------------------

/// The output buffer of an in-place kernel: the tensor's own storage when it already has the
/// right type (as torch writes in place; `torch.rand` & co. then allocate once, in `empty`),
/// else a new one. Every element is overwritten by the caller.
fn out_f64(a: &mut NdArray, n: usize) -> Vec<f64> {
    match &mut a.data {
        Data::F64(v) if v.len() == n => std::mem::take(v),
        _ => vec![0.0; n],
    }
}

/// [`out_f64`] for float32 storage.
fn out_f32(a: &mut NdArray, n: usize) -> Vec<f32> {
    match &mut a.data {
        Data::F32(v) if v.len() == n => std::mem::take(v),
        _ => vec![0.0; n],
    }
}

/// [`out_f64`] for int64 storage.
fn out_i64(a: &mut NdArray, n: usize) -> Vec<i64> {
    match &mut a.data {
        Data::I64(v) if v.len() == n => std::mem::take(v),
        _ => vec![0; n],
    }
}

/// Words drawn per chunk by the bulk helpers.
const WORDS: usize = 512;

/// `out[i] = f(random())` for every element, drawing the 32-bit words in bulk
/// ([`super::TorchMt19937::fill_u32`]): the same words, in the same order, as one `random()`
/// per element.
#[inline]
fn fill_from_u32<T>(g: &mut CpuGenerator, out: &mut [T], f: impl Fn(u32) -> T) {
    let mut buf = [0u32; WORDS];
    for chunk in out.chunks_mut(WORDS) {
        let w = &mut buf[..chunk.len()];
        g.engine.fill_u32(w);
        for (o, &x) in chunk.iter_mut().zip(w.iter()) {
            *o = f(x);
        }
    }
}

/// `out[i] = f(random64())` for every element (`random64()` = first word high), in bulk.
#[inline]
fn fill_from_u64<T>(g: &mut CpuGenerator, out: &mut [T], f: impl Fn(u64) -> T) {
    let mut buf = [0u32; WORDS];
    for chunk in out.chunks_mut(WORDS / 2) {
        let w = &mut buf[..2 * chunk.len()];
        g.engine.fill_u32(w);
        for (o, p) in chunk.iter_mut().zip(w.chunks_exact(2)) {
            *o = f((u64::from(p[0]) << 32) | u64::from(p[1]));
        }
    }
}

/// [`unit_f32`] of a word.
#[inline(always)]
fn unit_f32_of(w: u32) -> f32 {
    (w & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0)
}

/// [`unit_f64`] of a `random64()` value.
#[inline(always)]
fn unit_f64_of(w: u64) -> f64 {
    (w & ((1u64 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// `n % d` for `n, d < 2^32`, `d > 0`, by multiplication (Lemire, Kaser and Kurz, "Faster
/// remainder by direct computation", 2019: exact for all 32-bit `n` and `d` with
/// `m = floor((2^64 - 1) / d) + 1`).
#[inline(always)]
fn fastmod_u32(n: u32, m: u64, d: u32) -> u32 {
    let low = m.wrapping_mul(u64::from(n));
    ((u128::from(low) * u128::from(d)) >> 64) as u32
}

/// The multiplier of [`fastmod_u32`] for divisor `d`.
#[inline]
fn fastmod_m(d: u32) -> u64 {
    (u64::MAX / u64::from(d)).wrapping_add(1)
}

/// `torch.full(shape, value, dtype)` (used for `zeros`/`ones`).
pub fn full(shape: &[usize], value: f64, dtype: DType) -> Result<NdArray> {
    let n = crate::array::checked_size(shape)?;
    Ok(NdArray::new(
        shape.to_vec(),
        cast_f64(dtype, &vec![value; n]),
    ))
}

// ------------------------------------------------------------------------------------------
// per-sample distributions (DistributionsHelper.h / TransformationHelper.h)
// ------------------------------------------------------------------------------------------

/// `uniform_real_distribution<float>(0,1)`: 24 bits of `random()` times 2^-24.
#[inline]
fn unit_f32(g: &mut CpuGenerator) -> f32 {
    (g.random() & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0)
}

/// `uniform_real_distribution<double>(0,1)`: 53 bits of `random64()` times 2^-53.
#[inline]
fn unit_f64(g: &mut CpuGenerator) -> f64 {
    (g.random64() & ((1u64 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// `a*b + c` as torch's build for `cap` compiles it (contracted to FMA on AVX2).
#[inline]
fn madd(cap: CpuCapability, a: f64, b: f64, c: f64) -> f64 {
    if cap.fused() {
        m::fma(a, b, c)
    } else {
        a * b + c
    }
}

#[inline]
fn maddf(cap: CpuCapability, a: f32, b: f32, c: f32) -> f32 {
    if cap.fused() {
        m::fmaf(a, b, c)
    } else {
        a * b + c
    }
}

/// `normal_distribution<double>(mean, std)` (`DistributionsHelper.h`): Box-Muller with the
/// generator's cached second sample; `transformation::normal` = `val*std + mean`.
fn normal_double(g: &mut CpuGenerator, mean: f64, std: f64) -> f64 {
    let cap = g.capability;
    let ret = if let Some(c) = g.next_double_normal.take() {
        c
    } else {
        let u1 = unit_f64(g);
        let u2 = unit_f64(g);
        let r = (-2.0 * m::log1p(-u2)).sqrt();
        let theta = TWO_PI * u1;
        g.next_double_normal = Some(r * m::sin(theta));
        r * m::cos(theta)
    };
    madd(cap, ret, std, mean)
}

// ------------------------------------------------------------------------------------------
// uniform_
// ------------------------------------------------------------------------------------------

/// `tensor.uniform_(from, to)`: `uniform_impl_` checks (`native/DistributionTemplates.h`) and
/// `uniform_kernel` (`native/cpu/DistributionTemplates.h`): opmath `x*(to-from)+from`, cast,
/// and a value equal to `(scalar_t)to` replaced by `(scalar_t)from`.
pub fn uniform_(g: &mut CpuGenerator, a: &mut NdArray, from: f64, to: f64) -> Result<()> {
    let d = a.dtype();
    let (from, to) = check_uniform_bounds(d, from, to)?;
    let n = a.len();
    if n == 0 {
        return Ok(());
    }
    let cap = g.capability;
    if d == DType::F64 {
        let range = to - from;
        let mut v = out_f64(a, n);
        if range == 1.0 && from == 0.0 {
            // `x * 1 + 0` is `x` exactly (fused or not) for the unit uniform `x >= 0`.
            fill_from_u64(g, &mut v, |w| {
                let r = unit_f64_of(w);
                if r == to {
                    from
                } else {
                    r
                }
            });
        } else {
            fill_from_u64(g, &mut v, |w| {
                let r = madd(cap, unit_f64_of(w), range, from);
                if r == to {
                    from
                } else {
                    r
                }
            });
        }
        a.data = Data::F64(v);
        return Ok(());
    }
    let (ff, tf) = (from as f32, to as f32);
    let range = tf - ff;
    if d == DType::F32 {
        let mut v = out_f32(a, n);
        if range == 1.0 && ff == 0.0 {
            // `x * 1 + 0` is `x` exactly (fused or not) for the unit uniform `x >= 0`.
            fill_from_u32(g, &mut v, |w| {
                let x = unit_f32_of(w);
                if x == tf {
                    ff
                } else {
                    x
                }
            });
            a.data = Data::F32(v);
            return Ok(());
        }
        fill_from_u32(g, &mut v, |w| {
            let x = maddf(cap, unit_f32_of(w), range, ff);
            if x == tf {
                ff
            } else {
                x
            }
        });
        a.data = Data::F32(v);
        return Ok(());
    }
    let mut v = vec![0.0f32; n];
    fill_from_u32(g, &mut v, |w| maddf(cap, unit_f32_of(w), range, ff));
    a.data = match d {
        DType::F16 => {
            let (t, f) = (f16::from_f32(tf), f16::from_f32(ff));
            Data::F16(
                v.into_iter()
                    .map(|x| {
                        let h = f16::from_f32(x);
                        if h == t {
                            f
                        } else {
                            h
                        }
                    })
                    .collect(),
            )
        }
        _ => {
            let (t, f) = (bf16::from_f32(tf), bf16::from_f32(ff));
            Data::BF16(
                v.into_iter()
                    .map(|x| {
                        let h = bf16::from_f32(x);
                        if h == t {
                            f
                        } else {
                            h
                        }
                    })
                    .collect(),
            )
        }
    };
    Ok(())
}

/// `torch.rand(*size, dtype=dtype)` = `empty(size).uniform_(0, 1)`.
pub fn rand(g: &mut CpuGenerator, shape: &[usize], dtype: DType) -> Result<NdArray> {
    let mut a = empty(shape, dtype)?;
    uniform_(g, &mut a, 0.0, 1.0)?;
    Ok(a)
}

// ------------------------------------------------------------------------------------------
// normal_
// ------------------------------------------------------------------------------------------

/// Generic `NormalFill16<double>` (both builds; explicit `std::fma`).
fn normal_fill16_f64(d: &mut [f64], mean: f64, std: f64) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * m::log(u1)).sqrt();
        let theta = TWO_PI * u2;
        d[j] = m::fma(radius * m::cos(theta), std, mean);
        d[j + 8] = m::fma(radius * m::sin(theta), std, mean);
    }
}

/// Generic `NormalFill16<float>` (DEFAULT build): `logf`, angle computed in double then
/// rounded to float, `cosf`/`sinf`, `fmaf`.
fn normal_fill16_f32_scalar(d: &mut [f32], mean: f32, std: f32) {
    for j in 0..8 {
        let u1 = 1.0f32 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0f32 * m::logf(u1)).sqrt();
        let theta = (TWO_PI * u2 as f64) as f32;
        d[j] = m::fmaf(radius * m::cosf(theta), std, mean);
        d[j + 8] = m::fmaf(radius * m::sinf(theta), std, mean);
    }
}

/// AVX2 `NormalFill16<float, true>`: avx_mathfun `log256_ps` / `sincos256_ps` per lane.
///
/// Fast path: the eight lanes computed branch-free with [`m::Checked`] fused multiply-adds
/// (double arithmetic, vectorisable); if any of them could not be shown exact, the block is
/// recomputed with the exact scalar code ([`normal_fill16_f32_avx2_exact`]), so the result is
/// always the latter's.
fn normal_fill16_f32_avx2(d: &mut [f32], mean: f32, std: f32) {
    let two_pi = TWO_PI as f32;
    let (Some(lo), Some(hi)) = (d.get(..8), d.get(8..16)) else {
        return normal_fill16_f32_avx2_exact(d, mean, std);
    };
    let mut out_lo = [0f32; 8];
    let mut out_hi = [0f32; 8];
    let mut ok = [false; 8];
    for j in 0..8 {
        let mut f = m::Checked(true);
        let u1 = 1.0f32 - lo[j];
        let u2 = hi[j];
        let radius = (-2.0f32 * m::log256_ps_with(u1, &mut f)).sqrt();
        let theta = two_pi * u2;
        let (s, c) = m::sincos256_ps_with(theta, &mut f);
        out_lo[j] = f.fma(radius * c, std, mean);
        out_hi[j] = f.fma(radius * s, std, mean);
        ok[j] = f.0;
    }
    if ok.iter().all(|&o| o) {
        d[..8].copy_from_slice(&out_lo);
        d[8..16].copy_from_slice(&out_hi);
    } else {
        normal_fill16_f32_avx2_exact(d, mean, std);
    }
}

/// [`normal_fill16_f32_avx2`] lane by lane with exact [`m::fmaf`] (the reference).
fn normal_fill16_f32_avx2_exact(d: &mut [f32], mean: f32, std: f32) {
    let two_pi = TWO_PI as f32;
    for j in 0..8 {
        let u1 = 1.0f32 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0f32 * m::log256_ps(u1)).sqrt();
        let theta = two_pi * u2;
        let (s, c) = m::sincos256_ps(theta);
        d[j] = m::fmaf(radius * c, std, mean);
        d[j + 8] = m::fmaf(radius * s, std, mean);
    }
}

/// Every whole 16-element block of `d` through `NormalFill16<float, true>`, in order.
///
/// On processors with a hardware FMA (nearly every x86-64 since 2013) this runs the
/// [`normal_blocks_f32_avx2_hw`] clone compiled for AVX2+FMA, where each of torch's fused
/// multiply-adds is one `vfmadd` instruction, exactly as in torch's own AVX2 kernel; otherwise
/// block by block through the portable [`normal_fill16_f32_avx2`]. Both give the same bits.
fn normal_blocks_f32_avx2(d: &mut [f32], mean: f32, std: f32) {
    if m::has_hw_fma() {
        normal_blocks_f32_avx2_hw(d, mean, std);
    } else {
        for b in d.chunks_exact_mut(16) {
            normal_fill16_f32_avx2(b, mean, std);
        }
    }
}

/// [`normal_blocks_f32_avx2`] with the processor's fused multiply-add ([`m::Hw`]). Only called
/// when [`m::has_hw_fma`] holds, so the FMA clone is the one that runs; the generic clone that
/// `#[multiversion]` also emits is exact too (libm `fmaf`), only slow.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+fma"))]
fn normal_blocks_f32_avx2_hw(d: &mut [f32], mean: f32, std: f32) {
    let two_pi = TWO_PI as f32;
    for b in d.chunks_exact_mut(16) {
        let (lo, hi) = b.split_at_mut(8);
        for j in 0..8 {
            let mut f = m::Hw;
            let u1 = 1.0f32 - lo[j];
            let u2 = hi[j];
            let radius = (-2.0f32 * m::log256_ps_with(u1, &mut f)).sqrt();
            let theta = two_pi * u2;
            let (s, c) = m::sincos256_ps_with(theta, &mut f);
            lo[j] = f.fma(radius * c, std, mean);
            hi[j] = f.fma(radius * s, std, mean);
        }
    }
}

fn normal_fill16_f32(cap: CpuCapability, d: &mut [f32], mean: f32, std: f32) {
    match cap {
        CpuCapability::Avx2 => normal_fill16_f32_avx2(d, mean, std),
        CpuCapability::Default => normal_fill16_f32_scalar(d, mean, std),
    }
}

/// Elements filled and transformed together by [`normal_fill`] (a multiple of 16 that fits in
/// L1/L2 with its uniforms).
const FUSED_RUN: usize = 4096;

/// `normal_fill` (numel >= 16, contiguous).
fn normal_fill(g: &mut CpuGenerator, a: &mut NdArray, mean: f64, std: f64) {
    let n = a.len();
    let cap = g.capability;
    match a.dtype() {
        DType::F64 => {
            let mut v = out_f64(a, n);
            fill_from_u64(g, &mut v, unit_f64_of);
            let mut i = 0;
            while i + 16 <= n {
                normal_fill16_f64(&mut v[i..i + 16], mean, std);
                i += 16;
            }
            if n % 16 != 0 {
                let t = &mut v[n - 16..];
                for x in t.iter_mut() {
                    *x = unit_f64(g);
                }
                normal_fill16_f64(t, mean, std);
            }
            a.data = Data::F64(v);
        }
        DType::F32 => {
            let (mf, sf) = (mean as f32, std as f32);
            let mut v = out_f32(a, n);
            // torch fills all n uniforms, then transforms the whole 16-blocks in order, then
            // redraws the last 16 for a ragged tail. The whole blocks only read their own
            // uniforms, so filling and transforming a cache-sized run at a time gives the same
            // values while the uniforms are still in cache.
            let whole = n / 16 * 16;
            for run in v[..whole].chunks_mut(FUSED_RUN) {
                fill_from_u32(g, run, unit_f32_of);
                match cap {
                    CpuCapability::Avx2 => normal_blocks_f32_avx2(run, mf, sf),
                    CpuCapability::Default => {
                        for b in run.chunks_exact_mut(16) {
                            normal_fill16_f32_scalar(b, mf, sf);
                        }
                    }
                }
            }
            fill_from_u32(g, &mut v[whole..], unit_f32_of);
            if n % 16 != 0 {
                let t = &mut v[n - 16..];
                for x in t.iter_mut() {
                    *x = unit_f32(g);
                }
                normal_fill16_f32(cap, t, mf, sf);
            }
            a.data = Data::F32(v);
        }
        d => {
            // f16 / bf16: a float buffer of 16 per block, then cast.
            let (mf, sf) = (mean as f32, std as f32);
            let mut out = vec![0f32; n];
            let mut buf = [0f32; 16];
            let mut i = 0;
            while i + 16 <= n {
                for x in buf.iter_mut() {
                    *x = unit_f32(g);
                }
                normal_fill16_f32(cap, &mut buf, mf, sf);
                out[i..i + 16].copy_from_slice(&buf);
                i += 16;
            }
            if n % 16 != 0 {
                for x in buf.iter_mut() {
                    *x = unit_f32(g);
                }
                normal_fill16_f32(cap, &mut buf, mf, sf);
                out[n - 16..].copy_from_slice(&buf);
            }
            a.data = cast_f32(d, &out);
        }
    }
}

/// `tensor.normal_(mean, std)`: `normal_impl_` check, then `normal_kernel`: `normal_fill` for
/// numel >= 16, otherwise the scalar `normal_distribution<double>` path with the shared cache.
pub fn normal_(g: &mut CpuGenerator, a: &mut NdArray, mean: f64, std: f64) -> Result<()> {
    if !(std >= 0.0) {
        return Err(Error::Runtime(format!(
            "normal expects std >= 0.0, but found std {}",
            cpp_double(std)
        )));
    }
    let d = a.dtype();
    if a.is_empty() {
        return Ok(());
    }
    if !d.is_float() {
        return Err(not_implemented("normal_kernel_cpu", d));
    }
    let n = a.len();
    if n >= 16 {
        normal_fill(g, a, mean, std);
    } else {
        let v: Vec<f64> = (0..n).map(|_| normal_double(g, mean, std)).collect();
        a.data = cast_f64(d, &v);
    }
    Ok(())
}

/// `torch.randn(*size, dtype)` = `empty(size).normal_(0, 1)`.
pub fn randn(g: &mut CpuGenerator, shape: &[usize], dtype: DType) -> Result<NdArray> {
    let mut a = empty(shape, dtype)?;
    normal_(g, &mut a, 0.0, 1.0)?;
    Ok(a)
}

/// `torch.normal(mean: float, std: float, size)` = `empty(size).normal_(mean, std)`.
pub fn normal_scalar(
    g: &mut CpuGenerator,
    mean: f64,
    std: f64,
    shape: &[usize],
    dtype: DType,
) -> Result<NdArray> {
    let mut a = empty(shape, dtype)?;
    normal_(g, &mut a, mean, std)?;
    Ok(a)
}

/// NumPy-style broadcast of two shapes (torch's `infer_size`).
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
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
            return Err(Error::Runtime(format!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
            )));
        };
    }
    Ok(out)
}

/// One elementwise binary op `out = op(out, other)` in place, computed as torch's CPU kernels
/// do: in double when either side is float64, else in float (opmath), rounded to `out`'s dtype.
fn binary_inplace(out: &mut NdArray, other: &[f64], other_f64: bool, add: bool) {
    let d = out.dtype();
    let n = out.len();
    if d == DType::F64 || other_f64 {
        let v: Vec<f64> = (0..n)
            .map(|i| {
                let a = out.data.get_f64(i);
                if add {
                    a + other[i]
                } else {
                    a * other[i]
                }
            })
            .collect();
        out.data = cast_f64(d, &v);
    } else {
        let v: Vec<f32> = (0..n)
            .map(|i| {
                let a = out.data.get_f64(i) as f32;
                let b = other[i] as f32;
                if add {
                    a + b
                } else {
                    a * b
                }
            })
            .collect();
        out.data = cast_f32(d, &v);
    }
}

fn check_std_tensor(std: &NdArray) -> Result<()> {
    if (0..std.len()).any(|i| !(std.data.get_f64(i) >= 0.0)) {
        return Err(Error::Runtime(
            "normal expects all elements of std >= 0.0".into(),
        ));
    }
    Ok(())
}

/// `torch.normal(mean: Tensor, std: float)`: `empty_like(mean).normal_(0, std).add_(mean)`.
pub fn normal_tensor_scalar(g: &mut CpuGenerator, mean: &NdArray, std: f64) -> Result<NdArray> {
    if !(std >= 0.0) {
        return Err(Error::Runtime(format!(
            "normal expects std >= 0.0, but found std {}",
            cpp_double(std)
        )));
    }
    let mut out = empty(&mean.shape, mean.dtype())?;
    normal_(g, &mut out, 0.0, std)?;
    let mv = mean.broadcast_f64(&out.shape);
    binary_inplace(&mut out, &mv, false, true);
    Ok(out)
}

/// `torch.normal(mean: float, std: Tensor)`: `empty_like(std).normal_(0, 1)`, then
/// `mul_(std).add_(full({}, mean))`.
pub fn normal_scalar_tensor(g: &mut CpuGenerator, mean: f64, std: &NdArray) -> Result<NdArray> {
    check_std_tensor(std)?;
    let mut out = empty(&std.shape, std.dtype())?;
    normal_(g, &mut out, 0.0, 1.0)?;
    let sv = std.broadcast_f64(&out.shape);
    binary_inplace(&mut out, &sv, false, false);
    // mean_tensor = full({}, mean, out.options()): mean is first rounded to out's dtype.
    let mt = cast_f64(out.dtype(), &[mean]);
    let mval = NdArray::new(vec![1], mt).data.get_f64(0);
    let mv = vec![mval; out.len()];
    binary_inplace(&mut out, &mv, false, true);
    Ok(out)
}

/// `torch.normal(mean: Tensor, std: Tensor)`: `empty(broadcast, mean.dtype).normal_(0, 1)`,
/// then `mul_(std).add_(mean)`.
pub fn normal_tensor_tensor(
    g: &mut CpuGenerator,
    mean: &NdArray,
    std: &NdArray,
) -> Result<NdArray> {
    check_std_tensor(std)?;
    let shape = broadcast_shapes(&mean.shape, &std.shape)?;
    let mut out = empty(&shape, mean.dtype())?;
    normal_(g, &mut out, 0.0, 1.0)?;
    let sv = std.broadcast_f64(&shape);
    binary_inplace(&mut out, &sv, std.dtype() == DType::F64, false);
    let mv = mean.broadcast_f64(&shape);
    binary_inplace(&mut out, &mv, false, true);
    Ok(out)
}

/// `tensor.log_normal_(mean, std)`: `exp(normal_distribution<double>(mean, std))`, scalar
/// path always (shares the normal cache).
pub fn log_normal_(g: &mut CpuGenerator, a: &mut NdArray, mean: f64, std: f64) -> Result<()> {
    if !(std > 0.0) {
        return Err(Error::Runtime(format!(
            "log_normal_ expects std > 0.0, but found std={}",
            cpp_double(std)
        )));
    }
    let d = a.dtype();
    if a.is_empty() {
        return Ok(());
    }
    if !d.is_float() {
        return Err(not_implemented("log_normal_cpu", d));
    }
    let v: Vec<f64> = (0..a.len())
        .map(|_| m::exp(normal_double(g, mean, std)))
        .collect();
    a.data = cast_f64(d, &v);
    Ok(())
}

// ------------------------------------------------------------------------------------------
// exponential_, geometric_, cauchy_, bernoulli
// ------------------------------------------------------------------------------------------

/// `tensor.exponential_(lambd)`: `(-1/lambda) * log1p(-u)` in double.
pub fn exponential_(g: &mut CpuGenerator, a: &mut NdArray, lambda: f64) -> Result<()> {
    if !(lambda > 0.0) {
        return Err(Error::Runtime(format!(
            "exponential_ expects lambda > 0.0, but found lambda={}",
            cpp_double(lambda)
        )));
    }
    if a.is_empty() {
        return Ok(());
    }
    let d = a.dtype();
    if !d.is_float() {
        return Err(Error::Runtime(format!("Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified {}", scalar_type_name(d))));
    }
    let v: Vec<f64> = (0..a.len())
        .map(|_| (-1.0 / lambda) * m::log1p(-unit_f64(g)))
        .collect();
    a.data = cast_f64(d, &v);
    Ok(())
}

/// `tensor.geometric_(p)`: `ceil(log(u) / log1p(-p))` in double, cast to the dtype.
pub fn geometric_(g: &mut CpuGenerator, a: &mut NdArray, p: f64) -> Result<()> {
    if !(0.0 < p && p < 1.0) {
        return Err(Error::Runtime(format!(
            "geometric_ expects p to be in (0, 1), but got p={}",
            cpp_double(p)
        )));
    }
    if a.is_empty() {
        return Ok(());
    }
    let d = a.dtype();
    if matches!(d, DType::Bool | DType::U16 | DType::U32 | DType::U64) {
        return Err(not_implemented("geometric_cpu", d));
    }
    let lp = m::log1p(-p);
    let v: Vec<f64> = (0..a.len())
        .map(|_| (m::log(unit_f64(g)) / lp).ceil())
        .collect();
    a.data = cast_f64(d, &v);
    Ok(())
}

/// `tensor.cauchy_(median, sigma)`: `median + sigma*tan(pi*(u-0.5))` in double (the `double`
/// specialisation, no clipping), contracted to FMA on AVX2.
pub fn cauchy_(g: &mut CpuGenerator, a: &mut NdArray, median: f64, sigma: f64) -> Result<()> {
    if !(sigma > 0.0) {
        return Err(Error::Runtime(format!(
            "cauchy_ expects sigma > 0.0, but found sigma={}",
            cpp_double(sigma)
        )));
    }
    let d = a.dtype();
    if !d.is_float() {
        return Err(Error::Runtime(format!("Cauchy distribution is a continuous probability distribution. dtype must be a floating point but you specified {}", type_meta_name(d))));
    }
    if a.is_empty() {
        return Ok(());
    }
    let cap = g.capability;
    let v: Vec<f64> = (0..a.len())
        .map(|_| {
            let u = unit_f64(g);
            madd(cap, sigma, m::tan(std::f64::consts::PI * (u - 0.5)), median)
        })
        .collect();
    a.data = cast_f64(d, &v);
    Ok(())
}

fn check_bernoulli_dtype(d: DType) -> Result<()> {
    if matches!(d, DType::U16 | DType::U32 | DType::U64) {
        return Err(not_implemented("bernoulli_scalar_cpu_", d));
    }
    Ok(())
}

/// `tensor.bernoulli_(p: float)`: `uniform<double>() < p` per element.
pub fn bernoulli_scalar_(g: &mut CpuGenerator, a: &mut NdArray, p: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::Runtime(format!(
            "bernoulli_ expects p to be in [0, 1], but got p={}",
            cpp_double(p)
        )));
    }
    if a.is_empty() {
        return Ok(());
    }
    check_bernoulli_dtype(a.dtype())?;
    let v: Vec<f64> = (0..a.len())
        .map(|_| if unit_f64(g) < p { 1.0 } else { 0.0 })
        .collect();
    a.data = cast_f64(a.dtype(), &v);
    Ok(())
}

/// `tensor.bernoulli_(p: Tensor)` (`bernoulli_tensor_cpu_self_`): p broadcast to `a`'s shape;
/// a double p draws `uniform<double>() < p`, any other float p `uniform<float>() < (float)p`.
/// Out-of-range p raises after the draws before it, as torch's per-element check does.
pub fn bernoulli_tensor_(g: &mut CpuGenerator, a: &mut NdArray, p: &NdArray) -> Result<()> {
    if a.is_empty() {
        return Ok(());
    }
    check_bernoulli_dtype(a.dtype())?;
    let pd = p.dtype();
    if !pd.is_float() {
        return Err(not_implemented("bernoulli_tensor_cpu_p_", pd));
    }
    let shape = a.shape.clone();
    broadcast_shapes(&shape, &p.shape).and_then(|s| {
        if s == shape {
            Ok(())
        } else {
            Err(Error::Runtime(format!(
                "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension 0.",
                shape.first().copied().unwrap_or(1),
                p.shape.first().copied().unwrap_or(1)
            )))
        }
    })?;
    let pv = p.broadcast_f64(&shape);
    let mut v = Vec::with_capacity(pv.len());
    let bad = || {
        Error::Runtime("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)".into())
    };
    for &pp in &pv {
        let hit = if pd == DType::F64 {
            if !(0.0..=1.0).contains(&pp) {
                return Err(bad());
            }
            unit_f64(g) < pp
        } else {
            let pf = pp as f32;
            if !(0.0..=1.0).contains(&pf) {
                return Err(bad());
            }
            unit_f32(g) < pf
        };
        v.push(if hit { 1.0 } else { 0.0 });
    }
    a.data = cast_f64(a.dtype(), &v);
    Ok(())
}

/// `torch.bernoulli(p)`: `empty_like(p).bernoulli_(p)`.
pub fn bernoulli(g: &mut CpuGenerator, p: &NdArray) -> Result<NdArray> {
    let mut a = empty(&p.shape, p.dtype())?;
    bernoulli_tensor_(g, &mut a, p)?;
    Ok(a)
}

/// `torch.nn.functional.dropout(x, p, training)` on the CPU (`_dropout_impl` in
/// `native/Dropout.cpp`): `noise = empty_like(x).bernoulli_(1-p); noise.div_(1-p); x * noise`.
pub fn dropout(g: &mut CpuGenerator, x: &NdArray, p: f64, training: bool) -> Result<NdArray> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::value(format!(
            "dropout probability has to be between 0 and 1, but got {}",
            crate::torch::cpu::ops::py_float(p)
        )));
    }
    if p == 0.0 || !training || x.is_empty() {
        return Ok(x.clone());
    }
    let d = x.dtype();
    if p == 1.0 {
        let zeros = vec![0.0; x.len()];
        let mut out = x.clone();
        binary_inplace(&mut out, &zeros, false, false);
        return Ok(out);
    }
    let mut noise = empty(&x.shape, d)?;
    bernoulli_scalar_(g, &mut noise, 1.0 - p)?;
    if !d.is_float() {
        return Err(Error::Runtime(format!(
            "result type Float can't be cast to the desired output type {}",
            scalar_type_name(d)
        )));
    }
    let q = 1.0 - p;
    let n = x.len();
    if d == DType::F64 {
        let v: Vec<f64> = (0..n)
            .map(|i| x.data.get_f64(i) * (noise.data.get_f64(i) / q))
            .collect();
        return Ok(NdArray::new(x.shape.clone(), Data::F64(v)));
    }
    let qf = q as f32;
    // noise.div_(1-p) rounds to the dtype, then the product is computed in float and rounded.
    let nz: Vec<f32> = (0..n).map(|i| noise.data.get_f64(i) as f32 / qf).collect();
    let nz = NdArray::new(x.shape.clone(), cast_f32(d, &nz));
    let v: Vec<f32> = (0..n)
        .map(|i| x.data.get_f64(i) as f32 * nz.data.get_f64(i) as f32)
        .collect();
    Ok(NdArray::new(x.shape.clone(), cast_f32(d, &v)))
}

/// Python's `repr(float)` for messages raised from Python code.
pub use crate::format::py_float_repr as py_float;

// ------------------------------------------------------------------------------------------
// random_, randint, randperm
// ------------------------------------------------------------------------------------------

/// `random_from_to_kernel`: `uniform_int_from_to_distribution` (64-bit draws from a range of
/// 2^28 up), value `(T)(int64)((v % range) + base)`.
fn random_from_to_kernel(g: &mut CpuGenerator, a: &mut NdArray, range: u64, base: i64) {
    let n = a.len();
    let mut v = if a.dtype() == DType::I64 {
        out_i64(a, n)
    } else {
        vec![0; n]
    };
    if range >= 1 << 28 {
        fill_from_u64(g, &mut v, |r| (r % range).wrapping_add(base as u64) as i64);
    } else {
        // range < 2^28 and r < 2^32: the 32-bit remainder by multiplication is exact.
        let d = range as u32;
        let m = fastmod_m(d);
        fill_from_u32(g, &mut v, |r| {
            u64::from(fastmod_u32(r, m, d)).wrapping_add(base as u64) as i64
        });
    }
    a.data = if a.dtype() == DType::I64 {
        Data::I64(v)
    } else {
        cast_i64(a.dtype(), &v)
    };
}

/// `tensor.random_(from, to)` / `random_(to)` (from = 0) / `random_(from, None)`: the checks
/// and range computation of `random_from_to_impl`, then the kernel. `to = None` with
/// `from = i64::MIN` is the full 64-bit range (`random_full_64_bits_range_kernel`).
pub fn random_from_to_(
    g: &mut CpuGenerator,
    a: &mut NdArray,
    from: i64,
    to: Option<i64>,
) -> Result<()> {
    let d = a.dtype();
    let mut from = from;
    if let Some(to) = to {
        let mut to = to;
        if from >= to {
            return Err(Error::Runtime(format!(
                "random_ expects 'from' to be less than 'to', but got from={from} >= to={to}"
            )));
        }
        if d.is_float() {
            from = update_from(d, from);
            to = update_to(d, to);
            if from >= to {
                return Err(Error::Runtime(format!("random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from={from} >= to={to}")));
            }
        }
        check_from_to_in_range(d, from, to.wrapping_sub(1))?;
        if a.is_empty() {
            return Ok(());
        }
        let range = (to as u64).wrapping_sub(from as u64);
        random_from_to_kernel(g, a, range, from);
    } else if from != i64::MIN {
        let to_inc = if d.is_float() {
            let digits = float_digits(d);
            let to_inc = 1i64 << digits;
            from = update_from(d, from);
            if from >= to_inc {
                return Err(Error::Runtime(format!("random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={from} > to_inc={to_inc}")));
            }
            to_inc
        } else if d == DType::Bool {
            1
        } else {
            d.int_bounds()
                .map(|(_, hi)| hi.min(i64::MAX as i128) as i64)
                .unwrap_or(0)
        };
        check_from_to_in_range(d, from, to_inc)?;
        if a.is_empty() {
            return Ok(());
        }
        let range = (to_inc as u64).wrapping_sub(from as u64).wrapping_add(1);
        random_from_to_kernel(g, a, range, from);
    } else {
        if a.is_empty() {
            return Ok(());
        }
        if matches!(
            d,
            DType::F16 | DType::Bool | DType::U16 | DType::U32 | DType::U64
        ) {
            return Err(not_implemented("random_full_64_bits_range_kernel_cpu", d));
        }
        if !matches!(d, DType::I64 | DType::F64 | DType::F32 | DType::BF16) {
            return Err(Error::Runtime(
                "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16".into(),
            ));
        }
        let v: Vec<i64> = (0..a.len()).map(|_| g.random64() as i64).collect();
        a.data = cast_i64(d, &v);
    }
    Ok(())
}

/// `tensor.random_()`: `uniform_int_distribution<T>`: bool `r & 1`; int64 `r64 % 2^63`;
/// double `r64 % (2^53+1)`; other integers `r % (max+1)`; float `r % (2^24+1)`, half
/// `r % 2049`, bfloat16 `r % 257`.
pub fn random_(g: &mut CpuGenerator, a: &mut NdArray) -> Result<()> {
    let d = a.dtype();
    if a.is_empty() {
        return Ok(());
    }
    let n = a.len();
    let v: Vec<i64> = match d {
        DType::U16 | DType::U32 | DType::U64 => {
            return Err(not_implemented("random_kernel_cpu", d))
        }
        DType::Bool => (0..n).map(|_| (g.random() & 1) as i64).collect(),
        DType::I64 => (0..n)
            .map(|_| (g.random64() % (1u64 << 63)) as i64)
            .collect(),
        DType::F64 => (0..n)
            .map(|_| (g.random64() % ((1u64 << 53) + 1)) as i64)
            .collect(),
        _ => {
            let m: u64 = if d.is_float() {
                (1u64 << float_digits(d)) + 1
            } else {
                d.int_bounds().map(|(_, hi)| hi as u64 + 1).unwrap_or(1)
            };
            (0..n).map(|_| (g.random() as u64 % m) as i64).collect()
        }
    };
    a.data = cast_i64(d, &v);
    Ok(())
}

/// `torch.randint(low, high, size, dtype)` = `empty(size, dtype).random_(low, high)`.
pub fn randint(
    g: &mut CpuGenerator,
    low: i64,
    high: i64,
    shape: &[usize],
    dtype: DType,
) -> Result<NdArray> {
    let mut a = empty(shape, dtype)?;
    random_from_to_(g, &mut a, low, Some(high))?;
    Ok(a)
}

/// `torch.randperm(n, dtype)` (`randperm_cpu` in `native/TensorFactories.cpp`): Fisher-Yates
/// with `random() % (n-i)` for `n < 2^32/20`; otherwise the inside-out variant with `random64()`.
pub fn randperm(g: &mut CpuGenerator, n: i64, dtype: DType) -> Result<NdArray> {
    if n < 0 {
        return Err(Error::Runtime(format!(
            "Trying to create tensor with negative dimension {n}: [{n}]"
        )));
    }
    match dtype {
        DType::Bool | DType::U16 | DType::U32 | DType::U64 => {
            return Err(not_implemented("randperm", dtype))
        }
        DType::BF16 => {}
        // torch 2.15 checks the precision limit for float, double and half only.
        DType::F32 | DType::F64 | DType::F16 => {
            let digits = float_digits(dtype);
            if n > (1i64 << digits) + 1 {
                let (lim, name) = match dtype {
                    DType::F32 => ("2^24+1".to_string(), "Float"),
                    DType::F64 => ("2^53+1".to_string(), "Double"),
                    _ => ("2049".to_string(), "Half"),
                };
                return Err(Error::Runtime(format!(
                    "n cannot be greater than {lim} for {name} type."
                )));
            }
        }
        _ => {
            let (_, hi) = dtype.int_bounds().unwrap_or((0, 0));
            if (n - 1).max(0) as i128 > hi {
                let cname = match dtype {
                    DType::I8 => "int8_t",
                    DType::I16 => "int16_t",
                    DType::I32 => "int32_t",
                    DType::U8 => "uint8_t",
                    _ => "int64_t",
                };
                return Err(Error::Runtime(format!(
                    "value cannot be converted to type {cname} without overflow"
                )));
            }
        }
    }
    let nu = usize::try_from(n).map_err(|_| Error::Memory("randperm: n too large".into()))?;
    crate::array::checked_size(&[nu])?;
    let mut r: Vec<i64> = (0..n).collect();
    if (n as u64) < u32::MAX as u64 / 20 {
        for i in 0..nu.saturating_sub(1) {
            let z = (g.random() as i64 % (n - i as i64)) as usize;
            r.swap(i, z + i);
        }
    } else {
        for i in 0..nu {
            let z = (g.random64() % (i as u64 + 1)) as usize;
            r[i] = r[z];
            r[z] = i as i64;
        }
    }
    Ok(NdArray::new(vec![nu], cast_i64(dtype, &r)))
}

// ------------------------------------------------------------------------------------------
// multinomial
// ------------------------------------------------------------------------------------------

/// `torch.multinomial(probs, num_samples, replacement)` (`multinomial_out` in
/// `native/Distributions.cpp`; `multinomial_with_replacement_apply` in
/// `native/cpu/MultinomialKernel.cpp`).
///
/// With replacement: normalised cumulative sums in the input dtype (float for f16/bf16), one
/// `uniform<double>` per sample, binary search. Without replacement: `q = exponential_(1)` on a
/// tensor like `probs`, `probs / q`, then argmax (1 sample) or top-k; a single sample with
/// replacement takes this path too. Ties in top-k (only
/// possible among zero probabilities) are ordered by index here; torch's order is unspecified.
pub fn multinomial(
    g: &mut CpuGenerator,
    probs: &NdArray,
    num_samples: i64,
    replacement: bool,
) -> Result<NdArray> {
    let nd = probs.ndim();
    if nd == 0 || nd > 2 {
        return Err(Error::Runtime("prob_dist must be 1 or 2 dim".into()));
    }
    let d = probs.dtype();
    if !d.is_float() {
        return Err(Error::Runtime(format!(
            "multinomial only supports floating-point dtypes for input, got: {}",
            scalar_type_name(d)
        )));
    }
    if num_samples <= 0 {
        return Err(Error::Runtime("cannot sample n_sample <= 0 samples".into()));
    }
    let ncat = *probs.shape.last().unwrap_or(&0);
    let ns = num_samples as usize;
    if !replacement && ns > ncat {
        return Err(Error::Runtime(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement".into(),
        ));
    }
    if ncat > 1 << 24 {
        return Err(Error::Runtime(
            "number of categories cannot exceed 2^24".into(),
        ));
    }
    let ndist = if nd == 2 { probs.shape[0] } else { 1 };
    let out_shape = if nd == 1 { vec![ns] } else { vec![ndist, ns] };
    let mut out = vec![0i64; ndist * ns];
    if out.is_empty() {
        return Ok(NdArray::new(out_shape, Data::I64(out)));
    }
    let pv: Vec<f64> = (0..probs.len()).map(|i| probs.data.get_f64(i)).collect();
    // torch takes the exponential-race fast path also for a single sample with replacement.
    if !replacement || ns == 1 {
        if pv.iter().any(|&p| !(p < f64::INFINITY) || !(p >= 0.0)) {
            return Err(Error::Runtime(
                "probability tensor contains either `inf`, `nan` or element < 0".into(),
            ));
        }
        // sum == 0 check per row (exact zero only when all entries are zero).
        if (0..ndist).any(|r| pv[r * ncat..(r + 1) * ncat].iter().all(|&p| p == 0.0)) {
            return Err(Error::Runtime(
                "invalid multinomial distribution (sum of probabilities <= 0)".into(),
            ));
        }
        let mut q = empty(&probs.shape, d)?;
        exponential_(g, &mut q, 1.0)?;
        // q = probs / q, in the dtype (float opmath for f16/bf16).
        let ratio: Vec<f64> = if d == DType::F64 {
            (0..pv.len()).map(|i| pv[i] / q.data.get_f64(i)).collect()
        } else {
            let f: Vec<f32> = (0..pv.len())
                .map(|i| pv[i] as f32 / q.data.get_f64(i) as f32)
                .collect();
            let c = NdArray::new(probs.shape.clone(), cast_f32(d, &f));
            (0..pv.len()).map(|i| c.data.get_f64(i)).collect()
        };
        for r in 0..ndist {
            let row = &ratio[r * ncat..(r + 1) * ncat];
            let mut idx: Vec<usize> = (0..ncat).collect();
            // Largest first; NaN counts as largest; ties by index.
            idx.sort_by(|&a, &b| {
                let (x, y) = (row[a], row[b]);
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => a.cmp(&b),
                    (true, false) => std::cmp::Ordering::Less,
                    (false, true) => std::cmp::Ordering::Greater,
                    _ => y
                        .partial_cmp(&x)
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(a.cmp(&b)),
                }
            });
            for j in 0..ns {
                out[r * ns + j] = idx[j] as i64;
            }
        }
        return Ok(NdArray::new(out_shape, Data::I64(out)));
    }
    for r in 0..ndist {
        let row = &pv[r * ncat..(r + 1) * ncat];
        let mut cum: Vec<f64> = Vec::with_capacity(ncat);
        let total;
        if d == DType::F64 {
            let mut s = 0f64;
            for &v in row {
                check_mult_entry(v)?;
                s += v;
                cum.push(s);
            }
            total = s;
            if !(s > 0.0) {
                return Err(sum_err());
            }
            for c in cum.iter_mut() {
                *c /= s;
            }
        } else {
            // f32 accumulates in float; f16/bf16 use a float cumulative buffer.
            let mut s = 0f32;
            let mut cf = Vec::with_capacity(ncat);
            for &v in row {
                let v = v as f32;
                check_mult_entry(v as f64)?;
                s += v;
                cf.push(s);
            }
            total = s as f64;
            if !(s > 0.0) {
                return Err(sum_err());
            }
            cum = cf.iter().map(|&c| (c / s) as f64).collect();
        }
        let _ = total;
        if let Some(l) = cum.last_mut() {
            *l = 1.0;
        }
        for j in 0..ns {
            let u = unit_f64(g);
            let (mut left, mut right) = (0usize, ncat);
            while right > left {
                let mid = left + (right - left) / 2;
                if cum[mid] < u {
                    left = mid + 1;
                } else {
                    right = mid;
                }
            }
            out[r * ns + j] = left as i64;
        }
    }
    Ok(NdArray::new(out_shape, Data::I64(out)))
}

fn check_mult_entry(v: f64) -> Result<()> {
    if !(v >= 0.0) {
        return Err(Error::Runtime(
            "invalid multinomial distribution (encountering probability entry < 0)".into(),
        ));
    }
    if !v.is_finite() {
        return Err(Error::Runtime(
            "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
                .into(),
        ));
    }
    Ok(())
}

fn sum_err() -> Error {
    Error::Runtime("invalid multinomial distribution (sum of probabilities <= 0)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastmod_is_exact() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let ds = [
            1u32,
            2,
            3,
            7,
            10,
            255,
            256,
            1000,
            65_537,
            (1 << 28) - 1,
            u32::MAX,
        ];
        for &d in &ds {
            let m = fastmod_m(d);
            for n in [0u32, 1, d - 1, d, u32::MAX, u32::MAX - 1] {
                assert_eq!(fastmod_u32(n, m, d), n % d, "{n} % {d}");
            }
            for _ in 0..20_000 {
                let n = next() as u32;
                assert_eq!(fastmod_u32(n, m, d), n % d, "{n} % {d}");
            }
        }
        for _ in 0..20_000 {
            let d = (next() as u32).max(1);
            let n = next() as u32;
            assert_eq!(fastmod_u32(n, fastmod_m(d), d), n % d, "{n} % {d}");
        }
    }

    #[test]
    fn avx2_normal_block_fast_path_is_exact() {
        let mut g = CpuGenerator::new(11, CpuCapability::Avx2);
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for k in 0..20_000 {
            let mut a = [0f32; 16];
            for v in a.iter_mut() {
                *v = unit_f32(&mut g);
            }
            if k % 7 == 0 {
                // edge uniforms: 0 (log(1)), the largest below 1, tiny values
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                a[(x % 16) as usize] = [0.0, 1.0 - 1.0 / 16_777_216.0, 1.0 / 16_777_216.0][k % 3];
            }
            let (mean, std) = if k % 2 == 0 { (0.0, 1.0) } else { (0.3, 2.5) };
            let mut b = a;
            normal_fill16_f32_avx2(&mut a, mean, std);
            normal_fill16_f32_avx2_exact(&mut b, mean, std);
            assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits));
        }
    }

    /// The bulk kernels against the per-element definitions they replaced.
    #[test]
    fn bulk_kernels_match_per_element() {
        for cap in [CpuCapability::Avx2, CpuCapability::Default] {
            for n in [1usize, 15, 16, 17, 700, 1300] {
                // uniform_ float32 / float64 with unit and general bounds
                for (from, to) in [(0.0, 1.0), (-3.0, 5.5), (1e-3, 2e-3)] {
                    let mut g = CpuGenerator::new(5, cap);
                    let mut h = g.clone();
                    let mut a = empty(&[n], DType::F32).unwrap();
                    uniform_(&mut g, &mut a, from, to).unwrap();
                    let (ff, tf) = (from as f32, to as f32);
                    let want: Vec<f32> = (0..n)
                        .map(|_| {
                            let x = maddf(cap, unit_f32(&mut h), tf - ff, ff);
                            if x == tf {
                                ff
                            } else {
                                x
                            }
                        })
                        .collect();
                    assert_eq!(a.data, Data::F32(want));
                    assert_eq!(g, h);
                    let mut a = empty(&[n], DType::F64).unwrap();
                    uniform_(&mut g, &mut a, from, to).unwrap();
                    let want: Vec<f64> = (0..n)
                        .map(|_| {
                            let r = madd(cap, unit_f64(&mut h), to - from, from);
                            if r == to {
                                from
                            } else {
                                r
                            }
                        })
                        .collect();
                    assert_eq!(a.data, Data::F64(want));
                    assert_eq!(g, h);
                }
                // random_(from, to) with a small and a large range
                for (lo, hi) in [(-5i64, 5i64), (0, 10), (3, 1 << 40)] {
                    let mut g = CpuGenerator::new(6, cap);
                    let mut h = g.clone();
                    let a = randint(&mut g, lo, hi, &[n], DType::I64).unwrap();
                    let range = (hi as u64).wrapping_sub(lo as u64);
                    let want: Vec<i64> = (0..n)
                        .map(|_| {
                            let r = if range >= 1 << 28 {
                                h.random64()
                            } else {
                                h.random() as u64
                            };
                            (r % range).wrapping_add(lo as u64) as i64
                        })
                        .collect();
                    assert_eq!(a.data, Data::I64(want));
                    assert_eq!(g, h);
                }
            }
        }
    }

    #[test]
    fn avx2_normal_blocks_equal_the_exact_lane_code() {
        // Every uniform torch can produce is k / 2^24; use random ones plus the edges (0 gives
        // log(1) = 0, 1 - 2^-24 the largest radius and angle) in both halves of the block.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            unit_f32_of((x >> 32) as u32)
        };
        let edges = [
            0.0f32,
            1.0 - 1.0 / 16_777_216.0,
            0.5,
            0.25,
            0.75,
            1.0 / 16_777_216.0,
        ];
        for (mean, std) in [(0.0f32, 1.0f32), (0.3, 2.7), (-1.5, 0.01), (4.0, 0.0)] {
            let mut v: Vec<f32> = (0..16 * 4096).map(|_| next()).collect();
            for (i, &e) in edges.iter().enumerate() {
                for (k, &f) in edges.iter().enumerate() {
                    v[16 * (i * edges.len() + k) + 3] = e;
                    v[16 * (i * edges.len() + k) + 11] = f;
                }
            }
            let mut want = v.clone();
            for b in want.chunks_exact_mut(16) {
                normal_fill16_f32_avx2_exact(b, mean, std);
            }
            let mut portable = v.clone();
            for b in portable.chunks_exact_mut(16) {
                normal_fill16_f32_avx2(b, mean, std);
            }
            normal_blocks_f32_avx2_hw(&mut v, mean, std);
            for (i, ((a, b), c)) in v.iter().zip(&want).zip(&portable).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "hardware FMA path, element {i}");
                assert_eq!(c.to_bits(), b.to_bits(), "portable path, element {i}");
            }
        }
    }
}
