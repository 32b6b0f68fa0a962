//! The nice-plug `Plugin` implementation and the CLAP/VST3 exports. Glue only: host events in,
//! engine, host events out.

use crate::synth::Monitor;
use std::num::NonZeroU32;
use std::sync::Arc;

use nice_plug::prelude::*;
use nice_plug_egui::{
    create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, RepaintNotifier,
};

use crate::editor::EditorApp;
use crate::engine::event::Event;
use crate::engine::event_buffer::EventBuffer;
use crate::engine::motif::TimeSignature;
use crate::engine::parameter_sweep::drop_parameter_sweeps;
use crate::engine::playback::{
    BlockInfo, LiveEngine, TransportInfo, MAX_IN_EVENTS_PER_BLOCK, MAX_OUT_EVENTS_PER_BLOCK,
};
use crate::host_events;
use crate::library_state::{LibraryAudioSide, LibraryHandle};
use crate::params::RepriseParams;
use crate::shared::{shared_state, AudioSide, Command, GuiSide};

/// The Reprise plugin instance.
pub struct Reprise {
    /// Parameters and the persisted library, shared with the host and the editor.
    params: Arc<RepriseParams>,
    /// Editor window size and open flag, shared with the editor.
    editor_state: Arc<EguiEditorState>,
    /// The live engine (capture, library, rendering, scheduler). Owner: the audio thread.
    live: Box<LiveEngine>,
    /// The audio thread's side of the library hand-over.
    library_audio: LibraryAudioSide,
    /// Library revision last published for saving.
    published_revision: u64,
    /// Generation of the learnt tempo map last published for saving.
    published_tempo_generation: u64,
    /// Engine output. Capacity `MAX_OUT_EVENTS_PER_BLOCK`, allocated in `initialize()`.
    events_out: EventBuffer,
    /// The block's input events, host parameter sweeps removed. Capacity
    /// `MAX_IN_EVENTS_PER_BLOCK`, allocated in `initialize()`; events past it go straight on.
    events_in: Vec<Event>,
    /// Output events the host refused (its output queue was full), since activation.
    num_host_refused_events: u64,
    /// The audio thread's side of the editor hand-over.
    shared_audio: AudioSide,
    /// The editor's side, moved into the editor when the host asks for it.
    shared_gui: Option<GuiSide>,
    /// (library revision, render revision) last published to the editor.
    published_to_editor: (u64, u64),
    /// Whether the editor was open at the last block (a newly opened editor gets a snapshot).
    editor_was_open: bool,
    /// The standalone app's General MIDI synthesizer playing the output into the audio outputs
    /// (see [`crate::monitor_through`]); `None` in a DAW. Made in `initialize()`.
    monitor: Option<Box<Monitor>>,
}

impl Default for Reprise {
    fn default() -> Self {
        let (library, mut library_audio) = LibraryHandle::new();
        let (shared_audio, shared_gui) = shared_state();
        let mut live = Box::new(LiveEngine::new());
        if crate::STARTS_WITH_DEMO_MOTIF.load(std::sync::atomic::Ordering::Relaxed) {
            live.set_slot(0, &crate::engine::demo::demo_motif());
        }
        // What a save before the first block returns (the demo motif, if built in).
        library_audio.publish(live.slots());
        Self {
            params: Arc::new(RepriseParams::new(library)),
            editor_state: EguiEditorState::from_size(
                nice_plug::editor::dpi::LogicalSize::new(900.0, 760.0),
                1.0,
            ),
            live,
            library_audio,
            published_revision: u64::MAX,
            published_tempo_generation: 0,
            // Zero capacity does not allocate; the real buffers are made in `initialize()`.
            events_out: EventBuffer::with_capacity(0),
            events_in: Vec::new(),
            num_host_refused_events: 0,
            shared_audio,
            shared_gui: Some(shared_gui),
            published_to_editor: (u64::MAX, u64::MAX),
            editor_was_open: false,
            monitor: None,
        }
    }
}

impl Reprise {
    /// Applies the editor's queued commands. Never blocks.
    fn apply_commands(&mut self) {
        while let Some(command) = self.shared_audio.next_command() {
            match command {
                Command::SetSlot { slot, motif } => self.live.set_slot(slot, &motif),
                Command::ClearSlot { slot } => self.live.clear_slot(slot),
                Command::LockKey { slot, key } => self.live.lock_key(slot, key),
                Command::SetPicture { picture } => self.live.set_picture(&picture),
            }
        }
    }

    /// Updates the readouts, and the snapshot when the editor is open and something changed.
    fn publish_to_editor(&mut self) {
        let readouts = &self.shared_audio.readouts;
        readouts.set_playhead_beats(self.live.playhead_beats());
        if let Some(heard) = self.live.audio_readout() {
            use std::sync::atomic::Ordering::Relaxed;
            readouts.audio_level_db.store(heard.level_db, Relaxed);
            readouts
                .audio_pitch_midi
                .store(heard.pitch_midi.unwrap_or(0.0), Relaxed);
            readouts
                .audio_note
                .store(heard.sounding_key.map_or(0, |k| u32::from(k) + 1), Relaxed);
        }
        readouts.hits.host_gives_seconds.store(
            self.live.seconds_source() == crate::engine::playback::locking::SecondsSource::Host,
            std::sync::atomic::Ordering::Relaxed,
        );
        let (taps, last_tap) = self.live.taps();
        readouts
            .hits
            .last_tap_seconds
            .store(last_tap, std::sync::atomic::Ordering::Relaxed);
        readouts
            .hits
            .tap_count
            .store(taps, std::sync::atomic::Ordering::Release);
        readouts.hits.playhead_seconds.store(
            self.live.block_seconds(),
            std::sync::atomic::Ordering::Relaxed,
        );
        for index in 0..self.live.picture().hits.len() {
            readouts.hits.set_outcome(
                index,
                self.live.hit_outcome(index),
                self.live.hit_miss_seconds(index),
            );
        }
        readouts.capture_armed.store(
            self.live.capture_is_armed(),
            std::sync::atomic::Ordering::Relaxed,
        );
        readouts.phrase_notes.store(
            self.live.num_phrase_notes() as u32,
            std::sync::atomic::Ordering::Relaxed,
        );
        for (slot, role) in readouts
            .sounding_roles
            .iter()
            .zip(self.live.sounding_roles())
        {
            slot.store(
                crate::shared::role_code(role),
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        readouts
            .late_notes
            .store(self.live.num_late(), std::sync::atomic::Ordering::Relaxed);
        let dropped = self.live.num_dropped()
            + self.live.num_heard_dropped()
            + self.events_out.num_dropped()
            + self.num_host_refused_events;
        readouts
            .dropped_events
            .store(dropped, std::sync::atomic::Ordering::Relaxed);
        let revisions = (self.live.library_revision(), self.live.shown_revision());
        let open = self.editor_state.is_open();
        let just_opened = open && !self.editor_was_open;
        self.editor_was_open = open;
        if !open || (revisions == self.published_to_editor && !just_opened) {
            return;
        }
        self.published_to_editor = revisions;
        let live = &self.live;
        self.shared_audio.publish(|snapshot| {
            snapshot.active_slot = live.active_slot();
            snapshot.motif.clone_from(&live.slots()[live.active_slot()]);
            snapshot.rendering.clone_from(live.rendering());
            for (count, motif) in snapshot.slot_num_notes.iter_mut().zip(live.slots().iter()) {
                *count = motif.len();
            }
        });
    }

    fn send_output(&mut self, context: &mut impl ProcessContext<Self>) {
        for event in self.events_out.as_slice() {
            if let Some(host_event) = host_events::to_host(event) {
                if context.try_send_event(host_event).is_err() {
                    self.num_host_refused_events += 1;
                }
            }
        }
        self.events_out.clear();
    }
}

/// Replaces every subnormal sample by 0.0, in place. Every other value (NaN included) passes
/// unchanged. Audio thread; one pass over the block.
fn flush_subnormals(buffer: &mut Buffer) {
    for channel in buffer.as_slice() {
        for sample in channel.iter_mut() {
            if sample.is_subnormal() {
                *sample = 0.0;
            }
        }
    }
}

/// The engine's view of the host transport: usable only with both tempo and position.
fn transport_info(transport: &Transport) -> Option<TransportInfo> {
    let tempo_bpm = transport.tempo?;
    let pos_beats = transport.pos_beats()?;
    let time_signature = match (transport.time_sig_numerator, transport.time_sig_denominator) {
        (Some(numerator), Some(denominator))
            if (1..=255).contains(&numerator) && (1..=255).contains(&denominator) =>
        {
            Some(TimeSignature::new(numerator as u8, denominator as u8))
        }
        _ => None,
    };
    // Picture time: the host's own seconds or sample timeline, never beats ÷ tempo (wrong once
    // the tempo has changed).
    let pos_seconds = transport.pos_seconds.or_else(|| {
        let rate = f64::from(transport.sample_rate);
        transport
            .pos_samples
            .filter(|_| rate > 0.0)
            .map(|samples| samples as f64 / rate)
    });
    Some(TransportInfo {
        pos_seconds,
        playing: transport.playing,
        tempo_bpm,
        pos_beats,
        time_signature,
        loop_range_beats: transport.loop_range_beats,
        bar_start_beats: transport.bar_start_pos_beats,
    })
}

impl Plugin for Reprise {
    const NAME: &'static str = "Reprise";
    const VENDOR: &'static str = "Reprise";
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        // Stereo pass-through first: strict hosts refuse plugins without a main audio output.
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            aux_input_ports: &[],
            aux_output_ports: &[],
            names: PortNames::const_default(),
        },
        // MIDI only.
        AudioIOLayout::const_default(),
    ];

    const MIDI_INPUT: MidiConfig = MidiConfig::MidiCCs;
    const MIDI_OUTPUT: MidiConfig = MidiConfig::MidiCCs;
    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    const INPUT_EVENT_CAPACITY: usize = MAX_IN_EVENTS_PER_BLOCK;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = EguiEditor<EditorApp>;

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        let shared = self.shared_gui.take()?;
        let resizable = nice_plug::editor::ResizeHint {
            can_resize: true,
            can_resize_horizontally: true,
            can_resize_vertically: true,
            ..Default::default()
        };
        create_egui_editor(
            self.editor_state.clone(),
            RepaintNotifier::new(),
            EguiNiceSettings::new()
                .with_tile(Self::NAME)
                .with_resize_hint(resizable),
            EditorApp::new(self.params.clone(), shared),
        )
    }

    fn activate(
        &mut self,
        _audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        _context: &mut impl ActivateContext<Self>,
    ) -> bool {
        // `initialize()`: the only place that allocates. Re-activation keeps existing buffers.
        if self.events_out.capacity() < MAX_OUT_EVENTS_PER_BLOCK {
            self.events_out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
        }
        if self.events_in.capacity() < MAX_IN_EVENTS_PER_BLOCK {
            self.events_in = Vec::with_capacity(MAX_IN_EVENTS_PER_BLOCK);
        }
        self.num_host_refused_events = 0;
        self.live.prepare(buffer_config.sample_rate as f64);
        let soundfont = crate::MONITOR_SOUNDFONT
            .lock()
            .ok()
            .and_then(|slot| slot.clone());
        self.monitor = soundfont.and_then(|soundfont| {
            match Monitor::new(&soundfont, f64::from(buffer_config.sample_rate)) {
                Ok(monitor) => Some(Box::new(monitor)),
                Err(error) => {
                    nice_log!("reprise: cannot play the output through the SoundFont: {error}");
                    None
                }
            }
        });
        true
    }

    fn reset(&mut self) {
        // Anything still sounding from before the reset is ended at the first sample of the next
        // block (reset cannot send events itself).
        self.live.reset();
        if let Some(monitor) = self.monitor.as_mut() {
            monitor.silence();
        }
    }

    fn deactivate(&mut self) {
        self.live.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        // Audio passes through: nice-plug has already copied input to output. Subnormal samples
        // become zero (a denormal input must not come out as subnormal output).
        flush_subnormals(buffer);
        // With sample-accurate automation this call covers one sub-block that starts at a
        // parameter change or transport update, so sample 0 here is the exact sample of it.
        self.events_out.clear();
        if let Some((loaded, picture)) = self.library_audio.take_loaded(&self.params.library.0) {
            for (slot, motif) in loaded.iter().enumerate() {
                self.live.set_slot(slot, motif);
            }
            self.live.set_picture(picture);
            // Publish below even if the library looks unchanged: the publication must carry the
            // new load's generation.
            self.published_revision = u64::MAX;
        }
        let block = BlockInfo {
            num_samples: buffer.samples() as u32,
            transport: transport_info(context.transport()),
        };
        self.apply_commands();
        let settings = self.params.to_live_settings();
        self.shared_audio.readouts.listening.store(
            settings.capture != crate::engine::playback::LiveCapture::Off,
            std::sync::atomic::Ordering::Relaxed,
        );
        // The block's input events, less a host's parameter sweep (Ardour writes every
        // MIDI-mapped VST3 parameter on load: see `parameter_sweep`). Events past the buffer's
        // capacity go straight from the host queue into the engine.
        self.events_in.clear();
        let mut first_overflow = None;
        while let Some(host_event) = context.next_event() {
            if let Some(event) = host_events::to_engine(&host_event) {
                if self.events_in.len() == self.events_in.capacity() {
                    first_overflow = Some(event);
                    break;
                }
                self.events_in.push(event);
            }
        }
        drop_parameter_sweeps(&mut self.events_in);
        let overflow = first_overflow
            .into_iter()
            .chain(std::iter::from_fn(|| loop {
                let host_event = context.next_event()?;
                if let Some(event) = host_events::to_engine(&host_event) {
                    return Some(event);
                }
            }));
        let events = self.events_in.iter().copied().chain(overflow);
        // The audio input (already copied to the output, which passes through unchanged) is
        // what the note tracker hears when capture listens to audio.
        let channels = buffer.as_slice_immutable();
        let audio: [&[f32]; 2] = match channels {
            [left, right, ..] => [left, right],
            [mono] => [mono, mono],
            [] => [&[], &[]],
        };
        self.live
            .process_with_audio(&block, &settings, events, audio, &mut self.events_out);
        if let Some(monitor) = self.monitor.as_mut() {
            // The standalone app: its outputs sound what the output plays.
            if let [left, right, ..] = buffer.as_slice() {
                monitor.play(
                    settings.character.character,
                    self.events_out.as_slice(),
                    left,
                    right,
                );
            }
        }
        self.send_output(context);
        self.publish_to_editor();
        if self.live.library_revision() != self.published_revision {
            self.published_revision = self.live.library_revision();
            self.library_audio.publish(self.live.slots());
        }
        if let Some((map, generation)) = self.live.learnt_tempo() {
            if generation != self.published_tempo_generation {
                self.published_tempo_generation = generation;
                self.library_audio.publish_learnt_tempo(generation, map);
            }
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for Reprise {
    const CLAP_ID: &'static str = "com.reprise-audio.reprise";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Captures a motif and re-renders it live as Piano, Swell or Distant");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::NoteEffect,
        ClapFeature::Utility,
        ClapFeature::AudioEffect,
        ClapFeature::Stereo,
    ];
}

impl Vst3Plugin for Reprise {
    const VST3_CLASS_ID: [u8; 16] = *b"RepriseMotifFx01";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Instrument, Vst3SubCategory::Tools];
}

nice_export_clap!(Reprise);
nice_export_vst3!(Reprise);
