//! `.npy` output for `run --save`, through the `npyz` crate.
//!
//! Dtypes as DESIGN.md fixes them: float64 `<f8`, float32 `<f4`, float16 `<f2`, int64 `<i8`,
//! int32 `<i4`, ... uint8 `|u1`, bool `|b1`; bfloat16 is written as float32 (exact, since .npy has
//! no bfloat16). Files are written under a temporary name and renamed, so a failure never
//! leaves a half-written `.npy` behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use npyz::WriterBuilder;

use crate::array::{Data, NdArray};
use crate::{Error, Result};

fn write_typed<T, W>(w: W, shape: &[u64], items: impl IntoIterator<Item = T>) -> std::io::Result<()>
where
    T: npyz::AutoSerialize,
    W: Write,
{
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(shape)
        .writer(w)
        .begin_nd()?;
    writer.extend(items)?;
    writer.finish()
}

/// Writes `a` to any writer in `.npy` format.
pub fn write_npy<W: Write>(w: W, a: &NdArray) -> Result<()> {
    let shape: Vec<u64> = a.shape.iter().map(|&d| d as u64).collect();
    let r = match &a.data {
        Data::Bool(v) => write_typed(w, &shape, v.iter().copied()),
        Data::I8(v) => write_typed(w, &shape, v.iter().copied()),
        Data::I16(v) => write_typed(w, &shape, v.iter().copied()),
        Data::I32(v) => write_typed(w, &shape, v.iter().copied()),
        Data::I64(v) => write_typed(w, &shape, v.iter().copied()),
        Data::U8(v) => write_typed(w, &shape, v.iter().copied()),
        Data::U16(v) => write_typed(w, &shape, v.iter().copied()),
        Data::U32(v) => write_typed(w, &shape, v.iter().copied()),
        Data::U64(v) => write_typed(w, &shape, v.iter().copied()),
        Data::F16(v) => write_typed(w, &shape, v.iter().copied()),
        Data::BF16(v) => write_typed(w, &shape, v.iter().map(|x| x.to_f32())),
        Data::F32(v) => write_typed(w, &shape, v.iter().copied()),
        Data::F64(v) => write_typed(w, &shape, v.iter().copied()),
    };
    r.map_err(|e| Error::Io(e.to_string()))
}

/// Writes `a` to `path` atomically (temporary file, then rename).
pub fn save(path: &Path, a: &NdArray) -> Result<()> {
    let tmp = path.with_extension("npy.tmp");
    let res = (|| -> Result<()> {
        let f = File::create(&tmp).map_err(|e| Error::Io(format!("{}: {e}", tmp.display())))?;
        let mut bw = BufWriter::new(f);
        write_npy(&mut bw, a)?;
        bw.flush()?;
        Ok(())
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}
