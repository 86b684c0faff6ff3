// PyTorch's CUDA random kernels, written for seedbridge (entry points `<dist>_<dtype>`).
//
// Reproduces, bit for bit, what torch's kernels write (read, not copied):
// * aten/src/ATen/native/cuda/DistributionTemplates.h: `distribution_elementwise_grid_stride_kernel`
//   (grid-stride loop, block 256, `curand_init(seed, idx, offset)`, one dist_func call per round,
//   component `ii` of round r to element `idx + T * (r * unroll + ii)`), `uniform_kernel`,
//   `normal_kernel`, `log_normal_kernel`, `random_from_to_kernel`, `random_full_64_bits_range_kernel`,
//   `random_kernel`, `bernoulli_kernel` (scalar p), `exponential_kernel`, `geometric_kernel`,
//   `cauchy_kernel`, `bernoulli_tensor_cuda_kernel` (CUDA_tensor_apply2, 512 threads, step 4);
// * aten/src/ATen/core/TransformationHelper.h (the transformations) and ATen/NumericUtils.h
//   (`at::log/exp/tan/log1p` = `__logf/__expf/__tanf/__logf(1 + x)` for float on the device).
//
// Every entry point has the same signature (the host launches them uniformly):
//   (void* out, const void* aux, long long numel, unsigned long long seed,
//    unsigned long long offset, double a, double b, unsigned long long range, long long base)
// `out` is the contiguous output of one launch (one 32-bit sub-iterator of torch); `aux` is the
// probability tensor of bernoulli_tensor_* (float, or double for a double output), else unused;
// (a, b) are the op's real parameters (from/to, mean/std, lambda, p, median/sigma); (range, base)
// are random_from_to's. The host passes torch's `philox_cuda_state` (seed, offset) and launches the
// grid torch's `calc_execution_policy` computes from the device's SM count.
//
// Contractions nvcc performs under its default -fmad=true (`rand * range + from`,
// `val * std + mean`, `median + sigma * tan(...)`) are explicit fused multiply-adds.

#include "philox.cuh"

// ------------------------------------------------------------------------------------------
// Output storage types and torch's static_cast<scalar_t>(...) conversions
// ------------------------------------------------------------------------------------------

struct sb_half {
    unsigned short bits;
};
struct sb_bf16 {
    unsigned short bits;
};
struct sb_bool {
    unsigned char v;
};

// float -> IEEE binary16, round to nearest even (c10::Half(float) / __float2half; NaN -> 0x7fff).
SB_DEV unsigned short sb_f32_to_f16(float f) {
    const sb_u32 x = __float_as_uint(f);
    const sb_u32 sign = (x >> 16) & 0x8000u;
    const sb_u32 ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return 0x7fffu;
    if (ax >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u);  // >= 65520: inf
    if (ax >= 0x38800000u) {                                            // normal half
        const sb_u32 r = ax + 0xfffu + ((ax >> 13) & 1u);
        return (unsigned short)(sign | ((r - 0x38000000u) >> 13));
    }
    if (ax <= 0x33000000u) return (unsigned short)sign;  // <= 2^-25: rounds to zero
    const sb_u32 e = ax >> 23;
    const sb_u32 m = (ax & 0x7fffffu) | 0x800000u;
    const sb_u32 shift = 126u - e;  // 14..24
    sb_u32 r = m >> shift;
    const sb_u32 rem = m & ((1u << shift) - 1u);
    const sb_u32 halfway = 1u << (shift - 1u);
    if (rem > halfway || (rem == halfway && (r & 1u))) r++;
    return (unsigned short)(sign | r);
}

// float -> bfloat16, round to nearest even (c10::BFloat16(float); NaN -> 0x7fff).
SB_DEV unsigned short sb_f32_to_bf16(float f) {
    const sb_u32 x = __float_as_uint(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fffu;
    return (unsigned short)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

SB_DEV float sb_f16_to_f32(unsigned short h) {
    const sb_u32 sign = (sb_u32)(h & 0x8000u) << 16;
    const sb_u32 e = (h >> 10) & 0x1fu;
    sb_u32 m = h & 0x3ffu;
    if (e == 0x1fu) return __uint_as_float(sign | 0x7f800000u | (m << 13));
    if (e != 0) return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
    if (m == 0) return __uint_as_float(sign);
    // subnormal: m * 2^-24
    int k = 0;
    while (!(m & 0x400u)) {
        m <<= 1;
        k++;
    }
    return __uint_as_float(sign | ((sb_u32)(113 - k) << 23) | ((m & 0x3ffu) << 13));
}

SB_DEV float sb_bf16_to_f32(unsigned short h) { return __uint_as_float((sb_u32)h << 16); }

// float -> integer as PTX cvt.rzi.{s32,s64}.f32 does: truncate, saturate, NaN -> 0.
SB_DEV sb_i64 sb_f32_to_i64_sat(float f) {
    if (f != f) return 0;
    if (f >= 9.2233720368547758e18f) return 0x7fffffffffffffffLL;
    if (f <= -9.2233720368547758e18f) return (sb_i64)(-0x7fffffffffffffffLL - 1);
    return (sb_i64)f;
}
SB_DEV int sb_f32_to_i32_sat(float f) {
    if (f != f) return 0;
    if (f >= 2147483648.0f) return 0x7fffffff;
    if (f <= -2147483648.0f) return (int)(-0x7fffffff - 1);
    return (int)f;
}

// Conversion traits: from_f32 (accscalar float results), from_f64, from_i64 (random_ values
// through int64_t), from_u64 (random_() values), from_bool (bernoulli).
template <typename O>
struct sb_cvt;

template <>
struct sb_cvt<float> {
    SB_DEVM float from_f32(float v) const { return v; }
    SB_DEVM float from_f64(double v) const { return (float)v; }
    SB_DEVM float from_i64(sb_i64 v) const { return (float)v; }
    SB_DEVM float from_u64(sb_u64 v) const { return (float)v; }
    SB_DEVM float from_bool(bool v) const { return v ? 1.0f : 0.0f; }
    SB_DEVM float round_f32(float v) const { return v; }
};
template <>
struct sb_cvt<double> {
    SB_DEVM double from_f32(float v) const { return (double)v; }
    SB_DEVM double from_f64(double v) const { return v; }
    SB_DEVM double from_i64(sb_i64 v) const { return (double)v; }
    SB_DEVM double from_u64(sb_u64 v) const { return (double)v; }
    SB_DEVM double from_bool(bool v) const { return v ? 1.0 : 0.0; }
};
template <>
struct sb_cvt<sb_half> {
    SB_DEVM sb_half from_f32(float v) const {
        sb_half h;
        h.bits = sb_f32_to_f16(v);
        return h;
    }
    SB_DEVM sb_half from_f64(double v) const { return from_f32((float)v); }
    SB_DEVM sb_half from_i64(sb_i64 v) const { return from_f32((float)v); }
    SB_DEVM sb_half from_u64(sb_u64 v) const { return from_f32((float)v); }
    SB_DEVM sb_half from_bool(bool v) const { return from_f32(v ? 1.0f : 0.0f); }
    // static_cast<float>(static_cast<Half>(v))
    SB_DEVM float round_f32(float v) const { return sb_f16_to_f32(sb_f32_to_f16(v)); }
};
template <>
struct sb_cvt<sb_bf16> {
    SB_DEVM sb_bf16 from_f32(float v) const {
        sb_bf16 h;
        h.bits = sb_f32_to_bf16(v);
        return h;
    }
    SB_DEVM sb_bf16 from_f64(double v) const { return from_f32((float)v); }
    SB_DEVM sb_bf16 from_i64(sb_i64 v) const { return from_f32((float)v); }
    SB_DEVM sb_bf16 from_u64(sb_u64 v) const { return from_f32((float)v); }
    SB_DEVM sb_bf16 from_bool(bool v) const { return from_f32(v ? 1.0f : 0.0f); }
    SB_DEVM float round_f32(float v) const { return sb_bf16_to_f32(sb_f32_to_bf16(v)); }
};
template <>
struct sb_cvt<sb_bool> {
    SB_DEVM sb_bool mk(bool b) const {
        sb_bool o;
        o.v = b ? 1 : 0;
        return o;
    }
    SB_DEVM sb_bool from_f32(float v) const { return mk(v != 0.0f); }
    SB_DEVM sb_bool from_f64(double v) const { return mk(v != 0.0); }
    SB_DEVM sb_bool from_i64(sb_i64 v) const { return mk(v != 0); }
    SB_DEVM sb_bool from_u64(sb_u64 v) const { return mk(v != 0); }
    SB_DEVM sb_bool from_bool(bool v) const { return mk(v); }
};

// Integers: two's complement truncation from 64 bits; floats through a saturating truncation.
#define SB_INT_CVT(T, FROM_F32)                                           \
    template <>                                                           \
    struct sb_cvt<T> {                                                    \
        SB_DEVM T from_f32(float v) const { return (T)FROM_F32(v); }             \
        SB_DEVM T from_f64(double v) const { return (T)FROM_F32((float)v); }     \
        SB_DEVM T from_i64(sb_i64 v) const { return (T)v; }                      \
        SB_DEVM T from_u64(sb_u64 v) const { return (T)v; }                      \
        SB_DEVM T from_bool(bool v) const { return (T)(v ? 1 : 0); }             \
    };
SB_INT_CVT(signed char, sb_f32_to_i32_sat)
SB_INT_CVT(unsigned char, sb_f32_to_i32_sat)
SB_INT_CVT(short, sb_f32_to_i32_sat)
SB_INT_CVT(int, sb_f32_to_i32_sat)
SB_INT_CVT(long long, sb_f32_to_i64_sat)
SB_INT_CVT(unsigned short, sb_f32_to_i32_sat)
SB_INT_CVT(unsigned int, sb_f32_to_i64_sat)
SB_INT_CVT(unsigned long long, sb_f32_to_i64_sat)

// ------------------------------------------------------------------------------------------
// The grid-stride loop (distribution_elementwise_grid_stride_kernel)
// ------------------------------------------------------------------------------------------

// Draw: sb_u32x4 -> V with V::v[U]; Emit: (element index, component value).
template <int U, typename Draw, typename Emit>
SB_DEV void sb_grid_stride(sb_i64 numel, sb_u64 seed, sb_u64 offset, Draw draw, Emit emit) {
    const sb_i64 idx = ((sb_i64)blockIdx.x) * blockDim.x + threadIdx.x;
    sb_philox st;
    sb_curand_init(seed, (sb_u64)idx, offset, &st);
    // unsigned 32-bit products, as in torch (blockDim.x * gridDim.x * unroll_factor)
    const unsigned int threads = blockDim.x * gridDim.x;
    const unsigned int stride = threads * (unsigned int)U;
    const sb_i64 rounded = ((numel - 1) / stride + 1) * stride;
    for (sb_i64 li = idx; li < rounded; li += stride) {
        const auto vals = draw(sb_curand4(&st));
#pragma unroll
        for (int ii = 0; ii < U; ii++) {
            const sb_i64 e = li + (sb_i64)(threads * (unsigned int)ii);
            if (e < numel) emit(e, vals.v[ii]);
        }
    }
}

// dist_func of each kernel family, as functors (inlined into the loop).
struct sb_u32x4v {
    sb_u32 v[4];
};
struct sb_draw_uniform4_t {
    SB_DEVM sb_f32x4 operator()(sb_u32x4 r) const { return sb_uniform4(r); }
};
struct sb_draw_uniform2_double_t {
    SB_DEVM sb_f64x2 operator()(sb_u32x4 r) const { return sb_uniform2_double(r); }
};
struct sb_draw_normal4_t {
    SB_DEVM sb_f32x4 operator()(sb_u32x4 r) const { return sb_normal4(r); }
};
struct sb_draw_normal2_double_t {
    SB_DEVM sb_f64x2 operator()(sb_u32x4 r) const { return sb_normal2_double(r); }
};
struct sb_draw_u32_t {
    SB_DEVM sb_u32x4v operator()(sb_u32x4 r) const {
        sb_u32x4v o;
        o.v[0] = r.x;
        o.v[1] = r.y;
        o.v[2] = r.z;
        o.v[3] = r.w;
        return o;
    }
};
struct sb_draw_u64x2_t {
    SB_DEVM sb_u64x2 operator()(sb_u32x4 r) const { return sb_u64pair(r); }
};
#define sb_draw_uniform4 sb_draw_uniform4_t()
#define sb_draw_uniform2_double sb_draw_uniform2_double_t()
#define sb_draw_normal4 sb_draw_normal4_t()
#define sb_draw_normal2_double sb_draw_normal2_double_t()
#define sb_draw_u32 sb_draw_u32_t()
#define sb_draw_u64x2 sb_draw_u64x2_t()

#define SB_ARGS                                                                            \
    void *out_, const void *aux_, long long numel, unsigned long long seed,                \
        unsigned long long offset, double a, double b, unsigned long long range, long long base
#define SB_UNUSED_ARGS \
    (void)aux_;        \
    (void)a;           \
    (void)b;           \
    (void)range;       \
    (void)base

// ------------------------------------------------------------------------------------------
// uniform_kernel: value = (scalar_t)(u * range + from); value == to ? from : value
// ------------------------------------------------------------------------------------------

// f32 / f16 / bf16: opmath float; from/to are scalar_t (through float), range = (float)(to - from)
// computed in scalar_t.
template <typename O>
SB_DEV void sb_uniform_f(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double from_, double to_) {
    sb_cvt<O> c;
    const float from = c.round_f32((float)from_);
    const float to = c.round_f32((float)to_);
    const float range = c.round_f32(to - from);
    sb_grid_stride<4>(numel, seed, offset, sb_draw_uniform4, [=](sb_i64 e, float u) {
        const float v = __fmaf_rn(u, range, from);
        out[e] = c.round_f32(v) == to ? c.from_f32(from) : c.from_f32(v);
    });
}

SB_DEV void sb_uniform_d(double* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double from, double to) {
    const double range = to - from;
    sb_grid_stride<2>(numel, seed, offset, sb_draw_uniform2_double, [=](sb_i64 e, double u) {
        const double v = __fma_rn(u, range, from);
        out[e] = v == to ? from : v;
    });
}

// ------------------------------------------------------------------------------------------
// normal_kernel / log_normal_kernel: (scalar_t)(n * std + mean) [exp(...) for log_normal]
// ------------------------------------------------------------------------------------------

template <typename O, bool LOG>
SB_DEV void sb_normal_f(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double mean_, double std_) {
    sb_cvt<O> c;
    const float mean = (float)mean_;
    const float sd = (float)std_;
    sb_grid_stride<4>(numel, seed, offset, sb_draw_normal4, [=](sb_i64 e, float n) {
        const float v = __fmaf_rn(n, sd, mean);
        out[e] = c.from_f32(LOG ? __expf(v) : v);
    });
}

template <bool LOG>
SB_DEV void sb_normal_d(double* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double mean, double sd) {
    sb_grid_stride<2>(numel, seed, offset, sb_draw_normal2_double, [=](sb_i64 e, double n) {
        const double v = __fma_rn(n, sd, mean);
        out[e] = LOG ? exp(v) : v;
    });
}

// ------------------------------------------------------------------------------------------
// exponential_kernel: (-1 / lambda) * (u >= 1 - eps/2 ? -eps/2 : log(u))
// ------------------------------------------------------------------------------------------

#define SB_FLT_EPSILON 1.1920928955078125e-07f
#define SB_DBL_EPSILON 2.220446049250313080847e-16

template <typename O>
SB_DEV void sb_exponential_f(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double lambda_) {
    sb_cvt<O> c;
    const float lambda = (float)lambda_;
    const float scale = -1.0f / lambda;
    sb_grid_stride<4>(numel, seed, offset, sb_draw_uniform4, [=](sb_i64 e, float u) {
        const float l = u >= 1.0f - SB_FLT_EPSILON / 2.0f ? -SB_FLT_EPSILON / 2.0f : __logf(u);
        out[e] = c.from_f32(scale * l);
    });
}

SB_DEV void sb_exponential_d(double* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double lambda) {
    const double scale = -1.0 / lambda;
    sb_grid_stride<2>(numel, seed, offset, sb_draw_uniform2_double, [=](sb_i64 e, double u) {
        const double l = u >= 1.0 - SB_DBL_EPSILON / 2.0 ? -SB_DBL_EPSILON / 2.0 : log(u);
        out[e] = scale * l;
    });
}

// ------------------------------------------------------------------------------------------
// cauchy_kernel: median + sigma * tan(pi * (u - 0.5)); float clips u to [eps, 1 - eps]
// ------------------------------------------------------------------------------------------

template <typename O>
SB_DEV void sb_cauchy_f(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double median_, double sigma_) {
    sb_cvt<O> c;
    const float median = (float)median_;
    const float sigma = (float)sigma_;
    sb_grid_stride<4>(numel, seed, offset, sb_draw_uniform4, [=](sb_i64 e, float u) {
        u = u > 1.0f - SB_FLT_EPSILON ? 1.0f - SB_FLT_EPSILON : u;
        u = u < 0.0f + SB_FLT_EPSILON ? 0.0f + SB_FLT_EPSILON : u;
        const float t = __tanf(3.14159265358979323846f * (u - 0.5f));
        out[e] = c.from_f32(__fmaf_rn(sigma, t, median));
    });
}

SB_DEV void sb_cauchy_d(double* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double median, double sigma) {
    sb_grid_stride<2>(numel, seed, offset, sb_draw_uniform2_double, [=](sb_i64 e, double u) {
        const double t = tan(3.14159265358979323846 * (u - 0.5));
        out[e] = __fma_rn(sigma, t, median);
    });
}

// ------------------------------------------------------------------------------------------
// geometric_kernel: ceil(log(u) / log1p(-p)); accscalar float (double for double outputs)
// ------------------------------------------------------------------------------------------

template <typename O>
SB_DEV void sb_geometric_f(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double p_) {
    sb_cvt<O> c;
    const float p = (float)p_;
    const float denom = __logf(1.0f + (-p));  // at::log1p(float) on the device
    sb_grid_stride<4>(numel, seed, offset, sb_draw_uniform4, [=](sb_i64 e, float u) {
        out[e] = c.from_f32(ceilf(__logf(u) / denom));
    });
}

SB_DEV void sb_geometric_d(double* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double p) {
    const double denom = log1p(-p);
    sb_grid_stride<2>(numel, seed, offset, sb_draw_uniform2_double, [=](sb_i64 e, double u) {
        out[e] = ceil(log(u) / denom);
    });
}

// ------------------------------------------------------------------------------------------
// bernoulli_kernel (scalar p): (scalar_t)(u < p); accscalar float (double for double outputs)
// ------------------------------------------------------------------------------------------

template <typename O>
SB_DEV void sb_bernoulli_f(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double p_) {
    sb_cvt<O> c;
    const float p = (float)p_;
    sb_grid_stride<4>(numel, seed, offset, sb_draw_uniform4,
                      [=](sb_i64 e, float u) { out[e] = c.from_f32(u < p ? 1.0f : 0.0f); });
}

SB_DEV void sb_bernoulli_d(double* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, double p) {
    sb_grid_stride<2>(numel, seed, offset, sb_draw_uniform2_double,
                      [=](sb_i64 e, double u) { out[e] = u < p ? 1.0 : 0.0; });
}

// ------------------------------------------------------------------------------------------
// random_from_to_kernel: (scalar_t)(int64_t)((v % range) + base); 32-bit draws for
// range < 2^28 (unroll 4), 64-bit draws otherwise (unroll 2)
// ------------------------------------------------------------------------------------------

template <typename O>
SB_DEV void sb_random_from_to32(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, sb_u64 range, sb_i64 base) {
    sb_cvt<O> c;
    sb_grid_stride<4>(numel, seed, offset, sb_draw_u32, [=](sb_i64 e, sb_u32 v) {
        out[e] = c.from_i64((sb_i64)(((sb_u64)v % range) + (sb_u64)base));
    });
}

template <typename O>
SB_DEV void sb_random_from_to64(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, sb_u64 range, sb_i64 base) {
    sb_cvt<O> c;
    sb_grid_stride<2>(numel, seed, offset, sb_draw_u64x2, [=](sb_i64 e, sb_u64 v) {
        out[e] = c.from_i64((sb_i64)((v % range) + (sb_u64)base));
    });
}

// random_full_64_bits_range_kernel: (scalar_t)(int64_t)v
template <typename O>
SB_DEV void sb_random_full64(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset) {
    sb_cvt<O> c;
    sb_grid_stride<2>(numel, seed, offset, sb_draw_u64x2,
                      [=](sb_i64 e, sb_u64 v) { out[e] = c.from_i64((sb_i64)v); });
}

// random_kernel (random_() without bounds): uniform_int<T>(v) = v % M (bool: v & 1), where
// M = max(T) + 1 for integers, 2^digits + 1 for floating types. 64-bit draws for double and int64.
template <typename O>
SB_DEV void sb_random32(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, sb_u64 m) {
    sb_cvt<O> c;
    sb_grid_stride<4>(numel, seed, offset, sb_draw_u32,
                      [=](sb_i64 e, sb_u32 v) { out[e] = c.from_u64((sb_u64)v % m); });
}

template <typename O>
SB_DEV void sb_random64(O* out, sb_i64 numel, sb_u64 seed, sb_u64 offset, sb_u64 m) {
    sb_cvt<O> c;
    sb_grid_stride<2>(numel, seed, offset, sb_draw_u64x2,
                      [=](sb_i64 e, sb_u64 v) { out[e] = c.from_u64(v % m); });
}

// ------------------------------------------------------------------------------------------
// bernoulli_tensor_cuda_kernel (CUDA_tensor_apply2<scalar_t, prob_t, step 4>, 512 threads per
// block): thread t handles elements 4t .. 4t+3 with one curand_uniform4 from
// curand_init(seed, t, offset) (re-initialised every grid-stride iteration, as in torch);
// value = (scalar_t)(u_k <= p_k). p is float, or double for a double output.
// ------------------------------------------------------------------------------------------

template <typename O, typename P>
SB_DEV void sb_bernoulli_tensor(O* out, const P* p, sb_i64 numel, sb_u64 seed, sb_u64 offset) {
    sb_cvt<O> c;
    const sb_u32 tid = blockIdx.x * blockDim.x + threadIdx.x;
    const sb_u64 total = (sb_u64)numel;
    for (sb_u64 li = (sb_u64)tid * 4u; li < total; li += (sb_u64)gridDim.x * blockDim.x * 4u) {
        sb_philox st;
        sb_curand_init(seed, tid, offset, &st);
        const sb_f32x4 u = sb_uniform4(sb_curand4(&st));
        const sb_u64 rem = total - li;
        const int n = rem < 4u ? (int)rem : 4;
        for (int k = 0; k < n; k++) {
            out[li + k] = c.from_bool(u.v[k] <= p[li + k]);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Entry points
// ------------------------------------------------------------------------------------------

#define SB_GRID_KERNEL(name) extern "C" __global__ void __launch_bounds__(256, 4) name(SB_ARGS)
#define SB_APPLY_KERNEL(name) extern "C" __global__ void __launch_bounds__(512, 2) name(SB_ARGS)

// One entry point per dtype for the floating-only ops.
#define SB_FLOAT_OPS(dt, T)                                                                      \
    SB_GRID_KERNEL(uniform_##dt) {                                                               \
        SB_UNUSED_ARGS;                                                                          \
        sb_uniform_f<T>((T*)out_, numel, seed, offset, a, b);                                    \
    }                                                                                            \
    SB_GRID_KERNEL(normal_##dt) {                                                                \
        SB_UNUSED_ARGS;                                                                          \
        sb_normal_f<T, false>((T*)out_, numel, seed, offset, a, b);                              \
    }                                                                                            \
    SB_GRID_KERNEL(log_normal_##dt) {                                                            \
        SB_UNUSED_ARGS;                                                                          \
        sb_normal_f<T, true>((T*)out_, numel, seed, offset, a, b);                               \
    }                                                                                            \
    SB_GRID_KERNEL(exponential_##dt) {                                                           \
        SB_UNUSED_ARGS;                                                                          \
        sb_exponential_f<T>((T*)out_, numel, seed, offset, a);                                   \
    }                                                                                            \
    SB_GRID_KERNEL(cauchy_##dt) {                                                                \
        SB_UNUSED_ARGS;                                                                          \
        sb_cauchy_f<T>((T*)out_, numel, seed, offset, a, b);                                     \
    }

SB_FLOAT_OPS(float, float)
SB_FLOAT_OPS(half, sb_half)
SB_FLOAT_OPS(bfloat16, sb_bf16)

SB_GRID_KERNEL(uniform_double) {
    SB_UNUSED_ARGS;
    sb_uniform_d((double*)out_, numel, seed, offset, a, b);
}
SB_GRID_KERNEL(normal_double) {
    SB_UNUSED_ARGS;
    sb_normal_d<false>((double*)out_, numel, seed, offset, a, b);
}
SB_GRID_KERNEL(log_normal_double) {
    SB_UNUSED_ARGS;
    sb_normal_d<true>((double*)out_, numel, seed, offset, a, b);
}
SB_GRID_KERNEL(exponential_double) {
    SB_UNUSED_ARGS;
    sb_exponential_d((double*)out_, numel, seed, offset, a);
}
SB_GRID_KERNEL(cauchy_double) {
    SB_UNUSED_ARGS;
    sb_cauchy_d((double*)out_, numel, seed, offset, a, b);
}

// geometric_: float accscalar for every dtype but double. (int8/uint8/int16 are not provided:
// their float->narrow-integer conversion is not reproduced by the CPU emulation either.)
#define SB_GEOMETRIC(dt, T)                                   \
    SB_GRID_KERNEL(geometric_##dt) {                          \
        SB_UNUSED_ARGS;                                       \
        sb_geometric_f<T>((T*)out_, numel, seed, offset, a);  \
    }
SB_GEOMETRIC(float, float)
SB_GEOMETRIC(half, sb_half)
SB_GEOMETRIC(bfloat16, sb_bf16)
SB_GEOMETRIC(int32, int)
SB_GEOMETRIC(int64, long long)
SB_GRID_KERNEL(geometric_double) {
    SB_UNUSED_ARGS;
    sb_geometric_d((double*)out_, numel, seed, offset, a);
}

// bernoulli_(p) and bernoulli_(p_tensor): every dtype of AT_DISPATCH_ALL_TYPES_AND3(Half,
// BFloat16, Bool).
#define SB_BERNOULLI(dt, T)                                                          \
    SB_GRID_KERNEL(bernoulli_##dt) {                                                 \
        SB_UNUSED_ARGS;                                                              \
        sb_bernoulli_f<T>((T*)out_, numel, seed, offset, a);                         \
    }                                                                                \
    SB_APPLY_KERNEL(bernoulli_tensor_##dt) {                                         \
        SB_UNUSED_ARGS;                                                              \
        sb_bernoulli_tensor<T, float>((T*)out_, (const float*)aux_, numel, seed, offset); \
    }
SB_BERNOULLI(float, float)
SB_BERNOULLI(half, sb_half)
SB_BERNOULLI(bfloat16, sb_bf16)
SB_BERNOULLI(int8, signed char)
SB_BERNOULLI(uint8, unsigned char)
SB_BERNOULLI(int16, short)
SB_BERNOULLI(int32, int)
SB_BERNOULLI(int64, long long)
SB_BERNOULLI(bool, sb_bool)
SB_GRID_KERNEL(bernoulli_double) {
    SB_UNUSED_ARGS;
    sb_bernoulli_d((double*)out_, numel, seed, offset, a);
}
SB_APPLY_KERNEL(bernoulli_tensor_double) {
    SB_UNUSED_ARGS;
    sb_bernoulli_tensor<double, double>((double*)out_, (const double*)aux_, numel, seed, offset);
}

// random_(from, to): AT_ALL_TYPES, bool, half, bfloat16 and the barebones unsigned types.
#define SB_RANDOM_FROM_TO(dt, T)                                                          \
    SB_GRID_KERNEL(random_from_to_##dt) {                                                 \
        SB_UNUSED_ARGS;                                                                   \
        sb_random_from_to32<T>((T*)out_, numel, seed, offset, range, base);               \
    }                                                                                     \
    SB_GRID_KERNEL(random_from_to64_##dt) {                                               \
        SB_UNUSED_ARGS;                                                                   \
        sb_random_from_to64<T>((T*)out_, numel, seed, offset, range, base);               \
    }
SB_RANDOM_FROM_TO(float, float)
SB_RANDOM_FROM_TO(double, double)
SB_RANDOM_FROM_TO(half, sb_half)
SB_RANDOM_FROM_TO(bfloat16, sb_bf16)
SB_RANDOM_FROM_TO(int8, signed char)
SB_RANDOM_FROM_TO(uint8, unsigned char)
SB_RANDOM_FROM_TO(int16, short)
SB_RANDOM_FROM_TO(int32, int)
SB_RANDOM_FROM_TO(int64, long long)
SB_RANDOM_FROM_TO(bool, sb_bool)
SB_RANDOM_FROM_TO(uint16, unsigned short)
SB_RANDOM_FROM_TO(uint32, unsigned int)
SB_RANDOM_FROM_TO(uint64, unsigned long long)

// random_(-2^63, None): int64, double, float, bfloat16.
#define SB_RANDOM_FULL64(dt, T)                                      \
    SB_GRID_KERNEL(random_full64_##dt) {                             \
        SB_UNUSED_ARGS;                                              \
        sb_random_full64<T>((T*)out_, numel, seed, offset);          \
    }
SB_RANDOM_FULL64(int64, long long)
SB_RANDOM_FULL64(double, double)
SB_RANDOM_FULL64(float, float)
SB_RANDOM_FULL64(bfloat16, sb_bf16)

// random_(): AT_DISPATCH_ALL_TYPES_AND3(Half, BFloat16, Bool).
#define SB_RANDOM32(dt, T, M)                                      \
    SB_GRID_KERNEL(random_##dt) {                                  \
        SB_UNUSED_ARGS;                                            \
        sb_random32<T>((T*)out_, numel, seed, offset, (sb_u64)(M)); \
    }
SB_RANDOM32(float, float, (1ull << 24) + 1)
SB_RANDOM32(half, sb_half, (1ull << 11) + 1)
SB_RANDOM32(bfloat16, sb_bf16, (1ull << 8) + 1)
SB_RANDOM32(int8, signed char, 128)
SB_RANDOM32(uint8, unsigned char, 256)
SB_RANDOM32(int16, short, 32768)
SB_RANDOM32(int32, int, 1ull << 31)
SB_RANDOM32(bool, sb_bool, 2)  // uniform_int<bool>(v) = v & 1 == v % 2
SB_GRID_KERNEL(random_int64) {
    SB_UNUSED_ARGS;
    sb_random64<long long>((long long*)out_, numel, seed, offset, 1ull << 63);
}
SB_GRID_KERNEL(random_double) {
    SB_UNUSED_ARGS;
    sb_random64<double>((double*)out_, numel, seed, offset, (1ull << 53) + 1);
}

// Every entry point, for the host harness: X(name, threads per block).
#define SB_FOR_EACH_FLOAT_DT(X, op) X(op##_float, 256) X(op##_double, 256) X(op##_half, 256) X(op##_bfloat16, 256)
#define SB_ALL_KERNELS(X)                                                                     \
    SB_FOR_EACH_FLOAT_DT(X, uniform)                                                          \
    SB_FOR_EACH_FLOAT_DT(X, normal)                                                           \
    SB_FOR_EACH_FLOAT_DT(X, log_normal)                                                       \
    SB_FOR_EACH_FLOAT_DT(X, exponential)                                                      \
    SB_FOR_EACH_FLOAT_DT(X, cauchy)                                                           \
    SB_FOR_EACH_FLOAT_DT(X, geometric)                                                        \
    X(geometric_int32, 256) X(geometric_int64, 256)                                           \
    SB_FOR_EACH_FLOAT_DT(X, bernoulli)                                                        \
    X(bernoulli_int8, 256) X(bernoulli_uint8, 256) X(bernoulli_int16, 256)                    \
    X(bernoulli_int32, 256) X(bernoulli_int64, 256) X(bernoulli_bool, 256)                    \
    X(bernoulli_tensor_float, 512) X(bernoulli_tensor_double, 512)                            \
    X(bernoulli_tensor_half, 512) X(bernoulli_tensor_bfloat16, 512)                           \
    X(bernoulli_tensor_int8, 512) X(bernoulli_tensor_uint8, 512)                              \
    X(bernoulli_tensor_int16, 512) X(bernoulli_tensor_int32, 512)                             \
    X(bernoulli_tensor_int64, 512) X(bernoulli_tensor_bool, 512)                              \
    SB_FOR_EACH_FLOAT_DT(X, random_from_to)                                                   \
    X(random_from_to_int8, 256) X(random_from_to_uint8, 256) X(random_from_to_int16, 256)     \
    X(random_from_to_int32, 256) X(random_from_to_int64, 256) X(random_from_to_bool, 256)     \
    X(random_from_to_uint16, 256) X(random_from_to_uint32, 256) X(random_from_to_uint64, 256) \
    SB_FOR_EACH_FLOAT_DT(X, random_from_to64)                                                 \
    X(random_from_to64_int8, 256) X(random_from_to64_uint8, 256)                              \
    X(random_from_to64_int16, 256) X(random_from_to64_int32, 256)                             \
    X(random_from_to64_int64, 256) X(random_from_to64_bool, 256)                              \
    X(random_from_to64_uint16, 256) X(random_from_to64_uint32, 256)                           \
    X(random_from_to64_uint64, 256)                                                           \
    X(random_full64_int64, 256) X(random_full64_double, 256) X(random_full64_float, 256)      \
    X(random_full64_bfloat16, 256)                                                            \
    SB_FOR_EACH_FLOAT_DT(X, random)                                                           \
    X(random_int8, 256) X(random_uint8, 256) X(random_int16, 256) X(random_int32, 256)        \
    X(random_int64, 256) X(random_bool, 256)
