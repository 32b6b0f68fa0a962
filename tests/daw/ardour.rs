//! Headless Ardour 7 (Debian's `ardour7-lua`, "None (Dummy)" backend at ten times real time)
//! driving the built Reprise VST3 bundle: a session is built by `setup.lua`, a MIDI region (or,
//! on an audio player track, an audio region) is added to it by editing the saved XML (Ardour
//! 7.3's Lua cannot import files), transport steps
//! run in `roll.lua`, and what the record-armed "take" track recorded is read back from the raw
//! recordings under `interchange/<session>/midifiles/`.
//!
//! Each test gets its own `HOME` (Ardour's configuration and its VST3 scan cache) under the
//! system temporary directory, so tests can run in parallel.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Ticks per quarter note in Ardour 7's musical time (`Temporal::ticks_per_beat`).
const ARDOUR_TICKS_PER_BEAT: f64 = 1920.0;

/// The Lua interpreter of Debian's Ardour 7 package.
const ARDOUR_LUA: &str = "ardour7-lua";

/// Ardour's VST3 scanner (it writes the scan cache headless Ardour reads).
const VST3_SCANNER: &str = "/usr/lib/ardour7/ardour-vst3-scanner";

/// Ardour 7's audio-time unit ("superclock") per second, as positions "a<N>" in session files.
const SUPERCLOCK_TICKS_PER_SECOND: f64 = 282_240_000.0;

/// The sample rate setup.lua creates sessions at, Hz.
const SESSION_RATE_HZ: u32 = 48_000;

/// Wall-clock limit for one Ardour run; a hung run fails the test instead of CI.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The Reprise VST3 bundle under test: `$REPRISE_VST3` (e.g. the release bundle), or one made
/// from the debug cdylib `cargo test` built next to this test binary.
fn bundle_source() -> BundleSource {
    match crate::built_plugin::from_env("REPRISE_VST3") {
        Some(bundle) => BundleSource::Bundle(bundle),
        None => BundleSource::Library(crate::built_plugin::debug_library()),
    }
}

enum BundleSource {
    Bundle(PathBuf),
    Library(PathBuf),
}

/// A piecewise-constant tempo map: (quarter, BPM, metre numerator, denominator) from quarter 0.
#[derive(Debug, Clone)]
pub struct TempoMap {
    pub sections: Vec<(f64, f64, u8, u8)>,
}

impl TempoMap {
    pub fn steady(bpm: f64, numerator: u8, denominator: u8) -> Self {
        Self {
            sections: vec![(0.0, bpm, numerator, denominator)],
        }
    }

    /// The `REPRISE_DAW_TEMPO_MAP` text for `setup.lua`.
    fn to_spec(&self) -> String {
        self.sections
            .iter()
            .map(|(beat, bpm, n, d)| format!("{beat}:{bpm}:{n}/{d}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The section in force at `quarters`.
    pub fn section_at(&self, quarters: f64) -> (f64, f64, u8, u8) {
        *self
            .sections
            .iter()
            .rev()
            .find(|s| s.0 <= quarters + 1e-9)
            .unwrap_or(&self.sections[0])
    }

    /// Seconds from the song's zero to `quarters`.
    pub fn seconds_at(&self, quarters: f64) -> f64 {
        let mut seconds = 0.0;
        for (idx, &(start, bpm, _, _)) in self.sections.iter().enumerate() {
            let end = self.sections.get(idx + 1).map_or(f64::INFINITY, |s| s.0);
            if quarters <= start {
                break;
            }
            seconds += (quarters.min(end) - start) * 60.0 / bpm;
        }
        seconds
    }

    /// Quarters at `seconds` from the song's zero.
    pub fn quarters_at(&self, seconds: f64) -> f64 {
        let mut elapsed = 0.0;
        for (idx, &(start, bpm, _, _)) in self.sections.iter().enumerate() {
            let end = self.sections.get(idx + 1).map_or(f64::INFINITY, |s| s.0);
            let section_seconds = (end - start) * 60.0 / bpm;
            if seconds < elapsed + section_seconds {
                return start + (seconds - elapsed) * bpm / 60.0;
            }
            elapsed += section_seconds;
        }
        unreachable!("the last section is unbounded")
    }

    /// The bar line at or before `quarters`: sections start on bar lines.
    pub fn bar_start_at(&self, quarters: f64) -> f64 {
        let (start, _, n, d) = self.section_at(quarters);
        let bar = n as f64 * 4.0 / d as f64;
        start + ((quarters - start) / bar + 1e-9).floor() * bar
    }
}

/// One Ardour session on disk, with its private `HOME`.
pub struct Session {
    root: PathBuf,
    home: PathBuf,
    dir: PathBuf,
    name: String,
    pub tempo_map: TempoMap,
    /// Rolls run so far (each records one take).
    num_rolls: usize,
}

/// A note Ardour recorded: song quarters, key, channel (0-based), velocity 1–127.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordedNote {
    pub start: f64,
    pub end: f64,
    pub key: u8,
    pub channel: u8,
    pub velocity: u8,
}

impl Session {
    /// Builds a session: tempo map, the "player" track with Reprise (parameters set by their
    /// names, automation lanes as (quarter, name, value) points played back) and the
    /// record-armed "take" track fed by its MIDI output.
    pub fn create(
        test_name: &str,
        tempo_map: TempoMap,
        params: &[(&str, f64)],
        automation: &[(f64, &str, f64)],
    ) -> Self {
        Self::create_with_player(test_name, tempo_map, params, automation, "midi")
    }

    /// As [`Session::create`], with "player" an audio track (its region added by
    /// [`Session::add_audio_region`]): Reprise hears the recording at its audio input.
    pub fn create_with_audio_player(
        test_name: &str,
        tempo_map: TempoMap,
        params: &[(&str, f64)],
    ) -> Self {
        Self::create_with_player(test_name, tempo_map, params, &[], "audio")
    }

    /// `player`: the player track's kind, "midi" or "audio" (`REPRISE_DAW_PLAYER` in setup.lua).
    fn create_with_player(
        test_name: &str,
        tempo_map: TempoMap,
        params: &[(&str, f64)],
        automation: &[(f64, &str, f64)],
        player: &str,
    ) -> Self {
        let root =
            std::env::temp_dir().join(format!("reprise-daw-{test_name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let home = root.join("home");
        std::fs::create_dir_all(home.join(".vst3")).expect("test HOME");
        install_bundle(&home.join(".vst3/Reprise.vst3"));
        scan(&home);
        let name = "reprise".to_string();
        let dir = root.join(&name);
        let params = params
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(";");
        let automation = automation
            .iter()
            .map(|(quarter, name, value)| format!("{name}@{quarter}={value}"))
            .collect::<Vec<_>>()
            .join(";");
        let session = Self {
            root,
            home,
            dir,
            name,
            tempo_map,
            num_rolls: 0,
        };
        let spec = session.tempo_map.to_spec();
        session.run_lua(
            "setup.lua",
            &[
                ("REPRISE_DAW_TEMPO_MAP", spec.as_str()),
                ("REPRISE_DAW_PARAMS", params.as_str()),
                ("REPRISE_DAW_AUTOMATION", automation.as_str()),
                ("REPRISE_DAW_PLAYER", player),
            ],
            "SETUP OK",
        );
        session
    }

    fn xml_path(&self) -> PathBuf {
        self.dir.join(format!("{}.ardour", self.name))
    }

    fn midifiles(&self) -> PathBuf {
        self.dir
            .join("interchange")
            .join(&self.name)
            .join("midifiles")
    }

    /// Adds a MIDI region on the player track from quarter 0, `length_quarters` long, holding
    /// `notes` (start quarter, length in quarters, key) on channel 1 at velocity 90.
    pub fn add_region(&self, notes: &[(f64, f64, u8)], length_quarters: f64) {
        std::fs::create_dir_all(self.midifiles()).expect("midifiles folder");
        std::fs::write(self.midifiles().join("phrase.mid"), smf_of(notes)).expect("phrase.mid");
        let length = (length_quarters * ARDOUR_TICKS_PER_BEAT).round() as i64;
        let common = format!(
            "muted=\"0\" opaque=\"1\" locked=\"0\" video-locked=\"0\" import=\"0\" external=\"0\" \
             sync-marked=\"0\" left-of-split=\"0\" right-of-split=\"0\" hidden=\"0\" \
             position-locked=\"0\" valid-transients=\"0\" start=\"b0\" length=\"b{length}@b0\" \
             sync-position=\"b0\" ancestral-start=\"b0\" ancestral-length=\"b0@b0\" stretch=\"1\" \
             shift=\"1\" layering-index=\"0\" tags=\"\" contents=\"0\" type=\"midi\" \
             first-edit=\"nothing\" source-0=\"900001\" master-source-0=\"900001\""
        );
        let mut xml = std::fs::read_to_string(self.xml_path()).expect("session XML");
        xml = replace_once(
            &xml,
            "<Sources/>",
            "<Sources>\n    <Source name=\"phrase.mid\" type=\"midi\" flags=\"\" id=\"900001\" \
             natural-position=\"a0\" origin=\"\"/>\n  </Sources>",
        );
        xml = replace_once(
            &xml,
            "<Regions/>",
            &format!(
                "<Regions>\n    <Region name=\"phrase\" automatic=\"1\" whole-file=\"1\" \
                 id=\"900002\" {common}/>\n  </Regions>"
            ),
        );
        xml = with_playlist_region(
            &xml,
            "name=\"player\" type=\"midi\"",
            &format!(
                "<Region name=\"phrase.1\" automatic=\"0\" whole-file=\"0\" id=\"900003\" {common}/>"
            ),
        );
        std::fs::write(self.xml_path(), xml).expect("session XML");
    }

    /// Adds an audio region on the (audio) player track from the song's zero: `samples` at the
    /// session's rate, mono, written as the region's two channels (32-bit float WAV files under
    /// `interchange/<session>/audiofiles/`, as Ardour's own recordings are kept).
    pub fn add_audio_region(&self, samples: &[f32]) {
        let folder = self
            .dir
            .join("interchange")
            .join(&self.name)
            .join("audiofiles");
        std::fs::create_dir_all(&folder).expect("audiofiles folder");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SESSION_RATE_HZ,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        for side in ["L", "R"] {
            let mut writer =
                hound::WavWriter::create(folder.join(format!("voice%{side}.wav")), spec)
                    .expect("region file");
            for &sample in samples {
                writer.write_sample(sample).expect("region sample");
            }
            writer.finalize().expect("region file");
        }
        let length = (samples.len() as f64 * SUPERCLOCK_TICKS_PER_SECOND
            / f64::from(SESSION_RATE_HZ))
        .round() as i64;
        let common = format!(
            "muted=\"0\" opaque=\"1\" locked=\"0\" video-locked=\"0\" import=\"0\" external=\"0\" \
             sync-marked=\"0\" left-of-split=\"0\" right-of-split=\"0\" hidden=\"0\" \
             position-locked=\"0\" valid-transients=\"0\" start=\"a0\" length=\"a{length}@a0\" \
             sync-position=\"a0\" ancestral-start=\"a0\" ancestral-length=\"a0@a0\" stretch=\"1\" \
             shift=\"1\" layering-index=\"0\" tags=\"\" contents=\"0\" envelope-active=\"0\" \
             default-fade-in=\"0\" default-fade-out=\"0\" fade-in-active=\"1\" \
             fade-out-active=\"1\" scale-amplitude=\"1\" type=\"audio\" first-edit=\"nothing\" \
             source-0=\"900101\" source-1=\"900102\" master-source-0=\"900101\" \
             master-source-1=\"900102\" channels=\"2\""
        );
        let mut xml = std::fs::read_to_string(self.xml_path()).expect("session XML");
        xml = replace_once(
            &xml,
            "<Sources/>",
            "<Sources>\n    <Source name=\"voice%L.wav\" type=\"audio\" flags=\"\" id=\"900101\" \
             natural-position=\"a0\" channel=\"0\" origin=\"\" gain=\"1\"/>\n    \
             <Source name=\"voice%R.wav\" type=\"audio\" flags=\"\" id=\"900102\" \
             natural-position=\"a0\" channel=\"0\" origin=\"\" gain=\"1\"/>\n  </Sources>",
        );
        xml = replace_once(
            &xml,
            "<Regions/>",
            &format!(
                "<Regions>\n    <Region name=\"voice\" automatic=\"1\" whole-file=\"1\" \
                 id=\"900103\" {common}/>\n  </Regions>"
            ),
        );
        xml = with_playlist_region(
            &xml,
            "name=\"player\" type=\"audio\"",
            &format!("<Region name=\"voice.1\" automatic=\"0\" whole-file=\"0\" id=\"900104\" {common}/>"),
        );
        std::fs::write(self.xml_path(), xml).expect("session XML");
    }

    /// Sets the session's loop range (quarters), by editing the saved XML (Ardour 7.3's Lua
    /// cannot create one).
    pub fn set_loop(&self, from: f64, to: f64) {
        let ticks = |q: f64| (q * ARDOUR_TICKS_PER_BEAT).round() as i64;
        let location = format!(
            "<Location id=\"900010\" name=\"Loop\" start=\"b{}\" end=\"b{}\" \
             flags=\"IsAutoLoop,IsHidden\" locked=\"0\" timestamp=\"0\" cue=\"0\"/>",
            ticks(from),
            ticks(to)
        );
        let xml = std::fs::read_to_string(self.xml_path()).expect("session XML");
        let xml = if xml.contains("<Locations/>") {
            replace_once(
                &xml,
                "<Locations/>",
                &format!("<Locations>\n    {location}\n  </Locations>"),
            )
        } else {
            replace_once(&xml, "<Locations>", &format!("<Locations>\n    {location}"))
        };
        std::fs::write(self.xml_path(), xml).expect("session XML");
    }

    /// Loads the session and runs transport steps (see `roll.lua`): `("roll", from, to)` or
    /// `("loop", from, passes)`, then saves and closes it.
    pub fn roll(&mut self, steps: &[(&str, f64, f64)]) {
        let text = steps
            .iter()
            .map(|(verb, a, b)| format!("{verb} {a} {b}"))
            .collect::<Vec<_>>()
            .join(";");
        self.num_rolls += steps.len();
        self.run_lua(
            "roll.lua",
            &[("REPRISE_DAW_STEPS", text.as_str())],
            "ROLL OK",
        );
    }

    /// The notes recorded on the take track, per roll, in song quarters (the raw recordings,
    /// in the order the rolls ran).
    pub fn takes(&self) -> Vec<Vec<RecordedNote>> {
        let xml = std::fs::read_to_string(self.xml_path()).expect("session XML");
        // (take number, file, quarter the recording starts at)
        let mut files: Vec<(u32, String, f64)> = Vec::new();
        for source in xml.split("<Source ").skip(1) {
            let tag = &source[..source.find("/>").unwrap_or(source.len())];
            if !tag.contains("captured-for=\"take\"") {
                continue;
            }
            let name = attribute(tag, "name").expect("source name");
            // Ardour names recordings "Take<N>_<track>-<M>.mid", N counting the rolls.
            let take: u32 = name
                .strip_prefix("Take")
                .and_then(|rest| rest.split('_').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected recording name {name}"));
            let position = attribute(tag, "natural-position").expect("natural-position");
            let superclock: f64 = position
                .strip_prefix('a')
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("unexpected natural-position {position}"));
            let start = self
                .tempo_map
                .quarters_at(superclock / SUPERCLOCK_TICKS_PER_SECOND);
            files.push((take, name, start));
        }
        files.sort_by_key(|(take, _, _)| *take);
        assert_eq!(
            files.len(),
            self.num_rolls,
            "one recording per roll expected: {files:?}"
        );
        files
            .iter()
            .map(|(_, name, start)| {
                let bytes = std::fs::read(self.midifiles().join(name)).expect("recording");
                // A recording's beats count from its start, on the session's tempo map.
                read_notes(&bytes)
                    .into_iter()
                    .map(|n| RecordedNote {
                        start: n.start + start,
                        end: n.end + start,
                        ..n
                    })
                    .collect()
            })
            .collect()
    }

    /// Rewrites the library document in Reprise's state as the session file holds it (between
    /// runs, while Ardour is closed): `edit` changes it (e.g. adds the picture's hits), as a
    /// composer's earlier session would have saved it. The state is a VST3 preset stream:
    /// "VST3", version, class id, the offset of its chunk list, the component state (nice-plug's
    /// JSON), then the list ("Comp" and an empty "Cont").
    pub fn edit_library(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let xml = std::fs::read_to_string(self.xml_path()).expect("session XML");
        let start = xml.find("<chunk>").expect("Reprise's saved state") + "<chunk>".len();
        let end = start + xml[start..].find("</chunk>").expect("end of the state");
        let bytes = base64_decode(&xml[start..end]);
        const HEADER: usize = 48;
        assert_eq!(&bytes[..4], b"VST3", "a VST3 preset stream");
        let mut state: serde_json::Value = serde_json::Deserializer::from_slice(&bytes[HEADER..])
            .into_iter()
            .next()
            .expect("a JSON value")
            .expect("the state parses");
        let mut library: serde_json::Value =
            serde_json::from_str(state["fields"]["library"].as_str().expect("library field"))
                .expect("the library parses");
        edit(&mut library);
        state["fields"]["library"] = serde_json::Value::String(library.to_string());
        let json = serde_json::to_vec(&state).expect("state JSON");
        let list_offset = (HEADER + json.len()) as u64;
        let mut out = bytes[..40].to_vec();
        out.extend(list_offset.to_le_bytes());
        out.extend(&json);
        out.extend(b"List");
        out.extend(2u32.to_le_bytes());
        out.extend(b"Comp");
        out.extend((HEADER as u64).to_le_bytes());
        out.extend((json.len() as u64).to_le_bytes());
        out.extend(b"Cont");
        out.extend(list_offset.to_le_bytes());
        out.extend(0u64.to_le_bytes());
        let xml = format!("{}{}{}", &xml[..start], base64_encode(&out), &xml[end..]);
        std::fs::write(self.xml_path(), xml).expect("session XML");
    }

    /// The notes of slot 1's motif in the plugin state Ardour saved last, as (start quarter,
    /// length in quarters, key): the phrase as Reprise heard it from Ardour's MIDI region, whose
    /// playback moves notes by a few samples (64 at quarter 0.99992 for 1.0). `None` when the
    /// slot is empty.
    pub fn heard_motif(&self) -> Option<Vec<(f64, f64, u8)>> {
        let library = self.saved_library();
        let notes = library["slots"][0]["motif"]["notes"].as_array()?;
        Some(
            notes
                .iter()
                .map(|n| {
                    (
                        n["start_beats"].as_f64().expect("start"),
                        n["length_beats"].as_f64().expect("length"),
                        n["key"].as_u64().expect("key") as u8,
                    )
                })
                .collect(),
        )
    }

    /// The library document in the plugin state Ardour saved last.
    pub fn saved_library(&self) -> serde_json::Value {
        let xml = std::fs::read_to_string(self.xml_path()).expect("session XML");
        let start = xml.find("<chunk>").expect("Reprise's saved state") + "<chunk>".len();
        let end = start + xml[start..].find("</chunk>").expect("end of the state");
        let bytes = base64_decode(&xml[start..end]);
        let json_start = bytes
            .windows(2)
            .position(|w| w == b"{\"")
            .expect("the state's JSON");
        let state: serde_json::Value = serde_json::Deserializer::from_slice(&bytes[json_start..])
            .into_iter()
            .next()
            .expect("a JSON value")
            .expect("the state parses");
        serde_json::from_str(
            state["fields"]["library"]
                .as_str()
                .expect("the library field"),
        )
        .expect("the library parses")
    }

    fn run_lua(&self, script: &str, vars: &[(&str, &str)], success: &str) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/daw")
            .join(script);
        let mut command = Command::new("timeout");
        command
            .arg(RUN_TIMEOUT.as_secs().to_string())
            .arg(ARDOUR_LUA)
            .arg(&script)
            .env("HOME", &self.home)
            .env("REPRISE_DAW_SESSION_DIR", &self.dir)
            .env("REPRISE_DAW_SESSION_NAME", &self.name);
        for (key, value) in vars {
            command.env(key, value);
        }
        let output = command.output().expect("run ardour7-lua");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stdout.contains(success),
            "{script:?} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if std::env::var_os("REPRISE_DAW_KEEP").is_none() && !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Copies the plugin under test to `bundle` (a VST3 bundle folder).
fn install_bundle(bundle: &Path) {
    match bundle_source() {
        BundleSource::Bundle(source) => copy_dir(&source, bundle),
        BundleSource::Library(library) => {
            let binary = bundle.join("Contents/x86_64-linux");
            std::fs::create_dir_all(&binary).expect("bundle folder");
            std::fs::copy(library, binary.join("Reprise.so")).expect("copy the plugin");
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("bundle folder");
    for entry in std::fs::read_dir(from).expect("bundle") {
        let entry = entry.expect("bundle entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy bundle file");
        }
    }
}

/// Runs Ardour's VST3 scanner on the bundle in `home` (headless Ardour reads only its scan
/// cache). The cache is keyed by the bundle's modification time, whose resolution is a second:
/// the scan waits until the bundle is more than a second old.
fn scan(home: &Path) {
    std::thread::sleep(Duration::from_millis(1100));
    let status = Command::new(VST3_SCANNER)
        .args(["-f", "-q"])
        .arg(home.join(".vst3/Reprise.vst3"))
        .env("HOME", home)
        .env("LD_LIBRARY_PATH", "/usr/lib/ardour7")
        .status()
        .expect("run the VST3 scanner");
    assert!(status.success(), "the VST3 scanner failed: {status}");
}

/// The session XML with `region` (a `<Region …/>` tag) put in the empty playlist whose tag
/// holds `playlist` (its name and type attributes).
fn with_playlist_region(xml: &str, playlist: &str, region: &str) -> String {
    let at = xml.find(playlist).expect("the player's playlist");
    let close = at + xml[at..].find("/>").expect("an empty playlist");
    let mut xml = xml.to_string();
    xml.replace_range(
        close..close + 2,
        &format!(">\n      {region}\n    </Playlist>"),
    );
    xml
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the session XML");
    text.replacen(from, to, 1)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let tag = format!(" {tag}");
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].to_string())
}

/// A format-0 SMF at 960 ticks per quarter holding `notes` on channel 1.
fn smf_of(notes: &[(f64, f64, u8)]) -> Vec<u8> {
    use midly::{Format, Header, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};
    let ticks = |q: f64| (q * 960.0).round() as u32;
    let mut timed: Vec<(u32, bool, u8)> = Vec::new();
    for &(start, length, key) in notes {
        timed.push((ticks(start), true, key));
        timed.push((ticks(start + length), false, key));
    }
    // Offs before ons at the same tick.
    timed.sort_by_key(|&(tick, on, key)| (tick, on, key));
    let mut track = Vec::new();
    let mut now = 0;
    for (tick, on, key) in timed {
        let message = if on {
            MidiMessage::NoteOn {
                key: key.into(),
                vel: 90.into(),
            }
        } else {
            MidiMessage::NoteOff {
                key: key.into(),
                vel: 0.into(),
            }
        };
        track.push(TrackEvent {
            delta: (tick - now).into(),
            kind: TrackEventKind::Midi {
                channel: 0.into(),
                message,
            },
        });
        now = tick;
    }
    track.push(TrackEvent {
        delta: 0.into(),
        kind: TrackEventKind::Meta(midly::MetaMessage::EndOfTrack),
    });
    let smf = Smf {
        header: Header::new(Format::SingleTrack, Timing::Metrical(960.into())),
        tracks: vec![track],
    };
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes).expect("write SMF");
    bytes
}

/// The notes of a recording (quarters from its start). A note-on for a key that already
/// sounds, or a note left without its off, fails the test: a sampler would misread them.
fn read_notes(bytes: &[u8]) -> Vec<RecordedNote> {
    use midly::{MidiMessage, Smf, Timing, TrackEventKind};
    let smf = Smf::parse(bytes).expect("Ardour's recording parses");
    let Timing::Metrical(ppq) = smf.header.timing else {
        panic!("Ardour recorded SMPTE time");
    };
    let ppq = ppq.as_int() as f64;
    let mut notes = Vec::new();
    let mut open: std::collections::HashMap<(u8, u8), (f64, u8)> = Default::default();
    for track in &smf.tracks {
        let mut tick = 0u64;
        for event in track {
            tick += event.delta.as_int() as u64;
            let TrackEventKind::Midi { channel, message } = event.kind else {
                continue;
            };
            let at = tick as f64 / ppq;
            let cell = (channel.as_int(), 0);
            match message {
                MidiMessage::NoteOn { key, vel } if vel > 0 => {
                    let cell = (cell.0, key.as_int());
                    assert!(
                        open.insert(cell, (at, vel.as_int())).is_none(),
                        "key {cell:?} struck again at quarter {at} while it sounds"
                    );
                }
                MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                    let cell = (cell.0, key.as_int());
                    let (start, velocity) = open
                        .remove(&cell)
                        .unwrap_or_else(|| panic!("note-off without note-on {cell:?} at {at}"));
                    notes.push(RecordedNote {
                        start,
                        end: at,
                        key: cell.1,
                        channel: cell.0,
                        velocity,
                    });
                }
                _ => {}
            }
        }
    }
    assert!(open.is_empty(), "notes left sounding: {open:?}");
    notes.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.key.cmp(&b.key)));
    notes
}

/// Encodes standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (Ardour stores a VST3 plug-in's state so), ignoring whitespace.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut bits, mut num_bits) = (0u32, 0u32);
    for c in text.bytes() {
        let Some(v) = value(c) else { continue };
        bits = (bits << 6) | v as u32;
        num_bits += 6;
        if num_bits >= 8 {
            num_bits -= 8;
            out.push((bits >> num_bits) as u8);
            bits &= (1 << num_bits) - 1;
        }
    }
    out
}
