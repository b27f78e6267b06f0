-- Request rotation for the search benchmarks: each wrk thread walks the mix
-- from its own offset, so concurrent connections ask different things.
--
-- With BENCH_LIST=1 the script prints its paths when wrk is done, one a
-- line, so bench.sh can check each answer with curl before trusting figures.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local M = { queries = dofile(dir .. "queries.lua") }

-- The order keys appear in a path, so paths are stable from run to run.
local KEYS = { "q", "category", "tag", "area", "min", "max", "stock", "mode", "status", "sort", "page" }

-- Builds prefix .. "k1=v1&k2=v2" from a query, naming each key with name(key).
function M.path(prefix, query, name)
  local parts = {}
  for _, key in ipairs(KEYS) do
    local value = query[key]
    if value ~= nil then
      parts[#parts + 1] = name(key) .. "=" .. value
    end
  end
  return prefix .. table.concat(parts, "&")
end

-- Installs wrk's callbacks for the given paths.
function M.install(paths)
  local started = 0
  setup = function(thread)
    thread:set("offset", started * 7)
    started = started + 1
  end

  local i
  init = function()
    i = (tonumber(offset) or 0) % #paths
  end
  request = function()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
  end

  if os.getenv("BENCH_LIST") == "1" then
    -- Only the list is wanted: keep the run from loading the server.
    request = function()
      return wrk.format("GET", "/healthz")
    end
    done = function()
      io.write(table.concat(paths, "\n"), "\n")
    end
  end
end

return M
