#!/usr/bin/env python3
"""The soak's memory sampler (tests/soak/run.sh): every INTERVAL seconds after START while
less than SECONDS have passed (or once, now, with --once: run.sh's samples before and
after the load), reads each image's /metrics and appends one CSV row per image to
DIR/memory.csv:

    t_s,image,quiet,heap_in_use_bytes,heap_pages,pages_in_use,
        heap_allocation_failures,route_errors,uptime_s

Before each sample it quiets the load (soaklib.Gate): it creates DIR/quiet and waits until
every client named in --wait has said it is idle (DIR/idle-NAME) or done (DIR/done-NAME),
at most 60 s (quiet is 0 in the rows when it gave up), then half a second for the images
to close their connections. Memory is then what the images hold between requests, not a
request body or a completion's state in flight. Each value is the smallest of three reads
0.3 s apart. A read that fails leaves the row's values empty (report.py counts it).

    sample.py DIR START_EPOCH INTERVAL SECONDS [--wait NAME,...] [--once] IMAGE=PORT..."""
import argparse
import os
import sys
import time

from soaklib import request

FIELDS = ["heap_in_use_bytes", "heap_pages", "pages_in_use", "heap_allocation_failures",
          "route_errors", "uptime_s"]
NAMES = {"anx_heap_in_use_bytes": "heap_in_use_bytes", "anx_heap_pages": "heap_pages",
         "anx_pages_in_use": "pages_in_use", "anx_uptime_seconds": "uptime_s",
         "anx_heap_allocation_failures_total": "heap_allocation_failures"}


def parse(text):
    """The gauges we record from a /metrics text."""
    v = {"route_errors": 0}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        key, val = line.rsplit(" ", 1)
        if key in NAMES:
            v[NAMES[key]] = float(val)
        elif key.startswith("anx_route_errors_total{"):
            v["route_errors"] += float(val)
    missing = [f for f in FIELDS if f not in v]
    if missing:
        raise ValueError(f"/metrics lacks {', '.join(missing)}")
    return v


def sample(port):
    reads = []
    for i in range(3):
        if i:
            time.sleep(0.3)
        st, _, body, _ = request(port, "GET", "/metrics")
        if st != 200:
            raise ValueError(f"/metrics: status {st}")
        reads.append(parse(body.decode()))
    best = {f: min(r[f] for r in reads)
            for f in ("heap_in_use_bytes", "heap_pages", "pages_in_use")}
    best.update({f: reads[-1][f] for f in ("heap_allocation_failures", "route_errors", "uptime_s")})
    return best


def quiet_down(folder, clients):
    """True once every client is idle or done (at most 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(os.path.exists(os.path.join(folder, f"idle-{c}"))
               or os.path.exists(os.path.join(folder, f"done-{c}")) for c in clients):
            time.sleep(0.5)
            return True
        time.sleep(0.05)
    print(f"sample: the load did not quiet down within 60 s", file=sys.stderr)
    return False


def sample_all(folder, start, images, quiet):
    csv = os.path.join(folder, "memory.csv")
    if not os.path.exists(csv):
        with open(csv, "w") as f:
            f.write("t_s,image,quiet," + ",".join(FIELDS) + "\n")
    for name, port in images:
        at = time.time() - start
        try:
            s = sample(int(port))
            vals = ",".join(f"{s[k]:.0f}" if k != "uptime_s" else f"{s[k]:.1f}" for k in FIELDS)
        except (OSError, ValueError) as e:
            print(f"sample: {name}: {e}", file=sys.stderr)
            vals = "," * (len(FIELDS) - 1)
        with open(csv, "a") as f:
            f.write(f"{at:.1f},{name},{int(quiet)},{vals}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("start", type=float)
    ap.add_argument("interval", type=float)
    ap.add_argument("seconds", type=float)
    ap.add_argument("images", nargs="+")
    ap.add_argument("--wait", default="")
    ap.add_argument("--once", action="store_true")
    a = ap.parse_args()
    images = [x.split("=", 1) for x in a.images]
    clients = [c for c in a.wait.split(",") if c]
    if a.once:
        sample_all(a.folder, a.start, images, True)
        return
    quiet = os.path.join(a.folder, "quiet")
    k = 1   # the sample at START is run.sh's --once, before the load starts
    while k * a.interval < a.seconds:
        time.sleep(max(0.0, a.start + k * a.interval - time.time()))
        open(quiet, "w").close()
        try:
            ok = quiet_down(a.folder, clients)
            sample_all(a.folder, a.start, images, ok)
        finally:
            os.remove(quiet)
        k += 1


if __name__ == "__main__":
    main()
