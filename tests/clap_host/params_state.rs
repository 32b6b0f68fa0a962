//! Parameters as a host sees them, and the state save → load round trip.

use crate::host::{
    flush_params, library_of, list_params, motif, param_from_text, param_id, param_text,
    param_value, save_instance_state, saved_library, state_json, InEvent, InKind, Layout,
    PluginUnderTest,
};

/// Compares `described` with the snapshot `tests/data/{file}`: every frozen line must still be
/// there exactly (nothing changed, moved or removed) and nothing may be added without updating
/// the snapshot (`REPRISE_WRITE_SNAPSHOT=1` rewrites it).
fn assert_frozen(file: &str, described: &str, what: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    if std::env::var_os("REPRISE_WRITE_SNAPSHOT").is_some() {
        std::fs::write(&path, described).unwrap();
    }
    let frozen = std::fs::read_to_string(&path).unwrap_or_default();
    for line in frozen.lines() {
        assert!(
            described.lines().any(|l| l == line),
            "{what} changed, moved or removed: {line}\nnow:\n{described}"
        );
    }
    assert_eq!(
        described.lines().count(),
        frozen.lines().count(),
        "{what}s added: update {file}\n{described}"
    );
}

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
    assert_frozen("param_snapshot.txt", &described, "parameter");
    // The first three ids shipped with the foundation release.
    for id in [1_559_295_127u32, 1_564_195_625, 499_324_979] {
        assert!(
            described.starts_with(&id.to_string()) || described.contains(&format!("\n{id} |")),
            "{id} missing"
        );
    }
}

/// Every enum parameter's variants, as a host shows and saves them, are frozen too: plain index,
/// the text the host shows, and the id saved in projects. Read through the real surface: the text
/// from `value_to_text`, the id from the state saved after setting that variant.
#[test]
fn enum_variants_text_and_saved_ids_are_frozen() {
    let (_entry, mut instance) = PluginUnderTest::instantiate();
    let mut described = String::new();
    for param in list_params(&mut instance) {
        if !param.stepped || param.max > 64.0 {
            continue;
        }
        // Saved enum values are {"string": id}; find the key whose id follows this parameter.
        let mut saved_ids: Vec<(String, String)> = Vec::new();
        for index in 0..=param.max as i64 {
            flush_params(&mut instance, &[(param.name.as_str(), index as f64)]);
            let state = state_json(&save_instance_state(&mut instance));
            let ids = state["params"]
                .as_object()
                .expect("params object")
                .iter()
                .filter_map(|(key, value)| {
                    Some((key.clone(), value.get("string")?.as_str()?.to_string()))
                })
                .collect::<Vec<_>>();
            saved_ids.extend(ids.into_iter().map(|(k, v)| (format!("{index}|{k}"), v)));
        }
        flush_params(&mut instance, &[(param.name.as_str(), param.default)]);
        let keys: std::collections::BTreeSet<String> = saved_ids
            .iter()
            .map(|(k, _)| k.split_once('|').unwrap().1.to_string())
            .collect();
        let id_of = |index: i64, key: &str| {
            saved_ids
                .iter()
                .find(|(k, _)| *k == format!("{index}|{key}"))
                .map(|(_, v)| v.clone())
        };
        let Some(key) = keys
            .iter()
            .find(|key| (1..=param.max as i64).any(|index| id_of(index, key) != id_of(0, key)))
        else {
            continue; // not an enum (integers and switches are saved as numbers)
        };
        for index in 0..=param.max as i64 {
            described.push_str(&format!(
                "{key} | {index} | {} | {}\n",
                param_text(&mut instance, param.id, index as f64),
                id_of(index, key).expect("saved id"),
            ));
        }
    }
    assert_frozen("param_enum_snapshot.txt", &described, "enum variant");
    // The modes and grids the engine has are all offered.
    for expected in [
        "mode | 8 | Locrian | locrian",
        "quantize | 8 | 1/32 triplet | q32t",
    ] {
        assert!(described.contains(expected), "{expected} missing");
    }
}

/// Grid of values tried per parameter (plain values evenly over [min, max], so stepped
/// parameters also get the fractional values a host may send).
const ROUND_TRIP_GRID_POINTS: usize = 1001;

/// What clap-validator's `param-conversions` checks, on a fine grid: value → text → value → text
/// gives the same text, for every parameter; and every variant's text parses to itself.
#[test]
fn every_parameter_round_trips_value_text_value_text() {
    let (_entry, mut instance) = PluginUnderTest::instantiate();
    let params = list_params(&mut instance);
    let mut checked = 0;
    for param in &params {
        for step in 0..ROUND_TRIP_GRID_POINTS {
            let fraction = step as f64 / (ROUND_TRIP_GRID_POINTS - 1) as f64;
            let value = param.min + (param.max - param.min) * fraction;
            let text = param_text(&mut instance, param.id, value);
            let c_text = std::ffi::CString::new(text.clone()).unwrap();
            let parsed = param_from_text(&mut instance, param.id, &c_text).unwrap_or_else(|| {
                panic!("{}: {text:?} (from {value}) does not parse", param.name)
            });
            let again = param_text(&mut instance, param.id, parsed);
            assert_eq!(
                again, text,
                "{}: {value} → {text:?} → {parsed} → {again:?}",
                param.name
            );
            checked += 1;
        }
        if param.stepped {
            for index in param.min as i64..=param.max as i64 {
                let text = param_text(&mut instance, param.id, index as f64);
                let c_text = std::ffi::CString::new(text.clone()).unwrap();
                // The framework carries stepped values as f32 fractions (1.0000000447 for 1).
                let parsed = param_from_text(&mut instance, param.id, &c_text);
                assert!(
                    parsed.is_some_and(|v| (v - index as f64).abs() < 1e-3),
                    "{}: {text:?} parses to {parsed:?}, not {index}",
                    param.name
                );
            }
        }
    }
    assert_eq!(checked, params.len() * ROUND_TRIP_GRID_POINTS);
    println!(
        "round trip: {} parameters × {ROUND_TRIP_GRID_POINTS} values",
        params.len()
    );
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
    for (key, bad) in (60u8..).zip([
        &b""[..],
        &b"\x05\x00\x00\x00\x00\x00\x00\x00{{{{{"[..],
        &garbage[..],
        &[0xFFu8; 64][..],
    ]) {
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
                bytes: [0x90, key, 90],
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

/// A host that loads a project and saves it again before the first `process()` call (autosave,
/// a frozen or disabled track, open and re-save) must get every motif back. It used to get the
/// names and `"motif": null` in every slot.
#[test]
fn a_save_before_any_process_call_keeps_every_motif() {
    use reprise::library_schema::parse_library;
    let melody = motif(&[(0.0, 1.0, 62), (1.0, 0.5, 65), (1.5, 2.5, 69)]);
    let other = motif(&[(0.5, 0.5, 48), (1.0, 3.0, 55)]);
    let library = library_of(&[(0, &melody), (5, &other)]);
    for active in [false, true] {
        let mut plugin = PluginUnderTest::start(Layout::Stereo, 48_000.0, 256);
        if !active {
            plugin.deactivate();
        }
        plugin.load_library(library.clone(), &[]);
        let first_save = plugin.save_state();
        let saved = saved_library(&first_save);
        let (expected, got) = (parse_library(library.clone()), parse_library(saved.clone()));
        for slot in 0..8 {
            assert_eq!(
                got.slots[slot],
                expected.slots[slot],
                "slot {} after load → save (active: {active})",
                slot + 1
            );
        }
        assert_eq!(saved, library, "the saved library is the loaded one");
        assert!(got.report.is_clean(), "{:?}", got.report);
        // Load → save → load → save is stable, byte for byte.
        assert!(plugin.load_state(&first_save));
        assert_eq!(plugin.save_state(), first_save);
        // And once audio runs, the motifs are still there (now from the audio thread).
        if active {
            plugin.run(&[], 1024, || 256);
            assert_eq!(saved_library(&plugin.save_state()), library);
        }
    }
}

/// Hostile but well-formed library JSON, through the real state calls: each load is accepted,
/// keeps what is readable, the plugin keeps processing, and what it saves next is a clean library.
#[test]
fn hostile_library_json_is_read_leniently_through_the_host() {
    use reprise::library_schema::parse_library;
    use serde_json::json;
    let good = library_of(&[(0, &motif(&[(0.0, 1.0, 60), (1.0, 1.0, 64)]))]);
    let mut wrong_types = good.clone();
    wrong_types["slots"][0]["motif"]["tempo_bpm"] = json!("fast");
    wrong_types["slots"][0]["motif"]["notes"][1]["key"] = json!(300);
    wrong_types["slots"][1] = json!("garbage");
    let mut huge_name = good.clone();
    huge_name["slots"][0]["name"] = json!("n".repeat(10 << 20));
    let mut newer = good.clone();
    newer["version"] = json!(99);
    newer["slots"][0]["motif"]["notes"][0]["articulation"] = json!("legato");
    let many: Vec<serde_json::Value> = (0..50_000)
        .map(|i| json!({"start_beats": i as f64 * 1e12, "length_beats": 1.0, "key": 60, "velocity": 0.5, "channel": 0}))
        .collect();
    let mut far_apart = good.clone();
    far_apart["slots"][2]["motif"] =
        json!({"notes": many, "time_signature": [3, 4], "tempo_bpm": 90.0});
    let cases = [
        ("wrong types", wrong_types, 1usize),
        ("10 MB name", huge_name, 2),
        ("newer schema", newer, 2),
        ("far-apart notes", far_apart, 2),
    ];
    for (what, document, notes_in_slot_1) in cases {
        let mut plugin = PluginUnderTest::start(Layout::Stereo, 48_000.0, 256);
        plugin.load_library(document, &[]);
        let played = [InEvent {
            time_samples: 0,
            kind: InKind::Midi {
                bytes: [0x90, 60, 90],
            },
        }];
        assert!(
            !plugin.run(&played, 512, || 128).is_empty(),
            "{what}: still plays"
        );
        let saved = parse_library(saved_library(&plugin.save_state()));
        assert!(saved.report.is_clean(), "{what}: saves a clean library");
        assert_eq!(saved.slots[0].len(), notes_in_slot_1, "{what}: slot 1 kept");
        assert!(saved.names[0].chars().count() <= 64, "{what}");
        if what == "far-apart notes" {
            assert_eq!(
                saved.slots[2].len(),
                1,
                "only the first note is inside 256 bars"
            );
            assert!(saved.slots[2].truncated, "and the cut is flagged");
        }
    }
}
