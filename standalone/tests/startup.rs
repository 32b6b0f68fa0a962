//! The standalone says what it is doing and fails loudly: it names the loaded motif and the
//! tempo and metre its transport runs at (the demo's 84 BPM 3/4 unless told otherwise), and
//! exits non-zero when the audio/MIDI backend it was asked for cannot start.

use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_reprise-standalone"))
        .args(args)
        // No X display either: whatever happens, nothing can hang on a window.
        .env_remove("DISPLAY")
        // A JACK server name nobody runs, so the JACK backend cannot start.
        .env("JACK_DEFAULT_SERVER", "reprise-test-no-such-server")
        .env("JACK_NO_START_SERVER", "1")
        .output()
        .expect("run reprise-standalone");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn says_which_motif_and_transport_and_fails_when_the_backend_cannot_start() {
    let (code, stderr) = run(&["--backend", "jack"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("slot 1 holds the demo motif, Scarborough Fair"),
        "{stderr}"
    );
    assert!(
        stderr.contains("transport at 84 BPM 3/4; backend jack"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the audio/MIDI backend could not start"),
        "{stderr}"
    );
}

#[test]
fn the_transport_follows_what_the_user_asks_for() {
    let (code, stderr) = run(&[
        "--backend",
        "jack",
        "--tempo",
        "100",
        "--timesig-num=6",
        "--timesig-denom",
        "8",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("transport at 100 BPM 6/8"), "{stderr}");
}
