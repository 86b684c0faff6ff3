//! Golden tests of the torch CPU stream through `run`: scripts in
//! tests/fixtures/torch_cases_{avx2,default}.json were run by real torch 2.15 under
//! `ATEN_CPU_CAPABILITY=avx2` / `default` (scripts/make_fixtures.py --torch).

mod common;

use seedbridge::script::eval::RunOptions;
use seedbridge::torch::cpu::CpuCapability;

#[test]
fn torch_avx2_fixture_scripts_match_real_torch() {
    let opts = RunOptions {
        cpu_capability: CpuCapability::Avx2,
        ..RunOptions::default()
    };
    common::check_case_file("torch_cases_avx2.json", opts);
}

#[test]
fn torch_default_fixture_scripts_match_real_torch() {
    let opts = RunOptions {
        cpu_capability: CpuCapability::Default,
        ..RunOptions::default()
    };
    common::check_case_file("torch_cases_default.json", opts);
}
