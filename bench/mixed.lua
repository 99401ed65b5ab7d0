-- wrk script for the mixed scenario of the gongzhi benchmark: what a street's front-ends send.
--
--   BENCH_DIR=bench BENCH_TOKEN=<jwt> BENCH_TOKENS="<jwt> <jwt> ..." BENCH_MIX=0.2 \
--       wrk -t2 -c32 -d20s --latency -s bench/mixed.lua http://127.0.0.1:PORT/graphql -- bench/query.json
--
-- A share BENCH_MIX (default 0.2) of the requests is bench/mixed.json, the bench query with
-- random page sizes (1 to 20 communities, 1 to 20 compounds each), sent as one of BENCH_TOKENS
-- picked at random: other variables and other principals, so the response cache rarely holds
-- their answer and they execute. The rest is bench/query.json as the street admin (BENCH_TOKEN),
-- the overview many front-ends poll, served from the cache. Checks and the summary are
-- bench/query.lua's.

dofile((os.getenv("BENCH_DIR") or "bench") .. "/query.lua")

local base_init = init

function init(args)
   base_init(args)
   mix = tonumber(os.getenv("BENCH_MIX") or "0.2")
   tokens = {}
   for t in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do
      table.insert(tokens, t)
   end
   if #tokens == 0 then
      error("mixed.lua: BENCH_TOKENS names no token")
   end
   template = read_file((os.getenv("BENCH_DIR") or "bench") .. "/mixed.json")
   hit = wrk.format()
   math.randomseed(os.time() + (id or 0))
end

function request()
   if math.random() >= mix then
      return hit
   end
   local body = template:gsub("__N__", tostring(math.random(1, 20))):gsub("__M__", tostring(math.random(1, 20)))
   local headers = {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
      ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
   }
   return wrk.format("POST", nil, headers, body)
end
