//! The plugin's automatable parameters. Their string ids (`#[id = …]`) are frozen: hosts store
//! automation and state under them (the CLAP id is a hash of the string).

use nice_plug::prelude::*;

/// The three characters. Plugin-side mirror of the engine's character choice (the engine cannot
/// depend on nice-plug's `Enum` derive). Variant ids are frozen.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharacterChoice {
    /// Vulnerable, intimate solo piano line.
    #[id = "piano"]
    #[name = "Piano"]
    Piano,
    /// Orchestral surge.
    #[id = "swell"]
    #[name = "Swell"]
    Swell,
    /// Distant, whispering memory.
    #[id = "distant"]
    #[name = "Distant"]
    Distant,
}

/// All parameters. Shared (`Arc`) between the host's threads, the audio thread and the editor;
/// every field is atomic inside nice-plug.
#[derive(Params)]
pub struct RepriseParams {
    /// Whether the notes the composer plays are forwarded to the instrument. Turning it off ends
    /// the forwarded notes at that sample.
    #[id = "pass_through"]
    pub pass_through: BoolParam,

    /// The character a rendering is played in. Declared now so its id is frozen; it shapes the
    /// output once live playback lands (it has no effect on pass-through).
    #[id = "character"]
    pub character: EnumParam<CharacterChoice>,

    /// The character macro, 0–1 (shown as a percentage). Declared now so its id is frozen; no
    /// effect on pass-through.
    #[id = "intensity"]
    pub intensity: FloatParam,
}

impl Default for RepriseParams {
    fn default() -> Self {
        Self {
            pass_through: BoolParam::new("Pass-through", true),
            character: EnumParam::new("Character", CharacterChoice::Piano),
            intensity: FloatParam::new("Intensity", 0.5, FloatRange::Linear { min: 0.0, max: 1.0 })
                .with_unit(" %")
                .with_value_to_string(formatters::v2s_f32_percentage(0))
                .with_string_to_value(formatters::s2v_f32_percentage()),
        }
    }
}
