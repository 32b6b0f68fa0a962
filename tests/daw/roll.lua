-- Loads a Reprise test session in headless Ardour, runs transport steps, saves and quits.
-- Environment: REPRISE_DAW_SESSION_DIR, REPRISE_DAW_SESSION_NAME, REPRISE_DAW_STEPS: steps
-- separated by ";", positions in quarters from the song's zero:
--   "roll FROM TO"  locate to FROM (stopped), roll until the playhead passes TO, stop
--   "loop FROM PASSES" locate to FROM, roll looping (the session's loop range) PASSES times, stop
--   "stop SECONDS"  stay stopped (wall-clock seconds at the driver's speed)
-- Prints "ROLL OK" when done.
local function fail(msg) io.stderr:write("ROLL FAILED: " .. msg .. "\n"); os.exit(1) end
local function env(name) local v = os.getenv(name); if not v then fail("missing " .. name) end; return v end

local backend = AudioEngine:set_backend("None (Dummy)", "", "")
if not backend then fail("no Dummy backend") end
backend:set_driver("10x Speed")
if not load_session(env("REPRISE_DAW_SESSION_DIR"), env("REPRISE_DAW_SESSION_NAME")) then
  fail("load_session")
end

local function sample_at(quarters)
  return Temporal.timepos_t.from_ticks(math.floor(quarters * Temporal.ticks_per_beat + 0.5)):samples()
end
local TRS = ARDOUR.TransportRequestSource.TRS_UI
local function wait_until(predicate, what)
  for _ = 1, 60000 do
    if predicate() then return end
    ARDOUR.LuaAPI.usleep(1000)
  end
  fail("timed out waiting for " .. what)
end
local function locate(quarters)
  local target = sample_at(quarters)
  Session:request_locate(target, false, ARDOUR.LocateTransportDisposition.MustStop, TRS)
  wait_until(function() return not Session:transport_rolling() and Session:transport_sample() == target end, "locate")
  ARDOUR.LuaAPI.usleep(100000)
end
local function stop()
  Session:request_stop(false, false, TRS)
  wait_until(function() return not Session:transport_rolling() end, "stop")
  ARDOUR.LuaAPI.usleep(300000)
end

-- Record-arm the take track (a real-time control: wait until it is applied).
local take = Session:route_by_name("take"):to_track()
take:rec_enable_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
wait_until(function() return take:rec_enable_control():get_value() > 0.5 end, "record arm")
Session:maybe_enable_record(false)
for step in env("REPRISE_DAW_STEPS"):gmatch("[^;]+") do
  local words = {}
  for w in step:gmatch("%S+") do words[#words + 1] = w end
  if words[1] == "roll" then
    local from, to = tonumber(words[2]), tonumber(words[3])
    locate(from)
    -- Ardour disengages global record at every stop: each roll records its own take.
    Session:maybe_enable_record(false)
    Session:request_roll(TRS)
    local target = sample_at(to)
    wait_until(function() return Session:transport_sample() >= target end, "roll to " .. to)
    stop()
  elseif words[1] == "loop" then
    -- "loop FROM PASSES": locate to FROM, roll with the session's loop range on until the
    -- playhead has wrapped PASSES times, then stop.
    local from, passes = tonumber(words[2]), tonumber(words[3])
    local range = Session:locations():auto_loop_location()
    if not range then fail("the session has no loop range") end
    locate(from)
    Session:maybe_enable_record(false)
    Session:request_play_loop(true, true)
    local wraps, last = 0, Session:transport_sample()
    wait_until(function()
      local now = Session:transport_sample()
      if now < last then wraps = wraps + 1 end
      last = now
      return wraps >= passes
    end, "loop passes")
    stop()
    Session:request_play_loop(false, true)
  elseif words[1] == "stop" then
    ARDOUR.LuaAPI.usleep(math.floor(tonumber(words[2]) * 1e6))
  else
    fail("unknown step " .. step)
  end
end
Session:save_state("", false, false, false, false, false)
print("ROLL OK")
close_session()
