//! `seedbridge doctor`: what CUDA pieces are present, and whether every kernel compiles.

use super::device::{device_count, device_info, driver_version};
use super::loader;
use super::nvrtc::{self, COMPILE_OPTIONS};
use crate::Error;

/// The message of a CUDA error without its `CUDA error: ` prefix.
fn msg(e: &Error) -> String {
    match e {
        Error::Cuda(m) => m.clone(),
        other => other.to_string(),
    }
}

/// The architecture `doctor --compile-only` compiles for when no GPU says otherwise (A100
/// class; supported by NVRTC 12 and 13).
pub const DEFAULT_ARCH: &str = "compute_80";

/// The outcome of [`doctor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorReport {
    /// Human-readable report, one finding per line.
    pub text: String,
    /// True when everything the mode needs works: NVRTC compiles every kernel, and (unless
    /// `compile_only`) a driver and at least one GPU are present and initialise.
    pub ok: bool,
}

/// Checks the driver, NVRTC and devices and compiles every kernel (for each device's
/// architecture, or [`DEFAULT_ARCH`] with `compile_only`, which needs only NVRTC).
pub fn doctor(compile_only: bool) -> DoctorReport {
    let mut out = String::new();
    let mut ok = true;
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "seedbridge {} CUDA doctor{}",
        env!("CARGO_PKG_VERSION"),
        if compile_only {
            " (--compile-only)"
        } else {
            ""
        }
    ));

    // NVRTC
    let mut archs_to_build: Vec<String> = Vec::new();
    let nvrtc_ok = match loader::nvrtc() {
        Ok(loc) => {
            let v = nvrtc::version()
                .map(|(a, b)| format!("{a}.{b}"))
                .unwrap_or_else(|e| format!("unknown ({e})"));
            let from = loc
                .path
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "found by the system loader".into());
            line(format!("NVRTC:   {v} ({from})"));
            match nvrtc::supported_archs() {
                Ok(a) => line(format!(
                    "         targets compute_{}",
                    a.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", compute_")
                )),
                Err(e) => line(format!("         targets unknown: {e}")),
            }
            line(format!(
                "         options {} -arch=<device>",
                COMPILE_OPTIONS.join(" ")
            ));
            true
        }
        Err(e) => {
            line(format!("NVRTC:   MISSING: {}", msg(&e)));
            ok = false;
            false
        }
    };

    // Driver and devices
    let driver_ok = compile_only
        || match driver_version() {
            Ok((a, b)) => {
                line(format!("driver:  CUDA {a}.{b} (libcuda.so.1)"));
                true
            }
            Err(e) => {
                line(format!("driver:  MISSING: {}", msg(&e)));
                ok = false;
                false
            }
        };
    if !compile_only && driver_ok {
        match device_count() {
            Ok(0) => {
                line("devices: none visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)".into());
                ok = false;
            }
            Ok(n) => {
                line(format!("devices: {n}"));
                for i in 0..n {
                    match device_info(i) {
                        Ok(d) => {
                            let p = d.profile();
                            line(format!(
                                "  cuda:{i}  {}  sm_{}{}  {} SMs x {} threads/SM (--gpu {p}, one \
                                 wave = {} threads)  {:.1} GiB",
                                d.name,
                                d.compute_capability.0,
                                d.compute_capability.1,
                                d.sms,
                                d.max_threads_per_sm,
                                p.wave_threads(),
                                d.total_mem as f64 / (1u64 << 30) as f64
                            ));
                            if nvrtc_ok {
                                match nvrtc::arch_for_device(
                                    d.compute_capability.0,
                                    d.compute_capability.1,
                                ) {
                                    Ok(a) => {
                                        if !archs_to_build.contains(&a) {
                                            archs_to_build.push(a);
                                        }
                                    }
                                    Err(e) => {
                                        line(format!("    cannot compile for it: {}", msg(&e)));
                                        ok = false;
                                    }
                                }
                            }
                        }
                        Err(e) => {
                            line(format!("  cuda:{i}  ERROR: {}", msg(&e)));
                            ok = false;
                        }
                    }
                }
            }
            Err(e) => {
                line(format!("devices: ERROR: {}", msg(&e)));
                ok = false;
            }
        }
    }
    if archs_to_build.is_empty() {
        archs_to_build.push(DEFAULT_ARCH.to_string());
    }

    // Kernels
    if nvrtc_ok {
        for arch in &archs_to_build {
            let t = std::time::Instant::now();
            match nvrtc::compile_all(arch) {
                Ok(srcs) => {
                    for s in srcs.iter() {
                        let total: usize = s.entries.iter().map(|e| e.1).sum();
                        line(format!(
                            "kernels: kernels/{}.cu for {arch}: {} entry points, {:.1} KiB PTX, \
                             {:.1} s: OK",
                            s.name,
                            s.entries.len(),
                            total as f64 / 1024.0,
                            t.elapsed().as_secs_f64()
                        ));
                        if !s.log.is_empty() {
                            line(format!(
                                "         compiler log: {}",
                                s.log.replace('\n', " | ")
                            ));
                        }
                    }
                }
                Err(e) => {
                    line(format!("kernels: FAILED for {arch}: {}", msg(&e)));
                    ok = false;
                }
            }
        }
    } else {
        line(format!(
            "kernels: not compiled (no NVRTC): {}",
            loader::NVRTC_HINT
        ));
    }
    line(if ok {
        "result:  OK".into()
    } else if compile_only {
        "result:  FAILED (see above)".into()
    } else {
        "result:  FAILED (see above); torch.cuda calls can still run on the CPU emulation \
         (--backend cpu)"
            .into()
    });
    DoctorReport { text: out, ok }
}

/// The text of [`doctor`] (for `seedbridge doctor [--compile-only]`).
pub fn doctor_report(compile_only: bool) -> String {
    doctor(compile_only).text
}
