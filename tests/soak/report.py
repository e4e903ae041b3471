#!/usr/bin/env python3
"""The soak's verdict (tests/soak/run.sh): reads what the run left in OUT (memory.csv from
sample.py, the load clients' JSON, wrk's outputs wrk-*.txt), prints a table per image and
load, and writes OUT/verdicts.txt, one check a line: "ok<TAB>NAME" or "FAIL<TAB>NAME"
(run.sh turns each into a lib.sh check line).

Memory flat: after warm-up, the trend of each image's heap in use and pages in use must not
rise over the samples it is fitted on by more than the tolerance below. The trend is the
Theil-Sen slope (the median of the slopes between every two samples), which one odd sample
cannot tilt as it would a least-squares line. `report.py --self-test` shows the decision on
made-up series: a leak fails, a flat series with a spike passes.

    report.py OUT SECONDS WARMUP_SECONDS
    report.py --self-test"""
import csv
import glob
import json
import os
import re
import statistics
import sys

# The rise allowed over the fitted samples: 1 MiB per 10 minutes of them, and never less than
# 256 KiB. Leaking 1 MiB per 10 minutes, a 64 MiB image runs out within a working day, which
# a soak must catch (make soak's 10 minutes: up to ~820 KiB over its 8 fitted minutes). The
# floor is the wobble of state that is bounded but changes with the load: the store's index
# holds between 0 and 72 versions of up to 1 MiB and a few hundred objects, and a heap takes
# pages a size class at a time; over the 48 s a 1-minute run fits, 1 MiB per 10 minutes would
# be 84 KiB, below that wobble. So the 1-minute run of make test catches fast leaks only
# (over ~5 KiB/s, e.g. 100 bytes per web request); make soak is the test of slow ones.
TOLERANCE = 1 << 20
PER = 600.0
FLOOR = 256 << 10
MIN_FIT = 3   # post-warm-up samples a trend needs


def theil_sen(points):
    slopes = [(y2 - y1) / (t2 - t1) for i, (t1, y1) in enumerate(points)
              for (t2, y2) in points[i + 1:] if t2 > t1]
    return statistics.median(slopes) if slopes else 0.0


def trend(points):
    """(rise over the points' time span, the rise allowed, slope per PER seconds)."""
    if len(points) < 2:
        return 0.0, 0.0, 0.0
    span = points[-1][0] - points[0][0]
    slope = theil_sen(points)
    return slope * span, max(TOLERANCE * span / PER, FLOOR), slope * PER


def self_test():
    """The decision on made-up series, to show it can fail."""
    t = [0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600]
    cases = [
        ("flat", [(x, 5e6) for x in t], True),
        ("flat with a 1 MiB spike", [(x, 5e6 + (1 << 20) * (x == 300)) for x in t], True),
        ("bounded wobble of 200 KiB", [(x, 5e6 + 200e3 * (i % 2)) for i, x in enumerate(t)], True),
        ("a leak of 2 MiB per 10 min", [(x, 5e6 + 2 * (1 << 20) * x / 600) for x in t], False),
        ("a leak of 1 MiB in 1 min", [(x / 10, 5e6 + (1 << 20) * x / 600) for x in t], False),
        ("a step of 1 MiB held", [(x, 5e6 + (1 << 20) * (x > 300)) for x in t], False),
    ]
    bad = 0
    for name, pts, want in cases:
        rise, allowed, _ = trend(pts[2:])
        got = rise <= allowed
        print(f"  {'right' if got == want else 'WRONG'}: {name}: rise {kib(rise)}, "
              f"allowed {kib(allowed)}: {'flat' if got else 'growing'}")
        bad += got != want
    return bad == 0


def kib(x):
    return f"{x / 1024:+.0f} KiB" if abs(x) < 10 << 20 else f"{x / (1 << 20):+.1f} MiB"


def read_wrk(out):
    """wrk's segments summed: requests, errors (non-2xx/3xx + socket errors), p50 and p99
    (the median of the segments' p50, the largest p99)."""
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    req = err = 0
    p50s, p99s, msgs = [], [], []
    files = sorted(glob.glob(os.path.join(out, "wrk-*.txt")))
    for path in files:
        text = open(path).read()
        m = re.search(r"^\s*(\d+) requests in", text, re.M)
        if not m:
            err += 1
            msgs.append(f"{os.path.basename(path)}: no result: {text.strip()[-200:]!r}")
            continue
        req += int(m.group(1))
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        if m:
            n = sum(int(x) for x in m.groups())
            err += n
            msgs.append(f"{os.path.basename(path)}: {m.group(0)}")
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        if m:
            err += int(m.group(1))
            msgs.append(f"{os.path.basename(path)}: {m.group(0)}")
        for pct, into in (("50", p50s), ("99", p99s)):
            m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m)\b", text, re.M)
            if m:
                into.append(float(m.group(1)) * unit[m.group(2)])
    return {"load": "wrk", "image": "web", "requests": req, "errors": err,
            "p50_ms": statistics.median(p50s) if p50s else None,
            "p99_ms": max(p99s) if p99s else None, "messages": msgs, "segments": len(files)}


def main():
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    out, seconds, warmup = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    verdicts = []

    def verdict(ok, name):
        verdicts.append((bool(ok), name))

    loads = [read_wrk(out)]
    for name in ("completions", "objects", "ssh"):
        path = os.path.join(out, f"{name}.json")
        try:
            loads.append(json.load(open(path)))
        except (OSError, ValueError) as e:
            loads.append({"load": name, "image": {"completions": "inference", "objects": "store",
                                                  "ssh": "ssh"}[name],
                          "requests": 0, "errors": 1, "messages": [f"{path}: {e}"]})

    print(f"{'image':<10} {'load':<12} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for d in loads:
        p50 = "-" if d.get("p50_ms") is None else f"{d['p50_ms']:.1f}"
        p99 = "-" if d.get("p99_ms") is None else f"{d['p99_ms']:.1f}"
        print(f"{d['image']:<10} {d['load']:<12} {d['requests']:>9} {d['errors']:>7} "
              f"{p50:>8} {p99:>8}")
    for d in loads:
        for m in d.get("messages", [])[:10]:
            print(f"  {d['load']}: {m}")

    by = {d["load"]: d for d in loads}
    w = by["wrk"]
    verdict(w["requests"] > 0 and w["errors"] == 0,
            f"web: wrk on static and API routes, {w['requests']} requests in "
            f"{w.get('segments', 0)} runs, {w['errors']} errors (non-2xx, socket errors)")
    c = by["completions"]
    verdict(c["requests"] > 0 and c["errors"] == 0 and c.get("streamed", 0) > 0
            and c.get("whole", 0) > 0,
            f"inference: {c['requests']} completions ({c.get('streamed', 0)} streamed, "
            f"{c.get('whole', 0)} whole), each well-formed, greedy ones unchanged: "
            f"{c['errors']} errors")
    o = by["objects"]
    verdict(o.get("puts", 0) > 0 and o["errors"] == 0,
            f"store: {o['requests']} object requests ({o.get('puts', 0)} puts of "
            f"{o.get('bytes_put', 0)} bytes, {o.get('gets', 0)} verified reads, "
            f"{o.get('deletes', 0)} deletes): {o['errors']} errors")
    verdict(o.get("lost", 1) == 0 and o.get("corrupt", 1) == 0
            and o.get("final_read_ok", -1) == o.get("final_versions", -2)
            and o.get("final_listing_ok", 0) == 1,
            f"store: the final read-back of all {o.get('final_versions', '?')} versions held "
            f"({o.get('final_bytes', 0)} bytes) and the listing: {o.get('lost', '?')} lost, "
            f"{o.get('corrupt', '?')} corrupt")
    s = by["ssh"]
    verdict(s.get("sessions_ok", 0) > 0 and s["errors"] == 0,
            f"ssh: {s['requests']} sessions (exec and shell, exit statuses and output): "
            f"{s['errors']} errors ({s.get('stalls', 0)} stalled before the server's banner)")

    rows = {}
    with open(os.path.join(out, "memory.csv")) as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["image"], []).append(r)
    print()
    print(f"memory (samples at {', '.join(r['t_s'] for r in next(iter(rows.values()), []))} s; "
          f"trends after {warmup:.0f} s of warm-up, Theil-Sen, per 10 min)")
    print(f"{'image':<10} {'samples':>7} {'heap first':>11} {'heap last':>11} {'heap trend':>11} "
          f"{'pages first':>11} {'pages last':>10} {'pages trend':>12}")
    for image in ("web", "store", "inference", "ssh"):
        rs = rows.get(image, [])
        good = [r for r in rs if r["heap_in_use_bytes"]]
        failed = len(rs) - len(good)
        busy = sum(1 for r in rs if r["quiet"] != "1")
        fit = [r for r in good if float(r["t_s"]) >= warmup]
        heap_rise, allowed, heap = trend([(float(r["t_s"]), float(r["heap_in_use_bytes"]))
                                          for r in fit])
        pages_rise, _, pages = trend([(float(r["t_s"]), 4096 * float(r["pages_in_use"]))
                                      for r in fit])
        if good:
            print(f"{image:<10} {len(good):>7} {int(good[0]['heap_in_use_bytes']):>11} "
                  f"{int(good[-1]['heap_in_use_bytes']):>11} {kib(heap):>11} "
                  f"{int(good[0]['pages_in_use']):>11} {int(good[-1]['pages_in_use']):>10} "
                  f"{kib(pages):>12}")
        else:
            print(f"{image:<10} {0:>7}")
        allocfail = max((float(r["heap_allocation_failures"]) for r in good), default=0)
        errs5xx = max((float(r["route_errors"]) for r in good), default=0)
        verdict(good and not failed and not busy and allocfail == 0 and errs5xx == 0,
                f"{image}: {len(good)} memory samples, {failed} failed /metrics reads, "
                f"{busy} taken while the load would not pause, "
                f"{allocfail:.0f} allocation failures, {errs5xx:.0f} route errors (5xx)")
        verdict(len(fit) >= MIN_FIT and heap_rise <= allowed and pages_rise <= allowed,
                f"{image}: memory flat after warm-up ({len(fit)} samples): heap "
                f"{kib(heap_rise)}, pages {kib(pages_rise)} over the fit (at most "
                f"{kib(allowed)})")

    with open(os.path.join(out, "verdicts.txt"), "w") as f:
        for ok, name in verdicts:
            f.write(f"{'ok' if ok else 'FAIL'}\t{name}\n")


if __name__ == "__main__":
    main()
