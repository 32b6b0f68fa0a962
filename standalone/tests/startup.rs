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

/// `--soundfont`: the standalone says which SoundFont it plays its output through, runs (the
/// process call, under nice-plug's allocation check, keeps playing the demo through it), and
/// refuses a SoundFont it cannot read.
#[test]
fn a_soundfont_is_heard_or_refused() {
    let Ok(soundfont) = reprise::synth::find_soundfont(None) else {
        panic!("no General MIDI SoundFont (scripts/test.sh skips this test, saying SKIP)");
    };
    let (code, stderr) = run(&["--backend", "jack", "--soundfont", "/nonexistent/none.sf2"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("none.sf2"), "{stderr}");
    // The dummy backend runs headless; the app runs until it is stopped.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reprise-standalone"))
        .args(["--backend", "dummy", "--soundfont"])
        .arg(&soundfont)
        .env_remove("DISPLAY")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start reprise-standalone");
    std::thread::sleep(std::time::Duration::from_secs(4));
    let still_running = child.try_wait().expect("poll").is_none();
    let _ = child.kill();
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("playing the output through")
            && stderr.contains(&*soundfont.to_string_lossy()),
        "{stderr}"
    );
    assert!(still_running, "the standalone stopped: {stderr}");
}
