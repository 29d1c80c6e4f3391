-- wrk script: GET the URL with keep-alive and print one line in the format of
-- http_append.lua (requests/s, p50, p99, answers that are not 200, socket errors).
-- Used by ops/bench.sh for the static HTTPS ceiling.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  non-200 %d  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
