#!/usr/bin/env bash
# `make demo`: build the inference appliance (manifests/inference.yaml, with
# the model the project trained itself in examples/model/), boot it in QEMU,
# ask it for a completion over HTTP with curl, print the answer and how to
# ask more, then power the guest off through its serial console.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
manifest=manifests/inference.yaml
port=${ANX_DEMO_PORT:-8080}
prompt=${ANX_DEMO_PROMPT:-"The best way to"}   # the model writes fortune cookies
out=build/demo
mkdir -p "$out"

gen/anx build "$manifest"

# The guest's serial console reads from a FIFO we hold open, so the demo can
# type `poweroff` at the end; everything the guest prints goes to a log.
fifo=$out/console.in
rm -f "$fifo"
mkfifo "$fifo"
exec 3<>"$fifo"
gen/anx run "$manifest" --port "$port:8080" <&3 >"$out/console.log" 2>&1 &
qemu_pid=$!
cleanup() {
  kill "$qemu_pid" 2>/dev/null || true
  rm -f "$fifo"
}
trap cleanup EXIT

echo "booting $manifest (console log: $out/console.log)"
for _ in $(seq 300); do
  if curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$qemu_pid" 2>/dev/null; then
    echo "the appliance stopped during boot; its console:" >&2
    tail -n 30 "$out/console.log" >&2
    exit 1
  fi
  sleep 0.1
done
grep -m1 "anunix: ready" "$out/console.log" || true

request=$(printf '{"prompt": "%s", "max_tokens": 48, "temperature": 0}' "$prompt")
echo
echo "\$ curl http://127.0.0.1:$port/v1/completions -d '$request'"
answer=$(curl -fsS "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' -d "$request")
echo "$answer"
text=$(printf '%s' "$answer" | python3 -c 'import json, sys; print(json.load(sys.stdin)["choices"][0]["text"])')
echo
echo "completion: $prompt$text"
cat <<EOF

Ask more while an appliance runs (gen/anx run $manifest keeps one up; poweroff at its prompt):
  curl http://127.0.0.1:8080/v1/completions -d '{"prompt": "Life is", "max_tokens": 40}'
  curl http://127.0.0.1:8080/v1/chat/completions -d '{"messages": [{"role": "user", "content": "Tell me a fortune"}]}'
  curl http://127.0.0.1:8080/v1/models
EOF

echo
echo "shutting the appliance down"
printf 'poweroff 0\n' >&3
for _ in $(seq 100); do
  kill -0 "$qemu_pid" 2>/dev/null || break
  sleep 0.1
done
wait "$qemu_pid" && echo "appliance powered off (status 0)"
