//! `cargo xtask bundle reprise --release`: builds the plugin and lays out the CLAP and VST3
//! bundles in `target/bundled/`.
//!
//! nice-plug's bundler also copies a package's binary of the same name there as a "standalone"
//! (`target/bundled/Reprise`). Ours is the `reprise` command-line tool, not the standalone app
//! (that is `reprise-standalone`), so the misleading copy is removed after bundling.

use std::path::PathBuf;

fn main() -> nice_plug_xtask::Result<()> {
    nice_plug_xtask::main()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let cli_copy = target_dir.join("bundled").join("Reprise");
    if cli_copy.is_file() {
        std::fs::remove_file(&cli_copy)?;
        eprintln!(
            "Removed {} (a copy of the `reprise` CLI, not a standalone app; the CLI is \
             target/release/reprise, the standalone is target/release/reprise-standalone)",
            cli_copy.display()
        );
    }
    Ok(())
}
