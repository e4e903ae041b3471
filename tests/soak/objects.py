#!/usr/bin/env python3
"""The soak's object-store load (tests/soak/run.sh): for SECONDS, WORKERS threads each own
a few names under soak/ and put random payloads (1 B to 1 MiB, sizes spread evenly on a log
scale) as new versions, read the current and older versions back, compare the history with
what they wrote, and now and then delete a name (which forgets its history and bounds the
store's index). Every byte read back is checked against the sha256 of what was put; a
version the store acknowledged that reads back as 404 is lost, one that differs is corrupt.
At the end every version still held is read back once more and the listing must name
exactly the live names at their current versions.

The store on its 64 MiB disk has no gc over HTTP, so unreferenced objects keep their space:
fresh random payloads are made until BUDGET bytes of them were put, after which payloads
are drawn again from those already made (the store stores equal content once). The HTTP
path (bodies up to 1 MiB in, hashed, read back) runs at every request all the same.

    objects.py PORT SECONDS OUT.json [--workers N] [--seed S] [--gate DIR]"""
import argparse
import hashlib
import json
import random
import threading
import time

from soaklib import drive, Gate, Tally, request

NAMES_PER_WORKER = 6
MAX_VERSIONS = 6          # a name with this many versions is deleted (bounded index)
BUDGET = 24 << 20         # bytes of fresh random payloads, then payloads are reused


class Payloads:
    """Random payloads shared by the workers: fresh ones while the budget lasts."""

    def __init__(self, rng):
        self.rng, self.made, self.pool = rng, 0, []
        self.lock = threading.Lock()

    def size(self):
        r = self.rng.random()
        if r < 0.05:
            return 1
        if r < 0.08:
            return 1 << 20
        return max(1, int(2 ** self.rng.uniform(0, 20)))

    def take(self):
        with self.lock:
            n = self.size()
            if self.made + n <= BUDGET and (not self.pool or self.rng.random() < 0.7):
                data = self.rng.randbytes(n)
                self.made += n
                self.pool.append(data)
                return data, True
            return self.rng.choice(self.pool), False


class Worker:
    def __init__(self, port, idx, payloads, tally, seed):
        self.port, self.payloads, self.tally = port, payloads, tally
        self.rng = random.Random(seed * 1000 + idx)
        # name -> [(version, sha256 hex, size)], the versions acknowledged and not deleted
        self.names = {f"soak/w{idx}/o{k}": [] for k in range(NAMES_PER_WORKER)}

    def check(self, cond, what):
        if not cond:
            self.tally.error(what, counted=False)
        return cond

    def get(self, name, version=None):
        path = f"/api/v1/objects/{name}" + (f"?version={version}" if version else "")
        return request(self.port, "GET", path)

    def verify(self, name, want, body, headers, status, kind="read"):
        """A read of version `want` (no, sha, size): counted; lost and corrupt named."""
        no, sha, size = want
        if status == 404:
            self.tally.add("lost")
            self.tally.error(f"{kind} {name} v{no}: 404, the store acknowledged it", False)
            return False
        if status != 200:
            self.tally.error(f"{kind} {name} v{no}: status {status}", False)
            return False
        got = hashlib.sha256(body).hexdigest()
        if got != sha or len(body) != size:
            self.tally.add("corrupt")
            self.tally.error(f"{kind} {name} v{no}: {len(body)} bytes sha256 {got[:16]}, "
                             f"put {size} bytes sha256 {sha[:16]}", False)
            return False
        self.tally.add("bytes_verified", len(body))
        ok = self.check(headers.get("x-object-version") == str(no),
                        f"{kind} {name} v{no}: X-Object-Version {headers.get('x-object-version')}")
        ok &= self.check(headers.get("etag") == f'"{sha}"',
                         f"{kind} {name} v{no}: ETag {headers.get('etag')}")
        return ok

    def put(self, name):
        data, fresh = self.payloads.take()
        sha = hashlib.sha256(data).hexdigest()
        vers = self.names[name]
        st, _, body, secs = request(self.port, "PUT", f"/api/v1/objects/{name}", data,
                                    {"Content-Type": "application/octet-stream"})
        self.tally.ok(secs)
        want_st, want_no = (200, vers[-1][0] + 1) if vers else (201, 1)
        if not self.check(st == want_st, f"PUT {name} ({len(data)} bytes): status {st}, "
                          f"wanted {want_st}: {body[:200]!r}"):
            return
        try:
            v = json.loads(body)
        except ValueError:
            v = {}
        if not self.check(v.get("version") == want_no and v.get("id") == sha
                          and v.get("size") in (None, len(data)),
                          f"PUT {name}: answered {body[:200]!r}, wanted version {want_no} "
                          f"id {sha[:16]}"):
            return
        vers.append((want_no, sha, len(data)))
        self.tally.add("puts")
        self.tally.add("bytes_put", len(data))
        self.tally.add("fresh_payloads" if fresh else "reused_payloads")

    def read(self, name, old=False):
        vers = self.names[name]
        if not vers:
            st, _, body, secs = self.get(name)
            self.tally.ok(secs)
            self.check(st == 404, f"GET {name} (deleted or never put): status {st}")
            return
        want = self.rng.choice(vers) if old else vers[-1]
        st, h, body, secs = self.get(name, want[0] if old else None)
        self.tally.ok(secs)
        if self.verify(name, want, body, h, st, "GET" + (" ?version" if old else "")):
            self.tally.add("gets")

    def history(self, name):
        vers = self.names[name]
        st, _, body, secs = request(self.port, "GET", f"/api/v1/objects/{name}/versions")
        self.tally.ok(secs)
        if not vers:
            self.check(st == 404, f"versions of {name} (none): status {st}")
            return
        try:
            got = json.loads(body)["versions"] if st == 200 else None
            got = [(x["version"], x["id"], x["size"]) for x in got]
        except (ValueError, TypeError, KeyError):
            self.tally.error(f"versions of {name}: status {st}, {body[:200]!r}", False)
            return
        if got != vers:
            self.tally.add("lost")
            self.tally.error(f"versions of {name}: {[g[0] for g in got]}, "
                             f"wanted {[v[0] for v in vers]} (or ids/sizes differ)", False)

    def delete(self, name):
        vers = self.names[name]
        st, _, body, secs = request(self.port, "DELETE", f"/api/v1/objects/{name}")
        self.tally.ok(secs)
        if self.check(st == (204 if vers else 404), f"DELETE {name}: status {st}"):
            self.names[name] = []
            self.tally.add("deletes")

    def step(self):
        name = self.rng.choice(sorted(self.names))
        r = self.rng.random()
        if len(self.names[name]) >= MAX_VERSIONS or r < 0.03:
            self.delete(name)
        elif r < 0.45:
            self.put(name)
        elif r < 0.75:
            self.read(name)
        elif r < 0.9:
            self.read(name, old=True)
        else:
            self.history(name)

    def run(self, until, gate):
        drive(self.step, self.tally, until, gate)

    def readback(self):
        """Every version still held, read once more; returns (versions, bytes) read."""
        n = b = 0
        for name, vers in sorted(self.names.items()):
            for want in vers:
                try:
                    st, h, body, _ = self.get(name, want[0])
                except Exception as e:
                    self.tally.error(f"final read {name} v{want[0]}: {e}", False)
                    continue
                if self.verify(name, want, body, h, st, "final read"):
                    n += 1
                    b += len(body)
        return n, b


def listing_matches(port, workers, tally):
    """GET /api/v1/objects?prefix=soak/ names exactly the live names at their versions."""
    want = {name: vers[-1][0] for w in workers for name, vers in w.names.items() if vers}
    try:
        st, _, body, _ = request(port, "GET", "/api/v1/objects?prefix=soak/")
        got = {x["name"]: x["version"] for x in json.loads(body)["objects"]}
    except Exception as e:
        tally.error(f"final listing: {type(e).__name__}: {e}", False)
        return False
    if got != want:
        tally.error(f"final listing: {sorted(got.items())[:8]}..., wanted "
                    f"{sorted(want.items())[:8]}...", False)
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gate", default=".", help="the folder of sample.py's gate files")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    tally = Tally("objects", "store")
    tally.add("seed", a.seed)
    payloads = Payloads(random.Random(a.seed))
    workers = [Worker(a.port, i, payloads, tally, a.seed) for i in range(a.workers)]
    until = time.monotonic() + a.seconds
    threads = [threading.Thread(target=w.run, args=(until, Gate(a.gate, f"objects{i}")))
               for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n = b = 0
    for w in workers:
        wn, wb = w.readback()
        n, b = n + wn, b + wb
    held = sum(len(v) for w in workers for v in w.names.values())
    tally.add("final_versions", held)
    tally.add("final_read_ok", n)
    tally.add("final_bytes", b)
    tally.add("final_listing_ok", int(listing_matches(a.port, workers, tally)))
    tally.extra.setdefault("lost", 0)
    tally.extra.setdefault("corrupt", 0)
    tally.write(a.out)


if __name__ == "__main__":
    main()
