-- wrk script: POST one valid expenditure per request, each with a unique bank_ref, and
-- count answers that are not 201. Usage: wrk ... -s http_append.lua URL -- TOKEN RUN
-- (RUN makes bank_refs unique across runs against one ledger).
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  run = args[2] or "0"
  counter = 0
  failures = 0
  template = '{"kind":"expenditure","fiscal_year":2026,"opd":"1.02.0.00.0.00.01.0000",' ..
    '"sub_activity":"1.02.02.2.01.0014","account":"5.1.02.01.01.0024","mechanism":"GU",' ..
    '"instrument":"cms_transfer","value_date":"2026-03-05","gross":"1250000",' ..
    '"taxes":[{"type":"PPh22","amount":"18750"}],"net":"1231250",' ..
    '"payee":{"name":"CV Sinar Rejang","npwp":"012345678901000","bank":"Bank Bengkulu",' ..
    '"account_no":"0012034567","account_name":"CV SINAR REJANG"},' ..
    '"bank_ref":"BENCH-%s-%d-%d","documents":{"evidence_no":"KW-B-%s-%d-%d"},' ..
    '"description":"Belanja alat tulis kantor"}'
end

function request()
  counter = counter + 1
  local body = string.format(template, run, id, counter, run, id, counter)
  return wrk.format("POST", "/v1/entries", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  io.write(string.format("appends/s %.0f  p50 %.2f ms  p99 %.2f ms  non-201 %d  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
