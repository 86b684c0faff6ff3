// Philox4x32-10 with cuRAND's device-API semantics, written for seedbridge.
//
// Mirrors (read, not copied) cuRAND's `curand_philox4x32_x.h`, `curand_kernel.h`
// (`curand_init`, `skipahead`, `skipahead_sequence`, `curand`, `curand4` for
// `curandStatePhilox4_32_10_t`), `curand_uniform.h` (`_curand_uniform`,
// `_curand_uniform_double_hq`) and `curand_normal.h` (`_curand_box_muller`,
// `_curand_box_muller_double`), and the Rust reference `src/engine/philox4x32.rs` /
// `src/torch/cuda.rs` of this crate bit for bit.
//
// Self-contained: no system headers (NVRTC). The same text compiles as host C++ behind
// `host_shim.h`, which defines the CUDA qualifiers, built-in variables and intrinsics used here.
//
// Floating-point contractions are written out: every `a * b + c` that nvcc's default `-fmad=true`
// fuses in cuRAND/PyTorch is an explicit `__fmaf_rn` / `__fma_rn` here, so device and host
// builds evaluate the same operations whatever the compiler's contraction setting.

#pragma once

#define SB_DEV __device__ __forceinline__
#define SB_DEVM __device__ __forceinline__

typedef unsigned int sb_u32;
typedef unsigned long long sb_u64;
typedef long long sb_i64;

struct sb_u32x4 {
    sb_u32 x, y, z, w;
};

// ------------------------------------------------------------------------------------------
// The bijection (Random123 philox4x32_10 == cuRAND curand_Philox4x32_10)
// ------------------------------------------------------------------------------------------

#define SB_PHILOX_M0 0xD2511F53u
#define SB_PHILOX_M1 0xCD9E8D57u
#define SB_PHILOX_W0 0x9E3779B9u
#define SB_PHILOX_W1 0xBB67AE85u

SB_DEV sb_u32x4 sb_philox_round(sb_u32x4 c, sb_u32 k0, sb_u32 k1) {
    const sb_u64 p0 = (sb_u64)SB_PHILOX_M0 * (sb_u64)c.x;
    const sb_u64 p1 = (sb_u64)SB_PHILOX_M1 * (sb_u64)c.z;
    sb_u32x4 r;
    r.x = (sb_u32)(p1 >> 32) ^ c.y ^ k0;
    r.y = (sb_u32)p1;
    r.z = (sb_u32)(p0 >> 32) ^ c.w ^ k1;
    r.w = (sb_u32)p0;
    return r;
}

// Ten rounds; the key is bumped by the Weyl constants between rounds (never before the first).
SB_DEV sb_u32x4 sb_philox4x32_10(sb_u32x4 c, sb_u32 k0, sb_u32 k1) {
    c = sb_philox_round(c, k0, k1);
#pragma unroll
    for (int i = 1; i < 10; i++) {
        k0 += SB_PHILOX_W0;
        k1 += SB_PHILOX_W1;
        c = sb_philox_round(c, k0, k1);
    }
    return c;
}

// ------------------------------------------------------------------------------------------
// curandStatePhilox4_32_10_t (the Box-Muller caches are not needed: PyTorch only calls the
// 4-wide and 2-wide generators)
// ------------------------------------------------------------------------------------------

struct sb_philox {
    sb_u32x4 ctr;
    sb_u32x4 output;
    sb_u32 k0, k1;
    sb_u32 state;  // cuRAND's STATE: next word of `output` that curand() returns
};

// Philox_State_Incr(s, n): add n to (x, y), carrying into z and w with cuRAND's exact carry test
// (`if (nhi <= ctr.y) return;`).
SB_DEV void sb_incr_n(sb_philox* s, sb_u64 n) {
    const sb_u32 nlo = (sb_u32)n;
    sb_u32 nhi = (sb_u32)(n >> 32);
    s->ctr.x += nlo;
    if (s->ctr.x < nlo) nhi++;
    s->ctr.y += nhi;
    if (nhi <= s->ctr.y) return;
    if (++s->ctr.z) return;
    ++s->ctr.w;
}

// Philox_State_Incr_hi(s, n): add n to (z, w).
SB_DEV void sb_incr_hi(sb_philox* s, sb_u64 n) {
    const sb_u32 nlo = (sb_u32)n;
    sb_u32 nhi = (sb_u32)(n >> 32);
    s->ctr.z += nlo;
    if (s->ctr.z < nlo) nhi++;
    s->ctr.w += nhi;
}

// Philox_State_Incr(s): 128-bit increment by one.
SB_DEV void sb_incr(sb_philox* s) {
    if (++s->ctr.x) return;
    if (++s->ctr.y) return;
    if (++s->ctr.z) return;
    ++s->ctr.w;
}

SB_DEV void sb_refresh(sb_philox* s) { s->output = sb_philox4x32_10(s->ctr, s->k0, s->k1); }

// skipahead(n, state): skip n 32-bit outputs.
SB_DEV void sb_skipahead(sb_u64 n, sb_philox* s) {
    s->state += (sb_u32)(n & 3);
    n /= 4;
    if (s->state > 3) {
        n += 1;
        s->state -= 4;
    }
    sb_incr_n(s, n);
    sb_refresh(s);
}

// skipahead_sequence(n, state): skip n subsequences of 2^66 outputs.
SB_DEV void sb_skipahead_sequence(sb_u64 n, sb_philox* s) {
    sb_incr_hi(s, n);
    sb_refresh(s);
}

// curand_init(seed, subsequence, offset, &state).
SB_DEV void sb_curand_init(sb_u64 seed, sb_u64 subsequence, sb_u64 offset, sb_philox* s) {
    s->ctr.x = 0;
    s->ctr.y = 0;
    s->ctr.z = 0;
    s->ctr.w = 0;
    s->k0 = (sb_u32)seed;
    s->k1 = (sb_u32)(seed >> 32);
    s->state = 0;
    sb_skipahead_sequence(subsequence, s);
    sb_skipahead(offset, s);
}

// curand(state): the next 32-bit word.
SB_DEV sb_u32 sb_curand(sb_philox* s) {
    sb_u32 ret;
    switch (s->state) {
        case 0: ret = s->output.x; break;
        case 1: ret = s->output.y; break;
        case 2: ret = s->output.z; break;
        default: ret = s->output.w; break;
    }
    s->state++;
    if (s->state == 4) {
        sb_incr(s);
        sb_refresh(s);
        s->state = 0;
    }
    return ret;
}

// curand4(state): the next four words (a window over two blocks when STATE != 0; the counter
// advances by one block either way).
SB_DEV sb_u32x4 sb_curand4(sb_philox* s) {
    const sb_u32x4 tmp = s->output;
    sb_incr(s);
    sb_refresh(s);
    const sb_u32x4 o = s->output;
    sb_u32x4 r;
    switch (s->state) {
        case 1: r.x = tmp.y; r.y = tmp.z; r.z = tmp.w; r.w = o.x; break;
        case 2: r.x = tmp.z; r.y = tmp.w; r.z = o.x; r.w = o.y; break;
        case 3: r.x = tmp.w; r.y = o.x; r.z = o.y; r.w = o.z; break;
        default: r = tmp; break;
    }
    return r;
}

// ------------------------------------------------------------------------------------------
// Conversions (curand_uniform.h, curand_normal.h)
// ------------------------------------------------------------------------------------------

// CURAND_2POW32_INV = 2^-32 exactly; CURAND_2POW53_INV_DOUBLE = 2^-53 exactly.
#define SB_2POW32_INV 2.3283064365386963e-10f
#define SB_2POW53_INV_DOUBLE 1.1102230246251565e-16
// CURAND_2POW32_INV_2PI = 2.3283064e-10f * 6.2831855f: 2^-32 times 2pi rounded to float (exact).
#define SB_2POW32_INV_2PI (2.3283064365386963e-10f * 6.2831855f)

// _curand_uniform(x) = x * 2^-32 + 2^-33: the product is exact, so fused and unfused agree.
SB_DEV float sb_uniform_f32(sb_u32 x) {
    return __fmaf_rn((float)x, SB_2POW32_INV, SB_2POW32_INV / 2.0f);
}

// _curand_uniform_double_hq(x, y) = (x ^ (y << 21)) * 2^-53 + 2^-54.
SB_DEV double sb_uniform_double_hq(sb_u32 x, sb_u32 y) {
    const sb_u64 z = (sb_u64)x ^ ((sb_u64)y << (53 - 32));
    return __fma_rn((double)z, SB_2POW53_INV_DOUBLE, SB_2POW53_INV_DOUBLE / 2.0);
}

struct sb_f32x4 {
    float v[4];
};
struct sb_f64x2 {
    double v[2];
};
struct sb_u64x2 {
    sb_u64 v[2];
};

// curand_uniform4 on an already drawn block.
SB_DEV sb_f32x4 sb_uniform4(sb_u32x4 r) {
    sb_f32x4 o;
    o.v[0] = sb_uniform_f32(r.x);
    o.v[1] = sb_uniform_f32(r.y);
    o.v[2] = sb_uniform_f32(r.z);
    o.v[3] = sb_uniform_f32(r.w);
    return o;
}

// curand_uniform2_double on an already drawn block.
SB_DEV sb_f64x2 sb_uniform2_double(sb_u32x4 r) {
    sb_f64x2 o;
    o.v[0] = sb_uniform_double_hq(r.x, r.y);
    o.v[1] = sb_uniform_double_hq(r.z, r.w);
    return o;
}

// The 64-bit draws of PyTorch's random kernels: ulonglong2 (x << 32 | y, z << 32 | w).
SB_DEV sb_u64x2 sb_u64pair(sb_u32x4 r) {
    sb_u64x2 o;
    o.v[0] = ((sb_u64)r.x << 32) | r.y;
    o.v[1] = ((sb_u64)r.z << 32) | r.w;
    return o;
}

// _curand_box_muller(x, y), device branch: logf (libdevice), IEEE sqrtf, __sincosf (MUFU).
SB_DEV void sb_box_muller(sb_u32 x, sb_u32 y, float* a, float* b) {
    const float u = __fmaf_rn((float)x, SB_2POW32_INV, SB_2POW32_INV / 2.0f);
    const float v = __fmaf_rn((float)y, SB_2POW32_INV_2PI, SB_2POW32_INV_2PI / 2.0f);
    const float s = sqrtf(-2.0f * logf(u));
    float sn, cs;
    __sincosf(v, &sn, &cs);
    *a = sn * s;
    *b = cs * s;
}

// curand_normal4 on an already drawn block: (s_xy sin, s_xy cos, s_zw sin, s_zw cos).
SB_DEV sb_f32x4 sb_normal4(sb_u32x4 r) {
    sb_f32x4 o;
    sb_box_muller(r.x, r.y, &o.v[0], &o.v[1]);
    sb_box_muller(r.z, r.w, &o.v[2], &o.v[3]);
    return o;
}

// _curand_box_muller_double(x0, x1, y0, y1), device branch: log, sqrt, sincospi (libdevice).
SB_DEV sb_f64x2 sb_normal2_double(sb_u32x4 r) {
    const sb_u64 zx = (sb_u64)r.x ^ ((sb_u64)r.y << (53 - 32));
    const double u = __fma_rn((double)zx, SB_2POW53_INV_DOUBLE, SB_2POW53_INV_DOUBLE / 2.0);
    const sb_u64 zy = (sb_u64)r.z ^ ((sb_u64)r.w << (53 - 32));
    const double v = __fma_rn((double)zy, SB_2POW53_INV_DOUBLE * 2.0, SB_2POW53_INV_DOUBLE);
    const double s = sqrt(-2.0 * log(u));
    double sn, cs;
    sincospi(v, &sn, &cs);
    sb_f64x2 o;
    o.v[0] = sn * s;
    o.v[1] = cs * s;
    return o;
}
