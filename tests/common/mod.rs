//! Shared helpers for the fixture tests: decode the JSON fixtures written by
//! `scripts/make_fixtures.py` and compare seedbridge's recorded values bit for bit.

#![allow(dead_code)]

use seedbridge::array::{DType, NdArray};

/// NumPy's `dtype.str` for a dtype as `--save` writes it (bfloat16 is saved as float32).
pub fn npy_dtype_str(d: DType) -> &'static str {
    match d {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::I16 => "<i2",
        DType::U16 => "<u2",
        DType::I32 => "<i4",
        DType::U32 => "<u4",
        DType::I64 => "<i8",
        DType::U64 => "<u8",
        DType::F16 => "<f2",
        DType::BF16 | DType::F32 => "<f4",
        DType::F64 => "<f8",
    }
}

/// Hex string to bytes.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Bytes as `--save` would write them (bfloat16 widened to float32).
pub fn saved_bytes(a: &NdArray) -> Vec<u8> {
    match &a.data {
        seedbridge::array::Data::BF16(v) => {
            v.iter().flat_map(|x| x.to_f32().to_le_bytes()).collect()
        }
        d => d.to_le_bytes(),
    }
}

/// Compares one recorded value with a fixture entry `{dtype, shape, hex}`; `Err` says how they
/// differ.
pub fn compare_value(got: &NdArray, exp: &serde_json::Value) -> Result<(), String> {
    let dt = exp["dtype"].as_str().unwrap_or_default();
    let shape: Vec<usize> = exp["shape"]
        .as_array()
        .map(|v| v.iter().map(|x| x.as_u64().unwrap_or(0) as usize).collect())
        .unwrap_or_default();
    let bytes = unhex(exp["hex"].as_str().unwrap_or_default());
    let got_dt = npy_dtype_str(got.dtype());
    if got_dt != dt {
        return Err(format!("dtype {got_dt} != expected {dt}"));
    }
    if got.shape != shape {
        return Err(format!("shape {:?} != expected {:?}", got.shape, shape));
    }
    let gb = saved_bytes(got);
    if gb != bytes {
        let item = got.dtype().itemsize().max(1);
        let first = (0..gb.len().min(bytes.len()))
            .find(|&i| gb[i] != bytes[i])
            .unwrap_or(0)
            / item;
        return Err(format!(
            "bytes differ from element {first} (of {}): got {:?}, expected {:?}",
            got.len(),
            &gb[first * item..((first + 1) * item).min(gb.len())],
            &bytes[first * item..((first + 1) * item).min(bytes.len())]
        ));
    }
    Ok(())
}

use seedbridge::script::{eval::RunOptions, run_source};

/// Runs every script of a fixture file written by scripts/make_fixtures.py and asserts that
/// stdout, the recorded values (bit for bit) and the exception kind all match.
pub fn check_case_file(file: &str, opts: RunOptions) {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture file");
    let data: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cases = data["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut n_values = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap_or_default();
        let script = case["script"].as_str().unwrap_or_default();
        let mut out = Vec::new();
        let (recorded, err) = run_source(script, opts.clone(), &mut out);
        let stdout = String::from_utf8_lossy(&out);
        let mut problems = Vec::new();
        if stdout != case["stdout"].as_str().unwrap_or_default() {
            problems.push(format!(
                "stdout {:?} != expected {:?}",
                stdout, case["stdout"]
            ));
        }
        match (&case["error"], &err) {
            (serde_json::Value::Null, Some(e)) => problems.push(format!("unexpected error: {e}")),
            (serde_json::Value::Null, None) => {}
            (exp, None) => problems.push(format!("expected error {exp}, got success")),
            (exp, Some(e)) => {
                let kind = exp["kind"].as_str().unwrap_or_default();
                let msg = e.error.to_string();
                if !msg.starts_with(&format!("{kind}:")) {
                    problems.push(format!("expected {kind}: {}, got {msg}", exp["message"]));
                }
            }
        }
        let exp_values = case["values"].as_array().cloned().unwrap_or_default();
        if exp_values.len() != recorded.len() {
            problems.push(format!(
                "{} values recorded, expected {}",
                recorded.len(),
                exp_values.len()
            ));
        }
        for (k, (g, e)) in recorded.iter().zip(exp_values.iter()).enumerate() {
            n_values += 1;
            if let Err(why) = compare_value(&g.array, e) {
                problems.push(format!("value {k} (line {}): {why}", g.line));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    eprintln!(
        "{file}: {} fixture scripts, {} values compared, {} failing",
        cases.len(),
        n_values,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{file}: {} of {} cases differ from the real library:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
