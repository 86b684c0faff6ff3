//! The `seedbridge` command line. Its main job is `run`: execute a script written in a subset of
//! Python with NumPy's and PyTorch's exact random streams (see DESIGN.md).

#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use seedbridge::script::bind_torch_cuda::Backend as CudaBackend;
use seedbridge::script::eval::RunOptions;
use seedbridge::torch::cpu::CpuCapability;
use seedbridge::torch::cuda::GpuProfile;

#[derive(Parser)]
#[command(
    name = "seedbridge",
    version,
    about = "NumPy and PyTorch random streams, bit for bit"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Capability {
    /// torch's AVX2 kernels (also what torch runs on AVX-512 machines).
    Avx2,
    /// Same kernels as avx2 for the random functions torch vectorises.
    Avx512,
    /// torch's scalar kernels (ATEN_CPU_CAPABILITY=default).
    Default,
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    Auto,
    Cpu,
    Cuda,
}

#[derive(Subcommand)]
enum Cmd {
    /// Time one stream in-process (ns/element, no process start-up); `list` shows the streams.
    Bench {
        /// Stream name (e.g. `legacy.rand`, `gen.standard_normal`, `torch.randn_f32`), or `list`.
        stream: String,
        /// Elements per repeat.
        #[arg(long, default_value_t = 10_000_000)]
        n: usize,
        /// Threads for the streams that can split (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Repeats; the best time is reported.
        #[arg(long, default_value_t = 5)]
        repeats: usize,
    },
    /// Inspect, convert, advance and create generator states (NumPy legacy / bit generators,
    /// torch CPU 5056-byte blobs, torch CUDA 16-byte states). See `seedbridge state help`.
    #[command(disable_help_flag = true)]
    State {
        /// show FILE | convert --to KIND [--torch-seed SEED] [--format json|raw] IN OUT |
        /// advance (--steps N | --jumps K) [--format json|raw] IN OUT |
        /// from-seed --lib LIB [--format json|raw] SEED OUT
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Report the CUDA driver, NVRTC and devices, and compile every kernel.
    Doctor {
        /// Only compile the kernels with NVRTC (no driver or GPU needed).
        #[arg(long)]
        compile_only: bool,
    },
    /// Run a script (`-` for stdin) with the real libraries' random streams.
    Run {
        /// The script; `-` reads standard input.
        script: String,
        /// Write recorded value k as DIR/%03d.npy.
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
        /// Which of torch's CPU kernel variants to reproduce.
        #[arg(long, value_enum, default_value = "avx2")]
        cpu_capability: Capability,
        /// CUDA device profile for torch.cuda launch geometry (preset name such as a100,
        /// h100-sxm, rtx4090, or SMSxTHREADS like 108x2048). Default: h100-sxm (also an H200's
        /// geometry), with a note on stderr; tensors up to one wave are the same on every GPU.
        #[arg(long, value_name = "PROFILE")]
        gpu: Option<String>,
        /// Where device='cuda' work runs: auto emulates torch.cuda on the CPU when no GPU is
        /// usable (noted on stderr; torch.cuda.is_available() is then True, 8 devices); cpu
        /// always emulates; cuda requires a usable GPU.
        #[arg(long, value_enum, default_value = "auto")]
        backend: Backend,
        /// Also print the value of bare expression statements, as the Python REPL does.
        #[arg(long)]
        echo: bool,
    },
}

fn read_script(path: &str) -> anyhow::Result<String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the script from standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {path}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Bench {
            stream,
            n,
            threads,
            repeats,
        } => {
            if stream == "list" {
                print!("{}", seedbridge::bench::list_streams());
                return ExitCode::SUCCESS;
            }
            match seedbridge::bench::bench_command(&stream, n, threads, repeats) {
                Ok(line) => {
                    println!("{}", line.trim_end());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Cmd::State { args } => {
            if args.is_empty() || matches!(args[0].as_str(), "help" | "--help" | "-h") {
                println!("{}", seedbridge::state::STATE_USAGE);
                return ExitCode::SUCCESS;
            }
            match seedbridge::state::state_command(&args) {
                Ok(text) => {
                    print!("{text}");
                    if !text.is_empty() && !text.ends_with('\n') {
                        println!();
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Cmd::Doctor { compile_only } => {
            let report = seedbridge::cuda::doctor(compile_only);
            print!("{}", report.text);
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Cmd::Run {
            script,
            save,
            cpu_capability,
            gpu,
            backend,
            echo,
        } => {
            let src = match read_script(&script) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return ExitCode::from(2);
                }
            };
            // An unknown profile is an error even when the script never touches CUDA.
            if let Some(spec) = &gpu {
                if let Err(e) = GpuProfile::parse(spec) {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
            if matches!(backend, Backend::Cuda) {
                if let Err(e) = seedbridge::script::bind_torch_cuda::require_gpu() {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
            let opts = RunOptions {
                cpu_capability: match cpu_capability {
                    Capability::Avx2 | Capability::Avx512 => CpuCapability::Avx2,
                    Capability::Default => CpuCapability::Default,
                },
                echo,
                gpu,
                backend: match backend {
                    Backend::Auto => CudaBackend::Auto,
                    Backend::Cpu => CudaBackend::Cpu,
                    Backend::Cuda => CudaBackend::Cuda,
                },
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let err = seedbridge::script::run_and_save(&src, opts, &mut out, save.as_deref()).err();
            let _ = out.flush();
            match err {
                None => ExitCode::SUCCESS,
                Some(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
