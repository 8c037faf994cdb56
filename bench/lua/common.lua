-- Shared by the wrk scripts of bench/: argument handling, success check, error count and the
-- machine-readable summary line bench/wrk.py parses. Run wrk from bench/lua/ so `require` finds it.
-- The loads mirror bench/workloads.py; keep the two in step.
local M = {}

M.OTP_CODE = "123456"
M.SENDER = "BENCHS"
M.TEXT = "Your order 4821 has shipped and will arrive tomorrow."

local threads = {}
local next_id = 0

function M.setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

function M.init(args)
  api_key = args[1]
  errors = 0
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

function M.random_phone()
  return string.format("919%09d", math.random(0, 999999999))
end

-- A success in 2Factor's terms: HTTP 200 and "Status":"Success" (V1, R1) or "success":true (bulk).
function M.ok(status, body)
  return status == 200 and body ~= nil and
    (string.find(body, '"Status":"Success"', 1, true) ~= nil or string.find(body, '"success":true', 1, true) ~= nil)
end

-- The response callback of the loads that need nothing from a reply but whether it succeeded.
function M.count_failures(status, headers, body)
  if not M.ok(status, body) then
    errors = errors + 1
  end
end

function M.done(summary, latency, requests)
  local app_errors = 0
  for _, thread in ipairs(threads) do
    app_errors = app_errors + (thread:get("errors") or 0)
  end
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d p50_us=%.1f p99_us=%.1f\n",
    summary.requests, summary.duration, app_errors + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end

return M
