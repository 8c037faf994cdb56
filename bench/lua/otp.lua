-- The OTP send and verify mix: send an OTP chosen by the caller, then verify the session id the
-- reply carried with the same code. A thread's connections share one queue of session ids.
-- Arguments: API key.
local c = require "common"
local sessions = {}

setup = c.setup
init = c.init
done = c.done

request = function()
  local session = table.remove(sessions)
  if session ~= nil then
    return wrk.format("GET", "/API/V1/" .. api_key .. "/SMS/VERIFY/" .. session .. "/" .. c.OTP_CODE)
  end
  return wrk.format("GET", "/API/V1/" .. api_key .. "/SMS/" .. c.random_phone() .. "/" .. c.OTP_CODE)
end

response = function(status, headers, body)
  if not c.ok(status, body) then
    errors = errors + 1
    return
  end
  local details = string.match(body, '"Details"%s*:%s*"([^"]+)"')
  -- A send's Details is the session id; a verify's is a sentence ("OTP Matched").
  if details ~= nil and string.find(details, " ", 1, true) == nil then
    table.insert(sessions, details)
  end
end
