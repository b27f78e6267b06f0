-- wrk script: the JSON search endpoint (`GET /api/search`, the server function
-- `search_listings`), whose single argument `query: SearchQuery` travels as
-- serde_qs `query[field]=value`. Fields that are not `Option`s must be present.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local REQUIRED = { q = "", area = "", min = "", max = "", status = "available", page = "1" }

local paths = {}
for _, query in ipairs(common.queries) do
  local full = {}
  for key, value in pairs(REQUIRED) do full[key] = value end
  for key, value in pairs(query) do full[key] = value end
  paths[#paths + 1] = common.path("/api/search?", full, function(key)
    return "query[" .. key .. "]"
  end)
end

common.install(paths)
