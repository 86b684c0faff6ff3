//! The device registry: one context, stream, compiled module and default generator per GPU.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::sys::CUdevice_attribute as Attr;
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream, DriverError};
use cudarc::nvrtc::Ptx;

use super::loader::{self, guard};
use super::nvrtc;
use crate::torch::cuda::{CudaGenerator, GpuProfile};
use crate::{Error, Result};

/// The device properties seedbridge reads (the ones torch's launches depend on, and more for
/// reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Device ordinal (`cuda:N`).
    pub ordinal: usize,
    /// Marketing name (`NVIDIA H200`).
    pub name: String,
    /// Compute capability `(major, minor)`.
    pub compute_capability: (i32, i32),
    /// `multiProcessorCount`.
    pub sms: u32,
    /// `maxThreadsPerMultiProcessor`.
    pub max_threads_per_sm: u32,
    /// `maxGridSize[0]`.
    pub max_grid_x: u32,
    /// Total memory in bytes.
    pub total_mem: usize,
}

impl DeviceInfo {
    /// The launch geometry torch uses on this device.
    pub fn profile(&self) -> GpuProfile {
        GpuProfile::new(self.sms, self.max_threads_per_sm)
    }
}

/// Turns a driver error into an [`Error::Cuda`] that says what failed and what to do.
pub(crate) fn driver_err(what: &str, e: DriverError) -> Error {
    use cudarc::driver::sys::cudaError_enum as E;
    let name = e
        .error_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("{:?}", e.0));
    let desc = e
        .error_string()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hint = match e.0 {
        E::CUDA_ERROR_OUT_OF_MEMORY => {
            "; the GPU is out of memory: use a smaller tensor, free GPU memory (other processes: \
             nvidia-smi) or use --backend cpu"
        }
        E::CUDA_ERROR_NO_DEVICE => "; no CUDA-capable GPU is visible (check CUDA_VISIBLE_DEVICES)",
        E::CUDA_ERROR_INVALID_DEVICE => "; no such GPU (see `seedbridge doctor` for the list)",
        E::CUDA_ERROR_SYSTEM_DRIVER_MISMATCH | E::CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE => {
            "; the NVIDIA driver does not match this request: update the driver"
        }
        E::CUDA_ERROR_STUB_LIBRARY => {
            "; the libcuda.so.1 found is the toolkit's stub, not a real driver: install the \
             NVIDIA driver or remove the stubs folder from LD_LIBRARY_PATH"
        }
        E::CUDA_ERROR_UNSUPPORTED_PTX_VERSION | E::CUDA_ERROR_INVALID_PTX => {
            "; the NVRTC library is newer than the driver: update the driver, or install an NVRTC \
             no newer than the driver's CUDA version (`seedbridge doctor` shows both), e.g. \
             `pip install \"nvidia-cuda-nvrtc-cu12==12.4.*\"` for a CUDA 12.4 driver, and set \
             SEEDBRIDGE_NVRTC to its nvidia/cuda_nvrtc/lib folder"
        }
        _ => "",
    };
    Error::Cuda(format!("{what} failed: {name} ({desc}){hint}"))
}

/// Number of CUDA devices (0 when the driver is missing is an error, not 0).
pub fn device_count() -> Result<usize> {
    loader::driver()?;
    guard("cuDeviceGetCount", || {
        cudarc::driver::result::init().map_err(|e| driver_err("cuInit", e))?;
        let n = cudarc::driver::result::device::get_count()
            .map_err(|e| driver_err("cuDeviceGetCount", e))?;
        Ok(n.max(0) as usize)
    })
}

/// The driver's CUDA version as `(major, minor)` (e.g. `(13, 0)`).
pub fn driver_version() -> Result<(i32, i32)> {
    loader::driver()?;
    guard("cuDriverGetVersion", || {
        let mut v: std::ffi::c_int = 0;
        // SAFETY: a valid out-pointer; the driver library is present (checked above).
        unsafe { cudarc::driver::sys::cuDriverGetVersion(&mut v) }
            .result()
            .map_err(|e| driver_err("cuDriverGetVersion", e))?;
        Ok((v / 1000, (v % 1000) / 10))
    })
}

/// Reads a device's properties without creating a context.
pub fn device_info(ordinal: usize) -> Result<DeviceInfo> {
    let n = device_count()?;
    if ordinal >= n {
        return Err(Error::Cuda(format!(
            "CUDA device cuda:{ordinal} does not exist: {n} device(s) visible{}",
            if n == 0 {
                " (check CUDA_VISIBLE_DEVICES and `nvidia-smi`)"
            } else {
                ""
            }
        )));
    }
    guard("reading device properties", || {
        use cudarc::driver::result::device;
        let dev = device::get(ordinal as i32).map_err(|e| driver_err("cuDeviceGet", e))?;
        let attr = |a: Attr| -> Result<i32> {
            // SAFETY: `dev` is a valid device handle from cuDeviceGet.
            unsafe { device::get_attribute(dev, a) }
                .map_err(|e| driver_err("cuDeviceGetAttribute", e))
        };
        let name = device::get_name(dev).map_err(|e| driver_err("cuDeviceGetName", e))?;
        // SAFETY: as above.
        let total_mem =
            unsafe { device::total_mem(dev) }.map_err(|e| driver_err("cuDeviceTotalMem", e))?;
        Ok(DeviceInfo {
            ordinal,
            name,
            compute_capability: (
                attr(Attr::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
                attr(Attr::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
            ),
            sms: attr(Attr::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?.max(0) as u32,
            max_threads_per_sm: attr(Attr::CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR)?
                .max(0) as u32,
            max_grid_x: attr(Attr::CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X)?.max(0) as u32,
            total_mem,
        })
    })
}

/// One initialised GPU: context, stream, the kernels compiled for its architecture and the
/// device's default generator.
pub(crate) struct Device {
    pub info: DeviceInfo,
    pub arch: String,
    pub stream: Arc<CudaStream>,
    module: Arc<CudaModule>,
    entries: Vec<String>,
    functions: Mutex<HashMap<String, CudaFunction>>,
    pub generator: Mutex<CudaGenerator>,
}

impl Device {
    fn open(ordinal: usize) -> Result<Device> {
        let info = device_info(ordinal)?;
        let (ma, mi) = info.compute_capability;
        let arch = nvrtc::arch_for_device(ma, mi)?;
        let compiled = nvrtc::compile_all(&arch)?;
        guard("initialising the CUDA device", || {
            let ctx = CudaContext::new(ordinal)
                .map_err(|e| driver_err(&format!("creating a context on cuda:{ordinal}"), e))?;
            let stream = ctx
                .new_stream()
                .map_err(|e| driver_err("creating a CUDA stream", e))?;
            let src = compiled
                .iter()
                .find(|c| c.name == "torch_cuda")
                .ok_or_else(|| Error::Cuda("kernels/torch_cuda.cu is not embedded".into()))?;
            let module = ctx
                .load_module(Ptx::from_src(src.ptx.clone()))
                .map_err(|e| {
                    let drv = driver_version()
                        .map(|(a, b)| format!("{a}.{b}"))
                        .unwrap_or_else(|_| "?".into());
                    let nv = nvrtc::version()
                        .map(|(a, b)| format!("{a}.{b}"))
                        .unwrap_or_else(|_| "?".into());
                    driver_err(
                        &format!(
                        "loading the {arch} PTX from NVRTC {nv} on cuda:{ordinal} (driver CUDA \
                         {drv})"
                    ),
                        e,
                    )
                })?;
            Ok(Device {
                entries: src.entries.iter().map(|(n, _)| n.clone()).collect(),
                info: info.clone(),
                arch: arch.clone(),
                stream,
                module,
                functions: Mutex::new(HashMap::new()),
                generator: Mutex::new(CudaGenerator::new()),
            })
        })
    }

    /// True when the compiled module has the entry point `name`.
    pub fn has_kernel(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e == name)
    }

    /// The kernel `name` (loaded once).
    pub fn function(&self, name: &str) -> Result<CudaFunction> {
        let mut map = self
            .functions
            .lock()
            .map_err(|_| Error::Cuda("the CUDA function cache lock is poisoned".into()))?;
        if let Some(f) = map.get(name) {
            return Ok(f.clone());
        }
        if !self.has_kernel(name) {
            return Err(Error::Cuda(format!(
                "kernel {name} is not in kernels/torch_cuda.cu"
            )));
        }
        let f = guard("cuModuleGetFunction", || {
            self.module
                .load_function(name)
                .map_err(|e| driver_err(&format!("loading kernel {name}"), e))
        })?;
        map.insert(name.to_string(), f.clone());
        Ok(f)
    }
}

type Registry = Mutex<HashMap<usize, Arc<Device>>>;
static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// The registry entry for device `ordinal`, created (context, stream, NVRTC compile, module
/// load) on first use.
pub(crate) fn device(ordinal: usize) -> Result<Arc<Device>> {
    let reg = REGISTRY.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = reg
        .lock()
        .map_err(|_| Error::Cuda("the CUDA device registry lock is poisoned".into()))?;
    if let Some(d) = map.get(&ordinal) {
        return Ok(d.clone());
    }
    let d = Arc::new(Device::open(ordinal)?);
    map.insert(ordinal, d.clone());
    Ok(d)
}
