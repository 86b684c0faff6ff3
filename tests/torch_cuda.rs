//! torch.cuda random streams emulated on the CPU (`seedbridge::torch::cuda`).
//!
//! * Philox4x32-10 against Random123's known-answer vectors and cuRAND's `curand_init` /
//!   `curand` / `curand4` semantics.
//! * CUDA device math against values printed by libdevice's own bitcode (compiled for x86-64).
//! * Values real GPUs printed in public sources, at their printed precision, with the GPU
//!   profile of the machine that printed them.
//! * Offsets after call sequences, launch geometry, 32-bit index splitting, argument errors.

use seedbridge::engine::philox4x32::{curand_block, philox4x32_10, CurandPhilox};
use seedbridge::math::cuda as dm;
use seedbridge::torch::cuda::*;
use seedbridge::{DType, Data, NdArray};

fn f32s(d: &Data) -> Vec<f32> {
    match d {
        Data::F32(v) => v.clone(),
        other => panic!("expected float32, got {:?}", other.dtype()),
    }
}

fn profile(name: &str) -> GpuProfile {
    GpuProfile::parse(name).unwrap()
}

/// `printed` is a 4-decimal value torch printed; `ours` must round to it, allowing for the
/// documented float Box-Muller bound (scaled by `std`).
fn assert_printed(ours: f32, printed: f64, std: f64, what: &str) {
    let tol = 0.5e-4 + NORMAL_F32_ABS_BOUND * std + 1e-6;
    assert!(
        (f64::from(ours) - printed).abs() <= tol,
        "{what}: ours {ours} vs printed {printed}"
    );
}

fn normal_call(
    seed: u64,
    prof: &GpuProfile,
    numel: u64,
    mean: f64,
    std: f64,
    dtype: DType,
) -> NullaryCall {
    NullaryCall::at(seed, 0, prof, NullaryOp::Normal { mean, std }, dtype, numel)
        .unwrap()
        .0
}

// ------------------------------------------------------------------------------------------
// Philox and cuRAND
// ------------------------------------------------------------------------------------------

#[test]
fn philox_random123_kat() {
    // Random123 kat_vectors, "philox4x32 10" lines.
    assert_eq!(
        philox4x32_10([0; 4], [0; 2]),
        [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
    );
    assert_eq!(
        philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
        [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
    );
    assert_eq!(
        philox4x32_10(
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0]
        ),
        [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
    );
}

#[test]
fn curand_init_semantics() {
    // key = 64-bit seed, counter = (offset/4, subsequence), curand4 walks the counter.
    let seed = 0xdead_beef_0123_4567u64;
    let mut s = CurandPhilox::new(seed, 77, 40);
    assert_eq!(s.counter(), [10, 0, 77, 0]);
    for r in 0..6 {
        let b = s.curand4();
        assert_eq!(b, curand_block(seed, 77, 40, r));
        assert_eq!(
            b,
            philox4x32_10([10 + r as u32, 0, 77, 0], [0x0123_4567, 0xdead_beef])
        );
    }
    // curand() returns the same words one at a time, and skipahead(n) skips n words.
    let mut a = CurandPhilox::new(seed, 5, 0);
    let words: Vec<u32> = (0..12).map(|_| a.curand()).collect();
    let mut b = CurandPhilox::new(seed, 5, 0);
    let w4: Vec<u32> = (0..3).flat_map(|_| b.curand4()).collect();
    assert_eq!(words, w4);
    for k in 0..8u64 {
        let mut c = CurandPhilox::new(seed, 5, 0);
        c.skipahead(k);
        assert_eq!(c.curand(), words[k as usize]);
    }
    // Seeds differing only in the high 32 bits give different CUDA streams.
    assert_ne!(
        curand_block(5, 0, 0, 0),
        curand_block(5 + (1 << 32), 0, 0, 0)
    );
}

// ------------------------------------------------------------------------------------------
// Device math against libdevice
// ------------------------------------------------------------------------------------------

#[test]
fn device_math_matches_libdevice_vectors() {
    // (input bits, output bits) printed by libdevice's __nv_* bitcode compiled for x86-64.
    let log: [(u64, u64); 8] = [
        (0x3c90000000000000, 0xc042b708872320e2),
        (0x3fbf9add3746e984, 0xc000bc233ad9f117),
        (0x3fe0000000000000, 0xbfe62e42fefa39ef),
        (0x3fe6a09e667f3bcd, 0xbfd62e42fefa39ee),
        (0x3fefffffffffffff, 0xbca0000000000000),
        (0x01c01297d23ab683, 0xc0858d6a52bb2934),
        (0x40c81cd6c8b43958, 0x4022d79559791e31),
        (0x3df12e0be826d695, 0xc0361c0c231ba357),
    ];
    for (x, y) in log {
        assert_eq!(dm::log(f64::from_bits(x)).to_bits(), y, "log({x:#x})");
    }
    let sincospi: [(u64, u64, u64); 8] = [
        (0x3ca0000000000000, 0x3cb921fb54442d18, 0x3ff0000000000000),
        (0x3fd0000000000000, 0x3fe6a09e667f3bcd, 0x3fe6a09e667f3bcc),
        (0x3fd5555555555555, 0x3febb67ae8584caa, 0x3fe0000000000000),
        (0x3fe8000000000000, 0x3fe6a09e667f3bcc, 0xbfe6a09e667f3bcd),
        (0x3ff0000000000001, 0xbcc921fb54442d18, 0xbff0000000000000),
        (0x3ff3c0ca428abd53, 0xbfe58116930f6e25, 0xbfe7b28968506fdd),
        (0x3fffffffffffffff, 0xbcc921fb54442d18, 0x3ff0000000000000),
        (0x3ff8000000000000, 0xbff0000000000000, 0x0000000000000000),
    ];
    for (x, s, c) in sincospi {
        let (gs, gc) = dm::sincospi(f64::from_bits(x));
        assert_eq!((gs.to_bits(), gc.to_bits()), (s, c), "sincospi({x:#x})");
    }
    let exp: [(u64, u64); 8] = [
        (0xc087480000000000, 0x0000000000000000),
        (0xbff8000000000000, 0x3fcc8f87724b5c1d),
        (0x81a56e1fc2f8f359, 0x3ff0000000000000),
        (0x3f50624dd2f1a9fc, 0x3ff0041919b7ee34),
        (0x3fe62e42fefa39ef, 0x4000000000000000),
        (0x4024000000000000, 0x40d5829dcf95055f),
        (0x4085e40000000000, 0x7f18625c7d4f56c3),
        (0x40862d999999999a, 0x7fed75ae7a50ee14),
    ];
    for (x, y) in exp {
        assert_eq!(dm::exp(f64::from_bits(x)).to_bits(), y, "exp({x:#x})");
    }
    let tan: [(u64, u64); 8] = [
        (0xbff921fb54442d18, 0xc34d02967c31cdb5),
        (0xbff0000000000000, 0xbff8eb245cbee3a5),
        (0xbfd3333333333333, 0xbfd3cc2a44e29998),
        (0x3e45798ee2308c3a, 0x3e45798ee2308c3a),
        (0x3fe921fb54442d18, 0x3fefffffffffffff),
        (0x3ff3333333333333, 0x400493c43acb164d),
        (0x3ff921fb54442d17, 0x4329153d9443ed0b),
        (0x3ff8000000000000, 0x402c33ed50b88778),
    ];
    for (x, y) in tan {
        assert_eq!(
            dm::tan(f64::from_bits(x)).unwrap().to_bits(),
            y,
            "tan({x:#x})"
        );
    }
    let logf: [(u32, u32); 8] = [
        (0x2f000000, 0xc1b6fda9),
        (0x2f800000, 0xc1b17218),
        (0x3dcccccd, 0xc0135d8e),
        (0x3f000000, 0xbf317218),
        (0x3f400000, 0xbe934b10),
        (0x3f7fffff, 0xb3800000),
        (0x000116c2, 0xc2b834f2),
        (0x7f7fc99e, 0x42b171ab),
    ];
    for (x, y) in logf {
        assert_eq!(dm::logf(f32::from_bits(x)).to_bits(), y, "logf({x:#x})");
    }
}

#[test]
fn float_box_muller_within_documented_bound() {
    // u, v, logf and sqrtf are bit-exact; __sincosf is modelled as the correctly rounded
    // sin/cos(2 pi t) of t = FMUL.RZ(v, 1/(2 pi)), the reduction the GPU performs before its
    // MUFU.SIN/COS. Check (1) the model is that correctly rounded value, (2) the reduction
    // moves the angle by at most v * 4e-8 + 2 pi 2^-24, (3) the composed bound constant.
    let k = 2.328_306_4e-10f32 * 6.283_185_5;
    let inv_2pi = f32::from_bits(0x3e22_f983);
    let mut smax = 0f64;
    for i in 0..200_000u64 {
        let b = curand_block(12345, i, 0, 0);
        let (a, c) = curand_box_muller(b[0], b[1]);
        let u = curand_uniform(b[0]);
        let v = (b[1] as f32).mul_add(k, k / 2.0);
        let s = f64::from(dm::sqrtf(-2.0 * dm::logf(u)));
        smax = smax.max(s);
        let t = f64::from(dm::fmul_rz(v, inv_2pi));
        let (ms, mc) = (t * std::f64::consts::TAU).sin_cos();
        let (vs, vc) = f64::from(v).sin_cos();
        for (ours, model, plain) in [(a, s * ms, s * vs), (c, s * mc, s * vc)] {
            let ulp = f64::from(f32::EPSILON) * f64::from(ours.abs()).max(1e-30);
            assert!(
                (f64::from(ours) - model).abs() <= s * 2f64.powi(-25) + ulp,
                "block {i}"
            );
            assert!(
                (model - plain).abs() <= s * (f64::from(v) * 4.1e-8 + 3.8e-7),
                "block {i}"
            );
        }
    }
    assert!(smax <= 6.77);
    assert!(6.77 * (2f64.powf(-21.19) + 2f64.powi(-25)) + 2f64.powi(-21) <= NORMAL_F32_ABS_BOUND);
}

// ------------------------------------------------------------------------------------------
// Values printed by real GPUs
// ------------------------------------------------------------------------------------------

#[test]
fn rand_twice_after_manual_seed_0() {
    // Issue 4 acceptance values: torch.manual_seed(0); torch.rand(4, device='cuda') twice.
    let prof = profile("h100-sxm");
    let mut g = CudaGenerator::new();
    g.manual_seed(0);
    let a = f32s(&rand(&mut g, &prof, &[4], DType::F32).unwrap().data);
    let b = f32s(&rand(&mut g, &prof, &[4], DType::F32).unwrap().data);
    for (x, p) in a.iter().zip([0.3990, 0.5167, 0.0249, 0.9401]) {
        assert!((f64::from(*x) - p).abs() <= 0.5e-4, "{x} vs {p}");
    }
    for (x, p) in b.iter().zip([0.9722, 0.7910, 0.4690, 0.3300]) {
        assert!((f64::from(*x) - p).abs() <= 0.5e-4, "{x} vs {p}");
    }
    // Exact: element e is curand_uniform of word x of thread e's block at counter offset/4.
    for (e, x) in a.iter().enumerate() {
        assert_eq!(*x, curand_uniform(curand_block(0, e as u64, 0, 0)[0]));
    }
    for (e, x) in b.iter().enumerate() {
        assert_eq!(*x, curand_uniform(curand_block(0, e as u64, 4, 0)[0]));
    }
    assert_eq!(g.get_offset(), 8);
    let mut want = [0u8; 16];
    want[8] = 8;
    assert_eq!(g.get_state(), want);
}

#[test]
fn randn_8x8_after_manual_seed_0() {
    // Issue 4 acceptance values: torch.manual_seed(0); torch.randn(8, 8, device='cuda').
    let mut g = CudaGenerator::with_seed(0);
    let v = f32s(
        &randn(&mut g, &profile("a100"), &[8, 8], DType::F32)
            .unwrap()
            .data,
    );
    for (x, p) in v.iter().zip([-0.9247, -0.4253, -2.6438, 0.1452]) {
        assert_printed(*x, p, 1.0, "randn(8,8)[0]");
    }
    assert_eq!(g.get_offset(), 4);
}

#[test]
fn pytorch_issue_143086_h100_vs_a100() {
    // github.com/pytorch/pytorch/issues/143086: Generator('cuda').manual_seed(1);
    // torch.randn(1, 49*12*112*144) printed on an H100 and an A100 (torch 2.5.1).
    let numel = 49 * 12 * 112 * 144;
    let head = [-0.2963, 2.6764, -0.1408];
    for (name, tail) in [
        ("h100-sxm", [-0.6970, -0.7780, 0.3267]),
        ("a100", [0.1549, -0.6797, -0.1656]),
    ] {
        let call = normal_call(1, &profile(name), numel, 0.0, 1.0, DType::F32);
        // Only the printed elements are computed (counter-based, no prefix).
        let h = f32s(&call.generate(0..3).unwrap());
        let t = f32s(&call.generate(numel - 3..numel).unwrap());
        for (x, p) in h.iter().zip(head) {
            assert_printed(*x, p, 1.0, name);
        }
        for (x, p) in t.iter().zip(tail) {
            assert_printed(*x, p, 1.0, name);
        }
    }
}

#[test]
fn pytorch_issue_97097_rtx_a4000_and_2070_super() {
    // github.com/pytorch/pytorch/issues/97097: torch.manual_seed(14);
    // torch.cuda.FloatTensor(1000, 100).normal_(5, 5**.5) on an RTX A4000 (all rows printed
    // below) and an RTX 2070 SUPER (first two rows printed; the last rows differ).
    let rows: [(usize, [f64; 6]); 6] = [
        (0, [2.8731, 5.2727, 2.9889, 1.6853, 9.6331, 6.6319]),
        (1, [3.9968, 3.8097, 5.7328, 4.4029, 3.9804, 7.4698]),
        (2, [6.5552, 4.0857, 4.2315, 2.7704, 3.5479, 3.3063]),
        (997, [8.6297, 2.3137, 6.2596, 7.9358, 4.4697, 2.7475]),
        (998, [7.0551, 7.8583, 3.9990, 4.1139, 8.9315, 4.2042]),
        (999, [2.7337, 2.2106, 7.7815, 8.2207, 6.5395, 4.2604]),
    ];
    let std = 5f64.sqrt();
    let mut out = Vec::new();
    for name in ["a4000", "rtx2070-super"] {
        let mut g = CudaGenerator::with_seed(14);
        let mut t = NdArray::new(vec![1000, 100], Data::F32(vec![0.0; 100_000]));
        normal_(&mut g, &profile(name), &mut t, 5.0, std).unwrap();
        out.push(f32s(&t.data));
    }
    for (r, want) in rows {
        let cols = [0, 1, 2, 97, 98, 99];
        for (c, p) in cols.iter().zip(want) {
            assert_printed(out[0][r * 100 + c], p, std, "A4000");
            if r < 2 {
                assert_printed(out[1][r * 100 + c], p, std, "RTX 2070 SUPER");
            }
        }
    }
    // A4000: 48 SMs x 6 blocks -> T = 73728 threads; 2070 SUPER: 40 x 4 -> T = 40960.
    // The two agree exactly below the smaller wave and nowhere in the last rows.
    assert_eq!(out[0][..40960], out[1][..40960]);
    assert_ne!(out[0][99_700..], out[1][99_700..]);
}

#[test]
fn pytorch_issue_62467_rtx_a6000() {
    // github.com/pytorch/pytorch/issues/62467: Generator(device='cuda:0').manual_seed(43);
    // torch.empty(1, 3, 128, 128, device='cuda').normal_(generator=rng)[..., 0, 0] on an
    // RTX A6000 printed [1.9983, 0.8704, 2.1127].
    let mut g = CudaGenerator::with_seed(43);
    let v = f32s(
        &randn(&mut g, &profile("a6000"), &[1, 3, 128, 128], DType::F32)
            .unwrap()
            .data,
    );
    for (i, p) in [0usize, 16384, 32768].iter().zip([1.9983, 0.8704, 2.1127]) {
        assert_printed(v[*i], p, 1.0, "A6000");
    }
    // A Quadro M4000 (13 SMs x 8 blocks, T = 26624 < 32768) differs in the third value.
    let mut g = CudaGenerator::with_seed(43);
    let m = f32s(
        &randn(
            &mut g,
            &profile("quadro-m4000"),
            &[1, 3, 128, 128],
            DType::F32,
        )
        .unwrap()
        .data,
    );
    assert_eq!(m[..26624], v[..26624]);
    assert!((m[32768] - v[32768]).abs() > 1e-3);
}

#[test]
fn pytorch_issue_158398_rtx_3060_and_quadro_rtx_8000() {
    // github.com/pytorch/pytorch/issues/158398: torch.randn([1, 64, 2048],
    // generator=torch.Generator(device='cuda').manual_seed(42), device='cuda') on a GeForce
    // RTX 3060 (all rows below) and a Quadro RTX 8000 (first values printed).
    let rows: [(usize, [f64; 6]); 6] = [
        (0, [0.1940, 2.1614, -0.1721, 1.4540, -2.7733, -0.8932]),
        (1, [-0.4574, 0.8063, 0.1580, 0.1124, 0.2769, -1.2535]),
        (2, [1.1346, -0.6329, -0.9147, -1.0001, -1.1552, -0.6955]),
        (61, [-0.4861, 0.3358, 1.0578, -0.7282, 0.5087, 0.1318]),
        (62, [0.7881, 0.8339, -1.1424, -0.6297, -1.1112, -0.4091]),
        (63, [-1.2356, -0.4083, -0.4695, -0.4841, 1.2850, -0.0282]),
    ];
    let mut g = CudaGenerator::with_seed(42);
    let v = f32s(
        &randn(&mut g, &profile("rtx3060"), &[1, 64, 2048], DType::F32)
            .unwrap()
            .data,
    );
    let mut g = CudaGenerator::with_seed(42);
    let q = f32s(
        &randn(
            &mut g,
            &profile("quadro-rtx8000"),
            &[1, 64, 2048],
            DType::F32,
        )
        .unwrap()
        .data,
    );
    for (r, want) in rows {
        for (c, p) in [0usize, 1, 2, 2045, 2046, 2047].iter().zip(want) {
            assert_printed(v[r * 2048 + c], p, 1.0, "RTX 3060");
        }
    }
    for (c, p) in [0usize, 1, 2].iter().zip([0.1940, 2.1614, -0.1721]) {
        assert_printed(q[*c], p, 1.0, "Quadro RTX 8000");
    }
    // 3060: 28 SMs x 6 blocks -> T = 43008; RTX 8000: 72 x 4 -> T = 73728.
    assert_eq!(v[..43008], q[..43008]);
    assert_ne!(v[43008], q[43008]);
}

// ------------------------------------------------------------------------------------------
// Launch geometry and profile dependence
// ------------------------------------------------------------------------------------------

#[test]
fn launch_formula_and_profile_dependence() {
    let a100 = profile("a100");
    let t4 = profile("t4");
    assert_eq!(a100.wave_threads(), 108 * 8 * 256);
    assert_eq!(t4.wave_threads(), 40 * 4 * 256);
    let p = calc_execution_policy(&a100, 1_000_000, 4);
    assert_eq!(p.grid, 864);
    assert_eq!(
        p.counter_offset,
        ((1_000_000 - 1) / (256 * 864 * 4) + 1) * 4
    );
    let small = calc_execution_policy(&a100, 1000, 4);
    assert_eq!((small.grid, small.counter_offset), (4, 4));
    // Every element equals its formula: thread e % T, round (e / T) / 4, component (e / T) % 4.
    let numel = 300_000u64;
    for prof in [a100, t4] {
        let call = normal_call(7, &prof, numel, 0.0, 1.0, DType::F32);
        let v = f32s(&call.generate_all().unwrap());
        let pol = calc_execution_policy(&prof, numel, 4);
        for e in (0..numel).step_by(997).chain([numel - 1]) {
            let s = pol.locate(e);
            let n = curand_normal4(curand_block(7, s.thread, 0, s.round));
            assert_eq!(v[e as usize], n[s.component as usize], "element {e}");
        }
    }
    // Identical below the smaller wave, different right after it.
    let a = f32s(
        &normal_call(7, &a100, numel, 0.0, 1.0, DType::F32)
            .generate_all()
            .unwrap(),
    );
    let b = f32s(
        &normal_call(7, &t4, numel, 0.0, 1.0, DType::F32)
            .generate_all()
            .unwrap(),
    );
    let w = t4.wave_threads() as usize;
    assert_eq!(a[..w], b[..w]);
    assert_ne!(a[w], b[w]);
    // Double: unroll 2.
    let d = NullaryCall::at(
        3,
        0,
        &t4,
        NullaryOp::Normal {
            mean: 0.0,
            std: 1.0,
        },
        DType::F64,
        100_000,
    )
    .unwrap()
    .0;
    let dv = match d.generate_all().unwrap() {
        Data::F64(v) => v,
        _ => unreachable!(),
    };
    let pol = calc_execution_policy(&t4, 100_000, 2);
    for e in [0u64, 40959, 40960, 81920, 99_999] {
        let s = pol.locate(e);
        let n = curand_normal2_double(curand_block(3, s.thread, 0, s.round));
        assert_eq!(dv[e as usize].to_bits(), n[s.component as usize].to_bits());
    }
}

#[test]
fn ranges_and_thread_counts_do_not_change_values() {
    let prof = profile("t4");
    let call = NullaryCall::at(
        9,
        12,
        &prof,
        NullaryOp::Uniform {
            from: -2.0,
            to: 3.0,
        },
        DType::F32,
        500_000,
    )
    .unwrap()
    .0;
    let all = f32s(&call.generate_with_threads(0..500_000, 1).unwrap());
    assert_eq!(
        all,
        f32s(&call.generate_with_threads(0..500_000, 7).unwrap())
    );
    for r in [0..1u64, 40_959..40_961, 123_457..300_001, 499_990..500_000] {
        let part = f32s(&call.generate_with_threads(r.clone(), 3).unwrap());
        assert_eq!(part, all[r.start as usize..r.end as usize]);
    }
}

#[test]
fn tensors_beyond_32bit_indexing_are_split() {
    let a100 = profile("a100");
    // 2^29 + 1 floats: 1 + 2^29 * 4 bytes > INT32_MAX -> two sub-iterators (halves).
    let n = (1u64 << 29) + 1;
    assert!(!can_use_32bit_indexing(n, 4));
    let mut g = CudaGenerator::with_seed(5);
    let launches = plan_grid_stride(&mut g, &a100, n, 4, 4);
    let per_round = 256 * 864 * 4u64;
    let parent = ((n - 1) / per_round + 1) * 4;
    let l0 = ((1u64 << 28) - 1) / per_round + 1;
    let l1 = (1u64 << 28) / per_round + 1;
    assert_eq!(launches.len(), 2);
    assert_eq!((launches[0].start, launches[0].len), (0, 1 << 28));
    assert_eq!(
        (launches[1].start, launches[1].len),
        (1 << 28, (1 << 28) + 1)
    );
    assert_eq!(launches[0].philox_offset, parent);
    assert_eq!(launches[1].philox_offset, parent + l0 * 4);
    assert_eq!(g.get_offset(), parent + (l0 + l1) * 4);
    // More than 2^31 one-byte elements: compute a range straddling the split without
    // materialising the tensor; the second part restarts thread numbering at its start.
    let n = (1u64 << 31) + 10;
    let (call, _) = NullaryCall::at(11, 0, &a100, NullaryOp::Random, DType::U8, n).unwrap();
    assert_eq!(call.launches.len(), 2);
    let s = call.launches[1].start;
    let v = match call.generate(s - 2..s + 2).unwrap() {
        Data::U8(v) => v,
        _ => unreachable!(),
    };
    let l = call.launches[1];
    let b = curand_block(11, 0, l.philox_offset, 0);
    assert_eq!(v[2], (b[0] % 256) as u8);
    let l0 = call.launches[0];
    let loc = l0.policy.locate(l0.len - 1);
    let b = curand_block(11, loc.thread, l0.philox_offset, loc.round);
    assert_eq!(v[1], (b[loc.component as usize] % 256) as u8);
}

// ------------------------------------------------------------------------------------------
// Generator state and offsets
// ------------------------------------------------------------------------------------------

#[test]
fn offsets_after_call_sequences() {
    let a100 = profile("a100");
    let mut g = CudaGenerator::with_seed(2024);
    rand(&mut g, &a100, &[4], DType::F32).unwrap(); // 4
    assert_eq!(g.get_offset(), 4);
    randn(&mut g, &a100, &[1_000_000], DType::F32).unwrap(); // 2 rounds of 884736 -> 8
    assert_eq!(g.get_offset(), 12);
    randn(&mut g, &a100, &[1_000_000], DType::F64).unwrap(); // 3 rounds of 442368 -> 12
    assert_eq!(g.get_offset(), 24);
    randint(&mut g, &a100, 0, 10, &[5], DType::I64).unwrap(); // 32-bit path, 1 round
    assert_eq!(g.get_offset(), 28);
    randint(&mut g, &a100, 0, 1 << 30, &[500_000], DType::I64).unwrap(); // 64-bit, 2 rounds
    assert_eq!(g.get_offset(), 36);
    randperm(&mut g, &a100, 10, DType::I64).unwrap(); // keys 4 + islands 10 -> 12
    assert_eq!(g.get_offset(), 52);
    let p = NdArray::new(vec![3], Data::F32(vec![0.5; 3]));
    bernoulli(&mut g, &p).unwrap(); // philox_cuda_state(10) -> 12
    assert_eq!(g.get_offset(), 64);
    let x = NdArray::new(vec![1000], Data::F32(vec![1.0; 1000]));
    dropout(&mut g, &a100, &x, 0.5, true).unwrap(); // 4
    assert_eq!(g.get_offset(), 68);
    dropout(&mut g, &a100, &x, 0.0, true).unwrap(); // identity, no RNG
    dropout(&mut g, &a100, &x, 0.5, false).unwrap();
    let mut e = NdArray::new(vec![0], Data::F32(vec![]));
    normal_(&mut g, &a100, &mut e, 0.0, 1.0).unwrap(); // empty: nothing
    assert_eq!(g.get_offset(), 68);
    let st = g.get_state();
    assert_eq!(&st[..8], &2024u64.to_le_bytes());
    assert_eq!(&st[8..], &68u64.to_le_bytes());
    let mut h = CudaGenerator::new();
    assert_eq!(h.initial_seed(), 67_280_421_310_721);
    h.set_state(&st).unwrap();
    assert_eq!(h, g);
    h.set_state(&7u64.to_le_bytes()).unwrap();
    assert_eq!((h.initial_seed(), h.get_offset()), (7, 0));
}

#[test]
fn generator_errors() {
    let mut g = CudaGenerator::with_seed(1);
    assert_eq!(
        g.set_offset(6).unwrap_err().to_string(),
        "RuntimeError: offset must be a multiple of 4"
    );
    g.set_offset(8).unwrap();
    assert_eq!(g.get_offset(), 8);
    assert_eq!(
        g.set_state(&[0u8; 15]).unwrap_err().to_string(),
        "RuntimeError: RNG state is wrong size"
    );
    let mut bad = [0u8; 16];
    bad[8] = 2;
    assert!(g.set_state(&bad).is_err());
    let e = GpuProfile::parse("gtx9000").unwrap_err().to_string();
    assert!(
        e.starts_with("ValueError: unknown GPU profile 'gtx9000'"),
        "{e}"
    );
    assert!(e.contains("h100-sxm") && e.contains("SMSxTHREADS"));
    for (name, sms, thr) in [
        ("h200", 132, 2048),
        ("h100-pcie", 114, 2048),
        ("a10g", 80, 1536),
        ("l4", 58, 1536),
        ("l40s", 142, 1536),
        ("t4", 40, 1024),
        ("v100", 80, 2048),
        ("rtx3060", 28, 1536),
        ("rtx3090", 82, 1536),
        ("rtx4090", 128, 1536),
        ("a4000", 48, 1536),
    ] {
        assert_eq!(profile(name), GpuProfile::new(sms, thr), "{name}");
    }
}

#[test]
fn argument_errors_like_torch() {
    let p = profile("t4");
    let mut g = CudaGenerator::with_seed(0);
    let mut t = NdArray::new(vec![3], Data::F32(vec![0.0; 3]));
    let err = |r: seedbridge::Result<()>| r.unwrap_err().to_string();
    assert_eq!(
        err(uniform_(&mut g, &p, &mut t, 2.0, 1.0)),
        "RuntimeError: uniform_ expects to return a [from, to) range, but found from=2 > to=1"
    );
    assert_eq!(
        err(normal_(&mut g, &p, &mut t, 0.0, -1.0)),
        "RuntimeError: normal expects std >= 0.0, but found std -1"
    );
    assert_eq!(
        err(bernoulli_(&mut g, &p, &mut t, 1.5)),
        "RuntimeError: bernoulli_ expects p to be in [0, 1], but got p=1.5"
    );
    assert_eq!(
        err(geometric_(&mut g, &p, &mut t, 1.0)),
        "RuntimeError: geometric_ expects p to be in (0, 1), but got p=1"
    );
    assert_eq!(
        err(random_from_to_(&mut g, &p, &mut t, 5, Some(3))),
        "RuntimeError: random_ expects 'from' to be less than 'to', but got from=5 >= to=3"
    );
    let mut i8t = NdArray::new(vec![3], Data::I8(vec![0; 3]));
    assert_eq!(
        err(random_from_to_(&mut g, &p, &mut i8t, 0, Some(200))),
        "RuntimeError: to - 1 is out of bounds for signed char"
    );
    let mut it = NdArray::new(vec![3], Data::I32(vec![0; 3]));
    assert_eq!(
        err(exponential_(&mut g, &p, &mut it, 1.0)),
        "RuntimeError: Exponential distribution is a continuous probability distribution. \
         dtype must be a floating point but you specified Int"
    );
    assert_eq!(
        err(normal_(&mut g, &p, &mut it, 0.0, 1.0)),
        "NotImplementedError: \"normal_kernel_cuda\" not implemented for 'Int'"
    );
    let x = NdArray::new(vec![2], Data::F32(vec![1.0; 2]));
    assert_eq!(
        dropout(&mut g, &p, &x, 1.5, true).unwrap_err().to_string(),
        "ValueError: dropout probability has to be between 0 and 1, but got 1.5"
    );
    assert_eq!(
        randperm(&mut g, &p, 3000, DType::F16)
            .unwrap_err()
            .to_string(),
        "RuntimeError: n cannot be greater than 2049 for Half type."
    );
    // None of the failed calls touched the generator.
    assert_eq!(g.get_offset(), 0);
}

// ------------------------------------------------------------------------------------------
// Integer, Bernoulli, randperm, dropout paths against their formulas
// ------------------------------------------------------------------------------------------

#[test]
fn randint_32_and_64_bit_paths() {
    let p = profile("t4");
    let n = 100_000u64; // > T = 40960
                        // range < 2^28: one 32-bit word per element, unroll 4.
    let mut g = CudaGenerator::with_seed(77);
    let v = match randint(&mut g, &p, -5, 1000, &[n as usize], DType::I64)
        .unwrap()
        .data
    {
        Data::I64(v) => v,
        _ => unreachable!(),
    };
    let pol = calc_execution_policy(&p, n, 4);
    for e in (0..n).step_by(331) {
        let s = pol.locate(e);
        let b = curand_block(77, s.thread, 0, s.round);
        assert_eq!(
            v[e as usize],
            (u64::from(b[s.component as usize]) % 1005) as i64 - 5
        );
    }
    // range >= 2^28: ((x << 32) | y) and ((z << 32) | w), unroll 2.
    let range = 3u64 << 29;
    let mut g = CudaGenerator::with_seed(78);
    let v = match randint(&mut g, &p, 10, 10 + range as i64, &[n as usize], DType::I64)
        .unwrap()
        .data
    {
        Data::I64(v) => v,
        _ => unreachable!(),
    };
    let pol = calc_execution_policy(&p, n, 2);
    for e in (0..n).step_by(331) {
        let s = pol.locate(e);
        let b = curand_block(78, s.thread, 0, s.round);
        let c = s.component as usize;
        let w = (u64::from(b[2 * c]) << 32) | u64::from(b[2 * c + 1]);
        assert_eq!(v[e as usize], (w % range) as i64 + 10);
    }
    // random_() on int32 keeps 31 bits of one word; on bool the low bit.
    let mut g = CudaGenerator::with_seed(79);
    let mut t = NdArray::new(vec![8], Data::I32(vec![0; 8]));
    random_(&mut g, &p, &mut t).unwrap();
    let b0 = curand_block(79, 3, 0, 0);
    assert_eq!(t.data.get_i128(3), Some(i128::from(b0[0] & 0x7fff_ffff)));
}

#[test]
fn bernoulli_tensor_kernel_mapping() {
    let mut g = CudaGenerator::with_seed(31);
    let probs: Vec<f64> = (0..1000).map(|i| (i % 10) as f64 / 9.0).collect();
    let p = NdArray::new(vec![10, 100], Data::F64(probs.clone()));
    let out = bernoulli(&mut g, &p).unwrap();
    assert_eq!(out.dtype(), DType::F64);
    for e in 0..1000u64 {
        let b = curand_block(31, e / 4, 0, 0);
        let u = f64::from(curand_uniform(b[(e % 4) as usize]));
        let want = if u <= probs[e as usize] { 1.0 } else { 0.0 };
        assert_eq!(out.data.get_f64(e as usize), want);
    }
    assert_eq!(g.get_offset(), 12);
    // Broadcast p to the tensor; out-of-range p is the device assertion.
    let mut t = NdArray::new(vec![2, 3], Data::Bool(vec![false; 6]));
    let row = NdArray::new(vec![3], Data::F32(vec![0.0, 1.0, 0.0]));
    bernoulli_tensor_(&mut g, &mut t, &row).unwrap();
    assert_eq!(
        t.data,
        Data::Bool(vec![false, true, false, false, true, false])
    );
    let bad = NdArray::new(vec![1], Data::F32(vec![1.5]));
    assert!(bernoulli(&mut g, &bad).is_err());
}

#[test]
fn randperm_is_a_permutation() {
    let p = profile("a100");
    for (n, dtype) in [
        (1u64, DType::I64),
        (10, DType::I64),
        (1000, DType::I32),
        (2049, DType::F16),
        (40_000, DType::I64),
    ] {
        let mut g = CudaGenerator::with_seed(n);
        let r = randperm(&mut g, &p, n, dtype).unwrap();
        let mut seen = vec![false; n as usize];
        for i in 0..n as usize {
            let v = r.data.get_f64(i) as usize;
            assert!(!seen[v], "duplicate {v} in randperm({n})");
            seen[v] = true;
        }
        let mut g2 = CudaGenerator::with_seed(n);
        assert_eq!(randperm(&mut g2, &p, n, dtype).unwrap(), r);
        // keys: random_ (64-bit path, unroll 2) then philox_cuda_state(n).
        let keys = calc_execution_policy(&p, n, 2).counter_offset;
        assert_eq!(g.get_offset(), keys + n.div_ceil(4) * 4);
    }
}

#[test]
fn dropout_vectorised_and_plain_kernels() {
    let p = profile("t4");
    let x: Vec<f32> = (0..100_003).map(|i| 1.0 + i as f32 * 1e-3).collect();
    for (len, vec) in [(100_000usize, 4usize), (100_002, 2), (100_003, 1)] {
        let input = NdArray::new(vec![len], Data::F32(x[..len].to_vec()));
        let mut g = CudaGenerator::with_seed(99);
        let (out, mask) = native_dropout(&mut g, &p, &input, 0.25, Some(true)).unwrap();
        let (out, mask) = (
            f32s(&out.data),
            match mask.data {
                Data::Bool(m) => m,
                _ => unreachable!(),
            },
        );
        let pol = calc_execution_policy(&p, len as u64, 4);
        let t = pol.total_threads();
        for e in (0..len as u64).step_by(101) {
            let u = if vec == 1 {
                let s = pol.locate(e);
                curand_uniform(curand_block(99, s.thread, 0, s.round)[s.component as usize])
            } else {
                let q = e / vec as u64;
                let b = curand_block(99, q % t, 0, q / t);
                curand_uniform(b[(e % vec as u64) as usize])
            };
            let keep = u < 0.75f32;
            assert_eq!(mask[e as usize], keep);
            let scale = (1.0 / f64::from(0.75f32)) as f32;
            let want = x[e as usize] * f32::from(u8::from(keep)) * scale;
            assert_eq!(out[e as usize], want);
        }
        assert_eq!(g.get_offset(), pol.counter_offset);
        let kept = mask.iter().filter(|&&m| m).count() as f64 / len as f64;
        assert!((kept - 0.75).abs() < 0.01);
    }
}

#[test]
fn uniform_and_special_dtypes() {
    let p = profile("l4");
    // float16 rand goes through curand_uniform4 in float, then rounds to half.
    let mut g = CudaGenerator::with_seed(3);
    let h = rand(&mut g, &p, &[5], DType::F16).unwrap();
    for e in 0..5usize {
        let u = curand_uniform(curand_block(3, e as u64, 0, 0)[0]);
        let want = half::f16::from_f32(u);
        let got = match &h.data {
            Data::F16(v) => v[e],
            _ => unreachable!(),
        };
        // value == to (1.0) becomes from (0.0)
        let want = if want == half::f16::ONE {
            half::f16::ZERO
        } else {
            want
        };
        assert_eq!(got.to_bits(), want.to_bits());
    }
    // float64 rand uses curand_uniform2_double with unroll 2.
    let mut g = CudaGenerator::with_seed(3);
    let d = rand(&mut g, &p, &[3], DType::F64).unwrap();
    assert_eq!(
        d.data.get_f64(1).to_bits(),
        curand_uniform2_double(curand_block(3, 1, 0, 0))[0].to_bits()
    );
    // float64 randn is the exact double Box-Muller.
    let mut g = CudaGenerator::with_seed(3);
    let d = randn(&mut g, &p, &[3], DType::F64).unwrap();
    assert_eq!(
        d.data.get_f64(2).to_bits(),
        curand_normal2_double(curand_block(3, 2, 0, 0))[0].to_bits()
    );
    // exponential/geometric/cauchy/log_normal produce finite, in-range values.
    let mut g = CudaGenerator::with_seed(4);
    let mut t = NdArray::new(vec![10_000], Data::F32(vec![0.0; 10_000]));
    exponential_(&mut g, &p, &mut t, 2.0).unwrap();
    assert!(f32s(&t.data).iter().all(|&v| v > 0.0 && v.is_finite()));
    geometric_(&mut g, &p, &mut t, 0.3).unwrap();
    assert!(f32s(&t.data).iter().all(|&v| v >= 1.0 && v == v.floor()));
    log_normal_(&mut g, &p, &mut t, 0.0, 0.5).unwrap();
    assert!(f32s(&t.data).iter().all(|&v| v > 0.0));
    cauchy_(&mut g, &p, &mut t, 1.0, 2.0).unwrap();
    assert!(f32s(&t.data).iter().all(|v| v.is_finite()));
    let mut d = NdArray::new(vec![1000], Data::F64(vec![0.0; 1000]));
    exponential_(&mut g, &p, &mut d, 1.0).unwrap();
    let u = curand_uniform2_double(curand_block(4, 0, g.get_offset() - 4, 0))[0];
    assert_eq!(d.data.get_f64(0).to_bits(), (-dm::log(u)).to_bits());
}

#[test]
fn per_device_generators() {
    let p = profile("a100");
    let mut devs = CudaDevices::new(2);
    devs.manual_seed_all(0);
    let a = rand(devs.generator(Some(0)).unwrap(), &p, &[4], DType::F32).unwrap();
    // cuda:1 is independent of cuda:0 and starts from the same seed.
    let b = rand(devs.generator(Some(1)).unwrap(), &p, &[4], DType::F32).unwrap();
    assert_eq!(a, b);
    assert_eq!(devs.get_rng_state(Some(0)).unwrap()[8], 4);
    devs.set_device(1).unwrap();
    devs.manual_seed(9);
    assert_eq!(devs.initial_seed().unwrap(), 9);
    assert_eq!(devs.get_rng_state(Some(0)).unwrap()[8], 4);
    assert!(devs.set_device(2).is_err());
    assert!(devs.generator(Some(5)).is_err());
    let mut t = NdArray::new(vec![3], Data::U64(vec![0; 3]));
    let g = devs.generator(None).unwrap();
    assert_eq!(
        random_from_to_(g, &p, &mut t, 0, None)
            .unwrap_err()
            .to_string(),
        "RuntimeError: to - 1 is out of bounds for long unsigned int"
    );
}

#[test]
fn sincos_model_is_correctly_rounded() {
    // tests/fixtures/sincos_2pi.txt (scripts/make_sincos_fixture.py): sin/cos(2 pi t) rounded
    // to float by mpmath at 200 bits, for random t and for every t of the 2^-24 grid whose
    // values lie close to a float rounding midpoint.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sincos_2pi.txt"
    ))
    .unwrap();
    let mut n = 0;
    for line in text.lines() {
        let w: Vec<u32> = line
            .split_whitespace()
            .map(|x| u32::from_str_radix(x, 16).unwrap())
            .collect();
        let t = f32::from_bits(w[0]);
        let (s, c) = dm::sincos_2pi_f32(t);
        assert_eq!((s.to_bits(), c.to_bits()), (w[1], w[2]), "t = {t:e}");
        let (s, c) = dm::sincos_2pi_f32_exact(t);
        assert_eq!(
            (s.to_bits(), c.to_bits()),
            (w[1], w[2]),
            "exact path, t = {t:e}"
        );
        n += 1;
    }
    assert!(n > 3000);
}
