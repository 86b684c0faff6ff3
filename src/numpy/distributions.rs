//! NumPy's C distribution layer, bit for bit: `numpy/random/src/distributions/distributions.c`
//! (uniform, ziggurat normal / exponential, bounded integers, `random_interval`) and
//! `numpy/random/src/legacy/legacy-distributions.c` (`legacy_gauss`, legacy exponential).
//!
//! Every function is generic over [`NpBitGen`], so it runs on any of NumPy's bit generators
//! through that generator's own `next_uint64` / `next_uint32` / `next_double` (NumPy's
//! `bitgen_t`). Floating-point expressions keep NumPy's evaluation order and precision (C
//! `float` vs `double`, no FMA contraction).

use super::bitgen::BulkUint32;
use super::ziggurat::{
    FE_DOUBLE, FE_FLOAT, FI_DOUBLE, FI_FLOAT, KE_DOUBLE, KE_FLOAT, KI_DOUBLE, KI_FLOAT, WE_DOUBLE,
    WE_FLOAT, WI_DOUBLE, WI_FLOAT, ZIGGURAT_EXP_R, ZIGGURAT_EXP_R_F, ZIGGURAT_NOR_INV_R,
    ZIGGURAT_NOR_INV_R_F, ZIGGURAT_NOR_R, ZIGGURAT_NOR_R_F,
};
use super::NpBitGen;

// The libm functions NumPy's C code calls: glibc `log`, `log1p`, `exp` through `crate::math`,
// and the float32 `log1pf` / `expf` (not in `crate::math` yet), which Rust's std forwards to the
// platform libm (glibc on Linux, which NumPy links against).
use crate::math::cpu::{exp as c_exp, log as c_log, log1p as c_log1p};
#[inline]
fn c_log1pf(x: f32) -> f32 {
    x.ln_1p()
}
#[inline]
fn c_expf(x: f32) -> f32 {
    x.exp()
}

// ---------------------------------------------------------------------------------------------
// Uniform

/// `random_standard_uniform` (`distributions.c`): the bit generator's own `next_double`.
#[inline]
pub fn random_standard_uniform<B: NpBitGen + ?Sized>(b: &mut B) -> f64 {
    b.next_double()
}

/// `random_standard_uniform_fill` (`distributions.c`): one `next_double` per element, in order.
pub fn random_standard_uniform_fill<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f64]) {
    for o in out.iter_mut() {
        *o = b.next_double();
    }
}

/// `random_standard_uniform_f` (`distributions.c`): `next_float`, i.e.
/// `(next_uint32() >> 8) * 2^-24` in float32.
#[inline]
pub fn random_standard_uniform_f<B: NpBitGen + ?Sized>(b: &mut B) -> f32 {
    b.next_float()
}

/// `random_standard_uniform_fill_f` (`distributions.c`): one `next_float` per element.
pub fn random_standard_uniform_fill_f<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f32]) {
    for o in out.iter_mut() {
        *o = b.next_float();
    }
}

/// `random_uniform` (`distributions.c`): `lower + range * next_double()`.
#[inline]
pub fn random_uniform<B: NpBitGen + ?Sized>(b: &mut B, lower: f64, range: f64) -> f64 {
    lower + range * b.next_double()
}

// ---------------------------------------------------------------------------------------------
// Ziggurat exponential

/// `random_standard_exponential` (`distributions.c`, with `standard_exponential_unlikely`):
/// the float64 exponential ziggurat. A rejected wedge restarts with a fresh 64-bit word.
pub fn random_standard_exponential<B: NpBitGen + ?Sized>(b: &mut B) -> f64 {
    loop {
        let mut ri = b.next_uint64();
        ri >>= 3;
        let idx = (ri & 0xff) as usize;
        ri >>= 8;
        let x = ri as f64 * WE_DOUBLE[idx];
        if ri < KE_DOUBLE[idx] {
            return x;
        }
        if idx == 0 {
            return ZIGGURAT_EXP_R - c_log1p(-b.next_double());
        }
        if (FE_DOUBLE[idx - 1] - FE_DOUBLE[idx]) * b.next_double() + FE_DOUBLE[idx] < c_exp(-x) {
            return x;
        }
    }
}

/// `random_standard_exponential_fill` (`distributions.c`).
pub fn random_standard_exponential_fill<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f64]) {
    for o in out.iter_mut() {
        *o = random_standard_exponential(b);
    }
}

/// `random_standard_exponential_f` (`distributions.c`, with
/// `standard_exponential_unlikely_f`): the float32 exponential ziggurat on one 32-bit word,
/// float32 arithmetic throughout (`log1pf`, `expf`).
pub fn random_standard_exponential_f<B: NpBitGen + ?Sized>(b: &mut B) -> f32 {
    loop {
        let mut ri = b.next_uint32();
        ri >>= 1;
        let idx = (ri & 0xff) as usize;
        ri >>= 8;
        let x = ri as f32 * WE_FLOAT[idx];
        if ri < KE_FLOAT[idx] {
            return x;
        }
        if idx == 0 {
            return ZIGGURAT_EXP_R_F - c_log1pf(-b.next_float());
        }
        if (FE_FLOAT[idx - 1] - FE_FLOAT[idx]) * b.next_float() + FE_FLOAT[idx] < c_expf(-x) {
            return x;
        }
    }
}

/// `random_standard_exponential_fill_f` (`distributions.c`).
pub fn random_standard_exponential_fill_f<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f32]) {
    for o in out.iter_mut() {
        *o = random_standard_exponential_f(b);
    }
}

/// One element of `random_standard_exponential_inv_fill` (`distributions.c`):
/// `-log1p(-next_double())`.
#[inline]
pub fn random_standard_exponential_inv<B: NpBitGen + ?Sized>(b: &mut B) -> f64 {
    -c_log1p(-b.next_double())
}

/// `random_standard_exponential_inv_fill` (`distributions.c`).
pub fn random_standard_exponential_inv_fill<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f64]) {
    for o in out.iter_mut() {
        *o = random_standard_exponential_inv(b);
    }
}

/// One element of `random_standard_exponential_inv_fill_f` (`distributions.c`). NumPy calls
/// the *double* `npy_log1p` on the float32 uniform and rounds the result to float32.
#[inline]
pub fn random_standard_exponential_inv_f<B: NpBitGen + ?Sized>(b: &mut B) -> f32 {
    (-c_log1p(-(b.next_float() as f64))) as f32
}

/// `random_standard_exponential_inv_fill_f` (`distributions.c`).
pub fn random_standard_exponential_inv_fill_f<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f32]) {
    for o in out.iter_mut() {
        *o = random_standard_exponential_inv_f(b);
    }
}

/// `random_exponential` (`distributions.c`): `scale * random_standard_exponential()`.
#[inline]
pub fn random_exponential<B: NpBitGen + ?Sized>(b: &mut B, scale: f64) -> f64 {
    scale * random_standard_exponential(b)
}

// ---------------------------------------------------------------------------------------------
// Ziggurat normal

/// `random_standard_normal` (`distributions.c`): the float64 normal ziggurat. Index in bits
/// 0-7, sign in bit 8, magnitude in bits 9-60; the tail's sign is bit 8 of the magnitude; a
/// rejected wedge restarts with a new 64-bit word.
pub fn random_standard_normal<B: NpBitGen + ?Sized>(b: &mut B) -> f64 {
    loop {
        let mut r = b.next_uint64();
        let idx = (r & 0xff) as usize;
        r >>= 8;
        let sign = r & 1;
        let rabs = (r >> 1) & 0x000f_ffff_ffff_ffff;
        // `if sign { x = -x }`, written as the sign-bit flip it is (no unpredictable branch).
        let x = f64::from_bits((rabs as f64 * WI_DOUBLE[idx]).to_bits() ^ ((sign & 1) << 63));
        if rabs < KI_DOUBLE[idx] {
            return x;
        }
        if idx == 0 {
            loop {
                let xx = -ZIGGURAT_NOR_INV_R * c_log1p(-b.next_double());
                let yy = -c_log1p(-b.next_double());
                if yy + yy > xx * xx {
                    return if (rabs >> 8) & 1 != 0 {
                        -(ZIGGURAT_NOR_R + xx)
                    } else {
                        ZIGGURAT_NOR_R + xx
                    };
                }
            }
        } else if (FI_DOUBLE[idx - 1] - FI_DOUBLE[idx]) * b.next_double() + FI_DOUBLE[idx]
            < c_exp(-0.5 * x * x)
        {
            return x;
        }
    }
}

/// `random_standard_normal_fill` (`distributions.c`).
pub fn random_standard_normal_fill<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f64]) {
    for o in out.iter_mut() {
        *o = random_standard_normal(b);
    }
}

/// `random_standard_normal_f` (`distributions.c`): the float32 normal ziggurat on one 32-bit
/// word. The wedge's left side is float32, compared (promoted) with `exp(-0.5*x*x)` in double.
pub fn random_standard_normal_f<B: NpBitGen + ?Sized>(b: &mut B) -> f32 {
    loop {
        let r = b.next_uint32();
        let idx = (r & 0xff) as usize;
        let sign = (r >> 8) & 1;
        let rabs = (r >> 9) & 0x007f_ffff;
        // `if sign { x = -x }` as a sign-bit flip.
        let x = f32::from_bits((rabs as f32 * WI_FLOAT[idx]).to_bits() ^ ((sign & 1) << 31));
        if rabs < KI_FLOAT[idx] {
            return x;
        }
        if idx == 0 {
            loop {
                let xx = -ZIGGURAT_NOR_INV_R_F * c_log1pf(-b.next_float());
                let yy = -c_log1pf(-b.next_float());
                if yy + yy > xx * xx {
                    return if (rabs >> 8) & 1 != 0 {
                        -(ZIGGURAT_NOR_R_F + xx)
                    } else {
                        ZIGGURAT_NOR_R_F + xx
                    };
                }
            }
        } else {
            let lhs = (FI_FLOAT[idx - 1] - FI_FLOAT[idx]) * b.next_float() + FI_FLOAT[idx];
            let xd = x as f64;
            if (lhs as f64) < c_exp(-0.5 * xd * xd) {
                return x;
            }
        }
    }
}

/// `random_standard_normal_fill_f` (`distributions.c`).
pub fn random_standard_normal_fill_f<B: NpBitGen + ?Sized>(b: &mut B, out: &mut [f32]) {
    for o in out.iter_mut() {
        *o = random_standard_normal_f(b);
    }
}

/// `random_normal` (`distributions.c`): `loc + scale * random_standard_normal()`.
#[inline]
pub fn random_normal<B: NpBitGen + ?Sized>(b: &mut B, loc: f64, scale: f64) -> f64 {
    loc + scale * random_standard_normal(b)
}

// ---------------------------------------------------------------------------------------------
// Legacy (RandomState) distributions

/// The Gaussian cache of NumPy's `aug_bitgen_t` (`has_gauss`, `gauss`), used by
/// `legacy_gauss`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GaussCache {
    /// `aug_state->has_gauss`.
    pub has_gauss: bool,
    /// `aug_state->gauss`.
    pub gauss: f64,
}

/// `legacy_gauss` (`legacy-distributions.c`): the polar method on two `next_double`s, returning
/// `f*x2` and caching `f*x1`.
pub fn legacy_gauss<B: NpBitGen + ?Sized>(b: &mut B, cache: &mut GaussCache) -> f64 {
    if cache.has_gauss {
        let t = cache.gauss;
        cache.has_gauss = false;
        cache.gauss = 0.0;
        return t;
    }
    let (x1, x2, r2) = loop {
        let x1 = 2.0 * b.next_double() - 1.0;
        let x2 = 2.0 * b.next_double() - 1.0;
        let r2 = x1 * x1 + x2 * x2;
        if r2 < 1.0 && r2 != 0.0 {
            break (x1, x2, r2);
        }
    };
    let f = (-2.0 * c_log(r2) / r2).sqrt();
    cache.gauss = f * x1;
    cache.has_gauss = true;
    f * x2
}

/// `legacy_gauss` for every element of `out`, in order, with the same draws, values and final
/// cache as the element-wise loop, batched: candidate pairs are drawn without a data-dependent
/// branch (accepted ones compacted in order, drawing stops right after the last needed
/// acceptance), then the logarithms, then `sqrt(-2 log(r2) / r2)` and the products. Each
/// accepted pair `(x1, x2)` gives `f*x2` then `f*x1` (the cached half); an odd tail leaves
/// `f*x1` in the cache.
pub fn legacy_gauss_fill<B: NpBitGen + ?Sized>(b: &mut B, cache: &mut GaussCache, out: &mut [f64]) {
    const P: usize = 128;
    let mut out = out;
    if out.is_empty() {
        return;
    }
    if cache.has_gauss {
        out[0] = cache.gauss;
        cache.has_gauss = false;
        cache.gauss = 0.0;
        out = &mut out[1..];
    }
    let (mut x1s, mut x2s, mut r2s, mut fs) = ([0f64; P], [0f64; P], [0f64; P], [0f64; P]);
    let len = out.len();
    let mut idx = 0;
    while idx < len {
        let m = (len - idx).div_ceil(2).min(P);
        let mut k = 0;
        while k < m {
            let x1 = 2.0 * b.next_double() - 1.0;
            let x2 = 2.0 * b.next_double() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            x1s[k] = x1;
            x2s[k] = x2;
            r2s[k] = r2;
            k += usize::from(r2 < 1.0 && r2 != 0.0);
        }
        for (f, &r2) in fs[..m].iter_mut().zip(&r2s[..m]) {
            *f = c_log(r2);
        }
        for (f, &r2) in fs[..m].iter_mut().zip(&r2s[..m]) {
            *f = (-2.0 * *f / r2).sqrt();
        }
        for k in 0..m {
            let f = fs[k];
            out[idx] = f * x2s[k];
            if idx + 1 < len {
                out[idx + 1] = f * x1s[k];
                // The element-wise loop returns the cached half and clears the cache.
                cache.gauss = 0.0;
                cache.has_gauss = false;
            } else {
                cache.gauss = f * x1s[k];
                cache.has_gauss = true;
            }
            idx += 2;
        }
    }
}

/// `legacy_normal` (`legacy-distributions.c`): `loc + scale * legacy_gauss()`.
#[inline]
pub fn legacy_normal<B: NpBitGen + ?Sized>(
    b: &mut B,
    cache: &mut GaussCache,
    loc: f64,
    scale: f64,
) -> f64 {
    loc + scale * legacy_gauss(b, cache)
}

/// `legacy_standard_exponential` (`legacy-distributions.c`): `-log(1 - next_double())`.
#[inline]
pub fn legacy_standard_exponential<B: NpBitGen + ?Sized>(b: &mut B) -> f64 {
    -c_log(1.0 - b.next_double())
}

/// `legacy_exponential` (`legacy-distributions.c`): `scale * legacy_standard_exponential()`.
#[inline]
pub fn legacy_exponential<B: NpBitGen + ?Sized>(b: &mut B, scale: f64) -> f64 {
    scale * legacy_standard_exponential(b)
}

/// `random_positive_int` (`distributions.c`) where C `long` is 64-bit (Linux, macOS):
/// `next_uint64() >> 1`.
#[inline]
pub fn random_positive_int<B: NpBitGen + ?Sized>(b: &mut B) -> i64 {
    (b.next_uint64() >> 1) as i64
}

// ---------------------------------------------------------------------------------------------
// Bounded integers

/// `random_interval` (`distributions.c`): a uniform integer in `[0, max]` by masked rejection,
/// on 32-bit draws when `max <= 0xFFFFFFFF`, 64-bit draws otherwise; `max == 0` draws nothing.
pub fn random_interval<B: NpBitGen + ?Sized>(b: &mut B, max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let mask = gen_mask(max);
    if max <= 0xffff_ffff {
        loop {
            let v = b.next_uint32() as u64 & mask;
            if v <= max {
                return v;
            }
        }
    } else {
        loop {
            let v = b.next_uint64() & mask;
            if v <= max {
                return v;
            }
        }
    }
}

/// `gen_mask` (`distributions.c`): the smallest `2^k - 1 >= max`.
#[inline]
pub fn gen_mask(max: u64) -> u64 {
    let mut m = max;
    m |= m >> 1;
    m |= m >> 2;
    m |= m >> 4;
    m |= m >> 8;
    m |= m >> 16;
    m |= m >> 32;
    m
}

/// The `(bcnt, buf)` pair NumPy threads through its buffered 16-, 8- and 1-bit draws
/// (`buffered_uint16`, `buffered_uint8`, `buffered_bounded_bool`). Fresh (zeroed) for every
/// `_fill` call or broadcast loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct SmallBuf {
    /// `bcnt`: remaining buffered pieces.
    pub bcnt: i32,
    /// `buf`: the current 32-bit word, shifted as pieces are used.
    pub buf: u32,
}

/// `buffered_uint16` (`distributions.c`): two 16-bit values per 32-bit word, low half first.
#[inline]
fn buffered_uint16<B: NpBitGen + ?Sized>(b: &mut B, s: &mut SmallBuf) -> u16 {
    if s.bcnt == 0 {
        s.buf = b.next_uint32();
        s.bcnt = 1;
    } else {
        s.buf >>= 16;
        s.bcnt -= 1;
    }
    s.buf as u16
}

/// `buffered_uint8` (`distributions.c`): four 8-bit values per 32-bit word, low byte first.
#[inline]
fn buffered_uint8<B: NpBitGen + ?Sized>(b: &mut B, s: &mut SmallBuf) -> u8 {
    if s.bcnt == 0 {
        s.buf = b.next_uint32();
        s.bcnt = 3;
    } else {
        s.buf >>= 8;
        s.bcnt -= 1;
    }
    s.buf as u8
}

/// `bounded_masked_uint64` (`distributions.c`).
#[inline]
fn bounded_masked_uint64<B: NpBitGen + ?Sized>(b: &mut B, rng: u64, mask: u64) -> u64 {
    loop {
        let v = b.next_uint64() & mask;
        if v <= rng {
            return v;
        }
    }
}

/// `buffered_bounded_masked_uint32` (`distributions.c`).
#[inline]
fn bounded_masked_uint32<B: NpBitGen + ?Sized>(b: &mut B, rng: u32, mask: u32) -> u32 {
    loop {
        let v = b.next_uint32() & mask;
        if v <= rng {
            return v;
        }
    }
}

/// `buffered_bounded_masked_uint16` (`distributions.c`).
#[inline]
fn bounded_masked_uint16<B: NpBitGen + ?Sized>(
    b: &mut B,
    rng: u16,
    mask: u16,
    s: &mut SmallBuf,
) -> u16 {
    loop {
        let v = buffered_uint16(b, s) & mask;
        if v <= rng {
            return v;
        }
    }
}

/// `buffered_bounded_masked_uint8` (`distributions.c`).
#[inline]
fn bounded_masked_uint8<B: NpBitGen + ?Sized>(
    b: &mut B,
    rng: u8,
    mask: u8,
    s: &mut SmallBuf,
) -> u8 {
    loop {
        let v = buffered_uint8(b, s) & mask;
        if v <= rng {
            return v;
        }
    }
}

/// `buffered_bounded_bool` (`distributions.c`): 32 bools per 32-bit word, LSB first;
/// `rng == 0` returns `off` without a draw.
#[inline]
fn buffered_bounded_bool<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: bool,
    rng: bool,
    s: &mut SmallBuf,
) -> bool {
    if !rng {
        return off;
    }
    if s.bcnt == 0 {
        s.buf = b.next_uint32();
        s.bcnt = 31;
    } else {
        s.buf >>= 1;
        s.bcnt -= 1;
    }
    s.buf & 1 != 0
}

/// `bounded_lemire_uint64` (`distributions.c`, the `__uint128_t` branch). `rng` must not be
/// `u64::MAX`.
#[inline]
fn bounded_lemire_uint64<B: NpBitGen + ?Sized>(b: &mut B, rng: u64) -> u64 {
    let ex = rng.wrapping_add(1);
    let mut m = b.next_uint64() as u128 * ex as u128;
    let mut leftover = m as u64;
    if leftover < ex {
        let threshold = (u64::MAX - rng) % ex;
        while leftover < threshold {
            m = b.next_uint64() as u128 * ex as u128;
            leftover = m as u64;
        }
    }
    (m >> 64) as u64
}

/// `buffered_bounded_lemire_uint32` (`distributions.c`). `rng` must not be `u32::MAX`.
#[inline]
fn bounded_lemire_uint32<B: NpBitGen + ?Sized>(b: &mut B, rng: u32) -> u32 {
    let ex = rng.wrapping_add(1);
    let mut m = b.next_uint32() as u64 * ex as u64;
    let mut leftover = m as u32;
    if leftover < ex {
        let threshold = (u32::MAX - rng) % ex;
        while leftover < threshold {
            m = b.next_uint32() as u64 * ex as u64;
            leftover = m as u32;
        }
    }
    (m >> 32) as u32
}

/// `buffered_bounded_lemire_uint16` (`distributions.c`). `rng` must not be `u16::MAX`.
#[inline]
fn bounded_lemire_uint16<B: NpBitGen + ?Sized>(b: &mut B, rng: u16, s: &mut SmallBuf) -> u16 {
    let ex = rng.wrapping_add(1);
    let mut m = buffered_uint16(b, s) as u32 * ex as u32;
    let mut leftover = m as u16;
    if leftover < ex {
        let threshold = (u16::MAX - rng) % ex;
        while leftover < threshold {
            m = buffered_uint16(b, s) as u32 * ex as u32;
            leftover = m as u16;
        }
    }
    (m >> 16) as u16
}

/// `buffered_bounded_lemire_uint8` (`distributions.c`). `rng` must not be `u8::MAX`.
#[inline]
fn bounded_lemire_uint8<B: NpBitGen + ?Sized>(b: &mut B, rng: u8, s: &mut SmallBuf) -> u8 {
    let ex = rng.wrapping_add(1);
    let mut m = buffered_uint8(b, s) as u16 * ex as u16;
    let mut leftover = m as u8;
    if leftover < ex {
        let threshold = (u8::MAX - rng) % ex;
        while leftover < threshold {
            m = buffered_uint8(b, s) as u16 * ex as u16;
            leftover = m as u8;
        }
    }
    (m >> 8) as u8
}

/// `random_bounded_uint64` (`distributions.c`): one value in `[off, off + rng]` (wrapping),
/// masked (`mask = gen_mask(rng)`) or Lemire. 32-bit draws whenever `rng <= 0xFFFFFFFF`.
pub fn random_bounded_uint64<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: u64,
    rng: u64,
    mask: u64,
    use_masked: bool,
) -> u64 {
    if rng == 0 {
        off
    } else if rng <= 0xffff_ffff {
        if rng == 0xffff_ffff {
            return off.wrapping_add(b.next_uint32() as u64);
        }
        let v = if use_masked {
            bounded_masked_uint32(b, rng as u32, mask as u32)
        } else {
            bounded_lemire_uint32(b, rng as u32)
        };
        off.wrapping_add(v as u64)
    } else if rng == u64::MAX {
        off.wrapping_add(b.next_uint64())
    } else if use_masked {
        off.wrapping_add(bounded_masked_uint64(b, rng, mask))
    } else {
        off.wrapping_add(bounded_lemire_uint64(b, rng))
    }
}

/// `random_buffered_bounded_uint32` (`distributions.c`). The buffer is unused at this width
/// but kept for symmetry with NumPy's template.
pub fn random_buffered_bounded_uint32<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: u32,
    rng: u32,
    mask: u32,
    use_masked: bool,
    _s: &mut SmallBuf,
) -> u32 {
    if rng == 0 {
        off
    } else if rng == u32::MAX {
        off.wrapping_add(b.next_uint32())
    } else if use_masked {
        off.wrapping_add(bounded_masked_uint32(b, rng, mask))
    } else {
        off.wrapping_add(bounded_lemire_uint32(b, rng))
    }
}

/// `random_buffered_bounded_uint16` (`distributions.c`).
pub fn random_buffered_bounded_uint16<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: u16,
    rng: u16,
    mask: u16,
    use_masked: bool,
    s: &mut SmallBuf,
) -> u16 {
    if rng == 0 {
        off
    } else if rng == u16::MAX {
        off.wrapping_add(buffered_uint16(b, s))
    } else if use_masked {
        off.wrapping_add(bounded_masked_uint16(b, rng, mask, s))
    } else {
        off.wrapping_add(bounded_lemire_uint16(b, rng, s))
    }
}

/// `random_buffered_bounded_uint8` (`distributions.c`).
pub fn random_buffered_bounded_uint8<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: u8,
    rng: u8,
    mask: u8,
    use_masked: bool,
    s: &mut SmallBuf,
) -> u8 {
    if rng == 0 {
        off
    } else if rng == u8::MAX {
        off.wrapping_add(buffered_uint8(b, s))
    } else if use_masked {
        off.wrapping_add(bounded_masked_uint8(b, rng, mask, s))
    } else {
        off.wrapping_add(bounded_lemire_uint8(b, rng, s))
    }
}

/// `random_buffered_bounded_bool` (`distributions.c`).
pub fn random_buffered_bounded_bool<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: bool,
    rng: bool,
    s: &mut SmallBuf,
) -> bool {
    buffered_bounded_bool(b, off, rng, s)
}

/// `random_bounded_uint64_fill` (`distributions.c`).
pub fn random_bounded_uint64_fill<B: BulkUint32 + ?Sized>(
    b: &mut B,
    off: u64,
    rng: u64,
    use_masked: bool,
    out: &mut [u64],
) {
    bounded_uint64_fill_map(b, off, rng, use_masked, out, |v| v);
}

/// [`random_bounded_uint64_fill`] storing `conv(value)` (e.g. the int64 reinterpretation of
/// `_rand_int64`), so no second pass over the output is needed.
///
/// The per-element `random_bounded_uint64` branches only on `rng` and `use_masked`, which are
/// fixed for the call: the case is picked once and its loop runs (same draws, same values).
#[inline]
pub(crate) fn bounded_uint64_fill_map<B: BulkUint32 + ?Sized, T: Copy>(
    b: &mut B,
    off: u64,
    rng: u64,
    use_masked: bool,
    out: &mut [T],
    conv: impl Fn(u64) -> T,
) {
    let mask = gen_mask(rng);
    if rng == 0 {
        out.fill(conv(off));
    } else if rng <= 0xffff_ffff {
        if rng == 0xffff_ffff {
            uint32_fill(b, out, |x| conv(off.wrapping_add(x as u64)));
        } else if use_masked {
            masked_fill(
                out,
                rng,
                || b.next_uint32() as u64 & mask,
                |v| conv(off.wrapping_add(v)),
            );
        } else {
            lemire32_fill(b, rng as u32, out, |v| conv(off.wrapping_add(v as u64)));
        }
    } else if rng == u64::MAX {
        for o in out.iter_mut() {
            *o = conv(off.wrapping_add(b.next_uint64()));
        }
    } else if use_masked {
        masked_fill(
            out,
            rng,
            || b.next_uint64() & mask,
            |v| conv(off.wrapping_add(v)),
        );
    } else {
        for o in out.iter_mut() {
            *o = conv(off.wrapping_add(bounded_lemire_uint64(b, rng)));
        }
    }
}

/// `out[i] = make(next_uint32())` for every element, drawn in blocks with
/// [`BulkUint32::fill_uint32`].
#[inline]
fn uint32_fill<B: BulkUint32 + ?Sized, T>(b: &mut B, out: &mut [T], make: impl Fn(u32) -> T) {
    let mut buf = vec![0u32; out.len().min(LEMIRE_CHUNK)];
    for chunk in out.chunks_mut(LEMIRE_CHUNK) {
        let src = &mut buf[..chunk.len()];
        b.fill_uint32(src);
        for (o, &x) in chunk.iter_mut().zip(src.iter()) {
            *o = make(x);
        }
    }
}

/// 32-bit draws per block of [`lemire32_fill`] (a buffer that stays in L1).
const LEMIRE_CHUNK: usize = 2048;
/// Elements per run of the vector pass in [`lemire32_run`]: a rejection makes the pass stop
/// and resume after it, re-doing at most this many elements.
const LEMIRE_RUN: usize = 256;
/// Below this many elements [`lemire32_fill`] draws one by one (no buffer to set up).
const LEMIRE_BULK_MIN: usize = 32;
/// Rejection thresholds below this (rejection probability `threshold / 2^32` below 2^-14, so
/// a 256-element run holds one with probability below 1/64) take the vector pass; larger ones
/// the branch-free compaction loop, which handles any rate.
const LEMIRE_SPARSE_THRESHOLD: u32 = 1 << 18;

/// `out[i] = make(buffered_bounded_lemire_uint32(rng))` (`distributions.c`) for every element
/// (the loop of `random_bounded_uint64_fill` / `random_bounded_uint32_fill` when Lemire's
/// method is used at 32 bits). `rng` must not be `u32::MAX`.
///
/// Bit-exact with the element-wise loop: a draw `x` is accepted iff the low half of
/// `x * (rng + 1)` is not below `threshold = (u32::MAX - rng) % (rng + 1)` (NumPy first tests
/// `leftover < rng_excl`, but `threshold < rng_excl`, so the outcome is the same), and an
/// accepted draw gives the high half. Every element takes one draw plus one per rejection, so
/// the next `k` draws (`k` = elements still missing) are all used up, whatever is rejected:
/// they are fetched in bulk ([`BulkUint32::fill_uint32`], which leaves the uint32 split buffer
/// exactly as `k` calls would), then turned into elements by a vector pass that stops at the
/// first rejected draw and resumes just after it (rare rejections), or by a compaction loop
/// that stores every candidate and only advances the output on acceptance (frequent ones).
#[inline]
fn lemire32_fill<B: BulkUint32 + ?Sized, T>(
    b: &mut B,
    rng: u32,
    out: &mut [T],
    make: impl Fn(u32) -> T + Copy,
) {
    let n = out.len();
    if n < LEMIRE_BULK_MIN {
        for o in out.iter_mut() {
            *o = make(bounded_lemire_uint32(b, rng));
        }
        return;
    }
    let ex = rng.wrapping_add(1);
    let threshold = (u32::MAX - rng) % ex;
    let mut buf = vec![0u32; n.min(LEMIRE_CHUNK)];
    let mut pos = 0;
    while pos < n {
        // Never more draws than elements still missing, so none is left unused.
        let k = (n - pos).min(LEMIRE_CHUNK);
        let src = &mut buf[..k];
        b.fill_uint32(src);
        if threshold < LEMIRE_SPARSE_THRESHOLD {
            let mut u = 0;
            while u < k {
                let done =
                    lemire32_run(&src[u..], &mut out[pos..pos + (k - u)], ex, threshold, make);
                pos += done;
                u += done;
                // `src[u]` (if any) was rejected: the element takes the next draw.
                u += 1;
            }
        } else {
            let part = &mut out[pos..];
            let mut j = 0;
            for &x in src.iter() {
                let m = x as u64 * ex as u64;
                part[j] = make((m >> 32) as u32);
                j += usize::from(m as u32 >= threshold);
            }
            pos += j;
        }
    }
}

/// The vector pass of [`lemire32_fill`]: `out[i] = make(high half of src[i] * ex)` for the
/// leading accepted draws, in runs of [`LEMIRE_RUN`]; returns how many were accepted before
/// the first rejected draw (`src.len()` when none was). `out.len() == src.len()`.
/// Compiled for AVX2 too (chosen at run time); both clones compute the same integers.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn lemire32_run<T>(
    src: &[u32],
    out: &mut [T],
    ex: u32,
    threshold: u32,
    make: impl Fn(u32) -> T + Copy,
) -> usize {
    let mut i = 0;
    for (s, o) in src.chunks(LEMIRE_RUN).zip(out.chunks_mut(LEMIRE_RUN)) {
        let mut rejected = 0u64;
        for (&x, o) in s.iter().zip(o.iter_mut()) {
            let m = x as u64 * ex as u64;
            *o = make((m >> 32) as u32);
            // Compared as 64-bit lanes (no 32-bit narrowing), both sides below 2^32.
            rejected |= u64::from((m & 0xffff_ffff) < threshold as u64);
        }
        if rejected != 0 {
            let first = s
                .iter()
                .position(|&x| ((x as u64 * ex as u64) as u32) < threshold)
                .unwrap_or(s.len());
            return i + first;
        }
        i += s.len();
    }
    i
}

/// The masked-rejection loop (`bounded_masked_uint64/32` per element) written without a
/// data-dependent branch: every masked draw `v` is stored (as `make(v)`) at the next free
/// slot, which only advances when `v <= rng`, so the accepted values land in order and a
/// rejected one is overwritten by the next draw. Draws stop as soon as the last slot is
/// accepted, exactly where the element-wise loop stops.
#[inline(always)]
fn masked_fill<T>(out: &mut [T], rng: u64, mut draw: impl FnMut() -> u64, make: impl Fn(u64) -> T) {
    let n = out.len();
    let mut j = 0;
    while j < n {
        let v = draw();
        out[j] = make(v);
        j += usize::from(v <= rng);
    }
}

/// `random_bounded_uint32_fill` (`distributions.c`).
pub fn random_bounded_uint32_fill<B: BulkUint32 + ?Sized>(
    b: &mut B,
    off: u32,
    rng: u32,
    use_masked: bool,
    out: &mut [u32],
) {
    let mask = gen_mask(rng as u64) as u32;
    if rng != 0 && rng != u32::MAX && use_masked {
        // Same draws as the element-wise `random_buffered_bounded_uint32` (masked case).
        masked_fill(
            out,
            rng as u64,
            || (b.next_uint32() & mask) as u64,
            |v| off.wrapping_add(v as u32),
        );
        return;
    }
    if rng != 0 && rng != u32::MAX {
        // Same draws as the element-wise `random_buffered_bounded_uint32` (Lemire case).
        lemire32_fill(b, rng, out, |v| off.wrapping_add(v));
        return;
    }
    let mut s = SmallBuf::default();
    for o in out.iter_mut() {
        *o = random_buffered_bounded_uint32(b, off, rng, mask, use_masked, &mut s);
    }
}

/// `random_bounded_uint16_fill` (`distributions.c`): one fresh buffer for the whole call.
pub fn random_bounded_uint16_fill<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: u16,
    rng: u16,
    use_masked: bool,
    out: &mut [u16],
) {
    let mask = gen_mask(rng as u64) as u16;
    let mut s = SmallBuf::default();
    for o in out.iter_mut() {
        *o = random_buffered_bounded_uint16(b, off, rng, mask, use_masked, &mut s);
    }
}

/// `random_bounded_uint8_fill` (`distributions.c`): one fresh buffer for the whole call.
pub fn random_bounded_uint8_fill<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: u8,
    rng: u8,
    use_masked: bool,
    out: &mut [u8],
) {
    let mask = gen_mask(rng as u64) as u8;
    let mut s = SmallBuf::default();
    for o in out.iter_mut() {
        *o = random_buffered_bounded_uint8(b, off, rng, mask, use_masked, &mut s);
    }
}

/// `random_bounded_bool_fill` (`distributions.c`): one fresh buffer for the whole call.
pub fn random_bounded_bool_fill<B: NpBitGen + ?Sized>(
    b: &mut B,
    off: bool,
    rng: bool,
    out: &mut [bool],
) {
    let mut s = SmallBuf::default();
    for o in out.iter_mut() {
        *o = buffered_bounded_bool(b, off, rng, &mut s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter "generator" for structural tests.
    struct Counter(u64);
    impl NpBitGen for Counter {
        fn next_uint64(&mut self) -> u64 {
            self.0 += 1;
            self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }
        fn next_uint32(&mut self) -> u32 {
            (self.next_uint64() >> 32) as u32
        }
        fn next_double(&mut self) -> f64 {
            (self.next_uint64() >> 11) as f64 * (1.0 / 9007199254740992.0)
        }
    }
    impl BulkUint32 for Counter {}

    #[test]
    fn gen_mask_values() {
        assert_eq!(gen_mask(0), 0);
        assert_eq!(gen_mask(1), 1);
        assert_eq!(gen_mask(9), 15);
        assert_eq!(gen_mask(16), 31);
        assert_eq!(gen_mask(u64::MAX - 5), u64::MAX);
    }

    #[test]
    fn bounded_in_range() {
        let mut c = Counter(0);
        for rng in [1u64, 2, 9, 1000, 0xffff_fffe, 0x1_0000_0000, u64::MAX - 1] {
            for masked in [true, false] {
                for _ in 0..50 {
                    let v = random_bounded_uint64(&mut c, 5, rng, gen_mask(rng), masked);
                    assert!(v.wrapping_sub(5) <= rng);
                }
            }
        }
        let mut out = [0u8; 100];
        random_bounded_uint8_fill(&mut c, 3, 7, false, &mut out);
        assert!(out.iter().all(|&v| (3..=10).contains(&v)));
        let mut out16 = [0u16; 100];
        random_bounded_uint16_fill(&mut c, 0, 300, true, &mut out16);
        assert!(out16.iter().all(|&v| v <= 300));
    }

    #[test]
    fn zero_range_draws_nothing() {
        let mut c = Counter(0);
        let mut out = [0u64; 4];
        random_bounded_uint64_fill(&mut c, 7, 0, false, &mut out);
        assert_eq!(out, [7; 4]);
        assert_eq!(random_interval(&mut c, 0), 0);
        assert_eq!(c.0, 0);
    }
}

// =============================================================================================
// Python-layer plumbing shared by `RandomState` and `Generator`: `numpy/random/_common.pyx`
// (`cont`, constraint checks, parameter broadcasting) and `numpy/random/_bounded_integers.pyx.in`
// (`_rand_<dtype>` and `_rand_<dtype>_broadcast`).

/// A float64 distribution parameter, as `cont` sees it after
/// `PyArray_FROM_OTF(x, NPY_DOUBLE)`: a scalar (0-d) or an n-d array in C order.
#[derive(Debug, Clone, PartialEq)]
pub enum FParam {
    /// A Python float/int or a 0-d array.
    Scalar(f64),
    /// An array of at least one dimension.
    Array {
        /// Its shape.
        shape: Vec<usize>,
        /// Its elements in C order.
        data: Vec<f64>,
    },
}

impl From<f64> for FParam {
    fn from(v: f64) -> Self {
        FParam::Scalar(v)
    }
}

impl FParam {
    /// The shape (`[]` for a scalar).
    pub fn shape(&self) -> &[usize] {
        match self {
            FParam::Scalar(_) => &[],
            FParam::Array { shape, .. } => shape,
        }
    }
    /// Element `i` in C order (the scalar for any `i`).
    fn at(&self, i: usize) -> f64 {
        match self {
            FParam::Scalar(v) => *v,
            FParam::Array { data, .. } => data[i],
        }
    }
    fn values(&self) -> Vec<f64> {
        match self {
            FParam::Scalar(v) => vec![*v],
            FParam::Array { data, .. } => data.clone(),
        }
    }
}

/// The parameter constraints of `_common.pyx` that the supported calls use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cons {
    /// `CONS_NONE`.
    None,
    /// `CONS_NON_NEGATIVE`: `ValueError("{name} < 0")` when the sign bit is set and the value is
    /// not NaN (so `-0.0` is refused, NaN accepted).
    NonNegative,
}

fn check_constraint(vals: &[f64], name: &str, cons: Cons) -> crate::Result<()> {
    match cons {
        Cons::None => Ok(()),
        Cons::NonNegative => {
            if vals.iter().any(|v| !v.is_nan() && v.is_sign_negative()) {
                Err(crate::Error::value(format!("{name} < 0")))
            } else {
                Ok(())
            }
        }
    }
}

/// A shape as Python prints a tuple: `()`, `(3,)`, `(2, 3)`.
pub fn py_shape(shape: &[usize]) -> String {
    match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The element count of a result of shape `shape`: [`crate::array::checked_size`], and NumPy's
/// `MemoryError` for results this process should not try to allocate (over 2^33 elements,
/// i.e. 64 GiB of float64), instead of aborting on a failed allocation.
pub fn alloc_len(shape: &[usize]) -> crate::Result<usize> {
    let n = crate::array::checked_size(shape)?;
    // Refuse (rather than abort on) an allocation this machine cannot make.
    let fits = n
        .checked_mul(8)
        .is_some_and(|b| Vec::<u8>::new().try_reserve_exact(b).is_ok());
    if n > 1 << 33 || !fits {
        return Err(crate::Error::Memory(format!(
            "Unable to allocate an array with shape {}",
            py_shape(shape)
        )));
    }
    Ok(n)
}

/// `PyArray_Broadcast` (`numpy/_core/src/multiarray/iterators.c`): the broadcast shape of the
/// operands of a multi-iterator, with NumPy's `shape mismatch` message naming the two
/// operands (by position) that disagree.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> crate::Result<Vec<usize>> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; nd];
    let mut src = 0usize;
    for (i, o) in out.iter_mut().enumerate() {
        for (j, s) in shapes.iter().enumerate() {
            let Some(k) = (i + s.len()).checked_sub(nd) else {
                continue;
            };
            let d = s[k];
            if d == 1 {
                continue;
            }
            if *o == 1 {
                *o = d;
                src = j;
            } else if *o != d {
                return Err(crate::Error::value(format!(
                    "shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is \
                     between arg {src} with shape {} and arg {j} with shape {}.",
                    py_shape(shapes[src]),
                    py_shape(s)
                )));
            }
        }
    }
    Ok(out)
}

/// The broadcast shape of two ufunc operands, with the ufunc error message
/// (`operands could not be broadcast together with shapes (2,) (3,) `).
fn ufunc_broadcast(a: &[usize], b: &[usize]) -> crate::Result<Vec<usize>> {
    broadcast_shapes(&[a, b]).map_err(|_| {
        let f = |s: &[usize]| match s.len() {
            1 => format!("({},)", s[0]),
            _ => format!(
                "({})",
                s.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        crate::Error::value(format!(
            "operands could not be broadcast together with shapes {} {} ",
            f(a),
            f(b)
        ))
    })
}

pub use crate::array::broadcast_index_map;

/// `cont` (`_common.pyx`) for float64 results: parameters are checked against their
/// constraints, then either one draw per element of `size` (all parameters scalar) or the
/// broadcast path (`cont_broadcast_N`: output shape `size`, which must equal the broadcast of
/// `size` and the parameters, or the parameters' broadcast shape when `size` is `None`).
/// `f` receives the parameter values of each element. `size = None` with scalar parameters
/// gives a 0-d array (NumPy returns a Python float there).
pub fn cont<F>(
    params: &[(&FParam, &str, Cons)],
    size: Option<&[usize]>,
    mut f: F,
) -> crate::Result<crate::NdArray>
where
    F: FnMut(&[f64]) -> f64,
{
    use crate::{Data, NdArray};
    let is_scalar = params.iter().all(|(p, _, _)| p.shape().is_empty());
    let mut vals = vec![0.0f64; params.len()];
    if is_scalar {
        for (p, name, cons) in params {
            check_constraint(&[p.at(0)], name, *cons)?;
        }
        for (v, (p, _, _)) in vals.iter_mut().zip(params) {
            *v = p.at(0);
        }
        let shape = size.map(|s| s.to_vec()).unwrap_or_default();
        let n = alloc_len(&shape)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(f(&vals));
        }
        return Ok(NdArray::new(shape, Data::F64(out)));
    }
    for (p, name, cons) in params {
        check_constraint(&p.values(), name, *cons)?;
    }
    let shape = match size {
        Some(s) => {
            let mut shapes: Vec<&[usize]> = vec![s];
            shapes.extend(params.iter().map(|(p, _, _)| p.shape()));
            let b = broadcast_shapes(&shapes)?;
            if b != s {
                return Err(crate::Error::value(format!(
                    "Output size {} is not compatible with broadcast dimensions of inputs {}.",
                    py_shape(s),
                    py_shape(&b)
                )));
            }
            b
        }
        None => {
            let shapes: Vec<&[usize]> = params.iter().map(|(p, _, _)| p.shape()).collect();
            broadcast_shapes(&shapes)?
        }
    };
    let n = alloc_len(&shape)?;
    let maps: Vec<Vec<usize>> = params
        .iter()
        .map(|(p, _, _)| broadcast_index_map(&shape, p.shape()))
        .collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        for ((v, (p, _, _)), m) in vals.iter_mut().zip(params).zip(&maps) {
            *v = p.at(m[i]);
        }
        out.push(f(&vals));
    }
    Ok(NdArray::new(shape, Data::F64(out)))
}

/// An integer bound of `randint` / `integers`: a Python int (or 0-d array) or an n-d integer
/// array, each value as `i128` (Python ints beyond that range are out of bounds for every
/// dtype anyway; callers saturate them).
#[derive(Debug, Clone, PartialEq)]
pub enum IParam {
    /// A scalar bound.
    Scalar(i128),
    /// An array bound in C order.
    Array {
        /// Its shape.
        shape: Vec<usize>,
        /// Its elements.
        data: Vec<i128>,
    },
}

impl From<i128> for IParam {
    fn from(v: i128) -> Self {
        IParam::Scalar(v)
    }
}

impl From<i64> for IParam {
    fn from(v: i64) -> Self {
        IParam::Scalar(v as i128)
    }
}

impl IParam {
    /// The shape (`[]` for a scalar).
    pub fn shape(&self) -> &[usize] {
        match self {
            IParam::Scalar(_) => &[],
            IParam::Array { shape, .. } => shape,
        }
    }
    fn at(&self, i: usize) -> i128 {
        match self {
            IParam::Scalar(v) => *v,
            IParam::Array { data, .. } => data[i],
        }
    }
    fn values(&self) -> Vec<i128> {
        match self {
            IParam::Scalar(v) => vec![*v],
            IParam::Array { data, .. } => data.clone(),
        }
    }
}

/// `format_bounds_error` (`_bounded_integers.pyx.in`).
fn format_bounds_error(closed: bool, low_any_nonzero: bool) -> crate::Error {
    crate::Error::value(match (low_any_nonzero, closed) {
        (false, true) => "high < 0",
        (false, false) => "high <= 0",
        (true, true) => "low > high",
        (true, false) => "low >= high",
    })
}

/// Builds the output buffer of `dtype` from raw unsigned values of the dtype's width.
fn int_data(dtype: crate::DType, raw: Vec<u64>) -> crate::Data {
    use crate::{DType, Data};
    match dtype {
        DType::I64 => Data::I64(raw.into_iter().map(|v| v as i64).collect()),
        DType::U64 => Data::U64(raw),
        DType::I32 => Data::I32(raw.into_iter().map(|v| v as u32 as i32).collect()),
        DType::U32 => Data::U32(raw.into_iter().map(|v| v as u32).collect()),
        DType::I16 => Data::I16(raw.into_iter().map(|v| v as u16 as i16).collect()),
        DType::U16 => Data::U16(raw.into_iter().map(|v| v as u16).collect()),
        DType::I8 => Data::I8(raw.into_iter().map(|v| v as u8 as i8).collect()),
        DType::U8 => Data::U8(raw.into_iter().map(|v| v as u8).collect()),
        _ => Data::Bool(raw.into_iter().map(|v| v != 0).collect()),
    }
}

/// One bounded draw of the dtype's width in `[off, off + rng]` (wrapping), with NumPy's
/// per-width routine (`random_bounded_uint64` for 64-bit types, the buffered ones below).
fn bounded_one<B: NpBitGen + ?Sized>(
    b: &mut B,
    bits: u32,
    off: u64,
    rng: u64,
    use_masked: bool,
    s: &mut SmallBuf,
) -> u64 {
    let mask = gen_mask(rng);
    match bits {
        64 => random_bounded_uint64(b, off, rng, mask, use_masked),
        32 => random_buffered_bounded_uint32(b, off as u32, rng as u32, mask as u32, use_masked, s)
            as u64,
        16 => random_buffered_bounded_uint16(b, off as u16, rng as u16, mask as u16, use_masked, s)
            as u64,
        8 => {
            random_buffered_bounded_uint8(b, off as u8, rng as u8, mask as u8, use_masked, s) as u64
        }
        _ => random_buffered_bounded_bool(b, off & 1 != 0, rng & 1 != 0, s) as u64,
    }
}

/// `_rand_<dtype>` and `_rand_<dtype>_broadcast` (`_bounded_integers.pyx.in`): integers of
/// `dtype` (any integer type or bool) in `[low, high)` (`[low, high]` when `closed`), with
/// NumPy's bounds checks and messages, masked rejection (`use_masked`, legacy `randint`) or
/// Lemire (`Generator.integers`). `size = None` with scalar bounds gives a 0-d array.
pub fn bounded_integers<B: BulkUint32 + ?Sized>(
    b: &mut B,
    dtype: crate::DType,
    low: &IParam,
    high: &IParam,
    size: Option<&[usize]>,
    use_masked: bool,
    closed: bool,
) -> crate::Result<crate::NdArray> {
    use crate::{DType, Error, NdArray};
    let (lb, ub) = dtype
        .int_bounds()
        .ok_or_else(|| Error::type_err(format!("Unsupported dtype {}", dtype.name())))?;
    let name = dtype.name();
    let bits: u32 = if dtype == DType::Bool {
        1
    } else {
        8 * dtype.itemsize() as u32
    };
    let width_mask: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if let Some(s) = size {
        if s.iter().product::<usize>() == 0 {
            alloc_len(s)?;
            return Ok(NdArray::new(s.to_vec(), int_data(dtype, Vec::new())));
        }
    }
    let is_open = !closed as i128;
    if low.shape().is_empty() && high.shape().is_empty() {
        let lo = low.at(0);
        let hi = high.at(0) - is_open;
        if lo < lb {
            return Err(Error::value(format!("low is out of bounds for {name}")));
        }
        if hi > ub {
            return Err(Error::value(format!("high is out of bounds for {name}")));
        }
        if lo > hi {
            return Err(format_bounds_error(closed, lo != 0));
        }
        let rng = ((hi - lo) as u64) & width_mask;
        let off = (lo as u64) & width_mask;
        let shape = size.map(|s| s.to_vec()).unwrap_or_default();
        let n = alloc_len(&shape)?;
        if dtype == DType::I64 {
            // Same values as `int_data(I64, raw)`, written once.
            let mut v = vec![0i64; n];
            bounded_uint64_fill_map(b, off, rng, use_masked, &mut v, |x| x as i64);
            return Ok(NdArray::new(shape, crate::Data::I64(v)));
        }
        let mut raw = vec![0u64; n];
        fill_bounded(b, bits, off, rng, use_masked, &mut raw);
        return Ok(NdArray::new(shape, int_data(dtype, raw)));
    }
    // Broadcast path.
    let lows = low.values();
    let highs = high.values();
    let low_any = lows.iter().any(|&v| v != 0);
    if bits == 64 {
        if lows.iter().any(|&v| v < lb || v > ub) {
            return Err(Error::value(format!("low is out of bounds for {name}")));
        }
        for &h in &highs {
            let cu = h - is_open;
            if cu > ub {
                return Err(Error::value(format!("high is out of bounds for {name}")));
            }
            if cu < lb {
                return Err(format_bounds_error(closed, low_any));
            }
        }
    } else {
        if lows.iter().any(|&v| v < lb) {
            return Err(Error::value(format!("low is out of bounds for {name}")));
        }
        if highs.iter().any(|&v| v - is_open > ub) {
            return Err(Error::value(format!("high is out of bounds for {name}")));
        }
    }
    let lh_shape = ufunc_broadcast(low.shape(), high.shape())?;
    {
        let lm = broadcast_index_map(&lh_shape, low.shape());
        let hm = broadcast_index_map(&lh_shape, high.shape());
        if lm
            .iter()
            .zip(&hm)
            .any(|(&i, &j)| lows[i] > highs[j] - is_open)
        {
            return Err(format_bounds_error(closed, low_any));
        }
    }
    let (out_shape, iter_shape) = match size {
        Some(s) => {
            let it = broadcast_shapes(&[low.shape(), high.shape(), s])?;
            (s.to_vec(), it)
        }
        None => (lh_shape.clone(), lh_shape),
    };
    let cnt = alloc_len(&out_shape)?;
    let total: usize = iter_shape.iter().product();
    if total < cnt {
        return Err(Error::unsupported(
            "randint/integers with zero-size bounds and a non-empty size",
        ));
    }
    let lm = broadcast_index_map(&iter_shape, low.shape());
    let hm = broadcast_index_map(&iter_shape, high.shape());
    let mut s = SmallBuf::default();
    let mut raw = Vec::with_capacity(cnt);
    for i in 0..cnt {
        let lo = lows[lm[i]];
        let hi = highs[hm[i]];
        let rng = ((hi - is_open - lo) as u64) & width_mask;
        let off = (lo as u64) & width_mask;
        raw.push(bounded_one(b, bits, off, rng, use_masked, &mut s));
    }
    Ok(NdArray::new(out_shape, int_data(dtype, raw)))
}

/// `random_bounded_<utype>_fill` for the given width (64, 32, 16, 8 or 1 = bool).
fn fill_bounded<B: BulkUint32 + ?Sized>(
    b: &mut B,
    bits: u32,
    off: u64,
    rng: u64,
    use_masked: bool,
    raw: &mut [u64],
) {
    match bits {
        64 => random_bounded_uint64_fill(b, off, rng, use_masked, raw),
        32 => {
            let mut o = vec![0u32; raw.len()];
            random_bounded_uint32_fill(b, off as u32, rng as u32, use_masked, &mut o);
            raw.iter_mut().zip(o).for_each(|(r, v)| *r = v as u64);
        }
        16 => {
            let mut o = vec![0u16; raw.len()];
            random_bounded_uint16_fill(b, off as u16, rng as u16, use_masked, &mut o);
            raw.iter_mut().zip(o).for_each(|(r, v)| *r = v as u64);
        }
        8 => {
            let mut o = vec![0u8; raw.len()];
            random_bounded_uint8_fill(b, off as u8, rng as u8, use_masked, &mut o);
            raw.iter_mut().zip(o).for_each(|(r, v)| *r = v as u64);
        }
        _ => {
            let mut o = vec![false; raw.len()];
            random_bounded_bool_fill(b, off & 1 != 0, rng & 1 != 0, &mut o);
            raw.iter_mut().zip(o).for_each(|(r, v)| *r = v as u64);
        }
    }
}

#[cfg(test)]
mod bulk_tests {
    //! The batched / case-hoisted fills against their element-wise definitions.
    use super::*;
    use crate::engine::seed_sequence::SeedSequence;
    use crate::numpy::bitgen::BitGenerator;

    fn gens() -> Vec<BitGenerator> {
        ["MT19937", "PCG64", "Philox"]
            .iter()
            .map(|k| BitGenerator::from_seed_sequence(k, SeedSequence::from_u128(9)).unwrap())
            .collect()
    }

    #[test]
    fn legacy_gauss_fill_matches_calls() {
        for base in gens() {
            for has in [false, true] {
                for n in [0usize, 1, 2, 3, 255, 256, 257, 1001] {
                    let mut a = base.clone();
                    let mut ca = GaussCache {
                        has_gauss: has,
                        gauss: 0.5,
                    };
                    let mut b = a.clone();
                    let mut cb = ca;
                    let want: Vec<u64> = (0..n)
                        .map(|_| legacy_gauss(&mut a, &mut ca).to_bits())
                        .collect();
                    let mut got = vec![0f64; n];
                    legacy_gauss_fill(&mut b, &mut cb, &mut got);
                    let got: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
                    assert_eq!(got, want, "n={n} has={has}");
                    assert_eq!(a, b);
                    assert_eq!(ca, cb);
                }
            }
        }
    }

    #[test]
    fn bounded_fills_match_calls() {
        for base in gens() {
            for &(off, rng) in &[
                (0u64, 0u64),
                (3, 9),
                (0, 1),
                (5, 0xffff_fffe),
                (0, 0xffff_ffff),
                (7, 0x1_0000_0005),
                (1, u64::MAX),
                (0, u64::MAX / 3),
            ] {
                for masked in [false, true] {
                    let n = 777;
                    let mut a = base.clone();
                    a.next_uint32();
                    let mut b = a.clone();
                    let mask = gen_mask(rng);
                    let want: Vec<u64> = (0..n)
                        .map(|_| random_bounded_uint64(&mut a, off, rng, mask, masked))
                        .collect();
                    let mut got = vec![0u64; n];
                    random_bounded_uint64_fill(&mut b, off, rng, masked, &mut got);
                    assert_eq!(got, want, "off={off} rng={rng} masked={masked}");
                    assert_eq!(a, b);
                    if rng <= u32::MAX as u64 {
                        let mut a = base.clone();
                        let mut b = a.clone();
                        let (o32, r32) = (off as u32, rng as u32);
                        let mut s = SmallBuf::default();
                        let want: Vec<u32> = (0..n)
                            .map(|_| {
                                random_buffered_bounded_uint32(
                                    &mut a,
                                    o32,
                                    r32,
                                    mask as u32,
                                    masked,
                                    &mut s,
                                )
                            })
                            .collect();
                        let mut got = vec![0u32; n];
                        random_bounded_uint32_fill(&mut b, o32, r32, masked, &mut got);
                        assert_eq!(got, want, "u32 off={off} rng={rng} masked={masked}");
                        assert_eq!(a, b);
                    }
                }
            }
        }
    }
}
