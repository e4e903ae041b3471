#!/usr/bin/env bash
# The soak test: boots the web, store and inference appliances (manifests/) and an SSH image
# (tests/soak/ssh.yaml) side by side, each on free ports, and for MINUTES drives them all at
# once with modest load:
#   - wrk (1 thread, 4 connections, one run from sample to sample) on the web image's static
#     pages and API routes (wrk.lua);
#   - completions and chat completions, streamed and not, each answer checked
#     (completions.py);
#   - object puts of random payloads of 1 B to 1 MiB, reads of current and older versions
#     checked byte for byte by sha256, histories, deletes, and at the end a read-back of
#     every version held (objects.py);
#   - SSH sessions, exec and shell, their exit statuses and output checked (sessions.py);
# while sample.py records each image's heap and pages in use from /metrics (at the start,
# every INTERVAL and at the end: INTERVAL is a sixth of the run, between 10 and 60 s) into
# OUT/memory.csv, pausing the load for the second or two each sample takes so that nothing
# is in flight. report.py prints a table and decides; each decision is a check line:
# zero errors per load, nothing lost or corrupt, every /metrics read answered with no
# allocation failure or 5xx, and memory flat after warm-up (the first fifth of the run, at
# least 10 s; tolerance in report.py). Ends with "N passed, N failed"; non-zero on failure.
#
#   tests/soak/run.sh [MINUTES [PLATFORM]]    (default 1, x86_64-pc; make soak: 10)
#
# Files: build/test/soak-PLATFORM/ (the images' consoles, memory.csv, the loads' results).
# The 1-minute run takes about 1.5 minutes with its boots and the report.
set -uo pipefail
minutes=${1:-1}
[[ $minutes =~ ^[1-9][0-9]*$ ]] ||
  { echo "usage: tests/soak/run.sh [MINUTES [PLATFORM]]" >&2; exit 2; }
set -- "${2:-x86_64-pc}"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../boot/lib.sh"
for tool in wrk ssh ssh-keygen curl; do
  command -v $tool >/dev/null || {
    echo "skip  soak: no $tool (scripts/setup.sh installs it)"
    echo "0 passed, 0 failed"
    exit 0
  }
done
fresh_out soak
secs=$((minutes * 60))
interval=$((secs / 6)); ((interval < 10)) && interval=10; ((interval > 60)) && interval=60
warmup=$((secs / 5)); ((warmup < 10)) && warmup=10

manifests=(manifests/web.yaml manifests/store.yaml manifests/inference.yaml tests/soak/ssh.yaml)
for m in "${manifests[@]}"; do
  gen/anx build "$m" -p "$platform" >>"$out/build.log" 2>&1 ||
    { tail -n 20 "$out/build.log"; echo "FAIL build $m"; echo "0 passed, 1 failed"; exit 1; }
done

ssh-keygen -q -t ed25519 -N '' -C soak-user -f "$out/user"
ssh-keygen -q -t ed25519 -N '' -C soak-host -f "$out/host"
read -r web store infer sshhttp sshport <<<"$(free_port 5)"
echo "[127.0.0.1]:$sshport $(cut -d' ' -f1,2 "$out/host.pub")" >"$out/known_hosts"

# The four boot at once (start_image follows one image; these are stopped together at exit).
pids=() loads=()
cleanup() {
  local p
  for p in "${loads[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null; done
}
trap cleanup EXIT
boot() {
  local name=$1
  shift
  setsid gen/anx run "$@" -p "$platform" </dev/null >"$out/$name.console" 2>&1 &
  pids+=($!)
}
boot web manifests/web.yaml --port "$web:8080"
boot store manifests/store.yaml --port "$store:8080" --disk "$out/store.img" --disk-size 64M
boot inference manifests/inference.yaml --port "$infer:8080"
boot ssh tests/soak/ssh.yaml --port "$sshhttp:8080" --port "$sshport:22" \
  --secret ssh-host-key="$out/host" --secret ssh-authorized-keys="$out/user.pub"

# ready: /api/v1/health answers 200 (the store's disk is open, the model loaded) and, for the
# SSH image, the server listens; at most 120 s for the four boots on shared cores
ready() {
  curl -sf -m 5 -o /dev/null "http://127.0.0.1:$1/api/v1/health" || return 1
  [ -z "${2:-}" ] || grep -q "$2" "$out/$3.console"
}
t0=$(date +%s)
for spec in "web $web" "store $store" "inference $infer" \
  "ssh $sshhttp ssh:.listening.on.port.22"; do
  read -r name port pattern <<<"$spec"
  until ready "$port" "${pattern:-}" "$name"; do
    if (($(date +%s) - t0 > 120)); then
      echo "FAIL $name: not ready after 120 s; console:"; tail -n 20 "$out/$name.console"
      echo "$passes passed, $((fails + 1)) failed"; exit 1
    fi
    sleep 1
  done
done
echo "booted the four images in $(($(date +%s) - t0)) s;" \
  "load for $minutes min, samples every ${interval} s"

# wrk cannot be stopped early and keep its numbers: it runs until the next sample, when
# sample.py quiets the load (soaklib.Gate: DIR/quiet, DIR/idle-NAME, DIR/done-NAME)
web_load() {
  local n=0 now next
  while now=$(date +%s); ((now < start + secs)); do
    if [ -e "$out/quiet" ]; then
      touch "$out/idle-wrk"
      while [ -e "$out/quiet" ]; do sleep 0.05; done
      rm -f "$out/idle-wrk"
      continue
    fi
    next=$((start + ((now - start) / interval + 1) * interval))
    ((next > start + secs)) && next=$((start + secs))
    if ((next - now < 1)); then sleep 0.1; continue; fi
    n=$((n + 1))
    wrk -t1 -c4 -d"$((next - now))s" --timeout 30s --latency -s "$here/wrk.lua" \
      "http://127.0.0.1:$web" >"$out/wrk-$(printf %03d $n).txt" 2>&1
  done
  touch "$out/done-wrk"
}

images=(web="$web" store="$store" inference="$infer" ssh="$sshhttp")
start=$(date +%s) seed=$(date +%s)
# the first sample, before any load
python3 "$here/sample.py" "$out" "$start" "$interval" "$secs" "${images[@]}" --once \
  2>>"$out/sample.err"
python3 "$here/sample.py" "$out" "$start" "$interval" "$secs" "${images[@]}" \
  --wait wrk,objects0,objects1,completions,ssh 2>>"$out/sample.err" &
loads+=($!)
python3 "$here/objects.py" "$store" "$secs" "$out/objects.json" --seed "$seed" --gate "$out" \
  2>"$out/objects.err" &
loads+=($!)
python3 "$here/completions.py" "$infer" "$secs" "$out/completions.json" --seed "$seed" \
  --gate "$out" 2>"$out/completions.err" &
loads+=($!)
python3 "$here/sessions.py" "$sshport" "$secs" "$out/ssh.json" --seed "$seed" --gate "$out" \
  --key "$out/user" --known-hosts "$out/known_hosts" 2>"$out/ssh.err" &
loads+=($!)
web_load &
loads+=($!)
for p in "${loads[@]}"; do wait "$p"; done
# the last sample, with every load ended
python3 "$here/sample.py" "$out" "$start" "$interval" "$secs" "${images[@]}" --once \
  2>>"$out/sample.err"
for e in sample objects completions ssh; do
  [ -s "$out/$e.err" ] && { echo "$e.py said:"; head -n 20 "$out/$e.err"; }
done

check "the trend check tells made-up leaks from flat series (report.py --self-test)" \
  python3 "$here/report.py" --self-test
python3 "$here/report.py" "$out" "$secs" "$warmup" ||
  fail "report.py failed (its output above)"
[ -f "$out/verdicts.txt" ] && while IFS=$'\t' read -r verdict name; do
  check "$name" test "$verdict" = ok
done <"$out/verdicts.txt"

# after the load: each image still up, serving, and its console free of faults and warnings
# of memory running out
up() {
  local name=$1 port=$2
  curl -sf -m 10 -o /dev/null "http://127.0.0.1:$port/api/v1/health" &&
    ! grep -Eq 'panic|exception|backtrace|out of memory' "$out/$name.console"
}
for spec in "web $web" "store $store" "inference $infer" "ssh $sshhttp"; do
  read -r name port <<<"$spec"
  check "$name: still up and healthy after the soak, no fault or out-of-memory on its console" \
    up "$name" "$port"
done
check "web: / is still the site" \
  sh -c "curl -sf -m 10 http://127.0.0.1:$web/ | grep -q 'Welcome to Anunix!'"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
