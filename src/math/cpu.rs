//! CPU math as PyTorch's CPU kernels compute it.
//!
//! Two families:
//! * **Scalar libm calls** (`log`, `log1p`, `sin`, `cos`, `tan`, `exp`, `logf`, `sinf`, `cosf`):
//!   torch's scalar kernels (`aten/src/ATen/core/TransformationHelper.h`,
//!   `aten/src/ATen/core/DistributionsHelper.h`, the generic `NormalFill16` in
//!   `aten/src/ATen/native/cpu/DistributionTemplates.h`) call the system C library. On
//!   `x86_64-unknown-linux-gnu`, Rust's `f64::ln`, `f64::ln_1p`, `f64::sin`, ... lower to calls of
//!   the very same glibc symbols (`log`, `log1p`, `sin`, ...), resolved at run time through the
//!   same ifunc selection as torch's, so the wrappers below are bit-identical to torch **on the
//!   same host**. glibc may change these functions between releases; fixtures were generated
//!   with glibc 2.36. On other platforms (macOS, musl, Windows) the platform libm is used and
//!   results may differ from a Linux torch in the last bit.
//! * **AVX2 polynomials** ([`log256_ps`], [`sincos256_ps`]): the Cephes-style approximations
//!   of `aten/src/ATen/native/cpu/avx_mathfun.h` used by the AVX2 specialisation
//!   `NormalFill16<float, true>`, evaluated lane by lane with exactly the fused multiply-adds
//!   GCC emits for torch 2.15's AVX2 build (`-mavx2 -mfma`, contraction on).

/// glibc `log` (natural logarithm, double). Mirrors `std::log(double)` in torch's CPU kernels.
#[inline]
pub fn log(x: f64) -> f64 {
    x.ln()
}

/// glibc `log1p` (double). Mirrors `::log1p` / `at::log1p` in `TransformationHelper.h` and
/// `normal_distribution` (`DistributionsHelper.h`).
#[inline]
pub fn log1p(x: f64) -> f64 {
    x.ln_1p()
}

/// glibc `sin` (double); GCC may fuse `sin`+`cos` into glibc `sincos`, which returns the same
/// bits as the separate calls.
#[inline]
pub fn sin(x: f64) -> f64 {
    x.sin()
}

/// glibc `cos` (double). See [`sin`].
#[inline]
pub fn cos(x: f64) -> f64 {
    x.cos()
}

/// glibc `tan` (double). Mirrors `at::tan` in `transformation::cauchy<double>`.
#[inline]
pub fn tan(x: f64) -> f64 {
    x.tan()
}

/// glibc `exp` (double). Mirrors `at::exp` in `transformation::log_normal<double>`.
#[inline]
pub fn exp(x: f64) -> f64 {
    x.exp()
}

/// glibc `logf`. Mirrors `std::log(float)` in the generic `NormalFill16<float>` (DEFAULT build).
#[inline]
pub fn logf(x: f32) -> f32 {
    x.ln()
}

/// glibc `sinf`. Mirrors `std::sin(float)` in the generic `NormalFill16<float>`.
#[inline]
pub fn sinf(x: f32) -> f32 {
    x.sin()
}

/// glibc `cosf`. Mirrors `std::cos(float)` in the generic `NormalFill16<float>`.
#[inline]
pub fn cosf(x: f32) -> f32 {
    x.cos()
}

/// Single-rounding `a*b + c` (f64), i.e. C `fma` / the `vfmadd` GCC emits under `-mfma`.
#[inline]
pub fn fma(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// Single-rounding `a*b + c` (f32), i.e. C `fmaf` / `_mm256_fmadd_ps`.
///
/// Bit-identical to `a.mul_add(b, c)` for every input. Without hardware FMA in the build
/// (the default x86-64 target), `mul_add` is a libm call; most results are instead computed
/// in double ([`fmaf_fast`]) and only the rare ones that double arithmetic cannot settle
/// exactly go through `mul_add`.
#[inline]
pub fn fmaf(a: f32, b: f32, c: f32) -> f32 {
    #[cfg(target_feature = "fma")]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(target_feature = "fma"))]
    {
        match fmaf_fast(a, b, c) {
            Some(r) => r,
            None => a.mul_add(b, c),
        }
    }
}

/// `fmaf(a, b, c)` through double arithmetic when that is provably exact, else `None`.
///
/// `a*b` is exact in double (24 + 24 significant bits, exponents far inside double's range),
/// so `s = a*b + c` in double is the exact sum rounded once to 53 bits, and rounding `s` to
/// float gives the correctly rounded sum unless that second rounding is a tie that the first
/// one created: i.e. unless `s` is exactly halfway between two floats (its low 29 mantissa
/// bits are `1 << 28` for a normal float result) and the double sum was inexact. Results
/// outside the normal float range (zero, subnormal, overflow, infinities, NaN) are also left to
/// the caller.
/// A tie is also settled when the double sum is itself exact (TwoSum error zero): rounding the
/// exact value once is what `fmaf` does.
#[inline(always)]
pub fn fmaf_fast(a: f32, b: f32, c: f32) -> Option<f32> {
    let p = f64::from(a) * f64::from(b);
    let c = f64::from(c);
    let s = p + c;
    let abs = s.abs();
    if !(F32_MIN_NORMAL..=F32_MAX).contains(&abs) {
        return None;
    }
    if s.to_bits() & 0x1fff_ffff == 0x1000_0000 {
        let bv = s - p;
        let err = (p - (s - bv)) + (c - bv);
        if err != 0.0 {
            return None;
        }
    }
    Some(s as f32)
}

/// `f32::MIN_POSITIVE` as a double.
const F32_MIN_NORMAL: f64 = 1.1754943508222875e-38;
/// `f32::MAX` as a double.
const F32_MAX: f64 = 3.4028234663852886e38;

/// The fused multiply-add used by the AVX2 polynomials: exact ([`Exact`]), or through double
/// arithmetic with a flag recording whether every result was provably exact ([`Checked`], for
/// branch-free lane code that falls back to [`Exact`] when the flag is cleared).
pub trait FmaOp {
    /// `fmaf(a, b, c)`, or a value to be discarded when the op reports inexactness.
    fn fma(&mut self, a: f32, b: f32, c: f32) -> f32;

    /// `a*b + c` in double where the caller only needs an approximation with a known error
    /// bound (one or two roundings): fused on [`Hw`], two plain operations elsewhere (never a
    /// libm call).
    #[inline(always)]
    fn mul_add_approx(&mut self, a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// [`fmaf`] itself.
pub struct Exact;

impl FmaOp for Exact {
    #[inline(always)]
    fn fma(&mut self, a: f32, b: f32, c: f32) -> f32 {
        fmaf(a, b, c)
    }
}

/// [`fmaf_fast`] without its branch: the result is exact whenever `self.0` is still true.
pub struct Checked(pub bool);

impl FmaOp for Checked {
    #[inline(always)]
    fn fma(&mut self, a: f32, b: f32, c: f32) -> f32 {
        #[cfg(target_feature = "fma")]
        {
            a.mul_add(b, c)
        }
        #[cfg(not(target_feature = "fma"))]
        {
            let p = f64::from(a) * f64::from(b);
            let c = f64::from(c);
            let s = p + c;
            let abs = s.abs();
            let halfway = s.to_bits() & 0x1fff_ffff == 0x1000_0000;
            // A tie is fine when it is the exact sum (TwoSum error zero).
            let bv = s - p;
            let err = (p - (s - bv)) + (c - bv);
            self.0 &= (F32_MIN_NORMAL..=F32_MAX).contains(&abs) && (!halfway || err == 0.0);
            s as f32
        }
    }
}

/// The processor's own fused multiply-add (`vfmadd` / `fmadd`): only used inside functions
/// compiled for an FMA target (see [`has_hw_fma`] and the `#[multiversion]` clones in
/// `torch::cpu::ops` and `torch::cuda`), where `f32::mul_add` is one inlined instruction. Called
/// elsewhere it is still exact (a libm `fmaf` call), only slow.
pub struct Hw;

impl FmaOp for Hw {
    #[inline(always)]
    fn fma(&mut self, a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }

    #[inline(always)]
    fn mul_add_approx(&mut self, a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// Whether this processor has a hardware fused multiply-add, detected once at run time
/// (`is_x86_feature_detected!("fma")`; always true on AArch64, where FMA is part of the base
/// instruction set). The portable build does not assume it: without it, the fused
/// multiply-adds go through [`Checked`] / [`fmaf`]. Setting `SEEDBRIDGE_NO_HW_FMA` (any value)
/// in the environment forces that path, so that the tests can check it on FMA machines too.
pub fn has_hw_fma() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| std::env::var_os("SEEDBRIDGE_NO_HW_FMA").is_none() && detect_hw_fma())
}

fn detect_hw_fma() -> bool {
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    {
        std::is_x86_feature_detected!("fma")
    }
    #[cfg(target_arch = "aarch64")]
    {
        true
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86", target_arch = "aarch64")))]
    {
        cfg!(target_feature = "fma")
    }
}

const SQRTHF: f32 = f32::from_bits(0x3f35_04f3);
const LOG_P: [u32; 9] = [
    0x3d90_21bb,
    0xbdeb_d1b8,
    0x3def_251a,
    0xbdfe_5d4f,
    0x3e11_e9bf,
    0xbe2a_ae50,
    0x3e4c_ceac,
    0xbe7f_fffc,
    0x3eaa_aaaa,
];
const LOG_Q1: f32 = f32::from_bits(0xb95e_8083);
const LOG_Q2: f32 = f32::from_bits(0x3f31_8000);

/// One lane of `log256_ps` from `aten/src/ATen/native/cpu/avx_mathfun.h` (Cephes `logf`
/// polynomial), with the FMA contraction of torch 2.15's AVX2 build:
/// `y = fma(y, x, p_k)` for the Horner steps, `y = fma(y*x, z, e*q1)`, `y = fma(-z, 0.5, y)`,
/// result `fma(e, q2, x + y)`. Inputs `<= 0` give NaN; denormals are flushed to the smallest
/// normal first, as the original does.
pub fn log256_ps(x_in: f32) -> f32 {
    log256_ps_with(x_in, &mut Exact)
}

/// [`log256_ps`] with the fused multiply-adds of `f`.
#[inline(always)]
pub fn log256_ps_with<F: FmaOp>(x_in: f32, f: &mut F) -> f32 {
    let fmaf = |f: &mut F, a, b, c| f.fma(a, b, c);
    let invalid = x_in <= 0.0 || x_in.is_nan();
    // _mm256_max_ps(x, min_norm_pos): returns the second operand when either is NaN.
    let min_norm = f32::from_bits(0x0080_0000);
    let x = if x_in > min_norm { x_in } else { min_norm };
    let bits = x.to_bits();
    let imm0 = ((bits >> 23) as i32).wrapping_sub(0x7f);
    let mut e = imm0 as f32 + 1.0;
    let mut x = f32::from_bits((bits & !0x7f80_0000) | 0x3f00_0000);
    let mask = x < SQRTHF;
    let tmp = if mask { x } else { 0.0 };
    x -= 1.0;
    e -= if mask { 1.0 } else { 0.0 };
    x += tmp;
    let z = x * x;
    let mut y = fmaf(f, f32::from_bits(LOG_P[0]), x, f32::from_bits(LOG_P[1]));
    for &p in &LOG_P[2..] {
        y = fmaf(f, y, x, f32::from_bits(p));
    }
    y *= x;
    y = fmaf(f, y, z, e * LOG_Q1);
    y = fmaf(f, -z, 0.5, y);
    x += y;
    let r = fmaf(f, e, LOG_Q2, x);
    if invalid {
        f32::from_bits(r.to_bits() | 0xffff_ffff)
    } else {
        r
    }
}

/// `_mm256_cvttps_epi32` for one lane: truncation toward zero, and `i32::MIN` (the "integer
/// indefinite" value) for NaN, infinities and anything outside `[-2^31, 2^31)`. Computed from
/// the float's bits with shifts and selects only, so that LLVM vectorises it (Rust's saturating
/// `as` does not).
#[inline(always)]
pub fn cvtt_f32_i32(x: f32) -> i32 {
    let bits = x.to_bits();
    let abs = bits & 0x7fff_ffff;
    let e = (abs >> 23) as i32 - 127;
    let mant = (abs & 0x007f_ffff) | 0x0080_0000;
    // |x| = mant * 2^(e - 23); below 2^31, e <= 30, so at most a 7-bit left shift; e < 0 (also
    // zeros and subnormals) shifts everything out.
    let left = (e - 23).clamp(0, 31) as u32;
    let right = (23 - e).clamp(0, 31) as u32;
    let mag = ((mant << left) >> right) as i32;
    if abs >= 0x4f00_0000 {
        i32::MIN
    } else if bits >> 31 != 0 {
        mag.wrapping_neg()
    } else {
        mag
    }
}

/// x86-64 `cvttsd2si` into 32 bits: truncation, `i32::MIN` when out of range or NaN.
pub fn cvtt_f64_i32(v: f64) -> i32 {
    if v.is_nan() || v >= 2_147_483_648.0 || v <= -2_147_483_649.0 {
        i32::MIN
    } else {
        v as i32
    }
}

/// x86-64 `cvttsd2si` into 64 bits: truncation, `i64::MIN` when out of range or NaN.
pub fn cvtt_f64_i64(v: f64) -> i64 {
    if v.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

const FOPI: f32 = f32::from_bits(0x3fa2_f983);
const DP: [u32; 3] = [0xbf49_0000, 0xb97d_a000, 0xb322_2169];
const COSCOF: [u32; 3] = [0x37cc_f5ce, 0xbab6_061a, 0x3d2a_aaa5];
const SINCOF: [u32; 3] = [0xb94c_a1f9, 0x3c08_839e, 0xbe2a_aaa3];

/// One lane of `sincos256_ps` from `aten/src/ATen/native/cpu/avx_mathfun.h` (Cephes
/// `sinf`/`cosf`), with the FMA contraction of torch 2.15's AVX2 build. Returns `(sin, cos)`.
pub fn sincos256_ps(t: f32) -> (f32, f32) {
    sincos256_ps_with(t, &mut Exact)
}

/// [`sincos256_ps`] with the fused multiply-adds of `f`.
#[inline(always)]
pub fn sincos256_ps_with<F: FmaOp>(t: f32, f: &mut F) -> (f32, f32) {
    let fmaf = |f: &mut F, a, b, c| f.fma(a, b, c);
    let sign_in = t.to_bits() & 0x8000_0000;
    let a = f32::from_bits(t.to_bits() & 0x7fff_ffff);
    let y0 = a * FOPI;
    // _mm256_cvttps_epi32: truncation; out-of-range/NaN give 0x80000000.
    let mut j = cvtt_f32_i32(y0);
    j = j.wrapping_add(1) & !1;
    let y = j as f32;
    let swap_sign_sin = ((j & 4) as u32) << 29;
    let poly_mask = (j & 2) == 0;
    let mut x = fmaf(f, y, f32::from_bits(DP[0]), a);
    x = fmaf(f, y, f32::from_bits(DP[1]), x);
    x = fmaf(f, y, f32::from_bits(DP[2]), x);
    let sign_cos = ((!(j.wrapping_sub(2)) & 4) as u32) << 29;
    let sign_sin = sign_in ^ swap_sign_sin;
    let z = x * x;
    // cos polynomial
    let mut c = fmaf(f, f32::from_bits(COSCOF[0]), z, f32::from_bits(COSCOF[1]));
    c = fmaf(f, c, z, f32::from_bits(COSCOF[2]));
    c *= z;
    c = fmaf(f, c, z, -(z * 0.5));
    c += 1.0;
    // sin polynomial
    let mut s = fmaf(f, f32::from_bits(SINCOF[0]), z, f32::from_bits(SINCOF[1]));
    s = fmaf(f, s, z, f32::from_bits(SINCOF[2]));
    s *= z;
    s = fmaf(f, s, x, x);
    // Selection exactly as the original: masked AND/ANDNOT, subtractions and additions.
    let (ysin2, ysin1) = if poly_mask { (s, 0.0) } else { (0.0, c) };
    let y2 = s - ysin2;
    let yc = c - ysin1;
    let sin = ysin1 + ysin2;
    let cos = yc + y2;
    (
        f32::from_bits(sin.to_bits() ^ sign_sin),
        f32::from_bits(cos.to_bits() ^ sign_cos),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmaf_matches_mul_add() {
        // Random-ish operands plus the hard cases: ties created by the double rounding,
        // cancellation, subnormal and overflowing results, zeros, infinities and NaN.
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f32::from_bits((x >> 32) as u32)
        };
        let specials = [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            0.5,
            f32::MIN_POSITIVE,
            1e-45,
            f32::MAX,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1.0 + f32::EPSILON,
            1.0 - f32::EPSILON / 2.0,
            3.0,
        ];
        let check = |a: f32, b: f32, c: f32| {
            let want = a.mul_add(b, c);
            let got = fmaf(a, b, c);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "fmaf({a:e}, {b:e}, {c:e}) = {got:e}, want {want:e}"
            );
        };
        for &a in &specials {
            for &b in &specials {
                for &c in &specials {
                    check(a, b, c);
                }
            }
        }
        for _ in 0..200_000 {
            let (a, b, c) = (next(), next(), next());
            check(a, b, c);
            // Same-magnitude operands: heavy cancellation and near-ties.
            let e = f32::from_bits((a.to_bits() & 0x807f_ffff) | 0x3f80_0000);
            let f = f32::from_bits((b.to_bits() & 0x807f_ffff) | 0x3f80_0000);
            check(e, f, -(e * f));
            check(e, f, f32::from_bits(1 + (c.to_bits() & 0x00ff_ffff)));
        }
        // A double-rounding tie: (1 + 2^-23) * (1 + 2^-23) + (-2^-46 + 2^-60) is
        // 1 + 2^-22 + 2^-60, whose double rounding hits a float midpoint.
        let a = 1.0 + f32::EPSILON;
        check(a, a, -(2f32.powi(-46)) + 2f32.powi(-60));
        check(1.0 + 2f32.powi(-12), 1.0 + 2f32.powi(-12), 2f32.powi(-60));
    }

    #[test]
    fn cvtt_matches_x86_truncation() {
        let reference = |x: f32| -> i32 {
            if x.is_nan() || !(-2_147_483_648.0..2_147_483_648.0).contains(&x) {
                i32::MIN
            } else {
                x as i32
            }
        };
        let mut bits = 0u32;
        // Every 97th bit pattern (all exponents and signs) plus the edges.
        loop {
            let x = f32::from_bits(bits);
            assert_eq!(cvtt_f32_i32(x), reference(x), "{x:e} ({bits:#x})");
            match bits.checked_add(97) {
                Some(b) => bits = b,
                None => break,
            }
        }
        for x in [
            0.0f32,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1.5,
            -1.5,
            8388607.5,
            8388608.0,
            16777217.0,
            2_147_483_520.0,
            2_147_483_648.0,
            -2_147_483_648.0,
            -2_147_483_904.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1e-45,
            -1e-45,
        ] {
            assert_eq!(cvtt_f32_i32(x), reference(x), "{x:e}");
        }
    }

    #[test]
    fn avx_log_close_to_ln() {
        for &x in &[1e-7f32, 0.1, 0.5, 0.70710677, 0.9, 1.0] {
            assert!((log256_ps(x) - x.ln()).abs() <= 2e-7 * x.ln().abs().max(1.0));
        }
        assert!(log256_ps(0.0).is_nan());
    }

    #[test]
    fn avx_sincos_close() {
        for i in 0..100 {
            let t = i as f32 * 0.0628;
            let (s, c) = sincos256_ps(t);
            assert!(
                (s - t.sin()).abs() < 1e-6 && (c - t.cos()).abs() < 1e-6,
                "{t}"
            );
        }
    }
}
