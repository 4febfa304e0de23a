-- wrk script for `make bench`: POST check-ins, each with its own Idempotency-Key, and keep
-- enough books to prove afterwards that every request sent was stored exactly once.
--
-- Environment: BENCH_TOKEN (Bearer token), BENCH_GOAL (goal id), BENCH_RUN (a prefix unique
-- to this run), BENCH_PENDING (file that receives the requests still unanswered at the stop).
-- Each note carries the request's key, so a 201 body tells which request it answers.
--
-- wrk gives each thread its own Lua state: setup() and done() run in the main state, the
-- other callbacks in the thread's; thread:get() copies a thread's globals back for done().

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  sent, created, replayed, non2xx, unmatched = 0, 0, 0, 0, 0
  statuses = {}   -- status code -> count, for every answer other than 201
  pending = {}    -- key -> body, from the moment it is sent until its 201 arrives
  -- wrk calls request() once on the first thread only to check that it parses, and never
  -- sends that one: it must not count as sent.
  probed = (id ~= 1)
  prefix = string.format("%s-t%d-", os.getenv("BENCH_RUN"), id)
  wrk.method = "POST"
  wrk.path = "/api/v1/goals/" .. os.getenv("BENCH_GOAL") .. "/checkins"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end

function request()
  if not probed then
    probed = true
    return wrk.format(nil, nil, nil, '{"progress": 0}')
  end
  sent = sent + 1
  local key = prefix .. sent
  local body = string.format('{"progress": %d, "note": "%s"}', sent % 11, key)
  pending[key] = body
  wrk.headers["Idempotency-Key"] = key
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    return
  end
  created = created + 1
  if headers["Idempotent-Replayed"] then replayed = replayed + 1 end
  local key = string.match(body, '"note"%s*:%s*"([^"]*)"')
  if key and pending[key] then pending[key] = nil else unmatched = unmatched + 1 end
end

function done(summary, latency, requests)
  local totals = {sent = 0, created = 0, replayed = 0, non2xx = 0, unmatched = 0, unanswered = 0}
  local codes = {}
  local out = assert(io.open(os.getenv("BENCH_PENDING"), "w"))
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      if name ~= "unanswered" then totals[name] = totals[name] + thread:get(name) end
    end
    for status, count in pairs(thread:get("statuses")) do
      codes[#codes + 1] = string.format("%d:%d", status, count)
    end
    for key, body in pairs(thread:get("pending")) do
      totals.unanswered = totals.unanswered + 1
      out:write(key, "\t", body, "\n")
    end
    io.write(string.format("THREAD id=%d sent=%d\n", thread:get("id"), thread:get("sent")))
  end
  out:close()
  local e = summary.errors
  io.write(string.format(
    "RESULT sent=%d created=%d replayed=%d non2xx=%d unmatched=%d unanswered=%d " ..
    "connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d statuses=%s\n",
    totals.sent, totals.created, totals.replayed, totals.non2xx, totals.unmatched,
    totals.unanswered, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99),
    #codes > 0 and table.concat(codes, ",") or "none"))
end
