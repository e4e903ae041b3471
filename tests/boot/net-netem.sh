#!/usr/bin/env bash
# HTTP to the object store over a bad network: the image's NIC is a tap
# device (anx run --tap) in a network namespace of its own, and the kernel's
# tc netem drops, delays and reorders what the host sends it (loss 5%,
# delay 50 ms +- 20 ms, reorder 10%: the data of every PUT and the ACKs of
# every GET). On a kernel without the netem qdisc, tests/boot/netem_relay.py
# does the same in user space, in both directions, between a second tap
# that holds the host's address and the guest's. curl, in the same
# namespace, PUTs and GETs N objects of up to 64 KiB, retrying after
# timeouts or errors:
#   - every answer is the right one or a client-visible failure (a timeout,
#     a reset, a 5xx), never wrong data: a PUT's 2xx names the sha256 of
#     what was sent, a GET's 200 is byte for byte what was PUT;
#   - the image's TCP recovers: every object is stored and read back within
#     the retries;
#   - netem was in the path (the TCP handshake's round trip is 25 ms or
#     more on average).
# Needs root, ip netns and tap devices (and python3 without sch_netem):
# without them it prints "skip  net-netem: REASON" and exits 77.
# Usage: tests/boot/net-netem.sh [PLATFORM]   (default x86_64-pc)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
skip() { echo "skip  net-netem: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (a network namespace and a tap device)"
command -v ip >/dev/null && command -v tc >/dev/null || skip "needs ip and tc (iproute2)"
make -s anx
fresh_out net-netem
ns=anx-netem-$$
tap=anxtap0
guest=10.0.3.15
cleanup() {
    [ -n "${pid:-}" ] && kill -- -"$pid" 2>/dev/null
    [ -n "${relay:-}" ] && kill "$relay" 2>/dev/null && wait "$relay" 2>/dev/null && cat "$out/relay.log"
    ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev "$tap" mode tap 2>/dev/null || skip "cannot make a tap device (/dev/net/tun)"
ip -n "$ns" link set "$tap" up
if ip netns exec "$ns" tc qdisc add dev "$tap" root netem loss 5% delay 50ms 20ms reorder 10% \
    2>"$out/tc.err"; then
    ip -n "$ns" addr add 10.0.3.1/24 dev "$tap"
    ip netns exec "$ns" tc qdisc show dev "$tap"
else
    echo "  no netem qdisc in this kernel ($(cat "$out/tc.err")): tests/boot/netem_relay.py instead"
    command -v python3 >/dev/null || skip "no netem qdisc and no python3 for netem_relay.py"
    ip -n "$ns" tuntap add dev anxtap1 mode tap
    ip -n "$ns" addr add 10.0.3.1/24 dev anxtap1
    ip -n "$ns" link set anxtap1 up
    ip netns exec "$ns" python3 -B tests/boot/netem_relay.py anxtap1 "$tap" --loss 5 --delay 50 \
        --jitter 20 --reorder 10 >"$out/relay.log" 2>&1 &
    relay=$!
fi

gen/anx build tests/boot/net-netem.yaml -p "$platform" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
# QEMU opens the tap, so it runs in the namespace; its own session so the
# group (anx and QEMU) is stopped by its id
setsid ip netns exec "$ns" gen/anx run tests/boot/net-netem.yaml -p "$platform" --tap "$tap" \
    </dev/null >"$out/console.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    grep -q "httpd: listening on port 8080" "$out/console.log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
grep -q "httpd: listening on port 8080" "$out/console.log" || { cat "$out/console.log"; fail "the image did not start"; exit 1; }

in_ns() { ip netns exec "$ns" "$@"; }
# the netem delay is in the path: 50 ms +- 20 ms on the way to the guest
# but for the 10% reordered, seen in the TCP handshake's round trip (the
# mean of 5 connections; about 1 ms without netem)
sum=0 got=0
for _ in 1 2 3 4 5; do
    t=$(in_ns curl -s -o /dev/null -w '%{time_connect}' --max-time 10 "http://$guest:8080/api/v1/health") || continue
    sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { print a + b * 1000 }')
    got=$((got + 1))
done
rtt=$(awk -v s="$sum" -v n="$got" 'BEGIN { print n ? s / n : 0 }')
echo "  TCP handshake: mean round trip $rtt ms over $got connections"
check "netem delays the path (mean round trip >= 25 ms)" awk -v r="$rtt" 'BEGIN { exit !(r >= 25) }'

n=${NETEM_OBJECTS:-24}
url=http://$guest:8080/api/v1/objects
wrong=0 put_fail=0 get_fail=0 unstored=0 unread=0
for i in $(seq 1 "$n"); do
    head -c $(((i * 7919) % 65536)) /dev/urandom >"$out/$i"
    sum=$(sha256sum <"$out/$i" | cut -d' ' -f1)
    stored=0
    for _ in $(seq 1 8); do
        code=$(in_ns curl -s -o "$out/$i.answer" -w '%{http_code}' --connect-timeout 5 --max-time 20 \
            -X PUT --data-binary @"$out/$i" "$url/n/$i") || code=000
        case $code in
            200 | 201)
                if grep -q "\"id\": \"$sum\"" "$out/$i.answer"; then
                    stored=1
                    break
                fi
                echo "  PUT n/$i: $code naming another id: $(head -c 300 "$out/$i.answer")"
                wrong=$((wrong + 1))
                ;;
            000 | 5??) put_fail=$((put_fail + 1)) ;;
            *) echo "  PUT n/$i: answered $code"; wrong=$((wrong + 1)) ;;
        esac
    done
    [ $stored = 1 ] || { unstored=$((unstored + 1)); continue; }
    read=0
    for _ in $(seq 1 8); do
        code=$(in_ns curl -s -o "$out/$i.got" -w '%{http_code}' --connect-timeout 5 --max-time 20 \
            "$url/n/$i") || code=000
        case $code in
            200)
                if cmp -s "$out/$i" "$out/$i.got"; then
                    read=1
                    break
                fi
                # curl saw the whole answer (exit 0, status 200): other bytes are wrong data
                echo "  GET n/$i: 200 with other bytes ($(stat -c %s "$out/$i.got") of $(stat -c %s "$out/$i"))"
                wrong=$((wrong + 1))
                ;;
            000 | 5??) get_fail=$((get_fail + 1)) ;;
            *) echo "  GET n/$i: answered $code"; wrong=$((wrong + 1)) ;;
        esac
    done
    [ $read = 1 ] || unread=$((unread + 1))
done
echo "  $n objects: $put_fail PUT and $get_fail GET attempts failed visibly (timeout, reset, 5xx) and were retried"
check "never wrong data or an unexpected status" [ "$wrong" = 0 ]
check "every object stored within 8 tries" [ "$unstored" = 0 ]
check "every object read back within 8 tries" [ "$unread" = 0 ]
check "the image is still up" kill -0 "$pid"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
