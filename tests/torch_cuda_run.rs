//! `seedbridge run` with torch.cuda on the CPU emulation (`src/script/bind_torch_cuda.rs`).
//!
//! * Values real GPUs printed in public sources, reproduced through scripts (printed text and
//!   recorded arrays), with the GPU profile of the machine that printed them.
//! * Every script value equals the library call it maps to ([`seedbridge::torch::cuda`]) bit
//!   for bit, and `torch.cuda.get_rng_state()` equals torch's offsets after call sequences.
//! * Profile dependence above one wave, device semantics (`cuda:N`, `set_device`, lazy
//!   initialisation), generators, moves between devices, torch's errors, and that CUDA calls
//!   leave the CPU stream alone.

use seedbridge::script::bind_torch_cuda::{Backend, DEFAULT_PROFILE, EMULATED_DEVICES};
use seedbridge::script::eval::{Interp, RunOptions};
use seedbridge::script::{parser, run_source};
use seedbridge::torch::cuda::{self as cu, CudaGenerator, GpuProfile, NORMAL_F32_ABS_BOUND};
use seedbridge::{DType, Data, NdArray};

fn opts(gpu: Option<&str>) -> RunOptions {
    RunOptions {
        gpu: gpu.map(str::to_string),
        backend: Backend::Cpu,
        ..RunOptions::default()
    }
}

/// Runs `src` (an `import torch` line is prepended) with `--backend cpu --gpu gpu`;
/// returns the recorded arrays and the printed text, panicking on an error.
fn run(src: &str, gpu: &str) -> (Vec<NdArray>, String) {
    let src = format!("import torch\n{src}");
    let mut out = Vec::new();
    let (rec, err) = run_source(&src, opts(Some(gpu)), &mut out);
    if let Some(e) = err {
        panic!("script failed: {e}\n{src}");
    }
    (
        rec.into_iter().map(|r| r.array).collect(),
        String::from_utf8(out).unwrap(),
    )
}

/// The error `src` stops with (`Kind: message`), and the values recorded before it.
fn run_err_opts(src: &str, o: RunOptions) -> (String, usize) {
    let src = format!("import torch\n{src}");
    let mut out = Vec::new();
    let (rec, err) = run_source(&src, o, &mut out);
    match err {
        Some(e) => (e.error.to_string(), rec.len()),
        None => panic!("script succeeded: {src}"),
    }
}

fn run_err(src: &str) -> String {
    run_err_opts(src, opts(Some("a100"))).0
}

fn f32s(a: &NdArray) -> Vec<f32> {
    match &a.data {
        Data::F32(v) => v.clone(),
        other => panic!("expected float32, got {:?}", other.dtype()),
    }
}

fn prof(name: &str) -> GpuProfile {
    GpuProfile::parse(name).unwrap()
}

fn bits_eq(a: &NdArray, b: &NdArray) {
    assert_eq!(a.shape, b.shape);
    assert_eq!(a.dtype(), b.dtype());
    for i in 0..a.len() {
        assert_eq!(
            a.data.get_f64(i).to_bits(),
            b.data.get_f64(i).to_bits(),
            "element {i}"
        );
    }
}

fn state(seed: u64, offset: u64) -> NdArray {
    let mut b = seed.to_le_bytes().to_vec();
    b.extend(offset.to_le_bytes());
    NdArray::new(vec![16], Data::U8(b))
}

/// A printed 4-decimal value, allowing the documented float Box-Muller bound.
fn assert_printed(ours: f32, printed: f64, std: f64, what: &str) {
    let tol = 0.5e-4 + NORMAL_F32_ABS_BOUND * std + 1e-6;
    assert!(
        (f64::from(ours) - printed).abs() <= tol,
        "{what}: ours {ours} vs printed {printed}"
    );
}

// ------------------------------------------------------------------------------------------
// Values real GPUs printed
// ------------------------------------------------------------------------------------------

#[test]
fn rand_twice_after_manual_seed_0_prints_like_torch() {
    let (rec, out) = run(
        "torch.manual_seed(0)\nprint(torch.rand(4, device='cuda'))\n\
         print(torch.rand(4, device='cuda'))\nprint(torch.cuda.get_rng_state())",
        "h100-sxm",
    );
    assert_eq!(
        out,
        "tensor([0.3990, 0.5167, 0.0249, 0.9401], device='cuda:0')\n\
         tensor([0.9722, 0.7910, 0.4690, 0.3300], device='cuda:0')\n\
         tensor([0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0], dtype=torch.uint8)\n"
    );
    // print(...) records nothing; the library gives the same bits.
    assert!(rec.is_empty());
    let (rec, _) = run(
        "torch.manual_seed(0)\na = torch.rand(4, device='cuda')\nb = torch.rand(4, device='cuda')",
        "a100",
    );
    let mut g = CudaGenerator::with_seed(0);
    bits_eq(
        &rec[0],
        &cu::rand(&mut g, &prof("a100"), &[4], DType::F32).unwrap(),
    );
    bits_eq(
        &rec[1],
        &cu::rand(&mut g, &prof("a100"), &[4], DType::F32).unwrap(),
    );
}

#[test]
fn randn_8x8_after_manual_seed_0() {
    let (rec, out) = run(
        "torch.manual_seed(0)\nx = torch.randn(8, 8, device='cuda')\nprint(x)",
        "a100",
    );
    assert!(
        out.starts_with("tensor([[-0.9247, -0.4253, -2.6438,  0.1452,"),
        "{out}"
    );
    assert!(out.ends_with("       device='cuda:0')\n"), "{out}");
    for (x, p) in f32s(&rec[0])
        .iter()
        .zip([-0.9247, -0.4253, -2.6438, 0.1452])
    {
        assert_printed(*x, p, 1.0, "randn(8, 8)[0]");
    }
    let mut g = CudaGenerator::with_seed(0);
    bits_eq(
        &rec[0],
        &cu::randn(&mut g, &prof("a100"), &[8, 8], DType::F32).unwrap(),
    );
}

#[test]
fn pytorch_issue_97097_legacy_constructor_on_two_gpus() {
    // torch.manual_seed(14); torch.cuda.FloatTensor(1000, 100).normal_(5, 5**.5) on an RTX
    // A4000 (rows 0, 1, 2, 997, 998, 999 printed) and an RTX 2070 SUPER (rows 0 and 1).
    let rows: [(usize, [f64; 6]); 6] = [
        (0, [2.8731, 5.2727, 2.9889, 1.6853, 9.6331, 6.6319]),
        (1, [3.9968, 3.8097, 5.7328, 4.4029, 3.9804, 7.4698]),
        (2, [6.5552, 4.0857, 4.2315, 2.7704, 3.5479, 3.3063]),
        (997, [8.6297, 2.3137, 6.2596, 7.9358, 4.4697, 2.7475]),
        (998, [7.0551, 7.8583, 3.9990, 4.1139, 8.9315, 4.2042]),
        (999, [2.7337, 2.2106, 7.7815, 8.2207, 6.5395, 4.2604]),
    ];
    let src = "torch.manual_seed(14)\nx = torch.cuda.FloatTensor(1000, 100).normal_(5, 5**.5)";
    let a4000 = f32s(&run(src, "a4000").0[0]);
    let rtx2070 = f32s(&run(src, "rtx2070-super").0[0]);
    let std = 5f64.sqrt();
    for (r, want) in rows {
        for (c, p) in [0, 1, 2, 97, 98, 99].iter().zip(want) {
            assert_printed(a4000[r * 100 + c], p, std, "RTX A4000");
            if r < 2 {
                assert_printed(rtx2070[r * 100 + c], p, std, "RTX 2070 SUPER");
            }
        }
    }
    // Equal below the smaller wave (40 SMs x 1024 threads), different in the last rows.
    assert_eq!(a4000[..40960], rtx2070[..40960]);
    assert_ne!(a4000[99_700..], rtx2070[99_700..]);
}

#[test]
fn pytorch_issue_62467_generator_argument() {
    // rng = torch.Generator(device='cuda:0').manual_seed(43);
    // torch.empty(1, 3, 128, 128, device='cuda').normal_(generator=rng)[..., 0, 0] printed
    // [1.9983, 0.8704, 2.1127] on an RTX A6000.
    let src = "rng = torch.Generator(device='cuda:0').manual_seed(43)\n\
               x = torch.empty(1, 3, 128, 128, device='cuda').normal_(generator=rng)\n\
               o = rng.get_offset()";
    let (rec, _) = run(src, "a6000");
    let v = f32s(&rec[0]);
    for (i, p) in [0usize, 16384, 32768].iter().zip([1.9983, 0.8704, 2.1127]) {
        assert_printed(v[*i], p, 1.0, "RTX A6000");
    }
    // 49152 elements < one A6000 wave x 4: one round.
    assert_eq!(rec[1].data.get_i128(0), Some(4));
    // No default generator was needed: nothing was seeded, nothing refused.
}

#[test]
fn pytorch_issue_158398_generator_expression() {
    let src = "x = torch.randn([1, 64, 2048], \
               generator=torch.Generator(device='cuda').manual_seed(42), device='cuda')";
    let v = f32s(&run(src, "rtx3060").0[0]);
    let q = f32s(&run(src, "quadro-rtx8000").0[0]);
    let rows: [(usize, [f64; 3]); 3] = [
        (0, [0.1940, 2.1614, -0.1721]),
        (1, [-0.4574, 0.8063, 0.1580]),
        (63, [-1.2356, -0.4083, -0.4695]),
    ];
    for (r, want) in rows {
        for (c, p) in want.iter().enumerate() {
            assert_printed(v[r * 2048 + c], *p, 1.0, "RTX 3060");
        }
    }
    assert_eq!(v[..43008], q[..43008]);
    assert_ne!(v[43008], q[43008]);
}

#[test]
fn pytorch_issue_143086_h100_vs_a100() {
    // torch.Generator('cuda').manual_seed(1); torch.randn(1, 49*12*112*144, ...) on an H100
    // and an A100: same head, different tail.
    let src = "g = torch.Generator('cuda').manual_seed(1)\n\
               x = torch.randn(1, 49*12*112*144, device='cuda', generator=g)";
    let head = [-0.2963, 2.6764, -0.1408];
    for (name, tail) in [
        ("h100-sxm", [-0.6970, -0.7780, 0.3267]),
        ("a100", [0.1549, -0.6797, -0.1656]),
    ] {
        let v = f32s(&run(src, name).0[0]);
        let n = v.len();
        for (x, p) in v[..3].iter().zip(head) {
            assert_printed(*x, p, 1.0, name);
        }
        for (x, p) in v[n - 3..].iter().zip(tail) {
            assert_printed(*x, p, 1.0, name);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Offsets, profiles, every call against the library
// ------------------------------------------------------------------------------------------

#[test]
fn rng_state_after_call_sequences() {
    let src = "torch.manual_seed(2024)\n\
               a = torch.rand(4, device='cuda')\n\
               b = torch.randn(1000000, device='cuda')\n\
               c = torch.randn(1000000, device='cuda', dtype=torch.float64)\n\
               d = torch.randint(0, 10, (5,), device='cuda')\n\
               e = torch.randint(0, 2**30, (500000,), device='cuda')\n\
               f = torch.randperm(10, device='cuda')\n\
               p = torch.full((3,), 0.5, device='cuda')\n\
               h = torch.bernoulli(p)\n\
               x = torch.ones(1000, device='cuda')\n\
               y = torch.nn.functional.dropout(x, 0.5)\n\
               y0 = torch.nn.functional.dropout(x, 0.0)\n\
               y1 = torch.nn.functional.dropout(x, 0.5, training=False)\n\
               z = torch.empty(0, device='cuda').normal_()\n\
               s = torch.cuda.get_rng_state()\n\
               s0 = torch.cuda.get_rng_state(0)\n\
               s1 = torch.cuda.get_rng_state('cuda:1')";
    let (rec, _) = run(src, "a100");
    let n = rec.len();
    assert_eq!(rec[n - 3], state(2024, 68));
    assert_eq!(rec[n - 2], state(2024, 68));
    // cuda:1 was seeded by torch.manual_seed too and never drawn from.
    assert_eq!(rec[n - 1], state(2024, 0));
    // The same sequence through the library.
    let p = prof("a100");
    let mut g = CudaGenerator::with_seed(2024);
    bits_eq(&rec[0], &cu::rand(&mut g, &p, &[4], DType::F32).unwrap());
    bits_eq(
        &rec[1],
        &cu::randn(&mut g, &p, &[1_000_000], DType::F32).unwrap(),
    );
    bits_eq(
        &rec[2],
        &cu::randn(&mut g, &p, &[1_000_000], DType::F64).unwrap(),
    );
    bits_eq(
        &rec[3],
        &cu::randint(&mut g, &p, 0, 10, &[5], DType::I64).unwrap(),
    );
    bits_eq(
        &rec[4],
        &cu::randint(&mut g, &p, 0, 1 << 30, &[500_000], DType::I64).unwrap(),
    );
    bits_eq(&rec[5], &cu::randperm(&mut g, &p, 10, DType::I64).unwrap());
    let half = NdArray::new(vec![3], Data::F32(vec![0.5; 3]));
    bits_eq(&rec[7], &cu::bernoulli(&mut g, &half).unwrap());
    let ones = NdArray::new(vec![1000], Data::F32(vec![1.0; 1000]));
    bits_eq(&rec[9], &cu::dropout(&mut g, &p, &ones, 0.5, true).unwrap());
    bits_eq(&rec[10], &ones);
    bits_eq(&rec[11], &ones);
    assert_eq!(g.get_offset(), 68);
}

#[test]
fn profiles_differ_above_one_wave_exactly_as_the_library() {
    let src = "torch.manual_seed(3)\n\
               x = torch.randn(1000000, device='cuda')\n\
               s = torch.cuda.get_rng_state()\n\
               y = torch.rand(5, device='cuda')";
    let (a, _) = run(src, "a100");
    let (h, _) = run(src, "h100-sxm");
    // A100: 221184 threads x 4 per round -> 2 rounds; H100: 270336 x 4 -> 1 round.
    assert_eq!(a[1], state(3, 8));
    assert_eq!(h[1], state(3, 4));
    let (xa, xh) = (f32s(&a[0]), f32s(&h[0]));
    assert_eq!(xa[..221_184], xh[..221_184]);
    assert_ne!(xa[221_184..], xh[221_184..]);
    // Small draws after a large one differ too (different offsets).
    assert_ne!(a[2], h[2]);
    for (name, rec) in [("a100", &a), ("h100-sxm", &h)] {
        let mut g = CudaGenerator::with_seed(3);
        let p = prof(name);
        bits_eq(
            &rec[0],
            &cu::randn(&mut g, &p, &[1_000_000], DType::F32).unwrap(),
        );
        bits_eq(&rec[2], &cu::rand(&mut g, &p, &[5], DType::F32).unwrap());
    }
    // SMSxTHREADS works like the preset it equals.
    let (c, _) = run(src, "108x2048");
    assert_eq!(c, a);
}

#[test]
fn in_place_methods_and_kernels_match_the_library() {
    let src = "torch.cuda.manual_seed(11)\n\
               t = torch.empty(300, device='cuda')\n\
               a = t.clone().uniform_(-2, 3)\n\
               b = t.clone().normal_(1, 2)\n\
               c = t.clone().log_normal_(0, 0.5)\n\
               d = t.clone().exponential_(2)\n\
               e = t.clone().geometric_(0.3)\n\
               f = t.clone().cauchy_(1, 2)\n\
               g0 = torch.empty(300, dtype=torch.int32, device='cuda').random_()\n\
               g1 = torch.empty(300, dtype=torch.int64, device='cuda').random_(7)\n\
               g2 = torch.empty(300, dtype=torch.int16, device='cuda').random_(-5, 9)\n\
               h = t.clone().bernoulli_(0.25)\n";
    let src = format!(
        "{src}q = torch.rand(300, device='cuda')\n\
         i = t.clone().bernoulli_(q)\n\
         j = torch.bernoulli(q)\n\
         k = torch.bernoulli(q, 0.75)\n\
         l = q.bernoulli()\n\
         x = torch.ones(64, dtype=torch.float16, device='cuda')\n\
         m = torch.nn.functional.dropout(x, 0.2)\n\
         x2 = torch.ones(64, device='cuda')\n\
         m2 = torch.nn.functional.dropout(x2, p=0.3, training=True, inplace=True)\n"
    );
    let (rec, _) = run(&src, "t4");
    let p = prof("t4");
    let mut g = CudaGenerator::with_seed(11);
    let z = || NdArray::new(vec![300], Data::F32(vec![0.0; 300]));
    let zi = |d: DType| seedbridge::torch::cpu::empty(&[300], d).unwrap();
    let mut exp = vec![z()];
    let mut a = z();
    cu::uniform_(&mut g, &p, &mut a, -2.0, 3.0).unwrap();
    exp.push(a);
    let mut b = z();
    cu::normal_(&mut g, &p, &mut b, 1.0, 2.0).unwrap();
    exp.push(b);
    let mut c = z();
    cu::log_normal_(&mut g, &p, &mut c, 0.0, 0.5).unwrap();
    exp.push(c);
    let mut d = z();
    cu::exponential_(&mut g, &p, &mut d, 2.0).unwrap();
    exp.push(d);
    let mut e = z();
    cu::geometric_(&mut g, &p, &mut e, 0.3).unwrap();
    exp.push(e);
    let mut f = z();
    cu::cauchy_(&mut g, &p, &mut f, 1.0, 2.0).unwrap();
    exp.push(f);
    let mut g0 = zi(DType::I32);
    cu::random_(&mut g, &p, &mut g0).unwrap();
    exp.push(g0);
    let mut g1 = zi(DType::I64);
    cu::random_from_to_(&mut g, &p, &mut g1, 0, Some(7)).unwrap();
    exp.push(g1);
    let mut g2 = zi(DType::I16);
    cu::random_from_to_(&mut g, &p, &mut g2, -5, Some(9)).unwrap();
    exp.push(g2);
    let mut h = z();
    cu::bernoulli_(&mut g, &p, &mut h, 0.25).unwrap();
    exp.push(h);
    let q = cu::rand(&mut g, &p, &[300], DType::F32).unwrap();
    exp.push(q.clone());
    let mut i = z();
    cu::bernoulli_tensor_(&mut g, &mut i, &q).unwrap();
    exp.push(i);
    exp.push(cu::bernoulli(&mut g, &q).unwrap());
    let mut k = z();
    cu::bernoulli_(&mut g, &p, &mut k, 0.75).unwrap();
    exp.push(k);
    exp.push(cu::bernoulli(&mut g, &q).unwrap());
    let x = NdArray::new(vec![64], Data::F16(vec![half::f16::ONE; 64]));
    exp.push(x.clone());
    exp.push(cu::dropout(&mut g, &p, &x, 0.2, true).unwrap());
    // In place: noise = bernoulli_(1 - p) on a float tensor, times 1/(1 - p) in float.
    let ones = NdArray::new(vec![64], Data::F32(vec![1.0; 64]));
    let mut noise = ones.clone();
    cu::bernoulli_(&mut g, &p, &mut noise, 0.7).unwrap();
    let inv = 1.0f32 / 0.7f32;
    let m2: Vec<f32> = f32s(&noise).iter().map(|&n| 1.0 * (n * inv)).collect();
    // `x2` is recorded (a snapshot) before dropout mutates it in place.
    exp.push(ones);
    exp.push(NdArray::new(vec![64], Data::F32(m2)));
    assert_eq!(rec.len(), exp.len());
    for (r, e) in rec.iter().zip(&exp) {
        bits_eq(r, e);
    }
}

#[test]
fn normal_forms_and_like_factories_on_cuda() {
    let src = "torch.manual_seed(5)\n\
               a = torch.normal(2.0, 3.0, (4, 5), device='cuda')\n\
               mean = torch.tensor([1.0, -1.0, 10.0], device='cuda')\n\
               b = torch.normal(mean, 0.5)\n\
               sd = torch.tensor([1.0, 2.0, 0.0], device='cuda')\n\
               c = torch.normal(3.0, sd)\n\
               d = torch.normal(mean, sd)\n\
               e = torch.rand_like(mean)\n\
               f = torch.randn_like(mean, dtype=torch.float64)\n\
               h = torch.randint_like(mean, 10)\n\
               i = torch.zeros_like(mean)\n\
               j = torch.randint(3, 9, (6,), device='cuda', dtype=torch.int32)\n\
               k = torch.randperm(20, device='cuda', dtype=torch.int32)";
    let (rec, out) = run(src, "l4");
    assert!(out.is_empty());
    let p = prof("l4");
    let mut g = CudaGenerator::with_seed(5);
    let mut a = NdArray::new(vec![4, 5], Data::F32(vec![0.0; 20]));
    cu::normal_(&mut g, &p, &mut a, 2.0, 3.0).unwrap();
    bits_eq(&rec[0], &a);
    let mean = [1.0f32, -1.0, 10.0];
    let mut b = NdArray::new(vec![3], Data::F32(vec![0.0; 3]));
    cu::normal_(&mut g, &p, &mut b, 0.0, 0.5).unwrap();
    let b: Vec<f32> = f32s(&b).iter().zip(mean).map(|(x, m)| x + m).collect();
    assert_eq!(f32s(&rec[2]), b);
    let sd = [1.0f32, 2.0, 0.0];
    let mut c = NdArray::new(vec![3], Data::F32(vec![0.0; 3]));
    cu::normal_(&mut g, &p, &mut c, 0.0, 1.0).unwrap();
    let c: Vec<f32> = f32s(&c).iter().zip(sd).map(|(x, s)| x * s + 3.0).collect();
    assert_eq!(f32s(&rec[4]), c);
    let mut d = NdArray::new(vec![3], Data::F32(vec![0.0; 3]));
    cu::normal_(&mut g, &p, &mut d, 0.0, 1.0).unwrap();
    let d: Vec<f32> = f32s(&d)
        .iter()
        .zip(sd)
        .zip(mean)
        .map(|((x, s), m)| x * s + m)
        .collect();
    assert_eq!(f32s(&rec[5]), d);
    bits_eq(&rec[6], &cu::rand(&mut g, &p, &[3], DType::F32).unwrap());
    bits_eq(&rec[7], &cu::randn(&mut g, &p, &[3], DType::F64).unwrap());
    bits_eq(
        &rec[8],
        &cu::randint(&mut g, &p, 0, 10, &[3], DType::F32).unwrap(),
    );
    assert_eq!(f32s(&rec[9]), vec![0.0; 3]);
    bits_eq(
        &rec[10],
        &cu::randint(&mut g, &p, 3, 9, &[6], DType::I32).unwrap(),
    );
    bits_eq(&rec[11], &cu::randperm(&mut g, &p, 20, DType::I32).unwrap());
}

// ------------------------------------------------------------------------------------------
// Devices, seeding, generators, lazy initialisation
// ------------------------------------------------------------------------------------------

#[test]
fn devices_and_per_device_generators() {
    let src = "torch.manual_seed(1)\n\
               a = torch.rand(3, device='cuda:1')\n\
               b = torch.rand(3, device=torch.device('cuda', 0))\n\
               torch.cuda.set_device(1)\n\
               c = torch.rand(3, device='cuda')\n\
               cur = torch.cuda.current_device()\n\
               print(c)\n\
               torch.cuda.manual_seed(9)\n\
               s1 = torch.cuda.get_rng_state()\n\
               s0 = torch.cuda.get_rng_state(0)\n\
               i1 = torch.cuda.initial_seed()\n\
               torch.cuda.manual_seed_all(4)\n\
               s2 = torch.cuda.get_rng_state(device=torch.device('cuda:2'))\n\
               n = torch.cuda.device_count()\n\
               av = torch.cuda.is_available()\n\
               x = torch.rand(2).cuda()\n\
               idx = x.get_device()\n\
               y = x.to(torch.device('cuda:3'))\n\
               print(y.device.type, y.device.index, y.is_cuda, x.cpu().get_device())";
    let (rec, out) = run(src, "a100");
    let p = prof("a100");
    let mut g = CudaGenerator::with_seed(1);
    let first = cu::rand(&mut g, &p, &[3], DType::F32).unwrap();
    // cuda:1 and cuda:0 both start from seed 1.
    bits_eq(&rec[0], &first);
    bits_eq(&rec[1], &first);
    // After set_device(1), 'cuda' is cuda:1, whose generator already advanced by 4.
    bits_eq(&rec[2], &cu::rand(&mut g, &p, &[3], DType::F32).unwrap());
    assert_eq!(rec[3].data.get_i128(0), Some(1));
    assert!(out.starts_with("tensor(["), "{out}");
    assert!(out.contains("device='cuda:1')\n"), "{out}");
    assert_eq!(rec[4], state(9, 0)); // torch.cuda.manual_seed: current device only
    assert_eq!(rec[5], state(1, 4));
    assert_eq!(rec[6].data.get_i128(0), Some(9));
    assert_eq!(rec[7], state(4, 0));
    assert_eq!(rec[8].data.get_i128(0), Some(EMULATED_DEVICES as i128));
    assert_eq!(rec[9].data.get_i128(0), Some(1)); // True
    assert_eq!(rec[11].data.get_i128(0), Some(1)); // current device is 1
    bits_eq(&rec[12], &rec[10]);
    assert!(out.ends_with("cuda 3 True -1\n"), "{out}");
}

#[test]
fn torch_manual_seed_returns_the_cpu_generator_and_seeds_cuda() {
    let src = "g = torch.manual_seed(7)\n\
               a = g.initial_seed()\n\
               b = torch.cuda.initial_seed()\n\
               c = torch.cuda.get_rng_state(5)\n\
               d = g.get_state().numel()";
    let (rec, _) = run(src, "a100");
    assert_eq!(rec[0].data.get_i128(0), Some(7));
    assert_eq!(rec[1].data.get_i128(0), Some(7));
    assert_eq!(rec[2], state(7, 0));
    assert_eq!(rec[3].data.get_i128(0), Some(5056));
    // Negative seeds wrap to 64 bits, like torch.
    let (rec, _) = run(
        "torch.manual_seed(-1)\ns = torch.cuda.get_rng_state()",
        "a100",
    );
    assert_eq!(rec[0], state(u64::MAX, 0));
}

#[test]
fn lazy_initialisation_order_like_torch() {
    // Before CUDA is initialised, torch queues set_rng_state and runs the latest seed calls
    // after it: the seed wins.
    let st =
        "st = torch.tensor([7, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0], dtype=torch.uint8)";
    let src = format!(
        "{st}\ntorch.manual_seed(0)\ntorch.cuda.set_rng_state(st)\ns = torch.cuda.get_rng_state()"
    );
    let (rec, _) = run(&src, "a100");
    assert_eq!(rec[1], state(0, 0));
    // After initialisation, calls run at once.
    let src = format!(
        "{st}\ntorch.manual_seed(0)\nc = torch.cuda.current_device()\n\
         torch.cuda.set_rng_state(st)\ns = torch.cuda.get_rng_state()\n\
         x = torch.rand(3, device='cuda')"
    );
    let (rec, _) = run(&src, "a100");
    assert_eq!(rec[2], state(7, 8));
    let mut g = CudaGenerator::with_seed(7);
    g.set_offset(8).unwrap();
    bits_eq(
        &rec[3],
        &cu::rand(&mut g, &prof("a100"), &[3], DType::F32).unwrap(),
    );
    // manual_seed_all then manual_seed before initialisation: the device seed is the later.
    let (rec, _) = run(
        "torch.cuda.manual_seed_all(3)\ntorch.cuda.manual_seed(5)\n\
         a = torch.cuda.get_rng_state(0)\nb = torch.cuda.get_rng_state(1)",
        "a100",
    );
    assert_eq!((rec[0].clone(), rec[1].clone()), (state(5, 0), state(3, 0)));
    let (rec, _) = run(
        "torch.cuda.manual_seed(5)\ntorch.cuda.manual_seed_all(3)\n\
         a = torch.cuda.get_rng_state(0)",
        "a100",
    );
    assert_eq!(rec[0], state(3, 0));
    // An 8-byte state sets the seed with offset 0.
    let (rec, _) = run(
        "torch.manual_seed(1)\nx = torch.rand(1, device='cuda')\n\
         torch.cuda.set_rng_state(torch.tensor([9, 0, 0, 0, 0, 0, 0, 0], dtype=torch.uint8))\n\
         s = torch.cuda.get_rng_state()\nall = torch.cuda.get_rng_state_all()",
        "a100",
    );
    assert_eq!(rec[1], state(9, 0));
}

#[test]
fn cuda_generator_objects() {
    let src = "g = torch.Generator(device='cuda')\n\
               a = g.initial_seed()\n\
               b = g.get_offset()\n\
               g.set_offset(12)\n\
               x = torch.rand(5, device='cuda', generator=g)\n\
               c = g.get_state()\n\
               h = torch.Generator(device='cuda')\n\
               h.set_state(c)\n\
               y = torch.rand(5, device='cuda', generator=h)\n\
               z = torch.rand(5, device='cuda', generator=g)\n\
               r = g.manual_seed(3).get_offset()\n\
               w = torch.empty(4, device='cuda').uniform_(generator=g)\n\
               print(g.device, g.device.index, torch.Generator(device='cuda:1').device.index)";
    let (rec, out) = run(src, "v100");
    assert_eq!(rec[0].data.get_i128(0), Some(67_280_421_310_721));
    assert_eq!(rec[1].data.get_i128(0), Some(0));
    let p = prof("v100");
    let mut g = CudaGenerator::new();
    g.set_offset(12).unwrap();
    bits_eq(&rec[2], &cu::rand(&mut g, &p, &[5], DType::F32).unwrap());
    assert_eq!(rec[3], state(67_280_421_310_721, 16));
    bits_eq(&rec[4], &cu::rand(&mut g, &p, &[5], DType::F32).unwrap());
    bits_eq(&rec[5], &rec[4]);
    assert_eq!(rec[6].data.get_i128(0), Some(0));
    let mut g = CudaGenerator::with_seed(3);
    bits_eq(&rec[7], &cu::rand(&mut g, &p, &[4], DType::F32).unwrap());
    assert_eq!(out, "cuda None 1\n");
}

#[test]
fn moving_tensors_between_devices() {
    let src = "torch.manual_seed(2)\n\
               a = torch.rand(3)\n\
               b = a.cuda()\n\
               c = a.to('cuda:2', torch.float64)\n\
               d = c.to(torch.float16)\n\
               e = d.cpu()\n\
               f = b.to(a)\n\
               h = torch.tensor([[1, 2], [3, 4]], device='cuda')\n\
               i = h.float().numpy(force=True)\n\
               print(b)\n\
               print(c)\n\
               print(d.device.index, e.device.type, f.device.type, f.device.index)\n\
               print(h)\n\
               print(torch.zeros(2, dtype=torch.int32, device='cuda:1'))\n\
               print(torch.full((2,), 7, device='cuda'))";
    let (rec, out) = run(src, "a100");
    bits_eq(&rec[1], &rec[0]);
    assert_eq!(rec[2].dtype(), DType::F64);
    assert_eq!(rec[3].dtype(), DType::F16);
    assert_eq!(rec[5].dtype(), DType::F32);
    assert_eq!(rec[7].dtype(), DType::F32);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].ends_with("], device='cuda:0')"), "{out}");
    assert!(
        lines[1].ends_with("], device='cuda:2', dtype=torch.float64)"),
        "{out}"
    );
    assert_eq!(lines[2], "2 cpu cpu None");
    assert_eq!(lines[3], "tensor([[1, 2],");
    assert_eq!(lines[4], "        [3, 4]], device='cuda:0')");
    assert_eq!(
        lines[5],
        "tensor([0, 0], device='cuda:1', dtype=torch.int32)"
    );
    assert_eq!(lines[6], "tensor([7, 7], device='cuda:0')");
}

#[test]
fn cpu_stream_is_unaffected_by_cuda_calls() {
    let with = "torch.manual_seed(5)\na = torch.rand(3)\n\
                b = torch.randn(100000, device='cuda')\nc = torch.randperm(50, device='cuda')\n\
                d = torch.rand(3)\ns = torch.get_rng_state()";
    let without = "torch.manual_seed(5)\na = torch.rand(3)\nd = torch.rand(3)\n\
                   s = torch.get_rng_state()";
    let (w, _) = run(with, "t4");
    let (wo, _) = run(without, "t4");
    bits_eq(&w[0], &wo[0]);
    bits_eq(&w[3], &wo[1]);
    assert_eq!(w[4], wo[2]);
    // ... and CPU calls leave the CUDA stream alone.
    let (x, _) = run(
        "torch.manual_seed(5)\nb = torch.randn(10, device='cuda')\ns = torch.cuda.get_rng_state()",
        "t4",
    );
    let (y, _) = run(
        "torch.manual_seed(5)\nz = torch.randn(1000)\nb = torch.randn(10, device='cuda')\n\
         s = torch.cuda.get_rng_state()",
        "t4",
    );
    bits_eq(&x[0], &y[1]);
    assert_eq!(x[1], y[2]);
}

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

#[test]
fn torch_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "g = torch.Generator(device='cuda')\ng.set_offset(6)",
            "RuntimeError: offset must be a multiple of 4",
        ),
        (
            "g = torch.Generator(device='cuda')\n\
             g.set_state(torch.zeros(15, dtype=torch.uint8))",
            "RuntimeError: RNG state is wrong size",
        ),
        (
            "torch.cuda.set_rng_state(torch.zeros(12, dtype=torch.uint8))",
            "RuntimeError: RNG state is wrong size",
        ),
        (
            "torch.cuda.set_rng_state(torch.tensor([0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0], dtype=torch.uint8))",
            "RuntimeError: offset must be a multiple of 4",
        ),
        (
            "torch.cuda.set_rng_state(torch.zeros(16))",
            "TypeError: RNG state must be a torch.ByteTensor",
        ),
        (
            "g = torch.Generator(device='cuda')\ng.set_offset(1.5)",
            "RuntimeError: manual_offset expected a long, but got float",
        ),
        (
            "g = torch.Generator(device='cuda')\ng.manual_seed(2**64)",
            "ValueError: Overflow when unpacking long long",
        ),
        (
            "torch.Generator().get_offset()",
            "RuntimeError: CPU Generator does not use offset",
        ),
        (
            "torch.manual_seed(0)\ntorch.rand(2, device='cuda', generator=torch.Generator())",
            "RuntimeError: Expected a 'cuda' device type for generator but found 'cpu'",
        ),
        (
            "torch.manual_seed(0)\ntorch.rand(2, generator=torch.Generator(device='cuda'))",
            "RuntimeError: Expected a 'cpu' device type for generator but found 'cuda'",
        ),
        (
            "torch.manual_seed(0)\nx = torch.rand(2, device='cuda:1')\nx.numpy()",
            "TypeError: can't convert cuda:1 device type tensor to numpy. Use Tensor.cpu() to \
             copy the tensor to host memory first.",
        ),
        (
            "torch.manual_seed(0)\ntorch.rand(2, device='cuda:8')",
            "RuntimeError: CUDA error: invalid device ordinal",
        ),
        ("torch.cuda.set_device(8)", "RuntimeError: CUDA error: invalid device ordinal"),
        (
            "torch.cuda.set_device('cuda')",
            "ValueError: Expected a torch.device with a specified index or an integer, but got:cuda",
        ),
        (
            "torch.cuda.set_device('cpu')",
            "ValueError: Expected a cuda device, but got: cpu",
        ),
        ("torch.device('cuda:01')", "RuntimeError: Invalid device string: 'cuda:01'"),
        (
            "torch.device('cuda:0', 1)",
            "RuntimeError: type (string) must not include an index because index was passed \
             explicitly: cuda:0",
        ),
        (
            "torch.device('cuda', -2)",
            "RuntimeError: Device index must not be negative",
        ),
        (
            "torch.rand(2, device='gpu')",
            "RuntimeError: Expected one of cpu, cuda, ipu, xpu,",
        ),
        (
            "torch.zeros(2).cuda('cpu')",
            "RuntimeError: Invalid device, must be cuda device",
        ),
        (
            "torch.manual_seed(0)\ntorch.randn(3, device='cuda', dtype=torch.int32)",
            "NotImplementedError: \"normal_kernel_cuda\" not implemented for 'Int'",
        ),
        (
            "torch.manual_seed(0)\ntorch.empty(3, device='cuda').uniform_(2, 1)",
            "RuntimeError: uniform_ expects to return a [from, to) range, but found from=2 > to=1",
        ),
        (
            "torch.manual_seed(0)\nx = torch.ones(3, device='cuda')\n\
             torch.nn.functional.dropout(x, 1.5)",
            "ValueError: dropout probability has to be between 0 and 1, but got 1.5",
        ),
        (
            "torch.zeros(2).to(torch.float64, 'cpu')",
            "TypeError: to() received an invalid combination of arguments - got (torch.dtype, \
             str), but expected one of:",
        ),
        (
            "x = torch.tensor([1.5, float('inf')], device='cuda')\nx.long()",
            "converting non-finite or out-of-range float32 values of a CUDA tensor to int64",
        ),
        (
            "x = torch.ones(3, device='cuda')\ntorch.multinomial(x, 2)",
            "torch.multinomial on a CUDA tensor is not supported",
        ),
        (
            "torch.cuda.seed()",
            "torch.cuda.seed (it seeds nondeterministically) is not supported",
        ),
    ];
    for (src, want) in cases {
        let got = run_err(src);
        assert!(
            got.starts_with(want),
            "{src}\n  got:  {got}\n  want: {want}"
        );
    }
}

#[test]
fn unseeded_default_generators_are_refused_after_argument_errors() {
    let e = run_err("torch.rand(2, device='cuda')");
    assert!(
        e.contains("default generator of cuda:0") && e.ends_with("is not supported"),
        "{e}"
    );
    // torch.cuda.manual_seed seeds the current device only.
    let e = run_err("torch.cuda.manual_seed(1)\ntorch.rand(2, device='cuda:1')");
    assert!(e.contains("cuda:1"), "{e}");
    let e = run_err("torch.cuda.initial_seed()");
    assert!(e.contains("cuda:0"), "{e}");
    // An argument error is reported first, as torch would raise it whatever the seed.
    let e = run_err("torch.empty(2, device='cuda').normal_(0, -1)");
    assert_eq!(
        e,
        "RuntimeError: normal expects std >= 0.0, but found std -1"
    );
    // Calls that draw nothing need no seed.
    let (rec, _) = run(
        "x = torch.zeros(3, device='cuda')\n\
         y = torch.nn.functional.dropout(x, 0.5, training=False)\n\
         z = torch.nn.functional.dropout(x, 0.0)",
        "a100",
    );
    assert_eq!(rec.len(), 3);
}

#[test]
fn unknown_profile_and_backends() {
    let (e, n) = run_err_opts(
        "a = torch.zeros(1)\ntorch.manual_seed(0)\nb = torch.rand(1, device='cuda')",
        opts(Some("gtx9000")),
    );
    assert!(
        e.starts_with("ValueError: unknown GPU profile 'gtx9000'"),
        "{e}"
    );
    assert!(e.contains("h100-sxm") && e.contains("SMSxTHREADS"), "{e}");
    // torch.manual_seed does not touch CUDA yet (lazy); the first CUDA call fails.
    assert_eq!(n, 1);
    // --backend cuda: a usable GPU is required (and `run` does not drive one yet).
    let o = RunOptions {
        backend: Backend::Cuda,
        ..RunOptions::default()
    };
    let (e, _) = run_err_opts("torch.manual_seed(0)\ntorch.rand(1, device='cuda')", o);
    if seedbridge::cuda::gpu_available() {
        assert!(e.contains("--backend cuda"), "{e}");
    } else {
        assert!(
            e.starts_with("CUDA error: --backend cuda needs a usable CUDA GPU"),
            "{e}"
        );
    }
    assert_eq!(Backend::parse("cpu").unwrap(), Backend::Cpu);
    assert!(Backend::parse("gpu").is_err());
}

// ------------------------------------------------------------------------------------------
// The stderr note
// ------------------------------------------------------------------------------------------

fn notes(src: &str, o: RunOptions) -> Vec<String> {
    let stmts = parser::parse(&format!("import torch\n{src}")).unwrap();
    let mut out = Vec::new();
    let mut it = Interp::new(o, &mut out);
    it.torch.cuda.print_notes = false;
    it.run(&stmts).unwrap();
    it.torch.cuda.notes.clone()
}

#[test]
fn emulation_note_once_and_only_when_cuda_is_used() {
    let cpu_default = RunOptions {
        backend: Backend::Cpu,
        ..RunOptions::default()
    };
    let src =
        "torch.manual_seed(0)\na = torch.rand(2, device='cuda')\nb = torch.rand(2, device='cuda')";
    let n = notes(src, cpu_default.clone());
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(
        n[0].contains(DEFAULT_PROFILE) && n[0].contains("--gpu PROFILE"),
        "{n:?}"
    );
    assert!(n[0].contains("is_available() returns True"), "{n:?}");
    // A CPU-only script, even one calling torch.manual_seed: no note.
    assert!(notes("torch.manual_seed(0)\na = torch.rand(2)", cpu_default).is_empty());
    // An explicit profile with --backend cpu: nothing to say.
    assert!(notes(src, opts(Some("a100"))).is_empty());
    // auto without a GPU: says it emulates.
    if !seedbridge::cuda::gpu_available() {
        let n = notes(
            src,
            RunOptions {
                gpu: Some("a100".into()),
                ..RunOptions::default()
            },
        );
        assert_eq!(n.len(), 1);
        assert!(n[0].starts_with("note: no usable CUDA GPU"), "{n:?}");
        assert!(n[0].contains("a100 (108x2048, --gpu)"), "{n:?}");
    }
}

#[test]
fn torch_cuda_module_functions() {
    let src = "a = torch.cuda.is_initialized()\n\
               torch.manual_seed(6)\n\
               b = torch.cuda.is_initialized()\n\
               torch.cuda.synchronize()\n\
               c = torch.cuda.is_initialized()\n\
               torch.cuda.random.manual_seed(8)\n\
               states = torch.cuda.get_rng_state_all()\n\
               s0 = torch.cuda.get_rng_state(0)\n\
               s7 = torch.cuda.get_rng_state(7)\n\
               x = torch.rand(2, device='cuda:3')\n\
               torch.cuda.set_rng_state_all(states)\n\
               s3 = torch.cuda.get_rng_state(3)\n\
               e = torch.cuda.FloatTensor()\n\
               f = torch.cuda.LongTensor([1, 2])\n\
               print(torch.device('cuda'), torch.device('cuda').type, torch.device('cuda').index)";
    let (rec, out) = run(src, "a100");
    let flags: Vec<_> = rec[..3].iter().map(|r| r.data.get_i128(0)).collect();
    assert_eq!(flags, [Some(0), Some(0), Some(1)]);
    assert_eq!(rec[3], state(8, 0));
    assert_eq!(rec[4], state(6, 0));
    assert_eq!(rec[6], state(6, 0)); // restored after x drew from cuda:3
    assert_eq!(rec[7].shape, vec![0]);
    assert_eq!(rec[8].dtype(), DType::I64);
    assert_eq!(out, "cuda cuda None\n");
}
