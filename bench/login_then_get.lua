-- wrk script for bench/load.sh --script: an authenticated page under load.
--
--   bench/load.sh ... --script NAME 'bench/login_then_get.lua USERNAME PASSWORD'
--
-- The first requests log in (POST /login as a same-origin browser would, so the CSRF check
-- passes through Fetch Metadata); every request after a login's answer carries the session
-- cookie it set. wrk calls request() once to check the script and discards that request, so
-- the first two calls log in (one login is thrown away, or both count: either cookie works).
-- Without arguments nothing logs in, so the same script (and the same client-side cost of
-- reading every response) measures the anonymous page.
local username, password
local cookie, logins = nil, 0

local function form_escape(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function init(args)
  username, password = args[1], args[2]
end

function request()
  if cookie then return wrk.format("GET", nil, {["Cookie"] = cookie}) end
  if username and logins < 2 then
    logins = logins + 1
    return wrk.format("POST", "/login", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Sec-Fetch-Site"] = "same-origin",
    }, "username=" .. form_escape(username) .. "&password=" .. form_escape(password))
  end
  return wrk.format("GET")
end

function response(status, headers, body)
  if cookie or status ~= 302 then return end
  local set = headers["Set-Cookie"]
  if set then cookie = set:match("^([^;]+)") end
end
