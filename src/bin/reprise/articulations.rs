//! `--articulations` (render) and `reprise profiles`: a sample library's articulations
//! switched from the character's roles ([`reprise::engine::articulation`]).

use std::io::Write;
use std::path::Path;

use reprise::engine::articulation::switches::ProgramPoint;
use reprise::engine::articulation::{
    articulate, assign_roles, profile_from_reabank, Profile, Role, RoleChoice, Timing,
    FACTORY_PROFILES,
};
use reprise::engine::character::Character;
use reprise::engine::midi_file::EXPORT_TICKS_PER_BEAT;
use reprise::engine::rendering::Rendering;
use reprise::engine::time_map::TimeMap;

use crate::error::{note, CliError, CliResult};
use crate::wording::count;

/// The profile `spec` names: a factory profile's id, a JSON profile file or a Reaticulate
/// `.reabank` file (its bank whose name holds `bank`, else its first).
pub fn load_profile(spec: &str, bank: Option<&str>) -> Result<Profile, CliError> {
    if let Some(profile) = Profile::factory(spec) {
        return Ok(profile);
    }
    let path = Path::new(spec);
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("json") => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::failed(format!("cannot read the profile {}: {e}", path.display()))
            })?;
            Profile::from_json(&text)
                .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))
        }
        Some("reabank") => {
            let bytes = std::fs::read(path).map_err(|e| {
                CliError::failed(format!("cannot read the bank {}: {e}", path.display()))
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let (profile, unused) = profile_from_reabank(&text, bank)
                .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))?;
            if unused > 0 {
                note(format_args!(
                    "{}: {unused} output event(s) of the bank's articulations are not used \
                     (pitch bends, articulation chains)",
                    path.display()
                ));
            }
            Ok(profile)
        }
        _ => Err(CliError::usage(format!(
            "--articulations {spec}: not a factory profile ({}), a .json profile or a .reabank",
            factory_ids()
        ))),
    }
}

fn factory_ids() -> String {
    FACTORY_PROFILES
        .iter()
        .map(|(id, _)| *id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rendering with its articulations switched (keyswitch notes among its notes, the
/// switches' controllers among its controllers) and its program changes; with a summary.
pub fn articulated(
    character: Character,
    rendering: &Rendering,
    profile: &Profile,
    choice: RoleChoice,
    time_map: &TimeMap,
    track_delay_ms: f64,
) -> (Rendering, Vec<ProgramPoint>, String) {
    let mut roles = Vec::with_capacity(rendering.notes.len());
    assign_roles(rendering, character, choice, &mut roles);
    let out = articulate(
        rendering,
        &roles,
        profile,
        time_map,
        Timing {
            grid_beats: 1.0 / f64::from(EXPORT_TICKS_PER_BEAT),
            track_delay_ms,
        },
    );
    let mut written = Rendering::new();
    for note in out.notes.iter().chain(&out.keyswitches) {
        written.push_note(*note);
    }
    for point in &out.ccs {
        written.push_cc(*point);
    }
    written.finish();
    written.length_beats = rendering.length_beats;
    // The roles as they change along the rendering (first note of each run).
    let mut changes: Vec<Role> = Vec::new();
    for role in roles.iter().flatten() {
        if changes.last() != Some(role) {
            changes.push(*role);
        }
    }
    let routes = profile
        .roles
        .iter()
        .flat_map(|r| &r.switches)
        .any(|s| matches!(s, reprise::engine::articulation::Switch::Channel { .. }));
    let mut channels: Vec<u8> = out.notes.iter().map(|n| n.channel + 1).collect();
    channels.sort_unstable();
    channels.dedup();
    let routed = if routes && !changes.is_empty() {
        format!(
            "; notes on channel{} {}",
            if channels.len() == 1 { "" } else { "s" },
            channels
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    } else {
        String::new()
    };
    let mut summary = format!("articulations ({}): ", profile.id);
    if changes.is_empty() {
        summary.push_str("none asked for");
    } else {
        let roles: Vec<&str> = changes.iter().map(|r| r.id()).collect();
        summary.push_str(&format!(
            "{}; {}{routed}",
            roles.join(" -> "),
            count(out.switch_times.len(), "switch event", "switch events")
        ));
        if out.num_moved > 0 {
            summary.push_str(&format!(
                "; {} moved an octave off the keyswitch keys",
                count(out.num_moved, "note", "notes")
            ));
        }
        if out.num_waited > 0 {
            summary.push_str(&format!(
                "; {} at the start wait 1 ms for the switch",
                count(out.num_waited, "note", "notes")
            ));
        }
        if !out.compensated.is_empty() {
            summary.push_str(&format!(
                "; {} sent early by the articulation's delay",
                count(out.compensated.len(), "note", "notes")
            ));
            if out.num_late > 0 {
                summary.push_str(&format!(
                    " ({} at the start sent at once, late)",
                    out.num_late
                ));
            }
        }
    }
    (written, out.programs, summary)
}

/// `reprise profiles`: the factory profiles, or one as JSON (a user profile's template).
pub fn profiles(out: &mut dyn Write, show: Option<&str>) -> CliResult {
    match show {
        Some(id) => {
            let profile = Profile::factory(id).ok_or_else(|| {
                CliError::usage(format!("no factory profile {id} ({})", factory_ids()))
            })?;
            writeln!(out, "{}", profile.to_json())?;
        }
        None => {
            for (id, make) in FACTORY_PROFILES {
                writeln!(out, "{id}: {}", make().name)?;
            }
            writeln!(
                out,
                "(reprise profiles --show ID prints one as JSON: a template for your own)"
            )?;
        }
    }
    Ok(())
}
