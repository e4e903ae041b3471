#!/usr/bin/env bash
# Embeddings, the response cache and kept chat sessions in the image
# (tests/boot/inference-turns.yaml, docs/openai-api.md): POST /v1/embeddings
# gives unit vectors of the model's width, the same for the same text, in
# float and base64 alike; a greedy completion asked twice is a miss, then a
# hit (X-Anunix-Cache) with the same text, and /metrics counts it; a chat's
# second turn in a session reports its cached prompt tokens, answers as
# the same turn without a session does, and is faster than the first turn
# (which ran a long prompt). Prints the latencies measured.
# Usage: tests/boot/inference-turns.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
models=$root/../shared/testdata/models
if [ ! -f "$models/stories260K.bin" ] || [ ! -f "$models/tok512.bin" ]; then
  echo "skip  inference-turns: $models/stories260K.bin and tok512.bin are absent (../shared/testdata)"
  exit 77
fi
fresh_out inference-turns
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening on port 8080" tests/boot/inference-turns.yaml -p "$platform" \
    "${boot[@]}" --port "$port:8080" ||
  { echo "FAIL the image did not start:"; tail -n 20 "$log"; exit 1; }
python3 -B - "http://127.0.0.1:$port" <<'PY'
import base64, json, math, struct, sys, time, urllib.error, urllib.request

base = sys.argv[1]
passes = fails = 0

def check(name, ok):
    global passes, fails
    print(("ok   " if ok else "FAIL ") + name, flush=True)
    if ok:
        passes += 1
    else:
        fails += 1

def post(path, body, headers=None):
    rq = urllib.request.Request(base + path, json.dumps(body).encode(),
                                {"Content-Type": "application/json", **(headers or {})})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(rq, timeout=300) as r:
            data, status, hdr = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        data, status, hdr = e.read(), e.code, e.headers
    return status, json.loads(data), hdr, time.monotonic() - t0

def metric(name):
    with urllib.request.urlopen(base + "/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
    return None

# ---- embeddings
texts = ["The cat sat on the mat.", "The dog ran in the park.", "The cat sat on the mat."]
st, a, _, _ = post("/v1/embeddings", {"model": "stories260K.bin", "input": texts})
vecs = [d["embedding"] for d in a.get("data", [])] if st == 200 else []
dim = len(vecs[0]) if vecs else 0
check(f"embeddings: 3 vectors of {dim} floats, index in order, usage {a.get('usage')}",
      st == 200 and len(vecs) == 3 and dim == 64 and all(len(v) == dim for v in vecs) and
      [d["index"] for d in a["data"]] == [0, 1, 2] and a["object"] == "list" and
      a["usage"]["prompt_tokens"] == a["usage"]["total_tokens"] > 6)
norms = [math.sqrt(sum(x * x for x in v)) for v in vecs]
check(f"embeddings: unit length ({norms[0]:.6f}), the same text the same vector, another text another",
      vecs and all(abs(n - 1) < 1e-5 for n in norms) and vecs[0] == vecs[2] and vecs[0] != vecs[1])
st, b, _, _ = post("/v1/embeddings", {"input": texts[:2], "encoding_format": "base64"})
dec = [list(struct.unpack("<%df" % dim, base64.b64decode(d["embedding"]))) for d in b.get("data", [])]
f32 = [list(struct.unpack("<%df" % dim, struct.pack("<%df" % dim, *v))) for v in vecs[:2]]
check("embeddings: deterministic, and base64 (little-endian float32) holds the very same floats",
      st == 200 and dec == f32)
st, e, _, _ = post("/v1/embeddings", {"input": "x", "dimensions": 32})
check("embeddings: other dimensions are 400 with the model's (%s)" % e.get("error", {}).get("message"),
      st == 400 and "64 dimensions" in e["error"]["message"])
st, e, _, _ = post("/v1/embeddings", {"input": "The dog ran. " * 200})
check("embeddings: too long an input is 400 with the limit (%s)" % e.get("error", {}).get("message"),
      st == 400 and "more than 512 tokens" in e["error"]["message"] and
      e["error"]["code"] == "context_length_exceeded")
runs = [post("/v1/embeddings", {"input": texts[1]}) for _ in range(5)]
lat = sorted(r[3] for r in runs)
print(f"     embedding latency (one text of {runs[0][1]['usage']['prompt_tokens']} tokens with BOS, "
      f"HTTP round trip, median of 5): {lat[2] * 1000:.1f} ms")
batch = ["Lily saw a big red ball in the park number %d." % i for i in range(16)]
st, bb, _, tb = post("/v1/embeddings", {"input": batch})
check("embeddings: a batch of 16 inputs", st == 200 and len(bb["data"]) == 16)
print(f"     embedding a batch of 16 texts ({bb['usage']['prompt_tokens']} tokens): {tb * 1000:.0f} ms, "
      f"{16 / tb:.1f} texts/s, {bb['usage']['prompt_tokens'] / tb:.0f} tokens/s")

# ---- the response cache
req = {"prompt": "Once upon a time", "temperature": 0, "max_tokens": 64}
st1, r1, h1, t_miss = post("/v1/completions", req)
st2, r2, h2, t_hit = post("/v1/completions", req)
text = r1["choices"][0]["text"] if st1 == 200 else None
check(f"cache: miss then hit (X-Anunix-Cache: {h1.get('X-Anunix-Cache')}, {h2.get('X-Anunix-Cache')})",
      st1 == st2 == 200 and h1.get("X-Anunix-Cache") == "miss" and h2.get("X-Anunix-Cache") == "hit")
check("cache: the hit has the miss's text and usage, and its own id",
      text and r2["choices"][0]["text"] == text and r2["usage"] == r1["usage"] and r2["id"] != r1["id"])
check(f"cache: the hit ({t_hit * 1000:.1f} ms) is faster than the miss ({t_miss * 1000:.1f} ms)", t_hit < t_miss)
rq = urllib.request.Request(base + "/v1/completions", json.dumps(dict(req, stream=True)).encode(),
                            {"Content-Type": "application/json"})
with urllib.request.urlopen(rq, timeout=300) as r:
    hs, events = r.headers.get("X-Anunix-Cache"), r.read().decode().split("\n\n")
streamed = "".join(json.loads(e[6:])["choices"][0]["text"] for e in events
                   if e.startswith("data: {") and json.loads(e[6:])["choices"])
check(f"cache: a streamed request hits too (X-Anunix-Cache: {hs}), the same text as events",
      hs == "hit" and streamed == text and events[-2] == "data: [DONE]")
st, r3, h3, _ = post("/v1/completions", dict(req, temperature=0.8, seed=1))
check("cache: temperature 0.8 bypasses it", st == 200 and h3.get("X-Anunix-Cache") == "bypass")
hits = metric('anx_openai_cache_requests_total{result="hit"}')
check(f"cache: /metrics counts the hits ({hits})", hits == 2)
print(f"     cache: miss {t_miss * 1000:.1f} ms, hit {t_hit * 1000:.1f} ms (64 tokens)")

# ---- a chat in a session
story = ("Lily and Ben went to the park. They saw a big tree and a little bird. The bird sang a song. "
         "Lily wanted to climb the tree, but Ben was scared. ") * 3
turn1 = [{"role": "system", "content": story}, {"role": "user", "content": "What did the bird do?"}]
st, c1, _, t1 = post("/v1/chat/completions", {"session_id": "chat-1", "messages": turn1,
                                              "temperature": 0, "max_tokens": 12})
u1 = c1.get("usage", {})
check(f"session: turn 1 runs its {u1.get('prompt_tokens')} prompt tokens (cached_tokens "
      f"{u1.get('prompt_tokens_details', {}).get('cached_tokens')})",
      st == 200 and u1["prompt_tokens_details"]["cached_tokens"] == 0 and u1["prompt_tokens"] > 100)
turn2 = turn1 + [{"role": "assistant", "content": c1["choices"][0]["message"]["content"]},
                 {"role": "user", "content": "And Ben?"}]
st, c2, _, t2 = post("/v1/chat/completions", {"messages": turn2, "temperature": 0, "max_tokens": 12},
                     {"X-Session-Id": "chat-1"})
u2 = c2.get("usage", {})
if st != 200:
    print("     turn 2:", st, c2)
cached = u2.get("prompt_tokens_details", {}).get("cached_tokens", -1)
check(f"session: turn 2 (X-Session-Id) reuses {cached} of its {u2.get('prompt_tokens')} prompt tokens",
      st == 200 and cached >= u1["prompt_tokens"] + u1["completion_tokens"] - 2 and
      cached < u2["prompt_tokens"])
st, c3, _, t3 = post("/v1/chat/completions", {"messages": turn2, "temperature": 0, "max_tokens": 12})
st4, c4, _, t4 = post("/v1/chat/completions", {"session_id": "chat-2", "messages": turn2,
                                               "temperature": 0, "max_tokens": 12})
check("session: turn 2 answers as the same turn without a session",
      st == st4 == 200 and c2["choices"][0]["message"]["content"] == c3["choices"][0]["message"]["content"]
      == c4["choices"][0]["message"]["content"])
check(f"session: turn 2 ({t2 * 1000:.0f} ms) is faster than turn 1 ({t1 * 1000:.0f} ms)", t2 < t1)
print(f"     session: turn 1 {t1 * 1000:.0f} ms ({u1['prompt_tokens']} prompt tokens), turn 2 "
      f"{t2 * 1000:.0f} ms ({cached} of {u2['prompt_tokens']} cached); turn 2 without a session "
      f"{t3 * 1000:.0f} ms, in a new session {t4 * 1000:.0f} ms")
# two turns of one session at once: serialized on the model, both answered, the session intact
import threading
res = [None, None]
def turn(i):
    res[i] = post("/v1/chat/completions", {"session_id": "chat-1", "messages": turn2,
                                           "temperature": 0, "max_tokens": 6})
ths = [threading.Thread(target=turn, args=(i,)) for i in range(2)]
for t in ths:
    t.start()
for t in ths:
    t.join()
ok2 = all(r and r[0] == 200 for r in res)
cc = [r[1]["usage"]["prompt_tokens_details"]["cached_tokens"] for r in res] if ok2 else []
check(f"session: two turns of one session at once are both answered, one after the other "
      f"(cached {cc})", ok2 and max(cc) == u2["prompt_tokens"] - 1 and
      res[0][1]["choices"][0]["message"]["content"] == res[1][1]["choices"][0]["message"]["content"])
n = metric("anx_openai_sessions")
check(f"session: /metrics shows 2 kept sessions ({n}) and their bytes ({metric('anx_openai_sessions_bytes')})",
      n == 2 and metric("anx_openai_sessions_bytes") > 0)
print(f"{passes} passed, {fails} failed")
sys.exit(1 if fails else 0)
PY
