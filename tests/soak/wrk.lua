-- The soak's web load (tests/soak/run.sh runs wrk with it): requests cycle through the
-- static pages and the router's API routes of manifests/web.yaml, one POST among them.
-- wrk counts every answer that is not 2xx or 3xx ("Non-2xx or 3xx responses") and every
-- socket error; the soak's report counts both as errors.
local requests = {}
local i = 0

-- built in init, once wrk has set the Host header from the URL (wrk.format adds wrk.headers)
init = function(args)
  requests = {
    wrk.format("GET", "/"),
    wrk.format("GET", "/style.css"),
    wrk.format("GET", "/about"),
    wrk.format("GET", "/api/v1/health"),
    wrk.format("GET", "/api/v1/modules"),
    wrk.format("GET", "/api/v1/routes"),
    wrk.format("POST", "/api/v1/echo", {["Content-Type"] = "text/plain"}, string.rep("soak ", 200)),
  }
end

request = function()
  i = i % #requests + 1
  return requests[i]
end
