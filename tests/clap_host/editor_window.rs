//! Opening and closing the editor while the plugin plays has no effect on its output. The
//! editor really opens: an X server (Xvfb) is started for the test and the plugin's window is
//! embedded in a parent window, as a DAW does.
//!
//! The test is `#[ignore]`d by default, so where Xvfb is missing it shows as skipped, never as
//! passed; `scripts/test.sh` runs it (`--run-ignored all`) when `Xvfb` is installed and says SKIP
//! otherwise (`.ci/run` installs Xvfb and makes a missing one an error).

use std::process::{Child, Command, Stdio};

use clack_extensions::gui::{GuiApiType, GuiConfiguration, PluginGui, Window};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, CreateWindowAux, WindowClass};

use crate::host::{transport, Layout, OutEvent, PluginUnderTest};

struct Xvfb(Child);

impl Drop for Xvfb {
    // Kills the server when a test fails early.
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_xvfb() -> Option<(Xvfb, String)> {
    let display = format!(":{}", 150 + std::process::id() % 100);
    // -terminate: the server exits by itself once the test process (its last client) is gone.
    let child = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
            "-terminate",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
    for _ in 0..100 {
        if std::path::Path::new(&socket).exists() {
            return Some((Xvfb(child), display));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    None
}

fn play(
    plugin: &mut PluginUnderTest,
    blocks: u64,
    mut between: impl FnMut(&mut PluginUnderTest, u64),
) -> Vec<OutEvent> {
    let mut out = Vec::new();
    for block_idx in 0..blocks {
        between(plugin, block_idx);
        let start = plugin.now_samples;
        let beats = start as f64 / 24_000.0;
        out.extend(plugin.process(512, &[], Some(&transport(beats, 120.0, true, None))));
    }
    out
}

fn plugin_with_motif() -> PluginUnderTest {
    let mut plugin = PluginUnderTest::start(Layout::Stereo, 48_000.0, 512);
    crate::live::load_demo_library(&mut plugin);
    plugin
}

#[test]
#[ignore = "needs Xvfb: scripts/test.sh runs it when Xvfb is installed"]
fn opening_and_closing_the_editor_does_not_change_the_output() {
    let (_xvfb, display) =
        start_xvfb().expect("Xvfb could not be started (install it, or do not run ignored tests)");
    // The plugin's window connects to this display. Single-threaded test process (nextest).
    std::env::set_var("DISPLAY", &display);
    let mut connected = None;
    for _ in 0..100 {
        match x11rb::connect(Some(&display)) {
            Ok(connection) => {
                connected = Some(connection);
                break;
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    let (connection, screen_idx) = connected.expect("connect to Xvfb");
    let screen = &connection.setup().roots[screen_idx];
    let parent = connection.generate_id().unwrap();
    connection
        .create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            parent,
            screen.root,
            0,
            0,
            1000,
            800,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new(),
        )
        .unwrap();
    connection.map_window(parent).unwrap();
    connection.flush().unwrap();

    let blocks = 400;
    let mut reference = plugin_with_motif();
    let expected = play(&mut reference, blocks, |_, _| {});

    let mut plugin = plugin_with_motif();
    let mut opened = 0;
    let output = play(&mut plugin, blocks, |plugin, block_idx| {
        let instance = plugin.instance();
        let gui = instance
            .plugin_handle()
            .get_extension::<PluginGui>()
            .expect("gui extension");
        let embedded = GuiConfiguration {
            api_type: GuiApiType::X11,
            is_floating: false,
        };
        match block_idx {
            20 | 200 => {
                gui.create(&instance.plugin_handle(), embedded)
                    .expect("editor created");
                // SAFETY: `parent` is a live window on the display the plugin connects to.
                unsafe {
                    gui.set_parent(
                        &instance.plugin_handle(),
                        Window::from_x11_handle(parent as _),
                    )
                }
                .expect("parent set");
                gui.show(&instance.plugin_handle()).expect("editor shown");
                opened += 1;
            }
            // Keep it open across many blocks, so the audio thread publishes to it.
            120 | 330 => {
                let _ = gui.hide(&instance.plugin_handle());
                gui.destroy(&instance.plugin_handle());
            }
            _ if (21..120).contains(&block_idx) || (201..330).contains(&block_idx) => {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            _ => {}
        }
    });
    assert_eq!(opened, 2);
    assert!(expected.len() > 20, "the reference played");
    assert_eq!(output, expected, "the editor changed what the plugin plays");
    // The windowing library keeps a thread per editor until process exit; unloading the plugin
    // library under it would crash the test process, so both instances stay loaded (a DAW keeps
    // plugin libraries loaded too).
    std::mem::forget(plugin);
    std::mem::forget(reference);
    // Likewise the X server stays up until the process ends (then `-terminate` stops it).
    std::mem::forget(_xvfb);
    // Everything asserted has passed. The GL and X11 libraries behind the editor's window run
    // their own teardown at process exit while the windowing threads are still alive, which
    // sometimes crashes after the test. Under nextest (which sets NEXTEST=1) this test has its
    // own process, so it leaves without that teardown; under plain `cargo test` other tests
    // share the process, so it returns normally.
    if std::env::var_os("NEXTEST").is_some() {
        // SAFETY: `_exit` ends this test's own process immediately; nothing needs to run after.
        unsafe { libc::_exit(0) }
    }
}
