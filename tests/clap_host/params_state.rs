//! Parameters as a host sees them, and the state save → load round trip.

use crate::host::{
    list_params, param_from_text, param_id, param_text, param_value, InEvent, InKind, Layout,
    PluginUnderTest,
};

/// CLAP parameter ids are hashes of the frozen string ids; automation in saved projects refers
/// to these numbers, so they must never change. The snapshot lists id, name, range and default
/// (plain CLAP values: steps for discrete parameters, 0–1 for continuous ones).
#[test]
fn parameter_ids_names_and_ranges_are_frozen() {
    let (_entry, mut instance) = PluginUnderTest::instantiate();
    let described: String = list_params(&mut instance)
        .iter()
        .map(|p| {
            format!(
                "{} | {} | {} | {} | {:.4}\n",
                p.id, p.name, p.min, p.max, p.default
            )
        })
        .collect();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/param_snapshot.txt");
    if std::env::var_os("REPRISE_WRITE_SNAPSHOT").is_some() {
        std::fs::write(&path, &described).unwrap();
    }
    let frozen = std::fs::read_to_string(&path).unwrap_or_default();
    // Existing lines must stay exactly as they are; new parameters may only be added.
    for line in frozen.lines() {
        assert!(
            described.lines().any(|l| l == line),
            "parameter changed or removed: {line}\nnow:\n{described}"
        );
    }
    assert_eq!(
        described.lines().count(),
        frozen.lines().count(),
        "parameters added: update the snapshot\n{described}"
    );
    // The first three ids shipped with the foundation release.
    for id in [1_559_295_127u32, 1_564_195_625, 499_324_979] {
        assert!(
            described.starts_with(&id.to_string()) || described.contains(&format!("\n{id} |")),
            "{id} missing"
        );
    }
}

#[test]
fn parameters_show_value_text_and_parse_it_back() {
    let (_entry, mut instance) = PluginUnderTest::instantiate();
    let character = param_id(&mut instance, "Character");
    let intensity = param_id(&mut instance, "Intensity");
    let pass_through = param_id(&mut instance, "Pass-through");
    assert_eq!(param_text(&mut instance, character, 0.0), "Piano");
    assert_eq!(param_text(&mut instance, character, 1.0), "Swell");
    assert_eq!(param_text(&mut instance, character, 2.0), "Distant");
    assert_eq!(param_text(&mut instance, intensity, 0.25), "25 %");
    assert_eq!(param_text(&mut instance, pass_through, 1.0), "On");
    assert_eq!(
        param_from_text(&mut instance, character, c"Distant"),
        Some(2.0)
    );
    let parsed = param_from_text(&mut instance, intensity, c"80").expect("80 parses");
    assert!((parsed - 0.8).abs() < 1e-6, "80 % parsed as {parsed}");
}

#[test]
fn state_round_trip_restores_every_parameter() {
    let mut plugin = PluginUnderTest::start(Layout::Stereo, 48_000.0, 256);
    let ids: Vec<u32> = list_params(plugin.instance())
        .iter()
        .map(|p| p.id)
        .collect();
    let targets = [0.0, 2.0, 0.8125];
    let changes: Vec<InEvent> = ids
        .iter()
        .zip(targets)
        .map(|(&param_id, value)| InEvent {
            time_samples: 1,
            kind: InKind::Param { param_id, value },
        })
        .collect();
    plugin.run(&changes, 256, || 256);
    for (&id, value) in ids.iter().zip(targets) {
        assert_eq!(
            param_value(plugin.instance(), id),
            value,
            "set before saving"
        );
    }
    let saved = plugin.save_state();

    let mut restored = PluginUnderTest::start(Layout::Stereo, 48_000.0, 256);
    assert!(restored.load_state(&saved), "state rejected");
    for (&id, value) in ids.iter().zip(targets) {
        assert_eq!(
            param_value(restored.instance(), id),
            value,
            "param {id} after load"
        );
    }
    assert_eq!(
        restored.save_state(),
        saved,
        "saving the loaded state gives the same bytes"
    );
}

#[test]
fn corrupt_state_is_refused_without_changing_anything() {
    let mut plugin = PluginUnderTest::start(Layout::Stereo, 48_000.0, 256);
    let before = plugin.save_state();
    let mut garbage = before.clone();
    let len = garbage.len();
    garbage[len / 2..].iter_mut().for_each(|b| *b = b'#');
    for bad in [
        &b""[..],
        &b"\x05\x00\x00\x00\x00\x00\x00\x00{{{{{"[..],
        &garbage[..],
        &[0xFFu8; 64][..],
    ] {
        let _accepted = plugin.load_state(bad);
        assert_eq!(
            plugin.save_state(),
            before,
            "state changed after loading {bad:?}"
        );
        // And the plugin still processes.
        let start = plugin.now_samples;
        let note = [InEvent {
            time_samples: start,
            kind: InKind::Midi {
                bytes: [0x90, 60, 90],
            },
        }];
        assert_eq!(plugin.run(&note, start + 64, || 64).len(), 1);
    }
}

#[test]
fn editor_is_offered_as_an_embeddable_x11_window() {
    use clack_extensions::gui::{GuiApiType, GuiConfiguration, PluginGui};
    let (_entry, mut instance) = PluginUnderTest::instantiate();
    let gui = instance
        .plugin_handle()
        .get_extension::<PluginGui>()
        .expect("gui extension");
    let embedded_x11 = GuiConfiguration {
        api_type: GuiApiType::X11,
        is_floating: false,
    };
    assert!(gui.is_api_supported(&instance.plugin_handle(), embedded_x11));
    let size = gui
        .get_size(&instance.plugin_handle())
        .expect("editor size");
    assert!(size.width >= 400 && size.height >= 300, "{size:?}");
}
