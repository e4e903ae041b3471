#!/usr/bin/env bash
# Inference on two CPUs (docs/architecture.md, "Several CPUs"): four prompts
# asked one at a time give the reference answers (greedy); then eight
# clients ask them at once, twice each, and every answer must equal its
# reference (separate KV caches, no state shared by accident), while
# /metrics shows detached inference steps on CPU 1 and parallel-loop chunks
# on both CPUs. Prints the serial and concurrent wall times.
# Usage: tests/boot/inference-smp.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
fresh_out inference-smp
port=$(free_port)
log=$out/console.log
start_image "$log" "httpd: listening on port 8080" tests/boot/inference-smp.yaml -p "$platform" \
    "${boot[@]}" --port "$port:8080" ||
  { echo "FAIL the image did not start:"; tail -n 20 "$log"; exit 1; }
python3 -B - "http://127.0.0.1:$port" <<'PY'
import json, sys, threading, time, urllib.error, urllib.request

base = sys.argv[1]
passes = fails = 0

def check(name, ok):
    global passes, fails
    print(("ok   " if ok else "FAIL ") + name, flush=True)
    if ok:
        passes += 1
    else:
        fails += 1

def complete(prompt):
    body = {"model": "model.bin", "prompt": prompt, "max_tokens": 24, "temperature": 0}
    rq = urllib.request.Request(base + "/v1/completions", json.dumps(body).encode(),
                                {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(rq, timeout=300) as r:
            return r.status, json.loads(r.read())["choices"][0]["text"]
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")

def metrics():
    out = {}
    with urllib.request.urlopen(base + "/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("anx_cpu_"):
                k, v = line.rsplit(" ", 1)
                out[k] = float(v)
    return out

prompts = ["Once upon a time", "The little dog", "Tom and Lily went", "One day, a bird"]
t0 = time.monotonic()
ref = [complete(p) for p in prompts]
serial = time.monotonic() - t0
check("four prompts answered one at a time", all(s == 200 and t for s, t in ref))
m0 = metrics()
res = [None] * 8
def client(i):
    res[i] = complete(prompts[i % 4])
t0 = time.monotonic()
ths = [threading.Thread(target=client, args=(i,)) for i in range(8)]
for t in ths:
    t.start()
for t in ths:
    t.join()
conc = time.monotonic() - t0
check("eight concurrent clients all answered", all(r and r[0] == 200 for r in res))
bad = [i for i in range(8) if res[i] != ref[i % 4]]
check(f"every concurrent answer equals its prompt's serial answer (differ: {bad})", not bad)
m1 = metrics()
d1 = m1.get('anx_cpu_detached_runs_total{cpu="1"}', 0) - m0.get('anx_cpu_detached_runs_total{cpu="1"}', 0)
c0 = m1.get('anx_cpu_chunks_total{cpu="0"}', 0) - m0.get('anx_cpu_chunks_total{cpu="0"}', 0)
c1 = m1.get('anx_cpu_chunks_total{cpu="1"}', 0) - m0.get('anx_cpu_chunks_total{cpu="1"}', 0)
check(f"/metrics: inference steps ran detached on CPU 1 ({d1:.0f}), chunks on CPU 0 ({c0:.0f}) and "
      f"CPU 1 ({c1:.0f})", d1 >= 8 and c0 > 0 and c1 > 0)
print(f"     4 requests one at a time: {serial:.2f} s; 8 at once: {conc:.2f} s "
      f"({8 / conc:.2f} requests/s against {4 / serial:.2f})")
print(f"{passes} passed, {fails} failed")
sys.exit(1 if fails else 0)
PY
