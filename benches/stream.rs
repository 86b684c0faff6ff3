//! `cargo bench --bench stream -- STREAM [--n N] [--threads T] [--repeats R] [--list]`:
//! the in-process stream timer of `seedbridge bench` ([`seedbridge::bench::bench_command`]),
//! runnable before (or without) the CLI subcommand. `scripts/bench_vs_python.py` uses it as a
//! fallback.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut streams = Vec::new();
    let mut n = 10_000_000usize;
    let mut threads = None;
    let mut repeats = 5usize;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let val = || args.get(i + 1).cloned().unwrap_or_default();
        match a {
            "--n" => {
                n = val().parse()?;
                i += 1;
            }
            "--threads" => {
                threads = Some(val().parse()?);
                i += 1;
            }
            "--repeats" => {
                repeats = val().parse()?;
                i += 1;
            }
            "--list" => {
                println!("{}", seedbridge::bench::list_streams());
                return Ok(());
            }
            // `cargo bench` passes --bench to harness=false targets.
            "--bench" => {}
            s if s.starts_with("--") => anyhow::bail!("unknown option {s}"),
            s => streams.push(s.to_string()),
        }
        i += 1;
    }
    if streams.is_empty() {
        streams = seedbridge::bench::STREAMS
            .iter()
            .map(|(s, _)| s.to_string())
            .collect();
        n = n.min(1_000_000);
    }
    for s in &streams {
        println!(
            "{}",
            seedbridge::bench::bench_command(s, n, threads, repeats)?
        );
    }
    Ok(())
}
