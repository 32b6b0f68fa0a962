//! A minimal CLAP host built on clack-host: loads the built Reprise plugin, activates it and
//! drives `process` the way a DAW does, recording every output event with its absolute sample
//! time.

use std::ffi::CStr;
use std::path::PathBuf;

use clack_extensions::audio_ports_config::{AudioPortsConfigBuffer, PluginAudioPortsConfig};
use clack_extensions::params::{ParamInfoBuffer, PluginParams};
use clack_extensions::state::PluginState;
use clack_host::events::event_types::{
    MidiEvent, NoteOffEvent, NoteOnEvent, ParamValueEvent, TransportEvent,
};
use clack_host::events::{Match, Pckn};
use clack_host::prelude::*;
use clack_host::process::StartedPluginAudioProcessor;

/// The plugin's CLAP id (frozen).
pub const CLAP_ID: &CStr = c"com.reprise-audio.reprise";

/// Where the plugin under test is: `$REPRISE_CLAP` (e.g. a release bundle) or the debug cdylib
/// that `cargo test` built next to this test binary.
pub fn plugin_path() -> PathBuf {
    crate::built_plugin::from_env("REPRISE_CLAP").unwrap_or_else(crate::built_plugin::debug_library)
}

pub struct TestHostShared;

impl SharedHandler<'_> for TestHostShared {
    fn request_restart(&self) {}
    fn request_process(&self) {}
    fn request_callback(&self) {}
}

impl clack_extensions::gui::HostGuiImpl for TestHostShared {
    fn resize_hints_changed(&self) {}
    fn request_resize(&self, _new_size: clack_extensions::gui::GuiSize) -> Result<(), HostError> {
        Ok(())
    }
    fn request_show(&self) -> Result<(), HostError> {
        Ok(())
    }
    fn request_hide(&self) -> Result<(), HostError> {
        Ok(())
    }
    fn closed(&self, _was_destroyed: bool) {}
}

pub struct TestHost;

impl HostHandlers for TestHost {
    type Shared<'a> = TestHostShared;
    type MainThread<'a> = ();
    type AudioProcessor<'a> = ();

    // A DAW offers the GUI extension; nice-plug relies on it when an editor opens.
    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder.register::<clack_extensions::gui::HostGui>();
    }
}

/// Audio port layouts the plugin offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Main stereo input and output (the default).
    Stereo,
    /// No audio ports at all.
    MidiOnly,
}

/// An event the plugin sent, at its absolute sample position since processing started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutEvent {
    pub time_samples: u64,
    pub kind: OutKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutKind {
    NoteOn {
        channel: i16,
        key: i16,
        velocity: f64,
        note_id: i32,
    },
    NoteOff {
        channel: i16,
        key: i16,
        note_id: i32,
    },
    Midi {
        bytes: [u8; 3],
    },
    Other,
}

/// An input event at an absolute sample position.
#[derive(Debug, Clone, Copy)]
pub struct InEvent {
    pub time_samples: u64,
    pub kind: InKind,
}

#[derive(Debug, Clone, Copy)]
pub enum InKind {
    /// CLAP note-on (channel, key, velocity 0–1, note id).
    NoteOn {
        channel: u16,
        key: u16,
        velocity: f64,
        note_id: u32,
    },
    /// CLAP note-off.
    NoteOff {
        channel: u16,
        key: u16,
        note_id: u32,
    },
    /// Raw MIDI 1.0 bytes (MIDI dialect).
    Midi { bytes: [u8; 3] },
    /// Parameter change to a plain value.
    Param { param_id: u32, value: f64 },
}

/// A loaded, activated plugin instance with processing started.
pub struct PluginUnderTest {
    _entry: PluginEntry,
    instance: PluginInstance<TestHost>,
    processor: Option<StartedPluginAudioProcessor<TestHost>>,
    pub layout: Layout,
    pub sample_rate: f64,
    pub max_block: usize,
    /// Samples processed since start (absolute time of the next block's first sample).
    pub now_samples: u64,
    /// What the host feeds the stereo input: (absolute sample, channel) → sample.
    pub input_signal: fn(u64, usize) -> f32,
    /// Host-side audio buffers, sized to `max_block`.
    input_audio: [Vec<f32>; 2],
    output_audio: [Vec<f32>; 2],
}

impl PluginUnderTest {
    /// Loads and instantiates the plugin, without activating it.
    pub fn instantiate() -> (PluginEntry, PluginInstance<TestHost>) {
        let path = plugin_path();
        // SAFETY: the path points at our own plugin library, built by this workspace.
        let entry =
            unsafe { PluginEntry::load(&path) }.unwrap_or_else(|e| panic!("loading {path:?}: {e}"));
        let host_info = HostInfo::new(
            "Reprise test host",
            "Reprise",
            "https://example.invalid",
            "0.1.0",
        )
        .expect("host info");
        let instance = PluginInstance::<TestHost>::new(
            |_| TestHostShared,
            |_| (),
            &entry,
            CLAP_ID,
            &host_info,
        )
        .expect("plugin instantiation");
        (entry, instance)
    }

    /// Loads, selects `layout`, activates at `sample_rate` for blocks up to `max_block` and starts
    /// processing.
    pub fn start(layout: Layout, sample_rate: f64, max_block: usize) -> Self {
        Self::start_with(layout, sample_rate, max_block, &[])
    }

    /// [`start`](Self::start) with parameters set (by display name, plain values) before
    /// activation, the way a host restores a project.
    pub fn start_with(
        layout: Layout,
        sample_rate: f64,
        max_block: usize,
        params: &[(&str, f64)],
    ) -> Self {
        let (entry, mut instance) = Self::instantiate();
        select_layout(&mut instance, layout);
        flush_params(&mut instance, params);
        let mut this = Self {
            _entry: entry,
            instance,
            processor: None,
            layout,
            sample_rate,
            max_block,
            now_samples: 0,
            input_signal: test_signal,
            input_audio: [vec![0.0; max_block], vec![0.0; max_block]],
            output_audio: [vec![0.0; max_block], vec![0.0; max_block]],
        };
        this.activate();
        this
    }

    /// (Re)activates with the current sample rate and block size and starts processing.
    pub fn activate(&mut self) {
        let config = PluginAudioConfiguration {
            sample_rate: self.sample_rate,
            min_frames_count: 1,
            max_frames_count: self.max_block as u32,
        };
        let stopped = self
            .instance
            .activate(|_, _| (), config)
            .expect("activation");
        self.processor = Some(stopped.start_processing().expect("start processing"));
    }

    /// The host's `reset` on the audio thread (e.g. after a jump or a bypass).
    pub fn reset(&mut self) {
        if let Some(processor) = self.processor.as_mut() {
            processor.reset();
        }
    }

    /// Stops processing and deactivates.
    pub fn deactivate(&mut self) {
        if let Some(started) = self.processor.take() {
            let stopped = started.stop_processing();
            self.instance.deactivate(stopped);
        }
    }

    /// Saves the plugin state (main thread).
    pub fn save_state(&mut self) -> Vec<u8> {
        save_instance_state(&mut self.instance)
    }

    /// Loads a plugin state (main thread). Returns whether the plugin accepted it.
    pub fn load_state(&mut self, bytes: &[u8]) -> bool {
        let state = self
            .instance
            .plugin_handle()
            .get_extension::<PluginState>()
            .expect("state extension");
        state
            .load(&self.instance.plugin_handle(), &mut &bytes[..])
            .is_ok()
    }

    /// Loads this plugin's own saved state with the motif library replaced by `library` (schema
    /// JSON) and some parameters (by string id, nice-plug value JSON such as
    /// `{"string": "swell"}`) overridden, the way a host restores a project.
    pub fn load_library(
        &mut self,
        library: serde_json::Value,
        params: &[(&str, serde_json::Value)],
    ) {
        let saved = self.save_state();
        let mut state: serde_json::Value = serde_json::from_slice(&saved[8..]).expect("state JSON");
        state["fields"]["library"] = serde_json::Value::String(library.to_string());
        for (id, value) in params {
            state["params"][*id] = value.clone();
        }
        let json = serde_json::to_vec(&state).unwrap();
        let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
        bytes.extend(json);
        assert!(self.load_state(&bytes), "state load refused");
    }

    /// The instance, for extension queries.
    pub fn instance(&mut self) -> &mut PluginInstance<TestHost> {
        &mut self.instance
    }

    /// Processes one block of `frames` samples with the given events (absolute times inside this
    /// block), returning the output events with absolute times. Fills the stereo input with a
    /// deterministic signal and checks nothing; see [`Self::last_audio`].
    pub fn process(
        &mut self,
        frames: usize,
        events: &[InEvent],
        transport: Option<&TransportEvent>,
    ) -> Vec<OutEvent> {
        assert!(
            frames >= 1 && frames <= self.max_block,
            "block of {frames} frames"
        );
        let block_start = self.now_samples;
        let mut in_events = EventBuffer::with_capacity(events.len());
        for event in events {
            let offset = event
                .time_samples
                .checked_sub(block_start)
                .expect("event before block");
            assert!(
                offset < frames as u64,
                "event at {} outside block [{block_start}, +{frames})",
                event.time_samples
            );
            push_in_event(&mut in_events, offset as u32, event.kind);
        }
        let mut out_events = EventBuffer::with_capacity(events.len() * 2 + 64);
        self.fill_input_audio(frames);
        self.process_raw(frames, &in_events, &mut out_events, transport);
        self.now_samples += frames as u64;
        out_events_of(&out_events, block_start, frames)
    }

    /// Fills the stereo input of the next `frames` samples with the input signal and the output
    /// with NaN (so untouched output shows).
    fn fill_input_audio(&mut self, frames: usize) {
        let block_start = self.now_samples;
        for (channel_idx, channel) in self.input_audio.iter_mut().enumerate() {
            for (i, sample) in channel[..frames].iter_mut().enumerate() {
                *sample = (self.input_signal)(block_start + i as u64, channel_idx);
            }
        }
        for channel in &mut self.output_audio {
            channel[..frames].fill(f32::NAN);
        }
    }

    /// One `process` call on prepared event buffers at `now_samples` (not advanced). Returns how
    /// long the plugin's `process` took: the host's own work (ports, events) is outside it.
    fn process_raw(
        &mut self,
        frames: usize,
        in_events: &EventBuffer,
        out_events: &mut EventBuffer,
        transport: Option<&TransportEvent>,
    ) -> std::time::Duration {
        let processor = self.processor.as_mut().expect("processing started");
        let (status, elapsed) = match self.layout {
            Layout::Stereo => {
                let mut input_ports = AudioPorts::with_capacity(2, 1);
                let mut output_ports = AudioPorts::with_capacity(2, 1);
                let [in_l, in_r] = &mut self.input_audio;
                let [out_l, out_r] = &mut self.output_audio;
                let input_audio = input_ports.with_input_buffers([AudioPortBuffer {
                    latency: 0,
                    channels: AudioPortBufferType::f32_input_only(
                        [
                            InputChannel::variable(&mut in_l[..frames]),
                            InputChannel::variable(&mut in_r[..frames]),
                        ]
                        .into_iter(),
                    ),
                }]);
                let mut output_audio = output_ports.with_output_buffers([AudioPortBuffer {
                    latency: 0,
                    channels: AudioPortBufferType::f32_output_only(
                        [&mut out_l[..frames], &mut out_r[..frames]].into_iter(),
                    ),
                }]);
                let started = std::time::Instant::now();
                let status = processor.process(
                    &input_audio,
                    &mut output_audio,
                    &in_events.as_input(),
                    &mut out_events.as_output(),
                    Some(self.now_samples),
                    transport,
                );
                (status, started.elapsed())
            }
            Layout::MidiOnly => {
                // SAFETY: no port buffers are referenced; clack-host only takes the frame count.
                let input_audio =
                    unsafe { InputAudioBuffers::from_raw_buffers(&[], frames as u32) };
                // SAFETY: as above.
                let mut output_audio =
                    unsafe { OutputAudioBuffers::from_raw_buffers(&mut [], frames as u32) };
                let started = std::time::Instant::now();
                let status = processor.process(
                    &input_audio,
                    &mut output_audio,
                    &in_events.as_input(),
                    &mut out_events.as_output(),
                    Some(self.now_samples),
                    transport,
                );
                (status, started.elapsed())
            }
        };
        status.expect("process call");
        elapsed
    }

    /// Processes one block from event buffers the caller prepared (events at block offsets, see
    /// [`in_event_buffer`]), and returns only how long the plugin's `process` call took: the
    /// test host's own per-block work (building events, audio ports, reading the output) is
    /// kept out of the timing. Output events are left in `out_events` (cleared first); the
    /// input audio keeps whatever it last held.
    pub fn process_timed(
        &mut self,
        frames: usize,
        in_events: &EventBuffer,
        out_events: &mut EventBuffer,
        transport: Option<&TransportEvent>,
    ) -> std::time::Duration {
        assert!(frames >= 1 && frames <= self.max_block);
        out_events.clear();
        let elapsed = self.process_raw(frames, in_events, out_events, transport);
        self.now_samples += frames as u64;
        elapsed
    }

    /// The stereo output of the last block (first `frames` samples are valid).
    pub fn last_output_audio(&self, frames: usize) -> [&[f32]; 2] {
        [
            &self.output_audio[0][..frames],
            &self.output_audio[1][..frames],
        ]
    }

    /// Runs `events` (sorted by absolute time, starting at `now_samples`) through blocks whose
    /// sizes come from `next_block_size`, until `end_samples`; returns every output event.
    pub fn run(
        &mut self,
        events: &[InEvent],
        end_samples: u64,
        next_block_size: impl FnMut() -> usize,
    ) -> Vec<OutEvent> {
        self.run_with_transport(events, end_samples, next_block_size, |_| None)
    }

    /// [`run`](Self::run) with a host transport: `transport_at(block start sample)` gives the
    /// transport for each block (or `None` for none).
    pub fn run_with_transport(
        &mut self,
        events: &[InEvent],
        end_samples: u64,
        mut next_block_size: impl FnMut() -> usize,
        transport_at: impl Fn(u64) -> Option<TransportEvent>,
    ) -> Vec<OutEvent> {
        let mut out = Vec::new();
        let mut next_idx = 0;
        while self.now_samples < end_samples {
            let frames = next_block_size()
                .clamp(1, self.max_block)
                .min((end_samples - self.now_samples) as usize);
            let block_end = self.now_samples + frames as u64;
            let start_idx = next_idx;
            while next_idx < events.len() && events[next_idx].time_samples < block_end {
                next_idx += 1;
            }
            let transport = transport_at(self.now_samples);
            out.extend(self.process(frames, &events[start_idx..next_idx], transport.as_ref()));
        }
        out
    }
}

impl Drop for PluginUnderTest {
    fn drop(&mut self) {
        self.deactivate();
    }
}

/// A host transport at `pos_beats` (4/4), playing or stopped, optionally looping.
pub fn transport(
    pos_beats: f64,
    tempo_bpm: f64,
    playing: bool,
    loop_beats: Option<(f64, f64)>,
) -> TransportEvent {
    transport_in_metre(pos_beats, tempo_bpm, playing, loop_beats, (4, 4))
}

/// [`transport`] in the metre `(numerator, denominator)` (bar start and number follow it).
pub fn transport_in_metre(
    pos_beats: f64,
    tempo_bpm: f64,
    playing: bool,
    loop_beats: Option<(f64, f64)>,
    (numerator, denominator): (u16, u16),
) -> TransportEvent {
    let bar_beats = numerator as f64 * 4.0 / denominator as f64;
    use clack_host::events::event_types::TransportFlags;
    use clack_host::events::{EventFlags, EventHeader};
    use clack_host::utils::{BeatTime, SecondsTime};
    let mut flags = TransportFlags::HAS_TEMPO
        | TransportFlags::HAS_BEATS_TIMELINE
        | TransportFlags::HAS_TIME_SIGNATURE;
    if playing {
        flags |= TransportFlags::IS_PLAYING;
    }
    if loop_beats.is_some() {
        flags |= TransportFlags::IS_LOOP_ACTIVE;
    }
    let (loop_start, loop_end) = loop_beats.unwrap_or((0.0, 0.0));
    TransportEvent {
        header: EventHeader::new_core(0, EventFlags::empty()),
        flags,
        song_pos_beats: BeatTime::from_float(pos_beats),
        song_pos_seconds: SecondsTime::from_float(pos_beats * 60.0 / tempo_bpm),
        tempo: tempo_bpm,
        tempo_inc: 0.0,
        loop_start_beats: BeatTime::from_float(loop_start),
        loop_end_beats: BeatTime::from_float(loop_end),
        loop_start_seconds: SecondsTime::from_float(loop_start * 60.0 / tempo_bpm),
        loop_end_seconds: SecondsTime::from_float(loop_end * 60.0 / tempo_bpm),
        bar_start: BeatTime::from_float((pos_beats / bar_beats).floor() * bar_beats),
        bar_number: (pos_beats / bar_beats).floor() as i32,
        time_signature_numerator: numerator,
        time_signature_denominator: denominator,
    }
}

/// Sets parameters on the inactive plugin through `clap_plugin_params.flush`.
pub fn flush_params(instance: &mut PluginInstance<TestHost>, params: &[(&str, f64)]) {
    if params.is_empty() {
        return;
    }
    let mut events = EventBuffer::new();
    for &(name, value) in params {
        let id = param_id(instance, name);
        events.push(&ParamValueEvent::new(
            0,
            ClapId::new(id),
            Pckn::match_all(),
            value,
        ));
    }
    let extension = instance
        .plugin_handle()
        .get_extension::<PluginParams>()
        .expect("params extension");
    let mut output = EventBuffer::new();
    let mut handle = instance
        .inactive_plugin_handle()
        .expect("plugin is inactive");
    extension.flush(&mut handle, &events.as_input(), &mut output.as_output());
    for &(name, value) in params {
        let id = param_id(instance, name);
        // Stepped values travel as f32 fractions inside the framework (1.0000000447 for 1,
        // 25.9999988 for 26 of 1–45): equal to f32 precision.
        let now = param_value(instance, id);
        assert!(
            (now - value).abs() < 1e-6 * value.abs().max(1.0),
            "{name} was not set: {now} ≠ {value}"
        );
    }
}

/// A 4/4, 120 BPM motif of (start, length, key) notes at velocity 0.7 on channel 1, analysed.
pub fn motif(notes: &[(f64, f64, u8)]) -> reprise::engine::motif::Motif {
    use reprise::engine::motif::{Motif, Note, TimeSignature};
    let mut motif = Motif::new(TimeSignature::new(4, 4), 120.0);
    for &(start_beats, length_beats, key) in notes {
        motif.push(Note {
            start_beats,
            length_beats,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

/// The library document (the plugin's own schema function) with motifs in the given slots
/// (0-based) and the default names.
pub fn library_of(slots: &[(usize, &reprise::engine::motif::Motif)]) -> serde_json::Value {
    use reprise::library_schema::{default_names, empty_slots, library_json};
    let mut library = empty_slots();
    for &(slot, motif) in slots {
        library[slot] = motif.clone();
    }
    library_json(&library, &default_names(), &Default::default())
}

/// The library document inside a saved state.
pub fn saved_library(state: &[u8]) -> serde_json::Value {
    let library = state_json(state)["fields"]["library"]
        .as_str()
        .expect("library field")
        .to_string();
    serde_json::from_str(&library).expect("library JSON")
}

/// Saves an instance's state (main thread; active or not).
pub fn save_instance_state(instance: &mut PluginInstance<TestHost>) -> Vec<u8> {
    let state = instance
        .plugin_handle()
        .get_extension::<PluginState>()
        .expect("state extension");
    let mut bytes = Vec::new();
    state
        .save(&instance.plugin_handle(), &mut bytes)
        .expect("state save");
    bytes
}

/// The JSON inside a saved state (nice-plug's blob: an 8-byte length, then JSON).
pub fn state_json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(&bytes[8..]).expect("state JSON")
}

/// Only pass-through: no capture, no rendering playback (for tests of the pass-through path).
pub const PASS_THROUGH_ONLY: &[(&str, f64)] = &[("Playback", 0.0), ("Capture", 0.0)];

/// Chooses the audio-ports configuration that matches `layout` (plugin must be inactive).
pub fn select_layout(instance: &mut PluginInstance<TestHost>, layout: Layout) {
    let configs = instance
        .plugin_handle()
        .get_extension::<PluginAudioPortsConfig>()
        .expect("audio-ports-config extension");
    let mut buffer = AudioPortsConfigBuffer::new();
    let count = configs.count(&instance.plugin_handle());
    let wanted_outputs = match layout {
        Layout::Stereo => 1,
        Layout::MidiOnly => 0,
    };
    let id = (0..count)
        .filter_map(|i| {
            configs
                .get(&instance.plugin_handle(), i, &mut buffer)
                .map(|c| (c.id, c.output_port_count))
        })
        .find(|&(_, outputs)| outputs == wanted_outputs)
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no audio-ports config for {layout:?} among {count}"));
    configs
        .select(&instance.plugin_handle(), id)
        .expect("select audio-ports config");
}

/// The deterministic input audio: distinct per sample and channel, includes negative values.
pub fn test_signal(time_samples: u64, channel_idx: usize) -> f32 {
    let phase = (time_samples % 977) as f32 / 977.0;
    (phase * 2.0 - 1.0) * if channel_idx == 0 { 0.5 } else { -0.25 }
}

/// The output events of a block of `frames` samples starting at `block_start`, with absolute
/// times (checked to lie inside the block).
pub fn out_events_of(buffer: &EventBuffer, block_start: u64, frames: usize) -> Vec<OutEvent> {
    buffer
        .iter()
        .map(|event| {
            let offset = event.header().time();
            assert!(
                (offset as usize) < frames,
                "output event at offset {offset} outside a {frames}-sample block"
            );
            OutEvent {
                time_samples: block_start + offset as u64,
                kind: out_kind(event),
            }
        })
        .collect()
}

/// A clack input event buffer for events given at offsets inside one block (for
/// [`PluginUnderTest::process_timed`]).
pub fn in_event_buffer(events: &[(u32, InKind)]) -> EventBuffer {
    let mut buffer = EventBuffer::with_capacity(events.len());
    for &(offset, kind) in events {
        push_in_event(&mut buffer, offset, kind);
    }
    buffer
}

fn push_in_event(buffer: &mut EventBuffer, time: u32, kind: InKind) {
    match kind {
        InKind::NoteOn {
            channel,
            key,
            velocity,
            note_id,
        } => buffer.push(&NoteOnEvent::new(
            time,
            Pckn::new(0u16, channel, key, note_id),
            velocity,
        )),
        InKind::NoteOff {
            channel,
            key,
            note_id,
        } => buffer.push(&NoteOffEvent::new(
            time,
            Pckn::new(0u16, channel, key, note_id),
            0.0,
        )),
        InKind::Midi { bytes } => buffer.push(&MidiEvent::new(time, 0, bytes)),
        InKind::Param { param_id, value } => buffer.push(&ParamValueEvent::new(
            time,
            ClapId::new(param_id),
            Pckn::match_all(),
            value,
        )),
    }
}

fn match_i16(value: Match<u16>) -> i16 {
    match value {
        Match::Specific(v) => v as i16,
        Match::All => -1,
    }
}

fn match_i32(value: Match<u32>) -> i32 {
    match value {
        Match::Specific(v) => v as i32,
        Match::All => -1,
    }
}

fn out_kind(event: &UnknownEvent) -> OutKind {
    use clack_host::events::spaces::CoreEventSpace;
    match event.as_core_event() {
        Some(CoreEventSpace::NoteOn(e)) => OutKind::NoteOn {
            channel: match_i16(e.channel()),
            key: match_i16(e.key()),
            velocity: e.velocity(),
            note_id: match_i32(e.note_id()),
        },
        Some(CoreEventSpace::NoteOff(e)) => OutKind::NoteOff {
            channel: match_i16(e.channel()),
            key: match_i16(e.key()),
            note_id: match_i32(e.note_id()),
        },
        Some(CoreEventSpace::Midi(e)) => OutKind::Midi { bytes: e.data() },
        _ => OutKind::Other,
    }
}

/// Parameter info as the host sees it.
#[derive(Debug, Clone)]
pub struct ParamDescription {
    pub id: u32,
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    /// Discrete (integer steps).
    pub stepped: bool,
}

/// Lists the plugin's parameters through the CLAP params extension.
pub fn list_params(instance: &mut PluginInstance<TestHost>) -> Vec<ParamDescription> {
    let params = instance
        .plugin_handle()
        .get_extension::<PluginParams>()
        .expect("params extension");
    let mut buffer = ParamInfoBuffer::new();
    let count = params.count(&instance.plugin_handle());
    (0..count)
        .map(|i| {
            let info = params
                .get_info(&instance.plugin_handle(), i, &mut buffer)
                .expect("param info");
            ParamDescription {
                id: info.id.get(),
                name: String::from_utf8_lossy(info.name).into_owned(),
                min: info.min_value,
                max: info.max_value,
                default: info.default_value,
                stepped: info
                    .flags
                    .contains(clack_extensions::params::ParamInfoFlags::IS_STEPPED),
            }
        })
        .collect()
}

/// A parameter's id by display name.
pub fn param_id(instance: &mut PluginInstance<TestHost>, name: &str) -> u32 {
    list_params(instance)
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no parameter named {name:?}"))
        .id
}

/// The plugin's current plain value of a parameter.
pub fn param_value(instance: &mut PluginInstance<TestHost>, id: u32) -> f64 {
    let params = instance
        .plugin_handle()
        .get_extension::<PluginParams>()
        .expect("params extension");
    params
        .get_value(&instance.plugin_handle(), ClapId::new(id))
        .expect("param value")
}

/// The plugin's text for a plain value.
pub fn param_text(instance: &mut PluginInstance<TestHost>, id: u32, value: f64) -> String {
    let params = instance
        .plugin_handle()
        .get_extension::<PluginParams>()
        .expect("params extension");
    let mut buffer = [0u8; 256];
    let text = params
        .value_to_text(
            &instance.plugin_handle(),
            ClapId::new(id),
            value,
            &mut buffer,
        )
        .expect("value to text");
    String::from_utf8_lossy(text).into_owned()
}

/// The plugin's value for a text.
pub fn param_from_text(
    instance: &mut PluginInstance<TestHost>,
    id: u32,
    text: &CStr,
) -> Option<f64> {
    let params = instance
        .plugin_handle()
        .get_extension::<PluginParams>()
        .expect("params extension");
    params.text_to_value(&instance.plugin_handle(), ClapId::new(id), text)
}

/// A small deterministic PRNG (xorshift64*), so every random test is reproducible from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// Every note-on on the output is answered by a note-off (by the end), no note-off comes
/// without a note-on, no note-on comes for a key already sounding, and events are sorted by
/// time.
pub fn assert_balanced(out: &[OutEvent], context: &str) {
    assert!(
        out.windows(2)
            .all(|w| w[0].time_samples <= w[1].time_samples),
        "{context}: events out of order"
    );
    let mut open = std::collections::HashMap::<(i16, i16), i32>::new();
    for event in out {
        match event.kind {
            OutKind::NoteOn { channel, key, .. } => {
                let count = open.entry((channel, key)).or_default();
                // A sampler hears one voice per key: a second note-on would be released by the
                // first note-off.
                assert!(
                    *count == 0,
                    "{context}: note-on for a sounding key at {}: {event:?}",
                    event.time_samples
                );
                *count += 1;
            }
            OutKind::NoteOff { channel, key, .. } => {
                let count = open.entry((channel, key)).or_default();
                assert!(
                    *count > 0,
                    "{context}: note-off without note-on at {}: {event:?}",
                    event.time_samples
                );
                *count -= 1;
            }
            _ => {}
        }
    }
    let hanging: Vec<_> = open.into_iter().filter(|&(_, n)| n != 0).collect();
    assert!(
        hanging.is_empty(),
        "{context}: notes left sounding {hanging:?}"
    );
}
