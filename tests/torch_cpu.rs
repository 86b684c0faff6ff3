//! Golden tests: torch 2.15's CPU generator, replayed through seedbridge's Rust API and compared
//! bit for bit (element bit patterns + FNV-1a of all bytes + generator state bytes) with fixtures
//! written by `scripts/make_torch_fixtures.py` under `ATEN_CPU_CAPABILITY=avx2` and `=default`.

use std::collections::{BTreeMap, HashMap};

use seedbridge::torch::cpu::{self as tc, CpuCapability, CpuGenerator};
use seedbridge::{DType, Data, Error, NdArray};

fn fnv(b: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= x as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn dtype(s: &str) -> DType {
    match s {
        "float32" => DType::F32,
        "float64" => DType::F64,
        "float16" => DType::F16,
        "bfloat16" => DType::BF16,
        "int64" => DType::I64,
        "int32" => DType::I32,
        "int16" => DType::I16,
        "int8" => DType::I8,
        "uint8" => DType::U8,
        "bool" => DType::Bool,
        other => panic!("dtype {other}"),
    }
}

fn bits(a: &NdArray) -> Vec<String> {
    let w = a.dtype().itemsize();
    a.data
        .to_le_bytes()
        .chunks(w)
        .map(|c| {
            let mut v = 0u64;
            for (i, &b) in c.iter().enumerate() {
                v |= (b as u64) << (8 * i);
            }
            format!("{:0width$x}", v, width = 2 * w)
        })
        .collect()
}

fn describe(a: &NdArray) -> String {
    let shape = if a.shape.is_empty() {
        "-".to_string()
    } else {
        a.shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("x")
    };
    let b = bits(a);
    let join = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(",")
        }
    };
    format!(
        "out {} {} {} {} {} {}",
        a.dtype().name(),
        shape,
        a.len(),
        fnv(&a.data.to_le_bytes()),
        join(&b[..b.len().min(8)]),
        join(&b[b.len().saturating_sub(8)..])
    )
}

fn f64s(s: &str) -> Vec<f64> {
    if s == "-" {
        return vec![];
    }
    s.split(',').map(|x| x.parse().unwrap()).collect()
}

fn usizes(s: &str) -> Vec<usize> {
    if s == "-" {
        return vec![];
    }
    s.split(',').map(|x| x.parse().unwrap()).collect()
}

fn tensor(vals: &[f64], d: DType) -> NdArray {
    // Fixture inputs are exactly representable in every dtype used.
    let data = match d {
        DType::F64 => Data::F64(vals.to_vec()),
        DType::F32 => Data::F32(vals.iter().map(|&v| v as f32).collect()),
        DType::F16 => Data::F16(vals.iter().map(|&v| half::f16::from_f64(v)).collect()),
        DType::BF16 => Data::BF16(vals.iter().map(|&v| half::bf16::from_f64(v)).collect()),
        _ => panic!("tensor dtype"),
    };
    NdArray::new(vec![vals.len()], data)
}

fn err_line(e: &Error) -> String {
    match e {
        Error::Runtime(m) => format!("RuntimeError {m}"),
        Error::NotImplemented(m) => format!("NotImplementedError {m}"),
        Error::Value(m) => format!("ValueError {m}"),
        Error::Type(m) => format!("TypeError {m}"),
        other => format!("{other}"),
    }
}

struct Replay {
    cap: CpuCapability,
    default: CpuGenerator,
    gens: HashMap<String, CpuGenerator>,
    states: HashMap<String, Vec<u8>>,
}

impl Replay {
    fn gen(&mut self, a: &BTreeMap<String, String>) -> &mut CpuGenerator {
        match a.get("gen") {
            Some(n) => self.gens.get_mut(n).unwrap(),
            None => &mut self.default,
        }
    }

    /// Runs one op; returns the lines it produces.
    fn op(&mut self, op: &str, a: &BTreeMap<String, String>) -> Vec<String> {
        let cap = self.cap;
        let s = |k: &str| a.get(k).map(String::as_str).unwrap_or("");
        let f = |k: &str| s(k).parse::<f64>().unwrap();
        let i = |k: &str| s(k).parse::<i128>().unwrap();
        match op {
            "manual_seed" => {
                let seed = CpuGenerator::seed_from_int(i("seed")).unwrap();
                self.default.manual_seed(seed);
                return vec![];
            }
            "gen_new" => {
                self.gens
                    .insert(s("name").into(), CpuGenerator::with_default_seed(cap));
                return vec![];
            }
            "gen_seed" => {
                let seed = CpuGenerator::seed_from_int(i("seed")).unwrap();
                self.gens.get_mut(s("name")).unwrap().manual_seed(seed);
                return vec![];
            }
            "initial_seed" => return vec![format!("int {}", self.gen(a).initial_seed())],
            "get_state" => return vec![format!("state {}", fnv(&self.gen(a).get_state()))],
            "save_state" => {
                let st = self.default.get_state();
                self.states.insert(s("name").into(), st);
                return vec![];
            }
            "restore_state" => {
                let st = self.states[s("name")].clone();
                self.default.set_state(&st).unwrap();
                return vec![];
            }
            _ => {}
        }
        let d = a.get("dtype").map(|x| dtype(x));
        let shape = a.get("shape").map(|x| usizes(x)).unwrap_or_default();
        let g = match a.get("gen") {
            Some(n) => self.gens.get_mut(n).unwrap(),
            None => &mut self.default,
        };
        let inplace = |g: &mut CpuGenerator,
                       fun: &dyn Fn(&mut CpuGenerator, &mut NdArray) -> seedbridge::Result<()>|
         -> seedbridge::Result<NdArray> {
            let mut t = tc::empty(&shape, d.unwrap())?;
            fun(g, &mut t)?;
            Ok(t)
        };
        let r: seedbridge::Result<NdArray> = match op {
            "rand" | "rand_like" => tc::rand(g, &shape, d.unwrap()),
            "randn" | "randn_like" => tc::randn(g, &shape, d.unwrap()),
            "randint" => tc::randint(g, i("low") as i64, i("high") as i64, &shape, d.unwrap()),
            "randint1" => tc::randint(g, 0, i("high") as i64, &shape, d.unwrap()),
            "randint_like" => tc::randint(g, i("a") as i64, i("b") as i64, &shape, d.unwrap()),
            "randperm" => tc::randperm(g, i("n") as i64, d.unwrap()),
            "uniform_" => inplace(g, &|g, t| tc::uniform_(g, t, f("a"), f("b"))),
            "normal_" => inplace(g, &|g, t| tc::normal_(g, t, f("a"), f("b"))),
            "log_normal_" => inplace(g, &|g, t| tc::log_normal_(g, t, f("a"), f("b"))),
            "exponential_" => inplace(g, &|g, t| tc::exponential_(g, t, f("a"))),
            "cauchy_" => inplace(g, &|g, t| tc::cauchy_(g, t, f("a"), f("b"))),
            "geometric_" => inplace(g, &|g, t| tc::geometric_(g, t, f("a"))),
            "bernoulli_s" => inplace(g, &|g, t| tc::bernoulli_scalar_(g, t, f("a"))),
            "random_" => inplace(g, &|g, t| tc::random_(g, t)),
            "random_to" => inplace(g, &|g, t| tc::random_from_to_(g, t, 0, Some(i("b") as i64))),
            "random_from" => inplace(g, &|g, t| tc::random_from_to_(g, t, i("a") as i64, None)),
            "normal_ss" => tc::normal_scalar(g, f("a"), f("b"), &shape, d.unwrap()),
            "normal_tt" => tc::normal_tensor_tensor(
                g,
                &tensor(&f64s(s("mean")), d.unwrap()),
                &tensor(&f64s(s("std")), d.unwrap()),
            ),
            "normal_ts" => {
                tc::normal_tensor_scalar(g, &tensor(&f64s(s("mean")), d.unwrap()), f("b"))
            }
            "normal_st" => {
                tc::normal_scalar_tensor(g, f("a"), &tensor(&f64s(s("std")), d.unwrap()))
            }
            "bernoulli_t" => tc::bernoulli(g, &tensor(&f64s(s("p")), d.unwrap())),
            "bernoulli_ip" => {
                let p = tensor(&f64s(s("p")), d.unwrap());
                let mut t = tc::empty(&[p.len()], dtype(s("self"))).unwrap();
                tc::bernoulli_tensor_(g, &mut t, &p).map(|_| t)
            }
            "dropout" => tc::dropout(g, &tensor(&f64s(s("x")), d.unwrap()), f("a"), true),
            "multinomial" => {
                let mut p = tensor(&f64s(s("p")), d.unwrap());
                p.shape = shape.clone();
                tc::multinomial(g, &p, i("n") as i64, s("repl") == "1")
            }
            other => panic!("unknown op {other}"),
        };
        match r {
            Ok(t) => vec![describe(&t)],
            Err(e) => vec![format!("err {}", err_line(&e))],
        }
    }
}

/// Replays one fixture file; returns per-op (pass, fail) counts and the failure descriptions.
fn replay(file: &str, cap: CpuCapability) -> (BTreeMap<String, (usize, usize)>, Vec<String>) {
    let path = format!("{}/tests/fixtures/torch/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture file");
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut rp = Replay {
        cap,
        default: CpuGenerator::new(0, cap),
        gens: HashMap::new(),
        states: HashMap::new(),
    };
    let mut case = String::new();
    let mut pending: Vec<String> = vec![];
    let lines: Vec<&str> = text.lines().collect();
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        k += 1;
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        match tag {
            "case" => {
                case = rest.to_string();
                rp.gens.clear();
            }
            "op" => {
                let mut toks = rest.split(' ');
                let cur_op = toks.next().unwrap().to_string();
                let args: BTreeMap<String, String> = toks
                    .filter_map(|t| t.split_once('='))
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect();
                pending = rp.op(&cur_op, &args);
                // Compare with the expected lines that follow.
                for got in pending.drain(..) {
                    let want = lines[k];
                    k += 1;
                    let ok = if want.starts_with("err ") {
                        got.starts_with("err ")
                    } else {
                        got == want
                    };
                    let e = counts.entry(cur_op.clone()).or_default();
                    if ok {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                        failures.push(format!("[{case}] op {rest}\n   want {want}\n   got  {got}"));
                    }
                    if want.starts_with("err ") && got.starts_with("err ") && got != want {
                        // Same failure, different wording: counted as pass, reported.
                        eprintln!("[{case}] message differs:\n   want {want}\n   got  {got}");
                    }
                }
                // An expected result line we did not produce.
                while k < lines.len()
                    && !lines[k].starts_with("op ")
                    && !lines[k].starts_with("end")
                {
                    failures.push(format!("[{case}] op {rest}: missing {}", lines[k]));
                    counts.entry(cur_op.clone()).or_default().1 += 1;
                    k += 1;
                }
            }
            _ => {}
        }
    }
    (counts, failures)
}

fn check(file: &str, cap: CpuCapability) {
    let (counts, failures) = replay(file, cap);
    let total: usize = counts.values().map(|c| c.0 + c.1).sum();
    eprintln!("{file}: {total} checks");
    for (op, (p, f)) in &counts {
        eprintln!("  {op:<14} pass {p:>4}  fail {f:>3}");
    }
    for f in failures.iter().take(30) {
        eprintln!("{f}");
    }
    assert!(total > 400, "fixture too small");
    assert!(failures.is_empty(), "{} mismatches", failures.len());
}

#[test]
fn torch_cpu_avx2_fixtures() {
    check("cpu_avx2.txt", CpuCapability::Avx2);
}

#[test]
fn torch_cpu_default_fixtures() {
    check("cpu_default.txt", CpuCapability::Default);
}

#[test]
fn motivating_example() {
    let mut g = CpuGenerator::new(42, CpuCapability::Avx2);
    let t = tc::rand(&mut g, &[5], DType::F32).unwrap();
    let Data::F32(v) = &t.data else { panic!() };
    let want = [0.8823, 0.9150, 0.3829, 0.9593, 0.3904];
    for (a, b) in v.iter().zip(want) {
        assert!((*a as f64 - b).abs() < 5e-5);
    }
}
