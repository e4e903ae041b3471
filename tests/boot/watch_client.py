#!/usr/bin/env python3
"""The slow watcher of tests/boot/watch.sh.

watch_client.py PORT N: opens GET /api/v1/objects/load/?watch with a tiny
receive buffer and stops reading; writes N versions of load/k over one
keep-alive connection (each PUT must answer 200/201: a watcher that reads
nothing must not hold writers up); then reads the stream until the event of
version N and prints what it saw: 'lost TOTAL', 'last VERSION', 'puts N in S s'.
"""
import http.client
import re
import socket
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
w = socket.socket()
w.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
w.connect(("127.0.0.1", port))
w.sendall(b"GET /api/v1/objects/load/?watch HTTP/1.1\r\nHost: x\r\n\r\n")
w.settimeout(20)
head = b""
while b"watching 'load/'" not in head:
    head += w.recv(4096)
# stop reading: the guest's queue for this watcher fills and overflows
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
t0 = time.time()
for v in range(1, n + 1):
    c.request("PUT", "/api/v1/objects/load/k", body=b"v%d" % v)
    r = c.getresponse()
    r.read()
    if r.status not in (200, 201):
        print("PUT %d answered %d" % (v, r.status))
        sys.exit(1)
print("puts %d in %.1f s" % (n, time.time() - t0))
text = head.decode(errors="replace")
deadline = time.time() + 60
want = '"version": %d,' % n
while want not in text and time.time() < deadline:
    try:
        d = w.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    text += d.decode(errors="replace")
lost = sum(int(x) for x in re.findall(r'event: lost\r?\ndata: \{"lost": (\d+)\}', text))
versions = [int(x) for x in re.findall(r'"name": "load/k", "version": (\d+)', text)]
print("lost %d" % lost)
print("last %d" % (versions[-1] if versions else 0))
print("ordered %s" % ("yes" if versions == sorted(versions) else "no"))
print("seen %d" % len(versions))
