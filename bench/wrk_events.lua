-- Load script for wrk, used by bench/events_bench.py (--loader wrk): each wrk thread POSTs its share of
-- a file of event bodies (one JSON object per line), each body once, and counts the statuses.
--   wrk -t T -c C -d Ns -s bench/wrk_events.lua URL -- BODIES_FILE T TOKEN
-- Prints one line "RESULT created=... other=... duration_us=... requests=... exhausted=..." at the end;
-- created counts the 201 responses. A thread that runs out of bodies stops (exhausted > 0): the bench
-- then asks for more events, so that the figure always covers the whole duration.
local bodies = {}
local next_body = 1
local threads = {}
created, other, exhausted = 0, 0, 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, thread_count, token = args[1], tonumber(args[2]), args[3]
  local n = 0
  for line in io.lines(path) do
    if n % thread_count == thread_index then
      bodies[#bodies + 1] = line
    end
    n = n + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  local body = bodies[next_body]
  if body == nil then
    -- out of bodies: repeat the last (the server answers a repeat with 200 and creates nothing)
    exhausted = 1
    body = bodies[#bodies]
  else
    next_body = next_body + 1
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
  end
  if exhausted == 1 then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local c, o, e = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    o = o + thread:get("other")
    e = e + thread:get("exhausted")
  end
  io.write(string.format(
    "RESULT created=%d other=%d duration_us=%d requests=%d exhausted=%d\n",
    c, o, summary.duration, summary.requests, e
  ))
end
