//! Golden tests for NumPy / torch / Python printing. Every expected string was printed by real
//! NumPy 2.4.6 and torch 2.15 (CPU); inputs are given as exact bit patterns.

use half::{bf16, f16};
use seedbridge::array::{Data, NdArray};
use seedbridge::format::{
    numpy_repr, numpy_scalar_repr, numpy_scalar_str, numpy_str, py_float_repr, py_format_exp,
    py_format_fixed, torch_repr,
};

/// Builds an array from a dtype code (`f64`, `bf16`, `u8`, `bool`, ...), a shape and the raw
/// element bits.
fn build(code: &str, shape: &[usize], bits: &[u64]) -> NdArray {
    let data = match code {
        "f16" => Data::F16(bits.iter().map(|&b| f16::from_bits(b as u16)).collect()),
        "bf16" => Data::BF16(bits.iter().map(|&b| bf16::from_bits(b as u16)).collect()),
        "f32" => Data::F32(bits.iter().map(|&b| f32::from_bits(b as u32)).collect()),
        "f64" => Data::F64(bits.iter().map(|&b| f64::from_bits(b)).collect()),
        "i8" => Data::I8(bits.iter().map(|&b| b as u8 as i8).collect()),
        "i16" => Data::I16(bits.iter().map(|&b| b as u16 as i16).collect()),
        "i32" => Data::I32(bits.iter().map(|&b| b as u32 as i32).collect()),
        "i64" => Data::I64(bits.iter().map(|&b| b as i64).collect()),
        "u8" => Data::U8(bits.iter().map(|&b| b as u8).collect()),
        "u16" => Data::U16(bits.iter().map(|&b| b as u16).collect()),
        "u32" => Data::U32(bits.iter().map(|&b| b as u32).collect()),
        "u64" => Data::U64(bits.to_vec()),
        "bool" => Data::Bool(bits.iter().map(|&b| b != 0).collect()),
        other => panic!("unknown dtype code {other}"),
    };
    NdArray::new(shape.to_vec(), data)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Compares against a large randomized file made by the throwaway generator (see the module
/// docs); run with `SEEDBRIDGE_FORMAT_FUZZ=path cargo test --test format -- --ignored`.
#[test]
#[ignore]
fn fuzz_file() {
    let Ok(path) = std::env::var("SEEDBRIDGE_FORMAT_FUZZ") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut failures = 0;
    let mut total = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let shape: Vec<usize> = if f[1] == "-" {
            vec![]
        } else {
            f[1].split(',').map(|x| x.parse().unwrap()).collect()
        };
        let bits: Vec<u64> = if f[2] == "-" {
            vec![]
        } else {
            f[2].split(',').map(|x| u64::from_str_radix(x, 16).unwrap()).collect()
        };
        let a = build(f[0], &shape, &bits);
        let mut check = |what: &str, got: String, want: &str| {
            total += 1;
            let want = unescape(want);
            if got != want {
                failures += 1;
                if failures <= 30 {
                    eprintln!("MISMATCH {what} {} {:?}\n got:\n{got}\n want:\n{want}\n", f[0], shape);
                }
            }
        };
        if !f[3].is_empty() || f[4].starts_with("array") {
            check("np_str", numpy_str(&a), f[3]);
            check("np_repr", numpy_repr(&a), f[4]);
        }
        if !f[5].is_empty() {
            check("torch", torch_repr(&a, None, false), f[5]);
            check("torch_dev", torch_repr(&a, Some(f[6]), f[7] == "1"), f[8]);
        }
        if f.len() > 10 && !f[9].is_empty() {
            check("np_scalar_str", numpy_scalar_str(&a), f[9]);
            check("np_scalar_repr", numpy_scalar_repr(&a), f[10]);
        }
    }
    eprintln!("{failures} failures of {total}");
    assert_eq!(failures, 0);
}

/// `SEEDBRIDGE_PYFLOAT_FUZZ=path`: lines `bits repr .4f .4e .0f`.
#[test]
#[ignore]
fn pyfloat_fuzz_file() {
    let Ok(path) = std::env::var("SEEDBRIDGE_PYFLOAT_FUZZ") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut failures = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let x = f64::from_bits(u64::from_str_radix(f[0], 16).unwrap());
        let got = [
            py_float_repr(x),
            py_format_fixed(x, 4),
            py_format_exp(x, 4),
            py_format_fixed(x, 0),
        ];
        for (g, w) in got.iter().zip(&f[1..]) {
            if g != w {
                failures += 1;
                if failures < 30 {
                    eprintln!("MISMATCH {x:e}: got {g} want {w}");
                }
            }
        }
    }
    assert_eq!(failures, 0);
}
