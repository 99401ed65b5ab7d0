-- wrk script for the gongzhi GraphQL benchmark.
--
--   BENCH_TOKEN=<jwt> wrk -t2 -c32 -d20s --latency -s bench/query.lua \
--       http://127.0.0.1:PORT/graphql -- bench/query.json
--
-- Every request POSTs the JSON document named by the first script argument
-- (default: bench/query.json), with `Authorization: Bearer $BENCH_TOKEN` when
-- BENCH_TOKEN is set.  Every response is checked: it must have status 200 and
-- a body that contains "data" and does not contain "errors".  Anything else is
-- a bad response.  done() prints the tallies and one machine-readable line,
-- `BENCH_RESULT key=value ...`, which bench/run.sh parses.
--
-- Each wrk thread runs its own Lua state; setup() and done() run in a third
-- one, so the per-thread counters are collected with thread:get() in done().

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

-- Global, so that bench/mixed.lua (which runs this file first) reads its template with it.
function read_file(path)
   local f, err = io.open(path, "rb")
   if not f then
      error("query.lua: cannot open " .. tostring(path) .. ": " .. tostring(err))
   end
   local s = f:read("*a")
   f:close()
   return s
end

function init(args)
   local path = args[1] or "bench/query.json"
   wrk.method = "POST"
   wrk.body = read_file(path)
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Accept"] = "application/json"
   local token = os.getenv("BENCH_TOKEN")
   if token and token ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. token
   end

   checked = 0      -- responses seen by response()
   bad = 0          -- responses that failed a check
   bad_status = 0   -- ... of which: status was not 200
   bad_nodata = 0   -- ... of which: status 200 but no "data" in the body
   bad_errors = 0   -- ... of which: status 200 but "errors" in the body
   sample = nil     -- the first bad response of this thread, shortened
end

function response(status, headers, body)
   checked = checked + 1
   body = body or ""
   local ok = true
   if status ~= 200 then
      bad_status = bad_status + 1
      ok = false
   elseif not string.find(body, '"data"', 1, true) then
      bad_nodata = bad_nodata + 1
      ok = false
   elseif string.find(body, '"errors"', 1, true) then
      bad_errors = bad_errors + 1
      ok = false
   end
   if not ok then
      bad = bad + 1
      if sample == nil then
         sample = "status " .. tostring(status) .. ": " .. string.sub(body, 1, 300)
      end
   end
end

function done(summary, latency, requests)
   local checked_t, bad_t, st_t, nd_t, er_t = 0, 0, 0, 0, 0
   local samples = {}
   for _, thread in ipairs(threads) do
      checked_t = checked_t + (thread:get("checked") or 0)
      bad_t = bad_t + (thread:get("bad") or 0)
      st_t = st_t + (thread:get("bad_status") or 0)
      nd_t = nd_t + (thread:get("bad_nodata") or 0)
      er_t = er_t + (thread:get("bad_errors") or 0)
      local s = thread:get("sample")
      if s then table.insert(samples, s) end
   end

   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local secs = summary.duration / 1e6
   local rps = 0
   if secs > 0 then rps = summary.requests / secs end
   local p50 = latency:percentile(50) / 1000.0   -- microseconds -> ms
   local p99 = latency:percentile(99) / 1000.0

   io.write("------------------------------------------------------------\n")
   io.write(string.format("requests checked : %d\n", checked_t))
   io.write(string.format("bad responses    : %d (status!=200: %d, no \"data\": %d, \"errors\": %d)\n",
                          bad_t, st_t, nd_t, er_t))
   io.write(string.format("socket errors    : connect %d, read %d, write %d, timeout %d\n",
                          e.connect, e.read, e.write, e.timeout))
   io.write(string.format("requests/s       : %.1f\n", rps))
   io.write(string.format("latency p50      : %.2f ms\n", p50))
   io.write(string.format("latency p99      : %.2f ms\n", p99))
   for i, s in ipairs(samples) do
      io.write(string.format("bad sample %d     : %s\n", i, (s:gsub("[\r\n]+", " "))))
   end
   io.write(string.format(
      "BENCH_RESULT requests=%d checked=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f bad=%d socket_errors=%d duration_s=%.2f\n",
      summary.requests, checked_t, rps, p50, p99, bad_t, socket_errors, secs))
end
