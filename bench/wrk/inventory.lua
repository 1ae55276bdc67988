-- wrk script of the inventory benchmarks (scripts/bench). BENCH_OP picks the request:
--   get     GET /api/servers/<id>, a random id of BENCH_IDS (readable by the caller)
--   list    GET /api/servers, 50 per page, two filters, one of the first 5 pages
--   patch   PATCH /api/servers/<id> (merge patch of role and a tag), ids of BENCH_IDS (writable)
--   search  GET /api/search?q=<a hostname prefix or a name>
-- The Authorization header comes from wrk's -H. Every thread reads the ids once.
local op = os.getenv("BENCH_OP")
local ids = {}
if os.getenv("BENCH_IDS") then
  for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
end
local counter = 0

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
  -- wrk.format replaces wrk.headers (and so the -H Authorization) when given headers: add to them.
  if op == "patch" then wrk.headers["Content-Type"] = "application/json" end
end

request = function()
  counter = counter + 1
  if op == "get" then
    return wrk.format("GET", "/api/servers/" .. ids[math.random(#ids)])
  elseif op == "list" then
    return wrk.format("GET", "/api/servers?environment=Production&os.base=Linux&limit=50&page="
      .. math.random(5))
  elseif op == "patch" then
    local body = string.format('{"role":"role-%d","tags":[{"key":"bench","value":"%d"}]}',
      math.random(100), counter)
    return wrk.format("PATCH", "/api/servers/" .. ids[math.random(#ids)], nil, body)
  elseif op == "search" then
    local q
    if math.random(2) == 1 then q = string.format("host-%04d", math.random(0, 999)) else
      q = string.format("app-%05d", math.random(0, 19999)) end
    return wrk.format("GET", "/api/search?q=" .. q)
  end
  error("BENCH_OP must be get, list, patch or search")
end
