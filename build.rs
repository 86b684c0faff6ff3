//! Flattens `kernels/*.cu` (inlining `#include "x.cuh"` from the same folder) into sources that
//! the binary embeds, so NVRTC can compile them at run time without the files on disk.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

fn flatten(path: &Path, dir: &Path, seen: &mut HashSet<PathBuf>, out: &mut String) {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("#include \"") {
            let name = rest.trim_end_matches('"');
            let inc = dir.join(name);
            if seen.insert(inc.clone()) {
                flatten(&inc, dir, seen, out);
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
}

fn main() {
    let dir = Path::new("kernels");
    println!("cargo:rerun-if-changed=kernels");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut entries: Vec<(String, String)> = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            println!("cargo:rerun-if-changed={}", p.display());
            if p.extension().and_then(|e| e.to_str()) == Some("cu") {
                let mut src = String::new();
                let mut seen = HashSet::new();
                flatten(&p, dir, &mut seen, &mut src);
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                entries.push((name, src));
            }
        }
    }
    let mut code = String::from("/// Flattened CUDA sources from `kernels/`: (name, source).\npub const KERNEL_SOURCES: &[(&str, &str)] = &[\n");
    for (name, src) in &entries {
        code.push_str(&format!("    ({name:?}, {src:?}),\n"));
    }
    code.push_str("];\n");
    fs::write(out_dir.join("kernels.rs"), code).expect("write kernels.rs");
}
