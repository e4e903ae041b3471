#!/usr/bin/env python3
"""netem in user space, for tests/boot/net-netem.sh on a kernel without the
netem qdisc (sch_netem): relays Ethernet frames between the host's tap
HOST_TAP (which holds the host's address) and the guest's tap GUEST_TAP
(which QEMU holds; read and written here through an AF_PACKET socket), and
on the way drops, delays and reorders them as `tc qdisc ... netem loss L%
delay D ms J ms reorder R%` would: each frame is lost with probability L,
else sent at once with probability R (overtaking the delayed ones), else
after D +- J ms. Both directions. Runs until killed; prints its counts on
SIGTERM.

usage: netem_relay.py HOST_TAP GUEST_TAP [--loss 5] [--delay 50] [--jitter 20] [--reorder 10]
"""
import argparse
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host_tap")
    ap.add_argument("guest_tap")
    ap.add_argument("--loss", type=float, default=5)
    ap.add_argument("--delay", type=float, default=50)
    ap.add_argument("--jitter", type=float, default=20)
    ap.add_argument("--reorder", type=float, default=10)
    a = ap.parse_args()

    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", a.host_tap.encode(), IFF_TAP | IFF_NO_PI))
    pk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    pk.bind((a.guest_tap, 0))

    counts = {"to_guest": 0, "to_host": 0, "lost": 0, "reordered": 0}

    def report(*_):
        print("netem_relay: " + ", ".join("%s %d" % kv for kv in counts.items()), flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    print("netem_relay: %s <-> %s, loss %g%%, delay %g ms +- %g ms, reorder %g%%"
          % (a.host_tap, a.guest_tap, a.loss, a.delay, a.jitter, a.reorder), flush=True)
    rng = random.Random(os.getpid())
    queue = []   # (due, seq, direction, frame)
    seq = 0

    def impair(direction, frame):
        nonlocal seq
        counts[direction] += 1
        if rng.random() * 100 < a.loss:
            counts["lost"] += 1
            return
        now = time.monotonic()
        if rng.random() * 100 < a.reorder:
            due = now
            counts["reordered"] += 1
        else:
            due = now + max(0.0, a.delay + rng.uniform(-a.jitter, a.jitter)) / 1000
        seq += 1
        heapq.heappush(queue, (due, seq, direction, frame))

    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        ready, _, _ = select.select([tap, pk], [], [], timeout)
        if tap in ready:
            impair("to_guest", os.read(tap, 65536))
        if pk in ready:
            frame, addr = pk.recvfrom(65536)
            if addr[2] != PACKET_OUTGOING:        # not our own sends to the guest
                impair("to_host", frame)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, direction, frame = heapq.heappop(queue)
            try:
                if direction == "to_guest":
                    pk.send(frame)
                else:
                    os.write(tap, frame)
            except OSError:
                pass   # a full queue or the link going down: a loss, as on a wire


if __name__ == "__main__":
    main()
