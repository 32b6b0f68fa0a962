-- Builds a Reprise test session in headless Ardour (ardour7-lua), saves it and quits.
-- Environment: REPRISE_DAW_SESSION_DIR, REPRISE_DAW_SESSION_NAME, REPRISE_DAW_TEMPO_MAP
-- ("beat:bpm:num/den;..." in quarters, first at beat 0), REPRISE_DAW_PARAMS ("Name=normalized;...").
-- Tracks: "player" (MIDI, Reprise inserted, its region added by the test) whose MIDI output feeds
-- "take" (MIDI, record-armed). REPRISE_DAW_PLAYER=audio makes "player" an audio track (below). Prints "SETUP OK" when done; any failure is an error.
local function fail(msg) io.stderr:write("SETUP FAILED: " .. msg .. "\n"); os.exit(1) end
local function env(name) local v = os.getenv(name); if not v then fail("missing " .. name) end; return v end

local backend = AudioEngine:set_backend("None (Dummy)", "", "")
if not backend then fail("no Dummy backend") end
backend:set_driver("10x Speed")
if not create_session(env("REPRISE_DAW_SESSION_DIR"), env("REPRISE_DAW_SESSION_NAME"), 48000) then
  fail("create_session")
end

local tm = Temporal.TempoMap.fetch_writable()
for beat, bpm, num, den in env("REPRISE_DAW_TEMPO_MAP"):gmatch("([%d%.]+):([%d%.]+):(%d+)/(%d+)") do
  local at = Temporal.timepos_t.from_ticks(math.floor(tonumber(beat) * Temporal.ticks_per_beat + 0.5))
  tm:set_tempo(Temporal.Tempo(tonumber(bpm), tonumber(bpm), 4), at)
  tm:set_meter(Temporal.Meter(tonumber(num), tonumber(den)), at)
end
Temporal.TempoMap.update(tm)

local function midi_track(name)
  local midi = ARDOUR.DataType("midi")
  local list = Session:new_midi_track(ARDOUR.ChanCount(midi, 1), ARDOUR.ChanCount(midi, 1), true,
    ARDOUR.PluginInfo(), nil, nil, 1, name, ARDOUR.PresentationInfo.max_order,
    ARDOUR.TrackMode.Normal, true)
  if list:size() ~= 1 then fail("new_midi_track " .. name) end
  return list:front()
end
-- REPRISE_DAW_PLAYER=audio: "player" is an audio track instead (its region a recording that
-- Reprise hears at its audio input), without strict I/O so that Reprise's MIDI output gets a port.
local player
if os.getenv("REPRISE_DAW_PLAYER") == "audio" then
  local list = Session:new_audio_track(2, 2, nil, 1, "player", ARDOUR.PresentationInfo.max_order,
    ARDOUR.TrackMode.Normal, true)
  if list:size() ~= 1 then fail("new_audio_track player") end
  player = list:front()
  player:set_strict_io(false)
  -- It hears its region only (not the backend's capture ports).
  player:input():disconnect_all(nil)
else
  player = midi_track("player")
end
local take = midi_track("take")

local reprise = ARDOUR.LuaAPI.new_plugin(Session, "Reprise", ARDOUR.PluginType.VST3, "")
if reprise:isnil() then fail("Reprise (VST3) not found: is the scan cache current?") end
if player:add_processor_by_index(reprise, 0, nil, true) ~= 0 then fail("add Reprise") end

local plugin = reprise:to_insert():plugin(0)
for name, value in (os.getenv("REPRISE_DAW_PARAMS") or ""):gmatch("([^=;]+)=([^;]+)") do
  local control, found = 0, false
  for i = 0, plugin:parameter_count() - 1 do
    if plugin:parameter_is_control(i) then
      if plugin:parameter_label(i) == name then
        found = ARDOUR.LuaAPI.set_processor_param(reprise, control, tonumber(value))
      end
      control = control + 1
    end
  end
  if not found then fail("parameter " .. name) end
end

-- Automation lanes: "Name@quarter=value;..." (values as for the parameters above), played back.
local automation = os.getenv("REPRISE_DAW_AUTOMATION") or ""
for name, quarter, value in automation:gmatch("([^@;]+)@([%d%.]+)=([^;]+)") do
  local control, found = 0, false
  for i = 0, plugin:parameter_count() - 1 do
    if plugin:parameter_is_control(i) then
      if plugin:parameter_label(i) == name then
        local al, cl, _ = ARDOUR.LuaAPI.plugin_automation(reprise, control)
        if al:isnil() then fail("no automation for " .. name) end
        local at = Temporal.timepos_t.from_ticks(math.floor(tonumber(quarter) * Temporal.ticks_per_beat + 0.5))
        cl:add(Temporal.timepos_t(at:samples()), tonumber(value), false, false)
        local ac = reprise:to_automatable():automation_control(
          Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, i), false)
        if ac:isnil() then fail("no automation control for " .. name) end
        ac:set_automation_state(ARDOUR.AutoState.Play)
        found = true
      end
      control = control + 1
    end
  end
  if not found then fail("automated parameter " .. name) end
end

player:output():disconnect_all(nil)
take:input():disconnect_all(nil)
if player:output():connect(player:output():midi(0), take:input():midi(0):name(), nil) ~= 0 then
  fail("route player -> take")
end
take:rec_enable_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
-- Parameter changes reach the plugin in its process calls: let it run before its state is saved.
ARDOUR.LuaAPI.usleep(500000)
Session:save_state("", false, false, false, false, false)
print("SETUP OK")
close_session()
