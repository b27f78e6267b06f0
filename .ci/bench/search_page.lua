-- wrk script: server-rendered search pages (`GET /search?q=…`).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local paths = {}
for _, query in ipairs(common.queries) do
  paths[#paths + 1] = common.path("/search?", query, function(key) return key end)
end

common.install(paths)
