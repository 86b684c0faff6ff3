//! NVRTC: compiling the embedded kernels to PTX, once per architecture, with pinned options.
//!
//! # Options
//! [`COMPILE_OPTIONS`] pins every option that can change a result bit:
//! `--std=c++17`, `--fmad=true`, `--ftz=false`, `--prec-div=true`, `--prec-sqrt=true` — nvcc's
//! defaults, which PyTorch's CUDA build keeps (it does not pass `--use_fast_math`) — plus
//! `-arch=compute_XX` for the target. PTX (not SASS) is produced; the driver JIT-compiles it for
//! the exact GPU. The kernels write every fused multiply-add explicitly, so `--fmad` only
//! matters for code the kernels do not spell out (there is none in the transforms); it is
//! pinned anyway to match torch's build.
//!
//! # Architecture
//! A device of compute capability `X.Y` gets `compute_XY` when this NVRTC supports it,
//! otherwise the newest supported architecture below it (PTX is forward compatible). NVRTC 13
//! dropped everything before `compute_75`; use NVRTC 12 for Volta (V100) and older.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, CString};
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::nvrtc::{result as nvres, sys as nvsys};

use super::loader::{self, guard};
use super::KERNEL_SOURCES;
use crate::{Error, Result};

/// Options passed to NVRTC besides `-arch` (see the module documentation).
pub const COMPILE_OPTIONS: &[&str] = &[
    "--std=c++17",
    "--fmad=true",
    "--ftz=false",
    "--prec-div=true",
    "--prec-sqrt=true",
];

/// One compiled kernel source (`kernels/<name>.cu`).
#[derive(Debug, Clone)]
pub struct CompiledSource {
    /// The source's name (`torch_cuda`).
    pub name: String,
    /// The architecture it was compiled for (`compute_90`).
    pub arch: String,
    /// PTX text.
    pub ptx: String,
    /// Entry points and the size in bytes of each one's PTX.
    pub entries: Vec<(String, usize)>,
    /// NVRTC's log (warnings), usually empty.
    pub log: String,
}

/// `(major, minor)` of the loaded NVRTC.
pub fn version() -> Result<(i32, i32)> {
    loader::nvrtc()?;
    guard("nvrtcVersion", || {
        let (mut ma, mut mi): (c_int, c_int) = (0, 0);
        // SAFETY: two valid out-pointers; NVRTC is loaded (checked above).
        let r = unsafe { nvsys::nvrtcVersion(&mut ma, &mut mi) };
        r.result()
            .map_err(|e| Error::Cuda(format!("nvrtcVersion failed: {e}")))?;
        Ok((ma, mi))
    })
}

/// The virtual architectures this NVRTC can target, e.g. `[75, 80, 86, 89, 90, ...]`.
pub fn supported_archs() -> Result<Vec<i32>> {
    loader::nvrtc()?;
    guard("nvrtcGetSupportedArchs", || {
        let mut n: c_int = 0;
        // SAFETY: valid out-pointer; NVRTC is loaded.
        unsafe { nvsys::nvrtcGetNumSupportedArchs(&mut n) }
            .result()
            .map_err(|e| Error::Cuda(format!("nvrtcGetNumSupportedArchs failed: {e}")))?;
        let mut v: Vec<c_int> = vec![0; n.max(0) as usize];
        if n > 0 {
            // SAFETY: `v` holds exactly `n` elements, as NVRTC requires.
            unsafe { nvsys::nvrtcGetSupportedArchs(v.as_mut_ptr()) }
                .result()
                .map_err(|e| Error::Cuda(format!("nvrtcGetSupportedArchs failed: {e}")))?;
        }
        Ok(v)
    })
}

/// Normalises an architecture name: `sm_90`, `compute_90`, `90` and `9.0` all give `compute_90`.
pub fn normalize_arch(arch: &str) -> Result<String> {
    let a = arch.trim().to_ascii_lowercase();
    let digits = a
        .strip_prefix("compute_")
        .or_else(|| a.strip_prefix("sm_"))
        .unwrap_or(&a)
        .replace('.', "");
    let (num, suffix) = match digits.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => digits.split_at(i),
        None => (digits.as_str(), ""),
    };
    if num.len() < 2 || !(suffix.is_empty() || suffix == "a" || suffix == "f") {
        return Err(Error::value(format!(
            "invalid CUDA architecture '{arch}': expected e.g. compute_90, sm_80 or 8.6"
        )));
    }
    Ok(format!("compute_{num}{suffix}"))
}

/// The architecture to compile for on a device of compute capability `(major, minor)`.
pub fn arch_for_device(major: i32, minor: i32) -> Result<String> {
    let want = major * 10 + minor;
    let archs = supported_archs()?;
    if archs.contains(&want) {
        return Ok(format!("compute_{want}"));
    }
    match archs.iter().copied().filter(|&a| a <= want).max() {
        Some(a) => Ok(format!("compute_{a}")),
        None => {
            let (ma, mi) = version().unwrap_or((0, 0));
            Err(Error::Cuda(format!(
                "NVRTC {ma}.{mi} cannot compile for compute capability {major}.{minor} (it \
                 supports {archs:?}); install NVRTC 12 with `pip install nvidia-cuda-nvrtc-cu12` \
                 and set SEEDBRIDGE_NVRTC to its nvidia/cuda_nvrtc/lib folder"
            )))
        }
    }
}

/// The size in bytes of each `.entry` of a PTX text (from its `.entry` line to the next one).
pub fn ptx_entry_sizes(ptx: &str) -> Vec<(String, usize)> {
    let mut starts: Vec<(String, usize)> = Vec::new();
    let mut pos = 0;
    for line in ptx.split_inclusive('\n') {
        let t = line.trim_start();
        let t = t.strip_prefix(".visible ").unwrap_or(t);
        if let Some(rest) = t.strip_prefix(".entry ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            starts.push((name, pos));
        }
        pos += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, (name, s)) in starts.iter().enumerate() {
        let e = starts.get(i + 1).map(|x| x.1).unwrap_or(ptx.len());
        out.push((name.clone(), e - s));
    }
    out
}

fn cstr_lossy(v: &[c_char]) -> String {
    let bytes: Vec<u8> = v
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Compiles one CUDA source `src` (named `name`) for `arch` with [`COMPILE_OPTIONS`], without
/// caching. The error carries NVRTC's log.
pub fn compile_source(name: &str, src: &str, arch: &str) -> Result<CompiledSource> {
    let arch = normalize_arch(arch)?;
    loader::nvrtc()?;
    guard("NVRTC compilation", || compile_normalized(name, src, &arch))
}

fn compile_normalized(name: &str, src: &str, arch: &str) -> Result<CompiledSource> {
    let csrc = CString::new(src)
        .map_err(|_| Error::Cuda(format!("kernel source {name} contains a NUL byte")))?;
    let cname = CString::new(format!("{name}.cu"))
        .map_err(|_| Error::Cuda(format!("kernel name {name} contains a NUL byte")))?;
    let prog = nvres::create_program(&csrc, Some(cname.as_c_str()))
        .map_err(|e| Error::Cuda(format!("nvrtcCreateProgram({name}) failed: {e}")))?;
    let mut opts: Vec<String> = COMPILE_OPTIONS.iter().map(|s| s.to_string()).collect();
    opts.push(format!("-arch={arch}"));
    // SAFETY: `prog` was just created and is destroyed exactly once below, after its last use;
    // `csrc`/`cname` outlive it.
    let compiled = unsafe { nvres::compile_program(prog, &opts) };
    // SAFETY: `prog` is valid (see above).
    let log = unsafe { nvres::get_program_log(prog) }
        .map(|v| cstr_lossy(&v))
        .unwrap_or_default();
    let ptx = match compiled {
        // SAFETY: `prog` is valid and compiled.
        Ok(()) => unsafe { nvres::get_ptx(prog) }.map(|v| cstr_lossy(&v)),
        Err(e) => Err(e),
    };
    // SAFETY: destroys `prog` once; it is not used afterwards.
    let _ = unsafe { nvres::destroy_program(prog) };
    let ptx = ptx.map_err(|e| {
        let (ma, mi) = version().unwrap_or((0, 0));
        Error::Cuda(format!(
            "NVRTC {ma}.{mi} failed to compile kernels/{name}.cu for {arch} ({e}); options {}; \
             compiler log:\n{}",
            opts.join(" "),
            log.trim_end()
        ))
    })?;
    let entries = ptx_entry_sizes(&ptx);
    Ok(CompiledSource {
        name: name.to_string(),
        arch: arch.to_string(),
        ptx,
        entries,
        log: log.trim().to_string(),
    })
}

type Cache = Mutex<HashMap<String, Arc<Vec<CompiledSource>>>>;
static CACHE: OnceLock<Cache> = OnceLock::new();

/// Every embedded kernel source compiled for `arch` (any spelling [`normalize_arch`] accepts).
/// Compiled once per architecture per process, then served from a cache.
pub fn compile_all(arch: &str) -> Result<Arc<Vec<CompiledSource>>> {
    let arch = normalize_arch(arch)?;
    loader::nvrtc()?;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // Holding the lock while compiling makes concurrent callers wait for one compilation.
    let mut map = cache
        .lock()
        .map_err(|_| Error::Cuda("the NVRTC cache lock is poisoned".into()))?;
    if let Some(v) = map.get(&arch) {
        return Ok(v.clone());
    }
    let compiled = guard("NVRTC compilation", || {
        KERNEL_SOURCES
            .iter()
            .map(|(name, src)| compile_normalized(name, src, &arch))
            .collect::<Result<Vec<_>>>()
    })?;
    let v = Arc::new(compiled);
    map.insert(arch, v.clone());
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_names() {
        assert_eq!(normalize_arch("sm_90").unwrap(), "compute_90");
        assert_eq!(normalize_arch("compute_86").unwrap(), "compute_86");
        assert_eq!(normalize_arch("8.9").unwrap(), "compute_89");
        assert_eq!(normalize_arch("90a").unwrap(), "compute_90a");
        assert!(normalize_arch("gpu").is_err());
        assert!(normalize_arch("9").is_err());
    }

    #[test]
    fn entry_sizes() {
        let ptx =
            ".version 8.0\n.visible .entry a(\n)\n{\nret;\n}\n.visible .entry b_c(\n)\n{\n}\n";
        let e = ptx_entry_sizes(ptx);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].0, "a");
        assert_eq!(e[1].0, "b_c");
        assert_eq!(e[0].1 + e[1].1, ptx.len() - ".version 8.0\n".len());
    }
}
