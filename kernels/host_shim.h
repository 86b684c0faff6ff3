// Host shim: lets kernels/torch_cuda.cu (and philox.cuh) compile as ordinary C++17 with g++/clang++
// so that their indexing, offset and transform logic can be executed on the CPU
// (tests/cuda_kernels.rs). Not used by NVRTC and not embedded in the binary (build.rs embeds
// only *.cu files).
//
// A "launch" runs every (block, thread) pair of the grid sequentially. That is exact for these
// kernels: threads share no memory, every thread writes disjoint elements and __syncthreads()
// is not used for communication.
//
// Integer logic, Philox and the float conversions are exact on the host. The device math
// intrinsics (__sincosf, __logf, __expf, __tanf, sincospi, libdevice logf/log) are stood in by
// libm and are NOT bit-exact, so only the uniform, integer and bernoulli paths are meaningful
// for bit-for-bit comparisons. Compile with -ffp-contract=off: every fused multiply-add the
// kernels rely on is written explicitly (__fmaf_rn / __fma_rn -> std::fma).
#pragma once

#include <cmath>
#include <cstring>
#include <math.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)

struct sb_host_dim3 {
    unsigned int x, y, z;
};

inline sb_host_dim3 threadIdx = {0, 0, 0};
inline sb_host_dim3 blockIdx = {0, 0, 0};
inline sb_host_dim3 blockDim = {1, 1, 1};
inline sb_host_dim3 gridDim = {1, 1, 1};

inline void __syncthreads() {}

inline unsigned int __float_as_uint(float f) {
    unsigned int u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
inline float __uint_as_float(unsigned int u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }

// Stand-ins for device math (not bit-exact; see above).
inline void __sincosf(float x, float* s, float* c) {
    *s = std::sin(x);
    *c = std::cos(x);
}
inline float __logf(float x) { return std::log(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __tanf(float x) { return std::tan(x); }
inline void sincospi(double x, double* s, double* c) {
    const double pi = 3.14159265358979323846;
    *s = std::sin(x * pi);
    *c = std::cos(x * pi);
}

// Runs kernel body `f()` for every thread of a 1-D grid of `grid` blocks of `block` threads.
template <typename F>
inline void sb_host_launch(unsigned int grid, unsigned int block, F f) {
    gridDim = {grid, 1, 1};
    blockDim = {block, 1, 1};
    for (unsigned int b = 0; b < grid; b++) {
        blockIdx = {b, 0, 0};
        for (unsigned int t = 0; t < block; t++) {
            threadIdx = {t, 0, 0};
            f();
        }
    }
}
