#!/usr/bin/env bash
# The object store on a disk that fails: QEMU's blkdebug driver (anx run
# --disk-fault) injects EIO into the virtio-blk disk's writes, flushes and
# reads during a window of each boot, on one disk file:
#   boot 1: PUTs over HTTP while writes fail for a while
#   boot 2: PUTs while flushes fail for a while
#   boot 3: GETs while reads fail for a while
#   boot 4: no faults: read everything back
# A PUT must answer 2xx (then its object is durable) or 5xx (then it is not
# acknowledged), never anything else, and the store must take PUTs again
# after the window; a GET answers the exact bytes or 5xx. After the reboot
# without faults every acknowledged object reads back byte for byte, and a
# failed one is absent (404) or has exactly its own content (its data
# reached the disk before the failure). Then anx-store check is clean.
# Usage: tests/boot/store-blkdebug.sh [PLATFORM [MODE]]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
make -s anx
make -s -C tools/store
fresh_out store-blkdebug
disk=$out/disk.img
"$root/build/host/anx-store" create "$disk" --size 16M

# rules FILE COUNT_EVENT K FAULT_EVENT R: a blkdebug rules file whose fault
# window starts at the K-th COUNT_EVENT (state K) and lasts R read_aio
# events (states K .. K+R-1), during which FAULT_EVENT's request fails with
# EIO. blkdebug keeps the rules an event activated until another event
# activates others, so every state has a rule for every event (errno 0:
# no error), else a write's error rule would go on failing reads after it.
rules() {
    local file=$1 count=$2 k=$3 fault=$4 r=$5 s ev err
    : >"$file"
    for s in $(seq 1 $((k + r))); do
        for ev in read_aio write_aio flush_to_disk; do
            err=0
            if [ "$s" -ge "$k" ] && [ "$s" -lt $((k + r)) ] && [ "$ev" = "$fault" ]; then err=5; fi
            printf '[inject-error]\nevent = "%s"\nstate = "%d"\nerrno = "%d"\n\n' "$ev" "$s" "$err" >>"$file"
        done
        if [ "$s" -lt "$k" ]; then
            printf '[set-state]\nevent = "%s"\nstate = "%d"\nnew_state = "%d"\n\n' "$count" "$s" $((s + 1)) >>"$file"
        elif [ "$s" -lt $((k + r)) ]; then
            printf '[set-state]\nevent = "read_aio"\nstate = "%d"\nnew_state = "%d"\n\n' "$s" $((s + 1)) >>"$file"
        fi
    done
}

# boot NAME [RULES]: the store appliance on the disk, through blkdebug with
# RULES when given; sets url.
boot() {
    local name=$1 port
    port=$(free_port)
    local fault=()
    [ -n "${2:-}" ] && fault=(--disk-fault "$2")
    url=http://127.0.0.1:$port/api/v1/objects
    start_image "$out/$name.log" "objstore: disk0: [0-9]* names" manifests/store.yaml -p "$platform" \
        --port "$port:8080" --disk "$disk" "${fault[@]}" "${boot[@]}" ||
        { cat "$out/$name.log"; fail "$name: the store did not open"; exit 1; }
    wait_listening "$port"
}

# stop: ends QEMU (SIGTERM to the group). The store acknowledges only what
# it flushed, so stopping it anywhere loses nothing acknowledged.
stop() {
    kill -- -"$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}

# puts PHASE FIRST LAST: PUT objects FIRST..LAST (names o/N, random content
# of 0..20000 bytes in $out/N); each status in $out/N.status. Counts 2xx in
# acked, 5xx in failed; anything else fails the test.
puts() {
    local phase=$1 i code
    acked=0 failed=0 tail_ok=0
    for i in $(seq "$2" "$3"); do
        head -c $(((i * 7919) % 20001)) /dev/urandom >"$out/$i"
        code=$(curl -s -o "$out/$i.answer" -w '%{http_code}' --max-time 60 -X PUT \
            -H 'Content-Type: application/octet-stream' --data-binary @"$out/$i" "$url/o/$i") || code=000
        echo "$code" >"$out/$i.status"
        case $code in
            200 | 201) acked=$((acked + 1)); tail_ok=$((tail_ok + 1)) ;;
            5??) failed=$((failed + 1)); tail_ok=0 ;;
            *) fail "$phase: PUT o/$i answered $code: $(cat "$out/$i.answer" 2>/dev/null)" ;;
        esac
    done
    echo "  $phase: $acked acknowledged, $failed failed (5xx), $tail_ok succeeded after the last failure"
}

# get_ok N: GET o/N; true when the answer is 200 and byte for byte N's content.
get_ok() {
    local code
    code=$(curl -s -o "$out/$1.got" -w '%{http_code}' --max-time 60 "$url/o/$1") || code=000
    [ "$code" = 200 ] && cmp -s "$out/$1" "$out/$1.got"
}

# acked_readable FIRST LAST: every acknowledged object of FIRST..LAST reads back exactly.
acked_readable() {
    local i bad=0
    for i in $(seq "$1" "$2"); do
        case $(cat "$out/$i.status") in
            200 | 201) get_ok "$i" || { echo "  o/$i: acknowledged but not read back"; bad=1; } ;;
        esac
    done
    [ $bad = 0 ]
}

n1=30 n2=60
echo "== boot 1: writes fail from the 16th write on, for 12 reads"
rules "$out/write.conf" write_aio 16 write_aio 12
boot boot1 "$out/write.conf"
puts write-faults 1 $n1
check "write faults: some PUTs answered 5xx" [ "$failed" -ge 1 ]
check "write faults: PUTs succeed again after the window" [ "$tail_ok" -ge 5 ]
check "write faults: the acknowledged objects read back" acked_readable 1 $n1
check "write faults: the store said it recovered" grep -q "recovered from the disk" "$out/boot1.log"
stop

echo "== boot 2: flushes fail from the 16th write on, for 12 reads"
rules "$out/flush.conf" write_aio 16 flush_to_disk 12
boot boot2 "$out/flush.conf"
puts flush-faults $((n1 + 1)) $n2
check "flush faults: some PUTs answered 5xx" [ "$failed" -ge 1 ]
check "flush faults: PUTs succeed again after the window" [ "$tail_ok" -ge 5 ]
check "flush faults: the acknowledged objects read back" acked_readable 1 $n2
stop

# The open ends with two writes (a checkpoint, the superblock): reads fail
# from the first read after it (the first GET), for 3 reads.
echo "== boot 3: reads fail after the open's two writes, for 3 reads"
rules "$out/read.conf" write_aio 3 read_aio 3
boot boot3 "$out/read.conf"
reads_failed=0 wrong=0
for round in 1 2; do
    for i in $(seq 1 $n2); do
        case $(cat "$out/$i.status") in 200 | 201) ;; *) continue ;; esac
        code=$(curl -s -o "$out/$i.got" -w '%{http_code}' --max-time 60 "$url/o/$i") || code=000
        case $code in
            200) cmp -s "$out/$i" "$out/$i.got" || { echo "  o/$i: 200 with wrong bytes"; wrong=$((wrong + 1)); } ;;
            5??) reads_failed=$((reads_failed + 1)) ;;
            *) echo "  o/$i: GET answered $code"; wrong=$((wrong + 1)) ;;
        esac
    done
    [ $round = 1 ] && echo "  read-faults: $reads_failed GETs failed (5xx) in round 1"
done
check "read faults: some GETs answered 5xx" [ "$reads_failed" -ge 1 ]
check "read faults: never wrong bytes, never another status" [ "$wrong" = 0 ]
check "read faults: after the window every object reads back" acked_readable 1 $n2
stop

echo "== boot 4: no faults"
boot boot4
check "reboot: every acknowledged object reads back byte for byte" acked_readable 1 $n2
absent=0 present=0 bad=0
for i in $(seq 1 $n2); do
    case $(cat "$out/$i.status") in 200 | 201) continue ;; esac
    code=$(curl -s -o "$out/$i.got" -w '%{http_code}' --max-time 60 "$url/o/$i") || code=000
    if [ "$code" = 404 ]; then
        absent=$((absent + 1))
    elif [ "$code" = 200 ] && cmp -s "$out/$i" "$out/$i.got"; then
        present=$((present + 1))
    else
        echo "  o/$i: failed PUT, now $code with other content"
        bad=$((bad + 1))
    fi
done
echo "  failed PUTs after the reboot: $absent absent, $present present with their own content"
check "reboot: no failed PUT left wrong content" [ "$bad" = 0 ]
stop
check "host: anx-store check is clean" "$root/build/host/anx-store" check "$disk"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
