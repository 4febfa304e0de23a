-- wrk script: POST check-ins, each with its own Idempotency-Key; count answers by status.
-- Usage: wrk -s checkins.lua <url> (TOKEN and GOAL come from the environment)
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  created, failed, other = 0, 0, 0
  token = os.getenv("TOKEN")
  goal = os.getenv("GOAL")
  wrk.method = "POST"
  wrk.path = "/api/v1/goals/" .. goal .. "/checkins"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  math.randomseed(os.time() + id * 7919)
  prefix = string.format("bench-%d-%d-", id, math.random(1, 1e9))
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. counter
  local body = string.format('{"progress": %d, "note": "bench %d"}', counter % 11, counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status >= 500 then failed = failed + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, f, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    f = f + thread:get("failed")
    o = o + thread:get("other")
  end
  io.write(string.format("RESULT created=%d failed=%d other=%d p50_ms=%.2f p99_ms=%.2f\n",
    c, f, o, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
