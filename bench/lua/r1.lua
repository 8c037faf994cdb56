-- One transactional SMS per request through the R1 form route. Arguments: API key.
local c = require "common"

setup = c.setup
init = c.init
done = c.done
response = c.count_failures

local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
local text = string.gsub(c.TEXT, " ", "+")

request = function()
  local body = "module=TRANS_SMS&apikey=" .. api_key .. "&to=" .. c.random_phone() ..
    "&from=" .. c.SENDER .. "&msg=" .. text
  return wrk.format("POST", "/API/R1/", headers, body)
end
