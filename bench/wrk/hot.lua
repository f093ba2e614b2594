-- Salon's hot routes under wrk: each request is the next line of the targets file
-- (BENCH_TARGETS), "METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY", each thread starting elsewhere in
-- it, so the load spreads over many chatrooms and tokens. done() prints one JSON line.

local targets = {}
local position = 0
local thread_count = 0

local function load_targets()
  local file = assert(io.open(os.getenv("BENCH_TARGETS"), "r"))
  for line in file:lines() do
    local method, path, token, body = line:match("^(%S+)\t(%S+)\t(%S+)\t?(.*)$")
    local headers = { ["Authorization"] = "Bearer " .. token }
    if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
    targets[#targets + 1] = wrk.format(method, path, headers, body)
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
  thread:set("offset", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  math.randomseed(os.time() + (offset or 0))
  load_targets()
  position = (offset or 0) * 7919
end

function request()
  position = position + 1
  return targets[(position % #targets) + 1]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "status_errors": %d, '
      .. '"socket_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
