//! GUI cost: CPU time per editor frame (layout + tessellation, no GPU) with a 64-note motif and
//! its Swell rendering on screen, at 100 % and 200 % scale. `cargo bench --bench editor`

use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::motif::{Motif, Note, TimeSignature};
use reprise::engine::rendering::Rendering;
use reprise::library_state::LibraryHandle;
use reprise::shared::shared_state;
use reprise::{draw_editor, EditorState, RepriseParams};

fn editor_with_motif() -> (EditorState, reprise::shared::AudioSide) {
    let (library, _) = LibraryHandle::new();
    let params = Arc::new(RepriseParams::new(library));
    let (mut audio, gui) = shared_state();
    let mut motif = Motif::new(TimeSignature::new(4, 4), 100.0);
    for i in 0..64 {
        let key = 60 + [0, 2, 4, 5, 7, 4, 2, 9][i % 8];
        motif.push(Note {
            start_beats: i as f64 * 0.5,
            length_beats: 0.5,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    let mut rendering = Rendering::new();
    render(
        &motif,
        &CharacterSettings {
            character: Character::Swell,
            intensity: 1.0,
            ..CharacterSettings::default()
        },
        &mut rendering,
    );
    audio.publish(|snapshot| {
        snapshot.motif = motif.clone();
        snapshot.rendering.clone_from(&rendering);
        snapshot.slot_num_notes[0] = motif.len();
    });
    audio.readouts.set_playhead_beats(Some(3.0));
    (EditorState::new(params, gui), audio)
}

fn frame(ctx: &egui::Context, state: &mut EditorState, scale: f32) -> usize {
    ctx.set_zoom_factor(scale);
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(900.0, 760.0),
        )),
        ..Default::default()
    };
    let mut output = ctx.run_ui(input, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| draw_editor(ui, state, None));
    });
    output.textures_delta.clear();
    let primitives = ctx.tessellate(std::mem::take(&mut output.shapes), output.pixels_per_point);
    primitives.len()
}

fn bench_editor(c: &mut Criterion) {
    let mut group = c.benchmark_group("editor_frame_64_notes");
    for scale in [1.0f32, 2.0] {
        let (mut state, _audio) = editor_with_motif();
        let ctx = egui::Context::default();
        group.bench_function(format!("scale_{}", (scale * 100.0) as u32), |b| {
            b.iter(|| frame(&ctx, &mut state, scale))
        });
    }
    group.finish();
    for scale in [1.0f32, 2.0] {
        let (mut state, _audio) = editor_with_motif();
        let ctx = egui::Context::default();
        let mut times: Vec<f64> = (0..600)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(frame(&ctx, &mut state, scale));
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "editor frame at {:.0} %: median {:.3} ms, p99 {:.3} ms (600 frames, 64-note motif, Swell rendering)",
            scale * 100.0,
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
    }
}

criterion_group!(benches, bench_editor);
criterion_main!(benches);
