//! Running a whole script and saving its recorded values.

use std::io::Write;
use std::path::Path;

/// Parses and runs `src`, writing `print` output to `out`. Returns the values recorded before
/// the first error (none for the failing statement) and that error, if any.
pub fn run_source(
    src: &str,
    opts: super::eval::RunOptions,
    out: &mut dyn Write,
) -> (Vec<super::eval::Recorded>, Option<super::eval::RunError>) {
    let stmts = match super::parser::parse(src) {
        Ok(s) => s,
        Err(error) => {
            return (
                vec![],
                Some(super::eval::RunError {
                    error,
                    line: 0,
                    text: String::new(),
                }),
            )
        }
    };
    let mut interp = super::eval::Interp::new(opts, out);
    let res = interp.run(&stmts);
    (std::mem::take(&mut interp.recorded), res.err())
}

/// Parses and runs `src` for the command line: `print` output to `out`, and with `save` each
/// recorded value written to `save/%03d.npy` as soon as it is produced (no copies kept). Values
/// recorded before an error stay written; nothing is written for the failing statement.
pub fn run_and_save(
    src: &str,
    opts: super::eval::RunOptions,
    out: &mut dyn Write,
    save: Option<&Path>,
) -> Result<(), super::eval::RunError> {
    let fail = |error: crate::Error| super::eval::RunError {
        error,
        line: 0,
        text: String::new(),
    };
    let stmts = super::parser::parse(src).map_err(fail)?;
    let sink = match save {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(crate::Error::Io(format!("{}: {e}", dir.display()))))?;
            super::eval::RecordSink::Dir {
                dir: dir.to_path_buf(),
                next: 0,
            }
        }
        None => super::eval::RecordSink::Discard,
    };
    let mut interp = super::eval::Interp::new(opts, out);
    interp.sink = sink;
    interp.run(&stmts)
}

/// Writes recorded value k as `dir/%03d.npy` (creating `dir`).
pub fn save_all(dir: &Path, recorded: &[super::eval::Recorded]) -> crate::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::Error::Io(format!("{}: {e}", dir.display())))?;
    for (k, r) in recorded.iter().enumerate() {
        crate::npy::save(&dir.join(format!("{k:03}.npy")), &r.array)?;
    }
    Ok(())
}
