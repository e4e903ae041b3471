#!/usr/bin/env bash
# SMP benchmarks (docs/architecture.md, "Several CPUs"), in images under
# this machine's accelerator, cpus: 1 against cpus: 2 (and 4 for the
# machinery), all in one run. Prints a table and ratios; never pass/fail.
#   1. `smp-stress bench` (modules/smp-test): a detach+attach round trip, an
#      empty parallel loop, and the speedup of 64 chunks of pure compute;
#   2. generation tok/s of a random llama model of 20M parameters (q8_0,
#      dim 512, 6 layers, grouped-query attention; `anx model random`) with
#      the shell's generate command;
#   3. the OpenAI API serving that model to CLIENTS concurrent clients
#      (curl, each asking REQS completions of 16 sampled tokens): completions/s.
# TCG runs each vCPU on a host thread: on a 2-core machine with other work
# running, cpus: 2 cannot show its full speedup (say `uptime` with the numbers).
# Usage: tests/bench/smp/run.sh [CLIENTS [REQS]]   (default 8 clients, 4 requests each)
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
clients=${1:-8}
reqs=${2:-4}
out=$root/build/bench/smp
mkdir -p "$out"
make -s anx >/dev/null && make -s -C tools/model >/dev/null || { echo "bench smp: build failed"; exit 0; }
model=$out/r20m.gguf
[ -s "$model" ] || build/host/anx-model random -o "$model" --dim 512 --hidden 1376 --layers 6 --heads 8 \
  --kv-heads 4 --vocab 4096 --ctx 256 --type q8_0 --seed 1 >/dev/null || { echo "bench smp: no model"; exit 0; }
echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# manifest NAME CPUS MODULES...: a manifest in $out
manifest() {
  local name=$1 cpus=$2; shift 2
  {
    echo "name: $name"; echo "platform: x86_64-pc"; echo "memory: 256M"; echo "cpus: $cpus"
    echo "modules:"; for m in "$@"; do echo "  $m"; done
    echo "files:"; echo "  /models/r.gguf: $model"
  } >"$out/$name.yaml"
}

# 1 and 2: the shell's commands, read from the console
for c in 1 2 4; do
  manifest "smp-$c" $c "shell: {}" "smp-test: {}" "infer: {model: /models/r.gguf}"
  cat >>"$out/smp-$c.yaml" <<'Y'
test:
  - serial: "anunix: ready"
    timeout: 60s
  - shell: "smp-stress bench"
    expect: "speedup"
    timeout: 300s
  - shell: "generate -n 8"
    expect: "tok/s"
    timeout: 300s
  - shell: "generate -n 32"
    expect: "tok/s"
    timeout: 300s
  - shell: "poweroff 0"
    expect: "powering off"
  - exit: 0
Y
  if ! gen/anx test "$out/smp-$c.yaml" -o "$out/smp-$c" >"$out/smp-$c.log" 2>&1; then
    echo "cpus $c: failed, see $out/smp-$c.log"; continue
  fi
  grep -o 'smp-bench: .*' "$out/smp-$c/console.log" | tail -n 1
  # the second generate's time, as anx test measured it (the first warms QEMU's translation cache)
  secs=$(grep 'generate -n 32' "$out/smp-$c.log" | grep -o '[0-9][0-9.]* s$' | cut -d' ' -f1)
  gen_s[$c]=$secs
  printf 'cpus %s: 32 tokens of the 20M model in %s s (%s tok/s)\n' "$c" "$secs" \
    "$(awk -v s="$secs" 'BEGIN { printf "%.2f", 32 / s }')"
done
[ -n "${gen_s[1]:-}" ] && [ -n "${gen_s[2]:-}" ] &&
  printf 'generation speedup, cpus 2 / cpus 1: %s\n' "$(awk -v a="${gen_s[1]}" -v b="${gen_s[2]}" 'BEGIN { printf "%.2f", a / b }')"

# 3: concurrent clients against the API
port=${ANX_BENCH_PORT:-$((20000 + RANDOM % 20000))}
for c in 1 2; do
  manifest "api-$c" $c "net: {ipv4: dhcp}" "virtio-net: {}" "router: {}" "httpd: {port: 8080}" \
    "objstore: {backend: ram}" "tensor: {}" "infer: {model: /models/r.gguf}" "openai: {cache_entries: 0}"
  gen/anx run "$out/api-$c.yaml" -o "$out/api-$c" --port "$port:8080" >"$out/api-$c.console" 2>&1 </dev/null &
  pid=$!
  up=0
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/v1/models" && { up=1; break; }
    sleep 0.2
  done
  if [ $up = 0 ]; then echo "api cpus $c: did not come up (see $out/api-$c.console)"; kill $pid; wait $pid; continue; fi
  t0=$(date +%s%N)
  ok=$(seq 1 $((clients * reqs)) | xargs -P "$clients" -I{} curl -s -o /dev/null -w '%{http_code}\n' \
        --max-time 600 "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' \
        -d '{"prompt": "Once upon a time", "max_tokens": 16, "temperature": 0.8, "seed": {}}' | grep -c '^200$')
  t1=$(date +%s%N)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  rate[$c]=$(awk -v n="$ok" -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", n / (ns / 1e9) }')
  printf 'api cpus %s: %s clients, %s of %s completions answered, %s completions/s\n' "$c" "$clients" "$ok" \
    $((clients * reqs)) "${rate[$c]}"
done
[ -n "${rate[1]:-}" ] && [ -n "${rate[2]:-}" ] &&
  printf 'concurrent completions speedup, cpus 2 / cpus 1: %s\n' \
    "$(awk -v a="${rate[1]}" -v b="${rate[2]}" 'BEGIN { printf "%.2f", b / a }')"
exit 0
