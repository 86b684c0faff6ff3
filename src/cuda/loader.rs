//! Finding the CUDA libraries at run time, without panics.
//!
//! cudarc is built with `dynamic-loading`: nothing CUDA is needed to build seedbridge, and the
//! driver (`libcuda.so.1`) and NVRTC (`libnvrtc.so.13` / `libnvrtc.so.12`) are `dlopen`ed on
//! first use by *name*, so the dynamic loader searches `LD_LIBRARY_PATH`, the `ldconfig` cache
//! and the default directories. cudarc panics when a library or a symbol is missing; every
//! entry point of [`crate::cuda`] therefore checks presence first ([`driver`], [`nvrtc`]) and
//! runs cudarc behind `guard`, so a missing library is an [`Error::Cuda`] that says what to do.
//!
//! NVRTC is also looked for where pip and the CUDA toolkit put it, so `seedbridge doctor` works in
//! a PyTorch virtual environment without any setting:
//! 1. `SEEDBRIDGE_NVRTC`: a `libnvrtc.so*` file, or a folder holding one;
//! 2. the loader's own search (`LD_LIBRARY_PATH`, `ldconfig`), names `libnvrtc.so`,
//!    `libnvrtc.so.13`, `libnvrtc.so.12` (cudarc's `cuda-13000` candidate list);
//! 3. `$CUDA_HOME`, `$CUDA_PATH`, `$CUDA_ROOT`, `/usr/local/cuda` (`lib64/`, `lib/`);
//! 4. the pip wheels `nvidia-cuda-nvrtc` (CUDA 13: `site-packages/nvidia/cu13/lib/`) and
//!    `nvidia-cuda-nvrtc-cu12` (`site-packages/nvidia/cuda_nvrtc/lib/`) in `$VIRTUAL_ENV`,
//!    `$CONDA_PREFIX`, `./.venv` and the `.venv` next to the executable's `target/` folder.
//!
//! A library found in 1, 3 or 4 is `dlopen`ed by its full path and kept loaded; cudarc's later
//! `dlopen("libnvrtc.so.13")` then resolves to it, because glibc matches an already loaded
//! object by its `SONAME`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::{Error, Result};

/// Runs `f`, turning a panic inside cudarc (a missing symbol, say) into an [`Error::Cuda`].
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Cuda(format!(
                "{what} failed inside the CUDA bindings: {msg}. The CUDA driver or NVRTC library \
                 may be too old for seedbridge; run `seedbridge doctor` for details"
            )))
        }
    }
}

/// How the NVRTC library was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvrtcLocation {
    /// The file loaded, or `None` when the system loader found it by name.
    pub path: Option<PathBuf>,
}

static NVRTC: OnceLock<std::result::Result<NvrtcLocation, String>> = OnceLock::new();

/// Makes NVRTC loadable (see the module documentation) or says how to install it.
pub fn nvrtc() -> Result<NvrtcLocation> {
    NVRTC.get_or_init(find_nvrtc).clone().map_err(Error::Cuda)
}

/// The NVRTC installation hint used in errors and by `seedbridge doctor`.
pub const NVRTC_HINT: &str = "install NVRTC with `pip install nvidia-cuda-nvrtc` (CUDA 13) or \
     `pip install nvidia-cuda-nvrtc-cu12` (CUDA 12) and point seedbridge at it with \
     SEEDBRIDGE_NVRTC=<site-packages>/nvidia/cu13/lib (or .../nvidia/cuda_nvrtc/lib), or add that \
     folder to LD_LIBRARY_PATH; a CUDA toolkit's lib64 folder works too";

fn cudarc_finds_nvrtc() -> bool {
    guard("loading NVRTC", || {
        // SAFETY: `is_culib_present` only tries `dlopen` on cudarc's candidate names and closes
        // what it opened; it has no preconditions.
        Ok(unsafe { cudarc::nvrtc::sys::is_culib_present() })
    })
    .unwrap_or(false)
}

fn find_nvrtc() -> std::result::Result<NvrtcLocation, String> {
    if let Some(v) = std::env::var_os("SEEDBRIDGE_NVRTC") {
        let p = PathBuf::from(v);
        let file = if p.is_dir() {
            nvrtc_in_dir(&p).ok_or_else(|| {
                format!(
                    "SEEDBRIDGE_NVRTC={} holds no libnvrtc.so.13, libnvrtc.so.12 or libnvrtc.so",
                    p.display()
                )
            })?
        } else {
            p
        };
        preload(&file)
            .map_err(|e| format!("SEEDBRIDGE_NVRTC: cannot load the NVRTC library: {e}"))?;
        if cudarc_finds_nvrtc() {
            return Ok(NvrtcLocation { path: Some(file) });
        }
        return Err(format!(
            "SEEDBRIDGE_NVRTC={} was loaded but is not an NVRTC 12 or 13 library (its SONAME \
             must be libnvrtc.so.12 or libnvrtc.so.13)",
            file.display()
        ));
    }
    if cudarc_finds_nvrtc() {
        return Ok(NvrtcLocation { path: None });
    }
    let mut tried = Vec::new();
    for dir in candidate_dirs() {
        if let Some(file) = nvrtc_in_dir(&dir) {
            let file = std::fs::canonicalize(&file).unwrap_or(file);
            match preload(&file) {
                Ok(()) if cudarc_finds_nvrtc() => return Ok(NvrtcLocation { path: Some(file) }),
                Ok(()) => tried.push(format!("{} (wrong SONAME)", file.display())),
                Err(e) => tried.push(e),
            }
        }
    }
    let mut msg =
        format!("the NVRTC library (libnvrtc.so.13 or libnvrtc.so.12) was not found: {NVRTC_HINT}");
    if !tried.is_empty() {
        msg.push_str(&format!(" (could not load: {})", tried.join("; ")));
    }
    Err(msg)
}

fn nvrtc_in_dir(dir: &Path) -> Option<PathBuf> {
    ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for var in ["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"] {
        if let Some(v) = std::env::var_os(var) {
            let root = PathBuf::from(v);
            dirs.push(root.join("lib64"));
            dirs.push(root.join("lib"));
        }
    }
    dirs.push(PathBuf::from("/usr/local/cuda/lib64"));
    let mut envs: Vec<PathBuf> = Vec::new();
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(v) = std::env::var_os(var) {
            envs.push(PathBuf::from(v));
        }
    }
    envs.push(PathBuf::from(".venv"));
    if let Ok(exe) = std::env::current_exe() {
        // target/{debug,release}[/deps]/seedbridge -> the crate root's .venv
        for anc in exe.ancestors().skip(1).take(4) {
            if anc.file_name().is_some_and(|n| n == "target") {
                if let Some(root) = anc.parent() {
                    envs.push(root.join(".venv"));
                }
            }
        }
    }
    for env in envs {
        for lib in ["lib", "lib64"] {
            let Ok(rd) = std::fs::read_dir(env.join(lib)) else {
                continue;
            };
            let mut pys: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("python3"))
                })
                .collect();
            pys.sort();
            for py in pys {
                let nv = py.join("site-packages").join("nvidia");
                dirs.push(nv.join("cu13").join("lib"));
                dirs.push(nv.join("cuda_nvrtc").join("lib"));
            }
        }
    }
    dirs
}

#[cfg(target_os = "linux")]
fn preload(file: &Path) -> std::result::Result<(), String> {
    use std::ffi::{c_char, c_int, c_void, CStr, CString};
    use std::os::unix::ffi::OsStrExt;
    extern "C" {
        fn dlopen(filename: *const c_char, flag: c_int) -> *mut c_void;
        fn dlerror() -> *mut c_char;
    }
    const RTLD_NOW: c_int = 2;
    const RTLD_GLOBAL: c_int = 0x100;
    let c = CString::new(file.as_os_str().as_bytes())
        .map_err(|_| format!("{}: path contains a NUL byte", file.display()))?;
    // SAFETY: `c` is a valid NUL-terminated path; dlopen/dlerror are the C library's. The handle
    // is deliberately never closed: the library must stay loaded for cudarc to find it.
    unsafe {
        let h = dlopen(c.as_ptr(), RTLD_NOW | RTLD_GLOBAL);
        if h.is_null() {
            let e = dlerror();
            let why = if e.is_null() {
                "unknown error".to_string()
            } else {
                CStr::from_ptr(e).to_string_lossy().into_owned()
            };
            return Err(why);
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn preload(file: &Path) -> std::result::Result<(), String> {
    Err(format!(
        "{}: loading NVRTC by path is only supported on Linux; put its folder on the library \
         search path instead",
        file.display()
    ))
}

static DRIVER: OnceLock<bool> = OnceLock::new();

/// The driver hint used in errors and by `seedbridge doctor`.
pub const DRIVER_HINT: &str = "install the NVIDIA driver (it provides libcuda.so.1) on a machine \
     with an NVIDIA GPU, or use `--backend cpu` to emulate torch.cuda on the CPU";

/// Checks that the CUDA driver library can be loaded.
pub fn driver() -> Result<()> {
    let ok = *DRIVER.get_or_init(|| {
        guard("loading the CUDA driver", || {
            // SAFETY: as for NVRTC above: only dlopen attempts on cudarc's candidate names.
            Ok(unsafe { cudarc::driver::sys::is_culib_present() })
        })
        .unwrap_or(false)
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Cuda(format!(
            "no CUDA driver: libcuda.so.1 was not found; {DRIVER_HINT}"
        )))
    }
}

/// Checks that cuRAND (used only by the benchmark) can be loaded.
pub fn curand() -> Result<()> {
    let ok = guard("loading cuRAND", || {
        // SAFETY: as above.
        Ok(unsafe { cudarc::curand::sys::is_culib_present() })
    })
    .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(Error::Cuda(
            "cuRAND (libcurand.so.10) was not found: `pip install nvidia-curand` (it comes with \
             PyTorch's CUDA wheels) and add its lib folder to LD_LIBRARY_PATH"
                .into(),
        ))
    }
}
