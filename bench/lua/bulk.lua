-- One bulk request of N messages to distinct numbers. Arguments: API key, N.
local c = require "common"

setup = c.setup
done = c.done
response = c.count_failures

local count = 100
local headers = {["Content-Type"] = "application/json"}

init = function(args)
  c.init(args)
  count = tonumber(args[2] or "100")
end

request = function()
  local messages = {}
  for i = 1, count do
    messages[i] = '{"smsFrom":"' .. c.SENDER .. '","smsTo":"+' .. c.random_phone() .. '","smsText":"' .. c.TEXT .. '"}'
  end
  local body = '{"module":"TRANS_SMS","apikey":"' .. api_key .. '","messages":[' .. table.concat(messages, ",") .. ']}'
  return wrk.format("POST", "/API/R1/Bulk/", headers, body)
end
