#!/usr/bin/env bash
# Tool calls on chat completions end to end (docs/openai-api.md, "Tool
# calls"), on tests/boot/tools-stories.yaml with stories260K, a model far too
# small to call tools by itself:
#  - a request with tools and a forced choice answers tool_calls whose
#    arguments are valid JSON with the schema's keys only (the server starts
#    the call and constrains the arguments), content null, finish_reason
#    tool_calls;
#  - the client sends that call back with a tool message: a text answer;
#  - a built-in tool (list_objects) forced: the server runs it through the
#    router with the caller's key and the answer's tool_runs says so: the
#    listing (with notes/planted.txt) for a key that may read objects, the
#    guard's 403 for one that may not;
#  - the same call streamed: tool_calls deltas, [DONE];
#  - malformed tools: OpenAI's 400.
# Prints the latency of each request. The keys are test-only strings.
# Usage: tests/boot/tools-stories.sh [PLATFORM [MODE]]   (default x86_64-pc)
# Exits 77 (skipped) when ../shared/testdata is not beside the repository.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
models=$root/../shared/testdata/models
if [ ! -f "$models/stories260K.bin" ] || [ ! -f "$models/tok512.bin" ]; then
  echo "skip  tools-stories $platform: $models/stories260K.bin is absent (../shared/testdata beside the repository)"
  exit 77
fi
fresh_out tools-stories
printf 'sk-test-tools-client-0123456789abcdef' >"$out/client"
printf 'sk-test-tools-reader-0123456789abcdef' >"$out/reader"
gen/anx build tests/boot/tools-stories.yaml -p "$platform" >"$out/build.log" 2>&1 ||   # start_image waits 60 s
  { echo "FAIL the image does not build:"; tail -n 20 "$out/build.log"; exit 1; }
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening on port 8080" tests/boot/tools-stories.yaml -p "$platform" "${boot[@]}" \
    --port "$port:8080" --secret client="$out/client" --secret reader="$out/reader" ||
  { echo "FAIL the image did not start:"; tail -n 20 "$log"; exit 1; }
python3 - "http://127.0.0.1:$port" "$(cat "$out/client")" "$(cat "$out/reader")" <<'PY'
import json, sys, time, urllib.error, urllib.request
base, client, reader = sys.argv[1:4]
fails = 0
def check(name, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:600]))
    fails += 0 if ok else 1
def post(body, key, raw=False):
    rq = urllib.request.Request(base + "/v1/chat/completions", json.dumps(body).encode(),
                                {"Content-Type": "application/json", "Authorization": "Bearer " + key})
    t = time.time()
    for attempt in range(60):
        try:
            with urllib.request.urlopen(rq, timeout=300) as r:
                data = r.read().decode()
                status = r.status
            break
        except urllib.error.HTTPError as e:
            data, status = e.read().decode(), e.code
            if status != 503:
                break
        except (ConnectionError, urllib.error.URLError):
            pass
        time.sleep(1)
        t = time.time()
    ms = (time.time() - t) * 1000
    return status, (data if raw else json.loads(data)), ms
weather = {"type": "function", "function": {"name": "get_weather", "description": "The weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
ask = [{"role": "user", "content": "What is the weather in Paris?"}]
forced = {"type": "function", "function": {"name": "get_weather"}}

st, a, ms = post({"messages": ask, "tools": [weather], "tool_choice": forced, "temperature": 0}, client)
msg = a.get("choices", [{}])[0].get("message", {}) if st == 200 else {}
calls = msg.get("tool_calls") or []
args = calls[0]["function"]["arguments"] if calls else ""
try:
    parsed = json.loads(args)
except ValueError:
    parsed = None
check("forced call: tool_calls with JSON arguments (%.0f ms, usage %s)" % (ms, a.get("usage")),
      st == 200 and len(calls) == 1 and calls[0]["type"] == "function" and calls[0]["function"]["name"] == "get_weather"
      and isinstance(parsed, dict) and set(parsed) <= {"city"} and msg.get("content") is None
      and a["choices"][0]["finish_reason"] == "tool_calls", a)
print("     arguments:", args[:200])

if calls:
    history = ask + [{"role": "assistant", "content": None, "tool_calls": calls},
                     {"role": "tool", "tool_call_id": calls[0]["id"], "content": "sunny, 18 degrees"}]
    st, b, ms = post({"messages": history, "tools": [weather], "temperature": 0, "max_tokens": 24}, client)
    m2 = b.get("choices", [{}])[0].get("message", {}) if st == 200 else {}
    check("round trip: the tool's result in, a text answer out (%.0f ms, usage %s)" % (ms, b.get("usage")),
          st == 200 and isinstance(m2.get("content"), str) and not m2.get("tool_calls")
          and b["choices"][0]["finish_reason"] in ("stop", "length"), b)
    print("     answer:", repr(m2.get("content", ""))[:200])

builtin = {"messages": [{"role": "user", "content": "Which notes are there?"}], "temperature": 0, "max_tokens": 16,
           "tool_choice": {"type": "function", "function": {"name": "list_objects"}}}
st, c, ms = post(builtin, reader)
runs = c.get("tool_runs") or []
check("built-in list_objects runs in the server with the reader's key (%.0f ms, usage %s)" % (ms, c.get("usage")),
      st == 200 and len(runs) == 1 and runs[0]["name"] == "list_objects" and runs[0]["status"] == 200
      and "notes/planted.txt" in (runs[0].get("result") or "")
      and isinstance(c["choices"][0]["message"].get("content"), str), c)
print("     tool_runs:", json.dumps(runs)[:300])
st, d, ms = post(builtin, client)
runs = d.get("tool_runs") or []
check("built-in tool with a key that may not read objects: the guard's 403 (%.0f ms)" % ms,
      st == 200 and len(runs) == 1 and runs[0]["status"] == 403, d)

st, sse, ms = post({"messages": ask, "tools": [weather], "tool_choice": forced, "temperature": 0, "stream": True},
                   client, raw=True)
events = [l[6:] for l in sse.split("\n") if l.startswith("data: ")]
deltas = [json.loads(e) for e in events if e != "[DONE]"]
streamed = "".join(tc["function"].get("arguments", "") for e in deltas for ch in e["choices"]
                   for tc in ch["delta"].get("tool_calls", []))
check("streamed call: tool_calls deltas add up to the same arguments, then [DONE] (%.0f ms)" % ms,
      st == 200 and events[-1] == "[DONE]" and streamed == args
      and deltas[-1]["choices"][0]["finish_reason"] == "tool_calls", sse[:400])

st, e, ms = post({"messages": ask, "tools": [{"type": "function", "function": {"name": "bad name"}}]}, client)
check("malformed tools: 400 with the param", st == 400 and e["error"]["param"] == "tools[0].function.name", e)
st, e, ms = post({"messages": ask, "tools": [weather], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
                 client)
check("a named tool not in tools: 400", st == 400 and e["error"]["param"] == "tool_choice", e)
sys.exit(1 if fails else 0)
PY
rc=$?
[ $rc = 0 ] && echo "tools-stories: ok" || { echo "tools-stories: FAILED (console: $log)"; exit 1; }
