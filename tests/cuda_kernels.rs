//! The CUDA backend (`seedbridge::cuda`, `kernels/*.cu`).
//!
//! (a) Every kernel compiles through NVRTC (skipped, with a message, when libnvrtc cannot be
//!     loaded; see `seedbridge::cuda::loader` for where it is looked for).
//! (b) The kernel source itself is compiled as host C++ (g++ behind `kernels/host_shim.h`) and
//!     executed on the CPU, thread by thread, for many (seed, offset, numel, GPU profile) cases
//!     including tensors above one wave; its output must equal the CPU emulation
//!     (`seedbridge::torch::cuda`) bit for bit for the uniform, integer and bernoulli paths.
//!     Skipped, with a message, when g++ is missing.
//! (c) GPU tests: skipped, with a message, when no GPU is usable. On a GPU they compare the
//!     backend with the emulation (and, in `gpu_vs_torch`, with files written by real PyTorch;
//!     see `scripts/gpu_check.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

use seedbridge::cuda::{self, kernel_for, CudaBackend};
use seedbridge::engine::philox4x32::curand_block;
use seedbridge::torch::cuda::{
    bernoulli_tensor_, curand_uniform, CudaGenerator, GpuProfile, NullaryCall, NullaryOp,
    BLOCK_SIZE,
};
use seedbridge::{DType, Data, Error, NdArray};

const ALL_DTYPES: [DType; 13] = [
    DType::F32,
    DType::F64,
    DType::F16,
    DType::BF16,
    DType::I8,
    DType::U8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::Bool,
    DType::U16,
    DType::U32,
    DType::U64,
];

fn all_ops() -> Vec<NullaryOp> {
    vec![
        NullaryOp::Uniform { from: 0.0, to: 1.0 },
        NullaryOp::Normal {
            mean: 0.0,
            std: 1.0,
        },
        NullaryOp::LogNormal {
            mean: 0.0,
            std: 1.0,
        },
        NullaryOp::Exponential { lambda: 1.0 },
        NullaryOp::Cauchy {
            median: 0.0,
            sigma: 1.0,
        },
        NullaryOp::Geometric { p: 0.5 },
        NullaryOp::Bernoulli { p: 0.5 },
        NullaryOp::RandomFromTo { range: 10, base: 0 },
        NullaryOp::RandomFromTo {
            range: 1 << 30,
            base: 0,
        },
        NullaryOp::RandomFull64,
        NullaryOp::Random,
    ]
}

/// Prints why a test is skipped, or fails it when `require` (an environment variable such as
/// SEEDBRIDGE_REQUIRE_NVRTC) is set to 1: CI and scripts/gpu_check.sh set them so that a
/// missing library cannot pass silently.
fn skip_unless_required(require: &str, test: &str, why: &str) {
    if std::env::var(require).is_ok_and(|v| v == "1") {
        panic!("{test}: {why} ({require}=1)");
    }
    eprintln!("SKIPPED {test}: {why}");
}

fn skip(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: {why}");
}

// ============================================================================================
// (a) NVRTC
// ============================================================================================

fn nvrtc_or_skip(test: &str) -> bool {
    match cuda::loader::nvrtc() {
        Ok(_) => true,
        Err(e) => {
            skip_unless_required(
                "SEEDBRIDGE_REQUIRE_NVRTC",
                test,
                &format!("NVRTC is not available ({e})"),
            );
            false
        }
    }
}

#[test]
fn nvrtc_compiles_every_kernel() {
    if !nvrtc_or_skip("nvrtc_compiles_every_kernel") {
        return;
    }
    let archs = cuda::nvrtc::supported_archs().expect("supported archs");
    let (ma, mi) = cuda::nvrtc::version().expect("nvrtc version");
    eprintln!("NVRTC {ma}.{mi}, targets {archs:?}");
    // compute_80 (both NVRTC 12 and 13) and the newest target this NVRTC has.
    let mut targets = vec!["compute_80".to_string()];
    if let Some(&newest) = archs.iter().max() {
        if newest != 80 {
            targets.push(format!("compute_{newest}"));
        }
    }
    for arch in &targets {
        let entries = cuda::compile_only(arch).unwrap_or_else(|e| panic!("{arch}: {e}"));
        assert!(
            entries.len() >= 80,
            "{arch}: only {} entry points",
            entries.len()
        );
        assert!(entries.iter().all(|(_, n)| *n > 100), "{arch}: empty entry");
        let total: usize = entries.iter().map(|e| e.1).sum();
        eprintln!("{arch}: {} kernels, {} bytes of PTX", entries.len(), total);
        // Every (op, dtype) the emulation accepts has its kernel.
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        for op in all_ops() {
            for dt in ALL_DTYPES {
                if op.check_dtype(dt).is_ok() {
                    let k = kernel_for(&op, dt).0;
                    assert!(names.contains(&k.as_str()), "{arch}: missing kernel {k}");
                }
            }
        }
        for dt in ALL_DTYPES {
            if !matches!(dt, DType::U16 | DType::U32 | DType::U64) {
                let k = format!("bernoulli_tensor_{}", cuda::dtype_suffix(dt));
                assert!(names.contains(&k.as_str()), "{arch}: missing kernel {k}");
            }
        }
    }
    // Cached: a second call is immediate and identical.
    let a = cuda::compile_only("sm_80").unwrap();
    let b = cuda::compile_only("8.0").unwrap();
    assert_eq!(a, b);
}

#[test]
fn nvrtc_errors_carry_the_compiler_log() {
    if !nvrtc_or_skip("nvrtc_errors_carry_the_compiler_log") {
        return;
    }
    let bad = "extern \"C\" __global__ void k(float* o) { o[0] = undefined_name; }";
    match cuda::nvrtc::compile_source("broken", bad, "compute_80") {
        Err(Error::Cuda(msg)) => {
            assert!(msg.contains("undefined_name"), "no log in: {msg}");
            assert!(msg.contains("--fmad=true"), "no options in: {msg}");
        }
        other => panic!("expected a CUDA error, got {other:?}"),
    }
    // An architecture NVRTC does not know is an error too, not a panic.
    assert!(cuda::compile_only("compute_12").is_err());
    assert!(cuda::compile_only("not-an-arch").is_err());
}

#[test]
fn doctor_compile_only() {
    if !nvrtc_or_skip("doctor_compile_only") {
        return;
    }
    let r = cuda::doctor(true);
    eprintln!("{}", r.text);
    assert!(r.ok, "{}", r.text);
    assert!(r.text.contains("entry points"));
}

// ============================================================================================
// (b) The kernel source executed on the CPU
// ============================================================================================

const HARNESS: &str = r#"
#include "host_shim.h"
#include "torch_cuda.cu"
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static unsigned long long arg_u64(const char* s) { return std::strtoull(s, nullptr, 0); }
static double arg_f64_bits(const char* s) {
    unsigned long long u = arg_u64(s);
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
}

// Reads cases from stdin, one per line:
//   name grid numel seed offset a_bits b_bits range base itemsize aux_file|- out_file
int main() {
    char line[4096];
    while (std::fgets(line, sizeof line, stdin)) {
        std::vector<std::string> f;
        for (char* t = std::strtok(line, " \n"); t; t = std::strtok(nullptr, " \n")) f.push_back(t);
        if (f.empty()) continue;
        if (f.size() != 12) { std::fprintf(stderr, "bad case line\n"); return 2; }
        const std::string name = f[0];
        const unsigned int grid = (unsigned int)arg_u64(f[1].c_str());
        const long long numel = (long long)arg_u64(f[2].c_str());
        const unsigned long long seed = arg_u64(f[3].c_str());
        const unsigned long long offset = arg_u64(f[4].c_str());
        const double a = arg_f64_bits(f[5].c_str());
        const double b = arg_f64_bits(f[6].c_str());
        const unsigned long long range = arg_u64(f[7].c_str());
        const long long base = (long long)arg_u64(f[8].c_str());
        const size_t itemsize = (size_t)arg_u64(f[9].c_str());
        std::vector<unsigned char> aux(8);
        if (f[10] != "-") {
            FILE* fp = std::fopen(f[10].c_str(), "rb");
            if (!fp) return 3;
            std::fseek(fp, 0, SEEK_END);
            long n = std::ftell(fp);
            std::fseek(fp, 0, SEEK_SET);
            aux.resize((size_t)n + 8);
            if (std::fread(aux.data(), 1, (size_t)n, fp) != (size_t)n) return 3;
            std::fclose(fp);
        }
        std::vector<unsigned char> out((size_t)numel * itemsize + 8, 0xAB);
        bool found = false;
#define SB_X(kname, threads)                                                       \
        if (name == #kname) {                                                      \
            found = true;                                                          \
            sb_host_launch(grid, threads, [&] {                                    \
                kname(out.data(), aux.data(), numel, seed, offset, a, b, range, base); \
            });                                                                    \
        }
        SB_ALL_KERNELS(SB_X)
#undef SB_X
        if (!found) { std::fprintf(stderr, "unknown kernel %s\n", name.c_str()); return 4; }
        FILE* fp = std::fopen(f[11].c_str(), "wb");
        if (!fp) return 5;
        std::fwrite(out.data(), 1, (size_t)numel * itemsize, fp);
        std::fclose(fp);
    }
    return 0;
}
"#;

/// `kernels/`, or SEEDBRIDGE_KERNELS_DIR (to check that a deliberately broken copy fails).
fn kernels_dir() -> PathBuf {
    std::env::var_os("SEEDBRIDGE_KERNELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels"))
}

/// Builds the host harness; `None` (after printing why) when no C++ compiler is usable.
fn build_harness(dir: &Path) -> Option<PathBuf> {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".into());
    if Command::new(&cxx).arg("--version").output().is_err() {
        skip_unless_required(
            "SEEDBRIDGE_REQUIRE_CXX",
            "host-executed kernels",
            &format!("no C++ compiler ({cxx} not found; set CXX)"),
        );
        return None;
    }
    let src = dir.join("harness.cpp");
    std::fs::write(&src, HARNESS).expect("write harness");
    let exe = dir.join("harness");
    let out = Command::new(&cxx)
        .args(["-std=c++17", "-O2", "-ffp-contract=off", "-Wall", "-Wextra"])
        .arg("-Wno-unknown-pragmas")
        .arg("-I")
        .arg(kernels_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run the C++ compiler");
    assert!(
        out.status.success(),
        "kernels/torch_cuda.cu does not compile as host C++:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(exe)
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("seedbridge-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

struct HostCase {
    label: String,
    kernel: String,
    grid: u32,
    numel: u64,
    seed: u64,
    offset: u64,
    a: f64,
    b: f64,
    range: u64,
    base: i64,
    itemsize: usize,
    aux: Option<Vec<u8>>,
    expect: Vec<u8>,
}

/// Runs every case through the harness (one process) and compares bytes.
fn run_host_cases(exe: &Path, dir: &Path, cases: &[HostCase]) {
    let mut script = String::new();
    for (i, c) in cases.iter().enumerate() {
        let aux = match &c.aux {
            Some(bytes) => {
                let p = dir.join(format!("aux{i}.bin"));
                std::fs::write(&p, bytes).unwrap();
                p.display().to_string()
            }
            None => "-".into(),
        };
        script.push_str(&format!(
            "{} {} {} {} {} {} {} {} {} {} {} {}\n",
            c.kernel,
            c.grid,
            c.numel,
            c.seed,
            c.offset,
            c.a.to_bits(),
            c.b.to_bits(),
            c.range,
            c.base as u64,
            c.itemsize,
            aux,
            dir.join(format!("out{i}.bin")).display()
        ));
    }
    let mut child = Command::new(exe)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the harness");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "harness failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let got = std::fs::read(dir.join(format!("out{i}.bin"))).unwrap();
        if got != c.expect {
            let n = c.itemsize;
            let first = (0..c.numel as usize)
                .find(|&e| got[e * n..(e + 1) * n] != c.expect[e * n..(e + 1) * n])
                .unwrap_or(0);
            failures.push(format!(
                "{}: first difference at element {first}: kernel {:02x?} emulation {:02x?}",
                c.label,
                &got[first * n..(first + 1) * n],
                &c.expect[first * n..(first + 1) * n]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} host-executed cases differ from the emulation:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Host cases for one nullary op: one per launch of the emulation's plan.
fn nullary_case(
    op: NullaryOp,
    dtype: DType,
    seed: u64,
    offset: u64,
    prof: &GpuProfile,
    numel: u64,
) -> Vec<HostCase> {
    let (call, next) = NullaryCall::at(seed, offset, prof, op, dtype, numel).expect("plan");
    // Offset bookkeeping, independently: 4 per grid-stride round of the single launch.
    let l = call.launches[0];
    let per_round = u64::from(BLOCK_SIZE) * u64::from(l.policy.grid) * u64::from(op.unroll(dtype));
    assert_eq!(next, offset + ((numel - 1) / per_round + 1) * 4);
    assert_eq!(
        l.policy.grid,
        prof.max_grid().min(numel.div_ceil(256) as u32)
    );
    let data = call.generate_all().expect("emulate");
    let all = data.to_le_bytes();
    let (name, a, b, range, base) = kernel_for(&op, dtype);
    let isz = dtype.itemsize();
    call.launches
        .iter()
        .map(|l| HostCase {
            label: format!("{name} numel={numel} seed={seed:#x} offset={offset} profile={prof}"),
            kernel: name.clone(),
            grid: l.policy.grid,
            numel: l.len,
            seed: l.seed,
            offset: l.philox_offset,
            a,
            b,
            range,
            base,
            itemsize: isz,
            aux: None,
            expect: all[l.start as usize * isz..(l.start + l.len) as usize * isz].to_vec(),
        })
        .collect()
}

fn profiles() -> Vec<GpuProfile> {
    vec![
        GpuProfile::new(2, 1024), // 8 blocks: T = 2048 threads, many rounds cheaply
        GpuProfile::new(3, 1536), // 18 blocks, T = 4608
        GpuProfile::parse("t4").unwrap(), // 40 x 1024: T = 40960
        GpuProfile::parse("h200").unwrap(), // 132 x 2048: T = 270336
    ]
}

/// Sizes around the wave boundary and across several grid-stride rounds for unroll 4 and 2.
fn sizes(prof: &GpuProfile) -> Vec<u64> {
    let t = prof.wave_threads();
    let mut v = vec![1, 3, 255, 257, 1000, t - 1, t, t + 1, 2 * t + 7, 4 * t + 3];
    if t <= 8192 {
        v.extend([9 * t + 5, 17 * t + 1]);
    }
    v
}

#[test]
fn host_executed_uniform_matches_emulation() {
    let dir = temp_dir("host-uniform");
    let Some(exe) = build_harness(&dir) else {
        return;
    };
    let seeds = [0u64, 42, 0x8000_0000_0000_0005];
    let mut cases = Vec::new();
    for (pi, prof) in profiles().iter().enumerate() {
        for (si, &numel) in sizes(prof).iter().enumerate() {
            let seed = seeds[(pi + si) % seeds.len()];
            let offset = [0u64, 8, 4 << 33][(pi * 3 + si) % 3];
            for dt in [DType::F32, DType::F64, DType::F16, DType::BF16] {
                cases.extend(nullary_case(
                    NullaryOp::Uniform { from: 0.0, to: 1.0 },
                    dt,
                    seed,
                    offset,
                    prof,
                    numel,
                ));
                if numel < 100_000 {
                    // uniform_(from, to) with a range that makes the fma and the reverse-bound
                    // fix matter, and bounds inexact in half/bfloat16.
                    cases.extend(nullary_case(
                        NullaryOp::Uniform {
                            from: -2.3,
                            to: 3.7,
                        },
                        dt,
                        seed ^ 0x55,
                        offset,
                        prof,
                        numel,
                    ));
                }
            }
        }
    }
    // The reverse-bound fix itself: a huge range where u * range + from rounds to `to`.
    let prof = GpuProfile::new(2, 1024);
    for dt in [DType::F32, DType::F16, DType::BF16] {
        cases.extend(nullary_case(
            NullaryOp::Uniform { from: 0.0, to: 3.0 },
            dt,
            7,
            0,
            &prof,
            40_000,
        ));
    }
    eprintln!("{} host-executed uniform launches", cases.len());
    run_host_cases(&exe, &dir, &cases);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn host_executed_integer_and_bernoulli_match_emulation() {
    let dir = temp_dir("host-int");
    let Some(exe) = build_harness(&dir) else {
        return;
    };
    let mut cases = Vec::new();
    let ops: Vec<(NullaryOp, Vec<DType>)> = vec![
        (
            NullaryOp::RandomFromTo {
                range: 1000,
                base: -17,
            },
            ALL_DTYPES.to_vec(),
        ),
        (
            NullaryOp::RandomFromTo { range: 2, base: 0 },
            vec![DType::Bool, DType::U8],
        ),
        (
            NullaryOp::RandomFromTo {
                range: (1 << 28) - 1,
                base: 5,
            },
            vec![DType::I32, DType::I64, DType::F32, DType::U32],
        ),
        (
            NullaryOp::RandomFromTo {
                range: 1 << 28,
                base: -(1 << 27),
            },
            ALL_DTYPES.to_vec(),
        ),
        (
            NullaryOp::RandomFromTo {
                range: u64::MAX,
                base: i64::MIN,
            },
            vec![DType::I64, DType::F64, DType::BF16],
        ),
        (
            NullaryOp::RandomFull64,
            vec![DType::I64, DType::F64, DType::F32, DType::BF16],
        ),
        (
            NullaryOp::Random,
            vec![
                DType::F32,
                DType::F64,
                DType::F16,
                DType::BF16,
                DType::I8,
                DType::U8,
                DType::I16,
                DType::I32,
                DType::I64,
                DType::Bool,
            ],
        ),
        (
            NullaryOp::Bernoulli { p: 0.3 },
            vec![
                DType::F32,
                DType::F64,
                DType::F16,
                DType::BF16,
                DType::I8,
                DType::U8,
                DType::I16,
                DType::I32,
                DType::I64,
                DType::Bool,
            ],
        ),
    ];
    let mut k = 0usize;
    for prof in profiles() {
        for &numel in &sizes(&prof) {
            if numel > 300_000 {
                continue;
            }
            for (op, dts) in &ops {
                // Rotate dtypes so every one meets several sizes and profiles.
                let dt = dts[k % dts.len()];
                let seed = 0x1234_5678_9abc_def0u64.wrapping_mul(k as u64 + 1);
                let offset = 4 * (k as u64 % 5);
                k += 1;
                if op.check_dtype(dt).is_err() {
                    continue;
                }
                cases.extend(nullary_case(*op, dt, seed, offset, &prof, numel));
            }
        }
    }
    eprintln!("{} host-executed integer/bernoulli launches", cases.len());
    run_host_cases(&exe, &dir, &cases);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn host_executed_bernoulli_tensor_matches_emulation() {
    let dir = temp_dir("host-bern-t");
    let Some(exe) = build_harness(&dir) else {
        return;
    };
    let mut cases = Vec::new();
    for (i, &numel) in [1usize, 3, 4, 5, 2047, 2048, 2049, 10_001, 300_000]
        .iter()
        .enumerate()
    {
        for dt in [
            DType::F32,
            DType::F64,
            DType::F16,
            DType::BF16,
            DType::I8,
            DType::U8,
            DType::I16,
            DType::I32,
            DType::I64,
            DType::Bool,
        ] {
            let mut gen = CudaGenerator::with_seed(0xabcd + i as u64);
            gen.set_offset(8 * i as u64).unwrap();
            let (seed, offset) = (gen.initial_seed(), gen.get_offset());
            // Probabilities 0, 1 and in between (exact in float), and every third one equal to
            // the element's own uniform, where `u <= p` and `u < p` differ.
            let probs: Vec<f64> = (0..numel)
                .map(|j| {
                    if j % 3 == 1 {
                        let blk = curand_block(seed, (j / 4) as u64, offset, 0);
                        f64::from(curand_uniform(blk[j % 4]))
                    } else {
                        ((j * 7919 + i) % 1025) as f64 / 1024.0
                    }
                })
                .collect();
            let p = NdArray::new(vec![numel], Data::F64(probs.clone()));
            let mut t = NdArray::new(
                vec![numel],
                seedbridge::cuda::data_from_le_bytes(dt, &vec![0u8; numel * dt.itemsize()]),
            );
            bernoulli_tensor_(&mut gen, &mut t, &p).expect("emulate");
            assert_eq!(gen.get_offset(), offset + 12);
            let aux: Vec<u8> = if dt == DType::F64 {
                probs.iter().flat_map(|v| v.to_le_bytes()).collect()
            } else {
                probs
                    .iter()
                    .flat_map(|v| (*v as f32).to_le_bytes())
                    .collect()
            };
            cases.push(HostCase {
                label: format!("bernoulli_tensor {} numel={numel}", dt.name()),
                kernel: format!("bernoulli_tensor_{}", cuda::dtype_suffix(dt)),
                grid: numel.div_ceil(2048) as u32,
                numel: numel as u64,
                seed,
                offset,
                a: 0.0,
                b: 0.0,
                range: 0,
                base: 0,
                itemsize: dt.itemsize(),
                aux: Some(aux),
                expect: t.data.to_le_bytes(),
            });
        }
    }
    eprintln!("{} host-executed bernoulli_tensor launches", cases.len());
    run_host_cases(&exe, &dir, &cases);
    let _ = std::fs::remove_dir_all(&dir);
}

// ============================================================================================
// (c) On a GPU
// ============================================================================================

fn gpu_or_skip(test: &str) -> Option<CudaBackend> {
    match CudaBackend::device_count() {
        Ok(n) if n > 0 => {}
        Ok(_) => {
            skip_unless_required("SEEDBRIDGE_REQUIRE_GPU", test, "no CUDA GPU is visible");
            return None;
        }
        Err(e) => {
            skip_unless_required(
                "SEEDBRIDGE_REQUIRE_GPU",
                test,
                &format!("no usable CUDA driver ({e})"),
            );
            return None;
        }
    }
    match CudaBackend::new(0) {
        Ok(b) => Some(b),
        Err(e) => panic!("a GPU is visible but the backend failed to open it: {e}"),
    }
}

#[test]
fn without_a_gpu_errors_are_clear() {
    match CudaBackend::device_count() {
        Ok(n) if n > 0 => {
            // With a GPU: an ordinal past the end is a clear error.
            let e = CudaBackend::new(n + 7).expect_err("no such device");
            assert!(
                matches!(&e, Error::Cuda(m) if m.contains("does not exist")),
                "{e}"
            );
        }
        _ => {
            let e = CudaBackend::new(0).expect_err("no GPU here");
            let msg = e.to_string();
            eprintln!("no GPU: {msg}");
            assert!(matches!(e, Error::Cuda(_)), "{msg}");
            assert!(
                msg.contains("driver") || msg.contains("device") || msg.contains("GPU"),
                "unhelpful message: {msg}"
            );
            assert!(!cuda::gpu_available());
            let r = cuda::doctor(false);
            eprintln!("{}", r.text);
            assert!(!r.ok);
            assert!(r.text.contains("driver:"), "{}", r.text);
        }
    }
}

/// Known values: `torch.manual_seed(0); torch.rand(4, device='cuda')` twice, and the first
/// row of `torch.randn(8, 8, device='cuda')` (values printed by real GPUs in public sources).
#[test]
fn gpu_known_values() {
    let Some(gpu) = gpu_or_skip("gpu_known_values") else {
        return;
    };
    let (a, off) = gpu
        .nullary_at(
            NullaryOp::Uniform { from: 0.0, to: 1.0 },
            &[4],
            DType::F32,
            0,
            0,
        )
        .unwrap();
    let (b, _) = gpu
        .nullary_at(
            NullaryOp::Uniform { from: 0.0, to: 1.0 },
            &[4],
            DType::F32,
            0,
            off,
        )
        .unwrap();
    let want_a = [0.3990f32, 0.5167, 0.0249, 0.9401];
    let want_b = [0.9722f32, 0.7910, 0.4690, 0.3300];
    for (d, w) in [(&a.data, want_a), (&b.data, want_b)] {
        let Data::F32(v) = d else { panic!() };
        for (x, y) in v.iter().zip(w) {
            assert!((x - y).abs() < 6e-5, "{v:?} vs {w:?}");
        }
    }
    let n = gpu.randn(&[8, 8], DType::F32, 0, 0).unwrap();
    let Data::F32(v) = &n.data else { panic!() };
    for (x, y) in v.iter().zip([-0.9247f32, -0.4253, -2.6438, 0.1452]) {
        assert!((x - y).abs() < 6e-5, "{:?}", &v[..4]);
    }
}

/// The GPU equals the emulation bit for bit where the emulation is exact, and within the
/// documented bound for the float Box-Muller and the fast-math intrinsics.
#[test]
fn gpu_matches_emulation() {
    let Some(gpu) = gpu_or_skip("gpu_matches_emulation") else {
        return;
    };
    let prof = gpu.profile();
    let t = prof.wave_threads();
    let mut report = Vec::new();
    for op in all_ops() {
        for dt in ALL_DTYPES {
            if op.check_dtype(dt).is_err() {
                continue;
            }
            for numel in [1000u64, 4 * t + 1001] {
                let (call, _) = NullaryCall::at(123, 8, &prof, op, dt, numel).unwrap();
                let emu = call.generate_all().unwrap();
                let got = gpu
                    .execute(&call, &[numel as usize])
                    .unwrap()
                    .to_host()
                    .unwrap()
                    .data;
                let exact = got == emu;
                // Asserted: the paths the emulation reproduces exactly by construction
                // (uniform, integer, bernoulli). Reported: the device-math paths, where the
                // emulation models libdevice / MUFU (exact for most f64 cases, bounded for f32).
                let approx = matches!(
                    op,
                    NullaryOp::Normal { .. }
                        | NullaryOp::LogNormal { .. }
                        | NullaryOp::Exponential { .. }
                        | NullaryOp::Cauchy { .. }
                        | NullaryOp::Geometric { .. }
                );
                let max_diff = (0..numel as usize)
                    .map(|i| (got.get_f64(i) - emu.get_f64(i)).abs())
                    .fold(0.0f64, f64::max);
                report.push(format!(
                    "{:<40} {:<9} {:>8}  {}",
                    format!("{op:?}"),
                    dt.name(),
                    numel,
                    if exact {
                        "bit-exact".to_string()
                    } else {
                        format!("max |diff| {max_diff:.3e}")
                    }
                ));
                if !approx {
                    assert!(
                        exact,
                        "{op:?} {} numel {numel}: GPU != emulation",
                        dt.name()
                    );
                }
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}

/// Compares the GPU backend and the emulation with files written by real PyTorch
/// (`scripts/gpu_torch_cases.py`, driven by `scripts/gpu_check.sh`). Needs
/// SEEDBRIDGE_TORCH_CASES=<dir with manifest.json>.
#[test]
#[ignore = "needs a GPU and torch outputs; run by scripts/gpu_check.sh"]
fn gpu_vs_torch() {
    let Some(gpu) = gpu_or_skip("gpu_vs_torch") else {
        return;
    };
    let Ok(dir) = std::env::var("SEEDBRIDGE_TORCH_CASES") else {
        skip("gpu_vs_torch", "SEEDBRIDGE_TORCH_CASES is not set");
        return;
    };
    let dir = PathBuf::from(dir);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let prof = gpu.profile();
    let mut rows = vec![format!(
        "{:<16} {:<9} {:>9}  {:<10} {:<10} {:<7} {}",
        "call", "dtype", "numel", "gpu=torch", "emu=torch", "offset", "emu vs torch"
    )];
    let mut failures = Vec::new();
    for c in manifest["cases"].as_array().unwrap() {
        let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
        let f = |k: &str| c[k].as_f64().unwrap_or(0.0);
        let u = |k: &str| c[k].as_u64().unwrap_or(0);
        let i = |k: &str| c[k].as_i64().unwrap_or(0);
        let dt = match s("dtype").as_str() {
            "float32" => DType::F32,
            "float64" => DType::F64,
            "float16" => DType::F16,
            "bfloat16" => DType::BF16,
            "int8" => DType::I8,
            "uint8" => DType::U8,
            "int16" => DType::I16,
            "int32" => DType::I32,
            "int64" => DType::I64,
            "bool" => DType::Bool,
            "uint16" => DType::U16,
            "uint32" => DType::U32,
            "uint64" => DType::U64,
            other => panic!("dtype {other}"),
        };
        let numel = u("numel") as usize;
        let (seed, offset) = (u("seed"), u("offset"));
        let call = s("call");
        let torch_bytes = std::fs::read(dir.join(s("file"))).unwrap();
        let (gpu_out, emu_out, next) = if call == "bernoulli_tensor" {
            let pb = std::fs::read(dir.join(s("p_file"))).unwrap();
            let probs: Vec<f64> = pb
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
                .collect();
            let p = NdArray::new(vec![numel], Data::F64(probs));
            let mut g1 = CudaGenerator::with_seed(seed);
            g1.set_offset(offset).unwrap();
            let mut g2 = g1.clone();
            let got = gpu.bernoulli_tensor(&mut g1, &[numel], dt, &p).unwrap();
            let mut t = NdArray::new(
                vec![numel],
                seedbridge::cuda::data_from_le_bytes(dt, &vec![0u8; numel * dt.itemsize()]),
            );
            bernoulli_tensor_(&mut g2, &mut t, &p).unwrap();
            (got.data, t.data, g1.get_offset())
        } else {
            let op = match call.as_str() {
                "uniform" => NullaryOp::Uniform {
                    from: f("a"),
                    to: f("b"),
                },
                "normal" => NullaryOp::Normal {
                    mean: f("a"),
                    std: f("b"),
                },
                "log_normal" => NullaryOp::LogNormal {
                    mean: f("a"),
                    std: f("b"),
                },
                "exponential" => NullaryOp::Exponential { lambda: f("a") },
                "cauchy" => NullaryOp::Cauchy {
                    median: f("a"),
                    sigma: f("b"),
                },
                "geometric" => NullaryOp::Geometric { p: f("a") },
                "bernoulli" => NullaryOp::Bernoulli { p: f("a") },
                "random_from_to" => NullaryOp::RandomFromTo {
                    range: u("range"),
                    base: i("base"),
                },
                "random_full64" => NullaryOp::RandomFull64,
                "random" => NullaryOp::Random,
                other => panic!("call {other}"),
            };
            let (plan, next) = NullaryCall::at(seed, offset, &prof, op, dt, numel as u64).unwrap();
            let emu = plan.generate_all().unwrap();
            let got = gpu
                .execute(&plan, &[numel])
                .unwrap()
                .to_host()
                .unwrap()
                .data;
            (got, emu, next)
        };
        let gpu_eq = gpu_out.to_le_bytes() == torch_bytes;
        let emu_eq = emu_out.to_le_bytes() == torch_bytes;
        let off_eq = next == u("offset_after");
        let torch = seedbridge::cuda::data_from_le_bytes(dt, &torch_bytes);
        let emu_diff = if emu_eq {
            "bit-exact".to_string()
        } else {
            let m = (0..numel)
                .map(|k| (emu_out.get_f64(k) - torch.get_f64(k)).abs())
                .fold(0.0f64, f64::max);
            let n = (0..numel)
                .filter(|&k| emu_out.get_f64(k).to_bits() != torch.get_f64(k).to_bits())
                .count();
            let ulp = if let (Data::F32(x), Data::F32(y)) = (&emu_out, &torch) {
                let key = |v: f32| {
                    let b = v.to_bits() as i32;
                    i64::from(if b < 0 { i32::MIN - b } else { b })
                };
                let u = x
                    .iter()
                    .zip(y)
                    .map(|(a, b)| (key(*a) - key(*b)).unsigned_abs())
                    .max()
                    .unwrap_or(0);
                format!(", max {u} ulp")
            } else {
                String::new()
            };
            format!("{n} differ, max |diff| {m:.3e}{ulp}")
        };
        rows.push(format!(
            "{:<16} {:<9} {:>9}  {:<10} {:<10} {:<7} {}",
            call,
            dt.name(),
            numel,
            if gpu_eq { "yes" } else { "NO" },
            if emu_eq { "yes" } else { "no" },
            if off_eq { "ok" } else { "NO" },
            emu_diff
        ));
        if !gpu_eq || !off_eq {
            failures.push(format!("{call} {} {numel}", dt.name()));
        }
    }
    println!("{}", rows.join("\n"));
    assert!(
        failures.is_empty(),
        "GPU != torch for: {}",
        failures.join(", ")
    );
}

/// rand/randn float32/float64 throughput (SEEDBRIDGE_BENCH_NUMEL, default 2^28) of the
/// kernels and cuRAND's host API; prints a table. Run by scripts/gpu_check.sh.
#[test]
#[ignore = "needs a GPU; run by scripts/gpu_check.sh"]
fn gpu_benchmark() {
    let Some(gpu) = gpu_or_skip("gpu_benchmark") else {
        return;
    };
    let n: usize = std::env::var("SEEDBRIDGE_BENCH_NUMEL")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1 << 28);
    let rows = cuda::bench::benchmark(&gpu, n, 10).unwrap();
    println!("{}", cuda::bench::format_rows(&rows));
    if let Ok(path) = std::env::var("SEEDBRIDGE_BENCH_JSON") {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({"engine": r.engine, "call": r.call, "dtype": r.dtype.name(),
                                   "numel": r.numel, "ms": r.ms, "gbps": r.gbps})
            })
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    }
}

/// `scripts/gpu_torch_cases.py` records `random_(from, to)` as `RandomFromTo { range: to - from,
/// base: from }`; that holds only where torch's `update_from`/`update_to` leave the bounds
/// alone. Checks the script's bounds against the emulation's full `random_from_to_`.
#[test]
fn torch_case_bounds_are_taken_verbatim() {
    let prof = GpuProfile::new(2, 1024);
    let cases: &[(i64, i64, &[DType])] = &[
        (
            -17,
            239,
            &[
                DType::F32,
                DType::F64,
                DType::F16,
                DType::BF16,
                DType::I16,
                DType::I32,
                DType::I64,
            ],
        ),
        (-17, 100, &[DType::I8]),
        (0, 200, &[DType::U8]),
        (0, 2, &[DType::Bool]),
        (3, 1000, &[DType::U16, DType::U32, DType::U64]),
        (
            -(1 << 28),
            128,
            &[DType::F32, DType::F64, DType::BF16, DType::I32, DType::I64],
        ),
        (0, 1 << 30, &[DType::U32, DType::U64]),
    ];
    for &(from, to, dts) in cases {
        for &dt in dts {
            let n = 5000usize;
            let mut g = CudaGenerator::with_seed(9);
            let mut t = NdArray::new(
                vec![n],
                seedbridge::cuda::data_from_le_bytes(dt, &vec![0u8; n * dt.itemsize()]),
            );
            seedbridge::torch::cuda::random_from_to_(&mut g, &prof, &mut t, from, Some(to))
                .unwrap_or_else(|e| panic!("{from}..{to} {}: {e}", dt.name()));
            let op = NullaryOp::RandomFromTo {
                range: (to - from) as u64,
                base: from,
            };
            let (call, next) = NullaryCall::at(9, 0, &prof, op, dt, n as u64).unwrap();
            assert_eq!(
                call.generate_all().unwrap(),
                t.data,
                "{from}..{to} {}",
                dt.name()
            );
            assert_eq!(next, g.get_offset());
        }
    }
}
