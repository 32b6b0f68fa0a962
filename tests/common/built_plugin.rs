//! Where the plugin under test is: a bundle named by an environment variable (e.g. the release
//! bundle), or the debug cdylib `cargo test` built next to the test binary. Shared by the
//! clack-host and Ardour tests.

use std::path::PathBuf;

/// `$variable`'s path, canonical, if set (a bad path fails the test).
pub fn from_env(variable: &str) -> Option<PathBuf> {
    let path = std::env::var_os(variable)?;
    Some(
        std::fs::canonicalize(&path)
            .unwrap_or_else(|e| panic!("{variable}={path:?} cannot be resolved: {e}")),
    )
}

/// The debug `libreprise.so` next to this test binary.
pub fn debug_library() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps_dir = exe.parent().expect("deps dir");
    for candidate in [
        deps_dir.join("libreprise.so"),
        deps_dir.join("../libreprise.so"),
    ] {
        if candidate.exists() {
            return std::fs::canonicalize(candidate).expect("canonical plugin path");
        }
    }
    panic!("libreprise.so not found next to {exe:?}; build the plugin first");
}
