//! Pass-through: every played note and controller comes out at the sample it went in, in both
//! layouts and both note dialects; audio passes bit-exactly; no note is ever left hanging.

use crate::host::{
    assert_balanced, in_event_buffer, out_events_of, param_id, InEvent, InKind, Layout, OutKind,
    PluginUnderTest, Rng, PASS_THROUGH_ONLY,
};

/// A random but well-formed performance: overlapping notes on several channels (CLAP dialect),
/// CCs and pitch bends (MIDI dialect), each note released later. Sorted by time.
fn random_performance(rng: &mut Rng, length_samples: u64) -> Vec<InEvent> {
    let mut events = Vec::new();
    for note_idx in 0..rng.range(20, 80) {
        let start = rng.range(0, length_samples - 2);
        let end = rng.range(start + 1, length_samples - 1);
        let channel = rng.range(0, 15) as u16;
        let key = rng.range(0, 127) as u16;
        let note_id = note_idx as u32 + 1;
        let velocity = rng.range(1, 127) as f64 / 127.0;
        events.push(InEvent {
            time_samples: start,
            kind: InKind::NoteOn {
                channel,
                key,
                velocity,
                note_id,
            },
        });
        events.push(InEvent {
            time_samples: end,
            kind: InKind::NoteOff {
                channel,
                key,
                note_id,
            },
        });
    }
    for _ in 0..rng.range(5, 40) {
        let time = rng.range(0, length_samples - 1);
        let status = if rng.range(0, 1) == 0 { 0xB0 } else { 0xE0 };
        let bytes = [
            status | rng.range(0, 15) as u8,
            rng.range(0, 127) as u8,
            rng.range(0, 127) as u8,
        ];
        events.push(InEvent {
            time_samples: time,
            kind: InKind::Midi { bytes },
        });
    }
    // Stable sort keeps note-on before note-off for the rare zero-gap pair.
    events.sort_by_key(|e| e.time_samples);
    events
}

/// What pass-through must send for a performance: every event at its sample, except that the
/// output never holds a (channel, key) twice — a key struck again while it sounds is ended
/// first (an off with the sounding note's id, then the new on), and it ends with its last
/// release (earlier releases of it send nothing).
/// Also returns how many keys were struck again while sounding.
fn expected_output(events: &[InEvent]) -> (Vec<(u64, OutKind)>, usize) {
    use std::collections::HashMap;
    let mut held: HashMap<(u16, u16), (u32, u32)> = HashMap::new();
    let mut wanted = Vec::new();
    let mut num_restrikes = 0;
    for event in events {
        let t = event.time_samples;
        match event.kind {
            InKind::NoteOn {
                channel,
                key,
                note_id,
                ..
            } => {
                let entry = held.entry((channel, key)).or_insert((0, note_id));
                if entry.0 > 0 {
                    let off = OutKind::NoteOff {
                        channel: channel as i16,
                        key: key as i16,
                        note_id: entry.1 as i32,
                    };
                    wanted.push((t, off));
                    num_restrikes += 1;
                }
                *entry = (entry.0 + 1, note_id);
                wanted.push((t, expected(event)));
            }
            InKind::NoteOff { channel, key, .. } => {
                if let Some(entry) = held.get_mut(&(channel, key)) {
                    match entry.0 {
                        0 => {}
                        1 => {
                            entry.0 = 0;
                            let off = OutKind::NoteOff {
                                channel: channel as i16,
                                key: key as i16,
                                note_id: entry.1 as i32,
                            };
                            wanted.push((t, off));
                        }
                        _ => entry.0 -= 1,
                    }
                }
            }
            _ => wanted.push((t, expected(event))),
        }
    }
    (wanted, num_restrikes)
}

/// What the plugin must send for an input event in pass-through.
fn expected(event: &InEvent) -> OutKind {
    match event.kind {
        InKind::NoteOn {
            channel,
            key,
            velocity,
            note_id,
        } => OutKind::NoteOn {
            channel: channel as i16,
            key: key as i16,
            velocity,
            note_id: note_id as i32,
        },
        InKind::NoteOff {
            channel,
            key,
            note_id,
        } => OutKind::NoteOff {
            channel: channel as i16,
            key: key as i16,
            note_id: note_id as i32,
        },
        InKind::Midi { bytes } => OutKind::Midi { bytes },
        InKind::Param { .. } => unreachable!(),
    }
}

fn assert_same_kind(actual: &OutKind, wanted: &OutKind, context: &str) {
    match (actual, wanted) {
        (
            OutKind::NoteOn {
                channel,
                key,
                velocity,
                note_id,
            },
            OutKind::NoteOn {
                channel: c,
                key: k,
                velocity: v,
                note_id: n,
            },
        ) => {
            assert_eq!((channel, key, note_id), (c, k, n), "{context}");
            // The plugin carries velocity as f32.
            assert!(
                (velocity - v).abs() < 1e-6,
                "{context}: velocity {velocity} vs {v}"
            );
        }
        _ => assert_eq!(actual, wanted, "{context}"),
    }
}

#[test]
fn random_performances_come_out_at_the_same_samples_in_both_layouts() {
    let mut num_restrikes = 0;
    for seed in 1..=30u64 {
        for layout in [Layout::Stereo, Layout::MidiOnly] {
            let mut rng = Rng::new(seed);
            let length_samples = 20_000;
            let events = random_performance(&mut rng, length_samples);
            let mut plugin = PluginUnderTest::start_with(layout, 48_000.0, 4096, PASS_THROUGH_ONLY);
            let out = plugin.run(&events, length_samples, || rng.range(1, 4096) as usize);
            let context = format!("seed {seed}, {layout:?}");
            let (wanted, restrikes) = expected_output(&events);
            assert_eq!(out.len(), wanted.len(), "{context}");
            for (actual, (time, kind)) in out.iter().zip(&wanted) {
                assert_eq!(actual.time_samples, *time, "{context}");
                assert_same_kind(&actual.kind, kind, &context);
            }
            num_restrikes += restrikes;
            assert_balanced(&out, &context);
        }
    }
    // The performances do strike sounding keys again (else the policy would go untested).
    assert!(num_restrikes > 10, "{num_restrikes} re-strikes");
}
#[test]
fn midi_dialect_notes_come_out_as_notes_at_the_same_samples() {
    for layout in [Layout::Stereo, Layout::MidiOnly] {
        let events = [
            InEvent {
                time_samples: 5,
                kind: InKind::Midi {
                    bytes: [0x93, 64, 100],
                },
            },
            InEvent {
                time_samples: 9,
                kind: InKind::Midi {
                    bytes: [0xB3, 11, 42],
                },
            },
            InEvent {
                time_samples: 130,
                kind: InKind::Midi {
                    bytes: [0x83, 64, 0],
                },
            },
            // Velocity-0 note-on is a note-off.
            InEvent {
                time_samples: 140,
                kind: InKind::Midi {
                    bytes: [0x90, 30, 1],
                },
            },
            InEvent {
                time_samples: 141,
                kind: InKind::Midi {
                    bytes: [0x90, 30, 0],
                },
            },
        ];
        let mut plugin = PluginUnderTest::start_with(layout, 44_100.0, 64, PASS_THROUGH_ONLY);
        let out = plugin.run(&events, 256, || 64);
        let context = format!("{layout:?}: {out:?}");
        assert_eq!(out.len(), 5, "{context}");
        assert_eq!(out[0].time_samples, 5);
        assert_same_kind(
            &out[0].kind,
            &OutKind::NoteOn {
                channel: 3,
                key: 64,
                velocity: 100.0 / 127.0,
                note_id: -1,
            },
            &context,
        );
        assert_eq!(
            (out[1].time_samples, out[1].kind),
            (
                9,
                OutKind::Midi {
                    bytes: [0xB3, 11, 42]
                }
            )
        );
        assert_eq!(out[2].time_samples, 130);
        assert!(
            matches!(
                out[2].kind,
                OutKind::NoteOff {
                    channel: 3,
                    key: 64,
                    ..
                }
            ),
            "{context}"
        );
        assert_eq!(out[3].time_samples, 140);
        assert_eq!(out[4].time_samples, 141);
        assert!(
            matches!(
                out[4].kind,
                OutKind::NoteOff {
                    channel: 0,
                    key: 30,
                    ..
                }
            ),
            "{context}"
        );
    }
}

#[test]
fn audio_passes_through_bit_exactly() {
    let mut rng = Rng::new(7);
    let mut plugin = PluginUnderTest::start_with(Layout::Stereo, 48_000.0, 4096, PASS_THROUGH_ONLY);
    for _ in 0..50 {
        let frames = rng.range(1, 4096) as usize;
        let start = plugin.now_samples;
        let note = [InEvent {
            time_samples: start,
            kind: InKind::Midi {
                bytes: [0x90, 60, 90],
            },
        }];
        plugin.process(frames, &note, None);
        let [left, right] = plugin.last_output_audio(frames);
        for i in 0..frames {
            let t = start + i as u64;
            assert_eq!(
                left[i].to_bits(),
                crate::host::test_signal(t, 0).to_bits(),
                "left at {t}"
            );
            assert_eq!(
                right[i].to_bits(),
                crate::host::test_signal(t, 1).to_bits(),
                "right at {t}"
            );
        }
    }
}

#[test]
fn stray_note_offs_are_not_forwarded() {
    let mut plugin =
        PluginUnderTest::start_with(Layout::MidiOnly, 48_000.0, 256, PASS_THROUGH_ONLY);
    let events = [
        InEvent {
            time_samples: 10,
            kind: InKind::NoteOff {
                channel: 0,
                key: 61,
                note_id: 5,
            },
        },
        InEvent {
            time_samples: 11,
            kind: InKind::Midi {
                bytes: [0x80, 62, 0],
            },
        },
    ];
    let out = plugin.run(&events, 256, || 256);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn switching_pass_through_off_ends_sounding_notes_at_that_sample() {
    for layout in [Layout::Stereo, Layout::MidiOnly] {
        let mut plugin = PluginUnderTest::start_with(layout, 48_000.0, 1024, PASS_THROUGH_ONLY);
        let pass_through = param_id(plugin.instance(), "Pass-through");
        let events = [
            InEvent {
                time_samples: 10,
                kind: InKind::NoteOn {
                    channel: 2,
                    key: 48,
                    velocity: 0.5,
                    note_id: 11,
                },
            },
            InEvent {
                time_samples: 20,
                kind: InKind::Midi {
                    bytes: [0xB2, 64, 127],
                },
            },
            InEvent {
                time_samples: 777,
                kind: InKind::Param {
                    param_id: pass_through,
                    value: 0.0,
                },
            },
            // The composer releases later: already ended, nothing more may come out.
            InEvent {
                time_samples: 900,
                kind: InKind::NoteOff {
                    channel: 2,
                    key: 48,
                    note_id: 11,
                },
            },
            // Not forwarded while pass-through is off.
            InEvent {
                time_samples: 950,
                kind: InKind::NoteOn {
                    channel: 2,
                    key: 50,
                    velocity: 0.5,
                    note_id: 12,
                },
            },
        ];
        let out = plugin.run(&events, 1024, || 1024);
        let context = format!("{layout:?}: {out:?}");
        let notes_and_pedal: Vec<_> = out.iter().filter(|e| e.kind != OutKind::Other).collect();
        assert_eq!(notes_and_pedal.len(), 4, "{context}");
        assert_eq!(notes_and_pedal[2].time_samples, 777, "{context}");
        assert!(
            matches!(
                notes_and_pedal[2].kind,
                OutKind::NoteOff {
                    channel: 2,
                    key: 48,
                    note_id: 11
                }
            ),
            "{context}"
        );
        // The pedal the composer held is lifted too.
        assert_eq!(
            (notes_and_pedal[3].time_samples, notes_and_pedal[3].kind),
            (
                777,
                OutKind::Midi {
                    bytes: [0xB2, 64, 0]
                }
            )
        );
        assert_balanced(&out, &context);
    }
}

#[test]
fn notes_sounding_at_deactivation_end_in_the_first_block_after() {
    let mut plugin = PluginUnderTest::start_with(Layout::Stereo, 48_000.0, 512, PASS_THROUGH_ONLY);
    let held = [InEvent {
        time_samples: 100,
        kind: InKind::NoteOn {
            channel: 0,
            key: 72,
            velocity: 0.6,
            note_id: 3,
        },
    }];
    let mut out = plugin.run(&held, 512, || 512);
    plugin.deactivate();
    plugin.activate();
    let first_sample_after = plugin.now_samples;
    out.extend(plugin.run(&[], first_sample_after + 512, || 512));
    let offs: Vec<_> = out
        .iter()
        .filter(|e| matches!(e.kind, OutKind::NoteOff { .. }))
        .collect();
    assert_eq!(offs.len(), 1, "{out:?}");
    assert_eq!(offs[0].time_samples, first_sample_after);
    assert_balanced(&out, "deactivate");
}

#[test]
fn event_flood_in_one_block_loses_nothing() {
    // 6000 note pairs in one 4096-sample block: more than the host queue is made for (8192).
    let mut events = Vec::new();
    for i in 0..6000u64 {
        let time = i * 4096 / 6000;
        let key = (i % 128) as u8;
        events.push(InEvent {
            time_samples: time,
            kind: InKind::Midi {
                bytes: [0x90 | (i % 16) as u8, key, 64],
            },
        });
        events.push(InEvent {
            time_samples: time,
            kind: InKind::Midi {
                bytes: [0x80 | (i % 16) as u8, key, 0],
            },
        });
    }
    let mut plugin =
        PluginUnderTest::start_with(Layout::MidiOnly, 48_000.0, 4096, PASS_THROUGH_ONLY);
    let out = plugin.run(&events, 4096, || 4096);
    assert_eq!(out.len(), events.len());
    assert!(
        out.windows(2)
            .all(|w| w[0].time_samples <= w[1].time_samples),
        "output not sorted by time"
    );
    assert_balanced(&out, "flood");
}

/// Subnormal input samples, deterministic per (sample, channel): a random mantissa below the
/// smallest normal f32, either sign; every 7th sample an ordinary value that must pass unchanged.
fn denormal_signal(time_samples: u64, channel_idx: usize) -> f32 {
    let mut x = time_samples.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (channel_idx as u64 + 1);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    if time_samples.is_multiple_of(7) {
        return ((x >> 40) as f32 / (1u64 << 24) as f32) - 0.5;
    }
    let mantissa = (x as u32) & 0x007F_FFFF | 1;
    let sign = ((x >> 32) as u32 & 1) << 31;
    f32::from_bits(sign | mantissa)
}

/// A fuzzer that feeds denormal audio got subnormal samples back on both channels within
/// milliseconds. Now: no subnormal output at any sample rate or block size, and ordinary
/// samples pass through bit for bit.
#[test]
fn denormal_input_never_comes_out_subnormal() {
    for (sample_rate, block) in [
        (44_100.0, 64),
        (48_000.0, 333),
        (96_000.0, 1024),
        (192_000.0, 4096),
    ] {
        let mut plugin = PluginUnderTest::start(Layout::Stereo, sample_rate, block);
        plugin.input_signal = denormal_signal;
        assert!(denormal_signal(1, 0).is_subnormal() && denormal_signal(2, 1).is_subnormal());
        let (mut subnormal_in, mut checked) = (0u64, 0u64);
        for _ in 0..40 {
            let start = plugin.now_samples;
            plugin.process(block, &[], None);
            for (channel_idx, output) in plugin.last_output_audio(block).iter().enumerate() {
                for (offset, &sample) in output.iter().enumerate() {
                    let input = denormal_signal(start + offset as u64, channel_idx);
                    assert!(!sample.is_subnormal(), "subnormal out at {sample_rate} Hz");
                    if input.is_subnormal() {
                        subnormal_in += 1;
                        assert_eq!(sample, 0.0);
                    } else {
                        assert_eq!(sample.to_bits(), input.to_bits(), "ordinary samples pass");
                    }
                    checked += 1;
                }
            }
        }
        assert!(subnormal_in > checked / 2, "the input really was denormal");
    }
}

/// The benchmark's timed path (events prepared by the caller, only the plugin's `process`
/// timed) does the same work as the ordinary one: same output for the same blocks.
#[test]
fn the_timed_process_path_gives_the_same_output() {
    let mut rng = Rng::new(77);
    let length_samples = 4096;
    let events = random_performance(&mut rng, length_samples);
    let mut plain = PluginUnderTest::start_with(Layout::Stereo, 48_000.0, 256, PASS_THROUGH_ONLY);
    let mut timed = PluginUnderTest::start_with(Layout::Stereo, 48_000.0, 256, PASS_THROUGH_ONLY);
    let mut out = clack_host::prelude::EventBuffer::with_capacity(1024);
    let mut total = 0;
    for block_start in (0..length_samples).step_by(256) {
        let block: Vec<InEvent> = events
            .iter()
            .filter(|e| (block_start..block_start + 256).contains(&e.time_samples))
            .copied()
            .collect();
        let expected = plain.process(256, &block, None);
        let offsets: Vec<(u32, InKind)> = block
            .iter()
            .map(|e| ((e.time_samples - block_start) as u32, e.kind))
            .collect();
        let elapsed = timed.process_timed(256, &in_event_buffer(&offsets), &mut out, None);
        assert!(elapsed > std::time::Duration::ZERO);
        assert_eq!(out_events_of(&out, block_start, 256), expected);
        total += expected.len();
    }
    assert!(total > 20, "{total} events");
}
