//! State translation and random access against fixtures from the real NumPy and torch
//! (`scripts/make_state_fixtures.py` → `tests/fixtures/state/`), and `seedbridge state`'s
//! handling of malformed files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use num_bigint::BigUint;
use seedbridge::numpy::bitgen::BitGenState;
use seedbridge::state::{
    self, advance, advance_numpy_legacy, advance_torch_cpu, convert, jumped_numpy_bitgen,
    next_words, numpy_legacy_to_torch_cpu, state_command, torch_cpu_to_numpy_legacy, AnyState,
    StateDoc, StateKind,
};
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state")
}

fn cases() -> Value {
    let text = std::fs::read_to_string(fixture_dir().join("cases.json")).expect("cases.json");
    serde_json::from_str(&text).expect("cases.json parses")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_text(name: &str) -> String {
    String::from_utf8(read(name)).expect("utf-8")
}

fn doc_of(name: &str) -> StateDoc {
    StateDoc::from_bytes(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fnv_bytes(data: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

fn hexval(v: &Value) -> u64 {
    let s = v.as_str().expect("hex string");
    u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex")
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|x| x.as_u64().expect("u64"))
        .collect()
}

/// Compares words with a `{n, first, last, fnv}` summary of the script.
fn check_summary(words: &[u64], s: &Value, what: &str) {
    let n = s["n"].as_u64().unwrap() as usize;
    assert_eq!(words.len(), n, "{what}: length");
    let first = u64s(&s["first"]);
    let last = u64s(&s["last"]);
    assert_eq!(words[..first.len()], first[..], "{what}: first words");
    assert_eq!(words[n - last.len()..], last[..], "{what}: last words");
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    assert_eq!(
        fnv_bytes(&bytes),
        hexval(&s["fnv"]),
        "{what}: fnv of all words"
    );
}

fn big(n: u64) -> BigUint {
    BigUint::from(n)
}

fn legacy_of(doc: &StateDoc) -> &seedbridge::numpy::legacy::LegacyState {
    match &doc.state {
        AnyState::NumpyLegacy(l) => l,
        other => panic!("expected a legacy state, got {:?}", other.kind()),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON and raw round trips

#[test]
fn numpy_json_round_trips_are_byte_identical() {
    let c = cases();
    let mut files: Vec<String> = Vec::new();
    for key in ["numpy_legacy", "numpy_bitgen"] {
        for case in c[key].as_array().unwrap() {
            files.push(case["file"].as_str().unwrap().to_string());
        }
    }
    files.push(
        c["numpy_legacy_other"]["file"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    assert_eq!(files.len(), 7 + 7 + 1);
    for f in &files {
        let text = read_text(f);
        let st = AnyState::from_json(&text).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(st.to_json(), text, "{f}");
        assert_eq!(AnyState::from_json(&st.to_json()).unwrap(), st, "{f}");
    }
}

#[test]
fn numpy_128_bit_integers_stay_exact() {
    let st = AnyState::from_json(&read_text("np_pcg64_seed7.json")).unwrap();
    let AnyState::NumpyBitGen(BitGenState::Pcg64 { state, inc, .. }) = st else {
        panic!("PCG64 expected");
    };
    assert_eq!(state, 57900626327182248810360271475404325290u128);
    assert_eq!(inc, 261136684632268670825940853076396136793u128);
    let max = AnyState::NumpyBitGen(BitGenState::Pcg64 {
        state: u128::MAX,
        inc: u128::MAX - 2,
        has_uint32: true,
        uinteger: u32::MAX,
    });
    let text = max.to_json();
    assert!(text.contains("340282366920938463463374607431768211455"));
    assert_eq!(AnyState::from_json(&text).unwrap(), max);
}

#[test]
fn numpy_native_forms_are_read() {
    // The bare dict and the legacy tuple, as Python users would dump them.
    let text = read_text("np_legacy_seed1_randn3.json");
    let doc = AnyState::from_json(&text).unwrap();
    let l = match &doc {
        AnyState::NumpyLegacy(l) => l.clone(),
        _ => unreachable!(),
    };
    let inner = &text[text.find("\"state\": {\"bit").unwrap() + 9..text.len() - 2];
    assert_eq!(AnyState::from_json(inner).unwrap(), doc);
    let BitGenState::Mt19937 { key, pos } = &l.state else {
        unreachable!()
    };
    let keys: Vec<String> = key.iter().map(u32::to_string).collect();
    let tuple = format!(
        "[\"MT19937\", [{}], {pos}, 1, {}]",
        keys.join(", "),
        state::py_float(l.gauss)
    );
    assert_eq!(AnyState::from_json(&tuple).unwrap(), doc);
    // Bare bit generator dict.
    let text = read_text("np_philox_seed9_raw5.json");
    let inner = &text[text.find("\"state\": {\"bit").unwrap() + 9..text.len() - 2];
    assert_eq!(
        AnyState::from_json(inner).unwrap(),
        AnyState::from_json(&text).unwrap()
    );
}

#[test]
fn torch_raw_and_json_round_trips() {
    let c = cases();
    for case in c["torch_cpu"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let blob = read(f);
        let doc = StateDoc::from_bytes(&blob).unwrap();
        assert_eq!(doc.state, AnyState::TorchCpu(blob.clone()), "{f}");
        assert_eq!(doc.to_bytes(true).unwrap(), blob, "{f}");
        let via_json = AnyState::from_json(&doc.to_json()).unwrap();
        assert_eq!(via_json.to_raw().unwrap(), blob, "{f}");
        if let Some(j) = case["json"].as_str() {
            let text = read_text(j);
            assert_eq!(doc.to_json(), text, "{j}");
            assert_eq!(
                StateDoc::from_bytes(text.as_bytes()).unwrap().state,
                doc.state
            );
        }
    }
    // Other encodings of the bytes: a list of ints, {"hex"}, {"base64"}.
    let blob = read("torch_seed42_rand10.bin");
    let ints: Vec<String> = blob.iter().map(u8::to_string).collect();
    let as_list = format!(
        "{{\"format\": \"seedbridge-state\", \"version\": 1, \"kind\": \"torch-cpu\", \"state\": [{}]}}",
        ints.join(", ")
    );
    assert_eq!(
        AnyState::from_json(&as_list).unwrap().to_raw().unwrap(),
        blob
    );
    let bare_list = format!("[{}]", ints.join(","));
    assert_eq!(
        AnyState::from_json(&bare_list).unwrap().to_raw().unwrap(),
        blob
    );
    let b64 = base64(&blob);
    let as_b64 = format!(
        "{{\"format\": \"seedbridge-state\", \"version\": 1, \"kind\": \"torch-cpu\", \"state\": {{\"base64\": \"{b64}\"}}}}"
    );
    assert_eq!(
        AnyState::from_json(&as_b64).unwrap().to_raw().unwrap(),
        blob
    );
}

fn base64(b: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for ch in b.chunks(3) {
        let mut v = [0u8; 3];
        v[..ch.len()].copy_from_slice(ch);
        let n = (u32::from(v[0]) << 16) | (u32::from(v[1]) << 8) | u32::from(v[2]);
        for i in 0..4 {
            if i <= ch.len() {
                s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[test]
fn torch_cuda_layout_and_round_trips() {
    let c = cases();
    for case in c["torch_cuda"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let raw = read(f);
        let seed = case["seed"].as_u64().unwrap();
        let offset = case["offset"].as_u64().unwrap();
        let mut expect = seed.to_le_bytes().to_vec();
        expect.extend_from_slice(&offset.to_le_bytes());
        assert_eq!(raw, expect, "{f}");
        let doc = StateDoc::from_bytes(&raw).unwrap();
        assert_eq!(doc.state.kind(), StateKind::TorchCuda);
        assert_eq!(doc.to_bytes(true).unwrap(), raw);
        if offset == 0 {
            assert_eq!(state::torch_cuda_from_seed(seed).to_vec(), raw, "{f}");
        }
        if let Some(j) = case["json"].as_str() {
            let text = read_text(j);
            assert_eq!(doc.to_json(), text);
            assert_eq!(AnyState::from_json(&text).unwrap(), doc.state);
        }
    }
    // Offsets step in multiples of 4.
    let AnyState::TorchCuda(s) = doc_of("cuda_seed42_off8.bin").state else {
        unreachable!()
    };
    let adv = state::advance_torch_cuda(&s, 12).unwrap();
    assert_eq!(adv[..8], s[..8]);
    assert_eq!(u64::from_le_bytes(adv[8..].try_into().unwrap()), 20);
    assert!(state::advance_torch_cuda(&s, 2).is_err());
}

// ---------------------------------------------------------------------------------------------
// Streams and conversions

#[test]
fn numpy_states_give_numpys_next_words() {
    let c = cases();
    for key in ["numpy_legacy", "numpy_bitgen"] {
        for case in c[key].as_array().unwrap() {
            let f = case["file"].as_str().unwrap();
            let words = next_words(&doc_of(f).state, 1000).unwrap();
            check_summary(&words, &case["next_raw"], f);
        }
    }
    let other = &c["numpy_legacy_other"];
    let f = other["file"].as_str().unwrap();
    check_summary(
        &next_words(&doc_of(f).state, 1000).unwrap(),
        &other["next_raw"],
        f,
    );
}

#[test]
fn numpy_to_torch_matches_the_checked_conversion_and_stream() {
    let c = cases();
    for case in c["numpy_legacy"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let doc = doc_of(f);
        let conv = numpy_legacy_to_torch_cpu(legacy_of(&doc), None).unwrap();
        let t = &case["torch"];
        let blob = &conv.state;
        assert_eq!(blob.len(), 5056);
        assert_eq!(
            u64::from_le_bytes(blob[..8].try_into().unwrap()),
            t["seed"].as_u64().unwrap(),
            "{f}: seed"
        );
        assert_eq!(
            i32::from_le_bytes(blob[8..12].try_into().unwrap()) as i64,
            t["left"].as_i64().unwrap(),
            "{f}: left"
        );
        assert_eq!(
            u64::from_le_bytes(blob[16..24].try_into().unwrap()),
            t["next"].as_u64().unwrap(),
            "{f}: next"
        );
        assert_eq!(fnv_bytes(blob), hexval(&t["fnv"]), "{f}: blob");
        // torch continues NumPy's stream, all 32 bits of every word.
        let words = next_words(&AnyState::TorchCpu(blob.clone()), 1000).unwrap();
        check_summary(&words, &case["next_raw"], f);
        // What is reported.
        let gauss_warned = conv.warnings.iter().any(|w| w.contains("Gaussian"));
        assert_eq!(gauss_warned, case["has_gauss"].as_u64() == Some(1), "{f}");
        let default_seed = t["seed"].as_u64() == Some(state::DEFAULT_TORCH_SEED);
        let seed_warned = conv.warnings.iter().any(|w| w.contains("initial_seed"));
        assert_eq!(seed_warned, default_seed, "{f}");
    }
    for case in c["numpy_bitgen"].as_array().unwrap() {
        let Some(t) = case.get("torch") else { continue };
        let f = case["file"].as_str().unwrap();
        let conv = convert(&doc_of(f), StateKind::TorchCpu, None).unwrap();
        let blob = conv.state.state.to_raw().unwrap();
        assert_eq!(fnv_bytes(&blob), hexval(&t["fnv"]), "{f}");
        let words = next_words(&conv.state.state, 1000).unwrap();
        check_summary(&words, &case["next_raw"], f);
    }
}

#[test]
fn numpy_to_torch_to_numpy_is_byte_identical() {
    let c = cases();
    let mut identical = 0;
    for case in c["numpy_legacy"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let text = read_text(f);
        let doc = StateDoc::from_json(&text).unwrap();
        let torch = convert(&doc, StateKind::TorchCpu, None).unwrap().state;
        // Through the files, as `seedbridge state convert` does.
        let torch = StateDoc::from_bytes(&torch.to_bytes(true).unwrap()).unwrap();
        let back = convert(&torch, StateKind::NumpyLegacy, None).unwrap();
        assert!(back.warnings.is_empty(), "{f}: {:?}", back.warnings);
        let back_text = back.state.to_json();
        let pos = case["pos"].as_u64().unwrap();
        if case["has_gauss"].as_u64() == Some(0) && pos != 0 {
            assert_eq!(back_text, text, "{f}");
            identical += 1;
        } else {
            // Same stream, but the Gaussian cache is gone / pos 0 became 624.
            assert_ne!(back_text, text, "{f}");
            let l = legacy_of(&back.state);
            assert!(!l.has_gauss);
            if pos == 0 {
                assert!(matches!(l.state, BitGenState::Mt19937 { pos: 624, .. }));
            }
            let words = next_words(&back.state.state, 1000).unwrap();
            check_summary(&words, &case["next_raw"], f);
        }
    }
    assert_eq!(identical, 5);
}

#[test]
fn torch_to_numpy_matches_the_checked_conversion_and_stream() {
    let c = cases();
    for case in c["torch_cpu"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let doc = doc_of(f);
        let conv = convert(&doc, StateKind::NumpyLegacy, None).unwrap();
        let exp = &case["numpy"];
        let text = conv.state.to_json();
        assert_eq!(
            fnv_bytes(text.as_bytes()),
            hexval(&exp["fnv"]),
            "{f}: {text:.300}"
        );
        assert_eq!(conv.state.torch_seed, exp["torch_seed"].as_u64(), "{f}");
        let pos = match &legacy_of(&conv.state).state {
            BitGenState::Mt19937 { pos, .. } => *pos as u64,
            _ => unreachable!(),
        };
        assert_eq!(pos, exp["pos"].as_u64().unwrap(), "{f}");
        // NumPy continues torch's stream.
        let words = next_words(&conv.state.state, 1000).unwrap();
        check_summary(&words, &case["next_raw_numpy"], f);
        let lo31: Vec<u64> = words.iter().map(|w| w & 0x7fff_ffff).collect();
        check_summary(&lo31, &case["next_lo31"], f);
        // Our torch generator agrees with the real torch words too.
        let tw: Vec<u64> = next_words(&doc.state, 1000)
            .unwrap()
            .iter()
            .map(|w| w & 0x7fff_ffff)
            .collect();
        check_summary(&tw, &case["next_lo31"], f);
        // Caches are dropped with a warning.
        assert_eq!(
            !conv.warnings.is_empty(),
            case["cached"].as_bool().unwrap(),
            "{f}"
        );
        let (direct, seed) = torch_cpu_to_numpy_legacy(&read(f)).unwrap();
        assert_eq!(&direct.state, legacy_of(&conv.state));
        assert_eq!(seed, case["seed"].as_u64().unwrap());
    }
}

#[test]
fn torch_to_numpy_to_torch_is_byte_identical() {
    let c = cases();
    let mut identical = 0;
    for case in c["torch_cpu"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let blob = read(f);
        let np = convert(&doc_of(f), StateKind::NumpyLegacy, None)
            .unwrap()
            .state;
        // Through the JSON file (which carries torch_seed when needed).
        let np = StateDoc::from_json(&np.to_json()).unwrap();
        let back = convert(&np, StateKind::TorchCpu, None).unwrap();
        let back_blob = back.state.state.to_raw().unwrap();
        if case["cached"].as_bool().unwrap() {
            assert_eq!(back_blob[..5016], blob[..5016], "{f}");
            assert_ne!(back_blob, blob);
        } else {
            assert_eq!(back_blob, blob, "{f}");
            assert!(back.warnings.is_empty(), "{f}: {:?}", back.warnings);
            identical += 1;
        }
    }
    assert_eq!(identical, 5);
}

#[test]
fn non_canonical_torch_positions_are_refused() {
    let mut blob = read("torch_seed42_rand10.bin");
    // left_ = 5, next_ = 3: torch reads two words of the block, then twists.
    blob[8..12].copy_from_slice(&5i32.to_le_bytes());
    blob[16..24].copy_from_slice(&3u64.to_le_bytes());
    let doc = StateDoc::from_bytes(&blob).unwrap(); // torch itself accepts it
    let err = convert(&doc, StateKind::NumpyLegacy, None).unwrap_err();
    assert!(err.to_string().contains("no NumPy equivalent"), "{err}");
    assert!(advance_torch_cpu(&blob, &big(10)).is_err());
}

#[test]
fn explicit_torch_seed_and_bitgen_conversions() {
    let doc = doc_of("np_legacy_seed42_rand10.json");
    let c = convert(&doc, StateKind::TorchCpu, Some(u64::MAX)).unwrap();
    let blob = c.state.state.to_raw().unwrap();
    assert_eq!(u64::from_le_bytes(blob[..8].try_into().unwrap()), u64::MAX);
    let back = convert(&c.state, StateKind::NumpyLegacy, None)
        .unwrap()
        .state;
    assert_eq!(back.torch_seed, Some(u64::MAX));
    assert!(back
        .to_json()
        .contains("\"torch_seed\": 18446744073709551615"));
    let again = convert(&back, StateKind::TorchCpu, None).unwrap().state;
    assert_eq!(again.state.to_raw().unwrap(), blob);
    // legacy <-> bitgen: the Gaussian cache is the only difference.
    let g = doc_of("np_legacy_seed1_randn3.json");
    let b = convert(&g, StateKind::NumpyBitGen, None).unwrap();
    assert_eq!(b.warnings.len(), 1);
    let l = convert(&b.state, StateKind::NumpyLegacy, None).unwrap();
    assert!(l.warnings.is_empty());
    assert!(!legacy_of(&l.state).has_gauss);
    // Non-MT19937 states and CUDA states do not convert to torch CPU.
    for f in [
        "np_pcg64_seed7.json",
        "np_legacy_pcg64_seed5_normal3.json",
        "cuda_default.bin",
    ] {
        assert!(
            convert(&doc_of(f), StateKind::TorchCpu, None).is_err(),
            "{f}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Random access

#[test]
fn advanced_states_equal_the_long_way() {
    let c = cases();
    let mut checked = 0;
    for key in ["numpy_legacy", "numpy_bitgen"] {
        for case in c[key].as_array().unwrap() {
            let f = case["file"].as_str().unwrap();
            let doc = doc_of(f);
            for a in case["advanced"].as_array().unwrap() {
                let n = a["n"].as_u64().unwrap();
                let adv = advance(&doc.state, &big(n)).unwrap();
                assert_eq!(
                    fnv_bytes(adv.to_json().as_bytes()),
                    hexval(&a["fnv"]),
                    "{f}: n = {n}"
                );
                checked += 1;
            }
        }
    }
    for case in c["torch_cpu"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let blob = read(f);
        for a in case["advanced"].as_array().unwrap() {
            let n = a["n"].as_u64().unwrap();
            let adv = advance_torch_cpu(&blob, &big(n)).unwrap();
            assert_eq!(fnv_bytes(&adv), hexval(&a["fnv"]), "{f}: n = {n}");
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 6 + 7 * 5 + 6 * 5);
}

#[test]
fn jumped_states_equal_numpy() {
    let c = cases();
    let mut checked = 0;
    for case in c["numpy_bitgen"].as_array().unwrap() {
        let f = case["file"].as_str().unwrap();
        let AnyState::NumpyBitGen(st) = doc_of(f).state else {
            unreachable!()
        };
        for j in case["jumped"].as_array().unwrap() {
            let k = j["jumps"].as_u64().unwrap();
            let out = AnyState::NumpyBitGen(jumped_numpy_bitgen(&st, &big(k)).unwrap());
            assert_eq!(
                fnv_bytes(out.to_json().as_bytes()),
                hexval(&j["fnv"]),
                "{f}: jumped({k})"
            );
            checked += 1;
        }
        if case["bit_generator"] == "SFC64" {
            assert!(jumped_numpy_bitgen(&st, &big(1)).is_err());
        }
    }
    assert_eq!(checked, 6 * 2);
}

#[test]
fn huge_advances_compose_and_commute_with_conversion() {
    let n1 = (BigUint::from(1u32) << 200u32) + 12345u32;
    let n2 = BigUint::from(987_654_321u64);
    for f in [
        "np_legacy_seed42_rand10.json",
        "np_pcg64dxsm_seed7.json",
        "np_philox_seed9_raw5.json",
        "np_mt19937_seed3_jumped.json",
    ] {
        let st = doc_of(f).state;
        let a = advance(&advance(&st, &n1).unwrap(), &n2).unwrap();
        let b = advance(&st, &(&n1 + &n2)).unwrap();
        assert_eq!(a, b, "{f}");
    }
    // Advancing NumPy then converting equals converting then advancing torch.
    let doc = doc_of("np_legacy_seed2p32m1_rand1000.json");
    let l = legacy_of(&doc);
    let seed = Some(99);
    for n in [big(0), big(1), big(624), n1.clone()] {
        let x = numpy_legacy_to_torch_cpu(&advance_numpy_legacy(l, &n).unwrap(), seed).unwrap();
        let y = advance_torch_cpu(&numpy_legacy_to_torch_cpu(l, seed).unwrap().state, &n).unwrap();
        assert_eq!(x.state, y, "n = {n}");
    }
    // SFC64 steps one output at a time: bounded.
    let sfc = doc_of("np_sfc64_seed7.json").state;
    assert!(advance(&sfc, &n2).is_ok());
    assert!(advance(&sfc, &n1).is_err());
}

// ---------------------------------------------------------------------------------------------
// From seeds

#[test]
fn from_seed_states_equal_the_libraries() {
    let legacy = AnyState::NumpyLegacy(state::numpy_legacy_from_seed(0));
    assert_eq!(legacy.to_json(), read_text("np_legacy_seed0_fresh.json"));
    assert_eq!(
        state::torch_cpu_from_seed(123),
        read("torch_seed123_fresh.bin")
    );
    let c = cases();
    for case in c["numpy_bitgen_fresh"].as_array().unwrap() {
        let name = case["bit_generator"].as_str().unwrap();
        let seed: BigUint = case["seed"].as_str().unwrap().parse().unwrap();
        let st = AnyState::NumpyBitGen(state::numpy_bitgen_from_seed(name, &seed).unwrap());
        assert_eq!(
            fnv_bytes(st.to_json().as_bytes()),
            hexval(&case["fnv"]),
            "{name}({seed})"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The command

static DIRS: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "seedbridge-state-test-{}-{}",
            std::process::id(),
            DIRS.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
    fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> seedbridge::Result<String> {
    let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    state_command(&v)
}

fn fixture(name: &str) -> String {
    fixture_dir().join(name).to_string_lossy().into_owned()
}

#[test]
fn command_convert_advance_show_from_seed() {
    let d = TempDir::new();
    // numpy -> torch (raw by default) -> numpy: byte-identical.
    let np = fixture("np_legacy_seed42_rand10.json");
    let t = d.path("t.bin");
    let out = run(&["convert", "--to", "torch-cpu", &np, &t]).unwrap();
    assert!(
        out.starts_with(&format!("wrote {t}: torch-cpu state (5056 bytes, raw)")),
        "{out}"
    );
    let back = d.path("back.json");
    run(&["convert", "--to=numpy-legacy", &t, &back]).unwrap();
    assert_eq!(
        std::fs::read(&back).unwrap(),
        read("np_legacy_seed42_rand10.json")
    );
    // torch JSON output by extension, and --format.
    let tj = d.path("t.json");
    run(&["convert", "--to", "torch-cpu", &np, &tj]).unwrap();
    assert!(std::fs::read_to_string(&tj)
        .unwrap()
        .contains("\"kind\": \"torch-cpu\""));
    let traw = d.path("t2.json");
    run(&[
        "convert",
        "--format",
        "raw",
        "--to",
        "torch-cpu",
        &tj,
        &traw,
    ])
    .unwrap();
    assert_eq!(std::fs::read(&traw).unwrap(), std::fs::read(&t).unwrap());
    assert!(run(&[
        "convert",
        "--to",
        "numpy-legacy",
        "--format",
        "raw",
        &t,
        &d.path("x")
    ])
    .is_err());
    // Warnings for dropped caches.
    let out = run(&[
        "convert",
        "--to",
        "numpy-legacy",
        &fixture("torch_seed7_randn3_f64.bin"),
        &d.path("c.json"),
    ])
    .unwrap();
    assert!(
        out.contains("\nwarning: torch's cached normal sample"),
        "{out}"
    );
    // advance: equals the long way (fixture) and torch CUDA offsets.
    let a = d.path("a.json");
    run(&["advance", "--steps", "1000", &np, &a]).unwrap();
    let c = cases();
    let exp = c["numpy_legacy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"] == "np_legacy_seed42_rand10.json")
        .unwrap();
    let n1000 = exp["advanced"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["n"] == 1000)
        .unwrap();
    assert_eq!(
        fnv_bytes(&std::fs::read(&a).unwrap()),
        hexval(&n1000["fnv"])
    );
    run(&[
        "advance",
        "--steps",
        "2**100",
        &fixture("torch_seed42_rand10.bin"),
        &d.path("a.bin"),
    ])
    .unwrap();
    let cu = d.path("cu.bin");
    run(&[
        "advance",
        "--steps",
        "8",
        &fixture("cuda_seed42_off8.bin"),
        &cu,
    ])
    .unwrap();
    assert_eq!(std::fs::read(&cu).unwrap()[8], 16);
    run(&[
        "advance",
        "--jumps",
        "3",
        &fixture("np_pcg64_seed7.json"),
        &d.path("j.json"),
    ])
    .unwrap();
    assert!(run(&["advance", "--jumps", "1", &np, &d.path("j2.json")]).is_err());
    // from-seed.
    let s = d.path("s.json");
    run(&["from-seed", "--lib", "numpy", "0", &s]).unwrap();
    assert_eq!(
        std::fs::read(&s).unwrap(),
        read("np_legacy_seed0_fresh.json")
    );
    let s = d.path("s.bin");
    run(&["from-seed", "--lib", "torch", "123", &s]).unwrap();
    assert_eq!(std::fs::read(&s).unwrap(), read("torch_seed123_fresh.bin"));
    run(&["from-seed", "--lib", "torch", "-1", &d.path("m.bin")]).unwrap();
    run(&["from-seed", "--lib", "torch-cuda", "67280421310721", &s]).unwrap();
    assert_eq!(std::fs::read(&s).unwrap(), read("cuda_default.bin"));
    run(&[
        "from-seed",
        "--lib",
        "numpy-pcg64",
        "2**70",
        &d.path("p.json"),
    ])
    .unwrap();
    assert!(run(&[
        "from-seed",
        "--lib",
        "numpy",
        "4294967296",
        &d.path("bad.json")
    ])
    .is_err());
    assert!(run(&[
        "from-seed",
        "--lib",
        "numpy-pcg64",
        "-1",
        &d.path("bad.json")
    ])
    .is_err());
    assert!(run(&["from-seed", "--lib", "jax", "1", &d.path("bad.json")]).is_err());
    // show.
    let out = run(&["show", &np]).unwrap();
    assert!(out.contains("kind: numpy-legacy"), "{out}");
    assert!(out.contains("pos: 20"), "{out}");
    assert!(out.contains("recognised seed: 42"), "{out}");
    assert!(
        out.contains("torch equivalent: left_=605 next_=20 initial_seed 42"),
        "{out}"
    );
    let out = run(&["show", &fixture("torch_seed7_randn3_f64.bin")]).unwrap();
    assert!(out.contains("left_: 617, next_: 8"), "{out}");
    assert!(out.contains("numpy equivalent: MT19937 pos 8"), "{out}");
    let out = run(&["show", &fixture("cuda_seedmax_off2p40.bin")]).unwrap();
    assert!(out.contains("offset: 1099511627776"), "{out}");
    assert!(run(&["--help"])
        .unwrap()
        .contains("usage: seedbridge state show FILE"));
    // Nothing but the outputs was left behind (no temporary files).
    assert!(
        d.entries().iter().all(|e| !e.contains("seedbridge-tmp")),
        "{:?}",
        d.entries()
    );
}

fn drop_last_key(text: &str) -> String {
    let end = text.find("], \"pos\"").unwrap();
    let start = text[..end].rfind(", ").unwrap();
    format!("{}{}", &text[..start], &text[end..])
}

fn replace_first_key(text: &str, with: &str) -> String {
    let start = text.find("\"key\": [").unwrap() + 8;
    let end = start + text[start..].find(',').unwrap();
    format!("{}{with}{}", &text[..start], &text[end..])
}

/// Every malformed input: an error that says what is wrong, and nothing written.
#[test]
fn malformed_and_truncated_inputs_write_nothing() {
    let d = TempDir::new();
    let legacy = read_text("np_legacy_seed42_rand10.json");
    let blob = read("torch_seed42_rand10.bin");
    let mut bad: Vec<(String, Vec<u8>, &str)> = Vec::new();
    // Truncated JSON at many points.
    for cut in [
        1,
        10,
        50,
        100,
        1000,
        legacy.len() / 2,
        legacy.len() - 30,
        legacy.len() - 3,
    ] {
        bad.push((
            format!("trunc{cut}.json"),
            legacy.as_bytes()[..cut].to_vec(),
            "",
        ));
    }
    // Truncated and padded torch blobs.
    bad.push(("short.bin".into(), blob[..5000].to_vec(), "truncated"));
    bad.push(("short16.bin".into(), blob[..15].to_vec(), "neither"));
    let mut long = blob.clone();
    long.push(0);
    bad.push(("long.bin".into(), long, "neither"));
    bad.push(("empty.bin".into(), Vec::new(), "empty"));
    // Invalid torch engine fields (torch's own check).
    let mut inv = blob.clone();
    inv[8..12].copy_from_slice(&0i32.to_le_bytes());
    bad.push(("left0.bin".into(), inv, "Invalid mt19937 state"));
    let mut inv = blob.clone();
    inv[16..24].copy_from_slice(&625u64.to_le_bytes());
    bad.push(("next625.bin".into(), inv, "Invalid mt19937 state"));
    // CUDA offset not a multiple of 4.
    let mut cu = read("cuda_seed42_off8.bin");
    cu[8] = 6;
    bad.push(("cuda6.bin".into(), cu, "multiple of 4"));
    // Edited JSON.
    let edits: Vec<(&str, String, &str)> = vec![
        (
            "pos625",
            legacy.replace("\"pos\": 20", "\"pos\": 625"),
            "between 0 and 624",
        ),
        (
            "posneg",
            legacy.replace("\"pos\": 20", "\"pos\": -1"),
            "between 0 and 624",
        ),
        (
            "posfloat",
            legacy.replace("\"pos\": 20", "\"pos\": 20.0"),
            "must be an integer",
        ),
        ("key623", drop_last_key(&legacy), "624 entries"),
        (
            "keybig",
            replace_first_key(&legacy, "4294967296"),
            "between 0 and 4294967295",
        ),
        (
            "word",
            legacy.replacen("\"key\": [", "\"key\": [\"1\", ", 1),
            "",
        ),
        (
            "kind",
            legacy.replace("numpy-legacy", "numpy-old"),
            "unknown state kind",
        ),
        (
            "version",
            legacy.replace("\"version\": 1", "\"version\": 2"),
            "version 2",
        ),
        (
            "format",
            legacy.replace("seedbridge-state", "other"),
            "format",
        ),
        (
            "extra",
            legacy.replace("\"has_gauss\"", "\"has_guass\": 0, \"has_gauss\""),
            "has_guass",
        ),
        (
            "dup",
            legacy.replace("\"has_gauss\": 0", "\"has_gauss\": 0, \"has_gauss\": 1"),
            "duplicate",
        ),
        (
            "bitgen",
            legacy.replace("\"MT19937\"", "\"MT19938\""),
            "unknown bit_generator",
        ),
        (
            "gauss",
            legacy.replace("\"gauss\": 0.0", "\"gauss\": \"x\""),
            "gauss",
        ),
        ("trailing", legacy.clone() + "}", "after the JSON value"),
        (
            "torchhex",
            read_text("torch_seed42_rand10.json").replace("\"state\": \"", "\"state\": \"0"),
            "odd number",
        ),
        (
            "torchshort",
            read_text("torch_seed42_rand10.json").replace("00000000\"}", "\"}"),
            "5056 bytes",
        ),
        (
            "torchseed",
            read_text("torch_seed42_rand10.json").replace(
                "\"kind\": \"torch-cpu\"",
                "\"kind\": \"torch-cpu\", \"torch_seed\": 1",
            ),
            "torch_seed",
        ),
        (
            "pcgbig",
            read_text("np_pcg64_seed7.json").replace(
                "57900626327182248810360271475404325290",
                "340282366920938463463374607431768211456",
            ),
            "between 0 and",
        ),
        (
            "philoxpos",
            read_text("np_philox_seed9_raw5.json")
                .replace("\"buffer_pos\": 1", "\"buffer_pos\": 5"),
            "between 0 and 4",
        ),
        ("garbage", "hello".into(), "neither"),
        ("number", "42".into(), "not a state"),
    ];
    for (name, text, msg) in edits {
        bad.push((format!("{name}.json"), text.into_bytes(), msg));
    }
    for (name, bytes, msg) in &bad {
        let input = d.path(name);
        std::fs::write(&input, bytes).unwrap();
        for cmd in [
            vec!["show", input.as_str()],
            vec!["convert", "--to", "torch-cpu", input.as_str()],
            vec!["convert", "--to", "numpy-legacy", input.as_str()],
            vec!["advance", "--steps", "5", input.as_str()],
        ] {
            let out = d.path("out.json");
            let mut args = cmd.clone();
            if cmd[0] != "show" {
                args.push(&out);
            }
            let err = run(&args).expect_err(&format!("{name}: {cmd:?} should fail"));
            let text = err.to_string();
            assert!(text.contains(msg), "{name}: {cmd:?}: {text}");
            assert!(
                text.contains(name.as_str()),
                "{name}: error names the file: {text}"
            );
            assert!(!Path::new(&out).exists(), "{name}: {cmd:?} wrote OUT");
        }
    }
    // An existing OUT is left untouched by a failing command, and no temp files remain.
    let out = d.path("keep.json");
    std::fs::write(&out, b"precious").unwrap();
    assert!(run(&["convert", "--to", "torch-cpu", &d.path("short.bin"), &out]).is_err());
    assert!(run(&[
        "advance",
        "--steps",
        "x",
        &fixture("np_legacy_seed0_fresh.json"),
        &out
    ])
    .is_err());
    assert!(run(&["from-seed", "--lib", "numpy", "-3", &out]).is_err());
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    // An unwritable OUT (a directory) fails cleanly too.
    let dir_out = d.path("sub");
    std::fs::create_dir(&dir_out).unwrap();
    assert!(run(&["from-seed", "--lib", "torch", "1", &dir_out]).is_err());
    assert!(
        d.entries().iter().all(|e| !e.contains("seedbridge-tmp")),
        "{:?}",
        d.entries()
    );
    // Usage errors.
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["convert", "a"],
        vec!["convert", "a", "b"],
        vec![
            "convert",
            "--to",
            "torch-cpu",
            "--to",
            "numpy-legacy",
            "a",
            "b",
        ],
        vec!["advance", "a", "b"],
        vec!["advance", "--steps", "1", "--jumps", "1", "a", "b"],
        vec!["show", "--bogus", "x", "a"],
    ] {
        let err = run(&args).expect_err(&format!("{args:?}"));
        assert!(
            err.to_string().contains("usage: seedbridge state"),
            "{args:?}: {err}"
        );
    }
    assert!(run(&["show", &d.path("missing.json")])
        .unwrap_err()
        .to_string()
        .contains("missing.json"));
}
