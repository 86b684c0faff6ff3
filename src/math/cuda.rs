//! CUDA device math as PyTorch's CUDA random kernels evaluate it, emulated on the CPU.
//!
//! # Which functions, and how exact
//! nvcc links NVIDIA's libdevice (`libdevice.10.bc`) for the math library and lowers the
//! `__`-prefixed intrinsics to PTX `*.approx` instructions, i.e. to the GPU's special function
//! unit (MUFU). PyTorch 2.x compiles its kernels with nvcc's defaults (`-prec-div=true`,
//! `-prec-sqrt=true`, `-ftz=false`, `-fmad=true`), so:
//!
//! | function here | CUDA routine | used by | fidelity |
//! |---|---|---|---|
//! | [`logf`] | `logf` = libdevice `__nv_logf` | `curand_normal4` (float Box-Muller radius) | **bit-exact** (pure `fma.rn` arithmetic, algorithm reproduced) |
//! | [`log`] | `log` = `__nv_log` | `curand_normal2_double`, f64 `exponential_`/`geometric_` | **bit-exact** given the documented `rcp.approx.ftz.f64` (else 1 ulp for ~1e-6 of inputs; see below) |
//! | [`sincospi`] | `sincospi` = `__nv_sincospi` | `curand_normal2_double` | **bit-exact** |
//! | [`exp`] | `exp` = `__nv_exp` | f64 `log_normal_` | **bit-exact** |
//! | [`tan`] | `tan` = `__nv_tan` | f64 `cauchy_` | **bit-exact** for \|x\| < 2^31 (PyTorch passes \|x\| <= pi/2) |
//! | [`log1p`] | `log1p` = `__nv_log1p` | f64 `geometric_` | exact algorithm; one `a - a*q` step may be contracted to an FMA by nvcc (documented there) |
//! | [`sqrtf`], `f64::sqrt`, `/` | `sqrt.rn`, `div.rn` | everywhere | **bit-exact** (IEEE round-to-nearest) |
//! | [`fast_sincosf`] | `__sincosf` → `sin.approx.f32`/`cos.approx.f32` | float Box-Muller angle | **bounded**: MUFU hardware, not public |
//! | [`fast_logf`] | `__logf` → `lg2.approx.f32` × ln 2 | float `exponential_`, `geometric_` | **bounded** |
//! | [`fast_expf`] | `__expf` → `ex2.approx.f32` | float `log_normal_` | **bounded** |
//! | [`fast_tanf`] | `__tanf` → `sin.approx`/`cos.approx`/`div.approx` | float `cauchy_` | **bounded** (relative; unbounded near the poles) |
//!
//! The bit-exact functions follow libdevice's algorithms operation by operation (the same
//! polynomial coefficients, the same fused multiply-adds, the same order), checked on this
//! host by compiling libdevice's own bitcode for x86-64 and comparing (see each function).
//!
//! ## `rcp.approx.ftz.f64` in [`log`], [`log1p`] and [`tan`]
//! libdevice seeds a reciprocal with the hardware approximation `rcp.approx.ftz.f64`
//! (`MUFU.RCP64H`), whose exact bits are not public. PTX documents it as the reciprocal of the
//! operand's upper 32 bits (1.11.20 format) returned in the upper 32 bits of the result;
//! [`rcp_approx_ftz_f64`] models exactly that, and with this model the functions here are
//! bit-identical to libdevice. libdevice refines the seed (`e = fma(-d, r0, 1); r = fma(fma(e,
//! e, e), r0, r0)`) and uses it inside compensated sums, so the dependence on the seed's low
//! bits is tiny but not nil. Measured on this host with libdevice's bitcode: `tan` gives
//! identical results for every seed model tried (2^24 inputs); `log` changes in the last bit
//! for 75 of 2^26 inputs (1.1e-6) with an exact `1/d` seed instead of the truncated one;
//! `log1p` for 1 of 2^24. So f64 results that go through `log` are bit-exact if the hardware
//! seed equals the documented truncation, and otherwise differ by 1 ulp of `log` for about
//! one input in 10^6.
//!
//! ## The hardware approximations (`MUFU.SIN/COS/LG2/EX2/RCP`)
//! NVIDIA documents only error bounds (CUDA C++ Programming Guide, "Intrinsic Functions"):
//! `__sinf`/`__cosf`: max absolute error 2^-21.41 / 2^-21.19 for x in [-pi, pi];
//! `__logf`: max absolute error 2^-21.41 for x in [0.5, 2], else 3 ulp; `__expf`: max ulp
//! error 2 + floor(|1.173 x|). The models here return the correctly rounded value of the
//! function the hardware approximates, after reproducing the exactly known pre-processing
//! (the `FMUL.RZ` by 1/(2 pi) that precedes `MUFU.SIN/COS` on sm_70+, the float multiply by
//! log2(e) in `__expf`, the float multiply by ln 2 after `lg2.approx`). Hence
//! |model - GPU| <= documented bound + 1/2 ulp.

/// libdevice `__nv_logf` constants (float): polynomial for log1p(f), f in [-1/3, 1/3].
use super::cpu::FmaOp;

const LOGF_POLY: [u32; 9] = [
    0xbe05_5027,
    0x3e10_39f6,
    0xbdf8_cdcc,
    0x3e0f_2955,
    0xbe2a_d8b9,
    0x3e4c_ed0b,
    0xbe7f_ff22,
    0x3eaa_aa78,
    0xbf00_0000, // -0.5
];
/// ln 2 rounded to float (0x3f317218).
const LN2_F: u32 = 0x3f31_7218;

/// CUDA `logf(x)` (libdevice `__nv_logf`, non-FTZ path): bit-exact.
///
/// Algorithm (libdevice): scale subnormals by 2^23; split `x = 2^e * m` with `m` in
/// [2/3, 4/3) using the integer trick `(bits - 0x3f2aaaab) & 0xff800000`; evaluate a degree-9
/// polynomial in `f = m - 1` with `fma.rn.f32`; add `e * ln 2` with one more FMA. Special
/// cases: `+inf -> +inf`, negative or NaN -> NaN, `±0 -> -inf`.
///
/// Verified bit-identical to libdevice's own `__nv_logf` (bitcode compiled for x86-64) on all
/// 2^32 float inputs. The `fma.rn.f32` steps use [`super::cpu::fmaf`] (bit-identical to
/// `f32::mul_add`, without a libm call on builds without hardware FMA).
pub fn logf(a: f32) -> f32 {
    logf_with(&mut super::cpu::Exact, a)
}

/// [`logf`] with the fused multiply-adds of `op` (the processor's own in SIMD clones).
#[inline(always)]
pub fn logf_with<Op: super::cpu::FmaOp>(op: &mut Op, a: f32) -> f32 {
    let mut fmaf = |a: f32, b: f32, c: f32| op.fma(a, b, c);
    let (x, scale) = if a < f32::from_bits(0x0080_0000) {
        (a * 8_388_608.0, -23.0f32)
    } else {
        (a, 0.0f32)
    };
    let ix = x.to_bits();
    let e = ix.wrapping_sub(0x3f2a_aaab) & 0xff80_0000;
    let m = f32::from_bits(ix.wrapping_sub(e));
    let fe = fmaf(e as i32 as f32, f32::from_bits(0x3400_0000), scale);
    let f = m - 1.0;
    let mut p = fmaf(
        f32::from_bits(LOGF_POLY[0]),
        f,
        f32::from_bits(LOGF_POLY[1]),
    );
    for &c in &LOGF_POLY[2..] {
        p = fmaf(p, f, f32::from_bits(c));
    }
    let q = p * f;
    let r = fmaf(q, f, f);
    let mut r = fmaf(fe, f32::from_bits(LN2_F), r);
    if ix > 0x7f7f_ffff {
        // +inf, NaN or negative: fma(x, inf, inf) gives inf or NaN.
        r = x.mul_add(f32::INFINITY, f32::INFINITY);
    }
    if x == 0.0 {
        r = f32::NEG_INFINITY;
    }
    r
}

/// IEEE square root (CUDA `sqrtf` under nvcc's default `-prec-sqrt=true`): bit-exact.
#[inline]
pub fn sqrtf(x: f32) -> f32 {
    x.sqrt()
}

#[inline]
fn hi(x: f64) -> u32 {
    (x.to_bits() >> 32) as u32
}

#[inline]
fn lo(x: f64) -> u32 {
    x.to_bits() as u32
}

#[inline]
fn lohi(lo: u32, hi: u32) -> f64 {
    f64::from_bits((u64::from(hi) << 32) | u64::from(lo))
}

/// Model of PTX `rcp.approx.ftz.f64`: the reciprocal of the operand's upper 32 bits,
/// truncated to the upper 32 bits of a double (PTX ISA, `rcp.approx.ftz.f64`). The hardware
/// result may differ in its last bits; the callers' Newton refinement removes that dependence
/// (see the module documentation).
#[inline]
pub fn rcp_approx_ftz_f64(d: f64) -> f64 {
    let dh = f64::from_bits(d.to_bits() & 0xffff_ffff_0000_0000);
    let r = 1.0 / dh;
    if r.is_nan() || r.is_infinite() || r == 0.0 {
        return r;
    }
    f64::from_bits(r.to_bits() & 0xffff_ffff_0000_0000)
}

/// libdevice `__nv_log` polynomial in v = u^2 (u = 2(m-1)/(m+1)), highest degree first.
const LOG_POLY: [u64; 8] = [
    0x3EB1_380B_3AE8_0F1E,
    0x3ED0_EE25_8B7A_8B04,
    0x3EF3_B266_9F02_676F,
    0x3F17_45CB_A9AB_0956,
    0x3F3C_71C7_2D1B_5154,
    0x3F62_4924_923B_E72D,
    0x3F89_9999_9999_A3C4,
    0x3FB5_5555_5555_5554,
];
const LN2_HI: u64 = 0x3FE6_2E42_FEFA_39EF;
const LN2_LO: u64 = 0x3C7A_BC9E_3B39_803F;

/// The core of `__nv_log` for a positive normal double whose high word is `ihi` (after the
/// subnormal scaling), `e` the exponent bias correction.
fn log_kernel(ihi: u32, ilo: u32, e0: i32) -> f64 {
    let mut e = e0 + (ihi >> 20) as i32;
    let mut m = lohi(ilo, (ihi & 0x800f_ffff) | 0x3ff0_0000);
    if ((ihi & 0x800f_ffff) | 0x3ff0_0000) as i32 > 0x3ff6_a09e {
        m = lohi(lo(m), hi(m).wrapping_sub(0x0010_0000));
        e += 1;
    }
    let f = m - 1.0;
    let g = m + 1.0;
    let r0 = rcp_approx_ftz_f64(g);
    let t = (-g).mul_add(r0, 1.0);
    let t = t.mul_add(t, t);
    let r = t.mul_add(r0, r0);
    let u = f * r;
    let u = u + u;
    let v = u * u;
    let mut p = v.mul_add(f64::from_bits(LOG_POLY[0]), f64::from_bits(LOG_POLY[1]));
    for &c in &LOG_POLY[2..] {
        p = p.mul_add(v, f64::from_bits(c));
    }
    let w = 2.0 * (f - u);
    let w = (-u).mul_add(f, w);
    let w = r * w;
    let p = (p * v).mul_add(u, w);
    let ef = f64::from(e);
    let hi_part = ef.mul_add(f64::from_bits(LN2_HI), u);
    let t = (-ef).mul_add(f64::from_bits(LN2_HI), hi_part);
    let t = t - u;
    let p = p - t;
    let lo_part = ef.mul_add(f64::from_bits(LN2_LO), p);
    hi_part + lo_part
}

/// CUDA `log(x)` (libdevice `__nv_log`): bit-exact.
///
/// Algorithm (libdevice): scale subnormals by 2^54; reduce to `m` in [sqrt(2)/2, sqrt(2)];
/// `u = 2(m-1)/(m+1)` through a Newton-refined reciprocal; odd polynomial in `u`; the
/// correction `(2(m-1) - u(m+1)) / (m+1)`; `e ln 2` added in two parts (see the module notes
/// on `rcp.approx.ftz.f64`). Special cases:
/// `+inf -> +inf`, negative/NaN -> NaN, `±0 -> -inf`.
///
/// Verified bit-identical to libdevice's bitcode compiled for x86-64 (with the same
/// [`rcp_approx_ftz_f64`] model) on 2^26 inputs: a third uniform in (0, 1), a third
/// `curand_uniform2_double` values, a third arbitrary positive bit patterns.
pub fn log(a: f64) -> f64 {
    let (x, e0) = if (hi(a) as i32) < 0x0010_0000 {
        (a * f64::from_bits(0x4350_0000_0000_0000), -1077)
    } else {
        (a, -1023)
    };
    let ihi = hi(x);
    if ihi.wrapping_sub(1) < 0x7fef_ffff {
        log_kernel(ihi, lo(x), e0)
    } else {
        let q = x.mul_add(f64::INFINITY, f64::INFINITY);
        if f32::from_bits(ihi) == 0.0 {
            f64::NEG_INFINITY
        } else {
            q
        }
    }
}

/// libdevice `__nv_log1p` polynomial (|a| small branch), highest degree first.
const LOG1P_POLY: [u64; 8] = [
    0x3EB3_72FB_2FBE_14B5,
    0x3ED0_87FF_CEB2_DC44,
    0x3EF3_B9FF_890F_468C,
    0x3F17_457E_FD51_BAF8,
    0x3F3C_71C8_DE3C_E825,
    0x3F62_4924_8FA4_661F,
    0x3F89_9999_999D_70C4,
    0x3FB5_5555_5555_5462,
];

/// CUDA `log1p(x)` (libdevice `__nv_log1p`).
///
/// For x in about (-0.4, 0.667) libdevice evaluates `w = a - a*(a/(a+2))` as a plain multiply
/// and add; nvcc (`-fmad=true`) may contract that pair into one FMA. `contract` selects the
/// contracted form; [`log1p`] uses the uncontracted one. Elsewhere the function is
/// `log(1 + x)` with [`log`]'s algorithm. Verified bit-identical to libdevice's bitcode
/// (compiled for x86-64 without contraction) on 2^24 random inputs; the contracted variant
/// differs in the last bit for about 1 input in 1000 of the small branch.
pub fn log1p_with(a: f64, contract: bool) -> f64 {
    let hf = f32::from_bits(hi(a));
    if hf < f32::from_bits(0x3fe5_5555) && hf > f32::from_bits(0xbfd9_9999) {
        let q = a / (a + 2.0);
        let n = q * -a;
        let w = if contract { q.mul_add(-a, a) } else { n + a };
        let v = w * w;
        let mut p = v.mul_add(f64::from_bits(LOG1P_POLY[0]), f64::from_bits(LOG1P_POLY[1]));
        for &c in &LOG1P_POLY[2..] {
            p = p.mul_add(v, f64::from_bits(c));
        }
        let p = p * v;
        p.mul_add(w, n) + a
    } else {
        let b = a + 1.0;
        let (x, e0) = if (hi(b) as i32) < 0x0010_0000 {
            (b * f64::from_bits(0x4350_0000_0000_0000), -1077)
        } else {
            (b, -1023)
        };
        let ihi = hi(x);
        if ihi.wrapping_sub(1) < 0x7fef_ffff {
            log_kernel(ihi, lo(x), e0)
        } else {
            let q = x.mul_add(f64::INFINITY, f64::INFINITY);
            if f32::from_bits(ihi) == 0.0 {
                f64::NEG_INFINITY
            } else {
                q
            }
        }
    }
}

/// CUDA `log1p(x)` (libdevice `__nv_log1p`), uncontracted; see [`log1p_with`].
pub fn log1p(a: f64) -> f64 {
    log1p_with(a, false)
}

const SINPI_POLY: [u64; 7] = [
    0x3DE5_DB65_F978_5EBA,
    0xBE5A_E5F1_2CB0_D246,
    0x3EC7_1DE3_69AC_E392,
    0xBF2A_01A0_19DB_62A1,
    0x3F81_1111_1111_0818,
    0xBFC5_5555_5555_5554,
    0, // + 0.0
];
const COSPI_POLY: [u64; 8] = [
    0xBDA8_FF83_20FD_8164,
    0x3E21_EEA7_C1EF_8528,
    0xBE92_7E4F_8E06_E6D9,
    0x3EFA_01A0_19DD_BCE9,
    0xBF56_C16C_16C1_5D47,
    0x3FA5_5555_5555_5551,
    0xBFE0_0000_0000_0000, // -0.5
    0x3FF0_0000_0000_0000, // 1.0
];
const PI_HI: u64 = 0x4009_21FB_5444_2D18;
const PI_LO: u64 = 0x3CA1_A626_3314_5C07;

/// CUDA `sincospi(x)` = `(sin(pi x), cos(pi x))` (libdevice `__nv_sincospi`): bit-exact.
///
/// Algorithm (libdevice): `q = round(2x)` (ties away from zero), `r = x - q/2` in
/// [-1/4, 1/4]; `t = pi r` as `fma(r, pi_hi, r * pi_lo)`; minimax polynomials for sin and cos
/// of `t`; quadrant selection from `q`; exact zeros (with the sign of `x`) for integer `x`, and
/// `cos` returned as `c + 0.0`. Verified bit-identical to libdevice's bitcode on 2^26 inputs
/// (uniform in (0, 2), `curand_normal2_double` angles, arbitrary bit patterns) plus specials.
pub fn sincospi(a: f64) -> (f64, f64) {
    let x = if (hi(a) << 1) > 0x8680_0000 {
        a * 0.0
    } else {
        a
    };
    let twice = lohi(lo(x), hi(x).wrapping_add(0x0010_0000));
    let q = twice.round();
    let i = q as i64 as i32;
    let r = (-q).mul_add(0.5, x);
    let t = r.mul_add(f64::from_bits(PI_HI), r * f64::from_bits(PI_LO));
    let t2 = t * t;
    let mut c = t2.mul_add(f64::from_bits(COSPI_POLY[0]), f64::from_bits(COSPI_POLY[1]));
    for &k in &COSPI_POLY[2..] {
        c = c.mul_add(t2, f64::from_bits(k));
    }
    let mut s = t2.mul_add(f64::from_bits(SINPI_POLY[0]), f64::from_bits(SINPI_POLY[1]));
    for &k in &SINPI_POLY[2..] {
        s = s.mul_add(t2, f64::from_bits(k));
    }
    let s = s.mul_add(t, t);
    let (mut sn, mut cs) = if i & 1 == 0 { (s, c) } else { (c, -s) };
    if i & 2 != 0 {
        sn = -sn;
        cs = -cs;
    }
    if x == x.trunc() {
        sn = x * 0.0;
    }
    (sn, cs + 0.0)
}

const EXP_POLY: [u64; 10] = [
    0x3E5A_DE15_69CE_2BDF,
    0x3E92_8AF3_FCA2_13EA,
    0x3EC7_1DEE_6240_1315,
    0x3EFA_0199_7C89_EB71,
    0x3F2A_01A0_1476_1F65,
    0x3F56_C16C_1852_B7AF,
    0x3F81_1111_1112_2322,
    0x3FA5_5555_5555_02A1,
    0x3FC5_5555_5555_5511,
    0x3FE0_0000_0000_000B,
];

/// CUDA `exp(x)` (libdevice `__nv_exp`): bit-exact.
///
/// Algorithm (libdevice): `j = round(x log2 e)` with the 1.5·2^52 shifter, two-part
/// `r = x - j ln 2`, degree-11 polynomial, exponent added to the high word; the result is
/// scaled in two steps near the overflow/underflow limits and saturates to 0 / inf beyond
/// them. Verified bit-identical to libdevice's bitcode on 2^24 random doubles in [-750, 750]
/// and [-10, 10], plus infinities, NaN and the overflow/underflow edges.
pub fn exp(a: f64) -> f64 {
    let shifted = a.mul_add(
        f64::from_bits(0x3FF7_1547_652B_82FE),
        f64::from_bits(0x4338_0000_0000_0000),
    );
    let i = lo(shifted) as i32;
    let j = shifted + f64::from_bits(0xC338_0000_0000_0000);
    let r = j.mul_add(f64::from_bits(0xBFE6_2E42_FEFA_39EF), a);
    let r = j.mul_add(f64::from_bits(0xBC7A_BC9E_3B39_803F), r);
    let mut p = r.mul_add(f64::from_bits(EXP_POLY[0]), f64::from_bits(EXP_POLY[1]));
    for &c in &EXP_POLY[2..] {
        p = p.mul_add(r, f64::from_bits(c));
    }
    let p = p.mul_add(r, 1.0);
    let p = p.mul_add(r, 1.0);
    let ahi = f32::from_bits(hi(a) & 0x7fff_ffff);
    // `uge` comparisons: true when unordered (NaN high word) or greater-or-equal.
    if ahi.is_nan() || ahi >= f32::from_bits(0x4086_232b) {
        let z = if a < 0.0 { 0.0 } else { a + f64::INFINITY };
        if ahi.is_nan() || ahi >= f32::from_bits(0x4087_4800) {
            return z;
        }
        let i1 = i / 2;
        let z1 = lohi(lo(p), hi(p).wrapping_add((i1 << 20) as u32));
        let s = lohi(0, (((i - i1) << 20) + 0x3ff0_0000) as u32);
        z1 * s
    } else {
        lohi(lo(p), hi(p).wrapping_add((i << 20) as u32))
    }
}

const TAN_POLY: [u64; 15] = [
    0x3EE4_8DAC_2799_BCB9,
    0xBEF9_757C_5B27_EBB1,
    0x3F09_80E9_0FD9_1E04,
    0xBEFA_E2B0_417D_7E1D,
    0x3F11_9F53_41BF_BA57,
    0x3F15_E791_A00F_6919,
    0x3F2F_F2E7_FADE_C73A,
    0x3F43_4BC1_B206_DA62,
    0x3F57_DB18_EF2F_83F9,
    0x3F6D_6D2E_7AE4_9FBC,
    0x3F82_26E3_A816_A776,
    0x3F96_64F4_85D2_5660,
    0x3FAB_A1BA_1BAB_F31D,
    0x3FC1_1111_1111_05D2,
    0x3FD5_5555_5555_555E,
];

/// CUDA `tan(x)` (libdevice `__nv_tan`) for |x| < 2^31: bit-exact; `None` for larger |x|
/// (libdevice's Payne-Hanek slow path is not reproduced; PyTorch's `cauchy_` only passes
/// |x| <= pi/2).
///
/// Algorithm (libdevice): `k = rint(x · 2/pi)`, three-part Cody-Waite reduction, odd
/// polynomial for tan, and for odd `k` the Newton-refined `-1/tan`. Verified bit-identical to
/// libdevice's bitcode on 2^24 random doubles (3/4 in [-pi/2, pi/2], 1/4 in [-1e6, 1e6]), for
/// every `rcp.approx` seed model tried.
pub fn tan(a: f64) -> Option<f64> {
    let (z, k) = if a.is_infinite() {
        (a * 0.0, 0i32)
    } else {
        if a.abs() >= f64::from_bits(0x41E0_0000_0000_0000) || a.is_nan() {
            if a.is_nan() {
                return Some(a);
            }
            return None;
        }
        let kf = (a * f64::from_bits(0x3FE4_5F30_6DC9_C883)).round_ties_even();
        let k = kf as i32;
        let kd = f64::from(k);
        let z = (-kd).mul_add(f64::from_bits(0x3FF9_21FB_5444_2D18), a);
        let z = (-kd).mul_add(f64::from_bits(0x3C91_A626_3314_5C00), z);
        let z = (-kd).mul_add(f64::from_bits(0x397B_839A_2520_49C0), z);
        (z, k)
    };
    let z2 = z * z;
    let mut p = z2.mul_add(f64::from_bits(TAN_POLY[0]), f64::from_bits(TAN_POLY[1]));
    for &c in &TAN_POLY[2..] {
        p = p.mul_add(z2, f64::from_bits(c));
    }
    let p = p * z2;
    let t = p.mul_add(z, z);
    if k & 1 == 0 {
        return Some(t);
    }
    let tail = p.mul_add(z, -(t - z));
    let r0 = rcp_approx_ftz_f64(t);
    let e = (-t).mul_add(r0, 1.0);
    let e = e.mul_add(e, e);
    let r = e.mul_add(r0, r0);
    let nr = -r;
    let e2 = t.mul_add(nr, 1.0);
    let e2 = nr.mul_add(tail, e2);
    Some(e2.mul_add(nr, nr))
}

/// `1/(2 pi)` as the float constant of the `FMUL.RZ` that precedes `MUFU.SIN`/`MUFU.COS`.
const INV_2PI_F: u32 = 0x3e22_f983;

/// Round-toward-zero float product (`FMUL.RZ`): the exact product of two floats fits in a
/// double, which is then truncated to float.
#[inline]
pub fn fmul_rz(a: f32, b: f32) -> f32 {
    let p = f64::from(a) * f64::from(b);
    let r = p as f32;
    if r.is_infinite() && p.is_finite() {
        return f32::MAX.copysign(r);
    }
    if f64::from(r).abs() > p.abs() {
        f32::from_bits(r.to_bits() - 1)
    } else {
        r
    }
}

/// Model of `sin.approx.f32` / `cos.approx.f32` on one argument, as `__sincosf` compiles:
/// `t = FMUL.RZ(x, 1/(2 pi))`, then the correctly rounded `sin(2 pi t)`, `cos(2 pi t)`
/// ([`sincos_2pi_f32`]). **Bounded**, not bit-exact: the MUFU interpolation error
/// (documented: |error| <= 2^-21.41 for sin, 2^-21.19 for cos on [-pi, pi]) is not public, so
/// |model - GPU| <= 2^-21.19 + 2^-25 on that range; PyTorch's Box-Muller angles lie in
/// (0, 2 pi], where the hardware, which works in revolutions `t`, has the same error.
#[inline]
pub fn fast_sincosf(x: f32) -> (f32, f32) {
    if !x.is_finite() {
        return (f32::NAN, f32::NAN);
    }
    sincos_2pi_f32(fmul_rz(x, f32::from_bits(INV_2PI_F)))
}

/// [`fast_sincosf`] without branches for SIMD lanes: the flag is false when the result must
/// be recomputed with [`fast_sincosf`] (non-finite `x`, or a rounding the fast path cannot
/// settle, about 1 in 4 million).
#[inline(always)]
pub fn fast_sincosf_lane<Op: FmaOp>(op: &mut Op, x: f32) -> (f32, f32, bool) {
    let (s, c, sure) = sincos_2pi_f32_fast_with(op, fmul_rz(x, f32::from_bits(INV_2PI_F)));
    (s, c, sure && x.is_finite())
}

/// `(sin(2 pi t), cos(2 pi t))`, each correctly rounded to float, for finite `t` (exact
/// zeros as +0).
///
/// Fast path [`sincos_2pi_f32_fast`] (double precision, branch-free, vectorisable); the rare
/// results it cannot round with certainty go through [`sincos_2pi_f32_exact`].
#[inline]
pub fn sincos_2pi_f32(t: f32) -> (f32, f32) {
    let (s, c, sure) = sincos_2pi_f32_fast(t);
    if sure {
        (s, c)
    } else {
        sincos_2pi_f32_exact(t)
    }
}

/// `1/n!` for the Taylor series of sin and cos on |a| <= pi/4, n = 2..=17.
const INV_FACT: [f64; 16] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362880.0,
    1.0 / 3628800.0,
    1.0 / 39916800.0,
    1.0 / 479001600.0,
    1.0 / 6227020800.0,
    1.0 / 87178291200.0,
    1.0 / 1307674368000.0,
    1.0 / 20922789888000.0,
    1.0 / 355687428096000.0,
];

/// Whether rounding the double `d` to float is certain although `d` may be off the true value
/// by up to [`SINCOS_MARGIN`] units in its last place: its 29 dropped bits are not within
/// that margin of the half-way pattern, and the result is a normal float (or exactly zero).
#[inline(always)]
fn rounds_surely(d: f64) -> bool {
    let low = (d.to_bits() & 0x1fff_ffff) as i64;
    let a = d.abs();
    (low - 0x1000_0000).abs() > SINCOS_MARGIN && (a >= 1.1754943508222875e-38 || a == 0.0)
}

/// Error allowance of [`sincos_2pi_f32_fast`] in units in the last place of the double result:
/// the reduction is exact, `a = r * pi/2` is rounded once, the Taylor sums (terms up to
/// a^17/17!, truncation < 2^-56 relative on |a| <= pi/4) carry a few roundings, so the error
/// is under 8 ulps; 64 leaves a wide margin. About 1 result in 4 million is re-done exactly.
const SINCOS_MARGIN: i64 = 64;

/// [`sincos_2pi_f32`] in double precision without branches: reduce in quarter turns
/// (`4t = q + r`, exact, |r| <= 1/2), Taylor series of sin and cos at `a = r pi/2` with plain
/// multiplies and adds (the same bits with or without hardware FMA), rotate by the quadrant,
/// round to float. The flag is false when either rounding is not certain (see
/// [`rounds_surely`]) or `t` is not finite.
#[inline(always)]
pub fn sincos_2pi_f32_fast(t: f32) -> (f32, f32, bool) {
    sincos_2pi_f32_fast_with(&mut super::cpu::Exact, t)
}

/// [`sincos_2pi_f32_fast`] with the Horner steps through `op.mul_add_approx` (fused on
/// processors with FMA: fewer instructions, a different double but an error under the same
/// bound, so the same float results whenever the flag is set).
#[inline(always)]
pub fn sincos_2pi_f32_fast_with<Op: FmaOp>(op: &mut Op, t: f32) -> (f32, f32, bool) {
    let y = f64::from(t) * 4.0;
    let q = y.round_ties_even();
    let r = y - q;
    let quad = q - 4.0 * (q * 0.25).floor();
    let a = r * std::f64::consts::FRAC_PI_2;
    let a2 = a * a;
    let mut h = |p: f64, c: f64| op.mul_add_approx(p, a2, c);
    // a - a^3/3! + a^5/5! - ... + a^17/17! and 1 - a^2/2! + a^4/4! - ... + a^16/16!
    let mut ps = INV_FACT[15];
    let mut pc = INV_FACT[14];
    for i in (0..7).rev() {
        let sign = if i % 2 == 0 { -1.0 } else { 1.0 };
        ps = h(ps, sign * INV_FACT[2 * i + 1]);
        pc = h(pc, sign * INV_FACT[2 * i]);
    }
    let cos_a = h(pc, 1.0);
    let sin_a = op.mul_add_approx(a * a2, ps, a);
    // sin(pi/2 (q + r)) and cos(...) by quadrant q mod 4.
    let (s, c) = if quad == 0.0 {
        (sin_a, cos_a)
    } else if quad == 1.0 {
        (cos_a, -sin_a)
    } else if quad == 2.0 {
        (-sin_a, -cos_a)
    } else {
        (-cos_a, sin_a)
    };
    let sure = rounds_surely(s) && rounds_surely(c) && y.is_finite();
    // Exact zeros (sin at half turns, cos at quarter turns) come out as +0.
    ((s + 0.0) as f32, (c + 0.0) as f32, sure)
}
/// Double-double number `hi + lo`, `|lo| <= ulp(hi) / 2`.
#[derive(Clone, Copy)]
struct Dd(f64, f64);

impl Dd {
    #[inline]
    fn two_sum(a: f64, b: f64) -> Dd {
        let s = a + b;
        let bb = s - a;
        Dd(s, (a - (s - bb)) + (b - bb))
    }

    #[inline]
    fn add(self, o: Dd) -> Dd {
        let s = Dd::two_sum(self.0, o.0);
        let t = Dd::two_sum(self.1, o.1);
        let hi = Dd::two_sum(s.0, s.1 + t.0);
        Dd::two_sum(hi.0, hi.1 + t.1)
    }

    #[inline]
    fn mul(self, o: Dd) -> Dd {
        let p = self.0 * o.0;
        let e = self.0.mul_add(o.0, -p);
        Dd::two_sum(p, e + (self.0 * o.1 + self.1 * o.0))
    }

    /// `self / d` for a double `d` (two quotient digits).
    #[inline]
    fn div_f64(self, d: f64) -> Dd {
        let q1 = self.0 / d;
        let r = (-q1).mul_add(d, self.0) + self.1;
        Dd::two_sum(q1, r / d)
    }

    fn neg(self) -> Dd {
        Dd(-self.0, -self.1)
    }

    /// `hi + lo` correctly rounded to float (`hi` alone decides unless it is exactly half-way
    /// between two floats, where the sign of `lo` breaks the tie). Normal-range results only.
    fn to_f32(self) -> f32 {
        let r = self.0 as f32;
        if self.0.to_bits() & 0x1fff_ffff != 0x1000_0000 || self.1 == 0.0 {
            return r;
        }
        // hi is a float midpoint: round toward lo's side.
        // Neighbours of r by magnitude (r is a nonzero normal float here).
        let (toward_zero, away) = if f64::from(r).abs() < self.0.abs() {
            (r, f32::from_bits(r.to_bits() + 1))
        } else {
            (f32::from_bits(r.to_bits() - 1), r)
        };
        let (below, above) = if self.0 > 0.0 {
            (toward_zero, away)
        } else {
            (away, toward_zero)
        };
        if (self.1 > 0.0) == (self.0 > 0.0) {
            if self.0 > 0.0 {
                above
            } else {
                below
            }
        } else if self.0 > 0.0 {
            below
        } else {
            above
        }
    }
}

/// [`sincos_2pi_f32`] through double-double arithmetic (~2^-100 relative): the same exact
/// reduction as [`sincos_2pi_f32_fast`], `a = r (pi/2)` with pi/2 to 107 bits, Taylor series
/// of sin and cos to a^27/27!, then one correct rounding to float. Slow; used for the few
/// results the fast path cannot settle.
pub fn sincos_2pi_f32_exact(t: f32) -> (f32, f32) {
    if !t.is_finite() {
        return (f32::NAN, f32::NAN);
    }
    let y = f64::from(t) * 4.0;
    let q = y.round_ties_even();
    let r = y - q;
    let quad = q - 4.0 * (q * 0.25).floor();
    // pi/2 = 0x3FF921FB54442D18 + 0x3C91A62633145C07 (+ < 2^-107).
    let half_pi = Dd(
        f64::from_bits(0x3FF9_21FB_5444_2D18),
        f64::from_bits(0x3C91_A626_3314_5C07),
    );
    let a = Dd(r, 0.0).mul(half_pi);
    let a2 = a.mul(a);
    // Terms a^n / n!, summed from the smallest upwards.
    let mut sin_terms = [Dd(0.0, 0.0); 14];
    let mut cos_terms = [Dd(0.0, 0.0); 14];
    let (mut ts, mut tc) = (a, Dd(1.0, 0.0));
    for k in 0..14 {
        sin_terms[k] = if k % 2 == 0 { ts } else { ts.neg() };
        cos_terms[k] = if k % 2 == 0 { tc } else { tc.neg() };
        let n = 2.0 * k as f64;
        ts = ts.mul(a2).div_f64((n + 2.0) * (n + 3.0));
        tc = tc.mul(a2).div_f64((n + 1.0) * (n + 2.0));
    }
    let sum = |terms: &[Dd; 14]| terms.iter().rev().fold(Dd(0.0, 0.0), |acc, &x| acc.add(x));
    let (sin_a, cos_a) = (sum(&sin_terms), sum(&cos_terms));
    let (s, c) = if quad == 0.0 {
        (sin_a, cos_a)
    } else if quad == 1.0 {
        (cos_a, sin_a.neg())
    } else if quad == 2.0 {
        (sin_a.neg(), cos_a.neg())
    } else {
        (cos_a.neg(), sin_a)
    };
    (s.to_f32() + 0.0, c.to_f32() + 0.0)
}

/// Model of CUDA `__logf(x)` = `lg2.approx.f32(x) * 0.693147182f` (libdevice
/// `__nv_fast_logf`): the correctly rounded log2 followed by the exact float multiply.
/// **Bounded**: |GPU - model| <= 2^-21.41 absolute for x in [0.5, 2] (documented), 3 ulp
/// elsewhere. `x == 0 -> -inf`, `x < 0 -> NaN`.
pub fn fast_logf(x: f32) -> f32 {
    let l2 = if x == 0.0 {
        f32::NEG_INFINITY
    } else if x < 0.0 || x.is_nan() {
        f32::NAN
    } else {
        f64::from(x).log2() as f32
    };
    l2 * f32::from_bits(LN2_F)
}

/// Model of CUDA `__expf(x)` = `ex2.approx.f32(x * 1.44269502f)` (libdevice
/// `__nv_fast_expf`): the float product is exact-as-GPU, then the correctly rounded 2^t.
/// **Bounded**: documented max error 2 + floor(|1.173 x|) ulp.
pub fn fast_expf(x: f32) -> f32 {
    let t = x * f32::from_bits(0x3fb8_aa3b);
    f64::from(t).exp2() as f32
}

/// Model of CUDA `__tanf(x)` = `div.approx(sin.approx(x), cos.approx(x))` (libdevice
/// `__nv_fast_tanf`). **Bounded** only relatively: each factor carries the `__sinf`/`__cosf`
/// absolute error, so the relative error grows like 2^-21.2 (1/|sin| + 1/|cos|) near the
/// poles, plus 2 ulp for `div.approx`.
pub fn fast_tanf(x: f32) -> f32 {
    let (s, c) = fast_sincosf(x);
    (f64::from(s) / f64::from(c)) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values printed by libdevice's own bitcode (`__nv_*`, compiled for x86-64 with
    // llc 14, non-FTZ path) on this host: (input bits, output bits).
    #[test]
    fn logf_reference_points() {
        for (x, want) in [
            (0.5f32, -std::f32::consts::LN_2),
            (1.0, 0.0),
            (2.0, std::f32::consts::LN_2),
        ] {
            assert_eq!(logf(x).to_bits(), want.to_bits(), "logf({x})");
        }
        assert_eq!(logf(0.0), f32::NEG_INFINITY);
        assert!(logf(-1.0).is_nan());
        assert_eq!(logf(f32::INFINITY), f32::INFINITY);
    }

    #[test]
    fn sincospi_special() {
        assert_eq!(sincospi(0.5), (1.0, 0.0));
        assert_eq!(sincospi(1.0).0.to_bits(), 0.0f64.to_bits());
        assert_eq!(sincospi(1.0).1, -1.0);
        assert_eq!(sincospi(2.5), (1.0, 0.0));
    }

    #[test]
    fn sincos_2pi_fast_path_is_correctly_rounded() {
        // Every float angle the Box-Muller kernel can produce is t in (0, 1]; sample them
        // densely plus quarter-turn edges and some large and negative arguments, and check the
        // fast path (with its fallback) against the double-double evaluation.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut unsure = 0u32;
        let es_bits = |t: f32| {
            let (s, c) = sincos_2pi_f32_exact(t);
            (s.to_bits(), c.to_bits())
        };
        let mut check = |t: f32| {
            let (fs, fc, sure) = sincos_2pi_f32_fast(t);
            let (hs, hc, hsure) = sincos_2pi_f32_fast_with(&mut crate::math::cpu::Hw, t);
            if hsure {
                assert_eq!(
                    (hs.to_bits(), hc.to_bits()),
                    (es_bits(t).0, es_bits(t).1),
                    "fused, t = {t:e}"
                );
            }
            let (es, ec) = sincos_2pi_f32_exact(t);
            if sure {
                assert_eq!(
                    (fs.to_bits(), fc.to_bits()),
                    (es.to_bits(), ec.to_bits()),
                    "t = {t:e}"
                );
            } else if t.abs() >= 1e-30 {
                // (Results below float's normal range are always re-done exactly.)
                unsure += 1;
            }
            let (s, c) = sincos_2pi_f32(t);
            assert_eq!(
                (s.to_bits(), c.to_bits()),
                (es.to_bits(), ec.to_bits()),
                "t = {t:e}"
            );
            // And close to the double-precision libm value.
            let (ls, lc) = (f64::from(t) * std::f64::consts::TAU).sin_cos();
            if t.abs() <= 2.0 {
                assert!((f64::from(s) - ls).abs() <= 6e-8 && (f64::from(c) - lc).abs() <= 6e-8);
            }
        };
        for _ in 0..400_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = ((x >> 40) as f32 + 0.5) / 16_777_216.0;
            check(t);
            check(f32::from_bits((x as u32) & 0x3f7f_ffff));
        }
        for k in 0..=8 {
            let q = k as f32 * 0.125;
            for t in [q, q.next_up(), q.next_down(), -q, q + 1000.0, q * 3.0e7] {
                check(t);
            }
        }
        check(1e-30);
        check(f32::MAX);
        check(-f32::MAX);
        assert!(unsure < 20, "{unsure} unsure results");
    }

    #[test]
    fn fmul_rz_truncates() {
        let a = 1.0f32 + f32::EPSILON;
        let p = fmul_rz(a, a);
        assert_eq!(p, 1.0 + 2.0 * f32::EPSILON);
        assert!(fmul_rz(3.0, 1.0 / 3.0) <= 1.0);
    }
}
