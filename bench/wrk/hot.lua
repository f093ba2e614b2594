-- Salon's hot routes under wrk. Each line of the targets file (BENCH_TARGETS) is one request,
-- "METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY"; done() prints one JSON line.
--
-- BENCH_ONCE=1: every line is sent at most once. Thread i of BENCH_THREADS sends lines i,
-- i + BENCH_THREADS, ... in order; a thread that runs out stops and says so ("exhausted"),
-- which a timed run must never do: its rate would be wrong. Otherwise each thread cycles
-- through all the lines, starting elsewhere, so the load spreads over many chatrooms.
-- BENCH_EXPECT: the status every answer must have; others are counted ("unexpected") and the
-- first one is kept to be shown.

local once = os.getenv("BENCH_ONCE") == "1"
local threads_total = tonumber(os.getenv("BENCH_THREADS") or "1")
local expected = tonumber(os.getenv("BENCH_EXPECT") or "")
local targets = {}
local position = 0
local threads = {}

-- Globals of each thread, read by done() through thread:get().
unexpected = 0
first_unexpected = ""
exhausted = 0

local function load_targets(share)
  local file = assert(io.open(os.getenv("BENCH_TARGETS"), "r"))
  local index = 0
  for line in file:lines() do
    if not once or index % threads_total == share then
      local method, path, token, body = line:match("^(%S+)\t(%S+)\t(%S+)\t?(.*)$")
      local headers = { ["Authorization"] = "Bearer " .. token }
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      targets[#targets + 1] = wrk.format(method, path, headers, body)
    end
    index = index + 1
  end
  file:close()
end

-- BENCH_DELAY_MS paces each connection: it waits that long on average before each request
-- (uniformly 0 to twice that, so the connections do not fire in step), keeping the offered
-- load below saturation: latency then shows service time, not a queue.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
  function delay()
    return math.random(0, 2 * pause)
  end
end

function setup(thread)
  thread:set("offset", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + (offset or 0))
  load_targets(offset or 0)
  if not once then
    position = (offset or 0) * 7919
  elseif (offset or 0) == 0 then
    -- wrk calls the first thread's request() once before the run to check what it returns,
    -- and does not send that: it must not use up a chatroom.
    position = -1
  end
end

function request()
  if once then
    position = position + 1
    if position < 1 then return targets[1] end
    if position > #targets then
      -- Nothing left to send: an empty write sends nothing, and the thread stops.
      exhausted = 1
      wrk.thread:stop()
      return ""
    end
    return targets[position]
  end
  position = position + 1
  return targets[(position % #targets) + 1]
end

if expected then
  function response(status, headers, body)
    if status ~= expected then
      unexpected = unexpected + 1
      if first_unexpected == "" then
        first_unexpected = status .. " " .. string.sub(body or "", 1, 300)
      end
    end
  end
end

local function json_string(text)
  local escaped = text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end)
  return '"' .. escaped .. '"'
end

function done(summary, latency, requests)
  local errors = summary.errors
  local wrong, first, ran_out = 0, "", 0
  for _, thread in ipairs(threads) do
    wrong = wrong + (thread:get("unexpected") or 0)
    ran_out = ran_out + (thread:get("exhausted") or 0)
    if first == "" then first = thread:get("first_unexpected") or "" end
  end
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "status_errors": %d, '
      .. '"socket_errors": %d, "unexpected": %d, "exhausted": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "first_unexpected": %s}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout, wrong, ran_out,
    latency:percentile(50), latency:percentile(99), latency.max, json_string(first)))
end
