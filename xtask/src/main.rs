//! `cargo xtask bundle reprise --release`: builds the plugin and lays out the CLAP and VST3
//! bundles in `target/bundled/`.

fn main() -> nice_plug_xtask::Result<()> {
    nice_plug_xtask::main()
}
